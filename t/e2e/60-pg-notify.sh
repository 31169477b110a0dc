#!/bin/sh
# missing_intermediate_commits on a real PostgreSQL: a private server (its
# own data directory, port and socket directory under $TMPDIR) runs the
# pg_notify trigger of t/fixtures/notify-app's migration; a LISTEN
# connection sees nothing while the flagged code path (progress UPDATEs in
# one transaction) runs and everything at its final commit, and one
# notification per item with the recommended commit per item.
# Skips when PostgreSQL (initdb, pg_ctl) or psycopg2 is not installed
# (`make deps` installs python3-psycopg2 as root).
. "$PPERF_ROOT/t/e2e/lib.sh"

app=$PPERF_ROOT/t/fixtures/notify-app
name="pg_notify is delivered only at commit"

pgbin=
for d in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")" /usr/lib/postgresql/*/bin; do
	if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
		pgbin=$d
		break
	fi
done
py=
for p in /usr/bin/python3 python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import psycopg2' 2>/dev/null; then
		py=$p
		break
	fi
done
if [ -z "$pgbin" ]; then
	skip "$name" "PostgreSQL (initdb, pg_ctl) not installed"
	done_testing
fi
if [ -z "$py" ]; then
	skip "$name" "psycopg2 not installed (Debian: python3-psycopg2)"
	done_testing
fi

# PostgreSQL refuses to run as root: use the postgres (or nobody) account
run=
if [ "$(id -u)" -eq 0 ]; then
	for u in postgres nobody; do
		if id "$u" >/dev/null 2>&1 && command -v runuser >/dev/null 2>&1; then
			run="runuser -u $u --"
			break
		fi
	done
	if [ -z "$run" ]; then
		skip "$name" "running as root without a postgres or nobody account"
		done_testing
	fi
fi

pg=$(mktemp -d "$TMPDIR/pg.XXXXXX") || exit 2
chmod 755 "$TMPDIR" "$pg"
chown "$(echo "$run" | sed -n 's/^runuser -u \([^ ]*\) --$/\1/p')" "$pg" 2>/dev/null
port=$((20000 + $$ % 20000))

if ! $run "$pgbin/initdb" -D "$pg/data" -A trust -U pperf >"$TMPDIR/initdb.log" 2>&1; then
	skip "$name" "initdb failed: $(tail -n 1 "$TMPDIR/initdb.log")"
	done_testing
fi
if ! $run "$pgbin/pg_ctl" -D "$pg/data" -o "-k $pg -p $port -c listen_addresses=''" -l "$pg/log" -w -t 30 start \
	>/dev/null 2>&1; then
	skip "$name" "the server did not start: $(tail -n 1 "$pg/log" 2>/dev/null)"
	done_testing
fi
trap '$run "$pgbin/pg_ctl" -D "$pg/data" -m immediate -w stop >/dev/null 2>&1' EXIT

if "$py" "$PPERF_ROOT/t/tools/pg_notify_demo.py" "$pg" "$port" pperf "$app/alembic/versions/0001_jobs.py" 5 \
	>"$TMPDIR/demo" 2>"$TMPDIR/demo.err"; then
	ok "demo ran against PostgreSQL on port $port"
else
	fail "demo ran against PostgreSQL on port $port" "$(tail -n 3 "$TMPDIR/demo.err")"
fi
expect_grep "flagged path: no notification before the final commit" '^flagged during=0 ' "$TMPDIR/demo"
expect_grep "flagged path: every progress notification arrives at the commit" \
	'^flagged during=0 after=[6-9]$' "$TMPDIR/demo"
expect_grep "fixed path: one notification after each commit" '^fixed progressive=1,1,1,1,1$' "$TMPDIR/demo"

# pperf's finding on the same code: the flagged path (run_job) has the
# CRITICAL missing_intermediate_commits at its progress write, the fixed
# one (run_job_fixed) none -- the behaviour measured above
if command -v python3 >/dev/null 2>&1; then
	expect_exit 0 "pperf audits the notify-app" "$PPERF_BIN/pperf" --format json "$app"
	python3 - "$TMPDIR/out" "$app/app/worker.py" >"$TMPDIR/finding" 2>&1 <<'PY'
import json, re, sys
rep = json.load(open(sys.argv[1]))
src = open(sys.argv[2]).read().splitlines()
defs = [i + 1 for i, l in enumerate(src) if re.match(r"def \w+\(", l)] + [len(src) + 1]
def span(name):
    i = next(k for k, l in enumerate(src) if l.startswith("def %s(" % name)) + 1
    return i, defs[defs.index(i) + 1] - 1
lo, hi = span("run_job")
flo, fhi = span("run_job_fixed")
write = next(i + 1 for i in range(lo - 1, hi) if re.match(r"\s+job\.done\s*=", src[i]))
found = [f for f in rep["findings"] if f["check"] == "missing_intermediate_commits"]
one = len(found) == 1 and found[0]["line"] == write and found[0]["severity"] == "CRITICAL"
words = all(w in (found[0]["issue"] if found else "") for w in
            ("progress UPDATEs", "pg_notify", "nothing is committed between them", "jobs_progress_trg", "job_progress"))
print("ok: flagged path: one CRITICAL finding at run_job's progress write" if one and words else
      "FAIL: flagged path: one CRITICAL finding at run_job's progress write: %r" % found)
print("ok: fixed path: no finding in run_job_fixed" if not [f for f in found if flo <= f["line"] <= fhi] else
      "FAIL: fixed path: no finding in run_job_fixed: %r" % found)
PY
	cat "$TMPDIR/finding"
	_t_pass=$((_t_pass + $(grep -c '^ok:' "$TMPDIR/finding")))
	_t_fail=$((_t_fail + $(grep -c '^FAIL:' "$TMPDIR/finding")))
	grep -q '^ok:' "$TMPDIR/finding" || fail "pperf finding checked" "$(head -c 400 "$TMPDIR/finding")"
else
	skip "pperf finding on the notify-app" "python3 not installed"
fi
done_testing
