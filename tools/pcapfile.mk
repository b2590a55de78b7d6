# The one capture reader (pcap, pcapng) and the IPv6/UDP finder, a library
# because a tool (mailledump) and unit tests of other parts (the Babel codec
# and MAC against babeld's captures) all read captures through it.  It
# allocates and does I/O, so it stays out of proto/.
noinst_LIBRARIES += tools/libmaillepcap.a
tools_libmaillepcap_a_SOURCES = tools/pcapfile.c tools/pcapfile.h \
	tools/pcap_udp6.c tools/pcap_udp6.h
