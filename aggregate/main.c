/*
 * pperf-aggregate: merges worker results (pperf.result/1) into one report
 * (pperf.report/1).  This file holds the command line, the input reading
 * and the exit status; merge.c does the work.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "finding.h"
#include "jsonio.h"
#include "report.h"
#include "merge.h"
#include "scope.h"

static const char synopsis[] =
	"usage: pperf-aggregate [--fail-on severity] [--date YYYY-MM-DD]\n"
	"                       [--expect category ...] [--context file]\n"
	"                       [--baseline file] [--write-baseline file]\n"
	"                       [--changed diff [--changed-label text]] [file ...]\n";

static const char help_body[] =
	"\n"
	"Merges worker results (pperf.result/1) from the files, or from a stream of\n"
	"concatenated JSON documents on standard input, into one pperf.report/1 on\n"
	"standard output.\n"
	"\n"
	"  --fail-on severity  exit 1 when a finding is at or above severity\n"
	"                      (CRITICAL, HIGH, MEDIUM, LOW or never; default never)\n"
	"  --date YYYY-MM-DD   date of the report (default: today, UTC)\n"
	"  --expect category   the category must be present, else it is reported\n"
	"                      as failed (repeatable; a full name or query, txn, runtime)\n"
	"  --context file      take codebase_root, tech_stack, linear and sources from\n"
	"                      this pperf.context/1\n"
	"  --baseline file     list only the findings that this pperf.baseline/1 does\n"
	"                      not record; the report says how many it records and\n"
	"                      how many of its entries are fixed\n"
	"  --write-baseline file\n"
	"                      write the pperf.baseline/1 of every finding to file\n"
	"  --changed diff      list only the findings on lines that this unified diff\n"
	"                      (git diff output) adds or changes\n"
	"  --changed-label text\n"
	"                      what the diff is, for the report (default: its name)\n"
	"  --help              print this help and exit\n"
	"  --version           print the version and exit\n"
	"\n"
	"Scores and category counts cover every finding; the findings list,\n"
	"severity_counts and --fail-on only those --baseline and --changed keep.\n"
	"\n"
	"Exit status: 0 success, 1 findings at or above --fail-on, 2 usage error,\n"
	"3 bad input data (results, context, baseline or diff), 4 I/O error or a\n"
	"failed or missing category (the report is still written).\n";

struct opts {
	int fail_on;           /* 0 never, else severity rank */
	const char *date;      /* NULL: today */
	const char *context;   /* NULL: none */
	const char *baseline;  /* --baseline, NULL: none */
	const char *write_baseline; /* --write-baseline, NULL: none */
	const char *changed;   /* --changed, NULL: none */
	const char *changed_label; /* --changed-label, NULL: the --changed name */
	const char **expect;   /* category names (static strings) */
	size_t nexpect;
};

