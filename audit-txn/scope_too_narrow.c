/*
 * scope_too_narrow
 *
 * What it does: reports a commit that publishes the first half of one
 * business operation while its second half is written and committed in
 * the next transaction of the same def: a parent row added and committed,
 * then its children (Receipt(expense_id=expense.id), order.items.append())
 * added and committed; a status change committed, then the audit, event,
 * outbox or ledger rows that record it (built with the entity or the key
 * it was loaded by); a debit (a.balance -= x) and its credit
 * (b.balance += x) committed separately.  The same holds one call deep: a
 * helper of the same file that adds a row and commits, whose result the
 * caller then uses to build the rows of its next transaction.  The finding
 * is at the first, premature commit.
 *
 * Not reported, because publishing the first half is then deliberate or
 * the two halves are not one operation: a first transaction that marks
 * work as started (status "running"/"processing"/..., started_at) before
 * long work; a network call, file I/O, a sleep or a job submission between
 * the two transactions (committing before a remote call is what
 * scope_too_wide asks for); a second transaction that commits once per
 * iteration of a loop the first is not in (one commit per batch);
 * transactions in alternative branches, or after a return; a second half
 * that is only updates of rows loaded before (progress), or that never
 * commits.
 *
 * Why it matters: when the second transaction fails (a constraint, a bad
 * upload, a lost connection) the first one is already durable: parents
 * without their children, a status change without its audit trail or
 * ledger lines, money taken from one account and never credited.
 *
 * Example:
 *     db.add(expense)
 *     db.commit()
 *     db.add_all([Receipt(expense_id=expense.id, path=p) for p in paths])
 *     db.commit()
 *
 * Use instead:
 *     db.add(expense)
 *     db.flush()            # expense.id is known, nothing is committed yet
 *     db.add_all([Receipt(expense_id=expense.id, path=p) for p in paths])
 *     db.commit()
 *
 * Severity: HIGH for a parent committed before its children (orphan
 * risk), MEDIUM for related writes (status and its audit/event/ledger
 * rows, debit and credit); one level lower in code that runs once
 * (scripts, CLI commands, startup).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "pyblock.h"
#include "pydb.h"
#include "pyfacts.h"
#include "pyindex.h"
#include "pytxn.h"

#define MAX_TXNS 64
#define MAX_ENTS 16
#define MAX_SIDES 8

/* An entity the first transaction wrote. */
struct ent {
	char name[64];      /* the variable ("expense") */
	char model[64];     /* its class, "" when unknown */
	uint8_t inserted;   /* added (an INSERT at flush) */
	uint8_t updated;    /* an attribute assigned (an UPDATE at flush) */
	uint32_t tok;       /* where the first transaction writes it */
	char write[100];    /* the first attribute assignment ("expense.status = \"approved\""), or "" */
};

/* One side of a transfer: var.attr += / -= amount. */
struct side {
	char var[64], attr[64];
	int sign;
	unsigned line;
};

struct half {
	struct ent e[MAX_ENTS];
	size_t n;
	struct side s[MAX_SIDES];
	size_t ns;
};

/* What ties the second transaction to the first. */
struct tie {
	int sev;             /* 0: none, else enum severity */
	const struct ent *e; /* the entity of the first transaction */
	char children[160];  /* the models built in the second ("LedgerLine, Event"), or "" */
	char via[200];       /* how: "from `expense`", "from `slug`, the key ...", "through order.items.append()" */
	unsigned line;       /* where the second transaction first writes one */
	int audit;           /* every child is an audit/event/outbox/ledger row */
	int transfer;        /* a debit/credit pair (via holds both sides) */
};

static void tok_copy(const struct py_toks *t, uint32_t k, char *buf, size_t n)
{
	snprintf(buf, n, "%.*s", (int)t->v[k].len, py_tok_text(t, k));
}

static int ident_char(int ch)
{
	return isalnum(ch) || ch == '_';
}

/* 1 when the replacement fields of f-string token k name `name`. */
static int fstring_names(const struct py_toks *t, uint32_t k, const char *name)
{
	const char *s = py_tok_text(t, k);
	size_t len = t->v[k].len, nl = strlen(name), i;
	int field = 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '{' && i + 1 < len && s[i + 1] == '{' && !field)
			i++; /* an escaped brace */
		else if (s[i] == '{')
			field = 1;
		else if (s[i] == '}')
			field = 0;
		else if (field && i + nl <= len && !memcmp(s + i, name, nl) && (i == 0 || !ident_char((unsigned char)s[i - 1])) &&
			 (i + nl == len || !ident_char((unsigned char)s[i + nl])))
			return 1;
	}
	return 0;
}

