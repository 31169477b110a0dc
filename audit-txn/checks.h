/*
 * audit-txn/checks.h: the checks of pperf-audit-txn, one source file each.
 */
#ifndef PPERF_TXN_CHECKS_H
#define PPERF_TXN_CHECKS_H

#include "auditor.h"

extern const struct auditor txn_auditor;

void check_missing_rollback(struct check_ctx *cx);
void check_scope_too_wide(struct check_ctx *cx);
void check_scope_too_narrow(struct check_ctx *cx);
void check_missing_intermediate_commits(struct check_ctx *cx);
void check_long_held_transaction(struct check_ctx *cx);
void check_pool_configuration(struct check_ctx *cx);
void check_missing_session_cleanup(struct check_ctx *cx);
void check_session_held_in_stream(struct check_ctx *cx);
void check_missing_rollback_ts(struct check_ctx *cx);
void check_scope_too_wide_ts(struct check_ctx *cx);
void check_long_held_transaction_ts(struct check_ctx *cx);
void check_missing_intermediate_commits_ts(struct check_ctx *cx);
void check_scope_too_narrow_ts(struct check_ctx *cx);

/* Go implementations (audit-txn/<id>_go.c) */
void check_missing_rollback_go(struct check_ctx *cx);
void check_scope_too_wide_go(struct check_ctx *cx);
void check_long_held_transaction_go(struct check_ctx *cx);
void check_missing_intermediate_commits_go(struct check_ctx *cx);
void check_scope_too_narrow_go(struct check_ctx *cx);

#endif
