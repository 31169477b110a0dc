/*
 * pyrefetch: a caller and the entities its callees load again (see
 * pyrefetch.h).  One pass over the calls of each def of the file; the
 * callee's fetches come from the project index.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyrefetch.h"
#include "pyfacts.h"

#define MAX_HOLDS 48
#define MAX_SPANS 16

int py_call_args(const struct py_outline *ol, const struct py_call *c, struct py_arg *v, int max)
{
	const struct py_toks *t = ol->toks;
	uint32_t k, start;
	uint16_t d;
	int n = 0;
	if (c->is_ref || c->rparen <= c->lparen + 1)
		return 0;
	d = (uint16_t)(t->v[c->lparen].depth + 1);
	for (start = k = c->lparen + 1; k <= c->rparen && n < max; k++) {
		if (k < c->rparen && !(py_tok_is(t, k, ",") && t->v[k].depth == d))
			continue;
		if (k > start) {
			v[n].kw = UINT32_MAX;
			v[n].b = start;
			if (start + 1 < k && t->v[start].kind == PT_NAME && py_tok_is(t, start + 1, "=")) {
				v[n].kw = start;
				v[n].b = start + 2;
			}
			v[n].e = k;
			n++;
		}
		start = k + 1;
	}
	return n;
}

int py_ann_class(const char *ann, char *buf, size_t n)
{
	static const char *const wrappers[] = { "Optional", "Annotated", "Union", "Mapped", "Type", "type",
						"Final", NULL };
	static const char *const colls[] = { "list", "List", "Sequence", "Iterable", "Iterator", "set", "Set",
					     "tuple", "Tuple", "dict", "Dict", "AsyncIterator",
					     "AsyncGenerator", "Generator", "Collection", "FrozenSet",
					     "frozenset", "Mapping", NULL };
	const char *p = ann;
	int guard = 0;
	if (!p)
		return 0;
	while (*p && guard++ < 16) {
		const char *s, *e, *last;
		size_t i, l;
		while (*p == ' ' || *p == '"' || *p == '\'' || *p == '|' || *p == '[')
			p++;
		s = p;
		while (isalnum((unsigned char)*p) || *p == '_' || *p == '.')
			p++;
		e = p;
		if (e == s)
			return 0;
		for (last = e; last > s && last[-1] != '.'; last--)
			;
		l = (size_t)(e - last);
		if (l == 4 && !strncmp(last, "None", 4)) {
			while (*p == ' ')
				p++;
			if (*p != '|')
				return 0;
			continue;
		}
		for (i = 0; colls[i]; i++)
			if (strlen(colls[i]) == l && !strncmp(last, colls[i], l))
				return 0;
		for (i = 0; wrappers[i]; i++)
			if (strlen(wrappers[i]) == l && !strncmp(last, wrappers[i], l))
				break;
		if (wrappers[i]) {
			if (*p != '[')
				return 0;
			continue;
		}
		if (!isupper((unsigned char)*last) || l >= n)
			return 0;
		snprintf(buf, n, "%.*s", (int)l, last);
		return 1;
	}
	return 0;
}

int py_ctx_expire_on_commit(const json_t *context)
{
	const json_t *v = json_object_get(json_object_get(context, "db_config"), "expire_on_commit");
	if (json_is_false(v))
		return 0;
	if (json_is_true(v))
		return 1;
	return -1;
}

/* 1 when class cls itself declares attr ("cls.attr" among ix->cols). */
static int declares(const struct py_index *ix, const char *cls, const char *attr)
{
	size_t lo = 0, hi = ix->ncols, cl = strlen(cls);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(strrchr(ix->cols[mid], '.') + 1, attr) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ix->ncols && !strcmp(strrchr(ix->cols[lo], '.') + 1, attr); lo++)
		if (!strncmp(ix->cols[lo], cls, cl) && ix->cols[lo][cl] == '.')
			return 1;
	return 0;
}