/* 1 when tokens [b,e) use the variable name: the name itself (not an
 * attribute or a keyword argument's name), or inside an f-string. */
static int mentions(const struct py_toks *t, uint32_t b, uint32_t e, const char *name)
{
	uint32_t k;
	if (!name[0])
		return 0;
	for (k = b; k < e && k < t->n; k++) {
		const struct py_tok *x = &t->v[k];
		if (x->kind == PT_NAME && x->len == strlen(name) && !memcmp(py_tok_text(t, k), name, x->len) &&
		    !(k > 0 && py_tok_is(t, k - 1, ".")) && !(k + 1 < t->n && py_tok_is(t, k + 1, "=")))
			return 1;
		if (x->kind == PT_STRING && (x->flags & PTF_FSTRING) && fstring_names(t, k, name))
			return 1;
	}
	return 0;
}

/* 1 when the value tokens [vb,ve) (how an entity was loaded) hold a key
 * name that tokens [b,e) use too: survey = query(Survey).filter_by(slug=slug)
 * and AuditEntry(what=f"closed {slug}").  key (size n) gets the name. */
static int mentions_key(const struct py_toks *t, uint32_t vb, uint32_t ve, uint32_t b, uint32_t e, char *key,
			size_t n)
{
	uint32_t k;
	for (k = vb; k < ve && k < t->n; k++) {
		char name[64];
		if (t->v[k].kind != PT_NAME || (t->v[k].flags & PTF_KEYWORD) || t->v[k].depth <= t->v[vb].depth ||
		    py_tok_is(t, k - 1, ".") || (k + 1 < t->n && (py_tok_is(t, k + 1, "=") || py_tok_is(t, k + 1, "(") ||
								 py_tok_is(t, k + 1, "."))) ||
		    isupper((unsigned char)py_tok_text(t, k)[0]))
			continue;
		tok_copy(t, k, name, sizeof(name));
		if (mentions(t, b, e, name)) {
			snprintf(key, n, "%s", name);
			return 1;
		}
	}
	return 0;
}

/* Splits a CamelCase or snake_case class name into words and looks for
 * the ones that name a record of something that happened. */
static int audit_model(const char *cls)
{
	static const char *const words[] = { "audit", "event", "events", "outbox", "log", "logs", "history",
					     "journal", "ledger", "activity", "trail", "changelog", "notification",
					     "transaction", "posting", "entry", NULL };
	char w[64];
	size_t i = 0, l;
	int k;
	while (cls[i]) {
		l = 0;
		w[l++] = (char)tolower((unsigned char)cls[i++]);
		while (cls[i] && !isupper((unsigned char)cls[i]) && cls[i] != '_' && l + 1 < sizeof(w))
			w[l++] = (char)tolower((unsigned char)cls[i++]);
		w[l] = '\0';
		while (cls[i] == '_')
			i++;
		for (k = 0; words[k]; k++)
			if (!strcmp(w, words[k]))
				return 1;
	}
	return 0;
}

static struct ent *ent_get(struct half *h, const char *name, uint32_t tok)
{
	size_t i;
	for (i = 0; i < h->n; i++)
		if (!strcmp(h->e[i].name, name))
			return &h->e[i];
	if (h->n == MAX_ENTS)
		return NULL;
	memset(&h->e[h->n], 0, sizeof(h->e[0]));
	snprintf(h->e[h->n].name, sizeof(h->e[0].name), "%s", name);
	h->e[h->n].tok = tok;
	return &h->e[h->n++];
}

/* The class a name was last assigned a constructor of (expense =
 * Expense(...)), into buf; 0 when not. */
static int ctor_of(const struct py_outline *ol, int f, const char *name, uint32_t tok, char *buf, size_t n)
{
	const struct py_toks *t = ol->toks;
	uint32_t vb, ve, k;
	if (!py_last_assign(ol, f, name, tok, &vb, &ve))
		return 0;
	for (k = vb; k + 1 < ve && t->v[k].kind == PT_NAME && py_tok_is(t, k + 1, "."); k += 2)
		;
	if (k + 1 >= ve || t->v[k].kind != PT_NAME || !isupper((unsigned char)py_tok_text(t, k)[0]) ||
	    !py_tok_is(t, k + 1, "("))
		return 0;
	tok_copy(t, k, buf, n);
	return 1;
}

