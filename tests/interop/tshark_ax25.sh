#!/bin/sh
# tshark, an independent decoder, reads the AX.25 and KISS frames our
# encoders write (pcap link types 3 and 202) and must see the same
# addresses, digipeaters, control, PID, info length, KISS port, command and
# parameters that tshark_ax25_gen encoded, with no "Malformed" anywhere.
. "$top_srcdir/tests/lib/tap.sh"

command -v tshark >/dev/null 2>&1 || tap_skip_all "tshark not installed (Debian package: tshark)"
gen="$top_builddir/tests/interop/tshark_ax25_gen"
[ -x "$gen" ] || tap_skip_all "$gen not built"

dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

# Turns tshark -V text into one line per record, in the generator's form.
# kiss=1: records start with the KISS command byte.
extract='
function flush() {
	if (!started)
		return
	line = ""
	if (kiss)
		line = port "\t" cmd "\t" (param == "" ? "-" : param) "\t"
	if (dst == "") {
		print line "-"
		return
	}
	hdr = 16 + 7 * nvia + (kiss ? 1 : 0)
	line = line dst "\t" src "\t" (nvia ? vias : "-") "\t" ver "\t" ctl "\t"
	print line (pid == "" ? "-" : pid) "\t" (len - hdr)
}
function hex_in_parens(s) {
	sub(/.*\(/, "", s)
	sub(/\).*/, "", s)
	return s
}
/^Frame [0-9]+:/ {
	flush()
	started = 1
	dst = src = vias = ver = ctl = pid = port = cmd = param = ""
	nvia = 0
	next
}
/^    Frame Length: / { len = $3 }
/^AX\.25, Src: / { ver = $NF }
/^    Destination: / { dst = $2 }
/^    Source: / { src = $2 }
/^    Via [0-9]+: / { vias = vias (nvia ? "," : "") $3; nvia++ }
/^    Control field: / { ctl = hex_in_parens($0) }
/^    Protocol ID: / { pid = hex_in_parens($0) }
/^KISS: / { port = $NF }
/^    \.\.\.\. [01]+ = Cmd: / { cmd = hex_in_parens($0) }
/^    (Tx delay|Persistence|Slot time|Tx tail|Full duplex|Set hardware): / { param = $NF }
END { flush() }
'

"$gen" "$dir"
tap_ok $? "generator wrote the pcaps and expected values"

# compare NAME KISS: one TAP line per record, then the record count.
compare() {
	name=$1
	tshark -r "$dir/$name.pcap" -V >"$dir/$name.txt" 2>"$dir/$name.err"
	tap_ok $? "tshark reads $name.pcap"
	! grep -q -i -e malformed -e 'Expert Info (Error' "$dir/$name.txt"
	tap_ok $? "tshark finds nothing malformed in $name.pcap"
	awk -v kiss="$2" "$extract" "$dir/$name.txt" >"$dir/$name.got"
	n=0
	while IFS= read -r want <&3; do
		n=$((n + 1))
		got=$(sed -n "${n}p" "$dir/$name.got")
		[ "$got" = "$want" ]
		tap_ok $? "$name record $n: $(printf '%s' "$want" | tr '\t' ' ')"
		[ "$got" = "$want" ] || tap_diag "tshark saw: $(printf '%s' "$got" | tr '\t' ' ')"
	done 3<"$dir/$name.expected"
	[ "$(wc -l <"$dir/$name.got")" -eq "$n" ] && [ "$n" -gt 0 ]
	tap_ok $? "$name: tshark saw as many records as were written ($n)"
}

compare ax25 0
compare kiss 1
tap_done
