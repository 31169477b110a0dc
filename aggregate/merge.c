/*
 * merge: collects worker results per category (several results of one
 * category are shards: findings concatenated, checks merged by id), then
 * builds the pperf.report/1: duplicates dropped, findings sorted, counts,
 * scores and notes recomputed from the findings, failed or missing
 * categories marked "status": "error".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "report.h"

void agg_init(struct agg *a)
{
	memset(a, 0, sizeof *a);
}

void agg_free(struct agg *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->cats[i].name);
		json_decref(a->cats[i].findings);
		json_decref(a->cats[i].checks);
		free(a->cats[i].failure);
	}
	free(a->cats);
	json_decref(a->codebase_root);
	json_decref(a->tech_stack);
	agg_init(a);
}

/* The category named name, created when absent (borrowed), or NULL. */
static struct agg_cat *cat_get(struct agg *a, const char *name)
{
	struct agg_cat *c;
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->cats[i].name, name) == 0)
			return &a->cats[i];
	if (a->n == a->cap) {
		size_t ncap = a->cap ? 2 * a->cap : 4;
		struct agg_cat *nv = realloc(a->cats, ncap * sizeof *nv);

		if (!nv)
			return NULL;
		a->cats = nv;
		a->cap = ncap;
	}
	c = &a->cats[a->n];
	memset(c, 0, sizeof *c);
	c->name = strdup(name);
	c->findings = json_array();
	c->checks = json_array();
	if (!c->name || !c->findings || !c->checks) {
		free(c->name);
		json_decref(c->findings);
		json_decref(c->checks);
		return NULL;
	}
	a->n++;
	return c;
}

/* Appends "; more" (or sets more) to the category's failure text. 0 or -1. */
static int add_failure(struct agg_cat *c, const char *more)
{
	size_t old = c->failure ? strlen(c->failure) : 0, n = old + strlen(more) + 3;
	char *s = malloc(n);

	if (!s)
		return -1;
	if (c->failure)
		snprintf(s, n, "%s; %s", c->failure, more);
	else
		snprintf(s, n, "%s", more);
	free(c->failure);
	c->failure = s;
	return 0;
}

/* Keeps the first non-null value of result[key] in *slot. 0 or -1. */
static int keep_first(json_t **slot, const json_t *result, const char *key)
{
	json_t *v = json_object_get(result, key);

	if (*slot || !v || json_is_null(v))
		return 0;
	*slot = json_deep_copy(v);
	return *slot ? 0 : -1;
}

int agg_add_result(struct agg *a, const json_t *result)
{
	const json_t *st = json_object_get(result, "status");
	const json_t *findings = json_object_get(result, "findings");
	const json_t *checks = json_object_get(result, "checks");
	struct agg_cat *c = cat_get(a, json_string_value(json_object_get(result, "category")));
	const json_t *f;
	size_t i;

	if (!c)
		return -1;
	c->nresults++;
	if (json_is_integer(json_object_get(result, "suppressed")))
		a->suppressed += json_integer_value(json_object_get(result, "suppressed"));
	if (json_is_string(st) && strcmp(json_string_value(st), "error") == 0) {
		const json_t *msg = json_object_get(result, "error");

		if (add_failure(c, json_is_string(msg) && json_string_length(msg)
					   ? json_string_value(msg)
					   : "the auditor reported an error") < 0)
			return -1;
	}
	/* shared, not copied: findings are never modified, only regrouped */
	json_array_foreach(findings, i, f)
		if (json_array_append(c->findings, (json_t *)f) < 0)
			return -1;
	if (checks && report_merge_checks(c->checks, checks) < 0)
		return -1;
	if (keep_first(&a->codebase_root, result, "codebase_root") < 0 ||
	    keep_first(&a->tech_stack, result, "tech_stack") < 0)
		return -1;
	return 0;
}

int agg_expect(struct agg *a, const char *category)
{
	struct agg_cat *c = cat_get(a, category);

	if (!c)
		return -1;
	c->expected = 1;
	return 0;
}

/* Report order: the three known categories, then others by name. */
static int cat_cmp(const void *pa, const void *pb)
{
	const struct agg_cat *a = pa, *b = pb;
	int ra = report_category_rank(a->name), rb = report_category_rank(b->name);

	return ra != rb ? ra - rb : strcmp(a->name, b->name);
}

/*
 * A copy of finding f for the report: "category" first, then f's fields,
 * "location" filled in when absent.  New reference or NULL.
 */
