#!/bin/sh
# Bad configuration files: `mailled -n -c FILE` prints each error as
# file:line:column: message and exits 1; a good file exits 0; several
# errors in one file are all reported.  Needs no root (nothing starts).
. "$top_srcdir/tests/lib/tap.sh"

MAILLED=${MAILLED:-$top_builddir/src/mailled}
[ -x "$MAILLED" ] || tap_skip_all "no mailled binary at $MAILLED"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlc.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM HUP

# bad NAME "expected message line" <<file: one TAP case; the file is stdin.
bad() {
	f=$WORK/$1.conf
	cat >"$f"
	out=$("$MAILLED" -n -c "$f" 2>&1 >/dev/null)
	rc=$?
	exp="$f:$2"
	[ "$rc" -eq 1 ] && echo "$out" | grep -qxF "$exp"
	tap_ok $? "$1: exit 1 with '$(basename "$f"):$2'" ||
		{ tap_diag "exit $rc, stderr:"; echo "$out" | sed 's/^/#   /'; }
}

bad unknown-keyword "3:1: unknown keyword 'frobnicate'" <<'EOF2'
# a comment
interface eth0
frobnicate 3
EOF2

bad bad-prefix "2:25: bad prefix '10.0.0.0/33' for ip" <<'EOF2'
interface eth0
redistribute local ip   10.0.0.0/33 allow
EOF2

bad bad-prefix-address "1:7: bad prefix 'fd00::g/64' for ip" <<'EOF2'
in ip fd00::g/64 deny
EOF2

bad missing-value "2:30: missing value for hello-interval" <<'EOF2'
default rxcost 96
interface eth0 hello-interval
EOF2

bad missing-global-value "1:13: missing value for import-table" <<'EOF2'
import-table
EOF2

bad duplicate-interface "4:11: duplicate interface 'eth0'" <<'EOF2'
interface eth0 type wired
interface eth1

interface eth0 rxcost 10
EOF2

bad unknown-filter-action "1:36: unknown filter selector or action 'reject' in redistribute filter" <<'EOF2'
redistribute ip 10.0.0.0/8 le 24   reject
EOF2

# Every error of a file is reported, each at its place, and nothing runs.
f=$WORK/several.conf
printf 'interface eth0\nfrobnicate\ninterface eth0\nout ip 300.0.0.0/8 deny\n' >"$f"
out=$("$MAILLED" -n -c "$f" 2>&1 >/dev/null)
rc=$?
n=$(echo "$out" | grep -c "^$f:[0-9]*:[0-9]*: ")
[ "$rc" -eq 1 ] && [ "$n" -eq 3 ]
tap_ok $? "three errors in one file: three file:line:column lines, exit 1" ||
	echo "$out" | sed 's/^/#   /'

# -C statements are named as such.
out=$("$MAILLED" -n -C 'interface eth0' -C 'bogus 1' 2>&1 >/dev/null)
rc=$?
[ "$rc" -eq 1 ] && echo "$out" | grep -q "^-C:1:1: unknown keyword 'bogus'"
tap_ok $? "a bad -C statement: exit 1 with -C:1:1" || echo "$out" | sed 's/^/#   /'

# A missing file is an error too, not an empty configuration.
"$MAILLED" -n -c "$WORK/does-not-exist.conf" >/dev/null 2>&1
tap_ok $([ $? -eq 1 ] && echo 0 || echo 1) "a missing config file: exit 1"

# The good case: a file using the shared grammar passes.
f=$WORK/good.conf
cat >"$f" <<'EOF2'
default hello-interval 1 update-interval 4
interface eth0 type wired rxcost 96
interface wlan0 type wireless
import-table 100
redistribute ip 10.128.0.0/9 allow
redistribute local deny
in ip 0.0.0.0/0 le 0 deny
EOF2
out=$("$MAILLED" -n -c "$f" 2>&1)
tap_ok $? "a good file: exit 0" || echo "$out" | sed 's/^/#   /'
[ -z "$out" ]
tap_ok $? "a good file: nothing printed"
tap_done
