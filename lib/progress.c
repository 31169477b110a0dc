/*
 * progress: see progress.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "progress.h"

#define PROGRESS_INTERVAL_NS 100000000L

static void put(struct progress *p, unsigned long done)
{
	FILE *fp = fopen(p->tmp, "w");
	int bad;

	if (!fp)
		return;
	fprintf(fp, "%lu %lu\n", done, p->total);
	bad = ferror(fp);
	if (fclose(fp) != 0 || bad || rename(p->tmp, p->path) != 0)
		remove(p->tmp);
	clock_gettime(CLOCK_MONOTONIC, &p->last);
}

void progress_begin(struct progress *p, const char *name, unsigned long total)
{
	const char *prefix = getenv("PPERF_PROGRESS");
	size_t n;

	memset(p, 0, sizeof *p);
	if (!prefix || !*prefix || !name)
		return;
	n = strlen(prefix) + strlen(name) + 6;
	p->path = malloc(n);
	p->tmp = malloc(n);
	if (!p->path || !p->tmp) {
		free(p->path);
		free(p->tmp);
		p->path = p->tmp = NULL;
		return;
	}
	snprintf(p->path, n, "%s.%s", prefix, name);
	snprintf(p->tmp, n, "%s.%s.tmp", prefix, name);
	p->total = total;
	put(p, 0);
}

void progress_step(struct progress *p, unsigned long done)
{
	struct timespec now;
	long long ns;

	if (!p->path)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (long long)(now.tv_sec - p->last.tv_sec) * 1000000000LL + (now.tv_nsec - p->last.tv_nsec);
	if (ns >= PROGRESS_INTERVAL_NS)
		put(p, done);
}

void progress_end(struct progress *p)
{
	if (p->path)
		put(p, p->total);
	free(p->path);
	free(p->tmp);
	memset(p, 0, sizeof *p);
}
