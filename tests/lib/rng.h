/* A seeded, portable pseudo-random generator for tests (splitmix64): the
 * same seed gives the same sequence on every CPU, big-endian included. */
#ifndef MAILLE_TESTS_RNG_H
#define MAILLE_TESTS_RNG_H

#include <stdint.h>

struct test_rng {
	uint64_t s;
};

static inline uint64_t test_rng_next(struct test_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static inline uint32_t test_rng_below(struct test_rng *r, uint32_t n)
{
	return n ? (uint32_t)(test_rng_next(r) % n) : 0;
}

#endif
