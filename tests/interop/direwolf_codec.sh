#!/bin/sh
# maille's AX.25/KISS codecs against Dire Wolf (Debian package direwolf), a
# real software TNC, in both directions, through real 1200 baud AFSK audio:
#
#   1. The frames a station emits, made by mailled's own link layer and
#      data framing (direwolf_kiss gen: identification frame, Babel to
#      BABEL and to a neighbour, IPv4 under PID 0xCC, IPv6 whole and in
#      link-layer fragments under 0xF0), go by our KISS encoder to Dire
#      Wolf's KISS TCP port; Dire Wolf modulates them into ALSA's `file`
#      plugin (slave `null`), and atest, Dire Wolf's demodulator, must find
#      in that audio exactly the bytes we sent, frame by frame.
#   2. Frames made by Dire Wolf's gen_packets (its own AX.25 encoder and
#      modulator) are played (tests/lib/afrelay) into a Dire Wolf's UDP
#      audio input; what it delivers on its KISS port, read by our KISS
#      stream decoder and AX.25 decoder, must have the addresses (H bits
#      included), C bits, control, PID and info written below by hand.
#
# Dire Wolf runs in a network namespace when we are root (nothing it opens
# is reachable from outside), else on ports derived from our PID.  About 40
# seconds.
. "$top_srcdir/tests/lib/tap.sh"

for c in direwolf atest gen_packets; do
	command -v $c >/dev/null 2>&1 || tap_skip_all "no $c (Debian package: direwolf)"
done
KISSBIN="$top_builddir/tests/interop/direwolf_kiss"
RELAY="$top_builddir/tests/lib/afrelay"
[ -x "$KISSBIN" ] || tap_skip_all "$KISSBIN not built"
[ -x "$RELAY" ] || tap_skip_all "$RELAY not built"
ALSA_CONF=/usr/share/alsa/alsa.conf
[ -f "$ALSA_CONF" ] || tap_skip_all "no $ALSA_CONF (Debian package: libasound2)"

RATE=22050
dir=$(mktemp -d) || exit 1
NS=""
if [ "$(id -u)" -eq 0 ] && ip netns list >/dev/null 2>&1; then
	NS=mdwc$$k
	KPORT=8001 UPORT=7355
else
	KPORT=$((20000 + $$ % 20000)) UPORT=$((20000 + ($$ + 1) % 20000))
