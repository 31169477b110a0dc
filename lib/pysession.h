/*
 * pysession: who owns a database session or connection, and where it runs.
 *
 * Shared by the session and pool lifecycle checks of audit-txn
 * (pool_configuration, missing_session_cleanup, session_held_in_stream):
 * does the project serve HTTP, is a file or def a one-shot program rather
 * than part of a long-running service, does an expression create a new
 * session or connection that its creator must close, and is a handler's
 * parameter a session injected per request.
 */
#ifndef PPERF_PYSESSION_H
#define PPERF_PYSESSION_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "pydb.h"

struct py_index;

/* 1 when the project serves HTTP: the context's tech_stack names a web
 * framework (FastAPI, Flask, Starlette, Django, Quart...), or the project
 * index (may be NULL) holds a request handler. */
int py_serves_http(const json_t *context, struct py_index *ix);

/* The web framework of the context's tech_stack as users spell it
 * ("FastAPI", "Flask"), or NULL.  Static string. */
const char *py_web_framework(const json_t *context);

/* 1 when path (relative to the root) is a one-shot program or not
 * application code: scripts/, bin/, management/commands/, manage.py,
 * setup.py, alembic/ and migrations/ (env.py included), tests. */
int py_path_one_shot(const char *path);

/* 1 when def f of ol (-1: module level) runs as a one-shot program: a
 * click/typer command (command, group, callback decorators) or a def
 * inside one, or module-level code of a file with an
 * "if __name__ == '__main__':" block. */
int py_def_one_shot(const struct py_outline *ol, int f);

/* ---- sessions and connections a caller must close */

enum py_sess_new {
	PSN_NONE,
	PSN_SESSION,     /* Session(), AsyncSession(), sessionmaker(...)(), SessionLocal() */
	PSN_CONNECTION   /* engine.connect(), engine.raw_connection() */
};

/* What the value tokens [vb,ve) in block blk create when they are one call
 * (possibly awaited): a SQLAlchemy/SQLModel Session or AsyncSession, a
 * session factory called (a name bound to sessionmaker(...) in scope, a
 * sessionmaker or async_sessionmaker of the context's db_config, a
 * *SessionLocal / *session_factory / *sessionmaker name), sessionmaker(...)()
 * itself, or engine.connect().  Functions that return a generator or a
 * context manager (get_db(), session_scope()) are not factories.  what
 * (size n) receives the call's text, e.g. "SessionLocal()". */
enum py_sess_new py_session_new(const struct py_binds *b, int blk, uint32_t vb, uint32_t ve, char *what,
				size_t n);

/* 1 when parameter i of def f holds a database session injected per
 * request: its text has Depends(...) (or an Annotated alias whose name ends
 * in "Dep": SessionDep, DbDep) and its binding is a session. */
int py_param_injected_session(const struct py_binds *b, int f, unsigned i);

#endif
