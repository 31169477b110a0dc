/*
 * difflines: see difflines.h.  One pass over the diff; the ranges of
 * consecutive '+' lines are collected, then sorted and merged so a lookup
 * is a binary search.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difflines.h"
#include "pathenc.h"

void difflines_init(struct difflines *d)
{
	memset(d, 0, sizeof *d);
}

void difflines_free(struct difflines *d)
{
	size_t i;

	for (i = 0; i < d->npaths; i++)
		free(d->paths[i]);
	free(d->paths);
	free(d->v);
	difflines_init(d);
}

/* Parser state of difflines_read. */
struct dlp {
	struct difflines *d;
	const char *path;          /* new side of the current file; NULL: deleted or none yet */
	int seen_file;             /* a "+++ " line was read */
	unsigned long old_left, new_left, next; /* the hunk being read */
	unsigned long lineno;
	char *msg;
	size_t msglen;
};

static int bad(struct dlp *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct dlp *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->msg, p->msglen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Marks line of the current file as changed. 0 or -2. */
static int add_line(struct dlp *p, unsigned long line)
{
	struct difflines *d = p->d;
	struct dl_range *last = d->n ? &d->v[d->n - 1] : NULL;

	if (last && last->path == p->path && last->last + 1 == line) {
		last->last = line;
		return 0;
	}
	if (d->n == d->cap) {
		size_t ncap = d->cap ? 2 * d->cap : 64;
		struct dl_range *nv = realloc(d->v, ncap * sizeof *nv);

		if (!nv)
			return -2;
		d->v = nv;
		d->cap = ncap;
	}
	d->v[d->n].path = p->path;
	d->v[d->n].first = d->v[d->n].last = line;
	d->n++;
	return 0;
}

/* Decodes git's C-style quoting of s (after the opening quote) into out;
 * returns the end of the quoted name, or NULL when it is not closed. */
static const char *unquote(const char *s, char *out)
{
	static const char esc[] = "a\ab\bt\tn\nv\vf\fr\r\"\"\\\\";
	const char *e;
	int k;

	for (; *s && *s != '"'; s++) {
		if (*s != '\\') {
			*out++ = *s;
			continue;
		}
		s++;
		if (*s >= '0' && *s <= '3' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7') {
			*out++ = (char)((*s - '0') * 64 + (s[1] - '0') * 8 + (s[2] - '0'));
			s += 2;
			continue;
		}
		for (e = esc; *e && *e != *s; e += 2)
			;
		if (!*e || !*s)
			return NULL;
		*out++ = e[1];
	}
	*out = '\0';
	if (*s != '"')
		return NULL;
	for (k = 1; s[k] == ' ' || s[k] == '\t'; k++)
		;
	return s + k;
}

/* "+++ NAME": sets the current file. 0, -1 (malformed) or -2. */
static int file_header(struct dlp *p, const char *name)
{
	struct difflines *d = p->d;
	char *buf = malloc(strlen(name) + 1), *slash;

	if (!buf)
		return -2;
	if (*name == '"') {
		const char *end = unquote(name + 1, buf);

		if (!end || *end) {
			free(buf);
			return bad(p, "malformed quoted file name");
		}
	} else {
		/* git ends a name that has a blank with a TAB; GNU diff puts a date after
		 * one; a CR is a diff saved with CRLF line ends (git quotes a real one) */
		size_t n = strcspn(name, "\t\r");

		memcpy(buf, name, n);
		buf[n] = '\0';
	}
	p->seen_file = 1;
	if (strcmp(buf, "/dev/null") == 0) {
		free(buf);
		p->path = NULL;
		return 0;
	}
	slash = strchr(buf, '/');
	if (slash) /* git's b/ prefix */
		memmove(buf, slash + 1, strlen(slash + 1) + 1);
	if (!*buf) {
		free(buf);
		return bad(p, "empty file name after '+++'");
	}
	if (!pathenc_is_utf8(buf, strlen(buf))) { /* findings name such files in the \xNN form */
		char *disp = pathenc_display(buf);

		free(buf);
		if (!(buf = disp))
			return -2;
	}
	if (d->npaths == d->cappaths) {
		size_t ncap = d->cappaths ? 2 * d->cappaths : 16;
		char **nv = realloc(d->paths, ncap * sizeof *nv);

		if (!nv) {
			free(buf);
			return -2;
		}
		d->paths = nv;
		d->cappaths = ncap;
	}
	d->paths[d->npaths++] = buf;
	p->path = buf;
	return 0;
}

/* Reads a decimal number at *s; 0 or -1. */
static int number(const char **s, unsigned long *v)
{
	char *end;

	if (**s < '0' || **s > '9')
		return -1;
	errno = 0;
	*v = strtoul(*s, &end, 10);
	if (errno)
		return -1;
	*s = end;
	return 0;
}

/* "@@ -a[,b] +c[,d] @@": starts a hunk. 0 or -1. */
static int hunk_header(struct dlp *p, const char *s)
{
	unsigned long a, b = 1, c, dd = 1;

	if (!p->seen_file)
		return bad(p, "hunk before any '+++' file line");
	s += 3;
	if (*s++ != '-' || number(&s, &a) < 0 || (*s == ',' && (s++, number(&s, &b) < 0)) ||
	    *s++ != ' ' || *s++ != '+' || number(&s, &c) < 0 ||
	    (*s == ',' && (s++, number(&s, &dd) < 0)) || strncmp(s, " @@", 3) != 0)
		return bad(p, "malformed hunk header");
	(void)a;
	if (dd && c == 0)
		return bad(p, "malformed hunk header: new lines start at line 0");
	/* findings' lines are unsigned ints; nothing real comes near */
	if (c > 4294967295UL || dd > 4294967295UL - c)
		return bad(p, "malformed hunk header: line numbers out of range");
	p->old_left = b;
	p->new_left = dd;
	p->next = c;
	return 0;
}

/* One line of a hunk body. 0, -1 or -2. */
static int body_line(struct dlp *p, const char *s)
{
	switch (*s) {
	case '\0': /* a context line whose blank was stripped by a mail or editor */
	case ' ':
		if (!p->old_left || !p->new_left)
			return bad(p, "context line beyond the hunk's counts");
		p->old_left--;
		p->new_left--;
		p->next++;
		return 0;
	case '-':
		if (!p->old_left)
			return bad(p, "removed line beyond the hunk's counts");
		p->old_left--;
		return 0;
	case '+':
		if (!p->new_left)
			return bad(p, "added line beyond the hunk's counts");
		p->new_left--;
		if (p->path && add_line(p, p->next) < 0)
			return -2;
		p->next++;
		return 0;
	case '\\': /* "\ No newline at end of file" */
		return 0;
	default:
		return bad(p, "hunk ends before its header's line counts");
	}
}

static int range_cmp(const void *x, const void *y)
{
	const struct dl_range *a = x, *b = y;
	int c = strcmp(a->path, b->path);

	if (c)
		return c;
	return a->first < b->first ? -1 : a->first > b->first;
}

/* Sorts the ranges and merges those that overlap or touch. */
static void finish(struct difflines *d)
{
	size_t i, k = 0;

	if (!d->n)
		return;
	qsort(d->v, d->n, sizeof *d->v, range_cmp);
	for (i = 1; i < d->n; i++) {
		struct dl_range *last = &d->v[k];

		if (strcmp(last->path, d->v[i].path) == 0 && d->v[i].first <= last->last + 1) {
			if (d->v[i].last > last->last)
				last->last = d->v[i].last;
		} else {
			d->v[++k] = d->v[i];
		}
	}
	d->n = k + 1;
}

int difflines_read(struct difflines *d, FILE *fp, unsigned long *errline, char *msg, size_t msglen)
{
	struct dlp p;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;

	memset(&p, 0, sizeof p);
	p.d = d;
	p.msg = msg;
	p.msglen = msglen;
	*errline = 0;
	while (rc == 0 && (len = getline(&line, &cap, fp)) >= 0) {
		p.lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if ((size_t)len != strlen(line))
			rc = bad(&p, "NUL byte in the diff");
		else if (p.old_left || p.new_left)
			rc = body_line(&p, line);
		else if (strncmp(line, "+++ ", 4) == 0)
			rc = file_header(&p, line + 4);
		else if (strncmp(line, "@@@", 3) == 0)
			rc = bad(&p, "combined diffs (merge commits) are not supported");
		else if (strncmp(line, "@@ ", 3) == 0)
			rc = hunk_header(&p, line);
		/* anything else is between files or hunks: skipped */
	}
	if (rc == 0 && ferror(fp))
		rc = -2;
	else if (rc == 0 && (p.old_left || p.new_left)) {
		p.lineno++;
		rc = bad(&p, "the diff ends inside a hunk");
	}
	free(line);
	if (rc == -1)
		*errline = p.lineno;
	if (rc == 0)
		finish(d);
	return rc;
}

int difflines_has(const struct difflines *d, const char *path, unsigned long line)
{
	size_t lo = 0, hi = d->n;

	/* the last range whose (path, first) is <= (path, line) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(d->v[mid].path, path);

		if (c < 0 || (c == 0 && d->v[mid].first <= line))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && strcmp(d->v[lo - 1].path, path) == 0 && d->v[lo - 1].last >= line;
}
