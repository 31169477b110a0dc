#!/bin/sh
# pperf: the driver.  Plumbing only: it runs the phases (pperf-discover,
# pperf-research, the three auditors side by side, pperf-aggregate,
# pperf-publish), passes files and options between them, cleans up, and
# turns their exit statuses into one.  Every decision about code, findings
# or reports belongs to a phase, so this script and a hand-written pipeline
# or Makefile produce the same report.
#
# Data flow inside the private directory $dir (mktemp -d):
#   discover ROOT > discover.json; research < discover.json > ctx.json
#   tee fifo-query fifo-txn < ctx.json > fifo-runtime   (the auditors read
#   the fifos concurrently and write res-<name>.json)
#   aggregate --context ctx.json --expect NAME... res-*.json > report.json
#   publish [--format F] [-o FILE] [--fail-on SEV] report.json, or with
#   --publish DEST: publish --to DEST [--team T] [--repo R] [--dry-run] ...
#
# Every child runs in the background and is collected with `wait PID`, so a
# trapped SIGINT/SIGTERM/SIGHUP interrupts the wait at once: the trap kills
# the children, removes $dir and exits 128+N.

set -u

prog=pperf
version='@VERSION@'
phases='discover research audit-query audit-txn audit-runtime aggregate publish'
auditors='query txn runtime'

usage() {
	cat <<'EOF'
usage: pperf [--format format] [--fail-on severity] [--only list] [-o file]
             [--publish destination [--team team] [--repo owner/name]
             [--dry-run]] [--keep-temp] [--] [root]
       pperf phase [arg ...]
       pperf --list-phases | --help | --version
EOF
}

