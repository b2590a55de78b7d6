/* Intrusive chained hash table: see hashmap.h for the why. */
#include "src/core/hashmap.h"

#include <stdlib.h>

/* The first bucket array; small, since many maps (per neighbour, per
 * interface) hold a handful of elements. */
#define HASHMAP_MIN_BUCKETS 8

static uint32_t fold(uint64_t hash)
{
	return (uint32_t)(hash ^ (hash >> 32));
}

void hashmap_init(struct hashmap *map, hashmap_eq_fn eq)
{
	map->buckets = NULL;
	map->mask = 0;
	map->count = 0;
	map->eq = eq;
	map->failed_grows = 0;
}

void hashmap_destroy(struct hashmap *map)
{
	free(map->buckets);
	hashmap_init(map, map->eq);
}

static size_t bucket_count(const struct hashmap *map)
{
	return map->buckets ? map->mask + 1 : 0;
}

/* Moves every node into a new array of NBUCKETS (a power of two). */
static int rehash(struct hashmap *map, size_t nbuckets)
{
	struct hashmap_node **nb = calloc(nbuckets, sizeof(*nb));
	if (!nb)
		return -1;
	size_t old = bucket_count(map);
	size_t mask = nbuckets - 1;
	for (size_t i = 0; i < old; i++) {
		struct hashmap_node *n = map->buckets[i];
		while (n) {
			struct hashmap_node *next = n->next;
			struct hashmap_node **b = &nb[n->hash & mask];
			n->next = *b;
			*b = n;
			n = next;
		}
	}
	free(map->buckets);
	map->buckets = nb;
	map->mask = mask;
	return 0;
}

int hashmap_reserve(struct hashmap *map, size_t n)
{
	size_t want = bucket_count(map) ? bucket_count(map) : HASHMAP_MIN_BUCKETS;
	while (want < n) {
		if (want > SIZE_MAX / 2 / sizeof(struct hashmap_node *))
			return -1;
		want *= 2;
	}
	if (want == bucket_count(map))
		return 0;
	return rehash(map, want);
}

int hashmap_insert(struct hashmap *map, struct hashmap_node *node, uint64_t hash)
{
	if (!map->buckets) {
		if (rehash(map, HASHMAP_MIN_BUCKETS) < 0)
			return -1;
	} else if (map->count >= bucket_count(map)) {
		/* Load factor 1 reached: double. Without memory the map keeps
		 * working with longer chains; we only count the event. */
		size_t n = bucket_count(map);
		if (n > SIZE_MAX / 2 / sizeof(struct hashmap_node *) || rehash(map, n * 2) < 0)
			map->failed_grows++;
	}
	node->hash = fold(hash);
	struct hashmap_node **b = &map->buckets[node->hash & map->mask];
	node->next = *b;
	*b = node;
	map->count++;
	return 0;
}

struct hashmap_node *hashmap_find(const struct hashmap *map, uint64_t hash, const void *key)
{
	if (!map->buckets)
		return NULL;
	uint32_t h = fold(hash);
	for (struct hashmap_node *n = map->buckets[h & map->mask]; n; n = n->next)
		if (n->hash == h && map->eq(n, key))
			return n;
	return NULL;
}

struct hashmap_node *hashmap_find_next(const struct hashmap *map, const struct hashmap_node *node,
				       const void *key)
{
	for (struct hashmap_node *n = node->next; n; n = n->next)
		if (n->hash == node->hash && map->eq(n, key))
			return n;
	return NULL;
}

void hashmap_remove(struct hashmap *map, struct hashmap_node *node)
{
	struct hashmap_node **p = &map->buckets[node->hash & map->mask];
	while (*p != node)
		p = &(*p)->next;
	*p = node->next;
	node->next = NULL;
	map->count--;
}

struct hashmap_node *hashmap_take(struct hashmap *map, uint64_t hash, const void *key)
{
	if (!map->buckets)
		return NULL;
	uint32_t h = fold(hash);
	for (struct hashmap_node **p = &map->buckets[h & map->mask]; *p; p = &(*p)->next) {
		struct hashmap_node *n = *p;
		if (n->hash == h && map->eq(n, key)) {
			*p = n->next;
			n->next = NULL;
			map->count--;
			return n;
		}
	}
	return NULL;
}

size_t hashmap_memory(const struct hashmap *map)
{
	return bucket_count(map) * sizeof(struct hashmap_node *);
}

void hashmap_iter_init(struct hashmap_iter *it, const struct hashmap *map)
{
	it->map = map;
	it->bucket = 0;
	it->next = NULL;
}

struct hashmap_node *hashmap_iter_next(struct hashmap_iter *it)
{
	struct hashmap_node *n = it->next;
	size_t nb = bucket_count(it->map);
	while (!n && it->bucket < nb)
		n = it->map->buckets[it->bucket++];
	if (n)
		it->next = n->next; /* fetched now: the caller may remove N */
	return n;
}
