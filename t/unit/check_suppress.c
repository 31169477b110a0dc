/*
 * Unit tests of lib/suppress.c (inline "pperf: ignore" comments) and
 * lib/config.c (the project's configuration), and of their use by the
 * auditor frame.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auditor.h"
#include "config.h"
#include "pyindex.h"
#include "suppress.h"
#include "js/js.h"
#include "go/go.h"
#include "../../audit-query/checks.h"
#include "../../audit-runtime/checks.h"
#include "../../audit-txn/checks.h"

/* ---- suppress_scan */

struct warns {
	unsigned n, line[8];
	char msg[8][160];
};

static void count_warn(void *arg, unsigned line, unsigned col, const char *msg)
{
	struct warns *w = arg;
	(void)col;
	if (w->n < 8) {
		w->line[w->n] = line;
		snprintf(w->msg[w->n], sizeof w->msg[0], "%s", msg);
	}
	w->n++;
}

/* Scans src as lang ('p', 't', 'g'). */
static void scan(struct suppressions *s, char lang, const char *src, struct warns *w)
{
	struct py_toks toks;
	int rc = lang == 't' ? js_tokenize(&toks, src, strlen(src), 0)
		 : lang == 'g' ? go_tokenize(&toks, src, strlen(src)) : py_tokenize(&toks, src, strlen(src));
	ck_assert_int_eq(rc, 0);
	memset(s, 0, sizeof(*s));
	ck_assert_int_eq(suppress_scan(s, &toks, w ? count_warn : NULL, w), 0);
	py_toks_free(&toks);
}

START_TEST(same_line_and_above)
{
	struct suppressions s;
	scan(&s, 'p', "x = 1\ny = f()  # pperf: ignore\n\n# pperf: ignore[n_plus_one_query]\nz = g()\nw = h()\n", NULL);
	ck_assert_uint_eq(s.n, 2);
	ck_assert(suppress_covers(&s, 2, "redundant_copy"));        /* same line, every check */
	ck_assert(suppress_covers(&s, 3, "redundant_copy"));        /* the line below it */
	ck_assert(!suppress_covers(&s, 1, "redundant_copy"));
	ck_assert(suppress_covers(&s, 5, "n_plus_one_query"));      /* line above, named */
	ck_assert(suppress_covers(&s, 4, "n_plus_one_query"));
	ck_assert(!suppress_covers(&s, 5, "over_fetching"));        /* not named */
	ck_assert(!suppress_covers(&s, 6, "n_plus_one_query"));     /* two lines below */
	suppress_free(&s);
}
END_TEST

START_TEST(id_list)
{
	struct suppressions s;
	struct warns w = { 0 };
	scan(&s, 'p', "a = 1  # noqa: E501  pperf: ignore[over_fetching,  redundant_fetch , no_such_check]\n", &w);
	ck_assert_uint_eq(s.n, 1);
	ck_assert(suppress_covers(&s, 1, "over_fetching"));
	ck_assert(suppress_covers(&s, 1, "redundant_fetch"));
	ck_assert(!suppress_covers(&s, 1, "no_such_check"));
	ck_assert(!suppress_covers(&s, 1, "n_plus_one_query"));
	ck_assert_uint_eq(w.n, 1);
	ck_assert_uint_eq(w.line[0], 1);
	ck_assert_str_eq(w.msg[0], "pperf: ignore: unknown check 'no_such_check'");
	suppress_free(&s);
	/* only unknown ids: a warning each, and nothing suppressed */
	memset(&w, 0, sizeof(w));
	scan(&s, 'p', "\n\nb = 2  # pperf: ignore[typo_one, typo_two]\n", &w);
	ck_assert_uint_eq(w.n, 2);
	ck_assert_uint_eq(w.line[1], 3);
	ck_assert(!suppress_covers(&s, 3, "over_fetching"));
	suppress_free(&s);
	/* no closing bracket: a warning, not a suppression of everything */
	memset(&w, 0, sizeof(w));
	scan(&s, 'p', "c = 3  # pperf: ignore[over_fetching\n", &w);
	ck_assert_uint_eq(w.n, 1);
	ck_assert(!suppress_covers(&s, 1, "over_fetching"));
	suppress_free(&s);
}
END_TEST

