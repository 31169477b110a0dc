/*
 * jsdb: the database-call vocabulary of TypeScript/JavaScript code (an
 * outline built by lib/js): which call chain runs a query through Prisma,
 * TypeORM, node-postgres or knex, what it does (read, insert, update,
 * delete, save) and on which model or table.
 *
 * A query is one call chain (prisma.order.findUnique(...).customer(),
 * repo.createQueryBuilder('o').leftJoinAndSelect(...).getMany()): only
 * the outermost call of a chain is classified, so each statement is
 * counted once.  Receivers of TypeORM calls are recognised by how they
 * were made in the file (getRepository(X), Repository<X> and
 * EntityManager parameters and fields, transaction callback parameters),
 * generic names (save, update, delete, find) on anything else are not
 * database calls.
 */
#ifndef PPERF_JSDB_H
#define PPERF_JSDB_H

#include <stdint.h>
#include "py/outline.h"

enum jsdb_api { JSDB_NONE = 0, JSDB_PRISMA, JSDB_TYPEORM, JSDB_PG, JSDB_KNEX };

enum jsdb_op {
	JSOP_NONE = 0,
	JSOP_READ,
	JSOP_INSERT,
	JSOP_UPDATE,
	JSOP_DELETE,
	JSOP_UPSERT,
	JSOP_SAVE     /* TypeORM save(): insert or update, see jsdb_save_kind */
};

struct jsdb_q {
	uint8_t api;         /* enum jsdb_api */
	uint8_t op;          /* enum jsdb_op */
	uint8_t bulk;        /* set-based already: createMany/updateMany/deleteMany, save([...]),
				insert([...]), WHERE id = ANY($1)/IN, multi-row VALUES, whereIn,
				batchInsert; for reads: an in: / In(...) / whereInIds / findByIds
				filter (one query per group of rows, not per row) */
	uint8_t unique;      /* Prisma findUnique/findUniqueOrThrow (batched within one tick) */
	uint8_t fluent;      /* Prisma fluent relation read after the query (.customer()) */
	uint8_t eager;       /* relations loaded in the same query: include, relations,
				leftJoinAndSelect/innerJoinAndSelect */
	uint8_t select;      /* an explicit column list: select: {...}, .select(cols), SELECT a, b */
	uint8_t star;        /* SQL SELECT * */
	int op_call;         /* the call that names the operation (findMany, query, save) */
	uint32_t arg_begin, arg_end; /* the operation call's arguments [begin,end) */
	const char *method;  /* its name (borrowed from the outline) */
	char model[64];      /* "Patient" (Prisma model, TypeORM entity), SQL table, or "" */
};

struct jsdb;

/* The database facts of one TS/JS outline (receiver bindings, call
 * chains); one pass over its statements and calls.  NULL on ENOMEM. */
struct jsdb *jsdb_new(const struct py_outline *ol);
void jsdb_free(struct jsdb *db);

/* Classifies call ci when it is the outermost call of a database query
 * chain: fills q and returns its op; JSOP_NONE for any other call (an
 * inner link of a chain included). */
enum jsdb_op jsdb_query(const struct jsdb *db, int ci, struct jsdb_q *q);

/* 1 when call ci's value is consumed where it runs: awaited (also as the
 * head of an awaited chain), returned, the expression body of an arrow,
 * or followed by .then(...). */
int jsdb_awaited(const struct py_outline *ol, int ci);

/* For a TypeORM save/Prisma-less save: JSOP_INSERT when its entity is
 * built here (object literal, repo.create(...), new X(...), or a variable
 * assigned from one of those in function f), JSOP_UPDATE when it is
 * the loop variable target or a name loaded by a query, JSOP_NONE when
 * unknown. */
enum jsdb_op jsdb_save_kind(const struct jsdb *db, const struct jsdb_q *q, const char *target);

/* 1 when the rows in tokens [b, e) (a loop's iterable, the receiver of
 * .map/.forEach) come from a database read: a read query chain there, or
 * a name assigned from one (x = await q, { rows: x } = await q) earlier
 * in function func. */
int jsdb_rows_from_query(const struct jsdb *db, int func, uint32_t b, uint32_t e);

/* The word of the SQL statement held by string token i: "SELECT", "INSERT",
 * "UPDATE", "DELETE", or NULL. */
const char *jsdb_sql_verb(const struct py_toks *t, uint32_t i);

#endif
