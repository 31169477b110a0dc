/*
 * triggers: database triggers and the channels they NOTIFY, read from SQL.
 *
 * A small SQL lexer (comments, 'strings', "quoted" and `quoted`
 * identifiers, $tag$ dollar quoting$tag$, words, punctuation) feeds two
 * statement readers:
 *   CREATE [OR REPLACE] [CONSTRAINT] TRIGGER name {BEFORE|AFTER|INSTEAD OF}
 *     event [OR event ...] ON table ... EXECUTE {FUNCTION|PROCEDURE} fn(...)
 *   CREATE [OR REPLACE] FUNCTION fn(...) ... AS <body>
 * A function body is lexed again for pg_notify('channel', ...) or
 * NOTIFY channel.  Functions are collected over all files first, then
 * triggers_finish() joins them to the triggers.  SQL inside Python or
 * C-like string literals is scanned by copying the literals' contents into
 * a buffer of blanks that keeps every newline, so lines stay exact.
 * Unquoted identifiers are folded to lowercase (as PostgreSQL does).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "discover_p.h"
#include "py/tok.h"
#include "banned.h"

enum { ST_WORD, ST_QIDENT, ST_STRING, ST_DOLLAR, ST_NUM, ST_PUNCT };

struct stok {
	uint8_t kind;
	uint32_t off, len;   /* whole token */
	uint32_t coff, clen; /* content of strings and quoted identifiers */
	uint32_t line;
};

struct stoks {
	struct stok *v;
	size_t n, cap;
	const char *s;
};

static int push(struct stoks *t, const struct stok *k)
{
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 256;
		struct stok *nv = realloc(t->v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		t->v = nv;
		t->cap = nc;
	}
	t->v[t->n++] = *k;
	return 0;
}

