/* The log rate limiter (src/sys/log.c): a token bucket of `burst` lines
 * refilled at one line per interval, with the suppressed lines counted. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>

#include "src/sys/log.h"

static void test_burst_then_refill(void **st)
{
	(void)st;
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(1000, 3);
	uint64_t t = 50000;
	for (int i = 0; i < 3; i++)
		assert_true(log_ratelimit_allow(&rl, t));
	assert_false(log_ratelimit_allow(&rl, t));
	assert_false(log_ratelimit_allow(&rl, t + 999));
	assert_int_equal(rl.suppressed, 2);
	/* One interval later, one more line. */
	assert_true(log_ratelimit_allow(&rl, t + 1000));
	assert_false(log_ratelimit_allow(&rl, t + 1001));
	/* The refill keeps its phase: 1999 ms is still within the second
	 * interval, 2000 is the next token. */
	assert_false(log_ratelimit_allow(&rl, t + 1999));
	assert_true(log_ratelimit_allow(&rl, t + 2000));
}

static void test_refill_capped(void **st)
{
	(void)st;
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(100, 2);
	uint64_t t = 1000;
	assert_true(log_ratelimit_allow(&rl, t));
	assert_true(log_ratelimit_allow(&rl, t));
	assert_false(log_ratelimit_allow(&rl, t));
	/* An hour of silence buys back the burst, not 36000 lines. */
	t += 3600 * 1000;
	assert_true(log_ratelimit_allow(&rl, t));
	assert_true(log_ratelimit_allow(&rl, t));
	assert_false(log_ratelimit_allow(&rl, t));
}

static void test_steady_rate(void **st)
{
	(void)st;
	/* A peer sending one bad packet per millisecond for 10 s gets
	 * burst + 10 s / interval lines, no more. */
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(1000, 5);
	unsigned allowed = 0;
	for (uint64_t t = 1; t <= 10000; t++)
		allowed += log_ratelimit_allow(&rl, 20000 + t);
	assert_in_range(allowed, 14, 15);
	assert_int_equal(rl.suppressed, 10000 - allowed);
}

static void test_clock_backwards(void **st)
{
	(void)st;
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(1000, 1);
	assert_true(log_ratelimit_allow(&rl, 10000));
	assert_false(log_ratelimit_allow(&rl, 10000));
	/* Time going backwards neither refills nor wedges the limiter. */
	assert_false(log_ratelimit_allow(&rl, 5000));
	assert_true(log_ratelimit_allow(&rl, 6000));
}

static void test_start_at_zero(void **st)
{
	(void)st;
	/* The monotonic clock may read small values just after boot. */
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(1000, 1);
	assert_true(log_ratelimit_allow(&rl, 0));
	assert_false(log_ratelimit_allow(&rl, 500));
	assert_true(log_ratelimit_allow(&rl, 1000));
}

static void test_no_interval(void **st)
{
	(void)st;
	/* interval 0: a fixed budget, never refilled. */
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(0, 2);
	assert_true(log_ratelimit_allow(&rl, 1));
	assert_true(log_ratelimit_allow(&rl, 2));
	assert_false(log_ratelimit_allow(&rl, 1000000));
}

static void test_log_limited_levels(void **st)
{
	(void)st;
	/* Below the configured level nothing is counted or consumed. */
	log_init(0, false);
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(1000, 1);
	log_limited(&rl, 5000, LOG_L_DEBUG, "not shown %d", 1);
	assert_int_equal(rl.tokens, 1);
	assert_int_equal(rl.suppressed, 0);
	assert_false(log_enabled(LOG_L_INFO));
	assert_true(log_enabled(LOG_L_NOTICE));
	assert_true(log_enabled(LOG_L_ERROR));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_refill),
		cmocka_unit_test(test_refill_capped),
		cmocka_unit_test(test_steady_rate),
		cmocka_unit_test(test_clock_backwards),
		cmocka_unit_test(test_start_at_zero),
		cmocka_unit_test(test_no_interval),
		cmocka_unit_test(test_log_limited_levels),
	};
	return cmocka_run_group_tests_name("sys_log", tests, NULL, NULL);
}
