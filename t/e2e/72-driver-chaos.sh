# t/e2e/72-driver-chaos.sh: the pperf driver under faults, with the
# stand-ins of t/fixtures/standins (and the real aggregate and publish when
# they are built): an auditor that exits non-zero, one killed by SIGKILL,
# one that hangs (ended by --timeout, with and without SIGTERM ignored),
# one that writes garbage, a discover that hangs; SIGINT and SIGTERM to the
# driver mid-run.  Each run: the driver ends within 2 s of the fault (of
# the timeout, of the signal), names the phase and the cause, keeps the
# surviving categories in the report, exits with the documented status and
# leaves no process (its process group and the stand-ins' unique path are
# checked with ps) and no private directory under $TMPDIR.
# shellcheck shell=sh source=t/e2e/lib.sh
. "$PPERF_ROOT/t/e2e/lib.sh"
# shellcheck source=t/fixtures/standins/driver-tests.sh
. "$PPERF_ROOT/t/fixtures/standins/driver-tests.sh"

# ---- --timeout usage
for bad in "--timeout" "--timeout x" "--timeout -1" "--timeout=" "--timeout 1.5" \
	"--timeout 1000000000"; do
	# shellcheck disable=SC2086 # split the cases into arguments
	expect_exit 2 "usage error: $bad" pp $bad .
done
expect_grep "--timeout: message" "^pperf: error: invalid --timeout '1000000000' " "$T/err"
expect_exit 0 "--timeout 0: no limit" pp --timeout 0 .
expect_exit 0 "--timeout=007 is 7 s, not octal" pp --timeout=007 .
scratch_empty "usage: temporary directories removed"

if ! command -v ps >/dev/null 2>&1; then
	skip "driver chaos" "no ps"
	done_testing
fi

# A directory of its own, so that ps can tell this test's stand-ins from
# anything else by their path; the real aggregate and publish when built.
X=$T/chaos-$$
real=
if have_bin aggregate publish; then
	mixed_libexec "$X"
	real=1
else
	mkdir -p "$X"
	for f in "$S"/pperf-* "$S"/*.sh "$S/results"; do
		ln -s "$f" "$X/"
	done
fi

# SIGINT at its default in the driver (a background job of this script
# would ignore it), as in 51-driver-failures.sh.
if env --default-signal=INT true 2>/dev/null; then
	printf '#!/bin/sh\nexec env --default-signal=INT "$@"\n' >"$T/dflint"
elif command -v python3 >/dev/null 2>&1; then
	printf '%s\n' '#!/usr/bin/env python3' 'import os, signal, sys' \
		'signal.signal(signal.SIGINT, signal.SIG_DFL)' \
		'os.execvp(sys.argv[1], sys.argv[1:])' >"$T/dflint"
else
	printf '#!/bin/sh\nexec "$@"\n' >"$T/dflint"
	nodflint=1
fi
chmod +x "$T/dflint"

# The driver leads its own process group (setsid), so that what it leaves
# behind is found by group, and a hang is ended by killing the group.
group=
command -v setsid >/dev/null 2>&1 && group=1

now() {
	date +%s.%N | sed 's/\.N$/.0/'
}

# leftovers PID: the live processes of group PID, and any live process
# running a file of $X (zombies are not running).
leftovers() {
	ps -eo pid=,pgid=,stat=,args= | awk -v g="$1" -v x="$X/" -v me=$$ '
		$3 ~ /^Z/ { next }
		$2 == g || (index($0, x) && $1 != me && $0 !~ /awk/) { print }'
}

# start ARG...: starts the driver in the background with the chaos
# stand-ins ($pid, at $t_start) and a guard that kills its group after 20 s.
start() {
	: >"$LOG"
	t_start=$(now)
	if [ -n "$group" ]; then
		PPERF_LIBEXEC=$X TMPDIR=$T/scratch setsid "$T/dflint" "$P" "$@" >"$T/out" 2>"$T/err" &
	else
		PPERF_LIBEXEC=$X TMPDIR=$T/scratch "$T/dflint" "$P" "$@" >"$T/out" 2>"$T/err" &
	fi
	pid=$!
	# (its sleep stopped with SIGKILL: just forked, it would catch a SIGTERM)
	(
		s='' stop=''
		trap 'stop=1; kill -KILL $s 2>/dev/null' TERM
		sleep 20 &
		s=$!
		[ -z "$stop" ] || { kill -KILL "$s"; exit 0; }
		wait "$s" && [ -z "$stop" ] && { kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"; }
	) >/dev/null 2>&1 &
	guard=$!
}

# finish NAME STATUS: waits for the driver; checks the status and that
# nothing is left behind; $t_end is when it ended.
finish() {
	st=0
	wait "$pid" || st=$?
	t_end=$(now)
	kill "$guard" 2>/dev/null
	wait "$guard" 2>/dev/null
	same "$1: exit $2" "$2" "$st"
	left=$(leftovers "$pid")
	# the stand-ins' pids, in case a process left the group
	for p in $(sed -n 's/^[a-z-]* pid //p' "$LOG"); do
		case $(ps -o stat= -p "$p" 2>/dev/null) in
		'' | Z*) ;;
		*) left="$left $(ps -o pid=,args= -p "$p")" ;;
		esac
	done
	same "$1: no process left" "" "$left"
	scratch_empty "$1: private directory removed"
}

# within NAME FROM: the driver ended at most 2 s after time FROM.
within() {
	if awk -v a="$2" -v b="$t_end" 'BEGIN { exit !(b - a <= 2.0) }'; then
		ok "$1: ends within 2 s"
	else
		fail "$1: ends within 2 s" "$(awk -v a="$2" -v b="$t_end" 'BEGIN { print b - a }') s"
	fi
}

# last_event EVENT...: the latest time of these events in the log.
last_event() {
	for _e in "$@"; do
		sed -n "s/^[a-z-]* $_e //p" "$LOG"
	done | sort -n | tail -n 1
}

# event PHASE EVENT: the time PHASE logged EVENT.
event() {
	sed -n "s/^$1 $2 //p" "$LOG" | head -n 1
}

# categories NAME FAILED: the report has the other categories, scored, and
# FAILED marked as an error.
categories() {
	for c in "Query Efficiency" "Transaction Correctness" "Runtime Performance"; do
		if [ -n "$real" ] && [ "$c" = "$2" ]; then
			expect_grep "$1: $c is an error" "^| $c | error |" "$T/out"
		elif [ -n "$real" ]; then
			expect_grep "$1: $c is scored" "^| $c | [0-9.]*/10 |" "$T/out"
		elif [ "$c" = "$2" ]; then
			expect_grep "$1: $c is an error" "^category $c: error$" "$T/out"
		else
			expect_grep "$1: $c is reported" "^category $c: ok$" "$T/out"
		fi
	done
}

