/*
 * Unit tests for lib/difflines.c (pperf --since, pperf-aggregate
 * --changed) and lib/baseline.c (pperf --baseline): which lines a diff
 * changes, and which findings a baseline records, multiplicity included.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "baseline.h"
#include "difflines.h"

/* Parses text into d; the return value of difflines_read. */
static int parse(struct difflines *d, const char *text, unsigned long *line, char *msg, size_t len)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int rc;

	ck_assert_ptr_nonnull(fp);
	difflines_init(d);
	rc = difflines_read(d, fp, line, msg, len);
	fclose(fp);
	return rc;
}

/* git diff -U0 of two files, one deleted file, one new file. */
static const char git_u0[] =
	"diff --git a/app/api.py b/app/api.py\n"
	"index 1111111..2222222 100644\n"
	"--- a/app/api.py\n"
	"+++ b/app/api.py\n"
	"@@ -3 +3 @@ def f():\n"
	"-    time.sleep(1)\n"
	"+    time.sleep(2)\n"
	"@@ -10,0 +11,2 @@\n"
	"+a = 1\n"
	"++++ b = 2 (a line starting with +++)\n"
	"@@ -20,3 +22,0 @@\n"
	"-x\n"
	"-y\n"
	"-z\n"
	"diff --git a/old.py b/old.py\n"
	"deleted file mode 100644\n"
	"--- a/old.py\n"
	"+++ /dev/null\n"
	"@@ -1,2 +0,0 @@\n"
	"-gone\n"
	"-gone too\n"
	"diff --git a/my file.py b/my file.py\n"
	"new file mode 100644\n"
	"--- /dev/null\n"
	"+++ b/my file.py\t\n"
	"@@ -0,0 +1,3 @@\n"
	"+one\n"
	"+two\n"
	"+three\n"
	"\\ No newline at end of file\n";

START_TEST(test_git_u0)
{
	struct difflines d;
	unsigned long line;
	char msg[128];

	ck_assert_int_eq(parse(&d, git_u0, &line, msg, sizeof msg), 0);
	ck_assert_int_eq(difflines_has(&d, "app/api.py", 2), 0);
	ck_assert_int_eq(difflines_has(&d, "app/api.py", 3), 1);
	ck_assert_int_eq(difflines_has(&d, "app/api.py", 4), 0);
	ck_assert_int_eq(difflines_has(&d, "app/api.py", 11), 1);
	ck_assert_int_eq(difflines_has(&d, "app/api.py", 12), 1);
	ck_assert_int_eq(difflines_has(&d, "app/api.py", 13), 0);
	ck_assert_int_eq(difflines_has(&d, "app/api.py", 22), 0); /* only removed there */
	ck_assert_int_eq(difflines_has(&d, "old.py", 1), 0);
	ck_assert_int_eq(difflines_has(&d, "my file.py", 1), 1);
	ck_assert_int_eq(difflines_has(&d, "my file.py", 3), 1);
	ck_assert_int_eq(difflines_has(&d, "my file.py", 4), 0);
	ck_assert_int_eq(difflines_has(&d, "app/api.p", 3), 0);
	ck_assert_int_eq(difflines_has(&d, "b/app/api.py", 3), 0);
	difflines_free(&d);
}
END_TEST

/* Context lines are not changed lines: -U3 gives the same answer as -U0. */
START_TEST(test_context)
{
	static const char u3[] =
		"--- a/m.py\n"
		"+++ b/m.py\n"
		"@@ -1,7 +1,8 @@\n"
		" a\n"
		" b\n"
		"-c\n"
		"+C\n"
		"+D\n"
		"\n" /* a context line whose blank was stripped */
		" e\n"
		" f\n"
		" g\n";
	struct difflines d;
	unsigned long line;
	char msg[128];

	ck_assert_int_eq(parse(&d, u3, &line, msg, sizeof msg), 0);
	ck_assert_int_eq(difflines_has(&d, "m.py", 2), 0);
	ck_assert_int_eq(difflines_has(&d, "m.py", 3), 1);
	ck_assert_int_eq(difflines_has(&d, "m.py", 4), 1);
	ck_assert_int_eq(difflines_has(&d, "m.py", 5), 0);
	ck_assert_int_eq(difflines_has(&d, "m.py", 8), 0);
	difflines_free(&d);
}
END_TEST

