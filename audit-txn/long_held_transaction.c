/*
 * long_held_transaction
 *
 * What it does: takes the transactions of every def (lib/pytxn.h: with
 * ...begin() / transaction.atomic() blocks, @transaction.atomic defs, and
 * implicit ones from the first write to the commit or rollback that closes
 * them in the same def) and reports, at the begin or the first write, a
 * transaction that stays open across a sleep (time.sleep, asyncio.sleep),
 * a network call (requests, httpx, aiohttp, gRPC, SDK clients), a message
 * broker publish (pika, Kafka, NATS, Redis publish, Celery delay), a
 * subprocess, or a call of a project def that makes a network call or
 * sleeps (one call deep, through the project index); or that spans more
 * than 50 lines of code between begin and commit.  An implicit
 * transaction is reported at the first write from which a path reaches
 * the slow call with no commit between (lib/pytxn.h py_txn_reaches: not
 * from a branch that returns, nor across exclusive if/else branches), and
 * measured for length only when its first write opens it on every path
 * to the commit.  Calls met only after the loop back-edge (before the
 * write that opens the transaction in the same loop body), file I/O, and
 * CPU work handed to a thread are left to other checks; an implicit
 * transaction nobody commits in the def is not measured (its end is
 * elsewhere), nor are Django writes outside atomic() (autocommit).
 *
 * Why it matters: the row locks the transaction took and its pooled
 * connection are held until it ends.  Every second spent sleeping,
 * waiting on a remote service (through its timeouts and retries) or
 * running a subprocess is a second other writers of those rows wait and a
 * connection the pool cannot lend; long transactions also hold back
 * VACUUM and grow the chance of deadlocks and serialization failures.
 *
 * Example:
 *     with SessionLocal.begin() as db:
 *         for approver_id, count in pending:
 *             requests.post(MAIL_URL, json=msg, timeout=5)
 *             time.sleep(0.5)
 *
 * Use instead:
 *     with SessionLocal.begin() as db:
 *         pending = db.execute(query).all()
 *     for approver_id, count in pending:
 *         requests.post(MAIL_URL, json=msg, timeout=5)
 *
 * Severity: HIGH for sleeps, external calls and subprocesses, MEDIUM for
 * length alone; one level lower in code that runs once (scripts, startup).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "config.h"
#include "pydb.h"
#include "pyfacts.h"
#include "pyindex.h"
#include "pytxn.h"

#define MAX_TXNS 64
#define MAX_SLOW 3         /* slow calls named in a finding */
#define MAX_CANDIDATES 16  /* slow calls looked at per transaction */
/* the line threshold: 50, or the configuration's long_transaction_lines (cx in scope) */
#define LONG_LINES ((unsigned)config_int(cx->context, "long_transaction_lines", 50))

enum slow { SLOW_NONE, SLOW_SLEEP, SLOW_NET, SLOW_BROKER, SLOW_PROC, SLOW_HELPER };

struct slow_call {
	enum slow kind;
	unsigned line;
	uint32_t tok;
	char what[300];
};

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

/* 1 when call c's first argument is the literal 0 (asyncio.sleep(0) only
 * yields to the loop). */
static int zero_arg(const struct py_outline *ol, const struct py_call *c)
{
	const struct py_toks *t = ol->toks;
	return c->rparen == c->lparen + 2 && t->v[c->lparen + 1].kind == PT_NUMBER && t->v[c->lparen + 1].len == 1 &&
	       py_tok_text(t, c->lparen + 1)[0] == '0';
}

/* 1 when the receiver of a publish/send/produce call names a broker
 * client (producer, publisher, exchange, channel, nats, kafka...). */
static int broker_recv(const char *callee)
{
	static const char *const words[] = { "producer", "publisher", "exchange", "channel", "broker", "kafka",
					     "nats", "pubsub", "rabbit", "amqp", "sns", "sqs", "bus", "redis", NULL };
	size_t i;
	const char *dot = strrchr(callee, '.');
	if (!dot)
		return 0;
	for (i = 0; words[i]; i++) {
		const char *p = strstr(callee, words[i]);
		if (p && p < dot)
			return 1;
	}
	return !strncmp(callee, "nc.", 3) || !strncmp(callee, "js.", 3);
}

