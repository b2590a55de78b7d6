#!/bin/sh
# Configuration reload (issue 5) under traffic:
#
#     n1 - n2 - n3          n3 also has 10.99.3.1/32 and fd99:3::1/128
#          |
#          n4               on a link that n2's config does not name at first
#
# n2's mailled reads its interfaces and filters from a file (-c) and its
# redistribution, control socket and state file from -C statements, which
# must stay applied across reloads.  While n1 pings n3 over IPv4 and IPv6
# every 0.2 s and `ip monitor route` records every kernel route change in n1
# and n3, n2's configuration changes, one step at a time:
#   1. v2-4 added to the file, SIGHUP: n4's routes reach n1 and n3
#   2. an out filter for n3's extra prefixes, `maillectl reload`: they leave
#      n1 and n4 (not n2); the filter removed, reload: they come back
#   3. v2-1's hello-interval changed by reload, v2-3's by a run-time
#      statement on the control socket: the dump and the neighbours on the
#      wire see the new intervals
#   4. a file with an error: `maillectl reload` exits 1 naming
#      file:line:column, SIGHUP logs it, nothing changes (a bad run-time
#      statement neither); the good file reloads
#   5. v2-4 removed from the file, reload: n4's routes leave n1 and n3
# After each step: no echo lost, no kernel route change in n1 or n3 other
# than the step's own prefixes, every neighbour still the same one (ids are
# never reused: a dropped and relearnt neighbour has a new id).  At the end
# n2's mailled is the process started at the beginning, the run-time
# statement survived the later reloads, and every reload was logged.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/netns.sh"

nsl_require_root
nsl_require_cmd python3 "Debian package python3"
nsl_require_cmd ping "Debian package iputils-ping"
nsl_init mrl
CTL=$top_builddir/tools/maillectl
W=$NSL_WORK
CONF=$W/n2.conf
S2=$W/ctl2
T_START=$(date +%s)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
indent() { sed 's/^/#   /'; }

# ------------------------------------------------------------ n2's config
# write_conf HELLO21 WITH_V24 WITH_FILTER: n2's file, replaced atomically.
write_conf() {
	{
		echo "# n2 (tests/integ/reload.sh)"
		echo "interface v2-1 hello-interval $1 update-interval 4"
		echo "interface v2-3 hello-interval 1 update-interval 4"
		[ "$2" = yes ] && echo "interface v2-4 hello-interval 1 update-interval 4"
		if [ "$3" = yes ]; then
			echo "out ip 10.99.3.0/24 deny"
			echo "out ip fd99:3::/32 deny"
		fi
	} >"$CONF.new" && mv "$CONF.new" "$CONF"
}
# conf_checks "what": one TAP case: the file passes mailled -n (a test bug
# otherwise, not a reload bug).
conf_checks() {
	"$MAILLED" -n -c "$CONF" >"$W/check.out" 2>&1
	tap_ok $? "$1: the file passes mailled -n" || indent <"$W/check.out"
}
start_n2() {
	nsl_ns 2 "exec $MAILLED -d ${MAILLED_DEBUG:-1} -c $CONF \
		-C 'state-file $W/state2' -C 'control-socket $S2' \
		-C 'redistribute local ip 10.99.0.0/16 le 32 allow' \
		-C 'redistribute local ip fd99::/16 le 128 allow' \
		-C 'redistribute local deny' \
		>$W/mailled2.log 2>&1 & echo \$! >$W/mailled2.pid"
	nsl_set_proto 2 42
	NSL_KIND_2=mailled
}
N2PID() { cat "$W/mailled2.pid"; }

# ------------------------------------------------------------ state probes
# has_route N PREFIX: N's daemon installed PREFIX (as ip prints it).
has_route() {
	{
		ip -n "${NSL_P}n$1" -4 route show proto 42
		ip -n "${NSL_P}n$1" -6 route show proto 42
	} 2>/dev/null | awk -v p="$2" '$1 == p { f = 1 } END { exit !f }'
}
has_routes() { # has_routes N PREFIX...
	n=$1; shift
	for p in "$@"; do has_route "$n" "$p" || return 1; done
}
no_routes() { # no_routes N PREFIX...
	n=$1; shift
	for p in "$@"; do ! has_route "$n" "$p" || return 1; done
}
n4_in() { for m in "$@"; do has_routes "$m" 10.99.0.4 fd99::4 || return 1; done; }
n4_out() { for m in "$@"; do no_routes "$m" 10.99.0.4 fd99::4 || return 1; done; }

