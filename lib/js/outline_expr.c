/*
 * js/outline_expr: functions and calls inside TypeScript expressions.
 *
 * One left-to-right walk over a statement's expression tokens.  Arrow
 * functions are recognised at their parameters (a name or a '(' group
 * followed by "=>", maybe after a return type), function and class
 * expressions at their keyword, object literal methods at "name(...) {".
 * A block body goes back to the statement parser (outline.c); an
 * expression body is scanned in place with the arrow as its block.  A
 * call is a '(' after a name chain, a call result, an index or type
 * arguments; its callee is rebuilt by walking back over the chain.  Type
 * annotations, "as" casts and type arguments are skipped, never read as
 * code.  A stack of open brackets gives each call its parent call and
 * argument index, across function bodies.
 */
#include <stdlib.h>
#include <string.h>

#include "js/js.h"
#include "js/outline_p.h"
#include "py/arena.h"

#define MAX_PARTS 64
#define MAX_PARAMS 256

static int ends_expr(const struct jb *b, uint32_t k, uint32_t lim);

static int push_cs(struct jb *b, uint32_t open, int call)
{
	struct jcs *e;
	if (b->csp == b->cscap) {
		int nc = b->cscap ? b->cscap * 2 : 64;
		struct jcs *nv = realloc(b->cs, (size_t)nc * sizeof(*nv));
		if (!nv) {
			b->oom = 1;
			return -1;
		}
		b->cs = nv;
		b->cscap = nc;
	}
	e = &b->cs[b->csp];
	e->open = open;
	e->call = call;
	e->near = call >= 0 ? b->csp : b->csp > 0 ? b->cs[b->csp - 1].near : -1;
	e->commas = 0;
	b->csp++;
	return 0;
}

static int push_ef(struct jb *b, int block, uint32_t end, uint16_t depth)
{
	if (b->esp == b->escap) {
		int nc = b->escap ? b->escap * 2 : 16;
		struct jef *nv = realloc(b->es, (size_t)nc * sizeof(*nv));
		if (!nv) {
			b->oom = 1;
			return -1;
		}
		b->es = nv;
		b->escap = nc;
	}
	b->es[b->esp].block = block;
	b->es[b->esp].end = end;
	b->es[b->esp].depth = depth;
	b->esp++;
	return 0;
}

/* Rebuilds the callee chain ending just before token p: "a.b().c";
 * returns its first token, sets *name_tok to its last name (or UINT32_MAX). */
static uint32_t chain(const struct jb *b, uint32_t p, uint32_t lim, char *buf, size_t bufsz,
		      uint32_t *name_tok)
{
	const struct py_toks *t = b->t;
	const char *parts[MAX_PARTS + 1];
	size_t plen[MAX_PARTS + 1], o = 0;
	uint32_t j = p, first = p;
	int np = 0, i, names_only = 1;
	*name_tok = UINT32_MAX;
	if (j > lim && jb_op(b, j - 1, ">")) { /* find<User>( */
		uint32_t lt = jb_back_angle(b, j - 1, lim);
		if (lt)
			j = lt;
	}
	if (j > lim && jb_op(b, j - 1, "?.")) /* a?.(x) */
		j--;
	while (j > lim && np < MAX_PARTS - 1) {
		uint32_t q = j - 1;
		const struct py_tok *k = &t->v[q];
		if (k->kind == PT_NAME && (!(k->flags & PTF_KEYWORD) || py_tok_is(t, q, "import"))) {
			parts[np] = py_tok_text(t, q);
			plen[np++] = k->len;
			if (*name_tok == UINT32_MAX)
				*name_tok = q;
			first = q;
			if (q > lim && (jb_op(b, q - 1, ".") || jb_op(b, q - 1, "?."))) {
				parts[np] = ".";
				plen[np++] = 1;
				j = q - 1;
				continue;
			}
			break;
		}
		if (jb_op(b, q, "!") && q > lim && (t->v[q - 1].kind == PT_NAME || jb_is_closer(b, q - 1))) {
			j = q; /* a non-null assertion: x!.y */
			continue;
		}
		if (np > 0 && parts[np - 1][0] == '(' && jb_op(b, q, ">")) { /* this.repo<T>().find */
			uint32_t lt = jb_back_angle(b, q, lim);
			if (lt) {
				j = lt;
				continue;
			}
		}
		if ((jb_op(b, q, ")") || jb_op(b, q, "]")) && b->match[q] >= (int32_t)lim &&
		    b->match[q] < (int32_t)q) {
			parts[np] = jb_op(b, q, ")") ? "()" : "[]";
			plen[np++] = 2;
			names_only = 0;
			first = (uint32_t)b->match[q];
			j = first;
			continue;
		}
		if (k->kind == PT_STRING && np > 0) {
			parts[np] = "\"\"";
			plen[np++] = 2;
			names_only = 0;
			first = q;
		}
		break;
	}
	if (np > 0 && parts[np - 1][0] == '.') /* ".x" after something else */
		np--;
	if (np > 0 && names_only && first > lim && jb_kw(b, first - 1, "new")) {
		memcpy(buf, "new ", 4);
		o = 4;
		first--;
	}
	for (i = np - 1; i >= 0 && o + plen[i] + 1 < bufsz; i--) {
		memcpy(buf + o, parts[i], plen[i]);
		o += plen[i];
	}
	buf[o] = '\0';
	return first;
}

