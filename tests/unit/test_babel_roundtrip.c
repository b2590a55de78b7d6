/* Seeded random round trips through the Babel codec: thousands of packets
 * of random TLVs are encoded, decoded and compared with what was meant,
 * then encoded again from the decoded structs, which must give the same
 * octets.  Truncations and random corruptions of the same packets must be
 * refused cleanly: never an out-of-range field, never a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/babel.h"
#include "tests/lib/rng.h"

enum { MAXT = 160, BUF = 1500, PACKETS = 4000 };

struct sent {
	int n;
	struct babel_tlv t[MAXT];
	uint8_t store[MAXT][BABEL_TLV_MAX_BODY]; /* bodies the spans point at */
};

struct gen {
	struct test_rng rng;
	uint8_t rids[4][8];
	struct babel_addr nh4[2], nh6[3];
	struct babel_prefix base6[3], base4[3];
};

static uint32_t below(struct gen *g, uint32_t n)
{
	return test_rng_below(&g->rng, n);
}

static void fill(struct gen *g, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)test_rng_next(&g->rng);
}

static void gen_init(struct gen *g, uint64_t seed)
{
	memset(g, 0, sizeof *g);
	g->rng.s = seed;
	for (int i = 0; i < 4; i++) {
		fill(g, g->rids[i], 8);
		g->rids[i][0] = (uint8_t)(i + 1); /* never all zeros or ones */
	}
	for (int i = 0; i < 2; i++) {
		g->nh4[i].af = BABEL_AF_IPV4;
		fill(g, g->nh4[i].bytes, 4);
	}
	for (int i = 0; i < 3; i++) {
		g->nh6[i].af = BABEL_AF_IPV6;
		fill(g, g->nh6[i].bytes, 16);
		g->base6[i].af = BABEL_AF_IPV6;
		fill(g, g->base6[i].bytes, 16);
		g->base4[i].af = BABEL_AF_IPV4;
		fill(g, g->base4[i].bytes, 4);
	}
	/* One next hop in fe80::/64, carried with AE 3. */
	memcpy(g->nh6[0].bytes, (const uint8_t[8]){ 0xfe, 0x80 }, 8);
}

/* Prefixes near a few bases, as routing tables are: compression matters. */
static struct babel_prefix gen_prefix(struct gen *g, uint8_t ae)
{
	struct babel_prefix p;
	if (ae == BABEL_AE_IPV4 || ae == BABEL_AE_V4_VIA_V6) {
		p = g->base4[below(g, 3)];
		p.plen = (uint8_t)below(g, 33);
		p.bytes[3] = (uint8_t)below(g, 256);
		if (below(g, 4) == 0)
			p.bytes[2] = (uint8_t)below(g, 256);
	} else {
		p = g->base6[below(g, 3)];
		p.plen = (uint8_t)below(g, 129);
		fill(g, p.bytes + 6 + below(g, 10), 1);
		if (ae == BABEL_AE_LINK_LOCAL) {
			memcpy(p.bytes, (const uint8_t[8]){ 0xfe, 0x80 }, 8);
			p.plen = (uint8_t)(64 + below(g, 65));
		}
	}
	if (below(g, 2))
		babel_prefix_mask(&p); /* the encoder must mask the rest itself */
	return p;
}

static void gen_src(struct gen *g, const struct babel_prefix *dst, bool *has, struct babel_prefix *src)
{
	*has = below(g, 3) == 0;
	memset(src, 0, sizeof *src);
	src->af = dst->af;
	src->plen = (uint8_t)below(g, dst->af == BABEL_AF_IPV4 ? 33 : 129);
	fill(g, src->bytes, dst->af == BABEL_AF_IPV4 ? 4 : 16);
}

static uint8_t gen_ae(struct gen *g)
{
	return (uint8_t)(1 + below(g, 4));
}

static bool rid_valid(const uint8_t id[8])
{
	int zeros = 0, ones = 0;
	for (int i = 0; i < 8; i++) {
		zeros += id[i] == 0;
		ones += id[i] == 0xff;
	}
	return zeros != 8 && ones != 8;
}

