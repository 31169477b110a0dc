/*
 * jsindex: see jsindex.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsindex_p.h"
#include "js/js.h"
#include "pyfacts.h"
#include "srcfile.h"

static size_t hash(const char *s)
{
	size_t h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* The slot of key (empty when absent). */
static size_t hslot(const struct hmap *m, const char *key)
{
	size_t i = hash(key) & (m->cap - 1);
	while (m->key[i] && strcmp(m->key[i], key))
		i = (i + 1) & (m->cap - 1);
	return i;
}

int jsix_hget(const struct hmap *m, const char *key)
{
	size_t i;
	if (!m->cap || !key)
		return -1;
	i = hslot(m, key);
	return m->key[i] ? m->head[i] : -1;
}

/* Sets key's head to v, returning the previous head (-1), or -2 on ENOMEM. */
static int hput(struct hmap *m, const char *key, int v)
{
	size_t i;
	int old;
	if (2 * (m->n + 1) > m->cap) {
		struct hmap g;
		size_t k;
		g.cap = m->cap ? m->cap * 2 : 64;
		g.n = 0;
		g.key = calloc(g.cap, sizeof(*g.key));
		g.head = calloc(g.cap, sizeof(*g.head));
		if (!g.key || !g.head) {
			free(g.key);
			free(g.head);
			return -2;
		}
		for (k = 0; k < m->cap; k++)
			if (m->key[k]) {
				size_t j = hslot(&g, m->key[k]);
				g.key[j] = m->key[k];
				g.head[j] = m->head[k];
				g.n++;
			}
		free(m->key);
		free(m->head);
		*m = g;
	}
	i = hslot(m, key);
	if (!m->key[i]) {
		m->key[i] = key;
		m->head[i] = -1;
		m->n++;
	}
	old = m->head[i];
	m->head[i] = v;
	return old;
}

static void hfree(struct hmap *m)
{
	free(m->key);
	free(m->head);
}

