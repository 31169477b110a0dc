/*
 * unnecessary_allocation, TypeScript/JavaScript
 *
 * What it does:
 *   Finds an intermediate array built only to be counted, tested or
 *   searched, then dropped: xs.filter(p).length (count, or some() for
 *   "> 0"), xs.filter(p)[0] and xs.filter(p).shift() (find), xs.map(f)
 *   .includes(x) / .indexOf(x) (some / findIndex), [...set].length and
 *   Array.from(m.keys()).length (.size).
 *
 * Why it matters:
 *   Each builds a whole new array (and for map, runs f on every element)
 *   only to read one number or element from it; find/some stop at the
 *   first match and allocate nothing.  Arrays that are returned, stored,
 *   serialized or joined (map(...).join(...) needs its array) are not
 *   reported.
 *
 * Severity:
 *   MEDIUM in a loop or in code on the event loop (handlers, async
 *   functions, jobs), LOW otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "jsrt.h"
#include "js/js.h"

/* The comparison after x.length at token k: 1 for a test against zero
 * ("> 0", ">= 1", "!== 0", "=== 0", "< 1", "== 0", "!= 0"), else 0. */
static int zero_test(const struct py_toks *t, uint32_t k)
{
	static const char *const ops[] = { ">", ">=", "!==", "!=", "===", "==", "<", NULL };
	int i;
	if (k + 1 >= t->n || t->v[k + 1].kind != PT_NUMBER)
		return 0;
	for (i = 0; ops[i]; i++)
		if (jsrt_is(t, k, ops[i]))
			return (jsrt_is(t, k + 1, "0") && strcmp(ops[i], "<")) ||
			       (jsrt_is(t, k + 1, "1") && (!strcmp(ops[i], ">=") || !strcmp(ops[i], "<")));
	return 0;
}

static void report(struct check_ctx *cx, int func, int in_loop, unsigned line, const char *issue, const char *rec)
{
	enum jsrt_ctx k = jsrt_def_ctx(cx->ol, NULL, func, NULL);
	check_report(cx, line, line, in_loop || k != JSRT_NONE ? SEV_MEDIUM : SEV_LOW, issue, rec);
}

/* One top-level argument in call c (no comma at its depth). */
static int one_arg(const struct py_toks *t, uint32_t open, uint32_t close)
{
	uint32_t k;
	if (close <= open + 1)
		return 0;
	for (k = open + 1; k < close; k++)
		if (t->v[k].depth == t->v[open].depth + 1 && jsrt_is(t, k, ","))
			return 0;
	return 1;
}

