/*
 * over_fetching
 *
 * What it does: reports a list query of whole entities of a wide ORM model
 * (more than ten columns, mixins included) whose rows are then read for at
 * most three attributes: select(M) executed with execute/exec/scalars,
 * session.query(M) and M.query chains, whose result is iterated (a for
 * loop, a comprehension, list()/sorted()/enumerate()), directly or through
 * the names it is assigned to.
 *
 * Why it matters: every row hydrates every column into an identity-mapped
 * object -- wide text and JSON columns included -- for a list that shows
 * two or three of them; the database, the network and Python pay for the
 * rest.
 *
 * Example:
 *     stmt = select(Book).order_by(Book.title)
 *     books = (await session.exec(stmt)).scalars().all()
 *     return [{"id": b.id, "title": b.title} for b in books]
 *
 * Use instead:
 *     rows = (await session.exec(select(Book.id, Book.title).order_by(Book.title))).all()
 *     # or select(Book).options(load_only(Book.id, Book.title))
 *
 * Severity: MEDIUM for a model of more than fifteen columns read in a
 * request handler, LOW otherwise; one level lower in code that runs once.
 *
 * Not reported: one-row reads (first, one, get, scalar_one, limit(1), an
 * index), queries that already narrow the columns (select(M.a, M.b),
 * with_only_columns, with_entities, load_only, defer, undefer_group),
 * rows or statements that leave the def or are used whole (returned,
 * passed to a serializer, a helper, a response model, a method of the
 * row), attributes that are properties of the model, and models of ten
 * columns or fewer.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "pydb.h"
#include "pyfacts.h"
#include "pyindex.h"

#define WIDE_COLS 10      /* a model is wide above this many columns */
#define WIDER_COLS 15     /* MEDIUM in a handler above this many */
#define MAX_ATTRS 3       /* a few attributes: at most this many */
#define MAX_DEPTH 6       /* names followed through assignments */

struct track {
	const struct py_outline *ol;
	const struct py_toks *t;
	const struct py_flow *flow;
	int f;                      /* the def */
	char attrs[MAX_ATTRS + 1][64];
	uint8_t how[MAX_ATTRS + 1]; /* AT_READ | AT_WRITTEN */
	int nattrs;
	uint8_t looped;             /* the rows are iterated */
	uint8_t stop;               /* used whole, narrowed, one row, too many attributes */
	uint8_t enumerated;         /* the current expression is enumerate(rows) */
	unsigned end_line;          /* last line of the expression that runs the query */
	char recv[64];              /* the session the query runs on, for the advice */
};

static int in_list(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == n && !strncmp(s, *list, n))
			return 1;
	return 0;
}

static int tok_in(const struct py_toks *t, uint32_t k, const char *const *list)
{
	return k < t->n && in_list(py_tok_text(t, k), t->v[k].len, list);
}

/* Methods of a statement, query or result that return at most one row. */
static const char *const one_row[] = { "first", "one", "one_or_none", "scalar", "scalar_one",
				       "scalar_one_or_none", "get", "first_or_404", "get_or_404", "one_or_404",
				       "fetchone", "exists", "count", "get_one", "scalar_subquery", "as_scalar",
				       "label", NULL };
/* Methods that narrow the columns, or turn the query into something else. */
static const char *const narrowing[] = { "with_only_columns", "with_entities", "add_columns", "add_entity",
					 "values", "value", "load_only", "defer", "undefer", "undefer_group",
					 "subquery", "cte", "alias", "columns", "only", "values_list", "union",
					 "union_all", "except_", "intersect", "delete", "update", "paginate",
					 "from_statement", "select_entity_from", NULL };
/* Loader options that narrow the columns inside .options(...). */
static const char *const narrow_opts[] = { "load_only", "defer", "undefer", "undefer_group", NULL };

/* Follows ".m(...)" links and subscripts after token e; returns the end of
 * the expression.  Sets tr->stop for a link that narrows the columns or
 * returns one row. */
