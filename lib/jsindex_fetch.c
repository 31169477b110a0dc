/*
 * jsindex_fetch: the fetches by key of the project index (see jsindex.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsindex_p.h"
#include "js/js.h"
#include "pyfacts.h"

/* ---- fetches */

/* The end (exclusive) of the value starting at token b inside an object
 * literal or argument list: the next ',' or closer at b's depth. */
uint32_t jsix_value_end(const struct py_toks *t, uint32_t b, uint32_t lim)
{
	uint16_t d = t->v[b].depth;
	uint32_t i;
	for (i = b; i < lim; i++) {
		if (t->v[i].depth == d && (py_tok_is(t, i, ",") || py_tok_is(t, i, "}") || py_tok_is(t, i, ")") ||
					   py_tok_is(t, i, "]")))
			return i;
		if (t->v[i].depth < d)
			return i;
	}
	return lim;
}

/* Finds "id: expr" or shorthand "id" as a key of the object literal whose
 * '{' is at token ob; the value's tokens into kb, ke. */
static int id_in_object(const struct py_toks *t, uint32_t ob, uint32_t lim, uint32_t *kb, uint32_t *ke)
{
	uint16_t d;
	uint32_t i;
	if (!py_tok_is(t, ob, "{"))
		return 0;
	d = t->v[ob].depth;
	for (i = ob + 1; i < lim && !(t->v[i].depth == d && py_tok_is(t, i, "}")); i++) {
		if (t->v[i].depth != d + 1u || !jsix_tok_name_is(t, i, "id", 2) ||
		    !(py_tok_is(t, i - 1, "{") || py_tok_is(t, i - 1, ",")))
			continue;
		if (py_tok_is(t, i + 1, ":") && i + 2 < lim) {
			if (py_tok_is(t, i + 2, "{"))
				return 0; /* id: { in: ids } and other filters */
			*kb = i + 2;
			*ke = jsix_value_end(t, i + 2, lim);
			return *ke > *kb;
		}
		if (py_tok_is(t, i + 1, ",") || py_tok_is(t, i + 1, "}")) {
			*kb = i;
			*ke = i + 1;
			return 1;
		}
	}
	return 0;
}

/* The object literal after key `key:` at depth d+1 of the object at ob. */
static uint32_t key_object(const struct py_toks *t, uint32_t ob, uint32_t lim, const char *key)
{
	uint16_t d;
	uint32_t i;
	size_t kn = strlen(key);
	if (!py_tok_is(t, ob, "{"))
		return 0;
	d = t->v[ob].depth;
	for (i = ob + 1; i + 2 < lim && !(t->v[i].depth == d && py_tok_is(t, i, "}")); i++)
		if (t->v[i].depth == d + 1u && jsix_tok_name_is(t, i, key, kn) && py_tok_is(t, i + 1, ":") &&
		    py_tok_is(t, i + 2, "{"))
			return i + 2;
	return 0;
}

/* The keys of the object literal at ob (include: { a: true, b: {...} }) into *set. */
static int object_keys(const struct py_toks *t, uint32_t ob, uint32_t lim, char **set)
{
	uint16_t d = t->v[ob].depth;
	uint32_t i;
	for (i = ob + 1; i < lim && !(t->v[i].depth == d && py_tok_is(t, i, "}")); i++)
		if (t->v[i].depth == d + 1u && t->v[i].kind == PT_NAME &&
		    (py_tok_is(t, i - 1, "{") || py_tok_is(t, i - 1, ",")) &&
		    jsix_set_add(set, py_tok_text(t, i), t->v[i].len) < 0)
			return -1;
	return 0;
}

/* SQL: the $n of "id = $n" in a WHERE clause (any alias), 0 when none;
 * a second condition on another column is allowed. */
static int sql_id_param(const char *s, size_t n)
{
	size_t i;
	const char *w = NULL;
	for (i = 0; i + 5 < n; i++)
		if (!strncasecmp(s + i, "where", 5) && (i == 0 || !jsix_is_ident(s[i - 1])) && !jsix_is_ident(s[i + 5])) {
			w = s + i;
			break;
		}
	if (!w)
		return 0;
	for (i = (size_t)(w - s); i + 2 < n; i++) {
		size_t j;
		if (strncmp(s + i, "id", 2) || jsix_is_ident(s[i + 2]) || (i > 0 && jsix_is_ident(s[i - 1])))
			continue;
		j = i + 2;
		while (j < n && s[j] == ' ')
			j++;
		if (j >= n || s[j] != '=')
			continue;
		for (j++; j < n && s[j] == ' '; j++)
			;
		if (j + 1 < n && s[j] == '$' && isdigit((unsigned char)s[j + 1]))
			return atoi(s + j + 1);
	}
	return 0;
}

