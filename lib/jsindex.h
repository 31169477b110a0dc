/*
 * jsindex: project-wide facts of the TypeScript/JavaScript sources of a run, for the
 * checks that look past one file (redundant_fetch, unnecessary_resolve,
 * wrong_caching_scope).  Built lazily by check_js_index() (lib/auditor.h).
 *
 * Every file is tokenized and outlined once; the index keeps, as copies:
 * - functions and methods (js_fn): class, name, parameters with their type
 *   annotations, async, handler and job flags (js/js.h), and the fetches
 *   by key in their bodies;
 * - fetches by key (js_fetch): one entity loaded by its id (Prisma
 *   findUnique/findUniqueOrThrow/findFirst(OrThrow) with where: { id },
 *   TypeORM findOne/findOneOrFail({ where: { id } }), findOneBy(OrFail)({
 *   id }), EntityManager forms, node-postgres SELECT ... WHERE id = $n,
 *   knex .where({ id }).first()): the model or table, the key expression
 *   and the parameter it is, the variable holding the row, the fields read
 *   from it later, whether it is changed or escapes (returned, passed on,
 *   used whole);
 * - classes, interfaces and object type aliases (js_class): declared
 *   fields, NestJS provider scope (Scope.REQUEST/TRANSIENT, @Inject(REQUEST),
 *   and request scope bubbling up to the providers that inject one);
 * - per-request instantiations (js_new): new X(...) of a project class
 *   inside a request handler, kept only when the instance stays local.
 */
#ifndef PPERF_JSINDEX_H
#define PPERF_JSINDEX_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "py/outline.h"

struct js_index;

struct js_param {
	char *name;
	char *type;        /* the annotation's text ("AuthUser", "Promise<X>"), or NULL */
	uint8_t input;     /* client input: @Body/@Query/@Param, or a Dto, Input, ... type */
};

struct js_fn {
	const char *path;  /* interned */
	char *name;        /* NULL for an anonymous function */
	char *cls;         /* enclosing class of a method, else NULL */
	int def;           /* its PB_DEF block in the file's outline */
	unsigned line, end_line;
	uint8_t is_async, handler, job, top;  /* top: a module-level function */
	unsigned nparams;
	struct js_param *params;
	size_t fetch0, nfetch;  /* its fetches: ix fetches [fetch0, fetch0 + nfetch) */
	int next;          /* next fn of the same name (hash chain), -1 */
};

struct js_fetch {
	int fn;            /* index of the function holding it */
	unsigned line, end_line;
	uint32_t tok;      /* the query chain's first token in its file */
	char *snippet;
	char model[64];    /* Prisma model, TypeORM entity, or SQL table */
	uint8_t api;       /* enum jsdb_api */
	uint8_t eager;     /* include/relations/join in the query */
	char *keytext;     /* the key expression's text */
	int key_param;     /* the parameter it is (Number(p) included), -1 */
	char *var;         /* the variable holding the row, or NULL */
	char attrs[200];   /* fields read from it, " a b ", "id" included */
	unsigned nattrs;   /* how many, "id" not counted */
	uint8_t mutated;   /* a field assigned, or a method called on it */
	uint8_t escapes;   /* returned, passed on, spread or used whole */
	uint8_t returned;  /* returned (the function is a lookup) */
	char *selcols;     /* SQL: " table.column " per selected column (table.* for *), else NULL */
	char *include;     /* Prisma include/TypeORM relations keys " rel ", or NULL */
	char *sel;         /* Prisma/TypeORM select: keys " a b " (only those loaded), or NULL */
};

enum js_scope { JS_SCOPE_DEFAULT = 0, JS_SCOPE_REQUEST, JS_SCOPE_TRANSIENT, JS_SCOPE_INJECTS_REQUEST,
		JS_SCOPE_BUBBLED };

struct js_class {
	const char *path;
	char *name;
	unsigned line;
	uint8_t is_type;    /* an interface or type alias, not a class */
	uint8_t provider;   /* @Injectable/@Controller/@Resolver/... */
	uint8_t entity;     /* @Entity */
	uint8_t scope;      /* enum js_scope (after js_index_finish) */
	char *via;          /* JS_SCOPE_BUBBLED: the request-scoped dependency */
	char *deps;         /* constructor parameter types " A B " */
	char *fields;       /* declared fields " a b " */
	int next;
};

struct js_new {
	char *cls;          /* the class built */
	char *cls_path;     /* its file without extension (from the imports), or NULL: same file */
	const char *path;   /* where */
	unsigned line;
	char *fn;           /* the handler's name, or NULL */
};

