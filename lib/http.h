/*
 * http: the one libcurl wrapper of pperf (publish, research).
 *
 * A client holds one curl handle (connections are reused) and one time
 * budget: every request it makes, retries and waits included, ends before
 * the budget is spent.  Each request:
 *   - sends "User-Agent: pperf/<version>", the caller's headers and an
 *     optional body (no "Expect: 100-continue" round trip);
 *   - keeps TLS verification on (peer and host, always; there is no knob);
 *   - allows only http:// and https:// URLs and follows no redirect unless
 *     asked (max_redirects), never to another protocol;
 *   - uses the proxy variables libcurl itself reads (http_proxy,
 *     https_proxy, ALL_PROXY, NO_PROXY; lowercase http_proxy only);
 *   - caps the response body (max_body) and aborts past it;
 *   - retries, with exponential backoff, on 429 (always) and on 5xx when
 *     the request is idempotent, at most `retries` times, honouring a
 *     Retry-After header (seconds or HTTP date) capped at retry_after_max;
 *     a wait that would not fit in the budget is not made: the last
 *     response is returned instead.
 *
 * Errors fill struct http_err with a one-line message that never contains
 * a secret: URLs are shown without user info and query, and every string
 * registered with http_client_add_secret() is replaced by "[REDACTED]" in
 * messages built from remote text.  Nothing here prints or exits.
 */
#ifndef PPERF_HTTP_H
#define PPERF_HTTP_H

#include <stddef.h>

/* Why a request gave no usable response. */
enum http_errkind {
	HTTP_E_NONE = 0,
	HTTP_E_USAGE,   /* bad URL or unsupported protocol */
	HTTP_E_RESOLVE, /* host name (or proxy) not found */
	HTTP_E_CONNECT, /* connection refused or unreachable: network down */
	HTTP_E_TIMEOUT, /* the attempt or the client's budget ran out */
	HTTP_E_TLS,     /* certificate or handshake failure */
	HTTP_E_TOOBIG,  /* the response body went past max_body */
	HTTP_E_NOMEM,
	HTTP_E_OTHER    /* any other transfer failure */
};

struct http_err {
	enum http_errkind kind;
	char msg[512]; /* one line, no secret, for example
			  "POST https://api.linear.app/graphql: timed out after 2.0 s" */
};

/* Client settings; zero fields take the defaults given. */
struct http_opts {
	double connect_timeout; /* seconds per connection (default 5) */
	double request_timeout; /* seconds per attempt (default: the budget) */
	double budget;          /* seconds for everything the client does (default 30) */
	int retries;            /* extra attempts on 429/5xx (default 2; -1: none) */
	double backoff;         /* first backoff in seconds, doubled each time (default 0.5) */
	double retry_after_max; /* cap on a Retry-After wait (default 10) */
	size_t max_body;        /* response body cap in bytes (default 8 MiB) */
	int max_redirects;      /* redirects followed (default 0: none) */
};

struct http_request {
	const char *method;   /* "GET", "POST", "PATCH", ... (NULL: GET, or POST with a body) */
	const char *url;      /* http:// or https:// */
	const char *const *headers; /* NULL-terminated "Name: value" lines, or NULL */
	const char *body;     /* request body or NULL */
	size_t body_len;
	int idempotent;       /* 1: a 5xx answer may be retried (GET is always) */
};

struct http_response {
	long status;          /* HTTP status of the last attempt */
	char *body;           /* NUL-terminated; caller frees with http_response_free */
	size_t len;
	char *headers;        /* raw header lines of the last attempt */
	int attempts;         /* attempts made (1 without retry) */
	double retry_after;   /* the last Retry-After in seconds, -1 when none */
};

struct http_client;

/*
 * A new client (caller frees with http_client_free); its budget starts
 * now.  o may be NULL for the defaults.  NULL with *err filled on failure.
 */
struct http_client *http_client_new(const struct http_opts *o, struct http_err *err);
void http_client_free(struct http_client *c);

/*
 * Registers a secret (copied) to be redacted from every message of c.
 * Empty or NULL strings are ignored.  0, or -1 on allocation failure.
 */
int http_client_add_secret(struct http_client *c, const char *secret);

/* Seconds left in c's budget (never below 0). */
double http_client_remaining(const struct http_client *c);

/*
 * Makes the request (with retries).  Returns 0 when a response arrived,
 * whatever its status (the caller judges rs->status; after retries a 429
 * or 5xx is returned as is), or -1 with *err filled and *rs empty.
 * *rs is always initialised; free it with http_response_free().
 */
int http_client_request(struct http_client *c, const struct http_request *rq,
			struct http_response *rs, struct http_err *err);

void http_response_free(struct http_response *rs);

/*
 * The value of header name (case-insensitive) in rs's last response, as a
 * new string without surrounding blanks (caller frees), or NULL.
 */
char *http_response_header(const struct http_response *rs, const char *name);

/*
 * Copies s into out (size outsz, always NUL-terminated), replacing every
 * occurrence of each secret of c by "[REDACTED]" and control characters by
 * '?'.  c may be NULL (then only control characters).  Returns out.
 */
char *http_redact(const struct http_client *c, const char *s, char *out, size_t outsz);

/*
 * url without user info, query and fragment ("https://h/p?k=v" ->
 * "https://h/p"), into out.  Returns out.
 */
char *http_url_for_display(const char *url, char *out, size_t outsz);

/*
 * Seconds to wait for a Retry-After value: delta-seconds or an HTTP date
 * (relative to now, a time(NULL) value).  -1 when unparsable; 0 for a past
 * date.
 */
double http_parse_retry_after(const char *value, long now);

/* "pperf/<version>" */
const char *http_user_agent(void);

#endif
