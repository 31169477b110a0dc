/*
 * unnecessary_resolve, Go
 *
 * What it does: reports a function B that receives a key, loads the row
 * by it (the loads of redundant_fetch_go.c, or a QueryRow of one or two
 * columns scanned into scalars) and then only reads one or two of its
 * fields -- the row is not changed, returned whole or passed on -- when
 * the caller A in this file already holds those values: it passes v.ID
 * of the same row it loaded, h.Key of a project struct that declares the
 * fields read (token claims such as Claims{ResidentID, ZoneID}), or a
 * key taken from the request context (c.GetUint("studentID")) that the
 * project's middleware fills with the fields too (c.Set("program", ...)).
 * The finding is at B's load and names the caller.
 *
 * Severity: MEDIUM; LOW in run-once programs.
 *
 * Not reported: three or more fields read, rows changed, returned or
 * passed on, fields the caller's struct or context does not carry, calls
 * started with go, callees that are handlers.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "godb.h"
#include "goindex.h"

static void report(void *arg, const struct go_refetch *r)
{
	struct check_ctx *cx = arg;
	const struct go_fetch *f = r->fetch;
	struct check_where w;
	char issue[1400], rec[900], fields[200], held[512];
	int k;
	if (r->callee_handler || f->mutated || f->escapes || f->returned || f->nfields < 1 || f->nfields > 2)
		return;
	fields[0] = '\0';
	for (k = 0; k < f->nfields; k++)
		snprintf(fields + strlen(fields), sizeof(fields) - strlen(fields), "%s%s", k ? " and " : "",
			 f->fields[k]);
	switch (r->how) {
	case GH_FETCHED:
		snprintf(held, sizeof(held), "the %s it loaded into %s at line %u", f->model, r->holder,
			 r->held_line);
		break;
	case GH_MODEL_PARAM:
		snprintf(held, sizeof(held), "the %s it received as %s", f->model, r->holder);
		break;
	case GH_STRUCT_FIELDS:
		snprintf(held, sizeof(held), "%s", r->holder);
		break;
	case GH_CONTEXT_KEYS:
		snprintf(held, sizeof(held), "%s, which the project's middleware also fills with %s",
			 r->holder, fields);
		break;
	default:
		return;
	}
	snprintf(
		issue, sizeof(issue),
		"%s%s%s() loads %s by its %s parameter only to read %s, but its caller %s() (%s:%u) passes %s and "
		"already holds %s; the query is a round trip for values already in hand",
		r->callee_recv ? r->callee_recv : "", r->callee_recv ? "." : "", r->callee, f->model,
		r->callee_param, fields, r->caller, cx->path, r->call_line, r->arg, held);
	snprintf(
		rec, sizeof(rec),
		"Have %s() pass %s itself (from %s) instead of %s, or give %s() a variant taking the value; keep the "
		"lookup only for callers that do not have it",
		r->caller, fields, r->how == GH_CONTEXT_KEYS ? "the request context" : r->holder, r->arg,
		r->callee);
	memset(&w, 0, sizeof(w));
	if (strcmp(r->callee_path, cx->path)) {
		w.path = r->callee_path;
		w.snippet = r->callee_snippet;
	}
	check_report_ex(cx, &w, f->line, f->end_line, go_db_once_path(cx->path) ? SEV_LOW : SEV_MEDIUM, issue,
			rec);
}

void check_unnecessary_resolve_go(struct check_ctx *cx)
{
	struct go_index *ix;
	if (go_db_skip_path(cx->path) || !(ix = check_go_index(cx)))
		return;
	go_index_refetch_each(ix, cx->path, report, cx);
}
