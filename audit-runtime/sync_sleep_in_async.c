/*
 * sync_sleep_in_async
 *
 * What it does:
 *   Finds time.sleep() inside async def, called there or in the project's
 *   sync helpers it calls.
 *
 * Why it matters:
 *   time.sleep() (or sleep() imported from time) suspends the whole thread,
 *   and in an async def that thread is the event loop: no other request,
 *   websocket message or task makes progress until the sleep ends.  Rate
 *   limits, slow modes and polling loops written this way serialise the
 *   whole server.  A call of one of the project's own sync functions that
 *   reaches time.sleep, at any depth and across files, is reported at the
 *   call site in the async def with the call chain; calls handed to a
 *   thread are not.
 *
 * Severity:
 *   HIGH in a request or websocket handler, MEDIUM in background jobs and
 *   scripts; through helpers, one level down in startup code
 *
 * Example:
 *   async def buy_labels(wave_id):
 *       for shipment in shipments:
 *           await carrier.create_label(shipment.id)
 *           time.sleep(0.2)
 *
 * Use instead:
 *   async def buy_labels(wave_id):
 *       for shipment in shipments:
 *           await carrier.create_label(shipment.id)
 *           await asyncio.sleep(0.2)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "pyblock.h"
#include "pyfacts.h"
#include "pyindex.h"

/* "asyncio.sleep", "anyio.sleep" or "trio.sleep", by what the file uses. */
static const char *async_sleep(const struct py_imports *im)
{
	if (!py_imports_module(im, "asyncio") && py_imports_module(im, "anyio"))
		return "anyio.sleep";
	if (!py_imports_module(im, "asyncio") && py_imports_module(im, "trio"))
		return "trio.sleep";
	return "asyncio.sleep";
}

struct trans {
	struct check_ctx *cx;
	const struct py_imports *im;
};

/* Reports call h->call of an async def that runs a sync helper reaching
 * time.sleep, with the path in the message and as the finding's chain. */
static void report_reach(void *arg, const struct py_reach_hit *h)
{
	struct trans *tr = arg;
	struct check_ctx *cx = tr->cx;
	const struct py_call *c = h->call;
	const struct py_fn *last = h->hops[h->n - 1];
	struct check_where w;
	char path[1200], where[160], helper[256], issue[2000], rec[512];
	char *chain[PY_REACH_MAX + 2];
	size_t nchain = 0;
	if (py_reach_describe(h, cx->path, path, sizeof(path), chain, &nchain) < 0)
		return;
	py_func_describe(cx->ol, c->func, where, sizeof(where));
	py_fn_display(h->hops[0], helper, sizeof(helper));
	snprintf(issue, sizeof(issue),
		 "%s() called from %s%s %s time.sleep() at %s:%u (%s): the sleep blocks the event loop and "
		 "%s for its whole length", helper, where, strchr(where, ',') ? "," : "",
		 h->n > 1 ? "reaches, through its own calls," : "calls", last->path, last->blocking_line, path,
		 py_func_is_handler(cx->ol, c->func) ? "every other request and websocket waits"
						     : "every other task on the loop waits");
	snprintf(rec, sizeof(rec), "make %s async and await %s(...) instead of time.sleep(), or await "
		 "%s(%s, ...) so the helper sleeps in a worker thread", helper, async_sleep(tr->im),
		 py_offload_fn(cx->context, tr->im), c->callee);
	memset(&w, 0, sizeof(w));
	w.chain = (const char *const *)chain;
	w.nchain = nchain;
	/* startup code and scripts block no one for long: one level down there */
	check_report_ex(cx, &w, c->line, c->end_line,
			check_once_severity(cx, c->func, py_context_severity(cx->ol, c->func)), issue, rec);
	py_reach_chain_free(chain, nchain);
}

void check_sync_sleep_in_async(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct py_binds b;
	struct trans tr;
	size_t i;
	if (py_binds_build(&b, ol, cx->context) < 0)
		return;
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_call *c = &ol->calls[i];
		char where[160], issue[512], rec[320];
		char *args;
		int loop;
		if (c->awaited || !py_call_is_sync_sleep(&b, i) || !py_call_on_event_loop(ol, c))
			continue;
		args = py_outline_text(ol, c->lparen + 1, c->rparen);
		if (args && strlen(args) > 40)
			args[40] = '\0';
		loop = py_call_loop(ol, c) >= 0;
		py_func_describe(ol, c->func, where, sizeof(where));
		snprintf(issue, sizeof(issue),
			 "%s(%s) blocks the event loop inside %s%s: %s for the whole sleep", c->callee,
			 args ? args : "", where, loop ? ", on every loop iteration" : "",
			 py_func_is_handler(ol, c->func) ? "every other request and websocket waits"
							 : "every other task on the loop waits");
		snprintf(rec, sizeof(rec), "await %s(%s) instead; it suspends only this coroutine",
			 async_sleep(&b.im), args && *args ? args : "...");
		check_report(cx, c->line, c->end_line, py_context_severity(ol, c->func), issue, rec);
		free(args);
	}
	tr.cx = cx;
	tr.im = &b.im;
	py_reach_each(check_project_index(cx), cx->path, ol, PRK_SLEEP, report_reach, &tr);
	py_binds_free(&b);
}
