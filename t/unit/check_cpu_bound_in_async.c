/*
 * Unit tests of audit-runtime/cpu_bound_in_async.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "rt_helpers.h"

#define ID "cpu_bound_in_async"

static const struct rt_case positives[] = {
	{ "import hashlib\n\nasync def up(request):\n    blob = await request.body()\n"
	  "    return hashlib.md5(blob).hexdigest()\n", "5" },
	{ "import json\n\nasync def imp(f):\n    return json.loads(await f.read())\n", "4" },
	{ "import json\n\nasync def cfg(p):\n    with open(p) as fh:\n        return json.load(fh)\n", "5" },
	{ "from bs4 import BeautifulSoup\n\nasync def scrape(html):\n    return BeautifulSoup(html, 'html.parser')\n", "4" },
	{ "import gzip\n\nasync def export(buf):\n    return gzip.compress(buf.getvalue().encode())\n", "4" },
	{ "import bcrypt\n\nasync def reg(pw):\n    return bcrypt.hashpw(pw.encode(), bcrypt.gensalt())\n", "4" },
	{ "from PIL import Image\n\nasync def thumb(data):\n    return Image.open(data)\n", "4" },
	{ "from lxml import etree\n\nasync def parse(raw):\n    return etree.fromstring(raw)\n", "4" },
	{ "import pickle, zlib\n\nasync def load(b):\n    return pickle.loads(zlib.decompress(b))\n", "4" },
	{ "import hashlib\n\nasync def digest(data: bytes):\n    return hashlib.sha256(data).hexdigest()\n", "4" },
	{ "import xml.etree.ElementTree as ET\n\nasync def parse(raw):\n    return ET.fromstring(raw)\n", "4" },
	{ "import json\n\nasync def f(request):\n    raw = await request.body()\n    return json.loads(raw)\n", "5" },
	{ "import hashlib\n\nasync def f(request):\n    body = request.body\n    return hashlib.sha1(body).digest()\n", "5" },
	{ "import json\n\nasync def f(resp):\n    return json.loads(resp.content)\n", "4" },
};

static const struct rt_case negatives[] = {
	/* a tiny event or NOTIFY payload, a short token */
	{ "import json\n\nasync def sock(ws):\n    while True:\n        event = json.loads(await ws.receive_text())\n", "" },
	{ "import json\n\nasync def on(payload: str):\n    return json.loads(payload)\n", "" },
	{ "import json\n\nasync def sock(ws):\n    async for msg in ws:\n        d = json.loads(msg.data)\n", "" },
	{ "import hashlib\n\nasync def f(token: str):\n    return hashlib.sha256(token.encode()).hexdigest()\n", "" },
	/* offloaded */
	{ "import asyncio, bcrypt\n\nasync def f(pw, h):\n    return await asyncio.to_thread(bcrypt.checkpw, pw, h)\n", "" },
	{ "import asyncio, zlib\n\nasync def f(b):\n    return await asyncio.to_thread(lambda: zlib.compress(b))\n", "" },
	{ "import asyncio, gzip\n\nasync def f(b):\n    loop = asyncio.get_running_loop()\n"
	  "    return await loop.run_in_executor(None, gzip.compress, b)\n", "" },
	/* plain def, nested plain def */
	{ "import json\n\ndef f(p):\n    with open(p) as fh:\n        return json.load(fh)\n", "" },
	{ "import gzip\n\nasync def f(b):\n    def pack():\n        return gzip.compress(b)\n    return pack\n", "" },
	/* strings, comments, unimported names */
	{ "async def f(b):\n    s = 'gzip.compress(b) json.load(fh)'  # bcrypt.hashpw(p, s)\n    return s\n", "" },
	{ "async def f(b, gzip):\n    return gzip.compress(b)\n", "" },
	{ "import json\n\nasync def f(d):\n    return json.dumps(d)\n", "" },
};

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
	ck_assert_int_eq(rt_sev(ID, "import gzip\nfrom quart import Quart\napp = Quart(__name__)\n\n@app.get('/x')\n"
				"async def x():\n    return gzip.compress(b'x' * 10)\n"), SEV_MEDIUM);
	s = rt_text(ID, positives[0].src, NULL);
	ck_assert_msg(strstr(s, "asyncio.to_thread(lambda: hashlib.md5(blob).hexdigest())") != NULL, "%s", s);
	free(s);
	s = rt_text(ID, positives[3].src, NULL);
	ck_assert_msg(strstr(s, "asyncio.to_thread(BeautifulSoup, html, 'html.parser')") != NULL, "%s", s);
	free(s);
}
END_TEST

START_TEST(malformed)
{
	static const char crlf[] = "import gzip\r\nasync def f(b):\r\n\treturn gzip.compress(b)\r\n";
	static const char broken[] = "import json\nasync def f(:\n    json.loads(await r.body(\n    \"\"\"x\n";
	char *long_line = rt_long_line("gzip.compress(b)");
	struct finding_list fl;
	rt_run(ID, crlf, &fl);
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_uint_eq(fl.v[0].line, 3);
	finding_list_free(&fl);
	rt_survive(ID, broken, strlen(broken));
	ck_assert_uint_eq(rt_survive(ID, long_line, strlen(long_line)), 0);
	rt_survive(ID, "import hashlib\nasync def f(:\n hashlib.md5(", 40);
	free(long_line);
}
END_TEST

Suite *suite_cpu_bound_in_async(void)
{
	Suite *s = suite_create(ID);
	TCase *p = tcase_create("positives"), *n = tcase_create("negatives"), *m = tcase_create("malformed");
	tcase_add_loop_test(p, positive, 0, (int)(sizeof(positives) / sizeof(positives[0])));
	tcase_add_test(p, severity_and_text);
	tcase_add_loop_test(n, negative, 0, (int)(sizeof(negatives) / sizeof(negatives[0])));
	tcase_add_test(m, malformed);
	suite_add_tcase(s, p);
	suite_add_tcase(s, n);
	suite_add_tcase(s, m);
	return s;
}