/* A router-id the prefix itself carries (RFC 8966 flag 0x40), when it
 * makes a valid one: the encoder should then spare the Router-Id TLV. */
static void rid_from_prefix(struct babel_update *u)
{
	struct babel_prefix m = u->prefix;
	uint8_t id[8] = { 0 };
	babel_prefix_mask(&m);
	if (m.af == BABEL_AF_IPV4)
		memcpy(id + 4, m.bytes, 4);
	else
		memcpy(id, m.bytes + 8, 8);
	if (rid_valid(id))
		memcpy(u->router_id, id, 8);
}

static void gen_update(struct gen *g, struct babel_update *u)
{
	memset(u, 0, sizeof *u);
	u->ae = below(g, 12) == 0 ? BABEL_AE_WILDCARD : gen_ae(g);
	u->interval = (uint16_t)below(g, 65536);
	u->seqno = (uint16_t)below(g, 65536);
	u->metric = below(g, 5) == 0 ? BABEL_INFINITY : (uint16_t)below(g, 65535);
	if (u->ae == BABEL_AE_WILDCARD) {
		u->metric = BABEL_INFINITY;
		return;
	}
	u->prefix = gen_prefix(g, u->ae);
	gen_src(g, &u->prefix, &u->has_src, &u->src);
	u->has_router_id = true;
	memcpy(u->router_id, g->rids[below(g, 4)], 8);
	if (below(g, 6) == 0)
		rid_from_prefix(u);
	u->has_next_hop = below(g, 3) != 0;
	if (u->ae == BABEL_AE_IPV4)
		u->next_hop = g->nh4[below(g, 2)];
	else
		u->next_hop = g->nh6[below(g, 3)];
}

static void gen_span(struct gen *g, struct babel_span *s, uint8_t *store, size_t max)
{
	s->len = below(g, (uint32_t)max + 1);
	fill(g, store, s->len);
	s->p = store;
}

static void gen_ihu(struct gen *g, struct babel_ihu *ihu)
{
	ihu->rxcost = (uint16_t)below(g, 65536);
	ihu->interval = (uint16_t)below(g, 65536);
	switch (below(g, 4)) {
	case 0:
		break; /* AE 0: no address */
	case 1:
		ihu->addr = g->nh4[below(g, 2)];
		break;
	default:
		ihu->addr = g->nh6[below(g, 3)];
		break;
	}
	ihu->has_timestamp = below(g, 2);
	if (ihu->has_timestamp) {
		ihu->origin = (uint32_t)test_rng_next(&g->rng);
		ihu->receive = (uint32_t)test_rng_next(&g->rng);
	}
}

static void gen_hello(struct gen *g, struct babel_hello *h)
{
	h->flags = below(g, 2) ? BABEL_HELLO_UNICAST : (uint16_t)below(g, 65536);
	h->seqno = (uint16_t)below(g, 65536);
	h->interval = (uint16_t)below(g, 65536);
	h->has_timestamp = below(g, 2);
	if (h->has_timestamp)
		h->timestamp = (uint32_t)test_rng_next(&g->rng);
}

static void gen_route_req(struct gen *g, struct babel_route_req *r)
{
	r->ae = below(g, 5) == 0 ? BABEL_AE_WILDCARD : gen_ae(g);
	if (r->ae != BABEL_AE_WILDCARD) {
		r->prefix = gen_prefix(g, r->ae);
		gen_src(g, &r->prefix, &r->has_src, &r->src);
	}
}

static void gen_seqno_req(struct gen *g, struct babel_seqno_req *r)
{
	r->ae = gen_ae(g);
	r->seqno = (uint16_t)below(g, 65536);
	r->hop_count = (uint8_t)below(g, 256);
	memcpy(r->router_id, g->rids[below(g, 4)], 8);
	r->prefix = gen_prefix(g, r->ae);
	gen_src(g, &r->prefix, &r->has_src, &r->src);
}

static uint8_t unknown_type(struct gen *g)
{
	static const uint8_t known[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 17, 18, 19 };
	for (;;) {
		uint8_t t = (uint8_t)below(g, 256);
		if (!memchr(known, t, sizeof known))
			return t;
	}
}

