/* Known answers for the Babel codec, written octet by octet from the
 * layouts of RFC 8966 (section 4), RFC 8967 (MAC, PC, challenges),
 * RFC 9079 (source prefix), RFC 9229 (AE 4) and RFC 9616 (timestamps);
 * malformed inputs of every kind; and the encoder's rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/babel.h"

#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ })
#define NBYTES(...) sizeof((const uint8_t[]){ __VA_ARGS__ })

enum { MAXT = 32 };

struct dec {
	int n;
	bool broken;
	enum babel_result r[MAXT];
	struct babel_tlv t[MAXT];
};

static void decode_span(const uint8_t *body, size_t len, bool trailer, struct dec *d)
{
	struct babel_packet pkt;
	memset(&pkt, 0, sizeof pkt);
	pkt.body.p = body;
	pkt.body.len = len;
	pkt.trailer = pkt.body;
	struct babel_iter it;
	if (trailer)
		babel_iter_trailer(&it, &pkt);
	else
		babel_iter_body(&it, &pkt);
	memset(d, 0, sizeof *d);
	while (d->n < MAXT) {
		enum babel_result r = babel_iter_next(&it, &d->t[d->n]);
		if (r == BABEL_END)
			break;
		d->r[d->n++] = r;
	}
	d->broken = babel_iter_broken(&it);
}

#define DECODE(d, ...) decode_span(BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__), false, d)

/* An encoder over a roomy buffer. */
struct enc {
	uint8_t buf[2048];
	struct babel_pkt p;
};

static void enc_init(struct enc *e)
{
	memset(e->buf, 0xAA, sizeof e->buf);
	babel_pkt_init(&e->p, e->buf, sizeof e->buf, 0);
}

static void assert_body(const struct enc *e, const uint8_t *exp, size_t n)
{
	assert_int_equal(e->p.len - BABEL_HEADER_LEN, n);
	assert_memory_equal(e->buf + BABEL_HEADER_LEN, exp, n);
}

#define ASSERT_BODY(e, ...) assert_body(e, BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__))

static struct babel_prefix pfx6(const uint8_t *b, uint8_t plen)
{
	struct babel_prefix p = { BABEL_AF_IPV6, plen, { 0 } };
	memcpy(p.bytes, b, 16);
	return p;
}

static struct babel_prefix pfx4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t plen)
{
	struct babel_prefix p = { BABEL_AF_IPV4, plen, { a, b, c, d } };
	return p;
}

#define P6(plen, ...) pfx6((const uint8_t[16]){ __VA_ARGS__ }, plen)

static const uint8_t RID[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t DB8_1_2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2 };

/* ================================================================ header */

static void test_header_split(void **state)
{
	(void)state;
	struct babel_packet pk;
	const uint8_t pkt[] = { 42, 2, 0, 4, 0, 1, 2, 0, 0x10, 0 };
	assert_int_equal(babel_packet_split(pkt, sizeof pkt, &pk), BABEL_OK);
	assert_int_equal(pk.header.len, 4);
	assert_ptr_equal(pk.body.p, pkt + 4);
	assert_int_equal(pk.body.len, 4);
	assert_ptr_equal(pk.trailer.p, pkt + 8);
	assert_int_equal(pk.trailer.len, 2);
	const uint8_t empty[] = { 42, 2, 0, 0 };
	assert_int_equal(babel_packet_split(empty, 4, &pk), BABEL_OK);
	assert_int_equal(pk.body.len + pk.trailer.len, 0);
}

static void test_header_bad(void **state)
{
	(void)state;
	struct babel_packet pk;
	assert_int_equal(babel_packet_split(BYTES(42, 2, 0), 3, &pk), BABEL_MALFORMED);
	assert_int_equal(babel_packet_split(BYTES(43, 2, 0, 0), 4, &pk), BABEL_MALFORMED);
	assert_int_equal(babel_packet_split(BYTES(42, 3, 0, 0), 4, &pk), BABEL_IGNORE);
	assert_int_equal(babel_packet_split(BYTES(42, 2, 0, 2, 0), 5, &pk), BABEL_MALFORMED);
	assert_int_equal(babel_packet_split(NULL, 0, &pk), BABEL_MALFORMED);
}

static void test_pseudo_header(void **state)
{
	(void)state;
	uint8_t out[BABEL_PSEUDO_HEADER_LEN];
	struct babel_addr s = { BABEL_AF_IPV6, { 0xfe, 0x80, [15] = 1 } };
	struct babel_addr d = { BABEL_AF_IPV4, { 192, 0, 2, 7 } };
	assert_int_equal(babel_mac_pseudo_header(out, &s, 6696, &d, 1234), 36);
	const uint8_t exp[36] = { 0xfe, 0x80, [15] = 1, 0x1a, 0x28,
				  [28] = 0xff, 0xff, 192, 0, 2, 7, 0x04, 0xd2 };
	assert_memory_equal(out, exp, 36);
	struct babel_addr none = { 0 };
	assert_int_equal(babel_mac_pseudo_header(out, &none, 1, &d, 1), 0);
}

/* ============================================================ simple TLVs */

static void test_pad(void **state)
{
	(void)state;
	struct dec d;
	DECODE(&d, 0, 1, 3, 0, 0, 0, 1, 0);
	assert_int_equal(d.n, 3);
	assert_int_equal(d.t[0].type, BABEL_TLV_PAD1);
	assert_int_equal(d.t[1].type, BABEL_TLV_PADN);
	assert_int_equal(d.t[1].padn.len, 3);
	assert_int_equal(d.t[2].padn.len, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(d.r[i], BABEL_OK);
	struct enc e;
	enc_init(&e);
	assert_int_equal(babel_put_pad1(&e.p), BABEL_PUT_OK);
	assert_int_equal(babel_put_padn(&e.p, 3), BABEL_PUT_OK);
	ASSERT_BODY(&e, 0, 1, 3, 0, 0, 0);
	assert_int_equal(babel_put_padn(&e.p, 256), BABEL_PUT_INVALID);
}

static void test_ack_req_ack(void **state)
{
	(void)state;
	struct dec d;
	DECODE(&d, 2, 6, 0, 0, 0x12, 0x34, 0x01, 0x90, 3, 2, 0x12, 0x34);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.r[0], BABEL_OK);
	assert_int_equal(d.t[0].ack_req.opaque, 0x1234);
	assert_int_equal(d.t[0].ack_req.interval, 400);
	assert_int_equal(d.r[1], BABEL_OK);
	assert_int_equal(d.t[1].ack.opaque, 0x1234);
	struct enc e;
	enc_init(&e);
	struct babel_ack_req ar = { 0x1234, 400 };
	struct babel_ack a = { 0x1234 };
	assert_int_equal(babel_put_ack_req(&e.p, &ar), BABEL_PUT_OK);
	assert_int_equal(babel_put_ack(&e.p, &a), BABEL_PUT_OK);
	ASSERT_BODY(&e, 2, 6, 0, 0, 0x12, 0x34, 0x01, 0x90, 3, 2, 0x12, 0x34);
}

