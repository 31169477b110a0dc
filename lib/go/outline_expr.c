/*
 * go/outline_expr: calls, references and function literals inside one
 * statement, and parameter lists.
 *
 * A call is an open parenthesis after a name, a call result, an index
 * expression or a function literal's body.  Its callee is rebuilt by
 * walking back over the chain ("db.Model().Where().Find").  A function
 * literal opens a PB_DEF whose body is walked as statements right away;
 * the bracket stack of the statement around it stays in place below, so
 * the calls inside know the call the literal is passed to.
 */
#include <stdlib.h>
#include <string.h>

#include "py/arena.h"
#include "go/outline_p.h"

#define MAX_PARTS 64

static int is_open(const struct go_build *b, uint32_t i)
{
	const struct py_tok *k = &b->toks->v[i];
	char c;
	if (k->kind != PT_OP || k->len != 1)
		return 0;
	c = b->toks->src[k->off];
	return (c == '(' || c == '[' || c == '{');
}

static int is_close(const struct go_build *b, uint32_t i)
{
	const struct py_tok *k = &b->toks->v[i];
	char c;
	if (k->kind != PT_OP || k->len != 1)
		return 0;
	c = b->toks->src[k->off];
	return (c == ')' || c == ']' || c == '}');
}

uint32_t gb_func_body(const struct go_build *b, uint32_t rp, uint32_t end)
{
	uint32_t k = rp + 1;
	while (k < end) {
		const struct py_tok *t = &b->toks->v[k];
		if (gb_is(b, k, "{"))
			return k;
		if (t->kind == PT_NEWLINE || t->kind == PT_STRING || t->kind == PT_NUMBER ||
		    gb_is(b, k, ",") || is_close(b, k) || gb_is(b, k, "=") || gb_is(b, k, ":") ||
		    gb_is(b, k, ":="))
			return k;
		if ((gb_kw(b, k, "struct") || gb_kw(b, k, "interface")) && k + 1 < end &&
		    gb_is(b, k + 1, "{")) {
			k = gb_skip(b, k + 1, end);
			continue;
		}
		k = gb_skip(b, k, end);
	}
	return end;
}

/* ---- parameters */

struct entry {
	uint32_t s, e;
	int named;
};

/* 1 when the parameter entry [s,e) is "name Type" rather than a type. */
static int entry_named(const struct go_build *b, uint32_t s, uint32_t e)
{
	if (!gb_name(b, s) || s + 1 >= e)
		return 0;
	if (gb_is(b, s + 1, "."))
		return 0; /* pkg.Type */
	if (gb_is(b, s + 1, "[")) {
		int32_t m = b->match[s + 1];
		return m > (int32_t)s + 1 && (uint32_t)m + 1 < e; /* a [3]int, not List[T] */
	}
	return 1;
}

static const char *tok_dup(struct go_build *b, uint32_t i)
{
	return py_arena_strndup(b->ol->arena, py_tok_text(b->toks, i), b->toks->v[i].len);
}

/* "name type" for a name sharing the type [ts,te) of a later entry. */
static const char *name_type(struct go_build *b, uint32_t nm, uint32_t ts, uint32_t te)
{
	const char *ty = gb_text(b, ts, te);
	size_t nl = b->toks->v[nm].len, tl;
	char *s;
	if (!ty)
		return NULL;
	tl = strlen(ty);
	s = py_arena_alloc(b->ol->arena, nl + tl + 2);
	if (!s)
		return NULL;
	memcpy(s, py_tok_text(b->toks, nm), nl);
	s[nl] = ' ';
	memcpy(s + nl + 1, ty, tl + 1);
	return s;
}

