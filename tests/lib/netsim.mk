# The in-memory multi-engine network (tests/lib/netsim.[ch]), the topology
# tests built on it, and the engine benchmark (make bench, not make check).
check_LIBRARIES += tests/lib/libnetsim.a
tests_lib_libnetsim_a_SOURCES = tests/lib/netsim.c tests/lib/netsim.h

mesh_test_cflags = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
mesh_test_ldadd = tests/lib/libnetsim.a src/core/libmaillecore.a proto/libmailleproto.a \
	tests/lib/libtestlib.a $(CMOCKA_LIBS) $(NETTLE_LIBS)

mesh_tests = \
	tests/unit/test_mesh_line \
	tests/unit/test_mesh_ring \
	tests/unit/test_mesh_full \
	tests/unit/test_mesh_retract \
	tests/unit/test_mesh_lossy \
	tests/unit/test_mesh_restart \
	tests/unit/test_mesh_determinism \
	tests/unit/test_mesh_regressions
check_PROGRAMS += $(mesh_tests)
TESTS += $(mesh_tests)

tests_unit_test_mesh_line_SOURCES = tests/unit/test_mesh_line.c
tests_unit_test_mesh_line_CFLAGS = $(mesh_test_cflags)
tests_unit_test_mesh_line_LDADD = $(mesh_test_ldadd)

tests_unit_test_mesh_ring_SOURCES = tests/unit/test_mesh_ring.c
tests_unit_test_mesh_ring_CFLAGS = $(mesh_test_cflags)
tests_unit_test_mesh_ring_LDADD = $(mesh_test_ldadd)

tests_unit_test_mesh_full_SOURCES = tests/unit/test_mesh_full.c
tests_unit_test_mesh_full_CFLAGS = $(mesh_test_cflags)
tests_unit_test_mesh_full_LDADD = $(mesh_test_ldadd)

tests_unit_test_mesh_retract_SOURCES = tests/unit/test_mesh_retract.c
tests_unit_test_mesh_retract_CFLAGS = $(mesh_test_cflags)
tests_unit_test_mesh_retract_LDADD = $(mesh_test_ldadd)

tests_unit_test_mesh_lossy_SOURCES = tests/unit/test_mesh_lossy.c
tests_unit_test_mesh_lossy_CFLAGS = $(mesh_test_cflags)
tests_unit_test_mesh_lossy_LDADD = $(mesh_test_ldadd)

# The engine bugs the mesh once showed, with tight bounds (see its header).
tests_unit_test_mesh_regressions_SOURCES = tests/unit/test_mesh_regressions.c
tests_unit_test_mesh_regressions_CFLAGS = $(mesh_test_cflags)
tests_unit_test_mesh_regressions_LDADD = $(mesh_test_ldadd)

tests_unit_test_mesh_restart_SOURCES = tests/unit/test_mesh_restart.c
tests_unit_test_mesh_restart_CFLAGS = $(mesh_test_cflags)
tests_unit_test_mesh_restart_LDADD = $(mesh_test_ldadd)

tests_unit_test_mesh_determinism_SOURCES = tests/unit/test_mesh_determinism.c
tests_unit_test_mesh_determinism_CFLAGS = $(mesh_test_cflags)
tests_unit_test_mesh_determinism_LDADD = $(mesh_test_ldadd)

# One engine fed a neighbour's full table of 10k and 100k routes.
noinst_PROGRAMS += tests/bench/bench_engine
bench_programs += tests/bench/bench_engine
tests_bench_bench_engine_SOURCES = tests/bench/bench_engine.c
tests_bench_bench_engine_LDADD = src/core/libmaillecore.a proto/libmailleproto.a $(NETTLE_LIBS)
