/*
 * missing_session_cleanup
 *
 * What it does: reports a session or connection assigned to a local name
 * outside a with statement -- db = SessionLocal(), s = Session(engine),
 * sessionmaker(bind=e)(), factory(), conn = engine.connect() -- when
 * nothing closes it on the error path: no close() (or rollback()) in a
 * finally or except block of the def, no with/async with over it
 * (with db:, with db.begin():, closing(db)), and it does not leave the def
 * (returned to the caller, stored on an object, handed to an exit stack,
 * a task or a registry).  A provider or context manager that yields the
 * session and closes it after the yield, outside finally, is reported too.
 * Module-level sessions, sessions kept on self, and one-shot programs
 * (scripts, CLI commands) are not reported.
 *
 * Why it matters: a session checks out a pooled connection at its first
 * query and keeps it, with its transaction, until commit, rollback or
 * close.  When an exception skips the close, the connection goes back only
 * when the garbage collector reclaims the session (later still when a
 * traceback keeps the frame alive; an asyncio connection is then
 * terminated rather than returned), so a burst of errors empties the pool.
 *
 * Example:
 *     db = SessionLocal()
 *     user = db.get(User, user_id)
 *     db.close()
 *
 * Use instead:
 *     with SessionLocal() as db:
 *         user = db.get(User, user_id)
 *
 * Severity: HIGH.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "pydb.h"
#include "pyfacts.h"
#include "pyindex.h"
#include "pysession.h"

/* What the def does with the session after creating it. */
struct fate {
	int managed;           /* closed or rolled back in finally/except, or a with over it */
	int escapes;           /* returned, stored, handed over, captured by a closure */
	unsigned happy_close;  /* line of a close() on the success path only, or 0 */
	unsigned yielded;      /* line of a yield of it, or 0 */
};

