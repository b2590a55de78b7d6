#!/bin/sh
# A full table through redistribution: n1 imports 50 000 IPv4 routes from
# kernel table 100 (import-table 100, a redistribute filter for them) and
# n2 installs every one of them, with no UDP receive-buffer drop in n2
# (/proc/net/snmp6 Udp6RcvbufErrors and the socket's own drop count from
# `ss -u -a -m`), then removes every one within seconds of the table being
# flushed.  The times go to the TAP diagnostics.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/netns.sh"

nsl_require_root
nsl_init mli
N=${IMPORT_ROUTES:-50000}
INSTALL_LIMIT=${IMPORT_INSTALL_LIMIT:-40}
WITHDRAW_LIMIT=${IMPORT_WITHDRAW_LIMIT:-15}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# count N: proto-42 IPv4 routes of n N inside 10.128.0.0/9 (the imported ones).
count() { ip -n "${NSL_P}n$1" -4 route show proto 42 root 10.128.0.0/9 2>/dev/null | wc -l; }
rcvbuf_errors() { # Udp6RcvbufErrors + UdpRcvbufErrors of n N
	nsl_ns "$1" "cat /proc/net/snmp6; cat /proc/net/snmp" | awk '
		$1 == "Udp6RcvbufErrors" { s += $2 }
		$1 == "Udp:" && !h { for (i = 1; i <= NF; i++) c[i] = $i; h = 1; next }
		$1 == "Udp:" && h { for (i = 1; i <= NF; i++) if (c[i] == "RcvbufErrors") s += $i }
		END { print s + 0 }'
}
sock_drops() { # the d counter of the socket bound to 6696 in n N
	nsl_ns "$1" "ss -u -a -n -m" | awk '
		/:6696 / { want = 1; next }
		want && /skmem/ { if (match($0, /,d[0-9]+/)) print substr($0, RSTART + 2, RLENGTH - 2); exit }'
}
wait_count() { # wait_count NODE TARGET SECONDS: until count == TARGET (wall clock:
	# listing 50k routes takes a while on a loaded machine)
	end=$(($(date +%s) + $3))
	while :; do
		[ "$(count "$1")" -eq "$2" ] && return 0
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.05
	done
}

nsl_node 1 && nsl_node 2 && nsl_link 1 2
tap_ok $? "two namespaces linked by a veth pair"

# A full table with the wired default update interval (4 s) means
# resending 50k routes every 4 s: on a loaded machine the sender falls
# behind and the receiver's routes expire (3.5 intervals) faster than they
# are refreshed.  A full-table router uses a longer one (babeld's own
# default is 16 s for wired links).
UI=${IMPORT_UPDATE_INTERVAL:-16}
MAILLED_EXTRA="-C 'interface v1-2 hello-interval 1 update-interval $UI' \
	-C 'import-table 100' -C 'redistribute ip 10.128.0.0/9 allow'" nsl_start_mailled 1
MAILLED_EXTRA="-C 'interface v2-1 hello-interval 1 update-interval $UI'" nsl_start_mailled 2
nsl_wait_routes 30 "1:2" "2:1"
tap_ok $? "the two routers converge" || nsl_dump

# 50 000 /26 routes in 10.128.0.0/9, in one `ip -batch`.
awk -v n="$N" 'BEGIN {
	for (i = 0; i < n; i++)
		printf "route add blackhole 10.%d.%d.%d/26 table 100\n",
			128 + int(i / 1024), int(i / 4) % 256, (i % 4) * 64
}' >"$NSL_WORK/routes.batch"

err0=$(rcvbuf_errors 2)
d0=$(sock_drops 2)
t0=$(now)
ip -n "${NSL_P}n1" -batch "$NSL_WORK/routes.batch"
tap_ok $? "$N routes added to table 100 of n1"
t1=$(now)
tap_diag "ip -batch took $(elapsed "$t0" "$t1") s"

wait_count 2 "$N" "$INSTALL_LIMIT"
st=$?
t2=$(now)
tap_ok $st "n2 installs all $N routes ($(elapsed "$t1" "$t2") s after they were added)" ||
	{ tap_diag "n2 has $(count 2) of them"; nsl_dump; }
tap_diag "install: $(elapsed "$t1" "$t2") s from the end of ip -batch, $(elapsed "$t0" "$t2") s from its start"

err1=$(rcvbuf_errors 2)
d1=$(sock_drops 2)
tap_diag "n2 UDP receive-buffer errors: $err0 -> $err1 (snmp), socket drops: ${d0:-?} -> ${d1:-?}"
[ "$err1" -eq "$err0" ]
tap_ok $? "no UDP receive-buffer error in n2 (/proc/net/snmp6)"
[ -n "$d1" ] && [ "$d1" -eq "${d0:-0}" ]
tap_ok $? "no drop on n2's Babel socket (ss -u -m)"

nsl_alive 1 mailled && nsl_alive 2 mailled
tap_ok $? "both daemons still run"

t3=$(now)
ip -n "${NSL_P}n1" route flush table 100
t4=$(now)
wait_count 2 0 "$WITHDRAW_LIMIT"
st=$?
t5=$(now)
tap_ok $st "n2 removes all $N routes after the import table is flushed ($(elapsed "$t4" "$t5") s)" ||
	tap_diag "n2 still has $(count 2)"
tap_diag "withdrawal: flush took $(elapsed "$t3" "$t4") s, n2 empty $(elapsed "$t4" "$t5") s later"

if nsl_all_routes "1:2" "2:1"; then
	tap_ok 0 "the loopback routes stay through the withdrawal"
else
	# Seen on a machine at load 45: a neighbour's Hellos late behind
	# the burst.  Say so, and require that it heals.
	nsl_has_routes 1 2 || tap_diag "n1 lacks n2's loopback routes just after the withdrawal"
	nsl_has_routes 2 1 || tap_diag "n2 lacks n1's loopback routes just after the withdrawal"
	nsl_wait_routes 15 "1:2" "2:1"
	tap_ok $? "the loopback routes come back after the withdrawal" || nsl_dump
fi

err2=$(rcvbuf_errors 2)
d2=$(sock_drops 2)
[ "$err2" -eq "$err0" ] && [ -n "$d2" ] && [ "$d2" -eq "${d0:-0}" ]
tap_ok $? "still no receive-buffer drop in n2 after the withdrawal ($err0 -> $err2, ${d0:-?} -> ${d2:-?})"

nsl_alive 1 mailled && nsl_alive 2 mailled
tap_ok $? "both daemons still run after the withdrawal"
nsl_stop_all
tap_ok $? "both daemons stop on SIGTERM"
left=$( (ip -n "${NSL_P}n2" -4 route show proto 42; ip -n "${NSL_P}n2" -6 route show proto 42) | wc -l)
[ "$left" -eq 0 ]
tap_ok $? "no proto-42 route left in n2 ($left)"

tap_done
