/*
 * jsonio: reading JSON documents with located errors (one document or a
 * stream of concatenated ones), dumping, all-or-nothing output and atomic
 * file writes, and the schema checks of the pperf documents.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "jsonio.h"
#include "pathenc.h"
#include "banned.h"

#define JSONIO_MAX_INPUT ((size_t)256 * 1024 * 1024)
/* %.15g prints 7.3 as 7.3 where jansson's default %.17g gives 7.2999... */
#define JSONIO_DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

static void err_init(struct jsonio_err *err, const char *name)
{
	memset(err, 0, sizeof *err);
	snprintf(err->file, sizeof err->file, "%s", name ? name : "<stdin>");
}

static void err_set(struct jsonio_err *err, int status, unsigned line, unsigned col,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void err_set(struct jsonio_err *err, int status, unsigned line, unsigned col,
		    const char *fmt, ...)
{
	va_list ap;

	err->status = status;
	err->line = line;
	err->col = col;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
}

/*
 * Reads all of fp into a malloc'd buffer (caller frees *out; NUL added
 * after *len bytes).  0, or -1 with *err filled.
 */
static int read_all(FILE *fp, char **out, size_t *len, struct jsonio_err *err)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);

	if (!buf) {
		err_set(err, EXIT_IO, 0, 0, "out of memory");
		return -1;
	}
	for (;;) {
		size_t got;

		if (cap - n < 2) {
			char *nb;

			if (cap >= JSONIO_MAX_INPUT + 2) {
				free(buf);
				err_set(err, EXIT_DATA, 0, 0, "input larger than %zu MiB",
					JSONIO_MAX_INPUT >> 20);
				return -1;
			}
			cap = cap * 2 > JSONIO_MAX_INPUT + 2 ? JSONIO_MAX_INPUT + 2 : cap * 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				err_set(err, EXIT_IO, 0, 0, "out of memory");
				return -1;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n - 1, fp);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		int e = errno;

		free(buf);
		err_set(err, EXIT_IO, 0, 0, "read error: %s", strerror(e ? e : EIO));
		return -1;
	}
	if (n > JSONIO_MAX_INPUT) {
		free(buf);
		err_set(err, EXIT_DATA, 0, 0, "input larger than %zu MiB", JSONIO_MAX_INPUT >> 20);
		return -1;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_ws(const char *buf, size_t len, size_t pos)
{
	while (pos < len && is_ws(buf[pos]))
		pos++;
	return pos;
}

static void err_from_jansson(struct jsonio_err *err, const json_error_t *je,
			     unsigned base_line, unsigned base_col)
{
	unsigned line = je->line > 0 ? (unsigned)je->line : 0;
	unsigned col = je->column > 0 ? (unsigned)je->column : 0;

	if (line == 1)
		col += base_col;
	if (line > 0)
		line += base_line;
	err_set(err, EXIT_DATA, line, col, "%s", je->text[0] ? je->text : "malformed JSON");
}

json_t *jsonio_read_one(FILE *fp, const char *name, struct jsonio_err *err)
{
	json_error_t je;
	json_t *doc;
	char *buf;
	size_t len;

	err_init(err, name);
	if (read_all(fp, &buf, &len, err) < 0)
		return NULL;
	if (skip_ws(buf, len, 0) == len) {
		free(buf);
		err_set(err, EXIT_DATA, 0, 0, "empty input");
		return NULL;
	}
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	if (!doc)
		err_from_jansson(err, &je, 0, 0);
	return doc;
}

json_t *jsonio_read_path(const char *path, struct jsonio_err *err)
{
	FILE *fp;
	json_t *doc;

	if (!path || strcmp(path, "-") == 0)
		return jsonio_read_one(stdin, "<stdin>", err);
	fp = fopen(path, "r");
	if (!fp) {
		int e = errno;

		err_init(err, path);
		err_set(err, EXIT_IO, 0, 0, "cannot open: %s", strerror(e));
		return NULL;
	}
	doc = jsonio_read_one(fp, path, err);
	fclose(fp);
	return doc;
}

/* Advances line and col (col counts characters) over buf[from..to). */
static void advance_pos(const char *buf, size_t from, size_t to, unsigned *line, unsigned *col)
{
	size_t i;

	for (i = from; i < to; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 0;
		} else if (((unsigned char)buf[i] & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

int jsonio_read_stream(FILE *fp, const char *name,
		       int (*cb)(json_t *doc, void *arg), void *arg,
		       struct jsonio_err *err)
{
	unsigned line = 0, col = 0; /* lines before, characters before on this line */
	size_t len, pos = 0;
	char *buf;
	int ndocs = 0;

	err_init(err, name);
	if (read_all(fp, &buf, &len, err) < 0)
		return -1;
	for (;;) {
		json_error_t je;
		json_t *doc;
		size_t start = skip_ws(buf, len, pos);
		int rc;

		advance_pos(buf, pos, start, &line, &col);
		pos = start;
		if (pos >= len)
			break;
		doc = json_loadb(buf + pos, len - pos,
				 JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK, &je);
		if (!doc) {
			err_from_jansson(err, &je, line, col);
			free(buf);
			return -1;
		}
		ndocs++;
		rc = cb ? cb(doc, arg) : 0;
		json_decref(doc);
		if (rc != 0) {
			free(buf);
			err_set(err, rc > 0 && rc <= EXIT_NET ? rc : EXIT_DATA, line + 1, col + 1, "%s", "");
			return -1;
		}
		advance_pos(buf, pos, pos + (size_t)je.position, &line, &col);
		pos += (size_t)je.position;
	}
	free(buf);
	return ndocs;
}

int jsonio_report(const struct jsonio_err *err)
{
	if (err->msg[0])
		cli_msg("error", err->file[0] ? err->file : NULL, err->line, err->col,
			"%s", err->msg);
	return err->status ? err->status : EXIT_DATA;
}

char *jsonio_dump(const json_t *doc)
{
	char *s, *out;
	size_t n;

	s = json_dumps(doc, JSONIO_DUMP_FLAGS);
	if (!s)
		return NULL;
	n = strlen(s);
	out = realloc(s, n + 2);
	if (!out) {
		free(s);
		return NULL;
	}
	out[n] = '\n';
	out[n + 1] = '\0';
	return out;
}

int jsonio_emit(const json_t *doc)
{
	char *s = jsonio_dump(doc);
	int rc;

	if (!s) {
		cli_error("cannot serialise the output document");
		return EXIT_IO;
	}
	rc = cli_emit_stdout(s, strlen(s));
	free(s);
	return rc;
}

/* Writes to an already open descriptor; closes it.  0 or -1 (errno). */
static int write_fd_close(int fd, const char *data, size_t len)
{
	int rc = cli_write_all(fd, data, len), e = errno;

	if (close(fd) < 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	errno = e;
	return rc;
}

/* The descriptor a /dev/stdout-like path names, or -1. */
static int std_alias(const char *path)
{
	if (strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0 ||
	    strcmp(path, "/dev/fd/1") == 0 || strcmp(path, "/proc/self/fd/1") == 0)
		return STDOUT_FILENO;
	if (strcmp(path, "/dev/stderr") == 0 || strcmp(path, "/dev/fd/2") == 0 ||
	    strcmp(path, "/proc/self/fd/2") == 0)
		return STDERR_FILENO;
	return -1;
}

/* Temp file next to target, written, synced, renamed over target. */
static int replace_atomically(const char *target, const char *data, size_t len, mode_t mode)
{
	const char *slash = strrchr(target, '/');
	size_t dirlen = slash ? (size_t)(slash - target) + 1 : 0;
	size_t need = strlen(target) + 16;
	char *tmp = malloc(need);
	int fd, e;

	if (!tmp)
		return -1;
	snprintf(tmp, need, "%.*s.%s.XXXXXX", (int)dirlen, target, target + dirlen);
	fd = mkstemp(tmp);
	if (fd < 0) {
		e = errno;
		free(tmp);
		errno = e;
		return -1;
	}
	if (fchmod(fd, mode) < 0 || cli_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		e = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) < 0 || rename(tmp, target) < 0) {
		e = errno;
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	errno = e;
	return -1;
}

int jsonio_write_file_atomic(const char *path, const char *data, size_t len)
{
	struct stat st;
	char *real = NULL;
	const char *target = path;
	mode_t mode, mask;
	int fd = std_alias(path), rc, e;

	if (fd >= 0)
		return cli_write_all(fd, data, len);
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		/* replace the file the link points to, keep the link */
		real = realpath(path, NULL);
		if (real)
			target = real;
	}
	if (stat(target, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			fd = open(target, O_WRONLY | O_CLOEXEC);
			if (fd < 0) {
				e = errno;
				free(real);
				errno = e;
				return -1;
			}
			free(real);
			return write_fd_close(fd, data, len);
		}
		mode = st.st_mode & 07777;
	} else {
		mask = umask(022);
		umask(mask);
		mode = 0666 & ~mask;
	}
	rc = replace_atomically(target, data, len, mode);
	e = errno;
	free(real);
	errno = e;
	return rc;
}

/* ---- schema checks ------------------------------------------------ */

enum vtype { V_STR, V_INT, V_NUM, V_BOOL, V_OBJ, V_ARR };

static const char *vtype_name(enum vtype t)
{
	static const char *const names[] = {
		"string", "integer", "number", "boolean", "object", "array"
	};
	return names[t];
}

static const char *json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	default: return "null";
	}
}

static int type_ok(const json_t *v, enum vtype t)
{
	switch (t) {
	case V_STR: return json_is_string(v);
	case V_INT: return json_is_integer(v);
	case V_NUM: return json_is_number(v);
	case V_BOOL: return json_is_boolean(v);
	case V_OBJ: return json_is_object(v);
	case V_ARR: return json_is_array(v);
	}
	return 0;
}

/* A schema error at JSON path base.key (base may be ""). Returns -1. */
static int bad(struct jsonio_err *err, const char *base, const char *key,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int bad(struct jsonio_err *err, const char *base, const char *key,
	       const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	err_set(err, EXIT_DATA, 0, 0, "%s%s%s: %s", base, base[0] && key[0] ? "." : "",
		key, what);
	return -1;
}

/*
 * Looks up obj[key] of type t.  A missing key is an error when required,
 * else *out is NULL.  0 or -1 with *err filled.
 */
static int field(const json_t *obj, const char *base, const char *key, enum vtype t,
		 int required, const json_t **out, struct jsonio_err *err)
{
	const json_t *v = json_object_get(obj, key);

	*out = v;
	if (!v) {
		if (required)
			return bad(err, base, key, "missing, expected %s", vtype_name(t));
		return 0;
	}
	if (!type_ok(v, t))
		return bad(err, base, key, "expected %s, got %s", vtype_name(t),
			   json_type_name(v));
	return 0;
}

/* An integer field >= min. */
static int int_field(const json_t *obj, const char *base, const char *key, json_int_t min,
		     int required, struct jsonio_err *err)
{
	const json_t *v;

	if (field(obj, base, key, V_INT, required, &v, err) < 0)
		return -1;
	if (v && json_integer_value(v) < min)
		return bad(err, base, key, "expected an integer >= %lld, got %lld",
			   (long long)min, (long long)json_integer_value(v));
	return 0;
}

/* A string field whose value is one of names (NULL-terminated). */
static int enum_field(const json_t *obj, const char *base, const char *key,
		      const char *const *names, const char *list, int required,
		      struct jsonio_err *err)
{
	const json_t *v;
	size_t i;

	if (field(obj, base, key, V_STR, required, &v, err) < 0)
		return -1;
	if (!v)
		return 0;
	for (i = 0; names[i]; i++)
		if (strcmp(json_string_value(v), names[i]) == 0)
			return 0;
	return bad(err, base, key, "expected one of %s, got \"%.60s\"", list,
		   json_string_value(v));
}

static int check_root(const json_t *doc, const char *schema, struct jsonio_err *err)
{
	const json_t *v;

	if (!json_is_object(doc))
		return bad(err, "", "(document)", "expected object, got %s",
			   doc ? json_type_name(doc) : "nothing");
	v = json_object_get(doc, "schema");
	if (!v)
		return bad(err, "", "schema", "missing, expected \"%s\"", schema);
	if (!json_is_string(v))
		return bad(err, "", "schema", "expected \"%s\", got %s", schema,
			   json_type_name(v));
	if (strcmp(json_string_value(v), schema) != 0)
		return bad(err, "", "schema", "expected \"%s\", got \"%.60s\"", schema,
			   json_string_value(v));
	return 0;
}

static const char *const roles[] = {
	"source", "test", "migration", "config", "vendor", "generated", NULL
};
static const char *const categories[] = {
	"Query Efficiency", "Transaction Correctness", "Runtime Performance", NULL
};
static const char *const severities[] = { "CRITICAL", "HIGH", "MEDIUM", "LOW", NULL };
static const char *const efforts[] = { "", "S", "M", "L", "S-M", "M-L", NULL };
static const char *const finding_langs[] = { "python", "typescript", "go", NULL };

/* A file path must stay inside codebase_root: relative, not empty, no ".."
 * component, so that no phase reads outside the project. */
static int rel_path_field(const json_t *v, const char *path, struct jsonio_err *err)
{
	const char *p = json_string_value(v), *c = p;
	if (!*p || *p == '/')
		return bad(err, path, "path", "expected a relative path, got \"%.60s\"", p);
	while (*c) {
		size_t n = strcspn(c, "/");
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return bad(err, path, "path", "\"..\" leaves codebase_root: \"%.60s\"", p);
		c += n;
		while (*c == '/')
			c++;
	}
	return 0;
}

/* "language" is a string, or null when discover cannot tell. */
static int lang_field(const json_t *f, const char *path, struct jsonio_err *err)
{
	const json_t *v = json_object_get(f, "language");
	if (!v)
		return bad(err, path, "language", "missing, expected string or null");
	if (!json_is_string(v) && !json_is_null(v))
		return bad(err, path, "language", "expected string or null, got %s", json_type_name(v));
	return 0;
}

static int check_file_entry(const json_t *f, const char *path, struct jsonio_err *err)
{
	const json_t *v;

	if (!json_is_object(f))
		return bad(err, path, "", "expected object, got %s", json_type_name(f));
	if (field(f, path, "path", V_STR, 1, &v, err) < 0 ||
	    rel_path_field(v, path, err) < 0 ||
	    lang_field(f, path, err) < 0 ||
	    enum_field(f, path, "role", roles,
		       "source, test, migration, config, vendor, generated", 1, err) < 0 ||
	    int_field(f, path, "bytes", 0, 1, err) < 0)
		return -1;
	v = json_object_get(f, "path_hex");
	if (v) { /* the exact bytes of a name that is not UTF-8 (pathenc.h) */
		char *raw = json_is_string(v) ? pathenc_unhex(json_string_value(v)) : NULL;
		json_t *rv = raw ? json_string_nocheck(raw) : NULL;
		int rc;
		free(raw);
		if (!rv)
			return bad(err, path, "path_hex", "expected the hex digits of a file name");
		rc = rel_path_field(rv, path, err);
		json_decref(rv);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* One practice of best_practices[].practices (pperf-research(1)). */
static int check_practice_entry(const json_t *p, const char *path, struct jsonio_err *err)
{
	static const char *const texts[] = { "id", "title", "summary", NULL };
	static const char *const origins[] = { "kb", "online", NULL };
	const json_t *v;
	size_t i;

	if (!json_is_object(p))
		return bad(err, path, "", "expected object, got %s", json_type_name(p));
	for (i = 0; texts[i]; i++)
		if (field(p, path, texts[i], V_STR, 1, &v, err) < 0)
			return -1;
	if (field(p, path, "checks", V_ARR, 0, &v, err) < 0 ||
	    enum_field(p, path, "origin", origins, "kb, online", 0, err) < 0)
		return -1;
	for (i = 0; i < json_array_size(v); i++)
		if (!json_is_string(json_array_get(v, i)))
			return bad(err, path, "checks", "expected array of strings");
	v = json_object_get(p, "source");
	if (v && !json_is_string(v) && !json_is_null(v))
		return bad(err, path, "source", "expected string or null, got %s",
			   json_type_name(v));
	return 0;
}

/* best_practices and sources, optional, as pperf-research writes them. */
static int check_research(const json_t *doc, struct jsonio_err *err)
{
	const json_t *bp, *src, *g, *prs, *v;
	char path[80];
	size_t i, j;

	if (field(doc, "", "best_practices", V_ARR, 0, &bp, err) < 0 ||
	    field(doc, "", "sources", V_ARR, 0, &src, err) < 0)
		return -1;
	json_array_foreach(bp, i, g) {
		snprintf(path, sizeof path, "best_practices[%zu]", i);
		if (!json_is_object(g))
			return bad(err, path, "", "expected object, got %s", json_type_name(g));
		if (field(g, path, "technology", V_STR, 1, &v, err) < 0 ||
		    field(g, path, "practices", V_ARR, 1, &prs, err) < 0)
			return -1;
		v = json_object_get(g, "version");
		if (v && !json_is_string(v) && !json_is_null(v))
			return bad(err, path, "version", "expected string or null, got %s",
				   json_type_name(v));
		json_array_foreach(prs, j, v) {
			snprintf(path, sizeof path, "best_practices[%zu].practices[%zu]", i, j);
			if (check_practice_entry(v, path, err) < 0)
				return -1;
		}
	}
	json_array_foreach(src, i, v) {
		const json_t *u;
		snprintf(path, sizeof path, "sources[%zu]", i);
		if (json_is_string(v))
			continue;
		if (!json_is_object(v))
			return bad(err, path, "", "expected object or string, got %s",
				   json_type_name(v));
		if (field(v, path, "url", V_STR, 1, &u, err) < 0 ||
		    field(v, path, "title", V_STR, 0, &u, err) < 0)
			return -1;
	}
	return 0;
}

int jsonio_check_context(const json_t *doc, struct jsonio_err *err)
{
	const json_t *v, *files;
	char path[48];
	size_t i;

	if (check_root(doc, SCHEMA_CONTEXT, err) < 0 ||
	    field(doc, "", "codebase_root", V_STR, 1, &v, err) < 0 ||
	    field(doc, "", "tech_stack", V_OBJ, 1, &v, err) < 0 ||
	    field(doc, "", "files", V_ARR, 1, &files, err) < 0)
		return -1;
	for (i = 0; i < json_array_size(files); i++) {
		snprintf(path, sizeof path, "files[%zu]", i);
		if (check_file_entry(json_array_get(files, i), path, err) < 0)
			return -1;
	}
	v = json_object_get(doc, "config");
	if (v) {   /* the project's configuration, as discover validated it */
		char msg[160];
		if (config_validate(v, msg, sizeof msg) < 0)
			return bad(err, "", "config", "%s", msg);
	}
	return check_research(doc, err);
}

/* One finding of a result or a report (report findings need "category"). */
static int check_finding(const json_t *f, const char *path, int in_report,
			 struct jsonio_err *err)
{
	static const char *const texts[] = {
		"location", "issue", "principle", "recommendation", "snippet", "source", NULL
	};
	const json_t *v;
	size_t i;

	if (!json_is_object(f))
		return bad(err, path, "", "expected object, got %s", json_type_name(f));
	if (field(f, path, "check", V_STR, 1, &v, err) < 0 ||
	    enum_field(f, path, "severity", severities, "CRITICAL, HIGH, MEDIUM, LOW", 1,
		       err) < 0 ||
	    field(f, path, "file", V_STR, 1, &v, err) < 0 ||
	    int_field(f, path, "line", 1, 1, err) < 0 ||
	    enum_field(f, path, "effort", efforts, "S, M, L, S-M, M-L", 0, err) < 0 ||
	    enum_field(f, path, "language", finding_langs, "python, typescript, go", 0, err) < 0)
		return -1;
	for (i = 0; texts[i]; i++)
		if (field(f, path, texts[i], V_STR, 0, &v, err) < 0)
			return -1;
	v = json_object_get(f, "chain");
	if (v) {
		if (!json_is_array(v))
			return bad(err, path, ".chain", "expected array, got %s", json_type_name(v));
		for (i = 0; i < json_array_size(v); i++)
			if (!json_is_string(json_array_get(v, i)))
				return bad(err, path, ".chain", "expected an array of strings");
	}
	if (in_report && enum_field(f, path, "category", categories,
				    "Query Efficiency, Transaction Correctness, "
				    "Runtime Performance", 1, err) < 0)
		return -1;
	return 0;
}

static int check_findings(const json_t *arr, int in_report, struct jsonio_err *err)
{
	char path[48];
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		snprintf(path, sizeof path, "findings[%zu]", i);
		if (check_finding(json_array_get(arr, i), path, in_report, err) < 0)
			return -1;
	}
	return 0;
}

static int check_checks(const json_t *arr, struct jsonio_err *err)
{
	static const char *const docs[] = { "title", "principle", "effort", "why", "example", "instead" };
	const json_t *c, *v;
	char path[48];
	size_t i, k;

	json_array_foreach(arr, i, c) {
		snprintf(path, sizeof path, "checks[%zu]", i);
		if (!json_is_object(c))
			return bad(err, path, "", "expected object, got %s", json_type_name(c));
		if (field(c, path, "id", V_STR, 1, &v, err) < 0 ||
		    field(c, path, "ran", V_BOOL, 1, &v, err) < 0 ||
		    int_field(c, path, "findings", 0, 1, err) < 0 ||
		    enum_field(c, path, "severity", severities, "CRITICAL, HIGH, MEDIUM, LOW", 0, err) < 0)
			return -1;
		for (k = 0; k < sizeof docs / sizeof docs[0]; k++) /* the check's documentation */
			if (field(c, path, docs[k], V_STR, 0, &v, err) < 0)
				return -1;
	}
	return 0;
}

/* The status/error pair; *failed set when status is "error". */
static int check_status(const json_t *doc, int *failed, struct jsonio_err *err)
{
	static const char *const st[] = { "ok", "error", NULL };
	const json_t *v;

	if (enum_field(doc, "", "status", st, "ok, error", 0, err) < 0 ||
	    field(doc, "", "error", V_STR, 0, &v, err) < 0)
		return -1;
	v = json_object_get(doc, "status");
	*failed = v && strcmp(json_string_value(v), "error") == 0;
	return 0;
}

int jsonio_check_result(const json_t *doc, struct jsonio_err *err)
{
	static const char *const counts[] = { "total_issues", "critical", "high", "medium", "low" };
	const json_t *v, *score;
	int failed, req;
	size_t i;

	if (check_root(doc, SCHEMA_RESULT, err) < 0 ||
	    enum_field(doc, "", "category", categories,
		       "Query Efficiency, Transaction Correctness, Runtime Performance", 1,
		       err) < 0 ||
	    check_status(doc, &failed, err) < 0)
		return -1;
	req = !failed; /* a failed result needs only schema and category */
	if (field(doc, "", "score", V_NUM, req, &score, err) < 0)
		return -1;
	if (score && (json_number_value(score) < 0 || json_number_value(score) > 10))
		return bad(err, "", "score", "expected a number from 0 to 10, got %g",
			   json_number_value(score));
	for (i = 0; i < sizeof counts / sizeof counts[0]; i++)
		if (int_field(doc, "", counts[i], 0, req, err) < 0)
			return -1;
	if (field(doc, "", "checks", V_ARR, req, &v, err) < 0 || (v && check_checks(v, err) < 0))
		return -1;
	if (field(doc, "", "findings", V_ARR, req, &v, err) < 0 ||
	    (v && check_findings(v, 0, err) < 0))
		return -1;
	return 0;
}

int jsonio_check_report(const json_t *doc, struct jsonio_err *err)
{
	const json_t *cats, *c, *v;
	char path[48];
	size_t i;

	if (check_root(doc, SCHEMA_REPORT, err) < 0 ||
	    field(doc, "", "categories", V_ARR, 1, &cats, err) < 0)
		return -1;
	json_array_foreach(cats, i, c) {
		snprintf(path, sizeof path, "categories[%zu]", i);
		if (!json_is_object(c))
			return bad(err, path, "", "expected object, got %s", json_type_name(c));
		if (enum_field(c, path, "category", categories,
			       "Query Efficiency, Transaction Correctness, Runtime Performance",
			       1, err) < 0)
			return -1;
	}
	if (field(doc, "", "findings", V_ARR, 1, &v, err) < 0 || check_findings(v, 1, err) < 0)
		return -1;
	return 0;
}
