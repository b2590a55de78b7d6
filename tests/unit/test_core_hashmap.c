/* The intrusive hash table: 200k random keys, collisions, iteration with
 * removal, memory per entry. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "src/core/hashmap.h"
#include "src/core/list.h"
#include "tests/lib/rng.h"

struct elem {
	uint64_t key;
	struct hashmap_node node;
	bool in_map;
	bool seen;
};

static bool elem_eq(const struct hashmap_node *n, const void *key)
{
	return container_of(n, struct elem, node)->key == *(const uint64_t *)key;
}

static uint64_t hash_key(uint64_t k)
{
	k = (k ^ (k >> 31)) * 0x7fb5d329728ea185ull;
	k = (k ^ (k >> 27)) * 0x81dadef4bc2dd44dull;
	return k ^ (k >> 33);
}

static struct elem *find(struct hashmap *m, uint64_t key)
{
	struct hashmap_node *n = hashmap_find(m, hash_key(key), &key);
	return n ? container_of(n, struct elem, node) : NULL;
}

#define N 200000

static void test_random_keys(void **state)
{
	(void)state;
	struct elem *e = calloc(N, sizeof(*e));
	assert_non_null(e);
	struct test_rng rng = { 12345 };
	struct hashmap m;
	hashmap_init(&m, elem_eq);
	assert_null(find(&m, 1));
	assert_int_equal(hashmap_memory(&m), 0);

	size_t inserted = 0;
	for (size_t i = 0; i < N; i++) {
		e[i].key = test_rng_next(&rng);
		if (find(&m, e[i].key))
			continue; /* a repeated random key: keep one */
		assert_int_equal(hashmap_insert(&m, &e[i].node, hash_key(e[i].key)), 0);
		e[i].in_map = true;
		inserted++;
	}
	assert_int_equal(hashmap_count(&m), inserted);
	assert_int_equal(m.failed_grows, 0);
	for (size_t i = 0; i < N; i++)
		if (e[i].in_map)
			assert_ptr_equal(find(&m, e[i].key), &e[i]);
	/* Keys never inserted are not found. */
	for (int i = 0; i < 1000; i++)
		assert_null(find(&m, test_rng_next(&rng)));

	/* The cost of the map: bucket array plus the node in each element. */
	double per_entry = (double)(hashmap_memory(&m) + inserted * sizeof(struct hashmap_node)) / (double)inserted;
	printf("# %zu entries: buckets %zu bytes, node %zu bytes, %.1f bytes per entry\n", inserted,
	       hashmap_memory(&m), sizeof(struct hashmap_node), per_entry);
	assert_true(per_entry <= 4.0 * sizeof(void *));

	/* Remove every other one, by node and by key. */
	size_t removed = 0;
	for (size_t i = 0; i < N; i += 2) {
		if (!e[i].in_map)
			continue;
		if (i % 4 == 0) {
			hashmap_remove(&m, &e[i].node);
		} else {
			assert_ptr_equal(hashmap_take(&m, hash_key(e[i].key), &e[i].key), &e[i].node);
		}
		e[i].in_map = false;
		removed++;
	}
	assert_int_equal(hashmap_count(&m), inserted - removed);
	for (size_t i = 0; i < N; i++)
		assert_ptr_equal(find(&m, e[i].key), e[i].in_map ? &e[i] : NULL);
	assert_null(hashmap_take(&m, hash_key(e[0].key), &e[0].key));

	/* Iteration visits each element once. */
	struct hashmap_iter it;
	struct hashmap_node *n;
	size_t visited = 0;
	hashmap_iter_init(&it, &m);
	while ((n = hashmap_iter_next(&it)) != NULL) {
		struct elem *x = container_of(n, struct elem, node);
		assert_true(x->in_map);
		assert_false(x->seen);
		x->seen = true;
		visited++;
	}
	assert_int_equal(visited, hashmap_count(&m));

	/* Iteration that removes the current element: drop those whose key
	 * is odd, and check that nothing is skipped. */
	size_t left = 0, dropped = 0;
	for (size_t i = 0; i < N; i++)
		e[i].seen = false;
	hashmap_iter_init(&it, &m);
	while ((n = hashmap_iter_next(&it)) != NULL) {
		struct elem *x = container_of(n, struct elem, node);
		assert_false(x->seen);
		x->seen = true;
		if (x->key & 1) {
			hashmap_remove(&m, n);
			x->in_map = false;
			dropped++;
		} else {
			left++;
		}
	}
	assert_int_equal(left + dropped, inserted - removed);
	assert_int_equal(hashmap_count(&m), left);
	for (size_t i = 0; i < N; i++) {
		if (e[i].in_map)
			assert_true(e[i].seen);
		assert_ptr_equal(find(&m, e[i].key), e[i].in_map ? &e[i] : NULL);
	}

	hashmap_destroy(&m);
	assert_int_equal(hashmap_count(&m), 0);
	assert_null(find(&m, e[1].key));
	free(e);
}

