/*
 * sync_db_in_async
 *
 * What it does:
 *   Finds async defs that query through a synchronous database session or
 *   connection: a parameter annotated with SQLAlchemy's or SQLModel's
 *   Session or Connection, a Depends(provider) whose provider yields a
 *   sync Session (resolved through the project index), a Session(engine),
 *   sessionmaker()() or sync session factory (SessionLocal()) opened
 *   inside, sqlite3/psycopg2/pymysql connections.  One finding per
 *   function, at its first database call, with the number of calls and
 *   the sync helpers the session is handed to.
 *
 * Why it matters:
 *   Every query of a sync session waits for the database on the thread
 *   that runs it; in an async def that thread is the event loop, so each
 *   round trip stalls every other request and task.  Under load the
 *   server serialises on the database's latency.  Sessions that are
 *   awaited (AsyncSession), work handed to to_thread/run_in_threadpool,
 *   and sync defs (FastAPI runs those in its threadpool) are not reported.
 *
 * Severity:
 *   HIGH in a request handler, an async Depends provider or an HTTP
 *   middleware, MEDIUM elsewhere; one level down in code that runs once
 *   (startup, scripts)
 *
 * Example:
 *   @router.get("/books/{book_id}")
 *   async def get_book(book_id: int, db: Session = Depends(get_db)):
 *       return db.get(Book, book_id)
 *
 * Use instead:
 *   @router.get("/books/{book_id}")
 *   def get_book(book_id: int, db: Session = Depends(get_db)):
 *       return db.get(Book, book_id)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "pyblock.h"
#include "pydb.h"
#include "pyfacts.h"
#include "pyindex.h"

#define MAX_SESS 8
#define MAX_HELPERS 4

/* A sync session or connection an async def holds. */
struct sess {
	char name[128];            /* "db", "self.session", "cur" */
	const struct py_bind *bd;  /* the binding that makes name this session (NULL: an unbound parameter) */
	char how[256];             /* where it comes from, for the message */
	int driver;                /* a DB-API connection (sqlite3, psycopg2...), not SQLAlchemy */
	int async_seen;            /* awaited somewhere: an async session after all */
	int inferred;              /* its type is not known: sync only when it is queried and never awaited */
	unsigned ncalls, ndirect, first_line, first_end;
	char first[160];           /* the first database call as written (a direct one when there is) */
	char helpers[MAX_HELPERS][128];
	int nhelpers, more_helpers;
};

struct fstate {
	struct sess s[MAX_SESS];
	int n;
};

static const char *last_of(const char *chain)
{
	const char *p = strrchr(chain, '.');
	return p ? p + 1 : chain;
}

static int in_list(const char *s, const char *const *l)
{
	for (; *l; l++)
		if (!strcmp(s, *l))
			return 1;
	return 0;
}

/* ---- the provider of a Depends(...) */

/* The module-level def that name (as written in Depends(name)) refers to
 * from a file of module cur: through the imports, else a def of the same
 * module, else the only module-level def of that name.  NULL otherwise. */
static const struct py_fn *provider_def(struct py_index *ix, const struct py_binds *b, const char *cur,
					const char *name)
{
	char q[256];
	const char *fname = last_of(name), *mod, *m;
	size_t lo = 0, hi, ml, i;
	const struct py_fn *hit = NULL;
	int n = 0;
	py_index_resolve(ix);
	if (!ix->fn_by_name)
		return NULL;
	py_binds_qualify(b, name, q, sizeof(q));
	for (mod = q; *mod == '.'; mod++)
		;
	ml = strlen(mod) > strlen(fname) ? strlen(mod) - strlen(fname) - 1 : 0;
	if (!strcmp(q, name) && !strchr(name, '.')) {
		mod = cur;
		ml = strlen(cur);
	}
	hi = ix->nfns;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix->fns[ix->fn_by_name[mid]].name, fname) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < ix->nfns && !strcmp(ix->fns[ix->fn_by_name[i]].name, fname); i++) {
		const struct py_fn *f = &ix->fns[ix->fn_by_name[i]];
		size_t fl;
		if (f->cls || f->nested)
			continue;
		n++;
		m = f->module;
		fl = strlen(m);
		/* the module as imported, or a suffix of it (src/ layouts, relative imports) */
		if (ml && ((fl == ml && !strncmp(m, mod, ml)) ||
			   (fl > ml && m[fl - ml - 1] == '.' && !strncmp(m + fl - ml, mod, ml)))) {
			if (hit)
				return NULL;
			hit = f;
		}
	}
	if (!hit && n == 1)
		return py_index_fn(ix, NULL, fname);
	return hit;
}

