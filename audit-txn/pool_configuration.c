/*
 * pool_configuration
 *
 * What it does: reads every SQLAlchemy (or SQLModel) create_engine() and
 * create_async_engine() call of a project that serves HTTP and reports
 * the pool settings it can see: no pool_pre_ping and no pool_recycle
 * (HIGH); an unbounded pool, max_overflow=-1 or pool_size=0 (MEDIUM); and
 * poolclass=NullPool (MEDIUM).  Keyword arguments passed as **options are
 * read when options is a dict display assigned in the same def; anything
 * it cannot read whole (a **kwargs parameter, a poolclass variable,
 * pool settings in a literal URL's query) is not reported.  SQLite engines,
 * engines of one-shot programs (scripts/, bin/, CLI commands, __main__
 * scripts, alembic env.py, tests) and wrappers of the project that happen
 * to be called create_engine are skipped.
 *
 * Why it matters: a pooled connection can die while it sits idle: the
 * database restarts or fails over, a proxy or load balancer drops idle
 * TCP connections, MySQL closes them after wait_timeout.  Without
 * pool_pre_ping (a liveness check on checkout) or pool_recycle (a maximum
 * connection age), the pool hands the dead connection to the next request,
 * which fails.  SQLAlchemy's default overflow (10 above pool_size=5) is a
 * bound; max_overflow=-1 removes it, and a burst can then open more
 * connections than the server accepts.  NullPool opens and closes a
 * real connection for every checkout.
 *
 * Example:
 *     engine = create_engine(settings.DATABASE_URL)
 *
 * Use instead:
 *     engine = create_engine(settings.DATABASE_URL, pool_pre_ping=True, pool_recycle=1800)
 *
 * Severity: HIGH for neither pre-ping nor recycle, MEDIUM for an unbounded
 * pool or NullPool.  One finding per engine, at the create_engine line.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "pydb.h"
#include "pyfacts.h"
#include "pyindex.h"
#include "pysession.h"

enum opt { OPT_ABSENT, OPT_OFF, OPT_SET };

/* What one engine call says about its pool. */
struct engine {
	enum opt pre_ping, recycle;
	int overflow_unbounded; /* max_overflow=-1 */
	int size_unbounded;     /* pool_size=0 */
	int nullpool;           /* poolclass=NullPool */
	int skip;               /* SQLite, a non-queue pool class, options we cannot read whole */
	int pgbouncer;          /* the asyncpg statement cache turned off: a transaction pooler in front */
	uint32_t url_b, url_e;  /* the URL argument, or url_b == url_e */
};

/* 1 when token k of any kind (numbers included) is spelled s. */
static int tok_text_is(const struct py_toks *t, uint32_t k, const char *s)
{
	return k < t->n && t->v[k].len == strlen(s) && !strncmp(py_tok_text(t, k), s, t->v[k].len);
}

/* 1 when tokens [b,e) are exactly the literal s ("-1" spans two tokens). */
static int lit_is(const struct py_toks *t, uint32_t b, uint32_t e, const char *s)
{
	if (s[0] == '-' && e == b + 2 && py_tok_is(t, b, "-"))
		return tok_text_is(t, b + 1, s + 1);
	return e == b + 1 && tok_text_is(t, b, s);
}

/* 1 when a string token of [b,e) contains needle (case-insensitive). */
static int strings_mention(const struct py_toks *t, uint32_t b, uint32_t e, const char *needle)
{
	size_t nl = strlen(needle);
	uint32_t k;
	for (k = b; k < e && k < t->n; k++) {
		const char *s = py_tok_text(t, k);
		size_t i;
		if (t->v[k].kind != PT_STRING && t->v[k].kind != PT_NAME)
			continue;
		for (i = 0; i + nl <= t->v[k].len; i++)
			if (!strncasecmp(s + i, needle, nl))
				return 1;
	}
	return 0;
}

