/* Writes Babel packets covering every TLV, sub-TLV and address encodings
 * 0 to 3 into a pcap (Ethernet, IPv6, UDP 6696), and beside it the lines
 * tshark's Babel dissector must print for them if our encoder wrote what
 * we meant.  The expectations come from the values handed to the encoder,
 * never from our decoder, so tshark is the only judge.
 *
 * Usage: tshark_babel_gen OUT.pcap OUT.expected
 * Expected file: "== N" starts packet N, then one line per fact, as tshark
 * -V prints it (leading blanks removed), in order.
 *
 * tshark 4.0 knows no AE 4 (it prints "Unknown (4)"), no source-prefix
 * sub-TLV (it prints it as an unknown mandatory one) and shows the PC as
 * "Index"; the expectations say exactly that and no more. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto/babel.h"
#include "tests/lib/pcap.h"
#include "tests/lib/rng.h"

static const uint8_t SRC[16] = { 0xfe, 0x80, [8] = 0x02, [15] = 0x01 };
static const uint8_t DST[16] = { 0xff, 0x02, [13] = 0x01, [15] = 0x06 };

/* The packet being built and what tshark must say about it. */
struct gen {
	FILE *pcap, *exp;
	struct test_rng rng;
	int packets;
	uint8_t buf[1452];
	struct babel_pkt p;
	char lines[16384]; /* expectations of the TLVs written so far */
	size_t used;
	char tlv[1024];    /* expectations of the TLV being tried */
	size_t tlv_used;
	bool failed;        /* the encoder refused something valid */
	bool have_rid, have_nh[2];
	uint8_t rid[8];
	struct babel_addr nh[2];
};

__attribute__((format(printf, 2, 3)))
static void expect(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(g->tlv + g->tlv_used, sizeof g->tlv - g->tlv_used, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n + 1 < sizeof g->tlv - g->tlv_used) {
		g->tlv_used += (size_t)n;
		g->tlv[g->tlv_used++] = '\n';
		g->tlv[g->tlv_used] = 0;
	}
}

/* Keeps the expectations of a TLV the encoder took, drops the others. */
static bool took(struct gen *g, enum babel_put res)
{
	if (res == BABEL_PUT_OK && g->used + g->tlv_used < sizeof g->lines) {
		memcpy(g->lines + g->used, g->tlv, g->tlv_used);
		g->used += g->tlv_used;
	}
	g->tlv_used = 0;
	if (res == BABEL_PUT_INVALID) {
		fprintf(stderr, "encoder refused a valid TLV\n");
		g->failed = true;
	}
	return res == BABEL_PUT_OK;
}

static void begin(struct gen *g, size_t cap, size_t trailer)
{
	babel_pkt_init(&g->p, g->buf, cap, trailer);
	g->used = g->tlv_used = 0;
	g->have_rid = g->have_nh[0] = g->have_nh[1] = false;
}

static int end(struct gen *g)
{
	size_t body = babel_pkt_finish(&g->p) - BABEL_HEADER_LEN;
	fprintf(g->exp, "== %d\nMagic: 42\nVersion: 2\nBody Length: %zu\n", ++g->packets, body);
	fwrite(g->lines, 1, g->used, g->exp);
	return pcap_write_udp6(g->pcap, SRC, DST, BABEL_PORT, BABEL_PORT, g->buf,
			       babel_pkt_len(&g->p));
}

/* ------------------------------------------------------------- wording */

static const char *ae_name(uint8_t ae)
{
	static const char *names[] = { "Wildcard (0)", "IPv4 (1)", "IPv6 (2)",
				       "Link-Local IPv6 (3)", "Unknown (4)" };
	return ae < 5 ? names[ae] : "?";
}

static const char *addr_text(const struct babel_addr *a, char *out)
{
	if (a->af == BABEL_AF_NONE)
		return "::";
	return inet_ntop(a->af == BABEL_AF_IPV4 ? AF_INET : AF_INET6, a->bytes, out, 64);
}

static void expect_prefix(struct gen *g, uint8_t ae, const struct babel_prefix *p)
{
	char s[64];
	if (ae == BABEL_AE_WILDCARD) {
		expect(g, "Prefix: ::/0");
	} else if (ae != BABEL_AE_V4_VIA_V6) {
		struct babel_addr a = { p->af, { 0 } };
		memcpy(a.bytes, p->bytes, 16);
		expect(g, "Prefix: %s/%u", addr_text(&a, s), p->plen);
	}
	expect(g, "Address Encoding: %s", ae_name(ae));
}

