/*
 * sync_sleep_in_async, TypeScript/JavaScript
 *
 * What it does:
 *   Finds blocking sleeps in code that runs on the event loop (async
 *   functions, handlers, jobs, listeners and their synchronous callbacks):
 *   Atomics.wait(...) on the main thread, busy-wait loops that only read
 *   the clock (while (Date.now() < until) {}), execSync('sleep N') and the
 *   sync sleep packages (sleep's sleep/msleep/usleep, system-sleep,
 *   sleep-sync, deasync.sleep/loopWhile).
 *
 * Why it matters:
 *   A blocking sleep holds Node's only JavaScript thread: no other request,
 *   timer or socket is served until it ends.  await new Promise(r =>
 *   setTimeout(r, ms)), timers/promises, Atomics.waitAsync and Atomics.wait
 *   in a worker_threads file are not reported; neither are loops that do
 *   work until a deadline (they call something besides the clock).
 *
 * Severity:
 *   HIGH in a request handler, MEDIUM elsewhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "jsrt.h"
#include "js/js.h"
#include "pyfacts.h"

static const char *const clock_callees[] = { "Date.now", "performance.now", "process.hrtime", "process.hrtime.bigint",
					     "new Date", "Date", "Number", NULL };

static int is_clock(const struct py_call *c)
{
	int i;
	for (i = 0; clock_callees[i]; i++)
		if (!strcmp(c->callee, clock_callees[i]))
			return 1;
	return !strcmp(c->name, "getTime") || !strcmp(c->name, "valueOf") || !strcmp(c->name, "now");
}

/* 1 when loop block b only spins on the clock: it reads Date.now()/
 * performance.now()/hrtime, calls nothing else, awaits nothing and holds
 * no function. */
static int busy_wait(const struct py_outline *ol, int b)
{
	const struct py_block *l = &ol->blocks[b];
	const struct py_toks *t = ol->toks;
	uint32_t k, end = l->body_end > l->hdr_end ? l->body_end : l->hdr_end;
	size_t i;
	int clock = 0;
	if (l->kind == PB_FOR && l->iter_end > l->iter_begin)
		return 0; /* for-of/for-in walks a collection */
	for (k = l->hdr_begin; k < end && k < t->n; k++) {
		if (jsrt_is(t, k, "await") || jsrt_is(t, k, "yield") || jsrt_is(t, k, "=>") || jsrt_is(t, k, "function"))
			return 0;
		/* calls inside ${...} of a template are not outlined: assume work */
		if ((t->v[k].flags & PTF_TEMPLATE) && jsrt_has_subst(t, k))
			return 0;
	}
	for (i = py_first_call_from(ol, l->hdr_begin); i < ol->ncalls && ol->calls[i].lparen < end; i++) {
		const struct py_call *c = &ol->calls[i];
		if (c->is_ref)
			continue;
		if (!is_clock(c))
			return 0;
		if (!strcmp(c->callee, "Date.now") || !strcmp(c->callee, "performance.now") ||
		    !strncmp(c->callee, "process.hrtime", 14) || !strcmp(c->callee, "new Date"))
			clock = 1;
	}
	return clock;
}

/* What kind of blocking sleep call c is, or NULL. */
static const char *sleep_call(const struct js_imports *im, const struct py_outline *ol, const struct py_call *c)
{
	char buf[256];
	const char *member, *mod;
	if (!strcmp(c->callee, "Atomics.wait"))
		return "blocks the thread until the timeout";
	mod = js_call_module(im, ol, c, buf, sizeof(buf), &member);
	if (!mod && !strchr(c->callee, '.') && (!strcmp(c->callee, "execSync") || !strcmp(c->callee, "spawnSync") ||
						!strcmp(c->callee, "execFileSync")))
		mod = "child_process", member = c->callee;
	if (!mod)
		return NULL;
	if (!strcmp(mod, "child_process") && (!strcmp(member, "execSync") || !strcmp(member, "execFileSync") ||
					      !strcmp(member, "spawnSync")) && jsrt_shell_sleep(ol, c))
		return "runs the shell's sleep synchronously";
	if (!strcmp(mod, "sleep") && (!strcmp(member, "sleep") || !strcmp(member, "msleep") ||
				      !strcmp(member, "usleep")))
		return "is the sleep package's blocking sleep";
	if ((!strcmp(mod, "system-sleep") || !strcmp(mod, "sleep-sync")) && !*member)
		return "is a blocking sleep";
	if (!strcmp(mod, "deasync") && (!strcmp(member, "sleep") || !strcmp(member, "loopWhile")))
		return "blocks the caller until the condition or timeout (deasync)";
	return NULL;
}

