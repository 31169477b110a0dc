/*
 * pyindex: relationships, columns and defs of the whole project.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "pyindex.h"
#include "pyindex_p.h"
#include "pyblock.h"
#include "pydb.h"
#include "py/tok.h"
#include "srcfile.h"

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static char *dup0(const char *s)
{
	return s ? dupn(s, strlen(s)) : NULL;
}

static int grow(void **v, size_t *cap, size_t n, size_t sz)
{
	size_t nc;
	void *nv;
	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 32;
	nv = realloc(*v, nc * sz);
	if (!nv)
		return -1;
	*v = nv;
	*cap = nc;
	return 0;
}


/* A class of the project (models and the rest, for method lookup). */
struct py_class_rec {
	char *name, *path, *module, *bases, *table;
	unsigned line;
	unsigned own_cols;
	uint8_t declares_model;  /* __tablename__, table=True, a Django Model base */
	uint8_t is_abstract;     /* __abstract__ = True / class Meta: abstract = True */
	uint8_t worker;          /* arq WorkerSettings-like: its "functions" are jobs */
	uint8_t root;            /* a declarative base: its subclasses are models */
};

/* caller -> callee, sorted by callee */
struct py_edge { size_t callee, caller; unsigned site; };

struct py_index_priv {
	struct py_class_rec *cls; size_t ncls, capcls;
	size_t *cls_by_name;
	struct py_edge *edges; size_t nedges;
	size_t *fn_by_pos;                 /* fns sorted by (path, line) */
	char **providers; size_t nprov, capprov;   /* names used in Depends()/Security() */
	char **jobnames; size_t njob, capjob;      /* names a worker's functions list holds */
	char **mainspecs; size_t nmain, capmain;   /* specs called in __main__ blocks */
	char **roots; size_t nroots, caproots;     /* Base = declarative_base() names */
	char **oncenames; size_t nonce, caponce;   /* FastAPI(lifespan=name) */
};

