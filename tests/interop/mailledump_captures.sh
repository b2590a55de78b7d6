#!/bin/sh
# mailledump decodes every packet babeld 1.12 sent (tests/data captures)
# with no malformed TLV, and finds exactly the TLVs an independent decoder
# (tshark's Babel dissector) finds, type by type.
. "$top_srcdir/tests/lib/tap.sh"
dump="$top_builddir/tools/mailledump"
command -v tshark >/dev/null || tap_skip_all "tshark is not installed (apt-get install tshark)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# tshark's message names, mapped to mailledump's.
tshark_counts() {
	tshark -r "$1" -V 2>/dev/null | sed -n 's/^ *Message Type: \([a-z-]*\) (.*/\1/p' |
		sed 's/^request$/route-request/; s/^mrequest$/seqno-request/; s/^nh$/next-hop/; s/^hmac$/mac/' |
		sort | uniq -c | awk '{print $2, $1}'
}

for cap in plain hmac; do
	f="$top_srcdir/tests/data/babeld-1.12-$cap.pcap"
	"$dump" "$f" >"$tmp/$cap.out" 2>&1
	tap_ok $? "$cap capture decodes with no malformed TLV"
	sed -n 's/^  \([a-z-]*\):.*/\1/p' "$tmp/$cap.out" | sort | uniq -c | awk '{print $2, $1}' >"$tmp/$cap.ours"
	tshark_counts "$f" >"$tmp/$cap.theirs"
	[ -s "$tmp/$cap.theirs" ] && diff "$tmp/$cap.theirs" "$tmp/$cap.ours" >"$tmp/$cap.diff"
	tap_ok $? "$cap capture: same TLVs per type as tshark ($(tr '\n' ' ' <"$tmp/$cap.ours"))"
	[ -s "$tmp/$cap.diff" ] && cat "$tmp/$cap.diff" | sed 's/^/# /'
	grep -q 'v4-via-v6' "$tmp/$cap.out"
	tap_ok $? "$cap capture: v4-via-v6 updates (AE 4, unknown to tshark 4.0) decoded"
	grep -q 'from 2001:db8:97::/48' "$tmp/$cap.out"
	tap_ok $? "$cap capture: source-specific update decoded"
done
grep -q '^  mac: 32 octets' "$tmp/hmac.out"
tap_ok $? "hmac capture: HMAC-SHA256 MACs (32 octets) found in the trailer"
# Garbage in, a clear error out, no crash.
head -c 100 /dev/urandom >"$tmp/bad"
"$dump" "$tmp/bad" >/dev/null 2>"$tmp/bad.err"
[ $? -eq 1 ] && grep -q 'not a pcap' "$tmp/bad.err"
tap_ok $? "a file that is not a pcap is refused with exit status 1 and a reason"
tap_done
