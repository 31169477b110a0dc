#!/usr/bin/env python3
"""Time a command for bench/bench.sh: median wall time and peak memory.

usage: python3 bench/runstat.py [--runs N] [--ok STATUS] [--stdin FILE]
                                [--stderr FILE] -- CMD [ARG...]

Runs CMD N times (default 5), its stdout thrown away, its stdin from FILE
(default /dev/null), its stderr into FILE (default /dev/null).  Prints one
line "MEDIAN_SECONDS PEAK_RSS_KB": the median wall-clock time of the runs
and the largest resident set of any process of any run (the command or a
descendant it waited for: getrusage(RUSAGE_CHILDREN) keeps the maximum of
every process reaped below us, so for the pperf driver this is its largest
phase, not a sum).  Exits 1 when a run exits above --ok (default 0) or is
killed, after printing "FAILED STATUS".  GNU time is not needed.
"""
import argparse
import resource
import statistics
import subprocess
import sys
import time


def main(argv):
    ap = argparse.ArgumentParser(description="Median wall time and peak RSS of a command.")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--ok", type=int, default=0, help="highest exit status that is a success")
    ap.add_argument("--stdin", default="/dev/null")
    ap.add_argument("--stderr", default="/dev/null")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args(argv)
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd or a.runs < 1:
        ap.error("a command and --runs >= 1 are needed")
    times = []
    for _ in range(a.runs):
        with open(a.stdin, "rb") as fin, open(a.stderr, "wb") as ferr:
            t0 = time.perf_counter()
            st = subprocess.call(cmd, stdin=fin, stdout=subprocess.DEVNULL, stderr=ferr)
            times.append(time.perf_counter() - t0)
        if st < 0 or st > a.ok:
            print("FAILED %d" % st)
            return 1
    # ru_maxrss is in kilobytes on Linux
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print("%.4f %d" % (statistics.median(times), rss))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
