/*
 * py/tok: the Python tokenizer.
 *
 * One forward pass over the bytes.  All state lives in struct lexer on the
 * stack of py_tokenize(), so the tokenizer is reentrant.  Physical lines
 * are joined into logical lines by brackets and backslashes; indentation is
 * measured only at the start of a logical line (tabs to the next multiple
 * of 8, a form feed resets the column, as CPython does).  Strings are
 * scanned as whole tokens; f-/t-string replacement fields are scanned
 * recursively so that 3.12's reused quotes and nested format specs end
 * the string at the right quote.  Errors never stop the scan.
 */
#include <stdlib.h>
#include <string.h>

#include "py/tok.h"

#define MAX_INDENT 200
#define MAX_FSTRING_NEST 32

struct lexer {
	struct py_toks *t;
	const char *s;
	size_t len, pos;
	uint32_t line;
	size_t line_start;    /* offset where the current physical line starts */
	int depth;            /* bracket depth */
	int indents[MAX_INDENT];
	int nindent;
	int line_has_tokens;  /* logical line has a token (NEWLINE pending) */
	int at_bol;           /* at the start of a logical line */
	int oom;
};

static int push_tok(struct lexer *lx, struct py_tok **v, size_t *n, size_t *cap, const struct py_tok *tk)
{
	if (py_toks_push(v, n, cap, tk) < 0) {
		lx->oom = 1;
		return -1;
	}
	return 0;
}

static void set_error(struct lexer *lx, uint32_t line, uint32_t col, const char *msg)
{
	py_toks_error(lx->t, line, col, msg);
}

static void emit(struct lexer *lx, int kind, size_t start, uint32_t line, uint32_t col, int flags)
{
	struct py_tok tk;
	tk.kind = (uint8_t)kind;
	tk.flags = (uint8_t)flags;
	tk.depth = (uint16_t)(lx->depth > 65535 ? 65535 : lx->depth);
	tk.off = (uint32_t)start;
	tk.len = (uint32_t)(lx->pos - start);
	tk.line = line;
	tk.col = col;
	tk.end_line = lx->line;
	if (kind == PT_COMMENT) {
		push_tok(lx, &lx->t->comments, &lx->t->ncomments, &lx->t->ccap, &tk);
		return;
	}
	push_tok(lx, &lx->t->v, &lx->t->n, &lx->t->cap, &tk);
	if (kind != PT_NEWLINE && kind != PT_INDENT && kind != PT_DEDENT && kind != PT_END)
		lx->line_has_tokens = 1;
}

static uint32_t col_of(const struct lexer *lx, size_t off)
{
	return (uint32_t)(off - lx->line_start + 1);
}

/* Consumes one newline sequence at pos (\n, \r\n or \r). */
static void eat_newline(struct lexer *lx)
{
	if (lx->s[lx->pos] == '\r' && lx->pos + 1 < lx->len && lx->s[lx->pos + 1] == '\n')
		lx->pos += 2;
	else
		lx->pos++;
	lx->line++;
	lx->line_start = lx->pos;
}

static int is_nl(char c)
{
	return c == '\n' || c == '\r';
}

static int is_id_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int is_id_char(unsigned char c)
{
	return is_id_start(c) || (c >= '0' && c <= '9');
}

/* Length of a valid string prefix at pos followed by a quote, else 0.
 * *fl receives PTF_FSTRING/PTF_BYTES; *raw is set for r. */
static size_t string_prefix(const struct lexer *lx, size_t pos, int *fl, int *raw)
{
	size_t i = 0;
	int r = 0, b = 0, f = 0, u = 0;
	while (i < 3 && pos + i < lx->len) {
		char c = lx->s[pos + i];
		if (c == 'r' || c == 'R')
			r++;
		else if (c == 'b' || c == 'B')
			b++;
		else if (c == 'f' || c == 'F' || c == 't' || c == 'T')
			f++;
		else if (c == 'u' || c == 'U')
			u++;
		else
			break;
		i++;
	}
	if (pos + i >= lx->len || (lx->s[pos + i] != '"' && lx->s[pos + i] != '\''))
		return 0;
	if (i > 2 || r > 1 || b > 1 || f > 1 || u > 1 || (u && i > 1) || (b && f))
		return 0;
	*fl = (f ? PTF_FSTRING : 0) | (b ? PTF_BYTES : 0);
	*raw = r;
	return i;
}

