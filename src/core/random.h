/* The engine's seeded pseudo-random generator.
 *
 * xoshiro256** seeded through splitmix64 (Blackman and Vigna): small, fast,
 * statistically sound for jitter and hash seeds, and defined on 64-bit
 * integers only, so one seed gives the same sequence on every CPU (s390x and
 * MIPS included) and every libc. Not for secrets: nothing cryptographic may
 * come from here (keys and nonces come from the system, through the edges).
 */
#ifndef MAILLE_CORE_RANDOM_H
#define MAILLE_CORE_RANDOM_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* Any 64-bit seed is fine, 0 included. */
void rng_seed(struct rng *r, uint64_t seed);

/* The next 64 random bits. */
uint64_t rng_next(struct rng *r);

/* Uniform in [0, below), without modulo bias; 0 when BELOW is 0. */
uint64_t rng_uniform(struct rng *r, uint64_t below);

/* Uniform in [lo, hi], both included; LO when hi <= lo. */
uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi);

/* The delay before the next periodic message (Hello, IHU, full update):
 * uniform in [interval - interval * fraction_pct / 100, interval] ms.
 *
 * Why only shorter: RFC 8966 makes the Interval carried by a Hello (4.6.5),
 * an IHU (4.6.6) and an Update (4.6.9) an upper bound on the time until the
 * next one, and neighbours time out on it (Appendix A.1: 1.5 times the Hello
 * interval, the margin being for delivery delay). A jittered interval that
 * never exceeds the advertised one keeps that promise, and the randomness
 * still breaks the synchronisation of nodes that started together (the
 * reason for jitter; identical TNCs on one radio channel would otherwise
 * collide every time). fraction_pct is capped at 100; 25 is a sensible
 * default (at most a quarter early, on average 1/8 more messages). */
uint64_t rng_jitter(struct rng *r, uint64_t interval_ms, unsigned fraction_pct);

/* A delay uniform in [0, max_ms]: for messages sent soon but not at once
 * (a triggered update, a reply to a multicast request), so that neighbours
 * that heard the same event do not all answer in the same instant. */
uint64_t rng_delay(struct rng *r, uint64_t max_ms);

#endif
