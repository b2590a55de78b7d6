# Shared helpers for tests that run routing daemons in network namespaces.
# Source tests/lib/tap.sh first, then this file, then call nsl_init.
#
# Conventions (as tests/integ/line2.sh): node N is the namespace
# "${NSL_P}nN" with 10.99.0.N/32 and fd99::N/128 on lo and forwarding on; a
# link between A and B is a veth pair "vA-B" (in A) / "vB-A" (in B),
# optionally with 10.98.X.A/24 and 10.98.X.B/24 (X = 10*min + max).
# Daemons (mailled, babeld, bird) are started in the background; every pid
# is kept in $NSL_WORK/*.pid and the EXIT trap set by nsl_init kills every
# one of them and deletes every namespace made here.  Nothing leaves the
# namespaces: the links are veth pairs between them.
#
# Routes: mailled and babeld both install with protocol 42 ("babel"), BIRD
# with protocol "bird" (12); nodes are told apart by their namespace, and
# nsl_start_* records which protocol each node installs with.

MAILLED=${MAILLED:-$top_builddir/src/mailled}
BABELD=${BABELD:-babeld}
BIRD=${BIRD:-bird}

NSL_NODES=""

# nsl_init PREFIX: namespaces are named PREFIX$$nN; work dir; cleanup trap.
nsl_init() {
	NSL_P="$1$$"
	NSL_WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	trap nsl_cleanup EXIT
	trap 'exit 1' INT TERM HUP PIPE
}

