/*
 * pydb: bindings (what names hold) and receivers (is this a session, a
 * repository?).  Statements, operations and external calls are in
 * pydb_ops.c.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pydb.h"
#include "pydb_p.h"

char *pydb_strndup(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

const char *pydb_last(const char *chain)
{
	const char *p = strrchr(chain, '.');
	return p ? p + 1 : chain;
}

int pydb_ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && !strcasecmp(s + ls - lx, suffix);
}

int pydb_in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

/* ---- classification of constructors and annotations */

/* Qualified constructors (prefix match on whole components) of clients
 * that talk over the network. */
static const char *const http_ctors[] = {
	"httpx.Client", "httpx.AsyncClient", "requests.Session", "requests.session",
	"aiohttp.ClientSession", "urllib3.PoolManager", "urllib3.HTTPConnectionPool",
	"boto3.client", "boto3.resource", "boto3.session.Session", "boto3.Session",
	"aioboto3.Session", "botocore.session", "smtplib.SMTP", "smtplib.SMTP_SSL",
	"aiosmtplib.SMTP", "grpc.insecure_channel", "grpc.secure_channel",
	"grpc.aio.insecure_channel", "grpc.aio.secure_channel", "http.client.HTTPConnection",
	"http.client.HTTPSConnection", "ftplib.FTP", "paramiko.SSHClient",
	"xmlrpc.client.ServerProxy", "openai.OpenAI", "openai.AsyncOpenAI",
	"anthropic.Anthropic", "anthropic.AsyncAnthropic", "twilio.rest.Client",
	"slack_sdk.WebClient", "slack_sdk.web.async_client.AsyncWebClient",
	"sendgrid.SendGridAPIClient", "google.cloud.storage.Client", "minio.Minio",
	"zeep.Client", "httplib2.Http", "stripe.StripeClient", NULL
};

static int prefix_component(const char *q, const char *p)
{
	size_t l = strlen(p);
	return !strncmp(q, p, l) && (q[l] == '\0' || q[l] == '.' || q[l] == '(');
}

int pydb_is_http_ctor(const char *q)
{
	size_t i;
	const char *last = pydb_last(q);
	for (i = 0; http_ctors[i]; i++)
		if (prefix_component(q, http_ctors[i]))
			return 1;
	return pydb_ends_with(last, "Stub") && strlen(last) > 4;
}

/* 1 when name (a bare or dotted name, no call) is a session factory of the
 * context or looks like one (SessionLocal, async_session, SessionMaker...). */
int pydb_is_factory_name(const struct py_binds *b, const char *name)
{
	static const char *const known[] = {
		"SessionLocal", "AsyncSessionLocal", "SessionMaker", "Sessions", "async_session",
		"async_session_maker", "async_session_factory", "session_factory", "SessionFactory",
		"sessionmaker", "session_maker", "async_sessionmaker", "db_session", "session_scope",
		"get_session", "get_db", "get_db_session", "get_async_session", "new_session",
		"make_session", "Session", "AsyncSession", "ScopedSession", NULL
	};
	const char *last = pydb_last(name);
	size_t i;
	for (i = 0; i < b->nfactories; i++)
		if (!strcmp(b->factories[i], last))
			return 1;
	if (pydb_in_list(last, known))
		return 1;
	return (pydb_ends_with(last, "sessionmaker") || pydb_ends_with(last, "session_factory") ||
		pydb_ends_with(last, "SessionLocal")) ? 1 : 0;
}

static int is_session_type_word(const char *s, size_t l)
{
	static const char *const words[] = {
		"Session", "AsyncSession", "scoped_session", "async_scoped_session", "Connection",
		"AsyncConnection", "SessionTransaction", "Database", "Pool", "Engine", "AsyncEngine",
		"Cursor", NULL
	};
	size_t i;
	for (i = 0; words[i]; i++)
		if (strlen(words[i]) == l && !strncmp(words[i], s, l))
			return 1;
	/* type aliases: SessionDep, DbSession, AsyncSessionDep, DBSession */
	for (i = 0; i + 7 <= l; i++)
		if (!strncmp(s + i, "Session", 7) && (i == 0 || islower((unsigned char)s[i - 1]) ||
						      isupper((unsigned char)s[i - 1])))
			return strncmp(s, "ClientSession", 13) != 0;
	return 0;
}

