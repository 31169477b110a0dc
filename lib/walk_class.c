/*
 * walk_class: what a path is (language, role, manifest, skipped
 * directory) and the minimal .gitignore matcher.  Pure functions over
 * strings, so the unit tests call them directly.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "walk.h"
#include "banned.h"

struct walk_ignore_pat {
	char *pat;     /* without '!', leading '/' and trailing '/' */
	int negate, dir_only, anchored;
};

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* Extension after the last '.' of the basename ("" when none or a dotfile). */
static const char *ext_of(const char *path)
{
	const char *b = base_of(path), *d = strrchr(b, '.');
	return d && d != b ? d + 1 : "";
}

static int ends_with(const char *s, const char *suf)
{
	size_t ls = strlen(s), lf = strlen(suf);
	return ls >= lf && strcmp(s + ls - lf, suf) == 0;
}

static int starts_with(const char *s, const char *pre)
{
	return strncmp(s, pre, strlen(pre)) == 0;
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/* 1 when a directory component of path (not the basename) is in list. */
static int dir_component_in(const char *path, const char *const *list)
{
	const char *p = path, *slash;
	char comp[256];
	while ((slash = strchr(p, '/')) != NULL) {
		size_t l = (size_t)(slash - p);
		if (l < sizeof(comp)) {
			memcpy(comp, p, l);
			comp[l] = '\0';
			if (in_list(comp, list))
				return 1;
		}
		p = slash + 1;
	}
	return 0;
}

/* 1 when "seq/" occurs in path at its start or right after a '/'. */
static int has_dir_seq(const char *path, const char *seq)
{
	size_t l = strlen(seq);
	const char *p = path;
	for (;;) {
		if (strncmp(p, seq, l) == 0 && p[l] == '/')
			return 1;
		p = strchr(p, '/');
		if (!p)
			return 0;
		p++;
	}
}

const char *walk_role_name(enum walk_role role)
{
	static const char *const names[] = { "source", "test", "migration", "config",
					     "vendor", "generated" };
	return (unsigned)role < sizeof(names) / sizeof(names[0]) ? names[role] : "source";
}

/* ---- language */

struct ext_lang {
	const char *ext, *lang;
};

static const struct ext_lang ext_langs[] = {
	{ "py", "python" }, { "js", "javascript" }, { "mjs", "javascript" },
	{ "cjs", "javascript" }, { "jsx", "javascript" }, { "ts", "typescript" },
	{ "tsx", "typescript" }, { "mts", "typescript" }, { "cts", "typescript" },
	{ "go", "go" }, { "sql", "sql" }, { "toml", "toml" }, { "cfg", "ini" },
	{ "ini", "ini" }, { "txt", "text" }, { "json", "json" }, { "yml", "yaml" },
	{ "yaml", "yaml" }, { "md", "markdown" }, { "rst", "rst" }, { "sh", "shell" },
	{ "bash", "shell" }, { "prisma", "prisma" }, { "html", "html" }, { "htm", "html" },
	{ "css", "css" }, { "rb", "ruby" }, { "java", "java" }, { "kt", "kotlin" },
	{ "rs", "rust" }, { "c", "c" }, { "h", "c" }, { "cc", "cpp" }, { "cpp", "cpp" },
	{ "cxx", "cpp" }, { "hpp", "cpp" }, { "php", "php" }, { "cs", "csharp" },
	{ NULL, NULL }
};

static const char *lang_of_interpreter(const char *shebang)
{
	char word[64];
	const char *p = shebang, *w;
	size_t l;
	/* first word's basename; after "env", the first word not starting with '-' */
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		w = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		l = (size_t)(p - w);
		if (l == 0 || l >= sizeof(word))
			return NULL;
		memcpy(word, w, l);
		word[l] = '\0';
		w = base_of(word);
		if (strcmp(w, "env") == 0 || word[0] == '-' || strchr(w, '=') != NULL)
			continue;
		break;
	}
	if (starts_with(w, "python") || starts_with(w, "pypy"))
		return "python";
	if (strcmp(w, "node") == 0 || strcmp(w, "nodejs") == 0)
		return "javascript";
	if (strcmp(w, "ts-node") == 0 || strcmp(w, "deno") == 0 || strcmp(w, "tsx") == 0)
		return "typescript";
	if (strcmp(w, "sh") == 0 || strcmp(w, "bash") == 0 || strcmp(w, "dash") == 0 ||
	    strcmp(w, "zsh") == 0 || strcmp(w, "ksh") == 0)
		return "shell";
	if (strcmp(w, "ruby") == 0)
		return "ruby";
	return NULL;
}

