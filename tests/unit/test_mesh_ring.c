/* Engines in a ring (0 - 1 - ... - N-1 - 0): convergence on shortest paths
 * for 3 to 10 nodes, and rerouting when a link breaks (carrier down or
 * silently dead) and back when it returns. The loop checker runs after
 * every event; a ring is where a careless distance vector loops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "tests/lib/netsim.h"

/* Bounds in simulated ms (see test_mesh_line.c for the reasoning). After a
 * break, the way round the ring is longer than the FD the nodes near the
 * break hold, so it is unfeasible until a seqno request makes the
 * destination raise its seqno; the node that lost its route sends that
 * request at once (RFC 8966 3.8.2.1). Measured: carrier down, at most 122 ms
 * (ring of 10); silent, at most 9.7 s (the dead neighbour has to be noticed
 * first: missed Hellos at 4 s). The bounds are about 3 times that. */
#define CONVERGE_MS 60000u
#define REROUTE_MS 400u           /* carrier down: the neighbour goes at once */
#define SILENT_REROUTE_MS 30000u  /* silent: it has to be noticed dead first */
/* After convergence, routes get this long to move to the best paths. */
#define SETTLE_MS 30000u
#define STEADY_MS 120000u

static char why[512];

#define CONVERGE(sim, limit, label)                                                \
	do {                                                                       \
		if (netsim_converge((sim), (limit), (label), why, sizeof why) < 0) \
			fail_msg("%s", why);                                       \
	} while (0)

#define STEADY(sim, label)                                                            \
	do {                                                                          \
		if (!netsim_steady((sim), SETTLE_MS, STEADY_MS, true, (label), why, sizeof why)) \
			fail_msg("%s", why);                                          \
	} while (0)

static struct netsim *ring(unsigned n, uint64_t seed)
{
	char label[64];
	struct netsim *sim = netsim_new(n, seed);
	assert_non_null(sim);
	assert_int_equal(netsim_build_ring(sim, NULL), 0);
	netsim_announce_all(sim);
	snprintf(label, sizeof label, "ring of %u", n);
	CONVERGE(sim, CONVERGE_MS, label);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(netsim_fib_count(sim, i), 2 * (n - 1));
	STEADY(sim, label);
	return sim;
}

static void test_ring_sizes(void **state)
{
	(void)state;
	for (unsigned n = 3; n <= 10; n++) {
		char label[64];
		struct netsim *sim = ring(n, 100 + n);
		snprintf(label, sizeof label, "ring of %u", n);
		netsim_print_stats(sim, label);
		netsim_free(sim);
	}
}

/* Breaks link 0 (between nodes 0 and 1): 0 and 1 now reach each other the
 * long way round, through every other node. */
static void reroute(unsigned n, bool silent, uint64_t seed)
{
	char label[96];
	const char *how = silent ? "silent" : "carrier down";
	struct netsim *sim = ring(n, seed);
	struct route_key k1;
	unsigned hops;

	netsim_node_prefix(1, 6, &k1);
	assert_int_equal(netsim_walk(sim, 0, &k1, &hops, NULL), NETSIM_REACHED);
	assert_int_equal(hops, 1);

	if (silent)
		netsim_link_silent(sim, 0);
	else
		netsim_link_down(sim, 0);
	snprintf(label, sizeof label, "ring of %u, link 0-1 broken (%s)", n, how);
	CONVERGE(sim, silent ? SILENT_REROUTE_MS : REROUTE_MS, label);
	STEADY(sim, label);
	assert_int_equal(netsim_walk(sim, 0, &k1, &hops, NULL), NETSIM_REACHED);
	assert_int_equal(hops, n - 1);

	netsim_link_restore(sim, 0);
	snprintf(label, sizeof label, "ring of %u, link 0-1 back (%s)", n, how);
	CONVERGE(sim, CONVERGE_MS, label);
	/* Converged only says "reachable"; the short way must come back too,
	 * once the new neighbour's cost is known and the routes compared. */
	STEADY(sim, label);
	assert_int_equal(netsim_walk(sim, 0, &k1, &hops, NULL), NETSIM_REACHED);
	assert_int_equal(hops, 1);
	netsim_print_stats(sim, label);
	netsim_free(sim);
}

static void test_ring_reroute_carrier(void **state)
{
	(void)state;
	reroute(4, false, 11);
	reroute(7, false, 12);
	reroute(10, false, 13);
}

static void test_ring_reroute_silent(void **state)
{
	(void)state;
	reroute(4, true, 21);
	reroute(7, true, 22);
	reroute(10, true, 23);
}

/* Two breaks at once isolate node 0 in a ring: the classic setting for
 * counting to infinity (each side could believe the other still reaches
 * it). Its prefix must vanish everywhere, metrics never above what they
 * were, and come back when one link returns. */
static void test_ring_isolate(void **state)
{
	(void)state;
	const unsigned n = 8;
	struct netsim *sim = ring(n, 31);
	struct route_key key;
	uint16_t m, before = 0;

	netsim_node_prefix(0, 4, &key);
	for (unsigned i = 1; i < n; i++) {
		assert_true(netsim_fib_get(sim, i, &key, NULL, NULL, &m));
		if (m > before)
			before = m;
	}
	netsim_watch(sim, &key);
	netsim_link_silent(sim, 0);           /* 0 - 1 */
	netsim_link_silent(sim, (int)n - 1);  /* 7 - 0 */
	CONVERGE(sim, SILENT_REROUTE_MS, "ring of 8, node 0 isolated");
	for (unsigned i = 1; i < n; i++)
		assert_false(netsim_fib_get(sim, i, &key, NULL, NULL, NULL));

	struct netsim_watch_result w;
	netsim_watch_result(sim, &w);
	printf("# isolated node 0: metric before %u, after: largest advertised %u, installed %u\n",
	       before, w.max_advertised, w.max_installed);
	assert_true(w.max_advertised <= before);
	assert_true(w.max_installed <= before);

	netsim_link_restore(sim, (int)n - 1);
	CONVERGE(sim, CONVERGE_MS, "ring of 8, node 0 back through 7");
	STEADY(sim, "ring of 8, node 0 back through 7");
	netsim_link_restore(sim, 0);
	CONVERGE(sim, CONVERGE_MS, "ring of 8 whole again");
	STEADY(sim, "ring of 8 whole again");
	netsim_free(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_sizes),
		cmocka_unit_test(test_ring_reroute_carrier),
		cmocka_unit_test(test_ring_reroute_silent),
		cmocka_unit_test(test_ring_isolate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
