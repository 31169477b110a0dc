#!/usr/bin/env python3
"""t/tools/fakeapi.py: the part of Linear's GraphQL API and of GitHub's REST
API that pperf-publish uses, on 127.0.0.1, for the tests.

    fakeapi.py --port-file F --log L [--key K] [--token T]
               [--mode MODE] [--only OP] [--times N] [--retry-after S]
               [--delay S] [--seed FILE] [--tls CERT KEY]

Listens on an ephemeral port of 127.0.0.1 and writes the port to F once it
accepts connections.  Appends one JSON line per request to L:
{"n", "method", "path", "query", "headers": {lowercase name: value}, "body"}
(body parsed as JSON when it is, else the text, else null).

Linear (POST /graphql): the operations PperfTeams, PperfProjects,
PperfLabels, PperfLabelCreate, PperfIssueSearch, PperfIssueCreate and
PperfIssueUpdate, with the filters and inputs pperf sends.  Filters are
evaluated (or, and, eq, eqIgnoreCase, startsWithIgnoreCase, relations such
as team.id); an unknown filter field, comparator or input field is a
GraphQL validation error (HTTP 400), as Linear answers.  Authorization must
be the bare --key (default lin_api_test).

GitHub (under /gh): GET/POST /gh/repos/O/N/labels, GET/POST
/gh/repos/O/N/issues, PATCH /gh/repos/O/N/issues/NUMBER for the
repository acme/shop; Authorization must be "Bearer --token" (default
ghp_test).  Another repository is a 404.

State (teams, projects, labels, issues) lives as long as the process, so
a second run sees what the first one created; --seed FILE replaces the
initial state (same shape as SEED below).

MODE applies to the first --times requests (default: all) among those of
--only OP (a GraphQL operationName such as PperfIssueCreate, or
"METHOD /path"; default: every request), then the server behaves
normally:
    ok          normal answers (default)
    401 / 403   HTTP 401 / 403 with a JSON error
    429         HTTP 429 with Retry-After: --retry-after (default 1)
    500         HTTP 500 with a JSON error
    slow        sleep --delay seconds (default 5), then answer normally
    garbage     HTTP 200 whose body is not JSON
    ratelimited HTTP 400 with a GraphQL error whose code is RATELIMITED
    quota       HTTP 403 with X-RateLimit-Remaining: 0 (GitHub's limit)
--tls CERT KEY serves HTTPS with that certificate (the tests use a
self-signed one to check that pperf refuses it).  The server runs until
killed.
"""
import argparse
import copy
import json
import os
import re
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PDS = "5b0e8f62-1c3d-4a97-b8e2-9d41f0c6a3b7"
SHP = "0c1d2e3f-4a5b-4c6d-8e7f-901234567890"

SEED = {
    "teams": [
        {"id": PDS, "key": "PDS", "name": "PedalShare"},
        {"id": SHP, "key": "SHP", "name": "Shop"},
    ],
    "projects": [
        {"id": "proj-epic01", "name": "Epic 01 Onboarding", "teams": [PDS]},
        {"id": "proj-epic0-pds", "name": "Epic 0: Persistence & Performance", "teams": [PDS]},
        {"id": "proj-epic0-shop", "name": "Epic 0 - Shop hardening", "teams": [SHP]},
        {"id": "proj-epic1", "name": "Epic 1", "teams": [PDS, SHP]},
    ],
    "labels": [
        {"id": "lbl-perf", "name": "Performance", "team": None},
        {"id": "lbl-audit-shp", "name": "audit", "team": SHP},
        {"id": "lbl-bug", "name": "bug", "team": None},
    ],
    "issues": [],
    "gh_repos": ["acme/shop"],
    "gh_labels": [{"name": "bug", "color": "d73a4a", "description": ""},
                  {"name": "Performance", "color": "ededed", "description": ""}],
    "gh_issues": [],
}

FILTER_FIELDS = {
    "TeamFilter": {"id": None, "key": None, "name": None},
    "ProjectFilter": {"id": None, "name": None},
    "IssueLabelFilter": {"id": None, "name": None, "team": "TeamFilter"},
    "IssueFilter": {"id": None, "title": None, "team": "TeamFilter"},
}
COMPARATORS = {
    "eq": lambda v, a: v == a,
    "neq": lambda v, a: v != a,
    "eqIgnoreCase": lambda v, a: v is not None and v.lower() == a.lower(),
    "startsWith": lambda v, a: v is not None and v.startswith(a),
    "startsWithIgnoreCase": lambda v, a: v is not None and v.lower().startswith(a.lower()),
    "in": lambda v, a: v in a,
}
OPERATIONS = {
    # name: (root field, variable declarations that must appear)
    "PperfTeams": ("teams(filter: $filter", "$filter: TeamFilter"),
    "PperfProjects": ("projects(filter: $filter", "$filter: ProjectFilter"),
    "PperfLabels": ("issueLabels(filter: $filter", "$filter: IssueLabelFilter"),
    "PperfLabelCreate": ("issueLabelCreate(input: $input)", "$input: IssueLabelCreateInput!"),
    "PperfIssueSearch": ("issues(filter: $filter", "$filter: IssueFilter"),
    "PperfIssueCreate": ("issueCreate(input: $input)", "$input: IssueCreateInput!"),
    "PperfIssueUpdate": ("issueUpdate(id: $id, input: $input)", "$input: IssueUpdateInput!"),
}


