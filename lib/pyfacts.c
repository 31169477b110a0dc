/*
 * pyfacts: shared predicates over a Python outline.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pyfacts.h"

int py_func_is_handler(const struct py_outline *ol, int f)
{
	return f >= 0 && (size_t)f < ol->nblocks && ol->blocks[f].kind == PB_DEF && ol->blocks[f].handler;
}

enum severity py_context_severity(const struct py_outline *ol, int f)
{
	return py_func_is_handler(ol, f) ? SEV_HIGH : SEV_MEDIUM;
}

int py_is_offload_callee(const char *callee)
{
	static const char *const names[] = {
		"to_thread", "run_in_executor", "run_sync", "run_in_threadpool", "submit",
		"sync_to_async", "run_sync_in_worker_thread", "defer_to_thread", NULL
	};
	const char *last = strrchr(callee, '.');
	int i;
	last = last ? last + 1 : callee;
	for (i = 0; names[i]; i++)
		if (!strcmp(last, names[i]))
			return 1;
	return 0;
}

int py_call_offloaded(const struct py_outline *ol, const struct py_call *c)
{
	int lam = py_outline_enclosing(ol, c->block, PB_MASK(PB_LAMBDA) | PB_MASK(PB_DEF), 1);
	int p;
	if (lam < 0 || ol->blocks[lam].kind != PB_LAMBDA)
		return 0;
	for (p = c->parent_call; p >= 0; p = ol->calls[p].parent_call) {
		const struct py_call *pc = &ol->calls[p];
		if (py_is_offload_callee(pc->callee) && pc->lparen < ol->blocks[lam].hdr_begin &&
		    ol->blocks[lam].hdr_begin < pc->rparen)
			return 1;
	}
	return 0;
}

int py_call_on_event_loop(const struct py_outline *ol, const struct py_call *c)
{
	return py_call_in_async_def(ol, c) && !py_call_offloaded(ol, c);
}

size_t py_first_call_from(const struct py_outline *ol, uint32_t tok)
{
	size_t lo = 0, hi = ol->ncalls;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ol->calls[mid].lparen < tok)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ==== Runtime-check helpers (added for audit-runtime): imports, value
 * flow and expression kinds.  See the matching section of pyfacts.h. ==== */

static int tok_is_augop(const struct py_toks *t, uint32_t i)
{
	static const char *const ops[] = { "+=", "-=", "*=", "/=", "//=", "%=", "**=", "|=", "&=",
					   "^=", ">>=", "<<=", "@=", NULL };
	int k;
	const struct py_tok *tk;
	if (i >= t->n)
		return 0;
	tk = &t->v[i];
	/* every augmented operator is an OP of 2-3 bytes ending in '=' */
	if (tk->kind != PT_OP || tk->len < 2 || t->src[tk->off + tk->len - 1] != '=')
		return 0;
	for (k = 0; ops[k]; k++)
		if (py_tok_is(t, i, ops[k]))
			return 1;
	return 0;
}

static int tok_is_open(const struct py_toks *t, uint32_t i)
{
	return py_tok_is(t, i, "(") || py_tok_is(t, i, "[") || py_tok_is(t, i, "{");
}

static int tok_is_closer(const struct py_toks *t, uint32_t i)
{
	return py_tok_is(t, i, ")") || py_tok_is(t, i, "]") || py_tok_is(t, i, "}");
}

uint32_t py_tok_close(const struct py_toks *t, uint32_t open, uint32_t end)
{
	uint32_t j;
	if (end > t->n)
		end = (uint32_t)t->n;
	for (j = open + 1; j < end; j++)
		if (t->v[j].depth == t->v[open].depth && tok_is_closer(t, j))
			return j;
		else if (t->v[j].kind == PT_NEWLINE || t->v[j].depth < t->v[open].depth)
			return end;
	return end;
}

int py_tok_is_chain(const struct py_toks *t, uint32_t begin, uint32_t end)
{
	uint32_t i;
	if (begin >= end || end > t->n)
		return 0;
	for (i = begin; i < end; i++) {
		if ((i - begin) % 2 == 0 ? t->v[i].kind != PT_NAME : !py_tok_is(t, i, "."))
			return 0;
	}
	return (end - begin) % 2 == 1;
}

/* -- imports -- */

