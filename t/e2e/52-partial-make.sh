# t/e2e/52-partial-make.sh: the partial-audit Makefile recipe of
# examples/partial.mk (quoted in pperf(1) and the README), run with
# `make -f examples/partial.mk -j3 ROOT=... PPERF=...`: with the stand-ins
# (the context made once, the auditors side by side, partial and
# incremental runs, failures), then with the real phases of bin/, where it
# must give the same report as pperf itself.
# shellcheck shell=sh source=t/e2e/lib.sh
. "$PPERF_ROOT/t/e2e/lib.sh"
# shellcheck source=t/fixtures/standins/driver-tests.sh
. "$PPERF_ROOT/t/fixtures/standins/driver-tests.sh"

MK=$PPERF_ROOT/examples/partial.mk
W="$T/work dir"
ROOT="$T/-root with space"
mkdir -p "$W" "$ROOT"

if ! command -v make >/dev/null 2>&1; then
	skip "partial.mk" "make not installed"
	done_testing
fi

# mk ARG...: make -f partial.mk in $W with the stand-ins, bounded by 60 s.
# shellcheck disable=SC2317 # run through expect_exit
mk() {
	PPERF_LIBEXEC=$S timeout -k 5 60 make --no-print-directory -C "$W" -f "$MK" \
		PPERF="$P" ROOT="$ROOT" "$@"
}

# count PATTERN: log lines matching PATTERN.
count() {
	grep -c -e "$1" "$LOG"
}

# ---- the whole audit, -j3
: >"$LOG"
STANDIN_SLEEP=1 expect_exit 0 "make -j3: the whole audit" mk -j3
expect_grep "report.md from publish" "^format markdown$" "$W/report.md"
for c in "Query Efficiency" "Transaction Correctness" "Runtime Performance"; do
	expect_grep "report.md has $c" "^category $c: ok$" "$W/report.md"
done
same "the context is made once" 1 "$(count '^discover pid')"
same "research once" 1 "$(count '^research pid')"
same "ROOT with spaces and a leading dash reaches discover after --" "--
$ROOT" "$(args discover)"
same "each auditor read the whole context" 3 "$(count '^audit-[a-z]* input OK$')"
if awk '
	$2 == "start" { s[$1] = $3; n++ }
	$2 == "end" { e[$1] = $3 }
	END {
		for (a in s) {
			if (!(a in e)) { print a " did not end"; exit 1 }
			if (max_s == "" || s[a] > max_s) max_s = s[a]
			if (min_e == "" || e[a] < min_e) min_e = e[a]
		}
		if (n != 3) { print n " auditors"; exit 1 }
		if (!(max_s < min_e)) { print "last start " max_s " after first end " min_e; exit 1 }
	}' "$LOG" >"$T/awk.out"; then
	ok "make -j3 runs the three auditors side by side"
else
	fail "make -j3 runs the three auditors side by side" "$(cat "$T/awk.out")"
fi
same "aggregate gets the context and the three results" "--context
ctx.json
query.json
txn.json
runtime.json" "$(args aggregate)"
same "no temporary file left" "" "$(find "$W" -name '*.tmp')"

: >"$LOG"
expect_exit 0 "make again: nothing to do" mk -j3
same "make again runs no phase" "" "$(cat "$LOG")"

# ---- partial and incremental
expect_exit 0 "make clean" mk clean
same "make clean removes everything" "" "$(ls -A "$W")"
: >"$LOG"
expect_exit 0 "AUDITS=query" mk -j3 AUDITS=query
same "AUDITS=query: one auditor ran" "audit-query" "$(sed -n 's/^\(audit-[a-z]*\) pid .*/\1/p' "$LOG")"
expect_grep "AUDITS=query: report has Query Efficiency" "^category Query Efficiency: ok$" "$W/report.md"
no_grep "AUDITS=query: nothing else" "Transaction\|Runtime" "$W/report.md"
: >"$LOG"
expect_exit 0 "then AUDITS='query runtime'" mk -j3 "AUDITS=query runtime"
same "only the new auditor ran, on the same context" "audit-runtime" \
	"$(sed -n 's/^\([a-z-]*\) pid .*/\1/p' "$LOG" | grep -v -e aggregate -e publish)"
expect_grep "the report merges both results" "^category Query Efficiency: ok$" "$W/report.md"
expect_grep "the report merges both results (runtime)" "^category Runtime Performance: ok$" "$W/report.md"
: >"$LOG"
expect_exit 0 "make txn.json: one result" mk txn.json
same "make txn.json runs one auditor" "audit-txn" "$(sed -n 's/^\([a-z-]*\) pid .*/\1/p' "$LOG")"
expect_exit 0 "make clean again" mk clean

# ---- failures
: >"$LOG"
STANDIN_DISCOVER='fail' expect_exit 2 "discover fails: make fails" mk -j3
same "discover fails: no ctx.json, no result, no report" "" \
	"$(find "$W" -name '*.json' -o -name '*.md')"
no_grep "discover fails: no auditor ran" "^audit-" "$LOG"
expect_exit 0 "clean after the failure" mk clean
STANDIN_TXN='fail' expect_exit 2 "an auditor fails: make -k fails" mk -k -j3
if [ -s "$W/query.json" ] && [ -s "$W/runtime.json" ] && [ ! -e "$W/txn.json" ] && [ ! -e "$W/report.md" ]; then
	ok "an auditor fails: the others' results, no txn.json, no report"
else
	fail "an auditor fails: the others' results, no txn.json, no report" "$(ls -A "$W" | tr '\n' ' ')"
fi
: >"$LOG"
expect_exit 0 "then the report over whichever results exist" mk "AUDITS=query runtime"
expect_grep "whichever exist: query" "^category Query Efficiency: ok$" "$W/report.md"
no_grep "whichever exist: no txn" "Transaction" "$W/report.md"
same "whichever exist: no auditor ran again" "0" "$(count '^audit-')"
expect_exit 0 "clean" mk clean

# ---- the real phases: the same report as pperf
if ! have_bin discover research audit-query audit-txn audit-runtime aggregate publish; then
	skip "partial.mk with the real phases" "bin/pperf-* not all built yet"
elif [ ! -d "$PPERF_ROOT/t/fixtures/discover-fastapi" ]; then
	skip "partial.mk with the real phases" "no fixture project"
else
	FIX=$PPERF_ROOT/t/fixtures/discover-fastapi
	SOURCE_DATE_EPOCH=1714521600
	export SOURCE_DATE_EPOCH
	expect_exit 0 "real: make -j3" env -u PPERF_LIBEXEC timeout -k 5 120 \
		make --no-print-directory -C "$W" -f "$MK" -j3 PPERF="$P" ROOT="$FIX"
	for c in "Query Efficiency" "Transaction Correctness" "Runtime Performance"; do
		expect_grep "real: report.md scores $c" "^| $c | [0-9.]*/10 |" "$W/report.md"
	done
	expect_exit 0 "real: pperf on the same root" env -u PPERF_LIBEXEC TMPDIR="$T/scratch" "$P" "$FIX"
	if cmp -s "$T/out" "$W/report.md"; then
		ok "real: the Makefile and pperf give the same report"
	else
		fail "real: the Makefile and pperf give the same report" "$(diff "$T/out" "$W/report.md" | head -n 6 | tr '\n' ' ')"
	fi
	unset SOURCE_DATE_EPOCH
fi

done_testing
