/*
 * pydb_p: helpers shared by pydb.c and pydb_ops.c.
 */
#ifndef PPERF_PYDB_P_H
#define PPERF_PYDB_P_H

#include <stddef.h>
#include "pydb.h"

/* malloc'd copy of s[0..n); caller frees. */
char *pydb_strndup(const char *s, size_t n);
/* Last dotted component of chain (pointer into it). */
const char *pydb_last(const char *chain);
/* chain without its last component, into buf (size n); returns buf. */
char *pydb_strip_last(const char *chain, char *buf, size_t n);
/* Case-insensitive suffix test. */
int pydb_ends_with(const char *s, const char *suffix);
/* 1 when s equals one of the NULL-terminated list. */
int pydb_in_list(const char *s, const char *const *list);
/* 1 when the qualified callee q constructs a network client. */
int pydb_is_http_ctor(const char *q);
/* 1 when name is (or looks like) a session factory. */
int pydb_is_factory_name(const struct py_binds *b, const char *name);

/* Token range [*b,*e) of argument idx of call c ("name=" skipped); 0
 * when there is no such argument. */
int pydb_call_arg(const struct py_outline *ol, const struct py_call *c, int idx, uint32_t *b, uint32_t *e);

#endif
