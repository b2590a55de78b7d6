/* Link costs against tables computed by hand from the formulas of RFC 8966
 * Appendix A.2 and RFC 9616. Integer divisions truncate; the comment on each
 * row shows the computation. INF is 0xFFFF; finite results cap at 0xFFFE. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "src/core/hello_history.h"
#include "src/core/link_cost.h"

#define INF 0xFFFF
#define MAXF 0xFFFE
#define ROWS(a) (sizeof(a) / sizeof((a)[0]))

static void test_add(void **state)
{
	(void)state;
	assert_int_equal(link_cost_add(1, 2), 3);
	assert_int_equal(link_cost_add(0xFFFE, 1), MAXF);    /* finite stays finite */
	assert_int_equal(link_cost_add(40000, 40000), MAXF);
	assert_int_equal(link_cost_add(INF, 0), INF);        /* infinity absorbs */
	assert_int_equal(link_cost_add(0, INF), INF);
}

/* A.2.1: rxcost = K if at least k of the last j Hellos (of either kind)
 * were received, else infinity; cost = INF if rxcost is INF, else txcost. */
static void test_k_out_of_j(void **state)
{
	(void)state;
	static const struct {
		unsigned rm, ru, k;
		uint16_t nominal, rxcost;
	} rx[] = {
		{ 3, 0, 2, 96, 96 },  /* 3 >= 2: up */
		{ 2, 0, 2, 96, 96 },  /* 2 >= 2: up */
		{ 1, 0, 2, 96, INF }, /* 1 < 2: down */
		{ 1, 2, 2, 96, 96 },  /* multicast down, unicast up: up (the minimum) */
		{ 0, 0, 2, 96, INF },
		{ 0, 0, 0, 96, INF }, /* k = 0 counts as 1: nothing received is down */
		{ 1, 0, 0, 96, 96 },
		{ 3, 3, 3, 1, 1 },
		{ 2, 2, 3, 96, INF },
	};
	for (size_t i = 0; i < ROWS(rx); i++)
		assert_int_equal(link_cost_kj_rxcost(rx[i].rm, rx[i].ru, rx[i].k, rx[i].nominal), rx[i].rxcost);

	static const struct {
		uint16_t rxcost, txcost, cost;
	} cost[] = {
		{ 96, 96, 96 },   /* both up: txcost */
		{ 96, 300, 300 }, /* the neighbour's view of the link is what we pay */
		{ 96, INF, INF }, /* no IHU: txcost infinite */
		{ INF, 96, INF }, /* we do not hear them */
		{ INF, INF, INF },
	};
	for (size_t i = 0; i < ROWS(cost); i++)
		assert_int_equal(link_cost_kj(cost[i].rxcost, cost[i].txcost), cost[i].cost);

	/* From histories, 2-out-of-3. */
	struct hello_history m, u;
	hello_history_init(&m);
	hello_history_init(&u);
	hello_history_receive(&m, 10);
	hello_history_receive(&m, 11);
	hello_history_missed(&m); /* 1 1 0: 2 of the last 3 */
	assert_int_equal(link_cost_kj_rxcost_hist(&m, &u, 2, 3, 96), 96);
	hello_history_missed(&m); /* 1 0 0: 1 of 3 */
	assert_int_equal(link_cost_kj_rxcost_hist(&m, &u, 2, 3, 96), INF);
	assert_int_equal(link_cost_kj_rxcost_hist(&m, NULL, 2, 3, 96), INF);
	hello_history_receive(&u, 500);
	hello_history_receive(&u, 501); /* unicast 1 1 */
	assert_int_equal(link_cost_kj_rxcost_hist(&m, &u, 2, 3, 96), 96);
	assert_int_equal(link_cost_kj_rxcost_hist(NULL, NULL, 2, 3, 96), INF);
}

/* A.2.2: rxcost = 256 / beta with beta = received / window; scaled by the
 * nominal rxcost when it is not 256. */
