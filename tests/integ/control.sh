#!/bin/sh
# The control socket and maillectl end to end (issue 5), in namespaces:
#   n2 (mailled) - n1 (mailled) - n3 (babeld, local interface on port 33123)
# maillectl's tables, filters, JSON and exit codes; an unprivileged user
# (setpriv to nobody) reads and cannot write; monitor sees a neighbour go
# and come back and a new route, in both dialects; our dump read with the
# same babeld-format parser as babeld's own dump, line shapes compared;
# 200 clients at once; a client that never reads does not slow route
# installation (timed).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/netns.sh"

nsl_require_root
nsl_require_cmd python3 "Debian package python3"
nsl_require_cmd setpriv "Debian package util-linux"
nsl_require_cmd "$BABELD" "Debian package babeld"
nsl_init mctl
CTL=$top_builddir/tools/maillectl
# nobody must reach the socket's directory.
chmod 755 "$NSL_WORK"

nsl_node 1 && nsl_node 2 && nsl_node 3 && nsl_link 1 2 && nsl_link 1 3 &&
	nsl_wait_ll 1 v1-2 && nsl_wait_ll 1 v1-3
tap_ok $? "namespaces n2 - n1 - n3 linked"
nsl_start_mailled 1 v1-2 v1-3
nsl_start_mailled 2 v2-1
BABELD_EXTRA="local-port 33123" nsl_start_babeld 3 v3-1
S1=$NSL_WORK/ctl1
nsl_wait 10 test -S "$S1"
tap_ok $? "mailled creates its control socket" || nsl_dump
nsl_wait_routes 40 "1:2 3" "2:1 3" "3:1 2"
tap_ok $? "the three routers converge" || nsl_dump

# ---------------------------------------------------------------- maillectl
out=$("$CTL" -s "$S1" status)
tap_ok $? "maillectl status succeeds"
echo "$out" | grep -q "^router-id   [0-9a-f:]\{23\}$" && echo "$out" | grep -q "^neighbours  2$"
tap_ok $? "status: router-id and two neighbours" || tap_diag "$out"
out=$("$CTL" -s "$S1" neighbours)
echo "$out" | head -1 | grep -q "^NEIGHBOUR  *INTERFACE  *REACH  *RXCOST  *TXCOST  *COST  *RTT  *ROUTES$" &&
	[ "$(echo "$out" | grep -c '^fe80::')" -eq 2 ]
tap_ok $? "neighbours: a header and two rows" || tap_diag "$out"
out=$("$CTL" -s "$S1" routes)
echo "$out" | head -1 | grep -q "^PREFIX  *METRIC  *NEXT-HOP  *INTERFACE  *ROUTER-ID  *SEQNO  *STATE$" &&
	echo "$out" | grep -q "^fd99::2/128  *[0-9][0-9]*  *fe80::[0-9a-f:]*  *v1-2  *[0-9a-f:]\{23\}  *[0-9]*  *installed$"
tap_ok $? "routes: the columns an operator expects" || tap_diag "$out"
out=$("$CTL" -s "$S1" routes fd99::3)
[ "$(echo "$out" | wc -l)" -eq 2 ] && echo "$out" | grep -q "^fd99::3/128 "
tap_ok $? "routes ADDRESS: only the routes covering it" || tap_diag "$out"
"$CTL" -s "$S1" --json routes 10.99.0.0/16 >"$NSL_WORK/routes.json" &&
	python3 -c '
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
assert len(objs) >= 2 and sum(o["installed"] for o in objs) == 2, objs
for o in objs:
    assert o["kind"] == "route" and o["prefix"].startswith("10.99.0."), o
    for k in ("id", "seqno", "metric", "refmetric", "feasible", "age_ms", "installed", "router_id", "via"):
        assert k in o, k
' "$NSL_WORK/routes.json"
tap_ok $? "--json routes PREFIX: JSON lines with the RFC 9046 route fields"
for c in interfaces xroutes sources metrics; do
	"$CTL" -s "$S1" $c >"$NSL_WORK/$c.out" 2>&1 || break