const char *walk_language(const char *path, const char *shebang)
{
	const char *b = base_of(path), *e = ext_of(path);
	size_t i;
	if (*e) {
		for (i = 0; ext_langs[i].ext; i++)
			if (strcmp(e, ext_langs[i].ext) == 0)
				return ext_langs[i].lang;
	}
	if (strcmp(b, "Pipfile") == 0)
		return "toml";
	if (strcmp(b, "go.mod") == 0)
		return "gomod";
	if (starts_with(b, "Dockerfile"))
		return "dockerfile";
	if (strcmp(b, "Makefile") == 0 || strcmp(b, "GNUmakefile") == 0 || strcmp(e, "mk") == 0)
		return "make";
	if (shebang && !*e)
		return lang_of_interpreter(shebang);
	if (shebang && strcmp(e, "py") != 0) {
		const char *l = lang_of_interpreter(shebang);
		if (l)
			return l;
	}
	return NULL;
}

int walk_language_is_code(const char *language)
{
	static const char *const code[] = { "python", "javascript", "typescript", "go", "ruby",
					    "java", "kotlin", "rust", "c", "cpp", "php", "csharp",
					    NULL };
	return language && in_list(language, code);
}

int walk_binary_extension(const char *path)
{
	static const char *const bin[] = {
		"png", "jpg", "jpeg", "gif", "bmp", "ico", "webp", "tif", "tiff", "psd",
		"woff", "woff2", "ttf", "otf", "eot", "pdf", "zip", "gz", "tgz", "bz2",
		"xz", "zst", "7z", "rar", "jar", "war", "whl", "egg", "pyc", "pyo", "so",
		"o", "a", "dylib", "dll", "exe", "class", "mp3", "mp4", "wav", "ogg",
		"avi", "mov", "webm", "sqlite", "sqlite3", "db", NULL
	};
	const char *e = ext_of(path);
	char low[16];
	size_t i;
	if (!*e || strlen(e) >= sizeof(low))
		return 0;
	for (i = 0; e[i]; i++)
		low[i] = (char)tolower((unsigned char)e[i]);
	low[i] = '\0';
	return in_list(low, bin);
}

int walk_skip_dirname(const char *name)
{
	static const char *const skip[] = { ".git", ".hg", ".svn", "node_modules", ".venv",
					    "venv", "__pycache__", "site-packages", "build",
					    "dist", ".tox", ".nox", ".mypy_cache",
					    ".pytest_cache", ".ruff_cache", NULL };
	return in_list(name, skip);
}

/* ---- manifests and roles */

int walk_is_manifest(const char *path)
{
	static const char *const names[] = { "pyproject.toml", "setup.cfg", "setup.py",
					     "Pipfile", "package.json", "go.mod",
					     "schema.prisma", "compose.yml", "compose.yaml",
					     NULL };
	const char *b = base_of(path), *e = ext_of(path);
	if (in_list(b, names))
		return 1;
	if (starts_with(b, "requirements") && strcmp(e, "txt") == 0)
		return 1;
	if (strcmp(e, "txt") == 0 && has_dir_seq(path, "requirements"))
		return 1;
	if ((starts_with(b, "docker-compose") || starts_with(b, "compose.")) &&
	    (strcmp(e, "yml") == 0 || strcmp(e, "yaml") == 0))
		return 1;
	return 0;
}

static int is_test_name(const char *b)
{
	static const char *const js_ext[] = { ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs",
					      ".mts", ".cts", NULL };
	const char *const *e;
	if (strcmp(b, "conftest.py") == 0 || strcmp(b, "tests.py") == 0)
		return 1;
	if (ends_with(b, ".py") && (starts_with(b, "test_") || ends_with(b, "_test.py")))
		return 1;
	if (ends_with(b, "_test.go"))
		return 1;
	for (e = js_ext; *e; e++) {
		size_t lb = strlen(b), le = strlen(*e);
		if (lb > le + 5 && strcmp(b + lb - le, *e) == 0 &&
		    (strncmp(b + lb - le - 5, ".spec", 5) == 0 ||
		     strncmp(b + lb - le - 5, ".test", 5) == 0))
			return 1;
	}
	return 0;
}

