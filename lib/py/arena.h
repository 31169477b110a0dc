/*
 * py/arena: a bump allocator for one file's outline, freed whole.
 */
#ifndef PPERF_PY_ARENA_H
#define PPERF_PY_ARENA_H

#include <stddef.h>

struct py_arena;

/* New arena, NULL on ENOMEM. */
struct py_arena *py_arena_new(void);
/* n bytes aligned for any type, owned by the arena; NULL on ENOMEM. */
void *py_arena_alloc(struct py_arena *a, size_t n);
/* NUL-terminated copy of s[0..n) owned by the arena. */
char *py_arena_strndup(struct py_arena *a, const char *s, size_t n);
void py_arena_free(struct py_arena *a);

#endif
