/*
 * Unit tests of lib/pytxn.c: the transactions of a def.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pytxn.h"
#include "py/tok.h"

struct txn_case {
	const char *src;
	const char *want;   /* "KIND line-end_line[c][L]" per transaction, space separated */
};

/* Renders the transactions of the first def of src. */
static void render(const char *src, char *buf, size_t n)
{
	struct py_toks t;
	struct py_outline ol;
	struct py_binds b;
	struct py_txn tx[16];
	size_t i, k, o = 0;
	int f = -1;
	ck_assert_int_eq(py_tokenize(&t, src, strlen(src)), 0);
	ck_assert_int_eq(py_outline_build(&ol, &t), 0);
	ck_assert_int_eq(py_binds_build(&b, &ol, NULL), 0);
	for (i = 0; i < ol.nblocks && f < 0; i++)
		if (ol.blocks[i].kind == PB_DEF)
			f = (int)i;
	k = py_txns_of_def(&b, f, tx, 16);
	buf[0] = '\0';
	for (i = 0; i < k && i < 16; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s %u-%u%s%s", i ? " " : "",
				      tx[i].kind == PTX_BLOCK ? "B" : tx[i].kind == PTX_DEF ? "D" : "I", tx[i].line,
				      tx[i].end_line, tx[i].committed ? "c" : "", tx[i].loop_commit ? "L" : "");
	py_binds_free(&b);
	py_outline_free(&ol);
	py_toks_free(&t);
}

static const struct txn_case cases[] = {
	/* a begin() block */
	{ "def f(session, x):\n    with session.begin():\n        session.add(x)\n", "B 2-3c" },
	/* progress UPDATEs in a loop, one commit after it */
	{ "def f(session, run, items):\n    for i, it in enumerate(items):\n"
	  "        session.execute(update(Run).where(Run.id == run).values(done=i))\n"
	  "    session.commit()\n", "I 3-4c" },
	/* a commit at the top of the loop body commits the previous iteration */
	{ "def f(session, items):\n    for it in items:\n        session.commit()\n"
	  "        session.add(Row(x=it))\n    print('done')\n", "I 4-4cL" },
	/* a write with no commit in the def */
	{ "def f(session, x):\n    session.add(x)\n    return x\n", "I 2-3" },
	/* an attribute of a loaded entity, then commit; then a second transaction */
	{ "def f(db, i):\n    o = db.get(Order, i)\n    o.status = 'paid'\n    db.commit()\n"
	  "    db.add(Event(order_id=i))\n    db.commit()\n", "I 3-4c I 5-6c" },
	/* a rollback closes it uncommitted */
	{ "def f(db, x):\n    db.add(x)\n    db.rollback()\n", "I 2-3" },
	/* the whole def */
	{ "@transaction.atomic\ndef f(x):\n    x.save()\n", "D 2-3c" },
	/* reads only: no transaction */
	{ "def f(db, i):\n    return db.get(Order, i)\n", "" },
};

START_TEST(txns)
{
	char got[256];
	render(cases[_i].src, got, sizeof(got));
	ck_assert_msg(!strcmp(got, cases[_i].want), "expected [%s], got [%s] in:\n%s", cases[_i].want, got,
		      cases[_i].src);
}
END_TEST

Suite *suite_pytxn(void)
{
	Suite *s = suite_create("pytxn");
	TCase *t = tcase_create("txns");
	tcase_add_loop_test(t, txns, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	suite_add_tcase(s, t);
	return s;
}