static uint32_t chain_after(struct track *tr, uint32_t e, uint32_t se)
{
	const struct py_toks *t = tr->t;
	while (e < se && !tr->stop) {
		if (py_tok_is(t, e, "[")) {
			uint32_t c = py_tok_close(t, e, se), k;
			int slice = 0;
			for (k = e + 1; k < c; k++)
				if (py_tok_is(t, k, ":") && t->v[k].depth == t->v[e].depth + 1)
					slice = 1;
			if (!slice || c >= se)
				tr->stop = 1; /* rows[0]: one row */
			e = c + 1;
			continue;
		}
		if (!py_tok_is(t, e, ".") || e + 1 >= se || t->v[e + 1].kind != PT_NAME)
			break;
		if (e + 2 >= se || !py_tok_is(t, e + 2, "(")) {
			tr->stop = 1; /* an attribute of the result: not rows */
			break;
		}
		{
			uint32_t m = e + 1, c = py_tok_close(t, e + 2, se), k;
			if (c >= se) {
				tr->stop = 1;
				break;
			}
			if (tok_in(t, m, one_row) || tok_in(t, m, narrowing))
				tr->stop = 1;
			else if (py_tok_is(t, m, "limit") && c == e + 4 && t->v[e + 3].kind == PT_NUMBER &&
				 t->v[e + 3].len == 1 && py_tok_text(t, e + 3)[0] == '1')
				tr->stop = 1;
			else if (py_tok_is(t, m, "options"))
				for (k = e + 3; k < c; k++)
					if (t->v[k].kind == PT_NAME && tok_in(t, k, narrow_opts))
						tr->stop = 1;
			e = c + 1;
		}
	}
	return e;
}

/* The for-loop or comprehension of def f whose iterable is exactly [b,e). */
static int iter_loop(const struct py_outline *ol, int f, uint32_t b, uint32_t e)
{
	size_t i;
	for (i = (size_t)f + 1; i < ol->nblocks && ol->blocks[i].hdr_begin < ol->blocks[f].body_end; i++) {
		const struct py_block *bl = &ol->blocks[i];
		if ((bl->kind == PB_FOR || bl->kind == PB_COMP) && bl->iter_begin == b && bl->iter_end == e)
			return (int)i;
	}
	return -1;
}

/* The call whose argument list opens at token o, or -1. */
static int call_at_paren(const struct py_outline *ol, int s, uint32_t o)
{
	size_t ci;
	uint32_t end = ol->stmts[s].tok_end;
	for (ci = py_first_call_from(ol, ol->stmts[s].tok_begin); ci < ol->ncalls && ol->calls[ci].lparen < end;
	     ci++)
		if (ol->calls[ci].lparen == o && !ol->calls[ci].is_ref)
			return (int)ci;
	return -1;
}

/* The bracket enclosing token b within [sb, b), or UINT32_MAX. */
static uint32_t enclosing_open(const struct py_toks *t, uint32_t sb, uint32_t b)
{
	uint32_t k, d = t->v[b].depth;
	if (d == 0)
		return UINT32_MAX;
	for (k = b; k-- > sb;)
		if (t->v[k].depth == d - 1)
			return py_tok_is(t, k, "(") || py_tok_is(t, k, "[") || py_tok_is(t, k, "{") ? k : UINT32_MAX;
	return UINT32_MAX;
}

#define AT_READ 1
#define AT_WRITTEN 2

static void add_attr(struct track *tr, const char *a, size_t len, int how)
{
	int i;
	for (i = 0; i < tr->nattrs; i++)
		if (strlen(tr->attrs[i]) == len && !strncmp(tr->attrs[i], a, len)) {
			tr->how[i] |= (uint8_t)how;
			return;
		}
	if (tr->nattrs >= MAX_ATTRS || len >= sizeof(tr->attrs[0])) {
		tr->stop = 1;
		return;
	}
	tr->how[tr->nattrs] = (uint8_t)how;
	snprintf(tr->attrs[tr->nattrs++], sizeof(tr->attrs[0]), "%.*s", (int)len, a);
}

static int ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Uses of name inside the f-strings of tokens [b,e): with attrs, name.attr
 * is read; any other mention (the row formatted whole, a method) stops. */