/* Classifies a type annotation text.  *type gets the class name (malloc'd)
 * for PBK_OBJECT. */
static enum py_bind_kind classify_annotation(const char *a, char **type)
{
	const char *p = a, *best = NULL;
	size_t bestlen = 0;
	*type = NULL;
	if (strstr(a, "ClientSession") || strstr(a, "requests.") || strstr(a, "httpx.") ||
	    strstr(a, "aiohttp.") || strstr(a, "boto3") || strstr(a, "Stub")) {
		while (*p == ' ')
			p++;
		*type = pydb_strndup(p, strcspn(p, " |[],"));
		return PBK_HTTP;
	}
	if (strstr(a, "sessionmaker"))
		return PBK_FACTORY;
	while (*p) {
		const char *s;
		if (!(isalpha((unsigned char)*p) || *p == '_')) {
			p++;
			continue;
		}
		s = p;
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
		if (is_session_type_word(s, (size_t)(p - s)))
			return PBK_SESSION;
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ", *s) && (size_t)(p - s) > bestlen &&
		    strncmp(s, "Optional", 8) && strncmp(s, "Union", 5) && strncmp(s, "Annotated", 9) &&
		    strncmp(s, "None", 4)) {
			best = s;
			bestlen = (size_t)(p - s);
		}
	}
	if (!best)
		return PBK_NONE;
	*type = pydb_strndup(best, bestlen);
	return PBK_OBJECT;
}

/* Classifies the value at tokens [begin,end): a constructor or factory
 * call, a literal.  *type gets a malloc'd description for HTTP and OBJECT. */
static enum py_bind_kind classify_value(const struct py_binds *b, uint32_t begin, uint32_t end, char **type)
{
	static const char *const builtins[] = { "set", "list", "dict", "tuple", "frozenset", "str", "int",
						"float", "bytes", "bytearray", "defaultdict", "Counter", "deque",
						"OrderedDict", "collections.defaultdict", "collections.Counter",
						"collections.deque", "collections.OrderedDict", "object", NULL };
	const struct py_toks *t = b->ol->toks;
	char chain[256], q[320];
	const char *last;
	size_t o = 0;
	uint32_t k = begin;
	*type = NULL;
	if (k < end && py_tok_is(t, k, "await"))
		k++;
	if (k >= end)
		return PBK_NONE;
	if (t->v[k].kind == PT_STRING || t->v[k].kind == PT_NUMBER || py_tok_is(t, k, "[") ||
	    py_tok_is(t, k, "{"))
		return PBK_OTHER;
	while (k < end && (t->v[k].kind == PT_NAME || py_tok_is(t, k, ".")) && o + t->v[k].len + 1 < sizeof(chain)) {
		memcpy(chain + o, py_tok_text(t, k), t->v[k].len);
		o += t->v[k].len;
		k++;
	}
	chain[o] = '\0';
	if (!o || k >= end || !py_tok_is(t, k, "("))
		return PBK_NONE;
	if (pydb_in_list(chain, builtins))
		return PBK_OTHER;
	py_binds_qualify(b, chain, q, sizeof(q));
	last = pydb_last(q);
	if (pydb_is_http_ctor(q)) {
		*type = strdup(q);
		return PBK_HTTP;
	}
	if (!strcmp(q, "open") || prefix_component(q, "io.open") || prefix_component(q, "aiofiles.open") ||
	    prefix_component(q, "gzip.open") || prefix_component(q, "codecs.open"))
		return PBK_FILE;
	if (!strcmp(last, "sessionmaker") || !strcmp(last, "async_sessionmaker"))
		return PBK_FACTORY;
	if (!strcmp(last, "scoped_session") || !strcmp(last, "async_scoped_session"))
		return PBK_SESSION;
	if (!strcmp(last, "connect") || !strcmp(last, "acquire") || !strcmp(last, "begin") ||
	    !strcmp(last, "raw_connection")) {
		/* engine.connect(), pool.acquire(), SessionLocal.begin(), asyncpg.connect() */
		if (strstr(q, "engine") || strstr(q, "pool") || strstr(q, "asyncpg") || strstr(q, "psycopg") ||
		    strstr(q, "sqlite") || strstr(q, "mysql") || strstr(q, "aiopg") ||
		    pydb_is_factory_name(b, chain) ||
		    (strchr(chain, '.') && pydb_is_factory_name(b, pydb_strip_last(chain, q, sizeof(q)))))
			return PBK_SESSION;
		return PBK_NONE;
	}
	if (pydb_is_factory_name(b, chain) && !strstr(q, "requests") && !strstr(q, "aiohttp"))
		return PBK_SESSION;
	if (isupper((unsigned char)last[0])) {
		*type = strdup(last);
		return PBK_OBJECT;
	}
	return PBK_NONE;
}