static void test_hello(void **state)
{
	(void)state;
	struct dec d;
	DECODE(&d, 4, 6, 0x80, 0, 0, 7, 0x01, 0x90,
	       4, 12, 0, 0, 0xff, 0xfe, 0, 100, 3, 4, 0xde, 0xad, 0xbe, 0xef);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.r[0], BABEL_OK);
	assert_int_equal(d.t[0].hello.flags, BABEL_HELLO_UNICAST);
	assert_int_equal(d.t[0].hello.seqno, 7);
	assert_int_equal(d.t[0].hello.interval, 400);
	assert_false(d.t[0].hello.has_timestamp);
	assert_int_equal(d.r[1], BABEL_OK);
	assert_int_equal(d.t[1].hello.seqno, 0xfffe);
	assert_true(d.t[1].hello.has_timestamp);
	assert_int_equal(d.t[1].hello.timestamp, 0xdeadbeef);
	struct enc e;
	enc_init(&e);
	assert_int_equal(babel_put_hello(&e.p, &d.t[0].hello), BABEL_PUT_OK);
	assert_int_equal(babel_put_hello(&e.p, &d.t[1].hello), BABEL_PUT_OK);
	ASSERT_BODY(&e, 4, 6, 0x80, 0, 0, 7, 0x01, 0x90,
		    4, 12, 0, 0, 0xff, 0xfe, 0, 100, 3, 4, 0xde, 0xad, 0xbe, 0xef);
}

static void test_ihu_all_aes(void **state)
{
	(void)state;
	struct dec d;
	DECODE(&d,
	       5, 6, 0, 0, 0, 96, 1, 44,                                    /* AE 0 */
	       5, 10, 1, 0, 0, 96, 1, 44, 192, 0, 2, 1,                     /* AE 1 */
	       5, 22, 2, 0, 0, 96, 1, 44, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	       0, 0, 0, 0, 0, 0, 0, 9,                                      /* AE 2 */
	       5, 24, 3, 0, 0xff, 0xff, 1, 44, 0x94, 0x40, 0x45, 0xff, 0xfe, 0xcd, 0xaa,
	       0x5a, 3, 8, 0x4b, 0x79, 0xae, 0x6a, 0x4b, 0x79, 0xae, 0xb7);  /* AE 3 + ts */
	assert_int_equal(d.n, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(d.r[i], BABEL_OK);
		assert_int_equal(d.t[i].ihu.ae, i);
		assert_int_equal(d.t[i].ihu.interval, 300);
	}
	assert_int_equal(d.t[0].ihu.addr.af, BABEL_AF_NONE);
	assert_int_equal(d.t[1].ihu.addr.af, BABEL_AF_IPV4);
	assert_memory_equal(d.t[1].ihu.addr.bytes, BYTES(192, 0, 2, 1, 0, 0, 0, 0), 8);
	assert_int_equal(d.t[2].ihu.addr.af, BABEL_AF_IPV6);
	assert_int_equal(d.t[2].ihu.addr.bytes[15], 9);
	const uint8_t ll[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x94, 0x40, 0x45, 0xff,
				 0xfe, 0xcd, 0xaa, 0x5a };
	assert_memory_equal(d.t[3].ihu.addr.bytes, ll, 16);
	assert_int_equal(d.t[3].ihu.rxcost, 0xffff);
	assert_true(d.t[3].ihu.has_timestamp);
	assert_int_equal(d.t[3].ihu.origin, 0x4b79ae6a);
	assert_int_equal(d.t[3].ihu.receive, 0x4b79aeb7);
	/* The encoder picks the AE from the address: same octets back. */
	struct enc e;
	enc_init(&e);
	for (int i = 0; i < 4; i++)
		assert_int_equal(babel_put_ihu(&e.p, &d.t[i].ihu), BABEL_PUT_OK);
	ASSERT_BODY(&e,
		    5, 6, 0, 0, 0, 96, 1, 44,
		    5, 10, 1, 0, 0, 96, 1, 44, 192, 0, 2, 1,
		    5, 22, 2, 0, 0, 96, 1, 44, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		    0, 0, 0, 0, 0, 0, 0, 9,
		    5, 24, 3, 0, 0xff, 0xff, 1, 44, 0x94, 0x40, 0x45, 0xff, 0xfe, 0xcd, 0xaa,
		    0x5a, 3, 8, 0x4b, 0x79, 0xae, 0x6a, 0x4b, 0x79, 0xae, 0xb7);
}

