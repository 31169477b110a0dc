# t/e2e/11-research.sh: pperf-research adds the knowledge base's practices
# for the detected stack and versions ("best_practices", "sources");
# online enrichment from a local fake Context7 endpoint (answers, times
# out, returns garbage or errors: the run still succeeds with one warning;
# a second run is served from the cache); bad input or a bad knowledge
# base gives status 3 or 4 and nothing on stdout.
. "$PPERF_ROOT/t/e2e/lib.sh"

R=$PPERF_BIN/pperf-research
D=$PPERF_BIN/pperf-discover
FX=$PPERF_ROOT/t/fixtures
T=$TMPDIR
unset PPERF_RESEARCH_URL PPERF_RESEARCH_TOKEN PPERF_KB
XDG_CACHE_HOME=$T/cache
export XDG_CACHE_HOME

# stdout must be empty after an error
no_stdout() {
	if [ -s "$T/out" ]; then fail "$1: empty stdout" "$(head -c 100 "$T/out")"; else ok "$1: empty stdout"; fi
}

# jcheck NAME FILE PYTHON: runs PYTHON with d = the JSON document of FILE
jcheck() {
	if [ -z "$have_python" ]; then
		skip "$1" "python3 not installed"
	elif python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
ids = [p['id'] for g in d['best_practices'] for p in g['practices']]
$3" "$2" >"$T/jcheck" 2>&1; then
		ok "$1"
	else
		fail "$1" "$(tail -c 400 "$T/jcheck" | tr '\n' ' ')"
	fi
}
have_python=
command -v python3 >/dev/null 2>&1 && have_python=1