static int class_has(struct py_index *ix, const char *cls, const char *attr, int depth)
{
	const struct py_model *m;
	const char *p;
	if (declares(ix, cls, attr))
		return 1;
	/* SQLModel keeps the fields on a base class (HeroBase -> Hero) */
	if (depth > 4 || !(m = py_index_model(ix, cls)) || !m->bases)
		return 0;
	for (p = m->bases; *p;) {
		char base[128];
		size_t l = strcspn(p, ",");
		const char *s = p, *e = p + l;
		while (s < e && *s == ' ')
			s++;
		while (e > s && e[-1] == ' ')
			e--;
		if (e > s && !memchr(s, '=', (size_t)(e - s)) && (size_t)(e - s) < sizeof(base)) {
			const char *last = e;
			while (last > s && last[-1] != '.')
				last--;
			snprintf(base, sizeof(base), "%.*s", (int)(e - last), last);
			if (strcmp(base, cls) && class_has(ix, base, attr, depth + 1))
				return 1;
		}
		p += l;
		if (*p)
			p++;
	}
	return 0;
}

int py_index_class_has(struct py_index *ix, const char *cls, const char *attr)
{
	if (!ix)
		return 0;
	py_index_resolve(ix);
	return class_has(ix, cls, attr, 0);
}

/* Index of the parameter of r that slot names: "=name", or "#n" (the
 * n-th positional argument, self skipped); -1. */
static int slot_param(const struct py_fn *r, const char *slot)
{
	unsigned i, off = r->cls && r->nparams &&
			  (!strcmp(r->params[0].name, "self") || !strcmp(r->params[0].name, "cls"));
	if (slot[0] == '=') {
		for (i = 0; i < r->nparams; i++)
			if (!strcmp(r->params[i].name, slot + 1))
				return (int)i;
		return -1;
	}
	if (slot[0] == '#') {
		i = (unsigned)atoi(slot + 1) + off;
		return i < r->nparams ? (int)i : -1;
	}
	return -1;
}

/* The fetch that loads what f loads: f itself, or for a lookup through a
 * project def the fetch of that def by the key's parameter; NULL. */
static const struct py_fetch *fetch_source(struct py_index *ix, const struct py_fn *fn,
					   const struct py_fetch *f)
{
	unsigned i, k;
	const char *slot;
	if (!f->model)
		return NULL;
	if (f->model[0])
		return f;
	/* a lookup through a project def: pyindex_fetch.c keeps where its key
	 * goes after the empty model's NUL */
	slot = f->model + 1;
	for (i = 0; i < fn->ncalls; i++) {
		const struct py_fn *r;
		int p;
		if (fn->calls[i].line != f->line || fn->calls[i].job_ref)
			continue;
		r = py_index_call_target(ix, &fn->calls[i]);
		if (!r || r == fn || (p = slot_param(r, slot)) < 0)
			continue;
		for (k = 0; k < r->nfetches; k++)
			if (r->fetches[k].key_param == p && r->fetches[k].model && r->fetches[k].model[0])
				return &r->fetches[k];
	}
	return NULL;
}

const char *py_fetch_model(struct py_index *ix, const struct py_fn *fn, const struct py_fetch *f)
{
	const struct py_fetch *src = fetch_source(ix, fn, f);
	return src ? src->model : NULL;
}

/* 1 when fetch f looks the row up in the session's identity map first:
 * session.get(M, k), query(M).get(k), M.query.get(k) -- a row the session
 * already holds costs no round trip. */
static int identity_lookup(const struct py_fetch *f)
{
	const char *s = f->snippet;
	if (!s || !(strstr(s, ".get(") || strstr(s, ".get_one(") || strstr(s, "get_or_404(")))
		return 0;
	return !strstr(s, "select(") && !strstr(s, ".filter") && !strstr(s, ".where(") &&
	       !strstr(s, ".execute(") && !strstr(s, ".scalar");
}

/* 1 when param p of fn carries a session: a session, or a repository or
 * unit of work built on one. */
static int session_param(const struct py_fn *fn, unsigned p)
{
	static const char *const words[] = { "Session", "session", "Repo", "repo", "UnitOfWork", "uow", "Dao",
					     "DAO", "crud", NULL };
	const struct py_param *pp = &fn->params[p];
	size_t i;
	if (!strcmp(pp->name, "db") || !strcmp(pp->name, "conn"))
		return 1;
	for (i = 0; words[i]; i++)
		if ((pp->ann && strstr(pp->ann, words[i])) || strstr(pp->name, words[i]))
			return 1;
	return 0;
}

