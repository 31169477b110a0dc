/*
 * baseline: the findings a project has accepted for now, by fingerprint
 * (fingerprint.h), so that pperf --baseline FILE reports only new ones.
 *
 * The file is a pperf.baseline/1 document (pperf-json(5)):
 *
 *   {"schema": "pperf.baseline/1",
 *    "fingerprints": [{"fingerprint": "0123456789abcdef",
 *                      "check": "n_plus_one_query", "file": "app/api.py"}, ...]}
 *
 * sorted by file, check and fingerprint.  It is a multiset: two findings
 * with the same fingerprint (the same statement text flagged twice in one
 * file) need two entries, and a third such finding is new.  check and file
 * are there for people reading the file; matching uses the fingerprint.
 */
#ifndef PPERF_BASELINE_H
#define PPERF_BASELINE_H

#include <stddef.h>
#include <jansson.h>

#include "fingerprint.h"
#include "jsonio.h"

#define SCHEMA_BASELINE "pperf.baseline/1"

struct bl_entry {
	char fp[FINGERPRINT_LEN + 1];
	int used; /* matched by a finding of this run */
};

struct baseline {
	struct bl_entry *v; /* owned, sorted by fp */
	size_t n;
};

/*
 * Checks a parsed pperf.baseline/1 document and loads its fingerprints
 * into b.  0, or -1 with *err filled (status EXIT_DATA, or EXIT_IO when
 * memory runs out); err->file is left as it was.
 */
int baseline_load(struct baseline *b, const json_t *doc, struct jsonio_err *err);
void baseline_free(struct baseline *b);

/*
 * The report finding f (check, file, snippet) is in the baseline: consumes
 * one unused entry of its fingerprint and returns 1; 0 when none is left.
 */
int baseline_match(struct baseline *b, const json_t *f);

/* Entries no finding matched: fixed since the baseline was written. */
size_t baseline_unused(const struct baseline *b);

/*
 * The pperf.baseline/1 document of findings (an array of report or result
 * findings).  New reference, NULL on allocation failure.
 */
json_t *baseline_of(const json_t *findings);

#endif
