/*
 * redundant_copy, Go
 *
 * A local copy of a slice that the function afterwards only reads:
 *   dst := make([]T, len(src)); copy(dst, src)
 *   dst := append([]T(nil), src...)   (or []T{})
 *   dst := slices.Clone(src) / bytes.Clone(src)
 *   dst := make(map[K]V, len(src)); for k, v := range src { dst[k] = v }
 * where every later use of dst in the function is "range dst", len(dst),
 * cap(dst) or an element read dst[i], and src (a plain variable or field)
 * is itself only read afterwards, so nothing could have needed the
 * snapshot.  A copy that is mutated, sorted, appended to, sub-sliced,
 * returned, stored, passed on or sent is needed and never reported, nor a
 * copy of a call's result (bufio.Scanner.Bytes(), pooled buffers).
 *
 * Severity: LOW, MEDIUM when the copy is made inside a loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "gort.h"

/* "dst :=" / "var dst =" at the start of statement s: the token after the
 * operator, or 0; *nb is dst's token.  Only declarations: a plain "dst ="
 * may assign a named result or a variable read elsewhere. */
static uint32_t assigned_name(const struct py_toks *t, const struct py_stmt *st, uint32_t *nb)
{
	uint32_t b = st->tok_begin;
	int var = b < st->tok_end && py_tok_is(t, b, "var");
	if (var)
		b++;
	if (b + 2 >= st->tok_end || t->v[b].kind != PT_NAME || (t->v[b].flags & PTF_KEYWORD) || py_tok_is(t, b, "_"))
		return 0;
	if (!py_tok_is(t, b + 1, var ? "=" : ":="))
		return 0;
	*nb = b;
	return b + 2;
}

/* 1 when tokens [b, e) are one dotted name. */
static int is_chain(const struct py_toks *t, uint32_t b, uint32_t e)
{
	return b < e && gort_chain_end(t, b, e) == e;
}

/* Reports the copy made by statements [s_first, s_last] (or, for a map,
 * from s_first through the end of the copying loop, then from = the
 * loop's end) when dst and src are only read after it. */
static void report_from(struct check_ctx *cx, int s_first, unsigned last_line, uint32_t from, uint32_t nb,
			uint32_t sb, uint32_t se, const char *how);

static void report(struct check_ctx *cx, int s_first, int s_last, uint32_t nb, uint32_t sb, uint32_t se,
		   const char *how)
{
	report_from(cx, s_first, cx->ol->stmts[s_last].end_line, cx->ol->stmts[s_last].tok_end, nb, sb, se, how);
}

static void report_at(struct check_ctx *cx, int s_first, const struct py_block *loop, uint32_t nb, uint32_t sb,
		      uint32_t se)
{
	report_from(cx, s_first, loop->end_line, loop->body_end + 1, nb, sb, se, "a map filled by a range loop");
}

static void report_from(struct check_ctx *cx, int s_first, unsigned last_line, uint32_t from, uint32_t nb,
			uint32_t sb, uint32_t se, const char *how)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	const struct py_stmt *st = &ol->stmts[s_first];
	int f = ol->blocks[st->block].func;
	uint32_t end = f >= 0 ? ol->blocks[f].body_end : (uint32_t)t->n;
	unsigned uses, ranged, suses, sranged;
	char *dst, *src, issue[600], rec[512];
	enum severity sev;
	uint32_t i;
	if (f < 0 || !is_chain(t, sb, se))
		return;
	for (i = from; i < end; i++)
		if (py_tok_is(t, i, "go") && (t->v[i].flags & PTF_KEYWORD))
			return; /* a goroutine may read one side while the other changes */
	if (!gort_only_read(t, from, end, nb, 1, &uses, &ranged) || uses == 0)
		return;
	if (!gort_only_read(t, from, end, sb, se - sb, &suses, &sranged))
		return; /* the source changes later: the snapshot may be the point */
	dst = py_outline_text(ol, nb, nb + 1);
	src = py_outline_text(ol, sb, se);
	if (!dst || !src) {
		free(dst);
		free(src);
		return;
	}
	sev = gort_loop_of(ol, st->block) >= 0 ? SEV_MEDIUM : SEV_LOW;
	snprintf(issue, sizeof(issue),
		 "%s is a copy of %s (%s) that %s only reads afterwards (%s): the allocation and the copy buy "
		 "nothing.", dst, src, how, ol->blocks[f].name ? ol->blocks[f].name : "the function literal",
		 ranged ? "ranged over" : "indexed or measured");
	snprintf(rec, sizeof(rec),
		 "Use %s directly; copy it only when one side is modified, kept or handed to another "
		 "goroutine.", src);
	check_report(cx, st->line, last_line, sev, issue, rec);
	free(dst);
	free(src);
}

/* "make(map[K]V...)" or "map[K]V{}" spanning tokens [v, e). */
static int is_new_map(const struct py_toks *t, uint32_t v, uint32_t e)
{
	if (py_tok_is(t, v, "make") && v + 2 < e && py_tok_is(t, v + 1, "(") && py_tok_is(t, v + 2, "map"))
		return gort_close(t, v + 1, e) == e - 1;
	return py_tok_is(t, v, "map") && e >= v + 2 && py_tok_is(t, e - 2, "{") && py_tok_is(t, e - 1, "}");
}

