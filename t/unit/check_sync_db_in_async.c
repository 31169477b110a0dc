/*
 * Unit tests of audit-runtime/sync_db_in_async.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "proj_helpers.h"
#include "rt_helpers.h"

#define ID "sync_db_in_async"

#define FASTAPI "from fastapi import APIRouter, Depends\n"

static const struct rt_case positives[] = {
	/* a parameter annotated with SQLAlchemy's Session, in a route */
	{ FASTAPI "from sqlalchemy.orm import Session\nfrom app.db import get_db\n\nrouter = APIRouter()\n\n"
	  "@router.get('/b/{i}')\nasync def get_book(i: int, db: Session = Depends(get_db)):\n"
	  "    book = db.get(Book, i)\n    return book\n", "9" },
	/* Depends(get_db) resolved to a provider that yields SessionLocal() */
	{ FASTAPI "from sqlalchemy.orm import sessionmaker\n\nSessionLocal = sessionmaker(bind=engine)\n\n\n"
	  "def get_db():\n    db = SessionLocal()\n    try:\n        yield db\n    finally:\n        db.close()\n\n\n"
	  "async def list_books(db=Depends(get_db)):\n    rows = db.query(Book).all()\n    db.commit()\n"
	  "    return rows\n", "16" },
	/* a provider returning sessionmaker(...)() */
	{ FASTAPI "from sqlalchemy.orm import sessionmaker\n\n\ndef make():\n    return sessionmaker(bind=engine)()\n\n\n"
	  "async def f(db=Depends(make)):\n    db.commit()\n", "10" },
	/* SQLModel's Session opened inside */
	{ "from sqlmodel import Session, select\n\n\nasync def count(engine):\n    with Session(engine) as s:\n"
	  "        rows = s.exec(select(Book)).all()\n    return len(rows)\n", "6" },
	/* a DB-API connection and its cursor */
	{ "import sqlite3\n\n\nasync def load(path):\n    conn = sqlite3.connect(path)\n    cur = conn.cursor()\n"
	  "    cur.execute('select 1')\n    return cur.fetchall()\n", "7" },
	{ "import psycopg2\n\n\nasync def ping(dsn):\n    with psycopg2.connect(dsn) as conn:\n"
	  "        with conn.cursor() as cur:\n            cur.execute('select 1')\n", "7" },
	/* handed to a sync helper only: reported at the hand-off */
	{ "from sqlalchemy.orm import Session\n\n\ndef load_user(db: Session, uid):\n    return db.get(User, uid)\n\n\n"
	  "async def me(uid, db: Session):\n    user = load_user(db, uid)\n    return user\n", "9" },
	/* a sync session on the instance, a module-level scoped_session */
	{ "from sqlalchemy.orm import Session, scoped_session, sessionmaker\n\nSessions = scoped_session(sessionmaker())\n\n\n"
	  "class Repo:\n    def __init__(self, engine):\n        self.db = Session(engine)\n\n"
	  "    async def one(self, i):\n        return self.db.get(Row, i)\n\n\n"
	  "async def two():\n    return Sessions.execute(text('select 1'))\n", "11,15" },
	/* an alias defined in another module, queried and never awaited */
	{ "from app.deps import SessionDep\nfrom sqlmodel import select\n\n\nasync def users(session: SessionDep):\n"
	  "    return session.exec(select(User)).all()\n", "6" },
	/* a provider the index does not know, queried and never awaited */
	{ FASTAPI "from libdb import get_db\n\n\nasync def f(db=Depends(get_db)):\n    db.commit()\n", "6" },
};

