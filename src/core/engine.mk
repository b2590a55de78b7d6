# The Babel engine (issue 3): sources of src/core/ owned by the engine,
# and its unit tests.
src_core_libmaillecore_a_SOURCES += \
	src/core/engine.h src/core/engine_internal.h src/core/engine.c \
	src/core/filter.c src/core/filter.h \
	src/core/interface.c src/core/outbuf.c src/core/neighbour.c \
	src/core/source.c src/core/route.c src/core/xroute.c \
	src/core/update.c src/core/request.c src/core/ack.c src/core/receive.c \
	src/core/reconfigure.c

engine_unit_ldadd = src/core/libmaillecore.a proto/libmailleproto.a tests/lib/libtestlib.a $(CMOCKA_LIBS) $(NETTLE_LIBS)
engine_unit_cflags = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

engine_unit_tests = \
	tests/unit/test_engine_neighbour \
	tests/unit/test_engine_route \
	tests/unit/test_engine_request \
	tests/unit/test_engine_update \
	tests/unit/test_engine_triangle \
	tests/unit/test_engine_reconfigure \
	tests/unit/test_engine_counters
check_PROGRAMS += $(engine_unit_tests)
TESTS += $(engine_unit_tests)

tests_unit_test_engine_neighbour_SOURCES = tests/unit/test_engine_neighbour.c tests/unit/test_engine_util.h tests/unit/test_engine_util.c
tests_unit_test_engine_neighbour_CFLAGS = $(engine_unit_cflags)
tests_unit_test_engine_neighbour_LDADD = $(engine_unit_ldadd)

tests_unit_test_engine_route_SOURCES = tests/unit/test_engine_route.c tests/unit/test_engine_util.h tests/unit/test_engine_util.c
tests_unit_test_engine_route_CFLAGS = $(engine_unit_cflags)
tests_unit_test_engine_route_LDADD = $(engine_unit_ldadd)

tests_unit_test_engine_request_SOURCES = tests/unit/test_engine_request.c tests/unit/test_engine_util.h tests/unit/test_engine_util.c
tests_unit_test_engine_request_CFLAGS = $(engine_unit_cflags)
tests_unit_test_engine_request_LDADD = $(engine_unit_ldadd)

tests_unit_test_engine_update_SOURCES = tests/unit/test_engine_update.c tests/unit/test_engine_util.h tests/unit/test_engine_util.c
tests_unit_test_engine_update_CFLAGS = $(engine_unit_cflags)
tests_unit_test_engine_update_LDADD = $(engine_unit_ldadd)

tests_unit_test_engine_counters_SOURCES = tests/unit/test_engine_counters.c
tests_unit_test_engine_counters_CFLAGS = $(engine_unit_cflags)
tests_unit_test_engine_counters_LDADD = $(engine_unit_ldadd)

# The triangle of make demo on tests/lib/netsim's simulated links.
tests_unit_test_engine_triangle_SOURCES = tests/unit/test_engine_triangle.c
tests_unit_test_engine_triangle_CFLAGS = $(engine_unit_cflags)
tests_unit_test_engine_triangle_LDADD = tests/lib/libnetsim.a $(engine_unit_ldadd)

tests_unit_test_engine_reconfigure_SOURCES = tests/unit/test_engine_reconfigure.c
tests_unit_test_engine_reconfigure_CFLAGS = $(engine_unit_cflags)
tests_unit_test_engine_reconfigure_LDADD = tests/lib/libnetsim.a $(engine_unit_ldadd)
