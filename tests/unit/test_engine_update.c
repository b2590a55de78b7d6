/* Engine: update packing, compression, pacing (RFC 8966 3.7, 4.5),
 * filters (babeld semantics) and determinism. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "src/core/filter.h"
#include "tests/unit/test_engine_util.h"

static void add_local(struct harness *h, unsigned i)
{
	char text[64];
	snprintf(text, sizeof(text), "2001:db8:%x:%x::/64", i >> 8, i & 0xff);
	struct route_key k;
	h_key(&k, text, NULL);
	engine_kernel_route(h->e, &k, 1, 0, 0, 2, true, h->now);
}

/* Many routes: every packet within the MTU, every one decodable, every
 * route present once, with prefix compression at work. */
static void test_packing(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, 31, NULL);
	h_if_up(&h, 1, IF_TYPE_WIRED);
	h_advance(&h, 2000);
	for (unsigned i = 0; i < 1000; i++)
		add_local(&h, i);
	h_clear(&h);
	h_advance(&h, 20000); /* a periodic full dump happens */
	size_t updates = h_scan(&h, 0, BABEL_TLV_UPDATE, NULL, NULL);
	assert_true(updates >= 1000);
	size_t bytes = 0, pkts = 0;
	for (size_t i = 0; i < h.nsent; i++) {
		assert_true(h.sent[i].len <= 1452);
		bytes += h.sent[i].len;
		pkts++;
	}
	/* Uncompressed, an IPv6 /64 update is 4 + 12 + 8 = 24 octets with its
	 * header; compression keeps it well below. */
	assert_true(bytes / updates < 20);
	assert_true(pkts >= 10);
	h_free(&h);
}

/* A full dump is paced at the interface's rate, not sent in one burst. */
static void test_pacing(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, 32, NULL);
	struct if_config c;
	memset(&c, 0, sizeof(c));
	c.type = IF_TYPE_WIRED;
	c.split_horizon = c.unicast = c.link_quality = c.enable_timestamps = c.v4_via_v6 = OPT_DEFAULT;
	c.rate_bytes_per_s = 20000;
	c.update_interval_ms = 60000;
	h_if_up_cfg(&h, 1, &c);
	h_advance(&h, 2000);
	for (unsigned i = 0; i < 3000; i++)
		add_local(&h, i);
	h_advance(&h, 5000);
	h_clear(&h);
	/* Ask for a full table. */
	struct h_pkt p;
	hp_init(&p);
	hp_route_req(&p, NULL);
	hp_send(&h, &p, 1, 7, true);
	uint64_t t0 = h.now;
	h_advance(&h, 10000);
	size_t bytes = 0;
	uint64_t first = 0, last = 0;
	for (size_t i = 0; i < h.nsent; i++) {
		if (!h_scan(&h, i, BABEL_TLV_UPDATE, NULL, NULL))
			continue;
		if (!first)
			first = h.sent[i].at;
		last = h.sent[i].at;
		bytes += h.sent[i].len;
	}
	assert_true(bytes > 30000);
	/* 3000 updates of ~20 octets at 20 kB/s: about 3 s. */
	assert_true(last - t0 >= 2000);
	/* No second carries much more than the rate (+ one packet of burst). */
	for (uint64_t s = t0; s < t0 + 10000; s += 1000) {
		size_t in = 0;
		for (size_t i = 0; i < h.nsent; i++)
			if (h.sent[i].at >= s && h.sent[i].at < s + 1000)
				in += h.sent[i].len;
		assert_true(in <= 20000 + 3 * 1452);
	}
	(void)first;
	h_free(&h);
}

