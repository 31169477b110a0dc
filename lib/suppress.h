/*
 * suppress: inline suppressions of findings.
 *
 * A comment holding "pperf: ignore" suppresses every finding on its own
 * line and on the line below; "pperf: ignore[id, id]" only the findings of
 * the checks named.  Only real comments count (the tokenizers' comment
 * tokens: "#" in Python, "//" and block comments in TypeScript, JavaScript
 * and Go), never text inside a string.  In a block comment the directive's
 * line is the line the word "pperf:" is on.
 */
#ifndef PPERF_SUPPRESS_H
#define PPERF_SUPPRESS_H

#include <stddef.h>
#include "py/tok.h"

struct suppress_dir {
	unsigned line, col;  /* where "pperf:" is (1-based) */
	char *ids;           /* "id,id" (known ids only), or NULL: every check */
};

struct suppressions {
	struct suppress_dir *v;
	size_t n, cap;
};

/* Every check id of the three auditors, NULL-terminated (a unit test
 * keeps it equal to the tables). */
extern const char *const suppress_known_ids[];

/* Called for an unknown check id or a malformed list (msg borrowed). */
typedef void (*suppress_warn_fn)(void *arg, unsigned line, unsigned col, const char *msg);

/*
 * Collects the directives of the comments of toks (any language); warn
 * (may be NULL) hears about each unknown id once.  0, or -1 on allocation
 * failure.  pperf-discover warns (once per run of pperf); the auditors
 * only collect.
 */
int suppress_scan(struct suppressions *s, const struct py_toks *toks, suppress_warn_fn warn, void *warn_arg);
/* 1 when a directive on line or on line - 1 covers check. */
int suppress_covers(const struct suppressions *s, unsigned line, const char *check);
void suppress_free(struct suppressions *s);

#endif
