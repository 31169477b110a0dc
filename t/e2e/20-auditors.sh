# t/e2e/20-auditors.sh: the three auditors end to end: command line, the
# result document (checked field by field against the check tables), the
# same result standalone and from a context on stdin, bad input, bad trees,
# --fail-on, and a reader that goes away.
. "$PPERF_ROOT/t/e2e/lib.sh"

FX=$PPERF_ROOT/t/fixtures
APP=t/fixtures/audit-app
CLEAN=t/fixtures/audit-clean
AUDITORS="query txn runtime"
have_python=
command -v python3 >/dev/null 2>&1 && have_python=1
tmo=
command -v timeout >/dev/null 2>&1 && tmo="timeout 20"

category() {
	case $1 in
	query) echo "Query Efficiency" ;;
	txn) echo "Transaction Correctness" ;;
	runtime) echo "Runtime Performance" ;;
	esac
}

# The table of audit-$1/checks.c as "id 1" (implemented) or "id 0" lines.
table_of() {
	awk '
		/^\t\{$/ { row = 1; id = ""; nyi = 0; next }
		row && id == "" && /^\t\t"/ { id = $0; gsub(/^\t\t"|",$/, "", id); next }
		row && /^\t\tNULL,$/ { nyi = 1 }
		row && /^\t\},?$/ { print id, (nyi ? 0 : 1); row = 0 }
	' "$PPERF_ROOT/audit-$1/checks.c"
}

# validate RESULT CATEGORY TABLE [key=value...]: the pperf.result/1 contract.
# Keys: only=ID,... (the --checks list), files=N (files_scanned),
# all_found=1 (every check that ran found something), not_under=DIR/.
cat >"$TMPDIR/validate.py" <<'EOF'
import json, sys

res_path, category, table_path = sys.argv[1:4]
opts = dict(a.split("=", 1) for a in sys.argv[4:])
errs = []
def e(m):
    errs.append(m)
try:
    with open(res_path) as fh:
        d = json.load(fh)
except Exception as ex:
    print("not JSON: %s" % ex)
    sys.exit(1)
table = [l.split() for l in open(table_path) if l.strip()]
ids = [t[0] for t in table]
impl = {t[0]: t[1] == "1" for t in table}
sel = set(opts["only"].split(",")) if opts.get("only") else set(ids)
if d.get("schema") != "pperf.result/1":
    e("schema %r" % d.get("schema"))
if d.get("category") != category:
    e("category %r" % d.get("category"))
checks = d.get("checks", [])
if [c.get("id") for c in checks] != ids:
    e("checks %s, table %s" % ([c.get("id") for c in checks], ids))
sev = {"CRITICAL": 0, "HIGH": 0, "MEDIUM": 0, "LOW": 0}
per = {}
F = d.get("findings", [])
for f in F:
    for k in ("check", "severity", "file", "line", "location", "issue", "principle",
              "recommendation", "effort", "snippet"):
        if k not in f:
            e("finding lacks %s: %s" % (k, f))
    if f.get("severity") not in sev:
        e("severity %r" % f.get("severity"))
        continue
    sev[f["severity"]] += 1
    per[f["check"]] = per.get(f["check"], 0) + 1
    if f["location"] != "%s:%d" % (f["file"], f["line"]):
        e("location %r for %s:%d" % (f["location"], f["file"], f["line"]))
    if f["file"].startswith("/") or ".." in f["file"].split("/"):
        e("path not relative to codebase_root: %s" % f["file"])
    if f["effort"] not in ("S", "M", "L", "S-M", "M-L"):
        e("effort %r" % f["effort"])
    if not impl.get(f["check"]) or f["check"] not in sel:
        e("finding of a check that did not run: %s" % f["check"])
    if opts.get("not_under") and f["file"].startswith(opts["not_under"]):
        e("finding in %s" % f["file"])
for c in checks:
    want = impl.get(c.get("id"), False) and c.get("id") in sel
    if c.get("ran") is not want:
        e("%s: ran %r, expected %r" % (c.get("id"), c.get("ran"), want))
    if c.get("findings") != per.get(c.get("id"), 0):
        e("%s: findings %r, the list has %d" % (c.get("id"), c.get("findings"), per.get(c.get("id"), 0)))
    if opts.get("all_found") and want and not c.get("findings"):
        e("%s found nothing" % c.get("id"))
