# t/e2e/21-manpages.sh: the man pages are lint-clean and agree with the
# programs: pperf-checks(7) is what t/gen-checks-man.sh makes of the check
# tables today, each auditor page's SYNOPSIS is its --help usage, its CHECKS
# list is its --list-checks, its DIAGNOSTICS name the messages of the code,
# and its EXAMPLES run.
. "$PPERF_ROOT/t/e2e/lib.sh"

MAN=$PPERF_ROOT/man
AUDITORS="query txn runtime"
have_mandoc=
command -v mandoc >/dev/null 2>&1 && have_mandoc=1

# ---- mandoc -Tlint -Wwarning on every page
for page in "$MAN"/*.[1-9]; do
	name=${page##*/}
	if [ -z "$have_mandoc" ]; then
		skip "lint $name" "mandoc not installed"
		continue
	fi
	if mandoc -Tlint -Wwarning "$page" >"$TMPDIR/lint" 2>&1; then
		ok "lint $name"
	else
		fail "lint $name" "$(head -c 600 "$TMPDIR/lint" | tr '\n' ' ')"
	fi
done

# ---- pperf-checks(7) equals what the tables give today
expect_exit 0 "gen-checks-man runs" sh "$PPERF_ROOT/t/gen-checks-man.sh" "$PPERF_BIN"
if cmp -s "$TMPDIR/out" "$MAN/pperf-checks.7"; then
	ok "man/pperf-checks.7 is up to date with the check tables"
else
	fail "man/pperf-checks.7 is up to date with the check tables" \
		"run: sh t/gen-checks-man.sh bin > man/pperf-checks.7; $(diff "$MAN/pperf-checks.7" "$TMPDIR/out" | head -20 | tr '\n' ' ')"
fi
for a in $AUDITORS; do
	for id in $("$PPERF_BIN/pperf-audit-$a" --list-checks | awk '{ print $1 }'); do
		if grep -q "^\\.Ss $id\$" "$MAN/pperf-checks.7"; then ok "pperf-checks(7) describes $id"; else
			fail "pperf-checks(7) describes $id" "no .Ss $id"; fi
	done
done
# the generator writes nothing when an auditor does not answer
mkdir "$TMPDIR/fakebin"
for a in $AUDITORS; do ln -s "$PPERF_BIN/pperf-audit-$a" "$TMPDIR/fakebin/pperf-audit-$a"; done
rm "$TMPDIR/fakebin/pperf-audit-txn"
printf '#!/bin/sh\nexit 4\n' >"$TMPDIR/fakebin/pperf-audit-txn"
chmod +x "$TMPDIR/fakebin/pperf-audit-txn"
expect_exit 1 "gen-checks-man fails when an auditor fails" sh "$PPERF_ROOT/t/gen-checks-man.sh" "$TMPDIR/fakebin"
if [ -s "$TMPDIR/out" ]; then fail "gen-checks-man: nothing on stdout after a failure" "$(head -c 100 "$TMPDIR/out")"; else
	ok "gen-checks-man: nothing on stdout after a failure"; fi
expect_exit 2 "gen-checks-man without a bin dir" sh "$PPERF_ROOT/t/gen-checks-man.sh"

# ---- SYNOPSIS of each auditor page == the usage lines of --help
for a in $AUDITORS; do
	prog=pperf-audit-$a
	if [ -z "$have_mandoc" ]; then
		skip "$prog: SYNOPSIS equals --help usage" "mandoc not installed"
		continue
	fi
	"$PPERF_BIN/$prog" --help | sed -n '1,2p' | sed 's/^usage: //; s/^ *//' >"$TMPDIR/usage"
	mandoc -Tascii "$MAN/$prog.1" | col -b | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' |
		sed '1d;$d' | sed 's/^ *//' | sed '/^$/d' >"$TMPDIR/synopsis"
	if [ "$(wc -l <"$TMPDIR/usage")" -eq 2 ] && cmp -s "$TMPDIR/usage" "$TMPDIR/synopsis"; then
		ok "$prog: SYNOPSIS equals --help usage"
	else
		fail "$prog: SYNOPSIS equals --help usage" \
			"usage: $(tr '\n' '|' <"$TMPDIR/usage") synopsis: $(tr '\n' '|' <"$TMPDIR/synopsis")"
	fi
done

# ---- CHECKS of each auditor page == --list-checks (ids, order, not implemented yet)
for a in $AUDITORS; do
	prog=pperf-audit-$a
	"$PPERF_BIN/$prog" --list-checks |
		awk '{ print $1 (/\(not implemented yet\)$/ ? " nyi" : "") }' >"$TMPDIR/table"
	awk '
		/^\.Sh / { in_checks = ($0 == ".Sh CHECKS"); next }
		!in_checks { next }
		/^\.It Cm / { if (id != "") print id nyi; id = $3; nyi = ""; next }
		/^\.El/ { if (id != "") print id nyi; id = ""; next }
		/^Not implemented yet/ { nyi = " nyi" }
	' "$MAN/$prog.1" >"$TMPDIR/page"
	if [ -s "$TMPDIR/table" ] && cmp -s "$TMPDIR/table" "$TMPDIR/page"; then
		ok "$prog: CHECKS section equals --list-checks"
	else
		fail "$prog: CHECKS section equals --list-checks" \
			"$(diff "$TMPDIR/table" "$TMPDIR/page" | tr '\n' ' ')"
	fi
done

