# t/e2e/32-publish-network.sh: pperf-publish --to linear / github / file:
# against t/tools/fakeapi.py on 127.0.0.1.  Pins the exact requests (team,
# project and label lookups, label creation, the issue search, issueCreate
# input), the same-day update, --dry-run, the redaction of the key in every
# output, the fallback file on every failure, retries on 429 (Retry-After)
# and 5xx, timeouts, malformed JSON, a refused connection, TLS
# verification, proxies, and the usage errors.
. "$PPERF_ROOT/t/e2e/lib.sh"

A=$PPERF_BIN/pperf-aggregate
P=$PPERF_BIN/pperf-publish
R=$PPERF_ROOT/t/fixtures/results
T=$TMPDIR
KEY=lin_api_s3cr3tKEY42
TOKEN=ghp_s3cr3tTOKEN42

if ! command -v python3 >/dev/null 2>&1; then
	skip "publish over the network" "python3 not installed (needed for t/tools/fakeapi.py)"
	done_testing
fi

unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
unset LINEAR_API_KEY GITHUB_TOKEN PPERF_LINEAR_URL PPERF_GITHUB_URL
SOURCE_DATE_EPOCH=1714521600 # 2024-05-01
export SOURCE_DATE_EPOCH
FALLBACK=./pperf-report-2024-05-01.md
cd "$T" || exit 1

# ---- reports: with the fixture context (Linear team key SHP, team id SHOP)
# and without any context (no team)
"$A" --date 2024-05-01 --context "$R/context.json" "$R/query.json" "$R/txn.json" \
	"$R/runtime.json" >"$T/report.json" || fail "aggregate" "exit status $?"
"$A" --date 2024-05-01 "$R/query.json" "$R/txn.json" "$R/runtime.json" >"$T/noctx.json" ||
	fail "aggregate without context" "exit status $?"
"$P" "$T/report.json" >"$T/report.md" || fail "render markdown" "exit status $?"
"$P" "$T/noctx.json" >"$T/noctx.md" || fail "render markdown without context" "exit status $?"

# ---- the fake server
server_pid=
stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
	fi
	server_pid=
}
trap stop_server EXIT

# start_server [fakeapi options...]: sets $port and $log (fresh log).
start_server() {
	stop_server
	log=$T/requests.jsonl
	rm -f "$T/port" "$log"
	python3 "$PPERF_ROOT/t/tools/fakeapi.py" --port-file "$T/port" --log "$log" \
		--key "$KEY" --token "$TOKEN" "$@" 2>"$T/server.err" &
	server_pid=$!
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	port=$(cat "$T/port" 2>/dev/null)
	LIN=http://127.0.0.1:$port/graphql
	GH=http://127.0.0.1:$port/gh
	[ -n "$port" ] || fail "fake server starts" "$(cat "$T/server.err")"
}

# linear ARGS...: pperf-publish --to linear against the fake server.
linear() {
	LINEAR_API_KEY=$KEY PPERF_LINEAR_URL=$LIN "$P" --to linear --timeout 5 "$@"
}
github() {
	GITHUB_TOKEN=$TOKEN PPERF_GITHUB_URL=$GH "$P" --to github --repo acme/shop --timeout 5 "$@"
}

# logcheck NAME CODE: python3 CODE with reqs = the logged requests, ops =
# their GraphQL operation names (or "METHOD /path"), md = the Markdown.
logcheck() {
	if python3 - "$log" "$T/report.md" "$2" >"$T/py.err" 2>&1 <<'EOF'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
md = open(sys.argv[2]).read()
def op(r):
    b = r["body"]
    if isinstance(b, dict) and "operationName" in b:
        return b["operationName"]
    return "%s %s" % (r["method"], r["path"])
ops = [op(r) for r in reqs]
def var(name):
    return [r["body"]["variables"] for r in reqs if op(r) == name]
SHP = "0c1d2e3f-4a5b-4c6d-8e7f-901234567890"
PDS = "5b0e8f62-1c3d-4a97-b8e2-9d41f0c6a3b7"
exec(sys.argv[3])
EOF
	then
		ok "$1"
	else
		fail "$1" "$(tail -n 3 "$T/py.err" | tr '\n' ' ')"
	fi
}

