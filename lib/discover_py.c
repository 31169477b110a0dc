/*
 * discover_py: what the Python sources say about the stack, read from the
 * token stream (so comments and strings are never taken for code).
 *
 * Per file: imported modules, `async def`, DSN string literals
 * ("postgresql+asyncpg://..."), and the keyword arguments of engine and
 * session factory calls (create_engine, create_async_engine, sessionmaker,
 * async_sessionmaker, Session/AsyncSession with arguments).  Literal
 * values become JSON (True -> true, 5 -> 5, "x" -> "x"); any other
 * expression is kept as its source text.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover_p.h"
#include "py/tok.h"
#include "banned.h"

char *py_string_value(const char *text, size_t len)
{
	size_t i = 0, b, e, n = 0;
	int raw = 0, triple;
	char q, *out;
	while (i < len && strchr("rRbBuUfFtT", text[i])) {
		raw |= text[i] == 'r' || text[i] == 'R';
		i++;
	}
	if (i >= len || (text[i] != '"' && text[i] != '\''))
		return strndup(text, len);
	q = text[i];
	triple = i + 2 < len && text[i + 1] == q && text[i + 2] == q;
	b = i + (triple ? 3 : 1);
	e = len;
	if (triple && e >= b + 3 && text[e - 1] == q && text[e - 2] == q && text[e - 3] == q)
		e -= 3;
	else if (!triple && e > b && text[e - 1] == q)
		e -= 1;
	if (e < b)
		e = b;
	out = malloc(e - b + 1);
	if (!out)
		return NULL;
	for (i = b; i < e; i++) {
		char c = text[i];
		if (c == '\\' && !raw && i + 1 < e) {
			char d = text[++i];
			switch (d) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case '\n': continue;
			case '\\': case '\'': case '"': c = d; break;
			default: out[n++] = '\\'; c = d; break;
			}
		}
		out[n++] = c;
	}
	out[n] = '\0';
	return out;
}

char *dsn_redact(const char *url)
{
	const char *s = strstr(url, "://"), *at, *colon;
	char *out;
	size_t head;
	if (!s)
		return strdup(url);
	s += 3;
	at = strchr(s, '@');
	colon = at ? memchr(s, ':', (size_t)(at - s)) : NULL;
	if (!colon || colon + 1 == at || memchr(s, '/', (size_t)(at - s)))
		return strdup(url);
	head = (size_t)(colon + 1 - url);
	out = malloc(head + 3 + strlen(at) + 1);
	if (!out)
		return NULL;
	memcpy(out, url, head);
	memcpy(out + head, "***", 3);
	memcpy(out + head + 3, at, strlen(at) + 1);
	return out;
}

int dsn_parse(const char *s, char *db, size_t dbsz, char *driver, size_t driversz)
{
	static const struct { const char *scheme, *db; } schemes[] = {
		{ "postgresql", "postgresql" }, { "postgres", "postgresql" },
		{ "mysql", "mysql" }, { "mariadb", "mariadb" }, { "sqlite", "sqlite" },
		{ NULL, NULL }
	};
	size_t k, n;
	for (k = 0; schemes[k].scheme; k++) {
		n = strlen(schemes[k].scheme);
		if (strncmp(s, schemes[k].scheme, n) == 0 && (s[n] == '+' || s[n] == ':'))
			break;
	}
	if (!schemes[k].scheme)
		return -1;
	s += n;
	driver[0] = '\0';
	if (*s == '+') {
		size_t d = 1;
		while (isalnum((unsigned char)s[d]) || s[d] == '_')
			d++;
		if (d - 1 < driversz) {
			memcpy(driver, s + 1, d - 1);
			driver[d - 1] = '\0';
		}
		s += d;
	}
	if (strncmp(s, "://", 3) != 0)
		return -1;
	snprintf(db, dbsz, "%s", schemes[k].db);
	return 0;
}

/* ---- token helpers */

static int tok_kind(const struct py_toks *t, size_t i)
{
	return i < t->n ? t->v[i].kind : PT_END;
}

