/*
 * redundant_fetch
 *
 * What it does: reports a def B that loads an entity by a key parameter
 * (session.get(M, k), select(M).where(M.id == k) reduced to one row, a
 * query(M).get/filter_by(id=...) chain, a repository get/get_by_id/
 * find_by_id, fetch* or load* method) when a caller A, read in this file,
 * already holds that entity and passes only its key: A loaded M by the
 * same key or passes E.id of an M it loaded, received as a parameter
 * annotated M, or got from a project def whose return annotation names M.
 * B may live in another file; the finding is at B's fetch line and names
 * the caller.
 *
 * Why it matters: the second SELECT is a round trip for a row the unit
 * of work already had; on a request path every call pays it.
 *
 * Example:
 *     expense = db.get(Expense, expense_id)
 *     problems = evaluate(db, expense_id)   # evaluate() selects the Expense again
 *
 * Use instead:
 *     problems = evaluate(db, expense)      # def evaluate(db, expense: Expense)
 *
 * Severity: HIGH when A is a request handler, MEDIUM in jobs and other
 * code, LOW when A runs once (startup, scripts, __main__).
 *
 * Not reported: a caller that only created the object (Model(...), a
 * create_* def) or never loaded it (it passes an id it was given), an
 * object got on one branch only, a model other than the one B loads, a
 * fetch by another parameter, session.get()/Query.get() in the caller's
 * own session (the identity map answers without a round trip), callees
 * that take ids by design (background tasks and jobs, request handlers,
 * the get, fetch* or load* lookup itself), pydantic schemas named like the
 * model, and a caller whose object was committed or whose session block
 * ended before the call unless the session factory sets
 * expire_on_commit=False (the object then stays valid and could be
 * passed).
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "pydb.h"
#include "pyfacts.h"
#include "pyindex.h"
#include "pyrefetch.h"

struct rf {
	struct check_ctx *cx;
	int expire;   /* db_config.expire_on_commit: 0 false, 1 true, -1 unset */
};

/* "Wave wave_id loaded at line 39" style description of what A holds. */
static void held_text(const struct py_refetch *r, char *buf, size_t n)
{
	switch (r->how) {
	case PH_FETCHED:
		if (r->holder)
			snprintf(buf, n, "already loaded that %s into %s at line %u", r->model, r->holder,
				 r->held_line);
		else
			snprintf(buf, n, "already loaded that %s at line %u", r->model, r->held_line);
		break;
	case PH_MODEL_PARAM:
		snprintf(buf, n, "already holds that %s (its parameter %s)", r->model, r->holder);
		break;
	default:
		snprintf(buf, n, "already holds that %s in %s (line %u)", r->model, r->holder, r->held_line);
		break;
	}
}

/* The parameter name for the object: book_id -> book, id -> the model in
 * snake case (IndividualContact -> individual_contact). */
static void object_name(const struct py_refetch *r, char *buf, size_t n)
{
	size_t l = strlen(r->param), i, o = 0;
	if (l > 3 && !strcmp(r->param + l - 3, "_id")) {
		snprintf(buf, n, "%.*s", (int)(l - 3), r->param);
		return;
	}
	for (i = 0; r->model[i] && o + 2 < n; i++) {
		char ch = r->model[i];
		if (ch >= 'A' && ch <= 'Z') {
			if (i)
				buf[o++] = '_';
			ch = (char)(ch - 'A' + 'a');
		}
		buf[o++] = ch;
	}
	buf[o] = '\0';
}

/* "async def checkout(session: AsyncSession, book: Book, member_id: int)":
 * the callee's signature with the key parameter replaced by the object. */
static void signature(const struct py_refetch *r, const char *obj, char *buf, size_t n)
{
	const struct py_fn *b = r->callee;
	size_t o;
	unsigned i;
	o = (size_t)snprintf(buf, n, "%sdef %s(", b->is_async ? "async " : "", b->name);
	if (b->nparams > 5) {
		/* a long list: only the parameter that changes */
		snprintf(buf + o, n - o, "%s%s: %s%s)", r->fetch->key_param ? "..., " : "", obj, r->model,
			 (unsigned)r->fetch->key_param + 1 < b->nparams ? ", ..." : "");
		return;
	}
	for (i = 0; i < b->nparams && o + 1 < n; i++) {
		const struct py_param *p = &b->params[i];
		if ((int)i == r->fetch->key_param)
			o += (size_t)snprintf(buf + o, n - o, "%s%s: %s", i ? ", " : "", obj, r->model);
		else if (p->ann && strlen(p->ann) < 60)
			o += (size_t)snprintf(buf + o, n - o, "%s%s: %s", i ? ", " : "", p->name, p->ann);
		else
			o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", p->name);
	}
	if (o + 1 < n)
		snprintf(buf + o, n - o, ")");
}

static void report(void *arg, const struct py_refetch *r)
{
	struct rf *rf = arg;
	struct check_ctx *cx = rf->cx;
	const struct py_fn *a = r->caller, *b = r->callee;
	struct check_where w;
	enum severity sev;
	char issue[1400], rec[1200], held[300], obj[64], sig[400], expire[200] = "";
	if (r->how != PH_FETCHED && r->how != PH_MODEL_PARAM && r->how != PH_RETURNED)
		return;
	if (r->stale && rf->expire != 0)
		return; /* expired or detached: passing it on would need a refresh anyway */
	if (a->handler)
		sev = SEV_HIGH;
	else if (check_runs_once(cx, r->def))
		sev = SEV_LOW;
	else
		sev = SEV_MEDIUM;
	held_text(r, held, sizeof(held));
	if (rf->expire == 0)
		snprintf(expire, sizeof(expire),
			 "; the session factory sets expire_on_commit=False, so the loaded %s stays valid "
			 "after "
			 "commit and after its session closes",
			 r->model);
	snprintf(issue, sizeof(issue),
		 "%s%s%s() loads %s by its %s parameter, but its caller %s() (%s:%u) %s and passes only %s; "
		 "the same row is selected twice in one call path%s",
		 b->cls ? b->cls : "", b->cls ? "." : "", b->name, r->model, r->param, a->name, cx->path,
		 r->call->line, held, r->arg, expire);
	object_name(r, obj, sizeof(obj));
	signature(r, obj, sig, sizeof(sig));
	snprintf(rec, sizeof(rec),
		 "Pass the loaded %s to %s() instead of its id -- %s -- and have %s() call it with %s; drop "
		 "this "
		 "lookup%s; keep an id-based variant only for callers that do not hold the object",
		 r->model, b->name, sig, a->name, r->holder ? r->holder : "the object it loaded",
		 strstr(r->fetch->snippet, "for_update") ? "; to keep the row lock, take it where the caller "
							   "loads the row (with_for_update there, "
							   "or session.refresh(obj, with_for_update=True))"
							 : "");
	memset(&w, 0, sizeof(w));
	w.path = b->path;
	w.snippet = r->fetch->snippet;
	check_report_ex(cx, &w, r->fetch->line, r->fetch->end_line, sev, issue, rec);
}

void check_redundant_fetch(struct check_ctx *cx)
{
	struct py_binds b;
	struct rf rf;
	struct py_index *ix = check_project_index(cx);
	if (!ix || py_binds_build(&b, cx->ol, cx->context) < 0)
		return;
	rf.cx = cx;
	rf.expire = py_ctx_expire_on_commit(cx->context);
	py_refetch_each(ix, cx->path, &b, report, &rf);
	py_binds_free(&b);
}
