/*
 * go/outline: blocks and statements of one Go file (see go.h).
 *
 * Pass 1 matches brackets.  Pass 2 walks statement lists: a statement
 * ends at a NEWLINE of its own level (nested brackets are jumped over via
 * the match table, so each level is read once and the whole walk is
 * linear), keywords open blocks, and each statement's tokens are scanned
 * once for calls and function literals (outline_expr.c).  Malformed input
 * never stops the walk: an unmatched bracket reaches to the end of the
 * enclosing range, and every step advances.
 */
#include <stdlib.h>
#include <string.h>

#include "py/arena.h"
#include "go/outline_p.h"

static int grow(void **v, size_t *cap, size_t n, size_t sz)
{
	size_t nc;
	void *nv;
	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 64;
	nv = realloc(*v, nc * sz);
	if (!nv)
		return -1;
	*v = nv;
	*cap = nc;
	return 0;
}

int gb_new_block(struct go_build *b, int kind, int parent, uint32_t hdr)
{
	struct py_outline *ol = b->ol;
	struct py_block *bl;
	if (grow((void **)&ol->blocks, &b->cap_blocks, ol->nblocks, sizeof(*bl)))
		return -1;
	bl = &ol->blocks[ol->nblocks];
	memset(bl, 0, sizeof(*bl));
	bl->kind = (uint8_t)kind;
	bl->parent = parent;
	bl->try_of = -1;
	bl->hdr_begin = bl->hdr_end = hdr;
	bl->body_begin = bl->body_end = hdr;
	bl->line = bl->end_line = bl->dec_line = hdr < b->toks->n ? b->toks->v[hdr].line : 1;
	if (kind == PB_DEF)
		bl->func = (int)ol->nblocks;
	else
		bl->func = parent >= 0 ? ol->blocks[parent].func : -1;
	return (int)ol->nblocks++;
}

int gb_new_stmt(struct go_build *b, uint32_t begin, uint32_t end, int block, int opens)
{
	struct py_outline *ol = b->ol;
	struct py_stmt *st;
	if (grow((void **)&ol->stmts, &b->cap_stmts, ol->nstmts, sizeof(*st)))
		return -1;
	if (end <= begin)
		end = begin + 1;
	st = &ol->stmts[ol->nstmts];
	st->tok_begin = begin;
	st->tok_end = end;
	st->line = b->toks->v[begin].line;
	st->end_line = b->toks->v[end - 1].end_line;
	st->block = block;
	st->opens = opens;
	return (int)ol->nstmts++;
}

const char *gb_text(struct go_build *b, uint32_t begin, uint32_t end)
{
	char *s;
	const char *r;
	if (begin >= end)
		return "";
	s = py_outline_text(b->ol, begin, end);
	if (!s)
		return NULL;
	r = py_arena_strndup(b->ol->arena, s, strlen(s));
	free(s);
	return r;
}

uint32_t gb_skip(const struct go_build *b, uint32_t i, uint32_t end)
{
	int32_t m = b->match[i];
	if (m > (int32_t)i && (uint32_t)m < end)
		return (uint32_t)m + 1;
	return i + 1;
}

/* End of the statement starting at i: its NEWLINE, or end. */
static uint32_t stmt_end(const struct go_build *b, uint32_t i, uint32_t end)
{
	while (i < end && !gb_newline(b, i))
		i = gb_skip(b, i, end);
	return i < end ? i : end;
}

static int is_closer(const struct go_build *b, uint32_t i)
{
	const struct py_tok *k = &b->toks->v[i];
	char c;
	if (k->kind != PT_OP || k->len != 1)
		return 0;
	c = b->toks->src[k->off];
	return (c == ')' || c == ']' || c == '}');
}

/* Pass 1: bracket pairs.  A closer pairs with the top opener of its kind;
 * a '}' also discards unclosed ( and [ above its '{' (a missing ')' must
 * not swallow the rest of the function); a stray ) or ] is left alone. */
