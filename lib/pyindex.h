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

struct py_fn {
	char *cls;      /* enclosing class or NULL */
	char *name;
	char *path;     /* file, relative to the root */
	unsigned line;
	char *net;      /* the network call it makes ("httpx.AsyncClient.post"), or NULL */
	char *eager;    /* " a b " attributes it eager-loads, or NULL */
};

struct py_index {
	struct py_rel *rels; size_t nrels, caprels;
	char **cols; size_t ncols, capcols;   /* "Class.attr" of model columns */
	struct py_fn *fns; size_t nfns, capfns;
	int sorted;
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

#endif
