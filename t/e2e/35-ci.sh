# t/e2e/35-ci.sh: pperf in CI and daily use: --baseline / --write-baseline
# (a line shift keeps a finding baselined, an edited statement is new,
# multiplicity), --since in a temporary git repository with two commits
# (untracked files, errors), --fail-on and --exit-zero statuses, --quiet,
# the progress line (the auditors' files, and the driver's line on a
# terminal through script(1)), pperf explain, and the CI files: the
# pre-commit hooks' command lines run here, the GitHub Actions workflow
# parses and is the one README shows.
# shellcheck shell=sh source=t/e2e/lib.sh
. "$PPERF_ROOT/t/e2e/lib.sh"

P=$PPERF_BIN/pperf
T=$TMPDIR
G=$T/repo
have_git=
command -v git >/dev/null 2>&1 && have_git=1
if ! command -v python3 >/dev/null 2>&1; then
	skip "CI and daily use" "python3 not installed (it reads the JSON here)"
	done_testing
fi

# same NAME WANT GOT
same() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}

# jget FILTER FILE: one value of a JSON file (python3, no jq needed)
jget() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[2]))
for k in sys.argv[1].split("."):
    d = d[int(k)] if isinstance(d, list) else d.get(k) if d is not None else None
print(json.dumps(d) if isinstance(d, (dict, list)) or d is None else d)' "$1" "$2"
}

# a FastAPI app with one HIGH finding per time.sleep in a handler
mkapp() {
	mkdir -p "$1"
	cat >"$1/app.py" <<'EOF'
import time

from fastapi import FastAPI

app = FastAPI()


@app.get("/a")
async def a():
    time.sleep(1)
    return {}


@app.get("/b")
async def b():
    time.sleep(1)
    return {}
EOF
}

# ---- baseline
A=$T/app
mkapp "$A"
expect_exit 0 "--write-baseline" "$P" --write-baseline "$T/bl.json" --format json -o "$T/full.json" "$A"
same "baseline: schema" "pperf.baseline/1" "$(jget schema "$T/bl.json")"
same "baseline: two identical statements, two entries" "2" \
	"$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["fingerprints"]))' "$T/bl.json")"
same "baseline: entries name check and file" "sync_sleep_in_async app.py" \
	"$(jget fingerprints.0.check "$T/bl.json") $(jget fingerprints.0.file "$T/bl.json")"
expect_exit 0 "--baseline, nothing changed" "$P" --baseline "$T/bl.json" --format json "$A"
same "nothing new" '{"file": "'"$T"'/bl.json", "new": 0, "baselined": 2, "fixed": 0}' \
	"$(jget baseline "$T/out")"
same "no finding listed" "[]" "$(jget findings "$T/out")"
same "the scores still cover every finding" "$(jget overall_score "$T/full.json")" "$(jget overall_score "$T/out")"
# a line shift keeps both baselined
sed -i '1i # a new first line\n# and a second' "$A/app.py"
expect_exit 0 "--baseline after a line shift" "$P" --baseline "$T/bl.json" --format json "$A"
same "line shift: still baselined" "0 2 0" \
	"$(jget baseline.new "$T/out") $(jget baseline.baselined "$T/out") $(jget baseline.fixed "$T/out")"
# a third copy of the statement is new; --fail-on sees only new findings
cat >>"$A/app.py" <<'EOF'


@app.get("/c")
async def c():
    time.sleep(1)
    return {}
EOF
expect_exit 1 "--baseline --fail-on HIGH: a new finding fails" "$P" --baseline "$T/bl.json" --fail-on HIGH --format json "$A"
same "a third identical statement is new" "1 2 0" \
	"$(jget baseline.new "$T/out") $(jget baseline.baselined "$T/out") $(jget baseline.fixed "$T/out")"
same "severity_counts cover the listed findings" "1" "$(jget severity_counts.HIGH "$T/out")"
# an edited statement is new, and its old entry fixed
sed -i 's/time.sleep(1)/time.sleep(2)/' "$A/app.py"
expect_exit 0 "--baseline after an edit" "$P" --baseline "$T/bl.json" --format json "$A"
same "edited statements are new, their entries fixed" "3 0 2" \
	"$(jget baseline.new "$T/out") $(jget baseline.baselined "$T/out") $(jget baseline.fixed "$T/out")"
