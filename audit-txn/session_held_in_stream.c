/*
 * session_held_in_stream
 *
 * What it does: follows the database session a request handler receives
 * from a dependency (db: Session = Depends(get_db), session: SessionDep)
 * into work that outlives the request/response cycle:
 *   - the generator a StreamingResponse or EventSourceResponse streams,
 *     when it uses the session (a nested generator that reads it, or a
 *     generator function called with it) -- CRITICAL;
 *   - the receive loop of a websocket handler, when the session is used
 *     inside the loop without a commit, rollback or close there, or used
 *     before the loop and left in its transaction -- CRITICAL;
 *   - BackgroundTasks.add_task() or BackgroundTask() given the session (or
 *     a nested function using it) -- HIGH.
 * A generator, websocket loop or task that opens its own short-lived
 * session (async with SessionLocal() as s:) is not reported, nor a stream
 * whose generator commits, rolls back or closes the session itself.
 *
 * Why it matters: a session keeps the pooled connection of its transaction
 * until commit, rollback or close.  Used by a stream or a websocket loop,
 * it pins one connection per open client -- idle in transaction between
 * events -- and a few dozen clients empty the pool for everyone.  FastAPI
 * 0.118 and later (and before 0.106) close a dependency with yield only
 * after the response has been sent and its background tasks have run;
 * 0.106 to 0.117 close it before, and the stream or task then works on a
 * closed session, which silently checks out a new connection nothing
 * closes.
 *
 * Example:
 *     @router.get("/events")
 *     async def events(db: AsyncSession = Depends(get_db)):
 *         async def gen():
 *             while True:
 *                 rows = (await db.execute(select(Event))).scalars().all()
 *                 yield render(rows)
 *                 await asyncio.sleep(1)
 *         return StreamingResponse(gen(), media_type="text/event-stream")
 *
 * Use instead:
 *         async def gen():
 *             while True:
 *                 async with SessionLocal() as s:
 *                     rows = (await s.execute(select(Event))).scalars().all()
 *                 yield render(rows)
 *                 await asyncio.sleep(1)
 *
 * Severity: CRITICAL for streams and websocket loops, HIGH for background
 * tasks.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "pydb.h"
#include "pydb_p.h"
#include "pyfacts.h"
#include "pyindex.h"
#include "pysession.h"

/* The minor version of FastAPI from the context (115 of "0.115.12"), -1. */
static int fastapi_minor(const json_t *context)
{
	const json_t *ts = json_object_get(context, "tech_stack");
	const char *w = json_string_value(json_object_get(ts, "web"));
	const char *v = json_string_value(json_object_get(ts, "web_version"));
	if (!w || strcmp(w, "fastapi") || !v)
		return -1;
	while (*v && (*v < '0' || *v > '9'))
		v++;
	if (strncmp(v, "0.", 2))
		return -1;
	return atoi(v + 2);
}

/* The session factory to recommend: the context's first sessionmaker name. */
static const char *factory_name(const json_t *context)
{
	const json_t *f = json_object_get(json_object_get(context, "db_config"), "session_factories");
	size_t i;
	json_t *e;
	json_array_foreach(f, i, e) {
		const char *k = json_string_value(json_object_get(e, "kind"));
		const char *n = json_string_value(json_object_get(e, "name"));
		/* a factory's name, not "session = sessionmaker(bind=e)()" */
		if (k && n && strstr(k, "sessionmaker") && !strchr(n, '.') &&
		    (isupper((unsigned char)n[0]) || strstr(n, "maker") || strstr(n, "factory") ||
		     !strcmp(n, "async_session")))
			return n;
	}
	return "SessionLocal";
}

/* The def named name (length nl) nested in def f, or -1. */
static int nested_def(const struct py_outline *ol, int f, const char *name, size_t nl)
{
	size_t i;
	for (i = (size_t)f + 1; i < ol->nblocks && ol->blocks[i].line <= ol->blocks[f].end_line; i++)
		if (ol->blocks[i].kind == PB_DEF && ol->blocks[i].name && strlen(ol->blocks[i].name) == nl &&
		    !strncmp(ol->blocks[i].name, name, nl) &&
		    py_outline_enclosing(ol, ol->blocks[i].parent, PB_MASK(PB_DEF), 1) == f)
			return (int)i;
	return -1;
}

