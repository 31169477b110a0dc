/*
 * pytxn: transaction boundaries of Python defs (see pytxn.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pytxn.h"
#include "pyfacts.h"
#include "pyindex.h"
#include "pydb_p.h"

/* The begin() with-block (same def) around call c, or -1. */
int py_txn_begin_block(const struct py_outline *ol, const struct py_call *c)
{
	int w = py_outline_enclosing(ol, c->block, PB_MASK(PB_WITH), 0);
	while (w >= 0) {
		const struct py_block *bl = &ol->blocks[w];
		unsigned i;
		for (i = 0; i < bl->nitems; i++) {
			const char *e = bl->items[i].expr ? bl->items[i].expr : "";
			if ((strstr(e, ".begin(") || strstr(e, "begin_nested(") || strstr(e, "atomic(") ||
			     strstr(e, "transaction(")) &&
			    c->name_begin >= bl->body_begin)
				return w;
		}
		w = py_outline_enclosing(ol, bl->parent, PB_MASK(PB_WITH), 0);
	}
	return -1;
}

/* The def holding call c when it runs in one transaction as a whole
 * (@transaction.atomic, @atomic, @db_session...), else -1. */
int py_txn_atomic_def(const struct py_outline *ol, const struct py_call *c, const char **dec)
{
	int f = c->func;
	unsigned i;
	if (f < 0)
		return -1;
	for (i = 0; i < ol->blocks[f].ndecorators; i++) {
		const char *d = ol->blocks[f].decorators[i];
		if (!strcmp(d, "transaction.atomic") || !strcmp(d, "atomic") || !strncmp(d, "transaction.atomic(", 19) ||
		    !strncmp(d, "atomic(", 7) || !strcmp(d, "transactional") || !strncmp(d, "transactional(", 14)) {
			*dec = d;
			return f;
		}
	}
	return -1;
}


/* 1 when tokens [b,e) hold a call that reads from the database. */
static int range_reads(const struct py_binds *b, uint32_t s, uint32_t e)
{
	const struct py_outline *ol = b->ol;
	struct py_dbop_info info;
	size_t ci;
	for (ci = py_first_call_from(ol, s); ci < ol->ncalls && ol->calls[ci].lparen < e; ci++)
		if (py_call_dbop(b, ci, &info) == DBOP_READ)
			return 1;
	return 0;
}

/* 1 when statement st assigns an attribute of an entity loaded in its def
 * (order = session.get(...); order.status = "paid"), an UPDATE at flush. */
int py_txn_entity_write(const struct py_binds *b, int st)
{
	const struct py_outline *ol = b->ol;
	const struct py_toks *t = ol->toks;
	int blk = ol->stmts[st].block, f = ol->blocks[blk].func, loop;
	struct py_assign a;
	uint32_t vb, ve;
	char name[128];
	if (!py_stmt_assign(ol, st, &a) || a.target_end != a.target_begin + 3 ||
	    t->v[a.target_begin].kind != PT_NAME || !py_tok_is(t, a.target_begin + 1, ".") ||
	    py_tok_is(t, a.target_begin, "self") || py_tok_is(t, a.target_begin, "cls"))
		return 0;
	snprintf(name, sizeof(name), "%.*s", (int)t->v[a.target_begin].len, py_tok_text(t, a.target_begin));
	if (py_last_assign(ol, f, name, a.target_begin, &vb, &ve))
		return range_reads(b, vb, ve);
	for (loop = py_outline_enclosing(ol, blk, PB_MASK(PB_FOR), 0); loop >= 0;
	     loop = py_outline_enclosing(ol, ol->blocks[loop].parent, PB_MASK(PB_FOR), 0))
		if (ol->blocks[loop].target && !strcmp(ol->blocks[loop].target, name))
			return py_loop_iter_kind(b, loop) == PIK_QUERY;
	return 0;
}

/* The write (a write call, an explicit begin(), or an attribute of a loaded
 * entity) before call ci in its def with no commit or rollback in between,
 * and a later commit (on the same session, when the write names one).
 * 1 and fills w, else 0. */
