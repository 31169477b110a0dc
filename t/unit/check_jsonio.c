/*
 * Unit tests for lib/jsonio.c: located parse errors, duplicate keys,
 * empty input, streams, schema checks (positive and negative, with the
 * JSON path in the message), dumping and atomic writes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <check.h>

#include "cli.h"
#include "jsonio.h"

/* A FILE positioned at the start of s (caller fcloses). */
static FILE *mem(const char *s)
{
	FILE *f = tmpfile();

	ck_assert_ptr_nonnull(f);
	fputs(s, f);
	rewind(f);
	return f;
}

static json_t *read_str(const char *s, struct jsonio_err *err)
{
	FILE *f = mem(s);
	json_t *doc = jsonio_read_one(f, "<test>", err);

	fclose(f);
	return doc;
}

/* ---- reading */

START_TEST(test_read_ok)
{
	struct jsonio_err err;
	json_t *doc = read_str("\n {\"a\": [1, 2], \"b\": \"x\"} \n", &err);

	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(doc, "a"), 1)), 2);
	ck_assert_str_eq(err.file, "<test>");
	json_decref(doc);
}
END_TEST

START_TEST(test_read_malformed_located)
{
	struct jsonio_err err;
	json_t *doc = read_str("{\n  \"a\": 1,\n  \"b\": x\n}\n", &err);

	ck_assert_ptr_null(doc);
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert_uint_eq(err.line, 3);
	ck_assert_uint_eq(err.col, 8);
	ck_assert_str_eq(err.file, "<test>");
	ck_assert_ptr_nonnull(strstr(err.msg, "invalid token"));
}
END_TEST

START_TEST(test_read_duplicate_keys)
{
	struct jsonio_err err;
	json_t *doc = read_str("{\"schema\": \"a\",\n \"schema\": \"b\"}", &err);

	ck_assert_ptr_null(doc);
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert_uint_eq(err.line, 2);
	ck_assert_ptr_nonnull(strstr(err.msg, "duplicate object key"));
}
END_TEST

START_TEST(test_read_empty)
{
	struct jsonio_err err;

	ck_assert_ptr_null(read_str("", &err));
	ck_assert_str_eq(err.msg, "empty input");
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert_ptr_null(read_str(" \n\t\r\n", &err));
	ck_assert_str_eq(err.msg, "empty input");
}
END_TEST

START_TEST(test_read_trailing_garbage)
{
	struct jsonio_err err;

	ck_assert_ptr_null(read_str("{\"a\": 1} {\"b\": 2}", &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "end of file expected"));
	ck_assert_uint_eq(err.line, 1);
	ck_assert_ptr_null(read_str("{\"a\": 1}\n]", &err));
	ck_assert_uint_eq(err.line, 2);
}
END_TEST

START_TEST(test_read_truncated)
{
	struct jsonio_err err;

	ck_assert_ptr_null(read_str("{\"a\": [1, 2", &err));
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert_ptr_null(read_str("\xff\xfe{}", &err));
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert_ptr_null(read_str("42", &err)); /* not an object or array */
	ck_assert_int_eq(err.status, EXIT_DATA);
}
END_TEST

START_TEST(test_read_nul_byte)
{
	struct jsonio_err err;
	FILE *f = tmpfile();

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite("{\"a\": \0}", 1, 8, f), 8);
	rewind(f);
	ck_assert_ptr_null(jsonio_read_one(f, "<nul>", &err));
	fclose(f);
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert_uint_eq(err.line, 1);
}
END_TEST

START_TEST(test_read_path_missing)
{
	struct jsonio_err err;

	ck_assert_ptr_null(jsonio_read_path("/nonexistent/pperf/x.json", &err));
	ck_assert_int_eq(err.status, EXIT_IO);
	ck_assert_str_eq(err.file, "/nonexistent/pperf/x.json");
	ck_assert_str_eq(err.msg, "cannot open: No such file or directory");
}
END_TEST

START_TEST(test_read_path_dir)
{
	struct jsonio_err err;

	ck_assert_ptr_null(jsonio_read_path("/", &err));
	ck_assert_int_eq(err.status, EXIT_IO);
}
END_TEST

/* ---- streams */

struct collect {
	int seen[8];
	int n;
	int stop_at;
};

static int collect_cb(json_t *doc, void *arg)
{
	struct collect *c = arg;

	if (c->n < 8)
		c->seen[c->n] = (int)json_integer_value(json_object_get(doc, "n"));
	c->n++;
	return c->stop_at && c->n == c->stop_at ? EXIT_IO : 0;
}

