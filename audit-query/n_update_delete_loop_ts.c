/*
 * n_update_delete_loop, TypeScript/JavaScript
 *
 * What it does: reports an UPDATE or DELETE sent once per element of a
 * loop (for, for-of, for await, .map/.forEach callbacks, also
 * prisma.$transaction(rows.map(r => prisma.x.update(...))), which is still
 * one statement per row): Prisma update/delete/upsert (on the client or a
 * transaction client), TypeORM update/delete/remove/softDelete,
 * save(loadedEntity) and QueryBuilder update()/delete()...execute(),
 * node-postgres and knex UPDATE/DELETE, when the statement uses the
 * element.
 *
 * Not reported: set-based statements (updateMany/deleteMany, In(ids),
 * whereIn, WHERE id = ANY($1), UPDATE ... FROM unnest/VALUES), loops over
 * chunks, batches or pages, while loops, save() of an entity built in the
 * loop (that is missing_bulk_ops).
 *
 * Severity: HIGH in request handlers and services, MEDIUM in jobs, LOW in
 * scripts.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "jsdb.h"

static const char *fix_of(const struct jsdb_q *q, int del)
{
	if (q->op == JSOP_UPSERT)
		return q->api == JSDB_TYPEORM ?
		       "Upsert the rows at once: upsert(rows, { conflictPaths: [...] }) with the whole array" :
		       "Upsert the rows with one statement: INSERT ... SELECT * FROM unnest($1::text[], $2::text[]) "
		       "ON CONFLICT (key) DO UPDATE SET ... ($executeRaw with Prisma), or createMany({ skipDuplicates: "
		       "true }) plus one updateMany when the update is the same for all";
	switch (q->api) {
	case JSDB_PRISMA:
		return del ? "Delete the rows with one deleteMany({ where: { id: { in: ids } } })"
			   : "Update the rows with one updateMany({ where: { id: { in: ids } }, data }) when the data is "
			     "the same for all; for per-row values, one $executeRaw UPDATE ... FROM unnest(...)";
	case JSDB_TYPEORM:
		return del ? "Delete the rows with one delete({ id: In(ids) }) (or remove(entities) with the array)"
			   : "Update the rows with one update({ id: In(ids) }, changes), or save(entities) with the "
			     "whole array (save(rows, { chunk: 500 }))";
	case JSDB_KNEX:
		return del ? "Delete the rows with one whereIn('id', ids).del()"
			   : "Update the rows with one whereIn('id', ids).update(changes), or for per-row values one "
			     "UPDATE ... FROM unnest(?) through knex.raw";
	default:
		return del ? "Delete the rows with one statement: DELETE ... WHERE id = ANY($1) with the array of ids"
			   : "Update the rows with one statement: UPDATE ... WHERE id = ANY($1), or UPDATE t SET ... FROM "
			     "unnest($1::int[], $2::text[]) AS v(id, x) WHERE t.id = v.id for per-row values";
	}
}

void check_n_update_delete_loop_ts(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct jsdb *db = jsdb_new(ol);
	size_t ci;
	if (!db)
		return;
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		struct jsdb_q q;
		struct query_ts_loop lp;
		enum jsdb_op op = jsdb_query(db, (int)ci, &q);
		char issue[512];
		int del;
		enum severity sev;
		if (op != JSOP_UPDATE && op != JSOP_DELETE && op != JSOP_UPSERT && op != JSOP_SAVE)
			continue;
		if (q.bulk || query_ts_loop(ol, (int)ci, &lp) < 0 || lp.is_while || lp.chunked)
			continue;
		if (op == JSOP_SAVE) {
			/* the loop's target: the element itself being saved back */
			const char *tg = ol->blocks[lp.block].kind == PB_FOR ? ol->blocks[lp.block].target :
					 ol->blocks[lp.block].nparams ? ol->blocks[lp.block].params[0] : NULL;
			const struct py_block *lb = &ol->blocks[lp.block];
			uint32_t ib = lb->iter_begin, ie = lb->iter_end;
			if (jsdb_save_kind(db, &q, tg) != JSOP_UPDATE)
				continue;
			/* save(element) updates only rows that were loaded: the loop
			 * runs over a query result (else it may insert request data) */
			if (lb->kind == PB_DEF && lb->arg_of) {
				const struct py_call *it = &ol->calls[lb->arg_of - 1];
				ib = it->name_begin;
				ie = ib + 1;
			}
			if (ie <= ib || !jsdb_rows_from_query(db, lb->kind == PB_DEF ?
							       py_outline_enclosing(ol, lb->parent, PB_MASK(PB_DEF), 1) :
							       c->func, ib, ie))
				continue;
			op = JSOP_UPDATE;
		}
		query_ts_derive(ol, &lp, c->name_begin);
		if (!query_ts_uses_element(ol, &lp, c->name_begin, c->rparen + 1))
			continue;
		if ((q.api == JSDB_KNEX || (q.api == JSDB_TYPEORM && strstr(c->callee, "createQueryBuilder"))) &&
		    !jsdb_awaited(ol, (int)ci) && !lp.callback)
			continue; /* a builder not run here */
		del = op == JSOP_DELETE;
		snprintf(issue, sizeof(issue),
			 "%s%s%s (%s) runs once per element of the %s at line %u%s: one %s statement per row in %s.",
			 q.api == JSDB_PG ? (del ? "A DELETE" : "An UPDATE") : q.method,
			 q.model[0] ? (q.api == JSDB_PG ? " of " : " on ") : "", q.model, c->callee,
			 lp.callback ? "iteration callback" : "loop", ol->blocks[lp.block].line,
			 lp.in_transaction ? " inside prisma.$transaction([...]) (atomic, still one statement each)" : "",
			 del ? "DELETE" : op == JSOP_UPSERT ? "upsert" : "UPDATE", query_ts_where(cx, c->func));
		sev = query_ts_severity(cx, c->func, SEV_HIGH);
		if (lp.in_transaction && sev > SEV_LOW)
			sev = (enum severity)(sev - 1); /* $transaction([...]): one engine round trip, N statements */
		check_report(cx, c->line, c->end_line, sev, issue, fix_of(&q, del));
	}
	jsdb_free(db);
}