expect_exit 0 "markdown with --baseline" "$P" --baseline "$T/bl.json" "$A"
# shellcheck disable=SC2016 # backquotes of Markdown
expect_grep "markdown: the baseline line" \
	'^\*\*Baseline\*\* `.*bl.json`: 3 new findings (listed), 0 baselined (not listed), 2 baseline entries fixed\.$' "$T/out"
expect_grep "markdown: scores cover every finding" '^The scores and the category notes cover every finding' "$T/out"
# bad baselines
printf '{"schema": "pperf.baseline/1", "fingerprints": [{"fingerprint": "xyz"}]}\n' >"$T/badbl.json"
expect_exit 3 "invalid baseline: exit 3" "$P" --baseline "$T/badbl.json" --exit-zero "$A"
expect_grep "invalid baseline: message" \
	"^pperf-aggregate: $T/badbl.json: error: fingerprints\[0\].fingerprint: expected 16 lowercase hex digits$" "$T/err"
expect_exit 4 "missing baseline: exit 4 before the audit" "$P" --baseline "$T/nonesuch.json" "$A"
expect_grep "missing baseline: message" "^pperf: error: cannot read the baseline '$T/nonesuch.json'$" "$T/err"
expect_exit 2 "empty --write-baseline" "$P" --write-baseline= "$A"
expect_exit 4 "--write-baseline into a missing directory" "$P" --write-baseline "$T/no/dir/bl.json" "$A"
expect_grep "unwritable baseline: message" "error: cannot write the baseline" "$T/err"

# pperf-aggregate alone: a malformed diff, option checks
"$PPERF_BIN/pperf-audit-runtime" "$A" >"$T/res.json" 2>/dev/null
printf '+++ b/app.py\n@@ -1,2 +1,2 @@\n-x\n+y\n' >"$T/trunc.diff"
expect_exit 3 "aggregate --changed: a truncated diff" "$PPERF_BIN/pperf-aggregate" --changed "$T/trunc.diff" "$T/res.json"
expect_grep "aggregate --changed: file and line named" \
	"^pperf-aggregate: $T/trunc.diff:5: error: the diff ends inside a hunk$" "$T/err"
same "aggregate --changed: nothing on stdout" "" "$(cat "$T/out")"
expect_exit 2 "aggregate --changed-label without --changed" "$PPERF_BIN/pperf-aggregate" --changed-label x "$T/res.json"
printf '+++ b/app.py\n@@ -0,0 +1,99 @@\n' >"$T/all.diff"
awk 'BEGIN { for (i = 0; i < 99; i++) print "+" }' >>"$T/all.diff"
expect_exit 0 "aggregate --changed: every line of app.py" "$PPERF_BIN/pperf-aggregate" --changed "$T/all.diff" "$T/res.json"
same "aggregate --changed: the label defaults to the file name" "$T/all.diff 3 0" \
	"$(jget changed.label "$T/out") $(jget changed.changed "$T/out") $(jget changed.unchanged "$T/out")"

# ---- --fail-on and --exit-zero
expect_exit 1 "--fail-on HIGH with HIGH findings: 1" "$P" --fail-on HIGH -o /dev/null "$A"
expect_exit 0 "--fail-on CRITICAL with HIGH findings: 0" "$P" --fail-on CRITICAL -o /dev/null "$A"
expect_exit 0 "--exit-zero --fail-on HIGH: 0" "$P" --exit-zero --fail-on HIGH -o /dev/null "$A"
printf '{"fail_on": "HIGH"}\n' >"$T/cfg.json"
expect_exit 1 "configuration fail_on HIGH: 1" "$P" --config "$T/cfg.json" -o /dev/null "$A"
expect_exit 0 "--exit-zero beats the configuration's fail_on" "$P" --config "$T/cfg.json" --exit-zero -o /dev/null "$A"
expect_exit 2 "--exit-zero keeps usage errors" "$P" --exit-zero --format bogus "$A"
expect_exit 4 "--exit-zero keeps I/O errors" "$P" --exit-zero "$T/no-such-root"
"$P" --help >"$T/help"
expect_grep "--help documents --exit-zero" "^  --exit-zero" "$T/help"
expect_grep "--help documents the exit statuses" "^Exit status: 0 success, 1 findings at or above --fail-on" "$T/help"

# ---- --quiet: errors only
Q=$T/quiet
mkapp "$Q"
printf 'import os  # pperf: ignore[no_such_check]\n' >>"$Q/app.py"
expect_exit 0 "a run with a warning" "$P" -o /dev/null "$Q"
expect_grep "the warning is shown" "warning: .*unknown check 'no_such_check'" "$T/err"
expect_exit 0 "--quiet" "$P" --quiet -o /dev/null "$Q"
same "--quiet: nothing on stderr" "" "$(cat "$T/err")"
expect_exit 3 "--quiet keeps errors" "$P" --quiet --baseline "$T/badbl.json" "$Q"
expect_grep "--quiet: the error is shown" "error: fingerprints" "$T/err"

