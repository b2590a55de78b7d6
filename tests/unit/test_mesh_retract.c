/* Retractions: a node stops announcing its prefixes; they must disappear
 * from every node in bounded simulated time, without counting to infinity
 * (no engine may advertise or install the prefix with a metric above the
 * largest it had before the retraction, the farthest node's), and without a
 * forwarding loop at any step. Then the prefix comes back. Line, ring and
 * full mesh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "tests/lib/netsim.h"

#define CONVERGE_MS 60000u
/* A retraction is urgent (RFC 8966 3.7.2) and crosses a lossless hop in
 * milliseconds; 10 s is generous. Waiting for the routes to expire instead
 * (3.5 update intervals: 56 s) is a bug. */
#define RETRACT_MS 10000u
/* After convergence, routes get this long to move to the best paths. */
#define SETTLE_MS 30000u
#define STEADY_MS 60000u

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

enum topo { LINE, RING, FULL };

static struct netsim *build(enum topo t, unsigned n, uint64_t seed, const char *label)
{
	struct netsim *sim = netsim_new(n, seed);
	assert_non_null(sim);
	switch (t) {
	case LINE: assert_int_equal(netsim_build_line(sim, NULL), 0); break;
	case RING: assert_int_equal(netsim_build_ring(sim, NULL), 0); break;
	case FULL: assert_int_equal(netsim_build_full_mesh(sim, NULL), 0); break;
	}
	netsim_announce_all(sim);
	CONVERGE(sim, CONVERGE_MS, label);
	STEADY(sim, label);
	return sim;
}

static uint16_t largest_metric(struct netsim *sim, const struct route_key *key)
{
	uint16_t m, max = 0;
	for (unsigned i = 0; i < netsim_nodes(sim); i++)
		if (netsim_fib_get(sim, i, key, NULL, NULL, &m) && m > max)
			max = m;
	return max;
}

static void retract(enum topo t, unsigned n, unsigned who, uint64_t seed)
{
	static const char *names[] = { "line", "ring", "full mesh" };
	char label[96];
	snprintf(label, sizeof label, "%s of %u", names[t], n);
	struct netsim *sim = build(t, n, seed, label);

	for (int fam = 4; fam <= 6; fam += 2) {
		struct route_key key;
		netsim_node_prefix(who, fam, &key);
		uint16_t before = largest_metric(sim, &key);
		assert_true(before > 0);

		netsim_watch(sim, &key);
		netsim_announce_key(sim, who, &key, false);
		snprintf(label, sizeof label, "%s of %u, node %u retracts its IPv%d prefix",
			 names[t], n, who, fam);
		CONVERGE(sim, RETRACT_MS, label);
		for (unsigned i = 0; i < n; i++)
			assert_false(netsim_fib_get(sim, i, &key, NULL, NULL, NULL));
		struct netsim_watch_result w;
		netsim_watch_result(sim, &w);
		printf("# %s: metric before %u; after: largest advertised %u, installed %u, "
		       "%llu retractions sent\n",
		       label, before, w.max_advertised, w.max_installed,
		       (unsigned long long)w.retractions);
		assert_true(w.max_advertised <= before);
		assert_true(w.max_installed <= before);
		assert_true(w.retractions > 0);
		STEADY(sim, label);

		netsim_announce_key(sim, who, &key, true);
		snprintf(label, sizeof label, "%s of %u, node %u announces IPv%d again",
			 names[t], n, who, fam);
		CONVERGE(sim, CONVERGE_MS, label);
		STEADY(sim, label);
	}
	netsim_print_stats(sim, names[t]);
	netsim_free(sim);
}

static void test_retract_line(void **state)
{
	(void)state;
	retract(LINE, 6, 0, 41);  /* from one end */
	retract(LINE, 7, 3, 42);  /* from the middle */
}

static void test_retract_ring(void **state)
{
	(void)state;
	retract(RING, 5, 0, 43);
	retract(RING, 8, 4, 44);
}

static void test_retract_full(void **state)
{
	(void)state;
	retract(FULL, 6, 2, 45);
}

/* Every node retracts everything at once, then announces again. */
static void test_retract_all(void **state)
{
	(void)state;
	struct netsim *sim = build(RING, 6, 46, "ring of 6");
	for (unsigned i = 0; i < 6; i++)
		netsim_announce(sim, i, false);
	CONVERGE(sim, RETRACT_MS, "ring of 6, everything retracted");
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(netsim_fib_count(sim, i), 0);
	netsim_announce_all(sim);
	CONVERGE(sim, CONVERGE_MS, "ring of 6, everything back");
	STEADY(sim, "ring of 6, everything back");
	netsim_free(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retract_line),
		cmocka_unit_test(test_retract_ring),
		cmocka_unit_test(test_retract_full),
		cmocka_unit_test(test_retract_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
