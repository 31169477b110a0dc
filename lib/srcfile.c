/*
 * srcfile: a source file read once into memory (after fstat, in one read
 * loop), checked (size, binary, strict UTF-8), with a line index and
 * snippet extraction.  Lines end at \n, \r\n or a lone \r.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "srcfile.h"
#include "banned.h"

#define BINARY_PROBE 8192

/*
 * Offset of the first byte of the first invalid UTF-8 sequence in s[0..n)
 * (overlongs, surrogates and code points above U+10FFFF are invalid), or n.
 */
static size_t utf8_first_bad(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		unsigned char lo = 0x80, hi = 0xBF;
		size_t k, need;

		if (c < 0x80) {
			uint64_t w;

			i++;
			/* ASCII runs eight bytes at a time (most source files are ASCII) */
			while (n - i >= 8 && (memcpy(&w, s + i, 8), (w & 0x8080808080808080ull) == 0))
				i += 8;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			need = 1;
		else if (c >= 0xE0 && c <= 0xEF)
			need = 2;
		else if (c >= 0xF0 && c <= 0xF4)
			need = 3;
		else
			return i;
		if (c == 0xE0)
			lo = 0xA0;       /* overlong */
		else if (c == 0xED)
			hi = 0x9F;       /* surrogates */
		else if (c == 0xF0)
			lo = 0x90;       /* overlong */
		else if (c == 0xF4)
			hi = 0x8F;       /* above U+10FFFF */
		if (n - i <= need)
			return i; /* truncated at end of file */
		if (s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (k = 2; k <= need; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
		i += need + 1;
	}
	return n;
}

/* Builds sf->line_off (with a sentinel entry equal to len).  0 or -1. */
static int build_index(struct srcfile *sf)
{
	const char *t = sf->text;
	size_t i, n = 0, len = sf->len;

	if (len > 0 && !memchr(t, '\r', len)) {
		/* only \n ends lines: memchr finds them (the same offsets as the
		 * general loop below, much faster) */
		const char *p = t, *end = t + len;

		while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL && ++p <= end)
			n++;
		if (t[len - 1] != '\n')
			n++;
		sf->line_off = malloc((n + 1) * sizeof *sf->line_off);
		if (!sf->line_off)
			return -1;
		sf->line_off[0] = 0;
		sf->nlines = 1;
		for (p = t; (p = memchr(p, '\n', (size_t)(end - p))) != NULL && ++p < end;)
			sf->line_off[sf->nlines++] = (size_t)(p - t);
		sf->line_off[sf->nlines] = len;
		return 0;
	}
	for (i = 0; i < len; i++)
		if (t[i] == '\n' || (t[i] == '\r' && (i + 1 >= len || t[i + 1] != '\n')))
			n++;
	if (len > 0 && t[len - 1] != '\n' && t[len - 1] != '\r')
		n++; /* last line without terminator */
	sf->line_off = malloc((n + 1) * sizeof *sf->line_off);
	if (!sf->line_off)
		return -1;
	sf->nlines = 0;
	if (len > 0)
		sf->line_off[sf->nlines++] = 0;
	for (i = 0; i < len; i++) {
		int end = t[i] == '\n' || (t[i] == '\r' && (i + 1 >= len || t[i + 1] != '\n'));

		if (end && i + 1 < len)
			sf->line_off[sf->nlines++] = i + 1;
	}
	sf->line_off[sf->nlines] = len;
	return 0;
}

/* 1-based line and byte column of offset off (index must exist). */
static void locate(const struct srcfile *sf, size_t off, unsigned *line, unsigned *col)
{
	size_t lo = 0, hi = sf->nlines;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (sf->line_off[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	*line = (unsigned)lo + 1;
	*col = (unsigned)(off - (sf->nlines ? sf->line_off[lo] : 0)) + 1;
}

void srcfile_free(struct srcfile *sf)
{
	free(sf->path);
	free(sf->text);
	free(sf->line_off);
	memset(sf, 0, sizeof *sf);
}

/*
 * Takes ownership of buf (n bytes, room for a NUL after them): skips a
 * BOM, optionally checks binary and UTF-8, builds the index.
 */
static enum srcfile_status finish(struct srcfile *sf, const char *name, char *buf, size_t n,
				  int check, unsigned *bad_line, unsigned *bad_col)
{
	size_t bad;

	if (n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		memmove(buf, buf + 3, n - 3);
		n -= 3;
	}
	buf[n] = '\0';
	sf->text = buf;
	sf->len = n;
	if (check && memchr(buf, '\0', n < BINARY_PROBE ? n : BINARY_PROBE)) {
		srcfile_free(sf);
		return SRC_ERR_BINARY;
	}
	sf->path = strdup(name ? name : "");
	if (!sf->path || build_index(sf) < 0) {
		srcfile_free(sf);
		errno = ENOMEM;
		return SRC_ERR_IO;
	}
	if (check && (bad = utf8_first_bad((const unsigned char *)buf, n)) < n) {
		unsigned l, c;

		locate(sf, bad, &l, &c);
		if (bad_line)
			*bad_line = l;
		if (bad_col)
			*bad_col = c;
		srcfile_free(sf);
		return SRC_ERR_UTF8;
	}
	return SRC_OK;
}

/* Reads exactly up to want bytes of fd into buf; bytes read or -1. */
static ssize_t read_full(int fd, char *buf, size_t want)
{
	size_t got = 0;

	while (got < want) {
		ssize_t r = read(fd, buf + got, want - got);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

enum srcfile_status srcfile_load(struct srcfile *sf, const char *path, size_t max_bytes,
				 unsigned *bad_line, unsigned *bad_col)
{
	struct stat st;
	ssize_t got;
	char *buf;
	int fd, e;

	memset(sf, 0, sizeof *sf);
	if (bad_line)
		*bad_line = 0;
	if (bad_col)
		*bad_col = 0;
	if (max_bytes == 0)
		max_bytes = SRCFILE_MAX_BYTES;
	/* a device node is never opened (opening some acts on them); a FIFO
	 * swapped in after the stat must not block the open */
	if (stat(path, &st) < 0)
		return SRC_ERR_IO;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return SRC_ERR_IO;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return SRC_ERR_IO;
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return SRC_ERR_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return SRC_ERR_IO;
	}
	if (st.st_size < 0 || (unsigned long long)st.st_size > max_bytes) {
		close(fd);
		return SRC_ERR_TOOBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return SRC_ERR_IO;
	}
	got = read_full(fd, buf, (size_t)st.st_size);
	e = errno;
	close(fd);
	if (got < 0) {
		free(buf);
		errno = e;
		return SRC_ERR_IO;
	}
	return finish(sf, path, buf, (size_t)got, 1, bad_line, bad_col);
}

int srcfile_from_buffer(struct srcfile *sf, const char *name, const char *buf, size_t len)
{
	char *copy;

	memset(sf, 0, sizeof *sf);
	copy = malloc(len + 1);
	if (!copy)
		return -1;
	if (len)
		memcpy(copy, buf, len);
	return finish(sf, name, copy, len, 0, NULL, NULL) == SRC_OK ? 0 : -1;
}

const char *srcfile_strerror(enum srcfile_status st)
{
	switch (st) {
	case SRC_OK: return "success";
	case SRC_ERR_IO: return "cannot read file";
	case SRC_ERR_TOOBIG: return "file too large";
	case SRC_ERR_BINARY: return "binary file";
	case SRC_ERR_UTF8: return "invalid UTF-8";
	}
	return "unknown error";
}

const char *srcfile_line(const struct srcfile *sf, unsigned lno, size_t *len)
{
	size_t start, end;

	if (lno < 1 || lno > sf->nlines) {
		if (len)
			*len = 0;
		return NULL;
	}
	start = sf->line_off[lno - 1];
	end = sf->line_off[lno];
	if (end > start && sf->text[end - 1] == '\n')
		end--;
	if (end > start && sf->text[end - 1] == '\r')
		end--;
	if (len)
		*len = end - start;
	return sf->text + start;
}

static int is_blank_ch(char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

/* Line lno without trailing white space. */
static const char *rtrimmed_line(const struct srcfile *sf, unsigned lno, size_t *len)
{
	const char *p = srcfile_line(sf, lno, len);

	while (p && *len > 0 && is_blank_ch(p[*len - 1]))
		(*len)--;
	return p;
}

static size_t indent_of(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\f'))
		i++;
	return i;
}

/* Cuts s (length *n) to at most max bytes, ending in "..." at a UTF-8 boundary. */
static void cap_with_ellipsis(char *s, size_t *n, size_t max)
{
	size_t keep;

	if (max == 0 || *n <= max)
		return;
	keep = max > 3 ? max - 3 : 0;
	while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
		keep--;
	memcpy(s + keep, "...", max < 3 ? max : 3);
	*n = keep + (max < 3 ? max : 3);
	s[*n] = '\0';
}

char *srcfile_snippet(const struct srcfile *sf, unsigned first, unsigned last, size_t max_chars)
{
	size_t len, indent = (size_t)-1, total = 0, n = 0;
	unsigned l;
	char *out;

	if (first < 1)
		first = 1;
	if (last > sf->nlines)
		last = sf->nlines;
	/* drop blank lines at both ends */
	while (first <= last && (rtrimmed_line(sf, first, &len), len == 0))
		first++;
	while (last >= first && (rtrimmed_line(sf, last, &len), len == 0))
		last--;
	for (l = first; l <= last; l++) {
		const char *p = rtrimmed_line(sf, l, &len);
		size_t ind = indent_of(p, len);

		if (ind < len && ind < indent)
			indent = ind;
		total += len + 1;
	}
	if (indent == (size_t)-1)
		indent = 0;
	out = malloc(total + 4);
	if (!out)
		return NULL;
	for (l = first; l <= last; l++) {
		const char *p = rtrimmed_line(sf, l, &len);

		if (len > indent) {
			memcpy(out + n, p + indent, len - indent);
			n += len - indent;
		}
		if (l < last)
			out[n++] = '\n';
	}
	out[n] = '\0';
	cap_with_ellipsis(out, &n, max_chars);
	return out;
}
