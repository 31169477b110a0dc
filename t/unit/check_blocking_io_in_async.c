/*
 * Unit tests of audit-runtime/blocking_io_in_async.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "proj_helpers.h"
#include "rt_helpers.h"

#define ID "blocking_io_in_async"

static const struct rt_case positives[] = {
	{ "from fastapi import APIRouter\nrouter = APIRouter()\n\n@router.get('/c')\nasync def cover(p):\n"
	  "    with open(p, 'rb') as fh:\n        return fh.read()\n", "6" },
	{ "import requests\n\nasync def notify(url, body):\n    r = requests.post(url, json=body, timeout=3)\n"
	  "    return r.json()\n", "4" },
	{ "from pathlib import Path\n\nasync def load(name):\n    return Path(name).read_text()\n", "4" },
	{ "import subprocess\n\nasync def build():\n    subprocess.run(['make'], check=True)\n", "4" },
	{ "import os\n\nasync def build():\n    os.system('make')\n", "4" },
	{ "import httpx\n\nasync def rate(cur):\n    resp = httpx.get('https://fx', params={'c': cur})\n"
	  "    return resp.json()\n", "4" },
	{ "from urllib.request import urlopen\n\nasync def grab(u):\n    with urlopen(u, timeout=5) as r:\n"
	  "        return r.read()\n", "4" },
	{ "import shutil\n\nasync def backup(a, b):\n    shutil.copyfile(a, b)\n", "4" },
	{ "import requests\nhttp = requests.Session()\n\nasync def ping():\n    return http.get('http://x')\n", "5" },
	{ "import httpx\n\nclass Gw:\n    def __init__(self):\n        self.client = httpx.Client()\n\n"
	  "    async def charge(self, n):\n        return self.client.post('/c', json={'n': n})\n", "8" },
	{ "from pathlib import Path\nCACHE = Path('/c')\n\nasync def w(name):\n    target = CACHE / name\n"
	  "    with target.open('w') as out:\n        out.write('x')\n", "6" },
	{ "import subprocess, requests\n\nasync def two():\n    subprocess.call(['a'])\n    requests.get('u')\n",
	  "4,5" },
};

static const struct rt_case negatives[] = {
	/* offloaded: passed by reference, inside a lambda, functools.partial */
	{ "import asyncio, shutil\n\nasync def f(a, b):\n    await asyncio.to_thread(shutil.copy, a, b)\n", "" },
	{ "import asyncio\n\nasync def f(p):\n    loop = asyncio.get_running_loop()\n"
	  "    return await loop.run_in_executor(None, lambda: open(p).read())\n", "" },
	{ "import asyncio, functools, requests\n\nasync def f(u):\n    loop = asyncio.get_running_loop()\n"
	  "    return await loop.run_in_executor(None, functools.partial(requests.post, u, json={}))\n", "" },
	{ "import requests\nfrom starlette.concurrency import run_in_threadpool\n\nasync def f(u):\n"
	  "    return await run_in_threadpool(requests.get, u)\n", "" },
	{ "import anyio, subprocess\n\nasync def f():\n    await anyio.to_thread.run_sync(lambda: subprocess.run(['ls']))\n",
	  "" },
	/* a nested plain def runs wherever it is called from */
	{ "async def f(p):\n    def helper():\n        with open(p) as fh:\n            return fh.read()\n"
	  "    return helper\n", "" },
	/* async libraries */
	{ "import aiofiles\n\nasync def f(p):\n    async with aiofiles.open(p) as fh:\n        return await fh.read()\n",
	  "" },
	{ "import asyncio\n\nasync def f():\n    proc = await asyncio.create_subprocess_exec('ls')\n"
	  "    return await proc.communicate()\n", "" },
	{ "import httpx\n\nasync def f(u):\n    async with httpx.AsyncClient() as c:\n        return await c.get(u)\n", "" },
	{ "import anyio\n\nasync def f(p):\n    return await anyio.Path(p).read_text()\n", "" },
	/* sync code */
	{ "import requests\n\ndef f(u):\n    with open('x') as fh:\n        fh.read()\n    return requests.get(u)\n", "" },
	/* strings and comments */
	{ "async def f():\n    s = \"open(p) requests.get(u) subprocess.run(x)\"  # os.system('rm')\n"
	  "    t = '''\nopen(p)\n'''\n    return s, t\n", "" },
	/* not the modules: a local variable named requests, a method named open */
	{ "async def f(repo):\n    requests = await repo.pending()\n    return requests.get(1)\n", "" },
	{ "class Door:\n    async def enter(self):\n        self.open()\n\n    def open(self):\n        pass\n", "" },
	{ "async def f(items):\n    return sorted(items, key=lambda p: open(p).read())\n", "" },
	/* a module-level sync client, rebound locally to something else */
	{ "import requests\nclient = requests.Session()\n\nasync def f(u, make):\n    client = make()\n"
	  "    return client.get(u)\n", "" },
	{ "import httpx\nclient = httpx.Client()\n\nasync def f(u):\n    async with httpx.AsyncClient() as client:\n"
	  "        async with client.stream('GET', u) as r:\n            return r\n", "" },
};

