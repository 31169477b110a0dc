/*
 * wrong_caching_scope
 *
 * What it does: reports a class that caches the result of a database
 * query on its instance -- a self attribute checked and then filled
 * (if self._counts is None: self._counts = <query>; if key in
 * self._memo: ... self._memo[key] = <query>; a self._loaded flag), or a
 * method decorated with lru_cache/cache/cached_property/cachedmethod --
 * when the project creates that class for every request: Depends(Cls),
 * x: Cls = Depends(), Cls(...) inside a request handler or inside a
 * Depends provider that is not itself cached (lib/pyindex.c).
 *
 * Why it matters: the instance dies with the request, so the cache starts
 * empty every time: the query still runs on every request, and the cache
 * only adds code (and, with lru_cache on a method, keeps every instance
 * and its session alive).
 *
 * Example:
 *     class GenreStats:
 *         def __init__(self, session: AsyncSession = Depends(get_session)):
 *             self.session = session
 *             self._counts = None
 *         async def counts(self):
 *             if self._counts is None:
 *                 self._counts = ...  # select ... join ... group_by
 *     @router.get("/popular-genres")
 *     async def popular_genres(stats: GenreStats = Depends()): ...
 *
 * Use instead: a module-level TTL cache keyed by the query's parameters,
 * data loaded once at startup (app.state), or a singleton from an
 * lru_cache'd provider that takes the session per call.
 *
 * Severity: HIGH when the cached query joins or aggregates (join,
 * group_by, func.count/sum/avg/min/max), MEDIUM otherwise.
 *
 * Not reported: classes created at module level, at startup, in a cached
 * provider or stored in a global or app.state; caches kept on the class
 * itself (a class-level dict mutated through self); a memo of one row
 * looked up by key (session.get, .first() after ==): a per-request
 * memo of the current user is the intended scope; DataLoader-style
 * classes (per-request batching by design); ORM models.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "pydb.h"
#include "pyfacts.h"
#include "pyindex.h"
#include "srcfile.h"

#define MAX_SITES 8
#define MAX_HDR 4
#define MAX_METHODS 128

struct fill {
	int method;                /* the def that fills the cache */
	unsigned line, end_line;   /* the check (or decorator) .. the fill */
	char attr[64];             /* the cache attribute, or the cached method's name */
	uint8_t decorated;         /* a caching decorator on the method */
	char deco[32];             /* its name, for the message */
	char key[64];              /* what the query depends on besides the session, or "" */
	int agg;                   /* the query joins or aggregates */
};

struct cls_ctx {
	struct check_ctx *cx;
	const struct py_binds *b;
	const struct py_outline *ol;
	const struct py_toks *t;
	int cls;
	int methods[MAX_METHODS];
	int nmethods;
};

static int in_list(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == n && !strncmp(s, *list, n))
			return 1;
	return 0;
}

/* 1 when tokens [b,e) join or aggregate: join/outerjoin/group_by calls,
 * func.count/sum/avg/min/max, Django Count/Sum/annotate/aggregate, or SQL
 * text with JOIN, GROUP BY or an aggregate function. */
static int joins_or_aggregates(const struct py_toks *t, uint32_t b, uint32_t e)
{
	static const char *const calls[] = { "join", "outerjoin", "join_from", "group_by", "annotate", "aggregate",
					     "Count", "Sum", "Avg", "Max", "Min", NULL };
	static const char *const aggs[] = { "count", "sum", "avg", "min", "max", "array_agg", "string_agg", NULL };
	static const char *const sql[] = { " JOIN ", "GROUP BY", "COUNT(", "SUM(", "AVG(", NULL };
	uint32_t k;
	for (k = b; k < e && k < t->n; k++) {
		const char *s = py_tok_text(t, k);
		size_t l = t->v[k].len;
		int i;
		if (t->v[k].kind == PT_NAME && k + 1 < e && py_tok_is(t, k + 1, "(") && in_list(s, l, calls))
			return 1;
		if (t->v[k].kind == PT_NAME && k >= 2 && py_tok_is(t, k - 1, ".") && py_tok_is(t, k - 2, "func") &&
		    in_list(s, l, aggs))
			return 1;
		if (t->v[k].kind != PT_STRING)
			continue;
		for (i = 0; sql[i]; i++) {
			size_t wl = strlen(sql[i]), j;
			for (j = 0; j + wl <= l; j++)
				if (!strncasecmp(s + j, sql[i], wl))
					return 1;
		}
	}
	return 0;
}

