/*
 * js/outline: blocks and statements of one TypeScript/JavaScript file.
 *
 * Pass 1 matches brackets (the same recovery as the tokenizer's depths: a
 * closer may close a bracket a few levels down).  Pass 2 parses statement
 * lists recursively: declarations, compound statements with braced or
 * single-statement bodies, class members; the tokens of each statement's
 * expressions go to outline_expr.c, which finds functions (whose bodies
 * come back here) and calls.  Every list, expression and body is walked
 * once, jumping over nested brackets, so the whole pass is linear.
 */
#include <stdlib.h>
#include <string.h>

#include "js/js.h"
#include "js/outline_p.h"
#include "py/arena.h"

#define MAX_MATCH_SEARCH 8

static int grow(void **v, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 64;
	void *nv = realloc(*v, nc * sz);
	if (!nv)
		return -1;
	*v = nv;
	*cap = nc;
	return 0;
}

/* -- tokens -- */

int jb_op(const struct jb *b, uint32_t i, const char *s)
{
	return i < b->n && b->t->v[i].kind == PT_OP && py_tok_is(b->t, i, s);
}

int jb_kw(const struct jb *b, uint32_t i, const char *s)
{
	return i < b->n && (b->t->v[i].flags & PTF_KEYWORD) && py_tok_is(b->t, i, s);
}

int jb_word(const struct jb *b, uint32_t i, const char *s)
{
	return i < b->n && b->t->v[i].kind == PT_NAME && py_tok_is(b->t, i, s);
}

int jb_is_name(const struct jb *b, uint32_t i)
{
	return i < b->n && b->t->v[i].kind == PT_NAME && !(b->t->v[i].flags & PTF_KEYWORD);
}

int jb_is_open(const struct jb *b, uint32_t i)
{
	const struct py_tok *k;
	if (i >= b->n)
		return 0;
	k = &b->t->v[i];
	return k->kind == PT_OP && k->len == 1 && strchr("([{", b->t->src[k->off]);
}

uint32_t jb_close(const struct jb *b, uint32_t i, uint32_t end)
{
	int32_t m = i < b->n ? b->match[i] : -1;
	return m > (int32_t)i && (uint32_t)m < end ? (uint32_t)m : 0;
}

uint32_t jb_skip_nl(const struct jb *b, uint32_t i, uint32_t end)
{
	while (i < end && b->t->v[i].kind == PT_NEWLINE)
		i++;
	return i;
}

uint32_t jb_stmt_end(const struct jb *b, uint32_t i, uint32_t end)
{
	const struct py_toks *t = b->t;
	uint16_t d = i < b->n ? t->v[i].depth : 0;
	uint32_t k = i;
	while (k < end) {
		const struct py_tok *tk = &t->v[k];
		uint32_t m;
		if (k > i && tk->depth < d)
			break;
		if (tk->depth == d && (tk->kind == PT_NEWLINE || tk->kind == PT_END || jb_op(b, k, ";")))
			break;
		/* if (a) b()\nelse c(): no expression holds an else */
		if (k > i && tk->depth == d && jb_kw(b, k, "else"))
			break;
		m = jb_is_open(b, k) ? jb_close(b, k, end) : 0;
		k = m ? m + 1 : k + 1;
	}
	return k > i ? k : i + 1;
}

const char *jb_text(struct jb *b, uint32_t begin, uint32_t end)
{
	char *s = py_outline_text(b->ol, begin, end);
	const char *r;
	if (!s) {
		b->oom = 1;
		return NULL;
	}
	r = py_arena_strndup(b->ol->arena, s, strlen(s));
	free(s);
	if (!r)
		b->oom = 1;
	return r;
}

/* -- blocks and statements -- */