# no_secret NAME: neither the key nor the token in stdout or stderr.
no_secret() {
	if grep -q -e "$KEY" -e "$TOKEN" "$T/out" "$T/err"; then
		fail "$1: secret not printed" "$(cat "$T/err")"
	else
		ok "$1: secret not printed"
	fi
}

# failed NAME [FALLBACK [MARKDOWN]]: stdout empty, the fallback file holds
# the report, the note names it, one error line, no secret.
failed() {
	if [ -s "$T/out" ]; then fail "$1: nothing on stdout" "$(head -c 200 "$T/out")"; else
		ok "$1: nothing on stdout"; fi
	fb=${2:-$FALLBACK}
	if cmp -s "$fb" "${3:-$T/report.md}"; then ok "$1: report saved to $fb"; else
		fail "$1: report saved to $fb" "missing or different"; fi
	expect_grep "$1: path printed" "^pperf-publish: note: the report was saved to $fb\$" "$T/err"
	n=$(grep -c '^pperf-publish: error: ' "$T/err")
	if [ "$n" -eq 1 ]; then ok "$1: one error line"; else fail "$1: one error line" "$n lines: $(cat "$T/err")"; fi
	rm -f "$fb"
	no_secret "$1"
}

# ---- Linear: the first run creates the issue
start_server
expect_exit 0 "linear: creates" linear "$T/report.json"
expect_grep "linear: prints identifier and URL" "^created SHP-1 https://linear.app/fake/issue/SHP-1\$" "$T/out"
if [ -s "$T/err" ]; then fail "linear: quiet on success" "$(cat "$T/err")"; else ok "linear: quiet on success"; fi
if [ -e "$FALLBACK" ]; then fail "linear: no fallback on success" "$FALLBACK exists"; else ok "linear: no fallback on success"; fi
logcheck "linear: the requests in order" '
assert ops == ["PperfTeams", "PperfProjects", "PperfLabels", "PperfLabelCreate",
               "PperfIssueSearch", "PperfIssueCreate"], ops'
logcheck "linear: POST to /graphql with the key bare in Authorization" '
for r in reqs:
    h = r["headers"]
    assert r["method"] == "POST" and r["path"] == "/graphql", r
    assert h["authorization"] == "lin_api_s3cr3tKEY42", h
    assert h["content-type"] == "application/json", h
    assert h["user-agent"].startswith("pperf/"), h'
logcheck "linear: team lookup by key, then team id" '
assert var("PperfTeams") == [{"filter": {"or": [
    {"key": {"eqIgnoreCase": "SHP"}}, {"name": {"eqIgnoreCase": "SHP"}},
    {"key": {"eqIgnoreCase": "SHOP"}}, {"name": {"eqIgnoreCase": "SHOP"}}]}}], var("PperfTeams")'
logcheck "linear: project lookup by name prefix" '
assert var("PperfProjects") == [{"filter": {"name": {"startsWithIgnoreCase": "Epic 0"}}}]'
logcheck "linear: label lookup" '
assert var("PperfLabels") == [{"filter": {"or": [{"name": {"eqIgnoreCase": n}}
    for n in ("refactoring", "performance", "audit")]}}], var("PperfLabels")'
logcheck "linear: the missing label is created in the team" '
assert var("PperfLabelCreate") == [{"input": {"name": "refactoring", "teamId": SHP}}], var("PperfLabelCreate")'
logcheck "linear: same-day search by title in the team" '
assert var("PperfIssueSearch") == [{"filter": {"title": {"eq": "Persistence & Performance Audit: 2024-05-01"},
                                               "team": {"id": {"eq": SHP}}}}], var("PperfIssueSearch")'
logcheck "linear: issueCreate input" '
[v] = var("PperfIssueCreate")
i = v["input"]
assert sorted(i) == ["description", "labelIds", "priority", "projectId", "teamId", "title"], sorted(i)
assert i["title"] == "Persistence & Performance Audit: 2024-05-01", i["title"]
assert i["description"] == md, "description is not the Markdown report"
assert i["teamId"] == SHP and i["projectId"] == "proj-epic0-shop", (i["teamId"], i["projectId"])
assert i["priority"] == 2, i["priority"]
assert i["labelIds"] == ["lbl-perf", "lbl-audit-shp", "lbl-new-4"], i["labelIds"]'

