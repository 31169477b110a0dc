/*
 * Unit tests of lib/discover*.c, lib/manifest.c and lib/triggers.c:
 * requirement and version parsing, manifests, compose images, the TOML
 * reader, engine/session settings from Python sources, triggers from SQL
 * and from SQL inside Python strings, the Linear table, and
 * discover_context on a small tree.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "discover.h"
#include "discover_p.h"

/* ---- requirements and versions */

static const struct { const char *line, *name, *spec; } req_cases[] = {
	{ "SQLAlchemy[asyncio]>=2.0,<3", "sqlalchemy", ">=2.0,<3" },
	{ "  psycopg2-binary==2.9.9  # pinned", "psycopg2-binary", "==2.9.9" },
	{ "uvicorn[standard] == 0.29.0 ; python_version >= '3.8'", "uvicorn", "== 0.29.0" },
	{ "Flask_SQLAlchemy", "flask-sqlalchemy", "" },
	{ "zope.interface (>=5.0)", "zope-interface", ">=5.0" },
	{ "mypkg @ https://example.org/mypkg-1.0.tar.gz", "mypkg", "" },
	{ "requests~=2.31", "requests", "~=2.31" },
};

START_TEST(requirement_lines)
{
	char name[64], spec[64];
	const char *l = req_cases[_i].line;
	ck_assert_int_eq(req_parse(l, strlen(l), name, sizeof(name), spec, sizeof(spec)), 0);
	ck_assert_str_eq(name, req_cases[_i].name);
	ck_assert_str_eq(spec, req_cases[_i].spec);
}
END_TEST

START_TEST(requirement_non_lines)
{
	char name[64], spec[64];
	static const char *const bad[] = { "", "   ", "# comment", "-r base.txt", "--hash=sha256:00",
					   "-e git+https://x/y.git", NULL };
	size_t i;
	for (i = 0; bad[i]; i++)
		ck_assert_msg(req_parse(bad[i], strlen(bad[i]), name, sizeof(name), spec, sizeof(spec)) < 0,
			      "accepted '%s'", bad[i]);
}
END_TEST

static const struct { const char *spec, *lower; } ver_cases[] = {
	{ ">=2.0,<3", "2.0" }, { "==2.0.29", "2.0.29" }, { ">=2.0.27,<2.1", "2.0.27" },
	{ "<3,>=1.4", "1.4" }, { "~=1.4.0", "1.4.0" }, { "^10.3.0", "10.3.0" },
	{ "~1.2", "1.2" }, { "v1.25.9", "1.25.9" }, { "1.4.5-lts.1", "1.4.5" }, { "0.0.16", "0.0.16" },
	{ "== 0.29.0", "0.29.0" }, { ">= 3.11", "3.11" }, { "==2.0.*", "2.0" }, { ">1.4", "1.4" },
	{ "<3", NULL }, { "*", NULL }, { "", NULL }, { "!=1.0", NULL }, { "latest", NULL },
	{ "workspace:*", NULL },
};

START_TEST(version_bounds)
{
	char out[32];
	int rc = version_lower_bound(ver_cases[_i].spec, out, sizeof(out));
	if (!ver_cases[_i].lower) {
		ck_assert_msg(rc < 0, "'%s' gave %s", ver_cases[_i].spec, out);
	} else {
		ck_assert_msg(rc == 0, "'%s' gave nothing", ver_cases[_i].spec);
		ck_assert_str_eq(out, ver_cases[_i].lower);
	}
}
END_TEST

static const struct { const char *image, *db, *ver; } img_cases[] = {
	{ "postgres:16", "postgresql", "16" }, { "postgres:16.2-alpine", "postgresql", "16.2" },
	{ "docker.io/library/postgres:15", "postgresql", "15" },
	{ "localhost:5000/postgis/postgis:16-3.4", "postgresql", "16" },
	{ "mysql:8.0", "mysql", "8.0" }, { "mariadb:11", "mariadb", "11" },
	{ "postgres", "postgresql", "" }, { "postgres:latest", "postgresql", "" },
	{ "redis:7", NULL, NULL }, { "nginx", NULL, NULL },
};

