# The radio link's data plane: link-layer fragmentation (radio_frag),
# longest-prefix forwarding and the advertised MSS (radio_fwd), the TUN
# device (tun); their unit tests, integration test and fuzz target.
if DAEMON
noinst_LIBRARIES += src/sys/libmailleradio.a
src_sys_libmailleradio_a_SOURCES = \
	src/sys/radio_frag.c src/sys/radio_frag.h \
	src/sys/radio_fwd.c src/sys/radio_fwd.h \
	src/sys/tun.c src/sys/tun.h
src_sys_libmailleradio_a_CFLAGS = $(AM_CFLAGS) $(MNL_CFLAGS)

# In the daemon: one data plane per radio interface (radio_data).
src_mailled_SOURCES += src/sys/radio_data.c src/sys/radio_data.h \
	src/sys/radio_frag.c src/sys/radio_fwd.c src/sys/tun.c

radio_test_ldadd = src/sys/libmailleradio.a src/core/libmaillecore.a proto/libmailleproto.a \
	tests/lib/libtestlib.a $(CMOCKA_LIBS) $(NETTLE_LIBS) $(MNL_LIBS)
check_PROGRAMS += tests/unit/test_radio_frag tests/unit/test_radio_fwd
TESTS += tests/unit/test_radio_frag tests/unit/test_radio_fwd
tests_unit_test_radio_frag_SOURCES = tests/unit/test_radio_frag.c
tests_unit_test_radio_frag_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_radio_frag_LDADD = $(radio_test_ldadd)
tests_unit_test_radio_fwd_SOURCES = tests/unit/test_radio_fwd.c
tests_unit_test_radio_fwd_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_radio_fwd_LDADD = $(radio_test_ldadd)

# The TUN device in a network namespace (skipped without root or ip netns).
check_PROGRAMS += tests/integ/tun_probe
tests_integ_tun_probe_SOURCES = tests/integ/tun_probe.c
tests_integ_tun_probe_LDADD = src/sys/libmailleradio.a proto/libmailleproto.a $(MNL_LIBS)
TESTS += tests/integ/tun.sh
EXTRA_DIST += tests/integ/tun.sh

# IP across the radio through kisssim at 1200 baud, in network namespaces:
# two sites ping each other (radio_ping.sh), three stations where two
# cannot hear each other reach everyone through the third (radio_three.sh).
TESTS += tests/integ/radio_ping.sh tests/integ/radio_three.sh tests/integ/radio_reload.sh
EXTRA_DIST += tests/integ/radio_ping.sh tests/integ/radio_three.sh tests/integ/radio_reload.sh \
	tests/lib/radio_sites.sh

if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_radio_frag
fuzz_targets += tests/fuzz/fuzz_radio_frag
tests_fuzz_fuzz_radio_frag_SOURCES = tests/fuzz/fuzz_radio_frag.c
tests_fuzz_fuzz_radio_frag_LDADD = src/sys/libmailleradio.a src/core/libmaillecore.a \
	proto/libmailleproto.a $(NETTLE_LIBS)
tests_fuzz_fuzz_radio_frag_LDFLAGS = -fsanitize=fuzzer $(AM_LDFLAGS)
endif
endif
EXTRA_DIST += tests/fuzz/fuzz_radio_frag.c \
	tests/fuzz/corpus/radio_frag/two_fragments \
	tests/fuzz/corpus/radio_frag/reordered \
	tests/fuzz/corpus/radio_frag/overlap \
	tests/fuzz/corpus/radio_frag/many_sources