static void test_router_id(void **state)
{
	(void)state;
	struct dec d;
	DECODE(&d, 6, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8);
	assert_int_equal(d.r[0], BABEL_OK);
	assert_memory_equal(d.t[0].router_id.id, RID, 8);
	struct enc e;
	enc_init(&e);
	assert_int_equal(babel_put_router_id(&e.p, RID), BABEL_PUT_OK);
	ASSERT_BODY(&e, 6, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8);
	const uint8_t zeros[8] = { 0 }, ones[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	assert_int_equal(babel_put_router_id(&e.p, zeros), BABEL_PUT_INVALID);
	assert_int_equal(babel_put_router_id(&e.p, ones), BABEL_PUT_INVALID);
}

/* Next Hop per family: AE 1 sets the IPv4 next hop, AE 2 and 3 the IPv6
 * one; AE 4 (v4-via-v6) routes take the IPv6 one (RFC 9229). */
static void test_next_hop_semantics(void **state)
{
	(void)state;
	struct dec d;
	DECODE(&d, 6, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
	       8, 14, 4, 0, 32, 0, 1, 0x90, 0, 1, 0, 10, 10, 97, 0, 2,  /* no next hop yet */
	       7, 6, 1, 0, 192, 0, 2, 1,                              /* IPv4 next hop */
	       7, 10, 3, 0, 0, 0, 0, 0, 0, 0, 0, 7,                   /* IPv6 fe80::7 */
	       8, 13, 1, 0, 24, 0, 1, 0x90, 0, 1, 0, 10, 198, 51, 100,
	       8, 14, 4, 0, 32, 0, 1, 0x90, 0, 1, 0, 10, 10, 97, 0, 3,
	       7, 18, 2, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	       8, 14, 4, 0, 32, 0, 1, 0x90, 0, 1, 0, 10, 10, 97, 0, 4);
	assert_int_equal(d.n, 8);
	for (int i = 0; i < d.n; i++)
		assert_int_equal(d.r[i], BABEL_OK);
	assert_false(d.t[1].update.has_next_hop);
	assert_int_equal(d.t[2].next_hop.ae, 1);
	assert_memory_equal(d.t[2].next_hop.addr.bytes, BYTES(192, 0, 2, 1), 4);
	assert_int_equal(d.t[3].next_hop.addr.af, BABEL_AF_IPV6);
	assert_int_equal(d.t[3].next_hop.addr.bytes[0], 0xfe);
	const struct babel_update *u4 = &d.t[4].update;
	assert_true(u4->has_next_hop);
	assert_int_equal(u4->next_hop.af, BABEL_AF_IPV4);
	assert_memory_equal(u4->next_hop.bytes, BYTES(192, 0, 2, 1, 0, 0), 6);
	assert_memory_equal(u4->prefix.bytes, BYTES(198, 51, 100, 0), 4);
	const struct babel_update *u5 = &d.t[5].update;
	assert_true(u5->has_next_hop);
	assert_int_equal(u5->next_hop.af, BABEL_AF_IPV6);
	assert_int_equal(u5->next_hop.bytes[15], 7);
	assert_int_equal(d.t[7].update.next_hop.bytes[0], 0x20);
	assert_memory_equal(d.t[7].update.router_id, RID, 8);
	/* Encoder: AE 1 for IPv4, AE 3 inside fe80::/64, AE 2 elsewhere. */
	struct enc e;
	enc_init(&e);
	assert_int_equal(babel_put_next_hop(&e.p, &d.t[2].next_hop.addr), BABEL_PUT_OK);
	assert_int_equal(babel_put_next_hop(&e.p, &d.t[3].next_hop.addr), BABEL_PUT_OK);
	assert_int_equal(babel_put_next_hop(&e.p, &d.t[6].next_hop.addr), BABEL_PUT_OK);
	ASSERT_BODY(&e, 7, 6, 1, 0, 192, 0, 2, 1,
		    7, 10, 3, 0, 0, 0, 0, 0, 0, 0, 0, 7,
		    7, 18, 2, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
	struct babel_addr none = { 0 };
	assert_int_equal(babel_put_next_hop(&e.p, &none), BABEL_PUT_INVALID);
}

/* ================================================================ updates */

static void test_update_ipv6_compression(void **state)
{
	(void)state;
	struct dec d;
	DECODE(&d, 6, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
	       8, 18, 2, 0x80, 64, 0, 1, 0x90, 0, 5, 0, 10,
	       0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2,                 /* sets the default */
	       8, 11, 2, 0, 64, 7, 1, 0x90, 0, 5, 0, 10, 3,         /* omits 7 octets */
	       8, 10, 2, 0, 48, 6, 1, 0x90, 0, 6, 0, 20,            /* all omitted */
	       8, 10, 2, 0, 0, 0, 1, 0x90, 0, 7, 0, 30);            /* ::/0 */
	assert_int_equal(d.n, 5);
	for (int i = 0; i < d.n; i++)
		assert_int_equal(d.r[i], BABEL_OK);
	const struct babel_update *u = &d.t[1].update;
	assert_int_equal(u->ae, 2);
	assert_int_equal(u->flags, 0x80);
	assert_int_equal(u->interval, 400);
	assert_int_equal(u->seqno, 5);
	assert_int_equal(u->metric, 10);
	assert_int_equal(u->prefix.af, BABEL_AF_IPV6);
	assert_int_equal(u->prefix.plen, 64);
	assert_memory_equal(u->prefix.bytes, DB8_1_2, 16);
	assert_true(u->has_router_id);
	assert_memory_equal(u->router_id, RID, 8);
	assert_false(u->has_next_hop);
	assert_false(u->has_src);
	struct babel_prefix p3 = P6(64, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 3);
	assert_memory_equal(&d.t[2].update.prefix, &p3, sizeof p3);
	struct babel_prefix p48 = P6(48, 0x20, 0x01, 0x0d, 0xb8, 0, 1);
	assert_memory_equal(&d.t[3].update.prefix, &p48, sizeof p48);
	assert_int_equal(d.t[4].update.prefix.plen, 0);
	assert_int_equal(d.t[4].update.prefix.af, BABEL_AF_IPV6);
}

static void test_update_encode_compression(void **state)
{
	(void)state;
	struct enc e;
	enc_init(&e);
	struct babel_update u = { .ae = 2, .interval = 400, .seqno = 5, .metric = 10,
				  .has_router_id = true };
	memcpy(u.router_id, RID, 8);
	u.prefix = pfx6(DB8_1_2, 64);
	assert_int_equal(babel_put_update(&e.p, &u), BABEL_PUT_OK);
	u.prefix.bytes[7] = 3;
	assert_int_equal(babel_put_update(&e.p, &u), BABEL_PUT_OK);
	/* A /48 inside the /64 default: fully omitted, default kept. */
	u.prefix = P6(48, 0x20, 0x01, 0x0d, 0xb8, 0, 1);
	assert_int_equal(babel_put_update(&e.p, &u), BABEL_PUT_OK);
	u.prefix.bytes[7] = 4;
	u.prefix.plen = 64;
	assert_int_equal(babel_put_update(&e.p, &u), BABEL_PUT_OK);
	ASSERT_BODY(&e, 6, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
		    8, 18, 2, 0x80, 64, 0, 1, 0x90, 0, 5, 0, 10, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2,
		    8, 11, 2, 0x80, 64, 7, 1, 0x90, 0, 5, 0, 10, 3,
		    8, 10, 2, 0, 48, 6, 1, 0x90, 0, 5, 0, 10,
		    8, 11, 2, 0x80, 64, 7, 1, 0x90, 0, 5, 0, 10, 4);
}

static void test_update_ipv4_and_v4_via_v6(void **state)
{
	(void)state;
	struct dec d;
	/* AE 1 and AE 4 keep separate default prefixes (RFC 9229). */
	DECODE(&d, 6, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
	       8, 13, 1, 0x80, 24, 0, 1, 0x90, 0, 1, 0, 10, 192, 0, 2,
	       8, 11, 1, 0, 32, 3, 1, 0x90, 0, 1, 0, 10, 9,
	       8, 14, 4, 0x80, 32, 0, 1, 0x90, 0, 1, 0, 10, 10, 97, 0, 1,
	       8, 11, 4, 0, 32, 3, 1, 0x90, 0, 1, 0, 10, 2,
	       8, 11, 1, 0, 32, 3, 1, 0x90, 0, 1, 0, 10, 10);
	assert_int_equal(d.n, 6);
	for (int i = 0; i < d.n; i++)
		assert_int_equal(d.r[i], BABEL_OK);
	struct babel_prefix a = pfx4(192, 0, 2, 0, 24), b = pfx4(192, 0, 2, 9, 32);
	struct babel_prefix c = pfx4(10, 97, 0, 1, 32), dd = pfx4(10, 97, 0, 2, 32);
	struct babel_prefix f = pfx4(192, 0, 2, 10, 32);
	assert_memory_equal(&d.t[1].update.prefix, &a, sizeof a);
	assert_memory_equal(&d.t[2].update.prefix, &b, sizeof b);
	assert_memory_equal(&d.t[3].update.prefix, &c, sizeof c);
	assert_int_equal(d.t[3].update.ae, BABEL_AE_V4_VIA_V6);
	assert_memory_equal(&d.t[4].update.prefix, &dd, sizeof dd);
	assert_memory_equal(&d.t[5].update.prefix, &f, sizeof f);

	/* AE 4 compression never borrows AE 1's default. */
	DECODE(&d, 6, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
	       8, 13, 1, 0x80, 24, 0, 1, 0x90, 0, 1, 0, 10, 192, 0, 2,
	       8, 11, 4, 0, 32, 3, 1, 0x90, 0, 1, 0, 10, 9);
	assert_int_equal(d.r[2], BABEL_MALFORMED);
	assert_string_equal(d.t[2].why, "compressed prefix with no default prefix");
}

static void test_update_router_id_flag(void **state)
{
	(void)state;
	struct dec d;
	/* 0x40: router-id from the low 64 bits (IPv6) or 0:0:0:0 + IPv4. */
	DECODE(&d, 8, 26, 2, 0x40, 128, 0, 1, 0x90, 0, 5, 0, 0,
	       0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0xa, 0, 0xb, 0, 0xc, 0, 0xd,
	       8, 14, 1, 0x40, 32, 0, 1, 0x90, 0, 5, 0, 0, 192, 0, 2, 33);
	assert_int_equal(d.r[0], BABEL_OK);
	assert_memory_equal(d.t[0].update.router_id, BYTES(0, 0xa, 0, 0xb, 0, 0xc, 0, 0xd), 8);
	assert_int_equal(d.r[1], BABEL_OK);
	assert_memory_equal(d.t[1].update.router_id, BYTES(0, 0, 0, 0, 192, 0, 2, 33), 8);
	/* The encoder uses the flag instead of a Router-Id when it can, on
	 * IPv6 prefixes only: BIRD 2.0.12 ignores it on AE 1, finds no
	 * router-id and drops the rest of the packet ("Bad TLV ... type 8
	 * ... parse error"). A BIRD router-id is its IPv4 address, so its own
	 * /32 is exactly the case. */
	struct enc e;
	enc_init(&e);
	assert_int_equal(babel_put_update(&e.p, &d.t[0].update), BABEL_PUT_OK);
	assert_int_equal(babel_put_update(&e.p, &d.t[1].update), BABEL_PUT_OK);
	ASSERT_BODY(&e, 8, 26, 2, 0xc0, 128, 0, 1, 0x90, 0, 5, 0, 0,
		    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0xa, 0, 0xb, 0, 0xc, 0, 0xd,
		    6, 10, 0, 0, 0, 0, 0, 0, 192, 0, 2, 33,
		    8, 14, 1, 0x80, 32, 0, 1, 0x90, 0, 5, 0, 0, 192, 0, 2, 33);
}

static void test_update_wildcard_and_link_local(void **state)
{
	(void)state;
	struct dec d;
	DECODE(&d, 8, 10, 0, 0, 0, 0, 1, 0x90, 0, 5, 0xff, 0xff,
	       6, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
	       8, 18, 3, 0, 128, 0, 1, 0x90, 0, 5, 0, 10, 0, 0, 0, 0, 0, 0, 0, 1,
	       8, 11, 3, 0, 72, 0, 1, 0x90, 0, 5, 0, 10, 0x12);
	assert_int_equal(d.n, 4);
	assert_int_equal(d.r[0], BABEL_OK);
	assert_int_equal(d.t[0].update.ae, 0);
	assert_int_equal(d.t[0].update.metric, BABEL_INFINITY);
	assert_false(d.t[0].update.has_router_id); /* a retraction needs none */
	assert_int_equal(d.r[2], BABEL_OK);
	struct babel_prefix ll = P6(128, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
	assert_memory_equal(&d.t[2].update.prefix, &ll, sizeof ll);
	struct babel_prefix ll72 = P6(72, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x12);
	assert_int_equal(d.r[3], BABEL_OK);
	assert_memory_equal(&d.t[3].update.prefix, &ll72, sizeof ll72);
	struct enc e;
	enc_init(&e);
	for (int i = 0; i < 4; i++)
		assert_int_equal(babel_put_tlv(&e.p, &d.t[i]), BABEL_PUT_OK);
	ASSERT_BODY(&e, 8, 10, 0, 0, 0, 0, 1, 0x90, 0, 5, 0xff, 0xff,
		    6, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
		    8, 18, 3, 0, 128, 0, 1, 0x90, 0, 5, 0, 10, 0, 0, 0, 0, 0, 0, 0, 1,
		    8, 11, 3, 0, 72, 0, 1, 0x90, 0, 5, 0, 10, 0x12);
}

static void test_update_source_prefix(void **state)
{
	(void)state;
	struct dec d;
	/* Babeld 1.12's own: fd97::2/128 from 2001:db8:97::/48. */
	DECODE(&d, 6, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
	       8, 35, 2, 0x80, 128, 0, 1, 0x90, 0x39, 0x68, 0, 0,
	       0xfd, 0x97, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	       0x80, 7, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 0x97);
	assert_int_equal(d.r[1], BABEL_OK);
	const struct babel_update *u = &d.t[1].update;
	assert_true(u->has_src);
	struct babel_prefix src = P6(48, 0x20, 0x01, 0x0d, 0xb8, 0, 0x97);
	assert_memory_equal(&u->src, &src, sizeof src);
	struct enc e;
	enc_init(&e);
	assert_int_equal(babel_put_update(&e.p, u), BABEL_PUT_OK);
	ASSERT_BODY(&e, 6, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
		    8, 35, 2, 0x80, 128, 0, 1, 0x90, 0x39, 0x68, 0, 0,
		    0xfd, 0x97, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		    0x80, 7, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 0x97);
}

/* ================================================================ requests */

static void test_route_request(void **state)
{
	(void)state;
	struct dec d;
	DECODE(&d, 9, 2, 0, 0,
	       9, 8, 2, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 1,
	       9, 17, 2, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x80, 7, 48, 0x20, 0x01, 0x0d,
	       0xb8, 0, 0x97,
	       9, 5, 1, 24, 192, 0, 2,
	       9, 6, 4, 32, 10, 97, 0, 1);
	assert_int_equal(d.n, 5);
	for (int i = 0; i < d.n; i++)
		assert_int_equal(d.r[i], BABEL_OK);
	assert_int_equal(d.t[0].route_req.ae, 0);
	struct babel_prefix p = P6(48, 0x20, 0x01, 0x0d, 0xb8, 0, 1);
	assert_memory_equal(&d.t[1].route_req.prefix, &p, sizeof p);
	assert_false(d.t[1].route_req.has_src);
	assert_true(d.t[2].route_req.has_src);
	assert_int_equal(d.t[2].route_req.src.plen, 48);
	assert_int_equal(d.t[3].route_req.prefix.af, BABEL_AF_IPV4);
	assert_int_equal(d.t[4].route_req.ae, 4);
	struct enc e;
	enc_init(&e);
	for (int i = 0; i < d.n; i++)
		assert_int_equal(babel_put_route_req(&e.p, &d.t[i].route_req), BABEL_PUT_OK);
	ASSERT_BODY(&e, 9, 2, 0, 0,
		    9, 8, 2, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 1,
		    9, 17, 2, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x80, 7, 48, 0x20, 0x01, 0x0d,
		    0xb8, 0, 0x97,
		    9, 5, 1, 24, 192, 0, 2,
		    9, 6, 4, 32, 10, 97, 0, 1);
}

static void test_seqno_request(void **state)
{
	(void)state;
	struct dec d;
	DECODE(&d, 10, 22, 2, 64, 0x12, 0x34, 64, 0, 1, 2, 3, 4, 5, 6, 7, 8,
	       0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2,
	       10, 25, 2, 64, 0x12, 0x35, 2, 0, 1, 2, 3, 4, 5, 6, 7, 8,
	       0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0x80, 1, 0);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.r[0], BABEL_OK);
	const struct babel_seqno_req *q = &d.t[0].seqno_req;
	assert_int_equal(q->seqno, 0x1234);
	assert_int_equal(q->hop_count, 64);
	assert_memory_equal(q->router_id, RID, 8);
	struct babel_prefix p = pfx6(DB8_1_2, 64);
	assert_memory_equal(&q->prefix, &p, sizeof p);
	/* A /0 source prefix restricts nothing: same as none. */
	assert_int_equal(d.r[1], BABEL_OK);
	assert_false(d.t[1].seqno_req.has_src);
	struct enc e;
	enc_init(&e);
	assert_int_equal(babel_put_seqno_req(&e.p, q), BABEL_PUT_OK);
	ASSERT_BODY(&e, 10, 22, 2, 64, 0x12, 0x34, 64, 0, 1, 2, 3, 4, 5, 6, 7, 8,
		    0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2);
}

/* ================================================================ RFC 8967 */

static void test_pc_and_challenges(void **state)
{
	(void)state;
	struct dec d;
	DECODE(&d, 17, 12, 0, 0, 0, 42, 0x33, 0x7d, 0xd8, 0xf6, 0x72, 0xa5, 0x9b, 0xf7,
	       18, 8, 1, 2, 3, 4, 5, 6, 7, 8,
	       19, 8, 8, 7, 6, 5, 4, 3, 2, 1,
	       18, 0);
	assert_int_equal(d.n, 4);
	for (int i = 0; i < d.n; i++)
		assert_int_equal(d.r[i], BABEL_OK);
	assert_int_equal(d.t[0].pc.pc, 42);
	assert_int_equal(d.t[0].pc.index.len, 8);
	assert_int_equal(d.t[0].pc.index.p[0], 0x33);
	assert_int_equal(d.t[1].nonce.len, 8);
	assert_int_equal(d.t[2].nonce.p[0], 8);
	assert_int_equal(d.t[3].nonce.len, 0);
	struct enc e;
	enc_init(&e);
	assert_int_equal(babel_put_pc(&e.p, 42, d.t[0].pc.index.p, 8), BABEL_PUT_OK);
	assert_int_equal(babel_put_challenge_req(&e.p, d.t[1].nonce.p, 8), BABEL_PUT_OK);
	assert_int_equal(babel_put_challenge_reply(&e.p, d.t[2].nonce.p, 8), BABEL_PUT_OK);
	assert_int_equal(babel_put_challenge_req(&e.p, NULL, 0), BABEL_PUT_OK);
	ASSERT_BODY(&e, 17, 12, 0, 0, 0, 42, 0x33, 0x7d, 0xd8, 0xf6, 0x72, 0xa5, 0x9b, 0xf7,
		    18, 8, 1, 2, 3, 4, 5, 6, 7, 8,
		    19, 8, 8, 7, 6, 5, 4, 3, 2, 1,
		    18, 0);
	uint8_t big[200] = { 0 };
	assert_int_equal(babel_put_pc(&e.p, 1, big, 33), BABEL_PUT_INVALID);
	assert_int_equal(babel_put_challenge_req(&e.p, big, 193), BABEL_PUT_INVALID);
	assert_int_equal(babel_put_challenge_reply(&e.p, big, 193), BABEL_PUT_INVALID);
}

static void test_mac_trailer(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct babel_pkt p;
	babel_pkt_init(&p, buf, sizeof buf, 2 * 34);
	uint8_t mac[32];
	for (int i = 0; i < 32; i++)
		mac[i] = (uint8_t)i;
	assert_int_equal(babel_put_mac(&p, mac, 32), BABEL_PUT_INVALID); /* body first */
	assert_int_equal(babel_pkt_room(&p), sizeof buf - 4 - 68);
	struct babel_hello h = { 0, 1, 400, false, 0 };
	assert_int_equal(babel_put_hello(&p, &h), BABEL_PUT_OK);
	assert_int_equal(babel_pkt_finish(&p), 12);
	assert_int_equal(babel_pkt_finish(&p), 12);
	assert_int_equal(babel_put_hello(&p, &h), BABEL_PUT_FULL); /* body closed */
	assert_int_equal(babel_put_mac(&p, mac, 32), BABEL_PUT_OK);
	assert_int_equal(babel_put_mac(&p, mac, 32), BABEL_PUT_OK);
	assert_int_equal(babel_pkt_len(&p), 12 + 68);
	assert_memory_equal(buf, BYTES(42, 2, 0, 8, 4, 6, 0, 0, 0, 1, 1, 0x90, 16, 32, 0, 1), 16);

	struct babel_packet pk;
	assert_int_equal(babel_packet_split(buf, babel_pkt_len(&p), &pk), BABEL_OK);
	assert_int_equal(pk.body.len, 8);
	assert_int_equal(pk.trailer.len, 68);
	struct babel_iter it;
	struct babel_tlv t;
	babel_iter_trailer(&it, &pk);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(babel_iter_next(&it, &t), BABEL_OK);
		assert_int_equal(t.type, BABEL_TLV_MAC);
		assert_int_equal(t.mac.len, 32);
		assert_memory_equal(t.mac.p, mac, 32);
	}
	assert_int_equal(babel_iter_next(&it, &t), BABEL_END);
	/* A MAC in the body is not a MAC; a Hello in the trailer is nothing. */
	struct dec d;
	DECODE(&d, 16, 2, 1, 2);
	assert_int_equal(d.r[0], BABEL_IGNORE);
	decode_span(BYTES(0, 1, 0, 4, 6, 0, 0, 0, 1, 1, 0x90), 11, true, &d);
	assert_int_equal(d.n, 3);
	assert_int_equal(d.r[0], BABEL_OK);
	assert_int_equal(d.r[1], BABEL_OK);
	assert_int_equal(d.r[2], BABEL_IGNORE);
}

/* ================================================================ sub-TLVs */

static void test_subtlv_padding_and_unknown(void **state)
{
	(void)state;
	struct dec d;
	/* Pad1, PadN and an unknown non-mandatory sub-TLV are skipped. */
	DECODE(&d, 4, 21, 0, 0, 0, 7, 1, 0x90, 0, 1, 2, 0, 0, 5, 2, 0xaa, 0xbb, 3, 4, 0, 0, 0, 9);
	assert_int_equal(d.r[0], BABEL_OK);
	assert_true(d.t[0].hello.has_timestamp);
	assert_int_equal(d.t[0].hello.timestamp, 9);
	/* A timestamp of the wrong size is skipped, not trusted. */
	DECODE(&d, 4, 12, 0, 0, 0, 7, 1, 0x90, 3, 4, 0, 0, 0, 9,
	       5, 14, 0, 0, 0, 96, 1, 44, 3, 4, 0, 0, 0, 1, 3, 0);
	assert_int_equal(d.r[1], BABEL_OK);
	assert_false(d.t[1].ihu.has_timestamp);
	/* Sub-TLV writers. */
	uint8_t b[300];
	struct writer w = writer_init(b, sizeof b);
	babel_write_sub_pad(&w, 1);
	babel_write_sub_pad(&w, 4);
	assert_int_equal(w.len, 5);
	assert_memory_equal(b, BYTES(0, 1, 2, 0, 0), 5);
	w = writer_init(b, sizeof b);
	babel_write_sub_pad(&w, 258);
	assert_int_equal(w.len, 258);
	assert_int_equal(b[1], 255);
	assert_int_equal(b[257], 0);
	struct babel_prefix bad = { BABEL_AF_IPV4, 33, { 0 } };
	assert_false(babel_write_sub_source_prefix(&w, &bad));
}

static void test_subtlv_mandatory_unknown(void **state)
{
	(void)state;
	struct dec d;
	/* The Update with an unknown mandatory sub-TLV is ignored, but its
	 * 0x80 and 0x40 flags still set the parser state (RFC 8966 4.4). */
	DECODE(&d, 8, 29, 2, 0xc0, 128, 0, 1, 0x90, 0, 5, 0, 0,
	       0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0xa, 0, 0xb, 0, 0xc, 0, 0xd, 0xc0, 1, 0,
	       8, 11, 2, 0, 128, 15, 1, 0x90, 0, 5, 0, 0, 0xe,
	       6, 13, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x99, 1, 0,
	       8, 11, 2, 0, 128, 15, 1, 0x90, 0, 5, 0, 0, 0xf,
	       4, 9, 0, 0, 0, 7, 1, 0x90, 0x80, 1, 0);
	assert_int_equal(d.n, 5);
	assert_int_equal(d.r[0], BABEL_IGNORE);
	assert_string_equal(d.t[0].why, "unknown mandatory sub-TLV");
	assert_int_equal(d.r[1], BABEL_OK);
	assert_int_equal(d.t[1].update.prefix.bytes[15], 0xe);
	assert_memory_equal(d.t[1].update.router_id, BYTES(0, 0xa, 0, 0xb, 0, 0xc, 0, 0xd), 8);
	assert_int_equal(d.r[2], BABEL_IGNORE);
	assert_int_equal(d.r[3], BABEL_OK);
	assert_memory_equal(d.t[3].update.router_id, RID, 8);
	/* A source prefix is mandatory and means nothing on a Hello. */
	assert_int_equal(d.r[4], BABEL_IGNORE);
}

static void test_unknown_tlv_skipped(void **state)
{
	(void)state;
	struct dec d;
	DECODE(&d, 200, 3, 1, 2, 3, 11, 0, 3, 2, 0xab, 0xcd);
	assert_int_equal(d.n, 3);
	assert_int_equal(d.r[0], BABEL_IGNORE);
	assert_int_equal(d.t[0].raw.len, 3);
	assert_int_equal(d.r[1], BABEL_IGNORE);
	assert_int_equal(d.r[2], BABEL_OK);
	assert_int_equal(d.t[2].ack.opaque, 0xabcd);
	struct enc e;
	enc_init(&e);
	assert_int_equal(babel_put_raw(&e.p, 200, BYTES(1, 2, 3), 3), BABEL_PUT_OK);
	assert_int_equal(babel_put_raw(&e.p, 0, NULL, 0), BABEL_PUT_INVALID);
	ASSERT_BODY(&e, 200, 3, 1, 2, 3);
}

/* ================================================================ malformed */

struct bad_case {
	const char *name;
	const uint8_t *body;
	size_t len;
	int index;              /* which TLV is bad */
	enum babel_result want;
};

#define BAD(name, idx, want, ...) { name, BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__), idx, want }

static const struct bad_case bad_cases[] = {
	BAD("Hello too short", 0, BABEL_MALFORMED, 4, 4, 0, 0, 0, 1),
	BAD("Ack Request too short", 0, BABEL_MALFORMED, 2, 4, 0, 0, 0, 1),
	BAD("Ack too short", 0, BABEL_MALFORMED, 3, 1, 0),
	BAD("IHU too short", 0, BABEL_MALFORMED, 5, 5, 0, 0, 0, 1, 2),
	BAD("IHU address cut", 0, BABEL_MALFORMED, 5, 9, 1, 0, 0, 1, 2, 3, 192, 0, 2),
	BAD("IHU with AE 4", 0, BABEL_MALFORMED, 5, 10, 4, 0, 0, 1, 2, 3, 10, 0, 0, 1),
	BAD("IHU with unknown AE", 0, BABEL_IGNORE, 5, 6, 9, 0, 0, 1, 2, 3),
	BAD("Router-Id too short", 0, BABEL_MALFORMED, 6, 9, 0, 0, 1, 2, 3, 4, 5, 6, 7),
	BAD("Router-Id all zeros", 0, BABEL_MALFORMED, 6, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
	BAD("Router-Id all ones", 0, BABEL_MALFORMED, 6, 10, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff),
	BAD("Next Hop AE 0", 0, BABEL_MALFORMED, 7, 2, 0, 0),
	BAD("Next Hop AE 4", 0, BABEL_MALFORMED, 7, 6, 4, 0, 10, 0, 0, 1),
	BAD("Next Hop unknown AE", 0, BABEL_IGNORE, 7, 6, 5, 0, 10, 0, 0, 1),
	BAD("Next Hop address cut", 0, BABEL_MALFORMED, 7, 10, 2, 0, 1, 2, 3, 4, 5, 6, 7, 8),
	BAD("Update too short", 0, BABEL_MALFORMED, 8, 9, 2, 0, 0, 0, 0, 1, 0, 1, 0),
	BAD("Update IPv4 plen 33", 0, BABEL_MALFORMED, 8, 15, 1, 0, 33, 0, 0, 1, 0, 1, 0, 0,
	    1, 2, 3, 4, 5),
	BAD("Update IPv6 plen 129", 0, BABEL_MALFORMED, 8, 10, 2, 0, 129, 16, 0, 1, 0, 1, 0xff,
	    0xff),
	BAD("Update AE 4 plen 40", 0, BABEL_MALFORMED, 8, 14, 4, 0, 40, 0, 0, 1, 0, 1, 0, 0, 1,
	    2, 3, 4),
	BAD("Update omitted 5 for IPv4", 2, BABEL_MALFORMED, 6, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7,
	    8, 8, 14, 1, 0x80, 32, 0, 0, 1, 0, 1, 0, 0, 1, 2, 3, 4, 8, 10, 1, 0, 32, 5, 0, 1,
	    0, 1, 0, 0),
	BAD("Update omitted 17 for IPv6", 0, BABEL_MALFORMED, 8, 10, 2, 0, 128, 17, 0, 1, 0, 1,
	    0, 0),
	BAD("Update omitted without default", 0, BABEL_MALFORMED, 8, 11, 2, 0, 64, 7, 0, 1, 0,
	    1, 0, 0, 9),
	BAD("Update prefix cut", 0, BABEL_MALFORMED, 8, 12, 2, 0, 64, 0, 0, 1, 0, 1, 0, 0, 0x20,
	    0x01),
	BAD("wildcard Update with plen", 0, BABEL_MALFORMED, 8, 11, 0, 0, 8, 0, 0, 1, 0, 1,
	    0xff, 0xff, 10),
	BAD("wildcard Update with finite metric", 0, BABEL_MALFORMED, 8, 10, 0, 0, 0, 0, 0, 1,
	    0, 1, 0, 0),
	BAD("Update AE 3 plen 48", 0, BABEL_MALFORMED, 8, 10, 3, 0, 48, 0, 0, 1, 0, 1, 0xff,
	    0xff),
	BAD("Update AE 3 omitted", 0, BABEL_MALFORMED, 8, 17, 3, 0, 128, 1, 0, 1, 0, 1, 0xff,
	    0xff, 1, 2, 3, 4, 5, 6, 7),
	BAD("Update unknown AE", 0, BABEL_IGNORE, 8, 10, 7, 0, 0, 0, 0, 1, 0, 1, 0, 0),
	BAD("Update with no router-id", 0, BABEL_IGNORE, 8, 14, 1, 0, 32, 0, 0, 1, 0, 1, 0, 0,
	    1, 2, 3, 4),
	BAD("sub-TLV past its TLV", 0, BABEL_MALFORMED, 4, 10, 0, 0, 0, 1, 0, 1, 3, 4, 0, 0),
	BAD("sub-TLV header cut", 0, BABEL_MALFORMED, 4, 7, 0, 0, 0, 1, 0, 1, 3),
	BAD("source prefix too long", 1, BABEL_MALFORMED, 6, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
	    8, 18, 1, 0, 32, 0, 0, 1, 0, 1, 0, 0, 1, 2, 3, 4, 0x80, 2, 33, 0),
	BAD("source prefix wrong size", 0, BABEL_MALFORMED, 9, 8, 2, 0, 0x80, 4, 48, 1, 2, 3),
	BAD("source prefix twice", 0, BABEL_IGNORE, 9, 10, 2, 0, 0x80, 2, 8, 1, 0x80, 2, 8, 2),
	BAD("source prefix on wildcard request", 0, BABEL_IGNORE, 9, 5, 0, 0, 0x80, 1, 0),
	BAD("Route Request too short", 0, BABEL_MALFORMED, 9, 1, 2),
	BAD("wildcard Route Request with plen", 0, BABEL_MALFORMED, 9, 2, 0, 8),
	BAD("Route Request prefix cut", 0, BABEL_MALFORMED, 9, 4, 2, 64, 1, 2),
	BAD("Route Request IPv4 plen 33", 0, BABEL_MALFORMED, 9, 7, 1, 33, 1, 2, 3, 4, 5),
	BAD("Seqno Request too short", 0, BABEL_MALFORMED, 10, 13, 2, 0, 0, 1, 2, 0, 1, 2, 3,
	    4, 5, 6, 7),
	BAD("Seqno Request AE 0", 0, BABEL_MALFORMED, 10, 14, 0, 0, 0, 1, 2, 0, 1, 2, 3, 4, 5,
	    6, 7, 8),
	BAD("Seqno Request plen 200", 0, BABEL_MALFORMED, 10, 14, 2, 200, 0, 1, 2, 0, 1, 2, 3,
	    4, 5, 6, 7, 8),
	BAD("PC too short", 0, BABEL_MALFORMED, 17, 3, 0, 0, 1),
	BAD("PC index 33", 0, BABEL_MALFORMED, 17, 37, 0, 0, 0, 1, [38] = 0),
	BAD("nonce 193", 0, BABEL_MALFORMED, 18, 193, [194] = 0),
	BAD("TLV past the end", 0, BABEL_MALFORMED, 4, 6, 0, 0, 0, 1, 0),
	BAD("TLV header cut", 1, BABEL_MALFORMED, 3, 2, 0, 1, 4),
};

/* One test per case, named after it, so each shows in the TAP output. */
static void test_malformed_case(void **state)
{
	const struct bad_case *c = *state;
	struct dec d;
	decode_span(c->body, c->len, false, &d);
	assert_true(d.n > c->index);
	assert_int_equal(d.r[c->index], c->want);
	assert_non_null(d.t[c->index].why);
	/* Whatever was refused, the TLVs before it decoded normally. */
	for (int i = 0; i < c->index; i++)
		assert_int_equal(d.r[i], BABEL_OK);
}

static void test_framing_breaks_rest(void **state)
{
	(void)state;
	struct dec d;
	DECODE(&d, 3, 2, 0, 1, 4, 200, 0, 0, 0, 1, 0, 1);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.r[0], BABEL_OK);
	assert_int_equal(d.r[1], BABEL_MALFORMED);
	assert_true(d.broken);
	/* A TLV bad inside keeps the framing: the next one is decoded. */
	DECODE(&d, 4, 4, 0, 0, 0, 1, 3, 2, 0, 1);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.r[0], BABEL_MALFORMED);
	assert_int_equal(d.r[1], BABEL_OK);
	assert_false(d.broken);
}

