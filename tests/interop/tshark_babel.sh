#!/bin/sh
# Cross-check of the Babel encoder against an independent decoder: tshark.
# tshark_babel_gen encodes packets covering every TLV, sub-TLV and address
# encodings 0-3 (plus AE 4, which tshark 4.0 cannot expand) and writes the
# lines tshark must print for them; here tshark decodes the pcap and every
# expected line must appear, in order, in its packet, with no malformed
# packet or expert warning anywhere.
. "${top_srcdir:?}/tests/lib/tap.sh"

command -v tshark >/dev/null 2>&1 || tap_skip_all "tshark is not installed"
gen="${top_builddir:?}/tests/interop/tshark_babel_gen"
[ -x "$gen" ] || tap_skip_all "$gen is not built"

work=$(mktemp -d "${TMPDIR:-/tmp}/tshark_babel.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$gen" "$work/babel.pcap" "$work/babel.expected"
tap_ok $? "generator encoded the packets"

# tshark refuses to run as root without this note on stderr; keep it quiet.
tshark -r "$work/babel.pcap" -V -O babel >"$work/tshark.txt" 2>"$work/tshark.err"
tap_ok $? "tshark decoded the pcap"

want=$(grep -c '^== ' "$work/babel.expected")
got=$(grep -c '^Babel Routing Protocol' "$work/tshark.txt")
[ "$want" -gt 0 ] && [ "$want" = "$got" ]
tap_ok $? "tshark sees all $want packets as Babel (saw $got)"

# For each packet: every expected line, in order, among tshark's lines for
# that frame (leading blanks removed).
awk '
	FNR == NR {
		if (match($0, /^Frame [0-9]+:/)) { frame = substr($0, 7, RLENGTH - 7) + 0; n[frame] = 0 }
		line = $0; sub(/^[ \t]+/, "", line)
		if (frame) lines[frame, ++n[frame]] = line
		next
	}
	/^== / { pkt = $2 + 0; pos[pkt] = 1; order[++npkt] = pkt; next }
	{
		if (pkt in bad) next
		for (i = pos[pkt]; i <= n[pkt]; i++)
			if (lines[pkt, i] == $0) break
		if (i > n[pkt]) { bad[pkt] = $0; next }
		pos[pkt] = i + 1; count[pkt]++
	}
	END {
		for (k = 1; k <= npkt; k++) {
			p = order[k]
			if (p in bad) print "fail", p, "missing: " bad[p]
			else print "ok", p, count[p] " fields"
		}
	}
' "$work/tshark.txt" "$work/babel.expected" >"$work/verdicts"
while read -r verdict pkt detail; do
	[ "$verdict" = ok ]
	tap_ok $? "packet $pkt: tshark agrees ($detail)"
done <"$work/verdicts"

! grep -qi 'malformed' "$work/tshark.txt"
tap_ok $? "no packet is malformed for tshark"
! grep -q 'Expert Info' "$work/tshark.txt"
tap_ok $? "no expert info on any packet"
tshark -r "$work/babel.pcap" -q -z expert >"$work/expert.txt" 2>/dev/null
! grep -qE '^(Errors|Warnings) \(' "$work/expert.txt"
tap_ok $? "tshark's expert summary has no error or warning"

if ! tap_done; then
	tap_diag "tshark output kept in $work.failed"
	cp -r "$work" "$work.failed"
	exit 1
fi