static const struct rt_case negatives[] = {
	/* a plain def: FastAPI runs it in the threadpool */
	{ FASTAPI "from sqlalchemy.orm import Session\n\nrouter = APIRouter()\n\n@router.get('/b')\n"
	  "def get_book(i: int, db: Session = Depends(get_db)):\n    return db.get(Book, i)\n", "" },
	/* AsyncSession, awaited */
	{ "from sqlalchemy.ext.asyncio import AsyncSession\n\n\nasync def f(db: AsyncSession):\n"
	  "    return (await db.execute(select(Book))).scalars().all()\n", "" },
	/* the database work is offloaded */
	{ "import asyncio\nfrom sqlalchemy.orm import Session\nfrom starlette.concurrency import run_in_threadpool\n\n\n"
	  "def crud_get(db, i):\n    return db.get(Book, i)\n\n\nasync def f(i, db: Session):\n"
	  "    a = await run_in_threadpool(crud_get, db, i)\n    b = await asyncio.to_thread(lambda: db.query(Book).all())\n"
	  "    return a, b\n", "" },
	/* Session is not SQLAlchemy's: requests, aiohttp, a project class */
	{ "import requests\n\n\nasync def f(s: requests.Session):\n    return s.get('http://x')\n", "" },
	{ "from app.models import Session\n\n\nasync def f(s: Session, i):\n    return s.get(i)\n", "" },
	/* the provider hands out an async session */
	{ FASTAPI "from sqlalchemy.ext.asyncio import async_sessionmaker\n\nmaker = async_sessionmaker(engine)\n\n\n"
	  "async def get_db():\n    async with maker() as s:\n        yield s\n\n\n"
	  "async def f(db=Depends(get_db)):\n    return db.get(Book, 1)\n", "" },
	/* only add() (no round trip), only close() */
	{ "from sqlalchemy.orm import Session\n\n\nasync def f(db: Session, b):\n    db.add(b)\n    db.close()\n", "" },
	/* an unannotated parameter with no provider: unknown */
	{ "async def f(db, i):\n    return db.get(Book, i)\n", "" },
	/* a name used both ways: awaited, so async after all */
	{ "from app.db import SessionLocal\n\n\nasync def f():\n    db = SessionLocal()\n    await db.execute(q)\n"
	  "    db.commit()\n", "" },
	/* async with engine.begin(): AsyncConnection */
	{ "async def f(engine):\n    async with engine.begin() as conn:\n        await conn.execute(q)\n", "" },
	/* a nested sync def uses the session: it runs where it is called */
	{ "from sqlalchemy.orm import Session\n\n\nasync def f(db: Session):\n    def work():\n"
	  "        return db.query(Book).all()\n    return work\n", "" },
	/* an alias or provider of unknown kind: awaited, or never queried itself */
	{ "from app.deps import SessionDep\n\n\nasync def users(session: SessionDep):\n"
	  "    return (await session.exec(select(User))).all()\n", "" },
	{ FASTAPI "from libdb import get_db\n\n\nasync def f(db=Depends(get_db)):\n    return load(db, 1)\n", "" },
	{ "from app.web import UserSession\n\n\nasync def f(s: UserSession):\n    return s.get('cart')\n", "" },
	{ "from app.deps import SessionDep\n\n\nasync def f(session: SessionDep):\n"
	  "    a, b = await asyncio.gather(session.execute(q1), session.execute(q2))\n", "" },
	/* aiosqlite */
	{ "import aiosqlite\n\n\nasync def f(p):\n    async with aiosqlite.connect(p) as conn:\n"
	  "        await conn.execute('select 1')\n", "" },
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
	const char *once = "from sqlalchemy.orm import Session\n\n\nasync def lifespan(app, db: Session):\n"
			   "    db.execute(text('select 1'))\n    yield\n";
	const char *mw = FASTAPI "from fastapi import FastAPI\nfrom sqlalchemy.orm import Session\napp = FastAPI()\n\n\n"
			 "@app.middleware('http')\nasync def track(request, call_next):\n"
			 "    with Session(engine) as s:\n        s.commit()\n    return await call_next(request)\n";
	ck_assert_int_eq(rt_sev(ID, positives[0].src), SEV_HIGH);
	ck_assert_int_eq(rt_sev(ID, positives[3].src), SEV_MEDIUM);
	ck_assert_int_eq(rt_sev(ID, once), SEV_LOW);
	ck_assert_int_eq(rt_sev(ID, mw), SEV_HIGH);
	s = rt_text(ID, positives[0].src, NULL);
	ck_assert_msg(strstr(s, "async def get_book, a request handler,") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "1 database call") != NULL && strstr(s, "db.get()") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "plain def get_book") != NULL && strstr(s, "AsyncSession") != NULL &&
		      strstr(s, "run_in_threadpool") != NULL, "%s", s);
	free(s);
	s = rt_text(ID, positives[1].src, NULL);
	ck_assert_msg(strstr(s, "2 database calls") != NULL && strstr(s, "Depends(get_db)") != NULL, "%s", s);
	free(s);
	s = rt_text(ID, positives[6].src, NULL);
	ck_assert_msg(strstr(s, "load_user()") != NULL && strstr(s, "1 call of sync helpers") != NULL, "%s", s);
	free(s);
	s = rt_text(ID, positives[4].src, NULL);
	ck_assert_msg(strstr(s, "connection") != NULL && strstr(s, "aiosqlite") != NULL, "%s", s);
	free(s);
}
END_TEST

