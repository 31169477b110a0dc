/*
 * discover: the project as one pperf.context/1 document.
 *
 * One pass over the walk's file list: every file gets its entry in
 * "files"; manifests, Python sources, migrations and the kanban board are
 * read (once each) and handed to their scanner; then the facts are turned
 * into tech_stack and db_config.  Problems with single files are warnings
 * and the run goes on; only an unusable root is an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "discover.h"
#include "discover_p.h"
#include "pathenc.h"
#include "srcfile.h"
#include "suppress.h"
#include "js/js.h"
#include "go/go.h"
#include "walk.h"
#include "banned.h"

#define KANBAN_PATH "docs/tasks/kanban_board.md"

struct warning {
	char *path, *msg;
	unsigned line;
	size_t seq; /* order of arrival, for a stable sort */
};

struct disc {
	const char *root;
	struct warning *warns; /* emitted sorted by path when the run ends */
	size_t nwarns, capwarns;
	struct discover_opts o;
	struct disc_facts facts;
	struct trig_db trig;
	json_t *engines, *factories, *manifests, *languages, *linear, *files;
	json_t *locked; /* lock files: package -> exact version */
	json_t *config; /* the validated configuration, or NULL */
};

/* ---- warnings */

static void default_warn(void *arg, const char *path, unsigned line, const char *msg)
{
	const char *root = arg;
	size_t rl = strlen(root);
	if (strcmp(root, ".") == 0 || rl == 0) {
		cli_msg("warning", path, line, 0, "%s", msg);
	} else {
		char *full = malloc(rl + strlen(path) + 2);
		if (!full)
			return;
		memcpy(full, root, rl);
		if (root[rl - 1] != '/')
			full[rl++] = '/';
		memcpy(full + rl, path, strlen(path) + 1);
		cli_msg("warning", full, line, 0, "%s", msg);
		free(full);
	}
}

/* Queues a warning; flush_warnings() hands them out sorted by path. */
static void dwarn(struct disc *d, const char *path, unsigned line, const char *msg)
{
	struct warning w;
	if (d->nwarns == d->capwarns) {
		size_t nc = d->capwarns ? d->capwarns * 2 : 16;
		struct warning *nv = realloc(d->warns, nc * sizeof(*nv));
		if (!nv) {
			d->o.warn(d->o.warn_arg, path, line, msg);
			return;
		}
		d->warns = nv;
		d->capwarns = nc;
	}
	w.path = strdup(path);
	w.msg = strdup(msg);
	w.line = line;
	w.seq = d->nwarns;
	if (!w.path || !w.msg) {
		free(w.path);
		free(w.msg);
		d->o.warn(d->o.warn_arg, path, line, msg);
		return;
	}
	d->warns[d->nwarns++] = w;
}

