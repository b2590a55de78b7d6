# tools/: helpers for operators and the demo.
include $(top_srcdir)/tools/pcapfile.mk

bin_PROGRAMS += tools/mailledump
tools_mailledump_SOURCES = tools/mailledump.c
tools_mailledump_LDADD = tools/libmaillepcap.a proto/libmailleproto.a

EXTRA_DIST += tools/demo.sh tools/cross-check.sh tools/install-deps.sh \
	tests/data/babeld-1.12-plain.pcap tests/data/babeld-1.12-hmac.pcap

# mailledump reads babeld's own captures without a malformed TLV.
TESTS += tests/interop/mailledump_captures.sh
EXTRA_DIST += tests/interop/mailledump_captures.sh
include $(top_srcdir)/tools/kisssim.mk
include $(top_srcdir)/tools/maillectl.mk