static int stream_str(const char *s, struct collect *c, struct jsonio_err *err)
{
	FILE *f = mem(s);
	int n = jsonio_read_stream(f, "<stream>", collect_cb, c, err);

	fclose(f);
	return n;
}

START_TEST(test_stream_three)
{
	struct collect c = { { 0 }, 0, 0 };
	struct jsonio_err err;

	ck_assert_int_eq(stream_str("{\"n\": 1}{\"n\": 2}\n\n  {\"n\":\n 3}\n", &c, &err), 3);
	ck_assert_int_eq(c.n, 3);
	ck_assert_int_eq(c.seen[0], 1);
	ck_assert_int_eq(c.seen[1], 2);
	ck_assert_int_eq(c.seen[2], 3);
}
END_TEST

START_TEST(test_stream_empty)
{
	struct collect c = { { 0 }, 0, 0 };
	struct jsonio_err err;

	ck_assert_int_eq(stream_str("  \n", &c, &err), 0);
	ck_assert_int_eq(c.n, 0);
}
END_TEST

START_TEST(test_stream_error_located)
{
	struct collect c = { { 0 }, 0, 0 };
	struct jsonio_err err;

	ck_assert_int_eq(stream_str("{\"n\": 1}\n{\"n\": 2}\n{\"n\": x}\n", &c, &err), -1);
	ck_assert_int_eq(c.n, 2);
	ck_assert_uint_eq(err.line, 3);
	ck_assert_uint_eq(err.col, 7);
	ck_assert_str_eq(err.file, "<stream>");
	/* same line as the previous document: columns add up */
	c.n = 0;
	ck_assert_int_eq(stream_str("{\"n\": 1} {\"b\": x}", &c, &err), -1);
	ck_assert_uint_eq(err.line, 1);
	ck_assert_uint_eq(err.col, 16); /* 9 characters before + column 7 */
}
END_TEST

START_TEST(test_stream_duplicates_and_garbage)
{
	struct collect c = { { 0 }, 0, 0 };
	struct jsonio_err err;

	ck_assert_int_eq(stream_str("{\"n\": 1}\n{\"n\": 2, \"n\": 3}", &c, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "duplicate"));
	ck_assert_uint_eq(err.line, 2);
	c.n = 0;
	ck_assert_int_eq(stream_str("{\"n\": 1} trailing", &c, &err), -1);
	ck_assert_int_eq(c.n, 1);
}
END_TEST

START_TEST(test_stream_cb_stops)
{
	struct collect c = { { 0 }, 0, 2 };
	struct jsonio_err err;

	ck_assert_int_eq(stream_str("{\"n\": 1} {\"n\": 2} {\"n\": 3}", &c, &err), -1);
	ck_assert_int_eq(c.n, 2);
	ck_assert_int_eq(err.status, EXIT_IO);
	ck_assert_str_eq(err.msg, "");
}
END_TEST

/* ---- schema checks */

static json_t *parse(const char *s)
{
	json_error_t je;
	json_t *doc = json_loads(s, 0, &je);

	ck_assert_msg(doc != NULL, "test JSON: %s", je.text);
	return doc;
}

static const char ctx_ok[] =
	"{\"schema\": \"pperf.context/1\", \"codebase_root\": \"/src/app\","
	" \"tech_stack\": {\"languages\": [\"python\"], \"db\": null},"
	" \"files\": [{\"path\": \"app/a.py\", \"language\": \"python\", \"role\": \"source\", \"bytes\": 120},"
	"            {\"path\": \"tests/t.py\", \"language\": \"python\", \"role\": \"test\", \"bytes\": 0}]}";

START_TEST(test_context_ok)
{
	struct jsonio_err err;
	json_t *doc = parse(ctx_ok);

	memset(&err, 0, sizeof err);
	ck_assert_int_eq(jsonio_check_context(doc, &err), 0);
	json_decref(doc);
}
END_TEST

/* Runs check on doc (consumed) and expects failure with exactly msg. */
static void expect_bad(int (*check)(const json_t *, struct jsonio_err *), json_t *doc,
		       const char *msg)
{
	struct jsonio_err err;

	memset(&err, 0, sizeof err);
	ck_assert_int_eq(check(doc, &err), -1);
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert_uint_eq(err.line, 0);
	ck_assert_str_eq(err.msg, msg);
	json_decref(doc);
}

static json_t *file_n(json_t *doc, size_t i)
{
	return json_array_get(json_object_get(doc, "files"), i);
}

