/*
 * auditor: command line, context, one pass over the files, the result.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auditor.h"
#include "kb.h"
#include "js/js.h"
#include "go/go.h"
#include "cli.h"
#include "config.h"
#include "discover.h"
#include "jsonio.h"
#include "pathenc.h"
#include "pydb.h"
#include "pyindex.h"
#include "jsindex.h"
#include "goindex.h"
#include "progress.h"
#include "score.h"
#include "suppress.h"

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

/* After a usage error message: the usage on stderr, EXIT_USAGE. */
static int usage_error(const struct auditor *a)
{
	usage(a, stderr);
	return EXIT_USAGE;
}

static void help(const struct auditor *a, FILE *fp)
{
	size_t i;
	usage(a, fp);
	fprintf(fp, "\nAudits Python, TypeScript/JavaScript and Go sources for %s\n"
		"problems and writes one pperf.result/1 document on standard output.\n"
		"Reads the pperf.context/1 document made by pperf-discover (or\n"
		"pperf-research) on standard input; given PATH, or when standard input\n"
		"is a terminal, discovers the project itself.\n\n"
		"  --fail-on SEVERITY  exit 1 when a finding is at or above SEVERITY\n"
		"                      (CRITICAL, HIGH, MEDIUM, LOW, never; default never)\n"
		"  --checks ID,...     run only these checks\n"
		"  --list-checks       print the checks of this auditor and exit\n"
		"  --explain ID        print what a check finds, why, and what to do\n"
		"  -h, --help          show this help\n"
		"  -V, --version       show the version\n\n"
		"Checks (details: --explain ID, pperf-checks(7)):\n",
		a->category);
	for (i = 0; i < a->nchecks; i++)
		fprintf(fp, "  %s%s\n", a->checks[i].id, a->checks[i].run ? "" : " (not implemented yet)");
	fputs("\nExit status: 0 success, 1 findings at or above --fail-on, 2 usage error,\n"
	      "3 bad input data, 4 system or I/O error, 5 network error.\n", fp);
}

const struct check_def *auditor_find_check(const struct check_def *checks, size_t n, const char *id)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!strcmp(checks[i].id, id))
			return &checks[i];
	return NULL;
}

static void list_checks(const struct auditor *a, FILE *fp)
{
	size_t i;
	for (i = 0; i < a->nchecks; i++)
		fprintf(fp, "%-30s %-8s %s%s\n", a->checks[i].id, severity_name(a->checks[i].severity),
			a->checks[i].title, a->checks[i].run ? "" : " (not implemented yet)");
}

/* Writes text as lines of at most width columns, each after indent spaces.
 * Breaks at runs of spaces; a word longer than a line stays whole. */
static void put_wrapped(FILE *fp, const char *text, int indent, size_t width)
{
	size_t room = width > (size_t)indent ? width - (size_t)indent : 1;
	const char *p = text;
	for (;;) {
		const char *end, *brk = NULL, *last;
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		for (end = p; *end && (size_t)(end - p) < room; end++)
			if (*end == ' ')
				brk = end;
		if (*end && *end != ' ' && brk)
			end = brk;
		while (*end && *end != ' ')  /* no space in room: the word stays whole */
			end++;
		for (last = end; last > p && last[-1] == ' '; last--)
			;
		fprintf(fp, "%*s%.*s\n", indent, "", (int)(last - p), p);
		p = end;
	}
}

/* "Python, TypeScript/JavaScript, Go": the languages check c runs on. */
static void check_languages(const struct auditor *a, const struct check_def *c, char *buf, size_t n)
{
	size_t i, o = 0;
	int ts = 0, go = 0;
	for (i = 0; a->langs && i < a->nlangs; i++)
		if (!strcmp(a->langs[i].id, c->id)) {
			ts |= a->langs[i].run_ts != NULL;
			go |= a->langs[i].run_go != NULL;
		}
	buf[0] = '\0';
	if (c->run)
		o += (size_t)snprintf(buf + o, n - o, "Python");
	if (ts && o < n)
		o += (size_t)snprintf(buf + o, n - o, "%sTypeScript/JavaScript", o ? ", " : "");
	if (go && o < n)
		snprintf(buf + o, n - o, "%sGo", o ? ", " : "");
}

