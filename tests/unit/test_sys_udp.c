/* The UDP edge's send errors (src/sys/udp.c): an interface where sending
 * fails is logged once when it starts failing (again if the error
 * changes) and once when it works again, with the number of packets that
 * could not go, never at every packet.  sendmsg() and log_msg() are
 * replaced (ld --wrap) so that the failures and the log are the test's. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "src/sys/log.h"
#include "src/sys/udp.h"

static int fail_with; /* 0: sendmsg works */
static char logged[16][256];
static int nlogged;

ssize_t __wrap_sendmsg(int fd, const struct msghdr *m, int flags);
ssize_t __wrap_sendmsg(int fd, const struct msghdr *m, int flags)
{
	(void)fd, (void)flags;
	if (fail_with) {
		errno = fail_with;
		return -1;
	}
	return (ssize_t)m->msg_iov[0].iov_len;
}

__attribute__((format(printf, 2, 3))) void __wrap_log_msg(int level, const char *fmt, ...);
void __wrap_log_msg(int level, const char *fmt, ...)
{
	(void)level;
	va_list ap;
	va_start(ap, fmt);
	if (nlogged < 16)
		vsnprintf(logged[nlogged++], sizeof(logged[0]), fmt, ap);
	va_end(ap);
}

static bool own(void *arg, const struct link_addr *a)
{
	(void)arg, (void)a;
	return false;
}

static void packet(void *arg, uint32_t ifindex, const struct link_addr *from, bool mcast,
		   const uint8_t *pkt, size_t len)
{
	(void)arg, (void)ifindex, (void)from, (void)mcast, (void)pkt, (void)len;
}

static struct udp u;

static int setup(void **st)
{
	(void)st;
	nlogged = 0;
	fail_with = 0;
	/* Port 0: any free port, no privilege needed. */
	return udp_open(&u, 0, own, packet, NULL);
}

static int teardown(void **st)
{
	(void)st;
	udp_close(&u);
	return 0;
}

static void send_n(uint32_t ifindex, int n)
{
	static const uint8_t pkt[8] = { 42, 2 };
	for (int i = 0; i < n; i++)
		udp_send(&u, ifindex, NULL, NULL, pkt, sizeof pkt, 1000 + (uint64_t)i);
}

static void test_logged_once_then_recovery(void **st)
{
	(void)st;
	fail_with = EPERM;
	send_n(1, 50);
	assert_int_equal(nlogged, 1);
	assert_non_null(strstr(logged[0], "fails: "));
	assert_non_null(strstr(logged[0], strerror(EPERM)));
	assert_int_equal(u.stats.send_errors, 50);
	/* Another error is news. */
	fail_with = ENOBUFS;
	send_n(1, 3);
	assert_int_equal(nlogged, 2);
	assert_non_null(strstr(logged[1], strerror(ENOBUFS)));
	/* Working again: said once, with what was lost. */
	fail_with = 0;
	send_n(1, 5);
	assert_int_equal(nlogged, 3);
	assert_non_null(strstr(logged[2], "works again (53 packets"));
	assert_int_equal(u.stats.sent, 5);
}

static void test_many_interfaces_stay_bounded(void **st)
{
	(void)st;
	fail_with = ENETDOWN;
	for (uint32_t i = 1; i <= 20; i++)
		send_n(i, 10);
	/* One line per interface the table holds (8), the rest rate-limited
	 * (log_limited, not wrapped: nothing reaches log_msg from it here
	 * beyond its own budget). */
	assert_true(nlogged >= 8 && nlogged <= 16);
	fail_with = 0;
	int before = nlogged;
	send_n(3, 1);
	assert_int_equal(nlogged, before + 1);
	send_n(3, 1);
	assert_int_equal(nlogged, before + 1);
}

static void test_leave_forgets(void **st)
{
	(void)st;
	fail_with = EPERM;
	send_n(1, 2);
	assert_int_equal(nlogged, 1);
	udp_leave(&u, 1); /* may log that lo has no membership to drop */
	int before = nlogged;
	fail_with = 0;
	send_n(1, 1);
	assert_int_equal(nlogged, before); /* no "works again" for a link Babel left */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_logged_once_then_recovery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_interfaces_stay_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leave_forgets, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
