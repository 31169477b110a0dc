/*
 * over_fetching, TypeScript/JavaScript
 *
 * What it does: reports a list query that loads whole rows of a wide model
 * (more than ten columns) when the code reads at most three fields of
 * each row: Prisma findMany without select (include only counts as
 * without; columns from schema.prisma through the project index), TypeORM
 * find/findBy/getMany without select (the entity's @Column decorators),
 * node-postgres SELECT * (the table's columns in the migrations' CREATE
 * TABLE).  The rows must be consumed here: a .map/.forEach callback or a
 * for-of over the result reading row.field, nothing else.
 *
 * Not reported: rows returned or passed on whole (to the client, to
 * another function), detail reads (findUnique, findFirst, findOne), an
 * explicit select, narrow models, models or tables whose columns are not
 * known.
 *
 * Severity: MEDIUM above fifteen columns in a request handler, LOW
 * otherwise.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "jsdb.h"
#include "pyindex.h"
#include "srcfile.h"

#define MAXF 4

struct fields {
	char names[MAXF][48];
	int n;        /* distinct fields read, MAXF means "more than three" */
	int escaped;  /* a row or the list used otherwise */
};

static void add_field(struct fields *fs, const char *s, size_t n)
{
	int i;
	if (fs->n >= MAXF || n == 0 || n >= sizeof(fs->names[0]))
		return;
	for (i = 0; i < fs->n; i++)
		if (strlen(fs->names[i]) == n && !strncmp(fs->names[i], s, n))
			return;
	memcpy(fs->names[fs->n], s, n);
	fs->names[fs->n][n] = 0;
	fs->n++;
}

static int is_ident(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '$';
}

/* Fields of row variable [v, v+vn) read in template text s[0..n). */
static void template_fields(const char *s, size_t n, const char *v, size_t vn, struct fields *fs)
{
	size_t i;
	for (i = 0; i + vn < n; i++) {
		size_t j;
		if (strncmp(s + i, v, vn) || (i > 0 && (is_ident(s[i - 1]) || s[i - 1] == '.')) || is_ident(s[i + vn]))
			continue;
		j = i + vn;
		if (s[j] == '?' && j + 1 < n && s[j + 1] == '.')
			j++;
		if (s[j] != '.') {
			fs->escaped = 1;
			return;
		}
		j++;
		i = j;
		while (j < n && is_ident(s[j]))
			j++;
		add_field(fs, s + i, j - i);
	}
}

/* The fields of row variable v read in tokens [b, e). */
static void row_fields(const struct py_toks *t, uint32_t b, uint32_t e, const char *v, size_t vn,
		       struct fields *fs)
{
	uint32_t i;
	for (i = b; i < e && i < t->n; i++) {
		if (t->v[i].kind == PT_STRING && (t->v[i].flags & 0x40)) {
			template_fields(py_tok_text(t, i), t->v[i].len, v, vn, fs);
			continue;
		}
		if (t->v[i].kind != PT_NAME || t->v[i].len != vn || strncmp(py_tok_text(t, i), v, vn) ||
		    (i > 0 && (py_tok_is(t, i - 1, ".") || py_tok_is(t, i - 1, "?."))))
			continue;
		if (i + 2 < e && (py_tok_is(t, i + 1, ".") || py_tok_is(t, i + 1, "?.")) &&
		    t->v[i + 2].kind == PT_NAME)
			add_field(fs, py_tok_text(t, i + 2), t->v[i + 2].len);
		else
			fs->escaped = 1;
	}
}

/* The variable the rows are assigned to: const x = await q, const { rows }
 * = ..., const { rows: x } = ...; its token or 0. */
static uint32_t result_var(const struct py_toks *t, uint32_t nb)
{
	uint32_t i = nb;
	if (i > 0 && py_tok_is(t, i - 1, "await"))
		i--;
	if (i < 2 || !py_tok_is(t, i - 1, "="))
		return 0;
	if (t->v[i - 2].kind == PT_NAME)
		return i - 2;
	if (py_tok_is(t, i - 2, "}") && i >= 4 && t->v[i - 3].kind == PT_NAME) {
		if (py_tok_is(t, i - 4, "{") && py_tok_is(t, i - 3, "rows"))
			return i - 3;
		if (i >= 6 && py_tok_is(t, i - 4, ":") && py_tok_is(t, i - 5, "rows") && py_tok_is(t, i - 6, "{"))
			return i - 3;
	}
	return 0;
}