static int match_brackets(struct go_build *b)
{
	const struct py_toks *t = b->toks;
	int32_t *stack;
	size_t sp = 0, i;
	b->match = malloc((t->n + 1) * sizeof(int32_t));
	stack = malloc((t->n + 1) * sizeof(int32_t));
	if (!b->match || !stack) {
		free(stack);
		return -1;
	}
	for (i = 0; i < t->n; i++) {
		const struct py_tok *k = &t->v[i];
		char c, want;
		b->match[i] = -1;
		if (k->kind != PT_OP || k->len != 1)
			continue;
		c = t->src[k->off];
		if (c == '(' || c == '[' || c == '{') {
			stack[sp++] = (int32_t)i;
			continue;
		}
		want = c == ')' ? '(' : c == ']' ? '[' : c == '}' ? '{' : 0;
		if (!want)
			continue;
		if (c == '}')
			while (sp > 0 && t->src[t->v[stack[sp - 1]].off] != '{')
				sp--;
		if (sp > 0 && t->src[t->v[stack[sp - 1]].off] == want) {
			sp--;
			b->match[i] = stack[sp];
			b->match[stack[sp]] = (int32_t)i;
		}
	}
	free(stack);
	return 0;
}

/* 1 when the '{' at k starts a composite literal rather than the body of
 * the if/for/switch header begun at begin: its operand starts with an
 * array, slice or map type ([]int{1, 2}, map[string]bool{...}) or is a
 * struct type; a plain T{} must be parenthesised there by the language. */
static int composite_brace(const struct go_build *b, uint32_t k, uint32_t begin)
{
	uint32_t q = k, first = k;
	while (q > begin) {
		uint32_t p = q - 1;
		int32_t m = b->match[p];
		if (gb_name(b, p) || gb_is(b, p, ".") || gb_is(b, p, "*") || gb_kw(b, p, "map") ||
		    gb_kw(b, p, "chan")) {
			first = q = p;
			continue;
		}
		if (gb_is(b, p, "]") && m >= (int32_t)begin && m < (int32_t)p) {
			first = q = (uint32_t)m;
			continue;
		}
		if (gb_is(b, p, ")") && m > (int32_t)begin && m < (int32_t)p) {
			/* only a function type's parameters ([]func(int){f}); a
			 * call or conversion ([]byte(s)) ends the operand */
			if (!gb_kw(b, (uint32_t)m - 1, "func"))
				return 0;
			first = q = (uint32_t)m - 1;
			continue;
		}
		if (gb_is(b, p, "}") && m > (int32_t)begin && m < (int32_t)p &&
		    gb_kw(b, (uint32_t)m - 1, "struct"))
			return 1;
		break;
	}
	return first < k && (gb_is(b, first, "[") || gb_kw(b, first, "map"));
}

/* The '{' opening the body of the if/for/switch header at [i,end), or
 * where the header stops without one (an inserted NEWLINE, or end). */
static uint32_t find_lbrace(const struct go_build *b, uint32_t i, uint32_t end)
{
	uint32_t k = i;
	while (k < end) {
		const struct py_tok *t = &b->toks->v[k];
		if (t->kind == PT_NEWLINE && t->len == 0)
			return k;
		if (gb_kw(b, k, "func") && k + 1 < end && gb_is(b, k + 1, "(") &&
		    b->match[k + 1] > (int32_t)k + 1 && (uint32_t)b->match[k + 1] < end) {
			uint32_t lb = gb_func_body(b, (uint32_t)b->match[k + 1], end);
			k = lb < end && gb_is(b, lb, "{") ? gb_skip(b, lb, end) : lb;
			continue;
		}
		if (gb_is(b, k, "{")) {
			if ((k > i && (gb_kw(b, k - 1, "struct") || gb_kw(b, k - 1, "interface"))) ||
			    composite_brace(b, k, i)) {
				k = gb_skip(b, k, end);
				continue;
			}
			return k;
		}
		k = gb_skip(b, k, end);
	}
	return end;
}

/* The closing '}' of the body opened at lb, or end when unterminated. */
static uint32_t body_close(const struct go_build *b, uint32_t lb, uint32_t end)
{
	int32_t m = b->match[lb];
	return m > (int32_t)lb && (uint32_t)m < end ? (uint32_t)m : end;
}