int jsix_grow(void **v, size_t *cap, size_t n, size_t sz)
{
	void *p;
	size_t c;
	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 16;
	p = realloc(*v, c * sz);
	if (!p)
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

char *jsix_dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

struct js_index *js_index_new(void)
{
	return calloc(1, sizeof(struct js_index));
}

void js_index_free(struct js_index *ix)
{
	size_t i, k;
	if (!ix)
		return;
	for (i = 0; i < ix->nfns; i++) {
		free(ix->fns[i].name);
		free(ix->fns[i].cls);
		for (k = 0; k < ix->fns[i].nparams; k++) {
			free(ix->fns[i].params[k].name);
			free(ix->fns[i].params[k].type);
		}
		free(ix->fns[i].params);
	}
	for (i = 0; i < ix->nfetches; i++) {
		free(ix->fetches[i].snippet);
		free(ix->fetches[i].keytext);
		free(ix->fetches[i].var);
		free(ix->fetches[i].selcols);
		free(ix->fetches[i].include);
		free(ix->fetches[i].sel);
	}
	for (i = 0; i < ix->ncls; i++) {
		free(ix->cls[i].name);
		free(ix->cls[i].via);
		free(ix->cls[i].deps);
		free(ix->cls[i].fields);
	}
	for (i = 0; i < ix->nnews; i++) {
		free(ix->news[i].cls);
		free(ix->news[i].cls_path);
		free(ix->news[i].fn);
	}
	for (i = 0; i < ix->npaths; i++)
		free(ix->paths[i]);
	for (i = 0; i < ix->npend; i++) {
		free(ix->pend[i].f.keytext);
		free(ix->pend[i].f.snippet);
		free(ix->pend[i].f.var);
	}
	free(ix->pend);
	free(ix->files);
	free(ix->fns);
	free(ix->fetches);
	free(ix->cls);
	free(ix->news);
	free(ix->paths);
	hfree(&ix->fn_by_name);
	hfree(&ix->cls_by_name);
	hfree(&ix->file_by_path);
	hfree(&ix->mv_by_name);
	for (i = 0; i < ix->nmv; i++) {
		free(ix->mv[i].name);
		free(ix->mv[i].cls);
		free(ix->mv[i].cls_mod);
	}
	free(ix->mv);
	free(ix);
}

/* ---- small token helpers */

int jsix_is_ident(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '$';
}

int jsix_tok_name_is(const struct py_toks *t, uint32_t i, const char *s, size_t n)
{
	return i < t->n && t->v[i].kind == PT_NAME && t->v[i].len == n && !strncmp(py_tok_text(t, i), s, n);
}

/* Appends word w (length n) to the space-separated set *set (" a b "), once. */
int jsix_set_add(char **set, const char *w, size_t n)
{
	size_t l = *set ? strlen(*set) : 0;
	char *p;
	if (!n)
		return 0;
	if (*set) {
		const char *q;
		for (q = strstr(*set, w); q; q = strstr(q + 1, w))
			if (q[-1] == ' ' && !strncmp(q, w, n) && q[n] == ' ')
				return 0;
	}
	p = realloc(*set, l + n + 3);
	if (!p)
		return -1;
	if (!l)
		p[l++] = ' ';
	memcpy(p + l, w, n);
	p[l + n] = ' ';
	p[l + n + 1] = 0;
	*set = p;
	return 0;
}

int jsix_set_has(const char *set, const char *w, size_t n)
{
	const char *q;
	if (!set)
		return 0;
	for (q = strstr(set, w); q; q = strstr(q + 1, w))
		if (q > set && q[-1] == ' ' && q[n] == ' ')
			return 1;
	return 0;
}

/* The type name in annotation text: "Foo" of "Foo | null", "Promise<Foo>" -> "Promise". */
static int type_name(const char *ann, char *buf, size_t cap)
{
	size_t n = 0;
	while (*ann == ' ')
		ann++;
	if (!strncmp(ann, "readonly ", 9))
		ann += 9;
	while (jsix_is_ident(ann[n]) || ann[n] == '.')
		n++;
	if (!n || n >= cap)
		return 0;
	memcpy(buf, ann, n);
	buf[n] = 0;
	return 1;
}

void js_index_noext(const char *path, char *buf, size_t cap)
{
	const char *dot = strrchr(path, '.'), *sl = strrchr(path, '/');
	size_t n = strlen(path);
	if (dot && (!sl || dot > sl) &&
	    (!strcmp(dot, ".ts") || !strcmp(dot, ".tsx") || !strcmp(dot, ".js") || !strcmp(dot, ".jsx") ||
	     !strcmp(dot, ".mjs") || !strcmp(dot, ".cjs") || !strcmp(dot, ".mts") || !strcmp(dot, ".cts")))
		n = (size_t)(dot - path);
	snprintf(buf, cap, "%.*s", (int)n, path);
}

/* 1 when file path (without extension) is the module noext (or its index). */
int jsix_same_module(const char *path, const char *noext)
{
	char b[512];
	size_t n;
	js_index_noext(path, b, sizeof(b));
	if (!strcmp(b, noext))
		return 1;
	n = strlen(noext);
	return !strncmp(b, noext, n) && !strcmp(b + n, "/index");
}

int js_index_import_of(const struct js_srcfacts *sx, const char *path, const char *name, char *buf, size_t cap)
{
	const struct py_toks *t = sx->ol->toks;
	size_t nl = strlen(name), ii;
	uint32_t i, j;
	for (ii = 0; ii < sx->nimp; ii++) {
		int hit = 0;
		i = sx->imp[ii];
		for (j = i + 1; j < t->n && t->v[j].kind != PT_NEWLINE && !py_tok_is(t, j, "from"); j++)
			if (jsix_tok_name_is(t, j, name, nl) && !py_tok_is(t, j + 1, "as") &&
			    !(j > 0 && py_tok_is(t, j - 1, ".")))
				hit = 1;
		if (!hit || !py_tok_is(t, j, "from") || j + 1 >= t->n || t->v[j + 1].kind != PT_STRING)
			continue;
		{
			const char *s = py_tok_text(t, j + 1) + 1;
			size_t sn = t->v[j + 1].len >= 2 ? t->v[j + 1].len - 2 : 0;
			char out[512], *o;
			const char *sl = strrchr(path, '/');
			size_t k;
			if (!sn || s[0] != '.')
				return 0;
			snprintf(out, sizeof(out), "%.*s%s%.*s", sl ? (int)(sl - path) : 0, path, sl ? "/" : "",
				 (int)sn, s);
			/* normalise ./ and ../ */
			o = out;
			for (k = 0; out[k];) {
				if ((k == 0 || out[k - 1] == '/') && out[k] == '.' && out[k + 1] == '/') {
					memmove(out + k, out + k + 2, strlen(out + k + 2) + 1);
				} else if ((k == 0 || out[k - 1] == '/') && out[k] == '.' && out[k + 1] == '.' &&
					   (out[k + 2] == '/' || !out[k + 2])) {
					size_t b = k >= 2 ? k - 2 : 0;
					while (b > 0 && out[b - 1] != '/')
						b--;
					memmove(out + b, out + k + (out[k + 2] ? 3 : 2), strlen(out + k + (out[k + 2] ? 3 : 2)) + 1);
					k = b;
				} else
					k++;
			}
			js_index_noext(o, buf, cap);
			return 1;
		}
	}
	return 0;
}

/* ---- classes and types */

static int add_class(struct js_index *ix, const char *path, const char *name, size_t nn, unsigned line,
		     struct js_class **out)
{
	struct js_class *k;
	int old;
	if (jsix_grow((void **)&ix->cls, &ix->capcls, ix->ncls, sizeof(*k)) < 0)
		return -1;
	k = &ix->cls[ix->ncls];
	memset(k, 0, sizeof(*k));
	k->path = path;
	k->line = line;
	k->name = jsix_dupn(name, nn);
	if (!k->name)
		return -1;
	old = hput(&ix->cls_by_name, k->name, (int)ix->ncls);
	if (old == -2) {
		free(k->name);
		return -1;
	}
	k->next = old;
	ix->ncls++;
	*out = k;
	return 0;
}

/* Fields of a body [b, e) at depth d+1: "name:", "name?:", "name!:", "name =", "name;" */
static int body_fields(const struct py_toks *t, uint32_t b, uint32_t e, uint16_t d, char **set)
{
	uint32_t i;
	for (i = b; i < e; i++) {
		if (t->v[i].depth != d || t->v[i].kind != PT_NAME)
			continue;
		if (!(i == b || t->v[i - 1].kind == PT_NEWLINE || py_tok_is(t, i - 1, ";") || py_tok_is(t, i - 1, "{") ||
		      py_tok_is(t, i - 1, ",") || py_tok_is(t, i - 1, ")") || py_tok_is(t, i - 1, "readonly") ||
		      py_tok_is(t, i - 1, "private") || py_tok_is(t, i - 1, "public") ||
		      py_tok_is(t, i - 1, "protected")))
			continue;
		if (py_tok_is(t, i, "readonly") || py_tok_is(t, i, "private") || py_tok_is(t, i, "public") ||
		    py_tok_is(t, i, "protected") || py_tok_is(t, i, "static"))
			continue;
		if (py_tok_is(t, i + 1, ":") ||
		    ((py_tok_is(t, i + 1, "?") || py_tok_is(t, i + 1, "!")) && py_tok_is(t, i + 2, ":")) ||
		    py_tok_is(t, i + 1, "=") || py_tok_is(t, i + 1, ";"))
			if (jsix_set_add(set, py_tok_text(t, i), t->v[i].len) < 0)
				return -1;
	}
	return 0;
}

/* interface X {...} and type X = {...} */
static int add_types(struct js_index *ix, const char *path, const struct py_outline *ol)
{
	const struct py_toks *t = ol->toks;
	uint32_t i;
	for (i = 0; i + 2 < t->n; i++) {
		uint32_t ob, e;
		struct js_class *k;
		if (t->v[i].depth != 0 || t->v[i + 1].kind != PT_NAME)
			continue;
		if (py_tok_is(t, i, "interface")) {
			for (ob = i + 2; ob < t->n && !py_tok_is(t, ob, "{") && t->v[ob].kind != PT_NEWLINE; ob++)
				;
		} else if (py_tok_is(t, i, "type") && !py_tok_is(t, i - 1, ".")) {
			ob = i + 2;
			if (py_tok_is(t, ob, "<"))
				continue;
			if (!py_tok_is(t, ob, "="))
				continue;
			ob++;
		} else
			continue;
		if (ob >= t->n || !py_tok_is(t, ob, "{"))
			continue;
		for (e = ob + 1; e < t->n && !(py_tok_is(t, e, "}") && t->v[e].depth == t->v[ob].depth); e++)
			;
		if (add_class(ix, path, py_tok_text(t, i + 1), t->v[i + 1].len, t->v[i].line, &k) < 0)
			return -1;
		k->is_type = 1;
		if (body_fields(t, ob + 1, e, (uint16_t)(t->v[ob].depth + 1), &k->fields) < 0)
			return -1;
		i = e;
	}
	return 0;
}

static int has_deco(const struct py_block *b, const char *prefix)
{
	unsigned k;
	size_t n = strlen(prefix);
	for (k = 0; k < b->ndecorators; k++)
		if (!strncmp(b->decorators[k], prefix, n) && !jsix_is_ident(b->decorators[k][n]))
			return 1;
	return 0;
}

static int add_classes(struct js_index *ix, const char *path, const struct py_outline *ol)
{
	const struct py_toks *t = ol->toks;
	size_t i, j;
	for (i = 0; i < ol->nblocks; i++) {
		const struct py_block *b = &ol->blocks[i];
		struct js_class *k;
		unsigned dk;
		if (b->kind != PB_CLASS || !b->name)
			continue;
		if (add_class(ix, path, b->name, strlen(b->name), b->line, &k) < 0)
			return -1;
		k->provider = (uint8_t)(has_deco(b, "Injectable") || has_deco(b, "Controller") ||
					has_deco(b, "Resolver") || has_deco(b, "WebSocketGateway") ||
					has_deco(b, "Processor"));
		k->entity = (uint8_t)has_deco(b, "Entity");
		for (dk = 0; dk < b->ndecorators; dk++)
			if (strstr(b->decorators[dk], "Scope.REQUEST") && !strstr(b->decorators[dk], "durable"))
				k->scope = JS_SCOPE_REQUEST;
			else if (strstr(b->decorators[dk], "Scope.TRANSIENT"))
				k->scope = JS_SCOPE_TRANSIENT;
		/* fields: the class body's statements at its depth */
		if (b->body_begin > 0 &&
		    body_fields(t, b->body_begin, b->body_end, (uint16_t)(t->v[b->body_begin - 1].depth + 1), &k->fields) < 0)
			return -1;
		/* constructor parameters: dependencies, and parameter properties as fields */
		for (j = i + 1; j < ol->nblocks && ol->blocks[j].line <= b->end_line; j++) {
			const struct py_block *c = &ol->blocks[j];
			unsigned p;
			if (c->kind != PB_DEF || c->parent != (int)i || !c->name || strcmp(c->name, "constructor"))
				continue;
			for (p = 0; p < c->nparams; p++) {
				const char *txt = c->param_texts ? c->param_texts[p] : NULL;
				const char *colon;
				char tn[96];
				if (!txt)
					continue;
				if (strstr(txt, "@Inject(REQUEST)") || strstr(txt, "@Inject(CONTEXT)"))
					if (k->scope == JS_SCOPE_DEFAULT)
						k->scope = JS_SCOPE_INJECTS_REQUEST;
				if ((strstr(txt, "private ") || strstr(txt, "public ") || strstr(txt, "protected ") ||
				     strstr(txt, "readonly ")) && c->params[p] &&
				    jsix_set_add(&k->fields, c->params[p], strlen(c->params[p])) < 0)
					return -1;
				colon = strchr(txt, ':');
				if (colon && type_name(colon + 1, tn, sizeof(tn)) && jsix_set_add(&k->deps, tn, strlen(tn)) < 0)
					return -1;
			}
		}
	}
	return 0;
}

/* ---- functions */

static int add_fns(struct js_index *ix, const char *path, const struct py_outline *ol)
{
	size_t i;
	for (i = 0; i < ol->nblocks; i++) {
		const struct py_block *b = &ol->blocks[i];
		struct js_fn *f;
		unsigned p;
		int old;
		if (b->kind != PB_DEF)
			continue;
		if (jsix_grow((void **)&ix->fns, &ix->capfns, ix->nfns, sizeof(*f)) < 0)
			return -1;
		f = &ix->fns[ix->nfns];
		memset(f, 0, sizeof(*f));
		f->path = path;
		f->def = (int)i;
		f->line = b->line;
		f->end_line = b->end_line;
		f->is_async = b->is_async;
		f->handler = b->handler;
		f->job = (uint8_t)js_def_is_job(ol, (int)i);
		f->next = -1;
		f->fetch0 = ix->nfetches;
		if (b->name && !(f->name = jsix_dupn(b->name, strlen(b->name))))
			return -1;
		if (b->parent >= 0 && ol->blocks[b->parent].kind == PB_CLASS && ol->blocks[b->parent].name &&
		    !(f->cls = jsix_dupn(ol->blocks[b->parent].name, strlen(ol->blocks[b->parent].name)))) {
			free(f->name);
			return -1;
		}
		f->top = b->parent == 0 && !f->cls;
		if (!f->top && !f->cls && b->parent >= 0) {
			/* export const f = async (...) => ...: also a module-level function */
			f->top = py_outline_enclosing(ol, b->parent, PB_MASK(PB_DEF) | PB_MASK(PB_CLASS), 1) < 0 &&
				 !b->arg_of;
		}
		f->params = b->nparams ? calloc(b->nparams, sizeof(*f->params)) : NULL;
		if (b->nparams && !f->params) {
			free(f->name);
			free(f->cls);
			return -1;
		}
		f->nparams = b->nparams;
		ix->nfns++;
		for (p = 0; p < b->nparams; p++) {
			const char *txt = b->param_texts ? b->param_texts[p] : NULL;
			const char *colon = txt ? strchr(txt, ':') : NULL;
			struct js_param *pp = &f->params[p];
			pp->name = jsix_dupn(b->params[p] ? b->params[p] : "", b->params[p] ? strlen(b->params[p]) : 0);
			if (!pp->name)
				return -1;
			if (colon && txt[0] != '{') {
				char tn[96];
				if (type_name(colon + 1, tn, sizeof(tn)) && !(pp->type = jsix_dupn(tn, strlen(tn))))
					return -1;
			}
			if (txt && (strstr(txt, "@Body") || strstr(txt, "@Query") || strstr(txt, "@Param") ||
				    strstr(txt, "@Args") || strstr(txt, "@Payload")))
				pp->input = 1;
			if (pp->type) {
				static const char *const suf[] = { "Dto", "DTO", "Input", "Body", "Payload", "Params",
								   "Request", "Args", "Create", "Update", NULL };
				size_t s, tl = strlen(pp->type);
				for (s = 0; suf[s]; s++)
					if (tl >= strlen(suf[s]) && !strcmp(pp->type + tl - strlen(suf[s]), suf[s]))
						pp->input = 1;
				if (!strncmp(pp->type, "Create", 6) || !strncmp(pp->type, "Update", 6))
					pp->input = 1;
			}
		}
		if (f->name) {
			old = hput(&ix->fn_by_name, f->name, (int)(ix->nfns - 1));
			if (old == -2)
				return -1;
			f->next = old;
		}
	}
	return 0;
}

/* ---- per-request instantiations */

/* 1 when def d or a def around it is a request handler. */
static int in_handler(const struct py_outline *ol, int d)
{
	for (; d >= 0; d = py_outline_enclosing(ol, ol->blocks[d].parent, PB_MASK(PB_DEF), 1)) {
		if (ol->blocks[d].handler)
			return 1;
		if (ol->blocks[d].parent < 0)
			break;
	}
	return 0;
}

static int add_news(struct js_index *ix, const char *path, const struct js_srcfacts *sx)
{
	const struct py_outline *ol = sx->ol;
	const struct py_toks *t = ol->toks;
	size_t ci;
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		struct py_assign a;
		struct js_new *nw;
		char imp[512];
		int h;
		if (!js_call_is_new(c) || c->func < 0 || strchr(c->name, '.') || !isupper((unsigned char)c->name[0]) ||
		    !in_handler(ol, c->func))
			continue;
		/* kept longer: stored on an object, in a module variable, or lazily (x ??= new X) */
		if (c->stmt >= 0 && js_stmt_assign(ol, c->stmt, &a)) {
			const struct py_stmt *st = &ol->stmts[c->stmt];
			if (!py_tok_is(t, a.op, "="))
				continue;
			if (a.target_end != a.target_begin + 1 ||
			    !(py_tok_is(t, st->tok_begin, "const") || py_tok_is(t, st->tok_begin, "let") ||
			      py_tok_is(t, st->tok_begin, "var")))
				continue;
		}
		h = js_index_import_of(sx, path, c->name, imp, sizeof(imp));
		if (jsix_grow((void **)&ix->news, &ix->capnews, ix->nnews, sizeof(*nw)) < 0)
			return -1;
		nw = &ix->news[ix->nnews];
		memset(nw, 0, sizeof(*nw));
		nw->path = path;
		nw->line = c->line;
		nw->cls = jsix_dupn(c->name, strlen(c->name));
		nw->cls_path = h ? jsix_dupn(imp, strlen(imp)) : NULL;
		{
			int d = c->func;
			while (d >= 0 && !ol->blocks[d].name)
				d = py_outline_enclosing(ol, ol->blocks[d].parent, PB_MASK(PB_DEF), 1);
			if (d >= 0 && ol->blocks[d].handler)
				nw->fn = jsix_dupn(ol->blocks[d].name, strlen(ol->blocks[d].name));
		}
		ix->nnews++;
		if (!nw->cls || (h && !nw->cls_path))
			return -1;
	}
	return 0;
}