static int stmt_start(const struct py_toks *t, size_t i)
{
	int k;
	if (i == 0)
		return 1;
	k = t->v[i - 1].kind;
	return k == PT_NEWLINE || k == PT_INDENT || k == PT_DEDENT;
}

/* Source text of tokens [a, b) with whitespace runs collapsed. Caller frees. */
static char *tokens_text(const struct py_toks *t, size_t a, size_t b)
{
	const char *s;
	size_t from, to, i, n = 0;
	char *out;
	int sp = 0;
	if (a >= b)
		return strdup("");
	from = t->v[a].off;
	to = t->v[b - 1].off + t->v[b - 1].len;
	s = t->src;
	out = malloc(to - from + 1);
	if (!out)
		return NULL;
	for (i = from; i < to; i++) {
		if (isspace((unsigned char)s[i]) || (s[i] == '\\' && i + 1 < to && (s[i + 1] == '\n' || s[i + 1] == '\r'))) {
			sp = 1;
			continue;
		}
		if (sp && n)
			out[n++] = ' ';
		sp = 0;
		out[n++] = s[i];
	}
	out[n] = '\0';
	return out;
}

static json_t *number_value(const char *s, size_t len)
{
	char buf[64], *end;
	size_t i, n = 0;
	for (i = 0; i < len && n + 1 < sizeof(buf); i++)
		if (s[i] != '_')
			buf[n++] = s[i];
	buf[n] = '\0';
	if (n > 1 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X' || buf[1] == 'o' ||
				       buf[1] == 'O' || buf[1] == 'b' || buf[1] == 'B')) {
		long long v = strtoll(buf + 2, &end, buf[1] == 'x' || buf[1] == 'X' ? 16 : buf[1] == 'o' || buf[1] == 'O' ? 8 : 2);
		return *end ? NULL : json_integer(v);
	}
	if (strpbrk(buf, ".eE")) {
		double d = strtod(buf, &end);
		return *end ? NULL : json_real(d);
	}
	{
		long long v = strtoll(buf, &end, 10);
		return *end ? NULL : json_integer(v);
	}
}

/* JSON value of the expression in tokens [a, b). New reference. */
static json_t *arg_value(const struct py_toks *t, size_t a, size_t b)
{
	json_t *v = NULL;
	size_t i;
	char *txt;
	if (b == a + 1 && t->v[a].kind == PT_NAME) {
		if (py_tok_is(t, a, "True"))
			return json_true();
		if (py_tok_is(t, a, "False"))
			return json_false();
		if (py_tok_is(t, a, "None"))
			return json_null();
	}
	if (b == a + 1 && t->v[a].kind == PT_NUMBER)
		v = number_value(py_tok_text(t, a), t->v[a].len);
	if (b == a + 2 && py_tok_is(t, a, "-") && t->v[a + 1].kind == PT_NUMBER) {
		v = number_value(py_tok_text(t, a + 1), t->v[a + 1].len);
		if (json_is_integer(v))
			json_integer_set(v, -json_integer_value(v));
		else if (json_is_real(v))
			json_real_set(v, -json_real_value(v));
	}
	if (v)
		return v;
	for (i = a; i < b; i++)
		if (t->v[i].kind != PT_STRING || (t->v[i].flags & (PTF_FSTRING | PTF_BYTES)))
			break;
	if (i == b && b > a) { /* string literals, implicitly concatenated */
		char *acc = strdup("");
		for (i = a; acc && i < b; i++) {
			char *part = py_string_value(py_tok_text(t, i), t->v[i].len), *nacc;
			size_t la = strlen(acc), lp = part ? strlen(part) : 0;
			nacc = part ? malloc(la + lp + 1) : NULL;
			if (nacc) {
				memcpy(nacc, acc, la);
				memcpy(nacc + la, part, lp + 1);
			}
			free(acc);
			free(part);
			acc = nacc;
		}
		v = acc ? json_string(acc) : NULL;
		free(acc);
		return v;
	}
	txt = tokens_text(t, a, b);
	v = txt ? json_string(txt) : NULL;
	free(txt);
	return v;
}