char *pydb_strip_last(const char *chain, char *buf, size_t n)
{
	const char *dot = strrchr(chain, '.');
	size_t l = dot ? (size_t)(dot - chain) : 0;
	if (l >= n)
		l = n - 1;
	memcpy(buf, chain, l);
	buf[l] = '\0';
	return buf;
}

/* ---- building */

static int add_bind(struct py_binds *b, int scope, const char *name, size_t nlen, enum py_bind_kind kind,
		    char *type, uint32_t tok)
{
	struct py_bind *e;
	if (kind == PBK_NONE) {
		free(type);
		return 0;
	}
	if (b->n == b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 32;
		struct py_bind *nv = realloc(b->v, nc * sizeof(*nv));
		if (!nv) {
			free(type);
			return -1;
		}
		b->v = nv;
		b->cap = nc;
	}
	e = &b->v[b->n];
	e->name = pydb_strndup(name, nlen);
	if (!e->name) {
		free(type);
		return -1;
	}
	e->scope = scope;
	e->type = type;
	e->kind = (uint8_t)kind;
	e->tok = tok;
	e->alias = 0;
	e->blk = -1;
	b->n++;
	return 0;
}

/* "session: AsyncSession = Depends(get_session)" */
static int bind_param(struct py_binds *b, int f, const char *name, const char *text, uint32_t tok)
{
	const char *colon = strchr(text, ':'), *eq = NULL, *p;
	enum py_bind_kind kind = PBK_NONE;
	char *type = NULL, ann[256];
	int depth = 0;
	for (p = text; *p; p++) {
		if (*p == '(' || *p == '[' || *p == '{')
			depth++;
		else if (*p == ')' || *p == ']' || *p == '}')
			depth--;
		else if (*p == '=' && depth == 0) {
			eq = p;
			break;
		}
	}
	if (colon && (!eq || colon < eq)) {
		size_t l = (size_t)((eq ? eq : text + strlen(text)) - colon - 1);
		if (l >= sizeof(ann))
			l = sizeof(ann) - 1;
		memcpy(ann, colon + 1, l);
		ann[l] = '\0';
		kind = classify_annotation(ann, &type);
	}
	if (eq && strstr(eq, "Depends(") && kind != PBK_HTTP && kind != PBK_SESSION) {
		const char *arg = strstr(eq, "Depends(") + 8;
		char dep[128];
		size_t l = strcspn(arg, ",)");
		if (l >= sizeof(dep))
			l = sizeof(dep) - 1;
		memcpy(dep, arg, l);
		dep[l] = '\0';
		for (l = 0; dep[l]; l++)
			dep[l] = (char)tolower((unsigned char)dep[l]);
		if (strstr(dep, "session") || strstr(dep, "db") || strstr(dep, "uow") ||
		    strstr(dep, "transaction")) {
			free(type);
			type = NULL;
			kind = PBK_SESSION;
		}
	}
	return add_bind(b, f, name, strlen(name), kind, type, tok);
}

/* Scope for an assignment to target in block blk: the class for self.x in
 * a method and for class-body names, else the def (or -1). */
