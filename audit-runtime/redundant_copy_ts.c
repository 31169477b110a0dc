/*
 * redundant_copy, TypeScript/JavaScript
 *
 * What it does:
 *   Finds const/let x = <a copy of y> where x is afterwards only read: the
 *   copies are { ...y }, structuredClone(y), JSON.parse(JSON.stringify(y)),
 *   Object.assign({}, y), lodash cloneDeep(y)/clone(y) and y.slice(); y is
 *   a name or a member chain.  "Only read" means every later use of x in
 *   the function is a property or index read (x.a, x[i], x.length, a
 *   non-mutating method such as x.map(...)), a for-of iterable, or a
 *   ${x.a} in a template, and y is not mutated after the copy.
 *
 * Why it matters:
 *   The copy allocates and walks the whole object (structuredClone and the
 *   JSON round trip are deep) for nothing: reading y gives the same values.
 *   Copies that are mutated (push, sort, splice, assignment), returned,
 *   stored, spread or passed on, merges ({ ...defaults, ...opts }, { ...y,
 *   k: v }), snapshots taken before y changes, and [...set] / Array.from
 *   conversions are not reported.
 *
 * Severity:
 *   LOW, MEDIUM inside a loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "jsrt.h"
#include "js/js.h"

static int same_text(const struct py_toks *t, uint32_t k, const char *s, size_t n)
{
	return t->v[k].len == n && !memcmp(py_tok_text(t, k), s, n);
}

/* A member chain NAME(.NAME)* starting at b; returns its end (exclusive), or b. */
static uint32_t chain_end(const struct py_toks *t, uint32_t b, uint32_t e)
{
	uint32_t k = b;
	if (k >= e || t->v[k].kind != PT_NAME || (t->v[k].flags & PTF_KEYWORD))
		return b;
	for (k++; k + 1 < e && (jsrt_is(t, k, ".") || jsrt_is(t, k, "?.")) && t->v[k + 1].kind == PT_NAME; k += 2)
		;
	return k;
}

static int is_assign_op(const struct py_toks *t, uint32_t k)
{
	static const char *const ops[] = { "=", "+=", "-=", "*=", "/=", "%=", "**=", "<<=", ">>=", "&=", "|=", "^=",
					   "&&=", "||=", "?\?=", "++", "--", NULL };
	int i;
	for (i = 0; ops[i]; i++)
		if (jsrt_is(t, k, ops[i]))
			return 1;
	return 0;
}

static int is_mutator(const struct py_toks *t, uint32_t k)
{
	static const char *const m[] = { "push", "pop", "shift", "unshift", "splice", "sort", "reverse", "fill",
					 "copyWithin", "set", "delete", "clear", "add", "assign", "append", NULL };
	int i;
	for (i = 0; m[i]; i++)
		if (jsrt_is(t, k, m[i]))
			return 1;
	return 0;
}

/* The copied chain of the initializer [b, e): sets *sb and *se to the source
 * tokens and returns a short description, or NULL when not a pure copy. */
