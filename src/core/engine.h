/* The Babel engine: all of RFC 8966 (with 8967, 9079, 9229, 9616) as a
 * state machine without I/O.
 *
 * Everything comes in as a call carrying the current time in milliseconds;
 * everything goes out through the operations table the caller provides.
 * The engine never reads a clock, touches a socket or the kernel, and draws
 * its jitter from a generator seeded by the caller: the same calls with the
 * same seed produce exactly the same outputs.  That is what lets the unit
 * tests run on a fake clock, the mesh simulator run hundreds of engines in
 * one process, and the fuzzers replay whole packet sequences.
 *
 * Call pattern for an event loop:
 *     next = engine_run(e, now);          after creating it and after every input
 *     sleep until min(next, next input);  then feed inputs and call engine_run again
 */
#ifndef MAILLE_CORE_ENGINE_H
#define MAILLE_CORE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/core/prefix.h"

struct engine;
struct filter_set; /* src/core/filter.h: what the config parser fills */

#define ENGINE_INFINITY 0xFFFFu

/* An IPv6 address on a link: a neighbour's or our own link-local address. */
struct link_addr {
	uint8_t a[16];
};

enum if_type {
	IF_TYPE_WIRED,
	IF_TYPE_WIRELESS,
	IF_TYPE_TUNNEL,
	IF_TYPE_AX25, /* the radio link: its own defaults, split horizon off */
};

/* A tri-state for options that default per interface type. */
enum opt_bool { OPT_DEFAULT = -1, OPT_OFF = 0, OPT_ON = 1 };

/* How an interface is configured; zero (or OPT_DEFAULT) means "the default
 * for this interface type", resolved by engine_if_defaults(). */
struct if_config {
	enum if_type type;
	uint32_t hello_interval_ms;
	uint32_t update_interval_ms;
	uint16_t rxcost;
	enum opt_bool split_horizon;
	enum opt_bool unicast;            /* send updates unicast to each neighbour */
	enum opt_bool link_quality;       /* fold in the external link-quality hint */
	enum opt_bool enable_timestamps;  /* RFC 9616 */
	uint32_t rtt_min_ms;
	uint32_t rtt_max_ms;
	uint16_t max_rtt_penalty;
	enum opt_bool v4_via_v6;          /* RFC 9229 */
	uint16_t mtu;                     /* largest Babel packet (UDP payload) to send */
	uint32_t rate_bytes_per_s;        /* pacing of bulk output (full dumps) */
	bool out_default_deny;            /* no `out` rule matched: deny (set for ax25:
					   * nothing crosses the radio unless allowed) */
};

/* Fills in every defaulted field of c for its type. */
void engine_if_defaults(struct if_config *c);

struct engine_config {
	uint8_t router_id[8];
	uint16_t seqno;                 /* starting seqno (from the state file) */
	uint32_t smoothing_half_life_ms; /* 0: babeld's default, 4 s */
	bool smoothing_off;             /* no smoothing at all */
	uint32_t hysteresis;            /* extra metric margin for switching routes (A.3) */
	const struct filter_set *filters; /* may be NULL: babeld's defaults; copied */
};

/* A change for the kernel edge.  Batched: route_change() receives arrays. */
enum fib_op { FIB_ADD, FIB_REPLACE, FIB_REMOVE };

struct fib_change {
	enum fib_op op;
	struct route_key key;       /* destination and source prefixes */
	uint32_t ifindex;
	struct link_addr nexthop;   /* IPv6 link-local (v4-via-v6 for IPv4, RFC 9229),
				     * or IPv4-mapped ::ffff:a.b.c.d when a neighbour
				     * named an IPv4 next hop (AE 1) */
	uint16_t metric;
};

enum engine_event_kind {
	EV_NEIGHBOUR_ADD,
	EV_NEIGHBOUR_CHANGE,
	EV_NEIGHBOUR_FLUSH,
	EV_ROUTE_ADD,
	EV_ROUTE_CHANGE,
	EV_ROUTE_FLUSH,
	EV_XROUTE_ADD,
	EV_XROUTE_FLUSH,
	EV_SEQNO_CHANGE,            /* persist it: the state file */
};

struct engine_event {
	enum engine_event_kind kind;
	const void *object;         /* the neighbour, route or xroute concerned */
};

struct engine_ops {
	/* to == NULL: the interface's multicast group ff02::1:6. */
	void (*send)(void *ctx, uint32_t ifindex, const struct link_addr *to,
		     const uint8_t *buf, size_t len);
	void (*route_change)(void *ctx, const struct fib_change *changes, size_t n);
	void (*notify)(void *ctx, const struct engine_event *ev);
};

struct engine *engine_new(const struct engine_config *cfg, const struct engine_ops *ops,
			  void *ctx, uint64_t now_ms, uint64_t seed);
