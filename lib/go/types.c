/*
 * go/types: static types of names, as far as one file declares them.
 *
 * One pass over the statements collects bindings (parameters, receivers,
 * "var x T", "x := &T{...}", "x := expr") and the fields of the file's
 * struct types; both arrays are sorted once and searched by bisection.
 * A binding to an expression is typed when asked, from a small table of
 * constructors and methods whose result type is known (sql.Open ->
 * sql.DB, db.BeginTx -> sql.Tx, GORM's chain methods -> gorm.DB ...), so
 * "tx := s.db.Begin()" is a *sql.Tx when Store's db field is a *sql.DB.
 * Block scoping is not modelled: a name's latest binding before the use
 * in the same function, then in the enclosing functions, then at package
 * level, gives its type.
 */
#include <stdlib.h>
#include <string.h>

#include "go/go.h"
#include "py/arena.h"

#define MAX_DEPTH 8

struct bind {
	int func;            /* def the name belongs to, -1 at package level */
	const char *name;
	uint32_t tok;        /* visible from this token on */
	const char *type;    /* known type, or NULL: infer from the expression */
	uint32_t eb, ee;     /* the expression [eb,ee) */
};

struct field {
	const char *strct, *name, *type;
	int tag;             /* token of the tag string, or -1 */
	int embedded;
	uint32_t order;      /* declaration order */
};

struct go_types {
	const struct py_outline *ol;
	struct py_arena *arena;
	int32_t *match;
	struct bind *binds;
	size_t nbinds, capb;
	struct field *fields;
	size_t nfields, capf;
};

static int tis(const struct go_types *gt, uint32_t i, const char *s)
{
	return py_tok_is(gt->ol->toks, i, s);
}

static int tname(const struct go_types *gt, uint32_t i)
{
	const struct py_toks *t = gt->ol->toks;
	return i < t->n && t->v[i].kind == PT_NAME && !(t->v[i].flags & PTF_KEYWORD);
}

static int tnl(const struct go_types *gt, uint32_t i)
{
	return i < gt->ol->toks->n && gt->ol->toks->v[i].kind == PT_NEWLINE;
}

static uint32_t skip(const struct go_types *gt, uint32_t i, uint32_t end)
{
	int32_t m = gt->match[i];
	return m > (int32_t)i && (uint32_t)m < end ? (uint32_t)m + 1 : i + 1;
}

static int match_brackets(struct go_types *gt)
{
	const struct py_toks *t = gt->ol->toks;
	int32_t *stack = malloc((t->n + 1) * sizeof(int32_t));
	size_t sp = 0, i;
	gt->match = malloc((t->n + 1) * sizeof(int32_t));
	if (!stack || !gt->match) {
		free(stack);
		return -1;
	}
	for (i = 0; i < t->n; i++) {
		const struct py_tok *k = &t->v[i];
		char c, want;
		gt->match[i] = -1;
		if (k->kind != PT_OP || k->len != 1)
			continue;
		c = t->src[k->off];
		if (c == '(' || c == '[' || c == '{') {
			stack[sp++] = (int32_t)i;
			continue;
		}
		want = c == ')' ? '(' : c == ']' ? '[' : c == '}' ? '{' : 0;
		if (!want)
			continue;
		if (c == '}')
			while (sp > 0 && t->src[t->v[stack[sp - 1]].off] != '{')
				sp--;
		if (sp > 0 && t->src[t->v[stack[sp - 1]].off] == want) {
			sp--;
			gt->match[i] = stack[sp];
			gt->match[stack[sp]] = (int32_t)i;
		}
	}
	free(stack);
	return 0;
}

/* Arena text of tokens [b,e) without a leading '*' or '&'. */
static const char *type_text(const struct go_types *gt, uint32_t b, uint32_t e)
{
	char *s, *r;
	while (b < e && (tis(gt, b, "*") || tis(gt, b, "&")))
		b++;
	if (b >= e)
		return NULL;
	s = py_outline_text(gt->ol, b, e);
	if (!s)
		return NULL;
	r = py_arena_strndup(gt->arena, s, strlen(s));
	free(s);
	return r;
}

