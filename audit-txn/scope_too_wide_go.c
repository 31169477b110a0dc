/*
 * scope_too_wide, Go
 *
 * What it does: reports a network call (net/http's http.Get/Post, an
 * *http.Client's Do/Get/Post, SDK clients such as the AWS s3/sqs/sns
 * clients, smtp.SendMail) or file I/O (os.WriteFile, os.Create...) made
 * while a transaction is open: between tx, err := db.BeginTx(...) (or
 * GORM's db.Begin(), pgx's pool.Begin) and the function's tx.Commit(), or
 * inside the function literal of GORM db.Transaction(...) / pgx.BeginFunc.
 * A call of a function or method of the same file that makes such a call
 * itself is reported at its call site (one call deep).  Calls in a
 * goroutine started inside the transaction, and calls before the Begin or
 * after the Commit, are not reported.
 *
 * Why it matters: the transaction, its row locks and its pooled
 * connection stay open for as long as the remote service or the disk
 * takes; a slow or failing service stalls every writer of those rows and
 * can exhaust the pool.
 *
 * Severity: HIGH for network calls, MEDIUM for files.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "gotxn.h"
#include "pyfacts.h"

#define MAX_TXNS 64

static void report(struct check_ctx *cx, const struct go_txn *t, size_t ci, enum go_slow kind, const char *what,
		   const char *via)
{
	const struct py_outline *ol = cx->ol;
	const struct py_call *c = &ol->calls[ci];
	char issue[1200], rec[800], span[400];
	int net = kind == GSLOW_NET;
	if (t->kind == GTX_CALLBACK)
		snprintf(span, sizeof(span), "inside the function passed to `%s` (line %u), which commits only when it "
			 "returns", t->what, t->line);
	else if (t->commit_call >= 0)
		snprintf(span, sizeof(span), "between `%s` (line %u) and `%.80s()` (line %u)", t->what, t->line,
			 ol->calls[t->commit_call].callee, ol->calls[t->commit_call].line);
	else
		snprintf(span, sizeof(span), "after `%s` (line %u) with the transaction still open", t->what, t->line);
	snprintf(issue, sizeof(issue),
		 "Transaction scope too wide: %s %s%s%s runs %s, so the transaction holds its pooled connection "
		 "and row locks while it waits on %s",
		 net ? "the network call" : "the file I/O", what, via ? " (inside " : "", via ? via : "",
		 span, net ? "the remote service" : "the disk");
	snprintf(rec, sizeof(rec),
		 "Make the %s outside the transaction: before `%s` when the transaction needs its result, or after "
		 "the commit (record the intent in the transaction and send it afterwards, e.g. from an outbox "
		 "row) when it must happen only if the writes commit; keep %s to the database statements",
		 net ? "call" : "file I/O", t->what,
		 t->kind == GTX_CALLBACK ? "the transaction function" : "the Begin..Commit window");
	check_report(cx, c->line, c->end_line, net ? SEV_HIGH : SEV_MEDIUM, issue, rec);
}

void check_scope_too_wide_go(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct go_txn tx[MAX_TXNS];
	struct go_slow_defs sd;
	struct go_types *gt;
	size_t n, i, ci;
	if (go_txn_skip_file(cx->path, cx->toks))
		return;
	n = go_txns_of_file(ol, tx, MAX_TXNS);
	if (!n)
		return;
	if (n > MAX_TXNS)
		n = MAX_TXNS;
	gt = go_types_new(ol);
	go_slow_defs_build(ol, gt, (1u << GSLOW_NET) | (1u << GSLOW_FILE), &sd);
	for (i = 0; i < n; i++) {
		const struct go_txn *t = &tx[i];
		for (ci = py_first_call_from(ol, t->begin_tok); ci < ol->ncalls && ol->calls[ci].name_begin < t->end_tok;
		     ci++) {
			char what[96], via[200];
			enum go_slow k;
			int d;
			if (!go_txn_holds(ol, t, ci))
				continue;
			k = go_call_slow(ol, gt, ci, what, sizeof(what));
			if (k == GSLOW_NET || k == GSLOW_FILE) {
				report(cx, t, ci, k, what, NULL);
				continue;
			}
			d = go_slow_defs_callee(ol, gt, &sd, ci);
			if (d < 0)
				continue;
			snprintf(via, sizeof(via), "%s, line %u)", ol->calls[ci].callee, ol->calls[sd.v[d].call].line);
			report(cx, t, ci, sd.v[d].kind, sd.v[d].what, via);
		}
	}
	go_types_free(gt);
}
