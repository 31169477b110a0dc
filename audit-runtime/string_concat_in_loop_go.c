/*
 * string_concat_in_loop, Go
 *
 * A string grown with s += ... or s = s + ... inside a for loop.  Go strings
 * are immutable and not ropes: every += allocates a new string and copies
 * everything built so far, so n appends cost O(n^2) bytes copied.  The
 * target must be a string: typed string in the file (var s string, s :=
 * "..."; go_types), or grown by a string literal, fmt.Sprint* or strings.*
 * result when its type is unknown.  Numbers, durations and runes never.  A
 * string declared or reset inside the same loop is rebuilt per iteration
 * and is not reported.  One finding per string and function.
 *
 * Severity: HIGH in a request handler, MEDIUM elsewhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "go/go.h"
#include "gort.h"

/* Calls whose result is a string. */
static int string_call(const struct py_toks *t, uint32_t b, uint32_t e)
{
	static const char *const fns[] = { "fmt.Sprintf", "fmt.Sprint", "fmt.Sprintln", "strings.Repeat",
					   "strings.Join", "strings.ToUpper", "strings.ToLower", "strings.TrimSpace",
					   "strings.ReplaceAll", "strings.Replace", "strconv.Itoa", "strconv.Quote",
					   "strconv.FormatInt", "strconv.FormatFloat", "string", NULL };
	uint32_t ce = gort_chain_end(t, b, e);
	size_t k;
	if (ce == b || ce >= e || !py_tok_is(t, ce, "("))
		return 0;
	for (k = 0; fns[k]; k++) {
		const char *dot = strchr(fns[k], '.');
		if (dot ? (ce - b == 3 && t->v[b].len == (uint32_t)(dot - fns[k]) &&
			   !memcmp(py_tok_text(t, b), fns[k], t->v[b].len) && py_tok_is(t, b + 2, dot + 1))
			: (ce - b == 1 && py_tok_is(t, b, fns[k])))
			return 1;
	}
	return 0;
}

/* 1 when right side [b, e) is visibly a string: a string literal (not a
 * rune) at its top level, or starts with a call returning a string. */
static int string_rhs(const struct py_toks *t, uint32_t b, uint32_t e)
{
	uint32_t i;
	uint16_t d = t->v[b].depth;
	if (string_call(t, b, e))
		return 1;
	for (i = b; i < e; i++)
		if (t->v[i].depth == d && t->v[i].kind == PT_STRING && py_tok_text(t, i)[0] != '\'')
			return 1;
	return 0;
}

/* Growth statement s: "x += rhs" or "x = x + rhs"; the target chain is
 * [s.begin, *te), the right side [*rb, s.end). */
static int growth(const struct py_outline *ol, int s, uint32_t *te, uint32_t *rb)
{
	const struct py_toks *t = ol->toks;
	const struct py_stmt *st = &ol->stmts[s];
	uint32_t b = st->tok_begin, e = st->tok_end, ce = gort_chain_end(t, b, e), n = ce - b;
	if (ce == b || ce + 1 >= e)
		return 0;
	*te = ce;
	if (py_tok_is(t, ce, "+=")) {
		*rb = ce + 1;
		return 1;
	}
	if (py_tok_is(t, ce, "=") && ce + 1 + n < e && gort_same_toks(t, b, ce + 1, n) &&
	    py_tok_is(t, ce + 1 + n, "+")) {
		*rb = ce + 2 + n;
		return *rb < e;
	}
	return 0;
}

/* 1 when name (n bytes) is one of the loop's range variables ("_, p"):
 * a fresh value every iteration. */
static int range_var(const struct py_block *loop, const char *name, size_t n)
{
	const char *p = loop->target;
	while (p && *p) {
		size_t k;
		while (*p == ' ' || *p == ',')
			p++;
		k = strcspn(p, " ,");
		if (k == n && !memcmp(p, name, n))
			return 1;
		p += k;
	}
	return 0;
}

/* 1 when a statement of loop L before s declares or resets the target
 * (x := ..., var x ..., x = "..."), or the loop's range clause binds it
 * or the root of its chain: the string restarts every iteration. */