static const char *tok_text(const struct go_types *gt, uint32_t i)
{
	return py_arena_strndup(gt->arena, py_tok_text(gt->ol->toks, i), gt->ol->toks->v[i].len);
}

static int add_bind(struct go_types *gt, int func, uint32_t nm, uint32_t tok, const char *type, uint32_t eb,
		    uint32_t ee)
{
	struct bind *b;
	if (gt->nbinds == gt->capb) {
		size_t nc = gt->capb ? gt->capb * 2 : 64;
		struct bind *nv = realloc(gt->binds, nc * sizeof(*nv));
		if (!nv)
			return -1;
		gt->binds = nv;
		gt->capb = nc;
	}
	b = &gt->binds[gt->nbinds];
	b->func = func;
	b->name = tok_text(gt, nm);
	b->tok = tok;
	b->type = type;
	b->eb = eb;
	b->ee = ee;
	if (!b->name)
		return -1;
	gt->nbinds++;
	return 0;
}

static int add_field(struct go_types *gt, const char *strct, const char *name, const char *type, int tag,
		     int embedded)
{
	if (!name || !type)
		return 0;
	if (gt->nfields == gt->capf) {
		size_t nc = gt->capf ? gt->capf * 2 : 64;
		struct field *nv = realloc(gt->fields, nc * sizeof(*nv));
		if (!nv)
			return -1;
		gt->fields = nv;
		gt->capf = nc;
	}
	gt->fields[gt->nfields].strct = strct;
	gt->fields[gt->nfields].name = name;
	gt->fields[gt->nfields].type = type;
	gt->fields[gt->nfields].tag = tag;
	gt->fields[gt->nfields].embedded = embedded;
	gt->fields[gt->nfields].order = (uint32_t)gt->nfields;
	gt->nfields++;
	return 0;
}

/* The fields of struct type strct, body (lb, rb). */
static int struct_fields(struct go_types *gt, const char *strct, uint32_t lb, uint32_t rb)
{
	uint32_t k = lb + 1;
	while (k < rb) {
		uint32_t s = k, e, te, n;
		int tag;
		while (k < rb && !tnl(gt, k))
			k = skip(gt, k, rb);
		e = k++;
		if (e <= s)
			continue;
		te = e;
		tag = -1;
		if (gt->ol->toks->v[te - 1].kind == PT_STRING) /* the tag */
			tag = (int)--te;
		/* names: a, b T; or an embedded *pkg.T */
		for (n = s; n + 1 < te && tname(gt, n) && tis(gt, n + 1, ","); n += 2)
			;
		if (tname(gt, n) && n + 1 < te && !tis(gt, n + 1, ".")) {
			const char *ty = type_text(gt, n + 1, te);
			uint32_t j;
			for (j = s; j <= n; j += 2)
				if (add_field(gt, strct, tok_text(gt, j), ty, tag, 0) < 0)
					return -1;
		} else if (s < te) {
			uint32_t last = te - 1;
			if (tname(gt, last) &&
			    add_field(gt, strct, tok_text(gt, last), type_text(gt, s, te), tag, 1) < 0)
				return -1;
		}
	}
	return 0;
}

/* "type Name struct {...}" specs from token k (after "type", or inside
 * a group), up to end. */
static int type_spec(struct go_types *gt, uint32_t k, uint32_t end)
{
	uint32_t s;
	if (!tname(gt, k))
		return 0;
	s = k + 1;
	if (s < end && tis(gt, s, "[")) /* type parameters */
		s = skip(gt, s, end);
	if (s + 1 < end && py_tok_is(gt->ol->toks, s, "struct") && tis(gt, s + 1, "{") &&
	    gt->match[s + 1] > (int32_t)s + 1)
		return struct_fields(gt, tok_text(gt, k), s + 1, (uint32_t)gt->match[s + 1]);
	return 0;
}

/* Known type of the expression [eb,ee) that needs no lookup: &T{...},
 * T{...}, new(T); NULL otherwise. */
