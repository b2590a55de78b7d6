#!/bin/sh
# A ring of 4 mailled routers: n1 - n2 - n3 - n4 - n1.  n1 reaches n2 over
# their direct link; when that link goes down (ip link set down) the route
# moves to the long way round (n1 - n4 - n3 - n2) and comes back when the
# link is up again; then the same link is cut silently (nftables drops
# everything on it in both namespaces, carrier stays up) and the route
# moves again, and returns when the cut is lifted.  Pings follow.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/netns.sh"

nsl_require_root
nsl_require_cmd ping "Debian package iputils-ping"
nsl_require_cmd nft "Debian package nftables"
nsl_init mlr
LIMIT=${RING_LIMIT:-20}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# via N DST: the interface N's route to DST goes through (IPv6 and IPv4 agree).
via() {
	d6=$(ip -n "${NSL_P}n$1" -6 route show proto 42 "fd99::$2" | sed -n 's/.* dev \([^ ]*\).*/\1/p')
	d4=$(ip -n "${NSL_P}n$1" -4 route show proto 42 "10.99.0.$2" | sed -n 's/.* dev \([^ ]*\).*/\1/p')
	[ "$d6" = "$d4" ] && echo "$d6"
}
goes_via() { [ "$(via "$1" "$2")" = "$3" ]; }
# wait_via "what" N DST IF: one TAP case, with the time it took.
wait_via() {
	t0=$(now)
	nsl_wait "$LIMIT" goes_via "$2" "$3" "$4"
	st=$?
	tap_ok $st "$1: n$2 reaches n$3 through $4 ($(elapsed "$t0" "$(now)") s)" ||
		{ tap_diag "n$2 -> n$3 goes through '$(via "$2" "$3")'"; nsl_dump; }
}
cut() { # cut N IF: drop everything on IF in N, carrier up
	nsl_ns "$1" "nft -f -" <<EOF2
table inet cut$$ {
	chain i { type filter hook input priority -300; iifname "$2" drop; }
	chain f { type filter hook forward priority -300; iifname "$2" drop; oifname "$2" drop; }
	chain o { type filter hook output priority -300; oifname "$2" drop; }
}
EOF2
}
uncut() { nsl_ns "$1" "nft delete table inet cut$$"; }

for n in 1 2 3 4; do nsl_node $n || break; done &&
	nsl_link 1 2 && nsl_link 2 3 && nsl_link 3 4 && nsl_link 4 1
tap_ok $? "a ring of four namespaces"
nsl_start_mailled 1 v1-2 v1-4
nsl_start_mailled 2 v2-1 v2-3
nsl_start_mailled 3 v3-2 v3-4
nsl_start_mailled 4 v4-3 v4-1
t0=$(now)
nsl_wait_routes 40 "1:2 3 4" "2:1 3 4" "3:1 2 4" "4:1 2 3"
tap_ok $? "the ring converges ($(elapsed "$t0" "$(now)") s)" || nsl_dump
wait_via "converged" 1 2 v1-2
nsl_ping 1 -6 fd99::1 fd99::2 "IPv6 ping n1 -> n2"

# ------------------------------------------------------------ link down
ip -n "${NSL_P}n1" link set v1-2 down
wait_via "v1-2 down" 1 2 v1-4
wait_via "v1-2 down" 2 1 v2-3
nsl_ping 1 -6 fd99::1 fd99::2 "IPv6 ping n1 -> n2 the long way round"
nsl_ping 1 -4 10.99.0.1 10.99.0.2 "IPv4 ping n1 -> n2 the long way round"
ip -n "${NSL_P}n1" link set v1-2 up
wait_via "v1-2 up again" 1 2 v1-2
wait_via "v1-2 up again" 2 1 v2-1
nsl_ping 1 -6 fd99::1 fd99::2 "IPv6 ping n1 -> n2 over the direct link again"

# ------------------------------------------------------------ silent cut
cut 1 v1-2 && cut 2 v2-1
tap_ok $? "v1-2 cut with nftables in n1 and n2"
ip -n "${NSL_P}n1" link show v1-2 | grep -q "LOWER_UP"
tap_ok $? "the carrier stays up"
wait_via "silent cut" 1 2 v1-4
wait_via "silent cut" 2 1 v2-3
nsl_ping 1 -6 fd99::1 fd99::2 "IPv6 ping n1 -> n2 around the cut"
nsl_ping 1 -4 10.99.0.1 10.99.0.2 "IPv4 ping n1 -> n2 around the cut"
uncut 1 && uncut 2
tap_ok $? "the cut lifted"
wait_via "cut lifted" 1 2 v1-2
wait_via "cut lifted" 2 1 v2-1
nsl_ping 1 -6 fd99::1 fd99::2 "IPv6 ping n1 -> n2 over the direct link after the cut"

alive=0
for n in 1 2 3 4; do nsl_alive $n mailled || alive=1; done
tap_ok $alive "every mailled still runs"
nsl_stop_all
tap_ok $? "every mailled stops on SIGTERM"
tap_done