static void test_poisoned_state(void **state)
{
	(void)state;
	struct dec d;
	/* A bad Router-Id: the routes after it are ignored, not misattributed. */
	DECODE(&d, 6, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
	       6, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	       8, 14, 1, 0, 32, 0, 0, 1, 0, 1, 0, 0, 1, 2, 3, 4,
	       8, 14, 1, 0, 32, 0, 0, 1, 0, 1, 0xff, 0xff, 1, 2, 3, 4);
	assert_int_equal(d.r[1], BABEL_MALFORMED);
	assert_int_equal(d.r[2], BABEL_IGNORE);
	assert_int_equal(d.r[3], BABEL_OK); /* a retraction needs no router-id */
	/* A bad Update that would have set the default prefix. */
	DECODE(&d, 6, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
	       8, 13, 1, 0x80, 24, 0, 0, 1, 0, 1, 0, 0, 1, 2, 3,
	       8, 15, 1, 0x80, 24, 0, 0, 1, 0, 1, 0, 0, 1, 2, 3, 3, 9,
	       8, 11, 1, 0, 32, 3, 0, 1, 0, 1, 0, 0, 1);
	assert_int_equal(d.r[1], BABEL_OK);
	assert_int_equal(d.r[2], BABEL_MALFORMED);
	assert_int_equal(d.r[3], BABEL_IGNORE);
	/* A bad Next Hop: IPv6 routes after it are ignored, IPv4 ones not. */
	DECODE(&d, 6, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
	       7, 6, 3, 0, 1, 2, 3, 4,
	       8, 14, 4, 0, 32, 0, 0, 1, 0, 1, 0, 0, 1, 2, 3, 4,
	       8, 14, 1, 0, 32, 0, 0, 1, 0, 1, 0, 0, 1, 2, 3, 4);
	assert_int_equal(d.r[1], BABEL_MALFORMED);
	assert_int_equal(d.r[2], BABEL_IGNORE);
	assert_int_equal(d.r[3], BABEL_OK);
	assert_false(d.t[3].update.has_next_hop);
	/* An Update too short to read its flags poisons everything it could. */
	DECODE(&d, 6, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 1, 2,
	       8, 14, 1, 0, 32, 0, 0, 1, 0, 1, 0, 0, 1, 2, 3, 4);
	assert_int_equal(d.r[1], BABEL_MALFORMED);
	assert_int_equal(d.r[2], BABEL_IGNORE);
}