# ---- progress: the auditors' files
"$PPERF_BIN/pperf-discover" "$A" | "$PPERF_BIN/pperf-research" >"$T/ctx.json" 2>/dev/null
PPERF_PROGRESS=$T/prog "$PPERF_BIN/pperf-audit-runtime" <"$T/ctx.json" >/dev/null 2>&1
same "auditor progress file: done total" "1 1" "$(cat "$T/prog.runtime" 2>/dev/null)"
same "no temporary progress file left" "$T/prog.*.tmp" "$(echo "$T"/prog.*.tmp)"
(unset PPERF_PROGRESS; "$PPERF_BIN/pperf-audit-query" <"$T/ctx.json" >/dev/null 2>&1)
same "no PPERF_PROGRESS, no progress file" "$T/prog.runtime" "$(echo "$T"/prog*)"

# ---- progress: the driver's line, on a terminal only
LX=$T/libexec
mkdir "$LX"
for p in discover research audit-txn audit-runtime aggregate publish; do
	ln -s "$PPERF_BIN/pperf-$p" "$LX/pperf-$p"
done
# a slow query auditor that says how far it is
cat >"$LX/pperf-audit-query" <<EOF
#!/bin/sh
[ -z "\${PPERF_PROGRESS:-}" ] || printf '1 3\n' >"\$PPERF_PROGRESS.query"
sleep 1
exec "$PPERF_BIN/pperf-audit-query" "\$@"
EOF
chmod +x "$LX/pperf-audit-query"
expect_exit 0 "no terminal: a run" env PPERF_LIBEXEC="$LX" "$P" -o /dev/null "$A"
same "no terminal: no progress line" "" "$(cat "$T/err")"
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
	PPERF_LIBEXEC=$LX TERM=xterm script -qec "'$P' -o /dev/null '$A'" /dev/null >"$T/tty" 2>&1
	same "terminal: the run succeeds" 0 $?
	if grep -q 'pperf: auditing files: query 1/3, txn 1/1, runtime 1/1' "$T/tty"; then
		ok "terminal: the progress line shows files per auditor"
	else
		fail "terminal: the progress line shows files per auditor" "$(od -c "$T/tty" | head -5)"
	fi
	if [ "$(tail -c 4 "$T/tty" | od -An -c | tr -d ' \n')" = '\r033[K' ]; then
		ok "terminal: the line is cleared at the end"
	else
		fail "terminal: the line is cleared at the end" "$(tail -c 40 "$T/tty" | od -c | head -3)"
	fi
	PPERF_LIBEXEC=$LX TERM=xterm script -qec "'$P' --quiet -o /dev/null '$A'" /dev/null >"$T/tty" 2>&1
	if grep -q 'auditing files' "$T/tty"; then fail "terminal --quiet: no progress line" "$(od -c "$T/tty" | head -3)"; else
		ok "terminal --quiet: no progress line"; fi
	PPERF_LIBEXEC=$LX TERM=dumb script -qec "'$P' -o /dev/null '$A'" /dev/null >"$T/tty" 2>&1
	if grep -q 'auditing files' "$T/tty"; then fail "TERM=dumb: no progress line" "$(od -c "$T/tty" | head -3)"; else
		ok "TERM=dumb: no progress line"; fi
else
	skip "progress line on a terminal" "script(1) of util-linux not available"
fi

# ---- --since in a git repository with two commits
if [ -z "$have_git" ]; then
	skip "--since" "git not installed"
else
	mkapp "$G"
	cat >"$G/jobs.py" <<'EOF'
import time


async def tick():
    return 1
EOF
	git -C "$G" init -q
	git -C "$G" -c user.name=t -c user.email=t@example.com add -A
	git -C "$G" -c user.name=t -c user.email=t@example.com commit -qm one
	# second commit: a finding in jobs.py, and app.py's lines shifted
	cat >"$G/jobs.py" <<'EOF'
import time


async def tick():
    time.sleep(5)
    return 1
