# t/e2e/50-driver.sh: the pperf driver with the stand-in phases of
# t/fixtures/standins (PPERF_LIBEXEC): usage, the flow and the arguments
# each phase gets, the three auditors overlapping in time, --only, -o,
# ROOT with spaces and a leading dash, phase lookup (PPERF_LIBEXEC, next to
# the script, through a symlink and PATH), missing phases, temporary files,
# the man page; then the real phases in bin/ when they are built.
# shellcheck shell=sh source=t/e2e/lib.sh
. "$PPERF_ROOT/t/e2e/lib.sh"

# shellcheck source=t/fixtures/standins/driver-tests.sh
. "$PPERF_ROOT/t/fixtures/standins/driver-tests.sh"

# ---- usage
expect_exit 0 "--help" "$P" --help
expect_grep "--help: usage on stdout" "^usage: pperf \[--format format\]" "$T/out"
expect_exit 0 "--version" "$P" --version
expect_grep "--version output" "^pperf [0-9][0-9.]*$" "$T/out"
for bad in "--bogus" "--only" "--only bogus" "--only query,bogus" "--only ," \
	"--format xml" "--fail-on severe" "-o" "a b" "--format" "--only=" \
	"--format=" "--fail-on=" "--output=" "--only=query,"; do
	# shellcheck disable=SC2086 # split the cases into arguments
	expect_exit 2 "usage error: $bad" pp $bad
done
expect_exit 2 "unknown option again" pp --bogus
expect_grep "unknown option: message" "^pperf: error: unknown option '--bogus'$" "$T/err"
expect_grep "unknown option: synopsis on stderr" "^usage: pperf " "$T/err"
expect_exit 2 "unknown auditor" pp --only query,security
expect_grep "unknown auditor named" "unknown auditor 'security'" "$T/err"
: >"$LOG"
expect_exit 2 "usage errors run no phase" pp --format xml .
same "no phase ran on a usage error" "" "$(cat "$LOG")"
scratch_empty "usage error: no temporary files"

# ---- the whole flow with quick stand-ins
: >"$LOG"
expect_exit 0 "whole audit with stand-ins" pp "$PPERF_ROOT/t/fixtures"
expect_grep "publish output on stdout" "^format markdown$" "$T/out"
for c in "Query Efficiency" "Transaction Correctness" "Runtime Performance"; do
	expect_grep "report has $c" "^category $c: ok$" "$T/out"
done
same "discover gets -- ROOT" "--
$PPERF_ROOT/t/fixtures" "$(args discover)"
same "research gets no argument" "" "$(args research)"
# aggregate: --context ctx.json, --expect per category, the three results
agg=$(args aggregate)
same "aggregate arguments" "--context
TMP/ctx.json
--expect
query
--expect
txn
--expect
runtime
TMP/res-query.json
TMP/res-txn.json
TMP/res-runtime.json" "$agg"
same "publish arguments" "--format
markdown
TMP/report.json" "$(args publish)"
same "every auditor read the whole context" "audit-query input OK
audit-runtime input OK
audit-txn input OK" "$(grep ' input ' "$LOG" | sort)"
no_grep "nothing on stderr" "." "$T/err"
scratch_empty "temporary directory removed after success"

# ---- the auditors overlap in time
: >"$LOG"
t0=$(date +%s.%N)
STANDIN_SLEEP=1 pp . >"$T/out" 2>"$T/err"
st=$?
t1=$(date +%s.%N)
same "three slow auditors: status" 0 "$st"
# each auditor logs "start T" before reading and "end T" after its sleep
if awk '
	$2 == "start" { s[$1] = $3 }
	$2 == "end" { e[$1] = $3 }
	END {
		n = 0
		for (a in s) {
			if (!(a in e)) { print a " did not end"; exit 1 }
			n++
			if (max_s == "" || s[a] > max_s) max_s = s[a]
			if (min_e == "" || e[a] < min_e) min_e = e[a]
		}
		if (n != 3) { print n " auditors"; exit 1 }
		# every auditor started before any ended: the intervals overlap
		if (!(max_s < min_e)) { print "last start " max_s " after first end " min_e; exit 1 }
	}' "$LOG" >"$T/awk.out"; then
	ok "auditor [start,end] intervals overlap"
