/*
 * wrong_caching_scope, TypeScript/JavaScript
 *
 * What it does: reports a class that caches the result of a database
 * query on its instance -- a method checks a field (if (this.loaded)
 * return, if (this.byCode.size === 0), this.cache.has(k), this.x ??= ...)
 * and fills it from a query (this.x = rows, this.cache.set(k, v),
 * this.loaded = true) -- when the class lives for one request: a NestJS
 * provider with @Injectable({ scope: Scope.REQUEST | Scope.TRANSIENT }),
 * one that injects REQUEST, or one that injects such a provider (Nest
 * makes it request-scoped too), or a class built with new X(...) inside
 * an Express/Fastify route callback or a controller method (the project
 * index, lib/jsindex.h).  The cache starts empty with every instance: the
 * query runs on every request anyway.
 *
 * Severity: HIGH when the cached query joins or aggregates (groupBy,
 * aggregate, count, include/relations, SQL JOIN/GROUP BY/COUNT/SUM/AVG,
 * query builder joins), MEDIUM otherwise.
 *
 * Not reported: default (singleton) providers and instances built at
 * module level or when a plugin or router is set up, instances kept
 * beyond the request (this.x = new X, a module variable, x ??= new X), a
 * per-request memo of one row looked up by key (findUnique, findFirst,
 * findOne*, knex first(), SQL id = $n or LIMIT 1: the current user or
 * tenant), and
 * DataLoader-style classes (per-request batching by design).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "jsdb.h"
#include "jsindex.h"
#include "js/js.h"

#define MAX_SITES 4

struct fill {
	unsigned line;      /* the line filling the cache */
	char attr[64];      /* the cache field */
	int agg;
};

static int is_this_field(const struct py_toks *t, uint32_t i)
{
	return py_tok_is(t, i, "this") && py_tok_is(t, i + 1, ".") && i + 2 < t->n && t->v[i + 2].kind == PT_NAME;
}

static int is_assign(const struct py_toks *t, uint32_t i)
{
	return py_tok_is(t, i, "=") || py_tok_is(t, i, "?\?=") || py_tok_is(t, i, "||=");
}

/* 1 when the query of q (outermost call ci) joins or aggregates. */
static int joins_or_aggregates(const struct py_outline *ol, int ci, const struct jsdb_q *q)
{
	const struct py_toks *t = ol->toks;
	const struct py_call *c = &ol->calls[ci];
	uint32_t i;
	if (q->eager)
		return 1;
	if (q->method && (!strcmp(q->method, "groupBy") || !strcmp(q->method, "aggregate") ||
			  !strcmp(q->method, "count") || !strcmp(q->method, "countBy") || !strcmp(q->method, "sum") ||
			  !strcmp(q->method, "average")))
		return 1;
	for (i = c->name_begin; i <= c->rparen && i < t->n; i++) {
		if (t->v[i].kind == PT_STRING) {
			const char *s = py_tok_text(t, i);
			size_t n = t->v[i].len, k;
			static const char *const words[] = { " join ", "group by", "count(", "sum(", "avg(", "min(",
							     "max(", NULL };
			for (k = 0; k + 4 < n; k++) {
				size_t w;
				for (w = 0; words[w]; w++)
					if (!strncasecmp(s + k, words[w], strlen(words[w])) ||
					    (words[w][0] == ' ' && isspace((unsigned char)s[k]) &&
					     !strncasecmp(s + k + 1, "join", 4) && isspace((unsigned char)s[k + 5])))
						return 1;
			}
		} else if (t->v[i].kind == PT_NAME && (!strncmp(py_tok_text(t, i), "leftJoin", 8) ||
						       !strncmp(py_tok_text(t, i), "innerJoin", 9) ||
						       py_tok_is(t, i, "groupBy") || py_tok_is(t, i, "join") ||
						       py_tok_is(t, i, "_count") || py_tok_is(t, i, "_sum") ||
						       py_tok_is(t, i, "_avg")))
			return 1;
	}
	return 0;
}

