# RFC 8967 MAC authentication (src/core/mac.c): keys, MACs, anti-replay state.
src_core_libmaillecore_a_SOURCES += src/core/mac.c src/core/mac.h

check_PROGRAMS += tests/unit/test_core_mac
TESTS += tests/unit/test_core_mac
tests_unit_test_core_mac_SOURCES = tests/unit/test_core_mac.c
tests_unit_test_core_mac_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(NETTLE_CFLAGS)
tests_unit_test_core_mac_LDADD = src/core/libmaillecore.a tools/libmaillepcap.a \
	proto/libmailleproto.a tests/lib/libtestlib.a $(CMOCKA_LIBS) $(NETTLE_LIBS)
# Known answers: babeld 1.12's own packets with HMAC-SHA256.
EXTRA_DIST += tests/data/babeld-1.12-hmac.pcap
