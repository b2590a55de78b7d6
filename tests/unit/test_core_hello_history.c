/* Hello history (RFC 8966 A.1): in order, losses, timer expiries, late and
 * duplicated Hellos, large jumps, seqno wraparound. Bit 0 is the most recent
 * interval; the expected bitmaps are written most recent last, as binary. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "src/core/hello_history.h"

static void test_seqno_diff(void **state)
{
	(void)state;
	assert_int_equal(hello_seqno_diff(5, 3), 2);
	assert_int_equal(hello_seqno_diff(3, 5), -2);
	assert_int_equal(hello_seqno_diff(0, 65535), 1);
	assert_int_equal(hello_seqno_diff(65535, 0), -1);
	assert_int_equal(hello_seqno_diff(3, 65530), 9);
	assert_int_equal(hello_seqno_diff(32767, 0), 32767);
	assert_int_equal(hello_seqno_diff(32768, 0), -32768);
	assert_int_equal(hello_seqno_diff(0, 32768), -32768);
}

static void test_in_order(void **state)
{
	(void)state;
	struct hello_history h;
	hello_history_init(&h);
	assert_true(hello_history_empty(&h));
	assert_int_equal(hello_history_received(&h, 16), 0);
	assert_int_equal(hello_history_receive(&h, 100), HELLO_FIRST);
	assert_int_equal(h.bits, 0x1);
	assert_int_equal(h.expected, 101);
	assert_int_equal(hello_history_len(&h), 1);
	for (uint16_t s = 101; s < 120; s++)
		assert_int_equal(hello_history_receive(&h, s), HELLO_IN_ORDER);
	assert_int_equal(h.bits, 0xffff);
	assert_int_equal(hello_history_len(&h), 16);
	assert_int_equal(h.expected, 120);
	assert_int_equal(hello_history_received(&h, 3), 3);
	assert_int_equal(hello_history_received(&h, 16), 16);
	assert_int_equal(hello_history_received(&h, 100), 16);
	assert_int_equal(hello_history_received(&h, 0), 0);
}

static void test_losses(void **state)
{
	(void)state;
	struct hello_history h;
	hello_history_init(&h);
	hello_history_receive(&h, 100); /* 1 */
	hello_history_receive(&h, 101); /* 11 */
	/* 102 and 103 lost, 104 arrives: fast-forward two zeros, then a 1. */
	assert_int_equal(hello_history_receive(&h, 104), HELLO_LOST);
	assert_int_equal(h.bits, 0x19); /* 1 1 0 0 1 */
	assert_int_equal(hello_history_len(&h), 5);
	assert_int_equal(h.expected, 105);
	assert_int_equal(hello_history_received(&h, 3), 1); /* 0 0 1 */
	assert_int_equal(hello_history_received(&h, 4), 2); /* 1 0 0 1 */
	assert_int_equal(hello_history_received(&h, 16), 3);
}

static void test_timer_expiry(void **state)
{
	(void)state;
	struct hello_history h;
	hello_history_init(&h);
	/* A history that never started does not count misses. */
	assert_true(hello_history_missed(&h));
	assert_false(h.started);
	assert_int_equal(hello_history_len(&h), 0);

	hello_history_receive(&h, 100);
	hello_history_receive(&h, 101);
	assert_false(hello_history_missed(&h)); /* 110, expect 103 */
	assert_false(hello_history_missed(&h)); /* 1100, expect 104 */
	assert_int_equal(h.bits, 0xc);
	assert_int_equal(h.expected, 104);
	/* The timer already counted 102 and 103: 104 is in order. */
	assert_int_equal(hello_history_receive(&h, 104), HELLO_IN_ORDER);
	assert_int_equal(h.bits, 0x19);
	assert_int_equal(hello_history_len(&h), 5);

	/* 16 misses in a row empty it; the 16th reports it. The older bits
	 * fall off the end one by one. */
	for (int i = 0; i < 15; i++)
		assert_false(hello_history_missed(&h));
	assert_true(hello_history_missed(&h));
	assert_true(hello_history_empty(&h));
	assert_int_equal(hello_history_len(&h), 16);
	assert_int_equal(h.expected, 121);
	/* The neighbour comes back in order. */
	assert_int_equal(hello_history_receive(&h, 121), HELLO_IN_ORDER);
	assert_int_equal(h.bits, 0x1);
	assert_int_equal(hello_history_received(&h, 16), 1);
}