static int is_word_start(unsigned char c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

/* Length of a dollar-quote tag "$tag$" at s[i..to), else 0. */
static size_t dollar_tag(const char *s, size_t i, size_t to)
{
	size_t j = i + 1;
	if (j < to && (isdigit((unsigned char)s[j])))
		return 0;
	while (j < to && (isalnum((unsigned char)s[j]) || s[j] == '_'))
		j++;
	return j < to && s[j] == '$' ? j + 1 - i : 0;
}

/* Skips a quoted run starting at s[i] (quote q); returns the end offset
 * (after the closing quote, or `to`). Doubled quotes escape; backslash
 * escapes when bs. Counts newlines into *line. */
static size_t skip_quoted(const char *s, size_t i, size_t to, char q, int bs, uint32_t *line)
{
	for (i++; i < to; i++) {
		if (s[i] == '\n')
			(*line)++;
		if (bs && s[i] == '\\' && i + 1 < to) {
			i++;
			continue;
		}
		if (s[i] == q) {
			if (i + 1 < to && s[i + 1] == q) {
				i++;
				continue;
			}
			return i + 1;
		}
	}
	return to;
}

/* Lexes s[from..to), first line number line. 0 or -1 on OOM. */
static int sql_lex(struct stoks *t, const char *s, size_t from, size_t to, uint32_t line)
{
	size_t i = from;
	memset(t, 0, sizeof(*t));
	t->s = s;
	while (i < to) {
		unsigned char c = (unsigned char)s[i];
		struct stok k;
		size_t e, tag;
		if (c == '\n') {
			line++;
			i++;
			continue;
		}
		if (isspace(c)) {
			i++;
			continue;
		}
		if (c == '-' && i + 1 < to && s[i + 1] == '-') {
			while (i < to && s[i] != '\n')
				i++;
			continue;
		}
		if (c == '/' && i + 1 < to && s[i + 1] == '*') {
			int depth = 1;
			for (i += 2; i < to && depth; i++) {
				if (s[i] == '\n')
					line++;
				else if (s[i] == '*' && i + 1 < to && s[i + 1] == '/')
					depth--, i++;
				else if (s[i] == '/' && i + 1 < to && s[i + 1] == '*')
					depth++, i++;
			}
			continue;
		}
		memset(&k, 0, sizeof(k));
		k.off = (uint32_t)i;
		k.line = line;
		if (c == '\'' || c == '"' || c == '`') {
			int bs = c == '\'' && i > from && (s[i - 1] == 'E' || s[i - 1] == 'e');
			e = skip_quoted(s, i, to, (char)c, bs, &line);
			k.kind = c == '\'' ? ST_STRING : ST_QIDENT;
			k.coff = (uint32_t)i + 1;
			k.clen = (uint32_t)(e > i + 1 && s[e - 1] == (char)c ? e - i - 2 : e - i - 1);
		} else if (c == '$' && (tag = dollar_tag(s, i, to)) != 0) {
			size_t j = i + tag;
			k.kind = ST_DOLLAR;
			k.coff = (uint32_t)j;
			for (e = to; j + tag <= to; j++) {
				if (s[j] == '$' && memcmp(s + j, s + i, tag) == 0) {
					e = j + tag;
					break;
				}
			}
			k.clen = (uint32_t)((e == to ? to : e - tag) - k.coff);
			for (j = i; j < e; j++)
				line += s[j] == '\n';
		} else if (is_word_start(c)) {
			for (e = i + 1; e < to && (is_word_start((unsigned char)s[e]) ||
						   isdigit((unsigned char)s[e]) || s[e] == '$'); e++)
				;
			k.kind = ST_WORD;
		} else if (isdigit(c)) {
			for (e = i + 1; e < to && (isalnum((unsigned char)s[e]) || s[e] == '.'); e++)
				;
			k.kind = ST_NUM;
		} else {
			e = i + 1;
			k.kind = ST_PUNCT;
		}
		k.len = (uint32_t)(e - i);
		if (push(t, &k) < 0) {
			free(t->v);
			return -1;
		}
		i = e;
	}
	return 0;
}

static int kw(const struct stoks *t, size_t i, const char *w)
{
	return i < t->n && t->v[i].kind == ST_WORD && t->v[i].len == strlen(w) &&
	       strncasecmp(t->s + t->v[i].off, w, t->v[i].len) == 0;
}

static int punct(const struct stoks *t, size_t i, char c)
{
	return i < t->n && t->v[i].kind == ST_PUNCT && t->s[t->v[i].off] == c;
}

/* Identifier at i into buf (unquoted: lowercase). 0, or -1 when not one. */
static int ident(const struct stoks *t, size_t i, char *buf, size_t bufsz)
{
	const struct stok *k;
	size_t n = 0, j;
	if (i >= t->n)
		return -1;
	k = &t->v[i];
	if (k->kind == ST_WORD) {
		for (j = 0; j < k->len && n + 1 < bufsz; j++)
			buf[n++] = (char)tolower((unsigned char)t->s[k->off + j]);
	} else if (k->kind == ST_QIDENT) {
		for (j = 0; j < k->clen && n + 1 < bufsz; j++) {
			char c = t->s[k->coff + j];
			if ((c == '"' || c == '`') && j + 1 < k->clen && t->s[k->coff + j + 1] == c)
				j++;
			buf[n++] = c;
		}
	} else {
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

/* Qualified name at *i: last part into name, the one before into schema
 * ("" when none).  Advances *i.  0 or -1. */
static int qname(const struct stoks *t, size_t *i, char *name, size_t namesz, char *schema, size_t schemasz)
{
	schema[0] = '\0';
	if (ident(t, *i, name, namesz) < 0)
		return -1;
	(*i)++;
	while (punct(t, *i, '.') && ident(t, *i + 1, schema, schemasz) == 0) {
		char tmp[128];
		snprintf(tmp, sizeof(tmp), "%s", name);
		ident(t, *i + 1, name, namesz);
		snprintf(schema, schemasz, "%s", tmp);
		*i += 2;
	}
	return 0;
}

/* Index of the ';' ending the statement that contains i (or t->n). */
static size_t stmt_end(const struct stoks *t, size_t i)
{
	int depth = 0;
	for (; i < t->n; i++) {
		if (punct(t, i, '('))
			depth++;
		else if (punct(t, i, ')') && depth > 0)
			depth--;
		else if (punct(t, i, ';') && depth == 0)
			return i;
	}
	return t->n;
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static void location(char *buf, size_t n, const char *path, uint32_t line)
{
	snprintf(buf, n, "%s:%u", path, (unsigned)line);
}

/* Reads the trigger whose TRIGGER keyword is at i; c is the CREATE token. */
static void read_trigger(struct trig_db *db, const struct stoks *t, size_t c, size_t i, const char *path)
{
	char name[128], schema[128], table[128], tschema[128], fn[128], fschema[128];
	char event[128] = "", timing[16], loc[1200];
	size_t end;
	json_t *o, *cols = NULL;
	i++;
	if (kw(t, i, "IF") && kw(t, i + 1, "NOT") && kw(t, i + 2, "EXISTS"))
		i += 3;
	if (qname(t, &i, name, sizeof(name), schema, sizeof(schema)) < 0)
		return;
	if (kw(t, i, "INSTEAD") && kw(t, i + 1, "OF")) {
		snprintf(timing, sizeof(timing), "INSTEAD OF");
		i += 2;
	} else if (kw(t, i, "BEFORE") || kw(t, i, "AFTER")) {
		snprintf(timing, sizeof(timing), "%s", kw(t, i, "BEFORE") ? "BEFORE" : "AFTER");
		i++;
	} else {
		return;
	}
	for (;;) {
		static const char *const evs[] = { "INSERT", "UPDATE", "DELETE", "TRUNCATE", NULL };
		size_t k;
		for (k = 0; evs[k] && !kw(t, i, evs[k]); k++)
			;
		if (!evs[k]) {
			json_decref(cols);
			return;
		}
		if (*event)
			strncat(event, " OR ", sizeof(event) - strlen(event) - 1);
		strncat(event, evs[k], sizeof(event) - strlen(event) - 1);
		i++;
		if (kw(t, i, "OF")) { /* UPDATE OF col, col: the trigger fires only when one of them is set */
			if (!cols)
				cols = json_array();
			for (i++; i < t->n && (t->v[i].kind == ST_WORD || t->v[i].kind == ST_QIDENT || punct(t, i, ',')) &&
				  !kw(t, i, "ON") && !kw(t, i, "OR"); i++) {
				char col[128];
				if (!punct(t, i, ',') && ident(t, i, col, sizeof(col)) == 0 && cols)
					json_array_append_new(cols, json_string(col));
			}
		}
		if (!kw(t, i, "OR"))
			break;
		i++;
	}
	if (!kw(t, i, "ON") || (i++, qname(t, &i, table, sizeof(table), tschema, sizeof(tschema)) < 0)) {
		json_decref(cols);
		return;
	}
	fn[0] = fschema[0] = '\0';
	for (end = stmt_end(t, i); i < end; i++) {
		if (kw(t, i, "EXECUTE") && (kw(t, i + 1, "FUNCTION") || kw(t, i + 1, "PROCEDURE"))) {
			i += 2;
			qname(t, &i, fn, sizeof(fn), fschema, sizeof(fschema));
			break;
		}
	}
	location(loc, sizeof(loc), path, t->v[c].line);
	o = json_object();
	if (!o) {
		json_decref(cols);
		return;
	}
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "table", json_string(table));
	json_object_set_new(o, "schema", str_or_null(tschema));
	json_object_set_new(o, "timing", json_string(timing));
	json_object_set_new(o, "event", json_string(event));
	json_object_set_new(o, "columns", cols ? cols : json_null());
	json_object_set_new(o, "function", str_or_null(fn));
	json_object_set_new(o, "notify", json_null());
	json_object_set_new(o, "channel", json_null());
	json_object_set_new(o, "location", json_string(loc));
	json_array_append_new(db->triggers, o);
}

/* Looks for pg_notify('ch', ...) or NOTIFY ch in a function body. */
static void body_notify(const char *s, const struct stok *body, int *notify, char *channel, size_t chsz)
{
	struct stoks b;
	size_t i;
	*notify = 0;
	channel[0] = '\0';
	if (sql_lex(&b, s, body->coff, (size_t)body->coff + body->clen, body->line) < 0)
		return;
	for (i = 0; i < b.n && !*notify; i++) {
		if (kw(&b, i, "pg_notify") && punct(&b, i + 1, '(')) {
			*notify = 1;
			if (i + 2 < b.n && b.v[i + 2].kind == ST_STRING) {
				size_t j, n = 0;
				for (j = 0; j < b.v[i + 2].clen && n + 1 < chsz; j++) {
					char c = s[b.v[i + 2].coff + j];
					if (c == '\'' && j + 1 < b.v[i + 2].clen)
						j++;
					channel[n++] = c;
				}
				channel[n] = '\0';
			}
		} else if (kw(&b, i, "NOTIFY") && !(i > 0 && punct(&b, i - 1, '.')) &&
			   ident(&b, i + 1, channel, chsz) == 0) {
			*notify = 1;
		}
	}
	free(b.v);
}

/* Reads the function whose FUNCTION keyword is at i; c is CREATE. */
static void read_function(struct trig_db *db, const struct stoks *t, size_t c, size_t i, const char *path)
{
	char name[128], schema[128], channel[128], loc[1200];
	size_t end;
	int notify;
	json_t *o;
	i++;
	if (qname(t, &i, name, sizeof(name), schema, sizeof(schema)) < 0)
		return;
	for (end = stmt_end(t, i); i < end; i++) {
		if (kw(t, i, "AS") && i + 1 < end &&
		    (t->v[i + 1].kind == ST_DOLLAR || t->v[i + 1].kind == ST_STRING))
			break;
	}
	if (i >= end)
		return;
	body_notify(t->s, &t->v[i + 1], &notify, channel, sizeof(channel));
	location(loc, sizeof(loc), path, t->v[c].line);
	o = json_object();
	if (!o)
		return;
	json_object_set_new(o, "notify", json_boolean(notify));
	json_object_set_new(o, "channel", str_or_null(channel));
	json_object_set_new(o, "location", json_string(loc));
	json_object_set_new(db->functions, name, o); /* a later definition replaces */
}

int triggers_scan_sql(struct trig_db *db, const char *path, const char *text, size_t len)
{
	struct stoks t;
	size_t i;
	if (sql_lex(&t, text, 0, len, 1) < 0)
		return -1;
	for (i = 0; i < t.n; i++) {
		size_t j = i + 1;
		if (!kw(&t, i, "CREATE"))
			continue;
		if (kw(&t, j, "OR") && kw(&t, j + 1, "REPLACE"))
			j += 2;
		while (kw(&t, j, "CONSTRAINT") || kw(&t, j, "TEMP") || kw(&t, j, "TEMPORARY") ||
		       kw(&t, j, "DEFINER") || punct(&t, j, '=') || punct(&t, j, '@') ||
		       (j > i + 1 && (t.v[j].kind == ST_QIDENT || t.v[j].kind == ST_STRING) &&
			(punct(&t, j - 1, '=') || punct(&t, j - 1, '@'))))
			j++;
		if (kw(&t, j, "TRIGGER"))
			read_trigger(db, &t, i, j, path);
		else if (kw(&t, j, "FUNCTION") || kw(&t, j, "PROCEDURE"))
			read_function(db, &t, i, j, path);
	}
	free(t.v);
	return 0;
}

/* ---- SQL inside string literals */

/* Copies the literal s[b..e) into buf at the same offsets; escapes that
 * would break SQL words (\n, \t, \r) become blanks. */
static void copy_literal(char *buf, const char *s, size_t b, size_t e, int raw)
{
	size_t i;
	for (i = b; i < e; i++) {
		if (!raw && s[i] == '\\' && i + 1 < e) {
			char d = s[i + 1];
			buf[i] = ' ';
			buf[i + 1] = d == '\n' ? '\n' : (d == 'n' || d == 't' || d == 'r') ? ' ' : d;
			i++;
			continue;
		}
		buf[i] = s[i];
	}
}

/* A buffer of text's length: blanks, and every newline kept. */
static char *blank_copy(const char *text, size_t len)
{
	char *buf = malloc(len + 1);
	size_t i;
	if (!buf)
		return NULL;
	for (i = 0; i < len; i++)
		buf[i] = text[i] == '\n' ? '\n' : ' ';
	buf[len] = '\0';
	return buf;
}

int triggers_scan_python(struct trig_db *db, const char *path, const char *text, size_t len)
{
	struct py_toks t;
	char *buf;
	size_t i;
	int rc;
	if (py_tokenize(&t, text, len) < 0)
		return -1;
	buf = blank_copy(text, len);
	if (!buf) {
		py_toks_free(&t);
		return -1;
	}
	for (i = 0; i < t.n; i++) {
		const struct py_tok *k = &t.v[i];
		size_t p = 0, b, e;
		int raw = 0, q = 1;
		if (k->kind != PT_STRING || (k->flags & PTF_UNTERMINATED))
			continue;
		while (p < k->len && strchr("rRbBuUfFtT", text[k->off + p])) {
			raw |= text[k->off + p] == 'r' || text[k->off + p] == 'R';
			p++;
		}
		if (k->flags & PTF_TRIPLE)
			q = 3;
		b = k->off + p + (size_t)q;
		e = (size_t)k->off + k->len - (size_t)q;
		if (e < b)
			continue;
		copy_literal(buf, text, b, e, raw);
		if (!(i + 1 < t.n && t.v[i + 1].kind == PT_STRING))
			buf[e] = ';'; /* the closing quote ends a statement */
	}
	py_toks_free(&t);
	rc = triggers_scan_sql(db, path, buf, len);
	free(buf);
	return rc;
}

int triggers_scan_clike(struct trig_db *db, const char *path, const char *text, size_t len)
{
	char *buf = blank_copy(text, len);
	size_t i = 0;
	int rc;
	if (!buf)
		return -1;
	while (i < len) {
		char c = text[i];
		if (c == '/' && i + 1 < len && text[i + 1] == '/') {
			while (i < len && text[i] != '\n')
				i++;
		} else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
			for (i += 2; i + 1 < len && !(text[i] == '*' && text[i + 1] == '/'); i++)
				;
			i += 2;
		} else if (c == '\'' || c == '"' || c == '`') {
			size_t b = i + 1, e = b, k;
			while (e < len && text[e] != c && (c == '`' || text[e] != '\n'))
				e += text[e] == '\\' && e + 1 < len ? 2 : 1;
			if (e > len)
				e = len;
			copy_literal(buf, text, b, e, 0);
			for (k = e + 1; k < len && isspace((unsigned char)text[k]); k++)
				;
			if (e < len && !(k < len && text[k] == '+'))
				buf[e] = ';';
			i = e + 1;
		} else {
			i++;
		}
	}
	rc = triggers_scan_sql(db, path, buf, len);
	free(buf);
	return rc;
}

/* ---- the database of triggers and functions */

int trig_db_init(struct trig_db *db)
{
	db->triggers = json_array();
	db->functions = json_object();
	if (!db->triggers || !db->functions) {
		trig_db_free(db);
		return -1;
	}
	return 0;
}

void trig_db_free(struct trig_db *db)
{
	json_decref(db->triggers);
	json_decref(db->functions);
	db->triggers = db->functions = NULL;
}

json_t *triggers_finish(struct trig_db *db)
{
	size_t i;
	json_t *tr;
	json_array_foreach(db->triggers, i, tr) {
		const char *fn = json_string_value(json_object_get(tr, "function"));
		json_t *f = fn ? json_object_get(db->functions, fn) : NULL;
		if (f) {
			json_object_set(tr, "notify", json_object_get(f, "notify"));
			json_object_set(tr, "channel", json_object_get(f, "channel"));
		} else if (!fn) { /* inline body (MySQL, SQLite): no NOTIFY there */
			json_object_set_new(tr, "notify", json_false());
		}
	}
	return json_incref(db->triggers);
}
