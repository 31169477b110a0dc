/*
 * n_plus_one_query, TypeScript/JavaScript
 *
 * What it does: reports a read query run once per element of a loop
 * (for, for-of, for await, a .map/.forEach callback, also under
 * Promise.all(xs.map(...))) whose arguments depend on the element:
 * Prisma findFirst/findMany/count/aggregate/groupBy, findUnique awaited
 * one by one in a for loop and its fluent relation reads
 * (findUnique(...).customer()), TypeORM find, findOne, count and QueryBuilder
 * reads, node-postgres/knex SELECTs, and lazy TypeORM relations awaited
 * per element (await row.items).
 *
 * Not reported: findUnique calls issued from an iteration callback (Prisma
 * batches the findUnique calls of one tick into one IN query), while
 * loops (polling, pagination), queries that do not use the element (a
 * retry loop), loops over chunks or pages.
 *
 * Severity: HIGH in request handlers and services, MEDIUM in jobs, LOW in
 * scripts and module-level code.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "jsdb.h"
#include "js/js.h"

static const char *fix_of(const struct jsdb_q *q)
{
	switch (q->api) {
	case JSDB_PRISMA:
		return q->fluent ? "Load the relation with the first query (include: { <relation>: true } or a nested "
				   "select), or fetch all related rows at once with findMany({ where: { <fk>: { in: ids } } }) "
				   "and group them in a Map"
				 : "Fetch the rows of every element at once with one findMany({ where: { <fk>: { in: ids } } }) "
				   "before the loop and group them in a Map, or include the relation in the query that "
				   "loaded the list";
	case JSDB_TYPEORM:
		return "Load the relation with the list (relations: { ... } or leftJoinAndSelect), or fetch all "
		       "related rows at once with find({ where: { <fk>: In(ids) } }) and group them in a Map";
	case JSDB_KNEX:
		return "Fetch the rows of every element at once with whereIn('<fk>', ids) before the loop and group "
		       "them in a Map, or join the table into the first query";
	default:
		return "Fetch the rows of every element at once (WHERE <fk> = ANY($1) with an array of ids) before "
		       "the loop and group them in a Map, or JOIN them into the first query";
	}
}

static void report(struct check_ctx *cx, const struct py_call *c, const struct query_ts_loop *lp, const char *what,
		   const char *rec)
{
	const struct py_outline *ol = cx->ol;
	const struct py_block *lb = &ol->blocks[lp->block];
	const struct py_block *f = c->func >= 0 ? &ol->blocks[c->func] : NULL;
	int outer = c->func;
	char issue[512];
	while (outer >= 0 && ol->blocks[outer].name == NULL && ol->blocks[outer].parent >= 0) {
		int up = py_outline_enclosing(ol, ol->blocks[outer].parent, PB_MASK(PB_DEF), 1);
		if (up < 0)
			break;
		outer = up;
	}
	f = outer >= 0 ? &ol->blocks[outer] : f;
	snprintf(issue, sizeof(issue),
		 "%s runs once per element of the %s at line %u%s%s: one query per row (N+1) in %s.", what,
		 lp->callback ? "iteration callback" : "loop", lb->line, f && f->name ? " in " : "",
		 f && f->name ? f->name : "", query_ts_where(cx, c->func));
	check_report(cx, c->line, c->end_line, query_ts_severity(cx, c->func, SEV_HIGH), issue, rec);
}

/* await row.relation; in a loop over rows: a TypeORM lazy relation
 * (Promise<T> property) loaded by one query per row. */
