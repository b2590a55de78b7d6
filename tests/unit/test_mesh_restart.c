/* Routers that stop and start again: an orderly exit (the engine retracts
 * what it announced), a power cut (the neighbours must notice by missing
 * Hellos), and a restart that lost its seqno (no state file): its routes
 * then carry an older seqno than the network remembers and are unfeasible
 * everywhere. A seqno request raises the originator's seqno by 1 only
 * (RFC 8966 3.8.1.2: never more per request), so a seqno 1000 behind is not
 * caught up that way; the routes come back when the neighbours' source
 * entries (feasibility distances) are collected, 3 minutes after last use
 * (Appendix B). That is why the state file exists. The loop checker runs
 * after every event throughout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "tests/lib/netsim.h"

#define CONVERGE_MS 60000u
#define SETTLE_MS 30000u
#define STEADY_MS 120000u
/* Losing a router: with retractions (orderly exit) or once its neighbours
 * stop hearing its Hellos (2 of the last 3 missed, Hellos every 4 s), plus
 * a periodic update interval (16 s) for a way round that has to be made
 * feasible by a seqno request. */
#define LOSS_MS 45000u
/* Source garbage collection (3 min) plus the time to notice and converge. */
#define SEQNO_LOST_MS 300000u

static char why[512];

#define CONVERGE(sim, limit, label)                                                \
	do {                                                                       \
		if (netsim_converge((sim), (limit), (label), why, sizeof why) < 0) \
			fail_msg("%s", why);                                       \
	} while (0)

#define STEADY(sim, label)                                                              \
	do {                                                                            \
		if (!netsim_steady((sim), SETTLE_MS, STEADY_MS, true, (label), why,     \
				   sizeof why))                                         \
			fail_msg("%s", why);                                            \
	} while (0)

static struct netsim *ring(unsigned n, uint64_t seed)
{
	struct netsim *sim = netsim_new(n, seed);
	assert_non_null(sim);
	assert_int_equal(netsim_build_ring(sim, NULL), 0);
	netsim_announce_all(sim);
	CONVERGE(sim, CONVERGE_MS, "ring");
	STEADY(sim, "ring");
	return sim;
}

/* Nobody holds a route to a stopped node's prefixes once converged:
 * netsim_converged checks it; here also by name. */
static void assert_forgotten(struct netsim *sim, unsigned who)
{
	for (unsigned i = 0; i < netsim_nodes(sim); i++) {
		for (int fam = 4; fam <= 6; fam += 2) {
			struct route_key k;
			netsim_node_prefix(who, fam, &k);
			assert_false(netsim_fib_get(sim, i, &k, NULL, NULL, NULL));
		}
	}
}

static void test_restart_graceful(void **state)
{
	(void)state;
	struct netsim *sim = ring(6, 71);
	uint16_t seqno = netsim_node_seqno(sim, 3);
	netsim_node_stop(sim, 3, true);
	assert_false(netsim_node_running(sim, 3));
	CONVERGE(sim, LOSS_MS, "ring of 6, node 3 exits");
	assert_forgotten(sim, 3);
	STEADY(sim, "ring of 6 without node 3");
	assert_int_equal(netsim_node_start(sim, 3, seqno), 0);
	CONVERGE(sim, CONVERGE_MS, "ring of 6, node 3 back with its seqno");
	STEADY(sim, "ring of 6, node 3 back");
	netsim_print_stats(sim, "graceful restart");
	netsim_free(sim);
}

static void test_restart_power_cut(void **state)
{
	(void)state;
	struct netsim *sim = ring(6, 72);
	uint16_t seqno = netsim_node_seqno(sim, 2);
	netsim_node_stop(sim, 2, false);
	CONVERGE(sim, LOSS_MS, "ring of 6, node 2 loses power");
	assert_forgotten(sim, 2);
	STEADY(sim, "ring of 6 without node 2");
	assert_int_equal(netsim_node_start(sim, 2, seqno), 0);
	CONVERGE(sim, CONVERGE_MS, "ring of 6, node 2 back with its seqno");
	STEADY(sim, "ring of 6, node 2 back");
	netsim_free(sim);
}

/* The state file was lost: the new engine starts with a seqno far behind
 * (by 1000, well inside the half of the seqno space that counts as older)
 * the one the network remembers. DELAY_MS: how long the node stays off. */
static void seqno_lost(uint64_t delay_ms, uint64_t seed)
{
	char label[96];
	struct netsim *sim = ring(7, seed);
	uint16_t seqno = netsim_node_seqno(sim, 4);
	netsim_node_stop(sim, 4, false);
	netsim_run_for(sim, delay_ms);
	assert_int_equal(netsim_node_start(sim, 4, (uint16_t)(seqno - 1000)), 0);
	snprintf(label, sizeof label, "ring of 7, node 4 back after %llu ms with an old seqno",
		 (unsigned long long)delay_ms);
	CONVERGE(sim, SEQNO_LOST_MS, label);
	STEADY(sim, label);
	printf("# seqno before the restart %u, restarted with %u, now %u\n", seqno,
	       (uint16_t)(seqno - 1000), netsim_node_seqno(sim, 4));
	netsim_free(sim);
}

static void test_restart_seqno_lost_quick(void **state)
{
	(void)state;
	seqno_lost(1000, 73); /* back before anyone noticed it was gone */
}

static void test_restart_seqno_lost_slow(void **state)
{
	(void)state;
	seqno_lost(60000, 74); /* after everyone forgot its routes, not its sources */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restart_graceful),
		cmocka_unit_test(test_restart_power_cut),
		cmocka_unit_test(test_restart_seqno_lost_quick),
		cmocka_unit_test(test_restart_seqno_lost_slow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
