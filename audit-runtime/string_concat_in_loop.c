/*
 * string_concat_in_loop
 *
 * What it does:
 *   Finds a string grown with += inside a loop.
 *
 * Why it matters:
 *   Strings are immutable: each s += part copies everything built so far,
 *   so a loop of n appends costs O(n^2) time and memory traffic.  CPython
 *   sometimes resizes in place, but not reliably (not when another
 *   reference exists, not on other interpreters).  Only names initialised
 *   as a string ("", an f-string, str(...)) or grown by a string literal or
 *   f-string are reported, never numeric counters or lists.
 *
 * Severity:
 *   HIGH in a request or websocket handler, MEDIUM in background jobs and
 *   scripts
 *
 * Example:
 *   text = ""
 *   for author, body in messages:
 *       text += f"{author}: {body}\n"
 *
 * Use instead:
 *   parts = []
 *   for author, body in messages:
 *       parts.append(f"{author}: {body}\n")
 *   text = "".join(parts)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "pyfacts.h"

/* 1 when tokens [a, a+n) and [b, b+n) spell the same thing. */
static int same_toks(const struct py_toks *t, uint32_t a, uint32_t b, uint32_t n)
{
	uint32_t i;
	for (i = 0; i < n; i++)
		if (t->v[a + i].len != t->v[b + i].len ||
		    memcmp(py_tok_text(t, a + i), py_tok_text(t, b + i), t->v[a + i].len))
			return 0;
	return 1;
}

/* The growth statement s: "x += rhs" or "x = x + rhs"; fills the target
 * and right-side token ranges. */
static int growth(const struct py_outline *ol, int s, struct py_assign *a, uint32_t *rb, uint32_t *re)
{
	const struct py_toks *t = ol->toks;
	uint32_t n;
	if (!py_stmt_assign(ol, s, a) || !py_tok_is_chain(t, a->target_begin, a->target_end))
		return 0;
	n = a->target_end - a->target_begin;
	if (a->target_end != a->op)
		return 0; /* annotated: a declaration, not growth */
	if (py_tok_is(t, a->op, "+=")) {
		*rb = a->value_begin;
		*re = a->value_end;
		return 1;
	}
	if (py_tok_is(t, a->op, "=") && a->value_begin + n < a->value_end &&
	    same_toks(t, a->target_begin, a->value_begin, n) && py_tok_is(t, a->value_begin + n, "+")) {
		*rb = a->value_begin + n + 1;
		*re = a->value_end;
		return *rb < *re;
	}
	return 0;
}

/* What is known of one name in one loop; computed once per pair. */
struct fact {
	int loop;
	const char *key;   /* the target's spelling (borrowed from the source) */
	uint32_t klen;
	uint8_t used;
	uint8_t bounded;   /* rebound inside the loop: a fresh string every iteration */
	uint8_t has_init;
	uint8_t reported;
	enum py_kind init; /* kind of the last value bound before the loop */
};

struct facts {
	struct fact *v;
	size_t cap; /* a power of two */
};

static struct fact *fact_slot(struct facts *fs, int loop, const char *key, uint32_t klen)
{
	uint32_t h = 2166136261u ^ (uint32_t)loop, i;
	size_t at;
	for (i = 0; i < klen; i++)
		h = (h ^ (unsigned char)key[i]) * 16777619u;
	for (at = h & (fs->cap - 1);; at = (at + 1) & (fs->cap - 1)) {
		struct fact *f = &fs->v[at];
		if (!f->used || (f->loop == loop && f->klen == klen && !memcmp(f->key, key, klen)))
			return f;
	}
}

/* 1 when the for loops around statement s (up to its def) bind the name. */
static int for_target(const struct py_outline *ol, int s, uint32_t tb, uint32_t n)
{
	const struct py_toks *t = ol->toks;
	int b;
	for (b = ol->stmts[s].block; b >= 0; b = ol->blocks[b].parent) {
		const struct py_block *k = &ol->blocks[b];
		uint32_t j;
		if (k->kind == PB_DEF || k->kind == PB_CLASS || k->kind == PB_LAMBDA)
			break;
		for (j = k->hdr_begin; k->kind == PB_FOR && j + n <= k->iter_begin; j++)
			if (same_toks(t, j, tb, n))
				return 1;
	}
	return 0;
}

/* Fills f for the target of growth statement s in loop: whether a plain
 * assignment inside the loop (or a for target) rebinds it, else the kind
 * of the value it last had before the loop in the same scope. */
static void learn(const struct py_outline *ol, const struct py_flow *flow, int s, int loop,
		  const struct py_assign *g, struct fact *f)
{
	const struct py_block *L = &ol->blocks[loop];
	int fn = ol->blocks[ol->stmts[s].block].func;
	uint32_t floor = fn >= 0 ? ol->blocks[fn].body_begin : 0;
	const struct py_ref *r;
	size_t n, i;
	f->bounded = (uint8_t)for_target(ol, s, g->target_begin, g->target_end - g->target_begin);
	r = py_refs_find(&flow->assigns, f->key, f->klen, &n);
	for (i = 0; i < n && !f->bounded; i++) {
		const struct py_stmt *st = &ol->stmts[r[i].stmt];
		struct py_assign a;
		uint32_t rb, re;
		if (r[i].stmt == s || ol->blocks[st->block].func != fn || st->tok_begin < floor)
			continue;
		if (st->tok_begin >= L->body_begin && st->tok_begin < L->body_end) {
			if (!growth(ol, r[i].stmt, &a, &rb, &re))
				f->bounded = 1;
		} else if (r[i].stmt < s && py_stmt_assign(ol, r[i].stmt, &a)) {
			f->has_init = 1; /* the last one before the loop wins */
			f->init = a.target_end - a.target_begin == g->target_end - g->target_begin
				  ? py_expr_kind(ol, a.value_begin, a.value_end)
				  : PK_OTHER; /* one element of a tuple target */
		}
	}
}

