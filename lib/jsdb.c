/*
 * jsdb: which TS/JS call chains are database queries (Prisma, TypeORM,
 * node-postgres, knex) and what they do.  See jsdb.h.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsdb.h"

enum bind_kind { BK_REPO = 1, BK_MANAGER };

struct bind {
	const char *name; size_t len;
	uint8_t kind;
	char model[64];
};

struct jsdb {
	const struct py_outline *ol;
	int *prev_same;     /* per call: previous call of the same chain (same name_begin), -1 */
	uint8_t *outer;     /* per call: 1 when it is the outermost call of its chain */
	struct bind *binds; size_t nbinds, capbinds;
	int prisma_file;    /* the file names Prisma somewhere (client, service, import) */
};

struct comp { const char *s; size_t n; int called; };
#define MAXCOMP 24

/* Splits a callee chain "this.prisma.user.findUnique().posts" into its
 * components; "()" marks a called one.  Returns the count. */
static size_t split_chain(const char *callee, struct comp *v)
{
	size_t n = 0;
	const char *p = callee;
	while (*p && n < MAXCOMP) {
		const char *s = p;
		while (*p && *p != '.' && *p != '(' && *p != '[')
			p++;
		v[n].s = s;
		v[n].n = (size_t)(p - s);
		v[n].called = 0;
		while (*p == '(' || *p == ')' || *p == '[' || *p == ']') {
			if (*p == '(')
				v[n].called = 1;
			p++;
		}
		if (*p == '.')
			p++;
		n++;
	}
	if (n)
		v[n - 1].called = 1; /* the call itself: its "()" is not in the callee */
	return n;
}

static int comp_is(const struct comp *c, const char *s)
{
	return strlen(s) == c->n && !strncmp(c->s, s, c->n);
}

static int in_list(const char *s, size_t n, const char *const *list)
{
	size_t i;
	for (i = 0; list[i]; i++)
		if (strlen(list[i]) == n && !strncmp(list[i], s, n))
			return 1;
	return 0;
}

/* case-insensitive: does [s, s+n) end with suffix? */
static int ends_with_ci(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && !strncasecmp(s + n - k, suffix, k);
}

static int contains_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;
	unsigned char c0 = (unsigned char)needle[0] | 0x20;
	/* the first byte filters (ASCII case differs in bit 0x20 only): a call
	 * per byte of the file was a tenth of audit-query's time */
	for (i = 0; i + k <= n; i++)
		if (((unsigned char)s[i] | 0x20) == c0 && !strncasecmp(s + i, needle, k))
			return 1;
	return 0;
}

static void copy_name(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
}

static int tok_name(const struct py_toks *t, uint32_t i)
{
	return i < t->n && t->v[i].kind == PT_NAME;
}

static int add_bind(struct jsdb *db, const char *name, size_t len, int kind, const char *model, size_t mlen)
{
	struct bind *b;
	if (db->nbinds == db->capbinds) {
		size_t cap = db->capbinds ? db->capbinds * 2 : 16;
		struct bind *nv = realloc(db->binds, cap * sizeof(*nv));
		if (!nv)
			return -1;
		db->binds = nv;
		db->capbinds = cap;
	}
	b = &db->binds[db->nbinds++];
	b->name = name;
	b->len = len;
	b->kind = (uint8_t)kind;
	copy_name(b->model, sizeof(b->model), model ? model : "", model ? mlen : 0);
	return 0;
}

static const struct bind *find_bind(const struct jsdb *db, const char *s, size_t n)
{
	size_t i;
	for (i = db->nbinds; i-- > 0;)
		if (db->binds[i].len == n && !strncmp(db->binds[i].name, s, n))
			return &db->binds[i];
	return NULL;
}

static const char *const repo_getters[] = {
	"getRepository", "getCustomRepository", "getTreeRepository", "getMongoRepository", "withRepository",
	NULL
};
static const char *const repo_types[] = {
	"Repository", "TreeRepository", "MongoRepository", NULL
};

/* One pass over the tokens: names bound to TypeORM repositories and
 * entity managers (x: Repository<User>, x = ds.getRepository(User),
 * m: EntityManager). */