/* ---- imports */

static void add_import(struct disc_facts *f, const char *s, size_t n)
{
	char buf[256];
	if (n == 0 || n >= sizeof(buf))
		return;
	memcpy(buf, s, n);
	buf[n] = '\0';
	json_object_set_new(f->imports, buf, json_true());
	if (memchr(buf, '.', n)) { /* and the top-level package */
		*strchr(buf, '.') = '\0';
		json_object_set_new(f->imports, buf, json_true());
	}
}

/* Reads a dotted name starting at *i into buf; advances *i. Length or 0. */
static size_t dotted(const struct py_toks *t, size_t *i, char *buf, size_t bufsz)
{
	size_t n = 0;
	for (;;) {
		size_t l;
		if (tok_kind(t, *i) != PT_NAME)
			return 0;
		l = t->v[*i].len;
		if (n + l + 2 >= bufsz)
			return 0;
		memcpy(buf + n, py_tok_text(t, *i), l);
		n += l;
		(*i)++;
		if (!py_tok_is(t, *i, ".") || tok_kind(t, *i + 1) != PT_NAME)
			break;
		buf[n++] = '.';
		(*i)++;
	}
	buf[n] = '\0';
	return n;
}

/* Parses "import a.b as c, d" or "from a.b import c, (d as e)" at i. */
static void parse_import(struct disc_facts *f, const struct py_toks *t, size_t i)
{
	char mod[200], name[200];
	size_t n;
	if (py_tok_is(t, i, "import")) {
		i++;
		while (tok_kind(t, i) == PT_NAME) {
			n = dotted(t, &i, mod, sizeof(mod));
			if (!n)
				break;
			add_import(f, mod, n);
			if (py_tok_is(t, i, "as"))
				i += 2;
			if (!py_tok_is(t, i, ","))
				break;
			i++;
		}
		return;
	}
	i++; /* from */
	if (py_tok_is(t, i, ".") || py_tok_is(t, i, "..."))
		return; /* relative import: the project's own code */
	n = dotted(t, &i, mod, sizeof(mod));
	if (!n || !py_tok_is(t, i, "import"))
		return;
	add_import(f, mod, n);
	for (i++; i < t->n && t->v[i].kind != PT_NEWLINE; i++) {
		if (t->v[i].kind != PT_NAME || py_tok_is(t, i - 1, "as") || py_tok_is(t, i, "as"))
			continue;
		if ((size_t)snprintf(name, sizeof(name), "%s.%.*s", mod, (int)t->v[i].len,
				     py_tok_text(t, i)) < sizeof(name))
			json_object_set_new(f->imports, name, json_true());
	}
}

/* ---- engine and session factory calls */

enum call_kind { CK_NONE, CK_ENGINE, CK_FACTORY };

static enum call_kind call_kind_of(const struct py_toks *t, size_t i)
{
	static const char *const engines[] = { "create_engine", "create_async_engine", NULL };
	static const char *const factories[] = { "sessionmaker", "async_sessionmaker", NULL };
	size_t k;
	if (t->v[i].kind != PT_NAME || !py_tok_is(t, i + 1, "("))
		return CK_NONE;
	if (i > 0 && (py_tok_is(t, i - 1, "def") || py_tok_is(t, i - 1, "class")))
		return CK_NONE;
	for (k = 0; engines[k]; k++)
		if (py_tok_is(t, i, engines[k]))
			return CK_ENGINE;
	for (k = 0; factories[k]; k++)
		if (py_tok_is(t, i, factories[k]))
			return CK_FACTORY;
	if ((py_tok_is(t, i, "Session") || py_tok_is(t, i, "AsyncSession")) && !py_tok_is(t, i + 2, ")")) {
		/* SQLAlchemy's (or SQLModel's) Session class, not requests.Session */
		if (i >= 2 && py_tok_is(t, i - 1, ".")) {
			static const char *const ok[] = { "orm", "asyncio", "sqlalchemy", "sqlmodel", "sa", NULL };
			for (k = 0; ok[k]; k++)
				if (py_tok_is(t, i - 2, ok[k]))
					return CK_FACTORY;
			return CK_NONE;
		}
		return CK_FACTORY;
	}
	return CK_NONE;
}