/* The provider named in "Depends(get_db)" / "Annotated[Session, Depends(get_db)]", into buf. */
static int depends_name(const char *text, char *buf, size_t n)
{
	const char *d = text ? strstr(text, "Depends(") : NULL;
	size_t l;
	if (!d)
		return 0;
	d += 8;
	if (!strncmp(d, "dependency=", 11))
		d += 11;
	l = strspn(d, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.");
	if (!l || l >= n)
		return 0;
	memcpy(buf, d, l);
	buf[l] = '\0';
	return 1;
}

/* The text assigned at module level to name (SessionDep = Annotated[...]),
 * malloc'd, or NULL. */
static char *alias_text(const struct py_binds *b, const char *name)
{
	const struct py_outline *ol = b->ol;
	const struct py_bind *bd = py_binds_find(b, -1, name, 0);
	struct py_assign a;
	int s;
	if (!bd || bd->scope != -1)
		return NULL;
	s = py_outline_stmt_of_tok(ol, bd->tok);
	if (s < 0 || !py_stmt_assign(ol, s, &a) || a.target_begin != bd->tok)
		return NULL;
	return py_outline_text(ol, a.value_begin, a.value_end);
}

/* ---- collecting the sessions of an async def */

static struct sess *sess_add(struct fstate *st, const char *name, const struct py_bind *bd, const char *how,
			     int driver)
{
	struct sess *s;
	int i;
	for (i = 0; i < st->n; i++)
		if (st->s[i].bd == bd && !strcmp(st->s[i].name, name))
			return &st->s[i];
	if (st->n == MAX_SESS || strlen(name) >= sizeof(st->s[0].name))
		return NULL;
	s = &st->s[st->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->how, sizeof(s->how), "%s", how);
	s->bd = bd;
	s->driver = driver;
	return s;
}

/* 1 when parameter p holds a database session of unknown kind: annotated
 * with an alias named like one (SessionDep, DbSession) defined elsewhere,
 * or injected by a session provider (Depends(get_db)) whose kind the
 * index does not know.  how gets the wording. */
static int session_like(const struct py_param *p, const char *dep_text, const struct py_binds *b,
			struct py_index *ix, const struct py_fn *fn, char *how, size_t n)
{
	static const char *const not_db[] = { "Async", "Client", "Http", "HTTP", "User", "Auth", "Login", "Web",
					      "Browser", "Redis", "Chat", "Cache", NULL };
	char prov[128], low[128];
	size_t i;
	if (p->ann && strspn(p->ann, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") ==
	    strlen(p->ann) && strstr(last_of(p->ann), "Session") && strcmp(last_of(p->ann), "Session")) {
		for (i = 0; not_db[i]; i++)
			if (strstr(p->ann, not_db[i]))
				return 0;
		snprintf(how, n, "the parameter %s: %s, never awaited", p->name, p->ann);
		return 1;
	}
	if (!depends_name(dep_text, prov, sizeof(prov)) || strlen(last_of(prov)) >= sizeof(low))
		return 0;
	for (i = 0; last_of(prov)[i]; i++)
		low[i] = (char)((last_of(prov)[i] >= 'A' && last_of(prov)[i] <= 'Z') ? last_of(prov)[i] + 32
									    : last_of(prov)[i]);
	low[i] = '\0';
	if (!(strstr(low, "db") || strstr(low, "session")) || strstr(low, "async"))
		return 0;
	{
		const struct py_fn *pv = provider_def(ix, b, fn->module, prov);
		if (pv && pv->session != PSESS_UNKNOWN)
			return 0;
	}
	snprintf(how, n, "the parameter %s = Depends(%s), never awaited", p->name, prov);
	return 1;
}

/* Sync sessions among the parameters of def f. */
static void param_sessions(struct check_ctx *cx, const struct py_binds *b, struct py_index *ix,
			   const struct py_fn *fn, int f, struct fstate *st)
{
	const struct py_block *d = &cx->ol->blocks[f];
	unsigned k;
	for (k = 0; fn && k < fn->nparams; k++) {
		const struct py_param *p = &fn->params[k];
		const struct py_bind *bd;
		char how[256], prov[128];
		char *alias = NULL;
		enum py_sess kind = p->ann ? py_session_annotation(b, p->ann) : PSESS_UNKNOWN;
		const char *dep_text = p->deflt && strstr(p->deflt, "Depends(") ? p->deflt : p->ann;
		if (kind == PSESS_SYNC) {
			snprintf(how, sizeof(how), "the parameter %s: %s", p->name, p->ann);
		} else if (kind == PSESS_UNKNOWN && p->ann && !strchr(p->ann, '[') &&
			   (alias = alias_text(b, p->ann))) {
			/* SessionDep = Annotated[Session, Depends(get_db)] in this file */
			kind = py_session_annotation(b, alias);
			if (!depends_name(dep_text, prov, sizeof(prov)))
				dep_text = alias;
			snprintf(how, sizeof(how), "the parameter %s: %s (%s)", p->name, p->ann, alias);
		}
		if (kind == PSESS_UNKNOWN && depends_name(dep_text, prov, sizeof(prov))) {
			const struct py_fn *pv = provider_def(ix, b, fn->module, prov);
			if (pv && pv->session == PSESS_SYNC) {
				kind = PSESS_SYNC;
				snprintf(how, sizeof(how), "the parameter %s = Depends(%s), and %s() in %s hands "
					 "out a sync Session", p->name, prov, pv->name, pv->path);
			}
		}
		bd = py_binds_find(b, f, p->name, d->hdr_begin);
		if (kind == PSESS_SYNC) {
			sess_add(st, p->name, bd, how, 0);
		} else if (kind == PSESS_UNKNOWN && session_like(p, dep_text, b, ix, fn, how, sizeof(how))) {
			struct sess *s = sess_add(st, p->name, bd, how, 0);
			if (s)
				s->inferred = 1;
		}
		free(alias); /* dep_text may point into it */
	}
}

/* 1 when the value [vb, ve) is BASE.cursor(), BASE.connection() or
 * BASE() of a session s of st; *s gets it. */
static int derived(const struct py_binds *b, struct fstate *st, uint32_t vb, uint32_t ve, struct sess **out)
{
	const struct py_outline *ol = b->ol;
	size_t ci;
	for (ci = py_first_call_from(ol, vb); ci < ol->ncalls && ol->calls[ci].lparen < ve; ci++) {
		const struct py_call *c = &ol->calls[ci];
		char base[160];
		int i;
		if (c->name_begin != vb || c->is_ref || c->rparen + 1 != ve || strstr(c->callee, "()"))
			continue;
		if (!strcmp(c->name, "cursor") || !strcmp(c->name, "connection"))
			snprintf(base, sizeof(base), "%.*s", (int)(strlen(c->callee) - strlen(c->name) - 1),
				 c->callee);
		else
			snprintf(base, sizeof(base), "%s", c->callee);
		for (i = 0; i < st->n; i++)
			if (!strcmp(st->s[i].name, base) &&
			    py_binds_find(b, c->block, base, c->name_begin) == st->s[i].bd) {
				*out = &st->s[i];
				return 1;
			}
	}
	return 0;
}

/* 1 when the value [vb, ve) is a DB-API driver's connect() (sqlite3,
 * psycopg2...), not a SQLAlchemy engine's. */
static int driver_value(const struct py_binds *b, uint32_t vb, uint32_t ve)
{
	static const char *const drivers[] = { "sqlite3.", "psycopg2.", "psycopg.", "pymysql.", "MySQLdb.",
					       "mysql.", "pyodbc.", "oracledb.", "cx_Oracle.", NULL };
	const struct py_outline *ol = b->ol;
	size_t ci;
	char q[256];
	int i;
	for (ci = py_first_call_from(ol, vb); ci < ol->ncalls && ol->calls[ci].lparen < ve; ci++) {
		if (ol->calls[ci].name_begin != vb || ol->calls[ci].is_ref)
			continue;
		py_binds_qualify(b, ol->calls[ci].callee, q, sizeof(q));
		for (i = 0; drivers[i]; i++)
			if (!strncmp(q, drivers[i], strlen(drivers[i])))
				return 1;
	}
	return 0;
}

/* Sessions def f opens itself, in statement order: with items, assignments,
 * and cursors or connections taken from a session already known. */
static void local_sessions(struct check_ctx *cx, const struct py_binds *b, int f, struct fstate *st)
{
	const struct py_outline *ol = cx->ol;
	const struct py_block *d = &ol->blocks[f];
	int s = py_outline_stmt_of_tok(ol, d->body_begin);
	for (; s >= 0 && (size_t)s < ol->nstmts && ol->stmts[s].tok_begin < d->body_end; s++) {
		const struct py_stmt *sm = &ol->stmts[s];
		struct py_assign a;
		char *name = NULL, *src;
		uint32_t tok, vb, ve;
		struct sess *from = NULL;
		char how[256];
		if (ol->blocks[sm->block].func != f)
			continue;
		if (sm->opens >= 0 && ol->blocks[sm->opens].kind == PB_WITH) {
			const struct py_block *w = &ol->blocks[sm->opens];
			unsigned i;
			for (i = 0; i < w->nitems; i++) {
				const struct py_with_item *it = &w->items[i];
				const struct py_bind *bd;
				if (!it->target || w->is_async)
					continue;
				tok = it->expr_begin;
				bd = py_binds_find(b, sm->block, it->target, tok);
				if (py_bound_session(b, sm->block, it->target, tok) == PSESS_SYNC) {
					snprintf(how, sizeof(how), "%s, opened at line %u", it->expr, sm->line);
					sess_add(st, it->target, bd, how, driver_value(b, tok, it->expr_end));
				} else if (derived(b, st, tok, it->expr_end, &from)) {
					sess_add(st, it->target, bd, from->how, from->driver);
				}
			}
			continue;
		}
		if (!py_stmt_assign(ol, s, &a) || !py_tok_is(ol->toks, a.op, "=") ||
		    !py_tok_is_chain(ol->toks, a.target_begin, a.target_end))
			continue;
		if (!(name = py_outline_text(ol, a.target_begin, a.target_end)))
			return;
		vb = a.value_begin;
		ve = a.value_end;
		if (py_bound_session(b, sm->block, name, a.target_begin) == PSESS_SYNC &&
		    (src = py_outline_text(ol, vb, ve))) {
			if (strlen(src) > 80)
				strcpy(src + 77, "...");
			snprintf(how, sizeof(how), "%s, opened at line %u", src, sm->line);
			sess_add(st, name, py_binds_find(b, sm->block, name, a.target_begin), how,
				 driver_value(b, vb, ve));
			free(src);
		} else if (derived(b, st, vb, ve, &from)) {
			sess_add(st, name, py_binds_find(b, sm->block, name, a.target_begin), from->how,
				 from->driver);
		}
		free(name);
	}
}

/* ---- the uses */

/* The session of st the receiver base of call c is, or NULL; a receiver
 * bound outside f (self.db, a module-level scoped_session) to a sync
 * session is added on first use. */
static struct sess *sess_of(const struct py_binds *b, struct fstate *st, const struct py_call *c,
			    const char *base)
{
	const struct py_bind *bd = py_binds_find(b, c->block, base, c->name_begin);
	char how[256];
	int i;
	for (i = 0; i < st->n; i++)
		if (!strcmp(st->s[i].name, base) && st->s[i].bd == bd)
			return &st->s[i];
	if (!bd && !strchr(base, '.') && py_callee_imported(&b->im, base) &&
	    py_factory_kind(b->context, base) == PSESS_SYNC) {
		/* Session = scoped_session(sessionmaker(...)) in the project's db
		 * module, imported and used as the session itself */
		snprintf(how, sizeof(how), "%s, the project's sync scoped session", base);
		return sess_add(st, base, NULL, how, 0);
	}
	if (!bd || bd->scope == c->func)
		return NULL;
	if (py_bound_session(b, c->block, base, c->name_begin) != PSESS_SYNC)
		return NULL;
	{
		int sm = py_outline_stmt_of_tok(b->ol, bd->tok);
		struct py_assign a;
		char *src = NULL;
		if (sm >= 0 && py_stmt_assign(b->ol, sm, &a))
			src = py_outline_text(b->ol, a.value_begin, a.value_end);
		if (src && strlen(src) > 80)
			strcpy(src + 77, "...");
		snprintf(how, sizeof(how), "%s, assigned %s at line %u", src ? src : "a sync session",
			 bd->scope < 0 ? "at module level" : "to the instance",
			 sm >= 0 ? b->ol->stmts[sm].line : 0);
		free(src);
	}
	return sess_add(st, base, bd, how, 0);
}

/* 1 when a call on a session does a database round trip by itself; for a
 * session of inferred kind only the unmistakable ones (not get(), which a
 * dict-like object has too, unless it names a model). */
static int io_call(const struct py_binds *b, size_t ci, const char *callee, size_t blen, int strict)
{
	static const char *const sure[] = { "execute", "exec", "exec_driver_sql", "scalars", "scalar", "flush",
					    "commit", "rollback", "refresh", "merge", NULL };
	static const char *const io[] = { "execute", "executemany", "executescript", "exec", "exec_driver_sql",
					  "scalars", "scalar", "get", "get_one", "merge", "flush", "commit",
					  "rollback", "refresh", "fetchone", "fetchall", "fetchmany",
					  "bulk_save_objects", "bulk_insert_mappings", "bulk_update_mappings",
					  "copy_expert", "copy_from", "callproc", NULL };
	char m[64];
	const char *rest = callee + blen + 1, *par = strstr(rest, "()");
	struct py_dbop_info info;
	enum py_dbop op;
	snprintf(m, sizeof(m), "%.*s", (int)strcspn(rest, ".("), rest);
	if (!par && strict && !strcmp(m, "get"))
		return py_call_dbop(b, ci, &info) == DBOP_READ;
	if (!par)
		return in_list(m, strict ? sure : io);
	if (strcmp(m, "query"))
		return 0; /* session.exec(...).all(): counted at exec */
	op = py_call_dbop(b, ci, &info);
	return op != DBOP_NONE && op != DBOP_ADD && op != DBOP_BEGIN && op != DBOP_OTHER;
}

/* 1 when call c sits in the arguments of a to_thread/run_in_threadpool/... call. */
static int under_offload(const struct py_outline *ol, const struct py_call *c)
{
	int p;
	for (p = c->parent_call; p >= 0; p = ol->calls[p].parent_call)
		if (py_is_offload_callee(ol->calls[p].callee) || !strcmp(ol->calls[p].name, "partial"))
			return 1;
	return 0;
}

/* 1 when call c is a context expression of an "async with". */
static int in_async_with(const struct py_outline *ol, const struct py_call *c)
{
	const struct py_stmt *sm = &ol->stmts[c->stmt];
	return sm->opens >= 0 && ol->blocks[sm->opens].kind == PB_WITH && ol->blocks[sm->opens].is_async &&
	       c->lparen < ol->blocks[sm->opens].body_begin;
}

static void note_use(struct sess *st, const struct py_call *c, const char *what, int direct)
{
	st->ncalls++;
	st->ndirect += (unsigned)direct;
	/* a query of the session itself is where the finding belongs; a
	 * helper the session is handed to only when there is none */
	if (!st->first_line || (direct && st->ndirect == 1)) {
		st->first_line = c->line;
		st->first_end = c->end_line;
		snprintf(st->first, sizeof(st->first), "%.150s", what);
	}
}

static void note_helper(struct sess *st, const char *name)
{
	int i;
	for (i = 0; i < st->nhelpers; i++)
		if (!strcmp(st->helpers[i], name))
			return;
	if (st->nhelpers == MAX_HELPERS)
		st->more_helpers = 1;
	else
		snprintf(st->helpers[st->nhelpers++], sizeof(st->helpers[0]), "%.120s", name);
}

/* The session s is handed to call p (an argument of it): counts when p
 * runs a project sync def or builds a project class, or is pandas'
 * read_sql. */
static void hand_off(struct py_index *ix, const struct py_outline *ol, const struct py_callsite *const *sites,
		     int pi, struct sess *st)
{
	const struct py_call *p = &ol->calls[pi];
	const struct py_fn *t = sites[pi] ? py_index_call_target(ix, sites[pi]) : NULL;
	char name[256], what[200];
	if (p->awaited || py_is_offload_callee(p->callee) || !py_call_on_event_loop(ol, p) ||
	    under_offload(ol, p))
		return;
	if (t && !t->is_async) {
		py_fn_display(t, name, sizeof(name));
	} else if (!t && !strchr(p->callee, '.') && py_index_fn(ix, p->callee, "__init__")) {
		snprintf(name, sizeof(name), "%s", p->callee);
	} else if (!strcmp(p->name, "read_sql") || !strcmp(p->name, "read_sql_query") ||
		   !strcmp(p->name, "read_sql_table")) {
		snprintf(what, sizeof(what), "%s()", p->callee);
		note_use(st, p, what, 1);
		return;
	} else {
		return;
	}
	snprintf(what, sizeof(what), "%s()", p->callee);
	note_use(st, p, what, 0);
	note_helper(st, name);
}

/* Walks the calls of async def f. */
static void uses(struct check_ctx *cx, const struct py_binds *b, struct py_index *ix,
		 const struct py_callsite *const *sites, int f, struct fstate *st)
{
	const struct py_outline *ol = cx->ol;
	const struct py_block *d = &ol->blocks[f];
	size_t ci;
	for (ci = py_first_call_from(ol, d->hdr_begin); ci < ol->ncalls && ol->calls[ci].lparen < d->body_end;
	     ci++) {
		const struct py_call *c = &ol->calls[ci];
		char base[160], what[200];
		struct sess *s;
		size_t bl;
		if (c->func != f || !c->callee[0])
			continue;
		if (c->is_ref) {
			/* handed on: crud.get_user(db, id), Service(session) */
			if (c->parent_call >= 0 && !strchr(c->callee, '(') &&
			    (s = sess_of(b, st, c, c->callee)) && !s->async_seen)
				hand_off(ix, ol, sites, c->parent_call, s);
			continue;
		}
		/* the receiver before the first method: "db" of db.query().filter().first */
		bl = strcspn(c->callee, "(");
		while (bl > 0 && c->callee[bl] != '.')
			bl--;
		if (!bl)
			continue;
		if (bl >= sizeof(base))
			continue;
		memcpy(base, c->callee, bl);
		base[bl] = '\0';
		if (!(s = sess_of(b, st, c, base)))
			continue;
		if (c->awaited || in_async_with(ol, c)) {
			s->async_seen = 1;
			continue;
		}
		if (!py_call_on_event_loop(ol, c) || under_offload(ol, c) ||
		    !io_call(b, ci, c->callee, bl, s->inferred) || (s->inferred && c->parent_call >= 0))
			continue;
		snprintf(what, sizeof(what), "%s()", c->callee);
		note_use(s, c, what, 1);
	}
}

/* ---- the finding */

enum rctx { RC_OTHER, RC_HANDLER, RC_DEPENDENCY, RC_MIDDLEWARE };

/* Where def f runs: per request (a handler, an async Depends provider, an
 * HTTP middleware) or elsewhere. */
static enum rctx run_context(const struct py_outline *ol, const struct py_fn *fn, int f)
{
	const struct py_block *d = &ol->blocks[f];
	unsigned i;
	if (py_func_is_handler(ol, f))
		return RC_HANDLER;
	if (fn && fn->provider)
		return RC_DEPENDENCY;
	for (i = 0; i < d->ndecorators; i++)
		if (strstr(d->decorators[i], "middleware("))
			return RC_MIDDLEWARE;
	/* BaseHTTPMiddleware.dispatch(self, request, call_next) */
	if (d->parent >= 0 && ol->blocks[d->parent].kind == PB_CLASS && ol->blocks[d->parent].bases &&
	    strstr(ol->blocks[d->parent].bases, "Middleware") && d->name &&
	    (!strcmp(d->name, "dispatch") || !strcmp(d->name, "__call__")))
		return RC_MIDDLEWARE;
	return RC_OTHER;
}

static void report(struct check_ctx *cx, const struct py_binds *b, const struct py_fn *fn, int f,
		   const struct sess *s)
{
	static const char *const role[] = { "", "", ", a request dependency,", ", a request middleware," };
	char where[160], helpers[700] = "", counts[120], issue[2400], rec[800];
	enum rctx rc = run_context(cx->ol, fn, f);
	unsigned nh = s->ncalls - s->ndirect;
	int i;
	py_func_describe(cx->ol, f, where, sizeof(where));
	for (i = 0; i < s->nhelpers; i++) {
		size_t o = strlen(helpers);
		snprintf(helpers + o, sizeof(helpers) - o, "%s%s()", i ? ", " : "; it hands the session to ",
			 s->helpers[i]);
	}
	if (s->more_helpers)
		strncat(helpers, " and more", sizeof(helpers) - strlen(helpers) - 1);
	if (s->ndirect && nh)
		snprintf(counts, sizeof(counts), "%u database call%s and %u call%s of sync helpers", s->ndirect,
			 s->ndirect == 1 ? "" : "s", nh, nh == 1 ? "" : "s");
	else if (s->ndirect)
		snprintf(counts, sizeof(counts), "%u database call%s", s->ndirect, s->ndirect == 1 ? "" : "s");
	else
		snprintf(counts, sizeof(counts), "%u call%s of sync helpers", nh, nh == 1 ? "" : "s");
	snprintf(issue, sizeof(issue),
		 "%s%s%s makes %s with the synchronous %s %s (%s) on the event loop, the first %s at line %u%s: "
		 "every round trip blocks the loop and %s waits for the database", where,
		 strchr(where, ',') && !*role[rc] ? "," : "", role[rc], counts,
		 s->driver ? "connection" : "Session", s->name, s->how, s->first, s->first_line, helpers,
		 rc != RC_OTHER ? "every other request" : "every other task on the loop");
	if ((rc == RC_HANDLER || rc == RC_DEPENDENCY) && py_uses_lib(cx->context, &b->im, "fastapi"))
		snprintf(rec, sizeof(rec),
			 "declare it as a plain def %s(...): FastAPI runs sync handlers and dependencies in its "
			 "threadpool; or move to AsyncSession (async_sessionmaker, "
			 "await session.execute(...)); or run the database work with "
			 "await run_in_threadpool(fn, %s, ...)", fn ? fn->name : "...",
			 s->name);
	else if (s->driver)
		snprintf(rec, sizeof(rec),
			 "use an async driver (asyncpg, aiosqlite, psycopg's AsyncConnection) and await each "
			 "query, or run the database work in a worker thread: await %s(fn, ...)",
			 py_offload_fn(cx->context, &b->im));
	else
		snprintf(rec, sizeof(rec),
			 "move to AsyncSession (async_sessionmaker, await session.execute(...)), or run the "
			 "database work in a worker thread: await %s(fn, %s, ...)",
			 py_offload_fn(cx->context, &b->im), s->name);
	check_report(cx, s->first_line, s->first_end,
		     check_once_severity(cx, f, rc != RC_OTHER ? SEV_HIGH : SEV_MEDIUM), issue, rec);
}

/* One finding per function: at the session whose database call comes
 * first, sessions seen awaited left out. */
static void report_first(struct check_ctx *cx, const struct py_binds *b, const struct py_fn *fn, int f,
			 const struct fstate *st)
{
	const struct sess *best = NULL;
	int i;
	for (i = 0; i < st->n; i++) {
		const struct sess *s = &st->s[i];
		/* a session of inferred kind must be queried itself, unawaited */
		if (!s->async_seen && s->ncalls && (!s->inferred || s->ndirect) &&
		    (!best || s->first_line < best->first_line))
			best = s;
	}
	if (best)
		report(cx, b, fn, f, best);
}

void check_sync_db_in_async(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct py_index *ix = check_project_index(cx);
	const struct py_callsite **sites;
	struct py_binds b;
	int *m;
	size_t i;
	if (!ix || !ol->nblocks || py_binds_build(&b, ol, cx->context) < 0)
		return;
	sites = calloc(ol->ncalls ? ol->ncalls : 1, sizeof(*sites));
	m = malloc(ol->nblocks * sizeof(int));
	if (!sites || !m)
		goto out;
	for (i = 0; i < ol->nblocks; i++)
		m[i] = -1;
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_fn *unused;
		if (ol->calls[i].func >= 0 && ol->calls[i].callee[0])
			sites[i] = py_index_site_of(ix, cx->path, ol, &ol->calls[i], m, &unused);
	}
	for (i = 0; i < ol->nblocks; i++) {
		const struct py_block *d = &ol->blocks[i];
		const struct py_fn *fn;
		struct fstate st;
		if (d->kind != PB_DEF || !d->is_async)
			continue;
		fn = py_index_fn_at(ix, cx->path, d->line);
		memset(&st, 0, sizeof(st));
		param_sessions(cx, &b, ix, fn, (int)i, &st);
		local_sessions(cx, &b, (int)i, &st);
		uses(cx, &b, ix, sites, (int)i, &st);
		report_first(cx, &b, fn, (int)i, &st);
	}
out:
	free(sites);
	free(m);
	py_binds_free(&b);
}
