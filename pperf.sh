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
#   audit-NAME < ctx.json > res-NAME.json, the auditors side by side
#   aggregate --context ctx.json --expect NAME... res-*.json > report.json
#   publish [--format F] [-o FILE] [--fail-on SEV] report.json, or with
#   --publish DEST: publish --to DEST [--team T] [--repo R] [--dry-run] ...
#
# Every child runs in the background and is collected with `wait PID`, so a
# trapped SIGINT/SIGTERM/SIGHUP interrupts the wait at once: the trap kills
# the children, removes $dir and exits 128+N.  With --timeout each phase
# has a watchdog subshell that ends it in time (exit 124).

set -u

prog=pperf
version='@VERSION@'
phases='discover research audit-query audit-txn audit-runtime aggregate publish'
auditors='query txn runtime'

usage() {
	cat <<'EOF'
usage: pperf [--format format] [--fail-on severity] [--only list] [-o file]
             [--publish destination [--team team] [--repo owner/name]
             [--dry-run]] [--config file | --no-config] [--timeout seconds]
             [--baseline file] [--write-baseline file] [--since rev]
             [--exit-zero] [--quiet] [--keep-temp] [--] [root]
       pperf explain check
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
"pperf explain check" prints the documentation of a check (the ids are
listed by pperf-audit-query --list-checks, likewise txn and runtime, and
in pperf-checks(7)).  Phases are looked up in $PPERF_LIBEXEC, else next to
this script.

  --format format     report format: markdown (default), json, text (one
                      line per finding, path:line:col:), sarif (SARIF 2.1.0
                      for code scanning) or html (one self-contained page)
  --fail-on severity  exit 1 when a finding is at or above severity
                      (CRITICAL, HIGH, MEDIUM, LOW or never; default: the
                      configuration's fail_on, else never)
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
  --config file       read the configuration from file (JSON, or a *.toml
                      file's [tool.pperf] table) instead of root/.pperf.json
                      or root/pyproject.toml
  --no-config         read no configuration file
  --timeout seconds   end a phase that runs longer than seconds (SIGTERM,
                      then SIGKILL a second later) and report it as timed
                      out (default 0: no limit)
  --baseline file     report only the findings that the baseline file (made
                      by --write-baseline) does not record, and how many of
                      its entries are fixed; scores still cover every finding
  --write-baseline file
                      record every current finding in file (a pperf.baseline/1
                      document: fingerprints, not line numbers)
  --since rev         audit the whole project but report only the findings
                      on lines changed since the git revision rev (git diff
                      rev, plus untracked files); scores cover every finding
  --exit-zero         exit 0 even when findings are at or above --fail-on
                      (or the configuration's fail_on); errors keep their
                      status
  --quiet             no warnings, notes or progress on stderr, errors only
  --keep-temp         keep the private temporary directory and print its name
  --list-phases       print each phase and the executable that runs it
  -h, --help          show this help
  -V, --version       show the version

On a terminal, and without --quiet, a line on stderr shows the files each
auditor has audited while they run.

Exit status: 0 success, 1 findings at or above --fail-on (never with
--exit-zero), 2 usage error (also: --since outside a git work tree or
with an unknown revision, pperf explain of an unknown check),
otherwise the status of the first phase that failed (3 bad input data,
4 system or I/O error or missing phase, 5 network error, 124 a phase
ended by --timeout, 128+N a phase killed by signal N); 128+N also when
pperf itself gets SIGHUP, SIGINT or SIGTERM (it then stops the phases and
writes no report).  A failed auditor still leaves a report, with its
category marked as an error.
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

# ---- `pperf explain CHECK`: the auditor whose table has the id prints it
explain_check() {
	{ [ $# -eq 1 ] && [ -n "$1" ]; } || usage_error "explain needs one check id"
	for a in $auditors; do
		need_phase "audit-$a"
		ids=$("$libexec/pperf-audit-$a" --list-checks) || {
			say "error: pperf-audit-$a --list-checks failed"
			exit 4
		}
		if printf '%s\n' "$ids" | ID=$1 awk '$1 == ENVIRON["ID"] { f = 1 } END { exit !f }'; then
			exec "$libexec/pperf-audit-$a" --explain "$1"
		fi
	done
	say "error: unknown check '$1'; the ids are listed by 'pperf-audit-query --list-checks' (likewise txn, runtime) and in pperf-checks(7)"
	exit 2
}
if [ $# -gt 0 ] && [ "$1" = explain ]; then
	shift
	explain_check "$@"
fi

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
timeout=0
unset config
no_config=
unset baseline write_baseline since
exit_zero=
quiet=

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
	--timeout=*) timeout=${1#*=} ;;
	--timeout) need_arg "$1" $#; timeout=$2; shift ;;
	--config=*) config=${1#*=} ;;
	--config) need_arg "$1" $#; config=$2; shift ;;
	--no-config) no_config=1 ;;
	--baseline=*) baseline=${1#*=} ;;
	--baseline) need_arg "$1" $#; baseline=$2; shift ;;
	--write-baseline=*) write_baseline=${1#*=} ;;
	--write-baseline) need_arg "$1" $#; write_baseline=$2; shift ;;
	--since=*) since=${1#*=} ;;
	--since) need_arg "$1" $#; since=$2; shift ;;
	--exit-zero) exit_zero=1 ;;
	--quiet) quiet=1 ;;
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

