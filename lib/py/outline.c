/*
 * py/outline: blocks, statements and calls of one Python file.
 *
 * Pass 1 matches brackets and marks comprehension brackets.  Pass 2 walks
 * logical lines: INDENT/DEDENT drive a stack of statement blocks, compound
 * headers open blocks, and each statement's tokens are scanned once for
 * comprehensions, lambdas and calls (see outline_expr.c).
 */
#include <stdlib.h>
#include <string.h>

#include "py/arena.h"
#include "py/outline.h"
#include "py/outline_p.h"

#define MAX_STACK 256

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

int ol_new_block(struct ol_build *b, int kind, int parent, uint32_t hdr_begin)
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
	bl->hdr_begin = bl->hdr_end = hdr_begin;
	bl->body_begin = bl->body_end = hdr_begin;
	bl->line = bl->end_line = bl->dec_line = hdr_begin < b->toks->n ? b->toks->v[hdr_begin].line : 0;
	if (kind == PB_DEF)
		bl->func = (int)ol->nblocks;
	else
		bl->func = parent >= 0 ? ol->blocks[parent].func : -1;
	return (int)ol->nblocks++;
}

int ol_new_call(struct ol_build *b, struct py_call **out)
{
	struct py_outline *ol = b->ol;
	if (grow((void **)&ol->calls, &b->cap_calls, ol->ncalls, sizeof(**out)))
		return -1;
	*out = &ol->calls[ol->ncalls];
	memset(*out, 0, sizeof(**out));
	return (int)ol->ncalls++;
}

static int new_stmt(struct ol_build *b, uint32_t begin, uint32_t end, int block, int opens)
{
	struct py_outline *ol = b->ol;
	struct py_stmt *st;
	if (grow((void **)&ol->stmts, &b->cap_stmts, ol->nstmts, sizeof(*st)))
		return -1;
	st = &ol->stmts[ol->nstmts];
	st->tok_begin = begin;
	st->tok_end = end;
	st->line = b->toks->v[begin].line;
	st->end_line = b->toks->v[end - 1].end_line;
	st->block = block;
	st->opens = opens;
	return (int)ol->nstmts++;
}

/* Pass 1: bracket matching and comprehension marks. */
static int match_brackets(struct ol_build *b)
{
	const struct py_toks *t = b->toks;
	int32_t stack[MAX_STACK];
	int sp = 0;
	size_t i;
	b->match = malloc((t->n + 1) * sizeof(int32_t));
	b->compfor = malloc((t->n + 1) * sizeof(int32_t));
	if (!b->match || !b->compfor)
		return -1;
	for (i = 0; i < t->n; i++) {
		const struct py_tok *k = &t->v[i];
		b->match[i] = -1;
		b->compfor[i] = -1;
		if (k->kind == PT_NEWLINE) {
			sp = 0;
			continue;
		}
		if (k->kind != PT_OP && k->kind != PT_NAME)
			continue;
		if (k->len == 1 && k->kind == PT_OP) {
			char c = t->src[k->off];
			if (c == '(' || c == '[' || c == '{') {
				if (sp < MAX_STACK)
					stack[sp] = (int32_t)i;
				sp++;
			} else if (c == ')' || c == ']' || c == '}') {
				if (sp > 0) {
					sp--;
					if (sp < MAX_STACK) {
						b->match[i] = stack[sp];
						b->match[stack[sp]] = (int32_t)i;
					}
				}
			}
		} else if (k->kind == PT_NAME && sp > 0 && sp <= MAX_STACK && py_tok_is(t, i, "for")) {
			int32_t o = stack[sp - 1];
			if (b->compfor[o] < 0)
				b->compfor[o] = (int32_t)i;
		}
	}
	return 0;
}

static const char *tok_strdup(struct ol_build *b, uint32_t i)
{
	return py_arena_strndup(b->ol->arena, py_tok_text(b->toks, i), b->toks->v[i].len);
}

/* Arena copy of the normalised text of tokens [begin,end). */
const char *ol_text(struct ol_build *b, uint32_t begin, uint32_t end)
{
	char *s = py_outline_text(b->ol, begin, end);
	const char *r;
	if (!s)
		return NULL;
	r = py_arena_strndup(b->ol->arena, s, strlen(s));
	free(s);
	return r;
}

/* Index of the ':' ending a compound header starting at i (depth of the
 * line), skipping lambda colons; end when none. */
static uint32_t header_colon(struct ol_build *b, uint32_t i, uint32_t end)
{
	const struct py_toks *t = b->toks;
	uint16_t d = t->v[i].depth;
	int lambdas = 0;
	for (; i < end; i++) {
		if (t->v[i].depth != d)
			continue;
		if (py_tok_is(t, i, "lambda"))
			lambdas++;
		else if (py_tok_is(t, i, ":")) {
			if (lambdas == 0)
				return i;
			lambdas--;
		}
	}
	return end;
}

