/* Timers of the engine: a binary min-heap with stable handles.
 *
 * Each timer is a struct timer embedded in its owner (a neighbour's Hello
 * timeout, a route's expiry, a pending request's resend...), found back with
 * container_of. The timer remembers its own position in the heap, so
 * rescheduling and cancelling cost O(log n) with no search, and a timer is
 * never allocated or freed by the heap: the heap holds an array of pointers
 * (8 bytes per scheduled timer on a 64-bit host) that grows by doubling.
 *
 * Order: by deadline, and among equal deadlines by the order in which the
 * timers were (re)scheduled: each schedule call takes the next value of a
 * 64-bit sequence counter. So which of two simultaneous timers fires first
 * never depends on heap layout or addresses, and the engine stays
 * deterministic.
 *
 * Time is whatever the caller passes (milliseconds in the engine); the heap
 * never reads a clock.
 */
#ifndef MAILLE_CORE_TIMER_HEAP_H
#define MAILLE_CORE_TIMER_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TIMER_IDLE UINT32_MAX     /* index of a timer that is not scheduled */
#define TIMER_NEVER UINT64_MAX    /* next_deadline of an empty heap */

/* 16 octets: there is one per route. */
struct timer {
	uint64_t deadline;
	uint32_t seq;   /* tie-breaker: order of (re)scheduling, compared modulo 2^32 */
	uint32_t index; /* position in the heap, TIMER_IDLE when not scheduled */
};

struct timer_heap {
	struct timer **items;
	size_t count;
	size_t capacity;
	uint32_t next_seq;
};

/* Every timer must be initialised (not scheduled) before first use. */
static inline void timer_init(struct timer *t)
{
	t->deadline = 0;
	t->seq = 0;
	t->index = TIMER_IDLE;
}

static inline bool timer_scheduled(const struct timer *t)
{
	return t->index != TIMER_IDLE;
}

void timer_heap_init(struct timer_heap *h);

/* Frees the array. Timers still scheduled are left marked as scheduled but
 * belong to no heap: cancel them first, or timer_init them again. */
void timer_heap_destroy(struct timer_heap *h);

/* Schedules T at DEADLINE, or moves it there if it is already scheduled
 * (it then also goes behind the other timers of the same deadline). Returns
 * 0, or -1 when the heap had to grow and could not (T is then unchanged and
 * not scheduled). Rescheduling a scheduled timer never fails. */
int timer_heap_schedule(struct timer_heap *h, struct timer *t, uint64_t deadline);

/* Schedules T at DEADLINE unless it is already scheduled earlier: for "do
 * this no later than" (e.g. a triggered update joining a pending one). */
int timer_heap_schedule_before(struct timer_heap *h, struct timer *t, uint64_t deadline);

/* Unschedules T; harmless if T is not scheduled. */
void timer_heap_cancel(struct timer_heap *h, struct timer *t);

/* The earliest deadline, or TIMER_NEVER when nothing is scheduled. */
uint64_t timer_heap_next_deadline(const struct timer_heap *h);

/* The timer that fires first, without removing it; NULL if empty. */
struct timer *timer_heap_peek(const struct timer_heap *h);

/* Removes and returns the first timer if its deadline is <= NOW, else NULL.
 * The engine calls it in a loop; a timer handler may reschedule its own
 * timer or any other. */
struct timer *timer_heap_pop_due(struct timer_heap *h, uint64_t now);

static inline size_t timer_heap_count(const struct timer_heap *h)
{
	return h->count;
}

#endif
