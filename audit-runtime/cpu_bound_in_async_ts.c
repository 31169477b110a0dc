/*
 * cpu_bound_in_async, TypeScript/JavaScript
 *
 * What it does:
 *   Finds CPU-heavy work done synchronously on the event loop (async
 *   functions, handlers, jobs, listeners and their synchronous callbacks):
 *   crypto.pbkdf2Sync/scryptSync/generateKeyPairSync, bcrypt(js)
 *   hashSync/compareSync, zlib *Sync (gzipSync, deflateSync,
 *   brotliCompressSync, gunzipSync...), createHash()/createHmac().update()
 *   over a whole upload or file, JSON.parse of a whole file or raw body,
 *   and whole-document parsers (cheerio.load, new JSDOM, XLSX.read).
 *
 * Why it matters:
 *   These run on Node's JavaScript thread for milliseconds to seconds
 *   (a cost-12 bcrypt hash takes ~250 ms), and no other request is served
 *   meanwhile.  The callback/promise forms (crypto.scrypt, zlib.gzip,
 *   bcrypt.hash) run on the libuv thread pool and are not reported;
 *   neither are hashes of short tokens and JSON.parse of small payloads
 *   (a header, a NOTIFY message).
 *
 * Severity:
 *   MEDIUM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "jsrt.h"
#include "js/js.h"
#include "pyfacts.h"

static int in_list(const char *s, const char *const *l)
{
	int i;
	for (i = 0; l[i]; i++)
		if (!strcmp(s, l[i]))
			return 1;
	return 0;
}

static const char *const crypto_sync[] = { "pbkdf2Sync", "scryptSync", "generateKeyPairSync", "generatePrimeSync",
					   NULL };
static const char *const bcrypt_sync[] = { "hashSync", "compareSync", NULL };
static const char *const zlib_sync[] = { "gzipSync", "gunzipSync", "deflateSync", "inflateSync", "deflateRawSync",
					 "inflateRawSync", "brotliCompressSync", "brotliDecompressSync", "unzipSync",
					 NULL };
static const char *const bcrypt_mods[] = { "bcrypt", "bcryptjs", "bcrypt-nodejs", NULL };

/* Names of calls whose result is a whole file or request body in memory. */
static const char *const whole_src[] = { "readFile", "readFileSync", "toBuffer", "arrayBuffer", "rawBody",
					 "getRawBody", NULL };

static int whole_call(const struct py_call *c)
{
	return in_list(c->name, whole_src) || !strcmp(c->callee, "Buffer.concat");
}

/* 1 when the tokens [b, e) are a whole upload, file or body: a direct
 * whole_call, x.file.buffer / file.buffer / upload.buffer, or a name
 * assigned from a whole_call earlier in function f. */
static int whole_expr(const struct py_outline *ol, int f, uint32_t b, uint32_t e, uint32_t before)
{
	const struct py_toks *t = ol->toks;
	size_t i;
	uint32_t k;
	if (b < e && jsrt_is(t, b, "await"))
		b++;
	if (b >= e)
		return 0;
	/* a call at the start of the expression: the first call from b */
	for (i = py_first_call_from(ol, b); i < ol->ncalls && ol->calls[i].lparen < e; i++) {
		const struct py_call *c = &ol->calls[i];
		if (c->name_begin == b && !c->is_ref && jsrt_close(t, c->lparen, e) == e && whole_call(c))
			return 1;
		if (c->name_begin == b && !c->is_ref && whole_call(c)) {
			/* readFileSync(p).toString() / readFileSync(p, 'utf8') */
			uint32_t after = jsrt_close(t, c->lparen, e);
			if (after + 3 >= e && jsrt_is(t, after, ".") && jsrt_is(t, after + 1, "toString"))
				return 1;
		}
	}
	/* req.file.buffer, file.buffer, upload.buffer */
	if (e - b >= 3 && jsrt_is(t, e - 1, "buffer") && jsrt_is(t, e - 2, ".")) {
		for (k = b; k + 2 < e; k++) {
			if (t->v[k].kind != PT_NAME && !jsrt_is(t, k, "."))
				return 0;
			if (jsrt_is(t, k, "file") || jsrt_is(t, k, "upload") || jsrt_is(t, k, "attachment"))
				return 1;
		}
		return 0;
	}
	if (e - b != 1 || t->v[b].kind != PT_NAME)
		return 0;
	/* const x = await file.toBuffer() earlier in the same function */
	for (i = f >= 0 ? py_first_call_from(ol, ol->blocks[f].hdr_begin) : 0;
	     i < ol->ncalls && ol->calls[i].lparen < before; i++) {
		const struct py_call *c = &ol->calls[i];
		const struct py_stmt *s;
		uint32_t d;
		if (c->func != f || c->is_ref || !whole_call(c) || c->stmt < 0)
			continue;
		s = &ol->stmts[c->stmt];
		d = s->tok_begin;
		if (!(jsrt_is(t, d, "const") || jsrt_is(t, d, "let") || jsrt_is(t, d, "var")) ||
		    t->v[d + 1].len != t->v[b].len || memcmp(py_tok_text(t, d + 1), py_tok_text(t, b), t->v[b].len) ||
		    !jsrt_is(t, d + 2, "="))
			continue;
		k = d + 3;
		if (jsrt_is(t, k, "await"))
			k++;
		if (c->name_begin == k)
			return 1;
	}
	return 0;
}