START_TEST(compose_images)
{
	char db[16], ver[32];
	int rc = compose_image_db(img_cases[_i].image, db, sizeof(db), ver, sizeof(ver));
	if (!img_cases[_i].db) {
		ck_assert_int_lt(rc, 0);
		return;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(db, img_cases[_i].db);
	ck_assert_str_eq(ver, img_cases[_i].ver);
}
END_TEST

/* ---- manifests */

static struct disc_facts F;

static void facts_setup(void)
{
	ck_assert_int_eq(disc_facts_init(&F), 0);
}

static void facts_teardown(void)
{
	disc_facts_free(&F);
}

static int scan(const char *path, const char *text)
{
	const char *msg;
	return manifest_scan(&F, path, text, strlen(text), &msg);
}

static const char *dep(const char *name)
{
	json_t *v = json_object_get(F.deps, name);
	return v ? (json_is_null(v) ? "(null)" : json_string_value(v)) : NULL;
}

START_TEST(pyproject_pep621_and_poetry)
{
	ck_assert_int_eq(scan("pyproject.toml",
			      "[build-system]\nrequires = [\"setuptools\"]\n\n"
			      "[project]\nname = \"x\"\nrequires-python = \">=3.11\"\n"
			      "dependencies = [\n  \"fastapi>=0.110\",  # web\n  'SQLAlchemy[asyncio]>=2.0.27,<2.1',\n]\n"
			      "[project.optional-dependencies]\ndev = [\"pytest\"]\n"
			      "[tool.uv]\ndev-dependencies = [\"aiosqlite>=0.20\"]\n"),
			 0);
	ck_assert_str_eq(dep("fastapi"), ">=0.110");
	ck_assert_str_eq(dep("sqlalchemy"), ">=2.0.27,<2.1");
	ck_assert_ptr_null(dep("pytest"));
	ck_assert_ptr_null(dep("aiosqlite"));
	ck_assert_ptr_null(dep("setuptools"));
	ck_assert_str_eq(F.python_version, "3.11");
}
END_TEST

START_TEST(pyproject_poetry_tables)
{
	ck_assert_int_eq(scan("sub/pyproject.toml",
			      "[tool.poetry.dependencies]\npython = \"^3.10\"\n"
			      "sqlalchemy = {version = \"^2.0\", extras = [\"asyncio\"]}\n"
			      "asyncpg = \"*\"\n\"psycopg\" = { git = \"https://x\" }\n"
			      "[tool.poetry.group.dev.dependencies]\npytest = \"^8\"\n"),
			 0);
	ck_assert_str_eq(dep("sqlalchemy"), "^2.0");
	ck_assert_str_eq(dep("asyncpg"), "(null)");
	ck_assert_str_eq(dep("psycopg"), "(null)");
	ck_assert_ptr_null(dep("pytest"));
	ck_assert_str_eq(F.python_version, "3.10");
}
END_TEST

START_TEST(pipfile_setup_cfg_setup_py)
{
	ck_assert_int_eq(scan("Pipfile", "[packages]\nflask = \"==2.3.3\"\n[dev-packages]\npytest = \"*\"\n"
					 "[requires]\npython_version = \"3.12\"\n"), 0);
	ck_assert_int_eq(scan("setup.cfg", "[metadata]\nname = x\n[options]\npython_requires = >=3.9\n"
					   "install_requires =\n    peewee>=3.17\n    # note\n    aiohttp\n"
					   "packages = find:\n"), 0);
	ck_assert_int_eq(scan("setup.py", "from setuptools import setup\n"
					  "# install_requires=['nope']\n"
					  "setup(name='x', install_requires=['quart>=0.19', \"asyncpg\"],\n"
					  "      python_requires='>=3.8')\n"), 0);
	ck_assert_str_eq(dep("flask"), "==2.3.3");
	ck_assert_ptr_null(dep("pytest"));
	ck_assert_str_eq(dep("peewee"), ">=3.17");
	ck_assert_str_eq(dep("aiohttp"), "(null)");
	ck_assert_str_eq(dep("quart"), ">=0.19");
	ck_assert_ptr_nonnull(dep("asyncpg"));
	ck_assert_ptr_null(dep("nope"));
	ck_assert_str_eq(F.python_version, "3.12");
}
END_TEST

START_TEST(requirements_files)
{
	ck_assert_int_eq(scan("requirements.txt", "-r base.txt\nSQLAlchemy==2.0.30 \\\n  --hash=sha256:ab\n"
						  "asyncpg>=0.29 # driver\n\n#fastapi\n"), 0);
	ck_assert_int_eq(scan("requirements-dev.txt", "aiosqlite==0.20\n"), 0);
	ck_assert_int_eq(scan("requirements/test.txt", "pytest\n"), 0);
	ck_assert_str_eq(dep("sqlalchemy"), "==2.0.30");
	ck_assert_str_eq(dep("asyncpg"), ">=0.29");
	ck_assert_ptr_null(dep("fastapi"));
	ck_assert_ptr_null(dep("aiosqlite"));
	ck_assert_ptr_null(dep("pytest"));
}
END_TEST

START_TEST(package_json_go_mod_compose_prisma)
{
	const char *msg = NULL;
	ck_assert_int_eq(scan("package.json", "{\"dependencies\": {\"@prisma/client\": \"^5.10.0\", \"express\": \"^4.19.2\"},"
					      " \"devDependencies\": {\"jest\": \"^29\"}, \"engines\": {\"node\": \">=20\"}}"), 0);
	ck_assert_int_eq(scan("go.mod", "module x\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.9.1\n"
					"\tgorm.io/gorm v1.25.9 // indirect\n)\nrequire github.com/lib/pq v1.10.9\n"), 0);
	ck_assert_int_eq(scan("deploy/docker-compose.yml", "services:\n  cache:\n    image: redis:7\n"
						   "  db:\n    image: \"postgres:16\"  # main\n"), 0);
	ck_assert_int_eq(scan("prisma/schema.prisma", "generator client {\n  provider = \"prisma-client-js\"\n}\n"
						      "datasource db {\n  provider = \"postgresql\"\n}\n"), 0);
	ck_assert_str_eq(dep("@prisma/client"), "^5.10.0");
	ck_assert_ptr_null(dep("jest"));
	ck_assert_str_eq(F.node_version, "20");
	ck_assert_str_eq(dep("github.com/gin-gonic/gin"), "v1.9.1");
	ck_assert_str_eq(dep("gorm.io/gorm"), "v1.25.9");
	ck_assert_str_eq(dep("github.com/lib/pq"), "v1.10.9");
	ck_assert_str_eq(F.go_version, "1.22");
	ck_assert_str_eq(F.compose_db, "postgresql");
	ck_assert_str_eq(F.compose_db_version, "16");
	ck_assert_str_eq(F.prisma_db, "postgresql");
	ck_assert_int_lt(manifest_scan(&F, "package.json", "{nope", 5, &msg), 0);
	ck_assert_ptr_nonnull(msg);
}
END_TEST

START_TEST(stack_from_facts)
{
	json_t *ts;
	ck_assert_int_eq(scan("requirements.txt", "starlette==0.37.2\nSQLAlchemy[asyncio]==2.0.29\nasyncpg==0.29.0\n"), 0);
	ts = stack_resolve(&F, json_pack("[s]", "python"));
	ck_assert_str_eq(json_string_value(json_object_get(ts, "db")), "postgresql");
	ck_assert_str_eq(json_string_value(json_object_get(ts, "driver")), "asyncpg");
	ck_assert_str_eq(json_string_value(json_object_get(ts, "orm")), "sqlalchemy");
	ck_assert_str_eq(json_string_value(json_object_get(ts, "orm_version")), "2.0.29");
	ck_assert_str_eq(json_string_value(json_object_get(ts, "web")), "starlette");
	ck_assert(json_is_true(json_object_get(ts, "async")));
	ck_assert(json_is_null(json_object_get(ts, "db_version")));
	ck_assert(json_is_null(json_object_get(ts, "python_version")));
	json_decref(ts);
}
END_TEST

START_TEST(stack_unknown_is_null)
{
	json_t *ts = stack_resolve(&F, json_array());
	static const char *const keys[] = { "db", "db_version", "driver", "orm", "orm_version",
					    "async", "web", "python_version", NULL };
	size_t i;
	for (i = 0; keys[i]; i++)
		ck_assert_msg(json_is_null(json_object_get(ts, keys[i])), "%s not null", keys[i]);
	json_decref(ts);
}
END_TEST

/* ---- TOML */

static char toml_seen[1024];

static void toml_collect(void *arg, const char *table, const char *key, const json_t *val)
{
	char *s = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY);
	size_t n = strlen(toml_seen);
	(void)arg;
	snprintf(toml_seen + n, sizeof(toml_seen) - n, "%s|%s=%s\n", table, key, s ? s : "?");
	free(s);
}