static const char *literal_type(const struct go_types *gt, uint32_t eb, uint32_t ee)
{
	uint32_t k = eb;
	if (ee <= eb)
		return NULL;
	if (tis(gt, k, "&"))
		k++;
	if (tis(gt, ee - 1, "}") && gt->match[ee - 1] > (int32_t)k) {
		uint32_t lb = (uint32_t)gt->match[ee - 1], j;
		for (j = k; j < lb; j++)
			if (!(tname(gt, j) || tis(gt, j, ".")))
				return NULL;
		return type_text(gt, k, lb);
	}
	if (k == eb && tis(gt, k, "new") && tis(gt, k + 1, "(") && gt->match[k + 1] == (int32_t)ee - 1)
		return type_text(gt, k + 2, ee - 1);
	/* "a" + x is a string; 1 and 1.5 are an int and a float64 */
	if (k == eb && gt->ol->toks->v[k].kind == PT_STRING)
		return gt->ol->toks->src[gt->ol->toks->v[k].off] == '\'' ? "rune" : "string";
	if (k == eb && gt->ol->toks->v[k].kind == PT_NUMBER && k + 1 == ee) {
		const struct py_tok *n = &gt->ol->toks->v[k];
		const char *p = gt->ol->toks->src + n->off;
		int hex = n->len > 1 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
		if (p[n->len - 1] == 'i')
			return "complex128";
		if (memchr(p, '.', n->len) || (!hex && (memchr(p, 'e', n->len) || memchr(p, 'E', n->len))) ||
		    (hex && (memchr(p, 'p', n->len) || memchr(p, 'P', n->len))))
			return "float64";
		return "int";
	}
	return NULL;
}

/* End of the expression starting at k: the statement's NEWLINE (at the
 * same level) or end. */
static uint32_t expr_end(const struct go_types *gt, uint32_t k, uint32_t end)
{
	while (k < end && !tnl(gt, k) && !tis(gt, k, ","))
		k = skip(gt, k, end);
	return k;
}

/* Binds names[0..n) to the expressions from j on (one each, or the first
 * name to a multi-value call). */
static int bind_exprs(struct go_types *gt, int f, const uint32_t *names, unsigned n, uint32_t j, uint32_t end)
{
	unsigned i = 0;
	while (j < end && i < n) {
		uint32_t ee = expr_end(gt, j, end);
		if (ee > j && !tis(gt, names[i], "_") &&
		    add_bind(gt, f, names[i], ee, literal_type(gt, j, ee), j, ee) < 0)
			return -1;
		i++;
		if (ee >= end || !tis(gt, ee, ","))
			break;
		j = ee + 1;
	}
	return 0;
}

/* One var spec at j: "x, y T", "x T = e" or "x = e". */
static int var_spec(struct go_types *gt, int f, uint32_t j, uint32_t end)
{
	uint32_t names[16], e, ts;
	unsigned n = 0, i;
	for (; j < end && tname(gt, j) && n < 16; j += 2) {
		names[n++] = j;
		if (!tis(gt, j + 1, ","))
			break;
	}
	if (n == 0)
		return 0;
	ts = e = names[n - 1] + 1;
	while (e < end && !tnl(gt, e) && !tis(gt, e, "="))
		e = skip(gt, e, end);
	if (e > ts) {
		const char *ty = type_text(gt, ts, e);
		for (i = 0; i < n && ty; i++)
			if (add_bind(gt, f, names[i], names[i], ty, 0, 0) < 0)
				return -1;
		return 0;
	}
	return e < end && tis(gt, e, "=") ? bind_exprs(gt, f, names, n, e + 1, end) : 0;
}

/* Bindings of the simple statement at k in function f: x := e, a, b := e,
 * var x T, var x = e, var ( ... ). */
