/*
 * pyindex_fetch: the entities a def loads by key (see pyindex_p.h).
 *
 * A fetch is one row of a model loaded by its key: session.get(M, k),
 * select(M).where(M.id == k) executed and reduced to one row,
 * session.query(M).get(k) / .filter_by(id=k).first() / .filter(M.id == k)
 * .one(), M.query.get(k), M.objects.get(pk=k), get_object_or_404(M, pk=k),
 * or a lookup through another def: a repository method named get,
 * get_by_id, find_by_id, fetch* or load*, or a helper such as
 * crud.get_user(db, user_id=k) whose key reads like one.  What such a
 * lookup loads is only known once the index resolves calls, so its model
 * is left empty ("") and the argument slot its key goes to ("=name" or
 * "#position") is kept after that string's NUL for lib/pyrefetch.c
 * (py_fetch_model), which maps it to the resolved def's own fetch.  For
 * each fetch assigned to a name, what the def does with that name
 * afterwards: which attributes it reads (f-strings included), whether the
 * object escapes (mutated, passed on, returned, locked, used whole).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyindex_p.h"
#include "pyfacts.h"
#include "pyrefetch.h"

#define SNIPPET_MAX 400
#define ATTRS_MAX 256

static const char *const one_row[] = { "first", "one", "one_or_none", "scalar", "scalar_one",
				       "scalar_one_or_none", "get", "get_or_404", "first_or_404",
				       "one_or_404", "get_one", NULL };
/* result links that keep a one-row result one row */
static const char *const passthrough[] = { "scalars", "unique", "mappings", NULL };

static int in_list(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == n && !strncmp(s, *list, n))
			return 1;
	return 0;
}

static int tok_in(const struct py_toks *t, uint32_t k, const char *const *list)
{
	return t->v[k].kind == PT_NAME && in_list(py_tok_text(t, k), t->v[k].len, list);
}

/* ---- arguments */

/* Positional argument idx, or the keyword argument named one of kws. */
static const struct py_arg *find_arg(const struct py_toks *t, const struct py_arg *v, int n, int idx,
				  const char *const *kws)
{
	int i, pos = 0;
	for (i = 0; i < n; i++) {
		if (v[i].kw == UINT32_MAX) {
			if (pos++ == idx)
				return &v[i];
		} else if (kws && tok_in(t, v[i].kw, kws)) {
			return &v[i];
		} else if (t->v[v[i].b].kind == PT_OP &&
			   (py_tok_is(t, v[i].b, "*") || py_tok_is(t, v[i].b, "**"))) {
			return NULL;
		}
	}
	return NULL;
}

/* The model a dotted chain [b,e) names: its last component when
 * capitalised (Book, models.Book), else NULL.  Borrowed token text. */
static int model_chain(const struct py_toks *t, uint32_t b, uint32_t e, char *buf, size_t n)
{
	const char *s;
	if (b >= e || !py_tok_is_chain(t, b, e))
		return 0;
	s = py_tok_text(t, e - 1);
	if (!isupper((unsigned char)s[0]))
		return 0;
	snprintf(buf, n, "%.*s", (int)t->v[e - 1].len, s);
	return 1;
}

/* ---- key filters */

/* End of the expression starting at k: the first "," or closing bracket
 * at its depth, or a boolean operator, before end. */
static uint32_t expr_end(const struct py_toks *t, uint32_t k, uint32_t end)
{
	uint16_t d = t->v[k].depth;
	for (; k < end; k++) {
		if (t->v[k].depth < d)
			break;
		if (t->v[k].depth == d &&
		    (py_tok_is(t, k, ",") || py_tok_is(t, k, ")") || py_tok_is(t, k, "]") ||
		     py_tok_is(t, k, "&") || py_tok_is(t, k, "|") || py_tok_is(t, k, "and") ||
		     py_tok_is(t, k, "or") || py_tok_is(t, k, "if")))
			break;
	}
	return k;
}

static int is_key_col(const struct py_toks *t, uint32_t k)
{
	return py_tok_is(t, k, "id") || py_tok_is(t, k, "pk");
}

/* The key compared with model.id / model.pk in tokens [b,e): "M.id == k"
 * or "k == M.id".  0 when none. */
