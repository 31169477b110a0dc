#!/bin/sh
# t/e2e/33-formats.sh: pperf-publish --format text, sarif and html on the
# report of a copy of examples/app: text lines parse as path:line:col: with
# the real indentation, colour only on a terminal and never with NO_COLOR;
# SARIF passes t/tools/sarif_check.py (which must reject a broken log), maps
# severities to levels and keeps its fingerprints when a line is inserted
# at the top of a file; HTML escapes hostile report text, fetches nothing,
# and renders in headless Chromium with the report's scores (skipped when
# chromium is not installed).
: "${PPERF_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$PPERF_ROOT/t/e2e/lib.sh"

P=$PPERF_BIN/pperf-publish
T=$(mktemp -d "$TMPDIR/formats.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
TMPDIR=$T # expect_exit writes $TMPDIR/out and $TMPDIR/err
CHECK=$PPERF_ROOT/t/tools/sarif_check.py
export SOURCE_DATE_EPOCH=1767225600

if ! command -v python3 >/dev/null 2>&1; then
	skip "formats" "python3 not installed"
	done_testing
fi

# pyok NAME SCRIPT ARG...: ok when the python3 script (stdin) prints nothing and exits 0.
pyok() {
	_name=$1
	shift
	if python3 - "$@" >"$T/py.out" 2>&1 && [ ! -s "$T/py.out" ]; then
		ok "$_name"
	else
		fail "$_name" "$(head -c 600 "$T/py.out" | tr '\n' ' ')"
	fi
}

cp -R "$PPERF_ROOT/examples/app" "$T/app"
expect_exit 0 "audit of a copy of examples/app (json)" "$PPERF_BIN/pperf" --format json "$T/app"
cp "$T/out" "$T/report.json"

# ---- text
cd "$T" || exit 1
expect_exit 0 "--format text" "$P" --format text report.json
cp "$T/out" "$T/text.out"
if [ -s "$T/err" ]; then fail "text: nothing on stderr when it is not a terminal" "$(cat "$T/err")"; else
	ok "text: nothing on stderr when it is not a terminal"; fi
pyok "text: one path:line:col: line per finding, the column is the indent of the source line" \
	"$T/text.out" "$T/report.json" <<'EOF'
import json, re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
rep = json.load(open(sys.argv[2]))
assert lines[-1] == "", "no final newline"
lines = lines[:-1]
assert len(lines) == len(rep["findings"]) > 0, (len(lines), len(rep["findings"]))
pat = re.compile(r"^([^:\n]+):([0-9]+):([0-9]+): (CRITICAL|HIGH|MEDIUM|LOW) ([a-z0-9_]+): (.+)$")
indented = 0
for line, f in zip(lines, rep["findings"]):
    m = pat.match(line)
    assert m, "does not parse: %r" % line
    path, ln, col, sev, check, msg = m.groups()
    assert path == "app/" + f["file"], (path, f["file"])
    assert (int(ln), sev, check, msg) == (f["line"], f["severity"], f["check"], f["issue"]), line
    src = open(path, encoding="utf-8").read().split("\n")[int(ln) - 1]
    want = 1 + len(src) - len(src.lstrip(" \t"))
    assert int(col) == want, "%s: col %s, the line is indented by %d" % (line, col, want - 1)
    indented += want > 1
assert indented > 0, "no finding on an indented line: the column test proves nothing"
EOF

# from inside the root, paths are the findings' own
(cd "$T/app" && "$P" --format text ../report.json) >"$T/text-in" 2>&1
pyok "text: paths relative to the working directory" "$T/text-in" "$T/report.json" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
rep = json.load(open(sys.argv[2]))
got = [l.split(":")[0] for l in lines]
assert got == [f["file"] for f in rep["findings"]], got[:3]
EOF

# a report without a root: the files as written, column 1
python3 - "$T/report.json" >"$T/noroot.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
r["codebase_root"] = None
f = r["findings"][0]
f["issue"] = "two\nlines and an \x1b[31mescape\x07"
print(json.dumps(r))
EOF
expect_exit 0 "--format text, report without codebase_root" "$P" --format text "$T/noroot.json"
pyok "text: no root gives the file and column 1; control characters never split a line" \
	"$T/out" "$T/noroot.json" <<'EOF'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
rep = json.load(open(sys.argv[2]))
assert len(lines) == len(rep["findings"]), len(lines)
for line, f in zip(lines, rep["findings"]):
    assert line.startswith("%s:%d:1: " % (f["file"], f["line"])), line
assert "\x1b" not in "".join(lines) and "\x07" not in "".join(lines)
assert lines[0].endswith("two lines and an  [31mescape "), repr(lines[0])
EOF

# a file changed since the audit: its lines no longer hold the statements, column 1
cp -R "$T/app" "$T/stale"
python3 - "$T/report.json" "$T/stale" >"$T/stale.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
r["codebase_root"] = sys.argv[2]
print(json.dumps(r))
EOF
f0=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["findings"][0]["file"])' "$T/report.json")
{ printf '\n'; cat "$T/app/$f0"; } >"$T/stale/$f0"
(cd "$T/stale" && "$P" --format text ../stale.json) >"$T/text-stale" 2>&1
pyok "text: column 1 for the findings of a file edited since the audit" "$T/text-stale" "$T/text-in" "$f0" <<'EOF'
import sys
stale = open(sys.argv[1]).read().splitlines()
fresh = open(sys.argv[2]).read().splitlines()
f0 = sys.argv[3]
assert len(stale) == len(fresh)
moved = 0
for s, f in zip(stale, fresh):
    if s.startswith(f0 + ":"):
        assert s.split(":")[2] == "1", s
        moved += f.split(":")[2] != "1"
    else:
        assert s == f, (s, f)
