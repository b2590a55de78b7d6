#!/bin/sh
# bench_line.sh: mailled against babeld on the same topology, side by side.
#
# A ring of N routers (default 5: a line 1-2-...-N closed by the link N-1,
# so that traffic between neighbours has a parallel path), each in its own
# network namespace with 10.99.0.K/32 and fd99::K/128 on lo, links with
# IPv6 link-local addresses only, every interface with hello-interval 1 and
# update-interval 4.  The same run is made with mailled, then with babeld:
#   converge   time from starting the daemons until every node has every
#              other node's /32 and /128 in its kernel table
#   reroute    time from a silent cut of the link 1-2 (nftables drops all
#              on it, carrier stays up) until n1 and n2 reach each other
#              the long way round, in both families
#   cpu        CPU seconds (utime + stime, /proc/PID/stat) per daemon over
#              the run, mean and max
#   rss        peak resident set (VmHWM, /proc/PID/status) per daemon
# and the ratios mailled/babeld.
#
# Needs root, ip netns, nft, babeld.  Run it directly:
#   sudo top_srcdir=/path/to/src top_builddir=/path/to/build sh tests/bench/bench_line.sh [N]
# or from the build directory with `make bench` (tests/bench/bench_line is
# a wrapper that sets both).  MAILLED and BABELD override the binaries.
# Not part of `make check`: it takes about a minute.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/netns.sh"

N=${1:-${BENCH_N:-5}}
SETTLE=${BENCH_SETTLE:-5} # seconds of steady state before the cut

if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "bench_line: needs root and ip netns; skipped"; exit 0
fi
for c in "$MAILLED" "$BABELD" nft; do
	command -v "$c" >/dev/null 2>&1 || { echo "bench_line: no $c; skipped"; exit 0; }
done
nsl_init mbl

now() { date +%s.%N; }
since() { awk "BEGIN{printf \"%.2f\", $(date +%s.%N) - $1}"; }

left() { [ "$1" -eq 1 ] && echo "$N" || echo $(($1 - 1)); }
right() { [ "$1" -eq "$N" ] && echo 1 || echo $(($1 + 1)); }

others() { # others K: every node but K
	o=""
	for j in $(seq 1 "$N"); do [ "$j" -eq "$1" ] || o="$o $j"; done
	echo "$o"
}

converged() {
	for k in $(seq 1 "$N"); do
		nsl_has_routes "$k" $(others "$k") || return 1
	done
}

# Both ends reach each other around the ring, not through v1-2.
rerouted() {
	for spec in "1 2 v1-2" "2 1 v2-1"; do
		set -- $spec
		r=$(ip -n "${NSL_P}n$1" -4 route show proto 42 2>/dev/null | grep "^10\.99\.0\.$2 ")
		[ -n "$r" ] && ! echo "$r" | grep -q "dev $3 " || return 1
		r=$(ip -n "${NSL_P}n$1" -6 route show proto 42 2>/dev/null | grep "^fd99::$2 ")
		[ -n "$r" ] && ! echo "$r" | grep -q "dev $3 " || return 1
	done
}

cut() { # cut K IF: drop everything in and out of IF in K, carrier stays up
	nsl_ns "$1" "nft add table inet cut &&
		nft add chain inet cut i '{ type filter hook input priority 0 ; }' &&
		nft add chain inet cut o '{ type filter hook output priority 0 ; }' &&
		nft add rule inet cut i iifname $2 drop &&
		nft add rule inet cut o oifname $2 drop"
}

cpu_rss() { # cpu_rss DAEMON: "cpu_mean cpu_max rss_mean_kb rss_max_kb"
	tck=$(getconf CLK_TCK)
	for k in $(seq 1 "$N"); do
		pid=$(cat "$NSL_WORK/$1$k.pid")
		t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
		h=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
		echo "$t $h"
	done | awk -v tck="$tck" '{ c = $1 / tck; cs += c; if (c > cm) cm = c;
		hs += $2; if ($2 > hm) hm = $2; n++ }
		END { printf "%.2f %.2f %d %d\n", cs / n, cm, hs / n, hm }'
}

run() { # run mailled|babeld: sets R_<daemon>_{conv,rer,cpu,cpumax,rss,rssmax}
	d=$1
	for k in $(seq 1 "$N"); do nsl_node "$k" || exit 1; done
	for k in $(seq 1 "$N"); do nsl_link "$k" "$(right "$k")" || exit 1; done
	for k in $(seq 1 "$N"); do
		nsl_wait_ll "$k" "v$k-$(right "$k")"
		nsl_wait_ll "$k" "v$k-$(left "$k")"
	done
	t0=$(now)
	for k in $(seq 1 "$N"); do
		MAILLED_DEBUG=0 BABELD_DEBUG=0 \
			"nsl_start_$d" "$k" "v$k-$(left "$k")" "v$k-$(right "$k")"
	done
	if nsl_wait 60 converged; then conv=$(since "$t0"); else conv=fail; fi
	sleep "$SETTLE"
	t1=$(now)
	cut 1 v1-2 && cut 2 v2-1
	if nsl_wait 60 rerouted; then rer=$(since "$t1"); else rer=fail; fi
	set -- $(cpu_rss "$d")
	eval "R_${d}_conv=$conv R_${d}_rer=$rer R_${d}_cpu=$1 R_${d}_cpumax=$2"
	eval "R_${d}_rss=$3 R_${d}_rssmax=$4"
	nsl_reset
}

echo "bench_line: ring of $N routers, hello 1 s, update 4 s, links IPv6 link-local only"
run mailled
run babeld

ratio() { awk "BEGIN{ if ($2 + 0 > 0 && \"$1\" != \"fail\") printf \"%.2f\", $1 / $2; else print \"-\" }"; }
printf '%-28s %12s %12s %10s\n' "" mailled babeld ratio
printf '%-28s %12s %12s %10s\n' "converge (s)" "$R_mailled_conv" "$R_babeld_conv" \
	"$(ratio "$R_mailled_conv" "$R_babeld_conv")"
printf '%-28s %12s %12s %10s\n' "reroute after silent cut (s)" "$R_mailled_rer" "$R_babeld_rer" \
	"$(ratio "$R_mailled_rer" "$R_babeld_rer")"
printf '%-28s %12s %12s %10s\n' "CPU s per daemon (mean)" "$R_mailled_cpu" "$R_babeld_cpu" \
	"$(ratio "$R_mailled_cpu" "$R_babeld_cpu")"
printf '%-28s %12s %12s %10s\n' "CPU s per daemon (max)" "$R_mailled_cpumax" "$R_babeld_cpumax" \
	"$(ratio "$R_mailled_cpumax" "$R_babeld_cpumax")"
printf '%-28s %12s %12s %10s\n' "peak RSS kB (mean)" "$R_mailled_rss" "$R_babeld_rss" \
	"$(ratio "$R_mailled_rss" "$R_babeld_rss")"
printf '%-28s %12s %12s %10s\n' "peak RSS kB (max)" "$R_mailled_rssmax" "$R_babeld_rssmax" \
	"$(ratio "$R_mailled_rssmax" "$R_babeld_rssmax")"
