# t/e2e/30-aggregate.sh: pperf-aggregate on the results of t/fixtures/results:
# merging, scores, order, duplicates, shards, stdin streams, failed and
# missing categories, bad input, --fail-on, --context, usage, man page.
. "$PPERF_ROOT/t/e2e/lib.sh"

A=$PPERF_BIN/pperf-aggregate
R=$PPERF_ROOT/t/fixtures/results
T=$TMPDIR

# jcheck NAME FILE CODE: runs python3 CODE with d = the JSON document in FILE;
# ok when it raises nothing.
jcheck() {
	if python3 - "$2" "$3" >"$T/py.err" 2>&1 <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[2])
EOF
	then
		ok "$1"
	else
		fail "$1" "$(tail -n 4 "$T/py.err" | tr '\n' ' ')"
	fi
}

# empty_stdout NAME: ok when the last expect_exit wrote nothing on stdout.
empty_stdout() {
	if [ -s "$T/out" ]; then
		fail "$1" "stdout not empty: $(head -c 200 "$T/out")"
	else
		ok "$1"
	fi
}

# ---- three results
expect_exit 0 "three results merge" "$A" --date 2024-05-01 "$R/query.json" "$R/txn.json" "$R/runtime.json"
cp "$T/out" "$T/three.json"
jcheck "report schema and date" "$T/three.json" '
assert d["schema"] == "pperf.report/1"
assert d["date"] == "2024-05-01"
assert list(d) == ["schema", "date", "codebase_root", "tech_stack", "linear", "categories",
                   "overall_score", "severity_counts", "findings", "sources", "suppressed"], list(d)
assert d["suppressed"] == 0
assert d["codebase_root"] == "/srv/shop" and d["tech_stack"]["orm"] == "sqlalchemy"
assert d["linear"] is None and d["sources"] == []'
jcheck "category order, counts and scores" "$T/three.json" '
c = d["categories"]
assert [x["category"] for x in c] == ["Query Efficiency", "Transaction Correctness", "Runtime Performance"]
assert [x["score"] for x in c] == [7.5, 8.5, 7.3], [x["score"] for x in c]
assert [x["status"] for x in c] == ["ok"] * 3
assert [(x["total_issues"], x["critical"], x["high"], x["medium"], x["low"]) for x in c] == \
    [(3, 0, 2, 1, 0), (2, 0, 1, 1, 0), (4, 0, 2, 1, 1)]
for x in c:
    assert list(x) == ["category", "status", "score", "notes", "total_issues", "critical",
                       "high", "medium", "low", "checks"], list(x)
assert d["overall_score"] == 7.8
assert d["severity_counts"] == {"CRITICAL": 0, "HIGH": 5, "MEDIUM": 3, "LOW": 1}'
jcheck "notes generated from the data" "$T/three.json" '
n = [x["notes"] for x in d["categories"]]
assert n[0] == "2 high: n_plus_one_query x1, n_update_delete_loop x1; 1 medium: missing_bulk_ops x1; 4 checks not yet run", n[0]
assert n[2].endswith("1 low: unnecessary_allocation x1"), n[2]'
jcheck "findings sorted CRITICAL to LOW, then path and line" "$T/three.json" '
rank = {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 2, "LOW": 3}
keys = [(rank[f["severity"]], f["file"], f["line"]) for f in d["findings"]]
assert keys == sorted(keys), keys
assert len(keys) == 9
assert d["findings"][0]["location"] == "app/api/files.py:12"
cats = {"n_plus_one_query": "Query Efficiency", "scope_too_wide": "Transaction Correctness",
        "blocking_io_in_async": "Runtime Performance"}
for f in d["findings"]:
    assert f["category"] == cats.get(f["check"], f["category"])
    assert f["category"] in ("Query Efficiency", "Transaction Correctness", "Runtime Performance")'
jcheck "checks kept, not-run checks listed" "$T/three.json" '
q = d["categories"][0]["checks"]
assert {"id": "redundant_fetch", "ran": False, "findings": 0} in q
assert {"id": "n_plus_one_query", "ran": True, "findings": 1} in q'

