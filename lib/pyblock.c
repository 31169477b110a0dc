/*
 * pyblock: blocking calls, synchronous sessions and the walk through the
 * project's sync helpers (see pyblock.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyblock.h"
#include "pyfacts.h"

/* ---- blocking I/O */

struct bio_name {
	const char *qual;
	enum py_bio kind;
};

static const struct bio_name exact[] = {
	{ "open", PBIO_FILE }, { "io.open", PBIO_FILE }, { "codecs.open", PBIO_FILE },
	{ "gzip.open", PBIO_FILE }, { "bz2.open", PBIO_FILE }, { "lzma.open", PBIO_FILE },
	{ "urllib.request.urlopen", PBIO_URLLIB }, { "urllib.request.urlretrieve", PBIO_URLLIB },
	{ "subprocess.run", PBIO_PROC }, { "subprocess.call", PBIO_PROC },
	{ "subprocess.check_call", PBIO_PROC }, { "subprocess.check_output", PBIO_PROC },
	{ "subprocess.Popen", PBIO_PROC }, { "subprocess.getoutput", PBIO_PROC },
	{ "subprocess.getstatusoutput", PBIO_PROC }, { "os.system", PBIO_PROC }, { "os.popen", PBIO_PROC },
	{ "shutil.copy", PBIO_SHUTIL }, { "shutil.copy2", PBIO_SHUTIL }, { "shutil.copyfile", PBIO_SHUTIL },
	{ "shutil.copytree", PBIO_SHUTIL }, { "shutil.copyfileobj", PBIO_SHUTIL },
	{ "shutil.move", PBIO_SHUTIL }, { "shutil.rmtree", PBIO_SHUTIL },
	{ "shutil.make_archive", PBIO_SHUTIL }, { "shutil.unpack_archive", PBIO_SHUTIL },
	{ "smtplib.SMTP", PBIO_SMTP }, { "smtplib.SMTP_SSL", PBIO_SMTP },
	{ "tarfile.open", PBIO_FILE }, { "zipfile.ZipFile", PBIO_FILE },
	{ NULL, PBIO_NONE }
};

static const char *const http_verbs[] = {
	"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream", NULL
};

static const char *const path_io[] = { "read_text", "read_bytes", "write_text", "write_bytes", NULL };

/* Methods of a pathlib path that return a path again. */
static const char *const path_chain[] = { "parent", "resolve", "absolute", "expanduser", "with_name",
					  "with_suffix", "with_stem", "joinpath", NULL };

static int in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return 1;
	return 0;
}

static const char *last_of(const char *chain)
{
	const char *p = strrchr(chain, '.');
	return p ? p + 1 : chain;
}

static int is_client_ctor(const char *qual)
{
	return !strcmp(qual, "requests.Session") || !strcmp(qual, "requests.session") ||
	       !strcmp(qual, "httpx.Client") || !strcmp(qual, "urllib3.PoolManager");
}

static int is_path_ctor(const char *qual)
{
	return !strcmp(qual, "pathlib.Path") || !strcmp(qual, "pathlib.PosixPath") ||
	       !strcmp(qual, "pathlib.PurePath") || !strncmp(qual, "pathlib.Path.", 13);
}

/* 1 when a binding's type names a pathlib class (Path(...), p: Path). */
static int path_type(const struct py_binds *b, const char *type)
{
	static const char *const names[] = { "Path", "PosixPath", "PurePath", "PurePosixPath", "WindowsPath",
					     NULL };
	char q[256];
	if (!in_list(names, last_of(type)))
		return 0;
	py_binds_qualify(b, type, q, sizeof(q));
	if (!strncmp(q, "pathlib.", 8))
		return 1;
	/* import pathlib; pathlib.Path(...) binds the bare class name */
	return !strchr(q, '.') && !py_callee_imported(&b->im, type) && py_imports_module(&b->im, "pathlib");
}

/* The non-reference call whose callee starts at token tok and whose
 * argument list closes right before end (end 0: anywhere), or -1. */
static long call_spanning(const struct py_outline *ol, uint32_t tok, uint32_t end)
{
	size_t ci = py_first_call_from(ol, tok), stop = ci + 6;
	long hit = -1;
	for (; ci < ol->ncalls && ci < stop; ci++) {
		const struct py_call *c = &ol->calls[ci];
		if (c->name_begin != tok || c->is_ref)
			continue;
		if (!end)
			return (long)ci;
		if (c->rparen + 1 == end)
			hit = (long)ci;
	}
	return hit;
}