/* Applies option key (length kl) with value tokens [vb,ve) to e. */
static void apply(struct engine *e, const struct py_toks *t, const char *key, size_t kl, uint32_t vb,
		  uint32_t ve)
{
#define KEY(s) (kl == strlen(s) && !strncmp(key, s, kl))
	if (vb >= ve)
		return;
	if (KEY("pool_pre_ping"))
		e->pre_ping = lit_is(t, vb, ve, "False") || lit_is(t, vb, ve, "None") || lit_is(t, vb, ve, "0") ? OPT_OFF
												       : OPT_SET;
	else if (KEY("pool_recycle"))
		e->recycle = lit_is(t, vb, ve, "-1") || lit_is(t, vb, ve, "None") ? OPT_OFF : OPT_SET;
	else if (KEY("max_overflow"))
		e->overflow_unbounded = lit_is(t, vb, ve, "-1");
	else if (KEY("pool_size"))
		e->size_unbounded = lit_is(t, vb, ve, "0");
	else if (KEY("poolclass")) {
		const char *last = py_tok_text(t, ve - 1);
		size_t ll = t->v[ve - 1].len;
		if (t->v[ve - 1].kind == PT_NAME && ll == 8 && !strncmp(last, "NullPool", 8))
			e->nullpool = 1;
		else if (!(t->v[ve - 1].kind == PT_NAME && ll >= 9 && !strncmp(last + ll - 9, "QueuePool", 9)))
			e->skip = 1; /* StaticPool, SingletonThreadPool, or a variable */
	} else if (KEY("connect_args")) {
		if (strings_mention(t, vb, ve, "check_same_thread"))
			e->skip = 1; /* sqlite3 */
		if (strings_mention(t, vb, ve, "statement_cache_size"))
			e->pgbouncer = 1;
	} else if (KEY("url") && !e->url_e) {
		e->url_b = vb;
		e->url_e = ve;
	}
#undef KEY
}

/* Reads the keys of a dict display or dict(...) call at [vb,ve) into e;
 * 0 when it is neither. */
static int apply_dict(struct engine *e, const struct py_toks *t, uint32_t vb, uint32_t ve)
{
	int call = ve > vb + 2 && py_tok_is(t, vb, "dict") && py_tok_is(t, vb + 1, "(");
	uint32_t open = call ? vb + 1 : vb, k, a;
	unsigned d;
	if (!(call || py_tok_is(t, vb, "{")) || py_tok_close(t, open, ve) != ve - 1)
		return 0;
	d = t->v[open].depth + 1;
	for (a = k = open + 1; k < ve; k++) {
		if (k != ve - 1 && !(t->v[k].depth == d && py_tok_is(t, k, ",")))
			continue;
		if (call && k > a + 2 && t->v[a].kind == PT_NAME && py_tok_is(t, a + 1, "="))
			apply(e, t, py_tok_text(t, a), t->v[a].len, a + 2, k);
		else if (!call && k > a + 2 && t->v[a].kind == PT_STRING && py_tok_is(t, a + 1, ":") &&
			 t->v[a].len >= 2)
			apply(e, t, py_tok_text(t, a) + 1, t->v[a].len - 2, a + 2, k);
		else if (k > a)
			return 0; /* **other or a computed key */
		a = k + 1;
	}
	return 1;
}

/* Reads **name of def f passed at token at: its dict display, and the
 * string-keyed item assignments between it and the call.  0 when the
 * options cannot be read whole. */
static int apply_kwargs(struct engine *e, const struct py_outline *ol, const struct py_flow *fl, int f,
			uint32_t name, uint32_t at)
{
	const struct py_toks *t = ol->toks;
	const struct py_ref *r;
	uint32_t vb, ve;
	size_t n, i;
	char nm[128];
	int s_assign;
	if (t->v[name].kind != PT_NAME || t->v[name].len >= sizeof(nm))
		return 0;
	snprintf(nm, sizeof(nm), "%.*s", (int)t->v[name].len, py_tok_text(t, name));
	if (!py_last_assign(ol, f, nm, at, &vb, &ve) || !apply_dict(e, t, vb, ve))
		return 0;
	s_assign = py_outline_stmt_of_tok(ol, vb);
	r = py_refs_find(&fl->names, nm, strlen(nm), &n);
	for (i = 0; i < n; i++) {
		uint32_t k = r[i].tok, close;
		if (k < vb || k >= at || r[i].stmt == s_assign || ol->blocks[ol->stmts[r[i].stmt].block].func != f)
			continue;
		/* options["pool_pre_ping"] = True */
		if (py_tok_is(t, k + 1, "[") && t->v[k + 2].kind == PT_STRING && py_tok_is(t, k + 3, "]") &&
		    py_tok_is(t, k + 4, "=") && t->v[k + 2].len >= 2) {
			close = ol->stmts[r[i].stmt].tok_end;
			apply(e, t, py_tok_text(t, k + 2) + 1, t->v[k + 2].len - 2, k + 5, close);
			continue;
		}
		return 0; /* update(), a loop, a computed key: not read whole */
	}
	return 1;
}

