/*
 * Unit tests of audit-txn/pool_configuration.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "db_helpers.h"
#include "proj_helpers.h"
#include "../../audit-txn/checks.h"

#define ID "pool_configuration"

#define SA "from sqlalchemy import create_engine\n"
#define SA_ASYNC "from sqlalchemy.ext.asyncio import create_async_engine\n"

static const struct db_case positives[] = {
	/* a module-level engine of a FastAPI service: neither pre-ping nor recycle */
	{ SA "engine = create_engine(settings.DATABASE_URL)\n", "2" },
	/* SQLModel's create_engine, an async engine with a literal URL, pool_size alone */
	{ "from sqlmodel import create_engine\nengine = create_engine(str(settings.DATABASE_URL))\n", "2" },
	{ SA_ASYNC "engine = create_async_engine(\n    'postgresql+asyncpg://app@db/app',\n    pool_size=20,\n"
	  "    max_overflow=10,\n)\n", "2" },
	/* explicitly off counts as absent */
	{ SA "engine = create_engine(URL, pool_pre_ping=False, pool_recycle=-1)\n", "2" },
	/* an unbounded overflow, an unbounded pool (MEDIUM even with pre-ping) */
	{ SA "engine = create_engine(URL, pool_pre_ping=True, max_overflow=-1)\n", "2" },
	{ SA "engine = create_engine(URL, pool_recycle=300, pool_size=0)\n", "2" },
	/* NullPool in the service */
	{ SA "from sqlalchemy.pool import NullPool\nengine = create_engine(URL, poolclass=NullPool)\n", "3" },
	/* import sqlalchemy as sa; a factory returning the engine; options in a dict display */
	{ "import sqlalchemy as sa\ndef make_engine(url):\n    return sa.create_engine(url, echo=False)\n", "3" },
	{ SA "def make_engine(url):\n    opts = {'pool_size': 10, 'max_overflow': 5}\n"
	  "    return create_engine(url, **opts)\n", "4" },
	/* an engine built in a setup function and kept in a global */
	{ SA "engine = None\ndef init(url):\n    global engine\n    engine = create_engine(url)\n", "5" },
	/* built in the lifespan and stored on the app */
	{ SA_ASYNC "@asynccontextmanager\nasync def lifespan(app):\n"
	  "    app.state.engine = create_async_engine(settings.dsn)\n    yield\n", "4" },
};

static const struct db_case negatives[] = {
	/* pre-ping, or recycle, is enough */
	{ SA "engine = create_engine(URL, pool_pre_ping=True)\n", "" },
	{ SA_ASYNC "engine = create_async_engine(DSN, pool_size=10, max_overflow=10, pool_recycle=1800)\n", "" },
	/* a value we cannot see is not reported */
	{ SA "engine = create_engine(URL, pool_pre_ping=settings.PING)\n", "" },
	/* options we cannot read whole: **kwargs of a parameter, a dict mutated with update() */
	{ SA "def make(url, **kw):\n    return create_engine(url, **kw)\n", "" },
	{ SA "def make(url, extra):\n    opts = {'echo': True}\n    opts.update(extra)\n"
	  "    return create_engine(url, **opts)\n", "" },
	/* options in a dict display, and an item assigned after it */
	{ SA "def make(url):\n    opts = {'pool_pre_ping': True}\n    return create_engine(url, **opts)\n"
	  "def make2(url):\n    opts = dict(pool_recycle=600)\n    return create_engine(url, **opts)\n"
	  "def make3(url):\n    opts = {}\n    opts['pool_pre_ping'] = True\n    return create_engine(url, **opts)\n", "" },
	/* SQLite: a literal URL, a URL name assigned one, check_same_thread */
	{ SA "engine = create_engine('sqlite:///./app.db')\nDB = 'sqlite+aiosqlite:///x.db'\n"
	  "e2 = create_engine(DB)\ne3 = create_engine(url, connect_args={'check_same_thread': False})\n"
	  "e4 = create_engine(SQLITE_URL)\n", "" },
	/* pool options in the literal URL's query string */
	{ SA "engine = create_engine('postgresql://db/app?pool_pre_ping=true')\n", "" },
	/* StaticPool, a pool class from a variable */
	{ SA "from sqlalchemy.pool import StaticPool\ne = create_engine(URL, poolclass=StaticPool)\n"
	  "e2 = create_engine(URL, poolclass=settings.POOL)\n", "" },
	/* NullPool behind PgBouncer (asyncpg statement cache off, or said in a comment) */
	{ SA_ASYNC "from sqlalchemy.pool import NullPool\n"
	  "engine = create_async_engine(DSN, poolclass=NullPool, connect_args={'statement_cache_size': 0})\n", "" },
	{ SA "from sqlalchemy.pool import NullPool\n# transactions are pooled by PgBouncer\n"
	  "engine = create_engine(URL, poolclass=NullPool)\n", "" },
	/* NullPool in a Lambda handler module */
	{ SA "from sqlalchemy.pool import NullPool\nengine = create_engine(URL, poolclass=NullPool, pool_pre_ping=True)\n"
	  "def lambda_handler(event, context):\n    return run(engine)\n", "" },
	/* a project wrapper called create_engine, and an unimported one */
	{ "from app.db import create_engine\nengine = create_engine('app')\n"
	  "def create_async_engine(name):\n    return name\nx = create_async_engine('worker')\n", "" },
	/* engine_from_config: settings we cannot see */
	{ "from sqlalchemy import engine_from_config\nengine = engine_from_config(config, prefix='sqlalchemy.')\n", "" },
	/* the ping-on-checkout recipe that predates pool_pre_ping */
	{ SA "from sqlalchemy import event\nengine = create_engine(URL)\n"
	  "@event.listens_for(engine, 'engine_connect')\ndef ping(conn, branch):\n    conn.scalar(select(1))\n", "" },
	/* a throwaway engine used inside one function, and one kept on an instance */
	{ SA "def at_head(url):\n    connectable = create_engine(url)\n    with connectable.begin() as c:\n"
	  "        return check(c)\nclass Exporter:\n    def __init__(self, url):\n"
	  "        self.engine = create_engine(url)\n", "" },
	/* a click command and a __main__ script */
	{ SA "@cli.command()\ndef load(url):\n    engine = create_engine(url)\n    return engine\n", "" },
	{ SA "engine = create_engine(URL)\nif __name__ == '__main__':\n    main(engine)\n", "" },
};