static int scan_bindings(struct jsdb *db)
{
	const struct py_outline *ol = db->ol;
	const struct py_toks *t = ol->toks;
	uint32_t i;
	size_t b;
	for (i = 0; i + 2 < t->n; i++) {
		const char *s = py_tok_text(t, i);
		size_t n = t->v[i].len;
		if (t->v[i].kind != PT_NAME)
			continue;
		if (py_tok_is(t, i + 1, ":") && tok_name(t, i + 2)) {
			const char *ty = py_tok_text(t, i + 2);
			size_t tn = t->v[i + 2].len;
			if (in_list(ty, tn, repo_types) && py_tok_is(t, i + 3, "<") && tok_name(t, i + 4)) {
				if (add_bind(db, s, n, BK_REPO, py_tok_text(t, i + 4), t->v[i + 4].len))
					return -1;
			} else if (tn == 13 && !strncmp(ty, "EntityManager", 13)) {
				if (add_bind(db, s, n, BK_MANAGER, NULL, 0))
					return -1;
			}
		}
		if (in_list(s, n, repo_getters) && py_tok_is(t, i + 1, "(")) {
			/* walk back over the receiver chain and await to an '=' */
			uint32_t j = i;
			while (j >= 2 && py_tok_is(t, j - 1, ".") && tok_name(t, j - 2))
				j -= 2;
			if (j >= 1 && py_tok_is(t, j - 1, "await"))
				j--;
			if (j >= 2 && py_tok_is(t, j - 1, "=") && tok_name(t, j - 2)) {
				const char *m = tok_name(t, i + 2) ? py_tok_text(t, i + 2) : NULL;
				if (add_bind(db, py_tok_text(t, j - 2), t->v[j - 2].len, BK_REPO, m,
					     m ? t->v[i + 2].len : 0))
					return -1;
			}
		}
	}
	/* dataSource.transaction(async (em) => ...): em is an EntityManager */
	for (b = 0; b < ol->nblocks; b++) {
		const struct py_block *d = &ol->blocks[b];
		const struct py_call *c;
		if (d->kind != PB_DEF || !d->arg_of || d->nparams < 1 || !d->params[0])
			continue;
		c = &ol->calls[d->arg_of - 1];
		if (strcmp(c->name, "transaction") || strstr(c->callee, "$transaction"))
			continue;
		if (add_bind(db, d->params[0], strlen(d->params[0]), BK_MANAGER, NULL, 0))
			return -1;
	}
	return 0;
}

struct jsdb *jsdb_new(const struct py_outline *ol)
{
	struct jsdb *db = calloc(1, sizeof(*db));
	int *head;
	size_t i;
	if (!db)
		return NULL;
	db->ol = ol;
	db->prev_same = malloc((ol->ncalls + 1) * sizeof(int));
	db->outer = calloc(ol->ncalls + 1, 1);
	head = malloc((ol->toks->n + 1) * sizeof(int));
	if (!db->prev_same || !db->outer || !head) {
		free(head);
		jsdb_free(db);
		return NULL;
	}
	for (i = 0; i <= ol->toks->n; i++)
		head[i] = -1;
	for (i = 0; i < ol->ncalls; i++) {
		uint32_t nb = ol->calls[i].name_begin;
		if (nb > ol->toks->n)
			nb = (uint32_t)ol->toks->n;
		db->prev_same[i] = head[nb];
		head[nb] = (int)i;
	}
	for (i = 0; i < ol->ncalls; i++) {
		uint32_t nb = ol->calls[i].name_begin;
		if (nb > ol->toks->n)
			nb = (uint32_t)ol->toks->n;
		db->outer[i] = head[nb] == (int)i && !ol->calls[i].is_ref;
	}
	free(head);
	db->prisma_file = contains_ci(ol->toks->src, ol->toks->srclen, "prisma");
	if (scan_bindings(db)) {
		jsdb_free(db);
		return NULL;
	}
	return db;
}

void jsdb_free(struct jsdb *db)
{
	if (!db)
		return;
	free(db->prev_same);
	free(db->outer);
	free(db->binds);
	free(db);
}

/* The call of chain ci (ci itself or an inner link) named name, -1. */
static int chain_link(const struct jsdb *db, int ci, const char *name)
{
	int j;
	for (j = ci; j >= 0; j = db->prev_same[j])
		if (!strcmp(db->ol->calls[j].name, name))
			return j;
	return -1;
}

static void set_args(const struct py_outline *ol, int ci, struct jsdb_q *q)
{
	const struct py_call *c = &ol->calls[ci];
	q->op_call = ci;
	q->method = c->name;
	q->arg_begin = c->lparen + 1;
	q->arg_end = c->rparen > c->lparen ? c->rparen : c->lparen + 1;
	if (c->rparen == c->lparen) /* a tagged template: the template is the argument */
		q->arg_begin = c->lparen, q->arg_end = c->lparen + 1;
}

/* 1 when the object literal argument of call ci has a top-level key */
static int has_key(const struct py_outline *ol, int ci, const char *key)
{
	const struct py_toks *t = ol->toks;
	const struct py_call *c = &ol->calls[ci];
	uint32_t i, d;
	if (c->rparen <= c->lparen + 1 || !py_tok_is(t, c->lparen + 1, "{"))
		return 0;
	d = t->v[c->lparen + 1].depth + 1u;
	for (i = c->lparen + 2; i + 1 < c->rparen; i++)
		if (t->v[i].depth == d && t->v[i].kind == PT_NAME && py_tok_is(t, i, key) &&
		    py_tok_is(t, i + 1, ":"))
			return 1;
	return 0;
}

