/*
 * jsindex: project-wide facts of the TypeScript/JavaScript sources of a run, for the
 * checks that look past one file (redundant_fetch, unnecessary_resolve,
 * wrong_caching_scope).  Built lazily by check_js_index() (lib/auditor.h).
 */
#ifndef PPERF_JSINDEX_H
#define PPERF_JSINDEX_H

#include <jansson.h>

#include "py/outline.h"

struct js_index;

/* An empty index; NULL on ENOMEM.  Free with js_index_free (NULL is fine). */
struct js_index *js_index_new(void);
void js_index_free(struct js_index *ix);

/* Adds every TypeScript/JavaScript source file of the context (role "source"), read
 * from its codebase_root; unreadable files are skipped.  0, or -1 on ENOMEM. */
int js_index_add_context(struct js_index *ix, const json_t *context);

/* Adds the facts of one file already outlined.  0, or -1 on ENOMEM. */
int js_index_add(struct js_index *ix, const char *path, const struct py_outline *ol, const json_t *context);

#endif