static enum py_bio recv_kind(const struct py_binds *b, int blk, const char *name, uint32_t tok, int depth);

/* 1 when the value [vb, ve) of block blk evidently is a pathlib path:
 * Path(...) (optionally followed by .parent, .resolve(), ...), or a path
 * joined with "/". */
static int path_value(const struct py_binds *b, int blk, uint32_t vb, uint32_t ve, int depth)
{
	const struct py_outline *ol = b->ol;
	const struct py_toks *t = ol->toks;
	long ci = call_spanning(ol, vb, 0);
	uint32_t k = vb;
	char q[256];
	if (ci >= 0 && is_path_ctor(py_binds_qualify(b, ol->calls[ci].callee, q, sizeof(q)))) {
		uint32_t e = ol->calls[ci].rparen + 1;
		/* Path(x) / "y", Path(x).parent, Path(x).resolve() -- not Path(x).name */
		while (e + 1 < ve && py_tok_is(t, e, ".") && t->v[e + 1].kind == PT_NAME) {
			char nm[32];
			snprintf(nm, sizeof(nm), "%.*s", (int)t->v[e + 1].len, py_tok_text(t, e + 1));
			if (!in_list(path_chain, nm))
				return 0;
			e += 2;
			if (e < ve && py_tok_is(t, e, "("))
				e = py_tok_close(t, e, ve) + 1;
		}
		return e >= ve || py_tok_is(t, e, "/");
	}
	if (t->v[vb].kind != PT_NAME)
		return 0;
	while (k + 2 < ve && py_tok_is(t, k + 1, ".") && t->v[k + 2].kind == PT_NAME)
		k += 2;
	if (k + 1 < ve && py_tok_is(t, k + 1, "/")) {
		char *name = py_outline_text(ol, vb, k + 1);
		int hit = name && recv_kind(b, blk, name, vb, depth + 1) == PBIO_PATH;
		free(name);
		return hit;
	}
	return 0;
}

/* What the receiver name holds in block blk at token tok: a sync HTTP
 * client (PBIO_HTTP), a pathlib path (PBIO_PATH), or neither. */
static enum py_bio recv_kind(const struct py_binds *b, int blk, const char *name, uint32_t tok, int depth)
{
	const struct py_outline *ol = b->ol;
	const struct py_bind *bd;
	char q[256];
	if (depth > 4 || strchr(name, '(') || strchr(name, '['))
		return PBIO_NONE;
	bd = py_binds_find(b, blk, name, tok);
	if (!bd)
		return PBIO_NONE;
	if (bd->kind == PBK_HTTP && bd->type && is_client_ctor(py_binds_qualify(b, bd->type, q, sizeof(q))))
		return PBIO_HTTP;
	if (bd->kind == PBK_OBJECT && bd->type && path_type(b, bd->type))
		return PBIO_PATH;
	if (bd->kind == PBK_LOCAL) {
		/* target = CACHE / name; base = Path.home() */
		int s = py_outline_stmt_of_tok(ol, bd->tok);
		struct py_assign a;
		if (s >= 0 && py_stmt_assign(ol, s, &a) && a.target_begin == bd->tok &&
		    py_tok_is(ol->toks, a.op, "=") && a.value_begin < a.value_end &&
		    path_value(b, ol->stmts[s].block, a.value_begin, a.value_end, depth))
			return PBIO_PATH;
	}
	return PBIO_NONE;
}

enum py_bio py_call_blocking_io(const struct py_binds *b, size_t ci, char *qual, size_t n)
{
	const struct py_call *c = &b->ol->calls[ci];
	char qb[256], recv[256];
	const char *q;
	size_t rl;
	int imported, i;
	if (qual && n)
		qual[0] = '\0';
	if (c->is_ref || !c->callee[0])
		return PBIO_NONE;
	q = py_binds_qualify(b, c->callee, qb, sizeof(qb));
	if (qual)
		snprintf(qual, n, "%s", q);
	imported = py_callee_imported(&b->im, c->callee);
	rl = strlen(c->callee) - strlen(c->name);
	for (i = 0; exact[i].qual; i++)
		if (!strcmp(q, exact[i].qual) && (imported || !strcmp(q, "open")))
			return exact[i].kind;
	if (imported && !strncmp(q, "requests.", 9) && in_list(http_verbs, c->name))
		return PBIO_HTTP;
	if (imported && !strncmp(q, "httpx.", 6) && in_list(http_verbs, c->name) && !strstr(q, "AsyncClient"))
		return PBIO_HTTP;
	if (strchr(c->callee, '.') && in_list(path_io, c->name) && strncmp(q, "aiofiles", 8) &&
	    strncmp(q, "anyio", 5) && strncmp(q, "trio", 4))
		return PBIO_PATH;
	if (rl <= 1 || rl > sizeof(recv))
		return PBIO_NONE;
	snprintf(recv, sizeof(recv), "%.*s", (int)(rl - 1), c->callee);
	if (!strcmp(c->name, "open") && ((imported && !strncmp(q, "pathlib.Path", 12)) ||
					  recv_kind(b, c->block, recv, c->name_begin, 0) == PBIO_PATH))
		return PBIO_FILE;
	if (in_list(http_verbs, c->name) && strcmp(c->name, "stream") &&
	    recv_kind(b, c->block, recv, c->name_begin, 0) == PBIO_HTTP)
		return PBIO_HTTP;
	return PBIO_NONE;
}