/* The context of a FastAPI service on PostgreSQL. */
static json_t *web_context(void)
{
	json_t *ctx = json_loads("{\"tech_stack\":{\"web\":\"fastapi\",\"db\":\"postgresql\"}}", 0, NULL);
	ck_assert_ptr_nonnull(ctx);
	return ctx;
}

START_TEST(positive)
{
	json_t *ctx = web_context();
	db_expect(&txn_auditor, ID, &positives[_i], ctx);
	json_decref(ctx);
}
END_TEST

START_TEST(negative)
{
	json_t *ctx = web_context();
	db_expect(&txn_auditor, ID, &negatives[_i], ctx);
	json_decref(ctx);
}
END_TEST

/* No web framework and no handler: a worker or a CLI tool, not reported. */
START_TEST(not_a_web_service)
{
	static const struct db_case c = { SA "engine = create_engine(URL)\n", "" };
	static const struct db_case h = { SA "engine = create_engine(URL)\n@app.get('/x')\ndef x():\n    return 1\n",
					  "2" };
	json_t *ctx = json_loads("{\"tech_stack\":{\"web\":null,\"db\":\"postgresql\"}}", 0, NULL);
	db_expect(&txn_auditor, ID, &c, ctx);
	db_expect(&txn_auditor, ID, &h, ctx); /* a route handler in the index */
	json_decref(ctx);
}
END_TEST

/* A SQLite project: an engine whose URL is an expression is not reported. */
START_TEST(sqlite_project)
{
	static const struct db_case c = { SA "engine = create_engine(settings.DATABASE_URL)\n", "" };
	json_t *ctx = json_loads("{\"tech_stack\":{\"web\":\"flask\",\"db\":\"sqlite\"}}", 0, NULL);
	db_expect(&txn_auditor, ID, &c, ctx);
	json_decref(ctx);
}
END_TEST

START_TEST(severity_and_text)
{
	json_t *ctx = web_context();
	char *s;
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[0].src, ctx, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "FastAPI") && strstr(s, "pool_pre_ping=True") && strstr(s, "pool_recycle"), "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[4].src, ctx, &s), SEV_MEDIUM);
	ck_assert_msg(strstr(s, "max_overflow=-1") && !strstr(s, "without pool_pre_ping"), "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[6].src, ctx, &s), SEV_MEDIUM);
	ck_assert_msg(strstr(s, "NullPool") && strstr(s, "QueuePool") && !strstr(s, "without pool_pre_ping"), "%s", s);
	free(s);
	/* both: one finding, the higher severity, both issues */
	ck_assert_int_eq(db_one(&txn_auditor, ID, SA "engine = create_engine(URL, max_overflow=-1)\n", ctx, &s),
			 SEV_HIGH);
	ck_assert_msg(strstr(s, "pool_recycle") && strstr(s, "max_overflow=-1"), "%s", s);
	free(s);
	json_decref(ctx);
}
END_TEST

/* Scripts, alembic env.py and bin/ are one-shot programs: NullPool and
 * missing pre-ping are right there; the app's engine is reported. */
START_TEST(one_shot_paths)
{
	struct proj p;
	struct finding_list fl;
	char buf[512];
	json_t *ctx;
	proj_init(&p);
	proj_put(&p, "app/db.py", SA "engine = create_engine(settings.DATABASE_URL)\n");
	proj_put(&p, "app/api.py", "@router.get('/items')\ndef items():\n    return []\n");
	proj_put(&p, "scripts/backfill.py", SA "from sqlalchemy.pool import NullPool\n"
		 "engine = create_engine(URL, poolclass=NullPool)\n");
	proj_put(&p, "alembic/env.py", SA "from sqlalchemy import pool\n"
		 "connectable = create_engine(URL, poolclass=pool.NullPool)\n");
	proj_put(&p, "bin/seed.py", SA "engine = create_engine(URL)\n");
	ctx = proj_context(&p, NULL);
	ck_assert_str_eq(proj_lines(&txn_auditor, ID, ctx, &fl, buf, sizeof(buf)), "app/db.py:2");
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

Suite *suite_pool_configuration(void)
{
	Suite *s = suite_create(ID);
	TCase *p = tcase_create("positives"), *n = tcase_create("negatives"), *m = tcase_create("malformed");
	tcase_add_loop_test(p, positive, 0, (int)(sizeof(positives) / sizeof(positives[0])));
	tcase_add_test(p, severity_and_text);
	tcase_add_test(p, one_shot_paths);
	tcase_add_loop_test(n, negative, 0, (int)(sizeof(negatives) / sizeof(negatives[0])));
	tcase_add_test(n, not_a_web_service);
	tcase_add_test(n, sqlite_project);
	tcase_add_test(m, malformed);
	suite_add_tcase(s, p);
	suite_add_tcase(s, n);
	suite_add_tcase(s, m);
	return s;
}
