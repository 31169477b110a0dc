/*
 * missing_rollback, Go
 *
 * What it does: reports a manual transaction (database/sql or sqlx
 * db.Begin/BeginTx, pgx pool.Begin(ctx), GORM tx := db.Begin()) that its
 * function commits, with no deferred rollback (defer tx.Rollback(), a
 * deferred literal calling it, or a deferred helper handed tx), and with at
 * least one error return between the Begin and the Commit whose branch
 * does not roll back (if err != nil { return err } with no tx.Rollback()
 * or helper call on tx in it).  The error check of the Begin itself is not
 * such a return.  Callback transactions (GORM db.Transaction, pgx.BeginFunc)
 * roll back by themselves and are never reported.  Reported at the Begin
 * line.
 *
 * Why it matters: a transaction left open on an error path keeps its
 * connection out of the pool and its row locks held until the context is
 * cancelled (BeginTx) or, without a context, forever; under load the pool
 * runs dry and writers of those rows queue.
 *
 * Severity: MEDIUM.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "gotxn.h"
#include "pyfacts.h"

#define MAX_TXNS 64

static int callee_on(const char *callee, const char *var, const char *method)
{
	size_t l = strlen(var);
	return !strncmp(callee, var, l) && callee[l] == '.' && !strcmp(callee + l + 1, method);
}

/* 1 when call c's arguments name var (a helper handed the transaction). */
static int passes_var(const struct py_outline *ol, const struct py_call *c, const char *var)
{
	uint32_t k;
	for (k = c->lparen + 1; k < c->rparen; k++)
		if (ol->toks->v[k].kind == PT_NAME && py_tok_is(ol->toks, k, var) &&
		    !(k > 0 && py_tok_is(ol->toks, k - 1, ".")))
			return 1;
	return 0;
}

/* 1 when the function of t defers a rollback of its variable. */
static int defers_rollback(const struct py_outline *ol, const struct go_txn *t)
{
	const struct py_block *d = &ol->blocks[t->func];
	size_t ci;
	for (ci = (size_t)t->begin_call + 1; ci < ol->ncalls && ol->calls[ci].name_begin < d->body_end; ci++) {
		const struct py_call *c = &ol->calls[ci];
		int inv;
		if (c->deferred && (callee_on(c->callee, t->var, "Rollback") || passes_var(ol, c, t->var)))
			return 1;
		if (!callee_on(c->callee, t->var, "Rollback") || c->func == t->func || c->func < 0)
			continue;
		inv = go_lit_invoked_by(ol, c->func);
		if (inv >= 0 && ol->calls[inv].deferred)
			return 1; /* defer func() { ... tx.Rollback() ... }() */
	}
	return 0;
}

/* 1 when tokens [b,e) roll back t's variable, or, with helpers, hand it
 * to a helper call (a branch's body: return s.fail(tx, err)). */
static int rolls_back(const struct py_outline *ol, const struct go_txn *t, uint32_t b, uint32_t e, int helpers)
{
	size_t ci;
	for (ci = py_first_call_from(ol, b); ci < ol->ncalls && ol->calls[ci].name_begin < e; ci++) {
		const struct py_call *c = &ol->calls[ci];
		if (callee_on(c->callee, t->var, "Rollback") ||
		    (helpers && (callee_on(c->callee, t->var, "Commit") ||
				 (!c->is_ref && strcmp(c->name, "Error") && passes_var(ol, c, t->var)))))
			return 1;
	}
	return 0;
}

static void audit_txn(struct check_ctx *cx, const struct go_txn *t)
{
	const struct py_outline *ol = cx->ol;
	uint32_t stop = ol->calls[t->commit_call].name_begin;
	unsigned lines[4], nl = 0, total = 0;
	char issue[1200], rec[700], at[64] = "";
	int st;
	for (st = t->begin_stmt + 1; st >= 0 && (size_t)st < ol->nstmts && ol->stmts[st].tok_begin < stop; st++) {
		const struct py_stmt *s = &ol->stmts[st];
		const struct py_block *b;
		if (ol->blocks[s->block].func != t->func || s->opens < 0 || !go_stmt_is_err_return(ol, st))
			continue;
		if (st == t->begin_stmt + 1 && s->block == ol->stmts[t->begin_stmt].block)
			continue; /* the Begin's own error check */
		b = &ol->blocks[s->opens];
		/* the header may roll back: if rbErr := tx.Rollback(); rbErr != nil { return rbErr } */
		if (rolls_back(ol, t, s->tok_begin, b->body_begin, 0) || rolls_back(ol, t, b->body_begin, b->body_end, 1))
			continue;
		if (nl < 4)
			lines[nl++] = s->line;
		total++;
	}
	if (!total)
		return;
	{
		size_t l = 0;
		unsigned k;
		for (k = 0; k < nl; k++)
			l += (size_t)snprintf(at + l, sizeof(at) - l, "%s%u", k ? ", " : "", lines[k]);
		if (total > nl)
			snprintf(at + l, sizeof(at) - l, "...");
	}
	snprintf(issue, sizeof(issue),
		 "Missing rollback: `%s` (line %u) starts a transaction in %s with no `defer %s.Rollback()`, and the "
		 "error return%s at line%s %s before `%.80s()` (line %u) leave%s it open.  The transaction keeps "
		 "its pooled connection and its row locks until %s",
		 t->what, t->line, ol->blocks[t->func].name ? ol->blocks[t->func].name : "a function literal",
		 t->var, total > 1 ? "s" : "", total > 1 ? "s" : "", at, ol->calls[t->commit_call].callee,
		 ol->calls[t->commit_call].line,
		 total > 1 ? "" : "s",
		 strstr(t->what, "BeginTx") || strstr(t->what, "WithContext")
			 ? "its context is cancelled"
			 : "the connection is closed (nothing cancels a transaction begun without a context)");
	snprintf(rec, sizeof(rec),
		 "Add `defer %s.Rollback()` right after the Begin error check: after a successful Commit it is a "
		 "no-op (it returns sql.ErrTxDone), and every error return or panic then rolls back%s",
		 t->var,
		 t->gorm ? "; or let GORM manage it with `db.Transaction(func(tx *gorm.DB) error { ... })`, which "
			   "rolls back when the function returns an error"
			 : "");
	check_report(cx, t->line, t->line, SEV_MEDIUM, issue, rec);
}

void check_missing_rollback_go(struct check_ctx *cx)
{
	struct go_txn tx[MAX_TXNS];
	size_t n, i;
	if (go_txn_skip_file(cx->path, cx->toks))
		return;
	n = go_txns_of_file(cx->ol, tx, MAX_TXNS);
	for (i = 0; i < n && i < MAX_TXNS; i++)
		if (tx[i].kind == GTX_MANUAL && tx[i].commit_call >= 0 && !defers_rollback(cx->ol, &tx[i]))
			audit_txn(cx, &tx[i]);
}
