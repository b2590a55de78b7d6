/* radio_link on a fake clock with a fake TNC: framing, addressing, the
 * identification frame, paclen, priorities, the airtime budget, jitter,
 * TXBUF flow control and its airtime fallback, and what is dropped on
 * receive. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/callsign_ll.h"
#include "proto/kiss.h"
#include "src/sys/radio_link.h"

#define MAXF 256

struct fake {
	size_t n;
	uint8_t frames[MAXF][600];
	size_t lens[MAXF];
	uint64_t at[MAXF];
	size_t queries;
	int refuse;
	/* received */
	size_t n_babel, n_data;
	struct link_addr from;
	bool mcast;
	uint8_t pid;
	size_t cap_tx, cap_rx;
	uint64_t now;
};

static int f_send(void *ctx, const uint8_t *frame, size_t len)
{
	struct fake *f = ctx;
	if (f->refuse)
		return -1;
	assert_true(f->n < MAXF);
	assert_true(len <= sizeof(f->frames[0]));
	memcpy(f->frames[f->n], frame, len);
	f->lens[f->n] = len;
	f->at[f->n] = f->now;
	f->n++;
	return 0;
}

static int f_query(void *ctx)
{
	((struct fake *)ctx)->queries++;
	return 0;
}

static void f_babel(void *ctx, const struct link_addr *from, bool mcast, const uint8_t *pkt,
		    size_t len)
{
	struct fake *f = ctx;
	(void)pkt;
	(void)len;
	f->n_babel++;
	f->from = *from;
	f->mcast = mcast;
}

static void f_data(void *ctx, const struct ax25_addr *src, uint8_t pid, const uint8_t *info,
		   size_t len)
{
	struct fake *f = ctx;
	(void)src;
	(void)info;
	(void)len;
	f->n_data++;
	f->pid = pid;
}

static void f_capture(void *ctx, const uint8_t *frame, size_t len, bool tx)
{
	struct fake *f = ctx;
	(void)frame;
	(void)len;
	if (tx)
		f->cap_tx++;
	else
		f->cap_rx++;
}

static const struct radio_link_ops ops = {f_send, f_query, f_babel, f_data, f_capture};

static struct ax25_addr call(const char *s)
{
	struct ax25_addr a;
	assert_int_equal(ax25_addr_parse(s, strlen(s), &a), AX25_OK);
	return a;
}

static struct radio_link *mk(struct fake *f, uint8_t airtime, uint32_t baud)
{
	memset(f, 0, sizeof(*f));
	f->now = 1000;
	struct radio_link_config c;
	memset(&c, 0, sizeof(c));
	c.call = call("F4ABC-7");
	c.baud = baud;
	c.txdelay_ms = 300;
	c.txtail_ms = 100;
	c.airtime_pct = airtime;
	struct radio_link *l = radio_link_new(&c, &ops, f, f->now, 42);
	assert_non_null(l);
	radio_link_tnc_up(l, f->now);
	return l;
}

/* Runs the link until `until`, jumping from deadline to deadline. */
static void run_until(struct radio_link *l, struct fake *f, uint64_t until)
{
	for (int guard = 0; guard < 100000; guard++) {
		uint64_t next = radio_link_run(l, f->now);
		if (next > until || next == UINT64_MAX) {
			f->now = until;
			radio_link_run(l, f->now);
			return;
		}
		f->now = next > f->now ? next : f->now + 1;
	}
	fail_msg("run_until did not settle");
}

static struct ax25_ui decoded(struct fake *f, size_t i)
{
	struct ax25_ui ui;
	assert_true(i < f->n);
	assert_int_equal(ax25_ui_decode(f->frames[i], f->lens[i], &ui), AX25_OK);
	return ui;
}

static void feed(struct radio_link *l, struct fake *f, const char *src, const char *dst,
		 uint8_t pid, const uint8_t *info, size_t len)
{
	struct ax25_ui ui;
	memset(&ui, 0, sizeof(ui));
	ui.src = call(src);
	ui.dst = call(dst);
	ui.pid = pid;
	ui.info = info;
	ui.info_len = len;
	uint8_t buf[600];
	size_t need;
	assert_int_equal(ax25_ui_encode(&ui, 512, buf, sizeof(buf), &need), AX25_OK);
	struct kiss_frame kf = {0, KISS_CMD_DATA, buf, need};
	radio_link_input(l, &kf, f->now);
}