int py_call_is_sync_sleep(const struct py_binds *b, size_t ci)
{
	const struct py_call *c = &b->ol->calls[ci];
	char q[256];
	return !c->is_ref && !strcmp(c->name, "sleep") && py_callee_imported(&b->im, c->callee) &&
	       !strcmp(py_binds_qualify(b, c->callee, q, sizeof(q)), "time.sleep");
}

int py_call_runs_in(const struct py_outline *ol, const struct py_call *c, int f)
{
	return f >= 0 && !c->is_ref && !c->awaited &&
	       py_outline_enclosing(ol, c->block, PB_MASK(PB_DEF) | PB_MASK(PB_LAMBDA), 1) == f &&
	       !py_call_offloaded(ol, c);
}

/* ---- sessions */

static int sql_module(const char *q)
{
	return !strncmp(q, "sqlalchemy", 10) || !strncmp(q, "sqlmodel", 8) || !strncmp(q, "flask_sqlalchemy", 16);
}

static enum py_sess word_session(const struct py_binds *b, const char *w)
{
	static const char *const async_words[] = { "AsyncSession", "AsyncConnection", "async_sessionmaker",
						   "async_scoped_session", "AsyncEngine", NULL };
	static const char *const sync_words[] = { "Session", "Connection", "scoped_session", NULL };
	const char *last = last_of(w);
	char q[256];
	if (in_list(async_words, last))
		return PSESS_ASYNC;
	py_binds_qualify(b, w, q, sizeof(q));
	if (in_list(sync_words, last) && sql_module(q))
		return PSESS_SYNC;
	if (!strcmp(q, "sqlite3.Connection") || !strcmp(q, "psycopg2.extensions.connection") ||
	    !strcmp(q, "psycopg.Connection") || !strcmp(q, "pymysql.connections.Connection"))
		return PSESS_SYNC;
	if (!strcmp(q, "psycopg.AsyncConnection") || !strcmp(q, "asyncpg.Connection") ||
	    !strcmp(q, "aiosqlite.Connection"))
		return PSESS_ASYNC;
	return PSESS_UNKNOWN;
}

enum py_sess py_session_annotation(const struct py_binds *b, const char *ann)
{
	const char *p = ann;
	char w[256];
	while (p && *p) {
		size_t l;
		enum py_sess k;
		if (!(isalpha((unsigned char)*p) || *p == '_')) {
			p++;
			continue;
		}
		l = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.");
		if (l >= sizeof(w))
			return PSESS_UNKNOWN;
		memcpy(w, p, l);
		w[l] = '\0';
		p += l;
		/* Depends(get_db) inside Annotated[...] names a provider, not a type */
		if (!strcmp(w, "Depends") || !strcmp(w, "Security"))
			break;
		if ((k = word_session(b, w)) != PSESS_UNKNOWN)
			return k;
	}
	return PSESS_UNKNOWN;
}

/* What an expression evaluates to, and of which kind: a session (or a
 * DB-API connection), a factory that makes one when called
 * (sessionmaker), a scoped_session registry (both), or an engine or pool
 * (whose connect()/begin() give a connection). */
enum made { MADE_NONE, MADE_SESSION, MADE_FACTORY, MADE_REGISTRY, MADE_ENGINE };

struct opened {
	enum py_sess kind;
	enum made what;
};

static const struct opened nothing = { PSESS_UNKNOWN, MADE_NONE };

static struct opened made(enum py_sess k, enum made w)
{
	struct opened o;
	o.kind = k;
	o.what = w;
	return o;
}

