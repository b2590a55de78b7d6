/* Engine: route and seqno requests (RFC 8966 3.8) and acknowledged urgent
 * messages (3.3, 4.6.3). */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/test_engine_util.h"

#define P1 "2001:db8:1::/48"

static void nb_up(struct harness *h, uint32_t ifindex, uint8_t n)
{
	h_neighbour_hello(h, ifindex, n, 1, 96);
	h_advance(h, 1000);
	h_neighbour_hello(h, ifindex, n, 2, 96);
}

struct sr_arg {
	size_t n;
	struct babel_seqno_req last;
	uint32_t ifindex;
	bool multicast;
	struct link_addr to;
};

static void sr_cb(void *arg, const struct h_sent *s, const struct babel_tlv *t)
{
	struct sr_arg *a = arg;
	a->n++;
	a->last = t->seqno_req;
	a->ifindex = s->ifindex;
	a->multicast = s->multicast;
	a->to = s->to;
}

static void send_req(struct harness *h, uint32_t ifindex, uint8_t n, uint16_t seqno, uint8_t hops)
{
	struct h_pkt p;
	hp_init(&p);
	hp_seqno_req(&p, P1, seqno, hops, RID_A);
	hp_send(h, &p, ifindex, n, false);
}

static void setup_forwarding(struct harness *h, uint64_t seed)
{
	h_init(h, seed, NULL);
	h_if_up(h, 1, IF_TYPE_WIRED);
	h_if_up(h, 2, IF_TYPE_WIRED);
	nb_up(h, 1, 7);
	nb_up(h, 2, 9);
	struct h_pkt p;
	hp_init(&p);
	hp_update(&p, P1, NULL, 10, 100, RID_A, 400);
	hp_send(h, &p, 1, 7, true);
	h_advance(h, 300);
	h_clear(h);
}

/* 3.8.1.2: a request for a newer seqno than ours, same router-id, is
 * forwarded to the selected route's neighbour with the hop count less
 * one; a duplicate is suppressed; the answer is passed on at once. */
static void test_seqno_request_forwarding(void **state)
{
	(void)state;
	struct harness h;
	setup_forwarding(&h, 21);
	send_req(&h, 2, 9, 11, 5);
	struct sr_arg a = { 0 };
	h_scan(&h, 0, BABEL_TLV_SEQNO_REQ, sr_cb, &a);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.ifindex, 1);
	assert_false(a.multicast);
	struct link_addr a7 = h_ll(7);
	assert_memory_equal(a.to.a, a7.a, 16);
	assert_int_equal(a.last.hop_count, 4);
	assert_int_equal(a.last.seqno, 11);
	assert_memory_equal(a.last.router_id, RID_A, 8);
	/* The same request again (another requester too): suppressed. */
	size_t before = h.nsent;
	send_req(&h, 2, 9, 11, 5);
	send_req(&h, 2, 9, 10, 5);
	assert_int_equal(h_scan(&h, before, BABEL_TLV_SEQNO_REQ, NULL, NULL), 0);
	struct engine_stats st;
	engine_get_stats(h.e, &st);
	assert_int_equal(st.seqno_requests_forwarded, 1);
	assert_int_equal(st.seqno_requests_suppressed, 1);
	/* The originator answers: the update goes on to the requester's link
	 * within the urgent timeout. */
	h_clear(&h);
	struct h_pkt p;
	hp_init(&p);
	hp_update(&p, P1, NULL, 11, 100, RID_A, 400);
	hp_send(&h, &p, 1, 7, true);
	h_advance(&h, 200);
	struct babel_update u;
	assert_true(h_last_update(&h, 0, P1, &u));
	assert_int_equal(u.seqno, 11);
	/* Satisfied: no resend. */
	size_t n0 = h.nsent;
	h_advance(&h, 3000);
	assert_int_equal(h_scan(&h, n0, BABEL_TLV_SEQNO_REQ, NULL, NULL), 0);
	h_free(&h);
}

/* Hop count 1 is not forwarded; never back to the requester. */
static void test_seqno_request_hop_count(void **state)
{
	(void)state;
	struct harness h;
	setup_forwarding(&h, 22);
	send_req(&h, 2, 9, 11, 1);
	assert_int_equal(h_scan(&h, 0, BABEL_TLV_SEQNO_REQ, NULL, NULL), 0);
	/* Request from the neighbour of our only route: nowhere to go. */
	send_req(&h, 1, 7, 11, 5);
	assert_int_equal(h_scan(&h, 0, BABEL_TLV_SEQNO_REQ, NULL, NULL), 0);
	h_free(&h);
}

/* Appendix B: an unanswered request is resent after 2 s, then 4 s and
 * 8 s, then given up. */