/* 1 when def m of the class is a method that has a self (not a
 * staticmethod or classmethod). */
static int instance_method(const struct py_block *m)
{
	unsigned i;
	for (i = 0; i < m->ndecorators; i++)
		if (strstr(m->decorators[i], "staticmethod") || strstr(m->decorators[i], "classmethod"))
			return 0;
	return m->nparams > 0 && !strcmp(m->params[0], "self");
}

/* The first database read call of def m in tokens [b,e), or -1. */
static int direct_read(const struct cls_ctx *cc, int m, uint32_t b, uint32_t e)
{
	const struct py_outline *ol = cc->ol;
	size_t ci;
	for (ci = py_first_call_from(ol, b); ci < ol->ncalls && ol->calls[ci].lparen < e; ci++) {
		struct py_dbop_info info;
		int f = ol->calls[ci].func;
		if (ol->calls[ci].is_ref || (f != m && py_outline_enclosing(ol, ol->blocks[f >= 0 ? f : 0].parent,
									     PB_MASK(PB_DEF), 1) != m))
			continue;
		if (py_call_dbop(cc->b, ci, &info) == DBOP_READ)
			return (int)ci;
	}
	return -1;
}

/* The method of the class named name[0..n), or -1. */
static int method_named(const struct cls_ctx *cc, const char *name, size_t n)
{
	int i;
	for (i = 0; i < cc->nmethods; i++) {
		const char *mn = cc->ol->blocks[cc->methods[i]].name;
		if (strlen(mn) == n && !strncmp(mn, name, n))
			return cc->methods[i];
	}
	return -1;
}

/* The database read in tokens [b,e) of method m: a direct one, or a call
 * of another method of the class that reads (self._load()).  Returns the
 * call index and sets *via to the def that holds the read and *stmt to
 * the statement of m that makes it. */
static int find_read(const struct cls_ctx *cc, int m, uint32_t b, uint32_t e, int *via, int *stmt)
{
	const struct py_outline *ol = cc->ol;
	size_t ci;
	int r = direct_read(cc, m, b, e);
	*via = m;
	if (r >= 0) {
		*stmt = ol->calls[r].stmt;
		return r;
	}
	for (ci = py_first_call_from(ol, b); ci < ol->ncalls && ol->calls[ci].lparen < e; ci++) {
		const struct py_call *c = &ol->calls[ci];
		int h;
		if (c->is_ref || strncmp(c->callee, "self.", 5) || strchr(c->callee + 5, '.'))
			continue;
		h = method_named(cc, c->callee + 5, strlen(c->callee + 5));
		if (h < 0 || h == m)
			continue;
		r = direct_read(cc, h, ol->blocks[h].body_begin, ol->blocks[h].body_end);
		if (r >= 0) {
			*via = h;
			*stmt = c->stmt;
			return r;
		}
	}
	return -1;
}

/* 1 when read call ci fetches one row by key: session.get(M, k),
 * query.get(k), or a statement with == / filter_by that ends in first(),
 * one(), scalar_one()...: a per-request memo of that row is the intended
 * scope. */