/* Determinism: same inputs and seed, byte-identical outputs. */
static void scenario(struct harness *h, uint64_t seed)
{
	h_init(h, seed, NULL);
	h_if_up(h, 1, IF_TYPE_WIRELESS);
	h_if_up(h, 2, IF_TYPE_WIRED);
	for (unsigned i = 0; i < 50; i++)
		add_local(h, i);
	uint16_t seq = 1;
	for (int r = 0; r < 10; r++) {
		h_neighbour_hello(h, 1, 3, seq, 256);
		h_neighbour_hello(h, 2, 4, seq, 96);
		seq++;
		struct h_pkt p;
		hp_init(&p);
		hp_update(&p, "2001:db8:ff::/48", NULL, (uint16_t)(5 + r / 3), (uint16_t)(100 + r), RID_B, 400);
		hp_send(h, &p, 1, 3, true);
		h_advance(h, 3700);
	}
}

static void test_determinism(void **state)
{
	(void)state;
	static struct harness a, b;
	scenario(&a, 77);
	scenario(&b, 77);
	assert_int_equal(a.nsent, b.nsent);
	for (size_t i = 0; i < a.nsent; i++) {
		assert_int_equal(a.sent[i].at, b.sent[i].at);
		assert_int_equal(a.sent[i].len, b.sent[i].len);
		assert_memory_equal(a.sent[i].buf, b.sent[i].buf, a.sent[i].len);
	}
	assert_int_equal(a.nfib, b.nfib);
	assert_memory_equal(a.fib, b.fib, a.nfib * sizeof(a.fib[0]));
	h_free(&b);
	/* Another seed: other jitter. */
	scenario(&b, 78);
	bool differ = a.nsent != b.nsent;
	for (size_t i = 0; !differ && i < a.nsent; i++)
		differ = a.sent[i].at != b.sent[i].at;
	assert_true(differ);
	h_free(&a);
	h_free(&b);
}

/* ---- filters: each kind, first match wins. */

static void test_filter_rules(void **state)
{
	(void)state;
	struct filter_set fs = { 0 };
	struct filter_rule r;
	filter_rule_init(&r);
	assert_int_equal(prefix_parse("2001:db8::/32", &r.prefix), 0);
	r.has_prefix = true;
	r.plen_ge = 64;
	r.action = FILTER_DENY;
	assert_int_equal(filter_set_add(&fs, FILTER_IN, &r), 0);
	filter_rule_init(&r);
	assert_int_equal(prefix_parse("2001:db8::/32", &r.prefix), 0);
	r.has_prefix = true;
	r.action = FILTER_METRIC;
	r.metric = 50;
	assert_int_equal(filter_set_add(&fs, FILTER_IN, &r), 0);
	struct route_key k;
	struct filter_result fr;
	struct filter_subject s = { .key = &k, .proto = -1 };
	h_key(&k, "2001:db8:1:2::/64", NULL);
	filter_apply(&fs, FILTER_IN, &s, &fr);
	assert_false(fr.allow); /* first rule */
	h_key(&k, "2001:db8:1::/48", NULL);
	filter_apply(&fs, FILTER_IN, &s, &fr);
	assert_true(fr.allow);
	assert_int_equal(fr.metric, 50); /* second */
	h_key(&k, "2001:db9::/32", NULL);
	filter_apply(&fs, FILTER_IN, &s, &fr);
	assert_true(fr.allow); /* default */
	assert_false(fr.has_metric);
	/* redistribute: local allowed by default, other kernel routes not. */
	s.local = true;
	filter_apply(&fs, FILTER_REDISTRIBUTE, &s, &fr);
	assert_true(fr.allow);
	s.local = false;
	s.proto = 3;
	filter_apply(&fs, FILTER_REDISTRIBUTE, &s, &fr);
	assert_false(fr.allow);
	filter_rule_init(&r);
	r.proto = 3;
	r.action = FILTER_METRIC;
	r.metric = 128;
	assert_int_equal(filter_set_add(&fs, FILTER_REDISTRIBUTE, &r), 0);
	filter_apply(&fs, FILTER_REDISTRIBUTE, &s, &fr);
	assert_true(fr.allow);
	assert_int_equal(fr.metric, 128);
	/* if / neighbour / id selectors */
	filter_rule_init(&r);
	r.has_ifname = true;
	strcpy(r.ifname, "eth2");
	r.has_id = true;
	memcpy(r.id, RID_A, 8);
	r.action = FILTER_DENY;
	assert_int_equal(filter_set_add(&fs, FILTER_OUT, &r), 0);
	struct filter_subject o = { .key = &k, .ifname = "eth2", .router_id = RID_A, .proto = -1 };
	filter_apply(&fs, FILTER_OUT, &o, &fr);
	assert_false(fr.allow);
	o.ifname = "eth1";
	filter_apply(&fs, FILTER_OUT, &o, &fr);
	assert_true(fr.allow);
	filter_set_free(&fs);
}

