/*
 * cli: program name, located diagnostics written with one write(2),
 * stdout emission with EPIPE handling, --version and --fail-on parsing.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "banned.h"

#ifndef PPERF_VERSION
#define PPERF_VERSION "0.0.0"
#endif

#define CLI_MSG_MAX 4096

/* The only mutable global: the program name (borrowed from argv[0]). */
static const char *progname = "pperf";

void cli_init(const char *argv0)
{
	const char *slash;

	if (!argv0 || !*argv0)
		return;
	slash = strrchr(argv0, '/');
	progname = slash && slash[1] ? slash + 1 : argv0;
}

const char *cli_progname(void)
{
	return progname;
}

int cli_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Appends printf-style text at buf+*pos, never past cap-1; *pos is clamped. */
static void append_v(char *buf, size_t cap, size_t *pos, const char *fmt, va_list ap)
{
	int n;

	if (*pos >= cap - 1)
		return;
	n = vsnprintf(buf + *pos, cap - *pos, fmt, ap);
	if (n < 0)
		return;
	*pos += (size_t)n;
	if (*pos > cap - 1)
		*pos = cap - 1;
}

static void append(char *buf, size_t cap, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t cap, size_t *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append_v(buf, cap, pos, fmt, ap);
	va_end(ap);
}

/* Replaces control characters (C0 and DEL) in buf[from..to) by '?'. */
static void scrub(char *buf, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c < 0x20 || c == 0x7f)
			buf[i] = '?';
	}
}

/* End of a message cut at pos: backs off a UTF-8 sequence split by the cut. */
static size_t utf8_cut(const char *buf, size_t start, size_t pos)
{
	size_t p = pos;

	/* buf[pos] is the first byte dropped; if it continues a sequence,
	 * drop that sequence's earlier bytes too */
	while (p > start && ((unsigned char)buf[p] & 0xC0) == 0x80)
		p--;
	return p;
}

void cli_vmsg(const char *kind, const char *file, unsigned line, unsigned col,
	      const char *fmt, va_list ap)
{
	char buf[CLI_MSG_MAX];
	size_t pos = 0, body;
	int saved = errno;
	const char *quiet = getenv("PPERF_QUIET");

	/* pperf --quiet: errors only */
	if (quiet && *quiet && kind && strcmp(kind, "error") != 0)
		return;
	append(buf, sizeof buf, &pos, "%s: ", progname);
	body = pos;
	if (file) {
		append(buf, sizeof buf, &pos, "%s:", file);
		if (line) {
			append(buf, sizeof buf, &pos, "%u:", line);
			if (col)
				append(buf, sizeof buf, &pos, "%u:", col);
		}
		append(buf, sizeof buf, &pos, " ");
	}
	append(buf, sizeof buf, &pos, "%s: ", kind ? kind : "error");
	append_v(buf, sizeof buf, &pos, fmt, ap);
	if (pos >= sizeof buf - 1)
		pos = utf8_cut(buf, body, sizeof buf - 2);
	scrub(buf, body, pos);
	buf[pos++] = '\n';
	(void)cli_write_all(STDERR_FILENO, buf, pos);
	errno = saved;
}

void cli_msg(const char *kind, const char *file, unsigned line, unsigned col,
	     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vmsg(kind, file, line, col, fmt, ap);
	va_end(ap);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vmsg("error", NULL, 0, 0, fmt, ap);
	va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vmsg("warning", NULL, 0, 0, fmt, ap);
	va_end(ap);
}

int cli_emit_stdout(const char *buf, size_t len)
{
	struct sigaction ign, old;
	int rc, err;

	/* SIGPIPE ignored for the duration so a closed reader shows as EPIPE */
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	rc = cli_write_all(STDOUT_FILENO, buf, len);
	err = errno;
	sigaction(SIGPIPE, &old, NULL);
	if (rc == 0)
		return EXIT_OK;
	if (err == EPIPE)
		return EXIT_OK;
	cli_error("cannot write standard output: %s", strerror(err));
	return EXIT_IO;
}

int cli_print_version(void)
{
	char buf[256];
	int n = snprintf(buf, sizeof buf, "%s %s\n", progname, PPERF_VERSION);

	if (n <= 0)
		return EXIT_IO;
	return cli_emit_stdout(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

int cli_parse_fail_on(const char *s)
{
	static const char *const names[] = { "never", "LOW", "MEDIUM", "HIGH", "CRITICAL" };
	int i;

	if (!s)
		return -1;
	for (i = 0; i < 5; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	return -1;
}
