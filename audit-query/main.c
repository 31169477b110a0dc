/*
 * pperf-audit-query: command line, input and exit only; the work is in the
 * check files and lib/auditor.c.
 */
#include "auditor.h"
#include "checks.h"

int main(int argc, char **argv)
{
	return auditor_main(&query_auditor, argc, argv);
}