static int scan_string_body(struct lexer *lx, char q, int triple, int fstr, int nest);

/*
 * Scans an f-string replacement field starting after '{' up to and
 * including its closing '}'.  Returns 0, or -1 when the enclosing string
 * ends first (the caller sees the quote).
 */
static int scan_field(struct lexer *lx, char q, int triple, int nest)
{
	int d = 0;
	while (lx->pos < lx->len) {
		char c = lx->s[lx->pos];
		int fl, raw;
		size_t pl;
		if (is_nl(c)) {
			if (!triple && nest == 0)
				return -1;
			eat_newline(lx);
			continue;
		}
		if (c == '#') { /* comment inside a multi-line field (3.12) */
			while (lx->pos < lx->len && !is_nl(lx->s[lx->pos]))
				lx->pos++;
			continue;
		}
		pl = is_id_start((unsigned char)c) ? string_prefix(lx, lx->pos, &fl, &raw) : 0;
		if (pl || c == '"' || c == '\'') {
			char q2;
			int tri2;
			if (!pl) {
				fl = 0;
				raw = 0;
			}
			lx->pos += pl;
			q2 = lx->s[lx->pos];
			/* the enclosing quote closes the string unless 3.12 reuse */
			tri2 = lx->pos + 2 < lx->len && lx->s[lx->pos + 1] == q2 && lx->s[lx->pos + 2] == q2;
			lx->pos += tri2 ? 3 : 1;
			if (nest >= MAX_FSTRING_NEST)
				return -1;
			if (scan_string_body(lx, q2, tri2, fl & PTF_FSTRING, nest + 1) < 0)
				return -1;
			continue;
		}
		if (is_id_start((unsigned char)c)) {
			while (lx->pos < lx->len && is_id_char((unsigned char)lx->s[lx->pos]))
				lx->pos++;
			continue;
		}
		if (c == '(' || c == '[' || c == '{') {
			d++;
		} else if ((c == ')' || c == ']') && d > 0) {
			d--;
		} else if (c == '}') {
			if (d == 0) {
				lx->pos++;
				return 0;
			}
			d--;
		} else if (c == ':' && d == 0) {
			/* format spec: literal text with nested fields */
			lx->pos++;
			while (lx->pos < lx->len) {
				char sc = lx->s[lx->pos];
				if (sc == '}') {
					lx->pos++;
					return 0;
				}
				if (sc == '{') {
					lx->pos++;
					if (scan_field(lx, q, triple, nest) < 0)
						return -1;
					continue;
				}
				if (sc == q && !triple)
					return -1;
				if (is_nl(sc)) {
					if (!triple)
						return -1;
					eat_newline(lx);
					continue;
				}
				lx->pos++;
			}
			return -1;
		} else if (c == '!' && d == 0 && lx->pos + 1 < lx->len && lx->s[lx->pos + 1] != '=') {
			/* conversion !r !s !a: handled as plain text */
		}
		lx->pos++;
	}
	return -1;
}

/*
 * Scans a string body after its opening quote(s) through the closing
 * quote(s).  Returns 0, or -1 when unterminated (pos left at the line end
 * for single-quoted strings, at EOF for triple-quoted ones).
 */