static void fstring_uses(struct track *tr, uint32_t b, uint32_t e, const char *name, int attrs)
{
	const struct py_toks *t = tr->t;
	size_t nl = strlen(name);
	uint32_t k;
	for (k = b; k < e && !tr->stop; k++) {
		const char *s = py_tok_text(t, k), *p;
		size_t len = t->v[k].len;
		if (t->v[k].kind != PT_STRING || !(t->v[k].flags & PTF_FSTRING))
			continue;
		for (p = s; (size_t)(p - s) + nl <= len && !tr->stop; p++) {
			const char *a;
			size_t al = 0;
			if (strncmp(p, name, nl) || (p > s && (ident_char(p[-1]) || p[-1] == '.')) ||
			    ((size_t)(p - s) + nl < len && ident_char(p[nl])))
				continue;
			if (!attrs && p - s >= 4 && !strncmp(p - 4, "len(", 4) && (size_t)(p - s) + nl < len &&
			    p[nl] == ')')
				continue; /* {len(rows)} */
			a = p + nl + 1;
			if ((size_t)(p - s) + nl < len && p[nl] == '.')
				while ((size_t)(a - s) + al < len && ident_char(a[al]))
					al++;
			if (!attrs || !al || ((size_t)(a - s) + al < len && a[al] == '('))
				tr->stop = 1;
			else
				add_attr(tr, a, al, AT_READ);
		}
	}
}

/* 1 when token k is inside the target of assignment statement s. */
static int in_assign_target(const struct py_outline *ol, int s, uint32_t k)
{
	struct py_assign a;
	return py_stmt_assign(ol, s, &a) && k >= a.target_begin && k < a.target_end;
}

/* 1 when assignment statement s assigns with operator op ("=", "+="). */
static int assign_op_is(const struct py_outline *ol, int s, const char *op)
{
	struct py_assign a;
	return py_stmt_assign(ol, s, &a) && py_tok_is(ol->toks, a.op, op);
}

/* The name a loop binds to each row: its whole target, or the second name
 * of "i, row" over enumerate(); 0 when the target is another shape. */
static int row_name(const struct track *tr, const struct py_block *bl, char *buf, size_t n)
{
	const char *tg = bl->target, *c;
	size_t l;
	if (!tg)
		return 0;
	while (*tg == '(')
		tg++;
	c = strchr(tg, ',');
	if (tr->enumerated) {
		if (!c)
			return 0;
		tg = c + 1;
		while (*tg == ' ')
			tg++;
		c = NULL;
	}
	if (c)
		return 0;
	for (l = 0; isalnum((unsigned char)tg[l]) || tg[l] == '_'; l++)
		;
	if (!l || l >= n || (tg[l] && tg[l] != ')' && tg[l] != ' '))
		return 0;
	snprintf(buf, n, "%.*s", (int)l, tg);
	return 1;
}

/* Reads the attributes of the loop's row name in the loop. */
static void track_loop(struct track *tr, int loop)
{
	const struct py_outline *ol = tr->ol;
	const struct py_toks *t = tr->t;
	const struct py_block *bl = &ol->blocks[loop];
	uint32_t begin = bl->kind == PB_COMP ? bl->comp_open_tok + 1 : bl->body_begin;
	uint32_t end = bl->kind == PB_COMP ? bl->comp_close_tok : bl->body_end;
	const struct py_ref *r;
	size_t n, i;
	char name[64];
	if (!row_name(tr, bl, name, sizeof(name))) {
		tr->stop = 1;
		return;
	}
	tr->looped = 1;
	fstring_uses(tr, begin, end, name, 1);
	r = py_refs_find(&tr->flow->names, name, strlen(name), &n);
	for (i = 0; i < n && !tr->stop; i++) {
		uint32_t k = r[i].tok;
		enum py_use u;
		if (k < begin || k >= end || (k >= bl->iter_begin && k < bl->iter_end))
			continue;
		if (k > 0 && py_tok_is(t, k - 1, "for"))
			continue; /* the comprehension's own target */
		if (ol->blocks[ol->stmts[r[i].stmt].block].func != bl->func) {
			tr->stop = 1; /* used by a nested def */
			return;
		}
		if (k + 2 < t->n && py_tok_is(t, k + 1, ".") && t->v[k + 2].kind == PT_NAME) {
			if (k + 3 < t->n && py_tok_is(t, k + 3, "(")) {
				tr->stop = 1; /* row.method(): uses the whole row */
				return;
			}
			if (!in_assign_target(ol, r[i].stmt, k))
				add_attr(tr, py_tok_text(t, k + 2), t->v[k + 2].len, AT_READ);
			else
				add_attr(tr, py_tok_text(t, k + 2), t->v[k + 2].len,
					 AT_WRITTEN | (assign_op_is(ol, r[i].stmt, "=") ? 0 : AT_READ));
			continue;
		}
		u = py_name_use(ol, k, k);
		if (u == PU_REBIND)
			break;
		if (u != PU_READ && u != PU_NONE)
			tr->stop = 1;
	}
}

