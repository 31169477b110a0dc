/*
 * goindex: see goindex.h.  This file reads the files and resolves names
 * and calls; goindex_fetch.c finds the loads by key, goindex_cache.c the
 * per-instance caches; goindex_p.h is what they share.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "goindex.h"
#include "goindex_p.h"
#include "go/go.h"
#include "godb.h"
#include "srcfile.h"

struct go_index *go_index_new(void)
{
	return calloc(1, sizeof(struct go_index));
}

static void file_free(struct gfile *f)
{
	size_t i;
	go_db_free(f->db);
	go_types_free(f->gt);
	py_outline_free(&f->ol);
	py_toks_free(&f->toks);
	srcfile_free(&f->sf);
	for (i = 0; i < f->nimp; i++) {
		free(f->imp_alias[i]);
		free(f->imp_path[i]);
	}
	free(f->imp_alias);
	free(f->imp_path);
	free(f->imp_dir);
	free(f->path);
	free(f->dir);
}

void go_index_free(struct go_index *ix)
{
	size_t i;
	if (!ix)
		return;
	for (i = 0; i < ix->nfiles; i++) {
		file_free(ix->files[i]);
		free(ix->files[i]);
	}
	for (i = 0; i < ix->nkeys; i++)
		free(ix->ctxkeys[i]);
	free(ix->ctxkeys);
	free(ix->module);
	free(ix->files);
	free(ix->fns);
	free(ix);
}

/* lower case without underscores: zone_id and ZoneID compare equal */
static void norm(char *out, size_t n, const char *s, size_t len)
{
	size_t o = 0, i;
	for (i = 0; i < len && s[i] && o + 1 < n; i++)
		if (s[i] != '_')
			out[o++] = (char)tolower((unsigned char)s[i]);
	out[o] = '\0';
}

static int add_key(struct go_index *ix, const char *s, size_t len)
{
	char k[64];
	size_t i;
	norm(k, sizeof(k), s, len);
	for (i = 0; i < ix->nkeys; i++)
		if (!strcmp(ix->ctxkeys[i], k))
			return 0;
	if (ix->nkeys == ix->kcap) {
		size_t nc = ix->kcap ? ix->kcap * 2 : 16;
		char **p = realloc(ix->ctxkeys, nc * sizeof(*p));
		if (!p)
			return -1;
		ix->ctxkeys = p;
		ix->kcap = nc;
	}
	if (!(ix->ctxkeys[ix->nkeys] = strdup(k)))
		return -1;
	ix->nkeys++;
	return 0;
}

static int add_import(struct gfile *f, const char *alias, size_t alen, const char *path, size_t plen)
{
	char **a = realloc(f->imp_alias, (f->nimp + 1) * sizeof(*a));
	char **p;
	if (!a)
		return -1;
	f->imp_alias = a;
	p = realloc(f->imp_path, (f->nimp + 1) * sizeof(*p));
	if (!p)
		return -1;
	f->imp_path = p;
	if (!(a[f->nimp] = strndup(alias, alen)))
		return -1;
	if (!(p[f->nimp] = strndup(path, plen))) {
		free(a[f->nimp]);
		return -1;
	}
	f->nimp++;
	return 0;
}

/* import "x/y" / import ( a "x/y" ... ) at the top of the file */
static int read_imports(struct gfile *f)
{
	const struct py_toks *t = &f->toks;
	uint32_t i;
	for (i = 0; i < t->n; i++) {
		uint32_t j, end;
		if (!py_tok_is(t, i, "import"))
			continue;
		j = i + 1;
		end = j + 1;
		if (py_tok_is(t, j, "(")) {
			for (end = j + 1; end < t->n && !py_tok_is(t, end, ")"); end++)
				;
			j++;
		}
		for (; j < end && j < t->n; j++) {
			const char *s = t->src + t->v[j].off, *al, *sl;
			size_t n = t->v[j].len, alen;
			if (t->v[j].kind != PT_STRING || n < 2)
				continue;
			s++;
			n -= 2;
			if (j > 0 && tok_name(t, j - 1) && !py_tok_is(t, j - 1, "import")) {
				al = t->src + t->v[j - 1].off;
				alen = t->v[j - 1].len;
			} else {
				sl = memrchr(s, '/', n);
				al = sl ? sl + 1 : s;
				alen = (size_t)(s + n - al);
			}
			if (add_import(f, al, alen, s, n) < 0)
				return -1;
		}
		i = end;
	}
	return 0;
}

