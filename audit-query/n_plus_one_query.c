/*
 * n_plus_one_query
 *
 * What it does: reports a SELECT made once per iteration of a for-loop or a
 * comprehension element: session.get(), a session.query(...)/Model.query
 * chain, execute()/exec()/scalars()/scalar() of a select() or SELECT text,
 * a repository get/find/fetch/load method; and the first access, per row,
 * of a lazy relationship (lazy="select" or dynamic) of the loop variable.
 *
 * Why it matters: N rows cost N+1 round trips, so the latency of the
 * endpoint or job grows with the data and the pool stays busy.
 *
 * Example:
 *     for loan in loans:
 *         book = await session.get(Book, loan.book_id)
 *
 * Use instead:
 *     books = {b.id: b for b in (await session.scalars(
 *         select(Book).where(Book.id.in_([l.book_id for l in loans])))).all()}
 *     # or join Book into the loans query, or selectinload(Loan.book)
 *
 * Not reported: a query that is only the loop's iterable (or a
 * comprehension's first iterable), loops over a small literal collection,
 * while-loops (polling, event and retry loops), relationships loaded with
 * selectinload/joinedload/subqueryload (in the same def or in the project
 * function that returned the rows) or declared lazy="selectin"/"joined"/
 * "raise".
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "pydb.h"
#include "pyfacts.h"
#include "pyindex.h"

#define MAX_SEEN 64

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

struct seen {
	unsigned line[MAX_SEEN];
	int n;
};

static int seen_add(struct seen *s, unsigned line)
{
	int i;
	for (i = 0; i < s->n; i++)
		if (s->line[i] == line)
			return 0;
	if (s->n < MAX_SEEN)
		s->line[s->n++] = line;
	return 1;
}

static void recommend_query(const struct py_binds *b, int f, const struct py_dbop_info *info, const char *model,
			    const char *col, char *out, size_t n)
{
	enum py_orm orm = py_orm_flavor(b, f);
	const char *m = model[0] ? model : "Model";
	char r[64], in[80];
	snprintf(r, sizeof(r), "%.63s",
		 info->recv[0] && !info->repo && !strstr(info->recv, ".query") ? info->recv : "session");
	snprintf(in, sizeof(in), "%.60s.in_(%.10ss)", col, col); /* id.in_(ids), code.in_(codes) */
	if (info->repo)
		snprintf(out, n,
			 "Give the repository a method that loads all the rows at once (WHERE %.60s IN (...), or a join "
			 "with the query that produced the loop's rows) and call it once before the loop", col);
	else if (orm == ORM_DJANGO)
		snprintf(out, n,
			 "Load the %s rows in one query before the loop: %s.objects.filter(%.60s__in=%.60ss) (or "
			 "in_bulk()) into a dict, or select_related()/prefetch_related() on the queryset that produced "
			 "the loop's rows",
			 m, m, col, col);
	else if (orm == ORM_SA_LEGACY || orm == ORM_FLASK)
		snprintf(out, n,
			 "Load the %s rows once before the loop: %s.query(%s).filter(%s.%s).all() into a dict keyed by "
			 "%.60s, or join them into the query that produced the loop's rows "
			 "(.options(joinedload(...)) / selectinload(...))",
			 m, r, m, m, in, col);
	else
		snprintf(out, n,
			 "Load the %s rows in one query before the loop: %s%s.%s(select(%s).where(%s.%s)) into a dict "
			 "keyed by %.60s, or join them into the query that produced the loop's rows "
			 "(select(...).join(...) or .options(selectinload(...)))",
			 m, py_def_async(b->ol, f) ? "await " : "", r, orm == ORM_SQLMODEL ? "exec" : "scalars", m, m, in,
			 col);
}


/* 1 when statement s of the body of for-loop `loop`, or a later one in
 * it, runs the query that s assigns to a name: q.all(), q.filter().first(),
 * for x in q, list(q)... */
