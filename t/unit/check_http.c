/*
 * Unit tests for lib/http.c against a tiny HTTP server forked on
 * 127.0.0.1 for each test: canned answers (one per connection), a log of
 * the raw requests it got, optional delays.  Covers the User-Agent and
 * body, retries on 429 (Retry-After honoured and capped, skipped when it
 * would not fit the budget) and on 5xx (idempotent requests only),
 * timeouts, the response cap, refused connections, URL schemes, proxy
 * variables, redaction of secrets and the pure helpers.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <check.h>

#include "http.h"

struct canned {
	const char *status_line; /* "200 OK" */
	const char *headers;     /* extra header lines, each ending in \r\n, or NULL */
	const char *body;
	double delay;            /* seconds before answering */
};

struct srv {
	pid_t pid;
	int port;
	char log[64];
};

static void no_proxies(void)
{
	static const char *const vars[] = { "http_proxy", "https_proxy", "HTTPS_PROXY",
					    "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY" };
	size_t i;

	for (i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads one request (headers and Content-Length body) and appends it to log. */
static void take_request(int fd, FILE *log)
{
	char buf[65536];
	size_t len = 0;
	char *end = NULL, *cl;
	long want = 0;

	while (len < sizeof buf - 1) {
		ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);

		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if ((unsigned char)buf[0] == 0x16)
			break; /* a TLS ClientHello: answer in plain HTTP at once */
		if (!end && (end = strstr(buf, "\r\n\r\n"))) {
			cl = strstr(buf, "\r\nContent-Length:");
			if (cl && cl < end)
				want = atol(cl + 17);
		}
		if (end && (long)(len - (size_t)(end + 4 - buf)) >= want)
			break;
	}
	buf[len] = '\0';
	fprintf(log, "%s\n=====\n", buf);
	fflush(log);
}

static void child(int lfd, const struct canned *c, size_t n, const char *logpath)
{
	FILE *log = fopen(logpath, "a");
	size_t i;

	for (i = 0; log && i < n; i++) {
		int fd = accept(lfd, NULL, NULL);
		char head[1024];
		int hn;

		if (fd < 0)
			_exit(1);
		take_request(fd, log);
		if (c[i].delay > 0)
			usleep((useconds_t)(c[i].delay * 1e6));
		hn = snprintf(head, sizeof head,
			      "HTTP/1.1 %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n",
			      c[i].status_line, strlen(c[i].body), c[i].headers ? c[i].headers : "");
		if (write(fd, head, (size_t)hn) < 0 || write(fd, c[i].body, strlen(c[i].body)) < 0) {
			/* the client went away (timeout tests): go on */
		}
		close(fd);
	}
	_exit(0);
}

static int listen_any(int *port)
{
	struct sockaddr_in a;
	socklen_t al = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void srv_start(struct srv *s, const struct canned *c, size_t n)
{
	int lfd = listen_any(&s->port);

	no_proxies();
	snprintf(s->log, sizeof s->log, "/tmp/pperf-http-%d.log", (int)getpid());
	unlink(s->log);
	s->pid = fork();
	ck_assert_int_ge(s->pid, 0);
	if (s->pid == 0)
		child(lfd, c, n, s->log);
	close(lfd);
}

/* The request log (caller frees). */
static char *srv_log(const struct srv *s)
{
	FILE *fp = fopen(s->log, "r");
	char *buf = calloc(1, 262144);
	size_t n;

	ck_assert_ptr_nonnull(buf);
	if (fp) {
		n = fread(buf, 1, 262143, fp);
		buf[n] = '\0';
		fclose(fp);
	}
	return buf;
}

static void srv_stop(struct srv *s)
{
	/* SIGKILL: the child inherited Check's SIGTERM handler */
	kill(s->pid, SIGKILL);
	waitpid(s->pid, NULL, 0);
	unlink(s->log);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static struct http_client *client(double budget, int retries, double backoff)
{
	struct http_opts o = { 0 };
	struct http_err err;
	struct http_client *c;

	o.budget = budget;
	o.retries = retries;
	o.backoff = backoff;
	o.connect_timeout = 1;
	c = http_client_new(&o, &err);
	ck_assert_msg(c != NULL, "%s", err.msg);
	return c;
}

/* ---- success paths ----------------------------------------------------- */

START_TEST(test_get_ok)
{
	static const struct canned c[] = { { "200 OK", "X-Thing:  spaced value \r\n", "{\"ok\":true}", 0 } };
	struct srv s;
	struct http_client *cl;
	struct http_response rs;
	struct http_err err;
	struct http_request rq = { 0 };
	char url[128], *log, *h;
	const char *hdrs[] = { "Accept: application/json", NULL };

	srv_start(&s, c, 1);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/path?q=1", s.port);
	rq.url = url;
	rq.headers = hdrs;
	cl = client(5, 0, 0);
	ck_assert_int_eq(http_client_request(cl, &rq, &rs, &err), 0);
	ck_assert_int_eq(rs.status, 200);
	ck_assert_str_eq(rs.body, "{\"ok\":true}");
	ck_assert_uint_eq(rs.len, 11);
	ck_assert_int_eq(rs.attempts, 1);
	h = http_response_header(&rs, "x-thing");
	ck_assert_str_eq(h, "spaced value");
	free(h);
	ck_assert_ptr_null(http_response_header(&rs, "X-Missing"));
	log = srv_log(&s);
	ck_assert_msg(strstr(log, "GET /path?q=1 HTTP/1.1\r\n") != NULL, "%s", log);
	ck_assert_msg(strstr(log, "\r\nUser-Agent: pperf/" PPERF_VERSION "\r\n") != NULL, "%s", log);
	ck_assert_msg(strstr(log, "\r\nAccept: application/json\r\n") != NULL, "%s", log);
	free(log);
	http_response_free(&rs);
	http_client_free(cl);
	srv_stop(&s);
}
END_TEST

START_TEST(test_post_body)
{
	static const struct canned c[] = { { "201 Created", NULL, "{}", 0 } };
	struct srv s;
	struct http_client *cl;
	struct http_response rs;
	struct http_err err;
	struct http_request rq = { 0 };
	char url[128], *log, body[3000];
	const char *hdrs[] = { "Content-Type: application/json", NULL };

	/* long enough that curl would otherwise send Expect: 100-continue */
	memset(body, 'x', sizeof body - 1);
	body[0] = '"';
	body[sizeof body - 2] = '"';
	body[sizeof body - 1] = '\0';
	srv_start(&s, c, 1);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/graphql", s.port);
	rq.url = url;
	rq.headers = hdrs;
	rq.body = body;
	rq.body_len = strlen(body);
	cl = client(5, 0, 0);
	ck_assert_int_eq(http_client_request(cl, &rq, &rs, &err), 0);
	ck_assert_int_eq(rs.status, 201);
	log = srv_log(&s);
	ck_assert_msg(strstr(log, "POST /graphql HTTP/1.1\r\n") != NULL, "%s", log);
	ck_assert_msg(strstr(log, "Content-Length: 2999\r\n") != NULL, "%s", log);
	ck_assert_msg(strstr(log, body) != NULL, "body not sent");
	ck_assert_msg(strstr(log, "Expect:") == NULL, "%s", log);
	free(log);
	http_response_free(&rs);
	http_client_free(cl);
	srv_stop(&s);
}
END_TEST

START_TEST(test_patch_method)
{
	static const struct canned c[] = { { "200 OK", NULL, "{}", 0 } };
	struct srv s;
	struct http_client *cl;
	struct http_response rs;
	struct http_err err;
	struct http_request rq = { 0 };
	char url[128], *log;

	srv_start(&s, c, 1);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/issues/7", s.port);
	rq.url = url;
	rq.method = "PATCH";
	rq.body = "{\"body\":\"b\"}";
	rq.body_len = strlen(rq.body);
	cl = client(5, 0, 0);
	ck_assert_int_eq(http_client_request(cl, &rq, &rs, &err), 0);
	log = srv_log(&s);
	ck_assert_msg(strstr(log, "PATCH /issues/7 HTTP/1.1\r\n") != NULL, "%s", log);
	ck_assert_msg(strstr(log, "{\"body\":\"b\"}") != NULL, "%s", log);
	free(log);
	http_response_free(&rs);
	http_client_free(cl);
	srv_stop(&s);
}
END_TEST

/* ---- retries ----------------------------------------------------------- */

START_TEST(test_429_retry_after)
{
	static const struct canned c[] = {
		{ "429 Too Many Requests", "Retry-After: 1\r\n", "{\"error\":\"slow down\"}", 0 },
		{ "200 OK", NULL, "{\"ok\":1}", 0 },
	};
	struct srv s;
	struct http_client *cl;
	struct http_response rs;
	struct http_err err;
	struct http_request rq = { 0 };
	char url[128], *log;
	double t0;

	srv_start(&s, c, 2);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/graphql", s.port);
	rq.url = url;
	rq.body = "{}";
	rq.body_len = 2;
	cl = client(5, 2, 0.01);
	t0 = now_s();
	/* a 429 is retried even for a request that is not idempotent */
	ck_assert_int_eq(http_client_request(cl, &rq, &rs, &err), 0);
	ck_assert_int_eq(rs.status, 200);
	ck_assert_int_eq(rs.attempts, 2);
	ck_assert_msg(now_s() - t0 >= 0.9, "Retry-After not honoured");
	log = srv_log(&s);
	ck_assert_int_eq(count(log, "POST /graphql"), 2);
	free(log);
	http_response_free(&rs);
	http_client_free(cl);
	srv_stop(&s);
}
END_TEST

START_TEST(test_429_retry_after_capped)
{
	static const struct canned c[] = {
		{ "429 Too Many Requests", "Retry-After: 3600\r\n", "{}", 0 },
		{ "200 OK", NULL, "{}", 0 },
	};
	struct srv s;
	struct http_opts o = { 0 };
	struct http_client *cl;
	struct http_response rs;
	struct http_err err;
	struct http_request rq = { 0 };
	char url[128];
	double t0;

	srv_start(&s, c, 2);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/x", s.port);
	rq.url = url;
	o.budget = 5;
	o.retry_after_max = 0.2;
	cl = http_client_new(&o, &err);
	t0 = now_s();
	ck_assert_int_eq(http_client_request(cl, &rq, &rs, &err), 0);
	ck_assert_int_eq(rs.status, 200);
	ck_assert_int_eq(rs.attempts, 2);
	ck_assert_msg(now_s() - t0 < 2, "cap not applied");
	http_response_free(&rs);
	http_client_free(cl);
	srv_stop(&s);
}
END_TEST

START_TEST(test_429_beyond_budget)
{
	static const struct canned c[] = {
		{ "429 Too Many Requests", "Retry-After: 8\r\n", "{\"e\":1}", 0 },
	};
	struct srv s;
	struct http_client *cl;
	struct http_response rs;
	struct http_err err;
	struct http_request rq = { 0 };
	char url[128];
	double t0;

	srv_start(&s, c, 1);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/x", s.port);
	rq.url = url;
	cl = client(1.5, 3, 0.01);
	t0 = now_s();
	ck_assert_int_eq(http_client_request(cl, &rq, &rs, &err), 0);
	ck_assert_int_eq(rs.status, 429);
	ck_assert_int_eq(rs.attempts, 1);
	ck_assert(rs.retry_after > 7 && rs.retry_after < 9);
	ck_assert_msg(now_s() - t0 < 1, "waited although the wait did not fit");
	http_response_free(&rs);
	http_client_free(cl);
	srv_stop(&s);
}
END_TEST

START_TEST(test_5xx_idempotent_retried)
{
	static const struct canned c[] = {
		{ "500 Internal Server Error", NULL, "oops", 0 },
		{ "503 Service Unavailable", NULL, "busy", 0 },
		{ "200 OK", NULL, "fine", 0 },
	};
	struct srv s;
	struct http_client *cl;
	struct http_response rs;
	struct http_err err;
	struct http_request rq = { 0 };
	char url[128];

	srv_start(&s, c, 3);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/x", s.port);
	rq.url = url;
	cl = client(5, 2, 0.01);
	ck_assert_int_eq(http_client_request(cl, &rq, &rs, &err), 0);
	ck_assert_int_eq(rs.status, 200);
	ck_assert_int_eq(rs.attempts, 3);
	ck_assert_str_eq(rs.body, "fine");
	http_response_free(&rs);
	http_client_free(cl);
	srv_stop(&s);
}
END_TEST

START_TEST(test_5xx_retries_bounded)
{
	static const struct canned c[] = {
		{ "500 Internal Server Error", NULL, "a", 0 },
		{ "500 Internal Server Error", NULL, "b", 0 },
		{ "200 OK", NULL, "never reached", 0 },
	};
	struct srv s;
	struct http_client *cl;
	struct http_response rs;
	struct http_err err;
	struct http_request rq = { 0 };
	char url[128];

	srv_start(&s, c, 3);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/x", s.port);
	rq.url = url;
	rq.body = "{}";
	rq.body_len = 2;
	rq.idempotent = 1;
	cl = client(5, 1, 0.01);
	ck_assert_int_eq(http_client_request(cl, &rq, &rs, &err), 0);
	ck_assert_int_eq(rs.status, 500);
	ck_assert_int_eq(rs.attempts, 2);
	ck_assert_str_eq(rs.body, "b");
	http_response_free(&rs);
	http_client_free(cl);
	srv_stop(&s);
}
END_TEST

START_TEST(test_5xx_not_idempotent)
{
	static const struct canned c[] = {
		{ "500 Internal Server Error", NULL, "{\"errors\":[]}", 0 },
		{ "200 OK", NULL, "must not be asked", 0 },
	};
	struct srv s;
	struct http_client *cl;
	struct http_response rs;
	struct http_err err;
	struct http_request rq = { 0 };
	char url[128], *log;

	srv_start(&s, c, 2);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/graphql", s.port);
	rq.url = url;
	rq.body = "{\"query\":\"mutation\"}";
	rq.body_len = strlen(rq.body);
	cl = client(5, 2, 0.01);
	ck_assert_int_eq(http_client_request(cl, &rq, &rs, &err), 0);
	ck_assert_int_eq(rs.status, 500);
	ck_assert_int_eq(rs.attempts, 1);
	log = srv_log(&s);
	ck_assert_int_eq(count(log, "POST /graphql"), 1);
	free(log);
	http_response_free(&rs);
	http_client_free(cl);
	srv_stop(&s);
}
END_TEST

/* ---- failures ---------------------------------------------------------- */

START_TEST(test_timeout)
{
	static const struct canned c[] = { { "200 OK", NULL, "late", 3 } };
	struct srv s;
	struct http_opts o = { 0 };
	struct http_client *cl;
	struct http_response rs;
	struct http_err err;
	struct http_request rq = { 0 };
	char url[128];
	double t0;

	srv_start(&s, c, 1);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/slow", s.port);
	rq.url = url;
	o.budget = 0.5;
	cl = http_client_new(&o, &err);
	t0 = now_s();
	ck_assert_int_eq(http_client_request(cl, &rq, &rs, &err), -1);
	ck_assert_int_eq(err.kind, HTTP_E_TIMEOUT);
	ck_assert_msg(strstr(err.msg, "timed out") != NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "GET http://127.0.0.1:") == err.msg, "%s", err.msg);
	ck_assert_msg(now_s() - t0 < 2, "timeout not applied");
	ck_assert_ptr_null(rs.body);
	/* the budget is spent: the next request fails at once */
	ck_assert_int_eq(http_client_request(cl, &rq, &rs, &err), -1);
	ck_assert_int_eq(err.kind, HTTP_E_TIMEOUT);
	ck_assert_msg(strstr(err.msg, "budget") != NULL, "%s", err.msg);
	http_client_free(cl);
	srv_stop(&s);
}
END_TEST

START_TEST(test_too_big)
{
	static char big[5000];
	static struct canned c[] = { { "200 OK", NULL, big, 0 } };
	struct srv s;
	struct http_opts o = { 0 };
	struct http_client *cl;
	struct http_response rs;
	struct http_err err;
	struct http_request rq = { 0 };
	char url[128];

	memset(big, 'a', sizeof big - 1);
	srv_start(&s, c, 1);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/big", s.port);
	rq.url = url;
	o.budget = 5;
	o.max_body = 1000;
	cl = http_client_new(&o, &err);
	ck_assert_int_eq(http_client_request(cl, &rq, &rs, &err), -1);
	ck_assert_int_eq(err.kind, HTTP_E_TOOBIG);
	ck_assert_msg(strstr(err.msg, "larger than 1000 bytes") != NULL, "%s", err.msg);
	http_client_free(cl);
	srv_stop(&s);
}
END_TEST

START_TEST(test_refused_redacted)
{
	struct http_client *cl;
	struct http_response rs;
	struct http_err err;
	struct http_request rq = { 0 };
	char url[160];
	int port, fd = listen_any(&port);

	no_proxies();
	close(fd); /* nothing listens there any more */
	snprintf(url, sizeof url, "http://bob:hunter2@127.0.0.1:%d/graphql?token=hunter2#frag", port);
	rq.url = url;
	cl = client(3, 2, 0.01);
	ck_assert_int_eq(http_client_add_secret(cl, "hunter2"), 0);
	ck_assert_int_eq(http_client_request(cl, &rq, &rs, &err), -1);
	ck_assert_int_eq(err.kind, HTTP_E_CONNECT);
	ck_assert_msg(strstr(err.msg, "cannot connect") != NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "hunter2") == NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "bob") == NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "/graphql") != NULL, "%s", err.msg);
	http_client_free(cl);
}
END_TEST