int jb_new_block(struct jb *b, int kind, int parent, uint32_t hdr_begin)
{
	struct py_outline *ol = b->ol;
	struct py_block *bl;
	if (grow((void **)&ol->blocks, &b->cap_blocks, ol->nblocks, sizeof(*bl))) {
		b->oom = 1;
		return -1;
	}
	bl = &ol->blocks[ol->nblocks];
	memset(bl, 0, sizeof(*bl));
	bl->kind = (uint8_t)kind;
	bl->parent = parent;
	bl->try_of = -1;
	bl->hdr_begin = bl->hdr_end = hdr_begin;
	bl->body_begin = bl->body_end = hdr_begin;
	bl->line = bl->end_line = bl->dec_line = hdr_begin < b->n ? b->t->v[hdr_begin].line : 0;
	if (kind == PB_DEF)
		bl->func = (int)ol->nblocks;
	else
		bl->func = parent >= 0 ? ol->blocks[parent].func : -1;
	return (int)ol->nblocks++;
}

void jb_seg_open(struct jb *b, struct seg *sg, uint32_t begin, int block)
{
	struct py_outline *ol = b->ol;
	struct py_stmt *st;
	sg->si = -1;
	sg->block = block;
	if (begin >= b->n || grow((void **)&ol->stmts, &b->cap_stmts, ol->nstmts, sizeof(*st))) {
		if (begin < b->n)
			b->oom = 1;
		return;
	}
	st = &ol->stmts[ol->nstmts];
	st->tok_begin = st->tok_end = begin;
	st->line = st->end_line = b->t->v[begin].line;
	st->block = block;
	st->opens = -1;
	sg->si = (int)ol->nstmts++;
}

/* 1 when tokens [begin,end) hold nothing but closers and separators. */
static int only_closers(const struct jb *b, uint32_t begin, uint32_t end)
{
	uint32_t k;
	for (k = begin; k < end; k++) {
		const struct py_tok *tk = &b->t->v[k];
		if (tk->kind == PT_NEWLINE)
			continue;
		if (tk->kind != PT_OP || tk->len != 1 || !strchr(")]};,", b->t->src[tk->off]))
			return 0;
	}
	return 1;
}

void jb_seg_close(struct jb *b, struct seg *sg, uint32_t end, int opens)
{
	struct py_stmt *st;
	if (sg->si < 0)
		return;
	st = &b->ol->stmts[sg->si];
	if (end > b->n)
		end = b->n;
	/* statements are filled one at a time: this one is the last */
	if (end <= st->tok_begin || (opens < 0 && only_closers(b, st->tok_begin, end))) {
		if ((size_t)sg->si + 1 == b->ol->nstmts)
			b->ol->nstmts--;
		sg->si = -1;
		return;
	}
	/* trailing line ends are not part of a statement */
	while (end > st->tok_begin + 1 && b->t->v[end - 1].kind == PT_NEWLINE)
		end--;
	st->tok_end = end;
	st->end_line = b->t->v[end - 1].end_line;
	st->opens = opens;
	sg->si = -1;
}

/* A statement of tokens [s,e) without functions or calls to look at. */
void jb_plain_stmt(struct jb *b, uint32_t s, uint32_t e, int cur)
{
	struct seg sg;
	jb_seg_open(b, &sg, s, cur);
	jb_seg_close(b, &sg, e, -1);
}

void jb_take_end_line(struct jb *b, struct py_block *bl, uint32_t last)
{
	if (last >= b->n)
		last = b->n ? b->n - 1 : 0;
	if (b->n && b->t->v[last].end_line > bl->end_line)
		bl->end_line = b->t->v[last].end_line;
}

static uint32_t parse_stmt(struct jb *b, uint32_t i, uint32_t end, int cur);

/*
 * The body of compound block bi starting at j (after its header, whose
 * statement sg is still open and ends at hc when the body has no braces).
 * Closes the header statement, parses the body, returns the token after it.
 */
