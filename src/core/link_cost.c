/* Link cost functions; the formulas and their sources are in link_cost.h. */
#include "src/core/link_cost.h"

/* A finite value computed in 64 bits, saturated into the finite range. */
static uint16_t finite(uint64_t v)
{
	return v > LINK_COST_MAX_FINITE ? (uint16_t)LINK_COST_MAX_FINITE : (uint16_t)v;
}

uint16_t link_cost_add(uint16_t a, uint16_t b)
{
	if (a == LINK_COST_INFINITY || b == LINK_COST_INFINITY)
		return LINK_COST_INFINITY;
	return finite((uint64_t)a + b);
}

uint16_t link_cost_kj_rxcost(unsigned received_mcast, unsigned received_ucast, unsigned k,
			     uint16_t nominal)
{
	if (k < 1)
		k = 1;
	if (received_mcast >= k || received_ucast >= k)
		return nominal;
	return LINK_COST_INFINITY;
}

uint16_t link_cost_kj_rxcost_hist(const struct hello_history *mcast, const struct hello_history *ucast,
				  unsigned k, unsigned j, uint16_t nominal)
{
	unsigned rm = mcast ? hello_history_received(mcast, j) : 0;
	unsigned ru = ucast ? hello_history_received(ucast, j) : 0;
	return link_cost_kj_rxcost(rm, ru, k, nominal);
}

uint16_t link_cost_kj(uint16_t rxcost, uint16_t txcost)
{
	return rxcost == LINK_COST_INFINITY ? (uint16_t)LINK_COST_INFINITY : txcost;
}

uint16_t link_cost_etx_rxcost(unsigned received, unsigned window, uint16_t nominal)
{
	if (received == 0 || window == 0 || nominal == LINK_COST_INFINITY)
		return LINK_COST_INFINITY;
	if (received > window)
		received = window;
	return finite((uint64_t)nominal * window / received);
}

uint16_t link_cost_etx_rxcost_hist(const struct hello_history *h, unsigned j, uint16_t nominal)
{
	unsigned window = hello_history_len(h);
	if (j < window)
		window = j;
	return link_cost_etx_rxcost(hello_history_received(h, window), window, nominal);
}

uint16_t link_cost_etx(uint16_t rxcost, uint16_t txcost)
{
	if (rxcost == LINK_COST_INFINITY || txcost == LINK_COST_INFINITY)
		return LINK_COST_INFINITY;
	uint64_t tx = txcost < 256 ? 256 : txcost;
	return finite(tx * rxcost / 256);
}

uint32_t link_cost_rtt_average(uint32_t smoothed_us, uint32_t sample_us, unsigned decay)
{
	if (decay < 1)
		decay = 1;
	if (decay > 256)
		decay = 256;
	uint64_t v = ((uint64_t)(256 - decay) * smoothed_us + (uint64_t)decay * sample_us + 128) / 256;
	return (uint32_t)v; /* a weighted mean of two uint32: fits */
}

uint16_t link_cost_rtt_penalty(uint32_t rtt_us, uint32_t rtt_min_us, uint32_t rtt_max_us,
			       uint16_t max_penalty)
{
	if (rtt_us <= rtt_min_us)
		return 0;
	if (max_penalty > LINK_COST_MAX_FINITE)
		max_penalty = LINK_COST_MAX_FINITE; /* a penalty is finite */
	if (rtt_us >= rtt_max_us)
		return max_penalty;
	/* Here rtt_min < rtt < rtt_max, so the divisor is positive. */
	return (uint16_t)((uint64_t)max_penalty * (rtt_us - rtt_min_us) / (rtt_max_us - rtt_min_us));
}

static uint32_t clamp_hint(uint64_t h)
{
	if (h < LINK_HINT_NEUTRAL)
		return LINK_HINT_NEUTRAL;
	if (h > LINK_HINT_MAX)
		return LINK_HINT_MAX;
	return (uint32_t)h;
}

uint32_t link_hint_from_signal(int32_t dbm)
{
	if (dbm >= LINK_HINT_SIGNAL_GOOD_DBM)
		return LINK_HINT_NEUTRAL;
	if (dbm <= LINK_HINT_SIGNAL_BAD_DBM)
		return 4 * LINK_HINT_NEUTRAL;
	/* 30 dB from neutral to 4x: 768/30 = 128/5 per dB. */
	uint32_t below = (uint32_t)(LINK_HINT_SIGNAL_GOOD_DBM - dbm);
	return LINK_HINT_NEUTRAL + below * 128 / 5;
}

uint32_t link_hint_from_throughput(uint32_t expected_kbps, uint32_t reference_kbps)
{
	if (expected_kbps == 0 || reference_kbps == 0)
		return LINK_HINT_NEUTRAL;
	return clamp_hint((uint64_t)LINK_HINT_NEUTRAL * reference_kbps / expected_kbps);
}

uint32_t link_hint_combine(uint32_t a, uint32_t b)
{
	a = a ? clamp_hint(a) : LINK_HINT_NEUTRAL;
	b = b ? clamp_hint(b) : LINK_HINT_NEUTRAL;
	return clamp_hint(((uint64_t)a * b + 128) / 256);
}

uint16_t link_cost_apply_hint(uint16_t cost, uint32_t hint)
{
	if (cost == LINK_COST_INFINITY)
		return LINK_COST_INFINITY;
	hint = hint ? clamp_hint(hint) : LINK_HINT_NEUTRAL;
	return finite(((uint64_t)cost * hint + 128) / 256);
}

void link_cost_params_default(struct link_cost_params *p, enum link_cost_kind kind)
{
	p->kind = kind;
	if (kind == LINK_COST_ETX) {
		p->nominal = LINK_COST_ETX_NOMINAL;
		p->k = 0;
		p->j = LINK_COST_ETX_DEFAULT_WINDOW;
	} else {
		p->nominal = LINK_COST_WIRED_NOMINAL;
		p->k = LINK_COST_DEFAULT_K;
		p->j = LINK_COST_DEFAULT_J;
	}
	p->rtt_min_us = LINK_COST_RTT_MIN_US;
	p->rtt_max_us = LINK_COST_RTT_MAX_US;
	p->max_rtt_penalty = 0;
}

uint16_t link_cost_rxcost(const struct link_cost_params *p, const struct link_cost_input *in)
{
	if (p->kind == LINK_COST_ETX) {
		const struct hello_history *h = in->mcast;
		if (!h || !h->started)
			h = in->ucast;
		if (!h)
			return LINK_COST_INFINITY;
		return link_cost_etx_rxcost_hist(h, p->j, p->nominal);
	}
	return link_cost_kj_rxcost_hist(in->mcast, in->ucast, p->k, p->j, p->nominal);
}

uint16_t link_cost_compute(const struct link_cost_params *p, const struct link_cost_input *in)
{
	uint16_t rx = link_cost_rxcost(p, in);
	uint16_t cost = p->kind == LINK_COST_ETX ? link_cost_etx(rx, in->txcost) : link_cost_kj(rx, in->txcost);
	cost = link_cost_apply_hint(cost, in->hint);
	if (p->max_rtt_penalty && in->have_rtt)
		cost = link_cost_add(cost, link_cost_rtt_penalty(in->rtt_us, p->rtt_min_us, p->rtt_max_us,
								 p->max_rtt_penalty));
	return cost;
}
