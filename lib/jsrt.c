/*
 * jsrt: imports and event-loop context of TypeScript/JavaScript files for
 * the runtime checks (see jsrt.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auditor.h"
#include "jsrt.h"
#include "js/js.h"

int jsrt_is(const struct py_toks *t, uint32_t i, const char *s)
{
	if (i < t->n && t->v[i].kind == PT_NUMBER)
		return strlen(s) == t->v[i].len && !memcmp(py_tok_text(t, i), s, t->v[i].len);
	return i < t->n && py_tok_is(t, i, s);
}

uint32_t jsrt_close(const struct py_toks *t, uint32_t open, uint32_t end)
{
	uint16_t d = t->v[open].depth;
	uint32_t k;
	for (k = open + 1; k < end && k < t->n; k++)
		if (t->v[k].depth == d && t->v[k].kind == PT_OP)
			return k + 1;
	return end;
}

/* ---- imports ---- */

static int add_import(struct js_imports *im, const char *local, size_t llen, const char *module, size_t mlen,
		      const char *imported, size_t ilen)
{
	struct js_import *x;
	char *s;
	if (im->n == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 16;
		struct js_import *v = realloc(im->v, cap * sizeof(*v));
		if (!v)
			return -1;
		im->v = v;
		im->cap = cap;
	}
	s = malloc(llen + mlen + ilen + 3);
	if (!s)
		return -1;
	x = &im->v[im->n++];
	memcpy(s, local, llen);
	s[llen] = '\0';
	x->local = s;
	if (mlen > 5 && !strncmp(module, "node:", 5)) {
		module += 5;
		mlen -= 5;
	}
	memcpy(s + llen + 1, module, mlen);
	s[llen + 1 + mlen] = '\0';
	x->module = s + llen + 1;
	memcpy(s + llen + mlen + 2, imported, ilen);
	s[llen + mlen + 2 + ilen] = '\0';
	x->imported = s + llen + mlen + 2;
	return 0;
}

/* The module text of string token k (quotes stripped). */
static int str_of(const struct py_toks *t, uint32_t k, const char **s, size_t *n)
{
	if (k >= t->n || t->v[k].kind != PT_STRING || (t->v[k].flags & (PTF_REGEX | PTF_JSX)) || t->v[k].len < 2)
		return 0;
	*s = py_tok_text(t, k) + 1;
	*n = t->v[k].len - 2;
	return 1;
}

static int is_name(const struct py_toks *t, uint32_t k)
{
	return k < t->n && t->v[k].kind == PT_NAME;
}

/* import ... from 'm' starting at token i (the "import" keyword). */
static int scan_import(const struct py_toks *t, uint32_t i, struct js_imports *im)
{
	uint32_t k, from = 0, end;
	const char *m;
	size_t mlen;
	if (jsrt_is(t, i + 1, "(") || jsrt_is(t, i + 1, ".") || jsrt_is(t, i + 1, "type"))
		return 0;
	/* import x = require('m') */
	if (is_name(t, i + 1) && jsrt_is(t, i + 2, "=") && jsrt_is(t, i + 3, "require") && jsrt_is(t, i + 4, "(") &&
	    str_of(t, i + 5, &m, &mlen))
		return add_import(im, py_tok_text(t, i + 1), t->v[i + 1].len, m, mlen, "*", 1);
	for (k = i + 1; k < t->n && k < i + 400; k++) {
		if (t->v[k].kind == PT_STRING) {
			if (jsrt_is(t, k - 1, "from"))
				from = k;
			break;
		}
		if (jsrt_is(t, k, ";"))
			break;
	}
	if (!from || !str_of(t, from, &m, &mlen))
		return 0;
	end = from - 1;
	for (k = i + 1; k < end; k++) {
		if (jsrt_is(t, k, "*") && jsrt_is(t, k + 1, "as") && is_name(t, k + 2)) {
			if (add_import(im, py_tok_text(t, k + 2), t->v[k + 2].len, m, mlen, "*", 1) < 0)
				return -1;
			k += 2;
		} else if (jsrt_is(t, k, "{")) {
			for (k++; k < end && !jsrt_is(t, k, "}"); k++) {
				uint32_t a = k;
				if (jsrt_is(t, k, "type") && is_name(t, k + 1) && !jsrt_is(t, k + 1, "as"))
					a = ++k;
				if (!is_name(t, a) && !(t->v[a].kind == PT_STRING))
					continue;
				if (jsrt_is(t, a + 1, "as") && is_name(t, a + 2)) {
					if (add_import(im, py_tok_text(t, a + 2), t->v[a + 2].len, m, mlen,
						       py_tok_text(t, a), t->v[a].len) < 0)
						return -1;
					k = a + 2;
				} else if (is_name(t, a) &&
					   add_import(im, py_tok_text(t, a), t->v[a].len, m, mlen, py_tok_text(t, a),
						      t->v[a].len) < 0) {
					return -1;
				}
			}
		} else if (is_name(t, k) && (k == i + 1 || jsrt_is(t, k - 1, ","))) {
			if (add_import(im, py_tok_text(t, k), t->v[k].len, m, mlen, "*", 1) < 0)
				return -1;
		}
	}
	return 0;
}

