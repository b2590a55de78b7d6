/* The engine's internal state, shared by its files (never by anyone else).
 *
 * Files of the engine, one concern each:
 *   engine.c     glue: creation, interfaces up/down, timers, output of fib
 *                changes and events, read-only views
 *   interface.c  per-type defaults, Hello/IHU scheduling
 *   outbuf.c     per-interface and per-neighbour output packets
 *   neighbour.c  neighbours, Hello histories, IHUs, link costs, expiry
 *   source.c     source table, feasibility distances, GC
 *   route.c      route table, selection, fib changes
 *   xroute.c     exported routes
 *   update.c     sending updates: triggered, periodic (paced), retractions
 *   request.c    route and seqno requests, forwarding, resending
 *   ack.c        Ack Requests on urgent unicast messages
 *   receive.c    decoding and applying a packet
 *   filter.c     the four filter kinds
 */
#ifndef MAILLE_CORE_ENGINE_INTERNAL_H
#define MAILLE_CORE_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/babel.h"
#include "src/core/engine.h"
#include "src/core/filter.h"
#include "src/core/hashmap.h"
#include "src/core/hello_history.h"
#include "src/core/link_cost.h"
#include "src/core/list.h"
#include "src/core/prefix.h"
#include "src/core/random.h"
#include "src/core/smoothing.h"
#include "src/core/timer_heap.h"

#define INF 0xFFFFu

/* RFC 8966 Appendix B. */
#define SOURCE_GC_MS (3u * 60u * 1000u)
#define REQUEST_TIMEOUT_MS 2000u       /* doubled at each resend */
#define REQUEST_RESENDS 3u
#define URGENT_MS 200u                 /* "urgent timeout" */
#define SEQNO_REQUEST_HOPS 64u         /* hop count of the requests we originate */
#define ACK_RESENDS 3u
#define ACK_INTERVAL_CS 50u            /* 0.5 s to answer an Ack Request */
/* Extra cost of a radio link, added to its ETX: high enough that fibre and
 * Wi-Fi always win (a Wi-Fi ETX stays well below it). */
#define AX25_BASE_COST 4096u
#define DUMP_TICK_MS 20u               /* pacing granularity of bulk output */

struct engine;
struct etimer;
typedef void etimer_fn(struct engine *e, struct etimer *t);

/* A heap timer with its handler. */
struct etimer {
	struct timer t;
	etimer_fn *fire;
};

/* A packet being filled for one destination. */
struct outbuf {
	uint8_t *buf;
	size_t cap;
	struct babel_pkt pkt;
	bool open;
	uint32_t serial;      /* counts the packets opened */
	struct etimer flush;  /* when the packet goes out */
	struct iface *ifp;
	struct neighbour *nb; /* NULL: multicast */
};

struct iface {
	struct list_node link;
	uint64_t id;
	uint32_t ifindex;
	char name[32];
	struct if_config cfg;
	struct link_addr ll;
	bool down;               /* being torn down: nothing is selected through it */
	bool has_v4;             /* an IPv4 address: AE 1 next hop */
	uint8_t v4[4];
	uint16_t hello_seqno;
	unsigned hello_count;
	uint64_t hello_sent_at;  /* last multicast Hello */
	struct etimer hello_timer;
	struct etimer update_timer;
	struct outbuf mcast;
	struct list_node neighbours;
	struct link_cost_params lc;
	/* a paced full dump in progress */
	struct route_key *dump;
	size_t dump_len, dump_pos;
	int64_t dump_credit;     /* milli-octets we may still send now */
	uint64_t dump_credit_at;
	struct etimer dump_timer;
	struct engine_if_counters cnt;
};

struct neighbour {
	struct list_node link; /* in iface->neighbours */
	uint64_t id;
	struct iface *ifp;
	struct link_addr addr;
	struct hello_history mh, uh;
	uint16_t mh_interval, uh_interval; /* cs, as last heard */
	struct etimer mh_timer, uh_timer;
	uint16_t txcost;
	struct etimer ihu_timer;           /* IHU hold time */
	uint16_t rxcost, cost;             /* cached */
	/* scheduled unicast Hellos we send to it */
	uint16_t uhello_seqno;
	struct etimer uhello_timer;
	/* RFC 9616 */
	bool hello_ts_valid;
	uint32_t hello_ts;                 /* its transmit timestamp, last Hello */
	uint32_t hello_rx_us;              /* our clock when that Hello arrived */
	bool rtt_valid;
	uint32_t rtt_us;
	uint64_t rtt_at_ms;
	uint32_t hint;                     /* link-quality factor, 256 neutral */
	struct outbuf ubuf;
	/* The last IHU we queued, so that the same one is not put twice in a
	 * packet (a first Hello both makes the link reachable and is a new
	 * neighbour: two reasons, one IHU). */
	const struct outbuf *ihu_out;
	uint32_t ihu_serial;
	struct babel_ihu ihu_last;
	struct list_node routes;           /* struct route.nlink */
	bool dead;
	bool asked_table;                  /* its table requested once usable */
};

