/*
 * goindex_cache: the per-instance query caches of the Go project index
 * (go_index_cache_each, see goindex.h).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "goindex_p.h"

static int is_cache_field(const struct go_field *fl)
{
	const char *n = fl->name;
	if (!strncmp(fl->type, "map[", 4))
		return 1;
	if (!strcmp(fl->type, "bool") &&
	    (strcasestr(n, "load") || strcasestr(n, "cache") || strcasestr(n, "fetched")))
		return 1;
	return 0;
}

/* 1 when the value built at token i is stored beyond the statement's
 * function: x.f = ..., or name = ... without := (a package variable, as
 * a sync.Once-guarded initialisation does) */
static int kept(const struct gfile *f, uint32_t i)
{
	const struct py_toks *t = &f->toks;
	int st = py_outline_stmt_of_tok(&f->ol, i);
	uint32_t b;
	if (st < 0)
		return 0;
	b = f->ol.stmts[st].tok_begin;
	if (tok_name(t, b) && py_tok_is(t, b + 1, "="))
		return 1;
	return tok_name(t, b) && py_tok_is(t, b + 1, ".") && tok_name(t, b + 2) && py_tok_is(t, b + 3, "=");
}

/* 1 when def constructs type ty (dir/name): T{...}, &T{...}, new(T), or a project constructor returning *T */
static int builds(struct go_index *ix, struct gfile *f, int def, const char *dir, const char *name,
		  unsigned *line, int depth)
{
	const struct py_toks *t = &f->toks;
	const struct py_block *d = &f->ol.blocks[def];
	size_t nl = strlen(name), ci;
	uint32_t i;
	for (i = d->body_begin; i + 1 < d->body_end && i < t->n; i++) {
		if (!tok_eqn(t, i, name, nl) || !py_tok_is(t, i + 1, "{"))
			continue;
		if (py_tok_is(t, i - 1, ".")) {
			const char *dd;
			if (i < 2 || !(dd = gix_alias_dir(ix, f, py_tok_text(t, i - 2), t->v[i - 2].len)) ||
			    strcmp(dd, dir))
				continue;
		} else if (strcmp(f->dir, dir))
			continue;
		if (kept(f, i))
			continue;
		*line = t->v[i].line;
		return 1;
	}
	if (depth > 0)
		return 0;
	for (ci = 0; ci < f->ol.ncalls; ci++) {
		const struct py_call *c = &f->ol.calls[ci];
		struct gfn *g;
		unsigned l2;
		char rt[128];
		const char *rd, *rn;
		if (c->func != def || c->is_ref || !(g = gix_resolve_call(ix, f, (int)ci)) || g->recv)
			continue;
		gix_fn_result(ix, g, rt, sizeof(rt));
		if (!rt[0] || !gix_resolve_type(ix, ix->files[g->file], rt, &rd, &rn) || strcmp(rd, dir) ||
		    strcmp(rn, name))
			continue;
		if (!kept(f, c->name_begin) &&
		    builds(ix, ix->files[g->file], g->def, dir, name, &l2, depth + 1)) {
			*line = c->line;
			return 1;
		}
	}
	return 0;
}

/* 1 when query call qcall reads one row by its key (QueryRow ... WHERE id
 * = $1, First/Take(&v, id)): behind a loaded flag, a per-request memo of
 * the current user or tenant, not a cache of shared data */
static int one_row_memo(const struct gfile *f, int qcall)
{
	const struct py_call *c = &f->ol.calls[qcall];
	struct go_dbcall dc;
	char *sq;
	int r = 0;
	if (!c->name || go_db_call(f->db, qcall, &dc) != GDB_READ)
		return 0;
	if (!strcmp(c->name, "First") || !strcmp(c->name, "Take") || !strcmp(c->name, "Last"))
		return 1;
	if (strncmp(c->name, "QueryRow", 8) && strcmp(c->name, "Get") && strcmp(c->name, "GetContext"))
		return 0;
	if (dc.sql_tok >= 0 && (sq = go_db_sql_text(&f->ol, dc.sql_tok))) {
		r = gix_sql_by_id(sq);
		free(sq);
	}
	return r;
}