static int scan_string_body(struct lexer *lx, char q, int triple, int fstr, int nest)
{
	while (lx->pos < lx->len) {
		char c = lx->s[lx->pos];
		if (c == '\\') {
			lx->pos++;
			if (lx->pos < lx->len) {
				if (is_nl(lx->s[lx->pos]))
					eat_newline(lx);
				else
					lx->pos++;
			}
			continue;
		}
		if (c == q) {
			if (!triple) {
				lx->pos++;
				return 0;
			}
			if (lx->pos + 2 < lx->len && lx->s[lx->pos + 1] == q && lx->s[lx->pos + 2] == q) {
				lx->pos += 3;
				return 0;
			}
			lx->pos++;
			continue;
		}
		if (is_nl(c)) {
			if (!triple)
				return -1;
			eat_newline(lx);
			continue;
		}
		if (fstr && c == '{') {
			if (lx->pos + 1 < lx->len && lx->s[lx->pos + 1] == '{') {
				lx->pos += 2;
				continue;
			}
			lx->pos++;
			if (scan_field(lx, q, triple, nest) < 0) {
				/* the field ran into the end of the string: let the
				 * loop see the quote or newline again */
				if (lx->pos < lx->len && lx->s[lx->pos] == q)
					continue;
				if (lx->pos >= lx->len)
					return -1;
			}
			continue;
		}
		lx->pos++;
	}
	return -1;
}

static void lex_string(struct lexer *lx, size_t plen, int fl)
{
	size_t start = lx->pos;
	uint32_t line = lx->line, col = col_of(lx, start);
	char q;
	int triple;
	lx->pos += plen;
	q = lx->s[lx->pos];
	triple = lx->pos + 2 < lx->len && lx->s[lx->pos + 1] == q && lx->s[lx->pos + 2] == q;
	lx->pos += triple ? 3 : 1;
	if (triple)
		fl |= PTF_TRIPLE;
	if (scan_string_body(lx, q, triple, fl & PTF_FSTRING, 0) < 0) {
		fl |= PTF_UNTERMINATED;
		set_error(lx, line, col, "unterminated string");
		if (!triple) /* resume on the next line */
			while (lx->pos < lx->len && !is_nl(lx->s[lx->pos]))
				lx->pos++;
	}
	emit(lx, PT_STRING, start, line, col, fl);
}

static void lex_number(struct lexer *lx)
{
	size_t start = lx->pos;
	while (lx->pos < lx->len) {
		char c = lx->s[lx->pos];
		if (is_id_char((unsigned char)c) || c == '.') {
			if ((c == 'e' || c == 'E') && lx->pos + 1 < lx->len &&
			    (lx->s[lx->pos + 1] == '+' || lx->s[lx->pos + 1] == '-') &&
			    !(lx->s[start] == '0' && start + 1 < lx->len &&
			      (lx->s[start + 1] == 'x' || lx->s[start + 1] == 'X')))
				lx->pos++;
			lx->pos++;
			continue;
		}
		break;
	}
	emit(lx, PT_NUMBER, start, lx->line, col_of(lx, start), 0);
}

static const char *const ops3[] = { "**=", "//=", ">>=", "<<=", "...", NULL };
static const char *const ops2[] = { "**", "//", "==", "!=", "<=", ">=", "->", "+=", "-=", "*=",
				    "/=", "%=", "&=", "|=", "^=", "@=", ":=", "<<", ">>", "<>", NULL };

static void lex_op(struct lexer *lx)
{
	size_t start = lx->pos, n = 1;
	const char *p = lx->s + lx->pos;
	size_t left = lx->len - lx->pos;
	char c = *p;
	int i;
	/* every operator of two or three characters has one of these second */
	if (left < 2 || !p[1] || !strchr("*/=<>.", p[1]))
		goto done;
	for (i = 0; left >= 3 && ops3[i]; i++)
		if (!memcmp(p, ops3[i], 3)) {
			n = 3;
			goto done;
		}
	for (i = 0; left >= 2 && ops2[i]; i++)
		if (!memcmp(p, ops2[i], 2)) {
			n = 2;
			goto done;
		}
done:
	lx->pos += n;
	if (n == 1 && (c == ')' || c == ']' || c == '}') && lx->depth > 0)
		lx->depth--;
	emit(lx, PT_OP, start, lx->line, col_of(lx, start), 0);
	if (n == 1 && (c == '(' || c == '[' || c == '{'))
		lx->depth++;
}