/* tshark shows RFC 9616 timestamps (microseconds) as seconds. */
static void expect_ts(struct gen *g, const char *label, uint32_t ts)
{
	expect(g, "%s: %u.%06us", label, ts / 1000000, ts % 1000000);
}

static void expect_rid(struct gen *g, const uint8_t id[8])
{
	expect(g, "Router ID: %02x%02x%02x%02x%02x%02x%02x%02x", id[0], id[1], id[2], id[3],
	       id[4], id[5], id[6], id[7]);
}

static void expect_src(struct gen *g, bool has, const struct babel_prefix *src)
{
	if (has && src->plen)
		expect(g, "Sub TLV unknown (128)"), expect(g, "Sub-TLV Length: Unknown (%u)",
							   1 + (src->plen + 7) / 8);
}

/* -------------------------------------------------------------- TLVs */

static bool hello(struct gen *g, uint16_t flags, uint16_t seqno, uint16_t interval, bool ts)
{
	struct babel_hello h = { flags, seqno, interval, ts, (uint32_t)test_rng_next(&g->rng) };
	expect(g, "Message hello (4)");
	expect(g, "Seqno: 0x%04x", seqno);
	expect(g, "Interval: %u", interval);
	if (ts)
		expect(g, "Sub TLV timestamp (3)"), expect_ts(g, "Timestamp ", h.timestamp);
	return took(g, babel_put_hello(&g->p, &h));
}

static bool ihu(struct gen *g, const struct babel_addr *a, uint8_t ae, bool ts)
{
	char s[64];
	struct babel_ihu x = { 0, (uint16_t)test_rng_below(&g->rng, 65536),
			       (uint16_t)test_rng_below(&g->rng, 65536), *a, ts,
			       (uint32_t)test_rng_next(&g->rng), (uint32_t)test_rng_next(&g->rng) };
	expect(g, "Message ihu (5)");
	expect(g, "Rxcost: 0x%04x", x.rxcost);
	expect(g, "Interval: %u", x.interval);
	expect(g, "Address: %s", addr_text(a, s));
	expect(g, "Address Encoding: %s", ae_name(ae));
	if (ts) {
		expect(g, "Sub TLV timestamp (3)");
		expect_ts(g, "Timestamp origin ", x.origin);
		expect_ts(g, "Timestamp receive", x.receive);
	}
	return took(g, babel_put_ihu(&g->p, &x));
}

static void expect_next_hop(struct gen *g, const struct babel_addr *a)
{
	char s[64];
	bool ll = a->af == BABEL_AF_IPV6 && a->bytes[0] == 0xfe && a->bytes[1] == 0x80 &&
		  !memcmp(a->bytes + 2, "\0\0\0\0\0", 6);
	expect(g, "Message nh (7)");
	expect(g, "NH: %s", addr_text(a, s));
	expect(g, "Address Encoding: %s", a->af == BABEL_AF_IPV4 ? ae_name(1) : ae_name(ll ? 3 : 2));
}

/* A route: the Router-Id and Next Hop it needs when they change, then
 * the Update with its prefix expanded as tshark expands it. */
static bool route(struct gen *g, const struct babel_update *u)
{
	bool retraction = u->metric == BABEL_INFINITY;
	int fam = u->ae == BABEL_AE_IPV4 ? 0 : 1;
	bool new_rid = !retraction && (!g->have_rid || memcmp(g->rid, u->router_id, 8));
	bool new_nh = !retraction && u->ae && u->has_next_hop &&
		      (!g->have_nh[fam] || memcmp(&g->nh[fam], &u->next_hop, sizeof u->next_hop));
	if (new_rid)
		expect(g, "Message router-id (6)"), expect_rid(g, u->router_id);
	if (new_nh)
		expect_next_hop(g, &u->next_hop);
	expect(g, "Message update (8)");
	expect(g, "Interval: %u", u->interval);
	expect(g, "Seqno: 0x%04x", u->seqno);
	expect(g, "Metric: %u", u->metric);
	expect_prefix(g, u->ae, &u->prefix);
	expect_src(g, u->has_src, &u->src);
	if (!took(g, babel_put_update(&g->p, u)))
		return false;
	if (new_rid)
		g->have_rid = true, memcpy(g->rid, u->router_id, 8);
	if (new_nh)
		g->have_nh[fam] = true, g->nh[fam] = u->next_hop;
	return true;
}

/* tshark 4.0 does not walk the sub-TLVs of requests: it shows them as
 * the tail of the raw prefix, which then must be exactly these octets. */