static int stmt_binds(struct go_types *gt, int f, uint32_t k, uint32_t end)
{
	uint32_t names[16], j;
	unsigned n = 0;
	if (py_tok_is(gt->ol->toks, k, "var")) {
		if (tis(gt, k + 1, "(") && gt->match[k + 1] > (int32_t)k + 1) {
			uint32_t rp = (uint32_t)gt->match[k + 1], s = k + 2;
			while (s < rp) {
				if (tnl(gt, s)) {
					s++;
					continue;
				}
				if (var_spec(gt, f, s, rp) < 0)
					return -1;
				while (s < rp && !tnl(gt, s))
					s = skip(gt, s, rp);
			}
			return 0;
		}
		return var_spec(gt, f, k + 1, end);
	}
	for (j = k; j < end && tname(gt, j) && n < 16; j += 2) {
		names[n++] = j;
		if (!tis(gt, j + 1, ","))
			break;
	}
	if (n == 0 || !tis(gt, names[n - 1] + 1, ":="))
		return 0;
	return bind_exprs(gt, f, names, n, names[n - 1] + 2, end);
}

static int cmp_bind(const void *a, const void *b)
{
	const struct bind *x = a, *y = b;
	int c;
	if (x->func != y->func)
		return x->func < y->func ? -1 : 1;
	c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->tok < y->tok ? -1 : x->tok > y->tok;
}

static int cmp_field(const void *a, const void *b)
{
	const struct field *x = a, *y = b;
	int c = strcmp(x->strct, y->strct);
	if (c)
		return c;
	c = strcmp(x->name, y->name);
	return c ? c : (x->order > y->order) - (x->order < y->order);
}

static int collect(struct go_types *gt)
{
	const struct py_outline *ol = gt->ol;
	const struct py_toks *t = ol->toks;
	size_t i;
	unsigned p;
	for (i = 0; i < ol->nblocks; i++) {
		const struct py_block *d = &ol->blocks[i];
		int rt;
		if (d->kind != PB_DEF)
			continue;
		for (p = 0; p < d->nparams; p++) {
			const char *pt = d->param_texts[p], *nm = d->params[p];
			size_t l = strlen(nm);
			uint32_t k;
			if (!strcmp(nm, "_") || strncmp(pt, nm, l) || pt[l] != ' ')
				continue;
			pt += l + 1;
			while (*pt == '*')
				pt++;
			/* the parameter's name token, for the binding's name */
			for (k = d->hdr_begin; k < d->hdr_end; k++)
				if (t->v[k].kind == PT_NAME && t->v[k].len == l &&
				    !memcmp(py_tok_text(t, k), nm, l))
					break;
			if (k < d->hdr_end && add_bind(gt, (int)i, k, d->hdr_begin, pt, 0, 0) < 0)
				return -1;
		}
		rt = go_def_recv_tok(ol, (int)i);
		if (rt >= 0 && add_bind(gt, (int)i, (uint32_t)rt, d->hdr_begin, d->recv, 0, 0) < 0)
			return -1;
	}
	for (i = 0; i < ol->nstmts; i++) {
		const struct py_stmt *s = &ol->stmts[i];
		int f = ol->blocks[s->block].func;
		uint32_t k = s->tok_begin, end = (uint32_t)t->n;
		if (py_tok_is(t, k, "type")) {
			if (tis(gt, k + 1, "(") && gt->match[k + 1] > (int32_t)k + 1) {
				uint32_t rp = (uint32_t)gt->match[k + 1], j = k + 2;
				while (j < rp) {
					if (type_spec(gt, j, rp) < 0)
						return -1;
					while (j < rp && !tnl(gt, j))
						j = skip(gt, j, rp);
					j++;
				}
			} else if (type_spec(gt, k + 1, end) < 0) {
				return -1;
			}
			continue;
		}
		if (s->opens >= 0) {
			const struct py_block *o = &ol->blocks[s->opens];
			/* if x := f(); ... and switch x := f(); ...; a statement
			 * split by a function literal reads on past it */
			if (o->kind == PB_IF || o->kind == PB_ELIF || o->kind == PB_MATCH) {
				k = o->hdr_begin + 1;
				end = o->hdr_end;
			} else if (!(o->kind == PB_DEF && o->hdr_begin > s->tok_begin)) {
				continue;
			}
		}
		if (stmt_binds(gt, f, k, end) < 0)
			return -1;
	}
	if (gt->nbinds)
		qsort(gt->binds, gt->nbinds, sizeof(*gt->binds), cmp_bind);
	if (gt->nfields)
		qsort(gt->fields, gt->nfields, sizeof(*gt->fields), cmp_field);
	return 0;
}

