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

#endif