class GqlError(Exception):
    pass


def check_filter(flt, typ):
    if not isinstance(flt, dict):
        raise GqlError("%s must be an object" % typ)
    for k, v in flt.items():
        if k in ("or", "and"):
            if not isinstance(v, list):
                raise GqlError("%s.%s must be a list" % (typ, k))
            for f in v:
                check_filter(f, typ)
        elif k not in FILTER_FIELDS[typ]:
            raise GqlError('Field "%s" is not defined by type "%s"' % (k, typ))
        elif FILTER_FIELDS[typ][k]:
            check_filter(v, FILTER_FIELDS[typ][k])
        else:
            if not isinstance(v, dict) or not v:
                raise GqlError("comparator of %s.%s must be an object" % (typ, k))
            for c in v:
                if c not in COMPARATORS:
                    raise GqlError('Field "%s" is not defined by type "StringComparator"' % c)


def matches(obj, flt, typ):
    for k, v in flt.items():
        if k == "or":
            if not any(matches(obj, f, typ) for f in v):
                return False
        elif k == "and":
            if not all(matches(obj, f, typ) for f in v):
                return False
        elif FILTER_FIELDS[typ][k]:
            sub = obj.get(k)
            if sub is None or not matches(sub, v, FILTER_FIELDS[typ][k]):
                return False
        else:
            for c, arg in v.items():
                if not COMPARATORS[c](obj.get(k), arg):
                    return False
    return True


def check_input(inp, allowed, required):
    if not isinstance(inp, dict):
        raise GqlError("input must be an object")
    for k in inp:
        if k not in allowed:
            raise GqlError('Field "%s" is not defined by the input type' % k)
    for k in required:
        if k not in inp:
            raise GqlError('Field "%s" of required type was not provided' % k)
    for k, t in allowed.items():
        if k in inp and not isinstance(inp[k], t):
            raise GqlError('Field "%s" has the wrong type' % k)