static void track_name(struct track *tr, uint32_t target, int depth);

/* What the statement does with the query, statement or rows at [b,e). */
static void classify(struct track *tr, uint32_t b, uint32_t e, int depth)
{
	const struct py_outline *ol = tr->ol;
	const struct py_toks *t = tr->t;
	int s = py_outline_stmt_of_tok(ol, b);
	uint32_t sb, se;
	if (s < 0 || depth > MAX_DEPTH) {
		tr->stop = 1;
		return;
	}
	sb = ol->stmts[s].tok_begin;
	se = ol->stmts[s].tok_end;
	for (;;) {
		uint32_t o;
		int loop, ci;
		e = chain_after(tr, e, se);
		if (tr->stop)
			return;
		loop = iter_loop(ol, tr->f, b, e);
		if (loop >= 0) {
			if (!tr->end_line)
				tr->end_line = t->v[e - 1].end_line;
			track_loop(tr, loop);
			tr->enumerated = 0;
			return;
		}
		if (tr->enumerated) {
			tr->stop = 1; /* enumerate(rows) not looped over */
			return;
		}
		if (b > sb && py_tok_is(t, b - 1, "await")) {
			b--;
			continue;
		}
		o = enclosing_open(t, sb, b);
		if (o == UINT32_MAX)
			break;
		ci = py_tok_is(t, o, "(") ? call_at_paren(ol, s, o) : -1;
		if (ci < 0 && o == b - 1 && py_tok_is(t, o, "(") && e < se && py_tok_close(t, o, se) == e) {
			b--; /* (expr) */
			e++;
			continue;
		}
		if (ci < 0 || o != b - 1 || e >= se || !(py_tok_is(t, e, ")") || py_tok_is(t, e, ","))) {
			tr->stop = 1; /* in a display, a subscript, not the first argument */
			return;
		}
		{
			static const char *const execs[] = { "execute", "exec", "scalars", "stream_scalars", "stream",
							     NULL };
			static const char *const wraps[] = { "list", "tuple", "sorted", "reversed", "enumerate", NULL };
			const struct py_call *p = &ol->calls[ci];
			int more = py_tok_is(t, e, ","), dotted = strchr(p->callee, '.') != NULL;
			if (!strcmp(p->callee, "len") || !strcmp(p->callee, "bool"))
				return; /* counted or tested, not read */
			if (dotted && in_list(p->name, strlen(p->name), execs)) {
				/* execute(stmt, params) is still the one statement */
				if (more && strcmp(p->name, "execute") && strcmp(p->name, "exec")) {
					tr->stop = 1;
					return;
				}
				if (!tr->recv[0])
					snprintf(tr->recv, sizeof(tr->recv), "%.*s",
						 (int)(strrchr(p->callee, '.') - p->callee), p->callee);
				if (t->v[p->rparen].end_line > tr->end_line)
					tr->end_line = t->v[p->rparen].end_line;
			} else if (!dotted && !more && in_list(p->callee, strlen(p->callee), wraps)) {
				/* list(rows), enumerate(rows); not sorted(rows, key=...) whose key reads more */
				tr->enumerated = !strcmp(p->callee, "enumerate");
			} else {
				/* passed to a helper, a serializer, a paginator */
				tr->stop = 1;
				return;
			}
			b = p->name_begin;
			e = p->rparen + 1;
		}
	}
	/* the whole value of "name = <expr>" */
	{
		struct py_assign a;
		if (py_stmt_assign(ol, s, &a) && py_tok_is(t, a.op, "=") && a.value_begin == b && a.value_end == e &&
		    a.target_end == a.target_begin + 1 && t->v[a.target_begin].kind == PT_NAME) {
			if (!tr->end_line && e > b)
				tr->end_line = t->v[e - 1].end_line;
			track_name(tr, a.target_begin, depth + 1);
			return;
		}
	}
	if (e == b + 1 && py_name_use(ol, b, b) == PU_READ)
		return; /* if rows:, rows is None */
	tr->stop = 1; /* returned, yielded, stored elsewhere */
}