/* Calls that take ownership of an argument (it is closed or kept elsewhere). */
static int takes_ownership(const char *name)
{
	static const char *const names[] = {
		"enter_context", "enter_async_context", "callback", "push", "push_async_callback",
		"push_async_exit", "closing", "aclosing", "add_task", "create_task", "ensure_future", "submit",
		"start_soon", "Thread", "Process", "register", "addfinalizer", "append", "appendleft", "insert",
		"put", "put_nowait", "setattr", "setdefault", "set", "track", NULL
	};
	size_t i;
	for (i = 0; names[i]; i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

/* 1 when statement s starts with keyword kw. */
static int stmt_starts(const struct py_outline *ol, int s, const char *kw)
{
	return py_tok_is(ol->toks, ol->stmts[s].tok_begin, kw);
}

/* 1 when a token of statement s before tok is "yield". */
static int yield_before(const struct py_outline *ol, int s, uint32_t tok)
{
	uint32_t k;
	for (k = ol->stmts[s].tok_begin; k < tok; k++)
		if (py_tok_is(ol->toks, k, "yield"))
			return 1;
	return 0;
}

/* The ref call (a bare name passed as an argument) at token k, or NULL;
 * a reference's lparen is its last token. */
static const struct py_call *ref_at(const struct py_outline *ol, uint32_t k)
{
	size_t ci;
	for (ci = py_first_call_from(ol, k); ci < ol->ncalls && ol->calls[ci].lparen == k; ci++)
		if (ol->calls[ci].is_ref && ol->calls[ci].name_begin == k)
			return &ol->calls[ci];
	return NULL;
}

/* 1 when the name at token k is carried whole by its expression: the value
 * itself, an element of a display, or an argument of a constructor
 * (Repo(db)); not when a function merely uses it (crud.get(db, id)). */
static int carried(const struct py_outline *ol, uint32_t k)
{
	const struct py_call *rc = ref_at(ol, k);
	const char *nm;
	if (!rc || rc->parent_call < 0)
		return 1;
	nm = ol->calls[rc->parent_call].name;
	return nm[0] >= 'A' && nm[0] <= 'Z';
}

/* 1 when the name at token k (assigned an object carrying the session) is
 * returned, yielded or stored on an attribute later in def f: one hop of
 * "repo = Repo(db); return repo". */
static int alias_escapes(const struct py_outline *ol, const struct py_flow *fl, int f, uint32_t k)
{
	const struct py_toks *t = ol->toks;
	const struct py_ref *r;
	size_t n, i;
	r = py_refs_find(&fl->names, py_tok_text(t, k), t->v[k].len, &n);
	for (i = 0; i < n; i++) {
		uint32_t m = r[i].tok;
		struct py_assign a;
		if (m <= k || r[i].stmt < 0 || ol->blocks[ol->stmts[r[i].stmt].block].func != f ||
		    py_tok_is(t, m + 1, ".") || !carried(ol, m))
			continue;
		if (stmt_starts(ol, r[i].stmt, "return") || yield_before(ol, r[i].stmt, m))
			return 1;
		if (py_stmt_assign(ol, r[i].stmt, &a) && m >= a.value_begin && a.target_end > a.target_begin + 1)
			return 1; /* self.repo = repo */
	}
	return 0;
}

/* Follows name (token tn, assigned in statement s of def f) to the end of f. */
static void follow(const struct py_outline *ol, const struct py_flow *fl, int f, int s, uint32_t tn,
		   struct fate *fa)
{
	const struct py_toks *t = ol->toks;
	const struct py_ref *r;
	size_t n, i;
	memset(fa, 0, sizeof(*fa));
	r = py_refs_find(&fl->names, py_tok_text(t, tn), t->v[tn].len, &n);
	for (i = 0; i < n && !fa->managed && !fa->escapes; i++) {
		uint32_t k = r[i].tok;
		int rs = r[i].stmt, blk;
		const struct py_call *rc;
		struct py_assign a;
		if (k <= tn || rs < 0 || k >= ol->blocks[f].body_end || k < ol->blocks[f].body_begin ||
		    (t->v[k].depth > 0 && py_tok_is(t, k + 1, "=")))
			continue; /* out of the def, or a keyword name: f(db=other) */
		blk = ol->stmts[rs].block;
		if (rs == s)
			continue;
		if (ol->blocks[blk].func != f) {
			fa->escapes = 1; /* a nested def uses it: closed or kept there, we cannot tell */
			continue;
		}
		if (stmt_starts(ol, rs, "global") || stmt_starts(ol, rs, "nonlocal")) {
			fa->escapes = 1;
			continue;
		}
		if (ol->stmts[rs].opens >= 0 && ol->blocks[ol->stmts[rs].opens].kind == PB_WITH &&
		    k < ol->blocks[ol->stmts[rs].opens].hdr_end) {
			fa->managed = 1; /* with db:, with db.begin():, with closing(db): */
			continue;
		}
		if (py_tok_is(t, k + 1, ".") && k + 2 < t->n) {
			const char *m = py_tok_text(t, k + 2);
			size_t ml = t->v[k + 2].len;
			int cleanup = (ml == 5 && !strncmp(m, "close", 5)) || (ml == 6 && !strncmp(m, "aclose", 6));
			int rollback = ml == 8 && !strncmp(m, "rollback", 8);
			if (!cleanup && !rollback)
				continue;
			if (py_outline_enclosing(ol, blk, PB_MASK(PB_FINALLY) | PB_MASK(PB_EXCEPT), 0) >= 0)
				fa->managed = 1;
			else if (cleanup && !fa->happy_close)
				fa->happy_close = ol->stmts[rs].line;
			continue;
		}
		if (py_tok_is(t, k + 1, "[") || py_tok_is(t, k + 1, "("))
			continue;
		if ((rc = ref_at(ol, k)) && rc->parent_call >= 0 && takes_ownership(ol->calls[rc->parent_call].name)) {
			fa->escapes = 1; /* stack.enter_context(db), tasks.add_task(f, db) */
			continue;
		}
		if (!carried(ol, k))
			continue; /* crud.get(db, id): a use */
		if (stmt_starts(ol, rs, "return")) {
			fa->escapes = 1; /* the caller owns it now */
			continue;
		}
		if (yield_before(ol, rs, k)) {
			if (!fa->yielded)
				fa->yielded = ol->stmts[rs].line;
			continue;
		}
		if (py_stmt_assign(ol, rs, &a) && k >= a.value_begin && py_tok_is(t, a.op, "=")) {
			int plain = a.target_end == a.target_begin + 1 && t->v[a.target_begin].kind == PT_NAME;
			if (!plain || alias_escapes(ol, fl, f, a.target_begin))
				fa->escapes = 1; /* self.db = db; repo = Repo(db) ... return repo */
		}
	}
}

/* 1 when a try of def f between lines from and to catches every exception
 * (bare except, Exception, BaseException) without re-raising: the close
 * after it runs on the error path too. */
static int swallowed_between(const struct py_outline *ol, int f, unsigned from, unsigned to)
{
	const struct py_toks *t = ol->toks;
	size_t h;
	for (h = (size_t)f + 1; h < ol->nblocks && ol->blocks[h].line < to; h++) {
		const struct py_block *x = &ol->blocks[h];
		uint32_t k;
		int broad, raises = 0;
		if (x->kind != PB_EXCEPT || x->func != f || x->try_of < 0 || ol->blocks[x->try_of].line <= from)
			continue;
		broad = x->hdr_end == x->hdr_begin + 1 || py_tok_is(t, x->hdr_begin + 1, "Exception") ||
			py_tok_is(t, x->hdr_begin + 1, "BaseException");
		for (k = x->body_begin; k < x->body_end && !raises; k++)
			raises = py_tok_is(t, k, "raise") || py_tok_is(t, k, "return");
		if (broad && !raises)
			return 1;
	}
	return 0;
}

/* 1 when the session call at value tokens [vb,ve) binds an existing
 * connection (Session(bind=connection)): it checks out nothing itself. */
static int binds_connection(const struct py_toks *t, uint32_t vb, uint32_t ve)
{
	uint32_t k;
	for (k = vb; k < ve; k++) {
		const char *s = py_tok_text(t, k);
		size_t i;
		if (t->v[k].kind != PT_NAME || t->v[k].depth == 0 || py_tok_is(t, k + 1, "=") || py_tok_is(t, k + 1, "."))
			continue;
		for (i = 0; i + 4 <= t->v[k].len; i++)
			if (!strncasecmp(s + i, "conn", 4))
				return 1;
	}
	return 0;
}

/* Who throws the error into generator def f at its yield: "the with
 * statement" for a context manager, "FastAPI" for a Depends provider,
 * else "the caller". */
static const char *thrower(struct check_ctx *cx, int f)
{
	const struct py_outline *ol = cx->ol;
	struct py_index *ix;
	const struct py_fn *fn;
	unsigned i;
	for (i = 0; i < ol->blocks[f].ndecorators; i++)
		if (strstr(ol->blocks[f].decorators[i], "contextmanager"))
			return "the with statement";
	ix = check_project_index(cx);
	fn = ix ? py_index_fn_at(ix, cx->path, ol->blocks[f].line) : NULL;
	return fn && fn->provider ? "FastAPI" : "the caller";
}

static void report(struct check_ctx *cx, int s, enum py_sess_new kind, const char *name, const char *what,
		   const struct fate *fa)
{
	const struct py_outline *ol = cx->ol;
	int f = ol->blocks[ol->stmts[s].block].func;
	int async = py_def_async(ol, f);
	const char *obj = kind == PSN_CONNECTION ? "connection" : "session";
	char where[160], issue[1200], rec[800];
	py_func_describe(ol, f, where, sizeof(where));
	if (fa->yielded)
		snprintf(issue, sizeof(issue),
			 "`%.60s = %.100s` in %s yields the %s at line %u but closes it outside finally: when the code "
			 "using it raises (a failed query, a bug), %s throws the exception into the generator at the "
			 "yield and the code after it never runs, so the pooled connection stays checked out until "
			 "the garbage collector reclaims the %s",
			 name, what, where, obj, fa->yielded, thrower(cx, f), obj);
	else if (fa->happy_close)
		snprintf(issue, sizeof(issue),
			 "`%.60s = %.100s` in %s is closed at line %u only on the success path: an exception raised "
			 "before it skips the close, and the pooled connection (with its open transaction) stays "
			 "checked out until the garbage collector reclaims the %s%s",
			 name, what, where, fa->happy_close, obj,
			 async ? " (an asyncio connection is then terminated, not returned to the pool)" : "");
	else
		snprintf(issue, sizeof(issue),
			 "`%.60s = %.100s` in %s is never closed: the pooled connection it checks out (and its open "
			 "transaction) goes back only when the garbage collector reclaims the %s, later still when an "
			 "exception's traceback keeps the frame alive%s",
			 name, what, where, obj,
			 async ? "; an asyncio connection is then terminated, not returned to the pool" : "");
	if (fa->yielded)
		snprintf(rec, sizeof(rec),
			 "Wrap the yield: `try: yield %.60s` then `finally: %s%.60s.close()`, or create it with "
			 "`%swith %.100s as %.60s: yield %.60s`",
			 name, async ? "await " : "", name, async ? "async " : "", what, name, name);
	else
		snprintf(rec, sizeof(rec),
			 "Open it in a context manager, `%swith %.100s as %.60s:`, which closes it (rolling back "
			 "anything uncommitted) on every path; or close it in `finally: %s%.60s.close()`",
			 async ? "async " : "", what, name, async ? "await " : "", name);
	check_report(cx, ol->stmts[s].line, ol->stmts[s].end_line, SEV_HIGH, issue, rec);
}

void check_missing_session_cleanup(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	struct py_binds b;
	struct py_flow fl;
	int have_flow = 0, once_f = -2, once = 0;
	size_t s;
	if (py_path_one_shot(cx->path) || py_binds_build(&b, ol, cx->context) < 0)
		return;
	for (s = 0; s < ol->nstmts; s++) {
		const struct py_stmt *st = &ol->stmts[s];
		int f = ol->blocks[st->block].func;
		struct py_assign a;
		enum py_sess_new kind;
		struct fate fa;
		char what[200], name[64];
		if (f < 0 || !py_stmt_assign(ol, (int)s, &a) || !py_tok_is(t, a.op, "=") ||
		    a.target_end != a.target_begin + 1 || t->v[a.target_begin].kind != PT_NAME)
			continue;
		kind = py_session_new(&b, st->block, a.value_begin, a.value_end, what, sizeof(what));
		if (kind == PSN_NONE)
			continue;
		if (f != once_f) {
			once_f = f;
			once = check_runs_once(cx, f) || py_def_one_shot(ol, f);
		}
		if (once)
			continue; /* the process ends with the error */
		if (!have_flow) {
			if (py_flow_build(ol, &fl) < 0)
				break;
			have_flow = 1;
		}
		if (kind == PSN_SESSION && binds_connection(t, a.value_begin, a.value_end))
			continue;
		follow(ol, &fl, f, (int)s, a.target_begin, &fa);
		if (fa.managed || fa.escapes ||
		    (fa.happy_close && !fa.yielded && swallowed_between(ol, f, st->line, fa.happy_close)))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)t->v[a.target_begin].len, py_tok_text(t, a.target_begin));
		report(cx, (int)s, kind, name, what, &fa);
	}
	if (have_flow)
		py_flow_free(&fl);
	py_binds_free(&b);
}
