/*
 * Unit tests of audit-txn/missing_session_cleanup.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "db_helpers.h"
#include "proj_helpers.h"
#include "../../audit-txn/checks.h"

#define ID "missing_session_cleanup"

#define DB "from app.db import SessionLocal, engine\n"

static const struct db_case positives[] = {
	/* closed only on the success path */
	{ DB "def deactivate(user_id):\n    db = SessionLocal()\n    db.get(User, user_id).active = False\n"
	  "    db.commit()\n    db.close()\n", "3" },
	/* never closed; the result of a use returned, not the session */
	{ DB "def find(user_id):\n    db = SessionLocal()\n    return crud.get_user(db, user_id)\n", "3" },
	/* SQLAlchemy's Session on an engine; sessionmaker(...)(); a factory bound in scope */
	{ "from sqlalchemy.orm import Session, sessionmaker\n"
	  "def a(engine):\n    s = Session(engine)\n    s.execute(text('SELECT 1'))\n"
	  "def b(engine):\n    s = sessionmaker(bind=engine)()\n    s.add(Row())\n    s.commit()\n"
	  "Factory = sessionmaker(bind=engine)\ndef c():\n    s = Factory()\n    s.query(Row).all()\n", "3,6,11" },
	/* an AsyncSession factory of the context, closed on the happy path */
	{ "async def sync_feed():\n    session = async_session()\n    await session.execute(stmt)\n"
	  "    await session.commit()\n    await session.close()\n", "2" },
	/* engine.connect() */
	{ DB "def count():\n    conn = engine.connect()\n    n = conn.execute(text('SELECT count(*) FROM t')).scalar()\n"
	  "    conn.close()\n    return n\n", "3" },
	/* a provider that closes after the yield, outside finally */
	{ DB "def get_db():\n    db = SessionLocal()\n    yield db\n    db.close()\n", "3" },
	/* an except that logs and re-raises before the happy-path close */
	{ DB "def f():\n    db = SessionLocal()\n    try:\n        work(db)\n    except Exception:\n"
	  "        log.exception('x')\n        raise\n    db.close()\n", "3" },
	/* a session per iteration of a worker loop */
	{ DB "def worker(queue):\n    while True:\n        job = queue.get()\n        db = SessionLocal()\n"
	  "        handle(db, job)\n        db.commit()\n", "5" },
};

static const struct db_case negatives[] = {
	/* closed in finally (created before or inside the try) */
	{ DB "def f():\n    db = SessionLocal()\n    try:\n        work(db)\n    finally:\n        db.close()\n"
	  "def g():\n    try:\n        db = SessionLocal()\n        work(db)\n    finally:\n        if db:\n"
	  "            db.close()\n", "" },
	/* a context manager */
	{ DB "def f():\n    with SessionLocal() as s:\n        work(s)\n"
	  "async def g():\n    async with async_session() as s:\n        await work(s)\n", "" },
	/* the Depends provider that closes in finally */
	{ DB "def get_db():\n    db = SessionLocal()\n    try:\n        yield db\n    finally:\n        db.close()\n", "" },
	/* a with over the assigned session, its begin(), contextlib.closing */
	{ DB "def f():\n    db = SessionLocal()\n    with db:\n        work(db)\n"
	  "def g():\n    db = SessionLocal()\n    with db.begin():\n        work(db)\n"
	  "def h():\n    db = SessionLocal()\n    with closing(db):\n        work(db)\n", "" },
	/* returned to the caller (ownership moves), or wrapped in an object that is */
	{ DB "def new_session():\n    s = SessionLocal()\n    s.info['tenant'] = t\n    return s\n"
	  "def repo():\n    db = SessionLocal()\n    r = UserRepo(db)\n    return r\n"
	  "def pair():\n    db = SessionLocal()\n    return db, engine\n", "" },
	/* stored on self and closed in close()/__exit__; stored elsewhere */
	{ DB "class UoW:\n    def __enter__(self):\n        self.session = SessionLocal()\n        return self\n"
	  "    def __exit__(self, *a):\n        self.session.close()\n"
	  "def middleware(request):\n    db = SessionLocal()\n    request.state.db = db\n", "" },
	/* handed to an exit stack or a task */
	{ DB "def f(stack):\n    db = SessionLocal()\n    stack.enter_context(db)\n    work(db)\n"
	  "def g(tasks):\n    db = SessionLocal()\n    tasks.add_task(process, db)\n", "" },
	/* rolled back in except, closed at the end */
	{ DB "def f():\n    db = SessionLocal()\n    try:\n        work(db)\n        db.commit()\n    except Exception:\n"
	  "        db.rollback()\n        raise\n    db.close()\n", "" },
	/* a broad except that swallows the error: the close after it always runs */
	{ DB "def f():\n    db = SessionLocal()\n    try:\n        work(db)\n    except Exception:\n"
	  "        log.exception('x')\n    db.close()\n", "" },
	/* a session bound to the connection of a flush (an event listener) */
	{ "from sqlalchemy.orm import Session\ndef after_insert(mapper, connection, target):\n"
	  "    session = Session(bind=connection)\n    session.add(Audit())\n", "" },
	/* module level, a scoped_session registry, a factory, requests.Session */
	{ DB "session = SessionLocal()\ndef f():\n    reg = scoped_session(SessionLocal)\n"
	  "    maker = sessionmaker(bind=engine)\n    http = requests.Session()\n    factory = get_session_factory()\n"
	  "    g = get_db()\n", "" },
	/* a click command: the process ends with the error */
	{ DB "@cli.command()\ndef dump():\n    db = SessionLocal()\n    print(db.query(User).count())\n", "" },
	/* captured by a nested def that closes it */
	{ DB "def f():\n    db = SessionLocal()\n    def cleanup():\n        db.close()\n    atexit.register(cleanup)\n", "" },
	/* a keyword named like the session is not a use of it */
	{ DB "def f(other):\n    db = SessionLocal()\n    try:\n        run(db=other)\n    finally:\n        db.close()\n", "" },
};

