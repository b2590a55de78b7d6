/* Engine: neighbours and link costs (RFC 8966 3.4, Appendix A; RFC 9616). */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/test_engine_util.h"

/* 3.4: a neighbour appears with its first packet; 2-out-of-3 needs two
 * Hellos before the link counts as up (A.2.1). */
static void test_acquisition_wired_k_out_of_j(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, 1, NULL);
	h_if_up(&h, 1, IF_TYPE_WIRED);
	h_neighbour_hello(&h, 1, 7, 100, 96);
	struct engine_neighbour_info n;
	assert_true(h_neighbour(&h, 7, &n));
	assert_int_equal(n.rxcost, 0xFFFF); /* 1 of 3 */
	assert_int_equal(n.txcost, 96);
	assert_int_equal(n.cost, 0xFFFF);
	h_advance(&h, 4000);
	h_neighbour_hello(&h, 1, 7, 101, 96);
	assert_true(h_neighbour(&h, 7, &n));
	assert_int_equal(n.rxcost, 96);
	assert_int_equal(n.cost, 96); /* A.2.1: cost = txcost */
	h_free(&h);
}

struct ihu_arg {
	struct link_addr to;
	uint16_t rxcost;
	size_t n;
};

static void ihu_cb(void *arg, const struct h_sent *s, const struct babel_tlv *t)
{
	(void)s;
	struct ihu_arg *a = arg;
	if (memcmp(t->ihu.addr.bytes, a->to.a, 16) == 0) {
		a->rxcost = t->ihu.rxcost;
		a->n++;
	}
}

/* Our Hellos go out every 4 s (jittered down by at most 25 %), with IHUs
 * for every neighbour every third Hello on wired links (Appendix B). */
static void test_hellos_and_ihus_sent(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, 2, NULL);
	h_if_up(&h, 1, IF_TYPE_WIRED);
	for (uint16_t s = 0; s < 4; s++) {
		h_neighbour_hello(&h, 1, 9, s, 96);
		h_advance(&h, 4000);
	}
	h_advance(&h, 20000 - 16000);
	size_t hellos = h_scan(&h, 0, BABEL_TLV_HELLO, NULL, NULL);
	assert_true(hellos >= 5 && hellos <= 7);
	struct ihu_arg a = { .to = h_ll(9) };
	h_scan(&h, 0, BABEL_TLV_IHU, ihu_cb, &a);
	assert_true(a.n >= 2);
	assert_int_equal(a.rxcost, 96);
	/* Every Hello goes multicast. */
	for (size_t i = 0; i < h.nsent; i++)
		if (h_scan(&h, i, BABEL_TLV_HELLO, NULL, NULL) && i + 1 == h.nsent)
			assert_true(h.sent[i].multicast);
	h_free(&h);
}

/* A.1: a silent neighbour loses one history bit per interval and is
 * flushed once its history holds only losses (16 intervals). */
static void test_neighbour_loss_and_expiry(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, 3, NULL);
	h_if_up(&h, 1, IF_TYPE_WIRED);
	h_neighbour_hello(&h, 1, 5, 10, 96);
	h_advance(&h, 4000);
	h_neighbour_hello(&h, 1, 5, 11, 96);
	struct engine_neighbour_info n;
	assert_true(h_neighbour(&h, 5, &n));
	assert_int_equal(n.cost, 96);
	/* First timeout at 1.5 x 4 s, then every 4 s: after 6 s and 10 s two
	 * losses, 1 of the last 3 received: down. */
	h_advance(&h, 10001);
	assert_true(h_neighbour(&h, 5, &n));
	assert_int_equal(n.cost, 0xFFFF);
	/* 16 intervals after the last Hello: 6 + 15 * 4 = 66 s. */
	h_advance(&h, 66000 - 10001 - 2);
	assert_true(h_neighbour(&h, 5, &n));
	h_advance(&h, 4000);
	assert_false(h_neighbour(&h, 5, &n));
	h_free(&h);
}