static void test_etx_rxcost(void **state)
{
	(void)state;
	static const struct {
		unsigned received, window;
		uint16_t nominal, rxcost;
	} rows[] = {
		{ 16, 16, 256, 256 },     /* 256*16/16 = 256: a perfect link */
		{ 15, 16, 256, 273 },     /* 4096/15 = 273.07 */
		{ 12, 16, 256, 341 },     /* 4096/12 = 341.33 */
		{ 8, 16, 256, 512 },      /* 4096/8 */
		{ 1, 16, 256, 4096 },     /* 4096/1 */
		{ 0, 16, 256, INF },      /* nothing heard: beta = 0 */
		{ 3, 3, 256, 256 },
		{ 2, 3, 256, 384 },       /* 768/2 */
		{ 1, 3, 256, 768 },       /* 768/1 */
		{ 1, 1, 256, 256 },       /* a neighbour heard once */
		{ 20, 16, 256, 256 },     /* more received than the window: beta = 1 */
		{ 8, 16, 96, 192 },       /* 96*16/8 */
		{ 1, 16, 0x8000, MAXF },  /* 32768*16 = 524288: capped finite */
		{ 5, 0, 256, INF },       /* an empty window */
	};
	for (size_t i = 0; i < ROWS(rows); i++)
		assert_int_equal(link_cost_etx_rxcost(rows[i].received, rows[i].window, rows[i].nominal),
				 rows[i].rxcost);

	/* From a history: seqnos 0..16 with 5 missing. The last 16 intervals
	 * are seqnos 1..16, 15 received: 4096/15 = 273. */
	struct hello_history h;
	hello_history_init(&h);
	assert_int_equal(link_cost_etx_rxcost_hist(&h, 16, 256), INF);
	for (uint16_t s = 0; s <= 16; s++)
		if (s != 5)
			hello_history_receive(&h, s);
	assert_int_equal(hello_history_len(&h), 16);
	assert_int_equal(link_cost_etx_rxcost_hist(&h, 16, 256), 273);
	/* Over the last 8 only (9..16, all received): 256. */
	assert_int_equal(link_cost_etx_rxcost_hist(&h, 8, 256), 256);
	/* A young history: 2 observations, 1 received -> "1 of 2": 512. */
	hello_history_init(&h);
	hello_history_receive(&h, 7);
	assert_int_equal(link_cost_etx_rxcost_hist(&h, 16, 256), 256); /* 1 of 1 */
	hello_history_missed(&h);
	assert_int_equal(link_cost_etx_rxcost_hist(&h, 16, 256), 512);
}

/* A.2.2: cost = 256 / (alpha * beta) = MAX(txcost, 256) * rxcost / 256. */
static void test_etx_cost(void **state)
{
	(void)state;
	static const struct {
		uint16_t rxcost, txcost, cost;
	} rows[] = {
		{ 256, 256, 256 },    /* 256*256/256 */
		{ 273, 256, 273 },    /* 256*273/256 */
		{ 256, 273, 273 },    /* 273*256/256 */
		{ 273, 273, 291 },    /* 273*273/256 = 74529/256 = 291.13 */
		{ 341, 512, 682 },    /* 512*341/256 = 174592/256 = 682 */
		{ 512, 768, 1536 },   /* 768*512/256 */
		{ 384, 100, 384 },    /* txcost below 256 counts as 256 (alpha <= 1) */
		{ 96, 96, 96 },       /* 256*96/256 */
		{ 4096, 4096, MAXF }, /* 4096*4096/256 = 65536: capped finite */
		{ INF, 256, INF },
		{ 256, INF, INF },
	};
	for (size_t i = 0; i < ROWS(rows); i++)
		assert_int_equal(link_cost_etx(rows[i].rxcost, rows[i].txcost), rows[i].cost);
}

