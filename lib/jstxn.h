/*
 * jstxn: where transactions begin and end in a TypeScript/JavaScript file
 * (an outline built by lib/js), and what runs inside them.
 *
 * Shared by the TS implementations of the Transaction Correctness checks.
 * Node drivers autocommit every statement; a transaction is explicit:
 * - callback: the function handed to Prisma's interactive
 *   prisma.$transaction(async (tx) => ...), TypeORM dataSource/manager
 *   .transaction(cb), knex.transaction(cb) (also Sequelize); it commits
 *   when the callback resolves.  The array form $transaction([...]) runs
 *   no user code and is no transaction here.
 * - manual: TypeORM queryRunner.startTransaction() .. commitTransaction(),
 *   node-postgres client.query('BEGIN') .. client.query('COMMIT'), knex
 *   "trx = await knex.transaction()" .. trx.commit(); running from the
 *   begin to the last commit on the same variable in the same function.
 */
#ifndef PPERF_JSTXN_H
#define PPERF_JSTXN_H

#include <stddef.h>
#include <stdint.h>

#include "py/outline.h"

enum js_txn_kind { JTX_CALLBACK, JTX_MANUAL };
enum js_txn_api { JTX_PRISMA, JTX_TYPEORM, JTX_PG, JTX_KNEX, JTX_OTHER };

struct js_txn {
	uint8_t kind;          /* enum js_txn_kind */
	uint8_t api;           /* enum js_txn_api */
	int begin_call;        /* $transaction / transaction / startTransaction / query('BEGIN') */
	int func;              /* the def holding the begin, -1 at module level */
	int body;              /* JTX_CALLBACK: the callback def; else func */
	int commit_call;       /* JTX_MANUAL: the last commit on var in func, -1 when none */
	uint32_t begin_tok;    /* first token inside the transaction */
	uint32_t end_tok;      /* first token after it */
	unsigned line, end_line;
	char var[64];          /* JTX_MANUAL: "client", "qr", "trx"; callback: its first parameter */
	char what[96];         /* "this.prisma.$transaction", "client.query('BEGIN')" */
};

/* The transactions of the file in order of their begin, at most max in
 * out; returns how many there are (may exceed max). */
size_t js_txns_of_file(const struct py_outline *ol, struct js_txn *out, size_t max);

/* 1 when call ci runs inside transaction t: in its token range, in t's
 * body def or a function nested there. */
int js_txn_holds(const struct py_outline *ol, const struct js_txn *t, size_t ci);

/* 1 when call ci is itself a transaction commit/rollback/begin statement
 * (query('COMMIT'), commitTransaction(), trx.rollback()...). */
int js_txn_control(const struct py_outline *ol, size_t ci);

enum js_slow { JSLOW_NONE = 0, JSLOW_NET, JSLOW_FILE, JSLOW_SLEEP, JSLOW_EXEC };

/* Names of a file that stand for fs, fs/promises and child_process
 * functions (imports, require, promisify). */
struct js_slow_names;
struct js_slow_names *js_slow_names_new(const struct py_outline *ol);
void js_slow_names_free(struct js_slow_names *sn);

/* What call ci does that takes time: network (fetch, axios, got,
 * http(s).request, SDK clients such as S3 send(new XCommand)), file I/O
 * (fs, fs/promises), a sleep (await sleep(ms), a setTimeout promise), a
 * child process (exec, execFile, spawn, their promisified names). */
enum js_slow js_call_slow(const struct py_outline *ol, const struct js_slow_names *sn, size_t ci);

/* "network call", "file I/O", "sleep", "child process". */
const char *js_slow_word(enum js_slow s);

/* Name of the first parameter of def d (a destructuring pattern gives
 * ""), into buf. */
void js_def_first_param(const struct py_outline *ol, int d, char *buf, size_t n);

/* The names statement si declares or assigns: "trx" of "const trx = ...",
 * "rows" of "const { rows } = ...", "a", "b" of "const [a, b] = ...";
 * at most max into out; returns how many. */
size_t js_stmt_bound_names(const struct py_outline *ol, int si, char (*out)[64], size_t max);

/* 1 when tokens [b, e) use name as a value (not as a property after '.',
 * not as an object key before ':'). */
int js_range_uses(const struct py_outline *ol, uint32_t b, uint32_t e, const char *name);

/* 1 when a direct or enclosing argument list of call ci belongs to a
 * $transaction([...]) / transaction(...) call (the array form). */
int js_call_in_txn_batch(const struct py_outline *ol, size_t ci);

/* 1 when a TypeScript/JavaScript source file of the project (context
 * files) LISTENs on channel and the project serves a real-time stream
 * (text/event-stream, @Sse, ws, socket.io, @WebSocketGateway); where gets
 * "LISTEN job_progress in src/events.ts".  Reads the files once per
 * channel and run. */
struct json_t;
int js_project_realtime(const struct json_t *context, const char *channel, char *where, size_t n);

#endif
