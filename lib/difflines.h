/*
 * difflines: the lines a unified diff adds or changes, per file, for
 * diff-only audits (pperf --since REV, pperf-aggregate --changed FILE).
 *
 * The diff is read as git diff writes it: "+++ b/PATH" names the new side
 * of a file (C-quoted when git quotes it; "/dev/null" for a deleted file;
 * the first path component, git's "b/", is dropped; a name that is not
 * UTF-8 is kept in pathenc's display form, as findings give it), and every "@@ -a,b
 * +c,d @@" hunk is followed by its body, whose '+' lines are the changed
 * lines of the new file.  Context lines (' ') are not changed lines, so any
 * -U value gives the same answer.  Text outside hunks (diff --git, index,
 * mode and rename lines, "Binary files ... differ", a commit message) is
 * skipped.  A body shorter or longer than its header says is an error.
 */
#ifndef PPERF_DIFFLINES_H
#define PPERF_DIFFLINES_H

#include <stddef.h>
#include <stdio.h>

struct dl_range {
	const char *path; /* borrowed from the owning struct difflines */
	unsigned long first, last;
};

struct difflines {
	char **paths;             /* owned, one per file of the diff */
	size_t npaths, cappaths;
	struct dl_range *v;       /* sorted by path then first after difflines_read */
	size_t n, cap;
};

void difflines_init(struct difflines *d);
void difflines_free(struct difflines *d);

/*
 * Reads a whole diff from fp into d (which must be freshly initialised).
 * Returns 0; -1 on malformed input with *errline (1-based line of the diff)
 * and msg filled; -2 on allocation failure or a read error (errno set).
 */
int difflines_read(struct difflines *d, FILE *fp, unsigned long *errline, char *msg, size_t msglen);

/* 1 when line of path is a changed line, else 0. */
int difflines_has(const struct difflines *d, const char *path, unsigned long line);

#endif
