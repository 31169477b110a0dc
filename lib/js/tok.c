/*
 * js/tok: the TypeScript and JavaScript tokenizer (see js.h).
 *
 * One forward pass over the bytes; all state lives in struct jlex on the
 * stack of js_tokenize(), so the tokenizer is reentrant.  A stack of frames
 * tells what the scanner is inside: code brackets ( [ {, a JSX expression
 * container (x), or a JSX element whose tag (T) or children (C) are being
 * read (see jsx.c).  The previous token decides between a regex and a
 * division; a pending line break becomes a NEWLINE token when the next
 * token cannot continue the statement.  Template literals are scanned
 * whole, their ${...} parts by a small recursive scanner bounded in depth.
 */
#include <stdlib.h>
#include <string.h>

#include "js/js.h"
#include "js/tok_p.h"

#define MAX_TEMPLATE_NEST 32
#define MAX_POP_SEARCH 8

static int push_tok(struct jlex *lx, struct py_tok **v, size_t *n, size_t *cap, const struct py_tok *tk)
{
	if (py_toks_push(v, n, cap, tk) < 0) {
		lx->oom = 1;
		return -1;
	}
	return 0;
}

void jl_error(struct jlex *lx, uint32_t line, uint32_t col, const char *msg)
{
	py_toks_error(lx->t, line, col, msg);
}

uint32_t jl_col(const struct jlex *lx, size_t off)
{
	return (uint32_t)(off - lx->line_start + 1);
}

void jl_newline(struct jlex *lx)
{
	if (lx->s[lx->pos] == '\r' && lx->pos + 1 < lx->len && lx->s[lx->pos + 1] == '\n')
		lx->pos += 2;
	else
		lx->pos++;
	lx->line++;
	lx->line_start = lx->pos;
}

int jl_is_nl(char c)
{
	return c == '\n' || c == '\r';
}

int jl_id_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80;
}

int jl_id_char(unsigned char c)
{
	return jl_id_start(c) || (c >= '0' && c <= '9');
}

static int text_in(const char *p, size_t n, const char *const *list)
{
	int i;
	/* the first byte first: a strlen per entry per token was 1% of an auditor */
	if (n == 0)
		return 0;
	for (i = 0; list[i]; i++)
		if (list[i][0] == p[0] && strlen(list[i]) == n && !memcmp(list[i], p, n))
			return 1;
	return 0;
}

int jl_push(struct jlex *lx, char f)
{
	if (lx->nfr == lx->cfr) {
		int nc = lx->cfr ? lx->cfr * 2 : 64;
		char *nv = realloc(lx->fr, (size_t)nc);
		if (!nv) {
			lx->oom = 1;
			return -1;
		}
		lx->fr = nv;
		lx->cfr = nc;
	}
	lx->fr[lx->nfr++] = f;
	if (f != 'T' && f != 'C')
		lx->depth++;
	return 0;
}

char jl_top(const struct jlex *lx)
{
	return lx->nfr ? lx->fr[lx->nfr - 1] : 0;
}

/* Pops the frame a closer c closes: the top one, or one a few frames down
 * when brackets in between were left open; never across JSX frames.
 * Returns the frame closed, 0 when none. */
static char pop_for(struct jlex *lx, char c)
{
	int i, stop = lx->nfr - MAX_POP_SEARCH;
	char want = c == ')' ? '(' : c == ']' ? '[' : '{';
	for (i = lx->nfr - 1; i >= 0 && i >= stop; i--) {
		char f = lx->fr[i];
		if (f == 'T' || f == 'C')
			return 0;
		if (f == want || (want == '{' && f == 'x')) {
			while (lx->nfr > i) {
				char g = lx->fr[--lx->nfr];
				if (g != 'T' && g != 'C')
					lx->depth--;
			}
			return f;
		}
	}
	return 0;
}

/* 1 at statement level: inside { } or at the top. */
static int stmt_level(const struct jlex *lx)
{
	char f = jl_top(lx);
	return f == 0 || f == '{';
}