static int one_row_by_key(const struct cls_ctx *cc, size_t ci)
{
	static const char *const one[] = { "first", "one", "one_or_none", "scalar_one", "scalar_one_or_none",
					   "scalar", "fetchrow", "fetch_one", "get_or_404", "first_or_404", NULL };
	const struct py_outline *ol = cc->ol;
	const struct py_toks *t = cc->t;
	const struct py_call *c = &ol->calls[ci];
	const struct py_stmt *st = &ol->stmts[c->stmt];
	uint32_t k, vb, ve;
	int single = 0, keyed = 0, pass;
	if (!strcmp(c->name, "get") || !strcmp(c->name, "get_one"))
		return 1;
	for (pass = 0; pass < 2; pass++) {
		uint32_t b = st->tok_begin, e = st->tok_end;
		if (pass == 1) {
			/* the statement named by the call's argument: stmt = select(...).where(...) */
			char name[64];
			if (c->rparen != c->lparen + 2 || t->v[c->lparen + 1].kind != PT_NAME ||
			    t->v[c->lparen + 1].len >= sizeof(name))
				break;
			snprintf(name, sizeof(name), "%.*s", (int)t->v[c->lparen + 1].len,
				 py_tok_text(t, c->lparen + 1));
			if (!py_last_assign(ol, c->func, name, c->lparen, &vb, &ve))
				break;
			b = vb;
			e = ve;
		}
		for (k = b; k < e; k++) {
			if (t->v[k].kind == PT_NAME && k + 1 < e && py_tok_is(t, k + 1, "(") &&
			    in_list(py_tok_text(t, k), t->v[k].len, one))
				single = 1;
			if (py_tok_is(t, k, "==") || py_tok_is(t, k, "filter_by"))
				keyed = 1;
		}
	}
	return single && keyed;
}

/* Names X of "self.X" in tokens [b,e) that are attributes, not method
 * calls (self.X.get(...) is a lookup in X); up to max in out. */
static int self_attrs(const struct py_toks *t, uint32_t b, uint32_t e, uint32_t *out, int max)
{
	uint32_t k;
	int n = 0;
	for (k = b; k + 2 < e && n < max; k++) {
		if (!py_tok_is(t, k, "self") || !py_tok_is(t, k + 1, ".") || t->v[k + 2].kind != PT_NAME ||
		    (k > 0 && py_tok_is(t, k - 1, ".")))
			continue;
		if (k + 3 < e && py_tok_is(t, k + 3, "("))
			continue;
		out[n++] = k + 2;
	}
	return n;
}

/* The self attribute statement s writes among the names at hdr[0..n):
 * self.X = ..., self.X[k] = ..., self.X.update/setdefault/add(...).
 * Returns its index, -1 if none; *mutates tells a write into X's value
 * from a rebinding of X. */
static int writes_attr(const struct cls_ctx *cc, int s, const uint32_t *hdr, int n, int *mutates)
{
	static const char *const mutators[] = { "update", "setdefault", "add", "extend", "append", "__setitem__",
						NULL };
	const struct py_toks *t = cc->t;
	const struct py_stmt *st = &cc->ol->stmts[s];
	uint32_t b = st->tok_begin;
	struct py_assign a;
	int i;
	if (st->opens >= 0 || b + 3 >= st->tok_end || !py_tok_is(t, b, "self") || !py_tok_is(t, b + 1, "."))
		return -1;
	for (i = 0; i < n; i++) {
		if (t->v[b + 2].len != t->v[hdr[i]].len ||
		    strncmp(py_tok_text(t, b + 2), py_tok_text(t, hdr[i]), t->v[b + 2].len))
			continue;
		if (py_stmt_assign(cc->ol, s, &a) && py_tok_is(t, a.op, "=")) {
			*mutates = a.target_end != b + 3;
			return i;
		}
		if (py_tok_is(t, b + 3, ".") && b + 5 < st->tok_end && py_tok_is(t, b + 5, "(") &&
		    in_list(py_tok_text(t, b + 4), t->v[b + 4].len, mutators)) {
			*mutates = 1;
			return i;
		}
	}
	return -1;
}

/* 1 when the class body declares attribute name (a class-level value that
 * self.name[...] = ... mutates for every instance). */
static int class_level(const struct cls_ctx *cc, const struct py_toks *t, uint32_t name)
{
	const struct py_outline *ol = cc->ol;
	const struct py_block *c = &ol->blocks[cc->cls];
	int s = py_outline_stmt_of_tok(ol, c->body_begin);
	for (; s >= 0 && (size_t)s < ol->nstmts && ol->stmts[s].tok_begin < c->body_end; s++) {
		uint32_t b = ol->stmts[s].tok_begin;
		if (ol->stmts[s].block != cc->cls || ol->stmts[s].opens >= 0)
			continue;
		if (t->v[b].len == t->v[name].len && !strncmp(py_tok_text(t, b), py_tok_text(t, name), t->v[b].len) &&
		    b + 1 < ol->stmts[s].tok_end && (py_tok_is(t, b + 1, "=") || py_tok_is(t, b + 1, ":")))
			return 1;
	}
	return 0;
}

