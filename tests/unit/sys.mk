# Unit tests of src/sys/ pieces that need no kernel: the state file and the
# log rate limiter (built from their sources, without the daemon).
if DAEMON
sys_unit_tests = tests/unit/test_sys_state tests/unit/test_sys_log
check_PROGRAMS += $(sys_unit_tests)
TESTS += $(sys_unit_tests)
tests_unit_test_sys_state_SOURCES = tests/unit/test_sys_state.c src/sys/state.c src/sys/log.c
tests_unit_test_sys_state_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sys_state_LDADD = $(CMOCKA_LIBS)
tests_unit_test_sys_log_SOURCES = tests/unit/test_sys_log.c src/sys/log.c
tests_unit_test_sys_log_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sys_log_LDADD = $(CMOCKA_LIBS)
endif