/* Words after which an expression starts (a '/' is a regex there). */
static const char *const expr_words[] = {
	"return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do",
	"else", "yield", "await", NULL
};

/* Words that cannot end a statement ("void" can: it ends many a
 * signature's return type). */
static const char *const open_words[] = {
	"new", "typeof", "instanceof", "in", "delete", "else", "do", "case", "extends",
	"implements", "export", "import", "default", "const", "let", "var", "function", "class", "async",
	"await", "if", "for", "while", "switch", "catch", "try", "finally", "with", "as", "satisfies",
	"keyof", NULL
};

/* Words at the start of a line that continue the statement before. */
static const char *const cont_words[] = {
	"instanceof", "in", "as", "satisfies", "extends", "implements", "else", "catch", "finally", NULL
};


static const char *const keywords[] = {
	"async", "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default",
	"delete", "do", "else", "enum", "export", "extends", "false", "finally", "for", "function", "if",
	"import", "in", "instanceof", "let", "new", "null", "return", "switch", "throw", "true", "try",
	"typeof", "var", "void", "while", "with", "yield", NULL
};

/* 1 when the previous token can end a statement. */
static int prev_ends(const struct jlex *lx)
{
	const char *p = lx->s + lx->poff;
	switch (lx->pkind) {
	case PT_NUMBER:
	case PT_STRING:
		return 1;
	case PT_NAME:
		/* x as const; a property named like a keyword: this.default */
		return !text_in(p, lx->plen, open_words) || (lx->as_before && lx->plen == 5 && !memcmp(p,
		    "const", 5)) ||
		       (!(lx->pflags & PTF_KEYWORD) && text_in(p, lx->plen, keywords));
	case PT_OP:
		if (lx->plen == 1)
			return *p == ')' || *p == ']' || *p == '}' || *p == '!' || *p == '>';
		return lx->plen == 2 && (!memcmp(p, "++", 2) || !memcmp(p, "--", 2));
	default:
		return 0;
	}
}

/* 1 when a token of kind k at s[off..off+n) continues the statement
 * before a line break. */
static int continues(const struct jlex *lx, int k, size_t off, size_t n, int flags)
{
	const char *p = lx->s + off;
	if (k == PT_OP) {
		if (n == 1 && (*p == '!' || *p == '~' || *p == '@'))
			return 0;
		if (n == 2 && (!memcmp(p, "++", 2) || !memcmp(p, "--", 2)))
			return 0;
		if (n == 1 && *p == '{')
			return lx->pkind == PT_OP && lx->plen == 1 && lx->s[lx->poff] == ')';
		return 1;
	}
	if (k == PT_STRING)
		return (flags & PTF_TEMPLATE) != 0;
	if (k == PT_NAME)
		return text_in(p, n, cont_words);
	return 0;
}

static void push_newline(struct jlex *lx, size_t off, uint32_t line, uint32_t col)
{
	struct py_tok tk;
	tk.kind = PT_NEWLINE;
	tk.flags = 0;
	tk.depth = (uint16_t)(lx->depth > 65535 ? 65535 : lx->depth);
	tk.off = (uint32_t)off;
	tk.len = 0;
	tk.line = tk.end_line = line;
	tk.col = col;
	push_tok(lx, &lx->t->v, &lx->t->n, &lx->t->cap, &tk);
}

void jl_emit(struct jlex *lx, int kind, size_t start, uint32_t line, uint32_t col, int flags)
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
	if (lx->nl) {
		lx->nl = 0;
		if (!continues(lx, kind, start, tk.len, flags))
			push_newline(lx, lx->nl_off, lx->nl_line, lx->nl_col);
	}
	push_tok(lx, &lx->t->v, &lx->t->n, &lx->t->cap, &tk);
	lx->as_before = lx->pkind == PT_NAME && lx->plen == 2 && !memcmp(lx->s + lx->poff, "as", 2);
	lx->pkind = kind;
	lx->pflags = flags;
	lx->poff = start;
	lx->plen = tk.len;
}

/* Notes a line break at off (a newline, or one inside a block comment):
 * a statement may end there. */
