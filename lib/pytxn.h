/*
 * pytxn: where transactions begin and end in a Python def.
 *
 * Shared by the Transaction Correctness checks: the begin() block or the
 * transactional def around a call, the writes that open an implicit
 * (autobegin) transaction and the commit that closes it, attribute
 * assignments on loaded entities (UPDATEs at flush), and the list of the
 * transactions of a def.
 */
#ifndef PPERF_PYTXN_H
#define PPERF_PYTXN_H

#include <stddef.h>
#include <stdint.h>

#include "pydb.h"

/* The with/async with block (same def) whose item begins a transaction
 * (X.begin(), begin_nested(), transaction.atomic(), transaction()) around
 * call c, or -1. */
int py_txn_begin_block(const struct py_outline *ol, const struct py_call *c);

/* The def holding call c when it runs in one transaction as a whole
 * (@transaction.atomic, @atomic, @transactional), else -1; *dec gets the
 * decorator text. */
int py_txn_atomic_def(const struct py_outline *ol, const struct py_call *c, const char **dec);

/* 1 when statement st assigns an attribute of an entity loaded in its def
 * (order = session.get(...); order.status = "paid"), an UPDATE at flush. */
int py_txn_entity_write(const struct py_binds *b, int st);

/* An open write window around a call: the write that opened it and the
 * commit that closes it. */
struct py_txn_window {
	uint32_t start;     /* first token of the write */
	unsigned line;      /* its line */
	char what[128];     /* "session.flush()", "order.status = ..." */
	size_t commit;      /* call index of the commit */
};

/* The write (a write call, an explicit begin(), or an attribute of a loaded
 * entity) before call ci in its def with no commit or rollback in between,
 * and a later commit (on the same session, when the write names one).
 * 1 and fills w, else 0. */
int py_txn_open_write(const struct py_binds *b, size_t ci, struct py_txn_window *w);

/* ---- the transactions of a def */

enum py_txn_kind {
	PTX_BLOCK,     /* with/async with X.begin() / begin_nested() / transaction.atomic() */
	PTX_DEF,       /* the whole def: @transaction.atomic, @transactional */
	PTX_IMPLICIT   /* autobegin: from the first write (or begin()) to the commit or rollback */
};

struct py_txn {
	uint8_t kind;          /* enum py_txn_kind */
	uint8_t committed;     /* closed by a commit (PTX_IMPLICIT), or a block/def that commits at its end */
	uint8_t loop_commit;   /* PTX_IMPLICIT: closed by a commit elsewhere in an enclosing loop's body
				  (the next iteration commits what this one wrote) */
	int block;             /* PTX_BLOCK: the with block; PTX_DEF: the def; else -1 */
	uint32_t begin_tok;    /* first token inside the transaction */
	uint32_t end_tok;      /* first token after it (the closing call's name, or the block/def end) */
	unsigned line;         /* the with line, the def line, or the opening write's line */
	unsigned end_line;     /* the commit line, or the last line of the block/def */
	int end_call;          /* the commit/rollback call that closes it, -1 */
	char recv[128];        /* the session it runs on, "" when unknown */
	char what[128];        /* what opened it: "with session.begin()", "session.add()", "run.status = ..." */
};

/* The transactions of def f in order of their start, at most max of them
 * in out; returns how many there are.  A write outside any begin() block
 * opens an implicit transaction that lasts until the next commit or
 * rollback on its session; one still open at the end of the def is
 * returned with end_call -1 and committed 0 (the caller, a context
 * manager, or nobody commits it). */
size_t py_txns_of_def(const struct py_binds *b, int f, struct py_txn *out, size_t max);

/* The transaction of txns[0..n) that holds token tok, innermost first; -1. */
int py_txn_at(const struct py_txn *txns, size_t n, uint32_t tok);

/* ---- one call deep */

struct py_index;
struct py_fn;

/* The project def that call ci of ol (the file at path, relative to the
 * root) calls, as the project index resolved it: the call site of the
 * enclosing def with the same line and callee (self.m(), a parameter's or
 * local's class, imported functions and classes, Cls().m()).  NULL when
 * unresolved, for module-level calls, or when ix is NULL.  Borrowed. */
const struct py_fn *py_txn_callee(struct py_index *ix, const char *path, const struct py_outline *ol, size_t ci);

/* ---- what a write writes (missing_intermediate_commits; table-aware checks) */

enum py_txn_wkind { PTW_INSERT = 1, PTW_UPDATE = 2, PTW_DELETE = 4 };

struct py_txn_write {
	uint8_t kinds;     /* PTW_* bits; a merge() is INSERT|UPDATE */
	char model[64];    /* the ORM class written ("Shipment"), "" when a table names it */
	char table[64];    /* the table of raw SQL or of a Core Table("jobs"), lowercase, "" */
	char var[64];      /* entity writes: the variable ("job") */
	char attr[64];     /* entity writes: the attribute ("done") */
};

/* When statement st assigns an attribute of a loaded entity
 * (py_txn_entity_write), the UPDATE it becomes at flush: 1 and fills w,
 * with w->model the class the entity was loaded as (session.get(Job, i),
 * a select(Job) it iterates, Job.objects.get(...)) or "" when unknown. */
int py_txn_stmt_write(const struct py_binds *b, int st, struct py_txn_write *w);

/* What call ci writes: execute() of update(M)/insert(M)/delete(M),
 * M.__table__.update(), a Core Table("t") or a SQL string (text("UPDATE t
 * ...")) -- directly or through a name assigned the statement --,
 * Query.update()/delete(), Model.objects...update(), add(M(...)),
 * add_all([M(...)...]), delete(entity), merge(...).  1 and fills w when
 * the call writes and its model or table is known, else 0. */
int py_txn_call_write(const struct py_binds *b, size_t ci, struct py_txn_write *w);

/* 1 when tokens [b,e) mark work as under way, so that committing them is
 * meant to publish a start before long work: an assignment or keyword
 * argument of a status-like name (status, state, phase, stage, step,
 * *_status, *_state) to a string or enum member saying so ("running",
 * "processing", "started", "in_progress", "queued", JobState.IMPORTING;
 * not "pending" or "missing"), or of started_at/start_time/locked_at.
 * what (size n) gets the assignment's text. */
int py_txn_marks_started(const struct py_toks *t, uint32_t b, uint32_t e, char *what, size_t n);

/* ---- paths inside a def (the implicit windows above are positional) */

/* 1 when, on some path, the code at token tok (later in the same def) runs
 * after statement st in the same pass: 0 when a block around st that does
 * not hold tok ends by leaving (return, raise; continue or break when tok
 * is in the same loop), or is an if/elif/except/case branch exclusive
 * with the branch holding tok. */
int py_txn_reaches(const struct py_outline *ol, int st, uint32_t tok);

#endif