struct go_types *go_types_new(const struct py_outline *ol)
{
	struct go_types *gt = calloc(1, sizeof(*gt));
	if (!gt)
		return NULL;
	gt->ol = ol;
	gt->arena = py_arena_new();
	if (!gt->arena || match_brackets(gt) < 0 || collect(gt) < 0) {
		go_types_free(gt);
		return NULL;
	}
	return gt;
}

void go_types_free(struct go_types *gt)
{
	if (!gt)
		return;
	py_arena_free(gt->arena);
	free(gt->match);
	free(gt->binds);
	free(gt->fields);
	free(gt);
}

/* ---- lookups */

/* The latest binding of name in function f before token tok (any binding
 * at package level, f < 0). */
static const struct bind *find_bind(const struct go_types *gt, int f, const char *name, size_t nl,
				    uint32_t tok)
{
	size_t lo = 0, hi = gt->nbinds;
	const struct bind *best = NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct bind *b = &gt->binds[mid];
		int c = b->func != f ? (b->func < f ? -1 : 1) : strncmp(b->name, name, nl);
		if (c == 0 && b->name[nl] != '\0')
			c = 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < gt->nbinds; lo++) {
		const struct bind *b = &gt->binds[lo];
		if (b->func != f || strncmp(b->name, name, nl) || b->name[nl] != '\0')
			break;
		if (f >= 0 && b->tok >= tok)
			break;
		best = b;
	}
	return best;
}