/* The first argument of call ci starts with '[' or is an array made by
 * .map/.filter/Array.from: a set of rows. */
static int arg_is_array(const struct py_outline *ol, uint32_t b, uint32_t e)
{
	const struct py_toks *t = ol->toks;
	uint32_t i, d;
	if (b >= e)
		return 0;
	if (py_tok_is(t, b, "["))
		return 1;
	d = t->v[b].depth;
	for (i = b; i + 1 < e; i++) {
		if (t->v[i].depth == d && py_tok_is(t, i, ","))
			break;
		if (t->v[i].depth == d && py_tok_is(t, i, ".") &&
		    (py_tok_is(t, i + 1, "map") || py_tok_is(t, i + 1, "flatMap") || py_tok_is(t, i + 1, "filter")))
			return 1;
	}
	return 0;
}

/* The argument at [b, e) is one name of a collection: a plural ("rows",
 * "deleteMaps", "ids") or a list/array/batch name.  Writes given such a
 * value are set-based. */
static int arg_plural_name(const struct py_toks *t, uint32_t b, uint32_t e)
{
	const char *s;
	size_t n;
	if (b >= e || t->v[b].kind != PT_NAME || !(b + 1 == e || py_tok_is(t, b + 1, ",")))
		return 0;
	s = py_tok_text(t, b);
	n = t->v[b].len;
	if (contains_ci(s, n, "list") || contains_ci(s, n, "array") || contains_ci(s, n, "batch") ||
	    contains_ci(s, n, "chunk"))
		return 1;
	return n > 3 && s[n - 1] == 's' && s[n - 2] != 's' && s[n - 2] != 'u' && s[n - 2] != 'i';
}

static const char *const prisma_reads[] = {
	"findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow", "findMany", "count", "aggregate",
	"groupBy", NULL
};
static const char *const prisma_distinct[] = {
	"findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow", "findMany", "aggregate", "groupBy",
	"createMany", "createManyAndReturn", "updateMany", "updateManyAndReturn", "deleteMany", NULL
};
static const char *const prisma_writes[] = {
	"create", "createMany", "createManyAndReturn", "update", "updateMany", "updateManyAndReturn", "upsert",
	"delete", "deleteMany", NULL
};

/* a name that Prisma clients and transaction clients go by */
static int prisma_root(const struct comp *c)
{
	return contains_ci(c->s, c->n, "prisma") || comp_is(c, "tx") || comp_is(c, "trx") || comp_is(c, "db") ||
	       comp_is(c, "client") || comp_is(c, "prismaTx") || comp_is(c, "transaction");
}

static enum jsdb_op prisma_op(const char *m)
{
	if (!strncmp(m, "find", 4) || !strcmp(m, "count") || !strcmp(m, "aggregate") || !strcmp(m, "groupBy"))
		return JSOP_READ;
	if (!strncmp(m, "create", 6))
		return JSOP_INSERT;
	if (!strncmp(m, "update", 6))
		return JSOP_UPDATE;
	if (!strncmp(m, "delete", 6))
		return JSOP_DELETE;
	if (!strcmp(m, "upsert"))
		return JSOP_UPSERT;
	return JSOP_NONE;
}