/* First token in [b,e) referring to the name p, or e. */
static uint32_t name_in(const struct py_outline *ol, const struct py_flow *fl, const char *p, uint32_t b,
			uint32_t e)
{
	const struct py_ref *r;
	size_t n, i;
	r = py_refs_find(&fl->names, p, strlen(p), &n);
	for (i = 0; i < n; i++) {
		uint32_t k = r[i].tok;
		if (k < b || k >= e || (k > 0 && py_tok_is(ol->toks, k - 1, ".")))
			continue;
		if (ol->toks->v[k].depth > 0 && py_tok_is(ol->toks, k + 1, "="))
			continue; /* f(session=other): a keyword, not the name */
		return k;
	}
	return e;
}

/* 1 when tokens [b,e) end p's transactions: p.commit(), p.rollback(),
 * p.close(), or a with p.begin(): block (it commits at its end). */
static int ends_txn(const struct py_outline *ol, const char *p, uint32_t b, uint32_t e)
{
	static const char *const enders[] = { "commit", "rollback", "close", "begin", "begin_nested", NULL };
	size_t ci, pl = strlen(p), k;
	for (ci = py_first_call_from(ol, b); ci < ol->ncalls && ol->calls[ci].lparen < e; ci++) {
		const struct py_call *c = &ol->calls[ci];
		if (c->is_ref || strncmp(c->callee, p, pl) || c->callee[pl] != '.' || strchr(c->callee + pl + 1, '.'))
			continue;
		for (k = 0; enders[k]; k++)
			if (!strcmp(c->name, enders[k]))
				return 1;
	}
	return 0;
}

