#!/bin/sh
# tshark, an independent decoder, reads the radio capture mailled writes
# (`pcap FILE` on a `type ax25` interface, link type 202, AX.25 in KISS):
# two stations through kisssim at 1200 baud (tests/lib/radio_sites.sh)
# converge and ping each other in both families, then tshark must read
# every frame of both captures as KISS + AX.25 with nothing malformed and
# no expert error, find Babel under PID 0xF0 and IPv4 under PID 0xCC, and
# count as many frames (and as many of each PID) as mailledump does.
#
# A few lines of Lua (written below) hand PID 0xF0 frames that start with
# Babel's magic 42 to tshark's Babel dissector and those that start with
# 0x6X to its IPv6 dissector, so that the Babel packets and the IPv6 data
# are decoded too, not just shown as bytes.  Bounded: about 2 minutes.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/radio_sites.sh"

command -v tshark >/dev/null 2>&1 || tap_skip_all "tshark not installed (Debian package: tshark)"
DUMP=${MAILLEDUMP:-$top_builddir/tools/mailledump}
[ -x "$DUMP" ] || tap_skip_all "no mailledump binary at $DUMP"
radio_init mlw "1 2"

converged() { has_route 1 2 && has_route 2 1; }
ping_ok() { # ping_ok N ARGS...: up to 3 single echoes (a frame may collide)
	n=$1
	shift
	for _ in 1 2 3; do
		ip netns exec "${P}n$n" ping -n -c 1 -W 20 "$@" >"$WORK/ping.out" 2>&1 && return 0
	done
	sed 's/^/#   /' "$WORK/ping.out"
	return 1
}

# ------------------------------------------------------------ capture
radio_sim_ns &&
	mknode 1 192.0.2.1 192.0.2.2 && mknode 2 192.0.2.5 192.0.2.6
tap_ok $? "a simulator namespace and two station namespaces" || { tap_done; exit 1; }
start_sim 2 17
tap_ok $? "kisssim runs: two stations on one 1200 baud channel" || { tap_done; exit 1; }
start 1 192.0.2.1 $PORT F4AAA-1 "pcap $WORK/radio1.pcap"
start 2 192.0.2.5 $((PORT + 1)) F4BBB-2 "pcap $WORK/radio2.pcap"
wait_for 150 converged
tap_ok $? "the two stations converge over the radio" || dump_state
ping_ok 1 -6 -s 56 -I fd99::1 fd99::2
tap_ok $? "an IPv6 ping crosses (IPv6 under PID 0xF0)" || dump_state
ping_ok 2 -4 -s 56 -I 10.99.0.2 10.99.0.1
tap_ok $? "an IPv4 ping crosses (PID 0xCC)" || dump_state
# mailled closes its capture on exit; read it only then.
for n in 1 2; do kill -TERM "$(cat "$WORK/pid$n")"; done
wait_for 10 sh -c "! kill -0 $(cat "$WORK/pid1") 2>/dev/null && ! kill -0 $(cat "$WORK/pid2") 2>/dev/null"
tap_ok $? "both mailled exit on SIGTERM"

# ------------------------------------------------------------ decode
cat >"$WORK/maille_f0.lua" <<'EOF'
-- PID 0xF0 (no layer 3) carries Babel (first byte 42) and IPv6 (0x6X)
-- on a maille radio link; anything else keeps tshark's own dissector.
local f0 = DissectorTable.get("ax25.pid")
local fallback = f0:get_dissector(0xF0)
-- tshark names no "babel" dissector; it hangs off Babel's UDP port.
local babel = DissectorTable.get("udp.port"):get_dissector(6696)
local ipv6 = Dissector.get("ipv6")
local p = Proto("maille_f0", "maille AX.25 PID 0xF0")
function p.dissector(tvb, pinfo, tree)
	if tvb:len() > 0 then
		local b = tvb(0, 1):uint()
		if b == 42 then return babel:call(tvb, pinfo, tree) end
		if bit.rshift(b, 4) == 6 then return ipv6:call(tvb, pinfo, tree) end
	end
	if fallback then return fallback:call(tvb, pinfo, tree) end
	return 0