static uint32_t parse_body(struct jb *b, struct seg *sg, int bi, uint32_t hc, uint32_t j, uint32_t end)
{
	struct py_block *bl = &b->ol->blocks[bi];
	uint32_t rb, e;
	j = jb_skip_nl(b, j, end);
	if (j < end && jb_op(b, j, "{")) {
		rb = jb_close(b, j, end);
		if (!rb)
			rb = end;
		bl->hdr_end = j;
		jb_seg_close(b, sg, j + 1, bi);
		bl->body_begin = j + 1;
		bl->body_end = rb;
		jb_parse_list(b, j + 1, rb, bi, 0);
		bl = &b->ol->blocks[bi];
		jb_take_end_line(b, bl, rb < end ? rb : end - 1);
		return rb < end ? rb + 1 : end;
	}
	bl->hdr_end = hc;
	jb_seg_close(b, sg, hc, bi);
	bl->body_begin = bl->body_end = j;
	if (j >= end)
		return end;
	if (jb_op(b, j, ";"))
		return j + 1;
	e = parse_stmt(b, j, end, bi);
	bl = &b->ol->blocks[bi];
	bl->body_end = e;
	jb_take_end_line(b, bl, e - 1);
	return e;
}

/* The ')' closing the '(' at i, or 0 when i holds no '(' or it is open. */
uint32_t jb_paren_at(const struct jb *b, uint32_t i, uint32_t end)
{
	return jb_op(b, i, "(") ? jb_close(b, i, end) : 0;
}

static uint32_t expr_stmt(struct jb *b, uint32_t s, uint32_t end, int cur);

/* if (...) body [else if (...) body]... [else body] */
static uint32_t parse_if(struct jb *b, uint32_t s, uint32_t k, uint32_t end, int cur)
{
	int kind = PB_IF;
	for (;;) {
		uint32_t rp = jb_paren_at(b, k + 1, end), j, m;
		struct seg sg;
		int bi;
		if (!rp)
			return expr_stmt(b, s, end, cur);
		bi = jb_new_block(b, kind, cur, s);
		if (bi < 0)
			return end;
		jb_seg_open(b, &sg, s, cur);
		jb_scan_expr(b, &sg, k + 2, rp, cur);
		j = parse_body(b, &sg, bi, rp + 1, rp + 1, end);
		for (m = j; m < end && (b->t->v[m].kind == PT_NEWLINE || jb_op(b, m, ";")); m++)
			;
		if (m >= end || !jb_kw(b, m, "else"))
			return j;
		if (m + 1 < end && jb_kw(b, m + 1, "if")) {
			s = m;
			k = m + 1;
			kind = PB_ELIF;
			continue;
		}
		bi = jb_new_block(b, PB_ELSE, cur, m);
		if (bi < 0)
			return end;
		jb_seg_open(b, &sg, m, cur);
		return parse_body(b, &sg, bi, m + 1, m + 1, end);
	}
}

