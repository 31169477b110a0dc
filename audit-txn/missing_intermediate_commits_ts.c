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
				if (fires_on(&tg[k], op) && model_on_table(ix, q.model, tg[k].table))
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
