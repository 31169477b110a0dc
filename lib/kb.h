/*
 * kb: the best-practice knowledge base and the contextStore built from it.
 *
 * The knowledge base is a folder of JSON files, one per technology, each a
 * "pperf.kb/1" document (format in pperf-research(1)):
 *
 *   {"schema": "pperf.kb/1", "technology": "sqlalchemy", "name": "SQLAlchemy",
 *    "covers": ">=1.4",
 *    "detect": [{"dependency": "sqlalchemy"}, {"stack": "orm", "equals": "sqlalchemy"}],
 *    "online": {"library": "sqlalchemy", "query": "..."},
 *    "practices": [{"id": "...", "technology": "sqlalchemy", "applies_to": ">=2.0",
 *                   "title": "...", "summary": "...", "checks": ["n_plus_one_query"],
 *                   "source": "https://...", "source_title": "..."}]}
 *
 * pperf-research loads and validates it (kb_load_dir), selects what applies
 * to a context's tech_stack (kb_select) and writes the result into the
 * context as "best_practices" (grouped by technology) and "sources".  The
 * auditors read that contextStore back with the kb_practice* lookups, so a
 * finding can name the practice, and the source, it rests on.
 */
#ifndef PPERF_KB_H
#define PPERF_KB_H

#include <jansson.h>
#include "jsonio.h"

#define SCHEMA_KB "pperf.kb/1"

/*
 * Loads every "*.json" file of dir, in name order, and validates each one
 * and the whole (one file per technology, practice ids unique).  Returns a
 * new array of the documents (caller decrefs), or NULL with *err filled:
 * err->file names the file, the line and column locate a JSON syntax
 * error, and a schema error's message starts with the field's path
 * ("practices[3].applies_to: ...").  status is EXIT_DATA for bad data,
 * EXIT_IO when the folder or a file cannot be read.
 */
json_t *kb_load_dir(const char *dir, struct jsonio_err *err);

/* Validates one knowledge-base document (err->file is left as it was). */
int kb_check(const json_t *doc, struct jsonio_err *err);

/*
 * The versions of technology doc (a kb document) that tech_stack allows,
 * as text for people (">=2.0,<2.1", "==1.4.52", ">=3.11"), written into
 * buf.  Returns 1 when the technology is detected (buf "" when its version
 * is unknown: every version), 0 when it is not.
 */
int kb_detect(const json_t *doc, const json_t *tech_stack, char *buf, size_t bufsz);

/*
 * Selects, from kb (as kb_load_dir returns it), the practices whose
 * technology is detected in tech_stack and whose applies_to holds every
 * version the project allows (within what the file covers).  *best_practices gets a new array of
 * groups {"technology", "name", "version" (string|null), "practices"},
 * each practice copied with "origin": "kb"; *sources a new array of
 * {"title", "url"}, one per distinct source.  0, or -1 on allocation
 * failure (nothing to free then).
 */
int kb_select(const json_t *kb, const json_t *tech_stack, json_t **best_practices,
	      json_t **sources);

/*
 * Lookups over a contextStore (a context written by pperf-research); all
 * return borrowed references valid while context lives, NULL when absent.
 *
 * kb_practice: the selected practice with that id.
 * kb_practice_for_check: the first selected practice that informs check;
 *   with technology non-NULL, one of that technology is preferred.
 * kb_source_for_check: that practice's "source" URL.
 */
const json_t *kb_practice(const json_t *context, const char *id);
const json_t *kb_practice_for_check(const json_t *context, const char *check,
				    const char *technology);
const char *kb_source_for_check(const json_t *context, const char *check,
				const char *technology);

/*
 * The source URL of the first selected practice informing check whose
 * technology is one of techs (a NULL-terminated list, in order of
 * preference), trying each technology in turn; NULL when none has one.
 * Findings in TypeScript and Go files use it so that a polyglot project's
 * Go finding never cites a SQLAlchemy page.
 */
const char *kb_source_among(const json_t *context, const char *check, const char *const *techs);

#endif