/* The entities the calls and statements of tokens [b,e) of def f write. */
static void collect(const struct py_binds *b, int f, uint32_t s, uint32_t e, struct half *h)
{
	const struct py_outline *ol = b->ol;
	const struct py_toks *t = ol->toks;
	size_t ci;
	int st;
	for (ci = py_first_call_from(ol, s); ci < ol->ncalls && ol->calls[ci].name_begin < e; ci++) {
		const struct py_call *c = &ol->calls[ci];
		struct py_dbop_info info;
		enum py_dbop op;
		uint32_t k;
		if (c->func != f || c->is_ref)
			continue;
		op = py_call_dbop(b, ci, &info);
		if (op != DBOP_ADD && op != DBOP_MERGE && op != DBOP_BULK)
			continue;
		/* bare names among the arguments: add(expense), add_all([order, invoice]) */
		for (k = c->lparen + 1; k < c->rparen; k++) {
			char name[64], model[64];
			struct ent *en;
			if (t->v[k].kind != PT_NAME || (t->v[k].flags & PTF_KEYWORD) ||
			    isupper((unsigned char)py_tok_text(t, k)[0]) ||
			    !(py_tok_is(t, k - 1, "(") || py_tok_is(t, k - 1, "[") || py_tok_is(t, k - 1, ",")) ||
			    !(py_tok_is(t, k + 1, ")") || py_tok_is(t, k + 1, "]") || py_tok_is(t, k + 1, ",")))
				continue;
			/* only an object built here is new: add(case) of a parameter or of a
			 * loaded row re-attaches it, no INSERT */
			tok_copy(t, k, name, sizeof(name));
			if (!ctor_of(ol, f, name, k, model, sizeof(model)))
				continue;
			if (!(en = ent_get(h, name, c->name_begin)))
				return;
			en->inserted = 1;
			snprintf(en->model, sizeof(en->model), "%s", model);
		}
	}
	for (st = py_outline_stmt_of_tok(ol, s); st >= 0 && (size_t)st < ol->nstmts && ol->stmts[st].tok_begin < e;
	     st++) {
		struct py_txn_write w;
		struct py_assign a;
		struct ent *en;
		if (ol->stmts[st].tok_begin < s || ol->blocks[ol->stmts[st].block].func != f ||
		    !py_txn_stmt_write(b, st, &w) || !(en = ent_get(h, w.var, ol->stmts[st].tok_begin)))
			continue;
		if (!en->updated) {
			char *txt = py_outline_text(ol, ol->stmts[st].tok_begin, ol->stmts[st].tok_end);
			snprintf(en->write, sizeof(en->write), "%.96s", txt ? txt : "");
			free(txt);
		}
		en->updated = 1;
		if (!en->model[0])
			snprintf(en->model, sizeof(en->model), "%s", w.model);
		if (py_stmt_assign(ol, st, &a) && (py_tok_is(t, a.op, "+=") || py_tok_is(t, a.op, "-=")) &&
		    h->ns < MAX_SIDES) {
			struct side *sd = &h->s[h->ns++];
			snprintf(sd->var, sizeof(sd->var), "%s", w.var);
			snprintf(sd->attr, sizeof(sd->attr), "%s", w.attr);
			sd->sign = py_tok_is(t, a.op, "+=") ? 1 : -1;
			sd->line = ol->stmts[st].line;
		}
	}
}

static int result_name(const struct py_outline *ol, size_t ci, char *buf, size_t n);

/* 1 when call ci's result is assigned to a name (item = Item(...)) that a
 * session add/add_all/merge before token e takes as an argument. */
static int added_later(const struct py_binds *b, size_t ci, uint32_t e)
{
	const struct py_outline *ol = b->ol;
	const struct py_toks *t = ol->toks;
	char name[64];
	size_t k;
	if (!result_name(ol, ci, name, sizeof(name)))
		return 0;
	for (k = ci + 1; k < ol->ncalls && ol->calls[k].name_begin < e; k++) {
		struct py_dbop_info info;
		enum py_dbop op;
		const struct py_call *a = &ol->calls[k];
		if (a->func != ol->calls[ci].func || a->is_ref)
			continue;
		op = py_call_dbop(b, k, &info);
		if ((op == DBOP_ADD || op == DBOP_MERGE || op == DBOP_BULK) && mentions(t, a->lparen + 1, a->rparen, name))
			return 1;
	}
	return 0;
}

