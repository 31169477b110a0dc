/*
 * audit-runtime/checks.h: the checks of pperf-audit-runtime, one source file each.
 */
#ifndef PPERF_RUNTIME_CHECKS_H
#define PPERF_RUNTIME_CHECKS_H

#include "auditor.h"

extern const struct auditor runtime_auditor;

void check_blocking_io_in_async(struct check_ctx *cx);
void check_sync_sleep_in_async(struct check_ctx *cx);
void check_unnecessary_allocation(struct check_ctx *cx);
void check_string_concat_in_loop(struct check_ctx *cx);
void check_cpu_bound_in_async(struct check_ctx *cx);
void check_redundant_copy(struct check_ctx *cx);
void check_sync_db_in_async(struct check_ctx *cx);
/* Go implementations (audit-runtime/..._go.c) */
void check_string_concat_in_loop_go(struct check_ctx *cx);
void check_unnecessary_allocation_go(struct check_ctx *cx);
void check_redundant_copy_go(struct check_ctx *cx);
void check_blocking_io_in_async_ts(struct check_ctx *cx);
void check_sync_sleep_in_async_ts(struct check_ctx *cx);
void check_cpu_bound_in_async_ts(struct check_ctx *cx);
void check_string_concat_in_loop_ts(struct check_ctx *cx);
void check_unnecessary_allocation_ts(struct check_ctx *cx);
void check_redundant_copy_ts(struct check_ctx *cx);

#endif