static void lazy_relations(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	size_t s;
	for (s = 0; s < ol->nstmts; s++) {
		const struct py_stmt *st = &ol->stmts[s];
		uint32_t i;
		for (i = st->tok_begin; i + 3 < st->tok_end; i++) {
			struct query_ts_loop lp;
			int b, loop;
			char issue[400];
			if (!py_tok_is(t, i, "await") || t->v[i + 1].kind != PT_NAME || !py_tok_is(t, i + 2, ".") ||
			    t->v[i + 3].kind != PT_NAME)
				continue;
			if (i + 4 < t->n && (py_tok_is(t, i + 4, "(") || py_tok_is(t, i + 4, ".") ||
					     py_tok_is(t, i + 4, "[") || py_tok_is(t, i + 4, "?.") ||
					     py_tok_is(t, i + 4, "!")))
				continue;
			/* the loop around the statement */
			loop = -1;
			for (b = st->block; b >= 0; b = ol->blocks[b].parent) {
				const struct py_block *bl = &ol->blocks[b];
				if (bl->kind == PB_FOR || bl->kind == PB_WHILE) {
					loop = b;
					break;
				}
				if (bl->kind == PB_DEF) {
					loop = js_callback_loop(ol, b) >= 0 ? b : -1;
					break;
				}
			}
			if (loop < 0 || ol->blocks[loop].kind == PB_WHILE)
				continue;
			memset(&lp, 0, sizeof(lp));
			lp.block = loop;
			if (ol->blocks[loop].kind == PB_FOR && ol->blocks[loop].target)
				snprintf(lp.vars, sizeof(lp.vars), "%s", ol->blocks[loop].target);
			else if (ol->blocks[loop].kind == PB_DEF && ol->blocks[loop].nparams)
				snprintf(lp.vars, sizeof(lp.vars), "%s", ol->blocks[loop].params[0]);
			if (!query_ts_uses_element(ol, &lp, i + 1, i + 2) ||
			    !query_ts_lazy_relation(cx, py_tok_text(t, i + 3), t->v[i + 3].len))
				continue;
			snprintf(issue, sizeof(issue),
				 "await %.*s.%.*s loads a lazy relation with one query per element of the loop at line %u "
				 "(N+1) in %s.", (int)t->v[i + 1].len, py_tok_text(t, i + 1), (int)t->v[i + 3].len,
				 py_tok_text(t, i + 3), ol->blocks[loop].line,
				 query_ts_where(cx, py_outline_enclosing(ol, st->block, PB_MASK(PB_DEF), 1)));
			check_report(cx, t->v[i].line, t->v[i + 3].end_line,
				     query_ts_severity(cx, py_outline_enclosing(ol, st->block, PB_MASK(PB_DEF), 1),
						       SEV_HIGH),
				     issue,
				     "Load the relation with the list in one query (relations: { ... } in find, or "
				     "leftJoinAndSelect), or fetch the related rows of all elements with one "
				     "find({ where: { <fk>: In(ids) } }) and group them in a Map");
		}
	}
}

void check_n_plus_one_query_ts(struct check_ctx *cx)
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
		char what[200];
		if (jsdb_query(db, (int)ci, &q) != JSOP_READ || q.bulk)
			continue; /* a set-based read per group of rows is not per row */
		if (query_ts_loop(ol, (int)ci, &lp) < 0 || lp.is_while || lp.chunked)
			continue;
		query_ts_derive(ol, &lp, c->name_begin);
		if (!query_ts_uses_element(ol, &lp, c->name_begin, c->rparen + 1))
			continue;
		if ((q.api == JSDB_KNEX || q.api == JSDB_TYPEORM) && !jsdb_awaited(ol, (int)ci) && !lp.callback)
			continue; /* a builder not run here */
		/* Prisma merges the findUnique calls of one tick into one query */
		if (q.unique && (lp.callback || !jsdb_awaited(ol, (int)ci)))
			continue;
		if (q.api == JSDB_PRISMA)
			snprintf(what, sizeof(what), "%s%s() on %s", q.fluent ? "The fluent relation read after " : "",
				 q.method, q.model);
		else if (q.api == JSDB_PG)
			snprintf(what, sizeof(what), "A SELECT%s%s (%s)", q.model[0] ? " from " : "", q.model, c->callee);
		else
			snprintf(what, sizeof(what), "%s()%s%s", c->callee, q.model[0] ? " on " : "", q.model);
		report(cx, c, &lp, what, fix_of(&q));
	}
	lazy_relations(cx);
	jsdb_free(db);
}
