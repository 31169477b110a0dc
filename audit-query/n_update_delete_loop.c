/*
 * n_update_delete_loop
 *
 * What it does: reports an UPDATE or DELETE statement sent once per
 * iteration of a for-loop or comprehension: session.delete(obj),
 * execute(update(...)) / execute(delete(...)), Query.update() /
 * Query.delete(), raw UPDATE/DELETE SQL (text("...") or a string) executed
 * in the loop, and repository update/delete/save/mark_ methods.
 *
 * Why it matters: every row costs a statement and a round trip; one
 * set-based statement (WHERE id IN (...)) or one executemany does the same
 * work at once and holds its locks for far less time.
 *
 * Example:
 *     for order in stale:
 *         await session.execute(delete(Reservation).where(Reservation.order_id == order.id))
 *
 * Use instead:
 *     await session.execute(
 *         delete(Reservation).where(Reservation.order_id.in_([o.id for o in stale])))
 *
 * Severity: HIGH when the loop runs over a query result or an unbounded
 * collection, MEDIUM over a small literal collection and in scripts/.
 * Not reported: statements that are already set-based per chunk (an
 * in_()/any_() filter, a loop over batches or chunks), executemany-style
 * calls with a list of parameter sets (a display or a named list such as
 * batch), while-loops (and LIMIT :batch_size passes inside them), loops
 * whose table comes from the loop variable (one statement per table),
 * loops over a pair of literal values, services and self methods that
 * take the session, and per-row attribute assignments flushed by the unit
 * of work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "pydb.h"
#include "pyfacts.h"

/* Active-record writes of the loop's own row (Django, Peewee, Tortoise):
 * row.save() / row.delete() in a loop over a query result.  The op, or
 * DBOP_NONE. */
static enum py_dbop row_write(const struct py_binds *b, const struct py_call *c, int loop)
{
	const struct py_outline *ol = b->ol;
	const struct py_toks *t = ol->toks;
	const char *tg = loop >= 0 ? ol->blocks[loop].target : NULL;
	size_t vl;
	if (!tg || (strcmp(c->name, "save") && strcmp(c->name, "delete")) || strchr(c->callee, '(') ||
	    c->name_begin + 2 >= c->lparen || t->v[c->name_begin].kind != PT_NAME ||
	    c->lparen != c->name_begin + 3)
		return DBOP_NONE;
	vl = t->v[c->name_begin].len;
	if (strlen(tg) != vl || strncmp(tg, py_tok_text(t, c->name_begin), vl))
		return DBOP_NONE;
	if (c->rparen > c->lparen + 1 && !(t->v[c->lparen + 1].kind == PT_NAME && py_tok_is(t, c->lparen + 2, "=")))
		return DBOP_NONE; /* a positional argument: not Model.save() */
	if (py_loop_iter_kind(b, loop) != PIK_QUERY)
		return DBOP_NONE;
	return c->name[0] == 's' ? DBOP_UPDATE : DBOP_DELETE;
}

/* 1 when call ci runs inside a while-loop (its innermost loop) and
 * updates or deletes a bounded batch per pass: while True: UPDATE ...
 * WHERE id IN (SELECT ... LIMIT :batch_size). */
static int batched_in_while(const struct py_binds *b, size_t ci)
{
	int loop = py_call_loop(b->ol, &b->ol->calls[ci]);
	return loop >= 0 && b->ol->blocks[loop].kind == PB_WHILE && py_stmt_limited(b, ci);
}

