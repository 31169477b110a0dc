/*
 * remote: JSON requests for the network destinations of pperf-publish
 * (linear.c, github.c) on top of lib/http.
 *
 * A struct remote holds the HTTP client (one time budget for the run), the
 * credential header (kept out of every message and of --dry-run output)
 * and the service name used in messages ("linear", "github").
 */
#ifndef PPERF_PUBLISH_REMOTE_H
#define PPERF_PUBLISH_REMOTE_H

#include <stdio.h>
#include <jansson.h>

#include "http.h"
#include "deliver.h"

struct remote {
	const char *service;      /* "linear" or "github" */
	const char *key_var;      /* "LINEAR_API_KEY": named in auth failures */
	struct http_client *http; /* NULL with --dry-run */
	char *auth;               /* "Authorization: ..." header (owned, wiped on close) */
	char *secret;             /* the credential (owned, wiped on close) or NULL */
	const char *extra[4];     /* further headers, NULL-terminated */
	FILE *dry;                /* --dry-run output, or NULL */
};

/*
 * Sets r up: for a live run an HTTP client with o->timeout as its budget
 * and the secret registered for redaction; for --dry-run a memory stream
 * for the printed requests.  The credential header is auth_prefix
 * followed by the secret ("Authorization: Bearer ").  0, or -1 with res
 * filled.
 */
int remote_open(struct remote *r, const char *service, const char *key_var, const char *secret,
		const char *auth_prefix, const struct deliver_opts *o, struct deliver_res *res);

/* Frees r; with --dry-run moves the printed text into res->dry. */
void remote_close(struct remote *r, struct deliver_res *res);

/*
 * Sends method url with body (borrowed; NULL for none) as JSON and parses
 * the answer.  what names the request in messages ("team lookup").
 * Returns the answer's JSON (new reference) and its HTTP status in
 * *status for a 2xx answer and for a 4xx answer with a JSON body other
 * than 401, 403 and 429 (the caller reads the service's error from it);
 * else NULL with res filled (status EXIT_NET, message naming the cause:
 * network down, timeout, authentication, rate limit, server error,
 * malformed JSON).
 */
json_t *remote_json(struct remote *r, const char *method, const char *url, const json_t *body,
		    int idempotent, const char *what, long *status, struct deliver_res *res);

/*
 * --dry-run: prints "# what" then the request as it would be sent, the
 * credential replaced by [REDACTED], into r->dry.  Steals body (may be NULL).
 */
void remote_print(struct remote *r, const char *method, const char *url, json_t *body,
		  const char *what);

/* Fills res with status and a message prefixed by the service name, redacted. */
void remote_fail(struct remote *r, struct deliver_res *res, int status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
