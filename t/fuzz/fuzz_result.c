/*
 * fuzz_result: pperf-aggregate's reader of worker results on arbitrary
 * bytes: a stream of concatenated pperf.result/1 documents (lib/jsonio),
 * each checked against the schema and merged (aggregate/merge.c) as
 * aggregate does; then the report is built.  Whatever valid results came
 * in, the report must itself pass the pperf.report/1 check that publish
 * applies, and render as Markdown.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include "jsonio.h"
#include "../../aggregate/merge.h"
#include "../../publish/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

struct rd {
	struct agg *agg;
	unsigned nvalid;
};

static int on_result(json_t *doc, void *arg)
{
	struct rd *r = arg;
	struct jsonio_err err;
	if (jsonio_check_result(doc, &err) < 0)
		return 3;
	if (agg_add_result(r->agg, doc) < 0)
		return 4;
	r->nvalid++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *fp = size ? fmemopen((void *)data, size, "rb") : fopen("/dev/null", "rb");
	struct jsonio_err err;
	struct agg agg;
	struct rd r;
	json_t *report;
	unsigned nfailed = 0;
	int n;
	if (!fp)
		return 0;
	agg_init(&agg);
	r.agg = &agg;
	r.nvalid = 0;
	n = jsonio_read_stream(fp, "<stdin>", on_result, &r, &err);
	fclose(fp);
	CHECK(n >= -1);
	if (n < 0)
		CHECK(err.status >= 3 && err.status <= 5);
	(void)agg_expect(&agg, "Query Efficiency");
	report = agg_report(&agg, "2026-01-02", NULL, &nfailed);
	if (report) {
		struct render_opts ro = { 0 };
		size_t len;
		char *md;
		CHECK(jsonio_check_report(report, &err) == 0);
		md = render_markdown(report, &ro, &len);
		CHECK(md && strlen(md) == len);
		free(md);
		json_decref(report);
	}
	agg_free(&agg);
	return 0;
}
