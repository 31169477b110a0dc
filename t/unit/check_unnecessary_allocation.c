/*
 * Unit tests of audit-runtime/unnecessary_allocation.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "rt_helpers.h"

#define ID "unnecessary_allocation"

static const struct rt_case positives[] = {
	{ "def f(loans, today):\n    return any([l.due < today for l in loans])\n", "2" },
	{ "def f(xs):\n    return all([x.ok for x in xs])\n", "2" },
	{ "def f(xs):\n    return len([x for x in xs if x > 3])\n", "2" },
	{ "def f(xs):\n    return sum([x.price for x in xs])\n", "2" },
	{ "def f(xs):\n    return max([x.n for x in xs], default=0), min([x.n for x in xs])\n", "2,2" },
	{ "def f(xs):\n    return sorted([x.name for x in xs], key=len)\n", "2" },
	{ "def f(xs):\n    return set([x.id for x in xs])\n", "2" },
	{ "def f(xs):\n    return tuple([x for x in xs]), frozenset([x for x in xs])\n", "2,2" },
	{ "def f(xs):\n    n = len(\n        [x for x in xs if x]\n    )\n    return n\n", "2" },
	{ "def f(xs):\n    return len([x for x in xs]) > 0\n", "2" },
};

static const struct rt_case negatives[] = {
	/* str.join lists any iterable first: a list comprehension is the faster argument */
	{ "def f(xs):\n    return ', '.join([str(x) for x in xs])\n", "" },
	{ "def f(xs, sep):\n    return sep.join([x.name for x in xs])\n", "" },
	{ "def f(xs):\n    return any(x.ok for x in xs)\n", "" },
	{ "def f(xs):\n    return sum(1 for x in xs if x)\n", "" },
	{ "def f(xs):\n    return len(xs), max(xs), sorted(xs.items(), key=lambda kv: kv[1])\n", "" },
	{ "def f(a, b):\n    return len([1, 2, 3]), max([a, b])\n", "" },
	{ "def f(xs):\n    return [x for x in xs]\n", "" },
	{ "def f(xs):\n    return any([x for x in xs][:3])\n", "" },
	{ "def f(xs):\n    return foo([x for x in xs]), session.add_all([Row(x) for x in xs])\n", "" },
	{ "import os\n\ndef f(parts):\n    return os.path.join(*[p for p in parts])\n", "" },
	{ "def f(xs):\n    return {x: 1 for x in xs}, len({x for x in xs})\n", "" },
	{ "def f(xs):\n    s = \"len([x for x in xs])\"  # any([x for x in xs])\n    return s\n", "" },
	{ "async def f(xs):\n    return any([await x.ok() for x in xs])\n", "" },
	{ "async def f(xs):\n    return len([x async for x in xs])\n", "" },
	{ "from mylib import len\n\ndef f(xs):\n    return len([x for x in xs])\n", "" },
	{ "def f(xs):\n    return len([x for x in xs], 2)\n", "" },
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
	ck_assert_int_eq(rt_sev(ID, "def f(groups):\n    for g in groups:\n        n = len([x for x in g if x])\n"),
			 SEV_MEDIUM);
	ck_assert_int_eq(rt_sev(ID, "from flask import Flask\napp = Flask(__name__)\n\n@app.route('/x')\n"
				"def x():\n    return str(any([r.ok for r in rows()]))\n"), SEV_MEDIUM);
	s = rt_text(ID, positives[2].src, NULL);
	ck_assert_msg(strstr(s, "sum(1 for x in xs if x > 3)") != NULL, "%s", s);
	free(s);
	s = rt_text(ID, positives[0].src, NULL);
	ck_assert_msg(strstr(s, "any(l.due < today for l in loans)") != NULL, "%s", s);
	free(s);
	s = rt_text(ID, positives[6].src, NULL);
	ck_assert_msg(strstr(s, "{x.id for x in xs}") != NULL, "%s", s);
	free(s);
}
END_TEST

START_TEST(malformed)
{
	static const char crlf[] = "def f(xs):\r\n\treturn len([x for x in xs])\r\n";
	static const char broken[] = "def f(xs:\n    return len([x for x in xs\n    'unterminated\n";
	char *long_line = rt_long_line("len([x for x in y])");
	struct finding_list fl;
	rt_run(ID, crlf, &fl);
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_uint_eq(fl.v[0].line, 2);
	finding_list_free(&fl);
	rt_survive(ID, broken, strlen(broken));
	ck_assert_uint_eq(rt_survive(ID, long_line, strlen(long_line)), 0);
	rt_survive(ID, "len([", 5);
	rt_survive(ID, "]) len([x for", 13);
	free(long_line);
}
END_TEST

Suite *suite_unnecessary_allocation(void)
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
