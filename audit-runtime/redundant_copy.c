/*
 * redundant_copy
 *
 * What it does:
 *   Finds a list/dict copy that is only read afterwards.
 *
 * Why it matters:
 *   x = list(y), dict(y), y.copy() or copy.copy(y) allocates and fills a
 *   new container.  When x is afterwards only read (iterated, indexed,
 *   len(), membership) and y is not changed while x is in use, the copy
 *   buys nothing.  Copies that are mutated, returned, passed on, stored,
 *   captured, or that protect an iteration from changes to the original are
 *   not reported, nor is list(y) of something that may be an iterator (a
 *   call result, a generator, an untyped parameter read twice).
 *
 * Severity:
 *   LOW, MEDIUM when the copy is made inside a loop
 *
 * Example:
 *   for sensor_id, values in grouped.items():
 *       window = list(values)
 *       peak = max(window)
 *
 * Use instead:
 *   for sensor_id, values in grouped.items():
 *       peak = max(values)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "pyfacts.h"

enum copy_kind { CP_LIST, CP_DICT, CP_COPY };

/* What is known of the copied value y. */
enum source { SRC_NO, SRC_KNOWN, SRC_OBJECT, SRC_ANY };

struct copy_site {
	int s, f;             /* statement, def */
	uint32_t x;           /* the target name token */
	uint32_t yb, ye;      /* the copied chain [yb, ye) */
	enum copy_kind kind;
};

static int tok_eq(const struct py_toks *t, uint32_t a, uint32_t b)
{
	return t->v[a].len == t->v[b].len && !memcmp(py_tok_text(t, a), py_tok_text(t, b), t->v[a].len);
}

/* 1 when tokens at a spell the chain [yb, ye) and a is not after a '.'. */
static int chain_at(const struct py_toks *t, uint32_t a, uint32_t yb, uint32_t ye)
{
	uint32_t i;
	if (a + (ye - yb) > t->n || (a > 0 && py_tok_is(t, a - 1, ".")))
		return 0;
	for (i = 0; i < ye - yb; i++)
		if (!tok_eq(t, a + i, yb + i))
			return 0;
	return 1;
}

/* Recognises "x = list(y)", "x = dict(y)", "x = copy.copy(y)", "x = y.copy()". */
static int parse_copy(const struct py_outline *ol, const struct py_imports *im, int s, struct copy_site *cs)
{
	const struct py_toks *t = ol->toks;
	struct py_assign a;
	uint32_t vb, ve, k;
	char q[128];
	if (!py_stmt_assign(ol, s, &a) || !py_tok_is(t, a.op, "=") || a.target_end != a.target_begin + 1 ||
	    t->v[a.target_begin].kind != PT_NAME)
		return 0;
	cs->s = s;
	cs->f = ol->blocks[ol->stmts[s].block].func;
	cs->x = a.target_begin;
	vb = a.value_begin;
	ve = a.value_end;
	if (cs->f < 0 || ve - vb < 4)
		return 0;
	/* y.copy() */
	if (py_tok_is(t, ve - 1, ")") && py_tok_is(t, ve - 2, "(") && py_tok_is(t, ve - 3, "copy") &&
	    py_tok_is(t, ve - 4, ".") && py_tok_is_chain(t, vb, ve - 4)) {
		cs->yb = vb;
		cs->ye = ve - 4;
		cs->kind = CP_COPY;
		return 1;
	}
	for (k = vb; k < ve && (t->v[k].kind == PT_NAME || py_tok_is(t, k, ".")); k++)
		;
	if (k == vb || k + 2 >= ve || !py_tok_is(t, k, "(") || py_tok_close(t, k, ve) != ve - 1 ||
	    !py_tok_is_chain(t, vb, k) || !py_tok_is_chain(t, k + 1, ve - 1))
		return 0;
	{
		char *callee = py_outline_text(ol, vb, k);
		const char *qual = callee ? py_qualify(im, callee, q, sizeof(q)) : "";
		int ok = 1;
		if (!strcmp(qual, "list") && !strcmp(callee, "list"))
			cs->kind = CP_LIST;
		else if (!strcmp(qual, "dict") && !strcmp(callee, "dict"))
			cs->kind = CP_DICT;
		else if (!strcmp(qual, "copy.copy"))
			cs->kind = CP_COPY;
		else
			ok = 0;
		free(callee);
		if (!ok)
			return 0;
	}
	cs->yb = k + 1;
	cs->ye = ve - 1;
	return !(cs->ye - cs->yb == 1 && tok_eq(t, cs->yb, cs->x));
}

