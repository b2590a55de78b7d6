/* Radio forwarding: IP header checks, longest-prefix match with
 * overlapping prefixes in both families, source-specific routes (RFC 9079:
 * destination first), fib_change batches (add, replace, remove, moves to
 * another interface), next hops that are not callsigns, a naive reference
 * over random tables, and the advertised MSS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto/callsign_ll.h"
#include "src/sys/radio_fwd.h"
#include "tests/lib/rng.h"

#define IFX 7

static struct link_addr ll_of(const char *call)
{
	struct ax25_addr a;
	struct link_addr ll;
	assert_int_equal(ax25_addr_parse(call, strlen(call), &a), AX25_OK);
	assert_int_equal(callsign_to_ll(&a, ll.a), AX25_OK);
	return ll;
}

static struct route_key key_of(const char *dst, const char *src)
{
	struct prefix d, s;
	struct route_key k;
	assert_true(prefix_parse(dst, &d) >= 0);
	if (src) {
		assert_true(prefix_parse(src, &s) >= 0);
		assert_int_equal(route_key_make(&k, &d, &s), 0);
	} else {
		assert_int_equal(route_key_make(&k, &d, NULL), 0);
	}
	return k;
}

static void set(struct radio_fwd *t, const char *dst, const char *src, const char *call)
{
	struct route_key k = key_of(dst, src);
	struct link_addr ll = ll_of(call);
	assert_int_equal(radio_fwd_set(t, &k, &ll), 0);
}

/* The callsign text the table answers for DST from SRC, or "-" (no route)
 * or "!" (not a callsign). */
static const char *look(struct radio_fwd *t, const char *dst, const char *src)
{
	static char text[AX25_ADDR_TEXT_MAX];
	struct prefix d, s;
	assert_true(prefix_parse(dst, &d) >= 0);
	assert_true(prefix_parse(src ? src : (d.family == 4 ? "0.0.0.0" : "::"), &s) >= 0);
	struct ax25_addr call;
	enum radio_fwd_result r = radio_fwd_lookup(t, d.family, d.addr, s.addr, &call, NULL, NULL);
	if (r == RADIO_FWD_NO_ROUTE)
		return "-";
	if (r == RADIO_FWD_NO_CALLSIGN)
		return "!";
	assert_int_equal(r, RADIO_FWD_OK);
	ax25_addr_format(&call, text, sizeof text);
	return text;
}

static size_t ipv4_packet(uint8_t *p, const char *src, const char *dst)
{
	struct prefix s, d;
	assert_true(prefix_parse(src, &s) >= 0 && prefix_parse(dst, &d) >= 0);
	memset(p, 0, 28);
	p[0] = 0x45;
	p[3] = 28;
	p[8] = 64;
	p[9] = 17;
	memcpy(p + 12, s.addr, 4);
	memcpy(p + 16, d.addr, 4);
	return 28;
}

static size_t ipv6_packet(uint8_t *p, const char *src, const char *dst)
{
	struct prefix s, d;
	assert_true(prefix_parse(src, &s) >= 0 && prefix_parse(dst, &d) >= 0);
	memset(p, 0, 48);
	p[0] = 0x60;
	p[5] = 8;
	p[6] = 17;
	p[7] = 64;
	memcpy(p + 8, s.addr, 16);
	memcpy(p + 24, d.addr, 16);
	return 48;
}