static void test_seqno_request_resend(void **state)
{
	(void)state;
	struct harness h;
	setup_forwarding(&h, 23);
	uint64_t t0 = h.now;
	send_req(&h, 2, 9, 11, 5);
	/* Keep neighbour 7 alive without answering. */
	uint16_t seq = 3;
	for (int i = 0; i < 8; i++) {
		h_advance(&h, 4000);
		h_neighbour_hello(&h, 1, 7, seq, 96);
		h_neighbour_hello(&h, 2, 9, seq, 96);
		seq++;
	}
	size_t times = 0;
	uint64_t at[8];
	for (size_t i = 0; i < h.nsent; i++) {
		struct harness one = h;
		one.nsent = i + 1;
		if (h_scan(&one, i, BABEL_TLV_SEQNO_REQ, NULL, NULL))
			at[times++] = h.sent[i].at - t0;
	}
	assert_int_equal(times, 4);
	assert_int_equal(at[0], 0);
	assert_int_equal(at[1], 2000);
	assert_int_equal(at[2], 6000);
	assert_int_equal(at[3], 14000);
	h_free(&h);
}

/* 3.8.1.2: a request for our own prefix with a newer seqno: the seqno goes
 * up by exactly one and an update follows. */
static void test_seqno_request_originator(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, 24, NULL);
	h_if_up(&h, 1, IF_TYPE_WIRED);
	nb_up(&h, 1, 7);
	struct route_key k;
	h_key(&k, P1, NULL);
	engine_kernel_route(h.e, &k, 1, 0, 0, 2, true, h.now);
	h_advance(&h, 300);
	uint16_t s0 = engine_seqno(h.e);
	h_clear(&h);
	struct h_pkt p;
	hp_init(&p);
	hp_seqno_req(&p, P1, (uint16_t)(s0 + 5), 3, RID_SELF);
	hp_send(&h, &p, 1, 7, false);
	h_advance(&h, 50);
	assert_int_equal(engine_seqno(h.e), (uint16_t)(s0 + 1));
	assert_int_equal(h.seqno_events, 1);
	struct babel_update u;
	assert_true(h_last_update(&h, 0, P1, &u));
	assert_int_equal(u.seqno, (uint16_t)(s0 + 1));
	/* An old seqno does not bump it. */
	hp_init(&p);
	hp_seqno_req(&p, P1, s0, 3, RID_SELF);
	hp_send(&h, &p, 1, 7, false);
	assert_int_equal(engine_seqno(h.e), (uint16_t)(s0 + 1));
	h_free(&h);
}

/* 3.8.1.1: specific requests get the route or a retraction; a wildcard
 * request gets the whole table. */
static void test_route_requests(void **state)
{
	(void)state;
	struct harness h;
	setup_forwarding(&h, 25);
	struct h_pkt p;
	hp_init(&p);
	hp_route_req(&p, P1);
	hp_route_req(&p, "2001:db8:99::/48");
	hp_send(&h, &p, 2, 9, false);
	h_advance(&h, 200);
	struct babel_update u;
	assert_true(h_last_update(&h, 0, P1, &u));
	assert_int_equal(u.metric, 196);
	assert_false(h.sent[h.nsent - 1].multicast); /* unicast request, unicast reply */
	assert_true(h_last_update(&h, 0, "2001:db8:99::/48", &u));
	assert_int_equal(u.metric, 0xFFFF);
	h_clear(&h);
	hp_init(&p);
	hp_route_req(&p, NULL);
	hp_send(&h, &p, 2, 9, true);
	h_advance(&h, 200);
	assert_true(h_last_update(&h, 0, P1, &u));
	assert_int_equal(u.metric, 196);
	h_free(&h);
}

struct wildcard_count {
	unsigned unicast, multicast;
};

static void wildcard_scan(void *arg, const struct h_sent *s, const struct babel_tlv *t)
{
	struct wildcard_count *w = arg;
	if (t->route_req.ae != BABEL_AE_WILDCARD)
		return;
	if (s->multicast)
		w->multicast++;
	else
		w->unicast++;
}

/* A neighbour whose routes become usable is asked for its table, unicast,
 * once: whatever it sent before (lost, or before we could use it) comes
 * again without waiting for its next full update. */
static void test_table_asked_when_usable(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, 26, NULL);
	h_if_up(&h, 1, IF_TYPE_WIRED);
	h_advance(&h, 3000);
	h_clear(&h);
	uint16_t seq = 100;
	for (int i = 0; i < 3; i++) {
		h_neighbour_hello(&h, 1, 7, seq++, 96);
		h_advance(&h, 1000);
	}
	struct engine_neighbour_info ni;
	assert_true(h_neighbour(&h, 7, &ni));
	assert_true(ni.cost < 0xFFFF);
	struct wildcard_count w = { 0 };
	h_scan(&h, 0, BABEL_TLV_ROUTE_REQ, wildcard_scan, &w);
	assert_int_equal(w.unicast, 1);
	/* Still usable: not asked again. */
	size_t mark = h.nsent;
	for (int i = 0; i < 10; i++) {
		h_neighbour_hello(&h, 1, 7, seq++, 96);
		h_advance(&h, 1000);
	}
	struct wildcard_count w2 = { 0 };
	h_scan(&h, mark, BABEL_TLV_ROUTE_REQ, wildcard_scan, &w2);
	assert_int_equal(w2.unicast, 0);
	h_free(&h);
}

