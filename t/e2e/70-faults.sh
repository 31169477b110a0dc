# t/e2e/70-faults.sh: failure injection into lib/jsonio and lib/http.  The
# LD_PRELOAD shim t/tools/faultinject.c (built by make check) makes write()
# fail with ENOSPC/EIO/EPIPE after N bytes, cuts writes short, fails fsync,
# and drops the network connection at the K-th send.  For every phase:
# a write error ends it with status 4 and one error line, a short write
# changes nothing, a closed pipe ends it quietly (status 0, no message), a
# truncated input document is refused with status 3 and nothing on stdout,
# and a consumer refuses the half document a failed producer left in a pipe.
# publish -o and pperf -o keep the old file when the new one cannot be
# written.  publish --to linear/github leaves the report in its fallback
# file (status 5) whichever step of the conversation fails: a drop at each
# send, HTTP 500 and malformed JSON at each operation, a timeout, a refused
# connection.
# shellcheck shell=sh source=t/e2e/lib.sh
. "$PPERF_ROOT/t/e2e/lib.sh"

B=$PPERF_BIN
R=$PPERF_ROOT/t/fixtures/results
T=$TMPDIR
SHIM=${PPERF_TOOLS:-$PPERF_ROOT/build/t}/faultinject.so
APP=$PPERF_ROOT/t/fixtures/audit-app
if [ ! -f "$SHIM" ]; then
	skip "fault injection" "$SHIM not built (make check builds it)"
	done_testing
fi
# a sanitized build (make asan) loads its runtime first; the shim comes after it
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS
unset FI_TARGET FI_AFTER FI_ERRNO FI_SHORT FI_FSYNC FI_SEND_FAIL FI_LOG
SOURCE_DATE_EPOCH=1714521600 # 2024-05-01
export SOURCE_DATE_EPOCH
cd "$T" || exit 1

# fi_run VAR=VALUE... CMD...: CMD with the shim and those settings.
fi_run() {
	env LD_PRELOAD="$SHIM" "$@"
}

# one_error NAME PHASE: exactly one line on stderr, an error of that phase.
one_error() {
	_n=$(wc -l <"$T/err")
	if [ "$_n" -eq 1 ] && grep -q "^pperf-$2: .*error: " "$T/err"; then
		ok "$1: one error line"
	else
		fail "$1: one error line" "$_n lines: $(head -c 400 "$T/err" | tr '\n' ' ')"
	fi
}
empty_out() {
	if [ -s "$T/out" ]; then fail "$1: nothing on stdout" "$(head -c 200 "$T/out")"; else ok "$1: nothing on stdout"; fi
}

# ---- the documents of a normal run, each phase's input and output
"$B/pperf-discover" "$APP" >"$T/disc.json" 2>/dev/null || fail "discover" "status $?"
"$B/pperf-research" "$T/disc.json" >"$T/ctx.json" 2>/dev/null || fail "research" "status $?"
for a in query txn runtime; do
	"$B/pperf-audit-$a" <"$T/ctx.json" >"$T/$a.json" 2>/dev/null || fail "audit-$a" "status $?"
done
cat "$T/query.json" "$T/txn.json" "$T/runtime.json" >"$T/results.json"
"$B/pperf-aggregate" --date 2024-05-01 --context "$T/ctx.json" <"$T/results.json" >"$T/report.json" ||
	fail "aggregate" "status $?"
"$B/pperf-publish" "$T/report.json" >"$T/report.md" || fail "publish" "status $?"