static void test_ip_parse(void **state)
{
	(void)state;
	uint8_t p[64];
	struct radio_ip ip;
	size_t n = ipv4_packet(p, "10.0.0.1", "10.1.2.3");
	assert_int_equal(radio_ip_parse(p, n, &ip), RADIO_IP_OK);
	assert_int_equal(ip.family, PREFIX_FAMILY_IPV4);
	static const uint8_t d4[4] = { 10, 1, 2, 3 }, s4[4] = { 10, 0, 0, 1 };
	assert_memory_equal(ip.dst, d4, 4);
	assert_memory_equal(ip.src, s4, 4);
	assert_int_equal(radio_ip_parse(p, n + 3, &ip), RADIO_IP_OK); /* padding */
	assert_int_equal(radio_ip_parse(p, 19, &ip), RADIO_IP_ERR_SHORT);
	assert_int_equal(radio_ip_parse(p, 0, &ip), RADIO_IP_ERR_SHORT);
	assert_int_equal(radio_ip_parse(p, n - 1, &ip), RADIO_IP_ERR_LENGTH);
	p[0] = 0x44;
	assert_int_equal(radio_ip_parse(p, n, &ip), RADIO_IP_ERR_HEADER);
	p[0] = 0x48; /* 32-octet header in a 28-octet packet */
	assert_int_equal(radio_ip_parse(p, n, &ip), RADIO_IP_ERR_HEADER);
	p[0] = 0x46; /* 24-octet header, total 28: fine */
	assert_int_equal(radio_ip_parse(p, n, &ip), RADIO_IP_OK);
	p[0] = 0x48; /* 32-octet header, total 28, 36 octets read */
	assert_int_equal(radio_ip_parse(p, n + 8, &ip), RADIO_IP_ERR_LENGTH);
	p[0] = 0x55;
	assert_int_equal(radio_ip_parse(p, n, &ip), RADIO_IP_ERR_VERSION);

	n = ipv6_packet(p, "2001:db8::1", "2001:db8:1::2");
	assert_int_equal(radio_ip_parse(p, n, &ip), RADIO_IP_OK);
	assert_int_equal(ip.family, PREFIX_FAMILY_IPV6);
	assert_int_equal(ip.dst[5], 1);
	assert_int_equal(ip.src[15], 1);
	assert_int_equal(radio_ip_parse(p, n - 1, &ip), RADIO_IP_ERR_LENGTH);
	assert_int_equal(radio_ip_parse(p, 39, &ip), RADIO_IP_ERR_SHORT);
	for (int i = 0; i < RADIO_IP_RESULT_COUNT; i++)
		assert_string_not_equal(radio_ip_result_str((enum radio_ip_result)i), "?");
}

static void test_lpm_overlapping_v4(void **state)
{
	(void)state;
	struct radio_fwd *t = radio_fwd_new(IFX);
	assert_non_null(t);
	assert_string_equal(look(t, "10.1.2.3", NULL), "-");
	set(t, "0.0.0.0/0", NULL, "DEF");
	set(t, "10.0.0.0/8", NULL, "A8");
	set(t, "10.1.0.0/16", NULL, "B16");
	set(t, "10.1.2.0/24", NULL, "C24");
	set(t, "10.1.2.3/32", NULL, "D32-1");
	set(t, "10.1.2.128/25", NULL, "E25");
	assert_int_equal(radio_fwd_count(t), 6);
	assert_string_equal(look(t, "10.1.2.3", NULL), "D32-1");
	assert_string_equal(look(t, "10.1.2.4", NULL), "C24");
	assert_string_equal(look(t, "10.1.2.200", NULL), "E25");
	assert_string_equal(look(t, "10.1.3.1", NULL), "B16");
	assert_string_equal(look(t, "10.2.0.1", NULL), "A8");
	assert_string_equal(look(t, "192.0.2.1", NULL), "DEF");
	/* IPv6 is a separate table. */
	assert_string_equal(look(t, "2001:db8::1", NULL), "-");
	/* Removing an inner prefix falls back to the next shorter. */
	struct route_key k = key_of("10.1.2.0/24", NULL);
	assert_int_equal(radio_fwd_del(t, &k), 1);
	assert_int_equal(radio_fwd_del(t, &k), 0);
	assert_string_equal(look(t, "10.1.2.4", NULL), "B16");
	assert_string_equal(look(t, "10.1.2.3", NULL), "D32-1");
	k = key_of("0.0.0.0/0", NULL);
	assert_int_equal(radio_fwd_del(t, &k), 1);
	assert_string_equal(look(t, "192.0.2.1", NULL), "-");
	assert_int_equal(radio_fwd_count(t), 4);
	radio_fwd_clear(t);
	assert_int_equal(radio_fwd_count(t), 0);
	assert_string_equal(look(t, "10.1.2.3", NULL), "-");
	radio_fwd_free(t);
}