static enum jsdb_op try_prisma(const struct jsdb *db, int ci, const struct comp *v, size_t n, struct jsdb_q *q)
{
	size_t i;
	for (i = 1; i < n; i++) {
		char m[40];
		int link;
		if (v[i].n >= sizeof(m) || !v[i].called)
			continue;
		copy_name(m, sizeof(m), v[i].s, v[i].n);
		if (!in_list(m, strlen(m), prisma_reads) && !in_list(m, strlen(m), prisma_writes))
			continue;
		/* the model delegate: a camelCase plain name before the method */
		if (v[i - 1].called || !v[i - 1].n || !islower((unsigned char)v[i - 1].s[0]) ||
		    comp_is(&v[i - 1], "this"))
			return JSOP_NONE;
		/* create/update/delete/count/upsert: only on a Prisma client or
		 * transaction client of a file that uses Prisma (Dexie and others
		 * have db.table.update too) */
		if (!in_list(m, strlen(m), prisma_distinct) &&
		    !(i >= 2 && prisma_root(&v[i - 2]) &&
		      (db->prisma_file || contains_ci(v[i - 2].s, v[i - 2].n, "prisma"))))
			return JSOP_NONE;
		if (i >= 2 && (ends_with_ci(v[i - 1].s, v[i - 1].n, "repo") ||
			       ends_with_ci(v[i - 1].s, v[i - 1].n, "repository") ||
			       ends_with_ci(v[i - 1].s, v[i - 1].n, "manager")))
			return JSOP_NONE;
		/* find the call of component i: the i-th called link from the chain head */
		{
			int j, k = ci;
			size_t calls_after = 0, t2;
			for (t2 = i + 1; t2 < n; t2++)
				calls_after += v[t2].called;
			for (j = 0; (size_t)j < calls_after && k >= 0; j++)
				k = db->prev_same[k];
			link = k;
		}
		if (link < 0)
			return JSOP_NONE;
		q->api = JSDB_PRISMA;
		q->op = (uint8_t)prisma_op(m);
		set_args(db->ol, link, q);
		q->bulk = strstr(m, "Many") != NULL && q->op != JSOP_READ;
		if (q->op == JSOP_READ) {
			const struct py_toks *t = db->ol->toks;
			uint32_t a;
			for (a = q->arg_begin; a + 1 < q->arg_end; a++)
				if (py_tok_is(t, a, "in") && py_tok_is(t, a + 1, ":"))
					q->bulk = 1; /* one set-based read per group */
		}
		q->unique = !strncmp(m, "findUnique", 10);
		q->fluent = i + 1 < n;
		q->eager = (uint8_t)has_key(db->ol, link, "include");
		q->select = (uint8_t)has_key(db->ol, link, "select");
		copy_name(q->model, sizeof(q->model), v[i - 1].s, v[i - 1].n);
		q->model[0] = (char)toupper((unsigned char)q->model[0]);
		return (enum jsdb_op)q->op;
	}
	return JSOP_NONE;
}

static const char *const typeorm_reads[] = {
	"find", "findBy", "findOne", "findOneBy", "findOneOrFail", "findOneByOrFail", "findAndCount",
	"findAndCountBy", "count", "countBy", "exist", "exists", "existsBy", "sum", "average", "minimum",
	"maximum", "findByIds", NULL
};

static enum jsdb_op typeorm_op(const char *m)
{
	static const char *const upd[] = { "update", "increment", "decrement", NULL };
	static const char *const del[] = { "delete", "remove", "softDelete", "softRemove", NULL };
	if (in_list(m, strlen(m), typeorm_reads))
		return JSOP_READ;
	if (!strcmp(m, "save"))
		return JSOP_SAVE;
	if (!strcmp(m, "insert"))
		return JSOP_INSERT;
	if (!strcmp(m, "upsert"))
		return JSOP_UPSERT;
	if (in_list(m, strlen(m), upd))
		return JSOP_UPDATE;
	if (in_list(m, strlen(m), del))
		return JSOP_DELETE;
	return JSOP_NONE;
}

static enum jsdb_op try_querybuilder(const struct jsdb *db, int ci, const struct comp *v, size_t n,
				     struct jsdb_q *q)
{
	static const char *const terms[] = {
		"getMany", "getOne", "getOneOrFail", "getRawMany", "getRawOne", "getCount", "getManyAndCount",
		"getExists", "stream", "execute", NULL
	};
	size_t i, qb = n;
	enum jsdb_op op = JSOP_READ;
	for (i = 0; i < n; i++)
		if (comp_is(&v[i], "createQueryBuilder"))
			qb = i;
	if (qb == n || !v[n - 1].called || !in_list(v[n - 1].s, v[n - 1].n, terms))
		return JSOP_NONE;
	for (i = qb + 1; i < n; i++) {
		if (comp_is(&v[i], "update"))
			op = JSOP_UPDATE;
		else if (comp_is(&v[i], "delete") || comp_is(&v[i], "softDelete"))
			op = JSOP_DELETE;
		else if (comp_is(&v[i], "insert"))
			op = JSOP_INSERT;
		else if (comp_is(&v[i], "leftJoinAndSelect") || comp_is(&v[i], "innerJoinAndSelect") ||
			 comp_is(&v[i], "leftJoinAndMapMany") || comp_is(&v[i], "leftJoinAndMapOne"))
			q->eager = 1;
		else if (comp_is(&v[i], "select") || comp_is(&v[i], "addSelect"))
			q->select = 1;
		else if (comp_is(&v[i], "whereInIds") || comp_is(&v[i], "andWhereInIds"))
			q->bulk = 1;
	}
	if (op == JSOP_READ && comp_is(&v[n - 1], "execute"))
		return JSOP_NONE;
	if (op != JSOP_READ) {
		int vl = chain_link(db, ci, op == JSOP_INSERT ? "values" : "where");
		const struct py_call *vc = vl >= 0 ? &db->ol->calls[vl] : NULL;
		if (vc && (arg_is_array(db->ol, vc->lparen + 1, vc->rparen) ||
			   arg_plural_name(db->ol->toks, vc->lparen + 1, vc->rparen)))
			q->bulk = 1;
	}
	q->api = JSDB_TYPEORM;
	q->op = (uint8_t)op;
	set_args(db->ol, ci, q);
	{
		int g = chain_link(db, ci, "getRepository");
		const struct py_toks *t = db->ol->toks;
		if (g >= 0 && tok_name(t, db->ol->calls[g].lparen + 1))
			copy_name(q->model, sizeof(q->model), py_tok_text(t, db->ol->calls[g].lparen + 1),
				  t->v[db->ol->calls[g].lparen + 1].len);
		else if (qb > 0) {
			const struct bind *b = find_bind(db, v[qb - 1].s, v[qb - 1].n);
			if (b)
				copy_name(q->model, sizeof(q->model), b->model, strlen(b->model));
		}
	}
	return op;
}

