#!/bin/sh
# The radio link's TUN device (src/sys/tun) in a network namespace: MTU
# 1280, addrgenmode none, our callsign link-local the only IPv6 address,
# up; a ping routed into it arrives as a bare IPv4 packet; a packet written
# to it is received by the kernel; small advertised MSS values are accepted
# on routes through it.
. "$top_srcdir/tests/lib/tap.sh"

PROBE=$top_builddir/tests/integ/tun_probe
[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root for network namespaces"
ip netns list >/dev/null 2>&1 || tap_skip_all "no ip netns"
[ -e /dev/net/tun ] || tap_skip_all "no /dev/net/tun"
[ -x "$PROBE" ] || tap_skip_all "no $PROBE"

NS=mltun$$
WORK=$(mktemp -d)
cleanup() {
	[ -f "$WORK/pid" ] && kill "$(cat "$WORK/pid")" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ip netns add "$NS" || tap_skip_all "cannot create a namespace"
nx() { ip netns exec "$NS" "$@"; }
nx ip link set lo up
nx ip addr add 10.98.0.1/32 dev lo

nx "$PROBE" radio0 F4ABC-7 >"$WORK/out" 2>"$WORK/err" &
echo $! >"$WORK/pid"
i=0
while ! grep -q '^ready' "$WORK/out" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
grep -q '^ready radio0' "$WORK/out"
tap_ok $? "the TUN device opens and is configured" || cat "$WORK/err"

[ "$(nx cat /sys/class/net/radio0/mtu)" = 1280 ]
tap_ok $? "MTU 1280"
nx ip -d link show radio0 | grep -q 'addrgenmode none'
tap_ok $? "addrgenmode none"
nx ip link show radio0 | grep -q '[<,]UP[,>]'
tap_ok $? "the device is up"
sleep 0.3 # give the kernel time to add an address of its own, if it would
addrs=$(nx ip -6 -o addr show dev radio0 | awk '{print $4}')
[ "$addrs" = "fe80::4634:4142:4320:7/64" ]
tap_ok $? "the only IPv6 address is the callsign link-local (got: $(echo $addrs))"
nx ip -6 -o addr show dev radio0 | grep -qv tentative
tap_ok $? "no DAD on the link-local"

nx ip route add 10.99.0.0/16 dev radio0 src 10.98.0.1
nx ping -c 1 -W 1 10.99.1.1 >/dev/null 2>&1 &
wait "$(cat "$WORK/pid")"
st=$?
rm -f "$WORK/pid"
grep -q '^packet v4 dst 10.99.1.1 len 84$' "$WORK/out"
tap_ok $? "a ping routed into the TUN is read as a bare IPv4 packet" || cat "$WORK/out" "$WORK/err"
[ $st -eq 0 ] && grep -q '^wrote 28$' "$WORK/out"
tap_ok $? "a packet written to the TUN is accepted"

# The advertised MSS radio_advmss() computes: Linux takes small values as
# given (paclen 256: 216 / 196; the floor, 48), on any device (here lo,
# since the TUN went away with the probe).
nx ip route add 10.97.0.0/16 dev lo advmss 48 &&
	nx ip route show 10.97.0.0/16 | grep -q 'advmss 48'
tap_ok $? "an IPv4 route takes advmss 48"
nx ip -6 route add 2001:db8:97::/48 dev lo advmss 196 &&
	nx ip -6 route show 2001:db8:97::/48 | grep -q 'advmss 196'
tap_ok $? "an IPv6 route takes advmss 196"
tap_done
