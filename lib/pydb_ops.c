/*
 * pydb_ops: SQL statements and database operations (network and file
 * calls, loops and wording are in pydb_io.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pydb.h"
#include "pydb_p.h"

#define MAX_LOOKBACK 400

/* ---- arguments */

/* Token range [*b,*e) of argument idx of call c (keyword arguments
 * included, "name=" skipped).  0 when there is no such argument. */
static int call_arg(const struct py_outline *ol, const struct py_call *c, int idx, uint32_t *b, uint32_t *e)
{
	const struct py_toks *t = ol->toks;
	uint32_t k, start;
	int n = 0;
	uint16_t d;
	if (c->is_ref || c->rparen <= c->lparen + 1)
		return 0;
	d = (uint16_t)(t->v[c->lparen].depth + 1);
	start = c->lparen + 1;
	for (k = start; k <= c->rparen; k++) {
		if (k == c->rparen || (py_tok_is(t, k, ",") && t->v[k].depth == d)) {
			if (n == idx) {
				if (start + 1 < k && t->v[start].kind == PT_NAME && py_tok_is(t, start + 1, "="))
					start += 2;
				*b = start;
				*e = k;
				return k > start;
			}
			n++;
			start = k + 1;
		}
	}
	return 0;
}

int pydb_call_arg(const struct py_outline *ol, const struct py_call *c, int idx, uint32_t *b, uint32_t *e)
{
	return call_arg(ol, c, idx, b, e);
}

/* Number of arguments of call c. */
static int call_nargs(const struct py_outline *ol, const struct py_call *c)
{
	uint32_t b, e;
	int n = 0;
	while (n < 64 && call_arg(ol, c, n, &b, &e))
		n++;
	return n;
}

/* ---- SQL */

enum py_sql py_sql_of_string(const char *s, size_t len)
{
	static const struct { const char *w; enum py_sql k; } verbs[] = {
		{ "SELECT", SQL_SELECT }, { "INSERT", SQL_INSERT }, { "REPLACE", SQL_INSERT },
		{ "UPDATE", SQL_UPDATE }, { "DELETE", SQL_DELETE }, { "MERGE", SQL_UPDATE },
		{ "VALUES", SQL_SELECT }, { "TABLE", SQL_SELECT }, { NULL, SQL_NONE }
	};
	size_t i = 0, w;
	int k;
	while (i < len && isalpha((unsigned char)s[i]))
		i++;
	while (i < len && (s[i] == '"' || s[i] == '\''))
		i++;
	for (;;) {
		while (i < len && (isspace((unsigned char)s[i]) || s[i] == '('))
			i++;
		if (i + 1 < len && s[i] == '-' && s[i + 1] == '-') {
			while (i < len && s[i] != '\n')
				i++;
			continue;
		}
		if (i + 1 < len && s[i] == '/' && s[i + 1] == '*') {
			for (i += 2; i + 1 < len && !(s[i] == '*' && s[i + 1] == '/'); i++)
				;
			i += 2;
			continue;
		}
		break;
	}
	for (w = i; w < len && isalpha((unsigned char)s[w]); w++)
		;
	if (w == i)
		return SQL_NONE;
	if (w - i == 4 && !strncasecmp(s + i, "WITH", 4)) {
		/* a CTE: its main verb is the last one that is not a SELECT */
		enum py_sql kind = SQL_SELECT;
		size_t j;
		for (j = w; j + 6 <= len; j++) {
			if (j > 0 && (isalnum((unsigned char)s[j - 1]) || s[j - 1] == '_'))
				continue;
			if (!strncasecmp(s + j, "UPDATE", 6) && !isalnum((unsigned char)s[j + 6]))
				kind = SQL_UPDATE;
			else if (!strncasecmp(s + j, "DELETE", 6) && !isalnum((unsigned char)s[j + 6]))
				kind = SQL_DELETE;
			else if (!strncasecmp(s + j, "INSERT", 6) && !isalnum((unsigned char)s[j + 6]))
				kind = SQL_INSERT;
		}
		return kind;
	}
	for (k = 0; verbs[k].w; k++)
		if (strlen(verbs[k].w) == w - i && !strncasecmp(s + i, verbs[k].w, w - i))
			return verbs[k].k;
	return SQL_OTHER;
}