# ---- the second run on the same day updates that issue
expect_exit 0 "linear: second run" linear "$T/report.json"
expect_grep "linear: second run updates" "^updated SHP-1 https://linear.app/fake/issue/SHP-1\$" "$T/out"
logcheck "linear: second run sends issueUpdate, creates nothing" '
second = ops[6:]
assert second == ["PperfTeams", "PperfProjects", "PperfLabels", "PperfIssueSearch", "PperfIssueUpdate"], second
[u] = var("PperfIssueUpdate")
assert u["id"] == "issue-shp-1", u["id"]
assert "teamId" not in u["input"], u["input"]
assert u["input"]["description"] == md and u["input"]["priority"] == 2
assert u["input"]["labelIds"] == ["lbl-new-4", "lbl-perf", "lbl-audit-shp"], u["input"]["labelIds"]'

# ---- --team: another team, its own project, labels of other teams unusable
expect_exit 0 "linear: --team PDS" linear --team pds "$T/report.json"
expect_grep "linear: --team creates in that team" "^created PDS-1 " "$T/out"
logcheck "linear: --team alone is looked up" '
assert var("PperfTeams")[-1] == {"filter": {"or": [{"key": {"eqIgnoreCase": "pds"}},
                                                   {"name": {"eqIgnoreCase": "pds"}}]}}, var("PperfTeams")[-1]'
logcheck "linear: --team labels and project" '
made = [v["input"] for v in var("PperfLabelCreate")][1:]
assert made == [{"name": "refactoring", "teamId": PDS}, {"name": "audit", "teamId": PDS}], made
i = var("PperfIssueCreate")[-1]["input"]
assert i["projectId"] == "proj-epic0-pds", i["projectId"]
assert i["labelIds"] == ["lbl-perf", "lbl-new-5", "lbl-new-6"], i["labelIds"]'
expect_exit 0 "linear: --team by UUID" linear --team 5b0e8f62-1c3d-4a97-b8e2-9d41f0c6a3b7 "$T/report.json"
expect_grep "linear: UUID team updates the same-day issue" "^updated PDS-1 " "$T/out"
logcheck "linear: a UUID is looked up by id" '
assert var("PperfTeams")[-1] == {"filter": {"or": [{"id": {"eq": PDS}}]}}, var("PperfTeams")[-1]'

# ---- --project: no such project is a warning, the issue is still created
start_server
expect_exit 0 "linear: unknown project" linear --project "Epic 9" "$T/report.json"
expect_grep "linear: unknown project warns" "^pperf-publish: warning: linear: no project whose name starts with 'Epic 9'" "$T/err"
logcheck "linear: no projectId without a project" '
assert "projectId" not in var("PperfIssueCreate")[0]["input"]'

# ---- priority from the worst severity
python3 - "$T/report.json" "$T/crit.json" "$T/clean.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["findings"][-1]["severity"] = "CRITICAL"
json.dump(d, open(sys.argv[2], "w"))
d["findings"] = []
json.dump(d, open(sys.argv[3], "w"))
EOF
start_server
expect_exit 0 "linear: critical report" linear "$T/crit.json"
expect_exit 0 "linear: clean report" linear --team PDS "$T/clean.json"
logcheck "linear: priority 1 for CRITICAL, 0 for no finding" '
assert [v["input"]["priority"] for v in var("PperfIssueCreate")] == [1, 0], var("PperfIssueCreate")'

# ---- --dry-run: the requests printed, the key redacted, nothing sent
start_server
expect_exit 0 "dry-run" linear --dry-run "$T/report.json"
cp "$T/out" "$T/dry.txt"
no_secret "dry-run"
expect_grep "dry-run: Authorization redacted" "^Authorization: \\[REDACTED\\]\$" "$T/dry.txt"
expect_grep "dry-run: endpoint" "^POST $LIN\$" "$T/dry.txt"
for op in PperfTeams PperfProjects PperfLabels PperfLabelCreate PperfIssueSearch PperfIssueCreate; do
	expect_grep "dry-run: shows $op" "\"operationName\": \"$op\"" "$T/dry.txt"
