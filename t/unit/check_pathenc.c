/*
 * Unit tests for lib/pathenc.c: file names that are not UTF-8 in JSON
 * (the \xNN display form, the exact hex form, the auditors' swap of path
 * for the exact bytes) and the finding writer's use of the display form.
 */
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "finding.h"
#include "pathenc.h"

START_TEST(test_is_utf8)
{
	ck_assert_int_eq(pathenc_is_utf8("app/models.py", 13), 1);
	ck_assert_int_eq(pathenc_is_utf8("caf\xC3\xA9.py", 8), 1);
	ck_assert_int_eq(pathenc_is_utf8("\xF0\x9F\x98\x80", 4), 1);
	ck_assert_int_eq(pathenc_is_utf8("bad\xff.py", 7), 0);
	ck_assert_int_eq(pathenc_is_utf8("\xC0\x80", 2), 0);         /* overlong */
	ck_assert_int_eq(pathenc_is_utf8("\xED\xA0\x80", 3), 0);     /* surrogate */
	ck_assert_int_eq(pathenc_is_utf8("\xF4\x90\x80\x80", 4), 0); /* > U+10FFFF */
	ck_assert_int_eq(pathenc_is_utf8("ab\xE2\x82", 4), 0);       /* cut sequence */
}
END_TEST

START_TEST(test_display_and_hex)
{
	char *d = pathenc_display("bad\xff\xfe" "caf\xC3\xA9\xC3.py");
	char *h = pathenc_hex("a\xff/");
	char *u;

	ck_assert_str_eq(d, "bad\\xff\\xfecaf\xC3\xA9\\xc3.py");
	ck_assert_str_eq(h, "61ff2f");
	u = pathenc_unhex(h);
	ck_assert_str_eq(u, "a\xff/");
	free(d);
	free(h);
	free(u);
	ck_assert_ptr_null(pathenc_unhex(""));
	ck_assert_ptr_null(pathenc_unhex("6"));
	ck_assert_ptr_null(pathenc_unhex("6g"));
	ck_assert_ptr_null(pathenc_unhex("6100")); /* a NUL byte */
	u = pathenc_unhex("4142");
	ck_assert_str_eq(u, "AB");
	free(u);
}
END_TEST

START_TEST(test_json)
{
	json_t *j = pathenc_json("x\xff.py");
	ck_assert_str_eq(json_string_value(j), "x\\xff.py");
	json_decref(j);
	j = pathenc_json("ok.py");
	ck_assert_str_eq(json_string_value(j), "ok.py");
	json_decref(j);
}
END_TEST

/* The auditors open the exact bytes: path becomes them, others stay. */
START_TEST(test_raw_paths)
{
	json_t *ctx = json_pack("{s:[{s:s, s:s}, {s:s}]}", "files", "path", "x\\xff.py", "path_hex", "78ff2e7079",
				"path", "a.py");
	const char *p;

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(pathenc_raw_paths(ctx), 0);
	p = json_string_value(json_object_get(json_array_get(json_object_get(ctx, "files"), 0), "path"));
	ck_assert_str_eq(p, "x\xff.py");
	p = json_string_value(json_object_get(json_array_get(json_object_get(ctx, "files"), 1), "path"));
	ck_assert_str_eq(p, "a.py");
	json_decref(ctx);
	ctx = json_pack("{s:[{s:s, s:s}]}", "files", "path", "x", "path_hex", "zz");
	ck_assert_int_eq(pathenc_raw_paths(ctx), -1);
	json_decref(ctx);
}
END_TEST

/* A finding in such a file keeps its file (display form), not dropped. */
START_TEST(test_finding_file)
{
	struct finding f;
	json_t *j;

	memset(&f, 0, sizeof(f));
	f.check = "sync_sleep_in_async";
	f.severity = SEV_MEDIUM;
	f.file = "bad\xff.py";
	f.line = 3;
	f.issue = "time.sleep in bad\xff.py";
	j = finding_to_json(&f);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "file")), "bad\\xff.py");
	ck_assert_str_eq(json_string_value(json_object_get(j, "location")), "bad\\xff.py:3");
	ck_assert_str_eq(json_string_value(json_object_get(j, "issue")), "time.sleep in bad\\xff.py");
	json_decref(j);
}
END_TEST

Suite *suite_pathenc(void);

Suite *suite_pathenc(void)
{
	Suite *s = suite_create("pathenc");
	TCase *tc = tcase_create("pathenc");

	tcase_add_test(tc, test_is_utf8);
	tcase_add_test(tc, test_display_and_hex);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_raw_paths);
	tcase_add_test(tc, test_finding_file);
	suite_add_tcase(s, tc);
	return s;
}
