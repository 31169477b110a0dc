#!/bin/sh
# --version and a bad option for every executable: "<name> <version>" on stdout, exit 0; a
# failed write (a full disk) is exit 4, never a silent success.
. "$PPERF_ROOT/t/e2e/lib.sh"

for p in discover research audit-query audit-txn audit-runtime aggregate publish; do
	expect_exit 0 "pperf-$p --version" "$PPERF_BIN/pperf-$p" --version
	expect_grep "pperf-$p --version names itself" "^pperf-$p [0-9]" "$TMPDIR/out"
	if [ -w /dev/full ]; then
		expect_exit 4 "pperf-$p --version to a full disk" sh -c '"$1" --version >/dev/full' sh "$PPERF_BIN/pperf-$p"
	else
		skip "pperf-$p --version to a full disk" "/dev/full not writable"
	fi
	expect_exit 2 "pperf-$p --bogus" "$PPERF_BIN/pperf-$p" --bogus
	expect_grep "pperf-$p --bogus says so in the pperf form" "^pperf-$p: error: unknown option '--bogus'" "$TMPDIR/err"
	expect_grep "pperf-$p --bogus prints the usage" "^usage: pperf-$p" "$TMPDIR/err"
done
done_testing
