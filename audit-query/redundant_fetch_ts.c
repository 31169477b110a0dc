/*
 * redundant_fetch, TypeScript/JavaScript
 *
 * What it does: reports a function B that loads one entity by a key
 * parameter (Prisma findUnique/findUniqueOrThrow/findFirst with where: {
 * id }, TypeORM findOne/findOneOrFail({ where: { id } }), findOneBy({ id
 * }), the EntityManager forms, node-postgres SELECT ... WHERE id = $n,
 * knex .where({ id }).first()) and uses it substantially (changes it,
 * passes it on or returns it, reads three or more fields), when a caller
 * A in this file already holds that entity and passes only its key: A
 * loaded the same model by the same key (passes row.id or the same id),
 * or received it as a parameter typed with the model.  Calls are
 * resolved through the project index (lib/jsindex.h): this.m(),
 * this.svc.m() of a constructor-injected service, x.m() of x = new X(),
 * imported functions; never by a method's name alone.  Neither Prisma nor
 * TypeORM has an identity map: the repeat is a second round trip.  The
 * finding is at B's fetch line and names the caller.
 *
 * Severity: HIGH when A is a request handler, MEDIUM otherwise, LOW in
 * scripts.
 *
 * Not reported: callees that are handlers or jobs (ids across a queue,
 * a pg_notify payload or a route are by design), a lookup function that
 * returns the row it loads, a callee that reads one or two fields (that is
 * unnecessary_resolve), a caller that only created the row or never
 * loaded it, a caller that changed the row between its load and the call
 * (the reload sees the change), another model or another key.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "jsindex.h"

/* "its caller confirm() (src/a.ts:92)", "the request handler at src/a.ts:92". */
void refetch_ts_caller(const struct js_fn *a, const char *path, unsigned line, char *buf, size_t n)
{
	if (a->name)
		snprintf(buf, n, "its caller %s() (%s:%u)", a->name, path, line);
	else
		snprintf(buf, n, "the %s at %s:%u", a->handler ? "request handler" : "callback", path, line);
}

/* The parameter name for the object: orderId -> order, order_id -> order, id -> the model in camel case. */
static void object_name(const char *param, const char *model, char *buf, size_t n)
{
	size_t l = strlen(param);
	if (l > 2 && !strcmp(param + l - 2, "Id"))
		snprintf(buf, n, "%.*s", (int)(l - 2), param);
	else if (l > 3 && !strcmp(param + l - 3, "_id"))
		snprintf(buf, n, "%.*s", (int)(l - 3), param);
	else {
		snprintf(buf, n, "%s", model);
		if (buf[0] >= 'A' && buf[0] <= 'Z')
			buf[0] = (char)(buf[0] - 'A' + 'a');
	}
}

static void report(void *arg, const struct js_refetch *r)
{
	struct check_ctx *cx = arg;
	const struct js_fn *a = r->caller, *b = r->callee;
	const struct js_fetch *f = r->fetch;
	const struct py_call *c = &cx->ol->calls[r->ci];
	struct check_where w;
	char issue[1400], rec[900], held[300], obj[64], who[400], pname[64];
	enum severity sev;
	if (r->how != JH_FETCHED && r->how != JH_MODEL_PARAM)
		return;
	if (r->changed)
		return;
	if (!(f->mutated || f->escapes || f->nattrs >= 3))
		return;
	/* the lookup itself: getOrder(id) { return prisma.order.findUnique(...) } */
	if (f->returned && b->name &&
	    (!strncmp(b->name, "get", 3) || !strncmp(b->name, "find", 4) || !strncmp(b->name, "fetch", 5) ||
	     !strncmp(b->name, "load", 4)))
		return;
	if (r->how == JH_FETCHED)
		snprintf(held, sizeof(held), "already loaded that %s%s%s at line %u", f->model, r->holder[0] ? " into " : "",
			 r->holder, r->held ? r->held->line : c->line);
	else
		snprintf(held, sizeof(held), "already holds that %s (its parameter %s)", f->model, r->holder);
	snprintf(obj, sizeof(obj), "%s", r->holder[0] ? r->holder : "the row it loaded");
	refetch_ts_caller(a, cx->path, c->line, who, sizeof(who));
	object_name(b->params[f->key_param].name, f->model, pname, sizeof(pname));
	snprintf(issue, sizeof(issue),
		 "%s%s%s() loads %s by its %s parameter, but %s %s and passes only %s; "
		 "the same row is selected twice in one call path (no identity map answers the second read)",
		 b->cls ? b->cls : "", b->cls ? "." : "", b->name ? b->name : "(anonymous)", f->model,
		 b->params[f->key_param].name, who, held, r->arg);
	snprintf(rec, sizeof(rec),
		 "Pass the loaded %s to %s() instead of its id (take %s: %s in place of %s) and pass %s at the "
		 "call; drop this lookup; keep an id-based variant only for callers that do not hold the row",
		 f->model, b->name ? b->name : "the callee", pname, f->model, b->params[f->key_param].name, obj);
	sev = query_ts_severity(cx, a->def, SEV_MEDIUM);
	memset(&w, 0, sizeof(w));
	w.path = b->path;
	w.snippet = f->snippet;
	check_report_ex(cx, &w, f->line, f->end_line, sev, issue, rec);
}

void check_redundant_fetch_ts(struct check_ctx *cx)
{
	struct js_index *ix = check_js_index(cx);
	if (ix)
		js_index_refetch_each(ix, cx->path, cx->ol, report, cx);
}
