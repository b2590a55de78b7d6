#!/bin/sh
# IP over the radio: two sites joined only by radio (kisssim, 1200 baud)
# ping each other's loopback addresses, IPv6 and IPv4 (v4-via-v6), through
# the TUN devices mailled creates (radio0), with a 64-byte ping's RTT in
# the diagnostics; a 1200-byte IPv6 ping crosses in link-layer fragments;
# routes through the radio carry the small advertised MSS; the TUN's IPv4
# address is never announced as a next hop (AE 1).
#
# Layout as in radio_two_sites.sh: kisssim in namespace K, each site
# reaching it over a veth pair on a private /30.  Bounded: about 4 minutes
# at worst.  At the end one site leaves and the other must hear it go.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/radio_sites.sh"

radio_init mlp "1 2"

converged() { has_route 1 2 && has_route 2 1; }

# ping_ok N ARGS...: up to TRIES attempts (a frame may collide), each
# bounded by W seconds.
ping_ok() {
	n=$1
	shift
	for _ in $(seq "${TRIES:-3}"); do
		ip netns exec "${P}n$n" ping -n -c 1 -W "${W:-20}" "$@" >"$WORK/ping.out" 2>&1 && return 0
	done
	sed 's/^/#   /' "$WORK/ping.out"
	return 1
}

# ------------------------------------------------------------ setup
radio_sim_ns &&
	mknode 1 192.0.2.1 192.0.2.2 && mknode 2 192.0.2.5 192.0.2.6
tap_ok $? "a simulator namespace and two site namespaces" || { tap_done; exit 1; }
start_sim 2 11
tap_ok $? "kisssim runs: two stations on one 1200 baud channel" || { tap_done; exit 1; }
start 1 192.0.2.1 $PORT F4AAA-1
start 2 192.0.2.5 $((PORT + 1)) F4BBB-2
wait_for 5 sh -c "ip -n ${P}n1 link show radio0 >/dev/null 2>&1 && ip -n ${P}n2 link show radio0 >/dev/null 2>&1"
tap_ok $? "mailled creates the TUN device radio0 in both sites" || { dump_state; tap_done; exit 1; }
ip -n "${P}n1" -d link show radio0 | grep -q "mtu 1280" &&
	ip -n "${P}n1" -d link show radio0 | grep -q "tun type tun" &&
	ip -n "${P}n1" -6 addr show dev radio0 | grep -q "fe80::4634:4141:4120:1/64"
tap_ok $? "radio0 is a TUN device, MTU 1280, with the callsign's link-local address" ||
	{ ip -n "${P}n1" -d link show radio0; ip -n "${P}n1" addr show dev radio0; } | sed 's/^/#   /'
# An IPv4 address on the TUN must not become an AE 1 next hop.
ip -n "${P}n1" addr add 10.98.0.1/32 dev radio0
tap_ok $? "an IPv4 address on radio0"

T0=$(date +%s)
wait_for 150 converged
tap_ok $? "two sites converge over the radio" || dump_state
tap_diag "converged in $(($(date +%s) - T0)) s"
ip -n "${P}n2" -4 route show proto 42 | grep "^10\.99\.0\.1 " | grep -q "via inet6 fe80::4634:4141:4120:1 dev radio0"
tap_ok $? "IPv4 routes over the radio go v4-via-v6 to the callsign's address, despite radio0's IPv4 address" ||
	ip -n "${P}n2" -4 route show proto 42 | sed 's/^/#   /'
ip -n "${P}n1" -6 route show proto 42 | grep "^fd99::2 " | grep -q "advmss 196" &&
	ip -n "${P}n1" -4 route show proto 42 | grep "^10\.99\.0\.2 " | grep -q "advmss 216"
tap_ok $? "routes through the radio advertise an MSS that fits a 256-byte frame (196 / 216)" || {
	ip -n "${P}n1" -6 route show proto 42; ip -n "${P}n1" -4 route show proto 42; } | sed 's/^/#   /'

# Full dumps are paced within the airtime budget (30% of 1200 baud less
# TX delay and tail per 272-octet frame, bit stuffing counted as a tenth
# since fe24adf: 31 octets/s; 34 before),
# not at the engine's ax25 default (75): faster, they overflowed the
# link's routing queue and pushed out the Hellos and IHUs queued before.
ip netns exec "${P}n1" "$top_builddir/tools/maillectl" -s "$WORK/ctl1" --json interfaces \
	>"$WORK/ifs.json" 2>&1
grep -q '"rate_bytes_per_s":31[,}]' "$WORK/ifs.json"
tap_ok $? "radio0's bulk output is paced at what the airtime budget passes (31 octets/s)" ||
	sed 's/^/#   /' "$WORK/ifs.json"

