/*
 * research/online.c: enrichment from a Context7-compatible endpoint.
 *
 * For each detected technology whose knowledge-base file has an "online"
 * block, two GET requests:
 *   {base}/api/v2/libs/search?libraryName=LIB&query=Q  -> {"results": [{"id": ...}]}
 *   {base}/api/v2/context?libraryId=ID&query=Q&type=json
 *       -> {"codeSnippets": [{"codeTitle", "codeDescription", "codeId",
 *                             "pageTitle"}], "infoSnippets": [{"content",
 *                             "breadcrumb", "pageId"}]}
 * The snippets become practices with "origin": "online".  Answers are cached
 * under $XDG_CACHE_HOME/pperf/research/ (one file per URL, reused while
 * younger than the TTL), so a second run makes no request.  All requests
 * share one time budget; the first problem ends online research with one
 * warning, and the run goes on with what it has.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "http.h"
#include "jsonio.h"
#include "research.h"

#define MAX_SNIPPETS 3     /* online practices per technology */
#define MAX_SUMMARY 600    /* characters kept of a snippet */
#define MAX_RESPONSE (2 * 1024 * 1024)

struct online {
	const struct research_opts *o;
	struct http_client *hc;      /* one time budget for every request */
	char cache_dir[PATH_MAX];    /* "" when there is no cache */
	int failed;                  /* the warning was given */
	int added;
	json_t *seen;                /* source URLs already listed */
};

/* Gives the one warning of the run and stops online research. */
static void fail_once(struct online *on, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail_once(struct online *on, const char *fmt, ...)
{
	char why[600], safe[600];
	va_list ap;
	if (on->failed)
		return;
	on->failed = 1;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	/* remote text (a parser message) could echo the token */
	http_redact(on->hc, why, safe, sizeof safe);
	cli_warn("online research stopped (%s); using the embedded knowledge base", safe);
}

/* ---- URLs */

/* Percent-encodes s for a query string into a malloc'd string. */
static char *url_encode(const char *s)
{
	size_t n = strlen(s), i, k = 0;
	char *out = malloc(3 * n + 1);
	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
			out[k++] = (char)c;
		} else {
			snprintf(out + k, 4, "%%%02X", c);
			k += 3;
		}
	}
	out[k] = '\0';
	return out;
}

/* base + path + "?" + k1=v1&k2=v2... (values encoded); malloc'd. */
static char *make_url(const char *base, const char *path, const char *const *kv)
{
	size_t cap = strlen(base) + strlen(path) + 2, len;
	char *url, *p;
	size_t i;
	for (i = 0; kv[i]; i += 2)
		cap += strlen(kv[i]) + 3 * strlen(kv[i + 1]) + 2;
	url = malloc(cap);
	if (!url)
		return NULL;
	len = strlen(base);
	while (len && base[len - 1] == '/')
		len--;
	snprintf(url, cap, "%.*s%s", (int)len, base, path);
	for (i = 0; kv[i]; i += 2) {
		char *v = url_encode(kv[i + 1]);
		if (!v) {
			free(url);
			return NULL;
		}
		p = url + strlen(url);
		snprintf(p, cap - (size_t)(p - url), "%c%s=%s", i ? '&' : '?', kv[i], v);
		free(v);
	}
	return url;
}

/* ---- the cache */

static void cache_init(struct online *on)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n = -1;
	on->cache_dir[0] = '\0';
	if (on->o->cache_ttl <= 0)
		return;
	if (xdg && *xdg == '/')
		n = snprintf(on->cache_dir, sizeof on->cache_dir, "%s/pperf/research", xdg);
	else if (home && *home == '/')
		n = snprintf(on->cache_dir, sizeof on->cache_dir, "%s/.cache/pperf/research", home);
	if (n < 0 || (size_t)n >= sizeof on->cache_dir)
		on->cache_dir[0] = '\0'; /* no usable cache folder: no cache */
}