# ---- command line
expect_exit 0 "help exits 0" "$R" --help
expect_grep "help shows usage" '^usage: pperf-research ' "$T/out"
expect_grep "help names the token variable" 'PPERF_RESEARCH_TOKEN' "$T/out"
usage=$(head -n 1 "$T/out" | sed 's/^usage: //')
if command -v mandoc >/dev/null 2>&1; then
	synopsis=$(mandoc -Tascii "$PPERF_ROOT/man/pperf-research.1" | col -bx |
		sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' | tr -s ' \t\n' '   ' | sed 's/^ *//;s/ *$//')
	if [ "$synopsis" = "$usage" ]; then ok "usage equals man SYNOPSIS"; else
		fail "usage equals man SYNOPSIS" "'$usage' vs '$synopsis'"; fi
else
	skip "usage equals man SYNOPSIS" "mandoc not installed"
fi
expect_exit 0 "version exits 0" "$R" --version
expect_grep "version names the program" '^pperf-research ' "$T/out"
expect_exit 2 "unknown option" "$R" --bogus </dev/null
expect_exit 2 "two files" "$R" a b </dev/null
expect_exit 2 "--offline with --online" "$R" --offline --online x </dev/null
expect_grep "--offline with --online message" 'exclude each other' "$T/err"
expect_exit 2 "--timeout 0" "$R" --timeout 0 x </dev/null
expect_exit 2 "--timeout abc" "$R" --timeout abc x </dev/null
expect_grep "--timeout message" "^pperf-research: error: --timeout needs seconds between 0 and 3600, got 'abc'$" "$T/err"
expect_exit 2 "--cache-ttl -1" "$R" --cache-ttl -1 x </dev/null
expect_exit 2 "--url ftp" "$R" --url ftp://example.org x </dev/null
expect_exit 2 "--kb without DIR" "$R" --kb </dev/null
expect_exit 2 "PPERF_RESEARCH_URL not http" env PPERF_RESEARCH_URL=file:///etc "$R" x </dev/null
no_stdout "bad option"

# ---- pass-through: with a knowledge base that matches nothing the context
# comes back unchanged but for two empty lists
mkdir "$T/kb-none"
cat >"$T/kb-none/demo.json" <<'EOF'
{"schema": "pperf.kb/1", "technology": "demo", "name": "Demo",
 "detect": [{"dependency": "no-such-package"}],
 "practices": [{"id": "demo-a", "technology": "demo", "applies_to": "*", "title": "T",
   "summary": "A practice that no test project is ever going to match at all.",
   "checks": ["n_plus_one_query"], "source": "https://example.org/demo", "source_title": "Demo"}]}
EOF
"$D" "$FX/discover-fastapi" >"$T/ctx.json" 2>/dev/null
expect_exit 0 "research a file" "$R" --kb "$T/kb-none" "$T/ctx.json"
cp "$T/out" "$T/r0.json"
expect_grep "best_practices added" '^  "best_practices": \[\],$' "$T/r0.json"
expect_grep "sources added" '^  "sources": \[\]$' "$T/r0.json"
grep -v -e '^  "best_practices": ' -e '^  "sources": ' "$T/r0.json" | sed 's/,$//' >"$T/a"
sed 's/,$//' "$T/ctx.json" >"$T/b"
if cmp -s "$T/a" "$T/b"; then ok "context passes through unchanged"; else
	fail "context passes through unchanged" "$(diff "$T/b" "$T/a" | head -10 | tr '\n' ' ')"; fi
expect_exit 0 "PPERF_KB is read" env PPERF_KB="$T/kb-none" "$R" "$T/ctx.json"
if cmp -s "$T/out" "$T/r0.json"; then ok "PPERF_KB gives the same"; else fail "PPERF_KB gives the same" "differ"; fi

# ---- the shipped knowledge base
expect_exit 0 "research with the shipped kb" "$R" "$T/ctx.json"
cp "$T/out" "$T/r1.json"
if [ -s "$T/err" ]; then fail "offline run is silent" "$(head -c 200 "$T/err")"; else ok "offline run is silent"; fi
expect_grep "sqlalchemy group" '"technology": "sqlalchemy"' "$T/r1.json"
expect_grep "group version" '"version": ">=2.0,<3"' "$T/r1.json"
expect_grep "sources listed" '"url": "https://docs.sqlalchemy.org/en/20/' "$T/r1.json"
expect_exit 0 "research stdin" sh -c '"$1" <"$2"' sh "$R" "$T/ctx.json"
if cmp -s "$T/out" "$T/r1.json"; then ok "stdin equals file"; else fail "stdin equals file" "differ"; fi
expect_exit 0 "research dash" sh -c '"$1" - <"$2"' sh "$R" "$T/ctx.json"
expect_exit 0 "research is idempotent" "$R" "$T/r1.json"
if cmp -s "$T/out" "$T/r1.json"; then ok "second pass changes nothing"; else fail "second pass changes nothing" "differ"; fi
expect_exit 0 "--offline accepted" "$R" --offline "$T/ctx.json"
if cmp -s "$T/out" "$T/r1.json"; then ok "--offline is the default"; else fail "--offline is the default" "differ"; fi
expect_exit 0 "the auditors accept the contextStore" sh -c '"$1" <"$2"' sh "$PPERF_BIN/pperf-audit-query" "$T/r1.json"
jcheck "every selected practice is well formed" "$T/r1.json" '
import re
assert d["best_practices"] and d["sources"]
for g in d["best_practices"]:
    assert set(g) == {"technology", "name", "version", "practices"}, g.keys()
    for p in g["practices"]:
        assert p["technology"] == g["technology"] and p["origin"] == "kb"
        assert p["source"].startswith("https://") and p["checks"]
urls = [s["url"] for s in d["sources"]]
assert len(urls) == len(set(urls)), "duplicate sources"
assert set(urls) == {p["source"] for g in d["best_practices"] for p in g["practices"]}'

# ---- version ranges from the manifests select different practices
mkdir -p "$T/p14" "$T/p20" "$T/poetry" "$T/uv" "$T/py38"
printf 'SQLAlchemy==1.4.52\npsycopg2-binary\n' >"$T/p14/requirements.txt"
printf 'from sqlalchemy.orm import Session\n' >"$T/p14/app.py"
printf '[project]\nname = "p"\nrequires-python = ">=3.11"\ndependencies = ["sqlalchemy>=2.0,<2.1", "asyncpg>=0.29"]\n' >"$T/p20/pyproject.toml"
printf 'async def f():\n    pass\n' >"$T/p20/app.py"
printf '[tool.poetry.dependencies]\npython = "^3.8"\nSQLAlchemy = {version = "^1.4.40", extras = ["asyncio"]}\n' >"$T/poetry/pyproject.toml"
printf 'async def f():\n    pass\n' >"$T/poetry/app.py"
printf '[project]\nname = "u"\ndependencies = ["sqlalchemy>=1.4"]\n' >"$T/uv/pyproject.toml"
printf 'version = 1\n\n[[package]]\nname = "sqlalchemy"\nversion = "2.0.31"\nsource = { registry = "https://pypi.org/simple" }\n' >"$T/uv/uv.lock"
printf 'x = 1\n' >"$T/uv/app.py"
for p in p14 p20 poetry uv; do
	"$D" "$T/$p" >"$T/$p.ctx" 2>/dev/null
	expect_exit 0 "research $p" "$R" "$T/$p.ctx"
	cp "$T/out" "$T/$p.json"
done
expect_grep "1.4 project: 1.4 loading practice" '"id": "sqlalchemy14-eager-load-relationships"' "$T/p14.json"
expect_grep "1.4 project: the version" '"version": "==1.4.52"' "$T/p14.json"
expect_grep "1.4 project: psycopg2 practices" '"id": "psycopg2-fast-execution-helpers"' "$T/p14.json"
expect_grep "2.0 project: select() style" '"id": "sqlalchemy-select-style"' "$T/p20.json"
expect_grep "2.0 project: to_thread on Python 3.11" '"id": "asyncio-to-thread"' "$T/p20.json"
if grep -q '"id": "sqlalchemy-select-style"' "$T/p14.json"; then fail "1.4 project: no select() style" "present"; else
	ok "1.4 project: no select() style"; fi
if grep -q '"id": "sqlalchemy14-' "$T/p20.json"; then fail "2.0 project: no 1.4 practices" "present"; else
	ok "2.0 project: no 1.4 practices"; fi
expect_grep "poetry table: ^1.4.40 is a 1.4 project" '"id": "sqlalchemy14-async-session"' "$T/poetry.json"
if grep -q '"id": "asyncio-to-thread"' "$T/poetry.json"; then fail "poetry: Python ^3.8 gets no to_thread" "present"; else
	ok "poetry: Python ^3.8 gets no to_thread"; fi
expect_grep "poetry: run_in_executor instead" '"id": "asyncio-run-in-executor"' "$T/poetry.json"
expect_grep "uv.lock pins 2.0.31" '"version": "==2.0.31"' "$T/uv.json"
expect_grep "uv.lock: 2.0 practices" '"id": "sqlalchemy-bulk-insert"' "$T/uv.json"
jcheck "1.4 and 2.0 projects get different practices" "$T/p14.json" '
other = json.load(open(sys.argv[1].replace("p14.json", "p20.json")))
ids2 = [p["id"] for g in other["best_practices"] for p in g["practices"] if g["technology"] == "sqlalchemy"]
ids1 = [p["id"] for g in d["best_practices"] for p in g["practices"] if g["technology"] == "sqlalchemy"]
assert set(ids1) != set(ids2) and set(ids1) & set(ids2), (ids1, ids2)'

# ---- a bad knowledge base
expect_exit 4 "--kb missing" "$R" --kb "$T/nokb" "$T/ctx.json"
expect_grep "--kb missing message" "^pperf-research: $T/nokb: error: cannot open the knowledge base: " "$T/err"
no_stdout "--kb missing"
mkdir "$T/kb-bad"
sed 's/"applies_to": "\*"/"applies_to": ">=one"/' "$T/kb-none/demo.json" >"$T/kb-bad/demo.json"
expect_exit 3 "kb with a bad range" "$R" --kb "$T/kb-bad" "$T/ctx.json"
expect_grep "bad range located" "^pperf-research: $T/kb-bad/demo.json:3:[0-9]*: error: practices\[0\].applies_to: cannot read version range \">=one\"" "$T/err"
no_stdout "kb with a bad range"
printf '{"schema": "pperf.kb/1",\n "technology": }\n' >"$T/kb-bad/demo.json"
expect_exit 3 "kb file not JSON" "$R" --kb "$T/kb-bad" "$T/ctx.json"
expect_grep "kb JSON error located" "^pperf-research: $T/kb-bad/demo.json:2:[0-9]*: error: " "$T/err"
cp "$T/kb-none/demo.json" "$T/kb-bad/demo.json"
cp "$T/kb-none/demo.json" "$T/kb-bad/other.json"
expect_exit 3 "kb file named after another technology" "$R" --kb "$T/kb-bad" "$T/ctx.json"
expect_grep "file name mismatch named" "other.json:1:[0-9]*: error: technology: \"demo\" does not match the file name" "$T/err"
rm "$T/kb-bad/demo.json" "$T/kb-bad/other.json"
expect_exit 3 "empty kb folder" "$R" --kb "$T/kb-bad" "$T/ctx.json"
expect_grep "empty kb named" "^pperf-research: $T/kb-bad: error: no knowledge-base files" "$T/err"

# ---- bad input
expect_exit 3 "empty stdin" "$R" </dev/null
expect_grep "empty stdin message" '^pperf-research: <stdin>: error: empty input$' "$T/err"
no_stdout "empty stdin"
printf '{"schema": "pperf.context/1",\n  "files": [\n' >"$T/trunc.json"
expect_exit 3 "malformed JSON" "$R" "$T/trunc.json"
expect_grep "malformed JSON located" "^pperf-research: $T/trunc.json:[0-9][0-9]*\(:[0-9][0-9]*\)*: error: " "$T/err"
no_stdout "malformed JSON"
printf '{"schema": "pperf.result/1", "category": "Query Efficiency"}\n' >"$T/wrong.json"
expect_exit 3 "wrong schema" "$R" "$T/wrong.json"
expect_grep "wrong schema named" 'error: .*pperf.context/1' "$T/err"
no_stdout "wrong schema"
printf '{"schema": "pperf.context/1", "codebase_root": "/x", "tech_stack": {}}\n' >"$T/nofiles.json"
expect_exit 3 "context without files" "$R" "$T/nofiles.json"
printf '{"schema": "pperf.context/1", "codebase_root": "/x", "tech_stack": {}, "files": [], "best_practices": {}}\n' >"$T/badbp.json"
expect_exit 3 "context with malformed best_practices" "$R" "$T/badbp.json"
expect_grep "malformed best_practices named" 'error: best_practices: expected array, got object' "$T/err"
printf '[1, 2]\n' >"$T/array.json"
expect_exit 3 "not an object" "$R" "$T/array.json"
head -c 3000 /dev/urandom >"$T/noise"
expect_exit 3 "binary noise" "$R" "$T/noise"
no_stdout "binary noise"
expect_exit 4 "missing file" "$R" "$T/absent.json"
expect_grep "missing file message" "^pperf-research: $T/absent.json: error: " "$T/err"
no_stdout "missing file"

# ---- online enrichment against a fake endpoint on 127.0.0.1
server_pid=
stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
	fi
	server_pid=
}
trap 'stop_server' EXIT
# start_server MODE [DELAY]: sets $port and $log
start_server() {
	stop_server
	log=$T/server-$1.log
	rm -f "$T/port" "$log"
	python3 "$PPERF_ROOT/t/tools/fakectx7.py" --port-file "$T/port" --log "$log" \
		--mode "$1" --delay "${2:-5}" 2>"$T/server.err" &
	server_pid=$!
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	port=$(cat "$T/port" 2>/dev/null)
	[ -n "$port" ]
}
requests() {
	if [ -f "$log" ]; then wc -l <"$log" | tr -d ' '; else echo 0; fi
}
# one_warning NAME: stderr holds exactly one line, the online warning
one_warning() {
	n=$(wc -l <"$T/err" | tr -d ' ')
	if [ "$n" = 1 ] && grep -q '^pperf-research: warning: online research stopped (.*); using the embedded knowledge base$' "$T/err"; then
		ok "$1: one warning"
	else
		fail "$1: one warning" "$n lines: $(head -c 300 "$T/err" | tr '\n' ' ')"
	fi
	if cmp -s "$T/out" "$T/r1.json"; then ok "$1: the embedded knowledge base's output"; else
		fail "$1: the embedded knowledge base's output" "$(diff "$T/r1.json" "$T/out" | head -5 | tr '\n' ' ')"; fi
}