/* Reads the arguments of engine call c into e. */
static void read_call(struct engine *e, const struct py_outline *ol, const struct py_flow *fl,
		      const struct py_call *c)
{
	const struct py_toks *t = ol->toks;
	unsigned d = t->v[c->lparen].depth + 1;
	uint32_t k, a = c->lparen + 1;
	int npos = 0;
	for (k = a; k <= c->rparen && k < t->n; k++) {
		if (k < c->rparen && !(t->v[k].depth == d && py_tok_is(t, k, ",")))
			continue;
		if (k > a) {
			if (py_tok_is(t, a, "**")) {
				if (k != a + 2 || !apply_kwargs(e, ol, fl, c->func, a + 1, c->lparen))
					e->skip = 1;
			} else if (t->v[a].kind == PT_NAME && py_tok_is(t, a + 1, "=")) {
				apply(e, t, py_tok_text(t, a), t->v[a].len, a + 2, k);
			} else if (!py_tok_is(t, a, "*") && npos++ == 0) {
				e->url_b = a;
				e->url_e = k;
			}
		}
		a = k + 1;
	}
}

/* Looks at the URL: SQLite, pool options in a literal's query, a PgBouncer
 * port or host.  A name assigned a literal in the same def is followed. */
static void read_url(struct engine *e, const struct py_outline *ol, int f, const json_t *context)
{
	const struct py_toks *t = ol->toks;
	uint32_t b = e->url_b, end = e->url_e, vb, ve;
	const char *db = json_string_value(json_object_get(json_object_get(context, "tech_stack"), "db"));
	if (b < end && end == b + 1 && t->v[b].kind == PT_NAME && t->v[b].len < 100) {
		char nm[100];
		snprintf(nm, sizeof(nm), "%.*s", (int)t->v[b].len, py_tok_text(t, b));
		if (py_last_assign(ol, f, nm, b, &vb, &ve) && ve == vb + 1 && t->v[vb].kind == PT_STRING)
			b = vb, end = ve;
	}
	if (b < end && t->v[b].kind == PT_STRING && end == b + 1) {
		const char *s = py_tok_text(t, b);
		size_t i = 0;
		while (i < t->v[b].len && (s[i] == '"' || s[i] == '\'' || s[i] == 'r' || s[i] == 'f' || s[i] == 'u'))
			i++;
		if (t->v[b].len - i >= 6 && !strncasecmp(s + i, "sqlite", 6))
			e->skip = 1;
		if (strings_mention(t, b, end, "pool_"))
			e->skip = 1; /* options in the query string: not read */
		if (strings_mention(t, b, end, "pgbouncer") || strings_mention(t, b, end, ":6432"))
			e->pgbouncer = 1;
		return;
	}
	if (strings_mention(t, b, end, "sqlite") || (db && !strcasecmp(db, "sqlite")))
		e->skip = 1;
}

/* 1 when def f starts or stops a web application (its engine serves requests). */
static int startup_hook(const struct py_outline *ol, int f)
{
	const char *n = ol->blocks[f].name ? ol->blocks[f].name : "";
	size_t l = strlen(n);
	unsigned i;
	if (strstr(n, "lifespan") || !strcmp(n, "startup") || !strcmp(n, "on_startup") ||
	    (l > 8 && !strcmp(n + l - 8, "_startup")))
		return 1;
	for (i = 0; i < ol->blocks[f].ndecorators; i++)
		if (strstr(ol->blocks[f].decorators[i], "on_event") ||
		    strstr(ol->blocks[f].decorators[i], "before_serving") ||
		    strstr(ol->blocks[f].decorators[i], "on_startup"))
			return 1;
	return 0;
}

