/*
 * pyblock: what blocks the thread that runs it.
 *
 * The definitions that blocking_io_in_async, sync_sleep_in_async and
 * sync_db_in_async apply, shared with the project index (lib/pyindex_rt.c)
 * so that "this def blocks" means the same thing in a def's own body and
 * three calls away: which call does blocking file, network or process I/O,
 * which call is time.sleep, which expression opens a synchronous database
 * session, and the walk from an async def through the project's own sync
 * helpers to the blocking call they reach.
 */
#ifndef PPERF_PYBLOCK_H
#define PPERF_PYBLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "py/outline.h"
#include "pydb.h"
#include "pyindex.h"

/* ---- blocking calls */

enum py_bio {
	PBIO_NONE,
	PBIO_FILE,    /* open(), io/gzip/bz2/lzma/codecs/tarfile open, zipfile.ZipFile, path.open() */
	PBIO_PATH,    /* Path.read_text/read_bytes/write_text/write_bytes */
	PBIO_HTTP,    /* requests.*, sync httpx, methods of a bound sync HTTP client */
	PBIO_URLLIB,  /* urllib.request.urlopen/urlretrieve */
	PBIO_PROC,    /* subprocess.*, os.system, os.popen */
	PBIO_SHUTIL,  /* shutil copies, moves, rmtree, archives */
	PBIO_SMTP     /* smtplib.SMTP(...) */
};

/* The blocking I/O call ci of b->ol performs, wherever it sits: module
 * functions qualified through the file's imports (open() even unimported),
 * path methods on names bound to pathlib paths (Path(...), p / "x",
 * parameters annotated Path), HTTP verbs on names bound to sync clients
 * (requests.Session(), httpx.Client(), urllib3.PoolManager(), by
 * assignment, "with ... as" or a self attribute).  aiofiles, anyio, trio
 * and httpx.AsyncClient are not blocking.  qual (size n, may be NULL)
 * receives the qualified callee. */
enum py_bio py_call_blocking_io(const struct py_binds *b, size_t ci, char *qual, size_t n);

/* 1 when call ci is time.sleep() (sleep imported from time included). */
int py_call_is_sync_sleep(const struct py_binds *b, size_t ci);

/* 1 when call c runs, as a call, whenever def f runs: f is its innermost
 * def or lambda, and it is neither a reference, nor awaited, nor handed
 * to a thread (py_call_offloaded). */
int py_call_runs_in(const struct py_outline *ol, const struct py_call *c, int f);

/* 1 when call c sits in the body of a lazy-initialisation guard of its
 * def, code that runs once per process: "if X is None:" or "if not X:"
 * where the def declares "global X" and the guarded body assigns X
 * (a module-level singleton built on first use). */
int py_call_in_once_guard(const struct py_outline *ol, const struct py_call *c);

/* ---- synchronous database sessions */

enum py_sess { PSESS_UNKNOWN, PSESS_SYNC, PSESS_ASYNC };

/* What a type annotation text says of a session: Session, Connection,
 * scoped_session of SQLAlchemy or SQLModel (qualified through the
 * imports), sqlite3/psycopg2 connections -> SYNC; AsyncSession,
 * AsyncConnection, async_sessionmaker -> ASYNC; aiohttp's ClientSession,
 * requests.Session and a project class that happens to be named Session
 * -> UNKNOWN.  Generator[Session, None, None] and Annotated[Session, ...]
 * are looked into. */
enum py_sess py_session_annotation(const struct py_binds *b, const char *ann);

/* The kind of the session factory (sessionmaker, async_sessionmaker,
 * sessionmaker(class_=AsyncSession)) or engine (create_engine,
 * create_async_engine) the context's db_config names name (a dotted
 * chain, its last component counts); UNKNOWN when none does or two of
 * that name disagree. */
enum py_sess py_factory_kind(const json_t *context, const char *name);

/* The kind of session or connection the call ci opens:
 * Session(engine)/sqlmodel.Session(engine), sessionmaker(...)(),
 * scoped_session(...), a call of a factory (SessionLocal(), from the
 * context or bound in the file), an engine's connect()/begin(), sync
 * driver connects (sqlite3, psycopg2, psycopg, pymysql, MySQLdb,
 * mysql.connector, pyodbc, oracledb) -> SYNC; their async counterparts
 * and an awaited call -> ASYNC; anything else, factories and engines
 * themselves included, UNKNOWN. */
enum py_sess py_call_opens_session(const struct py_binds *b, size_t ci);