struct source {
	struct hashmap_node h;
	struct route_key key;
	uint8_t rid[8];
	uint16_t seqno, metric;
	struct etimer gc;
};

struct dest;

/* One per (destination, neighbour): there are as many as routes in the
 * table, so the fields are ordered to leave no holes (136 octets). */
struct route {
	struct list_node dlink;  /* in dest->routes */
	struct list_node nlink;  /* in neighbour->routes */
	uint64_t id;
	struct dest *d;
	struct neighbour *nb;
	uint8_t rid[8];
	uint16_t seqno;
	uint16_t refmetric;
	uint16_t in_add;         /* from the in filter */
	uint16_t metric;
	uint16_t interval_cs;
	bool expired_once;       /* retracted by expiry; next expiry flushes */
	uint32_t updated_ms;     /* e->now modulo 2^32: for its age (< 49 days) */
	struct smoothed_metric sm;
	struct link_addr nexthop;
	struct etimer expiry;
};

/* Everything known for one prefix (dst, src). One per route in the
 * table: 120 octets, no holes; what only some have waiting (a triggered
 * update, a reselection) sits in the engine's queues, not here. */
struct dest {
	struct hashmap_node h;
	struct route_key key;
	/* what the kernel has from us */
	uint32_t fib_if;
	struct list_node routes;
	struct route *selected;
	struct xroute *xr;
	struct link_addr fib_nh;
	uint8_t ann_rid[8];      /* last announced */
	uint16_t ann_seqno, ann_metric;
	uint16_t fib_metric;
	bool fib_installed : 1;
	bool pending : 1;        /* in e->pending */
	bool pending_urgent : 1;
	bool reselect : 1;       /* in e->reselect */
	bool announced : 1;
};

/* Destinations waiting for something, first in first out: every entry of a
 * queue is due a fixed time after it was queued, so the order of the
 * queue is that of the deadlines. */
struct dest_queue {
	struct dq_entry {
		struct dest *d;
		uint64_t at;
	} *v;
	size_t head, n, cap;
};

struct xroute {
	struct route_key key;
	struct route_key kkey;   /* the kernel's key (key may have a source
				  * prefix a redistribute rule added) */
	uint16_t metric;
	uint32_t ifindex;
	uint8_t kproto;
	bool local;
	struct dest *d;
};

/* A seqno request we sent or forwarded and are waiting on (RFC 8966 3.8.1.2). */
struct pending_req {
	struct hashmap_node h;
	struct route_key key;
	uint8_t rid[8];
	uint16_t seqno;
	uint8_t hop_count;
	struct neighbour *via;   /* NULL: multicast on every interface */
	struct neighbour *from;  /* who asked us, NULL: our own */
	unsigned resends;
	uint32_t timeout_ms;
	struct etimer timer;
};

/* An urgent unicast packet waiting for its Ack (RFC 8966 3.3). */
struct pending_ack {
	struct list_node link;
	struct neighbour *nb;
	uint16_t opaque;
	struct route_key *keys;
	size_t nkeys;
	size_t maxkeys;
	unsigned resends;
	bool sent;
	struct etimer timer;
};

struct engine {
	struct engine_config cfg;  /* cfg.filters points to filters below */
	struct filter_set filters; /* our own copy: the caller's may go (reload) */
	struct engine_ops ops;
	void *ctx;
	struct rng rng;
	uint64_t hseed;
	uint64_t now;
	uint64_t next_id;
	struct timer_heap timers;
	struct list_node ifaces;
	struct hashmap dests;
	struct hashmap sources;
	struct hashmap reqs;
	struct list_node acks;
	struct dest_queue pending; /* dests with a triggered update to send */
	struct etimer pending_timer;
	struct dest_queue reselect; /* dests to select again (smoothing) */
	struct etimer reselect_timer;
	uint16_t seqno;
	uint16_t ack_opaque;
	uint32_t half_life;
	struct fib_change *fib;
	size_t nfib, capfib;
	struct engine_stats st;
	bool shutting_down;
};

