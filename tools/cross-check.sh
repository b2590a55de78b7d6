#!/bin/sh
# Cross builds that show the code is endian-clean and portable:
#   s390x: big-endian; the unit tests are cross-built and run under qemu-user
#          (with -L /: the multiarch libraries sit in the host's own tree).
#   mips:  big-endian MIPS as on many community routers; proto/ and src/core/
#          must compile (Debian has no MIPS libraries to run tests with).
set -eu
arch=$1 srcdir=$2 builddir=$3
mkdir -p "$builddir"
cd "$builddir"
case $arch in
s390x)
	command -v s390x-linux-gnu-gcc >/dev/null || { echo "missing s390x-linux-gnu-gcc: apt-get install gcc-s390x-linux-gnu"; exit 1; }
	command -v qemu-s390x >/dev/null || { echo "missing qemu-s390x: apt-get install qemu-user"; exit 1; }
	[ -f Makefile ] || PKG_CONFIG_LIBDIR=/usr/lib/s390x-linux-gnu/pkgconfig:/usr/share/pkgconfig \
		"$srcdir/configure" -q --host=s390x-linux-gnu --disable-daemon --enable-werror \
		TEST_RUNNER="qemu-s390x -L /"
	# Only the unit tests: the interop tests run host tools (tshark) on the output.
	make -j2 check-unit
	# The binaries really are big-endian s390x.
	for t in tests/unit/test_*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		# ELF byte 5 (EI_DATA) is 2 for big-endian.
		od -An -tx1 -j5 -N1 "$t" | grep -q 02 || { echo "$t is not big-endian"; exit 1; }
	done
	echo "unit tests ran on big-endian s390x"
	;;
mips)
	command -v mips-linux-gnu-gcc >/dev/null || { echo "missing mips-linux-gnu-gcc: apt-get install gcc-mips-linux-gnu"; exit 1; }
	# nettle's headers are the same on every architecture; expose only them.
	mkdir -p inc && ln -sfn /usr/include/nettle inc/nettle
	: > config.h
	n=0
	for f in "$srcdir"/proto/*.c "$srcdir"/src/core/*.c; do
		[ -e "$f" ] || continue
		mips-linux-gnu-gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter \
			-I"$srcdir" -I. -idirafter inc -c "$f" -o "$(basename "$f").o"
		n=$((n + 1))
	done
	echo "compiled $n files for big-endian MIPS"
	;;
*) echo "unknown arch $arch"; exit 2 ;;
esac
