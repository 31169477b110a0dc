/*
 * scope_too_wide
 *
 * What it does: reports a network call (requests, httpx, aiohttp, urllib,
 * gRPC stubs, SDK clients such as boto3, stripe, smtplib) or file I/O
 * (open(), Path.read_text/write_bytes..., shutil) made while a write
 * transaction is open: inside with/async with ...begin(), or after the
 * first write of the def (add, delete, flush, execute of an INSERT/UPDATE/
 * DELETE, an explicit begin()) and before the commit that follows it.  A
 * call of a project function or method that makes a network call itself
 * is reported at its call site (one call deep), as the project index
 * resolves the call: self.method(), a parameter's annotation or a local's
 * constructor, functions and classes imported from project modules,
 * Cls().method().  Calls it cannot resolve are not guessed by name.
 *
 * Why it matters: the transaction, its row locks and its pooled
 * connection stay open for as long as the remote service or the disk
 * takes; a slow or failing service stalls every writer of those rows and
 * can exhaust the pool.
 *
 * Example:
 *     with db.begin():
 *         expense = db.get(Expense, expense_id, with_for_update=True)
 *         resp = requests.post(PAYMENTS_URL, json=payload, timeout=30)
 *
 * Use instead:
 *     resp = requests.post(PAYMENTS_URL, json=payload, timeout=30)
 *     with db.begin():
 *         expense = db.get(Expense, expense_id, with_for_update=True)
 *         expense.reimbursed_ref = resp.json()["transfer_id"]
 *
 * Severity: HIGH for network calls, MEDIUM for file I/O.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "pydb.h"
#include "pyfacts.h"
#include "pyindex.h"
#include "pytxn.h"

enum ext { EXT_NONE, EXT_NET, EXT_FILE, EXT_HELPER };

static enum ext external(const struct check_ctx *cx, const struct py_binds *b, struct py_index *ix, size_t ci,
			 char *what, size_t n)
{
	const struct py_fn *fn;
	if (py_call_is_network(b, ci, what, n))
		return EXT_NET;
	if (py_call_is_file_io(b, ci, what, n))
		return EXT_FILE;
	/* one call deep: a project def, as the index resolves the call, that
	 * calls the network itself */
	if (!b->ol->calls[ci].is_ref && (fn = py_txn_callee(ix, cx->path, b->ol, ci)) && fn->net) {
		snprintf(what, n, "%s%s%s calls %s, %s:%u", fn->cls ? fn->cls : "", fn->cls ? "." : "",
			 fn->name, fn->net, fn->path, fn->line);
		return EXT_HELPER;
	}
	return EXT_NONE;
}

static void report(struct check_ctx *cx, const struct py_call *c, enum ext kind, const char *what,
		   const char *scope, int django)
{
	char issue[1024], rec[768];
	int net = kind != EXT_FILE;

	char detail[240] = "";
	if (strcmp(what, c->callee))
		snprintf(detail, sizeof(detail), " (%.200s)", what);
	snprintf(issue, sizeof(issue),
		 "%.120s() %s%s and runs %s: the transaction, its row locks and a pooled connection stay "
		 "open while %s",
		 c->callee, kind == EXT_HELPER ? "makes a network call" : net ? "is a network call" : "does file I/O",
		 detail, scope,
		 net ? "the remote service answers (and through its timeouts and retries)" : "the disk works");
	if (net)
		snprintf(rec, sizeof(rec),
			 "Make the call before the transaction opens or after it commits, and keep only the reads "
			 "and writes inside it; if the remote effect must stay consistent with the rows, record an "
			 "outbox row in the transaction and send it after the commit%s",
			 django ? " (or schedule it with transaction.on_commit())" : "");
	else
		snprintf(rec, sizeof(rec),
			 "Read or write the file before the transaction opens (or after the commit) and keep only the "
			 "database work inside it; store the path or result in the row afterwards");
	check_report(cx, c->line, c->end_line, net ? SEV_HIGH : SEV_MEDIUM, issue, rec);
}

/* 1 when call c is a method of a client whose constructor connected (and
 * was reported) after token start: smtplib.SMTP(...) then s.send_message(). */
static int on_connected_client(const struct py_binds *b, const struct py_call *c, uint32_t start)
{
	static const char *const ctors[] = { "smtplib.SMTP", "smtplib.SMTP_SSL", "ftplib.FTP",
					     "http.client.HTTPConnection", "http.client.HTTPSConnection",
					     "aiosmtplib.SMTP", NULL };
	const struct py_bind *bd;
	char recv[256];
	int i;
	if (!strchr(c->callee, '.') || strchr(c->callee, '('))
		return 0;
	snprintf(recv, sizeof(recv), "%.*s", (int)(strlen(c->callee) - strlen(c->name) - 1), c->callee);
	bd = py_binds_find(b, c->block, recv, c->name_begin);
	if (!bd || bd->kind != PBK_HTTP || !bd->type || bd->tok < start)
		return 0;
	for (i = 0; ctors[i]; i++)
		if (!strcmp(bd->type, ctors[i]))
			return 1;
	return 0;
}

void check_scope_too_wide(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct py_index *ix = check_project_index(cx);
	struct py_binds b;
	uint32_t reported = UINT32_MAX;
	size_t ci;
	if (py_binds_build(&b, ol, cx->context) < 0)
		return;
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		char what[400], scope[300];
		enum ext kind;
		struct py_txn_window win;
		uint32_t start;
		const char *dec = "";
		int blk, w;
		if (c->func < 0 || (c->is_ref && c->parent_call < 0))
			continue;
		if (py_outline_enclosing(ol, c->block, PB_MASK(PB_LAMBDA), 0) >= 0 && !py_call_offloaded(ol, c))
			continue; /* transaction.on_commit(lambda: ...) runs later */
		kind = external(cx, &b, ix, ci, what, sizeof(what));
		if (kind == EXT_NONE)
			continue;
		if ((blk = py_txn_begin_block(ol, c)) >= 0) {
			const struct py_with_item *it = &ol->blocks[blk].items[0];
			start = ol->blocks[blk].body_begin;
			snprintf(scope, sizeof(scope), "inside `%s%.200s` (line %u)", ol->blocks[blk].is_async ? "async with " : "with ",
				 it->expr ? it->expr : "...", ol->blocks[blk].line);
		} else if ((w = py_txn_atomic_def(ol, c, &dec)) >= 0) {
			start = ol->blocks[w].body_begin;
			snprintf(scope, sizeof(scope), "inside the transactional function %.120s (decorated @%.100s, line %u)",
				 ol->blocks[w].name, dec, ol->blocks[w].line);
		} else if (py_txn_open_write(&b, ci, &win)) {
			start = win.start;
			snprintf(scope, sizeof(scope), "after the write %s at line %u and before the commit at line %u",
				 win.what, win.line, ol->calls[win.commit].line);
		} else {
			continue;
		}
		if ((kind == EXT_NET && on_connected_client(&b, c, start)) || c->name_begin == reported)
			continue; /* one finding per connection, and per call chain */
		reported = c->name_begin;
		report(cx, c, kind, what, scope, py_orm_flavor(&b, c->func) == ORM_DJANGO);
	}
	py_binds_free(&b);
}
