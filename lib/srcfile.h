/*
 * srcfile: a source file read once into memory, with a line index and
 * snippet extraction.
 */
#ifndef PPERF_SRCFILE_H
#define PPERF_SRCFILE_H

#include <stddef.h>

#define SRCFILE_MAX_BYTES (8u * 1024u * 1024u) /* larger files are skipped */

struct srcfile {
	char *path;        /* as given (caller's string copied) */
	char *text;        /* NUL-terminated contents (a UTF-8 BOM is skipped) */
	size_t len;
	size_t *line_off;  /* offset of the start of each line, 0-based index */
	unsigned nlines;
};

enum srcfile_status {
	SRC_OK = 0,
	SRC_ERR_IO,      /* open/read failed (errno kept) */
	SRC_ERR_TOOBIG,  /* over max bytes */
	SRC_ERR_BINARY,  /* NUL bytes in the first 8 KiB */
	SRC_ERR_UTF8     /* invalid UTF-8; bad_line and bad_col say where */
};

/*
 * Loads path (max_bytes 0 = SRCFILE_MAX_BYTES).  On failure returns the
 * status, sets bad_line and bad_col when meaningful (may be NULL) and sf is
 * left empty.  Caller calls srcfile_free.
 */
enum srcfile_status srcfile_load(struct srcfile *sf, const char *path, size_t max_bytes,
				 unsigned *bad_line, unsigned *bad_col);
/* Builds a srcfile over a copy of buf (for tests). 0 or -1. */
int srcfile_from_buffer(struct srcfile *sf, const char *name, const char *buf, size_t len);
void srcfile_free(struct srcfile *sf);
const char *srcfile_strerror(enum srcfile_status st);

/* Line lno (1-based) without its newline: pointer into text and length. */
const char *srcfile_line(const struct srcfile *sf, unsigned lno, size_t *len);
/* malloc'd copy of lines first..last, each trimmed of trailing space and
 * common indentation, at most max_chars (ellipsis added). Caller frees. */
char *srcfile_snippet(const struct srcfile *sf, unsigned first, unsigned last, size_t max_chars);

#endif