/* Measures indentation at the start of a logical line and emits
 * INDENT/DEDENT.  Returns 1 when the line is blank or a comment only. */
static int handle_indent(struct lexer *lx)
{
	int col = 0;
	size_t p = lx->pos;
	while (p < lx->len) {
		char c = lx->s[p];
		if (c == ' ')
			col++;
		else if (c == '\t')
			col = (col / 8 + 1) * 8;
		else if (c == '\f')
			col = 0;
		else
			break;
		p++;
	}
	lx->pos = p;
	if (p >= lx->len || is_nl(lx->s[p]) || lx->s[p] == '#' ||
	    (lx->s[p] == '\\' && p + 1 < lx->len && is_nl(lx->s[p + 1])))
		return 1;
	if (col > lx->indents[lx->nindent - 1]) {
		if (lx->nindent < MAX_INDENT)
			lx->indents[lx->nindent++] = col;
		emit(lx, PT_INDENT, p, lx->line, col_of(lx, p), 0);
	} else {
		while (lx->nindent > 1 && col < lx->indents[lx->nindent - 1]) {
			lx->nindent--;
			emit(lx, PT_DEDENT, p, lx->line, col_of(lx, p), 0);
		}
		if (col != lx->indents[lx->nindent - 1]) {
			set_error(lx, lx->line, col_of(lx, p), "unindent does not match any outer level");
			if (lx->nindent < MAX_INDENT)
				lx->indents[lx->nindent++] = col;
			emit(lx, PT_INDENT, p, lx->line, col_of(lx, p), PTF_UNTERMINATED);
		}
	}
	return 0;
}

static void end_logical_line(struct lexer *lx, size_t at)
{
	if (lx->line_has_tokens) {
		size_t save = lx->pos;
		lx->pos = at;
		emit(lx, PT_NEWLINE, at, lx->line, col_of(lx, at), 0);
		lx->pos = save;
		lx->line_has_tokens = 0;
	}
	lx->at_bol = 1;
	lx->depth = 0;
}

static const char *const hard_keywords[] = {
	"False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
	"continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
	"if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
	"return", "try", "while", "with", "yield", NULL
};

static int is_hard_keyword(const char *p, size_t n)
{
	/* hard_keywords is sorted by first byte: first[c] is the first entry
	 * starting with c (a scan of the whole list per name was 2% of an auditor) */
	static unsigned char first[129];
	static int ready;
	int k;
	unsigned char c = (unsigned char)p[0];
	if (n < 2 || n > 8 || c >= 128)
		return 0;
	if (!ready) {
		int nk = 0, b;
		while (hard_keywords[nk])
			nk++;
		for (b = 127; b >= 0; b--) {
			first[b] = b == 127 ? (unsigned char)nk : first[b + 1];
			for (k = 0; k < nk; k++)
				if ((unsigned char)hard_keywords[k][0] == b) {
					first[b] = (unsigned char)k;
					break;
				}
		}
		ready = 1;
	}
	for (k = first[c]; hard_keywords[k] && (unsigned char)hard_keywords[k][0] == c; k++)
		if (strlen(hard_keywords[k]) == n && !memcmp(hard_keywords[k], p, n))
			return 1;
	return 0;
}

