# Unit tests of src/sys/ pieces that need no kernel: the state file, the
# log rate limiter, the UDP edge's send errors (built from their sources,
# without the daemon).
if DAEMON
sys_unit_tests = tests/unit/test_sys_state tests/unit/test_sys_log tests/unit/test_sys_udp
check_PROGRAMS += $(sys_unit_tests)
TESTS += $(sys_unit_tests)
tests_unit_test_sys_state_SOURCES = tests/unit/test_sys_state.c src/sys/state.c src/sys/log.c
tests_unit_test_sys_state_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sys_state_LDADD = $(CMOCKA_LIBS)
tests_unit_test_sys_log_SOURCES = tests/unit/test_sys_log.c src/sys/log.c
tests_unit_test_sys_log_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sys_log_LDADD = $(CMOCKA_LIBS)
# sendmsg and log_msg replaced by the test (ld --wrap): send errors on demand.
tests_unit_test_sys_udp_SOURCES = tests/unit/test_sys_udp.c src/sys/udp.c src/sys/log.c
tests_unit_test_sys_udp_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sys_udp_LDFLAGS = -Wl,--wrap=sendmsg -Wl,--wrap=log_msg
tests_unit_test_sys_udp_LDADD = $(CMOCKA_LIBS)
endif
