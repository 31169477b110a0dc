/*
 * remote: JSON over lib/http for pperf-publish's network destinations;
 * every failure becomes one line that names its cause and never carries
 * the credential (see remote.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "remote.h"

static void wipe_free(char *s)
{
	volatile char *p = s;

	while (p && *p)
		*p++ = '\0';
	free(s);
}

void remote_fail(struct remote *r, struct deliver_res *res, int status, const char *fmt, ...)
{
	char raw[1024], line[1100];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	snprintf(line, sizeof line, "%s: %s", r->service, raw);
	http_redact(r->http, line, res->msg, sizeof res->msg);
	res->status = status;
}

int remote_open(struct remote *r, const char *service, const char *key_var, const char *secret,
		const char *auth_prefix, const struct deliver_opts *o, struct deliver_res *res)
{
	struct http_opts ho = { 0 };
	struct http_err err;
	int n;

	memset(r, 0, sizeof *r);
	r->service = service;
	r->key_var = key_var;
	ho.budget = o->timeout > 0 ? o->timeout : DELIVER_DEFAULT_TIMEOUT;
	ho.connect_timeout = ho.budget < 5 ? ho.budget : 5;
	ho.max_body = 4u << 20;
	/* no request is made with --dry-run; the client still redacts */
	if (!(r->http = http_client_new(&ho, &err))) {
		snprintf(res->msg, sizeof res->msg, "%s: %s", service, err.msg);
		res->status = EXIT_NET;
		return -1;
	}
	for (n = 0; secret && secret[n]; n++)
		if ((unsigned char)secret[n] < 0x20 || secret[n] == 0x7f) {
			/* it would end the header line: refuse rather than inject */
			remote_fail(r, res, EXIT_USAGE, "%s contains control characters", key_var);
			return -1;
		}
	if (http_client_add_secret(r->http, secret) < 0 ||
	    (secret && *secret && !(r->secret = strdup(secret))))
		goto nomem;
	n = snprintf(NULL, 0, "%s%s", auth_prefix, secret ? secret : "");
	if (n < 0 || !(r->auth = malloc((size_t)n + 1)))
		goto nomem;
	snprintf(r->auth, (size_t)n + 1, "%s%s", auth_prefix, secret ? secret : "");
	if (o->dry_run) {
		size_t len;

		if (!(r->dry = open_memstream(&res->dry, &len)))
			goto nomem;
	}
	return 0;
nomem:
	remote_fail(r, res, EXIT_IO, "out of memory");
	return -1;
}

void remote_close(struct remote *r, struct deliver_res *res)
{
	if (r->dry) {
		fflush(r->dry);
		res->dry_len = (size_t)ftell(r->dry);
		fclose(r->dry);
		r->dry = NULL;
	}
	wipe_free(r->auth);
	wipe_free(r->secret);
	r->auth = r->secret = NULL;
	http_client_free(r->http);
	r->http = NULL;
}

/* text with every occurrence of secret replaced by "[REDACTED]" (caller frees). */
static char *replace_secret(const char *text, const char *secret)
{
	size_t sl = secret ? strlen(secret) : 0, n = 0, k = 0;
	const char *p;
	char *out;

	if (sl)
		for (p = text; (p = strstr(p, secret)); p += sl)
			n++;
	if (!(out = malloc(strlen(text) + n * sizeof "[REDACTED]" + 1)))
		return NULL;
	for (p = text; *p;) {
		if (sl && strncmp(p, secret, sl) == 0) {
			memcpy(out + k, "[REDACTED]", 10);
			k += 10;
			p += sl;
		} else {
			out[k++] = *p++;
		}
	}
	out[k] = '\0';
	return out;
}

/* The header lines of a request, NULL-terminated, into v[8]. */
static void headers_of(const struct remote *r, int with_body, const char **v)
{
	size_t n = 0, i;

	v[n++] = r->auth;
	if (with_body)
		v[n++] = "Content-Type: application/json";
	for (i = 0; i < 4 && r->extra[i]; i++)
		v[n++] = r->extra[i];
	v[n] = NULL;
}

/* url with any user info replaced by "[REDACTED]", into buf. */
static const char *url_shown(const char *url, char *buf, size_t len)
{
	const char *auth = strstr(url, "://"), *end, *at = NULL, *p;

	if (!auth)
		return url;
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (!at)
		return url;
	snprintf(buf, len, "%.*s[REDACTED]%s", (int)(auth - url), url, at);
	return buf;
}

