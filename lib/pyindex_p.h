/*
 * pyindex_p.h: the per-def fact builders that lib/pyindex.c calls while it
 * indexes a def.  Each fills its own fields of struct py_fn (pyindex.h)
 * with malloc'd data that py_index_free releases.
 */
#ifndef PPERF_PYINDEX_P_H
#define PPERF_PYINDEX_P_H

#include "pyindex.h"
#include "pydb.h"

/* lib/pyindex_fetch.c: fn->fetches, the entities def f loads by key.
 * 0, or -1 on ENOMEM. */
int py_index_def_fetches(struct py_fn *fn, const struct py_binds *b, int f);
void py_index_fetches_free(struct py_fn *fn);

/* lib/pyindex_rt.c: fn->blocking, blocking_line, blocking_sleep and
 * session for def f.  0, or -1 on ENOMEM. */
int py_index_def_runtime(struct py_fn *fn, const struct py_binds *b, int f);
void py_index_runtime_free(struct py_fn *fn);

/* ---- models from other languages (lib/pyindex_prisma.c, the TS/Go front ends) */

/* Adds ORM model cls (table may be NULL) with ncols columns, defined at path:line. */
int py_index_add_model(struct py_index *ix, const char *cls, const char *table, const char *path, unsigned line,
		       unsigned ncols);
/* Adds column attr of model cls, and relationship attr of cls to target. */
int py_index_add_column(struct py_index *ix, const char *cls, const char *attr);
int py_index_add_relation(struct py_index *ix, const char *cls, const char *attr, const char *target,
			  enum py_lazy lazy);

/* lib/pyindex_prisma.c: the models of a schema.prisma text. 0 or -1 (ENOMEM). */
int py_index_add_prisma(struct py_index *ix, const char *path, const char *text, size_t len);

#endif
