/* The state file (src/sys/state.c): round trip, a missing file, malformed
 * and out-of-range lines, unknown keys from newer versions, and the atomic
 * write leaving no temporary file behind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/sys/log.h"
#include "src/sys/state.h"

static char dir[64];
static char path[128];

static int setup(void **st)
{
	(void)st;
	snprintf(dir, sizeof(dir), "/tmp/test_sys_state.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/state", dir);
	log_init(-3, false); /* silence the warnings the bad files cause */
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	char tmp[160];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	unlink(path);
	rmdir(dir);
	return 0;
}

static void write_text(const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_missing(void **st)
{
	(void)st;
	struct state s;
	unlink(path);
	assert_int_equal(state_read(path, &s), 1);
	assert_false(s.has_seqno);
	assert_false(s.has_router_id);
}

static void test_round_trip(void **st)
{
	(void)st;
	struct state w = {.has_seqno = true, .seqno = 65535, .has_router_id = true,
			  .router_id = {0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55}};
	assert_int_equal(state_write(path, &w), 0);
	struct state r;
	assert_int_equal(state_read(path, &r), 0);
	assert_true(r.has_seqno);
	assert_int_equal(r.seqno, 65535);
	assert_true(r.has_router_id);
	assert_memory_equal(r.router_id, w.router_id, 8);
	/* Written through a temporary file renamed into place. */
	char tmp[160];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(access(tmp, F_OK), -1);

	/* Overwriting keeps only the new content. */
	w.seqno = 7;
	w.has_router_id = false;
	assert_int_equal(state_write(path, &w), 0);
	assert_int_equal(state_read(path, &r), 0);
	assert_int_equal(r.seqno, 7);
	assert_false(r.has_router_id);
}

static void test_seqno_zero_and_only(void **st)
{
	(void)st;
	struct state w = {.has_seqno = true, .seqno = 0};
	assert_int_equal(state_write(path, &w), 0);
	struct state r;
	assert_int_equal(state_read(path, &r), 0);
	assert_true(r.has_seqno);
	assert_int_equal(r.seqno, 0);
	assert_false(r.has_router_id);
}

static void test_comments_unknown_keys(void **st)
{
	(void)st;
	write_text("# written by a newer mailled\n\nseqno 42\nmac-counter 1234\n"
		   "router-id 00:01:02:03:04:05:06:07\n");
	struct state r;
	assert_int_equal(state_read(path, &r), 0);
	assert_true(r.has_seqno);
	assert_int_equal(r.seqno, 42);
	assert_true(r.has_router_id);
	static const uint8_t id[8] = {0, 1, 2, 3, 4, 5, 6, 7};
	assert_memory_equal(r.router_id, id, 8);
}

static void test_malformed(void **st)
{
	(void)st;
	struct state r;
	/* What is understood is kept; the file is reported as damaged. */
	write_text("seqno 65536\nrouter-id 00:01:02:03:04:05:06:07\n");
	assert_int_equal(state_read(path, &r), -1);
	assert_false(r.has_seqno);
	assert_true(r.has_router_id);

	write_text("seqno 12x\n");
	assert_int_equal(state_read(path, &r), -1);
	assert_false(r.has_seqno);

	write_text("seqno -1\n");
	assert_int_equal(state_read(path, &r), -1);
	assert_false(r.has_seqno);

	write_text("seqno\n");
	assert_int_equal(state_read(path, &r), -1);

	write_text("router-id 00:01:02:03:04:05:06\nseqno 9\n");
	assert_int_equal(state_read(path, &r), -1);
	assert_false(r.has_router_id);
	assert_true(r.has_seqno);
	assert_int_equal(r.seqno, 9);

	write_text("router-id 00:01:02:03:04:05:06:100\n");
	assert_int_equal(state_read(path, &r), -1);
	assert_false(r.has_router_id);
}

static void test_no_trailing_newline(void **st)
{
	(void)st;
	write_text("seqno 513");
	struct state r;
	assert_int_equal(state_read(path, &r), 0);
	assert_int_equal(r.seqno, 513);
}

static void test_unwritable(void **st)
{
	(void)st;
	struct state w = {.has_seqno = true, .seqno = 1};
	char bad[200];
	snprintf(bad, sizeof(bad), "%s/no/such/dir/state", dir);
	assert_int_equal(state_write(bad, &w), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_seqno_zero_and_only),
		cmocka_unit_test(test_comments_unknown_keys),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_no_trailing_newline),
		cmocka_unit_test(test_unwritable),
	};
	return cmocka_run_group_tests_name("sys_state", tests, setup, teardown);
}