/* Quoted names (git's core.quotePath), and the same file in two diffs. */
START_TEST(test_quoted_and_merged)
{
	static const char q[] =
		"--- /dev/null\n"
		"+++ \"b/caf\\303\\251 \\\"x\\\".py\"\n"
		"@@ -0,0 +1 @@\n"
		"+x\n"
		"--- /dev/null\n"
		"+++ \"b/raw\\377.py\"\n"
		"@@ -0,0 +1 @@\n"
		"+x\n"
		"--- a/m.py\n"
		"+++ b/m.py\n"
		"@@ -4,0 +5,2 @@\n"
		"+x\n"
		"+y\n"
		"--- a/m.py\n"
		"+++ b/m.py\n"
		"@@ -1,0 +2,3 @@\n"
		"+x\n"
		"+y\n"
		"+z\n"
		"+++ b/crlf.py\r\n" /* a diff saved with CRLF line ends */
		"@@ -0,0 +1 @@\r\n"
		"+x\r\n";
	struct difflines d;
	unsigned long line;
	char msg[128];
	unsigned long i;

	ck_assert_int_eq(parse(&d, q, &line, msg, sizeof msg), 0);
	ck_assert_int_eq(difflines_has(&d, "caf\xC3\xA9 \"x\".py", 1), 1);
	ck_assert_int_eq(difflines_has(&d, "raw\\xff.py", 1), 1); /* pathenc's display form */
	ck_assert_int_eq(difflines_has(&d, "crlf.py", 1), 1);
	for (i = 1; i <= 7; i++)
		ck_assert_int_eq(difflines_has(&d, "m.py", i), i >= 2 && i <= 6);
	difflines_free(&d);
}
END_TEST

struct bad_case {
	const char *text;
	unsigned long line;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{ "@@ -1 +1 @@\n+x\n", 1, "hunk before any '+++' file line" },
	{ "+++ b/a.py\n@@ -1 +x @@\n", 2, "malformed hunk header" },
	{ "+++ b/a.py\n@@ -1 +1\n", 2, "malformed hunk header" },
	{ "+++ b/a.py\n@@ -1,2 +1,2 @@\n-x\n+y\n", 5, "the diff ends inside a hunk" },
	{ "+++ b/a.py\n@@ -1 +1 @@\n-x\nzzz\n", 4, "hunk ends before its header's line counts" },
	{ "+++ b/a.py\n@@ -1 +1,0 @@\n-x\n-y\n+++ b/b.py\n", 0, NULL }, /* "-y" is text between hunks */
	{ "+++ b/a.py\n@@@ -1 -1 +1 @@@\n", 2, "combined diffs (merge commits) are not supported" },
	{ "+++ \"b/a.py\n", 1, "malformed quoted file name" },
	{ "+++ b/\n", 1, "empty file name after '+++'" },
	{ "+++ b/a.py\n@@ -0,0 +0,1 @@\n+x\n", 2, "malformed hunk header: new lines start at line 0" },
};

START_TEST(test_malformed)
{
	const struct bad_case *c = &bad_cases[_i];
	struct difflines d;
	unsigned long line = 99;
	char msg[128] = "";
	int rc = parse(&d, c->text, &line, msg, sizeof msg);

	if (!c->msg) {
		ck_assert_int_eq(rc, 0);
	} else {
		ck_assert_int_eq(rc, -1);
		ck_assert_uint_eq(line, c->line);
		ck_assert_str_eq(msg, c->msg);
	}
	difflines_free(&d);
}
END_TEST

static json_t *finding(const char *check, const char *file, int line, const char *snippet)
{
	return json_pack("{s:s, s:s, s:i, s:s}", "check", check, "file", file, "line", line, "snippet", snippet);
}

/* A baseline written from findings matches them again after a line shift
 * and white space changes, not after an edit; multiplicity counts. */