static void test_late_and_duplicate(void **state)
{
	(void)state;
	struct hello_history h;
	hello_history_init(&h);
	hello_history_receive(&h, 100);
	/* The timer fires before 101 arrives (the neighbour grew its
	 * interval, or the Hello was delayed): 10, expect 102. */
	hello_history_missed(&h);
	assert_int_equal(h.bits, 0x2);
	/* 101 arrives: undo one entry (1), then append (11). */
	assert_int_equal(hello_history_receive(&h, 101), HELLO_UNDONE);
	assert_int_equal(h.bits, 0x3);
	assert_int_equal(hello_history_len(&h), 2);
	assert_int_equal(h.expected, 102);

	/* A duplicate of 101: undo one, append one: nothing changes. */
	assert_int_equal(hello_history_receive(&h, 101), HELLO_UNDONE);
	assert_int_equal(h.bits, 0x3);
	assert_int_equal(hello_history_len(&h), 2);
	assert_int_equal(h.expected, 102);

	/* Reordering: 103 then 102. 103: 1101, expect 104. 102 is two
	 * behind: undo two (11), append (111), expect 103. A.1 cannot know
	 * that 103 arrived: the next 103 or 104 is judged from 103 on. */
	assert_int_equal(hello_history_receive(&h, 103), HELLO_LOST);
	assert_int_equal(h.bits, 0xd);
	assert_int_equal(hello_history_receive(&h, 102), HELLO_UNDONE);
	assert_int_equal(h.bits, 0x7);
	assert_int_equal(h.expected, 103);
	assert_int_equal(hello_history_len(&h), 3);
	assert_int_equal(hello_history_receive(&h, 104), HELLO_LOST);
	assert_int_equal(h.bits, 0x1d); /* 1 1 1 0 1 */

	/* Undoing more than the observed entries empties the history. */
	hello_history_init(&h);
	hello_history_receive(&h, 10);
	hello_history_receive(&h, 11);
	assert_int_equal(hello_history_receive(&h, 2), HELLO_UNDONE); /* 10 back */
	assert_int_equal(h.bits, 0x1);
	assert_int_equal(hello_history_len(&h), 1);
	assert_int_equal(h.expected, 3);
}

static void test_large_jumps(void **state)
{
	(void)state;
	struct hello_history h;
	hello_history_init(&h);
	for (uint16_t s = 100; s < 110; s++)
		hello_history_receive(&h, s);
	assert_int_equal(h.bits, 0x3ff);
	/* Exactly 16 ahead (expect 110, get 126): still a loss, 16 zeros
	 * push everything out, then a 1. */
	assert_int_equal(hello_history_receive(&h, 126), HELLO_LOST);
	assert_int_equal(h.bits, 0x1);
	assert_int_equal(hello_history_len(&h), 16);
	assert_int_equal(h.expected, 127);
	/* 17 ahead: the sender restarted; flushed, then a 1. */
	assert_int_equal(hello_history_receive(&h, 144), HELLO_RESET);
	assert_int_equal(h.bits, 0x1);
	assert_int_equal(hello_history_len(&h), 1);
	assert_int_equal(h.expected, 145);
	/* 17 behind: also a restart (expect 145, get 128). */
	hello_history_receive(&h, 145);
	assert_int_equal(hello_history_receive(&h, 129), HELLO_RESET); /* 146 - 129 = 17 */
	assert_int_equal(h.bits, 0x1);
	assert_int_equal(h.expected, 130);
	/* 16 behind: undo 16 (all of it), append. */
	for (uint16_t s = 130; s < 140; s++)
		hello_history_receive(&h, s);
	assert_int_equal(h.expected, 140);
	assert_int_equal(hello_history_receive(&h, 124), HELLO_UNDONE);
	assert_int_equal(h.bits, 0x1);
	assert_int_equal(hello_history_len(&h), 1);
	/* A sender restarting from 0 far from where it was. */
	assert_int_equal(hello_history_receive(&h, 0), HELLO_RESET);
	assert_int_equal(h.expected, 1);
}

static void test_wraparound(void **state)
{
	(void)state;
	struct hello_history h;
	hello_history_init(&h);
	assert_int_equal(hello_history_receive(&h, 65534), HELLO_FIRST);
	assert_int_equal(hello_history_receive(&h, 65535), HELLO_IN_ORDER);
	assert_int_equal(h.expected, 0);
	assert_int_equal(hello_history_receive(&h, 0), HELLO_IN_ORDER);
	assert_int_equal(hello_history_receive(&h, 1), HELLO_IN_ORDER);
	assert_int_equal(h.bits, 0xf);
	/* Loss across the wrap: expect 65530, get 3 (9 ahead). */
	hello_history_init(&h);
	hello_history_receive(&h, 65529);
	assert_int_equal(hello_history_receive(&h, 3), HELLO_LOST);
	assert_int_equal(h.bits, 0x401); /* 1, nine zeros, 1 */
	assert_int_equal(h.expected, 4);
	/* Late Hello across the wrap: expect 4, get 65535 (5 behind). */
	assert_int_equal(hello_history_receive(&h, 65535), HELLO_UNDONE);
	assert_int_equal(h.bits, 0x41); /* 0x401 >> 5 = 0x20, then a 1 appended */
	assert_int_equal(h.expected, 0);
	/* Timer expiry wraps the expected seqno too. */
	hello_history_init(&h);
	hello_history_receive(&h, 65535);
	hello_history_missed(&h);
	assert_int_equal(h.expected, 1);
	assert_int_equal(hello_history_receive(&h, 1), HELLO_IN_ORDER);
	assert_int_equal(h.bits, 0x5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seqno_diff),
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_losses),
		cmocka_unit_test(test_timer_expiry),
		cmocka_unit_test(test_late_and_duplicate),
		cmocka_unit_test(test_large_jumps),
		cmocka_unit_test(test_wraparound),
	};
	return cmocka_run_group_tests_name("core_hello_history", tests, NULL, NULL);
}