int py_txn_open_write(const struct py_binds *b, size_t ci, struct py_txn_window *w)
{
	const struct py_outline *ol = b->ol;
	const struct py_call *c = &ol->calls[ci];
	struct py_dbop_info info, ci2;
	uint32_t stop = c->func >= 0 ? ol->blocks[c->func].body_begin : 0;
	char wrecv[sizeof(info.recv)] = "";
	size_t k;
	int found = 0, st;
	for (k = ci; k-- > 0 && ol->calls[k].lparen >= stop;) {
		enum py_dbop op;
		if (ol->calls[k].func != c->func)
			continue;
		op = py_call_dbop(b, k, &info);
		if (op == DBOP_COMMIT || op == DBOP_ROLLBACK) {
			stop = ol->calls[k].rparen;
			break;
		}
		if (!found && (py_dbop_writes(op) || op == DBOP_BEGIN)) {
			found = 1;
			snprintf(wrecv, sizeof(wrecv), "%s", info.recv);
			w->start = ol->calls[k].name_begin;
			w->line = ol->calls[k].line;
			snprintf(w->what, sizeof(w->what), "%.100s()", ol->calls[k].callee);
		}
	}
	for (st = c->stmt - 1; !found && st >= 0 && ol->stmts[st].tok_begin > stop; st--)
		if (ol->blocks[ol->stmts[st].block].func == c->func && py_txn_entity_write(b, st)) {
			char *txt = py_outline_text(ol, ol->stmts[st].tok_begin, ol->stmts[st].tok_end);
			found = 1;
			w->start = ol->stmts[st].tok_begin;
			w->line = ol->stmts[st].line;
			snprintf(w->what, sizeof(w->what), "%.100s", txt ? txt : "an attribute assignment");
			free(txt);
		}
	for (k = ci + 1; found && k < ol->ncalls; k++) {
		const struct py_call *p = &ol->calls[k];
		if (c->func >= 0 && p->lparen >= ol->blocks[c->func].body_end)
			break;
		if (p->func == c->func && py_call_dbop(b, k, &ci2) == DBOP_COMMIT &&
		    (!wrecv[0] || !strcmp(ci2.recv, wrecv))) {
			w->commit = k;
			return 1;
		}
	}
	return 0;
}


/* ---- the transactions of a def */

/* 1 when def f runs in one transaction as a whole; *dec gets the decorator. */
static int def_atomic(const struct py_outline *ol, int f, const char **dec)
{
	struct py_call probe;
	memset(&probe, 0, sizeof(probe));
	probe.func = f;
	return py_txn_atomic_def(ol, &probe, dec) >= 0;
}

/* The session text of a begin() item: "session" of "session.begin()". */
static void item_recv(const char *expr, char *buf, size_t n)
{
	const char *p = strstr(expr, ".begin");
	size_t l = p ? (size_t)(p - expr) : 0;
	if (l >= n)
		l = n - 1;
	memcpy(buf, expr, l);
	buf[l] = '\0';
}

/* 1 when with-block blk begins a transaction. */
static int begin_item(const struct py_block *bl, const char **expr)
{
	unsigned i;
	for (i = 0; i < bl->nitems; i++) {
		const char *e = bl->items[i].expr ? bl->items[i].expr : "";
		if (strstr(e, ".begin(") || strstr(e, "begin_nested(") || strstr(e, "atomic(") || strstr(e, "transaction(")) {
			*expr = e;
			return 1;
		}
	}
	return 0;
}

/* The commit call of def f in the body of loop, or -1. */
static int loop_commit_call(const struct py_binds *b, int f, int loop)
{
	const struct py_outline *ol = b->ol;
	struct py_dbop_info info;
	size_t ci;
	for (ci = py_first_call_from(ol, ol->blocks[loop].body_begin);
	     ci < ol->ncalls && ol->calls[ci].lparen < ol->blocks[loop].body_end; ci++)
		if (ol->calls[ci].func == f && py_call_dbop(b, ci, &info) == DBOP_COMMIT)
			return (int)ci;
	return -1;
}

struct txn_acc {
	struct py_txn *v;
	size_t n, max, total;
};

static struct py_txn *acc_add(struct txn_acc *a)
{
	static struct py_txn sink;
	a->total++;
	if (a->n < a->max)
		return &a->v[a->n++];
	memset(&sink, 0, sizeof(sink));
	return &sink;
}

struct open_txn {
	struct py_txn *t;   /* NULL when none */
	int loop;           /* innermost loop around the opening write, -1 */
};

/* Closes an open implicit transaction that outlived its loop when the loop
 * commits in its body (next iteration); walks outwards otherwise. */
static void leave_loops(const struct py_binds *b, int f, struct open_txn *o, uint32_t tok)
{
	const struct py_outline *ol = b->ol;
	while (o->t && o->loop >= 0 && tok >= ol->blocks[o->loop].body_end) {
		int k = loop_commit_call(b, f, o->loop);
		if (k >= 0) {
			o->t->end_tok = ol->blocks[o->loop].body_end;
			o->t->end_line = ol->blocks[o->loop].end_line;
			o->t->end_call = k;
			o->t->committed = 1;
			o->t->loop_commit = 1;
			o->t = NULL;
			return;
		}
		o->loop = py_outline_enclosing(ol, ol->blocks[o->loop].parent, PB_LOOPS & ~PB_MASK(PB_COMP), 0);
	}
}

static void open_at(const struct py_binds *b, struct txn_acc *a, struct open_txn *o, int blk, uint32_t tok,
		    unsigned line, const char *what, const char *recv)
{
	struct py_txn *t = acc_add(a);
	memset(t, 0, sizeof(*t));
	t->kind = PTX_IMPLICIT;
	t->block = -1;
	t->begin_tok = tok;
	t->line = line;
	t->end_call = -1;
	snprintf(t->what, sizeof(t->what), "%s", what);
	snprintf(t->recv, sizeof(t->recv), "%s", recv);
	o->t = t;
	o->loop = py_outline_enclosing(b->ol, blk, PB_LOOPS & ~PB_MASK(PB_COMP), 0);
}