int py_last_assign(const struct py_outline *ol, int f, const char *name, uint32_t tok, uint32_t *vb,
		       uint32_t *ve)
{
	int s = py_outline_stmt_of_tok(ol, tok), n = 0;
	size_t nl = strlen(name);
	for (s = s - 1; s >= 0 && n < MAX_LOOKBACK; s--, n++) {
		const struct py_stmt *st = &ol->stmts[s];
		struct py_assign a;
		if (ol->blocks[st->block].func != f) {
			if (f >= 0 && st->tok_begin < ol->blocks[f].hdr_begin)
				break;
			continue;
		}
		if (!py_stmt_assign(ol, s, &a) || !py_tok_is(ol->toks, a.op, "="))
			continue;
		if (a.target_end == a.target_begin + 1 && ol->toks->v[a.target_begin].len == nl &&
		    !strncmp(py_tok_text(ol->toks, a.target_begin), name, nl)) {
			*vb = a.value_begin;
			*ve = a.value_end;
			return 1;
		}
	}
	return 0;
}

static enum py_sql sql_of_range(const struct py_binds *b, int f, uint32_t begin, uint32_t end, int depth)
{
	const struct py_toks *t = b->ol->toks;
	char chain[256], q[320], first[128];
	const char *last;
	size_t o = 0, fl = 0;
	uint32_t k = begin;
	while (k < end && (py_tok_is(t, k, "await") || py_tok_is(t, k, "(")))
		k++;
	if (k >= end)
		return SQL_NONE;
	if (t->v[k].kind == PT_STRING)
		return py_sql_of_string(py_tok_text(t, k), t->v[k].len);
	if (t->v[k].kind != PT_NAME)
		return SQL_NONE;
	fl = t->v[k].len < sizeof(first) ? t->v[k].len : sizeof(first) - 1;
	memcpy(first, py_tok_text(t, k), fl);
	first[fl] = '\0';
	while (k < end && (t->v[k].kind == PT_NAME || py_tok_is(t, k, ".")) && o + t->v[k].len + 1 < sizeof(chain)) {
		memcpy(chain + o, py_tok_text(t, k), t->v[k].len);
		o += t->v[k].len;
		k++;
	}
	chain[o] = '\0';
	py_binds_qualify(b, chain, q, sizeof(q));
	last = pydb_last(q);
	if (k < end && py_tok_is(t, k, "(")) {
		if (!strcmp(last, "text") || !strcmp(last, "literal_sql")) {
			uint32_t s = k + 1;
			while (s < end && py_tok_is(t, s, "("))
				s++;
			return s < end && t->v[s].kind == PT_STRING ? py_sql_of_string(py_tok_text(t, s), t->v[s].len)
								    : SQL_OTHER;
		}
		if (!strcmp(last, "select") || !strcmp(last, "union") || !strcmp(last, "union_all") ||
		    !strcmp(last, "exists") || !strcmp(last, "intersect") || !strcmp(last, "except_"))
			return SQL_SELECT;
		if (!strcmp(last, "insert"))
			return SQL_INSERT;
		if (!strcmp(last, "update"))
			return SQL_UPDATE;
		if (!strcmp(last, "delete"))
			return SQL_DELETE;
	}
	if (depth < 3 && !strchr(first, '.')) {
		uint32_t vb, ve;
		int f2 = f;
		if (py_last_assign(b->ol, f2, first, begin, &vb, &ve))
			return sql_of_range(b, f, vb, ve, depth + 1);
	}
	return SQL_NONE;
}

enum py_sql py_sql_of_expr(const struct py_binds *b, int blk, uint32_t begin, uint32_t end)
{
	int f = blk >= 0 && (size_t)blk < b->ol->nblocks ? b->ol->blocks[blk].func : -1;
	return sql_of_range(b, f, begin, end, 0);
}

/* ---- operations */

/* 1 when name n (length l) reads as a collection of rows: one of its
 * underscore-separated words is batch, chunk, rows, records... */