static enum jsdb_op try_typeorm(const struct jsdb *db, int ci, const struct comp *v, size_t n, struct jsdb_q *q)
{
	const struct py_outline *ol = db->ol;
	const struct py_toks *t = ol->toks;
	const struct py_call *c = &ol->calls[ci];
	const struct comp *r;
	const struct bind *b = NULL;
	int manager = 0, repo = 0;
	char m[40];
	enum jsdb_op op;
	if (n < 2 || !v[n - 1].called || v[n - 1].n >= sizeof(m))
		return JSOP_NONE;
	copy_name(m, sizeof(m), v[n - 1].s, v[n - 1].n);
	op = typeorm_op(m);
	if (op == JSOP_NONE)
		return JSOP_NONE;
	r = &v[n - 2];
	if (r->called) {
		if (!in_list(r->s, r->n, repo_getters))
			return JSOP_NONE;
		repo = 1;
	} else if ((b = find_bind(db, r->s, r->n)) != NULL) {
		repo = b->kind == BK_REPO;
		manager = b->kind == BK_MANAGER;
	} else if (ends_with_ci(r->s, r->n, "manager") || comp_is(r, "em")) {
		manager = 1;
	} else if (ends_with_ci(r->s, r->n, "repo") || ends_with_ci(r->s, r->n, "repository")) {
		repo = 1;
	}
	if (!repo && !manager)
		return JSOP_NONE;
	q->api = JSDB_TYPEORM;
	q->op = (uint8_t)op;
	set_args(ol, ci, q);
	if (b && b->model[0])
		copy_name(q->model, sizeof(q->model), b->model, strlen(b->model));
	else if (r->called) {
		int g = db->prev_same[ci];
		if (g >= 0 && tok_name(t, ol->calls[g].lparen + 1))
			copy_name(q->model, sizeof(q->model), py_tok_text(t, ol->calls[g].lparen + 1),
				  t->v[ol->calls[g].lparen + 1].len);
	}
	if (manager) {
		/* manager.find(Entity, {...}): the entity class comes first */
		uint32_t a = c->lparen + 1;
		uint32_t k;
		if (tok_name(t, a) && isupper((unsigned char)py_tok_text(t, a)[0]) &&
		    (py_tok_is(t, a + 1, ",") || py_tok_is(t, a + 1, ")")))
			copy_name(q->model, sizeof(q->model), py_tok_text(t, a), t->v[a].len);
		/* every EntityManager method takes the target first: the data follows */
		for (k = a; k < c->rparen; k++)
			if (py_tok_is(t, k, ",") && t->v[k].depth == t->v[c->lparen].depth + 1u) {
				q->arg_begin = k + 1;
				break;
			}
	}
	if ((op == JSOP_SAVE || op == JSOP_INSERT || op == JSOP_DELETE || op == JSOP_UPSERT || op == JSOP_UPDATE) &&
	    (arg_is_array(ol, q->arg_begin, q->arg_end) || arg_plural_name(t, q->arg_begin, q->arg_end)))
		q->bulk = 1;
	if (op == JSOP_READ) {
		uint32_t i;
		for (i = q->arg_begin; i + 1 < q->arg_end; i++) {
			if (py_tok_is(t, i, "relations") && py_tok_is(t, i + 1, ":"))
				q->eager = 1;
			if (py_tok_is(t, i, "select") && py_tok_is(t, i + 1, ":") &&
			    t->v[i].depth == t->v[q->arg_begin].depth + 1u)
				q->select = 1;
		}
	}
	if (!strcmp(m, "findByIds"))
		q->bulk = 1;
	if (q->arg_begin < q->arg_end) {
		uint32_t i;
		for (i = q->arg_begin; i < q->arg_end; i++)
			if (py_tok_is(t, i, "In") && py_tok_is(t, i + 1, "("))
				q->bulk = 1;
		if (arg_is_array(ol, q->arg_begin, q->arg_end))
			q->bulk = 1;
	}
	return op;
}

