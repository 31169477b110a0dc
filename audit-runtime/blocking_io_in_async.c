/*
 * blocking_io_in_async
 *
 * What it does:
 *   Finds blocking file, network or process I/O inside async def.
 *
 * Why it matters:
 *   An async def runs on the event loop.  open(),
 *   Path.read_text/read_bytes/write_text/write_bytes, requests.*, sync
 *   httpx, urllib.request.urlopen,
 *   subprocess.run/call/check_call/check_output/Popen, os.system and
 *   shutil.copy* block the whole loop while they wait: every other request,
 *   websocket and task stalls until the call returns.  Calls passed to
 *   asyncio.to_thread, loop.run_in_executor or anyio.to_thread.run_sync,
 *   calls in a nested plain def, aiofiles and asyncio subprocesses are not
 *   reported.
 *
 * Severity:
 *   HIGH in a request or websocket handler, MEDIUM in background jobs and
 *   scripts
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
#include "pyfacts.h"

enum io_kind { IO_NONE, IO_FILE, IO_PATH, IO_HTTP, IO_URLLIB, IO_PROC, IO_SHUTIL, IO_SMTP };

struct io_name {
	const char *qual;
	enum io_kind kind;
};

static const struct io_name exact[] = {
	{ "open", IO_FILE }, { "io.open", IO_FILE }, { "codecs.open", IO_FILE },
	{ "gzip.open", IO_FILE }, { "bz2.open", IO_FILE }, { "lzma.open", IO_FILE },
	{ "urllib.request.urlopen", IO_URLLIB }, { "urllib.request.urlretrieve", IO_URLLIB },
	{ "subprocess.run", IO_PROC }, { "subprocess.call", IO_PROC },
	{ "subprocess.check_call", IO_PROC }, { "subprocess.check_output", IO_PROC },
	{ "subprocess.Popen", IO_PROC }, { "subprocess.getoutput", IO_PROC },
	{ "subprocess.getstatusoutput", IO_PROC }, { "os.system", IO_PROC }, { "os.popen", IO_PROC },
	{ "shutil.copy", IO_SHUTIL }, { "shutil.copy2", IO_SHUTIL }, { "shutil.copyfile", IO_SHUTIL },
	{ "shutil.copytree", IO_SHUTIL }, { "shutil.copyfileobj", IO_SHUTIL },
	{ "shutil.move", IO_SHUTIL }, { "shutil.rmtree", IO_SHUTIL },
	{ "shutil.make_archive", IO_SHUTIL }, { "shutil.unpack_archive", IO_SHUTIL },
	{ "smtplib.SMTP", IO_SMTP }, { "smtplib.SMTP_SSL", IO_SMTP },
	{ "tarfile.open", IO_FILE }, { "zipfile.ZipFile", IO_FILE },
	{ NULL, IO_NONE }
};

static const char *const http_verbs[] = {
	"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream", NULL
};

static const char *const path_io[] = { "read_text", "read_bytes", "write_text", "write_bytes", NULL };

static int in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return 1;
	return 0;
}

/* Receivers of the file whose methods block: sync HTTP client objects
 * (names bound to requests.Session(), httpx.Client(), urllib3.PoolManager()
 * by assignment or "with ... as") and pathlib paths (names bound to
 * Path(...) or to a path / "part", parameters annotated Path).  Each is
 * known in the def that binds it, or everywhere when bound at module level
 * or as an attribute (self.http = httpx.Client()). */
#define RECV_ANYWHERE (-1)

struct receivers {
	char *v[64];
	enum io_kind kind[64];
	int func[64];
	int n;
};

static int is_client_ctor(const char *qual)
{
	return !strcmp(qual, "requests.Session") || !strcmp(qual, "requests.session") ||
	       !strcmp(qual, "httpx.Client") || !strcmp(qual, "urllib3.PoolManager");
}

static int is_path_ctor(const char *qual)
{
	return !strcmp(qual, "pathlib.Path") || !strcmp(qual, "pathlib.PosixPath") ||
	       !strcmp(qual, "pathlib.PurePath") || !strncmp(qual, "pathlib.Path.", 13);
}