for k in sev:
    if d.get(k.lower()) != sev[k]:
        e("%s %r, the list has %d" % (k.lower(), d.get(k.lower()), sev[k]))
if d.get("total_issues") != len(F):
    e("total_issues %r, the list has %d" % (d.get("total_issues"), len(F)))
pen = 2.0 * sev["CRITICAL"] + 1.0 * sev["HIGH"] + 0.5 * sev["MEDIUM"] + 0.2 * sev["LOW"]
want = round(max(0.0, 10 - pen), 1)
if not isinstance(d.get("score"), (int, float)) or abs(d["score"] - want) > 1e-9:
    e("score %r, expected %r" % (d.get("score"), want))
keys = [(f["file"], f["line"]) for f in F if "file" in f and "line" in f]
if keys != sorted(keys):
    e("findings not sorted by file and line")
if "files" in opts and d.get("files_scanned") != int(opts["files"]):
    e("files_scanned %r, expected %s" % (d.get("files_scanned"), opts["files"]))
if errs:
    print("; ".join(errs[:5]))
    sys.exit(1)
EOF

# check_result NAME AUDITOR FILE [key=value...]
check_result() {
	_n=$1
	_a=$2
	_f=$3
	shift 3
	if [ -z "$have_python" ]; then
		skip "$_n" "python3 not installed"
	elif python3 "$TMPDIR/validate.py" "$_f" "$(category "$_a")" "$TMPDIR/$_a.table" "$@" >"$TMPDIR/val" 2>&1; then
		ok "$_n"
	else
		fail "$_n" "$(head -c 600 "$TMPDIR/val" | tr '\n' ' ')"
	fi
}

# empty_stdout NAME: stdout of the last expect_exit is empty
empty_stdout() {
	if [ -s "$TMPDIR/out" ]; then fail "$1" "$(head -c 100 "$TMPDIR/out")"; else ok "$1"; fi
}