# phase NAME: sets $cmd (the phase's command line, reading stdin), $in
# (its input), $want (its normal output) and $next (the phase that reads
# its output, reading stdin; empty for publish).
phase() {
	case $1 in
	discover) cmd="$B/pperf-discover $APP" in=/dev/null want=$T/disc.json next="$B/pperf-research" ;;
	research) cmd="$B/pperf-research" in=$T/disc.json want=$T/ctx.json next="$B/pperf-audit-query" ;;
	audit-*) cmd="$B/pperf-$1" in=$T/ctx.json want=$T/${1#audit-}.json next="$B/pperf-aggregate" ;;
	aggregate) cmd="$B/pperf-aggregate --date 2024-05-01 --context $T/ctx.json" in=$T/results.json
		want=$T/report.json next="$B/pperf-publish" ;;
	publish) cmd="$B/pperf-publish" in=$T/report.json want=$T/report.md next= ;;
	esac
}

for p in discover research audit-query audit-txn audit-runtime aggregate publish; do
	phase "$p"
	# shellcheck disable=SC2086 # $cmd is words
	{
		# ENOSPC before the first byte: nothing written, status 4, one line naming the cause
		expect_exit 4 "$p: ENOSPC on stdout" fi_run FI_ERRNO=ENOSPC $cmd <"$in"
		empty_out "$p: ENOSPC on stdout"
		one_error "$p: ENOSPC on stdout" "$p"
		expect_grep "$p: ENOSPC named" "No space left on device" "$T/err"

		# EIO in the middle: status 4; what reached the pipe is a prefix of the
		# document, and the next phase refuses it (status 3), never half-reads it
		expect_exit 4 "$p: EIO after 700 bytes" fi_run FI_ERRNO=EIO FI_AFTER=700 $cmd <"$in"
		one_error "$p: EIO after 700 bytes" "$p"
		if [ "$(wc -c <"$T/out")" -eq 700 ] && head -c 700 "$want" | cmp -s - "$T/out"; then
			ok "$p: EIO: the bytes written are the document's first 700"
		else
			fail "$p: EIO: the bytes written are the document's first 700" "$(wc -c <"$T/out") bytes"
		fi
		if [ -n "$next" ]; then
			cp "$T/out" "$T/half"
			expect_exit 3 "$p: the next phase refuses the half document" $next <"$T/half"
			empty_out "$p: the next phase refuses the half document"
		fi

		# short writes: the same output
		expect_exit 0 "$p: short writes (5 bytes)" fi_run FI_SHORT=5 $cmd <"$in"
		if cmp -s "$T/out" "$want"; then ok "$p: short writes: same output"; else
			fail "$p: short writes: same output" "differs from a normal run"; fi

		# EPIPE: the reader went away; quiet, status 0
		expect_exit 0 "$p: EPIPE" fi_run FI_ERRNO=EPIPE $cmd <"$in"
		if [ -s "$T/err" ]; then fail "$p: EPIPE: quiet" "$(head -c 300 "$T/err")"; else ok "$p: EPIPE: quiet"; fi
	}
done

# a real closed pipe (no shim): the reader exits before the phase writes
for p in discover aggregate publish; do
	phase "$p"
	# shellcheck disable=SC2086
	{ sleep 0.3; $cmd <"$in" 2>"$T/err"; echo $? >"$T/st"; } | true
	st=$(cat "$T/st")
	if [ "$st" = 0 ] && [ ! -s "$T/err" ]; then ok "$p: closed pipe: status 0, quiet"; else
		fail "$p: closed pipe: status 0, quiet" "status $st: $(head -c 300 "$T/err")"; fi
done

# a standard output that is not open at all: status 4, named
for p in discover audit-txn publish; do
	phase "$p"
	st=0
	# shellcheck disable=SC2086
	$cmd <"$in" 2>"$T/err" >&- || st=$?
	if [ "$st" -eq 4 ] && grep -q "^pperf-$p: error: cannot write standard output: Bad file descriptor" "$T/err"; then
		ok "$p: closed stdout: status 4, named"
	else
		fail "$p: closed stdout: status 4, named" "status $st: $(head -c 300 "$T/err")"
	fi
done