static int cmp_txn(const void *x, const void *y)
{
	const struct py_txn *p = x, *q = y;
	return (p->begin_tok > q->begin_tok) - (p->begin_tok < q->begin_tok);
}

size_t py_txns_of_def(const struct py_binds *b, int f, struct py_txn *out, size_t max)
{
	const struct py_outline *ol = b->ol;
	const struct py_block *d;
	struct txn_acc a = { out, 0, max, 0 };
	struct open_txn o = { NULL, -1 };
	const char *dec = NULL, *expr;
	size_t i, ci, nblocks;
	int st;
	if (f < 0 || (size_t)f >= ol->nblocks || ol->blocks[f].kind != PB_DEF)
		return 0;
	d = &ol->blocks[f];
	if (def_atomic(ol, f, &dec)) {
		struct py_txn *t = acc_add(&a);
		memset(t, 0, sizeof(*t));
		t->kind = PTX_DEF;
		t->committed = 1;
		t->block = f;
		t->begin_tok = d->body_begin;
		t->end_tok = d->body_end;
		t->line = d->line;
		t->end_line = d->end_line;
		t->end_call = -1;
		snprintf(t->what, sizeof(t->what), "@%.120s", dec);
		return a.total;
	}
	for (i = (size_t)f + 1; i < ol->nblocks && ol->blocks[i].line <= d->end_line; i++) {
		const struct py_block *bl = &ol->blocks[i];
		struct py_txn *t;
		if (bl->kind != PB_WITH || bl->func != f || !begin_item(bl, &expr))
			continue;
		t = acc_add(&a);
		memset(t, 0, sizeof(*t));
		t->kind = PTX_BLOCK;
		t->committed = 1;
		t->block = (int)i;
		t->begin_tok = bl->body_begin;
		t->end_tok = bl->body_end;
		t->line = bl->line;
		t->end_line = bl->end_line;
		t->end_call = -1;
		snprintf(t->what, sizeof(t->what), "%swith %.110s", bl->is_async ? "async " : "", expr);
		item_recv(expr, t->recv, sizeof(t->recv));
	}
	nblocks = a.n;
	/* implicit transactions: calls and entity writes of f, in token order */
	ci = py_first_call_from(ol, d->body_begin);
	st = py_outline_stmt_of_tok(ol, d->body_begin);
	for (; st >= 0 && (size_t)st < ol->nstmts && ol->stmts[st].tok_begin < d->body_end; st++) {
		const struct py_stmt *s = &ol->stmts[st];
		int inside = -1;
		if (ol->blocks[s->block].func != f)
			continue;
		for (i = 0; i < nblocks; i++)
			if (s->tok_begin >= out[i].begin_tok && s->tok_begin < out[i].end_tok)
				inside = (int)i;
		for (i = 0; i < nblocks && s->opens >= 0; i++)
			if (out[i].block == s->opens)
				inside = (int)i;   /* the with ...begin() header itself */
		leave_loops(b, f, &o, s->tok_begin);
		if (inside >= 0)
			continue;
		if (!o.t && py_txn_entity_write(b, st)) {
			char *txt = py_outline_text(ol, s->tok_begin, s->tok_end);
			open_at(b, &a, &o, s->block, s->tok_begin, s->line, txt ? txt : "an attribute assignment", "");
			free(txt);
		}
		while (ci < ol->ncalls && ol->calls[ci].name_begin < s->tok_begin)
			ci++;
		for (; ci < ol->ncalls && ol->calls[ci].name_begin < s->tok_end; ci++) {
			const struct py_call *c = &ol->calls[ci];
			struct py_dbop_info info;
			enum py_dbop op;
			if (c->func != f || (c->is_ref && c->parent_call < 0))
				continue;
			op = py_call_dbop(b, ci, &info);
			if (op == DBOP_COMMIT || op == DBOP_ROLLBACK) {
				if (o.t && (!o.t->recv[0] || !info.recv[0] || !strcmp(o.t->recv, info.recv))) {
					o.t->end_tok = c->name_begin;
					o.t->end_line = c->line;
					o.t->end_call = (int)ci;
					o.t->committed = op == DBOP_COMMIT;
					o.t = NULL;
				}
			} else if (!o.t && (py_dbop_writes(op) || op == DBOP_BEGIN)) {
				char what[128];
				snprintf(what, sizeof(what), "%.100s()", c->callee);
				open_at(b, &a, &o, c->block, c->name_begin, c->line, what, info.recv);
			}
		}
	}
	leave_loops(b, f, &o, d->body_end);
	if (o.t) {
		o.t->end_tok = d->body_end;
		o.t->end_line = d->end_line;
	}
	if (a.n > 1)
		qsort(out, a.n, sizeof(*out), cmp_txn);
	return a.total;
}

