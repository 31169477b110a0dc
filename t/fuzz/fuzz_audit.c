/*
 * fuzz_audit: the three auditors end to end on one fuzzed source file.
 * The first byte of the input picks the language (Python, TypeScript,
 * Go), the rest is the file.  Every check of audit-query, audit-txn and
 * audit-runtime runs on it as in a real run (lib/auditor.c: tokens,
 * outline, the project index of the one file, the checks); each finding
 * must point into the file (line 1 .. its line count) and convert to the
 * JSON of a pperf.result/1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include "auditor.h"
#include "finding.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct auditor query_auditor, txn_auditor, runtime_auditor;

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void check_findings(const struct finding_list *fl, const char *path, const char *text, size_t len)
{
	size_t i, lines = 1;
	for (i = 0; i < len; i++) /* \n, \r\n and a lone \r end a line, as for Python and lib/srcfile */
		if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= len || text[i + 1] != '\n')))
			lines++;
	for (i = 0; i < fl->n; i++) {
		const struct finding *f = &fl->v[i];
		json_t *j;
		CHECK(f->check && f->file && f->issue);
		CHECK(strcmp(f->file, path) == 0);
		CHECK(f->line >= 1 && f->line <= lines);
		j = finding_to_json(f);
		CHECK(j != NULL);
		json_decref(j);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = { "app/services/orders.py", "src/orders/service.ts",
					     "internal/orders/service.go" };
	const struct auditor *as[] = { &query_auditor, &txn_auditor, &runtime_auditor };
	const char *text, *path;
	struct finding_list fl;
	size_t k, i;
	int lang;
	if (size == 0)
		return 0;
	lang = data[0] % 3;
	path = paths[lang];
	text = (const char *)data + 1;
	size--;
	finding_list_init(&fl);
	for (k = 0; k < 3; k++) {
		const struct auditor *a = as[k];
		if (lang == 0) {
			(void)auditor_run_buffer(a->checks, a->nchecks, path, text, size, NULL, &fl);
			continue;
		}
		for (i = 0; i < a->nlangs; i++)
			if (lang == 1 ? a->langs[i].run_ts != NULL : a->langs[i].run_go != NULL)
				(void)auditor_run_buffer_lang(a, a->langs[i].id, path, text, size, NULL, &fl);
	}
	check_findings(&fl, path, text, size);
	finding_list_free(&fl);
	return 0;
}