/* The four kinds at work in the engine. */
static void test_filters_in_engine(void **state)
{
	(void)state;
	struct filter_set fs = { 0 };
	struct filter_rule r;
	/* in: deny 2001:db8:bad::/48 */
	filter_rule_init(&r);
	prefix_parse("2001:db8:bad::/48", &r.prefix);
	r.has_prefix = true;
	r.action = FILTER_DENY;
	filter_set_add(&fs, FILTER_IN, &r);
	/* in: metric +100 for everything from fe80::7 */
	filter_rule_init(&r);
	r.has_neighbour = true;
	struct link_addr a7 = h_ll(7);
	memcpy(r.neighbour, a7.a, 16);
	r.action = FILTER_METRIC;
	r.metric = 100;
	filter_set_add(&fs, FILTER_IN, &r);
	/* out: deny 2001:db8:2::/48 on eth2 */
	filter_rule_init(&r);
	prefix_parse("2001:db8:2::/48", &r.prefix);
	r.has_prefix = true;
	r.has_ifname = true;
	strcpy(r.ifname, "eth2");
	r.action = FILTER_DENY;
	filter_set_add(&fs, FILTER_OUT, &r);
	/* install: deny 2001:db8:3::/48 */
	filter_rule_init(&r);
	prefix_parse("2001:db8:3::/48", &r.prefix);
	r.has_prefix = true;
	r.action = FILTER_DENY;
	filter_set_add(&fs, FILTER_INSTALL, &r);
	struct engine_config cfg = { .filters = &fs };
	struct harness h;
	h_init(&h, 33, &cfg);
	h_if_up(&h, 1, IF_TYPE_WIRED);
	h_if_up(&h, 2, IF_TYPE_WIRED);
	h_neighbour_hello(&h, 1, 7, 1, 96);
	h_advance(&h, 1000);
	h_neighbour_hello(&h, 1, 7, 2, 96);
	h_clear(&h);
	struct h_pkt p;
	hp_init(&p);
	hp_update(&p, "2001:db8:bad::/48", NULL, 1, 10, RID_A, 400);
	hp_update(&p, "2001:db8:1::/48", NULL, 1, 10, RID_A, 400);
	hp_update(&p, "2001:db8:2::/48", NULL, 1, 10, RID_A, 400);
	hp_update(&p, "2001:db8:3::/48", NULL, 1, 10, RID_A, 400);
	hp_send(&h, &p, 1, 7, true);
	h_advance(&h, 300);
	struct engine_route_info ri;
	assert_false(h_selected(&h, "2001:db8:bad::/48", &ri));
	assert_true(h_selected(&h, "2001:db8:1::/48", &ri));
	assert_int_equal(ri.metric, 10 + 96 + 100);
	struct babel_update u;
	assert_false(h_last_update(&h, 0, "2001:db8:2::/48", &u) && u.metric != 0xFFFF);
	assert_true(h_last_update(&h, 0, "2001:db8:1::/48", &u));
	assert_true(h_selected(&h, "2001:db8:3::/48", &ri));
	assert_false(ri.installed);
	struct route_key k3;
	h_key(&k3, "2001:db8:3::/48", NULL);
	for (size_t i = 0; i < h.nfib; i++)
		assert_false(route_key_equal(&h.fib[i].key, &k3));
	assert_int_equal(h.nfib, 2); /* 1 and 2 */
	h_free(&h);
	filter_set_free(&fs);
}

struct farewell {
	size_t short_hellos;
};