static void expect_raw_with_src(struct gen *g, uint8_t ae, const struct babel_prefix *p,
				bool has, const struct babel_prefix *src)
{
	char hex[2 * 64 + 1];
	size_t n = 0;
	if (!has || !src->plen)
		return;
	unsigned skip = ae == BABEL_AE_LINK_LOCAL ? 8 : 0;
	for (unsigned i = skip; i < (p->plen + 7u) / 8; i++)
		n += (size_t)sprintf(hex + n, "%02x", p->bytes[i]);
	n += (size_t)sprintf(hex + n, "80%02x%02x", 1 + (src->plen + 7) / 8, src->plen);
	for (unsigned i = 0; i < (src->plen + 7u) / 8; i++)
		n += (size_t)sprintf(hex + n, "%02x", src->bytes[i]);
	expect(g, "Raw Prefix: %s", hex);
}

static bool route_req(struct gen *g, const struct babel_route_req *r)
{
	expect(g, "Message request (9)");
	expect_prefix(g, r->ae, &r->prefix);
	expect_raw_with_src(g, r->ae, &r->prefix, r->has_src, &r->src);
	return took(g, babel_put_route_req(&g->p, r));
}

static bool seqno_req(struct gen *g, const struct babel_seqno_req *r)
{
	expect(g, "Message mh-request (10)");
	expect(g, "Seqno: 0x%04x", r->seqno);
	expect(g, "Hop Count: %u", r->hop_count);
	expect_rid(g, r->router_id);
	expect_prefix(g, r->ae, &r->prefix);
	expect_raw_with_src(g, r->ae, &r->prefix, r->has_src, &r->src);
	return took(g, babel_put_seqno_req(&g->p, r));
}

/* ----------------------------------------------------------- packets */

static struct babel_addr addr6(const char *text)
{
	struct babel_addr a = { BABEL_AF_IPV6, { 0 } };
	inet_pton(AF_INET6, text, a.bytes);
	return a;
}

static struct babel_addr addr4(const char *text)
{
	struct babel_addr a = { BABEL_AF_IPV4, { 0 } };
	inet_pton(AF_INET, text, a.bytes);
	return a;
}

static struct babel_prefix prefix(const char *text, uint8_t plen)
{
	struct babel_addr a = strchr(text, ':') ? addr6(text) : addr4(text);
	struct babel_prefix p = { a.af, plen, { 0 } };
	memcpy(p.bytes, a.bytes, 16);
	babel_prefix_mask(&p);
	return p;
}

static int neighbour_packet(struct gen *g)
{
	struct babel_addr none = { 0 }, v4 = addr4("192.0.2.1");
	struct babel_addr v6 = addr6("2001:db8::9"), ll = addr6("fe80::9440:45ff:fecd:aa5a");
	begin(g, sizeof g->buf, 0);
	bool ok = hello(g, 0, 0xb6bb, 400, true) && ihu(g, &ll, 3, true) && ihu(g, &v6, 2, false) &&
		  ihu(g, &v4, 1, true) && ihu(g, &none, 0, false);
	return ok ? end(g) : -1;
}

static int unicast_packet(struct gen *g)
{
	struct babel_ack_req ar = { 0x1234, 500 };
	struct babel_ack a = { 0xfedc };
	begin(g, sizeof g->buf, 0);
	bool ok = hello(g, BABEL_HELLO_UNICAST, 1, 0, false);
	expect(g, "Message ack-req (2)"), expect(g, "Nonce: 0x1234"), expect(g, "Interval: 500");
	ok = ok && took(g, babel_put_ack_req(&g->p, &ar));
	expect(g, "Message ack (3)"), expect(g, "Nonce: 0xfedc");
	ok = ok && took(g, babel_put_ack(&g->p, &a));
	expect(g, "Message padn (1)"), expect(g, "Message Length: 5");
	ok = ok && took(g, babel_put_padn(&g->p, 5));
	expect(g, "Message pad1 (0)");
	ok = ok && took(g, babel_put_pad1(&g->p));
	expect(g, "Message padn (1)"), expect(g, "Message Length: 0");
	ok = ok && took(g, babel_put_padn(&g->p, 0));
	return ok ? end(g) : -1;
}

static struct babel_update update(struct gen *g, uint8_t ae, struct babel_prefix p,
				  const uint8_t rid[8], const struct babel_addr *nh)
{
	struct babel_update u = { .ae = ae, .prefix = p, .has_router_id = true };
	u.interval = (uint16_t)(100 + test_rng_below(&g->rng, 1000));
	u.seqno = (uint16_t)test_rng_below(&g->rng, 65536);
	u.metric = (uint16_t)test_rng_below(&g->rng, 0xfffe);
	memcpy(u.router_id, rid, 8);
	if (nh)
		u.has_next_hop = true, u.next_hop = *nh;
	return u;
}

