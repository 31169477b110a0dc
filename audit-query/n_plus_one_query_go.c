/*
 * n_plus_one_query in Go
 *
 * What it does: reports a read (database/sql, sqlx or pgx QueryRow/Query/
 * Get/Select with a SELECT; GORM First/Take/Find/Count/Pluck, also through
 * Model(...).Association(...)) inside a loop over items: for range,
 * "for rows.Next()", a three-clause loop.
 *
 * Why it matters: one round trip per item; GORM has no lazy loading, so
 * every per-item read is an explicit extra query.
 *
 * Example:
 *     for rows.Next() {
 *         rows.Scan(&e.ID, &residentID)
 *         db.QueryRowContext(ctx, `SELECT name FROM residents WHERE id = $1`, residentID).Scan(&e.Name)
 *     }
 *
 * Use instead: one JOIN, or one query with WHERE id = ANY($1) over the
 * collected ids and a map lookup; in GORM Preload("Assoc") or Joins, or
 * Where("course_id IN ?", ids) with a Group("course_id") count.
 *
 * Severity: HIGH in a request handler, MEDIUM elsewhere, one lower in a
 * run-once program (cmd/, scripts/).  Not reported: bare "for {" polling
 * and event loops, ranges over a channel, loops bounded by a literal of at
 * most 5 (retries), ranges over literals of at most five items, pages
 * read with OFFSET or Offset(...), SELECTs reading no table (SELECT
 * pg_notify(...), nextval(...)), reads in a function literal (goroutines).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "godb.h"

/* Paging through a table (one query per page, not per item), or a SELECT
 * reading no table (SELECT pg_notify(...), nextval(...), 1). */
static int not_per_item_read(const struct py_outline *ol, const struct go_dbcall *dc, const struct py_call *c)
{
	char *q;
	int offset = 0, from = 0;
	if (strstr(c->callee, "Offset()"))
		return 1;
	if (!(q = go_db_sql_text(ol, dc->sql_tok)))
		return 0;
	for (char *p = q; *p; p++) {
		int word = p == q || p[-1] == ' ' || p[-1] == '(' || p[-1] == ')';
		if (word && !strncasecmp(p, "OFFSET", 6))
			offset = 1;
		if (word && !strncasecmp(p, "FROM", 4) && (p[4] == ' ' || p[4] == '(' || !p[4]))
			from = 1;
	}
	free(q);
	return offset || !from;
}

void check_n_plus_one_query_go(struct check_ctx *cx)
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
		if (go_db_call(g, (int)i, &dc) != GDB_READ || c->deferred || c->go_stmt)
			continue;
		if ((loop = go_db_loop(g, (int)i)) < 0 || not_per_item_read(ol, &dc, c))
			continue;
		over = go_db_loop_text(ol, loop);
		snprintf(issue, sizeof(issue), "%s runs one query per iteration of the loop at line %u (for %s): "
			 "N items cost N+1 round trips", c->callee, ol->blocks[loop].line, over ? over : "...");
		if (dc.api == GAPI_GORM)
			snprintf(rec, sizeof(rec), "Load the related rows for all items at once: Preload(\"...\") or "
				 "Joins(...) on the outer query, or one Where(\"x_id IN ?\", ids).Find(&rows) (with "
				 "Group(...) for counts) before the loop and a map lookup inside it");
		else
			snprintf(rec, sizeof(rec), "Fetch the related rows with the outer query (JOIN), or collect the "
				 "ids first and run one query with WHERE id = ANY($1) (pq.Array(ids) with lib/pq) "
				 "before the loop, then look the rows up in a map");
		free(over);
		check_report(cx, c->line, c->end_line, go_db_severity(ol, c->func, cx->path, SEV_HIGH), issue, rec);
	}
	go_db_free(g);
	go_types_free(gt);
}
