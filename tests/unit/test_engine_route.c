/* Engine: route acquisition, feasibility, selection, expiry, kernel
 * changes (RFC 8966 3.5, 3.6, 3.7.3, A.3; RFC 9079; RFC 9229). */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/test_engine_util.h"

#define P1 "2001:db8:1::/48"

/* Brings neighbour fe80::n on ifindex up with cost 96 (two Hellos). */
static uint16_t nb_up(struct harness *h, uint32_t ifindex, uint8_t n)
{
	h_neighbour_hello(h, ifindex, n, 1, 96);
	h_advance(h, 1000);
	h_neighbour_hello(h, ifindex, n, 2, 96);
	return 3;
}

/* Keeps neighbours alive (Hellos every 4 s) for ms. */
static void keepalive(struct harness *h, uint32_t ifindex, const uint8_t *ns, size_t k,
		      uint16_t *seq, uint64_t ms)
{
	uint64_t end = h->now + ms;
	while (h->now + 4000 <= end) {
		h_advance(h, 4000);
		for (size_t i = 0; i < k; i++)
			h_neighbour_hello(h, ifindex, ns[i], *seq, 96);
		(*seq)++;
	}
	h_run_until(h, end);
}

static void send_update(struct harness *h, uint32_t ifindex, uint8_t n, const char *prefix,
			uint16_t seqno, uint16_t metric, const uint8_t *rid)
{
	struct h_pkt p;
	hp_init(&p);
	hp_update(&p, prefix, NULL, seqno, metric, rid, 400);
	hp_send(h, &p, ifindex, n, true);
}

static void setup2(struct harness *h, uint64_t seed)
{
	h_init(h, seed, NULL);
	h_if_up(h, 1, IF_TYPE_WIRED);
	h_if_up(h, 2, IF_TYPE_WIRED);
}

/* 3.5.4 + 3.6: a new feasible route is selected, installed and announced
 * on the other interfaces (not back: split horizon, 3.7.4). */
static void test_learn_install_announce(void **state)
{
	(void)state;
	struct harness h;
	setup2(&h, 11);
	nb_up(&h, 1, 7);
	h_clear(&h);
	send_update(&h, 1, 7, P1, 10, 100, RID_A);
	struct engine_route_info r;
	assert_true(h_selected(&h, P1, &r));
	assert_int_equal(r.metric, 196);
	assert_int_equal(r.refmetric, 100);
	assert_true(r.feasible);
	assert_true(r.installed);
	assert_int_equal(h.nfib, 1);
	assert_int_equal(h.fib[0].op, FIB_ADD);
	assert_int_equal(h.fib[0].ifindex, 1);
	struct link_addr nh = h_ll(7);
	assert_memory_equal(h.fib[0].nexthop.a, nh.a, 16);
	h_advance(&h, 300);
	struct babel_update u;
	assert_true(h_last_update(&h, 0, P1, &u));
	assert_int_equal(u.metric, 196);
	assert_int_equal(u.seqno, 10);
	assert_memory_equal(u.router_id, RID_A, 8);
	/* Only on interface 2. */
	for (size_t i = 0; i < h.nsent; i++) {
		struct h_sent *s = &h.sent[i];
		if (s->ifindex == 1) {
			struct babel_update x;
			struct harness one = h;
			one.nsent = i + 1;
			if (h_last_update(&one, i, P1, &x))
				assert_int_equal(x.metric, 0xFFFF);
		}
	}
	/* 3.7.3: the feasibility distance is what we announced. */
	struct engine_source_info s;
	assert_true(h_source(&h, P1, &s));
	assert_int_equal(s.seqno, 10);
	assert_int_equal(s.metric, 196);
	h_free(&h);
}

/* 3.5.1: feasible if newer seqno, or same seqno and smaller metric than the
 * feasibility distance; an unfeasible update unselects the route (3.5.4)
 * and makes us ask for a newer seqno (3.8.2.2). */
static void test_feasibility(void **state)
{
	(void)state;
	struct harness h;
	setup2(&h, 12);
	nb_up(&h, 1, 7);
	send_update(&h, 1, 7, P1, 10, 100, RID_A); /* FD (10, 196) */
	h_advance(&h, 300);
	struct engine_route_info r;
	/* Same seqno, refmetric 150 < 196: feasible. */
	send_update(&h, 1, 7, P1, 10, 150, RID_A);
	assert_true(h_selected(&h, P1, &r));
	assert_int_equal(r.metric, 246);
	h_advance(&h, 300);
	h_clear(&h);
	/* Same seqno, refmetric 250 >= FD 196: unfeasible. */
	send_update(&h, 1, 7, P1, 10, 250, RID_A);
	assert_false(h_selected(&h, P1, &r));
	assert_int_equal(h.nfib, 1);
	assert_int_equal(h.fib[0].op, FIB_REMOVE);
	h_advance(&h, 300);
	/* A seqno request for seqno 11 went to fe80::7, unicast. */
	size_t reqs = 0;
	for (size_t i = 0; i < h.nsent; i++) {
		struct harness one = h;
		one.nsent = i + 1;
		if (h_scan(&one, i, BABEL_TLV_SEQNO_REQ, NULL, NULL)) {
			struct link_addr a = h_ll(7);
			if (!h.sent[i].multicast) {
				assert_memory_equal(h.sent[i].to.a, a.a, 16);
				reqs++;
			}
		}
	}
	assert_true(reqs >= 1);
	/* The retraction went out. */
	struct babel_update u;
	assert_true(h_last_update(&h, 0, P1, &u));
	assert_int_equal(u.metric, 0xFFFF);
	/* A newer seqno is feasible whatever the metric. */
	send_update(&h, 1, 7, P1, 11, 250, RID_A);
	assert_true(h_selected(&h, P1, &r));
	assert_int_equal(r.seqno, 11);
	assert_int_equal(r.metric, 346);
	h_free(&h);
}

