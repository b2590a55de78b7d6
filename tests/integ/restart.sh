#!/bin/sh
# Restarts, and routes that are not mailled's.
# - n1 - n2 converge; n2 holds routes installed by hand in the export table
#   (main) with protocol static: one for a prefix mailled also learns
#   (n1's 10.99.1.1/32 and fd99:1::1/128) and one it never learns
#   (10.97.0.0/24, fd97::/64).  They survive start, learning, SIGTERM,
#   kill -9 and restart.
# - kill -9 n1, add an address to its lo while it is dead, restart it: the
#   stale proto-42 routes it left are removed at start (a planted one
#   included), its state file's seqno moved forward, and n2 accepts its
#   routes at once (the new address within a few seconds).
# - SIGTERM leaves no proto-42 route.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/netns.sh"

nsl_require_root
nsl_init mlk
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

statics() { # the four hand-made routes of n2, as ip prints them
	{
		ip -n "${NSL_P}n2" -4 route show proto static
		ip -n "${NSL_P}n2" -6 route show proto static
	} | sed 's/ *$//' | sort
}
STATICS_OK=""
statics_ok() { [ "$(statics)" = "$STATICS_OK" ]; }
check_statics() { # check_statics "when"
	statics_ok
	tap_ok $? "the hand-made static routes of n2 are intact $1" ||
		{ tap_diag "expected:"; echo "$STATICS_OK" | sed 's/^/#   /';
		  tap_diag "found:"; statics | sed 's/^/#   /'; }
}
seqno() { sed -n 's/^seqno \([0-9]*\)$/\1/p' "$NSL_WORK/state$1"; }
mailled_routes() { # count of proto-42 routes in n N
	(ip -n "${NSL_P}n$1" -4 route show proto 42; ip -n "${NSL_P}n$1" -6 route show proto 42) | wc -l
}

nsl_node 1 && nsl_node 2 && nsl_link 1 2 &&
	nsl_ns 1 "ip addr add 10.99.1.1/32 dev lo && ip addr add fd99:1::1/128 dev lo" &&
	nsl_ns 2 "ip route add blackhole 10.99.1.1/32 proto static &&
		ip -6 route add blackhole fd99:1::1/128 proto static &&
		ip route add blackhole 10.97.0.0/24 proto static &&
		ip -6 route add blackhole fd97::/64 proto static"
tap_ok $? "n1 - n2, with static routes in n2's main table"
STATICS_OK=$(statics)
[ "$(echo "$STATICS_OK" | wc -l)" -eq 4 ]
tap_ok $? "four static routes to watch" || echo "$STATICS_OK" | sed 's/^/#   /'

nsl_start_mailled 1 v1-2
nsl_start_mailled 2 v2-1
sleep 0.5
check_statics "after start"
nsl_wait_routes 30 "1:2" "2:1"
tap_ok $? "n1 and n2 converge" || nsl_dump
# The route to n1's extra address is learned (n2 announces it too: it is
# in n2's routing table, as a static; only n1 is the origin).
nsl_wait 10 sh -c "ip -n ${NSL_P}n1 -6 route show proto 42 | grep -q '^fd99::2 '"
sleep 2
check_statics "after learning"
r=$(ip -n "${NSL_P}n2" -4 route show exact 10.99.1.1/32)
[ "$(echo "$r" | wc -l)" -eq 1 ] && echo "$r" | grep -q "blackhole.*proto static"
tap_ok $? "the static route alone decides for 10.99.1.1 in n2" || echo "$r" | sed 's/^/#   /'
grep -q "route 10.99.1.1/32: the kernel holds a route that is not ours" "$NSL_WORK/mailled2.log"
tap_ok $? "n2's mailled says why it leaves 10.99.1.1/32 alone"

# ------------------------------------------------------------ kill -9
s1=$(seqno 1)
kill -9 "$(cat "$NSL_WORK/mailled1.pid")"
nsl_wait 5 sh -c "! kill -0 $(cat "$NSL_WORK/mailled1.pid") 2>/dev/null"
stale=$(mailled_routes 1)
tap_ok 0 "n1 killed with SIGKILL: $stale proto-42 routes left in its kernel"
nsl_ns 1 "ip route add blackhole 10.96.0.0/24 proto 42 && ip -6 route add blackhole fd96::/64 proto 42"
tap_ok $? "two more stale proto-42 routes planted in n1"
nsl_ns 1 "ip addr add 10.99.3.1/32 dev lo && ip addr add fd99:3::1/128 dev lo"
t0=$(now)
nsl_start_mailled 1 v1-2
nsl_wait 10 sh -c "grep -q 'removed [0-9]* stale routes' $NSL_WORK/mailled1.log"
tap_ok $? "the restarted n1 removes the stale routes at start" || nsl_dump
grep -o 'removed [0-9]* stale routes.*' "$NSL_WORK/mailled1.log" | sed 's/^/# /'
nsl_wait 5 sh -c "! ip -n ${NSL_P}n1 route show proto 42 | grep -q 10.96.0.0 &&
	! ip -n ${NSL_P}n1 -6 route show proto 42 | grep -q fd96::"
tap_ok $? "the planted stale routes are gone"
s2=$(seqno 1)
fwd=$(( (s2 - s1 + 65536) % 65536 ))
[ -n "$s1" ] && [ -n "$s2" ] && [ "$fwd" -ge 1 ] && [ "$fwd" -lt 32768 ]
tap_ok $? "the state file's seqno moved forward ($s1 -> $s2)"
nsl_wait 8 sh -c "ip -n ${NSL_P}n2 -4 route show proto 42 | grep -q '^10\.99\.3\.1 ' &&
	ip -n ${NSL_P}n2 -6 route show proto 42 | grep -q '^fd99:3::1 '"
st=$?
tap_ok $st "n2 accepts the restarted n1's new routes at once ($(elapsed "$t0" "$(now)") s)" ||
	nsl_dump
nsl_wait 10 nsl_all_routes "1:2" "2:1"
tap_ok $? "n1 and n2 have each other's routes after n1's restart"

# n2's mailled dies too: its routes stay (stale) and go at its restart,
# the static ones stay throughout.
kill -9 "$(cat "$NSL_WORK/mailled2.pid")"
nsl_wait 5 sh -c "! kill -0 $(cat "$NSL_WORK/mailled2.pid") 2>/dev/null"
check_statics "after kill -9 of n2's mailled"
nsl_start_mailled 2 v2-1
nsl_wait 10 sh -c "grep -q 'removed [0-9]* stale routes' $NSL_WORK/mailled2.log"
tap_ok $? "the restarted n2 removes its stale routes at start"
check_statics "after n2's restart removed its stale routes"
nsl_wait 15 nsl_all_routes "1:2" "2:1"
tap_ok $? "n1 and n2 have each other's routes after both restarts" || nsl_dump
check_statics "after the restarts"

# ------------------------------------------------------------ SIGTERM
nsl_stop_all
tap_ok $? "both daemons stop on SIGTERM"
l1=$(mailled_routes 1)
l2=$(mailled_routes 2)
[ "$l1" -eq 0 ] && [ "$l2" -eq 0 ]
tap_ok $? "SIGTERM leaves no proto-42 route (n1 $l1, n2 $l2)"
check_statics "after SIGTERM"
tap_done