EOF
	sed -i '1i # shifted' "$G/app.py"
	git -C "$G" -c user.name=t -c user.email=t@example.com commit -qam two
	expect_exit 0 "--since HEAD~1" "$P" --since HEAD~1 --format json "$G"
	same "--since: only the finding on a changed line" "jobs.py:5" \
		"$(jget findings.0.file "$T/out"):$(jget findings.0.line "$T/out")"
	same "--since: counts" '{"label": "since HEAD~1", "changed": 1, "unchanged": 2}' "$(jget changed "$T/out")"
	expect_exit 0 "--since HEAD: nothing changed" "$P" --since HEAD --format json "$G"
	same "--since HEAD: no finding listed" "[]" "$(jget findings "$T/out")"
	# working tree changes and untracked files count
	sed -i 's/time.sleep(1)/time.sleep(3)/' "$G/app.py"
	printf 'import time\n\n\nasync def new():\n    time.sleep(9)\n' >"$G/new file.py"
	expect_exit 1 "--since HEAD --fail-on MEDIUM" "$P" --since HEAD --fail-on MEDIUM --format text "$G"
	same "--since HEAD: edited lines and the untracked file" "app.py:11:5:
app.py:17:5:
new file.py:5:5:" "$(sed "s|^$G/||; s/\\(:[0-9]*:[0-9]*:\\) .*/\\1/" "$T/out" | sort)"
	expect_exit 0 "--since HEAD --fail-on MEDIUM --exit-zero" "$P" --since HEAD --fail-on MEDIUM --exit-zero -o /dev/null "$G"
	# --since and --baseline together: the baseline counts over the whole project
	expect_exit 0 "--since with --baseline" "$P" --since HEAD --baseline "$T/bl.json" --format json "$G"
	same "--since with --baseline: counts" "4 0 2 / 3 1" \
		"$(jget baseline.new "$T/out") $(jget baseline.baselined "$T/out") $(jget baseline.fixed "$T/out") / $(jget changed.changed "$T/out") $(jget changed.unchanged "$T/out")"
	expect_exit 0 "markdown with --since" "$P" --since HEAD "$G"
	expect_grep "markdown: the changed lines line" \
		'^\*\*Changed lines\*\* (since HEAD): 3 findings on changed lines (listed), 1 on unchanged lines (not listed)\.$' "$T/out"
	# errors
	expect_exit 2 "--since: unknown revision" "$P" --since no-such-rev "$G"
	expect_grep "--since: unknown revision: message" "^pperf: error: --since: unknown revision 'no-such-rev'" "$T/err"
	expect_exit 2 "--since: not a git work tree" "$P" --since HEAD "$A"
	expect_grep "--since: not a git work tree: message" "^pperf: error: --since: '$A' is not in a git work tree" "$T/err"
	expect_exit 2 "--since: a revision starting with -" "$P" --since=--all "$G"
	expect_exit 2 "--since: an empty revision" "$P" --since= "$G"

	# ---- the pre-commit hooks' command lines, run here
	H=$PPERF_ROOT/.pre-commit-hooks.yaml
	expect_grep "pre-commit: language system" "^  language: system$" "$H"
	sed -n 's/^  entry: //p' "$H" >"$T/entries"
	same "pre-commit: two hooks" 2 "$(wc -l <"$T/entries" | tr -d ' ')"
	hook1=$(sed -n 1p "$T/entries")
	hook2=$(sed -n 2p "$T/entries")
	# hook 1 (changed lines): the edits above fail it, a clean tree passes
	(cd "$G" && PATH=$PPERF_BIN:$PATH eval "$hook1") >"$T/out" 2>"$T/err"
	same "pre-commit hook 1 fails on new HIGH findings" "1" "$?"
	expect_grep "pre-commit hook 1: text output" "^app.py:11:5: HIGH sync_sleep_in_async: " "$T/out"
	git -C "$G" checkout -q -- app.py
	rm "$G/new file.py"
	(cd "$G" && PATH=$PPERF_BIN:$PATH eval "$hook1") >"$T/out" 2>"$T/err"
	same "pre-commit hook 1 passes without changes" "0" "$?"
	(cd "$G" && PATH=$PPERF_BIN:$PATH eval "$hook2") >"$T/out" 2>"$T/err"
	same "pre-commit hook 2 (whole project) fails on HIGH findings" "1" "$?"
fi

# ---- pperf explain
expect_exit 0 "explain" "$P" explain sync_sleep_in_async
"$PPERF_BIN/pperf-audit-runtime" --explain sync_sleep_in_async >"$T/direct"
if cmp -s "$T/out" "$T/direct"; then ok "explain: the owning auditor's --explain"; else
	fail "explain: the owning auditor's --explain" "$(diff "$T/out" "$T/direct" | head -5 | tr '\n' ' ')"; fi