static const char *field_type(const struct go_types *gt, const char *strct, const char *name, size_t nl)
{
	size_t lo = 0, hi = gt->nfields;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct field *x = &gt->fields[mid];
		int c = strcmp(x->strct, strct);
		if (!c) {
			c = strncmp(x->name, name, nl);
			if (!c && x->name[nl] != '\0')
				c = 1;
		}
		if (c == 0)
			return x->type;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct result {
	const char *recv; /* receiver type, NULL for a package function */
	const char *name; /* method or "pkg.Func" */
	const char *type;
};

static const char *const gorm_chain[] = {
	"Where", "Model", "Table", "Select", "Omit", "Joins", "InnerJoins", "Preload", "Order", "Limit",
	"Offset", "Group", "Having", "Distinct", "Unscoped", "Raw", "Session", "WithContext", "Debug",
	"Clauses", "Scopes", "Begin", "Not", "Or", "Attrs", "Assign", "Find", "First", "Take", "Last",
	"Create", "Save", "Updates", "Update", "UpdateColumn", "UpdateColumns", "Delete", "Exec", "Scan",
	"Count", "Pluck", "FirstOrCreate", "FirstOrInit", "CreateInBatches", "FindInBatches", NULL
};

static const struct result results[] = {
	{ NULL, "sql.Open", "sql.DB" }, { NULL, "sql.OpenDB", "sql.DB" },
	{ NULL, "sqlx.Open", "sqlx.DB" }, { NULL, "sqlx.Connect", "sqlx.DB" },
	{ NULL, "sqlx.MustConnect", "sqlx.DB" }, { NULL, "sqlx.MustOpen", "sqlx.DB" },
	{ NULL, "sqlx.NewDb", "sqlx.DB" }, { NULL, "gorm.Open", "gorm.DB" },
	{ NULL, "pgxpool.New", "pgxpool.Pool" }, { NULL, "pgxpool.NewWithConfig", "pgxpool.Pool" },
	{ NULL, "pgxpool.Connect", "pgxpool.Pool" }, { NULL, "pgxpool.ConnectConfig", "pgxpool.Pool" },
	{ NULL, "pgx.Connect", "pgx.Conn" }, { NULL, "pgx.ConnectConfig", "pgx.Conn" },
	{ NULL, "http.NewRequest", "http.Request" }, { NULL, "http.NewRequestWithContext", "http.Request" },
	{ NULL, "http.Get", "http.Response" }, { NULL, "http.Post", "http.Response" },
	{ NULL, "http.Head", "http.Response" }, { NULL, "http.PostForm", "http.Response" },
	{ NULL, "os.Open", "os.File" }, { NULL, "os.Create", "os.File" }, { NULL, "os.OpenFile", "os.File" },
	{ NULL, "bufio.NewScanner", "bufio.Scanner" }, { NULL, "bufio.NewReader", "bufio.Reader" },
	{ NULL, "bufio.NewWriter", "bufio.Writer" }, { NULL, "json.NewDecoder", "json.Decoder" },
	{ NULL, "json.NewEncoder", "json.Encoder" }, { NULL, "time.NewTicker", "time.Ticker" },
	{ NULL, "time.NewTimer", "time.Timer" }, { NULL, "bytes.NewBuffer", "bytes.Buffer" },
	{ NULL, "bytes.NewBufferString", "bytes.Buffer" }, { NULL, "strings.NewReader", "strings.Reader" },
	{ NULL, "redis.NewClient", "redis.Client" }, { NULL, "fmt.Sprintf", "string" },
	{ NULL, "fmt.Sprint", "string" }, { NULL, "fmt.Sprintln", "string" },
	{ NULL, "strings.Join", "string" },
	{ NULL, "strings.Repeat", "string" }, { NULL, "strings.ToLower", "string" },
	{ NULL, "strings.ToUpper", "string" }, { NULL, "strings.TrimSpace", "string" },
	{ NULL, "strings.ReplaceAll", "string" }, { NULL, "strings.Replace", "string" },
	{ NULL, "strconv.Itoa", "string" }, { NULL, "strconv.FormatInt", "string" },
	{ NULL, "strconv.Quote", "string" }, { NULL, "time.Now", "time.Time" },
	{ NULL, "time.Since", "time.Duration" }, { NULL, "strings.Split", "[]string" },
	{ NULL, "strings.Fields", "[]string" },
	{ "strings.Builder", "String", "string" }, { "bytes.Buffer", "String", "string" },
	{ "sql.DB", "Begin", "sql.Tx" }, { "sql.DB", "BeginTx", "sql.Tx" },
	{ "sql.Conn", "BeginTx", "sql.Tx" },
	{ "sql.DB", "Conn", "sql.Conn" },
	{ "sql.*", "Query", "sql.Rows" }, { "sql.*", "QueryContext", "sql.Rows" },
	{ "sql.*", "QueryRow", "sql.Row" }, { "sql.*", "QueryRowContext", "sql.Row" },
	{ "sql.*", "Prepare", "sql.Stmt" }, { "sql.*", "PrepareContext", "sql.Stmt" },
	{ "sqlx.DB", "Beginx", "sqlx.Tx" }, { "sqlx.DB", "BeginTxx", "sqlx.Tx" },
	{ "sqlx.DB", "MustBegin", "sqlx.Tx" }, { "sqlx.DB", "Begin", "sql.Tx" },
	{ "sqlx.DB", "BeginTx", "sql.Tx" }, { "sqlx.*", "Queryx", "sqlx.Rows" },
	{ "sqlx.*", "QueryRowx", "sqlx.Row" }, { "sqlx.*", "Preparex", "sqlx.Stmt" },
	{ "pgxpool.Pool", "Begin", "pgx.Tx" }, { "pgxpool.Pool", "BeginTx", "pgx.Tx" },
	{ "pgxpool.Pool", "Acquire", "pgxpool.Conn" }, { "pgx.Conn", "Begin", "pgx.Tx" },
	{ "pgx.Conn", "BeginTx", "pgx.Tx" }, { "pgx.Tx", "Begin", "pgx.Tx" },
	{ "pgx*", "Query", "pgx.Rows" }, { "pgx*", "QueryRow", "pgx.Row" },
	{ "http.Client", "Do", "http.Response" }, { "http.Client", "Get", "http.Response" },
	{ "http.Client", "Post", "http.Response" },
	{ NULL, NULL, NULL }
};

static const char *const basic_types[] = {
	"string", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64",
	"uintptr", "float32", "float64", "byte", "rune", "bool", NULL
};

/* 1 when type ty matches pattern p: exact, "sql.*" (any sql type) or
 * "pgx*" (pgx and pgxpool types). */
static int type_is(const char *ty, const char *p)
{
	size_t n = strlen(p);
	if (p[n - 1] == '*')
		return !strncmp(ty, p, n - 1);
	return !strcmp(ty, p);
}

static const char *recv_of(const struct go_types *gt, int ci, int depth);

static const char *call_result(const struct go_types *gt, int ci, int depth)
{
	const struct py_call *c = &gt->ol->calls[ci];
	const char *rt;
	int i;
	if (depth > MAX_DEPTH || c->is_ref)
		return NULL;
	rt = recv_of(gt, ci, depth + 1);
	if (rt) {
		if (!strcmp(rt, "gorm.DB")) {
			for (i = 0; gorm_chain[i]; i++)
				if (!strcmp(gorm_chain[i], c->name))
					return "gorm.DB";
			return NULL;
		}
		for (i = 0; results[i].name; i++)
			if (results[i].recv && type_is(rt, results[i].recv) &&
			    !strcmp(results[i].name, c->name))
				return results[i].type;
		return NULL;
	}
	for (i = 0; results[i].name; i++)
		if (!results[i].recv && !strcmp(results[i].name, c->callee))
			return results[i].type;
	/* conversions to a basic type: string(b), int64(n), []byte(s) */
	for (i = 0; basic_types[i]; i++)
		if (!strcmp(basic_types[i], c->callee)) {
			const struct py_toks *t = gt->ol->toks;
			uint32_t nb = c->name_begin;
			if (nb >= 2 && py_tok_is(t, nb - 1, "]") && py_tok_is(t, nb - 2, "[")) {
				if (!strcmp(c->callee, "byte"))
					return "[]byte";
				return !strcmp(c->callee, "rune") ? "[]rune" : NULL;
			}
			return basic_types[i];
		}
	return NULL;
}

static const char *expr_type(const struct go_types *gt, int f, uint32_t tok, const char *expr, size_t len,
			     int depth);

/* The type of a binding. */
static const char *bind_type(const struct go_types *gt, const struct bind *b, int depth)
{
	const struct py_toks *t = gt->ol->toks;
	uint32_t k, e = b->ee;
	if (b->type || depth > MAX_DEPTH)
		return b->type;
	if (e <= b->eb)
		return NULL;
	/* a call: the one whose ')' ends the expression */
	if (py_tok_is(t, e - 1, ")") && gt->match[e - 1] > (int32_t)b->eb) {
		uint32_t lp = (uint32_t)gt->match[e - 1];
		size_t lo = 0, hi = gt->ol->ncalls;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (gt->ol->calls[mid].lparen < lp)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < gt->ol->ncalls && gt->ol->calls[lo].lparen == lp && !gt->ol->calls[lo].is_ref)
			return call_result(gt, (int)lo, depth + 1);
		return NULL;
	}
	/* a dotted name: its type */
	for (k = b->eb; k < e; k++)
		if (!(tname(gt, k) || py_tok_is(t, k, ".") || (k == b->eb && py_tok_is(t, k, "&"))))
			return NULL;
	k = py_tok_is(t, b->eb, "&") ? b->eb + 1 : b->eb;
	{
		char buf[256];
		size_t o = 0;
		uint32_t j;
		for (j = k; j < e && o + t->v[j].len < sizeof(buf); j++) {
			memcpy(buf + o, py_tok_text(t, j), t->v[j].len);
			o += t->v[j].len;
		}
		buf[o] = '\0';
		return o ? expr_type(gt, b->func, b->eb, buf, o, depth + 1) : NULL;
	}
}