/* Creates the cache folders (mode 0700). 0 or -1. */
static int cache_mkdir(const char *dir)
{
	char tmp[PATH_MAX];
	size_t i;
	snprintf(tmp, sizeof tmp, "%s", dir);
	for (i = 1; tmp[i]; i++) {
		if (tmp[i] != '/')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			return -1;
		tmp[i] = '/';
	}
	return mkdir(tmp, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

/* The cache file of url (FNV-1a 64 of the URL). */
static void cache_path(const struct online *on, const char *url, char *out, size_t outsz)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *p;
	for (p = (const unsigned char *)url; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	snprintf(out, outsz, "%s/%016llx.json", on->cache_dir, (unsigned long long)h);
}

/* The cached answer for url (new reference) or NULL. */
static json_t *cache_get(const struct online *on, const char *url)
{
	char path[PATH_MAX + 32];
	struct stat st;
	json_t *entry, *resp = NULL;
	const char *u;
	if (!on->cache_dir[0])
		return NULL;
	cache_path(on, url, path, sizeof path);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (double)time(NULL) - (double)st.st_mtime > (double)on->o->cache_ttl)
		return NULL;
	entry = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	u = json_string_value(json_object_get(entry, "url"));
	if (u && strcmp(u, url) == 0)
		resp = json_incref(json_object_get(entry, "response"));
	json_decref(entry);
	return resp;
}

/* Stores resp for url; failures only cost a later request. */
static void cache_put(const struct online *on, const char *url, json_t *resp)
{
	char path[PATH_MAX + 32], *text;
	json_t *entry;
	if (!on->cache_dir[0] || cache_mkdir(on->cache_dir) < 0)
		return;
	cache_path(on, url, path, sizeof path);
	entry = json_pack("{s:s, s:O}", "url", url, "response", resp);
	text = entry ? json_dumps(entry, JSON_COMPACT) : NULL;
	if (text)
		jsonio_write_file_atomic(path, text, strlen(text));
	free(text);
	json_decref(entry);
}

/* ---- requests */

/*
 * GET url within the remaining time budget; the parsed JSON answer (new
 * reference), or NULL after fail_once().  *cached tells where it came from.
 */
static json_t *get_json(struct online *on, const char *url, int *cached)
{
	struct http_request rq;
	struct http_response rs;
	struct http_err herr;
	char auth[1024], shown[512];
	const char *headers[3];
	json_error_t je;
	json_t *doc;
	size_t nh = 0;

	*cached = 0;
	doc = cache_get(on, url);
	if (doc) {
		*cached = 1;
		return doc;
	}
	if (http_client_remaining(on->hc) <= 0.0) {
		fail_once(on, "the --timeout budget of %g s is spent", on->o->timeout);
		return NULL;
	}
	headers[nh++] = "Accept: application/json";
	if (on->o->token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", on->o->token);
		headers[nh++] = auth;
	}
	headers[nh] = NULL;
	memset(&rq, 0, sizeof rq);
	rq.method = "GET";
	rq.url = url;
	rq.headers = headers;
	rq.idempotent = 1;
	if (http_client_request(on->hc, &rq, &rs, &herr) < 0) {
		fail_once(on, "%s", herr.msg);
		return NULL;
	}
	http_url_for_display(url, shown, sizeof shown);
	if (rs.status != 200) {
		fail_once(on, "GET %s: HTTP status %ld", shown, rs.status);
		http_response_free(&rs);
		return NULL;
	}
	doc = json_loadb(rs.body ? rs.body : "", rs.len, JSON_REJECT_DUPLICATES, &je);
	http_response_free(&rs);
	if (!doc)
		fail_once(on, "GET %s: malformed JSON: %s", shown, je.text);
	return doc;
}

/* ---- answers to practices */

/* The first library id of a search answer ({"results": [...]} or [...]). */
static const char *first_library_id(const json_t *resp)
{
	const json_t *arr = json_is_array(resp) ? resp : json_object_get(resp, "results");
	const char *id = json_string_value(json_object_get(json_array_get(arr, 0), "id"));
	size_t i;
	if (!id || id[0] != '/' || strlen(id) > 200)
		return NULL;
	for (i = 0; id[i]; i++) /* it goes into a URL path as it is */
		if (!isalnum((unsigned char)id[i]) && !strchr("/._@+-", id[i]))
			return NULL;
	return id;
}

/* Collapses white space and control characters; keeps at most max bytes
 * (cut at a character boundary).  malloc'd. */
static char *clean_text(const char *s, size_t max)
{
	size_t n = strlen(s), i, k = 0;
	char *out = malloc(n + 4);
	int space = 0;
	if (!out)
		return NULL;
	for (i = 0; i < n && k < max; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == ' ') {
			space = k > 0;
			continue;
		}
		if (space)
			out[k++] = ' ';
		space = 0;
		out[k++] = (char)c;
	}
	if (i < n) {
		while (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80)
			k--;
		if (k > 0 && (unsigned char)out[k - 1] >= 0xC0)
			k--;
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k] = '\0';
	return out;
}

