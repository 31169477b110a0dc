#!/bin/sh
# bench/bench.sh: what `make bench` runs (from the repository root, after
# `make all`).  Generates the corpus into bench/corpus/ (gitignored) when it
# is missing, older than bench/gen.py or made with other arguments, then
# times, best of BENCH_RUNS (default 3) runs each:
#   (a) the whole audit: bin/pperf --format json bench/corpus > /dev/null
#   (b) each phase alone: discover on the corpus, research on its context,
#       each auditor on the saved context, aggregate on the saved results,
#       publish (Markdown) on the saved report
#   (c) grep -rE with one pattern over the same corpus, for comparison
#   (d) the whole audit per language: the Python corpus and a TypeScript
#       and a Go corpus (bench/gen_poly.py into bench/corpus-ts/ and
#       bench/corpus-go/, BENCH_POLY_LINES lines each, default 100000),
#       files/s and MB/s over that language's source files
# and prints seconds, files/s and MB/s (10^6 bytes) of the corpus per row,
# then the peak resident memory of each auditor when GNU time is installed.
# Timings are reported, never asserted.
#
#   (e) the whole audit against ripgrep over the same files (`rg -c` with
#       one combined regex, the floor): median wall time of
#       BENCH_MEDIAN_RUNS (default 5) runs, files/s, MB/s and the peak RSS
#       of the largest process (bench/runstat.py: getrusage, no GNU time)
#   (f) linearity: the whole audit of the corpus generated at 1x, 2x and 4x
#       BENCH_LINES lines, with microseconds per line
# With BENCH_ROOT=DIR only (e) runs, over DIR (any project tree).
#
# Environment: BENCH_LINES (default 200000), BENCH_SEED (default 20240612),
# BENCH_RUNS (default 3), BENCH_MEDIAN_RUNS (default 5), BENCH_ROOT,
# PPERF_BIN (default ./bin).
# Exit status: 0 done; 1 a timed command failed (the table says which);
# 2 bin/ phases missing or bad settings; 4 the corpus could not be generated.

# shellcheck disable=SC2317 # the t_* functions are called through row()
set -u
root=$(cd "$(dirname "$0")/.." && pwd) || exit 4
cd "$root" || exit 4

bin=${PPERF_BIN:-$root/bin}
lines=${BENCH_LINES:-200000}
seed=${BENCH_SEED:-20240612}
runs=${BENCH_RUNS:-3}
corpus=bench/corpus
pattern='time\.sleep\(|session\.commit\('

case $lines$seed$runs in
*[!0-9]*) echo "bench: BENCH_LINES, BENCH_SEED and BENCH_RUNS must be numbers" >&2; exit 2 ;;
esac
[ "$runs" -ge 1 ] || { echo "bench: BENCH_RUNS must be at least 1" >&2; exit 2; }

