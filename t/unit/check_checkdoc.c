/*
 * Unit tests for the documentation a result's "checks" entries carry
 * (title, principle, severity, effort, why, example, instead): what the
 * auditors write (t/e2e/33-formats.sh checks it through the SARIF rules),
 * what lib/jsonio.c accepts, and what report_merge_checks keeps for the
 * report, where pperf-publish --format sarif reads it.
 */
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include <jansson.h>

#include "jsonio.h"
#include "report.h"

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, 0, &e);

	ck_assert_msg(v != NULL, "bad test JSON: %s", e.text);
	return v;
}

static const char result_head[] =
	"{\"schema\": \"pperf.result/1\", \"category\": \"Query Efficiency\", \"score\": 10,"
	" \"total_issues\": 0, \"critical\": 0, \"high\": 0, \"medium\": 0, \"low\": 0, \"findings\": [],"
	" \"checks\": [";

/* A result whose only check entry is {"id", "ran", "findings"} plus extra. */
static json_t *result_with(const char *extra)
{
	char buf[1024];

	snprintf(buf, sizeof buf, "%s{\"id\": \"x\", \"ran\": true, \"findings\": 0%s}]}", result_head,
		 extra);
	return J(buf);
}

START_TEST(test_doc_accepted)
{
	struct jsonio_err err;
	json_t *d = result_with(", \"title\": \"t\", \"principle\": \"p\", \"severity\": \"HIGH\","
				" \"effort\": \"S\", \"why\": \"w\", \"example\": \"e\", \"instead\": \"i\"");

	ck_assert_int_eq(jsonio_check_result(d, &err), 0);
	json_decref(d);
}
END_TEST

static const char *const bad_docs[][2] = {
	{ ", \"severity\": \"SEVERE\"", "checks[0].severity" },
	{ ", \"severity\": 3", "checks[0].severity" },
	{ ", \"title\": 1", "checks[0].title: expected string" },
	{ ", \"why\": null", "checks[0].why: expected string" },
	{ ", \"instead\": [\"x\"]", "checks[0].instead: expected string" },
};

START_TEST(test_doc_rejected)
{
	struct jsonio_err err;
	json_t *d = result_with(bad_docs[_i][0]);

	memset(&err, 0, sizeof err);
	ck_assert_int_eq(jsonio_check_result(d, &err), -1);
	ck_assert_msg(strstr(err.msg, bad_docs[_i][1]) != NULL, "message '%s' lacks '%s'", err.msg,
		      bad_docs[_i][1]);
	json_decref(d);
}
END_TEST

START_TEST(test_merge_keeps_first_doc)
{
	json_t *dst = json_array();
	json_t *a = J("[{\"id\": \"x\", \"ran\": false, \"findings\": 1, \"title\": \"first\", \"why\": 5},"
		      " {\"id\": \"y\", \"ran\": true, \"findings\": 0}]");
	json_t *b = J("[{\"id\": \"x\", \"ran\": true, \"findings\": 2, \"title\": \"second\","
		      " \"why\": \"w\", \"bogus\": \"b\"},"
		      " {\"id\": \"y\", \"ran\": true, \"findings\": 0, \"severity\": \"LOW\"}]");
	const json_t *x, *y;

	ck_assert_int_eq(report_merge_checks(dst, a), 0);
	ck_assert_int_eq(report_merge_checks(dst, b), 0);
	x = json_array_get(dst, 0);
	y = json_array_get(dst, 1);
	ck_assert_str_eq(json_string_value(json_object_get(x, "title")), "first");
	/* a non-string in the first input does not block the second's string */
	ck_assert_str_eq(json_string_value(json_object_get(x, "why")), "w");
	ck_assert_ptr_null(json_object_get(x, "bogus"));
	ck_assert_int_eq(json_integer_value(json_object_get(x, "findings")), 3);
	ck_assert_str_eq(json_string_value(json_object_get(y, "severity")), "LOW");
	json_decref(dst);
	json_decref(a);
	json_decref(b);
}
END_TEST

Suite *suite_checkdoc(void)
{
	Suite *s = suite_create("checkdoc");
	TCase *t = tcase_create("jsonio");

	tcase_add_test(t, test_doc_accepted);
	tcase_add_loop_test(t, test_doc_rejected, 0, (int)(sizeof bad_docs / sizeof bad_docs[0]));
	suite_add_tcase(s, t);
	t = tcase_create("merge");
	tcase_add_test(t, test_merge_keeps_first_doc);
	suite_add_tcase(s, t);
	return s;
}
