/*
 * goindex_fetch: the loads of one entity by key that the Go project index
 * finds in a function (struct go_fetch, see goindex.h), and what the
 * function does with the row afterwards.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "goindex_p.h"

/* top-level argument token ranges of call c: returns their number */
int gix_call_args(const struct py_toks *t, const struct py_call *c, uint32_t *b, uint32_t *e)
{
	uint32_t i;
	int n = 0;
	uint16_t dep;
	if (c->rparen <= c->lparen + 1)
		return 0;
	dep = (uint16_t)(t->v[c->lparen].depth + 1);
	b[0] = c->lparen + 1;
	for (i = c->lparen + 1; i < c->rparen; i++)
		if (py_tok_is(t, i, ",") && t->v[i].depth == dep) {
			e[n++] = i;
			if (n >= GIX_MAXARGS)
				return n;
			b[n] = i + 1;
		}
	e[n++] = c->rparen;
	return n;
}

int gix_param_index(const struct py_outline *ol, int def, const struct py_toks *t, uint32_t i)
{
	const struct py_block *d = &ol->blocks[def];
	unsigned k;
	for (k = 0; k < d->nparams; k++)
		if (tok_eqn(t, i, d->params[k], strlen(d->params[k])))
			return (int)k;
	return -1;
}

/* "WHERE id = $1" / "where t.id = ?": a load by primary key */
int gix_sql_by_id(const char *s)
{
	const char *w = s;
	while ((w = strcasestr(w, "where "))) {
		const char *p = w + 6, *q;
		while (*p == ' ')
			p++;
		q = p;
		while (isalnum((unsigned char)*q) || *q == '_')
			q++;
		if (*q == '.') {
			p = q + 1;
			q = p;
			while (isalnum((unsigned char)*q) || *q == '_')
				q++;
		}
		if (q - p == 2 && !strncasecmp(p, "id", 2)) {
			while (*q == ' ')
				q++;
			if (*q == '=') {
				q++;
				while (*q == ' ')
					q++;
				if (*q == '$' || *q == '?')
					return 1;
			}
		}
		w += 6;
	}
	return 0;
}

/* columns of "SELECT a, t.b FROM tbl ..." and the table */
static int sql_columns(const char *s, char cols[][64], int max, char *table, size_t tn)
{
	const char *p, *from;
	int n = 0;
	if (strncasecmp(s, "select ", 7) || !(from = strcasestr(s, " from ")))
		return 0;
	p = s + 7;
	while (p < from && n < max) {
		const char *e = p, *st;
		while (e < from && *e != ',')
			e++;
		st = e;
		while (st > p && (st[-1] == ' '))
			st--;
		{
			const char *b = p;
			const char *dd;
			while (*b == ' ')
				b++;
			dd = memchr(b, '.', (size_t)(st - b));
			if (dd)
				b = dd + 1;
			if (st > b && !memchr(b, '(', (size_t)(st - b)) &&
			    !memchr(b, ' ', (size_t)(st - b)) && *b != '*')
				snprintf(cols[n++], 64, "%.*s", (int)(st - b), b);
			else
				return 0;
		}
		p = e + 1;
	}
	from += 6;
	while (*from == ' ')
		from++;
	{
		const char *e = from;
		while (isalnum((unsigned char)*e) || *e == '_' || *e == '.')
			e++;
		snprintf(table, tn, "%.*s", (int)(e - from), from);
	}
	return n;
}

static void add_field(struct go_fetch *x, const struct py_toks *t, uint32_t i)
{
	int k;
	char buf[64];
	tok_copy(buf, sizeof(buf), t, i);
	for (k = 0; k < x->nfields && k < GO_NFIELDS; k++)
		if (!strcmp(x->fields[k], buf))
			return;
	if (x->nfields < GO_NFIELDS)
		snprintf(x->fields[x->nfields++], 64, "%s", buf);
	else
		x->nfields = GO_NFIELDS + 1;
}

