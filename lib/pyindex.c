/*
 * pyindex: relationships, columns and defs of the whole project.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pyindex.h"
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

struct py_index *py_index_new(void)
{
	return calloc(1, sizeof(struct py_index));
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
	for (i = 0; i < ix->nfns; i++) {
		free(ix->fns[i].cls);
		free(ix->fns[i].name);
		free(ix->fns[i].path);
		free(ix->fns[i].net);
		free(ix->fns[i].eager);
	}
	free(ix->rels);
	free(ix->cols);
	free(ix->fns);
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

static int index_classes(struct py_index *ix, const struct py_outline *ol)
{
	size_t s;
	for (s = 0; s < ol->nstmts; s++) {
		int blk = ol->stmts[s].block;
		if (blk < 0 || ol->blocks[blk].kind != PB_CLASS || !ol->blocks[blk].name)
			continue;
		if (class_stmt(ix, ol, ol->blocks[blk].name, (int)s) < 0)
			return -1;
	}
	return 0;
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

static int index_defs(struct py_index *ix, const char *path, const struct py_outline *ol,
		      const json_t *context)
{
	struct py_binds b;
	size_t i, ci;
	if (py_binds_build(&b, ol, context) < 0)
		return -1;
	for (i = 0; i < ol->nblocks; i++) {
		const struct py_block *d = &ol->blocks[i];
		struct py_fn *fn;
		char net[160] = "", eager[1024] = " ";
		int cls = d->parent;
		if (d->kind != PB_DEF || !d->name)
			continue;
		for (ci = py_first_call_from(ol, d->hdr_begin); ci < ol->ncalls; ci++) {
			const struct py_call *c = &ol->calls[ci];
			if (c->lparen >= d->body_end)
				break;
			if (c->func == (int)i && !net[0] && py_call_is_network(&b, ci, net, sizeof(net)) == 0)
				net[0] = '\0';
			if (!c->is_ref && name_in(c->name, eager_fns))
				eager_attrs(ol, c, eager, sizeof(eager));
		}
		if (grow((void **)&ix->fns, &ix->capfns, ix->nfns, sizeof(*fn))) {
			py_binds_free(&b);
			return -1;
		}
		fn = &ix->fns[ix->nfns];
		memset(fn, 0, sizeof(*fn));
		fn->cls = cls >= 0 && ol->blocks[cls].kind == PB_CLASS ? dup0(ol->blocks[cls].name) : NULL;
		fn->name = dup0(d->name);
		fn->path = dup0(path);
		fn->line = d->line;
		fn->net = net[0] ? dup0(net) : NULL;
		fn->eager = eager[1] ? dup0(eager) : NULL;
		ix->nfns++;
		if (!fn->name || !fn->path) {
			py_binds_free(&b);
			return -1;
		}
	}
	py_binds_free(&b);
	ix->sorted = 0;
	return 0;
}

int py_index_add(struct py_index *ix, const char *path, const struct py_outline *ol, const json_t *context)
{
	if (index_classes(ix, ol) < 0)
		return -1;
	return index_defs(ix, path, ol, context);
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
		if (!rel || !role || !lang || strcmp(role, "source") || strcmp(lang, "python"))
			continue;
		n = strlen(root ? root : ".") + strlen(rel) + 2;
		full = malloc(n);
		if (!full)
			return -1;
		snprintf(full, n, "%s/%s", root ? root : ".", rel);
		rc = add_file(ix, full, rel, context);
		free(full);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ---- lookups */

static int cmp_fn(const void *x, const void *y)
{
	const struct py_fn *a = x, *b = y;
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

static void ensure_sorted(struct py_index *ix)
{
	if (ix->sorted)
		return;
	if (ix->nfns)
		qsort(ix->fns, ix->nfns, sizeof(*ix->fns), cmp_fn);
	if (ix->nrels)
		qsort(ix->rels, ix->nrels, sizeof(*ix->rels), cmp_rel);
	if (ix->ncols)
		qsort(ix->cols, ix->ncols, sizeof(*ix->cols), cmp_col);
	ix->sorted = 1;
}

const struct py_fn *py_index_fn(struct py_index *ix, const char *cls, const char *name)
{
	size_t lo = 0, hi, i;
	const struct py_fn *hit = NULL;
	int n = 0;
	if (!ix)
		return NULL;
	ensure_sorted(ix);
	hi = ix->nfns;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix->fns[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < ix->nfns && !strcmp(ix->fns[i].name, name); i++) {
		const struct py_fn *f = &ix->fns[i];
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