/* Follows the name assigned at token target through the rest of the def. */
static void track_name(struct track *tr, uint32_t target, int depth)
{
	const struct py_outline *ol = tr->ol;
	const struct py_toks *t = tr->t;
	const struct py_block *d = &ol->blocks[tr->f];
	const struct py_ref *r;
	size_t n, i;
	uint32_t until = UINT32_MAX;
	char name[64];
	if (t->v[target].len >= sizeof(name)) {
		tr->stop = 1;
		return;
	}
	snprintf(name, sizeof(name), "%.*s", (int)t->v[target].len, py_tok_text(t, target));
	fstring_uses(tr, target + 1, d->body_end, name, 0);
	r = py_refs_find(&tr->flow->names, py_tok_text(t, target), t->v[target].len, &n);
	for (i = 0; i < n && !tr->stop; i++) {
		uint32_t k = r[i].tok;
		struct py_assign a;
		if (k <= target || k < d->body_begin)
			continue;
		if (k >= d->body_end || k >= until)
			break;
		if (ol->blocks[ol->stmts[r[i].stmt].block].func != tr->f) {
			tr->stop = 1; /* captured by a nested def */
			return;
		}
		if (py_stmt_assign(ol, r[i].stmt, &a) && py_tok_is(t, a.op, "=")) {
			if (k >= a.target_begin && k < a.target_end) {
				/* stmt = stmt.where(...) refines it; another value ends it */
				if (a.target_end == a.target_begin + 1 && t->v[a.value_begin].len == t->v[k].len &&
				    !strncmp(py_tok_text(t, a.value_begin), py_tok_text(t, k), t->v[k].len))
					continue;
				if (a.target_end != a.target_begin + 1)
					tr->stop = 1;
				until = a.value_end; /* the new value may still read the rows */
				continue;
			}
			if (k == a.value_begin && a.target_end == a.target_begin + 1 &&
			    t->v[a.target_begin].len == t->v[k].len &&
			    !strncmp(py_tok_text(t, a.target_begin), py_tok_text(t, k), t->v[k].len)) {
				chain_after(tr, k + 1, a.value_end);
				continue;
			}
		}
		if (py_name_use(ol, k, k) == PU_REBIND)
			return;
		classify(tr, k, k + 1, depth);
	}
}

/* The wide model the call selects whole: select(M) or X.query(M) with one
 * argument naming a model, or the M of an M.query chain.  NULL otherwise. */
