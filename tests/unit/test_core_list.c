/* The intrusive list. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "src/core/list.h"

struct item {
	int value;
	struct list_node link;
};

static int values(struct list_node *head, int *out, int max)
{
	int n = 0;
	struct list_node *p;
	LIST_FOREACH(p, head) {
		if (n < max)
			out[n] = container_of(p, struct item, link)->value;
		n++;
	}
	return n;
}

static void test_basic(void **state)
{
	(void)state;
	struct list_node head = LIST_INIT(head);
	assert_true(list_empty(&head));
	assert_null(list_first(&head));
	assert_null(list_last(&head));

	struct item it[5];
	for (int i = 0; i < 5; i++) {
		it[i].value = i;
		list_init(&it[i].link);
		assert_false(list_linked(&it[i].link));
	}
	list_push_back(&head, &it[1].link);
	list_push_back(&head, &it[2].link);
	list_push_front(&head, &it[0].link);
	list_insert_after(&it[2].link, &it[4].link);
	list_insert_before(&it[4].link, &it[3].link);
	int v[8];
	assert_int_equal(values(&head, v, 8), 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(v[i], i);
	assert_int_equal(list_length(&head), 5);
	assert_ptr_equal(list_first(&head), &it[0].link);
	assert_ptr_equal(list_last(&head), &it[4].link);
	assert_true(list_linked(&it[3].link));

	/* Reverse walk. */
	struct list_node *p;
	int expect = 4;
	LIST_FOREACH_REVERSE(p, &head) {
		assert_int_equal(container_of(p, struct item, link)->value, expect);
		expect--;
	}
	assert_int_equal(expect, -1);

	/* Removal inside a safe walk: drop the odd ones. */
	struct list_node *tmp;
	LIST_FOREACH_SAFE(p, tmp, &head) {
		struct item *x = container_of(p, struct item, link);
		if (x->value % 2)
			list_remove(&x->link);
	}
	assert_int_equal(values(&head, v, 8), 3);
	assert_int_equal(v[0], 0);
	assert_int_equal(v[1], 2);
	assert_int_equal(v[2], 4);
	assert_false(list_linked(&it[1].link));
	/* Removing a detached node is harmless. */
	list_remove(&it[1].link);
	assert_int_equal(list_length(&head), 3);

	/* Splice. */
	struct list_node other = LIST_INIT(other);
	list_push_back(&other, &it[1].link);
	list_push_back(&other, &it[3].link);
	list_splice_back(&head, &other);
	assert_true(list_empty(&other));
	assert_int_equal(values(&head, v, 8), 5);
	assert_int_equal(v[3], 1);
	assert_int_equal(v[4], 3);
	list_splice_back(&head, &other); /* empty: no-op */
	assert_int_equal(list_length(&head), 5);

	/* Empty everything. */
	LIST_FOREACH_SAFE(p, tmp, &head)
		list_remove(p);
	assert_true(list_empty(&head));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
	};
	return cmocka_run_group_tests_name("core_list", tests, NULL, NULL);
}