static int imports_add(struct py_imports *im, const char *alias, size_t alen, const char *qual)
{
	struct py_import *e;
	if (im->n == im->cap) {
		size_t nc = im->cap ? im->cap * 2 : 16;
		struct py_import *nv = realloc(im->v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		im->v = nv;
		im->cap = nc;
	}
	e = &im->v[im->n];
	e->alias = strndup(alias, alen);
	e->qual = strdup(qual);
	if (!e->alias || !e->qual) {
		free(e->alias);
		free(e->qual);
		return -1;
	}
	im->n++;
	return 0;
}

/* Appends the dotted name (with leading dots of a relative import) at
 * token *i to buf; advances *i past it. */
static void read_dotted(const struct py_toks *t, uint32_t *i, uint32_t end, char *buf, size_t n)
{
	size_t o = strlen(buf);
	while (*i < end && (t->v[*i].kind == PT_NAME || py_tok_is(t, *i, ".") || py_tok_is(t, *i, "..."))) {
		if (t->v[*i].kind == PT_NAME && (py_tok_is(t, *i, "import") || py_tok_is(t, *i, "as")))
			break;
		if (o + t->v[*i].len + 1 < n) {
			memcpy(buf + o, py_tok_text(t, *i), t->v[*i].len);
			o += t->v[*i].len;
			buf[o] = '\0';
		}
		(*i)++;
	}
}

static int parse_import(const struct py_toks *t, uint32_t i, uint32_t end, struct py_imports *im)
{
	char mod[256], full[512];
	mod[0] = '\0';
	if (py_tok_is(t, i, "from")) {
		i++;
		read_dotted(t, &i, end, mod, sizeof(mod));
		if (!py_tok_is(t, i, "import"))
			return 0;
		i++;
	} else {
		i++; /* import */
	}
	while (i < end) {
		char name[256];
		uint32_t alias_tok;
		size_t dot;
		if (py_tok_is(t, i, "(") || py_tok_is(t, i, ")") || py_tok_is(t, i, ",")) {
			i++;
			continue;
		}
		if (t->v[i].kind != PT_NAME)
			break;
		name[0] = '\0';
		alias_tok = i;
		read_dotted(t, &i, end, name, sizeof(name));
		if (i == alias_tok) /* "import" or "as" where a name belongs: the statement is garbled */
			break;
		if (py_tok_is(t, i, "as") && i + 1 < end && t->v[i + 1].kind == PT_NAME) {
			alias_tok = i + 1;
			i += 2;
		} else if (!mod[0]) {
			/* "import a.b.c" binds a to the package a */
			dot = strcspn(name, ".");
			name[dot] = '\0';
		}
		if (mod[0])
			snprintf(full, sizeof(full), "%s%s%s", mod, mod[strlen(mod) - 1] == '.' ? "" : ".", name);
		else
			snprintf(full, sizeof(full), "%s", name);
		if (imports_add(im, py_tok_text(t, alias_tok), t->v[alias_tok].len, full) < 0)
			return -1;
	}
	return 0;
}

int py_imports_build(const struct py_outline *ol, struct py_imports *im)
{
	const struct py_toks *t = ol->toks;
	size_t s;
	memset(im, 0, sizeof(*im));
	for (s = 0; s < ol->nstmts; s++) {
		uint32_t b = ol->stmts[s].tok_begin;
		if (!py_tok_is(t, b, "import") && !(py_tok_is(t, b, "from") && ol->stmts[s].tok_end > b + 3))
			continue;
		if (parse_import(t, b, ol->stmts[s].tok_end, im) < 0) {
			py_imports_free(im);
			return -1;
		}
	}
	return 0;
}

void py_imports_free(struct py_imports *im)
{
	size_t i;
	for (i = 0; i < im->n; i++) {
		free(im->v[i].alias);
		free(im->v[i].qual);
	}
	free(im->v);
	memset(im, 0, sizeof(*im));
}

const char *py_qualify(const struct py_imports *im, const char *callee, char *buf, size_t n)
{
	size_t head = strcspn(callee, ".([");
	size_t i;
	for (i = im->n; i-- > 0;)
		if (strlen(im->v[i].alias) == head && !strncmp(im->v[i].alias, callee, head)) {
			snprintf(buf, n, "%s%s", im->v[i].qual, callee + head);
			return buf;
		}
	snprintf(buf, n, "%s", callee);
	return buf;
}

int py_callee_imported(const struct py_imports *im, const char *callee)
{
	size_t head = strcspn(callee, ".([");
	size_t i;
	for (i = 0; i < im->n; i++)
		if (strlen(im->v[i].alias) == head && !strncmp(im->v[i].alias, callee, head))
			return 1;
	return 0;
}

int py_imports_module(const struct py_imports *im, const char *module)
{
	size_t i, l = strlen(module);
	for (i = 0; i < im->n; i++)
		if (!strncmp(im->v[i].qual, module, l) && (im->v[i].qual[l] == '\0' || im->v[i].qual[l] == '.'))
			return 1;
	return 0;
}

static int word_in(const char *s, const char *w)
{
	size_t l = strlen(w);
	const char *p;
	for (p = s; *p; p++) {
		if (strncasecmp(p, w, l))
			continue;
		if ((p == s || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) &&
		    !(isalnum((unsigned char)p[l]) || p[l] == '_'))
			return 1;
	}
	return 0;
}

static int json_mentions(const json_t *j, const char *w, int depth)
{
	const char *key;
	json_t *v;
	size_t i;
	if (!j || depth > 6)
		return 0;
	if (json_is_string(j))
		return word_in(json_string_value(j), w);
	if (json_is_array(j)) {
		json_array_foreach((json_t *)j, i, v)
			if (json_mentions(v, w, depth + 1))
				return 1;
	} else if (json_is_object(j)) {
		json_object_foreach((json_t *)j, key, v)
			if (word_in(key, w) || json_mentions(v, w, depth + 1))
				return 1;
	}
	return 0;
}

int py_uses_lib(const json_t *context, const struct py_imports *im, const char *name)
{
	if (im && py_imports_module(im, name))
		return 1;
	if (!context)
		return 0;
	return json_mentions(json_object_get(context, "tech_stack"), name, 0) ||
	       json_mentions(json_object_get(context, "dependencies"), name, 0);
}

const char *py_offload_fn(const json_t *context, const struct py_imports *im)
{
	int asy = im && py_imports_module(im, "asyncio");
	if (!asy && py_uses_lib(NULL, im, "anyio"))
		return "anyio.to_thread.run_sync";
	if (!asy && py_uses_lib(NULL, im, "trio"))
		return "trio.to_thread.run_sync";
	(void)context;
	return "asyncio.to_thread";
}

/* -- value flow -- */

int py_is_readonly_callee(const char *callee)
{
	static const char *const names[] = {
		"len", "sorted", "min", "max", "sum", "any", "all", "enumerate", "zip", "iter",
		"reversed", "set", "frozenset", "tuple", "list", "str", "repr", "bool", "print",
		"isinstance", "hash", "id", "type", "map", "filter", "join", "format", "dumps",
		"debug", "info", "warning", "error", "exception", "critical", "log", "count",
		"index", "startswith", "endswith", "mean", "median", "fsum", "Counter", NULL
	};
	const char *last = strrchr(callee, '.');
	int i;
	last = last ? last + 1 : callee;
	for (i = 0; names[i]; i++)
		if (!strcmp(last, names[i]))
			return 1;
	return 0;
}

static int is_mutator(const struct py_toks *t, uint32_t i)
{
	static const char *const names[] = {
		"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update",
		"setdefault", "popitem", "add", "discard", "difference_update", "intersection_update",
		"symmetric_difference_update", "appendleft", "extendleft", "popleft", "rotate",
		"__setitem__", "__delitem__", "__iadd__", NULL
	};
	int k;
	for (k = 0; names[k]; k++)
		if (py_tok_is(t, i, names[k]))
			return 1;
	return 0;
}

/* 1 when the name at [first,last] is an assignment target of statement
 * [sb,se): at depth 0 with a depth-0 "=" after it and none before. */
static int in_target(const struct py_toks *t, uint32_t sb, uint32_t se, uint32_t first, uint32_t last)
{
	uint32_t k;
	if (t->v[first].depth != 0)
		return 0;
	for (k = sb; k < first; k++)
		if (t->v[k].depth == 0 && (py_tok_is(t, k, "=") || t->v[k].kind == PT_OP) &&
		    !py_tok_is(t, k, ",") && !py_tok_is(t, k, "(") && !py_tok_is(t, k, "["))
			return 0;
	for (k = last + 1; k < se; k++) {
		if (t->v[k].depth != 0)
			continue;
		if (py_tok_is(t, k, "=") || (k == last + 1 && py_tok_is(t, k, ":")))
			return 1;
		if (!py_tok_is(t, k, ",") && !py_tok_is(t, k, ")") && !py_tok_is(t, k, "]") &&
		    t->v[k].kind != PT_NAME && !py_tok_is(t, k, "."))
			return 0;
	}
	return 0;
}

/* Innermost open bracket around token i within [sb, i), or UINT32_MAX. */
static uint32_t enclosing_open(const struct py_toks *t, uint32_t sb, uint32_t i)
{
	uint32_t k = i;
	if (t->v[i].depth == 0)
		return UINT32_MAX;
	while (k-- > sb)
		if (t->v[k].depth == t->v[i].depth - 1 && tok_is_open(t, k))
			return k;
	return UINT32_MAX;
}

static int is_kw(const struct py_toks *t, uint32_t i)
{
	static const char *const kws[] = { "return", "yield", "in", "and", "or", "not", "if", "else",
					   "elif", "while", "for", "await", "lambda", "assert", "del",
					   "is", "from", "import", "with", "as", "print", NULL };
	int k;
	for (k = 0; kws[k]; k++)
		if (py_tok_is(t, i, kws[k]))
			return 1;
	return 0;
}

/* A bare x in statement [sb,se); cond: the statement is an if/elif/while
 * header or an assert, where and/or only test their operands (elsewhere
 * "y = x or z" hands x on). */
static enum py_use bare_use(const struct py_outline *ol, uint32_t sb, uint32_t se, uint32_t first,
			    uint32_t last, int cond)
{
	static const char *const cmp[] = { "==", "!=", "<", ">", "<=", ">=", "is", "+", "-", "/",
					   "//", "%", "|", "&", "^", "@", NULL };
	static const char *const testpre[] = { "in", "not", "if", "elif", "while", "assert", NULL };
	static const char *const boolpre[] = { "and", "or", NULL };
	static const char *const boolpost[] = { "and", "or", ":", NULL };
	const struct py_toks *t = ol->toks;
	uint32_t pv = first - 1, nx = last + 1, o;
	int has_pv = first > sb, has_nx = nx < se, k, star = 0;
	for (k = 0; testpre[k]; k++) /* iterated, a membership test, negated, tested */
		if (has_pv && py_tok_is(t, pv, testpre[k]))
			return PU_READ;
	if (has_nx && (py_tok_is(t, nx, "in") || py_tok_is(t, nx, "not")) && t->v[nx].depth == t->v[first].depth)
		return PU_READ; /* x in y, x not in y */
	for (k = 0; cmp[k]; k++)
		if ((has_pv && py_tok_is(t, pv, cmp[k])) || (has_nx && py_tok_is(t, nx, cmp[k])))
			return PU_READ;
	if (has_nx && py_tok_is(t, nx, "*") && !(has_pv && py_tok_is(t, pv, "(")))
		return PU_READ;
	for (k = 0; cond && boolpre[k]; k++)
		if (has_pv && py_tok_is(t, pv, boolpre[k]))
			return PU_READ;
	for (k = 0; cond && boolpost[k]; k++)
		if (has_nx && py_tok_is(t, nx, boolpost[k]) && t->v[nx].depth == t->v[first].depth)
			return PU_READ;
	if (has_pv && (py_tok_is(t, pv, "*") || py_tok_is(t, pv, "**"))) {
		star = 1;
		pv--;
	}
	o = enclosing_open(t, sb, first);
	if (o == UINT32_MAX)
		return PU_ESCAPE;
	if (py_tok_is(t, o, "[") && o > sb && ((t->v[o - 1].kind == PT_NAME && !is_kw(t, o - 1)) ||
						tok_is_closer(t, o - 1)) && !star)
		return PU_READ; /* used as a subscript key */
	if (py_tok_is(t, o, "(") && (pv == o || py_tok_is(t, pv, ",") || py_tok_is(t, pv, "=")) &&
	    (!has_nx || py_tok_is(t, nx, ",") || py_tok_is(t, nx, ")"))) {
		size_t ci = py_first_call_from(ol, o);
		if (ci < ol->ncalls && ol->calls[ci].lparen == o && !ol->calls[ci].is_ref)
			return py_is_readonly_callee(ol->calls[ci].callee) ? PU_READ : PU_ESCAPE;
	}
	if (star && py_tok_is(t, o, "{"))
		return PU_READ; /* {**x}: a new dict */
	return PU_ESCAPE;
}

enum py_use py_name_use(const struct py_outline *ol, uint32_t first, uint32_t last)
{
	const struct py_toks *t = ol->toks;
	int s = py_outline_stmt_of_tok(ol, first);
	uint32_t sb, se, nx = last + 1;
	if (s < 0)
		return PU_NONE;
	sb = ol->stmts[s].tok_begin;
	se = ol->stmts[s].tok_end;
	if (nx < se && py_tok_is(t, nx, "=") && t->v[first].depth > 0)
		return PU_NONE;
	if (py_tok_is(t, sb, "del"))
		return PU_MUTATE;
	if (first > sb && (py_tok_is(t, first - 1, "for") || py_tok_is(t, first - 1, "as") ||
			   py_tok_is(t, first - 1, "global") || py_tok_is(t, first - 1, "nonlocal")))
		return PU_REBIND;
	if (py_tok_is(t, sb, "for") || (py_tok_is(t, sb, "async") && py_tok_is(t, sb + 1, "for"))) {
		uint32_t k;
		for (k = first; k < se && !(py_tok_is(t, k, "in") && t->v[k].depth == 0); k++)
			;
		if (k < se && t->v[first].depth <= 1) {
			uint32_t j;
			for (j = sb; j < first && !(py_tok_is(t, j, "in") && t->v[j].depth == 0); j++)
				;
			if (j == first)
				return PU_REBIND;
		}
	}
	if (nx < se) {
		if (py_tok_is(t, nx, ":="))
			return PU_REBIND;
		if (tok_is_augop(t, nx))
			return PU_MUTATE;
		if (py_tok_is(t, nx, ".") && nx + 1 < se && t->v[nx + 1].kind == PT_NAME) {
			uint32_t a = nx + 1;
			if (a + 1 < se && py_tok_is(t, a + 1, "(") && is_mutator(t, a))
				return PU_MUTATE;
			if (a + 1 < se && (py_tok_is(t, a + 1, "=") || tok_is_augop(t, a + 1)) && t->v[a].depth == 0)
				return PU_MUTATE;
			return PU_READ;
		}
		if (py_tok_is(t, nx, "[")) {
			uint32_t c = py_tok_close(t, nx, se);
			if (c + 1 < se && (py_tok_is(t, c + 1, "=") || tok_is_augop(t, c + 1)) && t->v[c].depth == 0)
				return PU_MUTATE;
			return PU_READ;
		}
		if (py_tok_is(t, nx, "("))
			return PU_READ;
	}
	if (ol->stmts[s].opens < 0 && in_target(t, sb, se, first, last))
		return PU_REBIND;
	return bare_use(ol, sb, se, first, last,
			(ol->stmts[s].opens >= 0 && ol->blocks[ol->stmts[s].opens].kind != PB_FOR &&
			 ol->blocks[ol->stmts[s].opens].kind != PB_WITH) || py_tok_is(t, sb, "assert"));
}

/* -- expression kinds -- */

static enum py_kind call_kind(const char *name)
{
	static const struct {
		const char *n;
		enum py_kind k;
	} map[] = {
		{ "str", PK_STR }, { "repr", PK_STR }, { "join", PK_STR }, { "format", PK_STR },
		{ "strip", PK_STR }, { "lower", PK_STR }, { "upper", PK_STR }, { "replace", PK_STR },
		{ "int", PK_NUM }, { "float", PK_NUM }, { "len", PK_NUM }, { "Decimal", PK_NUM },
		{ "sum", PK_NUM }, { "round", PK_NUM }, { "abs", PK_NUM }, { "count", PK_NUM },
		{ "list", PK_LIST }, { "sorted", PK_LIST }, { "all", PK_LIST }, { "fetchall", PK_LIST },
		{ "split", PK_LIST }, { "splitlines", PK_LIST }, { "fetchmany", PK_LIST },
		{ "dict", PK_DICT }, { "defaultdict", PK_DICT }, { "OrderedDict", PK_DICT },
		{ "Counter", PK_DICT }, { "set", PK_SET }, { "frozenset", PK_SET }, { "tuple", PK_TUPLE },
		{ "bytes", PK_BYTES }, { "encode", PK_BYTES }, { NULL, PK_OTHER }
	};
	int i;
	for (i = 0; map[i].n; i++)
		if (!strcmp(name, map[i].n))
			return map[i].k;
	return PK_CALL;
}

enum py_kind py_expr_kind(const struct py_outline *ol, uint32_t begin, uint32_t end)
{
	const struct py_toks *t = ol->toks;
	uint32_t i = begin, c;
	if (begin >= end)
		return PK_OTHER;
	if (py_tok_is(t, i, "await"))
		return PK_AWAIT;
	if (t->v[i].kind == PT_STRING)
		return (t->v[i].flags & PTF_BYTES) ? PK_BYTES : PK_STR;
	if (t->v[i].kind == PT_NUMBER || ((py_tok_is(t, i, "-") || py_tok_is(t, i, "+")) && i + 1 < end &&
					  t->v[i + 1].kind == PT_NUMBER))
		return PK_NUM;
	if (py_tok_is(t, i, "None"))
		return PK_NONE;
	if (py_tok_is(t, i, "["))
		return PK_LIST;
	if (py_tok_is(t, i, "{")) {
		uint32_t k;
		c = py_tok_close(t, i, end);
		if (c == i + 1)
			return PK_DICT;
		for (k = i + 1; k < c; k++) {
			if (t->v[k].depth != t->v[i].depth + 1)
				continue;
			if (py_tok_is(t, k, ":") || py_tok_is(t, k, "**"))
				return PK_DICT;
			if (py_tok_is(t, k, ",") || py_tok_is(t, k, "for"))
				break;
		}
		return PK_SET;
	}
	if (py_tok_is(t, i, "(")) {
		uint32_t k;
		c = py_tok_close(t, i, end);
		for (k = i + 1; k < c; k++)
			if (t->v[k].depth == t->v[i].depth + 1 && py_tok_is(t, k, "for"))
				return PK_GEN;
		for (k = i + 1; k < c; k++)
			if (t->v[k].depth == t->v[i].depth + 1 && py_tok_is(t, k, ",") && c + 1 >= end)
				return PK_TUPLE;
		/* (await session.execute(q)).all(): the kind of the last method */
		if (c + 3 < end && py_tok_is(t, c + 1, ".") && t->v[c + 2].kind == PT_NAME &&
		    py_tok_is(t, c + 3, "("))
			return py_expr_kind(ol, c + 2, end);
		if (c + 1 < end)
			return PK_OTHER;
		return c == i + 1 ? PK_TUPLE : py_expr_kind(ol, i + 1, c);
	}
	if (t->v[i].kind == PT_NAME) {
		uint32_t k = i;
		while (k + 2 < end && py_tok_is(t, k + 1, ".") && t->v[k + 2].kind == PT_NAME)
			k += 2;
		if (k + 1 < end && py_tok_is(t, k + 1, "(")) {
			char name[64];
			size_t l = t->v[k].len < sizeof(name) - 1 ? t->v[k].len : sizeof(name) - 1;
			/* a chain of calls: the kind of the last one ("x.split(",").count()") */
			uint32_t cl = py_tok_close(t, k + 1, end);
			while (cl + 3 < end && py_tok_is(t, cl + 1, ".") && t->v[cl + 2].kind == PT_NAME &&
			       py_tok_is(t, cl + 3, "(")) {
				k = cl + 2;
				cl = py_tok_close(t, cl + 3, end);
			}
			l = t->v[k].len < sizeof(name) - 1 ? t->v[k].len : sizeof(name) - 1;
			memcpy(name, py_tok_text(t, k), l);
			name[l] = '\0';
			return call_kind(name);
		}
		return k + 1 == end ? PK_NAME : PK_OTHER;
	}
	return PK_OTHER;
}

int py_stmt_assign(const struct py_outline *ol, int s, struct py_assign *a)
{
	const struct py_toks *t = ol->toks;
	uint32_t b, e, k, op = UINT32_MAX, colon = UINT32_MAX;
	if (s < 0 || (size_t)s >= ol->nstmts || ol->stmts[s].opens >= 0)
		return 0;
	b = ol->stmts[s].tok_begin;
	e = ol->stmts[s].tok_end;
	for (k = b; k < e; k++) {
		if (t->v[k].depth != 0)
			continue;
		if (py_tok_is(t, k, ":") && colon == UINT32_MAX && op == UINT32_MAX)
			colon = k;
		if (py_tok_is(t, k, "=") || tok_is_augop(t, k)) {
			if (op != UINT32_MAX)
				return 0; /* a = b = c */
			op = k;
		}
		if (py_tok_is(t, k, "lambda"))
			break;
	}
	if (op == UINT32_MAX || op == b || op + 1 >= e)
		return 0;
	a->target_begin = b;
	a->target_end = colon < op ? colon : op;
	a->op = op;
	a->value_begin = op + 1;
	a->value_end = e;
	return a->target_end > b;
}

/* -- name and assignment index -- */

const char *py_tok_span(const struct py_toks *t, uint32_t b, uint32_t e, uint32_t *len)
{
	if (b >= e || e > t->n) {
		*len = 0;
		return t->src;
	}
	*len = t->v[e - 1].off + t->v[e - 1].len - t->v[b].off;
	return t->src + t->v[b].off;
}

static int ref_cmp(const void *x, const void *y)
{
	const struct py_ref *a = x, *b = y;
	uint32_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->p, b->p, n);
	if (c)
		return c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->tok < b->tok ? -1 : a->tok > b->tok;
}