/* ================================================================ encoder */

static void test_encoder_atomic_full(void **state)
{
	(void)state;
	struct babel_update u = { .ae = 2, .interval = 400, .seqno = 1, .metric = 5,
				  .has_router_id = true, .has_next_hop = true };
	memcpy(u.router_id, RID, 8);
	u.prefix = pfx6(DB8_1_2, 64);
	u.next_hop.af = BABEL_AF_IPV6;
	memcpy(u.next_hop.bytes, DB8_1_2, 16);
	/* Router-Id 12 + Next Hop 20 + Update 20 = 52: try every room below. */
	for (size_t cap = 4; cap < 4 + 52; cap++) {
		uint8_t buf[64], before[64];
		memset(buf, 0x5a, sizeof buf);
		struct babel_pkt p;
		babel_pkt_init(&p, buf, cap, 0);
		memcpy(before, buf, sizeof buf);
		struct babel_state st = p.st;
		assert_int_equal(babel_put_update(&p, &u), BABEL_PUT_FULL);
		assert_memory_equal(buf, before, sizeof buf);
		assert_memory_equal(&p.st, &st, sizeof st);
		assert_int_equal(p.len, 4);
	}
	uint8_t buf[56];
	struct babel_pkt p;
	babel_pkt_init(&p, buf, sizeof buf, 0);
	assert_int_equal(babel_put_update(&p, &u), BABEL_PUT_OK);
	assert_int_equal(babel_pkt_len(&p), 56);
	assert_int_equal(babel_pkt_room(&p), 0);
}

