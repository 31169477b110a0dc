/*
 * Unit tests for the aggregation half of lib/report.c: finding order,
 * duplicate removal, counts, merging "checks", scores, notes, the overall
 * score, and inputs with missing or wrongly typed fields.
 */
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include <jansson.h>

#include "report.h"

/* Parses a JSON literal; the test fails when it does not parse. */
static json_t *J(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, 0, &e);

	ck_assert_msg(v != NULL, "bad test JSON: %s", e.text);
	return v;
}

static json_t *F(const char *check, const char *sev, const char *file, int line,
		 const char *issue)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:s}", "check", check, "severity", sev, "file",
			 file, "line", line, "issue", issue);
}

/* "check@file:line/SEV" of each finding of arr, joined with spaces (caller frees). */
static char *keys(const json_t *arr)
{
	char *out = calloc(1, 4096);
	const json_t *f;
	size_t i, n = 0;

	json_array_foreach(arr, i, f)
		n += (size_t)snprintf(out + n, 4096 - n, "%s%s@%s:%lld/%s", i ? " " : "",
				      json_string_value(json_object_get(f, "check")),
				      json_string_value(json_object_get(f, "file")),
				      (long long)json_integer_value(json_object_get(f, "line")),
				      json_string_value(json_object_get(f, "severity")));
	return out;
}

/* ---- order ---------------------------------------------------------- */

START_TEST(test_sort_severity_path_line)
{
	json_t *a = json_array();
	char *k;

	json_array_append_new(a, F("c1", "LOW", "a.py", 1, "i"));
	json_array_append_new(a, F("c2", "HIGH", "b.py", 10, "i"));
	json_array_append_new(a, F("c3", "CRITICAL", "z.py", 99, "i"));
	json_array_append_new(a, F("c4", "HIGH", "b.py", 9, "i"));
	json_array_append_new(a, F("c5", "HIGH", "a.py", 50, "i"));
	json_array_append_new(a, F("c6", "MEDIUM", "a.py", 2, "i"));
	ck_assert_int_eq(report_sort_dedup(a), 0);
	k = keys(a);
	ck_assert_str_eq(k, "c3@z.py:99/CRITICAL c5@a.py:50/HIGH c4@b.py:9/HIGH "
			    "c2@b.py:10/HIGH c6@a.py:2/MEDIUM c1@a.py:1/LOW");
	free(k);
	json_decref(a);
}
END_TEST

START_TEST(test_sort_line_is_numeric)
{
	json_t *a = json_array();
	char *k;

	json_array_append_new(a, F("c", "LOW", "a.py", 100, "i"));
	json_array_append_new(a, F("c", "LOW", "a.py", 9, "j"));
	ck_assert_int_eq(report_sort_dedup(a), 0);
	k = keys(a);
	ck_assert_str_eq(k, "c@a.py:9/LOW c@a.py:100/LOW");
	free(k);
	json_decref(a);
}
END_TEST

START_TEST(test_cmp_ties)
{
	json_t *a = F("x", "HIGH", "a.py", 1, "one"), *b = F("x", "HIGH", "a.py", 1, "two");

	ck_assert_int_lt(report_finding_cmp(a, b), 0);
	ck_assert_int_gt(report_finding_cmp(b, a), 0);
	ck_assert_int_eq(report_finding_cmp(a, a), 0);
	ck_assert_int_eq(report_finding_same(a, b), 0);
	json_decref(a);
	json_decref(b);
}
END_TEST

/* ---- duplicates ------------------------------------------------------ */

START_TEST(test_dedup_exact)
{
	json_t *a = json_array();

	json_array_append_new(a, F("n_plus_one_query", "HIGH", "a.py", 3, "loop"));
	json_array_append_new(a, F("missing_bulk_ops", "MEDIUM", "a.py", 3, "loop"));
	json_array_append_new(a, F("n_plus_one_query", "HIGH", "a.py", 3, "loop"));
	json_array_append_new(a, F("n_plus_one_query", "HIGH", "a.py", 3, "loop"));
	ck_assert_int_eq(report_sort_dedup(a), 2);
	ck_assert_int_eq(json_array_size(a), 2);
	json_decref(a);
}
END_TEST

