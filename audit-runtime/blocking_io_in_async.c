/*
 * blocking_io_in_async
 *
 * What it does:
 *   Finds blocking file, network or process I/O inside async def, made
 *   there or in the project's sync helpers it calls.
 *
 * Why it matters:
 *   An async def runs on the event loop.  open(),
 *   Path.read_text/read_bytes/write_text/write_bytes, requests.*, sync
 *   httpx, urllib.request.urlopen,
 *   subprocess.run/call/check_call/check_output/Popen, os.system and
 *   shutil.copy* block the whole loop while they wait: every other request,
 *   websocket and task stalls until the call returns.  A call of one of
 *   the project's own sync functions that reaches such I/O, at any depth
 *   and across files (lib/pyblock.h walks the project index), is reported
 *   at the call site in the async def with the call chain.  Calls passed
 *   to asyncio.to_thread, loop.run_in_executor or
 *   anyio.to_thread.run_sync, calls in a nested plain def, awaited async
 *   helpers (reported in their own body), lru_cache'd loaders, aiofiles
 *   and asyncio subprocesses are not reported.
 *
 * Severity:
 *   HIGH in a request or websocket handler, MEDIUM in background jobs and
 *   scripts; through helpers, one level down in startup code
 *
 * Example:
 *   async def cover(book_id: int):
 *       with open(path, "rb") as fh:
 *           data = fh.read()
 *       verdict = requests.post(URL, json=body, timeout=3).json()
 *
 * Use instead:
 *   async def cover(book_id: int):
 *       async with aiofiles.open(path, "rb") as fh:
 *           data = await fh.read()
 *       async with httpx.AsyncClient() as client:
 *           verdict = (await client.post(URL, json=body, timeout=3)).json()
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "pyblock.h"
#include "pyfacts.h"
#include "pyindex.h"

/* "reads" or "writes" from the mode of an open() call: its second
 * positional argument (first for path.open) or mode=. */
static const char *open_mode(const struct py_outline *ol, const struct py_call *c)
{
	const struct py_toks *t = ol->toks;
	uint16_t d = (uint16_t)(t->v[c->lparen].depth + 1);
	uint32_t k, m = 0;
	unsigned arg = 0, want = strchr(c->callee, '.') && strncmp(c->callee, "io.", 3) &&
				  strncmp(c->callee, "codecs.", 7) ? 0 : 1; /* path.open(mode) */
	for (k = c->lparen + 1; k < c->rparen && !m; k++) {
		if (t->v[k].depth != d)
			continue;
		if (py_tok_is(t, k, ","))
			arg++;
		else if (t->v[k].kind == PT_STRING && (arg == want || (k >= 2 && py_tok_is(t, k - 1, "=") &&
								  py_tok_is(t, k - 2, "mode"))) &&
			 !py_tok_is(t, k - 1, ":"))
			m = k;
	}
	if (!m)
		return "reads"; /* the default mode of every opener is "r" */
	for (k = 0; k < t->v[m].len; k++) {
		char ch = py_tok_text(t, m)[k];
		if (ch == 'w' || ch == 'a' || ch == 'x' || ch == '+')
			return "writes";
	}
	return "reads";
}

static void describe(const struct py_outline *ol, const struct py_call *c, enum py_bio k, char *what,
		     size_t n)
{
	const char *callee = c->callee, *mode;
	switch (k) {
	case PBIO_FILE:
		mode = open_mode(ol, c);
		snprintf(what, n, "%s() opens and %s a file synchronously", callee, mode);
		break;
	case PBIO_PATH:
		snprintf(what, n, "%s() %s the whole file synchronously", callee,
			 !strncmp(c->name, "write", 5) ? "writes" : "reads");
		break;
	case PBIO_HTTP:
	case PBIO_URLLIB:
		snprintf(what, n, "%s() is a blocking HTTP call that waits for the remote service", callee);
		break;
	case PBIO_PROC:
		snprintf(what, n, "%s() blocks until the child process finishes", callee);
		break;
	case PBIO_SHUTIL:
		snprintf(what, n, "%s() copies or moves files synchronously", callee);
		break;
	default:
		snprintf(what, n, "%s() opens a blocking network connection", callee);
		break;
	}
}