static void free_strv(char **v, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void free_fn(struct py_fn *fn)
{
	unsigned i;
	free(fn->cls);
	free(fn->name);
	free(fn->path);
	free(fn->module);
	free(fn->net);
	free(fn->eager);
	free(fn->returns);
	for (i = 0; i < fn->nparams; i++) {
		free(fn->params[i].name);
		free(fn->params[i].ann);
		free(fn->params[i].deflt);
	}
	free(fn->params);
	free_strv(fn->decorators, fn->ndecorators);
	for (i = 0; i < fn->ncalls; i++) {
		free(fn->calls[i].callee);
		free(fn->calls[i].qual);
		free(fn->calls[i].spec);
	}
	free(fn->calls);
	py_index_fetches_free(fn);
	py_index_runtime_free(fn);
}

struct py_index *py_index_new(void)
{
	struct py_index *ix = calloc(1, sizeof(struct py_index));
	if (ix && !(ix->priv = calloc(1, sizeof(struct py_index_priv)))) {
		free(ix);
		return NULL;
	}
	return ix;
}

void py_index_free(struct py_index *ix)
{
	size_t i;
	if (!ix)
		return;
	for (i = 0; i < ix->nrels; i++) {
		free(ix->rels[i].cls);
		free(ix->rels[i].attr);
		free(ix->rels[i].target);
	}
	for (i = 0; i < ix->ncols; i++)
		free(ix->cols[i]);
	for (i = 0; i < ix->nfns; i++)
		free_fn(&ix->fns[i]);
	for (i = 0; i < ix->nmodels; i++) {
		free(ix->models[i].cls);
		free(ix->models[i].table);
		free(ix->models[i].path);
		free(ix->models[i].bases);
	}
	for (i = 0; i < ix->ninjects; i++) {
		free(ix->injects[i].cls);
		free(ix->injects[i].path);
		free(ix->injects[i].fn);
	}
	if (ix->priv) {
		struct py_index_priv *p = ix->priv;
		for (i = 0; i < p->ncls; i++) {
			free(p->cls[i].name);
			free(p->cls[i].path);
			free(p->cls[i].module);
			free(p->cls[i].bases);
			free(p->cls[i].table);
		}
		free(p->cls);
		free(p->cls_by_name);
		free(p->edges);
		free(p->fn_by_pos);
		free_strv(p->providers, p->nprov);
		free_strv(p->jobnames, p->njob);
		free_strv(p->mainspecs, p->nmain);
		free_strv(p->roots, p->nroots);
		free_strv(p->oncenames, p->nonce);
		free(p);
	}
	free(ix->rels);
	free(ix->cols);
	free(ix->fns);
	free(ix->models);
	free(ix->injects);
	free(ix->fn_by_name);
	free(ix);
}

/* ---- relationships and columns */

static enum py_lazy lazy_of_value(const char *v, size_t n)
{
	static const char *const eager[] = { "joined", "selectin", "subquery", "immediate", NULL };
	static const char *const never[] = { "raise", "raise_on_sql", "noload", "write_only", NULL };
	size_t i;
	for (i = 0; eager[i]; i++)
		if (strlen(eager[i]) == n && !strncmp(v, eager[i], n))
			return PL_EAGER;
	for (i = 0; never[i]; i++)
		if (strlen(never[i]) == n && !strncmp(v, never[i], n))
			return PL_RAISE;
	if (n == 7 && !strncmp(v, "dynamic", 7))
		return PL_DYNAMIC;
	return PL_LAZY;
}

/* The lazy= option in tokens [b,e): keyword or "lazy": key of a dict. */
static enum py_lazy lazy_in(const struct py_toks *t, uint32_t b, uint32_t e)
{
	uint32_t k;
	for (k = b; k + 2 < e; k++) {
		const struct py_tok *v = &t->v[k + 2];
		int kw = py_tok_is(t, k, "lazy") && py_tok_is(t, k + 1, "=");
		int key = t->v[k].kind == PT_STRING && t->v[k].len == 6 &&
			  !strncmp(py_tok_text(t, k) + 1, "lazy", 4) && py_tok_is(t, k + 1, ":");
		if (!kw && !key)
			continue;
		if (v->kind == PT_STRING && v->len >= 2)
			return lazy_of_value(py_tok_text(t, k + 2) + 1, v->len - 2);
		if (py_tok_is(t, k + 2, "False"))
			return PL_EAGER;
		return PL_LAZY;
	}
	return PL_LAZY;
}

/* First capitalised identifier in tokens [b,e) or in a string among them. */
static char *class_in(const struct py_toks *t, uint32_t b, uint32_t e)
{
	uint32_t k;
	for (k = b; k < e; k++) {
		const char *s = py_tok_text(t, k);
		size_t n = t->v[k].len, i = 0, j;
		if (t->v[k].kind == PT_STRING) {
			while (i < n && (isalpha((unsigned char)s[i]) && !isupper((unsigned char)s[i])))
				i++;
			while (i < n && (s[i] == '"' || s[i] == '\''))
				i++;
		} else if (t->v[k].kind != PT_NAME) {
			continue;
		}
		if (i >= n || !isupper((unsigned char)s[i]))
			continue;
		for (j = i; j < n && (isalnum((unsigned char)s[j]) || s[j] == '_'); j++)
			;
		if ((j - i == 6 && !strncmp(s + i, "Mapped", 6)) || (j - i == 4 && !strncmp(s + i, "List", 4)) ||
		    (j - i == 8 && !strncmp(s + i, "Optional", 8)) || (j - i == 3 && !strncmp(s + i, "Set", 3)))
			continue;
		if (j - i == 8 && !strncmp(s + i, "Sequence", 8))
			continue;
		return dupn(s + i, j - i);
	}
	return NULL;
}

static int add_rel(struct py_index *ix, const char *cls, const char *attr, size_t alen, char *target,
		   enum py_lazy lazy)
{
	struct py_rel *r;
	if (grow((void **)&ix->rels, &ix->caprels, ix->nrels, sizeof(*r))) {
		free(target);
		return -1;
	}
	r = &ix->rels[ix->nrels];
	r->cls = dup0(cls);
	r->attr = dupn(attr, alen);
	r->target = target;
	r->lazy = (uint8_t)lazy;
	if (!r->cls || !r->attr) {
		free(r->cls);
		free(r->attr);
		free(target);
		return -1;
	}
	ix->nrels++;
	return 0;
}

static int add_col(struct py_index *ix, const char *cls, const char *attr, size_t alen)
{
	size_t l = strlen(cls) + alen + 2;
	char *s;
	if (grow((void **)&ix->cols, &ix->capcols, ix->ncols, sizeof(char *)))
		return -1;
	s = malloc(l);
	if (!s)
		return -1;
	snprintf(s, l, "%s.%.*s", cls, (int)alen, attr);
	ix->cols[ix->ncols++] = s;
	return 0;
}

/* backref="name" or backref=backref("name", lazy=...) in [b,e). */
static int add_backref(struct py_index *ix, const struct py_toks *t, uint32_t b, uint32_t e, const char *cls,
		       const char *target)
{
	uint32_t k, s;
	for (k = b; k + 2 < e; k++) {
		if (!(py_tok_is(t, k, "backref") || py_tok_is(t, k, "related_name")) || !py_tok_is(t, k + 1, "="))
			continue;
		s = k + 2;
		if (py_tok_is(t, s, "backref") || py_tok_is(t, s, "orm.backref"))
			s += 2;
		if (s < e && t->v[s].kind == PT_STRING && t->v[s].len > 2 && target) {
			enum py_lazy lz = s > k + 2 ? lazy_in(t, s, py_tok_close(t, s - 1, e)) : PL_LAZY;
			return add_rel(ix, target, py_tok_text(t, s) + 1, t->v[s].len - 2, dup0(cls), lz);
		}
	}
	return 0;
}

static const char *const rel_fns[] = { "relationship", "Relationship", "relation", "dynamic_loader",
				       "ForeignKey", "OneToOneField", "ManyToManyField", NULL };
static const char *const col_fns[] = { "Column", "mapped_column", "Field", "column_property", "deferred",
				       "synonym", "composite", "query_expression", NULL };

static int name_in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

/* One statement of a class body. */
static int class_stmt(struct py_index *ix, const struct py_outline *ol, const char *cls, int s)
{
	const struct py_toks *t = ol->toks;
	const struct py_stmt *st = &ol->stmts[s];
	uint32_t b = st->tok_begin, e = st->tok_end, vb = e;
	size_t ci;
	if (st->opens >= 0 || t->v[b].kind != PT_NAME || b + 1 >= e ||
	    !(py_tok_is(t, b + 1, "=") || py_tok_is(t, b + 1, ":")))
		return 0;
	for (ci = py_first_call_from(ol, b); ci < ol->ncalls && ol->calls[ci].lparen < e; ci++) {
		const struct py_call *c = &ol->calls[ci];
		char *target;
		if (c->is_ref || c->parent_call >= 0)
			continue;
		if (name_in(c->name, rel_fns)) {
			uint32_t k;
			for (k = b; k < c->name_begin; k++)
				if (py_tok_is(t, k, "="))
					vb = k;
			target = class_in(t, c->lparen + 1, c->rparen);
			if (!target && vb > b + 1)
				target = class_in(t, b + 2, vb);
			if (add_backref(ix, t, c->lparen + 1, c->rparen, cls, target) < 0) {
				free(target);
				return -1;
			}
			return add_rel(ix, cls, py_tok_text(t, b), t->v[b].len, target,
				       lazy_in(t, c->lparen + 1, c->rparen));
		}
		if (name_in(c->name, col_fns))
			return add_col(ix, cls, py_tok_text(t, b), t->v[b].len);
	}
	if (py_tok_is(t, b + 1, ":"))
		return add_col(ix, cls, py_tok_text(t, b), t->v[b].len);
	return 0;
}

/* "a/b/c.py" -> "a.b.c", "a/__init__.py" -> "a" (malloc'd). */
static char *module_of(const char *path)
{
	size_t n = strlen(path), i;
	char *m;
	if (n > 3 && !strcmp(path + n - 3, ".py"))
		n -= 3;
	if (n >= 9 && !strncmp(path + n - 9, "/__init__", 9))
		n -= 9;
	else if (n == 8 && !strncmp(path, "__init__", 8))
		n = 0;
	m = dupn(path, n);
	for (i = 0; m && i < n; i++)
		if (m[i] == '/')
			m[i] = '.';
	return m;
}

static int push_str(char ***v, size_t *n, size_t *cap, const char *s, size_t len)
{
	char *d;
	if (grow((void **)v, cap, *n, sizeof(char *)))
		return -1;
	if (!(d = dupn(s, len)))
		return -1;
	(*v)[(*n)++] = d;
	return 0;
}

/* Class-level facts of statement s of class record r. */
static int class_facts(struct py_index *ix, const struct py_outline *ol, struct py_class_rec *r, int s)
{
	const struct py_toks *t = ol->toks;
	const struct py_stmt *st = &ol->stmts[s];
	uint32_t b = st->tok_begin, e = st->tok_end, k;
	struct py_index_priv *p = ix->priv;
	if (e < b + 3 || !py_tok_is(t, b + 1, "="))
		return 0;
	if (py_tok_is(t, b, "__tablename__") && t->v[b + 2].kind == PT_STRING && t->v[b + 2].len > 2 && !r->table) {
		r->table = dupn(py_tok_text(t, b + 2) + 1, t->v[b + 2].len - 2);
		r->declares_model = 1;
		return r->table ? 0 : -1;
	}
	if ((py_tok_is(t, b, "__abstract__") || py_tok_is(t, b, "abstract")) && py_tok_is(t, b + 2, "True")) {
		r->is_abstract = 1;
		return 0;
	}
	if (py_tok_is(t, b, "db_table") && t->v[b + 2].kind == PT_STRING) {
		/* Django: class Meta: db_table = "x" -- the record is the Meta class */
		return 0;
	}
	if (r->worker && py_tok_is(t, b, "functions"))
		for (k = b + 2; k < e; k++)
			if (t->v[k].kind == PT_NAME && !py_tok_is(t, k + 1, "(") && !py_tok_is(t, k + 1, ".") &&
			    (py_tok_is(t, k - 1, "[") || py_tok_is(t, k - 1, ",") || py_tok_is(t, k - 1, "(") ||
			     py_tok_is(t, k - 1, ".")))
				if (push_str(&p->jobnames, &p->njob, &p->capjob, py_tok_text(t, k), t->v[k].len) < 0)
					return -1;
	return 0;
}

static int index_classes(struct py_index *ix, const char *path, const struct py_outline *ol)
{
	struct py_index_priv *p = ix->priv;
	size_t s, i, *slot;
	char *module = module_of(path);
	if (!module)
		return -1;
	/* one record per class block; slot maps block -> record */
	slot = calloc(ol->nblocks ? ol->nblocks : 1, sizeof(size_t));
	if (!slot) {
		free(module);
		return -1;
	}
	for (i = 0; i < ol->nblocks; i++) {
		const struct py_block *c = &ol->blocks[i];
		struct py_class_rec *r;
		if (c->kind != PB_CLASS || !c->name)
			continue;
		if (grow((void **)&p->cls, &p->capcls, p->ncls, sizeof(*r)))
			goto oom;
		r = &p->cls[p->ncls];
		memset(r, 0, sizeof(*r));
		r->name = dup0(c->name);
		r->path = dup0(path);
		r->module = dup0(module);
		{
			/* "(Base, Mixin)" -> "Base, Mixin" */
			const char *bt = c->bases ? c->bases : "";
			size_t bl = strlen(bt);
			if (bl >= 2 && bt[0] == '(' && bt[bl - 1] == ')')
				r->bases = dupn(bt + 1, bl - 2);
			else
				r->bases = dup0(bt);
		}
		r->line = c->line;
		r->worker = strstr(c->name, "Worker") != NULL;
		if (c->bases && (strstr(c->bases, "table=True") || strstr(c->bases, "models.Model") ||
				 strstr(c->bases, "db.Model")))
			r->declares_model = 1;
		if (c->bases && (strstr(c->bases, "DeclarativeBase") || strstr(c->bases, "declarative_base")))
			r->root = 1;
		for (unsigned d = 0; d < c->ndecorators; d++)
			if (strstr(c->decorators[d], "as_declarative"))
				r->root = 1;
		p->ncls++;
		slot[i] = p->ncls;
		if (!r->name || !r->path || !r->module || !r->bases)
			goto oom;
	}
	for (s = 0; s < ol->nstmts; s++) {
		int blk = ol->stmts[s].block;
		size_t before = ix->ncols;
		struct py_class_rec *r;
		if (blk < 0 || ol->blocks[blk].kind != PB_CLASS || !ol->blocks[blk].name || !slot[blk])
			continue;
		r = &p->cls[slot[blk] - 1];
		if (class_stmt(ix, ol, ol->blocks[blk].name, (int)s) < 0 || class_facts(ix, ol, r, (int)s) < 0)
			goto oom;
		if (ix->ncols > before && strncmp(py_tok_text(ol->toks, ol->stmts[s].tok_begin), "__", 2))
			r->own_cols++;
	}
	/* Base = declarative_base(...) / registry().generate_base() at module level */
	for (s = 0; s < ol->nstmts; s++) {
		const struct py_stmt *st = &ol->stmts[s];
		const struct py_toks *t = ol->toks;
		uint32_t k;
		if (st->block != 0 || st->opens >= 0 || st->tok_end < st->tok_begin + 4 ||
		    t->v[st->tok_begin].kind != PT_NAME || !py_tok_is(t, st->tok_begin + 1, "="))
			continue;
		for (k = st->tok_begin + 2; k < st->tok_end; k++)
			if (py_tok_is(t, k, "declarative_base") || py_tok_is(t, k, "generate_base")) {
				if (push_str(&p->roots, &p->nroots, &p->caproots, py_tok_text(t, st->tok_begin),
					     t->v[st->tok_begin].len) < 0)
					goto oom;
				break;
			}
	}
	/* Django's class Meta: abstract = True marks the enclosing model */
	for (i = 0; i < ol->nblocks; i++) {
		const struct py_block *c = &ol->blocks[i];
		if (c->kind == PB_CLASS && slot[i] && c->name && !strcmp(c->name, "Meta") && c->parent >= 0 &&
		    slot[c->parent] && p->cls[slot[i] - 1].is_abstract)
			p->cls[slot[c->parent] - 1].is_abstract = 1;
	}
	free(slot);
	free(module);
	return 0;
oom:
	free(slot);
	free(module);
	return -1;
}

/* ---- defs */

static const char *const eager_fns[] = { "selectinload", "joinedload", "subqueryload", "immediateload",
					 "contains_eager", "raiseload", "noload", "select_related",
					 "prefetch_related", "Prefetch", NULL };

/* Appends the attribute names loaded by eager-load call c to buf. */
static void eager_attrs(const struct py_outline *ol, const struct py_call *c, char *buf, size_t n)
{
	const struct py_toks *t = ol->toks;
	uint32_t k;
	for (k = c->lparen + 1; k < c->rparen; k++) {
		const char *s = py_tok_text(t, k);
		size_t l = t->v[k].len, o = strlen(buf);
		if (t->v[k].kind == PT_NAME && k > c->lparen + 1 && py_tok_is(t, k - 1, ".") &&
		    !py_tok_is(t, k + 1, "(") && !py_tok_is(t, k + 1, "."))
			;
		else if (t->v[k].kind == PT_STRING && l > 2 && !(t->v[k].flags & PTF_FSTRING)) {
			s++;
			l -= 2;
		} else {
			continue;
		}
		while (l > 0 && o + l + 2 < n) {
			/* Django lookups: "author__publisher" loads both */
			const char *sep = memchr(s, '_', l);
			size_t part = l;
			while (sep && sep + 1 < s + l && sep[1] != '_')
				sep = memchr(sep + 1, '_', (size_t)(s + l - sep - 1));
			if (sep && sep + 1 < s + l)
				part = (size_t)(sep - s);
			snprintf(buf + o, n - o, "%.*s ", (int)part, s);
			o = strlen(buf);
			if (part == l)
				break;
			s += part + 2;
			l -= part + 2;
		}
	}
}

int py_def_eager_loads(const struct py_outline *ol, int f, const char *attr)
{
	size_t ci, al = strlen(attr);
	char buf[1024];
	const char *p;
	if (f < 0 || (size_t)f >= ol->nblocks)
		return 0;
	buf[0] = ' ';
	buf[1] = '\0';
	for (ci = py_first_call_from(ol, ol->blocks[f].hdr_begin); ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		if (c->lparen >= ol->blocks[f].body_end)
			break;
		if (!c->is_ref && name_in(c->name, eager_fns))
			eager_attrs(ol, c, buf, sizeof(buf));
	}
	for (p = strstr(buf, attr); p; p = strstr(p + 1, attr))
		if (p[-1] == ' ' && p[al] == ' ')
			return 1;
	return 0;
}

static const char *const job_decorators[] = { "task", "shared_task", "actor", "job", "periodic_task",
					      "db_periodic_task", "scheduled_job", "cron", "repeat_every",
					      "on_message", "consumer", "subscriber", NULL };
static const char *const job_submitters[] = { "add_task", "enqueue", "enqueue_in", "enqueue_at",
					      "enqueue_call", "add_job", "schedule", "send_to_worker", NULL };
static const char *const once_decorators[] = { "command", "group", "callback", "before_first_request",
					       "on_startup", "on_shutdown", NULL };

/* Last dotted component of decorator text d before any "(". */
static void decorator_name(const char *d, char *buf, size_t n)
{
	size_t l = strcspn(d, "("), i = l;
	while (i > 0 && d[i - 1] != '.')
		i--;
	snprintf(buf, n, "%.*s", (int)(l - i), d + i);
}

/* 1 when path is a jobs/tasks/workers module or package ("app/jobs/x.py", "worker.py"). */
static int job_path(const char *path)
{
	static const char *const dirs[] = { "jobs", "tasks", "workers", "worker", "cron", "consumers", NULL };
	size_t i, l;
	for (i = 0; dirs[i]; i++) {
		const char *p = path;
		l = strlen(dirs[i]);
		while ((p = strstr(p, dirs[i]))) {
			if ((p == path || p[-1] == '/') && (p[l] == '/' || !strcmp(p + l, ".py")))
				return 1;
			p += l;
		}
	}
	return 0;
}

static int is_job_def(const char *path, const struct py_block *d, int toplevel)
{
	unsigned i;
	char nm[64];
	if (toplevel && !d->handler && job_path(path))
		return 1;
	for (i = 0; i < d->ndecorators; i++) {
		decorator_name(d->decorators[i], nm, sizeof(nm));
		if (name_in(nm, job_decorators))
			return 1;
	}
	return 0;
}

/* Runs once: scripts, CLI commands, startup/shutdown hooks, lifespan. */
static int is_once_def(const char *path, const struct py_block *d)
{
	unsigned i;
	char nm[64];
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!strncmp(path, "scripts/", 8) || !strncmp(path, "bin/", 4) || strstr(path, "/scripts/") ||
	    strstr(path, "/bin/") || strstr(path, "/management/commands/") || !strcmp(base, "manage.py") ||
	    !strcmp(base, "setup.py"))
		return 1;
	for (i = 0; i < d->ndecorators; i++) {
		decorator_name(d->decorators[i], nm, sizeof(nm));
		if (name_in(nm, once_decorators))
			return 1;
		if (!strcmp(nm, "on_event") && (strstr(d->decorators[i], "startup") || strstr(d->decorators[i], "shutdown")))
			return 1;
	}
	return d->name && (!strcmp(d->name, "lifespan") || !strcmp(d->name, "init_db") ||
			   !strcmp(d->name, "create_db_and_tables") || !strcmp(d->name, "create_tables") ||
			   !strncmp(d->name, "seed", 4) || !strcmp(d->name, "on_startup") ||
			   !strcmp(d->name, "startup") || !strcmp(d->name, "shutdown"));
}

