/*
 * missing_bulk_ops, TypeScript/JavaScript
 *
 * What it does: reports an INSERT sent once per element of a loop (for,
 * for-of, for await, .map/.forEach callbacks) using the element: Prisma
 * create (on the client or a transaction client), TypeORM insert(one) and
 * save(newEntity) (an object literal, repo.create(...), new Entity(),
 * or a variable made from one of those), QueryBuilder insert() of one
 * row, node-postgres and knex INSERTs of one row.
 *
 * Not reported: createMany/createManyAndReturn, save([...])/insert([...]),
 * multi-row VALUES, unnest, INSERT ... SELECT, knex.batchInsert, loops
 * over chunks or batches, while loops.
 *
 * Severity: HIGH in request handlers, MEDIUM in jobs and other code, LOW
 * in scripts.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "jsdb.h"

static const char *fix_of(const struct jsdb_q *q)
{
	switch (q->api) {
	case JSDB_PRISMA:
		return "Collect the rows in the loop and insert them with one createMany({ data: rows }) after it "
		       "(createManyAndReturn when the new ids are needed)";
	case JSDB_TYPEORM:
		return "Build the entities in the loop and insert them at once: insert(rows) or save(rows, { chunk: 500 })";
	case JSDB_KNEX:
		return "Collect the rows and insert them at once: insert(rows), or knex.batchInsert(table, rows, 500)";
	default:
		return "Insert all rows with one statement: a multi-row VALUES list, INSERT ... SELECT * FROM "
		       "unnest($1::text[], $2::int[]), or COPY (pg-copy-streams) for large imports";
	}
}

void check_missing_bulk_ops_ts(struct check_ctx *cx)
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
		enum severity sev;
		if (op != JSOP_INSERT && op != JSOP_SAVE)
			continue;
		if (q.bulk || query_ts_loop(ol, (int)ci, &lp) < 0 || lp.is_while || lp.chunked)
			continue;
		if (op == JSOP_SAVE) {
			const char *tg = ol->blocks[lp.block].kind == PB_FOR ? ol->blocks[lp.block].target :
					 ol->blocks[lp.block].nparams ? ol->blocks[lp.block].params[0] : NULL;
			if (jsdb_save_kind(db, &q, tg) != JSOP_INSERT)
				continue;
		}
		/* a new entity saved each time is a row per iteration even when it
		 * was filled from the element on earlier lines */
		query_ts_derive(ol, &lp, c->name_begin);
		if (op != JSOP_SAVE && !query_ts_uses_element(ol, &lp, c->name_begin, c->rparen + 1))
			continue;
		if ((q.api == JSDB_KNEX || (q.api == JSDB_TYPEORM && strstr(c->callee, "createQueryBuilder"))) &&
		    !jsdb_awaited(ol, (int)ci) && !lp.callback)
			continue;
		snprintf(issue, sizeof(issue),
			 "%s%s%s (%s) inserts one row per element of the %s at line %u: one INSERT statement and round "
			 "trip per row in %s.",
			 q.api == JSDB_PG ? "An INSERT" : q.method, q.model[0] ? (q.api == JSDB_PG ? " into " : " of ") : "",
			 q.model, c->callee, lp.callback ? "iteration callback" : "loop", ol->blocks[lp.block].line,
			 query_ts_where(cx, c->func));
		sev = query_ts_severity(cx, c->func, SEV_MEDIUM);
		check_report(cx, c->line, c->end_line, sev, issue, fix_of(&q));
	}
	jsdb_free(db);
}
