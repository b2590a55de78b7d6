/* The codec against real traffic: every packet of two babeld 1.12
 * captures (tests/data, see shared captures README) decodes without a
 * malformed TLV, carries the fields babeld was configured to send, checks
 * its RFC 8967 HMAC through our pseudo-header, and survives re-encoding.
 *
 * The captures are pcapng (as dumpcap writes them) with Ethernet frames,
 * read through the project's one capture reader (tools/pcapfile.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <nettle/hmac.h>

#include "proto/babel.h"
#include "tools/pcap_udp6.h"
#include "tools/pcapfile.h"

enum { MAX_PKTS = 64, MAX_FRAME = 2048 };

struct udp_pkt {
	struct babel_addr src, dst;
	uint16_t sport, dport;
	size_t len;
	uint8_t payload[MAX_FRAME];
};

struct capture {
	int n;
	struct udp_pkt pkt[MAX_PKTS];
};

/* ------------------------------------------------------- the captures */

/* Every record is Ethernet + IPv6 + UDP: keeps the addresses, ports and a
 * copy of the payload (a test below flips its bits). */
static void add_record(struct capture *c, const struct pcapfile_record *rec)
{
	assert_true(c->n < MAX_PKTS);
	assert_int_equal(rec->linktype, PCAPFILE_ETHERNET);
	struct udp6 u;
	assert_int_equal(pcap_udp6(rec->linktype, rec->data, rec->len, &u), 0);
	assert_true(u.len <= MAX_FRAME);
	struct udp_pkt *out = &c->pkt[c->n++];
	memset(out, 0, sizeof *out);
	out->src.af = out->dst.af = BABEL_AF_IPV6;
	memcpy(out->src.bytes, u.src, 16);
	memcpy(out->dst.bytes, u.dst, 16);
	out->sport = u.sport;
	out->dport = u.dport;
	out->len = u.len;
	memcpy(out->payload, u.payload, u.len);
}

static struct capture *load(const char *name)
{
	const char *top = getenv("top_srcdir");
	char path[4096], err[PCAPFILE_ERROR_MAX];
	snprintf(path, sizeof path, "%s/tests/data/%s", top ? top : ".", name);
	struct pcapfile *pf = pcapfile_open(path, err);
	if (!pf)
		fail_msg("%s: %s", path, err);
	struct capture *c = calloc(1, sizeof *c);
	assert_non_null(c);
	struct pcapfile_record rec;
	int r;
	while ((r = pcapfile_next(pf, &rec)) > 0)
		add_record(c, &rec);
	if (r < 0)
		fail_msg("%s: %s", path, pcapfile_error(pf));
	pcapfile_close(pf);
	return c;
}

/* ---------------------------------------------------------- decoding */

enum { MAXT = 64 };

struct decoded {
	int n;
	enum babel_result r[MAXT];
	struct babel_tlv t[MAXT];
};

static void decode_body(const struct babel_packet *pk, struct decoded *d)
{
	struct babel_iter it;
	babel_iter_body(&it, pk);
	d->n = 0;
	for (;;) {
		assert_true(d->n < MAXT);
		enum babel_result r = babel_iter_next(&it, &d->t[d->n]);
		if (r == BABEL_END)
			break;
		if (r == BABEL_MALFORMED)
			fail_msg("malformed TLV %d (type %d): %s", d->n, d->t[d->n].type,
				 d->t[d->n].why);
		d->r[d->n++] = r;
	}
	assert_false(babel_iter_broken(&it));
}

/* What a whole capture showed, for the checks below. */
struct seen {
	int per_type[256];
	int ae_updates[BABEL_AE_COUNT];
	int hello_ts, ihu_ts, ihu_ll, v4via6_ok, src_ok, wildcard_retractions;
	int wildcard_requests, macs, rids_ok;
};

static const uint8_t FD97[16] = { 0xfd, 0x97 };
static const uint8_t DB8_97[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x97 };
static const uint8_t LL_A[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0,
				  0x94, 0x40, 0x45, 0xff, 0xfe, 0xcd, 0xaa, 0x5a };
static const uint8_t LL_B[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0,
				  0x54, 0xe0, 0x85, 0xff, 0xfe, 0x60, 0x02, 0xe8 };

static void see_update(const struct babel_update *u, const uint8_t (*rids)[8], struct seen *s)
{
	s->ae_updates[u->ae]++;
	if (u->ae == BABEL_AE_WILDCARD) {
		s->wildcard_retractions += u->metric == BABEL_INFINITY;
		return;
	}
	if (u->metric != BABEL_INFINITY) {
		assert_true(u->has_router_id);
		s->rids_ok += memcmp(u->router_id, rids[0], 8) == 0 ||
			      memcmp(u->router_id, rids[1], 8) == 0;
		assert_false(u->has_next_hop); /* babeld lets the source address be it */
	}
	/* 10.97.0.1/32 and 10.97.0.2/32 over IPv6 (RFC 9229). */
	if (u->ae == BABEL_AE_V4_VIA_V6) {
		assert_int_equal(u->prefix.af, BABEL_AF_IPV4);
		assert_int_equal(u->prefix.plen, 32);
		assert_memory_equal(u->prefix.bytes, ((const uint8_t[]){ 10, 97, 0 }), 3);
		assert_true(u->prefix.bytes[3] == 1 || u->prefix.bytes[3] == 2);
		s->v4via6_ok++;
	}
	/* fd97::1/128 and fd97::2/128 from 2001:db8:97::/48 (RFC 9079). */
	if (u->ae == BABEL_AE_IPV6 && u->has_src) {
		assert_int_equal(u->prefix.plen, 128);
		assert_memory_equal(u->prefix.bytes, FD97, 15);
		assert_int_equal(u->src.plen, 48);
		assert_memory_equal(u->src.bytes, DB8_97, 16);
		s->src_ok++;
	}
}

