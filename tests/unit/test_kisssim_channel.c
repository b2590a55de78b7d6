/* kisssim's channel model under a fake clock: airtime, TX delay and tail,
 * carrier sense and p-persistence, hidden stations, half-duplex deafness,
 * seeded loss, determinism and channel-use accounting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/lib/rng.h"
#include "tools/kisssim_channel.h"

#define REPORTS_MAX 8192

struct rep {
	unsigned station;
	uint64_t start, frame_end, key_end;
	size_t len;
	uint8_t first; /* the frame's first byte, to tell frames apart */
	uint32_t delivered, collided, lost, deaf, absent;
};

struct log {
	size_t n;
	struct rep r[REPORTS_MAX];
};

static struct log lg;

static void on_report(void *ctx, const struct ksc_report *r)
{
	struct log *l = ctx;
	assert_true(l->n < REPORTS_MAX);
	l->r[l->n++] = (struct rep){ r->station, r->start_us, r->frame_end_us, r->key_end_us,
				     r->len, r->data[0], r->delivered, r->collided, r->lost,
				     r->deaf, r->absent };
}

/* Everyone hears everyone, no loss, the given KISS parameters. */
static struct ksc_config config(unsigned n, uint32_t baud, uint64_t seed, uint8_t txdelay,
				uint8_t persist, uint8_t slottime, uint8_t txtail)
{
	struct ksc_config c;
	memset(&c, 0, sizeof c);
	c.nstations = n;
	c.baud = baud;
	c.seed = seed;
	c.params = (struct ksc_params){ txdelay, persist, slottime, txtail, false };
	for (unsigned a = 0; a < n; a++)
		for (unsigned b = 0; b < n; b++)
			c.hear[a][b] = a != b;
	return c;
}

static struct ksc_channel *open_ch(const struct ksc_config *cfg)
{
	const char *why = NULL;
	memset(&lg, 0, sizeof lg);
	struct ksc_channel *c = ksc_new(cfg, 0, on_report, &lg, &why);
	assert_non_null(c);
	return c;
}

static void send_n(struct ksc_channel *c, unsigned st, uint64_t t, size_t len, uint8_t tag)
{
	uint8_t buf[KSC_FRAME_MAX];
	memset(buf, 0x55, len);
	buf[0] = tag;
	assert_true(ksc_send(c, st, t, buf, len));
}

static const struct rep *find(uint8_t tag)
{
	for (size_t i = 0; i < lg.n; i++)
		if (lg.r[i].first == tag)
			return &lg.r[i];
	fail_msg("no report for frame %u", tag);
	return NULL;
}

/* bits = 16 + 8 (len + 2) + ceil(8 (len + 2) / 62), airtime = bits / baud:
 * 100 bytes: 816 data bits + 14 stuffed + 16 flag bits = 846 bits, that is
 * 705 ms at 1200 baud and 88.125 ms at 9600;  20 bytes: 176 + 3 + 16 = 195
 * bits, 162.5 ms at 1200 and 20.3125 ms (rounded up to the us) at 9600. */
static void test_airtime(void **state)
{
	(void)state;
	assert_int_equal(ksc_airtime_us(100, 1200), 705000);
	assert_int_equal(ksc_airtime_us(100, 9600), 88125);
	assert_int_equal(ksc_airtime_us(20, 1200), 162500);
	assert_int_equal(ksc_airtime_us(20, 9600), 20313);
	/* 60 bytes: 496 data bits, exactly 8 stuffed, 520 bits. */
	assert_int_equal(ksc_airtime_us(60, 1200), 433334);
	assert_int_equal(ksc_airtime_us(1, 0), 0);
}

/* One station, P = 255 (always transmit): keyed for TXDELAY + airtime +
 * TXTAIL, delivered when the frame ends; the KISS commands change it. */
static void test_txdelay_tail(void **state)
{
	(void)state;
	struct ksc_config cfg = config(2, 1200, 1, 30, 255, 10, 10);
	struct ksc_channel *c = open_ch(&cfg);
	send_n(c, 0, 1000, 100, 1);
	assert_int_equal(ksc_next_event(c), 1000 + 300000 + 705000);
	ksc_advance(c, 5000000);
	const struct rep *r = find(1);
	assert_int_equal(r->start, 1000);
	assert_int_equal(r->frame_end, 1000 + 300000 + 705000);
	assert_int_equal(r->key_end, 1000 + 300000 + 705000 + 100000);
	assert_int_equal(r->delivered, 1u << 1);

	ksc_set_param(c, 0, KISS_CMD_TXDELAY, 5);
	ksc_set_param(c, 0, KISS_CMD_TXTAIL, 2);
	assert_int_equal(ksc_params(c, 0)->txdelay, 5);
	send_n(c, 0, 6000000, 100, 2);
	ksc_advance(c, 9000000);
	r = find(2);
	assert_int_equal(r->frame_end, 6000000 + 50000 + 705000);
	assert_int_equal(r->key_end, 6000000 + 50000 + 705000 + 20000);

	struct ksc_stats s;
	ksc_get_stats(c, 10000000, &s);
	assert_int_equal(s.elapsed_us, 10000000);
	assert_int_equal(s.st[0].keyed_us, 1105000 + 775000);
	assert_int_equal(s.busy_us, 1105000 + 775000);
	assert_int_equal(s.st[0].frames_sent, 2);
	assert_int_equal(s.st[1].rx_delivered, 2);
	ksc_free(c);
}

