# t/e2e/71-hostile-trees.sh: the whole driver (bin/pperf --format json) over
# trees built to break a walker: file names with a newline, spaces, a
# leading dash and bytes that are not UTF-8; a FIFO and a character device
# (only as root: mknod) that must never be opened; symlinks out of the root,
# to the root itself and in a loop; 100,000 empty files; a 200 MB sparse
# file; directories 1,000 deep; an unreadable directory and file (as root,
# whose chmod 000 does not stop it, the run drops to uid 65534 with setpriv;
# skipped when that is impossible).  Each run: no hang (timeout 60, status
# 124), exit 0 or 1, valid JSON on stdout, every stderr line a warning, and
# each skipped entry warned about exactly once.
# shellcheck shell=sh source=t/e2e/lib.sh
. "$PPERF_ROOT/t/e2e/lib.sh"

H=$TMPDIR/hostile
mkdir -p "$H" || exit 1
trap 'chmod -R u+rwx "$H" 2>/dev/null; rm -rf "$H"' EXIT

if ! command -v python3 >/dev/null 2>&1; then
	skip "hostile trees" "python3 is needed to check the JSON"
	done_testing
fi

# run NAME TREE [ENV-PREFIX...]: the driver over TREE; report in $H/NAME.json,
# warnings in $H/NAME.err.  Checks no hang, the exit status, the JSON and
# that stderr holds warnings only.
run() {
	_n=$1 _tree=$2
	shift 2
	_st=0
	"$@" timeout 60 "$PPERF_BIN/pperf" --format json "$_tree" >"$H/$_n.json" 2>"$H/$_n.err" || _st=$?
	if [ "$_st" -eq 0 ] || [ "$_st" -eq 1 ]; then
		ok "$_n: no hang, exit $_st"
	else
		fail "$_n: no hang, exit 0 or 1" "exit $_st; stderr: $(head -c 600 "$H/$_n.err" | tr '\n' ' ')"
	fi
	if python3 -c 'import json, sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$H/$_n.json" 2>/dev/null; then
		ok "$_n: the report is valid JSON"
	else
		fail "$_n: the report is valid JSON" "$(head -c 300 "$H/$_n.json")"
	fi
	_bad=$(grep -v '^pperf-[a-z-]*: .*: warning: ' "$H/$_n.err" | head -n 3)
	if [ -z "$_bad" ]; then
		ok "$_n: stderr holds warnings only"
	else
		fail "$_n: stderr holds warnings only" "$_bad"
	fi
}

# once NAME FILE PATTERN: exactly one line of FILE matches PATTERN (fixed string).
once() {
	_c=$(grep -c -F -e "$3" "$2")
	if [ "$_c" -eq 1 ]; then
		ok "$1"
	else
		fail "$1" "$_c lines with '$3' in $2: $(head -c 600 "$2" | tr '\n' ' ')"
	fi
}

# pyq NAME EXPR FILE: a Python expression over the JSON document d of FILE is true.
pyq() {
	if python3 -c 'import json, sys; d = json.load(open(sys.argv[2])); sys.exit(0 if eval(sys.argv[1]) else 1)' \
		"$2" "$3" 2>/dev/null; then
		ok "$1"
	else
		fail "$1" "$2 is false for $3"
	fi
}

sleeper='import time


async def handler():
    time.sleep(1)
'

# ---- names, special files, symlinks
T=$H/names
mkdir -p "$T"
printf '%s' "$sleeper" >"$T/base.py"
printf '%s' "$sleeper" >"$T/with space.py"
printf '%s' "$sleeper" >"$T/-rf.py"
printf '%s' "$sleeper" >"$T/$(printf 'new\nline.py')"
printf '%s' "$sleeper" >"$T/$(printf 'bad\377\376.py')"
mkfifo "$T/fifo.py"
ln -s /etc/passwd "$T/out.py"
ln -s / "$T/outdir"
ln -s . "$T/self"
ln -s a "$T/b"
ln -s b "$T/a"
dev=0
if mknod "$T/dev.py" c 1 3 2>/dev/null; then
	dev=1
else
	skip "names: device node" "mknod needs root"
fi
run names "$T"
pyq "names: all five files audited, none dropped" \
	'sorted(f["file"] for f in d["findings"]) == sorted(["-rf.py", "bad\\xff\\xfe.py", "base.py", "new\nline.py", "with space.py"])' \
	"$H/names.json"
once "names: the FIFO is skipped with one warning" "$H/names.err" "fifo.py: warning: a FIFO, skipped"
if [ $dev -eq 1 ]; then
	once "names: the device node is skipped with one warning" "$H/names.err" \
		"dev.py: warning: a character device, skipped"
fi
once "names: a file symlink out of the root is not followed" "$H/names.err" \
	"out.py: warning: symlink to outside the root, not followed"
once "names: a directory symlink out of the root is not followed" "$H/names.err" \
	"outdir: warning: symlink to outside the root, not followed"
once "names: a symlink to the root is a loop" "$H/names.err" "self: warning: symlink loop, skipped"
once "names: a symlink cycle is a loop (a)" "$H/names.err" "names/a: warning: symlink loop, skipped"
once "names: a symlink cycle is a loop (b)" "$H/names.err" "names/b: warning: symlink loop, skipped"
_nw=$(wc -l <"$H/names.err")
if [ "$_nw" -eq $((6 + dev)) ]; then
	ok "names: one warning per skip, nothing else"
else
	fail "names: one warning per skip, nothing else" "$_nw lines: $(tr '\n' ' ' <"$H/names.err")"
