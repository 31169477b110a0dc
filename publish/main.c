/*
 * pperf-publish: renders one pperf.report/1 and delivers it.  This file
 * holds the command line, the input, the single write of the output, the
 * fallback file when publishing fails, and the exit status; the formats
 * are rooms of their own (formats.c lists them), and so are the
 * destinations of --to (deliver.h: linear.c, github.c, fallback.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "deliver.h"
#include "finding.h"
#include "jsonio.h"
#include "report.h"
#include "render.h"

static const char synopsis[] =
	"usage: pperf-publish [--format format] [-o file] [--fail-on severity] [file]\n"
	"       pperf-publish --to destination [--format format] [--team team]\n"
	"           [--repo owner/name] [--project name] [--dry-run] [--fallback file]\n"
	"           [--timeout seconds] [--fail-on severity] [file]\n";

static const char help_body[] =
	"\n"
	"Renders one pperf.report/1 (from file, or standard input) on standard\n"
	"output or into a file, or delivers it as a Linear or GitHub issue; when\n"
	"publishing fails the report is saved to the --fallback file.\n"
	"\n"
	"  --format format     output format (default markdown):\n"
	"%s"
	"  -o, --output file   write to file: a regular file is replaced atomically,\n"
	"                      a device, FIFO or /dev/stdout is written directly\n"
	"  --fail-on severity  exit 1 when a finding is at or above severity\n"
	"                      (CRITICAL, HIGH, MEDIUM, LOW or never; default never)\n"
	"  --to destination    deliver the report instead of printing it:\n"
	"                        linear    one Linear issue \"Persistence & Performance\n"
	"                                  Audit: YYYY-MM-DD\" (key in LINEAR_API_KEY)\n"
	"                        github    one GitHub issue in --repo (GITHUB_TOKEN)\n"
	"                        file:path the report written atomically to path\n"
	"  --team team         Linear team id, key or name (default: the report's\n"
	"                      Linear Configuration)\n"
	"  --repo owner/name   GitHub repository for --to github\n"
	"  --project name      Linear project name prefix (default \"Epic 0\")\n"
	"  --dry-run           print the requests, key redacted; send nothing\n"
	"  --fallback file     where the report goes when publishing fails\n"
	"                      (default ./pperf-report-YYYY-MM-DD.md)\n"
	"  --timeout seconds   time allowed for all requests (default 30)\n"
	"  --help              print this help and exit\n"
	"  --version           print the version and exit\n"
	"\n"
	"Environment: LINEAR_API_KEY, GITHUB_TOKEN (never printed),\n"
	"PPERF_LINEAR_URL, PPERF_GITHUB_URL (service URLs), SOURCE_DATE_EPOCH (the\n"
	"date of the title), http_proxy, https_proxy, no_proxy.\n"
	"\n"
	"Exit status: 0 success, 1 findings at or above --fail-on, 2 usage error\n"
	"(also a missing key or token, an unknown team or repository), 3 bad input\n"
	"data, 4 I/O error, 5 network or service error.\n";

enum dest { DEST_STDOUT, DEST_FILE, DEST_LINEAR, DEST_GITHUB };

struct opts {
	const struct format_def *format;
	int format_set;     /* --format given */
	const char *output; /* NULL: standard output */
	int fail_on;        /* 0 never, else severity rank */
	enum dest dest;     /* --to */
	const char *fallback;
	int timeout_set;
	struct deliver_opts d;
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

enum { OPT_DRY_RUN = 256, OPT_FALLBACK, OPT_PROJECT, OPT_REPO, OPT_TEAM, OPT_TIMEOUT, OPT_TO };

/* --to: linear, github or file:PATH.  0 or -1. */
static int parse_dest(const char *arg, struct opts *o)
{
	if (strcmp(arg, "linear") == 0)
		o->dest = DEST_LINEAR;
	else if (strcmp(arg, "github") == 0)
		o->dest = DEST_GITHUB;
	else if (strncmp(arg, "file:", 5) == 0 && arg[5]) {
		o->dest = DEST_FILE;
		o->output = arg + 5;
	} else
		return -1;
	return 0;
}

