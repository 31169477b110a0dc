/*
 * jsonio: reading pperf JSON documents with located errors, schema checks,
 * and all-or-nothing output.
 *
 * Documents are loaded with JSON_REJECT_DUPLICATES.  Errors fill a
 * struct jsonio_err (file, line, column, message) and the caller reports it
 * with cli_msg() and exits EXIT_DATA (bad data) or EXIT_IO (read failure).
 */
#ifndef PPERF_JSONIO_H
#define PPERF_JSONIO_H

#include <stdio.h>
#include <jansson.h>

struct jsonio_err {
	char file[256];   /* "<stdin>" for standard input */
	unsigned line, col;
	char msg[256];
	int status;       /* EXIT_DATA or EXIT_IO */
};

/* Schema names. */
#define SCHEMA_CONTEXT "pperf.context/1"
#define SCHEMA_RESULT "pperf.result/1"
#define SCHEMA_REPORT "pperf.report/1"

/*
 * Reads exactly one JSON document from fp (name used in errors).  Empty
 * input is an error ("empty input").  Returns a new reference (caller
 * decrefs) or NULL with *err filled.  On success too, err->file is set to
 * name so a following schema check reports "<name>: error: files[3]...".
 */
json_t *jsonio_read_one(FILE *fp, const char *name, struct jsonio_err *err);

/* Same from a path ("-" means stdin). */
json_t *jsonio_read_path(const char *path, struct jsonio_err *err);

/*
 * Reads a stream of concatenated JSON documents (whitespace separated).
 * Calls cb(doc, arg) for each (cb steals nothing; doc is decref'd after).
 * Returns the number of documents (0 for empty input) or -1 with *err
 * filled.  A cb returning non-zero stops the stream: -1 is returned with
 * err->status = that value (EXIT_DATA if it is not an exit status) and an
 * empty err->msg, since cb reported the problem itself.
 */
int jsonio_read_stream(FILE *fp, const char *name,
		       int (*cb)(json_t *doc, void *arg), void *arg,
		       struct jsonio_err *err);

/*
 * Schema checks: return 0 when doc is a valid document of that schema,
 * -1 with *err (line/col 0, status EXIT_DATA, msg naming the offending field
 * path such as "files[3].path: expected string, got integer") otherwise;
 * err->file is left as it was.  A result with "status": "error" needs only
 * schema and category.
 */
int jsonio_check_context(const json_t *doc, struct jsonio_err *err);
int jsonio_check_result(const json_t *doc, struct jsonio_err *err);
int jsonio_check_report(const json_t *doc, struct jsonio_err *err);

/* Reports err with cli_msg("error", ...) and returns err->status. */
int jsonio_report(const struct jsonio_err *err);

/*
 * Serialises doc (indented, sorted keys kept in insertion order, trailing
 * newline) into a malloc'd string (caller frees).  NULL on failure.
 */
char *jsonio_dump(const json_t *doc);

/* Dumps and writes doc to stdout with cli_emit_stdout(). Exit status. */
int jsonio_emit(const json_t *doc);

/*
 * Writes data to path atomically: temp file in the same directory, fsync,
 * rename.  A path that is not a regular file (device, FIFO, /dev/stdout)
 * is written directly and never replaced.  "-" means stdout.
 * Returns 0, or -1 with errno set.
 */
int jsonio_write_file_atomic(const char *path, const char *data, size_t len);

#endif
