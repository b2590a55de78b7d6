/* Determinism: the same seed gives the identical run. The engines draw
 * their jitter from seeded generators and the harness its loss and delays,
 * so two runs of one scenario must send the same bytes at the same
 * simulated times (the trace hash covers time, sender, interface,
 * destination and every byte of every packet) and end with the same
 * counters. A different seed must give a different trace. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tests/lib/netsim.h"

static char why[512];

struct outcome {
	struct netsim_stats st;
	uint64_t fib_hash;
};

/* Hashes every installed route change in order, as a second witness. */
static void on_fib(void *arg, unsigned node, const struct fib_change *c, uint64_t now)
{
	uint64_t *h = arg;
	const uint8_t *bytes[] = { c->key.dst.addr, c->key.src.addr, c->nexthop.a };
	uint64_t words[] = { now, node, (uint64_t)c->op, c->key.dst.plen, c->key.src.plen,
			     c->ifindex, c->metric };
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		*h ^= words[i];
		*h *= 0x100000001b3ull;
	}
	for (size_t i = 0; i < 3; i++) {
		for (size_t j = 0; j < 16; j++) {
			*h ^= bytes[i][j];
			*h *= 0x100000001b3ull;
		}
	}
}

/* A ring of 7 with loss and jitter, a silent cut, a retraction, a
 * carrier-down and restoration: every source of randomness at work. */
static void scenario(uint64_t seed, struct outcome *out)
{
	struct netsim_link_params p;
	netsim_link_params_init(&p, IF_TYPE_WIRED);
	p.loss_permille = 100;
	p.delay_ms = 3;
	p.jitter_ms = 25;
	struct netsim *sim = netsim_new(7, seed);
	assert_non_null(sim);
	struct netsim_hooks hooks = { .on_fib = on_fib };
	out->fib_hash = 0xcbf29ce484222325ull;
	netsim_set_hooks(sim, &hooks, &out->fib_hash);
	assert_int_equal(netsim_build_ring(sim, &p), 0);
	assert_true(netsim_add_link(sim, 0, 3, &p) >= 0);
	netsim_announce_all(sim);
	if (netsim_converge(sim, 180000, "determinism: start", why, sizeof why) < 0)
		fail_msg("%s", why);
	netsim_link_silent(sim, 2);
	netsim_run_for(sim, 30000);
	netsim_announce(sim, 5, false);
	netsim_run_for(sim, 20000);
	netsim_link_down(sim, 6);
	netsim_run_for(sim, 20000);
	netsim_link_restore(sim, 6);
	netsim_link_restore(sim, 2);
	netsim_announce(sim, 5, true);
	if (netsim_converge(sim, 180000, "determinism: end", why, sizeof why) < 0)
		fail_msg("%s", why);
	netsim_run_for(sim, 60000);
	out->st = *netsim_stats(sim);
	netsim_print_stats(sim, "determinism");
	netsim_free(sim);
}

static void test_same_seed_same_trace(void **state)
{
	(void)state;
	struct outcome a, b;
	scenario(77, &a);
	scenario(77, &b);
	assert_true(a.st.packets_sent > 0);
	assert_int_equal(a.st.trace_hash, b.st.trace_hash);
	assert_int_equal(a.fib_hash, b.fib_hash);
	assert_int_equal(a.st.packets_sent, b.st.packets_sent);
	assert_int_equal(a.st.bytes_sent, b.st.bytes_sent);
	assert_int_equal(a.st.deliveries, b.st.deliveries);
	assert_int_equal(a.st.lost, b.st.lost);
	assert_int_equal(a.st.fib_changes, b.st.fib_changes);
	assert_int_equal(a.st.events, b.st.events);
	assert_memory_equal(&a.st, &b.st, sizeof a.st);
}

static void test_other_seed_other_trace(void **state)
{
	(void)state;
	struct outcome a, b;
	scenario(77, &a);
	scenario(78, &b);
	assert_true(a.st.trace_hash != b.st.trace_hash);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_same_trace),
		cmocka_unit_test(test_other_seed_other_trace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