/* 1 when def f binds the name s[0..n) itself: a parameter, a with target
 * or an assignment; its value there is not the file-wide one. */
static int binds_locally(const struct py_outline *ol, int f, const char *s, size_t n)
{
	const struct py_block *d;
	size_t b, i;
	unsigned k;
	if (f < 0)
		return 0;
	d = &ol->blocks[f];
	for (k = 0; k < d->nparams; k++)
		if (strlen(d->params[k]) == n && !strncmp(d->params[k], s, n))
			return 1;
	for (b = (size_t)f + 1; b < ol->nblocks && ol->blocks[b].hdr_begin < d->body_end; b++)
		for (k = 0; ol->blocks[b].kind == PB_WITH && ol->blocks[b].func == f && k < ol->blocks[b].nitems; k++)
			if (ol->blocks[b].items[k].target && strlen(ol->blocks[b].items[k].target) == n &&
			    !strncmp(ol->blocks[b].items[k].target, s, n))
				return 1;
	for (i = (size_t)py_outline_stmt_of_tok(ol, d->body_begin); i < ol->nstmts &&
	     ol->stmts[i].tok_begin < d->body_end; i++) {
		struct py_assign a;
		uint32_t len;
		const char *p;
		if (ol->blocks[ol->stmts[i].block].func != f || !py_stmt_assign(ol, (int)i, &a))
			continue;
		p = py_tok_span(ol->toks, a.target_begin, a.target_end, &len);
		if (len == n && !strncmp(p, s, n))
			return 1;
	}
	return 0;
}

/* 1 when s[0..n) is a receiver of kind k usable in def f. */
static int recv_find(const struct py_outline *ol, const struct receivers *r, const char *s, size_t n,
		     enum io_kind k, int f)
{
	int i;
	for (i = 0; i < r->n; i++) {
		if (r->kind[i] != k || strlen(r->v[i]) != n || strncmp(r->v[i], s, n))
			continue;
		if (r->func[i] == f || (r->func[i] == RECV_ANYWHERE && !binds_locally(ol, f, s, n)))
			return 1;
	}
	return 0;
}

static void recv_add(struct receivers *r, char *text, enum io_kind k, int f)
{
	int i;
	if (text && !strncmp(text, "self.", 5))
		f = RECV_ANYWHERE;
	for (i = 0; text && i < r->n; i++)
		if (r->kind[i] == k && r->func[i] == f && !strcmp(r->v[i], text))
			break;
	if (text && i == r->n && r->n < 64) {
		r->kind[r->n] = k;
		r->func[r->n] = f;
		r->v[r->n++] = text;
	} else {
		free(text);
	}
}

/* The qualified callee of the call starting exactly at token b, or NULL. */
static const char *call_at(const struct py_outline *ol, const struct py_imports *im, uint32_t b,
			   char *buf, size_t n)
{
	size_t ci = py_first_call_from(ol, b), stop = ci + 4;
	for (; ci < ol->ncalls && ci < stop; ci++)
		if (ol->calls[ci].name_begin == b && !ol->calls[ci].is_ref)
			return py_qualify(im, ol->calls[ci].callee, buf, n);
	return NULL;
}

/* 1 when the value [vb, ve) evidently is a pathlib path. */
static int path_value(const struct py_outline *ol, const struct py_imports *im, const struct receivers *r,
		      int f, uint32_t vb, uint32_t ve)
{
	const struct py_toks *t = ol->toks;
	char q[256];
	const char *qual = call_at(ol, im, vb, q, sizeof(q));
	uint32_t k = vb;
	if (qual && is_path_ctor(qual))
		return 1;
	while (k + 2 < ve && py_tok_is(t, k + 1, ".") && t->v[k + 2].kind == PT_NAME)
		k += 2;
	if (k + 1 < ve && py_tok_is(t, k + 1, "/") && t->v[vb].kind == PT_NAME) {
		char *name = py_outline_text(ol, vb, k + 1);
		int hit = name && recv_find(ol, r, name, strlen(name), IO_PATH, f);
		free(name);
		return hit;
	}
	return 0;
}

