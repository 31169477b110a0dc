/*
 * py/outline_query: the questions checks ask of an outline.
 */
#include <stdlib.h>
#include <string.h>

#include "py/outline.h"

int py_outline_enclosing(const struct py_outline *ol, int b, unsigned mask, int cross_defs)
{
	while (b >= 0 && (size_t)b < ol->nblocks) {
		const struct py_block *bl = &ol->blocks[b];
		if (mask & PB_MASK(bl->kind))
			return b;
		if (!cross_defs && (bl->kind == PB_DEF || bl->kind == PB_LAMBDA || bl->kind == PB_CLASS))
			return -1;
		b = bl->parent;
	}
	return -1;
}

int py_call_loop(const struct py_outline *ol, const struct py_call *c)
{
	return py_outline_enclosing(ol, c->block, PB_LOOPS, 0);
}

int py_call_loop_depth(const struct py_outline *ol, const struct py_call *c)
{
	int n = 0, b = py_call_loop(ol, c);
	while (b >= 0) {
		n++;
		b = py_outline_enclosing(ol, ol->blocks[b].parent, PB_LOOPS, 0);
	}
	return n;
}

int py_call_in_async_def(const struct py_outline *ol, const struct py_call *c)
{
	int d = py_outline_enclosing(ol, c->block, PB_MASK(PB_DEF) | PB_MASK(PB_LAMBDA), 1);
	return d >= 0 && ol->blocks[d].kind == PB_DEF && ol->blocks[d].is_async;
}

int py_outline_stmt_of_tok(const struct py_outline *ol, uint32_t i)
{
	size_t lo = 0, hi = ol->nstmts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ol->stmts[mid].tok_end <= i)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ol->nstmts && ol->stmts[lo].tok_begin <= i && i < ol->stmts[lo].tok_end)
		return (int)lo;
	return -1;
}

char *py_outline_text(const struct py_outline *ol, uint32_t begin, uint32_t end)
{
	const struct py_toks *t = ol->toks;
	size_t n = 1, o = 0;
	uint32_t i;
	char *s;
	if (end > t->n)
		end = (uint32_t)t->n;
	for (i = begin; i < end; i++)
		n += t->v[i].len + 1;
	s = malloc(n);
	if (!s)
		return NULL;
	for (i = begin; i < end; i++) {
		const struct py_tok *k = &t->v[i];
		size_t j;
		if (k->kind == PT_NEWLINE || k->kind == PT_INDENT || k->kind == PT_DEDENT || k->kind == PT_END)
			continue;
		if (o > 0 && i > begin && k->off > t->v[i - 1].off + t->v[i - 1].len)
			s[o++] = ' ';
		for (j = 0; j < k->len; j++) {
			char ch = t->src[k->off + j];
			if (ch == '\n' || ch == '\r' || ch == '\t')
				ch = ' ';
			s[o++] = ch;
		}
	}
	s[o] = '\0';
	return s;
}

int py_callee_is(const struct py_call *c, const char *pattern)
{
	size_t lc, lp;
	if (pattern[0] == '*' && pattern[1] == '.') {
		lc = strlen(c->callee);
		lp = strlen(pattern + 1);
		return lc > lp && !strcmp(c->callee + lc - lp, pattern + 1);
	}
	return !strcmp(c->callee, pattern);
}