static struct opened entry_made(const json_t *e, int engine)
{
	const char *k = json_string_value(json_object_get(e, "kind"));
	const char *cls = json_string_value(json_object_get(e, "class_"));
	if (!k)
		return nothing;
	if (engine)
		return !strcmp(k, "create_async_engine") ? made(PSESS_ASYNC, MADE_ENGINE)
		       : !strcmp(k, "create_engine") ? made(PSESS_SYNC, MADE_ENGINE) : nothing;
	if (!strcmp(k, "async_sessionmaker"))
		return made(PSESS_ASYNC, MADE_FACTORY);
	if (!strcmp(k, "sessionmaker"))
		return made(cls && strstr(cls, "AsyncSession") ? PSESS_ASYNC : PSESS_SYNC, MADE_FACTORY);
	return nothing; /* a Session(...) object somewhere: a name, not a factory */
}

/* The factory or engine of the context's db_config named name (its last
 * component), when all entries of that name agree. */
static struct opened context_made(const json_t *context, const char *name)
{
	static const char *const lists[] = { "session_factories", "engines" };
	const json_t *db = json_object_get(context, "db_config");
	struct opened found = nothing;
	const char *last = last_of(name);
	size_t i, l;
	json_t *e;
	for (l = 0; l < 2; l++)
		json_array_foreach(json_object_get(db, lists[l]), i, e) {
			const char *n = json_string_value(json_object_get(e, "name"));
			struct opened o;
			if (!n || strcmp(last_of(n), last))
				continue;
			o = entry_made(e, (int)l);
			if (o.what == MADE_NONE)
				continue;
			if (found.what != MADE_NONE && (o.kind != found.kind || o.what != found.what))
				return nothing; /* two of that name disagree */
			found = o;
		}
	return found;
}

enum py_sess py_factory_kind(const json_t *context, const char *name)
{
	return context_made(context, name).kind;
}

static struct opened value_made(const struct py_binds *b, uint32_t vb, uint32_t ve, int depth);

/* What the name holds where a call is made on it: the file binds it by an
 * assignment whose value makes a factory, registry, engine or session. */
static struct opened bound_made(const struct py_binds *b, int blk, const char *name, uint32_t tok, int depth)
{
	const struct py_outline *ol = b->ol;
	const struct py_bind *bd;
	struct py_assign a;
	int s;
	if (depth > 3 || strchr(name, '(') || strchr(name, '['))
		return nothing;
	bd = py_binds_find(b, blk, name, tok);
	if (!bd || bd->kind == PBK_HTTP || bd->kind == PBK_FILE || bd->kind == PBK_OTHER)
		return nothing;
	s = py_outline_stmt_of_tok(ol, bd->tok);
	if (s < 0 || !py_stmt_assign(ol, s, &a) || a.target_begin != bd->tok || !py_tok_is(ol->toks, a.op, "="))
		return nothing;
	return value_made(b, a.value_begin, a.value_end, depth + 1);
}

/* What name is: the context's factories and engines first, then the file's own binding. */
static struct opened name_made(const struct py_binds *b, int blk, const char *name, uint32_t tok, int depth)
{
	struct opened o = context_made(b->context, name);
	return o.what != MADE_NONE ? o : bound_made(b, blk, name, tok, depth);
}