/* A.2.2 ETX on hand-computed values: Hellos 1, 2, 4 received (3 of 4),
 * rxcost = 256 * 4 / 3 = 341; txcost 300: cost = 300 * 341 / 256 = 399. */
static void test_etx_cost(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, 4, NULL);
	h_if_up(&h, 1, IF_TYPE_WIRELESS);
	h_neighbour_hello(&h, 1, 3, 1, 300);
	h_advance(&h, 4000);
	h_neighbour_hello(&h, 1, 3, 2, 300);
	h_advance(&h, 5000); /* Hello 3 lost: the timer adds a 0 at 6 s */
	h_neighbour_hello(&h, 1, 3, 4, 300);
	struct engine_neighbour_info n;
	assert_true(h_neighbour(&h, 3, &n));
	assert_int_equal(n.rxcost, 341);
	assert_int_equal(n.txcost, 300);
	assert_int_equal(n.cost, 399);
	/* A txcost below 256 counts as 256 (alpha = min(1, 256/txcost)). */
	h_advance(&h, 1000);
	h_neighbour_hello(&h, 1, 3, 5, 200);
	assert_true(h_neighbour(&h, 3, &n));
	/* 4 of 5: 256 * 5 / 4 = 320 */
	assert_int_equal(n.rxcost, 320);
	assert_int_equal(n.cost, 320);
	h_free(&h);
}

/* RFC 8966 4.6.6: an IHU naming another address is not for us. */
static void test_ihu_for_someone_else(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, 5, NULL);
	h_if_up(&h, 1, IF_TYPE_WIRED);
	struct h_pkt p;
	hp_init(&p);
	hp_hello(&p, 1, 400, false);
	struct link_addr other = h_ll(200);
	hp_ihu(&p, 96, 1200, &other);
	hp_send(&h, &p, 1, 4, true);
	struct engine_neighbour_info n;
	assert_true(h_neighbour(&h, 4, &n));
	assert_int_equal(n.txcost, 0xFFFF);
	/* AE 0: for whoever receives it. */
	hp_init(&p);
	hp_hello(&p, 2, 400, false);
	hp_ihu(&p, 128, 1200, NULL);
	hp_send(&h, &p, 1, 4, true);
	assert_true(h_neighbour(&h, 4, &n));
	assert_int_equal(n.txcost, 128);
	h_free(&h);
}

/* Appendix B: the txcost is forgotten 3.5 IHU intervals after the last IHU. */
static void test_ihu_hold_time(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, 6, NULL);
	h_if_up(&h, 1, IF_TYPE_WIRED);
	h_neighbour_hello(&h, 1, 8, 1, 96); /* IHU interval 12 s: hold 42 s */
	uint16_t seq = 2;
	for (int i = 0; i < 10; i++) {
		h_advance(&h, 4000);
		h_neighbour_hello(&h, 1, 8, seq++, 0); /* Hellos only */
	}
	struct engine_neighbour_info n;
	assert_true(h_neighbour(&h, 8, &n));
	assert_int_equal(n.txcost, 96); /* 40 s */
	h_advance(&h, 2001);
	assert_true(h_neighbour(&h, 8, &n));
	assert_int_equal(n.txcost, 0xFFFF);
	assert_int_equal(n.cost, 0xFFFF);
	h_free(&h);
}

struct uh_arg {
	size_t unicast_hellos;
	size_t multicast_hellos;
};

static void uh_cb(void *arg, const struct h_sent *s, const struct babel_tlv *t)
{
	struct uh_arg *a = arg;
	if (t->hello.flags & BABEL_HELLO_UNICAST) {
		assert_false(s->multicast); /* never through the multicast path */
		assert_true(t->hello.interval > 0); /* scheduled */
		a->unicast_hellos++;
	} else {
		a->multicast_hellos++;
	}
}

