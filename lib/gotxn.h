/*
 * gotxn: where transactions begin and end in a Go file, and what runs
 * inside them.
 *
 * Shared by the Go implementations of the Transaction Correctness checks.
 * Two forms: a manual transaction, "tx, err := db.BeginTx(ctx, nil)" (also
 * Begin, Beginx, MustBegin; GORM "tx := db.Begin()"; pgx "pool.Begin(ctx)")
 * running until the last tx.Commit() (or helper Commit(ctx, tx)) of the function, and a callback
 * transaction, the function literal handed to GORM db.Transaction(...),
 * pgx.BeginFunc / BeginTxFunc or bun RunInTx, which commits when the
 * literal returns.  Also: what a call does that takes time (network,
 * files, sleeps, child processes) and what a call writes.
 */
#ifndef PPERF_GOTXN_H
#define PPERF_GOTXN_H

#include <stddef.h>
#include <stdint.h>

#include "py/outline.h"
#include "go/go.h"

enum go_txn_kind { GTX_MANUAL, GTX_CALLBACK };

struct go_txn {
	uint8_t kind;          /* enum go_txn_kind */
	uint8_t gorm;          /* GORM's db.Begin()/db.Transaction */
	int begin_call;        /* the Begin/BeginTx/Transaction call */
	int func;              /* the def holding the begin */
	int body;              /* GTX_CALLBACK: the literal def run in the transaction; else func */
	int commit_call;       /* GTX_MANUAL: the last var.Commit() of func, -1 */
	int begin_stmt;        /* the statement of the begin */
	uint32_t begin_tok;    /* first token inside the transaction */
	uint32_t end_tok;      /* first token after it */
	unsigned line, end_line;
	char var[64];          /* GTX_MANUAL: the transaction variable ("tx"); callback: its parameter */
	char what[96];         /* "w.DB.BeginTx", "h.db.Transaction" */
};

/* The transactions of the file in order of their begin, at most max in
 * out; returns how many there are (may exceed max). */
size_t go_txns_of_file(const struct py_outline *ol, struct go_txn *out, size_t max);

/* 1 when call ci runs inside transaction t on the transaction's own
 * goroutine: in its token range, in t's def or a literal nested there that
 * is not started by a go statement. */
int go_txn_holds(const struct py_outline *ol, const struct go_txn *t, size_t ci);

/* 1 when call ci of ol runs inside one of the file's explicit
 * transactions (so a GORM write there is not its own default transaction). */
int go_call_in_txn(const struct py_outline *ol, size_t ci);

enum go_slow { GSLOW_NONE = 0, GSLOW_NET, GSLOW_FILE, GSLOW_SLEEP, GSLOW_EXEC };

/* What call ci does that takes time: a network call (net/http's
 * Get/Post/Head/PostForm, an http.Client's Do/Get/Post, SDK clients of
 * AWS/GCP/Stripe..., smtp.SendMail), file I/O (os.WriteFile, os.Create,
 * ...), time.Sleep, exec.Command.  what (size n) gets a description, the
 * callee in backquotes ("`w.HTTP.Post` (an *http.Client)"). */
enum go_slow go_call_slow(const struct py_outline *ol, const struct go_types *gt, size_t ci, char *what,
			  size_t n);

/* Functions and methods of the file that make a slow call themselves (one
 * call deep), at most GO_SLOW_DEFS of them. */
#define GO_SLOW_DEFS 64
struct go_slow_defs {
	size_t n;
	struct {
		int def;            /* the named def */
		int call;           /* its first slow call */
		enum go_slow kind;
		char what[96];
	} v[GO_SLOW_DEFS];
};

/* Fills sd from the file's named defs (kinds: a mask of 1 << GSLOW_*). */
void go_slow_defs_build(const struct py_outline *ol, const struct go_types *gt, unsigned kinds,
			struct go_slow_defs *sd);

/* The entry of sd that call ci calls: a bare name calls a function, x.m
 * calls a method whose receiver type is x's type; -1. */
int go_slow_defs_callee(const struct py_outline *ol, const struct go_types *gt, const struct go_slow_defs *sd,
			size_t ci);

enum go_wkind { GW_INSERT = 1, GW_UPDATE = 2, GW_DELETE = 4 };

struct go_write {
	uint8_t kinds;         /* GW_* */
	uint8_t gorm;          /* a GORM write (Create, Save, Update...) */
	char table[64];        /* the table of the SQL, lowercase, or "" */
	char model[64];        /* GORM: the model of Model(&X{}) / Create(&x) when a type names it, or "" */
	char recv[96];         /* the receiver chain before the method ("h.db", "tx") */
};

/* What call ci writes: Exec/ExecContext/QueryRow(Context)/Query(Context)
 * of an INSERT/UPDATE/DELETE string literal, or a GORM
 * Create/Save/Update/Updates/UpdateColumn(s)/Delete on a database-like
 * chain.  1 and fills w, else 0. */
int go_call_write(const struct py_outline *ol, const struct go_types *gt, size_t ci, struct go_write *w);

/* 1 when the current file is never audited for Go: *_test.go, testdata/,
 * vendor/, migrations/, or generated code ("// Code generated ... DO NOT
 * EDIT." before the package clause; toks may be NULL). */
int go_txn_skip_path(const char *path);
int go_txn_skip_file(const char *path, const struct py_toks *toks);

#endif