enum { CALL, REF, TAGGED };

/* Records the call whose '(' (or tagged template) is at p, or the
 * reference whose chain ends at ref_end.  Returns its index or -1. */
static int add_call(struct jb *b, struct seg *sg, uint32_t p, uint32_t lim, int blk, int kind,
		    uint32_t ref_end)
{
	const struct py_toks *t = b->t;
	struct py_outline *ol = b->ol;
	struct py_call *c;
	char buf[512];
	uint32_t name_tok, first, last;
	int top;
	if (ol->ncalls == b->cap_calls) {
		size_t nc = b->cap_calls ? b->cap_calls * 2 : 64;
		struct py_call *nv = realloc(ol->calls, nc * sizeof(*nv));
		if (!nv) {
			b->oom = 1;
			return -1;
		}
		ol->calls = nv;
		b->cap_calls = nc;
	}
	first = chain(b, kind == REF ? ref_end + 1 : p, lim, buf, sizeof(buf), &name_tok);
	if (sg->si < 0)
		jb_seg_open(b, sg, p, sg->block);
	c = &ol->calls[ol->ncalls];
	memset(c, 0, sizeof(*c));
	c->callee = py_arena_strndup(ol->arena, buf, strlen(buf));
	c->name = name_tok < b->n ? py_arena_strndup(ol->arena, py_tok_text(t, name_tok), t->v[name_tok].len)
				  : "";
	if (!c->callee || !c->name) {
		b->oom = 1;
		return -1;
	}
	c->name_begin = first;
	if (kind == REF) {
		c->lparen = c->rparen = ref_end;
	} else if (kind == TAGGED) {
		c->lparen = c->rparen = p;
	} else {
		c->lparen = p;
		c->rparen = b->match[p] > (int32_t)p ? (uint32_t)b->match[p] : p;
	}
	/* the line of the callee's last token, as Python's ast has it: the
	 * name of ".all()", the ')' of "f(...)(...)" */
	last = kind == REF ? ref_end : p > 0 ? p - 1 : p;
	if (kind != REF && last > lim && jb_op(b, last, ">")) { /* f<\n T\n>(x): the line of f */
		uint32_t lt = jb_back_angle(b, last, lim);
		if (lt)
			last = lt - 1;
	}
	c->line = t->v[last].end_line;
	c->col = t->v[last].col;
	c->end_line = t->v[c->rparen].end_line;
	c->stmt = sg->si;
	c->block = blk;
	c->func = blk >= 0 ? ol->blocks[blk].func : -1;
	top = b->csp > 0 ? b->cs[b->csp - 1].near : -1;
	c->parent_call = top >= 0 ? b->cs[top].call : -1;
	c->arg_index = top >= 0 ? b->cs[top].commas : -1;
	c->awaited = first > 0 && jb_kw(b, first - 1, "await");
	c->is_ref = kind == REF;
	return (int)ol->ncalls++;
}