/* 1 when read q loads one row by its key (a per-request memo of it is the intended scope). */
static int by_key(const struct py_outline *ol, const struct jsdb_q *q)
{
	const struct py_toks *t = ol->toks;
	uint32_t i;
	if (q->method && (!strncmp(q->method, "findUnique", 10) || !strncmp(q->method, "findFirst", 9) ||
			  !strncmp(q->method, "findOne", 7) || !strcmp(q->method, "getOne") ||
			  !strcmp(q->method, "getOneOrFail") || !strcmp(q->method, "first")))
		return 1;
	for (i = q->arg_begin; i < q->arg_end && i < t->n; i++)
		if (t->v[i].kind == PT_STRING) {
			const char *s = py_tok_text(t, i);
			size_t n = t->v[i].len, k;
			for (k = 0; k + 6 < n; k++)
				if ((!strncasecmp(s + k, "id = $", 6) && (k == 0 || !isalnum((unsigned char)s[k - 1]))) ||
				    !strncasecmp(s + k, "limit 1", 7))
					return 1;
		}
	return 0;
}

static int tok_eq(const struct py_toks *t, uint32_t i, const char *s)
{
	return t->v[i].len == strlen(s) && !strncmp(py_tok_text(t, i), s, t->v[i].len);
}

/* 1 when this.<name of token g> = ... occurs in tokens [from, end). */
static int flag_set_after(const struct py_toks *t, struct py_tok g, uint32_t from, uint32_t end)
{
	uint32_t i;
	for (i = from; i + 3 < end; i++)
		if (is_this_field(t, i) && t->v[i + 2].len == g.len &&
		    !strncmp(py_tok_text(t, i + 2), t->src + g.off, g.len) && py_tok_is(t, i + 3, "="))
			return 1;
	return 0;
}

/* The first cache fill in method m of the class: a query, a guard on a
 * field before it, and a write of a field at or after it. */
static int find_fill(const struct py_outline *ol, const struct jsdb *db, int m, struct fill *f)
{
	const struct py_toks *t = ol->toks;
	const struct py_block *d = &ol->blocks[m];
	size_t ci, lo = 0, hi = ol->ncalls;
	/* calls are in token order: the first one in the body */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ol->calls[mid].lparen < d->body_begin)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (ci = lo; ci < ol->ncalls && ol->calls[ci].lparen < d->body_end; ci++) {
		const struct py_call *c = &ol->calls[ci];
		struct jsdb_q q;
		uint32_t i, guard = 0;
		int fd;
		memset(&q, 0, sizeof(q));
		q.op_call = -1;
		if (jsdb_query(db, (int)ci, &q) != JSOP_READ || by_key(ol, &q))
			continue;
		/* inside the method itself or a callback of it, not a nested class */
		for (fd = c->func; fd >= 0 && fd != m; fd = py_outline_enclosing(ol, ol->blocks[fd].parent, PB_MASK(PB_DEF), 1))
			if (ol->blocks[fd].parent >= 0 && ol->blocks[ol->blocks[fd].parent].kind == PB_CLASS)
				break;
		if (fd != m)
			continue;
		/* the write: this.x = ..., this.x.set/add/push(...), this.x[k] = ..., this.x ??= ... */
		for (i = c->stmt >= 0 ? ol->stmts[c->stmt].tok_begin : c->name_begin; i + 3 < d->body_end; i++) {
			uint32_t s;
			if (!is_this_field(t, i) || i < d->body_begin)
				continue;
			s = i + 3;
			if ((is_assign(t, s) && (i > c->name_begin || py_outline_stmt_of_tok(ol, i) == c->stmt)) ||
			    (i > c->name_begin && py_tok_is(t, s, ".") &&
			     (py_tok_is(t, s + 1, "set") || py_tok_is(t, s + 1, "add") || py_tok_is(t, s + 1, "push")) &&
			     py_tok_is(t, s + 2, "(")) ||
			    (i > c->name_begin && py_tok_is(t, s, "[")))
				break;
		}
		if (i + 3 >= d->body_end)
			continue;
		snprintf(f->attr, sizeof(f->attr), "%.*s", (int)t->v[i + 2].len, py_tok_text(t, i + 2));
		f->line = t->v[i].line;
		if (py_tok_is(t, i + 3, "?\?=") || py_tok_is(t, i + 3, "||="))
			guard = 1;
		/* the guard: this.<field> read in an if header or through has/get/size before the
		 * query, the field being the cache itself or a flag the method sets after the query */
		for (i = d->body_begin; !guard && i + 3 < c->name_begin; i++) {
			int st;
			if (!is_this_field(t, i) || !(tok_eq(t, i + 2, f->attr) || flag_set_after(t, t->v[i + 2], c->name_begin,
												  d->body_end)))
				continue;
			if (py_tok_is(t, i + 3, ".") && (py_tok_is(t, i + 4, "has") || py_tok_is(t, i + 4, "get") ||
							 py_tok_is(t, i + 4, "size") || py_tok_is(t, i + 4, "length")))
				guard = 1;
			st = py_outline_stmt_of_tok(ol, i);
			if (st >= 0 && ol->stmts[st].opens >= 0 && ol->blocks[ol->stmts[st].opens].kind == PB_IF)
				guard = 1;
			if (st >= 0 && py_tok_is(t, ol->stmts[st].tok_begin, "if"))
				guard = 1;
		}
		if (!guard)
			continue;
		f->agg = joins_or_aggregates(ol, (int)ci, &q);
		return 1;
	}
	return 0;
}

