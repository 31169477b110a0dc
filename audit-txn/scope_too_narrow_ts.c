/*
 * scope_too_narrow, TypeScript/JavaScript
 *
 * What it does: Node drivers autocommit every statement, so two writes
 * of one function that are not inside a transaction commit separately.
 * It reports a write that creates a row (Prisma create/upsert, TypeORM
 * save/insert, pg/knex INSERT) outside any transaction when a later
 * write of the same function, also outside a transaction, uses what the
 * first one produced: its result (const invoice = await
 * prisma.invoice.create(...), const { rows } = await pool.query('INSERT
 * ... RETURNING id')) or the entity it saved (shows.save(show), whose id
 * TypeORM fills in), directly or through a value built from it in between
 * (const trailer = episodes.create({ showId: show.id })).  A failure
 * between the two leaves the parent without its children.
 *
 * Not reported: Prisma nested writes (one statement), writes inside
 * $transaction([...]), interactive or callback transactions and manual
 * BEGIN..COMMIT spans, writes in a loop for the first write, independent
 * writes (no data flows from the first to the second).
 *
 * Severity: HIGH (parent then child).  Reported at the first write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "js/js.h"
#include "jsdb.h"
#include "jstxn.h"

#define MAX_TXN 64
#define MAX_NAMES 16

static int creates(enum jsdb_op op)
{
	return op == JSOP_INSERT || op == JSOP_SAVE || op == JSOP_UPSERT;
}

static int writes(enum jsdb_op op)
{
	return op == JSOP_INSERT || op == JSOP_SAVE || op == JSOP_UPSERT || op == JSOP_UPDATE;
}

static void add(char (*v)[64], size_t *n, const char *s)
{
	size_t i;
	for (i = 0; i < *n; i++)
		if (!strcmp(v[i], s))
			return;
	if (*n < MAX_NAMES)
		snprintf(v[(*n)++], 64, "%s", s);
}

static int uses_any(const struct py_outline *ol, uint32_t b, uint32_t e, char (*v)[64], size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (js_range_uses(ol, b, e, v[i]))
			return 1;
	return 0;
}

/* 1 when the receiver of call c is a parameter (of its function or an
 * enclosing one) that stands for a transaction the caller opened: named
 * tx/trx/em/qr/manager/queryRunner..., or typed as a transaction client
 * (Prisma.TransactionClient, Knex.Transaction, EntityManager, PoolClient).
 * The writes then run inside the caller's transaction. */
static int on_caller_txn(const struct py_outline *ol, const struct py_call *c)
{
	static const char *const hints[] = { "tx", "Tx", "trx", "Trx", "ransaction", "anager", "Runner", "qr",
					     "PoolClient", "Transaction", NULL };
	char root[64];
	const char *s = c->callee, *dot;
	size_t l, p, h;
	int f;
	if (!strncmp(s, "this.", 5))
		return 0;
	dot = strchr(s, '.');
	l = dot ? (size_t)(dot - s) : strlen(s);
	if (l >= sizeof(root))
		return 0;
	memcpy(root, s, l);
	root[l] = '\0';
	for (f = c->func; f >= 0;) {
		const struct py_block *b = &ol->blocks[f];
		int up = b->parent >= 0 ? ol->blocks[b->parent].func : -1;
		for (p = 0; p < b->nparams; p++) {
			if (!b->params[p] || strcmp(b->params[p], root))
				continue;
			if (!strcmp(root, "em"))
				return 1;
			for (h = 0; hints[h]; h++)
				if (strstr(root, hints[h]) || (b->param_texts && b->param_texts[p] &&
							       strstr(b->param_texts[p], hints[h])))
					return 1;
			return 0;
		}
		f = up;
	}
	return 0;
}