/* Assignment target of the statement starting at s, when the call at c
 * is on the right of its top-level '='.  New json string or null. */
static json_t *assign_target(const struct py_toks *t, size_t s, size_t c)
{
	size_t i, e = s;
	char *txt;
	json_t *v;
	for (i = s; i < c; i++) {
		if (t->v[i].depth == 0 && py_tok_is(t, i, "="))
			break;
	}
	if (i == c)
		return json_null();
	while (e < i && (t->v[e].kind == PT_NAME || py_tok_is(t, e, ".")))
		e++;
	if (e == s || (e < i && !py_tok_is(t, e, ":")))
		return json_null();
	txt = tokens_text(t, s, e);
	v = txt ? json_string(txt) : json_null();
	free(txt);
	return v;
}

static void set_keys_null(json_t *o, const char *const *keys)
{
	for (; *keys; keys++)
		json_object_set_new(o, *keys, json_null());
}

/*
 * Parses the arguments of the call whose '(' is at token p; keyword
 * values go into o when their key is in keys ("url"/"bind" get the first
 * positional argument).  Returns the index after ')'.
 */
static size_t parse_args(const struct py_toks *t, size_t p, json_t *o, const char *const *keys,
			 const char *first_pos, size_t *nargs)
{
	size_t i = p + 1, a = i;
	int level = 0, npos = 0;
	*nargs = 0;
	for (; i < t->n && t->v[i].kind != PT_END; i++) {
		int close = py_tok_is(t, i, ")") || py_tok_is(t, i, "]") || py_tok_is(t, i, "}");
		if (py_tok_is(t, i, "(") || py_tok_is(t, i, "[") || py_tok_is(t, i, "{"))
			level++;
		else if (close && level > 0)
			level--;
		else if (level == 0 && (close || py_tok_is(t, i, ","))) {
			if (i > a) {
				(*nargs)++;
				if (t->v[a].kind == PT_NAME && py_tok_is(t, a + 1, "=") && i > a + 2) {
					const char *const *k;
					for (k = keys; *k; k++)
						if (py_tok_is(t, a, *k))
							json_object_set_new(o, *k, arg_value(t, a + 2, i));
				} else if (!py_tok_is(t, a, "*") && !py_tok_is(t, a, "**") && npos++ == 0 &&
					   first_pos) {
					json_object_set_new(o, first_pos, arg_value(t, a, i));
				}
			}
			a = i + 1;
			if (close)
				return i + 1;
		} else if (t->v[i].kind == PT_NEWLINE) {
			break;
		}
	}
	return i;
}

static void scan_call(const struct py_toks *t, size_t stmt, size_t i, enum call_kind ck,
		      const char *path, json_t *engines, json_t *factories)
{
	static const char *const ekeys[] = { "url", "pool_size", "max_overflow", "pool_pre_ping",
					     "pool_recycle", "pool_timeout", "isolation_level",
					     "poolclass", NULL };
	static const char *const fkeys[] = { "bind", "class_", "expire_on_commit", "autoflush",
					     "autobegin", NULL };
	char loc[1200], kind[64];
	json_t *o = json_object();
	size_t nargs;
	if (!o)
		return;
	snprintf(loc, sizeof(loc), "%s:%u", path, (unsigned)t->v[i].line);
	snprintf(kind, sizeof(kind), "%.*s", (int)t->v[i].len, py_tok_text(t, i));
	json_object_set_new(o, "location", json_string(loc));
	json_object_set_new(o, "kind", json_string(kind));
	json_object_set_new(o, "name", assign_target(t, stmt, i));
	set_keys_null(o, ck == CK_ENGINE ? ekeys : fkeys);
	parse_args(t, i + 1, o, ck == CK_ENGINE ? ekeys : fkeys, ck == CK_ENGINE ? "url" : "bind", &nargs);
	if (ck == CK_ENGINE && json_is_string(json_object_get(o, "url"))) {
		char *u = dsn_redact(json_string_value(json_object_get(o, "url")));
		if (u)
			json_object_set_new(o, "url", json_string(u));
		free(u);
	}
	json_array_append_new(ck == CK_ENGINE ? engines : factories, o);
}

