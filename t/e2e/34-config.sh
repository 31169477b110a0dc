#!/bin/sh
# t/e2e/34-config.sh: the project configuration (.pperf.json, pyproject.toml's
# [tool.pperf], --config, --no-config) and inline "pperf: ignore" comments,
# through pperf-discover, an auditor and the pperf driver.
# shellcheck shell=sh source=t/e2e/lib.sh
: "${PPERF_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$PPERF_ROOT/t/e2e/lib.sh"

P=$PPERF_BIN/pperf
D=$PPERF_BIN/pperf-discover
if [ ! -x "$P" ] || [ ! -x "$D" ] || ! command -v python3 >/dev/null 2>&1; then
	skip "config" "bin/pperf or python3 missing (run make)"
	done_testing
fi
W=$TMPDIR/pperf-config.$$
rm -rf "$W"
mkdir -p "$W/proj/app" "$W/proj/legacy"
trap 'rm -rf "$W"' EXIT
cat >"$W/proj/app/svc.py" <<'PY'
import time


async def slow():
    time.sleep(1)


async def quiet():
    time.sleep(2)  # pperf: ignore[sync_sleep_in_async, not_a_check]


async def above():
    # pperf: ignore
    time.sleep(3)


async def in_string():
    time.sleep(4); s = "# pperf: ignore"
    return s
PY
cp "$W/proj/app/svc.py" "$W/proj/legacy/old.py"

# jq-free checks of a JSON document: jcheck NAME FILE PYTHON (d is the document)
jcheck() {
	if python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[2])' "$2" "$3" 2>"$TMPDIR/jerr"; then ok "$1"; else fail "$1" "$(tail -n 1 "$TMPDIR/jerr")"; fi
}

# ---- no configuration: suppressions only
expect_exit 0 "driver, no config" "$P" --format json "$W/proj"
cp "$TMPDIR/out" "$W/plain.json"
jcheck "suppressed findings left out and counted" "$W/plain.json" '
lines = sorted((f["file"], f["line"]) for f in d["findings"] if f["check"] == "sync_sleep_in_async")
assert lines == [("app/svc.py", 5), ("app/svc.py", 18), ("legacy/old.py", 5), ("legacy/old.py", 18)], lines
assert d["suppressed"] == 4, d["suppressed"]
rt = [c for c in d["categories"] if c["category"] == "Runtime Performance"][0]
ck = [c for c in rt["checks"] if c["id"] == "sync_sleep_in_async"][0]
assert ck["suppressed"] == 4 and ck["findings"] == 4, ck'
n=$(grep -c "unknown check 'not_a_check'" "$TMPDIR/err")
if [ "$n" = 2 ]; then ok "unknown id: one warning per occurrence"; else
	fail "unknown id: one warning per occurrence" "$n: $(cat "$TMPDIR/err")"; fi
expect_grep "unknown id warning names file:line" "^pperf-discover: .*/proj/app/svc.py:9: warning: pperf: ignore: unknown check 'not_a_check'" "$TMPDIR/err"
expect_exit 0 "markdown report" "$P" "$W/proj"
expect_grep "markdown says how many were suppressed" "^4 more findings were suppressed by \`pperf: ignore\` comments" "$TMPDIR/out"
expect_exit 0 "auditor alone" "$PPERF_BIN/pperf-audit-runtime" "$W/proj"
jcheck "pperf.result/1 counts suppressed" "$TMPDIR/out" '
assert d["suppressed"] == 4, d["suppressed"]
assert [c["suppressed"] for c in d["checks"] if c["id"] == "sync_sleep_in_async"] == [4]'