class Linear:
    """The Linear half; every method runs under the server's lock."""

    def __init__(self, state):
        self.s = state
        self.seq = {}

    def team(self, tid):
        return next((t for t in self.s["teams"] if t["id"] == tid), None)

    def run(self, op, query, var):
        if op not in OPERATIONS:
            raise GqlError('Unknown operation "%s"' % op)
        for part in OPERATIONS[op]:
            if part not in query:
                raise GqlError("query of %s lacks '%s'" % (op, part))
        if re.search(r"first:\s*(\d+)", query) and int(re.search(r"first:\s*(\d+)", query).group(1)) > 250:
            raise GqlError("first must be at most 250")
        return getattr(self, op)(var)

    def PperfTeams(self, var):
        check_filter(var.get("filter", {}), "TeamFilter")
        nodes = [dict(t) for t in self.s["teams"] if matches(t, var.get("filter", {}), "TeamFilter")]
        return {"teams": {"nodes": nodes}}

    def PperfProjects(self, var):
        check_filter(var.get("filter", {}), "ProjectFilter")
        nodes = [{"id": p["id"], "name": p["name"], "teams": {"nodes": [{"id": t} for t in p["teams"]]}}
                 for p in self.s["projects"] if matches(p, var.get("filter", {}), "ProjectFilter")]
        return {"projects": {"nodes": nodes}}

    def label_view(self, lb):
        return {"id": lb["id"], "name": lb["name"], "team": {"id": lb["team"]} if lb["team"] else None}

    def PperfLabels(self, var):
        check_filter(var.get("filter", {}), "IssueLabelFilter")
        nodes = [self.label_view(lb) for lb in self.s["labels"]
                 if matches(self.label_view(lb), var.get("filter", {}), "IssueLabelFilter")]
        return {"issueLabels": {"nodes": nodes}}

    def PperfLabelCreate(self, var):
        inp = var.get("input")
        check_input(inp, {"name": str, "teamId": str, "color": str, "description": str}, ["name"])
        if inp.get("teamId") and not self.team(inp["teamId"]):
            raise GqlError("Entity not found: Team")
        for lb in self.s["labels"]:
            if lb["name"].lower() == inp["name"].lower() and lb["team"] in (None, inp.get("teamId")):
                raise GqlError("duplicate label name")
        lb = {"id": "lbl-new-%d" % (len(self.s["labels"]) + 1), "name": inp["name"],
              "team": inp.get("teamId")}
        self.s["labels"].append(lb)
        return {"issueLabelCreate": {"success": True, "issueLabel": {"id": lb["id"], "name": lb["name"]}}}

    def issue_view(self, it):
        return {"id": it["id"], "identifier": it["identifier"], "url": it["url"], "title": it["title"],
                "labels": {"nodes": [{"id": i} for i in it["labelIds"]]}, "team": {"id": it["teamId"]}}

    def PperfIssueSearch(self, var):
        check_filter(var.get("filter", {}), "IssueFilter")
        nodes = [self.issue_view(it) for it in self.s["issues"]
                 if matches(self.issue_view(it), var.get("filter", {}), "IssueFilter")]
        for n in nodes:
            del n["team"]
        return {"issues": {"nodes": nodes}}

    def check_refs(self, inp):
        known = {lb["id"] for lb in self.s["labels"]}
        for lid in inp.get("labelIds", []):
            if lid not in known:
                raise GqlError("Entity not found: IssueLabel %s" % lid)
        if "projectId" in inp and inp["projectId"] not in {p["id"] for p in self.s["projects"]}:
            raise GqlError("Entity not found: Project")
        if "priority" in inp and inp["priority"] not in range(5):
            raise GqlError("priority must be 0 to 4")

    def PperfIssueCreate(self, var):
        inp = var.get("input")
        check_input(inp, {"teamId": str, "title": str, "description": str, "priority": int,
                          "labelIds": list, "projectId": str}, ["teamId", "title"])
        team = self.team(inp["teamId"])
        if not team:
            raise GqlError("Entity not found: Team")
        self.check_refs(inp)
        n = self.seq[team["key"]] = self.seq.get(team["key"], 0) + 1
        ident = "%s-%d" % (team["key"], n)
        it = {"id": "issue-%s" % ident.lower(), "identifier": ident,
              "url": "https://linear.app/fake/issue/%s" % ident, "teamId": team["id"],
              "title": inp["title"], "description": inp.get("description", ""),
              "priority": inp.get("priority", 0), "labelIds": list(inp.get("labelIds", [])),
              "projectId": inp.get("projectId")}
        self.s["issues"].append(it)
        return {"issueCreate": {"success": True, "issue": {k: it[k] for k in ("id", "identifier", "url")}}}

    def PperfIssueUpdate(self, var):
        inp = var.get("input")
        check_input(inp, {"title": str, "description": str, "priority": int, "labelIds": list,
                          "projectId": str}, [])
        it = next((i for i in self.s["issues"] if i["id"] == var.get("id")), None)
        if not it:
            raise GqlError("Entity not found: Issue")
        self.check_refs(inp)
        it.update(inp)
        return {"issueUpdate": {"success": True, "issue": {k: it[k] for k in ("id", "identifier", "url")}}}


class GitHub:
    def __init__(self, state):
        self.s = state

    def handle(self, method, path, query, body):
        m = re.fullmatch(r"/gh/repos/([^/]+/[^/]+)/(labels|issues)(?:/(\d+))?", path)
        if not m or m.group(1) not in self.s["gh_repos"]:
            return 404, {"message": "Not Found"}
        what, num = m.group(2), m.group(3)
        if what == "labels" and method == "GET" and not num:
            return 200, self.s["gh_labels"]
        if what == "labels" and method == "POST" and not num:
            if not isinstance(body, dict) or not isinstance(body.get("name"), str):
                return 422, {"message": "Validation Failed"}
            if any(lb["name"].lower() == body["name"].lower() for lb in self.s["gh_labels"]):
                return 422, {"message": "Validation Failed",
                             "errors": [{"resource": "Label", "code": "already_exists", "field": "name"}]}
            lb = {"name": body["name"], "color": body.get("color", "ededed"),
                  "description": body.get("description", "")}
            self.s["gh_labels"].append(lb)
            return 201, lb
        if what == "issues" and method == "GET" and not num:
            want = [x.lower() for x in query.get("labels", [""])[0].split(",") if x]
            state = query.get("state", ["open"])[0]
            out = [i for i in self.s["gh_issues"]
                   if (state == "all" or i["state"] == state)
                   and all(w in [lb["name"].lower() for lb in i["labels"]] for w in want)]
            return 200, out
        if what == "issues" and method in ("POST", "PATCH"):
            if not isinstance(body, dict) or (method == "POST" and not isinstance(body.get("title"), str)):
                return 422, {"message": "Validation Failed"}
            labels = body.get("labels", None)
            if labels is not None and not all(isinstance(x, str) for x in labels):
                return 422, {"message": "Validation Failed"}
            if method == "POST":
                n = len(self.s["gh_issues"]) + 1
                it = {"number": n, "html_url": "https://github.com/%s/issues/%d" % (m.group(1), n),
                      "state": "open", "title": body["title"], "body": body.get("body", ""),
                      "labels": []}
                self.s["gh_issues"].append(it)
                status = 201
            else:
                it = next((i for i in self.s["gh_issues"] if str(i["number"]) == num), None)
                if not it:
                    return 404, {"message": "Not Found"}
                it.update({k: body[k] for k in ("title", "body") if k in body})
                status = 200
            if labels is not None:
                for name in labels:
                    if not any(lb["name"].lower() == name.lower() for lb in self.s["gh_labels"]):
                        self.s["gh_labels"].append({"name": name, "color": "ededed", "description": ""})
                it["labels"] = [{"name": x} for x in labels]
            return status, it
        return 404, {"message": "Not Found"}


