#!/bin/sh
# kisssim end to end over TCP: three stations where 0 and 2 cannot hear each
# other, small KISS clients on each, delivery per the hear matrix, Dire
# Wolf's TXBUF answer, garbage from a client, clients that come and go, and
# a clean stop on SIGTERM that prints channel use.  Ports are picked by the
# kernel (--tcp 127.0.0.1:0); the whole test is bounded to about 30 s.
. "$top_srcdir/tests/lib/tap.sh"
sim="$top_builddir/tools/kisssim"
command -v python3 >/dev/null || tap_skip_all "python3 is not installed"
[ -x "$sim" ] || tap_skip_all "kisssim is not built"
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

"$sim" --help >"$tmp/help" 2>&1
grep -q -- '--hear' "$tmp/help"
tap_ok $? "--help documents the options"
"$sim" --stations 3 --tcp 127.0.0.1:0 --hear 0-5 >/dev/null 2>"$tmp/bad"
[ $? -eq 2 ] && grep -q 'must be two stations' "$tmp/bad"
tap_ok $? "a bad --hear is refused with a reason"

"$sim" --stations 3 --seed 3 --baud 9600 --tcp 127.0.0.1:0 --hear 0-1,1-2 \
	--txdelay 1 --txtail 1 --slottime 1 --persist 255 --log "$tmp/air.log" --pty \
	>"$tmp/out" 2>"$tmp/err" &
pid=$!
i=0
while ! grep -q '^ready' "$tmp/out" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 50 ] || ! kill -0 "$pid" 2>/dev/null; then
		tap_ok 1 "kisssim starts"
		cat "$tmp/err" | sed 's/^/# /'
		tap_done
		exit 1
	fi
	sleep 0.1
done
tap_ok 0 "kisssim starts and prints its endpoints"

timeout 25 python3 - "$tmp/out" "$tmp/air.log" >"$tmp/results" 2>"$tmp/py.err" <<'EOF'
import os, re, socket, sys, time, tty

ports = [int(m.group(1)) for m in re.finditer(r'^station \d+ tcp 127\.0\.0\.1:(\d+)$',
                                              open(sys.argv[1]).read(), re.M)]
ptys = re.findall(r'^station \d+ pty (\S+)$', open(sys.argv[1]).read(), re.M)
airlog = sys.argv[2]

def result(ok, what):
    print(("ok " if ok else "fail ") + what, flush=True)

def addr(call, ssid, last):
    b = bytes(ord(ch) << 1 for ch in call.ljust(6))
    return b + bytes([0x60 | (ssid << 1) | (1 if last else 0)])

def ui(src, dst, info):
    d = bytearray(addr(dst, 0, False)); d[6] |= 0x80
    return bytes(d) + addr(src, 0, True) + b'\x03\xf0' + info

def kiss(cmd, data):
    out = bytearray([0xC0, cmd])
    for b in data:
        out += {0xC0: b'\xdb\xdc', 0xDB: b'\xdb\xdd'}.get(b, bytes([b]))
    return bytes(out + b'\xc0')

class Client:
    def __init__(self, i):
        self.i = i
        self.s = socket.create_connection(('127.0.0.1', ports[i]), timeout=5)
        self.s.settimeout(0.05)
        self.buf = b''
        self.frames = []
    def send(self, b):
        self.s.sendall(b)
    def pump(self):
        try:
            while True:
                d = self.s.recv(4096)
                if not d:
                    break
                self.buf += d
        except (socket.timeout, BlockingIOError):
            pass
        while True:
            a = self.buf.find(b'\xc0')
            if a < 0:
                self.buf = b''
                break
            b = self.buf.find(b'\xc0', a + 1)
            if b < 0:
                self.buf = self.buf[a:]
                break
            raw = self.buf[a + 1:b]
            self.buf = self.buf[b:]
            if raw:
                raw = raw.replace(b'\xdb\xdc', b'\xc0').replace(b'\xdb\xdd', b'\xdb')
                self.frames.append((raw[0], raw[1:]))
    def wait_for(self, pred, secs):
        end = time.time() + secs
        while time.time() < end:
            self.pump()
            for f in self.frames:
                if pred(f):
                    self.frames.remove(f)
                    return f
        return None
    def close(self):
        self.s.close()

def got(c, payload, secs=3.0):
    return c.wait_for(lambda f: f[0] == 0 and f[1].endswith(payload), secs) is not None

cl = [Client(i) for i in range(3)]
time.sleep(0.3)

# Delivery follows the hear matrix 0-1, 1-2.
cl[0].send(kiss(0, ui('F4AAA', 'BABEL', b'from-0')))
result(got(cl[1], b'from-0'), "a frame from 0 reaches 1")
result(not got(cl[2], b'from-0', 0.5), "a frame from 0 does not reach 2 (hidden)")
cl[1].send(kiss(0, ui('F4BBB', 'BABEL', b'from-1')))
result(got(cl[0], b'from-1') and got(cl[2], b'from-1'), "a frame from 1 reaches 0 and 2")
result(not got(cl[1], b'from-1', 0.3), "a station does not hear itself")
cl[2].send(kiss(0, ui('F4CCC', 'BABEL', b'from-2')))
result(got(cl[1], b'from-2') and not got(cl[0], b'from-2', 0.5), "a frame from 2 reaches 1 only")

