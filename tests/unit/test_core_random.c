/* The seeded generator: known outputs (the same on every CPU), bounds,
 * rough uniformity, jitter ranges. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>

#include "src/core/random.h"

/* Expected values from an independent Python transcription of splitmix64 and
 * xoshiro256**. splitmix64's first output for state 0, 0xe220a8397b1dcdaf,
 * is the published reference value. */
static void test_known_sequence(void **state)
{
	(void)state;
	struct rng r;
	rng_seed(&r, 0);
	assert_true(r.s[0] == 0xe220a8397b1dcdafull);
	assert_true(r.s[1] == 0x6e789e6aa1b965f4ull);
	assert_true(r.s[2] == 0x06c45d188009454full);
	assert_true(r.s[3] == 0xf88bb8a8724c81ecull);
	static const uint64_t seed0[5] = {
		0x99ec5f36cb75f2b4ull, 0xbf6e1f784956452aull, 0x1a5f849d4933e6e0ull,
		0x6aa594f1262d2d2cull, 0xbba5ad4a1f842e59ull,
	};
	for (int i = 0; i < 5; i++)
		assert_true(rng_next(&r) == seed0[i]);

	rng_seed(&r, 42);
	static const uint64_t seed42[5] = {
		0x15780b2e0c2ec716ull, 0x6104d9866d113a7eull, 0xae17533239e499a1ull,
		0xecb8ad4703b360a1ull, 0xfde6dc7fe2ec5e64ull,
	};
	for (int i = 0; i < 5; i++)
		assert_true(rng_next(&r) == seed42[i]);

	/* uniform(1000) is x % 1000 of accepted draws. */
	rng_seed(&r, 7);
	static const uint64_t u7[5] = { 994, 674, 638, 664, 664 };
	for (int i = 0; i < 5; i++)
		assert_true(rng_uniform(&r, 1000) == u7[i]);
}

static void test_determinism(void **state)
{
	(void)state;
	struct rng a, b;
	rng_seed(&a, 123456789);
	rng_seed(&b, 123456789);
	for (int i = 0; i < 1000; i++)
		assert_true(rng_next(&a) == rng_next(&b));
	rng_seed(&b, 123456788);
	int same = 0;
	for (int i = 0; i < 1000; i++)
		same += rng_next(&a) == rng_next(&b);
	assert_int_equal(same, 0);
}

static void test_uniform(void **state)
{
	(void)state;
	struct rng r;
	rng_seed(&r, 1);
	assert_true(rng_uniform(&r, 0) == 0);
	assert_true(rng_uniform(&r, 1) == 0);
	/* Ten buckets, 100k draws: each within 5% of 10k. */
	unsigned count[10] = { 0 };
	for (int i = 0; i < 100000; i++) {
		uint64_t v = rng_uniform(&r, 10);
		assert_true(v < 10);
		count[v]++;
	}
	for (int i = 0; i < 10; i++)
		assert_true(count[i] > 9500 && count[i] < 10500);
	/* A bound that forces rejections (just above 2^63). */
	uint64_t big = (1ull << 63) + 1;
	for (int i = 0; i < 1000; i++)
		assert_true(rng_uniform(&r, big) < big);
	/* Ranges, both ends reachable. */
	bool lo = false, hi = false;
	for (int i = 0; i < 1000; i++) {
		uint64_t v = rng_range(&r, 5, 8);
		assert_true(v >= 5 && v <= 8);
		lo |= v == 5;
		hi |= v == 8;
	}
	assert_true(lo && hi);
	assert_true(rng_range(&r, 9, 9) == 9);
	assert_true(rng_range(&r, 9, 3) == 9);
	(void)rng_range(&r, 0, UINT64_MAX);
}

static void test_jitter(void **state)
{
	(void)state;
	struct rng r;
	rng_seed(&r, 2);
	/* 4 s Hellos with 25%: in [3000, 4000], both ends reached, mean about 3500. */
	uint64_t min = UINT64_MAX, max = 0, sum = 0;
	for (int i = 0; i < 20000; i++) {
		uint64_t v = rng_jitter(&r, 4000, 25);
		assert_true(v >= 3000 && v <= 4000);
		if (v < min)
			min = v;
		if (v > max)
			max = v;
		sum += v;
	}
	assert_true(min < 3010 && max > 3990);
	assert_true(sum / 20000 > 3480 && sum / 20000 < 3520);
	/* No jitter, full jitter, above 100% capped. */
	assert_true(rng_jitter(&r, 4000, 0) == 4000);
	for (int i = 0; i < 100; i++) {
		assert_true(rng_jitter(&r, 4000, 100) <= 4000);
		assert_true(rng_jitter(&r, 4000, 250) <= 4000);
	}
	assert_true(rng_jitter(&r, 0, 25) == 0);
	/* Huge intervals do not overflow. */
	uint64_t v = rng_jitter(&r, UINT64_MAX, 50);
	assert_true(v >= UINT64_MAX / 2 - 1);
	/* Odd sizes: 7 ms at 50% is in [4, 7] (span 3.5 truncated to 3). */
	for (int i = 0; i < 100; i++) {
		uint64_t w = rng_jitter(&r, 7, 50);
		assert_true(w >= 4 && w <= 7);
	}
	for (int i = 0; i < 100; i++)
		assert_true(rng_delay(&r, 500) <= 500);
	assert_true(rng_delay(&r, 0) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_sequence),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_uniform),
		cmocka_unit_test(test_jitter),
	};
	return cmocka_run_group_tests_name("core_random", tests, NULL, NULL);
}
