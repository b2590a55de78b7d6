# kisssim: N KISS TNC endpoints on one simulated radio channel (tests of
# the ax25 link without radios).
if DAEMON
bin_PROGRAMS += tools/kisssim
tools_kisssim_SOURCES = tools/kisssim.c tools/kisssim_channel.c tools/kisssim_channel.h
tools_kisssim_LDADD = src/core/libmaillecore.a proto/libmailleproto.a

check_PROGRAMS += tests/unit/test_kisssim_channel
tests_unit_test_kisssim_channel_SOURCES = tests/unit/test_kisssim_channel.c \
	tools/kisssim_channel.c tools/kisssim_channel.h
tests_unit_test_kisssim_channel_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_kisssim_channel_LDADD = src/core/libmaillecore.a proto/libmailleproto.a \
	tests/lib/libtestlib.a $(CMOCKA_LIBS) $(NETTLE_LIBS)
TESTS += tests/unit/test_kisssim_channel tests/integ/kisssim.sh
endif
dist_man_MANS += tools/kisssim.1
EXTRA_DIST += tests/integ/kisssim.sh