/* How the rows in variable tok v are used in function f after token from. */
static void list_uses(const struct py_outline *ol, int f, uint32_t v, uint32_t from, struct fields *fs)
{
	const struct py_toks *t = ol->toks;
	const char *vs = py_tok_text(t, v);
	size_t vn = t->v[v].len, b;
	uint32_t end = f >= 0 ? ol->blocks[f].body_end : (uint32_t)t->n, i;
	int used = 0;
	for (i = from; i < end && !fs->escaped; i++) {
		if (t->v[i].kind == PT_STRING && (t->v[i].flags & 0x40)) {
			struct fields tmp = { .n = 0 };
			template_fields(py_tok_text(t, i), t->v[i].len, vs, vn, &tmp);
			if (tmp.escaped || (tmp.n && strcmp(tmp.names[0], "length")))
				fs->escaped = 1;
			continue;
		}
		if (t->v[i].kind != PT_NAME || t->v[i].len != vn || strncmp(py_tok_text(t, i), vs, vn) ||
		    (i > 0 && (py_tok_is(t, i - 1, ".") || py_tok_is(t, i - 1, "?."))))
			continue;
		if (py_tok_is(t, i + 1, ".") && py_tok_is(t, i + 2, "length"))
			continue;
		if (py_tok_is(t, i + 1, ".") && (py_tok_is(t, i + 2, "map") || py_tok_is(t, i + 2, "forEach")) &&
		    py_tok_is(t, i + 3, "(")) {
			/* the callback passed to it */
			int found = 0;
			for (b = 0; b < ol->nblocks; b++) {
				const struct py_block *d = &ol->blocks[b];
				if (d->kind != PB_DEF || !d->arg_of || ol->calls[d->arg_of - 1].lparen != i + 3)
					continue;
				found = 1;
				if (d->nparams < 1 || !d->params[0])
					fs->escaped = 1;
				else if (d->params[0][0] == '{') {
					const char *p = d->params[0];
					while (*p) {
						const char *q = p;
						while (*q && is_ident(*q))
							q++;
						if (q > p)
							add_field(fs, p, (size_t)(q - p));
						p = q > p ? q : p + 1;
					}
				} else
					row_fields(t, d->hdr_end, d->body_end, d->params[0], strlen(d->params[0]), fs);
				break;
			}
			if (!found)
				fs->escaped = 1;
			used = 1;
			continue;
		}
		/* for (const x of rows) */
		for (b = 0; b < ol->nblocks; b++) {
			const struct py_block *d = &ol->blocks[b];
			if (d->kind == PB_FOR && d->iter_begin == i && d->iter_end == i + 1 && d->target &&
			    is_ident(d->target[0])) {
				row_fields(t, d->body_begin, d->body_end, d->target, strlen(d->target), fs);
				used = 1;
				break;
			}
		}
		if (b == ol->nblocks)
			fs->escaped = 1;
	}
	if (!used)
		fs->escaped = 1;
}

/* Columns of TypeORM entity class model: its @...Column( decorators, in the
 * file declaring "class Model"; 0 when unknown. */
static unsigned typeorm_cols(struct check_ctx *cx, const char *model)
{
	const json_t *f;
	size_t k;
	char want[80];
	snprintf(want, sizeof(want), "class %s ", model);
	json_array_foreach(json_object_get(cx->context, "files"), k, f) {
		const char *rel = json_string_value(json_object_get(f, "path"));
		const char *base;
		struct srcfile sf;
		unsigned n = 0;
		if (!rel || !strstr(rel, ".ts"))
			continue;
		base = strrchr(rel, '/');
		base = base ? base + 1 : rel;
		if (strncasecmp(base, model, strlen(model)) || (base[strlen(model)] != '.'))
			continue;
		if (query_ts_load(cx, rel, &sf))
			continue;
		{
			const char *s = strstr(sf.text, want), *p;
			if (s && strstr(sf.text, "@Entity"))
				for (p = s; (p = strstr(p, "Column(")) != NULL; p += 7)
					n++;
		}
		srcfile_free(&sf);
		if (n)
			return n;
	}
	return 0;
}

/* First case-insensitive occurrence of needle in s, or NULL. */
static const char *find_ci(const char *s, const char *needle)
{
	size_t k = strlen(needle);
	for (; *s; s++)
		if (!strncasecmp(s, needle, k))
			return s;
	return NULL;
}