/* 3.4.1: scheduled unicast Hellos, sent and understood (their own history). */
static void test_unicast_hellos(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, 7, NULL);
	struct if_config c;
	memset(&c, 0, sizeof(c));
	c.type = IF_TYPE_WIRED;
	c.split_horizon = c.link_quality = c.enable_timestamps = c.v4_via_v6 = OPT_DEFAULT;
	c.unicast = OPT_ON;
	h_if_up_cfg(&h, 1, &c);
	h_neighbour_hello(&h, 1, 6, 1, 96);
	h_advance(&h, 12000);
	struct uh_arg a = { 0 };
	h_scan(&h, 0, BABEL_TLV_HELLO, uh_cb, &a);
	assert_true(a.unicast_hellos >= 2);
	assert_true(a.multicast_hellos >= 2);
	/* Unicast Hellos from the neighbour keep the link up on their own. */
	struct h_pkt p;
	for (uint16_t s = 50; s < 53; s++) {
		hp_init(&p);
		hp_hello(&p, s, 400, true);
		hp_send(&h, &p, 1, 6, false);
		h_advance(&h, 4000);
	}
	struct engine_neighbour_info n;
	assert_true(h_neighbour(&h, 6, &n));
	assert_int_equal(n.ucast_history_len, 3);
	assert_int_equal(n.ucast_history & 7, 7);
	assert_int_equal(n.rxcost, 96);
	h_free(&h);
}

/* RFC 9616: RTT = (now - origin) - (transmit - receive); the penalty is
 * linear between rtt-min (10 ms) and rtt-max (120 ms), up to 96 on tunnels. */
static void test_rtt_cost(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, 8, NULL);
	h_if_up(&h, 1, IF_TYPE_TUNNEL);
	struct link_addr us = h_our_ll(1);
	/* Two Hellos for 2-out-of-3. */
	struct h_pkt p;
	hp_init(&p);
	hp_hello_ts(&p, 1, 400, 5000000);
	hp_ihu(&p, 96, 1200, &us);
	hp_send(&h, &p, 1, 2, true);
	h_advance(&h, 4000);
	/* Our clock in microseconds: now * 1000 modulo 2^32.  The neighbour
	 * says our Hello left at origin = now - 80 ms, reached it at its
	 * 7,000,000 and this packet leaves at its 7,010,000: 10 ms inside. */
	uint32_t now_us = (uint32_t)(h.now * 1000u);
	hp_init(&p);
	hp_hello_ts(&p, 2, 400, 7010000);
	hp_ihu_ts(&p, 96, 1200, &us, now_us - 80000, 7000000);
	hp_send(&h, &p, 1, 2, true);
	struct engine_neighbour_info n;
	assert_true(h_neighbour(&h, 2, &n));
	assert_true(n.rtt_valid);
	assert_int_equal(n.rtt_us, 70000);
	/* penalty = 96 * (70 - 10) / (120 - 10) = 52 */
	assert_int_equal(n.cost, 96 + 52);
	h_free(&h);
}

/* The external link-quality hint raises the cost of a wireless link. */
static void test_link_quality_hint(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, 9, NULL);
	h_if_up(&h, 1, IF_TYPE_WIRELESS);
	h_neighbour_hello(&h, 1, 3, 1, 256);
	struct engine_neighbour_info n;
	assert_true(h_neighbour(&h, 3, &n));
	assert_int_equal(n.cost, 256);
	struct link_addr a = h_ll(3);
	engine_link_quality(h.e, 1, &a, 128, h.now); /* hint 256 * 255 / 128 = 510 */
	assert_true(h_neighbour(&h, 3, &n));
	assert_int_equal(n.link_hint, 510);
	assert_int_equal(n.cost, 510);
	h_free(&h);
}

/* The radio link: a high base cost on top of its ETX. */
/* An interface config of TYPE with every setting at its default. */
static void default_cfg(struct if_config *c, enum if_type type)
{
	memset(c, 0, sizeof(*c));
	c->type = type;
	c->split_horizon = c->unicast = c->link_quality = c->enable_timestamps = c->v4_via_v6 =
		OPT_DEFAULT;
	engine_if_defaults(c);
}