/* 1 when call c sits in the arguments of a session add/add_all/merge. */
static int added(const struct py_binds *b, const struct py_call *c)
{
	const struct py_outline *ol = b->ol;
	int p = c->parent_call;
	struct py_dbop_info info;
	while (p >= 0) {
		enum py_dbop op = py_call_dbop(b, (size_t)p, &info);
		if (op == DBOP_ADD || op == DBOP_MERGE || op == DBOP_BULK)
			return 1;
		p = ol->calls[p].parent_call;
	}
	return 0;
}

/* 1 when word is an item of the ", "-separated list. */
static int in_list(const char *list, const char *word)
{
	size_t wl = strlen(word);
	const char *p = list;
	while (*p) {
		size_t l = strcspn(p, ",");
		if (l == wl && !memcmp(p, word, wl))
			return 1;
		p += l;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return 0;
}

/* Records that the second transaction builds child (a model, may be "")
 * on entity e at line; via says how.  A parent/child tie (HIGH) wins over
 * related writes; the first entity tied stays. */
static void tie_add(struct tie *ti, const struct ent *e, const char *child, const char *via, unsigned line)
{
	int audit = child[0] && audit_model(child);
	int sev = e->inserted && !audit ? SEV_HIGH : SEV_MEDIUM;
	size_t l;
	if (ti->sev && ti->e != e && !(sev == SEV_HIGH && ti->sev != SEV_HIGH))
		return;
	if (ti->e != e) {
		memset(ti, 0, sizeof(*ti));
		ti->e = e;
		ti->line = line;
		ti->audit = 1;
		snprintf(ti->via, sizeof(ti->via), "%s", via);
	}
	if (sev == SEV_HIGH)
		ti->sev = SEV_HIGH;
	else if (!ti->sev)
		ti->sev = sev;
	ti->audit &= audit;
	if (!child[0])
		return;
	if (in_list(ti->children, child))
		return;
	l = strlen(ti->children);
	snprintf(ti->children + l, sizeof(ti->children) - l, "%s%s", l ? ", " : "", child);
}

/* What in tokens [s,e) of def f (the second transaction, and the code
 * since the first committed) builds on an entity of h. */
static void find_tie(const struct py_binds *b, struct py_index *ix, int f, uint32_t s, uint32_t e,
		     const struct half *h, struct tie *ti)
{
	const struct py_outline *ol = b->ol;
	const struct py_toks *t = ol->toks;
	size_t ci, i;
	for (ci = py_first_call_from(ol, s); ci < ol->ncalls && ol->calls[ci].name_begin < e; ci++) {
		const struct py_call *c = &ol->calls[ci];
		char via[200];
		if (c->func != f || c->is_ref || !c->callee[0] || strchr(c->callee, '('))
			continue;
		/* parent.children.append(Child(...)) */
		if ((!strcmp(c->name, "append") || !strcmp(c->name, "extend")) && t->v[c->name_begin].kind == PT_NAME &&
		    c->lparen == c->name_begin + 5) {
			char var[64], model[64] = "";
			tok_copy(t, c->name_begin, var, sizeof(var));
			for (i = 0; i < h->n; i++) {
				size_t k;
				if (strcmp(h->e[i].name, var))
					continue;
				for (k = ci + 1; k < ol->ncalls && ol->calls[k].lparen < c->rparen; k++)
					if (!ol->calls[k].is_ref && isupper((unsigned char)ol->calls[k].name[0])) {
						snprintf(model, sizeof(model), "%s", ol->calls[k].name);
						break;
					}
				/* appending existing rows to a row that was only updated is
				 * a change of its own, not the second half of the update */
				if (!h->e[i].inserted && !model[0])
					continue;
				snprintf(via, sizeof(via), "through %.100s()", c->callee);
				tie_add(ti, &h->e[i], model, via, c->line);
			}
			continue;
		}
		/* Child(parent_id=parent.id), AuditEntry(what=f"closed {slug}") */
		if (!isupper((unsigned char)c->name[0]) ||
		    (!py_index_model(ix, c->name) && !added(b, c) && !added_later(b, ci, e)))
			continue;
		for (i = 0; i < h->n; i++) {
			const struct ent *en = &h->e[i];
			char key[64];
			uint32_t vb, ve;
			if (mentions(t, c->lparen + 1, c->rparen, en->name))
				snprintf(via, sizeof(via), "from `%.60s`", en->name);
			else if (audit_model(c->name) && en->updated && py_last_assign(ol, f, en->name, en->tok, &vb, &ve) &&
				 mentions_key(t, vb, ve, c->lparen + 1, c->rparen, key, sizeof(key)))
				snprintf(via, sizeof(via), "from `%.60s`, the key %.60s was loaded by", key, en->name);
			else
				continue;
			tie_add(ti, en, c->name, via, c->line);
		}
	}
}

/* A debit in h and its credit in h2 (or the reverse): same attribute,
 * opposite signs. */
static int transfer(const struct half *h, const struct half *h2, struct tie *ti)
{
	size_t i, j;
	for (i = 0; i < h->ns; i++)
		for (j = 0; j < h2->ns; j++)
			if (!strcmp(h->s[i].attr, h2->s[j].attr) && h->s[i].sign == -h2->s[j].sign) {
				ti->sev = SEV_MEDIUM;
				ti->transfer = 1;
				ti->line = h2->s[j].line;
				snprintf(ti->via, sizeof(ti->via), "%.30s.%.30s %s= ... (line %u) and %.30s.%.30s %s= ...",
					 h->s[i].var, h->s[i].attr, h->s[i].sign < 0 ? "-" : "+", h->s[i].line,
					 h2->s[j].var, h2->s[j].attr, h2->s[j].sign < 0 ? "-" : "+");
				return 1;
			}
	return 0;
}

/* The work between the two transactions that makes publishing the first
 * deliberate: a network call (directly or in a project helper), file
 * I/O, a sleep, a subprocess, a job handed to a queue.  what gets it. */
static int work_between(struct check_ctx *cx, const struct py_binds *b, struct py_index *ix, int f, uint32_t s,
			uint32_t e, char *what, size_t n)
{
	static const char *const submit[] = { "delay", "apply_async", "send_task", "enqueue", "enqueue_job",
					      "add_task", "kiq", "publish", "send_message", "create_task", NULL };
	const struct py_outline *ol = b->ol;
	size_t ci;
	int k;
	for (ci = py_first_call_from(ol, s); ci < ol->ncalls && ol->calls[ci].name_begin < e; ci++) {
		const struct py_call *c = &ol->calls[ci];
		const struct py_fn *fn;
		char q[200];
		if (c->func != f || c->is_ref)
			continue;
		if (py_call_is_network(b, ci, what, n) || py_call_is_file_io(b, ci, what, n))
			return 1;
		py_binds_qualify(b, c->callee, q, sizeof(q));
		if (py_call_is_sync_sleep(b, ci) || !strcmp(q, "asyncio.sleep") || !strncmp(q, "subprocess.", 11) ||
		    !strcmp(q, "asyncio.create_subprocess_exec") || !strcmp(q, "asyncio.create_subprocess_shell")) {
			snprintf(what, n, "%s", q);
			return 1;
		}
		for (k = 0; submit[k]; k++)
			if (!strcmp(c->name, submit[k])) {
				snprintf(what, n, "%s", c->callee);
				return 1;
			}
		if ((fn = py_txn_callee(ix, cx->path, ol, ci)) && fn->net) {
			snprintf(what, n, "%s (calls %s)", c->callee, fn->net);
			return 1;
		}
	}
	return 0;
}

/* The innermost for/while loop around block blk in its def, or -1. */
static int loop_of(const struct py_outline *ol, int blk)
{
	return py_outline_enclosing(ol, blk, PB_MASK(PB_FOR) | PB_MASK(PB_WHILE), 0);
}

/* Where a transaction is closed: the block of its commit call, or the
 * block around its with block. */
static int end_block(const struct py_outline *ol, const struct py_txn *tx)
{
	if (tx->kind == PTX_BLOCK)
		return ol->blocks[tx->block].parent;
	return tx->end_call >= 0 ? ol->calls[tx->end_call].block : -1;
}

static int end_stmt(const struct py_outline *ol, const struct py_txn *tx)
{
	if (tx->kind == PTX_BLOCK)
		return py_outline_stmt_of_tok(ol, ol->blocks[tx->block].hdr_begin);
	return ol->calls[tx->end_call].stmt;
}

static void describe_txn(const struct py_outline *ol, const struct py_txn *tx, char *buf, size_t n)
{
	if (tx->kind == PTX_BLOCK)
		snprintf(buf, n, "the `%s` block (lines %u-%u)", tx->what, tx->line, tx->end_line);
	else
		snprintf(buf, n, "%s() at line %u", ol->calls[tx->end_call].callee, tx->end_line);
}

/* Reports at line: t1 is the first transaction, or NULL when helper
 * (text) committed the first half one call deep. */
static void report(struct check_ctx *cx, const struct py_binds *b, int f, const struct py_txn *t1, unsigned line,
		   const struct py_txn *t2, const struct tie *ti, const char *helper)
{
	const struct py_outline *ol = b->ol;
	char where[200], first[300], second[300], issue[2048], rec[900], what[200] = "";
	const char *sess = t1 && t1->recv[0] ? t1->recv : t2->recv[0] ? t2->recv : "session";
	const char *aw = py_def_async(ol, f) ? "await " : "";
	py_func_describe(ol, f, where, sizeof(where));
	if (helper)
		snprintf(first, sizeof(first), "%s", helper);
	else
		describe_txn(ol, t1, first, sizeof(first));
	describe_txn(ol, t2, second, sizeof(second));
	if (ti->e && ti->e->updated && !ti->e->inserted && ti->e->write[0])
		snprintf(what, sizeof(what), "`%.96s`", ti->e->write);
	else if (ti->e)
		snprintf(what, sizeof(what), "%s%.60s `%.60s`", ti->e->inserted ? "the new " : "",
			 ti->e->model[0] ? ti->e->model : "entity", ti->e->name);
	if (ti->transfer)
		snprintf(issue, sizeof(issue),
			 "In %s, %s commits one side of a transfer before the other (%s), which %s commits: if the "
			 "second transaction fails, the first change is already durable and the two sides no longer "
			 "balance",
			 where, first, ti->via, second);
	else if (ti->sev == SEV_HIGH)
		snprintf(issue, sizeof(issue),
			 "In %s, %s commits %s before its %s rows (built %s, line %u) are committed by %s: if the "
			 "second transaction fails, `%s` stays in the database without them, half of one operation",
			 where, first, what, ti->children[0] ? ti->children : "child", ti->via, ti->line, second,
			 ti->e->name);
	else
		snprintf(issue, sizeof(issue),
			 "In %s, %s commits %s separately from the %s rows that %s it (built %s, line %u), committed by "
			 "%s: if the second transaction fails, the first change is durable without them",
			 where, first, what, ti->children[0] ? ti->children : "related", ti->audit ? "record" : "belong to",
			 ti->via, ti->line, second);
	if (helper)
		snprintf(rec, sizeof(rec),
			 "Let the helper flush() instead of commit() (or take a commit=False argument) so that the "
			 "caller commits %s and the rows built on it once, together; or wrap both in `%swith %s.begin():`",
			 ti->e ? ti->e->name : "the entity", *aw ? "async " : "", sess);
	else if (ti->sev == SEV_HIGH)
		snprintf(rec, sizeof(rec),
			 "Write %s and its %s rows in one transaction: replace the first commit with `%s%s.flush()` "
			 "(%s.id is assigned, nothing is committed) or attach the children through the relationship, "
			 "then commit once; or wrap both halves in `%swith %s.begin():`",
			 ti->e->name, ti->children[0] ? ti->children : "child", aw, sess, ti->e->name, *aw ? "async " : "",
			 sess);
	else
		snprintf(rec, sizeof(rec),
			 "Commit both halves together: drop the first commit (or make it `%s%s.flush()` when later code "
			 "needs generated ids) and commit once after the second write, or wrap both in `%swith %s.begin():`",
			 aw, sess, *aw ? "async " : "", sess);
	check_report(cx, line, line, check_once_severity(cx, f, (enum severity)ti->sev), issue, rec);
}

/* 1 when def d has a "return name" statement. */
static int returns_name(const struct py_outline *ol, int d, const char *name)
{
	const struct py_toks *t = ol->toks;
	int st;
	for (st = py_outline_stmt_of_tok(ol, ol->blocks[d].body_begin);
	     st >= 0 && (size_t)st < ol->nstmts && ol->stmts[st].tok_begin < ol->blocks[d].body_end; st++) {
		uint32_t k = ol->stmts[st].tok_begin;
		if (ol->blocks[ol->stmts[st].block].func == d && py_tok_is(t, k, "return") &&
		    ol->stmts[st].tok_end == k + 2 && t->v[k + 1].kind == PT_NAME && t->v[k + 1].len == strlen(name) &&
		    !memcmp(py_tok_text(t, k + 1), name, t->v[k + 1].len))
			return 1;
	}
	return 0;
}

/* A helper of this file, called at ci, that builds a row, adds it, commits
 * and returns it (create_order(db, ...)): 1, the row's class in model and
 * the helper's commit line in *line. */
static int committing_helper(struct check_ctx *cx, const struct py_binds *b, struct py_index *ix, size_t ci,
			     char *model, size_t n, unsigned *line)
{
	const struct py_outline *ol = b->ol;
	const struct py_fn *fn = py_txn_callee(ix, cx->path, ol, ci);
	struct py_txn tx[8];
	size_t i, k, nt;
	int d = -1;
	if (!fn || strcmp(fn->path, cx->path))
		return 0;
	/* blocks are in source order: the first one at or after the def's line */
	{
		size_t lo = 0, hi = ol->nblocks;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (ol->blocks[mid].line < fn->line)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (i = lo; i < ol->nblocks && ol->blocks[i].line == fn->line && d < 0; i++)
			if (ol->blocks[i].kind == PB_DEF)
				d = (int)i;
	}
	if (d < 0 || d == ol->calls[ci].func)
		return 0;
	nt = py_txns_of_def(b, d, tx, 8);
	for (i = 0; i < nt && i < 8; i++) {
		struct half h;
		if (!tx[i].committed || tx[i].kind == PTX_DEF || tx[i].loop_commit)
			continue;
		memset(&h, 0, sizeof(h));
		collect(b, d, tx[i].begin_tok, tx[i].end_tok, &h);
		for (k = 0; k < h.n; k++)
			if (h.e[k].inserted && returns_name(ol, d, h.e[k].name)) {
				snprintf(model, n, "%s", h.e[k].model);
				*line = tx[i].kind == PTX_BLOCK ? tx[i].line : tx[i].end_line;
				return 1;
			}
	}
	return 0;
}

/* The name call ci's result is assigned to (x = helper(...), x = await
 * helper(...)), into buf; 0 when none. */
static int result_name(const struct py_outline *ol, size_t ci, char *buf, size_t n)
{
	const struct py_call *c = &ol->calls[ci];
	const struct py_toks *t = ol->toks;
	struct py_assign a;
	uint32_t v;
	if (c->parent_call >= 0 || !py_stmt_assign(ol, c->stmt, &a) || a.target_end != a.target_begin + 1 ||
	    t->v[a.target_begin].kind != PT_NAME || !py_tok_is(t, a.op, "="))
		return 0;
	v = a.value_begin;
	if (py_tok_is(t, v, "await"))
		v++;
	if (v != c->name_begin || c->rparen + 1 != a.value_end)
		return 0;
	tok_copy(t, a.target_begin, buf, n);
	return 1;
}

static int txn_ok_second(const struct py_txn *tx)
{
	return tx->committed && tx->kind != PTX_DEF && (tx->kind == PTX_BLOCK || tx->end_call >= 0);
}

/* The transaction of def f that follows token after: the next of tx[0..nt)
 * starting there, or, when a commit comes first (the writes before it are
 * relationship changes pytxn does not count, parent.items.append(x)), a
 * transaction from after to that commit, built in *pseudo.  NULL when
 * none. */
static const struct py_txn *next_txn(const struct py_binds *b, int f, const struct py_txn *tx, size_t nt,
				     uint32_t after, struct py_txn *pseudo)
{
	const struct py_outline *ol = b->ol;
	const struct py_txn *t2 = NULL;
	size_t j, ci;
	for (j = 0; j < nt && !t2; j++)
		if (tx[j].begin_tok >= after)
			t2 = &tx[j];
	for (ci = py_first_call_from(ol, after); ci < ol->ncalls && ol->calls[ci].name_begin < ol->blocks[f].body_end &&
						 (!t2 || ol->calls[ci].name_begin < t2->begin_tok);
	     ci++) {
		struct py_dbop_info info;
		if (ol->calls[ci].func != f || py_call_dbop(b, ci, &info) != DBOP_COMMIT)
			continue;
		memset(pseudo, 0, sizeof(*pseudo));
		pseudo->kind = PTX_IMPLICIT;
		pseudo->committed = 1;
		pseudo->block = -1;
		pseudo->begin_tok = ol->calls[ci].name_begin;
		pseudo->end_tok = ol->calls[ci].name_begin;
		pseudo->line = pseudo->end_line = ol->calls[ci].line;
		pseudo->end_call = (int)ci;
		snprintf(pseudo->recv, sizeof(pseudo->recv), "%s", info.recv);
		return pseudo;
	}
	return t2;
}

static void check_def(struct check_ctx *cx, const struct py_binds *b, struct py_index *ix, int f)
{
	const struct py_outline *ol = b->ol;
	struct py_txn tx[MAX_TXNS];
	size_t nt = py_txns_of_def(b, f, tx, MAX_TXNS), i, j, ci;
	char what[200];
	if (nt > MAX_TXNS)
		nt = MAX_TXNS;
	for (i = 0; i < nt; i++) {
		const struct py_txn *t1 = &tx[i], *t2;
		struct py_txn pseudo;
		struct half h1, h2;
		struct tie ti;
		if (!t1->committed || t1->kind == PTX_DEF || t1->loop_commit || (t1->kind == PTX_IMPLICIT && t1->end_call < 0))
			continue;
		t2 = next_txn(b, f, tx, nt, t1->kind == PTX_BLOCK ? t1->end_tok : ol->calls[t1->end_call].rparen, &pseudo);
		if (!t2 || !txn_ok_second(t2))
			continue;
		/* one commit per iteration of a loop the first transaction is not in: batches */
		if (loop_of(ol, end_block(ol, t1)) != loop_of(ol, end_block(ol, t2)))
			continue;
		if (!py_txn_reaches(ol, end_stmt(ol, t1), t2->begin_tok))
			continue;
		memset(&h1, 0, sizeof(h1));
		memset(&h2, 0, sizeof(h2));
		memset(&ti, 0, sizeof(ti));
		/* the constructor of an added entity may precede the add() */
		{
			uint32_t s = t1->begin_tok;
			collect(b, f, s, t1->end_tok, &h1);
			if (py_txn_marks_started(ol->toks, s, t1->end_tok, what, sizeof(what)))
				continue;
			for (j = 0; j < h1.n; j++) {
				uint32_t vb, ve;
				if (h1.e[j].inserted && py_last_assign(ol, f, h1.e[j].name, h1.e[j].tok, &vb, &ve) &&
				    py_txn_marks_started(ol->toks, vb, ve, what, sizeof(what)))
					break;
			}
			if (j < h1.n)
				continue;
		}
		if (work_between(cx, b, ix, f, t1->end_tok, t2->begin_tok, what, sizeof(what)))
			continue;
		find_tie(b, ix, f, t1->end_tok, t2->end_tok, &h1, &ti);
		if (!ti.sev) {
			collect(b, f, t2->begin_tok, t2->end_tok, &h2);
			transfer(&h1, &h2, &ti);
		}
		if (ti.sev)
			report(cx, b, f, t1, t1->kind == PTX_BLOCK ? t1->line : ol->calls[t1->end_call].line, t2, &ti, NULL);
	}
	/* one call deep: x = create_x(db, ...) commits, then rows built on x */
	for (ci = py_first_call_from(ol, ol->blocks[f].body_begin);
	     ci < ol->ncalls && ol->calls[ci].lparen < ol->blocks[f].body_end; ci++) {
		const struct py_call *c = &ol->calls[ci];
		const struct py_txn *t2;
		struct py_txn pseudo;
		struct half h1;
		struct tie ti;
		char var[64], helper[300], model[64];
		unsigned hline;
		struct ent *en;
		if (c->func != f || c->is_ref || !result_name(ol, ci, var, sizeof(var)) ||
		    py_txn_at(tx, nt, c->name_begin) >= 0)
			continue;
		t2 = next_txn(b, f, tx, nt, c->rparen, &pseudo);
		if (!t2 || !txn_ok_second(t2) || loop_of(ol, c->block) != loop_of(ol, end_block(ol, t2)) ||
		    !py_txn_reaches(ol, c->stmt, t2->begin_tok) ||
		    !committing_helper(cx, b, ix, ci, model, sizeof(model), &hline) ||
		    work_between(cx, b, ix, f, c->rparen, t2->begin_tok, what, sizeof(what)))
			continue;
		snprintf(helper, sizeof(helper), "%.100s() at line %u (it adds the row and commits at line %u)",
			 c->callee, c->line, hline);
		memset(&h1, 0, sizeof(h1));
		memset(&ti, 0, sizeof(ti));
		if (!(en = ent_get(&h1, var, c->name_begin)))
			continue;
		en->inserted = 1;
		snprintf(en->model, sizeof(en->model), "%s", model);
		find_tie(b, ix, f, c->rparen, t2->end_tok, &h1, &ti);
		if (ti.sev)
			report(cx, b, f, NULL, c->line, t2, &ti, helper);
	}
}

void check_scope_too_narrow(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct py_index *ix = check_project_index(cx);
	struct py_binds b;
	size_t i;
	if (py_binds_build(&b, ol, cx->context) < 0)
		return;
	for (i = 0; i < ol->nblocks; i++)
		if (ol->blocks[i].kind == PB_DEF)
			check_def(cx, &b, ix, (int)i);
	py_binds_free(&b);
}
