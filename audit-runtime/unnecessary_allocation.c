/*
 * unnecessary_allocation
 *
 * What it does:
 *   Finds a list comprehension built only to be consumed by
 *   len/any/all/sum/min/max/sorted/set.
 *
 * Why it matters:
 *   len([...]), any([...]), all([...]), sum([...]) and
 *   min/max/sorted/set/tuple([...]) first materialise the whole list, then
 *   read it once.  A generator expression (or a set/dict comprehension)
 *   needs no intermediate list, and any()/all() can stop at the first
 *   decisive element instead of evaluating all of them.
 *
 *   Not reported: "sep".join([...]).  CPython's str.join turns any
 *   iterable into a list before joining (it needs the total length), so a
 *   generator there allocates the same list and runs slower.
 *
 * Severity:
 *   MEDIUM inside a loop or a request handler, LOW otherwise
 *
 * Example:
 *   overdue = any([l.due_on < today for l in loans])
 *   over = len([v for v in window if v > threshold])
 *
 * Use instead:
 *   overdue = any(l.due_on < today for l in loans)
 *   over = sum(1 for v in window if v > threshold)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "pyfacts.h"

static const char *const consumers[] = {
	"len", "any", "all", "sum", "min", "max", "sorted", "set", "frozenset", "tuple", "list",
	"dict", NULL
};

static int in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return 1;
	return 0;
}

/* 1 when call c consumes its list argument once: a builtin of consumers
 * (not shadowed by an import). */
static int is_consumer(const struct py_call *c, const struct py_imports *im)
{
	char q[256];
	if (strchr(c->callee, '.'))
		return 0;
	return in_list(consumers, c->callee) && !strcmp(py_qualify(im, c->callee, q, sizeof(q)), c->callee);
}

static int has_await(const struct py_toks *t, uint32_t open, uint32_t close)
{
	uint32_t k;
	for (k = open + 1; k < close; k++)
		if (py_tok_is(t, k, "await") || py_tok_is(t, k, "async"))
			return 1;
	return 0;
}

/* The first direct "for" of the comprehension [open, close]. */
static uint32_t comp_for(const struct py_toks *t, uint32_t open, uint32_t close)
{
	uint32_t k;
	for (k = open + 1; k < close; k++)
		if (t->v[k].depth == t->v[open].depth + 1 &&
		    (py_tok_is(t, k, "for") || (py_tok_is(t, k, "async") && py_tok_is(t, k + 1, "for"))))
			return k;
	return close;
}

static void suggest(const struct py_outline *ol, const struct py_call *c, uint32_t open, uint32_t close,
		    char *rec, size_t n)
{
	const struct py_toks *t = ol->toks;
	uint32_t f = comp_for(t, open, close);
	char *elem = py_outline_text(ol, open + 1, f), *rest = py_outline_text(ol, f, close);
	int sole = py_tok_is(t, close + 1, ")");
	int lng = !elem || !rest || strlen(elem) + strlen(rest) > 110;
	const char *e = lng ? "<expr>" : elem, *r = lng ? "for ..." : rest;
	if (!strcmp(c->callee, "len"))
		snprintf(rec, n, "count without building a list: sum(1 %s)", r);
	else if (!strcmp(c->callee, "set"))
		snprintf(rec, n, "use a set comprehension: {%s %s}", e, r);
	else if (!strcmp(c->callee, "dict"))
		snprintf(rec, n, "use a dict comprehension: {key: value %s}", r);
	else if (!strcmp(c->callee, "list"))
		snprintf(rec, n, "drop the list() call: the comprehension already is a list");
	else if (!strcmp(c->callee, "any") || !strcmp(c->callee, "all"))
		snprintf(rec, n, "pass a generator so %s() can stop early: %s(%s %s)", c->callee, c->callee, e, r);
	else if (sole)
		snprintf(rec, n, "pass a generator expression: %s(%s %s)", c->callee, e, r);
	else
		snprintf(rec, n, "pass a generator expression: %s((%s %s), ...)", c->callee, e, r);
	free(elem);
	free(rest);
}

static const char *why(const char *callee)
{
	if (!strcmp(callee, "len"))
		return "builds a whole list only to count its elements";
	if (!strcmp(callee, "any") || !strcmp(callee, "all"))
		return "builds the whole list first, so it evaluates every element instead of stopping "
		       "at the first decisive one";
	return "materialises an intermediate list that is read once";
}

void check_unnecessary_allocation(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = cx->toks;
	struct py_imports im;
	size_t b;
	if (py_imports_build(ol, &im) < 0)
		return;
	for (b = 0; b < ol->nblocks; b++) {
		const struct py_block *bl = &ol->blocks[b];
		const struct py_call *c;
		uint32_t o = bl->comp_open_tok, cl = bl->comp_close_tok;
		char where[160], issue[512], rec[400], shown[64];
		size_t ci;
		int loop, hot;
		if (bl->kind != PB_COMP || bl->comp_open != '[' || o == 0 || cl + 1 >= t->n ||
		    !py_tok_is(t, o - 1, "(") || !(py_tok_is(t, cl + 1, ")") || py_tok_is(t, cl + 1, ",")))
			continue;
		ci = py_first_call_from(ol, o - 1);
		if (ci >= ol->ncalls || ol->calls[ci].lparen != o - 1 || ol->calls[ci].is_ref)
			continue;
		c = &ol->calls[ci];
		if (bl->is_async || has_await(t, o, cl))
			continue; /* an async comprehension cannot become a plain generator */
		if (!is_consumer(c, &im) || (!strcmp(c->callee, "len") && !py_tok_is(t, cl + 1, ")")))
			continue;
		loop = py_call_loop(ol, c) >= 0;
		hot = loop || py_func_is_handler(ol, c->func);
		py_func_describe(ol, c->func, where, sizeof(where));
		snprintf(shown, sizeof(shown), "%s", c->callee);
		snprintf(issue, sizeof(issue), "%s([... for ...]) %s, in %s%s", shown, why(c->name), where,
			 loop ? ", on every iteration of a loop" : "");
		suggest(ol, c, o, cl, rec, sizeof(rec));
		check_report(cx, c->line, c->end_line, hot ? SEV_MEDIUM : SEV_LOW, issue, rec);
	}
	py_imports_free(&im);
}