static int key_compare(const struct py_toks *t, uint32_t b, uint32_t e, const char *model, uint32_t *kb,
		       uint32_t *ke)
{
	size_t ml = strlen(model);
	uint32_t k;
	for (k = b; k + 2 < e; k++) {
		if (t->v[k].kind != PT_NAME || t->v[k].len != ml || strncmp(py_tok_text(t, k), model, ml) ||
		    !py_tok_is(t, k + 1, ".") || !is_key_col(t, k + 2))
			continue;
		if (k > b && py_tok_is(t, k - 1, ".") && !(k >= b + 2 && t->v[k - 2].kind == PT_NAME))
			continue;
		if (k + 4 < e && py_tok_is(t, k + 3, "==")) {
			*kb = k + 4;
			*ke = expr_end(t, k + 4, e);
			return *ke > *kb;
		}
		if (k >= b + 2 && py_tok_is(t, k - 1, "==") && t->v[k - 2].kind == PT_NAME &&
		    !(k >= b + 3 && py_tok_is(t, k - 3, "."))) {
			/* only a simple name on the left: k == Model.id */
			*kb = k - 2;
			*ke = k - 1;
			return 1;
		}
	}
	return 0;
}

/* The id=/pk= keyword argument of call c. */
static int key_kwarg(const struct py_outline *ol, const struct py_call *c, uint32_t *kb, uint32_t *ke)
{
	static const char *const kws[] = { "id", "pk", NULL };
	struct py_arg v[16];
	int n = py_call_args(ol, c, v, 16), i;
	for (i = 0; i < n; i++)
		if (v[i].kw != UINT32_MAX && tok_in(ol->toks, v[i].kw, kws)) {
			*kb = v[i].b;
			*ke = v[i].e;
			return 1;
		}
	return 0;
}

/* ---- the rows a statement keeps */

/* 1 when tokens after the executing call's ')' reduce the result to one
 * row: ").scalar_one()", ".scalars().first()".  *last gets the last token
 * of that chain. */
static int one_row_tail(const struct py_toks *t, uint32_t r, uint32_t end, uint32_t *last)
{
	uint32_t k = r + 1;
	int one = 0;
	*last = r;
	while (k < end && py_tok_is(t, k, ")"))
		k++;
	while (k + 3 < end + 1 && py_tok_is(t, k, ".") && t->v[k + 1].kind == PT_NAME &&
	       py_tok_is(t, k + 2, "(")) {
		uint32_t close = py_tok_close(t, k + 2, end);
		if (close >= end)
			break;
		if (tok_in(t, k + 1, one_row))
			one = 1;
		else if (!tok_in(t, k + 1, passthrough))
			return 0;
		*last = close;
		k = close + 1;
		while (k < end && py_tok_is(t, k, ")"))
			k++;
	}
	return one;
}

/* 1 when tokens [vb,ve) are only the fetch: "await" and "(" before start,
 * ")" after stop. */
static int whole_value(const struct py_toks *t, uint32_t vb, uint32_t ve, uint32_t start, uint32_t stop)
{
	uint32_t k;
	if (start < vb || stop >= ve)
		return 0;
	for (k = vb; k < start; k++)
		if (!py_tok_is(t, k, "await") && !py_tok_is(t, k, "("))
			return 0;
	for (k = stop + 1; k < ve; k++)
		if (!py_tok_is(t, k, ")"))
			return 0;
	return 1;
}

/* ---- what the def does with the loaded object */

struct use {
	char attrs[ATTRS_MAX];
	unsigned nattrs;
	uint8_t escapes;
};

static void add_attr(struct use *u, const char *s, size_t n)
{
	char key[72];
	size_t o = strlen(u->attrs);
	if (n == 0 || n > 64)
		return;
	snprintf(key, sizeof(key), " %.*s ", (int)n, s);
	if (o == 0) {
		u->attrs[0] = ' ';
		u->attrs[1] = '\0';
		o = 1;
	}
	if (strstr(u->attrs, key))
		return;
	u->nattrs++;
	if (o + n + 1 < sizeof(u->attrs))
		snprintf(u->attrs + o, sizeof(u->attrs) - o, "%.*s ", (int)n, s);
}

