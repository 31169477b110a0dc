/*
 * over_fetching in Go
 *
 * What it does: reports a list query that loads whole rows of a wide
 * model (more than 10 columns) when the code reads at most three of their
 * fields: a GORM Find into a slice of such a struct without Select/Omit
 * (the struct found in the file or in the package the type names), and
 * a database/sql / pgx Query selecting more than 10 columns (listed, or *
 * with as many rows.Scan targets) of which at most three Scan targets are
 * read afterwards.
 *
 * Why it matters: every row carries all columns over the wire and through
 * Scan/reflection, and wide text columns defeat index-only scans.
 *
 * Example:
 *     var courses []models.Course            // 13 columns
 *     db.Where("term = ?", term).Find(&courses)
 *     for _, co := range courses { out = append(out, gin.H{"code": co.Code}) }
 *
 * Use instead: db.Select("id", "code", "title").Where(...).Find(&courses),
 * or a narrower result struct; in SQL, list only the columns used.
 *
 * Severity: LOW; MEDIUM above 15 columns in a request handler.  Not
 * reported: First/Take (detail reads), rows returned or passed on whole
 * (the slice or an element used as a value), Select/Omit/Pluck/Raw/Table
 * chains.  SELECT * counts the columns rows.Scan receives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "godb.h"
#include "srcfile.h"

#define MAXF 96

static int tname_eq(const struct py_toks *t, uint32_t i, const char *s, size_t n)
{
	return i < t->n && t->v[i].kind == PT_NAME && t->v[i].len == n && !memcmp(t->src + t->v[i].off, s, n);
}

static int is_struct(const struct go_types *gt, const char *ty)
{
	struct go_field f[1];
	return go_types_fields(gt, ty, f, 1) > 0;
}

/* Columns of struct strct of a file: scalar fields, embedded gorm.Model
 * as four, embedded structs of the file expanded; relations (slices of
 * structs, structs of the file, gorm:"-" and foreignKey tags) left out.
 * -1 when the file does not declare strct. */
static int count_cols(const struct py_outline *ol, const struct go_types *gt, const char *strct, int depth)
{
	struct go_field f[MAXF];
	int n = go_types_fields(gt, strct, f, MAXF), i, cols = 0;
	if (n <= 0)
		return -1;
	if (n > MAXF)
		n = MAXF;
	for (i = 0; i < n; i++) {
		const char *ty = f[i].type;
		if (f[i].tag_tok >= 0) {
			size_t tl;
			const char *tag = go_string_body(ol->toks, (size_t)f[i].tag_tok, &tl);
			char buf[256];
			if (tag) {
				snprintf(buf, sizeof(buf), "%.*s", (int)tl, tag);
				if (strstr(buf, "gorm:\"-") || strstr(buf, "foreignKey") || strstr(buf, "foreignkey") || strstr(buf, "many2many") ||
				    strstr(buf, "references:"))
					continue;
			}
		}
		if (f[i].embedded) {
			int sub;
			if (!strcmp(ty, "gorm.Model"))
				cols += 4;
			else if (depth < 3 && (sub = count_cols(ol, gt, ty, depth + 1)) >= 0)
				cols += sub;
			else
				cols++;
			continue;
		}
		if (ty[0] == '[' && strcmp(ty, "[]byte") && strncmp(ty, "[]uint8", 7))
			continue;
		if (!strchr(ty, '.') && is_struct(gt, ty))
			continue;
		cols++;
	}
	return cols;
}

static const char *dir_base(const char *path, size_t *n)
{
	const char *slash = strrchr(path, '/'), *b;
	if (!slash) {
		*n = 0;
		return path;
	}
	for (b = slash; b > path && b[-1] != '/'; b--)
		;
	*n = (size_t)(slash - b);
	return b;
}

/* Columns of type T (pkg.T or T) looked up in the Go files of the
 * context: files of a directory named pkg, or of the current directory. */