static const struct py_model *whole_model(const struct py_outline *ol, struct py_index *ix,
					  const struct py_call *c, uint32_t *chain_end)
{
	const struct py_toks *t = ol->toks;
	uint32_t k, last;
	char name[64];
	if (c->is_ref)
		return NULL;
	if (!strcmp(c->name, "select") || (!strcmp(c->name, "query") && strchr(c->callee, '.'))) {
		if (!strncmp(c->callee, "self.", 5) && !strcmp(c->name, "select"))
			return NULL;
		if (c->rparen <= c->lparen + 1 || !py_tok_is_chain(t, c->lparen + 1, c->rparen))
			return NULL;
		last = c->rparen - 1;
		*chain_end = c->rparen + 1;
	} else if (c->name_begin + 4 < c->lparen && py_tok_is(t, c->name_begin + 1, ".") &&
		   py_tok_is(t, c->name_begin + 2, "query") && py_tok_is(t, c->name_begin + 3, ".") &&
		   c->lparen == c->name_begin + 5) {
		/* Model.query.filter(...): Flask-SQLAlchemy */
		last = c->name_begin;
		*chain_end = c->name_begin + 3;
		if (c->name_begin > 0 && py_tok_is(t, c->name_begin - 1, "."))
			return NULL;
	} else {
		return NULL;
	}
	for (k = last; k > 0 && py_tok_is(t, k - 1, "."); k -= 2)
		;
	if (t->v[last].kind != PT_NAME || !isupper((unsigned char)py_tok_text(t, last)[0]) ||
	    t->v[last].len >= sizeof(name))
		return NULL;
	snprintf(name, sizeof(name), "%.*s", (int)t->v[last].len, py_tok_text(t, last));
	{
		const struct py_model *m = py_index_model(ix, name);
		return m && m->ncols > WIDE_COLS ? m : NULL;
	}
}

/* 1 when attr is a column of the project (of any model: mixins are not
 * all known by name) and not a method or property of model m. */
