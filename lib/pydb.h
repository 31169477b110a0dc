/*
 * pydb: what Python code does with databases and the outside world.
 *
 * Shared answers for the query and transaction checks: which names hold a
 * SQLAlchemy session (or another database handle), an HTTP client, an open
 * file or an instance of a project class; which database operation a call
 * performs (a SELECT, an INSERT, a commit...); which SQL statement an
 * expression builds; whether a call goes over the network or touches
 * files; which ORM flavour a file uses, for the wording of messages.
 */
#ifndef PPERF_PYDB_H
#define PPERF_PYDB_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "py/outline.h"
#include "pyfacts.h"

/* ---- bindings: what a local, parameter, self attribute or global holds */

enum py_bind_kind {
	PBK_NONE,     /* unknown */
	PBK_SESSION,  /* SQLAlchemy/SQLModel session, scoped_session, connection */
	PBK_FACTORY,  /* a sessionmaker / async_sessionmaker (calling it makes a session) */
	PBK_HTTP,     /* an HTTP/gRPC/SDK client (httpx, requests, aiohttp, boto3...) */
	PBK_FILE,     /* an open file */
	PBK_OBJECT,   /* an instance of the class named in type */
	PBK_OTHER,    /* something else that is known (a literal, a set(), a list()...) */
	PBK_LOCAL     /* rebound to a value of unknown kind (shadows outer bindings) */
};

struct py_bind {
	int scope;          /* def or class block, -1 for the module */
	char *name;         /* "session", "self._http" (owned) */
	char *type;         /* class name or qualified constructor, or NULL (owned) */
	uint8_t kind;       /* enum py_bind_kind */
	uint32_t tok;       /* token where the binding happens */
	uint32_t alias;     /* 1 + token of a name whose binding this copies
			       (self.client = client), or 0 */
	int blk;            /* block of the binding statement */
};

#define PYDB_MAX_FACTORIES 32

struct py_binds {
	const struct py_outline *ol;  /* borrowed */
	const json_t *context;        /* borrowed, may be NULL */
	struct py_imports im;
	struct py_bind *v;
	size_t n, cap;
	/* last components of the context's session factory names (borrowed
	 * from the context) */
	const char *factories[PYDB_MAX_FACTORIES];
	size_t nfactories;
	struct py_alias_ref { const char *alias; size_t i; } *aliases; /* im.v sorted by alias (owned) */
	int borrowed;                 /* 1: a copy of the shared bindings, py_binds_free only clears it */
};

/* Collects the bindings of every def, class and the module of ol: parameter
 * annotations and defaults (Depends(get_db)), with-items ("as" targets),
 * simple and tuple assignments, self attributes assigned in methods.  The
 * context's db_config.session_factories names count as factories.
 * 0, or -1 on ENOMEM (b is then empty but valid). */
int py_binds_build(struct py_binds *b, const struct py_outline *ol, const json_t *context);
void py_binds_free(struct py_binds *b);

/*
 * The checks of one file each asked for its bindings, and building them was
 * a third of an auditor's time.  Between py_binds_share_begin(ol, context)
 * and py_binds_share_end() (the auditor frame brackets the checks of a file
 * with them), py_binds_build for that ol and context builds once and hands
 * out read-only copies that share the storage (py_binds_free then only
 * clears them).  Every other outline (the project index reads other files
 * meanwhile) is built as before.  ol must outlive py_binds_share_end.
 */
void py_binds_share_begin(const struct py_outline *ol, const json_t *context);
void py_binds_share_end(void);

/* The binding of name as seen from def/block blk at token tok: innermost
 * def first, then enclosing defs, the class (for self.x), the module.
 * Borrowed from b; NULL when unknown. */
const struct py_bind *py_binds_find(const struct py_binds *b, int blk, const char *name, uint32_t tok);

/* py_qualify() through the file's imports, in O(log n). */
const char *py_binds_qualify(const struct py_binds *b, const char *callee, char *buf, size_t n);

