/*
 * Unit tests for the presentation half of lib/report.c: Markdown cell
 * escaping, code spans, score formatting and the executive summary.
 */
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include <jansson.h>

#include "report.h"

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, 0, &e);

	ck_assert_msg(v != NULL, "bad test JSON: %s", e.text);
	return v;
}

/* ---- table cells: one input, one expected output per row ------------- */

static const struct {
	const char *in, *out;
} cells[] = {
	{ "plain text", "plain text" },
	{ "a | b", "a \\| b" },
	{ "||", "\\|\\|" },
	{ "line one\nline two", "line one<br>line two" },
	{ "crlf\r\nnext", "crlf<br>next" },
	{ "cr\rnext", "cr<br>next" },
	{ "  \n trimmed \t\n", "trimmed" },
	{ "use `a | b` here", "use `a \\| b` here" },
	{ "code `x\ny` span", "code `x y` span" },
	{ "stray ` tick", "stray \\` tick" },
	{ "``double`` ok", "``double`` ok" },
	{ "``unpaired` tick", "\\`\\`unpaired\\` tick" },
	{ "back\\|slash", "back\\\\\\|slash" },
	{ "C:\\temp\\*", "C:\\temp\\\\*" },
	{ "List<int>", "List\\<int>" },
	{ "`List<int>`", "`List<int>`" },
	{ "tab\there", "tab here" },
	{ "bell\a!", "bell !" },
	{ "", "" },
	{ "caf\xc3\xa9 | \xe2\x9c\x93", "caf\xc3\xa9 \\| \xe2\x9c\x93" },
};

START_TEST(test_md_cell_table)
{
	char *got = report_md_cell(cells[_i].in);

	ck_assert_ptr_nonnull(got);
	ck_assert_msg(strcmp(got, cells[_i].out) == 0, "cell %d: \"%s\" gave \"%s\", expected \"%s\"",
		      _i, cells[_i].in, got, cells[_i].out);
	free(got);
}
END_TEST

START_TEST(test_md_cell_null)
{
	char *got = report_md_cell(NULL);

	ck_assert_str_eq(got, "");
	free(got);
}
END_TEST

/* A cell never contains an unescaped '|' or a raw line break. */
START_TEST(test_md_cell_never_breaks_table)
{
	static const char *const nasty[] = {
		"|\n|\r|", "\\|", "\\\\|", "`|`|`", "```|", "a\n\n\nb|", "\r\r\n\n|"
	};
	size_t i, k;

	for (i = 0; i < sizeof nasty / sizeof nasty[0]; i++) {
		char *got = report_md_cell(nasty[i]);

		ck_assert_ptr_nonnull(got);
		ck_assert_ptr_null(strchr(got, '\n'));
		ck_assert_ptr_null(strchr(got, '\r'));
		for (k = 0; got[k]; k++) {
			if (got[k] != '|')
				continue;
			/* the pipe is escaped: an odd number of backslashes precede it */
			{
				size_t b = 0;

				while (b < k && got[k - 1 - b] == '\\')
					b++;
				ck_assert_msg(b % 2 == 1, "unescaped pipe in \"%s\"", got);
			}
		}
		free(got);
	}
}
END_TEST

START_TEST(test_md_code)
{
	char *s;

	s = report_md_code("app/db.py:41");
	ck_assert_str_eq(s, "`app/db.py:41`");
	free(s);
	s = report_md_code("a`b");
	ck_assert_str_eq(s, "``a`b``");
	free(s);
	s = report_md_code("`x`");
	ck_assert_str_eq(s, "`` `x` ``");
	free(s);
	s = report_md_code("a|b\nc");
	ck_assert_str_eq(s, "`a\\|b c`");
	free(s);
	s = report_md_code("");
	ck_assert_str_eq(s, "");
	free(s);
	s = report_md_code(NULL);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_fmt_score)
{
	char buf[16];
	json_t *v = json_real(7.25), *i = json_integer(10), *n = json_null();

	ck_assert_str_eq(report_fmt_score(v, buf, sizeof buf), "7.3");
	ck_assert_str_eq(report_fmt_score(i, buf, sizeof buf), "10.0");
	ck_assert_str_eq(report_fmt_score(n, buf, sizeof buf), "n/a");
	ck_assert_str_eq(report_fmt_score(NULL, buf, sizeof buf), "n/a");
	json_decref(v);
	json_decref(i);
	json_decref(n);
}
END_TEST

/* ---- executive summary ---------------------------------------------- */