/* Splits "name: Ann = default" into its parts. */
static int fill_param(struct py_param *pp, const char *name, const char *text)
{
	const char *p = text, *colon = NULL, *eq = NULL;
	int depth = 0;
	char q = 0;
	for (; *p; p++) {
		if (q) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == q)
				q = 0;
			continue;
		}
		if (*p == '"' || *p == '\'')
			q = *p;
		else if (*p == '(' || *p == '[' || *p == '{')
			depth++;
		else if (*p == ')' || *p == ']' || *p == '}')
			depth--;
		else if (!depth && *p == ':' && !colon && !eq)
			colon = p;
		else if (!depth && *p == '=' && !eq && p[1] != '=' && (p == text || (p[-1] != '=' && p[-1] != '!' &&
										  p[-1] != '<' && p[-1] != '>')))
			eq = p;
	}
	memset(pp, 0, sizeof(*pp));
	pp->name = dup0(name);
	if (colon) {
		const char *ab = colon + 1, *ae = eq ? eq : p;
		while (ab < ae && *ab == ' ')
			ab++;
		while (ae > ab && ae[-1] == ' ')
			ae--;
		pp->ann = dupn(ab, (size_t)(ae - ab));
		if (!pp->ann)
			return -1;
	}
	if (eq) {
		const char *db = eq + 1;
		while (*db == ' ')
			db++;
		pp->deflt = dup0(db);
		if (!pp->deflt)
			return -1;
	}
	return pp->name ? 0 : -1;
}

