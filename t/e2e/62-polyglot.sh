#!/bin/sh
# One report over a polyglot repository: pperf on t/fixtures/polyglot (a
# FastAPI service, an Express service and a net/http service in one tree)
# writes ONE report in which every finding names the language of its file
# ("python", "typescript", "go"), the languages named are exactly those of
# the files with findings, the Python findings are there, the Go
# string_concat_in_loop is there, and each category's counts and score
# count the findings of all three languages.  Which TypeScript checks are
# registered is not assumed.
. "$PPERF_ROOT/t/e2e/lib.sh"

app=$PPERF_ROOT/t/fixtures/polyglot

if ! command -v python3 >/dev/null 2>&1; then
	skip "polyglot" "python3 not installed"
	done_testing
fi

expect_exit 0 "pperf audits t/fixtures/polyglot (json)" "$PPERF_BIN/pperf" --format json "$app"
cp "$TMPDIR/out" "$TMPDIR/poly.json"

python3 - "$TMPDIR/poly.json" "$app" >"$TMPDIR/poly.check" 2>&1 <<'PY'
import json, os, re, sys
rep = json.load(open(sys.argv[1]))
root = sys.argv[2]
fs = rep["findings"]
def check(ok, name, detail=""):
    print(("ok: %s" % name) if ok else ("FAIL: %s: %s" % (name, detail)))
def lang_of(path):
    ext = os.path.splitext(path)[1]
    return {".py": "python", ".go": "go", ".ts": "typescript", ".tsx": "typescript",
            ".js": "typescript", ".mjs": "typescript", ".cjs": "typescript"}.get(ext)
def line_of(rel, pattern):
    for i, l in enumerate(open(os.path.join(root, rel)).read().splitlines()):
        if re.search(pattern, l):
            return i + 1
    return -1

bad = [f["location"] for f in fs if f.get("language") != lang_of(f["file"])]
check(fs and not bad, "every finding names the language of its file", bad or "no findings")
named = sorted({f.get("language") for f in fs})
with_findings = sorted({lang_of(f["file"]) for f in fs})
check(named == with_findings, "the languages named are those of the files with findings", named)

py = [f for f in fs if f.get("language") == "python"]
main = "catalog-py/app/main.py"
want = line_of(main, r"text \+= ")
check(any(f["check"] == "string_concat_in_loop" and f["file"] == main and f["line"] == want for f in py),
      "python: string_concat_in_loop at the export's +=", [f["location"] for f in py])
want = line_of(main, r"time\.sleep\(")
check(any(f["check"] == "sync_sleep_in_async" and f["file"] == main and f["line"] == want for f in py),
      "python: sync_sleep_in_async at time.sleep", [f["location"] for f in py])

gof = "billing-go/internal/api/invoices.go"
want = line_of(gof, r"text \+= ")
check(any(f["check"] == "string_concat_in_loop" and f["file"] == gof and f["line"] == want
          and f.get("language") == "go" for f in fs),
      "go: string_concat_in_loop at the invoice text's +=", [f["location"] for f in fs if f["file"] == gof])
check(all(f["file"].startswith(("catalog-py/", "storefront-ts/", "billing-go/")) for f in fs),
      "findings are in the three services", [f["location"] for f in fs])

# each category counts every finding of its category, whatever the language
sevs = ("critical", "high", "medium", "low")
for c in rep["categories"]:
    mine = [f for f in fs if f.get("category") == c["category"]]
    counts = {s: sum(1 for f in mine if f["severity"].lower() == s) for s in sevs}
    check(c["total_issues"] == len(mine) and all(c[s] == counts[s] for s in sevs),
          "%s counts the findings of all languages" % c["category"],
          "total %s, findings %d (%s)" % (c["total_issues"], len(mine), sorted({f.get("language") for f in mine})))
    per_check = {}
    for f in mine:
        per_check[f["check"]] = per_check.get(f["check"], 0) + 1
    check(all(k.get("findings", 0) == per_check.get(k["id"], 0) for k in c["checks"]),
          "%s per-check counts include every language" % c["category"], per_check)
# a TypeScript or Go finding never cites another language's library
foreign = {"python": ("prisma.io", "typeorm", "nodejs.org", "node-postgres", "knexjs", "go.dev", "gorm.io", "pkg.go.dev"),
           "typescript": ("sqlalchemy", "fastapi", "docs.python.org", "go.dev", "gorm.io", "pkg.go.dev"),
           "go": ("sqlalchemy", "fastapi", "docs.python.org", "prisma.io", "typeorm", "nodejs.org", "node-postgres")}
wrong = [(f["location"], f.get("source")) for f in fs
         if f.get("source") and any(k in f["source"] for k in foreign.get(f.get("language"), ()))]
check(not wrong, "each finding cites documentation of its own language's stack", wrong)
cited = sorted({f.get("language") for f in fs if f.get("source")})
check(cited == named, "findings of every language cite a source", cited)
rt = [c for c in rep["categories"] if c["category"] == "Runtime Performance"]
langs = sorted({f.get("language") for f in fs if f.get("category") == "Runtime Performance"})
check(rt and len(langs) >= 2 and rt[0]["score"] < 10, "the runtime score reflects findings of several languages",
      "%s %s" % (langs, rt and rt[0]["score"]))
PY
cat "$TMPDIR/poly.check"
_t_pass=$((_t_pass + $(grep -c '^ok:' "$TMPDIR/poly.check")))
_t_fail=$((_t_fail + $(grep -c '^FAIL:' "$TMPDIR/poly.check")))
if ! grep -q '^ok:' "$TMPDIR/poly.check"; then
	fail "polyglot assertions ran" "$(head -c 400 "$TMPDIR/poly.check")"
fi

# the Markdown report of the same tree names the three services' files
expect_exit 0 "pperf audits t/fixtures/polyglot (markdown)" "$PPERF_BIN/pperf" "$app"
expect_grep "markdown names the Go file" "billing-go/internal/api/invoices.go" "$TMPDIR/out"
expect_grep "markdown names the Python file" "catalog-py/app/main.py" "$TMPDIR/out"
done_testing