done
expect_grep "dry-run: placeholders for unknown ids" '"teamId": "<team id>"' "$T/dry.txt"
if [ -s "$log" ]; then fail "dry-run: nothing sent" "$(wc -l <"$log") requests"; else ok "dry-run: nothing sent"; fi
expect_exit 0 "dry-run without a key" env PPERF_LINEAR_URL="$LIN" "$P" --to linear --dry-run "$T/report.json"
if [ -e "$FALLBACK" ]; then fail "dry-run: no fallback" "$FALLBACK exists"; else ok "dry-run: no fallback"; fi
# a key that appears in the report itself is redacted from the printed body
python3 - "$T/report.json" "$T/leaky.json" "$KEY" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["findings"][0]["issue"] = "hard-coded key %s in settings" % sys.argv[3]
json.dump(d, open(sys.argv[2], "w"))
EOF
expect_exit 0 "dry-run: key inside the report" linear --dry-run "$T/leaky.json"
no_secret "dry-run: key inside the report"
expect_grep "dry-run: key inside the report redacted" "hard-coded key \\[REDACTED\\] in settings" "$T/out"

# user info in the service URL is not shown either
expect_exit 0 "dry-run: user info of the URL" env PPERF_LINEAR_URL="https://bob:pw$KEY@127.0.0.1:1/graphql" \
	"$P" --to linear --dry-run "$T/report.json"
expect_grep "dry-run: user info redacted" "^POST https://\[REDACTED\]@127.0.0.1:1/graphql\$" "$T/out"
no_secret "dry-run: user info of the URL"
# nor is it sent
expect_exit 0 "key inside the report: published" linear "$T/leaky.json"
logcheck "key inside the report: redacted from the description" '
d = var("PperfIssueCreate")[-1]["input"]["description"]
assert "lin_api_s3cr3tKEY42" not in d and "hard-coded key [REDACTED] in settings" in d'

# ---- failures: one line naming the cause, the report saved, status 2 or 5
start_server
expect_exit 2 "missing key" env PPERF_LINEAR_URL="$LIN" "$P" --to linear "$T/report.json"
expect_grep "missing key: named" "^pperf-publish: error: linear: LINEAR_API_KEY is not set" "$T/err"
failed "missing key"
expect_exit 2 "key with a line break" env LINEAR_API_KEY="$(printf 'lin_api_x\r\nX-Injected: 1')" \
	PPERF_LINEAR_URL="$LIN" "$P" --to linear "$T/report.json"
expect_grep "key with a line break: named" "error: linear: LINEAR_API_KEY contains control characters\$" "$T/err"
failed "key with a line break"
expect_exit 2 "unknown team" linear --team NOPE "$T/report.json"
expect_grep "unknown team: named" "^pperf-publish: error: linear: unknown team 'NOPE'" "$T/err"
failed "unknown team"
expect_exit 2 "no team" linear "$T/noctx.json"
expect_grep "no team: named" "^pperf-publish: error: linear: no team: give --team" "$T/err"
failed "no team" "$FALLBACK" "$T/noctx.md"
logcheck "missing key, no team: no request; unknown team: the lookup only" '
assert ops == ["PperfTeams"], ops'
expect_exit 5 "bad key" env LINEAR_API_KEY=lin_api_WRONG_s3cr3tKEY42 PPERF_LINEAR_URL="$LIN" \
	"$P" --to linear --fallback "$T/fb.md" "$T/report.json"
expect_grep "bad key: 401 named" "^pperf-publish: error: linear: authentication failed (HTTP 401) during the team lookup: check LINEAR_API_KEY\$" "$T/err"
failed "bad key" "$T/fb.md"
if grep -q WRONG "$T/err"; then fail "bad key: wrong key not printed" "$(cat "$T/err")"; else ok "bad key: wrong key not printed"; fi

start_server --mode 403
expect_exit 5 "403" linear "$T/report.json"
expect_grep "403: named" "authentication failed (HTTP 403)" "$T/err"
failed "403"

start_server --mode 429 --times 1 --retry-after 1
expect_exit 0 "429 then success" linear "$T/report.json"
expect_grep "429 then success: created" "^created SHP-1 " "$T/out"
logcheck "429: the team lookup retried after Retry-After" '
assert ops[:2] == ["PperfTeams", "PperfTeams"] and ops.count("PperfIssueCreate") == 1, ops'

