# t/e2e/51-driver-failures.sh: the pperf driver when phases fail.  With the
# stand-ins of t/fixtures/standins: an auditor that exits 4, one killed by
# SIGKILL, one that exits without reading its input, one that writes
# nothing; discover, research and aggregate failing; SIGTERM, SIGINT and
# SIGHUP to the driver while the auditors (or discover) sleep.  Then the
# real aggregate and publish: the report keeps the other categories.
# Every run that could hang is bounded by `timeout 20` (status 124).
# shellcheck shell=sh source=t/e2e/lib.sh
. "$PPERF_ROOT/t/e2e/lib.sh"
# shellcheck source=t/fixtures/standins/driver-tests.sh
. "$PPERF_ROOT/t/fixtures/standins/driver-tests.sh"

# auditors_read_all NAME AUDITOR...: each got the whole context.
auditors_read_all() {
	_n=$1
	shift
	for _a in "$@"; do
		expect_grep "$_n: audit-$_a read the whole context" "^audit-$_a input OK$" "$LOG"
	done
}

# ---- one auditor fails: the run goes on, the failure is named
for case in "fail 4 exited with status 4" "kill 137 killed by signal 9" \
	"noread 4 exited with status 4" "empty 4 wrote no result"; do
	# shellcheck disable=SC2086 # split the case
	set -- $case
	mode=$1 want=$2
	shift 2
	msg="pperf: audit-txn: $*"
	: >"$LOG"
	STANDIN_TXN=$mode STANDIN_SLEEP=1 expect_exit "$want" "txn $mode: exit $want, no hang" ppt .
	same "txn $mode: failure named on stderr" "$msg" "$(grep '^pperf: ' "$T/err")"
	auditors_read_all "txn $mode" query runtime
	expect_grep "txn $mode: report has Query Efficiency" "^category Query Efficiency: ok$" "$T/out"
	expect_grep "txn $mode: report has Runtime Performance" "^category Runtime Performance: ok$" "$T/out"
	expect_grep "txn $mode: Transaction Correctness is an error" "^category Transaction Correctness: error$" "$T/out"
	same "txn $mode: aggregate expects txn, gets the other results" "--context
TMP/ctx.json
--expect
query
--expect
txn
--expect
runtime
TMP/res-query.json
TMP/res-runtime.json" "$(args aggregate)"
	expect_grep "txn $mode: publish ran" "^publish pid " "$LOG"
	scratch_empty "txn $mode: temporary directory removed"
done

# the fifo that is tee's stdout (the first auditor's) and an operand
: >"$LOG"
STANDIN_QUERY='noread' STANDIN_RUNTIME='noread' expect_exit 4 "query and runtime leave without reading" ppt .
auditors_read_all "query and runtime noread" txn
same "both named, in pipeline order" "pperf: audit-query: exited with status 4
pperf: audit-runtime: exited with status 4" "$(grep '^pperf: ' "$T/err")"
scratch_empty "noread: temporary directory removed"

# the first failure in pipeline order decides the status
STANDIN_QUERY='kill' STANDIN_RUNTIME='fail' expect_exit 137 "query killed, runtime failed: 137" ppt .
STANDIN_TXN='fail' STANDIN_RUNTIME='kill' expect_exit 4 "txn failed, runtime killed: 4" ppt .
expect_grep "runtime's kill named too" "^pperf: audit-runtime: killed by signal 9$" "$T/err"
STANDIN_TXN='kill' expect_exit 137 "a failure outranks --fail-on" ppt --fail-on high .
: >"$LOG"
STANDIN_TXN='findings' expect_exit 0 "an auditor's exit 1 (findings) is no failure" ppt .
expect_grep "exit 1: its result is merged" "^category Transaction Correctness: ok$" "$T/out"
no_grep "exit 1: nothing named" "^pperf: " "$T/err"
STANDIN_QUERY='kill' STANDIN_TXN='kill' STANDIN_RUNTIME='kill' expect_exit 137 "all three killed" ppt .
expect_grep "all three killed: the report is still written" "^category Runtime Performance: error$" "$T/out"
scratch_empty "auditor failures: temporary directories removed"