START_TEST(test_dedup_keeps_most_severe)
{
	json_t *a = json_array();
	char *k;

	json_array_append_new(a, F("c", "LOW", "a.py", 3, "same"));
	json_array_append_new(a, F("d", "MEDIUM", "a.py", 1, "other"));
	json_array_append_new(a, F("c", "HIGH", "a.py", 3, "same"));
	ck_assert_int_eq(report_sort_dedup(a), 1);
	k = keys(a);
	ck_assert_str_eq(k, "c@a.py:3/HIGH d@a.py:1/MEDIUM");
	free(k);
	json_decref(a);
}
END_TEST

START_TEST(test_dedup_near_duplicates_kept)
{
	json_t *a = json_array(), *x = F("c", "HIGH", "a.py", 3, "same");

	json_array_append_new(a, F("c", "HIGH", "a.py", 3, "same"));
	json_array_append_new(a, F("c", "HIGH", "a.py", 4, "same"));    /* line */
	json_array_append_new(a, F("c", "HIGH", "b.py", 3, "same"));    /* file */
	json_array_append_new(a, F("c", "HIGH", "a.py", 3, "same!"));   /* issue */
	json_array_append_new(a, F("e", "HIGH", "a.py", 3, "same"));    /* check */
	json_object_set_new(x, "category", json_string(CAT_TXN));       /* category */
	json_array_append_new(a, x);
	ck_assert_int_eq(report_sort_dedup(a), 0);
	ck_assert_int_eq(json_array_size(a), 6);
	json_decref(a);
}
END_TEST

START_TEST(test_dedup_other_fields_ignored)
{
	json_t *a = json_array(), *x = F("c", "HIGH", "a.py", 3, "same");

	json_object_set_new(x, "recommendation", json_string("another wording"));
	json_array_append_new(a, F("c", "HIGH", "a.py", 3, "same"));
	json_array_append_new(a, x);
	ck_assert_int_eq(report_sort_dedup(a), 1);
	json_decref(a);
}
END_TEST

/* ---- scores and categories ------------------------------------------ */

START_TEST(test_category_scores)
{
	json_t *f = json_array(), *c;

	json_array_append_new(f, F("a", "CRITICAL", "a.py", 1, "i"));
	json_array_append_new(f, F("b", "HIGH", "a.py", 2, "i"));
	json_array_append_new(f, F("c", "MEDIUM", "a.py", 3, "i"));
	json_array_append_new(f, F("d", "LOW", "a.py", 4, "i"));
	c = report_category_new(CAT_QUERY, f, NULL, NULL);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(json_string_value(json_object_get(c, "status")), "ok");
	/* 10 - (2 + 1 + 0.5 + 0.2) */
	ck_assert_double_eq_tol(json_real_value(json_object_get(c, "score")), 6.3, 1e-9);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "total_issues")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "critical")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "low")), 1);
	ck_assert(json_is_array(json_object_get(c, "checks")));
	json_decref(c);
	json_decref(f);
}
END_TEST

START_TEST(test_category_score_floor)
{
	json_t *f = json_array(), *c;
	int i;

	for (i = 0; i < 7; i++)
		json_array_append_new(f, F("a", "CRITICAL", "a.py", i + 1, "i"));
	c = report_category_new(CAT_RUNTIME, f, NULL, NULL);
	ck_assert_double_eq(json_real_value(json_object_get(c, "score")), 0.0);
	json_decref(c);
	json_decref(f);
}
END_TEST

START_TEST(test_category_error)
{
	json_t *c = report_category_new(CAT_TXN, NULL, NULL, "killed by signal 9");

	ck_assert_str_eq(json_string_value(json_object_get(c, "status")), "error");
	ck_assert(json_is_null(json_object_get(c, "score")));
	ck_assert_str_eq(json_string_value(json_object_get(c, "notes")),
			 "failed: killed by signal 9");
	ck_assert_int_eq(json_integer_value(json_object_get(c, "total_issues")), 0);
	json_decref(c);
}
END_TEST