/* dst := make(map[K]V) at statement s, then "for k, v := range src {
 * dst[k] = v }" as the next statement, the loop holding nothing else. */
static void map_clone(struct check_ctx *cx, int s, uint32_t nb)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	const struct py_stmt *hdr = &ol->stmts[s + 1], *body = &ol->stmts[s + 2];
	const struct py_block *loop;
	uint32_t b, i, kb, vb, sb, se;
	if (hdr->opens < 0 || ol->blocks[hdr->opens].kind != PB_FOR || hdr->block != ol->stmts[s].block)
		return;
	loop = &ol->blocks[hdr->opens];
	if (body->block != hdr->opens || (s + 3 < (int)ol->nstmts && ol->stmts[s + 3].tok_begin < loop->body_end))
		return; /* the loop does more than the copy */
	/* header: for k, v := range src { */
	b = hdr->tok_begin;
	if (b + 7 > hdr->tok_end || !py_tok_is(t, b, "for") || t->v[b + 1].kind != PT_NAME || !py_tok_is(t, b + 2, ",") ||
	    t->v[b + 3].kind != PT_NAME || !py_tok_is(t, b + 4, ":=") || !py_tok_is(t, b + 5, "range"))
		return;
	kb = b + 1;
	vb = b + 3;
	sb = b + 6;
	se = hdr->tok_end - 1;
	if (!py_tok_is(t, se, "{") || gort_chain_end(t, sb, se) != se)
		return;
	/* body: dst[k] = v */
	i = body->tok_begin;
	if (i + 6 != body->tok_end || !gort_same_toks(t, i, nb, 1) || !py_tok_is(t, i + 1, "[") ||
	    !gort_same_toks(t, i + 2, kb, 1) || !py_tok_is(t, i + 3, "]") || !py_tok_is(t, i + 4, "=") ||
	    !gort_same_toks(t, i + 5, vb, 1))
		return;
	report_at(cx, s, loop, nb, sb, se);
}

void check_redundant_copy_go(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	size_t s;
	for (s = 0; s < ol->nstmts; s++) {
		const struct py_stmt *st = &ol->stmts[s];
		uint32_t nb, v = assigned_name(t, st, &nb), e = st->tok_end;
		if (!v || ol->stmts[s].opens >= 0)
			continue;
		if (py_tok_is(t, v, "make") && v + 2 < e && py_tok_is(t, v + 1, "(") && py_tok_is(t, v + 2, "[") &&
		    gort_close(t, v + 1, e) == e - 1 && s + 1 < ol->nstmts) {
			/* make, then copy(dst, src) as the next statement */
			const struct py_stmt *n = &ol->stmts[s + 1];
			uint32_t b = n->tok_begin, ne = n->tok_end;
			if (n->block == st->block && b + 5 < ne && py_tok_is(t, b, "copy") && py_tok_is(t, b + 1, "(") &&
			    gort_same_toks(t, b + 2, nb, 1) && py_tok_is(t, b + 3, ",") && py_tok_is(t, ne - 1, ")") &&
			    gort_close(t, b + 1, ne) == ne - 1)
				report(cx, (int)s, (int)s + 1, nb, b + 4, ne - 1, "make + copy");
		} else if (py_tok_is(t, v, "append") && v + 3 < e && py_tok_is(t, v + 1, "(") && py_tok_is(t, v + 2, "[") &&
			   py_tok_is(t, v + 3, "]") && gort_close(t, v + 1, e) == e - 1) {
			/* append([]T(nil), src...) / append([]T{}, src...) */
			uint32_t i = v + 4, close;
			while (i < e && (t->v[i].kind == PT_NAME || py_tok_is(t, i, ".") || py_tok_is(t, i, "*")))
				i++;
			if (i >= e)
				continue;
			if (py_tok_is(t, i, "(") && py_tok_is(t, i + 1, "nil") && py_tok_is(t, i + 2, ")"))
				i += 3;
			else if (py_tok_is(t, i, "{") && py_tok_is(t, i + 1, "}"))
				i += 2;
			else
				continue;
			close = e - 1;
			if (i + 2 < close && py_tok_is(t, i, ",") && py_tok_is(t, close - 1, "..."))
				report(cx, (int)s, (int)s, nb, i + 1, close - 1, "append to an empty slice");
		} else if (v + 4 < e && (py_tok_is(t, v, "slices") || py_tok_is(t, v, "bytes")) &&
			   py_tok_is(t, v + 1, ".") && py_tok_is(t, v + 2, "Clone") && py_tok_is(t, v + 3, "(") &&
			   gort_close(t, v + 3, e) == e - 1) {
			report(cx, (int)s, (int)s, nb, v + 4, e - 1, py_tok_is(t, v, "bytes") ? "bytes.Clone" : "slices.Clone");
		} else if (s + 2 < ol->nstmts && is_new_map(t, v, e)) {
			map_clone(cx, (int)s, nb);
		}
	}
}
