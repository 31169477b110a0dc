#!/bin/sh
# --version of every executable: "<name> <version>" on stdout, exit 0; a
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
done
done_testing
