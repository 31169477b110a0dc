/*
 * jsindex_refetch: callers that already hold what a callee loads by key
 * (js_index_refetch_each, see jsindex.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsindex_p.h"
#include "js/js.h"
#include "pyfacts.h"

/* ---- callers that already hold what a callee loads */

/* Argument k of call c: its tokens into [*b, *e); 0 when absent. */
static int call_arg(const struct py_toks *t, const struct py_call *c, unsigned k, uint32_t *b, uint32_t *e)
{
	uint32_t i = c->lparen + 1;
	unsigned n = 0;
	if (c->rparen <= c->lparen + 1)
		return 0;
	while (i < c->rparen) {
		uint32_t end = jsix_value_end(t, i, c->rparen);
		if (n == k) {
			*b = i;
			*e = end;
			return end > i;
		}
		if (!py_tok_is(t, end, ","))
			return 0;
		i = end + 1;
		n++;
	}
	return 0;
}

static int same_model(const char *a, const char *b)
{
	return a[0] && !strcasecmp(a, b);
}

/* 1 when every field the fetch reads (but id) is a column the caller's
 * SQL row selected from the callee's table. */
static int sql_covers(const struct js_fetch *held, const struct js_fetch *fb)
{
	const char *p = fb->attrs;
	int n = 0;
	if (!held->selcols || !fb->attrs[0])
		return 0;
	while (*p) {
		char w[200];
		size_t l;
		while (*p == ' ')
			p++;
		l = strcspn(p, " ");
		if (!l)
			break;
		if (!(l == 2 && !strncmp(p, "id", 2))) {
			int wn = snprintf(w, sizeof(w), "%s.%.*s", fb->model, (int)l, p);
			if (wn <= 0 || (size_t)wn >= sizeof(w) || !jsix_set_has(held->selcols, w, (size_t)wn))
				return 0;
			n++;
		}
		p += l;
	}
	return n > 0;
}

/* 1 when type T (a caller's parameter type) declares every field the fetch reads (but id). */
static int type_covers(struct js_index *ix, const char *T, const char *noext, const struct js_fetch *fb)
{
	const char *p = fb->attrs;
	int n = 0;
	while (*p) {
		char w[72];
		size_t l;
		while (*p == ' ')
			p++;
		l = strcspn(p, " ");
		if (!l)
			break;
		if (!(l == 2 && !strncmp(p, "id", 2))) {
			if (l >= sizeof(w))
				return 0;
			memcpy(w, p, l);
			w[l] = 0;
			if (!js_index_type_has(ix, T, noext, w))
				return 0;
			n++;
		}
		p += l;
	}
	return n > 0;
}

/* 1 when tokens [b, e) change the row in v: v.f = ..., or an update/save
 * call naming v or the key. */
static int changed_between(const struct py_outline *ol, uint32_t b, uint32_t e, const char *v, const char *key)
{
	const struct py_toks *t = ol->toks;
	uint32_t i;
	size_t vn = v ? strlen(v) : 0;
	for (i = b; i < e && i < t->n; i++) {
		if (vn && jsix_tok_name_is(t, i, v, vn) && !py_tok_is(t, i - 1, ".") && py_tok_is(t, i + 1, ".") &&
		    t->v[i + 2].kind == PT_NAME && jsix_assign_op(t, i + 3))
			return 1;
		if ((py_tok_is(t, i, "update") || py_tok_is(t, i, "save") || py_tok_is(t, i, "upsert") ||
		     py_tok_is(t, i, "updateOne")) && py_tok_is(t, i - 1, ".") && py_tok_is(t, i + 1, "(")) {
			uint16_t d = t->v[i + 1].depth;
			uint32_t k;
			for (k = i + 2; k < t->n && !(t->v[k].depth == d && py_tok_is(t, k, ")")); k++)
				if ((vn && jsix_tok_name_is(t, k, v, vn)) ||
				    (key && jsix_tok_name_is(t, k, key, strlen(key))))
					return 1;
		}
	}
	return 0;
}

