/*
 * formats: the table of pperf-publish's output formats.  Adding a format
 * means adding its room (a file with one render function) and a row here.
 */
#include <string.h>

#include "render.h"

const struct format_def publish_formats[] = {
	{ "html", "one self-contained HTML page", render_html, 0 },
	{ "json", "the report itself, re-serialised (pperf.report/1)", render_json, 0 },
	{ "markdown", "the Markdown report (default)", render_markdown, 0 },
	{ "sarif", "SARIF 2.1.0 for code scanning", render_sarif, 0 },
	{ "text", "one line per finding (path:line:col: ...)", render_text, 1 },
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
