/*
 * auditor: command line, context, one pass over the files, the result.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auditor.h"
#include "cli.h"
#include "discover.h"
#include "jsonio.h"
#include "pyindex.h"
#include "score.h"

struct aopts {
	int fail_on;            /* rank, 0 never */
	const char *only;       /* --checks list or NULL */
	const char *path;       /* PATH operand or NULL */
};

static void usage(const struct auditor *a, FILE *fp)
{
	fprintf(fp,
		"usage: pperf-%s [--fail-on SEVERITY] [--checks ID,...] [PATH]\n"
		"       pperf-%s --list-checks | --explain ID\n",
		a->phase, a->phase);
}

static void help(const struct auditor *a)
{
	usage(a, stdout);
	printf("\nAudits Python sources for %s problems and writes a pperf.result/1\n"
	       "document on standard output.  Reads the pperf.context/1 document made by\n"
	       "pperf-discover (or pperf-research) on standard input; given PATH, or when\n"
	       "standard input is a terminal, discovers the project itself.\n\n"
	       "  --fail-on SEVERITY  exit 1 when a finding is at or above SEVERITY\n"
	       "                      (CRITICAL, HIGH, MEDIUM, LOW, never; default never)\n"
	       "  --checks ID,...     run only these checks\n"
	       "  --list-checks       print the checks of this auditor and exit\n"
	       "  --explain ID        print what a check finds, why, and what to do\n"
	       "  -h, --help          show this help\n"
	       "  -V, --version       show the version\n\n"
	       "Exit status: 0 success, 1 findings at or above --fail-on, 2 usage error,\n"
	       "3 bad input data, 4 system or I/O error.\n",
	       a->category);
}

const struct check_def *auditor_find_check(const struct check_def *checks, size_t n, const char *id)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!strcmp(checks[i].id, id))
			return &checks[i];
	return NULL;
}

static void list_checks(const struct auditor *a)
{
	size_t i;
	for (i = 0; i < a->nchecks; i++)
		printf("%-30s %-8s %s%s\n", a->checks[i].id, severity_name(a->checks[i].severity),
		       a->checks[i].title, a->checks[i].run ? "" : " (not implemented yet)");
}

static void explain(const struct check_def *c)
{
	printf("%s: %s\n\nWhy it matters:\n  %s\n\nSeverity:\n  %s\n\nExample:\n%s\n\n"
	       "Use instead:\n%s\n\nEffort: %s\n%s",
	       c->id, c->title, c->why, c->severity_rule, c->example, c->instead, c->effort,
	       c->run ? "" : "\nThis check is not implemented yet; it is reported with \"ran\": false.\n");
}

/* 1 when id is selected by the comma list only (NULL selects all). */
static int selected(const char *only, const char *id)
{
	size_t n = strlen(id);
	const char *p = only;
	if (!only)
		return 1;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == n && !strncmp(p, id, n))
			return 1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

static int validate_only(const struct auditor *a, const char *only)
{
	char *dup = strdup(only), *save = NULL, *w;
	int rc = 0;
	if (!dup)
		return -1;
	for (w = strtok_r(dup, ",", &save); w; w = strtok_r(NULL, ",", &save))
		if (!auditor_find_check(a->checks, a->nchecks, w)) {
			cli_error("--checks: unknown check '%s' (see --list-checks)", w);
			rc = -1;
			break;
		}
	free(dup);
	return rc;
}

struct counts {
	unsigned *per_check;
};

/* Per-run state checks reach through check_ctx (the project index). */
struct auditor_cache {
	const json_t *context;
	struct py_index *index;
	int tried;
	int add_buffer;   /* auditor_run_buffer: index the buffer as well */
};

struct py_index *check_project_index(struct check_ctx *cx)
{
	struct auditor_cache *c = cx->cache;
	if (!c)
		return NULL;
	if (!c->tried) {
		c->tried = 1;
		c->index = py_index_new();
		if (c->index && (py_index_add_context(c->index, c->context) < 0 ||
				 (c->add_buffer && py_index_add(c->index, cx->path, cx->ol, cx->context) < 0))) {
			py_index_free(c->index);
			c->index = NULL;
		}
	}
	return c->index;
}

void check_report(struct check_ctx *cx, unsigned line, unsigned end_line, enum severity sev,
		  const char *issue, const char *recommendation)
{
	struct finding f;
	char *snip;
	if (end_line < line)
		end_line = line;
	if (end_line > line + 5)
		end_line = line + 5;
	snip = srcfile_snippet(cx->sf, line, end_line, 400);
	memset(&f, 0, sizeof(f));
	f.check = (char *)cx->def->id;
	f.severity = sev;
	f.file = (char *)cx->path;
	f.line = line;
	f.issue = (char *)issue;
	f.principle = (char *)cx->def->principle;
	f.recommendation = (char *)recommendation;
	f.effort = (char *)cx->def->effort;
	f.snippet = snip ? snip : (char *)"";
	finding_list_add(cx->out, &f);
	free(snip);
}