static void test_lpm_v6_source_specific(void **state)
{
	(void)state;
	struct radio_fwd *t = radio_fwd_new(IFX);
	set(t, "::/0", NULL, "DEF");
	set(t, "::/0", "2001:db8:a::/48", "SRCA");
	set(t, "::/0", "2001:db8:a:1::/64", "SRCA1");
	set(t, "2001:db8::/32", NULL, "D32");
	set(t, "2001:db8:5::/48", "2001:db8:b::/48", "D48B");
	/* Destination first: 2001:db8:5::1 from the A source takes D32 (the
	 * /48 is for source B only), not SRCA. */
	assert_string_equal(look(t, "2001:db8:5::1", "2001:db8:a::9"), "D32");
	assert_string_equal(look(t, "2001:db8:5::1", "2001:db8:b::9"), "D48B");
	assert_string_equal(look(t, "2001:db9::1", "2001:db8:a::9"), "SRCA");
	assert_string_equal(look(t, "2001:db9::1", "2001:db8:a:1::9"), "SRCA1");
	assert_string_equal(look(t, "2001:db9::1", "2001:db8:c::9"), "DEF");
	/* Without the plain default, other sources have no route. */
	struct route_key k = key_of("::/0", NULL);
	assert_int_equal(radio_fwd_del(t, &k), 1);
	assert_string_equal(look(t, "2001:db9::1", "2001:db8:c::9"), "-");
	assert_string_equal(look(t, "2001:db9::1", "2001:db8:a:1::9"), "SRCA1");
	/* NULL source: only routes that are not source-specific. */
	struct prefix d;
	prefix_parse("2001:db9::1", &d);
	assert_int_equal(radio_fwd_lookup(t, 6, d.addr, NULL, NULL, NULL, NULL), RADIO_FWD_NO_ROUTE);
	/* The key of the match. */
	struct route_key got;
	struct prefix s;
	prefix_parse("2001:db8:a:1::9", &s);
	assert_int_equal(radio_fwd_lookup(t, 6, d.addr, s.addr, NULL, &got, NULL), RADIO_FWD_OK);
	k = key_of("::/0", "2001:db8:a:1::/64");
	assert_true(route_key_equal(&got, &k));
	/* IPv4 source-specific too. */
	set(t, "10.0.0.0/8", "192.168.0.0/16", "V4SS");
	assert_string_equal(look(t, "10.9.9.9", "192.168.1.1"), "V4SS");
	assert_string_equal(look(t, "10.9.9.9", "172.16.1.1"), "-");
	radio_fwd_free(t);
}

static struct fib_change change(enum fib_op op, const char *dst, const char *src, uint32_t ifindex,
				struct link_addr nh)
{
	struct fib_change c;
	memset(&c, 0, sizeof c);
	c.op = op;
	c.key = key_of(dst, src);
	c.ifindex = ifindex;
	c.nexthop = nh;
	c.metric = 256;
	return c;
}