/* Two stations that hear each other: the second waits for the first's
 * carrier to drop, whatever the offset between their frames. */
static void test_carrier_sense(void **state)
{
	(void)state;
	struct test_rng tr = { 7 };
	for (unsigned trial = 0; trial < 500; trial++) {
		struct ksc_config cfg = config(2, 1200, trial, 30, 63, 10, 10);
		struct ksc_channel *c = open_ch(&cfg);
		uint64_t t0 = test_rng_below(&tr, 1000000);
		uint64_t t1 = test_rng_below(&tr, 3000000);
		send_n(c, 0, t0 < t1 ? t0 : t1, 80, 1);
		send_n(c, 1, t0 < t1 ? t1 : t0, 80, 2);
		ksc_advance(c, 60000000);
		assert_int_equal(lg.n, 2);
		for (unsigned i = 0; i < 2; i++) {
			assert_int_equal(lg.r[i].collided | lg.r[i].deaf, 0);
			assert_int_equal(lg.r[i].delivered, 1u << (1 - lg.r[i].station));
		}
		/* The later one started after the earlier one unkeyed. */
		const struct rep *a = &lg.r[0], *b = &lg.r[1];
		assert_true(b->start >= a->key_end);
		ksc_free(c);
	}
}

/* The one case carrier sense cannot prevent: stations 0 and 1 both queue a
 * frame while station 2 transmits, both wait for its carrier to drop, and
 * from then on share slot boundaries.  Each slot each transmits with
 * probability p = (P + 1) / 256; they collide when both go in the same slot
 * before either goes alone: p^2 / (1 - (1 - p)^2) = p / (2 - p), 1/7 for
 * P = 63 and 1/3 for P = 127 (and 1 for P = 255). */
static void same_slot_rate(uint8_t persist, double expect)
{
	unsigned trials = 3000, collided = 0;
	for (unsigned trial = 0; trial < trials; trial++) {
		struct ksc_config cfg = config(3, 1200, 1000 + trial, 30, persist, 10, 10);
		cfg.params.persist = 255;
		struct ksc_channel *c = open_ch(&cfg);
		send_n(c, 2, 0, 100, 3);
		ksc_set_param(c, 0, KISS_CMD_P, persist);
		ksc_set_param(c, 1, KISS_CMD_P, persist);
		send_n(c, 0, 10000, 60, 1);
		send_n(c, 1, 20000, 60, 2);
		ksc_advance(c, 100000000);
		assert_int_equal(lg.n, 3);
		const struct rep *a = find(1), *b = find(2);
		bool hit = (a->deaf & (1u << 1)) != 0;
		/* A collision is mutual and happens only in the same instant. */
		assert_int_equal(hit, (b->deaf & 1u) != 0);
		assert_int_equal(hit, a->start == b->start);
		if (hit) {
			assert_int_equal(a->collided, 1u << 2);
			assert_int_equal(a->delivered, 0);
		}
		collided += hit;
		ksc_free(c);
	}
	double rate = (double)collided / trials;
	double var = expect * (1 - expect) / trials;
	print_message("P=%u: %u of %u pairs collided (%.3f, expected %.3f)\n", persist, collided,
		      trials, rate, expect);
	/* Within 5 standard deviations. */
	assert_true((rate - expect) * (rate - expect) < 25 * var);
}

static void test_same_slot_collisions(void **state)
{
	(void)state;
	same_slot_rate(63, 1.0 / 7.0);
	same_slot_rate(127, 1.0 / 3.0);
}

/* 0 and 2 cannot hear each other, 1 hears both: both transmit at once and
 * both frames are lost at 1, the receiver in the middle. */