START_TEST(test_baseline_roundtrip)
{
	json_t *old = json_array(), *doc, *f;
	struct baseline b;
	struct jsonio_err err;
	char *text;

	json_array_append_new(old, finding("sync_sleep_in_async", "a.py", 10, "time.sleep(1)\nnext"));
	json_array_append_new(old, finding("sync_sleep_in_async", "a.py", 20, "time.sleep(1)"));
	json_array_append_new(old, finding("n_plus_one_query", "b.py", 5, "  x = await s.get(A, i)"));
	doc = baseline_of(old);
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "schema")), "pperf.baseline/1");
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "fingerprints")), 3);
	/* sorted by file, then check */
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(doc, "fingerprints"), 0), "file")), "a.py");
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(doc, "fingerprints"), 2), "file")), "b.py");
	text = jsonio_dump(doc);
	ck_assert_ptr_nonnull(text);
	json_decref(doc);
	doc = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	free(text);
	ck_assert_int_eq(baseline_load(&b, doc, &err), 0);
	json_decref(doc);

	f = finding("n_plus_one_query", "b.py", 9, "x   =  await s.get(A, i)  "); /* moved, re-indented */
	ck_assert_int_eq(baseline_match(&b, f), 1);
	json_decref(f);
	f = finding("sync_sleep_in_async", "a.py", 13, "time.sleep(1)");
	ck_assert_int_eq(baseline_match(&b, f), 1);
	ck_assert_int_eq(baseline_match(&b, f), 1);
	ck_assert_int_eq(baseline_match(&b, f), 0); /* a third copy is new */
	json_decref(f);
	f = finding("sync_sleep_in_async", "a.py", 13, "time.sleep(2)"); /* edited */
	ck_assert_int_eq(baseline_match(&b, f), 0);
	json_decref(f);
	f = finding("sync_sleep_in_async", "c.py", 10, "time.sleep(1)"); /* another file */
	ck_assert_int_eq(baseline_match(&b, f), 0);
	json_decref(f);
	ck_assert_uint_eq(baseline_unused(&b), 0);
	baseline_free(&b);
	json_decref(old);
}
END_TEST

START_TEST(test_baseline_fixed)
{
	json_t *doc = json_pack("{s:s, s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}]}", "schema", "pperf.baseline/1",
				"fingerprints", "fingerprint", "0123456789abcdef", "check", "x", "file", "a.py",
				"fingerprint", "0123456789abcdef", "check", "x", "file", "a.py");
	struct baseline b;
	struct jsonio_err err;

	ck_assert_int_eq(baseline_load(&b, doc, &err), 0);
	ck_assert_uint_eq(baseline_unused(&b), 2);
	baseline_free(&b);
	json_decref(doc);
}
END_TEST

static const char *const bad_baselines[][2] = {
	{ "[]", "expected a pperf.baseline/1 object, got array" },
	{ "{\"schema\": \"pperf.report/1\", \"fingerprints\": []}", "schema: expected \"pperf.baseline/1\"" },
	{ "{\"schema\": \"pperf.baseline/1\"}", "fingerprints: expected an array" },
	{ "{\"schema\": \"pperf.baseline/1\", \"fingerprints\": [1]}", "fingerprints[0]: expected object" },
	{ "{\"schema\": \"pperf.baseline/1\", \"fingerprints\": [{\"fingerprint\": \"0123456789ABCDEF\", "
	  "\"check\": \"x\", \"file\": \"a\"}]}",
	  "fingerprints[0].fingerprint: expected 16 lowercase hex digits" },
	{ "{\"schema\": \"pperf.baseline/1\", \"fingerprints\": [{\"fingerprint\": \"0123456789abcdef0\", "
	  "\"check\": \"x\", \"file\": \"a\"}]}",
	  "fingerprints[0].fingerprint: expected 16 lowercase hex digits" },
	{ "{\"schema\": \"pperf.baseline/1\", \"fingerprints\": [{\"fingerprint\": \"0123456789abcdef\", "
	  "\"check\": \"x\"}]}",
	  "fingerprints[0]: expected strings \"check\" and \"file\"" },
};

START_TEST(test_baseline_invalid)
{
	json_t *doc = json_loads(bad_baselines[_i][0], 0, NULL);
	struct baseline b;
	struct jsonio_err err;

	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(baseline_load(&b, doc, &err), -1);
	ck_assert_str_eq(err.msg, bad_baselines[_i][1]);
	ck_assert_int_eq(err.status, 3);
	ck_assert_ptr_null(b.v);
	json_decref(doc);
}
END_TEST

Suite *suite_difflines(void);

Suite *suite_difflines(void)
{
	Suite *s = suite_create("difflines");
	TCase *tc = tcase_create("diff");
	TCase *tb = tcase_create("baseline");

	tcase_add_test(tc, test_git_u0);
	tcase_add_test(tc, test_context);
	tcase_add_test(tc, test_quoted_and_merged);
	tcase_add_loop_test(tc, test_malformed, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
	tcase_add_test(tb, test_baseline_roundtrip);
	tcase_add_test(tb, test_baseline_fixed);
	tcase_add_loop_test(tb, test_baseline_invalid, 0, (int)(sizeof bad_baselines / sizeof bad_baselines[0]));
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tb);
	return s;
}
