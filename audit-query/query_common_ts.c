/*
 * query_ts: what the TypeScript/JavaScript query checks share: the loop
 * around a database call (for/for-of/for await and iteration callbacks,
 * js_call_loop), whether the call's arguments depend on the loop's
 * element, and the severity of its function (handler, job, script).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "js/js.h"
#include "srcfile.h"

/* 1 when identifier [s, s+n) occurs as a word in text (a loop target such
 * as "[k, v]" or "{ id, name }", or a parameter list). */
static int word_in(const char *text, const char *s, size_t n)
{
	const char *p = text;
	while (text && *p) {
		const char *q = p;
		while (*q && (isalnum((unsigned char)*q) || *q == '_' || *q == '$'))
			q++;
		if (q > p && (size_t)(q - p) == n && !strncmp(p, s, n))
			return 1;
		p = q > p ? q : p + 1;
	}
	return 0;
}

int query_ts_loop(const struct py_outline *ol, int ci, struct query_ts_loop *lp)
{
	const struct py_call *c = &ol->calls[ci];
	const struct py_toks *t = ol->toks;
	int loop = js_call_loop(ol, c);
	const struct py_block *b;
	uint32_t i;
	memset(lp, 0, sizeof(*lp));
	lp->block = loop;
	if (loop < 0)
		return -1;
	b = &ol->blocks[loop];
	lp->callback = b->kind == PB_DEF;
	lp->is_while = b->kind == PB_WHILE;
	/* the element names: the for-of target, or the callback's parameters */
	lp->vars[0] = 0;
	if (b->kind == PB_FOR && b->target) {
		size_t k = strlen(b->target);
		if (k >= sizeof(lp->vars))
			k = sizeof(lp->vars) - 1;
		memcpy(lp->vars, b->target, k);
		lp->vars[k] = 0;
	} else if (b->kind == PB_DEF) {
		unsigned k;
		size_t used = 0;
		for (k = 0; k < b->nparams && k < 2; k++) {
			size_t len = b->params[k] ? strlen(b->params[k]) : 0;
			if (used + len + 2 >= sizeof(lp->vars))
				break;
			memcpy(lp->vars + used, b->params[k], len);
			used += len;
			lp->vars[used++] = ' ';
		}
		lp->vars[used] = 0;
	}
	/* the iterable's text, for loops over chunks/batches/pages */
	if (b->kind == PB_FOR && b->iter_end > b->iter_begin) {
		for (i = b->iter_begin; i < b->iter_end; i++)
			if (t->v[i].kind == PT_NAME &&
			    (query_ts_has_ci(py_tok_text(t, i), t->v[i].len, "chunk") ||
			     query_ts_has_ci(py_tok_text(t, i), t->v[i].len, "batch") ||
			     query_ts_has_ci(py_tok_text(t, i), t->v[i].len, "page")))
				lp->chunked = 1;
	} else if (b->kind == PB_DEF && b->arg_of) {
		const struct py_call *it = &ol->calls[b->arg_of - 1];
		for (i = it->name_begin; i < it->lparen; i++)
			if (t->v[i].kind == PT_NAME &&
			    (query_ts_has_ci(py_tok_text(t, i), t->v[i].len, "chunk") ||
			     query_ts_has_ci(py_tok_text(t, i), t->v[i].len, "batch") ||
			     query_ts_has_ci(py_tok_text(t, i), t->v[i].len, "page")))
				lp->chunked = 1;
		lp->in_transaction = it->parent_call >= 0 &&
				     strstr(ol->calls[it->parent_call].callee, "$transaction") != NULL;
	}
	if (lp->vars[0] && (query_ts_has_ci(lp->vars, strlen(lp->vars), "chunk") ||
			    query_ts_has_ci(lp->vars, strlen(lp->vars), "batch")))
		lp->chunked = 1;
	return loop;
}

int query_ts_has_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;
	for (i = 0; i + k <= n; i++)
		if (!strncasecmp(s + i, needle, k))
			return 1;
	return 0;
}

int query_ts_uses_element(const struct py_outline *ol, const struct query_ts_loop *lp, uint32_t b, uint32_t e)
{
	const struct py_toks *t = ol->toks;
	uint32_t i;
	if (!lp->vars[0])
		return 0;
	for (i = b; i < e && i < t->n; i++)
		if (t->v[i].kind == PT_NAME && !(i > 0 && py_tok_is(t, i - 1, ".")) &&
		    word_in(lp->vars, py_tok_text(t, i), t->v[i].len))
			return 1;
	return 0;
}

static int path_runs_once(const char *path)
{
	return !strncmp(path, "scripts/", 8) || strstr(path, "/scripts/") || !strncmp(path, "bin/", 4) ||
	       !strncmp(path, "cmd/", 4) || !strncmp(path, "tools/", 6) || strstr(path, "seed");
}