static void answer_txbuf(struct radio_link *l, struct fake *f, unsigned bytes)
{
	char text[32];
	int n = snprintf(text, sizeof(text), "TXBUF:%u", bytes);
	struct kiss_frame kf = {0, KISS_CMD_SETHARDWARE, (const uint8_t *)text, (size_t)n};
	radio_link_input(l, &kf, f->now);
}

static const uint8_t hello[] = {42, 2, 0, 0};

static void test_refuses_without_callsign(void **state)
{
	(void)state;
	struct radio_link_config c;
	memset(&c, 0, sizeof(c));
	struct fake f;
	memset(&f, 0, sizeof(f));
	assert_null(radio_link_new(&c, &ops, &f, 0, 1));
	c.call.ssid = 3;
	memcpy(c.call.call, "f4abc", 6);
	assert_null(radio_link_new(&c, &ops, &f, 0, 1));
}

static void test_multicast_with_id_first(void **state)
{
	(void)state;
	struct fake f;
	struct radio_link *l = mk(&f, 100, 1200);
	assert_int_equal(radio_link_send_babel(l, NULL, hello, sizeof(hello), f.now), 0);
	run_until(l, &f, f.now + 5000);
	assert_int_equal(f.n, 2);
	struct ax25_ui id = decoded(&f, 0);
	assert_string_equal(id.dst.call, "ID");
	assert_string_equal(id.src.call, "F4ABC");
	assert_int_equal(id.src.ssid, 7);
	assert_int_equal(id.pid, 0xF0);
	assert_int_equal(id.info_len, strlen("F4ABC-7 maille"));
	assert_memory_equal(id.info, "F4ABC-7 maille", id.info_len);
	struct ax25_ui b = decoded(&f, 1);
	assert_string_equal(b.dst.call, "BABEL");
	assert_int_equal(b.dst.ssid, 0);
	assert_int_equal(b.cr, AX25_CR_COMMAND);
	assert_int_equal(b.pid, 0xF0);
	assert_memory_equal(b.info, hello, sizeof(hello));
	/* Not back to back: the second waited for the first to be off the air
	 * (no TXBUF answers here), plus jitter. */
	assert_true(f.at[1] > f.at[0]);
	assert_int_equal(f.cap_tx, 2);
	radio_link_free(l);
}

static void test_unicast_to_neighbour(void **state)
{
	(void)state;
	struct fake f;
	struct radio_link *l = mk(&f, 100, 1200);
	struct ax25_addr nb = call("F4XYZ-1");
	struct link_addr to;
	callsign_to_ll(&nb, to.a);
	assert_int_equal(radio_link_send_babel(l, &to, hello, sizeof(hello), f.now), 0);
	run_until(l, &f, f.now + 5000);
	assert_int_equal(f.n, 2);
	struct ax25_ui b = decoded(&f, 1);
	assert_true(ax25_addr_equal(&b.dst, &nb));
	/* A next hop that is no callsign's address cannot be sent to. */
	struct link_addr bad = {{0xfe, 0x80, [15] = 1}};
	assert_int_equal(radio_link_send_babel(l, &bad, hello, sizeof(hello), f.now), -1);
	assert_int_equal(radio_link_get_stats(l)->drop_bad_dst, 1);
	/* Our link-local address is our callsign's. */
	struct link_addr ll;
	radio_link_ll(l, &ll);
	struct ax25_addr me;
	assert_int_equal(callsign_from_ll(ll.a, &me), AX25_OK);
	assert_string_equal(me.call, "F4ABC");
	radio_link_free(l);
}

static void test_paclen(void **state)
{
	(void)state;
	struct fake f;
	struct radio_link *l = mk(&f, 100, 1200);
	uint8_t big[300] = {42};
	assert_int_equal(radio_link_send_babel(l, NULL, big, 257, f.now), -1);
	assert_int_equal(radio_link_send_babel(l, NULL, big, 256, f.now), 0);
	struct ax25_addr dst = call("F4XYZ");
	assert_int_equal(radio_link_send_data(l, &dst, 0xCC, big, 257), -1);
	assert_int_equal(radio_link_get_stats(l)->drop_too_long, 2);
	radio_link_free(l);
}

static void test_routing_before_data(void **state)
{
	(void)state;
	struct fake f;
	struct radio_link *l = mk(&f, 100, 9600);
	struct ax25_addr dst = call("F4XYZ");
	uint8_t ip[20] = {0x45};
	assert_int_equal(radio_link_send_data(l, &dst, 0xCC, ip, sizeof(ip)), 0);
	assert_int_equal(radio_link_send_babel(l, NULL, hello, sizeof(hello), f.now), 0);
	run_until(l, &f, f.now + 10000);
	assert_int_equal(f.n, 3);
	assert_string_equal(decoded(&f, 1).dst.call, "BABEL");
	assert_int_equal(decoded(&f, 2).pid, 0xCC);
	radio_link_free(l);
}