START_TEST(strings_do_not_count)
{
	struct suppressions s;
	struct warns w = { 0 };
	scan(&s, 'p', "x = \"# pperf: ignore\"\ny = '''\n# pperf: ignore[bogus]\n'''\nz = f'{a}# pperf: ignore'\n", &w);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_uint_eq(w.n, 0);
	suppress_free(&s);
	scan(&s, 't', "const a = \"// pperf: ignore\";\nconst b = `/* pperf: ignore */`;\n", NULL);
	ck_assert_uint_eq(s.n, 0);
	suppress_free(&s);
	scan(&s, 'g', "package m\nvar a = \"// pperf: ignore\"\nvar b = `// pperf: ignore`\n", NULL);
	ck_assert_uint_eq(s.n, 0);
	suppress_free(&s);
	/* not ours: another word after "pperf:", or "pperf:" inside a word */
	scan(&s, 'p', "# pperf: ignored\n# xpperf: ignore\n# pperf: check this\n", NULL);
	ck_assert_uint_eq(s.n, 0);
	suppress_free(&s);
}
END_TEST

START_TEST(other_languages)
{
	struct suppressions s;
	scan(&s, 't', "const a = 1; // pperf: ignore[n_plus_one_query]\n/*\n * pperf: ignore\n */\nf();\n", NULL);
	ck_assert_uint_eq(s.n, 2);
	ck_assert(suppress_covers(&s, 1, "n_plus_one_query"));
	ck_assert(!suppress_covers(&s, 1, "over_fetching"));
	ck_assert_uint_eq(s.v[1].line, 3);    /* the line of the words in the block comment */
	ck_assert(suppress_covers(&s, 4, "over_fetching"));
	ck_assert(!suppress_covers(&s, 5, "over_fetching"));
	suppress_free(&s);
	scan(&s, 'g', "package m\n\n// pperf: ignore[missing_rollback]\nfunc f() {}\n", NULL);
	ck_assert_uint_eq(s.n, 1);
	ck_assert(suppress_covers(&s, 4, "missing_rollback"));
	suppress_free(&s);
}
END_TEST

/* The list of known ids is the union of the three tables. */
START_TEST(known_ids)
{
	const struct auditor *as[] = { &query_auditor, &txn_auditor, &runtime_auditor };
	size_t i, k, n = 0, total = 0;
	for (i = 0; suppress_known_ids[i]; i++)
		n++;
	for (k = 0; k < 3; k++) {
		total += as[k]->nchecks;
		for (i = 0; i < as[k]->nchecks; i++) {
			size_t j;
			int found = 0;
			for (j = 0; suppress_known_ids[j]; j++)
				found |= !strcmp(suppress_known_ids[j], as[k]->checks[i].id);
			ck_assert_msg(found, "%s missing from suppress_known_ids", as[k]->checks[i].id);
		}
	}
	ck_assert_uint_eq(n, total);
}
END_TEST

/* ---- through the auditor frame */

#define SLEEPY "import time\n\nasync def f():\n    time.sleep(1)%s\n"

static size_t run_rt(const char *src, const char *ctxtext, enum severity *sev)
{
	json_t *ctx = json_loads(ctxtext ? ctxtext : "{}", 0, NULL);
	struct finding_list fl;
	size_t n;
	ck_assert_ptr_nonnull(ctx);
	finding_list_init(&fl);
	ck_assert_int_eq(auditor_run_buffer_lang(&runtime_auditor, "sync_sleep_in_async", "m.py", src, strlen(src),
						 ctx, &fl), 0);
	n = fl.n;
	if (sev && n)
		*sev = fl.v[0].severity;
	finding_list_free(&fl);
	json_decref(ctx);
	return n;
}

START_TEST(auditor_suppresses)
{
	char src[400];
	snprintf(src, sizeof src, SLEEPY, "");
	ck_assert_uint_eq(run_rt(src, NULL, NULL), 1);
	snprintf(src, sizeof src, SLEEPY, "  # pperf: ignore");
	ck_assert_uint_eq(run_rt(src, NULL, NULL), 0);
	snprintf(src, sizeof src, SLEEPY, "  # pperf: ignore[sync_sleep_in_async]");
	ck_assert_uint_eq(run_rt(src, NULL, NULL), 0);
	snprintf(src, sizeof src, SLEEPY, "  # pperf: ignore[n_plus_one_query]");
	ck_assert_uint_eq(run_rt(src, NULL, NULL), 1);
	snprintf(src, sizeof src, SLEEPY, "; s = '# pperf: ignore'");
	ck_assert_uint_eq(run_rt(src, NULL, NULL), 1);
	ck_assert_uint_eq(run_rt("import time\n\nasync def f():\n    # pperf: ignore[sync_sleep_in_async]\n"
				 "    time.sleep(1)\n", NULL, NULL), 0);
	ck_assert_uint_eq(run_rt("import time\n\nasync def f():\n    # pperf: ignore\n\n    time.sleep(1)\n",
				 NULL, NULL), 1);
}
END_TEST