/* Spelling order of ref_cmp without the position. */
static int spell_cmp(const void *x, const void *y)
{
	const struct py_ref *a = *(const struct py_ref *const *)x, *b = *(const struct py_ref *const *)y;
	uint32_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->p, b->p, n);
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

/*
 * Sorts r by ref_cmp, as qsort did, in time linear in r->n plus the sort of
 * the distinct spellings (few: names repeat): a hash groups the refs by
 * spelling, the groups are ordered, and the refs are placed group by group
 * in their input order (stable, as glibc's merge sort is).  A group whose
 * positions are not ascending then (never seen: refs are pushed in token
 * order) falls back to qsort.  The qsort of every name token was a tenth
 * of audit-runtime.  0, or -1 on ENOMEM (r unchanged).
 */
static int refs_sort(struct py_refs *r)
{
	size_t n = r->n, cap = 16, ng = 0, i, *grp = NULL, *start = NULL, *slot = NULL;
	const struct py_ref **first = NULL;
	struct py_ref *out = NULL;
	uint32_t *of = NULL;
	int rc = -1;

	if (n < 2)
		return 0;
	while (cap < n * 2)
		cap *= 2;
	slot = malloc(cap * sizeof(*slot));      /* hash slot -> group + 1, 0 free */
	of = malloc(n * sizeof(*of));            /* ref -> group */
	first = malloc(n * sizeof(*first));      /* group -> its first ref */
	grp = malloc(n * sizeof(*grp));          /* group -> rank, later count */
	start = malloc((n + 1) * sizeof(*start));
	out = malloc(n * sizeof(*out));
	if (!slot || !of || !first || !grp || !start || !out)
		goto done;
	memset(slot, 0, cap * sizeof(*slot));
	for (i = 0; i < n; i++) {
		const struct py_ref *e = &r->v[i];
		uint32_t h = 2166136261u, k;
		size_t j;
		for (k = 0; k < e->len; k++)
			h = (h ^ (unsigned char)e->p[k]) * 16777619u;
		for (j = h & (cap - 1); slot[j]; j = (j + 1) & (cap - 1)) {
			const struct py_ref *g = first[slot[j] - 1];
			if (g->len == e->len && !memcmp(g->p, e->p, e->len))
				break;
		}
		if (!slot[j]) {
			first[ng] = e;
			slot[j] = ++ng;
		}
		of[i] = (uint32_t)(slot[j] - 1);
	}
	/* order the groups by spelling: first[] sorted, then rank of each group */
	{
		const struct py_ref **order = malloc(ng * sizeof(*order));
		if (!order)
			goto done;
		memcpy(order, first, ng * sizeof(*order));
		qsort(order, ng, sizeof(*order), spell_cmp);
		for (i = 0; i < ng; i++) /* first[g] points into r->v: its index finds g */
			grp[of[order[i] - r->v]] = i;
		free(order);
	}
	memset(start, 0, (n + 1) * sizeof(*start));
	for (i = 0; i < n; i++)
		start[grp[of[i]] + 1]++;
	for (i = 0; i < ng; i++)
		start[i + 1] += start[i];
	for (i = 0; i < n; i++)
		out[start[grp[of[i]]]++] = r->v[i];
	for (i = 1; i < n; i++)
		if (out[i - 1].len == out[i].len && out[i - 1].tok > out[i].tok &&
		    !memcmp(out[i - 1].p, out[i].p, out[i].len))
			break;
	if (i < n)
		qsort(out, n, sizeof(*out), ref_cmp);
	memcpy(r->v, out, n * sizeof(*out));
	rc = 0;
done:
	free(slot);
	free(of);
	free(first);
	free(grp);
	free(start);
	free(out);
	return rc;
}