const char *jsdb_sql_verb(const struct py_toks *t, uint32_t i)
{
	const char *s, *e;
	static const char *const verbs[] = { "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", NULL };
	size_t k;
	if (i >= t->n || t->v[i].kind != PT_STRING || (t->v[i].flags & 0x20) || t->v[i].len < 2)
		return NULL;
	s = py_tok_text(t, i) + 1;
	e = py_tok_text(t, i) + t->v[i].len;
	while (s < e && (isspace((unsigned char)*s) || *s == '('))
		s++;
	for (k = 0; verbs[k]; k++) {
		size_t n = strlen(verbs[k]);
		if ((size_t)(e - s) > n && !strncasecmp(s, verbs[k], n) && !isalnum((unsigned char)s[n])) {
			if (k == 4) {
				/* WITH ... : the verb of the main statement, found as a word after the CTEs */
				const char *p = s + n;
				for (; p + 6 < e; p++)
					if ((p[-1] == ' ' || p[-1] == '\n' || p[-1] == ')') &&
					    (!strncasecmp(p, "INSERT", 6) || !strncasecmp(p, "UPDATE", 6) ||
					     !strncasecmp(p, "DELETE", 6)))
						return p[0] == 'I' || p[0] == 'i' ? "INSERT" :
						       p[0] == 'U' || p[0] == 'u' ? "UPDATE" : "DELETE";
				return "SELECT";
			}
			return verbs[k];
		}
	}
	return NULL;
}

/* The table after word kw ("FROM", "INTO", "UPDATE") in the SQL text */
static void sql_table(const char *s, size_t n, const char *kw, char *out, size_t cap)
{
	size_t k = strlen(kw), i;
	out[0] = 0;
	for (i = 0; i + k + 1 < n; i++) {
		if ((i == 0 || !isalnum((unsigned char)s[i - 1])) && !strncasecmp(s + i, kw, k) &&
		    isspace((unsigned char)s[i + k])) {
			size_t j = i + k, b;
			while (j < n && isspace((unsigned char)s[j]))
				j++;
			b = j;
			while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '_' || s[j] == '.' || s[j] == '"'))
				j++;
			copy_name(out, cap, s + b, j - b);
			return;
		}
	}
}

static enum jsdb_op try_sql(const struct jsdb *db, int ci, struct jsdb_q *q)
{
	static const char *const methods[] = {
		"query", "$queryRaw", "$executeRaw", "$queryRawUnsafe", "$executeRawUnsafe", "raw", "none", "one",
		"oneOrNone", "many", "manyOrNone", "any", NULL
	};
	const struct py_outline *ol = db->ol;
	const struct py_toks *t = ol->toks;
	const struct py_call *c = &ol->calls[ci];
	uint32_t a = c->rparen == c->lparen ? c->lparen : c->lparen + 1;
	const char *verb, *s;
	size_t n;
	if (!in_list(c->name, strlen(c->name), methods) || !strchr(c->callee, '.'))
		return JSOP_NONE;
	verb = jsdb_sql_verb(t, a);
	if (!verb)
		return JSOP_NONE;
	s = py_tok_text(t, a);
	n = t->v[a].len;
	q->api = JSDB_PG;
	set_args(ol, ci, q);
	if (!strcmp(verb, "SELECT")) {
		const char *p = s + 1;
		q->op = JSOP_READ;
		while (p < s + n && (isspace((unsigned char)*p) || *p == '('))
			p++;
		p += 6;
		while (p < s + n && isspace((unsigned char)*p))
			p++;
		q->star = p < s + n && *p == '*';
		q->select = !q->star;
		sql_table(s, n, "FROM", q->model, sizeof(q->model));
		q->bulk = contains_ci(s, n, "any(") || contains_ci(s, n, "any ($") || contains_ci(s, n, " in ($") ||
			  contains_ci(s, n, "unnest(");
	} else if (!strcmp(verb, "INSERT")) {
		q->op = JSOP_INSERT;
		sql_table(s, n, "INTO", q->model, sizeof(q->model));
		q->bulk = contains_ci(s, n, "unnest(") || contains_ci(s, n, "), (") || contains_ci(s, n, "),(") ||
			  contains_ci(s, n, " select ") || (t->v[a].flags & 0x40 && contains_ci(s, n, "${"));
	} else {
		q->op = !strcmp(verb, "UPDATE") ? JSOP_UPDATE : JSOP_DELETE;
		sql_table(s, n, !strcmp(verb, "UPDATE") ? "UPDATE" : "FROM", q->model, sizeof(q->model));
		q->bulk = contains_ci(s, n, "any(") || contains_ci(s, n, "any ($") || contains_ci(s, n, " in ($") ||
			  contains_ci(s, n, "unnest(") || contains_ci(s, n, " from (values");
	}
	return (enum jsdb_op)q->op;
}