static json_t *factories_context(void)
{
	json_t *ctx = json_loads("{\"db_config\":{\"session_factories\":[{\"kind\":\"async_sessionmaker\","
				 "\"name\":\"async_session\"},{\"kind\":\"Session\",\"name\":\"session\"}]}}",
				 0, NULL);
	ck_assert_ptr_nonnull(ctx);
	return ctx;
}

START_TEST(positive)
{
	json_t *ctx = factories_context();
	db_expect(&txn_auditor, ID, &positives[_i], ctx);
	json_decref(ctx);
}
END_TEST

START_TEST(negative)
{
	json_t *ctx = factories_context();
	db_expect(&txn_auditor, ID, &negatives[_i], ctx);
	json_decref(ctx);
}
END_TEST

/* A Session() made by the context's Session(...) call is not a factory. */
START_TEST(instance_not_factory)
{
	static const struct db_case c = { "def f():\n    s = session()\n    s.run()\n", "" };
	json_t *ctx = factories_context();
	db_expect(&txn_auditor, ID, &c, ctx);
	json_decref(ctx);
}
END_TEST

START_TEST(severity_and_text)
{
	char *s;
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[0].src, NULL, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "success path") && strstr(s, "line 6") && strstr(s, "with SessionLocal() as db:"),
		      "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[5].src, NULL, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "yield") && strstr(s, "finally"), "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[4].src, NULL, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "connection") && strstr(s, "with engine.connect() as conn:"), "%s", s);
	free(s);
}
END_TEST

/* Scripts are one-shot programs; the app's helper is reported. */
START_TEST(scripts_skipped)
{
	struct proj p;
	struct finding_list fl;
	char buf[512];
	json_t *ctx;
	proj_init(&p);
	proj_put(&p, "app/users.py", DB "def rename(uid, name):\n    db = SessionLocal()\n"
		 "    db.get(User, uid).name = name\n    db.commit()\n");
	proj_put(&p, "scripts/fix.py", DB "def main():\n    db = SessionLocal()\n    db.execute(text('UPDATE t'))\n"
		 "    db.commit()\n");
	ctx = proj_context(&p, NULL);
	ck_assert_str_eq(proj_lines(&txn_auditor, ID, ctx, &fl, buf, sizeof(buf)), "app/users.py:3");
	finding_list_free(&fl);
	json_decref(ctx);
	proj_free(&p);
}
END_TEST

/* A scoped_session registry defined in another file: Session() returns the
 * thread's session, released by Session.remove(); a sessionmaker there is
 * a factory whose sessions the caller must close. */
START_TEST(scoped_registry_elsewhere)
{
	struct proj p;
	struct finding_list fl;
	char buf[512];
	json_t *ctx, *dbc;
	proj_init(&p);
	proj_put(&p, "app/db.py", "from sqlalchemy.orm import scoped_session, sessionmaker\n"
		 "Session = scoped_session(sessionmaker(bind=engine))\nMaker = sessionmaker(bind=engine)\n");
	proj_put(&p, "app/views.py", "from app.db import Session, Maker\ndef a():\n    s = Session()\n"
		 "    return len(s.query(User).all())\ndef b():\n    s = Maker()\n    return len(s.query(User).all())\n");
	dbc = json_loads("{\"session_factories\":[{\"kind\":\"sessionmaker\",\"name\":\"Session\","
			 "\"location\":\"app/db.py:2\"},{\"kind\":\"sessionmaker\",\"name\":\"Maker\","
			 "\"location\":\"app/db.py:3\"}]}", 0, NULL);
	ck_assert_ptr_nonnull(dbc);
	ctx = proj_context(&p, dbc);
	ck_assert_str_eq(proj_lines(&txn_auditor, ID, ctx, &fl, buf, sizeof(buf)), "app/views.py:6");
	finding_list_free(&fl);
	json_decref(ctx);
	proj_free(&p);
}
END_TEST

START_TEST(malformed)
{
	db_malformed(&txn_auditor, ID);
}
END_TEST

Suite *suite_missing_session_cleanup(void)
{
	Suite *s = suite_create(ID);
	TCase *p = tcase_create("positives"), *n = tcase_create("negatives"), *m = tcase_create("malformed");
	tcase_add_loop_test(p, positive, 0, (int)(sizeof(positives) / sizeof(positives[0])));
	tcase_add_test(p, severity_and_text);
	tcase_add_test(p, scripts_skipped);
	tcase_add_loop_test(n, negative, 0, (int)(sizeof(negatives) / sizeof(negatives[0])));
	tcase_add_test(n, instance_not_factory);
	tcase_add_test(n, scoped_registry_elsewhere);
	tcase_add_test(m, malformed);
	suite_add_tcase(s, p);
	suite_add_tcase(s, n);
	suite_add_tcase(s, m);
	return s;
}
