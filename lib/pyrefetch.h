/*
 * pyrefetch: a caller and the entities its callees load again.
 *
 * For every def A of a file, every call A makes to a def B of the project
 * that loads an entity by a key parameter (pyindex.h: struct py_fetch),
 * and what A already holds of that entity when it passes the key: the
 * object itself (A loaded it, received it as a parameter annotated with
 * the model, got it from a project def whose return annotation names the
 * model, built it), an object of another class that has the attributes
 * (a dataclass or pydantic parameter), or the values it inserted.  The
 * checks redundant_fetch and unnecessary_resolve read these answers.
 */
#ifndef PPERF_PYREFETCH_H
#define PPERF_PYREFETCH_H

#include <stdint.h>

#include "pyindex.h"
#include "pydb.h"

enum py_hold {
	PH_FETCHED = 1,   /* A loaded it by key (the same key, or V.id of what it loaded) */
	PH_MODEL_PARAM,   /* A's parameter annotated with the model */
	PH_RETURNED,      /* assigned from a project def whose return annotation names the model */
	PH_BUILT,         /* A constructed it: M(a=..., b=...) */
	PH_CLASS_PARAM,   /* A's parameter annotated with another class (dataclass, pydantic) */
	PH_INSERTED       /* the key came from insert(M).values(a=...) ... returning(M.id) */
};

struct py_refetch {
	int def;                        /* A: its block in the current file */
	const struct py_fn *caller;     /* A */
	const struct py_call *call;     /* A's call of B */
	const struct py_fn *callee;     /* B */
	const struct py_fetch *fetch;   /* B's fetch by that parameter */
	const char *model;              /* what B loads (resolved through a repository method) */
	const char *param;              /* B's parameter that is the key */
	const char *arg;                /* the argument A passes ("book.id", "expense_id") */
	enum py_hold how;
	const char *holder;             /* A's name for what it holds ("book", "user"), or NULL */
	const char *cls;                /* its class (the model, or PH_CLASS_PARAM's class) */
	const char *values;             /* PH_BUILT / PH_INSERTED: " a b " keywords given */
	unsigned held_line;             /* where A got it */
	uint8_t stale;                  /* a commit or the end of A's session block lies between */
};

/* An argument of a call: value tokens [b,e), keyword token or UINT32_MAX. */
struct py_arg {
	uint32_t b, e;
	uint32_t kw;
};

/* Splits the argument list of call c into v (at most max); returns how
 * many.  A reference (is_ref) or an empty list has none. */
int py_call_args(const struct py_outline *ol, const struct py_call *c, struct py_arg *v, int max);

typedef void (*py_refetch_cb)(void *arg, const struct py_refetch *r);

/* Calls cb for each (call, fetch) pair of the defs of file path (whose
 * binds b were built on its outline) where A holds something of what B
 * loads.  Pairs where A holds nothing are not reported. */
void py_refetch_each(struct py_index *ix, const char *path, const struct py_binds *b, py_refetch_cb cb,
		     void *arg);

/* The model fetch f of def fn loads: f->model, or for a repository
 * lookup (empty model) the model that the project method it calls loads
 * by its key parameter.  NULL when unknown. */
const char *py_fetch_model(struct py_index *ix, const struct py_fn *fn, const struct py_fetch *f);

/* 1 when class cls declares attribute attr (a column, field or annotated
 * attribute of its body). */
int py_index_class_has(struct py_index *ix, const char *cls, const char *attr);

/* The class an annotation names: "Optional[Book]", "Book | None",
 * "'Book'", "models.Book", "Annotated[Book, Depends()]" -> "Book";
 * collections (list[Book], Sequence[Book]) and builtins -> 0. */
int py_ann_class(const char *ann, char *buf, size_t n);

/* db_config.expire_on_commit of the context: 0 when false, 1 when true,
 * -1 when not set (SQLAlchemy's default is true). */
int py_ctx_expire_on_commit(const json_t *context);

#endif