static int executed_in_loop(const struct py_outline *ol, int s, int loop, const char *name)
{
	static const char *const execs[] = { "all", "first", "one", "one_or_none", "scalar", "scalars", "count",
					     "get", "exists", "first_or_404", "get_or_404", "one_or_404",
					     "paginate", "execute", "exec", "list", "len", "fetchall", "iter", NULL };
	const struct py_toks *t = ol->toks;
	size_t nl = strlen(name), i;
	for (i = (size_t)s + 1; i < ol->nstmts && ol->stmts[i].tok_begin < ol->blocks[loop].body_end; i++) {
		uint32_t k, b = ol->stmts[i].tok_begin, e = ol->stmts[i].tok_end;
		int uses = 0, runs = ol->stmts[i].opens >= 0 && py_tok_is(t, b, "for");
		for (k = b; k < e; k++) {
			if (t->v[k].kind == PT_NAME && t->v[k].len == nl && !strncmp(py_tok_text(t, k), name, nl) &&
			    !(k + 1 < e && py_tok_is(t, k + 1, "=")) && !(k > b && py_tok_is(t, k - 1, ".")))
				uses = 1;
			if (t->v[k].kind == PT_NAME && k + 1 < e && py_tok_is(t, k + 1, "(")) {
				char m[32];
				snprintf(m, sizeof(m), "%.*s", (int)t->v[k].len, py_tok_text(t, k));
				runs |= in_list(m, execs);
			}
		}
		if (uses && runs)
			return 1;
	}
	return 0;
}

/* 1 when a query chain ending in call c only builds a query that the
 * loop's body never runs: q = session.query(X).filter(...), then
 * qs = qs.union(q).  The chain must end in a builder method and be the
 * whole value of an assignment in a for-loop. */
static int deferred_query(const struct py_outline *ol, const struct py_call *root, const struct py_call *c,
			  int loop)
{
	static const char *const builders[] = { "query", "filter", "filter_by", "join", "outerjoin", "order_by",
						"options", "limit", "offset", "with_entities", "select_from",
						"group_by", "having", "distinct", "add_columns", "where",
						"execution_options", "params", "correlate", NULL };
	const struct py_toks *t = ol->toks;
	struct py_assign a;
	char name[128];
	int s = root->stmt;
	if (!in_list(c->name, builders) || ol->blocks[loop].kind != PB_FOR || !py_stmt_assign(ol, s, &a) ||
	    a.target_end != a.target_begin + 1 || a.value_begin != root->name_begin || a.value_end != c->rparen + 1)
		return 0;
	snprintf(name, sizeof(name), "%.*s", (int)t->v[a.target_begin].len, py_tok_text(t, a.target_begin));
	return !executed_in_loop(ol, s, loop, name);
}

static void queries_in_loops(struct check_ctx *cx, const struct py_binds *b, struct seen *seen)
{
	const struct py_outline *ol = cx->ol;
	size_t ci;
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		struct py_dbop_info info;
		char model[64], col[64], issue[512], rec[768], *it;
		const struct py_call *root;
		enum py_iter_kind ik;
		int loop;
		if (c->is_ref || py_call_dbop(b, ci, &info) != DBOP_READ)
			continue;
		loop = py_call_row_loop(ol, c);
		if (loop < 0)
			continue;
		ik = py_loop_iter_kind(b, loop);
		if (ik == PIK_LITERAL || ik == PIK_PAGES || ik == PIK_EVENTS)
			continue;
		root = &ol->calls[info.root];
		if (py_call_set_based(b, ci, root->name_begin, loop) || py_stmt_table_varies(b, ci, loop) ||
		    (info.chain_query && deferred_query(ol, root, c, loop)) || !seen_add(seen, root->line))
			continue;
		py_call_model(ol, info.chain_query ? root : c, model, sizeof(model));
		it = py_loop_iter_text(ol, loop, 60);
		snprintf(issue, sizeof(issue),
			 "%s%s() runs once per iteration of the loop over %s (line %u): N rows cost N+1 queries",
			 info.repo ? "repository call " : "", info.chain_query ? root->callee : c->callee,
			 it ? it : "the rows", ol->blocks[loop].line);
		free(it);
		py_filter_column(ol, root->name_begin, c->rparen, model, col, sizeof(col));
		recommend_query(b, c->func, &info, model, col, rec, sizeof(rec));
		check_report(cx, root->line, c->end_line, check_once_severity(cx, c->func, py_context_severity(ol, c->func)), issue,
			     rec);
	}
}

