#!/usr/bin/env python3
"""t/tools/fakectx7.py: a Context7-compatible endpoint on 127.0.0.1 for the
pperf-research tests.

    fakectx7.py --port-file F --log L [--mode MODE] [--delay S]

Listens on an ephemeral port of 127.0.0.1, writes the port number to F once
it accepts connections, and appends one JSON line per request to L:
{"method", "path", "query", "authorization"}.  It answers the two calls
pperf-research makes:

    GET /api/v2/libs/search?libraryName=LIB&query=Q
        {"results": [{"id": "/fake/LIB", "title": "LIB"}]}  (LIB with '-' for
                                                        other than letters and digits)
    GET /api/v2/context?libraryId=/fake/LIB&query=Q&type=json
        {"codeSnippets": [...], "infoSnippets": [...]}

MODE changes every answer:
    ok        the answers above (default)
    slow      sleep --delay seconds (default 5) before answering
    garbage   200 with a body that is not JSON
    shape     200 with JSON that has none of the expected fields
    500       HTTP 500 with a JSON error body
    401       HTTP 401 with a JSON error body
    429       HTTP 429 with Retry-After: 1
The server runs until killed.
"""
import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def snippets(lib):
    return {
        "codeSnippets": [{
            "codeTitle": "Batch writes in %s" % lib,
            "codeDescription": ("Fake advice for %s: send many rows per statement "
                                "instead of one statement per row." % lib),
            "codeLanguage": "python",
            "codeTokens": 20,
            "codeId": "https://docs.example.test/%s/batching" % lib,
            "pageTitle": "%s batching guide" % lib,
            "codeList": [{"language": "python", "code": "do_batch(rows)"}],
        }],
        "infoSnippets": [{
            "pageId": "https://docs.example.test/%s/sessions" % lib,
            "breadcrumb": "%s > Sessions" % lib,
            "content": ("Fake advice for %s:\n  keep sessions short\tand scoped "
                        "to one request." % lib),
            "contentTokens": 12,
        }],
    }


class Handler(BaseHTTPRequestHandler):
    server_version = "fakectx7/1"

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    def record(self, parts):
        line = json.dumps({
            "method": self.command,
            "path": parts.path,
            "query": parse_qs(parts.query),
            "authorization": self.headers.get("Authorization"),
        })
        with self.server.lock:
            with open(self.server.log, "a") as f:
                f.write(line + "\n")

    def send(self, status, body, ctype="application/json", extra=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        parts = urlsplit(self.path)
        self.record(parts)
        mode = self.server.mode
        if mode == "slow":
            time.sleep(self.server.delay)
        if mode == "garbage":
            return self.send(200, "<html>this is not JSON", "text/html")
        if mode == "shape":
            return self.send(200, json.dumps({"hello": "world"}))
        if mode in ("500", "401"):
            return self.send(int(mode), json.dumps({"error": "fake", "message": "fake " + mode}))
        if mode == "429":
            return self.send(429, json.dumps({"error": "rate_limited"}), extra={"Retry-After": "1"})
        q = parse_qs(parts.query)
        if parts.path == "/api/v2/libs/search":
            lib = q.get("libraryName", ["x"])[0]
            slug = "".join(c if c.isalnum() else "-" for c in lib)
            return self.send(200, json.dumps({"results": [{"id": "/fake/" + slug, "title": lib}]}))
        if parts.path == "/api/v2/context":
            lib = q.get("libraryId", ["/fake/x"])[0].rsplit("/", 1)[-1]
            return self.send(200, json.dumps(snippets(lib)))
        return self.send(404, json.dumps({"error": "not_found"}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--mode", default="ok",
                    choices=["ok", "slow", "garbage", "shape", "500", "401", "429"])
    ap.add_argument("--delay", type=float, default=5.0)
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.mode, srv.delay, srv.log, srv.lock = a.mode, a.delay, a.log, threading.Lock()
    open(a.log, "a").close()
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