done
tap_ok $? "interfaces, xroutes, sources and metrics succeed"
grep -q '^maille_routes{state="installed"} 4$' "$NSL_WORK/metrics.out" &&
	grep -q '^maille_neighbour_cost{interface="v1-2",address="fe80::' "$NSL_WORK/metrics.out" &&
	grep -q '^# TYPE maille_packets_received_total counter$' "$NSL_WORK/metrics.out"
tap_ok $? "metrics: Prometheus text with routes per state and costs" || tap_diag "$(cat "$NSL_WORK/metrics.out")"
# The live exposition: per-interface packets and Hellos both ways, kernel
# route additions (four routes installed), and every line well-formed.
python3 - "$NSL_WORK/metrics.out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
assert text.endswith("\n"), "no final newline"
name = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
lv = r'"(?:[^"\\\n]|\\[\\"n])*"'
sample = re.compile(r"^(%s)(\{%s=%s(?:,%s=%s)*\})? (\S+)$" % (name, name, lv, name, lv))
fams, seen, vals = set(), set(), {}
fam = typ = None
for ln in text.splitlines():
    if ln.startswith("# HELP "):
        fam = ln.split(" ")[2]
        assert fam not in fams, "family twice: " + ln
        fams.add(fam); typ = None
    elif ln.startswith("# TYPE "):
        _, _, n, t = ln.split(" ")
        assert n == fam and typ is None and t in ("counter", "gauge"), ln
        assert (t == "counter") == n.endswith("_total"), ln
        typ = t
    else:
        m = sample.match(ln)
        assert m and m.group(1) == fam and typ, "bad line: " + ln
        float(m.group(3))
        series = m.group(1) + (m.group(2) or "")
        assert series not in seen, "series twice: " + ln
        seen.add(series); vals[series] = float(m.group(3))
def v(s):
    assert s in vals, "missing " + s
    return vals[s]
for d in ("in", "out"):
    assert v('maille_interface_packets_total{interface="v1-2",direction="%s"}' % d) > 0
    assert v('maille_interface_bytes_total{interface="v1-3",direction="%s"}' % d) > 0
    assert v('maille_interface_tlvs_total{interface="v1-2",direction="%s",tlv="hello"}' % d) > 0
    assert v('maille_interface_tlvs_total{interface="v1-3",direction="%s",tlv="ihu"}' % d) > 0
assert v('maille_interface_tlvs_total{interface="v1-2",direction="in",tlv="update"}') > 0
assert v('maille_kernel_route_operations_total{op="add"}') >= 4
assert v('maille_kernel_route_errors_total{op="add",reason="invalid"}') == 0
assert v('maille_packets_dropped_total{reason="not_link_local"}') >= 0
PY
tap_ok $? "metrics: well-formed, per-interface packets and Hellos both ways, kernel additions" || tap_diag "$(cat "$NSL_WORK/metrics.out")"
"$CTL" -s "$S1" --json interfaces >"$NSL_WORK/if.json" &&
	python3 -c '
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
assert len(objs) == 2, objs
for o in objs:
    t = o["traffic"]
    assert t["packets_in"] > 0 and t["packets_out"] > 0 and t["tlvs_out"]["hello"] > 0, o
' "$NSL_WORK/if.json"
tap_ok $? "--json interfaces: the engine counters of each interface" || tap_diag "$(cat "$NSL_WORK/if.json")"
"$CTL" -s "$NSL_WORK/nosuch.sock" status 2>"$NSL_WORK/err"
st=$?
[ $st -eq 3 ] && grep -q "Is mailled running" "$NSL_WORK/err"
tap_ok $? "no daemon: exit code 3 and a helpful message (got $st)"
"$CTL" -s "$S1" frobnicate 2>/dev/null
tap_ok $(($? != 2)) "usage error: exit code 2"
"$CTL" -s "$S1" flush interface nosuch 2>"$NSL_WORK/err"
st=$?
[ $st -eq 1 ] && grep -q "mailled says no: interface nosuch is not in the configuration" "$NSL_WORK/err"
tap_ok $? "a failed write command: exit code 1 with the reason (got $st)" || tap_diag "$(cat "$NSL_WORK/err")"

