/*
 * Unit tests of audit-runtime/string_concat_in_loop.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "rt_helpers.h"

#define ID "string_concat_in_loop"

static const struct rt_case positives[] = {
	{ "def f(rows):\n    text = \"\"\n    for r in rows:\n        text += r.name\n    return text\n", "4" },
	{ "def f(ref, lines):\n    slip = f\"ORDER {ref}\\n\"\n    for l in lines:\n        slip += f\"{l.sku}\\n\"\n"
	  "    return slip\n", "4" },
	{ "def f(rows):\n    out = str(len(rows))\n    for r in rows:\n        out += r\n    return out\n", "4" },
	{ "def f(rows, html):\n    for r in rows:\n        html += '<li>' + r + '</li>'\n    return html\n", "3" },
	{ "def f(stream):\n    buf = b''\n    for chunk in stream:\n        buf += chunk\n    return buf\n", "4" },
	{ "class R:\n    def render(self, rows):\n        for r in rows:\n            self.out += 'row %s' % r\n", "4" },
	{ "async def f(ws):\n    s = ''\n    while True:\n        s = s + await ws.recv()\n", "4" },
	{ "def f(rows):\n    out = ''\n    for r in rows:\n        for c in r:\n            out += c\n    return out\n", "5" },
	{ "out = ''\nfor line in open('x'):\n    out += line.strip()\n", "3" },
	{ "def f(m, lines):\n    n, text = int(m[0]), m[1]\n    for l in lines:\n        text += '\\n' + l\n", "4" },
	/* a second += on the same string in the same loop is reported once */
	{ "def f(rows):\n    s = ''\n    for r in rows:\n        s += r.a\n        s += ','\n    return s\n", "4" },
	/* one finding per name and outermost loop: the nested += is the same one */
	{ "def f(groups):\n    text = ''\n    for g in groups:\n        text += g.title\n"
	  "        for m in g.members:\n            text += m.name\n    return text\n", "4" },
	/* a string rebuilt per outer row and grown in the inner loop is still one */
	{ "def f(rows):\n    out = []\n    for row in rows:\n        line = ''\n        for cell in row:\n"
	  "            line += str(cell)\n        out.append(line)\n    return out\n", "6" },
};

static const struct rt_case negatives[] = {
	{ "def f(rows):\n    count = 0\n    for r in rows:\n        count += 1\n    return count\n", "" },
	{ "def f(rows):\n    total = 0.0\n    for r in rows:\n        total += r.price\n    return total\n", "" },
	{ "from decimal import Decimal\n\ndef f(rows):\n    total = Decimal('0')\n    for r in rows:\n"
	  "        total += r.amount\n    return total\n", "" },
	{ "def f(rows):\n    acc = []\n    for r in rows:\n        acc += [r]\n        acc += r.items\n    return acc\n", "" },
	{ "def f(rows, counts):\n    for r in rows:\n        counts[r] += 1\n        counts[r] += 'x'\n", "" },
	{ "def f(lines):\n    for line in lines:\n        line += '\\n'\n        print(line)\n", "" },
	{ "def f(words, lines):\n    out = ''\n    for w in words:\n        if len(out) > 80:\n"
	  "            lines.append(out)\n            out = ''\n        out += w\n", "" },
	{ "def f(rows):\n    for r in rows:\n        label = ''\n        label += r.a\n", "" },
	{ "def f(rows, suffix):\n    name = rows[0]\n    for r in rows:\n        name += suffix\n", "" },
	{ "def f(rows):\n    text = ''\n    text += 'header'\n    return text\n", "" },
	{ "def f(rows):\n    s = \"\"\"\nfor r in rows:\n    s += r\n\"\"\"  # for x in y: s += 'a'\n    return s\n", "" },
	{ "def f(rows):\n    n = len(rows)\n    for r in rows:\n        n += len(r)\n    return n\n", "" },
	{ "def f(rows):\n    s = None\n    for r in rows:\n        s += r\n", "" },
	{ "def f(rows):\n    s = ''\n    def g(x):\n        nonlocal s\n        s += x\n    for r in rows:\n        g(r)\n", "" },
	/* appended once, then the loop ends */
	{ "def f(names, n):\n    msg = 'bad'\n    for c in names:\n        if c == n:\n            msg += ' (case?)'\n"
	  "            break\n    return msg\n", "" },
	/* rebound by a tuple assignment on every iteration */
	{ "def f(stream, split):\n    buf = ''\n    for d in stream:\n        buf += d\n        item, buf = split(buf)\n", "" },
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
	ck_assert_int_eq(rt_sev(ID, "from flask import Flask\napp = Flask(__name__)\n\n@app.route('/e.csv')\n"
				"def export():\n    csv = 'a;b\\n'\n    for r in rows():\n        csv += f'{r.a};{r.b}\\n'\n"
				"    return csv\n"), SEV_HIGH);
	s = rt_text(ID, positives[0].src, NULL);
	ck_assert_msg(strstr(s, "text") != NULL && strstr(s, "\"\".join(parts)") != NULL, "%s", s);
	free(s);
	s = rt_text(ID, positives[4].src, NULL);
	ck_assert_msg(strstr(s, "bytes") != NULL && strstr(s, "bytearray") != NULL, "%s", s);
	free(s);
}
END_TEST

START_TEST(malformed)
{
	static const char crlf[] = "def f(r):\r\n\ts = ''\r\n\tfor x in r:\r\n\t\ts += x\r\n";
	static const char broken[] = "def f(r):\n    s = '\n    for x in r:\n        s +=\n";
	char *long_line = rt_long_line("for x in y: s += 'a'");
	struct finding_list fl;
	rt_run(ID, crlf, &fl);
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_uint_eq(fl.v[0].line, 4);
	finding_list_free(&fl);
	rt_survive(ID, broken, strlen(broken));
	ck_assert_uint_eq(rt_survive(ID, long_line, strlen(long_line)), 0);
	rt_survive(ID, "+= += for while:\n\t+=\n", 21);
	free(long_line);
}
END_TEST

Suite *suite_string_concat_in_loop(void)
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
