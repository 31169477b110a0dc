/*
 * fingerprint: a finding's identity that survives line shifts.
 *
 * The check id, the file path and the text of the finding's own source
 * line (the first line of its snippet, with every run of white space
 * reduced to one blank and the ends trimmed) are hashed together; the line
 * number is not part of it, so code moved up or down keeps its
 * fingerprint, and editing the flagged statement gives a new one.  Used by
 * SARIF partialFingerprints and by baselines (pperf --baseline).
 */
#ifndef PPERF_FINGERPRINT_H
#define PPERF_FINGERPRINT_H

#include "finding.h"

#define FINGERPRINT_LEN 16   /* hex digits, without the terminating NUL */

/* Writes the fingerprint of (check, file, snippet) as 16 lowercase hex
 * digits and a NUL into out[FINGERPRINT_LEN + 1].  Any argument may be NULL
 * (hashed as empty). */
void fingerprint_of(const char *check, const char *file, const char *snippet, char out[FINGERPRINT_LEN + 1]);

/* fingerprint_of(f->check, f->file, f->snippet, out). */
void finding_fingerprint(const struct finding *f, char out[FINGERPRINT_LEN + 1]);

#endif
