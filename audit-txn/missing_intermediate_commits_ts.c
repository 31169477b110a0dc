/*
 * missing_intermediate_commits, TypeScript/JavaScript
 *
 * What it does: starts from the database: the triggers of the context
 * (db_config.triggers) whose function calls pg_notify/NOTIFY.  Then, in
 * each explicit transaction of the file (Prisma interactive $transaction,
 * TypeORM transaction(cb)/startTransaction()..commitTransaction(), pg
 * BEGIN..COMMIT, knex trx), it looks for a loop, inside the transaction,
 * that writes to a trigger's table with a statement the trigger fires on:
 * pg/knex SQL on the table, Prisma tx.model.update/create/upsert/delete
 * and TypeORM save/update/insert/delete of an entity mapped to it (its
 * @@map/@Entity table from the project index, else its name, lowercased
 * or snake_case).  The notifications of every iteration are delivered
 * only at commit, so listeners see no progress until the whole loop ends.
 *
 * Not reported: the same loop outside a transaction (each statement
 * autocommits and notifies at once), tables without a NOTIFY trigger,
 * writes the trigger does not fire on.
 *
 * Severity: CRITICAL when a TS/JS file of the project LISTENs on the
 * channel and the project serves SSE or websockets, HIGH otherwise.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "checks.h"
#include "js/js.h"
#include "jsdb.h"
#include "jstxn.h"
#include "pyindex.h"

#define MAX_TXN 64
#define MAX_TRIG 32

struct trig {
	const char *table, *event, *channel, *name, *location;
	const json_t *columns;   /* "UPDATE OF" columns, or NULL */
};

static size_t load_triggers(const json_t *ctx, struct trig *out, size_t max)
{
	const json_t *arr = json_object_get(json_object_get(ctx, "db_config"), "triggers"), *t;
	size_t i, n = 0;
	json_array_foreach(arr, i, t) {
		const char *table = json_string_value(json_object_get(t, "table"));
		if (n >= max || !json_is_true(json_object_get(t, "notify")) || !table)
			continue;
		out[n].table = table;
		out[n].event = json_string_value(json_object_get(t, "event"));
		out[n].channel = json_string_value(json_object_get(t, "channel"));
		out[n].name = json_string_value(json_object_get(t, "name"));
		out[n].location = json_string_value(json_object_get(t, "location"));
		out[n].columns = json_array_size(json_object_get(t, "columns")) ? json_object_get(t, "columns") : NULL;
		if (!out[n].name)
			out[n].name = "?";
		n++;
	}
	return n;
}

/* 1 when the trigger fires on a write of kind op. */
static int fires_on(const struct trig *tg, enum jsdb_op op)
{
	const char *e = tg->event;
	if (!e || !*e)
		return 1;
	switch (op) {
	case JSOP_UPDATE: return strstr(e, "UPDATE") != NULL;
	case JSOP_INSERT: return strstr(e, "INSERT") != NULL;
	case JSOP_DELETE: return strstr(e, "DELETE") != NULL;
	case JSOP_UPSERT:
	case JSOP_SAVE: return strstr(e, "UPDATE") || strstr(e, "INSERT");
	default: return 0;
	}
}

/* 1 when a and b name the same column: case and underscores ignored
 * (Prisma's progressPct maps to progress_pct). */
static int same_column(const char *a, size_t al, const char *b)
{
	size_t i = 0, j = 0, bl = strlen(b);
	for (;;) {
		while (i < al && a[i] == '_')
			i++;
		while (j < bl && b[j] == '_')
			j++;
		if (i == al || j == bl)
			return i == al && j == bl;
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[j]))
			return 0;
		i++;
		j++;
	}
}

/* 1 when text s[0..n) holds column col as a word. */
static int text_names(const char *s, size_t n, const char *col)
{
	size_t i = 0;
	while (i < n) {
		size_t b;
		while (i < n && !(isalnum((unsigned char)s[i]) || s[i] == '_'))
			i++;
		for (b = i; i < n && (isalnum((unsigned char)s[i]) || s[i] == '_'); i++)
			;
		if (i > b && same_column(s + b, i - b, col))
			return 1;
	}
	return 0;
}

static int tok_is(const struct py_toks *t, uint32_t k, const char *w)
{
	size_t l = strlen(w);
	return k < t->n && t->v[k].len == l && !memcmp(t->src + t->v[k].off, w, l);
}

/*
 * 1 when update call c spells out what it writes: Prisma's data: { ... },
 * an SQL string with SET, or a last argument that is an object literal
 * (TypeORM update(criteria, { ... }), knex .update({ ... })) -- with no
 * spread inside.
 */
static int writes_visible(const struct py_toks *t, const struct py_call *c)
{
	uint32_t k, last = c->lparen + 1;
	int depth = 0, sql = 0;
	for (k = c->lparen + 1; k < c->rparen && k < t->n; k++) {
		const struct py_tok *tk = &t->v[k];
		if (tok_is(t, k, "..."))
			return 0;
		if (tk->kind == PT_NAME && tok_is(t, k, "data") && tok_is(t, k + 1, ":"))
			return tok_is(t, k + 2, "{");
		if (tk->kind == PT_STRING && text_names(t->src + tk->off, tk->len, "set"))
			sql = 1;
		if (tok_is(t, k, "(") || tok_is(t, k, "[") || tok_is(t, k, "{"))
			depth++;
		else if (tok_is(t, k, ")") || tok_is(t, k, "]") || tok_is(t, k, "}"))
			depth--;
		else if (depth == 0 && tok_is(t, k, ","))
			last = k + 1;
	}
	return sql || tok_is(t, last, "{");
}