# ---- command line
for a in $AUDITORS; do
	P=$PPERF_BIN/pperf-audit-$a
	table_of "$a" >"$TMPDIR/$a.table"
	if [ "$(wc -l <"$TMPDIR/$a.table")" -ge 3 ]; then ok "$a: table read from audit-$a/checks.c"; else
		fail "$a: table read from audit-$a/checks.c" "$(cat "$TMPDIR/$a.table")"; fi

	expect_exit 0 "$a: --help exits 0" "$P" --help
	expect_grep "$a: --help usage on stdout" "^usage: pperf-audit-$a " "$TMPDIR/out"
	if [ -s "$TMPDIR/err" ]; then fail "$a: --help quiet on stderr" "$(cat "$TMPDIR/err")"; else ok "$a: --help quiet on stderr"; fi
	cp "$TMPDIR/out" "$TMPDIR/help"
	while read -r id impl; do
		if [ "$impl" = 1 ]; then pat="^  $id\$"; else pat="^  $id (not implemented yet)\$"; fi
		expect_grep "$a: --help lists $id" "$pat" "$TMPDIR/help"
	done <"$TMPDIR/$a.table"
	expect_exit 0 "$a: -h exits 0" "$P" -h

	expect_exit 0 "$a: --version exits 0" "$P" --version
	expect_grep "$a: --version names the program" "^pperf-audit-$a [0-9]" "$TMPDIR/out"
	expect_exit 0 "$a: -V exits 0" "$P" -V

	expect_exit 2 "$a: unknown option" "$P" --bogus
	expect_grep "$a: unknown option named" "^pperf-audit-$a: error: unknown option '--bogus'\$" "$TMPDIR/err"
	expect_grep "$a: usage on stderr" "^usage: pperf-audit-$a " "$TMPDIR/err"
	empty_stdout "$a: unknown option: empty stdout"
	expect_exit 2 "$a: unknown short option" "$P" -q
	expect_grep "$a: unknown short option named" "error: unknown option '-q'\$" "$TMPDIR/err"
	expect_exit 2 "$a: option without its argument" "$P" --checks
	expect_grep "$a: missing argument named" "error: option '--checks' needs an argument\$" "$TMPDIR/err"
	expect_exit 2 "$a: argument to a flag" "$P" --list-checks=x
	expect_grep "$a: argument to a flag named" "error: option '--list-checks' takes no argument\$" "$TMPDIR/err"
	expect_exit 2 "$a: two operands" "$P" "$APP" "$CLEAN"
	expect_grep "$a: extra operand named" "error: unexpected operand '$CLEAN'\$" "$TMPDIR/err"
	expect_exit 2 "$a: --checks with an unknown id" "$P" --checks nope "$APP"
	expect_grep "$a: unknown check named" "^pperf-audit-$a: error: --checks: unknown check 'nope' (see --list-checks)\$" "$TMPDIR/err"
	empty_stdout "$a: unknown check: empty stdout"
	expect_exit 2 "$a: --checks with an empty list" "$P" --checks , "$APP"
	expect_exit 2 "$a: --explain unknown" "$P" --explain nope
	expect_grep "$a: --explain unknown named" "^pperf-audit-$a: error: --explain: unknown check 'nope' (see --list-checks)\$" "$TMPDIR/err"
	expect_exit 2 "$a: --fail-on unknown severity" "$P" --fail-on SEVERE "$APP"
	expect_grep "$a: unknown severity named" "error: --fail-on: unknown severity 'SEVERE'\$" "$TMPDIR/err"

	expect_exit 0 "$a: --list-checks" "$P" --list-checks
	awk '{ print $1, (/\(not implemented yet\)$/ ? 0 : 1) }' "$TMPDIR/out" >"$TMPDIR/listed"
	if cmp -s "$TMPDIR/listed" "$TMPDIR/$a.table"; then ok "$a: --list-checks lists the table, in order"; else
		fail "$a: --list-checks lists the table, in order" "$(diff "$TMPDIR/$a.table" "$TMPDIR/listed" | tr '\n' ' ')"; fi
	while read -r id impl; do
		expect_exit 0 "$a: --explain $id" "$P" --explain "$id"
		expect_grep "$a: --explain $id heading" "^$id: " "$TMPDIR/out"
		for h in "Why it matters:" "Severity:" "Example:" "Use instead:" "Effort: " "Principle: "; do
			grep -q "^$h" "$TMPDIR/out" || fail "$a: --explain $id has '$h'" "missing"
		done
		if [ "$impl" = 1 ]; then want='^Status: implemented$'; else want='^Status: not implemented yet'; fi
		expect_grep "$a: --explain $id status" "$want" "$TMPDIR/out"
	done <"$TMPDIR/$a.table"
done