/* 1 when statement s is followed in its block by break, return or raise:
 * it then runs at most once per loop. */
static int then_leaves(const struct py_outline *ol, int s)
{
	const struct py_toks *t = ol->toks;
	uint32_t b;
	if ((size_t)s + 1 >= ol->nstmts || ol->stmts[s + 1].block != ol->stmts[s].block)
		return 0;
	b = ol->stmts[s + 1].tok_begin;
	return py_tok_is(t, b, "break") || py_tok_is(t, b, "return") || py_tok_is(t, b, "raise");
}

static void report(struct check_ctx *cx, int s, const struct py_assign *a, uint32_t rb, uint32_t re,
		   int bytes)
{
	const struct py_outline *ol = cx->ol;
	int f = ol->blocks[ol->stmts[s].block].func;
	char *name = py_outline_text(ol, a->target_begin, a->target_end);
	char *rhs = py_outline_text(ol, rb, re);
	char where[160], issue[512], rec[512];
	const char *r = rhs && strlen(rhs) < 70 ? rhs : "...";
	int plus = py_tok_is(ol->toks, a->op, "+=");
	py_func_describe(ol, f, where, sizeof(where));
	snprintf(issue, sizeof(issue), "%s %s grown with %s%s inside a loop in %s: every iteration copies "
		 "the whole %s built so far (quadratic in its length)", bytes ? "bytes" : "string",
		 name ? name : "?", plus ? "+=" : name ? name : "", plus ? "" : " = ... + ...", where,
		 bytes ? "buffer" : "text");
	if (bytes)
		snprintf(rec, sizeof(rec), "collect the pieces in a list (chunks.append(%s)) and b\"\".join(chunks) "
			 "after the loop, or grow a bytearray", r);
	else
		snprintf(rec, sizeof(rec), "collect the pieces in a list (parts.append(%s)) and set %s = "
			 "\"\".join(parts) after the loop, or write them to an io.StringIO", r, name ? name : "it");
	check_report(cx, ol->stmts[s].line, ol->stmts[s].line, py_context_severity(ol, f), issue, rec);
	free(name);
	free(rhs);
}

void check_string_concat_in_loop(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct py_flow flow;
	struct facts fs;
	int s;
	if (py_flow_build(ol, &flow) < 0)
		return;
	for (fs.cap = 64; fs.cap < 4 * ol->nstmts + 4; fs.cap *= 2)
		;
	fs.v = calloc(fs.cap, sizeof(*fs.v));
	for (s = 0; fs.v && (size_t)s < ol->nstmts; s++) {
		const struct py_stmt *st = &ol->stmts[s];
		struct py_assign a;
		struct fact *f;
		enum py_kind rk;
		uint32_t rb, re, klen;
		const char *key;
		int loop, stringy;
		if (!growth(ol, s, &a, &rb, &re))
			continue;
		loop = py_outline_enclosing(ol, st->block, PB_MASK(PB_FOR) | PB_MASK(PB_WHILE), 0);
		if (loop < 0)
			continue;
		rk = py_expr_kind(ol, rb, re);
		if (rk == PK_NUM || rk == PK_LIST || rk == PK_SET || rk == PK_DICT || rk == PK_TUPLE ||
		    rk == PK_GEN || then_leaves(ol, s))
			continue; /* not text, or one append before leaving the loop */
		key = py_tok_span(cx->toks, a.target_begin, a.target_end, &klen);
		f = fact_slot(&fs, loop, key, klen);
		if (!f->used) {
			f->used = 1;
			f->loop = loop;
			f->key = key;
			f->klen = klen;
			learn(ol, &flow, s, loop, &a, f);
		}
		if (f->bounded || f->reported)
			continue; /* a fresh string per iteration; a second += is reported once */
		if (f->has_init && f->init != PK_STR && f->init != PK_BYTES && f->init != PK_CALL &&
		    f->init != PK_NAME && f->init != PK_OTHER && f->init != PK_AWAIT)
			continue; /* a number, list, dict, set, None */
		stringy = (f->has_init && (f->init == PK_STR || f->init == PK_BYTES)) || rk == PK_STR ||
			  rk == PK_BYTES;
		if (!stringy)
			continue;
		f->reported = 1;
		/* once per name and outermost loop: a second += in a nested loop
		 * of the same loop is the same finding (optional by convention) */
		{
			int outer = loop, up;
			struct fact *of;
			while ((up = py_outline_enclosing(ol, ol->blocks[outer].parent,
							  PB_MASK(PB_FOR) | PB_MASK(PB_WHILE), 0)) >= 0)
				outer = up;
			of = fact_slot(&fs, -2 - outer, key, klen);
			if (of->used && of->reported)
				continue;
			of->used = 1;
			of->loop = -2 - outer;
			of->key = key;
			of->klen = klen;
			of->reported = 1;
		}
		report(cx, s, &a, rb, re, (f->has_init && f->init == PK_BYTES) || rk == PK_BYTES);
	}
	free(fs.v);
	py_flow_free(&flow);
}