static void test_encoder_state_changes_only(void **state)
{
	(void)state;
	struct enc e;
	enc_init(&e);
	struct babel_update u = { .ae = 1, .interval = 400, .seqno = 1, .metric = 5,
				  .has_router_id = true, .has_next_hop = true };
	memcpy(u.router_id, RID, 8);
	u.prefix = pfx4(192, 0, 2, 0, 24);
	u.next_hop.af = BABEL_AF_IPV4;
	memcpy(u.next_hop.bytes, BYTES(192, 0, 2, 1), 4);
	u.next_hop.bytes[9] = 0x77; /* junk past IPv4: not part of the address */
	assert_int_equal(babel_put_update(&e.p, &u), BABEL_PUT_OK);
	u.prefix.bytes[2] = 3;
	u.next_hop.bytes[9] = 0;
	assert_int_equal(babel_put_update(&e.p, &u), BABEL_PUT_OK);
	u.router_id[7] = 9;
	u.next_hop.bytes[3] = 2;
	u.prefix.bytes[2] = 4;
	assert_int_equal(babel_put_update(&e.p, &u), BABEL_PUT_OK);
	ASSERT_BODY(&e, 6, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
		    7, 6, 1, 0, 192, 0, 2, 1,
		    8, 13, 1, 0x80, 24, 0, 1, 0x90, 0, 1, 0, 5, 192, 0, 2,
		    8, 11, 1, 0x80, 24, 2, 1, 0x90, 0, 1, 0, 5, 3,
		    6, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7, 9,
		    7, 6, 1, 0, 192, 0, 2, 2,
		    8, 11, 1, 0x80, 24, 2, 1, 0x90, 0, 1, 0, 5, 4);
	/* Back to "my own address" needs a new packet. */
	u.has_next_hop = false;
	size_t len = e.p.len;
	assert_int_equal(babel_put_update(&e.p, &u), BABEL_PUT_FULL);
	assert_int_equal(e.p.len, len);
	enc_init(&e);
	assert_int_equal(babel_put_update(&e.p, &u), BABEL_PUT_OK);
	/* Retractions carry neither router-id nor next hop. */
	enc_init(&e);
	u.metric = BABEL_INFINITY;
	u.has_router_id = false;
	assert_int_equal(babel_put_update(&e.p, &u), BABEL_PUT_OK);
	ASSERT_BODY(&e, 8, 13, 1, 0x80, 24, 0, 1, 0x90, 0, 1, 0xff, 0xff, 192, 0, 4);
}

