/*
 * cli: program name, exit statuses, located diagnostics, --help/--version.
 *
 * Every pperf executable calls cli_init(argv[0]) (or cli_set_progname) first.
 * Messages have the shape
 *     pperf-<phase>: <file>:<line>:<col>: error|warning: message
 * and each one is emitted with a single write(2) on stderr so concurrent
 * phases sharing stderr never interleave.  Control characters inside the
 * message are replaced by '?'.  Only main() exits; library code returns
 * errors and lets main decide.
 */
#ifndef PPERF_CLI_H
#define PPERF_CLI_H

#include <stdarg.h>

/* Exit statuses shared by every executable (listed in each man page). */
enum {
	EXIT_OK = 0,       /* success */
	EXIT_FINDINGS = 1, /* findings at or above --fail-on */
	EXIT_USAGE = 2,    /* usage error */
	EXIT_DATA = 3,     /* bad input data: malformed/wrong-schema JSON, bad config */
	EXIT_IO = 4,       /* system or I/O error, missing input path, failed phase */
	EXIT_NET = 5       /* network or remote-service error */
};

/* Sets the program name from argv[0] (basename, borrowed pointer kept). */
void cli_init(const char *argv0);
/* Program name as set by cli_init ("pperf" before). Borrowed. */
const char *cli_progname(void);

/*
 * Formats one diagnostic and writes it to stderr with one write(2).
 * file may be NULL (then no location); line/col 0 are omitted.
 * kind is "error" or "warning" (or "note").  With the environment variable
 * PPERF_QUIET set and not empty (pperf --quiet), only errors are written.
 */
void cli_msg(const char *kind, const char *file, unsigned line, unsigned col,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void cli_vmsg(const char *kind, const char *file, unsigned line, unsigned col,
	      const char *fmt, va_list ap);
/* Shorthands without location. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes the whole buffer to fd, retrying on EINTR/short writes. 0 or -1. */
int cli_write_all(int fd, const char *buf, size_t len);

/*
 * Writes buf to stdout in full and checks the result.  Returns EXIT_OK, or
 * EXIT_IO after reporting the error; EPIPE is a quiet EXIT_OK (the reader
 * went away, as with `| head`).
 */
int cli_emit_stdout(const char *buf, size_t len);

/* Prints "<progname> <PPERF_VERSION>\n" to stdout; the exit status
 * (EXIT_IO when the write fails). */
int cli_print_version(void);

/* Maps "CRITICAL"/"HIGH"/"MEDIUM"/"LOW"/"never" (any case) for --fail-on.
 * Returns rank 4..1, 0 for never, -1 when unknown. */
int cli_parse_fail_on(const char *s);

#endif