static void recommend(struct check_ctx *cx, const struct py_imports *im, const struct py_call *c,
		      enum py_bio k, char *rec, size_t n)
{
	const char *off = py_offload_fn(cx->context, im);
	char *args = py_outline_text(cx->ol, c->lparen + 1, c->rparen);
	const char *a = args && strlen(args) < 60 ? args : "...";
	switch (k) {
	case PBIO_FILE:
		if (py_uses_lib(cx->context, im, "aiofiles"))
			snprintf(rec, n, "use aiofiles (already a dependency): async with aiofiles.open(%s) "
				 "as fh, then await fh.read()/fh.write(...)", a);
		else if (py_uses_lib(cx->context, im, "anyio"))
			snprintf(rec, n, "use await anyio.open_file(%s), or move the file work into a plain "
				 "function and await %s(fn, ...)", a, off);
		else
			snprintf(rec, n, "move the file work into a plain function and await %s(fn, ...), or "
				 "use aiofiles (async with aiofiles.open(%s) as fh)", off, a);
		break;
	case PBIO_PATH:
		snprintf(rec, n, "await %s(%s%s%s) so the file work runs in a worker thread%s", off,
			 c->callee, args && *args ? ", " : "", args && *args ? a : "",
			 py_uses_lib(cx->context, im, "aiofiles") ? ", or use aiofiles" : "");
		break;
	case PBIO_HTTP:
	case PBIO_URLLIB:
		if (py_uses_lib(cx->context, im, "httpx"))
			snprintf(rec, n, "use httpx.AsyncClient (already a dependency): await client.%s(...) "
				 "with one shared client", k == PBIO_URLLIB ? "get" : c->name);
		else if (py_uses_lib(cx->context, im, "aiohttp"))
			snprintf(rec, n, "use the project's aiohttp.ClientSession: async with session.%s(...) "
				 "as resp", k == PBIO_URLLIB ? "get" : c->name);
		else
			snprintf(rec, n, "use an async client (httpx.AsyncClient: await client.%s(...)), or "
				 "await %s(%s, ...) as a stopgap", k == PBIO_URLLIB ? "get" : c->name, off,
				 c->callee);
		break;
	case PBIO_PROC:
		snprintf(rec, n, "use proc = await asyncio.create_subprocess_exec(...) and await "
			 "proc.communicate()%s", py_uses_lib(cx->context, im, "anyio")
			 ? ", or await anyio.run_process(...)" : "");
		break;
	case PBIO_SHUTIL:
		snprintf(rec, n, "await %s(%s, %s)", off, c->callee, a);
		break;
	default:
		snprintf(rec, n, "use aiosmtplib, or send the mail from %s or a background worker", off);
		break;
	}
	free(args);
}

/* What the transitive findings of a file need. */
struct trans {
	struct check_ctx *cx;
	const struct py_imports *im;
};

/* Reports call h->call of an async def that runs a sync helper reaching
 * blocking I/O, with the path in the message and as the finding's chain. */
static void report_reach(void *arg, const struct py_reach_hit *h)
{
	struct trans *tr = arg;
	struct check_ctx *cx = tr->cx;
	const struct py_call *c = h->call;
	const struct py_fn *last = h->hops[h->n - 1];
	struct check_where w;
	char path[1200], where[160], helper[256], issue[2000], rec[640];
	char *chain[PY_REACH_MAX + 2];
	size_t nchain = 0;
	if (py_reach_describe(h, cx->path, path, sizeof(path), chain, &nchain) < 0)
		return;
	py_func_describe(cx->ol, c->func, where, sizeof(where));
	py_fn_display(h->hops[0], helper, sizeof(helper));
	snprintf(issue, sizeof(issue),
		 "%s() called from %s%s %s the blocking call %s() at %s:%u (%s): the event loop stalls "
		 "meanwhile and %s", helper, where, strchr(where, ',') ? "," : "",
		 h->n > 1 ? "reaches, through its own calls," : "makes", last->blocking, last->path,
		 last->blocking_line, path, py_func_is_handler(cx->ol, c->func)
		 ? "every other request and websocket waits" : "every other task on the loop waits");
	snprintf(rec, sizeof(rec), "await %s(%s, ...) so the whole helper runs in a worker thread, or make "
		 "%s async and replace %s() with its non-blocking counterpart (aiofiles, httpx.AsyncClient, "
		 "asyncio.create_subprocess_exec)", py_offload_fn(cx->context, tr->im), c->callee, helper,
		 last->blocking);
	memset(&w, 0, sizeof(w));
	w.chain = (const char *const *)chain;
	w.nchain = nchain;
	/* startup code and scripts block no one for long: one level down there */
	check_report_ex(cx, &w, c->line, c->end_line,
			check_once_severity(cx, c->func, py_context_severity(cx->ol, c->func)), issue, rec);
	py_reach_chain_free(chain, nchain);
}

void check_blocking_io_in_async(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct py_binds b;
	struct trans tr;
	unsigned last_line = 0;
	size_t i;
	if (py_binds_build(&b, ol, cx->context) < 0)
		return;
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_call *c = &ol->calls[i];
		char where[160], what[320], issue[640], rec[512];
		enum py_bio k;
		if (c->is_ref || c->awaited || !c->callee[0] || c->line == last_line ||
		    !py_call_on_event_loop(ol, c) || py_call_in_once_guard(ol, c))
			continue;   /* a lazy-init guard blocks once per process, not per request */
		k = py_call_blocking_io(&b, i, NULL, 0);
		if (k == PBIO_NONE)
			continue;
		py_func_describe(ol, c->func, where, sizeof(where));
		describe(ol, c, k, what, sizeof(what));
		snprintf(issue, sizeof(issue), "%s inside %s: the event loop stalls meanwhile and %s",
			 what, where, py_func_is_handler(ol, c->func)
			 ? "every other request and websocket waits"
			 : "every other task on the loop waits");
		recommend(cx, &b.im, c, k, rec, sizeof(rec));
		check_report(cx, c->line, c->end_line, py_context_severity(ol, c->func), issue, rec);
		last_line = c->line;
	}
	tr.cx = cx;
	tr.im = &b.im;
	py_reach_each(check_project_index(cx), cx->path, ol, PRK_IO, report_reach, &tr);
	py_binds_free(&b);
}
