# t/e2e/lib.sh: helpers sourced by every end-to-end script (POSIX sh).
#
#   . "$PPERF_ROOT/t/e2e/lib.sh"
#   expect_exit 0 "discover runs" "$PPERF_BIN/pperf-discover" examples/app
#   expect_grep "schema named" '"pperf.context/1"' "$TMPDIR/out"
#   done_testing
#
# Output lines: "ok: NAME", "FAIL: NAME: DETAIL", "skip: NAME: REASON".
# t/run-tests.sh counts them; done_testing exits 1 when anything failed.

: "${PPERF_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${PPERF_BIN:=$PPERF_ROOT/bin}"
: "${TMPDIR:=/tmp}"
export PPERF_ROOT PPERF_BIN TMPDIR

_t_pass=0
_t_fail=0
_t_skip=0

ok() {
	_t_pass=$((_t_pass + 1))
	printf 'ok: %s\n' "$1"
}

fail() {
	_t_fail=$((_t_fail + 1))
	printf 'FAIL: %s: %s\n' "$1" "$2"
}

skip() {
	_t_skip=$((_t_skip + 1))
	printf 'skip: %s: %s\n' "$1" "$2"
}

# expect_exit STATUS NAME CMD...: stdout to $TMPDIR/out, stderr to $TMPDIR/err.
expect_exit() {
	_t_want=$1
	_t_name=$2
	shift 2
	_t_status=0
	"$@" >"$TMPDIR/out" 2>"$TMPDIR/err" || _t_status=$?
	if [ "$_t_status" -eq "$_t_want" ]; then
		ok "$_t_name"
	else
		fail "$_t_name" "exit status $_t_status, expected $_t_want; stderr: $(head -c 600 "$TMPDIR/err" | tr '\n' ' ')"
	fi
}

# expect_grep NAME PATTERN FILE: ok when the basic regular expression matches.
expect_grep() {
	if [ ! -f "$3" ]; then
		fail "$1" "no file $3"
	elif grep -q -e "$2" "$3"; then
		ok "$1"
	else
		fail "$1" "pattern '$2' not in $3: $(head -c 300 "$3" | tr '\n' ' ')"
	fi
}

done_testing() {
	printf '# %s passed, %s failed, %s skipped\n' "$_t_pass" "$_t_fail" "$_t_skip"
	[ "$_t_fail" -eq 0 ] || exit 1
	exit 0
}