static void note_break(struct jlex *lx, size_t off)
{
	if (!lx->nl && lx->pkind >= 0 && stmt_level(lx) && prev_ends(lx)) {
		lx->nl = 1;
		lx->nl_off = off;
		lx->nl_line = lx->line;
		lx->nl_col = jl_col(lx, off);
	}
}

int jl_regex_ok(const struct jlex *lx)
{
	const char *p = lx->s + lx->poff;
	switch (lx->pkind) {
	case -1:
		return 1;
	case PT_NAME:
		return text_in(p, lx->plen, expr_words);
	case PT_OP:
		if (lx->plen == 1)
			return *p != ')' && *p != ']';
		return !(lx->plen == 2 && (!memcmp(p, "++", 2) || !memcmp(p, "--", 2)));
	case PT_ERROR:
		return 1;
	default:
		return 0;
	}
}

/* Scans a regex literal at pos ('/'); 1 and pos after its flags, or 0
 * (pos unchanged) when it does not end on this line. */
int jl_scan_regex(struct jlex *lx)
{
	size_t p = lx->pos + 1;
	int cls = 0;
	while (p < lx->len) {
		char c = lx->s[p];
		if (jl_is_nl(c))
			return 0;
		if (c == '\\') {
			if (p + 1 >= lx->len || jl_is_nl(lx->s[p + 1]))
				return 0;
			p += 2;
			continue;
		}
		if (c == '[')
			cls = 1;
		else if (c == ']')
			cls = 0;
		else if (c == '/' && !cls) {
			p++;
			while (p < lx->len && jl_id_char((unsigned char)lx->s[p]))
				p++;
			lx->pos = p;
			return 1;
		}
		p++;
	}
	return 0;
}

/* Scans a quoted string body after its opening quote q; 0, or -1 when a
 * line end comes first (pos left at it). */
static int scan_quoted(struct jlex *lx, char q)
{
	while (lx->pos < lx->len) {
		char c = lx->s[lx->pos];
		if (c == '\\') {
			lx->pos++;
			if (lx->pos < lx->len) {
				if (jl_is_nl(lx->s[lx->pos]))
					jl_newline(lx);
				else
					lx->pos++;
			}
			continue;
		}
		if (c == q) {
			lx->pos++;
			return 0;
		}
		if (jl_is_nl(c))
			return -1;
		lx->pos++;
	}
	return -1;
}

static int scan_template(struct jlex *lx, int nest);

/* Skips a comment at pos ("//" or "/ *"); 1 when one was there. */
static int skip_comment(struct jlex *lx)
{
	if (lx->pos + 1 >= lx->len || lx->s[lx->pos] != '/')
		return 0;
	if (lx->s[lx->pos + 1] == '/') {
		while (lx->pos < lx->len && !jl_is_nl(lx->s[lx->pos]))
			lx->pos++;
		return 1;
	}
	if (lx->s[lx->pos + 1] == '*') {
		lx->pos += 2;
		while (lx->pos < lx->len &&
		       !(lx->s[lx->pos] == '*' && lx->pos + 1 < lx->len && lx->s[lx->pos + 1] == '/')) {
			if (jl_is_nl(lx->s[lx->pos]))
				jl_newline(lx);
			else
				lx->pos++;
		}
		lx->pos = lx->pos + 2 <= lx->len ? lx->pos + 2 : lx->len;
		return 1;
	}
	return 0;
}

/*
 * Scans the code of a ${...} substitution after "${" through its '}':
 * strings, nested templates, comments, regex literals and braces.  0, or -1
 * when the input ends first or templates nest too deeply.
 */
