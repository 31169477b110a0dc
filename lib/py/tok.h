/*
 * py/tok: a reentrant Python 3.8-3.14 tokenizer.
 *
 * Produces the token stream of a whole file in one pass: names, numbers,
 * strings (all prefixes r/b/u/f/t and combinations, single/double/triple
 * quoted; comments go to a separate array; an f-/t-string with its replacement fields is one STRING token,
 * nested quotes of 3.12 included), operators, comments, NEWLINE at the end
 * of each logical line, INDENT/DEDENT.  Backslash and bracket continuation
 * are folded into logical lines; CRLF, CR, tabs, form feeds and NUL bytes are
 * handled; errors (unterminated string, bad dedent) never abort: the token
 * gets PT_ERROR and scanning resumes on the next line.
 */
#ifndef PPERF_PY_TOK_H
#define PPERF_PY_TOK_H

#include <stddef.h>
#include <stdint.h>

enum py_tok_kind {
	PT_NAME, PT_NUMBER, PT_STRING, PT_OP,
	PT_COMMENT,   /* only in py_toks.comments, never in v */
	PT_NEWLINE,   /* end of a logical line */
	PT_INDENT, PT_DEDENT, PT_END, PT_ERROR
};

struct py_tok {
	uint8_t kind;      /* enum py_tok_kind */
	uint8_t flags;     /* PTF_* */
	uint16_t depth;    /* bracket depth before this token */
	uint32_t off, len; /* bytes in the source */
	uint32_t line, col;         /* 1-based start (col counts bytes) */
	uint32_t end_line;          /* line of the last byte */
};

#define PTF_FSTRING 0x01  /* f- or t-string */
#define PTF_BYTES   0x02
#define PTF_TRIPLE  0x04
#define PTF_UNTERMINATED 0x08
#define PTF_KEYWORD 0x10     /* a hard keyword (if, for, await, ...) */

struct py_toks {
	const char *src;   /* borrowed: the text tokenized */
	size_t srclen;
	struct py_tok *v;           /* tokens without comments */
	size_t n, cap;
	struct py_tok *comments;    /* comment tokens, in order */
	size_t ncomments, ccap;
	unsigned nerrors;
	unsigned err_line, err_col; /* first error */
	const char *err_msg;        /* static string or NULL */
};

/* Tokenizes src[0..len).  src must stay alive while toks is used.
 * Returns 0, -1 only on allocation failure. */
int py_tokenize(struct py_toks *toks, const char *src, size_t len);
void py_toks_free(struct py_toks *toks);

/* For the tokenizers of every language (py, js, go): appends *tk to the
 * array v (n used, cap allocated), growing it; 0, or -1 on ENOMEM. */
int py_toks_push(struct py_tok **v, size_t *n, size_t *cap, const struct py_tok *tk);
/* Counts an error; the first one is kept in err_line/err_col/err_msg. */
void py_toks_error(struct py_toks *t, uint32_t line, uint32_t col, const char *msg);

/* 1 when token t is the operator or name spelled s.  Inline: it runs for
 * nearly every token, many times (a tenth of an auditor's time as a call). */
static inline int py_tok_is(const struct py_toks *toks, size_t i, const char *s)
{
	const struct py_tok *t;
	const char *p;
	uint32_t j;
	if (i >= toks->n)
		return 0;
	t = &toks->v[i];
	if (t->kind != PT_OP && t->kind != PT_NAME)
		return 0;
	p = toks->src + t->off;
	/* compare without strlen */
	for (j = 0; j < t->len; j++)
		if (s[j] != p[j])
			return 0;
	return s[t->len] == '\0';
}
/* Token text pointer (length in t->len). */
static inline const char *py_tok_text(const struct py_toks *toks, size_t i)
{
	return toks->src + toks->v[i].off;
}

#endif
