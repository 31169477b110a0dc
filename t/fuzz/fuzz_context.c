/*
 * fuzz_context: the pperf.context/1 reader (contextStore included: the
 * research phase's best_practices) on arbitrary bytes, as every phase
 * after discover reads it: lib/jsonio's parse and schema check, then what
 * the phases ask of a valid context (research's practice selection from
 * the bundled knowledge base, the checks' configuration and practice
 * lookups).  The input is also checked as a knowledge-base document
 * (pperf-research --kb).  A context that passes the check must survive a
 * dump and reload unchanged and pass again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include "jsonio.h"
#include "config.h"
#include "kb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* Reads data as jsonio_read_one does from a pipe; NULL when invalid. */
static json_t *read_doc(const uint8_t *data, size_t size, struct jsonio_err *err)
{
	FILE *fp = size ? fmemopen((void *)data, size, "rb") : fopen("/dev/null", "rb");
	json_t *doc;
	if (!fp)
		return NULL;
	doc = jsonio_read_one(fp, "<stdin>", err);
	fclose(fp);
	return doc;
}

static void use_context(const json_t *ctx)
{
	static json_t *kb;
	static int kb_tried;
	static const char *const techs[] = { "sqlalchemy", "postgresql", "go", NULL };
	json_t *bp = NULL, *src = NULL;
	struct jsonio_err err;
	char *s;
	json_t *again;
	if (!kb_tried) {
		kb_tried = 1;
		kb = kb_load_dir("research/kb", &err); /* run from the repository's root */
	}
	if (kb && kb_select(kb, json_object_get(ctx, "tech_stack"), &bp, &src) == 0) {
		CHECK(json_is_array(bp) && json_is_array(src));
		json_decref(bp);
		json_decref(src);
	}
	(void)config_check_enabled(ctx, "n_plus_one_query");
	(void)config_check_severity(ctx, "missing_rollback");
	(void)config_int(ctx, "max_loop_depth", 3);
	(void)config_list_has(ctx, "handler_decorators", "app.get");
	(void)kb_practice(ctx, "sqlalchemy-selectinload");
	(void)kb_practice_for_check(ctx, "n_plus_one_query", "sqlalchemy");
	(void)kb_source_for_check(ctx, "missing_rollback", NULL);
	(void)kb_source_among(ctx, "n_plus_one_query", techs);
	s = jsonio_dump(ctx);
	if (!s)
		return;
	again = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	CHECK(again && json_equal(again, ctx));
	CHECK(jsonio_check_context(again, &err) == 0);
	json_decref(again);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jsonio_err err;
	json_t *doc = read_doc(data, size, &err);
	if (!doc) {
		CHECK(err.msg[0] && (err.status == 3 || err.status == 4));
		return 0;
	}
	if (jsonio_check_context(doc, &err) == 0)
		use_context(doc);
	else
		CHECK(err.msg[0]);
	(void)kb_check(doc, &err);
	json_decref(doc);
	return 0;
}