static int add_file(struct go_index *ix, const char *path, struct srcfile *sf)
{
	struct gfile *f;
	const char *sl;
	size_t b;
	if (ix->nfiles == ix->cap) {
		size_t nc = ix->cap ? ix->cap * 2 : 32;
		struct gfile **p = realloc(ix->files, nc * sizeof(*p));
		if (!p)
			return -1;
		ix->files = p;
		ix->cap = nc;
	}
	if (!(f = calloc(1, sizeof(*f))))
		return -1;
	f->sf = *sf;
	memset(sf, 0, sizeof(*sf));
	f->path = strdup(path);
	sl = strrchr(path, '/');
	f->dir = sl ? strndup(path, (size_t)(sl - path)) : strdup("");
	if (!f->path || !f->dir || go_tokenize(&f->toks, f->sf.text, f->sf.len) < 0 ||
	    go_outline_build(&f->ol, &f->toks) < 0 || !(f->gt = go_types_new(&f->ol)) ||
	    !(f->db = go_db_new(&f->ol, f->gt)) || read_imports(f) < 0) {
		file_free(f);
		free(f);
		return -1;
	}
	ix->files[ix->nfiles++] = f;
	for (b = 0; b < f->ol.nblocks; b++) {
		const struct py_block *d = &f->ol.blocks[b];
		if (d->kind != PB_DEF || !d->name || d->parent > 0 ||
		    (d->parent == 0 && f->ol.blocks[0].kind != PB_MODULE))
			continue;
		if (ix->nfns == ix->fcap) {
			size_t nc = ix->fcap ? ix->fcap * 2 : 64;
			struct gfn *p = realloc(ix->fns, nc * sizeof(*p));
			if (!p)
				return -1;
			ix->fns = p;
			ix->fcap = nc;
		}
		memset(&ix->fns[ix->nfns], 0, sizeof(ix->fns[0]));
		ix->fns[ix->nfns].file = (int)(ix->nfiles - 1);
		ix->fns[ix->nfns].def = (int)b;
		ix->fns[ix->nfns].dir = f->dir;
		ix->fns[ix->nfns].name = d->name;
		ix->fns[ix->nfns].recv = d->recv;
		ix->nfns++;
	}
	/* c.Set("key", v): what the request context carries */
	for (b = 0; b < f->ol.ncalls; b++) {
		const struct py_call *c = &f->ol.calls[b];
		uint32_t a = c->lparen + 1;
		if (c->is_ref || !c->name || strcmp(c->name, "Set") || !strchr(c->callee, '.') ||
		    a >= f->toks.n || f->toks.v[a].kind != PT_STRING || !py_tok_is(&f->toks, a + 1, ","))
			continue;
		if (f->toks.v[a].len > 2 &&
		    add_key(ix, f->toks.src + f->toks.v[a].off + 1, f->toks.v[a].len - 2) < 0)
			return -1;
	}
	ix->sorted = 0;
	return 0;
}

struct gfile *gix_file(const struct go_index *ix, const char *path)
{
	size_t i;
	for (i = 0; i < ix->nfiles; i++)
		if (!strcmp(ix->files[i]->path, path))
			return ix->files[i];
	return NULL;
}

