/*
 * string_concat_in_loop, TypeScript/JavaScript
 *
 * What it does:
 *   Finds s += <string> and s = s + ... inside a loop (for, for-of,
 *   while, and .forEach/.map callbacks) where s is a string: declared
 *   before the loop with a string or template literal, String(...) or a
 *   ": string" annotation, or, when its declaration says nothing, the right
 *   side starts with a string or template literal.  Reported once per
 *   variable and loop.
 *
 * Why it matters:
 *   V8 builds ropes, so one += is cheap, but a document built row by row
 *   (CSV, HTML, XML, SQL, a log) grows a deep rope that is flattened and
 *   copied when it is finally used, and keeps every piece alive meanwhile.
 *   Pushing the parts into an array and join('') once, or writing them to a
 *   stream, keeps it linear.  Numbers (let total = 0) are never reported,
 *   nor strings declared inside the loop body (reset every iteration).
 *
 * Severity:
 *   HIGH in a request handler, MEDIUM elsewhere.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "jsrt.h"
#include "js/js.h"

static int same_tok(const struct py_toks *t, uint32_t a, uint32_t b)
{
	return t->v[a].len == t->v[b].len && !memcmp(py_tok_text(t, a), py_tok_text(t, b), t->v[a].len);
}

static int is_str(const struct py_toks *t, uint32_t k)
{
	return k < t->n && t->v[k].kind == PT_STRING && !(t->v[k].flags & (PTF_REGEX | PTF_JSX));
}

enum kind { K_UNKNOWN, K_STRING, K_OTHER };

/* What the declaration "let|var NAME ..." at token d says NAME is. */
static enum kind decl_kind(const struct py_toks *t, uint32_t d, uint32_t end)
{
	uint32_t k = d + 2;
	if (jsrt_is(t, k, ":")) {
		if (jsrt_is(t, k + 1, "string") && (jsrt_is(t, k + 2, "=") || jsrt_is(t, k + 2, ";") ||
						     jsrt_is(t, k + 2, ",") || t->v[k + 2].kind == PT_NEWLINE))
			return K_STRING;
		if (jsrt_is(t, k + 1, "number") || jsrt_is(t, k + 1, "bigint"))
			return K_OTHER;
		while (k < end && !jsrt_is(t, k, "=") && !jsrt_is(t, k, ";") && t->v[k].kind != PT_NEWLINE)
			k++;
	}
	if (!jsrt_is(t, k, "="))
		return K_UNKNOWN;
	k++;
	if (is_str(t, k))
		return jsrt_is(t, k + 1, ".") || jsrt_is(t, k + 1, "[") ? K_UNKNOWN : K_STRING;
	if (jsrt_is(t, k, "String") && jsrt_is(t, k + 1, "("))
		return K_STRING;
	if (t->v[k].kind == PT_NUMBER || jsrt_is(t, k, "[") || jsrt_is(t, k, "{") || jsrt_is(t, k, "new") ||
	    jsrt_is(t, k, "-") || jsrt_is(t, k, "true") || jsrt_is(t, k, "false") || jsrt_is(t, k, "Number"))
		return K_OTHER;
	return K_UNKNOWN;
}

/* The last "let|var NAME" in tokens [b, e), or 0. */
static uint32_t find_decl(const struct py_toks *t, uint32_t b, uint32_t e, uint32_t name)
{
	uint32_t k, found = 0;
	for (k = b; k + 1 < e; k++)
		if ((jsrt_is(t, k, "let") || jsrt_is(t, k, "var")) && t->v[k + 1].kind == PT_NAME && same_tok(t, k + 1, name))
			found = k;
	return found;
}

/* The loop around statement s: a for/while block, or an iteration
 * callback def; -1 when none. */
static int stmt_loop(const struct py_outline *ol, const struct py_stmt *s)
{
	int l = py_outline_enclosing(ol, s->block, PB_MASK(PB_FOR) | PB_MASK(PB_WHILE), 0);
	int f = ol->blocks[s->block].func;
	if (l >= 0)
		return l;
	return f >= 0 && js_callback_loop(ol, f) >= 0 ? f : -1;
}

/* 1 when the right side [b, e) appends one character: ' ', ch,
 * s.charAt(i), String.fromCharCode(c).  Char-by-char scanners (tokenizers,
 * word wrap, hex encoders) are short-string work V8 handles well, not a
 * document built from rows. */
static int one_char(const struct py_toks *t, uint32_t b, uint32_t e)
{
	static const char *const names[] = { "ch", "c", "char", "chr", "character", "letter", NULL };
	uint32_t k;
	int i;
	if (e == b + 1 && is_str(t, b) && t->v[b].len <= 4)
		return 1;
	if (e == b + 1 && t->v[b].kind == PT_NAME)
		for (i = 0; names[i]; i++)
			if (jsrt_is(t, b, names[i]))
				return 1;
	for (k = b; k < e; k++)
		if (jsrt_is(t, k, "charAt") || jsrt_is(t, k, "fromCharCode") || jsrt_is(t, k, "fromCodePoint"))
			return 1;
	return 0;
}

/* 1 when the loop resets NAME (name = ..., not name = name + ...) in its
 * tokens [b, e): the string does not grow across iterations. */