# nsl_require_root; nsl_require_cmd CMD "why": skip the whole test otherwise.
nsl_require_root() {
	[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root for network namespaces"
	ip netns list >/dev/null 2>&1 || tap_skip_all "no ip netns"
	[ -x "$MAILLED" ] || tap_skip_all "no mailled binary at $MAILLED"
}
nsl_require_cmd() {
	command -v "$1" >/dev/null 2>&1 || tap_skip_all "no $1 ($2)"
}

nsl_cleanup() {
	for f in "$NSL_WORK"/*.pid; do
		[ -f "$f" ] || continue
		kill "$(cat "$f")" 2>/dev/null
	done
	sleep 0.3
	for f in "$NSL_WORK"/*.pid; do
		[ -f "$f" ] || continue
		kill -9 "$(cat "$f")" 2>/dev/null
	done
	for n in $NSL_NODES; do
		ip netns del "${NSL_P}n$n" 2>/dev/null
	done
	if [ -n "${NSL_KEEP:-}" ]; then
		echo "# work dir kept: $NSL_WORK"
	else
		rm -rf "$NSL_WORK"
	fi
}

nsl_ns() { ip netns exec "${NSL_P}n$1" sh -c "$2"; }

# nsl_node N: a namespace with its loopback addresses, forwarding on.
nsl_node() {
	# The name holds our PID: one that exists already is a leftover of a
	# killed run whose PID was ours, never a live test's.
	ip netns del "${NSL_P}n$1" 2>/dev/null
	ip netns add "${NSL_P}n$1" || return 1
	NSL_NODES="$NSL_NODES $1"
	nsl_ns "$1" "ip link set lo up &&
		ip addr add 10.99.0.$1/32 dev lo &&
		ip addr add fd99::$1/128 dev lo &&
		sysctl -qw net.ipv4.ip_forward=1 &&
		sysctl -qw net.ipv6.conf.all.forwarding=1 &&
		sysctl -qw net.ipv4.conf.all.rp_filter=0 &&
		sysctl -qw net.ipv4.conf.default.rp_filter=0"
}

# nsl_link A B [v4]: veth vA-B / vB-A, with IPv4 addresses when asked.
nsl_link() {
	ip link add "v$1-$2" netns "${NSL_P}n$1" type veth peer name "v$2-$1" \
		netns "${NSL_P}n$2" || return 1
	if [ "${3:-}" = v4 ]; then
		if [ "$1" -lt "$2" ]; then x=$((10 * $1 + $2)); else x=$((10 * $2 + $1)); fi
		nsl_ns "$1" "ip addr add 10.98.$x.$1/24 dev v$1-$2" || return 1
		nsl_ns "$2" "ip addr add 10.98.$x.$2/24 dev v$2-$1" || return 1
	fi
	nsl_ns "$1" "ip link set v$1-$2 up" && nsl_ns "$2" "ip link set v$2-$1 up"
}

# nsl_wait_ll N IF: until IF in N has a non-tentative link-local address.
nsl_wait_ll() {
	i=0
	while [ $i -lt 50 ]; do
		ip -n "${NSL_P}n$1" -6 addr show dev "$2" scope link 2>/dev/null |
			grep -q "inet6 fe80.*scope link *$" && return 0
		ip -n "${NSL_P}n$1" -6 addr show dev "$2" scope link 2>/dev/null |
			grep "inet6 fe80" | grep -qv tentative && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# Protocol a node's daemon installs with, for the route checks.
nsl_set_proto() { eval "NSL_PROTO_$1=$2"; }
nsl_proto() { eval "echo \${NSL_PROTO_$1:-42}"; }

# nsl_start_mailled N IF...: extra statements in $MAILLED_EXTRA (each a -C
# argument already quoted, e.g. "-C 'router-id ...'").
nsl_start_mailled() {
	n=$1; shift
	args=""
	for i in "$@"; do
		args="$args -C 'interface $i hello-interval 1 update-interval 4'"
	done
	nsl_ns "$n" "exec $MAILLED -d ${MAILLED_DEBUG:-1} -C 'state-file $NSL_WORK/state$n' \
		-C 'control-socket $NSL_WORK/ctl$n' \
		-C 'redistribute local ip 10.99.0.0/16 le 32 allow' \
		-C 'redistribute local ip fd99::/16 le 128 allow' \
		${MAILLED_EXTRA:-} -C 'redistribute local deny' \
		$args >$NSL_WORK/mailled$n.log 2>&1 & echo \$! >$NSL_WORK/mailled$n.pid"
	nsl_set_proto "$n" 42
	eval "NSL_KIND_$n=mailled"
}

# nsl_start_babeld N IF...: extra config lines in $BABELD_EXTRA (newline
# separated), placed before the final "redistribute local deny".
nsl_start_babeld() {
	n=$1; shift
	conf=$NSL_WORK/babeld$n.conf
	: >"$conf"
	for i in "$@"; do
		echo "interface $i hello-interval 1 update-interval 4" >>"$conf"
	done
	{
		[ -n "${BABELD_EXTRA:-}" ] && printf '%s\n' "$BABELD_EXTRA"
		echo "redistribute local ip 10.99.0.0/16 le 32 allow"
		echo "redistribute local ip fd99::/16 le 128 allow"
		echo "redistribute local deny"
	} >>"$conf"
	rm -f "$NSL_WORK/babeld$n.pid"
	nsl_ns "$n" "exec $BABELD -c $conf -I '' -S $NSL_WORK/babeld$n.state \
		-d ${BABELD_DEBUG:-1} -L $NSL_WORK/babeld$n.log </dev/null >/dev/null 2>&1 &
		echo \$! >$NSL_WORK/babeld$n.pid"
	nsl_set_proto "$n" 42
	eval "NSL_KIND_$n=babeld"
}

# nsl_start_bird N IF...: BIRD 2 with its babel protocol, both channels,
# exporting the lo addresses (10.99/16, fd99::/16) and installing what it
# learns.  $BIRD_IFOPTS adds interface options (e.g. "next hop ipv4 A;").
nsl_start_bird() {
	n=$1; shift
	conf=$NSL_WORK/bird$n.conf
	ifs=""
	for i in "$@"; do ifs="$ifs${ifs:+, }\"$i\""; done
	cat >"$conf" <<EOF
router id 10.99.0.$n;
log "$NSL_WORK/bird$n.log" all;
protocol device { scan time 1; }
protocol direct { ipv4; ipv6; interface "lo"; }
protocol kernel { ipv4 { import none; export where source = RTS_BABEL; }; }
protocol kernel { ipv6 { import none; export where source = RTS_BABEL; }; }
protocol babel {
	interface $ifs { type wired; hello interval 1 s; update interval 4 s; ${BIRD_IFOPTS:-} };
	ipv4 { import all; export where source = RTS_BABEL ||
		(source = RTS_DEVICE && net ~ [ 10.99.0.0/16+ ]); };
	ipv6 { import all; export where source = RTS_BABEL ||
		(source = RTS_DEVICE && net ~ [ fd99::/16+ ]); };
}
EOF
	nsl_ns "$n" "exec $BIRD -c $conf -s $NSL_WORK/bird$n.ctl -P $NSL_WORK/bird$n.bpid -f \
		</dev/null >$NSL_WORK/bird$n.out 2>&1 & echo \$! >$NSL_WORK/bird$n.pid"
	nsl_set_proto "$n" bird
	eval "NSL_KIND_$n=bird"
}

# nsl_reset: stop every daemon and capture, delete the namespaces, so that
# the next scenario of the same test starts afresh (same names).
nsl_reset() {
	for f in "$NSL_WORK"/*.pid; do
		[ -f "$f" ] || continue
		kill "$(cat "$f")" 2>/dev/null
	done
	sleep 0.3
	for f in "$NSL_WORK"/*.pid; do
		[ -f "$f" ] || continue
		kill -9 "$(cat "$f")" 2>/dev/null
		rm -f "$f"
	done
	for n in $NSL_NODES; do
		ip netns del "${NSL_P}n$n" 2>/dev/null
	done
	NSL_NODES=""
}

# nsl_alive N DAEMON: the daemon started in N still runs.
nsl_alive() { kill -0 "$(cat "$NSL_WORK/$2$1.pid" 2>/dev/null)" 2>/dev/null; }

# nsl_has_routes N OTHER...: N has the others' /32 and /128, installed by
# its own daemon (its protocol), not the local ones (/128 only when
# NSL_ONLY6 is set).
nsl_has_routes() {
	n=$1; shift
	p=$(nsl_proto "$n")
	r4=$(ip -n "${NSL_P}n$n" -4 route show proto "$p" 2>/dev/null)
	r6=$(ip -n "${NSL_P}n$n" -6 route show proto "$p" 2>/dev/null)
	for o in "$@"; do
		[ -n "${NSL_ONLY6:-}" ] || echo "$r4" | grep -q "^10\.99\.0\.$o " || return 1
		echo "$r6" | grep -q "^fd99::$o " || return 1
	done
	return 0
}

# nsl_wait SECONDS CMD...: until CMD succeeds (polled every 0.1 s), at most
# SECONDS of wall time (each poll may itself take a while on a busy host).
nsl_wait() {
	_end=$(($(date +%s) + $1)); shift
	while :; do
		"$@" && return 0
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.1
	done
}

# nsl_all_routes "N:O O" ...: every spec holds.
nsl_all_routes() {
	for spec in "$@"; do
		nsl_has_routes "${spec%%:*}" ${spec#*:} || return 1
	done
	return 0
}

# nsl_wait_routes SECONDS "N:O O" ...
nsl_wait_routes() {
	s=$1; shift
	nsl_wait "$s" nsl_all_routes "$@"
}

# nsl_ping N -4|-6 SRC DST "description": one TAP case (two tries).
nsl_ping() {
	nsl_ns "$1" "ping $2 -c 1 -W 2 -I $3 $4 >/dev/null 2>&1 ||
		ping $2 -c 1 -W 2 -I $3 $4 >/dev/null 2>&1"
	tap_ok $? "$5"
}

# nsl_dump: routes and log tails of every node, as TAP comments.
nsl_dump() {
	for n in $NSL_NODES; do
		tap_diag "--- n$n routes ($(eval "echo \${NSL_KIND_$n:-}"))"
		ip -n "${NSL_P}n$n" -4 route show 2>&1 | sed 's/^/#   /'
		ip -n "${NSL_P}n$n" -6 route show 2>&1 | grep -v "^f[ef]" | sed 's/^/#   /'
		for f in "$NSL_WORK"/mailled$n.log "$NSL_WORK"/babeld$n.log "$NSL_WORK"/bird$n.log \
			"$NSL_WORK"/bird$n.out; do
			[ -s "$f" ] || continue
			tap_diag "--- $(basename "$f") (tail)"
			tail -n 12 "$f" | sed 's/^/#   /'
		done
	done
}

# nsl_stop_all: SIGTERM every daemon, wait for them (bounded).
nsl_stop_all() {
	for f in "$NSL_WORK"/*.pid; do
		[ -f "$f" ] || continue
		case $f in *tshark*) continue ;; esac
		kill "$(cat "$f")" 2>/dev/null
	done
	i=0
	while [ $i -lt 30 ]; do
		alive=0
		for f in "$NSL_WORK"/*.pid; do
			[ -f "$f" ] || continue
			case $f in *tshark*) continue ;; esac
			kill -0 "$(cat "$f")" 2>/dev/null && alive=1
		done
		[ $alive -eq 0 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# ------------------------------------------------------------ captures
# nsl_capture_start N NAME IF...: tshark on those interfaces of N, Babel's
# port only, into $NSL_WORK/NAME.pcapng; returns once it captures.
nsl_capture_start() {
	n=$1; name=$2; shift 2
	ifargs=""
	for i in "$@"; do ifargs="$ifargs -i $i"; done
	nsl_ns "$n" "exec tshark -n -q $ifargs -f 'udp port 6696' -w $NSL_WORK/$name.pcapng \
		</dev/null >$NSL_WORK/$name.tshark.out 2>&1 & echo \$! >$NSL_WORK/$name.tshark.pid"
	i=0
	while [ $i -lt 100 ]; do
		grep -q "Capturing on" "$NSL_WORK/$name.tshark.out" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# nsl_capture_stop NAME: stop tshark so that the file is complete.
nsl_capture_stop() {
	pid=$(cat "$NSL_WORK/$1.tshark.pid" 2>/dev/null) || return 1
	kill -INT "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	rm -f "$NSL_WORK/$1.tshark.pid"
	[ -s "$NSL_WORK/$1.pcapng" ]
}

# nsl_capture_check NAME "desc" N:IF...: TAP cases: the capture decodes
# with no malformed packet and no expert error, and holds Babel packets
# from the link-local address of each N:IF listed.
nsl_capture_check() {
	name=$1; desc=$2; shift 2
	f=$NSL_WORK/$name.pcapng
	# One decoding pass (-n: no name lookups, which are slow here).
	tshark -n -r "$f" -V >"$NSL_WORK/$name.txt" 2>&1
	total=$(grep -c "^Frame [0-9]" "$NSL_WORK/$name.txt")
	bad=$(grep -c -i -e "malformed" -e "Expert Info (Error" "$NSL_WORK/$name.txt")
	[ "$total" -gt 0 ] && [ "$bad" -eq 0 ]
	tap_ok $? "$desc: $total packets decode with no malformed packet or expert error" ||
		grep -i -B2 -e "malformed" -e "Expert Info (Error" "$NSL_WORK/$name.txt" |
		head -n 20 | sed 's/^/#   /'
	srcs=$(sed -n 's/^ *Source Address: \(fe80:[0-9a-f:]*\)$/\1/p' "$NSL_WORK/$name.txt" |
		sort -u)
	miss=""
	for spec in "$@"; do
		ll=$(ip -n "${NSL_P}n${spec%%:*}" -6 addr show dev "${spec#*:}" scope link |
			sed -n 's/.*inet6 \(fe80[^/]*\)\/.*/\1/p' | head -n 1)
		echo "$srcs" | grep -qx "$ll" || miss="$miss $spec($ll)"
	done
	[ -z "$miss" ]
	tap_ok $? "$desc: Babel packets from every daemon on the captured links" ||
		tap_diag "missing:$miss; seen: $(echo $srcs)"
}