START_TEST(auditor_config)
{
	enum severity sev = SEV_NONE;
	char src[400];
	snprintf(src, sizeof src, SLEEPY, "");
	ck_assert_uint_eq(run_rt(src, NULL, &sev), 1);
	ck_assert_int_ne(sev, SEV_LOW);
	ck_assert_uint_eq(run_rt(src, "{\"config\": {\"checks\": {\"sync_sleep_in_async\": {\"enabled\": false}}}}", NULL),
			  0);
	ck_assert_uint_eq(run_rt(src, "{\"config\": {\"checks\": {\"sync_sleep_in_async\": {\"enabled\": true}}}}", NULL),
			  1);
	ck_assert_uint_eq(run_rt(src, "{\"config\": {\"checks\": {\"sync_sleep_in_async\": {\"severity\": \"low\"}}}}",
				 &sev), 1);
	ck_assert_int_eq(sev, SEV_LOW);
	/* another check's settings change nothing here */
	ck_assert_uint_eq(run_rt(src, "{\"config\": {\"checks\": {\"redundant_copy\": {\"enabled\": false}}}}", NULL), 1);
}
END_TEST

/* long_transaction_lines moves long_held_transaction's threshold. */
START_TEST(long_lines)
{
	char src[8000];
	size_t o;
	int i;
	struct finding_list fl;
	json_t *dflt = json_object(), *low = json_loads("{\"config\": {\"long_transaction_lines\": 30}}", 0, NULL);
	o = (size_t)snprintf(src, sizeof src, "def close(SessionLocal, rows):\n    with SessionLocal.begin() as db:\n"
					      "        db.execute(select(E).with_for_update())\n");
	for (i = 0; i < 40; i++)
		o += (size_t)snprintf(src + o, sizeof src - o, "        total_%d = compute(%d, rows)\n", i, i);
	snprintf(src + o, sizeof src - o, "        db.add(Summary(total_0))\n");
	finding_list_init(&fl);
	ck_assert_int_eq(auditor_run_buffer_lang(&txn_auditor, "long_held_transaction", "m.py", src, strlen(src), dflt,
						 &fl), 0);
	ck_assert_uint_eq(fl.n, 0);
	ck_assert_int_eq(auditor_run_buffer_lang(&txn_auditor, "long_held_transaction", "m.py", src, strlen(src), low,
						 &fl), 0);
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_uint_eq(fl.v[0].line, 2);
	finding_list_free(&fl);
	json_decref(dflt);
	json_decref(low);
}
END_TEST

/* ---- config_validate, config_load */

static void expect_invalid(const char *text, const char *want)
{
	char msg[200];
	json_t *cfg = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_int_eq(config_validate(cfg, msg, sizeof msg), -1);
	ck_assert_msg(strstr(msg, want), "'%s' lacks '%s'", msg, want);
	json_decref(cfg);
}

START_TEST(validate)
{
	char msg[200];
	json_t *ok = json_loads("{\"exclude\": [\"legacy/\"], \"include\": [\"app/**\"], \"fail_on\": \"high\","
				"\"checks\": {\"n_plus_one_query\": {\"enabled\": false, \"severity\": \"CRITICAL\"}},"
				"\"handler_decorators\": [\"rpc.method\"], \"job_decorators\": [\"every\"],"
				"\"long_transaction_lines\": 80}", 0, NULL);
	ck_assert_int_eq(config_validate(ok, msg, sizeof msg), 0);
	json_decref(ok);
	expect_invalid("{\"excludes\": []}", "unknown key 'excludes'");
	expect_invalid("{\"exclude\": \"legacy/\"}", "exclude: expected an array");
	expect_invalid("{\"fail_on\": \"urgent\"}", "fail_on");
	expect_invalid("{\"long_transaction_lines\": \"80\"}", "long_transaction_lines");
	expect_invalid("{\"long_transaction_lines\": 0}", "long_transaction_lines");
	expect_invalid("{\"checks\": {\"n_plus_one\": {}}}", "unknown check 'n_plus_one'");
	expect_invalid("{\"checks\": {\"n_plus_one_query\": {\"enable\": false}}}", "unknown key 'enable'");
	expect_invalid("{\"checks\": {\"n_plus_one_query\": {\"severity\": \"BAD\"}}}", "severity");
	expect_invalid("{\"checks\": {\"n_plus_one_query\": {\"enabled\": 1}}}", "enabled");
	expect_invalid("[]", "expected an object");
}
END_TEST

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *fp;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