static void parse_def(struct ol_build *b, struct py_block *bl, uint32_t i, uint32_t colon)
{
	const struct py_toks *t = b->toks;
	uint32_t k, lp, rp, start;
	const char *names[256];
	const char *texts[256];
	unsigned n = 0;
	if (i < colon && t->v[i].kind == PT_NAME)
		bl->name = tok_strdup(b, i);
	for (lp = i + 1; lp < colon && !py_tok_is(t, lp, "("); lp++)
		if (py_tok_is(t, lp, "[") && b->match[lp] > 0)
			lp = (uint32_t)b->match[lp];
	if (lp >= colon || b->match[lp] < 0)
		return;
	rp = (uint32_t)b->match[lp];
	start = lp + 1;
	for (k = lp + 1; k <= rp && n < 256; k++) {
		if (k < rp && !(py_tok_is(t, k, ",") && t->v[k].depth == t->v[lp].depth + 1))
			continue;
		if (k > start) {
			uint32_t j = start;
			while (j < k && (py_tok_is(t, j, "*") || py_tok_is(t, j, "**") || py_tok_is(t, j, "/")))
				j++;
			if (j < k && t->v[j].kind == PT_NAME) {
				names[n] = tok_strdup(b, j);
				texts[n] = ol_text(b, start, k);
				n++;
			}
		}
		start = k + 1;
	}
	bl->nparams = n;
	bl->params = py_arena_alloc(b->ol->arena, (n ? n : 1) * sizeof(char *));
	bl->param_texts = py_arena_alloc(b->ol->arena, (n ? n : 1) * sizeof(char *));
	if (bl->params && bl->param_texts) {
		memcpy(bl->params, names, n * sizeof(char *));
		memcpy(bl->param_texts, texts, n * sizeof(char *));
	} else {
		bl->nparams = 0;
	}
}

static void parse_with(struct ol_build *b, struct py_block *bl, uint32_t i, uint32_t colon)
{
	const struct py_toks *t = b->toks;
	struct py_with_item items[64];
	unsigned n = 0;
	uint16_t d;
	uint32_t k, start;
	/* parenthesised with-items (3.10) */
	if (py_tok_is(t, i, "(") && b->match[i] == (int32_t)colon - 1) {
		int has_as = 0;
		for (k = i + 1; k + 1 < colon; k++)
			if (t->v[k].depth == t->v[i].depth + 1 && (py_tok_is(t, k, "as") || py_tok_is(t, k, ",")))
				has_as = 1;
		if (has_as) {
			i++;
			colon--;
		}
	}
	if (i >= colon)
		return;
	d = t->v[i].depth;
	start = i;
	for (k = i; k <= colon && n < 64; k++) {
		if (k < colon && !(py_tok_is(t, k, ",") && t->v[k].depth == d))
			continue;
		if (k > start) {
			uint32_t as = start;
			while (as < k && !(py_tok_is(t, as, "as") && t->v[as].depth == d))
				as++;
			items[n].expr_begin = start;
			items[n].expr_end = as;
			items[n].expr = ol_text(b, start, as);
			items[n].target = as + 1 < k ? ol_text(b, as + 1, k) : NULL;
			n++;
		}
		start = k + 1;
	}
	bl->items = py_arena_alloc(b->ol->arena, (n ? n : 1) * sizeof(*items));
	if (bl->items) {
		memcpy(bl->items, items, n * sizeof(*items));
		bl->nitems = n;
	}
}

static void parse_for(struct ol_build *b, struct py_block *bl, uint32_t i, uint32_t colon)
{
	const struct py_toks *t = b->toks;
	uint32_t k;
	for (k = i; k < colon; k++)
		if (py_tok_is(t, k, "in") && t->v[k].depth == t->v[i].depth)
			break;
	bl->target = ol_text(b, i, k);
	bl->iter_begin = k < colon ? k + 1 : colon;
	bl->iter_end = colon;
}

struct kw {
	const char *s;
	int kind;
};

static const struct kw compound[] = {
	{ "def", PB_DEF }, { "class", PB_CLASS }, { "for", PB_FOR }, { "while", PB_WHILE },
	{ "with", PB_WITH }, { "try", PB_TRY }, { "except", PB_EXCEPT }, { "finally", PB_FINALLY },
	{ "else", PB_ELSE }, { "if", PB_IF }, { "elif", PB_ELIF }, { NULL, 0 }
};

