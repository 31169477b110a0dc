/*
 * missing_rollback, TypeScript/JavaScript
 *
 * What it does: for each manual transaction of the file (node-postgres
 * client.query('BEGIN') .. client.query('COMMIT'), TypeORM
 * queryRunner.startTransaction() .. commitTransaction(), knex
 * "trx = await knex.transaction()" .. trx.commit()), reports the commit
 * when no error path rolls back: the commit is not inside a try whose
 * catch sends ROLLBACK, calls rollbackTransaction()/trx.rollback(),
 * destroys the pg client with release(err), or calls a rollback helper;
 * and no .catch(...) callback of the function does so either.  A
 * try/finally that only releases does not count: a released pg client
 * goes back to the pool inside its aborted transaction, a TypeORM query
 * runner released mid-transaction leaves it to the driver.
 *
 * Not reported: callback transactions (Prisma $transaction(async tx =>),
 * dataSource.transaction(cb), knex.transaction(cb)), which roll back by
 * themselves when the callback throws, and Prisma, which has no manual
 * commit.
 *
 * Severity: MEDIUM, at the commit line.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "jstxn.h"

#define MAX_TXN 64

/* 1 when call c rolls back or destroys a connection: query('ROLLBACK'),
 * rollbackTransaction(), x.rollback(), a helper named *rollback*, or a pg
 * release(err) with an argument. */
static int rolls_back(const struct py_outline *ol, size_t ci)
{
	const struct py_call *c = &ol->calls[ci];
	const struct py_toks *t = ol->toks;
	if (strstr(c->name, "ollback") || strstr(c->name, "abort") || strstr(c->name, "Abort"))
		return 1;
	if (!strcmp(c->name, "query") && c->lparen + 1 < c->rparen && t->v[c->lparen + 1].kind == PT_STRING) {
		const char *s = py_tok_text(t, c->lparen + 1) + 1;
		while (*s == ' ' || *s == '\n')
			s++;
		return !strncmp(s, "ROLLBACK", 8) || !strncmp(s, "rollback", 8);
	}
	return !strcmp(c->name, "release") && strchr(c->callee, '.') && c->lparen + 1 < c->rparen;
}

/* 1 when some call in tokens [b, e) rolls back. */
static int range_rolls_back(const struct py_outline *ol, uint32_t b, uint32_t e)
{
	size_t ci;
	for (ci = 0; ci < ol->ncalls; ci++)
		if (ol->calls[ci].lparen >= b && ol->calls[ci].lparen < e && rolls_back(ol, ci))
			return 1;
	return 0;
}

/* 1 when the commit has a rollback path: an enclosing try (within its
 * function) with a catch that rolls back, or a .catch(cb) of the function
 * that does. */
static int has_rollback_path(const struct py_outline *ol, const struct js_txn *x)
{
	const struct py_call *c = &ol->calls[x->commit_call];
	int b = c->block;
	size_t k, ci;
	while (b >= 0 && b != c->func) {
		if (ol->blocks[b].kind == PB_TRY)
			for (k = 0; k < ol->nblocks; k++)
				if (ol->blocks[k].try_of == b && ol->blocks[k].kind == PB_EXCEPT &&
				    range_rolls_back(ol, ol->blocks[k].hdr_begin, ol->blocks[k].body_end))
					return 1;
		b = ol->blocks[b].parent;
	}
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *k2 = &ol->calls[ci];
		if (k2->func == c->func && !strcmp(k2->name, "catch") && strchr(k2->callee, '.') &&
		    range_rolls_back(ol, k2->lparen, k2->rparen))
			return 1;
	}
	return 0;
}

void check_missing_rollback_ts(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct js_txn tx[MAX_TXN];
	size_t n = js_txns_of_file(ol, tx, MAX_TXN), i;
	if (n > MAX_TXN)
		n = MAX_TXN;
	for (i = 0; i < n; i++) {
		const struct js_txn *x = &tx[i];
		const struct py_call *cm;
		char issue[640], rec[512];
		const char *fn;
		if (x->kind != JTX_MANUAL || x->commit_call < 0 || has_rollback_path(ol, x))
			continue;
		cm = &ol->calls[x->commit_call];
		fn = x->func >= 0 && ol->blocks[x->func].name ? ol->blocks[x->func].name : "the handler";
		if (x->api == JTX_PG) {
			snprintf(issue, sizeof(issue),
				 "Missing rollback: %s commits the transaction opened by %s at line %u with "
				 "no try/catch that sends ROLLBACK; when a statement in between fails the "
				 "function throws, %s.release() (if reached) returns the client to the pool "
				 "still inside the aborted transaction, and the next request that borrows it "
				 "gets \"current transaction is aborted\" errors",
				 fn, x->what, x->line, x->var);
			snprintf(rec, sizeof(rec),
				 "Wrap BEGIN..COMMIT in try { ... await %s.query('COMMIT') } catch (e) { "
				 "await %s.query('ROLLBACK'); throw e } finally { %s.release() } (or "
				 "release(err) to destroy the client)",
				 x->var, x->var, x->var);
		} else if (x->api == JTX_TYPEORM) {
			snprintf(issue, sizeof(issue),
				 "Missing rollback: %s calls %s.commitTransaction() for the transaction "
				 "started at line %u without rollbackTransaction() in a catch; when a query "
				 "fails, the QueryRunner is released with its transaction still open and the "
				 "error path never rolls back explicitly",
				 fn, x->var, x->line);
			snprintf(rec, sizeof(rec),
				 "Add catch (err) { await %s.rollbackTransaction(); throw err } before the "
				 "finally that calls %s.release(), or use dataSource.transaction(async "
				 "(manager) => ...), which rolls back by itself",
				 x->var, x->var);
		} else {
			snprintf(issue, sizeof(issue),
				 "Missing rollback: %s calls %s.commit() for the transaction opened at line "
				 "%u without %s.rollback() on the error path; a failing query leaves the "
				 "transaction and its pooled connection open until the pool times it out",
				 fn, x->var, x->line, x->var);
			snprintf(rec, sizeof(rec),
				 "Use the callback form of %s (pass async (trx) => { ... }), which commits "
				 "or rolls back by itself, or add catch (e) { await %s.rollback(); throw e }",
				 x->what, x->var);
		}
		check_report(cx, cm->line, cm->end_line, SEV_MEDIUM, issue, rec);
	}
}
