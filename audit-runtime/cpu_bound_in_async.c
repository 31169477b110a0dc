/*
 * cpu_bound_in_async
 *
 * What it does:
 *   Finds CPU-heavy parsing, hashing or compression on the event loop.
 *
 * Why it matters:
 *   json.load of a file or json.loads of a request body, hashlib over an
 *   upload, bcrypt.hashpw, PIL.Image.open, BeautifulSoup(...),
 *   lxml.etree.parse/fromstring, zlib/gzip compression and pickle.loads
 *   hold the event loop for as long as the work takes, milliseconds to
 *   seconds for large inputs, and every other coroutine waits.  Parsing a
 *   tiny event payload or hashing a short token is not reported.
 *
 * Severity:
 *   MEDIUM
 *
 * Example:
 *   async def upload(request):
 *       blob = await request.body()
 *       digest = hashlib.md5(blob).hexdigest()
 *
 * Use instead:
 *   async def upload(request):
 *       blob = await request.body()
 *       digest = await asyncio.to_thread(lambda: hashlib.md5(blob).hexdigest())
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "pyfacts.h"

enum cpu_kind { CPU_NONE, CPU_PARSE, CPU_HASH, CPU_PASSWORD, CPU_COMPRESS, CPU_IMAGE };

struct cpu_name {
	const char *qual;
	enum cpu_kind kind;
};

/* Always heavy, whatever the argument. */
static const struct cpu_name always[] = {
	{ "json.load", CPU_PARSE }, { "pickle.load", CPU_PARSE }, { "pickle.loads", CPU_PARSE },
	{ "bs4.BeautifulSoup", CPU_PARSE },
	{ "lxml.etree.parse", CPU_PARSE }, { "lxml.etree.fromstring", CPU_PARSE },
	{ "lxml.etree.XML", CPU_PARSE }, { "lxml.etree.HTML", CPU_PARSE },
	{ "lxml.html.fromstring", CPU_PARSE }, { "lxml.html.document_fromstring", CPU_PARSE },
	{ "lxml.html.parse", CPU_PARSE }, { "xml.etree.ElementTree.parse", CPU_PARSE },
	{ "xml.etree.ElementTree.fromstring", CPU_PARSE },
	{ "bcrypt.hashpw", CPU_PASSWORD }, { "bcrypt.checkpw", CPU_PASSWORD },
	{ "bcrypt.kdf", CPU_PASSWORD }, { "hashlib.pbkdf2_hmac", CPU_PASSWORD },
	{ "hashlib.scrypt", CPU_PASSWORD }, { "hashlib.file_digest", CPU_HASH },
	{ "zlib.compress", CPU_COMPRESS }, { "zlib.decompress", CPU_COMPRESS },
	{ "gzip.compress", CPU_COMPRESS }, { "gzip.decompress", CPU_COMPRESS },
	{ "bz2.compress", CPU_COMPRESS }, { "bz2.decompress", CPU_COMPRESS },
	{ "lzma.compress", CPU_COMPRESS }, { "lzma.decompress", CPU_COMPRESS },
	{ "PIL.Image.open", CPU_IMAGE }, { NULL, CPU_NONE }
};

/* Calls whose result is a whole body or file. */
static const char *const bulk_calls[] = {
	"read", "read_text", "read_bytes", "body", "get_data", "getvalue", "readlines", NULL
};
/* Calls whose result is one small event (a chat message, a NOTIFY). */
static const char *const event_calls[] = {
	"receive_text", "receive", "receive_json", "receive_bytes", "recv", "get_nowait", NULL
};

static int in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return 1;
	return 0;
}

/* 1 when the calls inside tokens (b,e) fetch a whole body or file;
 * -1 when they fetch one small event; 0 when unknown. */
static int bulk_calls_in(const struct py_outline *ol, uint32_t b, uint32_t e)
{
	size_t ci;
	for (ci = py_first_call_from(ol, b); ci < ol->ncalls && ol->calls[ci].lparen < e; ci++) {
		const struct py_call *k = &ol->calls[ci];
		if (k->is_ref)
			continue;
		if (in_list(event_calls, k->name))
			return -1;
		if (in_list(bulk_calls, k->name) || (k->awaited && !strcmp(k->name, "text")))
			return 1;
	}
	return 0;
}

/* Last assignment "name = value" in def f before token before; returns 1
 * and the value's tokens. */
static int last_assignment(const struct py_outline *ol, int f, const char *name, size_t nlen,
			   uint32_t before, uint32_t *vb, uint32_t *ve)
{
	int s = py_outline_stmt_of_tok(ol, before), found = 0;
	while (--s >= 0) {
		struct py_assign a;
		const struct py_stmt *st = &ol->stmts[s];
		if (st->block < 0 || ol->blocks[st->block].func != f)
			continue;
		if (ol->blocks[f].body_begin > st->tok_begin)
			break;
		if (py_stmt_assign(ol, s, &a) && py_tok_is(ol->toks, a.op, "=") &&
		    a.target_end == a.target_begin + 1 && ol->toks->v[a.target_begin].len == nlen &&
		    !memcmp(py_tok_text(ol->toks, a.target_begin), name, nlen)) {
			*vb = a.value_begin;
			*ve = a.value_end;
			found = 1;
			break;
		}
	}
	return found;
}

/* 1 when tokens [b,e) are request.body, resp.content...: a whole body. */
static int body_attribute(const struct py_toks *t, uint32_t b, uint32_t e)
{
	return e - b >= 3 && py_tok_is_chain(t, b, e) &&
	       (py_tok_is(t, e - 1, "content") || py_tok_is(t, e - 1, "body"));
}