static int parse_timeout(const char *arg, double *t)
{
	char *end;

	errno = 0;
	*t = strtod(arg, &end);
	return errno || end == arg || *end || !(*t > 0 && *t <= 3600) ? -1 : 0;
}

/* The options that only make sense with --to linear / github.  Exit status. */
static int check_combinations(const struct opts *o, int saw_output)
{
	int net = o->dest == DEST_LINEAR || o->dest == DEST_GITHUB;

	if (saw_output && o->dest != DEST_STDOUT)
		return usage_error("-o and --to cannot be used together");
	if (net && o->format_set && strcmp(o->format->name, "markdown") != 0)
		return usage_error("--to %s publishes the Markdown report; --format %s is for standard"
				   " output and file:", o->dest == DEST_LINEAR ? "linear" : "github",
				   o->format->name);
	if (!net && (o->d.dry_run || o->fallback || o->timeout_set))
		return usage_error("--dry-run, --fallback and --timeout need --to linear or --to github");
	if (o->d.team && o->dest != DEST_LINEAR)
		return usage_error("--team needs --to linear");
	if (o->d.project && o->dest != DEST_LINEAR)
		return usage_error("--project needs --to linear");
	if (o->d.repo && o->dest != DEST_GITHUB)
		return usage_error("--repo needs --to github");
	if (o->dest == DEST_GITHUB && !o->d.repo)
		return usage_error("--to github needs --repo owner/name");
	if (o->d.repo && !deliver_repo_valid(o->d.repo))
		return usage_error("invalid repository '%s' for --repo: expected owner/name", o->d.repo);
	if (o->d.project && !*o->d.project)
		return usage_error("empty name for --project");
	return EXIT_OK;
}

/* Parses argv into o.  -1 when --help/--version was handled, else an exit status. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "fail-on", required_argument, NULL, 'f' },
		{ "fallback", required_argument, NULL, OPT_FALLBACK },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "project", required_argument, NULL, OPT_PROJECT },
		{ "repo", required_argument, NULL, OPT_REPO },
		{ "team", required_argument, NULL, OPT_TEAM },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "to", required_argument, NULL, OPT_TO },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, saw_output = 0;

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
			o->format_set = 1;
			break;
		case 'h': return print_help() == EXIT_OK ? -1 : EXIT_IO;
		case 'o': o->output = optarg; saw_output = 1; break;
		case 'V': return cli_print_version() == EXIT_OK ? -1 : EXIT_IO;
		case OPT_DRY_RUN: o->d.dry_run = 1; break;
		case OPT_FALLBACK:
			if (!*optarg)
				return usage_error("empty file name for --fallback");
			o->fallback = optarg;
			break;
		case OPT_PROJECT: o->d.project = optarg; break;
		case OPT_REPO: o->d.repo = optarg; break;
		case OPT_TEAM: o->d.team = *optarg ? optarg : NULL; break;
		case OPT_TIMEOUT:
			if (parse_timeout(optarg, &o->d.timeout) < 0)
				return usage_error("invalid --timeout '%s': seconds, more than 0 and at most 3600",
						   optarg);
			o->timeout_set = 1;
			break;
		case OPT_TO:
			if (parse_dest(optarg, o) < 0)
				return usage_error("unknown destination '%s' for --to: linear, github or file:path",
						   optarg);
			break;
		case ':': return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default: return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return usage_error("too many arguments: '%s'", argv[optind + 1]);
	return check_combinations(o, saw_output);
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

/*
 * --to linear / github: publishes markdown; on failure reports the cause
 * and saves the report to the fallback file.  Exit status.
 */