static int assign_scope(const struct py_outline *ol, int blk, const char *target, int *self_attr)
{
	int f = ol->blocks[blk].func;
	*self_attr = 0;
	if (ol->blocks[blk].kind == PB_CLASS && f < 0) {
		*self_attr = 1;
		return blk;
	}
	if (f >= 0 && !strncmp(target, "self.", 5)) {
		int cls = ol->blocks[f].parent;
		if (cls >= 0 && ol->blocks[cls].kind == PB_CLASS)
			return cls;
	}
	return f;
}

static int bind_one(struct py_binds *b, int blk, uint32_t tb, uint32_t te, uint32_t vb, uint32_t ve)
{
	const struct py_outline *ol = b->ol;
	char *target, *type = NULL, name[256];
	enum py_bind_kind kind;
	int scope, self_attr, rc, alias;
	if (!py_tok_is_chain(ol->toks, tb, te))
		return 0;
	target = py_outline_text(ol, tb, te);
	if (!target)
		return -1;
	scope = assign_scope(ol, blk, target, &self_attr);
	snprintf(name, sizeof(name), "%s%s", self_attr ? "self." : "", target);
	free(target);
	kind = classify_value(b, vb, ve, &type);
	alias = kind == PBK_NONE && ve == vb + 1 && ol->toks->v[vb].kind == PT_NAME;
	if (kind == PBK_NONE)
		kind = PBK_LOCAL; /* rebound to something unknown: shadows outer bindings */
	rc = add_bind(b, scope, name, strlen(name), kind, type, tb);
	if (rc == 0 && alias) {
		b->v[b->n - 1].alias = vb + 1; /* self.client = client: resolved after sorting */
		b->v[b->n - 1].blk = blk;
	}
	return rc;
}

/* Top-level commas of [b,e) into cuts (at most max); returns the count of parts. */
static int split_commas(const struct py_toks *t, uint32_t b, uint32_t e, uint32_t *cuts, int max)
{
	int n = 0;
	uint32_t k;
	uint16_t d = b < e ? t->v[b].depth : 0;
	for (k = b; k < e; k++)
		if (py_tok_is(t, k, ",") && t->v[k].depth == d) {
			if (n >= max)
				return -1;
			cuts[n++] = k;
		}
	return n + 1;
}

static int bind_assign(struct py_binds *b, int s)
{
	const struct py_outline *ol = b->ol;
	const struct py_toks *t = ol->toks;
	struct py_assign a;
	uint32_t tc[8], vc[8];
	int nt, nv, i;
	if (!py_stmt_assign(ol, s, &a) || !py_tok_is(t, a.op, "="))
		return 0;
	nt = split_commas(t, a.target_begin, a.target_end, tc, 8);
	nv = split_commas(t, a.value_begin, a.value_end, vc, 8);
	if (nt == 1)
		return bind_one(b, ol->stmts[s].block, a.target_begin, a.target_end, a.value_begin, a.value_end);
	if (nt != nv || nt < 1)
		return 0;
	for (i = 0; i < nt; i++) {
		uint32_t tb = i ? tc[i - 1] + 1 : a.target_begin, te = i < nt - 1 ? tc[i] : a.target_end;
		uint32_t vb = i ? vc[i - 1] + 1 : a.value_begin, ve = i < nv - 1 ? vc[i] : a.value_end;
		if (bind_one(b, ol->stmts[s].block, tb, te, vb, ve) < 0)
			return -1;
	}
	return 0;
}

static int bind_with(struct py_binds *b, int w)
{
	const struct py_block *bl = &b->ol->blocks[w];
	unsigned i;
	for (i = 0; i < bl->nitems; i++) {
		const struct py_with_item *it = &bl->items[i];
		enum py_bind_kind kind;
		char *type = NULL;
		if (!it->target)
			continue;
		kind = classify_value(b, it->expr_begin, it->expr_end, &type);
		if (kind == PBK_NONE)
			kind = PBK_LOCAL;
		if (add_bind(b, bl->func, it->target, strlen(it->target), kind, type, it->expr_begin) < 0)
			return -1;
	}
	return 0;
}

