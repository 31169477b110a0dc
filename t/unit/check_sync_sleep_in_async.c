/*
 * Unit tests of audit-runtime/sync_sleep_in_async.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "proj_helpers.h"
#include "rt_helpers.h"

#define ID "sync_sleep_in_async"

static const struct rt_case positives[] = {
	{ "import time\n\nasync def buy(items):\n    for i in items:\n        time.sleep(0.2)\n", "5" },
	{ "from time import sleep\n\nasync def poll():\n    while True:\n        sleep(1)\n", "5" },
	{ "import time as t\n\nasync def f():\n    t.sleep(2)\n", "4" },
	{ "import time\nfrom starlette.endpoints import WebSocketEndpoint\n\nclass Feed(WebSocketEndpoint):\n"
	  "    async def on_receive(self, ws, data):\n        time.sleep(0.5)\n", "6" },
	{ "import time\nfrom quart import Quart\napp = Quart(__name__)\n\n@app.get('/e')\nasync def events():\n"
	  "    async def stream():\n        while True:\n            time.sleep(0.2)\n            yield b'x'\n"
	  "    return stream()\n", "9" },
	{ "import time\n\nasync def f():\n    time.sleep(1); time.sleep(2)\n", "4,4" },
	{ "import time\n\nasync def f(n):\n    time.sleep(\n        n * 2,\n    )\n", "4" },
};

static const struct rt_case negatives[] = {
	{ "import asyncio\n\nasync def f():\n    await asyncio.sleep(1)\n", "" },
	{ "from asyncio import sleep\n\nasync def f():\n    await sleep(1)\n", "" },
	{ "import time\n\ndef f():\n    time.sleep(1)\n", "" },
	{ "import time\n\nasync def f():\n    def warm():\n        time.sleep(0.5)\n    return warm\n", "" },
	{ "import asyncio, time\n\nasync def f():\n    await asyncio.to_thread(time.sleep, 1)\n", "" },
	{ "import asyncio, time\n\nasync def f():\n    await asyncio.to_thread(lambda: time.sleep(1))\n", "" },
	{ "async def f():\n    s = \"time.sleep(1)\"  # time.sleep(1)\n    return s\n", "" },
	{ "import anyio, trio\n\nasync def f():\n    await anyio.sleep(1)\n    await trio.sleep(1)\n", "" },
	{ "import gevent\n\nasync def f():\n    gevent.sleep(1)\n", "" },
	{ "async def f(clock):\n    clock.sleep(1)\n    sleep(1)\n", "" },
	{ "import time\n\nasync def f():\n    return time.time() - time.monotonic()\n", "" },
};

/* Through the project's own sync helpers. */
static const struct rt_case trans_pos[] = {
	{ "import time\n\ndef throttle():\n    time.sleep(1)\n\ndef helper():\n    throttle()\n\n"
	  "async def f():\n    helper()\n", "10" },
	/* a cycle: a -> b -> a, and b sleeps */
	{ "from time import sleep\n\ndef a(n):\n    return b(n)\n\ndef b(n):\n    sleep(0.1)\n"
	  "    return a(n - 1) if n else 0\n\nasync def f():\n    a(2)\n    b(2)\n", "11,12" },
	/* Cls(...).method() resolves to that class's method */
	{ "import time\n\nclass Limiter:\n    def wait(self):\n        time.sleep(0.2)\n\nclass Other:\n"
	  "    def wait(self):\n        return None\n\nasync def f():\n    Limiter().wait()\n", "12" },
};

