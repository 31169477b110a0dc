/*
 * render: the output formats of pperf-publish.  Each format is a room of
 * its own (markdown.c, jsonfmt.c, ...) exposing one render function; the
 * table in formats.c lists them.  A renderer gets a validated
 * pperf.report/1 and returns the whole output in memory, so that nothing
 * is written unless all of it was built.
 */
#ifndef PPERF_PUBLISH_RENDER_H
#define PPERF_PUBLISH_RENDER_H

#include <stddef.h>
#include <jansson.h>

/* What a renderer may know about the place its output goes to. */
struct render_opts {
	int color; /* ANSI colours allowed: standard output is a terminal, NO_COLOR unset or empty */
};

/*
 * Renders report (borrowed) with ro.  Returns a malloc'd buffer (caller
 * frees) and its length in *len, or NULL on allocation failure.
 */
typedef char *(*render_fn)(const json_t *report, const struct render_opts *ro, size_t *len);

struct format_def {
	const char *name;    /* value of --format */
	const char *summary; /* one line for --help */
	render_fn render;
	int tty_summary;     /* a one-line count of the findings on stderr when it is a terminal */
};

extern const struct format_def publish_formats[];
extern const size_t publish_nformats;

/* The format called name, or NULL. */
const struct format_def *publish_find_format(const char *name);

char *render_markdown(const json_t *report, const struct render_opts *ro, size_t *len);
char *render_json(const json_t *report, const struct render_opts *ro, size_t *len);
char *render_sarif(const json_t *report, const struct render_opts *ro, size_t *len);
char *render_text(const json_t *report, const struct render_opts *ro, size_t *len);
char *render_html(const json_t *report, const struct render_opts *ro, size_t *len);

#endif
