/*
 * markdown: --format markdown, the human report.  The outline is fixed:
 *
 *   ## Persistence & Performance Audit Report - YYYY-MM-DD
 *   ### Executive Summary
 *   ### Compliance Score                    (Category | Score | Notes, **Overall**)
 *   ### Severity Summary                    (Severity | Count)
 *   ### Findings by Category                (#### per category: Severity |
 *                                            Location | Issue | Recommendation | Effort)
 *   ### Recommended Actions (Priority-Sorted)
 *   ### Sources Consulted
 *
 * Every text taken from the report goes through report_md_cell() or
 * report_md_code(), so '|', line breaks and stray backticks cannot break
 * a table.  The renderer only presents: numbers come from the report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "render.h"

/* Locations listed per recommended action before "and K more". */
#define MD_MAX_LOCATIONS 5

static const char *sget(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

static int is_error(const json_t *cat)
{
	return strcmp(sget(cat, "status"), "error") == 0;
}

/* Prints pre, the escaped text s, then post.  0 or -1. */
static int put_esc(FILE *fp, const char *pre, const char *s, const char *post)
{
	char *e = report_md_cell(s);

	if (!e)
		return -1;
	fprintf(fp, "%s%s%s", pre, e, post);
	free(e);
	return 0;
}

/* " text |": one escaped table cell. 0 or -1. */
static int cell(FILE *fp, const char *s)
{
	return put_esc(fp, " ", s, " |");
}

/* A cell holding s as a code span. 0 or -1. */
static int code_cell(FILE *fp, const char *s)
{
	char *c = report_md_code(s);

	if (!c)
		return -1;
	fprintf(fp, " %s |", c);
	free(c);
	return 0;
}

static long long iget(const json_t *obj, const char *key)
{
	return (long long)json_integer_value(json_object_get(obj, key));
}

/* What --baseline and --changed (pperf --since) left out of the lists. 0 or -1. */
static int md_scope(FILE *fp, const json_t *report)
{
	const json_t *b = json_object_get(report, "baseline"), *c = json_object_get(report, "changed");
	int rc = 0;

	if (json_is_object(b)) {
		char *file = report_md_code(sget(b, "file"));

		if (!file)
			return -1;
		fprintf(fp, "**Baseline** %s: %lld new finding%s (listed), %lld baselined (not listed), "
			"%lld baseline entr%s fixed.\n\n", file, iget(b, "new"), iget(b, "new") == 1 ? "" : "s",
			iget(b, "baselined"), iget(b, "fixed"), iget(b, "fixed") == 1 ? "y" : "ies");
		free(file);
	}
	if (json_is_object(c)) {
		rc |= put_esc(fp, "**Changed lines** (", sget(c, "label"), "): ");
		fprintf(fp, "%lld finding%s on changed lines (listed), %lld on unchanged lines (not listed)."
			"\n\n", iget(c, "changed"), iget(c, "changed") == 1 ? "" : "s", iget(c, "unchanged"));
	}
	if (json_is_object(b) || json_is_object(c))
		fputs("The scores and the category notes cover every finding; the severity summary, the "
		      "findings and the actions cover the listed ones.\n\n", fp);
	return rc;
}

static int md_title_summary(FILE *fp, const json_t *report)
{
	const char *date = sget(report, "date");
	char *summary = report_summary(report);

	if (!summary || put_esc(fp, "## Persistence & Performance Audit Report - ",
				*date ? date : "(undated)", "\n\n") < 0) {
		free(summary);
		return -1;
	}
	fprintf(fp, "### Executive Summary\n\n%s\n\n", summary);
	free(summary);
	return md_scope(fp, report);
}

static int md_compliance(FILE *fp, const json_t *report)
{
	const json_t *cats = json_object_get(report, "categories"), *c;
	unsigned nok = 0;
	char num[32];
	int rc = 0;
	size_t i;

	fputs("### Compliance Score\n\n| Category | Score | Notes |\n| --- | --- | --- |\n", fp);
	json_array_foreach(cats, i, c) {
		fputs("|", fp);
		rc |= cell(fp, sget(c, "category"));
		if (is_error(c)) {
			fputs(" error |", fp);
		} else {
			fprintf(fp, " %s/10 |", report_fmt_score(json_object_get(c, "score"), num,
								 sizeof num));
			nok++;
		}
		rc |= cell(fp, sget(c, "notes"));
		fputs("\n", fp);
	}
	report_fmt_score(json_object_get(report, "overall_score"), num, sizeof num);
	if (nok)
		fprintf(fp, "| **Overall** | **%s/10** | mean of %u audited %s |\n\n", num, nok,
			nok == 1 ? "category" : "categories");
	else
		fputs("| **Overall** | **n/a** | no category audited |\n\n", fp);
	return rc;
}

static void md_severities(FILE *fp, const json_t *report)
{
	static const char *const names[] = { NULL, "LOW", "MEDIUM", "HIGH", "CRITICAL" };
	const json_t *sc = json_object_get(report, "severity_counts");
	unsigned k[5];
	long long total = 0;
	int s;

	report_count(json_object_get(report, "findings"), k);
	fputs("### Severity Summary\n\n| Severity | Count |\n| --- | ---: |\n", fp);
	for (s = SEV_CRITICAL; s >= SEV_LOW; s--) {
		const json_t *v = json_object_get(sc, names[s]);
		long long n = json_is_integer(v) ? (long long)json_integer_value(v) : k[s];

		fprintf(fp, "| %s | %lld |\n", names[s], n);
		total += n;
	}
	fprintf(fp, "| **Total** | **%lld** |\n\n", total);
	/* findings silenced by "pperf: ignore" comments: not scored, but said */
	if (json_integer_value(json_object_get(report, "suppressed")) > 0)
		fprintf(fp, "%lld more finding%s suppressed by `pperf: ignore` comments (not counted above, "
			"not scored).\n\n", (long long)json_integer_value(json_object_get(report, "suppressed")),
			json_integer_value(json_object_get(report, "suppressed")) == 1 ? " was" : "s were");
}

/* The finding's "location", or file:line when it has none.  Borrowed or buf. */
static const char *location(const json_t *f, char *buf, size_t len)
{
	const char *loc = sget(f, "location");

	if (*loc)
		return loc;
	snprintf(buf, len, "%s:%lld", sget(f, "file"),
		 (long long)json_integer_value(json_object_get(f, "line")));
	return buf;
}

/* The findings table of one category (or the reason it has none). 0 or -1. */
static int md_category(FILE *fp, const char *name, const json_t *cat, const json_t *findings)
{
	const json_t *f;
	unsigned n = 0;
	int rc = 0;
	size_t i;

	rc |= put_esc(fp, "#### ", name, "\n\n");
	json_array_foreach(findings, i, f)
		n += strcmp(sget(f, "category"), name) == 0;
	if (cat && is_error(cat))
		rc |= put_esc(fp, n ? "Category not fully audited (" : "Category not audited (",
			      sget(cat, "notes"), ").\n\n");
	if (n == 0) {
		if (!cat || !is_error(cat))
			fputs("No findings.\n\n", fp);
		return rc;
	}
	fputs("| Severity | Location | Issue | Recommendation | Effort |\n"
	      "| --- | --- | --- | --- | --- |\n", fp);
	json_array_foreach(findings, i, f) {
		char loc[1024];

		if (strcmp(sget(f, "category"), name) != 0)
			continue;
		fputs("|", fp);
		rc |= cell(fp, sget(f, "severity"));
		rc |= code_cell(fp, location(f, loc, sizeof loc));
		rc |= cell(fp, sget(f, "issue"));
		rc |= cell(fp, sget(f, "recommendation"));
		rc |= cell(fp, sget(f, "effort"));
		fputs("\n", fp);
	}
	fputs("\n", fp);
	return rc;
}

/* 1 when a category of that name is in cats, or among findings[0..upto). */
static int name_seen(const json_t *cats, const json_t *findings, size_t upto, const char *name)
{
	const json_t *x;
	size_t i;

	json_array_foreach(cats, i, x)
		if (strcmp(sget(x, "category"), name) == 0)
			return 1;
	for (i = 0; i < upto; i++)
		if (strcmp(sget(json_array_get(findings, i), "category"), name) == 0)
			return 1;
	return 0;
}

static int md_findings(FILE *fp, const json_t *report)
{
	const json_t *cats = json_object_get(report, "categories");
	const json_t *findings = json_object_get(report, "findings"), *c;
	int rc = 0;
	size_t i;

	fputs("### Findings by Category\n\n", fp);
	json_array_foreach(cats, i, c)
		rc |= md_category(fp, sget(c, "category"), c, findings);
	/* findings of a category the report does not list still get shown */
	json_array_foreach(findings, i, c)
		if (!name_seen(cats, findings, i, sget(c, "category")))
			rc |= md_category(fp, sget(c, "category"), NULL, findings);
	return rc;
}

/* One recommended action: the findings of one check in one category. */
struct action {
	const json_t *first; /* the most severe finding, first in report order */
	int sev;
	unsigned n;
	int mixed;           /* the findings recommend different things */
};

static int action_cmp(const void *pa, const void *pb)
{
	const struct action *a = pa, *b = pb;
	int c;

	if (a->sev != b->sev)
		return b->sev - a->sev;
	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	if ((c = strcmp(sget(a->first, "check"), sget(b->first, "check"))) != 0)
		return c;
	return strcmp(sget(a->first, "category"), sget(b->first, "category"));
}

static int same_group(const json_t *a, const json_t *b)
{
	return strcmp(sget(a, "check"), sget(b, "check")) == 0 &&
	       strcmp(sget(a, "category"), sget(b, "category")) == 0;
}

/* Groups findings by check, most severe group first.  *n gets the count. */
static struct action *group_actions(const json_t *findings, size_t *n)
{
	size_t i, j, cnt = 0, total = json_array_size(findings);
	struct action *v = calloc(total ? total : 1, sizeof *v);
	const json_t *f;

	if (!v)
		return NULL;
	json_array_foreach(findings, i, f) {
		int sev = (int)report_finding_sev(f);

		for (j = 0; j < cnt && !same_group(v[j].first, f); j++)
			;
		if (j == cnt) {
			v[cnt].first = f;
			v[cnt++].sev = sev;
		} else {
			if (strcmp(sget(v[j].first, "recommendation"), sget(f, "recommendation")))
				v[j].mixed = 1;
			if (sev > v[j].sev) {
				v[j].first = f;
				v[j].sev = sev;
			}
		}
		v[j].n++;
	}
	qsort(v, cnt, sizeof *v, action_cmp);
	*n = cnt;
	return v;
}

/* " Where: `a:1`, `b:2` and 3 more." for the findings of one action. 0 or -1. */
static int md_where(FILE *fp, const struct action *a, const json_t *findings)
{
	const json_t *f;
	unsigned shown = 0;
	size_t i;

	fputs(" Where:", fp);
	json_array_foreach(findings, i, f) {
		char *code, loc[1024];

		if (!same_group(a->first, f))
			continue;
		if (shown == MD_MAX_LOCATIONS)
			break;
		code = report_md_code(location(f, loc, sizeof loc));
		if (!code)
			return -1;
		fprintf(fp, "%s %s", shown ? "," : "", code);
		free(code);
		shown++;
	}
	if (a->n > shown)
		fprintf(fp, " and %u more", a->n - shown);
	fputs(".\n", fp);
	return 0;
}

static int md_actions(FILE *fp, const json_t *report)
{
	const json_t *findings = json_object_get(report, "findings");
	struct action *v;
	size_t i, n = 0;
	int rc = 0;

	fputs("### Recommended Actions (Priority-Sorted)\n\n", fp);
	if (!(v = group_actions(findings, &n)))
		return -1;
	if (n == 0)
		fputs("None: the audit found no issues.\n", fp);
	for (i = 0; i < n && rc == 0; i++) {
		/* one recommendation when the findings share it; else the rule
		 * they break, and each finding's table row says what to change */
		const char *rec = v[i].mixed && *sget(v[i].first, "principle")
				  ? sget(v[i].first, "principle") : sget(v[i].first, "recommendation");
		char *code = report_md_code(sget(v[i].first, "check"));
		size_t rl = strlen(rec);

		if (!code) {
			rc = -1;
			break;
		}
		fprintf(fp, "%zu. **%s** %s (%s, %u %s):", i + 1, sget(v[i].first, "severity"), code,
			sget(v[i].first, "category"), v[i].n, v[i].n == 1 ? "finding" : "findings");
		free(code);
		if (rl)
			rc |= put_esc(fp, " ", rec, "");
		if (rl && !strchr(".!?", rec[rl - 1]))
			fputs(".", fp);
		if (v[i].mixed)
			fputs(" The findings above say what to change at each place.", fp);
		rc |= md_where(fp, &v[i], findings);
	}
	fputs("\n", fp);
	free(v);
	return rc;
}

/* 1 when url can stand inside (...) of a Markdown link as it is. */
static int link_safe(const char *url)
{
	return *url && !strpbrk(url, " \t\r\n()<>[]`|\\");
}

static int md_sources(FILE *fp, const json_t *report)
{
	const json_t *src = json_object_get(report, "sources"), *s;
	int rc = 0;
	size_t i;

	fputs("### Sources Consulted\n\n", fp);
	if (json_array_size(src) == 0) {
		fputs("None (offline run).\n", fp);
		return 0;
	}
	json_array_foreach(src, i, s) {
		const char *title = json_is_string(s) ? json_string_value(s) : sget(s, "title");
		const char *url = sget(s, "url");

		if (*url && link_safe(url) && *title) {
			char *t = report_md_cell(title);
			size_t k;

			if (!t)
				return -1;
			fputs("- [", fp);
			for (k = 0; t[k]; k++)
				fprintf(fp, "%s%c", t[k] == '[' || t[k] == ']' ? "\\" : "", t[k]);
			fprintf(fp, "](%s)\n", url);
			free(t);
		} else if (*url && link_safe(url)) {
			fprintf(fp, "- <%s>\n", url);
		} else if (*title || *url) {
			rc |= put_esc(fp, "- ", *title ? title : url, "");
			rc |= *title && *url ? put_esc(fp, " (", url, ")") : 0;
			fputs("\n", fp);
		}
	}
	return rc;
}

char *render_markdown(const json_t *report, const struct render_opts *ro, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	int rc = 0;
	FILE *fp = open_memstream(&buf, &n);

	(void)ro;
	if (!fp)
		return NULL;
	rc |= md_title_summary(fp, report);
	rc |= md_compliance(fp, report);
	md_severities(fp, report);
	rc |= md_findings(fp, report);
	rc |= md_actions(fp, report);
	rc |= md_sources(fp, report);
	if (fclose(fp) != 0 || rc) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}