static void test_encoder_invalid(void **state)
{
	(void)state;
	struct enc e;
	enc_init(&e);
	struct babel_update u = { .ae = 2, .metric = 5, .has_router_id = true };
	memcpy(u.router_id, RID, 8);
	u.prefix = pfx4(10, 0, 0, 0, 8);
	assert_int_equal(babel_put_update(&e.p, &u), BABEL_PUT_INVALID); /* AE vs family */
	u.ae = 1;
	u.prefix.plen = 33;
	assert_int_equal(babel_put_update(&e.p, &u), BABEL_PUT_INVALID);
	u.prefix.plen = 8;
	u.has_router_id = false;
	assert_int_equal(babel_put_update(&e.p, &u), BABEL_PUT_INVALID); /* route: needs id */
	u.has_router_id = true;
	u.has_next_hop = true;
	u.next_hop.af = BABEL_AF_IPV6;
	assert_int_equal(babel_put_update(&e.p, &u), BABEL_PUT_INVALID); /* v4 route, v6 nh */
	u.has_next_hop = false;
	u.ae = 0;
	assert_int_equal(babel_put_update(&e.p, &u), BABEL_PUT_INVALID); /* wildcard route */
	u.ae = 3;
	u.prefix = pfx6(DB8_1_2, 128);
	assert_int_equal(babel_put_update(&e.p, &u), BABEL_PUT_INVALID); /* AE 3: fe80::/64 */
	u.ae = 9;
	assert_int_equal(babel_put_update(&e.p, &u), BABEL_PUT_INVALID);
	u.ae = 2;
	u.has_src = true;
	u.src = pfx4(10, 0, 0, 0, 8);
	assert_int_equal(babel_put_update(&e.p, &u), BABEL_PUT_INVALID); /* families differ */
	struct babel_seqno_req q = { .ae = 0 };
	assert_int_equal(babel_put_seqno_req(&e.p, &q), BABEL_PUT_INVALID);
	struct babel_route_req r = { .ae = 0, .has_src = true };
	assert_int_equal(babel_put_route_req(&e.p, &r), BABEL_PUT_INVALID);
	assert_int_equal(e.p.len, 4);
	assert_true(babel_pkt_empty(&e.p));
}