static void test_budget_limits_routing_not_data(void **state)
{
	(void)state;
	struct fake f;
	/* 1 % of 1200 baud: 1.5 bytes/s; a Hello frame costs ~80 byte times. */
	struct radio_link *l = mk(&f, 1, 1200);
	uint32_t cost = radio_link_frame_cost(l, AX25_HEADER_MIN + sizeof(hello));
	uint32_t budget = radio_link_budget(l);
	size_t fit = budget / cost;
	for (size_t i = 0; i < fit + 5; i++)
		radio_link_send_babel(l, NULL, hello, sizeof(hello), f.now);
	run_until(l, &f, f.now + 30000);
	/* The ID frame and what the bucket held after it, nothing more. */
	assert_int_equal(radio_link_get_stats(l)->tx_id, 1);
	uint32_t id_cost = (uint32_t)radio_link_get_stats(l)->tx_routing_cost -
			   (uint32_t)radio_link_get_stats(l)->tx_babel * cost;
	assert_true(id_cost > 0);
	assert_int_equal(radio_link_get_stats(l)->tx_babel, (budget - id_cost) / cost);
	assert_true(radio_link_get_stats(l)->budget_waits > 0);
	assert_int_equal(radio_link_queued(l, true), fit + 5 - (budget - id_cost) / cost);
	/* Data goes even though routing waits. */
	struct ax25_addr dst = call("F4XYZ");
	uint8_t ip[20] = {0x45};
	radio_link_send_data(l, &dst, 0xCC, ip, sizeof(ip));
	run_until(l, &f, f.now + 5000);
	assert_int_equal(radio_link_get_stats(l)->tx_data, 1);
	/* Routing resumes as the budget refills: 1.5 B/s. */
	size_t queued = radio_link_queued(l, true);
	run_until(l, &f, f.now + queued * 1000u * cost * 2 / 3 + 60000);
	assert_int_equal(radio_link_queued(l, true), 0);
	radio_link_free(l);
}

/* What a frame keeps the transmitter keyed, in microseconds, counted the
 * way the channel does it rather than the way the link estimates it: the
 * bits of the frame and its FCS with every stuffed bit (a 0 after five 1s),
 * two flags, TX delay and tail. */
static uint64_t keyed_us(const uint8_t *frame, size_t len, uint32_t baud)
{
	uint64_t bits = 16, ones = 0;
	for (size_t i = 0; i < len + 2; i++) {
		uint8_t b = i < len ? frame[i] : 0xFF; /* FCS: count it as all ones */
		for (int k = 0; k < 8; k++) {
			bits++;
			if (b >> k & 1) {
				if (++ones == 5) {
					bits++;
					ones = 0;
				}
			} else {
				ones = 0;
			}
		}
	}
	return 400000u + bits * 1000000u / baud;
}

/* With routing always wanting more than its share (a full queue topped up
 * for 20 minutes), the transmitter is keyed for routing and identification
 * no more than the budget's share of the time plus what the bucket held at
 * the start. */
static void test_budget_holds_over_time(void **state)
{
	(void)state;
	struct fake f;
	struct radio_link *l = mk(&f, 5, 1200);
	uint64_t start = f.now, bucket = radio_link_budget(l);
	uint8_t big[200] = {42, 2, 0, 196};
	for (size_t i = 4; i < sizeof(big); i++)
		big[i] = (uint8_t)(0xFF - i); /* runs of ones: stuffing */
	while (f.now < start + 20u * 60u * 1000u) {
		while (radio_link_queued(l, true) < 4)
			radio_link_send_babel(l, NULL, big, sizeof(big), f.now);
		run_until(l, &f, f.now + 1000);
	}
	uint64_t elapsed_ms = f.now - start, keyed = 0;
	for (size_t i = 0; i < f.n; i++)
		keyed += keyed_us(f.frames[i], f.lens[i], 1200);
	assert_true(f.n > 10);
	/* 5 % of the time, plus the bucket (byte times at 150 B/s). */
	uint64_t allowed = elapsed_ms * 1000u / 20u + bucket * 1000000u / 150u;
	assert_true(keyed <= allowed);
	/* And it is not wasted: at least 90 % of the share is used. */
	assert_true(keyed >= elapsed_ms * 1000u / 20u * 9u / 10u);
	radio_link_free(l);
}

