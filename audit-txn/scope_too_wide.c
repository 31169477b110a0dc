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
 * is reported at its call site (one call deep), resolved by the class of
 * the receiver (annotation or constructor) or, failing that, by a method
 * name that is unique in the project.
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

enum ext { EXT_NONE, EXT_NET, EXT_FILE, EXT_HELPER };

/* The begin() with-block (same def) around call c, or -1. */
static int begin_block(const struct py_outline *ol, const struct py_call *c)
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
static int atomic_def(const struct py_outline *ol, const struct py_call *c, const char **dec)
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

/* An open write window around a call: the write that opened it and the
 * commit that closes it. */
struct window {
	uint32_t start;     /* first token of the write */
	unsigned line;      /* its line */
	char what[128];     /* "session.flush()", "order.status = ..." */
	size_t commit;      /* call index of the commit */
};

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
static int entity_write(const struct py_binds *b, int st)
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
static int open_write(const struct py_binds *b, size_t ci, struct window *w)
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
		if (ol->blocks[ol->stmts[st].block].func == c->func && entity_write(b, st)) {
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

/* The class of the def holding call c (for self.method()), or NULL. */
static const char *own_class(const struct py_outline *ol, const struct py_call *c)
{
	int f = c->func, cls;
	if (f < 0)
		return NULL;
	cls = ol->blocks[f].parent;
	return cls >= 0 && ol->blocks[cls].kind == PB_CLASS ? ol->blocks[cls].name : NULL;
}

static int generic_name(const char *m)
{
	static const char *const g[] = { "get", "post", "put", "patch", "delete", "send", "run", "call",
					 "execute", "fetch", "request", "update", "save", "create", "close",
					 "open", "read", "write", "process", "handle", "main", "start", "stop",
					 "__init__", "load", "sync", NULL };
	int i;
	for (i = 0; g[i]; i++)
		if (!strcmp(m, g[i]))
			return 1;
	return strlen(m) < 4;
}

/* A project def that calls the network, called by ci; NULL when none. */
static const struct py_fn *net_helper(const struct py_binds *b, struct py_index *ix, size_t ci)
{
	const struct py_outline *ol = b->ol;
	const struct py_call *c = &ol->calls[ci];
	const struct py_fn *fn = NULL;
	char recv[256];
	if (!ix || c->is_ref || !c->callee[0] || !c->name[0])
		return NULL;
	if (!strchr(c->callee, '.')) {
		fn = py_index_fn(ix, NULL, c->name);
		return fn && fn->net ? fn : NULL;
	}
	snprintf(recv, sizeof(recv), "%.*s", (int)(strlen(c->callee) - strlen(c->name) - 1), c->callee);
	if (!strcmp(recv, "self") || !strcmp(recv, "cls")) {
		const char *cls = own_class(ol, c);
		fn = cls ? py_index_fn(ix, cls, c->name) : NULL;
	} else if (recv[0] && recv[strlen(recv) - 1] == ')' && isupper((unsigned char)recv[0]) && !strchr(recv, '.')) {
		recv[strcspn(recv, "(")] = '\0';
		fn = py_index_fn(ix, recv, c->name);
	} else if (!strchr(recv, '(')) {
		const struct py_bind *bd = py_binds_find(b, c->block, recv, c->name_begin);
		if (bd && bd->kind == PBK_OBJECT && bd->type)
			fn = py_index_fn(ix, bd->type, c->name);
		else if ((!bd || bd->kind == PBK_NONE || bd->kind == PBK_LOCAL) && !generic_name(c->name))
			fn = py_index_fn(ix, "*", c->name);
	}
	return fn && fn->net ? fn : NULL;
}

static enum ext external(const struct py_binds *b, struct py_index *ix, size_t ci, char *what, size_t n)
{
	const struct py_fn *fn;
	if (py_call_is_network(b, ci, what, n))
		return EXT_NET;
	if (py_call_is_file_io(b, ci, what, n))
		return EXT_FILE;
	if ((fn = net_helper(b, ix, ci))) {
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
		struct window win;
		uint32_t start;
		const char *dec = "";
		int blk, w;
		if (c->func < 0 || (c->is_ref && c->parent_call < 0))
			continue;
		if (py_outline_enclosing(ol, c->block, PB_MASK(PB_LAMBDA), 0) >= 0 && !py_call_offloaded(ol, c))
			continue; /* transaction.on_commit(lambda: ...) runs later */
		kind = external(&b, ix, ci, what, sizeof(what));
		if (kind == EXT_NONE)
			continue;
		if ((blk = begin_block(ol, c)) >= 0) {
			const struct py_with_item *it = &ol->blocks[blk].items[0];
			start = ol->blocks[blk].body_begin;
			snprintf(scope, sizeof(scope), "inside `%s%.200s` (line %u)", ol->blocks[blk].is_async ? "async with " : "with ",
				 it->expr ? it->expr : "...", ol->blocks[blk].line);
		} else if ((w = atomic_def(ol, c, &dec)) >= 0) {
			start = ol->blocks[w].body_begin;
			snprintf(scope, sizeof(scope), "inside the transactional function %.120s (decorated @%.100s, line %u)",
				 ol->blocks[w].name, dec, ol->blocks[w].line);
		} else if (open_write(&b, ci, &win)) {
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