static void farewell_scan(void *arg, const struct h_sent *s, const struct babel_tlv *t)
{
	struct farewell *f = arg;
	if (s->multicast && !(t->hello.flags & BABEL_HELLO_UNICAST) && t->hello.interval > 0 &&
	    t->hello.interval <= 10)
		f->short_hellos++;
}

/* Shutdown retracts everything and empties the kernel. */
static void test_shutdown(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, 34, NULL);
	h_if_up(&h, 1, IF_TYPE_WIRED);
	h_if_up(&h, 2, IF_TYPE_WIRED);
	h_neighbour_hello(&h, 1, 7, 1, 96);
	h_advance(&h, 1000);
	h_neighbour_hello(&h, 1, 7, 2, 96);
	struct h_pkt p;
	hp_init(&p);
	hp_update(&p, "2001:db8:1::/48", NULL, 1, 10, RID_A, 400);
	hp_send(&h, &p, 1, 7, true);
	add_local(&h, 1);
	h_advance(&h, 300);
	h_clear(&h);
	engine_shutdown(h.e, h.now);
	assert_int_equal(h.nfib, 1);
	assert_int_equal(h.fib[0].op, FIB_REMOVE);
	struct babel_update u;
	assert_true(h_last_update(&h, 0, "2001:db8:1::/48", &u));
	assert_int_equal(u.metric, 0xFFFF);
	assert_true(h_last_update(&h, 0, "2001:db8:0:1::/64", &u));
	assert_int_equal(u.metric, 0xFFFF);
	/* A farewell Hello with a short interval on each interface, so that
	 * neighbours expire us within a fraction of a second. */
	struct farewell f = { 0 };
	h_scan(&h, 0, BABEL_TLV_HELLO, farewell_scan, &f);
	assert_int_equal(f.short_hellos, 2);
	h_free(&h);
}

/* IPv4 updates on an interface, as counted by v4_scan. */
struct v4_seen {
	size_t ae1, ae4, retractions_ae4;
	uint8_t nh[4];      /* next hop of the last AE 1 update */
	uint64_t first_at;  /* when the first update went out */
};

static void v4_scan(void *arg, const struct h_sent *s, const struct babel_tlv *t)
{
	struct v4_seen *v = arg;
	const struct babel_update *u = &t->update;
	if (u->prefix.af != BABEL_AF_IPV4)
		return;
	if (!v->ae1 && !v->ae4)
		v->first_at = s->at;
	if (u->metric == 0xFFFF) {
		if (u->ae == BABEL_AE_V4_VIA_V6)
			v->retractions_ae4++;
		return;
	}
	if (u->ae == BABEL_AE_IPV4) {
		v->ae1++;
		assert_true(u->has_next_hop);
		memcpy(v->nh, u->next_hop.bytes, 4);
	} else if (u->ae == BABEL_AE_V4_VIA_V6) {
		v->ae4++;
	}
}

static void add_local4(struct harness *h, const char *prefix)
{
	struct route_key k;
	h_key(&k, prefix, NULL);
	engine_kernel_route(h->e, &k, 1, 0, 0, 2, true, h->now);
}

/* The next hop of IPv4 routes (AE 1 with the interface's IPv4 address,
 * v4-via-v6 without one): told with the interface coming up, nothing goes
 * out as AE 4 (BIRD 2.0.12 ignores AE 4); a change or removal of the
 * address reaches the neighbours at once, not at the next periodic
 * update; IPv4 retractions go as AE 1 whatever the address. */