/* RFC 9616: rtt = ((256 - decay) * rtt + decay * sample) / 256, rounded. */
static void test_rtt_average(void **state)
{
	(void)state;
	static const struct {
		uint32_t old, sample;
		unsigned decay;
		uint32_t avg;
	} rows[] = {
		/* (214*10000 + 42*20000 + 128)/256 = 2980128/256 = 11641.1 */
		{ 10000, 20000, 42, 11641 },
		/* (214*20000 + 42*10000 + 128)/256 = 4700128/256 = 18359.9 */
		{ 20000, 10000, 42, 18359 },
		/* (2560000 + 128)/256 = 10000.5 */
		{ 10000, 10000, 42, 10000 },
		/* decay 256 forgets the past: the sample itself */
		{ 10000, 55555, 256, 55555 },
		{ 10000, 55555, 300, 55555 }, /* clamped to 256 */
		/* decay 0 clamped to 1: (255*1000 + 2000 + 128)/256 = 257128/256 = 1004.4 */
		{ 1000, 2000, 0, 1004 },
		/* (128*0 + 128*1000 + 128)/256 = 500.5 */
		{ 0, 1000, 128, 500 },
		/* No overflow at the top of the range. */
		{ UINT32_MAX, UINT32_MAX, 42, UINT32_MAX },
	};
	for (size_t i = 0; i < ROWS(rows); i++)
		assert_true(link_cost_rtt_average(rows[i].old, rows[i].sample, rows[i].decay) == rows[i].avg);

	/* A step from 10 ms to 50 ms: after n samples the gap is
	 * (214/256)^n of 40 ms; after 10 samples 0.836^10 = 0.167, so about
	 * 50000 - 6700 = 43300 (rounding keeps it within a few us). */
	uint32_t rtt = 10000;
	for (int i = 0; i < 10; i++)
		rtt = link_cost_rtt_average(rtt, 50000, 42);
	printf("# RTT after 10 samples of a 10->50 ms step: %u us\n", (unsigned)rtt);
	assert_true(rtt > 43200 && rtt < 43400);
}

/* RFC 9616: 0 up to rtt-min, max-rtt-penalty from rtt-max on, linear in
 * between: penalty * (rtt - min) / (max - min). */
static void test_rtt_penalty(void **state)
{
	(void)state;
	static const struct {
		uint32_t rtt, min, max;
		uint16_t maxpen, pen;
	} rows[] = {
		{ 5000, 10000, 120000, 96, 0 },
		{ 10000, 10000, 120000, 96, 0 },
		{ 20000, 10000, 120000, 96, 8 },    /* 96*10000/110000 = 8.73 */
		{ 65000, 10000, 120000, 96, 48 },   /* 96*55000/110000 = 48 */
		{ 119999, 10000, 120000, 96, 95 },  /* 96*109999/110000 = 95.999 */
		{ 120000, 10000, 120000, 96, 96 },
		{ 900000, 10000, 120000, 96, 96 },
		{ 40000, 10000, 120000, 150, 40 },  /* 150*30000/110000 = 40.9 */
		{ 65000, 10000, 120000, 0, 0 },     /* RTT cost disabled */
		{ 50000, 50000, 50000, 96, 0 },     /* min == max: a step */
		{ 50001, 50000, 50000, 96, 96 },
		{ 70000, 80000, 60000, 96, 0 },     /* min > max: still a step at min */
		{ 90000, 80000, 60000, 96, 96 },
		{ 200000, 10000, 120000, INF, MAXF }, /* a penalty stays finite */
	};
	for (size_t i = 0; i < ROWS(rows); i++)
		assert_int_equal(link_cost_rtt_penalty(rows[i].rtt, rows[i].min, rows[i].max, rows[i].maxpen),
				 rows[i].pen);
}

/* The hint mapping documented in link_cost.h. */
static void test_hint(void **state)
{
	(void)state;
	static const struct {
		int32_t dbm;
		uint32_t factor;
	} sig[] = {
		{ -40, 256 }, { -60, 256 },
		{ -61, 281 },   /* 256 + 1*128/5 = 256 + 25 */
		{ -75, 640 },   /* 256 + 15*128/5 = 256 + 384 */
		{ -89, 998 },   /* 256 + 29*128/5 = 256 + 742 */
		{ -90, 1024 }, { -110, 1024 },
	};
	for (size_t i = 0; i < ROWS(sig); i++)
		assert_int_equal(link_hint_from_signal(sig[i].dbm), sig[i].factor);

	static const struct {
		uint32_t kbps, ref, factor;
	} thr[] = {
		{ 100000, 100000, 256 },
		{ 200000, 100000, 256 },  /* 128: faster than the reference is neutral */
		{ 50000, 100000, 512 },   /* 256*100000/50000 */
		{ 54000, 100000, 474 },   /* 25600000/54000 = 474.07 */
		{ 6000, 100000, 4096 },   /* 4266.7 capped at 16x */
		{ 0, 100000, 256 },       /* unknown */
		{ 1000, 0, 256 },
	};
	for (size_t i = 0; i < ROWS(thr); i++)
		assert_int_equal(link_hint_from_throughput(thr[i].kbps, thr[i].ref), thr[i].factor);

	assert_int_equal(link_hint_combine(512, 512), 1024); /* (262144+128)/256 = 1024.5 */
	assert_int_equal(link_hint_combine(256, 640), 640);
	assert_int_equal(link_hint_combine(0, 300), 300);
	assert_int_equal(link_hint_combine(4096, 4096), 4096);
	assert_int_equal(link_hint_combine(100, 256), 256);

	static const struct {
		uint16_t cost;
		uint32_t hint;
		uint16_t out;
	} app[] = {
		{ 96, 256, 96 },      /* (24576+128)/256 = 96.5 */
		{ 96, 640, 240 },     /* (61440+128)/256 = 240.5 */
		{ 273, 474, 505 },    /* (129402+128)/256 = 505.98 */
		{ 300, 0, 300 },      /* no hint */
		{ 300, 100, 300 },    /* a hint never lowers the cost */
		{ 300, 99999, 4800 }, /* capped at 16x: 300*4096/256 */
		{ 20000, 4096, MAXF },
		{ INF, 512, INF },
	};
	for (size_t i = 0; i < ROWS(app); i++)
		assert_int_equal(link_cost_apply_hint(app[i].cost, app[i].hint), app[i].out);
}