/* 1 when one of the first lines of head carries a "generated" marker. */
static int head_is_generated(const char *head, size_t n)
{
	size_t i = 0;
	unsigned lines = 0;
	if (!head)
		return 0;
	if (n > 2048)
		n = 2048;
	while (i < n && lines < 5) {
		size_t e = i, k;
		while (e < n && head[e] != '\n')
			e++;
		for (k = i; k + 11 <= e; k++) {
			if (strncmp(head + k, "DO NOT EDIT", 11) == 0 ||
			    strncmp(head + k, "@generated", 10) == 0)
				return 1;
		}
		k = i;
		while (k < e && (head[k] == ' ' || head[k] == '\t'))
			k++;
		if (k < e && (head[k] == '#' || head[k] == '/' || head[k] == '*' || head[k] == '-')) {
			while (k < e && strchr("#/*- \t", head[k]))
				k++;
			if (e - k >= 12 && (strncasecmp(head + k, "generated by", 12) == 0 ||
					    strncasecmp(head + k, "code generated", 14) == 0))
				return 1;
		}
		i = e + 1;
		lines++;
	}
	return 0;
}

/* 1 for an Alembic revision kept outside alembic/versions (for example
 * src/app/database/revisions/core/versions/x.py): a .py file in a
 * "versions" folder whose head assigns down_revision. */
static int alembic_revision(const char *path, const char *head, size_t n)
{
	static const char *const versions[] = { "versions", NULL };
	static const char key[] = "down_revision";
	size_t i, k = sizeof(key) - 1;
	if (!head || !ends_with(path, ".py") || !dir_component_in(path, versions))
		return 0;
	for (i = 0; i + k <= n; i++)
		if (head[i] == 'd' && memcmp(head + i, key, k) == 0 && (i == 0 || head[i - 1] == '\n'))
			return 1;
	return 0;
}

enum walk_role walk_role(const char *path, const char *head, size_t headlen)
{
	static const char *const vendor[] = { "vendor", "third_party", "site-packages",
					      "node_modules", "bower_components", NULL };
	static const char *const tests[] = { "tests", "test", "__tests__", "testdata", NULL };
	static const char *const migrations[] = { "migrations", NULL };
	static const char *const config_ext[] = { "toml", "cfg", "ini", "yml", "yaml", "json",
						  "lock", "conf", "env", "prisma", "mk", NULL };
	const char *b = base_of(path), *e = ext_of(path);

	if (dir_component_in(path, vendor))
		return ROLE_VENDOR;
	if (dir_component_in(path, tests) || is_test_name(b))
		return ROLE_TEST;
	if (has_dir_seq(path, "alembic/versions") || dir_component_in(path, migrations) ||
	    strcmp(e, "sql") == 0 || alembic_revision(path, head, headlen))
		return ROLE_MIGRATION;
	if (ends_with(b, "_pb2.py") || ends_with(b, "_pb2_grpc.py") || ends_with(b, ".pb.go") ||
	    ends_with(b, ".min.js") || ends_with(b, ".min.css") || head_is_generated(head, headlen))
		return ROLE_GENERATED;
	if (walk_is_manifest(path) || in_list(e, config_ext) || b[0] == '.' ||
	    starts_with(b, "Dockerfile") || strcmp(b, "Makefile") == 0 ||
	    strcmp(b, "Procfile") == 0 || strcmp(b, "alembic.ini") == 0)
		return ROLE_CONFIG;
	return ROLE_SOURCE;
}

/* ---- .gitignore */

/*
 * Glob match of p against s; '*' and '?' never match '/', "**" matches
 * across.  *budget bounds the backtracking (a hostile pattern such as
 * "*a*a*a*a*b" gives up as "no match" instead of running for hours).
 */