/* The project def call ci calls (the index's resolution of the call site
 * of the same line and callee), or NULL. */
static const struct py_fn *call_target(struct check_ctx *cx, struct py_index *ix, size_t ci)
{
	const struct py_outline *ol = cx->ol;
	const struct py_call *c = &ol->calls[ci];
	const struct py_fn *fn;
	unsigned k, lo, hi;
	if (!ix || c->func < 0)
		return NULL;
	fn = py_index_fn_at(ix, cx->path, ol->blocks[c->func].line);
	if (!fn)
		return NULL;
	/* call sites are in source order: the first on c's line, by bisection */
	lo = 0;
	hi = fn->ncalls;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (fn->calls[mid].line < c->line)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = lo; k < fn->ncalls && fn->calls[k].line == c->line; k++)
		if (!strcmp(fn->calls[k].callee, c->callee))
			return py_index_call_target(ix, &fn->calls[k]);
	return NULL;
}

/* What kind of slow call ci is; what (size n) gets its description. */
static enum slow slow_kind(struct check_ctx *cx, const struct py_binds *b, struct py_index *ix, size_t ci,
			   char *what, size_t n)
{
	static const char *const sleeps[] = { "time.sleep", "asyncio.sleep", "gevent.sleep", "trio.sleep",
					      "anyio.sleep", "eventlet.sleep", NULL };
	static const char *const procs[] = { "subprocess.run", "subprocess.call", "subprocess.check_call",
					     "subprocess.check_output", "subprocess.Popen", "subprocess.getoutput",
					     "subprocess.getstatusoutput", "os.system", "os.popen",
					     "asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell",
					     "anyio.run_process", "trio.run_process", NULL };
	static const char *const publish[] = { "basic_publish", "publish", "send_and_wait", "produce", "xadd",
					       "publish_message", NULL };
	const struct py_outline *ol = cx->ol;
	const struct py_call *c = &ol->calls[ci];
	const struct py_fn *fn;
	char q[320];
	if (!c->callee[0] || (c->is_ref && c->parent_call < 0))
		return SLOW_NONE;
	py_binds_qualify(b, c->callee, q, sizeof(q));
	if (in_list(q, sleeps) && !c->is_ref) {
		if (zero_arg(ol, c))
			return SLOW_NONE;
		snprintf(what, n, "%.200s()", q);
		return SLOW_SLEEP;
	}
	if (in_list(q, procs) && !c->is_ref) {
		snprintf(what, n, "%.200s()", q);
		return SLOW_PROC;
	}
	if (py_call_is_network(b, ci, what, n)) {
		size_t l = strlen(what);
		if (!strchr(what, '(') && l + 3 < n)
			memcpy(what + l, "()", 3);
		return SLOW_NET;
	}
	if (c->is_ref)
		return SLOW_NONE;
	if ((in_list(c->name, publish) && broker_recv(c->callee)) ||
	    ((!strcmp(c->name, "delay") || !strcmp(c->name, "apply_async")) && strchr(c->callee, '.') &&
	     !strchr(c->callee, '(')) ||
	    !strcmp(c->name, "send_task")) {
		snprintf(what, n, "%s() (a message broker publish)", c->callee);
		return SLOW_BROKER;
	}
	if ((fn = call_target(cx, ix, ci)) && (fn->net || (fn->blocking && fn->blocking_sleep))) {
		snprintf(what, n, "%s() (%s%s%s calls %s, %s:%u)", c->callee, fn->cls ? fn->cls : "", fn->cls ? "." : "",
			 fn->name, fn->net ? fn->net : fn->blocking, fn->path, fn->net ? fn->line : fn->blocking_line);
		return SLOW_HELPER;
	}
	return SLOW_NONE;
}

