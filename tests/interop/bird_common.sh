# Shared body of the BIRD interop tests (sourced, not a test itself): lines
# of three routers, mailled-bird-mailled and bird-mailled-bird, with BIRD
# 2.0.12's babel protocol (ipv4 and ipv6 channels, kernel protocols
# installing what it learns with protocol "bird").  $LINKMODE: "v4", IPv4
# addresses on the links, everything must pass both ways; "ll", link-local
# IPv6 only: BIRD 2.0.12 predates RFC 9229, so it announces its IPv4 routes
# with the next hop set by "next hop ipv4" (its loopback address), which
# mailled must install as an on-link next hop; it ignores mailled's
# v4-via-v6 updates, so IPv4 only flows from BIRD to mailled there.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/netns.sh"

nsl_require_root
nsl_require_cmd "$BIRD" "Debian package bird2"
nsl_require_cmd tshark "Debian package tshark"
nsl_require_cmd ping "Debian package iputils-ping"
nsl_init mir

start_node() { # start_node KIND N IF...
	kind=$1; n=$2; shift 2
	case $kind in
	m) nsl_start_mailled "$n" "$@" ;;
	B)
		if [ "$LINKMODE" = ll ]; then
			BIRD_IFOPTS="next hop ipv4 10.99.0.$n;" nsl_start_bird "$n" "$@"
		else
			nsl_start_bird "$n" "$@"
		fi
		;;
	esac
}

onlink_ok() { # onlink_ok N O: mailled node N routes O's /32 via O's loopback, on-link
	ip -n "${NSL_P}n$1" -4 route show proto 42 |
		grep -q "^10\.99\.0\.$2 via 10\.99\.0\.$2 dev .* onlink"
}

scenario() {
	set -- $1
	k1=$1 k2=$2 k3=$3
	what=$(echo "$k1-$k2-$k3 line, links $LINKMODE" | sed 's/m/mailled/g; s/B/bird/g')
	mode=""
	[ "$LINKMODE" = v4 ] && mode=v4
	nsl_node 1 && nsl_node 2 && nsl_node 3 &&
		nsl_link 1 2 $mode && nsl_link 2 3 $mode &&
		nsl_wait_ll 2 v2-1 && nsl_wait_ll 2 v2-3
	tap_ok $? "$what: namespaces and links" || return
	cap=cap$k1$k2$k3
	nsl_capture_start 2 "$cap" v2-1 v2-3
	tap_ok $? "$what: tshark captures on n2's links"

	start_node "$k1" 1 v1-2
	start_node "$k2" 2 v2-1 v2-3
	start_node "$k3" 3 v3-2
	sleep 0.5
	nsl_alive 1 "$(eval echo \$NSL_KIND_1)" && nsl_alive 2 "$(eval echo \$NSL_KIND_2)" &&
		nsl_alive 3 "$(eval echo \$NSL_KIND_3)"
	tap_ok $? "$what: the three daemons run"

	t0=$(date +%s.%N)
	if [ "$LINKMODE" = v4 ]; then
		nsl_wait_routes 30 "1:2 3" "2:1 3" "3:1 2"
		tap_ok $? "$what: every node has the others' /32 and /128" || nsl_dump
	else
		NSL_ONLY6=1 nsl_wait_routes 30 "1:2 3" "2:1 3" "3:1 2"
		tap_ok $? "$what: every node has the others' /128" || nsl_dump
	fi
	tap_diag "converged after $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}") s"

	nsl_ping 1 -6 fd99::1 fd99::3 "$what: IPv6 ping n1 -> n3"
	nsl_ping 3 -6 fd99::3 fd99::1 "$what: IPv6 ping n3 -> n1"
	if [ "$LINKMODE" = v4 ]; then
		nsl_ping 1 -4 10.99.0.1 10.99.0.3 "$what: IPv4 ping n1 -> n3"
		nsl_ping 3 -4 10.99.0.3 10.99.0.1 "$what: IPv4 ping n3 -> n1"
	elif [ "$k2" = B ]; then
		nsl_wait 10 sh -c "ip -n ${NSL_P}n1 -4 route show proto 42 |
			grep -q '^10\.99\.0\.2 via 10\.99\.0\.2 dev .* onlink' &&
			ip -n ${NSL_P}n3 -4 route show proto 42 |
			grep -q '^10\.99\.0\.2 via 10\.99\.0\.2 dev .* onlink'"
		tap_ok $? "$what: mailled installs BIRD's IPv4 route via its 'next hop ipv4' on-link" ||
			for n in 1 3; do ip -n "${NSL_P}n$n" -4 route | sed "s/^/#   n$n: /"; done
	else
		nsl_wait 10 sh -c "ip -n ${NSL_P}n2 -4 route show proto 42 |
			grep -q '^10\.99\.0\.1 via 10\.99\.0\.1 dev .* onlink' &&
			ip -n ${NSL_P}n2 -4 route show proto 42 |
			grep -q '^10\.99\.0\.3 via 10\.99\.0\.3 dev .* onlink'"
		tap_ok $? "$what: mailled installs both BIRDs' IPv4 routes via their 'next hop ipv4' on-link" ||
			ip -n "${NSL_P}n2" -4 route | sed "s/^/#   n2: /"
	fi

	nsl_capture_stop "$cap"
	nsl_capture_check "$cap" "$what" 1:v1-2 2:v2-1 2:v2-3 3:v3-2
	# BIRD drops the rest of a packet at the first TLV it cannot parse
	# (an IPv4 Update relying on flag 0x40 for its router-id did that).
	bad=$(cat "$NSL_WORK"/bird*.log 2>/dev/null | grep -c -e "Bad TLV" -e "Bad packet")
	[ "$bad" -eq 0 ]
	tap_ok $? "$what: BIRD finds no bad TLV or packet from mailled" ||
		grep -h -e "Bad TLV" -e "Bad packet" "$NSL_WORK"/bird*.log | head -n 5 | sed 's/^/#   /'
	rm -f "$NSL_WORK"/bird*.log
	nsl_reset
}