static void recommend(const struct py_binds *b, int f, enum py_dbop op, const char *model, const char *col,
		      char *out, size_t n)
{
	enum py_orm orm = py_orm_flavor(b, f);
	const char *m = model[0] ? model : "Model";
	const char *aw = py_def_async(b->ol, f) ? "await " : "";
	char in[80];
	snprintf(in, sizeof(in), "%.60s.in_(%.10ss)", col, col);
	if (orm == ORM_DJANGO) {
		if (op == DBOP_DELETE)
			snprintf(out, n, "Delete the rows with one statement: %s.objects.filter(%s__in=%ss).delete()", m,
				 col, col);
		else
			snprintf(out, n, "Update the rows with one statement: %s.objects.filter(%s__in=%ss).update(...) "
				 "(F() expressions keep per-row values), or %s.objects.bulk_update(objs, [fields]) when "
				 "each row gets its own values", m, col, col, m);
		return;
	}
	if (orm == ORM_SA_LEGACY || orm == ORM_FLASK) {
		if (op == DBOP_DELETE)
			snprintf(out, n, "Delete the rows with one statement after the loop: query(%s).filter(%s.%s)"
				 ".delete(synchronize_session=False)", m, m, in);
		else
			snprintf(out, n, "Update the rows with one statement: query(%s).filter(%s.%s).update({...}, "
				 "synchronize_session=False), or bulk_update_mappings(%s, [{\"id\": ..., ...}]) when each "
				 "row gets its own values", m, m, in, m);
		return;
	}
	if (op == DBOP_DELETE)
		snprintf(out, n, "Delete the rows with one set-based statement after the loop: %ssession.execute(delete(%s)"
			 ".where(%s.%s))", aw, m, m, in);
	else
		snprintf(out, n, "Update the rows with one statement: %ssession.execute(update(%s).where(%s.%s)"
			 ".values(...)) (an expression such as col * :factor keeps per-row values), or "
			 "%ssession.execute(update(%s), [{\"id\": ..., ...}, ...]) for an executemany by primary key",
			 aw, m, m, in, aw, m);
}

void check_n_update_delete_loop(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct py_binds b;
	size_t ci;
	if (py_binds_build(&b, ol, cx->context) < 0)
		return;
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci], *root;
		struct py_dbop_info info;
		enum py_dbop op = py_call_dbop(&b, ci, &info);
		enum severity sev = SEV_HIGH;
		enum py_iter_kind ik;
		char model[64], col[64], issue[512], rec[768], *it;
		int loop = py_call_row_loop(ol, c), lit;
		if (op == DBOP_NONE && !c->is_ref)
			op = row_write(&b, c, loop);
		if (op != DBOP_UPDATE && op != DBOP_DELETE)
			continue;
		root = &ol->calls[info.root];
		if (loop < 0 || py_call_set_based(&b, ci, root->name_begin, loop) || batched_in_while(&b, ci) ||
		    py_stmt_table_varies(&b, ci, loop))
			continue;
		ik = py_loop_iter_kind(&b, loop);
		if (ik == PIK_PAGES || ik == PIK_EVENTS)
			continue;
		/* the issue's rule: a loop over a literal collection, however
		 * small, still sends one statement per entry: MEDIUM */
		lit = py_loop_literal_size(&b, loop);
		if (lit > 0 || ik == PIK_LITERAL)
			sev = SEV_MEDIUM;
		sev = check_once_severity(cx, c->func, sev);
		py_call_model(ol, info.chain_query ? root : c, model, sizeof(model));
		if (!model[0]) {
			/* row.save(): the model of the query the loop walks */
			size_t a = py_first_call_from(ol, ol->blocks[loop].iter_begin);
			if (a < ol->ncalls && ol->calls[a].lparen < ol->blocks[loop].iter_end)
				py_call_model(ol, &ol->calls[a], model, sizeof(model));
		}
		it = py_loop_iter_text(ol, loop, 60);
		snprintf(issue, sizeof(issue), "%s%s() sends one %s per iteration of the loop over %s (line %u)%s",
			 info.repo ? "repository call " : "", c->callee,
			 op == DBOP_DELETE ? "DELETE" : "UPDATE", it ? it : "the rows", ol->blocks[loop].line,
			 ik == PIK_QUERY ? ", a query result: one statement and round trip per row" : "");
		free(it);
		py_filter_column(ol, root->name_begin, c->rparen, model, col, sizeof(col));
		recommend(&b, c->func, op, model, col, rec, sizeof(rec));
		check_report(cx, root->line, c->end_line, sev, issue, rec);
	}
	py_binds_free(&b);
}
