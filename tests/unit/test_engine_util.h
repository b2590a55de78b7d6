/* Test harness for the engine: captures what it sends and what it asks of
 * the kernel, builds packets with the codec's encoder, and drives a fake
 * clock. */
#ifndef MAILLE_TEST_ENGINE_UTIL_H
#define MAILLE_TEST_ENGINE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/babel.h"
#include "src/core/engine.h"

#define H_MAX_SENT 4096
#define H_MAX_FIB 4096

struct h_sent {
	uint64_t at;
	uint32_t ifindex;
	bool multicast;
	struct link_addr to;
	uint8_t *buf;
	size_t len;
};

struct harness {
	struct engine *e;
	uint64_t now;
	struct h_sent sent[H_MAX_SENT];
	size_t nsent;
	struct fib_change fib[H_MAX_FIB];
	size_t nfib;
	size_t fib_batches;
	size_t seqno_events;
};

extern const struct engine_ops h_ops;

/* Router-id 0102030405060708, now = 1000000 ms. */
void h_init(struct harness *h, uint64_t seed, const struct engine_config *cfg);
void h_free(struct harness *h);
void h_clear(struct harness *h);
/* Runs the engine until t (every deadline in between). */
void h_run_until(struct harness *h, uint64_t t);
void h_advance(struct harness *h, uint64_t ms);
void h_if_up(struct harness *h, uint32_t ifindex, enum if_type type);
void h_if_up_cfg(struct harness *h, uint32_t ifindex, struct if_config *c);

/* fe80::N */
struct link_addr h_ll(uint8_t n);
/* Our own address on ifindex i: fe80::100+i */
struct link_addr h_our_ll(uint32_t ifindex);

/* Packet building. */
struct h_pkt {
	uint8_t buf[1500];
	struct babel_pkt p;
};
void hp_init(struct h_pkt *p);
void hp_hello(struct h_pkt *p, uint16_t seqno, uint16_t interval_cs, bool unicast);
void hp_hello_ts(struct h_pkt *p, uint16_t seqno, uint16_t interval_cs, uint32_t ts);
void hp_ihu(struct h_pkt *p, uint16_t rxcost, uint16_t interval_cs, const struct link_addr *to);
void hp_ihu_ts(struct h_pkt *p, uint16_t rxcost, uint16_t interval_cs, const struct link_addr *to,
	       uint32_t origin, uint32_t receive);
/* An update for "2001:db8:X::/48" (or any text prefix) */
void hp_update(struct h_pkt *p, const char *prefix, const char *src, uint16_t seqno,
	       uint16_t metric, const uint8_t rid[8], uint16_t interval_cs);
void hp_seqno_req(struct h_pkt *p, const char *prefix, uint16_t seqno, uint8_t hops,
		  const uint8_t rid[8]);
void hp_route_req(struct h_pkt *p, const char *prefix); /* NULL: wildcard */
void hp_ack_req(struct h_pkt *p, uint16_t opaque, uint16_t interval);
void hp_ack(struct h_pkt *p, uint16_t opaque);
/* Feeds the packet to the engine from neighbour fe80::n on ifindex. */
void hp_send(struct harness *h, struct h_pkt *p, uint32_t ifindex, uint8_t n, bool multicast);

/* A neighbour fe80::n on ifindex that says Hello (seqno) and IHU(rxcost). */
void h_neighbour_hello(struct harness *h, uint32_t ifindex, uint8_t n, uint16_t seqno,
		       uint16_t rxcost);

/* Looking at output: calls fn for each decoded TLV of every sent packet
 * from index `from`; returns how many TLVs of type were seen. */
typedef void h_tlv_fn(void *arg, const struct h_sent *s, const struct babel_tlv *t);
size_t h_scan(struct harness *h, size_t from, uint8_t type, h_tlv_fn *fn, void *arg);
/* The last update sent for prefix (text) since index from: true if found. */
bool h_last_update(struct harness *h, size_t from, const char *prefix, struct babel_update *out);
/* Neighbour snapshot for fe80::n, false if none. */
bool h_neighbour(struct harness *h, uint8_t n, struct engine_neighbour_info *out);
/* Selected route for prefix: false if none. */
bool h_selected(struct harness *h, const char *prefix, struct engine_route_info *out);
size_t h_route_count(struct harness *h);
size_t h_source_count(struct harness *h);
bool h_source(struct harness *h, const char *prefix, struct engine_source_info *out);

void h_key(struct route_key *k, const char *prefix, const char *src);

extern const uint8_t RID_A[8], RID_B[8], RID_C[8], RID_SELF[8];

#endif