/* 1 when the '(' at p starts a call. */
static int is_call_paren(const struct jb *b, uint32_t p, uint32_t lim)
{
	const struct py_tok *k;
	uint32_t q;
	if (p <= lim)
		return 0;
	q = p - 1;
	k = &b->t->v[q];
	if (k->kind == PT_NAME)
		return !(k->flags & PTF_KEYWORD) || py_tok_is(b->t, q, "import");
	if (jb_op(b, q, ")") || jb_op(b, q, "]") || jb_op(b, q, "?.") ||
	    (k->kind == PT_STRING && (k->flags & PTF_TEMPLATE)))
		return 1;
	/* a non-null assertion: this.checked!(state) */
	if (jb_op(b, q, "!") && q > lim &&
	    (jb_is_name(b, q - 1) || jb_op(b, q - 1, ")") || jb_op(b, q - 1, "]")))
		return 1;
	return jb_op(b, q, ">") && jb_back_angle(b, q, lim);
}

/* 1 when the template literal at p is tagged (sql`...`, x.$queryRaw<T>`...`). */
static int is_tagged(const struct jb *b, uint32_t p, uint32_t lim)
{
	const struct py_tok *k;
	if (p <= lim || !(b->t->v[p].flags & PTF_TEMPLATE))
		return 0;
	k = &b->t->v[p - 1];
	if (k->kind == PT_NAME)
		return !(k->flags & PTF_KEYWORD);
	if (jb_op(b, p - 1, ")") || jb_op(b, p - 1, "]"))
		return 1;
	return jb_op(b, p - 1, ">") && jb_back_angle(b, p - 1, lim);
}

/* A dotted name directly inside the argument list of the innermost open
 * call, followed by ',' or ')': the chain's last token, else 0. */
static uint32_t ref_at(const struct jb *b, uint32_t k, uint32_t end)
{
	const struct py_toks *t = b->t;
	const struct jcs *top;
	uint32_t j = k, prev = k - 1;
	if (b->csp == 0 || !jb_is_name(b, k) || py_tok_is(t, k, "undefined"))
		return 0;
	top = &b->cs[b->csp - 1];
	if (top->call < 0 || t->v[k].depth != t->v[top->open].depth + 1)
		return 0;
	if (jb_op(b, prev, "...") && prev > top->open)
		prev--;
	if (!(prev == top->open || jb_op(b, prev, ",")))
		return 0;
	while (j + 2 < end && (jb_op(b, j + 1, ".") || jb_op(b, j + 1, "?.")) && t->v[j + 2].kind == PT_NAME)
		j += 2;
	if (j + 1 < end && (jb_op(b, j + 1, ",") || b->match[top->open] == (int32_t)(j + 1)))
		return j;
	return 0;
}

/* Text of a property key token (quotes of a string removed). */
const char *jb_key_text(struct jb *b, uint32_t i)
{
	const struct py_tok *k = &b->t->v[i];
	if (k->kind == PT_STRING && k->len >= 2)
		return py_arena_strndup(b->ol->arena, b->t->src + k->off + 1, k->len - 2);
	return jb_text(b, i, i + 1);
}

/* The name a function starting at token a is given by what it is assigned
 * to: const f = ..., this.f = ..., const f: T = ..., { f: ... }; NULL. */
static const char *name_for_value(struct jb *b, uint32_t a)
{
	const struct py_toks *t = b->t;
	uint32_t p, q, steps;
	int ang = 0;
	if (a == 0 || a > b->n)
		return NULL;
	p = a - 1;
	if (jb_op(b, p, "=") && p > 0) {
		/* const f: Handler<A, B> = ...: walk back over the type to its ':' */
		for (q = p - 1, steps = 0; q > 0 && steps < 64; q--, steps++) {
			if (jb_is_closer(b, q) && b->match[q] > 0 && b->match[q] < (int32_t)q) {
				q = (uint32_t)b->match[q];
				continue;
			}
			if (t->v[q].depth != t->v[p].depth ||
			    !(jb_type_arg_tok(b, q) || jb_op(b, q, "<") || jb_op(b, q, ">")))
				break;
			if (jb_op(b, q, ">")) {
				ang++;
			} else if (jb_op(b, q, "<")) {
				ang--;
			} else if (jb_op(b, q, ":") && ang == 0) {
				uint32_t r = q - 1;
				if (r > 0 && (jb_op(b, r, "?") || jb_op(b, r, "!")))
					r--;
				return t->v[r].kind == PT_NAME ? jb_text(b, r, r + 1) : NULL;
			} else if ((jb_op(b, q, ",") && ang == 0) || jb_op(b, q, "?")) {
				break;
			}
		}
		/* const f = ..., this.f = ..., static delete = ... */
		return t->v[p - 1].kind == PT_NAME ? jb_text(b, p - 1, p) : NULL;
	}
	if (jb_op(b, p, ":") && p >= 2 && (t->v[p - 1].kind == PT_NAME || jb_plain_string(b, p - 1)) &&
	    (jb_op(b, p - 2, "{") || jb_op(b, p - 2, ",")))
		return jb_key_text(b, p - 1);
	return NULL;
}

