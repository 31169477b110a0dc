#!/bin/sh
# t/fuzz/run.sh: builds and runs the fuzz targets (make fuzz).
#
# Every t/fuzz/fuzz_<name>.c defines LLVMFuzzerTestOneInput.  The library and
# the phases' non-main code are rebuilt under AddressSanitizer and UBSan in
# build-fuzz/<mode>/; each target then runs over the seeds of
# t/fuzz/corpus/<name>/ (and the inputs that once failed, t/fuzz/regress/<name>/,
# with the dictionary t/fuzz/<name>.dict when there is one) for FUZZ_SECONDS
# (default 30) or FUZZ_RUNS inputs.  mode is "libfuzzer" when clang links
# -fsanitize=fuzzer, else "loop": t/fuzz/driver.c, a deterministic mutation
# loop built with the default compiler (FUZZ_ENGINE=loop forces it).
# FUZZ=name runs one target.
# Crashing, leaking or hanging inputs go to build-fuzz/crash-<name>-*; the
# script exits 1 when a target failed.

root=$(cd "$(dirname "$0")/../.." && pwd) || exit 2
cd "$root" || exit 2
out=build-fuzz
seconds=${FUZZ_SECONDS:-30}
runs=${FUZZ_RUNS:-}
make=${MAKE:-make}
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
pkgs="jansson libcurl libpcre2-8"
mkdir -p "$out" || exit 2

probe=$out/probe.c
printf '#include <stddef.h>\nint LLVMFuzzerTestOneInput(const unsigned char *d, size_t n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$probe"
if [ "${FUZZ_ENGINE:-}" != loop ] && command -v clang >/dev/null 2>&1 &&
	clang -fsanitize=fuzzer,address "$probe" -o "$out/probe" >/dev/null 2>&1; then
	mode=libfuzzer
	cc=clang
	libflags="$san -fsanitize=fuzzer-no-link"
	linkflags="$san -fsanitize=fuzzer"
	driver=
else
	mode=loop
	cc=${CC:-cc}
	libflags=$san
	linkflags=$san
	driver=t/fuzz/driver.c
fi
rm -f "$probe" "$out/probe"
echo "== fuzz: $mode ($cc), ${runs:+$runs runs}${runs:-$seconds s} per target"

# the phases' own code (checks, merge, renderers) that targets call, linked into each
extra=
for s in audit-query/*.c audit-txn/*.c audit-runtime/*.c aggregate/*.c publish/*.c; do
	case $s in */main.c) continue ;; esac
	extra="$extra $out/$mode/${s%.c}.o"
done

# warnings stay on, -Werror off: another compiler may warn differently
# shellcheck disable=SC2086
$make --no-print-directory -s BUILD="$out/$mode" CC="$cc" CFLAGS="-O1 -g $libflags" \
	WARN="-Wall -Wextra -Wshadow -Wvla" "$out/$mode/libpperf.a" $extra || exit 1

status=0
for src in t/fuzz/fuzz_*.c; do
	[ -f "$src" ] || continue
	name=${src#t/fuzz/fuzz_}
	name=${name%.c}
	[ -n "$FUZZ" ] && [ "$FUZZ" != "$name" ] && continue
	bin=$out/$mode/fuzz_$name
	# shellcheck disable=SC2046,SC2086
	$cc -std=c11 -O1 -g $linkflags -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib \
		$(pkg-config --cflags $pkgs 2>/dev/null) -o "$bin" "$src" $driver $extra "$out/$mode/libpperf.a" \
		$(pkg-config --libs $pkgs 2>/dev/null) -lpthread || { status=1; continue; }
	seeds=t/fuzz/corpus/$name
	[ -d "$seeds" ] || { echo "fuzz: $name: no seed directory $seeds" >&2; status=1; continue; }
	echo "-- fuzz_$name"
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	if [ $mode = libfuzzer ]; then
		work=$out/corpus-$name
		mkdir -p "$work"
		if [ -n "$runs" ]; then limit=-runs=$runs; else limit=-max_total_time=$seconds; fi
		dict=
		[ -f "t/fuzz/$name.dict" ] && dict=-dict=t/fuzz/$name.dict
		regress=
		[ -d "t/fuzz/regress/$name" ] && regress=t/fuzz/regress/$name
		# shellcheck disable=SC2086
		"$bin" "$limit" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 $dict \
			-artifact_prefix="$out/crash-$name-" "$work" "$seeds" $regress >"$out/fuzz_$name.log" 2>&1
		rc=$?
		tail -n 12 "$out/fuzz_$name.log"
	else
		"$bin" -seconds "$seconds" ${runs:+-runs "$runs"} -crash-prefix "$out/crash-$name-" "$seeds"
		rc=$?
	fi
	[ $rc -eq 0 ] || { echo "FAIL: fuzz_$name (exit $rc), inputs in $out/crash-$name-*"; status=1; }
done
exit $status