void gb_parse_params(struct go_build *b, int bi, uint32_t lp, uint32_t rp)
{
	struct py_block *bl;
	struct entry *en;
	const char **names, **texts;
	unsigned n = 0, i, j, any_named = 0, pend;
	uint32_t k, s;
	for (k = lp + 1; k < rp; k = gb_skip(b, k, rp))
		if (gb_is(b, k, ","))
			n++;
	n++;
	en = py_arena_alloc(b->ol->arena, n * sizeof(*en));
	names = py_arena_alloc(b->ol->arena, n * sizeof(*names));
	texts = py_arena_alloc(b->ol->arena, n * sizeof(*texts));
	if (!en || !names || !texts)
		return;
	n = 0;
	s = lp + 1;
	for (k = lp + 1; k <= rp; k = k < rp ? gb_skip(b, k, rp) : rp + 1) {
		while (s < k && gb_newline(b, s))
			s++;
		if (k < rp && !gb_is(b, k, ","))
			continue;
		if (k > s) {
			en[n].s = s;
			en[n].e = k;
			en[n].named = entry_named(b, s, k);
			any_named |= (unsigned)en[n].named;
			n++;
		}
		s = k + 1;
	}
	/* Go: either every parameter is named or none is; a lone name shares
	 * the type of the next named entry (a, b int) */
	pend = 0;
	for (i = 0; i < n; i++) {
		if (!any_named) {
			names[i] = "_";
			texts[i] = gb_text(b, en[i].s, en[i].e);
			continue;
		}
		if (!en[i].named) {
			names[i] = tok_dup(b, en[i].s);
			texts[i] = gb_text(b, en[i].s, en[i].e);
			continue;
		}
		for (j = pend; j < i; j++)
			if (en[j].e == en[j].s + 1 && gb_name(b, en[j].s))
				texts[j] = name_type(b, en[j].s, en[i].s + 1, en[i].e);
		names[i] = tok_dup(b, en[i].s);
		texts[i] = gb_text(b, en[i].s, en[i].e);
		pend = i + 1;
	}
	for (i = 0; i < n; i++)
		if (!names[i] || !texts[i])
			return;
	bl = &b->ol->blocks[bi];
	bl->params = names;
	bl->param_texts = texts;
	bl->nparams = n;
}

/* ---- calls */

static int push_frame(struct go_build *b, uint32_t open, int call)
{
	if (b->csp == b->ccap) {
		int nc = b->ccap ? b->ccap * 2 : 64;
		struct go_cframe *nv = realloc(b->cs, (size_t)nc * sizeof(*nv));
		if (!nv)
			return -1;
		b->cs = nv;
		b->ccap = nc;
	}
	b->cs[b->csp].open = open;
	b->cs[b->csp].call = call;
	b->cs[b->csp].commas = 0;
	b->csp++;
	return 0;
}

static int nearest_call(const struct go_build *b, int *arg)
{
	int i;
	for (i = b->csp - 1; i >= 0; i--)
		if (b->cs[i].call >= 0) {
			*arg = b->cs[i].commas;
			return b->cs[i].call;
		}
	*arg = -1;
	return -1;
}

/* 1 when the '(' at p starts a call. */
static int is_call_paren(const struct go_build *b, uint32_t p, uint32_t begin)
{
	uint32_t q;
	if (p <= begin || !gb_is(b, p, "("))
		return 0;
	q = p - 1;
	if (gb_name(b, q))
		return 1;
	if (gb_is(b, q, ")") || gb_is(b, q, "]"))
		return b->match[q] >= (int32_t)begin && b->match[q] < (int32_t)q;
	return q == b->lit_close && gb_is(b, q, "}");
}

struct chain {
	char buf[512];
	size_t o;
	const char *parts[MAX_PARTS];
	size_t plen[MAX_PARTS];
	int np;
};

static void part(struct chain *ch, const char *s, size_t n)
{
	if (ch->np < MAX_PARTS) {
		ch->parts[ch->np] = s;
		ch->plen[ch->np++] = n;
	}
}

/* Rebuilds the callee chain ending before token p into ch->buf; returns
 * its first token, *name_tok the last name (p when none). */
static uint32_t callee_chain(struct go_build *b, uint32_t p, uint32_t begin, struct chain *ch,
			     uint32_t *name_tok)
{
	const struct py_toks *t = b->toks;
	uint32_t j = p, first = p;
	int i;
	ch->np = 0;
	ch->o = 0;
	*name_tok = p;
	while (j > begin && ch->np < MAX_PARTS - 3) {
		uint32_t q = j - 1;
		int32_t m = b->match[q];
		if (gb_name(b, q)) {
			part(ch, py_tok_text(t, q), t->v[q].len);
			if (*name_tok == p)
				*name_tok = q;
			first = q;
			if (q > begin + 1 && gb_is(b, q - 1, ".")) {
				part(ch, ".", 1);
				j = q - 1;
				continue;
			}
			break;
		}
		if (gb_is(b, q, ")") && m >= (int32_t)begin && m < (int32_t)q) {
			if ((uint32_t)m > begin + 1 && gb_is(b, (uint32_t)m - 1, ".")) {
				/* a type assertion: x.(*T).M */
				const char *ty = gb_text(b, (uint32_t)m + 1, q);
				part(ch, ")", 1);
				if (ty)
					part(ch, ty, strlen(ty));
				part(ch, ".(", 2);
				first = (uint32_t)m - 1;
				j = (uint32_t)m - 1;
				continue;
			}
			part(ch, "()", 2);
			first = (uint32_t)m;
			j = (uint32_t)m;
			continue;
		}
		if (gb_is(b, q, "]") && m >= (int32_t)begin && m < (int32_t)q) {
			part(ch, "[]", 2);
			first = (uint32_t)m;
			j = (uint32_t)m;
			continue;
		}
		break;
	}
	/* a chain cannot start with '.' ("().x" keeps its "()") */
	while (ch->np > 0 && ch->parts[ch->np - 1][0] == '.' && ch->parts[ch->np - 1][1] == '\0')
		ch->np--;
	if (ch->np > 0 && ch->parts[ch->np - 1][0] == '.' && ch->parts[ch->np - 1][1] == '(') {
		ch->parts[ch->np - 1] = "(";
		ch->plen[ch->np - 1] = 1;
	}
	for (i = ch->np - 1; i >= 0 && ch->o + ch->plen[i] + 1 < sizeof(ch->buf); i--) {
		memcpy(ch->buf + ch->o, ch->parts[i], ch->plen[i]);
		ch->o += ch->plen[i];
	}
	ch->buf[ch->o] = '\0';
	return first;
}

