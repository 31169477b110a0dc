/*
 * walk: listing a project's files (git-aware), with their head read once.
 *
 * Two listers feed one filter: `git ls-files -co --exclude-standard -z`
 * run with fork/execvp (no shell), or a recursive directory walk that
 * honours the root's .gitignore and remembers the (device, inode) of each
 * directory it entered so that symlinks can never loop.  Every candidate
 * then goes through add_file(): type check (FIFOs and devices are never
 * opened), size limit, head read, binary check, shebang, language and
 * role.  Symlinks are followed only to targets inside the root.  Classification lives in walk_class.c,
 * .gitignore matching in walk_ignore.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "walk.h"
#include "banned.h"

#define MAX_DEPTH 256

struct devino {
	dev_t dev;
	ino_t ino;
};

struct walker {
	const char *root;
	char *real_root;          /* realpath of root: symlinks are followed only inside it */
	const struct walk_opts *o;
	struct walk_list *out;
	struct walk_ignore ig;
	struct devino *seen;      /* open-addressing set of entered directories */
	size_t seen_n, seen_cap;
	int oom;
};

static void warn(struct walker *w, const char *path, unsigned line, const char *msg)
{
	if (w->o->warn)
		w->o->warn(w->o->warn_arg, path, line, msg);
}

/* Warns "<strerror(e)>, skipped" (or "<what>: <strerror>, skipped"). */
static void warn_errno(struct walker *w, const char *path, const char *what, int e)
{
	char msg[300];
	if (what)
		snprintf(msg, sizeof(msg), "%s: %s, skipped", what, strerror(e));
	else
		snprintf(msg, sizeof(msg), "%s, skipped", strerror(e));
	warn(w, path, 0, msg);
}

/* ---- the set of directories entered */

static size_t devino_hash(dev_t d, ino_t i)
{
	unsigned long long h = (unsigned long long)i * 0x9E3779B97F4A7C15ull;
	h ^= (unsigned long long)d + (h >> 29);
	return (size_t)h;
}

/* 1 when newly added, 0 when already present, -1 on allocation failure. */
static int seen_add(struct walker *w, dev_t d, ino_t i)
{
	size_t k, mask;
	if ((w->seen_n + 1) * 2 > w->seen_cap) {
		size_t nc = w->seen_cap ? w->seen_cap * 2 : 64, j;
		struct devino *nv = calloc(nc, sizeof(*nv));
		if (!nv)
			return -1;
		for (j = 0; j < w->seen_cap; j++) {
			struct devino e = w->seen[j];
			if (e.ino == 0)
				continue;
			for (k = devino_hash(e.dev, e.ino) & (nc - 1); nv[k].ino; k = (k + 1) & (nc - 1))
				;
			nv[k] = e;
		}
		free(w->seen);
		w->seen = nv;
		w->seen_cap = nc;
	}
	mask = w->seen_cap - 1;
	if (i == 0)
		i = (ino_t)-1; /* 0 marks a free slot */
	for (k = devino_hash(d, i) & mask; w->seen[k].ino; k = (k + 1) & mask)
		if (w->seen[k].ino == i && w->seen[k].dev == d)
			return 0;
	w->seen[k].dev = d;
	w->seen[k].ino = i;
	w->seen_n++;
	return 1;
}

/* ---- the result list */

static int list_push(struct walk_list *l, struct walk_file *f)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 128;
		struct walk_file *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = *f;
	return 0;
}

