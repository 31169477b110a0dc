/*
 * go/facts: what a Go outline says about handlers, receivers, string
 * literals and "if err != nil { return }" exits.
 *
 * A def is a request handler when its parameters carry a request (the
 * (http.ResponseWriter, *http.Request) pair, *gin.Context, echo.Context,
 * *fiber.Ctx), when a routing call of the same file registers it
 * (r.Get("/x", h), http.HandleFunc("/x", h), mux.Handle("/x",
 * http.HandlerFunc(h)), r.GET("/x", s.list)) or receives it as a literal,
 * or when it is nested in a handler.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "go/outline_p.h"

static const char *const route_verbs[] = {
	"Get", "Post", "Put", "Patch", "Delete", "Head", "Options", "Connect", "Trace", "Any", "All",
	"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT", "TRACE",
	"Handle", "HandleFunc", "Method", "MethodFunc", "Match", "Add", NULL
};

static int in_list(const char *const *list, const char *s)
{
	int i;
	for (i = 0; list[i]; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

const char *go_string_body(const struct py_toks *toks, size_t i, size_t *n)
{
	const struct py_tok *k;
	const char *s;
	if (i >= toks->n || toks->v[i].kind != PT_STRING || toks->v[i].len == 0)
		return NULL;
	k = &toks->v[i];
	s = toks->src + k->off;
	if (k->flags & PTF_UNTERMINATED)
		*n = k->len - 1;
	else
		*n = k->len >= 2 ? k->len - 2 : 0;
	return s + 1;
}

int go_def_recv_tok(const struct py_outline *ol, int def)
{
	const struct py_toks *t = ol->toks;
	uint32_t k;
	if (def < 0 || (size_t)def >= ol->nblocks || ol->blocks[def].kind != PB_DEF || !ol->blocks[def].recv)
		return -1;
	k = ol->blocks[def].hdr_begin + 1;
	if (!py_tok_is(t, k, "(") || k + 2 >= t->n || t->v[k + 1].kind != PT_NAME)
		return -1;
	if (py_tok_is(t, k + 2, ")") || py_tok_is(t, k + 2, ".") || py_tok_is(t, k + 2, "["))
		return -1; /* (Store), (pkg.T), (List[T]): no variable */
	return (int)(k + 1);
}

/* The last call whose '(' (or reference token) precedes token tok, or -1;
 * calls are in token order. */
static int call_before(const struct py_outline *ol, uint32_t tok)
{
	size_t lo = 0, hi = ol->ncalls;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ol->calls[mid].lparen < tok)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int)lo - 1;
}

static int is_lit(const struct py_outline *ol, int def)
{
	const struct py_block *d;
	if (def <= 0 || (size_t)def >= ol->nblocks)
		return 0;
	d = &ol->blocks[def];
	return d->kind == PB_DEF && !d->name && d->parent >= 0;
}

int go_lit_arg_of(const struct py_outline *ol, int def, int *arg_index)
{
	const struct py_toks *t = ol->toks;
	uint32_t at, k;
	int c, n = 0;
	if (arg_index)
		*arg_index = -1;
	if (!is_lit(ol, def))
		return -1;
	at = ol->blocks[def].hdr_begin;
	/* the innermost call around the literal is the last call before it
	 * or one of its enclosing calls */
	for (c = call_before(ol, at); c >= 0; c = ol->calls[c].parent_call) {
		const struct py_call *x = &ol->calls[c];
		if (!x->is_ref && x->lparen < at && at < x->rparen)
			break;
	}
	if (c < 0)
		return -1;
	for (k = ol->calls[c].lparen + 1; k < at; k++)
		if (t->v[k].depth == t->v[ol->calls[c].lparen].depth + 1 && py_tok_is(t, k, ","))
			n++;
	if (arg_index)
		*arg_index = n;
	return c;
}