START_TEST(toml_forms)
{
	const char *t = "top = 1\n[a.\"b c\"]\nx.y = 'lit\\n'\nz = \"\"\"multi\nline\"\"\"\n"
			"arr = [ [1, 2], # c\n  \"s\",\n]\nt = { k = \"v\", n = { m = true } }\n[[arr2]]\nq = false\n";
	toml_seen[0] = '\0';
	ck_assert_int_eq(toml_walk(t, strlen(t), toml_collect, NULL), 0);
	ck_assert_str_eq(toml_seen, "|top=\"1\"\na.b c|x.y=\"lit\\\\n\"\na.b c|z=\"multi\\nline\"\n"
				    "a.b c|arr=[[\"1\",\"2\"],\"s\"]\na.b c|t={\"k\":\"v\",\"n\":{\"m\":true}}\narr2|q=false\n");
}
END_TEST

START_TEST(toml_malformed)
{
	static const char *const bad[] = { "x = \"unterminated\n", "[table\n", "= 3\n", "x = [1, 2\n",
					   "x = 1 y = 2\n", "x = {a = }\n", NULL };
	size_t i;
	for (i = 0; bad[i]; i++) {
		toml_seen[0] = '\0';
		ck_assert_msg(toml_walk(bad[i], strlen(bad[i]), toml_collect, NULL) < 0, "accepted %s", bad[i]);
	}
}
END_TEST

/* ---- Python sources */

static json_t *E, *S;

static void py_setup(void)
{
	facts_setup();
	E = json_array();
	S = json_array();
}

static void py_teardown(void)
{
	facts_teardown();
	json_decref(E);
	json_decref(S);
}

static void pyscan(const char *src)
{
	ck_assert_int_eq(pysrc_scan(&F, E, S, "app/db.py", src, strlen(src)), 0);
}

static const json_t *get(const json_t *arr, size_t i, const char *key)
{
	const json_t *o = json_array_get(arr, i);
	ck_assert_msg(o != NULL, "no element %zu", i);
	return json_object_get(o, key);
}