/* 1 when token y is an imported ALL_CAPS name: a module constant (a
 * table of defaults or aliases) defined in another file. */
static int all_caps(const struct py_toks *t, uint32_t y)
{
	const char *p = py_tok_text(t, y);
	size_t i, n = t->v[y].len;
	int upper = 0;
	for (i = 0; i < n; i++) {
		if (p[i] >= 'a' && p[i] <= 'z')
			return 0;
		upper |= p[i] >= 'A' && p[i] <= 'Z';
	}
	return upper;
}

static int imported_constant(const struct py_toks *t, uint32_t y, const struct py_imports *im)
{
	const char *p = py_tok_text(t, y);
	size_t i, n = t->v[y].len;
	for (i = 0; all_caps(t, y) && i < im->n; i++)
		if (strlen(im->v[i].alias) == n && !memcmp(im->v[i].alias, p, n))
			return 1;
	return 0;
}

/* At most this many uses of one name are followed; beyond, the check
 * gives up on that copy (keeps the check linear on generated code). */
#define MAX_USES 64

/* The refs of r spelled like token k, or NULL. */
static const struct py_ref *refs_of(const struct py_refs *r, const struct py_toks *t, uint32_t k, size_t *n)
{
	return py_refs_find(r, py_tok_text(t, k), t->v[k].len, n);
}

/* Index of the first of r[0..n) at or after token from. */
static size_t first_from(const struct py_ref *r, size_t n, uint32_t from)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r[mid].tok < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int in_def(const struct py_outline *ol, const struct copy_site *cs, int stmt)
{
	return ol->blocks[ol->stmts[stmt].block].func == cs->f;
}

/* How a for header binding name token k: 1 when it is a dict's values
 * ("for k, v in d.items()" / "d.values()"), 0 otherwise. */
static int dict_values_loop(const struct py_outline *ol, const struct py_block *fb)
{
	const struct py_toks *t = ol->toks;
	return fb->iter_end >= fb->iter_begin + 3 &&
	       (py_tok_is(t, fb->iter_end - 3, "items") || py_tok_is(t, fb->iter_end - 3, "values")) &&
	       py_tok_is(t, fb->iter_end - 2, "(");
}

/* Where y comes from.  SRC_KNOWN: a name whose last binding before the
 * copy is evidently of kind want (PK_OTHER: any), a dict's values in a for
 * loop, a list/dict-annotated parameter.  SRC_OBJECT: an attribute (a
 * container held by an object) or an imported ALL_CAPS constant, of
 * unknown kind.  SRC_ANY: an unannotated parameter, any iterable.  SRC_NO:
 * it may be an iterator or another type, or is unknown.  *local is set
 * when y is a variable of the def itself. */
