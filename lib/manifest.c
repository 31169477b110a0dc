/*
 * manifest: dependencies and declared versions from the project's
 * manifests (requirements*.txt, pyproject.toml, setup.cfg, Pipfile,
 * package.json, go.mod, docker-compose*.yml, schema.prisma).  setup.py
 * goes through the Python tokenizer in discover_py.c.  Only runtime
 * dependencies count: dev groups and requirements-dev/test files are
 * listed as manifests but add nothing to the stack.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "discover_p.h"
#include "banned.h"

int disc_facts_init(struct disc_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->deps = json_object();
	f->imports = json_object();
	if (!f->deps || !f->imports) {
		disc_facts_free(f);
		return -1;
	}
	return 0;
}

void disc_facts_free(struct disc_facts *f)
{
	json_decref(f->deps);
	json_decref(f->imports);
	f->deps = f->imports = NULL;
}

static void copy_str(char *dst, size_t dstsz, const char *s, size_t n)
{
	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* Adds a dependency unless already known with a version. */
static void add_dep(struct disc_facts *f, const char *name, const char *spec)
{
	json_t *old = json_object_get(f->deps, name);
	if (old && !json_is_null(old))
		return;
	json_object_set_new(f->deps, name, spec && *spec ? json_string(spec) : json_null());
}

static void set_version(char *dst, size_t dstsz, const char *spec)
{
	char v[32];
	if (!*dst && spec && version_lower_bound(spec, v, sizeof(v)) == 0)
		copy_str(dst, dstsz, v, strlen(v));
}

/* ---- requirement specifiers and versions */

int req_parse(const char *s, size_t len, char *name, size_t namesz, char *spec, size_t specsz)
{
	size_t i = 0, b, n = 0, e;
	while (i < len && isspace((unsigned char)s[i]))
		i++;
	if (i >= len || !isalnum((unsigned char)s[i]))
		return -1;
	b = i;
	while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.'))
		i++;
	for (; b < i && n + 1 < namesz; b++) {
		char c = (char)tolower((unsigned char)s[b]);
		name[n++] = c == '_' || c == '.' ? '-' : c;
	}
	name[n] = '\0';
	while (i < len && isspace((unsigned char)s[i]))
		i++;
	if (i < len && s[i] == '[') {
		while (i < len && s[i] != ']')
			i++;
		if (i < len)
			i++;
	}
	while (i < len && (isspace((unsigned char)s[i]) || s[i] == '('))
		i++;
	if (i < len && s[i] == '@') { /* direct reference: no version */
		spec[0] = '\0';
		return 0;
	}
	for (e = i; e < len && !strchr(";#)\n\\", s[e]); e++)
		;
	while (e > i && isspace((unsigned char)s[e - 1]))
		e--;
	copy_str(spec, specsz, s + i, e - i);
	return 0;
}

static int is_lower_bound_op(const char *op, size_t n)
{
	static const char *const ops[] = { "", "==", "===", ">=", "~=", "^", "~", ">", "=", NULL };
	size_t k;
	for (k = 0; ops[k]; k++)
		if (strlen(ops[k]) == n && strncmp(ops[k], op, n) == 0)
			return 1;
	return 0;
}

int version_lower_bound(const char *spec, char *out, size_t outsz)
{
	const char *p = spec;
	while (*p) {
		const char *op, *v;
		size_t opn, vn;
		while (*p && (isspace((unsigned char)*p) || *p == ',' || *p == '|' || *p == '(' || *p == ')'))
			p++;
		op = p;
		while (*p && strchr("<>=!~^", *p))
			p++;
		opn = (size_t)(p - op);
		while (*p == ' ' || *p == '\t')
			p++;
		if ((*p == 'v' || *p == 'V') && isdigit((unsigned char)p[1]))
			p++;
		v = p;
		while (*p && (isdigit((unsigned char)*p) || *p == '.'))
			p++;
		vn = (size_t)(p - v);
		while (vn && v[vn - 1] == '.')
			vn--;
		/* the rest of this clause (pre-release tags, wildcards) */
		while (*p && !isspace((unsigned char)*p) && *p != ',' && *p != '|')
			p++;
		if (vn && is_lower_bound_op(op, opn)) {
			copy_str(out, outsz, v, vn);
			return 0;
		}
		if (!opn && !vn && *p == '\0')
			break;
		if (!opn && !vn && p == op) /* unknown character: skip it */
			p++;
	}
	return -1;
}

