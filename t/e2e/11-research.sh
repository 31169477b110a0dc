# t/e2e/11-research.sh: pperf-research passes a context through with
# "best_practices" and "sources" added; bad input gives status 3 or 4 and
# nothing on stdout.
. "$PPERF_ROOT/t/e2e/lib.sh"

R=$PPERF_BIN/pperf-research
FX=$PPERF_ROOT/t/fixtures

# stdout must be empty after an error
no_stdout() {
	if [ -s "$TMPDIR/out" ]; then fail "$1: empty stdout" "$(head -c 100 "$TMPDIR/out")"; else ok "$1: empty stdout"; fi
}

# ---- command line
expect_exit 0 "help exits 0" "$R" --help
expect_grep "help shows usage" '^usage: pperf-research ' "$TMPDIR/out"
expect_grep "help says the lists are empty for now" 'later version fills them' "$TMPDIR/out"
usage=$(head -n 1 "$TMPDIR/out" | sed 's/^usage: //')
if command -v mandoc >/dev/null 2>&1; then
	synopsis=$(mandoc -Tascii "$PPERF_ROOT/man/pperf-research.1" | col -b |
		sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' | tr -s ' \n' '  ' | sed 's/^ *//;s/ *$//')
	if [ "$synopsis" = "$usage" ]; then ok "usage equals man SYNOPSIS"; else
		fail "usage equals man SYNOPSIS" "'$usage' vs '$synopsis'"; fi
else
	skip "usage equals man SYNOPSIS" "mandoc not installed"
fi
expect_exit 0 "version exits 0" "$R" --version
expect_grep "version names the program" '^pperf-research ' "$TMPDIR/out"
expect_exit 2 "unknown option" "$R" --bogus </dev/null
expect_exit 2 "two files" "$R" a b </dev/null

# ---- pass-through
"$PPERF_BIN/pperf-discover" "$FX/discover-fastapi" >"$TMPDIR/ctx.json" 2>/dev/null
expect_exit 0 "research a file" "$R" "$TMPDIR/ctx.json"
cp "$TMPDIR/out" "$TMPDIR/r1.json"
expect_grep "best_practices added" '^  "best_practices": \[\],$' "$TMPDIR/r1.json"
expect_grep "sources added" '^  "sources": \[\]$' "$TMPDIR/r1.json"
# unchanged otherwise: drop the two new lines and every trailing comma
grep -v -e '^  "best_practices": ' -e '^  "sources": ' "$TMPDIR/r1.json" | sed 's/,$//' >"$TMPDIR/a"
sed 's/,$//' "$TMPDIR/ctx.json" >"$TMPDIR/b"
if cmp -s "$TMPDIR/a" "$TMPDIR/b"; then ok "context passes through unchanged"; else
	fail "context passes through unchanged" "$(diff "$TMPDIR/b" "$TMPDIR/a" | head -10 | tr '\n' ' ')"; fi
expect_exit 0 "research stdin" sh -c '"$1" <"$2"' sh "$R" "$TMPDIR/ctx.json"
if cmp -s "$TMPDIR/out" "$TMPDIR/r1.json"; then ok "stdin equals file"; else fail "stdin equals file" "differ"; fi
expect_exit 0 "research dash" sh -c '"$1" - <"$2"' sh "$R" "$TMPDIR/ctx.json"
expect_exit 0 "research is idempotent" "$R" "$TMPDIR/r1.json"
if cmp -s "$TMPDIR/out" "$TMPDIR/r1.json"; then ok "second pass changes nothing"; else fail "second pass changes nothing" "differ"; fi
expect_exit 0 "--offline accepted" "$R" --offline "$TMPDIR/ctx.json"

# ---- bad input
expect_exit 3 "empty stdin" "$R" </dev/null
expect_grep "empty stdin message" '^pperf-research: <stdin>: error: empty input$' "$TMPDIR/err"
no_stdout "empty stdin"
printf '{"schema": "pperf.context/1",\n  "files": [\n' >"$TMPDIR/trunc.json"
expect_exit 3 "malformed JSON" "$R" "$TMPDIR/trunc.json"
expect_grep "malformed JSON located" "^pperf-research: $TMPDIR/trunc.json:[0-9][0-9]*\(:[0-9][0-9]*\)*: error: " "$TMPDIR/err"
no_stdout "malformed JSON"
printf '{"schema": "pperf.result/1", "category": "Query Efficiency"}\n' >"$TMPDIR/wrong.json"
expect_exit 3 "wrong schema" "$R" "$TMPDIR/wrong.json"
expect_grep "wrong schema named" 'error: .*pperf.context/1' "$TMPDIR/err"
no_stdout "wrong schema"
printf '{"schema": "pperf.context/1", "codebase_root": "/x", "tech_stack": {}}\n' >"$TMPDIR/nofiles.json"
expect_exit 3 "context without files" "$R" "$TMPDIR/nofiles.json"
printf '[1, 2]\n' >"$TMPDIR/array.json"
expect_exit 3 "not an object" "$R" "$TMPDIR/array.json"
head -c 3000 /dev/urandom >"$TMPDIR/noise"
expect_exit 3 "binary noise" "$R" "$TMPDIR/noise"
no_stdout "binary noise"
expect_exit 4 "missing file" "$R" "$TMPDIR/absent.json"
expect_grep "missing file message" "^pperf-research: $TMPDIR/absent.json: error: " "$TMPDIR/err"
no_stdout "missing file"

done_testing