/* Records the call whose '(' is p (or, is_ref, the reference ending at
 * token p).  Returns the call index or -1. */
static int add_call(struct go_build *b, int si, uint32_t p, uint32_t begin, int blk, int is_ref)
{
	const struct py_toks *t = b->toks;
	struct py_call *c;
	struct py_outline *ol = b->ol;
	struct chain ch;
	uint32_t name_tok, first, last;
	int ci;
	if (is_ref)
		first = callee_chain(b, p + 1, begin, &ch, &name_tok);
	else if (p > 0 && p - 1 == b->lit_close) {
		ch.buf[0] = '\0';
		name_tok = p;
		first = b->lit_func;
	} else
		first = callee_chain(b, p, begin, &ch, &name_tok);
	if (ol->ncalls == b->cap_calls) {
		size_t nc = b->cap_calls ? b->cap_calls * 2 : 64;
		struct py_call *nv = realloc(ol->calls, nc * sizeof(*nv));
		if (!nv)
			return -1;
		ol->calls = nv;
		b->cap_calls = nc;
	}
	ci = (int)ol->ncalls++;
	c = &ol->calls[ci];
	memset(c, 0, sizeof(*c));
	c->callee = py_arena_strndup(ol->arena, ch.buf, strlen(ch.buf));
	c->name = name_tok != (is_ref ? p + 1 : p) && gb_name(b, name_tok)
			  ? py_arena_strndup(ol->arena, py_tok_text(t, name_tok), t->v[name_tok].len)
			  : "";
	if (!c->callee || !c->name)
		return -1;
	c->name_begin = first;
	c->lparen = p;
	c->rparen = is_ref ? p : (b->match[p] > (int32_t)p ? (uint32_t)b->match[p] : p);
	last = is_ref ? p : p - 1;
	c->line = t->v[last].end_line;
	c->col = t->v[last].col;
	c->end_line = t->v[c->rparen].end_line;
	c->stmt = si;
	c->block = blk;
	c->func = blk >= 0 ? ol->blocks[blk].func : -1;
	c->parent_call = nearest_call(b, &c->arg_index);
	c->is_ref = (uint8_t)is_ref;
	if (!is_ref && b->dg && first == b->dg_kw + 1 && c->rparen + 1 == b->dg_end) {
		if (b->dg == 1)
			c->deferred = 1;
		else
			c->go_stmt = 1;
	}
	return ci;
}

/* A dotted name directly inside a call's parentheses, followed by ',' or
 * ')': returns the last token of the chain, or 0. */
static uint32_t ref_at(const struct go_build *b, uint32_t k, uint32_t end, const struct go_cframe *top)
{
	uint32_t j = k;
	if (top->call < 0)
		return 0;
	if (!(k - 1 == top->open || gb_is(b, k - 1, ",")))
		return 0;
	while (j + 2 < end && gb_is(b, j + 1, ".") && gb_name(b, j + 2))
		j += 2;
	if (j == k && (gb_is(b, k, "nil") || gb_is(b, k, "true") || gb_is(b, k, "false") ||
		       gb_is(b, k, "iota")))
		return 0;
	if (j + 1 < end && (gb_is(b, j + 1, ",") || (int32_t)(j + 1) == b->match[top->open]))
		return j;
	return 0;
}