# named NAME LINE: the driver's own messages are exactly LINE.
named() {
	if [ "$(grep '^pperf: ' "$T/err")" = "$2" ]; then
		ok "$1: phase and cause named"
	else
		fail "$1: phase and cause named" "expected [$2], stderr: $(head -c 600 "$T/err" | tr '\n' ' ')"
	fi
}

# ---- an auditor that fails, is killed, writes garbage: the others run to
# their end (1 s), the report keeps them
for case in "fail 4 exited with status 4" "kill 137 killed by signal 9" \
	"garbage 3 wrote an invalid result"; do
	# shellcheck disable=SC2086 # split the case
	set -- $case
	mode=$1 want=$2
	shift 2
	msg="pperf: audit-txn: $*"
	if [ "$mode" = garbage ] && [ -z "$real" ]; then
		skip "txn $mode" "the real pperf-aggregate is not built (the stand-in does not parse)"
		continue
	fi
	STANDIN_TXN=$mode STANDIN_SLEEP=1 start .
	finish "txn $mode" "$want"
	within "txn $mode" "$(last_event fault end)"
	named "txn $mode" "$msg"
	categories "txn $mode" "Transaction Correctness"
done

# ---- an auditor that hangs: --timeout ends it, SIGTERM or, when it ignores
# that, SIGKILL a second later
STANDIN_RUNTIME=hang start --timeout 1 .
finish "runtime hangs" 124
within "runtime hangs" "$(awk -v s="$(event audit-runtime start)" 'BEGIN { printf "%.3f", s + 1 }')"
named "runtime hangs" "pperf: audit-runtime: timed out after 1 s (--timeout), stopped with SIGTERM"
categories "runtime hangs" "Runtime Performance"

STANDIN_QUERY=hangterm start --timeout 1 .
finish "query hangs, SIGTERM ignored" 124
within "query hangs, SIGTERM ignored" "$(awk -v s="$(event audit-query start)" 'BEGIN { printf "%.3f", s + 1 }')"
named "query hangs, SIGTERM ignored" \
	"pperf: audit-query: timed out after 1 s (--timeout), ignored SIGTERM, killed with SIGKILL"
categories "query hangs, SIGTERM ignored" "Query Efficiency"

# the first failure in pipeline order decides: query's timeout before txn's kill
STANDIN_QUERY=hangterm STANDIN_TXN=kill start --timeout 1 .
finish "query hangs, txn killed" 124
expect_grep "query hangs, txn killed: both named" "^pperf: audit-txn: killed by signal 9$" "$T/err"

# discover hangs: nothing else runs, no report
STANDIN_DISCOVER='sleep' start --timeout 1 .
finish "discover hangs" 124
within "discover hangs" "$(awk -v s="$t_start" 'BEGIN { printf "%.3f", s + 1 }')"
named "discover hangs" "pperf: discover: timed out after 1 s (--timeout), stopped with SIGTERM"
no_grep "discover hangs: no auditor started" "^audit-" "$LOG"
same "discover hangs: no report" "" "$(cat "$T/out")"

# a --timeout that does not fire: its watchdogs go too
STANDIN_SLEEP=1 start --timeout 9 .
finish "--timeout 9, auditors of 1 s" 0
no_grep "--timeout 9: nothing named" "^pperf: " "$T/err"
categories "--timeout 9" ""

# ---- SIGINT and SIGTERM to the driver while the auditors run (one of them
# ignoring SIGTERM): every phase stopped within 2 s, named, no report
if [ -n "${nodflint:-}" ]; then
	skip "signals to the driver" "neither env --default-signal nor python3"
else
	for case in "INT 130" "TERM 143"; do
		# shellcheck disable=SC2086 # split the case
		set -- $case
		STANDIN_SLEEP=30 STANDIN_TXN=hangterm start --timeout 60 .
		i=0
		while [ "$(grep -c -e ' start \| fault ' "$LOG")" -lt 4 ] && [ "$i" -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		t_sig=$(now)
		kill -s "$1" "$pid"
		finish "SIG$1 mid-run" "$2"
		within "SIG$1 mid-run" "$t_sig"
		named "SIG$1 mid-run" "pperf: interrupted by SIG$1: stopped audit-query, audit-txn, audit-runtime; no report"
		same "SIG$1 mid-run: no report" "" "$(cat "$T/out")"
	done
fi

rm -rf "$X"
done_testing
