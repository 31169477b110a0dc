/*
 * n_update_delete_loop in Go
 *
 * What it does: reports an UPDATE or DELETE run once per item of a loop:
 * db/tx Exec(Context) of UPDATE/DELETE SQL (also through a prepared
 * statement), GORM Save, Model(&x).Update(s), Delete(&x).
 *
 * Why it matters: N statements and N round trips (and with GORM N default
 * transactions) where one set-based statement does the work.
 *
 * Example:
 *     for _, id := range ids {
 *         db.ExecContext(ctx, `UPDATE permits SET status = 'expired' WHERE id = $1`, id)
 *     }
 *
 * Use instead: UPDATE ... WHERE id = ANY($1) with pq.Array(ids), UPDATE ...
 * FROM (VALUES ...) for per-row values; in GORM
 * db.Model(&T{}).Where("id IN ?", ids).Update(...) / Delete(&T{}, ids).
 *
 * Severity: HIGH in a request handler, MEDIUM elsewhere, one lower in a
 * run-once program.  Not reported: bare "for {" loops and ranges over a
 * channel (one write per event), ranges over literals of at most five items, writes in a
 * function literal, set-based writes per group (IN (...), ANY($1),
 * GORM clause.IN / Clauses(clause.Where{...}) conditions).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "godb.h"
#include "gotxn.h"

void check_n_update_delete_loop_go(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct go_types *gt;
	struct go_db *g;
	size_t i;
	if (go_db_skip_path(cx->path))
		return;
	gt = go_types_new(ol);
	if (!(g = go_db_new(ol, gt))) {
		go_types_free(gt);
		return;
	}
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_call *c = &ol->calls[i];
		struct go_dbcall dc;
		char issue[512], rec[512];
		const char *what;
		char *over;
		int loop;
		enum go_dbop op = go_db_call(g, (int)i, &dc);
		if ((op != GDB_UPDATE && op != GDB_DELETE) || c->deferred || c->go_stmt)
			continue;
		if ((loop = go_db_loop(g, (int)i)) < 0 || go_db_set_based(g, (int)i, &dc))
			continue; /* a set-based statement per group is not one per row */
		what = op == GDB_UPDATE ? "UPDATE" : "DELETE";
		over = go_db_loop_text(ol, loop);
		snprintf(issue, sizeof(issue), "%s runs one %s per iteration of the loop at line %u (for %s): N "
			 "statements and round trips%s", c->callee, what, ol->blocks[loop].line, over ? over : "...",
			 dc.api == GAPI_GORM && !go_call_in_txn(ol, i) ? ", each in its own default transaction" : "");
		if (dc.api == GAPI_GORM)
			snprintf(rec, sizeof(rec), "Collect the ids and run one statement: db.Model(&T{}).Where(\"id IN ?\", "
				 "ids).%s, or db.Delete(&T{}, ids); for per-row values use one UPDATE ... FROM (VALUES ...) "
				 "through db.Exec", op == GDB_UPDATE ? "Updates(...)" : "Delete(&T{})");
		else
			snprintf(rec, sizeof(rec), "Collect the ids and run one %s ... WHERE id = ANY($1) with pq.Array(ids) "
				 "(a []int64 directly with pgx); for per-row values use UPDATE ... FROM unnest($1::bigint[], "
				 "$2::text[]) or a pgx.Batch", what);
		free(over);
		check_report(cx, c->line, c->end_line, go_db_severity(ol, c->func, cx->path, SEV_HIGH), issue, rec);
	}
	go_db_free(g);
	go_types_free(gt);
}
