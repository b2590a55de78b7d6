# The one capture reader (pcap, pcapng) and the IPv6/UDP finder, a library
# because a tool (mailledump) and unit tests of other parts (the Babel codec
# and MAC against babeld's captures) all read captures through it.  It
# allocates and does I/O, so it stays out of proto/.
noinst_LIBRARIES += tools/libmaillepcap.a
tools_libmaillepcap_a_SOURCES = tools/pcapfile.c tools/pcapfile.h \
	tools/pcap_udp6.c tools/pcap_udp6.h

# The reader on files built octet by octet: both formats and byte orders,
# timestamps, truncated and corrupt input.
check_PROGRAMS += tests/unit/test_pcapfile
TESTS += tests/unit/test_pcapfile
tests_unit_test_pcapfile_SOURCES = tests/unit/test_pcapfile.c
tests_unit_test_pcapfile_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_pcapfile_LDADD = tools/libmaillepcap.a $(CMOCKA_LIBS)

if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_pcapfile
fuzz_targets += tests/fuzz/fuzz_pcapfile
tests_fuzz_fuzz_pcapfile_SOURCES = tests/fuzz/fuzz_pcapfile.c
tests_fuzz_fuzz_pcapfile_LDADD = tools/libmaillepcap.a
tests_fuzz_fuzz_pcapfile_LDFLAGS = -fsanitize=fuzzer $(AM_LDFLAGS)
endif
EXTRA_DIST += tests/fuzz/fuzz_pcapfile.c tests/fuzz/corpus/pcapfile