/* 1 when the caller's row fa holds what the callee's fetch fb reads: a
 * whole row, or a select/column list with every field fb reads. */
static int held_covers(const struct js_fetch *fa, const struct js_fetch *fb)
{
	const char *p = fb->attrs;
	char star[80];
	if (fa->api == JSDB_PG) {
		snprintf(star, sizeof(star), "%s.*", fa->model);
		if (!fa->selcols || jsix_set_has(fa->selcols, star, strlen(star)))
			return 1;
	} else if (!fa->sel)
		return 1;
	if (fb->mutated || fb->escapes)
		return 0; /* the callee needs the whole row */
	while (*p) {
		char w[140];
		size_t l;
		int wn;
		while (*p == ' ')
			p++;
		l = strcspn(p, " ");
		if (!l)
			break;
		wn = fa->api == JSDB_PG ? snprintf(w, sizeof(w), "%s.%.*s", fa->model, (int)l, p)
					: snprintf(w, sizeof(w), "%.*s", (int)l, p);
		if (wn <= 0 || (size_t)wn >= sizeof(w) || !jsix_set_has(fa->api == JSDB_PG ? fa->selcols : fa->sel, w, (size_t)wn))
			return 0;
		p += l;
	}
	return 1;
}

/* 1 when the statement holding token tok is in a block around call c
 * (the row was not loaded on another branch). */
static int block_encloses(const struct py_outline *ol, uint32_t tok, const struct py_call *c)
{
	int s = py_outline_stmt_of_tok(ol, tok), b;
	if (s < 0)
		return 0;
	for (b = c->block; b >= 0; b = ol->blocks[b].parent)
		if (b == ol->stmts[s].block)
			return 1;
	return 0;
}

/* What caller a holds for the callee's fetch fb at call c, whose key argument
 * is x or x.f: fills r (how, held, holder), or leaves r->how 0. */
static void find_held(struct js_index *ix, const char *path, const char *ne, const struct js_srcfacts *sx,
		      const struct py_call *c, const char *x, const char *f, struct js_refetch *r)
{
	const struct py_outline *ol = sx->ol;
	const struct js_fn *a = r->caller;
	const struct js_fetch *fb = r->fetch;
	size_t hi;
	unsigned p;
	/* a row the caller loaded before the call, on a path that reaches it */
	for (hi = a->fetch0; hi < a->fetch0 + a->nfetch && !r->how; hi++) {
		const struct js_fetch *fa = js_index_fetch(ix, hi);
		if (fa->tok >= c->name_begin)
			continue;
		if (same_model(fa->model, fb->model) && !strcmp(fa->keytext, r->arg)) {
			r->how = JH_FETCHED;   /* the same key expression: id, dto.orderId */
		} else if (f[0] && fa->var && !strcmp(fa->var, x)) {
			if (!strcmp(f, "id") && same_model(fa->model, fb->model))
				r->how = JH_FETCHED;
			else if (!same_model(fa->model, fb->model) && sql_covers(fa, fb))
				r->how = JH_JOINED;
			else if (fa->include && strlen(f) > 2 && !strcmp(f + strlen(f) - 2, "Id")) {
				/* appt.practitionerId with include: { practitioner: true } */
				char rel[64];
				snprintf(rel, sizeof(rel), "%.*s", (int)strlen(f) - 2, f);
				if (jsix_set_has(fa->include, rel, strlen(rel)) && !strcasecmp(rel, fb->model))
					r->how = JH_JOINED;
			}
		}
		if (r->how == JH_FETCHED && !held_covers(fa, fb))
			r->how = 0;
		if (r->how && !block_encloses(ol, fa->tok, c))
			r->how = 0;
		if (r->how) {
			r->held = fa;
			snprintf(r->holder, sizeof(r->holder), "%s", fa->var ? fa->var : "");
			r->changed = changed_between(ol, fa->tok, c->name_begin, fa->var, fa->keytext);
		}
	}
	if (r->how || !f[0])
		return;
	/* a typed parameter of the caller */
	for (p = 0; p < a->nparams; p++) {
		const struct js_param *pp = &a->params[p];
		char imp[512];
		const char *mod;
		if (strcmp(pp->name, x) || !pp->type)
			continue;
		mod = js_index_import_of(sx, path, pp->type, imp, sizeof(imp)) ? imp : ne;
		if (!strcmp(f, "id") && !strcmp(pp->type, fb->model))
			r->how = JH_MODEL_PARAM;
		else if (!pp->input && type_covers(ix, pp->type, mod, fb))
			r->how = JH_TYPED_PARAM;
		if (r->how) {
			snprintf(r->holder, sizeof(r->holder), "%s", pp->name);
			snprintf(r->holder_type, sizeof(r->holder_type), "%s", pp->type);
		}
		return;
	}
}

