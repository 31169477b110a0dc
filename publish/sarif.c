/*
 * sarif: --format sarif, the report as a SARIF 2.1.0 log (OASIS Static
 * Analysis Results Interchange Format) for GitHub code scanning and the
 * other tools that read it.  One run:
 *
 *  - tool.driver: name "pperf", version, informationUri (the project's
 *    home, when the build names one: make HOMEPAGE=...), and one rule per
 *    check of the report's categories, described by the documentation the
 *    auditors put in their results (pperf-json(5): title, principle, why,
 *    example, instead, severity), so publish needs no copy of the tables;
 *  - originalUriBaseIds: %SRCROOT% as a file:// URI of codebase_root;
 *  - results: ruleId and ruleIndex, level (CRITICAL and HIGH "error",
 *    MEDIUM "warning", LOW "note"), message (issue and recommendation),
 *    the location relative to %SRCROOT% with its start line, and
 *    partialFingerprints from lib/fingerprint.h, which ignore the line
 *    number, so code scanning keeps an alert open across line shifts;
 *    the places of a call chain ("name (path:line)") as relatedLocations.
 *
 * properties.precision is "high" for every rule: the checks are tuned for
 * precision over recall (make score finds no false positive on the cases
 * of ../shared/cases in Python, TypeScript or Go; RESULTS/), yet real
 * projects still show one now and then, so not "very-high".
 * security-severity is left out: these are not security findings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"
#include "jsonio.h"
#include "render.h"
#include "report.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define SARIF_FP_KEY "pperfFingerprint/v1"

static const char *sget(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* SARIF level of a pperf severity. */
static const char *sev_level(enum severity s)
{
	return s >= SEV_HIGH ? "error" : s == SEV_MEDIUM ? "warning" : s == SEV_LOW ? "note" : "warning";
}

/* Appends the bytes of s to fp, percent-encoding all but RFC 3986's
 * unreserved characters and '/'. */
static void put_uri_path(FILE *fp, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-._~/", c))
			fputc(c, fp);
		else
			fprintf(fp, "%%%02X", c);
	}
}

/* A new JSON string built by f(fp, arg) into memory, or NULL. */
static json_t *memstr(void (*f)(FILE *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);
	json_t *s = NULL;

	if (!fp)
		return NULL;
	f(fp, arg);
	if (fclose(fp) == 0)
		s = json_stringn(buf, n);
	free(buf);
	return s;
}

static void uri_rel(FILE *fp, const void *file)
{
	put_uri_path(fp, file);
}

static void uri_root(FILE *fp, const void *root)
{
	const char *r = root;

	fputs("file://", fp);
	put_uri_path(fp, r);
	if (r[strlen(r) - 1] != '/')
		fputc('/', fp); /* SARIF: a base URI ends with a slash */
}

/* "n_plus_one_query" -> "NPlusOneQuery": reportingDescriptor.name. */
static void pascal(FILE *fp, const void *id)
{
	const char *s = id;
	int up = 1;

	for (; *s; s++) {
		if (*s == '_' || *s == '-') {
			up = 1;
			continue;
		}
		fputc(up && *s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s, fp);
		up = 0;
	}
}

/* s with its first letter capitalised and a full stop when it has no
 * final punctuation. */
static void sentence(FILE *fp, const void *arg)
{
	const char *s = arg;
	size_t n = strlen(s);

	if (!n)
		return;
	fputc(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s, fp);
	fputs(s + 1, fp);
	if (!strchr(".!?", s[n - 1]))
		fputc('.', fp);
}

static json_t *text_msg(json_t *text)
{
	return text ? json_pack("{s:o}", "text", text) : NULL;
}

/* The check's help: its principle, why, example and fix, as text or Markdown. */
struct help_arg {
	const json_t *c;
	int md;
};

static void help(FILE *fp, const void *arg)
{
	const struct help_arg *h = arg;
	const char *fence = h->md ? "```\n" : "";

	if (*sget(h->c, "principle")) {
		fputs(h->md ? "**" : "", fp);
		sentence(fp, sget(h->c, "principle"));
		fputs(h->md ? "**\n\n" : "\n\n", fp);
	}
	if (*sget(h->c, "why"))
		fprintf(fp, "%s\n\n", sget(h->c, "why"));
	if (*sget(h->c, "example"))
		fprintf(fp, "Example:\n%s%s%s\n%s\n", h->md ? "\n" : "", fence, sget(h->c, "example"), fence);
	if (*sget(h->c, "instead"))
		fprintf(fp, "Use instead:\n%s%s%s\n%s\n", h->md ? "\n" : "", fence, sget(h->c, "instead"),
			fence);
	fputs("See pperf-checks(7).\n", fp);
}

/* "Query Efficiency" -> "query-efficiency": a rule tag. */
static void slug(FILE *fp, const void *arg)
{
	const char *s = arg;

	for (; *s; s++)
		fputc(*s == ' ' ? '-' : *s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s, fp);
}