/* Return annotation of def d: the tokens after "->" in its header. */
static char *return_annotation(const struct py_outline *ol, const struct py_block *d)
{
	const struct py_toks *t = ol->toks;
	uint32_t k;
	for (k = d->hdr_end; k > d->hdr_begin; k--)
		if (py_tok_is(t, k - 1, "->"))
			return k < d->hdr_end ? py_outline_text(ol, k, d->hdr_end) : NULL;
		else if (py_tok_is(t, k - 1, ")"))
			break;
	return NULL;
}

/* Collects Depends(X)/Security(X) names in text s as providers. */
static int note_providers(struct py_index_priv *p, const char *s)
{
	static const char *const kw[] = { "Depends(", "Security(", NULL };
	size_t i;
	for (i = 0; kw[i]; i++) {
		const char *q = s;
		while ((q = strstr(q, kw[i]))) {
			const char *n = q + strlen(kw[i]), *e;
			q = n;
			if (!strncmp(n, "dependency=", 11))
				n += 11;
			for (e = n; isalnum((unsigned char)*e) || *e == '_' || *e == '.'; e++)
				;
			if (e > n) {
				const char *last = e;
				while (last > n && last[-1] != '.')
					last--;
				if (push_str(&p->providers, &p->nprov, &p->capprov, last, (size_t)(e - last)) < 0)
					return -1;
			}
		}
	}
	return 0;
}

/* "mod.x" relative to module "a.b.c" when spec starts with dots. */
static void absolutize(const char *module, int is_pkg, const char *q, char *buf, size_t n)
{
	size_t dots = 0, l = strlen(module);
	while (q[dots] == '.')
		dots++;
	if (!dots) {
		snprintf(buf, n, "%s", q);
		return;
	}
	/* one dot: the current package (the module itself when it is a package) */
	if (!is_pkg) {
		while (l > 0 && module[l - 1] != '.')
			l--;
		l = l ? l - 1 : 0;
	}
	for (size_t i = 1; i < dots; i++) {
		while (l > 0 && module[l - 1] != '.')
			l--;
		l = l ? l - 1 : 0;
	}
	snprintf(buf, n, "%.*s%s%s", (int)l, module, l ? "." : "", q + dots);
}

/* The resolution key of call c in def fn (see py_index_resolve), or "". */
static void call_spec(const struct py_binds *b, const struct py_fn *fn, int is_pkg, const struct py_call *c,
		      char *spec, size_t n)
{
	char q[512], recv[256], abs[512];
	const char *dot = strrchr(c->callee, '.');
	spec[0] = '\0';
	if (!c->callee[0])
		return;
	if (strstr(c->callee, "()")) {
		/* Cls(...).method(...): a method of a project class */
		const char *par = strstr(c->callee, "()");
		if (isupper((unsigned char)c->callee[0]) && !memchr(c->callee, '.', (size_t)(par - c->callee)) &&
		    par[2] == '.' && !strchr(par + 3, '.') && !strstr(par + 2, "()"))
			snprintf(spec, n, "M%.*s.%s", (int)(par - c->callee), c->callee, par + 3);
		return;
	}
	if (!dot) {
		py_binds_qualify(b, c->callee, q, sizeof(q));
		if (strcmp(q, c->callee)) {
			absolutize(fn->module, is_pkg, q, abs, sizeof(abs));
			snprintf(spec, n, "F%s", abs);
		} else {
			snprintf(spec, n, "F%s%s%s", fn->module, fn->module[0] ? "." : "", c->callee);
		}
		return;
	}
	snprintf(recv, sizeof(recv), "%.*s", (int)(dot - c->callee), c->callee);
	if ((!strcmp(recv, "self") || !strcmp(recv, "cls")) && fn->cls) {
		snprintf(spec, n, "M%s.%s@%s", fn->cls, dot + 1, fn->module);
		return;
	}
	{
		const struct py_bind *bd = py_binds_find(b, c->block, recv, c->name_begin);
		if (bd && bd->kind == PBK_OBJECT && bd->type) {
			const char *ty = strrchr(bd->type, '.');
			ty = ty ? ty + 1 : bd->type;
			py_binds_qualify(b, ty, q, sizeof(q));
			if (strcmp(q, ty)) {
				/* an imported class: its module is known */
				absolutize(fn->module, is_pkg, q, abs, sizeof(abs));
				snprintf(spec, n, "F%s.%s", abs, dot + 1);
			} else {
				snprintf(spec, n, "M%s.%s@%s", ty, dot + 1, fn->module);
			}
			return;
		}
		if (bd)
			return;
	}
	py_binds_qualify(b, c->callee, q, sizeof(q));
	if (strcmp(q, c->callee)) {
		/* an imported module's function, or an imported class's method */
		absolutize(fn->module, is_pkg, q, abs, sizeof(abs));
		snprintf(spec, n, "F%s", abs);
	} else if (!strchr(recv, '.') && isupper((unsigned char)recv[0])) {
		snprintf(spec, n, "M%s.%s", recv, dot + 1);
	}
}

static int add_site(struct py_fn *fn, unsigned *cap, const struct py_call *c, const char *spec, int job_ref,
		    int offloaded)
{
	struct py_callsite *cs;
	if (fn->ncalls == *cap) {
		unsigned nc = *cap ? *cap * 2 : 8;
		void *nv = realloc(fn->calls, nc * sizeof(*cs));
		if (!nv)
			return -1;
		fn->calls = nv;
		*cap = nc;
	}
	cs = &fn->calls[fn->ncalls];
	memset(cs, 0, sizeof(*cs));
	cs->callee = dup0(c->callee);
	cs->spec = dup0(spec);
	cs->line = c->line;
	cs->awaited = c->awaited;
	cs->offloaded = (uint8_t)offloaded;
	cs->job_ref = (uint8_t)job_ref;
	cs->target = -1;
	fn->ncalls++;
	return cs->callee && cs->spec ? 0 : -1;
}

/* Specs called at module level inside "if __name__ == '__main__':". */
static int note_main_calls(struct py_index *ix, const struct py_binds *b, const struct py_outline *ol,
			   const struct py_fn *modfn, int is_pkg)
{
	size_t i, ci;
	struct py_index_priv *p = ix->priv;
	for (i = 0; i < ol->nblocks; i++) {
		const struct py_block *bl = &ol->blocks[i];
		char spec[600];
		if (bl->kind != PB_IF || bl->func >= 0 || bl->parent < 0 || ol->blocks[bl->parent].kind != PB_MODULE ||
		    !py_tok_is(ol->toks, bl->hdr_begin + 1, "__name__"))
			continue;
		for (ci = py_first_call_from(ol, bl->body_begin); ci < ol->ncalls; ci++) {
			const struct py_call *c = &ol->calls[ci];
			if (c->lparen >= bl->body_end)
				break;
			if (c->func >= 0)
				continue;
			call_spec(b, modfn, is_pkg, c, spec, sizeof(spec));
			if (spec[0] && push_str(&p->mainspecs, &p->nmain, &p->capmain, spec, strlen(spec)) < 0)
				return -1;
		}
	}
	return 0;
}