/* ---- engine.c */
void etimer_init(struct etimer *t, etimer_fn *fn);
void etimer_at(struct engine *e, struct etimer *t, uint64_t deadline);
void etimer_before(struct engine *e, struct etimer *t, uint64_t deadline);
void etimer_cancel(struct engine *e, struct etimer *t);
void engine_notify(struct engine *e, enum engine_event_kind k, const void *obj);
void engine_fib(struct engine *e, const struct fib_change *c);
void engine_flush_fib(struct engine *e);
struct iface *iface_find(const struct engine *e, uint32_t ifindex);
uint64_t engine_new_id(struct engine *e);
bool dq_push(struct dest_queue *q, struct dest *d, uint64_t at);
static inline bool dq_empty(const struct dest_queue *q)
{
	return q->head == q->n;
}
static inline struct dq_entry *dq_front(struct dest_queue *q)
{
	return &q->v[q->head];
}
static inline void dq_pop(struct dest_queue *q)
{
	if (++q->head == q->n)
		q->head = q->n = 0;
}
uint32_t engine_now_us(const struct engine *e);
void link_from_babel(struct link_addr *l, const struct babel_addr *a);
void babel_from_link(struct babel_addr *a, const struct link_addr *l);
void key_from_babel(struct route_key *k, const struct babel_prefix *p, bool has_src,
		    const struct babel_prefix *src);
void babel_from_prefix(struct babel_prefix *b, const struct prefix *p);

/* ---- interface.c */
void iface_start(struct engine *e, struct iface *ifp);
void iface_stop(struct engine *e, struct iface *ifp);
uint16_t iface_ihu_interval_cs(const struct iface *ifp);
/* A new neighbour needs two of our Hellos to count us as reachable (k out
 * of j): the next one goes soon, at most one early Hello per quarter
 * interval. */
void iface_hello_soon(struct engine *e, struct iface *ifp);
/* The interval of the Hello sent on shutdown, in centiseconds. */
#define IFACE_FAREWELL_HELLO_CS 10
void iface_put_farewell_hello(struct engine *e, struct iface *ifp);

/* ---- outbuf.c */
void outbuf_init(struct outbuf *o, struct iface *ifp, struct neighbour *nb);
void outbuf_free(struct engine *e, struct outbuf *o);
/* Makes sure a packet is open; sends the current one first if it has less
 * than need octets of room. */
void outbuf_prepare(struct engine *e, struct outbuf *o);
/* Runs put on the packet; on FULL sends it and retries in a fresh one. */
typedef enum babel_put (*outbuf_put_fn)(struct babel_pkt *p, const void *arg);
bool outbuf_put(struct engine *e, struct outbuf *o, outbuf_put_fn put, const void *arg);
void outbuf_flush_at(struct engine *e, struct outbuf *o, uint64_t deadline);
void outbuf_send_now(struct engine *e, struct outbuf *o);
enum babel_put put_hello(struct babel_pkt *p, const void *arg);
enum babel_put put_ihu(struct babel_pkt *p, const void *arg);
enum babel_put put_update(struct babel_pkt *p, const void *arg);
enum babel_put put_route_req(struct babel_pkt *p, const void *arg);
enum babel_put put_seqno_req(struct babel_pkt *p, const void *arg);
enum babel_put put_ack(struct babel_pkt *p, const void *arg);
enum babel_put put_ack_req(struct babel_pkt *p, const void *arg);

/* ---- neighbour.c */
struct neighbour *neighbour_find(struct iface *ifp, const struct link_addr *a);
struct neighbour *neighbour_get(struct engine *e, struct iface *ifp, const struct link_addr *a);
void neighbour_flush(struct engine *e, struct neighbour *nb);
void neighbour_hello(struct engine *e, struct neighbour *nb, const struct babel_hello *h,
		     bool pkt_unicast);
void neighbour_ihu(struct engine *e, struct neighbour *nb, const struct babel_ihu *ihu,
		   bool pkt_has_ts, uint32_t pkt_ts);
void neighbour_update_cost(struct engine *e, struct neighbour *nb);
void neighbour_send_ihu(struct engine *e, struct neighbour *nb, struct outbuf *o);
void neighbour_start_unicast_hellos(struct engine *e, struct neighbour *nb);