/* What the cached query depends on besides the session and the cache:
 * another self attribute (self.room_id) or a parameter of the method. */
static void query_key(const struct cls_ctx *cc, int m, uint32_t b, uint32_t e, const char *cache, char *out,
		      size_t n)
{
	const struct py_toks *t = cc->t;
	const struct py_block *d = &cc->ol->blocks[m];
	uint32_t attrs[16];
	int na = self_attrs(t, b, e, attrs, 16), i;
	unsigned p;
	out[0] = '\0';
	for (i = 0; i < na; i++) {
		char recv[80];
		const char *a = py_tok_text(t, attrs[i]);
		size_t l = t->v[attrs[i]].len;
		snprintf(recv, sizeof(recv), "self.%.*s", (int)l, a);
		if ((strlen(cache) == l && !strncmp(cache, a, l)) || py_recv_is_session(cc->b, m, recv, attrs[i]) ||
		    py_recv_is_repo(cc->b, m, recv, attrs[i]))
			continue;
		snprintf(out, n, "%.*s", (int)l, a);
		return;
	}
	for (p = 1; p < d->nparams; p++) {
		uint32_t k;
		size_t l = strlen(d->params[p]);
		for (k = b; k < e; k++)
			if (t->v[k].kind == PT_NAME && t->v[k].len == l && !strncmp(py_tok_text(t, k), d->params[p], l) &&
			    !(k > 0 && py_tok_is(t, k - 1, "."))) {
				/* the session the query runs on is not a key */
				if (py_recv_is_session(cc->b, m, d->params[p], k) || py_recv_is_repo(cc->b, m, d->params[p], k))
					break;
				snprintf(out, n, "%s", d->params[p]);
				return;
			}
	}
}

/* A caching decorator of def m ("lru_cache", "cached_property"...), or NULL. */
static const char *cache_decorator(const struct py_block *m)
{
	static const char *const subs[] = { "lru_cache", "cached_property", "cachedmethod", "alru_cache", NULL };
	unsigned i;
	int k;
	for (i = 0; i < m->ndecorators; i++) {
		const char *d = m->decorators[i], *last = strrchr(d, '.');
		last = last ? last + 1 : d;
		for (k = 0; subs[k]; k++)
			if (strstr(d, subs[k]))
				return subs[k];
		if (!strcmp(last, "cache") || !strcmp(last, "cached") || !strncmp(last, "cached(", 7))
			return !strcmp(last, "cache") ? "cache" : "cached";
	}
	return NULL;
}

/* Fills f from read call ci (held by def via) of method m whose cache is
 * filled before token e; 0 when the read is a memo of one row. */
static int fill_from(const struct cls_ctx *cc, int m, int via, int ci, uint32_t e, struct fill *f)
{
	const struct py_outline *ol = cc->ol;
	f->method = m;
	f->agg = joins_or_aggregates(cc->t, ol->blocks[m].body_begin, e) ||
		 (via != m && joins_or_aggregates(cc->t, ol->blocks[via].body_begin, ol->blocks[via].body_end));
	if (!f->agg && one_row_by_key(cc, (size_t)ci))
		return 0;
	query_key(cc, m, ol->blocks[m].body_begin, e, f->attr, f->key, sizeof(f->key));
	if (!f->key[0] && via != m)
		query_key(cc, via, ol->blocks[via].body_begin, ol->blocks[via].body_end, f->attr, f->key,
			  sizeof(f->key));
	return 1;
}

/* 1 when the return statement at token k returns (from) one of the self
 * attributes at hdr[0..n): return self._memo[key]. */