assert moved, "the edited file had no indented finding"
EOF

if grep -q "$(printf '\033')" "$T/text.out"; then fail "text: no colour in a file" "escape found"; else
	ok "text: no colour in a file"; fi
if command -v script >/dev/null 2>&1; then
	script -qec "NO_COLOR= '$P' --format text '$T/report.json'" /dev/null >"$T/tty-color" 2>&1
	script -qec "NO_COLOR=1 '$P' --format text '$T/report.json'" /dev/null >"$T/tty-plain" 2>&1
	if grep -q "$(printf '\033')\[31mHIGH" "$T/tty-color"; then ok "text: colour on a terminal"; else
		fail "text: colour on a terminal" "$(head -c 300 "$T/tty-color")"; fi
	if grep -q "$(printf '\033')" "$T/tty-plain"; then fail "text: NO_COLOR=1 on a terminal" "escape found"; else
		ok "text: NO_COLOR=1 on a terminal"; fi
	expect_grep "text: a count of the findings on a terminal's stderr" \
		'^pperf-publish: note: [0-9]* findings: [0-9]* high' "$T/tty-plain"
else
	skip "text: colour on a terminal" "script(1) not installed"
fi

# ---- SARIF
expect_exit 0 "--format sarif" "$P" --format sarif "$T/report.json"
cp "$T/out" "$T/report.sarif"
expect_exit 0 "sarif: passes t/tools/sarif_check.py" python3 "$CHECK" "$T/report.sarif"
pyok "sarif: rules, levels, locations, base URI" "$T/report.sarif" "$T/report.json" <<'EOF'
import json, sys
log = json.load(open(sys.argv[1]))
rep = json.load(open(sys.argv[2]))
run = log["runs"][0]
drv = run["tool"]["driver"]
assert drv["name"] == "pperf" and drv["version"], drv.get("version")
checks = [c for cat in rep["categories"] for c in cat["checks"]]
rules = {r["id"]: r for r in drv["rules"]}
assert sorted(rules) == sorted(c["id"] for c in checks), "one rule per check"
levels = {"CRITICAL": "error", "HIGH": "error", "MEDIUM": "warning", "LOW": "note"}
for c in checks:
    r = rules[c["id"]]
    assert r["shortDescription"]["text"].lower().startswith(c["title"].lower()), r["id"]
    assert c["principle"].rstrip(".") in r["help"]["text"] and c["instead"] in r["help"]["text"], r["id"]
    assert r["fullDescription"]["text"] == c["why"], r["id"]
    assert r["properties"]["precision"] in ("high", "very-high", "medium", "low")
    assert "security-severity" not in r["properties"]
    assert r["defaultConfiguration"]["level"] == levels[c["severity"]], r["id"]
