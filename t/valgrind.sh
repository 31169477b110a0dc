#!/bin/sh
# t/valgrind.sh (make valgrind): the end-to-end pipeline under valgrind's
# memcheck, phase by phase, on the example application and the polyglot
# fixture: discover, research, the three auditors, aggregate, and publish
# in every format.  Any memory error or definite/indirect leak fails the
# run (--error-exitcode); each phase's summary goes to build/valgrind/.
# Not part of make check: it takes minutes.
root=$(cd "$(dirname "$0")/.." && pwd) || exit 2
cd "$root" || exit 2
B=${PPERF_BIN:-$root/bin}
out=${VALGRIND_OUT:-build/valgrind}
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind: not installed (apt-get install valgrind)" >&2
	exit 2
fi
mkdir -p "$out" || exit 2
vg="valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
	--show-leak-kinds=definite,indirect --track-origins=yes --num-callers=30"
status=0
n=0
: >"$out/summary"

# run NAME INPUT OUTPUT CMD...: CMD under memcheck; its log is $out/NAME.log
run() {
	name=$1 in=$2 o=$3
	shift 3
	n=$((n + 1))
	# shellcheck disable=SC2086
	$vg --log-file="$out/$name.log" "$@" <"$in" >"$o" 2>"$out/$name.err"
	st=$?
	grep -h 'ERROR SUMMARY' "$out/$name.log" >>"$out/summary"
	if [ $st -eq 99 ] || ! grep -q 'ERROR SUMMARY: 0 errors' "$out/$name.log"; then
		echo "FAIL: $name: memcheck reported (exit $st), see $out/$name.log"
		status=1
	else
		case " ${want:-0 1} " in
		*" $st "*) echo "ok: $name" ;;
		*) echo "FAIL: $name: exit $st: $(head -c 300 "$out/$name.err")"
			status=1 ;;
		esac
	fi
}

for app in examples/app t/fixtures/polyglot; do
	t=$(echo "$app" | tr / _)
	run "$t-discover" /dev/null "$out/$t.disc.json" "$B/pperf-discover" "$app"
	run "$t-research" "$out/$t.disc.json" "$out/$t.ctx.json" "$B/pperf-research"
	for a in query txn runtime; do
		run "$t-audit-$a" "$out/$t.ctx.json" "$out/$t.$a.json" "$B/pperf-audit-$a"
	done
	cat "$out/$t.query.json" "$out/$t.txn.json" "$out/$t.runtime.json" >"$out/$t.results.json"
	run "$t-aggregate" "$out/$t.results.json" "$out/$t.report.json" \
		"$B/pperf-aggregate" --context "$out/$t.ctx.json"
	for f in markdown json text sarif html; do
		run "$t-publish-$f" "$out/$t.report.json" "$out/$t.published.$f" "$B/pperf-publish" --format "$f"
	done
done
# an auditor that discovers by itself, and publish's fallback path (no network: refused)
run "audit-txn-path" /dev/null "$out/self.json" "$B/pperf-audit-txn" t/fixtures/audit-app
LINEAR_API_KEY=lin_api_valgrind PPERF_LINEAR_URL=http://127.0.0.1:9/graphql
export LINEAR_API_KEY PPERF_LINEAR_URL
want=5
run "publish-linear-refused" "$out/examples_app.report.json" "$out/linear.out" \
	"$B/pperf-publish" --to linear --timeout 2 --fallback "$out/fallback.md"
want=
errors=$(awk '{ e += $4 } END { print e + 0 }' "$out/summary")
echo "valgrind: $n runs under memcheck, $errors errors (ERROR SUMMARY lines in $out/summary)$( [ $status -eq 0 ] || echo ', FAILED')"
exit $status