# ---------------------------------------------------------------- read-only peers
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
$NOBODY "$CTL" -s "$S1" routes >/dev/null
tap_ok $? "nobody may read"
$NOBODY "$CTL" -s "$S1" interface v1-2 down 2>"$NSL_WORK/err"
st=$?
[ $st -eq 1 ] && grep -q "permission denied: uid 65534 may only read" "$NSL_WORK/err"
tap_ok $? "nobody may not write: exit 1, a clear refusal (got $st)" || tap_diag "$(cat "$NSL_WORK/err")"
nsl_has_routes 1 2 3
tap_ok $? "the refused command changed nothing"

# ---------------------------------------------------------------- monitor
timeout 25 "$CTL" -s "$S1" monitor >"$NSL_WORK/mon.txt" 2>&1 &
timeout 25 "$CTL" -s "$S1" --json monitor >"$NSL_WORK/mon.json" 2>&1 &
sleep 1
nsl_ns 2 "ip link set v2-1 down"
nsl_wait 15 grep -q "^flush neighbour .* if v1-2 " "$NSL_WORK/mon.txt"
tap_ok $? "monitor: the neighbour on v1-2 goes" || tap_diag "$(tail -5 "$NSL_WORK/mon.txt")"
nsl_ns 2 "ip link set v2-1 up"
nsl_ns 2 "ip addr add fd99::22/128 dev lo"
nsl_wait 20 grep -q "^add route .* prefix fd99::22/128 from ::/0 installed " "$NSL_WORK/mon.txt"
tap_ok $? "monitor: it comes back with a new route" || tap_diag "$(tail -5 "$NSL_WORK/mon.txt")"
grep -q "^add neighbour [0-9a-f]* address fe80::[0-9a-f:]* if v1-2 reach " "$NSL_WORK/mon.txt"
tap_ok $? "monitor: add neighbour in babeld's words"
nsl_wait 5 grep -q '"prefix":"fd99::22/128"' "$NSL_WORK/mon.json"
python3 -c '
import json, sys
seen = set()
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o.get("kind") == "neighbour" and o.get("interface") == "v1-2":
        seen.add(o["verb"])
    if o.get("kind") == "route" and o.get("prefix") == "fd99::22/128":
        seen.add("route-" + o["verb"])
assert {"flush", "add", "route-add"} <= seen, seen
' "$NSL_WORK/mon.json"
tap_ok $? "monitor --json: the same events as JSON objects"

# ---------------------------------------------------------------- babeld's shape
cat >"$NSL_WORK/shape.py" <<'EOF'
# Reads a babeld local-interface dump (greeting, lines, ok) the way a
# babeld script does, and prints each kind's field names in order.
import socket, sys, time
def lines_of(text):
    out, state = {}, 0
    for l in text.splitlines():
        if state == 0:
            if l == "ok":
                state = 1
            continue
        if l == "ok":
            break
        w = l.split()
        assert w[0] in ("add", "change", "flush"), l
        kind, fields = w[1], w[3:]
        assert len(fields) % 2 == 0, l
        out.setdefault(kind, fields[0::2])
    return out
def read(sock):
    data = b""
    sock.sendall(b"dump\n")
    while data.count(b"\nok\n") < 2:
        d = sock.recv(65536)
        if not d:
            break
        data += d
    return data.decode()
kind, where = sys.argv[1], sys.argv[2]
if kind == "unix":
    s = socket.socket(socket.AF_UNIX); s.connect(where)
else:
    s = socket.create_connection(("::1", int(where)))
for k, v in sorted(lines_of(read(s)).items()):
    print(k, " ".join(v))
