/*
 * Unit tests of audit-query/n_update_delete_loop.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "db_helpers.h"
#include "../../audit-query/checks.h"

#define ID "n_update_delete_loop"

static const struct db_case positives[] = {
	/* execute(delete(...)) per row of a query result */
	{ "async def release(session):\n"
	  "    stale = (await session.scalars(select(Order).where(Order.status == 'new'))).all()\n"
	  "    for order in stale:\n"
	  "        await session.execute(delete(Reservation).where(Reservation.order_id == order.id))\n", "4" },
	/* Query.update() chain over several lines, reported at its first line */
	{ "def anonymise(Session, old):\n    for (rid,) in old:\n"
	  "        Session.query(Response).filter_by(id=rid)\\\n            .update({'email': None})\n", "3" },
	/* session.delete(obj), and a repository delete in a comprehension */
	{ "def purge(db, repo, users):\n    for u in users:\n        db.delete(u)\n"
	  "    [repo.delete(x) for x in users]\n", "3,4" },
	/* raw UPDATE/DELETE SQL: text(), a plain string, an f-string */
	{ "def f(conn, cur, ids):\n    for i in ids:\n"
	  "        conn.execute(text('UPDATE items SET seen = true WHERE id = :i'), {'i': i})\n"
	  "        cur.execute(f\"DELETE FROM carts WHERE id = {i}\")\n"
	  "        cur.execute('''\n   -- tidy\n   update t set x = 1 where id = %s''', (i,))\n", "3,4,5" },
	/* a statement built before the loop, filtered in it */
	{ "def f(session, ids):\n    stmt = update(Sensor).values(threshold=0)\n"
	  "    for i in ids:\n        session.execute(stmt.where(Sensor.id == i))\n", "4" },
	/* repository save/mark_ calls */
	{ "def close_all(tasks, task_repo):\n    for t in tasks:\n        task_repo.mark_done(t.id)\n"
	  "        task_repo.save(t)\n", "3,4" },
	/* a literal collection of more than two values still costs one statement per value */
	{ "def f(session):\n    for s in ('a', 'b', 'c', 'd'):\n"
	  "        session.execute(update(T).where(T.kind == s).values(n=0))\n", "3" },
	/* Flask-SQLAlchemy Model.query chain, with a while around the for */
	{ "def f(items):\n    while True:\n        for it in items:\n"
	  "            Item.query.filter_by(id=it.id).delete()\n", "4" },
	/* Django: update() per id, row.save()/delete() per row of a queryset */
	{ "from django.db import models\ndef f(ids):\n    for i in ids:\n"
	  "        Book.objects.filter(id=i).update(stock=0)\n"
	  "    for b in Book.objects.filter(stock=0):\n        b.title = 'x'\n        b.save(update_fields=['title'])\n"
	  "        b.delete()\n", "4,7,8" },
	/* crud-style data access taking the session first */
	{ "def f(db, users):\n    for u in users:\n        crud.user.update(db, db_obj=u, obj_in={'a': 1})\n", "3" },
	/* a small literal collection still sends one statement per entry
	 * (the issue: MEDIUM over a small literal collection) */
	{ "def f(session, start, end):\n    for bound in (start, end):\n"
	  "        session.execute(update(T).where(T.at == bound).values(n=0))\n"
	  "    for s in ['a', 'b',]:\n        session.execute(delete(T).where(T.kind == s))\n", "3,5" },
};