# ---- the same results as a stream on stdin give the same report
cat "$R/query.json" "$R/txn.json" "$R/runtime.json" >"$T/stream.json"
expect_exit 0 "stream on stdin" sh -c '"$1" --date 2024-05-01 <"$2"' sh "$A" "$T/stream.json"
cp "$T/out" "$T/stream-out.json"
jcheck "stream equals files" "$T/stream-out.json" "
assert d == json.load(open('$T/three.json'))"
# a file argument may hold a stream too, and "-" is stdin
expect_exit 0 "stream in a file and '-'" sh -c '"$1" --date 2024-05-01 "$2" - <"$3"' sh "$A" "$R/query.json" "$R/txn.json"
cp "$T/out" "$T/mixed.json"
jcheck "file plus stdin merged" "$T/mixed.json" '
assert [x["category"] for x in d["categories"]] == ["Query Efficiency", "Transaction Correctness"]'

# ---- duplicates and shards
expect_exit 0 "same result twice" "$A" --date 2024-05-01 "$R/query.json" "$R/query.json"
cp "$T/out" "$T/twice.json"
jcheck "exact duplicates dropped" "$T/twice.json" '
c = d["categories"][0]
assert c["total_issues"] == 3 and len(d["findings"]) == 3, c
assert c["score"] == 7.5
assert {"id": "n_plus_one_query", "ran": True, "findings": 1} in c["checks"], c["checks"]'
expect_exit 0 "two shards of one category" "$A" --date 2024-05-01 "$R/runtime.json" "$R/runtime-shard2.json"
cp "$T/out" "$T/shards.json"
jcheck "shards merged" "$T/shards.json" '
assert len(d["categories"]) == 1
c = d["categories"][0]
# 4 + 2 findings, one of them an exact duplicate
assert (c["total_issues"], c["high"], c["medium"], c["low"]) == (5, 2, 2, 1), c
assert c["score"] == 6.8, c["score"]
ch = {x["id"]: x for x in c["checks"]}
assert ch["cpu_bound_in_async"]["ran"] is True
assert ch["string_concat_in_loop"] == {"id": "string_concat_in_loop", "ran": True, "findings": 1}
assert ch["sync_sleep_in_async"]["findings"] == 1
assert len(c["checks"]) == 6'
python3 - "$T" <<'EOF'
import json, sys
# 3 shards of Query Efficiency, 4 findings each, one check per shard
for k in range(3):
    fs = [{"check": "n_plus_one_query", "severity": "LOW", "file": "s%d.py" % k, "line": i + 1,
           "location": "s%d.py:%d" % (k, i + 1), "issue": "i", "principle": "p",
           "recommendation": "r", "effort": "S", "snippet": "x"} for i in range(4)]
    doc = {"schema": "pperf.result/1", "category": "Query Efficiency", "score": 9.2,
           "total_issues": 4, "critical": 0, "high": 0, "medium": 0, "low": 4,
           "checks": [{"id": "n_plus_one_query", "ran": True, "findings": 4},
                      {"id": "shard%d_only" % k, "ran": k == 1, "findings": 0}],
           "findings": fs}
    json.dump(doc, open("%s/shard%d.json" % (sys.argv[1], k), "w"))
EOF
expect_exit 0 "three shards" "$A" "$T/shard0.json" "$T/shard1.json" "$T/shard2.json"
cp "$T/out" "$T/three-shards.json"
jcheck "three shards: counts, score, checks" "$T/three-shards.json" '
c = d["categories"][0]
assert c["low"] == 12 and c["score"] == 7.6, c
assert c["checks"][0] == {"id": "n_plus_one_query", "ran": True, "findings": 12}
assert [x["ran"] for x in c["checks"][1:]] == [False, True, False]
assert c["notes"] == "12 low: n_plus_one_query x12; 2 checks not yet run", c["notes"]'