else
	fail "auditor [start,end] intervals overlap" "$(cat "$T/awk.out")"
fi
if awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 2.5) }'; then
	ok "three 1 s auditors take well under 3 s"
else
	fail "three 1 s auditors take well under 3 s" "took $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s"
fi

# ---- --only
: >"$LOG"
expect_exit 0 "--only runtime,query" pp --only runtime,query .
same "--only: just those auditors ran" "audit-query
audit-runtime" "$(sed -n 's/^\(audit-[a-z]*\) pid .*/\1/p' "$LOG" | sort)"
same "--only: aggregate expects just those" "--expect query --expect runtime" \
	"$(args aggregate | grep -A1 -e '^--expect$' | grep -v -e '^--$' | tr '\n' ' ' | sed 's/ $//')"
no_grep "--only: no txn category" "Transaction" "$T/out"
: >"$LOG"
expect_exit 0 "--only=txn,txn" pp --only=txn,txn .
same "--only=txn,txn: one auditor" "audit-txn" "$(sed -n 's/^\(audit-[a-z]*\) pid .*/\1/p' "$LOG")"
scratch_empty "--only: temporary directory removed"

# ---- options passed on to publish
: >"$LOG"
expect_exit 1 "--fail-on: publish's 1 is the exit status" pp --fail-on high --format json -o "$T/r.json" .
same "--format, --fail-on, -o reach publish" "--format
json
--fail-on
high
-o
$T/r.json
TMP/report.json" "$(args publish)"
expect_grep "-o: report in the file" "^format json$" "$T/r.json"
same "-o: nothing on stdout" "" "$(cat "$T/out")"
expect_exit 0 "--fail-on never" pp --fail-on=never .
: >"$LOG"
expect_exit 0 "-oFILE" pp -o"$T/a b.md" .
same "-oFILE reaches publish" "$T/a b.md" "$(args publish | sed -n '/^-o$/{n;p;}')"
: >"$LOG"
expect_exit 0 "--output=FILE" pp --output="$T/-c d.md" .
same "--output=FILE reaches publish" "$T/-c d.md" "$(args publish | sed -n '/^-o$/{n;p;}')"
expect_exit 0 "-o /dev/stdout" pp -o /dev/stdout .
expect_grep "-o /dev/stdout: report on stdout" "^format markdown$" "$T/out"

# ---- ROOT with spaces and a leading dash
mkdir -p "$T/-root with  spaces"
: >"$LOG"
(cd "$T" && pp -- "-root with  spaces") >"$T/out" 2>"$T/err"
same "-- '-root with  spaces': status" 0 "$?"
same "-- ROOT: discover gets it after --" "--
-root with  spaces" "$(args discover)"
: >"$LOG"
expect_exit 0 "ROOT with spaces, absolute" pp "$T/-root with  spaces"
same "absolute ROOT reaches discover" "$T/-root with  spaces" "$(args discover | tail -n 1)"
expect_exit 2 "a leading dash without -- is an option" pp "-root with  spaces"
# temporary files in a TMPDIR with spaces and a leading dash
mkdir -p "$T/-tmp dir"
: >"$LOG"
(cd "$T" && PPERF_LIBEXEC=$S TMPDIR="-tmp dir" "$P" .) >"$T/out" 2>"$T/err"
same "relative TMPDIR with spaces and a dash: status" 0 "$?"
same "relative TMPDIR: absolute paths for the phases" "$T/-tmp dir/" \
	"$(sed -n 's/^aggregate arg //p' "$LOG" | sed -n '2s|pperf\.[^/]*/ctx\.json$||p')"
same "relative TMPDIR: cleaned" "" "$(ls -A "$T/-tmp dir")"