static int cmp_bind(const void *x, const void *y)
{
	const struct py_bind *a = x, *c = y;
	int r;
	if (a->scope != c->scope)
		return a->scope < c->scope ? -1 : 1;
	if ((r = strcmp(a->name, c->name)))
		return r;
	return a->tok < c->tok ? -1 : a->tok > c->tok;
}

/* Copies the binding of the names that aliases point at. */
static void resolve_aliases(struct py_binds *b)
{
	const struct py_toks *t = b->ol->toks;
	size_t i;
	for (i = 0; i < b->n; i++) {
		struct py_bind *e = &b->v[i];
		const struct py_bind *src;
		char name[128];
		uint32_t k;
		if (!e->alias)
			continue;
		k = e->alias - 1;
		snprintf(name, sizeof(name), "%.*s", (int)t->v[k].len, py_tok_text(t, k));
		src = py_binds_find(b, e->blk, name, k);
		if (src && src != e && !src->alias && src->kind != PBK_LOCAL) {
			e->kind = src->kind;
			free(e->type);
			e->type = src->type ? strdup(src->type) : NULL;
		}
	}
}

static int cmp_alias(const void *x, const void *y)
{
	const struct py_alias_ref *a = x, *c = y;
	int r = strcmp(a->alias, c->alias);
	return r ? r : (a->i < c->i ? -1 : a->i > c->i);
}

/* snprintf(buf, n, "%s%s", a, c) without the format machinery: this runs
 * for every call of every file (3% of an auditor as snprintf). */
static void cat2(char *buf, size_t n, const char *a, const char *c)
{
	size_t la = strlen(a), lc = strlen(c);
	if (n == 0)
		return;
	if (la > n - 1)
		la = n - 1;
	if (lc > n - 1 - la)
		lc = n - 1 - la;
	memmove(buf, a, la);
	memmove(buf + la, c, lc);
	buf[la + lc] = '\0';
}

const char *py_binds_qualify(const struct py_binds *b, const char *callee, char *buf, size_t n)
{
	size_t head = strcspn(callee, ".(["), lo = 0, hi = b->im.n, hit = SIZE_MAX;
	if (!b->aliases)
		return py_qualify(&b->im, callee, buf, n);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *a = b->aliases[mid].alias;
		int r = strncmp(a, callee, head);
		if (r == 0 && a[head] != '\0')
			r = 1;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < b->im.n; lo++) {
		const char *a = b->aliases[lo].alias;
		if (strncmp(a, callee, head) || a[head] != '\0')
			break;
		hit = b->aliases[lo].i; /* the last import of that name wins */
	}
	if (hit == SIZE_MAX) {
		cat2(buf, n, callee, "");
		return buf;
	}
	cat2(buf, n, b->im.v[hit].qual, callee + head);
	return buf;
}

/* The distinct last components of the context's session factory names. */
static void load_factories(struct py_binds *b)
{
	const json_t *f = json_object_get(json_object_get(b->context, "db_config"), "session_factories");
	size_t i, k;
	json_t *e;
	json_array_foreach(f, i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));
		if (!n || b->nfactories == PYDB_MAX_FACTORIES)
			continue;
		n = pydb_last(n);
		for (k = 0; k < b->nfactories && strcmp(b->factories[k], n); k++)
			;
		if (k == b->nfactories)
			b->factories[b->nfactories++] = n;
	}
}

/* The bindings shared by the checks of the file being audited (pydb.h). */
static struct {
	const struct py_outline *ol;
	const json_t *context;
	int built;
	struct py_binds b;
} share;

static int binds_build(struct py_binds *b, const struct py_outline *ol, const json_t *context);

void py_binds_share_begin(const struct py_outline *ol, const json_t *context)
{
	py_binds_share_end();
	share.ol = ol;
	share.context = context;
}

void py_binds_share_end(void)
{
	if (share.built)
		py_binds_free(&share.b);
	memset(&share, 0, sizeof(share));
}