/* What a non-awaited call makes. */
static struct opened call_made(const struct py_binds *b, size_t ci, int depth)
{
	static const char *const sync_drivers[] = {
		"sqlite3.connect", "psycopg2.connect", "psycopg.connect", "psycopg.Connection.connect",
		"pymysql.connect", "MySQLdb.connect", "mysql.connector.connect", "pyodbc.connect",
		"oracledb.connect", "cx_Oracle.connect", NULL
	};
	static const char *const async_drivers[] = {
		"asyncpg.connect", "aiosqlite.connect", "aiomysql.connect", "psycopg.AsyncConnection.connect",
		"aiopg.connect", NULL
	};
	static const char *const async_pools[] = { "asyncpg.create_pool", "aiomysql.create_pool",
						   "aiopg.create_pool", NULL };
	const struct py_call *c = &b->ol->calls[ci];
	const char *callee = c->callee, *name = c->name;
	char q[256], inner[256];
	size_t l = strlen(callee);
	struct opened o;
	if (c->is_ref || !callee[0])
		return nothing;
	if (l > 2 && !strcmp(callee + l - 2, "()")) {
		/* sessionmaker(bind=engine)(): calling what the inner call made */
		snprintf(inner, sizeof(inner), "%.*s", (int)(l - 2), callee);
		if (strstr(inner, "()"))
			return nothing;
		py_binds_qualify(b, inner, q, sizeof(q));
		if (!strcmp(last_of(q), "async_sessionmaker"))
			return made(PSESS_ASYNC, MADE_SESSION);
		if ((!strcmp(last_of(q), "sessionmaker") || !strcmp(last_of(q), "scoped_session")) &&
		    (sql_module(q) || !strchr(q, '.')))
			return made(PSESS_SYNC, MADE_SESSION);
		return nothing;
	}
	if (strstr(callee, "()"))
		return nothing;
	py_binds_qualify(b, callee, q, sizeof(q));
	if (in_list(sync_drivers, q))
		return made(PSESS_SYNC, MADE_SESSION);
	if (in_list(async_drivers, q))
		return made(PSESS_ASYNC, MADE_SESSION);
	if (in_list(async_pools, q))
		return made(PSESS_ASYNC, MADE_ENGINE);
	if (sql_module(q)) {
		static const struct { const char *name; enum py_sess kind; enum made what; } sa[] = {
			{ "Session", PSESS_SYNC, MADE_SESSION }, { "AsyncSession", PSESS_ASYNC, MADE_SESSION },
			{ "sessionmaker", PSESS_SYNC, MADE_FACTORY },
			{ "async_sessionmaker", PSESS_ASYNC, MADE_FACTORY },
			{ "scoped_session", PSESS_SYNC, MADE_REGISTRY },
			{ "async_scoped_session", PSESS_ASYNC, MADE_REGISTRY },
			{ "create_engine", PSESS_SYNC, MADE_ENGINE },
			{ "create_async_engine", PSESS_ASYNC, MADE_ENGINE },
			{ NULL, PSESS_UNKNOWN, MADE_NONE }
		};
		int i;
		/* by the imported name: from sqlmodel import Session as DbSession */
		for (i = 0; sa[i].name; i++)
			if (!strcmp(last_of(q), sa[i].name))
				return made(sa[i].kind, sa[i].what);
		return nothing;
	}
	if ((!strcmp(name, "connect") || !strcmp(name, "begin")) && strchr(callee, '.')) {
		/* engine.connect(), engine.begin(), SessionLocal.begin() */
		char recv[256];
		snprintf(recv, sizeof(recv), "%.*s", (int)(l - strlen(name) - 1), callee);
		o = name_made(b, c->block, recv, c->name_begin, depth);
		return o.what == MADE_ENGINE || o.what == MADE_FACTORY ? made(o.kind, MADE_SESSION) : nothing;
	}
	/* SessionLocal(), self.session_maker(), a scoped_session registry called */
	o = name_made(b, c->block, callee, c->name_begin, depth);
	return o.what == MADE_FACTORY || o.what == MADE_REGISTRY ? made(o.kind, MADE_SESSION) : nothing;
}

/* What the value [vb, ve) makes: one call spanning it, after an optional
 * await (which makes it async). */
static struct opened value_made(const struct py_binds *b, uint32_t vb, uint32_t ve, int depth)
{
	int awaited = 0;
	long ci;
	struct opened o;
	if (vb < ve && py_tok_is(b->ol->toks, vb, "await")) {
		awaited = 1;
		vb++;
	}
	if (vb >= ve || (ci = call_spanning(b->ol, vb, ve)) < 0)
		return nothing;
	o = call_made(b, (size_t)ci, depth);
	if (awaited && o.what != MADE_NONE)
		o.kind = PSESS_ASYNC;
	return o;
}

static enum py_sess session_of(struct opened o)
{
	return o.what == MADE_SESSION || o.what == MADE_REGISTRY ? o.kind : PSESS_UNKNOWN;
}

enum py_sess py_value_session(const struct py_binds *b, uint32_t vb, uint32_t ve)
{
	return session_of(value_made(b, vb, ve, 0));
}

enum py_sess py_call_opens_session(const struct py_binds *b, size_t ci)
{
	struct opened o = call_made(b, ci, 0);
	if (b->ol->calls[ci].awaited && o.what != MADE_NONE)
		o.kind = PSESS_ASYNC;
	return session_of(o);
}