START_TEST(engine_and_factory_keywords)
{
	pyscan("import os\nfrom sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine\n"
	       "DB = os.environ.get('X', 'postgresql+asyncpg://u:secret@db/app')\n"
	       "engine = create_async_engine(\n    DB,\n    pool_size=8,  # comment pool_size=99\n"
	       "    max_overflow=-1, pool_pre_ping=True, pool_recycle=1_800,\n"
	       "    isolation_level=\"AUTOCOMMIT\", connect_args={'a': (1, 2)},\n)\n"
	       "SessionMaker = async_sessionmaker(engine, expire_on_commit=False, autoflush=settings.AF)\n");
	ck_assert_uint_eq(json_array_size(E), 1);
	ck_assert_str_eq(json_string_value(get(E, 0, "location")), "app/db.py:4");
	ck_assert_str_eq(json_string_value(get(E, 0, "kind")), "create_async_engine");
	ck_assert_str_eq(json_string_value(get(E, 0, "name")), "engine");
	ck_assert_str_eq(json_string_value(get(E, 0, "url")), "DB");
	ck_assert_int_eq(json_integer_value(get(E, 0, "pool_size")), 8);
	ck_assert_int_eq(json_integer_value(get(E, 0, "max_overflow")), -1);
	ck_assert(json_is_true(get(E, 0, "pool_pre_ping")));
	ck_assert_int_eq(json_integer_value(get(E, 0, "pool_recycle")), 1800);
	ck_assert_str_eq(json_string_value(get(E, 0, "isolation_level")), "AUTOCOMMIT");
	ck_assert(json_is_null(get(E, 0, "pool_timeout")));
	ck_assert_uint_eq(json_array_size(S), 1);
	ck_assert_str_eq(json_string_value(get(S, 0, "kind")), "async_sessionmaker");
	ck_assert_str_eq(json_string_value(get(S, 0, "name")), "SessionMaker");
	ck_assert_str_eq(json_string_value(get(S, 0, "location")), "app/db.py:10");
	ck_assert(json_is_false(get(S, 0, "expire_on_commit")));
	ck_assert_str_eq(json_string_value(get(S, 0, "autoflush")), "settings.AF");
	ck_assert_str_eq(json_string_value(get(S, 0, "bind")), "engine");
	ck_assert_str_eq(F.dsn_db, "postgresql");
	ck_assert_str_eq(F.dsn_driver, "asyncpg");
	ck_assert_int_eq(F.async_signal, 1);
	ck_assert_ptr_nonnull(json_object_get(F.imports, "sqlalchemy"));
	ck_assert_ptr_nonnull(json_object_get(F.imports, "sqlalchemy.ext.asyncio"));
}
END_TEST

START_TEST(session_forms)
{
	pyscan("from sqlalchemy import orm\nimport requests\n"
	       "Session = scoped_session(sessionmaker(bind=engine))\n"
	       "async_session = sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)\n"
	       "self.factory: sessionmaker = sessionmaker(engine)\n"
	       "with orm.Session(engine, autoflush=False) as s:\n    pass\n"
	       "http = requests.Session(adapter)\n"
	       "s2 = Session()\n"
	       "def sessionmaker(x):\n    return x\n"
	       "engine = sa.create_engine('postgresql://u:pw@h/db', pool_size=5)\n");
	ck_assert_uint_eq(json_array_size(S), 4);
	ck_assert_str_eq(json_string_value(get(S, 0, "name")), "Session");
	ck_assert_str_eq(json_string_value(get(S, 0, "bind")), "engine");
	ck_assert_str_eq(json_string_value(get(S, 1, "class_")), "AsyncSession");
	ck_assert_str_eq(json_string_value(get(S, 2, "name")), "self.factory");
	ck_assert_str_eq(json_string_value(get(S, 3, "kind")), "Session");
	ck_assert(json_is_null(get(S, 3, "name")));
	ck_assert(json_is_false(get(S, 3, "autoflush")));
	ck_assert_uint_eq(json_array_size(E), 1);
	ck_assert_str_eq(json_string_value(get(E, 0, "url")), "postgresql://u:***@h/db");
	ck_assert_int_eq(F.async_signal, 1); /* class_=AsyncSession */
}
END_TEST

START_TEST(comments_and_strings_are_not_calls)
{
	pyscan("# engine = create_engine(url, pool_size=1)\n"
	       "doc = \"\"\"\nSessionLocal = sessionmaker(expire_on_commit=True)\n\"\"\"\n"
	       "msg = 'create_async_engine(x, pool_size=3)'\n"
	       "def f():\n    return 1\n");
	ck_assert_uint_eq(json_array_size(E), 0);
	ck_assert_uint_eq(json_array_size(S), 0);
	ck_assert_int_eq(F.async_signal, 0);
	ck_assert_int_eq(F.python_sources, 1);
}
END_TEST

START_TEST(imports_and_relative)
{
	pyscan("import os, sqlalchemy as sa\nfrom aiohttp import web, ClientSession\nfrom . import models\n"
	       "from .db import x\nif True:\n    import fastapi\nasync def main():\n    pass\n");
	ck_assert_ptr_nonnull(json_object_get(F.imports, "os"));
	ck_assert_ptr_nonnull(json_object_get(F.imports, "sqlalchemy"));
	ck_assert_ptr_null(json_object_get(F.imports, "sa"));
	ck_assert_ptr_nonnull(json_object_get(F.imports, "aiohttp.web"));
	ck_assert_ptr_nonnull(json_object_get(F.imports, "fastapi"));
	ck_assert_ptr_null(json_object_get(F.imports, "models"));
	ck_assert_ptr_null(json_object_get(F.imports, "db"));
	ck_assert_int_eq(F.async_signal, 1);
}
END_TEST

START_TEST(dsn_forms)
{
	static const char *const in[] = { "postgresql://u:pw@h/db", "mysql://u@h/db", "sqlite:///x.db",
					  "postgresql://h/db?x=a:b@c", "redis://:longpassword@h", NULL };
	static const char *const out[] = { "postgresql://u:***@h/db", "mysql://u@h/db", "sqlite:///x.db",
					   "postgresql://h/db?x=a:b@c", "redis://:***@h" };
	char db[16], drv[32];
	size_t i;
	for (i = 0; in[i]; i++) {
		char *r = dsn_redact(in[i]);
		ck_assert_str_eq(r, out[i]);
		free(r);
	}
	ck_assert_int_eq(dsn_parse("postgres+pg8000://x", db, sizeof(db), drv, sizeof(drv)), 0);
	ck_assert_str_eq(db, "postgresql");
	ck_assert_str_eq(drv, "pg8000");
	ck_assert_int_eq(dsn_parse("sqlite:///:memory:", db, sizeof(db), drv, sizeof(drv)), 0);
	ck_assert_str_eq(db, "sqlite");
	ck_assert_str_eq(drv, "");
	ck_assert_int_lt(dsn_parse("https://x", db, sizeof(db), drv, sizeof(drv)), 0);
	ck_assert_int_lt(dsn_parse("postgresql", db, sizeof(db), drv, sizeof(drv)), 0);
}
END_TEST