static int ident(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

/* Uses of var inside the replacement fields of an f-string token. */
static void fstring_uses(const char *s, size_t n, const char *var, struct use *u)
{
	size_t vl = strlen(var), i;
	int depth = 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '{') {
			if (!depth && i + 1 < n && s[i + 1] == '{') {
				i++;
				continue;
			}
			depth++;
			continue;
		}
		if (s[i] == '}') {
			if (depth)
				depth--;
			continue;
		}
		if (!depth || i + vl > n || strncmp(s + i, var, vl) ||
		    (i > 0 && (ident(s[i - 1]) || s[i - 1] == '.')) || (i + vl < n && ident(s[i + vl])))
			continue;
		if (i + vl + 1 < n && s[i + vl] == '.' && ident(s[i + vl + 1])) {
			size_t a = i + vl + 1, e = a;
			while (e < n && ident(s[e]))
				e++;
			if (e < n && s[e] == '(')
				u->escapes = 1;
			else
				add_attr(u, s + a, e - a);
			i = e - 1;
		} else {
			u->escapes = 1;
			i += vl - 1;
		}
	}
}

/* Reads the uses of var in tokens [from, end) of def f. */
static void var_uses(const struct py_outline *ol, uint32_t from, uint32_t end, const char *var, struct use *u)
{
	const struct py_toks *t = ol->toks;
	size_t vl = strlen(var);
	uint32_t k;
	for (k = from; k < end && k < t->n; k++) {
		const struct py_tok *tk = &t->v[k];
		if (tk->kind == PT_STRING && (tk->flags & PTF_FSTRING)) {
			fstring_uses(py_tok_text(t, k), tk->len, var, u);
			continue;
		}
		if (tk->kind != PT_NAME || tk->len != vl || strncmp(py_tok_text(t, k), var, vl) ||
		    (k > 0 && py_tok_is(t, k - 1, ".")))
			continue;
		if (k + 2 < end && py_tok_is(t, k + 1, ".") && t->v[k + 2].kind == PT_NAME) {
			enum py_use pu = py_name_use(ol, k, k);
			if (pu == PU_MUTATE || (k + 3 < end && py_tok_is(t, k + 3, "(")))
				u->escapes = 1;
			else
				add_attr(u, py_tok_text(t, k + 2), t->v[k + 2].len);
			k += 2;
			continue;
		}
		switch (py_name_use(ol, k, k)) {
		case PU_REBIND:
			return; /* a new value from here on */
		case PU_MUTATE:
		case PU_ESCAPE:
			u->escapes = 1;
			break;
		default:
			break;
		}
	}
}

/* ---- recording */

/* Source text of lines [line, end_line] of ol's file, at most SNIPPET_MAX
 * bytes (cut at a character boundary).  malloc'd. */
static char *snippet_of(const struct py_outline *ol, uint32_t first_tok, uint32_t last_tok)
{
	const struct py_toks *t = ol->toks;
	size_t b = t->v[first_tok].off, e = t->v[last_tok].off + t->v[last_tok].len;
	char *s;
	while (b > 0 && t->src[b - 1] != '\n')
		b--;
	while (e < t->srclen && t->src[e] != '\n' && t->src[e] != '\r')
		e++;
	if (e - b > SNIPPET_MAX) {
		e = b + SNIPPET_MAX;
		while (e > b && ((unsigned char)t->src[e] & 0xC0) == 0x80)
			e--;
	}
	s = malloc(e - b + 1);
	if (!s)
		return NULL;
	memcpy(s, t->src + b, e - b);
	s[e - b] = '\0';
	return s;
}

/* Index of the parameter named by key tokens [kb,ke) of fn: a name, or a
 * name converted by a one-argument call (int(x), UUID(x), str(x)); -1. */
static int key_param_of(const struct py_toks *t, const struct py_fn *fn, uint32_t kb, uint32_t ke)
{
	unsigned i;
	if (ke == kb + 4 && t->v[kb].kind == PT_NAME && py_tok_is(t, kb + 1, "(") &&
	    py_tok_is(t, kb + 3, ")"))
		kb += 2;
	else if (ke != kb + 1)
		return -1;
	if (t->v[kb].kind != PT_NAME)
		return -1;
	for (i = 0; i < fn->nparams; i++)
		if (strlen(fn->params[i].name) == t->v[kb].len &&
		    !strncmp(fn->params[i].name, py_tok_text(t, kb), t->v[kb].len))
			return (int)i;
	return -1;
}

