/*
 * Unit tests of audit-runtime/redundant_copy.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "rt_helpers.h"

#define ID "redundant_copy"

static const struct rt_case positives[] = {
	{ "DEFAULTS = {'a': 1}\n\ndef f(k):\n    w = dict(DEFAULTS)\n    return w[k] + len(w)\n", "4" },
	{ "def f(grouped, limit):\n    out = 0\n    for key, values in grouped.items():\n        window = list(values)\n"
	  "        out += len([v for v in window if v > limit]) + max(window)\n    return out\n", "4" },
	{ "class C:\n    def count(self):\n        tags = list(self.items)\n        return len(tags)\n", "3" },
	{ "from app.conf import ALIASES\n\ndef f(u):\n    aliases = dict(ALIASES)\n    return aliases.get(u, u)\n", "4" },
	{ "def f(payload):\n    data = payload.copy()\n    for k in data:\n        print(k, data[k])\n", "2" },
	{ "import copy\nBASE = [1, 2]\n\ndef f(x):\n    b = copy.copy(BASE)\n    return x in b\n", "5" },
	{ "def f(items):\n    xs = [i.n for i in items]\n    ys = list(xs)\n    return sum(ys) / len(ys)\n", "3" },
	{ "def f(values):\n    data = list(values)\n    for v in data:\n        print(v)\n", "2" },
	{ "def f(rows: list[int]):\n    data = list(rows)\n    return data[0] + data[-1] if data else 0\n", "2" },
	{ "def f(rows: list[int], v):\n    data = list(rows)\n    if data and v not in data:\n        return 1\n"
	  "    assert not data or len(data) > 1\n", "2" },
};

static const struct rt_case negatives[] = {
	/* mutated, returned, yielded, passed on, stored, captured */
	{ "class C:\n    def add(self, x):\n        items = list(self.items)\n        items.append(x)\n", "" },
	{ "class C:\n    def get(self):\n        items = list(self.items)\n        return items\n", "" },
	{ "def f(payload):\n    data = payload.copy()\n    data['x'] = 1\n    return 1\n", "" },
	{ "def f(payload):\n    data = payload.copy()\n    render(data)\n", "" },
	{ "def f(payload):\n    data = payload.copy()\n    del data['k']\n", "" },
	{ "DEFAULTS = {'a': 1}\n\ndef f(o):\n    c = dict(DEFAULTS)\n    c.update(o)\n    return c['a']\n", "" },
	{ "def f(post):\n    tags = list(post.tags)\n    yield tags\n", "" },
	{ "def f(post):\n    tags = list(post.tags)\n    cb = lambda: tags\n    return cb\n", "" },
	{ "def f(post, obj):\n    tags = list(post.tags)\n    obj.tags = tags\n", "" },
	{ "def f(post):\n    tags = list(post.tags)\n    return {'tags': tags}\n", "" },
	{ "def f(post):\n    tags = list(post.tags)\n    def g():\n        return len(tags)\n    return g\n", "" },
	{ "def f(post):\n    tags = list(post.tags)\n    tags += ['x']\n    return len(tags)\n", "" },
	{ "def f(post, other):\n    tags = list(post.tags)\n    chosen = tags or other\n    return len(chosen)\n", "" },
	{ "def f(post, c):\n    tags = list(post.tags)\n    return tags if c else []\n", "" },
	/* the copy protects an iteration from changes to the original */
	{ "def prune(d: dict):\n    keys = list(d)\n    for k in keys:\n        if k.startswith('_'):\n"
	  "            del d[k]\n", "" },
	{ "class Hub:\n    async def broadcast(self, msg):\n        snapshot = list(self.conns)\n"
	  "        for ws in snapshot:\n            await ws.send(msg)\n", "" },
	{ "class C:\n    def sweep(self):\n        keys = list(self.entries)\n        for k in keys:\n"
	  "            self.expire(k)\n", "" },
	{ "class C:\n    def f(self):\n        jobs = list(self.jobs)\n        for j in jobs:\n"
	  "            finish(self, j)\n", "" },
	/* not a copy: materialising an iterator, converting a set or rows */
	{ "async def f(session, q):\n    result = await session.execute(q)\n    rows = list(result)\n"
	  "    return len(rows)\n", "" },
	{ "def f(xs):\n    s = set(xs)\n    ids = list(s)\n    return ids[0]\n", "" },
	{ "import itertools\n\ndef f(rs):\n    for k, g in itertools.groupby(rs):\n        m = list(g)\n"
	  "        print(len(m), m[0])\n", "" },
	{ "def f(db):\n    names = dict(db.execute('q').all())\n    return names.get(1)\n", "" },
	{ "def f(values):\n    data = list(values)\n    return sum(data) / len(data)\n", "" },
	{ "def f(row):\n    m = dict(row._mapping)\n    return m['a']\n", "" },
	{ "def f(xs):\n    s = \"y = list(xs)\"  # z = xs.copy()\n    return s\n", "" },
	{ "def f(xs):\n    xs = list(xs)\n    return len(xs)\n", "" },
	/* x has other values too: a defaulted parameter, another assignment */
	{ "import os\n\ndef f(env=None):\n    if env is None:\n        env = os.environ.copy()\n"
	  "    return env.get('HOME')\n", "" },
	{ "D = {}\n\ndef f(c):\n    w = {}\n    if c:\n        w = dict(D)\n    return w.get(1)\n", "" },
	/* list() of a container of unknown kind, then indexed: maybe dict keys */
	{ "class C:\n    def f(self, i):\n        order = list(self.OPTIONS)\n        return order[i]\n", "" },
	/* a loop over the copy's items calls methods of the original's owner */
	{ "class C:\n    def f(self):\n        snap = dict(self.cache)\n        for k, v in snap.items():\n"
	  "            self.evict(k)\n", "" },
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
	ck_assert_int_eq(rt_sev(ID, positives[0].src), SEV_LOW);
	ck_assert_int_eq(rt_sev(ID, positives[1].src), SEV_MEDIUM);
	s = rt_text(ID, positives[1].src, NULL);
	ck_assert_msg(strstr(s, "window = list(values)") != NULL && strstr(s, "read values directly") != NULL,
		      "%s", s);
	free(s);
}
END_TEST

START_TEST(malformed)
{
	static const char crlf[] = "D = {}\r\ndef f():\r\n\tw = dict(D)\r\n\treturn w['a']\r\n";
	static const char broken[] = "def f(:\n    w = dict(D\n    return w[\n'\n";
	char *long_line = rt_long_line("w = list(x)");
	struct finding_list fl;
	rt_run(ID, crlf, &fl);
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_uint_eq(fl.v[0].line, 3);
	finding_list_free(&fl);
	rt_survive(ID, broken, strlen(broken));
	ck_assert_uint_eq(rt_survive(ID, long_line, strlen(long_line)), 0);
	rt_survive(ID, "x = list(y)\nx = y.copy()\n", 24);
	rt_survive(ID, "def f():\n    x = .copy()\n    x = list()\n", 39);
	free(long_line);
}
END_TEST

Suite *suite_redundant_copy(void)
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