# ---- truncated input documents: status 3, a located error, nothing on stdout
for p in research audit-query audit-txn audit-runtime aggregate publish; do
	phase "$p"
	size=$(wc -c <"$in")
	for cut in 1 $((size / 2)) $((size - 2)); do
		head -c "$cut" "$in" >"$T/trunc"
		# shellcheck disable=SC2086
		expect_exit 3 "$p: input cut at byte $cut of $size" $cmd <"$T/trunc"
		empty_out "$p: input cut at $cut"
		one_error "$p: input cut at $cut" "$p"
	done
done

# ---- -o FILE: written atomically; a failed write keeps the old file
for how in "FI_ERRNO=ENOSPC" "FI_ERRNO=EIO FI_AFTER=2000" "FI_FSYNC=EIO"; do
	mkdir -p "$T/o"
	rm -f "$T/o/"*
	echo "old report" >"$T/o/report.md"
	# shellcheck disable=SC2086
	expect_exit 4 "publish -o, $how" fi_run FI_TARGET=files $how "$B/pperf-publish" -o "$T/o/report.md" \
		"$T/report.json"
	one_error "publish -o, $how" publish
	if [ "$(cat "$T/o/report.md")" = "old report" ]; then ok "publish -o, $how: old file kept"; else
		fail "publish -o, $how: old file kept" "$(head -c 100 "$T/o/report.md")"; fi
	left=$(find "$T/o" -type f ! -name report.md)
	if [ -z "$left" ]; then ok "publish -o, $how: no temporary file left"; else
		fail "publish -o, $how: no temporary file left" "$left"; fi
done
expect_exit 0 "publish -o, short writes" fi_run FI_TARGET=files FI_SHORT=3 "$B/pperf-publish" -o "$T/o/report.md" \
	"$T/report.json"
if cmp -s "$T/o/report.md" "$T/report.md"; then ok "publish -o, short writes: whole report"; else
	fail "publish -o, short writes: whole report" "differs"; fi
# the driver's -o goes through publish
echo "old report" >"$T/o/report.md"
expect_exit 4 "pperf -o, ENOSPC" fi_run FI_TARGET=files FI_ERRNO=ENOSPC FI_AFTER=0 "$B/pperf" -o "$T/o/report.md" "$APP"
if [ "$(cat "$T/o/report.md")" = "old report" ]; then ok "pperf -o, ENOSPC: old file kept"; else
	fail "pperf -o, ENOSPC: old file kept" "$(head -c 100 "$T/o/report.md")"; fi
expect_grep "pperf -o, ENOSPC: named" "No space left on device" "$T/err"

# ---- publish over the network: the report is in the fallback file whichever step fails
if ! command -v python3 >/dev/null 2>&1; then
	skip "publish faults" "python3 not installed (needed for t/tools/fakeapi.py)"
	done_testing
fi
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
unset LINEAR_API_KEY GITHUB_TOKEN PPERF_LINEAR_URL PPERF_GITHUB_URL
KEY=lin_api_f4ultKEY
TOKEN=ghp_f4ultTOKEN
FB=$T/fallback.md
"$B/pperf-aggregate" --date 2024-05-01 --context "$R/context.json" "$R/query.json" "$R/txn.json" \
	"$R/runtime.json" >"$T/lin.json" || fail "aggregate for publish" "status $?"
"$B/pperf-publish" "$T/lin.json" >"$T/lin.md" || fail "render for publish" "status $?"