static int cmp_warning(const void *a, const void *b)
{
	const struct warning *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void flush_warnings(struct disc *d)
{
	size_t i;
	if (d->nwarns > 1)
		qsort(d->warns, d->nwarns, sizeof(*d->warns), cmp_warning);
	for (i = 0; i < d->nwarns; i++) {
		d->o.warn(d->o.warn_arg, d->warns[i].path, d->warns[i].line, d->warns[i].msg);
		free(d->warns[i].path);
		free(d->warns[i].msg);
	}
	free(d->warns);
	d->warns = NULL;
	d->nwarns = d->capwarns = 0;
}

static void walk_warn(void *arg, const char *path, unsigned line, const char *msg)
{
	dwarn(arg, path, line, msg);
}

/* ---- reading one file */

/* Whole file (NUL-terminated, malloc'd) or NULL after a warning. */
static char *read_file(struct disc *d, const char *rel, size_t *len)
{
	size_t rl = strlen(d->root), cap, n = 0;
	char *full = malloc(rl + strlen(rel) + 2), *buf;
	struct stat st;
	int fd;
	if (!full)
		return NULL;
	memcpy(full, d->root, rl);
	full[rl] = '/';
	memcpy(full + rl + 1, rel, strlen(rel) + 1);
	fd = open(full, O_RDONLY | O_NOCTTY);
	free(full);
	if (fd < 0 || fstat(fd, &st) < 0) {
		char msg[300];
		snprintf(msg, sizeof(msg), "%s, not scanned", strerror(errno));
		dwarn(d, rel, 0, msg);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	cap = (size_t)st.st_size < d->o.max_file_size ? (size_t)st.st_size : d->o.max_file_size;
	buf = malloc(cap + 1);
	while (buf && n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* 1 when needle occurs in s ignoring ASCII case. */
static int contains_ci(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;
	unsigned char c0 = (unsigned char)needle[0] | 0x20;
	if (len < n)
		return 0;
	/* the first byte filters (ASCII case differs in bit 0x20 only) */
	for (i = 0; i + n <= len; i++)
		if (((unsigned char)s[i] | 0x20) == c0 && strncasecmp(s + i, needle, n) == 0)
			return 1;
	return 0;
}

/* ---- Linear configuration */

/* Copies a table cell without backticks, asterisks and outer blanks. */
static void clean_cell(const char *s, size_t n, char *out, size_t outsz)
{
	size_t i, k = 0;
	while (n && (*s == ' ' || *s == '\t' || *s == '`' || *s == '*')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '`' || s[n - 1] == '*' ||
		     s[n - 1] == '\r'))
		n--;
	for (i = 0; i < n && k + 1 < outsz; i++)
		out[k++] = s[i];
	out[k] = '\0';
}

/* "Team ID" / "team_id" / "`TeamID`" -> "teamid". */
static void key_of(const char *cell, char *out, size_t outsz)
{
	size_t k = 0;
	for (; *cell && k + 1 < outsz; cell++)
		if ((*cell >= 'a' && *cell <= 'z') || (*cell >= '0' && *cell <= '9'))
			out[k++] = *cell;
		else if (*cell >= 'A' && *cell <= 'Z')
			out[k++] = (char)(*cell - 'A' + 'a');
	out[k] = '\0';
}

static void linear_row(json_t *lin, const char *s, size_t n)
{
	static const struct { const char *key, *field; } keys[] = {
		{ "teamid", "team_id" }, { "teamkey", "team_key" }, { "teamuuid", "team_uuid" },
		{ NULL, NULL }
	};
	const char *c1 = memchr(s + 1, '|', n - 1), *c2;
	char key[64], k[64], val[256];
	size_t i;
	if (!c1)
		return;
	c2 = memchr(c1 + 1, '|', (size_t)(s + n - c1 - 1));
	clean_cell(s + 1, (size_t)(c1 - s - 1), key, sizeof(key));
	clean_cell(c1 + 1, (size_t)((c2 ? c2 : s + n) - c1 - 1), val, sizeof(val));
	key_of(key, k, sizeof(k));
	for (i = 0; keys[i].key; i++)
		if (strcmp(k, keys[i].key) == 0 && *val && json_is_null(json_object_get(lin, keys[i].field)))
			json_object_set_new(lin, keys[i].field, json_string(val));
}

json_t *linear_parse(const char *text, size_t len)
{
	json_t *lin = json_object();
	size_t pos = 0;
	int in_section = 0, found = 0;
	if (!lin)
		return NULL;
	json_object_set_new(lin, "team_id", json_null());
	json_object_set_new(lin, "team_key", json_null());
	json_object_set_new(lin, "team_uuid", json_null());
	if (!text)
		return lin;
	/* rows of the "Linear Configuration" section, or of the whole file without one */
	found = contains_ci(text, len, "linear configuration");
	while (pos < len) {
		size_t b = pos, e;
		while (pos < len && text[pos] != '\n')
			pos++;
		e = pos++;
		while (b < e && (text[b] == ' ' || text[b] == '\t'))
			b++;
		if (b < e && text[b] == '#')
			in_section = contains_ci(text + b, e - b, "linear configuration");
		else if (b < e && contains_ci(text + b, e - b, "linear configuration") && text[b] != '|')
			in_section = 1;
		if ((in_section || !found) && e > b + 1 && text[b] == '|')
			linear_row(lin, text + b, e - b);
	}
	return lin;
}

/* ---- the walk's files */

static json_t *file_entry(const struct walk_file *f)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "path", pathenc_json(f->path));
	if (!pathenc_is_utf8(f->path, strlen(f->path))) { /* the exact bytes, to open it */
		char *hex = pathenc_hex(f->path);
		if (!hex || json_object_set_new(o, "path_hex", json_string(hex)) < 0) {
			free(hex);
			json_decref(o);
			return NULL;
		}
		free(hex);
	}
	json_object_set_new(o, "language", f->language ? json_string(f->language) : json_null());
	json_object_set_new(o, "role", json_string(walk_role_name(f->role)));
	json_object_set_new(o, "bytes", json_integer((json_int_t)f->bytes));
	if (f->shebang)
		json_object_set_new(o, "shebang", json_string(f->shebang));
	return o;
}

struct supp_warn {
	struct disc *d;
	const char *path;
};

static void supp_warn(void *arg, unsigned line, unsigned col, const char *msg)
{
	struct supp_warn *w = arg;
	(void)col;
	dwarn(w->d, w->path, line, msg);
}

/*
 * Warns about the unknown check ids of the file's "pperf: ignore[...]"
 * comments: here, because discover runs once per pperf run while the
 * three auditors (which apply the suppressions) would say it three times.
 * -1 on allocation failure.
 */
static int check_suppressions(struct disc *d, const struct walk_file *f, const char *lang, const char *text,
			      size_t len)
{
	struct py_toks toks;
	struct suppressions s;
	struct supp_warn w = { d, f->path };
	int rc;
	if (!contains_ci(text, len, "pperf:"))
		return 0;
	if (!strcmp(lang, "python"))
		rc = py_tokenize(&toks, text, len);
	else if (!strcmp(lang, "go"))
		rc = go_tokenize(&toks, text, len);
	else
		rc = js_tokenize(&toks, text, len, js_path_jsx(f->path));
	if (rc < 0)
		return -1;
	memset(&s, 0, sizeof(s));
	rc = suppress_scan(&s, &toks, supp_warn, &w);
	suppress_free(&s);
	py_toks_free(&toks);
	return rc;
}

/* Hands one file to the scanners that want it. -1 on allocation failure. */
static int scan_file(struct disc *d, const struct walk_file *f)
{
	const char *lang = f->language ? f->language : "";
	int manifest = f->role != ROLE_VENDOR && f->role != ROLE_TEST && walk_is_manifest(f->path);
	int lock = f->role != ROLE_VENDOR && f->role != ROLE_TEST && lock_is_file(f->path);
	int py_src = f->role == ROLE_SOURCE && strcmp(lang, "python") == 0;
	int migr = f->role == ROLE_MIGRATION;
	int kanban = strcmp(f->path, KANBAN_PATH) == 0;
	int code = f->role == ROLE_SOURCE && (!strcmp(lang, "python") || !strcmp(lang, "typescript") ||
					      !strcmp(lang, "javascript") || !strcmp(lang, "go"));
	char *text;
	size_t len = 0;
	int rc = 0;

	if (!manifest && !lock && !py_src && !migr && !kanban && !code)
		return 0;
	text = read_file(d, f->path, &len);
	if (!text)
		return 0;
	if (manifest) {
		const char *msg = NULL;
		json_array_append_new(d->manifests, json_string(f->path));
		if (manifest_scan(&d->facts, f->path, text, len, &msg) < 0 && msg)
			dwarn(d, f->path, 0, msg);
	}
	if (lock) {
		const char *msg = NULL;
		if (lock_scan(d->locked, f->path, text, len, &msg) < 0 && msg)
			dwarn(d, f->path, 0, msg);
	}
	if (py_src) {
		rc = pysrc_scan(&d->facts, d->engines, d->factories, f->path, text, len);
		if (rc == 0 && (contains_ci(text, len, "trigger") || contains_ci(text, len, "notify")))
			rc = triggers_scan_python(&d->trig, f->path, text, len);
	}
	if (migr && rc == 0) {
		if (strcmp(lang, "sql") == 0)
			rc = triggers_scan_sql(&d->trig, f->path, text, len);
		else if (strcmp(lang, "python") == 0)
			rc = triggers_scan_python(&d->trig, f->path, text, len);
		else if (!strcmp(lang, "javascript") || !strcmp(lang, "typescript") || !strcmp(lang, "go"))
			rc = triggers_scan_clike(&d->trig, f->path, text, len);
	}
	if (code && rc == 0)
		rc = check_suppressions(d, f, lang, text, len);
	if (kanban) {
		json_decref(d->linear);
		d->linear = linear_parse(text, len);
	}
	free(text);
	return rc;
}

/* ---- assembling the document */

/* First non-null value of key over the objects of arr, as a new reference. */
static json_t *first_set(const json_t *arr, const char *key)
{
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		json_t *v = json_object_get(o, key);
		if (v && !json_is_null(v))
			return json_incref(v);
	}
	return json_null();
}

