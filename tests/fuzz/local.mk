# Fuzz targets that span modules; each codec's own target sits in its fragment.
if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_engine
fuzz_targets += tests/fuzz/fuzz_engine
tests_fuzz_fuzz_engine_SOURCES = tests/fuzz/fuzz_engine.c
tests_fuzz_fuzz_engine_LDADD = src/core/libmaillecore.a proto/libmailleproto.a $(NETTLE_LIBS)
tests_fuzz_fuzz_engine_LDFLAGS = -fsanitize=fuzzer $(AM_LDFLAGS)
endif
EXTRA_DIST += tests/fuzz/fuzz_engine.c tests/fuzz/corpus/engine/babeld-seq0 \
	tests/fuzz/corpus/engine/babeld-seq1 tests/fuzz/corpus/engine/babeld-seq2