enum py_sess py_bound_session(const struct py_binds *b, int blk, const char *name, uint32_t tok)
{
	const struct py_outline *ol = b->ol;
	const struct py_bind *bd = py_binds_find(b, blk, name, tok);
	int s;
	if (!bd || bd->kind == PBK_HTTP || bd->kind == PBK_FILE || bd->kind == PBK_OTHER)
		return PSESS_UNKNOWN;
	s = py_outline_stmt_of_tok(ol, bd->tok);
	if (s < 0)
		return PSESS_UNKNOWN;
	if (ol->stmts[s].opens >= 0 && ol->blocks[ol->stmts[s].opens].kind == PB_WITH) {
		/* with Session(engine) as s: / async with async_session() as s: */
		const struct py_block *w = &ol->blocks[ol->stmts[s].opens];
		unsigned i;
		for (i = 0; i < w->nitems; i++) {
			struct opened o;
			if (w->items[i].expr_begin != bd->tok)
				continue;
			o = value_made(b, bd->tok, w->items[i].expr_end, 0);
			if (w->is_async && o.what != MADE_NONE)
				o.kind = PSESS_ASYNC;
			return session_of(o);
		}
		return PSESS_UNKNOWN;
	}
	return session_of(bound_made(b, blk, name, tok, 0));
}

/* ---- the walk */

enum { RS_EMPTY, RS_BUSY, RS_NONE, RS_DIRECT, RS_VIA };

struct reach_ent {
	size_t key;      /* fn index + 1; 0 is an empty slot */
	uint8_t state;
	unsigned next;   /* RS_VIA: the call site that leads on */
};

struct py_reach {
	struct py_index *ix;
	enum py_reach_kind kind;
	struct reach_ent *v;
	size_t cap, n;
};

struct py_reach *py_reach_new(struct py_index *ix, enum py_reach_kind k)
{
	struct py_reach *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->ix = ix;
	r->kind = k;
	r->cap = 64;
	r->v = calloc(r->cap, sizeof(*r->v));
	if (!r->v) {
		free(r);
		return NULL;
	}
	py_index_resolve(ix);
	return r;
}

void py_reach_free(struct py_reach *r)
{
	if (!r)
		return;
	free(r->v);
	free(r);
}

static struct reach_ent *slot(struct py_reach *r, size_t id)
{
	size_t h = (id * 2654435761u) & (r->cap - 1);
	while (r->v[h].key && r->v[h].key != id + 1)
		h = (h + 1) & (r->cap - 1);
	return &r->v[h];
}

/* The memo entry of def id, added (empty) when absent; NULL on ENOMEM. */
static struct reach_ent *entry(struct py_reach *r, size_t id)
{
	struct reach_ent *e = slot(r, id);
	if (e->key)
		return e;
	if ((r->n + 1) * 2 > r->cap) {
		struct reach_ent *old = r->v;
		size_t oc = r->cap, i;
		r->v = calloc(oc * 2, sizeof(*r->v));
		if (!r->v) {
			r->v = old;
			return NULL;
		}
		r->cap = oc * 2;
		for (i = 0; i < oc; i++)
			if (old[i].key)
				*slot(r, old[i].key - 1) = old[i];
		free(old);
		e = slot(r, id);
	}
	e->key = id + 1;
	e->state = RS_EMPTY;
	r->n++;
	return e;
}

static int cached_def(const struct py_fn *fn)
{
	unsigned i;
	for (i = 0; i < fn->ndecorators; i++) {
		const char *d = fn->decorators[i];
		if (strstr(d, "lru_cache") || strstr(d, "cached") || !strcmp(d, "cache") ||
		    !strcmp(d, "functools.cache") || !strncmp(d, "cache(", 6))
			return 1;
	}
	return 0;
}

const struct py_fn *py_reach_target(struct py_index *ix, const struct py_callsite *cs)
{
	const struct py_fn *t;
	if (cs->awaited || cs->offloaded || cs->job_ref || cs->once_guard)
		return NULL;
	t = py_index_call_target(ix, cs);
	/* an async def's body runs when awaited and is judged there; a cached
	 * def pays its I/O once per process */
	if (!t || t->is_async || cached_def(t))
		return NULL;
	return t;
}

static int has_kind(const struct py_reach *r, const struct py_fn *fn)
{
	return fn->blocking && (fn->blocking_sleep != 0) == (r->kind == PRK_SLEEP);
}

#define REACH_DEPTH 48

/* 1 when def id reaches a blocking call of the walk's kind.  A def still
 * on the path (a cycle) answers no for this path. */
