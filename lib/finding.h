/*
 * finding: the finding record, severities, efforts, lists, JSON.
 */
#ifndef PPERF_FINDING_H
#define PPERF_FINDING_H

#include <stddef.h>
#include <jansson.h>

enum severity { SEV_NONE = 0, SEV_LOW = 1, SEV_MEDIUM = 2, SEV_HIGH = 3, SEV_CRITICAL = 4 };

/* "CRITICAL"... ; NULL for SEV_NONE. Static strings. */
const char *severity_name(enum severity s);
/* Case-insensitive parse; SEV_NONE when unknown. */
enum severity severity_parse(const char *s);
/* 1 when s is one of S, M, L, S-M, M-L. */
int effort_valid(const char *s);

struct finding {
	char *check;          /* check id */
	enum severity severity;
	char *file;           /* relative to codebase_root */
	unsigned line;
	char *issue;          /* what is wrong here, one or two sentences */
	char *principle;      /* the rule it breaks */
	char *recommendation; /* what to do instead, in the project's stack */
	char *effort;         /* S, M, L, S-M, M-L */
	char *snippet;        /* the source line(s), trimmed */
	char *source;         /* documentation URL of the practice it rests on (research), or NULL */
	char **chain;         /* call chain to the cause ("f -> g:12 -> time.sleep"), or NULL */
	size_t nchain;
	char *language;       /* "python", "typescript" or "go": the audited file's, or NULL */
};

struct finding_list {
	struct finding *v;
	size_t n, cap;
};

void finding_list_init(struct finding_list *fl);
/* Appends a copy of every string of f (the list owns its copies). 0 or -1. */
int finding_list_add(struct finding_list *fl, const struct finding *f);
void finding_list_free(struct finding_list *fl);

/* New JSON object for f (fields as in pperf-json(5), with "location"). */
json_t *finding_to_json(const struct finding *f);

/* Counts per severity into counts[SEV_LOW..SEV_CRITICAL]. */
void finding_list_count(const struct finding_list *fl, unsigned counts[5]);

#endif