/* The last line holding code in tokens [s,e). */
static unsigned last_code_line(const struct py_toks *t, uint32_t s, uint32_t e)
{
	while (e > s && e - 1 < t->n &&
	       (t->v[e - 1].kind == PT_NEWLINE || t->v[e - 1].kind == PT_INDENT || t->v[e - 1].kind == PT_DEDENT ||
		t->v[e - 1].kind == PT_END))
		e--;
	return e > s ? t->v[e - 1].end_line : 0;
}

/* Lines holding code (the start of a token) in tokens [s,e). */
static unsigned code_lines(const struct py_toks *t, uint32_t s, uint32_t e)
{
	unsigned n = 0, last = 0;
	uint32_t k;
	for (k = s; k < e && k < t->n; k++) {
		const struct py_tok *x = &t->v[k];
		if (x->kind == PT_NEWLINE || x->kind == PT_INDENT || x->kind == PT_DEDENT || x->kind == PT_END)
			continue;
		if (x->line != last) {
			n++;
			last = x->line;
		}
	}
	return n;
}

/* Where a reported transaction opens: the with/def line, or the write
 * that opens the implicit transaction on the path to the slow call. */
struct opening {
	unsigned line, end_line;
	uint32_t tok;
	char what[128];
};

static void describe(const struct py_outline *ol, const struct py_txn *t, const struct opening *op,
		     const char *fname, char *buf, size_t n)
{
	if (t->kind == PTX_BLOCK)
		snprintf(buf, n, "`%.120s` at line %u keeps its transaction open until the block ends at line %u", t->what,
			 t->line, t->end_line);
	else if (t->kind == PTX_DEF)
		snprintf(buf, n, "%.100s runs in one transaction (%.100s, line %u) until it returns", fname, t->what,
			 t->line);
	else
		snprintf(buf, n, "the transaction %.100s opens with `%.80s` at line %u stays open until the %s at line %u",
			 fname, op->what, op->line, t->committed ? "commit" : "rollback", ol->calls[t->end_call].line);
}

static void report(struct check_ctx *cx, int f, const struct py_txn *t, const struct opening *op,
		   const struct slow_call *sl, size_t nsl, unsigned lines)
{
	const struct py_outline *ol = cx->ol;
	const struct py_toks *tk = ol->toks;
	char issue[1800], rec[900], fname[160], txn[400], list[1000] = "";
	size_t i, o = 0;
	int sleeps = 0, remote = 0;
	snprintf(fname, sizeof(fname), "%s", ol->blocks[f].name ? ol->blocks[f].name : "the function");
	describe(ol, t, op, fname, txn, sizeof(txn));
	for (i = 0; i < nsl && o + 10 < sizeof(list); i++) {
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s at line %u", i ? ", " : "", sl[i].what,
				      sl[i].line);
		if (sl[i].kind == SLOW_SLEEP)
			sleeps = 1;
		else
			remote = 1;
	}
	if (nsl) {
		snprintf(issue, sizeof(issue),
			 "Long-held transaction: %s, across %s.  Its row locks and its pooled connection are held "
			 "while the code %s%s%s",
			 txn, list, sleeps ? "sleeps" : "", sleeps && remote ? " and " : "",
			 remote ? "waits on the remote side (through its timeouts and retries)" : "");
		snprintf(rec, sizeof(rec),
			 "Move the %s out of the transaction: make the call before it begins or after it commits and "
			 "keep only the reads and writes inside; for per-item work, use one short transaction per "
			 "item; if the remote effect must stay consistent with the rows, write an outbox row in the "
			 "transaction and send it after the commit",
			 sleeps && !remote ? "sleep" : remote && !sleeps ? "external call" : "sleep and the external call");
		check_report(cx, op->line, op->end_line, check_once_severity(cx, f, SEV_HIGH), issue, rec);
		return;
	}
	snprintf(issue, sizeof(issue),
		 "Long-held transaction: %s, over %u lines of code (lines %u-%u).  Its row locks and its pooled "
		 "connection are held for all of that work, and other writers of those rows wait",
		 txn, lines, op->tok < tk->n ? tk->v[op->tok].line : op->line,
		 t->end_tok > 0 && t->end_tok - 1 < tk->n ? last_code_line(tk, op->tok, t->end_tok) : t->end_line);
	snprintf(rec, sizeof(rec),
		 "Do before the transaction what needs no lock (validation, reads, aggregation, building the rows) "
		 "and keep inside it only the locking reads and the writes; where the steps need not be atomic, "
		 "split them into shorter transactions");
	check_report(cx, op->line, op->end_line, check_once_severity(cx, f, SEV_MEDIUM), issue, rec);
}

