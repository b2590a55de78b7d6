# Shared test helpers.
check_LIBRARIES = tests/lib/libtestlib.a
tests_lib_libtestlib_a_SOURCES = tests/lib/pcap.c tests/lib/pcap.h tests/lib/rng.h
include $(top_srcdir)/tests/lib/netsim.mk