expect_exit 0 "explain a query check" "$P" explain n_plus_one_query
expect_grep "explain: the title line" "^n_plus_one_query: " "$T/out"
principle=$(sed -n 's/^Principle: //p' "$T/out")
if [ -n "$principle" ] && sed -n '/^\.Ss n_plus_one_query$/,/^\.Ss /p' "$PPERF_ROOT/man/pperf-checks.7" |
	grep -qxF -- "$principle."; then
	ok "explain: same text as pperf-checks(7)"
else
	fail "explain: same text as pperf-checks(7)" "principle '$principle' not under .Ss n_plus_one_query"
fi
expect_exit 2 "explain an unknown check" "$P" explain no_such_check
expect_grep "explain: where the ids are" "^pperf: error: unknown check 'no_such_check'; the ids are listed by 'pperf-audit-query --list-checks'" "$T/err"
expect_exit 2 "explain without an id" "$P" explain
expect_exit 2 "explain with two ids" "$P" explain a b

# ---- the GitHub Actions workflow and the pre-commit file parse; README shows the workflow
W=$PPERF_ROOT/examples/ci/github-actions.yml
if python3 -c 'import yaml' 2>/dev/null; then
	if python3 - "$W" "$PPERF_ROOT/.pre-commit-hooks.yaml" >"$T/yaml" 2>&1 <<'EOF'
import sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
steps = w["jobs"]["audit"]["steps"]
up = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
assert len(up) == 1 and up[0]["with"]["sarif_file"] == "pperf.sarif", up
assert any("--format sarif -o pperf.sarif --exit-zero" in s.get("run", "") for s in steps), "no sarif run"
assert any("--since" in s.get("run", "") and "--fail-on" in s.get("run", "") for s in steps), "no gate"
assert w["permissions"]["security-events"] == "write"
h = yaml.safe_load(open(sys.argv[2]))
assert [x["id"] for x in h] == ["pperf", "pperf-all"]
assert all(x["language"] == "system" and x["entry"].startswith("pperf ") and "--fail-on" in x["entry"] for x in h)
EOF
	then ok "workflow and pre-commit hooks parse as expected"; else
		fail "workflow and pre-commit hooks parse as expected" "$(tail -3 "$T/yaml" | tr '\n' ' ')"; fi
	# the workflow's own pperf steps, run in the temporary git repository
	if [ -n "$have_git" ] && [ -d "$G/.git" ]; then
		python3 - "$W" "$T" <<'EOF'
import sys, yaml
steps = yaml.safe_load(open(sys.argv[1]))["jobs"]["audit"]["steps"]
for s in steps:
    if s.get("name") == "Audit":
        open(sys.argv[2] + "/step-audit.sh", "w").write(s["run"] + "\n")
    if s.get("name", "").startswith("Fail on"):
        open(sys.argv[2] + "/step-gate.sh", "w").write(s["run"])
EOF
		git -C "$G" update-ref refs/remotes/origin/main HEAD~1
		(cd "$G" && PATH=$PPERF_BIN:$PATH sh -e "$T/step-audit.sh") >"$T/out" 2>"$T/err"
		same "workflow: the audit step succeeds" "0" "$?"
		same "workflow: the audit step writes SARIF 2.1.0" "2.1.0" "$(jget version "$G/pperf.sarif")"
		(cd "$G" && BASE_REF=main PATH=$PPERF_BIN:$PATH sh -e "$T/step-gate.sh") >"$T/out" 2>"$T/err"
		same "workflow: the gate passes a pull request without new HIGH findings" "0" "$?"
		(cd "$G" && BASE_REF='' PATH=$PPERF_BIN:$PATH sh -e "$T/step-gate.sh") >"$T/out" 2>"$T/err"
		same "workflow: the gate fails a push with HIGH findings" "1" "$?"
	fi
else
	skip "workflow and pre-commit hooks parse" "python3 yaml module not installed"
fi
if python3 - "$W" "$PPERF_ROOT/README.md" <<'EOF'
import sys
w = open(sys.argv[1]).read()
sys.exit(0 if "```yaml\n" + w + "```\n" in open(sys.argv[2]).read() else 1)
EOF
then ok "README shows examples/ci/github-actions.yml verbatim"; else
	fail "README shows examples/ci/github-actions.yml verbatim" "update the Use in CI section"; fi

done_testing
