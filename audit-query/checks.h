/*
 * audit-query/checks.h: the checks of pperf-audit-query, one source file each.
 */
#ifndef PPERF_QUERY_CHECKS_H
#define PPERF_QUERY_CHECKS_H

#include "auditor.h"

extern const struct auditor query_auditor;

void check_n_plus_one_query(struct check_ctx *cx);
void check_n_update_delete_loop(struct check_ctx *cx);
void check_missing_bulk_ops(struct check_ctx *cx);
void check_redundant_fetch(struct check_ctx *cx);
void check_unnecessary_resolve(struct check_ctx *cx);
void check_over_fetching(struct check_ctx *cx);
void check_wrong_caching_scope(struct check_ctx *cx);

/* Go implementations (lib/godb.h) */
void check_n_plus_one_query_go(struct check_ctx *cx);
void check_n_update_delete_loop_go(struct check_ctx *cx);
void check_missing_bulk_ops_go(struct check_ctx *cx);
void check_over_fetching_go(struct check_ctx *cx);
void check_redundant_fetch_go(struct check_ctx *cx);
void check_unnecessary_resolve_go(struct check_ctx *cx);
void check_wrong_caching_scope_go(struct check_ctx *cx);

/* TypeScript/JavaScript implementations (audit-query/<check>_ts.c, lib/jsdb.h) */
void check_n_plus_one_query_ts(struct check_ctx *cx);
void check_n_update_delete_loop_ts(struct check_ctx *cx);
void check_missing_bulk_ops_ts(struct check_ctx *cx);
void check_over_fetching_ts(struct check_ctx *cx);
void check_redundant_fetch_ts(struct check_ctx *cx);
void check_unnecessary_resolve_ts(struct check_ctx *cx);
void check_wrong_caching_scope_ts(struct check_ctx *cx);
struct js_fn;
/* "its caller f() (path:line)", or "the request handler at path:line" for an
 * anonymous route callback (audit-query/redundant_fetch_ts.c). */
void refetch_ts_caller(const struct js_fn *a, const char *path, unsigned line, char *buf, size_t n);

/* The loop around a TS database call (audit-query/query_ts.c). */
struct query_ts_loop {
	int block;          /* PB_FOR/PB_WHILE, or the PB_DEF of an iteration callback; -1 */
	int callback;       /* 1: an iteration callback (items.map(x => ...)) */
	int is_while;
	int chunked;        /* over chunks, batches or pages: one set-based statement each */
	int in_transaction; /* prisma.$transaction(xs.map(...)) */
	char vars[128];     /* the element names: the for target or the callback's parameters */
};
int query_ts_loop(const struct py_outline *ol, int ci, struct query_ts_loop *lp);
int query_ts_uses_element(const struct py_outline *ol, const struct query_ts_loop *lp, uint32_t b, uint32_t e);
/* Adds to lp->vars the names declared in the loop body before token upto
 * from the element (const u = await find(el.id); ... u.id). */
void query_ts_derive(const struct py_outline *ol, struct query_ts_loop *lp, uint32_t upto);
enum severity query_ts_severity(struct check_ctx *cx, int f, enum severity dflt);
const char *query_ts_where(struct check_ctx *cx, int f);
int query_ts_has_ci(const char *s, size_t n, const char *needle);
struct srcfile;
/* Loads project file rel (relative to codebase_root); 0 on success. */
int query_ts_load(struct check_ctx *cx, const char *rel, struct srcfile *sf);
/* 1 when a TypeORM entity of the project declares relation prop lazy
 * (prop: Promise<T>, or lazy: true in its decorator). */
int query_ts_lazy_relation(struct check_ctx *cx, const char *prop, size_t n);

#endif
