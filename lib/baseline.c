/*
 * baseline: see baseline.h.  The entries are kept sorted by fingerprint,
 * so a match is a binary search to the first entry of its fingerprint and a
 * walk over the (rare) equal ones for one still unused.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "cli.h"

static int bad(struct jsonio_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct jsonio_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	err->line = err->col = 0;
	err->status = EXIT_DATA;
	return -1;
}

static int valid_fp(const char *s)
{
	size_t i;

	for (i = 0; i < FINGERPRINT_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[i] == '\0';
}

static int entry_cmp(const void *x, const void *y)
{
	const struct bl_entry *a = x, *b = y;

	return strcmp(a->fp, b->fp);
}

int baseline_load(struct baseline *b, const json_t *doc, struct jsonio_err *err)
{
	const json_t *schema = json_object_get(doc, "schema"), *arr = json_object_get(doc, "fingerprints");
	const json_t *e;
	size_t i;

	memset(b, 0, sizeof *b);
	if (!json_is_object(doc))
		return bad(err, "expected a pperf.baseline/1 object, got %s",
			   json_is_array(doc) ? "array" : "a scalar");
	if (!json_is_string(schema) || strcmp(json_string_value(schema), SCHEMA_BASELINE) != 0)
		return bad(err, "schema: expected \"%s\"", SCHEMA_BASELINE);
	if (!json_is_array(arr))
		return bad(err, "fingerprints: expected an array");
	b->v = calloc(json_array_size(arr) ? json_array_size(arr) : 1, sizeof *b->v);
	if (!b->v) {
		bad(err, "out of memory");
		err->status = EXIT_IO;
		return -1;
	}
	json_array_foreach(arr, i, e) {
		const json_t *fp = json_object_get(e, "fingerprint");

		if (!json_is_object(e)) {
			baseline_free(b);
			return bad(err, "fingerprints[%zu]: expected object", i);
		}
		if (!json_is_string(fp) || !valid_fp(json_string_value(fp))) {
			baseline_free(b);
			return bad(err, "fingerprints[%zu].fingerprint: expected %d lowercase hex digits", i,
				   FINGERPRINT_LEN);
		}
		if (!json_is_string(json_object_get(e, "check")) || !json_is_string(json_object_get(e, "file"))) {
			baseline_free(b);
			return bad(err, "fingerprints[%zu]: expected strings \"check\" and \"file\"", i);
		}
		memcpy(b->v[i].fp, json_string_value(fp), FINGERPRINT_LEN + 1);
	}
	b->n = json_array_size(arr);
	if (b->n)
		qsort(b->v, b->n, sizeof *b->v, entry_cmp);
	return 0;
}

void baseline_free(struct baseline *b)
{
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

static const char *sget(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

int baseline_match(struct baseline *b, const json_t *f)
{
	char fp[FINGERPRINT_LEN + 1];
	size_t lo = 0, hi = b->n;

	fingerprint_of(sget(f, "check"), sget(f, "file"), sget(f, "snippet"), fp);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(b->v[mid].fp, fp) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < b->n && strcmp(b->v[lo].fp, fp) == 0; lo++)
		if (!b->v[lo].used) {
			b->v[lo].used = 1;
			return 1;
		}
	return 0;
}

size_t baseline_unused(const struct baseline *b)
{
	size_t i, k = 0;

	for (i = 0; i < b->n; i++)
		k += !b->v[i].used;
	return k;
}

/* Sort order of the file: file, check, fingerprint. */
static int out_cmp(const void *x, const void *y)
{
	const json_t *a = *(const json_t *const *)x, *b = *(const json_t *const *)y;
	int c = strcmp(sget(a, "file"), sget(b, "file"));

	if (!c)
		c = strcmp(sget(a, "check"), sget(b, "check"));
	return c ? c : strcmp(sget(a, "fingerprint"), sget(b, "fingerprint"));
}

json_t *baseline_of(const json_t *findings)
{
	size_t i, n = json_array_size(findings);
	json_t **v = calloc(n ? n : 1, sizeof *v), *arr = json_array(), *doc = NULL, *f;

	if (!v || !arr)
		goto done;
	json_array_foreach(findings, i, f) {
		char fp[FINGERPRINT_LEN + 1];

		fingerprint_of(sget(f, "check"), sget(f, "file"), sget(f, "snippet"), fp);
		v[i] = json_pack("{s:s, s:s, s:s}", "fingerprint", fp, "check", sget(f, "check"), "file",
				 sget(f, "file"));
		if (!v[i])
			goto done;
	}
	if (n)
		qsort(v, n, sizeof *v, out_cmp);
	for (i = 0; i < n; i++) {
		if (json_array_append_new(arr, v[i]) < 0) {
			v[i] = NULL;
			goto done;
		}
		v[i] = NULL;
	}
	doc = json_pack("{s:s, s:O}", "schema", SCHEMA_BASELINE, "fingerprints", arr);
done:
	for (i = 0; v && i < n; i++)
		json_decref(v[i]);
	free(v);
	json_decref(arr);
	return doc;
}
