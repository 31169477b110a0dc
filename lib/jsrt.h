/*
 * jsrt: what the TypeScript/JavaScript runtime checks ask of a file.
 *
 * - Imports: which module a local name comes from (import default/
 *   namespace/named, const x = require('m'), const { a: b } = require('m')),
 *   so fs.readFileSync, readFileSync, bcrypt.hashSync and gzipSync are
 *   recognised whatever the file named them.
 * - Event-loop context of a function: an async function, arrow or method,
 *   a request handler, a job (setInterval, cron, BullMQ) or an
 *   EventEmitter listener, and the synchronous callbacks run inside them
 *   (items.forEach(x => ...) in an async function).  Not: module top level,
 *   plain helpers (reached only transitively), an async function run once
 *   at startup (bootstrap()/main() called from the top level), Next.js
 *   build-time data functions (getStaticProps...), a worker_threads file,
 *   process exit/signal listeners.
 */
#ifndef PPERF_JSRT_H
#define PPERF_JSRT_H

#include <stddef.h>

#include "finding.h"
#include "py/outline.h"

struct js_import {
	const char *local;    /* the local name */
	const char *module;   /* "fs" ("node:" stripped), "bcryptjs" */
	const char *imported; /* "*" for a namespace or default/require of the whole module, else the name */
};

struct js_imports {
	struct js_import *v;
	size_t n, cap;
	char *pool;           /* malloc'd strings, one block per entry */
	int worker_file;      /* imports worker_threads and reads parentPort/workerData */
};

/* Scans the file's import and require forms (one pass over the tokens).
 * 0, -1 on allocation failure (im is then empty but valid). */
int js_imports_build(const struct py_outline *ol, struct js_imports *im);
void js_imports_free(struct js_imports *im);

/* The module a call's callee comes from, and in *member the member path
 * inside it ("readFileSync", "promises.readFile"; points into buf).
 * Unbound roots named like a module (fs, zlib, crypto, child_process,
 * bcrypt) count as that module; require('m').x() too.  NULL when the root
 * is neither imported nor conventional. */
const char *js_call_module(const struct js_imports *im, const struct py_outline *ol, const struct py_call *c,
			   char *buf, size_t n, const char **member);

/* 1 when module is one of the names in the NULL-terminated list. */
int js_module_in(const char *module, const char *const *list);

enum jsrt_ctx { JSRT_NONE = 0, JSRT_ASYNC, JSRT_HANDLER, JSRT_JOB, JSRT_LISTENER };

/* The event-loop context in which the body of def f (-1: module level)
 * runs, and in *root the def that gives it (f itself or the function
 * whose synchronous callback f is); JSRT_NONE when not on the event loop
 * per request or event. */
enum jsrt_ctx jsrt_def_ctx(const struct py_outline *ol, const struct js_imports *im, int f, int *root);

/* "the NestJS handler AppointmentsController.privacyNotice", "the Express
 * route callback of app.get('/files')", "the async function renderFeed"... */
void jsrt_describe(const struct py_outline *ol, int f, char *buf, size_t n);

/* HIGH in a handler, MEDIUM elsewhere. */
enum severity jsrt_severity(enum jsrt_ctx k);

/* Token index just past the matching closer of the bracket at open, not
 * beyond end. */
uint32_t jsrt_close(const struct py_toks *t, uint32_t open, uint32_t end);

/* 1 when token i is the name, operator or number spelled s. */
int jsrt_is(const struct py_toks *t, uint32_t i, const char *s);

/* 1 when the first argument of call c is a string command starting with
 * "sleep" (execSync('sleep 2')): a sleep, not I/O. */
int jsrt_shell_sleep(const struct py_outline *ol, const struct py_call *c);
/* 1 when token k is a template literal with a ${...} substitution. */
int jsrt_has_subst(const struct py_toks *t, uint32_t k);
/* 1 when the file at path (relative) runs once or off the server: build,
 * release and operator scripts (scripts/, bin/, tools/, cli/, cli.ts),
 * migrations and seeds, examples, benchmarks, end-to-end suites, tool
 * configs (gulpfile.*, webpack.*, *.config.*). */
int jsrt_path_runs_once(const char *path);
/* Same-file helpers that reach a flagged call.  hit[i] marks the calls of
 * interest (blocking I/O, a sleep...).  via[b] for each def b: the call of
 * b (or of its synchronous callbacks) that is flagged or that calls a
 * same-file sync helper reaching one (up to 4 levels), else -1.
 * target[i]: the def that call i runs (bare name(...) or this.name(...)
 * resolved in the file), else -1.  Async helpers are not followed: they
 * report in their own body. */
struct jsrt_reach {
	const struct py_outline *ol;
	int *via;
	int *target;
};
int jsrt_reach_build(const struct py_outline *ol, const unsigned char *hit, struct jsrt_reach *r);
void jsrt_reach_free(struct jsrt_reach *r);

#define JSRT_REACH_MAX 6

/* Called for call `call` of an event-loop context (k, root as for
 * jsrt_def_ctx) that runs a same-file sync helper reaching a hit call:
 * hops[0..n) are the calls from the first helper's body on, the last one
 * the hit. */
typedef void (*jsrt_reach_fn)(void *arg, size_t call, const int *hops, int n, enum jsrt_ctx k, int root);
void jsrt_reach_each(const struct py_outline *ol, const struct js_imports *im, const struct jsrt_reach *r,
		     const unsigned char *hit, jsrt_reach_fn fn, void *arg);

/* Reports the finding of a jsrt_reach_each hit with the call chain
 * ("where (path:line)", then each call on the way down to the hit); what: the hit call's
 * effect ("does synchronous file-system I/O"); rec: the recommendation. */
struct check_ctx;
void jsrt_report_reach(struct check_ctx *cx, size_t call, const int *hops, int n, enum jsrt_ctx k, int root,
		       enum severity sev, const char *what, const char *rec);

#endif