static int index_defs(struct py_index *ix, const char *path, const struct py_outline *ol,
		      const json_t *context)
{
	struct py_binds b;
	struct py_index_priv *p = ix->priv;
	struct py_fn modfn;
	size_t i, ci;
	int is_pkg, rc = -1;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	is_pkg = !strcmp(base, "__init__.py");
	if (py_binds_build(&b, ol, context) < 0)
		return -1;
	memset(&modfn, 0, sizeof(modfn));
	if (!(modfn.module = module_of(path)))
		goto out;
	for (i = 0; i < ol->nblocks; i++) {
		const struct py_block *d = &ol->blocks[i];
		struct py_fn *fn;
		char net[160] = "", eager[1024] = " ", spec[600];
		unsigned k, capcalls = 0;
		int cls = d->parent;
		if (d->kind != PB_DEF || !d->name)
			continue;
		if (grow((void **)&ix->fns, &ix->capfns, ix->nfns, sizeof(*fn)))
			goto out;
		fn = &ix->fns[ix->nfns];
		memset(fn, 0, sizeof(*fn));
		ix->nfns++;
		fn->cls = cls >= 0 && ol->blocks[cls].kind == PB_CLASS ? dup0(ol->blocks[cls].name) : NULL;
		fn->name = dup0(d->name);
		fn->path = dup0(path);
		fn->module = dup0(modfn.module);
		fn->line = d->line;
		fn->end_line = d->end_line;
		fn->is_async = d->is_async;
		/* the project's configuration may name more handler and job decorators */
		fn->handler = d->handler || config_decorated(context, "handler_decorators", d->decorators,
							      d->ndecorators);
		fn->job = (uint8_t)(is_job_def(path, d, d->parent == 0) ||
				    config_decorated(context, "job_decorators", d->decorators, d->ndecorators));
		fn->once = (uint8_t)is_once_def(path, d);
		fn->nested = py_outline_enclosing(ol, d->parent >= 0 ? d->parent : 0, PB_MASK(PB_DEF), 1) >= 0 &&
			     d->parent >= 0;
		fn->returns = return_annotation(ol, d);
		if (!fn->name || !fn->path || !fn->module)
			goto out;
		if (d->nparams) {
			fn->params = calloc(d->nparams, sizeof(*fn->params));
			if (!fn->params)
				goto out;
			for (k = 0; k < d->nparams; k++, fn->nparams++) {
				if (fill_param(&fn->params[k], d->params[k], d->param_texts[k]) < 0 ||
				    note_providers(p, d->param_texts[k]) < 0)
					goto out;
			}
		}
		if (d->ndecorators) {
			fn->decorators = calloc(d->ndecorators, sizeof(char *));
			if (!fn->decorators)
				goto out;
			for (k = 0; k < d->ndecorators; k++, fn->ndecorators++)
				if (!(fn->decorators[k] = dup0(d->decorators[k])) ||
				    note_providers(p, d->decorators[k]) < 0)
					goto out;
		}
		for (ci = py_first_call_from(ol, d->hdr_begin); ci < ol->ncalls; ci++) {
			const struct py_call *c = &ol->calls[ci];
			int job_ref = 0;
			if (c->lparen >= d->body_end)
				break;
			if (c->func == (int)i && !net[0] && py_call_is_network(&b, ci, net, sizeof(net)) == 0)
				net[0] = '\0';
			if (!c->is_ref && name_in(c->name, eager_fns))
				eager_attrs(ol, c, eager, sizeof(eager));
			if (c->func != (int)i)
				continue;
			if (c->is_ref) {
				const struct py_call *pc = c->parent_call >= 0 ? &ol->calls[c->parent_call] : NULL;
				if (!pc || c->arg_index != 0 || !name_in(pc->name, job_submitters))
					continue;
				job_ref = 1;
			}
			call_spec(&b, fn, is_pkg, c, spec, sizeof(spec));
			if (spec[0] && add_site(fn, &capcalls, c, spec, job_ref, py_call_offloaded(ol, c)) < 0)
				goto out;
			if (spec[0])
				fn->calls[fn->ncalls - 1].once_guard = (uint8_t)py_call_in_once_guard(ol, c);
		}
		fn->net = net[0] ? dup0(net) : NULL;
		fn->eager = eager[1] ? dup0(eager) : NULL;
		if (py_index_def_fetches(fn, &b, (int)i) < 0 || py_index_def_runtime(fn, &b, (int)i) < 0)
			goto out;
	}
	/* Depends() outside parameters (Annotated aliases at module level,
	 * class attributes of base controllers), FastAPI(lifespan=f), and
	 * __main__ calls */
	for (i = 0; i < ol->nstmts; i++) {
		const struct py_stmt *st = &ol->stmts[i];
		const struct py_toks *t = ol->toks;
		uint32_t k;
		char *txt;
		int kind = st->block >= 0 ? ol->blocks[st->block].kind : -1;
		if (st->opens >= 0 || (kind != PB_MODULE && kind != PB_CLASS))
			continue;
		for (k = st->tok_begin; k + 2 < st->tok_end; k++)
			if (py_tok_is(t, k, "lifespan") && py_tok_is(t, k + 1, "=") && t->v[k + 2].kind == PT_NAME &&
			    push_str(&p->oncenames, &p->nonce, &p->caponce, py_tok_text(t, k + 2), t->v[k + 2].len) < 0)
				goto out;
		if (!(txt = py_outline_text(ol, st->tok_begin, st->tok_end)))
			goto out;
		if ((strstr(txt, "Depends(") || strstr(txt, "Security(")) && note_providers(p, txt) < 0) {
			free(txt);
			goto out;
		}
		free(txt);
	}
	if (note_main_calls(ix, &b, ol, &modfn, is_pkg) < 0)
		goto out;
	rc = 0;
out:
	free(modfn.module);
	py_binds_free(&b);
	ix->sorted = 0;
	ix->resolved = 0;
	return rc;
}

int py_index_add(struct py_index *ix, const char *path, const struct py_outline *ol, const json_t *context)
{
	if (index_classes(ix, path, ol) < 0)
		return -1;
	return index_defs(ix, path, ol, context);
}

int py_index_add_model(struct py_index *ix, const char *cls, const char *table, const char *path, unsigned line,
		       unsigned ncols)
{
	struct py_index_priv *p = ix->priv;
	struct py_class_rec *r;
	if (grow((void **)&p->cls, &p->capcls, p->ncls, sizeof(*r)))
		return -1;
	r = &p->cls[p->ncls];
	memset(r, 0, sizeof(*r));
	r->name = dup0(cls);
	r->path = dup0(path);
	r->module = dup0(path);
	r->bases = dup0("");
	r->table = table ? dup0(table) : NULL;
	r->line = line;
	r->own_cols = ncols;
	r->declares_model = 1;
	p->ncls++;
	ix->sorted = 0;
	return r->name && r->path && r->module && r->bases && (!table || r->table) ? 0 : -1;
}

int py_index_add_column(struct py_index *ix, const char *cls, const char *attr)
{
	ix->sorted = 0;
	return add_col(ix, cls, attr, strlen(attr));
}

int py_index_add_relation(struct py_index *ix, const char *cls, const char *attr, const char *target,
			  enum py_lazy lazy)
{
	ix->sorted = 0;
	return add_rel(ix, cls, attr, strlen(attr), dup0(target), lazy);
}

static int add_prisma_file(struct py_index *ix, const char *full, const char *rel)
{
	struct srcfile sf;
	int rc;
	if (srcfile_load(&sf, full, 0, NULL, NULL) != SRC_OK)
		return 0;
	rc = py_index_add_prisma(ix, rel, sf.text, sf.len);
	srcfile_free(&sf);
	return rc;
}

static int add_file(struct py_index *ix, const char *full, const char *rel, const json_t *context)
{
	struct srcfile sf;
	struct py_toks toks;
	struct py_outline ol;
	int rc = 0;
	if (srcfile_load(&sf, full, 0, NULL, NULL) != SRC_OK)
		return 0;
	if (py_tokenize(&toks, sf.text, sf.len) < 0) {
		srcfile_free(&sf);
		return -1;
	}
	if (py_outline_build(&ol, &toks) < 0) {
		rc = -1;
	} else {
		rc = py_index_add(ix, rel, &ol, context);
		py_outline_free(&ol);
	}
	py_toks_free(&toks);
	srcfile_free(&sf);
	return rc;
}

