#!/bin/sh
# IP over the radio: two sites joined only by radio (kisssim, 1200 baud)
# ping each other's loopback addresses, IPv6 and IPv4 (v4-via-v6), through
# the TUN devices mailled creates (radio0), with a 64-byte ping's RTT in
# the diagnostics; a 1200-byte IPv6 ping crosses in link-layer fragments;
# routes through the radio carry the small advertised MSS; the TUN's IPv4
# address is never announced as a next hop (AE 1).
#
# Layout as in radio_two_sites.sh: kisssim in namespace K, each site
# reaching it over a veth pair on a private /30.  Bounded: about 3 minutes
# at worst.
. "$top_srcdir/tests/lib/tap.sh"

MAILLED=${MAILLED:-$top_builddir/src/mailled}
SIM=${KISSSIM:-$top_builddir/tools/kisssim}
[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root for network namespaces"
ip netns list >/dev/null 2>&1 || tap_skip_all "no ip netns"
[ -x "$MAILLED" ] || tap_skip_all "no mailled binary at $MAILLED"
[ -x "$SIM" ] || tap_skip_all "no kisssim binary at $SIM"
[ -e /dev/net/tun ] || tap_skip_all "no /dev/net/tun"

P=mlp$$
K=${P}k
WORK=$(mktemp -d)
PORT=8001
cleanup() {
	for f in "$WORK"/pid*; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	sleep 0.3
	for f in "$WORK"/pid*; do
		[ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
	done
	for n in "${P}n1" "${P}n2" "$K"; do
		ip netns del "$n" 2>/dev/null
	done
	[ -n "$KEEP_LOGS" ] && mkdir -p "$KEEP_LOGS" && cp -r "$WORK"/. "$KEEP_LOGS"/
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ns() { ip netns exec "${P}n$1" sh -c "$2"; }

mknode() { # mknode N KADDR NADDR
	ip netns add "${P}n$1" || return 1
	ip link add "k$1" netns "$K" type veth peer name tnc netns "${P}n$1" || return 1
	ip -n "$K" addr add "$2/30" dev "k$1" && ip -n "$K" link set "k$1" up &&
		ns "$1" "ip link set lo up &&
			ip addr add $3/30 dev tnc && ip link set tnc up &&
			ip addr add 10.99.0.$1/32 dev lo &&
			ip addr add fd99::$1/128 dev lo &&
			sysctl -qw net.ipv4.ip_forward=1 &&
			sysctl -qw net.ipv6.conf.all.forwarding=1"
}

start_sim() {
	ip netns exec "$K" "$SIM" --stations 2 --tcp "0.0.0.0:$PORT" --seed 11 --baud 1200 \
		--log "$WORK/air.log" >"$WORK/sim.out" 2>"$WORK/sim.err" &
	echo $! >"$WORK/pidsim"
	i=0
	while ! grep -q '^ready' "$WORK/sim.out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 50 ] && return 1
		sleep 0.1
	done
	return 0
}

start() { # start N TNCADDR PORT CALL
	ns "$1" "exec $MAILLED -d 1 -C 'state-file $WORK/state$1' \
		-C 'control-socket $WORK/ctl$1' \
		-C 'interface radio0 type ax25 kiss tcp:$2:$3 callsign $4 baud 1200 airtime 30 hello-interval 10 update-interval 60' \
		-C 'out if radio0 ip 10.99.0.0/16 allow' \
		-C 'out if radio0 ip fd99::/16 allow' >$WORK/log$1 2>&1 & echo \$! >$WORK/pid$1"
}

has_route() { # has_route N OTHER
	ip -n "${P}n$1" -4 route show proto 42 2>/dev/null | grep -q "^10\.99\.0\.$2 " &&
		ip -n "${P}n$1" -6 route show proto 42 2>/dev/null | grep -q "^fd99::$2 "
}

wait_for() { # wait_for SECONDS COMMAND...
	end=$(($(date +%s) + $1))
	shift
	while [ "$(date +%s)" -le "$end" ]; do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

converged() { has_route 1 2 && has_route 2 1; }
alive() { kill -0 "$(cat "$WORK/pid1")" 2>/dev/null && kill -0 "$(cat "$WORK/pid2")" 2>/dev/null; }

dump_state() {
	for n in 1 2; do
		tap_diag "--- n$n routes"
		ip -n "${P}n$n" route show proto 42 | sed 's/^/#   /'
		ip -n "${P}n$n" -6 route show proto 42 | sed 's/^/#   /'
		tap_diag "--- n$n log (tail)"
		tail -n 25 "$WORK/log$n" | sed 's/^/#   /'
	done
	tap_diag "--- air (tail)"
	tail -n 15 "$WORK/air.log" 2>/dev/null | sed 's/^/#   /'
}

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

rtt() { sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' "$WORK/ping.out" | head -n 1; }

# ------------------------------------------------------------ setup
ip netns add "$K" && ip -n "$K" link set lo up &&
	mknode 1 192.0.2.1 192.0.2.2 && mknode 2 192.0.2.5 192.0.2.6
tap_ok $? "a simulator namespace and two site namespaces" || { tap_done; exit 1; }
start_sim
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

# ------------------------------------------------------------ ping
ping_ok 1 -6 -s 56 -I fd99::1 fd99::2
tap_ok $? "IPv6 ping fd99::1 -> fd99::2 crosses the radio" || dump_state
tap_diag "64-byte IPv6 ping RTT over one hop at 1200 baud: $(rtt) ms"
ping_ok 2 -4 -s 56 -I 10.99.0.2 10.99.0.1
tap_ok $? "IPv4 ping 10.99.0.2 -> 10.99.0.1 crosses the radio (PID 0xCC)" || dump_state
tap_diag "64-byte IPv4 ping RTT over one hop at 1200 baud: $(rtt) ms"
# 648 octets: three fragments each way, about 8 s of air each way.
W=45 TRIES=2 ping_ok 2 -6 -s 600 -M do -I fd99::2 fd99::1
tap_ok $? "a 648-byte IPv6 ping crosses in link-layer fragments, both ways" || dump_state
tap_diag "648-byte IPv6 ping RTT (3 fragments each way): $(rtt) ms"

alive
tap_ok $? "both mailled still run"
for n in 1 2; do kill -TERM "$(cat "$WORK/pid$n")"; done
wait_for 10 sh -c "! kill -0 $(cat "$WORK/pid1") 2>/dev/null && ! kill -0 $(cat "$WORK/pid2") 2>/dev/null"
tap_ok $? "both mailled exit on SIGTERM"
ip -n "${P}n1" link show radio0 >/dev/null 2>&1
[ $? -ne 0 ]
tap_ok $? "the TUN device goes with mailled"

tap_done
