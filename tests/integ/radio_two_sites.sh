#!/bin/sh
# Two sites joined only by radio: mailled speaks KISS to kisssim (1200 baud)
# and runs Babel over AX.25 UI frames.  Checks that they converge (each
# site's loopback /32 and /128 as proto-42 routes in the other, allowed
# across the radio by `out` filters, since nothing crosses it by default),
# that the capture holds the identification frame, that cutting the TNC
# (killing kisssim) takes the routes away and restoring it (same ports)
# brings them back without restarting mailled, and that garbage from the
# TNC side crashes nothing.
#
# Layout: the simulator runs in its own namespace K, and each site's
# namespace reaches it over a veth pair on a private /30 of the
# documentation range (192.0.2.0/30 for n1, 192.0.2.4/30 for n2), so each
# mailled keeps its own kernel routes while both share one radio channel.
# The radio device radio0 is the data plane's TUN device, which mailled
# creates itself (tests/integ/radio_ping.sh sends traffic through it).  Hello every 10 s and updates every 60 s, with airtime 30 % so that
# routing's budget does not slow this short test down.  Bounded: about 3
# minutes at worst.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/radio_sites.sh"

radio_init mlr "1 2"
command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 is not installed"

no_route() { # no_route N
	[ -z "$(ip -n "${P}n$1" route show proto 42 2>/dev/null)" ] &&
		[ -z "$(ip -n "${P}n$1" -6 route show proto 42 2>/dev/null)" ]
}

converged() { has_route 1 2 && has_route 2 1; }
both_empty() { no_route 1 && no_route 2; }

# ------------------------------------------------------------ setup
radio_sim_ns &&
	mknode 1 192.0.2.1 192.0.2.2 && mknode 2 192.0.2.5 192.0.2.6
tap_ok $? "a simulator namespace and two site namespaces" || { tap_done; exit 1; }
start_sim 2 7
tap_ok $? "kisssim runs: two stations on one 1200 baud channel" || { tap_done; exit 1; }

start 1 192.0.2.1 $PORT F4AAA-1 "pcap $WORK/radio1.pcap txdelay 300"
start 2 192.0.2.5 $((PORT + 1)) F4BBB-2
sleep 0.5
alive
tap_ok $? "mailled runs in both site namespaces" || { dump_state; tap_done; exit 1; }

# ------------------------------------------------------------ convergence
T0=$(date +%s)
wait_for 150 converged
tap_ok $? "two sites converge over the radio: each has the other's /32 and /128 (proto 42)" ||
	dump_state
T1=$(date +%s)
tap_diag "converged in $((T1 - T0)) s"
ip -n "${P}n1" -6 route show proto 42 | grep -q "fd99::2 via fe80::4634:4242:4220:2 dev radio0"
tap_ok $? "the next hop is the link-local address made from the neighbour's callsign" ||
	ip -n "${P}n1" -6 route show proto 42 | sed 's/^/#   /'
grep -q "TNC tcp:192.0.2.1:$PORT connected" "$WORK/log1"
tap_ok $? "the TNC connection is logged"
python3 - "$WORK/radio1.pcap" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
magic, _, _, _, _, _, lt = struct.unpack('<IHHiIII', d[:24])
assert magic == 0xa1b2c3d4 and lt == 202, (hex(magic), lt)
off, n, ids, babel = 24, 0, 0, 0
while off + 16 <= len(d):
    _, _, cap, _ = struct.unpack('<IIII', d[off:off + 16])
    rec = d[off + 16:off + 16 + cap]
    off += 16 + cap
    n += 1
    assert rec[0] == 0, 'KISS data port 0'
    f = rec[1:]
    dst = bytes(b >> 1 for b in f[0:6]).decode().strip()
    src = bytes(b >> 1 for b in f[7:13]).decode().strip()
    info = f[16:]
    if dst == 'ID' and src == 'F4AAA' and info == b'F4AAA-1 maille':
        ids += 1
    if f[14] == 0x03 and f[15] == 0xF0 and info[:1] == b'\x2a':
        babel += 1
assert ids >= 1 and babel >= 2, (n, ids, babel)
EOF
tap_ok $? "the capture (link type 202) holds our identification frame and Babel frames"