static void set_body(struct go_build *b, int bi, uint32_t lb, uint32_t rb, uint32_t end)
{
	struct py_block *bl = &b->ol->blocks[bi];
	bl->hdr_end = lb;
	bl->body_begin = lb + 1 < rb ? lb + 1 : rb;
	bl->body_end = rb;
	bl->end_line = b->toks->v[rb < end ? rb : end - 1].end_line;
	if (bl->end_line < bl->line)
		bl->end_line = bl->line;
}

/* A header without a body (malformed): the statement ends at stop. */
static int bodyless(struct go_build *b, int bi, uint32_t sb, uint32_t kw, uint32_t stop, int cur,
		    uint32_t *next)
{
	int si = gb_new_stmt(b, sb, stop, cur, bi);
	struct py_block *bl;
	if (si < 0 || gb_scan_expr(b, &si, kw + 1, stop, cur) < 0)
		return -1;
	b->ol->stmts[si].opens = bi;
	bl = &b->ol->blocks[bi];
	bl->hdr_end = bl->body_begin = bl->body_end = stop;
	bl->end_line = b->toks->v[stop > kw ? stop - 1 : kw].end_line;
	*next = stop > kw ? stop : kw + 1;
	return 0;
}

/* The header statement [sb, lb] of block bi, scanned in [from, lb) in
 * block cur; then the body. */
static int braced(struct go_build *b, int bi, uint32_t sb, uint32_t from, uint32_t lb, uint32_t end, int cur,
		  uint32_t *next)
{
	uint32_t rb = body_close(b, lb, end);
	int si = gb_new_stmt(b, sb, lb + 1, cur, bi);
	if (si < 0 || gb_scan_expr(b, &si, from, lb, cur) < 0)
		return -1;
	b->ol->stmts[si].opens = bi;
	set_body(b, bi, lb, rb, end);
	if (gb_walk_stmts(b, lb + 1, rb, bi) < 0)
		return -1;
	*next = rb < end ? rb + 1 : end;
	return 0;
}

static int parse_if(struct go_build *b, uint32_t sb, uint32_t kw, uint32_t end, int cur, uint32_t *next)
{
	int kind = PB_IF;
	for (;;) {
		int bi = gb_new_block(b, kind, cur, kw);
		uint32_t lb, j;
		if (bi < 0)
			return -1;
		lb = find_lbrace(b, kw + 1, end);
		if (lb >= end || !gb_is(b, lb, "{"))
			return bodyless(b, bi, sb, kw, lb, cur, next);
		if (braced(b, bi, sb, kw + 1, lb, end, cur, &j) < 0)
			return -1;
		*next = j;
		if (j + 1 >= end || !gb_kw(b, j, "else"))
			return 0;
		if (gb_kw(b, j + 1, "if")) {
			kind = PB_ELIF;
			sb = j;
			kw = j + 1;
			continue;
		}
		if (gb_is(b, j + 1, "{")) {
			bi = gb_new_block(b, PB_ELSE, cur, j);
			if (bi < 0)
				return -1;
			return braced(b, bi, j, j + 1, j + 1, end, cur, next);
		}
		return 0;
	}
}

/* The first ';' of the for header [i,stop) at its level, or stop. */
static uint32_t header_semi(const struct go_build *b, uint32_t i, uint32_t stop)
{
	while (i < stop && !(gb_newline(b, i) && b->toks->v[i].len == 1))
		i = gb_skip(b, i, stop);
	return i;
}

