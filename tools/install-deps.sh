#!/bin/sh
# Installs what maille needs to build, test and run its demo on Debian 12.
# Idempotent: installs only what is missing. Run as root.
set -eu
export DEBIAN_FRONTEND=noninteractive
need="build-essential autoconf automake pkg-config clang libclang-rt-14-dev
      libev-dev libmnl-dev libnl-genl-3-dev nettle-dev libcmocka-dev
      tshark iproute2 nftables iputils-ping procps babeld bird2
      direwolf
      qemu-user gcc-s390x-linux-gnu gcc-mips-linux-gnu libcmocka-dev:s390x nettle-dev:s390x"
if ! dpkg --print-foreign-architectures | grep -qx s390x; then
	# Big-endian test libraries come from Debian's s390x multiarch packages.
	dpkg --add-architecture s390x
fi
missing=""
for p in $need; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
echo "installing:$missing"
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $missing