/* 1 when the engine of def f belongs to a one-shot program, not to the service. */
static int one_shot(struct check_ctx *cx, int f)
{
	const struct py_outline *ol = cx->ol;
	struct py_index *ix;
	const struct py_fn *fn;
	int outer = f;
	if (py_path_one_shot(cx->path) || py_def_one_shot(ol, f))
		return 1;
	if (f < 0)
		return 0;
	while (ol->blocks[outer].parent >= 0) {
		int up = py_outline_enclosing(ol, ol->blocks[outer].parent, PB_MASK(PB_DEF), 1);
		if (up < 0)
			break;
		outer = up;
	}
	if (startup_hook(ol, outer) || startup_hook(ol, f))
		return 0;
	/* the index's run-once defs, startup hooks aside: called only from a
	 * __main__ block, seeders, init_db */
	ix = check_project_index(cx);
	fn = ix ? py_index_fn_at(ix, cx->path, ol->blocks[outer].line) : NULL;
	return fn && fn->once;
}

/* 1 when the name at token n is declared global in def f. */
static int declared_global(const struct py_outline *ol, const struct py_flow *fl, int f, uint32_t n)
{
	const struct py_toks *t = ol->toks;
	const struct py_ref *r;
	size_t k, cnt;
	r = py_refs_find(&fl->names, py_tok_text(t, n), t->v[n].len, &cnt);
	for (k = 0; k < cnt; k++)
		if (r[k].stmt >= 0 && ol->blocks[ol->stmts[r[k].stmt].block].func == f &&
		    py_tok_is(t, ol->stmts[r[k].stmt].tok_begin, "global"))
			return 1;
	return 0;
}

/* 1 when the target [b,e) of an assignment in def f keeps its value past
 * the call: a module global, or an attribute of something other than
 * self/cls (app.state.engine); 2 for a plain local name. */
static int target_lives(const struct py_outline *ol, const struct py_flow *fl, int f, uint32_t b, uint32_t e)
{
	const struct py_toks *t = ol->toks;
	if (e == b + 1 && t->v[b].kind == PT_NAME)
		return declared_global(ol, fl, f, b) ? 1 : 2;
	if (py_tok_is(t, b, "self") || py_tok_is(t, b, "cls"))
		return 0; /* an instance's engine: its lifetime is the object's, unknown here */
	return 1;
}

/* 1 when the engine built by statement s of def f outlives the call of f
 * (the service's engine, made by a factory or a setup function), 0 for an
 * engine used and dropped inside f or kept on an instance. */
static int engine_lives(const struct py_outline *ol, const struct py_flow *fl, int f, int s)
{
	const struct py_toks *t = ol->toks;
	const struct py_ref *r;
	struct py_assign a;
	size_t k, n;
	int lives;
	if (f < 0 || py_tok_is(t, ol->stmts[s].tok_begin, "return"))
		return 1;
	if (!py_stmt_assign(ol, s, &a) || !py_tok_is(t, a.op, "="))
		return 0;
	lives = target_lives(ol, fl, f, a.target_begin, a.target_end);
	if (lives != 2)
		return lives;
	/* engine = create_engine(...); return engine / app.state.engine = engine /
	 * SessionLocal = sessionmaker(bind=engine) with SessionLocal global */
	r = py_refs_find(&fl->names, py_tok_text(t, a.target_begin), t->v[a.target_begin].len, &n);
	for (k = 0; k < n; k++) {
		struct py_assign u;
		int rs = r[k].stmt;
		if (r[k].tok <= a.target_begin || rs < 0 || ol->blocks[ol->stmts[rs].block].func != f)
			continue;
		if (py_tok_is(t, ol->stmts[rs].tok_begin, "return") ||
		    (py_stmt_assign(ol, rs, &u) && r[k].tok >= u.value_begin &&
		     target_lives(ol, fl, f, u.target_begin, u.target_end) == 1))
			return 1;
	}
	return 0;
}