static int refs_push(struct py_refs *r, size_t *cap, const struct py_ref *e)
{
	if (r->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		struct py_ref *nv = realloc(r->v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		r->v = nv;
		*cap = nc;
	}
	r->v[r->n++] = *e;
	return 0;
}

/* Adds each dotted-name element of the target tokens [b,e) of statement s. */
static int index_targets(const struct py_toks *t, struct py_refs *r, size_t *cap, int s, uint32_t b,
			 uint32_t e)
{
	uint32_t k = b;
	while (k < e) {
		uint32_t j = k;
		struct py_ref ref;
		if (t->v[k].kind != PT_NAME) {
			k++;
			continue;
		}
		while (j + 2 < e && py_tok_is(t, j + 1, ".") && t->v[j + 2].kind == PT_NAME)
			j += 2;
		if (!(k > b && py_tok_is(t, k - 1, ".")) && !(j + 1 < e && (py_tok_is(t, j + 1, "[") ||
								 py_tok_is(t, j + 1, "(")))) {
			ref.p = py_tok_span(t, k, j + 1, &ref.len);
			ref.tok = k;
			ref.stmt = s;
			if (refs_push(r, cap, &ref) < 0)
				return -1;
		}
		k = j + 1;
	}
	return 0;
}

int py_flow_build(const struct py_outline *ol, struct py_flow *ix)
{
	const struct py_toks *t = ol->toks;
	size_t cn = 0, ca = 0, s;
	memset(ix, 0, sizeof(*ix));
	for (s = 0; s < ol->nstmts; s++) {
		const struct py_stmt *st = &ol->stmts[s];
		struct py_assign a;
		uint32_t k;
		for (k = st->tok_begin; k < st->tok_end; k++) {
			struct py_ref ref;
			if (t->v[k].kind != PT_NAME || (k > 0 && py_tok_is(t, k - 1, ".")))
				continue;
			ref.p = py_tok_text(t, k);
			ref.len = t->v[k].len;
			ref.tok = k;
			ref.stmt = (int)s;
			if (refs_push(&ix->names, &cn, &ref) < 0)
				goto fail;
		}
		if (py_stmt_assign(ol, (int)s, &a) && py_tok_is(t, a.op, "=") &&
		    index_targets(t, &ix->assigns, &ca, (int)s, a.target_begin, a.target_end) < 0)
			goto fail;
	}
	if (refs_sort(&ix->names) < 0 || refs_sort(&ix->assigns) < 0)
		goto fail;
	return 0;
fail:
	py_flow_free(ix);
	return -1;
}

void py_flow_free(struct py_flow *ix)
{
	free(ix->names.v);
	free(ix->assigns.v);
	memset(ix, 0, sizeof(*ix));
}

const struct py_ref *py_refs_find(const struct py_refs *r, const char *s, size_t len, size_t *n)
{
	size_t lo = 0, hi = r->n, first;
	struct py_ref key;
	key.p = s;
	key.len = (uint32_t)len;
	key.tok = 0;
	while (lo < hi) { /* first entry >= (s, tok 0) */
		size_t mid = lo + (hi - lo) / 2;
		if (ref_cmp(&r->v[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	key.tok = UINT32_MAX;
	hi = r->n;
	while (lo < hi) { /* first entry > (s, any tok) */
		size_t mid = lo + (hi - lo) / 2;
		if (ref_cmp(&r->v[mid], &key) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*n = lo - first;
	return *n ? &r->v[first] : NULL;
}

void py_func_describe(const struct py_outline *ol, int f, char *buf, size_t n)
{
	const struct py_block *d;
	const char *cls = NULL;
	if (f < 0 || (size_t)f >= ol->nblocks || ol->blocks[f].kind != PB_DEF) {
		snprintf(buf, n, "module level");
		return;
	}
	d = &ol->blocks[f];
	if (d->parent >= 0 && ol->blocks[d->parent].kind == PB_CLASS)
		cls = ol->blocks[d->parent].name;
	snprintf(buf, n, "%sdef %s%s%s%s", d->is_async ? "async " : "", cls ? cls : "", cls ? "." : "",
		 d->name ? d->name : "?", d->handler ? ", a request handler" : "");
}
