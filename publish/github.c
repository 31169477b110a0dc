/*
 * github: the audit as one GitHub issue, through GitHub's REST API.
 *
 * The token comes from GITHUB_TOKEN (sent as a bearer token), the
 * repository from --repo owner/name, the base URL from PPERF_GITHUB_URL
 * (default https://api.github.com).  One run sends, in this order:
 *   1. GET  /repos/O/N/labels?per_page=100           the label lookup
 *   2. POST /repos/O/N/labels                         each missing label
 *   3. GET  /repos/O/N/issues?state=all&labels=audit&per_page=100
 *                                                     the same-day search
 *   4. POST /repos/O/N/issues, or PATCH /repos/O/N/issues/NUMBER for the
 *      issue of the same title found in 3
 * The body is the Markdown report, cut at a line boundary when it passes
 * GitHub's 65536-character limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "deliver.h"
#include "remote.h"

#define BODY_MAX 65000

static const struct {
	const char *name, *color, *description;
} labels[] = {
	{ "refactoring", "1d76db", "Code that should be restructured" },
	{ "performance", "d93f0b", "Speed, memory or database load" },
	{ "audit", "5319e7", "Found by a pperf audit" },
};
#define NLABELS (sizeof labels / sizeof labels[0])

struct github {
	struct remote r;
	char base[512];
	const struct deliver_job *job;
	const struct deliver_opts *o;
	struct deliver_res *res;
	char *body;       /* the issue body (owned) */
};

static void url_of(const struct github *G, const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "%s/repos/%s%s", G->base, G->o->repo, path);
}

/* The message GitHub gave with an error answer, or "". */
static const char *gh_message(const json_t *doc)
{
	const char *m = json_string_value(json_object_get(doc, "message"));

	return m ? m : "";
}

/*
 * One request; returns the answer (new reference) for a 2xx status, or
 * NULL with G->res filled.  A 404 means the repository is unknown (or
 * hidden from the token): exit status 2.  ok422 lets a 422 through
 * (a label that exists already).
 */
static json_t *call(struct github *G, const char *method, const char *path, json_t *body,
		    int idempotent, const char *what, int ok422)
{
	char url[1024];
	long status;
	json_t *doc;

	url_of(G, path, url, sizeof url);
	doc = remote_json(&G->r, method, url, body, idempotent, what, &status, G->res);
	json_decref(body);
	if (!doc || (status >= 200 && status < 300) || (ok422 && status == 422))
		return doc;
	if (status == 404)
		remote_fail(&G->r, G->res, EXIT_USAGE,
			    "repository '%s' not found, or GITHUB_TOKEN cannot see it (HTTP 404 during the %s)",
			    G->o->repo, what);
	else
		remote_fail(&G->r, G->res, EXIT_NET, "the %s was rejected (HTTP %ld): %.300s", what,
			    status, gh_message(doc));
	json_decref(doc);
	return NULL;
}

static int has_label(const json_t *list, const char *name)
{
	const json_t *l;
	size_t i;

	json_array_foreach(list, i, l) {
		const char *n = json_is_string(l) ? json_string_value(l)
						  : json_string_value(json_object_get(l, "name"));

		if (n && strcasecmp(n, name) == 0)
			return 1;
	}
	return 0;
}

static json_t *label_body(size_t i)
{
	return json_pack("{s:s, s:s, s:s}", "name", labels[i].name, "color", labels[i].color,
			 "description", labels[i].description);
}

static int ensure_labels(struct github *G)
{
	json_t *have = call(G, "GET", "/labels?per_page=100", NULL, 1, "label lookup", 0), *made;
	size_t i;

	if (!have)
		return -1;
	if (!json_is_array(have)) {
		remote_fail(&G->r, G->res, EXIT_NET, "malformed answer to the label lookup: not an array");
		json_decref(have);
		return -1;
	}
	for (i = 0; i < NLABELS; i++) {
		char what[64];

		if (has_label(have, labels[i].name))
			continue;
		snprintf(what, sizeof what, "creation of the label '%s'", labels[i].name);
		/* 422: it exists after all (a race, or past the first page) */
		if (!(made = call(G, "POST", "/labels", label_body(i), 0, what, 1))) {
			json_decref(have);
			return -1;
		}
		json_decref(made);
	}
	json_decref(have);
	return 0;
}

/* The open or closed issue (not a pull request) titled like today's, or NULL. */
static json_t *find_issue(struct github *G, int *failed)
{
	json_t *list = call(G, "GET", "/issues?state=all&labels=audit&per_page=100", NULL, 1,
			    "issue search", 0), *it, *found = NULL;
	size_t i;

	*failed = !list;
	if (!list)
		return NULL;
	if (!json_is_array(list)) {
		remote_fail(&G->r, G->res, EXIT_NET, "malformed answer to the issue search: not an array");
		*failed = 1;
		json_decref(list);
		return NULL;
	}
	json_array_foreach(list, i, it) {
		const char *t = json_string_value(json_object_get(it, "title"));

		if (t && strcmp(t, G->job->title) == 0 && !json_object_get(it, "pull_request") &&
		    json_integer_value(json_object_get(it, "number")) > 0) {
			found = json_incref(it);
			break;
		}
	}
	json_decref(list);
	return found;
}