/* SQL: " table.col " for every column of the select list, aliases mapped. */
static int sql_selcols(const char *s, size_t n, const char *main_table, char **out)
{
	const char *sel = NULL, *from = NULL;
	size_t i;
	struct { char a[48], tb[64]; } al[8];
	int nal = 0, k;
	for (i = 0; i + 6 < n; i++) {
		if (!sel && !strncasecmp(s + i, "select", 6) && !jsix_is_ident(s[i + 6]))
			sel = s + i + 6;
		else if (sel && !from && !strncasecmp(s + i, "from", 4) && !jsix_is_ident(s[i + 4]) && jsix_is_ident(s[i - 1]) == 0)
			from = s + i;
	}
	if (!sel || !from)
		return 0;
	/* aliases: FROM t a, JOIN t a, FROM t AS a */
	for (i = (size_t)(from - s); i + 5 < n && nal < 8; i++) {
		size_t kw = 0, j, b;
		if (!strncasecmp(s + i, "from", 4) && !jsix_is_ident(s[i + 4]) && !jsix_is_ident(s[i - 1]))
			kw = 4;
		else if (!strncasecmp(s + i, "join", 4) && !jsix_is_ident(s[i + 4]) && !jsix_is_ident(s[i - 1]))
			kw = 4;
		if (!kw)
			continue;
		for (j = i + kw; j < n && isspace((unsigned char)s[j]); j++)
			;
		b = j;
		while (j < n && (jsix_is_ident(s[j]) || s[j] == '.' || s[j] == '"'))
			j++;
		if (j == b || j - b >= sizeof(al[0].tb))
			continue;
		snprintf(al[nal].tb, sizeof(al[nal].tb), "%.*s", (int)(j - b), s + b);
		while (j < n && isspace((unsigned char)s[j]))
			j++;
		if (j + 2 < n && !strncasecmp(s + j, "as", 2) && isspace((unsigned char)s[j + 2]))
			for (j += 2; j < n && isspace((unsigned char)s[j]); j++)
				;
		b = j;
		while (j < n && jsix_is_ident(s[j]))
			j++;
		if (j > b && j - b < sizeof(al[0].a) && strncasecmp(s + b, "on", 2) && strncasecmp(s + b, "where", 5) &&
		    strncasecmp(s + b, "left", 4) && strncasecmp(s + b, "inner", 5) && strncasecmp(s + b, "join", 4))
			snprintf(al[nal].a, sizeof(al[nal].a), "%.*s", (int)(j - b), s + b);
		else
			memcpy(al[nal].a, al[nal].tb, sizeof(al[nal].a) - 1), al[nal].a[sizeof(al[nal].a) - 1] = 0;
		nal++;
	}
	/* the select items */
	{
		const char *p = sel;
		while (p < from) {
			const char *e = p, *q, *dot;
			char item[60], tb[64], col[64];
			int depth = 0;
			while (e < from && !(depth == 0 && *e == ',')) {
				depth += *e == '(' ? 1 : *e == ')' ? -1 : 0;
				e++;
			}
			while (p < e && isspace((unsigned char)*p))
				p++;
			q = p;
			while (q < e && (jsix_is_ident(*q) || *q == '.' || *q == '*'))
				q++;
			if (q > p && (size_t)(q - p) < sizeof(item)) {
				snprintf(item, sizeof(item), "%.*s", (int)(q - p), p);
				dot = strchr(item, '.');
				tb[0] = 0;
				if (dot) {
					snprintf(col, sizeof(col), "%s", dot + 1);
					for (k = 0; k < nal; k++)
						if ((size_t)(dot - item) == strlen(al[k].a) &&
						    !strncmp(item, al[k].a, (size_t)(dot - item)))
							snprintf(tb, sizeof(tb), "%s", al[k].tb);
				} else {
					snprintf(col, sizeof(col), "%s", item);
					snprintf(tb, sizeof(tb), "%s", main_table);
				}
				if (tb[0] && col[0]) {
					char w[140];
					int wn = snprintf(w, sizeof(w), "%s.%s", tb, col);
					if (wn > 0 && (size_t)wn < sizeof(w) && jsix_set_add(out, w, (size_t)wn) < 0)
						return -1;
				}
			}
			p = e + 1;
		}
	}
	return 0;
}