START_TEST(py_string_values)
{
	char *s = py_string_value("rb'a\\nb'", 8);
	ck_assert_str_eq(s, "a\\nb");
	free(s);
	s = py_string_value("'''x\\ty'''", 10);
	ck_assert_str_eq(s, "x\ty");
	free(s);
	s = py_string_value("\"unterminated", 13);
	ck_assert_str_eq(s, "unterminated");
	free(s);
}
END_TEST

START_TEST(python_malformed)
{
	static const char *const bad[] = {
		"engine = create_engine(\n", "x = sessionmaker(expire_on_commit=", "create_engine(pool_size=)\n",
		"Session(", "s = '''unterminated\ncreate_engine(pool_size=1)", "\xff\xfe\x00\x01", NULL
	};
	size_t i;
	for (i = 0; bad[i]; i++)
		ck_assert_int_eq(pysrc_scan(&F, E, S, "x.py", bad[i], strlen(bad[i])), 0);
	/* whatever was recorded is well-formed */
	for (i = 0; i < json_array_size(E); i++)
		ck_assert(json_is_string(get(E, i, "location")));
}
END_TEST

/* ---- triggers */

static struct trig_db TD;
static json_t *TR;

static void trig_setup(void)
{
	ck_assert_int_eq(trig_db_init(&TD), 0);
	TR = NULL;
}

static void trig_teardown(void)
{
	trig_db_free(&TD);
	json_decref(TR);
}

static const char *tget(size_t i, const char *key)
{
	const json_t *v = json_object_get(json_array_get(TR, i), key);
	ck_assert_msg(v != NULL, "trigger %zu has no %s", i, key);
	return json_is_null(v) ? "(null)" : json_is_true(v) ? "true" : json_is_false(v) ? "false" : json_string_value(v);
}

START_TEST(sql_trigger_and_function)
{
	const char *sql =
		"-- CREATE TRIGGER commented AFTER INSERT ON nope EXECUTE FUNCTION f();\n"
		"CREATE OR REPLACE FUNCTION public.orders_notify() RETURNS trigger AS $body$\n"
		"BEGIN\n  -- NOTIFY wrong;\n  PERFORM pg_notify('order''s', row_to_json(NEW)::text);\n"
		"  RETURN NEW;\nEND;\n$body$ LANGUAGE plpgsql;\n"
		"/* CREATE TRIGGER also_commented AFTER DELETE ON x EXECUTE FUNCTION g(); */\n"
		"create trigger \"Orders_Changed\"\n  after insert or update of status, total or delete\n"
		"  on \"Sales\".\"Orders\" for each row execute procedure public.orders_notify();\n";
	ck_assert_int_eq(triggers_scan_sql(&TD, "db/001.sql", sql, strlen(sql)), 0);
	TR = triggers_finish(&TD);
	ck_assert_uint_eq(json_array_size(TR), 1);
	ck_assert_str_eq(tget(0, "name"), "Orders_Changed");
	ck_assert_str_eq(tget(0, "table"), "Orders");
	ck_assert_str_eq(tget(0, "schema"), "Sales");
	ck_assert_str_eq(tget(0, "timing"), "AFTER");
	ck_assert_str_eq(tget(0, "event"), "INSERT OR UPDATE OR DELETE");
	ck_assert_str_eq(tget(0, "function"), "orders_notify");
	ck_assert_str_eq(tget(0, "notify"), "true");
	ck_assert_str_eq(tget(0, "channel"), "order's");
	ck_assert_str_eq(tget(0, "location"), "db/001.sql:10");
}
END_TEST

START_TEST(sql_notify_statement_and_other_files)
{
	const char *f1 = "CREATE FUNCTION audit_fn() RETURNS trigger LANGUAGE plpgsql AS '\n"
			 "BEGIN NOTIFY audit_events; RETURN NULL; END';\n"
			 "CREATE FUNCTION plain_fn() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;\n"
			 "CREATE FUNCTION dyn_fn() RETURNS trigger AS $$ BEGIN PERFORM pg_notify(TG_ARGV[0], 'x'); RETURN NEW; END $$ LANGUAGE plpgsql;\n";
	const char *f2 = "CREATE CONSTRAINT TRIGGER a_trg AFTER INSERT ON audit EXECUTE FUNCTION audit_fn();\n"
			 "CREATE TRIGGER b_trg BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION plain_fn();\n"
			 "CREATE TRIGGER c_trg INSTEAD OF DELETE ON v EXECUTE FUNCTION missing_fn();\n"
			 "CREATE TRIGGER d_trg AFTER TRUNCATE ON t EXECUTE FUNCTION dyn_fn('chan');\n"
			 "CREATE TRIGGER IF NOT EXISTS e_trg AFTER INSERT ON log BEGIN UPDATE x SET n = n + 1; END;\n";
	ck_assert_int_eq(triggers_scan_sql(&TD, "b.sql", f2, strlen(f2)), 0);
	ck_assert_int_eq(triggers_scan_sql(&TD, "a.sql", f1, strlen(f1)), 0);
	TR = triggers_finish(&TD);
	ck_assert_uint_eq(json_array_size(TR), 5);
	ck_assert_str_eq(tget(0, "notify"), "true");
	ck_assert_str_eq(tget(0, "channel"), "audit_events");
	ck_assert_str_eq(tget(1, "notify"), "false");
	ck_assert_str_eq(tget(1, "timing"), "BEFORE");
	ck_assert_str_eq(tget(2, "timing"), "INSTEAD OF");
	ck_assert_str_eq(tget(2, "notify"), "(null)"); /* function not found: unknown */
	ck_assert_str_eq(tget(3, "event"), "TRUNCATE");
	ck_assert_str_eq(tget(3, "notify"), "true");
	ck_assert_str_eq(tget(3, "channel"), "(null)");
	ck_assert_str_eq(tget(4, "function"), "(null)");
	ck_assert_str_eq(tget(4, "notify"), "false");
	ck_assert_str_eq(tget(4, "location"), "b.sql:5");
}
END_TEST