if [ -z "$have_python" ]; then
	skip "online research" "python3 not installed"
elif ! start_server ok; then
	skip "online research" "the fake endpoint did not start: $(head -c 200 "$T/server.err")"
else
	url=http://127.0.0.1:$port
	expect_exit 0 "online: answers" env PPERF_RESEARCH_TOKEN=s3cr3t-token "$R" --url "$url" --timeout 5 "$T/ctx.json"
	cp "$T/out" "$T/on1.json"
	if [ -s "$T/err" ]; then fail "online: silent when it works" "$(head -c 300 "$T/err")"; else ok "online: silent when it works"; fi
	expect_grep "online: practices marked online" '"origin": "online"' "$T/on1.json"
	expect_grep "online: snippet pages in sources" '"url": "https://docs.example.test/sqlalchemy/batching"' "$T/on1.json"
	n1=$(requests)
	jcheck "online: two requests per technology, the token as bearer" "$T/on1.json" "
reqs = [json.loads(l) for l in open('$log')]
techs = [g['technology'] for g in d['best_practices']]
assert len(reqs) == 2 * len(techs), (len(reqs), techs)
assert all(r['authorization'] == 'Bearer s3cr3t-token' for r in reqs), reqs[0]
paths = [r['path'] for r in reqs]
assert paths.count('/api/v2/libs/search') == len(techs) and paths.count('/api/v2/context') == len(techs)
ctx = [r for r in reqs if r['path'] == '/api/v2/context']
assert all(r['query']['type'] == ['json'] and r['query']['libraryId'][0].startswith('/fake/') for r in ctx)
online = [p for g in d['best_practices'] for p in g['practices'] if p['origin'] == 'online']
assert len(online) == 2 * len(techs), len(online)
for p in online:
    assert p['checks'] == [] and p['applies_to'] == '*' and p['id'].startswith('online-')
    assert '\n' not in p['summary'] and '\t' not in p['summary'] and '  ' not in p['summary']