/* The text of --explain: header lines "Key: value", then indented sections. */
static void explain(const struct auditor *a, const struct check_def *c, FILE *fp)
{
	char langs[64];
	check_languages(a, c, langs, sizeof(langs));
	fprintf(fp, "%s: %s\n\nAuditor: pperf-%s (%s)\nPrinciple: %s\nDefault severity: %s\n"
		"Effort: %s\nStatus: %s\nLanguages: %s\n\nWhy it matters:\n",
		c->id, c->title, a->phase, a->category, c->principle, severity_name(c->severity),
		c->effort, c->run ? "implemented" : "not implemented yet (reported with \"ran\": false)",
		langs[0] ? langs : "none yet");
	put_wrapped(fp, c->why, 2, 78);
	fputs("\nSeverity:\n", fp);
	put_wrapped(fp, c->severity_rule, 2, 78);
	fprintf(fp, "\nExample:\n%s\n\nUse instead:\n%s\n", c->example, c->instead);
}

/* Builds text with fn into memory and writes it to stdout at once. Exit status. */
static int emit_text(const struct auditor *a, const struct check_def *c,
		     void (*fn)(const struct auditor *, const struct check_def *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int rc;
	if (!m) {
		cli_error("out of memory");
		return EXIT_IO;
	}
	fn(a, c, m);
	if (fclose(m) != 0 || !buf) {
		free(buf);
		cli_error("out of memory");
		return EXIT_IO;
	}
	rc = cli_emit_stdout(buf, len);
	free(buf);
	return rc;
}

static void help_text(const struct auditor *a, const struct check_def *c, FILE *fp)
{
	(void)c;
	help(a, fp);
}

static void list_text(const struct auditor *a, const struct check_def *c, FILE *fp)
{
	(void)c;
	list_checks(a, fp);
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
	int rc = 0, n = 0;
	if (!dup)
		return -1;
	for (w = strtok_r(dup, ",", &save); w; w = strtok_r(NULL, ",", &save), n++)
		if (!auditor_find_check(a->checks, a->nchecks, w)) {
			cli_error("--checks: unknown check '%s' (see --list-checks)", w);
			rc = -1;
			break;
		}
	if (rc == 0 && n == 0) {
		cli_error("--checks: no check named (see --list-checks)");
		rc = -1;
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
	const struct check_lang *langs;  /* the auditor's other languages, or NULL */
	size_t nlangs;
	struct js_index *js;   /* TypeScript/JavaScript project index (check_js_index) */
	struct go_index *go;   /* Go project index (check_go_index) */
	int tried_js, tried_go;
	const struct suppressions *supp;  /* the current file's "pperf: ignore" comments */
	struct other_supp *others;        /* other files' ones, read when a finding lands there */
	size_t nothers;
	json_t *suppressed;    /* check id -> findings suppressed, or NULL */
};

struct other_supp {
	char *path;
	struct suppressions s;
};

static void cache_free(struct auditor_cache *c)
{
	size_t i;
	py_index_free(c->index);
	js_index_free(c->js);
	go_index_free(c->go);
	for (i = 0; i < c->nothers; i++) {
		free(c->others[i].path);
		suppress_free(&c->others[i].s);
	}
	free(c->others);
}

struct js_index *check_js_index(struct check_ctx *cx)
{
	struct auditor_cache *c = cx->cache;
	if (!c)
		return NULL;
	if (!c->tried_js) {
		c->tried_js = 1;
		c->js = js_index_new();
		if (c->js && (js_index_add_context(c->js, c->context) < 0 ||
			      (c->add_buffer && cx->ol && cx->ol->lang == LANG_TS &&
			       js_index_add(c->js, cx->path, cx->ol, cx->context) < 0))) {
			js_index_free(c->js);
			c->js = NULL;
		}
	}
	return c->js;
}

struct go_index *check_go_index(struct check_ctx *cx)
{
	struct auditor_cache *c = cx->cache;
	if (!c)
		return NULL;
	if (!c->tried_go) {
		c->tried_go = 1;
		c->go = go_index_new();
		if (c->go && (go_index_add_context(c->go, c->context) < 0 ||
			      (c->add_buffer && cx->ol && cx->ol->lang == LANG_GO &&
			       go_index_add(c->go, cx->path, cx->ol, cx->context) < 0))) {
			go_index_free(c->go);
			c->go = NULL;
		}
	}
	return c->go;
}

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

int auditor_lang_of(const char *path, const char *language)
{
	if (language) {
		if (!strcmp(language, "python"))
			return LANG_PYTHON;
		if (!strcmp(language, "typescript") || !strcmp(language, "javascript"))
			return LANG_TS;
		if (!strcmp(language, "go"))
			return LANG_GO;
		return -1;
	}
	{
		const char *dot = strrchr(path, '.');
		static const char *const ts[] = { ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", NULL };
		size_t i;
		if (!dot)
			return LANG_PYTHON;
		if (!strcmp(dot, ".go"))
			return LANG_GO;
		for (i = 0; ts[i]; i++)
			if (!strcmp(dot, ts[i]))
				return LANG_TS;
		return LANG_PYTHON;
	}
}

int check_runs_once(struct check_ctx *cx, int f)
{
	const struct py_outline *ol = cx->ol;
	const struct py_fn *fn;
	struct py_index *ix;
	int outer = f;
	if (f < 0)
		return 1;
	/* nested defs run when their outermost def does */
	while (outer >= 0 && ol->blocks[outer].parent >= 0) {
		int up = py_outline_enclosing(ol, ol->blocks[outer].parent, PB_MASK(PB_DEF), 1);
		if (up < 0)
			break;
		outer = up;
	}
	ix = check_project_index(cx);
	fn = ix ? py_index_fn_at(ix, cx->path, ol->blocks[outer].line) : NULL;
	if (fn && fn->once)
		return 1;
	/* a method of a class: look at the def itself too */
	fn = ix && outer != f ? py_index_fn_at(ix, cx->path, ol->blocks[f].line) : NULL;
	return fn && fn->once;
}

enum severity check_once_severity(struct check_ctx *cx, int f, enum severity sev)
{
	if (sev > SEV_LOW && check_runs_once(cx, f))
		return (enum severity)(sev - 1);
	return sev;
}

/* 1 when the context's tech_stack.dependencies names dep. */
static int has_dep(const json_t *context, const char *dep)
{
	return json_object_get(json_object_get(json_object_get(context, "tech_stack"), "dependencies"), dep) != NULL;
}

/*
 * The knowledge-base technologies a TypeScript or Go finding of check may
 * cite, most specific first: the data-access libraries the project depends
 * on, then the language's runtime, then PostgreSQL.  Never another
 * language's library.  techs gets at most 7 entries and a NULL.
 */
static void lang_technologies(const json_t *context, int lang, const char *check, const char **techs)
{
	size_t n = 0;
	int runtime = strstr(check, "_async") || !strcmp(check, "string_concat_in_loop") ||
		      !strcmp(check, "unnecessary_allocation") || !strcmp(check, "redundant_copy");
	if (lang == LANG_TS) {
		if (runtime)
			techs[n++] = "nodejs";
		if (has_dep(context, "@prisma/client") || has_dep(context, "prisma"))
			techs[n++] = "prisma";
		if (has_dep(context, "typeorm"))
			techs[n++] = "typeorm";
		if (has_dep(context, "knex"))
			techs[n++] = "knex";
		if (has_dep(context, "pg"))
			techs[n++] = "node-postgres";
		if (!runtime)
			techs[n++] = "nodejs";
	} else {
		if (runtime)
			techs[n++] = "go";
		if (has_dep(context, "gorm.io/gorm") || has_dep(context, "github.com/jinzhu/gorm"))
			techs[n++] = "gorm";
		techs[n++] = "pgx";   /* only selected when the project uses pgx */
		techs[n++] = "go-database-sql";
		if (!runtime)
			techs[n++] = "go";
	}
	techs[n++] = "postgresql";
	techs[n] = NULL;
}

/* The suppressions of text in the language of path (tokens: comments only count). */
static void scan_text_suppressions(struct suppressions *s, const char *path, const char *text, size_t len)
{
	struct py_toks toks;
	enum src_lang lang = auditor_lang_of(path, NULL);
	int rc = lang == LANG_TS ? js_tokenize(&toks, text, len, js_path_jsx(path))
		 : lang == LANG_GO ? go_tokenize(&toks, text, len) : py_tokenize(&toks, text, len);
	if (rc < 0)
		return;
	suppress_scan(s, &toks, NULL, NULL);
	py_toks_free(&toks);
}

/* The suppressions of another file of the project (read once per run), or NULL. */
static const struct suppressions *other_suppressions(struct auditor_cache *c, const char *path)
{
	const char *root = json_string_value(json_object_get(c->context, "codebase_root"));
	struct other_supp *nv, *o;
	struct srcfile sf;
	char full[4096];
	size_t i;
	for (i = 0; i < c->nothers; i++)
		if (!strcmp(c->others[i].path, path))
			return &c->others[i].s;
	nv = realloc(c->others, (c->nothers + 1) * sizeof(*nv));
	if (!nv)
		return NULL;
	c->others = nv;
	o = &c->others[c->nothers];
	memset(o, 0, sizeof(*o));
	if (!(o->path = strdup(path)))
		return NULL;
	c->nothers++;
	snprintf(full, sizeof(full), "%s/%s", root ? root : ".", path);
	if (srcfile_load(&sf, full, 0, NULL, NULL) == SRC_OK) {
		scan_text_suppressions(&o->s, path, sf.text, sf.len);
		srcfile_free(&sf);
	}
	return &o->s;
}

/* 1 (and counted) when a "pperf: ignore" comment covers the finding. */
static int suppressed(struct check_ctx *cx, const struct check_where *w, unsigned line)
{
	struct auditor_cache *c = cx->cache;
	const struct suppressions *s;
	if (!c)
		return 0;
	s = w && w->path ? other_suppressions(c, w->path) : c->supp;
	if (!suppress_covers(s, line, cx->def->id))
		return 0;
	if (c->suppressed) {
		json_t *n = json_object_get(c->suppressed, cx->def->id);
		json_object_set_new(c->suppressed, cx->def->id,
				    json_integer(json_integer_value(n) + 1));
	}
	return 1;
}

void check_report_ex(struct check_ctx *cx, const struct check_where *w, unsigned line, unsigned end_line,
		     enum severity sev, const char *issue, const char *recommendation)
{
	struct finding f;
	char *snip = NULL;
	const char *path = w && w->path ? w->path : cx->path;
	size_t i;
	if (end_line < line)
		end_line = line;
	if (end_line > line + 5)
		end_line = line + 5;
	if (w && w->path) {
		for (i = 0; i < cx->out->n; i++) {
			const struct finding *o = &cx->out->v[i];
			if (o->line == line && !strcmp(o->check, cx->def->id) && !strcmp(o->file, path))
				return;
		}
	}
	if (suppressed(cx, w, line))
		return;
	{   /* the project's configuration may set the check's severity */
		int ov = config_check_severity(cx->context, cx->def->id);
		if (ov)
			sev = (enum severity)ov;
	}
	if (!(w && w->path))
		snip = srcfile_snippet(cx->sf, line, end_line, 400);
	memset(&f, 0, sizeof(f));
	f.check = (char *)cx->def->id;
	f.severity = sev;
	f.file = (char *)path;
	f.line = line;
	f.issue = (char *)issue;
	f.principle = (char *)cx->def->principle;
	f.recommendation = (char *)recommendation;
	f.effort = (char *)cx->def->effort;
	f.snippet = w && w->path ? (char *)(w->snippet ? w->snippet : "") : snip ? snip : (char *)"";
	if (cx->ol && cx->ol->lang != LANG_PYTHON) {
		const char *techs[8];
		lang_technologies(cx->context, cx->ol->lang, cx->def->id, techs);
		f.source = (char *)kb_source_among(cx->context, cx->def->id, techs);
	} else {
		/* the practice the check rests on, when research selected one:
		 * asyncio's for event-loop checks, else the project's ORM first,
		 * then any Python library's, never another language's */
		const json_t *ts = json_object_get(cx->context, "tech_stack");
		const char *orm = json_string_value(json_object_get(ts, "orm"));
		const char *techs[] = { strstr(cx->def->id, "_async") ? "asyncio" : orm ? orm : "sqlalchemy",
					"sqlalchemy", "asyncio", "fastapi", "starlette", "asyncpg", "psycopg",
					"django", "celery", "postgresql", NULL };
		f.source = (char *)kb_source_among(cx->context, cx->def->id, techs);
	}
	f.chain = w ? (char **)w->chain : NULL;
	f.nchain = w && w->chain ? w->nchain : 0;
	/* the language of the audited file, so a polyglot report says which */
	if (cx->ol)
		f.language = (char *)(cx->ol->lang == LANG_GO ? "go" : cx->ol->lang == LANG_TS ? "typescript" : "python");
	finding_list_add(cx->out, &f);
	free(snip);
}

void check_report(struct check_ctx *cx, unsigned line, unsigned end_line, enum severity sev,
		  const char *issue, const char *recommendation)
{
	check_report_ex(cx, NULL, line, end_line, sev, issue, recommendation);
}

/* The run function of check d for language lang (langs may be NULL), or NULL. */
static check_fn runner_for(const struct check_def *d, const struct check_lang *langs, size_t nlangs,
			   enum src_lang lang)
{
	size_t i;
	if (lang == LANG_PYTHON)
		return d->run;
	for (i = 0; langs && i < nlangs; i++)
		if (!strcmp(langs[i].id, d->id))
			return lang == LANG_TS ? langs[i].run_ts : langs[i].run_go;
	return NULL;
}

static int run_checks(const struct check_def *checks, size_t nchecks, const char *only,
		      struct check_ctx *cx, unsigned *per_check)
{
	size_t i;
	for (i = 0; i < nchecks; i++) {
		size_t before = cx->out->n;
		check_fn fn = runner_for(&checks[i], cx->cache ? cx->cache->langs : NULL, cx->cache ? cx->cache->nlangs : 0,
					 (enum src_lang)cx->ol->lang);
		if (!fn || !selected(only, checks[i].id) || !config_check_enabled(cx->context, checks[i].id))
			continue;
		cx->def = &checks[i];
		fn(cx);
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
	struct suppressions supp;
	enum src_lang lang = auditor_lang_of(rel, NULL);
	int rc;
	if (lang == LANG_TS) {
		rc = js_tokenize(&toks, sf->text, sf->len, js_path_jsx(rel));
	} else if (lang == LANG_GO) {
		rc = go_tokenize(&toks, sf->text, sf->len);
	} else {
		rc = py_tokenize(&toks, sf->text, sf->len);
	}
	if (rc < 0)
		return -1;
	if ((lang == LANG_TS ? js_outline_build(&ol, &toks) : lang == LANG_GO ? go_outline_build(&ol, &toks)
									     : py_outline_build(&ol, &toks)) < 0) {
		py_toks_free(&toks);
		return -1;
	}
	if (lang == LANG_TS)
		js_outline_mark_path(&ol, rel);   /* Next.js pages/api default exports are handlers */
	else if (lang == LANG_PYTHON)
		config_mark_handlers(ctx, &ol);   /* the configuration's handler_decorators */
	memset(&cx, 0, sizeof(cx));
	cx.path = rel;
	cx.sf = sf;
	cx.toks = &toks;
	cx.ol = &ol;
	cx.context = ctx;
	cx.out = out;
	cx.cache = cache;
	memset(&supp, 0, sizeof(supp));
	if (suppress_scan(&supp, &toks, NULL, NULL) < 0) { /* discover warned about unknown ids */
		suppress_free(&supp);
		py_outline_free(&ol);
		py_toks_free(&toks);
		return -1;
	}
	cache->supp = &supp;
	py_binds_share_begin(&ol, ctx); /* the checks share one build of the file's bindings */
	run_checks(checks, nchecks, only, &cx, per_check);
	py_binds_share_end();
	cache->supp = NULL;
	suppress_free(&supp);
	py_outline_free(&ol);
	py_toks_free(&toks);
	return 0;
}

int auditor_run_buffer(const struct check_def *checks, size_t nchecks, const char *path,
		       const char *text, size_t len, const json_t *context, struct finding_list *out)
{
	struct srcfile sf;
	struct auditor_cache cache = { .context = context, .add_buffer = 1 };
	int rc;
	if (srcfile_from_buffer(&sf, path, text, len) < 0)
		return -1;
	rc = audit_text(checks, nchecks, NULL, &sf, path, context, out, NULL, &cache);
	cache_free(&cache);
	srcfile_free(&sf);
	return rc;
}

int auditor_run_buffer_lang(const struct auditor *a, const char *id, const char *path, const char *text,
			    size_t len, const json_t *context, struct finding_list *out)
{
	struct srcfile sf;
	struct auditor_cache cache = { .context = context, .add_buffer = 1, .langs = a->langs, .nlangs = a->nlangs };
	const struct check_def *d = auditor_find_check(a->checks, a->nchecks, id);
	int rc;
	if (!d || srcfile_from_buffer(&sf, path, text, len) < 0)
		return -1;
	rc = audit_text(d, 1, NULL, &sf, path, context, out, NULL, &cache);
	cache_free(&cache);
	srcfile_free(&sf);
	return rc;
}

static int run_context(const struct check_def *checks, size_t nchecks, const struct check_lang *langs,
		       size_t nlangs, const json_t *context, struct finding_list *out)
{
	struct auditor_cache cache = { .context = context, .langs = langs, .nlangs = nlangs };
	const char *root = json_string_value(json_object_get(context, "codebase_root"));
	const json_t *files = json_object_get(context, "files"), *f;
	size_t i;
	int rc = 0;
	json_array_foreach(files, i, f) {
		const char *rel = json_string_value(json_object_get(f, "path"));
		const char *role = json_string_value(json_object_get(f, "role"));
		const char *lang = json_string_value(json_object_get(f, "language"));
		struct srcfile sf;
		char full[4096];
		if (!rel || !role || !lang || strcmp(role, "source") || auditor_lang_of(rel, lang) < 0)
			continue;
		snprintf(full, sizeof(full), "%s/%s", root ? root : ".", rel);
		if (srcfile_load(&sf, full, 0, NULL, NULL) != SRC_OK)
			continue;
		if (audit_text(checks, nchecks, NULL, &sf, rel, context, out, NULL, &cache) < 0)
			rc = -1;
		srcfile_free(&sf);
	}
	cache_free(&cache);
	return rc;
}

int auditor_run_context(const struct check_def *checks, size_t nchecks, const json_t *context,
			struct finding_list *out)
{
	return run_context(checks, nchecks, NULL, 0, context, out);
}

int auditor_run_context_lang(const struct auditor *a, const char *id, const json_t *context,
			     struct finding_list *out)
{
	const struct check_def *d = auditor_find_check(a->checks, a->nchecks, id);
	if (!d)
		return -1;
	return run_context(d, 1, a->langs, a->nlangs, context, out);
}

/* The warning for a source file that cannot be audited (errno from srcfile_load). */
static void warn_skipped(const char *rel, enum srcfile_status st, unsigned line, unsigned col)
{
	const char *why = srcfile_strerror(st);
	if (st == SRC_ERR_IO)
		why = errno == EINVAL ? "not a regular file" : strerror(errno);
	cli_msg("warning", rel, line, col, "skipped: %s", why);
}

/* The source files of the context that this auditor reads (for progress). */
static unsigned long count_sources(const json_t *files)
{
	unsigned long n = 0;
	const json_t *f;
	size_t i;
	json_array_foreach(files, i, f) {
		const char *rel = json_string_value(json_object_get(f, "path"));
		const char *role = json_string_value(json_object_get(f, "role"));
		const char *lang = json_string_value(json_object_get(f, "language"));
		n += rel && role && lang && !strcmp(role, "source") && auditor_lang_of(rel, lang) >= 0;
	}
	return n;
}

/* Audits every Python source file of the context. 0, or exit status. */
static int audit_each_file(const struct auditor *a, const struct aopts *o, const json_t *ctx,
			   struct finding_list *out, unsigned *per_check, unsigned *nfiles,
			   struct auditor_cache *cache)
{
	const char *root = json_string_value(json_object_get(ctx, "codebase_root"));
	const json_t *files = json_object_get(ctx, "files");
	unsigned long done = 0;
	struct progress prog;
	size_t i;
	json_t *f;
	/* "audit-query" shows as "query" in pperf's progress line */
	progress_begin(&prog, strncmp(a->phase, "audit-", 6) ? a->phase : a->phase + 6, count_sources(files));
	json_array_foreach(files, i, f) {
		const char *rel = json_string_value(json_object_get(f, "path"));
		const char *role = json_string_value(json_object_get(f, "role"));
		const char *lang = json_string_value(json_object_get(f, "language"));
		struct srcfile sf;
		unsigned bl = 0, bc = 0;
		enum srcfile_status st;
		char *full;
		size_t flen;
		if (!rel || !role || !lang || strcmp(role, "source") || auditor_lang_of(rel, lang) < 0)
			continue;
		progress_step(&prog, done++);
		flen = strlen(root ? root : ".") + strlen(rel) + 2;
		full = malloc(flen);
		if (!full) {
			progress_end(&prog);
			cli_error("out of memory");
			return EXIT_IO;
		}
		snprintf(full, flen, "%s/%s", root ? root : ".", rel);
		st = srcfile_load(&sf, full, 0, &bl, &bc);
		if (st != SRC_OK) {
			warn_skipped(rel, st, bl, bc);
			free(full);
			continue;
		}
		if (audit_text(a->checks, a->nchecks, o->only, &sf, rel, ctx, out, per_check, cache) < 0) {
			srcfile_free(&sf);
			free(full);
			progress_end(&prog);
			cli_error("out of memory");
			return EXIT_IO;
		}
		(*nfiles)++;
		srcfile_free(&sf);
		free(full);
	}
	progress_end(&prog);
	return 0;
}

/* 1 when the context lists a source file of an audited language. */
static int has_python_sources(const json_t *ctx)
{
	const json_t *f;
	size_t i;
	json_array_foreach(json_object_get(ctx, "files"), i, f) {
		const char *rel = json_string_value(json_object_get(f, "path"));
		const char *role = json_string_value(json_object_get(f, "role"));
		const char *lang = json_string_value(json_object_get(f, "language"));
		if (rel && role && lang && !strcmp(role, "source") && auditor_lang_of(rel, lang) >= 0)
			return 1;
	}
	return 0;
}

/*
 * The codebase_root of a context with files to read must be a directory
 * here: a context made on another machine, or for a tree that is gone,
 * would otherwise give a perfect score for nothing audited.  0 or EXIT_IO.
 */
static int check_codebase_root(const json_t *ctx)
{
	const char *root = json_string_value(json_object_get(ctx, "codebase_root"));
	struct stat st;
	if (!has_python_sources(ctx))
		return EXIT_OK;
	if (!root)
		root = ".";
	if (stat(root, &st) < 0) {
		cli_msg("error", root, 0, 0, "codebase_root: %s", strerror(errno));
		return EXIT_IO;
	}
	if (!S_ISDIR(st.st_mode)) {
		cli_msg("error", root, 0, 0, "codebase_root: %s", strerror(ENOTDIR));
		return EXIT_IO;
	}
	return EXIT_OK;
}

static int audit_files(const struct auditor *a, const struct aopts *o, const json_t *ctx,
		       struct finding_list *out, unsigned *per_check, unsigned *nfiles, json_t *suppressed)
{
	struct auditor_cache cache = { .context = ctx, .langs = a->langs, .nlangs = a->nlangs,
				       .suppressed = suppressed };
	int rc = check_codebase_root(ctx);
	if (rc != EXIT_OK)
		return rc;
	rc = audit_each_file(a, o, ctx, out, per_check, nfiles, &cache);
	cache_free(&cache);
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
			    struct finding_list *fl, const unsigned *per_check, unsigned nfiles,
			    const json_t *suppressed)
{
	json_int_t nsupp = 0;
	unsigned counts[5] = { 0 }, langmask = 0;
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
	/* a check ran when it has an implementation for a language the
	 * project's sources are in (or, with no sources, when it exists) */
	{
		const json_t *f;
		size_t k;
		json_array_foreach(json_object_get(ctx, "files"), k, f) {
			const char *rel = json_string_value(json_object_get(f, "path"));
			const char *role = json_string_value(json_object_get(f, "role"));
			const char *lang = json_string_value(json_object_get(f, "language"));
			int l = rel && role && lang && !strcmp(role, "source") ? auditor_lang_of(rel, lang) : -1;
			if (l >= 0)
				langmask |= 1u << l;
		}
	}
	for (i = 0; i < a->nchecks; i++) {
		int ran = 0, l;
		for (l = LANG_PYTHON; l <= LANG_GO; l++)
			if ((!langmask || (langmask & (1u << l))) && runner_for(&a->checks[i], a->langs, a->nlangs, (enum src_lang)l))
				ran = 1;
		ran = ran && selected(o->only, a->checks[i].id) && config_check_enabled(ctx, a->checks[i].id);
		json_t *c = json_object();
		json_int_t ns = json_integer_value(json_object_get(suppressed, a->checks[i].id));
		json_object_set_new(c, "id", json_string(a->checks[i].id));
		json_object_set_new(c, "ran", json_boolean(ran));
		json_object_set_new(c, "findings", json_integer(per_check[i]));
		json_object_set_new(c, "suppressed", json_integer(ns));
		nsupp += ns;
		{
			/* the check's documentation travels with the result, so that
			 * pperf-publish can describe each rule (SARIF) without the tables */
			const struct check_def *d = &a->checks[i];
			const char *docs[][2] = { { "title", d->title }, { "principle", d->principle },
						  { "severity", severity_name(d->severity) },
						  { "effort", d->effort }, { "why", d->why },
						  { "example", d->example }, { "instead", d->instead } };
			size_t k;
			for (k = 0; k < sizeof docs / sizeof docs[0]; k++)
				if (docs[k][1])
					json_object_set_new(c, docs[k][0], json_string(docs[k][1]));
		}
		json_array_append_new(checks, c);
	}
	json_object_set_new(doc, "checks", checks);
	json_object_set_new(doc, "suppressed", json_integer(nsupp));
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
	if (ctx && pathenc_raw_paths(ctx) < 0) { /* names that are not UTF-8: open the exact bytes */
		json_decref(ctx);
		cli_error("out of memory");
		*status = EXIT_IO;
		return NULL;
	}
	if (!ctx)
		*status = jsonio_report(&err);
	return ctx;
}

/* Names the option getopt rejected: arg is its argv word, opt getopt's optopt. */
static void bad_option(const char *arg, int opt)
{
	const char *eq = strchr(arg, '=');
	char shortopt[3] = { '-', (char)opt, '\0' };
	if (!strncmp(arg, "--", 2) && eq && opt)
		cli_error("option '%.*s' takes no argument", (int)(eq - arg), arg);
	else
		cli_error("unknown option '%s'", !strncmp(arg, "--", 2) || !opt ? arg : shortopt);
}

/*
 * Parses argv into o.  Returns -1 to go on with the audit, else the exit
 * status (after --help, --version, --list-checks, --explain or an error).
 */
static int parse_args(const struct auditor *a, int argc, char **argv, struct aopts *o)
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
	const struct check_def *c;
	int ch;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->only = optarg;
			break;
		case 'e':
			c = auditor_find_check(a->checks, a->nchecks, optarg);
			if (!c) {
				cli_error("--explain: unknown check '%s' (see --list-checks)", optarg);
				return EXIT_USAGE;
			}
			return emit_text(a, c, explain);
		case 'f':
			o->fail_on = cli_parse_fail_on(optarg);
			if (o->fail_on < 0) {
				cli_error("--fail-on: unknown severity '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			return emit_text(a, NULL, help_text);
		case 'l':
			return emit_text(a, NULL, list_text);
		case 'V':
			return cli_print_version();
		case ':':
			cli_error("option '%s' needs an argument", argv[optind - 1]);
			return usage_error(a);
		default:
			bad_option(argv[optind - 1], optopt);
			return usage_error(a);
		}
	}
	if (argc - optind > 1) {
		cli_error("unexpected operand '%s'", argv[optind + 1]);
		return usage_error(a);
	}
	if (optind < argc)
		o->path = argv[optind];
	return -1;
}

int auditor_main(const struct auditor *a, int argc, char **argv)
{
	struct aopts o;
	struct finding_list fl;
	unsigned *per_check, nfiles = 0;
	json_t *ctx, *doc, *supp;
	int status = EXIT_OK;
	cli_init(argv[0]);
	memset(&o, 0, sizeof(o));
	if ((status = parse_args(a, argc, argv, &o)) >= 0)
		return status;
	status = EXIT_OK;
	if (o.only && validate_only(a, o.only) < 0)
		return EXIT_USAGE;
	ctx = get_context(a, &o, &status);
	if (!ctx)
		return status;
	per_check = calloc(a->nchecks + 1, sizeof(*per_check));
	supp = json_object();
	finding_list_init(&fl);
	if (!per_check || !supp) {
		free(per_check);
		json_decref(supp);
		json_decref(ctx);
		return EXIT_IO;
	}
	status = audit_files(a, &o, ctx, &fl, per_check, &nfiles, supp);
	if (status == EXIT_OK) {
		size_t i;
		doc = build_result(a, &o, ctx, &fl, per_check, nfiles, supp);
		status = jsonio_emit(doc);
		json_decref(doc);
		for (i = 0; status == EXIT_OK && o.fail_on > 0 && i < fl.n; i++)
			if ((int)fl.v[i].severity >= o.fail_on)
				status = EXIT_FINDINGS;
	}
	finding_list_free(&fl);
	free(per_check);
	json_decref(supp);
	json_decref(ctx);
	return status;
}
