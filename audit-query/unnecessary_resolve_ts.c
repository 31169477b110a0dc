/*
 * unnecessary_resolve, TypeScript/JavaScript
 *
 * What it does: reports a function B that receives an id, loads the row
 * by it (the fetches of redundant_fetch_ts.c) and then only reads one or
 * two of its fields -- the row is not changed, returned, passed on or
 * used whole, and no relation is loaded with it -- when a caller A in
 * this file already holds those values: it passes x.id of the same row
 * it loaded, x.fooId of a row whose SQL select list joined the fields
 * (p.name AS printer_name) or whose include loaded foo, or x.key of a
 * parameter whose interface or class declares the fields (JWT claims
 * such as user: AuthUser).  The finding is at B's fetch line and names
 * the caller.
 *
 * Severity: MEDIUM; LOW in scripts.
 *
 * Not reported: more than two fields read or only the id, rows changed,
 * returned or passed on, client input (@Body/@Query/@Param parameters,
 * *Dto and *Input types), fields the caller's type does not declare,
 * callees that are handlers or jobs.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "jsindex.h"

/* "clinicId", "name and email": the fields read but id. */
static void fields_text(const char *attrs, char *buf, size_t n)
{
	const char *p = attrs;
	int k = 0;
	buf[0] = 0;
	while (*p) {
		size_t l;
		while (*p == ' ')
			p++;
		l = strcspn(p, " ");
		if (!l)
			break;
		if (!(l == 2 && !strncmp(p, "id", 2)))
			snprintf(buf + strlen(buf), n - strlen(buf), "%s%.*s", k++ ? " and " : "", (int)l, p);
		p += l;
	}
}

static void report(void *arg, const struct js_refetch *r)
{
	struct check_ctx *cx = arg;
	const struct js_fn *a = r->caller, *b = r->callee;
	const struct js_fetch *f = r->fetch;
	const struct py_call *c = &cx->ol->calls[r->ci];
	struct check_where w;
	char issue[2400], rec[900], attrs[200], src[512], who[400];
	if (!f->var || f->escapes || f->mutated || f->nattrs < 1 || f->nattrs > 2 || f->eager)
		return;
	fields_text(f->attrs, attrs, sizeof(attrs));
	switch (r->how) {
	case JH_FETCHED:
		snprintf(src, sizeof(src), "the %s it loaded at line %u", f->model, r->held->line);
		break;
	case JH_MODEL_PARAM:
		snprintf(src, sizeof(src), "the %s it received as %s", f->model, r->holder);
		break;
	case JH_JOINED:
		snprintf(src, sizeof(src), "the row it loaded into %s at line %u, which already carries %s", r->holder,
			 r->held->line, attrs);
		break;
	default:
		snprintf(src, sizeof(src), "its %s parameter %s, which declares %s", r->holder_type, r->holder, attrs);
		break;
	}
	refetch_ts_caller(a, cx->path, c->line, who, sizeof(who));
	snprintf(issue, sizeof(issue),
		 "%s%s%s() loads %s by %s only to read %s, but %s already has %s: it passes %s, from %s",
		 b->cls ? b->cls : "", b->cls ? "." : "", b->name ? b->name : "(anonymous)", f->model,
		 b->params[f->key_param].name, attrs, who, attrs, r->arg, src);
	snprintf(rec, sizeof(rec),
		 "Pass %s to %s() (or the object itself) instead of looking the %s row up by %s, and drop the "
		 "query; the caller already holds %s",
		 attrs, b->name ? b->name : "the callee", f->model, b->params[f->key_param].name,
		 strstr(attrs, " and ") ? "them" : "it");
	memset(&w, 0, sizeof(w));
	w.path = b->path;
	w.snippet = f->snippet;
	check_report_ex(cx, &w, f->line, f->end_line, query_ts_severity(cx, a->def, SEV_MEDIUM) == SEV_LOW ? SEV_LOW :
			SEV_MEDIUM, issue, rec);
}

void check_unnecessary_resolve_ts(struct check_ctx *cx)
{
	struct js_index *ix = check_js_index(cx);
	if (ix)
		js_index_refetch_each(ix, cx->path, cx->ol, report, cx);
}
