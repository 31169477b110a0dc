# t/e2e/10-discover.sh: pperf-discover on the fixture projects, with git
# and without, and on bad trees (binary, 50 MB, unreadable, symlink loop,
# missing or non-directory root).
. "$PPERF_ROOT/t/e2e/lib.sh"

D=$PPERF_BIN/pperf-discover
FX=$PPERF_ROOT/t/fixtures

# normalise the two run-dependent fields of a context
norm() {
	sed -e 's|^  "codebase_root": ".*",$|  "codebase_root": "ROOT",|' \
		-e 's|^  "generated_by": ".*",$|  "generated_by": "VERSION",|' "$1"
}

# ---- command line
expect_exit 0 "help exits 0" "$D" --help
expect_grep "help shows usage" '^usage: pperf-discover ' "$TMPDIR/out"
usage=$(head -n 1 "$TMPDIR/out" | sed 's/^usage: //')
if command -v mandoc >/dev/null 2>&1; then
	synopsis=$(mandoc -Tascii "$PPERF_ROOT/man/pperf-discover.1" | col -bx |
		sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' | tr -s ' \n' '  ' | sed 's/^ *//;s/ *$//')
	if [ "$synopsis" = "$usage" ]; then ok "usage equals man SYNOPSIS"; else
		fail "usage equals man SYNOPSIS" "'$usage' vs '$synopsis'"; fi
else
	skip "usage equals man SYNOPSIS" "mandoc not installed"
fi
expect_exit 0 "version exits 0" "$D" --version
expect_grep "version names the program" '^pperf-discover ' "$TMPDIR/out"
expect_exit 2 "unknown option is a usage error" "$D" --bogus
expect_grep "usage on stderr" '^usage: pperf-discover' "$TMPDIR/err"
expect_exit 2 "two roots are a usage error" "$D" a b
expect_exit 2 "bad --max-file-size" "$D" --max-file-size 12x "$FX/discover-go"

# ---- the FastAPI fixture: golden document, in git mode and as a plain copy
expect_exit 0 "discover fastapi fixture" "$D" "$FX/discover-fastapi"
norm "$TMPDIR/out" >"$TMPDIR/got.json"
if cmp -s "$TMPDIR/got.json" "$FX/discover-fastapi.context.json"; then ok "fastapi context equals golden"; else
	fail "fastapi context equals golden" "$(diff "$FX/discover-fastapi.context.json" "$TMPDIR/got.json" | head -20 | tr '\n' ' ')"; fi
if [ -s "$TMPDIR/err" ]; then fail "fastapi fixture without warnings" "$(cat "$TMPDIR/err")"; else ok "fastapi fixture without warnings"; fi

cp -R "$FX/discover-fastapi" "$TMPDIR/my proj"
expect_exit 0 "discover a copy with a space in its path" "$D" --no-git "$TMPDIR/my proj"
norm "$TMPDIR/out" >"$TMPDIR/copy.json"
if cmp -s "$TMPDIR/copy.json" "$FX/discover-fastapi.context.json"; then ok "plain walk equals golden"; else
	fail "plain walk equals golden" "$(diff "$FX/discover-fastapi.context.json" "$TMPDIR/copy.json" | head -20 | tr '\n' ' ')"; fi
expect_grep "codebase_root is absolute" "\"codebase_root\": \"$TMPDIR/my proj\"" "$TMPDIR/out"

(cd "$TMPDIR/my proj" && "$D") >"$TMPDIR/dot.json" 2>"$TMPDIR/err"
norm "$TMPDIR/dot.json" >"$TMPDIR/dot.norm"
if cmp -s "$TMPDIR/dot.norm" "$FX/discover-fastapi.context.json"; then ok "ROOT defaults to ."; else
	fail "ROOT defaults to ." "$(head -c 300 "$TMPDIR/err")"; fi

# ---- the other fixtures
expect_exit 0 "discover node fixture" "$D" "$FX/discover-node"
expect_grep "node: nestjs" '"web": "nestjs"' "$TMPDIR/out"
expect_grep "node: prisma" '"orm": "prisma"' "$TMPDIR/out"
expect_grep "node: typescript" '^      "typescript"$' "$TMPDIR/out"
expect_grep "node: db from prisma datasource" '"db": "postgresql"' "$TMPDIR/out"
expect_grep "node: quoted trigger table" '"table": "LabOrder"' "$TMPDIR/out"
expect_grep "node: NOTIFY channel" '"channel": "lab_orders"' "$TMPDIR/out"
expect_grep "node: spec file is a test" '"path": "src/orders.service.spec.ts"' "$TMPDIR/out"
grep -A 3 '"path": "src/orders.service.spec.ts"' "$TMPDIR/out" >"$TMPDIR/spec"
expect_grep "node: spec role" '"role": "test"' "$TMPDIR/spec"

expect_exit 0 "discover go fixture" "$D" "$FX/discover-go"
expect_grep "go: chi" '"web": "chi"' "$TMPDIR/out"
expect_grep "go: pgx driver" '"driver": "pgx"' "$TMPDIR/out"
expect_grep "go: go version" '"go_version": "1.22"' "$TMPDIR/out"
expect_grep "go: trigger" '"location": "migrations/0001_readings.sql:11"' "$TMPDIR/out"
expect_grep "go: channel" '"channel": "meter_readings"' "$TMPDIR/out"

# ---- .gitignore and skipped directories without git
P=$TMPDIR/plain
mkdir -p "$P/app" "$P/node_modules/x" "$P/.venv/lib" "$P/env" "$P/app/__pycache__" "$P/data"
printf 'x = 1\n' >"$P/app/a.py"
printf 'x\n' >"$P/node_modules/x/i.js"
printf 'x\n' >"$P/.venv/lib/v.py"
printf 'home = /usr\n' >"$P/env/pyvenv.cfg"
printf 'x\n' >"$P/env/e.py"
printf 'x\n' >"$P/app/debug.log"
printf 'x\n' >"$P/data/rows.csv"
printf '*.log\n/data/\n' >"$P/.gitignore"
expect_exit 0 "discover plain tree" "$D" --no-git "$P"
expect_grep "plain: source listed" '"path": "app/a.py"' "$TMPDIR/out"
for gone in node_modules .venv env/ debug.log rows.csv __pycache__; do
	if grep -q "$gone" "$TMPDIR/out"; then fail "plain: $gone left out" "listed"; else ok "plain: $gone left out"; fi
done

# ---- git work tree: ignored files out, untracked in, odd names
if command -v git >/dev/null 2>&1; then
	G=$TMPDIR/repo
	mkdir -p "$G/src"
	printf 'x = 1\n' >"$G/src/with space.py"
	printf 'x = 1\n' >"$G/src/-dash.py"
	printf 'x = 1\n' >"$G/src/secret.py"
	printf 'src/secret.py\n' >"$G/.gitignore"
	(cd "$G" && git init -q . && git add .gitignore) >/dev/null 2>&1
	expect_exit 0 "discover git tree" "$D" "$G"
	expect_grep "git: untracked file with a space" '"path": "src/with space.py"' "$TMPDIR/out"
	expect_grep "git: leading dash" '"path": "src/-dash.py"' "$TMPDIR/out"
	if grep -q 'secret.py' "$TMPDIR/out"; then fail "git: ignored file left out" "listed"; else ok "git: ignored file left out"; fi
else
	skip "git work tree" "git not installed"
fi

# ---- bad trees: warnings, the run goes on
B=$TMPDIR/bad
mkdir -p "$B/app"
printf 'import os\n' >"$B/app/ok.py"
printf 'x = 1\0\0\0binary\n' >"$B/app/blob.py"
if command -v truncate >/dev/null 2>&1; then truncate -s 50M "$B/big.sql"; else
	dd if=/dev/zero of="$B/big.sql" bs=1048576 count=50 2>/dev/null; fi
ln -s loop "$B/loop"
ln -s .. "$B/app/up"
printf 'x = 1\n' >"$B/app/secret.py"
chmod 000 "$B/app/secret.py"
expect_exit 0 "bad tree exits 0" "$D" "$B"
expect_grep "binary file warning" "^pperf-discover: $B/app/blob.py: warning: binary file, skipped$" "$TMPDIR/err"
expect_grep "50 MB file warning" "^pperf-discover: $B/big.sql: warning: file too large (52428800 bytes, limit 8388608), skipped$" "$TMPDIR/err"
expect_grep "symlink loop warning" "^pperf-discover: $B/loop: warning: symlink loop, skipped$" "$TMPDIR/err"
expect_grep "directory loop warning" "^pperf-discover: $B/app/up: warning: symlink loop, skipped$" "$TMPDIR/err"
expect_grep "good file still listed" '"path": "app/ok.py"' "$TMPDIR/out"
if grep -q -e blob.py -e big.sql "$TMPDIR/out"; then fail "bad files left out" "listed"; else ok "bad files left out"; fi
if [ "$(id -u)" -ne 0 ]; then
	expect_grep "unreadable file warning" "^pperf-discover: $B/app/secret.py: warning: Permission denied, skipped$" "$TMPDIR/err"
elif command -v setpriv >/dev/null 2>&1 &&
	chmod o+x "$(dirname "$TMPDIR")" "$TMPDIR" && chmod 755 "$B" "$B/app" &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$B/app/ok.py" 2>/dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups "$D" --version >/dev/null 2>&1; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$D" "$B" >"$TMPDIR/out" 2>"$TMPDIR/err"
	expect_grep "unreadable file warning (as nobody)" "^pperf-discover: $B/app/secret.py: warning: Permission denied, skipped$" "$TMPDIR/err"
else
	skip "unreadable file warning" "running as root and cannot run as nobody (setpriv)"
fi
expect_exit 0 "smaller --max-file-size" "$D" --max-file-size 4 "$B"
expect_grep "limit applies" "app/ok.py: warning: file too large (10 bytes, limit 4), skipped" "$TMPDIR/err"

# ---- bad roots: error, status 4, nothing on stdout
expect_exit 4 "missing root" "$D" "$TMPDIR/absent"
expect_grep "missing root message" "^pperf-discover: $TMPDIR/absent: error: No such file or directory$" "$TMPDIR/err"
if [ -s "$TMPDIR/out" ]; then fail "missing root: empty stdout" "$(head -c 100 "$TMPDIR/out")"; else ok "missing root: empty stdout"; fi
expect_exit 4 "root is a file" "$D" "$B/app/ok.py"
expect_grep "not a directory message" "error: Not a directory$" "$TMPDIR/err"

# ---- the labelled case this was written against, when it is around
CASE=$PPERF_ROOT/../shared/cases/python/02-order-fulfillment
if [ -d "$CASE" ]; then
	expect_exit 0 "discover shared case 02" "$D" "$CASE"
	expect_grep "case 02: trigger table" '"table": "shipments"' "$TMPDIR/out"
	expect_grep "case 02: channel" '"channel": "shipment_status"' "$TMPDIR/out"
	expect_grep "case 02: expire_on_commit" '"expire_on_commit": false' "$TMPDIR/out"
else
	skip "shared case 02" "../shared/cases not present"
fi

# ---- into research (files of unknown language have "language": null)
"$D" "$FX/discover-go" | "$PPERF_BIN/pperf-research" >"$TMPDIR/out" 2>"$TMPDIR/err"
expect_grep "discover | research" '"best_practices": \[' "$TMPDIR/out"
mkdir "$TMPDIR/lic"
printf 'MIT\n' >"$TMPDIR/lic/LICENSE"
printf 'x = 1\n' >"$TMPDIR/lic/a.py"
"$D" "$TMPDIR/lic" >"$TMPDIR/lic.json"
expect_grep "unknown language is null" '"language": null' "$TMPDIR/lic.json"
expect_exit 0 "research accepts a null language" "$PPERF_BIN/pperf-research" "$TMPDIR/lic.json"

done_testing
