/*
 * formats: the table of pperf-publish's output formats.  Adding a format
 * means adding its room (a file with one render function) and a row here.
 */
#include <string.h>

#include "render.h"

const struct format_def publish_formats[] = {
	{ "json", "the report itself, re-serialised (pperf.report/1)", render_json },
	{ "markdown", "the Markdown report (default)", render_markdown },
};

const size_t publish_nformats = sizeof publish_formats / sizeof publish_formats[0];

const struct format_def *publish_find_format(const char *name)
{
	size_t i;

	for (i = 0; i < publish_nformats; i++)
		if (strcmp(publish_formats[i].name, name) == 0)
			return &publish_formats[i];
	return NULL;
}