/* what function def does with holder v from token from on */
static void holder_use(const struct gfile *f, int def, uint32_t from, struct go_fetch *x)
{
	const struct py_toks *t = &f->toks;
	const struct py_block *d = &f->ol.blocks[def];
	size_t hl = strlen(x->holder);
	uint32_t i;
	for (i = from; i < d->body_end && i < t->n; i++) {
		int st;
		if (!tok_eqn(t, i, x->holder, hl) || (i > 0 && py_tok_is(t, i - 1, ".")))
			continue;
		if (py_tok_is(t, i + 1, ".") && tok_name(t, i + 2)) {
			add_field(x, t, i + 2);
			if (i + 3 < t->n && is_assign_op(t, i + 3))
				x->mutated = 1;
			continue;
		}
		if (py_tok_is(t, i + 1, ":=") || (py_tok_is(t, i + 1, "=") && !py_tok_is(t, i - 1, ",")))
			break; /* rebound */
		st = py_outline_stmt_of_tok(&f->ol, i);
		if (st >= 0 && py_tok_is(t, f->ol.stmts[st].tok_begin, "return"))
			x->returned = 1;
		else
			x->escapes = 1;
	}
}

/* the holder of a scan in statement st outside call c: &p / &p.F targets */
static int scan_holder(const struct gfile *f, const struct py_call *c, struct go_fetch *x, char names[][64],
		       int *nn)
{
	const struct py_toks *t = &f->toks;
	const struct py_stmt *s = &f->ol.stmts[c->stmt];
	uint32_t i;
	int base = 0, plain = 0;
	*nn = 0;
	for (i = s->tok_begin; i + 1 < s->tok_end; i++) {
		if (i >= c->name_begin && i <= c->rparen)
			continue;
		if (!py_tok_is(t, i, "&") || !tok_name(t, i + 1))
			continue;
		if (py_tok_is(t, i + 2, ".")) {
			if (!base)
				tok_copy(x->holder, sizeof(x->holder), t, i + 1);
			base = 1;
		} else {
			if (*nn < 4)
				tok_copy(names[(*nn)++], 64, t, i + 1);
			plain++;
		}
	}
	if (base)
		return 1;
	return plain > 0 ? 2 : 0;
}

/* the SQL of an argument written as "SELECT " + cols + " FROM t WHERE id = $1": its strings joined */
static char *arg_sql(const struct gfile *f, uint32_t b, uint32_t e)
{
	size_t n = 1, o = 0;
	uint32_t i;
	char *out;
	for (i = b; i < e; i++)
		n += f->toks.v[i].len + 1;
	if (!(out = malloc(n)))
		return NULL;
	out[0] = '\0';
	for (i = b; i < e; i++) {
		char *s;
		if (f->toks.v[i].kind != PT_STRING || !(s = go_db_sql_text(&f->ol, (int)i)))
			continue;
		o += (size_t)snprintf(out + o, n - o, "%s%s", o ? " " : "", s);
		free(s);
	}
	return out;
}

int gix_is_project_struct(const struct go_index *ix, const struct gfile *f, const char *ty, char *model,
			  size_t n)
{
	const char *dir, *name;
	struct go_field fl[2];
	if (!ty || !gix_resolve_type(ix, f, ty, &dir, &name))
		return 0;
	if (gix_struct_fields(ix, dir, name, fl, 2) <= 0)
		return 0;
	snprintf(model, n, "%s", name);
	return 1;
}