/* 1 when recv (a callee without its last component: "session",
 * "db.session", "self.session", "Session") holds a database session or
 * connection in block blk: its binding says so, or, unbound, its name does
 * (session, db, db_session, *_session, a context session factory...). */
int py_recv_is_session(const struct py_binds *b, int blk, const char *recv, uint32_t tok);
/* 1 when recv is a repository / data-access object (repo, *_repo,
 * *repository, XRepository(...), an instance of a *Repository class). */
int py_recv_is_repo(const struct py_binds *b, int blk, const char *recv, uint32_t tok);

/* ---- SQL statements */

enum py_sql { SQL_NONE, SQL_SELECT, SQL_INSERT, SQL_UPDATE, SQL_DELETE, SQL_OTHER };

/* The statement built by tokens [begin,end) of def blk: select()/insert()/
 * update()/delete() constructs (sa., sqlalchemy., dialect inserts,
 * table.insert()), text("...") and plain SQL strings (first keyword), or a
 * name assigned such a statement earlier in the same def. */
enum py_sql py_sql_of_expr(const struct py_binds *b, int blk, uint32_t begin, uint32_t end);

/* The SQL verb at the start of a Python string literal token's text
 * (prefixes and quotes skipped, WITH ... resolved to its main verb). */
enum py_sql py_sql_of_string(const char *tok, size_t len);

/* The value tokens [*vb,*ve) of the last plain assignment "name = ..." in
 * def f (-1: module level) before token tok.  0 when there is none within
 * a few hundred statements. */
int py_last_assign(const struct py_outline *ol, int f, const char *name, uint32_t tok, uint32_t *vb,
		   uint32_t *ve);

/* ---- database operations */

enum py_dbop {
	DBOP_NONE,
	DBOP_READ,      /* a SELECT: get, query chain, execute(select), scalars... */
	DBOP_INSERT,    /* execute(insert(...)) of one row, raw INSERT */
	DBOP_UPDATE,    /* execute(update(...)), Query.update(), raw UPDATE, repo.update/save */
	DBOP_DELETE,    /* session.delete(obj), execute(delete(...)), Query.delete() */
	DBOP_ADD,       /* session.add(obj) */
	DBOP_MERGE,     /* session.merge(obj) */
	DBOP_BULK,      /* add_all, bulk_*, executemany, execute(stmt, [rows]) */
	DBOP_EXEC,      /* execute() of a statement of unknown kind */
	DBOP_FLUSH,
	DBOP_COMMIT,
	DBOP_ROLLBACK,
	DBOP_BEGIN,     /* begin(), begin_nested() */
	DBOP_OTHER      /* close, refresh, expunge... */
};

struct py_dbop_info {
	enum py_dbop op;
	uint8_t repo;        /* through a repository method */
	uint8_t chain_query; /* the end of a session.query(...)/Model.query chain */
	int root;            /* call index of the chain's first link (itself if none) */
	char recv[128];      /* the receiver text ("session", "db.session", "repo") */
};

/* What database operation call ci performs.  Only the last link of a
 * query chain (session.query(X).filter(...).first) reports it; the other
 * links are DBOP_NONE.  Returns info->op. */
enum py_dbop py_call_dbop(const struct py_binds *b, size_t ci, struct py_dbop_info *info);

/* 1 when tokens [b,e) filter with in_()/any_()/notin_()/__in=: the
 * statement already works on a set of rows, not one. */
int py_range_set_based(const struct py_toks *t, uint32_t b, uint32_t e);

/* 1 when op writes (INSERT, UPDATE, DELETE, ADD, MERGE, BULK, FLUSH). */
int py_dbop_writes(enum py_dbop op);

/* ---- external calls */

/* 1 when call ci goes over the network: requests/httpx/aiohttp/urllib
 * calls, methods of a bound HTTP client, SDK clients (boto3, stripe,
 * smtplib, gRPC stubs...).  what (size n) receives a short description
 * such as "requests.post". */
int py_call_is_network(const struct py_binds *b, size_t ci, char *what, size_t n);
/* 1 when call ci opens, reads or writes a file: open(), io/gzip/aiofiles
 * open, Path.read_text/write_bytes/..., shutil copies and moves. */