assert len(run["results"]) == len(rep["findings"])
for res, f in zip(run["results"], rep["findings"]):
    assert res["ruleId"] == f["check"] and res["level"] == levels[f["severity"]]
    assert res["message"]["text"].startswith(f["issue"]) and f["recommendation"] in res["message"]["text"]
    pl = res["locations"][0]["physicalLocation"]
    assert pl["artifactLocation"] == {"uri": f["file"], "uriBaseId": "%SRCROOT%"}, pl
    assert pl["region"]["startLine"] == f["line"]
    assert len(res["partialFingerprints"]["pperfFingerprint/v1"]) == 16
assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file://" + rep["codebase_root"] + "/"
EOF

# the checker can fail: each broken copy must be rejected, naming the problem
for case in level:results.0:level:fatal ruleid:results.1:ruleId:- uri:results.2:uri:/etc/passwd \
	prop:results.3:bogus:1 rule:rules.0:id:- version:version:-:2.0.0 line:results.4:line:0; do
	name=${case%%:*}
	case $name in
	level) want='results\[0\]\.level: not one of' ;;
	ruleid) want='results\[1\]: missing ruleId' ;;
	uri) want='results\[2\].*uri: not relative' ;;
	prop) want="results\[3\]: unknown property 'bogus'" ;;
	rule) want="rules\[0\]: missing required property 'id'" ;;
	version) want='\$\.version: expected "2\.1\.0"' ;;
	line) want='results\[4\].*startLine: 0 is less than the minimum 1' ;;
	esac
	python3 - "$T/report.sarif" "${case#*:}" >"$T/broken-$name.sarif" <<'EOF'
import json, sys
log = json.load(open(sys.argv[1]))
where, key, val = sys.argv[2].split(":", 2)
run = log["runs"][0]
if where == "version":
    log["version"] = val
elif where.startswith("rules."):
    del run["tool"]["driver"]["rules"][int(where.split(".")[1])][key]
else:
    res = run["results"][int(where.split(".")[1])]
    loc = res["locations"][0]["physicalLocation"]
    if key == "ruleId":
        del res["ruleId"]
    elif key == "uri":
        loc["artifactLocation"]["uri"] = val
    elif key == "line":
        loc["region"]["startLine"] = int(val)
    else:
        res[key] = val
print(json.dumps(log))
EOF
	expect_exit 1 "sarif_check rejects a broken log ($name)" python3 "$CHECK" "$T/broken-$name.sarif"
	expect_grep "sarif_check names the problem ($name)" "$want" "$T/out"
done

# fingerprints survive a line inserted at the top of a file
cp -R "$PPERF_ROOT/examples/app" "$T/shifted"
{ printf '\n'; cat "$PPERF_ROOT/examples/app/$f0"; } >"$T/shifted/$f0"
expect_exit 0 "audit of the shifted copy (sarif)" "$PPERF_BIN/pperf" --format sarif "$T/shifted"
cp "$T/out" "$T/shifted.sarif"
pyok "sarif: fingerprints stable when a blank line is inserted at the top" \
	"$T/report.sarif" "$T/shifted.sarif" "$f0" <<'EOF'