kb = [p for g in d['best_practices'] for p in g['practices'] if p['origin'] == 'kb']
base = json.load(open('$T/r1.json'))
assert kb == [p for g in base['best_practices'] for p in g['practices']]"
	if grep -q 's3cr3t-token' "$T/out" "$T/err" "$T"/cache/pperf/research/* 2>/dev/null; then
		fail "online: the token is never written" "found"; else ok "online: the token is never written"; fi
	expect_exit 0 "online: second run" env PPERF_RESEARCH_TOKEN=s3cr3t-token "$R" --url "$url" --timeout 5 "$T/ctx.json"
	if [ "$(requests)" = "$n1" ]; then ok "online: cache hit, no request"; else
		fail "online: cache hit, no request" "$n1 then $(requests) requests"; fi
	if cmp -s "$T/out" "$T/on1.json"; then ok "online: cached answer gives the same"; else
		fail "online: cached answer gives the same" "differ"; fi
	expect_exit 0 "online: --cache-ttl 0" "$R" --url "$url" --cache-ttl 0 "$T/ctx.json"
	if [ "$(requests)" -gt "$n1" ]; then ok "online: --cache-ttl 0 asks again"; else
		fail "online: --cache-ttl 0 asks again" "$(requests) requests"; fi
	n2=$(requests)
	expect_exit 0 "online: PPERF_RESEARCH_URL enables it" env PPERF_RESEARCH_URL="$url" XDG_CACHE_HOME="$T/cache2" "$R" "$T/ctx.json"
	expect_grep "online: PPERF_RESEARCH_URL output" '"origin": "online"' "$T/out"
	n3=$(requests)
	expect_exit 0 "online: --offline wins over PPERF_RESEARCH_URL" env PPERF_RESEARCH_URL="$url" XDG_CACHE_HOME="$T/cache3" "$R" --offline "$T/ctx.json"
	if [ "$(requests)" = "$n3" ] && [ "$n3" -gt "$n2" ] && cmp -s "$T/out" "$T/r1.json"; then ok "online: --offline makes no request"; else
		fail "online: --offline makes no request" "$n2 $n3 $(requests)"; fi

	# failures: every one ends with status 0, one warning, the offline output
	for mode in garbage shape 500 401; do
		start_server "$mode"
		expect_exit 0 "online $mode: audit goes on" "$R" --url "http://127.0.0.1:$port" --timeout 5 "$T/ctx.json"
		one_warning "online $mode"
		# one URL asked (the HTTP module may retry it), no other technology
		distinct=$(sed 's/"authorization".*//' "$log" | sort -u | wc -l | tr -d ' ')
		if [ "$distinct" = 1 ]; then ok "online $mode: stops after the first failure"; else
			fail "online $mode: stops after the first failure" "$distinct distinct requests"; fi
	done
	expect_grep "online 401: the status is named" 'HTTP status 401\|401' "$T/err"
	start_server slow 5
	started=$(date +%s)
	expect_exit 0 "online slow: audit goes on" "$R" --url "http://127.0.0.1:$port" --timeout 0.5 "$T/ctx.json"
	elapsed=$(($(date +%s) - started))
	one_warning "online slow"
	if [ "$elapsed" -le 3 ]; then ok "online slow: bounded by --timeout"; else
		fail "online slow: bounded by --timeout" "$elapsed s"; fi
	start_server 429
	expect_exit 0 "online 429: audit goes on" "$R" --url "http://127.0.0.1:$port" --timeout 1.5 "$T/ctx.json"
	one_warning "online 429"
	stop_server
	expect_exit 0 "online unreachable: audit goes on" "$R" --url "http://127.0.0.1:$port" --timeout 2 --cache-ttl 0 "$T/ctx.json"
	one_warning "online unreachable"
	if ls "$T"/cache/pperf/research/*.json >/dev/null 2>&1; then
		if grep -l 'this is not JSON\|"hello"' "$T"/cache/pperf/research/*.json >/dev/null 2>&1; then
			fail "online: failed answers are not cached" "found"; else ok "online: failed answers are not cached"; fi
	else
		fail "online: the cache was written" "no file under $T/cache/pperf/research"
	fi
fi

done_testing