static int parse_for(struct go_build *b, uint32_t sb, uint32_t kw, uint32_t end, int cur, uint32_t *next)
{
	int bi = gb_new_block(b, PB_FOR, cur, kw), si;
	uint32_t stop, hend, k, rng, s1, s2, rb;
	struct py_block *bl;
	if (bi < 0)
		return -1;
	stop = find_lbrace(b, kw + 1, end);
	hend = stop < end && gb_is(b, stop, "{") ? stop + 1 : stop;
	si = gb_new_stmt(b, sb, hend > kw + 1 ? hend : kw + 1, cur, bi);
	if (si < 0)
		return -1;
	for (rng = kw + 1; rng < stop && !gb_kw(b, rng, "range"); rng = gb_skip(b, rng, stop))
		;
	bl = &b->ol->blocks[bi];
	if (rng < stop) {
		k = rng > kw + 1 && (gb_is(b, rng - 1, ":=") || gb_is(b, rng - 1, "=")) ? rng - 1 : rng;
		bl->target = gb_text(b, kw + 1, k);
		bl->iter_begin = rng + 1;
		bl->iter_end = stop;
		if (!bl->target || gb_scan_expr(b, &si, kw + 1, stop, cur) < 0)
			return -1;
	} else {
		s1 = header_semi(b, kw + 1, stop);
		s2 = s1 < stop ? header_semi(b, s1 + 1, stop) : stop;
		bl->target = "";
		if (s1 < stop) {
			bl->iter_begin = s1 + 1;
			bl->iter_end = s2;
			if (gb_scan_expr(b, &si, kw + 1, s1, cur) < 0 ||
			    gb_scan_expr(b, &si, s1 + 1, stop, bi) < 0)
				return -1;
		} else {
			bl->iter_begin = kw + 1;
			bl->iter_end = stop;
			if (gb_scan_expr(b, &si, kw + 1, stop, bi) < 0)
				return -1;
		}
	}
	b->ol->stmts[si].opens = bi;
	if (stop >= end || !gb_is(b, stop, "{")) {
		bl = &b->ol->blocks[bi];
		bl->hdr_end = bl->body_begin = bl->body_end = stop;
		*next = stop > kw ? stop : kw + 1;
		return 0;
	}
	rb = body_close(b, stop, end);
	set_body(b, bi, stop, rb, end);
	if (gb_walk_stmts(b, stop + 1, rb, bi) < 0)
		return -1;
	*next = rb < end ? rb + 1 : end;
	return 0;
}

/* The ':' ending the case clause header at [i,end), or end. */
static uint32_t case_colon(const struct go_build *b, uint32_t i, uint32_t end)
{
	while (i < end && !gb_is(b, i, ":"))
		i = gb_skip(b, i, end);
	return i;
}

static void close_case(struct go_build *b, int cc, uint32_t at)
{
	struct py_block *bl = &b->ol->blocks[cc];
	bl->body_end = at > bl->body_begin ? at : bl->body_begin;
	if (at > 0 && b->toks->v[at - 1].end_line > bl->end_line)
		bl->end_line = b->toks->v[at - 1].end_line;
}

static int parse_stmt(struct go_build *b, uint32_t i, uint32_t end, int cur, uint32_t *next);

/* The clauses of a switch or select body [k, rb) in block bi. */
static int switch_body(struct go_build *b, int bi, uint32_t k, uint32_t rb)
{
	int cc = -1;
	while (k < rb) {
		uint32_t colon, n;
		int si;
		if (gb_newline(b, k) || is_closer(b, k)) {
			k++;
			continue;
		}
		if (gb_kw(b, k, "case") || gb_kw(b, k, "default")) {
			if (cc >= 0)
				close_case(b, cc, k);
			colon = case_colon(b, k + 1, rb);
			cc = gb_new_block(b, PB_CASE, bi, k);
			if (cc < 0)
				return -1;
			si = gb_new_stmt(b, k, colon < rb ? colon + 1 : rb, bi, cc);
			if (si < 0 || gb_scan_expr(b, &si, k + 1, colon, bi) < 0)
				return -1;
			b->ol->stmts[si].opens = cc;
			b->ol->blocks[cc].hdr_end = colon;
			k = colon < rb ? colon + 1 : rb;
			b->ol->blocks[cc].body_begin = b->ol->blocks[cc].body_end = k;
			continue;
		}
		if (parse_stmt(b, k, rb, cc >= 0 ? cc : bi, &n) < 0)
			return -1;
		k = n > k ? n : k + 1;
	}
	if (cc >= 0)
		close_case(b, cc, rb);
	return 0;
}