/* Where def d (a nested def of the handler) uses session p: the line, 0. */
static unsigned def_uses(const struct py_outline *ol, const struct py_flow *fl, int d, const char *p)
{
	uint32_t k = name_in(ol, fl, p, ol->blocks[d].body_begin, ol->blocks[d].body_end);
	int i;
	if (k >= ol->blocks[d].body_end)
		return 0;
	for (i = 0; i < (int)ol->blocks[d].nparams; i++)
		if (!strcmp(ol->blocks[d].params[i], p))
			return 0; /* shadowed by a parameter of its own */
	return ol->toks->v[k].line;
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

/* 1 when def d of ol has a yield of its own (not in a nested def). */
static int def_yields(const struct py_outline *ol, int d)
{
	uint32_t k;
	for (k = ol->blocks[d].body_begin; k < ol->blocks[d].body_end; k++) {
		int s;
		if (!py_tok_is(ol->toks, k, "yield"))
			continue;
		s = py_outline_stmt_of_tok(ol, k);
		if (s >= 0 && ol->blocks[ol->stmts[s].block].func == d)
			return 1;
	}
	return 0;
}

/* 1 when call c makes a generator that the response iterates lazily: a
 * def of this file named like its callee that yields, or a project def
 * whose return annotation is a generator or iterator type.  Unknown
 * callees are not generators (a report must be sure). */
static int iterator_type(const struct py_fn *fn)
{
	return fn && fn->returns && (strstr(fn->returns, "Generator") || strstr(fn->returns, "Iterator") ||
				     strstr(fn->returns, "Iterable"));
}

static int makes_generator(struct check_ctx *cx, const struct py_call *c)
{
	const struct py_outline *ol = cx->ol;
	struct py_index *ix = check_project_index(cx);
	size_t i;
	int local = 0;
	if (!c->name[0] || c->is_ref)
		return 0;
	for (i = 0; i < ol->nblocks; i++)
		if (ol->blocks[i].kind == PB_DEF && ol->blocks[i].name && !strcmp(ol->blocks[i].name, c->name)) {
			if (def_yields(ol, (int)i) || (ix && iterator_type(py_index_fn_at(ix, cx->path, ol->blocks[i].line))))
				return 1;
			local = 1;
		}
	if (local || !ix)
		return 0;
	return iterator_type(py_index_fn(ix, strchr(c->callee, '.') ? "*" : NULL, c->name));
}

/*
 * Whether the streamed or scheduled expression [b,e) of handler f carries
 * session p.  A stream (stream != 0) carries it when it is a nested
 * generator of f that uses p, a generator function called with p, or a
 * generator expression over p; a task when p is among its arguments or
 * it is a nested def or lambda using p.  *line gets the line of the use;
 * *gen the nested def (or -1).
 */
static int carries(struct check_ctx *cx, const struct py_flow *fl, int f, const char *p, uint32_t b,
		   uint32_t e, int stream, unsigned *line, int *gen)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	const struct py_call *rc;
	uint32_t k, vb, ve;
	*gen = -1;
	*line = 0;
	if (b >= e)
		return 0;
	/* gen = stream_rows(db); StreamingResponse(gen) */
	if (e == b + 1 && t->v[b].kind == PT_NAME) {
		char nm[128];
		int d;
		snprintf(nm, sizeof(nm), "%.*s", (int)(t->v[b].len < 127 ? t->v[b].len : 127), py_tok_text(t, b));
		if ((d = nested_def(ol, f, nm, strlen(nm))) >= 0) {
			*gen = d; /* a function passed by name (a task) */
			return (*line = def_uses(ol, fl, d, p)) != 0;
		}
		if (py_last_assign(ol, f, nm, b, &vb, &ve))
			b = vb, e = ve;
	}
	for (k = b; k < e; k++)
		if (py_tok_is(t, k, "await"))
			return 0; /* computed before the response: nothing outlives the request */
	/* a nested generator called here: gen() */
	if (t->v[b].kind == PT_NAME && py_tok_is(t, b + 1, "(")) {
		int d = nested_def(ol, f, py_tok_text(t, b), t->v[b].len);
		if (d >= 0 && (*line = def_uses(ol, fl, d, p))) {
			*gen = d;
			return 1;
		}
	}
	k = name_in(ol, fl, p, b, e);
	if (k >= e)
		return 0;
	*line = t->v[k].line;
	if (!stream)
		return py_tok_is(t, b, "lambda") || !py_tok_is(t, k + 1, ".");
	/* (row async for row in await db.stream(q)): evaluated while streaming */
	if (py_tok_is(t, b, "(")) {
		for (vb = b + 1; vb < e; vb++)
			if (py_tok_is(t, vb, "for") && t->v[vb].depth == t->v[b].depth + 1)
				return 1;
	}
	/* stream_rows(db, ...): the generator function gets the session */
	rc = py_tok_is(t, k + 1, ".") ? NULL : ref_at(ol, k);
	return rc && rc->parent_call >= 0 && makes_generator(cx, &ol->calls[rc->parent_call]);
}

static void report(struct check_ctx *cx, unsigned line, unsigned end_line, enum severity sev,
		   const char *issue, const char *rec)
{
	check_report(cx, line, end_line ? end_line : line, sev, issue, rec);
}

/* What happens to the injected session once the handler has returned,
 * by FastAPI version (the project's own, when the context knows it). */
static void after_response(const json_t *context, int task, char *buf, size_t n)
{
	const json_t *ts = json_object_get(context, "tech_stack");
	const char *v = json_string_value(json_object_get(ts, "web_version"));
	int m = fastapi_minor(context);
	char mine[80] = "";
	if (m >= 0 && v)
		snprintf(mine, sizeof(mine), " (this project: FastAPI %.40s)", v);
	if (task)
		snprintf(buf, n,
			 "the task runs after the response has been sent, and a dependency that closes the session "
			 "after yield does so before the task runs on FastAPI 0.106 to 0.117 -- the task then works on "
			 "a closed session, which silently checks out a new connection that nothing closes -- and only "
			 "after the task on other versions, keeping the request's connection checked out meanwhile%s",
			 mine);
	else
		snprintf(buf, n,
			 "a dependency that closes the session after yield does so only once the response has been "
			 "sent (before FastAPI 0.106 and from 0.118), and on 0.106 to 0.117 closes it before the stream "
			 "starts, when the generator's first query checks out a new connection that nothing returns%s; "
			 "either way the stream holds a pooled connection, idle in transaction between chunks, for as "
			 "long as the client stays connected",
			 mine);
}