static void see_tlv(const struct babel_tlv *t, const uint8_t (*rids)[8], struct seen *s)
{
	s->per_type[t->type]++;
	switch (t->type) {
	case BABEL_TLV_HELLO:
		s->hello_ts += t->hello.has_timestamp;
		break;
	case BABEL_TLV_IHU:
		s->ihu_ts += t->ihu.has_timestamp;
		if (t->ihu.ae == BABEL_AE_LINK_LOCAL &&
		    (memcmp(t->ihu.addr.bytes, LL_A, 16) == 0 ||
		     memcmp(t->ihu.addr.bytes, LL_B, 16) == 0))
			s->ihu_ll++;
		break;
	case BABEL_TLV_ROUTER_ID:
		assert_true(memcmp(t->router_id.id, rids[0], 8) == 0 ||
			    memcmp(t->router_id.id, rids[1], 8) == 0);
		break;
	case BABEL_TLV_UPDATE:
		see_update(&t->update, rids, s);
		break;
	case BABEL_TLV_ROUTE_REQ:
		s->wildcard_requests += t->route_req.ae == BABEL_AE_WILDCARD;
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------ the MAC */

static const uint8_t KEY[32] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
				 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31 };

static void check_mac(const struct udp_pkt *u, const struct babel_packet *pk, struct seen *s)
{
	uint8_t ph[BABEL_PSEUDO_HEADER_LEN], mac[SHA256_DIGEST_SIZE];
	assert_int_equal(babel_mac_pseudo_header(ph, &u->src, u->sport, &u->dst, u->dport), 36);
	struct hmac_sha256_ctx ctx;
	hmac_sha256_set_key(&ctx, sizeof KEY, KEY);
	hmac_sha256_update(&ctx, sizeof ph, ph);
	hmac_sha256_update(&ctx, pk->header.len, pk->header.p);
	hmac_sha256_update(&ctx, pk->body.len, pk->body.p);
	hmac_sha256_digest(&ctx, sizeof mac, mac);
	struct babel_iter it;
	struct babel_tlv t;
	babel_iter_trailer(&it, pk);
	int found = 0;
	while (babel_iter_next(&it, &t) == BABEL_OK) {
		if (t.type != BABEL_TLV_MAC)
			continue;
		assert_int_equal(t.mac.len, sizeof mac);
		assert_memory_equal(t.mac.p, mac, sizeof mac);
		found++;
	}
	assert_false(babel_iter_broken(&it));
	assert_int_equal(found, 1);
	s->macs++;
}

/* ------------------------------------------------------- re-encoding */

static bool carries_state(uint8_t type)
{
	return type == BABEL_TLV_ROUTER_ID || type == BABEL_TLV_NEXT_HOP ||
	       type == BABEL_TLV_PAD1 || type == BABEL_TLV_PADN;
}

/* Every decoded TLV back through the encoder and decoder means the same;
 * packets without updates come back octet for octet. */
static void check_reencode(const struct babel_packet *pk, const struct decoded *d)
{
	uint8_t buf[MAX_FRAME];
	struct babel_pkt p;
	babel_pkt_init(&p, buf, sizeof buf, 0);
	bool routes = false;
	for (int i = 0; i < d->n; i++) {
		if (d->r[i] != BABEL_OK)
			continue;
		routes = routes || carries_state(d->t[i].type) || d->t[i].type == BABEL_TLV_UPDATE;
		assert_int_equal(babel_put_tlv(&p, &d->t[i]), BABEL_PUT_OK);
	}
	size_t len = babel_pkt_finish(&p);
	struct babel_packet again;
	assert_int_equal(babel_packet_split(buf, len, &again), BABEL_OK);
	if (!routes) {
		assert_int_equal(again.body.len, pk->body.len);
		assert_memory_equal(again.body.p, pk->body.p, pk->body.len);
	}
	struct decoded *d2 = calloc(1, sizeof *d2);
	assert_non_null(d2);
	decode_body(&again, d2);
	int j = 0;
	for (int i = 0; i < d->n; i++) {
		if (d->r[i] != BABEL_OK || carries_state(d->t[i].type))
			continue;
		while (j < d2->n && carries_state(d2->t[j].type))
			j++;
		assert_true(j < d2->n);
		assert_int_equal(d2->r[j], BABEL_OK);
		assert_true(babel_tlv_same(&d->t[i], &d2->t[j]));
		j++;
	}
	free(d2);
}

/* ------------------------------------------------------------- tests */

static void run_capture(const char *name, const uint8_t (*rids)[8], bool hmac, struct seen *s)
{
	struct capture *c = load(name);
	struct decoded *d = calloc(1, sizeof *d);
	assert_non_null(d);
	memset(s, 0, sizeof *s);
	assert_int_equal(c->n, 31);
	for (int i = 0; i < c->n; i++) {
		const struct udp_pkt *u = &c->pkt[i];
		struct babel_packet pk;
		assert_int_equal(u->sport, BABEL_PORT);
		assert_int_equal(babel_packet_split(u->payload, u->len, &pk), BABEL_OK);
		decode_body(&pk, d);
		for (int k = 0; k < d->n; k++)
			see_tlv(&d->t[k], rids, s);
		if (hmac)
			check_mac(u, &pk, s);
		else
			assert_int_equal(pk.trailer.len, 0);
		check_reencode(&pk, d);
	}
	free(d);
	free(c);
}

static void check_common(const struct seen *s)
{
	assert_true(s->per_type[BABEL_TLV_HELLO] >= 28);
	assert_int_equal(s->hello_ts, s->per_type[BABEL_TLV_HELLO]);
	assert_true(s->per_type[BABEL_TLV_IHU] >= 12);
	assert_int_equal(s->ihu_ll, s->per_type[BABEL_TLV_IHU]);
	assert_true(s->ihu_ts > 0);
	assert_true(s->ae_updates[BABEL_AE_WILDCARD] >= 2);
	assert_int_equal(s->wildcard_retractions, s->ae_updates[BABEL_AE_WILDCARD]);
	assert_true(s->v4via6_ok >= 6);
	assert_true(s->src_ok >= 6);
	assert_int_equal(s->rids_ok, s->v4via6_ok + s->src_ok);
	assert_int_equal(s->wildcard_requests, 4);
	assert_int_equal(s->ae_updates[BABEL_AE_IPV4], 0);
}

static const uint8_t PLAIN_RIDS[2][8] = { { 0x6c, 0x97, 0x32, 0xa0, 0xe2, 0x52, 0xcc, 0x6a },
					  { 0xe0, 0xe7, 0x98, 0xb4, 0x6d, 0xeb, 0x0d, 0x9a } };
static const uint8_t HMAC_RIDS[2][8] = { { 0xb4, 0x93, 0x7d, 0x6d, 0x93, 0xdd, 0x97, 0x6a },
					 { 0xf4, 0x70, 0xcf, 0x13, 0x6e, 0xf8, 0x00, 0xd4 } };

static void test_plain_capture(void **state)
{
	(void)state;
	struct seen s;
	run_capture("babeld-1.12-plain.pcap", PLAIN_RIDS, false, &s);
	check_common(&s);
	assert_int_equal(s.per_type[BABEL_TLV_ROUTER_ID], 8);
	assert_int_equal(s.per_type[BABEL_TLV_UPDATE], 20);
	assert_int_equal(s.per_type[BABEL_TLV_PC], 0);
}

static void test_hmac_capture(void **state)
{
	(void)state;
	struct seen s;
	run_capture("babeld-1.12-hmac.pcap", HMAC_RIDS, true, &s);
	check_common(&s);
	assert_int_equal(s.macs, 31);
	assert_int_equal(s.per_type[BABEL_TLV_PC], 31);
	assert_int_equal(s.per_type[BABEL_TLV_CHALLENGE_REQ], 2);
	assert_int_equal(s.per_type[BABEL_TLV_CHALLENGE_REPLY], 2);
	assert_int_equal(s.per_type[BABEL_TLV_MAC], 0); /* trailer only */
}

/* A flipped octet anywhere in the body breaks the MAC check: the spans
 * the MAC covers are exactly header and body. */
static void test_hmac_covers_body(void **state)
{
	(void)state;
	struct capture *c = load("babeld-1.12-hmac.pcap");
	struct udp_pkt *u = &c->pkt[4];
	struct babel_packet pk;
	assert_int_equal(babel_packet_split(u->payload, u->len, &pk), BABEL_OK);
	uint8_t ph[BABEL_PSEUDO_HEADER_LEN], mac[SHA256_DIGEST_SIZE];
	for (size_t i = 0; i < BABEL_HEADER_LEN + pk.body.len; i++) {
		u->payload[i] ^= 1;
		struct hmac_sha256_ctx ctx;
		hmac_sha256_set_key(&ctx, sizeof KEY, KEY);
		babel_mac_pseudo_header(ph, &u->src, u->sport, &u->dst, u->dport);
		hmac_sha256_update(&ctx, sizeof ph, ph);
		hmac_sha256_update(&ctx, BABEL_HEADER_LEN + pk.body.len, u->payload);
		hmac_sha256_digest(&ctx, sizeof mac, mac);
		assert_memory_not_equal(mac, pk.trailer.p + 2, sizeof mac);
		u->payload[i] ^= 1;
	}
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_capture),
		cmocka_unit_test(test_hmac_capture),
		cmocka_unit_test(test_hmac_covers_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