static const struct rt_case trans_neg[] = {
	/* to_thread by reference and in a lambda, run_in_executor */
	{ "import asyncio, time\n\ndef nap():\n    time.sleep(1)\n\nasync def f():\n    await asyncio.to_thread(nap)\n"
	  "    await asyncio.to_thread(lambda: nap())\n    await asyncio.get_running_loop().run_in_executor(None, nap)\n",
	  "" },
	/* the async helper reports in its own body, its awaited call does not */
	{ "import time\n\nasync def nap():\n    time.sleep(1)\n\nasync def f():\n    await nap()\n", "4" },
	/* wait() of two classes on an unknown receiver */
	{ "import time\n\nclass Limiter:\n    def wait(self):\n        time.sleep(0.2)\n\nclass Other:\n"
	  "    def wait(self):\n        return None\n\nasync def f(x):\n    x.wait()\n", "" },
	/* a pure recursion, a reference, a nested sync def that is not called */
	{ "import time\n\ndef fact(n):\n    return 1 if n < 2 else n * fact(n - 1)\n\ndef nap():\n    time.sleep(1)\n\n"
	  "async def f(jobs):\n    jobs.append(nap)\n    def later():\n        nap()\n    return fact(5), later\n", "" },
	/* the sleep is asyncio's */
	{ "import asyncio\n\ndef pause():\n    return asyncio.sleep(1)\n\nasync def f():\n    await pause()\n"
	  "    pause()\n", "" },
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

START_TEST(transitive_text)
{
	struct finding_list fl;
	rt_run(ID, trans_pos[0].src, &fl);
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_msg(strstr(fl.v[0].issue, "f \xe2\x86\x92 helper:7 \xe2\x86\x92 throttle:4 time.sleep") != NULL, "%s",
		      fl.v[0].issue);
	ck_assert_msg(strstr(fl.v[0].recommendation, "asyncio.sleep") != NULL, "%s", fl.v[0].recommendation);
	ck_assert_uint_eq(fl.v[0].nchain, 4);
	ck_assert_str_eq(fl.v[0].chain[0], "f (app/mod.py:10)");
	ck_assert_str_eq(fl.v[0].chain[3], "time.sleep (app/mod.py:4)");
	ck_assert_int_eq(fl.v[0].severity, SEV_MEDIUM);
	finding_list_free(&fl);
}
END_TEST

/* Across files, and one level down in startup code. */
START_TEST(transitive_cross_file)
{
	struct proj p;
	struct finding_list fl;
	char buf[512];
	json_t *ctx;
	proj_init(&p);
	proj_put(&p, "app/retry.py", "import time\n\n\ndef backoff(n):\n    time.sleep(2 ** n)\n");
	proj_put(&p, "app/client.py", "from app.retry import backoff\n\n\nclass Carrier:\n    def label(self, s):\n"
				     "        backoff(1)\n        return s\n");
	proj_put(&p, "app/jobs.py", "from app.client import Carrier\n\n\nasync def buy(ss):\n    c = Carrier()\n"
				   "    for s in ss:\n        c.label(s)\n\n\nasync def lifespan(app):\n    Carrier().label(1)\n"
				   "    yield\n");
	ctx = proj_context(&p, NULL);
	ck_assert_str_eq(proj_lines(&runtime_auditor, ID, ctx, &fl, buf, sizeof(buf)), "app/jobs.py:7,app/jobs.py:11");
	ck_assert_int_eq(fl.v[0].severity, SEV_MEDIUM);
	ck_assert_int_eq(fl.v[1].severity, SEV_LOW);
	ck_assert_str_eq(fl.v[0].chain[1], "Carrier.label (app/client.py:5)");
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

START_TEST(severity_and_text)
{
	char *s;
	ck_assert_int_eq(rt_sev(ID, positives[0].src), SEV_MEDIUM);
	ck_assert_int_eq(rt_sev(ID, positives[3].src), SEV_HIGH); /* WebSocketEndpoint-style method */
	ck_assert_int_eq(rt_sev(ID, "import time\nfrom fastapi import FastAPI\napp = FastAPI()\n\n"
				"@app.post('/x')\nasync def x():\n    time.sleep(3)\n"), SEV_HIGH);
	/* Litestar-style bare route decorators */
	ck_assert_int_eq(rt_sev(ID, "import time\nfrom litestar import get\n\n@get(\"/x\")\nasync def x() -> str:\n"
				"    time.sleep(3)\n"), SEV_HIGH);
	ck_assert_int_eq(rt_sev(ID, "import time\nfrom cache import get\n\n@get(ttl=3)\nasync def x():\n"
				"    time.sleep(3)\n"), SEV_MEDIUM);
	s = rt_text(ID, positives[0].src, NULL);
	ck_assert_msg(strstr(s, "await asyncio.sleep(0.2)") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "async def buy") != NULL, "%s", s);
	free(s);
	s = rt_text(ID, "import anyio, time\n\nasync def f():\n    time.sleep(1)\n", NULL);
	ck_assert_msg(strstr(s, "anyio.sleep(1)") != NULL, "%s", s);
	free(s);
}
END_TEST

START_TEST(malformed)
{
	static const char crlf[] = "import time\r\nasync def f():\r\n\ttime.sleep(1)\r\n";
	static const char broken[] = "import time\nasync def f(:\n    time.sleep(1\n    '''\n";
	char *long_line = rt_long_line("time.sleep(1)");
	struct finding_list fl;
	rt_run(ID, crlf, &fl);
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_uint_eq(fl.v[0].line, 3);
	finding_list_free(&fl);
	rt_survive(ID, broken, strlen(broken));
	ck_assert_uint_eq(rt_survive(ID, long_line, strlen(long_line)), 0);
	rt_survive(ID, "\t\t\tsleep(\n", 10);
	free(long_line);
}
END_TEST

Suite *suite_sync_sleep_in_async(void)
{
	Suite *s = suite_create(ID);
	TCase *p = tcase_create("positives"), *n = tcase_create("negatives"), *m = tcase_create("malformed");
	tcase_add_loop_test(p, positive, 0, (int)(sizeof(positives) / sizeof(positives[0])));
	tcase_add_test(p, severity_and_text);
	tcase_add_loop_test(p, transitive_positive, 0, (int)(sizeof(trans_pos) / sizeof(trans_pos[0])));
	tcase_add_test(p, transitive_text);
	tcase_add_test(p, transitive_cross_file);
	tcase_add_loop_test(n, transitive_negative, 0, (int)(sizeof(trans_neg) / sizeof(trans_neg[0])));
	tcase_add_loop_test(n, negative, 0, (int)(sizeof(negatives) / sizeof(negatives[0])));
	tcase_add_test(m, malformed);
	suite_add_tcase(s, p);
	suite_add_tcase(s, n);
	suite_add_tcase(s, m);
	return s;
}