int go_index_add_context(struct go_index *ix, const json_t *context)
{
	const char *root = json_string_value(json_object_get(context, "codebase_root"));
	const json_t *files = json_object_get(context, "files");
	size_t i;
	json_t *f;
	char gomod[4096];
	struct srcfile mf;
	/* "module example.org/app": imports are project packages only under it */
	if (snprintf(gomod, sizeof(gomod), "%s/go.mod", root ? root : ".") < (int)sizeof(gomod) &&
	    !ix->module && srcfile_load(&mf, gomod, 0, NULL, NULL) == SRC_OK) {
		const char *m = strstr(mf.text, "module ");
		if (m && (m == mf.text || m[-1] == '\n')) {
			size_t n;
			m += 7;
			while (*m == ' ' || *m == '\t')
				m++;
			n = strcspn(m, " \t\r\n\"");
			if (n && !(ix->module = strndup(m, n))) {
				srcfile_free(&mf);
				return -1;
			}
		}
		srcfile_free(&mf);
	}
	json_array_foreach (files, i, f) {
		const char *rel = json_string_value(json_object_get(f, "path"));
		const char *role = json_string_value(json_object_get(f, "role"));
		const char *lang = json_string_value(json_object_get(f, "language"));
		char full[4096];
		struct srcfile sf;
		size_t n;
		if (!rel || !role || strcmp(role, "source") || !lang || strcmp(lang, "go"))
			continue;
		n = strlen(rel);
		if (n >= 8 && !strcmp(rel + n - 8, "_test.go"))
			continue;
		if (gix_file(ix, rel))
			continue;
		if (snprintf(full, sizeof(full), "%s/%s", root ? root : ".", rel) >= (int)sizeof(full))
			continue;
		if (srcfile_load(&sf, full, 0, NULL, NULL) != SRC_OK)
			continue;
		if (add_file(ix, rel, &sf) < 0) {
			srcfile_free(&sf);
			return -1;
		}
		srcfile_free(&sf);
	}
	return 0;
}

int go_index_add(struct go_index *ix, const char *path, const struct py_outline *ol, const json_t *context)
{
	struct srcfile sf;
	int rc;
	(void)context;
	if (gix_file(ix, path))
		return 0;
	if (srcfile_from_buffer(&sf, path, ol->toks->src, ol->toks->srclen) < 0)
		return -1;
	rc = add_file(ix, path, &sf);
	srcfile_free(&sf);
	return rc;
}

/* ---- lookups ---- */

static int fn_cmp3(const char *d1, const char *r1, const char *n1, const char *d2, const char *r2,
		   const char *n2)
{
	int c = strcmp(d1, d2);
	if (c)
		return c;
	if ((c = strcmp(r1 ? r1 : "", r2 ? r2 : "")))
		return c;
	return strcmp(n1, n2);
}

static int fn_cmp(const void *a, const void *b)
{
	const struct gfn *x = a, *y = b;
	return fn_cmp3(x->dir, x->recv, x->name, y->dir, y->recv, y->name);
}

void gix_ensure_sorted(struct go_index *ix)
{
	if (ix->sorted)
		return;
	if (ix->nfns) /* fns is NULL then, and qsort's pointer must not be */
		qsort(ix->fns, ix->nfns, sizeof(ix->fns[0]), fn_cmp);
	ix->sorted = 1;
}

