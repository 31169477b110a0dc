/*
 * jsindex_p.h: what the parts of the TypeScript/JavaScript project index
 * share (jsindex.c: building and lookups, jsindex_fetch.c: fetches by key,
 * jsindex_refetch.c: callers that already hold what a callee loads).
 */
#ifndef PPERF_JSINDEX_P_H
#define PPERF_JSINDEX_P_H

#include "jsindex.h"
#include "jsdb.h"
#include "srcfile.h"

/* A string-keyed hash of the head index of a chain (records link with next). */
struct hmap {
	const char **key;
	int *head;
	size_t cap, n;
};

struct jfile {
	const char *path;
	size_t fn0, nfn;
};

struct js_index {
	struct jfile *files; size_t nfiles, capfiles;
	struct js_fn *fns; size_t nfns, capfns;
	struct js_fetch *fetches; size_t nfetches, capfetches;
	struct js_class *cls; size_t ncls, capcls;
	struct js_new *news; size_t nnews, capnews;
	char **paths; size_t npaths, cappaths;
	struct js_pending *pend; size_t npend, cappend;
	struct js_modvar *mv; size_t nmv, capmv;
	struct hmap fn_by_name, cls_by_name, file_by_path, mv_by_name;
	int finished;
};

/* A declared variable of a file: const x = new X(...), let x: X. */
struct jsvar {
	int func;              /* the def whose statements declare it, -1 at module level */
	const char *name;      /* borrowed from the tokens */
	uint32_t len;
	size_t stmt;
	char type[96];         /* "" when the declaration names no class */
	uint8_t isnew;         /* built here with new */
};

/* A module-level instance: export const orders = new OrdersService(). */
struct js_modvar {
	const char *path;
	char *name, *cls;
	char *cls_mod;         /* the class's module (its import), NULL: the same file */
	int next;
};

struct js_srcfacts {
	const struct py_outline *ol;
	uint32_t *imp; size_t nimp;    /* tokens of the file's import statements */
	struct jsvar *v; size_t nv;    /* sorted by function, name, position */
};

/* Where a call may lead, found from its own file alone (so that it can be
 * kept and looked up once every file is indexed): up to three candidates,
 * the first one found wins. */
struct js_spec {
	unsigned nalt;
	struct {
		uint8_t method;   /* a method of class cls, else a module-level function */
		uint8_t exact;    /* mod is a file path, not a module without extension */
		uint8_t any;      /* method: a class of that name anywhere, if unique */
		uint8_t modvar;   /* a method of the class of instance cls exported by module mod */
		char cls[96];
		char mod[512];
	} alt[3];
	char name[96];
};

/* A call whose callee is known only once every file is indexed: a
 * function's "x = await lookup(param)" kept until jsix_finish. */
struct js_pending {
	struct js_spec sp;
	unsigned arg;          /* the argument holding the key parameter */
	struct js_fetch f;     /* the fetch it becomes (model and shape from the lookup) */
};

int jsix_hget(const struct hmap *m, const char *key);
int jsix_grow(void **v, size_t *cap, size_t n, size_t sz);
char *jsix_dupn(const char *s, size_t n);
int jsix_is_ident(char ch);
int jsix_tok_name_is(const struct py_toks *t, uint32_t i, const char *s, size_t n);
/* Space-separated word sets " a b ": add once (0, -1 on ENOMEM), membership. */
int jsix_set_add(char **set, const char *w, size_t n);
int jsix_set_has(const char *set, const char *w, size_t n);
/* 1 when file path (without extension) is the module noext (or its index). */
int jsix_same_module(const char *path, const char *noext);
/* The end (exclusive) of the value starting at token b inside an object
 * literal or argument list: the next ',' or closer at b's depth. */
uint32_t jsix_value_end(const struct py_toks *t, uint32_t b, uint32_t lim);
/* 1 when token i is an assignment operator (=, +=, ??=, ++, ...). */
int jsix_assign_op(const struct py_toks *t, uint32_t i);
/* The function a fetch or a call belongs to: its def, or the def around an
 * anonymous callback passed to a call that is not an iteration. */
int jsix_owner_def(const struct py_outline *ol, int d);
/* Orders the fetches by function and gives each function its range, and
 * lets request scope bubble; done once after the last file. */
void jsix_finish(struct js_index *ix);
/* Adds the fetch of read query q (call ci of ol) when it loads one row by
 * key; fn0: the first function record of this file.  0, -1 on ENOMEM. */
int jsix_add_fetch(struct js_index *ix, const struct py_outline *ol, int ci, const struct jsdb_q *q,
		   const struct srcfile *sf, size_t fn0);

/* The candidates of call ci (js_spec); ix (may be NULL) skips names no
 * project function has.  0 when the call cannot lead to a project function. */
int jsix_call_spec(const struct js_index *ix, const char *path, const struct js_srcfacts *sx, int ci,
		   struct js_spec *sp);
const struct js_fn *jsix_spec_lookup(struct js_index *ix, const struct js_spec *sp);
/* Keeps call ci for jsix_finish when it passes a key parameter of its
 * function to a project function and keeps the result.  0, -1 on ENOMEM. */
int jsix_add_pending(struct js_index *ix, const char *path, const struct js_srcfacts *sx, int ci,
		     const struct srcfile *sf, size_t fn0);

#endif