static const struct db_case negatives[] = {
	/* one set-based statement after the loop */
	{ "def f(session, ids):\n    for i in ids:\n        print(i)\n"
	  "    session.execute(update(Order).where(Order.id.in_(ids)).values(status='x'))\n", "" },
	/* chunked set-based statements */
	{ "def f(session, ids):\n    for chunk in chunks(ids, 500):\n"
	  "        session.execute(delete(T).where(T.id.in_(chunk)))\n"
	  "    for g in groups:\n        session.execute(delete(T).where(T.id.in_(g.ids)))\n", "" },
	/* executemany with a list of parameter sets */
	{ "def f(session, groups):\n    for g in groups:\n"
	  "        session.execute(update(T), [{'id': x.id, 'n': x.n} for x in g])\n"
	  "        session.bulk_update_mappings(T, g.rows)\n", "" },
	/* per-row attribute assignment flushed by the unit of work */
	{ "def f(session, rows):\n    for r in rows:\n        r.status = 'done'\n    session.flush()\n", "" },
	/* HTTP clients' delete(url) and dict/set/cache updates */
	{ "import httpx\ndef f(keys, cache):\n    client = httpx.Client()\n    seen = {}\n    for k in keys:\n"
	  "        client.delete(f'/items/{k}')\n        seen.update({k: 1})\n        cache.delete(k)\n"
	  "        requests.delete(URL + k)\n", "" },
	/* a polling loop */
	{ "import time\ndef reaper(session):\n    while True:\n"
	  "        session.execute(delete(Lock).where(Lock.expires < now()))\n        time.sleep(5)\n", "" },
	/* SQL in a log message, a SELECT */
	{ "def f(session, ids):\n    for i in ids:\n        log.info('UPDATE t SET x = 1 WHERE id = %s', i)\n"
	  "        session.execute(select(T).where(T.id == i))\n", "" },
	/* an aiohttp-only file: an unbound "session" is the HTTP client */
	{ "import aiohttp\nasync def f(session, urls):\n    for u in urls:\n        await session.delete(u)\n", "" },
	/* a delete inside a def nested in the loop */
	{ "def f(session, rows):\n    for r in rows:\n        def undo():\n            session.delete(r)\n"
	  "        hooks.append(undo)\n", "" },
	/* save() of something else: a positional argument, a loop over a parameter */
	{ "def f(images, Book):\n    for img in Book.objects.all():\n        img.save('/tmp/x.png')\n"
	  "    for b in images:\n        b.save()\n", "" },
	/* executemany with a named list of parameter sets */
	{ "async def f(results, connection):\n    batch = []\n    for r in results:\n"
	  "        batch.append({'c_id': r.id})\n        if len(batch) >= 100:\n"
	  "            await connection.execute(update(Checkout).where(Checkout.id == bindparam('c_id')), batch)\n"
	  "            batch = []\n", "" },
	/* a while-loop updating LIMIT :batch_size rows per pass */
	{ "async def f(session, tables, batch_size):\n    for table in TABLES:\n        while True:\n"
	  "            q = text('UPDATE t SET a = 1 WHERE id IN (SELECT id FROM t WHERE a = 0 LIMIT :n)')\n"
	  "            r = await session.execute(q, {'n': batch_size})\n            if not r.rowcount:\n"
	  "                break\n", "" },
	/* services and self taking the session first */
	{ "async def f(self, session, pms, meters, c):\n    for pm in pms:\n"
	  "        await payment_method_service.upsert_from_stripe(session, pm.customer, pm)\n"
	  "    for m in meters:\n        await self.update_customer_meter(session, c, m)\n", "" },
	/* one statement per table: the table comes from the loop */
	{ "async def f(session, models, names, meta, cf):\n    for model in models:\n"
	  "        await session.execute(delete(model).where(model.field_id == cf.id))\n"
	  "    for name in names:\n        table = meta.tables[name]\n"
	  "        session.execute(table.delete().where(table.c.user_id == 1))\n"
	  "    for t in names:\n        session.execute(text(f'UPDATE {t} SET x = 0'))\n", "" },
};

START_TEST(positive)
{
	db_expect(&query_auditor, ID, &positives[_i], NULL);
}
END_TEST

START_TEST(negative)
{
	db_expect(&query_auditor, ID, &negatives[_i], NULL);
}
END_TEST

START_TEST(severity_and_text)
{
	const struct check_def *d = auditor_find_check(query_auditor.checks, query_auditor.nchecks, ID);
	struct finding_list fl;
	char *s;
	ck_assert_int_eq(db_one(&query_auditor, ID, positives[0].src, NULL, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "DELETE") && strstr(s, "query result"), "%s", s);
	ck_assert_msg(strstr(s, "await session.execute(delete(Reservation)") != NULL, "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&query_auditor, ID, positives[6].src, NULL, &s), SEV_MEDIUM);
	ck_assert_msg(strstr(s, "update(T)") != NULL, "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&query_auditor, ID, positives[1].src, NULL, &s), SEV_HIGH);
	free(s);
	/* a one-off script is downgraded */
	finding_list_init(&fl);
	ck_assert_int_eq(auditor_run_buffer(d, 1, "scripts/cleanup.py", positives[1].src, strlen(positives[1].src),
					    NULL, &fl), 0);
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_int_eq(fl.v[0].severity, SEV_MEDIUM);
	finding_list_free(&fl);
}
END_TEST

START_TEST(malformed)
{
	db_malformed(&query_auditor, ID);
}
END_TEST

Suite *suite_n_update_delete_loop(void)
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