static void test_encoder_finish_writes_length(void **state)
{
	(void)state;
	struct enc e;
	enc_init(&e);
	struct babel_ack a = { 7 };
	assert_int_equal(babel_put_ack(&e.p, &a), BABEL_PUT_OK);
	assert_false(babel_pkt_empty(&e.p));
	assert_int_equal(babel_pkt_finish(&e.p), 8);
	assert_memory_equal(e.buf, BYTES(42, 2, 0, 4, 3, 2, 0, 7), 8);
	/* Too small for even a header: everything is full. */
	uint8_t tiny[3];
	struct babel_pkt p;
	babel_pkt_init(&p, tiny, sizeof tiny, 0);
	assert_int_equal(babel_put_pad1(&p), BABEL_PUT_FULL);
	assert_int_equal(babel_pkt_finish(&p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_split),
		cmocka_unit_test(test_header_bad),
		cmocka_unit_test(test_pseudo_header),
		cmocka_unit_test(test_pad),
		cmocka_unit_test(test_ack_req_ack),
		cmocka_unit_test(test_hello),
		cmocka_unit_test(test_ihu_all_aes),
		cmocka_unit_test(test_router_id),
		cmocka_unit_test(test_next_hop_semantics),
		cmocka_unit_test(test_update_ipv6_compression),
		cmocka_unit_test(test_update_encode_compression),
		cmocka_unit_test(test_update_ipv4_and_v4_via_v6),
		cmocka_unit_test(test_update_router_id_flag),
		cmocka_unit_test(test_update_wildcard_and_link_local),
		cmocka_unit_test(test_update_source_prefix),
		cmocka_unit_test(test_route_request),
		cmocka_unit_test(test_seqno_request),
		cmocka_unit_test(test_pc_and_challenges),
		cmocka_unit_test(test_mac_trailer),
		cmocka_unit_test(test_subtlv_padding_and_unknown),
		cmocka_unit_test(test_subtlv_mandatory_unknown),
		cmocka_unit_test(test_unknown_tlv_skipped),
		cmocka_unit_test(test_framing_breaks_rest),
		cmocka_unit_test(test_poisoned_state),
		cmocka_unit_test(test_encoder_atomic_full),
		cmocka_unit_test(test_encoder_state_changes_only),
		cmocka_unit_test(test_encoder_invalid),
		cmocka_unit_test(test_encoder_finish_writes_length),
	};
	/* One group, so TAP sees one plan: the known answers, then one test
	 * per malformed case. */
	enum { NKAT = sizeof tests / sizeof tests[0], NBAD = sizeof bad_cases / sizeof bad_cases[0] };
	struct CMUnitTest all[NKAT + NBAD];
	memcpy(all, tests, sizeof tests);
	for (size_t i = 0; i < NBAD; i++) {
		struct CMUnitTest t = { bad_cases[i].name, test_malformed_case, NULL, NULL,
					(void *)&bad_cases[i] };
		all[NKAT + i] = t;
	}
	return cmocka_run_group_tests_name("babel codec", all, NULL, NULL);
}