/* The key parameter of def d for key tokens [kb, ke): a parameter name, or
 * Number(p)/parseInt(p)/String(p)/+p; -1. */
static int key_param(const struct py_outline *ol, int d, uint32_t kb, uint32_t ke)
{
	const struct py_toks *t = ol->toks;
	const struct py_block *b = &ol->blocks[d];
	uint32_t nt = kb;
	unsigned k;
	if (ke == kb + 1)
		nt = kb;
	else if (ke == kb + 2 && py_tok_is(t, kb, "+"))
		nt = kb + 1;
	else if (ke >= kb + 4 && (py_tok_is(t, kb, "Number") || py_tok_is(t, kb, "parseInt") ||
				  py_tok_is(t, kb, "String") || py_tok_is(t, kb, "BigInt")) &&
		 py_tok_is(t, kb + 1, "(") && (py_tok_is(t, kb + 3, ")") || py_tok_is(t, kb + 3, ",")))
		nt = kb + 2;
	else
		return -1;
	if (t->v[nt].kind != PT_NAME)
		return -1;
	for (k = 0; k < b->nparams; k++)
		if (b->params[k] && strlen(b->params[k]) == t->v[nt].len &&
		    !strncmp(b->params[k], py_tok_text(t, nt), t->v[nt].len))
			return (int)k;
	return -1;
}

/* The function a fetch belongs to: its def, or the def around an
 * anonymous callback passed to a call that is not an iteration
 * ($transaction(async (tx) => ...)). */
int jsix_owner_def(const struct py_outline *ol, int d)
{
	while (d >= 0) {
		const struct py_block *b = &ol->blocks[d];
		int up;
		if (b->name || b->handler || !b->arg_of || js_callback_loop(ol, d) >= 0)
			return d;
		up = py_outline_enclosing(ol, b->parent, PB_MASK(PB_DEF), 1);
		if (up < 0)
			return d;
		d = up;
	}
	return d;
}

/* Field reads of row variable v in template text. */
static void template_uses(const char *s, size_t n, const char *v, size_t vn, struct js_fetch *f)
{
	size_t i;
	for (i = 0; i + vn < n; i++) {
		size_t j;
		if (strncmp(s + i, v, vn) || (i > 0 && (jsix_is_ident(s[i - 1]) || s[i - 1] == '.')) || jsix_is_ident(s[i + vn]))
			continue;
		j = i + vn;
		if (s[j] == '[' && s[j + 1] == '0' && s[j + 2] == ']')
			j += 3;
		if (s[j] == '?' && j + 1 < n && s[j + 1] == '.')
			j++;
		if (s[j] != '.') {
			f->escapes = 1;
			continue;
		}
		i = ++j;
		while (j < n && jsix_is_ident(s[j]))
			j++;
		if (j > i) {
			char *a = NULL;
			char w[64];
			snprintf(w, sizeof(w), "%.*s", (int)(j - i < 63 ? j - i : 63), s + i);
			if (!jsix_set_has(f->attrs, w, strlen(w)) && strlen(f->attrs) + strlen(w) + 3 < sizeof(f->attrs)) {
				(void)a;
				if (!f->attrs[0])
					strcat(f->attrs, " ");
				strcat(f->attrs, w);
				strcat(f->attrs, " ");
				if (strcmp(w, "id"))
					f->nattrs++;
			}
		}
	}
}

static void add_attr(struct js_fetch *f, const char *s, size_t n)
{
	if (n == 0 || n > 60 || jsix_set_has(f->attrs, s, n) || strlen(f->attrs) + n + 3 >= sizeof(f->attrs))
		return;
	if (!f->attrs[0])
		strcat(f->attrs, " ");
	strncat(f->attrs, s, n);
	strcat(f->attrs, " ");
	if (!(n == 2 && !strncmp(s, "id", 2)))
		f->nattrs++;
}