static int websocket_handler(const struct py_outline *ol, int f, char *ws, size_t n)
{
	unsigned i;
	int deco = 0;
	for (i = 0; i < ol->blocks[f].ndecorators; i++)
		if (strstr(ol->blocks[f].decorators[i], "websocket"))
			deco = 1;
	for (i = 0; i < ol->blocks[f].nparams; i++)
		if (strstr(ol->blocks[f].param_texts[i], "WebSocket") ||
		    (deco && !strcmp(ol->blocks[f].params[i], "websocket"))) {
			snprintf(ws, n, "%s", ol->blocks[f].params[i]);
			return 1;
		}
	return 0;
}

/* The outermost loop of def f that waits on websocket ws (receive*, iter_*,
 * async for over it), or -1. */
static int receive_loop(const struct py_outline *ol, int f, const char *ws)
{
	size_t ci, wl = strlen(ws);
	int best = -1;
	for (ci = py_first_call_from(ol, ol->blocks[f].body_begin);
	     ci < ol->ncalls && ol->calls[ci].lparen < ol->blocks[f].body_end; ci++) {
		const struct py_call *c = &ol->calls[ci];
		int l, o;
		if (c->is_ref || c->func != f || strncmp(c->callee, ws, wl) || c->callee[wl] != '.' ||
		    (strncmp(c->name, "receive", 7) && strncmp(c->name, "iter_", 5)))
			continue;
		for (l = py_outline_enclosing(ol, c->block, PB_MASK(PB_FOR) | PB_MASK(PB_WHILE), 0), o = l; l >= 0;
		     l = py_outline_enclosing(ol, ol->blocks[l].parent, PB_MASK(PB_FOR) | PB_MASK(PB_WHILE), 0))
			o = l;
		if (o < 0) {
			/* async for msg in websocket.iter_text(): the call is the loop's iterable */
			int s = py_outline_stmt_of_tok(ol, c->name_begin);
			if (s >= 0 && ol->stmts[s].opens >= 0 && ol->blocks[ol->stmts[s].opens].kind == PB_FOR)
				o = ol->stmts[s].opens;
		}
		if (o >= 0 && (best < 0 || ol->blocks[o].line < ol->blocks[best].line))
			best = o;
	}
	return best;
}

static void check_websocket(struct check_ctx *cx, const struct py_binds *b, int f, const char *p,
			    const char *ws)
{
	const struct py_outline *ol = cx->ol;
	int loop = receive_loop(ol, f, ws);
	size_t ci;
	const struct py_call *first_in = NULL, *last_before = NULL;
	char issue[1200], rec[700], where[160];
	if (loop < 0)
		return;
	for (ci = py_first_call_from(ol, ol->blocks[f].body_begin);
	     ci < ol->ncalls && ol->calls[ci].lparen < ol->blocks[f].body_end; ci++) {
		const struct py_call *c = &ol->calls[ci];
		struct py_dbop_info info;
		enum py_dbop op;
		if (c->is_ref || c->func != f)
			continue;
		op = py_call_dbop(b, ci, &info);
		if (op == DBOP_NONE || op == DBOP_COMMIT || op == DBOP_ROLLBACK || op == DBOP_OTHER || strcmp(info.recv, p))
			continue;
		if (c->name_begin >= ol->blocks[loop].hdr_begin && c->name_begin < ol->blocks[loop].body_end) {
			if (!first_in)
				first_in = c;
		} else if (c->line < ol->blocks[loop].line) {
			last_before = c;
		}
	}
	py_func_describe(ol, f, where, sizeof(where));
	snprintf(rec, sizeof(rec),
		 "Drop the injected session from the websocket handler and open a short-lived one per message inside "
		 "the loop (`async with %s() as s:` around the work of one message), so no connection is held while "
		 "the handler waits for the client",
		 factory_name(cx->context));
	if (first_in && !ends_txn(ol, p, ol->blocks[loop].hdr_begin, ol->blocks[loop].body_end)) {
		snprintf(issue, sizeof(issue),
			 "The injected session `%s` of %s is used inside its receive loop (line %u) and never "
			 "committed, rolled back or closed there: the dependency closes it only when the websocket "
			 "disconnects, so each connected client pins a pooled connection, idle in transaction while "
			 "it waits for the next message, and a few dozen clients empty the pool",
			 p, where, ol->blocks[loop].line);
		report(cx, first_in->line, first_in->end_line, SEV_CRITICAL, issue, rec);
	} else if (!first_in && last_before &&
		   !ends_txn(ol, p, last_before->rparen, ol->blocks[loop].hdr_begin)) {
		snprintf(issue, sizeof(issue),
			 "The injected session `%s` of %s opens a transaction here and keeps it across the receive "
			 "loop at line %u: the dependency closes it only when the websocket disconnects, so each "
			 "connected client pins a pooled connection, idle in transaction, and a few dozen clients "
			 "empty the pool",
			 p, where, ol->blocks[loop].line);
		snprintf(rec, sizeof(rec),
			 "Finish with the session before the loop (`await %s.commit()` or `await %s.close()` after the "
			 "last query), or load what the loop needs with a short-lived `async with %s() as s:` and drop "
			 "the injected session",
			 p, p, factory_name(cx->context));
		report(cx, last_before->line, last_before->end_line, SEV_CRITICAL, issue, rec);
	}
}