static int cols_in_project(struct check_ctx *cx, const char *pkg, size_t plen, const char *strct)
{
	const char *root = json_string_value(json_object_get(cx->context, "codebase_root"));
	json_t *files = json_object_get(cx->context, "files"), *f;
	size_t i, cdl;
	const char *cur = cx->path, *cslash = strrchr(cur, '/');
	cdl = cslash ? (size_t)(cslash - cur) : 0;
	if (!root || !json_is_array(files))
		return -1;
	json_array_foreach(files, i, f) {
		const char *p = json_string_value(json_object_get(f, "path"));
		const char *lang = json_string_value(json_object_get(f, "language"));
		const char *slash, *b;
		size_t bl, n;
		char full[4096];
		struct srcfile sf;
		struct py_toks toks;
		struct py_outline ol;
		struct go_types *gt;
		int cols = -1;
		unsigned bl_, bc_;
		if (!p || !lang || strcmp(lang, "go") || !strcmp(p, cx->path) || go_db_skip_path(p))
			continue;
		n = strlen(p);
		slash = strrchr(p, '/');
		if (pkg) {
			b = dir_base(p, &bl);
			if (bl != plen || strncmp(b, pkg, plen))
				continue;
		} else if ((size_t)(slash ? slash - p : 0) != cdl || strncmp(p, cur, cdl)) {
			continue;
		}
		(void)n;
		if ((size_t)snprintf(full, sizeof(full), "%s/%s", root, p) >= sizeof(full))
			continue;
		if (srcfile_load(&sf, full, 4u << 20, &bl_, &bc_) != SRC_OK)
			continue;
		if (go_tokenize(&toks, sf.text, sf.len) == 0) {
			if (go_outline_build(&ol, &toks) == 0) {
				if ((gt = go_types_new(&ol))) {
					cols = count_cols(&ol, gt, strct, 0);
					go_types_free(gt);
				}
				py_outline_free(&ol);
			}
			py_toks_free(&toks);
		}
		srcfile_free(&sf);
		if (cols >= 0)
			return cols;
	}
	return -1;
}

struct used {
	const char *f[4]; size_t n[4];
	int count;
	int whole; /* the value escapes whole: returned, appended, passed on */
};

static void use_field(struct used *u, const struct py_toks *t, uint32_t i)
{
	int k;
	const char *s = t->src + t->v[i].off;
	size_t n = t->v[i].len;
	for (k = 0; k < u->count && k < 4; k++)
		if (u->n[k] == n && !memcmp(u->f[k], s, n))
			return;
	if (u->count < 4) {
		u->f[u->count] = s;
		u->n[u->count] = n;
	}
	u->count++;
}

/* After token i (a use of a value), a ".Field" read adds the field;
 * anything else is the whole value. */
static void use_value(struct used *u, const struct py_toks *t, uint32_t i, uint32_t end)
{
	if (i + 2 < end && py_tok_is(t, i + 1, ".") && t->v[i + 2].kind == PT_NAME && !py_tok_is(t, i + 3, "("))
		use_field(u, t, i + 2);
	else
		u->whole = 1;
}

static uint32_t close_of(const struct py_toks *t, uint32_t i, uint32_t end)
{
	uint32_t d = t->v[i].depth;
	for (i++; i < end; i++)
		if (t->v[i].depth == d + 1 && (py_tok_is(t, i, "]") || py_tok_is(t, i, ")") || py_tok_is(t, i, "}")))
			return i;
	return end;
}

/* The range loop of function f whose range expression is token i alone. */
static int range_over(const struct py_outline *ol, int f, uint32_t i)
{
	size_t b;
	for (b = (size_t)f + 1; b < ol->nblocks && ol->blocks[b].line <= ol->blocks[f].end_line; b++)
		if (ol->blocks[b].kind == PB_FOR && ol->blocks[b].iter_begin == i && ol->blocks[b].iter_end == i + 1)
			return (int)b;
	return -1;
}

/* Fields of the elements of slice variable name (token nm) read after
 * token from in function f. */
static void slice_uses(const struct py_outline *ol, int f, uint32_t nm, uint32_t from, struct used *u)
{
	const struct py_toks *t = ol->toks;
	const char *s = t->src + t->v[nm].off;
	size_t n = t->v[nm].len;
	uint32_t i, end = ol->blocks[f].body_end;
	for (i = from; i < end && !u->whole; i++) {
		int lp;
		if (!tname_eq(t, i, s, n) || py_tok_is(t, i - 1, "."))
			continue;
		if (py_tok_is(t, i - 1, "(") && tname_eq(t, i - 2, "len", 3) && py_tok_is(t, i + 1, ")"))
			continue;
		if (py_tok_is(t, i + 1, "[")) {
			uint32_t c = close_of(t, i + 1, end);
			use_value(u, t, c, end);
			continue;
		}
		if ((lp = range_over(ol, f, i)) >= 0) {
			const struct py_block *k = &ol->blocks[lp];
			const char *comma = k->target ? strchr(k->target, ',') : NULL;
			const char *v;
			uint32_t j;
			if (!comma)
				continue; /* indexes only: element reads are name[i].F */
			for (v = comma + 1; *v == ' '; v++)
				;
			for (j = k->body_begin; j < k->body_end; j++)
				if (tname_eq(t, j, v, strlen(v)) && !py_tok_is(t, j - 1, "."))
					use_value(u, t, j, k->body_end);
			continue;
		}
		u->whole = 1;
	}
}