struct found {
	char model[128];
	uint32_t kb, ke;       /* key tokens */
	uint32_t start, stop;  /* the whole fetch expression's first and last tokens */
	uint8_t locked;
	uint8_t one;           /* reduced to one row (an entity, not a result) */
	char slot[72];         /* a lookup through a project def: where the key goes ("=name", "#0") */
};

static int add_fetch(struct py_fn *fn, unsigned *cap, const struct py_binds *b, int f,
		     const struct py_call *c, const struct found *fd)
{
	const struct py_outline *ol = b->ol;
	const struct py_toks *t = ol->toks;
	const struct py_stmt *st = &ol->stmts[c->stmt];
	struct py_fetch *x;
	struct py_assign a;
	struct use u;
	char *var = NULL;
	memset(&u, 0, sizeof(u));
	if (fn->nfetches == *cap) {
		unsigned nc = *cap ? *cap * 2 : 4;
		void *nv = realloc(fn->fetches, nc * sizeof(*x));
		if (!nv)
			return -1;
		fn->fetches = nv;
		*cap = nc;
	}
	if (fd->one && py_stmt_assign(ol, c->stmt, &a) && py_tok_is(t, a.op, "=") &&
	    a.target_end == a.target_begin + 1 && t->v[a.target_begin].kind == PT_NAME &&
	    whole_value(t, a.value_begin, a.value_end, fd->start, fd->stop)) {
		var = malloc(t->v[a.target_begin].len + 1);
		if (!var)
			return -1;
		snprintf(var, t->v[a.target_begin].len + 1, "%.*s", (int)t->v[a.target_begin].len,
			 py_tok_text(t, a.target_begin));
		var_uses(ol, st->tok_end, ol->blocks[f].body_end, var, &u);
	} else {
		u.escapes = 1; /* returned, passed on, or a result we do not follow */
	}
	x = &fn->fetches[fn->nfetches];
	memset(x, 0, sizeof(*x));
	if (fd->slot[0]) {
		/* "" for every reader; the slot follows the NUL (see pyrefetch.c) */
		size_t sl = strlen(fd->slot);
		x->model = malloc(sl + 2);
		if (x->model) {
			x->model[0] = '\0';
			memcpy(x->model + 1, fd->slot, sl + 1);
		}
	} else {
		x->model = strdup(fd->model);
	}
	x->var = var;
	x->key = py_outline_text(ol, fd->kb, fd->ke);
	x->key_param = key_param_of(t, fn, fd->kb, fd->ke);
	x->line = t->v[fd->start].line;
	x->end_line = st->end_line > x->line ? st->end_line : x->line;
	x->attrs = u.attrs[0] ? strdup(u.attrs) : NULL;
	x->nattrs = u.nattrs;
	x->escapes = (uint8_t)(u.escapes || fd->locked);
	x->snippet = snippet_of(ol, fd->start, st->tok_end - 1);
	fn->nfetches++;
	if (!x->model || !x->key || !x->snippet || (u.attrs[0] && !x->attrs))
		return -1;
	return 0;
}

/* 1 when tokens [b,e) lock the rows (with_for_update, FOR UPDATE). */
static int locks(const struct py_toks *t, uint32_t b, uint32_t e)
{
	uint32_t k;
	for (k = b; k < e; k++)
		if (py_tok_is(t, k, "with_for_update") || py_tok_is(t, k, "select_for_update"))
			return 1;
	return 0;
}

/* session.get(M, k), db.get_or_404(M, k), get_object_or_404(M, pk=k). */
static int session_get(const struct py_outline *ol, const struct py_call *c, struct found *fd)
{
	static const char *const ident_kw[] = { "ident", NULL };
	static const char *const pk_kw[] = { "pk", "id", NULL };
	const struct py_toks *t = ol->toks;
	struct py_arg v[16];
	int n = py_call_args(ol, c, v, 16);
	const struct py_arg *m = find_arg(t, v, n, 0, NULL), *k;
	int dj = !strcmp(c->callee, "get_object_or_404");
	k = dj ? find_arg(t, v, n, -1, pk_kw) : find_arg(t, v, n, 1, ident_kw);
	if (!m || !k || !model_chain(t, m->b, m->e, fd->model, sizeof(fd->model)))
		return 0;
	fd->kb = k->b;
	fd->ke = k->e;
	fd->start = c->name_begin;
	fd->stop = c->rparen;
	fd->one = 1;
	fd->locked = (uint8_t)locks(t, c->lparen, c->rparen);
	return 1;
}