START_TEST(test_overall_score)
{
	json_t *cats = J("[{\"status\":\"ok\",\"score\":7.5},{\"status\":\"ok\",\"score\":8.5},"
			 "{\"status\":\"ok\",\"score\":7.3},{\"status\":\"error\",\"score\":null}]");
	json_t *s = report_overall_score(cats);

	/* (7.5 + 8.5 + 7.3) / 3 = 7.766... */
	ck_assert_double_eq_tol(json_real_value(s), 7.8, 1e-9);
	json_decref(s);
	json_decref(cats);
	cats = J("[{\"status\":\"error\",\"score\":null}]");
	s = report_overall_score(cats);
	ck_assert(json_is_null(s));
	json_decref(s);
	json_decref(cats);
}
END_TEST

START_TEST(test_category_rank)
{
	ck_assert_int_eq(report_category_rank(CAT_QUERY), 0);
	ck_assert_int_eq(report_category_rank(CAT_TXN), 1);
	ck_assert_int_eq(report_category_rank(CAT_RUNTIME), 2);
	ck_assert_int_eq(report_category_rank("Security"), 3);
	ck_assert_int_eq(report_category_rank(NULL), 3);
}
END_TEST

START_TEST(test_merge_checks)
{
	json_t *dst = J("[{\"id\":\"a\",\"ran\":false,\"findings\":0},"
			"{\"id\":\"b\",\"ran\":true,\"findings\":2}]");
	json_t *src = J("[{\"id\":\"a\",\"ran\":true,\"findings\":1},"
			"{\"id\":\"b\",\"ran\":false,\"findings\":3},"
			"{\"id\":\"c\",\"ran\":false,\"findings\":0}, 7, {\"ran\":true}]");
	char *s;

	ck_assert_int_eq(report_merge_checks(dst, src), 0);
	s = json_dumps(dst, JSON_COMPACT);
	ck_assert_str_eq(s, "[{\"id\":\"a\",\"ran\":true,\"findings\":1},"
			    "{\"id\":\"b\",\"ran\":true,\"findings\":5},"
			    "{\"id\":\"c\",\"ran\":false,\"findings\":0}]");
	free(s);
	json_decref(dst);
	json_decref(src);
}
END_TEST

START_TEST(test_recount_checks)
{
	json_t *checks = J("[{\"id\":\"a\",\"ran\":true,\"findings\":9},"
			   "{\"id\":\"b\",\"ran\":false,\"findings\":0}]");
	json_t *f = json_array();
	char *s;

	json_array_append_new(f, F("a", "LOW", "x.py", 1, "i"));
	json_array_append_new(f, F("z", "LOW", "x.py", 2, "i"));
	json_array_append_new(f, F("z", "LOW", "x.py", 3, "i"));
	ck_assert_int_eq(report_recount_checks(checks, f), 0);
	s = json_dumps(checks, JSON_COMPACT);
	ck_assert_str_eq(s, "[{\"id\":\"a\",\"ran\":true,\"findings\":1},"
			    "{\"id\":\"b\",\"ran\":false,\"findings\":0},"
			    "{\"id\":\"z\",\"ran\":true,\"findings\":2}]");
	free(s);
	json_decref(checks);
	json_decref(f);
}
END_TEST

/* ---- notes ---------------------------------------------------------- */

START_TEST(test_notes)
{
	json_t *f = json_array();
	json_t *checks = J("[{\"id\":\"n_plus_one_query\",\"ran\":true,\"findings\":2},"
			   "{\"id\":\"redundant_fetch\",\"ran\":false,\"findings\":0}]");
	char *n;

	json_array_append_new(f, F("n_plus_one_query", "HIGH", "a.py", 1, "i"));
	json_array_append_new(f, F("missing_bulk_ops", "LOW", "a.py", 3, "i"));
	json_array_append_new(f, F("n_plus_one_query", "HIGH", "b.py", 1, "i"));
	json_array_append_new(f, F("a_check", "HIGH", "b.py", 1, "i"));
	n = report_notes(f, checks, NULL);
	ck_assert_str_eq(n, "3 high: n_plus_one_query x2, a_check x1; "
			    "1 low: missing_bulk_ops x1; 1 check not yet run");
	free(n);
	json_decref(f);
	json_decref(checks);
}
END_TEST

