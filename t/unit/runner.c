/*
 * The unit test runner: every t/unit/check_<name>.c exports
 * Suite *suite_<name>(void); build/t/suites.h lists them as X(name).
 * CK_RUN_SUITE / CK_RUN_CASE / CK_FORK are honoured by Check itself.
 */
#include <stdlib.h>
#include <check.h>

#define X(n) Suite *suite_##n(void);
#include "suites.h"
#undef X

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

#define X(n) srunner_add_suite(sr, suite_##n());
#include "suites.h"
#undef X
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