# ---- results on the fixture project: standalone, and from a context on stdin
"$PPERF_BIN/pperf-discover" "$APP" >"$TMPDIR/app.ctx" 2>"$TMPDIR/err" || fail "discover $APP" "$(cat "$TMPDIR/err")"
"$PPERF_BIN/pperf-research" <"$TMPDIR/app.ctx" >"$TMPDIR/app.rctx" 2>"$TMPDIR/err" || fail "research $APP" "$(cat "$TMPDIR/err")"
for a in $AUDITORS; do
	P=$PPERF_BIN/pperf-audit-$a
	expect_exit 0 "$a: standalone on $APP" "$P" "$APP"
	cp "$TMPDIR/out" "$TMPDIR/$a.alone"
	if [ -s "$TMPDIR/err" ]; then fail "$a: standalone without warnings" "$(head -c 300 "$TMPDIR/err")"; else
		ok "$a: standalone without warnings"; fi
	check_result "$a: standalone result is a valid pperf.result/1" "$a" "$TMPDIR/$a.alone" \
		files=5 all_found=1 not_under=tests/
	expect_grep "$a: codebase_root is the fixture" "\"codebase_root\": \"$PPERF_ROOT/$APP\"" "$TMPDIR/$a.alone"

	expect_exit 0 "$a: context on stdin" "$P" <"$TMPDIR/app.ctx"
	if cmp -s "$TMPDIR/out" "$TMPDIR/$a.alone"; then ok "$a: stdin result equals standalone result"; else
		fail "$a: stdin result equals standalone result" "$(diff "$TMPDIR/$a.alone" "$TMPDIR/out" | head -10 | tr '\n' ' ')"; fi
	expect_exit 0 "$a: research context on stdin" "$P" <"$TMPDIR/app.rctx"
	# research adds each finding's "source" (the practice's URL) and nothing else
	grep -c '"source": "https://' "$TMPDIR/out" >"$TMPDIR/nsrc" || true
	if [ "$(cat "$TMPDIR/nsrc")" -gt 0 ]; then ok "$a: after research, findings name their source"; else
		fail "$a: after research, findings name their source" "no \"source\" in $TMPDIR/out"; fi
	sed -e '/^      "source": "/d' -e 's/^\(      "snippet": ".*"\),$/\1/' "$TMPDIR/out" >"$TMPDIR/out.nosrc"
	sed -e 's/^\(      "snippet": ".*"\),$/\1/' "$TMPDIR/$a.alone" >"$TMPDIR/alone.nosrc"
	if cmp -s "$TMPDIR/out.nosrc" "$TMPDIR/alone.nosrc"; then ok "$a: after research, same result"; else
		fail "$a: after research, same result" "$(diff "$TMPDIR/alone.nosrc" "$TMPDIR/out.nosrc" | head -10 | tr '\n' ' ')"; fi
	status=0
	"$PPERF_BIN/pperf-discover" "$APP" | "$P" >"$TMPDIR/out" 2>"$TMPDIR/err" || status=$?
	if [ "$status" -eq 0 ] && cmp -s "$TMPDIR/out" "$TMPDIR/$a.alone"; then ok "$a: pperf-discover | auditor"; else
		fail "$a: pperf-discover | auditor" "status $status $(head -c 200 "$TMPDIR/err")"; fi

	# the first two checks of the table only
	only=$(awk '$2 == 1 { print $1 }' "$TMPDIR/$a.table" | head -n 2 | paste -sd, -)
	expect_exit 0 "$a: --checks $only" "$P" --checks "$only" "$APP"
	check_result "$a: --checks runs only $only" "$a" "$TMPDIR/out" "only=$only" files=5 all_found=1

	# a standalone run with stdin on a terminal discovers "."
	if command -v script >/dev/null 2>&1; then
		(cd "$APP" && script -qec "$P" /dev/null </dev/null) >"$TMPDIR/tty" 2>&1
		tr -d '\r' <"$TMPDIR/tty" >"$TMPDIR/tty.json"
		if cmp -s "$TMPDIR/tty.json" "$TMPDIR/$a.alone"; then ok "$a: stdin a terminal: audits ."; else
			fail "$a: stdin a terminal: audits ." "$(head -c 200 "$TMPDIR/tty.json" | tr '\n' ' ')"; fi
	else
		skip "$a: stdin a terminal" "script(1) not installed"
	fi
done

# ---- --fail-on: HIGH findings in the app, none in the clean project
for a in $AUDITORS; do
	P=$PPERF_BIN/pperf-audit-$a
	expect_exit 1 "$a: --fail-on HIGH with HIGH findings" "$P" --fail-on HIGH "$APP"
	if cmp -s "$TMPDIR/out" "$TMPDIR/$a.alone"; then ok "$a: --fail-on still writes the result"; else
		fail "$a: --fail-on still writes the result" "differs"; fi
	expect_exit 1 "$a: --fail-on high (any case)" "$P" --fail-on high "$APP"
	expect_exit 0 "$a: --fail-on never" "$P" --fail-on never "$APP"
	expect_exit 0 "$a: --fail-on CRITICAL without CRITICAL findings" "$P" --fail-on CRITICAL "$APP"
	expect_exit 0 "$a: --fail-on HIGH without HIGH findings" "$P" --fail-on HIGH "$CLEAN"
	check_result "$a: clean project result" "$a" "$TMPDIR/out" files=2
	expect_exit 1 "$a: --fail-on LOW on the clean project" "$P" --fail-on LOW "$CLEAN"