/* ---- the walk */

struct hold {
	char var[64];        /* "" for none */
	char cls[128];
	char key[160];       /* PH_FETCHED: the key text */
	char values[192];    /* PH_BUILT: " a b " */
	unsigned line;
	int blk;             /* block of the statement that got it */
	uint8_t how;
};

struct span { unsigned line, end_line; };

struct walk {
	struct py_index *ix;
	const struct py_binds *b;
	const struct py_outline *ol;
	const struct py_toks *t;
	int a;                       /* the def */
	const struct py_fn *fn;
	struct hold holds[MAX_HOLDS];
	int nholds;
	unsigned commits[MAX_SPANS]; /* lines of commits in A */
	int ncommits;
	struct span blocks[MAX_SPANS]; /* A's session with-blocks */
	int nblocks;
	py_refetch_cb cb;
	void *arg;
};

/* Block of the statement of def a that starts last at or before line. */
static int block_at(const struct py_outline *ol, int a, unsigned line)
{
	size_t lo = 0, hi = ol->nstmts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ol->stmts[mid].line <= line)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo > 0 && ol->stmts[lo - 1].tok_begin >= ol->blocks[a].body_begin) {
		const struct py_stmt *st = &ol->stmts[lo - 1];
		if (ol->blocks[st->block].func == a)
			return st->block;
		lo--;
	}
	return a;
}

static struct hold *new_hold(struct walk *w, enum py_hold how, const char *var, size_t vl, const char *cls,
			     unsigned line)
{
	struct hold *h;
	if (w->nholds >= MAX_HOLDS || vl >= sizeof(h->var))
		return NULL;
	h = &w->holds[w->nholds++];
	memset(h, 0, sizeof(*h));
	h->how = (uint8_t)how;
	snprintf(h->var, sizeof(h->var), "%.*s", (int)vl, var ? var : "");
	snprintf(h->cls, sizeof(h->cls), "%s", cls);
	h->line = line;
	h->blk = line == w->ol->blocks[w->a].line ? w->a : block_at(w->ol, w->a, line);
	return h;
}

/* 1 when with-block blk opens a session or a transaction. */
static int session_with(const struct py_binds *b, int blk)
{
	const struct py_block *bl = &b->ol->blocks[blk];
	unsigned i;
	for (i = 0; i < bl->nitems; i++) {
		const struct py_with_item *it = &bl->items[i];
		if ((it->target && py_recv_is_session(b, blk, it->target, bl->hdr_begin)) ||
		    (it->expr && (strstr(it->expr, "begin(") || strstr(it->expr, "ession"))))
			return 1;
	}
	return 0;
}

/* The def's commits and session blocks, for staleness. */
static void note_sessions(struct walk *w)
{
	const struct py_outline *ol = w->ol;
	const struct py_block *d = &ol->blocks[w->a];
	size_t i, ci;
	for (i = (size_t)w->a + 1; i < ol->nblocks && ol->blocks[i].line <= d->end_line; i++)
		if (ol->blocks[i].kind == PB_WITH && ol->blocks[i].func == w->a && w->nblocks < MAX_SPANS &&
		    session_with(w->b, (int)i)) {
			w->blocks[w->nblocks].line = ol->blocks[i].line;
			w->blocks[w->nblocks].end_line = ol->blocks[i].end_line;
			w->nblocks++;
		}
	for (ci = py_first_call_from(ol, d->body_begin);
	     ci < ol->ncalls && ol->calls[ci].lparen < d->body_end; ci++) {
		struct py_dbop_info info;
		if (ol->calls[ci].func == w->a && !strcmp(ol->calls[ci].name, "commit") &&
		    py_call_dbop(w->b, ci, &info) == DBOP_COMMIT && w->ncommits < MAX_SPANS)
			w->commits[w->ncommits++] = ol->calls[ci].line;
	}
}

/* 1 when what A got at line held may be expired or detached at line use:
 * a commit between, or the end of the session block it was loaded in. */
