# t/e2e/31-publish.sh: pperf-publish on reports built from t/fixtures/results:
# the Markdown outline and escaping, --format json, -o (atomic file,
# /dev/stdout, FIFO, missing directory), bad input, --fail-on, usage,
# man page.
. "$PPERF_ROOT/t/e2e/lib.sh"

A=$PPERF_BIN/pperf-aggregate
P=$PPERF_BIN/pperf-publish
R=$PPERF_ROOT/t/fixtures/results
T=$TMPDIR

# pycheck NAME FILE CODE: runs python3 CODE with md = the text of FILE (and
# d = its JSON when it parses); ok when it raises nothing.
pycheck() {
	if python3 - "$2" "$3" >"$T/py.err" 2>&1 <<'EOF'
import json, re, sys
md = open(sys.argv[1]).read()
try:
    d = json.loads(md)
except ValueError:
    d = None
def cells(row):
    """The cells of a Markdown table row, split on unescaped pipes."""
    parts, cur, i = [], "", 0
    row = row.strip()
    assert row.startswith("|") and row.endswith("|"), row
    row = row[1:-1]
    while i < len(row):
        if row[i] == "\\" and i + 1 < len(row):
            cur += row[i:i + 2]
            i += 2
            continue
        if row[i] == "|":
            parts.append(cur.strip())
            cur = ""
        else:
            cur += row[i]
        i += 1
    parts.append(cur.strip())
    return parts
exec(sys.argv[2])
EOF
	then
		ok "$1"
	else
		fail "$1" "$(tail -n 4 "$T/py.err" | tr '\n' ' ')"
	fi
}

empty_stdout() {
	if [ -s "$T/out" ]; then
		fail "$1" "stdout not empty: $(head -c 200 "$T/out")"
	else
		ok "$1"
	fi
}

# ---- reports to publish
"$A" --date 2024-05-01 "$R/query.json" "$R/txn.json" "$R/runtime.json" >"$T/report.json" ||
	fail "aggregate for publish" "exit status $?"
"$A" --date 2024-05-01 --context "$R/context.json" "$R/query.json" "$R/failed-txn.json" \
	"$R/runtime.json" "$R/runtime-shard2.json" >"$T/failed.json" 2>/dev/null
[ $? -eq 4 ] || fail "aggregate failed report" "expected exit status 4"

# ---- Markdown
expect_exit 0 "markdown by default" "$P" "$T/report.json"
cp "$T/out" "$T/report.md"
pycheck "headings in order" "$T/report.md" '
want = ["## Persistence & Performance Audit Report - 2024-05-01", "### Executive Summary",
        "### Compliance Score", "### Severity Summary", "### Findings by Category",
        "#### Query Efficiency", "#### Transaction Correctness", "#### Runtime Performance",
        "### Recommended Actions (Priority-Sorted)", "### Sources Consulted"]
got = [l for l in md.splitlines() if l.startswith("#")]
assert got == want, got
assert md.startswith(want[0] + "\n\n")'
pycheck "executive summary from the numbers" "$T/report.md" '
s = md.split("### Executive Summary\n\n")[1].split("\n\n")[0]
assert "7.8/10" in s and "3 audited categories" in s, s
assert "9 issues: 5 high, 3 medium and 1 low" in s, s
assert "weakest category is Runtime Performance (7.3/10)" in s, s
assert "most frequent issue is `blocking_io_in_async` (2 findings)" in s, s
assert 2 <= s.count(". ") + 1 <= 3, s'
pycheck "compliance table" "$T/report.md" '
sec = md.split("### Compliance Score\n\n")[1].split("\n\n")[0].splitlines()
assert cells(sec[0]) == ["Category", "Score", "Notes"], sec[0]
rows = [cells(r) for r in sec[2:]]
assert [r[:2] for r in rows] == [["Query Efficiency", "7.5/10"], ["Transaction Correctness", "8.5/10"],
                                 ["Runtime Performance", "7.3/10"], ["**Overall**", "**7.8/10**"]], rows
assert rows[0][2].startswith("2 high: n_plus_one_query x1"), rows[0]'
pycheck "severity table" "$T/report.md" '
sec = md.split("### Severity Summary\n\n")[1].split("\n\n")[0].splitlines()
assert cells(sec[0]) == ["Severity", "Count"]
assert [cells(r) for r in sec[2:]] == [["CRITICAL", "0"], ["HIGH", "5"], ["MEDIUM", "3"],
                                       ["LOW", "1"], ["**Total**", "**9**"]], sec'