/* A retraction removes the route from the kernel and is passed on. */
static void test_retraction(void **state)
{
	(void)state;
	struct harness h;
	setup2(&h, 13);
	nb_up(&h, 1, 7);
	send_update(&h, 1, 7, P1, 10, 100, RID_A);
	h_advance(&h, 300);
	h_clear(&h);
	send_update(&h, 1, 7, P1, 10, 0xFFFF, NULL);
	struct engine_route_info r;
	assert_false(h_selected(&h, P1, &r));
	assert_int_equal(h.nfib, 1);
	assert_int_equal(h.fib[0].op, FIB_REMOVE);
	h_advance(&h, 1);
	struct babel_update u;
	assert_true(h_last_update(&h, 0, P1, &u));
	assert_int_equal(u.metric, 0xFFFF);
	assert_true(h.sent[h.nsent - 1].at - 1000 <= h.now);
	h_free(&h);
}

/* A.3: a route that becomes better wins only once its smoothed metric is
 * better too; a wobble does not flap the selection. */
static void test_selection_hysteresis(void **state)
{
	(void)state;
	struct harness h;
	setup2(&h, 14);
	uint8_t ns[2] = { 7, 8 };
	h_neighbour_hello(&h, 1, 7, 1, 96);
	h_neighbour_hello(&h, 1, 8, 1, 96);
	uint16_t seq = 2;
	keepalive(&h, 1, ns, 2, &seq, 4000);
	send_update(&h, 1, 7, P1, 10, 100, RID_A); /* 196 */
	send_update(&h, 1, 8, P1, 10, 90, RID_A);  /* 186: better, new: wins */
	struct engine_route_info r;
	assert_true(h_selected(&h, P1, &r));
	struct link_addr a8 = h_ll(8), a7 = h_ll(7);
	assert_memory_equal(r.neighbour.a, a8.a, 16);
	keepalive(&h, 1, ns, 2, &seq, 20000);
	/* 8 worsens to 216: 7 (196) is better now but 8's smoothed metric
	 * is still ~186: keep 8. */
	send_update(&h, 1, 8, P1, 10, 120, RID_A);
	assert_true(h_selected(&h, P1, &r));
	assert_memory_equal(r.neighbour.a, a8.a, 16);
	/* 8 recovers within a second: no flap happened. */
	h_advance(&h, 1000);
	send_update(&h, 1, 8, P1, 10, 90, RID_A);
	assert_true(h_selected(&h, P1, &r));
	assert_memory_equal(r.neighbour.a, a8.a, 16);
	/* 8 worsens for good: after a few half-lives 7 takes over. */
	send_update(&h, 1, 8, P1, 10, 150, RID_A); /* 246 */
	assert_true(h_selected(&h, P1, &r));
	assert_memory_equal(r.neighbour.a, a8.a, 16);
	keepalive(&h, 1, ns, 2, &seq, 12000);
	send_update(&h, 1, 7, P1, 10, 100, RID_A);
	send_update(&h, 1, 8, P1, 10, 150, RID_A);
	assert_true(h_selected(&h, P1, &r));
	assert_memory_equal(r.neighbour.a, a7.a, 16);
	h_free(&h);
}

/* Appendix B: a route expires 3.5 update intervals after its last update
 * (retracted, then flushed after as long again). */
static void test_route_expiry(void **state)
{
	(void)state;
	struct harness h;
	setup2(&h, 15);
	uint8_t ns[1] = { 7 };
	uint16_t seq = nb_up(&h, 1, 7);
	send_update(&h, 1, 7, P1, 10, 100, RID_A); /* interval 4 s: 14 s */
	struct engine_route_info r;
	keepalive(&h, 1, ns, 1, &seq, 13990);
	assert_true(h_selected(&h, P1, &r));
	keepalive(&h, 1, ns, 1, &seq, 20);
	assert_false(h_selected(&h, P1, &r));
	assert_int_equal(h_route_count(&h), 1);
	assert_int_equal(h.fib[h.nfib - 1].op, FIB_REMOVE);
	keepalive(&h, 1, ns, 1, &seq, 14000);
	assert_int_equal(h_route_count(&h), 0);
	h_free(&h);
}