static const uint8_t RID1[8] = { 0x6c, 0x97, 0x32, 0xa0, 0xe2, 0x52, 0xcc, 0x6a };
static const uint8_t RID2[8] = { 0xe0, 0xe7, 0x98, 0xb4, 0x6d, 0xeb, 0x0d, 0x9a };

static int routes_packet(struct gen *g)
{
	struct babel_addr ll = addr6("fe80::54e0:85ff:fe60:2e8"), gl = addr6("2001:db8:ff::1");
	struct babel_addr v4 = addr4("198.51.100.1");
	begin(g, sizeof g->buf, 0);
	struct babel_update us[] = {
		update(g, 2, prefix("2001:db8:1::", 48), RID1, &ll),
		update(g, 2, prefix("2001:db8:1:2::", 64), RID1, &ll),
		update(g, 2, prefix("2001:db8:1:3::", 64), RID1, &ll),
		update(g, 2, prefix("2001:db8:1::", 48), RID2, &ll),
		update(g, 2, prefix("2001:db8:2:3:4::", 80), RID2, &gl),
		update(g, 1, prefix("10.97.0.0", 16), RID2, &v4),
		update(g, 1, prefix("10.97.3.0", 24), RID2, &v4),
		update(g, 1, prefix("10.97.3.7", 32), RID1, &v4),
		update(g, 1, prefix("0.0.0.0", 0), RID1, &v4),
		update(g, 2, prefix("::", 0), RID1, &gl),
		update(g, 2, prefix("fd97::2", 128), RID1, &gl),
		update(g, 3, prefix("fe80::1", 128), RID2, &gl),
		update(g, 3, prefix("fe80::1234:0:0:0", 72), RID2, &gl),
	};
	us[10].has_src = true;
	us[10].src = prefix("2001:db8:97::", 48);
	us[2].metric = BABEL_INFINITY;
	bool ok = true;
	for (size_t i = 0; ok && i < sizeof us / sizeof us[0]; i++)
		ok = route(g, &us[i]);
	struct babel_update w = { .ae = 0, .interval = 400, .seqno = 77, .metric = BABEL_INFINITY };
	ok = ok && route(g, &w);
	return ok ? end(g) : -1;
}

static int requests_packet(struct gen *g)
{
	begin(g, sizeof g->buf, 0);
	struct babel_route_req rr[] = {
		{ .ae = 0 },
		{ .ae = 1, .prefix = prefix("10.97.3.0", 24) },
		{ .ae = 2, .prefix = prefix("2001:db8:1::", 48) },
		{ .ae = 2, .prefix = prefix("fd97::1", 128), .has_src = true,
		  .src = prefix("2001:db8:97::", 48) },
		{ .ae = 3, .prefix = prefix("fe80::5", 128) },
	};
	bool ok = true;
	for (size_t i = 0; ok && i < sizeof rr / sizeof rr[0]; i++)
		ok = route_req(g, &rr[i]);
	struct babel_seqno_req sr[] = {
		{ .ae = 1, .seqno = 0x1234, .hop_count = 64, .prefix = prefix("10.97.0.2", 32) },
		{ .ae = 2, .seqno = 0xfffe, .hop_count = 2, .prefix = prefix("2001:db8:1:2::", 64),
		  .has_src = true, .src = prefix("2001:db8:97::", 48) },
		{ .ae = 3, .seqno = 1, .hop_count = 127, .prefix = prefix("fe80::9", 128) },
	};
	for (size_t i = 0; ok && i < sizeof sr / sizeof sr[0]; i++) {
		memcpy(sr[i].router_id, i % 2 ? RID1 : RID2, 8);
		ok = seqno_req(g, &sr[i]);
	}
	return ok ? end(g) : -1;
}

