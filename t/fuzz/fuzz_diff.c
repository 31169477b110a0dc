/*
 * fuzz_diff: lib/difflines.c on a fuzzed unified diff (pperf --since,
 * pperf-aggregate --changed).  The reader must accept or reject it without
 * crashing; when it accepts, the ranges must be sorted, merged and well
 * formed, and a lookup must agree with them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difflines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct difflines d;
	unsigned long line;
	char msg[128];
	FILE *fp;
	size_t i;

	if (size == 0)
		return 0;
	fp = fmemopen((void *)data, size, "r");
	if (!fp)
		return 0;
	difflines_init(&d);
	if (difflines_read(&d, fp, &line, msg, sizeof msg) == 0) {
		for (i = 0; i < d.n; i++) {
			CHECK(d.v[i].path && d.v[i].first >= 1 && d.v[i].first <= d.v[i].last);
			CHECK(difflines_has(&d, d.v[i].path, d.v[i].first));
			CHECK(difflines_has(&d, d.v[i].path, d.v[i].last));
			if (i > 0) {
				int c = strcmp(d.v[i - 1].path, d.v[i].path);

				CHECK(c < 0 || (c == 0 && d.v[i - 1].last + 1 < d.v[i].first));
			}
		}
	} else {
		CHECK(memchr(msg, '\0', sizeof msg) != NULL);
	}
	fclose(fp);
	difflines_free(&d);
	return 0;
}
