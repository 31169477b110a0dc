/*
 * pydb_loop: what a statement executed in a loop does per iteration --
 * whether its table changes with the loop (one statement per table, not
 * per row), whether it works on a bounded batch of rows (LIMIT), whether
 * it filters on a set of keys.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pydb.h"
#include "pydb_p.h"

#define MAX_HOPS 4

/* The statement text a call executes: its first argument and, when that
 * starts with a plain name, the values that name was assigned before
 * (stmt = select(...); stmt = stmt.where(...)).  Fills up to MAX_HOPS
 * ranges; returns their number (0 when the call has no argument). */
static int stmt_ranges(const struct py_outline *ol, const struct py_call *c, uint32_t rb[MAX_HOPS],
		       uint32_t re[MAX_HOPS])
{
	const struct py_toks *t = ol->toks;
	uint32_t b, e;
	int n = 0;
	if (!pydb_call_arg(ol, c, 0, &b, &e))
		return 0;
	while (n < MAX_HOPS) {
		char name[128];
		uint32_t s = b;
		rb[n] = b;
		re[n++] = e;
		while (s < e && py_tok_is(t, s, "await"))
			s++;
		if (s >= e || t->v[s].kind != PT_NAME || t->v[s].len >= sizeof(name) ||
		    (s + 1 < e && !py_tok_is(t, s + 1, ".")))
			break;
		snprintf(name, sizeof(name), "%.*s", (int)t->v[s].len, py_tok_text(t, s));
		if (!py_last_assign(ol, c->func, name, s, &b, &e))
			break;
	}
	return n;
}

/* Body tokens [*b,*e) of a for-loop or comprehension. */
static void loop_body(const struct py_block *bl, uint32_t *b, uint32_t *e)
{
	*b = bl->kind == PB_COMP ? bl->comp_open_tok + 1 : bl->body_begin;
	*e = bl->kind == PB_COMP ? bl->comp_close_tok : bl->body_end;
}

/* 1 when name[0..n) is one of the names of the loop target. */
static int target_has(const char *tg, const char *name, size_t n)
{
	const char *p = tg;
	while (p && *p) {
		size_t l = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		if (l == n && !strncmp(p, name, n))
			return 1;
		p += l ? l : 1;
	}
	return 0;
}

/* 1 when name token k holds a value that changes with the loop: a name
 * of its target, or a name assigned inside its body before tok. */
static int loop_bound(const struct py_outline *ol, int loop, uint32_t k, uint32_t tok)
{
	const struct py_toks *t = ol->toks;
	const struct py_block *bl = &ol->blocks[loop];
	uint32_t bb, be, vb, ve;
	char name[128];
	if (t->v[k].kind != PT_NAME || t->v[k].len >= sizeof(name) || isupper((unsigned char)py_tok_text(t, k)[0]))
		return 0; /* a model class such as User is the same every time */
	if (target_has(bl->target, py_tok_text(t, k), t->v[k].len))
		return 1;
	snprintf(name, sizeof(name), "%.*s", (int)t->v[k].len, py_tok_text(t, k));
	loop_body(bl, &bb, &be);
	return py_last_assign(ol, bl->func, name, tok, &vb, &ve) && vb >= bb && vb < be;
}

/* 1 when s[0..i) ends with a keyword followed by a table name: FROM,
 * UPDATE, INTO, JOIN, TABLE (so "{x}" at i names a table, not a value). */
static int after_table_keyword(const char *s, size_t i)
{
	static const char *const kw[] = { "FROM", "UPDATE", "INTO", "JOIN", "TABLE", NULL };
	size_t e = i, b;
	int k;
	while (e > 0 && isspace((unsigned char)s[e - 1]))
		e--;
	if (e == i)
		return 0;
	for (b = e; b > 0 && isalpha((unsigned char)s[b - 1]); b--)
		;
	for (k = 0; kw[k]; k++)
		if (strlen(kw[k]) == e - b && !strncasecmp(s + b, kw[k], e - b))
			return 1;
	return 0;
}

/* 1 when string token k interpolates a loop-bound name as a table:
 * f"UPDATE {table} SET ...". */
static int string_uses(const struct py_outline *ol, int loop, uint32_t k, uint32_t tok)
{
	const struct py_toks *t = ol->toks;
	const char *s = py_tok_text(t, k);
	size_t l = t->v[k].len, i;
	for (i = 0; i + 1 < l; i++) {
		size_t n;
		char name[64];
		if (s[i] != '{' || s[i + 1] == '{' || !after_table_keyword(s, i))
			continue;
		n = strspn(s + i + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		if (!n || n >= sizeof(name) || i + 1 + n >= l)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)n, s + i + 1);
		if (target_has(ol->blocks[loop].target, name, n))
			return 1;
		{
			const struct py_block *bl = &ol->blocks[loop];
			uint32_t bb, be, vb, ve;
			loop_body(bl, &bb, &be);
			if (py_last_assign(ol, bl->func, name, tok, &vb, &ve) && vb >= bb && vb < be)
				return 1;
		}
	}
	return 0;
}

