#!/bin/sh
# Lines of 2, 3, 4 and 5 mailled routers (n1 - n2 - ... - n5), grown one
# router at a time: after each one joins, every router has every other
# one's loopback /32 and /128 (proto 42) and n1 pings the far end over IPv6
# and IPv4 (v4-via-v6: the links carry only link-local addresses).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/netns.sh"

nsl_require_root
nsl_require_cmd ping "Debian package iputils-ping"
nsl_init mll
MAX=${LINE_MAX:-5}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# specs K: "1:2 3 .. K" "2:1 3 .. K" ... for a line of K routers.
specs() {
	s=""
	for a in $(seq 1 "$1"); do
		o=""
		for b in $(seq 1 "$1"); do [ "$a" -ne "$b" ] && o="$o $b"; done
		s="$s $a:$(echo $o | tr ' ' ,)"
	done
	echo "$s"
}
converged() { # converged K
	for spec in $(specs "$1"); do
		nsl_has_routes "${spec%%:*}" $(echo "${spec#*:}" | tr , ' ') || return 1
	done
}

nsl_node 1 && nsl_node 2 && nsl_link 1 2
tap_ok $? "n1 - n2 linked"
# Each router is configured for its link to the next one from the start:
# that interface appears only when the next router joins, and mailled
# picks it up then.
ifs() { # ifs K: the interfaces of router K
	if [ "$1" -gt 1 ]; then printf ' v%s-%s' "$1" $(($1 - 1)); fi
	if [ "$1" -lt "$MAX" ]; then printf ' v%s-%s' "$1" $(($1 + 1)); fi
}
nsl_start_mailled 1 $(ifs 1)
nsl_start_mailled 2 $(ifs 2)
for k in $(seq 2 "$MAX"); do
	if [ "$k" -gt 2 ]; then
		p=$((k - 1))
		nsl_node "$k" && nsl_link "$p" "$k"
		tap_ok $? "n$k linked to n$p"
		nsl_start_mailled "$k" $(ifs "$k")
	fi
	t0=$(now)
	nsl_wait 40 converged "$k"
	st=$?
	tap_ok $st "a line of $k routers converges ($(elapsed "$t0" "$(now)") s)" || nsl_dump
	nsl_ping 1 -6 fd99::1 "fd99::$k" "line of $k: IPv6 ping n1 -> n$k"
	nsl_ping 1 -4 10.99.0.1 "10.99.0.$k" "line of $k: IPv4 ping n1 -> n$k (v4-via-v6)"
	nsl_ping "$k" -6 "fd99::$k" fd99::1 "line of $k: IPv6 ping n$k -> n1"
done

alive=0
for n in $(seq 1 "$MAX"); do nsl_alive "$n" mailled || alive=1; done
tap_ok $alive "every mailled still runs"
nsl_stop_all
tap_ok $? "every mailled stops on SIGTERM"
left=0
for n in $(seq 1 "$MAX"); do
	c=$( (ip -n "${NSL_P}n$n" -4 route show proto 42; ip -n "${NSL_P}n$n" -6 route show proto 42) | wc -l)
	[ "$c" -eq 0 ] || { left=1; tap_diag "n$n keeps $c proto-42 routes"; }
done
tap_ok $left "no proto-42 route remains after SIGTERM"
tap_done
