/*
 * Unit tests of audit-query/missing_bulk_ops.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "db_helpers.h"
#include "../../audit-query/checks.h"

#define ID "missing_bulk_ops"

static const struct db_case positives[] = {
	/* one add per row of a query result (async) */
	{ "async def archive(session, cutoff):\n"
	  "    old = (await session.scalars(select(Message).where(Message.sent_at < cutoff))).all()\n"
	  "    for m in old:\n        session.add(ArchivedMessage(room_id=m.room_id, text=m.text))\n", "4" },
	/* an add spread over several lines */
	{ "def save(session, data):\n    for pos, ing in enumerate(data['ingredients']):\n        session.add(\n"
	  "            Ingredient(\n                position=pos,\n                name=ing['name'],\n            )\n"
	  "        )\n", "3" },
	/* Flask-SQLAlchemy, over the request body */
	{ "@bp.route('/tags', methods=['POST'])\ndef tags():\n    for label in request.json['labels']:\n"
	  "        db.session.add(Tag(label=label))\n    db.session.commit()\n", "4" },
	/* an executed insert() of one row, and insert().returning() */
	{ "def f(session, rows):\n    for r in rows:\n        session.execute(insert(Event).values(kind=r.kind))\n"
	  "        rid = session.scalar(insert(Author).values(name=r.a).returning(Author.id))\n", "3,4" },
	/* raw INSERT SQL through a DB-API cursor and asyncpg */
	{ "async def f(cur, conn, rows):\n    for r in rows:\n"
	  "        cur.execute('INSERT INTO t (a, b) VALUES (%s, %s)', (r.a, r.b))\n"
	  "        await conn.execute(\"insert into t (a) values ($1)\", r.a)\n", "3,4" },
	/* a repository create per item, and an add in a comprehension */
	{ "def f(items, order_repo, session):\n    for it in items:\n        order_repo.create(it)\n"
	  "    [session.add(Line(x)) for x in items]\n", "3,4" },
	/* a session bound by a context manager of the context's factory */
	{ "def f(rows):\n    with Mk() as s:\n        for r in rows:\n            s.add(T(r))\n        s.commit()\n", "4" },
	/* Django: create() per item */
	{ "from django.db import models\ndef f(rows):\n    for r in rows:\n        Book.objects.create(title=r)\n", "4" },
	/* crud-style data access taking the session first; a constructed object added */
	{ "def f(db, items):\n    for it in items:\n        crud.item.create(db, obj_in=it)\n"
	  "        x = models.Line(it)\n        db.add(x)\n", "3,5" },
};