int py_binds_build(struct py_binds *b, const struct py_outline *ol, const json_t *context)
{
	if (!ol || ol != share.ol || context != share.context)
		return binds_build(b, ol, context);
	if (!share.built) {
		if (binds_build(&share.b, ol, context) < 0) {
			*b = share.b; /* empty but valid and owning nothing, as binds_build leaves it */
			memset(&share.b, 0, sizeof(share.b));
			return -1;
		}
		share.built = 1;
	}
	*b = share.b;
	b->borrowed = 1;
	return 0;
}

static int binds_build(struct py_binds *b, const struct py_outline *ol, const json_t *context)
{
	size_t i;
	memset(b, 0, sizeof(*b));
	b->ol = ol;
	b->context = context;
	load_factories(b);
	if (py_imports_build(ol, &b->im) < 0)
		return -1;
	if (b->im.n && (b->aliases = malloc(b->im.n * sizeof(*b->aliases)))) {
		for (i = 0; i < b->im.n; i++) {
			b->aliases[i].alias = b->im.v[i].alias;
			b->aliases[i].i = i;
		}
		qsort(b->aliases, b->im.n, sizeof(*b->aliases), cmp_alias);
	}
	for (i = 0; i < ol->nblocks; i++) {
		const struct py_block *bl = &ol->blocks[i];
		unsigned k;
		if (bl->kind == PB_DEF)
			for (k = 0; k < bl->nparams; k++)
				if (bind_param(b, (int)i, bl->params[k], bl->param_texts[k], bl->hdr_begin) < 0)
					goto fail;
		if (bl->kind == PB_WITH && bind_with(b, (int)i) < 0)
			goto fail;
	}
	for (i = 0; i < ol->nstmts; i++)
		if (bind_assign(b, (int)i) < 0)
			goto fail;
	if (b->n)
		qsort(b->v, b->n, sizeof(*b->v), cmp_bind);
	resolve_aliases(b);
	return 0;
fail:
	py_binds_free(b);
	b->ol = ol;
	b->context = context;
	load_factories(b);
	return -1;
}

void py_binds_free(struct py_binds *b)
{
	size_t i;
	if (b->borrowed) { /* the storage belongs to the shared bindings */
		memset(b, 0, sizeof(*b));
		return;
	}
	for (i = 0; i < b->n; i++) {
		free(b->v[i].name);
		free(b->v[i].type);
	}
	free(b->v);
	free(b->aliases);
	py_imports_free(&b->im);
	memset(b, 0, sizeof(*b));
}

/* ---- lookup */