START_TEST(load)
{
	char dir[] = "/tmp/pperf-cfg-XXXXXX", path[512];
	struct jsonio_err err;
	json_t *cfg;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* nothing there: no configuration */
	ck_assert_int_eq(config_load(dir, CONFIG_FIND, NULL, &cfg, &err), 0);
	ck_assert_ptr_null(cfg);
	/* pyproject.toml's [tool.pperf], tables and dotted keys */
	write_file(dir, "pyproject.toml", "[project]\nname = \"x\"\n\n[tool.pperf]\nexclude = [\"legacy/\"]\n"
					  "long_transaction_lines = 80\nfail_on = \"HIGH\"\n"
					  "checks.redundant_copy.enabled = false\n\n"
					  "[tool.pperf.checks.n_plus_one_query]\nseverity = \"LOW\"\n\n[tool.other]\na = 1\n");
	ck_assert_int_eq(config_load(dir, CONFIG_FIND, NULL, &cfg, &err), 0);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_int_eq(json_integer_value(json_object_get(cfg, "long_transaction_lines")), 80);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(cfg, "exclude"), 0)), "legacy/");
	{
		json_t *ctx = json_pack("{s:O}", "config", cfg);
		ck_assert_int_eq(config_check_severity(ctx, "n_plus_one_query"), SEV_LOW);
		ck_assert_int_eq(config_check_enabled(ctx, "redundant_copy"), 0);
		ck_assert_int_eq(config_check_enabled(ctx, "n_plus_one_query"), 1);
		ck_assert_int_eq(config_int(ctx, "long_transaction_lines", 50), 80);
		json_decref(ctx);
	}
	json_decref(cfg);
	/* an unknown key of the table: error naming key and file */
	write_file(dir, "pyproject.toml", "[tool.pperf]\nexclud = [\"x\"]\n");
	ck_assert_int_eq(config_load(dir, CONFIG_FIND, NULL, &cfg, &err), -1);
	ck_assert_int_eq(err.status, 3);
	ck_assert_msg(strstr(err.msg, "unknown key 'exclud'"), "%s", err.msg);
	ck_assert_msg(strstr(err.file, "pyproject.toml"), "%s", err.file);
	/* .pperf.json comes first */
	write_file(dir, ".pperf.json", "{\"fail_on\": \"never\"}");
	ck_assert_int_eq(config_load(dir, CONFIG_FIND, NULL, &cfg, &err), 0);
	ck_assert_str_eq(json_string_value(json_object_get(cfg, "fail_on")), "never");
	json_decref(cfg);
	/* --no-config, --config */
	ck_assert_int_eq(config_load(dir, CONFIG_NONE, NULL, &cfg, &err), 0);
	ck_assert_ptr_null(cfg);
	write_file(dir, "other.json", "{\"bogus\": true}");
	snprintf(path, sizeof path, "%s/other.json", dir);
	ck_assert_int_eq(config_load(dir, CONFIG_PATH, path, &cfg, &err), -1);
	ck_assert_msg(strstr(err.msg, "unknown key 'bogus'") && strstr(err.file, "other.json"), "%s", err.msg);
	snprintf(path, sizeof path, "%s/missing.json", dir);
	ck_assert_int_eq(config_load(dir, CONFIG_PATH, path, &cfg, &err), -1);
	ck_assert_int_eq(err.status, 4);
	write_file(dir, ".pperf.json", "{\"fail_on\": ");
	ck_assert_int_eq(config_load(dir, CONFIG_FIND, NULL, &cfg, &err), -1);
	ck_assert_int_eq(err.status, 3);
	snprintf(path, sizeof path, "%s/.pperf.json", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/pyproject.toml", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/other.json", dir);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(globs_and_decorators)
{
	json_t *cfg = json_loads("{\"exclude\": [\"legacy/\", \"*_pb2.py\"], \"include\": [\"app/\", \"lib/**/*.py\"]}",
				 0, NULL);
	json_t *ctx = json_loads("{\"config\": {\"handler_decorators\": [\"rpc.method\", \"endpoint\"]}}", 0, NULL);
	const char *d1[] = { "rpc.method(\"x\")" }, *d2[] = { "api.endpoint" }, *d3[] = { "other.method" },
		   *d4[] = { "x.rpc.method" };
	ck_assert(config_path_selected(cfg, "app/main.py"));
	ck_assert(!config_path_selected(cfg, "app/legacy/old.py"));
	ck_assert(!config_path_selected(cfg, "app/x_pb2.py"));
	ck_assert(config_path_selected(cfg, "lib/a/b.py"));
	ck_assert(!config_path_selected(cfg, "lib/a/b.txt"));
	ck_assert(!config_path_selected(cfg, "scripts/run.py"));
	ck_assert(config_path_selected(NULL, "scripts/run.py"));
	ck_assert(config_decorated(ctx, "handler_decorators", d1, 1));
	ck_assert(config_decorated(ctx, "handler_decorators", d2, 1));
	ck_assert(!config_decorated(ctx, "handler_decorators", d3, 1));
	ck_assert(!config_decorated(ctx, "handler_decorators", d4, 1));
	ck_assert(!config_decorated(ctx, "job_decorators", d1, 1));
	json_decref(cfg);
	json_decref(ctx);
}
END_TEST