static enum source source_ok(const struct py_outline *ol, const struct py_flow *flow,
			     const struct py_imports *im, const struct copy_site *cs, enum py_kind want,
			     int *local)
{
	const struct py_toks *t = ol->toks;
	const struct py_block *d = &ol->blocks[cs->f];
	const struct py_ref *r;
	size_t n, i;
	int last_assign = -1, last_for = -1;
	unsigned p;
	*local = 0;
	if (cs->ye - cs->yb > 1) /* an attribute; dict(row.mapping) is usually a conversion */
		return want != PK_DICT || py_tok_is(t, cs->yb, "self") || py_tok_is(t, cs->yb, "cls") ||
		       all_caps(t, cs->ye - 1) ? SRC_OBJECT : SRC_NO;
	r = refs_of(&flow->assigns, t, cs->yb, &n);
	for (i = first_from(r, n, d->body_begin); i < n && r[i].stmt < cs->s; i++)
		if (in_def(ol, cs, r[i].stmt))
			last_assign = r[i].stmt;
	r = refs_of(&flow->names, t, cs->yb, &n);
	for (i = first_from(r, n, d->body_begin); i < n && r[i].stmt < cs->s; i++) {
		const struct py_stmt *st = &ol->stmts[r[i].stmt];
		if (st->opens >= 0 && ol->blocks[st->opens].kind == PB_FOR && in_def(ol, cs, r[i].stmt) &&
		    r[i].tok < ol->blocks[st->opens].iter_begin)
			last_for = r[i].stmt;
	}
	if (last_for >= 0 && last_for > last_assign) {
		*local = 1;
		return want == PK_OTHER || dict_values_loop(ol, &ol->blocks[ol->stmts[last_for].opens])
		       ? SRC_KNOWN : SRC_NO;
	}
	if (last_assign >= 0) {
		struct py_assign a;
		*local = 1;
		if (!py_stmt_assign(ol, last_assign, &a) || a.target_end != a.target_begin + 1)
			return SRC_NO; /* a tuple target: unknown */
		return want == PK_OTHER || py_expr_kind(ol, a.value_begin, a.value_end) == want ? SRC_KNOWN : SRC_NO;
	}
	for (p = 0; p < d->nparams; p++) {
		const char *ann;
		if (t->v[cs->yb].len != strlen(d->params[p]) ||
		    memcmp(py_tok_text(t, cs->yb), d->params[p], t->v[cs->yb].len))
			continue;
		ann = strchr(d->param_texts[p], ':');
		if (want == PK_OTHER)
			return SRC_KNOWN;
		if (!ann) /* unknown type: list(param) may be materialising an iterator */
			return want == PK_LIST ? SRC_ANY : SRC_NO;
		if (want == PK_DICT)
			return strstr(ann, "dict") || strstr(ann, "Dict") || strstr(ann, "Mapping") ? SRC_KNOWN : SRC_NO;
		return (strstr(ann, "list") || strstr(ann, "List")) && !strstr(ann, "Iter") &&
		       !strstr(ann, "Generator") ? SRC_KNOWN : SRC_NO;
	}
	r = refs_of(&flow->assigns, t, cs->yb, &n);
	for (i = n; i-- > 0 && n - i <= MAX_USES;) {
		struct py_assign a;
		if (ol->stmts[r[i].stmt].block != 0)
			continue;
		if (!py_stmt_assign(ol, r[i].stmt, &a) || a.target_end != a.target_begin + 1)
			return SRC_NO;
		return want == PK_OTHER || py_expr_kind(ol, a.value_begin, a.value_end) == want ? SRC_KNOWN : SRC_NO;
	}
	return imported_constant(t, cs->yb, im) ? SRC_OBJECT : SRC_NO;
}

/* 1 when x is also a parameter of the def or assigned by another
 * statement of it: the copy is then one of several values of x. */
static int bound_elsewhere(const struct py_outline *ol, const struct py_flow *flow,
			   const struct copy_site *cs)
{
	const struct py_toks *t = ol->toks;
	const struct py_block *d = &ol->blocks[cs->f];
	const struct py_ref *r;
	size_t n, i;
	unsigned p;
	for (p = 0; p < d->nparams; p++)
		if (strlen(d->params[p]) == t->v[cs->x].len &&
		    !memcmp(d->params[p], py_tok_text(t, cs->x), t->v[cs->x].len))
			return 1;
	r = refs_of(&flow->assigns, t, cs->x, &n);
	for (i = first_from(r, n, d->body_begin); i < n && r[i].tok < d->body_end; i++)
		if (r[i].stmt != cs->s && in_def(ol, cs, r[i].stmt))
			return 1;
	return 0;
}