/* The reportingDescriptor of check c (a report "checks" entry, or only an
 * id for a finding whose check the report does not list).  New or NULL. */
static json_t *rule_new(const json_t *c, const char *id, const char *category)
{
	json_t *r = json_pack("{s:s, s:o*}", "id", id, "name", memstr(pascal, id));
	json_t *props = json_pack("{s:[s], s:s}", "tags", "performance", "precision", "high");
	const char *sev = sget(c, "severity");
	struct help_arg ht = { c, 0 }, hm = { c, 1 };

	if (!r || !props)
		goto fail;
	if (*category && json_array_append_new(json_object_get(props, "tags"), memstr(slug, category)) < 0)
		goto fail;
	if (*sget(c, "title") && json_object_set_new(r, "shortDescription",
						      text_msg(memstr(sentence, sget(c, "title")))) < 0)
		goto fail;
	if (*sget(c, "why") &&
	    json_object_set_new(r, "fullDescription", text_msg(json_string(sget(c, "why")))) < 0)
		goto fail;
	if (*sget(c, "principle") &&
	    json_object_set_new(r, "help", json_pack("{s:o*, s:o*}", "text", memstr(help, &ht),
						     "markdown", memstr(help, &hm))) < 0)
		goto fail;
	if (*sev && json_object_set_new(r, "defaultConfiguration",
					json_pack("{s:s}", "level", sev_level(severity_parse(sev)))) < 0)
		goto fail;
	if (json_object_set_new(r, "properties", props) < 0)
		goto fail_r;
	return r;
fail:
	json_decref(props);
fail_r:
	json_decref(r);
	return NULL;
}

/* Index of the rule id in rules, or -1. */
static long rule_index(const json_t *rules, const char *id)
{
	const json_t *r;
	size_t i;

	json_array_foreach(rules, i, r)
		if (strcmp(sget(r, "id"), id) == 0)
			return (long)i;
	return -1;
}

/* One rule per check of the report, in report order. New array or NULL. */
static json_t *rules_new(const json_t *report)
{
	const json_t *cat, *c, *f;
	json_t *rules = json_array();
	size_t i, j;

	json_array_foreach(json_object_get(report, "categories"), i, cat)
		json_array_foreach(json_object_get(cat, "checks"), j, c)
			if (rules && *sget(c, "id") && rule_index(rules, sget(c, "id")) < 0 &&
			    json_array_append_new(rules, rule_new(c, sget(c, "id"),
								  sget(cat, "category"))) < 0)
				goto fail;
	json_array_foreach(json_object_get(report, "findings"), i, f)
		if (rules && rule_index(rules, sget(f, "check")) < 0 &&
		    json_array_append_new(rules, rule_new(f, sget(f, "check"), sget(f, "category"))) < 0)
			goto fail;
	return rules;
fail:
	json_decref(rules);
	return NULL;
}

/* The issue as written (it may open with code: "httpx.get() is ..."), a
 * full stop, then the recommendation. */
static void result_text(FILE *fp, const void *arg)
{
	const json_t *f = arg;
	const char *issue = sget(f, "issue");
	size_t n = strlen(issue);

	fputs(issue, fp);
	if (n && !strchr(".!?", issue[n - 1]))
		fputc('.', fp);
	if (*sget(f, "recommendation")) {
		fputs("\nRecommendation: ", fp);
		fputs(sget(f, "recommendation"), fp);
	}
}

/*
 * The steps of f's call chain that name a place, "name (path:line)", as
 * relatedLocations (code scanning links them under the alert).  New
 * array, possibly empty, or NULL on allocation failure.
 */
static json_t *related_new(const json_t *f)
{
	json_t *rel = json_array();
	const json_t *step;
	size_t i;

	json_array_foreach(json_object_get(f, "chain"), i, step) {
		const char *s = json_is_string(step) ? json_string_value(step) : "";
		const char *open = strrchr(s, '('), *colon;
		size_t n = strlen(s);
		char path[1024];
		char *end;
		unsigned long line;

		if (!rel || !open || n < 2 || s[n - 1] != ')' || !(colon = strrchr(open, ':')))
			continue;
		line = strtoul(colon + 1, &end, 10);
		if (end != s + n - 1 || colon[1] < '0' || colon[1] > '9' || line == 0 || open[1] == '/' ||
		    colon == open + 1 || (size_t)(colon - open - 1) >= sizeof path)
			continue;
		memcpy(path, open + 1, (size_t)(colon - open - 1));
		path[colon - open - 1] = '\0';
		if (json_array_append_new(rel, json_pack("{s:I, s:{s:{s:o*, s:s}, s:{s:I}}, s:{s:s}}", "id",
							 (json_int_t)i, "physicalLocation", "artifactLocation",
							 "uri", memstr(uri_rel, path), "uriBaseId", "%SRCROOT%",
							 "region", "startLine", (json_int_t)line, "message",
							 "text", s)) < 0) {
			json_decref(rel);
			return NULL;
		}
	}
	return rel;
}

