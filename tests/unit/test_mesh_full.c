/* Full meshes: every pair joined by its own point-to-point link, or every
 * node on one shared segment (several engines on one interface, multicast
 * reaching them all), and a mix of segments bridged by a router. Each
 * converges with one-hop routes where one hop is possible; the loop checker
 * runs after every event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "tests/lib/netsim.h"

#define CONVERGE_MS 60000u
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

/* Every node reaches every other node's prefixes in exactly one hop. */
static void assert_one_hop(struct netsim *sim)
{
	unsigned n = netsim_nodes(sim);
	for (unsigned from = 0; from < n; from++) {
		for (unsigned to = 0; to < n; to++) {
			struct route_key k;
			unsigned hops, end;
			if (from == to)
				continue;
			for (int fam = 4; fam <= 6; fam += 2) {
				netsim_node_prefix(to, fam, &k);
				assert_int_equal(netsim_walk(sim, from, &k, &hops, &end),
						 NETSIM_REACHED);
				assert_int_equal(end, to);
				assert_int_equal(hops, 1);
			}
		}
	}
}

static void test_full_mesh_p2p(void **state)
{
	(void)state;
	for (unsigned n = 3; n <= 10; n++) {
		char label[64];
		struct netsim *sim = netsim_new(n, 200 + n);
		assert_non_null(sim);
		assert_int_equal(netsim_build_full_mesh(sim, NULL), 0);
		netsim_announce_all(sim);
		snprintf(label, sizeof label, "full mesh of %u (p2p)", n);
		CONVERGE(sim, CONVERGE_MS, label);
		STEADY(sim, label);
		assert_one_hop(sim);
		netsim_print_stats(sim, label);
		netsim_free(sim);
	}
}

static void test_full_mesh_segment(void **state)
{
	(void)state;
	unsigned nodes[10];
	for (unsigned i = 0; i < 10; i++)
		nodes[i] = i;
	for (unsigned n = 3; n <= 10; n++) {
		char label[64];
		struct netsim *sim = netsim_new(n, 300 + n);
		assert_non_null(sim);
		assert_true(netsim_add_segment(sim, nodes, n, NULL) >= 0);
		netsim_announce_all(sim);
		snprintf(label, sizeof label, "one segment of %u", n);
		CONVERGE(sim, CONVERGE_MS, label);
		STEADY(sim, label);
		assert_one_hop(sim);
		netsim_print_stats(sim, label);
		netsim_free(sim);
	}
}

/* The same segment with wireless interfaces (ETX costs, split horizon off
 * by default on a shared medium). */
static void test_segment_wireless(void **state)
{
	(void)state;
	unsigned nodes[6] = { 0, 1, 2, 3, 4, 5 };
	struct netsim_link_params p;
	netsim_link_params_init(&p, IF_TYPE_WIRELESS);
	struct netsim *sim = netsim_new(6, 400);
	assert_non_null(sim);
	assert_true(netsim_add_segment(sim, nodes, 6, &p) >= 0);
	netsim_announce_all(sim);
	CONVERGE(sim, CONVERGE_MS, "wireless segment of 6");
	STEADY(sim, "wireless segment of 6");
	assert_one_hop(sim);
	netsim_free(sim);
}

/* Two segments {0,1,2,3} and {3,4,5,6} sharing router 3, plus a p2p
 * shortcut 0 - 6: several paths of different lengths, all of which must
 * settle on the shortest. Then the first segment goes silent (1 and 2 are
 * cut off, 0 reaches the rest through the shortcut), and the shortcut loses
 * its carrier. (A segment losing its carrier is in test_mesh_regressions.c,
 * bug 5.) */
static void test_bridged_segments(void **state)
{
	(void)state;
	unsigned a[4] = { 0, 1, 2, 3 }, b[4] = { 3, 4, 5, 6 };
	struct netsim *sim = netsim_new(7, 500);
	assert_non_null(sim);
	int sa = netsim_add_segment(sim, a, 4, NULL);
	assert_true(sa >= 0);
	assert_true(netsim_add_segment(sim, b, 4, NULL) >= 0);
	int sc = netsim_add_link(sim, 0, 6, NULL);
	assert_true(sc >= 0);
	netsim_announce_all(sim);
	CONVERGE(sim, CONVERGE_MS, "two segments and a shortcut");
	STEADY(sim, "two segments and a shortcut");

	netsim_link_silent(sim, sa);
	CONVERGE(sim, CONVERGE_MS, "first segment silent");
	STEADY(sim, "first segment silent");
	netsim_link_down(sim, sc);
	CONVERGE(sim, CONVERGE_MS, "and the shortcut down");
	STEADY(sim, "and the shortcut down");
	netsim_link_restore(sim, sa);
	netsim_link_restore(sim, sc);
	CONVERGE(sim, CONVERGE_MS, "all back");
	STEADY(sim, "all back");
	netsim_print_stats(sim, "bridged segments");
	netsim_free(sim);
}

/* A 4 x 4 grid of 16 engines: many paths of equal length, cycles
 * everywhere; then a link in the middle breaks and comes back. (How much
 * a larger grid sends while it forms is in test_mesh_regressions.c, bug 6.) */
static void test_grid(void **state)
{
	(void)state;
	const unsigned rows = 4, cols = 4, n = rows * cols;
	struct netsim *sim = netsim_new(n, 9);
	int middle = -1;
	assert_non_null(sim);
	for (unsigned i = 0; i < n; i++) {
		if (i % cols + 1 < cols) {
			int l = netsim_add_link(sim, i, i + 1, NULL);
			assert_true(l >= 0);
			if (i == cols + 1)
				middle = l;
		}
		if (i + cols < n)
			assert_true(netsim_add_link(sim, i, i + cols, NULL) >= 0);
	}
	netsim_announce_all(sim);
	CONVERGE(sim, CONVERGE_MS, "grid of 4 x 4");
	STEADY(sim, "grid of 4 x 4");
	netsim_link_down(sim, middle);
	CONVERGE(sim, CONVERGE_MS, "grid of 4 x 4, a middle link down");
	STEADY(sim, "grid of 4 x 4, a middle link down");
	netsim_link_restore(sim, middle);
	CONVERGE(sim, CONVERGE_MS, "grid of 4 x 4, the link back");
	STEADY(sim, "grid of 4 x 4, the link back");
	netsim_print_stats(sim, "grid");
	netsim_free(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_mesh_p2p),
		cmocka_unit_test(test_full_mesh_segment),
		cmocka_unit_test(test_segment_wireless),
		cmocka_unit_test(test_bridged_segments),
		cmocka_unit_test(test_grid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