void check_unnecessary_allocation_ts(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	char issue[800], rec[600];
	size_t i;
	uint32_t k;
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_call *c = &ol->calls[i];
		uint32_t r = c->rparen;
		int loop;
		if (c->is_ref || !strchr(c->callee, '.') || js_call_is_new(c) || r + 2 >= t->n ||
		    !jsrt_is(t, r, ")"))
			continue;
		/* [a, b, c].filter(Boolean).length: a literal of a few items costs nothing */
		if (!strncmp(c->callee, "[].", 3))
			continue;
		loop = js_call_loop(ol, c) >= 0;
		if (!strcmp(c->name, "filter") && jsrt_is(t, r + 1, ".") && jsrt_is(t, r + 2, "length") &&
		    !jsrt_is(t, r + 3, "(") && !jsrt_is(t, r + 3, "=")) {
			int z = zero_test(t, r + 3) || (c->name_begin > 0 && jsrt_is(t, c->name_begin - 1, "!"));
			snprintf(issue, sizeof(issue), "%s(...).length builds a filtered array only to %s it, then drops it",
				 c->callee, z ? "test whether it is empty" : "count");
			snprintf(rec, sizeof(rec), "%s", z ? "use .some(predicate) (stops at the first match, allocates "
				 "nothing)" : "count without an array: xs.reduce((n, x) => (predicate(x) ? n + 1 : n), 0) "
				 "or a for-of loop with a counter");
			report(cx, c->func, loop, c->line, issue, rec);
		} else if (!strcmp(c->name, "filter") &&
			   ((jsrt_is(t, r + 1, "[") && jsrt_is(t, r + 2, "0") && jsrt_is(t, r + 3, "]")) ||
			    (jsrt_is(t, r + 1, ".") && jsrt_is(t, r + 2, "shift") && jsrt_is(t, r + 3, "(") &&
			     jsrt_is(t, r + 4, ")")))) {
			snprintf(issue, sizeof(issue), "%s(...)%s builds a filtered array of every match only to take "
				 "the first one", c->callee, jsrt_is(t, r + 1, "[") ? "[0]" : ".shift()");
			snprintf(rec, sizeof(rec), "use .find(predicate): it stops at the first match and allocates "
				 "nothing (undefined when none, like [0])");
			report(cx, c->func, loop, c->line, issue, rec);
		} else if (!strcmp(c->name, "map") && jsrt_is(t, r + 1, ".") &&
			   (jsrt_is(t, r + 2, "includes") || jsrt_is(t, r + 2, "indexOf")) && jsrt_is(t, r + 3, "(")) {
			int inc = jsrt_is(t, r + 2, "includes");
			snprintf(issue, sizeof(issue), "%s(...).%s(...) maps every element into a new array only to "
				 "search it once", c->callee, inc ? "includes" : "indexOf");
			snprintf(rec, sizeof(rec), "%s", inc ? "use .some((x) => f(x) === value): no array, stops at the "
				 "first match" : "use .findIndex((x) => f(x) === value): no array, stops at the first match");
			report(cx, c->func, loop, c->line, issue, rec);
		} else if (!strcmp(c->callee, "Array.from") && jsrt_is(t, r + 1, ".") && jsrt_is(t, r + 2, "length") &&
			   !jsrt_is(t, r + 3, "(") && !jsrt_is(t, r + 3, "=") && one_arg(t, c->lparen, r)) {
			snprintf(issue, sizeof(issue), "Array.from(...).length copies the whole collection into an "
				 "array only to count it");
			snprintf(rec, sizeof(rec), "read .size of the Map or Set (m.size counts m.keys()), or .length of "
				 "an array directly");
			report(cx, c->func, loop, c->line, issue, rec);
		}
	}
	/* [...x].length */
	for (k = 0; k + 3 < t->n; k++) {
		uint32_t e;
		int s;
		if (!jsrt_is(t, k, "[") || !jsrt_is(t, k + 1, "...") ||
		    (k > 0 && ((t->v[k - 1].kind == PT_NAME && !(t->v[k - 1].flags & PTF_KEYWORD)) ||
			      jsrt_is(t, k - 1, ")") || jsrt_is(t, k - 1, "]"))))
			continue;
		e = jsrt_close(t, k, (uint32_t)t->n);
		if (e + 1 >= t->n || !jsrt_is(t, e, ".") || !jsrt_is(t, e + 1, "length") || !one_arg(t, k, e - 1) ||
		    jsrt_is(t, e + 2, "=") || jsrt_is(t, e + 2, "("))
			continue;
		s = py_outline_stmt_of_tok(ol, k);
		if (s < 0)
			continue;
		snprintf(issue, sizeof(issue), "[...x].length spreads the whole collection into a new array only to "
			 "count it");
		snprintf(rec, sizeof(rec), "read .size of the Set or Map (or .length of an array) directly");
		{
			int blk = ol->stmts[s].block, f = ol->blocks[blk].func;
			int loop = py_outline_enclosing(ol, blk, PB_MASK(PB_FOR) | PB_MASK(PB_WHILE), 0) >= 0 ||
				   (f >= 0 && js_callback_loop(ol, f) >= 0);
			report(cx, f, loop, t->v[k].line, issue, rec);
		}
	}
}