/* require('m') at token i: const x = require('m'), const { a, b: c } =
 * require('m'), const x = require('m').member. */
static int scan_require(const struct py_toks *t, uint32_t i, struct js_imports *im)
{
	const char *m;
	size_t mlen;
	uint32_t k;
	if (!jsrt_is(t, i + 1, "(") || !str_of(t, i + 2, &m, &mlen) || !jsrt_is(t, i + 3, ")") || i < 2 ||
	    !jsrt_is(t, i - 1, "=") || (i >= 1 && jsrt_is(t, i - 1, ".")))
		return 0;
	if (is_name(t, i - 2)) {
		if (jsrt_is(t, i + 4, ".") && is_name(t, i + 5))
			return add_import(im, py_tok_text(t, i - 2), t->v[i - 2].len, m, mlen, py_tok_text(t, i + 5),
					  t->v[i + 5].len);
		return add_import(im, py_tok_text(t, i - 2), t->v[i - 2].len, m, mlen, "*", 1);
	}
	if (!jsrt_is(t, i - 2, "}"))
		return 0;
	for (k = i - 3; k > 0 && !(jsrt_is(t, k, "{") && t->v[k].depth == t->v[i - 2].depth); k--)
		;
	for (k++; k < i - 2; k++) {
		if (!is_name(t, k) || !(jsrt_is(t, k - 1, "{") || jsrt_is(t, k - 1, ",")))
			continue;
		if (jsrt_is(t, k + 1, ":") && is_name(t, k + 2)) {
			if (add_import(im, py_tok_text(t, k + 2), t->v[k + 2].len, m, mlen, py_tok_text(t, k),
				       t->v[k].len) < 0)
				return -1;
		} else if (add_import(im, py_tok_text(t, k), t->v[k].len, m, mlen, py_tok_text(t, k), t->v[k].len) < 0) {
			return -1;
		}
	}
	return 0;
}

int js_imports_build(const struct py_outline *ol, struct js_imports *im)
{
	const struct py_toks *t = ol->toks;
	uint32_t i;
	size_t k;
	int rc = 0, worker_names = 0;
	memset(im, 0, sizeof(*im));
	for (i = 0; i < t->n && rc == 0; i++) {
		if (t->v[i].kind != PT_NAME)
			continue;
		if (jsrt_is(t, i, "import") && !jsrt_is(t, i - 1, "."))
			rc = scan_import(t, i, im);
		else if (jsrt_is(t, i, "require"))
			rc = scan_require(t, i, im);
		else if (jsrt_is(t, i, "parentPort") || jsrt_is(t, i, "workerData"))
			worker_names = 1;
	}
	for (k = 0; k < im->n && worker_names; k++)
		if (!strcmp(im->v[k].module, "worker_threads"))
			im->worker_file = 1;
	if (rc < 0) {
		js_imports_free(im);
		memset(im, 0, sizeof(*im));
	}
	return rc;
}

void js_imports_free(struct js_imports *im)
{
	size_t k;
	for (k = 0; k < im->n; k++)
		free((char *)im->v[k].local);
	free(im->v);
	memset(im, 0, sizeof(*im));
}

int js_module_in(const char *module, const char *const *list)
{
	int i;
	for (i = 0; module && list[i]; i++)
		if (!strcmp(module, list[i]))
			return 1;
	return 0;
}

static const struct js_import *find_import(const struct js_imports *im, const char *s, size_t n)
{
	size_t k;
	for (k = im->n; k-- > 0;)
		if (strlen(im->v[k].local) == n && !memcmp(im->v[k].local, s, n))
			return &im->v[k];
	return NULL;
}