static int walk(struct py_reach *r, size_t id, int depth)
{
	const struct py_fn *fn = &r->ix->fns[id];
	struct reach_ent *e = entry(r, id);
	unsigned k;
	if (!e || e->state == RS_BUSY)
		return 0;
	if (e->state != RS_EMPTY)
		return e->state != RS_NONE;
	if (has_kind(r, fn)) {
		e->state = RS_DIRECT;
		return 1;
	}
	if (depth >= REACH_DEPTH)
		return 0;
	e->state = RS_BUSY;
	for (k = 0; k < fn->ncalls; k++) {
		const struct py_fn *t = py_reach_target(r->ix, &fn->calls[k]);
		if (t && walk(r, py_index_fn_id(r->ix, t), depth + 1)) {
			e = entry(r, id); /* the table may have moved */
			if (e) {
				e->state = RS_VIA;
				e->next = k;
			}
			return 1;
		}
	}
	if ((e = entry(r, id)))
		e->state = RS_NONE;
	return 0;
}

size_t py_reach_path(struct py_reach *r, const struct py_fn *fn, const struct py_fn **hops,
		     const struct py_callsite **sites, size_t max)
{
	size_t n = 0, id;
	if (!r || !fn || !max || !walk(r, py_index_fn_id(r->ix, fn), 0))
		return 0;
	for (id = py_index_fn_id(r->ix, fn);;) {
		const struct reach_ent *e = entry(r, id);
		const struct py_fn *f = &r->ix->fns[id];
		if (!e || n == max)
			return 0;
		hops[n] = f;
		sites[n] = NULL;
		n++;
		if (e->state == RS_DIRECT)
			return n;
		if (e->state != RS_VIA)
			return 0;
		sites[n - 1] = &f->calls[e->next];
		id = py_index_fn_id(r->ix, py_index_call_target(r->ix, &f->calls[e->next]));
	}
}

const struct py_callsite *py_index_site_of(struct py_index *ix, const char *path, const struct py_outline *ol,
					   const struct py_call *c, int *m, const struct py_fn **fn)
{
	const struct py_fn *f;
	unsigned k, stop;
	*fn = NULL;
	if (!ix || c->func < 0 || (size_t)c->func >= ol->nblocks)
		return NULL;
	f = py_index_fn_at(ix, path, ol->blocks[c->func].line);
	if (!f)
		return NULL;
	*fn = f;
	k = m[c->func] < 0 ? 0 : (unsigned)m[c->func];
	/* the sites are a subsequence of the def's calls in the same order;
	 * a short look-ahead absorbs calls the caller did not ask about */
	for (stop = k + 8; k < f->ncalls && k < stop; k++)
		if (f->calls[k].line == c->line && !strcmp(f->calls[k].callee, c->callee)) {
			m[c->func] = (int)k + 1;
			return &f->calls[k];
		}
	return NULL;
}

/* ---- transitive findings of a file */

int py_reach_each(struct py_index *ix, const char *path, const struct py_outline *ol, enum py_reach_kind k,
		  py_reach_fn fn, void *arg)
{
	struct py_reach *r;
	int *m;
	size_t ci;
	if (!ix || !ol->nblocks)
		return 0;
	m = malloc(ol->nblocks * sizeof(int));
	r = py_reach_new(ix, k);
	if (!m || !r) {
		free(m);
		py_reach_free(r);
		return -1;
	}
	for (ci = 0; ci < ol->nblocks; ci++)
		m[ci] = -1;
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		const struct py_callsite *cs;
		const struct py_fn *t;
		struct py_reach_hit h;
		if (c->func < 0 || !ol->blocks[c->func].is_async || !c->callee[0])
			continue;
		cs = py_index_site_of(ix, path, ol, c, m, &h.caller);
		if (!cs || c->is_ref || c->awaited || !py_call_on_event_loop(ol, c) ||
		    !(t = py_reach_target(ix, cs)))
			continue;
		h.n = py_reach_path(r, t, h.hops, h.sites, PY_REACH_MAX);
		if (!h.n)
			continue;
		h.call = c;
		fn(arg, &h);
	}
	py_reach_free(r);
	free(m);
	return 0;
}

const char *py_fn_display(const struct py_fn *f, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s", f->cls ? f->cls : "", f->cls ? "." : "", f->name);
	return buf;
}

void py_reach_chain_free(char **chain, size_t n)
{
	size_t i;
	for (i = 0; chain && i < n; i++)
		free(chain[i]);
}

static char *fmt_step(const char *name, const char *path, unsigned line)
{
	size_t l = strlen(name) + strlen(path) + 24;
	char *s = malloc(l);
	if (s)
		snprintf(s, l, "%s (%s:%u)", name, path, line);
	return s;
}