static void test_apply_batches(void **state)
{
	(void)state;
	struct radio_fwd *t = radio_fwd_new(IFX);
	assert_int_equal(radio_fwd_ifindex(t), IFX);
	struct link_addr a = ll_of("F4ABC-7"), b = ll_of("F4XYZ-1");
	struct link_addr mapped = { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1 } };
	struct link_addr eui = { { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33,
				   0x44, 0x55 } };
	struct fib_change c1[] = {
		change(FIB_ADD, "10.0.0.0/8", NULL, IFX, a),
		change(FIB_ADD, "2001:db8::/32", NULL, IFX, a),
		change(FIB_ADD, "192.0.2.0/24", NULL, IFX + 1, a),   /* not ours */
		change(FIB_ADD, "198.51.100.0/24", NULL, IFX, mapped),
		change(FIB_ADD, "2001:db8:1::/48", NULL, IFX, eui),
	};
	radio_fwd_apply(t, c1, 5);
	assert_int_equal(radio_fwd_count(t), 4);
	assert_string_equal(look(t, "10.1.1.1", NULL), "F4ABC-7");
	assert_string_equal(look(t, "192.0.2.1", NULL), "-");
	assert_string_equal(look(t, "198.51.100.1", NULL), "!");
	assert_string_equal(look(t, "2001:db8:1::1", NULL), "!");
	assert_string_equal(look(t, "2001:db8:2::1", NULL), "F4ABC-7");

	struct fib_change c2[] = {
		change(FIB_REPLACE, "10.0.0.0/8", NULL, IFX, b),
		change(FIB_REPLACE, "2001:db8::/32", NULL, IFX + 1, b), /* moved away */
		change(FIB_REMOVE, "2001:db8:1::/48", NULL, IFX, eui),
		change(FIB_REMOVE, "203.0.113.0/24", NULL, IFX, a),   /* absent: no-op */
		change(FIB_REPLACE, "198.51.100.0/24", NULL, IFX, b),
	};
	radio_fwd_apply(t, c2, 5);
	assert_int_equal(radio_fwd_count(t), 2);
	assert_string_equal(look(t, "10.1.1.1", NULL), "F4XYZ-1");
	assert_string_equal(look(t, "2001:db8:2::1", NULL), "-");
	assert_string_equal(look(t, "198.51.100.1", NULL), "F4XYZ-1");

	/* Whole packets through radio_fwd_packet, counted. */
	uint8_t p[64];
	struct ax25_addr call;
	size_t n = ipv4_packet(p, "10.9.0.1", "10.1.1.1");
	assert_int_equal(radio_fwd_packet(t, p, n, &call), RADIO_FWD_OK);
	assert_string_equal(call.call, "F4XYZ");
	assert_int_equal(call.ssid, 1);
	n = ipv6_packet(p, "2001:db8:9::1", "2001:db8:2::1");
	assert_int_equal(radio_fwd_packet(t, p, n, &call), RADIO_FWD_NO_ROUTE);
	assert_int_equal(radio_fwd_packet(t, p, 20, &call), RADIO_FWD_MALFORMED);
	struct fib_change c3[] = { change(FIB_ADD, "2001:db8:2::/48", NULL, IFX, mapped) };
	radio_fwd_apply(t, c3, 1);
	assert_int_equal(radio_fwd_packet(t, p, n, &call), RADIO_FWD_NO_CALLSIGN);
	const struct radio_fwd_stats *st = radio_fwd_stats(t);
	assert_int_equal(st->result[RADIO_FWD_OK], 1);
	assert_int_equal(st->result[RADIO_FWD_NO_ROUTE], 1);
	assert_int_equal(st->result[RADIO_FWD_MALFORMED], 1);
	assert_int_equal(st->result[RADIO_FWD_NO_CALLSIGN], 1);
	assert_int_equal(st->malformed[RADIO_IP_ERR_SHORT], 1);

	/* An invalid key is refused and counted. */
	struct route_key bad;
	memset(&bad, 0, sizeof bad);
	bad.dst.family = 5;
	assert_int_equal(radio_fwd_set(t, &bad, &a), -1);
	bad.dst.family = 4;
	bad.dst.plen = 33;
	assert_int_equal(radio_fwd_set(t, &bad, &a), -1);
	assert_int_equal(st->bad_changes, 2);
	assert_int_equal(radio_fwd_del(t, &bad), 0);
	for (int i = 0; i < RADIO_FWD_RESULT_COUNT; i++)
		assert_string_not_equal(radio_fwd_result_str((enum radio_fwd_result)i), "?");
	radio_fwd_free(t);
}

