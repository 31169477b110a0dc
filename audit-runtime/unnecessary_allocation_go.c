/*
 * unnecessary_allocation, Go
 *
 * An intermediate slice or string built only to be measured or compared:
 * - len(strings.Split(s, sep)) (also bytes.Split): a slice of n substrings
 *   allocated to count them; strings.Count(s, sep)+1 allocates nothing;
 * - strings.ToLower(a) == strings.ToLower(b) (ToUpper too, != too): two
 *   lowered copies to compare; strings.EqualFold compares in place;
 * - w.Write([]byte(s)) inside a loop: a byte copy of s per iteration;
 *   io.WriteString(w, s) uses the writer's WriteString when it has one.
 * - a slice declared empty, appended to in a loop and then only measured
 *   with len(): a counter does the same without storing anything.
 * Conversions the compiler does not allocate for (m[string(b)],
 * string(b) == "x") are not matched.
 *
 * Severity: MEDIUM inside a loop or a request handler, LOW otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "gort.h"

static enum severity sev_at(const struct py_outline *ol, int block)
{
	return gort_loop_of(ol, block) >= 0 || gort_in_handler(ol, block) ? SEV_MEDIUM : SEV_LOW;
}

/* Text of tokens [b, e), "?" when it cannot be had; caller frees. */
static char *text(const struct py_outline *ol, uint32_t b, uint32_t e)
{
	char *s = b < e ? py_outline_text(ol, b, e) : NULL;
	return s ? s : strdup("?");
}

/* Splits the argument list of call c at top-level commas: fills the start of
 * each argument into at[0..max) and returns how many there are. */
static int args_of(const struct py_toks *t, const struct py_call *c, uint32_t *at, int max)
{
	uint32_t i;
	int n = 0;
	if (c->rparen <= c->lparen + 1)
		return 0;
	at[n++] = c->lparen + 1;
	for (i = c->lparen + 1; i < c->rparen; i++)
		if (t->v[i].depth == t->v[c->lparen].depth + 1 && py_tok_is(t, i, ",")) {
			if (n < max)
				at[n] = i + 1;
			n++;
		}
	return n;
}

/* len(strings.Split(s, sep)) at split call c. */
static void split_len(struct check_ctx *cx, const struct py_call *c)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	const struct py_call *p;
	uint32_t at[3];
	char *s, *sep, issue[512], rec[512];
	const char *pkg = py_callee_is(c, "bytes.Split") ? "bytes" : "strings";
	if (c->parent_call < 0 || c->arg_index != 0)
		return;
	p = &ol->calls[c->parent_call];
	if (strcmp(p->callee, "len") || c->name_begin != p->lparen + 1 || c->rparen + 1 != p->rparen)
		return;
	if (args_of(t, c, at, 3) != 2)
		return;
	s = text(ol, at[0], at[1] - 1);
	sep = text(ol, at[1], c->rparen);
	snprintf(issue, sizeof(issue),
		 "len(%s.Split(%s, %s)) allocates a slice of every substring only to count them.", pkg, s, sep);
	snprintf(rec, sizeof(rec),
		 "Count the separators instead: %s.Count(%s, %s)+1 gives the same number without allocating "
		 "(both give 1 for an empty input).", pkg, s, sep);
	check_report(cx, p->line, c->end_line, sev_at(ol, c->block), issue, rec);
	free(s);
	free(sep);
}