int py_txn_at(const struct py_txn *txns, size_t n, uint32_t tok)
{
	int hit = -1;
	size_t i;
	for (i = 0; i < n; i++)
		if (tok >= txns[i].begin_tok && tok < txns[i].end_tok &&
		    (hit < 0 || txns[i].begin_tok >= txns[hit].begin_tok))
			hit = (int)i;
	return hit;
}


/* ---- what a write writes */

/* Copies token i's text into buf (cut to fit). */
static void tok_copy(const struct py_toks *t, uint32_t i, char *buf, size_t n)
{
	snprintf(buf, n, "%.*s", (int)t->v[i].len, py_tok_text(t, i));
}

/* The contents of string literal text s[0..len): prefix letters and
 * quotes skipped; *body and *blen receive the rest. */
static void str_body(const char *s, size_t len, const char **body, size_t *blen)
{
	size_t i = 0, q = 0, e = len;
	while (i < len && isalpha((unsigned char)s[i]))
		i++;
	while (i < len && (s[i] == '"' || s[i] == '\'') && q < 3) {
		i++;
		q++;
	}
	while (e > i && q > 0 && (s[e - 1] == '"' || s[e - 1] == '\'')) {
		e--;
		q--;
	}
	*body = s + i;
	*blen = e - i;
}

/* The last component of identifier s[0..l) (schema."Jobs" -> jobs),
 * lowercased and unquoted, into buf. */
static void last_ident(const char *s, size_t l, char *buf, size_t n)
{
	size_t k, from = 0, o = 0;
	for (k = 0; k < l; k++)
		if (s[k] == '.')
			from = k + 1;
	for (k = from; k < l && o + 1 < n; k++)
		if (s[k] != '"' && s[k] != '`')
			buf[o++] = (char)tolower((unsigned char)s[k]);
	buf[o] = '\0';
}

/* The next SQL word of s[0..len) from *i (whitespace and -- comments
 * skipped): an identifier, possibly dotted and quoted.  Its length, 0 at
 * the end or before punctuation. */
static size_t sql_word(const char *s, size_t len, size_t *i, const char **w)
{
	size_t k = *i;
	for (;;) {
		while (k < len && isspace((unsigned char)s[k]))
			k++;
		if (k + 1 < len && s[k] == '-' && s[k + 1] == '-') {
			while (k < len && s[k] != '\n')
				k++;
			continue;
		}
		break;
	}
	*w = s + k;
	while (k < len && (isalnum((unsigned char)s[k]) || s[k] == '_' || s[k] == '.' || s[k] == '"' || s[k] == '`' ||
			   s[k] == '{' || s[k] == '}' || s[k] == '%' || s[k] == ':'))
		k++;
	*i = k;
	return (size_t)(k - (size_t)(*w - s));
}

static int word_is(const char *w, size_t l, const char *kw)
{
	return strlen(kw) == l && !strncasecmp(w, kw, l);
}

/* The verb and table of the SQL statement a string literal holds: UPDATE
 * [ONLY] t, INSERT INTO t, DELETE FROM [ONLY] t.  0 when it is none of
 * those or the table is a placeholder ({table}, %s). */
static int sql_string_target(const char *tok, size_t toklen, struct py_txn_write *w)
{
	const char *s, *x;
	size_t len, i = 0, l;
	uint8_t kind;
	str_body(tok, toklen, &s, &len);
	l = sql_word(s, len, &i, &x);
	if (word_is(x, l, "UPDATE"))
		kind = PTW_UPDATE;
	else if (word_is(x, l, "INSERT") && (l = sql_word(s, len, &i, &x)) && word_is(x, l, "INTO"))
		kind = PTW_INSERT;
	else if (word_is(x, l, "DELETE") && (l = sql_word(s, len, &i, &x)) && word_is(x, l, "FROM"))
		kind = PTW_DELETE;
	else
		return 0;
	l = sql_word(s, len, &i, &x);
	if (kind != PTW_INSERT && word_is(x, l, "ONLY"))
		l = sql_word(s, len, &i, &x);
	if (!l || memchr(x, '{', l) || memchr(x, '%', l) || memchr(x, ':', l))
		return 0;
	w->kinds = kind;
	last_ident(x, l, w->table, sizeof(w->table));
	return w->table[0] != '\0';
}

/* The model class of the rows the first read call in tokens [s,e)
 * loads, into buf ("" when the read names none).  0 when no read. */
static int read_model(const struct py_binds *b, uint32_t s, uint32_t e, char *buf, size_t n)
{
	const struct py_outline *ol = b->ol;
	struct py_dbop_info info;
	size_t ci;
	buf[0] = '\0';
	for (ci = py_first_call_from(ol, s); ci < ol->ncalls && ol->calls[ci].lparen < e; ci++) {
		if (py_call_dbop(b, ci, &info) != DBOP_READ)
			continue;
		py_call_model(ol, &ol->calls[info.chain_query ? (size_t)info.root : ci], buf, n);
		if (!buf[0] && info.chain_query && isupper((unsigned char)info.recv[0]))
			snprintf(buf, n, "%.*s", (int)strcspn(info.recv, "."), info.recv);
		return 1;
	}
	return 0;
}

