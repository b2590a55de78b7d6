#!/bin/sh
# contrib/: the OpenWrt package and the systemd unit, checked without an
# OpenWrt SDK, a router or a running systemd, and without network or root.
#   - the procd init script parses, and its functions, run under a stand-in
#     for procd's shell API that records each call, register the command
#     line, respawn and logging, make the state directory, reload by SIGHUP,
#     and refuse a configuration with an error before procd sees it;
#   - mailled accepts the default configuration, which has an interface
#     (without one mailled refuses to start);
#   - the systemd unit passes systemd-analyze verify (when installed) and has
#     the keys the packaging relies on;
#   - the package Makefile's install recipe, run against `make install` of
#     this tree with a stand-in for OpenWrt's make includes, finds every file
#     it names; its version is configure's, and its DEPENDS cover the
#     libraries the binaries really link.
. "$top_srcdir/tests/lib/tap.sh"

MAILLED=$top_builddir/src/mailled
[ -x "$MAILLED" ] || tap_skip_all "no mailled binary at $MAILLED"
PKGDIR=$top_srcdir/contrib/openwrt/maille
INIT=$PKGDIR/files/mailled.init
CONF=$PKGDIR/files/mailled.conf
UNIT=$top_srcdir/contrib/systemd/mailled.service
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlcontrib.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM HUP

show() { sed 's/^/#   /' "$@"; }

# ------------------------------------------------------------ init script
sh -n "$INIT"
tap_ok $? "init script: sh -n"
# OpenWrt runs it with busybox ash, a different parser from this sh.
if command -v busybox >/dev/null && busybox sh -c 'exit 0' 2>/dev/null; then
	busybox sh -n "$INIT"
	tap_ok $? "init script: busybox sh -n"
fi
[ "$(sed -n 1p "$INIT")" = "#!/bin/sh /etc/rc.common" ]
tap_ok $? "init script: runs through /etc/rc.common"

# A stand-in for what /etc/rc.common and /lib/functions/procd.sh give an
# init script: each procd_* call is written to $LOG, one bracketed argument
# at a time, so that arguments with spaces stay visible.
LOG=$WORK/procd.log
cat >"$WORK/shim.sh" <<'EOF'
record() { printf '%s' "$1" >>"$LOG"; shift; for a; do printf ' [%s]' "$a" >>"$LOG"; done; echo >>"$LOG"; }
procd_open_instance() { record open_instance "$@"; }
procd_close_instance() { record close_instance "$@"; }
procd_set_param() { record set_param "$@"; }
procd_append_param() { record append_param "$@"; }
procd_send_signal() { record send_signal "$@"; }
procd_add_reload_trigger() { record add_reload_trigger "$@"; }
procd_kill() { record kill "$@"; }
initscript=/etc/init.d/mailled
basescript=
. "$INIT"
EOF

# run_init 'shell code': the init script loaded under the shim, then the code;
# stdout and stderr go to $WORK/out.
run_init() {
	: >"$LOG"
	LOG=$LOG INIT=$INIT sh -c ". \"$WORK/shim.sh\"; $1" >"$WORK/out" 2>&1
}

run_init 'echo "$PROG $CONF $START $STOP $USE_PROCD"'
[ "$(cat "$WORK/out")" = "/usr/sbin/mailled /etc/maille/mailled.conf 70 10 1" ]
tap_ok $? "init script: runs /usr/sbin/mailled with /etc/maille/mailled.conf, procd, START 70, STOP 10" ||
	show "$WORK/out"

# The default configuration with its state file moved into $WORK (a path
# with a space: quoted by mailled -p, unquoted by the script).
STATE="$WORK/state dir/sub/state"
sed "s|^state-file .*|state-file \"$STATE\"|" "$CONF" >"$WORK/mailled.conf"
grep -q "^state-file \"$STATE\"" "$WORK/mailled.conf"
tap_ok $? "test setup: state-file moved into the work directory"
BUILT="PROG='$MAILLED'; CONF='$WORK/mailled.conf'"

run_init "$BUILT; start_service"
rc=$?
cat >"$WORK/expect" <<EOF
open_instance
set_param [command] [$MAILLED] [-c] [$WORK/mailled.conf]
set_param [respawn]
set_param [stdout] [1]
set_param [stderr] [1]
close_instance
EOF
[ "$rc" -eq 0 ] && diff "$WORK/expect" "$LOG" >"$WORK/diff"
tap_ok $? "start_service: one instance, mailled -c CONF in the foreground, respawn, output to the log" ||
	{ show "$WORK/diff" "$WORK/out"; }
