/*
 * fallback: what the destinations of pperf-publish share that is not
 * network: the run's date and title, the priority from the findings, the
 * repository name check, and the file the report is saved to when
 * publishing fails (so that a report is never lost).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deliver.h"
#include "jsonio.h"
#include "report.h"

void deliver_today(char *buf, size_t len)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t now = time(NULL);
	struct tm tm;

	if (sde && *sde) {
		char *end;
		long long v = strtoll(sde, &end, 10);

		if (*end == '\0' && v >= 0)
			now = (time_t)v;
	}
	if (!gmtime_r(&now, &tm) || strftime(buf, len, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, len, "1970-01-01");
}

void deliver_title(const char *date, char *buf, size_t len)
{
	snprintf(buf, len, "Persistence & Performance Audit: %s", date);
}

int deliver_priority(const json_t *report)
{
	const json_t *f;
	int worst = SEV_NONE;
	size_t i;

	json_array_foreach(json_object_get(report, "findings"), i, f)
		if ((int)report_finding_sev(f) > worst)
			worst = (int)report_finding_sev(f);
	/* CRITICAL 1 (urgent), HIGH 2, MEDIUM 3, LOW 4, nothing 0 */
	return worst == SEV_NONE ? 0 : 5 - worst;
}

int deliver_fallback(const char *path, const char *date, const char *data, size_t len,
		     char *used, size_t usedsz)
{
	if (path)
		snprintf(used, usedsz, "%s", path);
	else
		snprintf(used, usedsz, "./pperf-report-%s.md", date);
	return jsonio_write_file_atomic(used, data, len);
}

static int repo_part(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 100 || (n <= 2 && s[0] == '.' && (n == 1 || s[1] == '.')))
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return 0;
	return 1;
}

int deliver_repo_valid(const char *s)
{
	const char *slash = s ? strchr(s, '/') : NULL;

	return slash && repo_part(s, (size_t)(slash - s)) && repo_part(slash + 1, strlen(slash + 1));
}