# ---- discover, research, aggregate
: >"$LOG"
expect_exit 4 "missing root: exit 4" ppt "$T/no such dir"
same "missing root: discover named" "pperf: discover: exited with status 4" "$(grep '^pperf: ' "$T/err")"
expect_grep "missing root: discover's message" "^pperf-discover: .*no such dir" "$T/err"
no_grep "missing root: no auditor started" "^audit-" "$LOG"
same "missing root: nothing on stdout" "" "$(cat "$T/out")"
STANDIN_DISCOVER='kill' expect_exit 137 "discover killed: 137" ppt .
expect_grep "discover killed: named" "^pperf: discover: killed by signal 9$" "$T/err"
: >"$LOG"
STANDIN_RESEARCH='fail' expect_exit 3 "research fails: exit 3" ppt .
expect_grep "research fails: named" "^pperf: research: exited with status 3$" "$T/err"
no_grep "research fails: no auditor started" "^audit-" "$LOG"
STANDIN_RESEARCH='kill' expect_exit 137 "research killed: 137" ppt .
: >"$LOG"
STANDIN_AGGREGATE='fail' expect_exit 3 "aggregate fails: exit 3" ppt .
expect_grep "aggregate fails: named" "^pperf: aggregate: exited with status 3$" "$T/err"
no_grep "aggregate fails: publish not run" "^publish " "$LOG"
same "aggregate fails: nothing on stdout" "" "$(cat "$T/out")"
scratch_empty "phase failures: temporary directories removed"

# ---- signals to the driver
# A non-interactive shell starts background jobs with SIGINT ignored, and
# pperf could not trap it: $T/dflint execs its arguments with SIGINT at its
# default (a script, not a function, so that $! is pperf's pid).
if env --default-signal=INT true 2>/dev/null; then
	printf '#!/bin/sh\nexec env --default-signal=INT "$@"\n' >"$T/dflint"
else
	printf '%s\n' '#!/usr/bin/env python3' 'import os, signal, sys' \
		'signal.signal(signal.SIGINT, signal.SIG_DFL)' \
		'os.execvp(sys.argv[1], sys.argv[1:])' >"$T/dflint"
fi
chmod +x "$T/dflint"

