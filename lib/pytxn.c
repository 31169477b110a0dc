/*
 * pytxn: transaction boundaries of Python defs (see pytxn.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pytxn.h"
#include "pyfacts.h"

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