static void test_hidden_stations(void **state)
{
	(void)state;
	struct ksc_config cfg = config(3, 1200, 1, 30, 255, 10, 10);
	cfg.hear[0][2] = cfg.hear[2][0] = false;
	struct ksc_channel *c = open_ch(&cfg);
	send_n(c, 0, 0, 100, 1);
	send_n(c, 2, 500000, 100, 2);
	ksc_advance(c, 10000000);
	const struct rep *a = find(1), *b = find(2);
	assert_int_equal(b->start, 500000); /* 2 did not sense 0 */
	assert_int_equal(a->collided, 1u << 1);
	assert_int_equal(b->collided, 1u << 1);
	assert_int_equal(a->delivered | b->delivered, 0);
	/* Neither is deaf: a hidden station is no receiver of the other. */
	assert_int_equal(a->deaf | b->deaf, 0);

	/* 2 keying up during 0's tail: 0's frame was already complete and
	 * arrives, but 0's tail garbles 2's preamble at 1. */
	send_n(c, 0, 20000000, 100, 3);
	uint64_t tail = 20000000 + 300000 + 705000 + 50000;
	send_n(c, 2, tail, 100, 4);
	ksc_advance(c, 30000000);
	assert_int_equal(find(3)->delivered, 1u << 1);
	assert_int_equal(find(4)->collided, 1u << 1);

	/* One after the other, both arrive. */
	send_n(c, 0, 40000000, 100, 5);
	send_n(c, 2, 42000000, 100, 6);
	ksc_advance(c, 50000000);
	assert_int_equal(find(5)->delivered, 1u << 1);
	assert_int_equal(find(6)->delivered, 1u << 1);
	ksc_free(c);
}

/* A transmitting station receives nothing: 1 hears 0 but 0 does not hear
 * 1, so 0 keys up while 1 is on the air and 1 misses 0's frame. */
static void test_half_duplex(void **state)
{
	(void)state;
	struct ksc_config cfg = config(2, 1200, 1, 30, 255, 10, 10);
	cfg.hear[1][0] = false;
	struct ksc_channel *c = open_ch(&cfg);
	send_n(c, 1, 0, 200, 1);
	send_n(c, 0, 100000, 50, 2);
	ksc_advance(c, 10000000);
	const struct rep *r = find(2);
	assert_int_equal(r->deaf, 1u << 1);
	assert_int_equal(r->collided | r->delivered, 0);
	struct ksc_stats s;
	ksc_get_stats(c, 10000000, &s);
	assert_int_equal(s.st[1].rx_deaf, 1);

	/* FULLDUPLEX skips carrier sense: two that hear each other then both
	 * key up, and each is deaf to the other. */
	struct ksc_config cfg2 = config(2, 1200, 1, 30, 255, 10, 10);
	ksc_free(c);
	c = open_ch(&cfg2);
	ksc_set_param(c, 0, KISS_CMD_FULLDUPLEX, 1);
	ksc_set_param(c, 1, KISS_CMD_FULLDUPLEX, 1);
	send_n(c, 0, 0, 100, 1);
	send_n(c, 1, 200000, 100, 2);
	ksc_advance(c, 10000000);
	assert_int_equal(find(1)->deaf, 1u << 1);
	assert_int_equal(find(2)->deaf, 1u << 0);
	ksc_free(c);
}

/* Loss 0.1 from 0 to 1 (none back): over 5000 frames the count of lost
 * frames stays within 5 standard deviations of 500 (sd = 21.2). */
static void test_loss_rate(void **state)
{
	(void)state;
	struct ksc_config cfg = config(2, 9600, 42, 0, 255, 1, 0);
	cfg.loss[0][1] = 0.1;
	struct ksc_channel *c = open_ch(&cfg);
	uint64_t t = 0;
	for (unsigned i = 0; i < 2500; i++) {
		send_n(c, 0, t, 30, 1);
		t += 100000;
		send_n(c, 1, t, 30, 2);
		t += 100000;
	}
	for (unsigned i = 0; i < 2500; i++) {
		send_n(c, 0, t, 30, 1);
		t += 100000;
	}
	ksc_advance(c, t + 1000000);
	struct ksc_stats s;
	ksc_get_stats(c, t + 1000000, &s);
	assert_int_equal(s.st[0].frames_sent, 5000);
	assert_int_equal(s.st[1].rx_delivered + s.st[1].rx_lost, 5000);
	print_message("lost %llu of 5000 at p = 0.1\n", (unsigned long long)s.st[1].rx_lost);
	assert_in_range(s.st[1].rx_lost, 500 - 106, 500 + 106);
	assert_int_equal(s.st[0].rx_lost, 0);
	assert_int_equal(s.st[0].rx_delivered, 2500);
	assert_int_equal(s.st[1].rx_collided + s.st[1].rx_deaf, 0);
	ksc_free(c);
}