/* The factory's kind comes from the context's db_config. */
START_TEST(context_factories)
{
	const char *src = "from app.db import SessionLocal, Scoped\n\n\nasync def f():\n    with SessionLocal() as db:\n"
			  "        db.commit()\n\n\nasync def g():\n    return Scoped.query(Book).all()\n";
	json_t *sync = json_pack("{s:{s:[{s:s, s:s}, {s:s, s:s}]}}", "db_config", "session_factories", "name",
				 "SessionLocal", "kind", "sessionmaker", "name", "Scoped", "kind", "sessionmaker");
	json_t *async = json_pack("{s:{s:[{s:s, s:s}, {s:s, s:s}]}}", "db_config", "session_factories", "name",
				  "SessionLocal", "kind", "async_sessionmaker", "name", "Scoped", "kind", "sessionmaker");
	struct finding_list fl;
	char buf[64];
	rt_run_len(ID, src, strlen(src), sync, &fl);
	ck_assert_str_eq(rt_render(&fl, buf, sizeof(buf)), "6,10");
	finding_list_free(&fl);
	rt_run_len(ID, src, strlen(src), async, &fl);
	ck_assert_str_eq(rt_render(&fl, buf, sizeof(buf)), "10");
	finding_list_free(&fl);
	rt_run_len(ID, src, strlen(src), NULL, &fl);
	ck_assert_str_eq(rt_render(&fl, buf, sizeof(buf)), "");
	finding_list_free(&fl);
	json_decref(sync);
	json_decref(async);
}
END_TEST

/* The provider and the helpers live in other files. */
START_TEST(cross_file)
{
	struct proj p;
	struct finding_list fl;
	char buf[512];
	json_t *ctx;
	proj_init(&p);
	proj_put(&p, "app/db.py", "from collections.abc import Generator\nfrom sqlalchemy.orm import Session, sessionmaker\n\n"
				 "SessionLocal = sessionmaker(bind=engine)\n\n\ndef get_db() -> Generator[Session, None, None]:\n"
				 "    with SessionLocal() as s:\n        yield s\n");
	proj_put(&p, "app/adb.py", "from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker\n\n"
				  "maker = async_sessionmaker(engine)\n\n\nasync def get_adb():\n"
				  "    async with maker() as s:\n        yield s\n");
	proj_put(&p, "app/crud.py", "def get_user(db, uid):\n    return db.get(User, uid)\n\n\n"
				   "async def aget_user(db, uid):\n    return await db.get(User, uid)\n");
	proj_put(&p, "app/api.py", "from fastapi import APIRouter, Depends\nfrom app import crud\nfrom app.db import get_db\n"
				  "from app.adb import get_adb\n\nrouter = APIRouter()\n\n\n@router.get('/u/{uid}')\n"
				  "async def read_user(uid: int, db=Depends(get_db)):\n    user = crud.get_user(db, uid)\n"
				  "    return user\n\n\n@router.get('/a/{uid}')\nasync def read_auser(uid: int, db=Depends(get_adb)):\n"
				  "    return await crud.aget_user(db, uid)\n");
	ctx = proj_context(&p, NULL);
	ck_assert_str_eq(proj_lines(&runtime_auditor, ID, ctx, &fl, buf, sizeof(buf)), "app/api.py:11");
	ck_assert_int_eq(fl.v[0].severity, SEV_HIGH);
	ck_assert_msg(strstr(fl.v[0].issue, "get_user()") != NULL && strstr(fl.v[0].issue, "app/db.py") != NULL, "%s",
		      fl.v[0].issue);
	finding_list_free(&fl);
	json_decref(ctx);
	proj_free(&p);
}
END_TEST

START_TEST(malformed)
{
	static const char broken[] = "from sqlalchemy.orm import Session\nasync def f(db: Session = Depends(:\n"
				     "    db.get(\n";
	char *long_line = rt_long_line("db.commit()");
	rt_survive(ID, broken, strlen(broken));
	ck_assert_uint_eq(rt_survive(ID, long_line, strlen(long_line)), 0);
	rt_survive(ID, "async def f(db: Session", 23);
	rt_survive(ID, "", 0);
	free(long_line);
}
END_TEST

Suite *suite_sync_db_in_async(void)
{
	Suite *s = suite_create(ID);
	TCase *p = tcase_create("positives"), *n = tcase_create("negatives"), *m = tcase_create("malformed");
	tcase_add_loop_test(p, positive, 0, (int)(sizeof(positives) / sizeof(positives[0])));
	tcase_add_test(p, severity_and_text);
	tcase_add_test(p, context_factories);
	tcase_add_test(p, cross_file);
	tcase_add_loop_test(n, negative, 0, (int)(sizeof(negatives) / sizeof(negatives[0])));
	tcase_add_test(m, malformed);
	suite_add_tcase(s, p);
	suite_add_tcase(s, n);
	suite_add_tcase(s, m);
	return s;
}