/* First token after an arrow's expression body starting at body; d is
 * the depth of its "=>". */
static uint32_t expr_end(const struct jb *b, uint32_t body, uint32_t end, uint16_t d)
{
	const struct py_toks *t = b->t;
	uint32_t q = body, m;
	int tern = 0;
	/* an arrow in the body of another at the same depth ends with it
	 * (a => b => c): reuse its end instead of walking again */
	if (b->esp > 0 && b->es[b->esp - 1].depth == d && b->es[b->esp - 1].end > body &&
	    b->es[b->esp - 1].end <= end)
		return b->es[b->esp - 1].end;
	while (q < end) {
		const struct py_tok *k = &t->v[q];
		if (k->depth < d)
			break;
		if (k->depth == d) {
			if (k->kind == PT_NEWLINE || k->kind == PT_END || jb_op(b, q, ",") ||
			    jb_op(b, q, ";") || jb_kw(b, q, "else"))
				break;
			/* an arrow's return type in the body: (x): T => ... */
			if (jb_op(b, q, ":") && q > body && jb_op(b, q - 1, ")")) {
				m = jb_skip_type(b, q + 1, end, 1, JS_SPEC_LIMIT);
				if (jb_op(b, m, "=>")) {
					q = m;
					continue;
				}
			}
			/* c ? () => a : () => b: the body ends at a ':' of its own ?: */
			if (jb_op(b, q, "?"))
				tern++;
			else if (jb_op(b, q, ":") && tern-- == 0)
				break;
			/* <T>(x: T) => ...: type parameters */
			if (jb_op(b, q, "<") && !ends_expr(b, q, body)) {
				q = jb_skip_angles(b, q, end);
				continue;
			}
			/* f<A, B>(x): the comma is a type argument's */
			if (jb_op(b, q, "<") && q > body && t->v[q - 1].kind == PT_NAME &&
			    (m = jb_generic_call(b, q, end))) {
				q = m;
				continue;
			}
		}
		m = jb_is_open(b, q) ? jb_close(b, q, end) : 0;
		q = m ? m + 1 : q + 1;
	}
	return q;
}

static const char *const param_mods[] = { "public", "private", "protected", "readonly", "override", NULL };

/* Parameters of def bi: names and texts; decorators and default values
 * scanned for calls. */
