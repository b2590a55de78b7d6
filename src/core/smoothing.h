/* Metric smoothing and hysteresis for route selection (RFC 8966 A.3.2,
 * babeld's smoothing-half-life).
 *
 * A route's smoothed metric follows its metric with an exponential decay:
 * after the metric changes to m, the distance between the smoothed value and
 * m halves every half-life (babeld's default 4 s; 0 turns smoothing off,
 * suitable for wired networks). Route selection then uses it as hysteresis
 * (smoothing_should_switch), so that a metric that wobbles does not flip
 * routes back and forth, while a route that really becomes better wins
 * after a few seconds.
 *
 * Integer only: 2^(-t/half_life) comes from a table of 16 fixed-point roots
 * of 2, so every CPU computes the same bits and no libm is needed. The
 * smoothed value is kept in 16.16 fixed point, so small gaps still close
 * (a 16-bit value would stick one unit away from the metric).
 */
#ifndef MAILLE_CORE_SMOOTHING_H
#define MAILLE_CORE_SMOOTHING_H

#include <stdbool.h>
#include <stdint.h>

#define SMOOTHING_INFINITY 0xFFFFu
#define SMOOTHING_DEFAULT_HALF_LIFE_MS 4000u

/* 16 bytes per route. */
struct smoothed_metric {
	uint32_t value_q16; /* smoothed metric, 16.16 fixed point */
	uint16_t target;    /* the metric since the last update */
	uint64_t at_ms;     /* when value_q16 was computed */
};

/* The distance GAP (any unit) after ELAPSED_MS of decay with HALF_LIFE_MS:
 * gap * 2^(-elapsed/half_life), truncated; 0 when the half-life is 0. Exact
 * for whole half-lives (gap >> n), within 2^-15 relative otherwise. */
uint32_t smoothing_decay(uint32_t gap, uint64_t elapsed_ms, uint32_t half_life_ms);

/* Starts S at METRIC (a new route: nothing to smooth from). */
void smoothing_init(struct smoothed_metric *s, uint16_t metric, uint64_t now_ms);

/* The route's metric is METRIC from NOW on. The smoothed value first decays
 * toward the previous metric for the time elapsed, then heads for the new
 * one. Jumps straight to METRIC when the half-life is 0, when METRIC is
 * infinite (a retraction must not linger) or when the smoothed value was
 * infinite (a route coming back from unreachable has nothing to smooth
 * from). A NOW earlier than the last update counts as no time elapsed. */
void smoothing_update(struct smoothed_metric *s, uint16_t metric, uint64_t now_ms, uint32_t half_life_ms);

/* The smoothed metric at NOW (rounded to the nearest integer), without
 * changing S. */
uint16_t smoothing_get(const struct smoothed_metric *s, uint64_t now_ms, uint32_t half_life_ms);

/* ---- Hysteresis -----------------------------------------------------------
 * One route as selection sees it. USABLE is false for a route that may not
 * be selected: unfeasible (RFC 8966 3.5.1), retracted (infinite metric),
 * expired or filtered. */
struct smoothing_choice {
	uint16_t metric;
	uint16_t smoothed;
	bool usable;
};

/* Whether CANDIDATE should replace SELECTED (NULL: no route selected).
 *   1. an unusable or infinite-metric candidate never replaces anything;
 *   2. with no selected route, or a selected one that is no longer usable
 *      or has an infinite metric, the candidate wins at once (smoothed
 *      values play no part: A.3.2 "if no route is selected, the one with
 *      the smallest metric is selected");
 *   3. otherwise the candidate wins only if it is better both now and on
 *      average, the latter by more than MARGIN:
 *          metric(cand) < metric(sel)  and  smoothed(cand) + margin < smoothed(sel).
 * With MARGIN 0 this is A.3.2's rule exactly; a margin adds a dead band for
 * routes whose averages sit close together. */
bool smoothing_should_switch(const struct smoothing_choice *selected, const struct smoothing_choice *candidate,
			     uint16_t margin);

#endif