missing=
for p in pperf pperf-discover pperf-research pperf-audit-query pperf-audit-txn \
	pperf-audit-runtime pperf-aggregate pperf-publish; do
	[ -x "$bin/$p" ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "bench: missing in $bin:$missing (run make first)" >&2
	exit 2
fi
command -v python3 >/dev/null 2>&1 || { echo "bench: python3 is needed to generate the corpus" >&2; exit 4; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pperf-bench.XXXXXX") || exit 4
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the whole audit against ripgrep over the same files (the floor: reading
# and matching every byte once).  rg gets the files of discover's context, by
# name, so that ignore rules cannot make its work smaller, and one regex that
# unites the calls the checks look at.
mruns=${BENCH_MEDIAN_RUNS:-5}
case $mruns in
'' | *[!0-9]*) echo "bench: BENCH_MEDIAN_RUNS must be a number" >&2; exit 2 ;;
esac
[ "$mruns" -ge 1 ] || { echo "bench: BENCH_MEDIAN_RUNS must be at least 1" >&2; exit 2; }
rgpat='session\.(commit|execute|query|add|flush|rollback|begin|get|scalars?)\(|time\.sleep\(|requests\.(get|post|put|delete)\(|async def |await |for .+ in |select\(|\.filter(_by)?\(|\.all\(\)'

# stat_line LABEL SECONDS RSS_KB: one row of the floor table
stat_line() {
	awk -v l="$1" -v s="$2" -v k="$3" -v f="$ffiles" -v b="$fbytes" 'BEGIN {
		if (s <= 0) s = 0.0001
		printf "%-26s %9.3f %10.1f %9.2f %12.1f\n", l, s, f / s, b / 1e6 / s, k / 1024
	}'
}

# floor_table DIR: median wall time, files/s, MB/s and peak RSS of a whole
# `pperf --format json DIR` and of `rg -c` over the same files.  0 or 1.
floor_table() {
	"$bin/pperf-discover" "$1" >"$tmp/fctx.json" 2>"$tmp/err" || {
		echo "bench: pperf-discover $1 failed:" >&2
		sed -n '1,5p' "$tmp/err" >&2
		return 1
	}
	# the context's files (exact bytes of names that are not UTF-8), their
	# count, bytes and lines of Python
	# shellcheck disable=SC2046 # three numbers
	set -- "$1" $(python3 - "$1" "$tmp/fctx.json" "$tmp/flist" <<'PYEOF'
import json, os, sys
root, ctx, lst = sys.argv[1], sys.argv[2], sys.argv[3]
n = size = pylines = 0
with open(ctx, encoding="utf-8") as f, open(lst, "wb") as out:
    for e in json.load(f)["files"]:
        rel = bytes.fromhex(e["path_hex"]) if "path_hex" in e else e["path"].encode()
        p = os.fsencode(root) + b"/" + rel
        out.write(p + b"\0")
        n += 1
        size += e["bytes"]
        if e["language"] == "python":
            with open(p, "rb") as src:
                pylines += src.read().count(b"\n")
print(n, size, pylines)
PYEOF
)
	ffiles=$2 fbytes=$3
	printf 'whole audit against ripgrep: %s\n%s files, %s lines of Python, %.1f MB; median of %s runs\n\n' \
		"$1" "$ffiles" "$4" "$(awk -v b="$fbytes" 'BEGIN { print b / 1e6 }')" "$mruns"
	printf '%-26s %9s %10s %9s %12s\n' "what" "seconds" "files/s" "MB/s" "peak RSS MB"
	printf '%-26s %9s %10s %9s %12s\n' "----" "-------" "-------" "----" "-----------"
	# shellcheck disable=SC2046 # two numbers
	set -- "$1" $(python3 bench/runstat.py --runs "$mruns" --ok 1 --stderr "$tmp/err" -- \
		"$bin/pperf" --format json "$1")
	if [ "$2" = FAILED ]; then
		printf '%-26s FAILED (exit %s)\n' "pperf --format json" "$3"
		sed -n '1,5s/^/    /p' "$tmp/err"
		return 1
	fi
	psec=$2
	stat_line "pperf --format json" "$2" "$3"
	if ! command -v rg >/dev/null 2>&1; then
		echo "(rg not installed: no floor; Debian package ripgrep, make deps installs it)"
		return 0
	fi
	# shellcheck disable=SC2046 # two numbers; rg exits 1 when nothing matches
	set -- "$1" $(python3 bench/runstat.py --runs "$mruns" --ok 1 --stdin "$tmp/flist" --stderr "$tmp/err" -- \
		xargs -0 rg -c -e "$rgpat")
	if [ "$2" = FAILED ]; then
		printf '%-26s FAILED (exit %s)\n' "rg -c (1 regex)" "$3"
		return 1
	fi
	stat_line "rg -c (1 regex, floor)" "$2" "$3"
	awk -v p="$psec" -v r="$2" 'BEGIN { if (r <= 0) r = 0.0001; printf "%-26s %8.1fx\n", "pperf / rg", p / r }'
	return 0
}

if [ -n "${BENCH_ROOT:-}" ]; then
	[ -d "$BENCH_ROOT" ] || { echo "bench: BENCH_ROOT=$BENCH_ROOT is not a directory" >&2; exit 2; }
	floor_table "$BENCH_ROOT"
	exit $?
fi

# ---- corpus: gen.py writes pyproject.toml last, its first line names the arguments
stamp=$corpus/pyproject.toml
want="# pperf bench corpus: bench/gen.py $lines seed=$seed"
regen=0
if [ ! -f "$stamp" ]; then
	regen=1
elif [ -n "$(find bench/gen.py -newer "$stamp" 2>/dev/null)" ]; then
	regen=1
elif [ "$(head -n 1 "$stamp")" != "$want" ]; then
	regen=1
fi
if [ $regen -eq 1 ]; then
	echo "bench: generating $corpus ($lines lines, seed $seed)"
	rm -rf "$corpus"
	if ! python3 bench/gen.py "$lines" "$corpus" --seed "$seed"; then
		rm -rf "$corpus"
		echo "bench: corpus generation failed" >&2
		exit 4
	fi
fi

files=$(find "$corpus" -type f | wc -l | tr -d ' ')
bytes=$(find "$corpus" -type f -exec cat {} + | wc -c | tr -d ' ')
pylines=$(find "$corpus" -type f -name '*.py' -exec cat {} + | wc -l | tr -d ' ')

# ---- clock: GNU date has %N; otherwise fall back to python3
if [ "$(date +%N)" != "%N" ] && [ "$(date +%N)" != "N" ]; then
	now() { date +%s.%N; }
else
	now() { python3 -c 'import time; print("%.9f" % time.time())'; }
fi

# ---- the timed commands (each leaves its output where the next phase reads it)
t_whole() { "$bin/pperf" --format json "$corpus" >/dev/null 2>"$tmp/err"; }
t_discover() { "$bin/pperf-discover" "$corpus" >"$tmp/ctx0.json" 2>"$tmp/err"; }
t_research() { "$bin/pperf-research" <"$tmp/ctx0.json" >"$tmp/ctx.json" 2>"$tmp/err"; }
t_query() { "$bin/pperf-audit-query" <"$tmp/ctx.json" >"$tmp/query.json" 2>"$tmp/err"; }
t_txn() { "$bin/pperf-audit-txn" <"$tmp/ctx.json" >"$tmp/txn.json" 2>"$tmp/err"; }
t_runtime() { "$bin/pperf-audit-runtime" <"$tmp/ctx.json" >"$tmp/runtime.json" 2>"$tmp/err"; }
t_aggregate() {
	"$bin/pperf-aggregate" --context "$tmp/ctx.json" "$tmp/query.json" "$tmp/txn.json" \
		"$tmp/runtime.json" >"$tmp/report.json" 2>"$tmp/err"
}
t_publish() { "$bin/pperf-publish" "$tmp/report.json" >/dev/null 2>"$tmp/err"; }
# grep exits 1 when nothing matches; only 2 and above is an error
t_grep() { grep -rE "$pattern" "$corpus" >/dev/null 2>"$tmp/err"; [ $? -le 1 ]; }

failed=0

# row LABEL FUNCTION: runs FUNCTION $runs times and prints the best time
row() {
	label=$1
	best=
	n=0
	while [ $n -lt "$runs" ]; do
		t0=$(now)
		$2
		st=$?
		if [ $st -ne 0 ]; then
			printf '%-22s %s\n' "$label" "FAILED (exit $st)"
			sed -n '1,5s/^/    /p' "$tmp/err"
			failed=1
			return
		fi
		t1=$(now)
		best=$(awk -v a="$t0" -v b="$t1" -v m="$best" \
			'BEGIN { d = b - a; if (m != "" && m + 0 < d) d = m; printf "%.4f", d }')
		n=$((n + 1))
	done
	awk -v l="$label" -v s="$best" -v f="$files" -v b="$bytes" 'BEGIN {
		if (s <= 0) s = 0.0001
		printf "%-22s %9.3f %11.1f %9.2f\n", l, s, f / s, b / 1e6 / s
	}'
}