/* One random TLV; variable bodies go to store. */
static void gen_tlv(struct gen *g, struct babel_tlv *t, uint8_t *store)
{
	memset(t, 0, sizeof *t);
	uint32_t pick = below(g, 19);
	static const uint8_t types[] = { BABEL_TLV_PAD1, BABEL_TLV_PADN, BABEL_TLV_ACK_REQ,
					 BABEL_TLV_ACK, BABEL_TLV_HELLO, BABEL_TLV_IHU,
					 BABEL_TLV_ROUTER_ID, BABEL_TLV_NEXT_HOP,
					 BABEL_TLV_ROUTE_REQ, BABEL_TLV_SEQNO_REQ, BABEL_TLV_PC,
					 BABEL_TLV_CHALLENGE_REQ, BABEL_TLV_CHALLENGE_REPLY };
	t->type = pick < sizeof types ? types[pick] : BABEL_TLV_UPDATE;
	if (pick == 18)
		t->type = unknown_type(g);
	switch (t->type) {
	case BABEL_TLV_PAD1:
		break;
	case BABEL_TLV_PADN:
		gen_span(g, &t->padn, store, 20);
		memset(store, 0, t->padn.len);
		break;
	case BABEL_TLV_ACK_REQ:
		t->ack_req.opaque = (uint16_t)below(g, 65536);
		t->ack_req.interval = (uint16_t)below(g, 65536);
		break;
	case BABEL_TLV_ACK:
		t->ack.opaque = (uint16_t)below(g, 65536);
		break;
	case BABEL_TLV_HELLO:
		gen_hello(g, &t->hello);
		break;
	case BABEL_TLV_IHU:
		gen_ihu(g, &t->ihu);
		break;
	case BABEL_TLV_ROUTER_ID:
		memcpy(t->router_id.id, g->rids[below(g, 4)], 8);
		break;
	case BABEL_TLV_NEXT_HOP:
		t->next_hop.addr = below(g, 2) ? g->nh4[below(g, 2)] : g->nh6[below(g, 3)];
		break;
	case BABEL_TLV_UPDATE:
		gen_update(g, &t->update);
		break;
	case BABEL_TLV_ROUTE_REQ:
		gen_route_req(g, &t->route_req);
		break;
	case BABEL_TLV_SEQNO_REQ:
		gen_seqno_req(g, &t->seqno_req);
		break;
	case BABEL_TLV_PC:
		t->pc.pc = (uint32_t)test_rng_next(&g->rng);
		gen_span(g, &t->pc.index, store, BABEL_PC_INDEX_MAX);
		break;
	case BABEL_TLV_CHALLENGE_REQ:
	case BABEL_TLV_CHALLENGE_REPLY:
		gen_span(g, &t->nonce, store, BABEL_NONCE_MAX);
		break;
	default:
		gen_span(g, &t->raw, store, 40);
		break;
	}
}

/* ---------------------------------------------------------- expectations */

static bool known_type(uint8_t type)
{
	return type <= BABEL_TLV_SEQNO_REQ ||
	       (type >= BABEL_TLV_PC && type <= BABEL_TLV_CHALLENGE_REPLY);
}

static bool state_tlv(uint8_t type)
{
	return type == BABEL_TLV_ROUTER_ID || type == BABEL_TLV_NEXT_HOP;
}

static void expect_src(bool *has, struct babel_prefix *src)
{
	babel_prefix_mask(src);
	*has = *has && src->plen > 0;
}

/* What the decoder should hand back for what was sent. */
static struct babel_tlv expected(const struct babel_tlv *sent)
{
	struct babel_tlv e = *sent;
	switch (e.type) {
	case BABEL_TLV_UPDATE:
		babel_prefix_mask(&e.update.prefix);
		expect_src(&e.update.has_src, &e.update.src);
		break;
	case BABEL_TLV_ROUTE_REQ:
		babel_prefix_mask(&e.route_req.prefix);
		expect_src(&e.route_req.has_src, &e.route_req.src);
		break;
	case BABEL_TLV_SEQNO_REQ:
		babel_prefix_mask(&e.seqno_req.prefix);
		expect_src(&e.seqno_req.has_src, &e.seqno_req.src);
		break;
	default:
		break;
	}
	return e;
}