static struct gfn *find_fn(struct go_index *ix, const char *dir, const char *recv, const char *name)
{
	size_t lo = 0, hi = ix->nfns;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct gfn *g = &ix->fns[mid];
		int c = fn_cmp3(ix->files[g->file]->dir, g->recv, g->name, dir, recv, name);
		if (!c)
			return &ix->fns[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* project directory of import alias al of file f, or NULL; the
 * imports of a file are matched with the project's directories once */
const char *gix_alias_dir(const struct go_index *ix, const struct gfile *cf, const char *al, size_t alen)
{
	struct gfile *f = (struct gfile *)cf;
	size_t i, k;
	if (!f->dirs_done) {
		f->dirs_done = 1;
		if (f->nimp && !(f->imp_dir = calloc(f->nimp, sizeof(*f->imp_dir))))
			return NULL;
		for (i = 0; i < f->nimp; i++) {
			const char *p = f->imp_path[i];
			size_t pl = strlen(p);
			for (k = 0; k < ix->nfiles; k++) {
				const char *d = ix->files[k]->dir;
				size_t dl = strlen(d);
				size_t ml = ix->module ? strlen(ix->module) : 0;
				if (ix->module &&
				    !(pl == ml + 1 + dl && !strncmp(p, ix->module, ml) && p[ml] == '/'))
					continue;
				if (dl && pl >= dl && !strcmp(p + pl - dl, d) &&
				    (pl == dl || p[pl - dl - 1] == '/')) {
					f->imp_dir[i] = d;
					break;
				}
			}
		}
	}
	if (!f->imp_dir)
		return NULL;
	for (i = 0; i < f->nimp; i++)
		if (strlen(f->imp_alias[i]) == alen && !memcmp(f->imp_alias[i], al, alen))
			return f->imp_dir[i];
	return NULL;
}

/* splits a type text "store.Store" / "*Handler" of file f into its package directory and name */
int gix_resolve_type(const struct go_index *ix, const struct gfile *f, const char *ty, const char **dir,
		     const char **name)
{
	const char *dot;
	while (*ty == '*' || *ty == '&')
		ty++;
	if (!*ty || *ty == '[' || !strncmp(ty, "map", 3))
		return 0;
	dot = strchr(ty, '.');
	if (!dot) {
		*dir = f->dir;
		*name = ty;
		return 1;
	}
	*dir = gix_alias_dir(ix, f, ty, (size_t)(dot - ty));
	*name = dot + 1;
	return *dir != NULL;
}

/* the file declaring struct type name in dir, with its fields */
int gix_struct_fields(const struct go_index *ix, const char *dir, const char *name, struct go_field *out,
		      int max)
{
	size_t k;
	for (k = 0; k < ix->nfiles; k++) {
		int n;
		if (strcmp(ix->files[k]->dir, dir))
			continue;
		if ((n = go_types_fields(ix->files[k]->gt, name, out, max)) > 0)
			return n;
	}
	return 0;
}

/* the result type text of function g (first result), or "" */
void gix_fn_result(const struct go_index *ix, const struct gfn *g, char *out, size_t n)
{
	const struct gfile *f = ix->files[g->file];
	const struct py_toks *t = &f->toks;
	const struct py_block *d = &f->ol.blocks[g->def];
	uint32_t i = d->hdr_begin, o = 0;
	int groups = 0;
	out[0] = '\0';
	/* skip the receiver group (methods) and the parameter group */
	for (; i < d->body_begin && i < t->n; i++) {
		if (py_tok_is(t, i, "(") && t->v[i].depth == t->v[d->hdr_begin].depth) {
			uint16_t dep = t->v[i].depth;
			for (i++; i < t->n && !(py_tok_is(t, i, ")") && t->v[i].depth == dep); i++)
				;
			if (++groups == (d->recv ? 2 : 1)) {
				i++;
				break;
			}
		}
	}
	if (py_tok_is(t, i, "("))
		i++;
	for (; i < d->body_begin && i < t->n && !py_tok_is(t, i, "{") && !py_tok_is(t, i, ",") &&
	       !py_tok_is(t, i, ")");
	     i++) {
		if (py_tok_is(t, i, "*"))
			continue;
		o += (uint32_t)snprintf(out + o, n > o ? n - o : 0, "%.*s", (int)t->v[i].len,
					t->src + t->v[i].off);
		if (o >= n)
			break;
	}
}

/* the project function call ci of file f resolves to, or NULL */
static uint32_t assigned_from(const struct gfile *f, int def, uint32_t before, const char *k, size_t kl);

/* the type of name, assigned from a call of a project function before
 * token before in def (x := NewThing(db)): its result type, written to
 * out and relative to *tf, the file of that function; NULL when unknown */
static const char *ctor_type(struct go_index *ix, const struct gfile *f, int def, uint32_t before,
			     const char *name, char *out, size_t n, const struct gfile **tf)
{
	uint32_t rhs;
	size_t j;
	if (def < 0 || !(rhs = assigned_from(f, def, before, name, strlen(name))))
		return NULL;
	for (j = 0; j < f->ol.ncalls; j++)
		if (f->ol.calls[j].name_begin == rhs && f->ol.calls[j].func == def) {
			struct gfn *h = gix_resolve_call(ix, f, (int)j);
			if (!h)
				return NULL;
			gix_fn_result(ix, h, out, n);
			*tf = ix->files[h->file];
			return out[0] ? out : NULL;
		}
	return NULL;
}

/* the struct declaring field fld of type dir/name: its type text and the
 * file it is relative to */
static const char *field_type(const struct go_index *ix, const char *dir, const char *name, const char *fld,
			      const struct gfile **tf)
{
	size_t k;
	struct go_field fl[64];
	for (k = 0; k < ix->nfiles; k++) {
		int n, i;
		if (strcmp(ix->files[k]->dir, dir) ||
		    (n = go_types_fields(ix->files[k]->gt, name, fl, 64)) <= 0)
			continue;
		for (i = 0; i < n && i < 64; i++)
			if (!strcmp(fl[i].name, fld)) {
				*tf = ix->files[k];
				return fl[i].type;
			}
		return NULL;
	}
	return NULL;
}

/* the project function call ci of file f resolves to, or NULL */
struct gfn *gix_resolve_call(struct go_index *ix, const struct gfile *f, int ci)
{
	const struct py_call *c = &f->ol.calls[ci];
	const char *dot, *first, *dir, *tn, *rt;
	const struct gfile *tf = f;
	char buf[160], tmp[128];
	if (c->is_ref || !c->callee[0] || strstr(c->callee, "()"))
		return NULL;
	dot = strrchr(c->callee, '.');
	if (!dot)
		return find_fn(ix, f->dir, NULL, c->callee);
	first = strchr(c->callee, '.');
	snprintf(buf, sizeof(buf), "%.*s", (int)(first - c->callee), c->callee);
	if (first == dot) {
		const char *d2;
		rt = go_types_of(f->gt, c->block, c->name_begin, buf);
		/* pkg.Func of an imported project package */
		if (!rt && (d2 = gix_alias_dir(ix, f, buf, strlen(buf))))
			return find_fn(ix, d2, NULL, dot + 1);
		if (!rt)
			rt = go_types_recv(f->gt, ci);
		if (!rt)
			rt = ctor_type(ix, f, c->func, c->name_begin, buf, tmp, sizeof(tmp), &tf);
	} else {
		rt = go_types_recv(f->gt, ci);
		/* h.store.Get() with Handler declared in another file of the package */
		if (!rt && strchr(first + 1, '.') == dot) {
			const char *bt = go_types_of(f->gt, c->block, c->name_begin, buf), *bd, *bn;
			char fld[96];
			snprintf(fld, sizeof(fld), "%.*s", (int)(dot - first - 1), first + 1);
			if (bt && gix_resolve_type(ix, f, bt, &bd, &bn))
				rt = field_type(ix, bd, bn, fld, &tf);
		}
	}
	if (!rt || !gix_resolve_type(ix, tf, rt, &dir, &tn))
		return NULL;
	return find_fn(ix, dir, tn, dot + 1);
}

/* 1 when every field in fl is a field of struct type ty */
static int struct_holds(const struct go_index *ix, const struct gfile *f, const char *ty,
			const struct go_fetch *fb, char *which, size_t wn)
{
	const char *dir, *name;
	struct go_field fl[64];
	int n, i, k;
	if (!ty || !gix_resolve_type(ix, f, ty, &dir, &name) ||
	    (n = gix_struct_fields(ix, dir, name, fl, 64)) <= 0)
		return 0;
	if (n > 64)
		n = 64;
	if (fb->nfields < 1 || fb->nfields > 2)
		return 0;
	which[0] = '\0';
	for (k = 0; k < fb->nfields; k++) {
		char a[64], b[64];
		int hit = 0;
		norm(a, sizeof(a), fb->fields[k], strlen(fb->fields[k]));
		for (i = 0; i < n && !hit; i++) {
			norm(b, sizeof(b), fl[i].name, strlen(fl[i].name));
			if (!strcmp(a, b)) {
				hit = 1;
				snprintf(which + strlen(which), wn - strlen(which), "%s%s.%s", k ? ", " : "",
					 name, fl[i].name);
			}
		}
		if (!hit)
			return 0;
	}
	return 1;
}

/* the statement "K := rhs" / "K = rhs" of def before token before; first token of rhs or 0 */
static uint32_t assigned_from(const struct gfile *f, int def, uint32_t before, const char *k, size_t kl)
{
	const struct py_toks *t = &f->toks;
	const struct py_block *d = &f->ol.blocks[def];
	uint32_t i, found = 0;
	for (i = d->body_begin; i + 2 < before; i++)
		if (tok_eqn(t, i, k, kl) && (py_tok_is(t, i + 1, ":=") || py_tok_is(t, i + 1, "=")) &&
		    !py_tok_is(t, i - 1, ".") && !py_tok_is(t, i - 1, ","))
			found = i + 2;
	return found;
}

/* 1 when def decodes client input into v (c.ShouldBindJSON(&v),
 * json.NewDecoder(r.Body).Decode(&v), json.Unmarshal(b, &v)): values the
 * client chose are no substitute for the stored row */
static int client_input(const struct gfile *f, int def, const char *v)
{
	const struct py_block *d = &f->ol.blocks[def];
	size_t ci, vl = strlen(v);
	for (ci = 0; ci < f->ol.ncalls; ci++) {
		const struct py_call *c = &f->ol.calls[ci];
		uint32_t i;
		if (c->func != def || !c->name || c->name_begin < d->body_begin ||
		    !(strstr(c->name, "Bind") || strstr(c->name, "Decode") || strstr(c->name, "Unmarshal")))
			continue;
		for (i = c->lparen + 1; i + 1 < c->rparen; i++)
			if (py_tok_is(&f->toks, i, "&") && tok_eqn(&f->toks, i + 1, v, vl))
				return 1;
	}
	return 0;
}

void go_index_refetch_each(struct go_index *ix, const char *path, go_refetch_fn fn, void *arg)
{
	size_t ci;
	struct gfile *f = NULL;
	if (!ix)
		return;
	gix_ensure_sorted(ix);
	if (!(f = gix_file(ix, path)))
		return;
	for (ci = 0; ci < f->ol.ncalls; ci++) {
		const struct py_call *c = &f->ol.calls[ci];
		const struct py_toks *t = &f->toks;
		struct gfn *g;
		const struct go_fetch *fb;
		struct gfile *gf;
		uint32_t ab[GIX_MAXARGS], ae[GIX_MAXARGS];
		int na, a;
		struct go_refetch r;
		uint32_t at, an;
		size_t k;
		if (c->func < 0 || c->go_stmt || c->is_ref)
			continue;
		g = gix_resolve_call(ix, f, (int)ci);
		if (!g || !(fb = gix_callee_fetch(ix, g)))
			continue;
		gf = ix->files[g->file];
		if (gf == f && g->def == c->func)
			continue;
		na = gix_call_args(t, c, ab, ae);
		if (fb->key_param >= na)
			continue;
		memset(&r, 0, sizeof(r));
		a = c->func;
		r.caller_def = a;
		r.caller = f->ol.blocks[a].name ? f->ol.blocks[a].name : "(func literal)";
		r.callee = g->name;
		r.callee_recv = g->recv;
		r.callee_path = gf->path;
		r.callee_snippet = gf->sf.text;
		r.callee_handler = gf->ol.blocks[g->def].handler;
		r.call_line = c->line;
		r.fetch = fb;
		r.callee_param = gf->ol.blocks[g->def].params[fb->key_param];
		at = ab[fb->key_param];
		an = ae[fb->key_param] - at;
		snprintf(r.arg, sizeof(r.arg), "%.*s",
			 (int)(t->v[ae[fb->key_param] - 1].off + t->v[ae[fb->key_param] - 1].len -
			       t->v[at].off),
			 t->src + t->v[at].off);
		/* the caller's own loads */
		for (k = 0; k < f->ol.ncalls && r.how == GH_NONE; k++) {
			struct go_fetch fa;
			const struct py_call *c2 = &f->ol.calls[k];
			if (c2->func != a || c2->line >= c->line || k == ci ||
			    !gix_fetch_of_call(ix, f, a, (int)k, &fa, 0))
				continue;
			if (strcmp(fa.model, fb->model) || fa.column_lookup)
				continue;
			if ((an == 3 && tok_eqn(t, at, fa.holder, strlen(fa.holder)) &&
			     py_tok_is(t, at + 1, ".") &&
			     (py_tok_is(t, at + 2, "ID") || py_tok_is(t, at + 2, "Id"))) ||
			    (an == 1 && fa.key[0] && tok_eqn(t, at, fa.key, strlen(fa.key)))) {
				uint32_t i;
				r.how = GH_FETCHED;
				snprintf(r.holder, sizeof(r.holder), "%s", fa.holder);
				r.held_line = fa.line;
				/* changed between its load and the call */
				for (i = fa.tok; i + 3 < c->name_begin; i++)
					if (tok_eqn(t, i, fa.holder, strlen(fa.holder)) &&
					    py_tok_is(t, i + 1, ".") && is_assign_op(t, i + 3))
						r.changed = 1;
			}
		}
		if (r.how == GH_NONE && an == 3 && tok_name(t, at) && py_tok_is(t, at + 1, ".") &&
		    tok_name(t, at + 2)) {
			char v[64], model[96], which[200], rt[128];
			const char *ty;
			const struct gfile *tyf = f;
			tok_copy(v, sizeof(v), t, at);
			ty = go_types_of(f->gt, c->block, c->name_begin, v);
			/* c := ClaimsFrom(ctx): the result type of a project function, relative to its file */
			if (!ty)
				ty = ctor_type(ix, f, a, c->name_begin, v, rt, sizeof(rt), &tyf);
			if (ty && !client_input(f, a, v) &&
			    gix_is_project_struct(ix, tyf, ty, model, sizeof(model))) {
				if (!strcmp(model, fb->model) &&
				    (py_tok_is(t, at + 2, "ID") || py_tok_is(t, at + 2, "Id")) &&
				    gix_param_index(&f->ol, a, t, at) >= 0) {
					r.how = GH_MODEL_PARAM;
					snprintf(r.holder, sizeof(r.holder), "%s", v);
				} else if (strcmp(model, fb->model) &&
					   struct_holds(ix, tyf, ty, fb, which, sizeof(which))) {
					r.how = GH_STRUCT_FIELDS;
					snprintf(r.holder, sizeof(r.holder), "%.60s (%.60s)", v, which);
				}
			}
		}
		if (r.how == GH_NONE && an == 1 && tok_name(t, at) && fb->nfields >= 1 && fb->nfields <= 2) {
			char v[64];
			uint32_t rhs;
			tok_copy(v, sizeof(v), t, at);
			rhs = assigned_from(f, a, c->name_begin, v, strlen(v));
			/* studentID := c.GetUint("studentID"): the request context, filled with the fields too */
			if (rhs && tok_name(t, rhs) && py_tok_is(t, rhs + 1, ".") && tok_name(t, rhs + 2) &&
			    (!strncmp(py_tok_text(t, rhs + 2), "Get", 3) ||
			     py_tok_is(t, rhs + 2, "MustGet")) &&
			    py_tok_is(t, rhs + 3, "(") && t->v[rhs + 4].kind == PT_STRING) {
				int all = 1, q;
				for (q = 0; q < fb->nfields && all; q++) {
					char nk[64];
					size_t j;
					int hit = 0;
					norm(nk, sizeof(nk), fb->fields[q], strlen(fb->fields[q]));
					for (j = 0; j < ix->nkeys; j++)
						if (!strcmp(ix->ctxkeys[j], nk))
							hit = 1;
					all = hit;
				}
				if (all) {
					r.how = GH_CONTEXT_KEYS;
					snprintf(r.holder, sizeof(r.holder), "the request context (%.*s)",
						 (int)(t->v[rhs + 5].off + t->v[rhs + 5].len - t->v[rhs].off),
						 t->src + t->v[rhs].off);
				}
			}
		}
		if (r.how != GH_NONE)
			fn(arg, &r);
	}
}
