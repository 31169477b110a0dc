/*
 * long_held_transaction, Go
 *
 * What it does: reports a transaction (tx, err := db.BeginTx(...) .. the
 * function's tx.Commit(), GORM tx := db.Begin(), pgx pool.Begin, or the
 * function literal of GORM db.Transaction(...) / pgx.BeginFunc) that stays
 * open across a slow step: time.Sleep, a network call (net/http, an
 * *http.Client, SDK clients), a child process (exec.Command), directly or
 * through a function or method of the same file that makes one; or that
 * spans more than 50 lines.  Reported at the Begin (or Transaction) line,
 * once per transaction.  File I/O alone is left to scope_too_wide, and a
 * manual transaction with no Commit in its function is not measured by
 * length.
 *
 * Why it matters: row locks, the pooled connection and the snapshot are
 * held for the whole wait; other writers of those rows queue behind it,
 * VACUUM cannot clean up behind the snapshot, and a burst of such requests
 * exhausts the pool.
 *
 * Severity: HIGH for sleeps, network calls and child processes, MEDIUM
 * for length.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "config.h"
#include "gotxn.h"
#include "pyfacts.h"

#define MAX_TXNS 64
/* the line threshold: 50, or the configuration's long_transaction_lines (cx in scope) */
#define LONG_LINES ((unsigned)config_int(cx->context, "long_transaction_lines", 50))

static const char *kind_noun(enum go_slow k)
{
	switch (k) {
	case GSLOW_SLEEP:
		return "sleeps";
	case GSLOW_EXEC:
		return "runs a child process";
	default:
		return "waits on the network";
	}
}

static void audit_txn(struct check_ctx *cx, const struct go_types *gt, const struct go_slow_defs *sd,
		      const struct go_txn *t)
{
	const struct py_outline *ol = cx->ol;
	const unsigned slow_mask = (1u << GSLOW_NET) | (1u << GSLOW_SLEEP) | (1u << GSLOW_EXEC);
	char issue[1200], rec[800], what[96], via[200] = "", close[160];
	enum go_slow kind = GSLOW_NONE;
	unsigned at = 0, span;
	size_t ci;
	for (ci = py_first_call_from(ol, t->begin_tok); ci < ol->ncalls && ol->calls[ci].name_begin < t->end_tok;
	     ci++) {
		enum go_slow k;
		int d;
		if (!go_txn_holds(ol, t, ci))
			continue;
		k = go_call_slow(ol, gt, ci, what, sizeof(what));
		if (k != GSLOW_NONE && (slow_mask & (1u << k))) {
			kind = k;
			at = ol->calls[ci].line;
			break;
		}
		d = go_slow_defs_callee(ol, gt, sd, ci);
		if (d >= 0) {
			kind = sd->v[d].kind;
			at = ol->calls[ci].line;
			snprintf(what, sizeof(what), "%s", sd->v[d].what);
			snprintf(via, sizeof(via), " through `%s` (line %u)", ol->calls[ci].callee, at);
			break;
		}
	}
	if (t->kind == GTX_CALLBACK)
		snprintf(close, sizeof(close), "commits only when the function passed to it returns (line %u)",
			 t->end_line);
	else if (t->commit_call >= 0)
		snprintf(close, sizeof(close), "stays open until `%.80s()` at line %u", ol->calls[t->commit_call].callee,
			 ol->calls[t->commit_call].line);
	else
		snprintf(close, sizeof(close), "stays open to the end of %s", ol->blocks[t->func].name ?
			 ol->blocks[t->func].name : "the function");
	if (kind != GSLOW_NONE) {
		snprintf(issue, sizeof(issue),
			 "Long-held transaction: the transaction begun by `%s` (line %u) %s, and in between it %s: "
			 "%s at line %u%s.  Its row locks, snapshot and pooled connection are held for the whole "
			 "wait",
			 t->what, t->line, close, kind_noun(kind), what, at, via);
		snprintf(rec, sizeof(rec),
			 "Do the %s outside the transaction: before `%s` (gather what the writes need first) or "
			 "after the commit; when the writes depend on the result, split the work into short "
			 "transactions, one per item or batch",
			 kind == GSLOW_SLEEP ? "waiting" : kind == GSLOW_EXEC ? "child process" : "network call",
			 t->what);
		check_report(cx, t->line, at, SEV_HIGH, issue, rec);
		return;
	}
	if (t->kind == GTX_MANUAL && t->commit_call < 0)
		return;
	span = t->end_line - t->line;
	if (span <= LONG_LINES)
		return;
	snprintf(issue, sizeof(issue),
		 "Long-held transaction: the transaction begun by `%s` (line %u) %s: %u lines of work run while it "
		 "holds its row locks and pooled connection",
		 t->what, t->line, close, span);
	snprintf(rec, sizeof(rec),
		 "Compute what the writes need before `%s`, and keep only the reads that must be consistent and the "
		 "writes between the Begin and the Commit",
		 t->what);
	check_report(cx, t->line, t->end_line, SEV_MEDIUM, issue, rec);
}

void check_long_held_transaction_go(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct go_txn tx[MAX_TXNS];
	struct go_slow_defs sd;
	struct go_types *gt;
	size_t n, i;
	if (go_txn_skip_file(cx->path, cx->toks))
		return;
	n = go_txns_of_file(ol, tx, MAX_TXNS);
	if (!n)
		return;
	if (n > MAX_TXNS)
		n = MAX_TXNS;
	gt = go_types_new(ol);
	go_slow_defs_build(ol, gt, (1u << GSLOW_NET) | (1u << GSLOW_SLEEP) | (1u << GSLOW_EXEC), &sd);
	for (i = 0; i < n; i++)
		audit_txn(cx, gt, &sd, &tx[i]);
	go_types_free(gt);
}