/* Our label names plus those the found issue carries (PATCH replaces them). */
static json_t *label_names(const json_t *found)
{
	json_t *names = json_array(), *l;
	size_t i;

	for (i = 0; i < NLABELS; i++)
		json_array_append_new(names, json_string(labels[i].name));
	json_array_foreach(json_object_get(found, "labels"), i, l) {
		const char *n = json_string_value(json_object_get(l, "name"));

		if (n && !has_label(names, n))
			json_array_append_new(names, json_string(n));
	}
	return names;
}

static json_t *issue_body(const struct github *G, const json_t *found)
{
	return json_pack("{s:s, s:s, s:o}", "title", G->job->title, "body", G->body, "labels",
			 label_names(found));
}

static int save_issue(struct github *G, const json_t *found)
{
	char path[64];
	const char *what = found ? "issue update" : "issue creation";
	json_t *doc;

	if (found)
		snprintf(path, sizeof path, "/issues/%lld",
			 (long long)json_integer_value(json_object_get(found, "number")));
	doc = call(G, found ? "PATCH" : "POST", found ? path : "/issues", issue_body(G, found), 0,
		   what, 0);
	if (!doc)
		return -1;
	if (json_integer_value(json_object_get(doc, "number")) <= 0) {
		remote_fail(&G->r, G->res, EXIT_NET, "malformed answer to the %s: no issue number", what);
		json_decref(doc);
		return -1;
	}
	snprintf(G->res->line, sizeof G->res->line, "%s %s#%lld %s", found ? "updated" : "created",
		 G->o->repo, (long long)json_integer_value(json_object_get(doc, "number")),
		 json_string_value(json_object_get(doc, "html_url")) ?
		 json_string_value(json_object_get(doc, "html_url")) : "");
	json_decref(doc);
	return 0;
}

/* The Markdown, cut after the last whole line under BODY_MAX with a note. */
static char *make_body(const struct deliver_job *job)
{
	static const char note[] = "\n_The report was cut to fit GitHub's issue size limit;"
				   " pperf-publish writes it whole to a file._\n";
	size_t n = job->md_len;
	char *b;

	if (n > BODY_MAX) {
		n = BODY_MAX - sizeof note;
		while (n > 0 && job->markdown[n - 1] != '\n')
			n--;
	}
	if (!(b = malloc(n + sizeof note)))
		return NULL;
	memcpy(b, job->markdown, n);
	b[n] = '\0';
	if (n < job->md_len)
		memcpy(b + n, note, sizeof note);
	return b;
}

static void plan(struct github *G)
{
	char url[1024], what[96];
	size_t i;

	url_of(G, "/labels?per_page=100", url, sizeof url);
	remote_print(&G->r, "GET", url, NULL, "label lookup");
	url_of(G, "/labels", url, sizeof url);
	for (i = 0; i < NLABELS; i++) {
		snprintf(what, sizeof what, "creation of the label '%s' (only when it is missing)",
			 labels[i].name);
		remote_print(&G->r, "POST", url, label_body(i), what);
	}
	url_of(G, "/issues?state=all&labels=audit&per_page=100", url, sizeof url);
	remote_print(&G->r, "GET", url, NULL, "issue search");
	url_of(G, "/issues", url, sizeof url);
	remote_print(&G->r, "POST", url, issue_body(G, NULL),
		     "issue creation (a PATCH of the issue found instead, when there is one)");
}

int deliver_github(const struct deliver_job *job, const struct deliver_opts *o,
		   struct deliver_res *res)
{
	struct github G;
	const char *token = getenv("GITHUB_TOKEN"), *base = getenv("PPERF_GITHUB_URL");
	size_t n;

	memset(&G, 0, sizeof G);
	snprintf(G.base, sizeof G.base, "%s", base && *base ? base : GITHUB_DEFAULT_URL);
	n = strlen(G.base);
	while (n > 0 && G.base[n - 1] == '/')
		G.base[--n] = '\0';
	G.job = job;
	G.o = o;
	G.res = res;
	res->status = EXIT_OK;
	if (remote_open(&G.r, "github", "GITHUB_TOKEN", token, "Authorization: Bearer ", o, res) < 0)
		return res->status;
	G.r.extra[0] = "Accept: application/vnd.github+json";
	G.r.extra[1] = "X-GitHub-Api-Version: 2022-11-28";
	if (!o->dry_run && (!token || !*token)) {
		remote_fail(&G.r, res, EXIT_USAGE, "GITHUB_TOKEN is not set: export a token that may"
			    " write the repository's issues");
	} else if (!(G.body = make_body(job))) {
		remote_fail(&G.r, res, EXIT_IO, "out of memory");
	} else if (o->dry_run) {
		plan(&G);
	} else if (ensure_labels(&G) == 0) {
		int failed;
		json_t *found = find_issue(&G, &failed);

		if (!failed)
			save_issue(&G, found);
		json_decref(found);
	}
	free(G.body);
	remote_close(&G.r, res);
	return res->status;
}