static int rows_word(const char *n, size_t l)
{
	static const char *const words[] = { "batch", "batches", "chunk", "chunks", "rows", "records",
					     "mappings", "entries", "values", "items", "page", "updates",
					     "inserts", NULL };
	size_t i = 0;
	while (i < l) {
		size_t w = i, k;
		while (w < l && n[w] != '_')
			w++;
		for (k = 0; words[k]; k++)
			if (strlen(words[k]) == w - i && !strncmp(n + i, words[k], w - i))
				return 1;
		i = w + 1;
	}
	return 0;
}

/* 1 when tokens [ab,ae) of def f are a list of rows: a list display or
 * comprehension, list(...), a slice rows[i:j], or a name assigned one of
 * these (or named like batch, chunk, rows) -- not a dict or a tuple,
 * which are one row's parameters. */
static int rows_expr(const struct py_outline *ol, int f, uint32_t ab, uint32_t ae, int depth)
{
	const struct py_toks *t = ol->toks;
	uint32_t vb, ve;
	char name[128];
	if (ab >= ae)
		return 0;
	if (py_tok_is(t, ab, "["))
		return 1;
	if (py_tok_is(t, ab, "list") && ab + 1 < ae && py_tok_is(t, ab + 1, "("))
		return 1;
	if (t->v[ab].kind != PT_NAME)
		return 0;
	if (ae > ab + 2 && py_tok_is(t, ab + 1, "[") && py_tok_close(t, ab + 1, ae) == ae - 1) {
		uint32_t k;
		for (k = ab + 2; k < ae - 1; k++)
			if (py_tok_is(t, k, ":") && t->v[k].depth == t->v[ab + 1].depth + 1)
				return 1; /* rows[i : i + n] */
		return 0;
	}
	if (ae != ab + 1 || t->v[ab].len >= sizeof(name))
		return 0;
	snprintf(name, sizeof(name), "%.*s", (int)t->v[ab].len, py_tok_text(t, ab));
	if (depth < 3 && py_last_assign(ol, f, name, ab, &vb, &ve)) {
		if (py_tok_is(t, vb, "{") || py_tok_is(t, vb, "dict") || py_tok_is(t, vb, "("))
			return 0;
		if (rows_expr(ol, f, vb, ve, depth + 1))
			return 1;
	}
	return rows_word(name, t->v[ab].len);
}

/* 1 when the parameters of execute(stmt, params), its second argument,
 * are a list of rows: an executemany. */
static int is_list_arg(const struct py_outline *ol, const struct py_call *c, int idx)
{
	uint32_t ab, ae;
	if (!call_arg(ol, c, idx, &ab, &ae))
		return 0;
	return rows_expr(ol, c->func, ab, ae, 0);
}

/* 1 when the statement in tokens [begin,end) of def f, or the statement a
 * name there was assigned, inserts many rows: .values(rows) with a single
 * argument that is a list of rows (insert(T).values(chunk)), not keywords
 * or one dict. */
static int multi_values(const struct py_outline *ol, int f, uint32_t begin, uint32_t end, int depth)
{
	const struct py_toks *t = ol->toks;
	uint32_t k, vb, ve;
	char name[128];
	for (k = begin; k + 2 < end; k++) {
		uint32_t close;
		if (!py_tok_is(t, k, "values") || !py_tok_is(t, k + 1, "(") || (k > begin && !py_tok_is(t, k - 1, ".")))
			continue;
		close = py_tok_close(t, k + 1, end);
		if (close >= end || close == k + 2)
			continue;
		if (t->v[k + 2].kind == PT_NAME && py_tok_is(t, k + 3, "="))
			continue; /* values(name=...) */
		if (py_tok_is(t, k + 2, "[") || rows_expr(ol, f, k + 2, close, 0))
			return 1;
		{
			uint32_t j;
			int comma = 0;
			for (j = k + 2; j < close; j++)
				if (py_tok_is(t, j, ",") && t->v[j].depth == t->v[k + 1].depth + 1)
					comma = 1;
			if (!comma && t->v[k + 2].kind == PT_NAME && py_tok_is_chain(t, k + 2, close)) {
				/* values(x): a dict of one row or a list of rows;
				 * a dict is a display or a dict() call */
				if (close == k + 3 && t->v[k + 2].len < sizeof(name)) {
					snprintf(name, sizeof(name), "%.*s", (int)t->v[k + 2].len, py_tok_text(t, k + 2));
					if (py_last_assign(ol, f, name, k + 2, &vb, &ve) &&
					    (py_tok_is(t, vb, "{") || py_tok_is(t, vb, "dict")))
						continue;
				}
				return 1;
			}
		}
	}
	if (depth < 3 && begin < end && t->v[begin].kind == PT_NAME && t->v[begin].len < sizeof(name)) {
		uint32_t s = begin;
		while (s < end && py_tok_is(t, s, "await"))
			s++;
		snprintf(name, sizeof(name), "%.*s", (int)t->v[s].len, py_tok_text(t, s));
		if (py_last_assign(ol, f, name, s, &vb, &ve))
			return multi_values(ol, f, vb, ve, depth + 1);
	}
	return 0;
}