# json N WHAT: maillectl --json WHAT on N's socket.
json() { "$CTL" -s "$W/ctl$1" --json "$2" 2>>"$W/ctl.err"; }

# nbrs N: "nN interface address id" per neighbour of N, sorted.
nbrs() {
	json "$1" neighbours | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o.get("kind") == "neighbour":
        print("n" + sys.argv[1], o["interface"], o["address"], o["id"])
' "$1" | sort
}
nbrs_all() { for n in 1 2 3 4; do nbrs "$n"; done; }
# nbrs_same "step" EXPECTED [EXCLUDE_RE]: one TAP case, the neighbours of
# n1..n4 are EXPECTED's (lines matching EXCLUDE_RE ignored on both sides).
nbrs_same() {
	x=${3:-^$}
	cur=$(nbrs_all | grep -Ev "$x")
	exp=$(echo "$2" | grep -Ev "$x")
	[ -n "$exp" ] && [ "$cur" = "$exp" ]
	tap_ok $? "$1: every neighbour is still the same one (same ids)" || {
		tap_diag "expected:"; echo "$exp" | indent
		tap_diag "found:"; echo "$cur" | indent
	}
}

# ifval N IF FIELD: FIELD of IF in N's interface dump ("none" without IF).
ifval() {
	json "$1" interfaces | python3 -c '
import json, sys
v = "none"
for l in sys.stdin:
    o = json.loads(l)
    if o.get("kind") == "interface" and o.get("name") == sys.argv[1]:
        v = o.get(sys.argv[2])
print(v)
' "$2" "$3"
}
ifval_is() { [ "$(ifval "$1" "$2" "$3")" = "$4" ]; }
# nbrval N IF FIELD: FIELD of the (first) neighbour of N on IF.
nbrval() {
	json "$1" neighbours | python3 -c '
import json, sys
v = "none"
for l in sys.stdin:
    o = json.loads(l)
    if o.get("kind") == "neighbour" and o.get("interface") == sys.argv[1]:
        v = o.get(sys.argv[2]); break
print(v)
' "$2" "$3"
}
nbrval_is() { [ "$(nbrval "$1" "$2" "$3")" = "$4" ]; }

# ctl_say SOCKET LINE: sends LINE on the control socket, prints the reply
# line (ok, no REASON or bad REASON); status 0 when it is "ok".
ctl_say() {
	python3 - "$1" "$2" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(15)
s.connect(sys.argv[1])
f = s.makefile("rb")
while True:                      # the greeting, up to its "ok"
    l = f.readline()
    if not l:
        print("closed during the greeting"); sys.exit(2)
    if l.rstrip(b"\r\n") == b"ok":
        break
s.sendall(sys.argv[2].encode() + b"\n")
while True:
    l = f.readline()
    if not l:
        print("closed without a reply"); sys.exit(2)
    l = l.rstrip(b"\r\n").decode(errors="replace")
    if l == "ok" or l.startswith("no") or l.startswith("bad"):
        print(l)
        sys.exit(0 if l == "ok" else 1)
EOF
}

# ------------------------------------------------------------ n2's log
LOG=$W/mailled2.log
log_mark() { LOG_MARK=$(wc -l <"$LOG"); }
log_since() { tail -n "+$((LOG_MARK + 1))" "$LOG"; }
# The lines that report a reload's outcome: "reloaded: N interfaces added,
# N removed, N reopened, N reconfigured; filters changed: KINDS" or
# "reload refused: REASON".
reload_lines() { grep -E 'reloaded: |reload refused'; }
RELOADS=0
# log_reloaded "step" WHAT: one TAP case, n2 logged a reload since the mark
# that changed WHAT (n interfaces added, removed, reconfigured and the
# filter kinds changed, e.g. "1 0 0 none").
log_reloaded() {
	RELOADS=$((RELOADS + 1))
	set -- "$1" $2
	re="reloaded: $2 interfaces? added, $3 removed, 0 reopened, $4 reconfigured; filters changed: $5\$"
	nsl_wait 5 sh -c "tail -n +$((LOG_MARK + 1)) '$LOG' | grep -Eq '$re'"
	tap_ok $? "$1: n2 logs the reload: $2 added, $3 removed, $4 reconfigured, filters changed: $5" ||
		log_since | tail -n 20 | indent
}

