/* Metric smoothing: decay at known times, the smoothed metric's life cycle,
 * the hysteresis rule, and a wobbling route that must not flap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "src/core/smoothing.h"

#define INF 0xFFFF

/* |got - want| <= want * 2^-15 + 1 */
static void assert_close(uint64_t got, uint64_t want)
{
	uint64_t tol = want / 32768 + 1;
	uint64_t diff = got > want ? got - want : want - got;
	if (diff > tol)
		fail_msg("got %llu, want %llu (+-%llu)", (unsigned long long)got, (unsigned long long)want,
			 (unsigned long long)tol);
}

static void test_decay(void **state)
{
	(void)state;
	/* Whole half-lives are exact shifts. */
	assert_int_equal(smoothing_decay(1000, 0, 4000), 1000);
	assert_int_equal(smoothing_decay(1000, 4000, 4000), 500);
	assert_int_equal(smoothing_decay(1000, 8000, 4000), 250);
	assert_int_equal(smoothing_decay(1000, 40000, 4000), 0); /* 1000 >> 10 */
	/* Half a half-life: 1000 / sqrt(2) = 707.1 */
	assert_int_equal(smoothing_decay(1000, 2000, 4000), 707);
	/* One and a half: 500 / sqrt(2) = 353.6 */
	assert_int_equal(smoothing_decay(1000, 6000, 4000), 353);
	/* Values from Python's 2**-x (truncated): */
	assert_close(smoothing_decay(0xFFFF0000u, 1000, 4000), 3611567493u);  /* 2^-0.25 */
	assert_close(smoothing_decay(1000000, 1000, 3000), 793700);           /* 2^-(1/3) */
	assert_close(smoothing_decay(1000000, 12345, 4000), 117746);          /* 2^-3.08625 */
	assert_close(smoothing_decay(123456, 4, 4000), 123370);               /* 2^-0.001 */
	/* Half-life 0: no smoothing; beyond 32 half-lives nothing is left. */
	assert_int_equal(smoothing_decay(1000, 1, 0), 0);
	assert_int_equal(smoothing_decay(0xFFFFFFFFu, 32 * 4000, 4000), 0);
	assert_int_equal(smoothing_decay(0xFFFFFFFFu, UINT64_MAX, 4000), 0);
	assert_int_equal(smoothing_decay(0xFFFFFFFFu, 31 * 4000, 4000), 1);
	/* Monotonic in time, millisecond by millisecond over 5 half-lives. */
	uint32_t prev = 0xFFFFFFFFu;
	for (uint64_t t = 0; t <= 20000; t++) {
		uint32_t v = smoothing_decay(0xFFFFFFFFu, t, 4000);
		assert_true(v <= prev);
		prev = v;
	}
}

static void test_smoothed_metric(void **state)
{
	(void)state;
	const uint32_t hl = 4000;
	struct smoothed_metric s;
	smoothing_init(&s, 100, 0);
	assert_int_equal(smoothing_get(&s, 0, hl), 100);
	assert_int_equal(smoothing_get(&s, 99999, hl), 100);

	/* The metric rises to 300 at t=0: the gap of 200 halves every 4 s. */
	smoothing_update(&s, 300, 0, hl);
	assert_int_equal(smoothing_get(&s, 0, hl), 100);
	assert_int_equal(smoothing_get(&s, 2000, hl), 159);  /* 300 - 200/sqrt(2) = 158.58 */
	assert_int_equal(smoothing_get(&s, 4000, hl), 200);  /* 300 - 100 */
	assert_int_equal(smoothing_get(&s, 8000, hl), 250);  /* 300 - 50 */
	assert_int_equal(smoothing_get(&s, 12000, hl), 275); /* 300 - 25 */
	/* And reaches it exactly in the end. */
	assert_int_equal(smoothing_get(&s, 200000, hl), 300);

	/* At t=4000 (smoothed 200) it falls back to 100: from 200 toward 100. */
	smoothing_update(&s, 100, 4000, hl);
	assert_int_equal(smoothing_get(&s, 4000, hl), 200);
	assert_int_equal(smoothing_get(&s, 8000, hl), 150);
	/* A clock that goes back counts as no time elapsed. */
	assert_int_equal(smoothing_get(&s, 1000, hl), 200);

	/* Updating often with the same metric gives (nearly) the same curve
	 * as one long decay. */
	struct smoothed_metric a, b;
	smoothing_init(&a, 1000, 0);
	smoothing_init(&b, 1000, 0);
	smoothing_update(&a, 5000, 0, hl);
	smoothing_update(&b, 5000, 0, hl);
	for (uint64_t t = 100; t <= 10000; t += 100)
		smoothing_update(&a, 5000, t, hl);
	int da = smoothing_get(&a, 10000, hl), db = smoothing_get(&b, 10000, hl);
	/* 5000 - 4000 * 2^-2.5 = 5000 - 707.1 = 4292.9 */
	assert_int_equal(db, 4293);
	assert_true(da >= db - 1 && da <= db + 1);

	/* A retraction is immediate, and so is a route coming back. */
	smoothing_update(&s, INF, 9000, hl);
	assert_int_equal(smoothing_get(&s, 9000, hl), INF);
	assert_int_equal(smoothing_get(&s, 20000, hl), INF);
	smoothing_update(&s, 500, 10000, hl);
	assert_int_equal(smoothing_get(&s, 10000, hl), 500);
	smoothing_init(&s, INF, 0);
	smoothing_update(&s, 700, 5, hl);
	assert_int_equal(smoothing_get(&s, 5, hl), 700);

	/* Half-life 0: the smoothed metric is the metric. */
	smoothing_init(&s, 100, 0);
	smoothing_update(&s, 900, 1, 0);
	assert_int_equal(smoothing_get(&s, 1, 0), 900);

	/* Large metrics do not overflow: 0xFFFE to 0 and back. */
	smoothing_init(&s, 0xFFFE, 0);
	smoothing_update(&s, 0, 0, hl);
	assert_int_equal(smoothing_get(&s, 4000, hl), 0x7FFF);
	smoothing_update(&s, 0xFFFE, 4000, hl);
	assert_int_equal(smoothing_get(&s, 8000, hl), 0xBFFF); /* 0xFFFE - 0x7FFF/2 = 49150.5, rounded up */
}