/* for (init; test; update), for (x of xs), for (k in o), for await (...) */
static uint32_t parse_for(struct jb *b, uint32_t s, uint32_t k, uint32_t end, int cur)
{
	const struct py_toks *t = b->t;
	uint32_t lp = k + 1, rp, q, semi1 = 0, semi2 = 0, ofin = 0, tb;
	struct py_block *bl;
	struct seg sg;
	int bi, is_async = 0;
	uint16_t d;
	if (jb_kw(b, lp, "await")) {
		is_async = 1;
		lp++;
	}
	rp = jb_paren_at(b, lp, end);
	if (!rp)
		return expr_stmt(b, s, end, cur);
	bi = jb_new_block(b, PB_FOR, cur, s);
	if (bi < 0)
		return end;
	b->ol->blocks[bi].is_async = (uint8_t)is_async;
	jb_seg_open(b, &sg, s, cur);
	d = (uint16_t)(t->v[lp].depth + 1);
	for (q = lp + 1; q < rp; q++) {
		uint32_t m;
		if (t->v[q].depth == d) {
			if (jb_op(b, q, ";")) {
				if (!semi1)
					semi1 = q;
				else if (!semi2)
					semi2 = q;
			} else if (!semi1 && !ofin && (jb_word(b, q, "of") || jb_kw(b, q, "in"))) {
				ofin = q;
			}
		}
		m = jb_is_open(b, q) ? jb_close(b, q, rp) : 0;
		if (m)
			q = m;
	}
	tb = lp + 1;
	if (jb_kw(b, tb, "const") || jb_kw(b, tb, "let") || jb_kw(b, tb, "var"))
		tb++;
	bl = &b->ol->blocks[bi];
	if (ofin && !semi1 && tb <= ofin) {
		bl->target = jb_text(b, tb, ofin);
		bl->iter_begin = ofin + 1;
		bl->iter_end = rp;
		/* the iterable is evaluated once, before the loop */
		jb_scan_expr(b, &sg, ofin + 1, rp, cur);
	} else {
		uint32_t ie = semi1 ? semi1 : rp;
		bl->target = tb < ie && t->v[tb].kind == PT_NAME ? jb_text(b, tb, tb + 1) : "";
		bl->iter_begin = bl->iter_end = ie;
		jb_scan_expr(b, &sg, lp + 1, ie, cur);
		/* the test and the update run every iteration */
		if (semi1)
			jb_scan_expr(b, &sg, semi1 + 1, semi2 ? semi2 : rp, bi);
		if (semi2)
			jb_scan_expr(b, &sg, semi2 + 1, rp, bi);
	}
	return parse_body(b, &sg, bi, rp + 1, rp + 1, end);
}

static uint32_t parse_while(struct jb *b, uint32_t s, uint32_t k, uint32_t end, int cur)
{
	uint32_t rp = jb_paren_at(b, k + 1, end);
	struct seg sg;
	int bi;
	if (!rp)
		return expr_stmt(b, s, end, cur);
	bi = jb_new_block(b, PB_WHILE, cur, s);
	if (bi < 0)
		return end;
	jb_seg_open(b, &sg, s, cur);
	/* the condition runs every iteration: its calls are in the loop */
	jb_scan_expr(b, &sg, k + 2, rp, bi);
	return parse_body(b, &sg, bi, rp + 1, rp + 1, end);
}

static uint32_t parse_do(struct jb *b, uint32_t s, uint32_t k, uint32_t end, int cur)
{
	struct seg sg;
	uint32_t j, m, rp;
	int bi = jb_new_block(b, PB_WHILE, cur, s);
	if (bi < 0)
		return end;
	jb_seg_open(b, &sg, s, cur);
	j = parse_body(b, &sg, bi, k + 1, k + 1, end);
	for (m = j; m < end && (b->t->v[m].kind == PT_NEWLINE || jb_op(b, m, ";")); m++)
		;
	rp = m < end && jb_kw(b, m, "while") ? jb_paren_at(b, m + 1, end) : 0;
	if (!rp)
		return j;
	jb_seg_open(b, &sg, m, bi);
	jb_scan_expr(b, &sg, m + 2, rp, bi);
	jb_seg_close(b, &sg, rp + 1, -1);
	b->ol->blocks[bi].body_end = rp + 1;
	jb_take_end_line(b, &b->ol->blocks[bi], rp);
	return rp + 1;
}

