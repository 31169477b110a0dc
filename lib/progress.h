/*
 * progress: how far an auditor is, for the driver's progress line.
 *
 * When the environment variable PPERF_PROGRESS holds a path prefix (pperf
 * sets it to a file in its private temporary directory, and only when its
 * standard error is a terminal), the auditor keeps the file
 * "<prefix>.<name>" holding "DONE TOTAL\n": files audited and files to
 * audit.  It is replaced by rename(2), so a reader never sees half a line,
 * at most about ten times a second, and once more at the end.  Without
 * PPERF_PROGRESS nothing is written.  Failures are ignored: progress is
 * never worth failing an audit for.
 */
#ifndef PPERF_PROGRESS_H
#define PPERF_PROGRESS_H

#include <time.h>

struct progress {
	char *path;              /* owned; NULL: progress is off */
	char *tmp;               /* owned; path + ".tmp" */
	unsigned long total;
	struct timespec last;    /* when the file was last written */
};

/* Starts reporting for auditor name ("query") with total files. */
void progress_begin(struct progress *p, const char *name, unsigned long total);
/* done files are audited; writes the file when 100 ms have passed. */
void progress_step(struct progress *p, unsigned long done);
/* Writes "total total" and frees p (the file stays for the reader). */
void progress_end(struct progress *p);

#endif
