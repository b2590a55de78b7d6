/* Link costs: RFC 8966 Appendix A.2, RFC 9616 (RTT), and an external
 * link-quality hint. Pure functions on integers: no state, no clock.
 *
 * Conventions for every function here:
 *   - 0xFFFF (LINK_COST_INFINITY) is infinity and absorbs: an infinite input
 *     gives an infinite result;
 *   - finite inputs give a finite result: arithmetic saturates at 0xFFFE
 *     (LINK_COST_MAX_FINITE), so a bad but working link is never mistaken
 *     for a dead one;
 *   - divisions truncate, as the integer formulas of the RFC read.
 *
 * How the engine puts a neighbour's cost together (link_cost_compute):
 *   rxcost  = k-out-of-j or ETX from the Hello histories  (sent in our IHUs)
 *   base    = A.2.1 or A.2.2 from rxcost and txcost        (txcost: their IHU)
 *   cost    = base * hint / 256 + rtt_penalty(smoothed RTT)
 */
#ifndef MAILLE_CORE_LINK_COST_H
#define MAILLE_CORE_LINK_COST_H

#include <stdbool.h>
#include <stdint.h>

#include "src/core/hello_history.h"

#define LINK_COST_INFINITY 0xFFFFu
#define LINK_COST_MAX_FINITE 0xFFFEu

/* RFC 8966 Appendix B: wired links use 2-out-of-3 with K = 96 (babeld's
 * wired rxcost); wireless links ETX, whose nominal rxcost is 256 (a
 * perfect link: beta = 1). */
#define LINK_COST_DEFAULT_K 2
#define LINK_COST_DEFAULT_J 3
#define LINK_COST_WIRED_NOMINAL 96
#define LINK_COST_ETX_NOMINAL 256
/* ETX looks at the whole history by default. */
#define LINK_COST_ETX_DEFAULT_WINDOW 16

/* RTT (RFC 9616 section 4), defaults of babeld: rtt-min 10 ms, rtt-max
 * 120 ms, rtt-decay 42/256 (alpha = 1 - 42/256 = 0.836), max-rtt-penalty 96
 * on tunnels and 0 (RTT not used) elsewhere. */
#define LINK_COST_RTT_MIN_US 10000u
#define LINK_COST_RTT_MAX_US 120000u
#define LINK_COST_RTT_DECAY 42u
#define LINK_COST_TUNNEL_MAX_RTT_PENALTY 96u

/* a + b, INF absorbing, finite saturating at 0xFFFE. */
uint16_t link_cost_add(uint16_t a, uint16_t b);

/* ---- A.2.1 k-out-of-j ----------------------------------------------------
 * The link is up if at least K of the last J Hellos were received; then
 * rxcost = NOMINAL, else infinity. With both kinds of Hellos the test runs
 * on each history and the link is up if either says so (the minimum of the
 * two rxcosts). K below 1 counts as 1. */
uint16_t link_cost_kj_rxcost(unsigned received_mcast, unsigned received_ucast, unsigned k,
			     uint16_t nominal);

/* The same from the histories (either may be NULL: no such Hellos). */
uint16_t link_cost_kj_rxcost_hist(const struct hello_history *mcast, const struct hello_history *ucast,
				  unsigned k, unsigned j, uint16_t nominal);

/* cost = infinity if rxcost is infinite, txcost otherwise. */
uint16_t link_cost_kj(uint16_t rxcost, uint16_t txcost);

/* ---- A.2.2 ETX -----------------------------------------------------------
 * beta = RECEIVED / WINDOW estimates the probability that a Hello from the
 * neighbour arrives; rxcost = NOMINAL / beta = NOMINAL * WINDOW / RECEIVED
 * (NOMINAL 256 is the RFC's formula). Infinite when nothing was received.
 * RECEIVED above WINDOW counts as WINDOW. */
uint16_t link_cost_etx_rxcost(unsigned received, unsigned window, uint16_t nominal);

/* The same from a history: WINDOW is the last min(J, observed) intervals,
 * so a neighbour heard once is "1 of 1", not "1 of 16". A.2.2 takes beta
 * from Multicast Hellos (unicast ones benefit from link-layer
 * retransmission and say little about loss), so pass the multicast history. */
uint16_t link_cost_etx_rxcost_hist(const struct hello_history *h, unsigned j, uint16_t nominal);

/* alpha = MIN(1, 256/txcost) estimates the probability that our packets
 * reach the neighbour; cost = 256 / (alpha * beta), that is
 *     cost = MAX(txcost, 256) * rxcost / 256. */