/* The call ci of add_task/BackgroundTask or of a streaming response. */
enum target { TG_NONE, TG_STREAM, TG_TASK };

static enum target target_of(const struct py_call *c)
{
	if (c->is_ref)
		return TG_NONE;
	if (!strcmp(c->name, "StreamingResponse") || !strcmp(c->name, "EventSourceResponse"))
		return TG_STREAM;
	if ((!strcmp(c->name, "add_task") && strchr(c->callee, '.')) || !strcmp(c->name, "BackgroundTask"))
		return TG_TASK;
	return TG_NONE;
}

/* A path operation that is itself a generator (FastAPI streams what it
 * yields, JSON lines or server-sent events) and uses session p while it
 * streams. */
static void check_generator_handler(struct check_ctx *cx, const struct py_binds *b, int f, const char *p)
{
	const struct py_outline *ol = cx->ol;
	char issue[1400], rec[700], where[160], why[900];
	size_t ci;
	if (!def_yields(ol, f) || ends_txn(ol, p, ol->blocks[f].body_begin, ol->blocks[f].body_end))
		return;
	for (ci = py_first_call_from(ol, ol->blocks[f].body_begin);
	     ci < ol->ncalls && ol->calls[ci].lparen < ol->blocks[f].body_end; ci++) {
		const struct py_call *c = &ol->calls[ci];
		struct py_dbop_info info;
		enum py_dbop op;
		if (c->is_ref || c->func != f)
			continue;
		op = py_call_dbop(b, ci, &info);
		if (op == DBOP_NONE || op == DBOP_OTHER || strcmp(info.recv, p))
			continue;
		py_func_describe(ol, f, where, sizeof(where));
		after_response(cx->context, 0, why, sizeof(why));
		snprintf(issue, sizeof(issue),
			 "%s yields its response as a stream and uses the injected session `%s` while streaming: %s -- "
			 "one pooled connection per open stream, and a few dozen clients empty the pool",
			 where, p, why);
		snprintf(rec, sizeof(rec),
			 "Open a short-lived session per unit of work inside the stream (`async with %s() as s:` around "
			 "each query) instead of the injected one, and hold none while waiting for the next item",
			 factory_name(cx->context));
		report(cx, c->line, c->end_line, SEV_CRITICAL, issue, rec);
		return;
	}
}