static void test_ax25_defaults(void **state)
{
	(void)state;
	struct if_config c;
	default_cfg(&c, IF_TYPE_AX25);
	assert_true(c.hello_interval_ms >= 60000 && c.hello_interval_ms <= 120000);
	assert_true(c.update_interval_ms >= 300000);
	assert_int_equal(c.split_horizon, OPT_OFF);
	struct harness h;
	h_init(&h, 10, NULL);
	h_if_up_cfg(&h, 1, &c);
	struct h_pkt p;
	hp_init(&p);
	hp_hello(&p, 1, 9000, false);
	struct link_addr us = h_our_ll(1);
	hp_ihu(&p, 256, 27000, &us);
	hp_send(&h, &p, 1, 2, true);
	struct engine_neighbour_info n;
	assert_true(h_neighbour(&h, 2, &n));
	assert_int_equal(n.cost, 256 + 4096);
	h_free(&h);
	/* Wired defaults (Appendix B). */
	default_cfg(&c, IF_TYPE_WIRED);
	assert_int_equal(c.hello_interval_ms, 4000);
	assert_int_equal(c.update_interval_ms, 16000);
	assert_int_equal(c.rxcost, 96);
	assert_int_equal(c.split_horizon, OPT_ON);
	assert_int_equal(c.v4_via_v6, OPT_ON);
}

/* Two stations heard for the first time on a radio channel: each gets one
 * IHU (its first Hello is both a new neighbour and a link that became
 * reachable: one IHU, not two), and both IHUs share one multicast packet
 * rather than a packet each, since every packet costs its TX delay. */
struct ihu_count {
	size_t per[4];   /* IHUs for fe80::1..3 */
	size_t packets;  /* packets that carried an IHU */
	bool unicast;    /* one of them was unicast */
	const struct h_sent *last;
};

static void ihu_count_cb(void *arg, const struct h_sent *s, const struct babel_tlv *t)
{
	struct ihu_count *c = arg;
	for (uint8_t n = 1; n <= 3; n++) {
		struct link_addr a = h_ll(n);
		if (memcmp(t->ihu.addr.bytes, a.a, 16) == 0)
			c->per[n]++;
	}
	if (s != c->last) {
		c->packets++;
		c->last = s;
	}
	if (!s->multicast)
		c->unicast = true;
}

static void test_new_neighbours_one_ihu_each(void **state)
{
	(void)state;
	struct if_config c;
	default_cfg(&c, IF_TYPE_AX25);
	struct harness h;
	h_init(&h, 11, NULL);
	h_if_up_cfg(&h, 1, &c);
	h_advance(&h, 5000);
	size_t from = h.nsent;
	for (uint8_t n = 2; n <= 3; n++) {
		struct h_pkt p;
		hp_init(&p);
		hp_hello(&p, 7, 9000, false);
		hp_send(&h, &p, 1, n, true);
		h_advance(&h, 50);
	}
	h_advance(&h, 2000);
	struct ihu_count cnt = { 0 };
	h_scan(&h, from, BABEL_TLV_IHU, ihu_count_cb, &cnt);
	assert_int_equal(cnt.per[2], 1);
	assert_int_equal(cnt.per[3], 1);
	assert_int_equal(cnt.packets, 1);
	assert_false(cnt.unicast);
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acquisition_wired_k_out_of_j),
		cmocka_unit_test(test_hellos_and_ihus_sent),
		cmocka_unit_test(test_neighbour_loss_and_expiry),
		cmocka_unit_test(test_etx_cost),
		cmocka_unit_test(test_ihu_for_someone_else),
		cmocka_unit_test(test_ihu_hold_time),
		cmocka_unit_test(test_unicast_hellos),
		cmocka_unit_test(test_rtt_cost),
		cmocka_unit_test(test_link_quality_hint),
		cmocka_unit_test(test_ax25_defaults),
		cmocka_unit_test(test_new_neighbours_one_ihu_each),
	};
	return cmocka_run_group_tests_name("engine_neighbour (RFC 8966 3.4, A)", tests, NULL, NULL);
}
