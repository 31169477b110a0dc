#!/bin/sh
# t/run-tests.sh [BUILD_DIR]: runs the Check unit runner and every
# t/e2e/*.sh script, then prints "N passed, N failed[, N skipped]".
# Each e2e script runs from the repository root as `sh t/e2e/X.sh` with
# PPERF_BIN, PPERF_ROOT and a fresh TMPDIR (removed afterwards).
# PPERF_TEST_TIMEOUT (seconds, default 600) bounds each script.
# Exits 1 when anything failed.

root=$(cd "$(dirname "$0")/.." && pwd) || exit 2
cd "$root" || exit 2
build=${1:-build}
case $build in /*) ;; *) build=$root/$build ;; esac

passed=0
failed=0
skipped=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/pperf-tests.XXXXXX") || exit 2
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- unit tests
runner=$build/t/unit-runner
echo "== unit: $runner"
if [ ! -x "$runner" ]; then
	echo "FAIL: unit runner not built"
	failed=$((failed + 1))
else
	status=0
	"$runner" >"$scratch/unit.out" 2>&1 || status=$?
	cat "$scratch/unit.out"
	summary=$(sed -n 's/^[0-9]*%: Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p' \
		"$scratch/unit.out" | tail -n 1)
	if [ -z "$summary" ]; then
		echo "FAIL: unit runner gave no summary (exit status $status)"
		failed=$((failed + 1))
	else
		set -- $summary
		passed=$((passed + $1 - $2 - $3))
		failed=$((failed + $2 + $3))
		if [ "$status" -ne 0 ] && [ $(($2 + $3)) -eq 0 ]; then
			echo "FAIL: unit runner exited with status $status"
			failed=$((failed + 1))
		fi
	fi
fi

# ---- end-to-end tests
timeout_s=${PPERF_TEST_TIMEOUT:-600}
have_timeout=
command -v timeout >/dev/null 2>&1 && have_timeout=1
for script in t/e2e/*.sh; do
	[ -f "$script" ] || continue
	[ "$script" = t/e2e/lib.sh ] && continue
	echo "== $script"
	tmp=$(mktemp -d "$scratch/e2e.XXXXXX") || exit 2
	status=0
	if [ -n "$have_timeout" ]; then
		PPERF_BIN=${PPERF_BIN:-$root/bin} PPERF_ROOT=$root TMPDIR=$tmp \
			timeout -k 10 "$timeout_s" sh "$script" </dev/null >"$scratch/e2e.out" 2>&1 ||
			status=$?
	else
		PPERF_BIN=${PPERF_BIN:-$root/bin} PPERF_ROOT=$root TMPDIR=$tmp \
			sh "$script" </dev/null >"$scratch/e2e.out" 2>&1 || status=$?
	fi
	chmod -R u+rwx "$tmp" 2>/dev/null
	rm -rf "$tmp"
	cat "$scratch/e2e.out"
	p=$(grep -c '^ok: ' "$scratch/e2e.out")
	f=$(grep -c '^FAIL: ' "$scratch/e2e.out")
	s=$(grep -c '^skip: ' "$scratch/e2e.out")
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if [ "$status" -eq 124 ] && [ -n "$have_timeout" ]; then
		echo "FAIL: $script: timed out after ${timeout_s}s"
		failed=$((failed + 1))
	elif [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $script: exited with status $status without a FAIL line"
		failed=$((failed + 1))
	fi
done

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