static int parse_switch(struct go_build *b, uint32_t sb, uint32_t kw, uint32_t end, int cur, uint32_t *next)
{
	int bi = gb_new_block(b, PB_MATCH, cur, kw), si;
	uint32_t lb, rb;
	if (bi < 0)
		return -1;
	lb = find_lbrace(b, kw + 1, end);
	if (lb >= end || !gb_is(b, lb, "{"))
		return bodyless(b, bi, sb, kw, lb, cur, next);
	rb = body_close(b, lb, end);
	si = gb_new_stmt(b, sb, lb + 1, cur, bi);
	if (si < 0 || gb_scan_expr(b, &si, kw + 1, lb, cur) < 0)
		return -1;
	b->ol->stmts[si].opens = bi;
	set_body(b, bi, lb, rb, end);
	if (b->nest < GO_MAX_NEST) {
		b->nest++;
		if (switch_body(b, bi, lb + 1, rb) < 0)
			return -1;
		b->nest--;
	}
	*next = rb < end ? rb + 1 : end;
	return 0;
}

/* Receiver type of the receiver list (rl, rr): the type name without '*',
 * package or type arguments. */
static const char *recv_type(struct go_build *b, uint32_t rl, uint32_t rr)
{
	uint32_t k = rl + 1;
	if (k < rr && gb_name(b, k) && k + 1 < rr && !gb_is(b, k + 1, ".") && !gb_is(b, k + 1, "["))
		k++; /* the receiver variable */
	while (k < rr && (gb_is(b, k, "*") || gb_is(b, k, "(")))
		k++;
	if (k < rr && gb_name(b, k))
		return py_arena_strndup(b->ol->arena, py_tok_text(b->toks, k), b->toks->v[k].len);
	return NULL;
}

/* func [ (recv) ] Name [ [T any] ] (params) [results] { body } */
static int func_decl(struct go_build *b, uint32_t sb, uint32_t kw, uint32_t end, int cur, uint32_t *next)
{
	uint32_t k = kw + 1, rl = 0, rr = 0, nm = 0, lp, rp, lb, e;
	int bi, si;
	struct py_block *bl;
	if (gb_is(b, k, "(") && b->match[k] > (int32_t)k && (uint32_t)b->match[k] < end) {
		rl = k;
		rr = (uint32_t)b->match[k];
		k = rr + 1;
	}
	if (k < end && gb_name(b, k))
		nm = k++;
	if (k < end && gb_is(b, k, "["))
		k = gb_skip(b, k, end);
	if (k >= end || !gb_is(b, k, "(") || b->match[k] <= (int32_t)k || (uint32_t)b->match[k] >= end)
		return -2; /* not a declaration after all */
	lp = k;
	rp = (uint32_t)b->match[k];
	lb = gb_func_body(b, rp, end);
	bi = gb_new_block(b, PB_DEF, cur, kw);
	if (bi < 0)
		return -1;
	bl = &b->ol->blocks[bi];
	if (nm)
		bl->name = py_arena_strndup(b->ol->arena, py_tok_text(b->toks, nm), b->toks->v[nm].len);
	if (rl)
		bl->recv = recv_type(b, rl, rr);
	gb_parse_params(b, bi, lp, rp);
	if (lb < end && gb_is(b, lb, "{")) {
		uint32_t rb = body_close(b, lb, end);
		si = gb_new_stmt(b, sb, lb + 1, cur, bi);
		if (si < 0)
			return -1;
		set_body(b, bi, lb, rb, end);
		if (gb_walk_stmts(b, lb + 1, rb, bi) < 0)
			return -1;
		*next = rb < end ? rb + 1 : end;
		return 0;
	}
	/* a declaration without a body (implemented in assembly) */
	e = stmt_end(b, kw, end);
	si = gb_new_stmt(b, sb, e, cur, bi);
	if (si < 0)
		return -1;
	bl = &b->ol->blocks[bi];
	bl->hdr_end = bl->body_begin = bl->body_end = e;
	bl->end_line = b->toks->v[e - 1].end_line;
	*next = e;
	return 0;
}

/* A simple statement [sb, end of line): expression, assignment, send,
 * declaration, return, defer, go... */
