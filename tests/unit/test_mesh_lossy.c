/* Lossy and slow links: 10 to 20% loss on every link, delays of tens of ms
 * with jitter (so packets overtake one another). The mesh must still
 * converge in bounded simulated time, reroute around a broken link, and
 * never form a forwarding loop while link costs move with the loss. Paths
 * need not be the shortest in hops here: lossy links cost more. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "tests/lib/netsim.h"

#define CONVERGE_MS 180000u
#define LONG_RUN_MS 600000u

static char why[512];

#define CONVERGE(sim, limit, label)                                                \
	do {                                                                       \
		if (netsim_converge((sim), (limit), (label), why, sizeof why) < 0) \
			fail_msg("%s", why);                                       \
	} while (0)

static void assert_clean(struct netsim *sim)
{
	if (!netsim_clean(sim, why, sizeof why))
		fail_msg("%s", why);
}

static void lossy_params(struct netsim_link_params *p, enum if_type type, uint32_t loss,
			 uint32_t delay, uint32_t jitter)
{
	netsim_link_params_init(p, type);
	p->loss_permille = loss;
	p->delay_ms = delay;
	p->jitter_ms = jitter;
}

/* Runs long with the loss going on: loops are checked throughout; at the
 * end the mesh must (again) be converged within the bound. */
static void long_run(struct netsim *sim, const char *label)
{
	char l[128];
	netsim_run_for(sim, LONG_RUN_MS);
	assert_clean(sim);
	snprintf(l, sizeof l, "%s, after 10 min of loss", label);
	CONVERGE(sim, CONVERGE_MS, l);
}

static void test_lossy_ring(void **state)
{
	(void)state;
	struct netsim_link_params p;
	lossy_params(&p, IF_TYPE_WIRED, 100, 10, 20);
	struct netsim *sim = netsim_new(8, 61);
	assert_non_null(sim);
	assert_int_equal(netsim_build_ring(sim, &p), 0);
	netsim_announce_all(sim);
	CONVERGE(sim, CONVERGE_MS, "ring of 8, 10% loss, 10-30 ms");
	long_run(sim, "ring of 8, 10% loss");

	/* Break one link: everything still reachable the other way. */
	netsim_link_down(sim, 3);
	CONVERGE(sim, CONVERGE_MS, "ring of 8, 10% loss, link 3-4 down");
	netsim_link_restore(sim, 3);
	CONVERGE(sim, CONVERGE_MS, "ring of 8, 10% loss, link 3-4 back");
	netsim_print_stats(sim, "lossy ring");
	netsim_free(sim);
}

static void test_lossy_full_mesh(void **state)
{
	(void)state;
	struct netsim_link_params p;
	lossy_params(&p, IF_TYPE_WIRED, 200, 20, 30);
	struct netsim *sim = netsim_new(6, 62);
	assert_non_null(sim);
	assert_int_equal(netsim_build_full_mesh(sim, &p), 0);
	netsim_announce_all(sim);
	CONVERGE(sim, CONVERGE_MS, "full mesh of 6, 20% loss, 20-50 ms");
	long_run(sim, "full mesh of 6, 20% loss");
	netsim_print_stats(sim, "lossy full mesh");
	netsim_free(sim);
}

/* A wireless segment of 8 with 15% loss and a lossless wired line
 * alongside: ETX costs on the air, the wired path preferred where it
 * exists. */
static void test_lossy_wireless(void **state)
{
	(void)state;
	struct netsim_link_params air, wire;
	unsigned nodes[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	lossy_params(&air, IF_TYPE_WIRELESS, 150, 5, 10);
	netsim_link_params_init(&wire, IF_TYPE_WIRED);
	struct netsim *sim = netsim_new(8, 63);
	assert_non_null(sim);
	int seg = netsim_add_segment(sim, nodes, 8, &air);
	assert_true(seg >= 0);
	for (unsigned i = 0; i + 1 < 4; i++)
		assert_true(netsim_add_link(sim, i, i + 1, &wire) >= 0);
	netsim_announce_all(sim);
	CONVERGE(sim, CONVERGE_MS, "wireless segment of 8, 15% loss, plus a wired line");
	long_run(sim, "wireless segment of 8");
	/* The air goes silent: only the wired nodes 0..3 still reach each other. */
	netsim_link_silent(sim, seg);
	CONVERGE(sim, CONVERGE_MS, "wireless segment silent");
	netsim_link_restore(sim, seg);
	CONVERGE(sim, CONVERGE_MS, "wireless segment back");
	netsim_print_stats(sim, "lossy wireless");
	netsim_free(sim);
}

/* Many random seeds of a small lossy ring with a cut: loops must never
 * appear whatever the order of events. */
static void test_lossy_seeds(void **state)
{
	(void)state;
	struct netsim_link_params p;
	lossy_params(&p, IF_TYPE_WIRED, 150, 5, 40);
	for (uint64_t seed = 1000; seed < 1012; seed++) {
		char label[64];
		struct netsim *sim = netsim_new(5, seed);
		assert_non_null(sim);
		assert_int_equal(netsim_build_ring(sim, &p), 0);
		netsim_announce_all(sim);
		snprintf(label, sizeof label, "seed %llu", (unsigned long long)seed);
		CONVERGE(sim, CONVERGE_MS, label);
		netsim_link_silent(sim, (int)(seed % 5));
		CONVERGE(sim, CONVERGE_MS, label);
		netsim_announce(sim, (unsigned)(seed % 3), false);
		CONVERGE(sim, CONVERGE_MS, label);
		netsim_link_restore(sim, (int)(seed % 5));
		netsim_announce(sim, (unsigned)(seed % 3), true);
		CONVERGE(sim, CONVERGE_MS, label);
		netsim_free(sim);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lossy_ring),
		cmocka_unit_test(test_lossy_full_mesh),
		cmocka_unit_test(test_lossy_wireless),
		cmocka_unit_test(test_lossy_seeds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