int py_stmt_table_varies(const struct py_binds *b, size_t ci, int loop)
{
	static const char *const verbs[] = { "select", "insert", "update", "delete", NULL };
	const struct py_outline *ol = b->ol;
	const struct py_toks *t = ol->toks;
	const struct py_call *c = &ol->calls[ci];
	uint32_t rb[MAX_HOPS], re[MAX_HOPS], k;
	int n, i;
	if (loop < 0 || (size_t)loop >= ol->nblocks || !ol->blocks[loop].target)
		return 0;
	n = stmt_ranges(ol, c, rb, re);
	for (i = 0; i < n; i++) {
		for (k = rb[i]; k < re[i]; k++) {
			char w[16];
			if (t->v[k].kind == PT_STRING) {
				if (string_uses(ol, loop, k, c->name_begin))
					return 1;
				continue;
			}
			if (t->v[k].kind != PT_NAME || t->v[k].len >= sizeof(w) || k + 1 >= re[i] ||
			    !py_tok_is(t, k + 1, "("))
				continue;
			snprintf(w, sizeof(w), "%.*s", (int)t->v[k].len, py_tok_text(t, k));
			if (!pydb_in_list(w, verbs))
				continue;
			/* update(model) / delete(table) / select(table.c.x) */
			if (k + 2 < re[i] && loop_bound(ol, loop, k + 2, c->name_begin))
				return 1;
			/* table.delete() / table.select() */
			if (k >= rb[i] + 2 && py_tok_is(t, k - 1, ".") && (k < rb[i] + 3 || !py_tok_is(t, k - 3, ".")) &&
			    loop_bound(ol, loop, k - 2, c->name_begin))
				return 1;
		}
	}
	return 0;
}

int py_stmt_limited(const struct py_binds *b, size_t ci)
{
	static const char *const names[] = { "batch_size", "chunk_size", "page_size", "limit", "batch_limit",
					     NULL };
	const struct py_outline *ol = b->ol;
	const struct py_toks *t = ol->toks;
	const struct py_call *c = &ol->calls[ci];
	uint32_t rb[MAX_HOPS], re[MAX_HOPS], k;
	int n, i;
	if (c->is_ref)
		return 0;
	n = stmt_ranges(ol, c, rb, re);
	if (n < MAX_HOPS) {
		/* the parameters too: execute(stmt, {"batch_size": n}) */
		rb[n] = c->lparen + 1;
		re[n++] = c->rparen;
	}
	for (i = 0; i < n; i++) {
		for (k = rb[i]; k < re[i]; k++) {
			const char *x = py_tok_text(t, k);
			size_t l = t->v[k].len, j;
			if (t->v[k].kind == PT_STRING) {
				for (j = 0; j + 5 < l; j++)
					if (!strncasecmp(x + j, "LIMIT", 5) && (j == 0 || !isalnum((unsigned char)x[j - 1])) &&
					    isspace((unsigned char)x[j + 5]))
						return 1;
			} else if (t->v[k].kind == PT_NAME && l < 32) {
				char w[32];
				snprintf(w, sizeof(w), "%.*s", (int)l, x);
				if (pydb_in_list(w, names) && k > rb[i] && py_tok_is(t, k - 1, ".") && py_tok_is(t, k + 1, "("))
					return 1; /* .limit(n) */
				if (strcmp(w, "limit") && pydb_in_list(w, names))
					return 1;
			}
		}
	}
	return 0;
}

/* 1 when tokens [b,e) filter with in_(x)/any_(x)/notin_(x), x mentioning
 * a name bound by the loop (the keys of this batch). */
static int loop_set_filter(const struct py_outline *ol, int loop, uint32_t b, uint32_t e, uint32_t tok)
{
	const struct py_toks *t = ol->toks;
	uint32_t k, j, close;
	for (k = b; k + 1 < e; k++) {
		if (!(py_tok_is(t, k, "in_") || py_tok_is(t, k, "any_") || py_tok_is(t, k, "notin_") ||
		      py_tok_is(t, k, "not_in")) || !py_tok_is(t, k + 1, "("))
			continue;
		close = py_tok_close(t, k + 1, e);
		for (j = k + 2; j < close && j < e; j++)
			if (!py_tok_is(t, j - 1, ".") && loop_bound(ol, loop, j, tok))
				return 1;
	}
	return 0;
}

int py_call_set_based(const struct py_binds *b, size_t ci, uint32_t begin, int loop)
{
	const struct py_outline *ol = b->ol;
	const struct py_call *c = &ol->calls[ci];
	uint32_t rb[MAX_HOPS], re[MAX_HOPS];
	int n, i;
	if (py_range_set_based(ol->toks, begin, c->rparen))
		return 1;
	if (c->is_ref || loop < 0 || (size_t)loop >= ol->nblocks || !ol->blocks[loop].target)
		return 0;
	n = stmt_ranges(ol, c, rb, re);
	for (i = 1; i < n; i++)
		if (loop_set_filter(ol, loop, rb[i], re[i], c->name_begin))
			return 1;
	return 0;
}