static int security_packet(struct gen *g)
{
	static const uint8_t index[8] = { 0x33, 0x7d, 0xd8, 0xf6, 0x72, 0xa5, 0x9b, 0xf7 };
	uint8_t nonce[192], mac[32];
	for (size_t i = 0; i < sizeof nonce; i++)
		nonce[i] = (uint8_t)test_rng_next(&g->rng);
	for (size_t i = 0; i < sizeof mac; i++)
		mac[i] = (uint8_t)i;
	begin(g, sizeof g->buf, 2 * 34);
	bool ok = hello(g, 0, 9, 100, true);
	expect(g, "Message pc (17)"), expect(g, "Message Length: 12"), expect(g, "Index: 4000000000");
	ok = ok && took(g, babel_put_pc(&g->p, 4000000000u, index, sizeof index));
	expect(g, "Message challenge-request (18)"), expect(g, "Message Length: 8");
	ok = ok && took(g, babel_put_challenge_req(&g->p, nonce, 8));
	expect(g, "Message challenge-reply (19)"), expect(g, "Message Length: 192");
	ok = ok && took(g, babel_put_challenge_reply(&g->p, nonce, 192));
	babel_pkt_finish(&g->p);
	expect(g, "Packet Trailer (68)");
	for (int i = 0; i < 2; i++) {
		expect(g, "Message hmac (16)"), expect(g, "Message Length: 32");
		ok = ok && took(g, babel_put_mac(&g->p, mac, sizeof mac));
	}
	return ok ? end(g) : -1;
}

/* A full 1500-octet-MTU packet of routes near each other: compression,
 * router-id and next-hop changes at realistic density. */
static int full_packet(struct gen *g)
{
	struct babel_addr nh6[2] = { addr6("fe80::1"), addr6("fe80::2") };
	struct babel_addr nh4[2] = { addr4("192.0.2.1"), addr4("192.0.2.2") };
	const uint8_t *rids[2] = { RID1, RID2 };
	begin(g, sizeof g->buf, 0);
	for (int n = 0;; n++) {
		struct babel_prefix p;
		uint8_t ae = test_rng_below(&g->rng, 3) ? 2 : 1;
		if (ae == 2) {
			p = prefix("2001:db8::", 48);
			p.bytes[4] = (uint8_t)test_rng_below(&g->rng, 4);
			p.bytes[5] = (uint8_t)test_rng_below(&g->rng, 256);
			p.bytes[7] = (uint8_t)test_rng_below(&g->rng, 256);
			p.plen = (uint8_t)(48 + test_rng_below(&g->rng, 17));
		} else {
			p = prefix("10.0.0.0", 24);
			p.bytes[1] = (uint8_t)test_rng_below(&g->rng, 4);
			p.bytes[2] = (uint8_t)test_rng_below(&g->rng, 256);
			p.bytes[3] = (uint8_t)test_rng_below(&g->rng, 256);
			p.plen = (uint8_t)(24 + test_rng_below(&g->rng, 9));
		}
		babel_prefix_mask(&p);
		int k = n / 16 % 2;
		struct babel_update u = update(g, ae, p, rids[k], ae == 2 ? &nh6[k] : &nh4[k]);
		if (!route(g, &u))
			break;
	}
	return end(g);
}

/* AE 4: tshark cannot expand it; it must only not call it malformed. */
static int v4_via_v6_packet(struct gen *g)
{
	struct babel_addr ll = addr6("fe80::54e0:85ff:fe60:2e8");
	begin(g, sizeof g->buf, 0);
	bool ok = true;
	for (int i = 1; ok && i <= 4; i++) {
		struct babel_prefix p = prefix("10.97.0.0", 32);
		p.bytes[3] = (uint8_t)i;
		struct babel_update u = update(g, 4, p, RID1, &ll);
		ok = route(g, &u);
	}
	struct babel_route_req rr = { .ae = 4, .prefix = prefix("10.97.0.0", 16) };
	struct babel_seqno_req sr = { .ae = 4, .seqno = 3, .hop_count = 9,
				      .prefix = prefix("10.97.0.1", 32) };
	memcpy(sr.router_id, RID2, 8);
	ok = ok && route_req(g, &rr) && seqno_req(g, &sr);
	return ok ? end(g) : -1;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s OUT.pcap OUT.expected\n", argv[0]);
		return 2;
	}
	static struct gen g;
	g.rng.s = 6696;
	g.pcap = pcap_open(argv[1], PCAP_LINKTYPE_ETHERNET);
	g.exp = fopen(argv[2], "w");
	if (!g.pcap || !g.exp) {
		perror("open");
		return 1;
	}
	int (*const packets[])(struct gen *) = { neighbour_packet, unicast_packet, routes_packet,
						 requests_packet, security_packet, full_packet,
						 v4_via_v6_packet };
	for (size_t i = 0; i < sizeof packets / sizeof packets[0]; i++) {
		if (packets[i](&g) < 0 || g.failed) {
			fprintf(stderr, "packet %zu could not be built\n", i + 1);
			return 1;
		}
	}
	if (pcap_close(g.pcap) != 0 || fclose(g.exp) != 0)
		return 1;
	return 0;
}