static void report(struct check_ctx *cx, const struct py_call *c, int cols, const struct used *u, const char *what,
		   const char *rec)
{
	char issue[512], fields[160] = "";
	int k;
	size_t o = 0;
	for (k = 0; k < u->count && k < 4 && o + 40 < sizeof(fields); k++)
		o += (size_t)snprintf(fields + o, sizeof(fields) - o, "%s%.*s", k ? ", " : "", (int)u->n[k], u->f[k]);
	snprintf(issue, sizeof(issue), "%s loads all %d columns of %s for a list, but the code reads only %s",
		 c->callee, cols, what, u->count ? fields : "none of them");
	check_report(cx, c->line, c->end_line,
		     cols > 15 && c->func >= 0 && cx->ol->blocks[c->func].handler ? SEV_MEDIUM : SEV_LOW, issue, rec);
}

static void gorm_find(struct check_ctx *cx, const struct go_types *gt, int ci)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	const struct py_call *c = &ol->calls[ci];
	uint32_t a = c->lparen + 1;
	const char *ty, *el, *dot;
	char name[128], rec[512];
	struct used u;
	int cols;
	static const char *const narrowing[] = {
		"Select()", "Omit()", "Raw()", "Table()", "Distinct()", "Pluck()", "Scopes()", NULL
	};
	const char *const *np;
	for (np = narrowing; *np; np++)
		if (strstr(c->callee, *np))
			return;
	if (py_tok_is(t, a, "&"))
		a++;
	if (a >= c->rparen || t->v[a].kind != PT_NAME || !(py_tok_is(t, a + 1, ")") || py_tok_is(t, a + 1, ",")) ||
	    c->func < 0)
		return;
	snprintf(name, sizeof(name), "%.*s", (int)t->v[a].len, t->src + t->v[a].off);
	if (!gt || !(ty = go_types_of(gt, c->block, c->name_begin, name)) || strncmp(ty, "[]", 2))
		return;
	el = ty + 2;
	if (*el == '*')
		el++;
	/* the uses first: they are cheap, the struct may live in another file */
	memset(&u, 0, sizeof(u));
	slice_uses(ol, c->func, a, c->rparen + 1, &u);
	if (u.whole || u.count > 3)
		return;
	if ((dot = strchr(el, '.')))
		cols = cols_in_project(cx, el, (size_t)(dot - el), dot + 1);
	else if ((cols = count_cols(ol, gt, el, 0)) < 0)
		cols = cols_in_project(cx, NULL, 0, el);
	if (cols <= 10)
		return;
	snprintf(rec, sizeof(rec), "Select only the columns the list needs: %.*s.Select(\"id\", ...).Find(&%s), or "
		 "Find into a narrower struct (GORM selects its fields with QueryFields or Model(&%s{}))",
		 (int)(strchr(c->callee, '.') ? (size_t)(strchr(c->callee, '.') - c->callee) : strlen(c->callee)),
		 c->callee, name, el);
	report(cx, c, cols, &u, el, rec);
}

/* Columns listed by SELECT ... FROM at the top level of q; 0 for *, -1 for
 * a query of another shape. */
static int select_cols(const char *q)
{
	const char *p;
	int depth = 0, n = 1;
	if (strncasecmp(q, "SELECT ", 7))
		return -1;
	p = q + 7;
	if (!strncasecmp(p, "DISTINCT ", 9))
		p += 9;
	for (; *p; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (depth == 0 && *p == ',')
			n++;
		else if (depth == 0 && *p == '*' && (p[1] == ' ' || p[1] == ',' || !p[1]))
			return 0; /* every column: rows.Scan says how many */
		else if (depth == 0 && p[-1] == ' ' && !strncasecmp(p, "FROM ", 5))
			return n;
	}
	return -1;
}

struct target {
	uint32_t var;   /* token of the variable */
	int field;      /* token of the field (&p.Field), or -1 (&x) */
	int used;
};

static int same_tok(const struct py_toks *t, uint32_t a, uint32_t b)
{
	return t->v[a].len == t->v[b].len && !memcmp(t->src + t->v[a].off, t->src + t->v[b].off, t->v[a].len);
}

/* The Scan targets &x / &v.F of call sc, into tg; -1 when an argument
 * has another shape. */
static int scan_targets(const struct py_toks *t, const struct py_call *sc, struct target *tg, int max)
{
	uint32_t i = sc->lparen + 1;
	int n = 0;
	while (i < sc->rparen) {
		if (n == max || !py_tok_is(t, i, "&") || t->v[i + 1].kind != PT_NAME)
			return -1;
		tg[n].var = i + 1;
		tg[n].field = -1;
		tg[n].used = 0;
		i += 2;
		if (py_tok_is(t, i, ".") && t->v[i + 1].kind == PT_NAME) {
			tg[n].field = (int)(i + 1);
			i += 2;
		}
		n++;
		while (i < sc->rparen && t->v[i].kind == PT_NEWLINE)
			i++;
		if (i < sc->rparen && !py_tok_is(t, i, ","))
			return -1;
		i++;
		while (i < sc->rparen && t->v[i].kind == PT_NEWLINE)
			i++;
	}
	return n;
}