const char *js_call_module(const struct js_imports *im, const struct py_outline *ol, const struct py_call *c,
			   char *buf, size_t n, const char **member)
{
	static const char *const conventional[] = { "fs", "zlib", "crypto", "child_process", "bcrypt", "bcryptjs",
						    NULL };
	const struct py_toks *t = ol->toks;
	const char *dot = strchr(c->callee, '.'), *rest = dot ? dot + 1 : "";
	size_t rlen = dot ? (size_t)(dot - c->callee) : strlen(c->callee);
	const struct js_import *x;
	const char *m;
	size_t mlen;
	int k;
	*member = "";
	if (!strncmp(c->callee, "new ", 4))
		return NULL;
	if (rlen == 9 && !strncmp(c->callee, "require()", 9)) {
		uint32_t b = c->name_begin;
		if (!jsrt_is(t, b, "require") || !jsrt_is(t, b + 1, "(") || !str_of(t, b + 2, &m, &mlen) ||
		    !jsrt_is(t, b + 3, ")"))
			return NULL;
		if (mlen > 5 && !strncmp(m, "node:", 5)) {
			m += 5;
			mlen -= 5;
		}
		snprintf(buf, n, "%.*s%c%s", (int)mlen, m, '\0', rest);
		*member = buf + strlen(buf) + 1;
		return buf;
	}
	x = find_import(im, c->callee, rlen);
	if (x) {
		if (!strcmp(x->imported, "*")) {
			*member = rest;
		} else {
			snprintf(buf, n, "%s%s%s", x->imported, *rest ? "." : "", rest);
			*member = buf;
		}
		return x->module;
	}
	if (!dot)
		return NULL;
	for (k = 0; conventional[k]; k++)
		if (strlen(conventional[k]) == rlen && !strncmp(c->callee, conventional[k], rlen)) {
			*member = rest;
			return conventional[k];
		}
	if (rlen == 12 && !strncmp(c->callee, "childProcess", 12)) {
		*member = rest;
		return "child_process";
	}
	return NULL;
}

/* ---- event-loop context ---- */

static const struct py_call *arg_call(const struct py_outline *ol, int f)
{
	int a = js_def_arg_of(ol, f, NULL);
	return a >= 0 ? &ol->calls[a] : NULL;
}

static int name_is(const struct py_call *c, const char *const *names)
{
	int i;
	for (i = 0; names[i]; i++)
		if (!strcmp(c->name, names[i]))
			return 1;
	return 0;
}

/* 1 when async def f is declared at module level, not exported, and only
 * called once from module-level code (bootstrap(); main().catch(...)):
 * it runs once at startup, before any request. */
static int runs_once_at_startup(const struct py_outline *ol, int f)
{
	const struct py_block *d = &ol->blocks[f];
	const struct py_toks *t = ol->toks;
	size_t i, uses = 0, calls = 0;
	size_t len;
	if (!d->name || d->parent != 0 || js_def_arg_of(ol, f, NULL) >= 0)
		return 0;
	for (i = d->hdr_begin; i > 0 && i + 3 > d->hdr_begin; i--)
		if (jsrt_is(t, (uint32_t)i - 1, "export"))
			return 0;
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_call *c = &ol->calls[i];
		if (c->func == -1 && !c->is_ref && !strcmp(c->callee, d->name))
			calls++;
	}
	if (calls != 1)
		return 0;
	len = strlen(d->name);
	for (i = 0; i < t->n; i++)
		if (t->v[i].kind == PT_NAME && t->v[i].len == len && !memcmp(py_tok_text(t, i), d->name, len))
			uses++;
	return uses == 2;
}

/* Next.js data functions that run at build time (or in the background
 * for ISR), not per request. */
static int build_time(const struct py_block *d)
{
	static const char *const names[] = { "getStaticProps", "getStaticPaths", "generateStaticParams", NULL };
	int i;
	for (i = 0; d->name && names[i]; i++)
		if (!strcmp(d->name, names[i]))
			return 1;
	return 0;
}