int go_lit_invoked_by(const struct py_outline *ol, int def)
{
	uint32_t p;
	int c;
	if (!is_lit(ol, def))
		return -1;
	p = ol->blocks[def].body_end + 1;
	if (p >= ol->toks->n || !py_tok_is(ol->toks, p, "(") || !py_tok_is(ol->toks, p - 1, "}"))
		return -1;
	c = call_before(ol, p + 1);
	return c >= 0 && ol->calls[c].lparen == p ? c : -1;
}

/* The type part of parameter i of def d ("*http.Request" of "r *http.Request"). */
static const char *param_type(const struct py_block *d, unsigned i)
{
	const char *n = d->params[i], *t = d->param_texts[i];
	size_t l = strlen(n);
	if (!strncmp(t, n, l) && t[l] == ' ')
		return t + l + 1;
	return t;
}

static int typed_handler(const struct py_block *d)
{
	unsigned i;
	int rw = 0, req = 0;
	for (i = 0; i < d->nparams; i++) {
		const char *ty = param_type(d, i);
		if (!strcmp(ty, "http.ResponseWriter"))
			rw = 1;
		else if (!strcmp(ty, "*http.Request"))
			req = 1;
		else if (!strcmp(ty, "*gin.Context") || !strcmp(ty, "echo.Context") ||
			 !strcmp(ty, "*fiber.Ctx") || !strcmp(ty, "fiber.Ctx"))
			return 1;
	}
	return rw && req;
}

/* 1 when string token i is a route path: "/x", or "GET /x" (Go 1.22). */
static int route_path(const struct py_toks *t, uint32_t i)
{
	size_t n, k = 0;
	const char *s = go_string_body(t, i, &n);
	if (!s || n == 0)
		return 0;
	while (k < n && isupper((unsigned char)s[k]))
		k++;
	if (k > 0 && k < n && s[k] == ' ')
		k++;
	else
		k = 0;
	return k < n && s[k] == '/';
}

/* 1 when call c registers a route: r.Get("/x", ...), r.Method("GET", "/x", ...). */
static int routing_call(const struct py_outline *ol, const struct py_call *c)
{
	const struct py_toks *t = ol->toks;
	uint32_t k;
	if (c->is_ref || !strchr(c->callee, '.') || !in_list(route_verbs, c->name))
		return 0;
	if (c->rparen <= c->lparen + 1)
		return 0;
	k = c->lparen + 1;
	if (route_path(t, k))
		return 1;
	/* second argument: after the first comma at this level */
	if (t->v[k].kind == PT_STRING && k + 2 < c->rparen && py_tok_is(t, k + 1, ","))
		return route_path(t, k + 2);
	return 0;
}

/* 1 when call ci sits (up to three calls deep: wrappers such as
 * http.HandlerFunc(h) or auth(h)) in a handler argument of a routing call. */
static int under_routing(const struct py_outline *ol, int ci, int arg)
{
	int depth;
	for (depth = 0; ci >= 0 && depth < 4; depth++) {
		const struct py_call *c = &ol->calls[ci];
		if (routing_call(ol, c))
			return arg >= 1;
		arg = c->arg_index;
		ci = c->parent_call;
	}
	return 0;
}

static int registered(const struct py_outline *ol, const int *refs, size_t n, const struct py_block *d)
{
	size_t i;
	if (!d->name)
		return 0;
	for (i = 0; i < n; i++) {
		const char *cal = ol->calls[refs[i]].callee, *dot = strrchr(cal, '.');
		const char *last = dot ? dot + 1 : cal;
		if (strcmp(last, d->name))
			continue;
		/* h.list names a method; list a function of this package */
		if ((dot != NULL) == (d->recv != NULL))
			return 1;
	}
	return 0;
}