# --timeout: whole seconds, as POSIX sleep(1) takes them; 0 is no limit.
case $timeout in
'' | *[!0-9]* | ?????????*) usage_error "invalid --timeout '$timeout' (whole seconds, 0 for no limit)" ;;
esac
# leading zeros off (sh arithmetic would read them as octal)
timeout=${timeout#"${timeout%%[!0]*}"}
: "${timeout:=0}"

# The value lists are the documented ones of pperf-publish and
# pperf-aggregate; they are checked here only to fail before the audit runs.
case $format in
markdown | json | text | sarif | html) ;;
*) usage_error "unknown format '$format' (markdown, json, text, sarif or html)" ;;
esac
if [ -n "${fail_on+set}" ]; then
	case $(printf '%s' "$fail_on" | tr '[:upper:]' '[:lower:]') in
	critical | high | medium | low | never) ;;
	*) usage_error "invalid severity '$fail_on' for --fail-on" ;;
	esac
fi
if [ -n "${config+set}" ]; then
	[ -n "$config" ] || usage_error "empty file name for --config"
	[ -z "$no_config" ] || usage_error "--config and --no-config cannot be used together"
fi
if [ -n "${baseline+set}" ]; then
	[ -n "$baseline" ] || usage_error "empty file name for --baseline"
	# checked now, not after the whole audit
	if [ ! -f "$baseline" ] || [ ! -r "$baseline" ]; then
		say "error: cannot read the baseline '$baseline'"
		exit 4
	fi
fi
[ -z "${write_baseline+set}" ] || [ -n "$write_baseline" ] || usage_error "empty file name for --write-baseline"
if [ -n "${since+set}" ]; then
	case $since in
	'' | -*) usage_error "invalid revision '$since' for --since" ;;
	esac
fi
if [ -n "$quiet" ]; then
	# the phases write errors only (lib/cli.c)
	PPERF_QUIET=1
	export PPERF_QUIET
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
dogs=
tmo=

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
# on_signal N NAME: names the phases it stops, stops them (SIGTERM, then
# SIGKILL a second later for one that ignores it), cleans up, exits 128+N.
on_signal() {
	trap '' HUP INT TERM
	if [ -n "${prog_pid:-}" ]; then # the progress line
		kill -TERM "$prog_pid" 2>/dev/null
		wait "$prog_pid" 2>/dev/null
		printf '\r\033[K' >&2
	fi
	_names=
	for pid in $running; do
		eval "_names=\"\$_names\${_names:+, }\${name_$pid:-}\""
	done
	say "interrupted by SIG$2${_names:+: stopped $_names}; no report"
	for pid in $running; do
		kill -TERM "$pid" 2>/dev/null
	done
	for _d in $dogs; do
		kill -TERM "${_d#*:}" 2>/dev/null
	done
	for _d in $dogs; do
		wait "${_d#*:}" 2>/dev/null
	done
	dogs=
	_reaper=
	if [ -n "$running" ]; then
		# a subshell may trap the TERM ignored here
		# shellcheck disable=SC2030 # its own $stop
		(
			s='' stop=''
			trap 'stop=1; kill -KILL $s 2>/dev/null' TERM
			# shellcheck disable=SC2086 # the pids
			nap 1 && kill -KILL $running 2>/dev/null
		) </dev/null >/dev/null 2>&1 &
		_reaper=$!
	fi
	for pid in $running; do
		wait "$pid" 2>/dev/null
	done
	if [ -n "$_reaper" ]; then
		kill -TERM "$_reaper" 2>/dev/null
		wait "$_reaper" 2>/dev/null
	fi
	running=
	cleanup
	trap - EXIT
	exit $((128 + $1))
}

