/*
 * http: requests through libcurl with a time budget, bounded retries,
 * a response cap and messages without secrets (see http.h).
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "http.h"
#include "banned.h"

#ifndef PPERF_VERSION
#define PPERF_VERSION "0.0.0"
#endif

#define HEADERS_MAX (64 * 1024)
#define REDACTED "[REDACTED]"

struct http_client {
	CURL *h;
	struct http_opts o;
	double deadline; /* monotonic seconds */
	char **secrets;
	size_t nsecrets;
};

/* What one attempt collects. */
struct sink {
	char *body;
	size_t len, cap, max;
	int toobig;
	char *hdr;
	size_t hlen;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *http_user_agent(void)
{
	return "pperf/" PPERF_VERSION;
}

static void set_err(struct http_err *err, enum http_errkind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(struct http_err *err, enum http_errkind kind, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->kind = kind;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
}

struct http_client *http_client_new(const struct http_opts *o, struct http_err *err)
{
	struct http_client *c;

	if (err) {
		err->kind = HTTP_E_NONE;
		err->msg[0] = '\0';
	}
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK) {
		set_err(err, HTTP_E_OTHER, "cannot initialise libcurl: %s", curl_easy_strerror(global_rc));
		return NULL;
	}
	c = calloc(1, sizeof *c);
	if (!c || !(c->h = curl_easy_init())) {
		free(c);
		set_err(err, HTTP_E_NOMEM, "cannot initialise libcurl: out of memory");
		return NULL;
	}
	if (o)
		c->o = *o;
	if (c->o.connect_timeout <= 0)
		c->o.connect_timeout = 5;
	if (c->o.budget <= 0)
		c->o.budget = 30;
	if (c->o.retries == 0)
		c->o.retries = 2;
	else if (c->o.retries < 0)
		c->o.retries = 0;
	if (c->o.backoff <= 0)
		c->o.backoff = 0.5;
	if (c->o.retry_after_max <= 0)
		c->o.retry_after_max = 10;
	if (c->o.max_body == 0)
		c->o.max_body = 8u << 20;
	if (c->o.max_redirects < 0)
		c->o.max_redirects = 0;
	c->deadline = now_mono() + c->o.budget;
	return c;
}

void http_client_free(struct http_client *c)
{
	size_t i;

	if (!c)
		return;
	curl_easy_cleanup(c->h);
	for (i = 0; i < c->nsecrets; i++) {
		/* wipe the copy before giving the memory back */
		volatile char *p = c->secrets[i];

		while (*p)
			*p++ = '\0';
		free(c->secrets[i]);
	}
	free(c->secrets);
	free(c);
}

int http_client_add_secret(struct http_client *c, const char *secret)
{
	char **v;

	if (!c || !secret || !*secret)
		return 0;
	v = realloc(c->secrets, (c->nsecrets + 1) * sizeof *v);
	if (!v)
		return -1;
	c->secrets = v;
	if (!(v[c->nsecrets] = strdup(secret)))
		return -1;
	c->nsecrets++;
	return 0;
}

double http_client_remaining(const struct http_client *c)
{
	double r = c->deadline - now_mono();

	return r > 0 ? r : 0;
}

char *http_redact(const struct http_client *c, const char *s, char *out, size_t outsz)
{
	size_t k = 0, i;

	if (!outsz)
		return out;
	while (s && *s && k + 1 < outsz) {
		const char *hit = NULL;

		for (i = 0; c && i < c->nsecrets && !hit; i++)
			if (strncmp(s, c->secrets[i], strlen(c->secrets[i])) == 0)
				hit = c->secrets[i];
		if (hit) {
			size_t n = strlen(REDACTED);

			if (k + n >= outsz)
				break;
			memcpy(out + k, REDACTED, n);
			k += n;
			s += strlen(hit);
			continue;
		}
		out[k++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
		s++;
	}
	out[k] = '\0';
	return out;
}

char *http_url_for_display(const char *url, char *out, size_t outsz)
{
	const char *scheme_end = strstr(url, "://"), *auth, *end, *at;
	size_t k = 0, n;

	if (!outsz)
		return out;
	out[0] = '\0';
	auth = scheme_end ? scheme_end + 3 : url;
	n = (size_t)(auth - url);
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, url, n);
	k = n;
	end = auth + strcspn(auth, "/?#");
	/* user info ends at the last '@' of the authority */
	at = NULL;
	for (const char *p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at)
		auth = at + 1;
	n = strcspn(auth, "?#");
	if (k + n >= outsz)
		n = outsz - 1 - k;
	memcpy(out + k, auth, n);
	out[k + n] = '\0';
	return out;
}

double http_parse_retry_after(const char *value, long now)
{
	const char *p = value;
	double secs = 0;
	time_t t;

	if (!value)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (isdigit((unsigned char)*p)) {
		while (isdigit((unsigned char)*p)) {
			secs = secs * 10 + (*p - '0');
			if (secs > 1e9)
				secs = 1e9;
			p++;
		}
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		return *p ? -1 : secs;
	}
	t = curl_getdate(p, NULL);
	if (t == (time_t)-1)
		return -1;
	return (long)t > now ? (double)((long)t - now) : 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;

	if (n > s->max - s->len) {
		s->toobig = 1;
		return 0;
	}
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		char *b;

		while (cap < s->len + n + 1)
			cap *= 2;
		if (!(b = realloc(s->body, cap)))
			return 0;
		s->body = b;
		s->cap = cap;
	}
	memcpy(s->body + s->len, data, n);
	s->len += n;
	s->body[s->len] = '\0';
	return n;
}

