/*
 * Unit tests of audit-txn/missing_intermediate_commits.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_helpers.h"
#include "proj_helpers.h"
#include "../../audit-txn/checks.h"

#define ID "missing_intermediate_commits"

/* Models of the in-memory file: jobs has an UPDATE trigger, events an
 * INSERT trigger, items none. */
#define MODELS \
	"from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n" \
	"class Base(DeclarativeBase):\n" \
	"    pass\n" \
	"class Job(Base):\n" \
	"    __tablename__ = 'jobs'\n" \
	"    id: Mapped[int] = mapped_column(primary_key=True)\n" \
	"class Item(Base):\n" \
	"    __tablename__ = 'items'\n" \
	"    id: Mapped[int] = mapped_column(primary_key=True)\n" \
	"class Event(Base):\n" \
	"    __tablename__ = 'events'\n" \
	"    id: Mapped[int] = mapped_column(primary_key=True)\n" \
	"class Shipment(Base):\n" \
	"    pass\n"
/* MODELS is 14 lines: code after it starts at line 15 */

static json_t *trigger(const char *name, const char *table, const char *event, const char *channel)
{
	return json_pack("{s:s, s:s, s:n, s:s, s:s, s:s, s:b, s:s, s:s}", "name", name, "table", table, "schema",
			 "timing", "AFTER", "event", event, "function", "notify_fn", "notify", 1, "channel", channel,
			 "location", "alembic/versions/0001.py:20");
}

static json_t *db_config(void)
{
	json_t *trigs = json_array();
	json_array_append_new(trigs, trigger("jobs_progress_trg", "jobs", "UPDATE", "job_progress"));
	json_array_append_new(trigs, trigger("events_trg", "events", "INSERT", "events_feed"));
	json_array_append_new(trigs, trigger("shipment_trg", "shipment", "INSERT OR UPDATE", "shipments"));
	return json_pack("{s:o}", "triggers", trigs);
}

static json_t *context(void)
{
	json_t *c = json_pack("{s:s, s:s, s:[], s:o}", "schema", "pperf.context/1", "codebase_root", "/nonexistent",
			      "files", "db_config", db_config());
	ck_assert_ptr_nonnull(c);
	return c;
}

static const struct db_case positives[] = {
	/* progress in a loop, flushed, one commit at the end (the seed's example) */
	{ MODELS "def run_job(SessionLocal, job_id, items):\n    with SessionLocal() as session:\n"
		 "        job = session.get(Job, job_id)\n        job.status = 'running'\n"
		 "        for i, item in enumerate(items):\n            handle(item)\n            job.done = i + 1\n"
		 "            session.flush()\n        job.status = 'done'\n        session.commit()\n", "21" },
	/* execute(update(Job)) per awaited item; the commit after the loop */
	{ MODELS "async def f(session, jid, xs):\n    for i, x in enumerate(xs):\n        await process(x)\n"
		 "        await session.execute(update(Job).where(Job.id == jid).values(done=i))\n"
		 "    await session.commit()\n", "18" },
	/* raw SQL through text() and through a name assigned in the def */
	{ MODELS "def f(session, jid, xs):\n    for i, x in enumerate(xs):\n        session.scalar(select(Item).where(Item.id == x))\n"
		 "        session.execute(text(\"UPDATE jobs SET done = :d WHERE id = :i\"), {'d': i, 'i': jid})\n"
		 "    session.commit()\n"
		 "def g(session, jid, xs):\n    sql = text('UPDATE ONLY public.jobs SET done = :d WHERE id = :i')\n"
		 "    for i, x in enumerate(xs):\n        crunch(x)\n"
		 "        session.execute(sql, {'d': i, 'i': jid})\n    session.commit()\n", "18,24" },
	/* a deliberate begin() block around the loop is still reported */
	{ MODELS "def f(session, jid, xs):\n    with session.begin():\n        job = session.get(Job, jid)\n"
		 "        for x in xs:\n            handle(x)\n            job.done += 1\n            session.flush()\n",
	  "20" },
	/* an INSERT trigger: one event row per item */
	{ MODELS "def f(session, xs):\n    for x in xs:\n        r = fetch(x)\n        session.add(Event(kind=r.kind))\n"
		 "        session.flush()\n    session.commit()\n", "18" },
	/* entities of a query loop; the default table name of a model without __tablename__ */
	{ MODELS "async def f(session, scale):\n    ships = (await session.scalars(select(Shipment))).all()\n"
		 "    for s in ships:\n        s.status = 'weighing'\n        await session.flush()\n"
		 "        s.weight = await scale.weigh(s.id)\n    await session.commit()\n", "18" },
	/* a sequence of status updates, flushed, with work between, one commit */
	{ MODELS "def f(session, jid):\n    job = session.get(Job, jid)\n    job.status = 'downloading'\n"
		 "    session.flush()\n    data = download(job.url)\n    job.status = 'parsing'\n    session.flush()\n"
		 "    parse(data)\n    job.status = 'done'\n    session.commit()\n", "17" },
	/* a Core table */
	{ MODELS "jobs_t = Table('jobs', metadata, Column('id', Integer))\n"
		 "def f(conn, jid, xs):\n    for i, x in enumerate(xs):\n        work(x)\n"
		 "        conn.execute(jobs_t.update().where(jobs_t.c.id == jid).values(done=i))\n    conn.commit()\n",
	  "19" },
};