static int in_lambda(const struct py_outline *ol, int f, uint32_t k)
{
	size_t b;
	for (b = (size_t)f + 1; b < ol->nblocks && ol->blocks[b].hdr_begin < ol->blocks[f].body_end; b++)
		if (ol->blocks[b].kind == PB_LAMBDA && ol->blocks[b].hdr_begin <= k && k < ol->blocks[b].body_end)
			return 1;
	return 0;
}

/* First token of the region where x and y are live: the outermost loop
 * around the copy within its def, else the copy statement's end. */
static uint32_t region_start(const struct py_outline *ol, const struct copy_site *cs)
{
	int b = py_outline_enclosing(ol, ol->stmts[cs->s].block, PB_MASK(PB_FOR) | PB_MASK(PB_WHILE), 0);
	int top = -1;
	while (b >= 0) {
		top = b;
		b = py_outline_enclosing(ol, ol->blocks[b].parent, PB_MASK(PB_FOR) | PB_MASK(PB_WHILE), 0);
	}
	return top >= 0 ? ol->blocks[top].body_begin : ol->stmts[cs->s].tok_end;
}

/* The uses of x in its live region. */
struct uses {
	int reads;      /* -1: mutated, rebound, escapes, captured, or too many */
	int subscripted;
	int loops[16];  /* for blocks whose iterable mentions x */
	int nloops;
};

static void copy_uses(const struct py_outline *ol, const struct py_flow *flow, const struct copy_site *cs,
		      struct uses *u)
{
	const struct py_toks *t = ol->toks;
	uint32_t from = region_start(ol, cs), end = ol->blocks[cs->f].body_end;
	size_t n, i;
	const struct py_ref *r = refs_of(&flow->names, t, cs->x, &n);
	memset(u, 0, sizeof(*u));
	for (i = first_from(r, n, from); i < n && r[i].tok < end; i++) {
		const struct py_stmt *st = &ol->stmts[r[i].stmt];
		uint32_t k = r[i].tok;
		if (k < from || r[i].stmt == cs->s)
			continue;
		if (++u->reads > MAX_USES || !in_def(ol, cs, r[i].stmt) || in_lambda(ol, cs->f, k)) {
			u->reads = -1;
			return;
		}
		switch (py_name_use(ol, k, k)) {
		case PU_NONE:
			u->reads--;
			break;
		case PU_READ:
			if (k + 1 < t->n && py_tok_is(t, k + 1, "["))
				u->subscripted = 1;
			if (st->opens >= 0 && ol->blocks[st->opens].kind == PB_FOR && u->nloops < 16 &&
			    k >= ol->blocks[st->opens].iter_begin)
				u->loops[u->nloops++] = st->opens;
			break;
		default:
			u->reads = -1;
			return;
		}
	}
}

/* 1 when y may change while x is in use: mutated or passed on in the
 * live region, or (for an attribute or a non-local name) a loop over x
 * calls methods of y's owner, unknown functions, or awaits. */