static int scan_subst(struct jlex *lx, int nest)
{
	int d = 0;
	char last = '{'; /* last significant character: regex or division */
	while (lx->pos < lx->len) {
		char c = lx->s[lx->pos];
		if (jl_is_nl(c)) {
			jl_newline(lx);
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\0') {
			lx->pos++;
			continue;
		}
		if (skip_comment(lx))
			continue;
		if (c == '\'' || c == '"') {
			lx->pos++;
			scan_quoted(lx, c);
			last = 'a';
			continue;
		}
		if (c == '`') {
			lx->pos++;
			if (nest >= MAX_TEMPLATE_NEST || scan_template(lx, nest + 1) < 0)
				return -1;
			last = 'a';
			continue;
		}
		if (c == '/' && strchr("(,=:[!&|?{};+-*%<>~^", last)) {
			if (jl_scan_regex(lx)) {
				last = 'a';
				continue;
			}
		}
		if (jl_id_char((unsigned char)c)) {
			size_t st = lx->pos;
			while (lx->pos < lx->len && jl_id_char((unsigned char)lx->s[lx->pos]))
				lx->pos++;
			last = text_in(lx->s + st, lx->pos - st, expr_words) ? '=' : 'a';
			continue;
		}
		if (c == '{') {
			d++;
		} else if (c == '}') {
			if (d == 0) {
				lx->pos++;
				return 0;
			}
			d--;
		}
		last = c;
		lx->pos++;
	}
	return -1;
}

/* Scans a template literal after its opening backtick through the closing
 * one; 0, or -1 when unterminated (pos at the end of the input). */
static int scan_template(struct jlex *lx, int nest)
{
	while (lx->pos < lx->len) {
		char c = lx->s[lx->pos];
		if (c == '\\') {
			lx->pos++;
			if (lx->pos < lx->len) {
				if (jl_is_nl(lx->s[lx->pos]))
					jl_newline(lx);
				else
					lx->pos++;
			}
			continue;
		}
		if (c == '`') {
			lx->pos++;
			return 0;
		}
		if (jl_is_nl(c)) {
			jl_newline(lx);
			continue;
		}
		if (c == '$' && lx->pos + 1 < lx->len && lx->s[lx->pos + 1] == '{') {
			lx->pos += 2;
			if (scan_subst(lx, nest) < 0) {
				lx->pos = lx->len;
				return -1;
			}
			continue;
		}
		lx->pos++;
	}
	return -1;
}

static void lex_number(struct jlex *lx)
{
	size_t start = lx->pos;
	const char *s = lx->s;
	if (s[lx->pos] == '0' && lx->pos + 1 < lx->len && strchr("xXoObB", s[lx->pos + 1]) &&
	    s[lx->pos + 1]) {
		lx->pos += 2;
		while (lx->pos < lx->len && jl_id_char((unsigned char)s[lx->pos]))
			lx->pos++;
	} else {
		while (lx->pos < lx->len && ((s[lx->pos] >= '0' && s[lx->pos] <= '9') || s[lx->pos] == '_'))
			lx->pos++;
		if (lx->pos < lx->len && s[lx->pos] == '.' && !(lx->pos + 1 < lx->len &&
		    s[lx->pos + 1] == '.')) {
			lx->pos++;
			while (lx->pos < lx->len && ((s[lx->pos] >= '0' && s[lx->pos] <= '9') ||
			    s[lx->pos] == '_'))
				lx->pos++;
		}
		if (lx->pos + 1 < lx->len && (s[lx->pos] == 'e' || s[lx->pos] == 'E')) {
			size_t p = lx->pos + 1;
			if (p + 1 < lx->len && (s[p] == '+' || s[p] == '-'))
				p++;
			if (p < lx->len && s[p] >= '0' && s[p] <= '9')
				lx->pos = p;
		}
		/* digits of the exponent, a BigInt 'n', or junk glued to the number */
		while (lx->pos < lx->len && jl_id_char((unsigned char)s[lx->pos]))
			lx->pos++;
	}
	jl_emit(lx, PT_NUMBER, start, lx->line, jl_col(lx, start), 0);
}

static const char *const ops3[] = { "===", "!==", "**=", "<<=", "&&=", "||=", "?\?=", "...", NULL };
static const char *const ops2[] = { "=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=",
				    "-=", "*=", "/=", "%=", "&=", "|=", "^=", "**", "<<", NULL };