# ------------------------------------------------------------ route monitors
mon_start() { # mon_start N: ip monitor route in N, to $W/monN.txt
	nsl_ns "$1" "exec ip -ts monitor route >$W/mon$1.txt 2>&1 & echo \$! >$W/mon$1.pid"
	# Ready when it reports a route we add and remove (outside 10.99/16).
	i=0
	while [ $i -lt 50 ]; do
		ip -n "${NSL_P}n$1" route replace blackhole "10.97.0.$1/32" proto static
		sleep 0.1
		grep -q " 10\.97\.0\.$1 " "$W/mon$1.txt" && break
		i=$((i + 1))
	done
	ip -n "${NSL_P}n$1" route del blackhole "10.97.0.$1/32" proto static &&
		nsl_wait 5 grep -q "Deleted blackhole 10\.97\.0\.$1 " "$W/mon$1.txt"
}
mon_mark() {
	for n in 1 3; do eval "MON_MARK_$n=$(wc -l <"$W/mon$n.txt")"; done
}
mon_since() { # mon_since N: the monitor lines of N since the mark
	eval "m=\$MON_MARK_$1"
	tail -n "+$((m + 1))" "$W/mon$1.txt"
}
# mon_unexpected N ADD_RE DEL_RE: the route events in N since the mark other
# than additions/changes of a prefix matching ADD_RE and deletions of one
# matching DEL_RE (prefixes as ip prints them: 10.99.0.4, fd99::4).
mon_unexpected() {
	mon_since "$1" | ADD="${2:-^\$}" DEL="${3:-^\$}" awk '
	{
		l = $0
		sub(/^\[[^]]*\] */, "", l)
		d = 0
		if (l ~ /^Deleted /) { d = 1; sub(/^Deleted /, "", l) }
		split(l, w, " ")
		p = w[1]
		if (p ~ /^(unicast|unreachable|blackhole|prohibit|throw|local|broadcast|anycast|multicast)$/)
			p = w[2]
		sub(/\/(32|128)$/, "", p)
		if (p != "" && (d ? p ~ ENVIRON["DEL"] : p ~ ENVIRON["ADD"]))
			next
		print $0
	}'
}
# mon_saw N add|del PREFIX: N's monitor reported that since the mark.
mon_saw() {
	case $2 in
	add) mon_since "$1" | grep -v " Deleted " | awk -v p="$3" '$2 == p { f = 1 } END { exit !f }' ;;
	del) mon_since "$1" | awk -v p="$3" '$2 == "Deleted" && $3 == p { f = 1 } END { exit !f }' ;;
	esac
}
# mon_only "step" ADD_RE DEL_RE: one TAP case, n1's and n3's monitors (still
# running) report no other route change since the mark.
mon_only() {
	bad=""
	for n in 1 3; do
		kill -0 "$(cat "$W/mon$n.pid")" 2>/dev/null || bad="$bad n$n: ip monitor died;"
		u=$(mon_unexpected "$n" "$2" "$3")
		[ -z "$u" ] || bad="$bad n$n: $(echo "$u" | wc -l) unexpected route events;"
	done
	[ -z "$bad" ]
	tap_ok $? "$1" || {
		tap_diag "$bad"
		for n in 1 3; do
			tap_diag "n$n route events since the step began:"
			mon_since "$n" | tail -n 30 | indent
		done
	}
}