static int run_checks(const struct check_def *checks, size_t nchecks, const char *only,
		      struct check_ctx *cx, unsigned *per_check)
{
	size_t i;
	for (i = 0; i < nchecks; i++) {
		size_t before = cx->out->n;
		if (!checks[i].run || !selected(only, checks[i].id))
			continue;
		cx->def = &checks[i];
		checks[i].run(cx);
		if (per_check)
			per_check[i] += (unsigned)(cx->out->n - before);
	}
	return 0;
}

static int audit_text(const struct check_def *checks, size_t nchecks, const char *only,
		      struct srcfile *sf, const char *rel, const json_t *ctx,
		      struct finding_list *out, unsigned *per_check, struct auditor_cache *cache)
{
	struct py_toks toks;
	struct py_outline ol;
	struct check_ctx cx;
	if (py_tokenize(&toks, sf->text, sf->len) < 0)
		return -1;
	if (py_outline_build(&ol, &toks) < 0) {
		py_toks_free(&toks);
		return -1;
	}
	memset(&cx, 0, sizeof(cx));
	cx.path = rel;
	cx.sf = sf;
	cx.toks = &toks;
	cx.ol = &ol;
	cx.context = ctx;
	cx.out = out;
	cx.cache = cache;
	run_checks(checks, nchecks, only, &cx, per_check);
	py_outline_free(&ol);
	py_toks_free(&toks);
	return 0;
}

int auditor_run_buffer(const struct check_def *checks, size_t nchecks, const char *path,
		       const char *text, size_t len, const json_t *context, struct finding_list *out)
{
	struct srcfile sf;
	struct auditor_cache cache = { context, NULL, 0, 1 };
	int rc;
	if (srcfile_from_buffer(&sf, path, text, len) < 0)
		return -1;
	rc = audit_text(checks, nchecks, NULL, &sf, path, context, out, NULL, &cache);
	py_index_free(cache.index);
	srcfile_free(&sf);
	return rc;
}

/* Audits every Python source file of the context. 0, or exit status. */
static int audit_each_file(const struct auditor *a, const struct aopts *o, const json_t *ctx,
			   struct finding_list *out, unsigned *per_check, unsigned *nfiles,
			   struct auditor_cache *cache)
{
	const char *root = json_string_value(json_object_get(ctx, "codebase_root"));
	const json_t *files = json_object_get(ctx, "files");
	size_t i;
	json_t *f;
	json_array_foreach(files, i, f) {
		const char *rel = json_string_value(json_object_get(f, "path"));
		const char *role = json_string_value(json_object_get(f, "role"));
		const char *lang = json_string_value(json_object_get(f, "language"));
		struct srcfile sf;
		unsigned bl = 0, bc = 0;
		enum srcfile_status st;
		char *full;
		size_t flen;
		if (!rel || !role || !lang || strcmp(role, "source") || strcmp(lang, "python"))
			continue;
		flen = strlen(root ? root : ".") + strlen(rel) + 2;
		full = malloc(flen);
		if (!full)
			return EXIT_IO;
		snprintf(full, flen, "%s/%s", root ? root : ".", rel);
		st = srcfile_load(&sf, full, 0, &bl, &bc);
		if (st != SRC_OK) {
			cli_msg("warning", rel, bl, bc, "skipped: %s",
				st == SRC_ERR_IO ? strerror(errno) : srcfile_strerror(st));
			free(full);
			continue;
		}
		if (audit_text(a->checks, a->nchecks, o->only, &sf, rel, ctx, out, per_check, cache) < 0) {
			srcfile_free(&sf);
			free(full);
			cli_error("out of memory");
			return EXIT_IO;
		}
		(*nfiles)++;
		srcfile_free(&sf);
		free(full);
	}
	return 0;
}

static int audit_files(const struct auditor *a, const struct aopts *o, const json_t *ctx,
		       struct finding_list *out, unsigned *per_check, unsigned *nfiles)
{
	struct auditor_cache cache = { ctx, NULL, 0, 0 };
	int rc = audit_each_file(a, o, ctx, out, per_check, nfiles, &cache);
	py_index_free(cache.index);
	return rc;
}

static int cmp_finding(const void *x, const void *y)
{
	const struct finding *a = x, *b = y;
	int c = strcmp(a->file, b->file);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return strcmp(a->check, b->check);
}

