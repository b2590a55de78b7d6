#!/bin/sh
# Three stations on one 1200 baud channel (kisssim) where A and C cannot
# hear each other (--hear 0-1,1-2: hidden stations): routes converge with B
# as the next hop between A and C, and pings A -> C (IPv6 and IPv4) cross,
# relayed by B over the same radio interface.
#
# Layout as in radio_two_sites.sh: kisssim in namespace K, each station
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

P=ml3$$
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
	for n in "${P}n1" "${P}n2" "${P}n3" "$K"; do
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
			sysctl -qw net.ipv4.conf.all.send_redirects=0 &&
			sysctl -qw net.ipv4.conf.default.send_redirects=0 &&
			sysctl -qw net.ipv6.conf.all.forwarding=1"
}

start() { # start N TNCADDR PORT CALL
	ns "$1" "exec $MAILLED -d 1 -C 'state-file $WORK/state$1' \
		-C 'control-socket $WORK/ctl$1' \
		-C 'interface radio0 type ax25 kiss tcp:$2:$3 callsign $4 baud 1200 airtime 30 hello-interval 10 update-interval 40' \
		-C 'out if radio0 ip 10.99.0.0/16 allow' \
		-C 'out if radio0 ip fd99::/16 allow' >$WORK/log$1 2>&1 & echo \$! >$WORK/pid$1"
}

# route_via N OTHER LLADDR: N's routes to OTHER (v4 and v6) go via LLADDR.
route_via() {
	ip -n "${P}n$1" -4 route show proto 42 2>/dev/null | grep "^10\.99\.0\.$2 " |
		grep -q "via inet6 $3 dev radio0" &&
		ip -n "${P}n$1" -6 route show proto 42 2>/dev/null | grep "^fd99::$2 " |
		grep -q "via $3 dev radio0"
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

LLA=fe80::4634:4141:4120:1
LLB=fe80::4634:4242:4220:2
LLC=fe80::4634:4343:4320:3
converged() {
	route_via 1 2 $LLB && route_via 1 3 $LLB &&
		route_via 2 1 $LLA && route_via 2 3 $LLC &&
		route_via 3 1 $LLB && route_via 3 2 $LLB
}
alive() {
	for n in 1 2 3; do kill -0 "$(cat "$WORK/pid$n")" 2>/dev/null || return 1; done
}

dump_state() {
	for n in 1 2 3; do
		tap_diag "--- n$n routes"
		ip -n "${P}n$n" route show proto 42 | sed 's/^/#   /'
		ip -n "${P}n$n" -6 route show proto 42 | sed 's/^/#   /'
		tap_diag "--- n$n log (tail)"
		tail -n 15 "$WORK/log$n" | sed 's/^/#   /'
	done
	tap_diag "--- air (tail)"
	tail -n 15 "$WORK/air.log" 2>/dev/null | sed 's/^/#   /'
}

ping_ok() { # ping_ok N ARGS...: one echo every 5 s until a reply, for at most 90 s
	# A and C cannot hear each other, so their frames collide at B now and
	# then, as on a real channel: the test wants a ping to cross, not every one.
	n=$1
	shift
	ip netns exec "${P}n$n" ping -n -c 1 -i 5 -w 90 "$@" >"$WORK/ping.out" 2>&1 && return 0
	sed 's/^/#   /' "$WORK/ping.out"
	return 1
}

rtt() { sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' "$WORK/ping.out" | head -n 1; }

# ------------------------------------------------------------ setup
ip netns add "$K" && ip -n "$K" link set lo up &&
	mknode 1 192.0.2.1 192.0.2.2 && mknode 2 192.0.2.5 192.0.2.6 &&
	mknode 3 192.0.2.9 192.0.2.10
tap_ok $? "a simulator namespace and three station namespaces" || { tap_done; exit 1; }
ip netns exec "$K" "$SIM" --stations 3 --tcp "0.0.0.0:$PORT" --seed 13 --baud 1200 \
	--hear 0-1,1-2 --log "$WORK/air.log" >"$WORK/sim.out" 2>"$WORK/sim.err" &
echo $! >"$WORK/pidsim"
wait_for 5 grep -q '^ready' "$WORK/sim.out"
tap_ok $? "kisssim runs: three stations, A and C hidden from each other" ||
	{ sed 's/^/#   /' "$WORK/sim.err"; tap_done; exit 1; }
start 1 192.0.2.1 $PORT F4AAA-1
start 2 192.0.2.5 $((PORT + 1)) F4BBB-2
start 3 192.0.2.9 $((PORT + 2)) F4CCC-3
sleep 0.5
alive
tap_ok $? "mailled runs in the three stations" || { dump_state; tap_done; exit 1; }

T0=$(date +%s)
wait_for 170 converged
tap_ok $? "routes converge: A and C reach each other through B, B reaches both directly" ||
	dump_state
tap_diag "converged in $(($(date +%s) - T0)) s"

ping_ok 1 -6 -s 56 -I fd99::1 fd99::3
tap_ok $? "IPv6 ping A -> C crosses, relayed by B" || dump_state
tap_diag "64-byte IPv6 ping RTT A -> C over two hops at 1200 baud: $(rtt) ms"
ping_ok 1 -4 -s 56 -I 10.99.0.1 10.99.0.3
tap_ok $? "IPv4 ping A -> C crosses, relayed by B" || dump_state
tap_diag "64-byte IPv4 ping RTT A -> C: $(rtt) ms"
ping_ok 3 -6 -s 56 -I fd99::3 fd99::2
tap_ok $? "IPv6 ping C -> B crosses (one hop)" || dump_state
tap_diag "64-byte IPv6 ping RTT C -> B: $(rtt) ms"

alive
tap_ok $? "the three mailled still run"
for n in 1 2 3; do kill -TERM "$(cat "$WORK/pid$n")"; done
wait_for 10 sh -c "! kill -0 $(cat "$WORK/pid1") 2>/dev/null && ! kill -0 $(cat "$WORK/pid2") 2>/dev/null && ! kill -0 $(cat "$WORK/pid3") 2>/dev/null"
tap_ok $? "the three mailled exit on SIGTERM"

tap_done