/* s with the token replaced, should the endpoint echo it (takes s;
 * malloc'd result). */
static char *redacted(const struct online *on, char *s)
{
	size_t sz;
	char *out;
	if (!s)
		return NULL;
	sz = 4 * strlen(s) + 64;
	out = malloc(sz);
	if (out)
		http_redact(on->hc, s, out, sz);
	free(s);
	return out;
}

static int is_http_url(const char *s)
{
	return s && (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0) &&
	       !strpbrk(s, " \t\r\n\"<>\\`");
}

/* Appends one online practice built from a snippet to prs; 1 when added. */
static int add_practice(struct online *on, json_t *prs, json_t *sources, const char *tech,
			const char *name, int k, const char *title, const char *text,
			const char *url, const char *page)
{
	char id[96], ptitle[200];
	char *t, *sum;
	json_t *pr;
	if (!text || strlen(text) < 20)
		return 0;
	t = redacted(on, clean_text(title && *title ? title : name, 150));
	sum = redacted(on, clean_text(text, MAX_SUMMARY));
	if (!t || !sum) {
		free(t);
		free(sum);
		return 0;
	}
	snprintf(id, sizeof id, "online-%s-%d", tech, k);
	snprintf(ptitle, sizeof ptitle, "%s", page && *page ? page : name);
	for (char *c = ptitle; *c; c++) /* a title for one line */
		if ((unsigned char)*c < 0x20)
			*c = ' ';
	pr = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[], s:s, s:s, s:s}", "id", id, "technology",
		       tech, "applies_to", "*", "title", t, "summary", sum, "checks", "source",
		       url, "source_title", ptitle, "origin", "online");
	free(t);
	free(sum);
	if (!pr || json_array_append_new(prs, pr) < 0)
		return 0;
	if (!json_object_get(on->seen, url)) {
		json_t *s = json_pack("{s:s, s:s}", "title", ptitle, "url", url);
		if (s && json_array_append_new(sources, s) == 0)
			json_object_set_new(on->seen, url, json_true());
	}
	return 1;
}

/* Turns a context answer into practices of group.  -1 when it has none of
 * the expected arrays (a malformed answer). */
static int add_snippets(struct online *on, json_t *group, json_t *sources, const json_t *resp,
			const char *libpage)
{
	const json_t *code = json_object_get(resp, "codeSnippets");
	const json_t *info = json_object_get(resp, "infoSnippets");
	const char *tech = json_string_value(json_object_get(group, "technology"));
	const char *name = json_string_value(json_object_get(group, "name"));
	json_t *prs = json_object_get(group, "practices");
	const json_t *s;
	size_t i;
	int k = 0;

	if (!json_is_array(code) && !json_is_array(info))
		return -1;
	json_array_foreach(info, i, s) {
		const char *url = json_string_value(json_object_get(s, "pageId"));
		if (k >= MAX_SNIPPETS)
			break;
		k += add_practice(on, prs, sources, tech, name, k + 1,
				  json_string_value(json_object_get(s, "breadcrumb")),
				  json_string_value(json_object_get(s, "content")),
				  is_http_url(url) ? url : libpage,
				  json_string_value(json_object_get(s, "breadcrumb")));
	}
	json_array_foreach(code, i, s) {
		const char *url = json_string_value(json_object_get(s, "codeId"));
		if (k >= MAX_SNIPPETS)
			break;
		k += add_practice(on, prs, sources, tech, name, k + 1,
				  json_string_value(json_object_get(s, "codeTitle")),
				  json_string_value(json_object_get(s, "codeDescription")),
				  is_http_url(url) ? url : libpage,
				  json_string_value(json_object_get(s, "pageTitle")));
	}
	on->added += k;
	return 0;
}