static uint32_t parse_try(struct jb *b, uint32_t s, uint32_t k, uint32_t end, int cur)
{
	struct seg sg;
	uint32_t j, m;
	int ti = jb_new_block(b, PB_TRY, cur, s);
	if (ti < 0)
		return end;
	jb_seg_open(b, &sg, s, cur);
	j = parse_body(b, &sg, ti, k + 1, k + 1, end);
	for (;;) {
		int bi;
		uint32_t q;
		m = jb_skip_nl(b, j, end);
		if (m >= end) /* a catch or finally past the range is not this try's */
			return j;
		if (jb_kw(b, m, "catch")) {
			bi = jb_new_block(b, PB_EXCEPT, cur, m);
			if (bi < 0)
				return end;
			b->ol->blocks[bi].try_of = ti;
			q = m + 1;
			if (jb_paren_at(b, q, end)) {
				uint32_t rp = jb_paren_at(b, q, end), e = q + 1;
				while (e < rp && !jb_op(b, e, ":"))
					e++;
				b->ol->blocks[bi].target = jb_text(b, q + 1, e);
				q = rp + 1;
			}
			jb_seg_open(b, &sg, m, cur);
			j = parse_body(b, &sg, bi, q, q, end);
			continue;
		}
		if (jb_kw(b, m, "finally")) {
			bi = jb_new_block(b, PB_FINALLY, cur, m);
			if (bi < 0)
				return end;
			b->ol->blocks[bi].try_of = ti;
			jb_seg_open(b, &sg, m, cur);
			j = parse_body(b, &sg, bi, m + 1, m + 1, end);
		}
		return j;
	}
}

/* The ':' ending the case label starting at q (a ?: inside skipped). */
static uint32_t case_colon(const struct jb *b, uint32_t q, uint32_t end)
{
	uint16_t d = b->t->v[q].depth;
	int tern = 0;
	uint32_t k, m;
	for (k = q + 1; k < end; k = m ? m + 1 : k + 1) {
		m = 0;
		if (b->t->v[k].depth != d)
			continue;
		if (jb_op(b, k, "?")) {
			tern++;
		} else if (jb_op(b, k, ":")) {
			if (!tern)
				return k;
			tern--;
		} else if (jb_is_open(b, k)) {
			m = jb_close(b, k, end);
		}
	}
	return end;
}

static uint32_t parse_switch(struct jb *b, uint32_t s, uint32_t k, uint32_t end, int cur)
{
	uint32_t rp = jb_paren_at(b, k + 1, end), lb, rb, q;
	struct seg sg;
	int mi;
	if (!rp)
		return expr_stmt(b, s, end, cur);
	mi = jb_new_block(b, PB_MATCH, cur, s);
	if (mi < 0)
		return end;
	jb_seg_open(b, &sg, s, cur);
	jb_scan_expr(b, &sg, k + 2, rp, cur);
	lb = jb_skip_nl(b, rp + 1, end);
	if (!jb_op(b, lb, "{")) {
		jb_seg_close(b, &sg, rp + 1, mi);
		return rp + 1;
	}
	rb = jb_close(b, lb, end);
	if (!rb)
		rb = end;
	b->ol->blocks[mi].hdr_end = lb;
	jb_seg_close(b, &sg, lb + 1, mi);
	b->ol->blocks[mi].body_begin = lb + 1;
	b->ol->blocks[mi].body_end = rb;
	q = lb + 1;
	while (q < rb && !b->oom) {
		if (b->t->v[q].kind == PT_NEWLINE || jb_op(b, q, ";")) {
			q++;
			continue;
		}
		if (jb_kw(b, q, "case") || (jb_kw(b, q, "default") && jb_op(b, q + 1, ":"))) {
			uint32_t colon = case_colon(b, q, rb), stop;
			int ci = jb_new_block(b, PB_CASE, mi, q);
			if (ci < 0)
				return end;
			b->ol->blocks[ci].hdr_end = colon;
			jb_seg_open(b, &sg, q, mi);
			if (jb_kw(b, q, "case"))
				jb_scan_expr(b, &sg, q + 1, colon, mi);
			jb_seg_close(b, &sg, colon < rb ? colon + 1 : rb, ci);
			b->ol->blocks[ci].body_begin = colon < rb ? colon + 1 : rb;
			stop = colon < rb ? jb_parse_list(b, colon + 1, rb, ci, 1) : rb;
			b->ol->blocks[ci].body_end = stop;
			jb_take_end_line(b, &b->ol->blocks[ci], stop > q ? stop - 1 : q);
			q = stop > q ? stop : q + 1;
			continue;
		}
		q = parse_stmt(b, q, rb, mi);
	}
	jb_take_end_line(b, &b->ol->blocks[mi], rb < end ? rb : end - 1);
	return rb < end ? rb + 1 : end;
}