# ---- .pperf.json
cat >"$W/proj/.pperf.json" <<'JSON'
{
  "exclude": ["legacy/"],
  "checks": {"sync_sleep_in_async": {"severity": "LOW"}, "blocking_io_in_async": {"enabled": false}},
  "fail_on": "LOW"
}
JSON
expect_exit 0 "discover reads .pperf.json" "$D" "$W/proj"
jcheck "context carries config, legacy/ excluded" "$TMPDIR/out" '
assert d["config"]["exclude"] == ["legacy/"], d["config"]
assert not [f for f in d["files"] if f["path"].startswith("legacy/")]'
expect_exit 1 "driver: config fail_on LOW gives 1" "$P" --format json "$W/proj"
cp "$TMPDIR/out" "$W/cfg.json"
jcheck "severity override and exclude applied" "$W/cfg.json" '
ss = [f for f in d["findings"] if f["check"] == "sync_sleep_in_async"]
assert len(ss) == 2 and all(f["severity"] == "LOW" for f in ss), ss
assert all(f["file"] == "app/svc.py" for f in d["findings"])
rt = [c for c in d["categories"] if c["category"] == "Runtime Performance"][0]
ck = {c["id"]: c for c in rt["checks"]}
assert ck["blocking_io_in_async"]["ran"] is False and ck["sync_sleep_in_async"]["ran"] is True
assert rt["low"] == 2 and rt["high"] == 0, rt'
expect_exit 0 "--fail-on overrides config fail_on" "$P" --fail-on high "$W/proj"
expect_exit 0 "--no-config" "$P" --no-config --format json "$W/proj"
jcheck "--no-config: defaults" "$TMPDIR/out" '
assert len([f for f in d["findings"] if f["file"].startswith("legacy/")]) == 2'
printf '{"fail_on": "never", "include": ["legacy/"]}\n' >"$W/other.json"
expect_exit 0 "--config PATH" "$P" --config "$W/other.json" --format json "$W/proj"
jcheck "--config replaces .pperf.json" "$TMPDIR/out" '
assert d["findings"] and all(f["file"].startswith("legacy/") for f in d["findings"])'
expect_exit 2 "--config and --no-config together" "$P" --config "$W/other.json" --no-config "$W/proj"
expect_exit 4 "--config: missing file" "$P" --config "$W/nope.json" "$W/proj"

# ---- errors: unknown key, wrong type (one line naming key and file, exit 3)
printf '{"exlude": ["x"]}\n' >"$W/proj/.pperf.json"
expect_exit 3 "unknown key: exit 3" "$D" "$W/proj"
expect_grep "unknown key named with its file" "^pperf-discover: $W/proj/.pperf.json: error: unknown key 'exlude'$" "$TMPDIR/err"
n=$(wc -l <"$TMPDIR/err")
if [ "$n" -eq 1 ]; then ok "unknown key: one line"; else fail "unknown key: one line" "$(cat "$TMPDIR/err")"; fi
if [ -s "$TMPDIR/out" ]; then fail "unknown key: nothing on stdout" "$(head -c 200 "$TMPDIR/out")"; else
	ok "unknown key: nothing on stdout"; fi
expect_exit 3 "driver: unknown key exits 3" "$P" "$W/proj"
printf '{"long_transaction_lines": "many"}\n' >"$W/proj/.pperf.json"
expect_exit 3 "wrong type: exit 3" "$D" "$W/proj"
expect_grep "wrong type named" "long_transaction_lines: expected an integer" "$TMPDIR/err"
rm "$W/proj/.pperf.json"

# ---- pyproject.toml [tool.pperf]
cat >"$W/proj/pyproject.toml" <<'TOML'
[project]
name = "svc"
dependencies = ["fastapi"]

[tool.pperf]
exclude = ["app/"]
long_transaction_lines = 80

[tool.pperf.checks.sync_sleep_in_async]
severity = "CRITICAL"
TOML
expect_exit 0 "pyproject [tool.pperf]" "$P" --format json "$W/proj"
jcheck "pyproject table applied" "$TMPDIR/out" '
ss = [f for f in d["findings"] if f["check"] == "sync_sleep_in_async"]
assert len(ss) == 2 and all(f["file"].startswith("legacy/") and f["severity"] == "CRITICAL" for f in ss), ss'
expect_exit 0 "discover: pyproject config in the context" "$D" "$W/proj"
jcheck "pyproject config in the context" "$TMPDIR/out" '
assert d["config"] == {"exclude": ["app/"], "long_transaction_lines": 80,
                       "checks": {"sync_sleep_in_async": {"severity": "CRITICAL"}}}, d["config"]'
printf '\n[tool.pperf.checks.nope]\nenabled = false\n' >>"$W/proj/pyproject.toml"
expect_exit 3 "pyproject: unknown check" "$D" "$W/proj"
expect_grep "pyproject error names the file" "pyproject.toml: error: checks: unknown check 'nope'" "$TMPDIR/err"

# ---- a context whose config is invalid is bad input for the auditors
printf '{"schema": "pperf.context/1", "codebase_root": "%s", "tech_stack": {}, "files": [], "config": {"x": 1}}\n' \
	"$W/proj" >"$W/ctx.json"
# shellcheck disable=SC2016 # the inner shell expands its own arguments
expect_exit 3 "auditor: invalid config in the context" sh -c '"$1" <"$2"' sh "$PPERF_BIN/pperf-audit-txn" "$W/ctx.json"
expect_grep "auditor names config" "config: unknown key 'x'" "$TMPDIR/err"

done_testing