void walk_list_free(struct walk_list *list)
{
	size_t i;
	for (i = 0; i < list->n; i++) {
		free(list->v[i].path);
		free(list->v[i].shebang);
	}
	free(list->v);
	memset(list, 0, sizeof(*list));
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

/* Trimmed first line after "#!" of head, malloc'd, or NULL. */
static char *shebang_of(const char *head, size_t n)
{
	size_t e = 2, b = 2;
	char *s;
	if (n < 2 || head[0] != '#' || head[1] != '!')
		return NULL;
	while (e < n && head[e] != '\n' && head[e] != '\r')
		e++;
	while (b < e && (head[b] == ' ' || head[b] == '\t'))
		b++;
	while (e > b && (head[e - 1] == ' ' || head[e - 1] == '\t'))
		e--;
	if (e == b || e - b > 200)
		return NULL;
	s = malloc(e - b + 1);
	if (!s)
		return NULL;
	memcpy(s, head + b, e - b);
	s[e - b] = '\0';
	return s;
}

/*
 * Checks UTF-8 in head[0..n).  A sequence cut by the end of the head is
 * accepted when the file goes on (truncated = 1).  Returns 0 when valid,
 * else the 1-based line of the first bad byte.
 */
static unsigned utf8_bad_line(const unsigned char *s, size_t n, int truncated)
{
	size_t i = 0;
	unsigned line = 1;
	while (i < n) {
		unsigned c = s[i], need, k;
		if (c < 0x80) {
			line += c == '\n';
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			need = 1;
		else if (c >= 0xE0 && c <= 0xEF)
			need = 2;
		else if (c >= 0xF0 && c <= 0xF4)
			need = 3;
		else
			return line;
		for (k = 1; k <= need; k++) {
			if (i + k >= n)
				return truncated ? 0 : line;
			if ((s[i + k] & 0xC0) != 0x80)
				return line;
		}
		if ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] > 0x9F) ||
		    (c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] > 0x8F))
			return line;
		i += need + 1;
	}
	return 0;
}

