/*
 * fuzz_baseline: the pperf.baseline/1 reader (lib/baseline.c, pperf
 * --baseline and pperf-aggregate --baseline) on arbitrary bytes: parsed
 * as a phase reads it (lib/jsonio), loaded, then matched against the
 * findings of the results of t/fixtures/results/.  A finding
 * matches at most one entry, so no more findings match than the file has
 * entries.  Once per process: the baseline of those findings
 * (baseline_of, what --write-baseline writes) must load and match every
 * one of them, leaving no entry unused.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include "baseline.h"
#include "jsonio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static json_t *findings; /* of the fixture results, loaded once (run from the repository's root) */

static void round_trip(void)
{
	struct jsonio_err err;
	struct baseline b;
	json_t *doc = baseline_of(findings), *f;
	size_t i;
	CHECK(doc != NULL);
	CHECK(baseline_load(&b, doc, &err) == 0);
	json_array_foreach(findings, i, f)
		CHECK(baseline_match(&b, f) == 1);
	CHECK(baseline_unused(&b) == 0);
	baseline_free(&b);
	json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *fp = size ? fmemopen((void *)data, size, "rb") : fopen("/dev/null", "rb");
	struct jsonio_err err;
	struct baseline b;
	json_t *doc, *f;
	size_t i, matched = 0;
	if (!findings) {
		static const char *const files[] = { "query", "txn", "runtime" };
		char path[64];
		findings = json_array();
		for (i = 0; i < 3; i++) {
			json_t *res;
			snprintf(path, sizeof path, "t/fixtures/results/%s.json", files[i]);
			res = json_load_file(path, 0, NULL);
			json_array_extend(findings, json_object_get(res, "findings"));
			json_decref(res);
		}
		CHECK(json_array_size(findings) > 0);
		round_trip();
	}
	if (!fp)
		return 0;
	doc = jsonio_read_one(fp, "baseline.json", &err);
	fclose(fp);
	if (!doc)
		return 0;
	if (baseline_load(&b, doc, &err) == 0) {
		json_array_foreach(findings, i, f)
			matched += (size_t)baseline_match(&b, f);
		CHECK(matched <= b.n && baseline_unused(&b) == b.n - matched);
		baseline_free(&b);
	} else {
		CHECK(err.msg[0]);
	}
	json_decref(doc);
	return 0;
}