help() {
	usage
	cat <<'EOF'

Audits the project under root (default: the current directory): runs
pperf-discover and pperf-research, feeds the context to pperf-audit-query,
pperf-audit-txn and pperf-audit-runtime running side by side, merges their
results with pperf-aggregate and renders the report with pperf-publish on
standard output.  "pperf phase arg ..." runs one phase (discover, research,
audit-query, audit-txn, audit-runtime, aggregate, publish) with the args.
Phases are looked up in $PPERF_LIBEXEC, else next to this script.

  --format format     report format: markdown (default) or json
  --fail-on severity  exit 1 when a finding is at or above severity
                      (CRITICAL, HIGH, MEDIUM, LOW or never; default never)
  --only list         run only these auditors: a comma-separated subset of
                      query, txn, runtime (default: all three)
  -o, --output file   write the report to file (a regular file is replaced
                      atomically; a device, FIFO or /dev/stdout is written
                      directly)
  --publish destination
                      deliver the report with pperf-publish --to: linear
                      (one Linear issue; LINEAR_API_KEY), github (one
                      GitHub issue; GITHUB_TOKEN) or file:path
  --team team         Linear team for --publish linear (default: the
                      project's docs/tasks/kanban_board.md)
  --repo owner/name   GitHub repository for --publish github
  --dry-run           with --publish: print the requests, send nothing
  --keep-temp         keep the private temporary directory and print its name
  --list-phases       print each phase and the executable that runs it
  -h, --help          show this help
  -V, --version       show the version

Exit status: 0 success, 1 findings at or above --fail-on, 2 usage error,
otherwise the status of the first phase that failed (3 bad input data,
4 system or I/O error or missing phase, 5 network error, 128+N a phase
killed by signal N); 128+N also when pperf itself gets SIGHUP, SIGINT or
SIGTERM.
EOF
}

# say MESSAGE: one line on stderr, written with one write(2).
say() {
	printf '%s\n' "$prog: $1" >&2
}

usage_error() {
	say "error: $1"
	usage >&2
	exit 2
}

# ---- where the phases live
# self_dir: the directory of this script, after following symlinks.
self_dir() {
	self=$0
	case $self in
	*/*) ;;
	*)
		# found through PATH
		_ifs=$IFS
		IFS=:
		for d in $PATH; do
			if [ -f "${d:-.}/$self" ] && [ -x "${d:-.}/$self" ]; then
				self=${d:-.}/$self
				break
			fi
		done
		IFS=$_ifs
		;;
	esac
	n=0
	while [ -L "$self" ] && [ "$n" -lt 40 ]; do
		link=$(readlink "$self") || break
		case $link in
		/*) self=$link ;;
		*) self=$(dirname -- "$self")/$link ;;
		esac
		n=$((n + 1))
	done
	CDPATH='' cd -P -- "$(dirname -- "$self")" 2>/dev/null && pwd -P
}

libexec=${PPERF_LIBEXEC:-}
if [ -z "$libexec" ]; then
	libexec=$(self_dir) || libexec=
	if [ -z "$libexec" ]; then
		say "error: cannot find the directory of '$0'; set PPERF_LIBEXEC"
		exit 4
	fi
fi

# phase_path NAME: prints the executable of phase NAME; status 1 when the
# file is missing or not executable.
phase_path() {
	printf '%s\n' "$libexec/pperf-$1"
	[ -f "$libexec/pperf-$1" ] && [ -x "$libexec/pperf-$1" ]
}

need_phase() {
	if ! phase_path "$1" >/dev/null; then
		say "error: phase '$1' not found: no executable $libexec/pperf-$1"
		exit 4
	fi
}

# ---- `pperf --list-phases`, `pperf PHASE ARG...`
list_phases() {
	st=0
	for p in $phases; do
		if path=$(phase_path "$p"); then
			printf '%s\t%s\n' "$p" "$path"
		else
			printf '%s\t%s (missing)\n' "$p" "$path"
			st=4
		fi
	done
	exit "$st"
}

if [ $# -gt 0 ]; then
	case " $phases " in
	*" $1 "*)
		need_phase "$1"
		p=$1
		shift
		exec "$libexec/pperf-$p" "$@"
		;;
	esac
fi

# ---- options of the whole audit
# unset: not given (an empty value given is a usage error)
format=markdown
unset fail_on only output publish team repo
keep_temp=
dry_run=

# need_arg OPTION COUNT: the option needs an argument.
need_arg() {
	[ "$2" -ge 2 ] || usage_error "option '$1' needs an argument"
}

while [ $# -gt 0 ]; do
	case $1 in
	--format=*) format=${1#*=} ;;
	--format) need_arg "$1" $#; format=$2; shift ;;
	--fail-on=*) fail_on=${1#*=} ;;
	--fail-on) need_arg "$1" $#; fail_on=$2; shift ;;
	--only=*) only=${1#*=} ;;
	--only) need_arg "$1" $#; only=$2; shift ;;
	--output=*) output=${1#*=} ;;
	-o | --output) need_arg "$1" $#; output=$2; shift ;;
	-o?*) output=${1#-o} ;;
	--publish=*) publish=${1#*=} ;;
	--publish) need_arg "$1" $#; publish=$2; shift ;;
	--team=*) team=${1#*=} ;;
	--team) need_arg "$1" $#; team=$2; shift ;;
	--repo=*) repo=${1#*=} ;;
	--repo) need_arg "$1" $#; repo=$2; shift ;;
	--dry-run) dry_run=1 ;;
	--keep-temp) keep_temp=1 ;;
	--list-phases) list_phases ;;
	-h | --help) help; exit 0 ;;
	-V | --version) printf '%s %s\n' "$prog" "$version"; exit 0 ;;
	--) shift; break ;;
	-) break ;;
	-*) usage_error "unknown option '$1'" ;;
	*) break ;;
	esac
	shift
done
case $# in
0) root=. ;;
1) root=$1 ;;
*) usage_error "more than one root: '$1' '$2'" ;;
esac

# The value lists are the documented ones of pperf-publish and
# pperf-aggregate; they are checked here only to fail before the audit runs.
case $format in
markdown | json) ;;
*) usage_error "unknown format '$format' (markdown or json)" ;;
esac
if [ -n "${fail_on+set}" ]; then
	case $(printf '%s' "$fail_on" | tr '[:upper:]' '[:lower:]') in
	critical | high | medium | low | never) ;;
	*) usage_error "invalid severity '$fail_on' for --fail-on" ;;
	esac
fi
if [ -n "${output+set}" ] && [ -z "$output" ]; then
	usage_error "empty file name for -o"
fi
if [ -n "${publish+set}" ]; then
	case $publish in
	linear | github) net=1 ;;
	file:?*) net= ;;
	*) usage_error "unknown destination '$publish' for --publish (linear, github or file:path)" ;;
	esac
	[ -z "${output+set}" ] || usage_error "-o and --publish cannot be used together"
	[ -z "$net" ] || [ "$format" = markdown ] ||
		usage_error "--publish $publish takes the Markdown report, not --format $format"
	[ -z "${team+set}" ] || [ "$publish" = linear ] || usage_error "--team needs --publish linear"
	[ -z "${repo+set}" ] || [ "$publish" = github ] || usage_error "--repo needs --publish github"
	[ "$publish" != github ] || [ -n "${repo:-}" ] || usage_error "--publish github needs --repo owner/name"
	[ -z "$dry_run" ] || [ -n "$net" ] || usage_error "--dry-run needs --publish linear or github"
elif [ -n "${team+set}${repo+set}$dry_run" ]; then
	usage_error "--team, --repo and --dry-run need --publish"
fi

# --only: a comma-separated subset, kept in the canonical order.
selected=$auditors
if [ -n "${only+set}" ]; then
	case $only in
	'' | ,* | *, | *,,*) usage_error "--only needs a list like query,txn,runtime" ;;
	esac
	_ifs=$IFS
	IFS=,
	# shellcheck disable=SC2086 # split on commas on purpose
	set -- $only
	IFS=$_ifs
	for a in "$@"; do
		case $a in
		query | txn | runtime) ;;
		*) usage_error "unknown auditor '$a' for --only (query, txn, runtime)" ;;
		esac
	done
	selected=
	for a in $auditors; do
		for b in "$@"; do
			if [ "$a" = "$b" ]; then
				selected="$selected $a"
				break
			fi
		done
	done
fi

for p in discover research aggregate publish; do
	need_phase "$p"
done
for a in $selected; do
	need_phase "audit-$a"
done

# ---- the private directory, children and signals
dir=
running=

# shellcheck disable=SC2317 # called from traps
cleanup() {
	[ -n "$dir" ] || return 0
	if [ -n "$keep_temp" ]; then
		say "temporary files kept in $dir"
	else
		rm -rf -- "$dir"
	fi
	dir=
}

# shellcheck disable=SC2317 # called from traps
# on_signal N: kill the children, clean up, exit 128+N.
on_signal() {
	trap '' HUP INT TERM
	for pid in $running; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $running; do
		wait "$pid" 2>/dev/null
	done
	running=
	cleanup
	trap - EXIT
	exit $((128 + $1))
}

trap cleanup EXIT
trap 'on_signal 1' HUP
trap 'on_signal 2' INT
trap 'on_signal 15' TERM

# absolute, so that no path given to a phase starts with '-'
tmp=${TMPDIR:-/tmp}
case $tmp in
/*) ;;
*) tmp=$(pwd -P)/$tmp ;;
esac
dir=$(mktemp -d "$tmp/pperf.XXXXXX") || {
	say "error: cannot create a temporary directory in $tmp"
	exit 4
}

# collect PID: waits for child PID (a trapped signal interrupts the wait)
# and sets $status to its exit status, 128+N when killed by signal N.
collect() {
	status=0
	wait "$1" || status=$?
	_left=
	for pid in $running; do
		[ "$pid" = "$1" ] || _left="$_left $pid"
	done
	running=$_left
}

# explain NAME STATUS: names a failed phase on stderr.
explain() {
	if [ "$2" -gt 128 ]; then
		say "$1: killed by signal $(($2 - 128))"
	else
		say "$1: exited with status $2"
	fi
}

# first failure in pipeline order decides the exit status
final=

# run_phase NAME IN OUT ARG...: runs phase NAME with stdin IN, stdout OUT;
# on failure names it and exits with its status.
run_phase() {
	_name=$1 _in=$2 _out=$3
	shift 3
	"$libexec/pperf-$_name" "$@" <"$_in" >"$_out" &
	running="$running $!"
	collect $!
	if [ "$status" -ne 0 ]; then
		explain "$_name" "$status"
		exit "$status"
	fi
}

# ---- discover, research
run_phase discover /dev/null "$dir/discover.json" -- "$root"
run_phase research "$dir/discover.json" "$dir/ctx.json"

# ---- the auditors, side by side, fed by one tee
# The first auditor's fifo is tee's stdout, the others its operands.
tee_out=
set --
for a in $selected; do
	mkfifo "$dir/fifo-$a" || {
		say "error: cannot create a named pipe in $dir"
		exit 4
	}
	if [ -z "$tee_out" ]; then
		tee_out=$dir/fifo-$a
	else
		set -- "$@" "$dir/fifo-$a"
	fi
done
apids=
for a in $selected; do
	"$libexec/pperf-audit-$a" <"$dir/fifo-$a" >"$dir/res-$a.json" &
	running="$running $!"
	apids="$apids $a:$!"
done
# SIGPIPE is ignored so that an auditor that exits without reading costs
# tee only that output (EPIPE): POSIX tee goes on writing to the others.
(
	trap '' PIPE
	exec tee -- "$@" <"$dir/ctx.json" >"$tee_out"
) &
tee_pid=$!
running="$running $tee_pid"

results=
expects=
for ap in $apids; do
	a=${ap%%:*}
	collect "${ap#*:}"
	expects="$expects --expect $a"
	if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
		explain "audit-$a" "$status"
		: "${final:=$status}"
	elif [ ! -s "$dir/res-$a.json" ]; then
		say "audit-$a: wrote no result"
		: "${final:=4}"
	else
		results="$results $a"
	fi
done
# Every reader has gone, so tee is done or failing on EPIPE; its status is
# no news (a failed reader was named above).
kill -TERM "$tee_pid" 2>/dev/null
collect "$tee_pid"

# ---- aggregate, publish
set -- --context "$dir/ctx.json"
# shellcheck disable=SC2086 # "--expect NAME" pairs
set -- "$@" $expects
for a in $results; do
	set -- "$@" "$dir/res-$a.json"
done
"$libexec/pperf-aggregate" "$@" </dev/null >"$dir/report.json" &
running="$running $!"
collect $!
if [ "$status" -ne 0 ]; then
	# status 4 after a failed auditor is that failure, already named
	if [ -z "$final" ] || [ "$status" -ne 4 ] || [ ! -s "$dir/report.json" ]; then
		explain aggregate "$status"
	fi
	: "${final:=$status}"
	if [ ! -s "$dir/report.json" ]; then
		exit "$final"
	fi
fi

set -- --format "$format"
[ -z "${fail_on+set}" ] || set -- "$@" --fail-on "$fail_on"
[ -z "${output+set}" ] || set -- "$@" -o "$output"
[ -z "${publish+set}" ] || set -- "$@" --to "$publish"
[ -z "${team+set}" ] || set -- "$@" --team "$team"
[ -z "${repo+set}" ] || set -- "$@" --repo "$repo"
[ -z "$dry_run" ] || set -- "$@" --dry-run
"$libexec/pperf-publish" "$@" "$dir/report.json" </dev/null &
running="$running $!"
collect $!
case $status in
0) ;;
1) : "${final:=1}" ;;
141) : "${final:=141}" ;; # the reader of stdout went away: quiet
*)
	explain publish "$status"
	: "${final:=$status}"
	;;
esac
exit "${final:-0}"
