/* xoshiro256** seeded by splitmix64; see random.h. */
#include "src/core/random.h"

static uint64_t rotl(uint64_t x, unsigned k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
	/* splitmix64 never yields four zero words in a row, the one state
	 * xoshiro cannot leave. */
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t rng_uniform(struct rng *r, uint64_t below)
{
	if (below == 0)
		return 0;
	/* Reject the lowest (2^64 mod below) values so that every residue is
	 * equally likely. (0 - below) % below is 2^64 mod below. */
	uint64_t threshold = (0 - below) % below;
	for (;;) {
		uint64_t x = rng_next(r);
		if (x >= threshold)
			return x % below;
	}
}

uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi)
{
	if (hi <= lo)
		return lo;
	uint64_t span = hi - lo;
	if (span == UINT64_MAX)
		return rng_next(r);
	return lo + rng_uniform(r, span + 1);
}

uint64_t rng_jitter(struct rng *r, uint64_t interval_ms, unsigned fraction_pct)
{
	if (fraction_pct > 100)
		fraction_pct = 100;
	/* interval / 100 * pct + remainder term, so that no product overflows
	 * even for absurd intervals. */
	uint64_t span = interval_ms / 100 * fraction_pct + interval_ms % 100 * fraction_pct / 100;
	return interval_ms - rng_range(r, 0, span);
}

uint64_t rng_delay(struct rng *r, uint64_t max_ms)
{
	return rng_range(r, 0, max_ms);
}