uint16_t link_cost_etx(uint16_t rxcost, uint16_t txcost);

/* ---- RFC 9616 RTT ---------------------------------------------------------
 * Smoothing: the exponential moving average of the RTT samples,
 *     rtt = ((256 - decay) * rtt + decay * sample) / 256   (rounded),
 * DECAY in 1/256 units, 1..256 (clamped): 42 gives alpha = 0.836 on the old
 * value. The first sample of a neighbour is taken as it is (the caller does
 * that: there is no average yet). Times in microseconds, as the timestamps. */
uint32_t link_cost_rtt_average(uint32_t smoothed_us, uint32_t sample_us, unsigned decay);

/* The cost added for a (smoothed) RTT: 0 up to RTT_MIN, MAX_PENALTY from
 * RTT_MAX on, and linear in between:
 *     max_penalty * (rtt - rtt_min) / (rtt_max - rtt_min). */
uint16_t link_cost_rtt_penalty(uint32_t rtt_us, uint32_t rtt_min_us, uint32_t rtt_max_us,
			       uint16_t max_penalty);

/* ---- External link-quality hint -------------------------------------------
 * A factor in 1/256 units (256 = no opinion) by which the loss-based cost is
 * multiplied, taken from what the radio driver knows (nl80211 station info:
 * signal strength, expected throughput). Loss measured by Hellos reacts only
 * after Hellos are lost, and says nothing about the rate the link runs at;
 * the hint does both. It only ever raises the cost (factor >= 256), so a
 * missing or odd driver value cannot make a link look better than its loss
 * says. Factors are kept within [256, LINK_HINT_MAX]. */
#define LINK_HINT_NEUTRAL 256u
#define LINK_HINT_MAX 4096u /* at most 16 times the cost */

/* Signal strength: neutral at -60 dBm and above, 4x (1024) at -90 dBm and
 * below, linear in between: 256 + (-60 - dbm) * 128 / 5. */
#define LINK_HINT_SIGNAL_GOOD_DBM (-60)
#define LINK_HINT_SIGNAL_BAD_DBM (-90)
uint32_t link_hint_from_signal(int32_t dbm);

/* Expected throughput against a reference: 256 * reference / expected,
 * clamped to [256, LINK_HINT_MAX], so that a link at a quarter of the
 * reference costs 4 times more (cost in proportion to airtime). 0 for
 * EXPECTED means unknown: neutral. */
#define LINK_HINT_REFERENCE_KBPS 100000u
uint32_t link_hint_from_throughput(uint32_t expected_kbps, uint32_t reference_kbps);

/* Two hints together: a * b / 256, clamped as above. */
uint32_t link_hint_combine(uint32_t a, uint32_t b);

/* cost * hint / 256 rounded, at least 1 for a nonzero cost, finite capped at
 * 0xFFFE; a hint of 0 is treated as neutral. */
uint16_t link_cost_apply_hint(uint16_t cost, uint32_t hint);

/* ---- All together ----------------------------------------------------------*/
enum link_cost_kind {
	LINK_COST_K_OUT_OF_J, /* wired, tunnels, radio (with a high nominal) */
	LINK_COST_ETX,        /* wireless */
};

struct link_cost_params {
	enum link_cost_kind kind;
	uint16_t nominal; /* K of k-out-of-j, or ETX's nominal rxcost */
	uint8_t k;        /* k-out-of-j only */
	uint8_t j;        /* k-out-of-j's j, or ETX's window */
	uint32_t rtt_min_us;
	uint32_t rtt_max_us;
	uint16_t max_rtt_penalty; /* 0: RTT not used */
};

struct link_cost_input {
	const struct hello_history *mcast; /* NULL: none */
	const struct hello_history *ucast; /* NULL: none */
	uint16_t txcost;                   /* from the last IHU; INF if none or expired */
	bool have_rtt;                     /* a recent smoothed RTT exists */
	uint32_t rtt_us;
	uint32_t hint; /* LINK_HINT_NEUTRAL (or 0) when nothing is known */
};

/* Fills P with the defaults of KIND (RTT off). */
void link_cost_params_default(struct link_cost_params *p, enum link_cost_kind kind);

/* The rxcost we announce to the neighbour in IHUs. ETX uses the multicast
 * history, or the unicast one when no multicast Hello was ever received
 * (a link where the neighbour sends only unicast Hellos). */
uint16_t link_cost_rxcost(const struct link_cost_params *p, const struct link_cost_input *in);

/* The cost of the link to the neighbour, used in route metrics. */
uint16_t link_cost_compute(const struct link_cost_params *p, const struct link_cost_input *in);

#endif
