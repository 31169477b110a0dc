/*
 * Unit tests for lib/cli.c: message format, control characters,
 * truncation, stdout emission, --fail-on parsing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <check.h>

#include "cli.h"

/* Runs fn with descriptor fd redirected into a pipe; returns what was
 * written (caller frees) and stores fn's result in *rc. */
static char *capture(int fd, int (*fn)(const void *), const void *arg, int *rc)
{
	int p[2], saved, r;
	size_t n = 0, cap = 65536;
	char *buf = malloc(cap);
	ssize_t got;

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(pipe(p), 0);
	saved = dup(fd);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(p[1], fd), 0);
	close(p[1]);
	r = fn(arg);
	ck_assert_int_ge(dup2(saved, fd), 0);
	close(saved);
	while ((got = read(p[0], buf + n, cap - n - 1)) > 0)
		n += (size_t)got;
	close(p[0]);
	buf[n] = '\0';
	if (rc)
		*rc = r;
	return buf;
}

struct msgargs {
	const char *kind, *file;
	unsigned line, col;
	const char *text;
};

static int do_msg(const void *arg)
{
	const struct msgargs *m = arg;

	cli_msg(m->kind, m->file, m->line, m->col, "%s", m->text);
	return 0;
}

static char *msg_of(const char *kind, const char *file, unsigned line, unsigned col,
		    const char *text)
{
	struct msgargs m = { kind, file, line, col, text };

	return capture(STDERR_FILENO, do_msg, &m, NULL);
}

START_TEST(test_progname)
{
	cli_init("/usr/local/bin/pperf-audit-txn");
	ck_assert_str_eq(cli_progname(), "pperf-audit-txn");
	cli_init("pperf-discover");
	ck_assert_str_eq(cli_progname(), "pperf-discover");
}
END_TEST

START_TEST(test_msg_full_location)
{
	char *s;

	cli_init("./pperf-test");
	s = msg_of("error", "app/db.py", 41, 9, "missing rollback");
	ck_assert_str_eq(s, "pperf-test: app/db.py:41:9: error: missing rollback\n");
	free(s);
}
END_TEST

START_TEST(test_msg_partial_location)
{
	char *s;

	cli_init("pperf-test");
	s = msg_of("warning", "a.py", 3, 0, "w");
	ck_assert_str_eq(s, "pperf-test: a.py:3: warning: w\n");
	free(s);
	s = msg_of("warning", "a.py", 0, 7, "w");
	ck_assert_str_eq(s, "pperf-test: a.py: warning: w\n");
	free(s);
	s = msg_of("error", NULL, 5, 5, "no file");
	ck_assert_str_eq(s, "pperf-test: error: no file\n");
	free(s);
}
END_TEST

static int do_error_warn(const void *arg)
{
	(void)arg;
	cli_error("bad '%s'", "x");
	cli_warn("count %d", 3);
	return 0;
}

START_TEST(test_error_warn)
{
	char *s;

	cli_init("pperf-test");
	s = capture(STDERR_FILENO, do_error_warn, NULL, NULL);
	ck_assert_str_eq(s, "pperf-test: error: bad 'x'\npperf-test: warning: count 3\n");
	free(s);
}
END_TEST

START_TEST(test_msg_control_chars)
{
	char *s;

	cli_init("pperf-test");
	s = msg_of("error", "we\nird.py", 1, 2, "tab\there nl\nthere cr\r del\x7f esc\x1b[31m");
	ck_assert_str_eq(s, "pperf-test: we?ird.py:1:2: error: "
			 "tab?here nl?there cr? del? esc?[31m\n");
	free(s);
}
END_TEST

START_TEST(test_msg_utf8_kept)
{
	char *s;

	cli_init("pperf-test");
	s = msg_of("error", "caf\xc3\xa9.py", 1, 1, "na\xc3\xafve \xe2\x80\x94 ok");
	ck_assert_str_eq(s, "pperf-test: caf\xc3\xa9.py:1:1: error: na\xc3\xafve \xe2\x80\x94 ok\n");
	free(s);
}
END_TEST

START_TEST(test_msg_truncated)
{
	size_t i, n = 6000;
	char *big = malloc(2 * n + 1), *s;
	size_t len;

	for (i = 0; i < n; i++)
		memcpy(big + 2 * i, "\xc3\xa9", 2);
	big[2 * n] = '\0';
	cli_init("pperf-test");
	s = msg_of("error", "f.py", 1, 1, big);
	len = strlen(s);
	ck_assert_uint_le(len, 4096);
	ck_assert_uint_gt(len, 4000);
	ck_assert_int_eq(s[len - 1], '\n');
	ck_assert_int_eq(strchr(s, '\n') - s, (long)len - 1);
	/* the cut did not split a two-byte character */
	ck_assert_int_eq((unsigned char)s[len - 2], 0xa9);
	ck_assert_int_eq((unsigned char)s[len - 3], 0xc3);
	free(s);
	free(big);
}
END_TEST