/* The result of finding f.  New or NULL. */
static json_t *result_new(const json_t *f, const json_t *rules)
{
	const json_t *line = json_object_get(f, "line");
	char fp[FINGERPRINT_LEN + 1];
	json_t *r, *props;
	const json_t *loc;
	const char *opt[] = { "category", "effort", "language", "source" };
	size_t k;

	fingerprint_of(sget(f, "check"), sget(f, "file"), sget(f, "snippet"), fp);
	r = json_pack("{s:s, s:I, s:s, s:o*, s:[{s:{s:{s:o*, s:s}, s:{s:I}}}], s:{s:s}}",
		      "ruleId", sget(f, "check"),
		      "ruleIndex", (json_int_t)rule_index(rules, sget(f, "check")),
		      "level", sev_level(report_finding_sev(f)), "message", text_msg(memstr(result_text, f)),
		      "locations", "physicalLocation", "artifactLocation",
		      "uri", memstr(uri_rel, sget(f, "file")),
		      "uriBaseId", "%SRCROOT%", "region", "startLine",
		      json_is_integer(line) && json_integer_value(line) > 0 ? json_integer_value(line) : 1,
		      "partialFingerprints", SARIF_FP_KEY, fp);
	props = json_pack("{s:s}", "severity", sget(f, "severity"));
	loc = json_object_get(json_array_get(json_object_get(r, "locations"), 0), "physicalLocation");
	if (!r || !props || !json_object_get(r, "message") ||
	    !json_object_get(json_object_get(loc, "artifactLocation"), "uri"))
		goto fail;
	for (k = 0; k < sizeof opt / sizeof opt[0]; k++)
		if (*sget(f, opt[k]) && json_object_set(props, opt[k], json_object_get(f, opt[k])) < 0)
			goto fail;
	if (json_is_array(json_object_get(f, "chain"))) {
		json_t *rel = related_new(f);

		if (!rel || json_object_set(props, "chain", json_object_get(f, "chain")) < 0) {
			json_decref(rel);
			goto fail;
		}
		if (json_array_size(rel) == 0)
			json_decref(rel);
		else if (json_object_set_new(r, "relatedLocations", rel) < 0)
			goto fail;
	}
	if (json_object_set_new(r, "properties", props) < 0) {
		json_decref(r);
		return NULL;
	}
	return r;
fail:
	json_decref(props);
	json_decref(r);
	return NULL;
}

static json_t *driver_new(const json_t *report)
{
	json_t *d = json_pack("{s:s, s:s, s:s}", "name", "pperf", "version", PPERF_VERSION,
			      "semanticVersion", PPERF_VERSION);

#ifdef PPERF_HOMEPAGE
	if (d && json_object_set_new(d, "informationUri", json_string(PPERF_HOMEPAGE)) < 0) {
		json_decref(d);
		return NULL;
	}
#endif
	if (d && json_object_set_new(d, "rules", rules_new(report)) < 0) {
		json_decref(d);
		return NULL;
	}
	return d;
}

static json_t *sarif_new(const json_t *report)
{
	const json_t *root = json_object_get(report, "codebase_root"), *f;
	json_t *run = json_pack("{s:{s:o*}}", "tool", "driver", driver_new(report)), *results, *log;
	const json_t *rules;
	size_t i;

	if (!run || !json_object_get(json_object_get(run, "tool"), "driver"))
		goto fail;
	/* only an absolute root has a file:// URI; else consumers use their checkout */
	if (json_is_string(root) && json_string_value(root)[0] == '/' &&
	    json_object_set_new(run, "originalUriBaseIds",
				json_pack("{s:{s:o*, s:{s:s}}}", "%SRCROOT%", "uri",
					  memstr(uri_root, json_string_value(root)), "description", "text",
					  "The root of the audited project")) < 0)
		goto fail;
	rules = json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules");
	if (json_object_set_new(run, "results", results = json_array()) < 0)
		goto fail;
	json_array_foreach(json_object_get(report, "findings"), i, f)
		if (json_array_append_new(results, result_new(f, rules)) < 0)
			goto fail;
	log = json_pack("{s:s, s:s, s:[o]}", "$schema", SARIF_SCHEMA, "version", "2.1.0", "runs", run);
	return log;
fail:
	json_decref(run);
	return NULL;
}

char *render_sarif(const json_t *report, const struct render_opts *ro, size_t *len)
{
	json_t *log = sarif_new(report);
	char *s = log ? jsonio_dump(log) : NULL;

	(void)ro;
	json_decref(log);
	if (s)
		*len = strlen(s);
	return s;
}
