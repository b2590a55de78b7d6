#!/bin/sh
# bench_radio.sh: what routing costs on a 1200 baud radio channel, mailled
# against babeld on the same work.
#
# mailled: three stations on one kisssim channel at 1200 baud where all
# hear each other, every setting at its default (Hello every 90 s, full
# updates every 600 s, airtime budget 5%, TNC parameters Dire Wolf's), each
# announcing 20 prefixes: 10.99.0.N/32, fd99::N/128, 10.99.N.1-9/32 and
# fd99:N::1-9/128, local addresses on lo, all allowed out on radio0.
#   cold start   from starting the three daemons until every station has
#                the 40 prefixes of the other two in its kernel table
#   airtime      after BENCH_SETTLE s more, the share of the channel's time
#                a transmitter was keyed during BENCH_WINDOW s, from
#                kisssim's own channel-use report (SIGUSR1 at both ends of
#                the window; nothing but routing is sent in it), for the
#                channel and for the busiest station (whose goal is the 5%
#                budget); routing bytes per second from kisssim's air log
#   RTT          five 64-byte IPv4 pings over one hop after the window,
#                one at a time: the median (and the range)
# babeld has no AX.25, so the nearest real comparison is babeld doing the
# same work where it can: three nodes on one Ethernet segment (veths on a
# bridge), 20 prefixes each, default intervals (a wired link: Hello every
# 4 s, updates every 16 s).  Its Babel packets are captured on the bridge
# for BABELD_WINDOW s of steady state and each is priced as kisssim prices
# a transmission: split into UI frames of at most 256 octets of payload,
# 16 octets of AX.25 header each, then per frame TX delay 300 ms + flags,
# FCS and bit stuffing at 1200 baud + TX tail 100 ms.  That airtime share
# is printed next to mailled's, with the ratio.
#
# Needs root, ip netns, babeld, dumpcap and tshark.  Run it directly:
#   sudo top_srcdir=/path/to/src top_builddir=/path/to/build sh tests/bench/bench_radio.sh
# or from the build directory with `make bench`.  MAILLED, KISSSIM and
# BABELD override the binaries.  Not part of `make check`: with the
# defaults (BENCH_SETTLE=60, BENCH_WINDOW=600, one full-update period;
# BABELD_WINDOW=120) it takes about 15 minutes.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/radio_sites.sh"

BABELD=${BABELD:-babeld}
SETTLE=${BENCH_SETTLE:-60}
WINDOW=${BENCH_WINDOW:-600}
BWINDOW=${BABELD_WINDOW:-120}
CONV_MAX=${BENCH_CONV_MAX:-300}
NPFX=9 # per family on the dummy interface, besides the two on lo

if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "bench_radio: needs root and ip netns; skipped"; exit 0
fi
for c in "$MAILLED" "$SIM" "$BABELD" dumpcap tshark; do
	command -v "$c" >/dev/null 2>&1 || { echo "bench_radio: no $c; skipped"; exit 0; }
done
radio_init mbr "1 2 3"

now() { date +%s.%N; }
since() { awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $1}"; }
die() { echo "bench_radio: $*" >&2; exit 1; }

prefixes() { # prefixes N: the 18 extra prefixes of station N, on lo
	# (lo rather than a dummy interface: kernels without the dummy module)
	for i in $(seq 1 $NPFX); do
		ns "$1" "ip addr add 10.99.$1.$i/32 dev lo && ip addr add fd99:$1::$i/128 dev lo" ||
			return 1
	done
}

has_all() { # has_all N: N has the 20 + 20 prefixes of the two others
	v4=$(ip -n "${P}n$1" -4 route show proto 42 2>/dev/null | grep -c '^10\.99\.')
	v6=$(ip -n "${P}n$1" -6 route show proto 42 2>/dev/null | grep -c '^fd99:')
	[ "$v4" -eq $((2 * (NPFX + 1))) ] && [ "$v6" -eq $((2 * (NPFX + 1))) ]
}
all_converged() { has_all 1 && has_all 2 && has_all 3; }

# ------------------------------------------------------------ mailled
start_default() { # start_default N TNCADDR PORT CALL: every radio setting at its default
	ns "$1" "exec $MAILLED -d 1 -C 'state-file $WORK/state$1' \
		-C 'control-socket $WORK/ctl$1' \
		-C 'interface radio0 type ax25 kiss tcp:$2:$3 callsign $4' \
		-C 'out if radio0 ip 10.99.0.0/16 allow' \
		-C 'out if radio0 ip fd99::/16 allow' >$WORK/log$1 2>&1 & echo \$! >$WORK/pid$1"
}