# wait_log PATTERN COUNT: until COUNT log lines match (10 s at most).
wait_log() {
	_i=0
	while [ "$(grep -c -e "$1" "$LOG")" -lt "$2" ] && [ "$_i" -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$_i" -lt 100 ]
}

# gone PID...: ok when none of them runs any more (2 s grace).
all_gone() {
	_i=0
	while [ "$_i" -lt 20 ]; do
		_alive=
		for _p in "$@"; do
			kill -0 "$_p" 2>/dev/null && _alive="$_alive $_p"
		done
		[ -z "$_alive" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# signal_case NAME SIGNAL STATUS WAIT_PATTERN COUNT [setsid]: starts pperf
# with sleeping stand-ins, waits until COUNT log lines match WAIT_PATTERN,
# sends SIGNAL (to the process group with "setsid", as a terminal's ^C does)
# and checks the status, the speed, the children and the temporary files.
signal_case() {
	_name=$1 _sig=$2 _want=$3
	: >"$LOG"
	if [ "${6:-}" = setsid ]; then
		STANDIN_SLEEP=30 PPERF_LIBEXEC=$S TMPDIR=$T/scratch \
			setsid "$T/dflint" "$P" . >"$T/out" 2>"$T/err" &
	else
		STANDIN_SLEEP=30 PPERF_LIBEXEC=$S TMPDIR=$T/scratch \
			"$T/dflint" "$P" . >"$T/out" 2>"$T/err" &
	fi
	_pid=$!
	# a watchdog that takes its sleep along when it is stopped
	(
		sleep 20 &
		trap 'kill $! 2>/dev/null; exit 0' TERM
		wait $! && kill -KILL "$_pid"
	) >/dev/null 2>&1 &
	_dog=$!
	if ! wait_log "$4" "$5"; then
		fail "$_name: started" "log: $(tr '\n' ' ' <"$LOG")"
	fi
	_t0=$(date +%s)
	if [ "${6:-}" = setsid ]; then
		kill -s "$_sig" -- "-$_pid"
	else
		kill -s "$_sig" "$_pid"
	fi
	_st=0
	wait "$_pid" || _st=$?
	_t1=$(date +%s)
	kill "$_dog" 2>/dev/null
	wait "$_dog" 2>/dev/null
	same "$_name: exit $_want" "$_want" "$_st"
	if [ $((_t1 - _t0)) -le 5 ]; then
		ok "$_name: ends promptly"
	else
		fail "$_name: ends promptly" "took $((_t1 - _t0)) s"
	fi
	# shellcheck disable=SC2046 # the pids
	if all_gone $(sed -n 's/^[a-z-]* pid //p' "$LOG"); then
		ok "$_name: every phase stopped"
	else
		fail "$_name: every phase stopped" "still running: $_alive"
	fi
	scratch_empty "$_name: temporary directory and fifos removed"
	same "$_name: no report" "" "$(cat "$T/out")"
}

if ! command -v python3 >/dev/null 2>&1 && ! env --default-signal=INT true 2>/dev/null; then
	skip "signals" "neither env --default-signal nor python3"
else
	signal_case "SIGTERM while the auditors run" TERM 143 ' start ' 3
	signal_case "SIGINT while the auditors run" INT 130 ' start ' 3
	signal_case "SIGHUP while the auditors run" HUP 129 ' start ' 3
	STANDIN_DISCOVER='sleep' signal_case "SIGTERM while discover runs" TERM 143 '^discover pid' 1
	STANDIN_DISCOVER='sleep' signal_case "SIGINT while discover runs" INT 130 '^discover pid' 1
	if command -v setsid >/dev/null 2>&1; then
		signal_case "SIGINT to the process group (^C)" INT 130 ' start ' 3 setsid
	else
		skip "SIGINT to the process group" "no setsid"
	fi
fi

# ---- the real aggregate and publish: the report keeps the other categories
if have_bin aggregate publish; then
	LX=$T/mixed
	mixed_libexec "$LX"
	STANDIN_TXN='kill' expect_exit 137 "real: txn killed: 137" ppt .
	cp "$T/out" "$T/killed.md"
	expect_grep "real: killed auditor named" "^pperf: audit-txn: killed by signal 9$" "$T/err"
	expect_grep "real: Query Efficiency scored" "^| Query Efficiency | 9.0/10 |" "$T/killed.md"
	expect_grep "real: Runtime Performance scored" "^| Runtime Performance | 9.0/10 |" "$T/killed.md"
	expect_grep "real: Transaction Correctness is an error" "^| Transaction Correctness | error |" "$T/killed.md"
	expect_grep "real: findings of the others" "stand-in finding of sync_sleep_in_async" "$T/killed.md"
	no_grep "real: the half-written result was not merged" "^pperf-aggregate: .*res-txn" "$T/err"
	STANDIN_RUNTIME='noread' expect_exit 4 "real: runtime without reading: 4" ppt --format json .
	expect_grep "real json: runtime category is an error" '"status": *"error"' "$T/out"
	expect_grep "real json: query category still there" '"category": *"Query Efficiency"' "$T/out"
	STANDIN_TXN='garbage' expect_exit 3 "real: an auditor's invalid JSON: 3" ppt .
	expect_grep "real: the invalid result named" "^pperf: audit-txn: wrote an invalid result$" "$T/err"
	expect_grep "real: the others' report after an invalid result" "^| Transaction Correctness | error |" "$T/out"
	expect_exit 4 "real: publish fails on an unwritable -o" ppt -o "$T/no such dir/r.md" .
	expect_grep "real: publish named" "^pperf: publish: exited with status 4$" "$T/err"
	scratch_empty "real: temporary directories removed"
	unset LX
else
	skip "real aggregate and publish" "bin/pperf-aggregate or bin/pperf-publish not built yet"
fi

done_testing
