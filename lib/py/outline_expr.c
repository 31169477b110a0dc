/*
 * py/outline_expr: comprehensions, lambdas and calls inside one statement.
 *
 * A call is an open parenthesis after a name, a call result or a
 * subscript.  Its callee is rebuilt by walking back over the chain
 * ("session.query().filter().first").  A dotted name passed directly as an
 * argument and never called ("asyncio.to_thread(path.read_text)") is
 * recorded as a reference (is_ref).  Calls inside a comprehension's first
 * iterable are evaluated once, in the enclosing scope: their block is the
 * comprehension's parent and in_iter is set.
 */
#include <stdlib.h>
#include <string.h>

#include "py/arena.h"
#include "py/outline.h"
#include "py/outline_p.h"

#define MAX_CS 256
#define MAX_PARTS 64

static int is_keyword(const struct py_toks *t, uint32_t i)
{
	return t->v[i].kind == PT_NAME && (t->v[i].flags & PTF_KEYWORD);
}

static int is_name(const struct py_toks *t, uint32_t i)
{
	return t->v[i].kind == PT_NAME && !is_keyword(t, i);
}

static int is_open(const struct py_toks *t, uint32_t i)
{
	return t->v[i].kind == PT_OP && t->v[i].len == 1 && strchr("([{", t->src[t->v[i].off]);
}

static int is_close(const struct py_toks *t, uint32_t i)
{
	return t->v[i].kind == PT_OP && t->v[i].len == 1 && strchr(")]}", t->src[t->v[i].off]);
}

static int push_eframe(struct ol_build *b, const struct eframe *e)
{
	if (b->esp == b->ecap) {
		int nc = b->ecap ? b->ecap * 2 : 16;
		struct eframe *nv = realloc(b->estack, (size_t)nc * sizeof(*nv));
		if (!nv)
			return -1;
		b->estack = nv;
		b->ecap = nc;
	}
	b->estack[b->esp++] = *e;
	return 0;
}

/* Block that token k belongs to; *in_iter set when k sits in the first
 * iterable of the innermost comprehension around it. */
static int eff_block(const struct ol_build *b, uint32_t k, int cur, int *in_iter)
{
	int e;
	*in_iter = 0;
	for (e = b->esp - 1; e >= 0; e--) {
		const struct eframe *f = &b->estack[e];
		if (k >= f->iter_begin && k < f->iter_end) {
			*in_iter = 1;
			continue;
		}
		return f->block;
	}
	return cur;
}

static int open_comp(struct ol_build *b, uint32_t k, int parent)
{
	const struct py_toks *t = b->toks;
	uint32_t f = (uint32_t)b->compfor[k], close = (uint32_t)b->match[k], in, j;
	uint16_t d = (uint16_t)(t->v[k].depth + 1);
	struct eframe e;
	struct py_block *bl;
	int bi = ol_new_block(b, PB_COMP, parent, k);
	if (bi < 0)
		return -1;
	bl = &b->ol->blocks[bi];
	bl->comp_open = t->src[t->v[k].off];
	bl->comp_open_tok = k;
	bl->comp_close_tok = close;
	bl->hdr_end = bl->body_begin = k + 1;
	bl->body_end = close;
	bl->end_line = t->v[close].line;
	bl->is_async = f > k + 1 && py_tok_is(t, f - 1, "async");
	for (in = f + 1; in < close && !(py_tok_is(t, in, "in") && t->v[in].depth == d); in++)
		;
	bl->target = ol_text(b, f + 1, in);
	for (j = in + 1; j < close; j++)
		if (t->v[j].depth == d && (py_tok_is(t, j, "for") || py_tok_is(t, j, "if") ||
					   py_tok_is(t, j, "async")))
			break;
	bl->iter_begin = in + 1 < close ? in + 1 : close;
	bl->iter_end = j;
	e.block = bi;
	e.end = close + 1;
	e.iter_begin = bl->iter_begin;
	e.iter_end = bl->iter_end;
	return push_eframe(b, &e);
}

