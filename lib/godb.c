/*
 * godb: which calls of a Go file run SQL (see godb.h).
 *
 * One pass over the outline's calls and tokens when the state is built:
 * prepared statements (stmt := tx.Prepare("INSERT ..."), pq.CopyIn) and
 * string constants holding SQL (q := `SELECT ...`), so that a later
 * stmt.Exec(...) or db.Query(q) is classified without re-reading the file.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "godb.h"

struct prep {
	int func;
	const char *name; size_t nlen;
	enum go_dbop op;
	uint32_t tok;
};

struct sqlconst {
	const char *name; size_t nlen;
	uint32_t str, tok;
	int func;  /* function of the binding, -1 at package level */
};

struct go_db {
	const struct py_outline *ol;
	const struct go_types *gt;
	struct prep *preps; size_t npreps;
	struct sqlconst *consts; size_t nconsts;
};

static int in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return 1;
	return 0;
}

/* database/sql, sqlx and pgx methods that take the SQL text */
static const char *const sql_methods[] = {
	"Query", "QueryContext", "QueryRow", "QueryRowContext", "Exec", "ExecContext",
	"Queryx", "QueryxContext", "QueryRowx", "QueryRowxContext", "Get", "GetContext",
	"Select", "SelectContext", "NamedExec", "NamedExecContext", "NamedQuery", "NamedQueryContext",
	"MustExec", "MustExecContext", NULL
};
static const char *const sql_multi[] = {
	"Query", "QueryContext", "Queryx", "QueryxContext", "Select", "SelectContext",
	"NamedQuery", "NamedQueryContext", NULL
};
static const char *const prepare_methods[] = {
	"Prepare", "PrepareContext", "Preparex", "PreparexContext", "PrepareNamed", "PrepareNamedContext", NULL
};
/* GORM chain methods that only build the statement */
static const char *const gorm_builders[] = {
	"Model", "Where", "Preload", "Joins", "InnerJoins", "Table", "Select", "Order", "Limit", "Offset",
	"Omit", "Clauses", "Unscoped", "Session", "WithContext", "Debug", "Raw", "Scopes", "Not", "Or",
	"Distinct", "Group", "Having", "Association", "Attrs", "Assign", NULL
};
static const char *const gorm_reads[] = {
	"Find", "First", "Take", "Last", "Count", "Pluck", "Scan", "Row", "Rows", "FirstOrInit",
	"FirstOrCreate", NULL
};
static const char *const gorm_multi[] = { "Find", "Pluck", "Scan", "Rows", NULL };
static const char *const gorm_updates[] = {
	"Save", "Update", "Updates", "UpdateColumn", "UpdateColumns", NULL
};
/* names a GORM handle usually has */
static const char *const db_names[] = {
	"db", "tx", "gdb", "orm", "gorm", "gormdb", "database", "dbtx", "conn", "gormDB", "DB", "Tx", "DBTx", NULL
};
static const char *const db_types[] = {
	"sql.DB", "sql.Tx", "sql.Conn", "sql.Stmt", "sqlx.DB", "sqlx.Tx", "sqlx.Stmt", "sqlx.NamedStmt",
	"sqlx.Conn", "pgx.Conn", "pgx.Tx", "pgxpool.Pool", "pgxpool.Conn", "pgxpool.Tx", "gorm.DB", NULL
};

static int tis(const struct py_outline *ol, uint32_t i, const char *s)
{
	return i < ol->toks->n && py_tok_is(ol->toks, i, s);
}