/* ---- source.c */
struct source *source_find(struct engine *e, const struct route_key *k, const uint8_t rid[8]);
/* RFC 8966 3.5.1 */
bool source_feasible(struct engine *e, const struct route_key *k, const uint8_t rid[8],
		     uint16_t seqno, uint16_t metric);
/* RFC 8966 3.7.3: before sending a non-retraction update. */
void source_note_sent(struct engine *e, const struct route_key *k, const uint8_t rid[8],
		      uint16_t seqno, uint16_t metric);
void source_free_all(struct engine *e);
int seqno_compare(uint16_t a, uint16_t b);

/* ---- route.c */
struct dest *dest_find(struct engine *e, const struct route_key *k);
struct dest *dest_get(struct engine *e, const struct route_key *k);
void dest_maybe_free(struct engine *e, struct dest *d);
void route_receive_update(struct engine *e, struct neighbour *nb, const struct babel_update *u,
			  const struct link_addr *nexthop);
void route_neighbour_cost_changed(struct engine *e, struct neighbour *nb);
void route_flush_neighbour(struct engine *e, struct neighbour *nb);
void dest_select(struct engine *e, struct dest *d);
bool route_feasible(struct engine *e, const struct route *r);
void dest_update_fib(struct engine *e, struct dest *d);
void route_free_all(struct engine *e);
void route_reselect_fire(struct engine *e, struct etimer *t);
/* New filters (reconfigure.c): the in rules applied again to every route
 * held; the install rules to every selected route. */
void route_refilter_in(struct engine *e);
void route_refilter_install(struct engine *e);

/* ---- xroute.c */
void xroute_set(struct engine *e, const struct route_key *k, uint32_t ifindex, uint8_t kproto,
		bool local, uint32_t kmetric, bool present);
void xroute_free_all(struct engine *e);
/* New redistribute rules: every xroute judged again from its kernel key. */
void xroute_refilter(struct engine *e);

/* ---- update.c */
/* What we announce for d now: false if nothing to say. */
bool update_for_dest(struct engine *e, struct dest *d, struct iface *ifp, bool full_dump,
		     struct babel_update *u);
void update_trigger(struct engine *e, struct dest *d, bool urgent);
/* New out rules (OLD the previous ones): a triggered update for every
 * destination whose announcement changes on some interface. */
void update_refilter_out(struct engine *e, const struct filter_set *old);
void update_send_dest(struct engine *e, struct iface *ifp, struct neighbour *to,
		      struct dest *d, bool full_dump);
void update_start_dump(struct engine *e, struct iface *ifp);
void update_pending_fire(struct engine *e, struct etimer *t);
void update_iface_timer(struct engine *e, struct etimer *t);
void update_dump_timer(struct engine *e, struct etimer *t);
void update_send_retraction_key(struct engine *e, struct iface *ifp, struct neighbour *to,
				const struct route_key *k);

/* ---- request.c */
void request_route(struct engine *e, struct neighbour *nb, const struct babel_route_req *r,
		   bool pkt_unicast);
void request_seqno_received(struct engine *e, struct neighbour *nb,
			    const struct babel_seqno_req *r);
void request_seqno_send(struct engine *e, struct dest *d, const uint8_t rid[8], uint16_t seqno,
			struct neighbour *via, struct neighbour *from, uint8_t hops);
void request_update_received(struct engine *e, struct dest *d, const uint8_t rid[8],
			     uint16_t seqno);
void request_forget_neighbour(struct engine *e, struct neighbour *nb);
void request_free_all(struct engine *e);

/* ---- ack.c */
void ack_send_urgent(struct engine *e, struct neighbour *nb, struct dest *d);
void ack_received(struct engine *e, struct neighbour *nb, uint16_t opaque);
void ack_request_received(struct engine *e, struct neighbour *nb, const struct babel_ack_req *a);
void ack_forget_neighbour(struct engine *e, struct neighbour *nb);
void ack_free_all(struct engine *e);

/* ---- receive.c */
void receive_packet(struct engine *e, struct iface *ifp, const struct link_addr *from,
		    bool to_multicast, const uint8_t *pkt, size_t len);
/* Counts a dropped packet (ifp NULL: no interface to charge it to). */
void receive_drop(struct engine *e, struct iface *ifp, enum engine_drop why);

#endif