/* Appendix B: a source entry is forgotten 3 minutes after it was last used. */
static void test_source_gc(void **state)
{
	(void)state;
	struct harness h;
	setup2(&h, 16);
	nb_up(&h, 1, 7);
	send_update(&h, 1, 7, P1, 10, 100, RID_A);
	h_advance(&h, 300);
	send_update(&h, 1, 7, P1, 10, 0xFFFF, NULL);
	h_advance(&h, 10);
	assert_int_equal(h_source_count(&h), 1);
	struct engine_source_info s;
	assert_true(h_source(&h, P1, &s));
	uint64_t left = s.gc_in_ms;
	assert_true(left <= 180000 && left > 179000);
	h_advance(&h, left - 1);
	assert_int_equal(h_source_count(&h), 1);
	h_advance(&h, 2);
	assert_int_equal(h_source_count(&h), 0);
	h_free(&h);
}

/* Changes reach the kernel edge in batches: one call for one packet. */
static void test_fib_batch_and_v4_via_v6(void **state)
{
	(void)state;
	struct harness h;
	setup2(&h, 17);
	nb_up(&h, 1, 7);
	h_clear(&h);
	struct h_pkt p;
	hp_init(&p);
	hp_update(&p, "2001:db8:1::/48", NULL, 1, 10, RID_A, 400);
	hp_update(&p, "2001:db8:2::/48", NULL, 1, 10, RID_A, 400);
	hp_update(&p, "10.1.0.0/16", NULL, 1, 10, RID_A, 400); /* AE 4, RFC 9229 */
	hp_update(&p, "2001:db8:3::/48", "2001:db8:ff::/48", 1, 10, RID_A, 400); /* RFC 9079 */
	hp_send(&h, &p, 1, 7, true);
	assert_int_equal(h.fib_batches, 1);
	assert_int_equal(h.nfib, 4);
	struct route_key k;
	h_key(&k, "10.1.0.0/16", NULL);
	bool v4 = false, ss = false;
	struct link_addr nh = h_ll(7);
	for (size_t i = 0; i < h.nfib; i++) {
		assert_int_equal(h.fib[i].op, FIB_ADD);
		if (route_key_equal(&h.fib[i].key, &k)) {
			v4 = true;
			assert_memory_equal(h.fib[i].nexthop.a, nh.a, 16); /* IPv6 next hop */
		}
		if (h.fib[i].key.src.plen == 48)
			ss = true;
	}
	assert_true(v4);
	assert_true(ss);
	h_advance(&h, 300);
	struct babel_update u;
	assert_true(h_last_update(&h, 0, "10.1.0.0/16", &u));
	assert_int_equal(u.ae, BABEL_AE_V4_VIA_V6);
	assert_int_equal(u.metric, 106);
	assert_true(h_last_update(&h, 0, "2001:db8:3::/48", &u));
	assert_true(u.has_src);
	assert_int_equal(u.src.plen, 48);
	h_free(&h);
}

/* Our own prefixes: redistributed local addresses go out with our
 * router-id and seqno, and a learned route for the same prefix is not
 * installed. */
static void test_xroute(void **state)
{
	(void)state;
	struct harness h;
	setup2(&h, 18);
	struct route_key k;
	h_key(&k, "2001:db8:aa::/64", NULL);
	engine_kernel_route(h.e, &k, 1, 0, 0, 2, true, h.now);
	h_advance(&h, 300);
	struct babel_update u;
	assert_true(h_last_update(&h, 0, "2001:db8:aa::/64", &u));
	assert_int_equal(u.metric, 0);
	assert_memory_equal(u.router_id, RID_SELF, 8);
	/* A kernel route that is not a local address: not redistributed by
	 * default (babeld). */
	h_clear(&h);
	struct route_key k2;
	h_key(&k2, "2001:db8:bb::/64", NULL);
	engine_kernel_route(h.e, &k2, 1, 254, 1024, 3, true, h.now);
	h_advance(&h, 300);
	assert_false(h_last_update(&h, 0, "2001:db8:bb::/64", &u));
	/* Withdrawn: retracted. */
	engine_kernel_route(h.e, &k, 1, 0, 0, 2, false, h.now);
	h_advance(&h, 300);
	assert_true(h_last_update(&h, 0, "2001:db8:aa::/64", &u));
	assert_int_equal(u.metric, 0xFFFF);
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_install_announce),
		cmocka_unit_test(test_feasibility),
		cmocka_unit_test(test_retraction),
		cmocka_unit_test(test_selection_hysteresis),
		cmocka_unit_test(test_route_expiry),
		cmocka_unit_test(test_source_gc),
		cmocka_unit_test(test_fib_batch_and_v4_via_v6),
		cmocka_unit_test(test_xroute),
	};
	return cmocka_run_group_tests_name("engine_route (RFC 8966 3.5-3.7, A.3)", tests, NULL, NULL);
}