# ---- pperf PHASE ARG...
"$S/pperf-discover" . | "$S/pperf-research" >"$T/ctx.json"
: >"$LOG"
expect_exit 0 "pperf audit-query ARGS runs the phase" pp audit-query --x "a b" <"$T/ctx.json"
expect_grep "pperf audit-query: its result" '"category": "Query Efficiency"' "$T/out"
same "pperf PHASE: arguments passed as they are" "--x
a b" "$(args audit-query)"
expect_exit 4 "pperf discover: the phase's status" pp discover "$T/no such dir"
expect_grep "pperf discover: the phase's message" "^pperf-discover: .*no such directory" "$T/err"
scratch_empty "pperf PHASE: no temporary files"

# ---- phase lookup
expect_exit 0 "--list-phases" pp --list-phases
same "--list-phases names every phase" "discover
research
audit-query
audit-txn
audit-runtime
aggregate
publish" "$(cut -f 1 "$T/out")"
expect_grep "--list-phases shows PPERF_LIBEXEC paths" "^audit-txn	$S/pperf-audit-txn$" "$T/out"
# a directory with the driver and the stand-ins, reached through a symlink
# and through PATH, without PPERF_LIBEXEC
mkdir -p "$T/lx dir" "$T/link dir"
for f in "$S"/pperf-* "$S"/*.sh "$S/results"; do
	ln -s "$f" "$T/lx dir/"
done
cp "$P" "$T/lx dir/pperf"
ln -s "../lx dir/pperf" "$T/link dir/pperf"
expect_exit 0 "next to the script, through a relative symlink" \
	env -u PPERF_LIBEXEC "$T/link dir/pperf" --list-phases
expect_grep "symlink resolved to the script's directory" "^discover	$T/lx dir/pperf-discover$" "$T/out"
expect_exit 0 "found through PATH" env -u PPERF_LIBEXEC PATH="$T/link dir:$PATH" pperf --list-phases
expect_grep "through PATH: the script's directory" "^publish	$T/lx dir/pperf-publish$" "$T/out"
: >"$LOG"
expect_exit 0 "whole audit through the symlink" env -u PPERF_LIBEXEC TMPDIR="$T/scratch" "$T/link dir/pperf" .
expect_grep "through the symlink: report" "^category Runtime Performance: ok$" "$T/out"

# missing phases: one line, exit 4, nothing started
mkdir -p "$T/partial"
for f in "$S"/pperf-* "$S"/*.sh "$S/results"; do
	ln -s "$f" "$T/partial/"
done
rm "$T/partial/pperf-audit-txn"
: >"$LOG"
expect_exit 4 "missing phase: exit 4" env PPERF_LIBEXEC="$T/partial" TMPDIR="$T/scratch" "$P" .
same "missing phase: one line naming it" "pperf: error: phase 'audit-txn' not found: no executable $T/partial/pperf-audit-txn" "$(cat "$T/err")"
same "missing phase: nothing ran" "" "$(cat "$LOG")"
expect_exit 0 "missing phase not selected by --only" env PPERF_LIBEXEC="$T/partial" TMPDIR="$T/scratch" "$P" --only query,runtime .
expect_exit 4 "pperf PHASE for a missing phase" env PPERF_LIBEXEC="$T/partial" "$P" audit-txn
expect_grep "pperf PHASE: missing phase named" "phase 'audit-txn' not found" "$T/err"
expect_exit 4 "--list-phases with a missing phase" env PPERF_LIBEXEC="$T/partial" "$P" --list-phases
expect_grep "--list-phases marks it" "^audit-txn	$T/partial/pperf-audit-txn (missing)$" "$T/out"
expect_exit 4 "empty PPERF_LIBEXEC directory" env PPERF_LIBEXEC="$T/scratch" "$P" .
scratch_empty "missing phases: no temporary files"

# ---- --keep-temp
expect_exit 0 "--keep-temp" pp --keep-temp .
kept=$(sed -n 's/^pperf: temporary files kept in //p' "$T/err")
if [ -n "$kept" ] && [ -s "$kept/ctx.json" ] && [ -s "$kept/res-txn.json" ] && [ -s "$kept/report.json" ]; then
	ok "--keep-temp keeps ctx.json, results and report"
else
	fail "--keep-temp keeps ctx.json, results and report" "stderr: $(cat "$T/err")"
fi
[ -n "$kept" ] && rm -rf "$kept"
scratch_empty "--keep-temp: nothing else left"

# ---- -o with the real publish (stand-in auditors): atomic, or direct
if have_bin aggregate publish; then
	LX=$T/mixed
	mixed_libexec "$LX"
	mkdir -p "$T/out dir"
	R="$T/out dir/-report.md"
	printf 'old report\n' >"$R"
	ln "$R" "$T/old-link"
	expect_exit 0 "-o FILE with the real publish" ppt -o "$R" .
	expect_grep "-o FILE: the new report" "^## Persistence & Performance Audit Report" "$R"
	expect_grep "-o FILE: renamed into place, not rewritten (old inode intact)" "^old report$" "$T/old-link"
	same "-o FILE: no temporary file left" "-report.md" "$(ls -A "$T/out dir")"
	same "-o FILE: nothing on stdout" "" "$(cat "$T/out")"
	cp "$R" "$T/before"
	expect_exit 4 "-o FILE, failed discover" ppt -o "$R" "$T/no such root"
	if cmp -s "$R" "$T/before"; then ok "-o FILE untouched when a phase fails"; else fail "-o FILE untouched when a phase fails" "changed"; fi
	expect_exit 0 "-o /dev/stdout with the real publish" ppt -o /dev/stdout .
	expect_grep "-o /dev/stdout: report on stdout" "^## Persistence & Performance Audit Report" "$T/out"
	if ppt -o /dev/stdout --format json . 2>"$T/err" | cat >"$T/piped"; then
		ok "-o /dev/stdout into a pipe"
	else
		fail "-o /dev/stdout into a pipe" "$(head -c 300 "$T/err")"
	fi
	expect_grep "-o /dev/stdout into a pipe: json report" '"pperf.report/1"' "$T/piped"
	mkfifo "$T/fifo"
	cat "$T/fifo" >"$T/from-fifo" &
	reader=$!
	expect_exit 0 "-o FIFO" ppt -o "$T/fifo" .
	wait "$reader"
	expect_grep "-o FIFO: report through the FIFO" "^### Compliance Score$" "$T/from-fifo"
	if [ -p "$T/fifo" ]; then ok "-o FIFO: still a FIFO"; else fail "-o FIFO: still a FIFO" "replaced"; fi
	expect_exit 1 "--fail-on HIGH with HIGH findings" ppt --fail-on HIGH .
	expect_grep "--fail-on: the report is still written" "^### Severity Summary$" "$T/out"
	expect_exit 0 "--fail-on critical without critical findings" ppt --fail-on critical .
	scratch_empty "real publish: temporary directories removed"
	unset LX
else
	skip "-o with the real publish" "bin/pperf-aggregate or bin/pperf-publish not built yet"
fi

# ---- man page: lint, SYNOPSIS equals the usage of --help
M=$PPERF_ROOT/man/pperf.1
if command -v mandoc >/dev/null 2>&1 && command -v col >/dev/null 2>&1; then
	expect_exit 0 "pperf.1 lint" mandoc -Tlint -Wwarning "$M"
	"$P" --help | sed '/^$/q' >"$T/help.txt"
	mandoc -Tascii "$M" | col -bx >"$T/man.txt"
	syn=$(sed -n '/^SYNOPSIS$/,/^DESCRIPTION$/p' "$T/man.txt" | sed '1d;$d' | tr -s ' \n' '  ' | sed 's/^ //; s/ $//')
	use=$(sed 's/^usage: //' "$T/help.txt" | tr -s ' \n' '  ' | sed 's/^ //; s/ $//')
	same "man SYNOPSIS equals --help usage" "$use" "$syn"
	# the partial-audit recipe quoted in EXAMPLES is examples/partial.mk
	sed -n '/^\.Bd -literal/,/^\.Ed/p' "$M" | sed 's/\\e/\\/g; s/^\\&//' >"$T/man-examples"
	missing=
	sed -n '/^PPERF *?=/,$p' "$PPERF_ROOT/examples/partial.mk" >"$T/mk-lines"
	[ -s "$T/mk-lines" ] || missing="no PPERF ?= line in examples/partial.mk"
	while IFS= read -r line; do
		case $line in '' | '#'*) continue ;; esac
		grep -q -F -x -e "$line" "$T/man-examples" || missing="$missing [$line]"
	done <"$T/mk-lines"
	same "man EXAMPLES quote examples/partial.mk" "" "$missing"
else
	skip "man page checks" "mandoc or col not installed"
fi

# ---- the real phases
have_real=1
for p in discover research audit-query audit-txn audit-runtime aggregate publish; do
	[ -x "$PPERF_BIN/pperf-$p" ] || have_real=
done
FIX=$PPERF_ROOT/t/fixtures/discover-fastapi
if [ -z "$have_real" ]; then
	skip "real phases" "bin/pperf-* not all built yet"
elif [ ! -d "$FIX" ]; then
	skip "real phases" "no fixture project $FIX"
else
	expect_exit 0 "bin/pperf on a fixture project" env -u PPERF_LIBEXEC TMPDIR="$T/scratch" "$P" "$FIX"
	cp "$T/out" "$T/real.md"
	expect_grep "real: report title" "^## Persistence & Performance Audit Report - [0-9-]*$" "$T/real.md"
	for c in "Query Efficiency" "Transaction Correctness" "Runtime Performance"; do
		expect_grep "real: compliance row for $c" "^| $c | [0-9.]*/10 |" "$T/real.md"
		expect_grep "real: findings section for $c" "^#### $c$" "$T/real.md"
	done
	scratch_empty "real: temporary directory removed"
	expect_exit 0 "real: --format json" env -u PPERF_LIBEXEC "$P" --format json "$FIX"
	expect_grep "real: json report" '"schema": *"pperf.report/1"' "$T/out"
	# the hand pipeline gives the same Runtime Performance findings
	B=$PPERF_BIN
	if "$B/pperf-discover" "$FIX" 2>"$T/err" | "$B/pperf-research" 2>>"$T/err" |
		"$B/pperf-audit-runtime" 2>>"$T/err" | "$B/pperf-aggregate" 2>>"$T/err" |
		"$B/pperf-publish" >"$T/hand.md" 2>>"$T/err" && [ -s "$T/hand.md" ]; then
		ok "hand pipeline discover | research | audit-runtime | aggregate | publish"
	else
		fail "hand pipeline discover | research | audit-runtime | aggregate | publish" "$(head -c 600 "$T/err")"
	fi
	expect_grep "hand pipeline: runtime category" "^| Runtime Performance | [0-9.]*/10 |" "$T/hand.md"
	sed -n '/^#### Runtime Performance$/,/^####/p' "$T/hand.md" | grep '^| [A-Z]' >"$T/hand.rt"
	sed -n '/^#### Runtime Performance$/,/^####/p' "$T/real.md" | grep '^| [A-Z]' >"$T/real.rt"
	if cmp -s "$T/hand.rt" "$T/real.rt"; then
		ok "hand pipeline and pperf agree on runtime findings"
	else
		fail "hand pipeline and pperf agree on runtime findings" "$(diff "$T/hand.rt" "$T/real.rt" | head -n 5 | tr '\n' ' ')"
	fi
	# pperf PHASE runs the real phase
	expect_exit 0 "pperf discover runs bin/pperf-discover" env -u PPERF_LIBEXEC "$P" discover "$FIX"
	expect_grep "pperf discover: a context" '"pperf.context/1"' "$T/out"
fi

done_testing
