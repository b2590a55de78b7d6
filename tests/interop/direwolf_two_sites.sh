#!/bin/sh
# Two sites joined only by real software TNCs and an audio "air": each
# site's namespace runs a mailled whose `type ax25` interface speaks KISS
# to its own Dire Wolf (kiss tcp:127.0.0.1:8001, 1200 baud AFSK).  Dire
# Wolf runs headless: its transmit audio goes through ALSA's `file` plugin
# (slave `null`) into a FIFO, and it listens for receive audio on
# udp:7355 of its namespace.  tests/lib/afrelay reads both FIFOs and plays
# each station's transmissions, in real time with a little noise (noise
# alone between transmissions), into the other's UDP input: its sockets
# are made inside the namespaces, so nothing leaves them.
#
# Checks: both Dire Wolf instances and mailled run; the routes converge
# (each site's /32 and /128 as proto-42 routes); each Dire Wolf heard the
# other station's identification and Babel frames; an IPv4 ping crosses
# through the TUN devices (PID 0xCC) and an IPv6 one too, RTTs in the
# diagnostics.  Bounded: about 3 minutes at worst, about a minute usually.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/radio_sites.sh"

command -v direwolf >/dev/null 2>&1 || tap_skip_all "no direwolf (Debian package: direwolf)"
RELAY="$top_builddir/tests/lib/afrelay"
[ -x "$RELAY" ] || tap_skip_all "$RELAY not built"
ALSA_CONF=/usr/share/alsa/alsa.conf
[ -f "$ALSA_CONF" ] || tap_skip_all "no $ALSA_CONF (Debian package: libasound2)"
radio_init mdw "1 2"
RATE=22050
UPORT=7355

converged() { has_route 1 2 && has_route 2 1; }

# ping_ok N ARGS...: up to TRIES attempts (a frame may be lost in the
# noise), each bounded by W seconds.
ping_ok() {
	n=$1
	shift
	for _ in $(seq "${TRIES:-3}"); do
		ip netns exec "${P}n$n" ping -n -c 1 -W "${W:-20}" "$@" >"$WORK/ping.out" 2>&1 && return 0
	done
	sed 's/^/#   /' "$WORK/ping.out"
	return 1
}

dump_dw() {
	dump_state
	for n in 1 2; do
		tap_diag "--- Dire Wolf n$n (tail)"
		tail -n 15 "$WORK/dw$n.out" | sed 's/^/#   /'
	done
	tap_diag "--- afrelay"
	tail -n 10 "$WORK/relay.out" | sed 's/^/#   /'
}

# site N: a namespace with the site's loopback addresses, forwarding on,
# and no other interface: the radio is its only way out.
site() {
	ip netns del "${P}n$1" 2>/dev/null
	ip netns add "${P}n$1" &&
		ns "$1" "ip link set lo up &&
			ip addr add 10.99.0.$1/32 dev lo &&
			ip addr add fd99::$1/128 dev lo &&
			sysctl -qw net.ipv4.ip_forward=1 &&
			sysctl -qw net.ipv6.conf.all.forwarding=1"
}

# direwolf N: site N's TNC.  No beacons, no APRS-IS, no GPS, no AGW port.
direwolf_start() {
	cat >"$WORK/asound$1.conf" <<EOF
pcm.dwtx {
	type file
	slave.pcm "null"
	file "$WORK/tx$1"
	format "raw"
}
EOF
	cat >"$WORK/direwolf$1.conf" <<EOF
ADEVICE UDP:$UPORT dwtx
ARATE $RATE
ACHANNELS 1
CHANNEL 0
MYCALL N0CALL-$1
MODEM 1200
KISSPORT $PORT
AGWPORT 0
EOF
	ip netns exec "${P}n$1" env ALSA_CONFIG_PATH="$ALSA_CONF:$WORK/asound$1.conf" \
		direwolf -t 0 -c "$WORK/direwolf$1.conf" >"$WORK/dw$1.out" 2>&1 &
	echo $! >"$WORK/pid-dw$1"
}

