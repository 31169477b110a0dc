/*
 * go/tok: the Go tokenizer (see go.h).
 *
 * One forward pass over the bytes; all state lives in struct lexer on the
 * stack of go_tokenize(), so the tokenizer is reentrant.  Go has no
 * indentation: the only line structure is the automatic semicolon, which
 * the spec inserts at a line end after an identifier, a literal, one of
 * break/continue/fallthrough/return, or ++ -- ) ] }.  Those and explicit
 * ';' become NEWLINE tokens (len 0 for inserted ones, 1 for ';'), at any
 * bracket depth, because the statements of a function literal sit inside
 * the parentheses of the call it is passed to.  A general comment that
 * spans lines acts as a line end.  Errors never stop the scan.
 */
#include <stdlib.h>
#include <string.h>

#include "go/go.h"

struct lexer {
	struct py_toks *t;
	const char *s;
	size_t len, pos;
	uint32_t line;
	size_t line_start; /* offset where the current physical line starts */
	int depth;         /* bracket depth */
	int semi;          /* a line end here inserts a semicolon */
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

static uint32_t col_of(const struct lexer *lx, size_t off)
{
	return (uint32_t)(off - lx->line_start + 1);
}

/* Emits the token src[start..pos) that began at line:col. */
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
}

/* The semicolon Go inserts at offset at (an empty NEWLINE token). */
static void insert_semi(struct lexer *lx, size_t at)
{
	size_t save = lx->pos;
	if (!lx->semi)
		return;
	lx->pos = at;
	emit(lx, PT_NEWLINE, at, lx->line, col_of(lx, at), 0);
	lx->pos = save;
	lx->semi = 0;
}

static int is_nl(char c)
{
	return c == '\n' || c == '\r';
}

/* Consumes one newline sequence at pos (\n, \r\n or a lone \r, as
 * srcfile counts lines). */
static void eat_newline(struct lexer *lx)
{
	if (lx->s[lx->pos] == '\r' && lx->pos + 1 < lx->len && lx->s[lx->pos + 1] == '\n')
		lx->pos += 2;
	else
		lx->pos++;
	lx->line++;
	lx->line_start = lx->pos;
}

static int is_id_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_id_char(unsigned char c)
{
	return is_id_start(c) || is_digit((char)c);
}

static const char *const keywords[] = {
	"break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough",
	"for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range",
	"return", "select", "struct", "switch", "type", "var", NULL
};

static int is_keyword(const char *p, size_t n)
{
	int k;
	if (n < 2 || n > 11)
		return 0;
	for (k = 0; keywords[k]; k++)
		if (keywords[k][0] == p[0] && strlen(keywords[k]) == n && !memcmp(keywords[k], p, n))
			return 1;
	return 0;
}

/* 1 when the keyword p[0..n) ends a statement at a line end. */
static int keyword_ends_stmt(const char *p, size_t n)
{
	return (n == 5 && !memcmp(p, "break", 5)) || (n == 6 && !memcmp(p, "return", 6)) ||
	       (n == 8 && !memcmp(p, "continue", 8)) || (n == 11 && !memcmp(p, "fallthrough", 11));
}

static void lex_name(struct lexer *lx)
{
	size_t start = lx->pos;
	int kw;
	while (lx->pos < lx->len && is_id_char((unsigned char)lx->s[lx->pos]))
		lx->pos++;
	kw = is_keyword(lx->s + start, lx->pos - start);
	emit(lx, PT_NAME, start, lx->line, col_of(lx, start), kw ? PTF_KEYWORD : 0);
	lx->semi = !kw || keyword_ends_stmt(lx->s + start, lx->pos - start);
}

/*
 * Numbers: decimal, 0x/0o/0b and legacy octal integers with '_'
 * separators, decimal and hexadecimal floats (exponent e or p with a
 * sign), and the imaginary suffix i.  Validity is the compiler's business:
 * the token runs over every character a number may contain.
 */
static void lex_number(struct lexer *lx)
{
	size_t start = lx->pos;
	int hex = lx->s[start] == '0' && start + 1 < lx->len &&
		  (lx->s[start + 1] == 'x' || lx->s[start + 1] == 'X');
	while (lx->pos < lx->len) {
		char c = lx->s[lx->pos];
		if (c == '.' && lx->pos + 1 < lx->len && lx->s[lx->pos + 1] == '.')
			break; /* "..." after a number is an operator */
		if (!is_id_char((unsigned char)c) && c != '.')
			break;
		if ((hex ? (c == 'p' || c == 'P') : (c == 'e' || c == 'E')) && lx->pos + 1 < lx->len &&
		    (lx->s[lx->pos + 1] == '+' || lx->s[lx->pos + 1] == '-'))
			lx->pos++;
		lx->pos++;
	}
	emit(lx, PT_NUMBER, start, lx->line, col_of(lx, start), 0);
	lx->semi = 1;
}

/* Interpreted string or rune: escapes, no line end inside. */
static void lex_quoted(struct lexer *lx, char q)
{
	size_t start = lx->pos;
	uint32_t line = lx->line, col = col_of(lx, start);
	int fl = 0;
	lx->pos++;
	for (;;) {
		char c;
		if (lx->pos >= lx->len || is_nl(lx->s[lx->pos])) {
			fl = PTF_UNTERMINATED;
			set_error(lx, line, col, q == '"' ? "unterminated string" : "unterminated rune");
			break;
		}
		c = lx->s[lx->pos];
		if (c == '\\') {
			lx->pos++;
			if (lx->pos < lx->len && !is_nl(lx->s[lx->pos]))
				lx->pos++;
			continue;
		}
		lx->pos++;
		if (c == q)
			break;
	}
	emit(lx, PT_STRING, start, line, col, fl);
	lx->semi = 1;
}