void engine_free(struct engine *e);

/* Interfaces: up with its link-local address, down, or reconfigured in place. */
int engine_interface_up(struct engine *e, uint32_t ifindex, const char *name,
			const struct if_config *cfg, const struct link_addr *ll, uint64_t now_ms);
void engine_interface_down(struct engine *e, uint32_t ifindex, uint64_t now_ms);
/* An IPv4 address of an interface that is up (NULL: it has none).  With
 * one, IPv4 routes go out on it with that address as their next hop (AE 1),
 * as babeld does, so that peers without RFC 9229 (BIRD 2.0) can use them;
 * without one, through our IPv6 address (v4-via-v6) when enabled. */
void engine_interface_ipv4(struct engine *e, uint32_t ifindex, const uint8_t *addr,
			   uint64_t now_ms);

/* A received Babel packet (UDP payload) from a link-local source. */
void engine_receive(struct engine *e, uint32_t ifindex, const struct link_addr *from,
		    bool to_multicast, const uint8_t *pkt, size_t len, uint64_t now_ms);

/* Local routes to export (addresses and import-table routes), subject to
 * the redistribute filters; metric is the kernel route's metric. */
void engine_kernel_route(struct engine *e, const struct route_key *key, uint32_t ifindex,
			 uint32_t table, uint32_t kmetric, uint8_t kproto, bool present,
			 uint64_t now_ms);

/* An external link-quality hint for one neighbour (nl80211), 0..255,
 * 255 = perfect. */
void engine_link_quality(struct engine *e, uint32_t ifindex, const struct link_addr *nbr,
			 uint8_t quality, uint64_t now_ms);

/* Runs whatever is due and returns the next deadline (absolute ms). */
uint64_t engine_run(struct engine *e, uint64_t now_ms);

/* Graceful stop: retracts our routes on every interface and removes the
 * installed routes (through route_change). */
void engine_shutdown(struct engine *e, uint64_t now_ms);

/* ------------------------------------------------------------------
 * Configuration changes at run time (reload), applied in place: whatever a
 * change does not concern is left alone (no neighbour dropped, no route
 * removed and installed again).  An interface's parameters change through
 * engine_interface_up() on the same ifindex. */

/* Replaces the filters with a copy of FS and applies the difference:
 * routes held are judged again by the in rules (and the neighbours asked
 * for their tables, which bring back what the old rules refused), selected
 * routes by the install rules, announcements by the out rules (an update
 * or a retraction where they change), xroutes by the redistribute rules.
 * Returns the kinds that changed as bits (1u << FILTER_IN, ...), or -1 when
 * out of memory, with nothing changed.  When FILTER_REDISTRIBUTE changed the
 * caller offers every kernel route again (engine_kernel_route, present):
 * the engine does not keep those the old rules refused. */
int engine_set_filters(struct engine *e, const struct filter_set *fs, uint64_t now_ms);

/* Route selection parameters (as in engine_config): smoothing half-life
 * (0: the default; smoothing_off: none) and hysteresis. */
void engine_set_selection(struct engine *e, uint32_t smoothing_half_life_ms, bool smoothing_off,
			  uint32_t hysteresis, uint64_t now_ms);

/* Our current seqno (to persist in the state file on EV_SEQNO_CHANGE). */
uint16_t engine_seqno(const struct engine *e);

/* ------------------------------------------------------------------
 * Read-only views for the control socket.  Each visitor calls fn once per
 * object with a snapshot valid during the call only; fn must not call back
 * into the engine.  Ids are stable for an object's life and never reused. */

/* Why the engine dropped a whole received packet. */
enum engine_drop {
	ENGINE_DROP_UNKNOWN_INTERFACE, /* not an interface the engine runs on */
	ENGINE_DROP_NOT_LINK_LOCAL,    /* RFC 8966 4.1: the source must be link-local */
	ENGINE_DROP_MALFORMED,         /* header: short, bad magic, body past the end */
	ENGINE_DROP_BAD_VERSION,       /* another Babel version (RFC 8966 4.2) */
	ENGINE_DROP_BROKEN_TLV,        /* a TLV ran past the body: framing lost */
	ENGINE_DROP_NO_MEMORY,         /* no room for a new neighbour */
	ENGINE_DROP_COUNT
};
/* "unknown_interface", "not_link_local", ...: Prometheus label values. */
const char *engine_drop_name(enum engine_drop d);

/* TLV counters have one slot per type below ENGINE_TLV_OTHER (every type
 * RFC 8966 and 8967 define) and one for all the others, so that a peer
 * sending junk types cannot grow anything. */