printf 'pperf bench: %s files, %s lines of Python, %s bytes in %s; best of %s runs\n\n' \
	"$files" "$pylines" "$bytes" "$corpus" "$runs"
printf '%-22s %9s %11s %9s\n' "what" "seconds" "files/s" "MB/s"
printf '%-22s %9s %11s %9s\n' "----" "-------" "-------" "----"
row "whole audit (pperf)" t_whole
row "discover" t_discover
if [ -s "$tmp/ctx0.json" ]; then
	row "research" t_research
fi
if [ -s "$tmp/ctx.json" ]; then
	row "audit-query" t_query
	row "audit-txn" t_txn
	row "audit-runtime" t_runtime
else
	echo "(no context: auditors, aggregate and publish skipped)"
	failed=1
fi
if [ -s "$tmp/query.json" ] && [ -s "$tmp/txn.json" ] && [ -s "$tmp/runtime.json" ]; then
	row "aggregate" t_aggregate
	[ -s "$tmp/report.json" ] && row "publish (markdown)" t_publish
fi
row "grep -rE (1 pattern)" t_grep
printf '\ngrep pattern: %s\n' "$pattern"

# ---- the whole audit of a TypeScript and a Go corpus (bench/gen_poly.py),
# BENCH_POLY_LINES lines each; its manifest's first line names the arguments
poly_lines=${BENCH_POLY_LINES:-100000}
case $poly_lines in
*[!0-9]*) echo "bench: BENCH_POLY_LINES must be a number" >&2; exit 2 ;;
esac
t_poly() { "$bin/pperf" --format json "$pcorpus" >/dev/null 2>"$tmp/err"; }
printf '\n%-22s %9s %11s %9s %9s\n' "whole audit, per lang" "seconds" "files/s" "MB/s" "lines"
printf '%-22s %9s %11s %9s %9s\n' "---------------------" "-------" "-------" "----" "-----"
files_py=$files
for lang in python ts go; do
	case $lang in
	python) pcorpus=$corpus; ext=py ;;
	ts) pcorpus=bench/corpus-ts; pstamp=$pcorpus/package.json; ext=ts ;;
	go) pcorpus=bench/corpus-go; pstamp=$pcorpus/go.mod; ext=go ;;
	esac
	if [ "$lang" != python ]; then
		if [ ! -f "$pstamp" ] || [ -n "$(find bench/gen_poly.py -newer "$pstamp" 2>/dev/null)" ] ||
			! grep -q "bench/gen_poly.py $lang $poly_lines seed=$seed\"*\$" "$pstamp"; then
			rm -rf "$pcorpus"
			if ! python3 bench/gen_poly.py "$lang" "$poly_lines" "$pcorpus" --seed "$seed"; then
				rm -rf "$pcorpus"
				printf '%-22s %s\n' "$lang" "FAILED (corpus generation)"
				failed=1
				continue
			fi
		fi
	fi
	# files/s and MB/s over the sources of the language (what is audited)
	files=$(find "$pcorpus" -type f -name "*.$ext" | wc -l | tr -d ' ')
	bytes=$(find "$pcorpus" -type f -name "*.$ext" -exec cat {} + | wc -c | tr -d ' ')
	plines=$(find "$pcorpus" -type f -name "*.$ext" -exec cat {} + | wc -l | tr -d ' ')
	# (row's output goes through a file: in a pipeline its failed=1 would be lost)
	if [ "$lang" = python ]; then
		row "$lang" t_whole >"$tmp/row"
	else
		row "$lang" t_poly >"$tmp/row"
	fi
	sed "1s/\$/ $(printf '%9s' "$plines")/" "$tmp/row"