void check_scope_too_narrow_ts(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct js_txn tx[MAX_TXN];
	size_t n = js_txns_of_file(ol, tx, MAX_TXN), ci, i;
	struct jsdb *db;
	uint8_t *ok;
	if (n > MAX_TXN)
		n = MAX_TXN;
	if (!(db = jsdb_new(ol)))
		return;
	/* per call: 0 no write here, else 1 + its op, for writes outside every transaction */
	ok = calloc(ol->ncalls + 1, 1);
	if (!ok)
		goto out;
	for (ci = 0; ci < ol->ncalls; ci++) {
		struct jsdb_q q;
		enum jsdb_op op = jsdb_query(db, (int)ci, &q);
		int held = 0;
		if (!writes(op) || ol->calls[ci].func < 0 || js_call_in_txn_batch(ol, ci) ||
		    !jsdb_awaited(ol, (int)ci) || on_caller_txn(ol, &ol->calls[ci]))
			continue;
		for (i = 0; i < n && !held; i++)
			held = js_txn_holds(ol, &tx[i], ci) || (int)ci == tx[i].begin_call;
		if (!held)
			ok[ci] = (uint8_t)(1 + op);
	}
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		char names[MAX_NAMES][64];
		size_t nn = 0, c2;
		int s, last_stmt;
		struct jsdb_q q1;
		if (!ok[ci] || !creates((enum jsdb_op)(ok[ci] - 1)) || js_call_loop(ol, c) >= 0 ||
		    c->stmt < 0)
			continue;
		jsdb_query(db, (int)ci, &q1);
		if (q1.bulk)
			continue;
		nn = js_stmt_bound_names(ol, c->stmt, names, MAX_NAMES);
		/* save(entity)/insert(entity): the entity gets its generated id */
		if ((ok[ci] - 1 == JSOP_SAVE || ok[ci] - 1 == JSOP_INSERT) && q1.arg_begin < q1.arg_end &&
		    ol->toks->v[q1.arg_begin].kind == PT_NAME &&
		    (q1.arg_begin + 1 == q1.arg_end || py_tok_is(ol->toks, q1.arg_begin + 1, ")"))) {
			char nm[64];
			size_t l = ol->toks->v[q1.arg_begin].len < 63 ? ol->toks->v[q1.arg_begin].len : 63;
			memcpy(nm, py_tok_text(ol->toks, q1.arg_begin), l);
			nm[l] = '\0';
			add(names, &nn, nm);
		}
		if (!nn)
			continue;
		last_stmt = c->stmt;
		for (c2 = ci + 1; c2 < ol->ncalls; c2++) {
			const struct py_call *d = &ol->calls[c2];
			struct jsdb_q q2;
			char issue[800], rec[600], bound[MAX_NAMES][64];
			if (d->lparen >= ol->blocks[c->func].body_end)
				break;
			if (d->func != c->func || d->stmt <= c->stmt)
				continue;
			/* names built from the first write's result in between */
			for (s = last_stmt + 1; s < d->stmt; s++) {
				size_t nb, k;
				if (ol->blocks[ol->stmts[s].block].func != c->func)
					continue;
				nb = js_stmt_bound_names(ol, s, bound, MAX_NAMES);
				if (nb &&
				    uses_any(ol, ol->stmts[s].tok_begin, ol->stmts[s].tok_end, names, nn))
					for (k = 0; k < nb; k++)
						add(names, &nn, bound[k]);
			}
			if (d->stmt - 1 > last_stmt)
				last_stmt = d->stmt - 1;
			if (!ok[c2])
				continue;
			jsdb_query(db, (int)c2, &q2);
			if (!uses_any(ol, d->lparen, d->rparen, names, nn))
				continue;
			snprintf(issue, sizeof(issue),
				 "Transaction scope too narrow: %s writes %s with %s (line %u) and then %s "
				 "with %s (line %u) using its result, as two autocommitted statements with "
				 "no transaction around them; if the second fails (or the process dies in "
				 "between) the %s row stays without its %s",
				 ol->blocks[c->func].name ? ol->blocks[c->func].name : "the function",
				 q1.model[0] ? q1.model : "a row", c->callee, c->line,
				 q2.model[0] ? q2.model : "a row", d->callee, d->line,
				 q1.model[0] ? q1.model : "first", q2.model[0] ? q2.model : "related rows");
			if (q1.api == JSDB_PRISMA)
				snprintf(rec, sizeof(rec),
					 "Write both in one statement with a nested write (data: { ..., %s: "
					 "{ create: [...] } }) or wrap them in prisma.$transaction(async "
					 "(tx) => { ... }) using tx for both",
					 q2.model[0] ? q2.model : "children");
			else if (q1.api == JSDB_TYPEORM)
				snprintf(rec, sizeof(rec),
					 "Save both inside dataSource.transaction(async (manager) => { ... "
					 "}) with manager.save for each, or save the parent with its "
					 "children through a cascade relation");
			else if (q1.api == JSDB_PG)
				snprintf(rec, sizeof(rec),
					 "Run both on one client between BEGIN and COMMIT (client = await "
					 "pool.connect(); try { BEGIN ... COMMIT } catch { ROLLBACK } "
					 "finally { release() }), or write both in one statement (WITH "
					 "parent AS (INSERT ... RETURNING id) INSERT INTO ...)");
			else
				snprintf(rec, sizeof(rec),
					 "Run both writes in one transaction (knex.transaction(async (trx) "
					 "=> { ... }))");
			check_report(cx, c->line, c->end_line, SEV_HIGH, issue, rec);
			break;
		}
	}
out:
	free(ok);
	jsdb_free(db);
}