int py_txn_stmt_write(const struct py_binds *b, int st, struct py_txn_write *w)
{
	const struct py_outline *ol = b->ol;
	const struct py_toks *t = ol->toks;
	struct py_assign a;
	uint32_t vb, ve;
	int blk, f, loop;
	if (!py_txn_entity_write(b, st) || !py_stmt_assign(ol, st, &a))
		return 0;
	memset(w, 0, sizeof(*w));
	w->kinds = PTW_UPDATE;
	tok_copy(t, a.target_begin, w->var, sizeof(w->var));
	tok_copy(t, a.target_begin + 2, w->attr, sizeof(w->attr));
	blk = ol->stmts[st].block;
	f = ol->blocks[blk].func;
	if (py_last_assign(ol, f, w->var, a.target_begin, &vb, &ve)) {
		read_model(b, vb, ve, w->model, sizeof(w->model));
		return 1;
	}
	/* a loop target over a query: the query, or the name it was assigned to */
	for (loop = py_outline_enclosing(ol, blk, PB_MASK(PB_FOR), 0); loop >= 0;
	     loop = py_outline_enclosing(ol, ol->blocks[loop].parent, PB_MASK(PB_FOR), 0)) {
		const struct py_block *l = &ol->blocks[loop];
		char name[64];
		if (!l->target || strcmp(l->target, w->var))
			continue;
		if (!read_model(b, l->iter_begin, l->iter_end, w->model, sizeof(w->model)) &&
		    l->iter_end == l->iter_begin + 1 && t->v[l->iter_begin].kind == PT_NAME) {
			tok_copy(t, l->iter_begin, name, sizeof(name));
			if (py_last_assign(ol, f, name, l->iter_begin, &vb, &ve))
				read_model(b, vb, ve, w->model, sizeof(w->model));
		}
		break;
	}
	return 1;
}

/* The table name of a Core table bound to name: name = Table("jobs", ...)
 * or table("jobs", ...) in def f or at module level, into buf.  0 when
 * none. */
static int core_table(const struct py_outline *ol, int f, const char *name, uint32_t tok, char *buf, size_t n)
{
	const struct py_toks *t = ol->toks;
	uint32_t vb, ve, k;
	if (!py_last_assign(ol, f, name, tok, &vb, &ve) && (f < 0 || !py_last_assign(ol, -1, name, tok, &vb, &ve)))
		return 0;
	for (k = vb; k + 2 < ve; k++)
		if ((py_tok_is(t, k, "Table") || py_tok_is(t, k, "table")) && py_tok_is(t, k + 1, "(") &&
		    t->v[k + 2].kind == PT_STRING) {
			const char *s;
			size_t l;
			str_body(py_tok_text(t, k + 2), t->v[k + 2].len, &s, &l);
			last_ident(s, l, buf, n);
			return buf[0] != '\0';
		}
	return 0;
}

/* The model or table a dotted name names: "Job" or "models.Job" (a
 * model), "Job.__table__", or a Core table variable. */
static int chain_target(const struct py_outline *ol, int f, const char *chain, uint32_t tok, struct py_txn_write *w)
{
	char buf[128];
	const char *last;
	size_t l = strlen(chain);
	snprintf(buf, sizeof(buf), "%s", chain);
	if (l > 10 && !strcmp(buf + l - 10, ".__table__"))
		buf[l - 10] = '\0';
	last = strrchr(buf, '.') ? strrchr(buf, '.') + 1 : buf;
	if (isupper((unsigned char)last[0])) {
		snprintf(w->model, sizeof(w->model), "%.63s", last);
		return 1;
	}
	return !strchr(buf, '.') && core_table(ol, f, buf, tok, w->table, sizeof(w->table));
}

/* 1 when recv is the module of an update()/insert()/delete() construct
 * (sa, sqlalchemy, a dialect). */
static int sql_module(const char *recv)
{
	static const char *const mods[] = { "sa", "sqlalchemy", "sqlalchemy.sql", "sql", "expression",
					    "postgresql", "sqlite", "mysql", "pg", "sqlalchemy.dialects.postgresql",
					    "sqlalchemy.dialects.sqlite", "sqlalchemy.dialects.mysql", NULL };
	return pydb_in_list(recv, mods);
}

/* The target of the statement tokens [s,e) of def f build: an update()/
 * insert()/delete() construct, a SQL string, or a name assigned one. */
