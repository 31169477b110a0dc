/*
 * discover_stack: from collected facts to the tech_stack object.
 *
 * Each answer comes from the strongest evidence present, in this order:
 * declared runtime dependencies, then imports in the sources.  The
 * database comes from a compose image, a Prisma datasource, a driver
 * dependency, a DSN literal, then a driver import.  Nothing is guessed:
 * without evidence the field is null.
 */
#include <stdlib.h>
#include <string.h>

#include "discover_p.h"
#include "banned.h"

struct known {
	const char *dep;   /* dependency name (a trailing '/' means "this module path or below") */
	const char *value; /* what it tells */
	const char *extra; /* db tables: the driver name */
};

static const struct known webs[] = {
	{ "fastapi", "fastapi", NULL }, { "django", "django", NULL }, { "flask", "flask", NULL },
	{ "quart", "quart", NULL }, { "sanic", "sanic", NULL }, { "litestar", "litestar", NULL },
	{ "tornado", "tornado", NULL }, { "falcon", "falcon", NULL }, { "starlette", "starlette", NULL },
	{ "@nestjs/core", "nestjs", NULL }, { "fastify", "fastify", NULL }, { "koa", "koa", NULL },
	{ "hono", "hono", NULL }, { "express", "express", NULL },
	{ "github.com/gin-gonic/gin", "gin", NULL }, { "github.com/go-chi/chi/", "chi", NULL },
	{ "github.com/labstack/echo/", "echo", NULL }, { "github.com/gofiber/fiber/", "fiber", NULL },
	{ "github.com/gorilla/mux", "gorilla", NULL },
	{ NULL, NULL, NULL }
};

static const struct known orms[] = {
	{ "sqlmodel", "sqlmodel", NULL }, { "django", "django", NULL },
	{ "tortoise-orm", "tortoise", NULL }, { "peewee", "peewee", NULL }, { "pony", "pony", NULL },
	{ "ormar", "ormar", NULL }, { "piccolo", "piccolo", NULL }, { "sqlalchemy", "sqlalchemy", NULL },
	{ "flask-sqlalchemy", "sqlalchemy", NULL },
	{ "@prisma/client", "prisma", NULL }, { "prisma", "prisma", NULL }, { "typeorm", "typeorm", NULL },
	{ "sequelize", "sequelize", NULL }, { "@mikro-orm/core", "mikro-orm", NULL },
	{ "drizzle-orm", "drizzle", NULL }, { "objection", "objection", NULL }, { "knex", "knex", NULL },
	{ "gorm.io/gorm", "gorm", NULL }, { "github.com/jinzhu/gorm", "gorm", NULL },
	{ "entgo.io/ent", "ent", NULL }, { "github.com/uptrace/bun", "bun", NULL },
	{ NULL, NULL, NULL }
};

static const struct known drivers[] = {
	{ "asyncpg", "postgresql", "asyncpg" }, { "psycopg", "postgresql", "psycopg" },
	{ "psycopg-binary", "postgresql", "psycopg" }, { "psycopg-c", "postgresql", "psycopg" },
	{ "psycopg2", "postgresql", "psycopg2" }, { "psycopg2-binary", "postgresql", "psycopg2" },
	{ "pg8000", "postgresql", "pg8000" }, { "aiopg", "postgresql", "aiopg" },
	{ "pymysql", "mysql", "pymysql" }, { "mysqlclient", "mysql", "mysqlclient" },
	{ "aiomysql", "mysql", "aiomysql" }, { "asyncmy", "mysql", "asyncmy" },
	{ "mysql-connector-python", "mysql", "mysql-connector" }, { "aiosqlite", "sqlite", "aiosqlite" },
	{ "pg", "postgresql", "pg" }, { "postgres", "postgresql", "postgres" },
	{ "pg-promise", "postgresql", "pg-promise" }, { "mysql", "mysql", "mysql" },
	{ "mysql2", "mysql", "mysql2" }, { "sqlite3", "sqlite", "sqlite3" },
	{ "better-sqlite3", "sqlite", "better-sqlite3" },
	{ "github.com/lib/pq", "postgresql", "pq" }, { "github.com/jackc/pgx/", "postgresql", "pgx" },
	{ "gorm.io/driver/postgres", "postgresql", "pgx" },
	{ "github.com/go-sql-driver/mysql", "mysql", "go-sql-driver/mysql" },
	{ "gorm.io/driver/mysql", "mysql", "go-sql-driver/mysql" },
	{ "github.com/mattn/go-sqlite3", "sqlite", "go-sqlite3" },
	{ "gorm.io/driver/sqlite", "sqlite", "go-sqlite3" }, { "modernc.org/sqlite", "sqlite", "modernc-sqlite" },
	{ NULL, NULL, NULL }
};