static void test_should_switch(void **state)
{
	(void)state;
	static const struct {
		struct smoothing_choice sel;
		bool has_sel;
		struct smoothing_choice cand;
		uint16_t margin;
		bool sw;
	} rows[] = {
		{ { 0, 0, false }, false, { 300, 300, true }, 0, true },   /* nothing selected */
		{ { 0, 0, false }, false, { 300, 999, true }, 0, true },   /* smoothed plays no part */
		{ { 0, 0, false }, false, { 300, 300, false }, 0, false }, /* unusable candidate */
		{ { 0, 0, false }, false, { INF, 300, true }, 0, false },  /* retracted candidate */
		{ { 100, 100, false }, true, { 900, 900, true }, 0, true }, /* selected became unfeasible */
		{ { INF, 100, true }, true, { 900, 900, true }, 0, true },  /* selected retracted */
		{ { 300, 300, true }, true, { 200, 250, true }, 0, true },  /* better now and on average */
		{ { 300, 300, true }, true, { 200, 300, true }, 0, false }, /* not better on average */
		{ { 300, 250, true }, true, { 310, 200, true }, 0, false }, /* not better now */
		{ { 300, 300, true }, true, { 300, 200, true }, 0, false }, /* equal now */
		{ { 300, 300, true }, true, { 200, 281, true }, 20, false }, /* 281 + 20 = 301: inside the margin */
		{ { 300, 300, true }, true, { 200, 279, true }, 20, true },  /* 279 + 20 = 299 < 300 */
		{ { 300, 300, true }, true, { 200, 0xFFF0, true }, 0xFFFF, false }, /* no overflow */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bool sw = smoothing_should_switch(rows[i].has_sel ? &rows[i].sel : NULL, &rows[i].cand, rows[i].margin);
		if (sw != rows[i].sw)
			fail_msg("row %zu: %d", i, sw);
	}
}

/* Route A is steady at 256; route B wobbles between 200 and 400 every 2 s
 * (average 300: worse). Without smoothing selection flips at every wobble;
 * with a 4 s half-life it stays on A. */
static unsigned flips(uint32_t hl)
{
	struct smoothed_metric a, b;
	smoothing_init(&a, 256, 0);
	smoothing_init(&b, 400, 0);
	bool on_b = false;
	unsigned n = 0;
	for (uint64_t t = 0; t <= 120000; t += 500) {
		if (t % 2000 == 0 && t > 0)
			smoothing_update(&b, b.target == 400 ? 200 : 400, t, hl);
		struct smoothing_choice ca = { 256, smoothing_get(&a, t, hl), true };
		struct smoothing_choice cb = { b.target, smoothing_get(&b, t, hl), true };
		if (on_b ? smoothing_should_switch(&cb, &ca, 0) : smoothing_should_switch(&ca, &cb, 0)) {
			on_b = !on_b;
			n++;
		}
	}
	return n;
}

static void test_no_flapping(void **state)
{
	(void)state;
	unsigned raw = flips(0), smoothed = flips(SMOOTHING_DEFAULT_HALF_LIFE_MS);
	printf("# route flips in 120 s: %u without smoothing, %u with a 4 s half-life\n", raw, smoothed);
	assert_true(raw >= 50);
	assert_int_equal(smoothed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decay),
		cmocka_unit_test(test_smoothed_metric),
		cmocka_unit_test(test_should_switch),
		cmocka_unit_test(test_no_flapping),
	};
	return cmocka_run_group_tests_name("core_smoothing", tests, NULL, NULL);
}
