/*
 * goindex: project-wide facts of the Go sources of a run, for the
 * checks that look past one file (redundant_fetch, unnecessary_resolve,
 * wrong_caching_scope).  Built lazily by check_go_index() (lib/auditor.h).
 *
 * Each file is read, tokenized and outlined once (with its go_types and
 * go_db state) and kept for the run; functions are looked up by
 * (package directory, receiver type, name) in a sorted table, so a call
 * site resolves in O(log n): package functions across the files of a
 * package, imported project packages (store.GetX), methods through the
 * static type of the receiver (s.store.GetOrder with a field typed
 * *store.Store, x := NewThing() / &Thing{}), never by a method's name
 * alone.
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

/* Adds the facts of one file already outlined (its text is copied).  0, or -1 on ENOMEM. */
int go_index_add(struct go_index *ix, const char *path, const struct py_outline *ol, const json_t *context);

#define GO_NFIELDS 8

/* An entity loaded by key in a function: GORM First/Take(&v, key) or
 * Where("id = ?", key).First(&v), sqlx Get, QueryRow(Context) with
 * WHERE id = $1 scanned into v (or into scalars: a column lookup), or a
 * call of a project function that does one of these and returns it. */
struct go_fetch {
	char model[96];       /* struct type name ("Permit"), or the table of a column lookup */
	char holder[64];      /* variable holding it, "" for a column lookup */
	char key[64];         /* text of the key argument */
	int key_param;        /* index of the function's parameter used as key, or -1 */
	unsigned line, end_line;
	int column_lookup;    /* scanned into scalars: fields are the selected columns */
	char fields[GO_NFIELDS][64];  /* fields (columns) read after the load */
	int nfields;          /* GO_NFIELDS + 1 when more were read */
	int mutated, escapes, returned;
	int tok;              /* first token of the load's statement */
};

/* One call site of the current file whose callee loads an entity by the
 * key parameter the call passes. */
enum go_held {
	GH_NONE = 0,
	GH_FETCHED,       /* the caller loaded the same model and passes its id */
	GH_MODEL_PARAM,   /* the caller's parameter is typed with the model */
	GH_STRUCT_FIELDS, /* the caller passes h.F of a struct type holding the fields read */
	GH_CONTEXT_KEYS   /* the key came from the request context, which the project fills with the fields */
};

struct go_refetch {
	const char *caller, *callee;      /* function names */
	const char *callee_recv;          /* receiver type of the callee, or NULL */
	const char *callee_path;          /* file of the callee */
	const char *callee_snippet;       /* its source text */
	int callee_handler;
	int caller_def;                   /* block of the caller in the current outline */
	unsigned call_line;
	const struct go_fetch *fetch;     /* the callee's load */
	const char *callee_param;         /* name of its key parameter */
	enum go_held how;
	char holder[128];                 /* what the caller holds: "course", "c (Claims)", "the request context" */
	unsigned held_line;
	int changed;                      /* the caller changed its row between load and call */
	char arg[96];                     /* the argument text */
};

typedef void (*go_refetch_fn)(void *arg, const struct go_refetch *r);

/* Calls fn for each call site of file path (as indexed) whose callee
 * loads by the key it receives and whose caller already holds the
 * entity or the fields read.  Calls started with go are skipped. */
void go_index_refetch_each(struct go_index *ix, const char *path, go_refetch_fn fn, void *arg);

/* A struct type of file path caching query results per instance (a map
 * field or a loaded flag read before a query and filled after it),
 * built in a request handler. */
struct go_cache {
	const char *type;           /* the struct type */
	const char *field;          /* its cache field */
	const char *method;         /* the method filling it */
	unsigned type_line, fill_line;
	int joins;                  /* the query joins or aggregates */
	const char *builder;        /* the handler constructing it */
	const char *builder_path;
	unsigned builder_line;
};

typedef void (*go_cache_fn)(void *arg, const struct go_cache *c);

void go_index_cache_each(struct go_index *ix, const char *path, go_cache_fn fn, void *arg);

#endif