/* Python modules whose import alone tells (when no manifest does). */
static const struct known web_imports[] = {
	{ "fastapi", "fastapi", NULL }, { "django", "django", NULL }, { "flask", "flask", NULL },
	{ "quart", "quart", NULL }, { "sanic", "sanic", NULL }, { "litestar", "litestar", NULL },
	{ "tornado", "tornado", NULL }, { "falcon", "falcon", NULL }, { "starlette", "starlette", NULL },
	{ "aiohttp.web", "aiohttp", NULL }, { NULL, NULL, NULL }
};

static const struct known orm_imports[] = {
	{ "sqlmodel", "sqlmodel", NULL }, { "django.db", "django", NULL }, { "tortoise", "tortoise", NULL },
	{ "peewee", "peewee", NULL }, { "sqlalchemy", "sqlalchemy", NULL }, { NULL, NULL, NULL }
};

static const struct known driver_imports[] = {
	{ "asyncpg", "postgresql", "asyncpg" }, { "psycopg", "postgresql", "psycopg" },
	{ "psycopg2", "postgresql", "psycopg2" }, { "pg8000", "postgresql", "pg8000" },
	{ "pymysql", "mysql", "pymysql" }, { "MySQLdb", "mysql", "mysqlclient" },
	{ "aiomysql", "mysql", "aiomysql" }, { "aiosqlite", "sqlite", "aiosqlite" },
	{ NULL, NULL, NULL }
};

/* 1 when the dependency key matches a table entry. */
static int dep_matches(const char *key, const char *dep)
{
	size_t n = strlen(dep);
	if (n && dep[n - 1] == '/') /* module path prefix: "x/" matches "x" and "x/..." */
		return strncmp(key, dep, n - 1) == 0 && (key[n - 1] == '\0' || key[n - 1] == '/');
	return strcmp(key, dep) == 0;
}

/* First table entry (in table order) present in deps; its key via *key. */
static const struct known *find_dep(const json_t *deps, const struct known *tab, const char **key)
{
	for (; tab->dep; tab++) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)deps, k, v) {
			if (dep_matches(k, tab->dep)) {
				*key = k;
				return tab;
			}
		}
	}
	return NULL;
}

