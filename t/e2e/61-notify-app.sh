#!/bin/sh
# missing_intermediate_commits end to end: pperf on t/fixtures/notify-app
# (an alembic migration with a pg_notify trigger on jobs, LISTENed by an SSE
# endpoint, and a worker that updates progress in a loop with one final
# commit) reports exactly one finding of the check: CRITICAL, at the
# progress write of run_job's loop, naming the trigger, the table and the
# channel; run_job_fixed (a commit per item) has none.
. "$PPERF_ROOT/t/e2e/lib.sh"

app=$PPERF_ROOT/t/fixtures/notify-app

if ! command -v python3 >/dev/null 2>&1; then
	skip "notify-app" "python3 not installed"
	done_testing
fi

expect_exit 0 "pperf audits t/fixtures/notify-app (json)" "$PPERF_BIN/pperf" --format json "$app"
cp "$TMPDIR/out" "$TMPDIR/notify.json"

# Prints ok:/FAIL: lines; the line numbers come from the fixture itself.
python3 - "$TMPDIR/notify.json" "$app/app/worker.py" >"$TMPDIR/notify.check" 2>&1 <<'PY'
import json, re, sys
rep = json.load(open(sys.argv[1]))
src = open(sys.argv[2]).read().splitlines()
defs = [(i + 1, m.group(1)) for i, l in enumerate(src) for m in [re.match(r"def (\w+)\(", l)] if m]
def span(name):
    for k, (line, n) in enumerate(defs):
        if n == name:
            return line, (defs[k + 1][0] - 1 if k + 1 < len(defs) else len(src))
    return 0, -1
lo, hi = span("run_job")
flo, fhi = span("run_job_fixed")
progress = [i + 1 for i in range(lo - 1, hi) if re.match(r"\s+job\.done\s*=", src[i])]
found = [f for f in rep["findings"] if f["check"] == "missing_intermediate_commits"]
def check(ok, name, detail=""):
    print(("ok: %s" % name) if ok else ("FAIL: %s: %s" % (name, detail)))
check(len(found) == 1, "exactly one missing_intermediate_commits finding", [f.get("location") for f in found])
if found:
    f = found[0]
    check(f["file"] == "app/worker.py" and lo <= f["line"] <= hi, "it is in run_job", f.get("location"))
    check(len(progress) == 1 and f["line"] == progress[0], "at the progress write of the loop",
          "%s, progress write at %s" % (f.get("location"), progress))
    check(f["severity"] == "CRITICAL", "CRITICAL (the channel feeds an SSE endpoint)", f["severity"])
    issue = f["issue"]
    for word in ("progress UPDATEs", "pg_notify", "nothing is committed between them", "jobs_progress_trg",
                 "table jobs", "job_progress"):
        check(word in issue, "the issue says %r" % word, issue)
    check("commit" in f["recommendation"], "the recommendation is about commits", f["recommendation"])
check(not [f for f in found if flo <= f["line"] <= fhi], "none in run_job_fixed (a commit per item)")
PY
cat "$TMPDIR/notify.check"
_t_pass=$((_t_pass + $(grep -c '^ok:' "$TMPDIR/notify.check")))
_t_fail=$((_t_fail + $(grep -c '^FAIL:' "$TMPDIR/notify.check")))
if ! grep -q '^ok:' "$TMPDIR/notify.check"; then
	fail "notify-app assertions ran" "$(head -c 400 "$TMPDIR/notify.check")"
fi
done_testing