/* 1 when the call's chain continues with ".name(" after its ')'. */
static int chain_continues(const struct py_outline *ol, const struct py_call *c)
{
	const struct py_toks *t = ol->toks;
	uint32_t r = c->rparen;
	return !c->is_ref && r + 3 < t->n && py_tok_is(t, r + 1, ".") && t->v[r + 2].kind == PT_NAME &&
	       py_tok_is(t, r + 3, "(");
}

static enum py_dbop exec_op(const struct py_binds *b, const struct py_call *c, const char *m)
{
	static const char *const readers[] = { "scalars", "scalar", "fetch", "fetchrow", "fetchval",
					       "fetch_all", "fetch_one", "fetch_val", "iterate", "stream",
					       "stream_scalars", "exec_driver_sql", NULL };
	uint32_t ab, ae;
	enum py_sql k = SQL_NONE;
	if (call_arg(b->ol, c, 0, &ab, &ae))
		k = py_sql_of_expr(b, c->block, ab, ae);
	switch (k) {
	case SQL_SELECT:
		return DBOP_READ;
	case SQL_INSERT:
	case SQL_UPDATE:
	case SQL_DELETE:
		if (is_list_arg(b->ol, c, 1) || (k == SQL_INSERT && multi_values(b->ol, c->func, ab, ae, 0)))
			return DBOP_BULK;
		return k == SQL_INSERT ? DBOP_INSERT : k == SQL_UPDATE ? DBOP_UPDATE : DBOP_DELETE;
	case SQL_OTHER:
		return DBOP_OTHER;
	default:
		return pydb_in_list(m, readers) ? DBOP_READ : DBOP_EXEC;
	}
}

/* 1 when s[0..l) contains word, case-insensitively. */
static int contains_ci(const char *s, size_t l, const char *word)
{
	size_t wl = strlen(word), i;
	for (i = 0; i + wl <= l; i++)
		if (!strncasecmp(s + i, word, wl))
			return 1;
	return 0;
}

/* 1 when the first argument is a string or a name that looks like a URL
 * or path (an HTTP client's delete(url), not Session.delete(obj)). */
static int url_like_arg(const struct py_outline *ol, const struct py_call *c)
{
	const struct py_toks *t = ol->toks;
	uint32_t ab, ae, k;
	if (!call_arg(ol, c, 0, &ab, &ae))
		return 0;
	if (t->v[ab].kind == PT_STRING)
		return 1;
	for (k = ab; k < ae; k++) {
		const char *x = py_tok_text(t, k);
		size_t l = t->v[k].len;
		if (t->v[k].kind == PT_NAME && (contains_ci(x, l, "url") || contains_ci(x, l, "uri") ||
						contains_ci(x, l, "path") || contains_ci(x, l, "endpoint")))
			return 1;
	}
	return 0;
}

/* 1 when the first argument names an entity class (User, models.User):
 * Session.get(User, id), unlike an HTTP or dict get(url, ...). */
