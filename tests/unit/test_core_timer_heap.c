/* The timer heap against a naive model (a linear scan), with random
 * operations, many equal deadlines and a moving clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "src/core/list.h"
#include "src/core/timer_heap.h"
#include "tests/lib/rng.h"

struct owner {
	int id;
	struct timer timer;
	/* The model: */
	bool scheduled;
	uint64_t deadline;
	uint64_t order; /* when last (re)scheduled */
};

#define NT 400

static struct owner owners[NT];

/* The first timer the model says should fire, or NULL. */
static struct owner *model_first(void)
{
	struct owner *best = NULL;
	for (int i = 0; i < NT; i++) {
		struct owner *o = &owners[i];
		if (!o->scheduled)
			continue;
		if (!best || o->deadline < best->deadline ||
		    (o->deadline == best->deadline && o->order < best->order))
			best = o;
	}
	return best;
}

static void check_invariant(const struct timer_heap *h)
{
	for (size_t i = 0; i < h->count; i++) {
		assert_int_equal(h->items[i]->index, i);
		if (i > 0) {
			const struct timer *p = h->items[(i - 1) / 2], *c = h->items[i];
			assert_true(p->deadline < c->deadline || (p->deadline == c->deadline && p->seq < c->seq));
		}
	}
}

static void test_against_model(void **state)
{
	(void)state;
	struct timer_heap h;
	timer_heap_init(&h);
	memset(owners, 0, sizeof(owners));
	for (int i = 0; i < NT; i++) {
		owners[i].id = i;
		timer_init(&owners[i].timer);
	}
	struct test_rng rng = { 99 };
	uint64_t now = 1000, order = 0;
	size_t scheduled = 0, fired = 0;

	for (int step = 0; step < 200000; step++) {
		struct owner *o = &owners[test_rng_below(&rng, NT)];
		unsigned op = test_rng_below(&rng, 100);
		if (op < 45) {
			/* Deadlines in a narrow window: plenty of ties. */
			uint64_t d = now + test_rng_below(&rng, 50);
			assert_int_equal(timer_heap_schedule(&h, &o->timer, d), 0);
			if (!o->scheduled)
				scheduled++;
			o->scheduled = true;
			o->deadline = d;
			o->order = order++;
		} else if (op < 55) {
			uint64_t d = now + test_rng_below(&rng, 50);
			bool moves = !o->scheduled || d < o->deadline;
			assert_int_equal(timer_heap_schedule_before(&h, &o->timer, d), 0);
			if (moves) {
				if (!o->scheduled)
					scheduled++;
				o->scheduled = true;
				o->deadline = d;
				o->order = order++;
			}
		} else if (op < 70) {
			timer_heap_cancel(&h, &o->timer);
			if (o->scheduled)
				scheduled--;
			o->scheduled = false;
		} else if (op < 85) {
			now += test_rng_below(&rng, 10);
			struct timer *t;
			while ((t = timer_heap_pop_due(&h, now)) != NULL) {
				struct owner *m = model_first();
				assert_non_null(m);
				assert_ptr_equal(container_of(t, struct owner, timer), m);
				assert_true(m->deadline <= now);
				assert_false(timer_scheduled(t));
				m->scheduled = false;
				scheduled--;
				fired++;
			}
			struct owner *m = model_first();
			assert_true(!m || m->deadline > now);
		} else {
			struct owner *m = model_first();
			assert_true(timer_heap_next_deadline(&h) == (m ? m->deadline : TIMER_NEVER));
			struct timer *t = timer_heap_peek(&h);
			assert_ptr_equal(t, m ? &m->timer : NULL);
		}
		assert_int_equal(timer_heap_count(&h), scheduled);
		assert_int_equal(timer_scheduled(&o->timer), o->scheduled);
		if (step % 1000 == 0)
			check_invariant(&h);
	}
	printf("# %zu timers fired in order\n", fired);
	assert_true(fired > 10000);

	/* Drain: everything comes out in model order. */
	struct timer *t;
	while ((t = timer_heap_pop_due(&h, UINT64_MAX - 1)) != NULL) {
		assert_ptr_equal(container_of(t, struct owner, timer), model_first());
		container_of(t, struct owner, timer)->scheduled = false;
	}
	assert_null(model_first());
	assert_true(timer_heap_next_deadline(&h) == TIMER_NEVER);
	timer_heap_destroy(&h);
}

/* Equal deadlines fire in the order they were (re)scheduled. */
static void test_ties(void **state)
{
	(void)state;
	struct timer_heap h;
	timer_heap_init(&h);
	struct timer t[5];
	for (int i = 0; i < 5; i++) {
		timer_init(&t[i]);
		assert_int_equal(timer_heap_schedule(&h, &t[i], 100), 0);
	}
	/* Rescheduling t[0] at the same deadline puts it last. */
	assert_int_equal(timer_heap_schedule(&h, &t[0], 100), 0);
	/* schedule_before with a later deadline leaves t[1] where it was. */
	assert_int_equal(timer_heap_schedule_before(&h, &t[1], 200), 0);
	assert_true(t[1].deadline == 100);
	assert_null(timer_heap_pop_due(&h, 99));
	static const int expect[] = { 1, 2, 3, 4, 0 };
	for (int i = 0; i < 5; i++)
		assert_ptr_equal(timer_heap_pop_due(&h, 100), &t[expect[i]]);
	assert_null(timer_heap_pop_due(&h, 1000));

	/* Cancel is idempotent; cancelled timers can be scheduled again. */
	timer_heap_cancel(&h, &t[0]);
	assert_int_equal(timer_heap_schedule(&h, &t[0], 5), 0);
	assert_int_equal(timer_heap_schedule(&h, &t[1], 3), 0);
	timer_heap_cancel(&h, &t[1]);
	timer_heap_cancel(&h, &t[1]);
	assert_true(timer_heap_next_deadline(&h) == 5);
	/* Moving a timer earlier and later. */
	assert_int_equal(timer_heap_schedule(&h, &t[2], 10), 0);
	assert_int_equal(timer_heap_schedule(&h, &t[2], 1), 0);
	assert_ptr_equal(timer_heap_peek(&h), &t[2]);
	assert_int_equal(timer_heap_schedule(&h, &t[2], 50), 0);
	assert_ptr_equal(timer_heap_peek(&h), &t[0]);
	timer_heap_destroy(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_model),
		cmocka_unit_test(test_ties),
	};
	return cmocka_run_group_tests_name("core_timer_heap", tests, NULL, NULL);
}