/* ---- lazy relationships read per row */

/* The model class of the rows a loop iterates, when evident: a
 * relationship with a known target, or a select(Model)/query(Model). */
static void row_model(const struct py_outline *ol, struct py_index *ix, int loop, char *buf, size_t n)
{
	const struct py_block *bl = &ol->blocks[loop];
	const struct py_toks *t = ol->toks;
	uint32_t ib = bl->iter_begin, ie = bl->iter_end;
	size_t ci;
	buf[0] = '\0';
	if (ie == ib + 3 && t->v[ib].kind == PT_NAME && py_tok_is(t, ib + 1, ".") && t->v[ib + 2].kind == PT_NAME) {
		char attr[64];
		const char *target = NULL;
		snprintf(attr, sizeof(attr), "%.*s", (int)t->v[ib + 2].len, py_tok_text(t, ib + 2));
		if (py_index_rel(ix, NULL, attr, &target) != PL_NONE && target)
			snprintf(buf, n, "%s", target);
		return;
	}
	if (ie == ib + 1 && t->v[ib].kind == PT_NAME) {
		/* rows = session.scalars(select(Model)).all() earlier in the def */
		char name[128];
		snprintf(name, sizeof(name), "%.*s", (int)t->v[ib].len, py_tok_text(t, ib));
		if (!py_last_assign(ol, bl->func, name, ib, &ib, &ie))
			return;
	}
	for (ci = py_first_call_from(ol, ib); ci < ol->ncalls && ol->calls[ci].lparen < ie; ci++) {
		const struct py_call *c = &ol->calls[ci];
		if (c->is_ref && isupper((unsigned char)c->callee[0]) && !strchr(c->callee, '.') && c->parent_call >= 0 &&
		    (!strcmp(ol->calls[c->parent_call].name, "select") || !strcmp(ol->calls[c->parent_call].name, "query"))) {
			snprintf(buf, n, "%s", c->callee);
			return;
		}
	}
}

/* The only model declaring relationship attr, or "" (for messages). */
static void rel_owner(const struct py_index *ix, const char *attr, char *buf, size_t n)
{
	size_t i;
	buf[0] = '\0';
	for (i = 0; i < ix->nrels; i++)
		if (!strcmp(ix->rels[i].attr, attr)) {
			if (buf[0] && strcmp(buf, ix->rels[i].cls)) {
				buf[0] = '\0';
				return;
			}
			snprintf(buf, n, "%s", ix->rels[i].cls);
		}
}


static const char *const wrappers[] = { "enumerate", "sorted", "reversed", "list", "tuple", "set", "zip",
					"iter", "filter", "islice", NULL };
static const char *const builtins[] = { "len", "list", "sorted", "filter", "map", "zip", "enumerate", "range",
					"dict", "set", "tuple", "reversed", "iter", "getattr", "islice", "str",
					"int", "chain", NULL };

/* Narrows [*ib,*ie) past wrappers such as enumerate(x, 1) to x. */
static void unwrap(const struct py_toks *t, uint32_t *ib, uint32_t *ie)
{
	char w[16];
	while (*ie > *ib + 3 && t->v[*ib].kind == PT_NAME && py_tok_is(t, *ib + 1, "(") &&
	       py_tok_close(t, *ib + 1, *ie) == *ie - 1) {
		uint32_t k, d = t->v[*ib + 1].depth + 1u;
		snprintf(w, sizeof(w), "%.*s", (int)t->v[*ib].len, py_tok_text(t, *ib));
		if (!in_list(w, wrappers))
			return;
		for (k = *ib + 2; k < *ie - 1 && !(py_tok_is(t, k, ",") && t->v[k].depth == d); k++)
			;
		*ie = k;
		*ib += 2;
	}
}