/* Through the project's own sync helpers (one file; the index holds it). */
static const struct rt_case trans_pos[] = {
	/* two hops: the finding is at the call in the async def */
	{ "import subprocess\n\ndef convert(p):\n    subprocess.run(['convert', p])\n\ndef thumb(p):\n"
	  "    return convert(p)\n\nasync def upload(p):\n    thumb(p)\n    return p\n", "10" },
	/* a method resolved through self, and a class built on the spot */
	{ "import requests\n\nclass Gw:\n    def _post(self, b):\n        return requests.post('u', json=b)\n\n"
	  "    async def charge(self, b):\n        return self._post(b)\n", "8" },
	{ "import shutil\n\nclass Store:\n    def save(self, a, b):\n        shutil.copy(a, b)\n\n"
	  "async def f(a, b):\n    Store().save(a, b)\n", "8" },
	/* the guard tests another name than the one it assigns, or the name is
	 * not global: it runs every time */
	{ "_cfg = None\n\ndef load():\n    return open('cfg').read()\n\ndef config(force):\n    global _cfg\n"
	  "    if force is None:\n        _cfg = load()\n    return _cfg\n\nasync def f():\n    return config(None)\n", "13" },
	/* a recursion cycle that does reach I/O */
	{ "def a(n):\n    return b(n)\n\ndef b(n):\n    if n:\n        return a(n - 1)\n"
	  "    return open('/tmp/x').read()\n\nasync def f():\n    a(3)\n", "10" },
};

static const struct rt_case trans_neg[] = {
	/* offloaded: by reference, in a lambda, run_in_executor */
	{ "import asyncio, subprocess\n\ndef convert(p):\n    subprocess.run(['c', p])\n\nasync def f(p):\n"
	  "    await asyncio.to_thread(convert, p)\n    await asyncio.to_thread(lambda: convert(p))\n"
	  "    loop = asyncio.get_running_loop()\n    await loop.run_in_executor(None, convert, p)\n", "" },
	/* an awaited async helper is judged in its own body (line 4), not at the call */
	{ "import requests\n\nasync def fetch(u):\n    return requests.get(u)\n\nasync def f(u):\n"
	  "    return await fetch(u)\n", "4" },
	/* a recursion cycle without I/O */
	{ "def a(n):\n    return b(n)\n\ndef b(n):\n    return a(n - 1) if n else 0\n\nasync def f():\n"
	  "    return a(3)\n", "" },
	/* run is a method of two classes: x.run() is not guessed */
	{ "import subprocess\n\nclass A:\n    def run(self):\n        subprocess.run(['ls'])\n\nclass B:\n"
	  "    def run(self):\n        return 1\n\nasync def f(x):\n    x.run()\n", "" },
	/* only a reference, a cached loader, a sync helper without I/O */
	{ "import functools\n\n@functools.lru_cache\ndef settings():\n    with open('cfg') as fh:\n"
	  "        return fh.read()\n\ndef plain():\n    return 1\n\nasync def f(hooks):\n    hooks.append(plain)\n"
	  "    hooks.append(settings)\n    return settings(), plain()\n", "" },
	/* a sync def calling a blocking helper is not on the loop */
	{ "import requests\n\ndef g(u):\n    return requests.get(u)\n\ndef f(u):\n    return g(u)\n", "" },
	/* a module singleton built on first use (global X; if X is None: X = ...) blocks once
	 * per process, directly or through a helper (mealie's get_logger) */
	{ "import json\n\n_cfg = None\n\ndef load():\n    with open('cfg.json') as fh:\n        return json.load(fh)\n\n"
	  "def config():\n    global _cfg\n    if _cfg is None:\n        _cfg = load()\n    return _cfg\n\n"
	  "async def f():\n    return config()['a']\n\n"
	  "_data = None\n\nasync def g():\n    global _data\n    if not _data:\n        _data = open('d').read()\n"
	  "    return _data\n", "" },
};

START_TEST(transitive_positive)
{
	rt_expect(ID, &trans_pos[_i]);
}
END_TEST

START_TEST(transitive_negative)
{
	rt_expect(ID, &trans_neg[_i]);
}
END_TEST