done
expect_exit 1 "txn: --fail-on MEDIUM on the clean project" "$PPERF_BIN/pperf-audit-txn" --fail-on MEDIUM "$CLEAN"
expect_exit 0 "runtime: --fail-on MEDIUM on the clean project (LOW only)" "$PPERF_BIN/pperf-audit-runtime" --fail-on MEDIUM "$CLEAN"

# ---- bad input on stdin: status 3, a located message, nothing on stdout
printf '{"schema": "pperf.context/1",\n  "files": [1, 2,]}\n' >"$TMPDIR/malformed.json"
printf '{"schema": "pperf.context/1",\n  "files": [1, 2\n' >"$TMPDIR/truncated.json"
printf '' >"$TMPDIR/empty.json"
printf ' \n\t\n' >"$TMPDIR/blank.json"
printf '{"schema": "pperf.context/1", "codebase_root": ".", "tech_stack": {}, "files": [{"path": "a.py", "language": "python", "role": "app", "bytes": 1}]}\n' >"$TMPDIR/badrole.json"
printf '{"schema": "pperf.context/1", "schema": "pperf.context/1"}\n' >"$TMPDIR/dup.json"
# rejects IN: status STATUS, stderr matching PATTERN, nothing on stdout
rejects() {
	expect_exit "$1" "$a: $2" "$P" <"$3"
	expect_grep "$a: $2 named" "$4" "$TMPDIR/err"
	empty_stdout "$a: $2: empty stdout"
}
for a in $AUDITORS; do
	P=$PPERF_BIN/pperf-audit-$a
	rejects 3 "malformed JSON" "$TMPDIR/malformed.json" "^pperf-audit-$a: <stdin>:2:18: error: unexpected token near ']'\$"
	rejects 3 "truncated JSON" "$TMPDIR/truncated.json" "^pperf-audit-$a: <stdin>:3: error: ']' expected near end of file\$"
	rejects 3 "a result fed as context" "$TMPDIR/$a.alone" "^pperf-audit-$a: <stdin>: error: schema: expected \"pperf.context/1\", got \"pperf.result/1\"\$"
	rejects 3 "empty stdin" "$TMPDIR/empty.json" "^pperf-audit-$a: <stdin>: error: empty input\$"
	expect_exit 3 "$a: blank stdin" "$P" <"$TMPDIR/blank.json"
	expect_exit 3 "$a: bad file role" "$P" <"$TMPDIR/badrole.json"
	expect_grep "$a: bad role named" "error: files\[0\]\.role: expected one of " "$TMPDIR/err"
	expect_exit 3 "$a: duplicate key" "$P" <"$TMPDIR/dup.json"
	expect_grep "$a: duplicate key named" "error: duplicate object key" "$TMPDIR/err"
done

# ---- a context whose codebase_root is gone: status 4, nothing on stdout;
# without sources in an audited language there is nothing to read and the root does not matter
sed "s|\"codebase_root\": \".*\"|\"codebase_root\": \"$TMPDIR/gone\"|" "$TMPDIR/app.ctx" >"$TMPDIR/gone.ctx"
printf '{"schema": "pperf.context/1", "codebase_root": "%s/gone", "tech_stack": {}, "files": [{"path": "main.rs", "language": "rust", "role": "source", "bytes": 10}]}\n' "$TMPDIR" >"$TMPDIR/gone-go.ctx"
for a in $AUDITORS; do
	P=$PPERF_BIN/pperf-audit-$a
	rejects 4 "missing codebase_root" "$TMPDIR/gone.ctx" "^pperf-audit-$a: $TMPDIR/gone: error: codebase_root: No such file or directory\$"
	expect_exit 0 "$a: missing root, no source in an audited language" "$P" <"$TMPDIR/gone-go.ctx"
	check_result "$a: nothing to audit is a valid result" "$a" "$TMPDIR/out" files=0
	expect_exit 4 "$a: missing PATH" "$P" "$TMPDIR/gone"
	expect_grep "$a: missing PATH named" "^pperf-audit-$a: $TMPDIR/gone: error: No such file or directory\$" "$TMPDIR/err"
	empty_stdout "$a: missing PATH: empty stdout"
done