START_TEST(test_bad_scheme)
{
	static const char *const urls[] = { "file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://h/",
					    "", "127.0.0.1:80/x" };
	struct http_client *cl = client(2, 0, 0);
	struct http_response rs;
	struct http_err err;
	struct http_request rq = { 0 };
	size_t i;

	for (i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		rq.url = urls[i];
		ck_assert_int_eq(http_client_request(cl, &rq, &rs, &err), -1);
		ck_assert_int_eq(err.kind, HTTP_E_USAGE);
		ck_assert_msg(strstr(err.msg, "only http:// and https://") != NULL, "%s", err.msg);
	}
	http_client_free(cl);
}
END_TEST

/* https against a plain HTTP server: the TLS handshake fails, nothing is
 * downgraded. */
START_TEST(test_tls_to_plain)
{
	static const struct canned c[] = { { "200 OK", NULL, "plain", 0 } };
	struct srv s;
	struct http_client *cl;
	struct http_response rs;
	struct http_err err;
	struct http_request rq = { 0 };
	char url[128];

	srv_start(&s, c, 1);
	snprintf(url, sizeof url, "https://127.0.0.1:%d/x", s.port);
	rq.url = url;
	cl = client(3, 0, 0);
	ck_assert_int_eq(http_client_request(cl, &rq, &rs, &err), -1);
	ck_assert_msg(err.kind == HTTP_E_TLS || err.kind == HTTP_E_OTHER, "%d %s", err.kind, err.msg);
	http_client_free(cl);
	srv_stop(&s);
}
END_TEST