static void lex_one(struct lexer *lx)
{
	char c = lx->s[lx->pos];
	unsigned char uc = (unsigned char)c;
	int fl, raw;
	size_t plen;

	if (c == ' ' || c == '\t' || c == '\f' || c == '\0' || c == '\v') {
		lx->pos++;
		return;
	}
	if (c == '#') {
		size_t start = lx->pos;
		while (lx->pos < lx->len && !is_nl(lx->s[lx->pos]))
			lx->pos++;
		emit(lx, PT_COMMENT, start, lx->line, col_of(lx, start), 0);
		return;
	}
	if (is_nl(c)) {
		if (lx->depth == 0)
			end_logical_line(lx, lx->pos);
		eat_newline(lx);
		return;
	}
	if (c == '\\') {
		if (lx->pos + 1 < lx->len && is_nl(lx->s[lx->pos + 1])) {
			lx->pos++;
			eat_newline(lx);
			return;
		}
		if (lx->pos + 1 >= lx->len) {
			lx->pos++;
			return;
		}
	}
	if (is_id_start(uc)) {
		size_t start = lx->pos;
		plen = string_prefix(lx, lx->pos, &fl, &raw);
		if (plen) {
			lex_string(lx, plen, fl);
			return;
		}
		while (lx->pos < lx->len && is_id_char((unsigned char)lx->s[lx->pos]))
			lx->pos++;
		emit(lx, PT_NAME, start, lx->line, col_of(lx, start),
		     is_hard_keyword(lx->s + start, lx->pos - start) ? PTF_KEYWORD : 0);
		return;
	}
	if (c == '"' || c == '\'') {
		lex_string(lx, 0, 0);
		return;
	}
	if ((c >= '0' && c <= '9') ||
	    (c == '.' && lx->pos + 1 < lx->len && lx->s[lx->pos + 1] >= '0' && lx->s[lx->pos + 1] <= '9')) {
		lex_number(lx);
		return;
	}
	if (strchr("()[]{}:;,.+-*/%@&|^~<>=!", c) && c) {
		lex_op(lx);
		return;
	}
	/* anything else ($, ?, backtick, stray backslash) */
	{
		size_t start = lx->pos;
		set_error(lx, lx->line, col_of(lx, start), "unexpected character");
		lx->pos++;
		emit(lx, PT_ERROR, start, lx->line, col_of(lx, start), 0);
	}
}

int py_tokenize(struct py_toks *toks, const char *src, size_t len)
{
	struct lexer lx;
	memset(toks, 0, sizeof(*toks));
	toks->src = src;
	toks->srclen = len;
	memset(&lx, 0, sizeof(lx));
	lx.t = toks;
	lx.s = src;
	lx.len = len;
	lx.line = 1;
	lx.indents[0] = 0;
	lx.nindent = 1;
	lx.at_bol = 1;
	if (len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3))
		lx.pos = lx.line_start = 3;
	while (lx.pos < lx.len && !lx.oom) {
		if (lx.at_bol && lx.depth == 0) {
			lx.at_bol = 0;
			if (handle_indent(&lx))
				continue;
		}
		lex_one(&lx);
	}
	end_logical_line(&lx, lx.len);
	while (lx.nindent > 1) {
		lx.nindent--;
		emit(&lx, PT_DEDENT, lx.len, lx.line, col_of(&lx, lx.len), 0);
	}
	emit(&lx, PT_END, lx.len, lx.line, col_of(&lx, lx.len), 0);
	if (lx.oom) {
		py_toks_free(toks);
		return -1;
	}
	return 0;
}

void py_toks_free(struct py_toks *toks)
{
	free(toks->v);
	free(toks->comments);
	toks->v = toks->comments = NULL;
	toks->n = toks->cap = toks->ncomments = toks->ccap = 0;
}

/* py_tok_is is inline in tok.h */

int py_toks_push(struct py_tok **v, size_t *n, size_t *cap, const struct py_tok *tk)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		struct py_tok *nv = realloc(*v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = *tk;
	return 0;
}

void py_toks_error(struct py_toks *t, uint32_t line, uint32_t col, const char *msg)
{
	if (t->nerrors++ == 0) {
		t->err_line = line;
		t->err_col = col;
		t->err_msg = msg;
	}
}