trap cleanup EXIT
trap 'on_signal 1 HUP' HUP
trap 'on_signal 2 INT' INT
trap 'on_signal 15 TERM' TERM

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

# nap SECONDS: sleeps in a subshell whose trap is
#   trap 'stop=1; kill -KILL $s 2>/dev/null' TERM
# so that stopping the subshell stops its sleep too; status 1 when stopped.
# SIGKILL, because a sleep just forked and not yet exec'd still runs that
# trap and would catch a SIGTERM (and then sleep on).  The trap may run
# before $s is set: the test after the fork catches that.
# shellcheck disable=SC2030,SC2031 # $s and $stop are the subshell's
nap() {
	sleep "$1" &
	s=$!
	if [ -n "$stop" ]; then
		kill -KILL "$s" 2>/dev/null
		return 1
	fi
	wait "$s"
	[ -z "$stop" ]
}

# watch PID: with --timeout, a watchdog that ends phase PID when it runs
# longer: SIGTERM, then SIGKILL a second later.  It marks $dir/timeout.PID
# first, so that collect tells a timeout from another kill, and takes the
# mark back when the phase had already ended (the shell reaps its children
# as they end, so kill then fails).  As a subshell it starts with default
# traps; its output goes nowhere, so that it never holds pperf's stdout open.
watch() {
	[ "$timeout" -gt 0 ] || return 0
	(
		s='' stop=''
		trap 'stop=1; kill -KILL $s 2>/dev/null' HUP TERM
		nap "$timeout" || exit 0
		: >"$dir/timeout.$1"
		if ! kill -TERM "$1"; then
			rm -f -- "$dir/timeout.$1"
			exit 0
		fi
		nap 1 || exit 0
		kill -KILL "$1"
	) </dev/null >/dev/null 2>&1 &
	dogs="$dogs $1:$!"
}

# unwatch PID: stops the watchdog of phase PID (it takes its sleep along).
unwatch() {
	_left=
	for _d in $dogs; do
		if [ "${_d%%:*}" = "$1" ]; then
			kill -TERM "${_d#*:}" 2>/dev/null
			wait "${_d#*:}" 2>/dev/null
		else
			_left="$_left $_d"
		fi
	done
	dogs=$_left
}

# started NAME: registers phase NAME just started in the background ($!)
# as $last: a signal to pperf stops it, and --timeout watches it.
started() {
	last=$!
	running="$running $last"
	eval "name_$last=\$1"
	watch "$last"
}

# collect PID: waits for child PID (a trapped signal interrupts the wait)
# and sets $status to its exit status, 128+N when killed by signal N, 124
# when its watchdog ended it ($tmo is then the 128+N).
collect() {
	status=0
	# (no "Terminated" from the shell: explain names the phase and cause)
	wait "$1" 2>/dev/null || status=$?
	_left=
	for pid in $running; do
		[ "$pid" = "$1" ] || _left="$_left $pid"
	done
	running=$_left
	unwatch "$1"
	tmo=
	if [ "$status" -gt 128 ] && [ -e "$dir/timeout.$1" ]; then
		tmo=$status
		status=124
	fi
}

