/*
 * unnecessary_resolve
 *
 * What it does: reports a def B that receives an id, loads the row by it
 * (session.get, select(M).where(M.id == k) reduced to one row, a query
 * chain or a repository lookup) and then only reads one or two of its
 * attributes -- the object is not mutated, passed on, returned, locked or
 * used whole -- when a caller A, read in this file, already holds those
 * values: it passes V.id of an object that has those attributes (a loaded
 * or received instance of the model, a dataclass or pydantic parameter
 * with those fields, an object it built with them), or an id returned by
 * its own insert(M).values(...) that set them.  B may live in another
 * file; the finding is at B's fetch line and names the caller.
 *
 * Why it matters: a round trip, and a row hydrated, to read back a value
 * the caller had in hand.
 *
 * Example:
 *     def approver_email(db, approver_id):
 *         return db.scalar(select(User).where(User.id == approver_id)).email
 *     approver_email(db, user.id)      # user: CurrentUser has .email
 *
 * Use instead:
 *     send_mail(to=user.email)
 *
 * Severity: MEDIUM; LOW when A runs once.
 *
 * Not reported: more than two attributes read, or only the id, an object
 * that is mutated, locked (with_for_update), passed on, returned or used
 * whole, relationships (reading one loads more rows), attributes the
 * caller's object does not declare, a handler's own body or query
 * parameters and payload classes named *Create, *Update, *In (client input, not
 * the stored row), session.get() in the caller's session of an object it
 * holds (the identity map answers), and callers that hold nothing of it.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "pydb.h"
#include "pyfacts.h"
#include "pyindex.h"
#include "pyrefetch.h"

#define MAX_ATTRS 2

struct ur {
	struct check_ctx *cx;
	struct py_index *ix;
	int expire;
};

/* 1 when values " a b " holds attr. */
static int in_values(const char *values, const char *attr, size_t n)
{
	const char *p;
	for (p = values ? strstr(values, attr) : NULL; p; p = strstr(p + 1, attr))
		if (p > values && p[-1] == ' ' && !strncmp(p, attr, n) && p[n] == ' ')
			return 1;
	return 0;
}

/* 1 when what A holds has every attribute B reads ("name", "email"),
 * none of them a relationship; names them into list. */
static int covered(const struct ur *u, const struct py_refetch *r, char *list, size_t n)
{
	const char *p = r->fetch->attrs;
	int useful = 0;
	list[0] = '\0';
	while (p && *p) {
		char attr[72];
		size_t l;
		while (*p == ' ')
			p++;
		l = strcspn(p, " ");
		if (!l)
			break;
		snprintf(attr, sizeof(attr), "%.*s", (int)(l < 64 ? l : 64), p);
		p += l;
		if (!strcmp(attr, "id") || !strcmp(attr, "pk"))
			continue;
		if (py_index_rel(u->ix, r->model, attr, NULL) != PL_NONE)
			return 0;
		if (r->how == PH_BUILT || r->how == PH_INSERTED) {
			if (!in_values(r->values, attr, strlen(attr)))
				return 0;
		} else if (!py_index_class_has(u->ix, r->cls, attr)) {
			return 0;
		}
		snprintf(list + strlen(list), n - strlen(list), "%s%s", useful ? " and " : "", attr);
		useful++;
	}
	return useful > 0;
}

/* Where A's values come from, for the message. */
static void source_text(const struct py_refetch *r, char *buf, size_t n)
{
	switch (r->how) {
	case PH_FETCHED:
		snprintf(buf, n, "the %s it loaded at line %u", r->model, r->held_line);
		break;
	case PH_MODEL_PARAM:
		snprintf(buf, n, "the %s it received as %s", r->model, r->holder);
		break;
	case PH_RETURNED:
		snprintf(buf, n, "the %s it holds in %s (line %u)", r->model, r->holder, r->held_line);
		break;
	case PH_BUILT:
		snprintf(buf, n, "the %s it built at line %u", r->model, r->held_line);
		break;
	case PH_CLASS_PARAM:
		snprintf(buf, n, "its %s parameter %s", r->cls, r->holder);
		break;
	default:
		snprintf(buf, n, "the insert(%s).values(...) at line %u that produced the id", r->model,
			 r->held_line);
		break;
	}
}

static void report(void *arg, const struct py_refetch *r)
{
	struct ur *u = arg;
	struct check_ctx *cx = u->cx;
	const struct py_fetch *f = r->fetch;
	const struct py_fn *a = r->caller, *b = r->callee;
	struct check_where w;
	char issue[1400], rec[900], attrs[200], src[300];
	enum severity sev;
	if (!f->var || f->escapes || f->nattrs < 1 || f->nattrs > MAX_ATTRS)
		return;
	if ((r->how == PH_FETCHED || r->how == PH_MODEL_PARAM || r->how == PH_RETURNED) && r->stale &&
	    u->expire != 0)
		return; /* expired after a commit: reading it back is a query too */
	if (!covered(u, r, attrs, sizeof(attrs)))
		return;
	sev = check_runs_once(cx, r->def) ? SEV_LOW : SEV_MEDIUM;
	source_text(r, src, sizeof(src));
	snprintf(issue, sizeof(issue),
		 "%s%s%s() loads %s by %s only to read %s, but its caller %s() (%s:%u) already has %s: it "
		 "passes "
		 "%s, from %s",
		 b->cls ? b->cls : "", b->cls ? "." : "", b->name, r->model, r->param, attrs, a->name,
		 cx->path, r->call->line, attrs, r->arg, src);
	snprintf(rec, sizeof(rec),
		 "Pass %s to %s() (or the object itself) instead of looking the %s up by %s, and drop the "
		 "query; "
		 "%s() already holds %s",
		 attrs, b->name, r->model, r->param, a->name, strstr(attrs, " and ") ? "them" : "it");
	memset(&w, 0, sizeof(w));
	w.path = b->path;
	w.snippet = f->snippet;
	check_report_ex(cx, &w, f->line, f->end_line, sev, issue, rec);
}

void check_unnecessary_resolve(struct check_ctx *cx)
{
	struct py_binds b;
	struct ur u;
	struct py_index *ix = check_project_index(cx);
	if (!ix || py_binds_build(&b, cx->ol, cx->context) < 0)
		return;
	u.cx = cx;
	u.ix = ix;
	u.expire = py_ctx_expire_on_commit(cx->context);
	py_refetch_each(ix, cx->path, &b, report, &u);
	py_binds_free(&b);
}