/* Kind of compound statement starting at token i, or -1. */
static int compound_kind(struct ol_build *b, uint32_t i, uint32_t end, int *is_async)
{
	const struct py_toks *t = b->toks;
	int k;
	*is_async = 0;
	if (py_tok_is(t, i, "async") && i + 1 < end) {
		*is_async = 1;
		i++;
	}
	if (t->v[i].kind != PT_NAME)
		return -1;
	for (k = 0; compound[k].s; k++)
		if (py_tok_is(t, i, compound[k].s))
			return compound[k].kind;
	if ((py_tok_is(t, i, "match") || py_tok_is(t, i, "case")) && end > i + 2 &&
	    py_tok_is(t, end - 1, ":") && t->v[i + 1].kind != PT_OP)
		return py_tok_is(t, i, "match") ? PB_MATCH : PB_CASE;
	if ((py_tok_is(t, i, "match") || py_tok_is(t, i, "case")) && end > i + 2 &&
	    py_tok_is(t, end - 1, ":") && (py_tok_is(t, i + 1, "(") || py_tok_is(t, i + 1, "[") ||
					   py_tok_is(t, i + 1, "{") || py_tok_is(t, i + 1, "-")))
		return py_tok_is(t, i, "match") ? PB_MATCH : PB_CASE;
	return -1;
}

/* Opens a compound block for the header at [i,end); returns the block,
 * sets *colon. */
static int open_compound(struct ol_build *b, int kind, int is_async, uint32_t i, uint32_t end, uint32_t *colon)
{
	const struct py_toks *t = b->toks;
	struct frame *fr = &b->stack[b->sp - 1];
	uint32_t kw = is_async ? i + 1 : i;
	int bi = ol_new_block(b, kind, fr->block, i);
	struct py_block *bl;
	if (bi < 0)
		return -1;
	bl = &b->ol->blocks[bi];
	bl->is_async = (uint8_t)is_async;
	*colon = header_colon(b, kw + 1, end);
	if (kind == PB_TRY || kind == PB_ELSE || kind == PB_FINALLY)
		*colon = kw + 1 < end && py_tok_is(t, kw + 1, ":") ? kw + 1 : *colon;
	bl->hdr_end = *colon;
	if (kind == PB_DEF || kind == PB_CLASS) {
		bl->decorators = b->decs;
		bl->ndecorators = b->ndecs;
		if (b->ndecs)
			bl->dec_line = b->dec_line;
		b->decs = NULL;
		b->ndecs = 0;
	}
	if (kind == PB_DEF)
		parse_def(b, bl, kw + 1, *colon);
	else if (kind == PB_CLASS) {
		if (kw + 1 < *colon && t->v[kw + 1].kind == PT_NAME)
			bl->name = tok_strdup(b, kw + 1);
		if (kw + 2 < *colon)
			bl->bases = ol_text(b, kw + 2, *colon);
	} else if (kind == PB_WITH) {
		parse_with(b, bl, kw + 1, *colon);
	} else if (kind == PB_FOR) {
		parse_for(b, bl, kw + 1, *colon);
	}
	if ((kind == PB_EXCEPT || kind == PB_FINALLY || kind == PB_ELSE) && fr->last_child >= 0) {
		const struct py_block *prev = &b->ol->blocks[fr->last_child];
		if (prev->kind == PB_TRY)
			bl->try_of = fr->last_child;
		else if (prev->try_of >= 0)
			bl->try_of = prev->try_of;
	}
	fr->last_child = bi;
	return bi;
}

static void close_block(struct ol_build *b, int bi, uint32_t body_end)
{
	struct py_block *bl = &b->ol->blocks[bi];
	bl->body_end = body_end;
	bl->end_line = b->last_line > bl->line ? b->last_line : bl->line;
}

/* First token of a case clause's guard ("case x if cond:"), or colon. */
static uint32_t case_guard(struct ol_build *b, uint32_t i, uint32_t colon)
{
	const struct py_toks *t = b->toks;
	uint32_t k;
	for (k = i + 1; k < colon; k++)
		if (t->v[k].depth == t->v[i].depth && py_tok_is(t, k, "if"))
			return k + 1;
	return colon;
}