/* strings.ToLower(a) == strings.ToLower(b) at the left call c. */
static void fold_compare(struct check_ctx *cx, const struct py_call *c)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	uint32_t o = c->rparen + 1, close;
	char *a, *b, issue[512], rec[512];
	int neg;
	if (o + 4 >= t->n || !(py_tok_is(t, o, "==") || py_tok_is(t, o, "!=")))
		return;
	neg = py_tok_is(t, o, "!=");
	if (!py_tok_is(t, o + 1, "strings") || !py_tok_is(t, o + 2, ".") ||
	    !py_tok_is(t, o + 3, c->name) || !py_tok_is(t, o + 4, "("))
		return;
	if (c->name_begin > 0 && (py_tok_is(t, c->name_begin - 1, ".") || py_tok_is(t, c->name_begin - 1, "+")))
		return;
	close = gort_close(t, o + 4, (uint32_t)t->n);
	if (close >= t->n || (close + 1 < t->n && (py_tok_is(t, close + 1, "+") || py_tok_is(t, close + 1, ".") ||
						      py_tok_is(t, close + 1, "["))))
		return; /* the right side goes on: not a plain comparison of the two */
	a = text(ol, c->lparen + 1, c->rparen);
	b = text(ol, o + 5, close);
	snprintf(issue, sizeof(issue),
		 "strings.%s(%s) %s strings.%s(%s) allocates two case-converted copies only to compare them.",
		 c->name, a, neg ? "!=" : "==", c->name, b);
	snprintf(rec, sizeof(rec),
		 "Use %sstrings.EqualFold(%s, %s): it compares under Unicode case folding without allocating.",
		 neg ? "!" : "", a, b);
	check_report(cx, c->line, t->v[close].line, sev_at(ol, c->block), issue, rec);
	free(a);
	free(b);
}

/* w.Write([]byte(s)) inside a loop at write call c. */
static void write_bytes(struct check_ctx *cx, const struct py_call *c)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	uint32_t a = c->lparen + 1, close;
	char *w, *s, issue[512], rec[512];
	if (gort_loop_of(ol, c->block) < 0 || !strchr(c->callee, '.'))
		return;
	if (a + 4 >= c->rparen || !py_tok_is(t, a, "[") || !py_tok_is(t, a + 1, "]") || !py_tok_is(t, a + 2, "byte") ||
	    !py_tok_is(t, a + 3, "("))
		return;
	close = gort_close(t, a + 3, c->rparen);
	if (close + 1 != c->rparen || close == a + 4)
		return;
	w = text(ol, c->name_begin, c->lparen - 2);
	s = text(ol, a + 4, close);
	snprintf(issue, sizeof(issue),
		 "%s.Write([]byte(%s)) copies the string into a new byte slice on every iteration of the loop "
		 "at line %u.", w, s, ol->blocks[gort_loop_of(ol, c->block)].line);
	snprintf(rec, sizeof(rec),
		 "Use io.WriteString(%s, %s): it calls the writer's WriteString (http.ResponseWriter, "
		 "bufio.Writer, bytes.Buffer, strings.Builder have one) without the copy.", w, s);
	check_report(cx, c->line, c->end_line, SEV_MEDIUM, issue, rec);
	free(w);
	free(s);
}

/* Statement s declares an empty slice ("var xs []T", "xs := []T{}",
 * "xs := make([]T, 0...)"): its name token into *nb, else 0. */
static int empty_slice_decl(const struct py_toks *t, const struct py_stmt *st, uint32_t *nb)
{
	uint32_t b = st->tok_begin, e = st->tok_end;
	if (b + 4 <= e && py_tok_is(t, b, "var") && t->v[b + 1].kind == PT_NAME && py_tok_is(t, b + 2, "[") &&
	    py_tok_is(t, b + 3, "]")) {
		uint32_t i;
		for (i = b + 4; i < e; i++)
			if (py_tok_is(t, i, "="))
				return 0;
		*nb = b + 1;
		return 1;
	}
	if (b + 5 <= e && t->v[b].kind == PT_NAME && py_tok_is(t, b + 1, ":=")) {
		if (py_tok_is(t, b + 2, "[") && py_tok_is(t, b + 3, "]") && py_tok_is(t, e - 2, "{") && py_tok_is(t, e - 1, "}")) {
			*nb = b;
			return 1;
		}
		if (py_tok_is(t, b + 2, "make") && py_tok_is(t, b + 3, "(") && py_tok_is(t, b + 4, "[") &&
		    gort_close(t, b + 3, e) == e - 1) {
			uint32_t i, commas = 0;
			for (i = b + 4; i < e - 1; i++)
				if (t->v[i].depth == t->v[b + 3].depth + 1 && py_tok_is(t, i, ","))
					commas++;
			for (i = b + 4; i < e - 1 && !(commas && py_tok_is(t, i, ",") &&
						     t->v[i].depth == t->v[b + 3].depth + 1); i++)
				;
			if (commas && i + 2 < e && t->v[i + 1].kind == PT_NUMBER && t->v[i + 1].len == 1 && py_tok_text(t, i + 1)[0] == '0' && (py_tok_is(t, i + 2, ")") || py_tok_is(t, i + 2, ","))) {
				*nb = b;
				return 1;
			}
		}
	}
	return 0;
}