/* The function literal (or function type) at k: returns the token to
 * resume the scan at. */
static int func_lit(struct go_build *b, int *si, uint32_t k, uint32_t begin, uint32_t end, int blk,
		    uint32_t *resume)
{
	uint32_t lp = k + 1, rp, lb, rb, orig_end, rest;
	int def, arg, sblock, dg = b->dg;
	struct py_block *bl;
	struct py_stmt *st;
	*resume = k + 1;
	if (lp >= end || !gb_is(b, lp, "(") || b->match[lp] <= (int32_t)lp || (uint32_t)b->match[lp] >= end)
		return 0;
	rp = (uint32_t)b->match[lp];
	lb = gb_func_body(b, rp, end);
	/* a function type ([]func() error{...} is a composite literal of one) */
	if (lb >= end || !gb_is(b, lb, "{") || (k > begin && gb_is(b, k - 1, "]"))) {
		*resume = lb > rp ? lb : rp + 1;
		if (lb < end && gb_is(b, lb, "{"))
			*resume = lb; /* the composite literal's braces */
		return 0;
	}
	rb = b->match[lb] > (int32_t)lb && (uint32_t)b->match[lb] < end ? (uint32_t)b->match[lb] : end;
	def = gb_new_block(b, PB_DEF, blk, k);
	if (def < 0)
		return -1;
	bl = &b->ol->blocks[def];
	bl->hdr_end = lb;
	bl->body_begin = lb + 1 < rb ? lb + 1 : rb;
	bl->body_end = rb;
	bl->end_line = b->toks->v[rb < end ? rb : end - 1].end_line;
	gb_parse_params(b, def, lp, rp);
	if (b->nlits == b->caplits) {
		size_t nc = b->caplits ? b->caplits * 2 : 16;
		struct go_lit *nv = realloc(b->lits, nc * sizeof(*nv));
		if (!nv)
			return -1;
		b->lits = nv;
		b->caplits = nc;
	}
	b->lits[b->nlits].def = def;
	b->lits[b->nlits].call = nearest_call(b, &arg);
	b->lits[b->nlits].arg = arg;
	b->nlits++;
	/* the statement so far ends with the literal's '{' and opens it */
	st = &b->ol->stmts[*si];
	orig_end = st->tok_end;
	sblock = st->block;
	if (lb + 1 < orig_end) {
		st->tok_end = lb + 1;
		st->end_line = b->toks->v[lb].end_line;
	}
	st->opens = def;
	b->dg = 0;
	if (gb_walk_stmts(b, lb + 1, rb, def) < 0)
		return -1;
	b->dg = dg;
	rest = rb < end ? rb + 1 : end;
	if (rest < orig_end) {
		int ns = gb_new_stmt(b, rest, orig_end, sblock, -1);
		if (ns < 0)
			return -1;
		*si = ns;
	}
	b->lit_func = k;
	b->lit_close = rb < end ? rb : UINT32_MAX;
	*resume = rest;
	return 0;
}

int gb_scan_expr(struct go_build *b, int *si, uint32_t begin, uint32_t end, int blk)
{
	int base = b->csp;
	uint32_t k = begin;
	while (k < end) {
		if ((gb_kw(b, k, "interface") || gb_kw(b, k, "struct")) && k + 1 < end &&
		    gb_is(b, k + 1, "{")) {
			/* a type's fields or method set: "Get(id int) error"
			 * in an interface is no call */
			k = gb_skip(b, k + 1, end);
			continue;
		}
		if (gb_kw(b, k, "func")) {
			uint32_t r;
			if (func_lit(b, si, k, begin, end, blk, &r) < 0)
				return -1;
			k = r > k ? r : k + 1;
			continue;
		}
		if (is_open(b, k)) {
			int call = -1;
			if (is_call_paren(b, k, begin)) {
				call = add_call(b, *si, k, begin, blk, 0);
				if (call < 0)
					return -1;
			}
			if (push_frame(b, k, call) < 0)
				return -1;
		} else if (is_close(b, k)) {
			if (b->csp > base)
				b->csp--;
		} else if (gb_is(b, k, ",")) {
			if (b->csp > base)
				b->cs[b->csp - 1].commas++;
		} else if (gb_name(b, k) && b->csp > base) {
			uint32_t r = ref_at(b, k, end, &b->cs[b->csp - 1]);
			if (r) {
				if (add_call(b, *si, r, begin, blk, 1) < 0)
					return -1;
				k = r;
			}
		}
		k++;
	}
	b->csp = base;
	return 0;
}