static int stmt_target(const struct py_binds *b, int f, uint32_t s, uint32_t e, struct py_txn_write *w, int depth)
{
	const struct py_outline *ol = b->ol;
	const struct py_toks *t = ol->toks;
	uint32_t k, vb, ve;
	size_t ci;
	for (ci = py_first_call_from(ol, s); ci < ol->ncalls && ol->calls[ci].lparen < e; ci++) {
		const struct py_call *c = &ol->calls[ci];
		const char *m = c->name;
		size_t ml = strlen(m);
		uint8_t kind = !strcmp(m, "update")                      ? PTW_UPDATE
			       : ml >= 6 && !strcmp(m + ml - 6, "insert") ? PTW_INSERT
			       : !strcmp(m, "delete")                     ? PTW_DELETE
									  : 0;
		char recv[128], arg[128];
		uint32_t ab, ae;
		if (!kind || c->is_ref || strchr(c->callee, '('))
			continue;
		pydb_strip_last(c->callee, recv, sizeof(recv));
		w->kinds = kind;
		if (!recv[0] || sql_module(recv)) {
			/* update(Job), sa.insert(jobs_table), pg_insert(Job) */
			char *txt;
			if (!pydb_call_arg(ol, c, 0, &ab, &ae) || !py_tok_is_chain(t, ab, ae))
				return 0;
			if (!(txt = py_outline_text(ol, ab, ae)))
				return 0;
			snprintf(arg, sizeof(arg), "%s", txt);
			free(txt);
			return chain_target(ol, f, arg, ab, w);
		}
		/* Job.__table__.update(), jobs_table.insert() */
		return chain_target(ol, f, recv, c->name_begin, w);
	}
	for (k = s; k < e; k++)
		if (t->v[k].kind == PT_STRING)
			return sql_string_target(py_tok_text(t, k), t->v[k].len, w);
	if (depth < 2 && e == s + 1 && t->v[s].kind == PT_NAME) {
		char name[64];
		tok_copy(t, s, name, sizeof(name));
		if (py_last_assign(ol, f, name, s, &vb, &ve) || (f >= 0 && py_last_assign(ol, -1, name, s, &vb, &ve)))
			return stmt_target(b, f, vb, ve, w, depth + 1);
	}
	return 0;
}

/* The class a constructor call in tokens [s,e) builds (Label(...) in
 * add(Label(...)) or add_all([Label(...) for ...])), into buf. */
static int ctor_model(const struct py_outline *ol, uint32_t s, uint32_t e, char *buf, size_t n)
{
	size_t ci;
	for (ci = py_first_call_from(ol, s); ci < ol->ncalls && ol->calls[ci].lparen < e; ci++) {
		const struct py_call *c = &ol->calls[ci];
		if (c->is_ref || !c->callee[0] || strchr(c->callee, '(') || !isupper((unsigned char)c->name[0]))
			continue;
		snprintf(buf, n, "%s", c->name);
		return 1;
	}
	return 0;
}

/* The model of the object argument 0 of c is: a constructor call, or a
 * name assigned one (INSERT) or loaded by a query (*loaded = 1). */
static int object_model(const struct py_binds *b, const struct py_call *c, struct py_txn_write *w, int *loaded)
{
	const struct py_outline *ol = b->ol;
	const struct py_toks *t = ol->toks;
	uint32_t ab, ae, vb, ve;
	char name[64];
	*loaded = 0;
	if (!pydb_call_arg(ol, c, 0, &ab, &ae))
		return 0;
	if (ctor_model(ol, ab, ae, w->model, sizeof(w->model)))
		return 1;
	if (ae != ab + 1 || t->v[ab].kind != PT_NAME)
		return 0;
	tok_copy(t, ab, name, sizeof(name));
	if (!py_last_assign(ol, c->func, name, ab, &vb, &ve))
		return 0;
	if (t->v[vb].kind == PT_NAME && isupper((unsigned char)py_tok_text(t, vb)[0]) && vb + 1 < ve &&
	    py_tok_is(t, vb + 1, "(")) {
		tok_copy(t, vb, w->model, sizeof(w->model));
		return 1;
	}
	if (read_model(b, vb, ve, w->model, sizeof(w->model)) && w->model[0]) {
		*loaded = 1;
		return 1;
	}
	return 0;
}