/* recv's suffix sfx (a pointer to it), or NULL. */
static const char *suffix(const char *recv, const char *sfx)
{
	size_t l = strlen(recv), n = strlen(sfx);
	return l > n && !strcmp(recv + l - n, sfx) ? recv + l - n : NULL;
}

/* session.query(M)....first() / M.query.get(k) / M.objects.get(pk=k), c the
 * chain's last link, root its first. */
static int query_chain(const struct py_outline *ol, const struct py_call *root, const struct py_call *c,
		       const char *recv, struct found *fd)
{
	const struct py_toks *t = ol->toks;
	const char *q;
	size_t ci;
	if (!in_list(c->name, strlen(c->name), one_row))
		return 0;
	if ((q = suffix(recv, ".query")) != NULL || (q = suffix(recv, ".objects")) != NULL) {
		/* Model.query / Model.objects: the component before */
		const char *s = q;
		while (s > recv && s[-1] != '.')
			s--;
		if (!isupper((unsigned char)*s) || (size_t)(q - s) >= sizeof(fd->model))
			return 0;
		snprintf(fd->model, sizeof(fd->model), "%.*s", (int)(q - s), s);
	} else {
		struct py_arg v[4];
		if (py_call_args(ol, root, v, 4) != 1 || v[0].kw != UINT32_MAX ||
		    !model_chain(t, v[0].b, v[0].e, fd->model, sizeof(fd->model)))
			return 0;
	}
	fd->start = root->name_begin;
	fd->stop = c->rparen;
	fd->one = 1;
	fd->locked = (uint8_t)locks(t, root->name_begin, c->rparen);
	if (!strcmp(c->name, "get") || !strcmp(c->name, "get_or_404")) {
		struct py_arg v[4];
		int n = py_call_args(ol, c, v, 4);
		if (n == 1 && v[0].kw == UINT32_MAX) {
			fd->kb = v[0].b;
			fd->ke = v[0].e;
			return 1;
		}
		return key_kwarg(ol, c, &fd->kb, &fd->ke);
	}
	/* the links of the chain between root and c */
	for (ci = (size_t)(root - ol->calls); ci < (size_t)(c - ol->calls); ci++) {
		const struct py_call *l = &ol->calls[ci];
		if (l->name_begin != root->name_begin || l->is_ref)
			continue;
		if (!strcmp(l->name, "filter_by") && key_kwarg(ol, l, &fd->kb, &fd->ke))
			return 1;
		if ((!strcmp(l->name, "filter") || !strcmp(l->name, "where")) &&
		    (key_compare(t, l->lparen + 1, l->rparen, fd->model, &fd->kb, &fd->ke) ||
		     key_kwarg(ol, l, &fd->kb, &fd->ke)))
			return 1;
	}
	return 0;
}

/* select(M).where(M.id == k) in tokens [b,e), its model and key. */
static int select_by_key(const struct py_outline *ol, uint32_t b, uint32_t e, struct found *fd)
{
	const struct py_toks *t = ol->toks;
	size_t ci;
	for (ci = py_first_call_from(ol, b); ci < ol->ncalls && ol->calls[ci].lparen < e; ci++) {
		const struct py_call *s = &ol->calls[ci], *l;
		struct py_arg v[4];
		size_t li;
		if (s->is_ref ||
		    (strcmp(s->callee, "select") && strcmp(s->callee, "sa.select") &&
		     strcmp(s->callee, "sqlalchemy.select") && strcmp(s->callee, "sqlmodel.select")))
			continue;
		if (py_call_args(ol, s, v, 4) != 1 || v[0].kw != UINT32_MAX ||
		    !model_chain(t, v[0].b, v[0].e, fd->model, sizeof(fd->model)))
			return 0;
		for (li = ci + 1; li < ol->ncalls && ol->calls[li].lparen < e; li++) {
			l = &ol->calls[li];
			if (l->name_begin != s->name_begin || l->is_ref)
				continue;
			if ((!strcmp(l->name, "where") || !strcmp(l->name, "filter")) &&
			    key_compare(t, l->lparen + 1, l->rparen, fd->model, &fd->kb, &fd->ke))
				return 1;
			if (!strcmp(l->name, "filter_by") && key_kwarg(ol, l, &fd->kb, &fd->ke))
				return 1;
		}
		return 0;
	}
	return 0;
}