static const struct db_case negatives[] = {
	/* a commit per item */
	{ MODELS "def f(SessionLocal, jid, items):\n    with SessionLocal() as session:\n        job = session.get(Job, jid)\n"
		 "        job.status = 'running'\n        session.commit()\n        for i, item in enumerate(items):\n"
		 "            handle(item)\n            job.done = i + 1\n            session.commit()\n"
		 "        job.status = 'done'\n        session.commit()\n", "" },
	/* throttled commits: every 50 items, and per batch of an outer loop */
	{ MODELS "def f(session, jid, items):\n    job = session.get(Job, jid)\n    for i, item in enumerate(items):\n"
		 "        handle(item)\n        job.done = i + 1\n        session.flush()\n        if i % 50 == 0:\n"
		 "            session.commit()\n    session.commit()\n"
		 "def g(session, jid, batches):\n    job = session.get(Job, jid)\n    for batch in batches:\n"
		 "        for item in batch:\n            handle(item)\n            job.done += 1\n            session.flush()\n"
		 "        session.commit()\n", "" },
	/* writes inside one begin() block to a table without a trigger */
	{ MODELS "def f(session, xs):\n    with session.begin():\n        for x in xs:\n            it = session.get(Item, x)\n"
		 "            handle(it)\n            it.n += 1\n            session.flush()\n", "" },
	/* the NOTIFY trigger's table is written once, outside the loop */
	{ MODELS "def f(session, jid, xs):\n    job = session.get(Job, jid)\n    for x in xs:\n        handle(x)\n"
		 "        session.add(Item(x))\n        session.flush()\n    job.status = 'done'\n    session.commit()\n",
	  "" },
	/* INSERTs only; the jobs trigger fires on UPDATE */
	{ MODELS "def f(session, specs):\n    for s in specs:\n        validate(s)\n        session.add(Job(spec=s))\n"
		 "        session.flush()\n    session.commit()\n", "" },
	/* a quick batch of status writes with no work per row */
	{ MODELS "def f(session):\n    jobs = session.scalars(select(Job)).all()\n    for j in jobs:\n"
		 "        j.status = 'cancelled'\n        log.info('cancel %s', j.id)\n    session.commit()\n", "" },
	/* one row per item, all sent by the final commit (no flush, no query in the loop) */
	{ MODELS "def fix(session):\n    jobs = session.query(Job).all()\n    for j in jobs:\n"
		 "        if not j.slug:\n            j.slug = slugify(j.name)\n    session.commit()\n", "" },
	/* one short begin() per item */
	{ MODELS "def f(session, jid, xs):\n    for x in xs:\n        handle(x)\n        with session.begin():\n"
		 "            job = session.get(Job, jid)\n            job.done += 1\n", "" },
	/* rolled back (a dry run), or committed by the caller */
	{ MODELS "def f(session, jid, xs):\n    job = session.get(Job, jid)\n    for x in xs:\n        handle(x)\n"
		 "        job.done += 1\n        session.flush()\n    session.rollback()\n"
		 "def g(session, jid, xs):\n    job = session.get(Job, jid)\n    for x in xs:\n        handle(x)\n"
		 "        job.done += 1\n        session.flush()\n", "" },
	/* Django outside atomic() autocommits each update */
	{ MODELS "from django.db import models\ndef f(jid, xs):\n    for i, x in enumerate(xs):\n        handle(x)\n"
		 "        Job.objects.filter(id=jid).update(done=i)\n", "" },
	/* a status, then other columns of the same row: one change, committed together */
	{ MODELS "def pay(session, jid):\n    job = session.get(Job, jid)\n    job.status = 'paid'\n"
		 "    session.flush()\n    ref = charge(job)\n    job.payment_ref = ref\n    session.commit()\n", "" },
	/* a sequence with a commit between the two status writes */
	{ MODELS "def f(session, jid):\n    job = session.get(Job, jid)\n    job.status = 'downloading'\n"
		 "    session.commit()\n    data = download(job.url)\n    job.status = 'done'\n    session.commit()\n", "" },
	/* an f-string table, and a SQL string on another table */
	{ MODELS "def f(session, t, xs):\n    for x in xs:\n        handle(x)\n"
		 "        session.execute(text(f'UPDATE {t} SET n = n + 1'))\n"
		 "        session.execute(text('UPDATE items SET n = n + 1'))\n    session.commit()\n", "" },
};

