/* Configuration changes applied in place (reload): a line of three engines
 * on the fake clock, 0 - 1 - 2, converged; then one change at a time.
 *
 * Each change must do what it says and nothing else: the kernel routes it
 * concerns change (checked through every node's route_change calls), no
 * other route is touched anywhere, and no neighbour is dropped (the
 * neighbours' ids stay: ids are never reused, so a neighbour dropped and
 * heard again would have a new one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "src/core/filter.h"
#include "tests/lib/netsim.h"

#define MAX_FIB 256

struct fib_seen {
	unsigned node;
	enum fib_op op;
	struct route_key key;
};

static struct {
	struct netsim *sim;
	struct fib_seen fib[MAX_FIB];
	size_t nfib;
	uint64_t sent[3];
} T;

static void on_fib(void *arg, unsigned node, const struct fib_change *c, uint64_t now)
{
	(void)arg;
	(void)now;
	if (T.nfib < MAX_FIB)
		T.fib[T.nfib++] = (struct fib_seen){ node, c->op, c->key };
}

static void on_send(void *arg, unsigned node, uint32_t ifindex, const struct link_addr *to,
		    const uint8_t *buf, size_t len, uint64_t now)
{
	(void)arg, (void)ifindex, (void)to, (void)buf, (void)len, (void)now;
	if (node < 3)
		T.sent[node]++;
}

static void params(struct netsim_link_params *p)
{
	netsim_link_params_init(p, IF_TYPE_WIRED);
	p->ifc.hello_interval_ms = 1000;
	p->ifc.update_interval_ms = 4000;
}

static int setup(void **state)
{
	(void)state;
	memset(&T, 0, sizeof T);
	T.sim = netsim_new(3, 42);
	assert_non_null(T.sim);
	struct netsim_link_params p;
	params(&p);
	assert_int_equal(netsim_build_line(T.sim, &p), 0);
	netsim_announce_all(T.sim);
	assert_true(netsim_run_until_converged(T.sim, 60000) >= 0);
	netsim_run_for(T.sim, 10000); /* settled: smoothing, first full updates */
	static const struct netsim_hooks hooks = { on_send, on_fib };
	netsim_set_hooks(T.sim, &hooks, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	netsim_free(T.sim);
	T.sim = NULL;
	return 0;
}

/* ---- helpers */

struct ids {
	uint64_t v[8];
	size_t n;
};

static void collect_id(void *arg, const struct engine_neighbour_info *n)
{
	struct ids *ids = arg;
	if (ids->n < 8)
		ids->v[ids->n++] = n->id;
}

static struct ids neighbour_ids(unsigned node)
{
	struct ids ids = { 0 };
	engine_foreach_neighbour(netsim_engine(T.sim, node), netsim_now(T.sim), collect_id, &ids);
	return ids;
}

static void assert_same_neighbours(const struct ids *a, const struct ids *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		assert_int_equal(a->v[i], b->v[i]);
}

/* How many route changes were seen, and how many of them were not of
 * (NODE, OP, KEY) (any of the listed). */
struct expect {
	unsigned node;
	enum fib_op op;
	const struct route_key *key;
};

static size_t unexpected_fib(const struct expect *want, size_t n)
{
	size_t bad = 0;
	for (size_t i = 0; i < T.nfib; i++) {
		bool ok = false;
		for (size_t j = 0; j < n && !ok; j++)
			ok = T.fib[i].node == want[j].node && T.fib[i].op == want[j].op &&
			     route_key_equal(&T.fib[i].key, want[j].key);
		if (!ok) {
			char k[ROUTE_KEY_STRLEN];
			route_key_format(&T.fib[i].key, k, sizeof k);
			print_message("# unexpected route change at node %u: op %d %s\n",
				      T.fib[i].node, T.fib[i].op, k);
			bad++;
		}
	}
	return bad;
}

static size_t count_fib(unsigned node, enum fib_op op, const struct route_key *key)
{
	size_t n = 0;
	for (size_t i = 0; i < T.nfib; i++)
		n += T.fib[i].node == node && T.fib[i].op == op &&
		     route_key_equal(&T.fib[i].key, key);
	return n;
}

static void rule_for(struct filter_rule *r, const struct route_key *k, enum filter_action a)
{
	filter_rule_init(r);
	r->has_prefix = true;
	r->prefix = k->dst;
	r->action = a;
}

static int set_filters(unsigned node, const struct filter_set *fs)
{
	return engine_set_filters(netsim_engine(T.sim, node), fs, netsim_now(T.sim));
}

/* ---- the tests */