/* session.execute/exec/scalar/scalars(select(M).where(M.id == k)) reduced
 * to one row; the statement may be a name assigned earlier in the def. */
static int executed_select(const struct py_binds *b, int f, const struct py_call *c, struct found *fd)
{
	const struct py_outline *ol = b->ol;
	const struct py_toks *t = ol->toks;
	const struct py_stmt *st = &ol->stmts[c->stmt];
	struct py_arg v[4];
	uint32_t sb, se, last;
	int n = py_call_args(ol, c, v, 4);
	if (n < 1 || v[0].kw != UINT32_MAX)
		return 0;
	sb = v[0].b;
	se = v[0].e;
	if (se == sb + 1 && t->v[sb].kind == PT_NAME) {
		char name[128];
		snprintf(name, sizeof(name), "%.*s", (int)t->v[sb].len, py_tok_text(t, sb));
		if (!py_last_assign(ol, f, name, c->name_begin, &sb, &se))
			return 0;
	}
	if (!select_by_key(ol, sb, se, fd))
		return 0;
	fd->start = c->name_begin;
	fd->stop = c->rparen;
	fd->locked = (uint8_t)locks(t, sb, se);
	if (!strcmp(c->name, "scalar")) {
		fd->one = 1;
	} else if (one_row_tail(t, c->rparen, st->tok_end, &last)) {
		fd->one = 1;
		fd->stop = last;
	}
	return 1;
}

/* 1 when name n[0..l) names a key: id, pk, ident, *_id, *Id. */
static int id_name(const char *n, size_t l)
{
	return (l == 2 && !strncmp(n, "id", 2)) || (l == 2 && !strncmp(n, "pk", 2)) ||
	       (l == 5 && !strncmp(n, "ident", 5)) || (l > 3 && !strncmp(n + l - 3, "_id", 3)) ||
	       (l > 2 && !strncmp(n + l - 2, "Id", 2));
}

/* 1 when expression [b,e) ends in a key name: book_id, body.id, int(x.task_id). */
static int id_expr(const struct py_toks *t, uint32_t b, uint32_t e)
{
	while (e > b && py_tok_is(t, e - 1, ")"))
		e--;
	return e > b && t->v[e - 1].kind == PT_NAME && id_name(py_tok_text(t, e - 1), t->v[e - 1].len);
}

/* The key of a lookup call repo.get(k), crud.get(db, id=k),
 * task_service.get(db_session=db, task_id=k): a keyword argument named
 * like a key, else the first positional argument that is not the session
 * (for other receivers than repositories, only when it reads like a key).
 * fd->slot records where it goes: "=name" or "#position". */
static int lookup_key(const struct py_binds *b, const struct py_call *c, int repo, struct found *fd)
{
	const struct py_toks *t = b->ol->toks;
	struct py_arg v[16];
	int n = py_call_args(b->ol, c, v, 16), i, pos = 0, first = -1, firstpos = 0;
	for (i = 0; i < n; i++) {
		char name[128];
		uint32_t l;
		const char *s;
		if (v[i].kw != UINT32_MAX) {
			if (id_name(py_tok_text(t, v[i].kw), t->v[v[i].kw].len)) {
				fd->kb = v[i].b;
				fd->ke = v[i].e;
				snprintf(fd->slot, sizeof(fd->slot), "=%.*s", (int)t->v[v[i].kw].len,
					 py_tok_text(t, v[i].kw));
				return 1;
			}
			continue;
		}
		s = py_tok_span(t, v[i].b, v[i].e, &l);
		snprintf(name, sizeof(name), "%.*s", (int)l, s);
		if (first < 0 &&
		    !(py_tok_is_chain(t, v[i].b, v[i].e) &&
		      py_recv_is_session(b, c->block, name, c->name_begin)) &&
		    (repo || id_expr(t, v[i].b, v[i].e))) {
			first = i;
			firstpos = pos;
		}
		pos++;
	}
	if (first < 0)
		return 0;
	fd->kb = v[first].b;
	fd->ke = v[first].e;
	snprintf(fd->slot, sizeof(fd->slot), "#%d", firstpos);
	return 1;
}