START_TEST(alembic_op_execute)
{
	const char *py =
		"from alembic import op\n"
		"# op.execute('CREATE TRIGGER in_comment AFTER INSERT ON c EXECUTE FUNCTION f()')\n"
		"def upgrade():\n"
		"    op.execute(\n        \"\"\"\n        CREATE OR REPLACE FUNCTION shipment_changed() RETURNS trigger AS $$\n"
		"        BEGIN\n            PERFORM pg_notify('shipment_status', NEW.id::text);\n"
		"            RETURN NEW;\n        END;\n        $$ LANGUAGE plpgsql\n        \"\"\"\n    )\n"
		"    op.execute(\"CREATE TRIGGER ship_trg \"\n               \"AFTER UPDATE ON shipments \"\n"
		"               'FOR EACH ROW EXECUTE FUNCTION shipment_changed()')\n"
		"    op.execute(sa.text(\"CREATE TRIGGER t2\\nAFTER INSERT ON lines\\nEXECUTE FUNCTION shipment_changed()\"))\n";
	ck_assert_int_eq(triggers_scan_python(&TD, "alembic/versions/1_x.py", py, strlen(py)), 0);
	TR = triggers_finish(&TD);
	ck_assert_uint_eq(json_array_size(TR), 2);
	ck_assert_str_eq(tget(0, "name"), "ship_trg");
	ck_assert_str_eq(tget(0, "table"), "shipments");
	ck_assert_str_eq(tget(0, "event"), "UPDATE");
	ck_assert_str_eq(tget(0, "channel"), "shipment_status");
	ck_assert_str_eq(tget(0, "location"), "alembic/versions/1_x.py:14");
	ck_assert_str_eq(tget(1, "table"), "lines");
	ck_assert_str_eq(tget(1, "location"), "alembic/versions/1_x.py:17");
}
END_TEST

START_TEST(clike_template_literals)
{
	const char *ts = "// CREATE TRIGGER no AFTER INSERT ON x EXECUTE FUNCTION f();\n"
			 "export async function up(q) {\n  await q.query(`\n    CREATE TRIGGER jobs_trg AFTER INSERT ON jobs\n"
			 "    FOR EACH ROW EXECUTE FUNCTION jobs_fn();\n  `);\n"
			 "  await q.query('CREATE FUNCTION jobs_fn() RETURNS trigger AS $$ BEGIN ' +\n"
			 "    \"NOTIFY jobs; RETURN NEW; END $$ LANGUAGE plpgsql\");\n}\n";
	ck_assert_int_eq(triggers_scan_clike(&TD, "migrations/1.ts", ts, strlen(ts)), 0);
	TR = triggers_finish(&TD);
	ck_assert_uint_eq(json_array_size(TR), 1);
	ck_assert_str_eq(tget(0, "table"), "jobs");
	ck_assert_str_eq(tget(0, "location"), "migrations/1.ts:4");
	ck_assert_str_eq(tget(0, "channel"), "jobs");
}
END_TEST

/* A TypeORM migration (queryRunner.query with a template literal) and a
 * knex migration (knex.raw), both "UPDATE OF" column lists recorded. */