static int stale(const struct walk *w, unsigned held, unsigned use)
{
	int i;
	for (i = 0; i < w->ncommits; i++)
		if (w->commits[i] > held && w->commits[i] < use)
			return 1;
	for (i = 0; i < w->nblocks; i++)
		if (w->blocks[i].line <= held && held <= w->blocks[i].end_line && w->blocks[i].end_line < use)
			return 1;
	return 0;
}

/* The latest hold named var before line. */
static const struct hold *hold_named(const struct walk *w, const char *var, size_t vl, unsigned line)
{
	int i;
	for (i = w->nholds - 1; i >= 0; i--)
		if (w->holds[i].line < line && strlen(w->holds[i].var) == vl &&
		    !strncmp(w->holds[i].var, var, vl))
			return &w->holds[i];
	return NULL;
}

/* 1 when tokens [vb,ve) are only call c: "await" and "(" before it, ")" after. */
static int only_call(const struct py_toks *t, uint32_t vb, uint32_t ve, const struct py_call *c)
{
	uint32_t k;
	if (c->name_begin < vb || c->rparen >= ve)
		return 0;
	for (k = vb; k < c->name_begin; k++)
		if (!py_tok_is(t, k, "await") && !py_tok_is(t, k, "("))
			return 0;
	for (k = c->rparen + 1; k < ve; k++)
		if (!py_tok_is(t, k, ")"))
			return 0;
	return 1;
}

/* The single name call c's statement assigns c to, or 0. */
static int assigned_to(const struct walk *w, const struct py_call *c, const char **var, size_t *vl)
{
	struct py_assign a;
	if (c->parent_call >= 0 || !py_stmt_assign(w->ol, c->stmt, &a) || !py_tok_is(w->t, a.op, "=") ||
	    a.target_end != a.target_begin + 1 || w->t->v[a.target_begin].kind != PT_NAME ||
	    !only_call(w->t, a.value_begin, a.value_end, c))
		return 0;
	*var = py_tok_text(w->t, a.target_begin);
	*vl = w->t->v[a.target_begin].len;
	return 1;
}

/* Appends the keyword names of call c's arguments to buf as " a b ". */
static void kw_names(const struct walk *w, const struct py_call *c, char *buf, size_t n)
{
	struct py_arg v[32];
	int na = py_call_args(w->ol, c, v, 32), i;
	size_t o = strlen(buf);
	if (!o && n > 1) {
		buf[0] = ' ';
		buf[1] = '\0';
		o = 1;
	}
	for (i = 0; i < na; i++)
		if (v[i].kw != UINT32_MAX && o + w->t->v[v[i].kw].len + 2 < n) {
			snprintf(buf + o, n - o, "%.*s ", (int)w->t->v[v[i].kw].len,
				 py_tok_text(w->t, v[i].kw));
			o = strlen(buf);
		}
}

/* insert(M).values(a=...)...returning(M.id) in tokens [vb,ve): the
 * keywords of values() into h.  0 when not such an insert. */
static int inserted(const struct walk *w, uint32_t vb, uint32_t ve, const char *model, struct hold *h)
{
	const struct py_outline *ol = w->ol;
	size_t ci, li;
	uint32_t k;
	int returning = 0;
	for (k = vb; k < ve; k++)
		if (py_tok_is(w->t, k, "returning"))
			returning = 1;
	if (!returning)
		return 0;
	for (ci = py_first_call_from(ol, vb); ci < ol->ncalls && ol->calls[ci].lparen < ve; ci++) {
		const struct py_call *c = &ol->calls[ci];
		struct py_arg v[2];
		uint32_t l;
		const char *s;
		if (c->is_ref || strcmp(c->name, "insert") || strchr(c->callee, '(') ||
		    py_call_args(ol, c, v, 2) != 1 || !py_tok_is_chain(w->t, v[0].b, v[0].e))
			continue;
		s = py_tok_span(w->t, v[0].e - 1, v[0].e, &l);
		if (strlen(model) != l || strncmp(s, model, l))
			return 0;
		for (li = ci + 1; li < ol->ncalls && ol->calls[li].lparen < ve; li++)
			if (ol->calls[li].name_begin == c->name_begin &&
			    !strcmp(ol->calls[li].name, "values"))
				kw_names(w, &ol->calls[li], h->values, sizeof(h->values));
		return h->values[0] != '\0';
	}
	return 0;
}

