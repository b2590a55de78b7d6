#!/bin/sh
# make demo: three sites of a collective (Paris, Lyon, Brussels), each a
# mailled router in its own network namespace, joined by three kinds of
# link: fibre (Paris-Lyon), community Wi-Fi mesh (Lyon-Brussels) and a
# tunnel over the commercial internet (Paris-Brussels).  The demo shows the
# neighbours and routes converging, pings Brussels from Paris, cuts the
# "internet" link silently while a ping runs, shows the reroute through
# Lyon, restores the link and shows traffic return to it.  Then it cleans up
# everything it made.  Needs root (network namespaces).
set -u
builddir=${1:-.}
srcdir=$(cd "$(dirname "$0")/.." && pwd)
MAILLED=$builddir/src/mailled
MAILLEDUMP=$builddir/tools/mailledump

if [ "$(id -u)" -ne 0 ]; then
	echo "make demo needs root: it builds a small network out of network namespaces."
	exit 1
fi
[ -x "$MAILLED" ] || { echo "no mailled at $MAILLED: run make first"; exit 1; }

P=mdemo$$
WORK=$(mktemp -d)
SITES="paris lyon brussels"
cleanup() {
	for s in $SITES; do
		[ -f "$WORK/$s.pid" ] && kill "$(cat "$WORK/$s.pid")" 2>/dev/null
	done
	# mailled retracts its routes and writes its state file on the way out.
	for i in 1 2 3 4 5 6 7 8 9 10; do
		alive=0
		for s in $SITES; do
			[ -f "$WORK/$s.pid" ] && kill -0 "$(cat "$WORK/$s.pid")" 2>/dev/null && alive=1
		done
		[ $alive -eq 0 ] && break
		sleep 0.2
	done
	for s in $SITES; do
		[ -f "$WORK/$s.pid" ] && kill -9 "$(cat "$WORK/$s.pid")" 2>/dev/null
		ip netns del "$P-$s" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
on() { site=$1; shift; ip netns exec "$P-$site" "$@"; }

n=0
for s in $SITES; do
	n=$((n + 1))
	ip netns add "$P-$s"
	on "$s" ip link set lo up
	on "$s" ip addr add "10.42.0.$n/32" dev lo
	on "$s" ip addr add "fd42::$n/128" dev lo
	on "$s" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
done
link() { # link A B NAME: a veth named NAME on both sides
	ip link add "$3" netns "$P-$1" type veth peer name "$3" netns "$P-$2"
	on "$1" ip link set "$3" up
	on "$2" ip link set "$3" up
}
link paris lyon fibre
link lyon brussels wifi
link paris brussels internet

conf() { # the config of one site, printed
	case $1 in
	paris) echo "interface fibre type wired"; echo "interface internet type tunnel" ;;
	lyon) echo "interface fibre type wired"; echo "interface wifi type wireless" ;;
	brussels) echo "interface wifi type wireless"; echo "interface internet type tunnel" ;;
	esac
	# Fast Hellos so that the demo takes seconds, not minutes.
	echo "default hello-interval 1 update-interval 4"
	echo "state-file $WORK/$1.state"
	echo "control-socket $WORK/$1.sock"
}

say "Three sites; each router runs mailled with a config like this one (Paris):"
conf paris | tee "$WORK/paris.conf" | sed 's/^/    /'
for s in $SITES; do
	conf "$s" >"$WORK/$s.conf"
	# Not through on(): a function in the background is a subshell, and
	# $! would be its pid, not mailled's (ip netns exec execs it).
	ip netns exec "$P-$s" "$MAILLED" -d 1 -c "$WORK/$s.conf" >"$WORK/$s.log" 2>&1 &
	echo $! >"$WORK/$s.pid"
done

routes_everywhere() {
	for s in $SITES; do
		c=$(on "$s" ip route show proto 42 | grep -c '^10\.42\.0\.')
		[ "$c" -ge 2 ] || return 1
	done
}
say "Waiting for the routers to meet their neighbours and exchange routes"
t0=$(date +%s.%N)
i=0
until routes_everywhere; do
	i=$((i + 1))
	[ $i -lt 300 ] || { echo "no convergence in 30 s; logs:"; tail -n 20 "$WORK"/*.log; exit 1; }
	sleep 0.1
done
printf 'converged in %.1f s\n' "$(echo "$(date +%s.%N) - $t0" | bc 2>/dev/null || echo 0)"

say "Paris's kernel routing table (routes installed by mailled: proto babel/42)"
on paris ip route show proto 42 | sed 's/^/    /'
on paris ip -6 route show proto 42 | sed 's/^/    /'
# The direct tunnel is the cheapest path once its cost has been measured.
i=0
until on paris ip route get 10.42.0.3 from 10.42.0.1 | grep -q 'dev internet'; do
	i=$((i + 1)); [ $i -lt 300 ] || break; sleep 0.1
done
say "How Paris reaches Brussels: straight over the internet tunnel"
on paris ip route get 10.42.0.3 from 10.42.0.1 | head -n 1 | sed 's/^/    /'
say "Ping Brussels from Paris"
on paris ping -c 3 -i 0.2 -I 10.42.0.1 10.42.0.3 | tail -n 2 | sed 's/^/    /'

say "The internet link fails silently (packets dropped, carrier still up), while Paris pings Brussels"
on paris ping -i 0.1 -c 150 -I 10.42.0.1 10.42.0.3 >"$WORK/ping.txt" 2>&1 &
pingpid=$!
sleep 1
for s in paris brussels; do
	on "$s" nft add table inet demo
	on "$s" nft add chain inet demo in '{ type filter hook input priority 0; }'
	on "$s" nft add chain inet demo out '{ type filter hook output priority 0; }'
	on "$s" nft add rule inet demo in iifname internet drop
	on "$s" nft add rule inet demo out oifname internet drop
done
i=0
until on paris ip route get 10.42.0.3 from 10.42.0.1 2>/dev/null | grep -q 'dev fibre'; do
	i=$((i + 1)); [ $i -lt 300 ] || break; sleep 0.1
done
say "Paris now reaches Brussels through Lyon (fibre, then the Wi-Fi mesh)"
on paris ip route get 10.42.0.3 from 10.42.0.1 | head -n 1 | sed 's/^/    /'
sleep 4

say "The internet link comes back: traffic returns to it"
for s in paris brussels; do on "$s" nft delete table inet demo; done
i=0
until on paris ip route get 10.42.0.3 from 10.42.0.1 | grep -q 'dev internet'; do
	i=$((i + 1)); [ $i -lt 400 ] || break; sleep 0.1
done
on paris ip route get 10.42.0.3 from 10.42.0.1 | head -n 1 | sed 's/^/    /'
wait $pingpid
say "The ping that ran through the cut and the return:"
tail -n 2 "$WORK/ping.txt" | sed 's/^/    /'
lost=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$WORK/ping.txt")
[ -n "$lost" ] && echo "    traffic was interrupted for about $(( (150 - lost) / 10 )).$(( (150 - lost) % 10 )) s (pings every 0.1 s), until the loss of the link was detected"

say "What mailled logged in Paris"
sed 's/^/    /' "$WORK/paris.log" | tail -n 12

if [ -x "$MAILLEDUMP" ]; then
	say "And maille's codecs on real babeld traffic (tests/data): mailledump"
	"$MAILLEDUMP" "$srcdir/tests/data/babeld-1.12-plain.pcap" | sed -n 15,24p | sed 's/^/    /'
fi
say "Cleaning up"