int jsix_assign_op(const struct py_toks *t, uint32_t i)
{
	static const char *const ops[] = { "=", "+=", "-=", "*=", "/=", "?\?=", "||=", "&&=", "++", "--", NULL };
	size_t k;
	for (k = 0; ops[k]; k++)
		if (py_tok_is(t, i, ops[k]))
			return 1;
	return 0;
}

/* How the row in variable v is used in tokens [from, end). */
static void row_uses(const struct py_toks *t, uint32_t from, uint32_t end, const char *v, int rows,
		     struct js_fetch *f)
{
	size_t vn = strlen(v);
	uint32_t i;
	for (i = from; i < end && i < t->n; i++) {
		uint32_t j;
		if (t->v[i].kind == PT_STRING && (t->v[i].flags & PTF_TEMPLATE)) {
			template_uses(py_tok_text(t, i), t->v[i].len, v, vn, f);
			continue;
		}
		if (!jsix_tok_name_is(t, i, v, vn) || py_tok_is(t, i - 1, ".") || py_tok_is(t, i - 1, "?."))
			continue;
		j = i + 1;
		if (rows) {
			if (py_tok_is(t, j, "[") && t->v[j + 1].kind == PT_NUMBER && py_tok_is(t, j + 2, "]"))
				j += 3;
			else if (py_tok_is(t, j, ".") && py_tok_is(t, j + 1, "length"))
				continue;
			else {
				f->escapes = 1;
				continue;
			}
		}
		if (py_tok_is(t, j, "!"))
			j++;
		if ((py_tok_is(t, j, ".") || py_tok_is(t, j, "?.")) && j + 1 < end && t->v[j + 1].kind == PT_NAME) {
			add_attr(f, py_tok_text(t, j + 1), t->v[j + 1].len);
			if (jsix_assign_op(t, j + 2))
				f->mutated = 1;
			else if (py_tok_is(t, j + 2, "("))
				f->escapes = 1;
			continue;
		}
		/* a presence test: !x, if (x), x === null, x && ... */
		if (py_tok_is(t, i - 1, "!") ||
		    ((py_tok_is(t, i - 1, "(") || py_tok_is(t, i - 1, "&&") || py_tok_is(t, i - 1, "||")) &&
		     (py_tok_is(t, j, ")") || py_tok_is(t, j, "&&") || py_tok_is(t, j, "||") || py_tok_is(t, j, "?") ||
		      py_tok_is(t, j, "===") || py_tok_is(t, j, "!==") || py_tok_is(t, j, "==") ||
		      py_tok_is(t, j, "!="))))
			continue;
		if (py_tok_is(t, i - 1, "return"))
			f->returned = 1;
		f->escapes = 1;
	}
}

/* 1 when name token i reads as an id (id, orderId, user_id, ID, Number(...)),
 * not an options object passed by name. */
static int id_like(const struct py_toks *t, uint32_t i)
{
	const char *p = py_tok_text(t, i);
	size_t n = t->v[i].len;
	if (py_tok_is(t, i, "Number") || py_tok_is(t, i, "parseInt") || py_tok_is(t, i, "String"))
		return 1;
	return n >= 2 && (!strncmp(p + n - 2, "id", 2) || !strncmp(p + n - 2, "Id", 2) || !strncmp(p + n - 2, "ID", 2));
}

/* The key of read q (outermost call ci) when it loads one row by id: the
 * id expression's tokens into kb, ke; 0 otherwise. */