import json, sys
def index(p):
    out = {}
    for r in json.load(open(p))["runs"][0]["results"]:
        pl = r["locations"][0]["physicalLocation"]
        key = (r["ruleId"], pl["artifactLocation"]["uri"], r["partialFingerprints"]["pperfFingerprint/v1"])
        out.setdefault(key, []).append(pl["region"]["startLine"])
    return out
a, b = index(sys.argv[1]), index(sys.argv[2])
assert sorted(a) == sorted(b), sorted(set(a) ^ set(b))[:4]
moved = 0
for k in a:
    if k[1] == sys.argv[3]:
        assert [x + 1 for x in sorted(a[k])] == sorted(b[k]), (k, a[k], b[k])
        moved += 1
    else:
        assert a[k] == b[k], k
assert moved, "no finding in the shifted file"
EOF

# names that need percent-encoding; a report without check documentation
python3 - "$T/report.json" >"$T/odd.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
r["findings"][0]["file"] = "dir with space/caf\u00e9#1.py"
r["findings"][1]["chain"] = ["handler (app/a b.py:12)", "resize (/abs.py:3)", "no place", "time.sleep (app/c.py:44)"]
for c in r["categories"]:
    c["checks"] = [{"id": x["id"], "ran": x["ran"], "findings": x["findings"]} for x in c["checks"]]
print(json.dumps(r))
EOF
expect_exit 0 "--format sarif, odd file name, no check documentation" "$P" --format sarif "$T/odd.json"
cp "$T/out" "$T/odd.sarif"
expect_exit 0 "sarif: odd report passes sarif_check.py" python3 "$CHECK" "$T/odd.sarif"
expect_grep "sarif: file names percent-encoded" '"uri": "dir%20with%20space/caf%C3%A9%231.py"' "$T/odd.sarif"
pyok "sarif: the call chain's places as relatedLocations" "$T/odd.sarif" <<'EOF'
import json, sys
res = json.load(open(sys.argv[1]))["runs"][0]["results"]
rel = [(x["id"], x["physicalLocation"]["artifactLocation"]["uri"], x["physicalLocation"]["region"]["startLine"],
        x["message"]["text"]) for x in res[1]["relatedLocations"]]
assert rel == [(0, "app/a%20b.py", 12, "handler (app/a b.py:12)"),
               (3, "app/c.py", 44, "time.sleep (app/c.py:44)")], rel
assert res[1]["properties"]["chain"][2] == "no place"
assert all("relatedLocations" not in r for r in res[2:]), "related locations without a chain"
EOF

# ---- the driver passes the formats through
expect_exit 2 "pperf --format bogus is a usage error" "$PPERF_BIN/pperf" --format bogus "$T/app"
expect_grep "pperf --format bogus lists the formats" "unknown format 'bogus' (markdown, json, text, sarif or html)" \
	"$T/err"
expect_exit 0 "pperf --format html -o page.html" "$PPERF_BIN/pperf" --format html -o "$T/page.html" "$T/app"
expect_grep "pperf --format html wrote the page" '^<!DOCTYPE html>' "$T/page.html"
(cd "$T/app" && "$PPERF_BIN/pperf" --format text) >"$T/drv-text" 2>"$T/drv-err"
if cmp -s "$T/drv-text" "$T/text-in"; then ok "pperf --format text equals pperf-publish --format text"; else
	fail "pperf --format text equals pperf-publish --format text" "$(diff "$T/text-in" "$T/drv-text" | head -5)"; fi