static json_t *db_config(struct disc *d)
{
	static const char *const ekeys[] = { "pool_size", "max_overflow", "pool_pre_ping",
					     "pool_recycle", "isolation_level", NULL };
	json_t *c = json_object();
	size_t i;
	if (!c)
		return NULL;
	json_object_set_new(c, "expire_on_commit", first_set(d->factories, "expire_on_commit"));
	json_object_set_new(c, "autoflush", first_set(d->factories, "autoflush"));
	for (i = 0; ekeys[i]; i++)
		json_object_set_new(c, ekeys[i], first_set(d->engines, ekeys[i]));
	json_object_set(c, "session_factories", d->factories);
	json_object_set(c, "engines", d->engines);
	json_object_set_new(c, "triggers", triggers_finish(&d->trig));
	return c;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The language set as a sorted array (new reference). */
static json_t *sorted_languages(const json_t *set)
{
	const char *k, *keys[64];
	json_t *v, *arr = json_array();
	size_t n = 0, i;
	json_object_foreach((json_t *)set, k, v)
		if (n < 64)
			keys[n++] = k;
	qsort(keys, n, sizeof(*keys), cmp_cstr);
	for (i = 0; arr && i < n; i++)
		json_array_append_new(arr, json_string(keys[i]));
	return arr;
}

static json_t *build_doc(struct disc *d, const char *real)
{
	json_t *doc = json_object(), *ts;
	if (!doc)
		return NULL;
	ts = stack_resolve(&d->facts, sorted_languages(d->languages));
	if (ts && lock_attach(ts, d->locked) < 0) {
		json_decref(ts);
		ts = NULL;
	}
	json_object_set_new(doc, "schema", json_string(SCHEMA_CONTEXT));
	json_object_set_new(doc, "generated_by", json_string("pperf-discover " PPERF_VERSION));
	json_object_set_new(doc, "codebase_root", json_string(real));
	json_object_set_new(doc, "tech_stack", ts ? ts : json_null());
	json_object_set(doc, "manifests", d->manifests);
	json_object_set_new(doc, "db_config", db_config(d));
	json_object_set(doc, "linear", d->linear);
	json_object_set(doc, "files", d->files);
	if (d->config)
		json_object_set(doc, "config", d->config);
	return doc;
}

static void set_err(struct jsonio_err *err, const char *file, int status, const char *msg)
{
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", file);
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
	err->status = status;
}

static void disc_free(struct disc *d)
{
	flush_warnings(d);
	disc_facts_free(&d->facts);
	trig_db_free(&d->trig);
	json_decref(d->engines);
	json_decref(d->factories);
	json_decref(d->manifests);
	json_decref(d->languages);
	json_decref(d->linear);
	json_decref(d->files);
	json_decref(d->locked);
	json_decref(d->config);
}

static int disc_init(struct disc *d, const char *root, const struct discover_opts *opts)
{
	memset(d, 0, sizeof(*d));
	d->root = root;
	if (opts)
		d->o = *opts;
	if (!d->o.max_file_size)
		d->o.max_file_size = SRCFILE_MAX_BYTES;
	if (!d->o.warn) {
		d->o.warn = default_warn;
		d->o.warn_arg = (void *)root;
	}
	d->engines = json_array();
	d->factories = json_array();
	d->manifests = json_array();
	d->languages = json_object();
	d->linear = linear_parse(NULL, 0);
	d->files = json_array();
	d->locked = json_object();
	if (disc_facts_init(&d->facts) < 0 || trig_db_init(&d->trig) < 0 || !d->engines ||
	    !d->factories || !d->manifests || !d->languages || !d->linear || !d->files ||
	    !d->locked)
		return -1;
	return 0;
}

json_t *discover_context(const char *root, const struct discover_opts *opts, struct jsonio_err *err)
{
	struct disc d;
	struct walk_opts wo;
	struct walk_list wl;
	char *real;
	json_t *doc = NULL;
	size_t i;
	int rc = 0;

	real = realpath(root, NULL);
	if (!real) {
		set_err(err, root, EXIT_IO, strerror(errno));
		free(real);
		return NULL;
	}
	if (disc_init(&d, root, opts) < 0) {
		disc_free(&d);
		free(real);
		set_err(err, root, EXIT_IO, strerror(ENOMEM));
		return NULL;
	}
	if (config_load(root, (enum config_mode)d.o.config_mode, d.o.config_path, &d.config, err) < 0) {
		disc_free(&d);
		free(real);
		return NULL;
	}
	memset(&wo, 0, sizeof(wo));
	wo.max_file_size = d.o.max_file_size;
	wo.no_git = d.o.no_git;
	wo.warn = walk_warn;
	wo.warn_arg = &d;
	if (walk_list(root, &wo, &wl) < 0) {
		set_err(err, root, EXIT_IO, strerror(errno));
		disc_free(&d);
		free(real);
		return NULL;
	}
	for (i = 0; rc == 0 && i < wl.n; i++) {
		const struct walk_file *f = &wl.v[i];
		json_t *e;
		if (d.config && !config_path_selected(d.config, f->path))
			continue;   /* left out by the configuration's include/exclude */
		e = file_entry(f);
		if (!e || json_array_append_new(d.files, e) < 0) {
			rc = -1;
			break;
		}
		if (f->role == ROLE_SOURCE && walk_language_is_code(f->language))
			json_object_set_new(d.languages, f->language, json_true());
		rc = scan_file(&d, f);
	}
	walk_list_free(&wl);
	if (rc == 0)
		doc = build_doc(&d, real);
	if (!doc)
		set_err(err, root, EXIT_IO, strerror(ENOMEM));
	disc_free(&d);
	free(real);
	return doc;
}