static int column_attr(struct py_index *ix, const struct py_model *m, const char *attr)
{
	size_t lo = 0, hi = ix->ncols;
	if (py_index_fn(ix, m->cls, attr))
		return 0;
	if (py_index_rel(ix, m->cls, attr, NULL) != PL_NONE)
		return 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(strrchr(ix->cols[mid], '.') + 1, attr);
		if (r == 0)
			return 1;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* How the query was written, for advice in the same style. */
enum q_style { QS_SELECT, QS_QUERY, QS_MODEL_QUERY };

/* "Book.id, Book.title" of the attributes read or written as how asks
 * (0: all). */
static void attr_list(const struct track *tr, const char *cls, int how, char *out, size_t n)
{
	size_t o = 0;
	int i;
	out[0] = '\0';
	for (i = 0; i < tr->nattrs && o < n; i++)
		if (!how || (tr->how[i] & how))
			o += (size_t)snprintf(out + o, n - o, "%s%.63s%s%.63s", o ? ", " : "", cls ? cls : "",
					      cls ? "." : "", tr->attrs[i]);
}

static void recommend(const struct py_binds *b, const struct track *tr, const struct py_model *m,
		      enum q_style qs, char *out, size_t n)
{
	enum py_orm orm = py_orm_flavor(b, tr->f);
	const char *recv = tr->recv[0] ? tr->recv : "session";
	const char *aw = py_def_async(tr->ol, tr->f) ? "await " : "";
	char cols[240], sets[240];
	int i, reads = 0, writes = 0;
	for (i = 0; i < tr->nattrs; i++) {
		reads += (tr->how[i] & AT_READ) != 0;
		writes += (tr->how[i] & AT_WRITTEN) != 0;
	}
	attr_list(tr, m->cls, 0, cols, sizeof(cols));
	attr_list(tr, NULL, AT_WRITTEN, sets, sizeof(sets));
	if (writes && !reads)
		snprintf(out, n,
			 "The rows are only changed, never read: update them with one statement, %s%.63s.execute("
			 "update(%.63s).where(<the same filter>).values(%s=...)), instead of loading every %.63s; or, "
			 "to keep the loop, load only the primary key with %s.options(load_only(%s))",
			 qs == QS_SELECT ? aw : "", qs == QS_MODEL_QUERY ? "db.session" : recv, m->cls, sets, m->cls,
			 qs == QS_SELECT ? "select(...)" : "the query", cols);
	else if (writes)
		snprintf(out, n,
			 "The rows are updated, so keep the %.63s objects but load only the columns the code uses: "
			 "%s.options(load_only(%s)) (sqlalchemy.orm.load_only); the other columns stay unloaded and "
			 "the update still works",
			 m->cls, qs == QS_SELECT ? "select(...)" : "the query", cols);
	else if (qs == QS_MODEL_QUERY)
		snprintf(out, n,
			 "Query only these columns: %.63s.query.with_entities(%s) returns rows with those attributes; "
			 "or keep the objects with .options(load_only(%s))",
			 m->cls, cols, cols);
	else if (qs == QS_QUERY || orm == ORM_SA_LEGACY || orm == ORM_FLASK)
		snprintf(out, n,
			 "Query only these columns: %.63s.query(%s) returns rows with those attributes; or keep the "
			 "objects with .options(load_only(%s))",
			 recv, cols, cols);
	else if (orm == ORM_SQLMODEL)
		snprintf(out, n,
			 "Select only these columns: (%s%.63s.exec(select(%s))).all() returns rows with those "
			 "attributes; or keep %.63s objects with select(%.63s).options(load_only(%s))",
			 aw, recv, cols, m->cls, m->cls, cols);
	else
		snprintf(out, n,
			 "Select only these columns: (%s%.63s.execute(select(%s))).all() returns rows with those "
			 "attributes; or keep %.63s objects with %s%.63s.scalars(select(%.63s).options(load_only(%s)))",
			 aw, recv, cols, m->cls, aw, recv, m->cls, cols);
}

static void check_call(struct check_ctx *cx, const struct py_binds *b, struct py_index *ix,
		       const struct py_flow *flow, size_t ci)
{
	const struct py_outline *ol = cx->ol;
	const struct py_call *c = &ol->calls[ci];
	const struct py_model *m;
	struct track tr;
	uint32_t e = 0;
	char issue[1200], rec[1200], reads[256], sets[256], uses[600], desc[160];
	enum severity sev;
	enum q_style qs;
	int i;
	if (c->func < 0 || !(m = whole_model(ol, ix, c, &e)))
		return;
	memset(&tr, 0, sizeof(tr));
	tr.ol = ol;
	tr.t = ol->toks;
	tr.flow = flow;
	tr.f = c->func;
	qs = !strcmp(c->name, "select") ? QS_SELECT : !strcmp(c->name, "query") ? QS_QUERY : QS_MODEL_QUERY;
	if (qs == QS_QUERY)
		snprintf(tr.recv, sizeof(tr.recv), "%.*s", (int)(strrchr(c->callee, '.') - c->callee), c->callee);
	classify(&tr, c->name_begin, e, 0);
	if (tr.stop || !tr.looped || tr.nattrs == 0)
		return;
	for (i = 0; i < tr.nattrs; i++)
		if (!column_attr(ix, m, tr.attrs[i]))
			return;
	attr_list(&tr, NULL, AT_READ, reads, sizeof(reads));
	attr_list(&tr, NULL, AT_WRITTEN, sets, sizeof(sets));
	snprintf(uses, sizeof(uses), "%s%s%s%s%s", reads[0] ? "reads only " : "", reads,
		 reads[0] && sets[0] ? " and " : "", sets[0] ? "sets only " : "", sets);
	sev = m->ncols > WIDER_COLS && py_func_is_handler(ol, c->func) ? SEV_MEDIUM : SEV_LOW;
	sev = check_once_severity(cx, c->func, sev);
	py_func_describe(ol, c->func, desc, sizeof(desc));
	snprintf(issue, sizeof(issue),
		 "%s loads whole %.63s rows (%u columns) and %s of each row: every other column is fetched, "
		 "transferred and hydrated for nothing",
		 desc, m->cls, m->ncols, uses);
	recommend(b, &tr, m, qs, rec, sizeof(rec));
	check_report(cx, c->line, tr.end_line > c->line ? tr.end_line : c->line, sev, issue, rec);
}

void check_over_fetching(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct py_index *ix = check_project_index(cx);
	struct py_binds b;
	struct py_flow flow;
	size_t ci;
	if (!ix || !ix->nfns)
		return;
	py_index_resolve(ix);
	if (!ix->nmodels)
		return;
	if (py_binds_build(&b, ol, cx->context) < 0)
		return;
	if (py_flow_build(ol, &flow) < 0) {
		py_binds_free(&b);
		return;
	}
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		if (!strcmp(c->name, "select") || !strcmp(c->name, "query") || strstr(c->callee, ".query."))
			check_call(cx, &b, ix, &flow, ci);
	}
	py_flow_free(&flow);
	py_binds_free(&b);
}