/* ------------------------------------------------------------- checks */

struct decoded {
	int n;
	bool broken;
	enum babel_result r[MAXT + 64];
	struct babel_tlv t[MAXT + 64];
	size_t end[MAXT + 64]; /* offset just past each TLV */
};

static void decode(const uint8_t *body, size_t len, struct decoded *d)
{
	struct babel_packet pk;
	memset(&pk, 0, sizeof pk);
	pk.body.p = body;
	pk.body.len = len;
	struct babel_iter it;
	babel_iter_body(&it, &pk);
	d->n = 0;
	for (;;) {
		assert_true(d->n < MAXT + 64);
		enum babel_result r = babel_iter_next(&it, &d->t[d->n]);
		if (r == BABEL_END)
			break;
		d->r[d->n] = r;
		d->end[d->n++] = it.r.off;
	}
	d->broken = babel_iter_broken(&it);
}

static bool in_span(const struct babel_span *s, const uint8_t *body, size_t len)
{
	return s->len == 0 || (s->p >= body && s->p + s->len <= body + len);
}

static void sane_prefix(uint8_t ae, const struct babel_prefix *p)
{
	struct babel_prefix m = *p;
	babel_prefix_mask(&m);
	assert_memory_equal(&m, p, sizeof m);
	if (ae == BABEL_AE_IPV4 || ae == BABEL_AE_V4_VIA_V6)
		assert_true(p->af == BABEL_AF_IPV4 && p->plen <= 32);
	else
		assert_true(p->af == BABEL_AF_IPV6 && p->plen <= 128);
	if (ae == BABEL_AE_LINK_LOCAL)
		assert_true(p->plen >= 64 && p->bytes[0] == 0xfe && p->bytes[1] == 0x80);
}

static void sane_src(bool has, const struct babel_prefix *dst, const struct babel_prefix *src)
{
	if (!has)
		return;
	struct babel_prefix m = *src;
	babel_prefix_mask(&m);
	assert_memory_equal(&m, src, sizeof m);
	assert_int_equal(src->af, dst->af);
	assert_true(src->plen > 0 && src->plen <= (src->af == BABEL_AF_IPV4 ? 32 : 128));
}

static void sane_update(const struct babel_update *u)
{
	assert_true(u->ae < BABEL_AE_COUNT);
	if (u->ae == BABEL_AE_WILDCARD) {
		assert_int_equal(u->metric, BABEL_INFINITY);
		assert_int_equal(u->prefix.af, BABEL_AF_NONE);
		assert_false(u->has_src);
		return;
	}
	sane_prefix(u->ae, &u->prefix);
	sane_src(u->has_src, &u->prefix, &u->src);
	if (u->metric != BABEL_INFINITY)
		assert_true(u->has_router_id);
	if (u->has_next_hop)
		assert_int_equal(u->next_hop.af,
				 u->ae == BABEL_AE_IPV4 ? BABEL_AF_IPV4 : BABEL_AF_IPV6);
}

/* What a decoder may hand back, whatever it was fed. */
static void sane(enum babel_result r, const struct babel_tlv *t, const uint8_t *body, size_t len)
{
	assert_true(r == BABEL_OK || r == BABEL_IGNORE || r == BABEL_MALFORMED);
	assert_true(r == BABEL_OK || t->why != NULL);
	if (r != BABEL_OK)
		return;
	switch (t->type) {
	case BABEL_TLV_UPDATE:
		sane_update(&t->update);
		break;
	case BABEL_TLV_ROUTE_REQ:
		if (t->route_req.ae != BABEL_AE_WILDCARD) {
			sane_prefix(t->route_req.ae, &t->route_req.prefix);
			sane_src(t->route_req.has_src, &t->route_req.prefix, &t->route_req.src);
		}
		break;
	case BABEL_TLV_SEQNO_REQ:
		sane_prefix(t->seqno_req.ae, &t->seqno_req.prefix);
		sane_src(t->seqno_req.has_src, &t->seqno_req.prefix, &t->seqno_req.src);
		break;
	case BABEL_TLV_IHU:
		assert_true(t->ihu.ae <= BABEL_AE_LINK_LOCAL);
		break;
	case BABEL_TLV_PC:
		assert_true(t->pc.index.len <= BABEL_PC_INDEX_MAX);
		assert_true(in_span(&t->pc.index, body, len));
		break;
	case BABEL_TLV_CHALLENGE_REQ:
	case BABEL_TLV_CHALLENGE_REPLY:
		assert_true(t->nonce.len <= BABEL_NONCE_MAX);
		assert_true(in_span(&t->nonce, body, len));
		break;
	case BABEL_TLV_PADN:
		assert_true(in_span(&t->padn, body, len));
		break;
	default:
		break;
	}
}