static const struct known *find_import(const json_t *imports, const struct known *tab)
{
	for (; tab->dep; tab++)
		if (json_object_get(imports, tab->dep))
			return tab;
	return NULL;
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* Lower bound of the version pinned for dependency key, as JSON. */
static json_t *dep_version(const json_t *deps, const char *key)
{
	char v[32];
	const char *spec = key ? json_string_value(json_object_get(deps, key)) : NULL;
	if (spec && version_lower_bound(spec, v, sizeof(v)) == 0)
		return json_string(v);
	return json_null();
}

/* Sets web and web_version. */
static void resolve_web(json_t *ts, const struct disc_facts *f)
{
	const char *key = NULL;
	const struct known *k = find_dep(f->deps, webs, &key);
	if (!k) {
		k = find_import(f->imports, web_imports);
		key = NULL;
	}
	json_object_set_new(ts, "web", str_or_null(k ? k->value : NULL));
	json_object_set_new(ts, "web_version", dep_version(f->deps, key));
}

static void resolve_orm(json_t *ts, const struct disc_facts *f)
{
	const char *key = NULL;
	const struct known *k = find_dep(f->deps, orms, &key);
	if (k && strcmp(k->dep, "flask-sqlalchemy") == 0)
		key = NULL; /* its version is not SQLAlchemy's */
	if (!k)
		k = find_import(f->imports, orm_imports);
	json_object_set_new(ts, "orm", str_or_null(k ? k->value : NULL));
	json_object_set_new(ts, "orm_version", dep_version(f->deps, key));
}

/* The first driver dependency (in manifest order) of database db. */
static const struct known *driver_dep_for(const json_t *deps, const char *db)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)deps, k, v) {
		const struct known *d;
		for (d = drivers; d->dep; d++)
			if (dep_matches(k, d->dep) && (!db || strcmp(d->value, db) == 0))
				return d;
	}
	return NULL;
}

static void resolve_db(json_t *ts, const struct disc_facts *f)
{
	const char *db = NULL, *driver = NULL, *ver = NULL;
	const struct known *d = driver_dep_for(f->deps, NULL), *di;
	if (*f->compose_db) {
		db = f->compose_db;
		ver = f->compose_db_version;
	} else if (*f->prisma_db) {
		db = f->prisma_db;
	} else if (d) {
		db = d->value;
	} else if (*f->dsn_db) {
		db = f->dsn_db;
	} else if ((di = find_import(f->imports, driver_imports)) != NULL) {
		db = di->value;
		driver = di->extra;
	}
	if (db && !driver && *f->dsn_driver && strcmp(f->dsn_db, db) == 0)
		driver = f->dsn_driver;
	if (db && !driver && (d = driver_dep_for(f->deps, db)) != NULL)
		driver = d->extra;
	json_object_set_new(ts, "db", str_or_null(db));
	json_object_set_new(ts, "db_version", str_or_null(ver));
	json_object_set_new(ts, "driver", str_or_null(driver));
}

static int async_dep(const json_t *deps)
{
	static const char *const names[] = { "asyncpg", "aiosqlite", "aiomysql", "asyncmy",
					      "databases", NULL };
	size_t i;
	for (i = 0; names[i]; i++)
		if (json_object_get(deps, names[i]))
			return 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A copy of obj with its keys sorted. */
static json_t *sorted_copy(const json_t *obj)
{
	size_t n = json_object_size(obj), i = 0;
	const char **keys = malloc((n ? n : 1) * sizeof(*keys)), *k;
	json_t *out = json_object(), *v;
	if (!keys || !out) {
		free(keys);
		json_decref(out);
		return NULL;
	}
	json_object_foreach((json_t *)obj, k, v)
		keys[i++] = k;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 0; i < n; i++)
		json_object_set(out, keys[i], json_object_get(obj, keys[i]));
	free(keys);
	return out;
}

json_t *stack_resolve(const struct disc_facts *f, json_t *languages)
{
	json_t *ts = json_object();
	if (!ts) {
		json_decref(languages);
		return NULL;
	}
	json_object_set_new(ts, "languages", languages ? languages : json_array());
	resolve_db(ts, f);
	resolve_orm(ts, f);
	if (f->async_signal || async_dep(f->deps))
		json_object_set_new(ts, "async", json_true());
	else
		json_object_set_new(ts, "async", f->python_sources ? json_false() : json_null());
	resolve_web(ts, f);
	json_object_set_new(ts, "python_version", str_or_null(f->python_version));
	json_object_set_new(ts, "go_version", str_or_null(f->go_version));
	json_object_set_new(ts, "node_version", str_or_null(f->node_version));
	json_object_set_new(ts, "dependencies", sorted_copy(f->deps));
	return ts;
}