fi
# the context: a name that is not UTF-8 has a readable path and its exact bytes
"$PPERF_BIN/pperf-discover" "$T" >"$H/ctx.json" 2>/dev/null
pyq "names: context path of a non-UTF-8 name is the \\xNN form with path_hex" \
	'[(f["path"], f.get("path_hex")) for f in d["files"] if "path_hex" in f] == [("bad\\xff\\xfe.py", "626164fffe2e7079")]' \
	"$H/ctx.json"
# a hand-made context naming the FIFO (and the device) is not blocked on
python3 - "$H/ctx.json" "$H/ctx2.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for name in ("fifo.py", "dev.py"):
    d["files"].append({"path": name, "language": "python", "role": "source", "bytes": 0})
json.dump(d, open(sys.argv[2], "w"))
EOF
_st=0
timeout 20 "$PPERF_BIN/pperf-audit-runtime" <"$H/ctx2.json" >"$H/res.json" 2>"$H/res.err" || _st=$?
if [ $_st -eq 0 ] || [ $_st -eq 1 ]; then
	ok "context naming a FIFO: the auditor does not hang (exit $_st)"
else
	fail "context naming a FIFO: the auditor does not hang" "exit $_st"
fi
expect_grep "context naming a FIFO: skipped as not a regular file" \
	'fifo.py: warning: skipped: not a regular file' "$H/res.err"
# a path_hex that leaves the root is bad input
python3 - "$H/ctx.json" "$H/ctx3.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["files"].append({"path": "x.py", "path_hex": "2e2e2f782e7079", "language": "python",
                   "role": "source", "bytes": 0})
json.dump(d, open(sys.argv[2], "w"))
EOF
# shellcheck disable=SC2016 # expanded by the inner shell
expect_exit 3 "a path_hex with '..' is bad input (exit 3)" \
	sh -c '"$1" <"$2"' sh "$PPERF_BIN/pperf-audit-runtime" "$H/ctx3.json"
rm -rf "$T"

# ---- 100,000 empty files (100 directories of 1,000)
T=$H/many
mkdir -p "$T"
i=0
while [ $i -lt 100 ]; do
	mkdir "$T/d$i"
	(cd "$T/d$i" && seq 1 1000 | sed 's/.*/f&.py/' | xargs touch)
	i=$((i + 1))
done
run many "$T"
"$PPERF_BIN/pperf-discover" "$T" >"$H/ctx.json" 2>/dev/null
pyq "many: the context lists the 100,000 files" 'len(d["files"]) == 100000' "$H/ctx.json"
rm -rf "$T" "$H/ctx.json"

# ---- a 200 MB sparse file
T=$H/big
mkdir -p "$T"
printf '%s' "$sleeper" >"$T/base.py"
truncate -s 200M "$T/huge.py"
run big "$T"
once "big: the 200 MB file is skipped with one warning" "$H/big.err" \
	"huge.py: warning: file too large (209715200 bytes, limit 8388608), skipped"
pyq "big: the small file is still audited" '[f["file"] for f in d["findings"]] == ["base.py"]' "$H/big.json"
rm -rf "$T"

# ---- directories 1,000 deep
T=$H/deep
mkdir -p "$T"
printf '%s' "$sleeper" >"$T/top.py"
(
	cd "$T" || exit 1
	i=0
	while [ $i -lt 1000 ]; do
		mkdir d && cd d || exit 1
		i=$((i + 1))
	done
	printf '%s' "$sleeper" >bottom.py
)
run deep "$T"
once "deep: one warning where the nesting limit is reached" "$H/deep.err" \
	"warning: directory nesting too deep, skipped"
pyq "deep: the top file is audited" '[f["file"] for f in d["findings"]] == ["top.py"]' "$H/deep.json"
rm -rf "$T"

# ---- an unreadable directory and file (in a directory of its own that
# uid 65534 can enter: the test's TMPDIR is private)
U=$(mktemp -d /tmp/pperf-hostile.XXXXXX) || exit 1
trap 'chmod -R u+rwx "$H" "$U" 2>/dev/null; rm -rf "$H" "$U"' EXIT
chmod 755 "$U"
T=$U/unreadable
mkdir -p "$T/locked" "$U/tmp"
chmod 1777 "$U/tmp"
printf '%s' "$sleeper" >"$T/base.py"
printf '%s' "$sleeper" >"$T/locked/hidden.py"
printf '%s' "$sleeper" >"$T/locked.py"
chmod 000 "$T/locked" "$T/locked.py"
as=
if [ "$(id -u)" -eq 0 ]; then
	# root reads through chmod 000: run as nobody (the tree is world-readable)
	if command -v setpriv >/dev/null 2>&1 &&
		setpriv --reuid 65534 --regid 65534 --clear-groups true 2>/dev/null &&
		setpriv --reuid 65534 --regid 65534 --clear-groups test -x "$PPERF_BIN/pperf" &&
		setpriv --reuid 65534 --regid 65534 --clear-groups test -r "$T/base.py"; then
		as="env TMPDIR=$U/tmp setpriv --reuid 65534 --regid 65534 --clear-groups"
	else
		as=none
	fi
fi
if [ "$as" = none ]; then
	skip "unreadable" "running as root without setpriv or a world-readable tree: chmod 000 does not stop root"
else
	# shellcheck disable=SC2086 # as is a command prefix
	run unreadable "$T" $as
	once "unreadable: the directory is skipped with one warning" "$H/unreadable.err" \
		"locked: warning: cannot open directory: Permission denied, skipped"
	once "unreadable: the file is skipped with one warning" "$H/unreadable.err" \
		"locked.py: warning: Permission denied, skipped"
	pyq "unreadable: the readable file is audited" '[f["file"] for f in d["findings"]] == ["base.py"]' \
		"$H/unreadable.json"
fi
chmod 755 "$T/locked" "$T/locked.py"

done_testing