static void params(struct jb *b, struct seg *sg, int bi, uint32_t lp, uint32_t rp, int single, int parent)
{
	const struct py_toks *t = b->t;
	const char *names[MAX_PARAMS], *texts[MAX_PARAMS];
	unsigned n = 0;
	struct py_block *bl;
	if (single) {
		names[0] = texts[0] = jb_text(b, lp, lp + 1);
		n = 1;
	} else {
		uint16_t d = (uint16_t)(t->v[lp].depth + 1);
		uint32_t k, start = lp + 1, m;
		int ang = 0; /* '<' of type arguments open: Map<K, V> */
		for (k = lp + 1; k <= rp && n < MAX_PARAMS && !b->oom; k++) {
			uint32_t ps = start, j = start, ne, q;
			int w;
			if (k < rp && !(jb_op(b, k, ",") && t->v[k].depth == d && ang == 0)) {
				if (t->v[k].depth == d && jb_op(b, k, "<"))
					ang++;
				else if (t->v[k].depth == d && jb_op(b, k, ">") && ang > 0)
					ang--;
				m = jb_is_open(b, k) ? jb_close(b, k, rp) : 0;
				if (m)
					k = m;
				continue;
			}
			start = k + 1;
			while (j < k && jb_op(b, j, "@")) {
				uint32_t dj = jb_decorator_end(b, j, k);
				jb_scan_expr(b, sg, j + 1, dj, parent);
				j = dj;
			}
			for (;;) {
				for (w = 0; param_mods[w] && !jb_word(b, j, param_mods[w]); w++)
					;
				if (!param_mods[w] || j + 1 >= k ||
				    !(t->v[j + 1].kind == PT_NAME || jb_is_open(b, j + 1)))
					break;
				j++;
			}
			if (jb_op(b, j, "..."))
				j++;
			if (j >= k)
				continue;
			if (t->v[j].kind == PT_NAME) {
				ne = j + 1;
			} else if (jb_op(b, j, "{") || jb_op(b, j, "[")) {
				ne = jb_close(b, j, k);
				ne = ne ? ne + 1 : k;
				/* defaults inside the pattern: { a = f() } */
				jb_scan_expr(b, sg, j, ne, bi);
			} else {
				continue;
			}
			/* the text keeps decorators, modifiers, type and default */
			names[n] = jb_text(b, j, ne);
			texts[n] = jb_text(b, ps, k);
			n++;
			q = ne;
			if (jb_op(b, q, "?"))
				q++;
			if (jb_op(b, q, ":"))
				q = jb_skip_type(b, q + 1, k, 0, 0);
			if (jb_op(b, q, "="))
				jb_scan_expr(b, sg, q + 1, k, bi);
		}
	}
	bl = &b->ol->blocks[bi];
	bl->params = py_arena_alloc(b->ol->arena, (n ? n : 1) * sizeof(char *));
	bl->param_texts = py_arena_alloc(b->ol->arena, (n ? n : 1) * sizeof(char *));
	if (!bl->params || !bl->param_texts) {
		b->oom = 1;
		bl->nparams = 0;
		return;
	}
	memcpy(bl->params, names, n * sizeof(char *));
	memcpy(bl->param_texts, texts, n * sizeof(char *));
	bl->nparams = n;
}

uint32_t jb_make_def(struct jb *b, struct seg *sg, uint32_t hdr, uint32_t lp, uint32_t rp, int single,
		     uint32_t arrow, uint32_t body, uint32_t end, int parent, const char *name, int is_async,
		     int take_decs)
{
	struct py_block *bl;
	uint32_t rb, ee;
	int bi = jb_new_block(b, PB_DEF, parent, hdr);
	if (bi < 0)
		return end;
	bl = &b->ol->blocks[bi];
	bl->is_async = (uint8_t)is_async;
	bl->name = name ? name : name_for_value(b, hdr);
	if (take_decs) {
		bl->decorators = b->decs;
		bl->ndecorators = b->ndecs;
		if (b->ndecs)
			bl->dec_line = b->dec_line;
		b->decs = NULL;
		b->ndecs = 0;
	}
	bl->hdr_end = arrow ? arrow : body;
	/* passed directly as an argument: f(x => ...), f(a, function () {}) */
	if (hdr > 0 && b->csp > 0 && b->cs[b->csp - 1].call >= 0) {
		const struct jcs *top = &b->cs[b->csp - 1];
		if (hdr - 1 == top->open ||
		    (jb_op(b, hdr - 1, ",") && b->t->v[hdr - 1].depth == b->t->v[top->open].depth + 1)) {
			bl->arg_of = (uint32_t)top->call + 1;
			bl->arg_pos = (uint32_t)top->commas;
		}
	}
	params(b, sg, bi, lp, rp, single, parent);
	bl = &b->ol->blocks[bi];
	if (jb_op(b, body, "{")) {
		rb = jb_close(b, body, end);
		if (!rb)
			rb = end;
		jb_seg_close(b, sg, body + 1, bi);
		bl->body_begin = body + 1;
		bl->body_end = rb;
		jb_parse_list(b, body + 1, rb, bi, 0);
		jb_take_end_line(b, &b->ol->blocks[bi], rb < end ? rb : end - 1);
		if (rb >= end)
			return end;
		jb_seg_open(b, sg, rb, sg->block);
		return rb + 1;
	}
	ee = expr_end(b, body, end, b->t->v[arrow].depth);
	bl->body_begin = body;
	bl->body_end = ee;
	jb_take_end_line(b, &b->ol->blocks[bi], ee > body ? ee - 1 : body);
	push_ef(b, bi, ee, b->t->v[arrow].depth);
	return body;
}