/* ---- building */

static const char *intern_path(struct js_index *ix, const char *path)
{
	char *p;
	if (jsix_grow((void **)&ix->paths, &ix->cappaths, ix->npaths, sizeof(char *)) < 0)
		return NULL;
	p = jsix_dupn(path, strlen(path));
	if (p)
		ix->paths[ix->npaths++] = p;
	return p;
}

static int add_modvars(struct js_index *ix, const char *path, const struct js_srcfacts *sx)
{
	size_t i;
	for (i = 0; i < sx->nv; i++) {
		const struct jsvar *v = &sx->v[i];
		struct js_modvar *m;
		char imp[512];
		int old;
		if (v->func != -1 || !v->type[0] || !v->isnew)
			continue;
		if (jsix_grow((void **)&ix->mv, &ix->capmv, ix->nmv, sizeof(*m)) < 0)
			return -1;
		m = &ix->mv[ix->nmv];
		memset(m, 0, sizeof(*m));
		m->path = path;
		m->name = jsix_dupn(v->name, v->len);
		m->cls = jsix_dupn(v->type, strlen(v->type));
		if (js_index_import_of(sx, path, v->type, imp, sizeof(imp)))
			m->cls_mod = jsix_dupn(imp, strlen(imp));
		ix->nmv++;
		if (!m->name || !m->cls)
			return -1;
		old = hput(&ix->mv_by_name, m->name, (int)(ix->nmv - 1));
		if (old == -2)
			return -1;
		m->next = old;
	}
	return 0;
}

