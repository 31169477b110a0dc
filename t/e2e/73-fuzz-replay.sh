# t/e2e/73-fuzz-replay.sh: every fuzz target of t/fuzz/ (built by make check
# with the replay loop of t/fuzz/driver.c, no clang needed) runs once over
# its seeds (t/fuzz/corpus/<name>/) and the inputs that once crashed, hung
# or leaked (t/fuzz/regress/<name>/).  A target that aborts (an invariant
# of the reader broken), crashes or runs longer than 60 s fails the test;
# under make asan the sanitizers stop it on any memory error.
# shellcheck shell=sh source=t/e2e/lib.sh
. "$PPERF_ROOT/t/e2e/lib.sh"

tools=${PPERF_TOOLS:-$PPERF_ROOT/build/t}
cd "$PPERF_ROOT" || exit 2   # fuzz_context reads research/kb from the root
ntargets=0
for src in t/fuzz/fuzz_*.c; do
	name=${src#t/fuzz/fuzz_}
	name=${name%.c}
	bin=$tools/fuzz_$name
	if [ ! -x "$bin" ]; then
		fail "fuzz_$name: replay" "$bin not built (make check builds it)"
		continue
	fi
	ntargets=$((ntargets + 1))
	set --
	for f in "t/fuzz/corpus/$name"/* "t/fuzz/regress/$name"/*; do
		[ -f "$f" ] && set -- "$@" "$f"
	done
	if [ $# -eq 0 ]; then
		fail "fuzz_$name: replay" "no seed in t/fuzz/corpus/$name"
		continue
	fi
	nreg=0
	[ -d "t/fuzz/regress/$name" ] && nreg=$(find "t/fuzz/regress/$name" -type f | wc -l)
	st=0
	if command -v timeout >/dev/null 2>&1; then
		timeout 60 "$bin" "$@" >"$TMPDIR/out" 2>"$TMPDIR/err" || st=$?
	else
		"$bin" "$@" >"$TMPDIR/out" 2>"$TMPDIR/err" || st=$?
	fi
	if [ "$st" -eq 0 ] && grep -q "^fuzz: $# input(s) ran$" "$TMPDIR/err"; then
		ok "fuzz_$name: $# inputs replayed ($nreg regression)"
	else
		fail "fuzz_$name: replay" "exit status $st: $(tail -c 600 "$TMPDIR/err" | tr '\n' ' ')"
	fi
done
[ "$ntargets" -ge 10 ] && ok "fuzz: $ntargets targets" || fail "fuzz: targets" "only $ntargets built"

# the replay fails when an input fails: a target that aborts on one byte
cat >"$TMPDIR/fuzz_abort.c" <<'X'
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { if (n == 1 && d[0] == 'X') abort(); return 0; }
X
printf 'ok' >"$TMPDIR/good"
printf 'X' >"$TMPDIR/bad"
if ${CC:-cc} -o "$TMPDIR/fuzz_abort" "$TMPDIR/fuzz_abort.c" t/fuzz/driver.c 2>"$TMPDIR/err"; then
	expect_exit 0 "driver replay: a good input passes" "$TMPDIR/fuzz_abort" "$TMPDIR/good"
	st=0
	"$TMPDIR/fuzz_abort" "$TMPDIR/good" "$TMPDIR/bad" >/dev/null 2>&1 || st=$?
	[ "$st" -ne 0 ] && ok "driver replay: an aborting input fails ($st)" ||
		fail "driver replay: an aborting input fails" "exit status 0"
else
	skip "driver replay: failing input" "cannot compile with ${CC:-cc}"
fi
done_testing
