/*
 * Unit tests of audit-txn/missing_rollback.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "db_helpers.h"
#include "proj_helpers.h"
#include "../../audit-txn/checks.h"

#define ID "missing_rollback"

static const struct db_case positives[] = {
	/* a session injected with Depends(): a bare commit in the handler */
	{ "@router.post('/{loan_id}/return')\n"
	  "async def return_book(loan_id: int, session: AsyncSession = Depends(get_session)):\n"
	  "    loan = await session.get(Loan, loan_id)\n    loan.returned_on = date.today()\n"
	  "    await session.commit()\n", "5" },
	/* a scoped session in Flask views: both commits */
	{ "Session = scoped_session(sessionmaker(bind=engine))\n@app.route('/s/<slug>/close', methods=['POST'])\n"
	  "def close(slug):\n    Session.commit()\n    Session.add(AuditEntry())\n    Session.commit()\n", "4,6" },
	/* Flask-SQLAlchemy */
	{ "@bp.post('/items')\ndef create():\n    db.session.add(Item(**request.json))\n    db.session.commit()\n"
	  "    return '', 201\n", "4" },
	/* an except that swallows the error without rolling back */
	{ "def save(db, obj):\n    try:\n        db.add(obj)\n        db.commit()\n    except Exception:\n"
	  "        log.exception('save failed')\n        return None\n", "4" },
	/* the else branch of a try is not covered by its except */
	{ "def save(session, obj):\n    try:\n        session.add(obj)\n    except ValueError:\n"
	  "        session.rollback()\n        raise\n    else:\n        session.commit()\n", "8" },
	/* a non-session context manager, and a module-level script */
	{ "def f(session, lock):\n    with lock:\n        session.commit()\n"
	  "session = SessionLocal()\nsession.add(Run())\nsession.commit()\n", "3,6" },
	/* a DB-API connection */
	{ "def f(conn):\n    cur = conn.cursor()\n    cur.execute('UPDATE t SET x = 1')\n    conn.commit()\n", "4" },
	/* a session bound by a with that is not the one committed */
	{ "def f(other):\n    with SessionLocal() as s:\n        s.add(T())\n        other.session.commit()\n", "4" },
	/* a finally that closes a file or an HTTP client, not the session */
	{ "def f(db, path):\n    out = open(path, 'w')\n    try:\n        db.add(T())\n        db.commit()\n    finally:\n"
	  "        out.close()\n"
	  "async def g(session, http):\n    try:\n        await session.commit()\n    finally:\n"
	  "        await http.aclose()\n        http.close()\n", "5,10" },
	/* a helper with one unprotected caller in its file */
	{ "def save(db, obj):\n    db.add(obj)\n    db.commit()\n"
	  "def a(obj):\n    with SessionLocal() as s:\n        save(s, obj)\n"
	  "def b(db, obj):\n    save(db, obj)\n", "3" },
	/* a helper that makes its own session: its callers do not manage it */
	{ "def save(obj):\n    db = SessionLocal()\n    db.add(obj)\n    db.commit()\n"
	  "def a(obj):\n    with SessionLocal() as s:\n        save(obj)\n", "4" },
};