void gb_mark_handlers(struct go_build *b)
{
	struct py_outline *ol = b->ol;
	int *refs = NULL;
	size_t nrefs = 0, cap = 0, i;
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_call *c = &ol->calls[i];
		if (!c->is_ref || !under_routing(ol, c->parent_call, c->arg_index))
			continue;
		if (nrefs == cap) {
			size_t nc = cap ? cap * 2 : 16;
			int *nv = realloc(refs, nc * sizeof(*nv));
			if (!nv)
				break;
			refs = nv;
			cap = nc;
		}
		refs[nrefs++] = (int)i;
	}
	for (i = 0; i < b->nlits; i++)
		if (under_routing(ol, b->lits[i].call, b->lits[i].arg))
			ol->blocks[b->lits[i].def].handler = 1;
	for (i = 0; i < ol->nblocks; i++) {
		struct py_block *d = &ol->blocks[i];
		int outer;
		if (d->kind != PB_DEF || d->handler)
			continue;
		if (typed_handler(d) || (nrefs && registered(ol, refs, nrefs, d))) {
			d->handler = 1;
			continue;
		}
		/* blocks precede their children: the outer def is final */
		outer = py_outline_enclosing(ol, d->parent, PB_MASK(PB_DEF), 1);
		if (outer >= 0 && ol->blocks[outer].handler)
			d->handler = 1;
	}
	free(refs);
}

/* 1 when name token i reads as an error value: err, txErr, cerr, readError. */
static int err_name(const struct py_toks *t, uint32_t i)
{
	const char *s = py_tok_text(t, i);
	size_t n = t->v[i].len;
	if (t->v[i].kind != PT_NAME)
		return 0;
	if (n >= 3 && tolower((unsigned char)s[n - 3]) == 'e' && s[n - 2] == 'r' && s[n - 1] == 'r')
		return 1;
	return n >= 5 && tolower((unsigned char)s[n - 5]) == 'e' && !strncmp(s + n - 4, "rror", 4);
}

/* 1 when statement s exits the function: return, panic(...), log.Fatal*,
 * log.Panic*, os.Exit(...). */
static int exits(const struct py_outline *ol, const struct py_stmt *s)
{
	const struct py_toks *t = ol->toks;
	uint32_t k = s->tok_begin;
	if (py_tok_is(t, k, "return") || (py_tok_is(t, k, "panic") && py_tok_is(t, k + 1, "(")))
		return 1;
	if (k + 3 < s->tok_end && py_tok_is(t, k + 1, ".") && py_tok_is(t, k + 3, "(")) {
		const char *m = py_tok_text(t, k + 2);
		size_t n = t->v[k + 2].len;
		if (py_tok_is(t, k, "log") && n >= 5 && (!strncmp(m, "Fatal", 5) || !strncmp(m, "Panic", 5)))
			return 1;
		if (py_tok_is(t, k, "os") && py_tok_is(t, k + 2, "Exit"))
			return 1;
	}
	return 0;
}

int go_stmt_is_err_return(const struct py_outline *ol, int stmt)
{
	const struct py_toks *t = ol->toks;
	const struct py_block *bl;
	uint32_t k, cond;
	size_t j;
	int found = 0;
	if (stmt < 0 || (size_t)stmt >= ol->nstmts || ol->stmts[stmt].opens < 0)
		return 0;
	bl = &ol->blocks[ol->stmts[stmt].opens];
	if (bl->kind != PB_IF && bl->kind != PB_ELIF)
		return 0;
	/* the condition follows the init statement's ';' */
	cond = bl->hdr_begin + 1;
	for (k = cond; k < bl->hdr_end; k++)
		if (t->v[k].kind == PT_NEWLINE && t->v[k].depth == t->v[bl->hdr_begin].depth)
			cond = k + 1;
	for (k = cond; k + 1 < bl->hdr_end && !found; k++) {
		if (!py_tok_is(t, k, "!="))
			continue;
		if (k > cond && err_name(t, k - 1) && py_tok_is(t, k + 1, "nil"))
			found = 1;
		else if (k > cond && py_tok_is(t, k - 1, "nil") && err_name(t, k + 1))
			found = 1;
	}
	if (!found)
		return 0;
	for (j = (size_t)stmt + 1; j < ol->nstmts && ol->stmts[j].tok_begin < bl->body_end; j++)
		if (ol->stmts[j].block == ol->stmts[stmt].opens && exits(ol, &ol->stmts[j]))
			return 1;
	return 0;
}