/* 1 when name[0..n) is bound anew (assigned, a for or with target)
 * after line held and before call c, within the def. */
static int rebound(const struct walk *w, const char *name, size_t n, unsigned held, const struct py_call *c)
{
	const struct py_outline *ol = w->ol;
	int s = c->stmt;
	for (; s >= 0 && ol->stmts[s].line > held; s--) {
		uint32_t k, e = s == c->stmt ? c->name_begin : ol->stmts[s].tok_end;
		if (ol->blocks[ol->stmts[s].block].func != w->a && ol->stmts[s].opens != w->a)
			continue;
		for (k = ol->stmts[s].tok_begin; k < e; k++)
			if (w->t->v[k].kind == PT_NAME && w->t->v[k].len == n &&
			    !strncmp(py_tok_text(w->t, k), name, n) &&
			    !(k > 0 && py_tok_is(w->t, k - 1, ".")) && py_name_use(ol, k, k) == PU_REBIND)
				return 1;
	}
	return 0;
}

/* 1 when block a is b or encloses it. */
static int encloses(const struct py_outline *ol, int a, int b)
{
	for (; b >= 0; b = ol->blocks[b].parent)
		if (b == a)
			return 1;
	return 0;
}

/* 1 when what was got in block hb is got on every path to call c: hb
 * encloses c, or lies in with-blocks or try bodies that do. */
static int dominates(const struct walk *w, int hb, const struct py_call *c)
{
	const struct py_outline *ol = w->ol;
	int cb = ol->stmts[c->stmt].block;
	for (; hb >= 0 && hb != w->a; hb = ol->blocks[hb].parent) {
		if (encloses(ol, hb, cb))
			return 1;
		if (ol->blocks[hb].kind != PB_WITH && ol->blocks[hb].kind != PB_TRY)
			return 0;
	}
	return 1;
}

/* What A holds of model when it passes argument [ab,ae) at call c. */
static const struct hold *find_hold(struct walk *w, const struct py_call *c, uint32_t ab, uint32_t ae,
				    const char *model, const char *text, struct hold *tmp, int depth)
{
	const struct py_toks *t = w->t;
	int i;
	if (ae == ab + 3 && t->v[ab].kind == PT_NAME && py_tok_is(t, ab + 1, ".") &&
	    (py_tok_is(t, ab + 2, "id") || py_tok_is(t, ab + 2, "pk"))) {
		const struct hold *h = hold_named(w, py_tok_text(t, ab), t->v[ab].len, c->line);
		if (!h || !dominates(w, h->blk, c) ||
		    rebound(w, py_tok_text(t, ab), t->v[ab].len, h->line, c))
			return NULL;
		if (h->how == PH_CLASS_PARAM)
			return py_index_model(w->ix, h->cls) ? NULL : h;
		return strcmp(h->cls, model) ? NULL : h;
	}
	for (i = w->nholds - 1; i >= 0; i--)
		if (w->holds[i].how == PH_FETCHED && w->holds[i].line < c->line &&
		    !strcmp(w->holds[i].key, text) && !strcmp(w->holds[i].cls, model) &&
		    dominates(w, w->holds[i].blk, c)) {
			/* the same key expression: its names must still hold the same values */
			uint32_t k;
			for (k = ab; k < ae; k++)
				if (t->v[k].kind == PT_NAME && !(k > ab && py_tok_is(t, k - 1, ".")) &&
				    rebound(w, py_tok_text(t, k), t->v[k].len, w->holds[i].line, c))
					return NULL;
			return &w->holds[i];
		}
	if (ae == ab + 1 && t->v[ab].kind == PT_NAME && depth == 0) {
		char name[128];
		uint32_t vb, ve;
		snprintf(name, sizeof(name), "%.*s", (int)t->v[ab].len, py_tok_text(t, ab));
		if (!py_last_assign(w->ol, w->a, name, c->name_begin, &vb, &ve))
			return NULL;
		if (ve == vb + 3)
			return find_hold(w, c, vb, ve, model, "", tmp, depth + 1);
		memset(tmp, 0, sizeof(*tmp));
		if (inserted(w, vb, ve, model, tmp)) {
			tmp->how = PH_INSERTED;
			snprintf(tmp->cls, sizeof(tmp->cls), "%s", model);
			tmp->line = t->v[vb].line;
			return tmp;
		}
	}
	return NULL;
}