char *go_db_sql_text(const struct py_outline *ol, int tok)
{
	size_t n, i, o = 0;
	const char *s;
	char *out;
	if (tok < 0 || !(s = go_string_body(ol->toks, (size_t)tok, &n)))
		return NULL;
	if (!(out = malloc(n + 1)))
		return NULL;
	i = 0;
	for (;;) { /* leading blanks, '(' and -- comments */
		while (i < n && (isspace((unsigned char)s[i]) || s[i] == '('))
			i++;
		if (i + 1 < n && s[i] == '-' && s[i + 1] == '-') {
			while (i < n && s[i] != '\n')
				i++;
			continue;
		}
		break;
	}
	for (; i < n; i++) {
		int sp = isspace((unsigned char)s[i]) || (s[i] == '\\' && i + 1 < n && (s[i + 1] == 'n' || s[i + 1] == 't'));
		if (sp) {
			if (s[i] == '\\')
				i++;
			if (o && out[o - 1] != ' ')
				out[o++] = ' ';
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

static int word_at(const char *s, const char *w)
{
	size_t n = strlen(w);
	return !strncasecmp(s, w, n) && !isalnum((unsigned char)s[n]) && s[n] != '_';
}

/* a keyword of s as a whole word anywhere */
static int has_word(const char *s, const char *w)
{
	const char *p;
	size_t n = strlen(w);
	for (p = s; *p; p++)
		if ((p == s || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) && word_at(p, w))
			return 1;
	(void)n;
	return 0;
}

static enum go_dbop classify_sql(const char *q)
{
	if (word_at(q, "SELECT"))
		return GDB_READ;
	if (word_at(q, "WITH")) {
		if (has_word(q, "INSERT"))
			return GDB_INSERT;
		if (has_word(q, "UPDATE"))
			return GDB_UPDATE;
		if (has_word(q, "DELETE"))
			return GDB_DELETE;
		return GDB_READ;
	}
	if (word_at(q, "INSERT") || word_at(q, "REPLACE"))
		return GDB_INSERT;
	if (word_at(q, "UPDATE"))
		return GDB_UPDATE;
	if (word_at(q, "DELETE"))
		return GDB_DELETE;
	if (word_at(q, "COPY"))
		return GDB_BULK;
	if (word_at(q, "CREATE") || word_at(q, "ALTER") || word_at(q, "DROP") || word_at(q, "TRUNCATE") ||
	    word_at(q, "LOCK") || word_at(q, "SET") || word_at(q, "CALL") || word_at(q, "MERGE") ||
	    word_at(q, "VACUUM") || word_at(q, "NOTIFY") || word_at(q, "LISTEN") || word_at(q, "REFRESH"))
		return GDB_OTHER;
	return GDB_NONE;
}

static enum go_dbop classify_tok(const struct py_outline *ol, int tok)
{
	char *q = go_db_sql_text(ol, tok);
	enum go_dbop op;
	if (!q)
		return GDB_NONE;
	op = classify_sql(q);
	free(q);
	return op;
}

static const struct sqlconst *find_const(const struct go_db *g, const char *name, size_t nlen, uint32_t before,
					 int func)
{
	const struct sqlconst *best = NULL;
	size_t i;
	for (i = 0; i < g->nconsts; i++) {
		const struct sqlconst *k = &g->consts[i];
		if (k->nlen != nlen || memcmp(k->name, name, nlen) || (k->func >= 0 && k->func != func))
			continue;
		if (k->tok < before && (!best || k->tok > best->tok))
			best = k; /* the latest binding before the use */
	}
	return best;
}

/* The SQL string token of call c's arguments: the first argument that is
 * a string literal (or starts with one: "..." + x), or a name bound to
 * one; -1 when none. */
static int sql_arg(const struct go_db *g, const struct py_call *c)
{
	const struct py_outline *ol = g->ol;
	const struct py_toks *t = ol->toks;
	uint32_t i, d;
	int start = 1;
	if (c->rparen <= c->lparen)
		return -1;
	d = t->v[c->lparen].depth + 1;
	for (i = c->lparen + 1; i < c->rparen; i++) {
		const struct py_tok *k = &t->v[i];
		if (k->depth != d)
			continue;
		if (start) {
			if (k->kind == PT_STRING && (classify_tok(ol, (int)i) != GDB_NONE))
				return (int)i;
			/* fmt.Sprintf("UPDATE %s SET ...", table, ...) */
			if (py_tok_is(t, i, "fmt") && py_tok_is(t, i + 1, ".") && py_tok_is(t, i + 2, "Sprintf") &&
			    py_tok_is(t, i + 3, "(") && i + 4 < c->rparen && t->v[i + 4].kind == PT_STRING &&
			    classify_tok(ol, (int)(i + 4)) != GDB_NONE)
				return (int)(i + 4);
			if (k->kind == PT_NAME && (tis(ol, i + 1, ",") || i + 1 == c->rparen)) {
				const struct sqlconst *sc = find_const(g, t->src + k->off, k->len, i, c->func);
				if (sc && classify_tok(ol, (int)sc->str) != GDB_NONE)
					return (int)sc->str;
			}
		}
		start = py_tok_is(t, i, ",");
	}
	return -1;
}

/* Splits callee "h.db.Model().Where().Find" into the root "h.db" (copied
 * into root) and tells whether a component before the last one is in
 * list (*has) or is a database/sql method (*sqlm). */
static void chain_parts(const char *callee, char *root, size_t rn, const char *const *list, int *has, int *sqlm,
			int *raw)
{
	const char *p = callee, *dot;
	char part[64];
	int in_root = 1;
	size_t o = 0;
	*has = *sqlm = *raw = 0;
	root[0] = '\0';
	while ((dot = strchr(p, '.'))) {
		size_t n = (size_t)(dot - p);
		int called = n >= 2 && p[n - 2] == '(' && p[n - 1] == ')';
		size_t pn = called ? n - 2 : n;
		if (pn >= sizeof(part))
			pn = sizeof(part) - 1;
		memcpy(part, p, pn);
		part[pn] = '\0';
		if (called) {
			in_root = 0;
			if (in_list(list, part) && *has != 2)
				*has = 1;
			else if (!in_list(list, part))
				*has = 2; /* a call of another API in the chain (mongo's Collection()...) */
			if (in_list(sql_methods, part) || in_list(prepare_methods, part))
				*sqlm = 1;
			if (!strcmp(part, "Raw"))
				*raw = 1;
		} else if (in_root && o + n + 2 < rn) {
			if (o)
				root[o++] = '.';
			memcpy(root + o, p, n);
			o += n;
			root[o] = '\0';
		}
		p = dot + 1;
	}
}

static int db_like_name(const char *root)
{
	const char *last = strrchr(root, '.');
	return root[0] && in_list(db_names, last ? last + 1 : root);
}

static const char *root_type(const struct go_db *g, const struct py_call *c, const char *root)
{
	if (!g->gt || !root[0])
		return NULL;
	return go_types_of(g->gt, c->block, c->name_begin, root);
}

static int typed_db(const char *ty)
{
	return ty && in_list(db_types, ty);
}

/* The SQL of the Raw("...") call of GORM chain c, or -1. */
static int raw_sql(const struct go_db *g, int ci)
{
	size_t j;
	const struct py_call *c = &g->ol->calls[ci];
	for (j = (size_t)ci; j-- > 0;) {
		const struct py_call *r = &g->ol->calls[j];
		if (r->name_begin < c->name_begin)
			break;
		if (r->name_begin == c->name_begin && !strcmp(r->name, "Raw"))
			return sql_arg(g, r);
	}
	return -1;
}

/* 1 when the value passed to Create is a slice (a batch insert). */
static int slice_arg(const struct go_db *g, const struct py_call *c)
{
	const struct py_toks *t = g->ol->toks;
	uint32_t i = c->lparen + 1, e;
	char name[128];
	size_t o = 0;
	const char *ty;
	if (i >= c->rparen)
		return 0;
	if (py_tok_is(t, i, "&"))
		i++;
	if (py_tok_is(t, i, "[") && py_tok_is(t, i + 1, "]"))
		return 1;
	for (e = i; e < c->rparen && (t->v[e].kind == PT_NAME || py_tok_is(t, e, ".")); e++) {
		if (o + t->v[e].len + 1 >= sizeof(name))
			return 0;
		memcpy(name + o, t->src + t->v[e].off, t->v[e].len);
		o += t->v[e].len;
	}
	name[o] = '\0';
	if (!o || (e < c->rparen && !py_tok_is(t, e, ",")) || !g->gt)
		return 0;
	ty = go_types_of(g->gt, c->block, c->name_begin, name);
	return ty && ty[0] == '[';
}

/* 1 when the value given to Create is visibly one struct: &x, &x.f, x,
 * &T{...}; 0 for a call result or an expression of unknown shape. */
static int one_value_arg(const struct py_outline *ol, const struct py_call *c)
{
	const struct py_toks *t = ol->toks;
	uint32_t i = c->lparen + 1;
	if (i >= c->rparen)
		return 0;
	if (py_tok_is(t, i, "&"))
		i++;
	while (i < c->rparen && (t->v[i].kind == PT_NAME || py_tok_is(t, i, ".")))
		i++;
	return i == c->rparen || py_tok_is(t, i, ",") || py_tok_is(t, i, "{");
}

static const struct prep *find_prep(const struct go_db *g, const struct py_call *c, const char *root)
{
	size_t i, n = strlen(root);
	const struct prep *best = NULL;
	for (i = 0; i < g->npreps; i++) {
		const struct prep *p = &g->preps[i];
		if (p->nlen == n && !memcmp(p->name, root, n) && p->tok < c->name_begin &&
		    (p->func == c->func || p->func < 0) && (!best || p->tok > best->tok))
			best = p;
	}
	return best;
}

/* pgx: the prepared statement named by an argument (tx.QueryRow(ctx,
 * stmt.Name, ...) after stmt, err := tx.Prepare(ctx, "name", sql)). */
static const struct prep *pgx_prep_arg(const struct go_db *g, const struct py_call *c)
{
	const struct py_toks *t = g->ol->toks;
	uint32_t i;
	char nm[128];
	for (i = c->lparen + 1; i + 3 <= c->rparen; i++) {
		if (t->v[i].kind != PT_NAME || !py_tok_is(t, i + 1, ".") || !py_tok_is(t, i + 2, "Name") ||
		    !(py_tok_is(t, i + 3, ",") || i + 3 == c->rparen) || t->v[i].len >= sizeof(nm))
			continue;
		memcpy(nm, t->src + t->v[i].off, t->v[i].len);
		nm[t->v[i].len] = '\0';
		return find_prep(g, c, nm);
	}
	return NULL;
}

enum go_dbop go_db_call(const struct go_db *g, int ci, struct go_dbcall *out)
{
	const struct py_outline *ol = g->ol;
	const struct py_call *c = &ol->calls[ci];
	char root[160];
	int has_builder, has_sql, has_raw, sql;
	const char *ty;
	memset(out, 0, sizeof(*out));
	out->sql_tok = -1;
	out->method = c->name;
	if (c->is_ref || !c->callee[0] || !strchr(c->callee, '.'))
		return GDB_NONE;
	chain_parts(c->callee, root, sizeof(root), gorm_builders, &has_builder, &has_sql, &has_raw);
	if (in_list(sql_methods, c->name)) {
		const struct prep *p;
		out->api = GAPI_SQL;
		out->multi = in_list(sql_multi, c->name);
		if (has_builder == 1 && !strcmp(c->name, "Select"))
			return GDB_NONE; /* GORM db.Model(...).Select("a", "b") */
		sql = sql_arg(g, c);
		if (sql >= 0) {
			out->sql_tok = sql;
			out->op = classify_tok(ol, sql);
			return out->op;
		}
		if (!has_builder && !has_sql && ((p = find_prep(g, c, root)) || (p = pgx_prep_arg(g, c)))) {
			out->op = p->op;
			out->sql_tok = (int)p->tok;
			return out->op;
		}
		ty = root_type(g, c, root);
		if (!has_builder && !has_sql && typed_db(ty) && strcmp(ty, "gorm.DB") && strcmp(c->name, "Select")) {
			out->op = GDB_OTHER;
			return out->op;
		}
		return GDB_NONE;
	}
	if (!strcmp(c->name, "SendBatch") || !strcmp(c->name, "CopyFrom")) {
		ty = root_type(g, c, root);
		if (typed_db(ty) || db_like_name(root) || !strcmp(root, "pool")) {
			out->api = GAPI_SQL;
			out->op = GDB_BULK;
		}
		return out->op;
	}
	if (has_sql)
		return GDB_NONE; /* db.QueryRow(...).Scan: the query is the earlier call */
	if (!in_list(gorm_reads, c->name) && !in_list(gorm_updates, c->name) && strcmp(c->name, "Create") &&
	    strcmp(c->name, "Delete") && strcmp(c->name, "CreateInBatches") && strcmp(c->name, "FindInBatches"))
		return GDB_NONE;
	if (has_builder == 2)
		return GDB_NONE;
	ty = root_type(g, c, root);
	if (ty ? strcmp(ty, "gorm.DB") != 0 : !db_like_name(root))
		return GDB_NONE;
	out->api = GAPI_GORM;
	if (has_raw && (sql = raw_sql(g, ci)) >= 0) {
		out->sql_tok = sql;
		out->op = classify_tok(ol, sql);
		out->multi = in_list(gorm_multi, c->name);
		return out->op;
	}
	if (in_list(gorm_reads, c->name)) {
		if (!strcmp(c->name, "Scan") && !has_builder)
			return GDB_NONE; /* db.Scan alone is not GORM's */
		out->op = GDB_READ;
		out->multi = in_list(gorm_multi, c->name);
	} else if (in_list(gorm_updates, c->name)) {
		out->op = !strcmp(c->name, "Save") && slice_arg(g, c) ? GDB_BULK : GDB_UPDATE;
	} else if (!strcmp(c->name, "Delete")) {
		out->op = GDB_DELETE;
	} else if (!strcmp(c->name, "Create")) {
		out->op = slice_arg(g, c) ? GDB_BULK : one_value_arg(ol, c) ? GDB_INSERT : GDB_OTHER;
	} else {
		out->op = GDB_BULK;
	}
	return out->op;
}

static int sql_is_set(const char *q)
{
	const char *p;
	for (p = q; *p; p++) {
		if (!strncasecmp(p, "ANY(", 4) || !strncasecmp(p, "ANY (", 5) || !strncasecmp(p, "unnest(", 7))
			return 1;
		if ((p == q || p[-1] == ' ' || p[-1] == ')') && (!strncasecmp(p, "IN (", 4) || !strncasecmp(p, "IN(", 3) ||
								  !strncasecmp(p, "IN ?", 4)))
			return 1;
	}
	return 0;
}

int go_db_set_based(const struct go_db *g, int ci, const struct go_dbcall *dc)
{
	const struct py_outline *ol = g->ol;
	const struct py_toks *t = ol->toks;
	const struct py_call *c = &ol->calls[ci];
	uint32_t i;
	int r = 0;
	char *q;
	if (dc->sql_tok >= 0 && (q = go_db_sql_text(ol, dc->sql_tok))) {
		r = sql_is_set(q);
		free(q);
		if (r)
			return 1;
	}
	if (dc->api != GAPI_GORM)
		return 0;
	/* the whole chain's tokens: from its first name to the last ')' */
	for (i = c->name_begin; i < c->rparen; i++) {
		if (t->v[i].kind == PT_STRING && (q = go_db_sql_text(ol, (int)i))) {
			r = sql_is_set(q) || !strncasecmp(q, "IN ", 3);
			free(q);
			if (r)
				return 1;
		}
		if (py_tok_is(t, i, "clause") && py_tok_is(t, i + 1, ".") &&
		    (py_tok_is(t, i + 2, "IN") || py_tok_is(t, i + 2, "Where")))
			return 1;
	}
	return 0;
}

/* The variable a statement assigns first ("stmt" of stmt, err := ...), or -1. */
static int assigned_name(const struct py_outline *ol, int stmt)
{
	uint32_t b;
	if (stmt < 0)
		return -1;
	b = ol->stmts[stmt].tok_begin;
	if (ol->toks->v[b].kind != PT_NAME)
		return -1;
	if (tis(ol, b + 1, ",") || tis(ol, b + 1, ":=") || tis(ol, b + 1, "="))
		return (int)b;
	return -1;
}

static int add_preps(struct go_db *g)
{
	const struct py_outline *ol = g->ol;
	size_t i, cap = 0;
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_call *c = &ol->calls[i];
		int nm, sql;
		size_t j;
		enum go_dbop op = GDB_NONE;
		if (c->is_ref || !in_list(prepare_methods, c->name) || (nm = assigned_name(ol, c->stmt)) < 0)
			continue;
		for (j = i + 1; j < ol->ncalls && ol->calls[j].parent_call >= (int)i; j++)
			if (ol->calls[j].parent_call == (int)i && (!strcmp(ol->calls[j].name, "CopyIn") ||
								   !strcmp(ol->calls[j].name, "CopyInSchema")))
				op = GDB_BULK;
		sql = -1;
		if (op == GDB_NONE && (sql = sql_arg(g, c)) >= 0)
			op = classify_tok(ol, sql);
		if (op == GDB_NONE)
			continue;
		if (g->npreps == cap) {
			struct prep *v = realloc(g->preps, (cap = cap ? cap * 2 : 8) * sizeof(*v));
			if (!v)
				return -1;
			g->preps = v;
		}
		g->preps[g->npreps].func = c->func;
		g->preps[g->npreps].name = ol->toks->src + ol->toks->v[nm].off;
		g->preps[g->npreps].nlen = ol->toks->v[nm].len;
		g->preps[g->npreps].op = op;
		g->preps[g->npreps].tok = sql >= 0 ? (uint32_t)sql : c->name_begin;
		g->npreps++;
	}
	return 0;
}

/* name = "..." / name := `...` / const name = "..." with nothing after */
static int add_consts(struct go_db *g)
{
	const struct py_toks *t = g->ol->toks;
	size_t i, cap = 0;
	int st;
	for (i = 0; i + 3 < t->n; i++) {
		if (t->v[i].kind != PT_NAME || !(py_tok_is(t, i + 1, "=") || py_tok_is(t, i + 1, ":=")) ||
		    t->v[i + 2].kind != PT_STRING || t->v[i + 3].kind != PT_NEWLINE)
			continue;
		if (g->nconsts == cap) {
			struct sqlconst *v = realloc(g->consts, (cap = cap ? cap * 2 : 8) * sizeof(*v));
			if (!v)
				return -1;
			g->consts = v;
		}
		g->consts[g->nconsts].name = t->src + t->v[i].off;
		g->consts[g->nconsts].nlen = t->v[i].len;
		g->consts[g->nconsts].str = (uint32_t)(i + 2);
		g->consts[g->nconsts].tok = (uint32_t)i;
		st = py_outline_stmt_of_tok(g->ol, (uint32_t)i);
		g->consts[g->nconsts].func = st >= 0 ? g->ol->blocks[g->ol->stmts[st].block].func : -1;
		g->nconsts++;
	}
	return 0;
}

struct go_db *go_db_new(const struct py_outline *ol, const struct go_types *gt)
{
	struct go_db *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->ol = ol;
	g->gt = gt;
	if (add_consts(g) < 0 || add_preps(g) < 0) {
		go_db_free(g);
		return NULL;
	}
	return g;
}

void go_db_free(struct go_db *g)
{
	if (!g)
		return;
	free(g->preps);
	free(g->consts);
	free(g);
}

/* Number of elements of the composite literal starting at token i
 * ([]T{a, b} or [...]T{...}), or -1 when i does not start one. */
static int literal_len(const struct py_toks *t, uint32_t i, uint32_t end)
{
	uint32_t d;
	int n = 0;
	if (i >= end || !py_tok_is(t, i, "["))
		return -1;
	while (i < end && !py_tok_is(t, i, "{") && !py_tok_is(t, i, "(") && t->v[i].kind != PT_NEWLINE)
		i++;
	if (i >= end || !py_tok_is(t, i, "{"))
		return -1;
	d = t->v[i].depth + 1u;
	for (i++; i < end && !(py_tok_is(t, i, "}") && t->v[i].depth == d); i++) {
		if (t->v[i].depth != d || t->v[i].kind == PT_NEWLINE)
			continue;
		if (py_tok_is(t, i, ","))
			n += !py_tok_is(t, i + 1, "}") && !(t->v[i + 1].kind == PT_NEWLINE && py_tok_is(t, i + 2, "}"));
		else if (n == 0)
			n = 1;
	}
	return n;
}

/* Elements of the literal the range expression names: the expression
 * itself, or a variable of the enclosing function bound to a literal
 * before the loop (models := []any{...}); -1 when not a literal. */
static int range_literal_len(const struct py_outline *ol, const struct py_block *k)
{
	const struct py_toks *t = ol->toks;
	uint32_t i, from;
	int f, n = -1;
	if (k->iter_begin < k->iter_end && py_tok_is(t, k->iter_begin, "["))
		return literal_len(t, k->iter_begin, k->iter_end);
	if (k->iter_end != k->iter_begin + 1 || t->v[k->iter_begin].kind != PT_NAME || k->func < 0)
		return -1;
	f = k->func;
	from = ol->blocks[f].body_begin;
	for (i = from; i + 2 < k->hdr_begin; i++)
		if (t->v[i].len == t->v[k->iter_begin].len && t->v[i].kind == PT_NAME &&
		    !memcmp(t->src + t->v[i].off, t->src + t->v[k->iter_begin].off, t->v[i].len) &&
		    (py_tok_is(t, i + 1, ":=") || py_tok_is(t, i + 1, "=")))
			n = literal_len(t, i + 2, k->hdr_begin);
	return n;
}

int go_db_item_loop(const struct py_outline *ol, int b)
{
	const struct py_block *k = &ol->blocks[b];
	const struct py_toks *t = ol->toks;
	uint32_t i;
	int range = 0, n;
	if (k->kind != PB_FOR)
		return 0;
	for (i = k->hdr_begin + 1; i < k->hdr_end; i++)
		if (py_tok_is(t, i, "range"))
			range = 1;
	if (!range) {
		/* for i := 0; i < 3; i++: a fixed handful of attempts, not items */
		for (i = k->hdr_begin + 1; i + 1 < k->hdr_end; i++)
			if ((py_tok_is(t, i, "<") || py_tok_is(t, i, "<=")) && t->v[i + 1].kind == PT_NUMBER &&
			    t->v[i + 1].len == 1 && t->src[t->v[i + 1].off] <= '5' && !py_tok_is(t, i + 2, "*"))
				return 0;
		return k->hdr_end > k->hdr_begin + 1;
	}
	/* a range over a literal of a handful of elements: fixed work */
	n = range_literal_len(ol, k);
	return n < 0 || n > 5;
}

int go_db_call_loop(const struct py_outline *ol, int ci)
{
	int b = ol->calls[ci].block;
	while (b >= 0 && ol->blocks[b].kind != PB_DEF) {
		if (ol->blocks[b].kind == PB_FOR)
			return go_db_item_loop(ol, b) ? b : -1;
		b = ol->blocks[b].parent;
	}
	return -1;
}

static int has_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	const char *p = path;
	for (;;) {
		if (!strncmp(p, dir, n) && p[n] == '/')
			return 1;
		if (!(p = strchr(p, '/')))
			return 0;
		p++;
	}
}

int go_db_skip_path(const char *path)
{
	size_t n = strlen(path);
	return (n > 8 && !strcmp(path + n - 8, "_test.go")) || has_dir(path, "testdata") || has_dir(path, "vendor") ||
	       has_dir(path, "migrations");
}

int go_db_once_path(const char *path)
{
	return has_dir(path, "cmd") || has_dir(path, "scripts") || has_dir(path, "tools");
}

enum severity go_db_severity(const struct py_outline *ol, int func, const char *path, enum severity base)
{
	enum severity s = base;
	if (func < 0 || !ol->blocks[func].handler)
		s = s > SEV_LOW ? (enum severity)(s - 1) : s;
	if (go_db_once_path(path))
		s = s > SEV_LOW ? (enum severity)(s - 1) : s;
	return s;
}

char *go_db_loop_text(const struct py_outline *ol, int b)
{
	const struct py_block *k = &ol->blocks[b];
	const struct py_toks *t = ol->toks;
	size_t n = 1, o = 0;
	uint32_t i;
	char *out;
	for (i = k->hdr_begin + 1; i < k->hdr_end; i++)
		n += t->v[i].len + 1;
	if (!(out = malloc(n)))
		return NULL;
	for (i = k->hdr_begin + 1; i < k->hdr_end; i++) {
		const struct py_tok *v = &t->v[i];
		if (o && v->off > t->v[i - 1].off + t->v[i - 1].len && v->kind != PT_NEWLINE)
			out[o++] = ' ';
		if (v->kind == PT_NEWLINE) {
			if (v->len)
				out[o++] = ';';
			continue;
		}
		memcpy(out + o, t->src + v->off, v->len);
		o += v->len;
	}
	out[o] = '\0';
	return out;
}

int go_db_loop(const struct go_db *g, int ci)
{
	int b = go_db_call_loop(g->ol, ci);
	const struct py_block *k;
	const char *ty;
	char *it;
	if (b < 0 || !g->gt)
		return b;
	k = &g->ol->blocks[b];
	if (k->iter_end <= k->iter_begin || !k->target)
		return b;
	/* for msg := range ch: one write per incoming message, like a consumer loop */
	if (!(it = py_outline_text(g->ol, k->iter_begin, k->iter_end)))
		return b;
	ty = go_types_of(g->gt, k->parent, k->hdr_begin, it);
	free(it);
	if (ty && (!strncmp(ty, "chan", 4) || !strncmp(ty, "<-chan", 6)))
		return -1;
	return b;
}