# explain NAME STATUS: names a failed phase on stderr.
explain() {
	if [ "$2" -eq 124 ] && [ -n "$tmo" ]; then
		case $tmo in
		143) say "$1: timed out after $timeout s (--timeout), stopped with SIGTERM" ;;
		137) say "$1: timed out after $timeout s (--timeout), ignored SIGTERM, killed with SIGKILL" ;;
		*) say "$1: timed out after $timeout s (--timeout), killed by signal $((tmo - 128))" ;;
		esac
	elif [ "$2" -gt 128 ]; then
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
	started "$_name"
	collect "$last"
	if [ "$status" -ne 0 ]; then
		explain "$_name" "$status"
		exit "$status"
	fi
}

# ---- discover, research
if [ -n "$no_config" ]; then
	run_phase discover /dev/null "$dir/discover.json" --no-config -- "$root"
elif [ -n "${config+set}" ]; then
	run_phase discover /dev/null "$dir/discover.json" --config "$config" -- "$root"
else
	run_phase discover /dev/null "$dir/discover.json" -- "$root"
fi

# ---- --since: the lines changed since rev, as the unified diff that
# pperf-aggregate --changed reads.  Taken after discover, which has vetted
# root.  Untracked files (not ignored) are new files of the change under
# review, so they count as changed throughout.
if [ -n "${since+set}" ]; then
	command -v git >/dev/null 2>&1 || {
		say "error: --since needs git, which is not installed"
		exit 4
	}
	wt=$(git -C "$root" rev-parse --is-inside-work-tree 2>&1)
	if [ "$wt" != true ]; then
		say "error: --since: '$root' is not in a git work tree${wt:+ ($(printf '%s' "$wt" | sed -n 1p))}"
		exit 2
	fi
	sha=$(git -C "$root" rev-parse --verify --quiet "$since^{commit}") || {
		say "error: --since: unknown revision '$since' in the git repository of '$root'"
		exit 2
	}
	# explicit prefixes and no textconv/external diff: the form difflines reads
	git -C "$root" diff --no-color --no-ext-diff --no-textconv --relative -U0 \
		--src-prefix=a/ --dst-prefix=b/ "$sha" -- >"$dir/changed.diff" || {
		say "error: --since: git diff $since failed"
		exit 4
	}
	(cd -- "$root" && git ls-files -z --others --exclude-standard) >"$dir/untracked" || {
		say "error: --since: git ls-files failed"
		exit 4
	}
	if [ -s "$dir/untracked" ]; then
		# shellcheck disable=SC2016 # the inner script's own $f
		(cd -- "$root" && xargs -0 sh -c 'for f do
			git diff --no-index --no-color --no-ext-diff --no-textconv -U0 \
				--src-prefix=a/ --dst-prefix=b/ -- /dev/null "$f"
			[ $? -le 1 ] || exit 255
		done' sh <"$dir/untracked") >>"$dir/changed.diff" || {
			say "error: --since: git diff of the untracked files failed"
			exit 4
		}
	fi
fi

run_phase research "$dir/discover.json" "$dir/ctx.json"

# ---- the auditors, side by side
# Each opens the context file itself: no auditor waits on another's
# reading, so one that hangs before reading stalls nothing else and a
# timeout names it alone.
apids=
# progress on a terminal only: the auditors keep $dir/progress.NAME
# (lib/progress.c) and a loop redraws one line from them every 0.2 s; the
# line is drawn with the cursor left at its start, so a message a phase
# writes meanwhile overwrites it instead of being glued to it
prog_pid=
if [ -z "$quiet" ] && [ -t 2 ] && [ "${TERM:-dumb}" != dumb ]; then
	PPERF_PROGRESS=$dir/progress
	export PPERF_PROGRESS
fi
for a in $selected; do
	"$libexec/pperf-audit-$a" <"$dir/ctx.json" >"$dir/res-$a.json" &
	started "audit-$a"
	apids="$apids $a:$last"