/* ----------------------------------------------- against a naive model */

#define REF_MAX 600

struct ref_route {
	bool used;
	struct route_key key;
	int nh; /* index into the next hops */
};

static void rand_prefix(struct test_rng *rng, uint8_t family, struct prefix *p, bool src)
{
	unsigned bits = family == 4 ? 32 : 128;
	uint8_t a[16] = { 0 };
	/* Few distinct leading octets, so prefixes overlap a lot. */
	a[0] = (uint8_t)(family == 4 ? 10 : 0x20);
	a[1] = (uint8_t)test_rng_below(rng, 2);
	for (unsigned i = 2; i < bits / 8; i++)
		a[i] = (uint8_t)(test_rng_below(rng, 4) == 0 ? test_rng_below(rng, 256)
							      : test_rng_below(rng, 2));
	unsigned plen = src && test_rng_below(rng, 2) ? 0 : test_rng_below(rng, bits + 1);
	if (!src && test_rng_below(rng, 3) == 0)
		plen = test_rng_below(rng, 20);
	assert_true(prefix_make(p, family, a, plen) >= 0);
}

static void rand_addr(struct test_rng *rng, uint8_t family, uint8_t *a)
{
	unsigned n = family == 4 ? 4 : 16;
	memset(a, 0, 16);
	a[0] = (uint8_t)(family == 4 ? 10 : 0x20);
	if (test_rng_below(rng, 8) == 0)
		a[0] = (uint8_t)test_rng_below(rng, 256);
	a[1] = (uint8_t)test_rng_below(rng, 2);
	for (unsigned i = 2; i < n; i++)
		a[i] = (uint8_t)(test_rng_below(rng, 4) == 0 ? test_rng_below(rng, 256)
							      : test_rng_below(rng, 2));
}

static int ref_lookup(const struct ref_route *ref, uint8_t family, const uint8_t *dst,
		      const uint8_t *src)
{
	struct prefix d, s;
	prefix_make(&d, family, dst, family == 4 ? 32 : 128);
	prefix_make(&s, family, src, family == 4 ? 32 : 128);
	int best = -1;
	for (int i = 0; i < REF_MAX; i++) {
		const struct ref_route *r = &ref[i];
		if (!r->used || r->key.dst.family != family || !prefix_contains(&r->key.dst, &d))
			continue;
		if (r->key.src.plen && !prefix_contains(&r->key.src, &s))
			continue;
		if (best < 0 || r->key.dst.plen > ref[best].key.dst.plen ||
		    (r->key.dst.plen == ref[best].key.dst.plen &&
		     r->key.src.plen > ref[best].key.src.plen))
			best = i;
	}
	return best;
}

