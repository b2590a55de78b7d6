# The radio link's control plane (issue 6): the TNC connection (tnc), the
# link discipline (radio_link), one interface's wiring (radio_iface) and
# the capture writer (pcap_writer); radio_link's unit test on a fake clock
# and the end-to-end tests through kisssim in network namespaces.
src_mailled_SOURCES += \
	src/sys/tnc.c src/sys/tnc.h \
	src/sys/radio_link.c src/sys/radio_link.h \
	src/sys/radio_iface.c src/sys/radio_iface.h \
	src/sys/pcap_writer.c src/sys/pcap_writer.h

check_PROGRAMS += tests/unit/test_radio_link
TESTS += tests/unit/test_radio_link
tests_unit_test_radio_link_SOURCES = tests/unit/test_radio_link.c \
	src/sys/radio_link.c src/sys/radio_link.h
tests_unit_test_radio_link_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_radio_link_LDADD = proto/libmailleproto.a $(CMOCKA_LIBS)

# Two sites over kisssim at 1200 baud: convergence, TNC lost and restored,
# garbage from the TNC (root and ip netns, else skipped; about 3 minutes).
TESTS += tests/integ/radio_two_sites.sh
EXTRA_DIST += tests/integ/radio_two_sites.sh
