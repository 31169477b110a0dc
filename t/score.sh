#!/bin/sh
# make score: run the whole pperf pipeline on every labeled case project in
# ../shared/cases/<lang>/ and measure precision and recall with score.py.
# Usage: sh t/score.sh [LANG...]   (default: python)
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
cases=${PPERF_CASES:-$here/../shared/cases}
if [ ! -f "$cases/score.py" ]; then
	echo "score: $cases/score.py not found; set PPERF_CASES" >&2
	exit 2
fi
command -v python3 >/dev/null 2>&1 || { echo "score: python3 is needed" >&2; exit 2; }
[ $# -gt 0 ] || set -- python
status=0
mkdir -p "$here/RESULTS"
: >"$here/RESULTS/summary.txt"
for lang in "$@"; do
	out=$here/RESULTS/$lang
	rm -rf "$out"
	mkdir -p "$out"
	for dir in "$cases/$lang"/*/; do
		name=$(basename "$dir")
		# exit 4 from a failed category still leaves a report to score
		"$here/bin/pperf" --format json -o "$out/$name.json" "$dir" 2>"$out/$name.stderr"
		rc=$?
		if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
			echo "score: pperf failed on $name (exit $rc):" >&2
			cat "$out/$name.stderr" >&2
			status=1
		fi
	done
	echo "== $lang"
	python3 "$cases/score.py" "$cases/$lang/expected.json" --dir "$out" ${SCORE_ARGS:-} >"$here/RESULTS/$lang.score.txt" || status=1
	cat "$here/RESULTS/$lang.score.txt"
	# one line per language for the summary after the last one
	sed -n "s/^overall /$lang /p" "$here/RESULTS/$lang.score.txt" >>"$here/RESULTS/summary.txt"
	# the same, restricted to the checks that are implemented today
	# (score.py knows only the checks its labels use; checks beyond them are left out)
	known=$(python3 -c 'import json, sys; print(" ".join(sorted({x["check"] for x in json.load(open(sys.argv[1]))})))' \
		"$cases/$lang/expected.json")
	# (in this language: the "Languages:" line of --explain)
	case $lang in
	python) word=Python ;;
	ts) word=TypeScript ;;
	*) word=Go ;;
	esac
	implemented=$(for a in query txn runtime; do
			"$here/bin/pperf-audit-$a" --list-checks | awk '{print $1}' | while read -r id; do
				"$here/bin/pperf-audit-$a" --explain "$id" | grep -q "^Languages: .*\b$word\b" && echo "$id"
			done
		done | while read -r id; do case " $known " in *" $id "*) echo "$id" ;; esac; done | paste -sd, -)
	echo "== $lang, implemented checks only: $implemented"
	python3 "$cases/score.py" "$cases/$lang/expected.json" --dir "$out" --checks "$implemented" |
		grep -E '^(category|overall)' || status=1
done
if [ $# -gt 1 ]; then
	echo "== summary (all checks, per language)"
	cat "$here/RESULTS/summary.txt"
fi
exit $status