/* 1 when tokens [b,e) call something that may query (not a builtin) or
 * await. */
static int calls_out(const struct py_outline *ol, uint32_t b, uint32_t e)
{
	size_t ci;
	uint32_t k;
	for (k = b; k < e; k++)
		if (py_tok_is(ol->toks, k, "await"))
			return 1;
	for (ci = py_first_call_from(ol, b); ci < ol->ncalls && ol->calls[ci].lparen < e; ci++)
		if (!ol->calls[ci].is_ref && !in_list(ol->calls[ci].callee, builtins))
			return 1;
	return 0;
}

/* 1 when the loop's rows evidently come from the database: a relationship
 * collection, a call, or a name assigned from a call in the same def (not a
 * parameter whose loading strategy the caller decides). */
static int rows_from_db(const struct py_outline *ol, struct py_index *ix, int loop)
{
	const struct py_block *bl = &ol->blocks[loop];
	const struct py_toks *t = ol->toks;
	uint32_t ib = bl->iter_begin, ie = bl->iter_end, vb, ve;
	char name[128];
	unwrap(t, &ib, &ie);
	if (ie == ib + 3 && t->v[ib].kind == PT_NAME && py_tok_is(t, ib + 1, ".") && t->v[ib + 2].kind == PT_NAME) {
		snprintf(name, sizeof(name), "%.*s", (int)t->v[ib + 2].len, py_tok_text(t, ib + 2));
		return py_index_rel(ix, NULL, name, NULL) != PL_NONE;
	}
	if (calls_out(ol, ib, ie))
		return 1;
	if (ie != ib + 1 || t->v[ib].kind != PT_NAME)
		return 0;
	snprintf(name, sizeof(name), "%.*s", (int)t->v[ib].len, py_tok_text(t, ib));
	return py_last_assign(ol, bl->func, name, ib, &vb, &ve) && calls_out(ol, vb, ve);
}

/* 1 when a project function called in the loop's iterable eager-loads attr. */
static int iterable_eager(const struct py_outline *ol, struct py_index *ix, int loop, const char *attr)
{
	const struct py_block *bl = &ol->blocks[loop];
	const struct py_toks *t = ol->toks;
	uint32_t ib = bl->iter_begin, ie = bl->iter_end;
	size_t ci, al = strlen(attr);
	if (ie == ib + 1 && t->v[ib].kind == PT_NAME) {
		/* orders = await repo.list_open_with_lines() earlier in the def */
		char name[128];
		snprintf(name, sizeof(name), "%.*s", (int)t->v[ib].len, py_tok_text(t, ib));
		if (!py_last_assign(ol, bl->func, name, ib, &ib, &ie))
			return 0;
	}
	for (ci = py_first_call_from(ol, ib); ci < ol->ncalls && ol->calls[ci].lparen < ie; ci++) {
		const struct py_fn *fn = py_index_fn(ix, "*", ol->calls[ci].name);
		const char *p;
		if (!fn || !fn->eager)
			continue;
		for (p = strstr(fn->eager, attr); p; p = strstr(p + 1, attr))
			if (p[-1] == ' ' && p[al] == ' ')
				return 1;
	}
	return 0;
}

static int eager_in_defs(const struct py_outline *ol, int f, const char *attr)
{
	while (f >= 0) {
		if (py_def_eager_loads(ol, f, attr))
			return 1;
		f = py_outline_enclosing(ol, ol->blocks[f].parent, PB_MASK(PB_DEF), 1);
	}
	return 0;
}

struct lazy_hit {
	const char *var;
	uint32_t vlen;
	char attr[64];
	char cls[64];
	enum py_lazy lazy;
};

/* Checks row.attr, attr at token a, in loop; 1 and fills h when it is a
 * lazy load. */