pycheck "findings tables: five cells a row, escaped" "$T/report.md" '
sec = md.split("### Findings by Category\n\n")[1].split("### Recommended")[0]
rows = [l for l in sec.splitlines() if l.startswith("|")]
assert cells(rows[0]) == ["Severity", "Location", "Issue", "Recommendation", "Effort"]
body = [cells(r) for r in rows if not r.startswith("| Severity") and not r.startswith("| ---")]
assert len(body) == 9, len(body)
for c in body:
    assert len(c) == 5, c
    assert c[0] in ("CRITICAL", "HIGH", "MEDIUM", "LOW") and c[4] in ("S", "M", "L", "S-M", "M-L"), c
    assert c[1].startswith("`") and c[1].endswith("`"), c
first = [c for c in body if c[1] == "`app/api/files.py:12`"][0]
assert "open() \\| read() blocks" in first[2], first
assert "upload<br>second line" in first[2], first
assert first[3] == "Use `await asyncio.to_thread(path.read_bytes)` or aiofiles", first
q = sec.split("#### Query Efficiency\n\n")[1].split("####")[0]
assert q.index("app/api/orders.py:42") < q.index("app/api/orders.py:88") < q.index("app/services/importer.py:17")'
pycheck "recommended actions grouped by check, most severe first" "$T/report.md" '
sec = md.split("### Recommended Actions (Priority-Sorted)\n\n")[1].split("\n\n")[0].splitlines()
assert len(sec) == 8, sec
assert all(l.startswith("%d. " % (i + 1)) for i, l in enumerate(sec)), sec
sev = [re.match(r"\d+\. \*\*(\w+)\*\*", l).group(1) for l in sec]
order = {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 2, "LOW": 3}
assert [order[s] for s in sev] == sorted(order[s] for s in sev), sev
assert "`blocking_io_in_async` (Runtime Performance, 2 findings)" in sec[0], sec[0]
assert sec[0].endswith("Where: `app/api/files.py:12`, `app/workers/sync.py:9`."), sec[0]'
pycheck "no sources: offline" "$T/report.md" '
assert md.rstrip().endswith("### Sources Consulted\n\nNone (offline run)."), md[-200:]'

# ---- failed category, sources, empty category
expect_exit 0 "report with a failed category" "$P" "$T/failed.json"
cp "$T/out" "$T/failed.md"
pycheck "failed category shown as error" "$T/failed.md" '
row = [l for l in md.splitlines() if l.startswith("| Transaction Correctness |")][0]
c = cells(row)
assert c[1] == "error" and "killed by signal 9" in c[2], c
assert "Category not audited (failed: pperf-audit-txn was killed by signal 9)." in md
assert "1 category could not be audited (Transaction Correctness)" in md
ov = cells([l for l in md.splitlines() if l.startswith("| **Overall**")][0])
assert ov[1] == "**7.2/10**" and ov[2] == "mean of 2 audited categories", ov'
pycheck "sources listed" "$T/failed.md" '
src = md.split("### Sources Consulted\n\n")[1].strip().splitlines()
assert src == ["- [SQLAlchemy 2.0 \\| Session Basics](https://docs.sqlalchemy.org/en/20/orm/session_basics.html)",
               "- PostgreSQL 16 manual"], src'
printf '{"schema":"pperf.result/1","category":"Transaction Correctness","score":10.0,"total_issues":0,"critical":0,"high":0,"medium":0,"low":0,"checks":[{"id":"missing_rollback","ran":true,"findings":0}],"findings":[]}\n' >"$T/clean-txn.json"
python3 - "$T/many.json" <<'EOF'
import json, sys
fs = [{"check": "redundant_copy", "severity": "LOW", "file": "app/m%d.py" % i, "line": 3,
       "location": "app/m%d.py:3" % i, "issue": "copy | only read", "principle": "p",
       "recommendation": "Use the original", "effort": "S", "snippet": "x"} for i in range(8)]
json.dump({"schema": "pperf.result/1", "category": "Runtime Performance", "score": 8.4,
           "total_issues": 8, "critical": 0, "high": 0, "medium": 0, "low": 8,
           "checks": [{"id": "redundant_copy", "ran": True, "findings": 8}], "findings": fs},
          open(sys.argv[1], "w"))
