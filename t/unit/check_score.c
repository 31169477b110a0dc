/*
 * Unit tests for lib/score.c: the penalty formula, the floor at 0 and
 * rounding to one decimal.
 */
#include <check.h>

#include "score.h"

static const struct {
	unsigned c, h, m, l;
	double want;
} cases[] = {
	{ 0, 0, 0, 0, 10.0 },
	{ 1, 0, 0, 0, 8.0 },
	{ 0, 1, 0, 0, 9.0 },
	{ 0, 0, 1, 0, 9.5 },
	{ 0, 0, 0, 1, 9.8 },
	{ 1, 2, 3, 4, 3.7 },   /* 2 + 2 + 1.5 + 0.8 = 6.3 */
	{ 0, 2, 1, 1, 7.3 },   /* 2 + 0.5 + 0.2 = 2.7 */
	{ 0, 0, 0, 3, 9.4 },
	{ 5, 0, 0, 0, 0.0 },   /* exactly 10 */
	{ 6, 0, 0, 0, 0.0 },   /* floor at 0 */
	{ 0, 0, 0, 49, 0.2 },
	{ 0, 0, 0, 50, 0.0 },
	{ 0, 0, 0, 51, 0.0 },
	{ 4000000000u, 4000000000u, 4000000000u, 4000000000u, 0.0 }, /* no overflow */
};

START_TEST(test_formula)
{
	double got = score_category(cases[_i].c, cases[_i].h, cases[_i].m, cases[_i].l);

	/* exact: the score is computed in tenths */
	ck_assert_msg(got == cases[_i].want, "score(%u,%u,%u,%u) = %.17g, want %g",
		      cases[_i].c, cases[_i].h, cases[_i].m, cases[_i].l, got, cases[_i].want);
}
END_TEST

START_TEST(test_formula_equals_round1)
{
	/* the exact formula agrees with round1 of the floating computation */
	unsigned c, h, m, l;

	for (c = 0; c < 3; c++)
		for (h = 0; h < 5; h++)
			for (m = 0; m < 7; m++)
				for (l = 0; l < 9; l++) {
					double p = 2.0 * c + 1.0 * h + 0.5 * m + 0.2 * l;
					double f = 10.0 - p < 0 ? 0 : 10.0 - p;

					ck_assert_double_eq(score_category(c, h, m, l),
							    score_round1(f));
				}
}
END_TEST

static const struct {
	double in, want;
} round_cases[] = {
	{ 7.25, 7.3 }, { 7.24, 7.2 }, { 0.15, 0.2 }, { 0.05, 0.1 }, { 2.675, 2.7 },
	{ -1.25, -1.3 }, { -0.04, -0.0 }, { 9.999, 10.0 }, { 0.0, 0.0 }, { 3.0, 3.0 },
	{ 7.2999999999999998, 7.3 }, { 1e300, 1e300 },
};

START_TEST(test_round1)
{
	double got = score_round1(round_cases[_i].in);

	ck_assert_msg(got == round_cases[_i].want, "round1(%.17g) = %.17g, want %.17g",
		      round_cases[_i].in, got, round_cases[_i].want);
}
END_TEST

Suite *suite_score(void)
{
	Suite *s = suite_create("score");
	TCase *f = tcase_create("formula");
	TCase *r = tcase_create("round");

	tcase_add_loop_test(f, test_formula, 0, (int)(sizeof cases / sizeof cases[0]));
	tcase_add_test(f, test_formula_equals_round1);
	tcase_add_loop_test(r, test_round1, 0, (int)(sizeof round_cases / sizeof round_cases[0]));
	suite_add_tcase(s, f);
	suite_add_tcase(s, r);
	return s;
}