/* Marks the targets read in tokens [b, e) outside the Scan call; 1 when a
 * struct variable is used whole. */
static int mark_uses(const struct py_toks *t, const struct py_call *sc, struct target *tg, int n, uint32_t b,
		     uint32_t e, struct used *u)
{
	uint32_t i;
	int k;
	for (i = b; i < e; i++) {
		if (i >= sc->lparen && i <= sc->rparen)
			continue;
		if (t->v[i].kind != PT_NAME || py_tok_is(t, i - 1, ".") || py_tok_is(t, i - 1, "var") ||
		    py_tok_is(t, i + 1, ":=") || py_tok_is(t, i + 1, "="))
			continue; /* a declaration or a reset, not a read */
		for (k = 0; k < n; k++) {
			if (!same_tok(t, i, tg[k].var))
				continue;
			if (tg[k].field < 0) {
				if (!tg[k].used)
					use_field(u, t, i);
				tg[k].used = 1;
				break;
			}
			if (!py_tok_is(t, i + 1, ".") || i + 2 >= e || t->v[i + 2].kind != PT_NAME)
				return 1;
			use_field(u, t, i + 2);
			break;
		}
	}
	return 0;
}

static void sql_list(struct check_ctx *cx, const struct go_dbcall *dc, int ci)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *t = ol->toks;
	const struct py_call *c = &ol->calls[ci];
	char *q = go_db_sql_text(ol, dc->sql_tok);
	struct target tg[64];
	struct used u;
	uint32_t rv;
	size_t b, j;
	int cols = q ? select_cols(q) : -1, n;
	free(q);
	if (cols < 0 || (cols > 0 && cols <= 10) || c->stmt < 0 || c->func < 0)
		return;
	rv = ol->stmts[c->stmt].tok_begin;
	if (t->v[rv].kind != PT_NAME || !(py_tok_is(t, rv + 1, ",") || py_tok_is(t, rv + 1, ":=") ||
					  py_tok_is(t, rv + 1, "=")))
		return;
	/* the for rows.Next() loop of the function and its rows.Scan */
	for (b = (size_t)c->block + 1; b < ol->nblocks && ol->blocks[b].line <= ol->blocks[c->func].end_line; b++) {
		const struct py_block *k = &ol->blocks[b];
		if (k->kind != PB_FOR || k->hdr_begin < c->rparen || !same_tok(t, k->hdr_begin + 1, rv) ||
		    !py_tok_is(t, k->hdr_begin + 2, ".") || !tname_eq(t, k->hdr_begin + 3, "Next", 4))
			continue;
		for (j = (size_t)ci + 1; j < ol->ncalls && ol->calls[j].line <= k->end_line; j++) {
			const struct py_call *sc = &ol->calls[j];
			if (sc->name_begin < k->body_begin || sc->name_begin >= k->body_end || strcmp(sc->name, "Scan") ||
			    !same_tok(t, sc->name_begin, rv))
				continue;
			if ((n = scan_targets(t, sc, tg, 64)) <= 10)
				return;
			if (cols == 0)
				cols = n; /* SELECT *: as many columns as Scan targets */
			memset(&u, 0, sizeof(u));
			if (mark_uses(t, sc, tg, n, k->body_begin, k->body_end, &u) ||
			    mark_uses(t, sc, tg, n, k->body_end, ol->blocks[c->func].body_end, &u) || u.count > 3)
				return;
			report(cx, c, cols, &u, "the rows",
			       "List only the columns the list needs in the SELECT (and Scan only those); a wide row "
			       "costs bytes on the wire, Scan work and index-only scans");
			return;
		}
		return;
	}
}

void check_over_fetching_go(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct go_types *gt;
	struct go_db *g;
	size_t i;
	if (go_db_skip_path(cx->path))
		return;
	gt = go_types_new(ol);
	if (!(g = go_db_new(ol, gt))) {
		go_types_free(gt);
		return;
	}
	for (i = 0; i < ol->ncalls; i++) {
		struct go_dbcall dc;
		if (go_db_call(g, (int)i, &dc) != GDB_READ || !dc.multi)
			continue;
		if (dc.api == GAPI_GORM && !strcmp(ol->calls[i].name, "Find") && dc.sql_tok < 0)
			gorm_find(cx, gt, (int)i);
		else if (dc.api == GAPI_SQL && dc.sql_tok >= 0)
			sql_list(cx, &dc, (int)i);
	}
	go_db_free(g);
	go_types_free(gt);
}