server_pid=
stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
	fi
	server_pid=
}
trap stop_server EXIT
start_server() {
	stop_server
	rm -f "$T/port" "$T/log"
	python3 "$PPERF_ROOT/t/tools/fakeapi.py" --port-file "$T/port" --log "$T/log" \
		--key "$KEY" --token "$TOKEN" "$@" 2>"$T/server.err" &
	server_pid=$!
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	port=$(cat "$T/port" 2>/dev/null)
	[ -n "$port" ] || fail "fake server starts" "$(cat "$T/server.err")"
}
# to_linear|to_github [VAR=VALUE...]: publish through the shim with those settings.
to_linear() {
	fi_run LINEAR_API_KEY=$KEY PPERF_LINEAR_URL="http://127.0.0.1:$port/graphql" "$@" \
		"$B/pperf-publish" --to linear --timeout 5 --fallback "$FB" "$T/lin.json"
}
to_github() {
	fi_run GITHUB_TOKEN=$TOKEN PPERF_GITHUB_URL="http://127.0.0.1:$port/gh" "$@" \
		"$B/pperf-publish" --to github --repo acme/shop --timeout 5 --fallback "$FB" "$T/lin.json"
}
# saved NAME: status 5 was checked; stdout empty, one error line, the
# report in the fallback file, no secret printed.
saved() {
	empty_out "$1"
	if cmp -s "$FB" "$T/lin.md"; then ok "$1: report in the fallback file"; else
		fail "$1: report in the fallback file" "missing or different"; fi
	rm -f "$FB"
	if [ "$(grep -c '^pperf-publish: error: ' "$T/err")" -eq 1 ]; then ok "$1: one error line"; else
		fail "$1: one error line" "$(head -c 400 "$T/err" | tr '\n' ' ')"; fi
	if grep -q -e "$KEY" -e "$TOKEN" "$T/out" "$T/err"; then fail "$1: no secret printed" "$(cat "$T/err")"; else
		ok "$1: no secret printed"; fi
}

# the connection drops at the K-th send, for each K until the conversation fits
for dest in linear github; do
	k=1
	while [ $k -le 12 ]; do
		start_server
		st=0
		"to_$dest" FI_SEND_FAIL=$k >"$T/out" 2>"$T/err" || st=$?
		[ "$st" -eq 0 ] && break
		if [ "$st" -eq 5 ]; then ok "$dest: drop at send $k: status 5"; else
			fail "$dest: drop at send $k: status 5" "status $st: $(head -c 300 "$T/err")"; fi
		expect_grep "$dest: drop at send $k: named" "Connection reset by peer" "$T/err"
		saved "$dest: drop at send $k"
		k=$((k + 1))
	done
	if [ "$st" -eq 0 ] && [ $k -gt 3 ]; then ok "$dest: a drop at each of $((k - 1)) sends tried, then success"; else
		fail "$dest: drops at every send" "stopped at send $k, status $st"; fi
done

# every Linear operation answering 500 or malformed JSON
for op in PperfTeams PperfProjects PperfLabels PperfLabelCreate PperfIssueSearch PperfIssueCreate; do
	for mode in 500 garbage; do
		start_server --mode "$mode" --only "$op"
		expect_exit 5 "linear: $mode at $op" to_linear
		saved "linear: $mode at $op"
	done
done
# and GitHub's
for op in "GET /gh/repos/acme/shop/labels" "POST /gh/repos/acme/shop/labels" "GET /gh/repos/acme/shop/issues" \
	"POST /gh/repos/acme/shop/issues"; do
	start_server --mode garbage --only "$op"
	expect_exit 5 "github: garbage at $op" to_github
	saved "github: garbage at $op"
done

# a timeout at the last step, a refused connection
start_server --mode slow --delay 4 --only PperfIssueCreate
expect_exit 5 "linear: timeout at issueCreate" fi_run LINEAR_API_KEY=$KEY \
	PPERF_LINEAR_URL="http://127.0.0.1:$port/graphql" "$B/pperf-publish" --to linear --timeout 1 --fallback "$FB" "$T/lin.json"
expect_grep "linear: timeout named" "timed out" "$T/err"
saved "linear: timeout at issueCreate"
stop_server
expect_exit 5 "linear: connection refused" to_linear
saved "linear: connection refused"
# the fallback itself cannot be written: still status 5 (as with a missing folder, 32-publish-network.sh), named
start_server --mode 500 --only PperfIssueCreate
expect_exit 5 "linear: fallback write fails" to_linear FI_TARGET=files FI_ERRNO=ENOSPC
expect_grep "linear: fallback failure named" "cannot write the fallback report" "$T/err"
stop_server
done_testing