static void test_ipv4_next_hop(void **state)
{
	(void)state;
	static const uint8_t a[4] = { 10, 98, 12, 1 }, b[4] = { 10, 98, 12, 7 };
	struct harness h;
	struct v4_seen v;
	h_init(&h, 35, NULL);
	add_local4(&h, "10.99.0.1/32");
	h_if_up(&h, 1, IF_TYPE_WIRED);
	engine_interface_ipv4(h.e, 1, a, h.now);
	h_neighbour_hello(&h, 1, 7, 1, 96);
	h_advance(&h, 20000);
	memset(&v, 0, sizeof(v));
	h_scan(&h, 0, BABEL_TLV_UPDATE, v4_scan, &v);
	assert_true(v.ae1 >= 2);
	assert_int_equal(v.ae4, 0);
	assert_memory_equal(v.nh, a, 4);

	/* Another address: announced with it at once. */
	h_clear(&h);
	engine_interface_ipv4(h.e, 1, b, h.now);
	h_advance(&h, 500);
	memset(&v, 0, sizeof(v));
	h_scan(&h, 0, BABEL_TLV_UPDATE, v4_scan, &v);
	assert_true(v.ae1 >= 1);
	assert_memory_equal(v.nh, b, 4);
	/* The same address again (netlink repeats itself): nothing new. */
	h_clear(&h);
	engine_interface_ipv4(h.e, 1, b, h.now);
	h_advance(&h, 500);
	assert_int_equal(h_scan(&h, 0, BABEL_TLV_UPDATE, NULL, NULL), 0);

	/* No address left: v4-via-v6 at once. */
	h_clear(&h);
	engine_interface_ipv4(h.e, 1, NULL, h.now);
	h_advance(&h, 500);
	memset(&v, 0, sizeof(v));
	h_scan(&h, 0, BABEL_TLV_UPDATE, v4_scan, &v);
	assert_true(v.ae4 >= 1);
	assert_int_equal(v.ae1, 0);

	/* A retraction without an address: AE 1 all the same. */
	h_clear(&h);
	struct route_key k;
	h_key(&k, "10.99.0.1/32", NULL);
	engine_kernel_route(h.e, &k, 1, 0, 0, 2, false, h.now);
	h_advance(&h, 500);
	struct babel_update u;
	assert_true(h_last_update(&h, 0, "10.99.0.1/32", &u));
	assert_int_equal(u.metric, 0xFFFF);
	assert_int_equal(u.ae, BABEL_AE_IPV4);
	h_free(&h);
}

struct order {
	unsigned seen, own_after_learned;
	bool learned_seen;
};

static void order_scan(void *arg, const struct h_sent *s, const struct babel_tlv *t)
{
	(void)s;
	struct order *o = arg;
	const struct babel_update *u = &t->update;
	if (u->metric == 0xFFFF || o->seen >= 120)
		return; /* the first dump only: a periodic one follows */
	o->seen++;
	/* Ours: 2001:db8:0:N::/64 (add_local); learned: 2001:db8:77:N::/64. */
	bool own = u->prefix.bytes[4] == 0 && u->prefix.bytes[5] == 0;
	if (!own)
		o->learned_seen = true;
	else if (o->learned_seen)
		o->own_after_learned++;
}

/* A full dump sends our own routes before those we learned: on a slow
 * link a neighbour gets first what only we can give it. */
static void test_dump_own_first(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, 33, NULL);
	h_if_up(&h, 1, IF_TYPE_WIRELESS);
	h_neighbour_hello(&h, 1, 7, 100, 256);
	h_advance(&h, 2000);
	for (unsigned i = 0; i < 60; i++) {
		char text[64];
		snprintf(text, sizeof(text), "2001:db8:77:%x::/64", i);
		struct h_pkt p;
		hp_init(&p);
		hp_update(&p, text, NULL, 5, 100, RID_A, 400);
		hp_send(&h, &p, 1, 7, true);
	}
	for (unsigned i = 0; i < 60; i++)
		add_local(&h, i);
	assert_true(h_route_count(&h) >= 60);
	h_advance(&h, 5000);
	h_clear(&h);
	struct h_pkt p;
	hp_init(&p);
	hp_route_req(&p, NULL);
	hp_send(&h, &p, 1, 7, true);
	h_advance(&h, 10000);
	struct order o = { 0 };
	h_scan(&h, 0, BABEL_TLV_UPDATE, order_scan, &o);
	assert_true(o.seen >= 120);
	assert_true(o.learned_seen);
	assert_int_equal(o.own_after_learned, 0);
	h_free(&h);
}