/*
 * For a trigger limited to "UPDATE OF cols": 0 when the update call c
 * spells out what it writes and names none of the columns, so the
 * trigger cannot fire; 1 otherwise (a column is named, or the written
 * fields are not visible, as in save(entity) or data: patch).
 */
static int may_set_columns(const struct py_outline *ol, const struct py_call *c, const struct trig *tg)
{
	const struct py_toks *t = ol->toks;
	uint32_t k;
	size_t i;
	const json_t *col;
	if (!tg->columns || !writes_visible(t, c))
		return 1;
	for (k = c->lparen + 1; k < c->rparen && k < t->n; k++) {
		const struct py_tok *tk = &t->v[k];
		if (tk->kind != PT_NAME && tk->kind != PT_STRING)
			continue;
		json_array_foreach(tg->columns, i, col)
			if (json_string_value(col) && text_names(t->src + tk->off, tk->len, json_string_value(col)))
				return 1;
	}
	return 0;
}

/* 1 when model (a Prisma model, TypeORM entity or SQL table) is stored in
 * table: the index's table name, else the name itself, lowercased, or
 * snake_case with or without a plural s. */
static int model_on_table(struct py_index *ix, const char *model, const char *table)
{
	const struct py_model *m = ix ? py_index_model(ix, model) : NULL;
	const char *dot = strrchr(table, '.');
	char snake[96];
	size_t i, o = 0;
	if (dot)
		table = dot + 1;
	if (m && m->table) {
		const char *md = strrchr(m->table, '.');
		return !strcasecmp(md ? md + 1 : m->table, table);
	}
	if (!strcasecmp(model, table))
		return 1;
	for (i = 0; model[i] && o + 3 < sizeof(snake); i++) {
		if (i && isupper((unsigned char)model[i]) && model[i - 1] != '_')
			snake[o++] = '_';
		snake[o++] = (char)tolower((unsigned char)model[i]);
	}
	snake[o] = '\0';
	if (!strcmp(snake, table))
		return 1;
	snake[o] = 's';
	snake[o + 1] = '\0';
	return !strcmp(snake, table);
}

/* 1 when the loop block lp lies inside transaction x. */
static int loop_inside(const struct py_outline *ol, int lp, const struct js_txn *x)
{
	const struct py_block *b = &ol->blocks[lp];
	return b->hdr_begin >= x->begin_tok && b->hdr_begin < x->end_tok;
}

void check_missing_intermediate_commits_ts(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct trig tg[MAX_TRIG];
	struct js_txn tx[MAX_TXN];
	size_t ntg = load_triggers(cx->context, tg, MAX_TRIG), n, i, ci, k;
	struct jsdb *db;
	struct py_index *ix;
	if (!ntg)
		return;
	n = js_txns_of_file(ol, tx, MAX_TXN);
	if (!n)
		return;
	if (n > MAX_TXN)
		n = MAX_TXN;
	if (!(db = jsdb_new(ol)))
		return;
	ix = check_project_index(cx);
	for (i = 0; i < n; i++) {
		const struct js_txn *x = &tx[i];
		for (ci = 0; ci < ol->ncalls; ci++) {
			const struct py_call *c = &ol->calls[ci];
			struct jsdb_q q;
			enum jsdb_op op;
			const struct trig *hit = NULL;
			int lp;
			char issue[900], rec[600], where[256];
			int rt;
			if (!js_txn_holds(ol, x, ci) || (lp = js_call_loop(ol, c)) < 0 ||
			    !loop_inside(ol, lp, x))
				continue;
			op = jsdb_query(db, (int)ci, &q);
			if (op == JSOP_NONE || op == JSOP_READ || !q.model[0] || q.bulk)
				continue;
			for (k = 0; k < ntg && !hit; k++)
				if (fires_on(&tg[k], op) && model_on_table(ix, q.model, tg[k].table) &&
				    (op == JSOP_INSERT || op == JSOP_DELETE ||
				     (op != JSOP_UPDATE && tg[k].event && strstr(tg[k].event, "INSERT")) ||
				     may_set_columns(ol, c, &tg[k])))
					hit = &tg[k];
			if (!hit)
				continue;
			where[0] = '\0';
			rt = js_project_realtime(cx->context, hit->channel, where, sizeof(where));
			snprintf(issue, sizeof(issue),
				 "Missing intermediate commits: the loop at line %u writes %s (%s) once per "
				 "item inside the transaction %s opened at line %u; trigger %s on table %s "
				 "(%s) calls pg_notify%s%s, and PostgreSQL delivers those notifications only "
				 "when the transaction commits, so %s sees no progress until the whole loop "
				 "ends and then every update at once%s%s",
				 ol->blocks[lp].line, q.model, c->callee, x->what, x->line, hit->name,
				 hit->table, hit->location ? hit->location : "migrations",
				 hit->channel ? " on channel " : "", hit->channel ? hit->channel : "",
				 rt ? "the real-time stream fed by that channel" : "every listener",
				 rt ? " (" : "", rt ? where : "");
			if (rt)
				strncat(issue, ")", sizeof(issue) - strlen(issue) - 1);
			snprintf(rec, sizeof(rec),
				 "Commit per item or per small batch: give each item its own short "
				 "transaction (%s), or write the progress row outside the long transaction "
				 "(an autocommitted %s), and keep the items idempotent so a rerun can resume",
				 x->api == JTX_PRISMA ? "one prisma.$transaction per item"
				 : x->api == JTX_PG   ? "BEGIN/COMMIT around each item"
						      : "one transaction per item",
				 x->api == JTX_PG ? "pool.query" : "statement on the main client");
			check_report(cx, c->line, c->end_line, rt ? SEV_CRITICAL : SEV_HIGH, issue, rec);
			break; /* one finding per transaction */
		}
	}
	jsdb_free(db);
}