done
files=$files_py

# ---- peak memory of each auditor (the project index lives in them), with GNU time
if [ -s "$tmp/ctx.json" ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	printf '\n%-22s %12s\n' "auditor" "peak RSS kB"
	for a in query txn runtime; do
		kb=$(/usr/bin/time -f %M "$bin/pperf-audit-$a" <"$tmp/ctx.json" 2>&1 >/dev/null | tail -n 1)
		printf '%-22s %12s\n' "audit-$a" "$kb"
	done
else
	printf '\n(peak memory not measured: GNU time is not installed as /usr/bin/time)\n'
fi

# ---- the floor over the generated corpus, then linearity: the whole audit of
# the corpus generated at 1x, 2x and 4x BENCH_LINES (2x and 4x in $tmp)
echo
floor_table "$corpus" || failed=1
printf '\nlinearity: whole audit (pperf --format json), generated corpus; median of %s runs\n\n' "$mruns"
printf '%-6s %9s %7s %9s %11s %12s\n' "scale" "lines" "files" "seconds" "us per line" "peak RSS MB"
printf '%-6s %9s %7s %9s %11s %12s\n' "-----" "-----" "-----" "-------" "-----------" "-----------"
t1=
for k in 1 2 4; do
	dir=$corpus
	if [ $k -gt 1 ]; then
		dir=$tmp/corpus-x$k
		if ! python3 bench/gen.py $((lines * k)) "$dir" --seed "$seed" >/dev/null 2>"$tmp/err"; then
			printf '%-6s FAILED (corpus generation)\n' "${k}x"
			sed -n '1,5s/^/    /p' "$tmp/err"
			failed=1
			continue
		fi
	fi
	kl=$(find "$dir" -type f -name '*.py' -exec cat {} + | wc -l | tr -d ' ')
	kf=$(find "$dir" -type f | wc -l | tr -d ' ')
	# shellcheck disable=SC2046 # two numbers
	set -- $(python3 bench/runstat.py --runs "$mruns" --ok 1 --stderr "$tmp/err" -- "$bin/pperf" --format json "$dir")
	if [ "$1" = FAILED ]; then
		printf '%-6s FAILED (exit %s)\n' "${k}x" "$2"
		failed=1
		continue
	fi
	[ $k -eq 1 ] && t1=$1
	awk -v k="${k}x" -v l="$kl" -v f="$kf" -v s="$1" -v r="$2" 'BEGIN {
		printf "%-6s %9d %7d %9.3f %11.2f %12.1f\n", k, l, f, s, s * 1e6 / l, r / 1024
	}'
	[ $k -gt 1 ] && rm -rf "$dir"
	[ $k -eq 4 ] && [ -n "$t1" ] && awk -v a="$t1" -v b="$1" \
		'BEGIN { if (a <= 0) a = 0.0001; printf "\ntime at 4x / time at 1x: %.2f (4.00 is linear)\n", b / a }'
done
exit $failed
