/*
 * discover_toml: just enough TOML for pyproject.toml and Pipfile.
 *
 * Table headers ([a.b], [[a]], quoted parts), key = value with bare,
 * quoted and dotted keys, basic and literal strings (single and triple
 * quoted), arrays over several lines with comments, inline tables, and
 * bare scalars (numbers, dates, booleans) kept as text.  Values are handed
 * to the callback as JSON.  No validation beyond what parsing needs.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "discover_p.h"
#include "banned.h"

#define TOML_MAX_NEST 32

struct tp {
	const char *s;
	size_t len, pos;
};

static int at(const struct tp *p, const char *lit)
{
	size_t n = strlen(lit);
	return p->pos + n <= p->len && memcmp(p->s + p->pos, lit, n) == 0;
}

static void skip_blank(struct tp *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
		p->pos++;
}

/* Skips blanks, newlines and comments (inside arrays). */
static void skip_ws_nl(struct tp *p)
{
	for (;;) {
		while (p->pos < p->len && isspace((unsigned char)p->s[p->pos]))
			p->pos++;
		if (p->pos < p->len && p->s[p->pos] == '#') {
			while (p->pos < p->len && p->s[p->pos] != '\n')
				p->pos++;
			continue;
		}
		return;
	}
}

static void skip_line(struct tp *p)
{
	while (p->pos < p->len && p->s[p->pos] != '\n')
		p->pos++;
	if (p->pos < p->len)
		p->pos++;
}

/* Appends byte c to a growing buffer. -1 on OOM. */
static int put(char **buf, size_t *n, size_t *cap, char c)
{
	if (*n + 1 >= *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		char *nb = realloc(*buf, nc);
		if (!nb)
			return -1;
		*buf = nb;
		*cap = nc;
	}
	(*buf)[(*n)++] = c;
	(*buf)[*n] = '\0';
	return 0;
}

/* Parses a string at p->pos (quote char there). New json string or NULL. */
static json_t *parse_string(struct tp *p)
{
	char q = p->s[p->pos], *buf = NULL;
	size_t n = 0, cap = 0;
	int triple = 0, ok = 0;
	json_t *v;
	if (at(p, q == '"' ? "\"\"\"" : "'''")) {
		triple = 1;
		p->pos += 3;
		if (p->pos < p->len && p->s[p->pos] == '\n')
			p->pos++;
	} else {
		p->pos++;
	}
	while (p->pos < p->len) {
		char c = p->s[p->pos];
		if (c == q && (!triple || at(p, q == '"' ? "\"\"\"" : "'''"))) {
			p->pos += triple ? 3 : 1;
			ok = 1;
			break;
		}
		if (c == '\n' && !triple)
			break;
		if (c == '\\' && q == '"' && p->pos + 1 < p->len) {
			char e = p->s[++p->pos];
			c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
		}
		if (put(&buf, &n, &cap, c) < 0)
			break;
		p->pos++;
	}
	v = ok ? json_string(buf ? buf : "") : NULL;
	free(buf);
	return v;
}

static json_t *parse_value(struct tp *p, int nest);

static json_t *parse_array(struct tp *p, int nest)
{
	json_t *a = json_array();
	p->pos++;
	while (a) {
		json_t *v;
		skip_ws_nl(p);
		if (p->pos >= p->len)
			break;
		if (p->s[p->pos] == ']') {
			p->pos++;
			return a;
		}
		v = parse_value(p, nest + 1);
		if (!v)
			break;
		json_array_append_new(a, v);
		skip_ws_nl(p);
		if (p->pos < p->len && p->s[p->pos] == ',')
			p->pos++;
	}
	json_decref(a);
	return NULL;
}