int py_index_add_context(struct py_index *ix, const json_t *context)
{
	const char *root = json_string_value(json_object_get(context, "codebase_root"));
	const json_t *files = json_object_get(context, "files");
	size_t i;
	json_t *f;
	json_array_foreach(files, i, f) {
		const char *rel = json_string_value(json_object_get(f, "path"));
		const char *role = json_string_value(json_object_get(f, "role"));
		const char *lang = json_string_value(json_object_get(f, "language"));
		char *full;
		size_t n;
		int rc;
		int prisma = lang && !strcmp(lang, "prisma");
		if (!rel || !role || !lang || (!prisma && (strcmp(role, "source") || strcmp(lang, "python"))))
			continue;
		n = strlen(root ? root : ".") + strlen(rel) + 2;
		full = malloc(n);
		if (!full)
			return -1;
		snprintf(full, n, "%s/%s", root ? root : ".", rel);
		rc = prisma ? add_prisma_file(ix, full, rel) : add_file(ix, full, rel, context);
		free(full);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ---- lookups and the project-wide pass */

static struct py_index *sort_ix;   /* qsort has no context argument */

static int cmp_fn_name(const void *x, const void *y)
{
	const struct py_fn *a = &sort_ix->fns[*(const size_t *)x], *b = &sort_ix->fns[*(const size_t *)y];
	int r = strcmp(a->name, b->name);
	return r ? r : (*(const size_t *)x > *(const size_t *)y) - (*(const size_t *)x < *(const size_t *)y);
}

static int cmp_fn_pos(const void *x, const void *y)
{
	const struct py_fn *a = &sort_ix->fns[*(const size_t *)x], *b = &sort_ix->fns[*(const size_t *)y];
	int r = strcmp(a->path, b->path);
	return r ? r : (a->line > b->line) - (a->line < b->line);
}

static int cmp_cls_name(const void *x, const void *y)
{
	const struct py_class_rec *a = &sort_ix->priv->cls[*(const size_t *)x];
	const struct py_class_rec *b = &sort_ix->priv->cls[*(const size_t *)y];
	return strcmp(a->name, b->name);
}

static int cmp_rel(const void *x, const void *y)
{
	const struct py_rel *a = x, *b = y;
	return strcmp(a->attr, b->attr);
}

static int cmp_col(const void *x, const void *y)
{
	const char *a = strrchr(*(char *const *)x, '.'), *b = strrchr(*(char *const *)y, '.');
	return strcmp(a, b);
}

static int cmp_edge(const void *x, const void *y)
{
	const struct py_edge *a = x, *b = y;
	if (a->callee != b->callee)
		return (a->callee > b->callee) - (a->callee < b->callee);
	return (a->caller > b->caller) - (a->caller < b->caller);
}

static int cmp_model(const void *x, const void *y)
{
	const struct py_model *a = x, *b = y;
	return strcmp(a->cls, b->cls);
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static int has_str(char **v, size_t n, const char *s)
{
	return n && bsearch(&s, v, n, sizeof(char *), cmp_str) != NULL;
}

/* First index in fn_by_name whose def is named name (sorted), and the end. */
static size_t fns_named(const struct py_index *ix, const char *name, size_t *end)
{
	size_t lo = 0, hi = ix->nfns, i;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix->fns[ix->fn_by_name[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < ix->nfns && !strcmp(ix->fns[ix->fn_by_name[i]].name, name); i++)
		;
	*end = i;
	return lo;
}

static size_t classes_named(const struct py_index *ix, const char *name, size_t *end)
{
	const struct py_index_priv *p = ix->priv;
	size_t lo = 0, hi = p->ncls, i;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(p->cls[p->cls_by_name[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < p->ncls && !strcmp(p->cls[p->cls_by_name[i]].name, name); i++)
		;
	*end = i;
	return lo;
}

/* 1 when module m is mod, or ends with ".mod" (src/ layouts), or mod ends with ".m". */
static int module_matches(const char *m, const char *mod, size_t modlen)
{
	size_t ml = strlen(m);
	if (ml == modlen && !strncmp(m, mod, modlen))
		return 1;
	if (ml > modlen && m[ml - modlen - 1] == '.' && !strncmp(m + ml - modlen, mod, modlen))
		return 1;
	return 0;
}

/* The one class record named name (in module mod when given), or NULL. */
static const struct py_class_rec *class_find(const struct py_index *ix, const char *name, const char *mod,
					     size_t modlen)
{
	const struct py_index_priv *p = ix->priv;
	const struct py_class_rec *hit = NULL;
	size_t end, i = classes_named(ix, name, &end);
	for (; i < end; i++) {
		const struct py_class_rec *r = &p->cls[p->cls_by_name[i]];
		if (mod && !module_matches(r->module, mod, modlen))
			continue;
		if (hit)
			return NULL;
		hit = r;
	}
	return hit;
}

/* Calls f(base name) for each base class name of r; stops when it returns nonzero. */
static const char *next_base(const char **pp, char *buf, size_t n)
{
	const char *p = *pp;
	int depth = 0;
	while (*p) {
		const char *s = p, *e;
		depth = 0;
		while (*p && !(depth == 0 && *p == ',')) {
			if (*p == '(' || *p == '[')
				depth++;
			else if (*p == ')' || *p == ']')
				depth--;
			p++;
		}
		e = p;
		if (*p)
			p++;
		while (s < e && *s == ' ')
			s++;
		if (memchr(s, '=', (size_t)(e - s)) || memchr(s, '[', (size_t)(e - s)))
			continue;
		while (e > s && e[-1] == ' ')
			e--;
		{
			const char *l = e;
			while (l > s && l[-1] != '.')
				l--;
			if (e > l) {
				snprintf(buf, n, "%.*s", (int)(e - l), l);
				*pp = p;
				return buf;
			}
		}
	}
	*pp = p;
	return NULL;
}

static int method_in(const struct py_index *ix, const char *cls, const char *m, int depth);

/* The fns index of method m of class cls or its project bases, -1 (or -2: ambiguous). */
static int method_in(const struct py_index *ix, const char *cls, const char *m, int depth)
{
	size_t end, i = fns_named(ix, m, &end);
	int hit = -1;
	const struct py_class_rec *r;
	const char *bp;
	char base[128];
	for (; i < end; i++) {
		const struct py_fn *f = &ix->fns[ix->fn_by_name[i]];
		if (!f->cls || strcmp(f->cls, cls) || f->nested)
			continue;
		if (hit >= 0)
			return -2;
		hit = (int)ix->fn_by_name[i];
	}
	if (hit >= 0 || depth > 6)
		return hit;
	r = class_find(ix, cls, NULL, 0);
	if (!r)
		return -1;
	for (bp = r->bases; next_base(&bp, base, sizeof(base));) {
		int h;
		if (!strcmp(base, cls))
			continue;
		h = method_in(ix, base, m, depth + 1);
		if (h != -1)
			return h;
	}
	return -1;
}

/* Method m of the class of record r (same file), else of its bases; -1. */
static int method_of_class(const struct py_index *ix, const struct py_class_rec *r, const char *m)
{
	size_t end, i;
	int hit = -1;
	const char *bp = r->bases;
	char base[128];
	for (i = fns_named(ix, m, &end); i < end; i++) {
		const struct py_fn *f = &ix->fns[ix->fn_by_name[i]];
		if (f->cls && !strcmp(f->cls, r->name) && !f->nested && !strcmp(f->path, r->path)) {
			if (hit >= 0)
				return -1;
			hit = (int)ix->fn_by_name[i];
		}
	}
	if (hit >= 0)
		return hit;
	while (next_base(&bp, base, sizeof(base))) {
		int h;
		if (!strcmp(base, r->name))
			continue;
		h = method_in(ix, base, m, 1);
		if (h != -1)
			return h < 0 ? -1 : h;
	}
	return -1;
}

static int resolve_spec(const struct py_index *ix, const char *spec)
{
	const char *dot = strrchr(spec + 1, '.');
	const char *name = dot ? dot + 1 : spec + 1;
	size_t modlen = dot ? (size_t)(dot - spec - 1) : 0, end, i;
	int hit = -1;
	if (spec[0] == 'M') {
		/* "MCls.method" or "MCls.method@module" (the class is defined there if anywhere) */
		char cls[128], meth[128];
		const char *at = strchr(spec, '@'), *cdot;
		size_t ml = at ? (size_t)(at - spec - 1) : strlen(spec + 1);
		cdot = memchr(spec + 1, '.', ml);
		if (!cdot || (size_t)(cdot - spec - 1) >= sizeof(cls) || ml >= sizeof(meth))
			return -1;
		snprintf(cls, sizeof(cls), "%.*s", (int)(cdot - spec - 1), spec + 1);
		snprintf(meth, sizeof(meth), "%.*s", (int)(spec + 1 + ml - cdot - 1), cdot + 1);
		if (at) {
			for (i = fns_named(ix, meth, &end); i < end; i++) {
				const struct py_fn *f = &ix->fns[ix->fn_by_name[i]];
				if (f->cls && !strcmp(f->cls, cls) && !f->nested && !strcmp(f->module, at + 1)) {
					if (hit >= 0)
						return -1;
					hit = (int)ix->fn_by_name[i];
				}
			}
			if (hit >= 0)
				return hit;
			{
				const struct py_class_rec *r = class_find(ix, cls, at + 1, strlen(at + 1));
				if (r)
					return method_of_class(ix, r, meth);
			}
		}
		hit = method_in(ix, cls, meth, 0);
		return hit < 0 ? -1 : hit;
	}
	for (i = fns_named(ix, name, &end); i < end; i++) {
		const struct py_fn *f = &ix->fns[ix->fn_by_name[i]];
		if (f->cls || f->nested || !dot || !module_matches(f->module, spec + 1, modlen))
			continue;
		if (hit >= 0)
			return -1;
		hit = (int)ix->fn_by_name[i];
	}
	if (hit < 0 && dot) {
		/* pkg.mod.Cls.method: a method of an imported class */
		const char *cdot = dot;
		const struct py_class_rec *r;
		char cls[128];
		while (cdot > spec + 1 && cdot[-1] != '.')
			cdot--;
		snprintf(cls, sizeof(cls), "%.*s", (int)(dot - cdot), cdot);
		r = class_find(ix, cls, cdot > spec + 1 ? spec + 1 : NULL,
			       cdot > spec + 1 ? (size_t)(cdot - 1 - spec - 1) : 0);
		if (r)
			hit = method_of_class(ix, r, name);
	}
	return hit;
}

/* The project class a spec names as a constructor ("Fpkg.mod.Cls"), or NULL. */
static const struct py_class_rec *spec_class(const struct py_index *ix, const char *spec)
{
	const char *dot = strrchr(spec + 1, '.');
	if (spec[0] != 'F' || !dot || !isupper((unsigned char)dot[1]))
		return NULL;
	return class_find(ix, dot + 1, spec + 1, (size_t)(dot - spec - 1));
}

static int model_of(struct py_index *ix, size_t ci, unsigned *ncols, int depth)
{
	struct py_class_rec *r = &ix->priv->cls[ci];
	const char *bp = r->bases;
	char base[128];
	int model = r->declares_model;
	*ncols += r->own_cols;
	if (depth > 8)
		return model;
	while (next_base(&bp, base, sizeof(base))) {
		size_t end, i;
		if (!strcmp(base, r->name))
			continue;
		if (has_str(ix->priv->roots, ix->priv->nroots, base))
			model = 1;
		i = classes_named(ix, base, &end);
		if (end - i == 1 && ix->priv->cls[ix->priv->cls_by_name[i]].root)
			model = 1;
		if (end - i != 1)
			continue;
		/* an abstract base (__abstract__ = True) is not a model, its subclasses are */
		if (model_of(ix, ix->priv->cls_by_name[i], ncols, depth + 1))
			model = 1;
	}
	return model;
}

static int build_models(struct py_index *ix)
{
	struct py_index_priv *p = ix->priv;
	size_t i;
	for (i = 0; i < p->ncls; i++) {
		struct py_class_rec *r = &p->cls[i];
		struct py_model *m;
		unsigned ncols = 0;
		if (!model_of(ix, i, &ncols, 0) || r->is_abstract)
			continue;
		if (grow((void **)&ix->models, &ix->capmodels, ix->nmodels, sizeof(*m)))
			return -1;
		m = &ix->models[ix->nmodels++];
		memset(m, 0, sizeof(*m));
		m->cls = dup0(r->name);
		m->table = dup0(r->table);
		m->path = dup0(r->path);
		m->bases = dup0(r->bases);
		m->line = r->line;
		m->ncols = ncols;
		if (!m->cls || !m->path || !m->bases || (r->table && !m->table))
			return -1;
	}
	if (ix->nmodels)
		qsort(ix->models, ix->nmodels, sizeof(*ix->models), cmp_model);
	return 0;
}

/* The class a Depends parameter injects: "x: Cls = Depends()", "Depends(Cls)",
 * "Annotated[Cls, Depends()]". */
static const struct py_class_rec *param_inject(const struct py_index *ix, const struct py_param *pp)
{
	const char *d = NULL, *src = NULL;
	char name[128];
	size_t l;
	if (pp->deflt && !strncmp(pp->deflt, "Depends(", 8))
		d = pp->deflt + 8;
	else if (pp->ann && (d = strstr(pp->ann, "Depends(")))
		d += 8;
	if (!d)
		return NULL;
	if (*d == ')' || *d == '\0') {
		/* Depends(): the annotation's class */
		src = pp->ann;
		if (src && !strncmp(src, "Annotated[", 10))
			src += 10;
	} else {
		src = d;
	}
	if (!src)
		return NULL;
	while (*src == ' ')
		src++;
	l = strcspn(src, ",)] [|");
	{
		const char *e = src + l, *s0 = e;
		while (s0 > src && s0[-1] != '.')
			s0--;
		if (e == s0 || (size_t)(e - s0) >= sizeof(name) || !isupper((unsigned char)*s0))
			return NULL;
		snprintf(name, sizeof(name), "%.*s", (int)(e - s0), s0);
	}
	return class_find(ix, name, NULL, 0);
}

static int add_inject(struct py_index *ix, const struct py_class_rec *r, const struct py_fn *fn, unsigned line,
		      enum py_inject_via via)
{
	struct py_inject *in;
	if (grow((void **)&ix->injects, &ix->capinjects, ix->ninjects, sizeof(*in)))
		return -1;
	in = &ix->injects[ix->ninjects++];
	in->cls = dup0(r->name);
	in->path = dup0(fn->path);
	in->fn = dup0(fn->name);
	in->line = line;
	in->via = (uint8_t)via;
	return in->cls && in->path && in->fn ? 0 : -1;
}

static int cached_def(const struct py_fn *fn)
{
	unsigned i;
	for (i = 0; i < fn->ndecorators; i++)
		if (strstr(fn->decorators[i], "lru_cache") || !strcmp(fn->decorators[i], "cache") ||
		    !strcmp(fn->decorators[i], "functools.cache") || strstr(fn->decorators[i], "cached"))
			return 1;
	return 0;
}

static int build_injects(struct py_index *ix)
{
	size_t i;
	unsigned k;
	for (i = 0; i < ix->nfns; i++) {
		const struct py_fn *fn = &ix->fns[i];
		int prov = fn->provider && !cached_def(fn);
		if (!fn->handler && !prov)
			continue;
		for (k = 0; k < fn->nparams; k++) {
			const struct py_class_rec *r = param_inject(ix, &fn->params[k]);
			if (r && add_inject(ix, r, fn, fn->line, PIV_DEPENDS) < 0)
				return -1;
		}
		for (k = 0; k < fn->ncalls; k++) {
			const struct py_class_rec *r = fn->calls[k].job_ref ? NULL : spec_class(ix, fn->calls[k].spec);
			if (r && (py_index_model(ix, r->name) || strstr(r->bases, "Exception") || strstr(r->bases, "Error")))
				continue;
			if (r && add_inject(ix, r, fn, fn->calls[k].line, fn->handler ? PIV_HANDLER : PIV_PROVIDER) < 0)
				return -1;
		}
	}
	return 0;
}

/* Sorts, resolves every call site and marks jobs, providers and run-once
 * defs.  Done once after the last py_index_add; -1 on ENOMEM. */
static int finalize(struct py_index *ix)
{
	struct py_index_priv *p = ix->priv;
	size_t i, n = 0;
	unsigned k;
	if (ix->sorted)
		return 0;
	ix->sorted = 1;
	ix->resolved = 1;
	sort_ix = ix;
	free(ix->fn_by_name);
	free(p->fn_by_pos);
	free(p->cls_by_name);
	free(p->edges);
	p->edges = NULL;
	p->nedges = 0;
	ix->fn_by_name = malloc((ix->nfns ? ix->nfns : 1) * sizeof(size_t));
	p->fn_by_pos = malloc((ix->nfns ? ix->nfns : 1) * sizeof(size_t));
	p->cls_by_name = malloc((p->ncls ? p->ncls : 1) * sizeof(size_t));
	if (!ix->fn_by_name || !p->fn_by_pos || !p->cls_by_name)
		return -1;
	for (i = 0; i < ix->nfns; i++)
		ix->fn_by_name[i] = p->fn_by_pos[i] = i;
	for (i = 0; i < p->ncls; i++)
		p->cls_by_name[i] = i;
	qsort(ix->fn_by_name, ix->nfns, sizeof(size_t), cmp_fn_name);
	qsort(p->fn_by_pos, ix->nfns, sizeof(size_t), cmp_fn_pos);
	qsort(p->cls_by_name, p->ncls, sizeof(size_t), cmp_cls_name);
	if (ix->nrels)
		qsort(ix->rels, ix->nrels, sizeof(*ix->rels), cmp_rel);
	if (ix->ncols)
		qsort(ix->cols, ix->ncols, sizeof(*ix->cols), cmp_col);
	if (p->nprov)
		qsort(p->providers, p->nprov, sizeof(char *), cmp_str);
	if (p->njob)
		qsort(p->jobnames, p->njob, sizeof(char *), cmp_str);
	if (p->nroots)
		qsort(p->roots, p->nroots, sizeof(char *), cmp_str);
	if (p->nonce)
		qsort(p->oncenames, p->nonce, sizeof(char *), cmp_str);
	/* models and injections are rebuilt from scratch */
	for (i = 0; i < ix->nmodels; i++) {
		free(ix->models[i].cls);
		free(ix->models[i].table);
		free(ix->models[i].path);
		free(ix->models[i].bases);
	}
	ix->nmodels = 0;
	for (i = 0; i < ix->ninjects; i++) {
		free(ix->injects[i].cls);
		free(ix->injects[i].path);
		free(ix->injects[i].fn);
	}
	ix->ninjects = 0;
	for (i = 0; i < ix->nfns; i++) {
		struct py_fn *fn = &ix->fns[i];
		if (!fn->cls && !fn->nested) {
			fn->provider |= (uint8_t)has_str(p->providers, p->nprov, fn->name);
			fn->job |= (uint8_t)has_str(p->jobnames, p->njob, fn->name);
			fn->once |= (uint8_t)has_str(p->oncenames, p->nonce, fn->name);
		}
		for (k = 0; k < fn->ncalls; k++) {
			fn->calls[k].target = resolve_spec(ix, fn->calls[k].spec);
			if (fn->calls[k].target >= 0 && !fn->calls[k].job_ref)
				n++;
		}
	}
	for (i = 0; i < ix->nfns; i++)
		for (k = 0; k < ix->fns[i].ncalls; k++)
			if (ix->fns[i].calls[k].job_ref && ix->fns[i].calls[k].target >= 0)
				ix->fns[ix->fns[i].calls[k].target].job = 1;
	p->edges = malloc((n ? n : 1) * sizeof(*p->edges));
	if (!p->edges)
		return -1;
	for (i = 0; i < ix->nfns; i++)
		for (k = 0; k < ix->fns[i].ncalls; k++)
			if (ix->fns[i].calls[k].target >= 0 && !ix->fns[i].calls[k].job_ref) {
				p->edges[p->nedges].callee = (size_t)ix->fns[i].calls[k].target;
				p->edges[p->nedges].caller = i;
				p->edges[p->nedges].site = k;
				p->nedges++;
			}
	qsort(p->edges, p->nedges, sizeof(*p->edges), cmp_edge);
	/* called from a __main__ block and from no def: runs once */
	for (i = 0; i < p->nmain; i++) {
		int t = resolve_spec(ix, p->mainspecs[i]);
		if (t >= 0 && !py_index_callers(ix, &ix->fns[t], NULL, NULL, 0))
			ix->fns[t].once = 1;
	}
	if (build_models(ix) < 0 || build_injects(ix) < 0)
		return -1;
	return 0;
}

static void ensure_sorted(struct py_index *ix)
{
	if (!ix->sorted && finalize(ix) < 0) {
		/* out of memory: answer as an empty index rather than crash */
		ix->nmodels = 0;
		ix->ninjects = 0;
		ix->priv->nedges = 0;
	}
}

void py_index_resolve(struct py_index *ix)
{
	if (ix)
		ensure_sorted(ix);
}

size_t py_index_fn_id(const struct py_index *ix, const struct py_fn *f)
{
	return (size_t)(f - ix->fns);
}

const struct py_fn *py_index_call_target(struct py_index *ix, const struct py_callsite *cs)
{
	if (!ix || !cs)
		return NULL;
	ensure_sorted(ix);
	return cs->target >= 0 && (size_t)cs->target < ix->nfns ? &ix->fns[cs->target] : NULL;
}

const struct py_fn *py_index_fn_at(struct py_index *ix, const char *path, unsigned line)
{
	size_t lo = 0, hi;
	if (!ix)
		return NULL;
	ensure_sorted(ix);
	if (!ix->fn_by_name)
		return NULL;
	hi = ix->nfns;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct py_fn *f = &ix->fns[ix->priv->fn_by_pos[mid]];
		int r = strcmp(f->path, path);
		if (r < 0 || (r == 0 && f->line < line))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ix->nfns) {
		const struct py_fn *f = &ix->fns[ix->priv->fn_by_pos[lo]];
		if (!strcmp(f->path, path) && f->line == line)
			return f;
	}
	return NULL;
}

size_t py_index_callers(struct py_index *ix, const struct py_fn *f, const struct py_fn **fns,
			const struct py_callsite **sites, size_t max)
{
	const struct py_index_priv *p;
	size_t id, lo = 0, hi, n = 0;
	if (!ix || !f)
		return 0;
	ensure_sorted(ix);
	p = ix->priv;
	id = py_index_fn_id(ix, f);
	hi = p->nedges;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->edges[mid].callee < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < p->nedges && p->edges[lo].callee == id; lo++, n++)
		if (n < max) {
			const struct py_fn *c = &ix->fns[p->edges[lo].caller];
			if (fns)
				fns[n] = c;
			if (sites)
				sites[n] = &c->calls[p->edges[lo].site];
		}
	return n;
}

size_t py_index_injects(struct py_index *ix, const char *cls, const struct py_inject **out, size_t max)
{
	size_t i, n = 0;
	if (!ix)
		return 0;
	ensure_sorted(ix);
	for (i = 0; i < ix->ninjects; i++)
		if (!strcmp(ix->injects[i].cls, cls)) {
			if (n < max && out)
				out[n] = &ix->injects[i];
			n++;
		}
	return n;
}

const struct py_model *py_index_model(struct py_index *ix, const char *cls)
{
	struct py_model key;
	if (!ix || !cls)
		return NULL;
	ensure_sorted(ix);
	key.cls = (char *)cls;
	return ix->nmodels ? bsearch(&key, ix->models, ix->nmodels, sizeof(key), cmp_model) : NULL;
}

const struct py_fn *py_index_fn(struct py_index *ix, const char *cls, const char *name)
{
	size_t end, i;
	const struct py_fn *hit = NULL;
	int n = 0;
	if (!ix)
		return NULL;
	ensure_sorted(ix);
	if (!ix->fn_by_name)
		return NULL;
	for (i = fns_named(ix, name, &end); i < end; i++) {
		const struct py_fn *f = &ix->fns[ix->fn_by_name[i]];
		if (cls && strcmp(cls, "*")) {
			if (f->cls && !strcmp(f->cls, cls))
				return f;
			continue;
		}
		if (!cls && f->cls)
			continue;
		hit = f;
		n++;
	}
	return n == 1 ? hit : NULL;
}

/* 1 when a model has a column named attr (the index is sorted). */
static int has_col(const struct py_index *ix, const char *attr)
{
	size_t lo = 0, hi = ix->ncols;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(strrchr(ix->cols[mid], '.') + 1, attr);
		if (r == 0)
			return 1;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

enum py_lazy py_index_rel(struct py_index *ix, const char *cls, const char *attr, const char **target)
{
	size_t i;
	enum py_lazy found = PL_NONE;
	const char *tg = NULL;
	size_t lo = 0, hi;
	if (target)
		*target = NULL;
	if (!ix)
		return PL_NONE;
	ensure_sorted(ix);
	hi = ix->nrels;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix->rels[mid].attr, attr) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < ix->nrels && !strcmp(ix->rels[i].attr, attr); i++) {
		const struct py_rel *r = &ix->rels[i];
		if (cls && strcmp(r->cls, cls))
			continue;
		if (found != PL_NONE && found != (enum py_lazy)r->lazy)
			return PL_NONE;
		if (found != PL_NONE && tg && r->target && strcmp(tg, r->target))
			tg = NULL;
		else if (found == PL_NONE)
			tg = r->target;
		found = (enum py_lazy)r->lazy;
	}
	if (found == PL_NONE || (!cls && has_col(ix, attr)))
		return PL_NONE;
	if (target)
		*target = tg;
	return found;
}
