/* The source table: feasibility distances (RFC 8966 3.2.5, 3.5.1, 3.7.3)
 * and their garbage collection (Appendix B: 3 minutes). */
#include "src/core/engine_internal.h"

#include <stdlib.h>
#include <string.h>

/* RFC 8966 3.2.1: seqnos compare modulo 2^16. */
int seqno_compare(uint16_t a, uint16_t b)
{
	int32_t d = hello_seqno_diff(a, b);
	return d < 0 ? -1 : d > 0 ? 1 : 0;
}

static uint64_t source_hash(const struct engine *e, const struct route_key *k, const uint8_t rid[8])
{
	uint64_t h = route_key_hash(k, e->hseed);
	for (int i = 0; i < 8; i++)
		h = (h ^ rid[i]) * 0x100000001b3ULL;
	return h;
}

struct source *source_find(struct engine *e, const struct route_key *k, const uint8_t rid[8])
{
	struct source key;
	key.key = *k;
	memcpy(key.rid, rid, 8);
	struct hashmap_node *n = hashmap_find(&e->sources, source_hash(e, k, rid), &key);
	return n ? container_of(n, struct source, h) : NULL;
}

/* RFC 8966 3.5.1: an update is feasible when it is a retraction, when no
 * source entry exists for (prefix, router-id), or when it is strictly
 * better than the feasibility distance: a newer seqno, or the same seqno
 * with a smaller metric. */
bool source_feasible(struct engine *e, const struct route_key *k, const uint8_t rid[8],
		     uint16_t seqno, uint16_t metric)
{
	if (metric == INF)
		return true;
	struct source *s = source_find(e, k, rid);
	if (!s)
		return true;
	int c = seqno_compare(seqno, s->seqno);
	return c > 0 || (c == 0 && metric < s->metric);
}

static void gc_fire(struct engine *e, struct etimer *t)
{
	struct source *s = container_of(t, struct source, gc);
	hashmap_remove(&e->sources, &s->h);
	free(s);
}

/* RFC 8966 3.7.3: before sending an update with a finite metric, create the
 * source entry or lower the feasibility distance if the update is strictly
 * better; either way the entry lives on for another Source GC time. */
void source_note_sent(struct engine *e, const struct route_key *k, const uint8_t rid[8],
		      uint16_t seqno, uint16_t metric)
{
	if (metric == INF)
		return;
	struct source *s = source_find(e, k, rid);
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return;
		s->key = *k;
		memcpy(s->rid, rid, 8);
		s->seqno = seqno;
		s->metric = metric;
		etimer_init(&s->gc, gc_fire);
		if (hashmap_insert(&e->sources, &s->h, source_hash(e, k, rid)) < 0) {
			free(s);
			return;
		}
	} else {
		int c = seqno_compare(seqno, s->seqno);
		if (c > 0 || (c == 0 && metric < s->metric)) {
			s->seqno = seqno;
			s->metric = metric;
		}
	}
	etimer_at(e, &s->gc, e->now + SOURCE_GC_MS);
}

void source_free_all(struct engine *e)
{
	struct hashmap_iter it;
	struct hashmap_node *n;
	hashmap_iter_init(&it, &e->sources);
	while ((n = hashmap_iter_next(&it)) != NULL) {
		struct source *s = container_of(n, struct source, h);
		etimer_cancel(e, &s->gc);
		hashmap_remove(&e->sources, n);
		free(s);
	}
}