static void test_random_against_reference(void **state)
{
	(void)state;
	static struct ref_route ref[REF_MAX];
	memset(ref, 0, sizeof ref);
	struct link_addr nh[8];
	char call[8];
	for (int i = 0; i < 8; i++) {
		snprintf(call, sizeof call, "NH%d-%d", i, i);
		nh[i] = ll_of(call);
	}
	struct test_rng rng = { 2024 };
	struct radio_fwd *t = radio_fwd_new(IFX);
	size_t checked = 0, matched = 0;
	for (int step = 0; step < 20000; step++) {
		uint32_t what = test_rng_below(&rng, 10);
		uint8_t family = test_rng_below(&rng, 2) ? 4 : 6;
		if (what < 5) {
			/* Add or replace. */
			struct prefix d, s;
			rand_prefix(&rng, family, &d, false);
			rand_prefix(&rng, family, &s, true);
			struct route_key k;
			assert_int_equal(route_key_make(&k, &d, s.plen ? &s : NULL), 0);
			int at = -1, free_at = -1;
			for (int i = 0; i < REF_MAX; i++) {
				if (ref[i].used && route_key_equal(&ref[i].key, &k))
					at = i;
				if (!ref[i].used && free_at < 0)
					free_at = i;
			}
			if (at < 0)
				at = free_at;
			if (at < 0)
				continue;
			int n = (int)test_rng_below(&rng, 8);
			struct fib_change c;
			memset(&c, 0, sizeof c);
			c.op = ref[at].used ? FIB_REPLACE : FIB_ADD;
			c.key = k;
			c.ifindex = IFX;
			c.nexthop = nh[n];
			radio_fwd_apply(t, &c, 1);
			ref[at].used = true;
			ref[at].key = k;
			ref[at].nh = n;
		} else if (what < 7) {
			/* Remove one that is there (or move it away). */
			int i = (int)test_rng_below(&rng, REF_MAX);
			if (!ref[i].used)
				continue;
			struct fib_change c;
			memset(&c, 0, sizeof c);
			c.op = test_rng_below(&rng, 2) ? FIB_REMOVE : FIB_REPLACE;
			c.key = ref[i].key;
			c.ifindex = c.op == FIB_REMOVE ? IFX : IFX + 1;
			radio_fwd_apply(t, &c, 1);
			ref[i].used = false;
		} else {
			uint8_t d[16], s[16];
			rand_addr(&rng, family, d);
			rand_addr(&rng, family, s);
			int want = ref_lookup(ref, family, d, s);
			struct ax25_addr got;
			struct route_key gk;
			enum radio_fwd_result r = radio_fwd_lookup(t, family, d, s, &got, &gk, NULL);
			checked++;
			if (want < 0) {
				assert_int_equal(r, RADIO_FWD_NO_ROUTE);
				continue;
			}
			matched++;
			assert_int_equal(r, RADIO_FWD_OK);
			assert_true(route_key_equal(&gk, &ref[want].key));
			struct ax25_addr exp;
			assert_int_equal(callsign_from_ll(nh[ref[want].nh].a, &exp), AX25_OK);
			assert_true(ax25_addr_equal(&got, &exp));
		}
		size_t used = 0;
		for (int i = 0; i < REF_MAX; i++)
			used += ref[i].used;
		assert_int_equal(radio_fwd_count(t), used);
	}
	assert_true(checked > 5000);
	assert_true(matched > checked / 4 && matched < checked);
	/* Emptying the table by removals frees every node (ASan checks). */
	for (int i = 0; i < REF_MAX; i++)
		if (ref[i].used)
			assert_int_equal(radio_fwd_del(t, &ref[i].key), 1);
	assert_int_equal(radio_fwd_count(t), 0);
	radio_fwd_free(t);
}

static void test_advmss(void **state)
{
	(void)state;
	assert_int_equal(radio_advmss(PREFIX_FAMILY_IPV4, 256), 216);
	assert_int_equal(radio_advmss(PREFIX_FAMILY_IPV6, 256), 196);
	assert_int_equal(radio_advmss(PREFIX_FAMILY_IPV4, 128), 88);
	assert_int_equal(radio_advmss(PREFIX_FAMILY_IPV6, 128), 68);
	assert_int_equal(radio_advmss(PREFIX_FAMILY_IPV6, 64), RADIO_ADVMSS_MIN);
	assert_int_equal(radio_advmss(PREFIX_FAMILY_IPV4, 64), RADIO_ADVMSS_MIN);
	assert_int_equal(radio_advmss(PREFIX_FAMILY_IPV4, 1280), 1240);
	assert_int_equal(radio_advmss(PREFIX_FAMILY_IPV6, 4096), 1220);
	assert_int_equal(radio_advmss(0, 256), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip_parse),
		cmocka_unit_test(test_lpm_overlapping_v4),
		cmocka_unit_test(test_lpm_v6_source_specific),
		cmocka_unit_test(test_apply_batches),
		cmocka_unit_test(test_random_against_reference),
		cmocka_unit_test(test_advmss),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