static int enclosing_def(const struct py_outline *ol, int f)
{
	if (f < 0)
		return -1;
	return py_outline_enclosing(ol, ol->blocks[f].parent, PB_MASK(PB_DEF), 1);
}

static const char *name_type(const struct go_types *gt, int f, uint32_t tok, const char *name, size_t nl,
			     int depth)
{
	for (;;) {
		const struct bind *b = find_bind(gt, f, name, nl, tok);
		if (b)
			return bind_type(gt, b, depth);
		if (f < 0)
			return NULL;
		f = enclosing_def(gt->ol, f);
	}
}

static const char *expr_type(const struct go_types *gt, int f, uint32_t tok, const char *expr, size_t len,
			     int depth)
{
	const char *dot = memchr(expr, '.', len), *ty;
	size_t first = dot ? (size_t)(dot - expr) : len;
	if (depth > MAX_DEPTH || first == 0)
		return NULL;
	ty = name_type(gt, f, tok, expr, first, depth);
	while (ty && dot) {
		const char *s = dot + 1, *next = memchr(s, '.', len - (size_t)(s - expr));
		size_t n = next ? (size_t)(next - s) : len - (size_t)(s - expr);
		ty = field_type(gt, ty, s, n);
		dot = next;
	}
	return ty;
}

/* Receiver type of call ci: of a call result, a type assertion, or a
 * dotted name. */
