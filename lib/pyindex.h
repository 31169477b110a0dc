/*
 * pyindex: project-wide facts for checks that look past one file.
 *
 * Built once per run from the outlines of every Python source file of the
 * context: the ORM relationships of the models (which attributes load
 * lazily), the models' column names, every def with its class, whether it
 * calls the network directly and which relationships it eager-loads.
 */
#ifndef PPERF_PYINDEX_H
#define PPERF_PYINDEX_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "py/outline.h"

enum py_lazy {
	PL_NONE,     /* not a relationship (or unknown, or ambiguous) */
	PL_LAZY,     /* lazy="select" (the default): one SELECT on first access */
	PL_EAGER,    /* selectin, joined, subquery, immediate */
	PL_RAISE,    /* raise, raise_on_sql, noload, write_only: never loads on access */
	PL_DYNAMIC   /* dynamic: a query on every access */
};

struct py_rel {
	char *cls;      /* model class ("Response") */
	char *attr;     /* attribute ("answers") */
	char *target;   /* related class or NULL */
	uint8_t lazy;   /* enum py_lazy */
};

/* A parameter of a def. */
struct py_param {
	char *name;     /* without * or ** */
	char *ann;      /* annotation text ("AsyncSession", "Optional[Book]"), or NULL */
	char *deflt;    /* default text ("Depends(get_db)"), or NULL */
};

/* An entity loaded by key inside a def (filled by lib/pyindex_fetch.c):
 * session.get(M, k), select(M).where(M.id == k) executed, query(M).get(k),
 * query(M).filter_by(id=k), a repository get/get_by_id/find_by_id/fetch*
 * /load* method whose body does one of those. */
struct py_fetch {
	char *model;          /* "Book" */
	char *var;            /* the name it is assigned to ("book"), or NULL */
	char *key;            /* key expression text ("book_id", "body.id") */
	int key_param;        /* index of the parameter the key is, or -1 */
	unsigned line, end_line;
	char *attrs;          /* " name email " attributes of var read later in the def, or NULL */
	unsigned nattrs;      /* number of distinct attributes read */
	uint8_t escapes;      /* var used whole: assigned to, mutated, passed, returned, locked */
	char *snippet;        /* source text of the fetch lines (at most 400 bytes) */
};

/* A call made by a def (filled by lib/pyindex.c). */
struct py_callsite {
	char *callee;         /* the call's dotted callee as written ("repo.get", "lending.checkout") */
	char *qual;           /* qualified through the file's imports, or NULL when the same */
	unsigned line;
	uint8_t awaited;
	uint8_t offloaded;    /* inside to_thread/run_in_executor/... (does not run on the loop) */
	uint8_t job_ref;      /* not a call: the def passed to add_task/enqueue/add_job */
	uint8_t once_guard;   /* inside a lazy-init guard: runs once per process (py_call_in_once_guard) */
	int target;           /* index into ix->fns of the project def it calls, -1 when unresolved */
	char *spec;           /* resolution key (pyindex.c internal) */
};

struct py_fn {
	char *cls;      /* enclosing class or NULL */
	char *name;
	char *path;     /* file, relative to the root */
	char *module;   /* dotted module of path ("bookshelf/services/x.py" -> "bookshelf.services.x") */
	unsigned line, end_line;
	char *net;      /* the network call it makes ("httpx.AsyncClient.post"), or NULL */
	char *eager;    /* " a b " attributes it eager-loads, or NULL */
	uint8_t is_async;
	uint8_t handler;   /* request handler (route decorator, class-based view...) */
	uint8_t job;       /* background job: task decorator, add_task target, worker entry */
	uint8_t once;      /* runs once: startup, migration, scripts/ or bin/, __main__ block only */
	uint8_t provider;  /* named in a Depends(...) somewhere in the project */
	uint8_t nested;    /* a def inside another def */
	struct py_param *params; unsigned nparams;
	char *returns;          /* return annotation text, or NULL */
	char **decorators; unsigned ndecorators;
	struct py_fetch *fetches; unsigned nfetches;   /* pyindex_fetch.c */
	struct py_callsite *calls; unsigned ncalls;
	/* runtime facts (lib/pyindex_rt.c) */
	char *blocking;          /* first blocking call made directly ("time.sleep", "requests.get"), or NULL */
	unsigned blocking_line;
	uint8_t blocking_sleep;  /* 1 when that call is a sleep */
	uint8_t session;         /* what it returns or yields: 0 unknown, 1 sync Session/Connection, 2 async */
};