static void test_txbuf_flow_control(void **state)
{
	(void)state;
	struct fake f;
	struct radio_link *l = mk(&f, 100, 1200);
	for (int i = 0; i < 3; i++)
		radio_link_send_babel(l, NULL, hello, sizeof(hello), f.now);
	while (f.n == 0)
		run_until(l, &f, f.now + 10);
	assert_int_equal(f.n, 1); /* the ID frame; a query went after it */
	assert_true(f.queries >= 1);
	answer_txbuf(l, &f, 0); /* answers: TXBUF is supported */
	assert_int_equal(radio_link_txbuf_mode(l), RADIO_TXBUF_YES);
	run_until(l, &f, f.now + 1500);
	assert_int_equal(f.n, 2);
	/* Now the TNC says it is still busy: nothing more goes, however long
	 * we wait, until it reads 0. */
	for (int i = 0; i < 20; i++) {
		run_until(l, &f, f.now + 300);
		answer_txbuf(l, &f, 100);
	}
	assert_int_equal(f.n, 2);
	run_until(l, &f, f.now + 300);
	answer_txbuf(l, &f, 0);
	run_until(l, &f, f.now + 1500);
	assert_int_equal(f.n, 3);
	/* Queries only while something waits. */
	answer_txbuf(l, &f, 0);
	run_until(l, &f, f.now + 3000);
	answer_txbuf(l, &f, 0);
	run_until(l, &f, f.now + 3000);
	assert_int_equal(f.n, 4);
	size_t q = f.queries;
	run_until(l, &f, f.now + 60000);
	assert_true(f.queries <= q + 1);
	radio_link_free(l);
}

static void test_txbuf_fallback_to_airtime(void **state)
{
	(void)state;
	struct fake f;
	struct radio_link *l = mk(&f, 100, 1200);
	for (int i = 0; i < 15; i++)
		radio_link_send_babel(l, NULL, hello, sizeof(hello), f.now);
	run_until(l, &f, f.now + 60000);
	assert_int_equal(f.n, 16);
	assert_true(radio_link_get_stats(l)->txbuf_timeouts >= RADIO_TXBUF_GIVE_UP);
	assert_int_equal(radio_link_txbuf_mode(l), RADIO_TXBUF_NO);
	/* Frames are spaced by at least their airtime (TX delay 300 ms). */
	for (size_t i = 1; i < f.n; i++)
		assert_true(f.at[i] - f.at[i - 1] >= 400);
	radio_link_free(l);
}

static void test_id_every_ten_minutes(void **state)
{
	(void)state;
	struct fake f;
	struct radio_link *l = mk(&f, 100, 1200);
	size_t ids = 0;
	uint64_t last_id = 0, start = f.now;
	while (f.now < start + 3600000) {
		radio_link_send_babel(l, NULL, hello, sizeof(hello), f.now);
		size_t before = f.n;
		run_until(l, &f, f.now + 30000);
		for (size_t i = before; i < f.n; i++) {
			if (!strcmp(decoded(&f, i).dst.call, "ID")) {
				if (ids)
					assert_true(f.at[i] - last_id <= 600000);
				ids++;
				last_id = f.at[i];
			}
		}
		f.n = 0;
	}
	assert_true(ids >= 6);
	radio_link_free(l);
}