EOF
"$A" --date 2024-05-02 "$T/clean-txn.json" "$T/many.json" >"$T/mixed.json" || fail "aggregate mixed" "exit $?"
expect_exit 0 "report with a clean category" "$P" "$T/mixed.json"
cp "$T/out" "$T/mixed.md"
pycheck "clean category: No findings." "$T/mixed.md" '
assert "#### Transaction Correctness\n\nNo findings.\n" in md, md
assert "| Transaction Correctness | 10.0/10 | no issues found |" in md'
pycheck "actions: five locations then and K more" "$T/mixed.md" '
sec = md.split("### Recommended Actions (Priority-Sorted)\n\n")[1].split("\n\n")[0].splitlines()
assert len(sec) == 1, sec
assert sec[0].startswith("1. **LOW** `redundant_copy` (Runtime Performance, 8 findings): Use the original. Where: "), sec[0]
assert sec[0].count("`app/m") == 5 and sec[0].endswith(" and 3 more."), sec[0]'
printf '{"schema":"pperf.report/1","date":"2024-05-03","categories":[],"findings":[],"sources":[]}\n' >"$T/minimal.json"
expect_exit 0 "minimal report" "$P" "$T/minimal.json"
cp "$T/out" "$T/minimal.md"
pycheck "minimal report renders every heading" "$T/minimal.md" '
for h in ("### Executive Summary", "### Compliance Score", "### Severity Summary",
          "### Findings by Category", "### Recommended Actions (Priority-Sorted)", "### Sources Consulted"):
    assert "\n" + h + "\n" in md, h
assert "| **Overall** | **n/a** | no category audited |" in md'

# ---- --format json
expect_exit 0 "--format json" "$P" --format json "$T/report.json"
cp "$T/out" "$T/report-out.json"
pycheck "json output is the report" "$T/report-out.json" "
assert d == json.load(open('$T/report.json'))
assert md == open('$T/report.json').read()"

# ---- input from stdin, in a pipeline
expect_exit 0 "report on stdin" sh -c '"$1" <"$2"' sh "$P" "$T/report.json"
if cmp -s "$T/out" "$T/report.md"; then ok "stdin equals file"; else fail "stdin equals file" "outputs differ"; fi
expect_exit 0 "aggregate | publish" sh -c 'cat "$2" "$3" "$4" | "$1" --date 2024-05-01 | "$5"' sh \
	"$A" "$R/query.json" "$R/txn.json" "$R/runtime.json" "$P"
if cmp -s "$T/out" "$T/report.md"; then ok "pipeline equals files"; else fail "pipeline equals files" "outputs differ"; fi

# ---- -o
mkdir "$T/dir"
expect_exit 0 "-o regular file" "$P" -o "$T/dir/audit.md" "$T/report.json"
empty_stdout "-o: nothing on stdout"
if cmp -s "$T/dir/audit.md" "$T/report.md"; then ok "-o content"; else fail "-o content" "differs"; fi
if [ "$(ls -A "$T/dir")" = "audit.md" ]; then ok "-o leaves no temp file"; else fail "-o leaves no temp file" "$(ls -A "$T/dir" | tr '\n' ' ')"; fi
echo "old content" >"$T/dir/audit.md"
chmod 640 "$T/dir/audit.md"
expect_exit 0 "-o replaces an existing file" "$P" --output "$T/dir/audit.md" "$T/report.json"
if cmp -s "$T/dir/audit.md" "$T/report.md"; then ok "-o replaced content"; else fail "-o replaced content" "differs"; fi
case $(ls -l "$T/dir/audit.md") in
-rw-r-----*) ok "-o keeps the mode" ;;
*) fail "-o keeps the mode" "$(ls -l "$T/dir/audit.md")" ;;
esac
if [ "$(ls -A "$T/dir")" = "audit.md" ]; then ok "-o replace leaves no temp file"; else fail "-o replace leaves no temp file" "$(ls -A "$T/dir" | tr '\n' ' ')"; fi
expect_exit 3 "-o with bad input" "$P" -o "$T/dir/audit.md" "$R/malformed.json"
if cmp -s "$T/dir/audit.md" "$T/report.md"; then ok "bad input leaves -o file untouched"; else fail "bad input leaves -o file untouched" "changed"; fi
expect_exit 0 "-o /dev/stdout" "$P" -o /dev/stdout "$T/report.json"
if cmp -s "$T/out" "$T/report.md"; then ok "-o /dev/stdout content"; else fail "-o /dev/stdout content" "differs"; fi
expect_exit 4 "-o into a missing directory" "$P" -o "$T/nodir/audit.md" "$T/report.json"
expect_grep "-o missing directory: message" "nodir/audit.md: error: cannot write: " "$T/err"
empty_stdout "-o missing directory: nothing on stdout"
if [ -e "$T/nodir" ]; then fail "-o missing directory: nothing created" "exists"; else ok "-o missing directory: nothing created"; fi
if mkfifo "$T/fifo" 2>/dev/null; then
	cat "$T/fifo" >"$T/fifo.out" &
	reader=$!
	expect_exit 0 "-o FIFO" "$P" -o "$T/fifo" --format json "$T/report.json"
	wait "$reader"
	if [ -p "$T/fifo" ] && cmp -s "$T/fifo.out" "$T/report.json"; then
		ok "-o FIFO written directly"
	else
		fail "-o FIFO written directly" "fifo replaced or content differs"
	fi