static const struct db_case negatives[] = {
	/* try/except with rollback, and one that re-raises */
	{ "async def add(session, book):\n    session.add(book)\n    try:\n        await session.commit()\n"
	  "    except IntegrityError:\n        await session.rollback()\n        raise HTTPException(409)\n"
	  "def g(db):\n    try:\n        db.commit()\n    except SQLAlchemyError:\n        raise\n", "" },
	/* inside begin() (a sessionmaker's begin() too) */
	{ "def f(Session):\n    with Session.begin():\n        Session.add(S())\n        Session.commit()\n"
	  "async def g(session):\n    async with session.begin():\n        await session.commit()\n", "" },
	/* lexically inside a session context manager */
	{ "def f(rows):\n    with SessionLocal() as session:\n        session.add_all(rows)\n        session.commit()\n"
	  "async def g():\n    async with async_session() as s:\n        for x in xs:\n            await s.commit()\n", "" },
	/* a unit of work's own commit */
	{ "class UoW:\n    async def __aexit__(self, exc_type, exc, tb):\n        if exc_type:\n"
	  "            await self.session.rollback()\n        else:\n            await self.session.commit()\n", "" },
	/* finally closes (close rolls back an unfinished transaction) */
	{ "def f(db):\n    try:\n        db.commit()\n    finally:\n        db.close()\n", "" },
	/* an outer try protects an inner one that does not */
	{ "def f(db):\n    try:\n        try:\n            db.commit()\n        except KeyError:\n            pass\n"
	  "    except Exception:\n        db.rollback()\n        raise\n", "" },
	/* the session object itself as context manager; a sqlite3 connection's with */
	{ "def f(session, conn):\n    with session:\n        session.commit()\n    with conn:\n        conn.commit()\n", "" },
	/* commits that are not database commits */
	{ "def f(consumer, repo, uow):\n    consumer.commit()\n    repo.commit('msg')\n    uow.commit()\n"
	  "    self.producer.commit()\n", "" },
	/* commit only in strings and comments */
	{ "def f():\n    doc = 'session.commit()'  # db.commit()\n    return doc\n", "" },
	/* an engine.begin() connection */
	{ "def f(engine):\n    with engine.begin() as conn:\n        conn.execute(text('DELETE FROM t'))\n"
	  "        conn.commit()\n", "" },
	/* a session created here and closed in finally: close() rolls back */
	{ "def f(obj):\n    s = SessionLocal()\n    try:\n        s.add(obj)\n        s.commit()\n    finally:\n"
	  "        s.close()\n"
	  "async def g(factory, obj):\n    session = factory()\n    try:\n        session.add(obj)\n"
	  "        await session.commit()\n    finally:\n        await session.close()\n"
	  "def h():\n    try:\n        Session.add(X())\n        Session.commit()\n    finally:\n        Session.remove()\n", "" },
	/* a unit of work as context manager: its session is closed by its exit */
	{ "async def f(uow, obj):\n    async with uow:\n        uow.session.add(obj)\n        await uow.session.commit()\n"
	  "def g(obj):\n    with UnitOfWork() as uow:\n        uow.session.add(obj)\n        uow.session.commit()\n", "" },
	/* one call deep: every caller in the file has a rollback path */
	{ "def save(db, obj):\n    db.add(obj)\n    db.commit()\n"
	  "def a(obj):\n    with SessionLocal() as s:\n        save(s, obj)\n"
	  "def b(db, obj):\n    with db.begin():\n        save(db, obj)\n"
	  "def c(obj):\n    s = SessionLocal()\n    try:\n        save(s, obj)\n    finally:\n        s.close()\n"
	  "def d(db, obj):\n    try:\n        save(db, obj)\n    except Exception:\n        db.rollback()\n        raise\n",
	  "" },
};

START_TEST(positive)
{
	db_expect(&txn_auditor, ID, &positives[_i], NULL);
}
END_TEST

START_TEST(negative)
{
	db_expect(&txn_auditor, ID, &negatives[_i], NULL);
}
END_TEST

START_TEST(severity_and_text)
{
	json_t *ctx = json_loads("{\"tech_stack\":{\"orm\":\"sqlalchemy\",\"orm_version\":\"1.4.51\"}}", 0, NULL);
	char *s;
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[0].src, NULL, &s), SEV_MEDIUM);
	ck_assert_msg(strstr(s, "async with session.begin()") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "await session.rollback()") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "dependency") != NULL, "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[2].src, ctx, &s), SEV_MEDIUM);
	ck_assert_msg(strstr(s, "db.session.rollback()") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "dependency") == NULL, "%s", s);
	free(s);
	json_decref(ctx);
}
END_TEST

/* One call deep across files: a caller in another file is not read, so
 * the helper's commit stays reported even though that caller protects it. */
START_TEST(cross_file_callers)
{
	struct proj p;
	struct finding_list fl;
	char buf[512];
	json_t *ctx;
	proj_init(&p);
	proj_put(&p, "app/__init__.py", "");
	proj_put(&p, "app/crud.py", "def save(db, obj):\n    db.add(obj)\n    db.commit()\n"
				    "def local(obj):\n    with SessionLocal() as s:\n        save(s, obj)\n");
	proj_put(&p, "app/jobs.py", "from app.crud import save\n"
				    "def run(obj):\n    with SessionLocal() as s:\n        save(s, obj)\n");
	ctx = proj_context(&p, NULL);
	ck_assert_str_eq(proj_lines(&txn_auditor, ID, ctx, &fl, buf, sizeof(buf)), "app/crud.py:3");
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

Suite *suite_missing_rollback(void)
{
	Suite *s = suite_create(ID);
	TCase *p = tcase_create("positives"), *n = tcase_create("negatives"), *m = tcase_create("malformed");
	tcase_add_loop_test(p, positive, 0, (int)(sizeof(positives) / sizeof(positives[0])));
	tcase_add_test(p, severity_and_text);
	tcase_add_loop_test(n, negative, 0, (int)(sizeof(negatives) / sizeof(negatives[0])));
	tcase_add_test(p, cross_file_callers);
	tcase_add_test(m, malformed);
	suite_add_tcase(s, p);
	suite_add_tcase(s, n);
	suite_add_tcase(s, m);
	return s;
}