START_TEST(test_notes_clean_and_failed)
{
	json_t *checks = J("[{\"id\":\"a\",\"ran\":false,\"findings\":0},"
			   "{\"id\":\"b\",\"ran\":false,\"findings\":0}]");
	char *n = report_notes(NULL, NULL, NULL);

	ck_assert_str_eq(n, "no issues found");
	free(n);
	n = report_notes(NULL, checks, NULL);
	ck_assert_str_eq(n, "no issues found; 2 checks not yet run");
	free(n);
	n = report_notes(NULL, NULL, "no result received");
	ck_assert_str_eq(n, "failed: no result received");
	free(n);
	json_decref(checks);
}
END_TEST

/* ---- malformed input ------------------------------------------------- */

START_TEST(test_garbage_findings)
{
	json_t *a = J("[7, \"x\", {\"severity\":\"SEVERE\"}, {\"check\":3,\"line\":\"x\"},"
		      "{\"check\":\"c\",\"severity\":\"LOW\",\"file\":\"a.py\",\"line\":1}]");
	unsigned k[5];
	char *n;

	ck_assert_int_ge(report_sort_dedup(a), 0);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(a, 0), "severity")),
			 "LOW");
	report_count(a, k);
	ck_assert_uint_eq(k[SEV_LOW], 1);
	ck_assert_uint_eq(k[SEV_HIGH] + k[SEV_MEDIUM] + k[SEV_CRITICAL], 0);
	n = report_notes(a, a, NULL);
	ck_assert_ptr_nonnull(n);
	free(n);
	ck_assert_int_eq(report_finding_sev(NULL), SEV_NONE);
	json_decref(a);
}
END_TEST

START_TEST(test_null_and_empty)
{
	json_t *empty = json_array(), *s;
	unsigned k[5] = { 9, 9, 9, 9, 9 };

	ck_assert_int_eq(report_sort_dedup(NULL), 0);
	ck_assert_int_eq(report_sort_dedup(empty), 0);
	report_count(NULL, k);
	ck_assert_uint_eq(k[1] + k[2] + k[3] + k[4], 0);
	ck_assert_int_eq(report_merge_checks(empty, NULL), 0);
	s = report_overall_score(NULL);
	ck_assert(json_is_null(s));
	json_decref(s);
	json_decref(empty);
}
END_TEST

Suite *suite_aggregate(void)
{
	Suite *s = suite_create("aggregate");
	TCase *t;

	t = tcase_create("order");
	tcase_add_test(t, test_sort_severity_path_line);
	tcase_add_test(t, test_sort_line_is_numeric);
	tcase_add_test(t, test_cmp_ties);
	suite_add_tcase(s, t);
	t = tcase_create("duplicates");
	tcase_add_test(t, test_dedup_exact);
	tcase_add_test(t, test_dedup_keeps_most_severe);
	tcase_add_test(t, test_dedup_near_duplicates_kept);
	tcase_add_test(t, test_dedup_other_fields_ignored);
	suite_add_tcase(s, t);
	t = tcase_create("categories");
	tcase_add_test(t, test_category_scores);
	tcase_add_test(t, test_category_score_floor);
	tcase_add_test(t, test_category_error);
	tcase_add_test(t, test_overall_score);
	tcase_add_test(t, test_category_rank);
	tcase_add_test(t, test_merge_checks);
	tcase_add_test(t, test_recount_checks);
	suite_add_tcase(s, t);
	t = tcase_create("notes");
	tcase_add_test(t, test_notes);
	tcase_add_test(t, test_notes_clean_and_failed);
	suite_add_tcase(s, t);
	t = tcase_create("malformed");
	tcase_add_test(t, test_garbage_findings);
	tcase_add_test(t, test_null_and_empty);
	suite_add_tcase(s, t);
	return s;
}