static int glob_r(const char *p, const char *s, long *budget)
{
	if (--*budget < 0)
		return 0;
	for (; *p; p++, s++) {
		if (p[0] == '*' && p[1] == '*' && (p[2] == '/' || p[2] == '\0')) {
			const char *rest = p + 2;
			if (!*rest)
				return 1;
			rest++;
			for (;;) {
				if (glob_r(rest, s, budget))
					return 1;
				s = strchr(s, '/');
				if (!s)
					return 0;
				s++;
			}
		}
		if (*p == '*') {
			for (;; s++) {
				if (glob_r(p + 1, s, budget))
					return 1;
				if (!*s || *s == '/')
					return 0;
			}
		}
		if (!*s)
			return 0;
		if (*p == '?') {
			if (*s == '/')
				return 0;
		} else if (*p == '[') {
			const char *q = p + 1;
			int neg = 0, hit = 0;
			if (*q == '!' || *q == '^') {
				neg = 1;
				q++;
			}
			for (; *q && (*q != ']' || q == p + 1 + neg); q++) {
				if (q[1] == '-' && q[2] && q[2] != ']') {
					hit |= *s >= q[0] && *s <= q[2];
					q += 2;
				} else {
					hit |= *s == *q;
				}
			}
			if (!*q)
				return *s == '[' && glob_r(p + 1, s + 1, budget); /* no ']': literal */
			if (hit == neg || *s == '/')
				return 0;
			p = q;
		} else {
			if (*p == '\\' && p[1])
				p++;
			if (*p != *s)
				return 0;
		}
	}
	return *s == '\0';
}

static int glob(const char *p, const char *s)
{
	long budget = 100000;
	return glob_r(p, s, &budget);
}

int walk_ignore_parse(struct walk_ignore *ig, const char *text, size_t len)
{
	size_t i = 0;
	memset(ig, 0, sizeof(*ig));
	while (i < len) {
		size_t e = i, b = i, l;
		struct walk_ignore_pat pt, *nv;
		while (e < len && text[e] != '\n')
			e++;
		l = e;
		while (l > b && (text[l - 1] == '\r' || text[l - 1] == ' ' || text[l - 1] == '\t'))
			l--;
		i = e + 1;
		if (l == b || text[b] == '#')
			continue;
		memset(&pt, 0, sizeof(pt));
		if (text[b] == '!') {
			pt.negate = 1;
			b++;
		}
		if (l > b && text[l - 1] == '/') {
			pt.dir_only = 1;
			l--;
		}
		if (l > b && text[b] == '/') {
			pt.anchored = 1;
			b++;
		}
		if (l == b)
			continue;
		if (memchr(text + b, '/', l - b))
			pt.anchored = 1;
		pt.pat = strndup(text + b, l - b);
		nv = pt.pat ? realloc(ig->v, (ig->n + 1) * sizeof(*nv)) : NULL;
		if (!nv) {
			free(pt.pat);
			walk_ignore_free(ig);
			return -1;
		}
		ig->v = nv;
		ig->v[ig->n++] = pt;
	}
	return 0;
}

/* Decision of the patterns for exactly this path: 1 ignored, 0 not. */
static int decide(const struct walk_ignore *ig, const char *path, int is_dir)
{
	size_t i;
	int ignored = 0;
	for (i = 0; i < ig->n; i++) {
		const struct walk_ignore_pat *pt = &ig->v[i];
		int hit;
		if (pt->dir_only && !is_dir)
			continue;
		hit = pt->anchored ? glob(pt->pat, path) : glob(pt->pat, base_of(path));
		if (hit)
			ignored = !pt->negate;
	}
	return ignored;
}

int walk_ignore_match(const struct walk_ignore *ig, const char *path, int is_dir)
{
	char buf[4096];
	const char *slash;
	size_t l = strlen(path);
	if (!ig->n || l >= sizeof(buf))
		return 0;
	memcpy(buf, path, l + 1);
	for (slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		buf[slash - path] = '\0';
		if (decide(ig, buf, 1))
			return 1;
		buf[slash - path] = '/';
	}
	return decide(ig, path, is_dir);
}

void walk_ignore_free(struct walk_ignore *ig)
{
	size_t i;
	for (i = 0; i < ig->n; i++)
		free(ig->v[i].pat);
	free(ig->v);
	memset(ig, 0, sizeof(*ig));
}
