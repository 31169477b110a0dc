/*
 * walk: the files of a project, with their language and role.
 *
 * Lists regular files under a root, relative to it and sorted bytewise.
 * Inside a git work tree it asks `git ls-files -co --exclude-standard -z`
 * (tracked and untracked, ignored ones left out); elsewhere it walks the
 * directory itself, honouring the root's .gitignore, never entering a
 * directory twice (symlink loops), never following a symlink whose target
 * is outside the root, never opening FIFOs or device nodes, and skipping .git, node_modules,
 * virtualenvs, __pycache__, site-packages, build, dist and tool caches in
 * both modes.  Each file's head (first WALK_HEAD_BYTES) is read once to
 * spot binary files, shebangs and "generated" markers.
 */
#ifndef PPERF_WALK_H
#define PPERF_WALK_H

#include <stddef.h>
#include <stdint.h>

#define WALK_HEAD_BYTES 8192u

enum walk_role {
	ROLE_SOURCE, ROLE_TEST, ROLE_MIGRATION, ROLE_CONFIG, ROLE_VENDOR, ROLE_GENERATED
};

struct walk_file {
	char *path;           /* relative to root, '/'-separated (owned) */
	const char *language; /* static name ("python", ...) or NULL when unknown */
	enum walk_role role;
	uint64_t bytes;
	char *shebang;        /* first line after "#!", trimmed, or NULL (owned) */
};

struct walk_list {
	struct walk_file *v;
	size_t n, cap;
	int from_git;         /* 1 when git listed the files */
};

/* Called for a file or directory left out or suspicious (path relative,
 * line 0 when not at a line, msg borrowed). */
typedef void (*walk_warn_fn)(void *arg, const char *path, unsigned line, const char *msg);

struct walk_opts {
	uint64_t max_file_size; /* larger files are left out with a warning; 0 = no limit */
	int no_git;             /* 1: never run git */
	walk_warn_fn warn;      /* may be NULL */
	void *warn_arg;
};

/*
 * Fills *out (initialised by this call) with the files under root.  Files
 * that cannot be read, are binary (a NUL byte in the head) or are larger
 * than max_file_size are left out after a warning; so are symlink loops.
 * Files with a well-known binary extension (images, fonts, archives,
 * compiled objects) are left out silently, without being opened.  A head
 * that is not valid UTF-8 gives a warning but the file stays listed.
 * Returns 0, or -1 with errno set when root itself cannot be listed
 * (then *out is empty).  Caller calls walk_list_free.
 */
int walk_list(const char *root, const struct walk_opts *opts, struct walk_list *out);
void walk_list_free(struct walk_list *list);

/* "source", "test", ... (static). */
const char *walk_role_name(enum walk_role role);

/*
 * Language of a path from its extension, else from the shebang (may be
 * NULL): "python", "javascript", "typescript", "go", "sql", ... Static
 * string, or NULL when unknown.
 */
const char *walk_language(const char *path, const char *shebang);

/* 1 when the language is a programming language counted in tech_stack.languages. */
int walk_language_is_code(const char *language);

/*
 * Role of a path; head/headlen is the start of the file (for "generated"
 * markers), may be NULL.  Precedence: vendor, test, migration, generated,
 * config, source.
 */
enum walk_role walk_role(const char *path, const char *head, size_t headlen);

/* 1 when path names a manifest (pyproject.toml, requirements*.txt, ...). */
int walk_is_manifest(const char *path);

/* 1 when the extension names a binary format (png, zip, pyc, ...). */
int walk_binary_extension(const char *path);

/* 1 when a directory with this name is never entered. */
int walk_skip_dirname(const char *name);

/*
 * Minimal .gitignore: patterns loaded from text, matched against relative
 * paths.  Supports comments, blank lines, '!' negation, trailing '/'
 * (directories only), leading or inner '/' (anchored to the root), and
 * fnmatch globs with "**" treated as any number of directories.
 */
struct walk_ignore {
	struct walk_ignore_pat *v;
	size_t n;
};
/* Parses text (not NUL-terminated: len).  0 or -1 on allocation failure. */
int walk_ignore_parse(struct walk_ignore *ig, const char *text, size_t len);
/* 1 when the path (is_dir: a directory) is ignored, else 0. */
int walk_ignore_match(const struct walk_ignore *ig, const char *path, int is_dir);
void walk_ignore_free(struct walk_ignore *ig);

#endif
