/*
 * kb_load: reading and validating the knowledge base (kb.h).
 *
 * The checks are strict: unknown keys, bad ids, version ranges pperf cannot
 * read, sources that are not https URLs and duplicate practice ids are all
 * errors, named by file, line and column of the offending value and by its
 * path ("practices[3].applies_to: ...").  jansson keeps no positions, so a
 * small scanner walks the file's text along that path to find the line.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kb.h"
#include "verrange.h"
#include "banned.h"

#define KB_MAX_FILES 256
#define KB_MAX_FILE_BYTES (4 * 1024 * 1024)

/* What a check reports into: the error, and the file's text to locate. */
struct kbv {
	struct jsonio_err *err;
	const char *text; /* may be NULL: no line numbers */
	size_t len;
};

/* ---- locating a path in JSON text */

static size_t ws(const char *t, size_t n, size_t p)
{
	while (p < n && (t[p] == ' ' || t[p] == '\t' || t[p] == '\n' || t[p] == '\r'))
		p++;
	return p;
}

/* End of the string starting at t[p] == '"'. */
static size_t skip_string(const char *t, size_t n, size_t p)
{
	for (p++; p < n && t[p] != '"'; p++)
		if (t[p] == '\\')
			p++;
	return p < n ? p + 1 : n;
}

/* End of the value at p (text already known to be valid JSON). */
static size_t skip_value(const char *t, size_t n, size_t p, int depth)
{
	p = ws(t, n, p);
	if (p >= n)
		return n;
	if (t[p] == '"')
		return skip_string(t, n, p);
	if (t[p] == '{' || t[p] == '[') {
		char close = t[p] == '{' ? '}' : ']';
		if (depth > 64)
			return n;
		p = ws(t, n, p + 1);
		while (p < n && t[p] != close) {
			if (close == '}') {
				p = ws(t, n, skip_string(t, n, p));
				p++; /* ':' */
			}
			p = ws(t, n, skip_value(t, n, p, depth + 1));
			if (p < n && t[p] == ',')
				p = ws(t, n, p + 1);
		}
		return p < n ? p + 1 : n;
	}
	while (p < n && !strchr(",]} \t\r\n", t[p]))
		p++;
	return p;
}

/* Offset of the value at path ("a[2].b"), or (size_t)-1. */
static size_t locate(const char *t, size_t n, const char *path)
{
	size_t p = ws(t, n, 0);
	while (*path) {
		if (*path == '.')
			path++;
		if (*path == '[') {
			long k = strtol(path + 1, NULL, 10);
			path = strchr(path, ']');
			if (!path || p >= n || t[p] != '[')
				return (size_t)-1;
			path++;
			p = ws(t, n, p + 1);
			for (; k > 0; k--) {
				p = ws(t, n, skip_value(t, n, p, 0));
				if (p >= n || t[p] != ',')
					return (size_t)-1;
				p = ws(t, n, p + 1);
			}
		} else {
			size_t klen = strcspn(path, ".[");
			if (p >= n || t[p] != '{')
				return (size_t)-1;
			p = ws(t, n, p + 1);
			for (;;) {
				size_t ks = p, ke;
				int match;
				if (p >= n || t[p] != '"')
					return (size_t)-1;
				ke = skip_string(t, n, p);
				match = ke - ks == klen + 2 && strncmp(t + ks + 1, path, klen) == 0;
				p = ws(t, n, ke);
				p = ws(t, n, p + 1); /* ':' */
				if (match)
					break;
				p = ws(t, n, skip_value(t, n, p, 0));
				if (p >= n || t[p] != ',')
					return (size_t)-1;
				p = ws(t, n, p + 1);
			}
			path += klen;
		}
	}
	return p;
}