/* State handed to the stream reader's callback. */
struct reader {
	struct agg *agg;
	struct jsonio_err verr; /* the schema error of the rejected document */
	int oom;
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

/* Full category name of a --expect value, NULL when unknown. */
static const char *category_name(const char *s)
{
	static const char *const names[][2] = {
		{ CAT_QUERY, "query" }, { CAT_TXN, "txn" }, { CAT_RUNTIME, "runtime" }
	};
	size_t i;

	for (i = 0; i < 3; i++)
		if (strcasecmp(s, names[i][0]) == 0 || strcasecmp(s, names[i][1]) == 0)
			return names[i][0];
	return NULL;
}

/* 1 when s is a valid calendar date YYYY-MM-DD. */
static int valid_date(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, i;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return 0;
	if (s[10] != '\0')
		return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	return !(m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
}

/* Today's date (UTC) into buf[11]; SOURCE_DATE_EPOCH, when set, is "now". */
static void today(char *buf, size_t len)
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

static int add_expect(struct opts *o, const char *arg)
{
	const char *name = category_name(arg);
	const char **nv;

	if (!name)
		return usage_error("unknown category '%s' for --expect", arg);
	nv = realloc(o->expect, (o->nexpect + 1) * sizeof *nv);
	if (!nv) {
		cli_error("out of memory");
		return EXIT_IO;
	}
	o->expect = nv;
	o->expect[o->nexpect++] = name;
	return EXIT_OK;
}

/* Parses argv into o.  -1 when --help/--version was handled, else an exit status. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "baseline", required_argument, NULL, 'b' },
		{ "changed", required_argument, NULL, 'C' },
		{ "changed-label", required_argument, NULL, 'L' },
		{ "context", required_argument, NULL, 'c' },
		{ "date", required_argument, NULL, 'd' },
		{ "expect", required_argument, NULL, 'e' },
		{ "fail-on", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "write-baseline", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b': o->baseline = optarg; break;
		case 'C': o->changed = optarg; break;
		case 'L': o->changed_label = optarg; break;
		case 'w':
			if (!*optarg)
				return usage_error("empty file name for --write-baseline");
			o->write_baseline = optarg;
			break;
		case 'c': o->context = optarg; break;
		case 'd':
			if (!valid_date(optarg))
				return usage_error("invalid date '%s', expected YYYY-MM-DD", optarg);
			o->date = optarg;
			break;
		case 'e':
			if ((rc = add_expect(o, optarg)) != EXIT_OK)
				return rc;
			break;
		case 'f':
			if ((o->fail_on = cli_parse_fail_on(optarg)) < 0)
				return usage_error("invalid severity '%s' for --fail-on", optarg);
			break;
		case 'h':
			return cli_emit_stdout(synopsis, sizeof synopsis - 1) == EXIT_OK &&
			       cli_emit_stdout(help_body, sizeof help_body - 1) == EXIT_OK ? -1
											  : EXIT_IO;
		case 'V': return cli_print_version() == EXIT_OK ? -1 : EXIT_IO;
		case ':': return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default: return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (o->changed_label && !o->changed)
		return usage_error("--changed-label needs --changed");
	return EXIT_OK;
}

static int on_result(json_t *doc, void *arg)
{
	struct reader *r = arg;

	if (jsonio_check_result(doc, &r->verr) < 0)
		return EXIT_DATA;
	if (agg_add_result(r->agg, doc) < 0) {
		r->oom = 1;
		return EXIT_IO;
	}
	return 0;
}

/* Reads every result of one input ("-" is stdin).  Exit status. */
static int read_input(struct agg *agg, const char *path)
{
	struct reader r = { agg, { "", 0, 0, "", 0 }, 0 };
	struct jsonio_err err;
	int is_stdin = strcmp(path, "-") == 0, n;
	const char *name = is_stdin ? "<stdin>" : path;
	FILE *fp = is_stdin ? stdin : fopen(path, "r");

	if (!fp) {
		cli_msg("error", path, 0, 0, "cannot open: %s", strerror(errno));
		return EXIT_IO;
	}
	n = jsonio_read_stream(fp, name, on_result, &r, &err);
	if (!is_stdin)
		fclose(fp);
	if (n == 0) {
		cli_msg("error", name, 0, 0, "empty input, expected pperf.result/1 documents");
		return EXIT_DATA;
	}
	if (n > 0)
		return EXIT_OK;
	if (r.oom) {
		cli_error("out of memory");
		return EXIT_IO;
	}
	if (r.verr.msg[0]) {
		cli_msg("error", name, err.line, err.col, "%s", r.verr.msg);
		return EXIT_DATA;
	}
	return jsonio_report(&err);
}

/* Reads the --context document into *ctx (new reference).  Exit status. */
static int read_context(const char *path, json_t **ctx)
{
	struct jsonio_err err;

	*ctx = jsonio_read_path(path, &err);
	if (!*ctx)
		return jsonio_report(&err);
	if (jsonio_check_context(*ctx, &err) < 0) {
		json_decref(*ctx);
		*ctx = NULL;
		return jsonio_report(&err);
	}
	return EXIT_OK;
}

/* Loads the --baseline document and the --changed diff into s.  Exit status. */
static int read_scope(const struct opts *o, struct scope *s)
{
	struct jsonio_err err;
	unsigned long line;
	char msg[200];
	FILE *fp;
	int r;

	if (o->baseline) {
		json_t *doc = jsonio_read_path(o->baseline, &err);

		if (!doc)
			return jsonio_report(&err);
		r = baseline_load(&s->bl, doc, &err);
		json_decref(doc);
		if (r < 0)
			return jsonio_report(&err);
		s->baseline_file = o->baseline;
	}
	if (o->changed) {
		if (!(fp = fopen(o->changed, "r"))) {
			cli_msg("error", o->changed, 0, 0, "cannot open: %s", strerror(errno));
			return EXIT_IO;
		}
		r = difflines_read(&s->dl, fp, &line, msg, sizeof msg);
		if (r == -2)
			cli_msg("error", o->changed, 0, 0, "read error: %s", strerror(errno));
		else if (r < 0)
			cli_msg("error", o->changed, (unsigned)line, 0, "%s", msg);
		fclose(fp);
		if (r < 0)
			return r == -2 ? EXIT_IO : EXIT_DATA;
		s->changed_label = o->changed_label ? o->changed_label : o->changed;
	}
	return EXIT_OK;
}

/* Writes the baseline of every finding of report to path.  Exit status. */
static int write_baseline(const char *path, const json_t *report)
{
	json_t *doc = baseline_of(json_object_get(report, "findings"));
	char *text = doc ? jsonio_dump(doc) : NULL;
	int rc = EXIT_OK;

	if (!text) {
		cli_error("out of memory");
		rc = EXIT_IO;
	} else if (jsonio_write_file_atomic(path, text, strlen(text)) < 0) {
		cli_msg("error", path, 0, 0, "cannot write the baseline: %s", strerror(errno));
		rc = EXIT_IO;
	}
	free(text);
	json_decref(doc);
	return rc;
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

/* Names each category in error on stderr (the report is already written). */
static void report_failures(const json_t *report)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(report, "categories"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "status")), "error") == 0)
			cli_msg("error", NULL, 0, 0, "category '%s' not audited: %s",
				json_string_value(json_object_get(c, "category")),
				json_string_value(json_object_get(c, "notes")));
}