static enum jsdb_op try_knex(const struct jsdb *db, int ci, const struct comp *v, size_t n, struct jsdb_q *q)
{
	static const char *const roots[] = { "knex", "db", "trx", "database", NULL };
	const struct py_outline *ol = db->ol;
	const struct py_toks *t = ol->toks;
	size_t r = comp_is(&v[0], "this") ? 1 : 0, i;
	enum jsdb_op op = JSOP_READ;
	int head;
	if (r >= n)
		return JSOP_NONE;
	if (comp_is(&v[r], "knex") && r + 1 < n && comp_is(&v[r + 1], "batchInsert") && v[r + 1].called) {
		q->api = JSDB_KNEX;
		q->op = JSOP_INSERT;
		q->bulk = 1;
		set_args(ol, ci, q);
		return JSOP_INSERT;
	}
	if (!v[r].called || !in_list(v[r].s, v[r].n, roots))
		return JSOP_NONE;
	/* the root call takes the table name */
	head = ci;
	while (head >= 0 && db->prev_same[head] >= 0)
		head = db->prev_same[head];
	if (head < 0 || ol->calls[head].rparen <= ol->calls[head].lparen + 1 ||
	    t->v[ol->calls[head].lparen + 1].kind != PT_STRING)
		return JSOP_NONE;
	{
		const char *s = py_tok_text(t, ol->calls[head].lparen + 1);
		size_t len = t->v[ol->calls[head].lparen + 1].len;
		copy_name(q->model, sizeof(q->model), s + 1, len >= 2 ? len - 2 : 0);
	}
	set_args(ol, ci, q);
	for (i = r + 1; i < n; i++) {
		if (comp_is(&v[i], "insert")) {
			int l = chain_link(db, ci, "insert");
			op = JSOP_INSERT;
			if (l >= 0) {
				set_args(ol, l, q);
				q->bulk = (uint8_t)(arg_is_array(ol, q->arg_begin, q->arg_end) ||
						    arg_plural_name(t, q->arg_begin, q->arg_end));
			}
		} else if (comp_is(&v[i], "update") || comp_is(&v[i], "increment") || comp_is(&v[i], "decrement")) {
			op = JSOP_UPDATE;
		} else if (comp_is(&v[i], "del") || comp_is(&v[i], "delete")) {
			op = JSOP_DELETE;
		} else if (comp_is(&v[i], "whereIn") || comp_is(&v[i], "andWhereIn")) {
			q->bulk = 1;
		} else if (comp_is(&v[i], "select") || comp_is(&v[i], "first") || comp_is(&v[i], "pluck") ||
			   comp_is(&v[i], "count")) {
			int l = chain_link(db, ci, v[i].n == 6 ? "select" : "first");
			if (l >= 0 && ol->calls[l].rparen > ol->calls[l].lparen + 1)
				q->select = 1;
			if (comp_is(&v[i], "pluck") || comp_is(&v[i], "count"))
				q->select = 1;
		}
	}
	q->api = JSDB_KNEX;
	q->op = (uint8_t)op;
	return op;
}

enum jsdb_op jsdb_query(const struct jsdb *db, int ci, struct jsdb_q *q)
{
	const struct py_call *c;
	struct comp v[MAXCOMP];
	size_t n;
	enum jsdb_op op;
	memset(q, 0, sizeof(*q));
	q->op_call = -1;
	if (!db || ci < 0 || (size_t)ci >= db->ol->ncalls || !db->outer[ci])
		return JSOP_NONE;
	c = &db->ol->calls[ci];
	if (!c->callee[0] || !strncmp(c->callee, "new ", 4))
		return JSOP_NONE;
	n = split_chain(c->callee, v);
	if (!n)
		return JSOP_NONE;
	if ((op = try_sql(db, ci, q)) != JSOP_NONE)
		return op;
	memset(q, 0, sizeof(*q));
	if ((op = try_prisma(db, ci, v, n, q)) != JSOP_NONE)
		return op;
	memset(q, 0, sizeof(*q));
	if ((op = try_querybuilder(db, ci, v, n, q)) != JSOP_NONE)
		return op;
	memset(q, 0, sizeof(*q));
	if ((op = try_typeorm(db, ci, v, n, q)) != JSOP_NONE)
		return op;
	memset(q, 0, sizeof(*q));
	if ((op = try_knex(db, ci, v, n, q)) != JSOP_NONE)
		return op;
	memset(q, 0, sizeof(*q));
	q->op_call = -1;
	return JSOP_NONE;
}

