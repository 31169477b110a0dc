#!/bin/sh
# make install PREFIX=... DESTDIR=...: binaries and man pages land under
# DESTDIR, and the installed driver finds its installed phases.
. "$PPERF_ROOT/t/e2e/lib.sh"

dest=$TMPDIR/stage
expect_exit 0 "make install" make -C "$PPERF_ROOT" --no-print-directory install PREFIX=/opt/pperf DESTDIR="$dest"
for p in pperf pperf-discover pperf-research pperf-audit-query pperf-audit-txn pperf-audit-runtime \
	pperf-aggregate pperf-publish; do
	if [ -x "$dest/opt/pperf/bin/$p" ]; then ok "installed $p"; else fail "installed $p" "missing"; fi
done
for m in man1/pperf.1 man5/pperf-json.5; do
	if [ -f "$dest/opt/pperf/share/man/$m" ]; then ok "installed $m"; else fail "installed $m" "missing"; fi
done
expect_exit 0 "installed pperf runs" env -u PPERF_LIBEXEC "$dest/opt/pperf/bin/pperf" --only runtime "$PPERF_ROOT/examples/app"
expect_grep "installed pperf reports" '^| Runtime Performance |' "$TMPDIR/out"
expect_grep "installed pperf lists the knowledge base's sources" '^- \[[A-Za-z].*\](https://' "$TMPDIR/out"

# ---- the knowledge base: every file installed, and found by the installed
# pperf-research (not the build tree's: the staged copy is cut down)
kb=$dest/opt/pperf/share/pperf/kb
n_src=$(ls "$PPERF_ROOT"/research/kb/*.json | wc -l)
n_dst=$(ls "$kb"/*.json 2>/dev/null | wc -l)
if [ "$n_src" -gt 0 ] && [ "$n_src" -eq "$n_dst" ]; then ok "installed the knowledge base ($n_dst files)"; else
	fail "installed the knowledge base" "$n_dst of $n_src files in $kb"; fi
if cmp -s "$PPERF_ROOT/research/kb/sqlalchemy.json" "$kb/sqlalchemy.json"; then ok "installed kb file is a copy"; else
	fail "installed kb file is a copy" "sqlalchemy.json differs"; fi
"$PPERF_BIN/pperf-discover" "$PPERF_ROOT/examples/app" >"$TMPDIR/ctx.json" 2>/dev/null
for f in "$kb"/*.json; do
	case $f in */sqlalchemy.json) ;; *) rm "$f" ;; esac
done
expect_exit 0 "installed pperf-research runs" env -u PPERF_KB "$dest/opt/pperf/bin/pperf-research" "$TMPDIR/ctx.json"
expect_grep "installed pperf-research reads the installed kb" '"technology": "sqlalchemy"' "$TMPDIR/out"
if grep -q '"technology": "fastapi"' "$TMPDIR/out"; then
	fail "installed pperf-research ignores the build tree's kb" "fastapi practices present"
else
	ok "installed pperf-research ignores the build tree's kb"
fi
rm "$kb"/*.json
expect_exit 3 "installed pperf-research with an empty kb" env -u PPERF_KB "$dest/opt/pperf/bin/pperf-research" "$TMPDIR/ctx.json"
expect_grep "empty kb named" 'share/pperf/kb: error: no knowledge-base files' "$TMPDIR/err"
done_testing
