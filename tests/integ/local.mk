# tests/integ/: mailled end to end in network namespaces (TAP shell tests,
# skipped without root), and unit tests of src/sys/ pieces (tests/unit/sys.mk).
if DAEMON
integ_tests = \
	tests/integ/line.sh \
	tests/integ/ring4.sh \
	tests/integ/restart.sh \
	tests/integ/import50k.sh \
	tests/integ/badconf.sh \
	tests/integ/badpkt.sh \
	tests/integ/reload.sh
TESTS += $(integ_tests)
EXTRA_DIST += $(integ_tests)
endif
include $(top_srcdir)/tests/unit/sys.mk