/* Columns of SQL table tb in the project's migrations (CREATE TABLE). */
static unsigned sql_cols(struct check_ctx *cx, const char *tb)
{
	const json_t *f;
	size_t k, tl = strlen(tb);
	json_array_foreach(json_object_get(cx->context, "files"), k, f) {
		const char *rel = json_string_value(json_object_get(f, "path"));
		struct srcfile sf;
		const char *p;
		unsigned n = 0;
		if (!rel || strlen(rel) < 4 || strcmp(rel + strlen(rel) - 4, ".sql") || query_ts_load(cx, rel, &sf))
			continue;
		for (p = sf.text; (p = find_ci(p, "create table")) != NULL; p += 12) {
			const char *q = p + 12, *e;
			int depth = 0;
			while (*q == ' ' || *q == '\t')
				q++;
			if (!strncasecmp(q, "if not exists", 13))
				for (q += 13; *q == ' '; q++)
					;
			if (*q == '"')
				q++;
			if (strncasecmp(q, tb, tl) || is_ident(q[tl]))
				continue;
			q = strchr(q, '(');
			if (!q)
				break;
			/* count top-level items that are not table constraints */
			for (e = q + 1, n = 1; *e && !(depth == 0 && *e == ')'); e++) {
				if (*e == '(')
					depth++;
				else if (*e == ')')
					depth--;
				else if (*e == ',' && depth == 0) {
					const char *w = e + 1;
					while (isspace((unsigned char)*w))
						w++;
					if (strncasecmp(w, "primary key", 11) && strncasecmp(w, "foreign key", 11) &&
					    strncasecmp(w, "unique", 6) && strncasecmp(w, "constraint", 10) &&
					    strncasecmp(w, "check", 5))
						n++;
				}
			}
			break;
		}
		srcfile_free(&sf);
		if (n)
			return n;
	}
	return 0;
}

/* 1 when one of the fields read is a relation named in the query's
 * include: { rel: ... } (rows consumed together with their relations, a
 * joined display rather than a list of a few columns). */
static int reads_included(const struct py_toks *t, const struct jsdb_q *q, const struct fields *fs)
{
	uint32_t i, j;
	int k;
	for (i = q->arg_begin; i + 2 < q->arg_end; i++) {
		uint16_t d;
		if (!py_tok_is(t, i, "include") || !py_tok_is(t, i + 1, ":") || !py_tok_is(t, i + 2, "{"))
			continue;
		d = t->v[i + 2].depth;
		for (j = i + 3; j < q->arg_end && !(py_tok_is(t, j, "}") && t->v[j].depth == d); j++)
			if (t->v[j].depth == d + 1u && t->v[j].kind == PT_NAME && py_tok_is(t, j + 1, ":"))
				for (k = 0; k < fs->n; k++)
					if (strlen(fs->names[k]) == t->v[j].len &&
					    !strncmp(fs->names[k], py_tok_text(t, j), t->v[j].len))
						return 1;
	}
	return 0;
}

void check_over_fetching_ts(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	struct jsdb *db = jsdb_new(ol);
	size_t ci;
	if (!db)
		return;
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		struct jsdb_q q;
		struct fields fs;
		unsigned ncols = 0;
		uint32_t v;
		char issue[600];
		const char *rec;
		enum severity sev;
		int handler = 0, d;
		if (jsdb_query(db, (int)ci, &q) != JSOP_READ || q.select || !q.model[0])
			continue;
		if (q.api == JSDB_PRISMA) {
			const struct py_model *m;
			if (strcmp(q.method, "findMany") || q.fluent)
				continue;
			m = py_index_model(check_project_index(cx), q.model);
			ncols = m ? m->ncols : 0;
			rec = "Select the fields the code reads: findMany({ ..., select: { id: true, <field>: true } })";
		} else if (q.api == JSDB_TYPEORM) {
			if (strcmp(q.method, "find") && strcmp(q.method, "findBy") && strcmp(q.method, "getMany"))
				continue;
			ncols = typeorm_cols(cx, q.model);
			rec = strcmp(q.method, "getMany") ?
			      "Select the columns the code reads: find({ ..., select: { id: true, <column>: true } })" :
			      "Select the columns the code reads: .select(['e.id', 'e.<column>']) on the query builder";
		} else if (q.api == JSDB_PG) {
			if (!q.star)
				continue;
			ncols = sql_cols(cx, q.model);
			rec = "Name the columns the code reads instead of SELECT * (SELECT id, name, status FROM ...)";
		} else
			continue;
		if (ncols <= 10 || !(v = result_var(t, c->name_begin)))
			continue;
		memset(&fs, 0, sizeof(fs));
		list_uses(ol, c->func, v, c->rparen + 1, &fs);
		if (fs.escaped || fs.n == 0 || fs.n > 3 || (q.eager && reads_included(t, &q, &fs)))
			continue;
		for (d = c->func; d >= 0; d = py_outline_enclosing(ol, ol->blocks[d].parent, PB_MASK(PB_DEF), 1)) {
			if (ol->blocks[d].handler)
				handler = 1;
			if (ol->blocks[d].parent < 0)
				break;
		}
		sev = handler && ncols > 15 ? SEV_MEDIUM : SEV_LOW;
		snprintf(issue, sizeof(issue),
			 "%s loads whole %s rows (%u columns) but the code reads only %s%s%s%s%s of each row.",
			 q.api == JSDB_PG ? "SELECT *" : q.method, q.model, ncols, fs.names[0], fs.n > 1 ? ", " : "",
			 fs.n > 1 ? fs.names[1] : "", fs.n > 2 ? ", " : "", fs.n > 2 ? fs.names[2] : "");
		check_report(cx, c->line, c->end_line, sev, issue, rec);
	}
	jsdb_free(db);
}