void remote_print(struct remote *r, const char *method, const char *url, json_t *body,
		  const char *what)
{
	const char *hdrs[8];
	char line[2048], shown[2048];
	size_t i;

	if (!r->dry) {
		json_decref(body);
		return;
	}
	headers_of(r, body != NULL, hdrs);
	fprintf(r->dry, "# %s\n%s %s\n", what, method,
		http_redact(r->http, url_shown(url, shown, sizeof shown), line, sizeof line));
	for (i = 0; hdrs[i]; i++) {
		const char *colon = strchr(hdrs[i], ':');

		if (hdrs[i] == r->auth && colon)
			fprintf(r->dry, "%.*s: [REDACTED]\n", (int)(colon - hdrs[i]), hdrs[i]);
		else
			fprintf(r->dry, "%s\n", http_redact(r->http, hdrs[i], line, sizeof line));
	}
	if (body) {
		char *text = json_dumps(body, JSON_INDENT(2));
		/* a snippet in the report may hold the key: redact the body too */
		char *out = text ? replace_secret(text, r->secret) : NULL;

		if (out)
			fprintf(r->dry, "\n%s\n", out);
		free(out);
		free(text);
		json_decref(body);
	}
	fputc('\n', r->dry);
}

/* Failure of the transfer itself (no HTTP answer). */
static void transport_fail(struct remote *r, const struct http_err *err, const char *what,
			   struct deliver_res *res)
{
	const char *cause;

	switch (err->kind) {
	case HTTP_E_TIMEOUT: cause = "timed out"; break;
	case HTTP_E_RESOLVE:
	case HTTP_E_CONNECT: cause = "network down or service unreachable"; break;
	case HTTP_E_TLS: cause = "TLS failure"; break;
	case HTTP_E_TOOBIG: cause = "answer too large"; break;
	case HTTP_E_USAGE: cause = "bad service URL"; break;
	case HTTP_E_NOMEM: cause = "out of memory"; break;
	default: cause = "network error"; break;
	}
	remote_fail(r, res, EXIT_NET, "%s during the %s: %s", cause, what, err->msg);
}

/* 1 when a GitHub-style 403 is a rate limit (X-RateLimit-Remaining: 0). */
static int quota_spent(const struct http_response *rs)
{
	char *v = http_response_header(rs, "X-RateLimit-Remaining");
	int spent = v && strcmp(v, "0") == 0;

	free(v);
	return spent;
}

json_t *remote_json(struct remote *r, const char *method, const char *url, const json_t *body,
		    int idempotent, const char *what, long *status, struct deliver_res *res)
{
	struct http_request rq = { 0 };
	struct http_response rs;
	struct http_err err;
	const char *hdrs[8];
	char *text = NULL;
	json_error_t je;
	json_t *doc;

	*status = 0;
	if (body) {
		/* should the report quote the key, it is not sent out either */
		char *raw = json_dumps(body, JSON_COMPACT);

		text = raw ? replace_secret(raw, r->secret) : NULL;
		free(raw);
		if (!text) {
			remote_fail(r, res, EXIT_IO, "out of memory");
			return NULL;
		}
	}
	headers_of(r, body != NULL, hdrs);
	rq.method = method;
	rq.url = url;
	rq.headers = hdrs;
	rq.body = text;
	rq.body_len = text ? strlen(text) : 0;
	rq.idempotent = idempotent;
	if (http_client_request(r->http, &rq, &rs, &err) < 0) {
		free(text);
		transport_fail(r, &err, what, res);
		return NULL;
	}
	free(text);
	*status = rs.status;
	if (rs.status == 429 || (rs.status == 403 && quota_spent(&rs))) {
		if (rs.retry_after >= 0)
			remote_fail(r, res, EXIT_NET,
				    "rate limited (HTTP %ld) during the %s; retry after %.0f s",
				    rs.status, what, rs.retry_after);
		else
			remote_fail(r, res, EXIT_NET, "rate limited (HTTP %ld) during the %s",
				    rs.status, what);
		http_response_free(&rs);
		return NULL;
	}
	if (rs.status == 401 || rs.status == 403) {
		remote_fail(r, res, EXIT_NET,
			    "authentication failed (HTTP %ld) during the %s: check %s", rs.status,
			    what, r->key_var);
		http_response_free(&rs);
		return NULL;
	}
	if (rs.status >= 500) {
		remote_fail(r, res, EXIT_NET, "server error (HTTP %ld) during the %s%s", rs.status,
			    what, rs.attempts > 1 ? " (after retries)" : "");
		http_response_free(&rs);
		return NULL;
	}
	doc = json_loadb(rs.body, rs.len, JSON_REJECT_DUPLICATES, &je);
	if (!doc || (rs.status >= 300 && !json_is_object(doc))) {
		if (rs.status >= 300)
			remote_fail(r, res, EXIT_NET, "unexpected HTTP %ld during the %s", rs.status,
				    what);
		else
			remote_fail(r, res, EXIT_NET,
				    "malformed JSON in the answer to the %s: %s (line %d, column %d)",
				    what, je.text, je.line, je.column);
		json_decref(doc);
		http_response_free(&rs);
		return NULL;
	}
	http_response_free(&rs);
	return doc;
}