/* At token k: an arrow function, a function or class expression, or an
 * object literal method.  Returns the token to scan next, or 0. */
static uint32_t try_def(struct jb *b, struct seg *sg, uint32_t k, uint32_t lim, uint32_t end, int blk)
{
	const struct py_toks *t = b->t;
	const struct py_tok *tk = &t->v[k];
	uint32_t m, q, r, p;
	int is_async;
	if (tk->kind == PT_NAME && !(tk->flags & PTF_KEYWORD) && jb_op(b, k + 1, "=>") && k + 1 < end) {
		uint32_t hdr = k;
		is_async = k > lim && jb_word(b, k - 1, "async") && t->v[k - 1].line == tk->line;
		if (is_async)
			hdr = k - 1;
		return jb_make_def(b, sg, hdr, k, k, 1, k + 1, k + 2, end, blk, NULL, is_async, 0);
	}
	if (jb_op(b, k, "(") && (m = jb_close(b, k, end)) && m + 1 < end) {
		uint32_t a = 0;
		if (jb_op(b, m + 1, "=>")) {
			a = m + 1;
		} else if (jb_op(b, m + 1, ":")) {
			q = jb_skip_type(b, m + 2, end, 1, JS_SPEC_LIMIT);
			if (jb_op(b, q, "=>"))
				a = q;
		}
		if (a && a + 1 <= end) {
			uint32_t hdr = k;
			if (k > lim && jb_op(b, k - 1, ">")) /* <T,>(x: T) => ... */
				hdr = jb_type_params_before(b, k - 1, lim);
			is_async = hdr > lim && jb_word(b, hdr - 1, "async");
			if (is_async)
				hdr--;
			return jb_make_def(b, sg, hdr, k, m, 0, a, a + 1, end, blk, NULL, is_async, 0);
		}
		return 0;
	}
	if (jb_kw(b, k, "function")) {
		const char *name = NULL;
		uint32_t hdr = k;
		is_async = k > lim && jb_word(b, k - 1, "async");
		if (is_async)
			hdr = k - 1;
		q = k + 1;
		if (jb_op(b, q, "*"))
			q++;
		if (jb_is_name(b, q)) {
			name = jb_text(b, q, q + 1);
			q++;
		}
		if (jb_op(b, q, "<"))
			q = jb_skip_angles(b, q, end);
		if (!jb_op(b, q, "(") || !(m = jb_close(b, q, end)))
			return 0;
		r = m + 1;
		if (jb_op(b, r, ":"))
			r = jb_skip_type(b, r + 1, end, 0, JS_SPEC_LIMIT);
		r = jb_skip_nl(b, r, end);
		if (!jb_op(b, r, "{"))
			return 0;
		return jb_make_def(b, sg, hdr, q, m, 0, 0, r, end, blk, name, is_async, 0);
	}
	if (jb_kw(b, k, "class")) {
		r = jb_parse_class(b, sg, k, end, blk);
		return r > k + 1 ? r : 0;
	}
	/* an object literal method: { [async|get|set|*] name(...) [: T] { } } */
	if (!(tk->kind == PT_NAME || jb_plain_string(b, k) || tk->kind == PT_NUMBER || jb_op(b, k, "[")))
		return 0;
	q = jb_op(b, k, "[") ? jb_close(b, k, end) + 1 : k + 1;
	if (q == 1 || q >= end || !(jb_op(b, q, "(") || jb_op(b, q, "<")))
		return 0;
	is_async = 0;
	for (p = k; p > lim && (jb_word(b, p - 1, "async") || jb_word(b, p - 1, "get") ||
				jb_word(b, p - 1, "set") ||
				jb_word(b, p - 1, "static") || jb_op(b, p - 1, "*"));
	     p--)
		if (jb_word(b, p - 1, "async"))
			is_async = 1;
	if (p <= lim || !(jb_op(b, p - 1, "{") || jb_op(b, p - 1, ",")))
		return 0;
	if (jb_op(b, q, "<"))
		q = jb_skip_angles(b, q, end);
	if (!jb_op(b, q, "(") || !(m = jb_close(b, q, end)))
		return 0;
	if (tk->kind == PT_NAME && (tk->flags & PTF_KEYWORD) &&
	    (py_tok_is(t, k, "if") || py_tok_is(t, k, "for") || py_tok_is(t, k, "while") ||
	     py_tok_is(t, k, "switch") || py_tok_is(t, k, "catch") || py_tok_is(t, k, "with") ||
	     py_tok_is(t, k, "function") || py_tok_is(t, k, "return") || py_tok_is(t, k, "await") ||
	     py_tok_is(t, k, "new") || py_tok_is(t, k, "typeof") || py_tok_is(t, k, "import")))
		return 0;
	r = m + 1;
	if (jb_op(b, r, ":"))
		r = jb_skip_type(b, r + 1, end, 0, JS_SPEC_LIMIT);
	r = jb_skip_nl(b, r, end);
	if (!jb_op(b, r, "{"))
		return 0;
	return jb_make_def(b, sg, p, q, m, 0, 0, r, end, blk, jb_op(b, k, "[") ? NULL : jb_key_text(b, k),
			   is_async, 0);
}