static int simple_stmt(struct go_build *b, uint32_t sb, uint32_t i, uint32_t end, int cur, uint32_t *next)
{
	uint32_t e = stmt_end(b, i, end);
	int si, dg = b->dg, rc;
	uint32_t dkw = b->dg_kw, dend = b->dg_end;
	si = gb_new_stmt(b, sb, e, cur, -1);
	if (si < 0)
		return -1;
	b->dg = gb_kw(b, i, "defer") ? 1 : gb_kw(b, i, "go") ? 2 : 0;
	b->dg_kw = i;
	b->dg_end = e;
	rc = gb_scan_expr(b, &si, i, e, cur);
	b->dg = dg;
	b->dg_kw = dkw;
	b->dg_end = dend;
	*next = e > i ? e : i + 1;
	return rc;
}

static int parse_stmt(struct go_build *b, uint32_t i, uint32_t end, int cur, uint32_t *next)
{
	uint32_t sb = i;
	int rc;
	/* a label: "outer:" then the statement it names */
	if (gb_name(b, i) && i + 1 < end && gb_is(b, i + 1, ":")) {
		i += 2;
		while (i < end && gb_newline(b, i) && b->toks->v[i].len == 0)
			i++;
		if (i >= end || gb_newline(b, i) || is_closer(b, i)) {
			*next = i;
			return gb_new_stmt(b, sb, sb + 2, cur, -1) < 0 ? -1 : 0;
		}
	}
	if (gb_kw(b, i, "if"))
		return parse_if(b, sb, i, end, cur, next);
	if (gb_kw(b, i, "for"))
		return parse_for(b, sb, i, end, cur, next);
	if (gb_kw(b, i, "switch") || gb_kw(b, i, "select"))
		return parse_switch(b, sb, i, end, cur, next);
	if (gb_kw(b, i, "func") && b->ol->blocks[cur].kind == PB_MODULE && i + 1 < end &&
	    (gb_name(b, i + 1) || gb_is(b, i + 1, "("))) {
		rc = func_decl(b, sb, i, end, cur, next);
		if (rc != -2)
			return rc;
	}
	if (gb_is(b, i, "{")) { /* a bare block: its statements belong to cur */
		uint32_t rb = body_close(b, i, end);
		if (sb < i && gb_new_stmt(b, sb, i, cur, -1) < 0)
			return -1;
		if (gb_walk_stmts(b, i + 1, rb, cur) < 0)
			return -1;
		*next = rb < end ? rb + 1 : end;
		return 0;
	}
	return simple_stmt(b, sb, i, end, cur, next);
}

int gb_walk_stmts(struct go_build *b, uint32_t begin, uint32_t end, int cur)
{
	uint32_t i = begin, next;
	if (b->nest >= GO_MAX_NEST)
		return 0;
	b->nest++;
	while (i < end) {
		if (gb_newline(b, i) || is_closer(b, i)) {
			i++;
			continue;
		}
		if (parse_stmt(b, i, end, cur, &next) < 0)
			return -1;
		i = next > i ? next : i + 1;
	}
	b->nest--;
	return 0;
}

int go_outline_build(struct py_outline *ol, const struct py_toks *toks)
{
	struct go_build b;
	int rc = -1;
	memset(ol, 0, sizeof(*ol));
	memset(&b, 0, sizeof(b));
	ol->lang = LANG_GO;
	ol->toks = toks;
	ol->arena = py_arena_new();
	b.ol = ol;
	b.toks = toks;
	b.ntok = (uint32_t)toks->n;
	b.lit_close = UINT32_MAX;
	if (b.ntok > 0 && toks->v[b.ntok - 1].kind == PT_END)
		b.ntok--;
	if (!ol->arena || match_brackets(&b) < 0)
		goto out;
	if (gb_new_block(&b, PB_MODULE, -1, 0) < 0)
		goto out;
	ol->blocks[0].line = 1;
	if (gb_walk_stmts(&b, 0, b.ntok, 0) < 0)
		goto out;
	ol->blocks[0].end_line = toks->n ? toks->v[toks->n - 1].line : 1;
	ol->blocks[0].body_begin = 0;
	ol->blocks[0].body_end = (uint32_t)toks->n;
	gb_mark_handlers(&b);
	rc = 0;
out:
	free(b.match);
	free(b.cs);
	free(b.lits);
	if (rc < 0) {
		py_outline_free(ol);
		ol->lang = LANG_GO;
	}
	return rc;
}
