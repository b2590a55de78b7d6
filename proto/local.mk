# proto/: pure wire formats, no allocation, no globals.
noinst_LIBRARIES += proto/libmailleproto.a
proto_libmailleproto_a_SOURCES = proto/bytes.h

include $(top_srcdir)/proto/babel.mk
include $(top_srcdir)/proto/ax25.mk