/* Keeps the header lines of the last response only (after 100 or a redirect). */
static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;
	char *b;

	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0)
		s->hlen = 0;
	if (s->hlen + n + 1 > HEADERS_MAX)
		return n; /* drop what does not fit, keep the transfer going */
	if (!(b = realloc(s->hdr, s->hlen + n + 1)))
		return 0;
	s->hdr = b;
	memcpy(s->hdr + s->hlen, data, n);
	s->hlen += n;
	s->hdr[s->hlen] = '\0';
	return n;
}

char *http_response_header(const struct http_response *rs, const char *name)
{
	const char *p = rs ? rs->headers : NULL;
	size_t nl = strlen(name);

	while (p && *p) {
		const char *eol = p + strcspn(p, "\r\n");

		if ((size_t)(eol - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1, *e = eol;

			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			return strndup(v, (size_t)(e - v));
		}
		p = eol;
		while (*p == '\r' || *p == '\n')
			p++;
	}
	return NULL;
}

void http_response_free(struct http_response *rs)
{
	if (!rs)
		return;
	free(rs->body);
	free(rs->headers);
	rs->body = rs->headers = NULL;
	rs->len = 0;
}

static enum http_errkind kind_of(CURLcode rc, int toobig)
{
	if (toobig)
		return HTTP_E_TOOBIG;
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return HTTP_E_USAGE;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return HTTP_E_RESOLVE;
	case CURLE_COULDNT_CONNECT:
		return HTTP_E_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return HTTP_E_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return HTTP_E_TLS;
	case CURLE_FILESIZE_EXCEEDED:
		return HTTP_E_TOOBIG;
	case CURLE_OUT_OF_MEMORY:
		return HTTP_E_NOMEM;
	default:
		return HTTP_E_OTHER;
	}
}

static const char *kind_text(enum http_errkind k)
{
	switch (k) {
	case HTTP_E_USAGE: return "bad URL";
	case HTTP_E_RESOLVE: return "cannot resolve the host";
	case HTTP_E_CONNECT: return "cannot connect";
	case HTTP_E_TLS: return "TLS failure";
	case HTTP_E_NOMEM: return "out of memory";
	default: return "transfer failed";
	}
}

static int is_idempotent(const struct http_request *rq, const char *method)
{
	return rq->idempotent || strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

/* Sets the options of one attempt on c->h.  0 or a CURLcode. */
static CURLcode setup(struct http_client *c, const struct http_request *rq, const char *method,
		      struct curl_slist *hdrs, struct sink *s, char *errbuf, double timeout)
{
	CURL *h = c->h;
	CURLcode rc = CURLE_OK;
	long ms = (long)(timeout * 1000) > 0 ? (long)(timeout * 1000) : 1;
	long cms = (long)(c->o.connect_timeout * 1000);

	if (cms > ms)
		cms = ms;
	if (cms < 1)
		cms = 1;
	curl_easy_reset(h);
#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(h, opt, val); } while (0)
	SET(CURLOPT_URL, rq->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	SET(CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_USERAGENT, http_user_agent());
	SET(CURLOPT_HTTPHEADER, hdrs);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_FOLLOWLOCATION, c->o.max_redirects > 0 ? 1L : 0L);
	SET(CURLOPT_MAXREDIRS, (long)c->o.max_redirects);
	SET(CURLOPT_CONNECTTIMEOUT_MS, cms);
	SET(CURLOPT_TIMEOUT_MS, ms);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->o.max_body);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, s);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, s);
	SET(CURLOPT_ERRORBUFFER, errbuf);
	if (rq->body) {
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
		SET(CURLOPT_POSTFIELDS, rq->body);
	}
	if (strcmp(method, "GET") == 0) {
		if (rq->body)
			SET(CURLOPT_CUSTOMREQUEST, "GET");
	} else if (strcmp(method, "POST") != 0 || !rq->body) {
		if (strcmp(method, "HEAD") == 0)
			SET(CURLOPT_NOBODY, 1L);
		else
			SET(CURLOPT_CUSTOMREQUEST, method);
	}
#undef SET
	return rc;
}

/* The request's headers plus "Expect:" (no 100-continue).  NULL on ENOMEM. */
static struct curl_slist *build_headers(const struct http_request *rq)
{
	struct curl_slist *l = NULL, *t;
	size_t i;

	for (i = 0; rq->headers && rq->headers[i]; i++) {
		if (!(t = curl_slist_append(l, rq->headers[i])))
			goto fail;
		l = t;
	}
	if (!(t = curl_slist_append(l, "Expect:")))
		goto fail;
	return t;
fail:
	curl_slist_free_all(l);
	return NULL;
}