enum severity query_ts_severity(struct check_ctx *cx, int f, enum severity dflt)
{
	const struct py_outline *ol = cx->ol;
	int d;
	if (f < 0 || path_runs_once(cx->path))
		return SEV_LOW;
	for (d = f; d >= 0; d = py_outline_enclosing(ol, ol->blocks[d].parent, PB_MASK(PB_DEF), 1)) {
		if (ol->blocks[d].handler)
			return SEV_HIGH;
		if (ol->blocks[d].parent < 0)
			break;
	}
	if (js_def_is_job(ol, f))
		return SEV_MEDIUM;
	return dflt;
}

const char *query_ts_where(struct check_ctx *cx, int f)
{
	const struct py_outline *ol = cx->ol;
	int d;
	for (d = f; d >= 0; d = py_outline_enclosing(ol, ol->blocks[d].parent, PB_MASK(PB_DEF), 1)) {
		if (ol->blocks[d].handler)
			return "a request handler";
		if (ol->blocks[d].parent < 0)
			break;
	}
	if (f >= 0 && js_def_is_job(ol, f))
		return "a background job";
	return "this function";
}

int query_ts_load(struct check_ctx *cx, const char *rel, struct srcfile *sf)
{
	const char *root = json_string_value(json_object_get(cx->context, "codebase_root"));
	char full[4096];
	if (!root || snprintf(full, sizeof(full), "%s/%s", root, rel) >= (int)sizeof(full))
		return -1;
	return srcfile_load(sf, full, 0, NULL, NULL) == SRC_OK ? 0 : -1;
}

/* 1 when "lazy: true" occurs in [b, e). */
static int lazy_between(const char *b, const char *e)
{
	for (; b + 10 <= e; b++)
		if (!strncmp(b, "lazy: true", 10))
			return 1;
	return 0;
}

int query_ts_lazy_relation(struct check_ctx *cx, const char *prop, size_t n)
{
	const json_t *f;
	size_t k;
	char name[64];
	if (n == 0 || n >= sizeof(name))
		return 0;
	memcpy(name, prop, n);
	name[n] = 0;
	json_array_foreach(json_object_get(cx->context, "files"), k, f) {
		const char *rel = json_string_value(json_object_get(f, "path"));
		const char *role = json_string_value(json_object_get(f, "role"));
		struct srcfile sf;
		const char *p;
		int hit = 0;
		if (!rel || !role || strcmp(role, "source") || auditor_lang_of(rel, NULL) != LANG_TS)
			continue;
		if (query_ts_load(cx, rel, &sf))
			continue;
		/* in an entity: "name: Promise<...>" (lazy by its type), or a
		 * relation decorator with lazy: true just before the property */
		for (p = strstr(sf.text, "@Entity") ? sf.text : NULL; p && !hit && (p = strstr(p, name)) != NULL; p += n) {
			const char *q = p + n;
			if ((p > sf.text && (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '.')) ||
			    isalnum((unsigned char)*q) || *q == '_')
				continue;
			if (*q == '!' || *q == '?')
				q++;
			if (*q != ':')
				continue;
			for (q++; *q == ' '; q++)
				;
			if (!strncmp(q, "Promise<", 8))
				hit = 1;
			else {
				/* the decorator on the line above the property */
				const char *ls = p, *pls;
				while (ls > sf.text && ls[-1] != '\n')
					ls--;
				pls = ls > sf.text ? ls - 1 : ls;
				while (pls > sf.text && pls[-1] != '\n')
					pls--;
				hit = lazy_between(pls, ls);
			}
		}
		srcfile_free(&sf);
		if (hit)
			return 1;
	}
	return 0;
}

void query_ts_derive(const struct py_outline *ol, struct query_ts_loop *lp, uint32_t upto)
{
	const struct py_toks *t = ol->toks;
	const struct py_block *b;
	uint32_t i;
	if (lp->block < 0 || !lp->vars[0])
		return;
	b = &ol->blocks[lp->block];
	for (i = b->body_begin + 2; i < upto && i < b->body_end; i++) {
		int st;
		size_t used, n;
		if (!py_tok_is(t, i, "=") || t->v[i - 1].kind != PT_NAME ||
		    !(py_tok_is(t, i - 2, "const") || py_tok_is(t, i - 2, "let") || py_tok_is(t, i - 2, "var")))
			continue;
		st = py_outline_stmt_of_tok(ol, i);
		if (st < 0 || !query_ts_uses_element(ol, lp, i + 1, ol->stmts[st].tok_end))
			continue;
		used = strlen(lp->vars);
		n = t->v[i - 1].len;
		if (used + n + 2 >= sizeof(lp->vars))
			return;
		lp->vars[used++] = ' ';
		memcpy(lp->vars + used, py_tok_text(t, i - 1), n);
		lp->vars[used + n] = 0;
	}
}
