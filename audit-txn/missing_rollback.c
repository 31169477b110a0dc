/*
 * missing_rollback
 *
 * What it does: reports a commit() on a database session or connection
 * that has no rollback path: it is not inside with/async with ...begin(),
 * not lexically inside a context manager that binds the session
 * (with Session() as s: / async with factory() as s: / async with uow:
 * for uow.session, whose exit closes the session and so rolls back), and
 * not inside a try whose except rolls back or re-raises, or whose finally
 * rolls back or closes that same session.  A session created with
 * s = Session() and closed in a finally around the commit has a rollback
 * path: close() rolls back the failed transaction and returns the
 * connection clean, and nothing uses the session afterwards.  A finally
 * that closes something else (a file, an HTTP client) does not count.
 *
 * One call deep: a commit in a helper that receives its session as a
 * parameter is not reported when the project index lists callers of the
 * helper, all of them in the same file, and each call has a rollback path
 * itself (inside begin(), inside a with that binds a session passed to
 * the helper, or in a try whose except rolls back or re-raises, or whose
 * finally closes a session passed to it).  Callers in other files are not
 * read, so such a helper is reported.
 *
 * Why it matters: when the commit, or the flush it triggers, fails, the
 * session stays in a failed transaction; every later use raises
 * PendingRollbackError until someone rolls back, and a pooled connection
 * can go back dirty.  A session injected with Depends(...) is closed by
 * the dependency, not by the handler, so a bare commit there counts.
 *
 * Example:
 *     async def return_book(loan_id: int, session: AsyncSession = Depends(get_session)):
 *         loan.returned_on = date.today()
 *         await session.commit()
 *
 * Use instead:
 *     async with session.begin():
 *         loan.returned_on = date.today()
 *
 * Severity: MEDIUM.  The commit in a unit of work's __exit__/__aexit__
 * is not reported.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "pydb.h"
#include "pyfacts.h"
#include "pyindex.h"
#include "pytxn.h"

/* 1 when recv is owner or an attribute of it: "uow" owns "uow.session". */
static int same_or_owner(const char *owner, const char *recv)
{
	size_t l = strlen(owner);
	return l && !strncmp(owner, recv, l) && (recv[l] == '\0' || recv[l] == '.');
}

/* 1 when call c sits in a with-block (same def) whose items satisfy:
 * a begin()/begin_nested()/atomic() transaction, or an item binding recv
 * (with Session() as recv:) or being recv itself (with session:). */
static int in_managing_with(const struct py_outline *ol, const struct py_call *c, const char *recv)
{
	int w = py_outline_enclosing(ol, c->block, PB_MASK(PB_WITH), 0);
	while (w >= 0) {
		const struct py_block *bl = &ol->blocks[w];
		unsigned i;
		for (i = 0; i < bl->nitems; i++) {
			const char *e = bl->items[i].expr ? bl->items[i].expr : "";
			if (strstr(e, "begin(") || strstr(e, "begin_nested(") || strstr(e, "atomic(") ||
			    strstr(e, "transaction("))
				return 1;
			if ((bl->items[i].target && same_or_owner(bl->items[i].target, recv)) || same_or_owner(e, recv))
				return 1;
		}
		w = py_outline_enclosing(ol, bl->parent, PB_MASK(PB_WITH), 0);
	}
	return 0;
}

/* The session a rollback path must release: the receiver of the commit,
 * or (recv "") any name among the argument tokens [ab,ae) of a call that
 * hands the session to a helper. */
struct sess_ref {
	const char *recv;
	uint32_t ab, ae;
};

/* 1 when call k closes (or removes, for a scoped_session) the session of sr. */
static int closes(const struct py_outline *ol, size_t k, const struct sess_ref *sr)
{
	const struct py_call *c = &ol->calls[k];
	const struct py_toks *t = ol->toks;
	size_t rl;
	uint32_t j;
	if (strcmp(c->name, "close") && strcmp(c->name, "remove"))
		return 0;
	rl = strlen(c->callee) - strlen(c->name);
	if (rl < 2)
		return 0;
	rl--;
	if (sr->recv[0])
		return !strncmp(c->callee, sr->recv, rl) && (sr->recv[rl] == '\0' || sr->recv[rl] == '.');
	for (j = sr->ab; j < sr->ae; j++)
		if (t->v[j].kind == PT_NAME && t->v[j].len == rl && !memcmp(py_tok_text(t, j), c->callee, rl) &&
		    !py_tok_is(t, j - 1, "."))
			return 1;
	return 0;
}