void check_wrong_caching_scope_ts(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct js_index *ix = check_js_index(cx);
	struct jsdb *db;
	size_t k;
	char ne[512];
	if (!ix)
		return;
	db = jsdb_new(ol);
	if (!db)
		return;
	js_index_noext(cx->path, ne, sizeof(ne));
	for (k = 0; k < ol->nblocks; k++) {
		const struct py_block *b = &ol->blocks[k];
		const struct js_class *jc;
		const struct js_new *sites[MAX_SITES];
		size_t ns = 0, m;
		struct fill f;
		int found = 0;
		char site[700], issue[1500], rec[900];
		if (b->kind != PB_CLASS || !b->name || strstr(b->name, "Loader") || (b->bases && strstr(b->bases, "Loader")))
			continue;
		jc = js_index_class(ix, b->name, ne);
		if (!jc || jc->entity)
			continue;
		if (jc->scope == JS_SCOPE_DEFAULT)
			ns = js_index_news(ix, b->name, cx->path, sites, MAX_SITES);
		if (jc->scope == JS_SCOPE_DEFAULT && !ns)
			continue;
		memset(&f, 0, sizeof(f));
		for (m = k + 1; m < ol->nblocks && ol->blocks[m].line <= b->end_line && !found; m++)
			if (ol->blocks[m].kind == PB_DEF && ol->blocks[m].parent == (int)k && ol->blocks[m].name &&
			    strcmp(ol->blocks[m].name, "constructor"))
				found = find_fill(ol, db, (int)m, &f);
		if (!found)
			continue;
		switch (jc->scope) {
		case JS_SCOPE_REQUEST:
			snprintf(site, sizeof(site),
				 "it is a request-scoped provider (@Injectable({ scope: Scope.REQUEST })): Nest builds a new "
				 "%s for every request", b->name);
			break;
		case JS_SCOPE_TRANSIENT:
			snprintf(site, sizeof(site),
				 "it is a transient provider (Scope.TRANSIENT): Nest builds a new %s for every consumer, "
				 "and per request under a request-scoped one", b->name);
			break;
		case JS_SCOPE_INJECTS_REQUEST:
			snprintf(site, sizeof(site),
				 "it injects REQUEST, which makes it request-scoped: Nest builds a new %s for every request",
				 b->name);
			break;
		case JS_SCOPE_BUBBLED:
			snprintf(site, sizeof(site),
				 "it injects the request-scoped %s, which makes it request-scoped too: Nest builds a new %s "
				 "for every request", jc->via ? jc->via : "provider", b->name);
			break;
		default:
			snprintf(site, sizeof(site), "the request handler %s%sat %s:%u builds a new %s each time it runs%s",
				 sites[0]->fn ? sites[0]->fn : "", sites[0]->fn ? "() " : "", sites[0]->path, sites[0]->line,
				 b->name, ns > 1 ? " (and other handlers do too)" : "");
			break;
		}
		snprintf(issue, sizeof(issue),
			 "%s caches the result of a database query%s in this.%s, but %s: the cache starts empty with "
			 "every instance, so the query runs on every request anyway",
			 b->name, f.agg ? " that joins or aggregates" : "", f.attr, site);
		if (jc->scope == JS_SCOPE_DEFAULT)
			snprintf(rec, sizeof(rec),
				 "Create one %s at module level (or at startup) and use it from every request, or keep the "
				 "cache in a module-level Map; give it a time-to-live if the rows can change", b->name);
		else
			snprintf(rec, sizeof(rec),
				 "Move the cache to a default-scoped (singleton) provider that takes the request's values "
				 "(tenant, user) as method arguments and keys the cache by them, with a time-to-live if the "
				 "rows can change; inject that provider into %s", b->name);
		check_report(cx, b->line, f.line, f.agg ? SEV_HIGH : SEV_MEDIUM, issue, rec);
	}
	jsdb_free(db);
}