/* Handles one simple or compound statement [i,end) inside the current block. */
static int do_statement(struct ol_build *b, uint32_t i, uint32_t end)
{
	const struct py_toks *t = b->toks;
	int is_async, kind, bi, si;
	uint32_t colon, k, start;
	int cur = b->stack[b->sp - 1].block;

	if (py_tok_is(t, i, "@")) {
		si = new_stmt(b, i, end, cur, -1);
		if (si < 0)
			return -1;
		if (b->ndecs < 64) {
			if (!b->decs)
				b->decs = py_arena_alloc(b->ol->arena, 64 * sizeof(char *));
			if (b->decs) {
				if (b->ndecs == 0)
					b->dec_line = t->v[i].line;
				b->decs[b->ndecs++] = ol_text(b, i + 1, end);
			}
		}
		return ol_scan_expr(b, si, i, end, cur);
	}
	kind = compound_kind(b, i, end, &is_async);
	if (kind < 0) {
		/* simple statements, split at ';' */
		start = i;
		for (k = i; k <= end; k++) {
			if (k < end && !(py_tok_is(t, k, ";") && t->v[k].depth == t->v[i].depth))
				continue;
			if (k > start) {
				si = new_stmt(b, start, k, cur, -1);
				if (si < 0 || ol_scan_expr(b, si, start, k, cur) < 0)
					return -1;
			}
			start = k + 1;
		}
		return 0;
	}
	bi = open_compound(b, kind, is_async, i, end, &colon);
	if (bi < 0)
		return -1;
	si = new_stmt(b, i, colon < end ? colon + 1 : end, cur, bi);
	if (si < 0)
		return -1;
	/* a while condition runs every iteration: its calls are in the loop;
	 * "match (a, b):" is no call of match, and a case pattern holds no
	 * calls (Point() is a class pattern) but its guard may */
	if (kind == PB_MATCH)
		i++;
	else if (kind == PB_CASE)
		i = case_guard(b, i, colon);
	if (ol_scan_expr(b, si, i, colon, kind == PB_WHILE ? bi : cur) < 0)
		return -1;
	b->ol->blocks[bi].body_begin = colon + 1;
	if (colon + 1 < end) {
		/* inline body: "if x: return y" */
		if (b->sp >= MAX_STACK)
			return 0;
		b->stack[b->sp].block = bi;
		b->stack[b->sp].last_child = -1;
		b->sp++;
		b->last_line = t->v[end - 1].end_line;
		if (do_statement(b, colon + 1, end) < 0)
			return -1;
		b->sp--;
		close_block(b, bi, end);
		return 0;
	}
	b->pending = bi;
	return 0;
}

static void close_pending(struct ol_build *b, uint32_t at)
{
	if (b->pending >= 0) {
		close_block(b, b->pending, at);
		b->pending = -1;
	}
}

static int walk_lines(struct ol_build *b)
{
	const struct py_toks *t = b->toks;
	uint32_t i = 0, j;
	while (i < t->n) {
		const struct py_tok *k = &t->v[i];
		if (k->kind == PT_END)
			break;
		if (k->kind == PT_INDENT) {
			if (b->pending >= 0 && b->sp < MAX_STACK) {
				b->ol->blocks[b->pending].body_begin = i + 1;
				b->stack[b->sp].block = b->pending;
				b->stack[b->sp].last_child = -1;
				b->sp++;
				b->pending = -1;
			}
			i++;
			continue;
		}
		if (k->kind == PT_DEDENT) {
			close_pending(b, i);
			if (b->sp > 1) {
				b->sp--;
				close_block(b, b->stack[b->sp].block, i);
			}
			i++;
			continue;
		}
		if (k->kind == PT_NEWLINE) {
			i++;
			continue;
		}
		close_pending(b, i);
		for (j = i; j < t->n && t->v[j].kind != PT_NEWLINE && t->v[j].kind != PT_END; j++)
			;
		b->last_line = t->v[j - 1].end_line;
		if (do_statement(b, i, j) < 0)
			return -1;
		i = j;
	}
	close_pending(b, i);
	while (b->sp > 1) {
		b->sp--;
		close_block(b, b->stack[b->sp].block, i);
	}
	return 0;
}

int py_outline_build(struct py_outline *ol, const struct py_toks *toks)
{
	struct ol_build b;
	int rc = -1;
	memset(ol, 0, sizeof(*ol));
	memset(&b, 0, sizeof(b));
	ol->toks = toks;
	ol->arena = py_arena_new();
	b.ol = ol;
	b.toks = toks;
	b.pending = -1;
	b.stack = malloc(MAX_STACK * sizeof(*b.stack));
	if (!ol->arena || !b.stack || match_brackets(&b) < 0)
		goto out;
	if (ol_new_block(&b, PB_MODULE, -1, 0) < 0)
		goto out;
	ol->blocks[0].line = 1;
	b.stack[0].block = 0;
	b.stack[0].last_child = -1;
	b.sp = 1;
	if (walk_lines(&b) < 0)
		goto out;
	ol->blocks[0].end_line = toks->n ? toks->v[toks->n - 1].line : 1;
	ol->blocks[0].body_end = (uint32_t)toks->n;
	py_outline_mark_handlers(ol);
	rc = 0;
out:
	free(b.match);
	free(b.compfor);
	free(b.stack);
	free(b.estack);
	if (rc < 0)
		py_outline_free(ol);
	return rc;
}

void py_outline_free(struct py_outline *ol)
{
	free(ol->blocks);
	free(ol->stmts);
	free(ol->calls);
	py_arena_free(ol->arena);
	memset(ol, 0, sizeof(*ol));
}