static int lazy_access(struct check_ctx *cx, struct py_index *ix, int loop, uint32_t a, const char *model,
		       struct lazy_hit *h)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	const char *target = NULL;
	enum py_lazy lz;
	if (a + 1 < t->n && (py_tok_is(t, a + 1, "=") || py_tok_is(t, a + 1, "(")))
		return 0; /* assigned, or a method call */
	snprintf(h->attr, sizeof(h->attr), "%.*s", (int)t->v[a].len, py_tok_text(t, a));
	lz = py_index_rel(ix, model[0] ? model : NULL, h->attr, &target);
	if (lz != PL_LAZY && lz != PL_DYNAMIC)
		return 0;
	if (eager_in_defs(ol, ol->blocks[loop].func, h->attr) || iterable_eager(ol, ix, loop, h->attr))
		return 0;
	h->lazy = lz;
	if (model[0])
		snprintf(h->cls, sizeof(h->cls), "%s", model);
	else
		rel_owner(ix, h->attr, h->cls, sizeof(h->cls));
	return 1;
}

/* 1 when def f talks to an AsyncSession: an AsyncSession parameter, or an
 * awaited session query (await session.execute/scalars/get...).  Lazy
 * loading then cannot run: it needs the greenlet the await left. */
static int async_session_def(const struct py_binds *b, int f)
{
	const struct py_outline *ol = b->ol;
	const struct py_block *d;
	size_t ci;
	unsigned k;
	if (f < 0 || !ol->blocks[f].is_async)
		return 0;
	d = &ol->blocks[f];
	for (k = 0; k < d->nparams; k++)
		if (strstr(d->param_texts[k], "AsyncSession"))
			return 1;
	for (ci = py_first_call_from(ol, d->body_begin); ci < ol->ncalls && ol->calls[ci].lparen < d->body_end; ci++) {
		struct py_dbop_info info;
		const struct py_call *c = &ol->calls[ci];
		if (c->func != f || c->is_ref)
			continue;
		if (py_call_dbop(b, ci, &info) == DBOP_READ && !info.repo && ol->calls[info.root].awaited)
			return 1;
	}
	return 0;
}

static void report_lazy(struct check_ctx *cx, const struct py_binds *b, int loop, unsigned line,
			const struct lazy_hit *h)
{
	const struct py_outline *ol = cx->ol;
	char issue[512], rec[512], *it = py_loop_iter_text(ol, loop, 60);
	const char *cls = h->cls[0] ? h->cls : "the model";
	enum py_orm orm = py_orm_flavor(b, ol->blocks[loop].func);
	int f = ol->blocks[loop].func, broken = orm != ORM_DJANGO && async_session_def(b, f);
	enum severity sev = check_once_severity(cx, f, py_context_severity(ol, f));
	if (broken)
		snprintf(issue, sizeof(issue),
			 "%.*s.%s is a %s relationship read for each row of the loop over %s (line %u) under an "
			 "AsyncSession: the implicit lazy load cannot run there and raises MissingGreenlet "
			 "(sqlalchemy.exc.MissingGreenlet) at run time; this is not slow but broken",
			 (int)h->vlen, h->var, h->attr, h->lazy == PL_DYNAMIC ? "lazy=\"dynamic\"" : "lazy-loaded",
			 it ? it : "the rows", ol->blocks[loop].line);
	else
		snprintf(issue, sizeof(issue),
			 "%.*s.%s is a %s relationship: reading it for each row of the loop over %s (line %u) "
			 "issues one SELECT per row",
			 (int)h->vlen, h->var, h->attr, h->lazy == PL_DYNAMIC ? "lazy=\"dynamic\"" : "lazy-loaded",
			 it ? it : "the rows", ol->blocks[loop].line);
	free(it);
	if (orm == ORM_DJANGO)
		snprintf(rec, sizeof(rec),
			 "Load it with the rows: .select_related(\"%s\") for a foreign key or one-to-one, "
			 ".prefetch_related(\"%s\") for a many-to-many or reverse relation",
			 h->attr, h->attr);
	else if (orm == ORM_SA_LEGACY || orm == ORM_FLASK)
		snprintf(rec, sizeof(rec),
			 "Eager-load it with the rows: query(...).options(selectinload(%s.%s)) (or joinedload), "
			 "or declare relationship(..., lazy=\"selectin\")",
			 cls, h->attr);
	else
		snprintf(rec, sizeof(rec),
			 "Eager-load it in the query that returns the rows: select(...).options(selectinload(%s.%s))"
			 "%s, or declare relationship(..., lazy=\"selectin\")",
			 cls, h->attr,
			 py_def_async(ol, ol->blocks[loop].func) ? " (an async session cannot lazy-load at all)" : "");
	check_report(cx, line, line, broken ? SEV_CRITICAL : sev, issue, rec);
}