/* 1 when a comment or string of the file names PgBouncer. */
static int file_mentions_pgbouncer(const struct py_toks *t)
{
	size_t i;
	for (i = 0; i < t->ncomments; i++) {
		const char *s = t->src + t->comments[i].off;
		size_t k;
		for (k = 0; k + 9 <= t->comments[i].len; k++)
			if (!strncasecmp(s + k, "pgbouncer", 9))
				return 1;
	}
	return strings_mention(t, 0, (uint32_t)t->n, "pgbouncer");
}

/* 1 when the file listens to "engine_connect" or "checkout" pool events:
 * the ping-on-checkout recipe that predates pool_pre_ping. */
static int file_pings(const struct py_toks *t)
{
	size_t i;
	for (i = 0; i < t->n; i++) {
		const char *s = py_tok_text(t, i);
		size_t l = t->v[i].len;
		if (t->v[i].kind == PT_STRING && l >= 10 && l <= 16 &&
		    (!strncmp(s + 1, "engine_connect", 14) || !strncmp(s + 1, "checkout", 8)) &&
		    (s[l - 1] == '"' || s[l - 1] == '\''))
			return 1;
	}
	return 0;
}

/* 1 when the project runs as serverless functions (NullPool is right there). */
static int serverless(const struct check_ctx *cx)
{
	static const char *const libs[] = { "mangum", "chalice", "zappa", "aws-lambda-powertools",
					    "functions-framework", "aws_lambda_powertools", NULL };
	const json_t *deps = json_object_get(json_object_get(cx->context, "tech_stack"), "dependencies");
	size_t i;
	for (i = 0; libs[i]; i++)
		if (json_object_get(deps, libs[i]))
			return 1;
	for (i = 0; i < cx->ol->nblocks; i++)
		if (cx->ol->blocks[i].kind == PB_DEF && cx->ol->blocks[i].name &&
		    (!strcmp(cx->ol->blocks[i].name, "lambda_handler") ||
		     (!strcmp(cx->ol->blocks[i].name, "handler") && cx->ol->blocks[i].nparams == 2 &&
		      !strcmp(cx->ol->blocks[i].params[0], "event"))))
			return 1;
	return 0;
}

/* Appends to buf (size n) at *o, never past its end. */
static void cat(char *buf, size_t n, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int w;
	if (*o >= n)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *o, n - *o, fmt, ap);
	va_end(ap);
	if (w > 0)
		*o = *o + (size_t)w < n ? *o + (size_t)w : n - 1;
}

