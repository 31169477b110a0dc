/*
 * sync_sleep_in_async
 *
 * What it does:
 *   Finds time.sleep() inside async def.
 *
 * Why it matters:
 *   time.sleep() (or sleep() imported from time) suspends the whole thread,
 *   and in an async def that thread is the event loop: no other request,
 *   websocket message or task makes progress until the sleep ends.  Rate
 *   limits, slow modes and polling loops written this way serialise the
 *   whole server.
 *
 * Severity:
 *   HIGH in a request or websocket handler, MEDIUM in background jobs and
 *   scripts
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
#include "pyfacts.h"

/* "asyncio.sleep", "anyio.sleep" or "trio.sleep", by what the file uses. */
static const char *async_sleep(const struct py_imports *im)
{
	if (!py_imports_module(im, "asyncio") && py_imports_module(im, "anyio"))
		return "anyio.sleep";
	if (!py_imports_module(im, "asyncio") && py_imports_module(im, "trio"))
		return "trio.sleep";
	return "asyncio.sleep";
}

void check_sync_sleep_in_async(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct py_imports im;
	size_t i;
	if (py_imports_build(ol, &im) < 0)
		return;
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_call *c = &ol->calls[i];
		char q[256], where[160], issue[512], rec[320];
		char *args;
		int loop;
		if (c->is_ref || c->awaited || strcmp(c->name, "sleep") || !py_callee_imported(&im, c->callee) ||
		    strcmp(py_qualify(&im, c->callee, q, sizeof(q)), "time.sleep") ||
		    !py_call_on_event_loop(ol, c))
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
			 async_sleep(&im), args && *args ? args : "...");
		check_report(cx, c->line, c->end_line, py_context_severity(ol, c->func), issue, rec);
		free(args);
	}
	py_imports_free(&im);
}