int compose_image_db(const char *image, char *db, size_t dbsz, char *ver, size_t versz)
{
	const char *name = strrchr(image, '/'), *tag;
	char nm[64];
	size_t n, i;
	name = name ? name + 1 : image;
	tag = strchr(name, ':');
	n = tag ? (size_t)(tag - name) : strcspn(name, "@");
	if (n == 0 || n >= sizeof(nm))
		return -1;
	for (i = 0; i < n; i++)
		nm[i] = (char)tolower((unsigned char)name[i]);
	nm[n] = '\0';
	if (strstr(nm, "postgres") || strstr(nm, "postgis") || strstr(nm, "timescaledb"))
		copy_str(db, dbsz, "postgresql", 10);
	else if (strstr(nm, "mariadb"))
		copy_str(db, dbsz, "mariadb", 7);
	else if (strstr(nm, "mysql"))
		copy_str(db, dbsz, "mysql", 5);
	else
		return -1;
	ver[0] = '\0';
	if (tag) {
		const char *v = tag + 1;
		n = 0;
		while (isdigit((unsigned char)v[n]) || v[n] == '.')
			n++;
		while (n && v[n - 1] == '.')
			n--;
		copy_str(ver, versz, v, n);
	}
	return 0;
}

/* ---- line helpers */

/* Next line of text[*pos..len): sets *b and *e (without CR/LF), advances *pos. */
static int next_line(const char *text, size_t len, size_t *pos, size_t *b, size_t *e)
{
	if (*pos >= len)
		return 0;
	*b = *pos;
	while (*pos < len && text[*pos] != '\n')
		(*pos)++;
	*e = *pos;
	if (*pos < len)
		(*pos)++;
	if (*e > *b && text[*e - 1] == '\r')
		(*e)--;
	return 1;
}