# ------------------------------------------------------------ TNC lost and back
PID1=$(cat "$WORK/pid1")
stop_sim
wait_for 30 both_empty
tap_ok $? "the TNC gone: the radio interface goes down and its routes are removed" || dump_state
n=$(grep -c "TNC tcp:192.0.2.1:$PORT closed the connection" "$WORK/log1")
[ "$n" -eq 1 ]
tap_ok $? "the outage is logged once ($n)"
sleep 5 # a few failed retries (1 s, 2 s, ...)
n=$(grep -c "refused the connection" "$WORK/log1")
[ "$n" -eq 0 ]
tap_ok $? "failed retries are not logged again at level 1 ($n)"
start_sim 2 7
tap_ok $? "kisssim restarted on the same ports"
wait_for 150 converged
tap_ok $? "routes come back without restarting mailled" || dump_state
[ "$(cat "$WORK/pid1")" = "$PID1" ] && alive
tap_ok $? "the same mailled processes still run"
grep -q "TNC tcp:192.0.2.1:$PORT is back" "$WORK/log1"
tap_ok $? "the recovery is logged"

# ------------------------------------------------------------ garbage from the TNC
stop_sim
ip netns exec "$K" timeout 40 python3 - "$PORT" >"$WORK/garbage.out" 2>&1 <<'EOF' &
import os, random, socket, struct, sys, time
port = int(sys.argv[1])
random.seed(5)
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('0.0.0.0', port))
srv.listen(1)
srv.settimeout(35)
def addr(call, ssid, last):
    return bytes(ord(c) << 1 for c in call.ljust(6)) + bytes([0x60 | ssid << 1 | last])
def kiss(cmd, data):
    out = bytearray([0xC0, cmd])
    for b in data:
        out += {0xC0: b'\xdb\xdc', 0xDB: b'\xdb\xdd'}.get(b, bytes([b]))
    return bytes(out + b'\xc0')
for rnd in range(2):
    c, _ = srv.accept()
    c.settimeout(5)
    sent = 0
    t_end = time.time() + 4
    while time.time() < t_end:
        junk = bytearray(os.urandom(random.randint(1, 3000)))
        kind = random.randint(0, 5)
        if kind == 0:   # raw random bytes, FENDs and FESCs included
            data = bytes(junk)
        elif kind == 1: # an oversized frame
            data = b'\xc0\x00' + bytes(b & 0x3f for b in junk) * 3 + b'\xc0'
        elif kind == 2: # a bad escape
            data = b'\xc0\x00\xdb\x01' + bytes(junk[:50]) + b'\xc0'
        elif kind == 3: # Babel magic with random TLVs, to us and to BABEL
            dst = random.choice([('BABEL', 0), ('F4AAA', 1)])
            info = b'\x2a\x02' + struct.pack('>H', random.randint(0, 65535)) + bytes(junk[:200])
            data = kiss(0, addr(dst[0], dst[1], 0) + addr('F4ZZZ', 3, 1) + b'\x03\xf0' + info)
        elif kind == 4: # SETHARDWARE and unknown commands
            data = kiss(6, b'TXBUF:' + bytes(junk[:10])) + kiss(random.randint(1, 255), bytes(junk[:20]))
        else:           # truncated address fields
            data = kiss(0, bytes(junk[:random.randint(0, 20)]))
        try:
            c.sendall(data)
        except OSError:
            break
        sent += len(data)
        try:
            c.recv(65536)
        except OSError:
            pass
    print('round', rnd, 'sent', sent, flush=True)
    c.close()
EOF
GPID=$!
sleep 15
alive
tap_ok $? "mailled survives a TNC that sends garbage (and reconnects after it closes)" ||
	{ cat "$WORK/garbage.out" | sed 's/^/#   /'; dump_state; }
wait "$GPID" 2>/dev/null
grep -q "round 1" "$WORK/garbage.out"
tap_ok $? "the garbage source was connected to twice" || sed 's/^/#   /' "$WORK/garbage.out"
start_sim 2 7
wait_for 150 converged
tap_ok $? "after the garbage, the real TNC brings the routes back" || dump_state

# ------------------------------------------------------------ stop
for n in 1 2; do kill -TERM "$(cat "$WORK/pid$n")"; done
wait_for 10 sh -c "! kill -0 $(cat "$WORK/pid1") 2>/dev/null && ! kill -0 $(cat "$WORK/pid2") 2>/dev/null"
tap_ok $? "both mailled exit on SIGTERM"

tap_done