/* A lookup of one row by key by its name: get, get_by_id, find_by_id,
 * fetch*, load*, and get_x/find_x/read_x/retrieve_x helpers (crud.get_user);
 * not the bulk ones (fetch_all, get_many, load_rows).  What it loads is
 * decided later from the def it resolves to. */
static int lookup_name(const char *m)
{
	static const char *const verbs[] = { "get", "find", "fetch", "load", "read", "retrieve", NULL };
	static const char *const bulk[] = { "all", "many", "list", "batch", "page", "ids", "multi", "bulk",
					    "count", "or_create", NULL };
	size_t i, l = strlen(m);
	for (i = 0; verbs[i]; i++) {
		size_t n = strlen(verbs[i]);
		if (!strncmp(m, verbs[i], n) && (m[n] == '\0' || m[n] == '_' || !strcmp(verbs[i], "fetch") ||
						 !strcmp(verbs[i], "load")))
			break;
	}
	if (!verbs[i])
		return 0;
	for (i = 0; bulk[i]; i++)
		if (strstr(m, bulk[i]))
			return 0;
	return l < 2 || m[l - 1] != 's' || m[l - 2] == 's'; /* fetch_books, load_rows; not get_address */
}

int py_index_def_fetches(struct py_fn *fn, const struct py_binds *b, int f)
{
	const struct py_outline *ol = b->ol;
	const struct py_block *d;
	unsigned cap = 0;
	size_t ci;
	if (f < 0 || (size_t)f >= ol->nblocks)
		return 0;
	d = &ol->blocks[f];
	for (ci = py_first_call_from(ol, d->body_begin); ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		struct py_dbop_info info;
		struct found fd;
		int hit = 0;
		if (c->lparen >= d->body_end)
			break;
		if (c->func != f || c->is_ref)
			continue;
		memset(&fd, 0, sizeof(fd));
		if (!strcmp(c->callee, "get_object_or_404")) {
			hit = session_get(ol, c, &fd);
		} else if (py_call_dbop(b, ci, &info) == DBOP_READ) {
			int plain = !strchr(c->callee, '(');
			if (info.chain_query)
				hit = query_chain(ol, &ol->calls[info.root], c, info.recv, &fd);
			else if (info.repo)
				hit = lookup_name(c->name) && lookup_key(b, c, 1, &fd);
			else if (plain && (!strcmp(c->name, "get") || !strcmp(c->name, "get_one") ||
					   !strcmp(c->name, "get_or_404")))
				hit = session_get(ol, c, &fd);
			else if (plain && (!strcmp(c->name, "execute") || !strcmp(c->name, "exec") ||
					   !strcmp(c->name, "scalar") || !strcmp(c->name, "scalars")))
				hit = executed_select(b, f, c, &fd);
		} else if (!strchr(c->callee, '(') && lookup_name(c->name) &&
			   (strcmp(c->name, "get") || strchr(c->callee, '.'))) {
			/* a project lookup such as task_service.get(db_session=db, task_id=k), kept when
			 * its key reads like one (not d.get("k")); pyrefetch.c resolves what it loads */
			hit = lookup_key(b, c, 0, &fd);
		}
		if (hit && fd.slot[0]) {
			fd.model[0] = '\0';
			fd.start = c->name_begin;
			fd.stop = c->rparen;
			fd.one = 1;
		}
		if (hit && add_fetch(fn, &cap, b, f, c, &fd) < 0)
			return -1;
	}
	return 0;
}

void py_index_fetches_free(struct py_fn *fn)
{
	unsigned i;
	for (i = 0; i < fn->nfetches; i++) {
		free(fn->fetches[i].model);
		free(fn->fetches[i].var);
		free(fn->fetches[i].key);
		free(fn->fetches[i].attrs);
		free(fn->fetches[i].snippet);
	}
	free(fn->fetches);
	fn->fetches = NULL;
	fn->nfetches = 0;
}