int py_txn_call_write(const struct py_binds *b, size_t ci, struct py_txn_write *w)
{
	const struct py_outline *ol = b->ol;
	const struct py_call *c = &ol->calls[ci];
	struct py_dbop_info info;
	enum py_dbop op = py_call_dbop(b, ci, &info);
	uint32_t ab, ae;
	int loaded;
	memset(w, 0, sizeof(*w));
	if ((!py_dbop_writes(op) && op != DBOP_EXEC) || op == DBOP_FLUSH || info.repo)
		return 0;
	if (info.chain_query) {
		/* session.query(Job).filter(...).update(...), Job.objects.filter(...).update(...) */
		py_call_model(ol, &ol->calls[info.root], w->model, sizeof(w->model));
		if (!w->model[0] && isupper((unsigned char)info.recv[0]))
			snprintf(w->model, sizeof(w->model), "%.*s", (int)strcspn(info.recv, "."), info.recv);
		w->kinds = op == DBOP_UPDATE ? PTW_UPDATE : op == DBOP_DELETE ? PTW_DELETE
			   : !strcmp(c->name, "bulk_update") ? PTW_UPDATE : PTW_INSERT;
		return w->model[0] != '\0';
	}
	if (!strcmp(c->name, "add") || !strcmp(c->name, "add_all") || !strcmp(c->name, "bulk_save_objects")) {
		w->kinds = PTW_INSERT;
		return object_model(b, c, w, &loaded) && !loaded;
	}
	if (!strcmp(c->name, "merge")) {
		w->kinds = PTW_INSERT | PTW_UPDATE;
		return object_model(b, c, w, &loaded);
	}
	if (!strcmp(c->name, "bulk_insert_mappings") || !strcmp(c->name, "bulk_update_mappings")) {
		char cls[64];
		w->kinds = c->name[5] == 'i' ? PTW_INSERT : PTW_UPDATE;
		if (!pydb_call_arg(ol, c, 0, &ab, &ae) || !py_tok_is_chain(ol->toks, ab, ae))
			return 0;
		tok_copy(ol->toks, ae - 1, cls, sizeof(cls));
		return chain_target(ol, c->func, cls, ab, w) && w->model[0];
	}
	if (op == DBOP_DELETE && !strcmp(c->name, "delete")) {
		w->kinds = PTW_DELETE;
		if (object_model(b, c, w, &loaded) && loaded)
			return 1;
		memset(w, 0, sizeof(*w));
	}
	/* execute(), executemany(), scalar(insert(...).returning(...)) */
	return pydb_call_arg(ol, c, 0, &ab, &ae) && stmt_target(b, c->func, ab, ae, w, 0);
}

const struct py_fn *py_txn_callee(struct py_index *ix, const char *path, const struct py_outline *ol, size_t ci)
{
	const struct py_call *c;
	const struct py_fn *fn;
	unsigned i;
	if (!ix || !path || ci >= ol->ncalls)
		return NULL;
	c = &ol->calls[ci];
	if (c->func < 0 || !c->callee[0] || !(fn = py_index_fn_at(ix, path, ol->blocks[c->func].line)))
		return NULL;
	for (i = 0; i < fn->ncalls; i++)
		if (fn->calls[i].line == c->line && !fn->calls[i].job_ref && !strcmp(fn->calls[i].callee, c->callee))
			return py_index_call_target(ix, &fn->calls[i]);
	return NULL;
}


/* ---- work marked as started */

/* 1 when value text v (a string's body or an enum member) says work is
 * under way: running, processing, importing, started, in_progress, queued. */
static int in_progress_word(const char *v, size_t l)
{
	static const char *const yes[] = { "started", "starting", "in_progress", "inprogress", "in-progress", "queued",
					   "scheduled", "begun", "active_run", NULL };
	static const char *const no[] = { "pending", "missing", "outstanding", "upcoming", "incoming", "outgoing",
					  "existing", "waiting", "string", "nothing", "something", "awaiting", NULL };
	char w[40];
	size_t i;
	int k;
	if (l == 0 || l >= sizeof(w))
		return 0;
	for (i = 0; i < l; i++)
		w[i] = (char)tolower((unsigned char)v[i]);
	w[l] = '\0';
	for (k = 0; no[k]; k++)
		if (!strcmp(w, no[k]))
			return 0;
	for (k = 0; yes[k]; k++)
		if (!strcmp(w, yes[k]))
			return 1;
	return l > 5 && !strcmp(w + l - 3, "ing");
}

static int status_attr(const char *a, size_t l)
{
	static const char *const names[] = { "status", "state", "phase", "stage", "step", NULL };
	int k;
	for (k = 0; names[k]; k++) {
		size_t nl = strlen(names[k]);
		if ((l == nl || (l > nl && a[l - nl - 1] == '_')) && !strncasecmp(a + l - nl, names[k], nl))
			return 1;
	}
	return 0;
}

static int started_attr(const char *a, size_t l)
{
	return (l == 10 && !memcmp(a, "started_at", 10)) || (l == 10 && !memcmp(a, "started_on", 10)) ||
	       (l == 10 && !memcmp(a, "start_time", 10)) || (l == 9 && !memcmp(a, "locked_at", 9)) ||
	       (l == 9 && !memcmp(a, "locked_by", 9));
}

int py_txn_marks_started(const struct py_toks *t, uint32_t b, uint32_t e, char *what, size_t n)
{
	uint32_t k, v;
	for (k = b; k + 2 < e && k + 2 < t->n; k++) {
		const char *a = py_tok_text(t, k);
		size_t al = t->v[k].len;
		if (t->v[k].kind != PT_NAME || !py_tok_is(t, k + 1, "="))
			continue;
		if (started_attr(a, al)) {
			snprintf(what, n, "%.*s = ...", (int)al, a);
			return 1;
		}
		if (!status_attr(a, al))
			continue;
		v = k + 2;
		if (t->v[v].kind == PT_STRING && !(t->v[v].flags & PTF_FSTRING)) {
			const char *s = py_tok_text(t, v);
			size_t l = t->v[v].len, i = 0;
			while (i < l && s[i] != '"' && s[i] != '\'')
				i++;
			if (i + 1 < l && in_progress_word(s + i + 1, l - i - 2)) {
				snprintf(what, n, "%.*s = %.*s", (int)al, a, (int)l, s);
				return 1;
			}
		} else if (t->v[v].kind == PT_NAME) {
			while (v + 2 < e && py_tok_is(t, v + 1, ".") && t->v[v + 2].kind == PT_NAME)
				v += 2;
			if (in_progress_word(py_tok_text(t, v), t->v[v].len)) {
				snprintf(what, n, "%.*s = ...%.*s", (int)al, a, (int)t->v[v].len, py_tok_text(t, v));
				return 1;
			}
		}
	}
	return 0;
}