/* [async] function [*] name [<T>] (params) [: type] { body } */
static uint32_t parse_function(struct jb *b, uint32_t s, uint32_t k, uint32_t end, int cur)
{
	int is_async = jb_word(b, k, "async");
	uint32_t q = is_async ? k + 2 : k + 1, rp, r;
	const char *name = NULL;
	struct seg sg;
	if (jb_op(b, q, "*"))
		q++;
	if (jb_is_name(b, q)) {
		name = jb_text(b, q, q + 1);
		q++;
	}
	if (jb_op(b, q, "<"))
		q = jb_skip_angles(b, q, end);
	rp = jb_paren_at(b, q, end);
	if (!rp)
		return expr_stmt(b, s, end, cur);
	r = rp + 1;
	if (jb_op(b, r, ":"))
		r = jb_skip_type(b, r + 1, end, 0, 0);
	r = jb_skip_nl(b, r, end);
	if (!jb_op(b, r, "{")) { /* an overload signature or a declaration */
		uint32_t e = jb_stmt_end(b, s, end);
		jb_plain_stmt(b, s, e, cur);
		return e;
	}
	jb_seg_open(b, &sg, s, cur);
	r = jb_make_def(b, &sg, k, q, rp, 0, 0, r, end, cur, name, is_async, 0);
	jb_seg_close(b, &sg, r, -1);
	return r;
}

/* An expression statement (declarations included) starting at s. */
static uint32_t expr_stmt(struct jb *b, uint32_t s, uint32_t end, int cur)
{
	uint32_t e = jb_stmt_end(b, s, end), k = s, q;
	struct seg sg;
	jb_seg_open(b, &sg, s, cur);
	while (k + 1 < e && (jb_kw(b, k, "export") || jb_word(b, k, "declare")) &&
	    b->t->v[k + 1].kind == PT_NAME)
		k++;
	if (jb_kw(b, k, "const") || jb_kw(b, k, "let") || jb_kw(b, k, "var")) {
		/* the first declarator's type annotation is no expression */
		q = k + 1;
		if (jb_is_name(b, q)) {
			q++;
		} else if ((jb_op(b, q, "{") || jb_op(b, q, "[")) && jb_close(b, q, e)) {
			/* a destructuring pattern: its defaults may call */
			uint32_t c = jb_close(b, q, e);
			jb_scan_expr(b, &sg, q, c + 1, cur);
			q = c + 1;
		}
		if (jb_op(b, q, "!"))
			q++;
		if (jb_op(b, q, ":"))
			q = jb_skip_type(b, q + 1, e, 0, 0);
		if (jb_op(b, q, "="))
			q++;
		jb_scan_expr(b, &sg, q, e, cur);
	} else {
		jb_scan_expr(b, &sg, s, e, cur);
	}
	jb_seg_close(b, &sg, e, -1);
	return e;
}

/* A block whose statements belong to the enclosing block: namespace X { },
 * declare module 'x' { }, declare global { }, or a bare { }. */
static uint32_t inner_block(struct jb *b, uint32_t s, uint32_t lb, uint32_t end, int cur)
{
	uint32_t rb = jb_close(b, lb, end);
	if (!rb)
		rb = end;
	if (lb > s)
		jb_plain_stmt(b, s, lb + 1, cur);
	jb_parse_list(b, lb + 1, rb, cur, 0);
	return rb < end ? rb + 1 : end;
}

