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

#endif