int jsdb_awaited(const struct py_outline *ol, int ci)
{
	const struct py_toks *t = ol->toks;
	const struct py_call *c = &ol->calls[ci];
	uint32_t b = c->name_begin, e = c->rparen;
	if (c->awaited)
		return 1;
	if (b > 0 && (py_tok_is(t, b - 1, "await") || py_tok_is(t, b - 1, "return") ||
		      py_tok_is(t, b - 1, "=>") || py_tok_is(t, b - 1, "yield")))
		return 1;
	if (e + 2 < t->n && py_tok_is(t, e + 1, ".") && py_tok_is(t, e + 2, "then"))
		return 1;
	return 0;
}

static int tok_eq(const struct py_toks *t, uint32_t i, const char *s, size_t n)
{
	return t->v[i].kind == PT_NAME && t->v[i].len == n && !strncmp(py_tok_text(t, i), s, n);
}

/* The statement of the assignment to name [s, s+n) nearest before token
 * before inside [from, before): the token after its '=', or 0.  Also a
 * destructuring const { rows: name } = ... */
static uint32_t assigned_from(const struct py_toks *t, const char *s, size_t n, uint32_t from, uint32_t before)
{
	uint32_t i, lo = before > from + 4000 ? before - 4000 : from;
	for (i = before; i-- > lo + 2;)
		if (py_tok_is(t, i, "=") && (tok_eq(t, i - 1, s, n) || (py_tok_is(t, i - 1, "}") && tok_eq(t, i - 2, s, n))))
			return i + 1;
	return 0;
}

/* The outermost call of the chain starting at token b, -1. */
static int chain_at(const struct jsdb *db, uint32_t b)
{
	size_t lo = 0, hi = db->ol->ncalls;
	/* calls are in lparen order; the chain's calls have lparen > b */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (db->ol->calls[mid].lparen <= b)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < db->ol->ncalls && lo < hi + 64; lo++)
		if (db->ol->calls[lo].name_begin == b && db->outer[lo])
			return (int)lo;
	return -1;
}

int jsdb_rows_from_query(const struct jsdb *db, int func, uint32_t b, uint32_t e)
{
	const struct py_toks *t = db->ol->toks;
	struct jsdb_q q;
	uint32_t src, from = func >= 0 ? db->ol->blocks[func].body_begin : 0;
	int ci;
	if (b < e && py_tok_is(t, b, "await"))
		b++;
	if (b >= e)
		return 0;
	ci = chain_at(db, b);
	if (ci >= 0 && db->ol->calls[ci].rparen + 1 >= e)
		return jsdb_query(db, ci, &q) == JSOP_READ;
	if (e != b + 1 || t->v[b].kind != PT_NAME)
		return 0;
	src = assigned_from(t, py_tok_text(t, b), t->v[b].len, from, b);
	if (!src)
		return 0;
	if (py_tok_is(t, src, "await"))
		src++;
	ci = chain_at(db, src);
	return ci >= 0 && jsdb_query(db, ci, &q) == JSOP_READ;
}

enum jsdb_op jsdb_save_kind(const struct jsdb *db, const struct jsdb_q *q, const char *target)
{
	const struct py_outline *ol = db->ol;
	const struct py_toks *t = ol->toks;
	uint32_t a = q->arg_begin, i, src, from = 0;
	const struct py_call *c;
	if (q->op_call < 0 || a >= q->arg_end)
		return JSOP_NONE;
	c = &ol->calls[q->op_call];
	if (py_tok_is(t, a, "{") || py_tok_is(t, a, "new"))
		return JSOP_INSERT;
	/* repo.save(repo.create({...})) */
	for (i = a; i + 1 < q->arg_end && t->v[i].depth == t->v[a].depth; i++)
		if (py_tok_is(t, i, "create") && py_tok_is(t, i + 1, "("))
			return JSOP_INSERT;
	if (t->v[a].kind != PT_NAME || !(py_tok_is(t, a + 1, ",") || a + 1 == q->arg_end))
		return JSOP_NONE;
	if (target && strlen(target) == t->v[a].len && !strncmp(target, py_tok_text(t, a), t->v[a].len))
		return JSOP_UPDATE;
	if (c->func >= 0)
		from = ol->blocks[c->func].body_begin;
	src = assigned_from(t, py_tok_text(t, a), t->v[a].len, from, c->name_begin);
	if (!src)
		return JSOP_NONE;
	if (py_tok_is(t, src, "await"))
		src++;
	if (py_tok_is(t, src, "{") || py_tok_is(t, src, "new"))
		return JSOP_INSERT;
	for (i = src; i + 1 < t->n && i < src + 12 && t->v[i].kind != PT_NEWLINE; i++) {
		if (py_tok_is(t, i, "create") && py_tok_is(t, i + 1, "("))
			return JSOP_INSERT;
		if (t->v[i].kind == PT_NAME && !strncmp(py_tok_text(t, i), "find", 4) && py_tok_is(t, i + 1, "("))
			return JSOP_UPDATE;
	}
	return JSOP_NONE;
}
