# contrib/: the OpenWrt package and the systemd unit.  They ship in the
# tarball (an OpenWrt SDK builds from it), and tests/integ/contrib.sh checks
# them against this tree.
contrib_files = \
	contrib/openwrt/maille/Makefile \
	contrib/openwrt/maille/files/mailled.init \
	contrib/openwrt/maille/files/mailled.conf \
	contrib/systemd/mailled.service
EXTRA_DIST += $(contrib_files) tests/integ/contrib.sh
# OpenWrt's PKG_FIXUP:=autoreconf runs aclocal -I m4 on the tarball, which
# warns when the directory is missing.
EXTRA_DIST += m4/.keep
# The test runs the daemon's binaries.
if DAEMON
TESTS += tests/integ/contrib.sh
endif