/* The decoded packet means what was sent, TLV by TLV. */
static void check_meaning(const struct sent *s, const struct decoded *d)
{
	int j = 0;
	for (int i = 0; i < s->n; i++) {
		if (state_tlv(s->t[i].type))
			continue;
		while (j < d->n && state_tlv(d->t[j].type)) {
			assert_int_equal(d->r[j], BABEL_OK);
			j++;
		}
		assert_true(j < d->n);
		assert_int_equal(d->r[j], known_type(s->t[i].type) ? BABEL_OK : BABEL_IGNORE);
		struct babel_tlv e = expected(&s->t[i]);
		if (!babel_tlv_same(&e, &d->t[j]))
			fail_msg("TLV %d (type %d) decoded differently", i, s->t[i].type);
		j++;
	}
	while (j < d->n)
		assert_true(state_tlv(d->t[j++].type));
}

/* Encoding the decoded TLVs again gives the very same octets. */
static void check_reencode(const uint8_t *buf, size_t len, size_t cap, const struct decoded *d)
{
	uint8_t again[BUF];
	struct babel_pkt p;
	babel_pkt_init(&p, again, cap, 0);
	for (int i = 0; i < d->n; i++)
		assert_int_equal(babel_put_tlv(&p, &d->t[i]), BABEL_PUT_OK);
	assert_int_equal(babel_pkt_finish(&p), len);
	assert_memory_equal(again, buf, len);
}

/* A body cut short: whole TLVs before the cut decode as before, and a
 * cut inside a TLV breaks the framing, never yields a half TLV. */
static void check_truncations(struct gen *g, const uint8_t *body, size_t len,
			      const struct decoded *full)
{
	struct decoded *d = malloc(sizeof *d);
	assert_non_null(d);
	for (int k = 0; k < 6 && len > 0; k++) {
		size_t cut = below(g, (uint32_t)len);
		decode(body, cut, d);
		bool boundary = cut == 0;
		int whole = 0;
		while (whole < full->n && full->end[whole] <= cut) {
			boundary = boundary || full->end[whole] == cut;
			whole++;
		}
		assert_int_equal(d->broken, !boundary);
		assert_int_equal(d->n, whole + !boundary);
		for (int i = 0; i < whole; i++) {
			assert_int_equal(d->r[i], full->r[i]);
			assert_true(babel_tlv_same(&d->t[i], &full->t[i]));
		}
		if (!boundary)
			assert_int_equal(d->r[whole], BABEL_MALFORMED);
	}
	free(d);
}

/* Random octets flipped: whatever comes out must still be sane. */
static void check_corruptions(struct gen *g, const uint8_t *body, size_t len)
{
	uint8_t copy[BUF];
	struct decoded *d = malloc(sizeof *d);
	assert_non_null(d);
	for (int k = 0; k < 4 && len > 0; k++) {
		memcpy(copy, body, len);
		for (uint32_t f = 1 + below(g, 4); f > 0; f--)
			copy[below(g, (uint32_t)len)] = (uint8_t)test_rng_next(&g->rng);
		decode(copy, len, d);
		for (int i = 0; i < d->n; i++)
			sane(d->r[i], &d->t[i], copy, len);
	}
	free(d);
}