static void count_updates(void *arg, const struct h_sent *s, const struct babel_tlv *t)
{
	(void)s;
	if (t->update.metric != 0xFFFF)
		(*(unsigned *)arg)++;
}

/* At a radio's pace (a few octets per second) a dump still goes in full
 * packets: each frame costs its TX delay and tail whatever it carries, so
 * a trickle of one or two updates per packet would spend the budget on
 * that overhead. */
static void test_slow_dump_whole_packets(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, 34, NULL);
	struct if_config c;
	memset(&c, 0, sizeof(c));
	c.type = IF_TYPE_WIRELESS;
	c.mtu = 256;
	c.rate_bytes_per_s = 5;
	c.hello_interval_ms = 600000;
	c.update_interval_ms = 600000;
	h_if_up_cfg(&h, 1, &c);
	h_advance(&h, 2000);
	for (unsigned i = 0; i < 60; i++)
		add_local(&h, i);
	h_advance(&h, 1000);
	h_clear(&h);
	struct h_pkt p;
	hp_init(&p);
	hp_route_req(&p, NULL);
	hp_send(&h, &p, 1, 7, true);
	h_advance(&h, 400000);
	unsigned total = 0, packets = 0, smallest = 1000;
	for (size_t i = 0; i < h.nsent; i++) {
		unsigned n = 0;
		h_scan(&h, i, BABEL_TLV_UPDATE, count_updates, &n);
		/* h_scan counts from i on: this packet's own count is the
		 * difference with the next one's. */
		unsigned rest = 0;
		if (i + 1 < h.nsent)
			h_scan(&h, i + 1, BABEL_TLV_UPDATE, count_updates, &rest);
		n -= rest;
		if (!n)
			continue;
		packets++;
		total += n;
		if (n < smallest && total < 60)
			smallest = n; /* the last packet may be a remainder */
	}
	assert_true(total >= 60);
	/* 60 updates of about 20 octets at 5 octets/s: about 4 minutes, in
	 * packets of a dozen updates, not sixty packets of one. */
	assert_true(packets <= 8);
	assert_true(smallest >= 8);
	h_free(&h);
}

/* A dump goes by origin, then prefix: a Router-Id TLV only where the
 * origin changes (or a packet begins), and each prefix compressed against
 * its predecessor.  Learned routes arrive here in an interleaved order, as
 * a hash table would give them back. */
struct dump_seq {
	unsigned n, rid_changes, unordered;
	uint8_t rid[8];
	struct babel_prefix last;
};

static void dump_seq_scan(void *arg, const struct h_sent *s, const struct babel_tlv *t)
{
	(void)s;
	struct dump_seq *q = arg;
	const struct babel_update *u = &t->update;
	if (u->metric == 0xFFFF || q->n >= 80)
		return; /* the first dump only */
	if (q->n && memcmp(q->rid, u->router_id, 8) != 0)
		q->rid_changes++;
	else if (q->n && memcmp(q->last.bytes, u->prefix.bytes, 16) >= 0)
		q->unordered++;
	memcpy(q->rid, u->router_id, 8);
	q->last = u->prefix;
	q->n++;
}

