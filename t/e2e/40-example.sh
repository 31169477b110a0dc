#!/bin/sh
# The bundled example app: the whole audit against its labels and against
# the expected Markdown report.
. "$PPERF_ROOT/t/e2e/lib.sh"

app=$PPERF_ROOT/examples/app
labels=$PPERF_ROOT/t/fixtures/example-expected.json
misses=$PPERF_ROOT/t/fixtures/example-known-misses.txt
golden=$PPERF_ROOT/t/fixtures/example-report.md
export SOURCE_DATE_EPOCH=1767225600   # 2026-01-01

if ! command -v python3 >/dev/null 2>&1; then
	skip "example app" "python3 not installed"
	done_testing
fi

expect_exit 0 "pperf audits examples/app (json)" "$PPERF_BIN/pperf" --format json "$app"
cp "$TMPDIR/out" "$TMPDIR/report.json"

python3 - "$TMPDIR/report.json" "$labels" "$misses" >"$TMPDIR/score" 2>&1 <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
labels = json.load(open(sys.argv[2]))
known = set()
for line in open(sys.argv[3]):
    line = line.strip()
    if line and not line.startswith("#"):
        check, loc = line.split()[:2]
        known.add((check, loc))
ran = {c["id"] for cat in rep["categories"] for c in cat.get("checks", []) if c["ran"]}
cats = [c["category"] for c in rep["categories"]]
print("ok: three categories" if len(cats) == 3 and all(c.get("status") == "ok" for c in rep["categories"])
      else "FAIL: three categories: %r" % cats)
finds = [(f["check"], f["file"], f["line"]) for f in rep["findings"]]
used = set()
for lab in labels:
    if lab["check"] not in ran:
        continue
    lo, hi = lab["lines"]
    hit = [f for f in finds if f[0] == lab["check"] and f[1] == lab["file"] and lo <= f[2] <= hi]
    used.update(hit)
    key = (lab["check"], "%s:%d" % (lab["file"], lab["line"]))
    name = "%s at %s:%d" % (lab["check"], lab["file"], lab["line"])
    if lab["optional"]:
        continue
    if key in known:
        print(("FAIL: %s: fixed, remove it from example-known-misses.txt" if hit else "ok: known miss %s") % name)
    else:
        print(("ok: found %s" if hit else "FAIL: missed %s: %s") % ((name,) if hit else (name, lab["note"])))
for f in finds:
    if f not in used:
        print("FAIL: no false positive: %s at %s:%d" % f)
PY
cat "$TMPDIR/score"
_t_pass=$((_t_pass + $(grep -c '^ok:' "$TMPDIR/score")))
_t_fail=$((_t_fail + $(grep -c '^FAIL:' "$TMPDIR/score")))

expect_exit 0 "pperf audits examples/app (markdown)" "$PPERF_BIN/pperf" "$app"
if diff -u "$golden" "$TMPDIR/out" >"$TMPDIR/diff"; then
	ok "report equals t/fixtures/example-report.md"
else
	fail "report equals t/fixtures/example-report.md" "$(head -c 1500 "$TMPDIR/diff")"
fi

# the hand-written pipeline gives the same findings as the driver
"$PPERF_BIN/pperf-discover" "$app" | "$PPERF_BIN/pperf-research" >"$TMPDIR/ctx.json"
for a in query txn runtime; do
	"$PPERF_BIN/pperf-audit-$a" <"$TMPDIR/ctx.json" >"$TMPDIR/$a.json"
done
"$PPERF_BIN/pperf-aggregate" --context "$TMPDIR/ctx.json" "$TMPDIR/query.json" "$TMPDIR/txn.json" \
	"$TMPDIR/runtime.json" | "$PPERF_BIN/pperf-publish" >"$TMPDIR/hand.md"
if cmp -s "$TMPDIR/hand.md" "$TMPDIR/out"; then
	ok "hand pipeline equals the driver"
else
	fail "hand pipeline equals the driver" "$(diff "$TMPDIR/hand.md" "$TMPDIR/out" | head -20)"
fi

# the README's pipeline: discover | research | audit-runtime | aggregate | publish
if "$PPERF_BIN/pperf-discover" "$app" | "$PPERF_BIN/pperf-research" | "$PPERF_BIN/pperf-audit-runtime" |
	"$PPERF_BIN/pperf-aggregate" | "$PPERF_BIN/pperf-publish" >"$TMPDIR/rt.md" &&
	grep -q '^| Runtime Performance |' "$TMPDIR/rt.md"; then
	ok "single-auditor pipeline"
else
	fail "single-auditor pipeline" "$(head -5 "$TMPDIR/rt.md")"
fi
done_testing