end
f0:add(0xF0, p)
EOF
ts() { tshark -X "lua_script:$WORK/maille_f0.lua" -r "$@" 2>>"$WORK/tshark.err"; }
count() { ts "$1" -Y "$2" -T fields -e frame.number | wc -l; }

for n in 1 2; do
	f=$WORK/radio$n.pcap
	# The link type is the 32-bit word at offset 20 of the file header,
	# in the writer's (the host's) byte order: the magic says which.
	lt=$(od -A n -t u4 -j 20 -N 4 "$f" 2>/dev/null | tr -d ' ')
	[ "$lt" = 202 ]
	tap_ok $? "radio$n.pcap: link type 202 (AX.25 KISS) in the file header (saw ${lt:-nothing})"
	total=$(ts "$f" -T fields -e frame.number | wc -l)
	[ "$total" -gt 0 ]
	tap_ok $? "radio$n.pcap: tshark reads $total frames" || sed 's/^/#   /' "$WORK/tshark.err"
	kiss=$(count "$f" "ax25_kiss && ax25")
	[ "$kiss" -eq "$total" ]
	tap_ok $? "radio$n.pcap: every frame decodes as KISS + AX.25 ($kiss of $total)"
	ts "$f" -V >"$WORK/radio$n.txt"
	bad=$(count "$f" "_ws.malformed || _ws.expert.severity == error")
	[ "$bad" -eq 0 ] && ! grep -q -i -e malformed -e 'Expert Info (Error' "$WORK/radio$n.txt"
	tap_ok $? "radio$n.pcap: nothing malformed, no expert error ($bad frames flagged)" ||
		ts "$f" -Y "_ws.malformed || _ws.expert.severity == error" | sed 's/^/#   /'
	babel=$(count "$f" "ax25.pid == 0xf0 && babel")
	[ "$babel" -gt 0 ]
	tap_ok $? "radio$n.pcap: $babel Babel packets in UI frames under PID 0xF0"
	v4=$(count "$f" "ax25.pid == 0xcc && icmp.type == 0 || ax25.pid == 0xcc && icmp.type == 8")
	[ "$v4" -gt 0 ]
	tap_ok $? "radio$n.pcap: $v4 ICMP echoes in IPv4 under PID 0xCC"
	v6=$(count "$f" "ax25.pid == 0xf0 && icmpv6.type == 128 || ax25.pid == 0xf0 && icmpv6.type == 129")
	[ "$v6" -gt 0 ]
	tap_ok $? "radio$n.pcap: $v6 ICMPv6 echoes in IPv6 under PID 0xF0"
	ui=$(count "$f" "ax25.ctl == 0x03")
	[ "$ui" -eq "$total" ]
	tap_ok $? "radio$n.pcap: every frame is a UI frame ($ui of $total)"

	# mailledump, maille's own decoder, on the same file.
	"$DUMP" "$f" >"$WORK/dump$n.txt" 2>"$WORK/dump$n.err"
	tap_ok $? "radio$n.pcap: mailledump finds nothing malformed" ||
		sed 's/^/#   /' "$WORK/dump$n.err"
	d_total=$(grep -c "^$f #[0-9]*: " "$WORK/dump$n.txt")
	[ "$d_total" -eq "$total" ]
	tap_ok $? "radio$n.pcap: tshark and mailledump count the same frames ($total, $d_total)"
	d_cc=$(grep -c ' pid 0xCC, ' "$WORK/dump$n.txt")
	t_cc=$(count "$f" "ax25.pid == 0xcc")
	d_f0=$(grep -c ' pid 0xF0, ' "$WORK/dump$n.txt")
	t_f0=$(count "$f" "ax25.pid == 0xf0")
	[ "$d_cc" -eq "$t_cc" ] && [ "$d_f0" -eq "$t_f0" ] && [ "$d_cc" -gt 0 ]
	tap_ok $? "radio$n.pcap: and the same per PID (0xCC: $t_cc, $d_cc; 0xF0: $t_f0, $d_f0)"
done

tap_done
