#!/bin/sh
# Packets a router must drop: from a non-link-local source, from one of
# its own addresses, and malformed ones (short, bad magic or version, a
# body length past the end, truncated TLVs, random bodies), sent with
# python3 sockets inside the namespaces to [ff02::1:6%IF]:6696 and to the
# neighbour's link-local address.  Each reason is logged (rate-limited, at
# -d 1) and the daemons go on: alive, still converged, still forwarding.
# (The drop counters are also kept in the daemon, for the control socket.)
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/netns.sh"

nsl_require_root
nsl_require_cmd python3 "Debian package python3"
nsl_require_cmd ping "Debian package iputils-ping"
nsl_init mlp
COUNT=${BADPKT_COUNT:-300}

cat >"$NSL_WORK/send.py" <<'EOF2'
# send.py MODE IFNAME SRC [DST-LL] COUNT: Babel-port datagrams from SRC.
import random, socket, struct, sys

mode, ifname, src = sys.argv[1], sys.argv[2], sys.argv[3]
dst_ll, count = sys.argv[4], int(sys.argv[5])
ifindex = socket.if_nametoindex(ifname)
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 1)
s.bind((src, 0, 0, ifindex if src.startswith("fe80") else 0))
dests = [("ff02::1:6", 6696, 0, ifindex), (dst_ll, 6696, 0, ifindex)]

def packet(body):
    return bytes([42, 2]) + struct.pack("!H", len(body)) + body

# A Hello (type 4): flags 0, seqno, interval 100 cs.
hello = packet(bytes([4, 6, 0, 0]) + struct.pack("!HH", 1, 100))
rng = random.Random(8966)

def malformed(i):
    k = i % 9
    if k == 0: return b""
    if k == 1: return b"\x2a"
    if k == 2: return bytes([43, 2, 0, 0])                      # bad magic
    if k == 3: return bytes([42, 3, 0, 0])                      # unknown version
    if k == 4: return bytes([42, 2, 0, 100]) + b"\0" * 4        # length past the end
    if k == 5: return packet(bytes([4, 10, 0]))                 # TLV past the body
    if k == 6: return packet(bytes([8, 10, 9, 0, 0, 64, 0, 100, 0, 1, 255, 255]))  # update, AE 9
    if k == 7: return packet(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))))
    return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 1400)))

for i in range(count):
    data = hello if mode in ("nonll", "own") else malformed(i)
    for d in dests:
        try:
            s.sendto(data, d)
        except OSError as e:
            print("send:", e, file=sys.stderr)
EOF2

ll() { ip -n "${NSL_P}n$1" -6 addr show dev "$2" scope link | sed -n 's/.*inet6 \(fe80[^/]*\)\/.*/\1/p' | head -n 1; }
send() { # send N MODE IF SRC DST-LL
	nsl_ns "$1" "python3 $NSL_WORK/send.py $2 $3 $4 $5 $COUNT"
}
logged() { grep -c "$2" "$NSL_WORK/mailled$1.log"; }

nsl_node 1 && nsl_node 2 && nsl_link 1 2
tap_ok $? "n1 - n2 linked"
nsl_start_mailled 1 v1-2
nsl_start_mailled 2 v2-1
nsl_wait_routes 30 "1:2" "2:1"
tap_ok $? "the two routers converge" || nsl_dump
LL1=$(ll 1 v1-2)
LL2=$(ll 2 v2-1)

# ------------------------------------------------------------ not link-local
send 1 nonll v1-2 fd99::1 "$LL2"
tap_ok $? "$COUNT Hellos sent from n1's global address fd99::1 (multicast and unicast)"
nsl_wait 5 grep -q "dropped a Babel packet from fd99::1: not link-local" "$NSL_WORK/mailled2.log"
tap_ok $? "n2 drops them and says why" || nsl_dump

# ------------------------------------------------------------ our own address
send 1 own v1-2 "$LL1" "$LL2"
tap_ok $? "$COUNT Hellos sent from n1's own link-local address, looped back to n1"
nsl_wait 5 grep -q "dropped a Babel packet from $LL1: our own address" "$NSL_WORK/mailled1.log"
tap_ok $? "n1 drops its own address's packets and says why" || nsl_dump

# ------------------------------------------------------------ malformed
nsl_ns 1 "ip addr add fe80::bad/64 dev v1-2 nodad"
send 1 malformed v1-2 fe80::bad "$LL2"
tap_ok $? "$COUNT malformed packets sent from fe80::bad (multicast and unicast)"
nsl_wait 5 grep -q "dropped a malformed Babel packet from fe80::bad on v2-1" "$NSL_WORK/mailled2.log"
tap_ok $? "n2 drops the malformed packets and says why" || nsl_dump
grep -q "dropped a malformed Babel packet from fe80::bad on v1-2" "$NSL_WORK/mailled1.log"
tap_ok $? "n1 (hearing them looped back) drops them too"

# The log stays short: one line per reason and per interval, plus the
# counts of what was suppressed.
lines=$(grep -c -e "dropped a" -e "skipped [0-9]* malformed" -e "similar lines suppressed" \
	"$NSL_WORK/mailled2.log")
sent=$((COUNT * 2 * 3))
tap_diag "n2 logged $lines drop lines for $sent bad packets"
[ "$lines" -ge 2 ] && [ "$lines" -le 40 ]
tap_ok $? "n2's drop lines are rate-limited ($lines lines for $sent packets)"
grep -e "dropped a" -e "skipped" "$NSL_WORK/mailled2.log" | sort -k3 | uniq -c -f2 |
	head -n 8 | sed 's/^/#   /'

# ------------------------------------------------------------ still fine
nsl_alive 1 mailled && nsl_alive 2 mailled
tap_ok $? "both daemons still run"
# The Hellos sent from n1's own address reached n2 too, which cannot tell
# them from n1's (only RFC 8967 MACs could): n2's view of n1 may be shaken
# for a moment.  What must hold is that both come back by themselves.
nsl_wait_routes 30 "1:2" "2:1"
tap_ok $? "converged again (within 30 s) after the bad packets" || nsl_dump
# n1 now has a second link-local address: it must go on sending from the
# one its neighbour knows.
ip -n "${NSL_P}n2" -6 route show proto 42 fd99::1 | grep -q "via $LL1 "
tap_ok $? "n2 still routes to n1 through n1's first link-local address" ||
	ip -n "${NSL_P}n2" -6 route show proto 42 | sed 's/^/#   /'
nsl_ping 1 -6 fd99::1 fd99::2 "IPv6 ping n1 -> n2 after the bad packets"
nsl_ping 2 -4 10.99.0.2 10.99.0.1 "IPv4 ping n2 -> n1 after the bad packets"
if grep -q -i -e "assert" -e "sanitizer" -e "segmentation" "$NSL_WORK"/mailled*.log; then
	tap_ok 1 "no assertion or sanitizer report in the logs"
else
	tap_ok 0 "no assertion or sanitizer report in the logs"
fi
nsl_stop_all
tap_ok $? "both daemons stop on SIGTERM"
tap_done
