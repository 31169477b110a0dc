/*
 * redundant_fetch, Go
 *
 * What it does: reports a function B that loads one entity by a key
 * parameter (GORM First/Take(&v, key) or Where("id = ?", key).First(&v),
 * sqlx Get, database/sql QueryRow(Context) with WHERE id = $1 scanned
 * into a struct, or a call of a project loader such as s.GetPermit(ctx,
 * id) that does one of these and returns the row) and uses it
 * substantially (changes it, passes it on or returns it, reads three or
 * more fields), when a caller A in this file already holds that entity
 * and passes only its key: A loaded the same model (passes v.ID or the
 * same key) or received it as a parameter of the model's type.  Calls
 * are resolved through the project index (lib/goindex.h): package
 * functions, imported project packages, methods through the static type
 * of the receiver and its fields; never by a method's name alone.  Go
 * has no identity map: the repeat is a second round trip.  The finding
 * is at B's load and names the caller.
 *
 * Severity: HIGH when A is a request handler, MEDIUM otherwise, LOW in
 * run-once programs.
 *
 * Not reported: calls started with go (another goroutine), ids sent over
 * a channel or a queue (no call links them), callees that are handlers,
 * a loader that returns the row it loads (GetX itself), callees reading
 * one or two fields (unnecessary_resolve), a caller that only created the
 * row or changed it between its load and the call (the reload sees the
 * change), another model or key.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "godb.h"
#include "goindex.h"

static int lookup_name(const char *n)
{
	static const char *const pre[] = {"Get",  "get",   "Find",  "find",   "Load",
					  "load", "Fetch", "fetch", "Lookup", "lookup"};
	size_t i;
	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if (!strncmp(n, pre[i], strlen(pre[i])))
			return 1;
	return 0;
}

static void report(void *arg, const struct go_refetch *r)
{
	struct check_ctx *cx = arg;
	const struct go_fetch *f = r->fetch;
	struct check_where w;
	char issue[1400], rec[900], held[300];
	enum severity sev;
	if (r->how != GH_FETCHED && r->how != GH_MODEL_PARAM)
		return;
	if (r->changed || r->callee_handler || f->column_lookup)
		return;
	if (!(f->mutated || f->escapes || f->returned || f->nfields >= 3))
		return;
	if (f->returned && !f->mutated && lookup_name(r->callee))
		return;
	if (r->how == GH_FETCHED)
		snprintf(held, sizeof(held), "already loaded that %s into %s at line %u", f->model, r->holder,
			 r->held_line);
	else
		snprintf(held, sizeof(held), "already holds that %s (its parameter %s)", f->model, r->holder);
	snprintf(
		issue, sizeof(issue),
		"%s%s%s() loads %s by its %s parameter, but its caller %s() (%s:%u) %s and passes only %s; "
		"the same row is selected twice in one call path (Go database drivers and GORM keep no identity map)",
		r->callee_recv ? r->callee_recv : "", r->callee_recv ? "." : "", r->callee, f->model,
		r->callee_param, r->caller, cx->path, r->call_line, held, r->arg);
	snprintf(
		rec, sizeof(rec),
		"Pass the loaded *%s to %s() in place of %s and have %s() call it with %s; drop this lookup; keep an "
		"id-based variant only for callers that do not hold the row",
		f->model, r->callee, r->callee_param, r->caller, r->holder);
	sev = go_db_severity(cx->ol, r->caller_def, cx->path, SEV_HIGH);
	memset(&w, 0, sizeof(w));
	if (strcmp(r->callee_path, cx->path)) {
		w.path = r->callee_path;
		w.snippet = r->callee_snippet;
	}
	check_report_ex(cx, &w, f->line, f->end_line, sev, issue, rec);
}

void check_redundant_fetch_go(struct check_ctx *cx)
{
	struct go_index *ix;
	if (go_db_skip_path(cx->path) || !(ix = check_go_index(cx)))
		return;
	go_index_refetch_each(ix, cx->path, report, cx);
}
