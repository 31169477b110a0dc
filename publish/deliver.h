/*
 * deliver: where pperf-publish sends a rendered report besides standard
 * output (--to).  Each destination is a room of its own:
 *
 *   linear.c    one Linear issue through the GraphQL API
 *   github.c    one GitHub issue through the REST API
 *   fallback.c  the dated title, the priority, the repository name check
 *               and the fallback file written when publishing fails
 *               (file:PATH is main.c's atomic -o)
 *   remote.c    what linear.c and github.c share: JSON over lib/http,
 *               HTTP failures turned into one-line causes, --dry-run
 *               printing with the credential redacted
 *
 * A destination never prints and never exits: it fills struct deliver_res
 * (the line to print on success, or the exit status and message of the
 * failure) and main.c reports it, writes the fallback file and exits.
 */
#ifndef PPERF_PUBLISH_DELIVER_H
#define PPERF_PUBLISH_DELIVER_H

#include <stdio.h>
#include <jansson.h>

#define DELIVER_DEFAULT_TIMEOUT 30.0
#define DELIVER_DEFAULT_PROJECT "Epic 0"
#define LINEAR_DEFAULT_URL "https://api.linear.app/graphql"
#define GITHUB_DEFAULT_URL "https://api.github.com"

struct deliver_opts {
	const char *team;     /* --team, or NULL for the report's linear block */
	const char *repo;     /* --repo owner/name */
	const char *project;  /* --project: name prefix (default "Epic 0") */
	int dry_run;          /* print the requests, send nothing */
	double timeout;       /* seconds for all the requests of one run */
};

/* What one run publishes (all borrowed from main). */
struct deliver_job {
	const json_t *report;   /* validated pperf.report/1 */
	const char *markdown;   /* the Markdown rendering, NUL-terminated */
	size_t md_len;
	const char *date;       /* "YYYY-MM-DD" */
	const char *title;      /* "Persistence & Performance Audit: YYYY-MM-DD" */
	int priority;           /* Linear priority: 1 urgent .. 4 low, 0 none */
};

struct deliver_res {
	int status;       /* EXIT_OK, EXIT_USAGE (missing key, unknown team or
			     repository), EXIT_NET, or EXIT_IO (out of memory) */
	char msg[1024];   /* on failure: one line naming the cause, no secret */
	char line[1024];  /* on success: "created PDS-12 https://..." */
	char *dry;        /* --dry-run: the requests as text (caller frees) */
	size_t dry_len;
	char warn[512];   /* a warning to print even on success, or "" */
};

/* Each returns res->status. */
int deliver_linear(const struct deliver_job *job, const struct deliver_opts *o,
		   struct deliver_res *res);
int deliver_github(const struct deliver_job *job, const struct deliver_opts *o,
		   struct deliver_res *res);

/* ---- fallback.c ------------------------------------------------------- */

/* Today's date (UTC) into buf[11]; SOURCE_DATE_EPOCH, when set, is "now". */
void deliver_today(char *buf, size_t len);

/* "Persistence & Performance Audit: <date>" into buf. */
void deliver_title(const char *date, char *buf, size_t len);

/* Linear priority for the worst severity of the report's findings. */
int deliver_priority(const json_t *report);

/*
 * Writes data atomically to path, or, when path is NULL, to
 * "./pperf-report-<date>.md".  The path used is copied into used.
 * 0, or -1 with errno set.
 */
int deliver_fallback(const char *path, const char *date, const char *data, size_t len,
		     char *used, size_t usedsz);

/* 1 when s is an owner/name GitHub repository ("a-b/c.d"). */
int deliver_repo_valid(const char *s);

#endif