static void find_receivers(const struct py_outline *ol, const struct py_imports *im, struct receivers *r)
{
	char q[256];
	size_t s, b;
	unsigned k;
	int pass;
	for (b = 0; b < ol->nblocks; b++) {
		const struct py_block *d = &ol->blocks[b];
		for (k = 0; d->kind == PB_DEF && k < d->nparams; k++) {
			const char *ann = strchr(d->param_texts[k], ':');
			if (ann && strstr(ann, "Path") && !strstr(ann, "str"))
				recv_add(r, strdup(d->params[k]), IO_PATH, (int)b);
		}
		for (k = 0; d->kind == PB_WITH && k < d->nitems; k++) {
			const char *qual = call_at(ol, im, d->items[k].expr_begin, q, sizeof(q));
			if (qual && d->items[k].target && is_client_ctor(qual))
				recv_add(r, strdup(d->items[k].target), IO_HTTP, d->func);
		}
	}
	for (pass = 0; pass < 2; pass++)
		for (s = 0; s < ol->nstmts; s++) {
			struct py_assign a;
			const char *qual;
			int f = ol->blocks[ol->stmts[s].block].func;
			if (!py_stmt_assign(ol, (int)s, &a) || !py_tok_is(ol->toks, a.op, "=") ||
			    !py_tok_is_chain(ol->toks, a.target_begin, a.target_end))
				continue;
			if (f < 0)
				f = RECV_ANYWHERE;
			qual = call_at(ol, im, a.value_begin, q, sizeof(q));
			if (qual && is_client_ctor(qual))
				recv_add(r, py_outline_text(ol, a.target_begin, a.target_end), IO_HTTP, f);
			else if (path_value(ol, im, r, f, a.value_begin, a.value_end))
				recv_add(r, py_outline_text(ol, a.target_begin, a.target_end), IO_PATH, f);
		}
}

static enum io_kind classify(const struct py_outline *ol, const struct py_call *c, const char *qual,
			    const struct receivers *r, const struct py_imports *im)
{
	int imported = py_callee_imported(im, c->callee);
	size_t rl = strlen(c->callee) - strlen(c->name);
	int i;
	for (i = 0; exact[i].qual; i++)
		if (!strcmp(qual, exact[i].qual) && (imported || !strcmp(qual, "open")))
			return exact[i].kind;
	if (imported && !strncmp(qual, "requests.", 9) && in_list(http_verbs, c->name))
		return IO_HTTP;
	if (imported && !strncmp(qual, "httpx.", 6) && in_list(http_verbs, c->name) &&
	    !strstr(qual, "AsyncClient"))
		return IO_HTTP;
	if (strchr(c->callee, '.') && in_list(path_io, c->name) && strncmp(qual, "aiofiles", 8) &&
	    strncmp(qual, "anyio", 5) && strncmp(qual, "trio", 4))
		return IO_PATH;
	if (rl > 1 && !strcmp(c->name, "open") &&
	    ((imported && !strncmp(qual, "pathlib.Path", 12)) ||
	     recv_find(ol, r, c->callee, rl - 1, IO_PATH, c->func)))
		return IO_FILE;
	if (rl > 1 && in_list(http_verbs, c->name) && strcmp(c->name, "stream") &&
	    recv_find(ol, r, c->callee, rl - 1, IO_HTTP, c->func))
		return IO_HTTP;
	return IO_NONE;
}

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