[ -d "${STATE%/*}" ]
tap_ok $? "start_service: creates the state file's directory"
! grep -q -- '-D' "$LOG"
tap_ok $? "start_service: mailled does not daemonise (procd supervises it)"

run_init "$BUILT; reload_service"
rc=$?
[ "$rc" -eq 0 ] && [ "$(cat "$LOG")" = "send_signal [mailled] [*] [HUP]" ]
tap_ok $? "reload_service: sends SIGHUP to every mailled instance, nothing else" ||
	{ show "$LOG" "$WORK/out"; }

run_init "$BUILT; service_triggers"
[ "$(cat "$LOG")" = "add_reload_trigger [maille]" ]
tap_ok $? "service_triggers: reload on a commit of UCI package maille" || show "$LOG"

# A configuration with an error: neither start nor reload reaches procd, and
# the error, with its file:line:column, is shown to whoever ran the script.
printf 'interface br-lan\nfrobnicate 3\n' >"$WORK/bad.conf"
BAD="PROG='$MAILLED'; CONF='$WORK/bad.conf'"
run_init "$BAD; reload_service"
rc=$?
[ "$rc" -ne 0 ] && [ ! -s "$LOG" ] && grep -qF "$WORK/bad.conf:2:1:" "$WORK/out"
tap_ok $? "reload_service: a bad configuration fails with its error and sends no signal" ||
	{ show "$LOG" "$WORK/out"; }
run_init "$BAD; start_service"
rc=$?
[ "$rc" -ne 0 ] && [ ! -s "$LOG" ] && grep -qF "$WORK/bad.conf:2:1:" "$WORK/out"
tap_ok $? "start_service: a bad configuration fails with its error and registers nothing" ||
	{ show "$LOG" "$WORK/out"; }

# ------------------------------------------------------------ default config
"$MAILLED" -n -c "$CONF" >"$WORK/out" 2>&1 && [ ! -s "$WORK/out" ]
tap_ok $? "mailled -n accepts contrib/openwrt/maille/files/mailled.conf" || show "$WORK/out"
"$MAILLED" -p -c "$CONF" >"$WORK/printed" 2>&1 && grep -q '^interface ' "$WORK/printed"
tap_ok $? "the default configuration runs Babel on an interface (mailled needs one)" ||
	show "$WORK/printed"
grep -qx 'control-socket /var/run/maille/mailled.sock' "$WORK/printed"
tap_ok $? "the default configuration puts the control socket under /var/run (OpenWrt has no /run)"

# ------------------------------------------------------------ systemd unit
key() { grep -qx "$1" "$UNIT"; }
for k in '\[Unit\]' '\[Service\]' '\[Install\]' 'Type=simple' \
	'ExecStart=/usr/sbin/mailled -c /etc/maille/mailled.conf' \
	'ExecReload=/bin/kill -HUP \$MAINPID' 'RuntimeDirectory=maille' 'StateDirectory=maille' \
	'CapabilityBoundingSet=.*CAP_NET_ADMIN.*' 'RestrictAddressFamilies=.*AF_NETLINK.*' \
	'WantedBy=multi-user.target'; do
	key "$k"
	tap_ok $? "systemd unit: $(printf %s "$k" | tr -d "\\\\")"
done
# Every ExecReload= line must come before the kill (a check after it is moot).
[ "$(grep '^ExecReload=' "$UNIT" | tail -n 1)" = 'ExecReload=/bin/kill -HUP $MAINPID' ]
tap_ok $? "systemd unit: SIGHUP is the last reload step"
if command -v systemd-analyze >/dev/null; then
	# verify wants the executables to exist: point them at the build tree.
	# It reports bad keys and values as warnings with exit 0, so any output
	# is a failure.
	sed "s|/usr/sbin/mailled|$MAILLED|g" "$UNIT" >"$WORK/mailled.service"
	systemd-analyze verify --man=no "$WORK/mailled.service" >"$WORK/out" 2>&1 && [ ! -s "$WORK/out" ]
	tap_ok $? "systemd-analyze verify: no error, no warning" || show "$WORK/out"
else
	tap_ok 0 "systemd-analyze verify # SKIP systemd-analyze is not installed"
fi

# ------------------------------------------------------------ package Makefile
pkgvar() { sed -n "s/^$1:=//p" "$PKGDIR/Makefile"; }
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
[ -n "$version" ] && [ "$(pkgvar PKG_VERSION)" = "$version" ]
tap_ok $? "Makefile: PKG_VERSION is configure's version ($version)"
for k in PKG_NAME PKG_RELEASE PKG_LICENSE PKG_FIXUP; do
	grep -q "^$k:=" "$PKGDIR/Makefile"
	tap_ok $? "Makefile: sets $k"