START_TEST(test_context_bad)
{
	json_t *d;

	d = parse(ctx_ok);
	json_object_set_new(d, "schema", json_string("pperf.result/1"));
	expect_bad(jsonio_check_context, d,
		   "schema: expected \"pperf.context/1\", got \"pperf.result/1\"");
	d = parse(ctx_ok);
	json_object_del(d, "schema");
	expect_bad(jsonio_check_context, d, "schema: missing, expected \"pperf.context/1\"");
	d = parse(ctx_ok);
	json_object_del(d, "codebase_root");
	expect_bad(jsonio_check_context, d, "codebase_root: missing, expected string");
	d = parse(ctx_ok);
	json_object_set_new(d, "tech_stack", json_array());
	expect_bad(jsonio_check_context, d, "tech_stack: expected object, got array");
	d = parse(ctx_ok);
	json_object_set_new(file_n(d, 1), "role", json_string("weird"));
	expect_bad(jsonio_check_context, d, "files[1].role: expected one of source, test, "
		   "migration, config, vendor, generated, got \"weird\"");
	d = parse(ctx_ok);
	json_object_set_new(file_n(d, 0), "bytes", json_string("12"));
	expect_bad(jsonio_check_context, d, "files[0].bytes: expected integer, got string");
	d = parse(ctx_ok);
	json_object_set_new(file_n(d, 0), "bytes", json_integer(-1));
	expect_bad(jsonio_check_context, d, "files[0].bytes: expected an integer >= 0, got -1");
	d = parse(ctx_ok);
	json_object_set_new(file_n(d, 0), "path", json_string("../etc/passwd"));
	expect_bad(jsonio_check_context, d, "files[0].path: \"..\" leaves codebase_root: \"../etc/passwd\"");
	d = parse(ctx_ok);
	json_object_set_new(file_n(d, 0), "path", json_string("a/../../b.py"));
	expect_bad(jsonio_check_context, d, "files[0].path: \"..\" leaves codebase_root: \"a/../../b.py\"");
	d = parse(ctx_ok);
	json_object_set_new(file_n(d, 0), "path", json_string("/etc/passwd"));
	expect_bad(jsonio_check_context, d, "files[0].path: expected a relative path, got \"/etc/passwd\"");
	d = parse(ctx_ok);
	json_object_set_new(file_n(d, 0), "path", json_string("a/..b/c..d.py"));
	{
		struct jsonio_err ok_err;
		memset(&ok_err, 0, sizeof(ok_err));
		ck_assert_int_eq(jsonio_check_context(d, &ok_err), 0);
	}
	json_decref(d);
	d = parse(ctx_ok);
	json_object_set_new(file_n(d, 1), "path", json_null());
	expect_bad(jsonio_check_context, d, "files[1].path: expected string, got null");
	d = parse(ctx_ok);
	json_object_del(file_n(d, 0), "language");
	expect_bad(jsonio_check_context, d, "files[0].language: missing, expected string or null");
	d = parse(ctx_ok);
	json_object_set_new(file_n(d, 0), "language", json_integer(3));
	expect_bad(jsonio_check_context, d, "files[0].language: expected string or null, got integer");
	d = parse(ctx_ok);
	json_array_append_new(json_object_get(d, "files"), json_array());
	expect_bad(jsonio_check_context, d, "files[2]: expected object, got array");
	d = parse(ctx_ok);
	json_object_set_new(d, "files", json_object());
	expect_bad(jsonio_check_context, d, "files: expected array, got object");
}
END_TEST

START_TEST(test_context_not_object)
{
	expect_bad(jsonio_check_context, parse("[1]"), "(document): expected object, got array");
}
END_TEST

static const char result_ok[] =
	"{\"schema\": \"pperf.result/1\", \"category\": \"Transaction Correctness\","
	" \"score\": 8.5, \"total_issues\": 2, \"critical\": 0, \"high\": 1, \"medium\": 1, \"low\": 0,"
	" \"checks\": [{\"id\": \"missing_rollback\", \"ran\": true, \"findings\": 2},"
	"              {\"id\": \"scope_too_narrow\", \"ran\": false, \"findings\": 0}],"
	" \"findings\": [{\"check\": \"missing_rollback\", \"severity\": \"HIGH\", \"file\": \"app/db.py\","
	"   \"line\": 41, \"location\": \"app/db.py:41\", \"issue\": \"i\", \"principle\": \"p\","
	"   \"recommendation\": \"r\", \"effort\": \"S\", \"snippet\": \"s\"},"
	"  {\"check\": \"missing_rollback\", \"severity\": \"MEDIUM\", \"file\": \"app/x.py\", \"line\": 1}]}";

