/*
 * fuzz_report: pperf-publish's reader of a pperf.report/1 on arbitrary
 * bytes (lib/jsonio's parse and schema check), then every output format
 * of publish/formats.c on each report that passes the check: Markdown,
 * JSON, text, SARIF and HTML must all render it, with the length they
 * announce.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include "jsonio.h"
#include "../../publish/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *fp = size ? fmemopen((void *)data, size, "rb") : fopen("/dev/null", "rb");
	struct jsonio_err err;
	json_t *doc;
	size_t i;
	if (!fp)
		return 0;
	doc = jsonio_read_one(fp, "report.json", &err);
	fclose(fp);
	if (!doc)
		return 0;
	if (jsonio_check_report(doc, &err) == 0) {
		for (i = 0; i < publish_nformats; i++) {
			struct render_opts ro = { (int)(i & 1) };
			size_t len = 0;
			char *out = publish_formats[i].render(doc, &ro, &len);
			CHECK(out != NULL);
			CHECK(memchr(out, '\0', len) == NULL);
			free(out);
		}
	}
	json_decref(doc);
	return 0;
}
