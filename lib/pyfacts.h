/*
 * pyfacts: shared answers about Python code that several checks need.
 *
 * Is this function a request handler?  Is this call offloaded to a thread?
 * Which severity does the execution context give?  Predicates live here,
 * never copied between checks.
 */
#ifndef PPERF_PYFACTS_H
#define PPERF_PYFACTS_H

#include "finding.h"
#include "py/outline.h"

/* 1 when def block f (a PB_DEF) is an HTTP or websocket request handler:
 * decorated as a route (FastAPI/Starlette/Flask/Quart/aiohttp/Sanic:
 * @app.get/post/put/patch/delete/route/websocket/api_route/..., @bp.route),
 * registered by name with Route()/WebSocketRoute()/add_url_rule()/
 * add_api_route()/router.add_get()... in the same file, a method of a
 * class-based view (HTTPEndpoint, WebSocketEndpoint, MethodView, View,
 * APIView) named after an HTTP verb or on_receive/on_connect, or a nested
 * def (e.g. an SSE generator) inside such a handler. */
int py_func_is_handler(const struct py_outline *ol, int f);

/* Severity of the context of a call in def f: HIGH in a handler, MEDIUM
 * elsewhere (jobs, workers, scripts). */
enum severity py_context_severity(const struct py_outline *ol, int f);

/* 1 when call c does not run on the event loop itself: it sits in a lambda
 * or nested plain def passed to asyncio.to_thread, loop.run_in_executor,
 * anyio.to_thread.run_sync, run_in_threadpool or an executor's submit. */
int py_call_offloaded(const struct py_outline *ol, const struct py_call *c);

/* 1 when callee names an offloading function (to_thread, run_in_executor,
 * run_sync, run_in_threadpool, submit, sync_to_async). */
int py_is_offload_callee(const char *callee);

/* 1 when call c runs directly in an "async def" body: its innermost
 * def is async and no lambda or plain def lies between. */
int py_call_on_event_loop(const struct py_outline *ol, const struct py_call *c);

/* Index of the first call whose first token is at or after tok, else
 * ol->ncalls (calls are ordered by their opening token). */
size_t py_first_call_from(const struct py_outline *ol, uint32_t tok);

/* ==== Runtime-check helpers (added for audit-runtime; shared predicates
 * about imports, value flow and expression kinds) ==== */

/* The names a file's import statements bind: "from PIL import Image" binds
 * Image to "PIL.Image"; "import numpy as np" binds np to "numpy". */
struct py_import {
	char *alias;  /* the bound name (malloc'd, owned by the table) */
	char *qual;   /* what it refers to (malloc'd, owned by the table) */
};
struct py_imports {
	struct py_import *v;
	size_t n, cap;
};

/* Fills im from every import statement of ol (module level and inside
 * functions). 0, or -1 on ENOMEM (im is then empty). */
int py_imports_build(const struct py_outline *ol, struct py_imports *im);
void py_imports_free(struct py_imports *im);

/* Qualified form of a callee chain through the imports ("Image.open" ->
 * "PIL.Image.open", "sleep" -> "time.sleep"); unchanged when its first
 * component is not imported.  Writes into buf (size n); returns buf. */
const char *py_qualify(const struct py_imports *im, const char *callee, char *buf, size_t n);

/* 1 when the first component of callee ("requests" in "requests.post",
 * "sleep" in "sleep") is bound by an import of the file. */
int py_callee_imported(const struct py_imports *im, const char *callee);

/* 1 when the file imports module (or a submodule of it). */
int py_imports_module(const struct py_imports *im, const char *module);

/* 1 when the project uses the library name: the file imports it, or a
 * string of the context's tech_stack or manifests names it
 * (case-insensitive, whole word).  context may be NULL. */
int py_uses_lib(const json_t *context, const struct py_imports *im, const char *name);

/* The call that runs a sync function in a worker thread in this project's
 * stack: "anyio.to_thread.run_sync" when the file uses anyio and not
 * asyncio, "trio.to_thread.run_sync" for trio, else "asyncio.to_thread".
 * Static string. */
const char *py_offload_fn(const json_t *context, const struct py_imports *im);

/* How an occurrence of a name (or dotted chain) at tokens [first,last] is
 * used by its statement. */
enum py_use {
	PU_NONE,    /* not a use: a keyword-argument name */
	PU_READ,    /* iterated, indexed, len(), membership, compared, method read */
	PU_MUTATE,  /* mutating method, item/attribute assignment, del, x += */
	PU_REBIND,  /* assignment target, for/with/except target, walrus */
	PU_ESCAPE   /* returned, yielded, aliased, stored, passed to a call */
};
enum py_use py_name_use(const struct py_outline *ol, uint32_t first, uint32_t last);

/* 1 when the call named name (last component) only reads its arguments:
 * len, sorted, min, max, sum, any, all, print, str.join, logging... */
int py_is_readonly_callee(const char *callee);

/* The kind of value an expression [begin,end) evidently has. */
enum py_kind {
	PK_OTHER, PK_STR, PK_BYTES, PK_NUM, PK_LIST, PK_DICT, PK_SET, PK_TUPLE,
	PK_GEN, PK_NONE, PK_NAME, PK_CALL, PK_AWAIT
};
enum py_kind py_expr_kind(const struct py_outline *ol, uint32_t begin, uint32_t end);

/* Index of the bracket closing the one at token open (same depth), or end
 * when not found before end. */
uint32_t py_tok_close(const struct py_toks *t, uint32_t open, uint32_t end);

/* A simple assignment statement: one target, then "=" (possibly after an
 * annotation) or an augmented operator, then the value. */
struct py_assign {
	uint32_t target_begin, target_end; /* [begin,end) */
	uint32_t op;                       /* token of "=", "+=", ... */
	uint32_t value_begin, value_end;   /* [begin,end) */
};
/* 1 and fills a when statement s is such an assignment, else 0. */
int py_stmt_assign(const struct py_outline *ol, int s, struct py_assign *a);

/* 1 when tokens [begin,end) are one dotted name (a, a.b, self.items). */
int py_tok_is_chain(const struct py_toks *t, uint32_t begin, uint32_t end);

/* Where names occur and which statements assign them, built once per
 * file so that checks follow a variable without rescanning the function
 * for every use (no check becomes quadratic in the size of a file). */
struct py_ref {
	const char *p;   /* spelling in the source (borrowed from the tokens) */
	uint32_t len;
	uint32_t tok;    /* names: the token; assigns: the target's first token */
	int stmt;        /* statement holding it */
};
struct py_refs {
	struct py_ref *v; /* sorted by spelling, then position */
	size_t n;
};
struct py_flow {
	struct py_refs names;   /* every name token not after a '.' */
	struct py_refs assigns; /* targets of "=" statements: names and dotted
				   names, each element of a tuple target */
};
/* 0, or -1 on ENOMEM (ix is then empty). */
int py_flow_build(const struct py_outline *ol, struct py_flow *ix);
void py_flow_free(struct py_flow *ix);
/* The run of r spelled s[0..len), in source order; *n entries (0: NULL). */
const struct py_ref *py_refs_find(const struct py_refs *r, const char *s, size_t len, size_t *n);
/* Spelling of the tokens [b,e) in the source: pointer and *len. */
const char *py_tok_span(const struct py_toks *t, uint32_t b, uint32_t e, uint32_t *len);

/* Describes def f for messages: "async def cover, a request handler",
 * "async def Feed.on_receive", "def packing_slip", or "module level". */
void py_func_describe(const struct py_outline *ol, int f, char *buf, size_t n);

#endif
