# The control protocol and socket (src/sys/control_*), maillectl, their
# tests and fuzz target (issue 5).  The library needs only libc and the
# core, so the daemon, maillectl's tests and the fuzzer all link it.
noinst_LIBRARIES += src/sys/libmaillecontrol.a
src_sys_libmaillecontrol_a_SOURCES = \
	src/sys/control_proto.c src/sys/control_proto.h \
	src/sys/control_socket.c src/sys/control_socket.h

control_unit_ldadd = src/sys/libmaillecontrol.a src/core/libmaillecore.a proto/libmailleproto.a \
	tests/lib/libtestlib.a $(CMOCKA_LIBS) $(NETTLE_LIBS)

check_PROGRAMS += tests/unit/test_control_proto tests/unit/test_control_socket
TESTS += tests/unit/test_control_proto tests/unit/test_control_socket
tests_unit_test_control_proto_SOURCES = tests/unit/test_control_proto.c \
	tests/unit/test_engine_util.c tests/unit/test_engine_util.h
tests_unit_test_control_proto_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_control_proto_LDADD = $(control_unit_ldadd)
tests_unit_test_control_socket_SOURCES = tests/unit/test_control_socket.c \
	tests/unit/test_engine_util.c tests/unit/test_engine_util.h
tests_unit_test_control_socket_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_control_socket_LDADD = $(control_unit_ldadd)

if DAEMON
bin_PROGRAMS += tools/maillectl
tools_maillectl_SOURCES = tools/maillectl.c
tools_maillectl_LDADD = src/core/libmaillecore.a
# mailled's control socket end to end, with babeld beside it.
TESTS += tests/integ/control.sh
endif
EXTRA_DIST += tests/integ/control.sh
dist_man_MANS += tools/maillectl.8

EXTRA_DIST += tests/data/control/README tests/data/control/babeld-dump.txt \
	tests/data/control/babeld-dump-xroutes.txt tests/data/control/babeld-monitor.txt

if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_control
fuzz_targets += tests/fuzz/fuzz_control
tests_fuzz_fuzz_control_SOURCES = tests/fuzz/fuzz_control.c
tests_fuzz_fuzz_control_LDADD = src/sys/libmaillecontrol.a src/core/libmaillecore.a \
	proto/libmailleproto.a $(NETTLE_LIBS)
tests_fuzz_fuzz_control_LDFLAGS = -fsanitize=fuzzer $(AM_LDFLAGS)
endif
EXTRA_DIST += tests/fuzz/fuzz_control.c \
	tests/fuzz/corpus/control/dump tests/fuzz/corpus/control/session \
	tests/fuzz/corpus/control/config tests/fuzz/corpus/control/junk