/* A call of an event-loop context that runs a same-file sync helper
 * reaching such a call: reported at the call with the chain. */
static void report_reach(void *arg, size_t call, const int *hops, int n, enum jsrt_ctx k, int root)
{
	jsrt_report_reach(arg, call, hops, n, k, root, jsrt_severity(k), "sleeps synchronously",
			  "make the helper async and wait with await new Promise((r) => setTimeout(r, ms))");
}

void check_sync_sleep_in_async_ts(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct js_imports im;
	struct jsrt_reach r;
	unsigned char *hit;
	size_t nhit = 0;
	char where[300], issue[800], rec[600];
	size_t i;
	if (jsrt_path_runs_once(cx->path) || js_imports_build(ol, &im) < 0)
		return;
	hit = calloc(ol->ncalls + 1, 1);
	if (!hit) {
		js_imports_free(&im);
		return;
	}
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_call *c = &ol->calls[i];
		const char *what;
		enum jsrt_ctx k;
		int root = -1;
		if (c->is_ref || !c->callee[0] || c->func < 0)
			continue;
		what = sleep_call(&im, ol, c);
		if (what)
			hit[i] = 1, nhit++;
		if (!what || (k = jsrt_def_ctx(ol, &im, c->func, &root)) == JSRT_NONE)
			continue;
		jsrt_describe(ol, root, where, sizeof(where));
		snprintf(issue, sizeof(issue), "%s() %s inside %s%s: Node's only JavaScript thread sleeps, so %s "
			 "waits meanwhile", c->callee, what, root != c->func ? "a callback in " : "", where,
			 k == JSRT_HANDLER ? "every other request" : "every other request, timer and event");
		snprintf(rec, sizeof(rec), "wait without blocking: await new Promise((r) => setTimeout(r, ms)) or "
			 "await setTimeout(ms) from 'timers/promises'");
		check_report(cx, c->line, c->end_line, jsrt_severity(k), issue, rec);
	}
	for (i = 0; i < ol->nblocks; i++) {
		const struct py_block *b = &ol->blocks[i];
		enum jsrt_ctx k;
		int root = -1;
		if ((b->kind != PB_WHILE && b->kind != PB_FOR) || b->func < 0 || !busy_wait(ol, (int)i) ||
		    (k = jsrt_def_ctx(ol, &im, b->func, &root)) == JSRT_NONE)
			continue;
		jsrt_describe(ol, root, where, sizeof(where));
		snprintf(issue, sizeof(issue), "busy-wait loop on the clock inside %s%s: it spins Node's only "
			 "JavaScript thread until the deadline, so %s waits meanwhile",
			 root != b->func ? "a callback in " : "", where,
			 k == JSRT_HANDLER ? "every other request" : "every other request, timer and event");
		snprintf(rec, sizeof(rec), "replace the loop with await new Promise((r) => setTimeout(r, ms)) "
			 "(or await setTimeout(ms) from 'timers/promises')");
		check_report(cx, b->line, b->line, jsrt_severity(k), issue, rec);
	}
	if (nhit && jsrt_reach_build(ol, hit, &r) == 0) {
		jsrt_reach_each(ol, &im, &r, hit, report_reach, cx);
		jsrt_reach_free(&r);
	}
	free(hit);
	js_imports_free(&im);
}