static int returns_attr(const struct cls_ctx *cc, uint32_t k, const uint32_t *hdr, int n)
{
	const struct py_toks *t = cc->t;
	int s = py_outline_stmt_of_tok(cc->ol, k), i;
	uint32_t j;
	for (j = k + 1; s >= 0 && j + 2 < cc->ol->stmts[s].tok_end; j++) {
		if (!py_tok_is(t, j, "self") || !py_tok_is(t, j + 1, "."))
			continue;
		for (i = 0; i < n; i++)
			if (t->v[j + 2].len == t->v[hdr[i]].len &&
			    !strncmp(py_tok_text(t, j + 2), py_tok_text(t, hdr[i]), t->v[j + 2].len))
				return 1;
	}
	return 0;
}

/* 1 when assignment statement s assigns a literal (True, None, 1). */
static int literal_value(const struct cls_ctx *cc, int s)
{
	const struct py_toks *t = cc->t;
	struct py_assign a;
	if (!py_stmt_assign(cc->ol, s, &a) || a.value_end != a.value_begin + 1)
		return 0;
	return t->v[a.value_begin].kind == PT_NUMBER || py_tok_is(t, a.value_begin, "True") ||
	       py_tok_is(t, a.value_begin, "False") || py_tok_is(t, a.value_begin, "None");
}

/* 1 when statements [from, to) store a value that is not a literal in a
 * self attribute (the data a loaded flag goes with). */
static int stores_data(const struct cls_ctx *cc, int from, int to)
{
	const struct py_toks *t = cc->t;
	int s;
	for (s = from; s < to; s++) {
		uint32_t b = cc->ol->stmts[s].tok_begin;
		struct py_assign a;
		if (py_tok_is(t, b, "self") && py_tok_is(t, b + 1, ".") && py_stmt_assign(cc->ol, s, &a) &&
		    !literal_value(cc, s))
			return 1;
	}
	return 0;
}

/* A cache filled by a query in method m, checked in if-block i. */
static int checked_fill(const struct cls_ctx *cc, int m, int i, struct fill *f)
{
	const struct py_outline *ol = cc->ol;
	const struct py_toks *t = cc->t;
	const struct py_block *ib = &ol->blocks[i], *d = &ol->blocks[m];
	uint32_t hdr[MAX_HDR], from, to, k;
	int n = self_attrs(t, ib->hdr_begin, ib->hdr_end, hdr, MAX_HDR), ci, via, s, rs = 0, early = 0;
	if (!n)
		return 0;
	for (k = ib->body_begin; k < ib->body_end && !early; k++)
		if (py_tok_is(t, k, "return") && ol->blocks[ol->stmts[py_outline_stmt_of_tok(ol, k)].block].func == m)
			early = returns_attr(cc, k, hdr, n) ? 1 : -1;
	if (early < 0)
		return 0; /* a guard (if self.done: return), not a cache */
	/* filled in the body, or after an early return (if key in self._memo: return ...) */
	from = early ? ib->body_end : ib->body_begin;
	to = early ? d->body_end : ib->body_end;
	ci = find_read(cc, m, from, to, &via, &rs);
	if (ci < 0)
		return 0;
	for (s = rs; s >= 0 && (size_t)s < ol->nstmts && ol->stmts[s].tok_begin < to; s++) {
		int mut = 0, w = writes_attr(cc, s, hdr, n, &mut);
		if (w < 0)
			continue;
		if (!mut && literal_value(cc, s) && !stores_data(cc, rs, s))
			return 0; /* a "done" flag with no data kept: a guard, not a cache */
		if (mut && class_level(cc, t, hdr[w]))
			return 0; /* a dict on the class: shared by every instance */
		snprintf(f->attr, sizeof(f->attr), "%.*s", (int)t->v[hdr[w]].len, py_tok_text(t, hdr[w]));
		f->line = ib->line;
		f->end_line = ol->stmts[s].end_line;
		return fill_from(cc, m, via, ci, ol->stmts[s].tok_end, f);
	}
	return 0;
}

