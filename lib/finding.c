/*
 * finding: severities, efforts, the finding list and its JSON form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "finding.h"
#include "pathenc.h"
#include "banned.h"

static const char *const sev_names[] = { NULL, "LOW", "MEDIUM", "HIGH", "CRITICAL" };

const char *severity_name(enum severity s)
{
	if (s < SEV_LOW || s > SEV_CRITICAL)
		return NULL;
	return sev_names[s];
}

enum severity severity_parse(const char *s)
{
	int i;

	if (!s)
		return SEV_NONE;
	for (i = SEV_LOW; i <= SEV_CRITICAL; i++)
		if (strcasecmp(s, sev_names[i]) == 0)
			return (enum severity)i;
	return SEV_NONE;
}

int effort_valid(const char *s)
{
	static const char *const efforts[] = { "S", "M", "L", "S-M", "M-L" };
	size_t i;

	if (!s)
		return 0;
	for (i = 0; i < sizeof efforts / sizeof efforts[0]; i++)
		if (strcmp(s, efforts[i]) == 0)
			return 1;
	return 0;
}

void finding_list_init(struct finding_list *fl)
{
	fl->v = NULL;
	fl->n = fl->cap = 0;
}

/* malloc'd copy of s, or NULL for NULL; *oom set when the copy failed. */
static char *dup_or_null(const char *s, int *oom)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*oom = 1;
	return d;
}

static void finding_release(struct finding *f)
{
	free(f->check);
	free(f->file);
	free(f->issue);
	free(f->principle);
	free(f->recommendation);
	free(f->effort);
	free(f->snippet);
	free(f->source);
	free(f->language);
	if (f->chain)
		for (size_t i = 0; i < f->nchain; i++)
			free(f->chain[i]);
	free(f->chain);
}

int finding_list_add(struct finding_list *fl, const struct finding *f)
{
	struct finding c;
	int oom = 0;

	if (fl->n == fl->cap) {
		size_t ncap = fl->cap ? fl->cap * 2 : 16;
		struct finding *nv = realloc(fl->v, ncap * sizeof *nv);

		if (!nv)
			return -1;
		fl->v = nv;
		fl->cap = ncap;
	}
	c.severity = f->severity;
	c.line = f->line;
	c.check = dup_or_null(f->check, &oom);
	c.file = dup_or_null(f->file, &oom);
	c.issue = dup_or_null(f->issue, &oom);
	c.principle = dup_or_null(f->principle, &oom);
	c.recommendation = dup_or_null(f->recommendation, &oom);
	c.effort = dup_or_null(f->effort, &oom);
	c.snippet = dup_or_null(f->snippet, &oom);
	c.source = f->source ? dup_or_null(f->source, &oom) : NULL;
	c.language = f->language ? dup_or_null(f->language, &oom) : NULL;
	c.chain = NULL;
	c.nchain = 0;
	if (f->nchain && !oom) {
		c.chain = calloc(f->nchain, sizeof(char *));
		if (!c.chain)
			oom = 1;
		for (size_t i = 0; c.chain && i < f->nchain; i++, c.nchain++)
			c.chain[i] = dup_or_null(f->chain[i], &oom);
	}
	if (oom) {
		finding_release(&c);
		return -1;
	}
	fl->v[fl->n++] = c;
	return 0;
}

void finding_list_free(struct finding_list *fl)
{
	size_t i;

	for (i = 0; i < fl->n; i++)
		finding_release(&fl->v[i]);
	free(fl->v);
	finding_list_init(fl);
}

/* Sets obj[key] to the string s ("" for NULL).  0 or -1.  A file name that is
 * not UTF-8 (in file, location, a message) is written in pathenc's \xNN form. */
static int set_str(json_t *obj, const char *key, const char *s)
{
	return json_object_set_new(obj, key, pathenc_json(s ? s : ""));
}

json_t *finding_to_json(const struct finding *f)
{
	json_t *o = json_object();
	const char *sev = severity_name(f->severity);
	char *loc;
	size_t n;
	int rc = 0;

	if (!o)
		return NULL;
	n = (f->file ? strlen(f->file) : 0) + 24;
	loc = malloc(n);
	if (!loc) {
		json_decref(o);
		return NULL;
	}
	snprintf(loc, n, "%s:%u", f->file ? f->file : "", f->line);
	rc |= set_str(o, "check", f->check);
	/* SEV_NONE is a bug in a check: null makes the schema check catch it */
	rc |= json_object_set_new(o, "severity", sev ? json_string(sev) : json_null());
	rc |= set_str(o, "file", f->file);
	rc |= json_object_set_new(o, "line", json_integer(f->line));
	rc |= set_str(o, "location", loc);
	rc |= set_str(o, "issue", f->issue);
	rc |= set_str(o, "principle", f->principle);
	rc |= set_str(o, "recommendation", f->recommendation);
	rc |= set_str(o, "effort", f->effort);
	rc |= set_str(o, "snippet", f->snippet);
	if (f->source)
		rc |= set_str(o, "source", f->source);
	if (f->language)
		rc |= set_str(o, "language", f->language);
	if (f->nchain) {
		json_t *a = json_array();
		rc |= a ? json_object_set_new(o, "chain", a) : -1;
		for (size_t i = 0; a && i < f->nchain; i++)
			rc |= json_array_append_new(a, pathenc_json(f->chain[i] ? f->chain[i] : ""));
	}
	free(loc);
	if (rc) {
		json_decref(o);
		return NULL;
	}
	return o;
}

void finding_list_count(const struct finding_list *fl, unsigned counts[5])
{
	size_t i;

	memset(counts, 0, 5 * sizeof counts[0]);
	for (i = 0; i < fl->n; i++) {
		enum severity s = fl->v[i].severity;

		if (s >= SEV_NONE && s <= SEV_CRITICAL)
			counts[s]++;
	}
}
