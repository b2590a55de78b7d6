# Shared setup of the radio namespace tests (tests/integ/radio_*.sh).
#
# Layout: kisssim runs in its own namespace K; each station N has a
# namespace that reaches K over a veth pair on a private /30 of the
# documentation range, so every mailled keeps its own kernel routes while
# all share one simulated radio channel.  Each station announces
# 10.99.0.N/32 and fd99::N/128 on lo.  Source after tests/lib/tap.sh:
#     radio_init PREFIX "1 2 3"     checks, names, work dir, cleanup trap
#     mknode N KADDR NADDR          a station's namespace and its TNC link
#     start_sim STATIONS SEED [kisssim options...]
#     start N TNCADDR PORT CALL [EXTRA interface options]
#                                   (RADIO_UPDATE: update interval, 60 s)

MAILLED=${MAILLED:-$top_builddir/src/mailled}
SIM=${KISSSIM:-$top_builddir/tools/kisssim}
PORT=8001

radio_init() { # radio_init PREFIX NODES
	[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root for network namespaces"
	ip netns list >/dev/null 2>&1 || tap_skip_all "no ip netns"
	[ -x "$MAILLED" ] || tap_skip_all "no mailled binary at $MAILLED"
	[ -x "$SIM" ] || tap_skip_all "no kisssim binary at $SIM"
	[ -e /dev/net/tun ] || tap_skip_all "no /dev/net/tun"
	P=$1$$
	K=${P}k
	RADIO_NODES=$2
	WORK=$(mktemp -d)
	trap radio_cleanup EXIT
	trap 'exit 1' INT TERM
}

radio_cleanup() {
	for f in "$WORK"/pid*; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	sleep 0.3
	for f in "$WORK"/pid*; do
		[ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
	done
	for n in $RADIO_NODES; do
		ip netns del "${P}n$n" 2>/dev/null
	done
	ip netns del "$K" 2>/dev/null
	[ -n "${KEEP_LOGS:-}" ] && mkdir -p "$KEEP_LOGS" && cp -r "$WORK"/. "$KEEP_LOGS"/
	rm -rf "$WORK"
}

ns() { ip netns exec "${P}n$1" sh -c "$2"; }

radio_sim_ns() { # the simulator's namespace (a stale one of our PID is a leftover)
	ip netns del "$K" 2>/dev/null
	ip netns add "$K" && ip -n "$K" link set lo up
}

mknode() { # mknode N KADDR NADDR
	ip netns del "${P}n$1" 2>/dev/null
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

wait_for() { # wait_for SECONDS COMMAND...: by the clock, not by counting
	end=$(($(date +%s) + $1))
	shift
	while [ "$(date +%s)" -le "$end" ]; do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

start_sim() { # start_sim STATIONS SEED [kisssim options...]
	stations=$1 seed=$2
	shift 2
	ip netns exec "$K" "$SIM" --stations "$stations" --tcp "0.0.0.0:$PORT" --seed "$seed" \
		--baud 1200 "$@" --log "$WORK/air.log" >"$WORK/sim.out" 2>"$WORK/sim.err" &
	echo $! >"$WORK/pidsim"
	wait_for 5 grep -q '^ready' "$WORK/sim.out"
}

stop_sim() {
	kill "$(cat "$WORK/pidsim")" 2>/dev/null
	wait "$(cat "$WORK/pidsim")" 2>/dev/null
	rm -f "$WORK/pidsim"
}

start() { # start N TNCADDR PORT CALL [EXTRA]
	ns "$1" "exec $MAILLED -d 1 -C 'state-file $WORK/state$1' \
		-C 'control-socket $WORK/ctl$1' \
		-C 'interface radio0 type ax25 kiss tcp:$2:$3 callsign $4 baud 1200 airtime 30 hello-interval 10 update-interval ${RADIO_UPDATE:-60} ${5:-}' \
		-C 'out if radio0 ip 10.99.0.0/16 allow' \
		-C 'out if radio0 ip fd99::/16 allow' >$WORK/log$1 2>&1 & echo \$! >$WORK/pid$1"
}

has_route() { # has_route N OTHER: N has OTHER's /32 and /128 from mailled
	ip -n "${P}n$1" -4 route show proto 42 2>/dev/null | grep -q "^10\.99\.0\.$2 " &&
		ip -n "${P}n$1" -6 route show proto 42 2>/dev/null | grep -q "^fd99::$2 "
}

alive() { # every station's mailled still runs
	for n in $RADIO_NODES; do
		kill -0 "$(cat "$WORK/pid$n")" 2>/dev/null || return 1
	done
}

dump_state() {
	for n in $RADIO_NODES; do
		tap_diag "--- n$n routes"
		ip -n "${P}n$n" route show proto 42 | sed 's/^/#   /'
		ip -n "${P}n$n" -6 route show proto 42 | sed 's/^/#   /'
		tap_diag "--- n$n log (tail)"
		tail -n 25 "$WORK/log$n" | sed 's/^/#   /'
	done
	tap_diag "--- air (tail)"
	tail -n 15 "$WORK/air.log" 2>/dev/null | sed 's/^/#   /'
}

rtt() { sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' "$WORK/ping.out" | head -n 1; }