/* the load of call ci in def, if it is one; key parameter required when need_param */
int gix_fetch_of_call(struct go_index *ix, struct gfile *f, int def, int ci, struct go_fetch *x,
		      int need_param)
{
	const struct py_toks *t = &f->toks;
	const struct py_call *c = &f->ol.calls[ci];
	struct go_dbcall dc;
	uint32_t ab[GIX_MAXARGS], ae[GIX_MAXARGS];
	int na, keyarg = -1, k;
	uint32_t keytok = 0;
	memset(x, 0, sizeof(*x));
	x->key_param = -1;
	if (c->is_ref)
		return 0;
	na = gix_call_args(t, c, ab, ae);
	if (go_db_call(f->db, ci, &dc) == GDB_READ) {
		if (dc.api == GAPI_GORM && c->name &&
		    (!strcmp(c->name, "First") || !strcmp(c->name, "Take"))) {
			uint32_t i;
			if (na < 1 || ae[0] - ab[0] != 2 || !py_tok_is(t, ab[0], "&") ||
			    !tok_name(t, ab[0] + 1))
				return 0;
			tok_copy(x->holder, sizeof(x->holder), t, ab[0] + 1);
			if (na == 2 && ae[1] - ab[1] == 1 && tok_name(t, ab[1]))
				keytok = ab[1];
			else if (na == 2)
				keytok = ab[1], keyarg = -2; /* an expression: the caller side only */
			else if (na == 1) {
				/* ...Where("id = ?", key).First(&v) */
				for (i = c->name_begin; i + 4 < c->lparen; i++)
					if (py_tok_is(t, i, "Where") && py_tok_is(t, i + 1, "(") &&
					    t->v[i + 2].kind == PT_STRING && py_tok_is(t, i + 3, ",") &&
					    tok_name(t, i + 4) && py_tok_is(t, i + 5, ")")) {
						char *sq = go_db_sql_text(&f->ol, (int)(i + 2));
						char w[300];
						if (sq) {
							snprintf(w, sizeof(w), "where %s", sq);
							if (gix_sql_by_id(w))
								keytok = i + 4;
							free(sq);
						}
						break;
					}
			}
			if (!keytok)
				return 0;
			if (!gix_is_project_struct(ix, f,
						   go_types_of(f->gt, c->block, c->name_begin, x->holder),
						   x->model, sizeof(x->model)))
				return 0;
		} else if (dc.api == GAPI_SQL && c->name && dc.sql_tok >= 0 &&
			   (!strncmp(c->name, "QueryRow", 8) || !strcmp(c->name, "Get") ||
			    !strcmp(c->name, "GetContext"))) {
			char *sq;
			int si = -1, kind;
			char names[4][64];
			int nn = 0;
			for (k = 0; k < na; k++)
				if ((uint32_t)dc.sql_tok >= ab[k] && (uint32_t)dc.sql_tok < ae[k])
					si = k;
			if (si < 0 && na >= 2) {
				/* QueryRow(ctx, query, id) with query a name bound to the SQL */
				int ctxa = py_tok_is(t, ab[0], "ctx") ||
					   (c->name && strstr(c->name, "Context")) ||
					   (ae[0] - ab[0] >= 3 && py_tok_is(t, ae[0] - 3, "Context"));
				si = ctxa ? 1 : 0;
				if (ae[si] - ab[si] != 1 || !tok_name(t, ab[si]))
					si = -1;
			}
			if (si < 0 || !(sq = arg_sql(f, ab[si], ae[si])))
				return 0;
			if (!gix_sql_by_id(sq)) {
				/* query := `SELECT ...`: the text go_db found behind the name */
				free(sq);
				if (!(sq = go_db_sql_text(&f->ol, dc.sql_tok)))
					return 0;
			}
			if (!gix_sql_by_id(sq)) {
				free(sq);
				return 0;
			}
			if (si < 0 || si + 1 >= na || ae[si + 1] - ab[si + 1] != 1 ||
			    !tok_name(t, ab[si + 1])) {
				free(sq);
				return 0;
			}
			keytok = ab[si + 1];
			if (c->name[0] == 'G') {
				if (si < 1 || ae[si - 1] - ab[si - 1] != 2 ||
				    !py_tok_is(t, ab[si - 1], "&")) {
					free(sq);
					return 0;
				}
				tok_copy(x->holder, sizeof(x->holder), t, ab[si - 1] + 1);
				kind = 1;
			} else
				kind = scan_holder(f, c, x, names, &nn);
			if (kind == 1) {
				if (!gix_is_project_struct(
					    ix, f, go_types_of(f->gt, c->block, c->name_begin, x->holder),
					    x->model, sizeof(x->model))) {
					free(sq);
					return 0;
				}
			} else if (kind == 2 && nn >= 1 && nn <= 2) {
				char m[96];
				/* scanPermit(row, &p): a struct passed to a scanner */
				if (nn == 1 &&
				    gix_is_project_struct(
					    ix, f, go_types_of(f->gt, c->block, c->name_begin, names[0]), m,
					    sizeof(m))) {
					snprintf(x->holder, sizeof(x->holder), "%s", names[0]);
					snprintf(x->model, sizeof(x->model), "%s", m);
				} else {
					x->column_lookup = 1;
					x->nfields = sql_columns(sq, x->fields, GO_NFIELDS, x->model,
								 sizeof(x->model));
					if (x->nfields != nn || !x->model[0]) {
						free(sq);
						return 0;
					}
				}
			} else {
				free(sq);
				return 0;
			}
			free(sq);
		} else
			return 0;
	} else {
		/* p, err := s.GetPermit(ctx, id): a project loader returning the row */
		struct gfn *g = gix_resolve_call(ix, f, ci);
		const struct py_stmt *s;
		struct gfile *gf;
		if (!g || (ix->files[g->file] == f && g->def == def))
			return 0;
		gf = ix->files[g->file];
		if (g->state == 0) {
			g->state = 1;
			for (k = 0; k < (int)gf->ol.ncalls; k++)
				if (gf->ol.calls[k].func == g->def &&
				    gix_fetch_of_call(ix, gf, g->def, k, &g->f, 1)) {
					g->has_fetch = 1;
					break;
				}
			g->state = 2;
		}
		if (g->state != 2 || !g->has_fetch || !g->f.returned || g->f.column_lookup ||
		    g->f.key_param < 0 || g->f.key_param >= na)
			return 0;
		keyarg = g->f.key_param;
		if (ae[keyarg] - ab[keyarg] == 1 && tok_name(t, ab[keyarg]))
			keytok = ab[keyarg];
		else
			keytok = ab[keyarg], keyarg = -2;
		s = &f->ol.stmts[c->stmt];
		if (!tok_name(t, s->tok_begin) || py_tok_is(t, s->tok_begin, "return"))
			return 0;
		{
			uint32_t i = s->tok_begin;
			while (i < c->name_begin && !py_tok_is(t, i, ":=") && !py_tok_is(t, i, "="))
				i++;
			if (i >= c->name_begin ||
			    i != s->tok_begin + 1 + 2 * (py_tok_is(t, s->tok_begin + 1, ",") ? 1 : 0))
				return 0;
		}
		tok_copy(x->holder, sizeof(x->holder), t, s->tok_begin);
		snprintf(x->model, sizeof(x->model), "%s", g->f.model);
	}
	if (keyarg == -2) {
		/* an expression (c.Param("id")): no variable to match the caller's argument with */
		if (need_param)
			return 0;
	} else {
		tok_copy(x->key, sizeof(x->key), t, keytok);
		x->key_param = gix_param_index(&f->ol, def, t, keytok);
		if (need_param && x->key_param < 0)
			return 0;
	}
	x->line = f->ol.stmts[c->stmt].line;
	x->end_line = f->ol.stmts[c->stmt].line;
	x->tok = f->ol.stmts[c->stmt].tok_begin;
	if (!x->column_lookup)
		holder_use(f, def, f->ol.stmts[c->stmt].tok_end, x);
	else {
		/* the scanned scalar escapes when returned as is: that is its purpose */
		x->returned = 0;
	}
	return 1;
}

const struct go_fetch *gix_callee_fetch(struct go_index *ix, struct gfn *g)
{
	struct gfile *gf = ix->files[g->file];
	int k;
	if (g->state == 0) {
		g->state = 1;
		for (k = 0; k < (int)gf->ol.ncalls; k++)
			if (gf->ol.calls[k].func == g->def &&
			    gix_fetch_of_call(ix, gf, g->def, k, &g->f, 1)) {
				g->has_fetch = 1;
				break;
			}
		g->state = 2;
	}
	return g->state == 2 && g->has_fetch ? &g->f : NULL;
}