void go_index_cache_each(struct go_index *ix, const char *path, go_cache_fn fn, void *arg)
{
	struct gfile *f = NULL;
	const struct py_toks *t;
	size_t i;
	if (!ix)
		return;
	gix_ensure_sorted(ix);
	if (!(f = gix_file(ix, path)))
		return;
	t = &f->toks;
	for (i = 0; i + 2 < t->n; i++) {
		struct go_field fl[32];
		char tname[96];
		int n, k;
		if (!py_tok_is(t, i, "type") || !tok_name(t, i + 1) || !py_tok_is(t, i + 2, "struct"))
			continue;
		tok_copy(tname, sizeof(tname), t, i + 1);
		n = go_types_fields(f->gt, tname, fl, 32);
		if (n > 32)
			n = 32;
		for (k = 0; k < n; k++) {
			size_t b, fj;
			int done = 0;
			if (!is_cache_field(&fl[k]))
				continue;
			/* a method reading the field, then querying, then assigning it */
			for (b = 0; b < f->ol.nblocks && !done; b++) {
				const struct py_block *d = &f->ol.blocks[b];
				int rtok = go_def_recv_tok(&f->ol, (int)b);
				uint32_t j, first_read = 0, fill = 0;
				size_t ci, fl_len = strlen(fl[k].name);
				int qcall = -1;
				struct go_dbcall dc;
				if (d->kind != PB_DEF || !d->recv || strcmp(d->recv, tname) || rtok < 0)
					continue;
				for (ci = 0; ci < f->ol.ncalls; ci++)
					if (f->ol.calls[ci].func == (int)b &&
					    go_db_call(f->db, (int)ci, &dc) == GDB_READ) {
						qcall = (int)ci;
						break;
					}
				if (qcall < 0 || (strncmp(fl[k].type, "map[", 4) && one_row_memo(f, qcall)))
					continue;
				for (j = d->body_begin; j + 2 < d->body_end; j++) {
					if (!tok_eqn(t, j, py_tok_text(t, (uint32_t)rtok), t->v[rtok].len) ||
					    !py_tok_is(t, j + 1, ".") ||
					    !tok_eqn(t, j + 2, fl[k].name, fl_len))
						continue;
					if (j < f->ol.calls[qcall].name_begin) {
						if (!first_read)
							first_read = j;
					} else if (is_assign_op(t, j + 3) ||
						   (py_tok_is(t, j + 3, "[") && j + 3 < t->n)) {
						uint32_t e = j + 4;
						while (e < d->body_end &&
						       !(py_tok_is(t, e, "]") &&
							 t->v[e].depth == t->v[j + 3].depth))
							e++;
						if (py_tok_is(t, j + 3, "[") ? is_assign_op(t, e + 1) : 1)
							fill = j;
					}
				}
				if (!first_read || !fill)
					continue;
				/* built in a request handler of the project */
				for (fj = 0; fj < ix->nfns * 0 + ix->nfiles && !done; fj++) {
					struct gfile *bf = ix->files[fj];
					size_t bb;
					for (bb = 0; bb < bf->ol.nblocks && !done; bb++) {
						unsigned bl;
						if (bf->ol.blocks[bb].kind != PB_DEF ||
						    !bf->ol.blocks[bb].handler)
							continue;
						if (builds(ix, bf, (int)bb, f->dir, tname, &bl, 0)) {
							struct go_cache cc;
							char *sq = NULL;
							int g2 = go_db_call(f->db, qcall, &dc);
							(void)g2;
							memset(&cc, 0, sizeof(cc));
							cc.type = tname;
							cc.field = fl[k].name;
							cc.method = d->name;
							cc.type_line = t->v[i].line;
							cc.fill_line =
								f->ol.stmts[f->ol.calls[qcall].stmt].line;
							if (dc.sql_tok >= 0 &&
							    (sq = go_db_sql_text(&f->ol, dc.sql_tok)))
								cc.joins = strcasestr(sq, " join ") ||
									   strcasestr(sq, "group by") ||
									   strcasestr(sq, "count(") ||
									   strcasestr(sq, "sum(");
							free(sq);
							{
								uint32_t q;
								for (q = f->ol.stmts[f->ol.calls[qcall].stmt]
										 .tok_begin;
								     q < f->ol.stmts[f->ol.calls[qcall].stmt]
										 .tok_end;
								     q++)
									if (py_tok_is(t, q, "Joins") ||
									    py_tok_is(t, q, "Group") ||
									    (t->v[q].kind == PT_STRING &&
									     (memmem(t->src + t->v[q].off,
										     t->v[q].len, "JOIN",
										     4) ||
									      memmem(t->src + t->v[q].off,
										     t->v[q].len, "join",
										     4))))
										cc.joins = 1;
							}
							cc.builder = bf->ol.blocks[bb].name
									     ? bf->ol.blocks[bb].name
									     : "a handler";
							cc.builder_path = bf->path;
							cc.builder_line = bl;
							fn(arg, &cc);
							done = 1;
						}
					}
				}
			}
		}
	}
}
