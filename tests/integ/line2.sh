#!/bin/sh
# mailled end to end in network namespaces: two nodes, then a third one
# joining the line (n1 - n2 - n3).  Each node has a loopback /32 and /128;
# the links carry only IPv6 link-local addresses, so IPv4 goes v4-via-v6.
# Checks convergence (proto 42 routes), pings across the line with IPv6 and
# IPv4, and that SIGTERM leaves no proto-42 route behind.
. "$top_srcdir/tests/lib/tap.sh"

MAILLED=${MAILLED:-$top_builddir/src/mailled}
[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root for network namespaces"
ip netns list >/dev/null 2>&1 || tap_skip_all "no ip netns"
[ -x "$MAILLED" ] || tap_skip_all "no mailled binary at $MAILLED"

P=mlt$$
WORK=$(mktemp -d)
NODES=""
cleanup() {
	for n in 1 2 3; do
		if [ -f "$WORK/pid$n" ]; then
			kill "$(cat "$WORK/pid$n")" 2>/dev/null
		fi
	done
	sleep 0.3
	for n in 1 2 3; do
		if [ -f "$WORK/pid$n" ]; then
			kill -9 "$(cat "$WORK/pid$n")" 2>/dev/null
		fi
		ip netns del "${P}n$n" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

skip_case() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1 # SKIP $2"; }
ping_ok() { # ping_ok N -4|-6 SRC DST "description"
	if ! command -v ping >/dev/null 2>&1; then
		skip_case "$5" "no ping (Debian package iputils-ping)"
		return
	fi
	ns "$1" "ping $2 -c 1 -W 2 -I $3 $4 >/dev/null"
	tap_ok $? "$5"
}

ns() { ip netns exec "${P}n$1" sh -c "$2"; }

mknode() { # mknode N
	ip netns del "${P}n$1" 2>/dev/null # a leftover of a killed run with our PID
	ip netns add "${P}n$1" || return 1
	ns "$1" "ip link set lo up &&
		ip addr add 10.99.0.$1/32 dev lo &&
		ip addr add fd99::$1/128 dev lo &&
		sysctl -qw net.ipv4.ip_forward=1 &&
		sysctl -qw net.ipv6.conf.all.forwarding=1"
	NODES="$NODES $1"
}

mklink() { # mklink A B: veth "vA-B" in A, "vB-A" in B
	ip link add "v$1-$2" netns "${P}n$1" type veth peer name "v$2-$1" netns "${P}n$2" || return 1
	ns "$1" "ip link set v$1-$2 up" && ns "$2" "ip link set v$2-$1 up"
}

start() { # start N IF...
	n=$1; shift
	args=""
	for i in "$@"; do args="$args -C 'interface $i hello-interval 1 update-interval 4'"; done
	ns "$n" "exec $MAILLED -d 1 -C 'state-file $WORK/state$n' \
		-C 'control-socket $WORK/ctl$n' $args >$WORK/log$n 2>&1 & echo \$! >$WORK/pid$n"
}

has_routes() { # has_routes N OTHER... : N has the others' /32 and /128 from us
	n=$1; shift
	r4=$(ip -n "${P}n$n" -4 route show proto 42 2>/dev/null)
	r6=$(ip -n "${P}n$n" -6 route show proto 42 2>/dev/null)
	for o in "$@"; do
		echo "$r4" | grep -q "^10\.99\.0\.$o " || return 1
		echo "$r6" | grep -q "^fd99::$o " || return 1
	done
	return 0
}

wait_routes() { # wait_routes SECONDS "N:O O" ...
	limit=$1; shift
	t=0
	while [ "$t" -lt $((limit * 10)) ]; do
		ok=0
		for spec in "$@"; do
			has_routes "${spec%%:*}" ${spec#*:} || ok=1
		done
		[ $ok -eq 0 ] && return 0
		sleep 0.1
		t=$((t + 1))
	done
	return 1
}

dump_state() {
	for n in $NODES; do
		tap_diag "--- n$n routes"
		ip -n "${P}n$n" route show proto 42 | sed 's/^/#   /'
		ip -n "${P}n$n" -6 route show proto 42 | sed 's/^/#   /'
		tap_diag "--- n$n log (tail)"
		tail -n 15 "$WORK/log$n" | sed 's/^/#   /'
	done
}

# ------------------------------------------------------------ two nodes
mknode 1 && mknode 2 && mklink 1 2
tap_ok $? "two namespaces linked by a veth pair"

start 1 v1-2
# n2 is configured for its link to n3 already: that interface appears later.
start 2 v2-1 v2-3
sleep 0.2
kill -0 "$(cat "$WORK/pid1")" 2>/dev/null && kill -0 "$(cat "$WORK/pid2")" 2>/dev/null
tap_ok $? "mailled runs in both namespaces"

wait_routes 30 "1:2" "2:1"
tap_ok $? "two nodes converge: each has the other's /32 and /128 with proto 42" || dump_state

ping_ok 1 -6 fd99::1 fd99::2 "IPv6 ping n1 -> n2"
ping_ok 1 -4 10.99.0.1 10.99.0.2 "IPv4 ping n1 -> n2 over a v4-via-v6 route"
ip -n "${P}n1" -4 route show proto 42 | grep -q "10.99.0.2 via inet6 fe80"
tap_ok $? "the IPv4 route has an IPv6 link-local next hop"

# ------------------------------------------------------------ three in a line
mknode 3 && mklink 3 2
tap_ok $? "a third namespace linked to n2"
start 3 v3-2
wait_routes 30 "1:2 3" "2:1 3" "3:1 2"
tap_ok $? "three nodes in a line converge" || dump_state

ping_ok 1 -6 fd99::1 fd99::3 "IPv6 ping n1 -> n3 across the line"
ping_ok 1 -4 10.99.0.1 10.99.0.3 "IPv4 ping n1 -> n3 across the line (v4-via-v6 at each hop)"

# ------------------------------------------------------------ state file
grep -q "^seqno [0-9]" "$WORK/state1"
tap_ok $? "the state file holds the seqno"

# ------------------------------------------------------------ SIGTERM
for n in 1 2 3; do
	kill -TERM "$(cat "$WORK/pid$n")"
done
gone=1
for i in $(seq 1 50); do
	alive=0
	for n in 1 2 3; do kill -0 "$(cat "$WORK/pid$n")" 2>/dev/null && alive=1; done
	[ $alive -eq 0 ] && { gone=0; break; }
	sleep 0.1
done
tap_ok $gone "every mailled exits on SIGTERM"
left=0
for n in 1 2 3; do
	c=$( (ip -n "${P}n$n" -4 route show proto 42; ip -n "${P}n$n" -6 route show proto 42) | wc -l)
	[ "$c" -eq 0 ] || { left=1; tap_diag "n$n keeps $c proto-42 routes"; }
done
tap_ok $left "no proto-42 route remains after SIGTERM"

tap_done