static int original_changes(const struct py_outline *ol, const struct py_flow *flow,
			    const struct copy_site *cs, const struct uses *u, int local)
{
	const struct py_toks *t = ol->toks;
	uint32_t from = region_start(ol, cs), end = ol->blocks[cs->f].body_end, n = cs->ye - cs->yb;
	size_t nr, i;
	const struct py_ref *r = refs_of(&flow->names, t, cs->yb, &nr);
	int l, seen = 0;
	for (i = first_from(r, nr, from); i < nr && r[i].tok < end; i++) {
		enum py_use use;
		if (r[i].tok < from || r[i].stmt == cs->s || !chain_at(t, r[i].tok, cs->yb, cs->ye))
			continue;
		if (++seen > MAX_USES)
			return 1;
		use = py_name_use(ol, r[i].tok, r[i].tok + n - 1);
		if (use == PU_MUTATE || use == PU_ESCAPE)
			return 1;
	}
	for (l = 0; !local && l < u->nloops; l++) {
		const struct py_block *L = &ol->blocks[u->loops[l]];
		size_t ci;
		for (ci = py_first_call_from(ol, L->body_begin);
		     ci < ol->ncalls && ol->calls[ci].lparen < L->body_end; ci++) {
			const struct py_call *c = &ol->calls[ci];
			size_t rl = t->v[cs->yb].len;
			if (c->is_ref) { /* y's owner handed to a function: it may change y */
				if (n > 1 && !strncmp(c->callee, py_tok_text(t, cs->yb), rl) &&
				    (c->callee[rl] == '\0' || c->callee[rl] == '.'))
					return 1;
				continue;
			}
			if (c->awaited || (n > 1 && !strncmp(c->callee, py_tok_text(t, cs->yb), t->v[cs->yb].len) &&
					   c->callee[t->v[cs->yb].len] == '.') ||
			    (n == 1 && !strchr(c->callee, '.') && !py_is_readonly_callee(c->callee)))
				return 1;
		}
	}
	return 0;
}

static void report(struct check_ctx *cx, const struct copy_site *cs)
{
	const struct py_outline *ol = cx->ol;
	const struct py_stmt *st = &ol->stmts[cs->s];
	char *x = py_outline_text(ol, cs->x, cs->x + 1), *y = py_outline_text(ol, cs->yb, cs->ye);
	char *stmt = py_outline_text(ol, st->tok_begin, st->tok_end);
	char where[160], issue[600], rec[400];
	int loop = py_outline_enclosing(ol, st->block, PB_MASK(PB_FOR) | PB_MASK(PB_WHILE), 0) >= 0;
	py_func_describe(ol, cs->f, where, sizeof(where));
	if (stmt && strlen(stmt) > 80)
		memcpy(stmt + 74, " ...", 5);
	snprintf(issue, sizeof(issue), "%s copies %s in %s, but %s is only read afterwards (never mutated, "
		 "returned or passed on)%s", stmt ? stmt : "the copy", y ? y : "it", where, x ? x : "it",
		 loop ? "; the copy is made on every loop iteration" : "");
	snprintf(rec, sizeof(rec), "read %s directly and drop the copy; copy only where the result is "
		 "mutated or handed to code that may change it", y ? y : "the original");
	check_report(cx, st->line, st->line, loop ? SEV_MEDIUM : SEV_LOW, issue, rec);
	free(x);
	free(y);
	free(stmt);
}

void check_redundant_copy(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct py_imports im;
	struct py_flow flow;
	size_t s;
	if (py_imports_build(ol, &im) < 0)
		return;
	if (py_flow_build(ol, &flow) < 0) {
		py_imports_free(&im);
		return;
	}
	for (s = 0; s < ol->nstmts; s++) {
		struct copy_site cs;
		struct uses u;
		enum source src;
		int local;
		if (!parse_copy(ol, &im, (int)s, &cs))
			continue;
		src = source_ok(ol, &flow, &im, &cs,
				cs.kind == CP_COPY ? PK_OTHER : cs.kind == CP_LIST ? PK_LIST : PK_DICT, &local);
		if (src == SRC_NO || bound_elsewhere(ol, &flow, &cs))
			continue;
		copy_uses(ol, &flow, &cs, &u);
		/* an unknown iterable read twice: list() is there to allow a second
		 * pass; an unknown container indexed: list() may turn a dict or set
		 * into something indexable */
		if (u.reads <= 0 || (src == SRC_ANY && u.reads > 1) ||
		    (src >= SRC_OBJECT && u.subscripted && cs.kind == CP_LIST) ||
		    original_changes(ol, &flow, &cs, &u, local))
			continue;
		report(cx, &cs);
	}
	py_flow_free(&flow);
	py_imports_free(&im);
}