static int add_outline(struct js_index *ix, const char *rel, const struct py_outline *ol, const struct srcfile *sf)
{
	const char *path = intern_path(ix, rel);
	struct js_srcfacts *sx;
	struct jsdb *db;
	size_t fn0 = ix->nfns, ci;
	struct jfile *jf;
	int rc = 0;
	if (!path || !(sx = js_srcfacts_new(ol)))
		return -1;
	db = jsdb_new(ol);
	if (!db || add_fns(ix, path, ol) < 0 || add_classes(ix, path, ol) < 0 || add_types(ix, path, ol) < 0 ||
	    add_news(ix, path, sx) < 0)
		rc = -1;
	for (ci = 0; rc == 0 && ci < ol->ncalls; ci++) {
		struct jsdb_q q;
		memset(&q, 0, sizeof(q));
		q.op_call = -1;
		if (jsdb_query(db, (int)ci, &q) == JSOP_READ ? jsix_add_fetch(ix, ol, (int)ci, &q, sf, fn0) < 0 :
		    ol->calls[ci].parent_call < 0 && jsix_add_pending(ix, path, sx, (int)ci, sf, fn0) < 0)
			rc = -1;
	}
	if (rc == 0 && add_modvars(ix, path, sx) < 0)
		rc = -1;
	jsdb_free(db);
	js_srcfacts_free(sx);
	if (rc < 0 || jsix_grow((void **)&ix->files, &ix->capfiles, ix->nfiles, sizeof(*jf)) < 0 ||
	    hput(&ix->file_by_path, path, (int)ix->nfiles) == -2)
		return -1;
	jf = &ix->files[ix->nfiles++];
	jf->path = path;
	jf->fn0 = fn0;
	jf->nfn = ix->nfns - fn0;
	ix->finished = 0;
	return 0;
}