else
	skip "-o FIFO" "mkfifo failed"
fi

# ---- bad input: exit 3, located message, nothing on stdout
expect_exit 3 "malformed JSON" "$P" "$R/malformed.json"
expect_grep "malformed: file:line:col" "^pperf-publish: .*malformed.json:4:17: error: " "$T/err"
empty_stdout "malformed: nothing on stdout"
expect_exit 3 "a result is not a report" "$P" "$R/query.json"
expect_grep "wrong schema named" 'schema: expected "pperf.report/1", got "pperf.result/1"' "$T/err"
empty_stdout "wrong schema: nothing on stdout"
expect_exit 3 "empty stdin" sh -c '"$1" </dev/null' sh "$P"
expect_grep "empty stdin: message" "<stdin>: error: empty input" "$T/err"
expect_exit 3 "two documents" sh -c 'cat "$2" "$2" | "$1"' sh "$P" "$T/report.json"
empty_stdout "two documents: nothing on stdout"
printf '{"schema":"pperf.report/1","categories":[],"findings":[{"check":"x"}]}' >"$T/badfinding.json"
expect_exit 3 "report with a bad finding" "$P" "$T/badfinding.json"
expect_exit 4 "missing input file" "$P" "$T/none.json"
empty_stdout "missing input: nothing on stdout"

# ---- --fail-on
expect_exit 1 "--fail-on HIGH" "$P" --fail-on HIGH "$T/report.json"
if cmp -s "$T/out" "$T/report.md"; then ok "--fail-on still writes"; else fail "--fail-on still writes" "differs"; fi
expect_exit 0 "--fail-on CRITICAL" "$P" --fail-on CRITICAL "$T/report.json"
expect_exit 1 "--fail-on with -o" "$P" --fail-on medium -o "$T/dir/f.md" "$T/report.json"
if [ -s "$T/dir/f.md" ]; then ok "--fail-on with -o writes the file"; else fail "--fail-on with -o writes the file" "empty"; fi
expect_exit 0 "failed category does not change publish's status" "$P" "$T/failed.json"

# ---- usage
expect_exit 2 "unknown format" "$P" --format xml "$T/report.json"
expect_grep "unknown format: synopsis" "^usage: pperf-publish " "$T/err"
expect_exit 2 "two files" "$P" "$T/report.json" "$T/report.json"
expect_exit 2 "unknown option" "$P" -x
expect_exit 2 "-o without argument" "$P" -o
expect_exit 2 "bad --fail-on" "$P" --fail-on urgent "$T/report.json"
expect_exit 0 "--help" "$P" --help
expect_grep "--help lists formats" "markdown" "$T/out"
expect_exit 0 "--version" "$P" --version
expect_grep "--version output" "^pperf-publish [0-9]" "$T/out"

# ---- man page
if command -v mandoc >/dev/null 2>&1; then
	expect_exit 0 "pperf-publish.1 lint" mandoc -Tlint -Wwarning "$PPERF_ROOT/man/pperf-publish.1"
	"$P" --help >"$T/help.txt"
	mandoc -Tutf8 "$PPERF_ROOT/man/pperf-publish.1" >"$T/man.txt"
	if python3 - "$T/help.txt" "$T/man.txt" >"$T/py.err" 2>&1 <<'EOF'
import re, sys
help_ = open(sys.argv[1]).read().split("\n\n")[0]
man = re.sub(".\b", "", open(sys.argv[2]).read())
syn = man.split("\nSYNOPSIS\n")[1].split("\nDESCRIPTION\n")[0]
norm = lambda s: " ".join(s.split())
assert norm(help_) == "usage: " + norm(syn), (norm(help_), norm(syn))
EOF
	then ok "man SYNOPSIS equals --help usage"; else fail "man SYNOPSIS equals --help usage" "$(tail -n 2 "$T/py.err" | tr '\n' ' ')"; fi
else
	skip "man page checks" "mandoc not installed"
fi

done_testing
