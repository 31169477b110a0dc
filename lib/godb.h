/*
 * godb: the Go database-call vocabulary of the query checks.
 *
 * Which calls of a Go outline (lib/go/go.h) run SQL, and what kind:
 * database/sql (Query/QueryRow/Exec and their Context forms on a DB, Tx,
 * Conn or prepared Stmt), sqlx (Get/Select/NamedExec, Queryx...), pgx
 * (Query/QueryRow/Exec on a Conn, Pool or Tx, SendBatch, CopyFrom) and
 * GORM chains (db.Where(...).Find, First/Take/Count/Pluck/Scan, Create,
 * CreateInBatches, Save, Update(s), Delete).  A call counts when its SQL
 * text says what it does, when its receiver has a database type
 * (go_types) or, for GORM terminals, when the chain holds GORM builder
 * methods or starts at a database-like name (db, tx, conn, pool...).
 */
#ifndef PPERF_GODB_H
#define PPERF_GODB_H

#include <stddef.h>

#include "py/outline.h"
#include "finding.h"
#include "go/go.h"

enum go_dbop {
	GDB_NONE = 0,
	GDB_READ,     /* SELECT, GORM Find/First/Count... */
	GDB_INSERT,   /* INSERT, GORM Create of one value */
	GDB_UPDATE,   /* UPDATE, GORM Save/Update/Updates */
	GDB_DELETE,   /* DELETE, GORM Delete */
	GDB_BULK,     /* COPY, CopyFrom, SendBatch, CreateInBatches: already batched */
	GDB_OTHER     /* SQL of another kind, or unknown SQL on a database receiver */
};

enum go_dbapi { GAPI_SQL = 1, GAPI_GORM };

struct go_dbcall {
	enum go_dbop op;
	enum go_dbapi api;
	int sql_tok;          /* string token holding the SQL, or -1 */
	int multi;            /* 1 for calls returning many rows (Query, Select, Find) */
	const char *method;   /* the call's last name (arena of the outline) */
};

struct go_db;

/* Per-outline state (prepared statements, SQL constants); NULL on ENOMEM.
 * ol and gt (may be NULL) must outlive it. */
struct go_db *go_db_new(const struct py_outline *ol, const struct go_types *gt);
void go_db_free(struct go_db *g);

/* Classifies call ci; returns out->op (GDB_NONE: not a database call). */
enum go_dbop go_db_call(const struct go_db *g, int ci, struct go_dbcall *out);

/* 1 when call ci (classified in dc) writes a set of rows at once: its SQL
 * or a condition of its GORM chain uses IN (...) / ANY(...), or the chain
 * adds built conditions (Clauses(clause.Where{...}), clause.IN). */
int go_db_set_based(const struct go_db *g, int ci, const struct go_dbcall *dc);

/* The SQL text of string token tok with runs of blanks collapsed, its
 * first keyword first (leading '(' and comments skipped): malloc'd,
 * caller frees; NULL when tok is not a string. */
char *go_db_sql_text(const struct py_outline *ol, int tok);

/* 1 when loop block b runs once per item of a collection: a range loop, a
 * condition loop such as "for rows.Next()", a three-clause loop; 0 for a
 * bare "for {" (a polling or event loop) and for a range over a composite
 * literal of at most three elements. */
int go_db_item_loop(const struct py_outline *ol, int b);

/* Innermost per-item loop (go_db_item_loop) around call ci inside its
 * function, or -1 (a bare "for {" in between stops the search). */
int go_db_call_loop(const struct py_outline *ol, int ci);

/* go_db_call_loop, except a range over a channel (a consumer handling
 * one message per iteration): -1. */
int go_db_loop(const struct go_db *g, int ci);

/* 1 when the current file is never audited for Go (tests, testdata,
 * vendor, migrations). */
int go_db_skip_path(const char *path);

/* 1 when path is a run-once program (cmd/, scripts/, tools/). */
int go_db_once_path(const char *path);

/* Severity of a per-item query in def func: base for a request handler
 * (blocks[].handler), one level lower for other code, two levels lower
 * (not below LOW) in a run-once program (go_db_once_path). */
enum severity go_db_severity(const struct py_outline *ol, int func, const char *path, enum severity base);

/* What loop block b iterates over, for messages: "rows.Next()", "range
 * ids" ...; malloc'd, caller frees (NULL on ENOMEM). */
char *go_db_loop_text(const struct py_outline *ol, int b);

#endif
