/*
 * discover_p: the private rooms of discover, shared between its files and
 * the unit tests.
 *
 *   manifest.c        manifests -> dependencies, versions, compose images
 *   discover_toml.c   the small TOML reader manifest.c needs
 *   discover_stack.c  facts -> tech_stack
 *   discover_py.c     Python sources -> imports, DSNs, engines, session factories
 *   triggers.c        SQL (plain, or inside Python/JS/Go strings) -> triggers
 *   discover_lock.c   lock files -> exact versions (tech_stack.locked)
 *   discover.c        the walk, the Linear table, the document
 */
#ifndef PPERF_DISCOVER_P_H
#define PPERF_DISCOVER_P_H

#include <stddef.h>
#include <jansson.h>

/* What the scanners learn; turned into tech_stack by stack_resolve(). */
struct disc_facts {
	json_t *deps;      /* main dependencies: normalised name -> version spec or null */
	json_t *imports;   /* set: imported modules ("sqlalchemy", "sqlalchemy.orm", "aiohttp.web") */
	char python_version[32], go_version[32], node_version[32];
	char compose_db[16], compose_db_version[32]; /* first database image of a compose file */
	char prisma_db[16];                          /* datasource provider of schema.prisma */
	char dsn_db[16], dsn_driver[32];             /* first DSN literal in Python sources */
	int async_signal;   /* async def, create_async_engine, async_sessionmaker, AsyncSession */
	int python_sources; /* Python source files scanned */
};

/* 0, or -1 on allocation failure. disc_facts_free releases the members. */
int disc_facts_init(struct disc_facts *f);
void disc_facts_free(struct disc_facts *f);

/* ---- manifest.c */

/*
 * Parses one PEP 508 requirement line ("SQLAlchemy[asyncio]>=2.0,<3 ; x").
 * name gets the normalised name (lowercase, '_' and '.' -> '-'), spec the
 * version specifier ("" when none or a URL).  0, or -1 when s is not a
 * requirement (blank, comment, option such as -r/-e).
 */
int req_parse(const char *s, size_t len, char *name, size_t namesz, char *spec, size_t specsz);

/*
 * Lower bound of a version specifier: ">=2.0,<3" -> "2.0", "==2.0.29" ->
 * "2.0.29", "^10.3.0" -> "10.3.0", "v1.25.9" -> "1.25.9", "<3" or "*" ->
 * none.  Writes into out and returns 0, or returns -1 when there is none.
 */
int version_lower_bound(const char *spec, char *out, size_t outsz);

/*
 * Image reference "postgres:16.2-alpine" -> db "postgresql", version
 * "16.2".  0 when the image is a database, else -1.
 */
int compose_image_db(const char *image, char *db, size_t dbsz, char *ver, size_t versz);

/* Adds the requirement s[0..n) to the dependencies (ignored when not one). */
void manifest_add_requirement(struct disc_facts *f, const char *s, size_t n);
/* Sets python_version from a specifier such as ">=3.11" unless already set. */
void manifest_set_python(struct disc_facts *f, const char *spec);

/*
 * Reads one manifest (chosen by its basename) into the facts.  0, or -1
 * with *msg (static) when it is malformed (a warning; the run goes on).
 */
int manifest_scan(struct disc_facts *f, const char *path, const char *text, size_t len,
		  const char **msg);

/* ---- discover_toml.c */

/*
 * Minimal TOML: calls cb for each "key = value" with the table name
 * ("" at top), the key and the value as JSON (string, number text as
 * string, true/false, array, object for inline tables; borrowed).
 */
typedef void (*toml_cb)(void *arg, const char *table, const char *key, const json_t *val);
/* 0, or -1 at the first syntax error it cannot skip (callbacks made so far stand). */
int toml_walk(const char *text, size_t len, toml_cb cb, void *arg);

/* ---- discover_stack.c */

/* Builds tech_stack (new reference); languages is stolen. NULL on OOM. */
json_t *stack_resolve(const struct disc_facts *f, json_t *languages);

/* ---- discover_py.c */

/*
 * Content of a Python string token text[0..len) (prefix and quotes
 * removed, simple escapes decoded unless raw).  malloc'd, caller frees;
 * NULL on allocation failure.
 */
char *py_string_value(const char *text, size_t len);

/* install_requires and python_requires of a setup.py.  0 or -1 on OOM. */
int setup_py_scan(struct disc_facts *f, const char *text, size_t len);

/* Copy of url with its password hidden ("a://u:pw@h" -> "a://u:***@h").
 * malloc'd, caller frees; NULL on allocation failure. */
char *dsn_redact(const char *url);
/* "postgresql+asyncpg://..." -> db "postgresql", driver "asyncpg" (or ""). 0 or -1. */
int dsn_parse(const char *s, char *db, size_t dbsz, char *driver, size_t driversz);

/*
 * Scans one Python file: imports, async def, DSN literals into f; calls
 * of create_engine/create_async_engine into engines and of
 * sessionmaker/async_sessionmaker/Session/AsyncSession into factories
 * (arrays of objects, appended).  collect_calls 0 only gathers imports.
 * 0, or -1 on allocation failure.
 */
int pysrc_scan(struct disc_facts *f, json_t *engines, json_t *factories, const char *path,
	       const char *text, size_t len);

/* ---- triggers.c */

struct trig_db {
	json_t *triggers;  /* array of trigger objects, "notify"/"channel" unresolved */
	json_t *functions; /* lowercased function name -> {"notify","channel","location"} */
};
int trig_db_init(struct trig_db *db);
void trig_db_free(struct trig_db *db);

/* Scans SQL text (path for locations).  0, or -1 on allocation failure. */
int triggers_scan_sql(struct trig_db *db, const char *path, const char *text, size_t len);
/* Scans the string literals of a Python file as SQL. */
int triggers_scan_python(struct trig_db *db, const char *path, const char *text, size_t len);
/* Scans the string literals of a C-like file (JavaScript, TypeScript, Go) as SQL. */
int triggers_scan_clike(struct trig_db *db, const char *path, const char *text, size_t len);
/* Resolves each trigger's function; returns the triggers array (new ref). */
json_t *triggers_finish(struct trig_db *db);

/* ---- discover_lock.c */

/* 1 when path is a lock file discover reads (poetry.lock, uv.lock, pdm.lock,
 * Pipfile.lock, package-lock.json). */
int lock_is_file(const char *path);
/* Adds the exact versions of one lock file to locked (name -> version; a
 * name already there is kept).  0, or -1 with *msg (static) when the file
 * is malformed (a warning; the run goes on). */
int lock_scan(json_t *locked, const char *path, const char *text, size_t len, const char **msg);
/* Sets tech_stack.locked to the locked versions of its dependencies (the
 * key is left out when there is none).  0, or -1 on allocation failure. */
int lock_attach(json_t *tech_stack, const json_t *locked);

/* ---- discover.c */

/* {"team_id","team_key","team_uuid"} from kanban_board.md text (new ref). */
json_t *linear_parse(const char *text, size_t len);

#endif