# ------------------------------------------------------------ ping
# Right after convergence both stations still send the updates that
# convergence triggered, and routing goes before data: a ping sent then
# waits several seconds behind them (whichever family goes first took
# 6-8 s, the other 3 s).  Timing starts once the air has been quiet for
# 3 s (no new line in kisssim's air log), so that the two families are
# compared on the same channel.
quiet() {
	a=$(wc -l <"$WORK/air.log")
	sleep 3
	[ "$(wc -l <"$WORK/air.log")" -eq "$a" ]
}
wait_for 60 quiet
tap_ok $? "the air goes quiet after convergence (3 s without a frame)"
ping_ok 1 -6 -s 56 -I fd99::1 fd99::2
tap_ok $? "IPv6 ping fd99::1 -> fd99::2 crosses the radio" || dump_state
ping_ok 2 -4 -s 56 -I 10.99.0.2 10.99.0.1
tap_ok $? "IPv4 ping 10.99.0.2 -> 10.99.0.1 crosses the radio (PID 0xCC)" || dump_state
# best_rtt N ARGS...: the smallest RTT of three single echoes, in ms.
best_rtt() {
	best=""
	for _ in 1 2 3; do
		ping_ok "$@" >&2 || continue
		best=$(printf '%s\n%s\n' "$best" "$(rtt)" | grep . | sort -n | head -n 1)
	done
	echo "${best:-99999}"
}
v6=$(best_rtt 1 -6 -s 56 -I fd99::1 fd99::2)
v4=$(best_rtt 2 -4 -s 56 -I 10.99.0.2 10.99.0.1)
tap_diag "64-byte ping RTT over one hop at 1200 baud, best of three: IPv6 $v6 ms, IPv4 $v4 ms"
# Each way: TX delay 300 ms, 0.84 s (IPv6, 120-octet frame) or 0.71 s
# (IPv4, 100) of air, TX tail 100 ms, up to 500 ms of jitter and the
# TNC's p-persistence (P 63, 100 ms slots): about 3 s, 6 s is generous.
awk -v a="$v6" -v b="$v4" 'BEGIN { exit !(a < 6000 && b < 6000) }'
tap_ok $? "a 64-byte ping's RTT over one hop is under 6 s in both families"
# The frames differ by 20 octets (0.13 s of air each way): more than
# 1.5 s between the families would mean IPv6 is fragmented or delayed.
awk -v a="$v6" -v b="$v4" 'BEGIN { exit !(a < b + 1500) }'
tap_ok $? "IPv6 is no slower than IPv4 beyond its 20 octets of header"
# 648 octets: three fragments each way, about 8 s of air each way.  Any
# fragment lost loses the echo, and a Hello keyed in the same slot as a
# fragment (1 in 7 when both wait for the channel; each station sends one
# every 10 s here) collides with it: two tries failed in one run of six,
# so four, each bounded by 35 s (the echo takes 15-21 s).
W=35 TRIES=4 ping_ok 2 -6 -s 600 -M do -I fd99::2 fd99::1
tap_ok $? "a 648-byte IPv6 ping crosses in link-layer fragments, both ways" || dump_state
tap_diag "648-byte IPv6 ping RTT (3 fragments each way): $(rtt) ms"

alive
tap_ok $? "both mailled still run"
# Station 1 leaves: its retractions and farewell Hello must reach the air
# before it closes the TNC (kisssim, like a TNC, drops what a client that
# has gone left queued), so station 2 drops its routes at once instead of
# timing them out (hold time: minutes).
n_air=$(wc -l <"$WORK/air.log")
kill -TERM "$(cat "$WORK/pid1")"
T1=$(date +%s)
wait_for 10 sh -c "! kill -0 $(cat "$WORK/pid1") 2>/dev/null"
tap_ok $? "mailled exits on SIGTERM"
grep -q "radio0: the last routing frames ([0-9]*) left the TNC" "$WORK/log1"
tap_ok $? "its last routing frames left the TNC before it closed the connection" ||
	{ tail -n 3 "$WORK/log1"; tail -n 5 "$WORK/air.log"; } | sed 's/^/#   /'
# kisssim logs a frame when it ends: the last one was keyed before
# mailled closed the connection, and ends within 2.3 s (TX delay, 272
# octets at 1200 baud, TX tail).
after1() { tail -n +"$((n_air + 1))" "$WORK/air.log" | grep " tx 0 F4AAA-1>"; }
sleep 3
[ -n "$(after1)" ]
tap_ok $? "they go on the air" ||
	{ tail -n 5 "$WORK/log1"; tail -n 5 "$WORK/air.log"; } | sed 's/^/#   /'
gone() {
	! ip -n "${P}n2" -4 route show proto 42 | grep -q '^10\.99\.0\.1 ' &&
		! ip -n "${P}n2" -6 route show proto 42 | grep -q '^fd99::1 '
}
# The channel may still lose them: when station 2 keys up in the same
# slot (about 1 in 7 when both wait for the channel) it is deaf or hears a
# collision, and then only the hold time removes the routes.
if [ -n "$(after1)" ] && ! after1 | grep -v -q " delivered [0-9,]*1"; then
	wait_for 8 gone
	tap_ok $? "the other site drops its routes within seconds (retracted, not timed out)" ||
		dump_state
	tap_diag "routes gone $(($(date +%s) - T1)) s after SIGTERM"
else
	tap_diag "not every last frame reached station 2: $(after1 | tr '\n' ' ')"
	tap_ok 0 "the other site drops its routes within seconds (not checked: the channel lost a frame)"
fi
kill -TERM "$(cat "$WORK/pid2")"
wait_for 10 sh -c "! kill -0 $(cat "$WORK/pid2") 2>/dev/null"
tap_ok $? "the other mailled exits on SIGTERM"
ip -n "${P}n1" link show radio0 >/dev/null 2>&1
[ $? -ne 0 ]
tap_ok $? "the TUN device goes with mailled"

tap_done
