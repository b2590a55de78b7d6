# TAP helpers for shell tests: source this file, call plan/ok/skip, then done_testing.
# Under CI=true a skipped integration test is a failure, as the project requires.
_tap_n=0
_tap_fail=0
tap_ok() { # tap_ok CONDITION-STATUS "description"
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_tap_n - $2"; else echo "not ok $_tap_n - $2"; _tap_fail=$((_tap_fail + 1)); fi
	return "$1" # so that `tap_ok $? "..." || dump` dumps on failure
}
tap_diag() { printf '# %s\n' "$@"; }
tap_skip_all() { # whole test cannot run here
	if [ "${CI:-}" = true ]; then
		echo "1..1"; echo "not ok 1 - cannot run under CI: $*"; exit 1
	fi
	echo "1..0 # SKIP $*"; exit 0
}
tap_done() { echo "1..$_tap_n"; [ "$_tap_fail" -eq 0 ]; }