static const struct db_case negatives[] = {
	/* add_all once */
	{ "def f(session, old):\n    session.add_all([Archived(m.id) for m in old])\n"
	  "    objs = []\n    for m in old:\n        objs.append(Archived(m.id))\n    session.add_all(objs)\n", "" },
	/* executemany forms */
	{ "def f(session, conn, rows):\n    session.execute(insert(Event), [{'kind': r.kind} for r in rows])\n"
	  "    for g in groups:\n        session.execute(insert(Event), [dict(kind=r) for r in g])\n"
	  "        conn.executemany('INSERT INTO t VALUES ($1)', g)\n", "" },
	/* a loop over a 3-entry constant */
	{ "DEFAULTS = ('admin', 'staff', 'guest')\ndef seed(session):\n    for name in DEFAULTS:\n"
	  "        session.add(Role(name=name))\n    for n in ['a', 'b', 'c']:\n        session.add(Role(name=n))\n", "" },
	/* one insert per incoming websocket event */
	{ "async def room(ws, Sessions):\n    while True:\n        event = await ws.receive_json()\n"
	  "        async with Sessions() as session:\n            session.add(Message(text=event['t']))\n"
	  "            await session.commit()\n", "" },
	/* sets, not sessions */
	{ "def f(rows, session):\n    seen = set()\n    for r in rows:\n        seen.add(r.id)\n"
	  "        self.items.add(r)\n", "" },
	/* one add, outside any loop */
	{ "def f(session, body):\n    session.add(Book(**body))\n    session.commit()\n", "" },
	/* INSERT text that is only logged */
	{ "def f(rows):\n    for r in rows:\n        log.debug('INSERT INTO t VALUES (%s)', r)\n", "" },
	/* batches: each iteration inserts a batch */
	{ "def f(session, rows):\n    for batch in batched(rows, 1000):\n"
	  "        session.execute(insert(T), batch)\n", "" },
	/* an add in a def nested in the loop */
	{ "def f(session, rows):\n    for r in rows:\n        def later():\n            session.add(r)\n"
	  "        callbacks.append(later)\n", "" },
	/* the loop is the comprehension's first iterable */
	{ "def f(session):\n    return [x for x in session.add(T())]\n", "" },
	/* Django: bulk_create */
	{ "def f(rows):\n    Book.objects.bulk_create([Book(title=r) for r in rows])\n"
	  "    for chunk in rows:\n        Book.objects.bulk_create(chunk)\n", "" },
	/* async for over a websocket: one insert per incoming event */
	{ "async def chat(websocket, session):\n    async for msg in websocket.iter_json():\n"
	  "        session.add(Message(text=msg['t']))\n        await session.commit()\n", "" },
	/* a name that looks like a connection but holds a set */
	{ "def f(objs):\n    con = set()\n    for o in objs:\n        con.add(o[0])\n", "" },
	/* re-adding the loop's own (already persistent) row */
	{ "def f(session, cases):\n    for case in cases:\n        case.cost = 1\n        session.add(case)\n"
	  "        session.commit()\n", "" },
	/* chunked multi-row inserts: .values(chunk), a statement built from a batch */
	{ "async def f(session, rows, SIZE):\n    for i in range(0, len(rows), SIZE):\n"
	  "        chunk = rows[i : i + SIZE]\n"
	  "        await session.execute(insert(MeterEvent).values(chunk).on_conflict_do_nothing())\n"
	  "    batch = []\n    async for tx in stream:\n        batch.append(tx)\n        if len(batch) > 100:\n"
	  "            stmt = insert(Tx).values(batch)\n            stmt = stmt.on_conflict_do_nothing()\n"
	  "            await session.execute(stmt)\n", "" },
	/* batch/bulk repository methods, executemany with a named list of rows */
	{ "async def f(event_repository, conn, orgs):\n    for org in orgs:\n"
	  "        await event_repository.insert_batch(org.events)\n        await event_repository.bulk_create(org.x)\n"
	  "        rows = [dict(a=e) for e in org.events]\n        conn.execute(insert(T), rows)\n", "" },
	/* services and self taking the session first */
	{ "async def f(self, session, recipients, c):\n    for r in recipients:\n"
	  "        await customer_service.create_session_token_for_recipient(session, c, r)\n"
	  "        await self.create_new_customer_for_split(session, r)\n", "" },
	/* add() of an object loaded or found, of one bound before the loop, a second add of it */
	{ "async def f(session, repo, ids, orgs, m):\n    for i in ids:\n        o = await repo.get_by_id(i)\n"
	  "        o.x = 1\n        session.add(o)\n        p = orgs.get(i)\n        session.add(p)\n"
	  "        session.add(m)\n        n = Note(i)\n        session.add(n)\n        session.add(n)\n", "10" },
	/* one INSERT per table */
	{ "def restore(conn, meta, data):\n    for name, row in data.items():\n        table = meta.tables[name]\n"
	  "        conn.execute(insert(table).values(**row))\n", "" },
};

static json_t *ctx_mk(void)
{
	json_t *ctx = json_loads("{\"db_config\":{\"session_factories\":[{\"name\":\"Mk\"}]}}", 0, NULL);
	ck_assert_ptr_nonnull(ctx);
	return ctx;
}

START_TEST(positive)
{
	json_t *ctx = ctx_mk();
	db_expect(&query_auditor, ID, &positives[_i], ctx);
	json_decref(ctx);
}
END_TEST

START_TEST(negative)
{
	json_t *ctx = ctx_mk();
	db_expect(&query_auditor, ID, &negatives[_i], ctx);
	json_decref(ctx);
}
END_TEST

START_TEST(severity_and_text)
{
	char *s;
	ck_assert_int_eq(db_one(&query_auditor, ID, positives[0].src, NULL, &s), SEV_MEDIUM);
	ck_assert_msg(strstr(s, "session.add_all([...])") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "await session.execute(insert(ArchivedMessage)") != NULL, "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&query_auditor, ID, positives[2].src, NULL, &s), SEV_MEDIUM);
	ck_assert_msg(strstr(s, "db.session.add_all") != NULL, "%s", s);
	free(s);
}
END_TEST

START_TEST(malformed)
{
	db_malformed(&query_auditor, ID);
}
END_TEST

Suite *suite_missing_bulk_ops(void)
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