static void check_packet(struct gen *g, struct babel_pkt *p, size_t cap, const struct sent *s)
{
	size_t len = babel_pkt_finish(p);
	struct babel_packet pk;
	assert_int_equal(babel_packet_split(p->buf, len, &pk), BABEL_OK);
	assert_int_equal(pk.trailer.len, 0);
	struct decoded *d = malloc(sizeof *d);
	assert_non_null(d);
	decode(pk.body.p, pk.body.len, d);
	assert_false(d->broken);
	for (int i = 0; i < d->n; i++)
		sane(d->r[i], &d->t[i], pk.body.p, pk.body.len);
	check_meaning(s, d);
	check_reencode(p->buf, len, cap, d);
	check_truncations(g, pk.body.p, pk.body.len, d);
	check_corruptions(g, pk.body.p, pk.body.len);
	free(d);
}

/* Fills packets of random sizes until a TLV does not fit. */
static void run_seed(uint64_t seed, int packets, int *tlvs)
{
	struct gen g;
	struct sent *s = malloc(sizeof *s);
	uint8_t buf[BUF];
	assert_non_null(s);
	gen_init(&g, seed);
	for (int n = 0; n < packets; n++) {
		size_t cap = 48 + below(&g, BUF - 48 + 1);
		struct babel_pkt p;
		babel_pkt_init(&p, buf, cap, 0);
		int want = 1 + (int)below(&g, MAXT);
		s->n = 0;
		while (s->n < want) {
			gen_tlv(&g, &s->t[s->n], s->store[s->n]);
			enum babel_put r = babel_put_tlv(&p, &s->t[s->n]);
			if (r == BABEL_PUT_FULL)
				break;
			if (r != BABEL_PUT_OK)
				fail_msg("seed %llu packet %d: put of type %d refused",
					 (unsigned long long)seed, n, s->t[s->n].type);
			s->n++;
		}
		*tlvs += s->n;
		check_packet(&g, &p, cap, s);
	}
	free(s);
}

static void test_roundtrip_seed1(void **state)
{
	(void)state;
	int tlvs = 0;
	run_seed(1, PACKETS, &tlvs);
	print_message("# %d packets, %d TLVs\n", PACKETS, tlvs);
	assert_true(tlvs > 10 * PACKETS);
}

static void test_roundtrip_seed2(void **state)
{
	(void)state;
	int tlvs = 0;
	run_seed(0x6d61696c6c65ull, PACKETS, &tlvs);
	assert_true(tlvs > 10 * PACKETS);
}

/* Routes only, in large packets: compression, Router-Id and Next Hop
 * changes, and the FULL-then-new-packet cycle a sender goes through. */
static void test_route_stream(void **state)
{
	(void)state;
	struct gen g;
	gen_init(&g, 42);
	uint8_t buf[BUF];
	struct sent *s = malloc(sizeof *s);
	assert_non_null(s);
	int packets = 0, routes = 0;
	struct babel_tlv pending;
	bool have_pending = false;
	while (routes < 20000) {
		struct babel_pkt p;
		babel_pkt_init(&p, buf, 1452, 0);
		s->n = 0;
		for (;;) {
			assert_true(s->n < MAXT);
			if (!have_pending) {
				memset(&pending, 0, sizeof pending);
				pending.type = BABEL_TLV_UPDATE;
				gen_update(&g, &pending.update);
				/* A sender names a next hop for every route or
				 * for none; a mix would only end packets early. */
				pending.update.has_next_hop = true;
			}
			enum babel_put r = babel_put_update(&p, &pending.update);
			have_pending = r == BABEL_PUT_FULL;
			if (have_pending)
				break;
			assert_int_equal(r, BABEL_PUT_OK);
			s->t[s->n++] = pending;
		}
		assert_true(s->n > 0); /* an empty packet always takes a route */
		routes += s->n;
		packets++;
		check_packet(&g, &p, 1452, s);
	}
	print_message("# %d routes in %d packets\n", routes, packets);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_seed1),
		cmocka_unit_test(test_roundtrip_seed2),
		cmocka_unit_test(test_route_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