static int fetch_key(const struct py_outline *ol, int ci, const struct jsdb_q *q, uint32_t *kb, uint32_t *ke)
{
	const struct py_toks *t = ol->toks;
	const struct py_call *c = &ol->calls[ci];
	const struct py_call *op = &ol->calls[q->op_call >= 0 ? q->op_call : ci];
	const char *m = q->method ? q->method : "";
	uint32_t ob, i;
	*kb = *ke = 0;
	if (q->api == JSDB_PRISMA) {
		if (q->fluent || (strcmp(m, "findUnique") && strcmp(m, "findUniqueOrThrow") && strcmp(m, "findFirst") &&
				  strcmp(m, "findFirstOrThrow")))
			return 0;
		ob = key_object(t, op->lparen + 1, op->rparen, "where");
		return ob && id_in_object(t, ob, op->rparen, kb, ke);
	}
	if (q->api == JSDB_TYPEORM) {
		if (!strcmp(m, "findOne") || !strcmp(m, "findOneOrFail")) {
			if (q->arg_begin < q->arg_end && !py_tok_is(t, q->arg_begin, "{") &&
			    t->v[q->arg_begin].kind == PT_NAME && id_like(t, q->arg_begin)) {
				/* TypeORM 0.2: findOne(id), manager.findOne(Entity, id) */
				*kb = q->arg_begin;
				*ke = jsix_value_end(t, *kb, q->arg_end);
				return 1;
			}
			ob = key_object(t, q->arg_begin, q->arg_end, "where");
			return ob && id_in_object(t, ob, q->arg_end, kb, ke);
		}
		if (!strcmp(m, "findOneBy") || !strcmp(m, "findOneByOrFail"))
			return id_in_object(t, q->arg_begin, q->arg_end, kb, ke);
		return 0;
	}
	if (q->api == JSDB_PG) {
		uint32_t s = op->lparen + 1, arr, k;
		int idx = 0, sqlp;
		if (t->v[s].kind != PT_STRING || !(sqlp = sql_id_param(py_tok_text(t, s), t->v[s].len)))
			return 0;
		/* the $n-th element of the parameter array */
		arr = jsix_value_end(t, s, op->rparen);
		if (!py_tok_is(t, arr, ",") || !py_tok_is(t, arr + 1, "["))
			return 0;
		for (k = arr + 2; k < op->rparen && !py_tok_is(t, k, "]"); idx++) {
			uint32_t e = jsix_value_end(t, k, op->rparen);
			if (idx == sqlp - 1) {
				*kb = k;
				*ke = e;
				return e > k;
			}
			if (!py_tok_is(t, e, ","))
				break;
			k = e + 1;
		}
		return 0;
	}
	if (q->api == JSDB_KNEX && !strcmp(c->name, "first")) {
		for (i = c->name_begin; i + 3 < c->rparen && !*ke; i++)
			if (py_tok_is(t, i, "where") && py_tok_is(t, i + 1, "(")) {
				if (py_tok_is(t, i + 2, "{"))
					id_in_object(t, i + 2, c->rparen, kb, ke);
				else if (t->v[i + 2].kind == PT_STRING && t->v[i + 2].len == 4 &&
					 !strncmp(py_tok_text(t, i + 2) + 1, "id", 2) && py_tok_is(t, i + 3, ",")) {
					*kb = i + 4;
					*ke = jsix_value_end(t, *kb, c->rparen);
				}
			}
		return *ke > *kb;
	}
	return 0;
}

/* The selected columns, included relations and select keys of the query into f. */
static int fetch_shape(const struct py_outline *ol, int ci, const struct jsdb_q *q, struct js_fetch *f)
{
	const struct py_toks *t = ol->toks;
	const struct py_call *op = &ol->calls[q->op_call >= 0 ? q->op_call : ci];
	uint32_t ob;
	if (q->api == JSDB_PG) {
		uint32_t s = op->lparen + 1;
		if (sql_selcols(py_tok_text(t, s), t->v[s].len, q->model, &f->selcols) < 0)
			return -1;
	}
	if (q->eager) {
		ob = key_object(t, op->lparen + 1, op->rparen, "include");
		if (!ob)
			ob = key_object(t, q->arg_begin, q->arg_end, "relations");
		if (ob && object_keys(t, ob, op->rparen, &f->include) < 0)
			return -1;
	}
	if (q->select && q->api != JSDB_PG) {
		ob = key_object(t, op->lparen + 1, op->rparen, "select");
		if (!ob)
			ob = key_object(t, q->arg_begin, q->arg_end, "select");
		if (ob && object_keys(t, ob, op->rparen, &f->sel) < 0)
			return -1;
		if (!f->sel && jsix_set_add(&f->sel, "id", 2) < 0)
			return -1;
	}
	return 0;
}

/* The source of lines l1..l2, indentation and line ends trimmed (malloc'd). */
static char *snippet_of(const struct srcfile *sf, unsigned l1, unsigned l2)
{
	const char *b, *e;
	if (!sf || l1 < 1 || l2 > sf->nlines || l2 < l1)
		return jsix_dupn("", 0);
	b = sf->text + sf->line_off[l1 - 1];
	e = l2 < sf->nlines ? sf->text + sf->line_off[l2] : sf->text + sf->len;
	while (b < e && (*b == ' ' || *b == '\t'))
		b++;
	while (e > b && (e[-1] == '\n' || e[-1] == '\r'))
		e--;
	return jsix_dupn(b, (size_t)(e - b) > 600 ? 600 : (size_t)(e - b));
}