static json_t *build_result(const struct auditor *a, const struct aopts *o, const json_t *ctx,
			    struct finding_list *fl, const unsigned *per_check, unsigned nfiles)
{
	unsigned counts[5] = { 0 };
	json_t *doc = json_object(), *checks = json_array(), *finds = json_array();
	size_t i;
	if (fl->n)
		qsort(fl->v, fl->n, sizeof(*fl->v), cmp_finding);
	finding_list_count(fl, counts);
	json_object_set_new(doc, "schema", json_string(SCHEMA_RESULT));
	json_object_set_new(doc, "category", json_string(a->category));
	json_object_set_new(doc, "tool", json_string("pperf-" PPERF_VERSION));
	json_object_set_new(doc, "score", json_real(score_category(counts[SEV_CRITICAL], counts[SEV_HIGH],
									counts[SEV_MEDIUM], counts[SEV_LOW])));
	json_object_set_new(doc, "total_issues", json_integer((json_int_t)fl->n));
	json_object_set_new(doc, "critical", json_integer(counts[SEV_CRITICAL]));
	json_object_set_new(doc, "high", json_integer(counts[SEV_HIGH]));
	json_object_set_new(doc, "medium", json_integer(counts[SEV_MEDIUM]));
	json_object_set_new(doc, "low", json_integer(counts[SEV_LOW]));
	json_object_set_new(doc, "files_scanned", json_integer(nfiles));
	for (i = 0; i < a->nchecks; i++) {
		int ran = a->checks[i].run && selected(o->only, a->checks[i].id);
		json_t *c = json_object();
		json_object_set_new(c, "id", json_string(a->checks[i].id));
		json_object_set_new(c, "ran", json_boolean(ran));
		json_object_set_new(c, "findings", json_integer(per_check[i]));
		json_array_append_new(checks, c);
	}
	json_object_set_new(doc, "checks", checks);
	for (i = 0; i < fl->n; i++)
		json_array_append_new(finds, finding_to_json(&fl->v[i]));
	json_object_set_new(doc, "findings", finds);
	json_object_set(doc, "codebase_root", json_object_get(ctx, "codebase_root"));
	if (json_object_get(ctx, "tech_stack"))
		json_object_set(doc, "tech_stack", json_object_get(ctx, "tech_stack"));
	return doc;
}

static json_t *get_context(const struct auditor *a, const struct aopts *o, int *status)
{
	struct jsonio_err err;
	json_t *ctx;
	memset(&err, 0, sizeof(err));
	if (o->path || isatty(STDIN_FILENO)) {
		struct discover_opts dopts;
		memset(&dopts, 0, sizeof(dopts));
		ctx = discover_context(o->path ? o->path : ".", &dopts, &err);
	} else {
		ctx = jsonio_read_one(stdin, "<stdin>", &err);
		if (ctx && jsonio_check_context(ctx, &err) < 0) {
			json_decref(ctx);
			ctx = NULL;
		}
	}
	(void)a;
	if (!ctx)
		*status = jsonio_report(&err);
	return ctx;
}

int auditor_main(const struct auditor *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "checks", required_argument, NULL, 'c' },
		{ "explain", required_argument, NULL, 'e' },
		{ "fail-on", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "list-checks", no_argument, NULL, 'l' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct aopts o;
	struct finding_list fl;
	unsigned *per_check, nfiles = 0;
	json_t *ctx, *doc;
	int ch, status = EXIT_OK;
	cli_init(argv[0]);
	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.only = optarg;
			break;
		case 'e': {
			const struct check_def *c = auditor_find_check(a->checks, a->nchecks, optarg);
			if (!c) {
				cli_error("--explain: unknown check '%s' (see --list-checks)", optarg);
				return EXIT_USAGE;
			}
			explain(c);
			return EXIT_OK;
		}
		case 'f':
			o.fail_on = cli_parse_fail_on(optarg);
			if (o.fail_on < 0) {
				cli_error("--fail-on: unknown severity '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			help(a);
			return EXIT_OK;
		case 'l':
			list_checks(a);
			return EXIT_OK;
		case 'V':
			cli_print_version();
			return EXIT_OK;
		default:
			usage(a, stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		usage(a, stderr);
		return EXIT_USAGE;
	}
	if (optind < argc)
		o.path = argv[optind];
	if (o.only && validate_only(a, o.only) < 0)
		return EXIT_USAGE;
	ctx = get_context(a, &o, &status);
	if (!ctx)
		return status;
	per_check = calloc(a->nchecks + 1, sizeof(*per_check));
	finding_list_init(&fl);
	if (!per_check) {
		json_decref(ctx);
		return EXIT_IO;
	}
	status = audit_files(a, &o, ctx, &fl, per_check, &nfiles);
	if (status == EXIT_OK) {
		size_t i;
		doc = build_result(a, &o, ctx, &fl, per_check, nfiles);
		status = jsonio_emit(doc);
		json_decref(doc);
		for (i = 0; status == EXIT_OK && o.fail_on > 0 && i < fl.n; i++)
			if ((int)fl.v[i].severity >= o.fail_on)
				status = EXIT_FINDINGS;
	}
	finding_list_free(&fl);
	free(per_check);
	json_decref(ctx);
	return status;
}