/* A busy random scenario, summarised: same seed, same air. */
static uint64_t scenario(uint64_t seed)
{
	struct ksc_config cfg = config(4, 1200, seed, 20, 63, 10, 5);
	cfg.hear[0][3] = cfg.hear[3][0] = false;
	for (unsigned a = 0; a < 4; a++)
		for (unsigned b = 0; b < 4; b++)
			cfg.loss[a][b] = 0.2;
	struct ksc_channel *c = open_ch(&cfg);
	struct test_rng tr = { 99 }; /* the same offered traffic every run */
	uint64_t t = 0;
	for (unsigned i = 0; i < 400; i++) {
		t += test_rng_below(&tr, 3000000);
		uint8_t st = (uint8_t)test_rng_below(&tr, 4);
		send_n(c, st, t, 20 + test_rng_below(&tr, 200), (uint8_t)i);
	}
	ksc_advance(c, t + 100000000);
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < lg.n; i++) {
		const struct rep *r = &lg.r[i];
		uint64_t v[] = { r->station, r->start, r->frame_end, r->len, r->delivered,
				 r->collided, r->lost, r->deaf };
		for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
			h = (h ^ v[k]) * 1099511628211ull;
	}
	assert_int_equal(lg.n, 400);
	ksc_free(c);
	return h;
}

static void test_determinism(void **state)
{
	(void)state;
	uint64_t a = scenario(5), b = scenario(5), d = scenario(6);
	assert_true(a == b);
	assert_true(a != d);
}

/* Busy time is the union of keyed periods; each station counts its own. */
static void test_channel_use(void **state)
{
	(void)state;
	struct ksc_config cfg = config(3, 1200, 1, 30, 255, 10, 10);
	cfg.hear[0][2] = cfg.hear[2][0] = false;
	struct ksc_channel *c = open_ch(&cfg);
	uint64_t k = 300000 + 705000 + 100000; /* 100 bytes keyed */
	send_n(c, 0, 1000000, 100, 1);
	send_n(c, 2, 1500000, 100, 2); /* hidden: overlaps 0 */
	send_n(c, 1, 5000000, 100, 3);
	struct ksc_stats s;
	/* Halfway through station 1's transmission. */
	ksc_get_stats(c, 5000000 + k / 2, &s);
	assert_int_equal(s.st[0].keyed_us, k);
	assert_int_equal(s.st[2].keyed_us, k);
	assert_int_equal(s.st[1].keyed_us, k / 2);
	assert_int_equal(s.busy_us, (500000 + k) + k / 2);
	ksc_get_stats(c, 10000000, &s);
	assert_int_equal(s.elapsed_us, 10000000);
	assert_int_equal(s.st[1].keyed_us, k);
	assert_int_equal(s.busy_us, 500000 + 2 * k);
	ksc_free(c);
}

/* Queues are bounded; TXBUF counts what has not gone on the air yet; an
 * absent station neither sends nor receives. */
static void test_queue_and_presence(void **state)
{
	(void)state;
	struct ksc_config cfg = config(2, 1200, 1, 30, 255, 10, 10);
	struct ksc_channel *c = open_ch(&cfg);
	uint8_t big[KSC_FRAME_MAX + 1] = { 0 };
	assert_false(ksc_send(c, 0, 0, big, sizeof big));
	assert_false(ksc_send(c, 0, 0, big, 0));
	for (unsigned i = 0; i < KSC_QUEUE_FRAMES; i++)
		send_n(c, 0, 0, 100, (uint8_t)i);
	/* The first is on the air at once (P = 255): room for one more. */
	assert_int_equal(ksc_queued_bytes(c, 0), (KSC_QUEUE_FRAMES - 1) * 100);
	send_n(c, 0, 0, 100, 200);
	assert_false(ksc_send(c, 0, 0, big, 100));
	struct ksc_stats s;
	ksc_get_stats(c, 0, &s);
	assert_int_equal(s.st[0].frames_refused, 3);

	/* The client goes: its queue goes, the frame on the air finishes. */
	ksc_set_present(c, 0, 10000, false);
	assert_int_equal(ksc_queued_bytes(c, 0), 0);
	ksc_set_present(c, 1, 10000, false);
	ksc_advance(c, 100000000);
	assert_int_equal(lg.n, 1);
	assert_int_equal(lg.r[0].absent, 1u << 1);
	assert_int_equal(lg.r[0].delivered, 0);
	ksc_free(c);

	const char *why = NULL;
	cfg.nstations = 0;
	assert_null(ksc_new(&cfg, 0, NULL, NULL, &why));
	assert_non_null(why);
	cfg.nstations = 2;
	cfg.loss[0][1] = 1.5;
	assert_null(ksc_new(&cfg, 0, NULL, NULL, &why));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_airtime),
		cmocka_unit_test(test_txdelay_tail),
		cmocka_unit_test(test_carrier_sense),
		cmocka_unit_test(test_same_slot_collisions),
		cmocka_unit_test(test_hidden_stations),
		cmocka_unit_test(test_half_duplex),
		cmocka_unit_test(test_loss_rate),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_channel_use),
		cmocka_unit_test(test_queue_and_presence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