/* 4.6.3: an Ack Request is answered with its opaque, unicast, in time. */
static void test_ack_request_answered(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, 26, NULL);
	h_if_up(&h, 1, IF_TYPE_WIRED);
	h_clear(&h);
	struct h_pkt p;
	hp_init(&p);
	hp_ack_req(&p, 0x1234, 20);
	hp_send(&h, &p, 1, 7, false);
	h_advance(&h, 100);
	size_t found = 0;
	for (size_t i = 0; i < h.nsent; i++) {
		struct harness one = h;
		one.nsent = i + 1;
		if (h_scan(&one, i, BABEL_TLV_ACK, NULL, NULL)) {
			assert_false(h.sent[i].multicast);
			assert_true(h.sent[i].at <= 1000000 + 200);
			found++;
		}
	}
	assert_int_equal(found, 1);
	h_free(&h);
}

struct ar_arg {
	size_t n;
	uint16_t opaque;
	uint64_t at[8];
};

static void ar_cb(void *arg, const struct h_sent *s, const struct babel_tlv *t)
{
	struct ar_arg *a = arg;
	assert_false(s->multicast);
	if (a->n < 8)
		a->at[a->n] = s->at;
	a->n++;
	a->opaque = t->ack_req.opaque;
}

static void unicast_setup(struct harness *h, uint64_t seed)
{
	h_init(h, seed, NULL);
	struct if_config c;
	memset(&c, 0, sizeof(c));
	c.type = IF_TYPE_WIRED;
	c.split_horizon = c.link_quality = c.enable_timestamps = c.v4_via_v6 = OPT_DEFAULT;
	c.unicast = OPT_ON;
	h_if_up_cfg(h, 1, &c);
	nb_up(h, 1, 7);
	struct route_key k;
	h_key(&k, P1, NULL);
	engine_kernel_route(h->e, &k, 1, 0, 0, 2, true, h->now);
	h_advance(h, 300);
	h_clear(h);
	/* Withdrawn: an urgent retraction, over unicast with an Ack Request. */
	engine_kernel_route(h->e, &k, 1, 0, 0, 2, false, h->now);
	h_advance(h, 1);
}

/* 3.3: urgent unicast messages are resent until acknowledged... */
static void test_ack_resend_until_acked(void **state)
{
	(void)state;
	struct harness h;
	unicast_setup(&h, 27);
	struct ar_arg a = { 0 };
	h_scan(&h, 0, BABEL_TLV_ACK_REQ, ar_cb, &a);
	assert_int_equal(a.n, 1);
	struct babel_update u;
	assert_true(h_last_update(&h, 0, P1, &u));
	assert_int_equal(u.metric, 0xFFFF);
	h_advance(&h, 1000);
	struct ar_arg b = { 0 };
	h_scan(&h, 0, BABEL_TLV_ACK_REQ, ar_cb, &b);
	assert_int_equal(b.n, 2); /* resent once */
	struct h_pkt p;
	hp_init(&p);
	hp_ack(&p, b.opaque);
	hp_send(&h, &p, 1, 7, false);
	h_neighbour_hello(&h, 1, 7, 3, 96);
	h_advance(&h, 3000);
	struct ar_arg c = { 0 };
	h_scan(&h, 0, BABEL_TLV_ACK_REQ, ar_cb, &c);
	assert_int_equal(c.n, 2); /* acknowledged: no more */
	h_free(&h);
}

/* ... or given up after a few resends. */
static void test_ack_give_up(void **state)
{
	(void)state;
	struct harness h;
	unicast_setup(&h, 28);
	uint16_t seq = 3;
	for (int i = 0; i < 3; i++) {
		h_advance(&h, 3000);
		h_neighbour_hello(&h, 1, 7, seq++, 96);
	}
	struct ar_arg a = { 0 };
	h_scan(&h, 0, BABEL_TLV_ACK_REQ, ar_cb, &a);
	assert_int_equal(a.n, 4); /* sent, then 3 resends */
	struct engine_stats st;
	engine_get_stats(h.e, &st);
	assert_int_equal(st.acks_resent, 3);
	assert_int_equal(st.acks_given_up, 1);
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seqno_request_forwarding),
		cmocka_unit_test(test_seqno_request_hop_count),
		cmocka_unit_test(test_seqno_request_resend),
		cmocka_unit_test(test_seqno_request_originator),
		cmocka_unit_test(test_route_requests),
		cmocka_unit_test(test_table_asked_when_usable),
		cmocka_unit_test(test_ack_request_answered),
		cmocka_unit_test(test_ack_resend_until_acked),
		cmocka_unit_test(test_ack_give_up),
	};
	return cmocka_run_group_tests_name("engine_request (RFC 8966 3.3, 3.8)", tests, NULL, NULL);
}