/* Reads up to cap bytes from fd. Returns count or -1. */
static ssize_t read_head(int fd, char *buf, size_t cap)
{
	size_t got = 0;
	while (got < cap) {
		ssize_t r = read(fd, buf + got, cap - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* What a file that is neither regular nor a directory is, for its warning. */
static const char *odd_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO, skipped";
	if (S_ISCHR(m))
		return "a character device, skipped";
	if (S_ISBLK(m))
		return "a block device, skipped";
	if (S_ISSOCK(m))
		return "a socket, skipped";
	return "not a regular file, skipped";
}

/*
 * A symlink (full, rel) is followed only when its target lies inside the
 * root: a link to /etc or to / would otherwise list (or walk) files that
 * are not the project's.  Returns 1 with *st the target's stat, or 0 after
 * a warning (loop, broken, outside the root).  quiet_missing: a broken
 * link is left out silently (git lists deleted files until they are staged).
 */
static int follow_link(struct walker *w, const char *rel, const char *full, int quiet_missing,
		       struct stat *st)
{
	char *rp = realpath(full, NULL);
	size_t rl = strlen(w->real_root);
	int inside;

	if (!rp) {
		int e = errno;
		if (e == ELOOP)
			warn(w, rel, 0, "symlink loop, skipped");
		else if (e == ENOENT && !quiet_missing)
			warn(w, rel, 0, "broken symlink, skipped");
		else if (e != ENOENT)
			warn_errno(w, rel, NULL, e);
		return 0;
	}
	inside = strncmp(rp, w->real_root, rl) == 0 &&
		 (rp[rl] == '/' || rp[rl] == '\0' || (rl == 1 && w->real_root[0] == '/'));
	free(rp);
	if (!inside) {
		warn(w, rel, 0, "symlink to outside the root, not followed");
		return 0;
	}
	if (stat(full, st) < 0) {
		warn_errno(w, rel, NULL, errno);
		return 0;
	}
	return 1;
}

/*
 * Looks at one candidate (rel path).  known_reg: readdir said it is a
 * regular file (no symlink), so it needs no stat before its open.  Anything
 * else is lstat'ed first: FIFOs and device nodes are never opened (an open
 * FIFO blocks, opening some devices acts on them).  The open is
 * non-blocking and its fstat checks the type again, in case the file was
 * replaced in between.  Returns -1 only on allocation failure.
 */
static int add_file(struct walker *w, const char *rel, int quiet_missing, int known_reg)
{
	char head[WALK_HEAD_BYTES], *full;
	struct stat st;
	struct walk_file f;
	ssize_t n;
	unsigned bad;
	int fd;

	if (walk_binary_extension(rel))
		return 0;
	full = join(w->root, rel);
	if (!full)
		return -1;
	if (!known_reg) {
		if (lstat(full, &st) < 0) {
			int e = errno;
			if (e != ENOENT)
				warn_errno(w, rel, NULL, e);
			free(full);
			return 0;
		}
		if (S_ISLNK(st.st_mode) && !follow_link(w, rel, full, quiet_missing, &st)) {
			free(full);
			return 0;
		}
		if (!S_ISREG(st.st_mode)) {
			if (!S_ISDIR(st.st_mode)) /* git lists a submodule as a directory */
				warn(w, rel, 0, odd_kind(st.st_mode));
			free(full);
			return 0;
		}
	}
	fd = open(full, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	free(full);
	if (fd < 0) {
		warn_errno(w, rel, NULL, errno);
		return 0;
	}
	if (fstat(fd, &st) < 0) {
		warn_errno(w, rel, NULL, errno);
		close(fd);
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		warn(w, rel, 0, odd_kind(st.st_mode));
		close(fd);
		return 0;
	}
	if (w->o->max_file_size && (uint64_t)st.st_size > w->o->max_file_size) {
		char msg[128];
		snprintf(msg, sizeof(msg), "file too large (%llu bytes, limit %llu), skipped",
			 (unsigned long long)st.st_size, (unsigned long long)w->o->max_file_size);
		warn(w, rel, 0, msg);
		close(fd);
		return 0;
	}
	n = read_head(fd, head, sizeof(head));
	if (n < 0) {
		warn_errno(w, rel, NULL, errno);
		close(fd);
		return 0;
	}
	close(fd);
	if (memchr(head, '\0', (size_t)n)) {
		warn(w, rel, 0, "binary file, skipped");
		return 0;
	}
	bad = utf8_bad_line((const unsigned char *)head, (size_t)n, (uint64_t)n < (uint64_t)st.st_size);
	if (bad)
		warn(w, rel, bad, "invalid UTF-8");
	memset(&f, 0, sizeof(f));
	f.path = strdup(rel);
	f.shebang = shebang_of(head, (size_t)n);
	if (!f.path) {
		free(f.shebang);
		return -1;
	}
	f.bytes = (uint64_t)st.st_size;
	f.language = walk_language(rel, f.shebang);
	f.role = walk_role(rel, head, (size_t)n);
	if (list_push(w->out, &f) < 0) {
		free(f.path);
		free(f.shebang);
		return -1;
	}
	return 0;
}

/* ---- git lister */

/* Runs git ls-files in root; fills *buf (malloc'd, NUL-separated). 0 or -1. */
static int git_ls_files(const char *root, char **buf, size_t *len)
{
	int pfd[2], status;
	pid_t pid;
	size_t cap = 65536, n = 0;
	char *b;

	if (pipe(pfd) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		char *argv[] = { "git", "-C", (char *)root, "ls-files", "-co",
				 "--exclude-standard", "-z", NULL };
		int dn = open("/dev/null", O_RDWR);
		if (dn >= 0) {
			dup2(dn, STDIN_FILENO);
			dup2(dn, STDERR_FILENO);
		}
		dup2(pfd[1], STDOUT_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		unsetenv("GIT_DIR");
		unsetenv("GIT_WORK_TREE");
		unsetenv("GIT_INDEX_FILE");
		execvp("git", argv);
		_exit(127);
	}
	close(pfd[1]);
	b = malloc(cap);
	for (;;) {
		ssize_t r;
		if (b && n == cap) {
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				b = NULL;
			} else {
				b = nb;
				cap *= 2;
			}
		}
		if (!b) { /* drain so the child can finish */
			char sink[4096];
			r = read(pfd[0], sink, sizeof(sink));
		} else {
			r = read(pfd[0], b + n, cap - n);
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (b)
			n += (size_t)r;
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!b || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(b);
		return -1;
	}
	*buf = b;
	*len = n;
	return 0;
}

/* 1 when some directory component of rel is never entered. */
static int path_in_skipped_dir(const char *rel)
{
	char comp[256];
	const char *p = rel, *slash;
	while ((slash = strchr(p, '/')) != NULL) {
		size_t l = (size_t)(slash - p);
		if (l < sizeof(comp)) {
			memcpy(comp, p, l);
			comp[l] = '\0';
			if (walk_skip_dirname(comp))
				return 1;
		}
		p = slash + 1;
	}
	return 0;
}

/* Collects the directories holding a pyvenv.cfg (virtualenvs) as prefixes "dir/". */
static int under_venv(const char *rel, char **venvs, size_t nvenv)
{
	size_t i;
	for (i = 0; i < nvenv; i++)
		if (strncmp(rel, venvs[i], strlen(venvs[i])) == 0)
			return 1;
	return 0;
}

static int list_from_git(struct walker *w, const char *buf, size_t len)
{
	const char *p, *end = buf + len;
	char **venvs = NULL;
	size_t nvenv = 0, cap = 0, i;
	int rc = 0;

	for (p = buf; p < end; p += strlen(p) + 1) {
		size_t l = strlen(p);
		if (l >= 10 && strcmp(p + l - 10, "pyvenv.cfg") == 0 && (l == 10 || p[l - 11] == '/')) {
			char *v;
			if (nvenv == cap) {
				char **nv = realloc(venvs, (cap ? cap * 2 : 8) * sizeof(*nv));
				if (!nv) {
					rc = -1;
					break;
				}
				venvs = nv;
				cap = cap ? cap * 2 : 8;
			}
			v = strndup(p, l - 10);
			if (!v) {
				rc = -1;
				break;
			}
			venvs[nvenv++] = v;
		}
	}
	for (p = buf; rc == 0 && p < end; p += strlen(p) + 1) {
		if (!*p || path_in_skipped_dir(p) || under_venv(p, venvs, nvenv))
			continue;
		if (add_file(w, p, 1, 0) < 0)
			rc = -1;
	}
	for (i = 0; i < nvenv; i++)
		free(venvs[i]);
	free(venvs);
	return rc;
}

/* ---- directory lister */

static int has_pyvenv_cfg(const char *dir)
{
	char *p = join(dir, "pyvenv.cfg");
	int r;
	if (!p)
		return 0;
	r = access(p, F_OK) == 0;
	free(p);
	return r;
}

/* The directories being walked, innermost first. */
struct chain {
	dev_t dev;
	ino_t ino;
	const struct chain *up;
};

static int in_chain(const struct chain *c, const struct stat *st)
{
	for (; c; c = c->up)
		if (c->dev == st->st_dev && c->ino == st->st_ino)
			return 1;
	return 0;
}

/*
 * Walks rel ("" for the root), whose (dev, ino) heads up.  Returns -1 on
 * allocation failure, -2 when the root cannot be opened (errno set).
 */
static int walk_dir(struct walker *w, const char *rel, const struct chain *up, int depth)
{
	char *full = *rel ? join(w->root, rel) : strdup(w->root);
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (!full)
		return -1;
	d = opendir(full);
	if (!d) {
		int e = errno;
		if (*rel)
			warn_errno(w, rel, "cannot open directory", e);
		free(full);
		errno = e;
		return *rel ? 0 : -2;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		const char *nm = de->d_name;
		char *crel, *cfull;
		struct stat st;
		if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0 || strcmp(nm, ".git") == 0)
			continue; /* .git may also be a file (worktrees, submodules) */
		crel = *rel ? join(rel, nm) : strdup(nm);
		cfull = join(full, nm);
		if (!crel || !cfull) {
			free(crel);
			free(cfull);
			rc = -1;
			break;
		}
		/* readdir's d_type spares regular files a stat: add_file's fstat suffices */
		if (de->d_type == DT_REG) {
			if (!walk_ignore_match(&w->ig, crel, 0))
				rc = add_file(w, crel, 0, 1);
		} else if (lstat(cfull, &st) < 0) {
			if (errno != ENOENT)
				warn_errno(w, crel, NULL, errno);
		} else if (S_ISLNK(st.st_mode) && (walk_ignore_match(&w->ig, crel, 0) ||
						   walk_ignore_match(&w->ig, crel, 1) ||
						   !follow_link(w, crel, cfull, 0, &st))) {
			/* ignored, or skipped with a warning */
		} else if (S_ISDIR(st.st_mode)) {
			int fresh;
			if (walk_skip_dirname(nm) || walk_ignore_match(&w->ig, crel, 1) ||
			    has_pyvenv_cfg(cfull)) {
				/* never entered */
			} else if ((fresh = seen_add(w, st.st_dev, st.st_ino)) < 0) {
				rc = -1;
			} else if (!fresh) {
				warn(w, crel, 0, in_chain(up, &st) ? "symlink loop, skipped"
					   : "directory already listed under another name, skipped");
			} else if (depth >= MAX_DEPTH) {
				warn(w, crel, 0, "directory nesting too deep, skipped");
			} else {
				struct chain c = { st.st_dev, st.st_ino, up };
				rc = walk_dir(w, crel, &c, depth + 1);
			}
		} else if (!walk_ignore_match(&w->ig, crel, 0)) {
			if (S_ISREG(st.st_mode))
				rc = add_file(w, crel, 0, 1);
			else
				warn(w, crel, 0, odd_kind(st.st_mode));
		}
		free(crel);
		free(cfull);
	}
	closedir(d);
	free(full);
	return rc;
}

static int load_gitignore(struct walker *w)
{
	char *p = join(w->root, ".gitignore"), *buf = NULL;
	FILE *fp;
	size_t n = 0, cap = 0;
	int rc = 0;
	if (!p)
		return -1;
	fp = fopen(p, "rb");
	free(p);
	if (!fp)
		return 0;
	for (;;) {
		size_t r;
		if (n == cap) {
			char *nb = realloc(buf, cap ? cap * 2 : 4096);
			if (!nb) {
				rc = -1;
				break;
			}
			buf = nb;
			cap = cap ? cap * 2 : 4096;
		}
		r = fread(buf + n, 1, cap - n, fp);
		n += r;
		if (r == 0 || n > (1u << 20))
			break;
	}
	fclose(fp);
	if (rc == 0)
		rc = walk_ignore_parse(&w->ig, buf ? buf : "", n);
	free(buf);
	return rc;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct walk_file *)a)->path, ((const struct walk_file *)b)->path);
}