static int reset_in(const struct py_toks *t, uint32_t b, uint32_t e, uint32_t name)
{
	uint32_t k;
	for (k = b; k + 2 < e; k++)
		if (t->v[k].kind == PT_NAME && same_tok(t, k, name) && !jsrt_is(t, k - 1, ".") && jsrt_is(t, k + 1, "=") &&
		    !(t->v[k + 2].kind == PT_NAME && same_tok(t, k + 2, name) && jsrt_is(t, k + 3, "+")))
			return 1;
	return 0;
}

/* 1 for a counted loop with small literal bounds: for (...; i < 8; ...),
 * for (let i = 7; i >= 0; i--). */
static int small_loop(const struct py_outline *ol, int loop)
{
	const struct py_block *l = &ol->blocks[loop];
	const struct py_toks *t = ol->toks;
	uint32_t k;
	int small_init = 0;
	if (l->kind != PB_FOR || l->iter_end > l->iter_begin)
		return 0;
	for (k = l->hdr_begin; k + 1 < l->hdr_end; k++) {
		int num = t->v[k + 1].kind == PT_NUMBER && t->v[k + 1].len <= 2;
		if (jsrt_is(t, k, "=") && num)
			small_init = 1;
		if ((jsrt_is(t, k, "<") || jsrt_is(t, k, "<=")) && num)
			return 1;
		if ((jsrt_is(t, k, ">") || jsrt_is(t, k, ">=")) && num && small_init)
			return 1;
	}
	return 0;
}

/* (loop, variable) pairs already decided: one report per pair, and one
 * scan of the declarations and the loop body per pair. */
struct seen {
	int loop;
	uint32_t name;
};

void check_string_concat_in_loop_ts(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	struct seen seen[256];
	size_t nseen = 0, i, j;
	for (i = 0; i < ol->nstmts; i++) {
		const struct py_stmt *s = &ol->stmts[i];
		uint32_t n = s->tok_begin, rhs, d, lb, fb;
		enum kind kd = K_UNKNOWN;
		int loop, f, dup = 0, root = -1;
		enum jsrt_ctx k;
		char where[300], issue[800], rec[600];
		if (s->opens >= 0 || n + 2 >= s->tok_end || t->v[n].kind != PT_NAME || (t->v[n].flags & PTF_KEYWORD))
			continue;
		if (jsrt_is(t, n + 1, "+="))
			rhs = n + 2;
		else if (jsrt_is(t, n + 1, "=") && n + 4 < s->tok_end && same_tok(t, n, n + 2) && jsrt_is(t, n + 3, "+"))
			rhs = n + 4;
		else
			continue;
		if ((loop = stmt_loop(ol, s)) < 0 || one_char(t, rhs, s->tok_end) || small_loop(ol, loop))
			continue;
		for (j = 0; j < nseen && !dup; j++)
			dup = seen[j].loop == loop && same_tok(t, seen[j].name, n);
		if (dup)
			continue;
		if (nseen < sizeof(seen) / sizeof(seen[0]))
			seen[nseen++] = (struct seen){ loop, n };
		lb = ol->blocks[loop].hdr_begin;
		if (reset_in(t, ol->blocks[loop].body_begin, ol->blocks[loop].body_end, n))
			continue;
		/* declared inside the loop: a fresh string every iteration */
		if (find_decl(t, lb, n, n))
			continue;
		/* the declaration before the loop, in this function or an enclosing one */
		for (f = ol->blocks[loop].kind == PB_DEF ? ol->blocks[loop].parent : loop; f >= 0 && kd == K_UNKNOWN;) {
			int fn = ol->blocks[f].func;
			fb = fn >= 0 ? ol->blocks[fn].body_begin : 0;
			d = find_decl(t, fb, lb, n);
			if (d) {
				kd = decl_kind(t, d, lb);
				break;
			}
			if (fn < 0)
				break;
			f = ol->blocks[fn].parent;
		}
		if (kd == K_OTHER)
			continue;
		if (kd == K_UNKNOWN && !(is_str(t, rhs) && (rhs + 1 >= s->tok_end || jsrt_is(t, rhs + 1, "+"))))
			continue;
		k = jsrt_def_ctx(ol, NULL, ol->blocks[s->block].func, &root);
		if (root >= 0 && k != JSRT_NONE)
			jsrt_describe(ol, root, where, sizeof(where));
		else
			jsrt_describe(ol, ol->blocks[s->block].func, where, sizeof(where));
		snprintf(issue, sizeof(issue), "%.*s is built with %s once per iteration of the loop at line %u in %s: "
			 "the growing string is a rope of every piece, flattened and copied when it is used, so the "
			 "cost and the memory grow with the number of rows", (int)t->v[n].len, py_tok_text(t, n),
			 rhs == n + 2 ? "+=" : "= ... + ...", ol->blocks[loop].line, where);
		snprintf(rec, sizeof(rec), "collect the pieces in an array (const parts: string[] = []; "
			 "parts.push(...)) and build the string once with parts.join(''), or write each piece to the "
			 "response or file stream");
		check_report(cx, s->line, s->line, k == JSRT_HANDLER ? SEV_HIGH : SEV_MEDIUM, issue, rec);
	}
}