enum jsrt_ctx jsrt_def_ctx(const struct py_outline *ol, const struct js_imports *im, int f, int *root)
{
	static const char *const listen[] = { "on", "once", "addListener", "prependListener", "prependOnceListener",
					      "addEventListener", NULL };
	static const char *const timers[] = { "setTimeout", "setImmediate", "queueMicrotask", "nextTick", NULL };
	int guard = 0;
	if (im && im->worker_file)
		return JSRT_NONE;
	while (f >= 0 && (size_t)f < ol->nblocks && guard++ < 64) {
		const struct py_block *d = &ol->blocks[f];
		const struct py_call *a;
		if (root)
			*root = f;
		if (d->kind != PB_DEF || build_time(d))
			return JSRT_NONE;
		if (d->handler)
			return JSRT_HANDLER;
		if (js_def_is_job(ol, f))
			return JSRT_JOB;
		if (d->is_async)
			return runs_once_at_startup(ol, f) ? JSRT_NONE : JSRT_ASYNC;
		a = arg_call(ol, f);
		if (!a)
			return JSRT_NONE;
		if (name_is(a, listen) && strchr(a->callee, '.'))
			/* process.on('exit'/'SIGTERM') listeners run at shutdown, where sync is the rule */
			return strncmp(a->callee, "process.", 8) ? JSRT_LISTENER : JSRT_NONE;
		if (name_is(a, timers))
			return JSRT_LISTENER;
		/* a synchronous callback (forEach, map, new Promise(...)) runs in its caller's context */
		f = d->parent >= 0 ? ol->blocks[d->parent].func : -1;
	}
	return JSRT_NONE;
}

enum severity jsrt_severity(enum jsrt_ctx k)
{
	return k == JSRT_HANDLER ? SEV_HIGH : SEV_MEDIUM;
}

/* The routing call text of a callback: app.get('/files'). */
static void call_head(const struct py_outline *ol, const struct py_call *a, char *buf, size_t n)
{
	const struct py_toks *t = ol->toks;
	uint32_t k = a->lparen + 1;
	if (k < a->rparen && t->v[k].kind == PT_STRING && t->v[k].len < 80 && !(t->v[k].flags & PTF_TEMPLATE))
		snprintf(buf, n, "%s(%.*s)", a->callee, (int)t->v[k].len, py_tok_text(t, k));
	else
		snprintf(buf, n, "%s(...)", a->callee);
}

void jsrt_describe(const struct py_outline *ol, int f, char *buf, size_t n)
{
	const struct py_block *d;
	const char *cls = NULL;
	const struct py_call *a;
	char head[200];
	if (f < 0 || (size_t)f >= ol->nblocks || ol->blocks[f].kind != PB_DEF) {
		snprintf(buf, n, "module level");
		return;
	}
	d = &ol->blocks[f];
	if (d->parent >= 0 && ol->blocks[d->parent].kind == PB_CLASS)
		cls = ol->blocks[d->parent].name;
	a = arg_call(ol, f);
	if (a && (d->handler || js_def_is_job(ol, f) || !d->name)) {
		call_head(ol, a, head, sizeof(head));
		snprintf(buf, n, "the %s%s callback of %s", d->is_async ? "async " : "",
			 d->handler ? "route" : js_def_is_job(ol, f) ? "job" : "event", head);
		return;
	}
	if (d->handler && d->ndecorators)
		snprintf(buf, n, "the handler %s%s%s (@%s)", cls ? cls : "", cls ? "." : "", d->name ? d->name : "?",
			 d->decorators[0]);
	else
		snprintf(buf, n, "the %s%s %s%s%s%s", d->is_async ? "async " : "", cls ? "method" : "function",
			 cls ? cls : "", cls ? "." : "", d->name ? d->name : "(anonymous)",
			 d->handler ? ", a request handler" : js_def_is_job(ol, f) ? ", a background job" : "");
}

/* 1 when the first argument of c is a string starting with "sleep" (a sleep, not I/O). */
int jsrt_shell_sleep(const struct py_outline *ol, const struct py_call *c)
{
	const struct py_toks *t = ol->toks;
	uint32_t k = c->lparen + 1;
	const char *s;
	if (k >= c->rparen || t->v[k].kind != PT_STRING || t->v[k].len < 7)
		return 0;
	s = py_tok_text(t, k) + 1;
	return !strncmp(s, "sleep", 5) && (s[5] == ' ' || s[5] == s[-1]);
}


int jsrt_has_subst(const struct py_toks *t, uint32_t k)
{
	const char *s = py_tok_text(t, k);
	uint32_t i;
	if (!(t->v[k].flags & PTF_TEMPLATE))
		return 0;
	for (i = 0; i + 1 < t->v[k].len; i++)
		if (s[i] == '$' && s[i + 1] == '{' && (i == 0 || s[i - 1] != '\\'))
			return 1;
	return 0;
}