# ---- DIAGNOSTICS name every message of lib/auditor.c and the input errors
# the message formats of lib/auditor.c, as basic regular expressions
sed -n -e 's/.*cli_error("\([^"]*\)".*/\1/p' \
	-e 's/.*cli_msg("[a-z]*", [^,]*, [^,]*, [^,]*, "\([^"]*\)".*/\1/p' \
	"$PPERF_ROOT/lib/auditor.c" | sort -u >"$TMPDIR/formats"
if [ "$(wc -l <"$TMPDIR/formats")" -lt 8 ]; then
	fail "messages found in lib/auditor.c" "only $(wc -l <"$TMPDIR/formats")"
fi
{
	cat "$TMPDIR/formats"
	# reasons of skipped files, and the input errors of lib/jsonio.c
	printf '%s\n' 'skipped: binary file' 'skipped: file too large' 'skipped: invalid UTF-8' \
		'skipped: not a regular file' 'empty input' 'input larger than 256 MiB' \
		'read error: %s' 'cannot write standard output: %s' \
		'cannot serialise the output document' '(document): expected object, got %s' \
		'schema: missing, expected "pperf.context/1"' \
		'schema: expected "pperf.context/1", got "%s"' \
		'%s: missing, expected %s' '%s: expected %s, got %s' \
		'%s: expected one of %s, got "%s"' '%s: expected an integer >= %s, got %s'
} | sed -e 's/%[-.*0-9]*[a-z]*[scdu]/@ARG@/g' -e 's/[][\.*^$]/\\&/g' -e 's/@ARG@/.*/g' >"$TMPDIR/patterns"
for a in $AUDITORS; do
	prog=pperf-audit-$a
	sed -n '/^\.Sh DIAGNOSTICS/,/^\.Sh /p' "$MAN/$prog.1" | grep '^\.It Sy ' |
		sed -e 's/\\(dq/"/g' -e 's/\\&//g' -e 's/\\e/\\/g' >"$TMPDIR/diag"
	missing=
	while IFS= read -r pat; do
		grep -q -e "$pat" "$TMPDIR/diag" || missing="$missing [$pat]"
	done <"$TMPDIR/patterns"
	if [ -z "$missing" ]; then ok "$prog: DIAGNOSTICS name every message"; else
		fail "$prog: DIAGNOSTICS name every message" "missing:$missing"; fi
done

# ---- EXAMPLES of each auditor page run, from a directory holding the
# repository's examples/ (commands start with "$ ", lines after a command are
# its expected standard output, "\e" at the end of a line continues it)
W=$TMPDIR/examples-run
rm -rf "$W"
mkdir "$W"
# -n: never create the link inside an existing link to examples/ (a rerun
# with the same TMPDIR would otherwise write examples/examples)
ln -sfn "$PPERF_ROOT/examples" "$W/examples"
for a in $AUDITORS; do
	prog=pperf-audit-$a
	rm -rf "$TMPDIR/ex"
	mkdir "$TMPDIR/ex"
	awk -v dir="$TMPDIR/ex" '
		function unesc(s) { gsub(/\\e/, "\\", s); gsub(/\\&/, "", s); return s }
		/^\.Sh / { in_ex = ($0 == ".Sh EXAMPLES"); next }
		!in_ex { next }
		/^\.Bd -literal/ { lit = 1; cont = 0; next }
		/^\.Ed/ { lit = 0; cont = 0; next }
		!lit { next }
		{
			line = unesc($0)
			if (cont) {
				printf "%s\n", line >> (dir "/" n ".cmd")
			} else if (line ~ /^\$ /) {
				n++
				printf "%s\n", substr(line, 3) > (dir "/" n ".cmd")
				printf "" > (dir "/" n ".want")
			} else if (n) {
				printf "%s\n", line >> (dir "/" n ".want")
			}
			cont = line ~ /\\$/
		}
		END { print n + 0 > (dir "/count") }
	' "$MAN/$prog.1"
	count=$(cat "$TMPDIR/ex/count")
	if [ "$count" -lt 5 ]; then
		fail "$prog: EXAMPLES found" "only $count commands"
		continue
	fi
	i=1
	while [ "$i" -le "$count" ]; do
		cmd=$(cat "$TMPDIR/ex/$i.cmd")
		name="$prog EXAMPLES $i: $(head -n 1 "$TMPDIR/ex/$i.cmd" | cut -c 1-60)"
		status=0
		(cd "$W" && PATH=$PPERF_BIN:$PATH && export PATH && sh -c "$cmd") \
			>"$TMPDIR/ex/$i.got" 2>"$TMPDIR/ex/$i.err" </dev/null || status=$?
		if [ "$status" -ne 0 ]; then
			fail "$name" "exit status $status: $(head -c 300 "$TMPDIR/ex/$i.err" | tr '\n' ' ')"
		elif [ -s "$TMPDIR/ex/$i.want" ] && ! cmp -s "$TMPDIR/ex/$i.want" "$TMPDIR/ex/$i.got"; then
			fail "$name" "output '$(head -c 100 "$TMPDIR/ex/$i.got" | tr '\n' ' ')', expected '$(tr '\n' ' ' <"$TMPDIR/ex/$i.want")'"
		else
			ok "$name"
		fi
		i=$((i + 1))
	done
	# what the examples wrote is a real result
	if [ -f "$W/$a.json" ] && grep -q '"schema": "pperf.result/1"' "$W/$a.json"; then
		ok "$prog EXAMPLES wrote $a.json"
	else
		fail "$prog EXAMPLES wrote $a.json" "missing or not a result"
	fi
done
if [ -f "$W/report.md" ] && grep -q '^## Persistence & Performance Audit Report - ' "$W/report.md"; then
	ok "EXAMPLES wrote a Markdown report"
else
	fail "EXAMPLES wrote a Markdown report" "report.md missing or wrong"
fi

done_testing