start_server --mode 429 --retry-after 60
expect_exit 5 "429 beyond the time budget" linear "$T/report.json"
expect_grep "429: rate limit named" "rate limited (HTTP 429) during the team lookup; retry after 60 s\$" "$T/err"
failed "429"
logcheck "429: no wait past --timeout" 'assert ops == ["PperfTeams"], ops'

start_server --mode ratelimited
expect_exit 5 "RATELIMITED" linear "$T/report.json"
expect_grep "RATELIMITED: named" "error: linear: rate limited during the team lookup\$" "$T/err"
failed "RATELIMITED"

start_server --mode 500
expect_exit 5 "500" linear "$T/report.json"
expect_grep "500: named" "server error (HTTP 500) during the team lookup (after retries)\$" "$T/err"
failed "500"
logcheck "500: a lookup is retried twice" 'assert ops == ["PperfTeams"] * 3, ops'

start_server --mode 500 --only PperfIssueCreate
expect_exit 5 "500 on issueCreate" linear "$T/report.json"
failed "500 on issueCreate"
logcheck "500: issueCreate is not retried" 'assert ops.count("PperfIssueCreate") == 1, ops'

start_server --mode slow --delay 4
t0=$(date +%s)
expect_exit 5 "slow answer" linear --timeout 1 "$T/report.json"
t1=$(date +%s)
if [ $((t1 - t0)) -le 3 ]; then ok "slow answer: --timeout bounds the run"; else fail "slow answer: --timeout bounds the run" "$((t1 - t0)) s"; fi
expect_grep "slow answer: timeout named" "error: linear: timed out during the team lookup: .* timed out after 1.0 s\$" "$T/err"
failed "slow answer"

start_server --mode garbage
expect_exit 5 "malformed JSON" linear "$T/report.json"
expect_grep "malformed JSON: named" "error: linear: malformed JSON in the answer to the team lookup" "$T/err"
failed "malformed JSON"

start_server --mode garbage --only PperfLabels
expect_exit 5 "malformed JSON later" linear "$T/report.json"
expect_grep "malformed JSON later: named" "malformed JSON in the answer to the label lookup" "$T/err"
failed "malformed JSON later"

stop_server
expect_exit 5 "network down" linear "$T/report.json"
expect_grep "network down: named" "error: linear: network down or service unreachable during the team lookup" "$T/err"
failed "network down"
expect_exit 5 "fallback cannot be written" linear --fallback "$T/no/such/dir/r.md" "$T/report.json"
expect_grep "fallback failure named" "r.md: error: cannot write the fallback report" "$T/err"

# ---- TLS verification stays on: a self-signed certificate is refused
if command -v openssl >/dev/null 2>&1 &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/k.pem" -out "$T/c.pem" -days 1 \
		-subj /CN=127.0.0.1 >/dev/null 2>&1; then
	start_server --tls "$T/c.pem" "$T/k.pem"
	expect_exit 5 "self-signed certificate refused" env LINEAR_API_KEY="$KEY" \
		PPERF_LINEAR_URL="https://127.0.0.1:$port/graphql" "$P" --to linear --timeout 5 "$T/report.json"
	expect_grep "self-signed: TLS named" "error: linear: TLS failure during the team lookup" "$T/err"
	failed "self-signed"
	if [ -s "$log" ]; then fail "self-signed: nothing sent" "$(cat "$log")"; else ok "self-signed: nothing sent"; fi
else
	skip "TLS verification" "openssl cannot make a certificate"
fi

# ---- proxies as libcurl reads them
start_server
expect_exit 0 "through http_proxy" env http_proxy="http://127.0.0.1:$port" LINEAR_API_KEY="$KEY" \
	PPERF_LINEAR_URL=http://api.linear.invalid/graphql "$P" --to linear --timeout 5 "$T/report.json"
logcheck "through http_proxy: the proxy got the requests" '
assert ops[0] == "PperfTeams" and reqs[0]["headers"]["host"] == "api.linear.invalid", reqs[0]["headers"]'

