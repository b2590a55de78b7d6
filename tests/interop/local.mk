# Interop with babeld and BIRD in network namespaces, with tshark checks of
# the captured traffic (each test skips without root, ip netns or its peer).
if DAEMON
TESTS += \
	tests/interop/babeld_line_v4.sh \
	tests/interop/babeld_line_ll.sh \
	tests/interop/bird_line_v4.sh \
	tests/interop/bird_line_ll.sh \
	tests/interop/tshark_radio_pcap.sh

# Dire Wolf, a real software TNC (Debian package direwolf): our frames
# through its modulator and atest, its frames through our decoders
# (direwolf_codec.sh), and two mailled talking through two Dire Wolf
# instances whose audio afrelay carries (direwolf_two_sites.sh).
check_PROGRAMS += tests/interop/direwolf_kiss tests/lib/afrelay
tests_interop_direwolf_kiss_SOURCES = tests/interop/direwolf_kiss.c src/sys/radio_link.c
tests_interop_direwolf_kiss_LDADD = src/sys/libmailleradio.a proto/libmailleproto.a
tests_lib_afrelay_SOURCES = tests/lib/afrelay.c
tests_lib_afrelay_LDADD = -lm
TESTS += \
	tests/interop/direwolf_codec.sh \
	tests/interop/direwolf_two_sites.sh
endif
EXTRA_DIST += \
	tests/lib/netns.sh \
	tests/interop/babeld_common.sh \
	tests/interop/babeld_line_v4.sh \
	tests/interop/babeld_line_ll.sh \
	tests/interop/bird_common.sh \
	tests/interop/bird_line_v4.sh \
	tests/interop/bird_line_ll.sh \
	tests/interop/direwolf_codec.sh \
	tests/interop/direwolf_two_sites.sh \
	tests/interop/tshark_radio_pcap.sh

include $(top_srcdir)/tests/bench/line.mk
