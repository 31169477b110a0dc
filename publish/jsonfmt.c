/*
 * jsonfmt: --format json, the report re-serialised in pperf's one JSON
 * layout (two-space indent, fields in their order, trailing newline).
 */
#include <string.h>

#include "jsonio.h"
#include "render.h"

char *render_json(const json_t *report, const struct render_opts *ro, size_t *len)
{
	char *s = jsonio_dump(report);

	(void)ro;
	if (s)
		*len = strlen(s);
	return s;
}