# sim_stats: asks kisssim for its channel use; prints "elapsed busy% k0% k1% k2%".
sim_stats() {
	before=$(grep -c '^channel use' "$WORK/sim.out")
	kill -USR1 "$(cat "$WORK/pidsim")"
	wait_for 5 sh -c "[ \$(grep -c '^channel use' '$WORK/sim.out') -gt $before ]" || return 1
	awk -v want=$((before + 1)) '
		/^channel use over/ { n++; if (n == want) { el = $4; busy = $NF; sub(/%/, "", busy); on = 1; next } }
		on && /^  station [0-9]+: keyed/ { k = $4; sub(/%/, "", k); ks = ks " " k; next }
		on { on = 0 }
		END { print el, busy ks }' "$WORK/sim.out"
}

echo "bench_radio: 3 stations on kisssim, 1200 baud, all hear each other, 20 prefixes each, defaults"
radio_sim_ns || die "namespace"
mknode 1 192.0.2.1 192.0.2.2 && mknode 2 192.0.2.5 192.0.2.6 && mknode 3 192.0.2.9 192.0.2.10 ||
	die "station namespaces"
for n in 1 2 3; do prefixes "$n" || die "prefixes in n$n"; done
start_sim 3 "${BENCH_SEED:-21}" || die "kisssim did not start"
t0=$(now)
start_default 1 192.0.2.1 $PORT F4AAA-1
start_default 2 192.0.2.5 $((PORT + 1)) F4BBB-2
start_default 3 192.0.2.9 $((PORT + 2)) F4CCC-3
if wait_for "$CONV_MAX" all_converged; then conv=$(since "$t0"); else conv="fail(>${CONV_MAX})"; fi
alive || die "a mailled died: $(tail -n 5 "$WORK"/log*)"
echo "  cold start to full tables: $conv s; settling $SETTLE s, then measuring $WINDOW s"
sleep "$SETTLE"
s1=$(sim_stats) || die "no channel-use report from kisssim"
sleep "$WINDOW"
s2=$(sim_stats) || die "no channel-use report from kisssim"
all_converged || echo "  (warning: some routes went missing during the window)"
# Shares over the window from the two cumulative reports, and routing's
# bytes from the air log (key-up times are on kisssim's clock, as the
# reports' elapsed time).
set -- $s1
e1=$1 b1=$2 k1="$3 $4 $5"
set -- $s2
e2=$1 b2=$2 k2="$3 $4 $5"
m_busy=$(awk -v e1="$e1" -v e2="$e2" -v b1="$b1" -v b2="$b2" \
	'BEGIN { printf "%.2f", (b2 * e2 - b1 * e1) / (e2 - e1) }')
m_max=$(awk -v e1="$e1" -v e2="$e2" -v a="$k1" -v b="$k2" 'BEGIN {
	split(a, x, " "); split(b, y, " "); m = 0
	for (i = 1; i <= 3; i++) { s = (y[i] * e2 - x[i] * e1) / (e2 - e1); if (s > m) m = s }
	printf "%.2f", m }')