static const char *copy_of(const struct py_toks *t, uint32_t b, uint32_t e, uint32_t *sb, uint32_t *se, int *deep)
{
	uint32_t x;
	*deep = 0;
	if (e - b >= 4 && jsrt_is(t, b, "{") && jsrt_is(t, b + 1, "...") && (x = chain_end(t, b + 2, e)) > b + 2 &&
	    x + 1 == e && jsrt_is(t, x, "}")) {
		*sb = b + 2, *se = x;
		return "a spread copy { ... }";
	}
	if (e - b >= 4 && (jsrt_is(t, b, "structuredClone") || jsrt_is(t, b, "cloneDeep")) && jsrt_is(t, b + 1, "(") &&
	    (x = chain_end(t, b + 2, e)) > b + 2 && x + 1 == e && jsrt_is(t, x, ")")) {
		*sb = b + 2, *se = x, *deep = 1;
		return jsrt_is(t, b, "structuredClone") ? "a deep copy (structuredClone)" : "a deep copy (cloneDeep)";
	}
	if (e - b >= 6 && jsrt_is(t, b, "_") && jsrt_is(t, b + 1, ".") &&
	    (jsrt_is(t, b + 2, "cloneDeep") || jsrt_is(t, b + 2, "clone")) && jsrt_is(t, b + 3, "(") &&
	    (x = chain_end(t, b + 4, e)) > b + 4 && x + 1 == e && jsrt_is(t, x, ")")) {
		*sb = b + 4, *se = x, *deep = jsrt_is(t, b + 2, "cloneDeep");
		return *deep ? "a deep copy (_.cloneDeep)" : "a copy (_.clone)";
	}
	/* JSON.parse(JSON.stringify(y)) */
	if (e - b >= 11 && jsrt_is(t, b, "JSON") && jsrt_is(t, b + 2, "parse") && jsrt_is(t, b + 3, "(") &&
	    jsrt_is(t, b + 4, "JSON") && jsrt_is(t, b + 6, "stringify") && jsrt_is(t, b + 7, "(") &&
	    (x = chain_end(t, b + 8, e)) > b + 8 && x + 2 == e && jsrt_is(t, x, ")") && jsrt_is(t, x + 1, ")")) {
		*sb = b + 8, *se = x, *deep = 1;
		return "a deep copy (JSON.parse(JSON.stringify(...)))";
	}
	/* Object.assign({}, y) */
	if (e - b >= 9 && jsrt_is(t, b, "Object") && jsrt_is(t, b + 2, "assign") && jsrt_is(t, b + 3, "(") &&
	    jsrt_is(t, b + 4, "{") && jsrt_is(t, b + 5, "}") && jsrt_is(t, b + 6, ",") &&
	    (x = chain_end(t, b + 7, e)) > b + 7 && x + 1 == e && jsrt_is(t, x, ")")) {
		*sb = b + 7, *se = x;
		return "a copy (Object.assign({}, ...))";
	}
	/* y.slice() */
	x = chain_end(t, b, e);
	if (x > b + 2 && x + 2 == e && jsrt_is(t, x - 1, "slice") && jsrt_is(t, x, "(") && jsrt_is(t, x + 1, ")")) {
		*sb = b, *se = x - 2;
		return "a copy (slice())";
	}
	return NULL;
}

/* Uses of NAME in ${...} parts of template token k: +1 per read, -1000 for
 * any other use. */
static int template_uses(const struct py_toks *t, uint32_t k, const char *name, size_t n)
{
	const char *s = py_tok_text(t, k);
	uint32_t len = t->v[k].len, i;
	int depth = 0, score = 0;
	for (i = 0; i < len; i++) {
		if (!depth) {
			if (s[i] == '$' && i + 1 < len && s[i + 1] == '{' && (i == 0 || s[i - 1] != '\\')) {
				depth = 1;
				i++;
			}
			continue;
		}
		if (s[i] == '{')
			depth++;
		else if (s[i] == '}')
			depth--;
		else if (i + n <= len && !memcmp(s + i, name, n) &&
			 (i == 0 || !(s[i - 1] == '_' || s[i - 1] == '$' || s[i - 1] == '.' ||
				      (s[i - 1] >= 'a' && s[i - 1] <= 'z') || (s[i - 1] >= 'A' && s[i - 1] <= 'Z') ||
				      (s[i - 1] >= '0' && s[i - 1] <= '9')))) {
			char nx = i + n < len ? s[i + n] : '\0';
			if (nx == '_' || nx == '$' || (nx >= 'a' && nx <= 'z') || (nx >= 'A' && nx <= 'Z') ||
			    (nx >= '0' && nx <= '9'))
				continue;
			if (nx == '.' || nx == '}' || nx == '[')
				score++;
			else
				score -= 1000;
			i += (uint32_t)n - 1;
		}
	}
	return score;
}

/* Classifies the uses of the copy (token name) in [b, e): the number of
 * reads, or -1 when any use needs the copy. */
static int copy_reads(const struct py_toks *t, uint32_t name, uint32_t b, uint32_t e)
{
	const char *s = py_tok_text(t, name);
	size_t n = t->v[name].len;
	uint32_t k, x;
	int reads = 0;
	for (k = b; k < e; k++) {
		if (t->v[k].kind == PT_STRING && (t->v[k].flags & PTF_TEMPLATE)) {
			int u = template_uses(t, k, s, n);
			if (u < 0)
				return -1;
			reads += u;
			continue;
		}
		if (t->v[k].kind != PT_NAME || !same_text(t, k, s, n) || jsrt_is(t, k - 1, ".") ||
		    jsrt_is(t, k - 1, "?."))
			continue;
		/* an object key { name: ... } is not a use */
		if (jsrt_is(t, k + 1, ":") && (jsrt_is(t, k - 1, "{") || jsrt_is(t, k - 1, ",")))
			continue;
		if (jsrt_is(t, k - 1, "...") || jsrt_is(t, k - 1, "delete"))
			return -1;
		if (jsrt_is(t, k + 1, ".") || jsrt_is(t, k + 1, "?.")) {
			x = chain_end(t, k, e);
			if (jsrt_is(t, x, "(") ? is_mutator(t, x - 1) : is_assign_op(t, x))
				return -1;
			if (jsrt_is(t, x, "[")) {
				uint32_t c = jsrt_close(t, x, e);
				if (is_assign_op(t, c))
					return -1;
			}
			reads++;
			k = x - 1;
			continue;
		}
		if (jsrt_is(t, k + 1, "[")) {
			x = jsrt_close(t, k + 1, e);
			if (is_assign_op(t, x) || (jsrt_is(t, x, ".") && x + 2 < e && jsrt_is(t, x + 2, "(") &&
						   is_mutator(t, x + 1)))
				return -1;
			reads++;
			continue;
		}
		if (jsrt_is(t, k - 1, "of"))
			reads++;
		else
			return -1; /* returned, stored, passed on, compared, reassigned */
	}
	return reads;
}

