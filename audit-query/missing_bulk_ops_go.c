/*
 * missing_bulk_ops in Go
 *
 * What it does: reports one INSERT per item of a loop: db/tx Exec(Context)
 * or QueryRow of INSERT SQL (also through a prepared statement), GORM
 * Create(&one).
 *
 * Why it matters: each row is its own statement and round trip (and with
 * GORM its own default transaction), where one multi-row statement or the
 * COPY protocol loads them all.
 *
 * Example:
 *     for _, sid := range req.StudentIDs {
 *         db.Create(&Enrollment{CourseID: id, StudentID: sid})
 *     }
 *
 * Use instead: db.Create(&slice) or db.CreateInBatches(&slice, 500); a
 * multi-row INSERT ... VALUES, INSERT ... SELECT FROM unnest($1, $2), pgx
 * CopyFrom or pq.CopyIn.
 *
 * Severity: HIGH in a request handler, MEDIUM elsewhere, one lower in a
 * run-once program.  Not reported: Create of a slice, CreateInBatches,
 * stmt.Exec of a pq.CopyIn statement (COPY, buffered), pgx Batch.Queue,
 * bare "for {" loops and ranges over a channel (one row per event),
 * ranges over literals of at most five items.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "godb.h"
#include "gotxn.h"

void check_missing_bulk_ops_go(struct check_ctx *cx)
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
		char *over;
		int loop;
		if (go_db_call(g, (int)i, &dc) != GDB_INSERT || c->deferred || c->go_stmt)
			continue;
		if ((loop = go_db_loop(g, (int)i)) < 0)
			continue;
		over = go_db_loop_text(ol, loop);
		snprintf(issue, sizeof(issue), "%s inserts one row per iteration of the loop at line %u (for %s): N "
			 "INSERT statements and round trips%s", c->callee, ol->blocks[loop].line, over ? over : "...",
			 dc.api == GAPI_GORM && !go_call_in_txn(ol, i) ? ", each in its own default transaction" : "");
		if (dc.api == GAPI_GORM)
			snprintf(rec, sizeof(rec), "Build the rows in a slice inside the loop and insert them once after it: "
				 "db.Create(&rows), or db.CreateInBatches(&rows, 500) for large inputs");
		else
			snprintf(rec, sizeof(rec), "Collect the rows and insert them with one statement: a multi-row INSERT "
				 "... VALUES ($1, $2), ($3, $4)..., INSERT ... SELECT * FROM unnest($1::text[], ...), or "
				 "the COPY protocol (pgx CopyFrom, pq.CopyIn)");
		free(over);
		check_report(cx, c->line, c->end_line, go_db_severity(ol, c->func, cx->path, SEV_HIGH), issue, rec);
	}
	go_db_free(g);
	go_types_free(gt);
}