START_TEST(test_summary_full)
{
	json_t *r = J("{\"overall_score\":7.8,\"categories\":["
		      "{\"category\":\"Query Efficiency\",\"status\":\"ok\",\"score\":7.5},"
		      "{\"category\":\"Transaction Correctness\",\"status\":\"ok\",\"score\":8.5},"
		      "{\"category\":\"Runtime Performance\",\"status\":\"ok\",\"score\":7.3}],"
		      "\"findings\":["
		      "{\"check\":\"n_plus_one_query\",\"severity\":\"CRITICAL\"},"
		      "{\"check\":\"blocking_io_in_async\",\"severity\":\"HIGH\"},"
		      "{\"check\":\"blocking_io_in_async\",\"severity\":\"MEDIUM\"},"
		      "{\"check\":\"unnecessary_allocation\",\"severity\":\"LOW\"}]}");
	char *s = report_summary(r);

	ck_assert_str_eq(s, "The overall compliance score is 7.8/10, the mean of 3 audited "
			    "categories. The audit found 4 issues: 1 critical, 1 high, 1 medium and "
			    "1 low. The weakest category is Runtime Performance (7.3/10) and the most "
			    "frequent issue is `blocking_io_in_async` (2 findings).");
	free(s);
	json_decref(r);
}
END_TEST

START_TEST(test_summary_failed_category)
{
	json_t *r = J("{\"overall_score\":10.0,\"categories\":["
		      "{\"category\":\"Query Efficiency\",\"status\":\"ok\",\"score\":10.0},"
		      "{\"category\":\"Transaction Correctness\",\"status\":\"error\",\"score\":null}],"
		      "\"findings\":[]}");
	char *s = report_summary(r);

	ck_assert_str_eq(s, "The overall compliance score is 10.0/10, the mean of 1 audited category; "
			    "1 category could not be audited (Transaction Correctness). "
			    "No issues were found.");
	free(s);
	json_decref(r);
}
END_TEST

START_TEST(test_summary_tie_prefers_severe)
{
	json_t *r = J("{\"overall_score\":8.8,\"categories\":["
		      "{\"category\":\"Runtime Performance\",\"status\":\"ok\",\"score\":8.8}],"
		      "\"findings\":[{\"check\":\"z_check\",\"severity\":\"HIGH\"},"
		      "{\"check\":\"a_check\",\"severity\":\"LOW\"}]}");
	char *s = report_summary(r);

	/* one category: no "weakest" */
	ck_assert_ptr_nonnull(strstr(s, " The most frequent issue is `z_check` (1 finding)."));
	ck_assert_ptr_null(strstr(s, "weakest"));
	ck_assert_ptr_nonnull(strstr(s, "2 issues: 1 high and 1 low."));
	free(s);
	json_decref(r);
}
END_TEST

START_TEST(test_summary_nothing)
{
	json_t *r = J("{\"categories\":[],\"findings\":[]}");
	char *s = report_summary(r);

	ck_assert_str_eq(s, "The report covers no category, so there is no overall score. "
			    "No issues were found.");
	free(s);
	json_decref(r);
	r = J("{\"overall_score\":null,\"categories\":["
	      "{\"category\":\"Runtime Performance\",\"status\":\"error\",\"score\":null}]}");
	s = report_summary(r);
	ck_assert_str_eq(s, "No category could be audited (Runtime Performance), so there is no "
			    "overall score. No issues were found.");
	free(s);
	json_decref(r);
	/* --baseline / --since: an empty list is not a clean project */
	r = J("{\"categories\":[],\"findings\":[],\"baseline\":{\"file\":\"b.json\",\"new\":0,"
	      "\"baselined\":3,\"fixed\":0}}");
	s = report_summary(r);
	ck_assert_ptr_nonnull(strstr(s, "No new issues were found (every finding is in the baseline)."));
	free(s);
	json_decref(r);
	r = J("{\"categories\":[],\"findings\":[],\"changed\":{\"label\":\"HEAD\",\"changed\":0,"
	      "\"unchanged\":2}}");
	s = report_summary(r);
	ck_assert_ptr_nonnull(strstr(s, "No issues were found on the changed lines."));
	free(s);
	json_decref(r);
}
END_TEST

START_TEST(test_summary_malformed)
{
	json_t *r = J("{\"categories\":7,\"findings\":{\"a\":1},\"overall_score\":\"x\"}");
	char *s = report_summary(r);

	ck_assert_ptr_nonnull(s);
	free(s);
	json_decref(r);
	s = report_summary(NULL);
	ck_assert_ptr_nonnull(s);
	free(s);
}
END_TEST

Suite *suite_publish(void)
{
	Suite *s = suite_create("publish");
	TCase *t;

	t = tcase_create("cells");
	tcase_add_loop_test(t, test_md_cell_table, 0, (int)(sizeof cells / sizeof cells[0]));
	tcase_add_test(t, test_md_cell_null);
	tcase_add_test(t, test_md_cell_never_breaks_table);
	tcase_add_test(t, test_md_code);
	tcase_add_test(t, test_fmt_score);
	suite_add_tcase(s, t);
	t = tcase_create("summary");
	tcase_add_test(t, test_summary_full);
	tcase_add_test(t, test_summary_failed_category);
	tcase_add_test(t, test_summary_tie_prefers_severe);
	tcase_add_test(t, test_summary_nothing);
	suite_add_tcase(s, t);
	t = tcase_create("malformed");
	tcase_add_test(t, test_summary_malformed);
	suite_add_tcase(s, t);
	return s;
}
