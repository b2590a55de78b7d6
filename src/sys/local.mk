# src/sys/ and src/mailled.c: the daemon, thin Linux edges around the engine.
if DAEMON
sbin_PROGRAMS += src/mailled
src_mailled_SOURCES = src/mailled.c \
	src/sys/log.c src/sys/log.h \
	src/sys/loop.c src/sys/loop.h \
	src/sys/udp.c src/sys/udp.h \
	src/sys/netlink_link.c src/sys/netlink_link.h \
	src/sys/netlink_route.c src/sys/netlink_route.h \
	src/sys/state.c src/sys/state.h \
	src/sys/kernel_import.c src/sys/kernel_import.h
src_mailled_CFLAGS = $(AM_CFLAGS) $(MNL_CFLAGS)
src_mailled_LDADD = src/sys/libmaillecontrol.a src/conf/libmailleconf.a src/core/libmaillecore.a proto/libmailleproto.a \
	$(EV_LIBS) $(MNL_LIBS) $(NETTLE_LIBS)
dist_man_MANS += src/mailled.8
include $(top_srcdir)/src/sys/radio_link.mk

# End to end in network namespaces (skipped without root or ip netns).
TESTS += tests/integ/line2.sh
EXTRA_DIST += tests/integ/line2.sh
endif
include $(top_srcdir)/src/sys/radio.mk