START_TEST(typeorm_knex_update_of_columns)
{
	const char *typeorm = "import { MigrationInterface, QueryRunner } from \"typeorm\";\n"
			      "export class Jobs1700 implements MigrationInterface {\n"
			      "  public async up(queryRunner: QueryRunner): Promise<void> {\n"
			      "    await queryRunner.query(`CREATE FUNCTION job_fn() RETURNS trigger AS $$ BEGIN\n"
			      "      PERFORM pg_notify('job_progress', NEW.id::text); RETURN NEW; END $$ LANGUAGE plpgsql`);\n"
			      "    await queryRunner.query(`CREATE TRIGGER job_trg AFTER UPDATE OF progress, \"Status\" ON jobs\n"
			      "      FOR EACH ROW EXECUTE FUNCTION job_fn()`);\n  }\n}\n";
	const char *knex = "exports.up = async (knex) => {\n"
			   "  await knex.raw(\"CREATE TRIGGER o_trg AFTER INSERT OR UPDATE ON orders \" +\n"
			   "    \"FOR EACH ROW EXECUTE PROCEDURE job_fn()\");\n};\n";
	const json_t *cols;
	ck_assert_int_eq(triggers_scan_clike(&TD, "src/migrations/1700-Jobs.ts", typeorm, strlen(typeorm)), 0);
	ck_assert_int_eq(triggers_scan_clike(&TD, "migrations/2024_orders.js", knex, strlen(knex)), 0);
	TR = triggers_finish(&TD);
	ck_assert_uint_eq(json_array_size(TR), 2);
	ck_assert_str_eq(tget(0, "name"), "job_trg");
	ck_assert_str_eq(tget(0, "event"), "UPDATE");
	ck_assert_str_eq(tget(0, "channel"), "job_progress");
	ck_assert_str_eq(tget(0, "location"), "src/migrations/1700-Jobs.ts:6");
	cols = json_object_get(json_array_get(TR, 0), "columns");
	ck_assert_uint_eq(json_array_size(cols), 2);
	ck_assert_str_eq(json_string_value(json_array_get(cols, 0)), "progress");
	ck_assert_str_eq(json_string_value(json_array_get(cols, 1)), "Status"); /* quoted: case kept */
	ck_assert_str_eq(tget(1, "name"), "o_trg");
	ck_assert_str_eq(tget(1, "event"), "INSERT OR UPDATE");
	ck_assert_str_eq(tget(1, "columns"), "(null)");
	ck_assert_str_eq(tget(1, "channel"), "job_progress");
}
END_TEST

START_TEST(sql_malformed)
{
	static const char *const bad[] = {
		"CREATE TRIGGER", "CREATE TRIGGER x AFTER", "CREATE TRIGGER x AFTER FLY ON t",
		"CREATE TRIGGER x AFTER INSERT ON", "CREATE FUNCTION f() AS $$ never closed",
		"CREATE FUNCTION", "'unterminated", "/* open comment", "\"open ident", "$a$ x $b$",
		"CREATE TRIGGER x AFTER INSERT OR ON t EXECUTE FUNCTION", NULL
	};
	size_t i;
	for (i = 0; bad[i]; i++)
		ck_assert_int_eq(triggers_scan_sql(&TD, "bad.sql", bad[i], strlen(bad[i])), 0);
	TR = triggers_finish(&TD);
	for (i = 0; i < json_array_size(TR); i++)
		ck_assert_ptr_nonnull(json_object_get(json_array_get(TR, i), "table"));
}
END_TEST

/* ---- Linear */

START_TEST(linear_table)
{
	const char *md = "# Board\n| Team ID | nope |\n\n## Linear Configuration\n\n| Setting | Value |\n|---|---|\n"
			 "| **Team ID** | `abc123` |\n| team_key | `PERF` |\n| Team UUID | 5f0c-11 |\n\n## Other\n| Team Key | X |\n";
	json_t *l = linear_parse(md, strlen(md));
	ck_assert_str_eq(json_string_value(json_object_get(l, "team_id")), "abc123");
	ck_assert_str_eq(json_string_value(json_object_get(l, "team_key")), "PERF");
	ck_assert_str_eq(json_string_value(json_object_get(l, "team_uuid")), "5f0c-11");
	json_decref(l);
}
END_TEST

START_TEST(linear_absent)
{
	const char *md = "# Board\n\nNo table here.\n| a | b |\n";
	json_t *l = linear_parse(md, strlen(md));
	ck_assert_uint_eq(json_object_size(l), 3);
	ck_assert(json_is_null(json_object_get(l, "team_id")));
	ck_assert(json_is_null(json_object_get(l, "team_key")));
	ck_assert(json_is_null(json_object_get(l, "team_uuid")));
	json_decref(l);
	l = linear_parse("| Team Key | |\n|", 15);
	ck_assert(json_is_null(json_object_get(l, "team_key")));
	json_decref(l);
}
END_TEST

/* ---- discover_context on a tree */

static char root[256];
static char warned[2048];

static void collect_warn(void *arg, const char *path, unsigned line, const char *msg)
{
	size_t n = strlen(warned);
	(void)arg;
	snprintf(warned + n, sizeof(warned) - n, "%s:%u: %s\n", path, line, msg);
}

static void put(const char *rel, const char *text)
{
	char path[512], *slash;
	FILE *fp;
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

static void tree_setup(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(root, sizeof(root), "%s/discXXXXXX", t && *t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(root));
	warned[0] = '\0';
}

static void tree_teardown(void)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
}

