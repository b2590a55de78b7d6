# AX.25 UI frames, KISS framing, callsign <-> IPv6 link-local: the codecs,
# their unit tests, the tshark cross-check and the fuzz targets.
proto_libmailleproto_a_SOURCES += \
	proto/ax25.c proto/ax25.h \
	proto/kiss.c proto/kiss.h \
	proto/callsign_ll.c proto/callsign_ll.h

ax25_test_ldadd = proto/libmailleproto.a tests/lib/libtestlib.a $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_ax25 tests/unit/test_kiss tests/unit/test_callsign_ll
TESTS += tests/unit/test_ax25 tests/unit/test_kiss tests/unit/test_callsign_ll

tests_unit_test_ax25_SOURCES = tests/unit/test_ax25.c
tests_unit_test_ax25_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_ax25_LDADD = $(ax25_test_ldadd)

tests_unit_test_kiss_SOURCES = tests/unit/test_kiss.c
tests_unit_test_kiss_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_kiss_LDADD = $(ax25_test_ldadd)

tests_unit_test_callsign_ll_SOURCES = tests/unit/test_callsign_ll.c
tests_unit_test_callsign_ll_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_callsign_ll_LDADD = $(ax25_test_ldadd)

# tshark decodes what our encoders write (pcap link types 3 and 202).
check_PROGRAMS += tests/interop/tshark_ax25_gen
tests_interop_tshark_ax25_gen_SOURCES = tests/interop/tshark_ax25_gen.c
tests_interop_tshark_ax25_gen_LDADD = proto/libmailleproto.a tests/lib/libtestlib.a
TESTS += tests/interop/tshark_ax25.sh
EXTRA_DIST += tests/interop/tshark_ax25.sh

# Seed corpora (make fuzz-run reads tests/fuzz/corpus/<target minus fuzz_>).
EXTRA_DIST += \
	tests/fuzz/corpus/ax25/ll_f4abc7 \
	tests/fuzz/corpus/ax25/sabm \
	tests/fuzz/corpus/ax25/spec_nj7p \
	tests/fuzz/corpus/ax25/text_call \
	tests/fuzz/corpus/ax25/truncated \
	tests/fuzz/corpus/ax25/ui_8digis \
	tests/fuzz/corpus/ax25/ui_babel \
	tests/fuzz/corpus/ax25/ui_digis \
	tests/fuzz/corpus/ax25/ui_pf_response \
	tests/fuzz/corpus/ax25/ui_v1 \
	tests/fuzz/corpus/kiss/data_frames \
	tests/fuzz/corpus/kiss/escapes \
	tests/fuzz/corpus/kiss/garbage \
	tests/fuzz/corpus/kiss/oversized \
	tests/fuzz/corpus/kiss/params \
	tests/fuzz/corpus/kiss/txbuf

if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_ax25 tests/fuzz/fuzz_kiss
fuzz_targets += tests/fuzz/fuzz_ax25 tests/fuzz/fuzz_kiss
tests_fuzz_fuzz_ax25_SOURCES = tests/fuzz/fuzz_ax25.c
tests_fuzz_fuzz_ax25_LDADD = proto/libmailleproto.a
tests_fuzz_fuzz_ax25_LDFLAGS = -fsanitize=fuzzer $(AM_LDFLAGS)
tests_fuzz_fuzz_kiss_SOURCES = tests/fuzz/fuzz_kiss.c
tests_fuzz_fuzz_kiss_LDADD = proto/libmailleproto.a
tests_fuzz_fuzz_kiss_LDFLAGS = -fsanitize=fuzzer $(AM_LDFLAGS)
endif