/* 1 when the token before "as"/"satisfies" at k ends an expression. */
static int ends_expr(const struct jb *b, uint32_t k, uint32_t lim)
{
	const struct py_tok *p;
	if (k <= lim)
		return 0;
	p = &b->t->v[k - 1];
	if (p->kind == PT_NAME)
		return !(p->flags & PTF_KEYWORD) || py_tok_is(b->t, k - 1, "true") ||
		       py_tok_is(b->t, k - 1, "false") ||
		       py_tok_is(b->t, k - 1, "null");
	return p->kind == PT_NUMBER || p->kind == PT_STRING || jb_is_closer(b, k - 1) || jb_op(b, k - 1, "!");
}

int jb_scan_expr(struct jb *b, struct seg *sg, uint32_t begin, uint32_t end, int cur)
{
	const struct py_toks *t = b->t;
	int cs_base = b->csp, es_base = b->esp;
	int flat = b->nest >= JS_MAX_NEST;
	uint32_t k = begin, r;
	if (end > b->n)
		end = b->n;
	while (k < end && !b->oom) {
		const struct py_tok *tk = &t->v[k];
		int blk;
		while (b->esp > es_base && b->es[b->esp - 1].end <= k)
			b->esp--;
		blk = b->esp > es_base ? b->es[b->esp - 1].block : cur;
		if (!flat && (r = try_def(b, sg, k, begin, end, blk)) > k) {
			k = r;
			continue;
		}
		if (tk->kind == PT_OP && tk->len == 1) {
			char c = t->src[tk->off];
			if (c == '(' || c == '[' || c == '{') {
				int call = -1;
				if (c == '(' && is_call_paren(b, k, begin) &&
				    (call = add_call(b, sg, k, begin, blk, CALL, 0)) < 0)
					break;
				if (push_cs(b, k, call) < 0)
					break;
			} else if (c == ')' || c == ']' || c == '}') {
				if (b->csp > cs_base)
					b->csp--;
			} else if (c == ',') {
				if (b->csp > 0 && tk->depth == t->v[b->cs[b->csp - 1].open].depth + 1)
					b->cs[b->csp - 1].commas++;
			} else if (c == '<' && k > begin && t->v[k - 1].kind == PT_NAME &&
			    (r = jb_generic_call(b, k, end))) {
				k = r; /* type arguments: not code */
				continue;
			} else if (c == '<' && !ends_expr(b, k, begin)) {
				/* <T>x (a type assertion) or <T>(x: T) => x: a type */
				k = jb_skip_angles(b, k, end);
				continue;
			}
		} else if (tk->kind == PT_NAME) {
			if ((py_tok_is(t, k, "as") || py_tok_is(t, k, "satisfies")) &&
			    ends_expr(b, k, begin)) {
				k = jb_skip_type(b, k + 1, end, 0, 0);
				continue;
			}
			if ((r = ref_at(b, k, end))) {
				if (add_call(b, sg, k, begin, blk, REF, r) < 0)
					break;
				k = r + 1;
				continue;
			}
		} else if (tk->kind == PT_STRING && is_tagged(b, k, begin)) {
			if (add_call(b, sg, k, begin, blk, TAGGED, 0) < 0)
				break;
		}
		k++;
	}
	b->csp = cs_base;
	b->esp = es_base;
	return b->oom ? -1 : 0;
}