/* Argument of call c that goes to parameter p of callee (self skipped). */
static int arg_for(const struct walk *w, const struct py_call *c, const struct py_fn *callee, int p,
		   uint32_t *ab, uint32_t *ae)
{
	struct py_arg v[32];
	int n = py_call_args(w->ol, c, v, 32), i, pos = 0, off = 0;
	const char *pname = callee->params[p].name;
	if (callee->cls && callee->nparams && (!strcmp(callee->params[0].name, "self") ||
					       !strcmp(callee->params[0].name, "cls")))
		off = 1;
	for (i = 0; i < n; i++) {
		const struct py_tok *k0 = &w->t->v[v[i].b];
		if (k0->kind == PT_OP && (py_tok_is(w->t, v[i].b, "*") || py_tok_is(w->t, v[i].b, "**")))
			return 0;
		if (v[i].kw == UINT32_MAX) {
			if (pos++ + off == p) {
				*ab = v[i].b;
				*ae = v[i].e;
				return 1;
			}
		} else if (strlen(pname) == w->t->v[v[i].kw].len &&
			   !strncmp(pname, py_tok_text(w->t, v[i].kw), w->t->v[v[i].kw].len)) {
			*ab = v[i].b;
			*ae = v[i].e;
			return 1;
		}
	}
	return 0;
}

/* 1 when callee works in the caller's session: the caller hands it a
 * session argument, or both are methods of one class called on self. */
static int same_session(const struct walk *w, const struct py_call *c, const struct py_fn *callee)
{
	unsigned p;
	uint32_t ab, ae;
	for (p = 0; p < callee->nparams; p++)
		if (session_param(callee, p) && arg_for(w, c, callee, (int)p, &ab, &ae))
			return 1;
	return callee->cls && w->fn->cls && !strcmp(callee->cls, w->fn->cls) &&
	       !strncmp(c->callee, "self.", 5);
}

static void call_fetches(struct walk *w, const struct py_call *c, const struct py_fn *callee)
{
	unsigned k;
	for (k = 0; k < callee->nfetches; k++) {
		const struct py_fetch *f = &callee->fetches[k];
		const char *model;
		const struct hold *h;
		struct hold tmp;
		struct py_refetch r;
		uint32_t ab, ae;
		char *text;
		if (f->key_param < 0 || (unsigned)f->key_param >= callee->nparams ||
		    !arg_for(w, c, callee, f->key_param, &ab, &ae) ||
		    !(model = py_fetch_model(w->ix, callee, f)))
			continue;
		if (!(text = py_outline_text(w->ol, ab, ae)))
			return;
		h = find_hold(w, c, ab, ae, model, text, &tmp, 0);
		if (h && h->how <= PH_BUILT && identity_lookup(fetch_source(w->ix, callee, f)) &&
		    same_session(w, c, callee))
			h = NULL; /* served from the identity map of the session that holds it: no round trip */
		if (h) {
			memset(&r, 0, sizeof(r));
			r.def = w->a;
			r.caller = w->fn;
			r.call = c;
			r.callee = callee;
			r.fetch = f;
			r.model = model;
			r.param = callee->params[f->key_param].name;
			r.arg = text;
			r.how = (enum py_hold)h->how;
			r.holder = h->var[0] ? h->var : NULL;
			r.cls = h->cls;
			r.values = h->values[0] ? h->values : NULL;
			r.held_line = h->line;
			r.stale = (uint8_t)stale(w, h->line, c->line);
			w->cb(w->arg, &r);
		}
		free(text);
	}
}