/* A statement after its export/declare/abstract modifiers (at k). */
static uint32_t dispatch(struct jb *b, uint32_t s, uint32_t k, uint32_t end, int cur)
{
	if (jb_kw(b, k, "function") || (jb_word(b, k, "async") && jb_kw(b, k + 1, "function") &&
					 b->t->v[k + 1].line == b->t->v[k].line))
		return parse_function(b, s, k, end, cur);
	if (jb_kw(b, k, "class")) {
		struct seg sg;
		uint32_t r;
		jb_seg_open(b, &sg, s, cur);
		r = jb_parse_class(b, &sg, k, end, cur);
		if (r == k + 1) { /* no body */
			jb_seg_close(b, &sg, s, -1);
			return expr_stmt(b, s, end, cur);
		}
		jb_seg_close(b, &sg, r, -1);
		return r;
	}
	if (jb_kw(b, k, "if"))
		return parse_if(b, s, k, end, cur);
	if (jb_kw(b, k, "for"))
		return parse_for(b, s, k, end, cur);
	if (jb_kw(b, k, "while"))
		return parse_while(b, s, k, end, cur);
	if (jb_kw(b, k, "do"))
		return parse_do(b, s, k, end, cur);
	if (jb_kw(b, k, "try"))
		return parse_try(b, s, k, end, cur);
	if (jb_kw(b, k, "switch"))
		return parse_switch(b, s, k, end, cur);
	if ((jb_word(b, k, "interface") && jb_is_name(b, k + 1)) || jb_kw(b, k, "enum") ||
	    (jb_kw(b, k, "const") && jb_kw(b, k + 1, "enum"))) {
		uint32_t lb = jb_header_brace(b, k, end), rb = lb ? jb_close(b, lb, end) : 0;
		uint32_t e = rb ? rb + 1 : jb_stmt_end(b, s, end);
		jb_plain_stmt(b, s, e, cur); /* types: nothing runs */
		return e;
	}
	if (jb_word(b, k, "type") && jb_is_name(b, k + 1) && (jb_op(b, k + 2, "=") || jb_op(b, k + 2, "<"))) {
		uint32_t e = jb_stmt_end(b, s, end);
		jb_plain_stmt(b, s, e, cur);
		return e;
	}
	if ((jb_word(b, k, "namespace") || jb_word(b, k, "module")) && k + 1 < end &&
	    (b->t->v[k + 1].kind == PT_NAME || b->t->v[k + 1].kind == PT_STRING)) {
		uint32_t lb = jb_header_brace(b, k, end);
		if (lb)
			return inner_block(b, s, lb, end, cur);
	}
	if (jb_word(b, k, "global") && k > s && jb_op(b, k + 1, "{"))
		return inner_block(b, s, k + 1, end, cur);
	if (k == s && jb_op(b, k, "{"))
		return inner_block(b, s, k, end, cur);
	if (k == s && jb_is_name(b, k) && jb_op(b, k + 1, ":") && k + 2 < end)
		return parse_stmt(b, k + 2, end, cur); /* a label */
	return expr_stmt(b, s, end, cur);
}

static uint32_t parse_stmt(struct jb *b, uint32_t i, uint32_t end, int cur)
{
	uint32_t k = i, r;
	if (b->nest >= JS_MAX_NEST) { /* too deep: calls only */
		struct seg sg;
		r = jb_stmt_end(b, i, end);
		jb_seg_open(b, &sg, i, cur);
		jb_scan_expr(b, &sg, i, r, cur);
		jb_seg_close(b, &sg, r, -1);
		return r;
	}
	if (jb_op(b, i, "@"))
		return jb_decorator_stmt(b, i, end, cur);
	if (jb_kw(b, i, "export") && jb_op(b, i + 1, "@"))
		return i + 1; /* export @Dec class A {}: the decorators, then the class */
	while (k + 1 < end && b->t->v[k + 1].kind == PT_NAME &&
	       (jb_kw(b, k, "export") || (jb_kw(b, k, "default") && k > i) || jb_word(b, k, "declare") ||
		jb_word(b, k, "abstract")))
		k++;
	b->nest++;
	r = dispatch(b, i, k, end, cur);
	b->nest--;
	return r > i ? r : i + 1;
}

