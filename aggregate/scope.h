/*
 * scope: which findings a report lists.  A baseline (--baseline) drops
 * the findings it already records; a diff (--changed) drops the findings
 * that are not on a line it adds or changes.  The scores and the category
 * counts stay those of every finding, the project's health; the report's
 * findings list and severity_counts (and so --fail-on) cover the rest.
 */
#ifndef PPERF_AGGREGATE_SCOPE_H
#define PPERF_AGGREGATE_SCOPE_H

#include <jansson.h>

#include "baseline.h"
#include "difflines.h"

struct scope {
	const char *baseline_file;   /* NULL: no baseline; else bl is loaded */
	struct baseline bl;
	const char *changed_label;   /* NULL: no diff; else dl is loaded */
	struct difflines dl;
};

/*
 * Filters report's "findings" (baseline first, then changed lines),
 * recomputes its "severity_counts", and adds "baseline" and "changed"
 * (pperf-json(5)).  0, or -1 on allocation failure.
 */
int scope_apply(json_t *report, struct scope *s);

#endif