static void sleep_for(double secs)
{
	struct timespec ts;

	if (secs <= 0)
		return;
	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The wait before attempt n+1 after response rs, or -1 for no retry. */
static double retry_wait(const struct http_client *c, const struct http_request *rq,
			 const char *method, const struct http_response *rs, int attempt)
{
	double wait;
	int i;

	if (attempt > c->o.retries)
		return -1;
	if (rs->status != 429 && !(rs->status >= 500 && rs->status <= 599 && is_idempotent(rq, method)))
		return -1;
	if (rs->retry_after >= 0) {
		wait = rs->retry_after;
		if (wait > c->o.retry_after_max)
			wait = c->o.retry_after_max;
	} else {
		wait = c->o.backoff;
		for (i = 1; i < attempt; i++)
			wait *= 2;
	}
	/* a wait that leaves no time for the next attempt is not worth making */
	if (wait + 0.05 >= http_client_remaining(c))
		return -1;
	return wait;
}

/* One transfer into rs.  0, or -1 with *err set. */
static int attempt_once(struct http_client *c, const struct http_request *rq, const char *method,
			struct curl_slist *hdrs, struct http_response *rs, struct http_err *err)
{
	char errbuf[CURL_ERROR_SIZE], raw[256], shown[256], clean[CURL_ERROR_SIZE + 32];
	struct sink s = { NULL, 0, 0, c->o.max_body, 0, NULL, 0 };
	double left = http_client_remaining(c), timeout;
	CURLcode rc;
	enum http_errkind k;
	char *ra;

	http_url_for_display(rq->url, raw, sizeof raw);
	http_redact(c, raw, shown, sizeof shown);
	if (left < 0.05) {   /* less than curl can use: spent */
		set_err(err, HTTP_E_TIMEOUT, "%s %s: time budget of %.1f s spent", method, shown,
			c->o.budget);
		return -1;
	}
	timeout = c->o.request_timeout > 0 && c->o.request_timeout < left ? c->o.request_timeout : left;
	errbuf[0] = '\0';
	rc = setup(c, rq, method, hdrs, &s, errbuf, timeout);
	if (rc == CURLE_OK)
		rc = curl_easy_perform(c->h);
	if (rc != CURLE_OK || s.toobig) {
		k = kind_of(rc, s.toobig);
		if (k == HTTP_E_TIMEOUT)
			set_err(err, k, "%s %s: timed out after %.1f s", method, shown, timeout);
		else if (k == HTTP_E_TOOBIG)
			set_err(err, k, "%s %s: response larger than %zu bytes", method, shown,
				c->o.max_body);
		else {
			http_redact(c, errbuf[0] ? errbuf : curl_easy_strerror(rc), clean, sizeof clean);
			set_err(err, k, "%s %s: %s (%s)", method, shown, kind_text(k), clean);
		}
		free(s.body);
		free(s.hdr);
		return -1;
	}
	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &rs->status);
	if (!s.body && !(s.body = calloc(1, 1))) {
		free(s.hdr);
		set_err(err, HTTP_E_NOMEM, "%s %s: out of memory", method, shown);
		return -1;
	}
	rs->body = s.body;
	rs->len = s.len;
	rs->headers = s.hdr;
	ra = http_response_header(rs, "Retry-After");
	rs->retry_after = http_parse_retry_after(ra, (long)time(NULL));
	free(ra);
	return 0;
}

int http_client_request(struct http_client *c, const struct http_request *rq,
			struct http_response *rs, struct http_err *err)
{
	const char *method = rq->method ? rq->method : rq->body ? "POST" : "GET";
	struct curl_slist *hdrs;
	int attempt = 0;
	double wait;

	memset(rs, 0, sizeof *rs);
	rs->retry_after = -1;
	if (err) {
		err->kind = HTTP_E_NONE;
		err->msg[0] = '\0';
	}
	if (!rq->url || (strncasecmp(rq->url, "http://", 7) != 0 &&
			 strncasecmp(rq->url, "https://", 8) != 0)) {
		char raw[256], shown[256];

		http_url_for_display(rq->url ? rq->url : "", raw, sizeof raw);
		set_err(err, HTTP_E_USAGE, "unsupported URL '%s': only http:// and https:// are allowed",
			http_redact(c, raw, shown, sizeof shown));
		return -1;
	}
	if (!(hdrs = build_headers(rq))) {
		set_err(err, HTTP_E_NOMEM, "out of memory");
		return -1;
	}
	for (;;) {
		attempt++;
		if (attempt_once(c, rq, method, hdrs, rs, err) < 0) {
			http_response_free(rs);
			curl_slist_free_all(hdrs);
			return -1;
		}
		rs->attempts = attempt;
		if ((wait = retry_wait(c, rq, method, rs, attempt)) < 0)
			break;
		http_response_free(rs);
		sleep_for(wait);
	}
	curl_slist_free_all(hdrs);
	return 0;
}