static void test_receive(void **state)
{
	(void)state;
	struct fake f;
	struct radio_link *l = mk(&f, 100, 1200);
	feed(l, &f, "F4XYZ-1", "BABEL", 0xF0, hello, sizeof(hello));
	assert_int_equal(f.n_babel, 1);
	assert_true(f.mcast);
	struct ax25_addr src;
	assert_int_equal(callsign_from_ll(f.from.a, &src), AX25_OK);
	assert_string_equal(src.call, "F4XYZ");
	assert_int_equal(src.ssid, 1);
	feed(l, &f, "F4XYZ-1", "F4ABC-7", 0xF0, hello, sizeof(hello));
	assert_int_equal(f.n_babel, 2);
	assert_false(f.mcast);
	/* Ours, to someone else, not Babel, identification. */
	feed(l, &f, "F4ABC-7", "BABEL", 0xF0, hello, sizeof(hello));
	feed(l, &f, "F4XYZ-1", "F4ABC-6", 0xF0, hello, sizeof(hello));
	feed(l, &f, "F4XYZ-1", "ID", 0xF0, (const uint8_t *)"F4XYZ-1 maille", 14);
	feed(l, &f, "F4XYZ-1", "BABEL", 0xCC, hello, sizeof(hello));
	assert_int_equal(f.n_babel, 2);
	const struct radio_link_stats *st = radio_link_get_stats(l);
	assert_int_equal(st->rx_own, 1);
	assert_int_equal(st->rx_other_dst, 1);
	assert_int_equal(st->rx_id, 1);
	assert_int_equal(st->rx_other_pid, 1);
	/* Data for us goes to the data plane. */
	uint8_t ip[20] = {0x45};
	feed(l, &f, "F4XYZ-1", "F4ABC-7", 0xCC, ip, sizeof(ip));
	assert_int_equal(f.n_data, 1);
	assert_int_equal(f.pid, 0xCC);
	/* Garbage: malformed frames, other ports and commands, odd TXBUFs. */
	static const uint8_t junk[] = {1, 2, 3};
	struct kiss_frame kf = {0, KISS_CMD_DATA, junk, sizeof(junk)};
	radio_link_input(l, &kf, f.now);
	kf.len = 0;
	radio_link_input(l, &kf, f.now);
	kf.port = 3;
	radio_link_input(l, &kf, f.now);
	kf.port = 0;
	kf.cmd = 9;
	radio_link_input(l, &kf, f.now);
	kf.cmd = KISS_CMD_SETHARDWARE;
	kf.data = (const uint8_t *)"TXBUF:xyz";
	kf.len = 9;
	radio_link_input(l, &kf, f.now);
	assert_int_equal(st->rx_malformed, 2);
	assert_int_equal(st->rx_other_port, 1);
	assert_int_equal(st->rx_other_cmd, 2);
	assert_int_equal(f.n_babel, 2);
	/* Random bytes as frames: never a crash. */
	uint64_t x = 7;
	uint8_t buf[300];
	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)(x % sizeof(buf));
		for (size_t j = 0; j < len; j++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			buf[j] = (uint8_t)(x >> 56);
		}
		/* Half of them with a plausible address field. */
		if (i % 2 && len > 20) {
			struct ax25_ui ui;
			memset(&ui, 0, sizeof(ui));
			ui.src = call("F4XYZ");
			ui.dst = call("BABEL");
			ui.pid = 0xF0;
			ui.info = buf + 20;
			ui.info_len = len - 20;
			size_t need;
			uint8_t fr[600];
			if (ax25_ui_encode(&ui, 512, fr, sizeof(fr), &need) == AX25_OK) {
				struct kiss_frame k2 = {0, 0, fr, need};
				radio_link_input(l, &k2, f.now);
			}
		}
		struct kiss_frame k = {(uint8_t)(x & 15), (uint8_t)((x >> 4) & 15), buf, len};
		radio_link_input(l, &k, f.now);
	}
	radio_link_free(l);
}

static void test_down_flushes(void **state)
{
	(void)state;
	struct fake f;
	struct radio_link *l = mk(&f, 100, 1200);
	radio_link_send_babel(l, NULL, hello, sizeof(hello), f.now);
	radio_link_tnc_down(l, f.now);
	assert_int_equal(radio_link_queued(l, true), 0);
	assert_int_equal(radio_link_send_babel(l, NULL, hello, sizeof(hello), f.now), -1);
	run_until(l, &f, f.now + 5000);
	assert_int_equal(f.n, 0);
	radio_link_tnc_up(l, f.now);
	radio_link_send_babel(l, NULL, hello, sizeof(hello), f.now);
	run_until(l, &f, f.now + 5000);
	assert_int_equal(f.n, 2);
	/* A bounded queue: the oldest goes when it is full. */
	for (int i = 0; i < RADIO_ROUTING_SLOTS + 3; i++)
		radio_link_send_babel(l, NULL, hello, sizeof(hello), f.now);
	assert_int_equal(radio_link_queued(l, true), RADIO_ROUTING_SLOTS);
	assert_int_equal(radio_link_get_stats(l)->drop_routing_full, 3);
	radio_link_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refuses_without_callsign),
		cmocka_unit_test(test_multicast_with_id_first),
		cmocka_unit_test(test_unicast_to_neighbour),
		cmocka_unit_test(test_paclen),
		cmocka_unit_test(test_routing_before_data),
		cmocka_unit_test(test_budget_limits_routing_not_data),
		cmocka_unit_test(test_budget_holds_over_time),
		cmocka_unit_test(test_txbuf_flow_control),
		cmocka_unit_test(test_txbuf_fallback_to_airtime),
		cmocka_unit_test(test_id_every_ten_minutes),
		cmocka_unit_test(test_receive),
		cmocka_unit_test(test_down_flushes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