# ---- a bad tree: each bad file is named in a warning, the run goes on
B=$TMPDIR/bad
mkdir -p "$B/app"
printf 'import time\n\n\nasync def tick():\n    time.sleep(1)\n' >"$B/app/ok.py"
printf 'x = 1\0\0\0binary\n' >"$B/app/blob.py"
if command -v truncate >/dev/null 2>&1; then truncate -s 50M "$B/app/big.py"; else
	dd if=/dev/zero of="$B/app/big.py" bs=1 count=1 seek=52428799 2>/dev/null; fi
printf 'x = 1\n' >"$B/app/secret.py"
chmod 000 "$B/app/secret.py"
ln -s loop.py "$B/app/loop.py"
printf '# caf\351\nname = "caf\351"\n' >"$B/app/latin.py"
for a in $AUDITORS; do
	P=$PPERF_BIN/pperf-audit-$a
	expect_exit 0 "$a: bad tree standalone exits 0" $tmo "$P" "$B"
	check_result "$a: bad tree standalone result" "$a" "$TMPDIR/out"
	expect_grep "$a: binary file warned" "^pperf-audit-$a: $B/app/blob.py: warning: binary file, skipped\$" "$TMPDIR/err"
	expect_grep "$a: 50 MB file warned" "^pperf-audit-$a: $B/app/big.py: warning: file too large (52428800 bytes, limit 8388608), skipped\$" "$TMPDIR/err"
	expect_grep "$a: symlink loop warned" "^pperf-audit-$a: $B/app/loop.py: warning: symlink loop, skipped\$" "$TMPDIR/err"
	expect_grep "$a: non-UTF-8 file skipped" "^pperf-audit-$a: app/latin.py:1:6: warning: skipped: invalid UTF-8\$" "$TMPDIR/err"
done

# the same files listed in a context, so the auditor meets them itself
mkfifo "$B/app/fifo.py" 2>/dev/null || true
mkdir "$B/app/dir.py"
{
	printf '{"schema": "pperf.context/1", "codebase_root": "%s", "tech_stack": {}, "files": [' "$B"
	sep=
	for f in ok blob big secret loop latin fifo dir missing; do
		printf '%s{"path": "app/%s.py", "language": "python", "role": "source", "bytes": 1}' "$sep" "$f"
		sep=', '
	done
	printf ']}\n'
} >"$TMPDIR/bad.ctx"
for a in $AUDITORS; do
	P=$PPERF_BIN/pperf-audit-$a
	expect_exit 0 "$a: bad files in a context: exits 0" $tmo "$P" <"$TMPDIR/bad.ctx"
	n=1
	[ "$(id -u)" -eq 0 ] && n=2 # root reads secret.py all the same
	check_result "$a: bad files in a context: valid result" "$a" "$TMPDIR/out" files=$n
	expect_grep "$a: context: binary" "^pperf-audit-$a: app/blob.py: warning: skipped: binary file\$" "$TMPDIR/err"
	expect_grep "$a: context: 50 MB" "^pperf-audit-$a: app/big.py: warning: skipped: file too large\$" "$TMPDIR/err"
	expect_grep "$a: context: symlink loop" "^pperf-audit-$a: app/loop.py: warning: skipped: Too many levels of symbolic links\$" "$TMPDIR/err"
	expect_grep "$a: context: non-UTF-8" "^pperf-audit-$a: app/latin.py:1:6: warning: skipped: invalid UTF-8\$" "$TMPDIR/err"
	expect_grep "$a: context: missing file" "^pperf-audit-$a: app/missing.py: warning: skipped: No such file or directory\$" "$TMPDIR/err"
	expect_grep "$a: context: directory" "^pperf-audit-$a: app/dir.py: warning: skipped: not a regular file\$" "$TMPDIR/err"
	if [ -p "$B/app/fifo.py" ]; then
		expect_grep "$a: context: FIFO (no hang)" "^pperf-audit-$a: app/fifo.py: warning: skipped: not a regular file\$" "$TMPDIR/err"
	else
		skip "$a: context: FIFO" "mkfifo failed"
	fi
done
expect_grep "runtime: the good file is still audited" '"check": "sync_sleep_in_async"' "$TMPDIR/out"

# a file without read permission: as root, run as nobody
if [ "$(id -u)" -ne 0 ]; then
	runas=