static void interval_change_keeps_everything(void **state)
{
	(void)state;
	struct ids before = neighbour_ids(1);
	assert_int_equal(before.n, 2);
	/* Node 1 sends for 30 s at a 1 s Hello interval ... */
	T.sent[1] = 0;
	netsim_run_for(T.sim, 30000);
	uint64_t at_1s = T.sent[1];
	/* ... then both its interfaces go to 250 ms in place. */
	struct engine *e = netsim_engine(T.sim, 1);
	for (int link = 0; link < 2; link++) {
		struct netsim_link_params p;
		params(&p);
		p.ifc.hello_interval_ms = 250;
		char name[24];
		uint32_t ifindex = netsim_link_ifindex(T.sim, link, 1);
		snprintf(name, sizeof name, "sim%u", (unsigned)ifindex);
		assert_int_equal(engine_interface_up(e, ifindex, name, &p.ifc,
						     netsim_link_addr(T.sim, link, 1),
						     netsim_now(T.sim)),
				 0);
	}
	T.nfib = 0;
	T.sent[1] = 0;
	netsim_run_for(T.sim, 30000);
	assert_true(T.sent[1] > 2 * at_1s); /* Hellos four times as often */
	struct ids after = neighbour_ids(1);
	assert_same_neighbours(&before, &after);
	struct ids n0a = neighbour_ids(0);
	assert_int_equal(n0a.n, 1);
	assert_int_equal(unexpected_fib(NULL, 0), 0);
	char why[256] = "";
	assert_true(netsim_converged(T.sim, why, sizeof why));
}

static void out_filter_withdraws_only_its_prefix(void **state)
{
	(void)state;
	struct route_key k2;
	netsim_node_prefix(2, 4, &k2); /* 10.255.0.3/32, node 2's */
	struct ids n0 = neighbour_ids(0), n1 = neighbour_ids(1);
	struct filter_set fs = { 0 };
	struct filter_rule r;
	rule_for(&r, &k2, FILTER_DENY);
	assert_int_equal(filter_set_add(&fs, FILTER_OUT, &r), 0);
	T.nfib = 0;
	assert_int_equal(set_filters(1, &fs), 1 << FILTER_OUT);
	netsim_run_for(T.sim, 5000);
	struct expect gone[] = { { 0, FIB_REMOVE, &k2 } };
	assert_int_equal(count_fib(0, FIB_REMOVE, &k2), 1);
	assert_int_equal(unexpected_fib(gone, 1), 0);
	/* The same rules again change nothing at all. */
	T.nfib = 0;
	assert_int_equal(set_filters(1, &fs), 0);
	netsim_run_for(T.sim, 5000);
	assert_int_equal(T.nfib, 0);
	/* Without the rule, it comes back, and only it. */
	filter_set_free(&fs);
	T.nfib = 0;
	assert_int_equal(set_filters(1, NULL), 1 << FILTER_OUT);
	netsim_run_for(T.sim, 5000);
	struct expect back[] = { { 0, FIB_ADD, &k2 } };
	assert_int_equal(count_fib(0, FIB_ADD, &k2), 1);
	assert_int_equal(unexpected_fib(back, 1), 0);
	struct ids n0b = neighbour_ids(0), n1b = neighbour_ids(1);
	assert_same_neighbours(&n0, &n0b);
	assert_same_neighbours(&n1, &n1b);
}

static void in_filter_refuses_and_brings_back(void **state)
{
	(void)state;
	struct route_key k2;
	netsim_node_prefix(2, 6, &k2); /* node 2's /128 */
	struct filter_set fs = { 0 };
	struct filter_rule r;
	rule_for(&r, &k2, FILTER_DENY);
	assert_int_equal(filter_set_add(&fs, FILTER_IN, &r), 0);
	T.nfib = 0;
	assert_int_equal(set_filters(0, &fs), 1 << FILTER_IN);
	netsim_run_for(T.sim, 5000);
	struct expect gone[] = { { 0, FIB_REMOVE, &k2 } };
	assert_int_equal(count_fib(0, FIB_REMOVE, &k2), 1);
	assert_int_equal(unexpected_fib(gone, 1), 0);
	/* Allowed again: node 0 asks its neighbour for its table and gets it
	 * back well before the next periodic update (4 s here) would. */
	filter_set_free(&fs);
	T.nfib = 0;
	assert_int_equal(set_filters(0, NULL), 1 << FILTER_IN);
	netsim_run_for(T.sim, 1000);
	struct expect back[] = { { 0, FIB_ADD, &k2 } };
	assert_int_equal(count_fib(0, FIB_ADD, &k2), 1);
	assert_int_equal(unexpected_fib(back, 1), 0);
}

struct find {
	const struct route_key *k;
	uint16_t metric;
};

static void find_selected(void *arg, const struct engine_route_info *ri)
{
	struct find *f = arg;
	if (ri->selected && route_key_equal(&ri->key, f->k))
		f->metric = ri->metric;
}