START_TEST(positive)
{
	json_t *ctx = context();
	db_expect(&txn_auditor, ID, &positives[_i], ctx);
	json_decref(ctx);
}
END_TEST

START_TEST(negative)
{
	json_t *ctx = context();
	db_expect(&txn_auditor, ID, &negatives[_i], ctx);
	json_decref(ctx);
}
END_TEST

START_TEST(no_triggers)
{
	/* without NOTIFY triggers in the context nothing is reported */
	struct db_case c = { positives[0].src, "" };
	db_expect(&txn_auditor, ID, &c, NULL);
}
END_TEST

START_TEST(update_of_columns)
{
	/* AFTER UPDATE OF done ON jobs: setting job.done fires it, job.note
	 * does not; an update() statement does not show its columns: reported */
	json_t *t = trigger("jobs_progress_trg", "jobs", "UPDATE", "job_progress"), *ctx;
	struct db_case pos = { MODELS "def f(session, jid, xs):\n    job = session.get(Job, jid)\n"
			       "    for i, x in enumerate(xs):\n        handle(x)\n        job.done = i + 1\n"
			       "        session.flush()\n    session.commit()\n", "19" };
	struct db_case neg = { MODELS "def f(session, jid, xs):\n    job = session.get(Job, jid)\n"
			       "    for i, x in enumerate(xs):\n        handle(x)\n        job.note = str(i)\n"
			       "        session.flush()\n    session.commit()\n", "" };
	struct db_case stmt = { MODELS "async def f(session, jid, xs):\n    for i, x in enumerate(xs):\n"
				"        await process(x)\n"
				"        await session.execute(update(Job).where(Job.id == jid).values(note='x'))\n"
				"    await session.commit()\n", "18" };
	json_object_set_new(t, "columns", json_pack("[s]", "done"));
	ctx = json_pack("{s:s, s:s, s:[], s:{s:[o]}}", "schema", "pperf.context/1", "codebase_root", "/nonexistent",
			"files", "db_config", "triggers", t);
	ck_assert_ptr_nonnull(ctx);
	db_expect(&txn_auditor, ID, &pos, ctx);
	db_expect(&txn_auditor, ID, &neg, ctx);
	db_expect(&txn_auditor, ID, &stmt, ctx);
	json_decref(ctx);
}
END_TEST