class Handler(BaseHTTPRequestHandler):
    server_version = "fakeapi/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    def send(self, status, body, extra=None, raw=None):
        data = raw if raw is not None else json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if raw is None else "text/plain")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def handle_any(self):
        srv = self.server
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        parts = urlsplit(self.path)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        op = body.get("operationName") if isinstance(body, dict) and parts.path == "/graphql" else None
        op = op or "%s %s" % (self.command, parts.path)
        with srv.lock:
            srv.count += 1
            picked = srv.only is None or srv.only == op
            if picked:
                srv.picked += 1
            mode = srv.mode if picked and (srv.times < 0 or srv.picked <= srv.times) else "ok"
            rec = {"n": srv.count, "method": self.command, "path": parts.path,
                   "query": parse_qs(parts.query),
                   "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
            with open(srv.log, "a") as f:
                f.write(json.dumps(rec) + "\n")
        if mode == "slow":
            time.sleep(srv.delay)
        elif mode in ("401", "403", "500"):
            return self.send(int(mode), {"message": "fake %s" % mode,
                                         "errors": [{"message": "fake %s" % mode}]})
        elif mode == "429":
            return self.send(429, {"message": "rate limited"}, {"Retry-After": srv.retry_after})
        elif mode == "garbage":
            return self.send(200, None, raw=b"<html>this is {not JSON")
        elif mode == "ratelimited":
            return self.send(400, {"errors": [{"message": "Rate limit exceeded",
                                               "extensions": {"code": "RATELIMITED"}}]})
        elif mode == "quota":
            return self.send(403, {"message": "API rate limit exceeded"},
                             {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1"})
        if parts.path.startswith("/gh/"):
            if self.headers.get("Authorization") != "Bearer " + srv.token:
                return self.send(401, {"message": "Bad credentials"})
            with srv.lock:
                status, out = srv.github.handle(self.command, parts.path, parse_qs(parts.query), body)
            return self.send(status, out)
        if parts.path != "/graphql" or self.command != "POST":
            return self.send(404, {"message": "Not Found"})
        if self.headers.get("Authorization") != srv.key:
            return self.send(401, {"errors": [{"message": "Authentication required, not authenticated",
                                               "extensions": {"code": "AUTHENTICATION_ERROR"}}]})
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return self.send(400, {"errors": [{"message": "Must provide query string."}]})
        op = body.get("operationName") or ""
        try:
            with srv.lock:
                data = srv.linear.run(op, body["query"], body.get("variables") or {})
        except GqlError as e:
            return self.send(400, {"errors": [{"message": str(e),
                                               "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]})
        return self.send(200, {"data": data})

    do_GET = do_POST = do_PATCH = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--key", default="lin_api_test")
    ap.add_argument("--token", default="ghp_test")
    ap.add_argument("--mode", default="ok", choices=["ok", "401", "403", "429", "500", "slow",
                                                     "garbage", "ratelimited", "quota"])
    ap.add_argument("--only")
    ap.add_argument("--times", type=int, default=-1)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--retry-after", default="1")
    ap.add_argument("--delay", type=float, default=5.0)
    ap.add_argument("--seed")
    a = ap.parse_args()
    state = copy.deepcopy(SEED)
    if a.seed:
        with open(a.seed) as f:
            state.update(json.load(f))
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.lock = threading.Lock()
    srv.count = srv.picked = 0
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.linear, srv.github = Linear(state), GitHub(state)
    for k in ("log", "key", "token", "mode", "only", "times", "retry_after", "delay"):
        setattr(srv, k, getattr(a, k))
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
