/*
 * scope_too_wide, TypeScript/JavaScript
 *
 * What it does: reports external HTTP calls (fetch, axios, got, http(s)
 * .request, NestJS HttpService, SDK clients such as S3 client.send(new
 * PutObjectCommand(...)), Stripe, nodemailer sendMail) and file I/O (fs,
 * fs/promises) that run inside a transaction: the callback of Prisma's
 * interactive $transaction, TypeORM/knex transaction(cb), or the span
 * between a manual begin (query('BEGIN'), startTransaction(), knex
 * transaction()) and its commit.  One call deep in the same file: a call
 * inside the transaction to a function or method of the file whose own
 * body does such I/O is reported at the call site.
 *
 * Not reported: calls before the begin or after the commit, the array
 * form $transaction([...]) (no user code runs inside), child processes and
 * sleeps (long_held_transaction).
 *
 * Severity: HIGH for network, MEDIUM for files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "jstxn.h"

#define MAX_TXN 64

/* The def of the file that call c runs when it names a function or a
 * method of the file ("this.notify", "notify"); -1 when none or when the
 * name is not unique. */
static int local_target(const struct py_outline *ol, const struct py_call *c)
{
	const char *name = c->callee;
	size_t b;
	int found = -1;
	if (!strncmp(name, "this.", 5))
		name += 5;
	if (strchr(name, '.') || !name[0])
		return -1;
	for (b = 0; b < ol->nblocks; b++)
		if (ol->blocks[b].kind == PB_DEF && ol->blocks[b].name && !strcmp(ol->blocks[b].name, name)) {
			if (found >= 0)
				return -1;
			found = (int)b;
		}
	return found;
}

static const char *api_word(const struct js_txn *x)
{
	switch (x->api) {
	case JTX_PRISMA: return "Prisma interactive $transaction";
	case JTX_TYPEORM:
		return x->kind == JTX_MANUAL ? "TypeORM QueryRunner transaction" : "TypeORM transaction";
	case JTX_PG: return "node-postgres BEGIN..COMMIT transaction";
	case JTX_KNEX: return "knex transaction";
	default: return "transaction";
	}
}

static const char prisma_timeout[] =
	", and a slow response makes the interactive transaction exceed its 5 s timeout (P2028) "
	"and roll back";

void check_scope_too_wide_ts(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct js_txn tx[MAX_TXN];
	size_t n = js_txns_of_file(ol, tx, MAX_TXN), ci, i;
	struct js_slow_names *sn;
	uint8_t *slow;
	int *deep;
	if (!n)
		return;
	if (n > MAX_TXN)
		n = MAX_TXN;
	sn = js_slow_names_new(ol);
	slow = calloc(ol->ncalls + 1, 1);
	deep = malloc((ol->nblocks + 1) * sizeof(*deep));
	if (!sn || !slow || !deep)
		goto out;
	for (i = 0; i < ol->nblocks; i++)
		deep[i] = -1;
	/* one pass: what each call does, and the first network/file call of each def */
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		slow[ci] = (uint8_t)js_call_slow(ol, sn, ci);
		if ((slow[ci] == JSLOW_NET || slow[ci] == JSLOW_FILE) && c->func >= 0 && deep[c->func] < 0)
			deep[c->func] = (int)ci;
	}
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		const struct js_txn *x = NULL;
		enum js_slow s = (enum js_slow)slow[ci];
		int via = -1, tgt;
		char issue[768], rec[512], how[200];
		const char *fn;
		for (i = 0; i < n; i++)
			if (js_txn_holds(ol, &tx[i], ci))
				x = &tx[i];
		if (!x)
			continue;
		if (s != JSLOW_NET && s != JSLOW_FILE) {
			tgt = local_target(ol, c);
			if (tgt < 0 || deep[tgt] < 0 || tgt == x->body || tgt == c->func)
				continue;
			via = deep[tgt];
			s = (enum js_slow)slow[via];
		}
		fn = x->func >= 0 && ol->blocks[x->func].name ? ol->blocks[x->func].name : "the function";
		if (via >= 0)
			snprintf(how, sizeof(how), "%s() (line %u), which calls %s",
				 ol->calls[ci].callee, c->line, ol->calls[via].callee);
		else
			snprintf(how, sizeof(how), "%s", c->callee);
		snprintf(issue, sizeof(issue),
			 "Transaction scope too wide: %s in %s runs the %s %s inside the %s opened by %s at "
			 "line %u; the transaction, its row locks and its pooled connection stay held while "
			 "it waits%s",
			 fn, cx->path, js_slow_word(s), how, api_word(x), x->what, x->line,
			 x->api == JTX_PRISMA ? prisma_timeout : "");
		snprintf(rec, sizeof(rec),
			 "Move the %s out of the transaction: do it before %s, or after the commit (record "
			 "the intent in the transaction and act on it afterwards, e.g. an outbox row "
			 "processed by a job); keep only the database writes inside",
			 js_slow_word(s), x->what);
		check_report(cx, c->line, c->end_line, s == JSLOW_NET ? SEV_HIGH : SEV_MEDIUM, issue, rec);
	}
out:
	js_slow_names_free(sn);
	free(slow);
	free(deep);
}