static int entity_arg(const struct py_outline *ol, const struct py_call *c)
{
	const struct py_toks *t = ol->toks;
	uint32_t ab, ae, k;
	if (!call_arg(ol, c, 0, &ab, &ae) || !py_tok_is_chain(t, ab, ae))
		return 0;
	k = ae - 1;
	return isupper((unsigned char)py_tok_text(t, k)[0]) != 0;
}

static enum py_dbop session_op(const struct py_binds *b, const struct py_call *c, const char *m)
{
	static const char *const execs[] = { "execute", "exec", "exec_driver_sql", "scalars", "scalar",
					     "fetch", "fetchrow", "fetchval", "fetch_all", "fetch_one",
					     "fetch_val", "iterate", "stream", "stream_scalars", NULL };
	static const char *const bulks[] = { "add_all", "executemany", "execute_many", "bulk_save_objects",
					     "bulk_insert_mappings", "bulk_update_mappings",
					     "copy_records_to_table", "copy_from", "copy_expert", "copy_to_table",
					     NULL };
	static const char *const others[] = { "close", "expunge", "expunge_all", "expire", "expire_all",
					      "remove", "refresh", "invalidate", "close_all", NULL };
	if (pydb_in_list(m, execs))
		return exec_op(b, c, m);
	if (pydb_in_list(m, bulks))
		return DBOP_BULK;
	if (!strcmp(m, "get") || !strcmp(m, "get_one"))
		return call_nargs(b->ol, c) >= 2 && entity_arg(b->ol, c) ? DBOP_READ : DBOP_NONE;
	if (!strcmp(m, "get_or_404") || !strcmp(m, "first_or_404") || !strcmp(m, "one_or_404"))
		return DBOP_READ;
	if (!strcmp(m, "add"))
		return DBOP_ADD;
	if (!strcmp(m, "delete"))
		return call_nargs(b->ol, c) == 1 && !url_like_arg(b->ol, c) ? DBOP_DELETE : DBOP_NONE;
	if (!strcmp(m, "merge"))
		return DBOP_MERGE;
	if (!strcmp(m, "flush"))
		return DBOP_FLUSH;
	if (!strcmp(m, "commit"))
		return DBOP_COMMIT;
	if (!strcmp(m, "rollback"))
		return DBOP_ROLLBACK;
	if (!strcmp(m, "begin") || !strcmp(m, "begin_nested"))
		return DBOP_BEGIN;
	if (pydb_in_list(m, others))
		return DBOP_OTHER;
	return DBOP_NONE;
}

static int has_prefix(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strncmp(s, *list, strlen(*list)))
			return 1;
	return 0;
}

/* 1 for a repository method that works on many rows at once by its name
 * (insert_batch, get_ancestors_batch, create_many, bulk_upsert). */
static int repo_bulk_name(const char *m)
{
	static const char *const words[] = { "batch", "batched", "batches", "many", "bulk", NULL };
	const char *p = m;
	if (!strcmp(m, "add_all") || !strcmp(m, "save_all"))
		return 1;
	while (*p) {
		size_t n = strcspn(p, "_"), i;
		for (i = 0; words[i]; i++)
			if (strlen(words[i]) == n && !strncmp(p, words[i], n))
				return 1;
		p += n;
		while (*p == '_')
			p++;
	}
	return 0;
}

static enum py_dbop repo_op(const char *m)
{
	static const char *const reads[] = { "get", "find", "fetch", "load", "list", "search", "count",
					     "exists", "by_", "all", "one", "first", "lookup", "read",
					     "select", "query", "filter", NULL };
	static const char *const dels[] = { "delete", "remove", "purge", "destroy", NULL };
	static const char *const upds[] = { "update", "save", "mark_", "set_", "upsert", "touch",
					    "archive", "increment", "decrement", NULL };
	static const char *const ins[] = { "add", "create", "insert", "put", "store", "append", NULL };
	if (m[0] == '_')
		return DBOP_NONE;
	if (repo_bulk_name(m))
		return DBOP_BULK;
	if (has_prefix(m, dels))
		return DBOP_DELETE;
	if (has_prefix(m, upds))
		return DBOP_UPDATE;
	if (has_prefix(m, ins))
		return DBOP_INSERT;
	if (has_prefix(m, reads))
		return DBOP_READ;
	return DBOP_NONE;
}