set -- $(awk -v e1="$e1" -v e2="$e2" '$2 == "tx" && $1 >= e1 && $1 < e2 { n++; b += $5 }
	END { printf "%d %.1f\n", n, b / (e2 - e1) }' "$WORK/air.log")
m_frames=$1 m_bps=$2

# One hop, 64 bytes (56 + 8 of ICMP header), one echo at a time.
rtts=""
for _ in 1 2 3 4 5; do
	r=$(ip netns exec "${P}n1" ping -n -c 1 -W 20 -s 56 -I 10.99.0.1 10.99.0.2 2>/dev/null |
		sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p')
	rtts="$rtts ${r:-lost}"
	sleep 2
done
m_rtt=$(echo "$rtts" | tr ' ' '\n' | grep -v -e '^$' -e lost | sort -n |
	awk '{ v[NR] = $1 } END { if (NR) printf "%.0f (%.0f..%.0f, %d of 5)", v[int((NR + 1) / 2)], v[1], v[NR], NR; else print "lost" }')

for n in 1 2 3; do kill "$(cat "$WORK/pid$n")" 2>/dev/null; done
stop_sim
for n in 1 2 3; do wait_for 5 sh -c "! kill -0 $(cat "$WORK/pid$n") 2>/dev/null"; rm -f "$WORK/pid$n"; done
for n in 1 2 3; do ip netns del "${P}n$n"; done
ip netns del "$K"

# ------------------------------------------------------------ babeld
echo "bench_radio: babeld, 3 nodes on one bridged Ethernet segment, 20 prefixes each, defaults"
radio_sim_ns || die "namespace"
ip -n "$K" link add br0 type bridge && ip -n "$K" link set br0 up || die "bridge"
for n in 1 2 3; do
	ip netns add "${P}n$n" || die "namespace n$n"
	ip link add "k$n" netns "$K" type veth peer name lan netns "${P}n$n" || die "veth"
	ip -n "$K" link set "k$n" master br0 && ip -n "$K" link set "k$n" up || die "bridge port"
	ns "$n" "ip link set lo up && ip link set lan up &&
		ip addr add 10.99.0.$n/32 dev lo && ip addr add fd99::$n/128 dev lo &&
		sysctl -qw net.ipv4.ip_forward=1 && sysctl -qw net.ipv6.conf.all.forwarding=1" ||
		die "node n$n"
	prefixes "$n" || die "prefixes in n$n"
done
for n in 1 2 3; do
	wait_for 5 sh -c "ip -n ${P}n$n -6 addr show dev lan scope link | grep -q fe80 &&
		! ip -n ${P}n$n -6 addr show dev lan | grep -q tentative"
	printf '%s\n' "interface lan" "redistribute local ip 10.99.0.0/16 le 32 allow" \
		"redistribute local ip fd99::/16 le 128 allow" "redistribute local deny" \
		>"$WORK/babeld$n.conf"
done
t0=$(now)
for n in 1 2 3; do
	ns "$n" "exec $BABELD -c $WORK/babeld$n.conf -I '' -S $WORK/babeld$n.state \
		-L $WORK/babeld$n.log </dev/null >/dev/null 2>&1 & echo \$! >$WORK/pidb$n"
done
if wait_for "$CONV_MAX" all_converged; then bconv=$(since "$t0"); else bconv="fail(>${CONV_MAX})"; fi
echo "  cold start to full tables: $bconv s; settling 20 s, then capturing $BWINDOW s on the bridge"
sleep 20
ip netns exec "$K" dumpcap -q -i br0 -f "udp port 6696" -a "duration:$BWINDOW" \
	-w "$WORK/babeld.pcap" >/dev/null 2>&1 || die "dumpcap on the bridge failed"
# kisssim's airtime for each Babel packet as AX.25 UI frames (see the top).
set -- $(tshark -r "$WORK/babeld.pcap" -T fields -e udp.length 2>/dev/null | awk -v w="$BWINDOW" '
	function frame_s(len,   bits) {
		bits = 8 * (len + 2)
		return (0.300 + (16 + bits + int((bits + 61) / 62)) / 1200 + 0.100)
	}
	$1 > 8 {
		p = $1 - 8; pk++; pb += p
		n = int((p + 255) / 256)
		for (i = 0; i < n; i++) {
			f = (i < n - 1) ? 256 : p - 256 * (n - 1)
			air += frame_s(16 + f); fr++
		}
	}
	END { if (!pk) { print "0 0 0 0"; exit }
		printf "%d %d %.1f %.2f\n", pk, fr, pb / w, 100 * air / w }')
b_pk=$1 b_fr=$2 b_bps=$3 b_share=$4

# ------------------------------------------------------------ report
ratio() { # ratio A B: A/B, or "-" when either is not a number
	case "$1$2" in *fail* | *-* | "") echo "-"; return ;; esac
	awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.3f", a / b; else print "-" }'
}
echo
echo "Routing on a 1200 baud channel, 3 stations, 20 prefixes each (steady state):"
printf '%-44s %12s %14s %8s\n' "" mailled "babeld(priced)" ratio
printf '%-44s %12s %14s %8s\n' "Babel payload, bytes/s (all stations)" \
	"$(awk -v b="$m_bps" -v n="$m_frames" -v w="$WINDOW" 'BEGIN { printf "%.1f", b - 16 * n / w }')" \
	"$b_bps" "$(ratio "$(awk -v b="$m_bps" -v n="$m_frames" -v w="$WINDOW" 'BEGIN { printf "%.1f", b - 16 * n / w }')" "$b_bps")"
printf '%-44s %12s %14s %8s\n' "transmissions per minute (all stations)" \
	"$(awk -v n="$m_frames" -v w="$WINDOW" 'BEGIN { printf "%.1f", 60 * n / w }')" \
	"$(awk -v n="$b_fr" -v w="$BWINDOW" 'BEGIN { printf "%.1f", 60 * n / w }')" ""
printf '%-44s %11s%% %13s%% %8s\n' "airtime share of the channel" "$m_busy" "$b_share" \
	"$(ratio "$m_busy" "$b_share")"
printf '%-44s %11s%% %14s %8s\n' "busiest station's share (budget 5%)" "$m_max" "-" ""
printf '%-44s %12s %14s %8s\n' "cold start to full tables, s (goal < 180)" "$conv" "$bconv" \
	"$(ratio "$conv" "$bconv")"
printf '%-44s %12s\n' "64-byte ping RTT over one hop, ms" "$m_rtt"
echo
echo "mailled: kisssim channel use over ${WINDOW} s of steady state ($m_frames transmissions);"
echo "babeld: $b_pk packets over ${BWINDOW} s on veth, priced as $b_fr AX.25 frames at 1200 baud"
echo "(TX delay 300 ms, TX tail 100 ms, flags, FCS, bit stuffing; paclen 256). babeld's cold"
echo "start is on Ethernet, not radio: it is there for scale, not as a like-for-like figure."