/* The slow calls of def f in tokens [s,e), at most max. */
static size_t slow_calls(struct check_ctx *cx, const struct py_binds *b, struct py_index *ix, int f, uint32_t s,
			 uint32_t e, struct slow_call *sl, size_t max)
{
	const struct py_outline *ol = cx->ol;
	size_t n = 0, ci;
	for (ci = py_first_call_from(ol, s); ci < ol->ncalls && ol->calls[ci].name_begin < e && n < max; ci++) {
		const struct py_call *c = &ol->calls[ci];
		char what[300];
		enum slow k;
		if (c->func != f)
			continue;
		if (py_outline_enclosing(ol, c->block, PB_MASK(PB_LAMBDA), 0) >= 0 && !py_call_offloaded(ol, c))
			continue; /* a callback that runs later */
		if ((k = slow_kind(cx, b, ix, ci, what, sizeof(what))) == SLOW_NONE)
			continue;
		if (n && sl[n - 1].line == c->line && !strcmp(sl[n - 1].what, what))
			continue;
		sl[n].kind = k;
		sl[n].line = c->line;
		sl[n].tok = c->name_begin;
		snprintf(sl[n].what, sizeof(sl[n].what), "%s", what);
		n++;
	}
	return n;
}

/* 1 when statement st of def f writes (or begins explicitly); what gets
 * its text. */
static int stmt_writes(const struct py_binds *b, int f, int st, char *what, size_t n)
{
	const struct py_outline *ol = b->ol;
	const struct py_stmt *s = &ol->stmts[st];
	size_t ci;
	if (py_txn_entity_write(b, st)) {
		char *txt = py_outline_text(ol, s->tok_begin, s->tok_end);
		snprintf(what, n, "%.100s", txt ? txt : "an attribute assignment");
		free(txt);
		return 1;
	}
	for (ci = py_first_call_from(ol, s->tok_begin); ci < ol->ncalls && ol->calls[ci].name_begin < s->tok_end; ci++) {
		struct py_dbop_info info;
		enum py_dbop op;
		if (ol->calls[ci].func != f || ol->calls[ci].is_ref)
			continue;
		op = py_call_dbop(b, ci, &info);
		if (py_dbop_writes(op) || op == DBOP_BEGIN) {
			snprintf(what, n, "%.100s()", ol->calls[ci].callee);
			return 1;
		}
	}
	return 0;
}

/* 1 when a commit or rollback of def f (on any session or repository)
 * lies in tokens [s,e). */
static int commit_between(const struct py_binds *b, int f, uint32_t s, uint32_t e)
{
	const struct py_outline *ol = b->ol;
	size_t ci;
	for (ci = py_first_call_from(ol, s); ci < ol->ncalls && ol->calls[ci].name_begin < e; ci++) {
		struct py_dbop_info info;
		enum py_dbop op;
		if (ol->calls[ci].func != f)
			continue;
		op = py_call_dbop(b, ci, &info);
		if (op == DBOP_COMMIT || op == DBOP_ROLLBACK || !strcmp(ol->calls[ci].name, "commit"))
			return 1;
	}
	return 0;
}

/* An implicit transaction: the first write (in order) from which a path
 * reaches one of the slow calls after it; keeps those in sl. */