/* Every element in one bucket (the same hash): chains, duplicates, removal
 * from the middle. */
static void test_collisions(void **state)
{
	(void)state;
	struct elem e[50];
	struct hashmap m;
	hashmap_init(&m, elem_eq);
	for (int i = 0; i < 50; i++) {
		e[i].key = (uint64_t)(i % 10); /* each key five times */
		e[i].in_map = true;
		assert_int_equal(hashmap_insert(&m, &e[i].node, 0xdeadbeef), 0);
	}
	assert_int_equal(hashmap_count(&m), 50);
	for (uint64_t k = 0; k < 10; k++) {
		int copies = 0;
		for (struct hashmap_node *n = hashmap_find(&m, 0xdeadbeef, &k); n; n = hashmap_find_next(&m, n, &k)) {
			assert_true(container_of(n, struct elem, node)->key == k);
			copies++;
		}
		assert_int_equal(copies, 5);
	}
	/* Remove from the middle, the head and the tail of the chain. */
	hashmap_remove(&m, &e[25].node);
	hashmap_remove(&m, &e[49].node);
	hashmap_remove(&m, &e[0].node);
	assert_int_equal(hashmap_count(&m), 47);
	uint64_t k = 5;
	int copies = 0;
	for (struct hashmap_node *n = hashmap_find(&m, 0xdeadbeef, &k); n; n = hashmap_find_next(&m, n, &k))
		copies++;
	assert_int_equal(copies, 4);
	/* A different hash with the same key is a different entry. */
	assert_null(hashmap_find(&m, 0xdeadbeee, &k));
	hashmap_destroy(&m);
}

/* With room reserved, inserting during an iteration is allowed; the map
 * does not grow. */
static void test_reserve(void **state)
{
	(void)state;
	struct elem e[300];
	struct hashmap m;
	hashmap_init(&m, elem_eq);
	assert_int_equal(hashmap_reserve(&m, 300), 0);
	size_t mem = hashmap_memory(&m);
	assert_int_equal(mem, 512 * sizeof(void *));
	for (int i = 0; i < 100; i++) {
		e[i].key = (uint64_t)i;
		assert_int_equal(hashmap_insert(&m, &e[i].node, hash_key(e[i].key)), 0);
	}
	struct hashmap_iter it;
	struct hashmap_node *n;
	int next = 100, visited = 0;
	hashmap_iter_init(&it, &m);
	while ((n = hashmap_iter_next(&it)) != NULL) {
		visited++;
		e[next].key = (uint64_t)next;
		assert_int_equal(hashmap_insert(&m, &e[next].node, hash_key(e[next].key)), 0);
		next++;
	}
	/* Each visit inserted one; those that landed in buckets still ahead
	 * were visited too. */
	assert_true(visited >= 100 && visited == next - 100);
	assert_int_equal(hashmap_memory(&m), mem);
	for (; next < 300; next++) {
		e[next].key = (uint64_t)next;
		assert_int_equal(hashmap_insert(&m, &e[next].node, hash_key(e[next].key)), 0);
	}
	assert_int_equal(hashmap_memory(&m), mem);
	assert_int_equal(hashmap_count(&m), 300);
	for (int i = 0; i < 300; i++)
		assert_ptr_equal(find(&m, (uint64_t)i), &e[i]);
	/* Reserving less than present keeps the size. */
	assert_int_equal(hashmap_reserve(&m, 10), 0);
	assert_int_equal(hashmap_memory(&m), mem);
	hashmap_destroy(&m);
}

/* Growth keeps elements findable at every size. */
static void test_growth(void **state)
{
	(void)state;
	struct elem e[1000];
	struct hashmap m;
	hashmap_init(&m, elem_eq);
	for (int i = 0; i < 1000; i++) {
		e[i].key = (uint64_t)i * 7919;
		/* The identity as hash: low bits only, a weak hash still works. */
		assert_int_equal(hashmap_insert(&m, &e[i].node, e[i].key), 0);
		assert_true(hashmap_memory(&m) / sizeof(void *) >= hashmap_count(&m));
		for (int j = 0; j <= i; j += 37) {
			struct hashmap_node *n = hashmap_find(&m, e[j].key, &e[j].key);
			assert_ptr_equal(n, &e[j].node);
		}
	}
	assert_int_equal(hashmap_memory(&m), 1024 * sizeof(void *));
	hashmap_destroy(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_keys),
		cmocka_unit_test(test_collisions),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_growth),
	};
	return cmocka_run_group_tests_name("core_hashmap", tests, NULL, NULL);
}