/* 1 when name[0..n) is one of the names of a loop target ("a, (b, c)"). */
static int in_target(const char *tg, const char *name, size_t n)
{
	const char *p = tg;
	while (*p) {
		const char *s;
		if (!(isalpha((unsigned char)*p) || *p == '_')) {
			p++;
			continue;
		}
		s = p;
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
		if ((size_t)(p - s) == n && !strncmp(s, name, n))
			return 1;
	}
	return 0;
}

/* Scans var.attr, var a name of the loop's target, in its per-iteration
 * tokens. */
static void lazy_in_loop(struct check_ctx *cx, const struct py_binds *b, struct py_index *ix, int loop,
			 struct seen *seen)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	const struct py_block *bl = &ol->blocks[loop];
	uint32_t begin = bl->kind == PB_COMP ? bl->comp_open_tok + 1 : bl->body_begin;
	uint32_t end = bl->kind == PB_COMP ? bl->comp_close_tok : bl->body_end, k;
	const char *tg = bl->target;
	char model[64], done[512] = " ";
	uint32_t a;
	if (!tg || py_loop_iter_kind(b, loop) == PIK_LITERAL || py_loop_iter_kind(b, loop) == PIK_EVENTS ||
	    !rows_from_db(ol, ix, loop))
		return;
	row_model(ol, ix, loop, model, sizeof(model));
	if (strchr(tg, ','))
		model[0] = '\0'; /* for a, b in rows: the entity of each name is not known */
	for (k = begin; k + 2 < end; k++) {
		struct lazy_hit h;
		size_t vl = t->v[k].len;
		char key[140];
		if (k >= bl->iter_begin && k < bl->iter_end)
			continue;
		if (t->v[k].kind != PT_NAME || !py_tok_is(t, k + 1, ".") || t->v[k + 2].kind != PT_NAME ||
		    (k > 0 && py_tok_is(t, k - 1, ".")))
			continue;
		if (!in_target(tg, py_tok_text(t, k), vl))
			continue;
		a = k + 2;
		if (py_tok_is(t, a, "awaitable_attrs") && a + 2 < end && py_tok_is(t, a + 1, ".") &&
		    t->v[a + 2].kind == PT_NAME)
			a += 2; /* await row.awaitable_attrs.rel: an explicit lazy load */
		h.var = py_tok_text(t, k);
		h.vlen = (uint32_t)vl;
		if (!lazy_access(cx, ix, loop, a, model, &h))
			continue;
		snprintf(key, sizeof(key), "%.*s.%s ", (int)vl, h.var, h.attr);
		if (strstr(done, key) || !seen_add(seen, t->v[k].line))
			continue;
		if (strlen(done) + strlen(key) < sizeof(done))
			strcat(done, key);
		report_lazy(cx, b, loop, t->v[k].line, &h);
	}
}

void check_n_plus_one_query(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct py_binds b;
	struct py_index *ix;
	struct seen seen;
	size_t i;
	if (py_binds_build(&b, ol, cx->context) < 0)
		return;
	seen.n = 0;
	queries_in_loops(cx, &b, &seen);
	ix = check_project_index(cx);
	for (i = 0; ix && ix->nrels && i < ol->nblocks; i++)
		if ((ol->blocks[i].kind == PB_FOR || ol->blocks[i].kind == PB_COMP) && ol->blocks[i].func >= 0)
			lazy_in_loop(cx, &b, ix, (int)i, &seen);
	py_binds_free(&b);
}