/* A slice declared empty at statement s that its function only appends to
 * (xs = append(xs, ...) in a loop) and measures with len(xs). */
static void appended_for_len(struct check_ctx *cx, int s, uint32_t nb)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	const struct py_stmt *st = &ol->stmts[s];
	int f = ol->blocks[st->block].func;
	uint32_t end = f >= 0 ? ol->blocks[f].body_end : 0, i, first_len = 0;
	unsigned appends = 0, lens = 0;
	char *name, issue[512], rec[400];
	if (f < 0)
		return;
	for (i = st->tok_end; i < end; i++) {
		if (t->v[i].kind != PT_NAME || !gort_same_toks(t, i, nb, 1) || (i > 0 && py_tok_is(t, i - 1, ".")))
			continue;
		/* xs = append(xs, v), in a loop */
		if (i + 5 < end && py_tok_is(t, i + 1, "=") && py_tok_is(t, i + 2, "append") && py_tok_is(t, i + 3, "(") &&
		    gort_same_toks(t, i + 4, nb, 1) && py_tok_is(t, i + 5, ",")) {
			int sidx = py_outline_stmt_of_tok(ol, i);
			if (sidx < 0 || gort_loop_of(ol, ol->stmts[sidx].block) < 0)
				return;
			appends++;
			i += 4;
			continue;
		}
		if (i >= 2 && py_tok_is(t, i - 1, "(") && py_tok_is(t, i - 2, "len") && i + 1 < end && py_tok_is(t, i + 1, ")")) {
			if (!lens)
				first_len = i;
			lens++;
			continue;
		}
		return; /* read, returned, passed on: the slice is needed */
	}
	if (!appends || !lens)
		return;
	name = text(ol, nb, nb + 1);
	snprintf(issue, sizeof(issue),
		 "Slice %s grows by append in a loop only to be measured by len(%s) at line %u: every element is "
		 "stored (and the backing array regrown) just to count them.", name, name, t->v[first_len].line);
	snprintf(rec, sizeof(rec), "Count instead: n := 0 before the loop and n++ where %s is appended.", name);
	check_report(cx, st->line, st->end_line, sev_at(ol, st->block), issue, rec);
	free(name);
}

void check_unnecessary_allocation_go(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	size_t i;
	for (i = 0; i < ol->nstmts; i++) {
		uint32_t nb;
		if (ol->stmts[i].opens < 0 && empty_slice_decl(ol->toks, &ol->stmts[i], &nb))
			appended_for_len(cx, (int)i, nb);
	}
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_call *c = &ol->calls[i];
		if (c->is_ref)
			continue;
		if (py_callee_is(c, "strings.Split") || py_callee_is(c, "bytes.Split"))
			split_len(cx, c);
		else if (py_callee_is(c, "strings.ToLower") || py_callee_is(c, "strings.ToUpper"))
			fold_compare(cx, c);
		else if (!strcmp(c->name, "Write"))
			write_bytes(cx, c);
	}
}