/* Sets line/col of err from the value at path. */
static void set_position(struct kbv *v, const char *path)
{
	size_t off, i;
	unsigned line = 1, col = 1;
	if (!v->text)
		return;
	off = locate(v->text, v->len, path);
	if (off == (size_t)-1 || off > v->len)
		return;
	for (i = 0; i < off; i++) {
		if (v->text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	v->err->line = line;
	v->err->col = col;
}

/* A schema error at path; returns -1. */
static int kbad(struct kbv *v, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int kbad(struct kbv *v, const char *path, const char *fmt, ...)
{
	char what[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	v->err->status = EXIT_DATA;
	v->err->line = v->err->col = 0;
	snprintf(v->err->msg, sizeof v->err->msg, "%s: %s", *path ? path : "(document)", what);
	set_position(v, path);
	return -1;
}

/* ---- field checks */

static const char *type_name(const json_t *j)
{
	switch (json_typeof(j)) {
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

/* Rejects keys of obj that are not in allowed. */
static int known_keys(struct kbv *v, const json_t *obj, const char *path,
		      const char *const *allowed)
{
	const char *k;
	json_t *x;
	json_object_foreach((json_t *)obj, k, x) {
		size_t i;
		char p[160];
		for (i = 0; allowed[i] && strcmp(allowed[i], k) != 0; i++)
			;
		if (allowed[i])
			continue;
		snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "", k);
		return kbad(v, p, "unknown key");
	}
	return 0;
}

/* obj[key] as a string of 1..maxlen characters without control characters. */
static int str_field(struct kbv *v, const json_t *obj, const char *path, const char *key,
		     size_t maxlen, const char **out)
{
	const json_t *x = json_object_get(obj, key);
	char p[160];
	const char *s;
	size_t i, n;
	snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "", key);
	if (!x)
		return kbad(v, p, "missing, expected string");
	if (!json_is_string(x))
		return kbad(v, p, "expected string, got %s", type_name(x));
	s = json_string_value(x);
	n = json_string_length(x);
	if (n == 0)
		return kbad(v, p, "empty string");
	if (n > maxlen)
		return kbad(v, p, "longer than %zu characters", maxlen);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			return kbad(v, p, "control character in string");
	*out = s;
	return 0;
}

/* Lowercase identifier: [a-z0-9] then [a-z0-9] plus the extra characters. */
static int ident_ok(const char *s, const char *extra)
{
	size_t i;
	if (!islower((unsigned char)s[0]) && !isdigit((unsigned char)s[0]))
		return 0;
	for (i = 1; s[i]; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) &&
		    !strchr(extra, s[i]))
			return 0;
	return 1;
}

static int range_field(struct kbv *v, const char *path, const char *spec)
{
	struct vrange r;
	char why[96];
	if (vrange_parse(spec, &r, why, sizeof why) < 0)
		return kbad(v, path, "cannot read version range \"%.40s\": %s", spec, why);
	if (vrange_is_empty(&r))
		return kbad(v, path, "version range \"%.40s\" holds no version", spec);
	return 0;
}

/* ---- the document */

static const char *const stack_fields[] = {
	"languages", "db", "db_version", "driver", "orm", "orm_version", "async", "web",
	"web_version", "python_version", "go_version", "node_version", NULL
};

static int check_signal(struct kbv *v, const json_t *sig, const char *path)
{
	static const char *const keys[] = { "dependency", "stack", "equals", "version",
					    "implies", "detects", NULL };
	static const char *const kinds[] = { "none", "spec", "minimum", "series", NULL };
	const json_t *dep = json_object_get(sig, "dependency"), *st = json_object_get(sig, "stack");
	const json_t *eq = json_object_get(sig, "equals"), *ver = json_object_get(sig, "version");
	const json_t *imp = json_object_get(sig, "implies"), *det = json_object_get(sig, "detects");
	const char *s;
	char p[160];
	size_t i;

	if (!json_is_object(sig))
		return kbad(v, path, "expected object, got %s", type_name(sig));
	if (known_keys(v, sig, path, keys) < 0)
		return -1;
	if (!dep == !st)
		return kbad(v, path, "needs exactly one of \"dependency\" and \"stack\"");
	if (str_field(v, sig, path, dep ? "dependency" : "stack", 200, &s) < 0)
		return -1;
	if (st) {
		for (i = 0; stack_fields[i] && strcmp(stack_fields[i], s) != 0; i++)
			;
		if (!stack_fields[i]) {
			snprintf(p, sizeof p, "%s.stack", path);
			return kbad(v, p, "\"%.40s\" is not a tech_stack field", s);
		}
	}
	snprintf(p, sizeof p, "%s.equals", path);
	if (eq && dep)
		return kbad(v, p, "only with \"stack\"");
	if (eq && !json_is_string(eq) && !json_is_boolean(eq))
		return kbad(v, p, "expected string or boolean, got %s", type_name(eq));
	snprintf(p, sizeof p, "%s.version", path);
	if (ver) {
		if (!json_is_string(ver))
			return kbad(v, p, "expected string, got %s", type_name(ver));
		for (i = 0; kinds[i] && strcmp(kinds[i], json_string_value(ver)) != 0; i++)
			;
		if (!kinds[i])
			return kbad(v, p, "expected one of none, spec, minimum, series");
		if (dep && i > 1)
			return kbad(v, p, "a dependency's version is \"spec\" or \"none\"");
		if (eq && i != 0)
			return kbad(v, p, "with \"equals\" the version is \"none\"");
	}
	snprintf(p, sizeof p, "%s.implies", path);
	if (imp && !json_is_string(imp))
		return kbad(v, p, "expected string, got %s", type_name(imp));
	if (imp && range_field(v, p, json_string_value(imp)) < 0)
		return -1;
	snprintf(p, sizeof p, "%s.detects", path);
	if (det && !json_is_boolean(det))
		return kbad(v, p, "expected boolean, got %s", type_name(det));
	return 0;
}

static int check_practice(struct kbv *v, const json_t *pr, const char *path, const char *tech)
{
	static const char *const keys[] = { "id", "technology", "applies_to", "title", "summary",
					    "checks", "source", "source_title", NULL };
	const json_t *checks;
	const char *s;
	char p[160];
	size_t i;

	if (!json_is_object(pr))
		return kbad(v, path, "expected object, got %s", type_name(pr));
	if (known_keys(v, pr, path, keys) < 0 || str_field(v, pr, path, "id", 80, &s) < 0)
		return -1;
	snprintf(p, sizeof p, "%s.id", path);
	if (!ident_ok(s, "-._"))
		return kbad(v, p, "\"%.40s\" is not a lowercase identifier", s);
	if (strncmp(s, "online-", 7) == 0)
		return kbad(v, p, "\"online-\" starts the ids of online practices");
	if (str_field(v, pr, path, "technology", 40, &s) < 0)
		return -1;
	snprintf(p, sizeof p, "%s.technology", path);
	if (strcmp(s, tech) != 0)
		return kbad(v, p, "\"%.40s\" in the file of \"%.40s\"", s, tech);
	if (str_field(v, pr, path, "applies_to", 80, &s) < 0)
		return -1;
	snprintf(p, sizeof p, "%s.applies_to", path);
	if (range_field(v, p, s) < 0 || str_field(v, pr, path, "title", 120, &s) < 0 ||
	    str_field(v, pr, path, "summary", 1200, &s) < 0)
		return -1;
	snprintf(p, sizeof p, "%s.summary", path);
	if (strlen(s) < 40)
		return kbad(v, p, "shorter than 40 characters");
	if (str_field(v, pr, path, "source", 300, &s) < 0)
		return -1;
	snprintf(p, sizeof p, "%s.source", path);
	if (strncmp(s, "https://", 8) != 0 || strlen(s) < 12 || strpbrk(s, " \"<>\\`"))
		return kbad(v, p, "expected an https:// URL");
	if (str_field(v, pr, path, "source_title", 160, &s) < 0)
		return -1;
	snprintf(p, sizeof p, "%s.checks", path);
	checks = json_object_get(pr, "checks");
	if (!checks)
		return kbad(v, p, "missing, expected array");
	if (!json_is_array(checks))
		return kbad(v, p, "expected array, got %s", type_name(checks));
	for (i = 0; i < json_array_size(checks); i++) {
		const json_t *c = json_array_get(checks, i);
		snprintf(p, sizeof p, "%s.checks[%zu]", path, i);
		if (!json_is_string(c))
			return kbad(v, p, "expected string, got %s", type_name(c));
		if (!ident_ok(json_string_value(c), "_") || !isalpha((unsigned char)*json_string_value(c)))
			return kbad(v, p, "\"%.40s\" is not a check id", json_string_value(c));
	}
	return 0;
}

static int check_doc(struct kbv *v, const json_t *doc)
{
	static const char *const keys[] = { "schema", "technology", "name", "covers", "detect",
					    "online", "practices", NULL };
	const json_t *arr, *on;
	const char *s, *tech;
	char p[64];
	size_t i;

	if (!json_is_object(doc))
		return kbad(v, "", "expected object, got %s", type_name(doc));
	if (str_field(v, doc, "", "schema", 40, &s) < 0)
		return -1;
	if (strcmp(s, SCHEMA_KB) != 0)
		return kbad(v, "schema", "expected \"%s\", got \"%.40s\"", SCHEMA_KB, s);
	if (known_keys(v, doc, "", keys) < 0 || str_field(v, doc, "", "technology", 40, &tech) < 0)
		return -1;
	if (!ident_ok(tech, "-"))
		return kbad(v, "technology", "\"%.40s\" is not a lowercase identifier", tech);
	if (str_field(v, doc, "", "name", 80, &s) < 0)
		return -1;
	if (json_object_get(doc, "covers") &&
	    (str_field(v, doc, "", "covers", 80, &s) < 0 || range_field(v, "covers", s) < 0))
		return -1;
	arr = json_object_get(doc, "detect");
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return kbad(v, "detect", arr ? "expected a non-empty array" : "missing, expected array");
	for (i = 0; i < json_array_size(arr); i++) {
		snprintf(p, sizeof p, "detect[%zu]", i);
		if (check_signal(v, json_array_get(arr, i), p) < 0)
			return -1;
	}
	on = json_object_get(doc, "online");
	if (on) {
		static const char *const okeys[] = { "library", "query", NULL };
		if (!json_is_object(on))
			return kbad(v, "online", "expected object, got %s", type_name(on));
		if (known_keys(v, on, "online", okeys) < 0 ||
		    str_field(v, on, "online", "library", 100, &s) < 0 ||
		    str_field(v, on, "online", "query", 300, &s) < 0)
			return -1;
	}
	arr = json_object_get(doc, "practices");
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return kbad(v, "practices",
			    arr ? "expected a non-empty array" : "missing, expected array");
	for (i = 0; i < json_array_size(arr); i++) {
		snprintf(p, sizeof p, "practices[%zu]", i);
		if (check_practice(v, json_array_get(arr, i), p, tech) < 0)
			return -1;
	}
	return 0;
}

int kb_check(const json_t *doc, struct jsonio_err *err)
{
	struct kbv v = { err, NULL, 0 };
	return check_doc(&v, doc);
}

/* ---- the folder */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void set_err(struct jsonio_err *err, const char *file, int status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void set_err(struct jsonio_err *err, const char *file, int status, const char *fmt, ...)
{
	va_list ap;
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof err->file, "%s", file);
	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
}

/* Reads path whole (NUL-terminated, caller frees). NULL with *err. */
static char *slurp(const char *path, size_t *len, struct jsonio_err *err)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	size_t n;
	if (!fp) {
		set_err(err, path, EXIT_IO, "cannot open: %s", strerror(errno));
		return NULL;
	}
	buf = malloc(KB_MAX_FILE_BYTES + 1);
	if (!buf) {
		fclose(fp);
		set_err(err, path, EXIT_IO, "out of memory");
		return NULL;
	}
	n = fread(buf, 1, KB_MAX_FILE_BYTES + 1, fp);
	if (ferror(fp) || n > KB_MAX_FILE_BYTES) {
		int e = ferror(fp) ? errno : 0;
		fclose(fp);
		free(buf);
		if (e)
			set_err(err, path, EXIT_IO, "cannot read: %s", strerror(e));
		else
			set_err(err, path, EXIT_DATA, "larger than %d MiB", KB_MAX_FILE_BYTES >> 20);
		return NULL;
	}
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Loads, parses and checks one file; appends it to out.  ids collects the
 * practice ids seen so far (id -> file name). */
static int load_one(const char *dir, const char *name, json_t *out, json_t *ids,
		    struct jsonio_err *err)
{
	char path[4096], *text;
	size_t len = 0, i, base;
	json_error_t je;
	json_t *doc, *arr;
	struct kbv v;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	text = slurp(path, &len, err);
	if (!text)
		return -1;
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!doc) {
		set_err(err, path, EXIT_DATA, "%s", je.text[0] ? je.text : "malformed JSON");
		err->line = je.line > 0 ? (unsigned)je.line : 0;
		err->col = je.column > 0 ? (unsigned)je.column : 0;
		free(text);
		return -1;
	}
	set_err(err, path, EXIT_OK, "%s", "");
	v.err = err;
	v.text = text;
	v.len = len;
	if (check_doc(&v, doc) < 0)
		goto bad;
	base = strlen(name) - 5; /* ".json" */
	if (strlen(json_string_value(json_object_get(doc, "technology"))) != base ||
	    strncmp(json_string_value(json_object_get(doc, "technology")), name, base) != 0) {
		kbad(&v, "technology", "\"%.40s\" does not match the file name",
		     json_string_value(json_object_get(doc, "technology")));
		goto bad;
	}
	arr = json_object_get(doc, "practices");
	for (i = 0; i < json_array_size(arr); i++) {
		const char *id = json_string_value(json_object_get(json_array_get(arr, i), "id"));
		const json_t *prev = json_object_get(ids, id);
		char p[48];
		if (prev) {
			snprintf(p, sizeof p, "practices[%zu].id", i);
			kbad(&v, p, "\"%.40s\" already used in %.60s", id, json_string_value(prev));
			goto bad;
		}
		json_object_set_new(ids, id, json_string(name));
	}
	free(text);
	json_array_append_new(out, doc);
	return 0;
bad:
	free(text);
	json_decref(doc);
	return -1;
}

json_t *kb_load_dir(const char *dir, struct jsonio_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *names[KB_MAX_FILES];
	size_t n = 0, i;
	json_t *out = NULL, *ids = NULL;
	int rc = 0;

	if (!d) {
		set_err(err, dir, EXIT_IO, "cannot open the knowledge base: %s", strerror(errno));
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l <= 5 || strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		if (n == KB_MAX_FILES) {
			set_err(err, dir, EXIT_DATA, "more than %d knowledge-base files", KB_MAX_FILES);
			rc = -1;
			break;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			set_err(err, dir, EXIT_IO, "out of memory");
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc == 0 && n == 0) {
		set_err(err, dir, EXIT_DATA, "no knowledge-base files (*.json)");
		rc = -1;
	}
	if (rc == 0) {
		qsort(names, n, sizeof(*names), cmp_names);
		out = json_array();
		ids = json_object();
		if (!out || !ids) {
			set_err(err, dir, EXIT_IO, "out of memory");
			rc = -1;
		}
		for (i = 0; rc == 0 && i < n; i++)
			rc = load_one(dir, names[i], out, ids, err);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	json_decref(ids);
	if (rc < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}
