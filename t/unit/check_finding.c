/*
 * Unit tests for lib/finding.c: severities, efforts, the list, JSON.
 */
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "finding.h"

static const struct {
	const char *in;
	enum severity sev;
} sev_cases[] = {
	{ "CRITICAL", SEV_CRITICAL }, { "high", SEV_HIGH }, { "Medium", SEV_MEDIUM },
	{ "LOW", SEV_LOW }, { "", SEV_NONE }, { "HIGHEST", SEV_NONE }, { "info", SEV_NONE },
	{ " LOW", SEV_NONE },
};

START_TEST(test_severity_parse)
{
	ck_assert_msg(severity_parse(sev_cases[_i].in) == sev_cases[_i].sev, "severity '%s'",
		      sev_cases[_i].in);
}
END_TEST

START_TEST(test_severity_name)
{
	ck_assert_str_eq(severity_name(SEV_CRITICAL), "CRITICAL");
	ck_assert_str_eq(severity_name(SEV_HIGH), "HIGH");
	ck_assert_str_eq(severity_name(SEV_MEDIUM), "MEDIUM");
	ck_assert_str_eq(severity_name(SEV_LOW), "LOW");
	ck_assert_ptr_null(severity_name(SEV_NONE));
	ck_assert_ptr_null(severity_name((enum severity)9));
	ck_assert_int_eq(severity_parse(NULL), SEV_NONE);
}
END_TEST

START_TEST(test_effort)
{
	ck_assert(effort_valid("S"));
	ck_assert(effort_valid("M"));
	ck_assert(effort_valid("L"));
	ck_assert(effort_valid("S-M"));
	ck_assert(effort_valid("M-L"));
	ck_assert(!effort_valid("s"));
	ck_assert(!effort_valid("S-L"));
	ck_assert(!effort_valid("XL"));
	ck_assert(!effort_valid(""));
	ck_assert(!effort_valid(NULL));
}
END_TEST

static struct finding sample(void)
{
	struct finding f;

	memset(&f, 0, sizeof f);
	f.check = "missing_rollback";
	f.severity = SEV_HIGH;
	f.file = "app/db.py";
	f.line = 41;
	f.issue = "commit() without rollback";
	f.principle = "every transaction ends in commit or rollback";
	f.recommendation = "use async with session.begin()";
	f.effort = "S";
	f.snippet = "await session.commit()";
	return f;
}

START_TEST(test_list_add_copies)
{
	struct finding_list fl;
	struct finding f = sample();
	char file[] = "app/x.py";
	unsigned i;

	finding_list_init(&fl);
	ck_assert_uint_eq(fl.n, 0);
	f.file = file;
	for (i = 0; i < 40; i++) {
		f.line = i + 1;
		ck_assert_int_eq(finding_list_add(&fl, &f), 0);
	}
	file[0] = 'X'; /* the list holds its own copy */
	ck_assert_uint_eq(fl.n, 40);
	ck_assert_uint_ge(fl.cap, 40);
	ck_assert_str_eq(fl.v[0].file, "app/x.py");
	ck_assert_ptr_ne(fl.v[0].file, file);
	ck_assert_uint_eq(fl.v[39].line, 40);
	ck_assert_str_eq(fl.v[39].snippet, "await session.commit()");
	finding_list_free(&fl);
	ck_assert_uint_eq(fl.n, 0);
	ck_assert_ptr_null(fl.v);
	finding_list_free(&fl); /* freeing twice is harmless */
}
END_TEST

START_TEST(test_list_null_fields)
{
	struct finding_list fl;
	struct finding f;

	memset(&f, 0, sizeof f);
	f.check = "x";
	f.severity = SEV_LOW;
	f.line = 1;
	finding_list_init(&fl);
	ck_assert_int_eq(finding_list_add(&fl, &f), 0);
	ck_assert_ptr_null(fl.v[0].snippet);
	ck_assert_ptr_null(fl.v[0].file);
	finding_list_free(&fl);
}
END_TEST