done
if [ -n "${PPERF_PROGRESS:-}" ] && [ "$PPERF_PROGRESS" = "$dir/progress" ]; then
	unset PPERF_PROGRESS
	(
		_s=
		# SIGKILL: a sleep forked but not yet exec'd would catch a SIGTERM (see nap)
		trap 'kill -KILL "$_s" 2>/dev/null; exit 0' HUP TERM
		while :; do
			sleep 0.2 &
			_s=$!
			wait "$_s" || exit 0
			kill -0 "$$" 2>/dev/null || exit 0
			_line=
			for a in $selected; do
				_p='-'
				if [ -r "$dir/progress.$a" ] && read -r _d _t <"$dir/progress.$a"; then
					_p=$_d/$_t
				fi
				_line="$_line${_line:+, }$a $_p"
			done
			printf '\r%s: auditing files: %s\033[K\r' "$prog" "$_line" >&2
		done
	) </dev/null >/dev/null &
	prog_pid=$!
fi

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
if [ -n "$prog_pid" ]; then
	kill -TERM "$prog_pid" 2>/dev/null
	wait "$prog_pid" 2>/dev/null
	prog_pid=
	printf '\r\033[K' >&2
fi

# ---- aggregate, publish
set -- --context "$dir/ctx.json"
# shellcheck disable=SC2086 # "--expect NAME" pairs
set -- "$@" $expects
[ -z "${baseline+set}" ] || set -- "$@" --baseline "$baseline"
[ -z "${write_baseline+set}" ] || set -- "$@" --write-baseline "$write_baseline"
[ -z "${since+set}" ] || set -- "$@" --changed "$dir/changed.diff" --changed-label "since $since"
for a in $results; do
	set -- "$@" "$dir/res-$a.json"
done
"$libexec/pperf-aggregate" "$@" </dev/null >"$dir/report.json" &
started aggregate
collect "$last"
# An auditor that exits 0 with an invalid result stops aggregate (3, no
# report).  aggregate then checks each result alone; the invalid ones are
# named and left out, and the others merged again, so the report keeps the
# sound categories and marks the other failed (--expect).
if [ "$status" -eq 3 ] && [ -n "$results" ]; then
	bad=
	for a in $results; do
		"$libexec/pperf-aggregate" "$dir/res-$a.json" </dev/null >/dev/null 2>&1 &
		started aggregate
		collect "$last"
		[ "$status" -eq 3 ] || continue
		say "audit-$a: wrote an invalid result"
		: "${final:=3}"
		bad=1
		for arg do
			shift
			[ "$arg" = "$dir/res-$a.json" ] || set -- "$@" "$arg"
		done
	done
	status=3
	if [ -n "$bad" ]; then
		"$libexec/pperf-aggregate" "$@" </dev/null >"$dir/report.json" &
		started aggregate
		collect "$last"
	fi
fi
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

# no --fail-on: the configuration's fail_on, which pperf-discover validated
# (in JSON text a quote inside a string is escaped, so only a key matches)
if [ -z "${fail_on+set}" ]; then
	cfg_fail=$(grep -o '"fail_on": *"[A-Za-z]*"' "$dir/discover.json" | sed -n '1s/.*"\([A-Za-z]*\)"$/\1/p')
	[ -z "$cfg_fail" ] || fail_on=$cfg_fail
fi
set -- --format "$format"
[ -z "${fail_on+set}" ] || [ -n "$exit_zero" ] || set -- "$@" --fail-on "$fail_on"
[ -z "${output+set}" ] || set -- "$@" -o "$output"
[ -z "${publish+set}" ] || set -- "$@" --to "$publish"
[ -z "${team+set}" ] || set -- "$@" --team "$team"
[ -z "${repo+set}" ] || set -- "$@" --repo "$repo"
[ -z "$dry_run" ] || set -- "$@" --dry-run
"$libexec/pperf-publish" "$@" "$dir/report.json" </dev/null &
started publish
collect "$last"
case $status in
0) ;;
1) : "${final:=1}" ;;
141) : "${final:=141}" ;; # the reader of stdout went away: quiet
*)
	explain publish "$status"
	: "${final:=$status}"
	;;
esac
# --exit-zero: findings never fail the run (publish got no --fail-on)
[ -z "$exit_zero" ] || [ "${final:-0}" -ne 1 ] || final=0
exit "${final:-0}"
