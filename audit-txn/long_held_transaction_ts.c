/*
 * long_held_transaction, TypeScript/JavaScript
 *
 * What it does: reports a transaction, at its begin (the $transaction(
 * or transaction( call of a callback transaction, startTransaction(),
 * query('BEGIN'), knex transaction()), that waits on something slow
 * before it commits: a sleep (await sleep(ms), a setTimeout promise), an
 * external HTTP call (fetch, axios, got, SDK clients), a child process
 * (exec, execFile, spawn and their promisified names), directly or one
 * call deep through a function or method of the same file; or that spans
 * more than 50 lines of code (statements, not comments) between begin
 * and commit.
 *
 * Not reported: the array form $transaction([...]) (no user code runs
 * inside); transactions holding only file I/O or CPU work (optional).
 *
 * Severity: HIGH for external calls, sleeps and child processes, MEDIUM
 * for length alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "config.h"
#include "jstxn.h"

#define MAX_TXN 64
/* the line threshold: 50, or the configuration's long_transaction_lines (cx in scope) */
#define LONG_LINES ((unsigned)config_int(cx->context, "long_transaction_lines", 50))

static int slow_enough(uint8_t s)
{
	return s == JSLOW_NET || s == JSLOW_SLEEP || s == JSLOW_EXEC;
}

/* The def of the file named by call c (bare or this.name), unique; -1. */
static int local_def(const struct py_outline *ol, const struct py_call *c)
{
	const char *name = !strncmp(c->callee, "this.", 5) ? c->callee + 5 : c->callee;
	size_t b;
	int found = -1;
	if (!name[0] || strchr(name, '.'))
		return -1;
	for (b = 0; b < ol->nblocks; b++)
		if (ol->blocks[b].kind == PB_DEF && ol->blocks[b].name && !strcmp(ol->blocks[b].name, name)) {
			if (found >= 0)
				return -1;
			found = (int)b;
		}
	return found;
}

/* Lines of code (statements, not comments or blank lines) inside x. */
static unsigned code_lines(const struct py_outline *ol, const struct js_txn *x)
{
	size_t s;
	unsigned n = 0, last = 0;
	for (s = 0; s < ol->nstmts; s++) {
		const struct py_stmt *st = &ol->stmts[s];
		unsigned a = st->line > last ? st->line : last + 1;
		if (st->tok_begin < x->begin_tok || st->tok_begin >= x->end_tok)
			continue;
		if (st->end_line >= a)
			n += st->end_line - a + 1;
		if (st->end_line > last)
			last = st->end_line;
	}
	return n;
}

static const char prisma_timeout[] =
	"; Prisma aborts an interactive transaction after its 5 s timeout (P2028)";

void check_long_held_transaction_ts(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct js_txn tx[MAX_TXN];
	size_t n = js_txns_of_file(ol, tx, MAX_TXN), ci, i;
	struct js_slow_names *sn;
	uint8_t *slow;
	int *first_slow, *deep;
	if (!n)
		return;
	if (n > MAX_TXN)
		n = MAX_TXN;
	sn = js_slow_names_new(ol);
	slow = calloc(ol->ncalls + 1, 1);
	deep = malloc((ol->nblocks + 1) * sizeof(*deep));
	first_slow = malloc(n * sizeof(*first_slow));
	if (!sn || !slow || !deep || !first_slow)
		goto out;
	for (i = 0; i < ol->nblocks; i++)
		deep[i] = -1;
	for (i = 0; i < n; i++)
		first_slow[i] = -1;
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		slow[ci] = (uint8_t)js_call_slow(ol, sn, ci);
		if (slow_enough(slow[ci]) && c->func >= 0 && deep[c->func] < 0)
			deep[c->func] = (int)ci;
	}
	for (ci = 0; ci < ol->ncalls; ci++) {
		for (i = 0; i < n; i++) {
			int d;
			if (first_slow[i] >= 0 || !js_txn_holds(ol, &tx[i], ci))
				continue;
			if (slow_enough(slow[ci]))
				first_slow[i] = (int)ci;
			else if ((d = local_def(ol, &ol->calls[ci])) >= 0 && deep[d] >= 0 &&
				 d != tx[i].body && d != ol->calls[ci].func)
				first_slow[i] = (int)ci;
		}
	}
	for (i = 0; i < n; i++) {
		const struct js_txn *x = &tx[i];
		const char *fn = x->func >= 0 && ol->blocks[x->func].name ? ol->blocks[x->func].name
									 : "the function";
		char issue[768], rec[512];
		unsigned span;
		const char *end = x->kind == JTX_CALLBACK ? "the callback returns" : "the commit";
		if (first_slow[i] >= 0) {
			const struct py_call *c = &ol->calls[first_slow[i]];
			int d = slow_enough(slow[first_slow[i]]) ? -1 : local_def(ol, c);
			enum js_slow s = (enum js_slow)(d >= 0 ? slow[deep[d]] : slow[first_slow[i]]);
			snprintf(issue, sizeof(issue),
				 "Long-held transaction: the transaction %s opens at line %u of %s stays "
				 "open across the %s %s%s%s at line %u until %s (line %u); its connection, "
				 "row locks and snapshot are held for as long as that takes%s",
				 x->what, x->line, fn, js_slow_word(s), c->callee,
				 d >= 0 ? "(), which calls " : "", d >= 0 ? ol->calls[deep[d]].callee : "",
				 c->line, end, x->end_line, x->api == JTX_PRISMA ? prisma_timeout : "");
			snprintf(rec, sizeof(rec),
				 "Do the %s before the transaction or after it commits, and keep the "
				 "transaction to the reads and writes that must be atomic; pass what it "
				 "needs in, and record follow-up work for a job instead of waiting on it",
				 js_slow_word(s));
			check_report(cx, x->line, c->line, SEV_HIGH, issue, rec);
		} else if ((x->kind == JTX_CALLBACK || x->commit_call >= 0) &&
			   x->end_line > x->line + LONG_LINES && (span = code_lines(ol, x)) > LONG_LINES) {
			snprintf(issue, sizeof(issue),
				 "Long-held transaction: the transaction %s opens at line %u of %s and runs "
				 "%u lines of code until %s (line %u); everything in between holds its "
				 "connection and locks",
				 x->what, x->line, fn, span, end, x->end_line);
			snprintf(rec, sizeof(rec),
				 "Prepare inputs before %s and keep only the statements that must be atomic "
				 "inside; move validation, formatting and follow-up work out of it",
				 x->what);
			check_report(cx, x->line, x->line, SEV_MEDIUM, issue, rec);
		}
	}
out:
	js_slow_names_free(sn);
	free(slow);
	free(deep);
	free(first_slow);
}