/* 1 when the source chain [sb, se) is mutated in [b, e). */
static int source_mutated(const struct py_toks *t, uint32_t sb, uint32_t se, uint32_t b, uint32_t e)
{
	uint32_t k, j, x;
	for (k = b; k + (se - sb) <= e; k++) {
		for (j = 0; j < se - sb; j++)
			if (t->v[k + j].len != t->v[sb + j].len ||
			    memcmp(py_tok_text(t, k + j), py_tok_text(t, sb + j), t->v[sb + j].len))
				break;
		if (j < se - sb || jsrt_is(t, k - 1, ".") || jsrt_is(t, k - 1, "?."))
			continue;
		x = chain_end(t, k, e);
		if (jsrt_is(t, x, "[") && (x = jsrt_close(t, x, e)) < e && is_assign_op(t, x))
			return 1;
		if (is_assign_op(t, x) || (jsrt_is(t, x, "(") && x > k + 1 && is_mutator(t, x - 1)) ||
		    jsrt_is(t, k - 1, "delete"))
			return 1;
		if (k >= 4 && jsrt_is(t, k - 1, "(") && jsrt_is(t, k - 2, "assign") && jsrt_is(t, k - 4, "Object"))
			return 1;
	}
	return 0;
}

void check_redundant_copy_ts(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	size_t i;
	for (i = 0; i < ol->nstmts; i++) {
		const struct py_stmt *s = &ol->stmts[i];
		uint32_t b = s->tok_begin, e = s->tok_end, sb, se, end;
		const char *what;
		int deep, reads, f, loop;
		char src[160], issue[800], rec[600];
		char *stext;
		if (s->opens >= 0 || e < b + 5 || !(jsrt_is(t, b, "const") || jsrt_is(t, b, "let")) ||
		    t->v[b + 1].kind != PT_NAME || !jsrt_is(t, b + 2, "="))
			continue;
		while (e > b && jsrt_is(t, e - 1, ";"))
			e--;
		what = copy_of(t, b + 3, e, &sb, &se, &deep);
		if (!what)
			continue;
		f = ol->blocks[s->block].func;
		end = f >= 0 ? ol->blocks[f].body_end : (uint32_t)t->n;
		reads = copy_reads(t, b + 1, s->tok_end, end);
		if (reads <= 0 || source_mutated(t, sb, se, s->tok_end, end))
			continue;
		stext = py_outline_text(ol, sb, se);
		snprintf(src, sizeof(src), "%s", stext ? stext : "the source");
		free(stext);
		loop = py_outline_enclosing(ol, s->block, PB_MASK(PB_FOR) | PB_MASK(PB_WHILE), 0) >= 0 ||
		       (f >= 0 && js_callback_loop(ol, f) >= 0);
		snprintf(issue, sizeof(issue), "%.*s is %s of %s, but it is only read afterwards (%d read%s, never "
			 "changed, returned or passed on) and %s is not changed either: the copy %s for nothing%s",
			 (int)t->v[b + 1].len, py_tok_text(t, b + 1), what, src, reads, reads == 1 ? "" : "s", src,
			 deep ? "walks and allocates the whole object graph" : "allocates and copies every field",
			 loop ? ", once per iteration" : "");
		snprintf(rec, sizeof(rec), "read %s directly (const %.*s = %s;), and copy only where the copy is "
			 "changed or handed to code that may change it", src, (int)t->v[b + 1].len,
			 py_tok_text(t, b + 1), src);
		check_report(cx, s->line, s->end_line, loop ? SEV_MEDIUM : SEV_LOW, issue, rec);
	}
}