/* The cache of the class (the first, or the first that aggregates). */
static int find_fill(struct cls_ctx *cc, struct fill *best)
{
	const struct py_outline *ol = cc->ol;
	const struct py_block *c = &ol->blocks[cc->cls];
	size_t i;
	int found = 0, k;
	cc->nmethods = 0;
	for (i = (size_t)cc->cls + 1; i < ol->nblocks && ol->blocks[i].hdr_begin < c->body_end; i++)
		if (ol->blocks[i].kind == PB_DEF && ol->blocks[i].parent == cc->cls && cc->nmethods < MAX_METHODS)
			cc->methods[cc->nmethods++] = (int)i;
	for (k = 0; k < cc->nmethods && !(found && best->agg); k++) {
		int m = cc->methods[k];
		const struct py_block *d = &ol->blocks[m];
		const char *deco;
		struct fill f;
		if (!instance_method(d) || !strcmp(d->name, "__init__"))
			continue;
		memset(&f, 0, sizeof(f));
		deco = cache_decorator(d);
		if (deco) {
			int via, rs, ci = find_read(cc, m, d->body_begin, d->body_end, &via, &rs);
			snprintf(f.attr, sizeof(f.attr), "%s", d->name);
			snprintf(f.deco, sizeof(f.deco), "%s", deco);
			f.decorated = 1;
			f.line = d->dec_line;
			f.end_line = ci >= 0 ? ol->calls[ci].end_line : d->line;
			if (ci >= 0 && fill_from(cc, m, via, ci, d->body_end, &f) &&
			    (!found || (f.agg && !best->agg))) {
				*best = f;
				found = 1;
			}
			continue;
		}
		for (i = (size_t)m + 1; i < ol->nblocks && ol->blocks[i].hdr_begin < d->body_end; i++) {
			if ((ol->blocks[i].kind != PB_IF && ol->blocks[i].kind != PB_ELIF) || ol->blocks[i].func != m)
				continue;
			memset(&f, 0, sizeof(f));
			if (checked_fill(cc, m, (int)i, &f) && (!found || (f.agg && !best->agg))) {
				*best = f;
				found = 1;
				break;
			}
		}
	}
	return found;
}

/* ---- where the class is created */

struct other_file {
	struct srcfile sf;
	struct py_toks toks;
	struct py_outline ol;
	int loaded;
};

/* The outline of file path of the project (the current one, or read from
 * codebase_root into of); NULL when unreadable. */
static const struct py_outline *outline_of(struct check_ctx *cx, const char *path, struct other_file *of)
{
	const char *root;
	char full[4096];
	if (!strcmp(path, cx->path))
		return cx->ol;
	if (of->loaded)
		return of->loaded > 0 ? &of->ol : NULL;
	of->loaded = -1;
	root = json_string_value(json_object_get(cx->context, "codebase_root"));
	snprintf(full, sizeof(full), "%s/%s", root ? root : ".", path);
	if (srcfile_load(&of->sf, full, 0, NULL, NULL) != SRC_OK)
		return NULL;
	if (py_tokenize(&of->toks, of->sf.text, of->sf.len) < 0) {
		srcfile_free(&of->sf);
		return NULL;
	}
	if (py_outline_build(&of->ol, &of->toks) < 0) {
		py_toks_free(&of->toks);
		srcfile_free(&of->sf);
		return NULL;
	}
	of->loaded = 1;
	return &of->ol;
}

static void other_free(struct other_file *of)
{
	if (of->loaded > 0) {
		py_outline_free(&of->ol);
		py_toks_free(&of->toks);
		srcfile_free(&of->sf);
	}
	of->loaded = 0;
}

/* 1 when name[0..n) is declared global or nonlocal in def f. */
static int declared_global(const struct py_outline *ol, int f, const char *name, size_t n)
{
	const struct py_toks *t = ol->toks;
	uint32_t k;
	for (k = ol->blocks[f].body_begin; k + 1 < ol->blocks[f].body_end; k++) {
		uint32_t j;
		if (!py_tok_is(t, k, "global") && !py_tok_is(t, k, "nonlocal"))
			continue;
		for (j = k + 1; j < ol->blocks[f].body_end && t->v[j].kind != PT_NEWLINE; j++)
			if (t->v[j].len == n && !strncmp(py_tok_text(t, j), name, n))
				return 1;
	}
	return 0;
}