/* The variable the row lands in: const x = await q; const [x] = ...; for
 * node-postgres const { rows } = ..., { rows: x }, { rows: [x] } (*rows set
 * while x holds the result array).  A return of the query marks it returned. */
static int fetch_target(const struct py_outline *ol, const struct py_call *c, const struct jsdb_q *q,
			struct js_fetch *f, int *rows)
{
	const struct py_toks *t = ol->toks;
	struct py_assign a;
	uint32_t k, tb;
	*rows = q->api == JSDB_PG;
	if (c->stmt < 0)
		return 0;
	if (!js_stmt_assign(ol, c->stmt, &a) || a.value_begin > c->name_begin || !py_tok_is(t, a.op, "=")) {
		if (py_tok_is(t, ol->stmts[c->stmt].tok_begin, "return"))
			f->returned = f->escapes = 1;
		return 0;
	}
	for (k = a.value_begin; k < c->name_begin; k++)
		if (!py_tok_is(t, k, "await") && !py_tok_is(t, k, "("))
			return 0;
	tb = a.target_begin;
	if (a.target_end == tb + 1 && t->v[tb].kind == PT_NAME) {
		f->var = jsix_dupn(py_tok_text(t, tb), t->v[tb].len);
		if (q->api == JSDB_KNEX)
			*rows = 0;
	} else if (py_tok_is(t, tb, "[") && t->v[tb + 1].kind == PT_NAME && py_tok_is(t, tb + 2, "]")) {
		f->var = jsix_dupn(py_tok_text(t, tb + 1), t->v[tb + 1].len);
		*rows = 0;
	} else if (*rows && py_tok_is(t, tb, "{") && py_tok_is(t, tb + 1, "rows")) {
		if (py_tok_is(t, tb + 2, "}")) {
			f->var = jsix_dupn("rows", 4);
		} else if (py_tok_is(t, tb + 2, ":") && t->v[tb + 3].kind == PT_NAME) {
			f->var = jsix_dupn(py_tok_text(t, tb + 3), t->v[tb + 3].len);
		} else if (py_tok_is(t, tb + 2, ":") && py_tok_is(t, tb + 3, "[") && t->v[tb + 4].kind == PT_NAME) {
			f->var = jsix_dupn(py_tok_text(t, tb + 4), t->v[tb + 4].len);
			*rows = 0;
		} else
			return 0;
	} else
		return 0;
	return f->var ? 0 : -1;
}

/* How the row is used after the query in def d: const row = rows[0] first
 * moves it into its own variable. */
static int fetch_uses(const struct py_outline *ol, const struct py_call *c, int d, int rows, struct js_fetch *f)
{
	const struct py_toks *t = ol->toks;
	uint32_t from = ol->stmts[c->stmt].tok_end, end = ol->blocks[d].body_end;
	size_t s;
	for (s = (size_t)c->stmt + 1; rows && s < ol->nstmts && ol->stmts[s].tok_begin < end; s++) {
		struct py_assign a2;
		uint32_t vb;
		char *nv;
		if (!js_stmt_assign(ol, (int)s, &a2) || a2.target_end != a2.target_begin + 1)
			continue;
		vb = a2.value_begin;
		if (!(a2.value_end == vb + 4 && jsix_tok_name_is(t, vb, f->var, strlen(f->var)) &&
		      py_tok_is(t, vb + 1, "[") && t->v[vb + 2].kind == PT_NUMBER && t->v[vb + 2].len == 1 &&
		      py_tok_text(t, vb + 2)[0] == '0' && py_tok_is(t, vb + 3, "]")))
			continue;
		nv = jsix_dupn(py_tok_text(t, a2.target_begin), t->v[a2.target_begin].len);
		if (!nv)
			return -1;
		row_uses(t, from, ol->stmts[s].tok_begin, f->var, 1, f);
		free(f->var);
		f->var = nv;
		from = ol->stmts[s].tok_end;
		rows = 0;
	}
	row_uses(t, from, end, f->var, rows, f);
	return 0;
}