# TXBUF: 1 keys up with a long TX delay; 0 hears it and must hold its two
# frames, which the query counts in bytes.
cl[1].send(kiss(1, bytes([80])))          # TXDELAY 800 ms
cl[1].send(kiss(0, ui('F4BBB', 'BABEL', b'long')))
time.sleep(0.2)
f1, f2 = ui('F4AAA', 'BABEL', b'q1'), ui('F4AAA', 'BABEL', b'queued-2')
cl[0].send(kiss(0, f1) + kiss(0, f2) + kiss(6, b'TXBUF:'))
r = cl[0].wait_for(lambda f: f[0] == 6, 2.0)
want = 'TXBUF:%d' % (len(f1) + len(f2))
result(r is not None and r[1] == want.encode(),
       "TXBUF answers %s while the channel is busy (got %r)" % (want, r and r[1]))
result(got(cl[1], b'queued-2', 5.0), "the queued frames go out when the channel clears")
cl[0].send(kiss(6, b'TXBUF'))
r = cl[0].wait_for(lambda f: f[0] == 6, 2.0)
result(r is not None and r[1] == b'TXBUF:0', "TXBUF:0 once the queue is empty (got %r)" % (r and r[1]))
cl[1].send(kiss(1, bytes([1])))

# Garbage: text, broken escapes, an oversized frame, short and unknown
# frames, all on station 2; it keeps working.
junk = (b'RESTART\r\nKISS ON\r\n' + b'\xc0\xdb\x41\xc0' + b'\xc0\x00' + b'\x55' * 5000 + b'\xc0' +
        kiss(0, b'short') + kiss(0x0e, b'x') + kiss(0x10, ui('F4CCC', 'BABEL', b'port1')) +
        kiss(2, b'') + kiss(6, b'NONSENSE') + bytes(range(256)) * 4 + b'\xff')
cl[2].send(junk)
time.sleep(0.2)
cl[2].send(b'\xc0' + kiss(0, ui('F4CCC', 'BABEL', b'after-junk')))
result(got(cl[1], b'after-junk'), "after garbage, station 2 still transmits")
result(not got(cl[1], b'port1', 0.3), "frames for another KISS port are not sent")

# Clients come and go: 1 is absent, then back.
cl[1].close()
time.sleep(0.3)
cl[0].send(kiss(0, ui('F4AAA', 'BABEL', b'while-away')))
time.sleep(0.5)
log = open(airlog).read()
result(re.search(r' tx 0 F4AAA>BABEL \d+ bytes .* absent 1$', log, re.M) is not None,
       "the air log shows station 1 absent while its client is gone")
cl[1] = Client(1)
time.sleep(0.3)
cl[0].send(kiss(0, ui('F4AAA', 'BABEL', b'welcome-back')))
result(got(cl[1], b'welcome-back'), "a reconnected client receives again")
line = re.search(r'^(\d+\.\d+) tx 1 F4BBB>BABEL (\d+) bytes air (\d+\.\d+) keyed \S+ delivered 0,2 ', log, re.M)
result(line is not None, "the air log has time, station, callsigns, bytes, airtime, receivers")

# The pty endpoint: station 2 through its pty, while its TCP client is gone.
cl[2].close()
time.sleep(0.3)
fd = os.open(ptys[2], os.O_RDWR | os.O_NOCTTY)
tty.setraw(fd)
time.sleep(0.4)
os.write(fd, kiss(0, ui('F4CCC', 'BABEL', b'via-pty')))
result(got(cl[1], b'via-pty'), "a frame written to station 2's pty reaches 1")
cl[1].send(kiss(0, ui('F4BBB', 'BABEL', b'to-pty')))
end, data = time.time() + 3, b''
os.set_blocking(fd, False)
while time.time() < end and b'to-pty' not in data:
    try:
        data += os.read(fd, 4096)
    except BlockingIOError:
        time.sleep(0.05)
result(b'to-pty\xc0' in data, "station 2's pty receives a frame from 1")
os.close(fd)
for c in cl:
    c.close()
EOF
rc=$?
[ $rc -eq 0 ]
tap_ok $? "the client script ran to the end (exit $rc)"
[ -s "$tmp/py.err" ] && sed 's/^/# /' "$tmp/py.err"
while read -r verdict what; do
	[ "$verdict" = ok ]
	tap_ok $? "$what"
done <"$tmp/results"

kill -0 "$pid" 2>/dev/null
tap_ok $? "kisssim survived it all"
kill -TERM "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
wait "$pid"
rc=$?
pid=
[ $rc -eq 0 ]
tap_ok $? "SIGTERM stops it cleanly (exit $rc)"
grep -q '^channel use over .* busy [0-9.]*%$' "$tmp/out" &&
	[ "$(grep -c '^  station [0-2]: keyed' "$tmp/out")" -eq 3 ]
tap_ok $? "it prints channel use, in total and per station"
sed -n '/^channel use/,$p' "$tmp/out" | sed 's/^/# /'
tap_done
