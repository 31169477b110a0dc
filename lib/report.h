/*
 * report: the computations behind a pperf.report/1 that aggregate and
 * publish share, kept free of I/O so that unit tests can call them.
 *
 *  - findings: ordering (CRITICAL first, then path, line), duplicate
 *    removal (same check, file, line and issue), counting;
 *  - categories: merging "checks" arrays, scores, generated notes, the
 *    report's category order, the overall score;
 *  - text: Markdown table-cell escaping, code spans, score formatting and
 *    the generated executive summary.
 *
 * Findings are the JSON objects of pperf-json(5); every function accepts
 * objects with missing optional fields.
 */
#ifndef PPERF_REPORT_H
#define PPERF_REPORT_H

#include <stddef.h>
#include <jansson.h>
#include "finding.h"

/* The three categories, in report order. */
#define CAT_QUERY "Query Efficiency"
#define CAT_TXN "Transaction Correctness"
#define CAT_RUNTIME "Runtime Performance"

/* ---- findings --------------------------------------------------------- */

/* Severity of a finding object (SEV_NONE when absent or unknown). */
enum severity report_finding_sev(const json_t *f);

/*
 * Report order: severity (CRITICAL first), then file, line, check, issue
 * (byte order).  Returns <0, 0 or >0.
 */
int report_finding_cmp(const json_t *a, const json_t *b);

/* 1 when a and b have the same check, file, line and issue (and the same
 * "category" when they carry one), else 0. */
int report_finding_same(const json_t *a, const json_t *b);

/*
 * Sorts the finding objects of arr in report order (ties keep their input
 * order) and drops duplicates, keeping the most severe copy.  Returns the
 * number dropped, or -1 on allocation failure (arr unchanged).
 */
long report_sort_dedup(json_t *arr);

/* counts[SEV_LOW..SEV_CRITICAL] of the findings of arr (counts[0] unused). */
void report_count(const json_t *arr, unsigned counts[5]);

/* ---- categories ------------------------------------------------------- */

/* Position of a category in the report: 0, 1, 2 for the three, 3 for any other. */
int report_category_rank(const char *name);

/*
 * Merges the "checks" array src into dst by id: a check ran when it ran in
 * any input, its findings are summed; new ids are appended in input order;
 * documentation strings (title, principle, severity, effort, why, example,
 * instead) are kept from the first input that has them.
 * Entries that are not objects with a string id are skipped.  0 or -1.
 */
int report_merge_checks(json_t *dst, const json_t *src);

/*
 * Sets each check's "findings" to the number of findings of arr with its
 * id, and appends {"id", "ran": true, "findings"} for ids seen only in
 * findings.  0 or -1.
 */
int report_recount_checks(json_t *checks, const json_t *findings);

/*
 * Notes generated from the data, for example
 * "2 high: n_plus_one_query x2; 1 check not yet run".  failure, when not
 * NULL, is put first ("failed: <failure>").  Caller frees; NULL on
 * allocation failure.
 */
char *report_notes(const json_t *findings, const json_t *checks, const char *failure);

/*
 * A new category object of the report (caller decrefs):
 * {"category","status","score","notes","total_issues","critical","high",
 *  "medium","low","checks"}.  Counts and score come from findings; with a
 * failure, status is "error" and score null.  checks is copied.
 */
json_t *report_category_new(const char *name, const json_t *findings, const json_t *checks,
			    const char *failure);

/*
 * Mean of the "score" of the categories whose status is "ok", rounded to
 * one decimal, as a new JSON real; JSON null when none.  Caller decrefs.
 */
json_t *report_overall_score(const json_t *categories);

/* ---- text ------------------------------------------------------------- */

/*
 * Escapes s for one Markdown table cell: '|' becomes "\|" (a backslash
 * before it is doubled), CR, LF and CRLF become "<br>", other control
 * characters a space, and backticks are escaped ("\`") unless they pair up
 * into code spans.  Leading and trailing white space is trimmed.  NULL
 * counts as "".  Caller frees; NULL on allocation failure.
 */
char *report_md_cell(const char *s);

/*
 * s as an inline code span usable in a table cell: enough backticks to
 * enclose any run inside, '|' escaped, line breaks turned into spaces.
 * Caller frees; NULL on allocation failure.
 */
char *report_md_code(const char *s);

/* Formats a score value ("7.5"), "n/a" for null or a non-number.  Returns buf. */
const char *report_fmt_score(const json_t *score, char *buf, size_t len);

/*
 * The executive summary of a report (two or three sentences generated
 * from its numbers: overall score, the categories not audited, findings
 * by severity, the weakest category when two or more have a score, the
 * most frequent check).
 * Caller frees; NULL on allocation failure.
 */
char *report_summary(const json_t *report);

#endif