/* What CPU-heavy work call c does, or NULL. */
static const char *cpu_call(const struct js_imports *im, const struct py_outline *ol, const struct py_call *c,
			    char *rec, size_t n)
{
	const struct py_toks *t = ol->toks;
	char buf[256];
	const char *member, *mod = js_call_module(im, ol, c, buf, sizeof(buf), &member);
	if (!mod && !strchr(c->callee, '.') && !js_call_is_new(c)) {
		mod = in_list(c->callee, crypto_sync) ? "crypto" : in_list(c->callee, zlib_sync) ? "zlib" : NULL;
		member = c->callee;
	}
	if (mod && !strcmp(mod, "crypto") && in_list(member, crypto_sync)) {
		snprintf(rec, n, "use the callback form on the libuv pool: await promisify(crypto.%.*s)(...)",
			 (int)(strlen(member) - 4), member);
		return "derives keys or generates key material synchronously";
	}
	if (mod && js_module_in(mod, bcrypt_mods) && in_list(member, bcrypt_sync)) {
		snprintf(rec, n, "use await bcrypt.%.*s(...), which hashes on the libuv thread pool",
			 (int)(strlen(member) - 4), member);
		return "hashes the password on the JavaScript thread (hundreds of milliseconds at cost 10-12)";
	}
	if (mod && !strcmp(mod, "zlib") && in_list(member, zlib_sync)) {
		snprintf(rec, n, "use await promisify(zlib.%.*s)(...) (runs on the libuv pool), or stream it with "
			 "zlib.create%c%.*s() piped into the response", (int)(strlen(member) - 4), member,
			 member[0] - 'a' + 'A', (int)(strlen(member) - 5), member + 1);
		return "compresses or decompresses the whole buffer synchronously";
	}
	if (mod && !strcmp(mod, "cheerio") && !strcmp(member, "load")) {
		snprintf(rec, n, "parse large documents in a worker thread (worker_threads/piscina), or stream "
			 "them with a SAX parser (htmlparser2)");
		return "parses the whole HTML document on the JavaScript thread";
	}
	if (mod && !strcmp(mod, "xlsx") && (!strcmp(member, "read") || !strcmp(member, "readFile"))) {
		snprintf(rec, n, "parse the workbook in a worker thread (worker_threads/piscina) or stream it");
		return "parses the whole workbook on the JavaScript thread";
	}
	if (!strcmp(c->callee, "new JSDOM") || !strcmp(c->callee, "new jsdom.JSDOM")) {
		snprintf(rec, n, "parse large documents in a worker thread (worker_threads/piscina), or use a "
			 "streaming parser");
		return "builds a whole DOM on the JavaScript thread";
	}
	if (!strcmp(c->name, "update") && (strstr(c->callee, "createHash().") || strstr(c->callee, "createHmac().")) &&
	    whole_expr(ol, c->func, c->lparen + 1, c->rparen, c->lparen)) {
		snprintf(rec, n, "hash the stream as it arrives (pipe the upload or fs.createReadStream into the "
			 "hash), or hash in a worker thread");
		return "hashes a whole upload or file in one call on the JavaScript thread";
	}
	if (!strcmp(c->callee, "JSON.parse") && c->rparen > c->lparen + 1) {
		uint32_t e = c->rparen, b = c->lparen + 1, k;
		for (k = b; k < e; k++)
			if (jsrt_is(t, k, ",") && t->v[k].depth == t->v[b].depth)
				e = k;
		if (whole_expr(ol, c->func, b, e, c->lparen)) {
			snprintf(rec, n, "keep large JSON out of the request path: parse it once at startup, stream it "
				 "(stream-json), or parse in a worker thread");
			return "parses a whole file or body on the JavaScript thread";
		}
	}
	return NULL;
}

/* A call of an event-loop context that runs a same-file sync helper
 * reaching such a call: reported at the call with the chain. */
static void report_reach(void *arg, size_t call, const int *hops, int n, enum jsrt_ctx k, int root)
{
	jsrt_report_reach(arg, call, hops, n, k, root, SEV_MEDIUM, "does CPU-heavy work synchronously (a *Sync hash, compression or whole-document parse)",
			  "make the helper async and use the libuv-pool form (await bcrypt.hash, promisify(zlib.gzip), promisify(crypto.scrypt)), or move the work to a worker thread");
}

void check_cpu_bound_in_async_ts(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct js_imports im;
	struct jsrt_reach r;
	unsigned char *hit;
	size_t nhit = 0;
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
		char where[300], issue[800], rec[600];
		const char *what;
		enum jsrt_ctx k;
		int root = -1;
		if (c->is_ref || !c->callee[0] || c->func < 0)
			continue;
		what = cpu_call(&im, ol, c, rec, sizeof(rec));
		if (what && strcmp(c->callee, "JSON.parse"))
			hit[i] = 1, nhit++;
		if (!what || (k = jsrt_def_ctx(ol, &im, c->func, &root)) == JSRT_NONE)
			continue;
		/* a whole file parsed in a plain async helper is often a config read once: only per request or event */
		if (!strcmp(c->callee, "JSON.parse") && k == JSRT_ASYNC)
			continue;
		jsrt_describe(ol, root, where, sizeof(where));
		snprintf(issue, sizeof(issue), "%s() %s inside %s%s: %s waits until it finishes", c->callee, what,
			 root != c->func ? "a callback in " : "", where,
			 k == JSRT_HANDLER ? "every other request" : "every other request and event on the loop");
		check_report(cx, c->line, c->end_line, SEV_MEDIUM, issue, rec);
	}
	if (nhit && jsrt_reach_build(ol, hit, &r) == 0) {
		jsrt_reach_each(ol, &im, &r, hit, report_reach, cx);
		jsrt_reach_free(&r);
	}
	free(hit);
	js_imports_free(&im);
}