/* An empty index; NULL on ENOMEM.  Free with js_index_free (NULL is fine). */
struct js_index *js_index_new(void);
void js_index_free(struct js_index *ix);

/* Adds every TypeScript/JavaScript source file of the context (role "source"), read
 * from its codebase_root; unreadable files are skipped.  0, or -1 on ENOMEM. */
int js_index_add_context(struct js_index *ix, const json_t *context);

/* Adds the facts of one file already outlined.  0, or -1 on ENOMEM. */
int js_index_add(struct js_index *ix, const char *path, const struct py_outline *ol, const json_t *context);

/* The function of def block `def` of file path, or NULL. */
const struct js_fn *js_index_fn_of(const struct js_index *ix, const char *path, int def);

const struct js_fetch *js_index_fetch(const struct js_index *ix, size_t i);

/* The class, interface or type alias name; when several share the name,
 * the one whose file (without extension) is path_noext, else NULL. */
const struct js_class *js_index_class(struct js_index *ix, const char *name, const char *path_noext);

/* 1 when class, interface or type `name` declares field f. */
int js_index_type_has(struct js_index *ix, const char *name, const char *path_noext, const char *f);

/* The per-request instantiations of class cls declared in file path
 * (up to max into out); their count. */
size_t js_index_news(struct js_index *ix, const char *cls, const char *path, const struct js_new **out, size_t max);

/* The project function a call of file path resolves to, or NULL: this.m()
 * (a method of the enclosing class), this.svc.m() through a constructor
 * parameter or field typed with a project class, x.m() where x is a
 * parameter typed with a class or a variable assigned new X(...) in an
 * enclosing function or at module level, f() and ns.f() of a function of
 * this file or an imported one.  Never by the method's name alone. */
struct js_srcfacts;
const struct js_fn *js_index_resolve_call(struct js_index *ix, const char *path, const struct js_srcfacts *sx,
					  int ci);

/* What resolving many calls of one file shares (its import statements, its
 * declared variables), built once per outline (which must outlive it);
 * NULL on ENOMEM.  Free with js_srcfacts_free (NULL is fine). */
struct js_srcfacts *js_srcfacts_new(const struct py_outline *ol);
void js_srcfacts_free(struct js_srcfacts *sx);

/* The type name (annotation without generics, "[]", "| null") of name in
 * def f of the file or the defs around it: a parameter, a typed or
 * new-built variable; into buf, 0 when unknown. */
int js_index_var_type(const struct js_srcfacts *sx, int f, const char *name, size_t n, char *buf, size_t cap);

/* The file (relative, without extension) that import name of ol's file
 * (path) comes from, into buf; 0 when not imported from a relative path. */
int js_index_import_of(const struct js_srcfacts *sx, const char *path, const char *name, char *buf, size_t cap);

/* path without its extension into buf. */
void js_index_noext(const char *path, char *buf, size_t cap);

/* How a caller holds what a callee loads again (js_index_refetch_each). */
enum js_held {
	JH_FETCHED = 1,   /* it loaded the same model by the same key */
	JH_MODEL_PARAM,   /* a parameter typed with the model: it passes x.id */
	JH_JOINED,        /* a row it loaded carries the fields: a joined SQL column
			     (p.name AS printer_name), an included relation */
	JH_TYPED_PARAM    /* a parameter whose interface or class declares the fields */
};

struct js_refetch {
	const struct js_fn *caller, *callee;
	const struct js_fetch *fetch;  /* the callee's fetch by its key parameter */
	const struct js_fetch *held;   /* the caller's fetch (JH_FETCHED, JH_JOINED), or NULL */
	int ci;                        /* the call in the caller's file */
	int how;                       /* enum js_held */
	int changed;                   /* the caller changed the row between its load and the call */
	char holder[64];               /* the caller's variable or parameter */
	char holder_type[64];          /* JH_MODEL_PARAM, JH_TYPED_PARAM: its type */
	char arg[160];                 /* the argument passed as the key */
};

/* Calls cb for every call of file path (outline ol) to a project function
 * that loads by key, with the argument in that key's place, an entity or
 * values the caller already holds.  Callees that are handlers or jobs are
 * skipped (ids by design), as are calls from the callee itself. */
void js_index_refetch_each(struct js_index *ix, const char *path, const struct py_outline *ol,
			   void (*cb)(void *arg, const struct js_refetch *r), void *arg);

#endif