static int open_lambda(struct ol_build *b, uint32_t k, uint32_t end, int parent)
{
	const struct py_toks *t = b->toks;
	uint16_t d = t->v[k].depth;
	uint32_t j;
	struct eframe e;
	int bi = ol_new_block(b, PB_LAMBDA, parent, k);
	if (bi < 0)
		return -1;
	for (j = k + 1; j < end; j++) {
		if (t->v[j].depth < d)
			break;
		if (t->v[j].depth == d && (py_tok_is(t, j, ",") || py_tok_is(t, j, "for") ||
					   py_tok_is(t, j, ";") || py_tok_is(t, j, "async")))
			break;
	}
	b->ol->blocks[bi].body_end = j;
	b->ol->blocks[bi].end_line = t->v[j > k + 1 ? j - 1 : k].end_line;
	e.block = bi;
	e.end = j;
	e.iter_begin = e.iter_end = 0;
	return push_eframe(b, &e);
}

/* Rebuilds the callee chain ending just before token p (exclusive).
 * Returns the first token of the chain; fills buf. */
static uint32_t callee_chain(struct ol_build *b, uint32_t p, uint32_t begin, char *buf, size_t bufsz,
			     uint32_t *name_tok)
{
	const struct py_toks *t = b->toks;
	const char *parts[MAX_PARTS];
	size_t plen[MAX_PARTS];
	int np = 0, i;
	uint32_t j = p, first = p;
	size_t o = 0;
	*name_tok = p;
	while (j > begin && np < MAX_PARTS - 1) {
		uint32_t q = j - 1;
		if (is_name(t, q)) {
			parts[np] = py_tok_text(t, q);
			plen[np++] = t->v[q].len;
			if (*name_tok == p)
				*name_tok = q;
			first = q;
			if (q > begin && py_tok_is(t, q - 1, ".") && q - 1 > begin) {
				parts[np] = ".";
				plen[np++] = 1;
				j = q - 1;
				continue;
			}
			break;
		}
		if ((py_tok_is(t, q, ")") || py_tok_is(t, q, "]")) && b->match[q] >= (int32_t)begin) {
			parts[np] = py_tok_is(t, q, ")") ? "()" : "[]";
			plen[np++] = 2;
			first = (uint32_t)b->match[q];
			j = first;
			continue;
		}
		if (t->v[q].kind == PT_STRING && np > 0) {
			parts[np] = "\"\"";
			plen[np++] = 2;
			first = q;
		}
		break;
	}
	if (np > 0 && parts[np - 1][0] == '.') /* ".x" after a non-chain */
		np--;
	for (i = np - 1; i >= 0 && o + plen[i] + 1 < bufsz; i--) {
		memcpy(buf + o, parts[i], plen[i]);
		o += plen[i];
	}
	buf[o] = '\0';
	return first;
}

/* 1 when the '(' at p starts a call. */
static int is_call_paren(struct ol_build *b, uint32_t p, uint32_t begin)
{
	const struct py_toks *t = b->toks;
	uint32_t q;
	if (p <= begin || !py_tok_is(t, p, "("))
		return 0;
	q = p - 1;
	if (is_name(t, q)) {
		if (q > begin && (py_tok_is(t, q - 1, "def") || py_tok_is(t, q - 1, "class")))
			return 0;
		return 1;
	}
	return py_tok_is(t, q, ")") || py_tok_is(t, q, "]");
}

struct cstack {
	uint32_t open;
	int call;
	int commas;
};

static int nearest_call(const struct cstack *cs, int csp, int *arg)
{
	int i;
	/* csp counts brackets deeper than MAX_CS too; only the first MAX_CS are on the stack */
	for (i = (csp < MAX_CS ? csp : MAX_CS) - 1; i >= 0; i--)
		if (cs[i].call >= 0) {
			*arg = cs[i].commas;
			return cs[i].call;
		}
	*arg = -1;
	return -1;
}