/* Reads a key (bare, quoted, dotted) into a malloc'd string. */
static char *parse_key(struct tp *p)
{
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		skip_blank(p);
		if (p->pos < p->len && (p->s[p->pos] == '"' || p->s[p->pos] == '\'')) {
			json_t *s = parse_string(p);
			const char *t = json_string_value(s);
			for (; t && *t; t++)
				if (put(&buf, &n, &cap, *t) < 0)
					break;
			json_decref(s);
			if (!t)
				break;
		} else {
			size_t b = p->pos;
			while (p->pos < p->len && (isalnum((unsigned char)p->s[p->pos]) ||
						   p->s[p->pos] == '_' || p->s[p->pos] == '-'))
				if (put(&buf, &n, &cap, p->s[p->pos++]) < 0)
					break;
			if (p->pos == b)
				break;
		}
		skip_blank(p);
		if (p->pos < p->len && p->s[p->pos] == '.') {
			p->pos++;
			if (put(&buf, &n, &cap, '.') < 0)
				break;
			continue;
		}
		return buf ? buf : calloc(1, 1);
	}
	free(buf);
	return NULL;
}

static json_t *parse_inline_table(struct tp *p, int nest)
{
	json_t *o = json_object();
	p->pos++;
	while (o) {
		char *k;
		json_t *v;
		skip_ws_nl(p);
		if (p->pos < p->len && p->s[p->pos] == '}') {
			p->pos++;
			return o;
		}
		k = parse_key(p);
		skip_blank(p);
		if (!k || !*k || p->pos >= p->len || p->s[p->pos] != '=') {
			free(k);
			break;
		}
		p->pos++;
		skip_blank(p);
		v = parse_value(p, nest + 1);
		if (!v) {
			free(k);
			break;
		}
		json_object_set_new(o, k, v);
		free(k);
		skip_ws_nl(p);
		if (p->pos < p->len && p->s[p->pos] == ',')
			p->pos++;
	}
	json_decref(o);
	return NULL;
}

static json_t *parse_value(struct tp *p, int nest)
{
	size_t b;
	char *t;
	json_t *v;
	if (nest > TOML_MAX_NEST || p->pos >= p->len)
		return NULL;
	switch (p->s[p->pos]) {
	case '"':
	case '\'':
		return parse_string(p);
	case '[':
		return parse_array(p, nest);
	case '{':
		return parse_inline_table(p, nest);
	default:
		break;
	}
	b = p->pos;
	while (p->pos < p->len && !strchr(",]}#\r\n \t", p->s[p->pos]))
		p->pos++;
	while (p->pos > b && isspace((unsigned char)p->s[p->pos - 1]))
		p->pos--;
	if (p->pos == b)
		return NULL;
	if (p->pos - b == 4 && !memcmp(p->s + b, "true", 4))
		return json_true();
	if (p->pos - b == 5 && !memcmp(p->s + b, "false", 5))
		return json_false();
	t = strndup(p->s + b, p->pos - b);
	v = t ? json_string(t) : NULL;
	free(t);
	return v;
}

/* Reads a table header at p->pos ('['); the name goes to table. 0 or -1. */
static int parse_header(struct tp *p, char *table, size_t tablesz)
{
	char *k;
	p->pos += at(p, "[[") ? 2 : 1;
	k = parse_key(p);
	if (!k || p->pos >= p->len || p->s[p->pos] != ']') {
		free(k);
		return -1;
	}
	strncpy(table, k, tablesz - 1);
	table[tablesz - 1] = '\0';
	free(k);
	skip_line(p);
	return 0;
}

int toml_walk(const char *text, size_t len, toml_cb cb, void *arg)
{
	struct tp p = { text, len, 0 };
	char table[256] = "";
	while (p.pos < p.len) {
		char *k;
		json_t *v;
		skip_ws_nl(&p);
		if (p.pos >= p.len)
			break;
		if (p.s[p.pos] == '[') {
			if (parse_header(&p, table, sizeof(table)) < 0)
				return -1;
			continue;
		}
		k = parse_key(&p);
		skip_blank(&p);
		if (!k || !*k || p.pos >= p.len || p.s[p.pos] != '=') {
			free(k);
			return -1;
		}
		p.pos++;
		skip_blank(&p);
		v = parse_value(&p, 0);
		if (!v) {
			free(k);
			return -1;
		}
		cb(arg, table, k, v);
		json_decref(v);
		free(k);
		skip_blank(&p);
		if (p.pos < p.len && p.s[p.pos] != '#' && p.s[p.pos] != '\n' && p.s[p.pos] != '\r') {
			return -1;
		}
		skip_line(&p);
	}
	return 0;
}