done
grep -q '^CONFIGURE_ARGS += --with-libnl-tiny$' "$PKGDIR/Makefile" &&
	grep -q -- '--with-libnl-tiny' "$top_srcdir/configure"
tap_ok $? "Makefile: asks for libnl-tiny with an option configure knows"

# OpenWrt's package build runs `make install DESTDIR=$(PKG_INSTALL_DIR)` of a
# tree configured with --prefix=/usr: do the same here.
INST=$WORK/pkg-install
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -C "$top_builddir" install \
	DESTDIR="$INST" prefix=/usr >"$WORK/install.log" 2>&1
tap_ok $? "make install DESTDIR=... prefix=/usr" || tail -n 20 "$WORK/install.log" | show

# Just enough of OpenWrt's rules.mk and package.mk to run the package's own
# install recipe: the INSTALL_* commands, and a BuildPackage that runs
# Package/NAME/install into $(STUB_ROOT) and prints DEPENDS and conffiles.
mkdir -p "$WORK/sdk/include" "$WORK/root"
cat >"$WORK/sdk/rules.mk" <<'EOF'
INCLUDE_DIR := $(TOPDIR)/include
INSTALL_DIR := install -d -m0755
INSTALL_BIN := install -m0755
INSTALL_DATA := install -m0644
INSTALL_CONF := install -m0600
EOF
cat >"$WORK/sdk/include/package.mk" <<'EOF'
define BuildPackage
$(eval $(Package/$(1)))
stub-install:
	$$(call Package/$(1)/install,$$(STUB_ROOT))
stub-depends:
	@echo $(DEPENDS)
stub-conffiles:
	@echo $(strip $(Package/$(1)/conffiles))
endef
EOF
stubmake() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -s -C "$PKGDIR" TOPDIR="$WORK/sdk" \
		PKG_INSTALL_DIR="$INST" STUB_ROOT="$WORK/root" "$@"
}
stubmake stub-install >"$WORK/out" 2>&1
tap_ok $? "Package/maille/install finds every file it names" || show "$WORK/out"
R=$WORK/root
[ -x "$R/usr/sbin/mailled" ] && cmp -s "$R/usr/sbin/mailled" "$MAILLED"
tap_ok $? "package: /usr/sbin/mailled is the mailled this tree builds"
[ -x "$R/usr/bin/maillectl" ] && cmp -s "$R/usr/bin/maillectl" "$top_builddir/tools/maillectl"
tap_ok $? "package: /usr/bin/maillectl is the maillectl this tree builds"
[ -x "$R/etc/init.d/mailled" ] && cmp -s "$R/etc/init.d/mailled" "$INIT"
tap_ok $? "package: /etc/init.d/mailled is the procd init script, executable"
cmp -s "$R/etc/maille/mailled.conf" "$CONF"
tap_ok $? "package: /etc/maille/mailled.conf is the default configuration"
conffiles=$(stubmake stub-conffiles 2>&1)
ok=1
for f in $conffiles; do [ -f "$R$f" ] || ok=0; done
[ -n "$conffiles" ] && [ "$ok" -eq 1 ] && echo "$conffiles" | grep -qw /etc/maille/mailled.conf
tap_ok $? "package: conffiles ($conffiles) are installed, the configuration among them"

deps=$(stubmake stub-depends 2>&1)
ok=0
for d in +libev +libmnl +libnl-tiny +libnettle @IPV6; do
	case " $deps " in *" $d "*) ;; *) ok=1; tap_diag "DEPENDS lacks $d" ;; esac
done
tap_ok $ok "package: DEPENDS ($deps) has configure's four libraries and IPv6"
# Each shared library the binaries link must come from a package DEPENDS
# names; libc is the toolchain's.
if command -v readelf >/dev/null; then
	ok=0
	for lib in $(readelf -d "$MAILLED" "$top_builddir/tools/maillectl" |
		sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u); do
		case $lib in
		libc.so* | libm.so* | libpthread.so* | libdl.so* | librt.so* | ld-*) continue ;;
		libev.so*) p=libev ;;
		libmnl.so*) p=libmnl ;;
		libnettle.so* | libhogweed.so*) p=libnettle ;;
		libnl-tiny.so* | libnl-genl-3.so* | libnl-3.so*) p=libnl-tiny ;;
		*) p="(unknown: add its OpenWrt package to DEPENDS and here)" ;;
		esac
		case " $deps " in *" +$p "*) ;; *) ok=1; tap_diag "$lib needs $p" ;; esac
	done
	tap_ok $ok "package: DEPENDS covers every library mailled and maillectl link"
else
	tap_ok 0 "package: DEPENDS covers the linked libraries # SKIP readelf is not installed"
fi

tap_done