static const char *recv_of(const struct go_types *gt, int ci, int depth)
{
	const struct py_outline *ol = gt->ol;
	const struct py_toks *t = ol->toks;
	const struct py_call *c = &ol->calls[ci];
	const char *dot = strrchr(c->callee, '.');
	uint32_t p;
	if (!dot || depth > MAX_DEPTH)
		return NULL;
	if (dot > c->callee && dot[-1] == ')') {
		/* "x.(*T).M": the asserted type; "f().M": the result's type */
		p = c->is_ref ? c->lparen : c->lparen - 1; /* the name */
		if (p < 3 || !py_tok_is(t, p - 1, ".") || !py_tok_is(t, p - 2, ")") || gt->match[p - 2] < 0)
			return NULL;
		{
			uint32_t lp = (uint32_t)gt->match[p - 2];
			size_t lo = 0, hi = ol->ncalls;
			if (lp > 0 && py_tok_is(t, lp - 1, "."))
				return type_text(gt, lp + 1, p - 2);
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (ol->calls[mid].lparen < lp)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < ol->ncalls && ol->calls[lo].lparen == lp && !ol->calls[lo].is_ref)
				return call_result(gt, (int)lo, depth + 1);
			return NULL;
		}
	}
	if (strchr(c->callee, '(') || strchr(c->callee, '['))
		return NULL;
	return expr_type(gt, c->block >= 0 ? ol->blocks[c->block].func : -1, c->name_begin, c->callee,
			 (size_t)(dot - c->callee), depth);
}

const char *go_types_recv(const struct go_types *gt, int call)
{
	if (!gt || call < 0 || (size_t)call >= gt->ol->ncalls)
		return NULL;
	return recv_of(gt, call, 0);
}

const char *go_types_of(const struct go_types *gt, int blk, uint32_t tok, const char *expr)
{
	int f;
	if (!gt || !expr || blk < 0 || (size_t)blk >= gt->ol->nblocks)
		return NULL;
	f = gt->ol->blocks[blk].func;
	return expr_type(gt, f, tok, expr, strlen(expr), 0);
}

int go_types_fields(const struct go_types *gt, const char *strct, struct go_field *out, int max)
{
	size_t lo = 0, hi, i;
	int n = 0;
	if (!gt || !strct)
		return 0;
	hi = gt->nfields;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(gt->fields[mid].strct, strct) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < gt->nfields && !strcmp(gt->fields[i].strct, strct); i++) {
		/* keep the max first in declaration order (insertion) */
		const struct field *f = &gt->fields[i];
		int j = n < max ? n : max;
		n++;
		if (j == max && (max == 0 || out[max - 1].decl < f->order))
			continue;
		if (j == max)
			j--;
		while (j > 0 && out[j - 1].decl > f->order) {
			out[j] = out[j - 1];
			j--;
		}
		out[j].name = f->name;
		out[j].type = f->type;
		out[j].tag_tok = f->tag;
		out[j].embedded = f->embedded;
		out[j].decl = f->order;
	}
	return n;
}
