/*
 * config: the project's pperf configuration (see config.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "discover_p.h"
#include "finding.h"
#include "py/outline.h"
#include "suppress.h"
#include "walk.h"
#include "banned.h"

#define CONFIG_MAX_BYTES (1u << 20)

static int known_check(const char *id)
{
	size_t i;
	for (i = 0; suppress_known_ids[i]; i++)
		if (!strcmp(suppress_known_ids[i], id))
			return 1;
	return 0;
}

static int string_array(const json_t *v)
{
	size_t i;
	if (!json_is_array(v))
		return 0;
	for (i = 0; i < json_array_size(v); i++)
		if (!json_is_string(json_array_get(v, i)) || !*json_string_value(json_array_get(v, i)))
			return 0;
	return 1;
}

static int check_entry(const char *id, const json_t *e, char *msg, size_t msgsz)
{
	const char *k;
	const json_t *v;
	if (!known_check(id)) {
		snprintf(msg, msgsz, "checks: unknown check '%s'", id);
		return -1;
	}
	if (!json_is_object(e)) {
		snprintf(msg, msgsz, "checks.%s: expected an object", id);
		return -1;
	}
	json_object_foreach((json_t *)e, k, v) {
		if (!strcmp(k, "enabled")) {
			if (!json_is_boolean(v)) {
				snprintf(msg, msgsz, "checks.%s.enabled: expected true or false", id);
				return -1;
			}
		} else if (!strcmp(k, "severity")) {
			if (!json_is_string(v) || severity_parse(json_string_value(v)) == SEV_NONE) {
				snprintf(msg, msgsz, "checks.%s.severity: expected CRITICAL, HIGH, MEDIUM or LOW", id);
				return -1;
			}
		} else {
			snprintf(msg, msgsz, "checks.%s: unknown key '%s'", id, k);
			return -1;
		}
	}
	return 0;
}

int config_validate(const json_t *cfg, char *msg, size_t msgsz)
{
	const char *k;
	const json_t *v;
	if (!json_is_object(cfg)) {
		snprintf(msg, msgsz, "configuration: expected an object");
		return -1;
	}
	json_object_foreach((json_t *)cfg, k, v) {
		if (!strcmp(k, "exclude") || !strcmp(k, "include") || !strcmp(k, "handler_decorators") ||
		    !strcmp(k, "job_decorators")) {
			if (!string_array(v)) {
				snprintf(msg, msgsz, "%s: expected an array of non-empty strings", k);
				return -1;
			}
		} else if (!strcmp(k, "fail_on")) {
			if (!json_is_string(v) || cli_parse_fail_on(json_string_value(v)) < 0) {
				snprintf(msg, msgsz, "fail_on: expected CRITICAL, HIGH, MEDIUM, LOW or never");
				return -1;
			}
		} else if (!strcmp(k, "long_transaction_lines")) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 100000) {
				snprintf(msg, msgsz, "long_transaction_lines: expected an integer from 1 to 100000");
				return -1;
			}
		} else if (!strcmp(k, "checks")) {
			const char *id;
			const json_t *e;
			if (!json_is_object(v)) {
				snprintf(msg, msgsz, "checks: expected an object");
				return -1;
			}
			json_object_foreach((json_t *)v, id, e)
				if (check_entry(id, e, msg, msgsz) < 0)
					return -1;
		} else {
			snprintf(msg, msgsz, "unknown key '%s'", k);
			return -1;
		}
	}
	return 0;
}

/* ---- pyproject.toml */

struct tomlcfg {
	json_t *cfg;
	int bad;           /* an allocation failed */
};

/* Sets the value at the dotted path under obj, creating objects. */
static void set_dotted(struct tomlcfg *t, json_t *obj, const char *path, json_t *val)
{
	const char *dot;
	while ((dot = strchr(path, '.'))) {
		char part[256];
		json_t *sub;
		snprintf(part, sizeof(part), "%.*s", (int)(dot - path), path);
		sub = json_object_get(obj, part);
		if (!json_is_object(sub)) {
			sub = json_object();
			if (!sub || json_object_set_new(obj, part, sub) < 0) {
				t->bad = 1;
				json_decref(val);
				return;
			}
		}
		obj = sub;
		path = dot + 1;
	}
	if (json_object_set_new(obj, path, val) < 0)
		t->bad = 1;
}

