# Interop with babeld and BIRD in network namespaces, with tshark checks of
# the captured traffic (each test skips without root, ip netns or its peer).
if DAEMON
TESTS += \
	tests/interop/babeld_line_v4.sh \
	tests/interop/babeld_line_ll.sh \
	tests/interop/bird_line_v4.sh \
	tests/interop/bird_line_ll.sh
endif
EXTRA_DIST += \
	tests/lib/netns.sh \
	tests/interop/babeld_common.sh \
	tests/interop/babeld_line_v4.sh \
	tests/interop/babeld_line_ll.sh \
	tests/interop/bird_common.sh \
	tests/interop/bird_line_v4.sh \
	tests/interop/bird_line_ll.sh

include $(top_srcdir)/tests/bench/line.mk