fi
cleanup() {
	[ -f "$dir/dw.pid" ] && kill "$(cat "$dir/dw.pid")" 2>/dev/null
	[ -f "$dir/recv.pid" ] && kill "$(cat "$dir/recv.pid")" 2>/dev/null
	sleep 0.3
	[ -f "$dir/dw.pid" ] && kill -9 "$(cat "$dir/dw.pid")" 2>/dev/null
	[ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
	[ -n "${KEEP_LOGS:-}" ] && mkdir -p "$KEEP_LOGS" && cp -r "$dir"/. "$KEEP_LOGS"/
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# Run in the namespace, if any.  A word list, not a function: a function
# run in the background is a subshell, and its $! not the program's pid.
inns=""
[ -n "$NS" ] && inns="ip netns exec $NS"

wait_for() { # wait_for SECONDS COMMAND...
	end=$(($(date +%s) + $1))
	shift
	while [ "$(date +%s)" -le "$end" ]; do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

# atest -h prints each frame (without its FCS) as a hex dump, 16 octets a
# line, "  010:  88 8a ..." then the ASCII column: one frame per output line.
atest_frames() {
	atest -h "$1" 2>&1 | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | awk '
		/^  [0-9a-f][0-9a-f][0-9a-f]:  / { h = substr($0, 9, 48); gsub(/ /, "", h); cur = cur h; next }
		cur != "" { print cur; cur = "" }
		END { if (cur != "") print cur }'
}

# ------------------------------------------------------------ Dire Wolf
if [ -n "$NS" ]; then
	ip netns del "$NS" 2>/dev/null
	ip netns add "$NS" && ip -n "$NS" link set lo up
	tap_ok $? "a network namespace for Dire Wolf" || { tap_done; exit 1; }
fi
# Transmit audio into a file: ALSA's file plugin writes what is played to
# its slave (null: discards, no sound card needed) into the file as well.
cat >"$dir/asound.conf" <<EOF
pcm.dwtx {
	type file
	slave.pcm "null"
	file "$dir/tx.raw"
	format "raw"
}
EOF
# Receive audio from UDP; no beacons, no APRS-IS, no GPS, no AGW port.
cat >"$dir/direwolf.conf" <<EOF
ADEVICE UDP:$UPORT dwtx
ARATE $RATE
ACHANNELS 1
CHANNEL 0
MYCALL N0CALL
MODEM 1200
KISSPORT $KPORT
AGWPORT 0
EOF
$inns env ALSA_CONFIG_PATH="$ALSA_CONF:$dir/asound.conf" \
	direwolf -t 0 -c "$dir/direwolf.conf" >"$dir/dw.out" 2>&1 &
echo $! >"$dir/dw.pid"
wait_for 15 grep -q "Ready to accept KISS TCP client" "$dir/dw.out"
tap_ok $? "Dire Wolf runs headless (UDP audio in, ALSA file plugin out, KISS TCP $KPORT)" ||
	{ sed 's/^/#   /' "$dir/dw.out"; tap_done; exit 1; }

# ------------------------------------------------------------ 1. ours -> Dire Wolf
"$KISSBIN" gen "$dir/sent.hex" 2>"$dir/gen.err" && "$KISSBIN" decode <"$dir/sent.hex" >"$dir/sent.txt"
tap_ok $? "mailled's link layer produced the frames a station emits ($(wc -l <"$dir/sent.hex"))" ||
	sed 's/^/#   /' "$dir/gen.err"
nsent=$(wc -l <"$dir/sent.hex")
[ "$nsent" -eq 8 ] &&
	grep -q '^F4AAA-1>ID cr=10 ctl=0x03 pid=0xf0 len=14 ' "$dir/sent.txt" &&
	grep -q '^F4AAA-1>BABEL .* pid=0xf0 .* info=2a02' "$dir/sent.txt" &&
	grep -q '^F4AAA-1>F4BBB-2 .* pid=0xf0 .* info=2a02' "$dir/sent.txt" &&
	grep -q '^F4AAA-1>F4BBB-2 .* pid=0xcc .* info=45' "$dir/sent.txt" &&
	grep -q '^F4AAA-1>F4BBB-2 .* pid=0xf0 .* info=60' "$dir/sent.txt" &&
	[ "$(grep -c '^F4AAA-1>F4BBB-2 .* pid=0xf0 .* info=fb' "$dir/sent.txt")" -eq 3 ]
tap_ok $? "they are: ID, Babel to BABEL and to a neighbour, IPv4 (0xCC), IPv6, 3 fragments" ||
	cut -c 1-100 "$dir/sent.txt" | sed 's/^/#   /'

$inns "$KISSBIN" send "$KPORT" "$dir/sent.hex" 2>"$dir/send.err"
tap_ok $? "our KISS encoder hands them to Dire Wolf" || sed 's/^/#   /' "$dir/send.err"
decoded_all() {
	"$KISSBIN" wav $RATE "$dir/tx.raw" "$dir/tx.wav" 2>/dev/null &&
		atest_frames "$dir/tx.wav" >"$dir/heard.hex" &&
		[ "$(wc -l <"$dir/heard.hex")" -ge "$nsent" ]
}
# 8 frames, about 1100 octets: some 10 s of audio, written in bursts.
wait_for 60 decoded_all
tap_ok $? "atest decodes as many frames from Dire Wolf's transmit audio ($(wc -l <"$dir/heard.hex") of $nsent)" ||
	{ ls -l "$dir/tx.raw" | sed 's/^/#   /'; tail -n 20 "$dir/dw.out" | sed 's/^/#   /'; }
secs=$(($(stat -c %s "$dir/tx.raw") / 2 / RATE))
tap_diag "Dire Wolf's transmit audio: $secs s"
n=0
while IFS= read -r want; do
	n=$((n + 1))
	got=$(sed -n "${n}p" "$dir/heard.hex")
	[ "$got" = "$want" ]
	tap_ok $? "frame $n byte for byte through Dire Wolf and atest: $(sed -n "${n}p" "$dir/sent.txt" | cut -d ' ' -f 1,4,5)" ||
		{ tap_diag "sent  $want" "heard $got"; }
done <"$dir/sent.hex"

# ------------------------------------------------------------ 2. Dire Wolf -> ours
hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
long="The quick brown fox jumps over the lazy dog: 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz"
# gen_packets' monitor text: <0xNN> is one octet.  It keeps each line's
# newline in the info field (Dire Wolf 1.6), hence the trailing 0a below.
cat >"$dir/gen.txt" <<EOF
F4BBB-2>BABEL:<0x2a><0x02><0x00><0x08><0x04><0x06><0x00><0x00><0xc0><0xdb><0x03><0xe8>
F4BBB-2>F4AAA-1,RELAY*,WIDE2-1:<0xc0><0xdb><0xc0>KISS specials<0xdb><0xdc>
F4BBB-2>ID:F4BBB-2 maille
N0CALL-15>APZ123-9,WIDE1-1,WIDE2-2*,WIDE3-3:$long
F4BBB>BABEL,D1,D2-1,D3-2*,D4-3,D5-4,D6-5,D7-6,D8-15:x
EOF
cat >"$dir/want.txt" <<EOF
F4BBB-2>BABEL cr=11 ctl=0x03 pid=0xf0 len=13 info=2a02000804060000c0db03e80a
F4BBB-2>F4AAA-1,RELAY*,WIDE2-1 cr=11 ctl=0x03 pid=0xf0 len=19 info=c0dbc0$(hex "KISS specials")dbdc0a
F4BBB-2>ID cr=11 ctl=0x03 pid=0xf0 len=15 info=$(hex "F4BBB-2 maille")0a
N0CALL-15>APZ123-9,WIDE1-1*,WIDE2-2*,WIDE3-3 cr=11 ctl=0x03 pid=0xf0 len=$((${#long} + 1)) info=$(hex "$long")0a
F4BBB>BABEL,D1*,D2-1*,D3-2*,D4-3,D5-4,D6-5,D7-6,D8-15 cr=11 ctl=0x03 pid=0xf0 len=2 info=780a
EOF
nwant=$(wc -l <"$dir/want.txt")
gen_packets -r $RATE -o "$dir/gen.wav" "$dir/gen.txt" >"$dir/gen_packets.out" 2>&1
tap_ok $? "gen_packets writes $nwant frames as 1200 baud AFSK" || sed 's/^/#   /' "$dir/gen_packets.out"

$inns "$KISSBIN" recv "$KPORT" 60 "$nwant" >"$dir/got.txt" 2>"$dir/recv.err" &
echo $! >"$dir/recv.pid"
wait_for 10 grep -q '^connected' "$dir/got.txt"
tap_ok $? "our KISS client is connected to Dire Wolf"
"$RELAY" play $RATE 100 1 "$dir/gen.wav" "${NS:--}" "$UPORT" >"$dir/play.out" 2>&1
tap_ok $? "afrelay plays gen_packets' audio into Dire Wolf's UDP input" || sed 's/^/#   /' "$dir/play.out"
wait "$(cat "$dir/recv.pid")"
tap_ok $? "Dire Wolf delivers $nwant frames and our decoders accept every one" ||
	sed 's/^/#   /' "$dir/got.txt" "$dir/recv.err"
rm -f "$dir/recv.pid"
grep -v '^connected' "$dir/got.txt" >"$dir/got.frames"
n=0
while IFS= read -r want; do
	n=$((n + 1))
	got=$(sed -n "${n}p" "$dir/got.frames")
	[ "$got" = "$want" ]
	tap_ok $? "gen_packets frame $n: $(printf '%s' "$want" | cut -d ' ' -f 1,4)" ||
		tap_diag "want $want" "got  $got"
done <"$dir/want.txt"

tap_done
