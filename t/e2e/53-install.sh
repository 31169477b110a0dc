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
done_testing