/* handler_decorators and job_decorators: in the auditor's outline (the
 * severity of a blocking call) and in the project index (fn->job). */
START_TEST(decorators)
{
	const char *src = "import requests\nfrom mylib import rpc, sched\n\n@rpc.method('x')\nasync def f():\n"
			  "    requests.get('u')\n\n@sched.every(60)\ndef nightly():\n    pass\n";
	json_t *none = json_object(),
	       *cfg = json_loads("{\"config\": {\"handler_decorators\": [\"rpc.method\"], "
				 "\"job_decorators\": [\"every\"]}}", 0, NULL);
	struct finding_list fl;
	struct py_toks toks;
	struct py_outline ol;
	struct py_index *ix;
	finding_list_init(&fl);
	ck_assert_int_eq(auditor_run_buffer_lang(&runtime_auditor, "blocking_io_in_async", "m.py", src, strlen(src), none,
						 &fl), 0);
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_int_eq(fl.v[0].severity, SEV_MEDIUM);
	finding_list_free(&fl);
	finding_list_init(&fl);
	ck_assert_int_eq(auditor_run_buffer_lang(&runtime_auditor, "blocking_io_in_async", "m.py", src, strlen(src), cfg,
						 &fl), 0);
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_int_eq(fl.v[0].severity, SEV_HIGH);   /* a request handler now */
	finding_list_free(&fl);
	ck_assert_int_eq(py_tokenize(&toks, src, strlen(src)), 0);
	ck_assert_int_eq(py_outline_build(&ol, &toks), 0);
	ix = py_index_new();
	ck_assert_int_eq(py_index_add(ix, "app/m.py", &ol, none), 0);
	py_index_resolve(ix);
	ck_assert(!py_index_fn(ix, NULL, "nightly")->job);
	ck_assert(!py_index_fn(ix, NULL, "f")->handler);
	py_index_free(ix);
	ix = py_index_new();
	ck_assert_int_eq(py_index_add(ix, "app/m.py", &ol, cfg), 0);
	py_index_resolve(ix);
	ck_assert(py_index_fn(ix, NULL, "nightly")->job);
	ck_assert(py_index_fn(ix, NULL, "f")->handler);
	py_index_free(ix);
	py_outline_free(&ol);
	py_toks_free(&toks);
	json_decref(none);
	json_decref(cfg);
}
END_TEST

Suite *suite_suppress(void);
Suite *suite_suppress(void)
{
	Suite *s = suite_create("suppress");
	TCase *t = tcase_create("suppress");
	TCase *c = tcase_create("config");
	tcase_add_test(t, same_line_and_above);
	tcase_add_test(t, id_list);
	tcase_add_test(t, strings_do_not_count);
	tcase_add_test(t, other_languages);
	tcase_add_test(t, known_ids);
	tcase_add_test(t, auditor_suppresses);
	tcase_add_test(c, auditor_config);
	tcase_add_test(c, long_lines);
	tcase_add_test(c, validate);
	tcase_add_test(c, load);
	tcase_add_test(c, globs_and_decorators);
	tcase_add_test(c, decorators);
	suite_add_tcase(s, t);
	suite_add_tcase(s, c);
	return s;
}
