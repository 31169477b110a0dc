/*
 * scope_too_narrow, Go
 *
 * What it does: reports a function that makes two writes on the same
 * database handle outside any transaction, one after the other on the same
 * path: database/sql, sqlx or pgx Exec/QueryRow/Query of an INSERT, UPDATE
 * or DELETE, or GORM Create/Save/Update(s)/Delete.  Each such statement
 * autocommits on its own (GORM wraps each write in its own default
 * transaction), so a failure between them leaves the first committed
 * without the second.  Not reported: writes on a transaction (a *sql.Tx,
 * pgx.Tx or a GORM tx parameter or variable, or inside Begin..Commit or
 * db.Transaction), writes in loops (n_update_delete_loop and
 * missing_bulk_ops), writes on exclusive branches, writes on two different
 * handles, and a single GORM Create of a struct with its associations
 * filled (one default transaction).  Reported at the first write.
 *
 * Why it matters: the pair is logically atomic (an order and its items, a
 * row and its audit entry, a debit and its credit); a crash, a timeout or
 * an error on the second statement leaves the data half written.
 *
 * Severity: HIGH when both writes insert (parent and child rows), MEDIUM
 * for related updates.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "gotxn.h"
#include "pyfacts.h"

#define MAX_TXNS 64

/* 1 when write ci runs on a transaction: its receiver's type, or a name
 * that says so. */
static int on_tx(const struct py_outline *ol, const struct go_types *gt, size_t ci, const struct go_write *w)
{
	const char *rt = gt ? go_types_recv(gt, (int)ci) : NULL;
	const char *last = strrchr(w->recv, '.');
	size_t l;
	(void)ol;
	if (rt && strstr(rt, "Tx"))
		return 1;
	last = last ? last + 1 : w->recv;
	l = strlen(last);
	return !strcmp(last, "tx") || !strcmp(last, "trx") || (l >= 2 && (!strcmp(last + l - 2, "Tx") ||
									  !strcmp(last + l - 2, "tx")));
}

/* 1 when block a is b or encloses it, with no error branch in between (a
 * write in "if err != nil { ...; return }" compensates or logs a failure,
 * it is not the second half of a pair). */
static int encloses(const struct py_outline *ol, int a, int b)
{
	for (; b >= 0; b = ol->blocks[b].parent) {
		int st;
		if (a == b)
			return 1;
		st = py_outline_stmt_of_tok(ol, ol->blocks[b].hdr_begin);
		if (ol->blocks[b].kind == PB_IF && st >= 0 && go_stmt_is_err_return(ol, st))
			return 0;
	}
	return 0;
}

static const char *kind_word(uint8_t k)
{
	return k & GW_INSERT ? "INSERT" : k & GW_UPDATE ? "UPDATE" : "DELETE";
}

static void describe(const struct py_outline *ol, size_t ci, const struct go_write *w, char *buf, size_t n)
{
	const struct py_call *c = &ol->calls[ci];
	if (w->gorm)
		snprintf(buf, n, "`%s.%s(...)`%s%s (line %u)", w->recv, c->name, w->model[0] ? " of " : "", w->model,
			 c->line);
	else
		snprintf(buf, n, "`%s` %s%s%s (line %u)", c->callee, kind_word(w->kinds), w->table[0] ? " " : "",
			 w->table, c->line);
}

static void audit_def(struct check_ctx *cx, const struct go_types *gt, const struct go_txn *tx, size_t ntx,
		      int f)
{
	const struct py_outline *ol = cx->ol;
	const struct py_block *d = &ol->blocks[f];
	int first = -1;
	struct go_write fw;
	size_t ci, k;
	for (ci = py_first_call_from(ol, d->body_begin); ci < ol->ncalls && ol->calls[ci].name_begin < d->body_end;
	     ci++) {
		const struct py_call *c = &ol->calls[ci];
		struct go_write w;
		int held = 0;
		if (c->func != f || c->go_stmt || c->deferred || !go_call_write(ol, gt, ci, &w) || on_tx(ol, gt, ci, &w))
			continue;
		if (py_outline_enclosing(ol, c->block, PB_MASK(PB_FOR), 0) >= 0)
			continue;
		for (k = 0; k < ntx && !held; k++)
			held = go_txn_holds(ol, &tx[k], ci);
		if (held)
			continue;
		if (first < 0) {
			first = (int)ci;
			fw = w;
			continue;
		}
		if (strcmp(fw.recv, w.recv) || !encloses(ol, ol->calls[first].block, c->block))
			continue;
		{
			char a[300], b[300], issue[1200], rec[800];
			int parent = (fw.kinds & GW_INSERT) && (w.kinds & GW_INSERT);
			describe(ol, (size_t)first, &fw, a, sizeof(a));
			describe(ol, ci, &w, b, sizeof(b));
			snprintf(issue, sizeof(issue),
				 "Transaction scope too narrow: %s and %s in %s run as two separate transactions%s; if "
				 "the second fails (an error, a timeout, a crash in between), the first stays committed "
				 "and the data is half written",
				 a, b, d->name ? d->name : "this function",
				 fw.gorm ? " (GORM wraps each write in its own default transaction)"
					 : " (each statement autocommits)");
			if (fw.gorm)
				snprintf(rec, sizeof(rec),
					 "Run both writes in one `%s.Transaction(func(tx *gorm.DB) error { ... })` and "
					 "return the error of either%s",
					 fw.recv, parent ? ", or fill the association on the parent struct so that one "
							   "Create inserts both in its default transaction" : "");
			else
				snprintf(rec, sizeof(rec),
					 "Run both statements in one transaction: `tx, err := %s.BeginTx(ctx, nil)`, "
					 "`defer tx.Rollback()`, both writes on tx, then `tx.Commit()`",
					 fw.recv);
			check_report(cx, ol->calls[first].line, c->end_line, parent ? SEV_HIGH : SEV_MEDIUM, issue, rec);
		}
		return; /* one finding per function */
	}
}

void check_scope_too_narrow_go(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct go_txn tx[MAX_TXNS];
	struct go_types *gt;
	size_t ntx, b;
	if (go_txn_skip_file(cx->path, cx->toks))
		return;
	ntx = go_txns_of_file(ol, tx, MAX_TXNS);
	if (ntx > MAX_TXNS)
		ntx = MAX_TXNS;
	gt = go_types_new(ol);
	for (b = 0; b < ol->nblocks; b++)
		if (ol->blocks[b].kind == PB_DEF)
			audit_def(cx, gt, tx, ntx, (int)b);
	go_types_free(gt);
}