/* An ORM model (SQLAlchemy declarative, SQLModel table=True, Django Model). */
struct py_model {
	char *cls;
	char *table;     /* __tablename__ / Meta.db_table, or NULL */
	char *path;
	unsigned line;
	unsigned ncols;  /* columns, inherited from project base classes and mixins included */
	char *bases;     /* base-class text */
};

/* A class instantiated per request (dependency injection). */
enum py_inject_via { PIV_DEPENDS = 1, PIV_HANDLER, PIV_PROVIDER };
struct py_inject {
	char *cls;       /* the class */
	char *path;      /* where */
	unsigned line;
	char *fn;        /* the handler or provider def */
	uint8_t via;     /* enum py_inject_via */
};

struct py_index {
	struct py_rel *rels; size_t nrels, caprels;
	char **cols; size_t ncols, capcols;   /* "Class.attr" of class-body columns/fields */
	struct py_fn *fns; size_t nfns, capfns;
	struct py_model *models; size_t nmodels, capmodels;
	struct py_inject *injects; size_t ninjects, capinjects;
	size_t *fn_by_name;                    /* fns indices sorted by name */
	int sorted, resolved;
	struct py_index_priv *priv;            /* classes, call edges, pending marks (pyindex.c) */
};

/* An empty index; NULL on ENOMEM.  Free with py_index_free. */
struct py_index *py_index_new(void);
void py_index_free(struct py_index *ix);

/* Adds the facts of one file.  0, or -1 on ENOMEM. */
int py_index_add(struct py_index *ix, const char *path, const struct py_outline *ol, const json_t *context);

/* Adds every Python source file of the context (role "source"), read from
 * codebase_root; unreadable files are skipped.  0, or -1 on ENOMEM. */
int py_index_add_context(struct py_index *ix, const json_t *context);

/* Laziness of relationship attr of class cls; cls NULL looks attr up in
 * every model and answers only when all agree and no model has a column
 * of that name.  *target (may be NULL) gets the related class, borrowed. */
enum py_lazy py_index_rel(struct py_index *ix, const char *cls, const char *attr, const char **target);

/* The def name of class cls (NULL: a module-level function) or, when cls
 * is "*", the only def of that name in the project.  Borrowed; NULL when
 * absent or ambiguous. */
const struct py_fn *py_index_fn(struct py_index *ix, const char *cls, const char *name);

/* 1 when def f of ol eager-loads attr (selectinload/joinedload/
 * subqueryload/immediateload/contains_eager/raiseload of X.attr or "attr"),
 * nested defs included. */
int py_def_eager_loads(const struct py_outline *ol, int f, const char *attr);

/* The model class cls, or NULL when cls is not an ORM model of the project. */
const struct py_model *py_index_model(struct py_index *ix, const char *cls);

/* Index of f in ix->fns. */
size_t py_index_fn_id(const struct py_index *ix, const struct py_fn *f);

/* Resolves every call site's target (done once, on the first lookup that
 * needs it; cheap to call again). */
void py_index_resolve(struct py_index *ix);

/* The def of the project that call site cs of fn calls, or NULL. */
const struct py_fn *py_index_call_target(struct py_index *ix, const struct py_callsite *cs);

/* The def of file path whose header starts at line (its "def" line), or NULL. */
const struct py_fn *py_index_fn_at(struct py_index *ix, const char *path, unsigned line);

/* Call sites anywhere in the project whose target is f: fills up to max
 * (fn, callsite) pairs and returns how many exist. */
size_t py_index_callers(struct py_index *ix, const struct py_fn *f, const struct py_fn **fns,
			const struct py_callsite **sites, size_t max);

/* Per-request instantiations of class cls: fills up to max and returns
 * how many exist. */
size_t py_index_injects(struct py_index *ix, const char *cls, const struct py_inject **out, size_t max);

#endif