int js_index_add_context(struct js_index *ix, const json_t *context)
{
	const char *root = json_string_value(json_object_get(context, "codebase_root"));
	const json_t *files = json_object_get(context, "files");
	size_t i;
	json_t *f;
	json_array_foreach(files, i, f) {
		const char *rel = json_string_value(json_object_get(f, "path"));
		const char *role = json_string_value(json_object_get(f, "role"));
		const char *lang = json_string_value(json_object_get(f, "language"));
		char full[4096];
		struct srcfile sf;
		struct py_toks toks;
		struct py_outline ol;
		int rc = 0;
		if (!rel || !role || strcmp(role, "source") ||
		    !(lang ? !strcmp(lang, "typescript") || !strcmp(lang, "javascript") : 0))
			continue;
		if (snprintf(full, sizeof(full), "%s/%s", root ? root : ".", rel) >= (int)sizeof(full))
			continue;
		if (srcfile_load(&sf, full, 0, NULL, NULL) != SRC_OK)
			continue;
		memset(&toks, 0, sizeof(toks));
		memset(&ol, 0, sizeof(ol));
		if (js_tokenize(&toks, sf.text, sf.len, js_path_jsx(rel)) < 0) {
			srcfile_free(&sf);
			return -1;
		}
		if (js_outline_build(&ol, &toks) < 0)
			rc = -1;
		else {
			js_outline_mark_path(&ol, rel);
			rc = add_outline(ix, rel, &ol, &sf);
		}
		py_outline_free(&ol);
		py_toks_free(&toks);
		srcfile_free(&sf);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int js_index_add(struct js_index *ix, const char *path, const struct py_outline *ol, const json_t *context)
{
	struct srcfile sf;
	const struct py_toks *t = ol->toks;
	int rc;
	(void)context;
	/* already read from the context */
	if (jsix_hget(&ix->file_by_path, path) >= 0)
		return 0;
	if (srcfile_from_buffer(&sf, path, t->src, t->srclen) < 0)
		return -1;
	rc = add_outline(ix, path, ol, &sf);
	srcfile_free(&sf);
	return rc;
}

static char *dup_or_null(const char *s, int *bad)
{
	char *d;
	if (!s)
		return NULL;
	d = jsix_dupn(s, strlen(s));
	if (!d)
		*bad = 1;
	return d;
}

static int cmp_fetch(const void *x, const void *y)
{
	const struct js_fetch *a = x, *b = y;
	if (a->fn != b->fn)
		return a->fn < b->fn ? -1 : 1;
	return (a->tok > b->tok) - (a->tok < b->tok);
}

/* Orders the fetches by function (a nested callback's fetch may sit between
 * two of its outer function's), then by position, and gives each function
 * its range. */
static void fetch_ranges(struct js_index *ix)
{
	size_t i;
	if (ix->nfetches) /* fetches is NULL then, and qsort's pointer must not be */
		qsort(ix->fetches, ix->nfetches, sizeof(*ix->fetches), cmp_fetch);
	for (i = 0; i < ix->nfns; i++)
		ix->fns[i].nfetch = 0;
	for (i = 0; i < ix->nfetches; i++) {
		struct js_fn *f = &ix->fns[ix->fetches[i].fn];
		if (!f->nfetch)
			f->fetch0 = i;
		f->nfetch = i + 1 - f->fetch0;
	}
}

/* A call "x = await lookup(key)" of a function that returns the row it
 * loads by that key is a fetch of the caller too (repository functions). */
static int resolve_pending(struct js_index *ix)
{
	size_t i, k, added = 0;
	for (i = 0; i < ix->npend; i++) {
		struct js_pending *pd = &ix->pend[i];
		const struct js_fn *l;
		const struct js_fetch *lf;
		struct js_fetch f;
		size_t lk = (size_t)-1;
		int bad = 0;
		if (!pd->sp.nalt || !(l = jsix_spec_lookup(ix, &pd->sp)) || l == &ix->fns[pd->f.fn])
			continue;
		for (k = l->fetch0; k < l->fetch0 + l->nfetch; k++)
			if (ix->fetches[k].returned && ix->fetches[k].key_param == (int)pd->arg)
				lk = k;
		if (lk == (size_t)-1 || jsix_grow((void **)&ix->fetches, &ix->capfetches, ix->nfetches, sizeof(f)) < 0)
			continue;
		lf = &ix->fetches[lk];
		f = pd->f;
		snprintf(f.model, sizeof(f.model), "%s", lf->model);
		f.api = lf->api;
		f.eager = lf->eager;
		f.keytext = dup_or_null(pd->f.keytext, &bad);
		f.snippet = dup_or_null(pd->f.snippet, &bad);
		f.var = dup_or_null(pd->f.var, &bad);
		f.selcols = dup_or_null(lf->selcols, &bad);
		f.include = dup_or_null(lf->include, &bad);
		f.sel = dup_or_null(lf->sel, &bad);
		pd->sp.nalt = 0;   /* once: jsix_finish runs again after a later file */
		if (bad) {
			free(f.keytext);
			free(f.snippet);
			free(f.var);
			free(f.selcols);
			free(f.include);
			free(f.sel);
			continue;
		}
		ix->fetches[ix->nfetches++] = f;
		added++;
	}
	return added > 0;
}


/* Request scope bubbles from a provider to every provider that injects it. */
void jsix_finish(struct js_index *ix)
{
	size_t i;
	int changed = 1;
	if (ix->finished)
		return;
	ix->finished = 1;
	fetch_ranges(ix);
	/* lookups through repository functions need every function's own fetches first */
	if (resolve_pending(ix))
		fetch_ranges(ix);
	while (changed) {
		changed = 0;
		for (i = 0; i < ix->ncls; i++) {
			struct js_class *k = &ix->cls[i];
			const char *p;
			if (k->scope != JS_SCOPE_DEFAULT || !k->provider || !k->deps)
				continue;
			for (p = k->deps; *p;) {
				char dn[96];
				size_t l;
				int j;
				while (*p == ' ')
					p++;
				l = strcspn(p, " ");
				if (!l || l >= sizeof(dn))
					break;
				memcpy(dn, p, l);
				dn[l] = 0;
				p += l;
				for (j = jsix_hget(&ix->cls_by_name, dn); j >= 0; j = ix->cls[j].next) {
					const struct js_class *d = &ix->cls[j];
					if (d->is_type || !d->provider ||
					    !(d->scope == JS_SCOPE_REQUEST || d->scope == JS_SCOPE_INJECTS_REQUEST ||
					      d->scope == JS_SCOPE_BUBBLED))
						continue;
					k->scope = JS_SCOPE_BUBBLED;
					k->via = jsix_dupn(dn, l);
					changed = 1;
					break;
				}
				if (k->scope != JS_SCOPE_DEFAULT)
					break;
			}
		}
	}
}

/* ---- lookups */

const struct js_fn *js_index_fn_of(const struct js_index *ix, const char *path, int def)
{
	size_t lo, hi;
	int k = jsix_hget(&ix->file_by_path, path);
	if (k >= 0) {
		const struct jfile *jf = &ix->files[k];
		jsix_finish((struct js_index *)ix);
		lo = jf->fn0;
		hi = jf->fn0 + jf->nfn;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (ix->fns[mid].def < def)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo < jf->fn0 + jf->nfn && ix->fns[lo].def == def ? &ix->fns[lo] : NULL;
	}
	return NULL;
}

const struct js_fetch *js_index_fetch(const struct js_index *ix, size_t i)
{
	return i < ix->nfetches ? &ix->fetches[i] : NULL;
}

const struct js_class *js_index_class(struct js_index *ix, const char *name, const char *path_noext)
{
	int j, found = -1, n = 0;
	jsix_finish(ix);
	for (j = jsix_hget(&ix->cls_by_name, name); j >= 0; j = ix->cls[j].next) {
		if (path_noext && jsix_same_module(ix->cls[j].path, path_noext))
			return &ix->cls[j];
		found = j;
		n++;
	}
	return n == 1 && !path_noext ? &ix->cls[found] : n == 1 && path_noext ? NULL : NULL;
}

int js_index_type_has(struct js_index *ix, const char *name, const char *path_noext, const char *f)
{
	int j;
	for (j = jsix_hget(&ix->cls_by_name, name); j >= 0; j = ix->cls[j].next)
		if ((!path_noext || jsix_same_module(ix->cls[j].path, path_noext)) && jsix_set_has(ix->cls[j].fields, f, strlen(f)))
			return 1;
	return 0;
}

size_t js_index_news(struct js_index *ix, const char *cls, const char *path, const struct js_new **out, size_t max)
{
	size_t i, n = 0;
	char ne[512];
	js_index_noext(path, ne, sizeof(ne));
	for (i = 0; i < ix->nnews && n < max; i++) {
		const struct js_new *w = &ix->news[i];
		if (strcmp(w->cls, cls))
			continue;
		if (w->cls_path ? !jsix_same_module(path, w->cls_path) : strcmp(w->path, path))
			continue;
		out[n++] = w;
	}
	return n;
}

/* The method name of class cls (in module cls_noext, or anywhere when the class name is unique). */
static const struct js_fn *method_of(struct js_index *ix, const char *cls, const char *cls_noext, const char *name)
{
	const struct js_class *k = js_index_class(ix, cls, cls_noext);
	int j;
	if (!k || k->is_type)
		return NULL;
	for (j = jsix_hget(&ix->fn_by_name, name); j >= 0; j = ix->fns[j].next) {
		const struct js_fn *f = &ix->fns[j];
		if (f->cls && !strcmp(f->cls, cls) && f->path == k->path)
			return f;
	}
	return NULL;
}

static const struct js_fn *function_in(struct js_index *ix, const char *path, const char *noext, const char *name)
{
	int j;
	for (j = jsix_hget(&ix->fn_by_name, name); j >= 0; j = ix->fns[j].next) {
		const struct js_fn *f = &ix->fns[j];
		if (f->top && (path ? !strcmp(f->path, path) : jsix_same_module(f->path, noext)))
			return f;
	}
	return NULL;
}

/* The type of a field or constructor parameter property of class block k. */
static int field_type(const struct py_outline *ol, int k, const char *name, size_t n, char *buf, size_t cap)
{
	const struct py_toks *t = ol->toks;
	const struct py_block *b = &ol->blocks[k];
	size_t j;
	uint32_t i;
	for (j = (size_t)k + 1; j < ol->nblocks && ol->blocks[j].line <= b->end_line; j++) {
		const struct py_block *c = &ol->blocks[j];
		unsigned p;
		if (c->kind != PB_DEF || c->parent != k || !c->name || strcmp(c->name, "constructor"))
			continue;
		for (p = 0; p < c->nparams; p++)
			if (c->params[p] && strlen(c->params[p]) == n && !strncmp(c->params[p], name, n) && c->param_texts &&
			    c->param_texts[p] && strchr(c->param_texts[p], ':'))
				return type_name(strchr(c->param_texts[p], ':') + 1, buf, cap);
	}
	/* a field: name: T or name = new T(...) at the class body's depth */
	if (!b->body_begin)
		return 0;
	for (i = b->body_begin; i + 2 < b->body_end; i++) {
		if (t->v[i].depth != t->v[b->body_begin - 1].depth + 1u || !jsix_tok_name_is(t, i, name, n))
			continue;
		if (py_tok_is(t, i - 1, ".") || py_tok_is(t, i - 1, "?."))
			continue;
		if (py_tok_is(t, i + 1, ":") || ((py_tok_is(t, i + 1, "!") || py_tok_is(t, i + 1, "?")) &&
						 py_tok_is(t, i + 2, ":"))) {
			uint32_t k2 = py_tok_is(t, i + 1, ":") ? i + 2 : i + 3;
			if (t->v[k2].kind == PT_NAME && (size_t)t->v[k2].len < cap) {
				snprintf(buf, cap, "%.*s", (int)t->v[k2].len, py_tok_text(t, k2));
				return 1;
			}
		}
		if (py_tok_is(t, i + 1, "=") && py_tok_is(t, i + 2, "new") && t->v[i + 3].kind == PT_NAME &&
		    (size_t)t->v[i + 3].len < cap) {
			snprintf(buf, cap, "%.*s", (int)t->v[i + 3].len, py_tok_text(t, i + 3));
			return 1;
		}
	}
	return 0;
}

static int cmp_var(const void *x, const void *y)
{
	const struct jsvar *a = x, *b = y;
	int r;
	if (a->func != b->func)
		return a->func < b->func ? -1 : 1;
	r = strncmp(a->name, b->name, a->len < b->len ? a->len : b->len);
	if (r)
		return r;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return (a->stmt > b->stmt) - (a->stmt < b->stmt);
}

struct js_srcfacts *js_srcfacts_new(const struct py_outline *ol)
{
	const struct py_toks *t = ol->toks;
	struct js_srcfacts *sx = calloc(1, sizeof(*sx));
	size_t cap = 0, capv = 0, s;
	uint32_t i;
	if (!sx)
		return NULL;
	sx->ol = ol;
	for (i = 0; i < t->n; i++)
		if (t->v[i].depth == 0 && (t->v[i].flags & PTF_KEYWORD) && py_tok_is(t, i, "import")) {
			if (jsix_grow((void **)&sx->imp, &cap, sx->nimp, sizeof(*sx->imp)) < 0)
				goto nomem;
			sx->imp[sx->nimp++] = i;
		}
	/* declarations: const x = new X(...), let x: X = ... (the first one per function and name) */
	for (s = 0; s < ol->nstmts; s++) {
		const struct py_stmt *st = &ol->stmts[s];
		struct jsvar *v;
		i = st->tok_begin;
		if (py_tok_is(t, i, "export") && (py_tok_is(t, i + 1, "const") || py_tok_is(t, i + 1, "let")))
			i++;
		if (!(py_tok_is(t, i, "const") || py_tok_is(t, i, "let") || py_tok_is(t, i, "var")) ||
		    i + 1 >= st->tok_end || t->v[i + 1].kind != PT_NAME)
			continue;
		if (jsix_grow((void **)&sx->v, &capv, sx->nv, sizeof(*sx->v)) < 0)
			goto nomem;
		v = &sx->v[sx->nv++];
		memset(v, 0, sizeof(*v));
		v->func = ol->blocks[st->block].func;
		v->name = py_tok_text(t, i + 1);
		v->len = t->v[i + 1].len;
		v->stmt = s;
		i++;
		if (py_tok_is(t, i + 1, ":") && t->v[i + 2].kind == PT_NAME && t->v[i + 2].len < sizeof(v->type))
			snprintf(v->type, sizeof(v->type), "%.*s", (int)t->v[i + 2].len, py_tok_text(t, i + 2));
		else if (py_tok_is(t, i + 1, "=") && py_tok_is(t, i + 2, "new") && t->v[i + 3].kind == PT_NAME &&
			 !py_tok_is(t, i + 4, ".") && t->v[i + 3].len < sizeof(v->type)) {
			snprintf(v->type, sizeof(v->type), "%.*s", (int)t->v[i + 3].len, py_tok_text(t, i + 3));
			v->isnew = 1;
		}
	}
	if (sx->nv)
		qsort(sx->v, sx->nv, sizeof(*sx->v), cmp_var);
	return sx;
nomem:
	js_srcfacts_free(sx);
	return NULL;
}

void js_srcfacts_free(struct js_srcfacts *sx)
{
	if (!sx)
		return;
	free(sx->imp);
	free(sx->v);
	free(sx);
}

int js_index_var_type(const struct js_srcfacts *sx, int f, const char *name, size_t n, char *buf, size_t cap)
{
	const struct py_outline *ol = sx->ol;
	int d = f;
	if (n == 0)
		return 0;
	for (;;) {
		const struct py_block *b = d >= 0 ? &ol->blocks[d] : NULL;
		struct jsvar key;
		size_t lo = 0, hi = sx->nv;
		unsigned p;
		if (b) {
			for (p = 0; p < b->nparams; p++)
				if (b->params[p] && strlen(b->params[p]) == n && !strncmp(b->params[p], name, n)) {
					const char *txt = b->param_texts ? b->param_texts[p] : NULL;
					const char *colon = txt ? strchr(txt, ':') : NULL;
					return colon && txt[0] != '{' ? type_name(colon + 1, buf, cap) : 0;
				}
		}
		/* the first declaration of name in this function's own statements */
		memset(&key, 0, sizeof(key));
		key.func = d;
		key.name = name;
		key.len = (uint32_t)n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (cmp_var(&sx->v[mid], &key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < sx->nv && sx->v[lo].func == d && sx->v[lo].len == n && !strncmp(sx->v[lo].name, name, n)) {
			if (!sx->v[lo].type[0] || strlen(sx->v[lo].type) >= cap)
				return 0;
			snprintf(buf, cap, "%s", sx->v[lo].type);
			return 1;
		}
		if (d < 0)
			return 0;
		d = py_outline_enclosing(ol, ol->blocks[d].parent, PB_MASK(PB_DEF), 1);
	}
}

/* 1 when some project function named name is a method (cls) or a module-level function (!cls). */
static int has_fn(const struct js_index *ix, const char *name, int cls)
{
	int j;
	for (j = jsix_hget(&ix->fn_by_name, name); j >= 0; j = ix->fns[j].next)
		if (cls ? ix->fns[j].cls != NULL : ix->fns[j].top)
			return 1;
	return 0;
}

static void spec_alt(struct js_spec *sp, int method, int exact, const char *cls, const char *mod)
{
	if (sp->nalt >= 3)
		return;
	sp->alt[sp->nalt].method = (uint8_t)method;
	sp->alt[sp->nalt].exact = (uint8_t)exact;
	sp->alt[sp->nalt].any = mod == NULL;
	snprintf(sp->alt[sp->nalt].cls, sizeof(sp->alt[0].cls), "%s", cls ? cls : "");
	snprintf(sp->alt[sp->nalt].mod, sizeof(sp->alt[0].mod), "%s", mod ? mod : "");
	sp->nalt++;
}

/* The candidates of call ci (see js_spec); ix (may be NULL) skips names no
 * project function has.  0 when the call cannot lead to a project function. */
int jsix_call_spec(const struct js_index *ix, const char *path, const struct js_srcfacts *sx, int ci,
		     struct js_spec *sp)
{
	const struct py_outline *ol = sx->ol;
	const struct py_call *c = &ol->calls[ci];
	const char *cal = c->callee, *dot1, *dot2, *last;
	char first[96], second[96], tn[96], imp[512], ne[512];
	int k;
	memset(sp, 0, sizeof(*sp));
	if (!cal[0] || c->is_ref || js_call_is_new(c) || strstr(cal, "()") || strstr(cal, "[]"))
		return 0;
	last = strrchr(cal, '.');
	last = last ? last + 1 : cal;
	if (strlen(last) >= sizeof(sp->name))
		return 0;
	memcpy(sp->name, last, strlen(last) + 1);  /* fits: checked above */
	js_index_noext(path, ne, sizeof(ne));
	dot1 = strchr(cal, '.');
	if (!dot1) {
		/* f(): this file's function, or an imported one */
		if (ix && !has_fn(ix, cal, 0))
			return 0;
		spec_alt(sp, 0, 1, NULL, path);
		if (js_index_import_of(sx, path, cal, imp, sizeof(imp)))
			spec_alt(sp, 0, 0, NULL, imp);
		return 1;
	}
	if ((size_t)(dot1 - cal) >= sizeof(first))
		return 0;
	snprintf(first, sizeof(first), "%.*s", (int)(dot1 - cal), cal);
	dot2 = strchr(dot1 + 1, '.');
	/* the enclosing class */
	k = c->func >= 0 ? py_outline_enclosing(ol, c->func, PB_MASK(PB_CLASS), 1) : -1;
	if (!strcmp(first, "this")) {
		if (k < 0 || !ol->blocks[k].name || (ix && !has_fn(ix, last, 1)))
			return 0;
		if (!dot2) {
			spec_alt(sp, 1, 0, ol->blocks[k].name, ne);
			return 1;
		}
		if (strchr(dot2 + 1, '.') || (size_t)(dot2 - dot1 - 1) >= sizeof(second))
			return 0;
		snprintf(second, sizeof(second), "%.*s", (int)(dot2 - dot1 - 1), dot1 + 1);
		if (!field_type(ol, k, second, strlen(second), tn, sizeof(tn)))
			return 0;
		if (js_index_import_of(sx, path, tn, imp, sizeof(imp)))
			spec_alt(sp, 1, 0, tn, imp);
		else {
			spec_alt(sp, 1, 0, tn, ne);
			spec_alt(sp, 1, 0, tn, NULL);
		}
		return 1;
	}
	if (dot2)
		return 0;
	/* ns.f() of import * as ns */
	if ((!ix || has_fn(ix, last, 0)) && js_index_import_of(sx, path, first, imp, sizeof(imp)))
		spec_alt(sp, 0, 0, NULL, imp);
	/* x.m() of an imported module-level instance (export const x = new X()) */
	if ((!ix || has_fn(ix, last, 1)) && js_index_import_of(sx, path, first, imp, sizeof(imp))) {
		spec_alt(sp, 1, 0, first, imp);
		sp->alt[sp->nalt - 1].modvar = 1;
	}
	/* x.m() of a typed or new-built x, only when some project class has a method of that name */
	if ((!ix || has_fn(ix, last, 1)) && js_index_var_type(sx, c->func, first, strlen(first), tn, sizeof(tn)))
		spec_alt(sp, 1, 0, tn, js_index_import_of(sx, path, tn, imp, sizeof(imp)) ? imp : ne);
	return sp->nalt > 0;
}

const struct js_fn *jsix_spec_lookup(struct js_index *ix, const struct js_spec *sp)
{
	unsigned i;
	for (i = 0; i < sp->nalt; i++) {
		const struct js_fn *f;
		if (sp->alt[i].modvar) {
			int j;
			f = NULL;
			for (j = jsix_hget(&ix->mv_by_name, sp->alt[i].cls); j >= 0 && !f; j = ix->mv[j].next)
				if (jsix_same_module(ix->mv[j].path, sp->alt[i].mod)) {
					char ne[512];
					js_index_noext(ix->mv[j].path, ne, sizeof(ne));
					f = method_of(ix, ix->mv[j].cls, ix->mv[j].cls_mod ? ix->mv[j].cls_mod : ne, sp->name);
				}
		} else if (sp->alt[i].method)
			f = method_of(ix, sp->alt[i].cls, sp->alt[i].any ? NULL : sp->alt[i].mod, sp->name);
		else
			f = function_in(ix, sp->alt[i].exact ? sp->alt[i].mod : NULL, sp->alt[i].exact ? NULL : sp->alt[i].mod,
					sp->name);
		if (f)
			return f;
	}
	return NULL;
}

const struct js_fn *js_index_resolve_call(struct js_index *ix, const char *path, const struct js_srcfacts *sx, int ci)
{
	struct js_spec sp;
	jsix_finish(ix);
	if (!jsix_call_spec(ix, path, sx, ci, &sp))
		return NULL;
	return jsix_spec_lookup(ix, &sp);
}