/* http_proxy is read by libcurl: the request goes to the proxy as an
 * absolute URI. */
START_TEST(test_proxy_variable)
{
	static const struct canned c[] = { { "200 OK", NULL, "via proxy", 0 } };
	struct srv s;
	struct http_client *cl;
	struct http_response rs;
	struct http_err err;
	struct http_request rq = { 0 };
	char proxy[64], *log;

	srv_start(&s, c, 1);
	snprintf(proxy, sizeof proxy, "http://127.0.0.1:%d", s.port);
	setenv("http_proxy", proxy, 1);
	rq.url = "http://api.example.invalid/graphql";
	cl = client(3, 0, 0);
	ck_assert_int_eq(http_client_request(cl, &rq, &rs, &err), 0);
	ck_assert_str_eq(rs.body, "via proxy");
	log = srv_log(&s);
	ck_assert_msg(strstr(log, "GET http://api.example.invalid/graphql HTTP/1.1") != NULL, "%s", log);
	free(log);
	http_response_free(&rs);
	http_client_free(cl);
	srv_stop(&s);
	unsetenv("http_proxy");
}
END_TEST

/* ---- helpers ----------------------------------------------------------- */

START_TEST(test_redact)
{
	struct http_client *cl = client(1, 0, 0);
	char out[64];

	ck_assert_int_eq(http_client_add_secret(cl, "lin_api_SECRET"), 0);
	ck_assert_int_eq(http_client_add_secret(cl, ""), 0);
	ck_assert_int_eq(http_client_add_secret(cl, NULL), 0);
	ck_assert_str_eq(http_redact(cl, "key lin_api_SECRET and lin_api_SECRET!", out, sizeof out),
			 "key [REDACTED] and [REDACTED]!");
	ck_assert_str_eq(http_redact(cl, "a\nb\tc\x7f", out, sizeof out), "a?b?c?");
	ck_assert_str_eq(http_redact(NULL, "lin_api_SECRET", out, sizeof out), "lin_api_SECRET");
	/* truncation never leaves a partial secret */
	ck_assert_str_eq(http_redact(cl, "lin_api_SECRET", out, 8), "");
	ck_assert_str_eq(http_redact(cl, "ab lin_api_SECRET", out, 6), "ab ");
	http_client_free(cl);
}
END_TEST