static void in_filter_metric_raises_metric_only(void **state)
{
	(void)state;
	struct route_key k2;
	netsim_node_prefix(2, 4, &k2);
	struct filter_set fs = { 0 };
	struct filter_rule r;
	rule_for(&r, &k2, FILTER_METRIC);
	r.metric = 512;
	assert_int_equal(filter_set_add(&fs, FILTER_IN, &r), 0);
	T.nfib = 0;
	assert_int_equal(set_filters(0, &fs), 1 << FILTER_IN);
	netsim_run_for(T.sim, 5000);
	filter_set_free(&fs);
	/* The only way stays the way: the kernel hears nothing. */
	assert_int_equal(T.nfib, 0);
	/* The metric shows in the route table view. */
	struct find f = { &k2, 0 };
	engine_foreach_route(netsim_engine(T.sim, 0), netsim_now(T.sim), find_selected, &f);
	assert_true(f.metric >= 512 + 2 * 96);
}

static void install_filter_keeps_it_out_of_the_kernel(void **state)
{
	(void)state;
	struct route_key k2;
	netsim_node_prefix(2, 6, &k2);
	struct filter_set fs = { 0 };
	struct filter_rule r;
	rule_for(&r, &k2, FILTER_DENY);
	assert_int_equal(filter_set_add(&fs, FILTER_INSTALL, &r), 0);
	T.nfib = 0;
	assert_int_equal(set_filters(1, &fs), 1 << FILTER_INSTALL);
	netsim_run_for(T.sim, 5000);
	filter_set_free(&fs);
	/* Node 1 removes it from its kernel and nothing else changes: it
	 * still has the route, and still announces it to node 0. */
	struct expect gone[] = { { 1, FIB_REMOVE, &k2 } };
	assert_int_equal(count_fib(1, FIB_REMOVE, &k2), 1);
	assert_int_equal(unexpected_fib(gone, 1), 0);
	T.nfib = 0;
	assert_int_equal(set_filters(1, NULL), 1 << FILTER_INSTALL);
	netsim_run_for(T.sim, 1000);
	struct expect back[] = { { 1, FIB_ADD, &k2 } };
	assert_int_equal(count_fib(1, FIB_ADD, &k2), 1);
	assert_int_equal(unexpected_fib(back, 1), 0);
}

static void redistribute_filter_withdraws_and_replay_restores(void **state)
{
	(void)state;
	struct route_key k2;
	netsim_node_prefix(2, 4, &k2);
	struct filter_set fs = { 0 };
	struct filter_rule r;
	rule_for(&r, &k2, FILTER_DENY);
	assert_int_equal(filter_set_add(&fs, FILTER_REDISTRIBUTE, &r), 0);
	T.nfib = 0;
	assert_int_equal(set_filters(2, &fs), 1 << FILTER_REDISTRIBUTE);
	netsim_run_for(T.sim, 5000);
	filter_set_free(&fs);
	struct expect gone[] = { { 0, FIB_REMOVE, &k2 }, { 1, FIB_REMOVE, &k2 } };
	assert_int_equal(count_fib(0, FIB_REMOVE, &k2), 1);
	assert_int_equal(count_fib(1, FIB_REMOVE, &k2), 1);
	assert_int_equal(unexpected_fib(gone, 2), 0);
	/* Allowed again: the engine did not keep what the rule refused; the
	 * caller offers its kernel routes again, as it is told to. */
	T.nfib = 0;
	assert_int_equal(set_filters(2, NULL), 1 << FILTER_REDISTRIBUTE);
	netsim_announce(T.sim, 2, true);
	netsim_run_for(T.sim, 2000);
	struct expect back[] = { { 0, FIB_ADD, &k2 }, { 1, FIB_ADD, &k2 } };
	assert_int_equal(count_fib(0, FIB_ADD, &k2), 1);
	assert_int_equal(count_fib(1, FIB_ADD, &k2), 1);
	assert_int_equal(unexpected_fib(back, 2), 0);
	char why[256] = "";
	assert_true(netsim_converged(T.sim, why, sizeof why));
}

static void selection_parameters_change_nothing_by_themselves(void **state)
{
	(void)state;
	T.nfib = 0;
	for (unsigned n = 0; n < 3; n++)
		engine_set_selection(netsim_engine(T.sim, n), 0, true, 100, netsim_now(T.sim));
	netsim_run_for(T.sim, 10000);
	assert_int_equal(T.nfib, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(interval_change_keeps_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(out_filter_withdraws_only_its_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(in_filter_refuses_and_brings_back, setup, teardown),
		cmocka_unit_test_setup_teardown(in_filter_metric_raises_metric_only, setup, teardown),
		cmocka_unit_test_setup_teardown(install_filter_keeps_it_out_of_the_kernel, setup,
						teardown),
		cmocka_unit_test_setup_teardown(redistribute_filter_withdraws_and_replay_restores,
						setup, teardown),
		cmocka_unit_test_setup_teardown(selection_parameters_change_nothing_by_themselves,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