/* The record of def d among this file's function records [fn0, nfns) (in def order), -1. */
static int fn_record(const struct js_index *ix, size_t fn0, int d)
{
	size_t lo = fn0, hi = ix->nfns;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ix->fns[mid].def < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->nfns && ix->fns[lo].def == d ? (int)lo : -1;
}

int jsix_add_pending(struct js_index *ix, const char *path, const struct js_srcfacts *sx, int ci,
		     const struct srcfile *sf, size_t fn0)
{
	const struct py_outline *ol = sx->ol;
	const struct py_toks *t = ol->toks;
	const struct py_call *c = &ol->calls[ci];
	struct js_pending pd;
	struct jsdb_q q;
	uint32_t i = c->lparen + 1;
	unsigned n = 0;
	int d, rows, p = -1;
	if (c->func < 0 || c->stmt < 0 || c->rparen <= c->lparen + 1 || js_call_is_new(c))
		return 0;
	d = jsix_owner_def(ol, c->func);
	/* an argument that is a parameter of the function (the key it was given) */
	while (i < c->rparen && p < 0) {
		uint32_t e = jsix_value_end(t, i, c->rparen);
		p = key_param(ol, d, i, e);
		if (p >= 0 || !py_tok_is(t, e, ","))
			break;
		i = e + 1;
		n++;
	}
	if (p < 0)
		return 0;
	memset(&pd, 0, sizeof(pd));
	if (!jsix_call_spec(NULL, path, sx, ci, &pd.sp) || (pd.f.fn = fn_record(ix, fn0, d)) < 0)
		return 0;
	memset(&q, 0, sizeof(q));
	q.op_call = -1;
	if (fetch_target(ol, c, &q, &pd.f, &rows) < 0)
		return -1;
	if (!pd.f.var && !pd.f.returned)
		return 0;
	pd.arg = n;
	pd.f.key_param = p;
	pd.f.line = c->line;
	pd.f.end_line = t->v[c->rparen].line;
	pd.f.tok = c->name_begin;
	pd.f.keytext = py_outline_text(ol, i, jsix_value_end(t, i, c->rparen));
	pd.f.snippet = snippet_of(sf, pd.f.line, pd.f.end_line);
	if (!pd.f.keytext || !pd.f.snippet || (pd.f.var && fetch_uses(ol, c, d, 0, &pd.f) < 0) ||
	    jsix_grow((void **)&ix->pend, &ix->cappend, ix->npend, sizeof(pd)) < 0) {
		free(pd.f.keytext);
		free(pd.f.snippet);
		free(pd.f.var);
		return -1;
	}
	ix->pend[ix->npend++] = pd;
	return 0;
}

int jsix_add_fetch(struct js_index *ix, const struct py_outline *ol, int ci, const struct jsdb_q *q,
		   const struct srcfile *sf, size_t fn0)
{
	const struct py_toks *t = ol->toks;
	const struct py_call *c = &ol->calls[ci];
	uint32_t kb, ke;
	int rows = 0, d;
	struct js_fetch f;
	if (c->func < 0 || q->bulk || !fetch_key(ol, ci, q, &kb, &ke))
		return 0;
	memset(&f, 0, sizeof(f));
	/* the function record of its def: this file's records are [fn0, nfns) in def order */
	d = jsix_owner_def(ol, c->func);
	if ((f.fn = fn_record(ix, fn0, d)) < 0)
		return 0;
	f.line = c->line;
	f.end_line = c->end_line > c->line ? c->end_line : t->v[c->rparen].line;
	f.tok = c->name_begin;
	f.api = q->api;
	f.eager = q->eager;
	snprintf(f.model, sizeof(f.model), "%s", q->model);
	f.key_param = key_param(ol, d, kb, ke);
	f.keytext = py_outline_text(ol, kb, ke);
	f.snippet = snippet_of(sf, f.line, f.end_line);
	if (!f.keytext || !f.snippet || fetch_shape(ol, ci, q, &f) < 0 || fetch_target(ol, c, q, &f, &rows) < 0 ||
	    (f.var && fetch_uses(ol, c, d, rows, &f) < 0) ||
	    jsix_grow((void **)&ix->fetches, &ix->capfetches, ix->nfetches, sizeof(f)) < 0) {
		free(f.keytext);
		free(f.snippet);
		free(f.var);
		free(f.selcols);
		free(f.include);
		free(f.sel);
		return -1;
	}
	ix->fetches[ix->nfetches++] = f;
	return 0;
}