static void report(struct check_ctx *cx, const struct py_call *c, const struct engine *e, int high,
		   int nullpool, const char *web)
{
	const struct py_outline *ol = cx->ol;
	char issue[1600], rec[1000], name[140] = "";
	size_t o = 0, r = 0;
	struct py_assign a;
	const char *sep = " ";
	if (py_stmt_assign(ol, c->stmt, &a) && a.value_begin == c->name_begin && a.target_end > a.target_begin) {
		char *tx = py_outline_text(ol, a.target_begin, a.target_end);
		if (tx)
			snprintf(name, sizeof(name), " (%.120s)", tx);
		free(tx);
	}
	cat(issue, sizeof(issue), &o, "%s()%s builds the connection pool of this %s service", c->name, name, web);
	if (high) {
		cat(issue, sizeof(issue), &o,
		    " without pool_pre_ping and without pool_recycle: after a database restart or failover, or once "
		    "a proxy, load balancer or server idle timeout has dropped idle connections, the pool hands "
		    "dead connections to requests, which fail");
		cat(rec, sizeof(rec), &r,
		    "Pass pool_pre_ping=True (a liveness check on each checkout) and a pool_recycle below the "
		    "shortest idle timeout between the app and the database (e.g. pool_recycle=1800 when a proxy "
		    "drops connections idle for an hour)");
		sep = "; and with ";
	}
	if (e->overflow_unbounded || e->size_unbounded) {
		cat(issue, sizeof(issue), &o,
		    "%s%s: nothing bounds the number of connections, so a burst of requests opens more connections "
		    "than the database accepts (SQLAlchemy's default, pool_size=5 with max_overflow=10, is a bound)",
		    high ? sep : " with ", e->overflow_unbounded ? "max_overflow=-1" : "pool_size=0");
		cat(rec, sizeof(rec), &r,
		    "%sBound the pool: a finite max_overflow, sized so that processes x (pool_size + max_overflow) "
		    "stays below the server's max_connections", r ? "; " : "");
		sep = "; and with ";
	}
	if (nullpool) {
		cat(issue, sizeof(issue), &o,
		    "%spoolclass=NullPool: every checkout opens a new database connection (TCP, TLS, authentication, "
		    "a new server process) and closes it at checkin, on every request",
		    o && strcmp(sep, " ") ? sep : " with ");
		cat(rec, sizeof(rec), &r,
		    "%sDrop poolclass=NullPool and keep the default %s, with pool_pre_ping=True; NullPool fits one-shot "
		    "scripts, serverless functions, and a server-side pooler such as PgBouncer in front",
		    r ? "; " : "", strcmp(c->name, "create_async_engine") ? "QueuePool" : "AsyncAdaptedQueuePool");
	}
	check_report(cx, c->line, c->end_line, high ? SEV_HIGH : SEV_MEDIUM, issue, rec);
}

void check_pool_configuration(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct py_binds b;
	struct py_flow fl;
	const char *web = NULL;
	int served = -1, pgb = -1, sls = -1, ping = -1;
	size_t ci;
	if (py_path_one_shot(cx->path))
		return;
	for (ci = 0; ci < ol->ncalls; ci++)
		if (!ol->calls[ci].is_ref && (!strcmp(ol->calls[ci].name, "create_engine") ||
					      !strcmp(ol->calls[ci].name, "create_async_engine")))
			break;
	if (ci == ol->ncalls)
		return;
	if (py_binds_build(&b, ol, cx->context) < 0)
		return;
	if (py_flow_build(ol, &fl) < 0) {
		py_binds_free(&b);
		return;
	}
	for (; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		struct engine e;
		char q[320];
		int high, nullpool;
		if (c->is_ref || (strcmp(c->name, "create_engine") && strcmp(c->name, "create_async_engine")))
			continue;
		py_binds_qualify(&b, c->callee, q, sizeof(q));
		if (strncmp(q, "sqlalchemy.", 11) && strncmp(q, "sqlmodel.", 9))
			continue; /* a wrapper of the project, or unknown */
		if (served < 0) {
			served = py_serves_http(cx->context, check_project_index(cx));
			web = py_web_framework(cx->context);
		}
		if (!served)
			break;
		memset(&e, 0, sizeof(e));
		read_call(&e, ol, &fl, c);
		read_url(&e, ol, c->func, cx->context);
		if (e.skip || one_shot(cx, c->func))
			continue;
		if (c->func >= 0 && !startup_hook(ol, c->func) && !engine_lives(ol, &fl, c->func, c->stmt))
			continue; /* a throwaway engine of one operation, not the service's pool */
		nullpool = e.nullpool;
		if (nullpool) {
			if (pgb < 0)
				pgb = file_mentions_pgbouncer(ol->toks);
			if (sls < 0)
				sls = serverless(cx);
			if (e.pgbouncer || pgb || sls)
				nullpool = 0;
		}
		/* NullPool connects afresh on each checkout: pre-ping and recycle do not apply */
		high = !e.nullpool && e.pre_ping != OPT_SET && e.recycle != OPT_SET;
		if (high && ping < 0)
			ping = file_pings(ol->toks);
		if (ping > 0)
			high = 0; /* the pessimistic-disconnect recipe: a ping in an event listener */
		if (high || nullpool || e.overflow_unbounded || e.size_unbounded)
			report(cx, c, &e, high, nullpool, web ? web : "web");
	}
	py_flow_free(&fl);
	py_binds_free(&b);
}