/* 1 when the instance built at line of file ol outlives the request: it is
 * stored in a global, in app.state / request.app.state, in a module-level
 * container, or handed to setdefault() of one. */
static int stored_for_longer(const struct py_outline *ol, unsigned line)
{
	const struct py_toks *t = ol->toks;
	size_t s;
	for (s = 0; s < ol->nstmts; s++) {
		const struct py_stmt *st = &ol->stmts[s];
		struct py_assign a;
		uint32_t k, vb, ve;
		int f = ol->blocks[st->block].func;
		char first[64];
		if (st->opens >= 0 || st->line > line || st->end_line < line || f < 0)
			continue;
		for (k = st->tok_begin; k + 1 < st->tok_end; k++)
			if (py_tok_is(t, k, "setdefault") && py_tok_is(t, k + 1, "("))
				return 1;
		if (!py_stmt_assign(ol, (int)s, &a) || t->v[a.target_begin].kind != PT_NAME ||
		    t->v[a.target_begin].len >= sizeof(first))
			return 0;
		snprintf(first, sizeof(first), "%.*s", (int)t->v[a.target_begin].len, py_tok_text(t, a.target_begin));
		if (a.target_end == a.target_begin + 1)
			return declared_global(ol, f, first, strlen(first));
		for (k = a.target_begin; k < a.target_end; k++)
			if (py_tok_is(t, k, "state") && k > 0 && py_tok_is(t, k - 1, "."))
				return 1;
		if (!strcmp(first, "self") || !strcmp(first, "cls"))
			return 0;
		/* a container or object that is neither a parameter nor a local */
		{
			const struct py_block *d = &ol->blocks[f];
			unsigned p;
			for (p = 0; p < d->nparams; p++)
				if (!strcmp(d->params[p], first))
					return 0;
			return !py_last_assign(ol, f, first, a.target_begin, &vb, &ve);
		}
	}
	return 0;
}

/* Keeps in sites the per-request creations; returns how many remain. */
static size_t per_request_sites(struct check_ctx *cx, const struct py_inject **sites, size_t n)
{
	size_t i, kept = 0;
	for (i = 0; i < n; i++) {
		struct other_file of;
		const struct py_outline *ol;
		int keep = 1;
		memset(&of, 0, sizeof(of));
		if (sites[i]->via != PIV_DEPENDS && (ol = outline_of(cx, sites[i]->path, &of)))
			keep = !stored_for_longer(ol, sites[i]->line);
		other_free(&of);
		if (keep)
			sites[kept++] = sites[i];
	}
	return kept;
}

/* ---- the finding */

static void describe_site(const struct py_inject *in, const char *cls, char *out, size_t n)
{
	if (in->via == PIV_DEPENDS)
		snprintf(out, n, "Depends(%.63s) in %.63s (%.200s:%u) creates a new %.63s for every request", cls,
			 in->fn, in->path, in->line, cls);
	else if (in->via == PIV_HANDLER)
		snprintf(out, n, "the request handler %.63s builds a new %.63s at %.200s:%u each time it runs", in->fn,
			 cls, in->path, in->line);
	else
		snprintf(out, n, "the dependency provider %.63s builds a new %.63s at %.200s:%u for every request",
			 in->fn, cls, in->path, in->line);
}

/* 1 when the class keeps a database session on its instances (self.session = session). */
static int holds_session(const struct cls_ctx *cc)
{
	const struct py_toks *t = cc->t;
	int i;
	for (i = 0; i < cc->nmethods; i++) {
		const struct py_block *d = &cc->ol->blocks[cc->methods[i]];
		uint32_t k;
		for (k = d->body_begin; k + 2 < d->body_end; k++) {
			char recv[80];
			if (!py_tok_is(t, k, "self") || !py_tok_is(t, k + 1, ".") || t->v[k + 2].kind != PT_NAME ||
			    t->v[k + 2].len > 64)
				continue;
			snprintf(recv, sizeof(recv), "self.%.*s", (int)t->v[k + 2].len, py_tok_text(t, k + 2));
			if (py_recv_is_session(cc->b, cc->methods[i], recv, k))
				return 1;
		}
	}
	return 0;
}