static json_t *finding_n(json_t *doc, size_t i)
{
	return json_array_get(json_object_get(doc, "findings"), i);
}

START_TEST(test_result_ok)
{
	struct jsonio_err err;
	json_t *d = parse(result_ok);

	ck_assert_int_eq(jsonio_check_result(d, &err), 0);
	json_object_set_new(d, "score", json_integer(10));
	ck_assert_int_eq(jsonio_check_result(d, &err), 0);
	json_decref(d);
}
END_TEST

START_TEST(test_result_failed_ok)
{
	struct jsonio_err err;
	json_t *d = parse("{\"schema\": \"pperf.result/1\", \"category\": \"Runtime Performance\","
			  " \"status\": \"error\", \"error\": \"auditor crashed\"}");

	ck_assert_int_eq(jsonio_check_result(d, &err), 0);
	json_decref(d);
}
END_TEST

START_TEST(test_result_bad)
{
	json_t *d;

	d = parse(result_ok);
	json_object_set_new(d, "category", json_string("Speed"));
	expect_bad(jsonio_check_result, d, "category: expected one of Query Efficiency, "
		   "Transaction Correctness, Runtime Performance, got \"Speed\"");
	d = parse(result_ok);
	json_object_set_new(finding_n(d, 1), "line", json_integer(0));
	expect_bad(jsonio_check_result, d, "findings[1].line: expected an integer >= 1, got 0");
	d = parse(result_ok);
	json_object_set_new(finding_n(d, 0), "severity", json_string("high"));
	expect_bad(jsonio_check_result, d, "findings[0].severity: expected one of CRITICAL, "
		   "HIGH, MEDIUM, LOW, got \"high\"");
	d = parse(result_ok);
	json_object_del(finding_n(d, 1), "file");
	expect_bad(jsonio_check_result, d, "findings[1].file: missing, expected string");
	d = parse(result_ok);
	json_object_set_new(finding_n(d, 0), "effort", json_string("XL"));
	expect_bad(jsonio_check_result, d, "findings[0].effort: expected one of S, M, L, S-M, "
		   "M-L, got \"XL\"");
	d = parse(result_ok);
	json_object_set_new(json_array_get(json_object_get(d, "checks"), 1), "ran",
			    json_string("yes"));
	expect_bad(jsonio_check_result, d, "checks[1].ran: expected boolean, got string");
	d = parse(result_ok);
	json_object_set_new(d, "score", json_string("8.5"));
	expect_bad(jsonio_check_result, d, "score: expected number, got string");
	d = parse(result_ok);
	json_object_set_new(d, "score", json_real(11.0));
	expect_bad(jsonio_check_result, d, "score: expected a number from 0 to 10, got 11");
	d = parse(result_ok);
	json_object_del(d, "low");
	expect_bad(jsonio_check_result, d, "low: missing, expected integer");
	d = parse(result_ok);
	json_object_set_new(d, "status", json_string("broken"));
	expect_bad(jsonio_check_result, d, "status: expected one of ok, error, got \"broken\"");
	d = parse(result_ok);
	json_object_set_new(d, "schema", json_string("pperf.context/1"));
	expect_bad(jsonio_check_result, d,
		   "schema: expected \"pperf.result/1\", got \"pperf.context/1\"");
}
END_TEST

START_TEST(test_result_failed_bad)
{
	json_t *d = parse("{\"schema\": \"pperf.result/1\", \"category\": \"Runtime Performance\","
			  " \"status\": \"error\", \"error\": 3}");

	expect_bad(jsonio_check_result, d, "error: expected string, got integer");
	d = parse("{\"schema\": \"pperf.result/1\", \"status\": \"error\"}");
	expect_bad(jsonio_check_result, d, "category: missing, expected string");
}
END_TEST

static const char report_ok[] =
	"{\"schema\": \"pperf.report/1\", \"date\": \"2025-01-01\","
	" \"categories\": [{\"category\": \"Query Efficiency\", \"score\": 10.0},"
	"                  {\"category\": \"Runtime Performance\", \"status\": \"error\"}],"
	" \"overall_score\": 10.0,"
	" \"findings\": [{\"check\": \"n_plus_one_query\", \"severity\": \"HIGH\", \"file\": \"a.py\","
	"   \"line\": 3, \"category\": \"Query Efficiency\"}]}";

