# Shared body of the babeld interop tests (sourced, not a test itself):
# lines of three routers, mailled-babeld-mailled and babeld-mailled-babeld,
# with the links set by $LINKMODE ("v4": IPv4 addresses on the links; "ll":
# IPv6 link-local only, IPv4 routes go v4-via-v6, RFC 9229).
#
# In each line: every node gets the others' loopback /32 and /128 from its
# own daemon (protocol 42 in its own namespace: babeld installs with 42 too),
# pings cross the line in both families, both ends originate a
# source-specific route (fd98::N/128 from 2001:db8:99::/48, RFC 9079) that
# must reach the other end through the middle, and a tshark capture of the
# middle node's two links decodes cleanly and holds packets of all three.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/netns.sh"

nsl_require_root
nsl_require_cmd "$BABELD" "Debian package babeld"
nsl_require_cmd tshark "Debian package tshark"
nsl_require_cmd ping "Debian package iputils-ping"
nsl_init mib

SS_SRC=2001:db8:99::/48

start_node() { # start_node KIND N IF...
	kind=$1; n=$2; shift 2
	case $kind in
	m)
		MAILLED_EXTRA="-C 'redistribute local ip fd98::/16 le 128 src-prefix $SS_SRC'" \
			nsl_start_mailled "$n" "$@"
		;;
	b)
		BABELD_EXTRA="redistribute local ip fd98::/16 le 128 src-prefix $SS_SRC" \
			nsl_start_babeld "$n" "$@"
		;;
	esac
}

has_ss() { # has_ss N O: N has O's source-specific route from its daemon
	ip -n "${NSL_P}n$1" -6 route show proto 42 2>/dev/null |
		grep -q "^fd98::$2 from $SS_SRC "
}

ss_all() { has_ss 3 1 && has_ss 1 3 && has_ss 2 1 && has_ss 2 3; }

# scenario "m b m": a line n1 - n2 - n3 with those daemons.
scenario() {
	set -- $1
	k1=$1 k2=$2 k3=$3
	what="$k1-$k2-$k3 line, links $LINKMODE"
	what=$(echo "$what" | sed 's/m/mailled/g; s/b/babeld/g')
	mode=""
	[ "$LINKMODE" = v4 ] && mode=v4
	nsl_node 1 && nsl_node 2 && nsl_node 3 &&
		nsl_link 1 2 $mode && nsl_link 2 3 $mode &&
		nsl_ns 1 "ip addr add fd98::1/128 dev lo" &&
		nsl_ns 3 "ip addr add fd98::3/128 dev lo" &&
		nsl_wait_ll 2 v2-1 && nsl_wait_ll 2 v2-3
	tap_ok $? "$what: namespaces and links" || return
	cap=cap$k1$k2$k3
	nsl_capture_start 2 "$cap" v2-1 v2-3
	tap_ok $? "$what: tshark captures on n2's links"

	start_node "$k1" 1 v1-2
	start_node "$k2" 2 v2-1 v2-3
	start_node "$k3" 3 v3-2
	sleep 0.3
	nsl_alive 1 "$(eval echo \$NSL_KIND_1)" && nsl_alive 2 "$(eval echo \$NSL_KIND_2)" &&
		nsl_alive 3 "$(eval echo \$NSL_KIND_3)"
	tap_ok $? "$what: the three daemons run"

	t0=$(date +%s.%N)
	nsl_wait_routes 30 "1:2 3" "2:1 3" "3:1 2"
	tap_ok $? "$what: every node has the others' /32 and /128" || nsl_dump
	tap_diag "converged after $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}") s"

	nsl_ping 1 -6 fd99::1 fd99::3 "$what: IPv6 ping n1 -> n3"
	nsl_ping 3 -6 fd99::3 fd99::1 "$what: IPv6 ping n3 -> n1"
	nsl_ping 1 -4 10.99.0.1 10.99.0.3 "$what: IPv4 ping n1 -> n3"
	nsl_ping 3 -4 10.99.0.3 10.99.0.1 "$what: IPv4 ping n3 -> n1"

	if [ "$LINKMODE" = ll ]; then
		ok=0
		for n in 1 2 3; do
			ip -n "${NSL_P}n$n" -4 route show proto 42 | grep "^10\.99\.0\." |
				grep -qv "via inet6 fe80" && ok=1
		done
		tap_ok $ok "$what: every IPv4 route has an IPv6 link-local next hop"
	else
		# Both name an IPv4 next hop (AE 1) on links with IPv4 addresses.
		ok=0
		for n in 1 2 3; do
			ip -n "${NSL_P}n$n" -4 route show proto 42 | grep "^10\.99\.0\." |
				grep -qv "via 10\.98\." && ok=1
		done
		tap_ok $ok "$what: every IPv4 route has an IPv4 next hop on the link (AE 1)" ||
			for n in 1 2 3; do ip -n "${NSL_P}n$n" -4 route show proto 42 |
				sed "s/^/#   n$n: /"; done
	fi

	nsl_wait 15 ss_all
	tap_diag "source-specific routes after $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}") s"
	tap_ok $? "$what: source-specific routes from both ends reach the other end and n2" ||
		for n in 1 2 3; do ip -n "${NSL_P}n$n" -6 route show proto 42 | grep from |
			sed "s/^/#   n$n: /"; done

	nsl_capture_stop "$cap"
	nsl_capture_check "$cap" "$what" 1:v1-2 2:v2-1 2:v2-3 3:v3-2
	nsl_reset
}
