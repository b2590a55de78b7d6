/* Binary min-heap of timers; see timer_heap.h. */
#include "src/core/timer_heap.h"

#include <stdlib.h>

#define TIMER_HEAP_MIN_CAPACITY 16

static bool before(const struct timer *a, const struct timer *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline;
	/* Modulo 2^32: timers due at the same ms were scheduled within far
	 * fewer than 2^31 schedulings of each other. */
	return (int32_t)(a->seq - b->seq) < 0;
}

static void place(struct timer_heap *h, size_t i, struct timer *t)
{
	h->items[i] = t;
	t->index = (uint32_t)i;
}

static void sift_up(struct timer_heap *h, size_t i)
{
	struct timer *t = h->items[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!before(t, h->items[parent]))
			break;
		place(h, i, h->items[parent]);
		i = parent;
	}
	place(h, i, t);
}

static void sift_down(struct timer_heap *h, size_t i)
{
	struct timer *t = h->items[i];
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= h->count)
			break;
		if (child + 1 < h->count && before(h->items[child + 1], h->items[child]))
			child++;
		if (!before(h->items[child], t))
			break;
		place(h, i, h->items[child]);
		i = child;
	}
	place(h, i, t);
}

void timer_heap_init(struct timer_heap *h)
{
	h->items = NULL;
	h->count = 0;
	h->capacity = 0;
	h->next_seq = 0;
}

void timer_heap_destroy(struct timer_heap *h)
{
	free(h->items);
	h->items = NULL;
	h->count = 0;
	h->capacity = 0;
}

static int grow(struct timer_heap *h)
{
	size_t cap = h->capacity ? h->capacity * 2 : TIMER_HEAP_MIN_CAPACITY;
	if (cap < h->capacity || cap > SIZE_MAX / sizeof(*h->items))
		return -1;
	if (cap > TIMER_IDLE)
		cap = TIMER_IDLE; /* indexes are 32 bits; TIMER_IDLE itself is never one */
	if (cap <= h->capacity)
		return -1;
	struct timer **items = realloc(h->items, cap * sizeof(*items));
	if (!items)
		return -1;
	h->items = items;
	h->capacity = cap;
	return 0;
}

int timer_heap_schedule(struct timer_heap *h, struct timer *t, uint64_t deadline)
{
	if (timer_scheduled(t)) {
		bool earlier = deadline < t->deadline;
		t->deadline = deadline;
		t->seq = h->next_seq++;
		/* A later seq alone can only push it down. */
		if (earlier)
			sift_up(h, t->index);
		else
			sift_down(h, t->index);
		return 0;
	}
	if (h->count == h->capacity && grow(h) < 0)
		return -1;
	t->deadline = deadline;
	t->seq = h->next_seq++;
	h->items[h->count] = t;
	t->index = (uint32_t)h->count++;
	sift_up(h, t->index);
	return 0;
}

int timer_heap_schedule_before(struct timer_heap *h, struct timer *t, uint64_t deadline)
{
	if (timer_scheduled(t) && t->deadline <= deadline)
		return 0;
	return timer_heap_schedule(h, t, deadline);
}

void timer_heap_cancel(struct timer_heap *h, struct timer *t)
{
	if (!timer_scheduled(t))
		return;
	size_t i = t->index;
	t->index = TIMER_IDLE;
	h->count--;
	if (i == h->count)
		return;
	/* The last element fills the hole, then goes where it belongs: up
	 * if it beats the hole's parent, else down. */
	struct timer *last = h->items[h->count];
	place(h, i, last);
	if (i > 0 && before(last, h->items[(i - 1) / 2]))
		sift_up(h, i);
	else
		sift_down(h, i);
}

uint64_t timer_heap_next_deadline(const struct timer_heap *h)
{
	return h->count ? h->items[0]->deadline : TIMER_NEVER;
}

struct timer *timer_heap_peek(const struct timer_heap *h)
{
	return h->count ? h->items[0] : NULL;
}

struct timer *timer_heap_pop_due(struct timer_heap *h, uint64_t now)
{
	if (h->count == 0 || h->items[0]->deadline > now)
		return NULL;
	struct timer *t = h->items[0];
	timer_heap_cancel(h, t);
	return t;
}