static void check_handler(struct check_ctx *cx, const struct py_binds *b, const struct py_flow *fl, int f,
			  const char *p)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	char ws[64], issue[1800], rec[800], where[160], why[900];
	size_t ci;
	py_func_describe(ol, f, where, sizeof(where));
	if (websocket_handler(ol, f, ws, sizeof(ws)))
		check_websocket(cx, b, f, p, ws);
	else
		check_generator_handler(cx, b, f, p);
	for (ci = py_first_call_from(ol, ol->blocks[f].body_begin);
	     ci < ol->ncalls && ol->calls[ci].lparen < ol->blocks[f].body_end; ci++) {
		const struct py_call *c = &ol->calls[ci];
		enum target tg = target_of(c);
		uint32_t ab, ae;
		unsigned line = 0;
		int gen = -1, idx;
		if (tg == TG_NONE || ol->blocks[c->block].func != f)
			continue;
		if (tg == TG_STREAM) {
			if (!pydb_call_arg(ol, c, 0, &ab, &ae) || !carries(cx, fl, f, p, ab, ae, 1, &line, &gen))
				continue;
			if (gen >= 0 && ends_txn(ol, p, ol->blocks[gen].body_begin, ol->blocks[gen].body_end))
				continue; /* the generator ends its own transactions */
			after_response(cx->context, 0, why, sizeof(why));
			snprintf(issue, sizeof(issue),
				 "%s() in %s streams a generator that uses the injected session `%s` (line %u): %s -- "
				 "one pooled connection per open stream, and a few dozen clients empty the pool",
				 c->name, where, p, line, why);
			snprintf(rec, sizeof(rec),
				 "Do not stream from the request's session: inside the generator open a short-lived "
				 "session per unit of work (`async with %s() as s:` around each query) and hold none "
				 "between chunks, or load the rows before returning the response and close the session",
				 factory_name(cx->context));
			report(cx, c->line, c->end_line, SEV_CRITICAL, issue, rec);
			continue;
		}
		/* add_task(fn, *args): the arguments after the function, and the function itself when nested */
		for (idx = 0; pydb_call_arg(ol, c, idx, &ab, &ae); idx++) {
			int lambda = py_tok_is(t, ab, "lambda");
			if (idx == 0 && !lambda && !(ae == ab + 1 && t->v[ab].kind == PT_NAME))
				continue; /* the task function itself, unless a nested def or a lambda */
			if (carries(cx, fl, f, p, ab, ae, 0, &line, &gen) && (idx > 0 || gen >= 0 || lambda))
				break;
		}
		if (!pydb_call_arg(ol, c, idx, &ab, &ae))
			continue;
		after_response(cx->context, 1, why, sizeof(why));
		snprintf(issue, sizeof(issue),
			 "%s() in %s hands the injected session `%s` to a background task%s%s%s, but the session belongs "
			 "to the request: %s",
			 c->name, where, p, gen >= 0 ? " (" : "", gen >= 0 ? ol->blocks[gen].name : "",
			 gen >= 0 ? " uses it)" : "", why);
		snprintf(rec, sizeof(rec),
			 "Pass ids and values to the task, not the session, and open a session inside the task for its "
			 "own unit of work (`%swith %s() as db:`)",
			 py_def_async(ol, f) ? "async " : "", factory_name(cx->context));
		report(cx, c->line, c->end_line, SEV_HIGH, issue, rec);
	}
}

void check_session_held_in_stream(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct py_binds b;
	struct py_flow fl;
	int have = 0;
	size_t f;
	for (f = 0; f < ol->nblocks; f++) {
		const struct py_block *d = &ol->blocks[f];
		unsigned i;
		if (d->kind != PB_DEF || !d->handler || d->nparams == 0 ||
		    (d->parent >= 0 && py_outline_enclosing(ol, d->parent, PB_MASK(PB_DEF), 1) >= 0))
			continue;
		for (i = 0; i < d->nparams; i++)
			if (strstr(d->param_texts[i], "Depends") || strchr(d->param_texts[i], ':'))
				break;
		if (i == d->nparams)
			continue;
		if (!have) {
			if (py_binds_build(&b, ol, cx->context) < 0)
				return;
			if (py_flow_build(ol, &fl) < 0) {
				py_binds_free(&b);
				return;
			}
			have = 1;
		}
		for (i = 0; i < d->nparams; i++)
			if (py_param_injected_session(&b, (int)f, i))
				check_handler(cx, &b, &fl, (int)f, d->params[i]);
	}
	if (have) {
		py_flow_free(&fl);
		py_binds_free(&b);
	}
}