START_TEST(context_of_tree)
{
	struct discover_opts o = { 0, 1, collect_warn, NULL, 0, NULL };
	struct jsonio_err err;
	json_t *doc, *ts, *dbc, *files;
	put("pyproject.toml", "[project]\ndependencies = [\"fastapi>=0.110\", \"sqlalchemy>=2.0,<3\", \"psycopg2-binary\"]\n");
	put("docker-compose.yml", "services:\n  db:\n    image: postgres:16\n");
	put("app/db.py", "from sqlalchemy import create_engine\nengine = create_engine(URL, pool_size=3)\n"
			 "SessionLocal = sessionmaker(bind=engine, autoflush=False)\n");
	put("app/main.py", "from fastapi import FastAPI\n");
	put("tests/conftest.py", "engine = create_engine('sqlite://', pool_size=1)\n");
	put("tests/requirements.txt", "aiosqlite\n");
	put("migrations/001.sql", "CREATE TRIGGER t AFTER INSERT ON items EXECUTE FUNCTION f();\n");
	put("docs/tasks/kanban_board.md", "## Linear Configuration\n| Team Key | `ABC` |\n");
	put("data.bin.py", "x");
	put("zz.py", "a\xff\n");
	memset(&err, 0, sizeof(err));
	doc = discover_context(root, &o, &err);
	ck_assert_msg(doc != NULL, "%s", err.msg);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "schema")), "pperf.context/1");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "generated_by")), "pperf-discover " PPERF_VERSION);
	ts = json_object_get(doc, "tech_stack");
	ck_assert_str_eq(json_string_value(json_object_get(ts, "db")), "postgresql");
	ck_assert_str_eq(json_string_value(json_object_get(ts, "db_version")), "16");
	ck_assert_str_eq(json_string_value(json_object_get(ts, "driver")), "psycopg2");
	ck_assert_str_eq(json_string_value(json_object_get(ts, "orm_version")), "2.0");
	ck_assert_str_eq(json_string_value(json_object_get(ts, "web")), "fastapi");
	ck_assert(json_is_false(json_object_get(ts, "async")));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(ts, "languages"), 0)), "python");
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "manifests")), 2);
	dbc = json_object_get(doc, "db_config");
	ck_assert_int_eq(json_integer_value(json_object_get(dbc, "pool_size")), 3);
	ck_assert(json_is_false(json_object_get(dbc, "autoflush")));
	ck_assert(json_is_null(json_object_get(dbc, "expire_on_commit")));
	ck_assert_uint_eq(json_array_size(json_object_get(dbc, "engines")), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(dbc, "triggers")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "linear"), "team_key")), "ABC");
	files = json_object_get(doc, "files");
	ck_assert_uint_eq(json_array_size(files), 10);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(files, 0), "path")), "app/db.py");
	ck_assert_msg(strstr(warned, "zz.py:1: invalid UTF-8"), "%s", warned);
	json_decref(doc);
}
END_TEST

START_TEST(context_missing_root)
{
	struct jsonio_err err;
	char p[300];
	snprintf(p, sizeof(p), "%s/absent", root);
	memset(&err, 0, sizeof(err));
	ck_assert_ptr_null(discover_context(p, NULL, &err));
	ck_assert_int_eq(err.status, EXIT_IO);
	ck_assert_str_eq(err.msg, "No such file or directory");
	ck_assert_str_eq(err.file, p);
	put("f", "x");
	snprintf(p, sizeof(p), "%s/f", root);
	ck_assert_ptr_null(discover_context(p, NULL, &err));
	ck_assert_int_eq(err.status, EXIT_IO);
	ck_assert_str_eq(err.msg, "Not a directory");
}
END_TEST

Suite *suite_discover(void)
{
	Suite *s = suite_create("discover");
	TCase *man = tcase_create("manifests");
	TCase *py = tcase_create("python");
	TCase *trg = tcase_create("triggers");
	TCase *lin = tcase_create("linear");
	TCase *ctx = tcase_create("context");
	TCase *bad = tcase_create("malformed");
	tcase_add_loop_test(man, requirement_lines, 0, (int)(sizeof(req_cases) / sizeof(req_cases[0])));
	tcase_add_loop_test(man, version_bounds, 0, (int)(sizeof(ver_cases) / sizeof(ver_cases[0])));
	tcase_add_loop_test(man, compose_images, 0, (int)(sizeof(img_cases) / sizeof(img_cases[0])));
	tcase_add_checked_fixture(man, facts_setup, facts_teardown);
	tcase_add_test(man, pyproject_pep621_and_poetry);
	tcase_add_test(man, pyproject_poetry_tables);
	tcase_add_test(man, pipfile_setup_cfg_setup_py);
	tcase_add_test(man, requirements_files);
	tcase_add_test(man, package_json_go_mod_compose_prisma);
	tcase_add_test(man, stack_from_facts);
	tcase_add_test(man, stack_unknown_is_null);
	tcase_add_test(man, toml_forms);
	tcase_add_checked_fixture(py, py_setup, py_teardown);
	tcase_add_test(py, engine_and_factory_keywords);
	tcase_add_test(py, session_forms);
	tcase_add_test(py, comments_and_strings_are_not_calls);
	tcase_add_test(py, imports_and_relative);
	tcase_add_test(py, py_string_values);
	tcase_add_test(py, dsn_forms);
	tcase_add_checked_fixture(trg, trig_setup, trig_teardown);
	tcase_add_test(trg, sql_trigger_and_function);
	tcase_add_test(trg, sql_notify_statement_and_other_files);
	tcase_add_test(trg, alembic_op_execute);
	tcase_add_test(trg, clike_template_literals);
	tcase_add_test(trg, typeorm_knex_update_of_columns);
	tcase_add_test(lin, linear_table);
	tcase_add_test(lin, linear_absent);
	tcase_add_checked_fixture(ctx, tree_setup, tree_teardown);
	tcase_add_test(ctx, context_of_tree);
	tcase_add_test(ctx, context_missing_root);
	tcase_add_checked_fixture(bad, py_setup, py_teardown);
	tcase_add_checked_fixture(bad, trig_setup, trig_teardown);
	tcase_add_test(bad, requirement_non_lines);
	tcase_add_test(bad, toml_malformed);
	tcase_add_test(bad, python_malformed);
	tcase_add_test(bad, sql_malformed);
	suite_add_tcase(s, man);
	suite_add_tcase(s, py);
	suite_add_tcase(s, trg);
	suite_add_tcase(s, lin);
	suite_add_tcase(s, ctx);
	suite_add_tcase(s, bad);
	return s;
}