/* Sorts and removes duplicate paths. */
static void sort_unique(struct walk_list *l)
{
	size_t i, j = 0;
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_file);
	for (i = 0; i < l->n; i++) {
		if (j && strcmp(l->v[j - 1].path, l->v[i].path) == 0) {
			free(l->v[i].path);
			free(l->v[i].shebang);
			continue;
		}
		l->v[j++] = l->v[i];
	}
	l->n = j;
}

int walk_list(const char *root, const struct walk_opts *opts, struct walk_list *out)
{
	static const struct walk_opts defaults;
	struct walker w;
	struct stat st;
	char *gbuf = NULL;
	size_t glen = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	w.root = root;
	w.o = opts ? opts : &defaults;
	w.out = out;
	if (stat(root, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	w.real_root = realpath(root, NULL);
	if (!w.real_root)
		return -1;
	if (!w.o->no_git && git_ls_files(root, &gbuf, &glen) == 0 && glen > 0) {
		out->from_git = 1;
		rc = list_from_git(&w, gbuf, glen);
		free(gbuf);
	} else {
		free(gbuf);
		rc = load_gitignore(&w);
		if (rc == 0 && seen_add(&w, st.st_dev, st.st_ino) < 0)
			rc = -1;
		if (rc == 0) {
			struct chain top = { st.st_dev, st.st_ino, NULL };
			rc = walk_dir(&w, "", &top, 0);
		}
		walk_ignore_free(&w.ig);
	}
	free(w.seen);
	free(w.real_root);
	if (rc < 0) {
		int e = rc == -2 ? errno : ENOMEM;
		walk_list_free(out);
		errno = e;
		return -1;
	}
	sort_unique(out);
	return 0;
}
