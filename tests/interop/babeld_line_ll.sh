#!/bin/sh
# Interop with Debian's babeld 1.12: mailled-babeld-mailled and
# babeld-mailled-babeld lines whose links carry no IPv4 address, so IPv4
# routes go through IPv6 next hops (v4-via-v6, RFC 9229; see
# babeld_common.sh for what each line checks).
LINKMODE=ll
. "$top_srcdir/tests/interop/babeld_common.sh"
scenario "m b m"
scenario "b m b"
tap_done