static const struct py_bind *find_in_scope(const struct py_binds *b, int scope, const char *name, uint32_t tok)
{
	size_t lo = 0, hi = b->n, i;
	const struct py_bind *best = NULL, *after = NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct py_bind *m = &b->v[mid];
		if (m->scope < scope || (m->scope == scope && strcmp(m->name, name) < 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < b->n && b->v[i].scope == scope && !strcmp(b->v[i].name, name); i++) {
		if (b->v[i].tok <= tok)
			best = &b->v[i];
		else if (!after)
			after = &b->v[i];
	}
	return best ? best : after;
}

const struct py_bind *py_binds_find(const struct py_binds *b, int blk, const char *name, uint32_t tok)
{
	const struct py_outline *ol = b->ol;
	const struct py_bind *hit;
	int f;
	if (!ol || blk < 0 || (size_t)blk >= ol->nblocks)
		return b->ol ? find_in_scope(b, -1, name, tok) : NULL;
	f = ol->blocks[blk].func;
	while (f >= 0) {
		int cls = ol->blocks[f].parent;
		if ((hit = find_in_scope(b, f, name, tok)))
			return hit;
		if (cls >= 0 && ol->blocks[cls].kind == PB_CLASS && !strncmp(name, "self.", 5) &&
		    (hit = find_in_scope(b, cls, name, tok)))
			return hit;
		f = cls >= 0 ? py_outline_enclosing(ol, cls, PB_MASK(PB_DEF), 1) : -1;
	}
	return find_in_scope(b, -1, name, tok);
}

/* ---- receivers */

static int session_name(const struct py_binds *b, const char *recv)
{
	static const char *const names[] = {
		"session", "db", "db_session", "dbsession", "sess", "_session", "_db", "dbs",
		"conn", "connection", "_conn", "cursor", "cur", "con", "db_conn", "tx", "txn",
		"Session", "read_session", "write_session", "pool", "_pool", "db_pool", "pg_pool",
		"database", "_database", "engine", "_engine", NULL
	};
	static const char *const not_db[] = { "http", "client", "aiohttp", "requests", "web", "browser",
					      "user", "login", "auth", "ws", "chat", NULL };
	const char *last = pydb_last(recv);
	size_t i;
	if (pydb_in_list(last, names))
		return 1;
	if (pydb_ends_with(last, "_session") || pydb_ends_with(last, "Session")) {
		for (i = 0; not_db[i]; i++)
			if (!strncasecmp(last, not_db[i], strlen(not_db[i])))
				return 0;
		return 1;
	}
	return pydb_is_factory_name(b, recv) && !strchr(recv, '(');
}

/* 1 when the file talks HTTP through aiohttp (whose ClientSession is
 * conventionally named "session") and imports no ORM: there an unbound
 * "session" is the HTTP client's. */
static int http_only_file(const struct py_binds *b)
{
	return py_imports_module(&b->im, "aiohttp") && !py_imports_module(&b->im, "sqlalchemy") &&
	       !py_imports_module(&b->im, "sqlmodel") && !py_imports_module(&b->im, "flask_sqlalchemy");
}

int py_recv_is_session(const struct py_binds *b, int blk, const char *recv, uint32_t tok)
{
	const struct py_bind *bd;
	if (!recv[0] || strchr(recv, '(') || strchr(recv, '['))
		return 0;
	bd = py_binds_find(b, blk, recv, tok);
	if (bd)
		return bd->kind == PBK_SESSION || bd->kind == PBK_FACTORY ||
		       (bd->kind == PBK_LOCAL && session_name(b, recv) && strcmp(recv, "self"));
	if (http_only_file(b) && strstr(pydb_last(recv), "ession"))
		return 0;
	return session_name(b, recv);
}

/* 1 when recv is a repository built on the spot:
 * OrderRepository.from_session(session), repos.OrderRepo(db). */
static int repo_factory(const char *recv)
{
	static const char *const sfx[] = { "Repository", "Repo", "DAO", NULL };
	const char *p = recv;
	size_t i;
	while (*p) {
		size_t n = strcspn(p, ".(");
		for (i = 0; sfx[i] && n; i++) {
			size_t l = strlen(sfx[i]);
			if (n >= l && isupper((unsigned char)p[0]) && !strncmp(p + n - l, sfx[i], l) &&
			    (p[n] == '(' || !strncmp(p + n, ".from_", 6)))
				return 1;
		}
		p += n;
		while (*p == '.' || *p == '(' || *p == ')')
			p++;
	}
	return 0;
}

int py_recv_is_repo(const struct py_binds *b, int blk, const char *recv, uint32_t tok)
{
	static const char *const sfx[] = { "repo", "repository", "repositories", "repos", "dao", NULL };
	static const char *const csfx[] = { "Repository()", "Repo()", "DAO()", "Dao()", NULL };
	const struct py_bind *bd;
	const char *last = pydb_last(recv);
	size_t i;
	for (i = 0; csfx[i]; i++)
		if (strlen(recv) >= strlen(csfx[i]) && !strcmp(recv + strlen(recv) - strlen(csfx[i]), csfx[i]))
			return 1;
	if (strchr(recv, '('))
		return repo_factory(recv);
	bd = py_binds_find(b, blk, recv, tok);
	if (bd && bd->kind == PBK_OBJECT && bd->type)
		return pydb_ends_with(bd->type, "Repository") || pydb_ends_with(bd->type, "Repo") ||
		       pydb_ends_with(bd->type, "DAO");
	if (bd && bd->kind != PBK_LOCAL && bd->kind != PBK_NONE)
		return 0;
	for (i = 0; sfx[i]; i++)
		if (pydb_ends_with(last, sfx[i]) && (strlen(last) == strlen(sfx[i]) ||
						     last[strlen(last) - strlen(sfx[i]) - 1] == '_'))
			return 1;
	return 0;
}
