/* Engines in a line (0 - 1 - ... - N-1) on the simulated network:
 * convergence in bounded simulated time, shortest paths, a quiet steady
 * state, a node joining late, and partitions (carrier down and silent) that
 * must remove the unreachable routes without counting to infinity. The
 * loop checker runs after every event throughout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "tests/lib/netsim.h"

/* Bounds in simulated ms, generous but far below what a broken engine
 * takes. From cold: two Hellos (4 s apart on wired links) make a neighbour,
 * then triggered updates cross a hop in milliseconds; 60 s allows several
 * full update intervals on top. */
#define CONVERGE_MS 60000u
/* After convergence, routes get this long to move to the best paths. */
#define SETTLE_MS 30000u
#define STEADY_MS 120000u
/* Carrier down: the engines on the link drop the neighbour at once and
 * must retract what they learned through it (urgent, RFC 8966 3.7.2); a
 * few hops of triggered retractions take milliseconds. Waiting for routes
 * to expire instead (3.5 update intervals, 56 s) is a bug. */
#define CUT_MS 10000u
/* Silent: the neighbour must first be noticed dead from missing Hellos
 * (2 of the last 3 on wired links, Hellos every 4 s) and its routes lost. */
#define SILENT_CUT_MS 30000u

static char why[512];

#define CONVERGE(sim, limit, label)                                                \
	do {                                                                       \
		if (netsim_converge((sim), (limit), (label), why, sizeof why) < 0) \
			fail_msg("%s", why);                                       \
	} while (0)

#define STEADY(sim, label)                                                              \
	do {                                                                            \
		if (!netsim_steady((sim), SETTLE_MS, STEADY_MS, true, (label), why, sizeof why))   \
			fail_msg("%s", why);                                            \
	} while (0)

static void line(unsigned n, uint64_t seed)
{
	char label[64];
	snprintf(label, sizeof label, "line of %u", n);
	struct netsim *sim = netsim_new(n, seed);
	assert_non_null(sim);
	assert_int_equal(netsim_build_line(sim, NULL), 0);
	netsim_announce_all(sim);
	CONVERGE(sim, CONVERGE_MS, label);
	/* Every node holds a route to the 2 (n - 1) prefixes of the others. */
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(netsim_fib_count(sim, i), 2 * (n - 1));
	STEADY(sim, label);
	netsim_print_stats(sim, label);
	netsim_free(sim);
}

static void test_line_3(void **state)
{
	(void)state;
	line(3, 1);
}

static void test_line_5(void **state)
{
	(void)state;
	line(5, 2);
}

static void test_line_10(void **state)
{
	(void)state;
	line(10, 3);
}

/* Announcing after the neighbours are up, and a node joining a converged
 * network at one end. */
static void test_line_late_join(void **state)
{
	(void)state;
	struct netsim *sim = netsim_new(6, 4);
	assert_non_null(sim);
	for (unsigned i = 0; i + 1 < 5; i++)
		assert_true(netsim_add_link(sim, i, i + 1, NULL) >= 0);
	netsim_run_for(sim, 20000); /* neighbours first, no prefixes yet */
	for (unsigned i = 0; i < 5; i++)
		netsim_announce(sim, i, true);
	CONVERGE(sim, CONVERGE_MS, "line of 5, announced late");
	/* Node 5 is alone and announces: nobody can reach it, and converged
	 * means nobody has a route to it. */
	netsim_announce(sim, 5, true);
	CONVERGE(sim, CONVERGE_MS, "line of 5 with an isolated node");
	assert_true(netsim_add_link(sim, 4, 5, NULL) >= 0);
	CONVERGE(sim, CONVERGE_MS, "node 5 joined");
	STEADY(sim, "line of 6 after the join");
	netsim_free(sim);
}

/* Cuts the line between K and K+1 (carrier down or silently): the nodes on
 * each side must drop the other side's prefixes in bounded time, with the
 * metric of a far prefix never rising above what it was (no counting to
 * infinity); then the link comes back. */
static void partition(bool silent, uint64_t seed)
{
	const unsigned n = 6, k = 2;
	const char *how = silent ? "silent cut" : "carrier down";
	char label[96];
	struct netsim *sim = netsim_new(n, seed);
	assert_non_null(sim);
	assert_int_equal(netsim_build_line(sim, NULL), 0);
	netsim_announce_all(sim);
	CONVERGE(sim, CONVERGE_MS, "line of 6");
	STEADY(sim, "line of 6");

	/* Node 0's IPv6 prefix as seen from the far end. */
	struct route_key key;
	uint16_t far_metric = 0, m;
	netsim_node_prefix(0, 6, &key);
	for (unsigned i = 1; i < n; i++) {
		assert_true(netsim_fib_get(sim, i, &key, NULL, NULL, &m));
		if (m > far_metric)
			far_metric = m;
	}
	assert_true(far_metric > 0);
	netsim_watch(sim, &key);

	int link = (int)k; /* line link i joins i and i+1 */
	if (silent)
		netsim_link_silent(sim, link);
	else
		netsim_link_down(sim, link);
	snprintf(label, sizeof label, "line of 6 cut between 2 and 3 (%s)", how);
	CONVERGE(sim, silent ? SILENT_CUT_MS : CUT_MS, label);
	for (unsigned i = k + 1; i < n; i++)
		assert_false(netsim_fib_get(sim, i, &key, NULL, NULL, NULL));

	struct netsim_watch_result w;
	netsim_watch_result(sim, &w);
	printf("# %s: node 0's prefix before the cut: largest metric %u; after: largest "
	       "advertised %u, largest installed %u, %llu retractions\n",
	       how, far_metric, w.max_advertised, w.max_installed,
	       (unsigned long long)w.retractions);
	assert_true(w.max_advertised <= far_metric);
	assert_true(w.max_installed <= far_metric);

	netsim_link_restore(sim, link);
	snprintf(label, sizeof label, "line of 6 restored (%s)", how);
	CONVERGE(sim, CONVERGE_MS, label);
	STEADY(sim, label);
	netsim_free(sim);
}

static void test_line_partition_carrier(void **state)
{
	(void)state;
	partition(false, 5);
}

static void test_line_partition_silent(void **state)
{
	(void)state;
	partition(true, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_3),
		cmocka_unit_test(test_line_5),
		cmocka_unit_test(test_line_10),
		cmocka_unit_test(test_line_late_join),
		cmocka_unit_test(test_line_partition_carrier),
		cmocka_unit_test(test_line_partition_silent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