static const struct {
	const char *in, *out;
} urls[] = {
	{ "https://api.linear.app/graphql", "https://api.linear.app/graphql" },
	{ "https://u:p@h.example/a/b?x=1#f", "https://h.example/a/b" },
	{ "http://tok@h:8080", "http://h:8080" },
	{ "http://h/p#frag", "http://h/p" },
	{ "http://h?x=a@b", "http://h" },
	{ "http://a@b@h/x", "http://h/x" },
};

START_TEST(test_url_display)
{
	char out[128];

	ck_assert_str_eq(http_url_for_display(urls[_i].in, out, sizeof out), urls[_i].out);
}
END_TEST

START_TEST(test_retry_after_parse)
{
	ck_assert(http_parse_retry_after("5", 0) == 5);
	ck_assert(http_parse_retry_after(" 7 ", 0) == 7);
	ck_assert(http_parse_retry_after("0", 0) == 0);
	ck_assert(http_parse_retry_after("1.5", 0) == -1);
	ck_assert(http_parse_retry_after("soon", 0) == -1);
	ck_assert(http_parse_retry_after("", 0) == -1);
	ck_assert(http_parse_retry_after(NULL, 0) == -1);
	/* Sun, 06 Nov 1994 08:49:37 GMT is 784111777 */
	ck_assert(http_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111770L) == 7);
	ck_assert(http_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111800L) == 0);
}
END_TEST

