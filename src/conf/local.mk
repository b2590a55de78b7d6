# src/conf/: the configuration lexer, parser and printer (part of the daemon).
noinst_LIBRARIES += src/conf/libmailleconf.a
src_conf_libmailleconf_a_SOURCES = \
	src/conf/conf.h src/conf/conf.c \
	src/conf/lexer.h src/conf/lexer.c \
	src/conf/parser.c \
	src/conf/printer.c

conf_test_ldadd = src/conf/libmailleconf.a src/core/libmaillecore.a proto/libmailleproto.a \
	tests/lib/libtestlib.a $(CMOCKA_LIBS) $(NETTLE_LIBS)

check_PROGRAMS += tests/unit/test_conf
TESTS += tests/unit/test_conf
tests_unit_test_conf_SOURCES = tests/unit/test_conf.c
tests_unit_test_conf_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_conf_LDADD = $(conf_test_ldadd)

EXTRA_DIST += \
	tests/data/conf/good-babeld.conf \
	tests/data/conf/good-full.conf \
	tests/data/conf/good-empty.conf \
	tests/data/conf/bad-errors.conf \
	tests/data/conf/bad-errors.expected

if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_conf
fuzz_targets += tests/fuzz/fuzz_conf
tests_fuzz_fuzz_conf_SOURCES = tests/fuzz/fuzz_conf.c
tests_fuzz_fuzz_conf_LDADD = src/conf/libmailleconf.a src/core/libmaillecore.a proto/libmailleproto.a
tests_fuzz_fuzz_conf_LDFLAGS = -fsanitize=fuzzer $(AM_LDFLAGS)
endif
EXTRA_DIST += tests/fuzz/fuzz_conf.c \
	tests/fuzz/corpus/conf/full \
	tests/fuzz/corpus/conf/babeld \
	tests/fuzz/corpus/conf/errors