/* The op of the last link of a Django Model.objects chain ending in c. */
static enum py_dbop django_chain_op(const struct py_outline *ol, const struct py_call *c)
{
	if (chain_continues(ol, c) || !strcmp(c->name, "none") || !strcmp(c->name, "using"))
		return DBOP_NONE;
	if (!strcmp(c->name, "create"))
		return DBOP_INSERT;
	if (!strcmp(c->name, "bulk_create") || !strcmp(c->name, "bulk_update"))
		return DBOP_BULK;
	if (!strcmp(c->name, "update"))
		return DBOP_UPDATE;
	if (!strcmp(c->name, "delete"))
		return DBOP_DELETE;
	return DBOP_READ;
}

/* The op of the last link of a query chain ending in call c. */
static enum py_dbop query_chain_op(const struct py_outline *ol, const struct py_call *c)
{
	static const char *const builders[] = { "subquery", "cte", "as_scalar", "scalar_subquery",
						"exists", "label", "union", "union_all", "statement",
						"correlate", "alias", NULL };
	if (chain_continues(ol, c))
		return DBOP_NONE;
	if (!strcmp(c->name, "update"))
		return DBOP_UPDATE;
	if (!strcmp(c->name, "delete"))
		return DBOP_DELETE;
	if (pydb_in_list(c->name, builders))
		return DBOP_NONE;
	return DBOP_READ;
}

static int chain_root(const struct py_outline *ol, size_t ci)
{
	size_t k = ci;
	while (k-- > 0) {
		if (ol->calls[k].name_begin == ol->calls[ci].name_begin && !ol->calls[k].is_ref &&
		    !strchr(ol->calls[k].callee, '('))
			return (int)k;
		if (ol->calls[k].lparen < ol->calls[ci].name_begin)
			break;
	}
	return (int)ci;
}

/* 1 when the first positional argument of c is a session: a data-access
 * object's method such as crud.user.get(db, id=...). */
static int session_first_arg(const struct py_binds *b, const struct py_call *c)
{
	const struct py_toks *t = b->ol->toks;
	const struct py_bind *bd;
	uint32_t ab, ae;
	char name[128];
	size_t o = 0, k;
	if (!call_arg(b->ol, c, 0, &ab, &ae) || !py_tok_is_chain(t, ab, ae) ||
	    (ab > c->lparen + 1 && py_tok_is(t, ab - 1, "=")))
		return 0;
	for (k = ab; k < ae && o + t->v[k].len + 1 < sizeof(name); k++) {
		memcpy(name + o, py_tok_text(t, k), t->v[k].len);
		o += t->v[k].len;
	}
	name[o] = '\0';
	bd = py_binds_find(b, c->block, name, c->name_begin);
	if (bd)
		return bd->kind == PBK_SESSION;
	return !strcmp(name, "db") || !strcmp(name, "session") || !strcmp(name, "db_session") ||
	       !strcmp(name, "dbsession") || !strcmp(name, "self.session") || !strcmp(name, "self.db");
}

/* 1 when recv names a data-access module or object whose methods take
 * the session first: crud, crud.user, user_crud, crud_user, queries,
 * *_queries, dal.  Services (*_service), self and other objects that take
 * a session are not queries themselves. */
static int data_access_recv(const char *recv)
{
	const char *p = recv;
	while (*p) {
		size_t n = strcspn(p, ".");
		if ((n == 4 && !strncmp(p, "crud", 4)) || (n > 5 && !strncmp(p, "crud_", 5)) ||
		    (n > 5 && !strncmp(p + n - 5, "_crud", 5)) || (n == 7 && !strncmp(p, "queries", 7)) ||
		    (n > 8 && !strncmp(p + n - 8, "_queries", 8)) || (n == 3 && !strncmp(p, "dal", 3)))
			return 1;
		p += n;
		if (*p == '.')
			p++;
	}
	return 0;
}

/* 1 for a repository method that builds a statement, a clause or loader
 * options instead of running a query (get_base_statement, get_meter_clause,
 * get_eager_options). */
