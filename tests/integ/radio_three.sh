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
. "$top_srcdir/tests/lib/radio_sites.sh"

radio_init ml3 "1 2 3"
RADIO_UPDATE=40

# route_via N OTHER LLADDR: N's routes to OTHER (v4 and v6) go via LLADDR.
route_via() {
	ip -n "${P}n$1" -4 route show proto 42 2>/dev/null | grep "^10\.99\.0\.$2 " |
		grep -q "via inet6 $3 dev radio0" &&
		ip -n "${P}n$1" -6 route show proto 42 2>/dev/null | grep "^fd99::$2 " |
		grep -q "via $3 dev radio0"
}

LLA=fe80::4634:4141:4120:1
LLB=fe80::4634:4242:4220:2
LLC=fe80::4634:4343:4320:3
converged() {
	route_via 1 2 $LLB && route_via 1 3 $LLB &&
		route_via 2 1 $LLA && route_via 2 3 $LLC &&
		route_via 3 1 $LLB && route_via 3 2 $LLB
}
ping_ok() { # ping_ok N ARGS...: single echoes, each awaited 15 s, for at most 90 s
	# A and C cannot hear each other, so their frames collide at B now and
	# then, as on a real channel: the test wants a ping to cross, not every
	# one.  One echo at a time, with a random pause between tries, so that
	# a late reply and the next request do not keep meeting at B (a ping
	# with -i queues requests that then go out back to back).
	n=$1
	shift
	end=$(($(date +%s) + 90))
	while [ "$(date +%s)" -lt "$end" ]; do
		ip netns exec "${P}n$n" ping -n -c 1 -W 15 "$@" >"$WORK/ping.out" 2>&1 && return 0
		sleep "$(awk 'BEGIN { srand(); printf "%.1f", rand() * 3 }')"
	done
	sed 's/^/#   /' "$WORK/ping.out"
	return 1
}

# ------------------------------------------------------------ setup
radio_sim_ns &&
	mknode 1 192.0.2.1 192.0.2.2 && mknode 2 192.0.2.5 192.0.2.6 &&
	mknode 3 192.0.2.9 192.0.2.10
tap_ok $? "a simulator namespace and three station namespaces" || { tap_done; exit 1; }
start_sim 3 13 --hear 0-1,1-2
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