static void test_dump_by_origin_and_prefix(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, 35, NULL);
	h_if_up(&h, 1, IF_TYPE_WIRELESS);
	h_neighbour_hello(&h, 1, 7, 100, 256);
	h_neighbour_hello(&h, 1, 8, 100, 256);
	h_advance(&h, 2000);
	/* 30 routes from each of two origins, given in a scrambled order. */
	for (unsigned i = 0; i < 60; i++) {
		unsigned j = (i * 37) % 60;
		char text[64];
		snprintf(text, sizeof(text), "2001:db8:77:%x::/64", j);
		struct h_pkt p;
		hp_init(&p);
		hp_update(&p, text, NULL, 5, 100, j % 2 ? RID_A : RID_B, 400);
		hp_send(&h, &p, 1, j % 2 ? 7 : 8, true);
	}
	for (unsigned i = 0; i < 20; i++)
		add_local(&h, (i * 7) % 20);
	h_advance(&h, 5000);
	h_clear(&h);
	struct h_pkt p;
	hp_init(&p);
	hp_route_req(&p, NULL);
	hp_send(&h, &p, 1, 7, true);
	h_advance(&h, 3000);
	struct dump_seq q = { 0 };
	h_scan(&h, 0, BABEL_TLV_UPDATE, dump_seq_scan, &q);
	assert_int_equal(q.n, 80);
	assert_int_equal(q.rid_changes, 2); /* ours, then A and B */
	assert_int_equal(q.unordered, 0);
	size_t packets = 0;
	for (size_t i = 0; i < h.nsent; i++)
		packets += h_scan(&h, i, BABEL_TLV_UPDATE, NULL, NULL) >
			   (i + 1 < h.nsent ? h_scan(&h, i + 1, BABEL_TLV_UPDATE, NULL, NULL) : 0);
	size_t rids = h_scan(&h, 0, BABEL_TLV_ROUTER_ID, NULL, NULL);
	assert_true(rids <= packets + 2);
	h_free(&h);
}

static void count_own(void *arg, const struct h_sent *s, const struct babel_tlv *t)
{
	struct h_sent const **last = arg;
	/* Ours: 2001:db8:0:N::/64 (add_local). */
	if (t->update.metric == 0 && t->update.prefix.bytes[4] == 0 && t->update.prefix.bytes[5] == 0)
		*last = s;
}

/* A full dump answering a wildcard request counts as the periodic update:
 * the next one is an update interval later, not when the old timer said. */
static void test_request_dump_resets_periodic(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, 36, NULL);
	h_if_up(&h, 1, IF_TYPE_WIRED); /* full updates every 16 s */
	h_neighbour_hello(&h, 1, 7, 100, 96);
	for (unsigned i = 0; i < 5; i++)
		add_local(&h, i);
	h_advance(&h, 20000);
	/* Wait for a periodic dump. */
	h_clear(&h);
	const struct h_sent *last = NULL;
	for (unsigned i = 0; i < 200 && !last; i++) {
		h_advance(&h, 100);
		h_scan(&h, 0, BABEL_TLV_UPDATE, count_own, &last);
	}
	assert_non_null(last);
	uint64_t periodic_at = last->at;
	/* Ask 8 s after it: the old timer was due 12 to 16 s after it. */
	h_run_until(&h, periodic_at + 8000);
	h_clear(&h);
	struct h_pkt p;
	hp_init(&p);
	hp_route_req(&p, NULL);
	hp_send(&h, &p, 1, 7, true);
	uint64_t asked = h.now;
	h_run_until(&h, asked + 1000);
	size_t answered = h.nsent;
	assert_true(h_scan(&h, 0, BABEL_TLV_UPDATE, NULL, NULL) >= 5);
	/* Nothing more until 12 s (16 s less the jitter) after the answer. */
	h_run_until(&h, asked + 11500);
	last = NULL;
	h_scan(&h, answered, BABEL_TLV_UPDATE, count_own, &last);
	assert_null(last);
	/* And then the periodic update comes. */
	h_run_until(&h, asked + 17500);
	h_scan(&h, answered, BABEL_TLV_UPDATE, count_own, &last);
	assert_non_null(last);
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_packing),
		cmocka_unit_test(test_pacing),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_filter_rules),
		cmocka_unit_test(test_filters_in_engine),
		cmocka_unit_test(test_shutdown),
		cmocka_unit_test(test_ipv4_next_hop),
		cmocka_unit_test(test_dump_own_first),
		cmocka_unit_test(test_slow_dump_whole_packets),
		cmocka_unit_test(test_dump_by_origin_and_prefix),
		cmocka_unit_test(test_request_dump_resets_periodic),
	};
	return cmocka_run_group_tests_name("engine_update (RFC 8966 3.7, 4.5; filters)", tests, NULL, NULL);
}