# ---- the driver: pperf --publish linear runs the whole audit, then publishes
start_server
unset PPERF_RESEARCH_URL
cp -R "$PPERF_ROOT/examples/app" "$T/app"
expect_exit 0 "driver: pperf --publish linear" env LINEAR_API_KEY="$KEY" PPERF_LINEAR_URL="$LIN" \
	"$PPERF_BIN/pperf" --publish linear "$T/app"
expect_grep "driver: prints the issue" "^created PDS-1 https://linear.app/fake/issue/PDS-1\$" "$T/out"
no_secret "driver"
logcheck "driver: team from docs/tasks/kanban_board.md, the audit as description" '
assert ops == ["PperfTeams", "PperfProjects", "PperfLabels", "PperfLabelCreate", "PperfLabelCreate",
               "PperfIssueSearch", "PperfIssueCreate"], ops
assert {"id": {"eq": PDS}} in var("PperfTeams")[0]["filter"]["or"], var("PperfTeams")
i = var("PperfIssueCreate")[0]["input"]
assert i["teamId"] == PDS and i["projectId"] == "proj-epic0-pds", i
assert i["description"].startswith("## Persistence & Performance Audit Report - 2024-05-01\n"), i["description"][:80]
assert "#### Query Efficiency" in i["description"]'
expect_exit 0 "driver: --dry-run" env PPERF_LINEAR_URL="$LIN" "$PPERF_BIN/pperf" --publish linear --dry-run "$T/app"
expect_grep "driver: --dry-run prints the requests" '"operationName": "PperfIssueCreate"' "$T/out"
logcheck "driver: --dry-run sends nothing" 'assert len(ops) == 7, ops'
stop_server
expect_exit 5 "driver: publishing fails" env LINEAR_API_KEY="$KEY" PPERF_LINEAR_URL="$LIN" \
	"$PPERF_BIN/pperf" --publish linear "$T/app"
expect_grep "driver: the cause" "^pperf-publish: error: linear: network down" "$T/err"
expect_grep "driver: the report saved" "^pperf-publish: note: the report was saved to $FALLBACK\$" "$T/err"
expect_grep "driver: the fallback is the report" "^## Persistence & Performance Audit Report - 2024-05-01\$" "$FALLBACK"
rm -f "$FALLBACK"
expect_exit 2 "driver: -o with --publish" "$PPERF_BIN/pperf" --publish linear -o x.md "$T/app"
expect_exit 2 "driver: --team without --publish" "$PPERF_BIN/pperf" --team PDS "$T/app"
expect_exit 2 "driver: --publish github without --repo" "$PPERF_BIN/pperf" --publish github "$T/app"
expect_exit 2 "driver: --publish jira" "$PPERF_BIN/pperf" --publish jira "$T/app"

# ---- GitHub
start_server
expect_exit 0 "github: creates" github "$T/report.json"
expect_grep "github: prints number and URL" "^created acme/shop#1 https://github.com/acme/shop/issues/1\$" "$T/out"
logcheck "github: the requests in order" '
assert ops == ["GET /gh/repos/acme/shop/labels", "POST /gh/repos/acme/shop/labels",
               "POST /gh/repos/acme/shop/labels", "GET /gh/repos/acme/shop/issues",
               "POST /gh/repos/acme/shop/issues"], ops
assert reqs[3]["query"] == {"state": ["all"], "labels": ["audit"], "per_page": ["100"]}, reqs[3]["query"]
for r in reqs:
    h = r["headers"]
    assert h["authorization"] == "Bearer ghp_s3cr3tTOKEN42", h
    assert h["accept"] == "application/vnd.github+json" and h["x-github-api-version"] == "2022-11-28", h
    assert h["user-agent"].startswith("pperf/"), h'
logcheck "github: missing labels created, issue body is the report" '
assert [r["body"]["name"] for r in reqs[1:3]] == ["refactoring", "audit"], reqs[1:3]
b = reqs[4]["body"]
assert b == {"title": "Persistence & Performance Audit: 2024-05-01", "body": md,
             "labels": ["refactoring", "performance", "audit"]}, sorted(b)'