static int repo_builder(const char *m)
{
	static const char *const words[] = { "statement", "stmt", "clause", "option", "expression",
					     "builder", "_query_base", NULL };
	size_t i;
	for (i = 0; words[i]; i++)
		if (strstr(m, words[i]))
			return 1;
	return 0;
}

/* 1 when c, a data-access call inside an async def, is neither awaited nor
 * handed to another call (gather, create_task, append): in an async code
 * base such a call cannot be doing I/O itself. */
static int unawaited_in_async(const struct py_outline *ol, const struct py_call *c)
{
	return !c->awaited && c->parent_call < 0 && py_call_in_async_def(ol, c);
}

enum py_dbop py_call_dbop(const struct py_binds *b, size_t ci, struct py_dbop_info *info)
{
	const struct py_outline *ol = b->ol;
	const struct py_call *c = &ol->calls[ci];
	char root[256], rrecv[256];
	const char *paren, *rmethod;
	size_t rl;
	memset(info, 0, sizeof(*info));
	info->root = (int)ci;
	if (c->is_ref || !c->callee[0] || !strchr(c->callee, '.'))
		return info->op = DBOP_NONE;
	paren = strchr(c->callee, '(');
	rl = paren ? (size_t)(paren - c->callee) : strlen(c->callee);
	if (rl >= sizeof(root))
		return info->op = DBOP_NONE;
	memcpy(root, c->callee, rl);
	root[rl] = '\0';
	rmethod = pydb_last(root);
	pydb_strip_last(root, rrecv, sizeof(rrecv));
	/* session.query(...)... and Model.query... chains */
	if ((!strcmp(rmethod, "query") && rrecv[0] && py_recv_is_session(b, c->block, rrecv, c->name_begin)) ||
	    (pydb_ends_with(rrecv, ".query") && isupper((unsigned char)rrecv[0]))) {
		info->chain_query = 1;
		info->root = paren ? chain_root(ol, ci) : (int)ci;
		snprintf(info->recv, sizeof(info->recv), "%.127s", rrecv);
		return info->op = query_chain_op(ol, c);
	}
	if (pydb_ends_with(rrecv, ".objects") && isupper((unsigned char)rrecv[0])) {
		/* Django: Model.objects.filter(...).first() */
		info->chain_query = 1;
		info->root = paren ? chain_root(ol, ci) : (int)ci;
		snprintf(info->recv, sizeof(info->recv), "%.127s", rrecv);
		return info->op = django_chain_op(ol, c);
	}
	pydb_strip_last(c->callee, info->recv, sizeof(info->recv));
	if (!paren && py_recv_is_session(b, c->block, info->recv, c->name_begin))
		return info->op = session_op(b, c, c->name);
	if (py_recv_is_repo(b, c->block, info->recv, c->name_begin) ||
	    (!paren && data_access_recv(info->recv) && session_first_arg(b, c))) {
		info->repo = 1;
		if (repo_builder(c->name) || unawaited_in_async(ol, c))
			return info->op = DBOP_NONE;
		return info->op = repo_op(c->name);
	}
	return info->op = DBOP_NONE;
}

int py_range_set_based(const struct py_toks *t, uint32_t b, uint32_t e)
{
	uint32_t k;
	for (k = b; k + 1 < e && k + 1 < t->n; k++) {
		if ((py_tok_is(t, k, "in_") || py_tok_is(t, k, "any_") || py_tok_is(t, k, "notin_") ||
		     py_tok_is(t, k, "not_in")) && py_tok_is(t, k + 1, "("))
			return 1;
		if (t->v[k].kind == PT_NAME && t->v[k].len > 4 && py_tok_is(t, k + 1, "=") &&
		    !strncmp(py_tok_text(t, k) + t->v[k].len - 4, "__in", 4))
			return 1; /* Django: filter(id__in=ids) */
	}
	return 0;
}

int py_dbop_writes(enum py_dbop op)
{
	return op == DBOP_INSERT || op == DBOP_UPDATE || op == DBOP_DELETE || op == DBOP_ADD ||
	       op == DBOP_MERGE || op == DBOP_BULK || op == DBOP_FLUSH;
}