/* The kind of session the value [vb, ve) opens: one call spanning it,
 * judged as py_call_opens_session, after an optional await (ASYNC). */
enum py_sess py_value_session(const struct py_binds *b, uint32_t vb, uint32_t ve);

/* The kind of session the name holds as seen from block blk at token tok,
 * when the file binds it to what opens one: "with Session(engine) as s"
 * ("async with" makes it ASYNC), "db = SessionLocal()", "conn =
 * sqlite3.connect(path)", "db = await make_session()" (ASYNC). */
enum py_sess py_bound_session(const struct py_binds *b, int blk, const char *name, uint32_t tok);

/* ---- the project's own sync helpers that reach a blocking call */

enum py_reach_kind { PRK_IO, PRK_SLEEP };

/* Memo of the walk; built by the caller, one per run of a check on a file
 * (see py_reach_new). */
struct py_reach;

/* A walk over ix for blocking calls of kind k.  NULL on ENOMEM.  Free with
 * py_reach_free. */
struct py_reach *py_reach_new(struct py_index *ix, enum py_reach_kind k);
void py_reach_free(struct py_reach *r);

/* 1 when call site cs, made on the event loop by an async def, runs a
 * project sync def the walk follows: resolved, not async, not awaited,
 * not offloaded, not a job reference, not cached (lru_cache...). */
const struct py_fn *py_reach_target(struct py_index *ix, const struct py_callsite *cs);

/* The path from def fn (a sync def) to the first blocking call of kind k
 * it reaches: fills hops[0] = fn, hops[1..] the helpers it calls, and
 * sites[i] the call site of hops[i] that leads to hops[i + 1]; the last
 * hop makes the blocking call itself (hops[last]->blocking).  Returns the
 * number of hops (1 when fn blocks directly), 0 when it reaches none or
 * the path is longer than max.  Every def is walked once per walk (cycles
 * end the path), so a whole file costs the size of the reachable graph. */
size_t py_reach_path(struct py_reach *r, const struct py_fn *fn, const struct py_fn **hops,
		     const struct py_callsite **sites, size_t max);

/* The index's def for call c of outline ol in file path, and its call
 * site: c must be a call of a def (c->func >= 0); calls are matched in
 * order, so m (one int per block of ol, all -1 at first, caller-owned)
 * remembers how far each def's site list was consumed.  Both NULL when
 * the index has no site for c. */
const struct py_callsite *py_index_site_of(struct py_index *ix, const char *path, const struct py_outline *ol,
					   const struct py_call *c, int *m, const struct py_fn **fn);

/* At most this many hops in a reported path. */
#define PY_REACH_MAX 16

/* One transitive finding: call c of an async def of the file runs the
 * project's sync def hops[0], which reaches a blocking call through
 * hops[1..n-1] (sites[i] leads from hops[i] to hops[i + 1]; the last hop
 * blocks itself). */
struct py_reach_hit {
	const struct py_call *call;
	const struct py_fn *caller;   /* the async def (index entry) */
	const struct py_fn *hops[PY_REACH_MAX];
	const struct py_callsite *sites[PY_REACH_MAX];
	size_t n;
};
typedef void (*py_reach_fn)(void *arg, const struct py_reach_hit *h);

/* Calls fn for every call of file path (outline ol) made on the event
 * loop by an async def that runs a project sync helper reaching a blocking
 * call of kind k (py_reach_target, py_reach_path).  0, or -1 on ENOMEM. */
int py_reach_each(struct py_index *ix, const char *path, const struct py_outline *ol, enum py_reach_kind k,
		  py_reach_fn fn, void *arg);

/* The path of h in words, for an issue text: "cover → resize:12 →
 * throttle:40 time.sleep", a hop in another file than path as "resize
 * (app/img.py:12)"; and, when chain is not NULL, the finding's chain:
 * "cover (app/api.py:30)", each helper with its file and def line, and
 * last the blocking call with its line (malloc'd strings, *nchain of
 * them, at most PY_REACH_MAX + 2; free with py_reach_chain_free).  -1 on
 * ENOMEM. */
int py_reach_describe(const struct py_reach_hit *h, const char *path, char *text, size_t n, char **chain,
		      size_t *nchain);
void py_reach_chain_free(char **chain, size_t n);

/* "Class.method" or "name" of a def, into buf (size n); returns buf. */
const char *py_fn_display(const struct py_fn *f, char *buf, size_t n);

#endif