/* 1 when handler block h rolls back, re-raises, or (a finally) rolls back
 * or closes the session of sr. */
static int handler_protects(const struct py_outline *ol, int h, const struct sess_ref *sr)
{
	const struct py_block *bl = &ol->blocks[h];
	const struct py_toks *t = ol->toks;
	size_t ci;
	uint32_t k;
	for (ci = py_first_call_from(ol, bl->body_begin); ci < ol->ncalls && ol->calls[ci].lparen < bl->body_end; ci++) {
		const char *n = ol->calls[ci].name;
		if (!strcmp(n, "rollback") || (bl->kind == PB_FINALLY && closes(ol, ci, sr)))
			return 1;
	}
	if (bl->kind == PB_EXCEPT)
		for (k = bl->body_begin; k < bl->body_end && k < t->n; k++)
			if (py_tok_is(t, k, "raise"))
				return 1;
	return 0;
}

/* 1 when c sits in the body of a try (same def) with a protecting handler. */
static int in_protecting_try(const struct py_outline *ol, const struct py_call *c, const struct sess_ref *sr)
{
	int tr = py_outline_enclosing(ol, c->block, PB_MASK(PB_TRY), 0);
	while (tr >= 0) {
		int par = ol->blocks[tr].parent;
		uint32_t last = par >= 0 ? ol->blocks[par].end_line : UINT32_MAX;
		size_t h;
		for (h = (size_t)tr + 1; h < ol->nblocks && ol->blocks[h].line <= last; h++) {
			if (ol->blocks[h].try_of == tr && handler_protects(ol, (int)h, sr))
				return 1;
			if (ol->blocks[h].parent == ol->blocks[tr].parent && ol->blocks[h].try_of != tr &&
			    ol->blocks[h].line > ol->blocks[tr].line)
				break; /* the next sibling statement: past the handlers */
		}
		tr = py_outline_enclosing(ol, ol->blocks[tr].parent, PB_MASK(PB_TRY), 0);
	}
	return 0;
}

/* 1 when call c (same def) sits in a with whose item binds a name that c
 * passes as an argument: with Session() as s: save(s, obj). */
static int in_with_passing(const struct py_outline *ol, const struct py_call *c)
{
	const struct py_toks *t = ol->toks;
	int w = py_outline_enclosing(ol, c->block, PB_MASK(PB_WITH), 0);
	while (w >= 0) {
		const struct py_block *bl = &ol->blocks[w];
		unsigned i;
		uint32_t k;
		for (i = 0; i < bl->nitems; i++) {
			const char *tg = bl->items[i].target;
			for (k = c->lparen + 1; tg && k < c->rparen; k++)
				if (t->v[k].kind == PT_NAME && t->v[k].len == strlen(tg) &&
				    !memcmp(py_tok_text(t, k), tg, t->v[k].len) && !py_tok_is(t, k - 1, "."))
					return 1;
		}
		w = py_outline_enclosing(ol, bl->parent, PB_MASK(PB_WITH), 0);
	}
	return 0;
}

/* 1 when recv's first name is a parameter of def f: the caller owns the
 * session. */
static int session_param(const struct py_outline *ol, int f, const char *recv)
{
	size_t l = strcspn(recv, ".");
	unsigned i;
	if (f < 0)
		return 0;
	for (i = 0; i < ol->blocks[f].nparams; i++)
		if (strlen(ol->blocks[f].params[i]) == l && !strncmp(ol->blocks[f].params[i], recv, l))
			return 1;
	return 0;
}