static void describe(const struct py_outline *ol, const struct py_call *c, enum io_kind k, char *what,
		     size_t n)
{
	const char *callee = c->callee, *mode;
	switch (k) {
	case IO_FILE:
		mode = open_mode(ol, c);
		snprintf(what, n, "%s() opens and %s a file synchronously", callee, mode);
		break;
	case IO_PATH:
		snprintf(what, n, "%s() %s the whole file synchronously", callee,
			 !strncmp(c->name, "write", 5) ? "writes" : "reads");
		break;
	case IO_HTTP:
	case IO_URLLIB:
		snprintf(what, n, "%s() is a blocking HTTP call that waits for the remote service", callee);
		break;
	case IO_PROC:
		snprintf(what, n, "%s() blocks until the child process finishes", callee);
		break;
	case IO_SHUTIL:
		snprintf(what, n, "%s() copies or moves files synchronously", callee);
		break;
	default:
		snprintf(what, n, "%s() opens a blocking network connection", callee);
		break;
	}
}

static void recommend(struct check_ctx *cx, const struct py_imports *im, const struct py_call *c,
		      enum io_kind k, char *rec, size_t n)
{
	const char *off = py_offload_fn(cx->context, im);
	char *args = py_outline_text(cx->ol, c->lparen + 1, c->rparen);
	const char *a = args && strlen(args) < 60 ? args : "...";
	switch (k) {
	case IO_FILE:
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
	case IO_PATH:
		snprintf(rec, n, "await %s(%s%s%s) so the file work runs in a worker thread%s", off,
			 c->callee, args && *args ? ", " : "", args && *args ? a : "",
			 py_uses_lib(cx->context, im, "aiofiles") ? ", or use aiofiles" : "");
		break;
	case IO_HTTP:
	case IO_URLLIB:
		if (py_uses_lib(cx->context, im, "httpx"))
			snprintf(rec, n, "use httpx.AsyncClient (already a dependency): await client.%s(...) "
				 "with one shared client", k == IO_URLLIB ? "get" : c->name);
		else if (py_uses_lib(cx->context, im, "aiohttp"))
			snprintf(rec, n, "use the project's aiohttp.ClientSession: async with session.%s(...) "
				 "as resp", k == IO_URLLIB ? "get" : c->name);
		else
			snprintf(rec, n, "use an async client (httpx.AsyncClient: await client.%s(...)), or "
				 "await %s(%s, ...) as a stopgap", k == IO_URLLIB ? "get" : c->name, off,
				 c->callee);
		break;
	case IO_PROC:
		snprintf(rec, n, "use proc = await asyncio.create_subprocess_exec(...) and await "
			 "proc.communicate()%s", py_uses_lib(cx->context, im, "anyio")
			 ? ", or await anyio.run_process(...)" : "");
		break;
	case IO_SHUTIL:
		snprintf(rec, n, "await %s(%s, %s)", off, c->callee, a);
		break;
	default:
		snprintf(rec, n, "use aiosmtplib, or send the mail from %s or a background worker", off);
		break;
	}
	free(args);
}

void check_blocking_io_in_async(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct py_imports im;
	struct receivers rv;
	unsigned last_line = 0;
	size_t i;
	if (py_imports_build(ol, &im) < 0)
		return;
	memset(&rv, 0, sizeof(rv));
	find_receivers(ol, &im, &rv);
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_call *c = &ol->calls[i];
		char q[256], where[160], what[320], issue[640], rec[512];
		enum io_kind k;
		if (c->is_ref || c->awaited || !c->callee[0] || c->line == last_line ||
		    !py_call_on_event_loop(ol, c))
			continue;
		k = classify(ol, c, py_qualify(&im, c->callee, q, sizeof(q)), &rv, &im);
		if (k == IO_NONE)
			continue;
		py_func_describe(ol, c->func, where, sizeof(where));
		describe(ol, c, k, what, sizeof(what));
		snprintf(issue, sizeof(issue), "%s inside %s: the event loop stalls meanwhile and %s",
			 what, where, py_func_is_handler(ol, c->func)
			 ? "every other request and websocket waits"
			 : "every other task on the loop waits");
		recommend(cx, &im, c, k, rec, sizeof(rec));
		check_report(cx, c->line, c->end_line, py_context_severity(ol, c->func), issue, rec);
		last_line = c->line;
	}
	for (i = 0; i < (size_t)rv.n; i++)
		free(rv.v[i]);
	py_imports_free(&im);
}