/* Raw string `...`: no escapes, line ends allowed. */
static void lex_raw(struct lexer *lx)
{
	size_t start = lx->pos;
	uint32_t line = lx->line, col = col_of(lx, start);
	int fl = 0;
	lx->pos++;
	for (;;) {
		if (lx->pos >= lx->len) {
			fl = PTF_UNTERMINATED;
			set_error(lx, line, col, "unterminated raw string");
			break;
		}
		if (lx->s[lx->pos] == '`') {
			lx->pos++;
			break;
		}
		if (is_nl(lx->s[lx->pos]))
			eat_newline(lx);
		else
			lx->pos++;
	}
	emit(lx, PT_STRING, start, line, col, fl);
	lx->semi = 1;
}

/* Comment at pos ("//" or "/ *"). */
static void lex_comment(struct lexer *lx)
{
	size_t start = lx->pos;
	uint32_t line = lx->line, col = col_of(lx, start);
	if (lx->s[start + 1] == '/') {
		while (lx->pos < lx->len && !is_nl(lx->s[lx->pos]))
			lx->pos++;
		emit(lx, PT_COMMENT, start, line, col, 0);
		return;
	}
	lx->pos += 2;
	for (;;) {
		if (lx->pos >= lx->len) {
			set_error(lx, line, col, "unterminated comment");
			emit(lx, PT_COMMENT, start, line, col, PTF_UNTERMINATED);
			return;
		}
		if (lx->s[lx->pos] == '*' && lx->pos + 1 < lx->len && lx->s[lx->pos + 1] == '/') {
			lx->pos += 2;
			break;
		}
		if (is_nl(lx->s[lx->pos]))
			eat_newline(lx);
		else
			lx->pos++;
	}
	/* a general comment spanning lines acts as a line end: the
	 * semicolon goes where the comment starts */
	if (lx->line != line && lx->semi) {
		struct py_tok tk;
		memset(&tk, 0, sizeof(tk));
		tk.kind = PT_NEWLINE;
		tk.depth = (uint16_t)(lx->depth > 65535 ? 65535 : lx->depth);
		tk.off = (uint32_t)start;
		tk.line = tk.end_line = line;
		tk.col = col;
		push_tok(lx, &lx->t->v, &lx->t->n, &lx->t->cap, &tk);
		lx->semi = 0;
	}
	emit(lx, PT_COMMENT, start, line, col, 0);
}

static const char *const ops3[] = { "<<=", ">>=", "&^=", "...", NULL };
static const char *const ops2[] = { "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<", ">>", "&^",
				    "&&", "||", "<-", "++", "--", "==", "!=", "<=", ">=", ":=", NULL };

static void lex_op(struct lexer *lx)
{
	size_t start = lx->pos, n = 1;
	const char *p = lx->s + lx->pos;
	size_t left = lx->len - lx->pos;
	char c = *p;
	int i;
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
	if (n == 1 && c == ';') {
		/* an explicit semicolon: a NEWLINE spelled ";" */
		emit(lx, PT_NEWLINE, start, lx->line, col_of(lx, start), 0);
		lx->semi = 0;
		return;
	}
	if (n == 1 && (c == ')' || c == ']' || c == '}') && lx->depth > 0)
		lx->depth--;
	emit(lx, PT_OP, start, lx->line, col_of(lx, start), 0);
	if (n == 1 && (c == '(' || c == '[' || c == '{'))
		lx->depth++;
	lx->semi = (n == 1 && (c == ')' || c == ']' || c == '}')) ||
		   (n == 2 && (!memcmp(p, "++", 2) || !memcmp(p, "--", 2)));
}

static void lex_one(struct lexer *lx)
{
	char c = lx->s[lx->pos];
	if (c == ' ' || c == '\t' || c == '\f' || c == '\v') {
		lx->pos++;
		return;
	}
	if (is_nl(c)) {
		insert_semi(lx, lx->pos);
		eat_newline(lx);
		return;
	}
	if (c == '/' && lx->pos + 1 < lx->len && (lx->s[lx->pos + 1] == '/' || lx->s[lx->pos + 1] == '*')) {
		lex_comment(lx);
		return;
	}
	if (is_id_start((unsigned char)c)) {
		lex_name(lx);
		return;
	}
	if (is_digit(c) || (c == '.' && lx->pos + 1 < lx->len && is_digit(lx->s[lx->pos + 1]))) {
		lex_number(lx);
		return;
	}
	if (c == '"' || c == '\'') {
		lex_quoted(lx, c);
		return;
	}
	if (c == '`') {
		lex_raw(lx);
		return;
	}
	if (c && strchr("()[]{}:;,.+-*/%&|^~<>=!", c)) {
		lex_op(lx);
		return;
	}
	/* anything else ($, ?, @, #, a stray backslash, NUL) */
	{
		size_t start = lx->pos;
		set_error(lx, lx->line, col_of(lx, start), "unexpected character");
		lx->pos++;
		emit(lx, PT_ERROR, start, lx->line, col_of(lx, start), 0);
	}
}

int go_tokenize(struct py_toks *toks, const char *src, size_t len)
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
	if (len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3))
		lx.pos = lx.line_start = 3;
	while (lx.pos < lx.len && !lx.oom)
		lex_one(&lx);
	insert_semi(&lx, lx.len);
	emit(&lx, PT_END, lx.len, lx.line, col_of(&lx, lx.len), 0);
	if (lx.oom) {
		py_toks_free(toks);
		return -1;
	}
	return 0;
}