/* TOML numbers arrive as text: "80" -> 80 for the integer key. */
static json_t *toml_value(const char *key, const json_t *val)
{
	if (json_is_string(val) && !strcmp(key, "long_transaction_lines")) {
		const char *s = json_string_value(val);
		char *end;
		long n;
		errno = 0;
		n = strtol(s, &end, 10);
		if (*s && !*end && !errno)
			return json_integer(n);
	}
	return json_deep_copy(val);
}

static void toml_cfg_cb(void *arg, const char *table, const char *key, const json_t *val)
{
	struct tomlcfg *t = arg;
	char full[512];
	if (strcmp(table, "tool.pperf") && strncmp(table, "tool.pperf.", 11))
		return;
	if (!t->cfg && !(t->cfg = json_object())) {
		t->bad = 1;
		return;
	}
	snprintf(full, sizeof(full), "%s%s%s", table[10] ? table + 11 : "", table[10] ? "." : "", key);
	set_dotted(t, t->cfg, full, toml_value(key, val));
}

/* ---- loading */

static char *slurp(const char *path, size_t *len, int *err_no)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	size_t n;
	if (!fp) {
		*err_no = errno;
		return NULL;
	}
	buf = malloc(CONFIG_MAX_BYTES + 1);
	if (!buf) {
		fclose(fp);
		*err_no = ENOMEM;
		return NULL;
	}
	n = fread(buf, 1, CONFIG_MAX_BYTES + 1, fp);
	if (ferror(fp) || n > CONFIG_MAX_BYTES) {
		*err_no = ferror(fp) ? EIO : EFBIG;
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int fail(struct jsonio_err *err, const char *file, int status, unsigned line, unsigned col,
		const char *msg)
{
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", file);
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
	err->line = line;
	err->col = col;
	err->status = status;
	return -1;
}

/* Reads one file as JSON (toml 0) or as pyproject.toml (toml 1). */
static int load_file(const char *file, int toml, int must_exist, json_t **out, struct jsonio_err *err)
{
	size_t len = 0;
	int en = 0;
	char *text = slurp(file, &len, &en);
	char msg[200];
	json_t *cfg = NULL;
	*out = NULL;
	if (!text) {
		if (en == ENOENT && !must_exist)
			return 0;
		return fail(err, file, EXIT_IO, 0, 0, strerror(en));
	}
	if (toml) {
		struct tomlcfg t = { NULL, 0 };
		if (toml_walk(text, len, toml_cfg_cb, &t) < 0 && !t.cfg) {
			free(text);
			return fail(err, file, EXIT_DATA, 0, 0, "invalid TOML");
		}
		if (t.bad) {
			json_decref(t.cfg);
			free(text);
			return fail(err, file, EXIT_IO, 0, 0, strerror(ENOMEM));
		}
		cfg = t.cfg;
		if (!cfg && must_exist)
			cfg = json_object();   /* named explicitly: an empty configuration */
	} else {
		json_error_t je;
		cfg = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
		if (!cfg) {
			free(text);
			return fail(err, file, EXIT_DATA, (unsigned)(je.line > 0 ? je.line : 0),
				    (unsigned)(je.column > 0 ? je.column : 0), je.text);
		}
	}
	free(text);
	if (cfg && config_validate(cfg, msg, sizeof(msg)) < 0) {
		json_decref(cfg);
		return fail(err, file, EXIT_DATA, 0, 0, msg);
	}
	*out = cfg;
	return 0;
}

int config_load(const char *root, enum config_mode mode, const char *path, json_t **out,
		struct jsonio_err *err)
{
	char file[4096];
	size_t n;
	*out = NULL;
	if (mode == CONFIG_NONE)
		return 0;
	if (mode == CONFIG_PATH) {
		n = strlen(path);
		return load_file(path, n >= 5 && !strcmp(path + n - 5, ".toml"), 1, out, err);
	}
	snprintf(file, sizeof(file), "%s/.pperf.json", root);
	if (load_file(file, 0, 0, out, err) < 0)
		return -1;
	if (*out)
		return 0;
	snprintf(file, sizeof(file), "%s/pyproject.toml", root);
	return load_file(file, 1, 0, out, err);
}

/* ---- reading the context's config */

static const json_t *check_cfg(const json_t *ctx, const char *id)
{
	return json_object_get(json_object_get(json_object_get(ctx, "config"), "checks"), id);
}

int config_check_enabled(const json_t *ctx, const char *id)
{
	return !json_is_false(json_object_get(check_cfg(ctx, id), "enabled"));
}

int config_check_severity(const json_t *ctx, const char *id)
{
	const char *s = json_string_value(json_object_get(check_cfg(ctx, id), "severity"));
	return s ? (int)severity_parse(s) : 0;
}

long config_int(const json_t *ctx, const char *key, long dflt)
{
	const json_t *v = json_object_get(json_object_get(ctx, "config"), key);
	return json_is_integer(v) ? (long)json_integer_value(v) : dflt;
}

int config_list_has(const json_t *ctx, const char *key, const char *name)
{
	const json_t *arr = json_object_get(json_object_get(ctx, "config"), key), *v;
	size_t i;
	json_array_foreach(arr, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), name))
			return 1;
	return 0;
}