uint32_t jb_parse_list(struct jb *b, uint32_t begin, uint32_t end, int cur, int in_switch)
{
	uint32_t i = begin;
	while (i < end && !b->oom) {
		uint32_t j;
		int dec;
		if (b->t->v[i].kind == PT_NEWLINE || jb_op(b, i, ";")) {
			i++;
			continue;
		}
		if (in_switch && (jb_kw(b, i, "case") || (jb_kw(b, i, "default") && jb_op(b, i + 1, ":"))))
			return i;
		dec = jb_op(b, i, "@");
		j = parse_stmt(b, i, end, cur);
		if (!dec)
			jb_drop_decorators(b);
		i = j > i ? j : i + 1;
	}
	return end;
}

/* Pass 1: matching brackets, with the tokenizer's recovery rule. */
static int match_brackets(struct jb *b)
{
	const struct py_toks *t = b->t;
	uint32_t *stack = NULL, i;
	size_t sp = 0, cap = 0;
	b->match = malloc(((size_t)t->n + 1) * sizeof(int32_t));
	if (!b->match)
		return -1;
	for (i = 0; i < t->n; i++) {
		const struct py_tok *k = &t->v[i];
		char c;
		b->match[i] = -1;
		if (k->kind != PT_OP || k->len != 1)
			continue;
		c = t->src[k->off];
		if (c == '(' || c == '[' || c == '{') {
			if (sp == cap) {
				size_t nc = cap ? cap * 2 : 256;
				uint32_t *nv = realloc(stack, nc * sizeof(*nv));
				if (!nv) {
					free(stack);
					return -1;
				}
				stack = nv;
				cap = nc;
			}
			stack[sp++] = i;
		} else if (c == ')' || c == ']' || c == '}') {
			char want = c == ')' ? '(' : c == ']' ? '[' : '{';
			size_t j;
			for (j = sp; j > 0 && sp - j < MAX_MATCH_SEARCH; j--) {
				uint32_t o = stack[j - 1];
				/* a JSX container's braces are plain braces here; a
				 * bracket of another depth is not this closer's */
				if (t->src[t->v[o].off] == want && t->v[o].depth == k->depth) {
					b->match[i] = (int32_t)o;
					b->match[o] = (int32_t)i;
					sp = j - 1;
					break;
				}
			}
		}
	}
	free(stack);
	return 0;
}

int js_outline_build(struct py_outline *ol, const struct py_toks *toks)
{
	struct jb b;
	int rc = -1;
	memset(ol, 0, sizeof(*ol));
	memset(&b, 0, sizeof(b));
	ol->lang = LANG_TS;
	ol->toks = toks;
	ol->arena = py_arena_new();
	b.ol = ol;
	b.t = toks;
	b.n = toks->n && toks->v[toks->n - 1].kind == PT_END ? (uint32_t)toks->n - 1 : (uint32_t)toks->n;
	if (!ol->arena || match_brackets(&b) < 0)
		goto out;
	if (jb_new_block(&b, PB_MODULE, -1, 0) < 0)
		goto out;
	ol->blocks[0].line = 1;
	jb_parse_list(&b, 0, b.n, 0, 0);
	if (b.oom)
		goto out;
	ol->blocks[0].end_line = toks->n ? toks->v[toks->n - 1].line : 1;
	ol->blocks[0].body_end = b.n;
	js_mark_handlers(ol);
	rc = 0;
out:
	free(b.match);
	free(b.cs);
	free(b.es);
	if (rc < 0) {
		py_outline_free(ol);
		ol->lang = LANG_TS;
	}
	return rc;
}