static void scan_dsn(struct disc_facts *f, const struct py_toks *t, size_t i)
{
	char *s;
	if (*f->dsn_db || (t->v[i].flags & PTF_BYTES) || t->v[i].len < 8)
		return;
	s = py_string_value(py_tok_text(t, i), t->v[i].len);
	if (s && strstr(s, "://"))
		dsn_parse(s, f->dsn_db, sizeof(f->dsn_db), f->dsn_driver, sizeof(f->dsn_driver));
	free(s);
}

int pysrc_scan(struct disc_facts *f, json_t *engines, json_t *factories, const char *path,
	       const char *text, size_t len)
{
	struct py_toks t;
	size_t i, stmt = 0;
	if (py_tokenize(&t, text, len) < 0)
		return -1;
	f->python_sources++;
	for (i = 0; i < t.n; i++) {
		const struct py_tok *k = &t.v[i];
		enum call_kind ck;
		if (stmt_start(&t, i) && k->kind != PT_NEWLINE && k->kind != PT_INDENT && k->kind != PT_DEDENT) {
			stmt = i;
			if (py_tok_is(&t, i, "import") || py_tok_is(&t, i, "from"))
				parse_import(f, &t, i);
		}
		if (k->kind == PT_STRING) {
			scan_dsn(f, &t, i);
			continue;
		}
		if (k->kind != PT_NAME)
			continue;
		if (py_tok_is(&t, i, "async") && py_tok_is(&t, i + 1, "def"))
			f->async_signal = 1;
		ck = call_kind_of(&t, i);
		if (ck != CK_NONE) {
			const char *cls;
			if (py_tok_is(&t, i, "create_async_engine") || py_tok_is(&t, i, "async_sessionmaker") ||
			    py_tok_is(&t, i, "AsyncSession"))
				f->async_signal = 1;
			scan_call(&t, stmt, i, ck, path, engines, factories);
			cls = ck == CK_FACTORY ? json_string_value(json_object_get(
				json_array_get(factories, json_array_size(factories) - 1), "class_")) : NULL;
			if (cls && strstr(cls, "AsyncSession")) /* sessionmaker(class_=AsyncSession) */
				f->async_signal = 1;
		}
	}
	py_toks_free(&t);
	return 0;
}

int setup_py_scan(struct disc_facts *f, const char *text, size_t len)
{
	struct py_toks t;
	size_t i;
	if (py_tokenize(&t, text, len) < 0)
		return -1;
	for (i = 0; i + 2 < t.n; i++) {
		int reqs = py_tok_is(&t, i, "install_requires"), pyreq = py_tok_is(&t, i, "python_requires");
		if ((!reqs && !pyreq) || !py_tok_is(&t, i + 1, "="))
			continue;
		if (pyreq && t.v[i + 2].kind == PT_STRING) {
			char *s = py_string_value(py_tok_text(&t, i + 2), t.v[i + 2].len);
			if (s)
				manifest_set_python(f, s);
			free(s);
		} else if (reqs && (py_tok_is(&t, i + 2, "[") || py_tok_is(&t, i + 2, "("))) {
			size_t j;
			for (j = i + 3; j < t.n && t.v[j].depth > t.v[i + 2].depth; j++) {
				if (t.v[j].kind == PT_STRING) {
					char *s = py_string_value(py_tok_text(&t, j), t.v[j].len);
					if (s)
						manifest_add_requirement(f, s, strlen(s));
					free(s);
				}
			}
		}
	}
	py_toks_free(&t);
	return 0;
}
