#!/bin/sh
# Interop with Debian's BIRD 2.0.12 (babel protocol): mailled-bird-mailled
# and bird-mailled-bird lines, IPv4 addresses on the links (see
# bird_common.sh for what each line checks).
LINKMODE=v4
. "$top_srcdir/tests/interop/bird_common.sh"
scenario "m B m"
scenario "B m B"
tap_done