static void report(struct cls_ctx *cc, const struct fill *f, const struct py_inject *const *sites, size_t n)
{
	struct check_ctx *cx = cc->cx;
	const char *cls = cc->ol->blocks[cc->cls].name;
	char site[600], issue[1400], rec[1200], what[200], more[48] = "", keyed[160];
	int fastapi = py_uses_lib(cx->context, &cc->b->im, "fastapi");
	describe_site(sites[0], cls, site, sizeof(site));
	if (n > 1)
		snprintf(more, sizeof(more), " (and %zu more place%s)", n - 1, n > 2 ? "s" : "");
	if (f->decorated)
		snprintf(what, sizeof(what), "@%s on %.63s() (it keys on self, so each instance gets its own entry)",
			 f->deco, f->attr);
	else
		snprintf(what, sizeof(what), "self.%.63s", f->attr);
	snprintf(issue, sizeof(issue),
		 "%.63s caches the result of a database query%s in %s, but %s%s: the cache starts empty with "
		 "every instance, so the query runs on every request anyway",
		 cls, f->agg ? " that joins or aggregates" : "", what, site, more);
	if (f->key[0])
		snprintf(keyed, sizeof(keyed), " keyed by %.63s", f->key);
	else
		keyed[0] = '\0';
	if (!holds_session(cc) && !f->key[0] && sites[0]->via == PIV_DEPENDS)
		snprintf(rec, sizeof(rec),
			 "%.63s keeps no session, so one shared instance does the job: create it once (module level, "
			 "or app.state at startup) and hand it out with an @lru_cache'd dependency instead of "
			 "Depends(%.63s); give the cache a time-to-live if the rows can change",
			 cls, cls);
	else if (!holds_session(cc) && !f->key[0])
		snprintf(rec, sizeof(rec),
			 "%.63s keeps no session, so one shared instance does the job: create it once at module level "
			 "or at startup (app.state) and use it from every request; give the cache a time-to-live if "
			 "the rows can change",
			 cls);
	else
		snprintf(rec, sizeof(rec),
			 "Keep the cached value at a scope that outlives the request: a module-level cache%s with a "
			 "time-to-live (cachetools.TTLCache, or a value and a timestamp), or data loaded once at "
			 "startup into app.state%s; pass the session to the method per call instead of keeping it in "
			 "the cached object%s",
			 keyed, f->key[0] ? " when it is small" : "",
			 fastapi ? ", or provide one shared instance through an @lru_cache'd dependency" : "");
	check_report(cx, f->line, f->end_line, f->agg ? SEV_HIGH : SEV_MEDIUM, issue, rec);
}

void check_wrong_caching_scope(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct py_index *ix = check_project_index(cx);
	struct py_binds b;
	struct cls_ctx *cc;
	size_t i;
	if (!ix)
		return;
	py_index_resolve(ix);
	if (!ix->ninjects)
		return;
	cc = calloc(1, sizeof(*cc));
	if (!cc)
		return;
	if (py_binds_build(&b, ol, cx->context) < 0) {
		free(cc);
		return;
	}
	cc->cx = cx;
	cc->b = &b;
	cc->ol = ol;
	cc->t = ol->toks;
	for (i = 0; i < ol->nblocks; i++) {
		const struct py_block *c = &ol->blocks[i];
		const struct py_inject *sites[MAX_SITES];
		struct fill f;
		size_t n;
		if (c->kind != PB_CLASS || !c->name || py_index_model(ix, c->name) || strstr(c->name, "Loader") ||
		    (c->bases && strstr(c->bases, "Loader")))
			continue;
		n = py_index_injects(ix, c->name, sites, MAX_SITES);
		if (!n)
			continue;
		cc->cls = (int)i;
		memset(&f, 0, sizeof(f));
		if (!find_fill(cc, &f))
			continue;
		n = per_request_sites(cx, sites, n < MAX_SITES ? n : MAX_SITES);
		if (n)
			report(cc, &f, sites, n);
	}
	py_binds_free(&b);
	free(cc);
}
