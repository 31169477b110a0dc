"""Differential test: pperf's Python outline against Python's own ast.

Usage: outline_vs_ast.py PYDUMP FILE...
For every file that Python itself parses, the functions and classes (name,
first line, last line) and the lines of the calls (the line of the callee's
last name, calls inside f-strings excepted) must be the same.  Prints
"ok: ..." / "FAIL: ..." lines for t/e2e.
"""
import ast
import subprocess
import sys
from collections import Counter


def expected(tree):
    defs, calls = [], Counter()
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for sub in ast.walk(node):
                skip.add(id(sub))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            kind = "CLASS" if isinstance(node, ast.ClassDef) else "DEF"
            defs.append((kind, node.name, node.lineno, node.end_lineno))
        elif isinstance(node, ast.Call) and id(node) not in skip:
            calls[node.func.end_lineno] += 1
    return sorted(defs), calls


def main():
    pydump, files = sys.argv[1], sys.argv[2:]
    parsed = bad = 0
    for path in files:
        try:
            with open(path, encoding="utf-8") as fh:
                tree = ast.parse(fh.read())
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        parsed += 1
        out = subprocess.run([pydump, path], capture_output=True, text=True, check=False).stdout
        defs, calls = [], Counter()
        for line in out.splitlines():
            w = line.split()
            if w[0] in ("DEF", "CLASS"):
                defs.append((w[0], w[1], int(w[2]), int(w[3])))
            elif w[0] == "CALL":
                calls[int(w[1])] += 1
        want_defs, want_calls = expected(tree)
        if sorted(defs) != want_defs:
            bad += 1
            print("FAIL: outline of %s: %s" % (path, sorted(set(defs) ^ set(want_defs))[:4]))
        elif calls != want_calls:
            bad += 1
            diff = {k: (calls[k], want_calls[k]) for k in set(calls) | set(want_calls) if calls[k] != want_calls[k]}
            print("FAIL: calls of %s (line: got, want): %s" % (path, sorted(diff.items())[:6]))
    print("# %d files parsed by Python, %d differ" % (parsed, bad))
    if parsed == 0:
        print("FAIL: no file was parsed")
    elif bad == 0:
        print("ok: outline equals ast on %d files" % parsed)


main()