START_TEST(test_count)
{
	struct finding_list fl;
	struct finding f = sample();
	unsigned counts[5] = { 9, 9, 9, 9, 9 };
	static const enum severity sevs[] = { SEV_HIGH, SEV_LOW, SEV_HIGH, SEV_CRITICAL, SEV_LOW,
					      SEV_LOW };
	size_t i;

	finding_list_init(&fl);
	for (i = 0; i < sizeof sevs / sizeof sevs[0]; i++) {
		f.severity = sevs[i];
		finding_list_add(&fl, &f);
	}
	finding_list_count(&fl, counts);
	ck_assert_uint_eq(counts[SEV_NONE], 0);
	ck_assert_uint_eq(counts[SEV_LOW], 3);
	ck_assert_uint_eq(counts[SEV_MEDIUM], 0);
	ck_assert_uint_eq(counts[SEV_HIGH], 2);
	ck_assert_uint_eq(counts[SEV_CRITICAL], 1);
	finding_list_free(&fl);
	finding_list_count(&fl, counts);
	ck_assert_uint_eq(counts[SEV_HIGH], 0);
}
END_TEST

static const char *jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	ck_assert_msg(json_is_string(v), "field %s is a string", k);
	return json_string_value(v);
}

START_TEST(test_to_json)
{
	struct finding f = sample();
	json_t *o = finding_to_json(&f);

	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(jstr(o, "check"), "missing_rollback");
	ck_assert_str_eq(jstr(o, "severity"), "HIGH");
	ck_assert_str_eq(jstr(o, "file"), "app/db.py");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "line")), 41);
	ck_assert_str_eq(jstr(o, "location"), "app/db.py:41");
	ck_assert_str_eq(jstr(o, "issue"), "commit() without rollback");
	ck_assert_str_eq(jstr(o, "principle"), "every transaction ends in commit or rollback");
	ck_assert_str_eq(jstr(o, "recommendation"), "use async with session.begin()");
	ck_assert_str_eq(jstr(o, "effort"), "S");
	ck_assert_str_eq(jstr(o, "snippet"), "await session.commit()");
	ck_assert_uint_eq(json_object_size(o), 10);
	json_decref(o);
}
END_TEST

START_TEST(test_to_json_order_and_nulls)
{
	static const char *const keys[] = { "check", "severity", "file", "line", "location",
					    "issue", "principle", "recommendation", "effort",
					    "snippet" };
	struct finding f;
	json_t *o;
	void *it;
	size_t i = 0;

	memset(&f, 0, sizeof f);
	f.check = "c";
	f.severity = SEV_CRITICAL;
	f.file = "dir with space/a b.py";
	f.line = 7;
	o = finding_to_json(&f);
	ck_assert_ptr_nonnull(o);
	for (it = json_object_iter(o); it; it = json_object_iter_next(o, it))
		ck_assert_str_eq(json_object_iter_key(it), keys[i++]);
	ck_assert_uint_eq(i, 10);
	ck_assert_str_eq(jstr(o, "location"), "dir with space/a b.py:7");
	ck_assert_str_eq(jstr(o, "issue"), "");
	ck_assert_str_eq(jstr(o, "snippet"), "");
	json_decref(o);
}
END_TEST

START_TEST(test_to_json_bad_severity)
{
	struct finding f = sample();
	json_t *o;

	f.severity = SEV_NONE;
	o = finding_to_json(&f);
	ck_assert_ptr_nonnull(o);
	ck_assert(json_is_null(json_object_get(o, "severity")));
	json_decref(o);
}
END_TEST

Suite *suite_finding(void)
{
	Suite *s = suite_create("finding");
	TCase *names = tcase_create("names");
	TCase *list = tcase_create("list");
	TCase *js = tcase_create("json");
	TCase *neg = tcase_create("negative");

	tcase_add_loop_test(names, test_severity_parse, 0,
			    (int)(sizeof sev_cases / sizeof sev_cases[0]));
	tcase_add_test(names, test_severity_name);
	tcase_add_test(names, test_effort);
	tcase_add_test(list, test_list_add_copies);
	tcase_add_test(list, test_count);
	tcase_add_test(js, test_to_json);
	tcase_add_test(js, test_to_json_order_and_nulls);
	tcase_add_test(neg, test_list_null_fields);
	tcase_add_test(neg, test_to_json_bad_severity);
	suite_add_tcase(s, names);
	suite_add_tcase(s, list);
	suite_add_tcase(s, js);
	suite_add_tcase(s, neg);
	return s;
}