int py_reach_describe(const struct py_reach_hit *h, const char *path, char *text, size_t n, char **chain,
		      size_t *nchain)
{
	char name[256];
	size_t i, o;
	const struct py_fn *last = h->hops[h->n - 1];
	if (nchain)
		*nchain = 0;
	o = (size_t)snprintf(text, n, "%s", py_fn_display(h->caller, name, sizeof(name)));
	for (i = 0; i < h->n && o < n; i++) {
		const struct py_fn *f = h->hops[i];
		unsigned line = h->sites[i] ? h->sites[i]->line : f->blocking_line;
		py_fn_display(f, name, sizeof(name));
		if (!strcmp(f->path, path))
			o += (size_t)snprintf(text + o, n - o, " \xe2\x86\x92 %s:%u", name, line);
		else
			o += (size_t)snprintf(text + o, n - o, " \xe2\x86\x92 %s (%s:%u)", name, f->path, line);
	}
	if (o < n)
		snprintf(text + o, n - o, " %s", last->blocking);
	if (!chain)
		return 0;
	chain[(*nchain)++] = fmt_step(py_fn_display(h->caller, name, sizeof(name)), path, h->call->line);
	for (i = 0; i < h->n; i++)
		chain[(*nchain)++] = fmt_step(py_fn_display(h->hops[i], name, sizeof(name)), h->hops[i]->path,
					      h->hops[i]->line);
	chain[(*nchain)++] = fmt_step(last->blocking, last->path, last->blocking_line);
	for (i = 0; i < *nchain; i++)
		if (!chain[i]) {
			py_reach_chain_free(chain, *nchain);
			*nchain = 0;
			return -1;
		}
	return 0;
}

/* 1 when tokens [b, e) hold "global ... name ..." statement of def f. */
static int declares_global(const struct py_outline *ol, int f, const char *name, size_t nl)
{
	const struct py_toks *t = ol->toks;
	const struct py_block *d = &ol->blocks[f];
	uint32_t k;
	for (k = d->body_begin; k + 1 < d->body_end; k++) {
		uint32_t j;
		if (t->v[k].kind != PT_NAME || !py_tok_is(t, k, "global"))
			continue;
		for (j = k + 1; j < d->body_end && (t->v[j].kind == PT_NAME || py_tok_is(t, j, ",")); j++)
			if (t->v[j].kind == PT_NAME && t->v[j].len == nl && !memcmp(py_tok_text(t, j), name, nl))
				return 1;
	}
	return 0;
}

/* The guarded name of an "if X is None" / "if not X" header, or -1. */
static int32_t guard_name(const struct py_toks *t, const struct py_block *b)
{
	uint32_t k = b->hdr_begin + 1;  /* after "if" */
	if (b->hdr_end == k + 2 && py_tok_is(t, k, "not") && t->v[k + 1].kind == PT_NAME)
		return (int32_t)(k + 1);
	if (b->hdr_end == k + 3 && t->v[k].kind == PT_NAME && py_tok_is(t, k + 1, "is") &&
	    py_tok_is(t, k + 2, "None"))
		return (int32_t)k;
	return -1;
}

/* 1 when the body of block b assigns name ("name = ..." or "name: T = ..."). */
static int body_assigns(const struct py_toks *t, const struct py_block *b, const char *name, size_t nl)
{
	uint32_t k;
	for (k = b->body_begin; k + 1 < b->body_end; k++)
		if (t->v[k].kind == PT_NAME && t->v[k].len == nl && !memcmp(py_tok_text(t, k), name, nl) &&
		    (k == 0 || t->v[k - 1].kind == PT_NEWLINE || t->v[k - 1].kind == PT_INDENT ||
		     t->v[k - 1].kind == PT_DEDENT) &&
		    (py_tok_is(t, k + 1, "=") || py_tok_is(t, k + 1, ":")))
			return 1;
	return 0;
}

int py_call_in_once_guard(const struct py_outline *ol, const struct py_call *c)
{
	const struct py_toks *t = ol->toks;
	int b = c->block;
	if (c->func < 0)
		return 0;
	for (; b >= 0 && b != c->func; b = ol->blocks[b].parent) {
		const struct py_block *blk = &ol->blocks[b];
		int32_t g;
		if (blk->kind != PB_IF || (g = guard_name(t, blk)) < 0)
			continue;
		if (declares_global(ol, c->func, py_tok_text(t, (size_t)g), t->v[g].len) &&
		    body_assigns(t, blk, py_tok_text(t, (size_t)g), t->v[g].len))
			return 1;
	}
	return 0;
}