#define ENGINE_TLV_OTHER 20
#define ENGINE_TLV_SLOTS (ENGINE_TLV_OTHER + 1)
static inline unsigned engine_tlv_slot(uint8_t type)
{
	return type < ENGINE_TLV_OTHER ? type : ENGINE_TLV_OTHER;
}
/* "hello", "update", ... for a slot; NULL for unassigned types and for
 * ENGINE_TLV_OTHER (reported together as "unknown"). */
const char *engine_tlv_name(unsigned slot);

/* Per-interface traffic.  Received TLVs are counted whether or not they
 * were then used (malformed and ignored ones included); sent TLVs are
 * those of every packet handed to ops.send. */
struct engine_if_counters {
	uint64_t packets_in, packets_out;
	uint64_t bytes_in, bytes_out;
	uint64_t drops[ENGINE_DROP_COUNT]; /* never UNKNOWN_INTERFACE: see engine_stats */
	uint64_t tlvs_in[ENGINE_TLV_SLOTS], tlvs_out[ENGINE_TLV_SLOTS];
	uint64_t tlvs_malformed, tlvs_ignored;
};

struct engine_if_info {
	uint64_t id;
	uint32_t ifindex;
	const char *name;
	struct if_config cfg;       /* with defaults resolved */
	struct link_addr ll;
	uint16_t hello_seqno;
	size_t neighbours;
	const struct engine_if_counters *counters;
};

struct engine_neighbour_info {
	uint64_t id;
	uint32_t ifindex;
	const char *ifname;
	struct link_addr addr;
	uint16_t mcast_history;     /* bit 0 = most recent interval */
	uint8_t mcast_history_len;
	uint16_t ucast_history;
	uint8_t ucast_history_len;
	uint16_t mcast_hello_interval_cs;
	uint16_t ucast_hello_interval_cs;
	uint16_t rxcost;            /* what we send in our IHUs */
	uint16_t txcost;            /* from its IHUs, INF when expired */
	uint16_t cost;              /* the link cost used in metrics */
	bool rtt_valid;
	uint32_t rtt_us;            /* smoothed RTT (RFC 9616) */
	uint32_t link_hint;         /* 256 = neutral */
	size_t routes;
};

struct engine_route_info {
	uint64_t id;
	struct route_key key;
	uint8_t router_id[8];
	uint16_t seqno;
	uint16_t refmetric;         /* as advertised by the neighbour */
	uint16_t metric;            /* refmetric + link cost (+ in filter) */
	uint16_t smoothed_metric;
	bool feasible;
	bool selected;
	bool installed;
	uint64_t age_ms;            /* since the last update for it */
	struct link_addr nexthop;
	struct link_addr neighbour;
	uint32_t ifindex;
	const char *ifname;
};

struct engine_xroute_info {
	struct route_key key;
	uint16_t metric;
	uint32_t ifindex;
	uint8_t kproto;
	bool local;
};

struct engine_source_info {
	struct route_key key;
	uint8_t router_id[8];
	uint16_t seqno;             /* feasibility distance */
	uint16_t metric;
	uint64_t gc_in_ms;          /* time left before it is forgotten */
};

typedef void engine_if_fn(void *arg, const struct engine_if_info *i);
typedef void engine_neighbour_fn(void *arg, const struct engine_neighbour_info *n);
typedef void engine_route_fn(void *arg, const struct engine_route_info *r);
typedef void engine_xroute_fn(void *arg, const struct engine_xroute_info *x);
typedef void engine_source_fn(void *arg, const struct engine_source_info *s);

void engine_foreach_interface(const struct engine *e, engine_if_fn *fn, void *arg);
void engine_foreach_neighbour(const struct engine *e, uint64_t now_ms, engine_neighbour_fn *fn,
			      void *arg);
void engine_foreach_route(const struct engine *e, uint64_t now_ms, engine_route_fn *fn, void *arg);
void engine_foreach_xroute(const struct engine *e, engine_xroute_fn *fn, void *arg);
void engine_foreach_source(const struct engine *e, uint64_t now_ms, engine_source_fn *fn, void *arg);

/* The neighbour a neighbour event (EV_NEIGHBOUR_*) is about, as a snapshot
 * valid during the notify call; false for other events. */
bool engine_event_neighbour(const struct engine_event *ev, struct engine_neighbour_info *out);

/* Counters (RFC 9046 spirit), for tests and metrics. */
struct engine_stats {
	uint64_t packets_in, packets_out, packets_dropped;
	uint64_t bytes_out;
	uint64_t tlvs_malformed, tlvs_ignored;
	uint64_t updates_in, updates_unfeasible, updates_filtered;
	uint64_t seqno_requests_forwarded, seqno_requests_suppressed;
	uint64_t acks_resent, acks_given_up;
	uint64_t fib_changes;
	uint64_t bytes_in;
	uint64_t drops[ENGINE_DROP_COUNT]; /* packets_dropped by reason */
};
void engine_get_stats(const struct engine *e, struct engine_stats *out);

#endif