static void lex_op(struct jlex *lx)
{
	size_t start = lx->pos, n = 1, left = lx->len - lx->pos;
	const char *p = lx->s + lx->pos;
	uint32_t line = lx->line, col = jl_col(lx, start);
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
			break;
		}
	/* a?.5:1 is a conditional, not optional chaining */
	if (n == 2 && c == '?' && p[1] == '.' && left >= 3 && p[2] >= '0' && p[2] <= '9')
		n = 1;
done:
	lx->pos += n;
	if (n == 1 && (c == ')' || c == ']' || c == '}')) {
		char closed = pop_for(lx, c);
		jl_emit(lx, PT_OP, start, line, col, 0);
		if (closed == 'x' && (jl_top(lx) == 'T' || jl_top(lx) == 'C'))
			jsx_resume(lx); /* back to the JSX element */
		return;
	}
	jl_emit(lx, PT_OP, start, line, col, 0);
	if (n == 1 && (c == '(' || c == '[' || c == '{'))
		jl_push(lx, c);
	if (n == 1 && c == ';' && stmt_level(lx))
		push_newline(lx, lx->pos, lx->line, jl_col(lx, lx->pos));
}

static void lex_name(struct jlex *lx)
{
	size_t start = lx->pos, n;
	int fl = 0, after_dot;
	while (lx->pos < lx->len && jl_id_char((unsigned char)lx->s[lx->pos]))
		lx->pos++;
	n = lx->pos - start;
	after_dot = lx->pkind == PT_OP && ((lx->plen == 1 && lx->s[lx->poff] == '.') ||
					   (lx->plen == 2 && !memcmp(lx->s + lx->poff, "?.", 2)));
	if (!after_dot && text_in(lx->s + start, n, keywords)) {
		fl = PTF_KEYWORD;
		/* the async library: async.eachSeries(...), a variable named async */
		if (n == 5 && !memcmp(lx->s + start, "async", 5)) {
			size_t p = lx->pos;
			while (p < lx->len && (lx->s[p] == ' ' || lx->s[p] == '\t'))
				p++;
			if (p < lx->len && strchr(".=,);:", lx->s[p]) && lx->s[p])
				fl = 0;
		}
	}
	jl_emit(lx, PT_NAME, start, lx->line, jl_col(lx, start), fl);
}

static void lex_one(struct jlex *lx)
{
	const char *s = lx->s;
	char c = s[lx->pos];
	size_t start = lx->pos;
	uint32_t line = lx->line, col = jl_col(lx, start);

	if (c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\0') {
		lx->pos++;
		return;
	}
	if (jl_is_nl(c)) {
		note_break(lx, lx->pos);
		jl_newline(lx);
		return;
	}
	if (c == '/' && lx->pos + 1 < lx->len && (s[lx->pos + 1] == '/' || s[lx->pos + 1] == '*')) {
		uint32_t l0 = lx->line;
		int block = s[lx->pos + 1] == '*';
		int closed = !block;
		if (block) {
			size_t q = lx->pos + 2;
			while (q + 1 < lx->len && !(s[q] == '*' && s[q + 1] == '/'))
				q++;
			closed = q + 1 < lx->len;
		}
		skip_comment(lx);
		if (lx->line > l0)
			note_break(lx, start);
		jl_emit(lx, PT_COMMENT, start, line, col, 0);
		if (!closed)
			jl_error(lx, line, col, "unterminated comment");
		return;
	}
	if (jl_id_start((unsigned char)c)) {
		lex_name(lx);
		return;
	}
	if (c == '#' && lx->pos + 1 < lx->len && jl_id_start((unsigned char)s[lx->pos + 1])) {
		lx->pos++;
		while (lx->pos < lx->len && jl_id_char((unsigned char)s[lx->pos]))
			lx->pos++;
		jl_emit(lx, PT_NAME, start, line, col, 0);
		return;
	}
	if (c == '\'' || c == '"') {
		int fl = 0;
		lx->pos++;
		if (scan_quoted(lx, c) < 0) {
			fl = PTF_UNTERMINATED;
			jl_error(lx, line, col, "unterminated string");
		}
		jl_emit(lx, PT_STRING, start, line, col, fl);
		return;
	}
	if (c == '`') {
		int fl = PTF_TEMPLATE;
		lx->pos++;
		if (scan_template(lx, 0) < 0) {
			fl |= PTF_UNTERMINATED;
			jl_error(lx, line, col, "unterminated template literal");
		}
		jl_emit(lx, PT_STRING, start, line, col, fl);
		return;
	}
	if ((c >= '0' && c <= '9') ||
	    (c == '.' && lx->pos + 1 < lx->len && s[lx->pos + 1] >= '0' && s[lx->pos + 1] <= '9')) {
		lex_number(lx);
		return;
	}
	if (c == '/' && jl_regex_ok(lx) && jl_scan_regex(lx)) {
		jl_emit(lx, PT_STRING, start, line, col, PTF_REGEX);
		return;
	}
	if (c == '<' && lx->jsx && jl_regex_ok(lx) && jsx_open(lx))
		return;
	if (c == '>') {
		/* one character, so that Array<Map<K, V>> closes twice */
		lx->pos += lx->pos + 1 < lx->len && s[lx->pos + 1] == '=' ? 2 : 1;
		jl_emit(lx, PT_OP, start, line, col, 0);
		return;
	}
	if (c && strchr("()[]{};,<+-*/%&|^!~?:=.@", c)) {
		lex_op(lx);
		return;
	}
	/* anything else: a stray backslash or '#', a control character */
	jl_error(lx, line, col, "unexpected character");
	lx->pos++;
	jl_emit(lx, PT_ERROR, start, line, col, 0);
}

