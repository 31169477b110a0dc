/*
 * merge: the state of pperf-aggregate.  Worker results are added one by
 * one (shards of one category merge), expected categories are declared,
 * and the pperf.report/1 is built at the end.
 */
#ifndef PPERF_AGGREGATE_MERGE_H
#define PPERF_AGGREGATE_MERGE_H

#include <stddef.h>
#include <jansson.h>

struct agg_cat {
	char *name;        /* owned */
	json_t *findings;  /* owned array; the findings are references shared
			    * with the results (never modified) */
	json_t *checks;    /* owned array merged by id */
	char *failure;     /* owned; NULL while no result failed */
	unsigned nresults; /* results received for this category */
	int expected;      /* named by --expect */
};

struct agg {
	struct agg_cat *cats;
	size_t n, cap;
	json_t *codebase_root; /* owned; from the first result carrying one */
	json_t *tech_stack;    /* owned; likewise */
	json_int_t suppressed; /* findings suppressed by "pperf: ignore" comments, all results */
};

void agg_init(struct agg *a);
void agg_free(struct agg *a);

/*
 * Adds one validated pperf.result/1 (borrowed: its findings are kept by
 * reference, the rest copied).  0 or -1 (memory).
 */
int agg_add_result(struct agg *a, const json_t *result);

/* Declares that a result of this category must be present. 0 or -1. */
int agg_expect(struct agg *a, const char *category);

/*
 * Builds the report (new reference, caller decrefs; NULL on allocation
 * failure).  date is "YYYY-MM-DD"; context, when not NULL, is a borrowed
 * pperf.context/1 that supplies codebase_root, tech_stack, linear and
 * sources.  *nfailed receives the number of categories in error.
 */
json_t *agg_report(struct agg *a, const char *date, const json_t *context, unsigned *nfailed);

#endif