START_TEST(test_user_agent)
{
	ck_assert_str_eq(http_user_agent(), "pperf/" PPERF_VERSION);
}
END_TEST

Suite *suite_http(void)
{
	Suite *s = suite_create("http");
	TCase *ok = tcase_create("requests");
	TCase *retry = tcase_create("retries");
	TCase *bad = tcase_create("failures");
	TCase *help = tcase_create("helpers");

	tcase_add_test(ok, test_get_ok);
	tcase_add_test(ok, test_post_body);
	tcase_add_test(ok, test_patch_method);
	tcase_add_test(ok, test_proxy_variable);
	tcase_add_test(retry, test_429_retry_after);
	tcase_add_test(retry, test_429_retry_after_capped);
	tcase_add_test(retry, test_429_beyond_budget);
	tcase_add_test(retry, test_5xx_idempotent_retried);
	tcase_add_test(retry, test_5xx_retries_bounded);
	tcase_add_test(retry, test_5xx_not_idempotent);
	tcase_set_timeout(retry, 20);
	tcase_add_test(bad, test_timeout);
	tcase_add_test(bad, test_too_big);
	tcase_add_test(bad, test_refused_redacted);
	tcase_add_test(bad, test_bad_scheme);
	tcase_add_test(bad, test_tls_to_plain);
	tcase_set_timeout(bad, 20);
	tcase_add_test(help, test_redact);
	tcase_add_loop_test(help, test_url_display, 0, (int)(sizeof urls / sizeof urls[0]));
	tcase_add_test(help, test_retry_after_parse);
	tcase_add_test(help, test_user_agent);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, retry);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, help);
	return s;
}