/* The kb document of technology tech. */
static const json_t *kb_doc(const json_t *kb, const char *tech)
{
	const json_t *d;
	size_t i;
	json_array_foreach(kb, i, d) {
		const char *t = json_string_value(json_object_get(d, "technology"));
		if (t && tech && strcmp(t, tech) == 0)
			return d;
	}
	return NULL;
}

/* Online research for one group; 0, or -1 once research has stopped. */
static int research_group(struct online *on, json_t *group, json_t *sources, const json_t *kb)
{
	const json_t *doc = kb_doc(kb, json_string_value(json_object_get(group, "technology")));
	const json_t *onl = json_object_get(doc, "online");
	const char *lib = json_string_value(json_object_get(onl, "library"));
	const char *query = json_string_value(json_object_get(onl, "query"));
	const char *libid;
	char *url, *page;
	json_t *resp, *ctx;
	int cached;

	if (!lib || !query)
		return 0;
	{
		const char *kv[] = { "libraryName", lib, "query", query, NULL };
		url = make_url(on->o->base_url, "/api/v2/libs/search", kv);
	}
	if (!url)
		return -1;
	resp = get_json(on, url, &cached);
	libid = resp ? first_library_id(resp) : NULL;
	if (resp && !libid) {
		fail_once(on, "no library id in the research endpoint's search answer");
		json_decref(resp);
		free(url);
		return -1;
	}
	if (!resp) {
		free(url);
		return -1;
	}
	if (!cached)
		cache_put(on, url, resp);
	free(url);
	{
		const char *kv[] = { "libraryId", libid, "query", query, "type", "json", NULL };
		url = make_url(on->o->base_url, "/api/v2/context", kv);
	}
	page = url ? make_url(on->o->base_url, libid, (const char *const[]){ NULL }) : NULL;
	ctx = url && page ? get_json(on, url, &cached) : NULL;
	json_decref(resp);
	if (ctx && add_snippets(on, group, sources, ctx, page) < 0) {
		fail_once(on, "unexpected answer from the research endpoint (no snippets)");
		json_decref(ctx);
		ctx = NULL;
	} else if (ctx && !cached) {
		cache_put(on, url, ctx);
	}
	free(url);
	free(page);
	if (!ctx)
		return -1;
	json_decref(ctx);
	return 0;
}

int research_online(json_t *best_practices, json_t *sources, const json_t *kb,
		    const struct research_opts *o)
{
	struct http_opts ho;
	struct http_err herr;
	struct online on;
	json_t *group, *s;
	size_t i;

	memset(&on, 0, sizeof on);
	on.o = o;
	on.seen = json_object();
	if (!on.seen)
		return 0;
	memset(&ho, 0, sizeof ho);
	ho.budget = o->timeout;
	ho.connect_timeout = o->timeout < 5.0 ? o->timeout : 5.0;
	ho.max_body = MAX_RESPONSE;
	on.hc = http_client_new(&ho, &herr);
	if (!on.hc || http_client_add_secret(on.hc, o->token) < 0) {
		fail_once(&on, "%s", on.hc ? "out of memory" : herr.msg);
		http_client_free(on.hc);
		json_decref(on.seen);
		return 0;
	}
	json_array_foreach(sources, i, s) {
		const char *u = json_string_value(json_object_get(s, "url"));
		if (u)
			json_object_set_new(on.seen, u, json_true());
	}
	cache_init(&on);
	json_array_foreach(best_practices, i, group) {
		if (research_group(&on, group, sources, kb) < 0)
			break;
	}
	http_client_free(on.hc);
	json_decref(on.seen);
	return on.added;
}