elif command -v setpriv >/dev/null 2>&1 &&
	chmod o+x "$(dirname "$TMPDIR")" "$TMPDIR" && chmod 755 "$B" "$B/app" &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$B/app/ok.py" 2>/dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups "$PPERF_BIN/pperf-audit-txn" --version >/dev/null 2>&1; then
	runas="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
	runas=none
fi
for a in $AUDITORS; do
	if [ "$runas" = none ]; then
		skip "$a: unreadable file" "running as root and cannot run as nobody (setpriv)"
		continue
	fi
	P=$PPERF_BIN/pperf-audit-$a
	expect_exit 0 "$a: unreadable file in a context: exits 0" $tmo $runas "$P" <"$TMPDIR/bad.ctx"
	expect_grep "$a: unreadable file warned" "^pperf-audit-$a: app/secret.py: warning: skipped: Permission denied\$" "$TMPDIR/err"
	check_result "$a: unreadable file: valid result" "$a" "$TMPDIR/out" files=1
	expect_exit 0 "$a: unreadable file standalone: exits 0" $tmo $runas "$P" "$B"
	expect_grep "$a: unreadable file standalone warned" "^pperf-audit-$a: $B/app/secret.py: warning: Permission denied, skipped\$" "$TMPDIR/err"
done

# ---- the reader goes away: no message, status 0
M=$TMPDIR/many/app
mkdir -p "$M"
{
	printf 'import time\n\n\nasync def tick():\n'
	i=0
	while [ "$i" -lt 400 ]; do printf '    time.sleep(0)\n'; i=$((i + 1)); done
} >"$M/tick.py"
"$PPERF_BIN/pperf-audit-runtime" "$TMPDIR/many" >"$TMPDIR/many.json" 2>/dev/null
if [ "$(wc -c <"$TMPDIR/many.json")" -gt 131072 ]; then ok "a result larger than a pipe"; else
	fail "a result larger than a pipe" "$(wc -c <"$TMPDIR/many.json") bytes"; fi
{
	"$PPERF_BIN/pperf-audit-runtime" "$TMPDIR/many" 2>"$TMPDIR/err"
	echo $? >"$TMPDIR/status"
} | head -c 10 >/dev/null
if [ -s "$TMPDIR/err" ]; then fail "| head -c 10: no message" "$(cat "$TMPDIR/err")"; else ok "| head -c 10: no message"; fi
if [ "$(cat "$TMPDIR/status")" = 0 ]; then ok "| head -c 10: status 0"; else
	fail "| head -c 10: status 0" "status $(cat "$TMPDIR/status")"; fi
for a in $AUDITORS; do
	for args in "$APP" --help --list-checks; do
		{
			sleep 0.2
			"$PPERF_BIN/pperf-audit-$a" $args 2>"$TMPDIR/err"
			echo $? >"$TMPDIR/status"
		} | true
		if [ -s "$TMPDIR/err" ] || [ "$(cat "$TMPDIR/status")" != 0 ]; then
			fail "$a $args: closed stdout is quiet" "status $(cat "$TMPDIR/status"): $(cat "$TMPDIR/err")"
		else
			ok "$a $args: closed stdout is quiet"
		fi
	done
done

# ---- a full disk is an I/O error
if [ -w /dev/full ]; then
	for a in $AUDITORS; do
		status=0
		"$PPERF_BIN/pperf-audit-$a" "$APP" >/dev/full 2>"$TMPDIR/err" || status=$?
		if [ "$status" -eq 4 ] && grep -q "^pperf-audit-$a: error: cannot write standard output: " "$TMPDIR/err"; then
			ok "$a: full disk: status 4"
		else
			fail "$a: full disk: status 4" "status $status: $(cat "$TMPDIR/err")"
		fi
		status=0
		"$PPERF_BIN/pperf-audit-$a" --list-checks >/dev/full 2>"$TMPDIR/err" || status=$?
		if [ "$status" -eq 4 ]; then ok "$a: --list-checks to a full disk: status 4"; else
			fail "$a: --list-checks to a full disk: status 4" "status $status"; fi
	done
else
	skip "full disk" "no /dev/full"
fi

done_testing