START_TEST(severity_and_text)
{
	json_t *ctx = context();
	char *s, *src;
	size_t n;
	/* no listener, no SSE/WebSocket endpoint: HIGH */
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[0].src, ctx, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "progress UPDATEs of Job.done (line 21) in the loop at line 19") &&
			      strstr(s, "trigger jobs_progress_trg on table jobs") &&
			      strstr(s, "pg_notify('job_progress')") && strstr(s, "nothing is committed between them") &&
			      strstr(s, "committed only at line 24") && strstr(s, "session.commit()"),
		      "%s", s);
	free(s);
	/* a websocket endpoint in the project: CRITICAL */
	n = strlen(positives[0].src) + 200;
	src = malloc(n);
	ck_assert_ptr_nonnull(src);
	snprintf(src, n, "%s@app.websocket('/ws')\nasync def feed(ws):\n    await ws.accept()\n", positives[0].src);
	ck_assert_int_eq(db_one(&txn_auditor, ID, src, ctx, &s), SEV_CRITICAL);
	ck_assert_msg(strstr(s, "WebSocket endpoint feed") != NULL, "%s", s);
	free(s);
	free(src);
	/* the begin() block: its own advice */
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[3].src, ctx, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "inside `with session.begin()`") && strstr(s, "separate autocommit connection"), "%s",
		      s);
	free(s);
	/* the sequence names the next write */
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[6].src, ctx, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "status UPDATEs") && strstr(s, "the next one at line 20"), "%s", s);
	free(s);
	json_decref(ctx);
}
END_TEST

/* A listener in another file of the project: LISTEN in SQL, or
 * add_listener on the channel; a listener of another channel does not
 * count. */
START_TEST(listener_in_project)
{
	static const char *const listeners[] = {
		"def listen_progress(conn):\n    cur = conn.cursor()\n    cur.execute('LISTEN job_progress;')\n",
		"async def listen_progress(conn, q):\n    await conn.add_listener('job_progress', q.put_nowait)\n",
		"async def listen_other(conn, q):\n    await conn.add_listener('other_channel', q.put_nowait)\n",
	};
	static const enum severity want[] = { SEV_CRITICAL, SEV_CRITICAL, SEV_HIGH };
	size_t i;
	for (i = 0; i < 3; i++) {
		struct proj p;
		struct finding_list fl;
		char buf[256];
		json_t *ctx;
		proj_init(&p);
		proj_put(&p, "app/models.py", MODELS);
		proj_put(&p, "app/worker.py",
			 "from app.models import Job\ndef run(session, jid, items):\n    job = session.get(Job, jid)\n"
			 "    for item in items:\n        handle(item)\n        job.done += 1\n        session.flush()\n"
			 "    session.commit()\n");
		proj_put(&p, "app/listen.py", listeners[i]);
		ctx = proj_context(&p, db_config());
		ck_assert_str_eq(proj_lines(&txn_auditor, ID, ctx, &fl, buf, sizeof(buf)), "app/worker.py:6");
		ck_assert_int_eq(fl.v[0].severity, want[i]);
		if (i < 2)
			ck_assert_msg(strstr(fl.v[0].issue, "app/listen.py:3") || strstr(fl.v[0].issue, "app/listen.py:2"),
				      "%s", fl.v[0].issue);
		finding_list_free(&fl);
		json_decref(ctx);
		proj_free(&p);
	}
}
END_TEST

START_TEST(malformed)
{
	json_t *ctx = context();
	size_t i;
	static const char *const srcs[] = {
		MODELS "def f(session, xs):\n    for x in xs:\n        session.execute(text('UPDATE'))\n"
		       "        session.execute(text(\"\"\"\n",
		MODELS "def f(session, xs):\n    for x in xs:\n        session.execute(text('INSERT INTO'), x)\n"
		       "        session.execute('DELETE FROM -- x\\n')\n        session.execute(update())\n"
		       "        session.add()\n        session.merge(\n",
	};
	db_malformed(&txn_auditor, ID);
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		struct finding_list fl;
		db_run_len(&txn_auditor, ID, srcs[i], strlen(srcs[i]), ctx, &fl);
		finding_list_free(&fl);
	}
	json_decref(ctx);
}
END_TEST

Suite *suite_missing_intermediate_commits(void)
{
	Suite *s = suite_create(ID);
	TCase *p = tcase_create("positives"), *n = tcase_create("negatives"), *m = tcase_create("malformed");
	tcase_add_loop_test(p, positive, 0, (int)(sizeof(positives) / sizeof(positives[0])));
	tcase_add_test(p, severity_and_text);
	tcase_add_test(p, listener_in_project);
	tcase_add_loop_test(n, negative, 0, (int)(sizeof(negatives) / sizeof(negatives[0])));
	tcase_add_test(n, no_triggers);
	tcase_add_test(n, update_of_columns);
	tcase_add_test(m, malformed);
	suite_add_tcase(s, p);
	suite_add_tcase(s, n);
	suite_add_tcase(s, m);
	return s;
}
