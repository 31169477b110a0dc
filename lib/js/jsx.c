/*
 * js/jsx: JSX markup inside TSX and JSX files.
 *
 * Markup is skipped, not parsed: tag names, attributes and text become
 * PT_STRING tokens with PTF_JSX, one per run of markup between the {...}
 * expression containers, whose code the main scanner reads as usual.
 * Elements nest through frames on the tokenizer's stack: 'T' while a tag's
 * attributes are read, 'C' while an element's children are.  Text may hold
 * quotes, slashes and "//" freely: it is never code.
 */
#include <string.h>

#include "js/js.h"
#include "js/tok_p.h"

static int tag_char(unsigned char c)
{
	return jl_id_char(c) || c == '.' || c == '-' || c == ':';
}

/* Skips a tag name and its type arguments (<Select<Option> ...>). */
static void skip_tag_name(struct jlex *lx)
{
	int d = 0;
	while (lx->pos < lx->len && tag_char((unsigned char)lx->s[lx->pos]))
		lx->pos++;
	if (lx->pos >= lx->len || lx->s[lx->pos] != '<')
		return;
	while (lx->pos < lx->len) {
		char c = lx->s[lx->pos];
		if (jl_is_nl(c)) {
			jl_newline(lx);
			continue;
		}
		lx->pos++;
		if (c == '<')
			d++;
		else if (c == '>' && --d == 0)
			return;
	}
}

/* Skips a comment inside a tag (between attributes); 1 when one was there. */
static int skip_tag_comment(struct jlex *lx)
{
	const char *s = lx->s;
	if (lx->pos + 1 >= lx->len || s[lx->pos] != '/' || (s[lx->pos + 1] != '/' && s[lx->pos + 1] != '*'))
		return 0;
	if (s[lx->pos + 1] == '/') {
		while (lx->pos < lx->len && !jl_is_nl(s[lx->pos]))
			lx->pos++;
		return 1;
	}
	lx->pos += 2;
	while (lx->pos < lx->len && !(s[lx->pos] == '*' && lx->pos + 1 < lx->len && s[lx->pos + 1] == '/')) {
		if (jl_is_nl(s[lx->pos]))
			jl_newline(lx);
		else
			lx->pos++;
	}
	lx->pos = lx->pos + 2 <= lx->len ? lx->pos + 2 : lx->len;
	return 1;
}

static void set_frag(struct jlex *lx, size_t at)
{
	lx->frag = at;
	lx->frag_line = lx->line;
	lx->frag_col = jl_col(lx, at);
}

void jsx_resume(struct jlex *lx)
{
	set_frag(lx, lx->pos);
}

static void emit_frag(struct jlex *lx, int flags)
{
	if (lx->pos > lx->frag)
		jl_emit(lx, PT_STRING, lx->frag, lx->frag_line, lx->frag_col, PTF_JSX | flags);
}

int jsx_open(struct jlex *lx)
{
	const char *s = lx->s;
	size_t p = lx->pos + 1, q, r;
	if (p >= lx->len)
		return 0;
	if (s[p] == '>') { /* a fragment <>...</> */
		set_frag(lx, lx->pos);
		lx->pos = p + 1;
		return jl_push(lx, 'C') == 0;
	}
	if (!jl_id_start((unsigned char)s[p]))
		return 0;
	for (q = p; q < lx->len && tag_char((unsigned char)s[q]); q++)
		;
	for (r = q; r < lx->len && (s[r] == ' ' || s[r] == '\t' || jl_is_nl(s[r])); r++)
		;
	/* a tag name goes on with an attribute, '/', '>' or '{'; anything else
	 * (<T,>(x) => x, <T extends U>) is a generic in a .tsx file */
	if (r >= lx->len || !(s[r] == '>' || s[r] == '/' || s[r] == '{' || (s[r] == '<' && r == q) ||
			      jl_id_start((unsigned char)s[r])))
		return 0;
	if (r + 7 <= lx->len && !memcmp(s + r, "extends", 7) &&
	    (r + 7 == lx->len || !jl_id_char((unsigned char)s[r + 7])))
		return 0;
	set_frag(lx, lx->pos);
	lx->pos = p;
	skip_tag_name(lx);
	return jl_push(lx, 'T') == 0;
}

/* Pops the element just closed: 1 when markup goes on (the parent's
 * children or tag), 0 when the outermost element ended and code resumes. */
static int close_element(struct jlex *lx)
{
	char f;
	lx->nfr--;
	f = jl_top(lx);
	if (f == 'T' || f == 'C')
		return 1;
	emit_frag(lx, 0);
	return 0;
}

static void open_container(struct jlex *lx)
{
	size_t start = lx->pos;
	uint32_t col = jl_col(lx, start);
	emit_frag(lx, 0);
	lx->pos++;
	jl_emit(lx, PT_OP, start, lx->line, col, 0);
	jl_push(lx, 'x');
}

static void skip_quoted(struct jlex *lx, char q)
{
	lx->pos++;
	while (lx->pos < lx->len && lx->s[lx->pos] != q) {
		if (jl_is_nl(lx->s[lx->pos]))
			jl_newline(lx);
		else
			lx->pos++;
	}
	if (lx->pos < lx->len)
		lx->pos++;
}

void jsx_run(struct jlex *lx)
{
	const char *s = lx->s;
	while (lx->pos < lx->len && !lx->oom) {
		char f = jl_top(lx), c = s[lx->pos];
		if (jl_is_nl(c)) {
			jl_newline(lx);
			continue;
		}
		if (c == '{') {
			open_container(lx);
			return;
		}
		if (f == 'T') {
			if (skip_tag_comment(lx))
				continue;
			if (c == '/' && lx->pos + 1 < lx->len && s[lx->pos + 1] == '>') {
				lx->pos += 2;
				if (!close_element(lx))
					return;
			} else if (c == '>') {
				lx->pos++;
				lx->fr[lx->nfr - 1] = 'C';
			} else if (c == '"' || c == '\'') {
				skip_quoted(lx, c);
			} else if (c == '<') { /* an element as an attribute value */
				lx->pos++;
				skip_tag_name(lx);
				jl_push(lx, 'T');
			} else {
				lx->pos++;
			}
			continue;
		}
		if (c != '<') {
			lx->pos++;
			continue;
		}
		if (lx->pos + 1 < lx->len && s[lx->pos + 1] == '/') { /* a closing tag */
			lx->pos += 2;
			while (lx->pos < lx->len && s[lx->pos] != '>') {
				if (jl_is_nl(s[lx->pos]))
					jl_newline(lx);
				else
					lx->pos++;
			}
			if (lx->pos < lx->len)
				lx->pos++;
			if (!close_element(lx))
				return;
			continue;
		}
		lx->pos++;
		if (lx->pos < lx->len && s[lx->pos] == '>') {
			lx->pos++;
			jl_push(lx, 'C');
			continue;
		}
		skip_tag_name(lx);
		jl_push(lx, 'T');
	}
	if (lx->pos >= lx->len && (jl_top(lx) == 'T' || jl_top(lx) == 'C')) {
		jl_error(lx, lx->frag_line, lx->frag_col, "unterminated JSX element");
		emit_frag(lx, PTF_UNTERMINATED);
		while (jl_top(lx) == 'T' || jl_top(lx) == 'C')
			lx->nfr--;
	}
}
