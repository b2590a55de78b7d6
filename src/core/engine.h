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
};

/* Fills in every defaulted field of c for its type. */
void engine_if_defaults(struct if_config *c);

struct engine_config {
	uint8_t router_id[8];
	uint16_t seqno;                 /* starting seqno (from the state file) */
	uint32_t smoothing_half_life_ms;
	uint32_t hysteresis;            /* metric margin for switching routes */
	const struct filter_set *filters; /* may be NULL: babeld's defaults */
};

/* A change for the kernel edge.  Batched: route_change() receives arrays. */
enum fib_op { FIB_ADD, FIB_REPLACE, FIB_REMOVE };

struct fib_change {
	enum fib_op op;
	struct route_key key;       /* destination and source prefixes */
	uint32_t ifindex;
	struct link_addr nexthop;   /* always IPv6 link-local (v4-via-v6 for IPv4) */
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

#endif