/* 1 when a glob of arr matches path or one of its directories. */
static int globs_match(const json_t *arr, const char *path)
{
	struct walk_ignore ig;
	char *text, *dir;
	size_t i, len = 0, n;
	const json_t *v;
	int hit = 0;
	json_array_foreach(arr, i, v)
		len += strlen(json_string_value(v)) + 1;
	text = malloc(len + 1);
	dir = strdup(path);
	if (!text || !dir) {
		free(text);
		free(dir);
		return 0;
	}
	len = 0;
	json_array_foreach(arr, i, v) {
		n = strlen(json_string_value(v));
		memcpy(text + len, json_string_value(v), n);
		len += n;
		text[len++] = '\n';
	}
	memset(&ig, 0, sizeof(ig));
	if (walk_ignore_parse(&ig, text, len) == 0) {
		char *p;
		for (p = strchr(dir, '/'); !hit && p; p = strchr(p + 1, '/')) {
			*p = '\0';
			hit = walk_ignore_match(&ig, dir, 1);
			*p = '/';
		}
		if (!hit)
			hit = walk_ignore_match(&ig, path, 0);
	}
	walk_ignore_free(&ig);
	free(text);
	free(dir);
	return hit;
}

int config_path_selected(const json_t *cfg, const char *path)
{
	const json_t *inc = json_object_get(cfg, "include"), *exc = json_object_get(cfg, "exclude");
	if (json_array_size(inc) && !globs_match(inc, path))
		return 0;
	return !(json_array_size(exc) && globs_match(exc, path));
}

int config_decorated(const json_t *ctx, const char *key, const char *const *decorators, unsigned n)
{
	const json_t *arr = json_object_get(json_object_get(ctx, "config"), key), *v;
	unsigned k;
	size_t i;
	if (!json_array_size(arr))
		return 0;
	for (k = 0; k < n; k++) {
		const char *d = decorators[k], *last;
		size_t len, llen;
		if (*d == '@')
			d++;
		len = strcspn(d, "( \t");
		for (last = d + len; last > d && last[-1] != '.'; last--)
			;
		llen = (size_t)(d + len - last);
		json_array_foreach(arr, i, v) {
			const char *name = json_string_value(v);
			size_t nl = strlen(name);
			if ((nl == len && !memcmp(name, d, len)) ||
			    (!strchr(name, '.') && nl == llen && !memcmp(name, last, llen)))
				return 1;
		}
	}
	return 0;
}

void config_mark_handlers(const json_t *ctx, struct py_outline *ol)
{
	size_t i;
	if (!json_array_size(json_object_get(json_object_get(ctx, "config"), "handler_decorators")))
		return;
	for (i = 0; i < ol->nblocks; i++) {   /* blocks precede their children */
		struct py_block *b = &ol->blocks[i];
		int outer;
		if (b->kind != PB_DEF || b->handler)
			continue;
		if (config_decorated(ctx, "handler_decorators", b->decorators, b->ndecorators)) {
			b->handler = 1;
			continue;
		}
		outer = py_outline_enclosing(ol, b->parent, PB_MASK(PB_DEF), 1);
		if (outer >= 0 && ol->blocks[outer].handler)
			b->handler = 1;
	}
}