static int rebound_in_loop(const struct py_outline *ol, int loop, int s, uint32_t nb, uint32_t nn)
{
	const struct py_toks *t = ol->toks;
	int k;
	/* x += ... or x.Name += ... on a range variable x: one append per element */
	if (range_var(&ol->blocks[loop], py_tok_text(t, nb), t->v[nb].len))
		return 1;
	for (k = s - 1; k >= 0 && ol->stmts[k].tok_begin >= ol->blocks[loop].body_begin; k--) {
		uint32_t b = ol->stmts[k].tok_begin, e = ol->stmts[k].tok_end;
		if (b < e && py_tok_is(t, b, "var"))
			b++;
		if (b + nn < e && gort_same_toks(t, b, nb, nn) &&
		    (py_tok_is(t, b + nn, ":=") || py_tok_is(t, b + nn, "=") || py_tok_is(t, b + nn, "string")))
			return 1;
		/* a, b := ... with the target among the names */
		if (t->v[b].kind == PT_NAME && b + 1 < e && py_tok_is(t, b + 1, ",")) {
			uint32_t i;
			for (i = b; i < e && !py_tok_is(t, i, ":=") && !py_tok_is(t, i, "="); i++)
				if (i + nn <= e && gort_same_toks(t, i, nb, nn))
					return 1;
		}
	}
	return 0;
}

void check_string_concat_in_loop_go(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	struct go_types *gt = go_types_new(ol);
	/* strings reported in the current function: one finding per string and
	 * function (a document grown over several loops is one fix) */
	struct { int func; uint32_t nb, nn; } seen[32];
	int nseen = 0, k;
	size_t s;
	if (!gt)
		return;
	for (s = 0; s < ol->nstmts; s++) {
		const struct py_stmt *st = &ol->stmts[s];
		uint32_t te, rb, nn;
		int loop, f;
		const char *type;
		char *name, issue[640], rec[512];
		enum severity sev;
		if (!growth(ol, (int)s, &te, &rb))
			continue;
		loop = gort_loop_of(ol, st->block);
		if (loop < 0)
			continue;
		nn = te - st->tok_begin;
		name = py_outline_text(ol, st->tok_begin, te);
		if (!name)
			continue;
		type = go_types_of(gt, st->block, st->tok_begin, name);
		if (type ? strcmp(type, "string") != 0 : !string_rhs(t, rb, st->tok_end)) {
			free(name);
			continue;
		}
		f = ol->blocks[st->block].func;
		for (k = 0; k < nseen; k++)
			if (seen[k].func == f && seen[k].nn == nn && gort_same_toks(t, seen[k].nb, st->tok_begin, nn))
				break;
		if (k < nseen || rebound_in_loop(ol, loop, (int)s, st->tok_begin, nn)) {
			free(name);
			continue;
		}
		if (nseen && seen[nseen - 1].func != f)
			nseen = 0; /* statements come in order: an earlier function is done */
		if (nseen < (int)(sizeof(seen) / sizeof(seen[0]))) {
			seen[nseen].func = f;
			seen[nseen].nb = st->tok_begin;
			seen[nseen].nn = nn;
			nseen++;
		}
		sev = gort_in_handler(ol, st->block) ? SEV_HIGH : SEV_MEDIUM;
		snprintf(issue, sizeof(issue),
			 "String %s grows with %s inside the for loop at line %u%s%s%s: Go strings are immutable, "
			 "so every append allocates a new string and copies all of it built so far, O(n^2) bytes "
			 "for n iterations",
			 name, py_tok_is(t, te, "+=") ? "+=" : "= ... +", ol->blocks[loop].line,
			 f >= 0 && ol->blocks[f].name ? " of " : "", f >= 0 && ol->blocks[f].name ? ol->blocks[f].name : "",
			 sev == SEV_HIGH ? " (a request handler)" : "");
		snprintf(issue + strlen(issue), sizeof(issue) - strlen(issue), ".");
		snprintf(rec, sizeof(rec),
			 "Build it in a strings.Builder (var b strings.Builder; b.Grow(n) when the size is known; "
			 "b.WriteString(...) or fmt.Fprintf(&b, ...) in the loop) or a bytes.Buffer, and take "
			 "b.String() once after the loop; to send it, write straight to the io.Writer instead.");
		check_report(cx, st->line, st->end_line, sev, issue, rec);
		free(name);
	}
	go_types_free(gt);
}