int py_call_is_file_io(const struct py_binds *b, size_t ci, char *what, size_t n);

/* ---- loops */

/* The innermost for-loop or comprehension (its element, not its first
 * iterable) around call c within its def; while-loops (polling, event and
 * retry loops) are looked through.  -1 when none. */
int py_call_row_loop(const struct py_outline *ol, const struct py_call *c);

/* 1 when the statement call ci executes in loop takes its table from the
 * loop: update(model) / table.delete() / f"UPDATE {table}" with model or
 * table a name of the loop's target or assigned in its body -- one
 * statement per table, not per row. */
int py_stmt_table_varies(const struct py_binds *b, size_t ci, int loop);

/* 1 when the statement call ci executes is bounded to a batch of rows: a
 * LIMIT in its SQL, .limit(...), or a batch_size/chunk_size parameter. */
int py_stmt_limited(const struct py_binds *b, size_t ci);

/* py_range_set_based() over tokens [begin, end of call ci); or, for the
 * statement its first argument names, an in_()/any_() filter on keys
 * bound by loop (ids = all_ids[i:i + n]; stmt = select(T).where(T.id.in_(ids))). */
int py_call_set_based(const struct py_binds *b, size_t ci, uint32_t begin, int loop);

/* Number of entries of the display a for-loop or comprehension iterates
 * (directly, through enumerate(), or a local or module name assigned the
 * display); 0 when it is not a display of constants. */
int py_loop_literal_size(const struct py_binds *b, int loop);

/* What a for-loop or comprehension iterates. */
enum py_iter_kind {
	PIK_UNKNOWN,    /* a name or call result: rows, a parameter, a request body */
	PIK_LITERAL,    /* a literal tuple/list/set/dict of constants, range(<= 10 const),
			   range(CONSTANT), a retry loop (for attempt in ...) */
	PIK_PAGES,      /* pages, batches or chunks (each iteration is set-based) */
	PIK_EVENTS,     /* async for over a websocket, queue or pub/sub stream: per event */
	PIK_QUERY       /* a query result in the same def */
};
enum py_iter_kind py_loop_iter_kind(const struct py_binds *b, int loop);

/* Text of the loop's iterable, at most max bytes ("..." when cut);
 * malloc'd, caller frees; NULL on ENOMEM. */
char *py_loop_iter_text(const struct py_outline *ol, int loop, size_t max);

/* ---- wording */

/* The model a query or statement call names: the first capitalised
 * reference in its arguments ("Book" of get(Book, id), "Reading" of
 * select(Reading.value), "Reservation" of delete(Reservation).where(...)),
 * or "" when none. */
void py_call_model(const struct py_outline *ol, const struct py_call *c, char *buf, size_t n);


enum py_orm {
	ORM_SA_ASYNC,    /* SQLAlchemy 2.0 AsyncSession */
	ORM_SA_SYNC,     /* SQLAlchemy 2.0 Session */
	ORM_SA_LEGACY,   /* SQLAlchemy 1.x Query API */
	ORM_FLASK,       /* Flask-SQLAlchemy (db.session, Model.query) */
	ORM_SQLMODEL,    /* SQLModel */
	ORM_DJANGO       /* Django ORM (Model.objects) */
};
/* The column a query or statement filters one row by, for "col.in_(...)"
 * advice: the first "Model.col ==" in tokens [b,e), or "col" of a
 * filter_by(col=...); "id" when there is none. */
void py_filter_column(const struct py_outline *ol, uint32_t b, uint32_t e, const char *model, char *buf, size_t n);

/* The flavour of the code in def f (-1: module), from the file's imports,
 * the context's tech_stack and whether f is async (ORM_SA_ASYNC is
 * SQLAlchemy in an async def; other flavours ask py_def_async()). */
enum py_orm py_orm_flavor(const struct py_binds *b, int f);
/* 1 when f is an async def (its awaits belong in recommendations). */
int py_def_async(const struct py_outline *ol, int f);

#endif