/* 1 when def name creates what it returns (create_order, make_user). */
static int creator_name(const char *name)
{
	static const char *const verbs[] = { "create", "make", "build", "new", "add", "insert", "register",
					     "save", "upsert", "clone", "copy", "_create", "_make", "_build",
					     NULL };
	size_t i;
	for (i = 0; verbs[i]; i++)
		if (!strncmp(name, verbs[i], strlen(verbs[i])))
			return 1;
	return 0;
}

/* 1 when class cls reads as a request payload (OrderCreate, BookIn,
 * UserUpdate): its values are what the client sent, not the stored row. */
static int input_schema(const char *cls)
{
	static const char *const sfx[] = { "Create", "Update", "In", "Input", "Request", "Payload", "Body",
					   "Form", "Patch", "Params", "Query", "Filter", NULL };
	size_t i, l = strlen(cls);
	for (i = 0; sfx[i]; i++) {
		size_t n = strlen(sfx[i]);
		if (l > n && !strcmp(cls + l - n, sfx[i]))
			return 1;
	}
	return 0;
}

/* Holds that a call creates: V = project_def(...) whose return annotation
 * names a model, V = Model(...). */
static void call_holds(struct walk *w, const struct py_call *c, const struct py_fn *callee)
{
	char cls[128];
	const char *var;
	size_t vl;
	struct hold *h;
	if (!assigned_to(w, c, &var, &vl))
		return;
	if (callee && callee->returns && !creator_name(callee->name) &&
	    py_ann_class(callee->returns, cls, sizeof(cls)) && py_index_model(w->ix, cls)) {
		new_hold(w, PH_RETURNED, var, vl, cls, c->line);
		return;
	}
	if (!callee && isupper((unsigned char)c->name[0]) && py_index_model(w->ix, c->name) &&
	    (h = new_hold(w, PH_BUILT, var, vl, c->name, c->line)))
		kw_names(w, c, h->values, sizeof(h->values));
}

/* 1 when callee takes ids by design or is the lookup itself: a
 * background task or job entry point (objects do not cross into its own
 * session or thread), a request handler, a lookup (get, get_by_*, fetch*, load*),
 * or a def returning the model it loads (the caller then loads twice,
 * which is the caller's own repeat, not this callee's). */
static int by_id_by_design(const struct py_fn *callee)
{
	unsigned i;
	char cls[128];
	if (callee->job || callee->handler)
		return 1;
	for (i = 0; i < callee->ndecorators; i++)
		if (strstr(callee->decorators[i], "task") || strstr(callee->decorators[i], "job") ||
		    strstr(callee->decorators[i], "actor"))
			return 1;
	if (!strcmp(callee->name, "get") || !strncmp(callee->name, "get_by", 6) ||
	    !strncmp(callee->name, "find_by", 7) || !strncmp(callee->name, "fetch", 5) ||
	    !strncmp(callee->name, "load", 4))
		return 1;
	/* get_user(db, user_id): returns what it loads */
	if (!strncmp(callee->name, "get_", 4) || !strncmp(callee->name, "find_", 5) ||
	    !strncmp(callee->name, "read_", 5) || !strncmp(callee->name, "retrieve", 8))
		for (i = 0; i < callee->nfetches; i++) {
			const char *sn = callee->fetches[i].snippet;
			while (sn && (*sn == ' ' || *sn == '\t'))
				sn++;
			if (!callee->fetches[i].var && sn && !strncmp(sn, "return ", 7))
				return 1;
		}
	if (callee->returns && py_ann_class(callee->returns, cls, sizeof(cls)))
		for (i = 0; i < callee->nfetches; i++)
			if (callee->fetches[i].model && !strcmp(callee->fetches[i].model, cls))
				return 1;
	return 0;
}

/* 1 when annotation ann names class cls from a schemas/DTO module
 * (schemas.User, a User imported from app.schemas): a pydantic value
 * named like the model, not the loaded row. */
