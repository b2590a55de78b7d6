#!/bin/sh
# Configuration changes on a radio interface at run time (issue 5 on the
# radio link of issue 6), two stations through kisssim at 1200 baud:
# - a parameter the engine owns (hello-interval), given as a run-time
#   statement on the control socket, applies in place: the TNC connection
#   stays, no kernel route moves on either station (ip monitor route), the
#   neighbour keeps its id;
# - a setting of the radio link itself (airtime) reopens the interface: the
#   TNC is connected again and the routes come back by themselves;
# - a bad statement is refused and changes nothing.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/radio_sites.sh"

radio_init mrr "1 2"
command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 is not installed"

converged() { has_route 1 2 && has_route 2 1; }

ctl() { # ctl N LINE: the control socket's answer to LINE (its last line)
	ns "$1" "python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
f = s.makefile(\"rw\")
while f.readline().strip() != \"ok\":
    pass
f.write(\"json\\n\" + sys.argv[2] + \"\\n\")
f.flush()
f.readline()
print(f.readline().strip())
' $WORK/ctl$1 \"$2\""
}

neighbour_id() { # neighbour_id N: the id of N's only neighbour
	ns "$1" "$top_builddir/tools/maillectl -s $WORK/ctl$1 --json neighbours" |
		python3 -c '
import json, sys
ids = [o["id"] for o in map(json.loads, filter(str.strip, sys.stdin)) if "id" in o]
print(ids[0] if len(ids) == 1 else "none")'
}

connects() { grep -c "TNC tcp:.* connected" "$WORK/log$1"; }

radio_sim_ns &&
	mknode 1 192.0.2.1 192.0.2.2 && mknode 2 192.0.2.5 192.0.2.6
tap_ok $? "a simulator namespace and two station namespaces" || { tap_done; exit 1; }
start_sim 2 11
tap_ok $? "kisssim runs: two stations at 1200 baud" || { tap_done; exit 1; }
start 1 192.0.2.1 $PORT F4AAA-1
start 2 192.0.2.5 $((PORT + 1)) F4BBB-2
wait_for 150 converged
tap_ok $? "the two stations converge over the radio" || { dump_state; tap_done; exit 1; }
sleep 5 # the last of the first updates settle

# ------------------------------------------------------------ in place
ID1=$(neighbour_id 1)
for n in 1 2; do
	ip -n "${P}n$n" monitor route >"$WORK/mon$n" 2>&1 &
	echo $! >"$WORK/pidmon$n"
done
sleep 0.5
ANS=$(ctl 1 "interface radio0 hello-interval 20")
echo "$ANS" | grep -q '"ok"'
tap_ok $? "a run-time statement on the radio interface is accepted" || tap_diag "answer: $ANS"
wait_for 10 grep -q "interface radio0 reconfigured" "$WORK/log1"
tap_ok $? "the interface is reconfigured in place (logged)" || dump_state
ns 1 "$top_builddir/tools/maillectl -s $WORK/ctl1 --json interfaces" | grep -q '20000'
tap_ok $? "the new Hello interval shows in maillectl interfaces"
sleep 20
[ "$(connects 1)" -eq 1 ]
tap_ok $? "the TNC connection stayed up"
[ "$(neighbour_id 1)" = "$ID1" ] && [ "$ID1" != none ]
tap_ok $? "the neighbour is the same one (id $ID1)"
for n in 1 2; do kill "$(cat "$WORK/pidmon$n")" 2>/dev/null; rm -f "$WORK/pidmon$n"; done
converged && [ ! -s "$WORK/mon1" ] && [ ! -s "$WORK/mon2" ]
tap_ok $? "no kernel route changed on either station" || {
	sed 's/^/#   mon1 /' "$WORK/mon1"; sed 's/^/#   mon2 /' "$WORK/mon2"; }

# ------------------------------------------------------------ refused
ANS=$(ns 1 "$top_builddir/tools/maillectl -s $WORK/ctl1 interface radio0 airtime 300" 2>&1)
RC=$?
[ "$RC" -eq 1 ] && echo "$ANS" | grep -q "airtime"
tap_ok $? "maillectl interface radio0 airtime 300: refused (exit 1) with the reason" ||
	tap_diag "exit $RC: $ANS"
[ "$(connects 1)" -eq 1 ] && converged
tap_ok $? "and changes nothing"

# ------------------------------------------------------------ reopened
ANS=$(ns 1 "$top_builddir/tools/maillectl -s $WORK/ctl1 interface radio0 airtime 40" 2>&1)
tap_ok $? "maillectl interface radio0 airtime 40: accepted" || tap_diag "answer: $ANS"
wait_for 20 sh -c "[ \$(grep -c 'TNC tcp:.* connected' '$WORK/log1') -ge 2 ]"
tap_ok $? "the radio link is reopened: the TNC connected again" || dump_state
wait_for 150 converged
tap_ok $? "the routes come back by themselves" || dump_state
alive
tap_ok $? "both mailled still run"
tap_done