int jsrt_path_runs_once(const char *path)
{
	static const char *const dirs[] = { "scripts", "script", "bin", "tools", "migrations", "migration", "seeds",
					    "seeders", "seed", "fixtures", "examples", "example", "benchmarks", "bench",
					    "e2e", "cypress", "playwright", "docs", ".storybook", "cli", NULL };
	static const char *const files[] = { "gulpfile.", "Gruntfile.", "webpack.", "rollup.", "vite.", "jest.",
					     "vitest.", "eslint.", "babel.", "esbuild.", "cli.", NULL };
	const char *p = path, *slash, *base = strrchr(path, '/');
	int i;
	base = base ? base + 1 : path;
	while ((slash = strchr(p, '/')) != NULL) {
		for (i = 0; dirs[i]; i++)
			if ((size_t)(slash - p) == strlen(dirs[i]) && !strncmp(p, dirs[i], strlen(dirs[i])))
				return 1;
		p = slash + 1;
	}
	for (i = 0; files[i]; i++)
		if (!strncmp(base, files[i], strlen(files[i])))
			return 1;
	return strstr(base, ".config.") != NULL;
}

/* ---- same-file helpers reaching a blocking call ---- */

/* The def whose body a call in def f runs in: f, or for a synchronous
 * callback (items.map(x => ...), new Promise(...)) its enclosing def. */
static int owner_def(const struct py_outline *ol, int f)
{
	int guard = 0;
	while (f >= 0 && guard++ < 64) {
		const struct py_call *a = arg_call(ol, f);
		int up;
		if (!a || ol->blocks[f].is_async || js_def_is_job(ol, f) || ol->blocks[f].handler)
			return f;
		up = ol->blocks[f].parent >= 0 ? ol->blocks[ol->blocks[f].parent].func : -1;
		if (up < 0)
			return f;
		f = up;
	}
	return f;
}

struct name_def {
	const char *name;
	int def;
};

struct name_ix {
	const struct py_outline *ol;
	struct name_def *defs; /* named defs that are not arguments, sorted by name */
	size_t n;
};

static int cmp_def(const void *a, const void *b)
{
	return strcmp(((const struct name_def *)a)->name, ((const struct name_def *)b)->name);
}

/* The def a bare call name(...) or this.name(...) of the file calls, or -1
 * (unknown or ambiguous). */
static int call_target(const struct name_ix *ix, const struct py_call *c)
{
	const struct py_outline *ol = ix->ol;
	const char *name = c->callee;
	size_t lo = 0, hi = ix->n;
	int found = -1, cls = -1;
	if (c->is_ref || js_call_is_new(c))
		return -1;
	if (!strncmp(name, "this.", 5) && !strchr(name + 5, '.')) {
		int f = c->func;
		name += 5;
		while (f >= 0 && ol->blocks[f].parent >= 0 && ol->blocks[ol->blocks[f].parent].kind != PB_CLASS)
			f = ol->blocks[ol->blocks[f].parent].func;
		if (f < 0 || ol->blocks[f].parent < 0)
			return -1;
		cls = ol->blocks[f].parent;
	} else if (strchr(name, '.') || !*name) {
		return -1;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix->defs[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ix->n && !strcmp(ix->defs[lo].name, name); lo++) {
		int d = ix->defs[lo].def;
		int in_cls = ol->blocks[d].parent >= 0 && ol->blocks[ol->blocks[d].parent].kind == PB_CLASS;
		if (cls >= 0 ? ol->blocks[d].parent != cls : in_cls)
			continue;
		if (found >= 0)
			return -1;
		found = d;
	}
	return found;
}

int jsrt_reach_build(const struct py_outline *ol, const unsigned char *hit, struct jsrt_reach *r)
{
	struct name_ix ix;
	size_t i, b;
	int round, changed = 1;
	memset(r, 0, sizeof(*r));
	r->via = malloc((ol->nblocks + 1) * sizeof(int));
	r->target = malloc((ol->ncalls + 1) * sizeof(int));
	ix.defs = malloc((ol->nblocks + 1) * sizeof(*ix.defs));
	if (!r->via || !r->target || !ix.defs) {
		free(ix.defs);
		jsrt_reach_free(r);
		return -1;
	}
	ix.ol = ol;
	ix.n = 0;
	for (b = 0; b < ol->nblocks; b++) {
		r->via[b] = -1;
		if (ol->blocks[b].kind == PB_DEF && ol->blocks[b].name && js_def_arg_of(ol, (int)b, NULL) < 0) {
			ix.defs[ix.n].name = ol->blocks[b].name;
			ix.defs[ix.n++].def = (int)b;
		}
	}
	qsort(ix.defs, ix.n, sizeof(*ix.defs), cmp_def);
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_call *c = &ol->calls[i];
		r->target[i] = call_target(&ix, c);
		if (hit[i] && c->func >= 0) {
			int o = owner_def(ol, c->func);
			if (o >= 0 && r->via[o] < 0)
				r->via[o] = (int)i;
		}
	}
	for (round = 0; round < 4 && changed; round++) {
		changed = 0;
		for (i = 0; i < ol->ncalls; i++) {
			const struct py_call *c = &ol->calls[i];
			int t = r->target[i], o;
			if (t < 0 || r->via[t] < 0 || c->func < 0 || c->awaited || ol->blocks[t].is_async)
				continue;
			o = owner_def(ol, c->func);
			if (o >= 0 && r->via[o] < 0) {
				r->via[o] = (int)i;
				changed = 1;
			}
		}
	}
	free(ix.defs);
	r->ol = ol;
	return 0;
}

