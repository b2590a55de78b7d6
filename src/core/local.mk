# src/core/: the Babel engine, without I/O (only libc). Other parts of the
# core add their sources with src_core_libmaillecore_a_SOURCES += ...
noinst_LIBRARIES += src/core/libmaillecore.a
src_core_libmaillecore_a_SOURCES = \
	src/core/list.h \
	src/core/hashmap.c src/core/hashmap.h \
	src/core/timer_heap.c src/core/timer_heap.h \
	src/core/random.c src/core/random.h \
	src/core/prefix.c src/core/prefix.h \
	src/core/hello_history.c src/core/hello_history.h \
	src/core/link_cost.c src/core/link_cost.h \
	src/core/smoothing.c src/core/smoothing.h

# Unit tests of the building blocks.
core_unit_ldadd = src/core/libmaillecore.a proto/libmailleproto.a tests/lib/libtestlib.a $(CMOCKA_LIBS) $(NETTLE_LIBS)
core_unit_cflags = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

core_unit_tests = \
	tests/unit/test_core_list \
	tests/unit/test_core_hashmap \
	tests/unit/test_core_timer_heap \
	tests/unit/test_core_random \
	tests/unit/test_core_prefix \
	tests/unit/test_core_hello_history \
	tests/unit/test_core_link_cost \
	tests/unit/test_core_smoothing
check_PROGRAMS += $(core_unit_tests)
TESTS += $(core_unit_tests)

tests_unit_test_core_list_SOURCES = tests/unit/test_core_list.c
tests_unit_test_core_list_CFLAGS = $(core_unit_cflags)
tests_unit_test_core_list_LDADD = $(core_unit_ldadd)

tests_unit_test_core_hashmap_SOURCES = tests/unit/test_core_hashmap.c
tests_unit_test_core_hashmap_CFLAGS = $(core_unit_cflags)
tests_unit_test_core_hashmap_LDADD = $(core_unit_ldadd)

tests_unit_test_core_timer_heap_SOURCES = tests/unit/test_core_timer_heap.c
tests_unit_test_core_timer_heap_CFLAGS = $(core_unit_cflags)
tests_unit_test_core_timer_heap_LDADD = $(core_unit_ldadd)

tests_unit_test_core_random_SOURCES = tests/unit/test_core_random.c
tests_unit_test_core_random_CFLAGS = $(core_unit_cflags)
tests_unit_test_core_random_LDADD = $(core_unit_ldadd)

tests_unit_test_core_prefix_SOURCES = tests/unit/test_core_prefix.c
tests_unit_test_core_prefix_CFLAGS = $(core_unit_cflags)
tests_unit_test_core_prefix_LDADD = $(core_unit_ldadd)

tests_unit_test_core_hello_history_SOURCES = tests/unit/test_core_hello_history.c
tests_unit_test_core_hello_history_CFLAGS = $(core_unit_cflags)
tests_unit_test_core_hello_history_LDADD = $(core_unit_ldadd)

tests_unit_test_core_link_cost_SOURCES = tests/unit/test_core_link_cost.c
tests_unit_test_core_link_cost_CFLAGS = $(core_unit_cflags)
tests_unit_test_core_link_cost_LDADD = $(core_unit_ldadd)

tests_unit_test_core_smoothing_SOURCES = tests/unit/test_core_smoothing.c
tests_unit_test_core_smoothing_CFLAGS = $(core_unit_cflags)
tests_unit_test_core_smoothing_LDADD = $(core_unit_ldadd)

include $(top_srcdir)/src/core/mac.mk
include $(top_srcdir)/src/core/engine.mk
