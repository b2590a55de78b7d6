/* How fast the Babel decoder takes in full update packets.
 *
 * Builds packets the size a 1500-octet MTU allows (1452 octets of UDP
 * payload) holding what a full table dump looks like: IPv6 /48../64 and
 * IPv4 /24../32 routes of several routers in order, so the encoder
 * compresses them as a real sender would, with Router-Id and Next Hop
 * changes between routers.  Then decodes them, TLV by TLV with the parser
 * state, for about two seconds and prints packets/s and TLVs/s.
 *
 * Usage: bench_babel_decode [seconds] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/babel.h"
#include "tests/lib/rng.h"

enum { PACKETS = 256, PAYLOAD = 1500 - 40 - 8, ROUTERS = 8 };

struct corpus {
	uint8_t pkt[PACKETS][PAYLOAD];
	size_t len[PACKETS];
	size_t body, routes;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The n-th route of a router: IPv6 subnets of its /32, or IPv4 ones of
 * its /16, growing in order as a table dump walks them. */
static struct babel_update route(struct test_rng *rng, int router, unsigned n)
{
	struct babel_update u = { .interval = 400, .has_router_id = true, .has_next_hop = true };
	u.seqno = (uint16_t)(1000 + router);
	u.metric = (uint16_t)(96 + test_rng_below(rng, 1000));
	memset(u.router_id, 0, 8);
	u.router_id[0] = 0x02;
	u.router_id[7] = (uint8_t)(router + 1);
	if (n % 3 != 2) {
		u.ae = BABEL_AE_IPV6;
		u.prefix.af = BABEL_AF_IPV6;
		u.prefix.plen = (uint8_t)(48 + test_rng_below(rng, 17));
		const uint8_t base[4] = { 0x20, 0x01, 0x0d, (uint8_t)(0xb8 + router) };
		memcpy(u.prefix.bytes, base, 4);
		u.prefix.bytes[4] = (uint8_t)(n >> 8);
		u.prefix.bytes[5] = (uint8_t)n;
		u.prefix.bytes[6] = (uint8_t)test_rng_below(rng, 256);
		u.prefix.bytes[7] = (uint8_t)test_rng_below(rng, 256);
		u.next_hop.af = BABEL_AF_IPV6;
		u.next_hop.bytes[0] = 0xfe;
		u.next_hop.bytes[1] = 0x80;
		u.next_hop.bytes[15] = (uint8_t)(router % 3 + 1);
	} else {
		u.ae = router % 2 ? BABEL_AE_V4_VIA_V6 : BABEL_AE_IPV4;
		u.prefix.af = BABEL_AF_IPV4;
		u.prefix.plen = (uint8_t)(24 + test_rng_below(rng, 9));
		u.prefix.bytes[0] = 10;
		u.prefix.bytes[1] = (uint8_t)router;
		u.prefix.bytes[2] = (uint8_t)(n / 3);
		u.prefix.bytes[3] = (uint8_t)test_rng_below(rng, 256);
		if (u.ae == BABEL_AE_V4_VIA_V6) {
			u.next_hop.af = BABEL_AF_IPV6;
			u.next_hop.bytes[0] = 0xfe;
			u.next_hop.bytes[1] = 0x80;
			u.next_hop.bytes[15] = (uint8_t)(router % 3 + 1);
		} else {
			u.next_hop.af = BABEL_AF_IPV4;
			u.next_hop.bytes[0] = 192;
			u.next_hop.bytes[1] = 0;
			u.next_hop.bytes[2] = 2;
			u.next_hop.bytes[3] = (uint8_t)(router % 3 + 1);
		}
	}
	babel_prefix_mask(&u.prefix);
	return u;
}

static int build(struct corpus *c)
{
	struct test_rng rng = { 1500 };
	int router = 0;
	unsigned n = 0;
	struct babel_update u = route(&rng, router, n);
	memset(c->len, 0, sizeof c->len);
	c->body = c->routes = 0;
	for (int i = 0; i < PACKETS; i++) {
		struct babel_pkt p;
		babel_pkt_init(&p, c->pkt[i], PAYLOAD, 0);
		enum babel_put r;
		while ((r = babel_put_update(&p, &u)) == BABEL_PUT_OK) {
			c->routes++;
			if (++n == 40) { /* the next router's routes */
				n = 0;
				router = (router + 1) % ROUTERS;
			}
			u = route(&rng, router, n);
		}
		if (r != BABEL_PUT_FULL || babel_pkt_empty(&p))
			return -1;
		c->len[i] = babel_pkt_len(&p);
		c->body += babel_pkt_finish(&p) - BABEL_HEADER_LEN;
	}
	return 0;
}

/* Decodes one packet; returns TLVs decoded, adds to *sum so the work
 * cannot be optimised away. */
static size_t decode(const uint8_t *pkt, size_t len, uint64_t *sum)
{
	struct babel_packet pk;
	struct babel_iter it;
	struct babel_tlv t;
	enum babel_result r;
	size_t n = 0;
	if (babel_packet_split(pkt, len, &pk) != BABEL_OK)
		return 0;
	babel_iter_body(&it, &pk);
	while ((r = babel_iter_next(&it, &t)) != BABEL_END) {
		if (r != BABEL_OK)
			return 0;
		if (t.type == BABEL_TLV_UPDATE)
			*sum += t.update.metric + t.update.prefix.bytes[3];
		n++;
	}
	return n;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 2.0;
	static struct corpus c;
	if (build(&c) < 0) {
		fprintf(stderr, "could not build the packets\n");
		return 1;
	}
	uint64_t sum = 0;
	size_t tlvs_per_round = 0;
	for (int i = 0; i < PACKETS; i++)
		tlvs_per_round += decode(c.pkt[i], c.len[i], &sum);
	if (tlvs_per_round == 0) {
		fprintf(stderr, "the packets do not decode\n");
		return 1;
	}
	double start = now(), elapsed;
	uint64_t packets = 0, tlvs = 0;
	do {
		for (int i = 0; i < PACKETS; i++)
			tlvs += decode(c.pkt[i], c.len[i], &sum);
		packets += PACKETS;
		elapsed = now() - start;
	} while (elapsed < seconds);
	printf("packets: %d of %d-octet payload, body %.0f octets on average, %.1f routes and "
	       "%.1f TLVs each\n",
	       PACKETS, PAYLOAD, (double)c.body / PACKETS, (double)c.routes / PACKETS,
	       (double)tlvs_per_round / PACKETS);
	printf("decoded %llu packets, %llu TLVs in %.2f s (checksum %llu)\n",
	       (unsigned long long)packets, (unsigned long long)tlvs, elapsed,
	       (unsigned long long)sum);
	printf("%.0f packets/s, %.0f TLVs/s, %.1f MB/s\n", (double)packets / elapsed,
	       (double)tlvs / elapsed, (double)packets * (double)c.body / PACKETS / elapsed / 1e6);
	return 0;
}
