/*
 * discover_lock: exact versions from lock files, for tech_stack.locked.
 *
 * Read: poetry.lock, uv.lock and pdm.lock ([[package]] tables with name
 * and version), Pipfile.lock ("default" section) and package-lock.json
 * ("packages" of lockfile versions 2 and 3, "dependencies" of version 1,
 * top-level packages only).  go.mod already pins exact versions; yarn and
 * pnpm lock files are not read.  The first lock file that names a package
 * wins.  Only packages that are also runtime dependencies end up in
 * tech_stack.locked, so the key stays small.
 */
#include <ctype.h>
#include <string.h>

#include "discover_p.h"
#include "banned.h"

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int lock_is_file(const char *path)
{
	static const char *const names[] = { "poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock",
					     "package-lock.json", NULL };
	const char *b = base_of(path);
	size_t i;
	for (i = 0; names[i]; i++)
		if (strcmp(b, names[i]) == 0)
			return 1;
	return 0;
}

/* Records name -> version (names normalised as manifests normalise them:
 * lowercase, '_' and '.' as '-', for Python packages). */
static void record(json_t *locked, const char *name, const char *version, int python)
{
	char key[160];
	size_t n;
	if (!name || !*name || !version || !*version)
		return;
	while (*version == '=' || *version == 'v' || *version == ' ')
		version++;
	if (!isdigit((unsigned char)*version))
		return;
	for (n = 0; name[n] && n + 1 < sizeof(key); n++) {
		char c = name[n];
		if (python) {
			c = (char)tolower((unsigned char)c);
			if (c == '_' || c == '.')
				c = '-';
		}
		key[n] = c;
	}
	key[n] = '\0';
	if (!json_object_get(locked, key))
		json_object_set_new(locked, key, json_string(version));
}

/* ---- the TOML lock files */

struct toml_state {
	json_t *locked;
	char name[160], version[64]; /* of the current [[package]], either may come first */
};

static void lock_toml_cb(void *arg, const char *table, const char *key, const json_t *val)
{
	struct toml_state *st = arg;
	const char *s = json_string_value(val);
	if (strcmp(table, "package") != 0 || !s)
		return;
	if (strcmp(key, "name") == 0) {
		if (st->version[0]) {
			record(st->locked, s, st->version, 1);
			st->version[0] = '\0';
			st->name[0] = '\0';
		} else {
			snprintf(st->name, sizeof st->name, "%s", s);
		}
	} else if (strcmp(key, "version") == 0) {
		if (st->name[0]) {
			record(st->locked, st->name, s, 1);
			st->name[0] = '\0';
		} else {
			snprintf(st->version, sizeof st->version, "%s", s);
		}
	}
}

/* ---- the JSON lock files */

static int scan_pipfile_lock(json_t *locked, const json_t *doc)
{
	const json_t *def = json_object_get(doc, "default"), *v;
	const char *k;
	if (!json_is_object(def))
		return -1;
	json_object_foreach((json_t *)def, k, v)
		record(locked, k, json_string_value(json_object_get(v, "version")), 1);
	return 0;
}

static int scan_package_lock(json_t *locked, const json_t *doc)
{
	const json_t *pk = json_object_get(doc, "packages"), *v;
	const char *k;
	if (json_is_object(pk)) {
		json_object_foreach((json_t *)pk, k, v) {
			const char *name;
			if (strncmp(k, "node_modules/", 13) != 0)
				continue;
			name = k + 13;
			if (strstr(name, "/node_modules/"))
				continue; /* a nested copy */
			record(locked, name, json_string_value(json_object_get(v, "version")), 0);
		}
		return 0;
	}
	pk = json_object_get(doc, "dependencies");
	if (!json_is_object(pk))
		return -1;
	json_object_foreach((json_t *)pk, k, v)
		record(locked, k, json_string_value(json_object_get(v, "version")), 0);
	return 0;
}

int lock_scan(json_t *locked, const char *path, const char *text, size_t len, const char **msg)
{
	const char *b = base_of(path);
	json_t *doc;
	int rc;

	*msg = NULL;
	if (strcmp(b, "Pipfile.lock") == 0 || strcmp(b, "package-lock.json") == 0) {
		doc = json_loadb(text, len, 0, NULL);
		rc = json_is_object(doc) ? (b[0] == 'P' ? scan_pipfile_lock(locked, doc)
							  : scan_package_lock(locked, doc))
					 : -1;
		json_decref(doc);
		if (rc < 0)
			*msg = "malformed lock file, ignored";
		return rc;
	} else {
		struct toml_state st;
		memset(&st, 0, sizeof st);
		st.locked = locked;
		if (toml_walk(text, len, lock_toml_cb, &st) < 0) {
			*msg = "malformed lock file, partly read";
			return -1;
		}
	}
	return 0;
}

int lock_attach(json_t *tech_stack, const json_t *locked)
{
	const json_t *deps = json_object_get(tech_stack, "dependencies"), *v;
	json_t *out;
	const char *k;
	if (!json_is_object(deps) || json_object_size(locked) == 0)
		return 0;
	out = json_object();
	if (!out)
		return -1;
	json_object_foreach((json_t *)deps, k, v) {
		const json_t *ver = json_object_get(locked, k);
		(void)v;
		if (ver)
			json_object_set(out, k, (json_t *)ver);
	}
	if (json_object_size(out) == 0) {
		json_decref(out);
		return 0;
	}
	return json_object_set_new(tech_stack, "locked", out);
}
