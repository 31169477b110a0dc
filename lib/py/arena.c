/*
 * py/arena: chunks of at least 64 KiB, bumped, freed together.
 */
#include <stdlib.h>
#include <string.h>

#include "py/arena.h"

struct chunk {
	struct chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct py_arena {
	struct chunk *head;
};

struct py_arena *py_arena_new(void)
{
	return calloc(1, sizeof(struct py_arena));
}

void *py_arena_alloc(struct py_arena *a, size_t n)
{
	struct chunk *c = a->head;
	size_t al = sizeof(max_align_t);
	n = (n + al - 1) / al * al;
	if (!c || c->size - c->used < n) {
		size_t sz = n > 65536 ? n : 65536;
		c = malloc(sizeof(*c) + sz);
		if (!c)
			return NULL;
		c->size = sz;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	c->used += n;
	return (char *)c->data + c->used - n;
}

char *py_arena_strndup(struct py_arena *a, const char *s, size_t n)
{
	char *p = py_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void py_arena_free(struct py_arena *a)
{
	struct chunk *c, *next;
	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}