/* ---- paths inside a def */

static int holds(const struct py_block *bl, uint32_t tok)
{
	return tok >= bl->body_begin && tok < bl->body_end;
}

/* The last statement directly in block blk's body, or -1. */
static int last_stmt(const struct py_outline *ol, int blk)
{
	const struct py_block *bl = &ol->blocks[blk];
	uint32_t k = bl->body_end;
	int st = -1;
	while (k > bl->body_begin && st < 0)
		st = py_outline_stmt_of_tok(ol, --k);
	while (st >= 0 && ol->stmts[st].tok_begin >= bl->body_begin && ol->stmts[st].block != blk)
		st--;
	return st >= 0 && ol->stmts[st].block == blk ? st : -1;
}

/* The child of block parent (a direct child) that holds token tok, -1. */
static int child_holding(const struct py_outline *ol, int parent, uint32_t tok)
{
	int st = py_outline_stmt_of_tok(ol, tok), b;
	if (st < 0)
		return -1;
	for (b = ol->stmts[st].block; b >= 0 && ol->blocks[b].parent != parent; b = ol->blocks[b].parent)
		;
	return b;
}

/* 1 when only NEWLINE/INDENT/DEDENT tokens lie in [s,e). */
static int blank_between(const struct py_toks *t, uint32_t s, uint32_t e)
{
	for (; s < e && s < t->n; s++)
		if (t->v[s].kind != PT_NEWLINE && t->v[s].kind != PT_INDENT && t->v[s].kind != PT_DEDENT)
			return 0;
	return 1;
}

/* 1 when sibling blocks from and to (to later) are branches of one
 * if/elif/else, try/except/else or match chain that exclude each other. */
static int exclusive(const struct py_outline *ol, int from, int to)
{
	const struct py_block *a = &ol->blocks[from], *z = &ol->blocks[to];
	int k = to;
	if (!(a->kind == PB_IF || a->kind == PB_ELIF || a->kind == PB_EXCEPT || a->kind == PB_CASE) ||
	    !(z->kind == PB_ELIF || z->kind == PB_ELSE || z->kind == PB_EXCEPT || z->kind == PB_CASE))
		return 0;
	while (k != from) {
		int prev = k - 1;
		uint8_t pk;
		while (prev >= 0 && ol->blocks[prev].parent != z->parent)
			prev--;
		if (prev < 0 || !blank_between(ol->toks, ol->blocks[prev].body_end, ol->blocks[k].hdr_begin))
			return 0;
		pk = ol->blocks[prev].kind;
		if (pk != PB_IF && pk != PB_ELIF && pk != PB_EXCEPT && pk != PB_CASE && pk != PB_TRY)
			return 0;
		if (pk == PB_TRY && prev != from)
			return 0; /* an except after the try body is not exclusive with it */
		k = prev;
	}
	return 1;
}

int py_txn_reaches(const struct py_outline *ol, int st, uint32_t tok)
{
	int blk;
	if (st < 0 || (size_t)st >= ol->nstmts)
		return 0;
	blk = ol->stmts[st].block;
	while (blk >= 0 && !holds(&ol->blocks[blk], tok)) {
		const struct py_block *bl = &ol->blocks[blk];
		int last, parent = bl->parent, child;
		if (bl->kind == PB_DEF || bl->kind == PB_LAMBDA || bl->kind == PB_CLASS || bl->kind == PB_MODULE)
			return 0;
		if ((last = last_stmt(ol, blk)) >= 0) {
			const struct py_toks *t = ol->toks;
			uint32_t k0 = ol->stmts[last].tok_begin;
			if (py_tok_is(t, k0, "return") || py_tok_is(t, k0, "raise"))
				return 0;
			if (py_tok_is(t, k0, "continue") || py_tok_is(t, k0, "break")) {
				int loop = py_outline_enclosing(ol, blk, PB_MASK(PB_FOR) | PB_MASK(PB_WHILE), 0);
				if (loop < 0 || holds(&ol->blocks[loop], tok))
					return 0;
				blk = ol->blocks[loop].parent; /* leaves the loop; what follows it runs */
				continue;
			}
		}
		if (parent >= 0 && holds(&ol->blocks[parent], tok) && (child = child_holding(ol, parent, tok)) >= 0 &&
		    child != blk && exclusive(ol, blk, child))
			return 0;
		blk = parent;
	}
	return 1;
}