START_TEST(test_report_ok)
{
	struct jsonio_err err;
	json_t *d = parse(report_ok);

	ck_assert_int_eq(jsonio_check_report(d, &err), 0);
	json_decref(d);
}
END_TEST

START_TEST(test_report_bad)
{
	json_t *d;

	d = parse(report_ok);
	json_object_del(d, "categories");
	expect_bad(jsonio_check_report, d, "categories: missing, expected array");
	d = parse(report_ok);
	json_object_del(finding_n(d, 0), "category");
	expect_bad(jsonio_check_report, d, "findings[0].category: missing, expected string");
	d = parse(report_ok);
	json_object_set_new(d, "findings", json_string("none"));
	expect_bad(jsonio_check_report, d, "findings: expected array, got string");
	d = parse(report_ok);
	json_array_append_new(json_object_get(d, "categories"), json_integer(1));
	expect_bad(jsonio_check_report, d, "categories[2]: expected object, got integer");
	d = parse(ctx_ok);
	expect_bad(jsonio_check_report, d,
		   "schema: expected \"pperf.report/1\", got \"pperf.context/1\"");
}
END_TEST

/* ---- reporting and output */

static char *capture_stderr_report(const struct jsonio_err *err, int *rc)
{
	int p[2], saved;
	char *buf = calloc(1, 1024);

	ck_assert_int_eq(pipe(p), 0);
	saved = dup(STDERR_FILENO);
	dup2(p[1], STDERR_FILENO);
	close(p[1]);
	*rc = jsonio_report(err);
	dup2(saved, STDERR_FILENO);
	close(saved);
	ck_assert_int_ge(read(p[0], buf, 1023), 0);
	close(p[0]);
	return buf;
}

START_TEST(test_report_message)
{
	struct jsonio_err err;
	char *s;
	int rc;

	cli_init("pperf-aggregate");
	ck_assert_ptr_null(read_str("{\n\"a\": }", &err));
	s = capture_stderr_report(&err, &rc);
	ck_assert_int_eq(rc, EXIT_DATA);
	ck_assert_str_eq(s, "pperf-aggregate: <test>:2:6: error: unexpected token near '}'\n");
	free(s);
}
END_TEST

START_TEST(test_dump)
{
	json_t *d = parse("{\"z\": 1, \"a\": [7.3, 2.5, 10.0], \"m\": {}}");
	char *s = jsonio_dump(d);

	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "{\n  \"z\": 1,\n  \"a\": [\n    7.3,\n    2.5,\n    10.0\n  ],\n"
			 "  \"m\": {}\n}\n");
	free(s);
	json_decref(d);
}
END_TEST

/* ---- atomic writes */

static char tdir[256];

static void setup_dir(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tdir, sizeof tdir, "%s/jsonio.XXXXXX", base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tdir));
}

static void teardown_dir(void)
{
	DIR *d = opendir(tdir);
	struct dirent *e;
	char p[600];

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(p, sizeof p, "%s/%s", tdir, e->d_name);
			unlink(p);
		}
	closedir(d);
	rmdir(tdir);
}

static int count_entries(void)
{
	DIR *d = opendir(tdir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 4096);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge((int)fread(buf, 1, 4095, f), 0);
	fclose(f);
	return buf;
}

START_TEST(test_atomic_new_and_replace)
{
	char path[300], *s;
	struct stat st;

	snprintf(path, sizeof path, "%s/report.md", tdir);
	ck_assert_int_eq(jsonio_write_file_atomic(path, "first\n", 6), 0);
	s = slurp(path);
	ck_assert_str_eq(s, "first\n");
	free(s);
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(jsonio_write_file_atomic(path, "second\n", 7), 0);
	s = slurp(path);
	ck_assert_str_eq(s, "second\n");
	free(s);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(count_entries(), 1); /* no temp file left */
}
END_TEST