# ---- HTML
python3 - "$T/report.json" >"$T/hostile.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
f = r["findings"][0]
f["issue"] = "</td><script>alert(1)</script><img src=x onerror=alert(2)>"
f["file"] = "a\"><b>x</b>.py"
f["snippet"] = "if a < b && c > d: '</pre>'"
r["sources"] = [{"title": "<i>t</i>", "url": "javascript:alert(3)"}]
print(json.dumps(r))
EOF
expect_exit 0 "--format html, hostile report text" "$P" --format html "$T/hostile.json"
cp "$T/out" "$T/hostile.html"
pyok "html: report text escaped, nothing fetched" "$T/hostile.html" <<'EOF'
import re, sys
h = open(sys.argv[1], encoding="utf-8").read()
assert h.count("<script") == 1, "a script element from the report"
for bad in ("<img src=x", "<b>x</b>", "<i>t</i>", "href=\"javascript:", "'</pre>'"):
    assert bad not in h, bad
assert "&lt;script&gt;alert(1)&lt;/script&gt;" in h
assert "a&quot;&gt;&lt;b&gt;x&lt;/b&gt;.py" in h
assert re.search(r"default-src 'none'", h), "no Content-Security-Policy"
for ext in (r"<link\b", r"<[^>]*\bsrc=", r"@import", r"url\("):
    assert not re.search(ext, h), "external resource: " + ext
EOF

expect_exit 0 "--format html" "$P" --format html "$T/report.json"
cp "$T/out" "$T/report.html"
chromium=
for c in chromium chromium-browser; do
	command -v "$c" >/dev/null 2>&1 && chromium=$c && break
done
if [ -z "$chromium" ]; then
	skip "html in headless Chromium" "chromium not installed (make deps installs it)"
	done_testing
fi
chrome() {
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$T/chrome" \
		"$@" 2>"$T/chrome.err"
}
chrome --window-size=1280,2000 --screenshot="$T/report.png" "file://$T/report.html" >/dev/null
if [ -s "$T/report.png" ] && [ "$(head -c 4 "$T/report.png" | tail -c 3)" = PNG ]; then
	ok "html: screenshot in headless Chromium"
else
	fail "html: screenshot in headless Chromium" "$(tail -c 400 "$T/chrome.err")"
fi
chrome --dump-dom "file://$T/report.html" >"$T/dom.html"
pyok "html: the rendered page shows the overall and category scores and every finding" \
	"$T/dom.html" "$T/report.json" <<'EOF'
import html, json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
rep = json.load(open(sys.argv[2]))
assert "data-js" in dom, "the script did not run to its end"
text = html.unescape(re.sub(r"<[^>]+>", " ", dom))
text = re.sub(r"\s+", " ", text)
assert "Overall score %.1f/10" % rep["overall_score"] in text, "overall score"
for c in rep["categories"]:
    assert "%s %.1f/10" % (c["category"], c["score"]) in text, c["category"]
assert "%d of %d findings" % (len(rep["findings"]), len(rep["findings"])) in text
for s in ("CRITICAL", "HIGH", "MEDIUM", "LOW"):
    assert re.search(r"%s %d\b" % (s, rep["severity_counts"][s]), text), "severity chart " + s
EOF
# the filters and the sort, restored from the URL's fragment
chrome --dump-dom "file://$T/report.html#sev=LOW&sort=3.d" >"$T/dom-low.html"
pyok "html: filter by severity and sort by location (from the fragment)" "$T/dom-low.html" "$T/report.json" <<'EOF'
import json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
rep = json.load(open(sys.argv[2]))
rows = re.findall(r'<tr data-i="(\d+)" data-sev="([A-Z]*)"[^>]*?( hidden="")?>', dom)
assert len(rows) == len(rep["findings"]), len(rows)
shown = [(int(i), s) for i, s, h in rows if not h]
low = [f for f in rep["findings"] if f["severity"] == "LOW"]
assert shown and all(s == "LOW" for _, s in shown) and len(shown) == len(low), shown
locs = [(rep["findings"][i]["file"], rep["findings"][i]["line"]) for i, _ in shown]
assert locs == sorted(locs, reverse=True), locs
assert 'id="shown">%d<' % len(low) in dom
EOF
done_testing
