#!/bin/sh
# Interop with Debian's babeld 1.12: mailled-babeld-mailled and
# babeld-mailled-babeld lines with IPv4 addresses on the links (see
# babeld_common.sh for what each line checks).
LINKMODE=v4
. "$top_srcdir/tests/interop/babeld_common.sh"
scenario "m b m"
scenario "b m b"
tap_done
