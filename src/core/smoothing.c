/* Metric smoothing with a half-life, in integers; see smoothing.h. */
#include "src/core/smoothing.h"

/* ROOT[i] = 2^(-2^(i-16)) in 0.32 fixed point: the factor for a fraction
 * of a half-life whose 16-bit binary expansion has bit i set. ROOT[15] is
 * 1/sqrt(2); each entry is the square root of the next. */
static const uint32_t ROOT[16] = {
	0xffff4e8e, 0xfffe9d1d, 0xfffd3a3b, 0xfffa747f, 0xfff4e91c, 0xffe9d2b3, 0xffd3a752, 0xffa75652,
	0xff4ecb59, 0xfe9e115c, 0xfd3e0c0d, 0xfa83b2db, 0xf5257d15, 0xeac0c6e8, 0xd744fccb, 0xb504f334,
};

#define ONE_Q32 ((uint64_t)1 << 32)
#define INFINITY_Q16 ((uint32_t)SMOOTHING_INFINITY << 16)

uint32_t smoothing_decay(uint32_t gap, uint64_t elapsed_ms, uint32_t half_life_ms)
{
	if (half_life_ms == 0)
		return 0;
	uint64_t halvings = elapsed_ms / half_life_ms;
	if (halvings >= 32)
		return 0;
	uint64_t rem = elapsed_ms % half_life_ms;
	gap >>= halvings;
	if (rem == 0 || gap == 0)
		return gap;
	/* rem / half_life as a 16-bit binary fraction, then the product of the
	 * roots of its set bits: 2^(-sum of bits) = 2^(-fraction). */
	uint32_t frac = (uint32_t)((rem << 16) / half_life_ms);
	uint64_t factor = ONE_Q32;
	for (int i = 15; i >= 0; i--)
		if (frac & (1u << i))
			factor = (factor * ROOT[i]) >> 32; /* both <= 2^32: no overflow */
	/* factor < 2^32 here, gap < 2^32: the product fits in 64 bits. */
	return (uint32_t)(((uint64_t)gap * factor) >> 32);
}

void smoothing_init(struct smoothed_metric *s, uint16_t metric, uint64_t now_ms)
{
	s->value_q16 = (uint32_t)metric << 16;
	s->target = metric;
	s->at_ms = now_ms;
}

/* The value at NOW, decayed toward the current target. */
static uint32_t value_at(const struct smoothed_metric *s, uint64_t now_ms, uint32_t half_life_ms)
{
	uint32_t target = (uint32_t)s->target << 16;
	if (half_life_ms == 0 || s->target == SMOOTHING_INFINITY || s->value_q16 >= INFINITY_Q16)
		return target;
	uint64_t elapsed = now_ms > s->at_ms ? now_ms - s->at_ms : 0;
	if (s->value_q16 > target)
		return target + smoothing_decay(s->value_q16 - target, elapsed, half_life_ms);
	return target - smoothing_decay(target - s->value_q16, elapsed, half_life_ms);
}

void smoothing_update(struct smoothed_metric *s, uint16_t metric, uint64_t now_ms, uint32_t half_life_ms)
{
	uint32_t v = value_at(s, now_ms, half_life_ms);
	if (half_life_ms == 0 || metric == SMOOTHING_INFINITY || v >= INFINITY_Q16)
		v = (uint32_t)metric << 16;
	s->value_q16 = v;
	s->target = metric;
	if (now_ms > s->at_ms)
		s->at_ms = now_ms;
}

uint16_t smoothing_get(const struct smoothed_metric *s, uint64_t now_ms, uint32_t half_life_ms)
{
	uint32_t v = value_at(s, now_ms, half_life_ms);
	uint32_t r = (v + 0x8000) >> 16;
	return r > SMOOTHING_INFINITY ? (uint16_t)SMOOTHING_INFINITY : (uint16_t)r;
}

bool smoothing_should_switch(const struct smoothing_choice *selected, const struct smoothing_choice *candidate,
			     uint16_t margin)
{
	if (!candidate->usable || candidate->metric == SMOOTHING_INFINITY)
		return false;
	if (!selected || !selected->usable || selected->metric == SMOOTHING_INFINITY)
		return true;
	return candidate->metric < selected->metric &&
	       (uint32_t)candidate->smoothed + margin < selected->smoothed;
}
