# The Babel packet codec (RFC 8966, 8967, 9079, 9229, 9616) and its tests.
proto_libmailleproto_a_SOURCES += proto/babel.h proto/babel_internal.h \
	proto/babel.c proto/babel_decode.c proto/babel_encode.c

babel_test_cflags = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
babel_test_ldadd = proto/libmailleproto.a tests/lib/libtestlib.a $(CMOCKA_LIBS)

# Known answers from the RFC layouts, malformed inputs, encoder rules.
check_PROGRAMS += tests/unit/test_babel
TESTS += tests/unit/test_babel
tests_unit_test_babel_SOURCES = tests/unit/test_babel.c
tests_unit_test_babel_CFLAGS = $(babel_test_cflags)
tests_unit_test_babel_LDADD = $(babel_test_ldadd)

# Real babeld 1.12 traffic, its HMAC checked with the pseudo-header.
check_PROGRAMS += tests/unit/test_babel_capture
TESTS += tests/unit/test_babel_capture
tests_unit_test_babel_capture_SOURCES = tests/unit/test_babel_capture.c
tests_unit_test_babel_capture_CFLAGS = $(babel_test_cflags) $(NETTLE_CFLAGS)
# (the captures are read with tools/pcapfile, the project's one reader)
tests_unit_test_babel_capture_LDADD = tools/libmaillepcap.a $(babel_test_ldadd) $(NETTLE_LIBS)
EXTRA_DIST += tests/data/babeld-1.12-plain.pcap tests/data/babeld-1.12-hmac.pcap

# Seeded random round trips: encode, decode, encode.
check_PROGRAMS += tests/unit/test_babel_roundtrip
TESTS += tests/unit/test_babel_roundtrip
tests_unit_test_babel_roundtrip_SOURCES = tests/unit/test_babel_roundtrip.c
tests_unit_test_babel_roundtrip_CFLAGS = $(babel_test_cflags)
tests_unit_test_babel_roundtrip_LDADD = $(babel_test_ldadd)

# tshark decodes what we encode and must agree with what we meant.
check_PROGRAMS += tests/interop/tshark_babel_gen
tests_interop_tshark_babel_gen_SOURCES = tests/interop/tshark_babel_gen.c
tests_interop_tshark_babel_gen_LDADD = proto/libmailleproto.a tests/lib/libtestlib.a
TESTS += tests/interop/tshark_babel.sh
EXTRA_DIST += tests/interop/tshark_babel.sh

if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_babel
fuzz_targets += tests/fuzz/fuzz_babel
tests_fuzz_fuzz_babel_SOURCES = tests/fuzz/fuzz_babel.c
tests_fuzz_fuzz_babel_LDADD = proto/libmailleproto.a
tests_fuzz_fuzz_babel_LDFLAGS = -fsanitize=fuzzer $(AM_LDFLAGS)
endif
EXTRA_DIST += tests/fuzz/corpus/babel

# Decoding speed (make bench, not make check).
noinst_PROGRAMS += tests/bench/bench_babel_decode
bench_programs += tests/bench/bench_babel_decode
tests_bench_bench_babel_decode_SOURCES = tests/bench/bench_babel_decode.c
tests_bench_bench_babel_decode_LDADD = proto/libmailleproto.a