START_TEST(test_atomic_fifo)
{
	char path[300], buf[64] = { 0 };
	struct stat st;
	int rfd;

	snprintf(path, sizeof path, "%s/fifo", tdir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	rfd = open(path, O_RDONLY | O_NONBLOCK);
	ck_assert_int_ge(rfd, 0);
	ck_assert_int_eq(jsonio_write_file_atomic(path, "{}\n", 3), 0);
	ck_assert_int_eq(read(rfd, buf, sizeof buf - 1), 3);
	ck_assert_str_eq(buf, "{}\n");
	close(rfd);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_int_eq(count_entries(), 1);
}
END_TEST

START_TEST(test_atomic_device_via_link)
{
	char path[300];
	struct stat st;

	/* a link to /dev/null: written through, the link never replaced */
	snprintf(path, sizeof path, "%s/null", tdir);
	ck_assert_int_eq(symlink("/dev/null", path), 0);
	ck_assert_int_eq(jsonio_write_file_atomic(path, "x\n", 2), 0);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(stat("/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	ck_assert_int_eq(count_entries(), 1);
}
END_TEST

START_TEST(test_atomic_link_to_file)
{
	char path[300], target[300], *s;
	struct stat st;

	snprintf(target, sizeof target, "%s/real.json", tdir);
	snprintf(path, sizeof path, "%s/link.json", tdir);
	ck_assert_int_eq(jsonio_write_file_atomic(target, "old\n", 4), 0);
	ck_assert_int_eq(symlink("real.json", path), 0);
	ck_assert_int_eq(jsonio_write_file_atomic(path, "new\n", 4), 0);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	s = slurp(target);
	ck_assert_str_eq(s, "new\n");
	free(s);
	ck_assert_int_eq(count_entries(), 2);
}
END_TEST

START_TEST(test_atomic_missing_dir)
{
	char path[300];

	snprintf(path, sizeof path, "%s/no/such/dir/out.json", tdir);
	ck_assert_int_eq(jsonio_write_file_atomic(path, "x", 1), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(count_entries(), 0);
}
END_TEST

START_TEST(test_atomic_stdout)
{
	int p[2], saved;
	char buf[32] = { 0 };

	ck_assert_int_eq(pipe(p), 0);
	saved = dup(STDOUT_FILENO);
	dup2(p[1], STDOUT_FILENO);
	close(p[1]);
	ck_assert_int_eq(jsonio_write_file_atomic("-", "dash\n", 5), 0);
	ck_assert_int_eq(jsonio_write_file_atomic("/dev/stdout", "dev\n", 4), 0);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	ck_assert_int_eq(read(p[0], buf, sizeof buf - 1), 9);
	ck_assert_str_eq(buf, "dash\ndev\n");
	close(p[0]);
}
END_TEST

Suite *suite_jsonio(void)
{
	Suite *s = suite_create("jsonio");
	TCase *rd = tcase_create("read");
	TCase *bad = tcase_create("malformed");
	TCase *st = tcase_create("stream");
	TCase *sc = tcase_create("schema");
	TCase *scn = tcase_create("schema_negative");
	TCase *out = tcase_create("output");
	TCase *at = tcase_create("atomic");

	tcase_add_test(rd, test_read_ok);
	tcase_add_test(bad, test_read_malformed_located);
	tcase_add_test(bad, test_read_duplicate_keys);
	tcase_add_test(bad, test_read_empty);
	tcase_add_test(bad, test_read_trailing_garbage);
	tcase_add_test(bad, test_read_truncated);
	tcase_add_test(bad, test_read_nul_byte);
	tcase_add_test(bad, test_read_path_missing);
	tcase_add_test(bad, test_read_path_dir);
	tcase_add_test(st, test_stream_three);
	tcase_add_test(st, test_stream_empty);
	tcase_add_test(st, test_stream_error_located);
	tcase_add_test(st, test_stream_duplicates_and_garbage);
	tcase_add_test(st, test_stream_cb_stops);
	tcase_add_test(sc, test_context_ok);
	tcase_add_test(sc, test_result_ok);
	tcase_add_test(sc, test_result_failed_ok);
	tcase_add_test(sc, test_report_ok);
	tcase_add_test(scn, test_context_bad);
	tcase_add_test(scn, test_context_not_object);
	tcase_add_test(scn, test_result_bad);
	tcase_add_test(scn, test_result_failed_bad);
	tcase_add_test(scn, test_report_bad);
	tcase_add_test(out, test_report_message);
	tcase_add_test(out, test_dump);
	tcase_add_checked_fixture(at, setup_dir, teardown_dir);
	tcase_add_test(at, test_atomic_new_and_replace);
	tcase_add_test(at, test_atomic_fifo);
	tcase_add_test(at, test_atomic_device_via_link);
	tcase_add_test(at, test_atomic_link_to_file);
	tcase_add_test(at, test_atomic_missing_dir);
	tcase_add_test(at, test_atomic_stdout);
	suite_add_tcase(s, rd);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, st);
	suite_add_tcase(s, sc);
	suite_add_tcase(s, scn);
	suite_add_tcase(s, out);
	suite_add_tcase(s, at);
	return s;
}