int js_tokenize(struct py_toks *toks, const char *src, size_t len, int jsx)
{
	struct jlex lx;
	memset(toks, 0, sizeof(*toks));
	toks->src = src;
	toks->srclen = len;
	memset(&lx, 0, sizeof(lx));
	lx.t = toks;
	lx.s = src;
	lx.len = len;
	lx.line = 1;
	lx.jsx = jsx;
	lx.pkind = -1;
	if (len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3))
		lx.pos = lx.line_start = 3;
	if (lx.pos + 1 < len && src[lx.pos] == '#' && src[lx.pos + 1] == '!') {
		size_t start = lx.pos;
		while (lx.pos < len && !jl_is_nl(src[lx.pos]))
			lx.pos++;
		jl_emit(&lx, PT_COMMENT, start, 1, jl_col(&lx, start), 0);
	}
	while (lx.pos < lx.len && !lx.oom) {
		char f = jl_top(&lx);
		if (f == 'T' || f == 'C')
			jsx_run(&lx);
		else
			lex_one(&lx);
	}
	if (!lx.oom && lx.pkind >= 0 && (lx.nl || prev_ends(&lx)) &&
	    !(lx.t->n && lx.t->v[lx.t->n - 1].kind == PT_NEWLINE)) {
		if (lx.nl)
			push_newline(&lx, lx.nl_off, lx.nl_line, lx.nl_col);
		else
			push_newline(&lx, len, lx.line, jl_col(&lx, len));
		lx.nl = 0;
	}
	if (!lx.oom) {
		struct py_tok tk;
		memset(&tk, 0, sizeof(tk));
		tk.kind = PT_END;
		tk.depth = (uint16_t)(lx.depth > 65535 ? 65535 : lx.depth);
		tk.off = (uint32_t)len;
		tk.line = tk.end_line = lx.line;
		tk.col = jl_col(&lx, len);
		push_tok(&lx, &toks->v, &toks->n, &toks->cap, &tk);
	}
	free(lx.fr);
	if (lx.oom) {
		py_toks_free(toks);
		return -1;
	}
	return 0;
}

int js_path_jsx(const char *path)
{
	static const char *const exts[] = { ".tsx", ".jsx", ".js", ".mjs", ".cjs", NULL };
	const char *dot = path ? strrchr(path, '.') : NULL;
	int i;
	if (!dot)
		return 0;
	for (i = 0; exts[i]; i++)
		if (!strcmp(dot, exts[i]))
			return 1;
	return 0;
}