# ---- failed and missing categories
expect_exit 4 "failed auditor: exit 4" "$A" --date 2024-05-01 "$R/query.json" "$R/failed-txn.json" "$R/runtime.json"
cp "$T/out" "$T/failed.json"
cp "$T/err" "$T/failed.err"
jcheck "failed category reported, the others kept" "$T/failed.json" '
c = {x["category"]: x for x in d["categories"]}
t = c["Transaction Correctness"]
assert t["status"] == "error" and t["score"] is None, t
assert "killed by signal 9" in t["notes"], t["notes"]
assert c["Query Efficiency"]["status"] == "ok" and c["Query Efficiency"]["score"] == 7.5
assert c["Runtime Performance"]["score"] == 7.3
assert d["overall_score"] == 7.4, d["overall_score"]
assert [x["category"] for x in d["categories"]] == ["Query Efficiency", "Transaction Correctness", "Runtime Performance"]'
expect_grep "failed category named on stderr" "Transaction Correctness.*killed by signal 9" "$T/failed.err"
expect_exit 4 "expected category missing: exit 4" "$A" --expect query --expect "Transaction Correctness" "$R/query.json"
cp "$T/out" "$T/missing.json"
jcheck "missing category reported as error" "$T/missing.json" '
t = d["categories"][1]
assert t["category"] == "Transaction Correctness" and t["status"] == "error", t
assert t["score"] is None and "no result" in t["notes"]
assert d["categories"][0]["status"] == "ok" and d["overall_score"] == 7.5'
expect_exit 0 "expected categories present" "$A" --expect query --expect txn --expect runtime \
	"$R/query.json" "$R/txn.json" "$R/runtime.json"
expect_exit 4 "only failed results" "$A" "$R/failed-txn.json"
cp "$T/out" "$T/allfailed.json"
jcheck "no category ran: overall null" "$T/allfailed.json" '
assert d["overall_score"] is None and d["categories"][0]["status"] == "error"'

# ---- bad input: exit 3, a located message, nothing on stdout
expect_exit 3 "malformed JSON" "$A" "$R/query.json" "$R/malformed.json"
expect_grep "malformed: file:line:col" "^pperf-aggregate: .*malformed.json:4:17: error: " "$T/err"
empty_stdout "malformed: nothing on stdout"
expect_exit 3 "malformed JSON in a stream" sh -c 'cat "$1" "$2" | "$3"' sh "$R/query.json" "$R/malformed.json" "$A"
n=$(($(wc -l <"$R/query.json") + 4))
expect_grep "malformed stream: line counted across documents" "^pperf-aggregate: <stdin>:$n:17: error: " "$T/err"
empty_stdout "malformed stream: nothing on stdout"
expect_exit 3 "wrong schema" "$A" "$R/wrong-schema.json"
expect_grep "wrong schema named" 'wrong-schema.json:1:1: error: schema: expected "pperf.result/1"' "$T/err"
empty_stdout "wrong schema: nothing on stdout"
expect_exit 3 "wrong schema second in a stream" sh -c 'cat "$1" "$2" | "$3"' sh "$R/query.json" "$R/wrong-schema.json" "$A"
n=$(($(wc -l <"$R/query.json") + 1))
expect_grep "wrong schema in stream: its position" "<stdin>:$n:1: error: schema" "$T/err"
expect_exit 3 "bad severity" "$A" "$R/bad-severity.json"
expect_grep "bad severity: field named" 'findings\[0\].severity' "$T/err"
expect_exit 3 "empty stdin" sh -c '"$1" </dev/null' sh "$A"
expect_grep "empty stdin: message" "<stdin>: error: empty input" "$T/err"
empty_stdout "empty stdin: nothing on stdout"
printf ' \n\t\n' >"$T/blank.json"
expect_exit 3 "blank file" "$A" "$R/query.json" "$T/blank.json"
empty_stdout "blank file: nothing on stdout"
printf '\000\001\002binary' >"$T/binary.json"
expect_exit 3 "binary file" "$A" "$T/binary.json"
expect_exit 3 "a report is not a result" "$A" "$T/three.json"
expect_exit 4 "missing file" "$A" "$R/query.json" "$T/no-such.json"
expect_grep "missing file named" "no-such.json: error: cannot open" "$T/err"
empty_stdout "missing file: nothing on stdout"

# ---- --fail-on
expect_exit 1 "--fail-on HIGH with HIGH findings" "$A" --fail-on HIGH "$R/query.json"
jcheck "--fail-on still writes the report" "$T/out" 'assert d["schema"] == "pperf.report/1"'
expect_exit 0 "--fail-on CRITICAL without critical" "$A" --fail-on critical "$R/query.json"
expect_exit 1 "--fail-on low" "$A" --fail-on low "$R/txn.json"
expect_exit 0 "--fail-on never" "$A" --fail-on never "$R/query.json"
expect_exit 4 "failed category wins over --fail-on" "$A" --fail-on LOW "$R/query.json" "$R/failed-txn.json"