static int add_call(struct ol_build *b, int si, uint32_t p, uint32_t begin, int blk, int in_iter,
		    struct cstack *cs, int csp, int is_ref, uint32_t ref_end)
{
	const struct py_toks *t = b->toks;
	struct py_call *c;
	char buf[512];
	uint32_t name_tok, first;
	int ci;
	if (is_ref) {
		first = ref_end + 1;
		first = callee_chain(b, first, begin, buf, sizeof(buf), &name_tok);
	} else {
		first = callee_chain(b, p, begin, buf, sizeof(buf), &name_tok);
	}
	ci = ol_new_call(b, &c);
	if (ci < 0)
		return -1;
	c->callee = py_arena_strndup(b->ol->arena, buf, strlen(buf));
	c->name = name_tok < t->n && t->v[name_tok].kind == PT_NAME
		  ? py_arena_strndup(b->ol->arena, py_tok_text(t, name_tok), t->v[name_tok].len)
		  : "";
	if (!c->callee || !c->name)
		return -1;
	c->name_begin = first;
	c->lparen = is_ref ? ref_end : p;
	c->rparen = is_ref ? ref_end : (b->match[p] >= 0 ? (uint32_t)b->match[p] : p);
	/* the line of the callee's last token, as Python's ast has it: the
	 * name of ".all()", or the ')' of "type(...)()" */
	{
		uint32_t last = is_ref ? ref_end : p - 1;
		c->line = t->v[last].end_line;
		c->col = t->v[last].col;
	}
	c->end_line = t->v[c->rparen].end_line;
	c->stmt = si;
	c->block = blk;
	c->func = blk >= 0 ? b->ol->blocks[blk].func : -1;
	/* lambdas are not defs: func stays the enclosing def */
	c->parent_call = nearest_call(cs, csp, &c->arg_index);
	c->awaited = first > begin && py_tok_is(t, first - 1, "await");
	c->is_ref = (uint8_t)is_ref;
	c->in_iter = (uint8_t)in_iter;
	return ci;
}

/* A dotted name directly inside a call's parentheses, followed by ',' or
 * ')': returns the last token of the chain, or 0. */
static uint32_t ref_at(struct ol_build *b, uint32_t k, uint32_t end, const struct cstack *top)
{
	const struct py_toks *t = b->toks;
	uint32_t j = k, prev = k - 1;
	if (!top || top->call < 0 || t->v[k].depth != t->v[top->open].depth + 1)
		return 0;
	if (py_tok_is(t, prev, "=") && prev > top->open + 1 && is_name(t, prev - 1))
		prev -= 2;
	if (!(prev == top->open || py_tok_is(t, prev, ",")))
		return 0;
	while (j + 2 < end && py_tok_is(t, j + 1, ".") && is_name(t, j + 2))
		j += 2;
	if (j + 1 < end && (py_tok_is(t, j + 1, ",") || (int32_t)(j + 1) == b->match[top->open]))
		return j;
	return 0;
}

int ol_scan_expr(struct ol_build *b, int si, uint32_t begin, uint32_t end, int cur)
{
	const struct py_toks *t = b->toks;
	struct cstack cs[MAX_CS];
	int csp = 0, in_iter, blk;
	uint32_t k;
	b->esp = 0;
	for (k = begin; k < end; k++) {
		while (b->esp > 0 && b->estack[b->esp - 1].end <= k)
			b->esp--;
		blk = eff_block(b, k, cur, &in_iter);
		if (is_open(t, k)) {
			int call = -1;
			if (is_call_paren(b, k, begin)) {
				call = add_call(b, si, k, begin, blk, in_iter, cs, csp, 0, 0);
				if (call < 0)
					return -1;
			}
			if (b->compfor[k] >= 0 && b->match[k] > (int32_t)k && open_comp(b, k, blk) < 0)
				return -1;
			if (csp < MAX_CS) {
				cs[csp].open = k;
				cs[csp].call = call;
				cs[csp].commas = 0;
			}
			csp++;
		} else if (is_close(t, k)) {
			if (csp > 0)
				csp--;
		} else if (py_tok_is(t, k, ",")) {
			if (csp > 0 && csp <= MAX_CS && t->v[k].depth == t->v[cs[csp - 1].open].depth + 1)
				cs[csp - 1].commas++;
		} else if (py_tok_is(t, k, "lambda")) {
			if (open_lambda(b, k, end, blk) < 0)
				return -1;
		} else if (is_name(t, k) && csp > 0 && csp <= MAX_CS) {
			uint32_t r = ref_at(b, k, end, &cs[csp - 1]);
			if (r && add_call(b, si, k, begin, blk, in_iter, cs, csp, 1, r) < 0)
				return -1;
			if (r)
				k = r;
		}
	}
	return 0;
}