EOF
nsl_ns 3 "python3 $NSL_WORK/shape.py tcp 33123" >"$NSL_WORK/shape.babeld" &&
	python3 "$NSL_WORK/shape.py" unix "$S1" >"$NSL_WORK/shape.ours"
tap_ok $? "the same parser reads babeld's dump and ours"
python3 -c '
import sys
def load(p):
    return {l.split()[0]: l.split()[1:] for l in open(p)}
b, o = load(sys.argv[1]), load(sys.argv[2])
for kind in ("interface", "neighbour", "route"):
    assert kind in b and kind in o, (kind, b, o)
    it = iter(b[kind])
    assert all(f in it for f in o[kind]), (kind, o[kind], b[kind])
' "$NSL_WORK/shape.babeld" "$NSL_WORK/shape.ours"
tap_ok $? "our lines have babeld's fields in babeld's order" ||
	tap_diag "babeld: $(cat "$NSL_WORK/shape.babeld")" "ours: $(cat "$NSL_WORK/shape.ours")"

# ---------------------------------------------------------------- many clients
python3 - "$S1" <<'EOF'
import socket, sys, time
socks = []
for i in range(200):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    socks.append(s)
for s in socks:
    s.sendall(b"dump\n")
deadline = time.time() + 20
done = 0
for s in socks:
    s.settimeout(max(0.1, deadline - time.time()))
    data = b""
    while data.count(b"\nok\n") < 2:
        d = s.recv(65536)
        if not d:
            break
        data += d
    if b"add route" in data and data.count(b"\nok\n") >= 2:
        done += 1
print("# %d of 200 clients served" % done)
sys.exit(0 if done == 200 else 1)
EOF
tap_ok $? "200 clients connected at once are all served"

# ---------------------------------------------------------------- a client that never reads
# time_route N ADDR: seconds until n1 installs n2's new address.
time_route() {
	t0=$(date +%s.%N)
	nsl_ns 2 "ip addr add $1/128 dev lo"
	nsl_wait 30 sh -c "ip -n ${NSL_P}n1 -6 route show proto 42 | grep -q '^$1 '" || return 1
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'
}
base=$(time_route fd99::31)
tap_ok $? "baseline: a new route installed in ${base} s"
python3 - "$S1" "$NSL_WORK/stuck.pid" <<'EOF' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sys.argv[1])
s.sendall(b"monitor\n")
open(sys.argv[2], "w").write(str(os.getpid()))
time.sleep(60)   # never reads
EOF
sleep 0.5
# 8000 new routes: more monitor output than its buffer takes (1 MiB).
for i in $(seq 1 8000); do printf 'addr add fd99::5:%x/128 dev lo\n' "$i"; done >"$NSL_WORK/batch"
t0=$(date +%s.%N)
ip -n "${NSL_P}n2" -batch "$NSL_WORK/batch"
nsl_wait 90 sh -c "[ \$(ip -n ${NSL_P}n1 -6 route show proto 42 | grep -c '^fd99::5:') -ge 8000 ]"
tap_ok $? "with a client that never reads: 8000 new routes installed in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"
nsl_wait 10 grep -q "control: dropping client .*not reading its monitor output" "$NSL_WORK/mailled1.log"
tap_ok $? "the client that never reads is dropped, with a log line"
stuck=$(time_route fd99::32)
st=$?
# A daemon blocked on the client would never install it; a busy host
# (parallel namespace tests) makes a few seconds of noise.
awk -v a="$base" -v b="$stuck" 'BEGIN { exit !(b <= 3 * a + 5) }'
tap_ok $(($st || $?)) "with a client that never reads: installed in ${stuck} s (baseline ${base} s)"
"$CTL" -s "$S1" status >/dev/null
tap_ok $? "the control socket still answers the others"
kill "$(cat "$NSL_WORK/stuck.pid")" 2>/dev/null

nsl_alive 1 mailled && nsl_alive 2 mailled
tap_ok $? "both mailleds still run"
nsl_stop_all
test ! -e "$S1"
tap_ok $? "the control socket is removed on exit"
tap_done