expect_exit 0 "github: second run" github "$T/report.json"
expect_grep "github: second run updates" "^updated acme/shop#1 " "$T/out"
logcheck "github: second run patches the issue" '
assert ops[5:] == ["GET /gh/repos/acme/shop/labels", "GET /gh/repos/acme/shop/issues",
                   "PATCH /gh/repos/acme/shop/issues/1"], ops[5:]'
expect_exit 2 "github: unknown repository" env GITHUB_TOKEN="$TOKEN" PPERF_GITHUB_URL="$GH" \
	"$P" --to github --repo acme/nope "$T/report.json"
expect_grep "github: unknown repository named" "error: github: repository 'acme/nope' not found" "$T/err"
failed "github: unknown repository"
expect_exit 2 "github: missing token" env PPERF_GITHUB_URL="$GH" "$P" --to github --repo acme/shop "$T/report.json"
expect_grep "github: missing token named" "error: github: GITHUB_TOKEN is not set" "$T/err"
failed "github: missing token"
expect_exit 5 "github: bad token" env GITHUB_TOKEN=ghp_WRONG PPERF_GITHUB_URL="$GH" \
	"$P" --to github --repo acme/shop "$T/report.json"
expect_grep "github: bad token named" "authentication failed (HTTP 401) during the label lookup: check GITHUB_TOKEN" "$T/err"
failed "github: bad token"
expect_exit 0 "github: dry-run" github --dry-run "$T/report.json"
no_secret "github: dry-run"
expect_grep "github: dry-run redacts" "^Authorization: \\[REDACTED\\]\$" "$T/out"
expect_grep "github: dry-run shows the issue creation" "^POST $GH/repos/acme/shop/issues\$" "$T/out"
start_server --mode quota
expect_exit 5 "github: rate limit" github "$T/report.json"
expect_grep "github: rate limit named" "error: github: rate limited (HTTP 403) during the label lookup" "$T/err"
failed "github: rate limit"

# ---- --to file:PATH
expect_exit 0 "file: destination" "$P" --to "file:$T/out.md" "$T/report.json"
if cmp -s "$T/out.md" "$T/report.md"; then ok "file: holds the Markdown"; else fail "file: holds the Markdown" "differs"; fi
if [ -s "$T/out" ]; then fail "file: nothing on stdout" "$(head -c 100 "$T/out")"; else ok "file: nothing on stdout"; fi
expect_exit 0 "file: with --format json" "$P" --to "file:$T/out.json" --format json "$T/report.json"
expect_grep "file: json written" '"schema": "pperf.report/1"' "$T/out.json"
expect_exit 4 "file: missing directory" "$P" --to "file:$T/no/dir/x.md" "$T/report.json"

# ---- usage errors
expect_exit 2 "usage: unknown destination" "$P" --to jira "$T/report.json"
expect_grep "usage: unknown destination named" "unknown destination 'jira' for --to" "$T/err"
expect_exit 2 "usage: file: without a path" "$P" --to file: "$T/report.json"
expect_exit 2 "usage: github without --repo" "$P" --to github "$T/report.json"
expect_exit 2 "usage: bad --repo" "$P" --to github --repo nope "$T/report.json"
expect_exit 2 "usage: --repo with linear" "$P" --to linear --repo a/b "$T/report.json"
expect_exit 2 "usage: --team with github" "$P" --to github --repo a/b --team X "$T/report.json"
expect_exit 2 "usage: --dry-run without --to" "$P" --dry-run "$T/report.json"
expect_exit 2 "usage: --fallback with file:" "$P" --to file:x.md --fallback y.md "$T/report.json"
expect_exit 2 "usage: -o with --to" "$P" --to linear -o x.md "$T/report.json"
expect_exit 2 "usage: --format json with linear" "$P" --to linear --format json "$T/report.json"
expect_exit 2 "usage: --timeout 0" "$P" --to linear --timeout 0 "$T/report.json"
expect_exit 2 "usage: --timeout junk" "$P" --to linear --timeout 3s "$T/report.json"
expect_grep "usage: synopsis printed" "^usage: pperf-publish " "$T/err"
expect_exit 3 "bad report: no fallback" linear "$R/malformed.json"
if [ -e "$FALLBACK" ]; then fail "bad report: nothing saved" "$FALLBACK exists"; else ok "bad report: nothing saved"; fi

done_testing