/* Across files: the chain names every hop with its file and line. */
START_TEST(transitive_cross_file)
{
	struct proj p;
	struct finding_list fl;
	char buf[512];
	json_t *ctx;
	proj_init(&p);
	proj_put(&p, "app/util.py", "import shutil\n\n\ndef archive(a, b):\n    shutil.copytree(a, b)\n");
	proj_put(&p, "app/services.py", "from app.util import archive\n\n\ndef backup(a):\n"
				       "    n = len(a)\n    archive(a, a + '.bak')\n    return n\n");
	proj_put(&p, "app/api.py", "from fastapi import APIRouter\nfrom app import services\n\nrouter = APIRouter()\n\n\n"
				  "@router.post('/b')\nasync def make_backup(a: str):\n    return services.backup(a)\n");
	ctx = proj_context(&p, NULL);
	ck_assert_str_eq(proj_lines(&runtime_auditor, ID, ctx, &fl, buf, sizeof(buf)), "app/api.py:9");
	ck_assert_int_eq(fl.v[0].severity, SEV_HIGH);
	ck_assert_uint_eq(fl.v[0].nchain, 4);
	ck_assert_str_eq(fl.v[0].chain[0], "make_backup (app/api.py:9)");
	ck_assert_str_eq(fl.v[0].chain[1], "backup (app/services.py:4)");
	ck_assert_str_eq(fl.v[0].chain[2], "archive (app/util.py:4)");
	ck_assert_str_eq(fl.v[0].chain[3], "shutil.copytree (app/util.py:5)");
	ck_assert_msg(strstr(fl.v[0].issue, "make_backup \xe2\x86\x92 backup (app/services.py:6) \xe2\x86\x92 "
				"archive (app/util.py:5) shutil.copytree") != NULL, "%s", fl.v[0].issue);
	ck_assert_msg(strstr(fl.v[0].recommendation, "services.backup") != NULL, "%s", fl.v[0].recommendation);
	finding_list_free(&fl);
	json_decref(ctx);
	proj_free(&p);
}
END_TEST

START_TEST(positive)
{
	rt_expect(ID, &positives[_i]);
}
END_TEST

START_TEST(negative)
{
	rt_expect(ID, &negatives[_i]);
}
END_TEST

START_TEST(severity_by_context)
{
	ck_assert_int_eq(rt_sev(ID, positives[0].src), SEV_HIGH);
	ck_assert_int_eq(rt_sev(ID, positives[1].src), SEV_MEDIUM);
	/* a websocket handler registered by name */
	ck_assert_int_eq(rt_sev(ID, "import requests\nfrom starlette.routing import WebSocketRoute\n\n"
				"async def sock(ws):\n    requests.post('u')\n\n"
				"routes = [WebSocketRoute('/ws', sock)]\n"), SEV_HIGH);
}
END_TEST

START_TEST(recommendation_follows_stack)
{
	json_t *ctx = json_pack("{s:{s:{s:s}}}", "tech_stack", "dependencies", "aiofiles", ">=23.2");
	char *s = rt_text(ID, "async def f(p):\n    with open(p, 'w') as fh:\n        fh.write('x')\n", ctx);
	ck_assert_msg(strstr(s, "aiofiles.open") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "writes") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "async def f") != NULL, "%s", s);
	free(s);
	s = rt_text(ID, "import requests, httpx\n\nasync def f(u):\n    requests.put(u)\n", NULL);
	ck_assert_msg(strstr(s, "httpx.AsyncClient") != NULL && strstr(s, "client.put") != NULL, "%s", s);
	free(s);
	s = rt_text(ID, "import subprocess\n\nasync def f():\n    subprocess.check_output(['ls'])\n", NULL);
	ck_assert_msg(strstr(s, "create_subprocess_exec") != NULL, "%s", s);
	free(s);
	json_decref(ctx);
}
END_TEST

START_TEST(malformed)
{
	static const char crlf[] = "import requests\r\n\r\nasync def f(u):\r\n\trequests.get(u)\r\n";
	static const char unterminated[] = "async def f(p):\n    s = 'open(p\n    open(p)\n    x = \"\"\"never closed\n";
	static const char nul[] = "async def f(p):\n    open(p)\0\n    open(p)\n";
	char *long_line = rt_long_line("open(p)");
	struct finding_list fl;
	rt_run(ID, crlf, &fl);
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_uint_eq(fl.v[0].line, 4);
	finding_list_free(&fl);
	rt_survive(ID, unterminated, strlen(unterminated));
	rt_survive(ID, nul, sizeof(nul) - 1);
	ck_assert_uint_eq(rt_survive(ID, long_line, strlen(long_line)), 0);
	rt_survive(ID, "async def f(:\n  open(\n", 22);
	rt_survive(ID, "", 0);
	free(long_line);
}
END_TEST

Suite *suite_blocking_io_in_async(void)
{
	Suite *s = suite_create(ID);
	TCase *p = tcase_create("positives"), *n = tcase_create("negatives"), *m = tcase_create("malformed");
	tcase_add_loop_test(p, positive, 0, (int)(sizeof(positives) / sizeof(positives[0])));
	tcase_add_test(p, severity_by_context);
	tcase_add_test(p, recommendation_follows_stack);
	tcase_add_loop_test(p, transitive_positive, 0, (int)(sizeof(trans_pos) / sizeof(trans_pos[0])));
	tcase_add_test(p, transitive_cross_file);
	tcase_add_loop_test(n, transitive_negative, 0, (int)(sizeof(trans_neg) / sizeof(trans_neg[0])));
	tcase_add_loop_test(n, negative, 0, (int)(sizeof(negatives) / sizeof(negatives[0])));
	tcase_add_test(m, malformed);
	suite_add_tcase(s, p);
	suite_add_tcase(s, n);
	suite_add_tcase(s, m);
	return s;
}
