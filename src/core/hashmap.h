/* An intrusive chained hash table.
 *
 * Why intrusive and chained: the engine holds 100k+ routes, sources and
 * neighbours, each already a heap object of its own. Embedding a small node
 * (a next pointer and a 32-bit hash: 8 bytes on 32-bit routers, 16 on 64-bit
 * hosts) costs nothing to allocate, and the table itself is one array of
 * bucket pointers kept at a load factor between 1/2 and 1: 8 to 16 bytes per
 * entry on a 64-bit host. Growing moves nodes between buckets without
 * touching the owners, so pointers to elements stay valid for their whole
 * life, and an insert whose growth fails still succeeds (chains just get
 * longer): the only allocation that can make an insert fail is the very
 * first bucket array.
 *
 * The table does not own the elements and never frees them. It does not
 * look for duplicates on insert (hashmap_find first when the key must be
 * unique). Keys are whatever the caller says: it passes the hash with each
 * call and an equality function compares a node to a key.
 *
 *     struct route { struct route_key key; struct hashmap_node hnode; ... };
 *     static bool route_eq(const struct hashmap_node *n, const void *key) {
 *             return route_key_equal(&container_of(n, struct route, hnode)->key, key);
 *     }
 *     hashmap_init(&table, route_eq);
 *     hashmap_insert(&table, &r->hnode, route_key_hash(&r->key, seed));
 *     struct hashmap_node *n = hashmap_find(&table, route_key_hash(&k, seed), &k);
 *
 * Deterministic: the iteration order depends only on the hashes and the
 * sequence of operations, never on addresses.
 */
#ifndef MAILLE_CORE_HASHMAP_H
#define MAILLE_CORE_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hashmap_node {
	struct hashmap_node *next;
	uint32_t hash; /* the caller's 64-bit hash, folded */
};

/* Whether NODE holds KEY. */
typedef bool (*hashmap_eq_fn)(const struct hashmap_node *node, const void *key);

struct hashmap {
	struct hashmap_node **buckets; /* NULL until the first insert */
	size_t mask;                   /* bucket count - 1 (a power of two) */
	size_t count;
	hashmap_eq_fn eq;
	unsigned failed_grows; /* growths that found no memory (chains got longer) */
};

/* Makes an empty table; allocates nothing, cannot fail. */
void hashmap_init(struct hashmap *map, hashmap_eq_fn eq);

/* Frees the bucket array (not the elements). The map is then empty and
 * may be used again. */
void hashmap_destroy(struct hashmap *map);

/* Adds NODE with HASH. Returns 0, or -1 when no bucket array could be
 * allocated at all (then nothing changed). */
int hashmap_insert(struct hashmap *map, struct hashmap_node *node, uint64_t hash);

/* The first element with HASH that EQ says holds KEY, or NULL. */
struct hashmap_node *hashmap_find(const struct hashmap *map, uint64_t hash, const void *key);

/* The next element after NODE (found by hashmap_find or this function) that
 * holds the same KEY, for tables that keep several elements per key. */
struct hashmap_node *hashmap_find_next(const struct hashmap *map, const struct hashmap_node *node,
				       const void *key);

/* Removes NODE, which must be in MAP. O(1) on average (a walk of one
 * bucket's chain). */
void hashmap_remove(struct hashmap *map, struct hashmap_node *node);

/* Finds and removes the element holding KEY; returns it, or NULL. */
struct hashmap_node *hashmap_take(struct hashmap *map, uint64_t hash, const void *key);

static inline size_t hashmap_count(const struct hashmap *map)
{
	return map->count;
}

/* Makes room for N elements without further growth (so that inserts during
 * an iteration are safe). Returns 0 or -1 (no memory; the map is unchanged
 * and still usable). */
int hashmap_reserve(struct hashmap *map, size_t n);

/* Bytes the map itself allocated (the bucket array); the nodes are inside
 * the elements and add sizeof(struct hashmap_node) each. */
size_t hashmap_memory(const struct hashmap *map);

/* Iteration. The element last returned may be removed from the map (and
 * freed) before the next call; removing any other element, or inserting
 * without a prior hashmap_reserve, invalidates the iterator.
 *
 *     struct hashmap_iter it;
 *     struct hashmap_node *n;
 *     hashmap_iter_init(&it, &map);
 *     while ((n = hashmap_iter_next(&it)) != NULL) ...
 */
struct hashmap_iter {
	const struct hashmap *map;
	size_t bucket;             /* next bucket to look at */
	struct hashmap_node *next; /* next node in the current chain */
};

void hashmap_iter_init(struct hashmap_iter *it, const struct hashmap *map);
struct hashmap_node *hashmap_iter_next(struct hashmap_iter *it);

#endif