static size_t implicit_slow(const struct py_binds *b, int f, const struct py_txn *t, struct slow_call *sl,
			    size_t nsl, struct opening *op)
{
	const struct py_outline *ol = b->ol;
	int st = py_outline_stmt_of_tok(ol, t->begin_tok), looked = 0;
	for (; st >= 0 && (size_t)st < ol->nstmts && ol->stmts[st].tok_begin < t->end_tok && looked < 64; st++) {
		size_t i, k = 0;
		char what[128];
		if (ol->blocks[ol->stmts[st].block].func != f || !stmt_writes(b, f, st, what, sizeof(what)))
			continue;
		looked++;
		for (i = 0; i < nsl; i++)
			if (sl[i].tok >= ol->stmts[st].tok_end && !commit_between(b, f, ol->stmts[st].tok_end, sl[i].tok) &&
			    py_txn_reaches(ol, st, sl[i].tok))
				sl[k++] = sl[i];
		if (!k)
			continue;
		op->line = ol->stmts[st].line;
		op->end_line = ol->stmts[st].end_line;
		op->tok = ol->stmts[st].tok_begin;
		snprintf(op->what, sizeof(op->what), "%s", what);
		return k;
	}
	return 0;
}

static void audit_def(struct check_ctx *cx, const struct py_binds *b, struct py_index *ix, int f)
{
	const struct py_outline *ol = cx->ol;
	struct py_txn tx[MAX_TXNS];
	size_t ntx = py_txns_of_def(b, f, tx, MAX_TXNS), i;
	uint32_t rep_begin = 0, rep_end = 0;
	int django = py_orm_flavor(b, f) == ORM_DJANGO;
	if (ntx > MAX_TXNS)
		ntx = MAX_TXNS;
	for (i = 0; i < ntx; i++) {
		const struct py_txn *t = &tx[i];
		struct slow_call sl[MAX_CANDIDATES];
		struct opening op;
		size_t nsl;
		unsigned lines = 0;
		if (t->kind == PTX_IMPLICIT && (t->end_call < 0 || django))
			continue; /* closed elsewhere, or autocommit */
		if (t->begin_tok >= rep_begin && t->end_tok <= rep_end)
			continue; /* nested in a transaction already reported */
		memset(&op, 0, sizeof(op));
		op.line = op.end_line = t->line;
		op.tok = t->begin_tok;
		snprintf(op.what, sizeof(op.what), "%s", t->what);
		nsl = slow_calls(cx, b, ix, f, t->begin_tok, t->end_tok, sl, MAX_CANDIDATES);
		if (nsl && t->kind == PTX_IMPLICIT)
			nsl = implicit_slow(b, f, t, sl, nsl, &op);
		if (!nsl) {
			int st = py_outline_stmt_of_tok(ol, t->begin_tok);
			lines = code_lines(ol->toks, t->begin_tok, t->end_tok);
			if (lines <= LONG_LINES)
				continue;
			/* the write must open the transaction on every path to the commit */
			if (t->kind == PTX_IMPLICIT &&
			    (st < 0 || !(t->end_tok >= ol->blocks[ol->stmts[st].block].body_begin &&
					 t->end_tok < ol->blocks[ol->stmts[st].block].body_end) ||
			     !py_txn_reaches(ol, st, t->end_tok)))
				continue;
			if (st >= 0 && t->kind == PTX_IMPLICIT)
				op.end_line = ol->stmts[st].end_line;
		}
		report(cx, f, t, &op, sl, nsl < MAX_SLOW ? nsl : MAX_SLOW, lines);
		rep_begin = t->begin_tok;
		rep_end = t->end_tok;
	}
}

void check_long_held_transaction(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct py_index *ix;
	struct py_binds b;
	size_t i;
	if (py_binds_build(&b, ol, cx->context) < 0)
		return;
	ix = check_project_index(cx);
	for (i = 0; i < ol->nblocks; i++)
		if (ol->blocks[i].kind == PB_DEF)
			audit_def(cx, &b, ix, (int)i);
	py_binds_free(&b);
}