/* Reads, merges, writes.  Exit status. */
static int run(const struct opts *o, char **files, int nfiles)
{
	struct agg agg;
	struct scope scope;
	json_t *ctx = NULL, *report = NULL;
	char date[16];
	unsigned nfailed = 0;
	int i, rc = EXIT_OK;
	size_t k;

	agg_init(&agg);
	memset(&scope, 0, sizeof scope);
	difflines_init(&scope.dl);
	rc = read_scope(o, &scope);
	if (rc == EXIT_OK && o->context)
		rc = read_context(o->context, &ctx);
	for (i = 0; rc == EXIT_OK && i < nfiles; i++)
		rc = read_input(&agg, files[i]);
	if (rc == EXIT_OK && nfiles == 0)
		rc = read_input(&agg, "-");
	for (k = 0; rc == EXIT_OK && k < o->nexpect; k++)
		if (agg_expect(&agg, o->expect[k]) < 0)
			rc = EXIT_IO;
	if (rc == EXIT_OK) {
		today(date, sizeof date);
		report = agg_report(&agg, o->date ? o->date : date, ctx, &nfailed);
		if (!report) {
			cli_error("out of memory");
			rc = EXIT_IO;
		}
	}
	/* the baseline records every finding, whatever --baseline or --changed list;
	 * one made while a category failed would call all of its findings new later */
	if (rc == EXIT_OK && o->write_baseline && nfailed)
		cli_msg("error", o->write_baseline, 0, 0, "baseline not written: %u %s not audited",
			nfailed, nfailed == 1 ? "category was" : "categories were");
	else if (rc == EXIT_OK && o->write_baseline)
		rc = write_baseline(o->write_baseline, report);
	if (rc == EXIT_OK && scope_apply(report, &scope) < 0) {
		cli_error("out of memory");
		rc = EXIT_IO;
	}
	if (rc == EXIT_OK)
		rc = jsonio_emit(report);
	if (rc == EXIT_OK && nfailed) {
		report_failures(report);
		rc = EXIT_IO;
	}
	else if (rc == EXIT_OK && o->fail_on && worst_severity(report) >= o->fail_on)
		rc = EXIT_FINDINGS;
	json_decref(report);
	json_decref(ctx);
	agg_free(&agg);
	baseline_free(&scope.bl);
	difflines_free(&scope.dl);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	int rc;

	memset(&o, 0, sizeof o);
	cli_init(argv[0]);
	rc = parse_args(argc, argv, &o);
	if (rc == EXIT_OK)
		rc = run(&o, argv + optind, argc - optind);
	else if (rc < 0)
		rc = EXIT_OK;
	free(o.expect);
	return rc;
}
