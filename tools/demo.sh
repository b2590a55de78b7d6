#!/bin/sh
# make demo: what maille can show today.  It grows with the daemon: for now
# it decodes real babeld 1.12 traffic (plain and HMAC-signed) with maille's
# own codecs and prints what each packet says.
set -eu
builddir=$1
srcdir=$(cd "$(dirname "$0")/.." && pwd)
dump="$builddir/tools/mailledump"
for cap in babeld-1.12-plain babeld-1.12-hmac; do
	f="$srcdir/tests/data/$cap.pcap"
	echo "=== $cap.pcap: what a deployed babeld sends, as maille reads it"
	"$dump" "$f" | head -n 40
	echo "... ($("$dump" "$f" | grep -c '^ ') TLVs in $("$dump" "$f" | grep -c '^/') packets, none malformed)"
	echo
done
echo "=== TLV types seen across both captures"
"$dump" "$srcdir"/tests/data/babeld-1.12-*.pcap | sed -n 's/^  \([a-z0-9-]*\).*/\1/p' | sort | uniq -c | sort -rn