static void test_compute(void **state)
{
	(void)state;
	struct link_cost_params p;
	struct hello_history m, u;
	hello_history_init(&m);
	hello_history_init(&u);

	/* Wired: 2-out-of-3, K = 96. History 0 1 1: up. */
	link_cost_params_default(&p, LINK_COST_K_OUT_OF_J);
	assert_int_equal(p.nominal, 96);
	assert_int_equal(p.k, 2);
	assert_int_equal(p.j, 3);
	hello_history_receive(&m, 1);
	hello_history_missed(&m);
	hello_history_receive(&m, 3);
	hello_history_receive(&m, 4); /* 1 0 1 1: last three 0 1 1 */
	struct link_cost_input in = { &m, &u, 96, false, 0, LINK_HINT_NEUTRAL };
	assert_int_equal(link_cost_rxcost(&p, &in), 96);
	assert_int_equal(link_cost_compute(&p, &in), 96);
	/* With a hint of 640: 240; an RTT of 65 ms with penalty 96: +48. */
	in.hint = 640;
	assert_int_equal(link_cost_compute(&p, &in), 240);
	p.max_rtt_penalty = 96;
	in.have_rtt = true;
	in.rtt_us = 65000;
	assert_int_equal(link_cost_compute(&p, &in), 288);
	/* No IHU: infinite whatever the rest. */
	in.txcost = INF;
	assert_int_equal(link_cost_compute(&p, &in), INF);

	/* Wireless: ETX over 16. 15 of the last 16: rxcost 273; txcost 300:
	 * 300*273/256 = 81900/256 = 319.9. */
	link_cost_params_default(&p, LINK_COST_ETX);
	assert_int_equal(p.nominal, 256);
	hello_history_init(&m);
	for (uint16_t s = 0; s <= 16; s++)
		if (s != 5)
			hello_history_receive(&m, s);
	struct link_cost_input w = { &m, &u, 300, false, 0, 0 };
	assert_int_equal(link_cost_rxcost(&p, &w), 273);
	assert_int_equal(link_cost_compute(&p, &w), 319);
	/* RTT is ignored while max_rtt_penalty is 0. */
	w.have_rtt = true;
	w.rtt_us = 500000;
	assert_int_equal(link_cost_compute(&p, &w), 319);

	/* ETX with unicast Hellos only falls back to the unicast history. */
	struct hello_history none;
	hello_history_init(&none);
	hello_history_receive(&u, 9);
	hello_history_receive(&u, 10);
	struct link_cost_input uo = { &none, &u, 256, false, 0, 0 };
	assert_int_equal(link_cost_rxcost(&p, &uo), 256);
	assert_int_equal(link_cost_compute(&p, &uo), 256);
	struct link_cost_input nothing = { NULL, NULL, 256, false, 0, 0 };
	assert_int_equal(link_cost_compute(&p, &nothing), INF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_k_out_of_j),
		cmocka_unit_test(test_etx_rxcost),
		cmocka_unit_test(test_etx_cost),
		cmocka_unit_test(test_rtt_average),
		cmocka_unit_test(test_rtt_penalty),
		cmocka_unit_test(test_hint),
		cmocka_unit_test(test_compute),
	};
	return cmocka_run_group_tests_name("core_link_cost", tests, NULL, NULL);
}