# ---- --context, date
expect_exit 0 "--context" "$A" --context "$R/context.json" "$R/query.json"
cp "$T/out" "$T/ctx.json"
jcheck "context fields copied" "$T/ctx.json" '
assert d["codebase_root"] == "/srv/shop-from-context"
assert d["linear"] == {"team_id": "SHOP", "team_key": "SHP", "team_uuid": None}
assert d["sources"][1] == "PostgreSQL 16 manual" and d["sources"][0]["url"].startswith("https://")
assert d["tech_stack"]["db_version"] is None'
expect_exit 3 "--context with a result" "$A" --context "$R/query.json" "$R/query.json"
empty_stdout "bad context: nothing on stdout"
expect_exit 4 "--context missing" "$A" --context "$T/none.json" "$R/query.json"
expect_exit 0 "default date" env SOURCE_DATE_EPOCH=86400 "$A" "$R/query.json"
jcheck "default date is today (SOURCE_DATE_EPOCH)" "$T/out" 'assert d["date"] == "1970-01-02", d["date"]'
expect_exit 0 "date today UTC" "$A" "$R/query.json"
today=$(date -u +%Y-%m-%d)
jcheck "date is today" "$T/out" "assert d['date'] == '$today', d['date']"

# ---- usage
expect_exit 2 "unknown option" "$A" --bogus
expect_grep "unknown option: synopsis on stderr" "^usage: pperf-aggregate " "$T/err"
expect_exit 2 "bad date" "$A" --date 2023-02-29 "$R/query.json"
expect_exit 2 "bad date format" "$A" --date 2024-5-1 "$R/query.json"
expect_exit 0 "leap day" "$A" --date 2024-02-29 "$R/query.json"
expect_exit 2 "unknown --expect" "$A" --expect security "$R/query.json"
expect_exit 2 "bad --fail-on" "$A" --fail-on severe "$R/query.json"
expect_exit 2 "missing option argument" "$A" --date
expect_exit 0 "--help" "$A" --help
expect_grep "--help on stdout" "^usage: pperf-aggregate " "$T/out"
expect_exit 0 "--version" "$A" --version
expect_grep "--version output" "^pperf-aggregate [0-9]" "$T/out"

# ---- sources: the report keeps the context's sources that findings cite
if command -v python3 >/dev/null 2>&1; then
	"$PPERF_BIN/pperf-discover" "$PPERF_ROOT/examples/app" | "$PPERF_BIN/pperf-research" >"$T/researched.ctx" 2>/dev/null
	for a in query txn runtime; do
		"$PPERF_BIN/pperf-audit-$a" <"$T/researched.ctx" >"$T/r-$a.json" 2>/dev/null
	done
	expect_exit 0 "aggregate with a researched context" "$A" --context "$T/researched.ctx" \
		"$T/r-query.json" "$T/r-txn.json" "$T/r-runtime.json"
	if python3 - "$TMPDIR/out" "$T/researched.ctx" >"$T/py.err" 2>&1 <<'EOF'
import json, sys
rep = json.load(open(sys.argv[1]))
ctx = json.load(open(sys.argv[2]))
cited = {f["source"] for f in rep["findings"] if f.get("source")}
urls = [s["url"] for s in rep["sources"]]
assert cited, "no finding names its source"
assert set(urls) == cited, (sorted(set(urls) ^ cited))
assert len(urls) < len(ctx["sources"]), "every selected source kept"
order = [s["url"] for s in ctx["sources"] if s["url"] in cited]
assert urls == order, "not in the context's order"
EOF
	then ok "sources are the ones findings cite"; else fail "sources are the ones findings cite" "$(tail -n 2 "$T/py.err" | tr '\n' ' ')"; fi
else
	skip "sources are the ones findings cite" "python3 not installed"
fi

# ---- man page: lint, and SYNOPSIS equals the usage of --help
if command -v mandoc >/dev/null 2>&1; then
	expect_exit 0 "pperf-aggregate.1 lint" mandoc -Tlint -Wwarning "$PPERF_ROOT/man/pperf-aggregate.1"
	expect_exit 0 "pperf-json.5 lint" mandoc -Tlint -Wwarning "$PPERF_ROOT/man/pperf-json.5"
	"$A" --help >"$T/help.txt"
	mandoc -Tutf8 "$PPERF_ROOT/man/pperf-aggregate.1" >"$T/man.txt"
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