# ------------------------------------------------------------ setup
site 1 && site 2
tap_ok $? "two site namespaces, with nothing between them" || { tap_done; exit 1; }
mkfifo "$WORK/tx1" "$WORK/tx2"
# The relay first: it holds both FIFOs open, so that ALSA's file plugin
# never blocks opening one, and Dire Wolf's input gets noise from the start.
"$RELAY" relay $RATE 150 1 "$WORK/tx1,${P}n1,$UPORT" "$WORK/tx2,${P}n2,$UPORT" \
	>"$WORK/relay.out" 2>&1 &
echo $! >"$WORK/pid-relay"
wait_for 5 grep -q '^ready' "$WORK/relay.out"
tap_ok $? "afrelay carries audio between the two sites" || { dump_dw; tap_done; exit 1; }
direwolf_start 1
direwolf_start 2
wait_for 20 sh -c "grep -q 'Ready to accept KISS TCP' $WORK/dw1.out &&
	grep -q 'Ready to accept KISS TCP' $WORK/dw2.out"
tap_ok $? "a headless Dire Wolf runs in each site (UDP audio in, ALSA file plugin out)" ||
	{ dump_dw; tap_done; exit 1; }

start 1 127.0.0.1 $PORT F4AAA-1
start 2 127.0.0.1 $PORT F4BBB-2
sleep 0.5
alive
tap_ok $? "mailled runs in both sites" || { dump_dw; tap_done; exit 1; }
wait_for 10 sh -c "grep -q 'TNC tcp:127.0.0.1:$PORT connected' $WORK/log1 &&
	grep -q 'TNC tcp:127.0.0.1:$PORT connected' $WORK/log2"
tap_ok $? "each mailled is connected to its Dire Wolf's KISS port" || dump_dw

# ------------------------------------------------------------ convergence
T0=$(date +%s)
wait_for 150 converged
tap_ok $? "the sites converge through Dire Wolf: each has the other's /32 and /128 (proto 42)" ||
	dump_dw
tap_diag "converged in $(($(date +%s) - T0)) s"
ip -n "${P}n1" -6 route show proto 42 | grep -q "^fd99::2 via fe80::4634:4242:4220:2 dev radio0"
tap_ok $? "the next hop is the link-local address made from the neighbour's callsign" ||
	ip -n "${P}n1" -6 route show proto 42 | sed 's/^/#   /'
# Dire Wolf prints what it decodes: the frames came through its demodulator.
grep -aq 'F4AAA-1>ID:F4AAA-1 maille' "$WORK/dw2.out" &&
	grep -aq 'F4BBB-2>ID:F4BBB-2 maille' "$WORK/dw1.out" &&
	grep -aq 'F4AAA-1>BABEL:\*' "$WORK/dw2.out" &&
	grep -aq 'F4BBB-2>BABEL:\*' "$WORK/dw1.out"
tap_ok $? "each Dire Wolf demodulated the other's identification and Babel frames" || dump_dw

# ------------------------------------------------------------ ping
ping_ok 2 -4 -s 56 -I 10.99.0.2 10.99.0.1
tap_ok $? "IPv4 ping 10.99.0.2 -> 10.99.0.1 crosses through the TUNs and Dire Wolf (PID 0xCC)" ||
	dump_dw
tap_diag "64-byte IPv4 ping RTT through two Dire Wolf instances at 1200 baud: $(rtt) ms"
ping_ok 1 -6 -s 56 -I fd99::1 fd99::2
tap_ok $? "IPv6 ping fd99::1 -> fd99::2 crosses too" || dump_dw
tap_diag "64-byte IPv6 ping RTT: $(rtt) ms"
# The first ping right after convergence may queue behind routing frames
# (routing goes first on the link): once more, for a steadier figure.
ping_ok 2 -4 -s 56 -I 10.99.0.2 10.99.0.1
tap_ok $? "a second IPv4 ping crosses" || dump_dw
tap_diag "second 64-byte IPv4 ping RTT: $(rtt) ms"

alive
tap_ok $? "both mailled still run"
for n in 1 2; do kill -TERM "$(cat "$WORK/pid$n")"; done
wait_for 10 sh -c "! kill -0 $(cat "$WORK/pid1") 2>/dev/null && ! kill -0 $(cat "$WORK/pid2") 2>/dev/null"
tap_ok $? "both mailled exit on SIGTERM"
tap_diag "transmissions the relay carried: $(grep -c "^station" "$WORK/relay.out")"

tap_done