/* The key argument's shape: x, or x.f (x?.f, x!.f); 0 for anything else. */
static int key_arg(const struct py_toks *t, uint32_t ab, uint32_t ae, char *x, size_t xn, char *f, size_t fnn)
{
	uint32_t k = ab + 1;
	x[0] = f[0] = 0;
	if (t->v[ab].kind != PT_NAME || t->v[ab].len >= xn)
		return 0;
	snprintf(x, xn, "%.*s", (int)t->v[ab].len, py_tok_text(t, ab));
	if (ae == ab + 1)
		return 1;
	if (py_tok_is(t, k, "!"))
		k++;
	if (!(py_tok_is(t, k, ".") || py_tok_is(t, k, "?.")) || k + 2 != ae || t->v[k + 1].kind != PT_NAME ||
	    t->v[k + 1].len >= fnn)
		return 0;
	snprintf(f, fnn, "%.*s", (int)t->v[k + 1].len, py_tok_text(t, k + 1));
	return 1;
}

void js_index_refetch_each(struct js_index *ix, const char *path, const struct py_outline *ol,
			   void (*cb)(void *arg, const struct js_refetch *r), void *arg)
{
	const struct py_toks *t = ol->toks;
	size_t ci;
	char ne[512];
	struct js_srcfacts *sx = js_srcfacts_new(ol);
	if (!sx)
		return;
	jsix_finish(ix);
	js_index_noext(path, ne, sizeof(ne));
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		const struct js_fn *a, *b;
		size_t fi;
		if (c->func < 0 || c->is_ref || js_call_is_new(c) || c->go_stmt)
			continue;
		b = js_index_resolve_call(ix, path, sx, (int)ci);
		if (!b || !b->nfetch || b->handler || b->job)
			continue;
		a = js_index_fn_of(ix, path, jsix_owner_def(ol, c->func));
		if (!a || a == b)
			continue;
		for (fi = b->fetch0; fi < b->fetch0 + b->nfetch; fi++) {
			struct js_refetch r;
			uint32_t ab, ae;
			char x[64], f[64], *txt;
			memset(&r, 0, sizeof(r));
			r.caller = a;
			r.callee = b;
			r.fetch = js_index_fetch(ix, fi);
			r.ci = (int)ci;
			if (r.fetch->key_param < 0 || !call_arg(t, c, (unsigned)r.fetch->key_param, &ab, &ae))
				continue;
			if (!key_arg(t, ab, ae, x, sizeof(x), f, sizeof(f)))
				x[0] = f[0] = 0;  /* another expression: only the caller's same key expression matches */
			txt = py_outline_text(ol, ab, ae);
			snprintf(r.arg, sizeof(r.arg), "%s", txt ? txt : "");
			free(txt);
			find_held(ix, path, ne, sx, c, x, f, &r);
			if (r.how)
				cb(arg, &r);
		}
	}
	js_srcfacts_free(sx);
}