# ------------------------------------------------------------ pings n1 -> n3
ping_start() { # ping_start NAME -4|-6 SRC DST
	rm -f "$W/$1.out"
	nsl_ns 1 "exec ping $2 -n -O -i 0.2 -I $3 $4 >$W/$1.out 2>&1 & echo \$! >$W/$1.pid"
	eval "PING_T0_$1=$(date +%s)"
}
# ping_stop NAME "what": one TAP case: ping ran all along and every echo it
# sent was answered (but the last, which may be in flight when stopped).
ping_stop() {
	kill -INT "$(cat "$W/$1.pid")" 2>/dev/null
	nsl_wait 5 grep -q "packets transmitted" "$W/$1.out"
	rm -f "$W/$1.pid"
	eval "t0=\$PING_T0_$1"
	dur=$(($(date +%s) - t0))
	res=$(awk '
		/bytes from .*icmp_seq=/ { for (i = 1; i <= NF; i++) if ($i ~ /^icmp_seq=/) { split($i, a, "="); got[a[2] + 0] = 1 } }
		/packets transmitted/ { sent = $1 }
		END {
			lost = 0; list = ""
			for (s = 1; s < sent; s++) if (!(s in got)) { lost++; if (lost <= 10) list = list " " s }
			printf "%d %d%s\n", sent + 0, lost, list
		}' "$W/$1.out")
	sent=${res%% *}
	rest=${res#* }
	lost=${rest%% *}
	cat "$W/$1.out" >>"$W/$1.all"
	# 5 echoes a second; a busy host may send fewer, never 2 a second.
	[ "$sent" -ge 5 ] && [ "$sent" -ge $((2 * dur)) ] && [ "$lost" -eq 0 ]
	tap_ok $? "$2: $sent echoes in ${dur} s, $lost lost" || {
		[ "$lost" -eq 0 ] || tap_diag "lost icmp_seq:${rest#"$lost"}"
		grep -v "bytes from" "$W/$1.out" | tail -n 15 | indent
	}
}

# ------------------------------------------------------------ diagnostics
diag() {
	nsl_dump
	for n in 1 2 3 4; do
		tap_diag "--- n$n maillectl interfaces / neighbours"
		"$CTL" -s "$W/ctl$n" interfaces 2>&1 | indent
		"$CTL" -s "$W/ctl$n" neighbours 2>&1 | indent
	done
	tap_diag "--- n2's log since the step began (last 40 lines)"
	log_since | tail -n 40 | indent
	tap_diag "--- n2's config file"
	indent <"$CONF"
	for n in 1 3; do
		tap_diag "--- n$n route events since the step began (last 30)"
		mon_since "$n" | tail -n 30 | indent
	done
	[ -s "$W/ctl.err" ] && { tap_diag "--- maillectl errors"; tail -n 10 "$W/ctl.err" | indent; }
}

# step_begin "name": marks the monitors and the log, starts the pings.
step_begin() {
	STEP=$1
	STEP_FAIL0=$_tap_fail
	mon_mark
	log_mark
	ping_start ping4 -4 10.99.0.1 10.99.0.3
	ping_start ping6 -6 fd99::1 fd99::3
	sleep 1
}
# step_end: the pings' verdicts; everything dumped if the step failed.
step_end() {
	ping_stop ping4 "$STEP: IPv4 ping n1 -> n3 loses nothing"
	ping_stop ping6 "$STEP: IPv6 ping n1 -> n3 loses nothing"
	[ "$_tap_fail" -eq "$STEP_FAIL0" ] || diag
}
# reload_ctl "step": maillectl reload, one TAP case: exit 0.
reload_ctl() {
	"$CTL" -s "$S2" reload >"$W/reload.out" 2>&1
	st=$?
	tap_ok $st "$1: maillectl reload exits 0 (got $st)" || indent <"$W/reload.out"
}

N4="^(10\.99\.0\.4|fd99::4)$"
X3="^(10\.99\.3\.1|fd99:3::1)$"

# ============================================================ setup
nsl_node 1 && nsl_node 2 && nsl_node 3 && nsl_node 4 &&
	nsl_link 1 2 && nsl_link 2 3 && nsl_link 2 4 &&
	nsl_ns 3 "ip addr add 10.99.3.1/32 dev lo && ip addr add fd99:3::1/128 dev lo" &&
	nsl_wait_ll 1 v1-2 && nsl_wait_ll 2 v2-1 && nsl_wait_ll 2 v2-3 &&
	nsl_wait_ll 2 v2-4 && nsl_wait_ll 3 v3-2 && nsl_wait_ll 4 v4-2
tap_ok $? "namespaces n1 - n2 - n3 and n2 - n4, n3 with two extra addresses"
write_conf 1 no no
conf_checks "n2's first config (v2-1, v2-3)"
start_n2
nsl_start_mailled 1 v1-2
nsl_start_mailled 3 v3-2
nsl_start_mailled 4 v4-2
PID2=$(N2PID)
nsl_wait 10 test -S "$S2"
tap_ok $? "n2's mailled creates its control socket" || nsl_dump
t0=$(now)
nsl_wait_routes 40 "1:2 3" "2:1 3" "3:1 2" &&
	nsl_wait 20 has_routes 1 10.99.3.1 fd99:3::1
tap_ok $? "n1, n2, n3 converge ($(elapsed "$t0" "$(now)") s)" || diag
no_routes 1 10.99.0.4 fd99::4 && no_routes 3 10.99.0.4 fd99::4 &&
	[ -z "$(ip -n "${NSL_P}n4" route show proto 42)" ]
tap_ok $? "n4 is cut off: v2-4 is not in n2's config" || diag
NB0=$(nbrs_all)
[ "$(echo "$NB0" | grep -c .)" -eq 4 ]
tap_ok $? "four neighbour relations (n1-n2, n2-n3 both ways)" || echo "$NB0" | indent
mon_start 1 && mon_start 3
tap_ok $? "ip monitor route runs in n1 and n3"
# A first ping: the path works before anything changes.
nsl_ping 1 -4 10.99.0.1 10.99.0.3 "IPv4 ping n1 -> n3 before any reload"
nsl_ping 1 -6 fd99::1 fd99::3 "IPv6 ping n1 -> n3 before any reload"

# ============================================================ 1. add an interface
step_begin "add v2-4 (SIGHUP)"
write_conf 1 yes no
conf_checks "$STEP"
kill -HUP "$PID2"
t0=$(now)
nsl_wait 30 n4_in 1 3
tap_ok $? "$STEP: n4's routes reach n1 and n3 ($(elapsed "$t0" "$(now)") s)"
nsl_wait 20 nsl_all_routes "4:1 2 3" "2:4" && nsl_wait 10 has_routes 4 10.99.3.1 fd99:3::1
tap_ok $? "$STEP: n4 and n2 have each other's routes and n4 has n1's and n3's"
ifval_is 2 v2-4 hello_interval_ms 1000
tap_ok $? "$STEP: n2's dump lists v2-4 with its hello-interval (1 s)"
mon_saw 1 add 10.99.0.4 &&
	mon_saw 1 add fd99::4 && mon_saw 3 add 10.99.0.4 && mon_saw 3 add fd99::4
tap_ok $? "$STEP: n1's and n3's route monitors report n4's two prefixes added"
log_reloaded "$STEP" "1 0 0 none"
sleep 3 # what a full update interval could bring
mon_only "$STEP: n1 and n3 see no kernel route change but n4's prefixes added" "$N4" ""
NB1=$(nbrs_all)
nbrs_same "$STEP" "$NB0" "v2-4|v4-2"
echo "$NB1" | grep -q "^n2 v2-4 " && echo "$NB1" | grep -q "^n4 v4-2 "
tap_ok $? "$STEP: n2 and n4 are neighbours on v2-4" || echo "$NB1" | indent
step_end

# ============================================================ 2. change a filter
step_begin "out filter added (maillectl reload)"
# What this step takes away must be there before it.
pre1=0; has_routes 1 10.99.3.1 fd99:3::1 || pre1=1
pre4=0; has_routes 4 10.99.3.1 fd99:3::1 || pre4=1
write_conf 1 yes yes
conf_checks "$STEP"
t0=$(now)
reload_ctl "$STEP"
log_reloaded "$STEP" "0 0 0 out"
nsl_wait 30 no_routes 1 10.99.3.1 fd99:3::1
tap_ok $((pre1 || $?)) "$STEP: n1 loses 10.99.3.1 and fd99:3::1 ($(elapsed "$t0" "$(now)") s)"
nsl_wait 10 no_routes 4 10.99.3.1 fd99:3::1
tap_ok $((pre4 || $?)) "$STEP: so does n4 (which had them) (the filter is on every interface)"
has_routes 2 10.99.3.1 fd99:3::1 && has_routes 1 10.99.0.3 fd99::3 10.99.0.4 fd99::4
tap_ok $? "$STEP: n2 keeps them (out filters only what it sends); n1 keeps n3's and n4's others"
sleep 2
mon_saw 1 del 10.99.3.1 && mon_saw 1 del fd99:3::1
tap_ok $? "$STEP: n1's monitor reports the two prefixes deleted"
mon_only "$STEP: n1 and n3 see no kernel route change but n3's extra prefixes deleted" "" "$X3"
nbrs_same "$STEP" "$NB1"
step_end

step_begin "out filter removed (maillectl reload)"
pre1=0; no_routes 1 10.99.3.1 fd99:3::1 || pre1=1
pre4=0; no_routes 4 10.99.3.1 fd99:3::1 || pre4=1
write_conf 1 yes no
t0=$(now)
reload_ctl "$STEP"
log_reloaded "$STEP" "0 0 0 out"
nsl_wait 20 has_routes 1 10.99.3.1 fd99:3::1
tap_ok $((pre1 || $?)) "$STEP: n1, which had lost them, has 10.99.3.1 and fd99:3::1 again ($(elapsed "$t0" "$(now)") s)"
nsl_wait 10 has_routes 4 10.99.3.1 fd99:3::1
tap_ok $((pre4 || $?)) "$STEP: so has n4"
sleep 2
mon_saw 1 add 10.99.3.1 && mon_saw 1 add fd99:3::1
tap_ok $? "$STEP: n1's monitor reports the two prefixes added"
mon_only "$STEP: n1 and n3 see no kernel route change but n3's extra prefixes added" "$X3" ""
nbrs_same "$STEP" "$NB1"
step_end

# ============================================================ 3. change an interval
step_begin "hello-interval of v2-1 2 s (maillectl reload)"
write_conf 2 yes no
conf_checks "$STEP"
reload_ctl "$STEP"
log_reloaded "$STEP" "0 0 1 none"
nsl_wait 5 ifval_is 2 v2-1 hello_interval_ms 2000
tap_ok $? "$STEP: n2's dump says 2000 ms for v2-1 (got $(ifval 2 v2-1 hello_interval_ms))"
ifval_is 2 v2-3 hello_interval_ms 1000 && ifval_is 2 v2-4 hello_interval_ms 1000 &&
	ifval_is 2 v2-1 update_interval_ms 4000
tap_ok $? "$STEP: v2-3 and v2-4 keep 1 s, v2-1 keeps its update-interval (4 s)"
nsl_wait 15 nbrval_is 1 v1-2 mcast_hello_interval_cs 200
tap_ok $? "$STEP: n1 hears Hellos from n2 announcing 2 s (got $(nbrval 1 v1-2 mcast_hello_interval_cs) cs)"
nbrval_is 3 v3-2 mcast_hello_interval_cs 100
tap_ok $? "$STEP: n3 still hears 1 s"
sleep 2
mon_only "$STEP: no kernel route change in n1 or n3" "" ""
nbrs_same "$STEP" "$NB1"
step_end

step_begin "hello-interval of v2-3 1.5 s (run-time statement)"
reply=$(ctl_say "$S2" "interface v2-3 hello-interval 1.5")
tap_ok $? "$STEP: \"interface v2-3 hello-interval 1.5\" on the control socket: ok (got: $reply)"
nsl_wait 5 ifval_is 2 v2-3 hello_interval_ms 1500
tap_ok $? "$STEP: n2's dump says 1500 ms for v2-3 (got $(ifval 2 v2-3 hello_interval_ms))"
ifval_is 2 v2-3 update_interval_ms 4000 && ifval_is 2 v2-1 hello_interval_ms 2000 &&
	ifval_is 2 v2-4 hello_interval_ms 1000
tap_ok $? "$STEP: the statement changes only that (v2-3 update 4 s, v2-1 2 s, v2-4 1 s)" ||
	json 2 interfaces | indent
nsl_wait 15 nbrval_is 3 v3-2 mcast_hello_interval_cs 150
tap_ok $? "$STEP: n3 hears Hellos from n2 announcing 1.5 s (got $(nbrval 3 v3-2 mcast_hello_interval_cs) cs)"
reply=$(ctl_say "$S2" "interface v2-3 hello-interval banana")
st=$?
[ $st -eq 1 ] && echo "$reply" | grep -Eq "^(bad|no) .*banana"
tap_ok $? "$STEP: a bad run-time statement is refused with its own error (got: $reply)"
ifval_is 2 v2-3 hello_interval_ms 1500
tap_ok $? "$STEP: the refused statement changed nothing (v2-3 1.5 s)"
sleep 2
mon_only "$STEP: no kernel route change in n1 or n3" "" ""
nbrs_same "$STEP" "$NB1"
step_end

# ============================================================ 4. a bad config
step_begin "a config with an error"
# Without v2-4 and with another v2-1 interval, so that a partial
# application would show; the error on line 5.
{
	echo "# n2 (tests/integ/reload.sh), with an error on line 5"
	echo "interface v2-1 hello-interval 3 update-interval 4"
	echo "interface v2-3 hello-interval 1 update-interval 4"
	echo "out ip 10.99.0.0/16 deny"
	echo "frobnicate yes"
} >"$CONF.new" && mv "$CONF.new" "$CONF"
"$MAILLED" -n -c "$CONF" >"$W/check.out" 2>&1
st=$?
[ $st -ne 0 ] && grep -q "$CONF:5:1" "$W/check.out"
tap_ok $? "$STEP: mailled -n finds the error at $CONF:5:1 (test sanity)" || indent <"$W/check.out"
"$CTL" -s "$S2" reload >"$W/reload.out" 2>&1
st=$?
[ $st -eq 1 ] && grep -Eq "$CONF:5:[0-9]+:.*frobnicate" "$W/reload.out"
tap_ok $? "$STEP: maillectl reload exits 1 (got $st) naming $CONF:5:column" || indent <"$W/reload.out"
nsl_wait 5 sh -c "tail -n +$((LOG_MARK + 1)) '$LOG' | grep -Eq '$CONF:5:[0-9]+'"
tap_ok $? "$STEP: n2 logs the error of the refused reload" || log_since | tail -n 10 | indent
RELOADS=$((RELOADS + 1))
log_mark
kill -HUP "$PID2"
nsl_wait 5 sh -c "tail -n +$((LOG_MARK + 1)) '$LOG' | grep -Eq '$CONF:5:[0-9]+'"
tap_ok $? "$STEP: SIGHUP: n2 logs the error" || log_since | tail -n 10 | indent
RELOADS=$((RELOADS + 1))
sleep 1
kill -0 "$PID2" 2>/dev/null && "$CTL" -s "$S2" status >/dev/null 2>&1
tap_ok $? "$STEP: SIGHUP: n2's mailled still runs and answers"
# A run-time statement says what it changes: the file on disk, with its
# error, has no say in it (it is neither re-read nor applied).
reply=$(ctl_say "$S2" "interface v2-3 hello-interval 1.5")
tap_ok $? "$STEP: a valid run-time statement is still accepted (got: $reply)"
ifval_is 2 v2-1 hello_interval_ms 2000 && ifval_is 2 v2-3 hello_interval_ms 1500 &&
	ifval_is 2 v2-4 hello_interval_ms 1000
tap_ok $? "$STEP: n2's interfaces are unchanged (v2-1 2 s, v2-3 1.5 s, v2-4 still there)" ||
	json 2 interfaces | indent
sleep 3
has_routes 1 10.99.0.2 fd99::2 10.99.0.3 fd99::3 10.99.3.1 fd99:3::1 10.99.0.4 fd99::4 &&
	has_routes 3 10.99.0.1 fd99::1 10.99.0.2 fd99::2 10.99.0.4 fd99::4
tap_ok $? "$STEP: n1 and n3 have every route still"
mon_only "$STEP: no kernel route change in n1 or n3" "" ""
nbrs_same "$STEP" "$NB1"
write_conf 2 yes no
log_mark
reload_ctl "$STEP: the good file back"
log_reloaded "$STEP: the good file back" "0 0 0 none"
ifval_is 2 v2-1 hello_interval_ms 2000 && ifval_is 2 v2-3 hello_interval_ms 1500 &&
	ifval_is 2 v2-4 hello_interval_ms 1000
tap_ok $? "$STEP: the good file back: intervals as before (the run-time 1.5 s of v2-3 stays)" ||
	json 2 interfaces | indent
sleep 2
mon_only "$STEP: the good file back: no kernel route change in n1 or n3" "" ""
step_end

# ============================================================ 5. remove an interface
step_begin "remove v2-4 (maillectl reload)"
pre=0; n4_in 1 3 || pre=1
prei=0; ifval_is 2 v2-4 name v2-4 || prei=1
pren=0; nbrs 2 | grep -q "^n2 v2-4 " || pren=1
write_conf 2 no no
conf_checks "$STEP"
t0=$(now)
reload_ctl "$STEP"
log_reloaded "$STEP" "0 1 0 none"
nsl_wait 30 n4_out 1 3
tap_ok $((pre || $?)) "$STEP: n4's routes, there before, leave n1 and n3 ($(elapsed "$t0" "$(now)") s)"
nsl_wait 5 ifval_is 2 v2-4 name none
tap_ok $((prei || $?)) "$STEP: n2's dump, which listed v2-4, no longer lists v2-4"
nsl_wait 10 sh -c "! '$CTL' -s '$S2' --json neighbours | grep -q '\"interface\":\"v2-4\"'"
tap_ok $((pren || $?)) "$STEP: n2 has no neighbour on v2-4 any more (had one)"
ifval_is 2 v2-3 hello_interval_ms 1500 && ifval_is 2 v2-1 hello_interval_ms 2000
tap_ok $? "$STEP: v2-3 keeps the run-time 1.5 s, v2-1 its 2 s" || json 2 interfaces | indent
sleep 3
mon_saw 1 del 10.99.0.4 && mon_saw 1 del fd99::4 && mon_saw 3 del 10.99.0.4 && mon_saw 3 del fd99::4
tap_ok $? "$STEP: n1's and n3's monitors report n4's prefixes deleted"
mon_only "$STEP: n1 and n3 see no kernel route change but n4's prefixes deleted" "" "$N4"
nbrs_same "$STEP" "$NB0" "v2-4|v4-2"
step_end

# ============================================================ the end
STEP="at the end"
STEP_FAIL0=$_tap_fail
LOG_MARK=0
[ "$(N2PID)" = "$PID2" ] && kill -0 "$PID2" 2>/dev/null &&
	[ "$(grep -c 'started, seqno' "$LOG")" -eq 1 ]
tap_ok $? "n2's mailled is the process started at the beginning (pid $PID2), started once"
up=$(json 2 status | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o.get("kind") == "status":
        print(o["uptime_s"])' 2>/dev/null)
total=$(($(date +%s) - T_START))
[ -n "$up" ] && [ "$up" -ge $((total - 15)) ]
tap_ok $? "n2's uptime ($up s) spans the test (${total} s since the start)"
n=$(reload_lines <"$LOG" | grep -c .)
[ "$n" -ge "$RELOADS" ]
tap_ok $? "n2 logged the outcome of each of the $RELOADS reloads ($n lines)" || reload_lines <"$LOG" | indent
has_routes 1 10.99.0.2 fd99::2 && has_routes 3 10.99.0.2 fd99::2
tap_ok $? "n2 still announces its own addresses (the -C redistribute statements stayed)"
[ "$_tap_fail" -eq "$STEP_FAIL0" ] || diag
nsl_stop_all
tap_ok $? "every daemon stops on SIGTERM"
tap_done