static int publish(const struct opts *o, const json_t *report, const char *md, size_t len)
{
	struct deliver_res res;
	struct deliver_job job;
	char date[16], title[96], used[4096];
	int rc;

	memset(&res, 0, sizeof res);
	deliver_today(date, sizeof date);
	deliver_title(date, title, sizeof title);
	job.report = report;
	job.markdown = md;
	job.md_len = len;
	job.date = date;
	job.title = title;
	job.priority = deliver_priority(report);
	rc = o->dest == DEST_LINEAR ? deliver_linear(&job, &o->d, &res)
				    : deliver_github(&job, &o->d, &res);
	if (res.warn[0])
		cli_warn("%s", res.warn);
	if (rc == EXIT_OK) {
		char line[1100];
		int n = snprintf(line, sizeof line, "%s\n", res.line);

		rc = o->d.dry_run ? cli_emit_stdout(res.dry ? res.dry : "", res.dry_len)
				  : cli_emit_stdout(line, n > 0 ? (size_t)n : 0);
		free(res.dry);
		return rc;
	}
	free(res.dry);
	cli_error("%s", res.msg);
	if (o->d.dry_run)
		return rc; /* nothing was sent, nothing is lost */
	if (deliver_fallback(o->fallback, date, md, len, used, sizeof used) < 0)
		cli_msg("error", used, 0, 0, "cannot write the fallback report: %s", strerror(errno));
	else
		cli_msg("note", NULL, 0, 0, "the report was saved to %s", used);
	return rc;
}

/* "pperf-publish: note: 3 findings: 1 high, 2 low" on stderr. */
static void tty_summary(const json_t *report)
{
	static const char *const names[] = { NULL, "low", "medium", "high", "critical" };
	char buf[160];
	size_t pos = 0, total = json_array_size(json_object_get(report, "findings"));
	unsigned k[5];
	int s;

	report_count(json_object_get(report, "findings"), k);
	buf[0] = '\0';
	for (s = SEV_CRITICAL; s >= SEV_LOW && pos < sizeof buf; s--) {
		int n = k[s] ? snprintf(buf + pos, sizeof buf - pos, "%s%u %s", pos ? ", " : ": ", k[s],
					names[s]) : 0;

		if (n > 0)
			pos += (size_t)n;
	}
	cli_msg("note", NULL, 0, 0, "%zu %s%s", total, total == 1 ? "finding" : "findings", buf);
}

static int run(const struct opts *o, const char *input)
{
	struct jsonio_err err;
	json_t *report = jsonio_read_path(input, &err);
	struct render_opts ro;
	const char *nc = getenv("NO_COLOR");
	char *out;
	size_t len = 0;
	int rc;

	/* colour only for a person: standard output itself (no -o, no --to) on a
	 * terminal, and never with NO_COLOR set to anything but "" (no-color.org) */
	ro.color = !o->output && o->dest == DEST_STDOUT && isatty(STDOUT_FILENO) && !(nc && *nc);

	if (!report)
		return jsonio_report(&err);
	if (jsonio_check_report(report, &err) < 0) {
		json_decref(report);
		return jsonio_report(&err);
	}
	out = o->format->render(report, &ro, &len);
	if (!out) {
		cli_error("cannot render the report: out of memory");
		rc = EXIT_IO;
	} else if (o->dest == DEST_LINEAR || o->dest == DEST_GITHUB) {
		rc = publish(o, report, out, len);
	} else {
		rc = write_output(o->output, out, len);
	}
	if (rc == EXIT_OK && o->format->tty_summary && o->dest == DEST_STDOUT && isatty(STDERR_FILENO))
		tty_summary(report); /* stdout stays findings only, for grep and editors */
	if (rc == EXIT_OK && o->fail_on && worst_severity(report) >= o->fail_on)
		rc = EXIT_FINDINGS;
	free(out);
	json_decref(report);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	int rc;

	cli_init(argv[0]);
	memset(&o, 0, sizeof o);
	o.format = publish_find_format("markdown");
	o.d.timeout = DELIVER_DEFAULT_TIMEOUT;
	rc = parse_args(argc, argv, &o);
	if (rc < 0)
		return EXIT_OK;
	if (rc != EXIT_OK)
		return rc;
	if (!o.d.project)
		o.d.project = DELIVER_DEFAULT_PROJECT;
	return run(&o, optind < argc ? argv[optind] : "-");
}