static int do_errno(const void *arg)
{
	(void)arg;
	errno = ENOENT;
	cli_msg("error", "x", 0, 0, "m");
	return errno;
}

START_TEST(test_msg_keeps_errno)
{
	int rc;
	char *s = capture(STDERR_FILENO, do_errno, NULL, &rc);

	ck_assert_int_eq(rc, ENOENT);
	free(s);
}
END_TEST

static const struct {
	const char *in;
	int rank;
} fail_on_cases[] = {
	{ "CRITICAL", 4 }, { "high", 3 }, { "Medium", 2 }, { "low", 1 },
	{ "never", 0 }, { "NEVER", 0 }, { "", -1 }, { "lowest", -1 },
	{ "HIGH ", -1 }, { "4", -1 },
};

START_TEST(test_fail_on)
{
	ck_assert_msg(cli_parse_fail_on(fail_on_cases[_i].in) == fail_on_cases[_i].rank,
		      "fail-on '%s'", fail_on_cases[_i].in);
}
END_TEST

START_TEST(test_fail_on_null)
{
	ck_assert_int_eq(cli_parse_fail_on(NULL), -1);
}
END_TEST

static int do_emit(const void *arg)
{
	return cli_emit_stdout(arg, strlen(arg));
}

START_TEST(test_emit_stdout)
{
	int rc;
	char *s = capture(STDOUT_FILENO, do_emit, "{\"a\": 1}\n", &rc);

	ck_assert_int_eq(rc, EXIT_OK);
	ck_assert_str_eq(s, "{\"a\": 1}\n");
	free(s);
}
END_TEST

static int do_version(const void *arg)
{
	(void)arg;
	cli_init("pperf-x");
	cli_print_version();
	return 0;
}

START_TEST(test_version)
{
	char *s = capture(STDOUT_FILENO, do_version, NULL, NULL);

	ck_assert_str_eq(s, "pperf-x " PPERF_VERSION "\n");
	free(s);
}
END_TEST

START_TEST(test_write_all_pipe)
{
	int p[2];
	char buf[16] = { 0 };

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(cli_write_all(p[1], "hello", 5), 0);
	close(p[1]);
	ck_assert_int_eq(read(p[0], buf, sizeof buf - 1), 5);
	ck_assert_str_eq(buf, "hello");
	close(p[0]);
}
END_TEST

START_TEST(test_write_all_bad_fd)
{
	ck_assert_int_eq(cli_write_all(-1, "x", 1), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

START_TEST(test_emit_epipe_quiet)
{
	int p[2], e[2], saved_out, saved_err, rc;
	char buf[64];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(pipe(e), 0);
	close(p[0]); /* the reader went away */
	saved_out = dup(STDOUT_FILENO);
	saved_err = dup(STDERR_FILENO);
	dup2(p[1], STDOUT_FILENO);
	dup2(e[1], STDERR_FILENO);
	close(p[1]);
	close(e[1]);
	rc = cli_emit_stdout("data\n", 5);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(saved_out);
	close(saved_err);
	ck_assert_int_eq(rc, EXIT_OK);
	ck_assert_int_eq(read(e[0], buf, sizeof buf), 0); /* nothing on stderr */
	close(e[0]);
}
END_TEST

START_TEST(test_emit_error)
{
	int fd = open("/dev/full", O_WRONLY), saved, rc;
	char *s;

	if (fd < 0)
		return; /* no /dev/full here: nothing to test */
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	cli_init("pperf-test");
	s = capture(STDERR_FILENO, do_emit, "x\n", &rc);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	ck_assert_int_eq(rc, EXIT_IO);
	ck_assert_str_eq(s, "pperf-test: error: cannot write standard output: "
			 "No space left on device\n");
	free(s);
}
END_TEST

Suite *suite_cli(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("format");
	TCase *neg = tcase_create("tricky");
	TCase *io = tcase_create("output");

	tcase_add_test(tc, test_progname);
	tcase_add_test(tc, test_msg_full_location);
	tcase_add_test(tc, test_msg_partial_location);
	tcase_add_test(tc, test_error_warn);
	tcase_add_test(tc, test_version);
	tcase_add_loop_test(tc, test_fail_on, 0,
			    (int)(sizeof fail_on_cases / sizeof fail_on_cases[0]));
	tcase_add_test(neg, test_msg_control_chars);
	tcase_add_test(neg, test_msg_utf8_kept);
	tcase_add_test(neg, test_msg_truncated);
	tcase_add_test(neg, test_msg_keeps_errno);
	tcase_add_test(neg, test_fail_on_null);
	tcase_add_test(io, test_emit_stdout);
	tcase_add_test(io, test_write_all_pipe);
	tcase_add_test(io, test_write_all_bad_fd);
	tcase_add_test(io, test_emit_epipe_quiet);
	tcase_add_test(io, test_emit_error);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, neg);
	suite_add_tcase(s, io);
	return s;
}
