/*
 * goindex_p.h: what lib/goindex.c and lib/goindex_cache.c share inside the
 * Go project index (not for checks: they use goindex.h).
 */
#ifndef PPERF_GOINDEX_P_H
#define PPERF_GOINDEX_P_H

#include <stdio.h>
#include <string.h>

#include "goindex.h"
#include "go/go.h"
#include "godb.h"
#include "srcfile.h"

struct gfile {
	char *path, *dir;
	struct srcfile sf;
	struct py_toks toks;
	struct py_outline ol;
	struct go_types *gt;
	struct go_db *db;
	char **imp_alias, **imp_path;
	const char **imp_dir; /* project directory of each import, resolved on first use */
	size_t nimp;
	int dirs_done;
};

struct gfn {
	int file, def;
	const char *dir;	 /* of its file */
	const char *name, *recv; /* arena of the file's outline */
	int state;		 /* 0 not scanned, 1 scanning, 2 done */
	int has_fetch;
	struct go_fetch f; /* first load by a key parameter */
};

struct go_index {
	struct gfile **files; /* each allocated apart: outlines point into them */
	size_t nfiles, cap;
	struct gfn *fns;
	size_t nfns, fcap;
	int sorted;
	char *module;	/* module path of the root's go.mod, or NULL */
	char **ctxkeys; /* c.Set("key", ...) keys of the project, normalised */
	size_t nkeys, kcap;
};

static inline int tok_eqn(const struct py_toks *t, uint32_t i, const char *s, size_t n)
{
	return i < t->n && t->v[i].len == n && !memcmp(t->src + t->v[i].off, s, n);
}

static inline int tok_name(const struct py_toks *t, uint32_t i)
{
	return i < t->n && t->v[i].kind == PT_NAME;
}

static inline void tok_copy(char *out, size_t n, const struct py_toks *t, uint32_t i)
{
	snprintf(out, n, "%.*s", (int)t->v[i].len, t->src + t->v[i].off);
}

static inline int is_assign_op(const struct py_toks *t, uint32_t i)
{
	const struct py_tok *k = &t->v[i];
	const char *s = t->src + k->off;
	if (i >= t->n || k->kind != PT_OP)
		return 0;
	if (k->len == 1)
		return s[0] == '=';
	if (k->len == 2 && (!memcmp(s, "++", 2) || !memcmp(s, "--", 2)))
		return 1;
	return s[k->len - 1] == '=' && strncmp(s, "==", 2) && strncmp(s, "!=", 2) && strncmp(s, "<=", 2) &&
	       strncmp(s, ">=", 2) && strncmp(s, ":=", 2);
}

/* Sorts the function table after the last file was added. */
void gix_ensure_sorted(struct go_index *ix);
/* The project directory of import alias al of file f, or NULL. */
const char *gix_alias_dir(const struct go_index *ix, const struct gfile *f, const char *al, size_t alen);
/* Splits type text ("store.Store", "*Handler") of file f into package directory and name; 0 when not the project's. */
int gix_resolve_type(const struct go_index *ix, const struct gfile *f, const char *ty, const char **dir,
		     const char **name);
/* The first result type text of function g, relative to its file, or "". */
void gix_fn_result(const struct go_index *ix, const struct gfn *g, char *out, size_t n);
/* The project function call ci of file f resolves to, or NULL (never by a method's name alone). */
struct gfn *gix_resolve_call(struct go_index *ix, const struct gfile *f, int ci);
/* 1 when SQL text s selects by primary key (WHERE id = $1, WHERE t.id = ?). */
int gix_sql_by_id(const char *s);
/* The indexed file path, or NULL. */
struct gfile *gix_file(const struct go_index *ix, const char *path);

/* The fields of struct type name of package directory dir (fills out[0..max)); 0 when unknown. */
int gix_struct_fields(const struct go_index *ix, const char *dir, const char *name, struct go_field *out,
		      int max);

#define GIX_MAXARGS 12
/* Top-level argument token ranges [b[k], e[k]) of call c: returns their number (at most GIX_MAXARGS). */
int gix_call_args(const struct py_toks *t, const struct py_call *c, uint32_t *b, uint32_t *e);
/* Index of the parameter of def named by token i, or -1. */
int gix_param_index(const struct py_outline *ol, int def, const struct py_toks *t, uint32_t i);
/* 1 when type text ty of file f is a struct of the project; its name to model. */
int gix_is_project_struct(const struct go_index *ix, const struct gfile *f, const char *ty, char *model,
			  size_t n);
/* 1 when call ci of def loads an entity by key (fills x); the key must be a parameter when need_param. */
int gix_fetch_of_call(struct go_index *ix, struct gfile *f, int def, int ci, struct go_fetch *x,
		      int need_param);
/* The first load by a key parameter of function g (memoised), or NULL. */
const struct go_fetch *gix_callee_fetch(struct go_index *ix, struct gfn *g);

#endif