void jsrt_reach_free(struct jsrt_reach *r)
{
	free(r->via);
	free(r->target);
	memset(r, 0, sizeof(*r));
}

void jsrt_reach_each(const struct py_outline *ol, const struct js_imports *im, const struct jsrt_reach *r,
		     const unsigned char *hit, jsrt_reach_fn fn, void *arg)
{
	size_t i;
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_call *c = &ol->calls[i];
		int hops[JSRT_REACH_MAX], n = 0, t = r->target[i], root = -1;
		enum jsrt_ctx k;
		if (t < 0 || hit[i] || c->awaited || c->func < 0 || ol->blocks[t].is_async || r->via[t] < 0)
			continue;
		/* the helper is itself an event-loop context: it reports in its own body */
		if (jsrt_def_ctx(ol, im, t, NULL) != JSRT_NONE || (k = jsrt_def_ctx(ol, im, c->func, &root)) == JSRT_NONE)
			continue;
		while (t >= 0 && n < JSRT_REACH_MAX && r->via[t] >= 0) {
			int v = r->via[t];
			hops[n++] = v;
			if (hit[v])
				break;
			t = r->target[v];
		}
		if (n > 0 && hit[hops[n - 1]])
			fn(arg, i, hops, n, k, root);
	}
}

void jsrt_report_reach(struct check_ctx *cx, size_t call, const int *hops, int n, enum jsrt_ctx k, int root,
		       enum severity sev, const char *what, const char *rec)
{
	const struct py_outline *ol = cx->ol;
	const struct py_call *c = &ol->calls[call], *last = &ol->calls[hops[n - 1]];
	char store[JSRT_REACH_MAX + 1][200], where[300], path[600], issue[1400];
	const char *chain[JSRT_REACH_MAX + 1];
	struct check_where w;
	size_t o;
	int i;
	jsrt_describe(ol, root, where, sizeof(where));
	/* chain: the call site, then each call on the way down, the last one the hit */
	snprintf(store[0], sizeof(store[0]), "%s (%s:%u)", root >= 0 && ol->blocks[root].name
		 ? ol->blocks[root].name : "callback", cx->path, c->line);
	o = (size_t)snprintf(path, sizeof(path), "%s", c->callee);
	for (i = 0; i < n; i++) {
		const struct py_call *h = &ol->calls[hops[i]];
		snprintf(store[i + 1], sizeof(store[i + 1]), "%s (%s:%u)", h->callee, cx->path, h->line);
		if (o < sizeof(path))
			o += (size_t)snprintf(path + o, sizeof(path) - o, " -> %s", h->callee);
	}
	for (i = 0; i <= n; i++)
		chain[i] = store[i];
	snprintf(issue, sizeof(issue), "%s() called inside %s reaches %s() at line %u (%s), which %s: Node runs all "
		 "JavaScript on one thread, so %s waits meanwhile", c->callee, where, last->callee, last->line, path,
		 what, k == JSRT_HANDLER ? "every other request" : "every other request and event");
	memset(&w, 0, sizeof(w));
	w.chain = chain;
	w.nchain = (size_t)n + 1;
	check_report_ex(cx, &w, c->line, c->end_line, sev, issue, rec);
}
