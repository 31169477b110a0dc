/*
 * gort: see gort.h.
 */
#include <string.h>

#include "gort.h"

int gort_in_handler(const struct py_outline *ol, int b)
{
	int f = b >= 0 ? ol->blocks[b].func : -1;
	while (f >= 0) {
		if (ol->blocks[f].handler)
			return 1;
		f = ol->blocks[f].parent >= 0 ? ol->blocks[ol->blocks[f].parent].func : -1;
	}
	return 0;
}

int gort_loop_of(const struct py_outline *ol, int b)
{
	return b >= 0 ? py_outline_enclosing(ol, b, PB_MASK(PB_FOR), 0) : -1;
}

uint32_t gort_close(const struct py_toks *t, uint32_t i, uint32_t end)
{
	uint16_t d = t->v[i].depth;
	uint32_t j;
	for (j = i + 1; j < end; j++)
		if (t->v[j].depth == d && t->v[j].kind == PT_OP &&
		    (py_tok_is(t, j, ")") || py_tok_is(t, j, "]") || py_tok_is(t, j, "}")))
			return j;
	return end;
}

uint32_t gort_chain_end(const struct py_toks *t, uint32_t i, uint32_t end)
{
	uint32_t j;
	if (i >= end || t->v[i].kind != PT_NAME || (t->v[i].flags & PTF_KEYWORD))
		return i;
	j = i + 1;
	while (j + 1 < end && py_tok_is(t, j, ".") && t->v[j + 1].kind == PT_NAME)
		j += 2;
	return j;
}

int gort_same_toks(const struct py_toks *t, uint32_t a, uint32_t b, uint32_t n)
{
	uint32_t i;
	for (i = 0; i < n; i++)
		if (t->v[a + i].len != t->v[b + i].len ||
		    memcmp(py_tok_text(t, a + i), py_tok_text(t, b + i), t->v[a + i].len))
			return 0;
	return 1;
}

/* 1 when token i assigns, increments or otherwise writes what precedes it. */
static int writes(const struct py_toks *t, uint32_t i)
{
	static const char *const ops[] = { "=", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
					   "<<=", ">>=", "&^=", "++", "--", ".", "[", "(", NULL };
	size_t k;
	if (t->v[i].kind != PT_OP)
		return 0;
	for (k = 0; ops[k]; k++)
		if (py_tok_is(t, i, ops[k]))
			return 1;
	return 0;
}

int gort_only_read(const struct py_toks *t, uint32_t from, uint32_t to, uint32_t nb, uint32_t nn,
		   unsigned *uses, unsigned *ranged)
{
	uint32_t i;
	*uses = *ranged = 0;
	for (i = from; i + nn <= to; i++) {
		uint32_t after = i + nn;
		if (t->v[i].kind != PT_NAME || !gort_same_toks(t, i, nb, nn))
			continue;
		if (i > from && py_tok_is(t, i - 1, "."))
			continue; /* the tail of another chain (o.plates) */
		if (after < to && py_tok_is(t, after, ".") && after + 1 < to && t->v[after + 1].kind == PT_NAME &&
		    !(after + 2 < to && py_tok_is(t, after + 2, "(")))
			continue; /* a longer chain (x.field): another value */
		(*uses)++;
		if (i > from && py_tok_is(t, i - 1, "range")) {
			(*ranged)++;
			if (after < to && py_tok_is(t, after, "{"))
				continue;
			return 0;
		}
		if (i > from + 1 && py_tok_is(t, i - 1, "(") && (py_tok_is(t, i - 2, "len") || py_tok_is(t, i - 2, "cap")) &&
		    after < to && py_tok_is(t, after, ")"))
			continue;
		if (i > from && (py_tok_is(t, i - 1, "&") || py_tok_is(t, i - 1, "<-")))
			return 0;
		if (after < to && py_tok_is(t, after, "[")) {
			uint32_t close = gort_close(t, after, to);
			if (close >= to)
				return 0;
			for (i = after + 1; i < close; i++)
				if (py_tok_is(t, i, ":"))
					return 0; /* a sub-slice shares and may escape */
			if (close + 1 < to && writes(t, close + 1))
				return 0;
			i = close;
			continue;
		}
		return 0;
	}
	return 1;
}