static int schema_class(const struct walk *w, const char *ann, const char *cls)
{
	static const char *const mods[] = { "schema", "dto", "pydantic", "serializer", NULL };
	char q[256], qq[512];
	const char *p = strstr(ann, cls);
	size_t i, l;
	if (!p)
		return 0;
	/* the dotted name as written: back to its first component */
	while (p > ann && (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '.'))
		p--;
	l = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.");
	snprintf(q, sizeof(q), "%.*s", (int)(l < 200 ? l : 200), p);
	py_binds_qualify(w->b, q, qq, sizeof(qq));
	for (i = 0; mods[i]; i++)
		if (strstr(qq, mods[i]))
			return 1;
	return 0;
}

static void walk_def(struct walk *w)
{
	const struct py_outline *ol = w->ol;
	const struct py_block *d = &ol->blocks[w->a];
	const struct py_fn *fn = w->fn;
	unsigned i, j = 0;
	size_t ci;
	char cls[128];
	for (i = 0; i < fn->nparams; i++) {
		const struct py_param *pp = &fn->params[i];
		int injected =
			(pp->deflt && (strstr(pp->deflt, "Depends(") || strstr(pp->deflt, "Security("))) ||
			strstr(pp->ann ? pp->ann : "", "Depends(") != NULL;
		if (!pp->ann || !py_ann_class(pp->ann, cls, sizeof(cls)))
			continue;
		if (py_index_model(w->ix, cls) && !schema_class(w, pp->ann, cls))
			new_hold(w, PH_MODEL_PARAM, pp->name, strlen(pp->name), cls, d->line);
		else if (!input_schema(cls) && (injected || !fn->handler))
			/* an injected value (the current user from the token) or a value object
			 * handed down; a handler's own body or query parameters are what the
			 * client sent, not the stored row */
			new_hold(w, PH_CLASS_PARAM, pp->name, strlen(pp->name), cls, d->line);
	}
	for (i = 0; i < fn->nfetches; i++) {
		const struct py_fetch *f = &fn->fetches[i];
		const char *m = py_fetch_model(w->ix, fn, f);
		struct hold *h;
		if (m && (h = new_hold(w, PH_FETCHED, f->var, f->var ? strlen(f->var) : 0, m, f->line)))
			snprintf(h->key, sizeof(h->key), "%s", f->key);
	}
	note_sessions(w);
	for (ci = py_first_call_from(ol, d->body_begin);
	     ci < ol->ncalls && ol->calls[ci].lparen < d->body_end; ci++) {
		const struct py_call *c = &ol->calls[ci];
		const struct py_fn *callee = NULL;
		unsigned k;
		if (c->func != w->a || c->is_ref)
			continue;
		while (j < fn->ncalls && fn->calls[j].line < c->line)
			j++; /* sites of earlier lines that matched no call: never rescanned */
		for (k = j; k < fn->ncalls && fn->calls[k].line <= c->line; k++)
			if (fn->calls[k].line == c->line && !fn->calls[k].job_ref &&
			    !strcmp(fn->calls[k].callee, c->callee)) {
				callee = py_index_call_target(w->ix, &fn->calls[k]);
				j = k + 1;
				break;
			}
		if (callee && callee != fn && callee->nfetches && !by_id_by_design(callee))
			call_fetches(w, c, callee);
		call_holds(w, c, callee);
	}
}

void py_refetch_each(struct py_index *ix, const char *path, const struct py_binds *b, py_refetch_cb cb,
		     void *arg)
{
	const struct py_outline *ol = b->ol;
	struct walk *w;
	size_t i;
	if (!ix)
		return;
	py_index_resolve(ix);
	w = malloc(sizeof(*w));
	if (!w)
		return;
	for (i = 0; i < ol->nblocks; i++) {
		const struct py_fn *fn;
		if (ol->blocks[i].kind != PB_DEF || !(fn = py_index_fn_at(ix, path, ol->blocks[i].line)))
			continue;
		/* the arrays are only read below their counts: zeroing all of
		 * them (28 KB) for every def was 7% of audit-query */
		w->nholds = w->ncommits = w->nblocks = 0;
		w->ix = ix;
		w->b = b;
		w->ol = ol;
		w->t = ol->toks;
		w->a = (int)i;
		w->fn = fn;
		w->cb = cb;
		w->arg = arg;
		walk_def(w);
	}
	free(w);
}
