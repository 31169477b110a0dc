#!/bin/sh
# Differential test of the Python outline (lib/py) against Python's own ast:
# functions, classes and call lines must be the same on every file that
# Python parses: the example app, the fixtures, a generated corpus, and the
# shared labeled cases when they are present.
. "$PPERF_ROOT/t/e2e/lib.sh"

pydump=${PPERF_TOOLS:-$PPERF_ROOT/build/t}/pydump
if ! command -v python3 >/dev/null 2>&1; then
	skip "outline vs ast" "python3 not installed"
	done_testing
fi
if [ ! -x "$pydump" ]; then
	skip "outline vs ast" "$pydump not built (make check builds it)"
	done_testing
fi

if python3 "$PPERF_ROOT/bench/gen.py" 20000 "$TMPDIR/corpus" >/dev/null 2>"$TMPDIR/gen.err"; then
	ok "generated a 20,000-line corpus"
else
	fail "generated a 20,000-line corpus" "$(head -c 300 "$TMPDIR/gen.err")"
fi
set -- "$PPERF_ROOT/examples" "$PPERF_ROOT/t/fixtures" "$TMPDIR/corpus"
[ -d "$PPERF_ROOT/../shared/cases" ] && set -- "$@" "$PPERF_ROOT/../shared/cases"
find "$@" -name '*.py' -type f >"$TMPDIR/files"
# xargs would split the run; one python3 process takes the whole list
python3 "$PPERF_ROOT/t/tools/outline_vs_ast.py" "$pydump" $(cat "$TMPDIR/files") >"$TMPDIR/res" 2>&1
cat "$TMPDIR/res"
_t_pass=$((_t_pass + $(grep -c '^ok:' "$TMPDIR/res")))
_t_fail=$((_t_fail + $(grep -c '^FAIL:' "$TMPDIR/res")))
grep -q '^ok:\|^FAIL:' "$TMPDIR/res" || fail "outline vs ast" "no verdict: $(tail -3 "$TMPDIR/res")"
done_testing