static void trim(const char *text, size_t *b, size_t *e)
{
	while (*b < *e && isspace((unsigned char)text[*b]))
		(*b)++;
	while (*e > *b && isspace((unsigned char)text[*e - 1]))
		(*e)--;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* 1 when a requirements file name says it is for development only. */
static int dev_requirements(const char *base)
{
	static const char *const dev[] = { "dev", "test", "lint", "doc", NULL };
	char low[128];
	const char *rest = low;
	size_t i;
	for (i = 0; base[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)base[i]);
	low[i] = '\0';
	if (strncmp(low, "requirements", 12) == 0)
		rest = low + 12;
	for (i = 0; dev[i]; i++)
		if (strstr(rest, dev[i]))
			return 1;
	return 0;
}

void manifest_add_requirement(struct disc_facts *f, const char *s, size_t n)
{
	char name[128], spec[128];
	if (req_parse(s, n, name, sizeof(name), spec, sizeof(spec)) == 0)
		add_dep(f, name, spec);
}

static int scan_requirements(struct disc_facts *f, const char *path, const char *text, size_t len)
{
	size_t pos = 0, b, e;
	int dev = dev_requirements(base_name(path));
	while (next_line(text, len, &pos, &b, &e)) {
		size_t k;
		for (k = b; k < e; k++) /* comment: '#' at start or after a blank */
			if (text[k] == '#' && (k == b || isspace((unsigned char)text[k - 1])))
				break;
		e = k;
		trim(text, &b, &e);
		if (b == e || text[b] == '-' || dev)
			continue;
		manifest_add_requirement(f, text + b, e - b);
	}
	return 0;
}

void manifest_set_python(struct disc_facts *f, const char *spec)
{
	set_version(f->python_version, sizeof(f->python_version), spec);
}

/* ---- TOML-based manifests */

static void toml_dep(struct disc_facts *f, const char *key, const json_t *val)
{
	char name[128];
	size_t n = 0;
	const char *spec = NULL;
	if (json_is_string(val))
		spec = json_string_value(val);
	else if (json_is_object(val))
		spec = json_string_value(json_object_get(val, "version"));
	if (spec && strcmp(spec, "*") == 0)
		spec = NULL;
	for (; key[n] && n + 1 < sizeof(name); n++) {
		char c = (char)tolower((unsigned char)key[n]);
		name[n] = c == '_' || c == '.' ? '-' : c;
	}
	name[n] = '\0';
	add_dep(f, name, spec);
}

static void pyproject_cb(void *arg, const char *table, const char *key, const json_t *val)
{
	struct disc_facts *f = arg;
	if (strcmp(table, "project") == 0 && strcmp(key, "dependencies") == 0 && json_is_array(val)) {
		size_t i;
		json_t *v;
		json_array_foreach(val, i, v)
			if (json_is_string(v))
				manifest_add_requirement(f, json_string_value(v), strlen(json_string_value(v)));
	} else if (strcmp(table, "project") == 0 && strcmp(key, "requires-python") == 0) {
		set_version(f->python_version, sizeof(f->python_version), json_string_value(val));
	} else if (strcmp(table, "tool.poetry.dependencies") == 0 || strcmp(table, "packages") == 0) {
		if (strcmp(key, "python") == 0)
			set_version(f->python_version, sizeof(f->python_version), json_string_value(val));
		else
			toml_dep(f, key, val);
	} else if (strcmp(table, "requires") == 0 &&
		   (strcmp(key, "python_version") == 0 || strcmp(key, "python_full_version") == 0)) {
		set_version(f->python_version, sizeof(f->python_version), json_string_value(val));
	}
}

/* ---- setup.cfg */

static void setup_cfg_key(struct disc_facts *f, const char *key, const char *val, size_t n)
{
	size_t pos = 0, b, e;
	if (strcmp(key, "python_requires") == 0) {
		char v[64];
		copy_str(v, sizeof(v), val, n);
		set_version(f->python_version, sizeof(f->python_version), v);
		return;
	}
	if (strcmp(key, "install_requires") != 0)
		return;
	while (next_line(val, n, &pos, &b, &e)) {
		trim(val, &b, &e);
		if (b < e && val[b] != '#')
			manifest_add_requirement(f, val + b, e - b);
	}
}

static int scan_setup_cfg(struct disc_facts *f, const char *text, size_t len)
{
	size_t pos = 0, b, e, vb = 0, ve = 0;
	char section[64] = "", key[64] = "";
	while (next_line(text, len, &pos, &b, &e)) {
		int cont = b < e && (text[b] == ' ' || text[b] == '\t');
		trim(text, &b, &e);
		if (cont && *key) {
			ve = e;
			continue;
		}
		if (*key && strcmp(section, "options") == 0)
			setup_cfg_key(f, key, text + vb, ve - vb);
		key[0] = '\0';
		if (b == e || text[b] == '#' || text[b] == ';')
			continue;
		if (text[b] == '[') {
			size_t k = b + 1;
			while (k < e && text[k] != ']')
				k++;
			copy_str(section, sizeof(section), text + b + 1, k - b - 1);
		} else {
			size_t k = b, kb = b;
			while (k < e && text[k] != '=' && text[k] != ':')
				k++;
			if (k == e)
				continue;
			ve = k;
			while (ve > kb && isspace((unsigned char)text[ve - 1]))
				ve--;
			copy_str(key, sizeof(key), text + kb, ve - kb);
			vb = k + 1;
			ve = e;
		}
	}
	if (*key && strcmp(section, "options") == 0)
		setup_cfg_key(f, key, text + vb, ve - vb);
	return 0;
}

/* ---- package.json, go.mod, compose, prisma */

static int scan_package_json(struct disc_facts *f, const char *text, size_t len, const char **msg)
{
	json_error_t jerr;
	json_t *doc = json_loadb(text, len, 0, &jerr), *deps, *v;
	const char *k;
	if (!doc || !json_is_object(doc)) {
		json_decref(doc);
		*msg = "malformed package.json, ignored";
		return -1;
	}
	deps = json_object_get(doc, "dependencies");
	if (json_is_object(deps)) {
		json_object_foreach(deps, k, v) {
			const char *spec = json_string_value(v);
			json_t *old = json_object_get(f->deps, k);
			if (!old || json_is_null(old))
				json_object_set_new(f->deps, k, spec ? json_string(spec) : json_null());
		}
	}
	set_version(f->node_version, sizeof(f->node_version),
		    json_string_value(json_object_get(json_object_get(doc, "engines"), "node")));
	json_decref(doc);
	return 0;
}

static void go_require(struct disc_facts *f, const char *s, size_t n)
{
	char mod[256], ver[64];
	size_t i = 0, m;
	while (i < n && !isspace((unsigned char)s[i]))
		i++;
	copy_str(mod, sizeof(mod), s, i);
	while (i < n && isspace((unsigned char)s[i]))
		i++;
	m = i;
	while (i < n && !isspace((unsigned char)s[i]))
		i++;
	copy_str(ver, sizeof(ver), s + m, i - m);
	if (*mod && strcmp(mod, "(") != 0) {
		json_t *old = json_object_get(f->deps, mod);
		if (!old || json_is_null(old))
			json_object_set_new(f->deps, mod, *ver ? json_string(ver) : json_null());
	}
}

static int scan_go_mod(struct disc_facts *f, const char *text, size_t len)
{
	size_t pos = 0, b, e;
	int in_block = 0;
	while (next_line(text, len, &pos, &b, &e)) {
		size_t k;
		for (k = b; k + 1 < e; k++)
			if (text[k] == '/' && text[k + 1] == '/')
				break;
		if (k + 1 < e)
			e = k;
		trim(text, &b, &e);
		if (b == e)
			continue;
		if (in_block) {
			if (text[b] == ')')
				in_block = 0;
			else
				go_require(f, text + b, e - b);
		} else if (e - b > 3 && strncmp(text + b, "go ", 3) == 0) {
			char v[32];
			copy_str(v, sizeof(v), text + b + 3, e - b - 3);
			set_version(f->go_version, sizeof(f->go_version), v);
		} else if (e - b > 8 && strncmp(text + b, "require", 7) == 0 && isspace((unsigned char)text[b + 7])) {
			size_t r = b + 7;
			while (r < e && isspace((unsigned char)text[r]))
				r++;
			if (r < e && text[r] == '(')
				in_block = 1;
			else
				go_require(f, text + r, e - r);
		}
	}
	return 0;
}

static int scan_compose(struct disc_facts *f, const char *text, size_t len)
{
	size_t pos = 0, b, e;
	while (!*f->compose_db && next_line(text, len, &pos, &b, &e)) {
		char img[256];
		size_t k;
		trim(text, &b, &e);
		if (e - b < 6 || strncmp(text + b, "image:", 6) != 0)
			continue;
		b += 6;
		for (k = b; k < e; k++)
			if (text[k] == '#' && isspace((unsigned char)text[k - 1]))
				break;
		e = k;
		trim(text, &b, &e);
		if (e > b + 1 && (text[b] == '"' || text[b] == '\'') && text[e - 1] == text[b]) {
			b++;
			e--;
		}
		copy_str(img, sizeof(img), text + b, e - b);
		if (img[0] == '$' && strstr(img, ":-")) { /* ${VAR:-postgres:16} */
			char *d = strstr(img, ":-") + 2, *c = strchr(d, '}');
			if (c)
				*c = '\0';
			memmove(img, d, strlen(d) + 1);
		}
		compose_image_db(img, f->compose_db, sizeof(f->compose_db), f->compose_db_version,
				 sizeof(f->compose_db_version));
	}
	return 0;
}

static int scan_prisma(struct disc_facts *f, const char *text, size_t len)
{
	size_t pos = 0, b, e;
	int in_ds = 0;
	while (next_line(text, len, &pos, &b, &e)) {
		trim(text, &b, &e);
		if (e - b > 10 && strncmp(text + b, "datasource", 10) == 0)
			in_ds = 1;
		else if (in_ds && b < e && text[b] == '}')
			in_ds = 0;
		else if (in_ds && e - b > 8 && strncmp(text + b, "provider", 8) == 0) {
			const char *q = memchr(text + b, '"', e - b);
			if (!q)
				continue;
			q++;
			if (strncmp(q, "postgres", 8) == 0 || strncmp(q, "cockroachdb", 11) == 0)
				copy_str(f->prisma_db, sizeof(f->prisma_db), "postgresql", 10);
			else if (strncmp(q, "mysql", 5) == 0)
				copy_str(f->prisma_db, sizeof(f->prisma_db), "mysql", 5);
			else if (strncmp(q, "sqlite", 6) == 0)
				copy_str(f->prisma_db, sizeof(f->prisma_db), "sqlite", 6);
		}
	}
	return 0;
}

int manifest_scan(struct disc_facts *f, const char *path, const char *text, size_t len,
		  const char **msg)
{
	const char *b = base_name(path);
	*msg = NULL;
	if (strcmp(b, "pyproject.toml") == 0 || strcmp(b, "Pipfile") == 0) {
		if (toml_walk(text, len, pyproject_cb, f) < 0) {
			*msg = "malformed TOML, partly read";
			return -1;
		}
		return 0;
	}
	if (strcmp(b, "setup.cfg") == 0)
		return scan_setup_cfg(f, text, len);
	if (strcmp(b, "setup.py") == 0)
		return setup_py_scan(f, text, len);
	if (strcmp(b, "package.json") == 0)
		return scan_package_json(f, text, len, msg);
	if (strcmp(b, "go.mod") == 0)
		return scan_go_mod(f, text, len);
	if (strcmp(b, "schema.prisma") == 0)
		return scan_prisma(f, text, len);
	if (strncmp(b, "docker-compose", 14) == 0 || strncmp(b, "compose.", 8) == 0)
		return scan_compose(f, text, len);
	if (strlen(b) > 4 && strcmp(b + strlen(b) - 4, ".txt") == 0)
		return scan_requirements(f, path, text, len);
	return 0;
}