static json_t *report_finding(const json_t *f, const char *category)
{
	json_t *o = json_object(), *cat = json_string(category);
	char loc[4096];

	if (!o || !cat || json_object_set(o, "category", cat) < 0 ||
	    json_object_update(o, (json_t *)f) < 0 || json_object_set(o, "category", cat) < 0)
		goto fail;
	if (!json_is_string(json_object_get(o, "location"))) {
		const json_t *file = json_object_get(f, "file");

		snprintf(loc, sizeof loc, "%s:%lld",
			 json_is_string(file) ? json_string_value(file) : "",
			 (long long)json_integer_value(json_object_get(f, "line")));
		if (json_object_set_new(o, "location", json_string(loc)) < 0)
			goto fail;
	}
	json_decref(cat);
	return o;
fail:
	json_decref(cat);
	json_decref(o);
	return NULL;
}

/*
 * Finishes one category (sort, dedup, recount), appends its report entry
 * to cats and its findings to all.  0 or -1.
 */
static int build_category(struct agg_cat *c, json_t *cats, json_t *all)
{
	const char *failure = c->failure;
	const json_t *f;
	size_t i;

	if (!failure && c->nresults == 0)
		failure = "no result received";
	if (report_sort_dedup(c->findings) < 0 || report_recount_checks(c->checks, c->findings) < 0)
		return -1;
	if (json_array_append_new(cats, report_category_new(c->name, c->findings, c->checks,
							     failure)) < 0)
		return -1;
	json_array_foreach(c->findings, i, f)
		if (json_array_append_new(all, report_finding(f, c->name)) < 0)
			return -1;
	return 0;
}

static json_t *severity_counts(const json_t *findings)
{
	unsigned k[5];

	report_count(findings, k);
	return json_pack("{s:I, s:I, s:I, s:I}", "CRITICAL", (json_int_t)k[SEV_CRITICAL],
			 "HIGH", (json_int_t)k[SEV_HIGH], "MEDIUM", (json_int_t)k[SEV_MEDIUM],
			 "LOW", (json_int_t)k[SEV_LOW]);
}

/* context[key] copied, or a null (or, with want_array, an empty array). */
static json_t *ctx_copy(const json_t *context, const char *key, int want_array)
{
	const json_t *v = context ? json_object_get(context, key) : NULL;

	if (want_array)
		return json_is_array(v) ? json_deep_copy(v) : json_array();
	return v ? json_deep_copy(v) : json_null();
}

/* The context's sources that findings cite (their "source" URL), in the
 * context's order; all of them when no finding cites one (a report of no
 * findings, or results made without research). */
static json_t *cited_sources(const json_t *context, const json_t *findings)
{
	json_t *all = ctx_copy(context, "sources", 1), *out, *s, *f;
	size_t i, k;
	int any = 0;
	json_array_foreach(findings, k, f)
		if (json_string_value(json_object_get(f, "source")))
			any = 1;
	if (!all || !any)
		return all;
	out = json_array();
	json_array_foreach(all, i, s) {
		const char *url = json_string_value(json_object_get(s, "url"));
		json_array_foreach(findings, k, f) {
			const char *fs = json_string_value(json_object_get(f, "source"));
			if (url && fs && !strcmp(url, fs)) {
				json_array_append(out, s);
				break;
			}
		}
	}
	json_decref(all);
	return out;
}

json_t *agg_report(struct agg *a, const char *date, const json_t *context, unsigned *nfailed)
{
	json_t *cats = json_array(), *all = json_array(), *rep = NULL;
	size_t i;

	*nfailed = 0;
	if (!cats || !all)
		goto done;
	if (a->n)
		qsort(a->cats, a->n, sizeof *a->cats, cat_cmp);
	for (i = 0; i < a->n; i++) {
		if (build_category(&a->cats[i], cats, all) < 0)
			goto done;
		if (a->cats[i].failure || a->cats[i].nresults == 0)
			(*nfailed)++;
	}
	if (report_sort_dedup(all) < 0)
		goto done;
	rep = json_pack("{s:s, s:s, s:o, s:o, s:o, s:O, s:o, s:o, s:O, s:o, s:I}",
			"schema", "pperf.report/1", "date", date,
			"codebase_root", context ? ctx_copy(context, "codebase_root", 0)
				: a->codebase_root ? json_deep_copy(a->codebase_root) : json_null(),
			"tech_stack", context ? ctx_copy(context, "tech_stack", 0)
				: a->tech_stack ? json_deep_copy(a->tech_stack) : json_null(),
			"linear", ctx_copy(context, "linear", 0), "categories", cats,
			"overall_score", report_overall_score(cats), "severity_counts",
			severity_counts(all), "findings", all, "sources",
			cited_sources(context, all), "suppressed", a->suppressed);
done:
	json_decref(cats);
	json_decref(all);
	return rep;
}
