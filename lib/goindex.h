/*
 * goindex: project-wide facts of the Go sources of a run, for the
 * checks that look past one file (redundant_fetch, unnecessary_resolve,
 * wrong_caching_scope).  Built lazily by check_go_index() (lib/auditor.h).
 */
#ifndef PPERF_GOINDEX_H
#define PPERF_GOINDEX_H

#include <jansson.h>

#include "py/outline.h"

struct go_index;

/* An empty index; NULL on ENOMEM.  Free with go_index_free (NULL is fine). */
struct go_index *go_index_new(void);
void go_index_free(struct go_index *ix);

/* Adds every Go source file of the context (role "source"), read
 * from its codebase_root; unreadable files are skipped.  0, or -1 on ENOMEM. */
int go_index_add_context(struct go_index *ix, const json_t *context);

/* Adds the facts of one file already outlined.  0, or -1 on ENOMEM. */
int go_index_add(struct go_index *ix, const char *path, const struct py_outline *ol, const json_t *context);

#endif