/* 1 when token b names a parameter of def f annotated bytes/bytearray. */
static int bytes_param(const struct py_outline *ol, int f, uint32_t b)
{
	const struct py_block *d = &ol->blocks[f];
	unsigned p;
	for (p = 0; p < d->nparams; p++) {
		const char *ann = strchr(d->param_texts[p], ':');
		if (strlen(d->params[p]) == ol->toks->v[b].len &&
		    !memcmp(d->params[p], py_tok_text(ol->toks, b), ol->toks->v[b].len))
			return ann && (strstr(ann, "bytes") || strstr(ann, "bytearray") || strstr(ann, "memoryview"));
	}
	return 0;
}

/* 1 when the first argument of c is a whole body or file contents. */
static int bulk_argument(const struct py_outline *ol, const struct py_call *c)
{
	const struct py_toks *t = ol->toks;
	uint32_t b = c->lparen + 1, e = c->rparen, k, vb, ve;
	int r;
	for (k = b; k < e; k++) /* first argument only */
		if (py_tok_is(t, k, ",") && t->v[k].depth == t->v[c->lparen].depth + 1)
			break;
	e = k;
	if (b >= e)
		return 0;
	r = bulk_calls_in(ol, b, e);
	if (r)
		return r > 0;
	if (body_attribute(t, b, e))
		return 1;
	if (e - b == 1 && t->v[b].kind == PT_NAME && c->func >= 0 &&
	    last_assignment(ol, c->func, py_tok_text(t, b), t->v[b].len, b, &vb, &ve))
		return bulk_calls_in(ol, vb, ve) > 0 || body_attribute(t, vb, ve);
	return e - b == 1 && t->v[b].kind == PT_NAME && c->func >= 0 && bytes_param(ol, c->func, b);
}

static enum cpu_kind classify(const struct py_outline *ol, const struct py_imports *im,
			     const struct py_call *c, const char *qual)
{
	int i;
	if (!py_callee_imported(im, c->callee))
		return CPU_NONE;
	for (i = 0; always[i].qual; i++)
		if (!strcmp(qual, always[i].qual))
			return always[i].kind;
	if (!strcmp(qual, "json.loads") || !strcmp(qual, "orjson.loads") || !strcmp(qual, "ujson.loads"))
		return bulk_argument(ol, c) ? CPU_PARSE : CPU_NONE;
	if (!strncmp(qual, "hashlib.", 8) && !strstr(qual, "()") && c->rparen > c->lparen + 1)
		return bulk_argument(ol, c) ? CPU_HASH : CPU_NONE;
	return CPU_NONE;
}

static const char *verb(enum cpu_kind k)
{
	switch (k) {
	case CPU_PARSE:
		return "parses the whole input";
	case CPU_HASH:
		return "hashes the whole body";
	case CPU_PASSWORD:
		return "runs a deliberately slow password hash";
	case CPU_COMPRESS:
		return "compresses or decompresses the whole payload";
	default:
		return "decodes the image";
	}
}

void check_cpu_bound_in_async(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = cx->toks;
	struct py_imports im;
	unsigned last_line = 0;
	size_t i;
	if (py_imports_build(ol, &im) < 0)
		return;
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_call *c = &ol->calls[i];
		char q[256], where[160], issue[640], rec[640];
		const char *off;
		enum cpu_kind k;
		uint32_t end;
		char *expr;
		if (c->is_ref || c->awaited || !c->callee[0] || c->line == last_line ||
		    !py_call_on_event_loop(ol, c))
			continue;
		k = classify(ol, &im, c, py_qualify(&im, c->callee, q, sizeof(q)));
		if (k == CPU_NONE)
			continue;
		off = py_offload_fn(cx->context, &im);
		end = c->rparen + 1;
		if (end + 3 < t->n && py_tok_is(t, end, ".") && (py_tok_is(t, end + 1, "hexdigest") ||
								 py_tok_is(t, end + 1, "digest")) &&
		    py_tok_is(t, end + 2, "("))
			end += 4; /* hashlib.md5(blob).hexdigest() */
		expr = py_outline_text(ol, c->name_begin, end);
		if (expr && strlen(expr) > 90)
			memcpy(expr + 84, " ...", 5);
		py_func_describe(ol, c->func, where, sizeof(where));
		snprintf(issue, sizeof(issue), "%s %s on the event loop inside %s: every other %s waits "
			 "until it finishes", expr ? expr : c->callee, verb(k), where,
			 py_func_is_handler(ol, c->func) ? "request and websocket" : "task");
		if (end > c->rparen + 1 || k == CPU_HASH)
			snprintf(rec, sizeof(rec), "run it in a worker thread: await %s(lambda: %s)", off,
				 expr ? expr : c->callee);
		else {
			char *args = py_outline_text(ol, c->lparen + 1, c->rparen);
			const char *a = args && *args ? (strlen(args) < 70 ? args : "...") : NULL;
			snprintf(rec, sizeof(rec), "run it in a worker thread: await %s(%s%s%s)%s", off,
				 c->callee, a ? ", " : "", a ? a : "",
				 k == CPU_COMPRESS || k == CPU_PARSE
				 ? "; for very large inputs use a ProcessPoolExecutor via loop.run_in_executor" : "");
			free(args);
		}
		check_report(cx, c->line, c->end_line, SEV_MEDIUM, issue, rec);
		last_line = c->line;
		free(expr);
	}
	py_imports_free(&im);
}