/* The first call of ol on line or after it (calls are in source order). */
static size_t first_call_on(const struct py_outline *ol, unsigned line)
{
	size_t lo = 0, hi = ol->ncalls;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ol->calls[mid].line < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* One call deep: 1 when def f (not a handler) has callers, all in this
 * file, and each call has a rollback path. */
static int callers_protect(struct check_ctx *cx, struct py_index *ix, int f)
{
	const struct py_outline *ol = cx->ol;
	const struct py_fn *fn, *fns[16];
	const struct py_callsite *sites[16];
	size_t n, i, ci;
	if (f < 0 || ol->blocks[f].handler || !(fn = py_index_fn_at(ix, cx->path, ol->blocks[f].line)))
		return 0;
	n = py_index_callers(ix, fn, fns, sites, 16);
	if (n == 0 || n > 16)
		return 0;
	for (i = 0; i < n; i++) {
		int ok = 0;
		if (strcmp(fns[i]->path, cx->path) || sites[i]->job_ref)
			return 0;
		for (ci = first_call_on(ol, sites[i]->line); ci < ol->ncalls && ol->calls[ci].line == sites[i]->line && !ok;
		     ci++) {
			const struct py_call *c = &ol->calls[ci];
			struct sess_ref sr = { "", c->lparen + 1, c->rparen };
			if (c->line != sites[i]->line || c->func < 0 || ol->blocks[c->func].line != fns[i]->line ||
			    strcmp(c->callee, sites[i]->callee))
				continue;
			ok = py_txn_begin_block(ol, c) >= 0 || in_with_passing(ol, c) || in_protecting_try(ol, c, &sr);
			if (!ok)
				return 0;
		}
		if (!ok)
			return 0;
	}
	return 1;
}

/* 1 when recv is a parameter of def f injected with Depends(...). */
static int injected(const struct py_outline *ol, int f, const char *recv)
{
	unsigned i;
	if (f < 0)
		return 0;
	for (i = 0; i < ol->blocks[f].nparams; i++)
		if (!strcmp(ol->blocks[f].params[i], recv) && strstr(ol->blocks[f].param_texts[i], "Depends("))
			return 1;
	return 0;
}

static void recommend(const struct py_binds *b, int f, const char *recv, char *out, size_t n)
{
	enum py_orm orm = py_orm_flavor(b, f);
	char r[101];
	snprintf(r, sizeof(r), "%.100s", recv[0] ? recv : "session");
	if (py_def_async(b->ol, f) && orm != ORM_DJANGO)
		snprintf(out, n, "Wrap the writes in `async with %s.begin():` (commits on success, rolls back on error), "
			 "or put the commit in `try:` with `except Exception: await %s.rollback(); raise`", r, r);
	else if (orm == ORM_FLASK || orm == ORM_SA_LEGACY)
		snprintf(out, n, "Put the commit in `try:` with `except Exception: %s.rollback(); raise` (or wrap the "
			 "writes in `with %s.begin():`), so a failed commit does not leave the session unusable",
			 r, r);
	else
		snprintf(out, n, "Wrap the writes in `with %s.begin():` (commits on success, rolls back on error), or "
			 "put the commit in `try:` with `except Exception: %s.rollback(); raise`", r, r);
}

void check_missing_rollback(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct py_index *ix = NULL;
	struct py_binds b;
	size_t ci;
	if (py_binds_build(&b, ol, cx->context) < 0)
		return;
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		struct py_dbop_info info;
		char where[160], issue[1024], rec[768];
		const char *fname = c->func >= 0 ? ol->blocks[c->func].name : NULL;
		if (py_call_dbop(&b, ci, &info) != DBOP_COMMIT || info.repo)
			continue;
		if (fname && (!strcmp(fname, "__exit__") || !strcmp(fname, "__aexit__")))
			continue;
		{
			struct sess_ref sr = { info.recv, 0, 0 };
			if (in_managing_with(ol, c, info.recv) || in_protecting_try(ol, c, &sr))
				continue;
		}
		if (session_param(ol, c->func, info.recv) && !injected(ol, c->func, info.recv) &&
		    ((ix = ix ? ix : check_project_index(cx))) && callers_protect(cx, ix, c->func))
			continue;
		py_func_describe(ol, c->func, where, sizeof(where));
		snprintf(issue, sizeof(issue),
			 "%.120s() in %s has no rollback path: it is outside try/except, %.100s.begin() and any session "
			 "context manager%s, so a failed commit leaves the session in a failed transaction",
			 c->callee, where, info.recv,
			 injected(ol, c->func, info.recv) ? " (the injected session is closed by its dependency, "
							    "not by this handler)" : "");
		recommend(&b, c->func, info.recv, rec, sizeof(rec));
		check_report(cx, c->line, c->end_line, SEV_MEDIUM, issue, rec);
	}
	py_binds_free(&b);
}
