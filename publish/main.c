/*
 * pperf-publish: renders one pperf.report/1.  This file holds the command
 * line, the input, the single write of the output and the exit status;
 * the formats are rooms of their own (formats.c lists them).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "finding.h"
#include "jsonio.h"
#include "report.h"
#include "render.h"

static const char synopsis[] =
	"usage: pperf-publish [--format format] [-o file] [--fail-on severity] [file]\n";

static const char help_body[] =
	"\n"
	"Renders one pperf.report/1 (from file, or standard input) on standard\n"
	"output or into a file.\n"
	"\n"
	"  --format format     output format (default markdown):\n"
	"%s"
	"  -o, --output file   write to file: a regular file is replaced atomically,\n"
	"                      a device, FIFO or /dev/stdout is written directly\n"
	"  --fail-on severity  exit 1 when a finding is at or above severity\n"
	"                      (CRITICAL, HIGH, MEDIUM, LOW or never; default never)\n"
	"  --help              print this help and exit\n"
	"  --version           print the version and exit\n"
	"\n"
	"Exit status: 0 success, 1 findings at or above --fail-on, 2 usage error,\n"
	"3 bad input data, 4 I/O error.\n";

struct opts {
	const struct format_def *format;
	const char *output; /* NULL: standard output */
	int fail_on;        /* 0 never, else severity rank */
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vmsg("error", NULL, 0, 0, fmt, ap);
	va_end(ap);
	(void)cli_write_all(STDERR_FILENO, synopsis, sizeof synopsis - 1);
	return EXIT_USAGE;
}

/* --help: the synopsis, then the options with the format table.  Exit status. */
static int print_help(void)
{
	char formats[1024], *text = NULL;
	size_t pos = 0, i, len = 0;
	int rc = EXIT_IO;
	FILE *fp;

	formats[0] = '\0';
	for (i = 0; i < publish_nformats && pos < sizeof formats; i++) {
		int n = snprintf(formats + pos, sizeof formats - pos, "                        %-9s %s\n",
				 publish_formats[i].name, publish_formats[i].summary);

		if (n > 0)
			pos += (size_t)n;
	}
	fp = open_memstream(&text, &len);
	if (!fp)
		return EXIT_IO;
	fputs(synopsis, fp);
	fprintf(fp, help_body, formats);
	if (fclose(fp) == 0)
		rc = cli_emit_stdout(text, len);
	free(text);
	return rc;
}

/* Parses argv into o.  -1 when --help/--version was handled, else an exit status. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "fail-on", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":o:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if ((o->fail_on = cli_parse_fail_on(optarg)) < 0)
				return usage_error("invalid severity '%s' for --fail-on", optarg);
			break;
		case 'F':
			if (!(o->format = publish_find_format(optarg)))
				return usage_error("unknown format '%s'", optarg);
			break;
		case 'h': return print_help() == EXIT_OK ? -1 : EXIT_IO;
		case 'o': o->output = optarg; break;
		case 'V': return cli_print_version() == EXIT_OK ? -1 : EXIT_IO;
		case ':': return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default: return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return usage_error("too many arguments: '%s'", argv[optind + 1]);
	return EXIT_OK;
}

/* Highest severity among the report's findings (SEV_NONE when none). */
static int worst_severity(const json_t *report)
{
	const json_t *f;
	int worst = SEV_NONE;
	size_t i;

	json_array_foreach(json_object_get(report, "findings"), i, f)
		if ((int)report_finding_sev(f) > worst)
			worst = (int)report_finding_sev(f);
	return worst;
}

/* Writes the whole output once, to -o or stdout.  Exit status. */
static int write_output(const char *path, const char *buf, size_t len)
{
	if (!path)
		return cli_emit_stdout(buf, len);
	if (jsonio_write_file_atomic(path, buf, len) < 0) {
		cli_msg("error", path, 0, 0, "cannot write: %s", strerror(errno));
		return EXIT_IO;
	}
	return EXIT_OK;
}

static int run(const struct opts *o, const char *input)
{
	struct jsonio_err err;
	json_t *report = jsonio_read_path(input, &err);
	char *out;
	size_t len = 0;
	int rc;

	if (!report)
		return jsonio_report(&err);
	if (jsonio_check_report(report, &err) < 0) {
		json_decref(report);
		return jsonio_report(&err);
	}
	out = o->format->render(report, &len);
	if (!out) {
		cli_error("cannot render the report: out of memory");
		rc = EXIT_IO;
	} else {
		rc = write_output(o->output, out, len);
	}
	if (rc == EXIT_OK && o->fail_on && worst_severity(report) >= o->fail_on)
		rc = EXIT_FINDINGS;
	free(out);
	json_decref(report);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = { NULL, NULL, 0 };
	int rc;

	cli_init(argv[0]);
	o.format = publish_find_format("markdown");
	rc = parse_args(argc, argv, &o);
	if (rc < 0)
		return EXIT_OK;
	if (rc != EXIT_OK)
		return rc;
	return run(&o, optind < argc ? argv[optind] : "-");
}
