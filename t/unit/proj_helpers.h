/*
 * proj_helpers.h: a small Python project on disk for the tests of
 * cross-file checks and of the project index.
 *
 *   struct proj p; proj_init(&p);
 *   proj_put(&p, "app/a.py", "...");
 *   json_t *ctx = proj_context(&p, NULL);     // pperf.context/1 naming the files
 *   proj_lines(&p, &query_auditor, "redundant_fetch", ctx, buf, n);  // "app/b.py:3,..."
 *   proj_free(&p);                             // removes the tree
 */
#ifndef PPERF_T_PROJ_HELPERS_H
#define PPERF_T_PROJ_HELPERS_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "auditor.h"
#include "finding.h"

#define PROJ_MAX_FILES 32

struct proj {
	char root[256];
	char *files[PROJ_MAX_FILES];
	size_t nfiles;
};

static inline void proj_init(struct proj *p)
{
	const char *t = getenv("TMPDIR");
	memset(p, 0, sizeof(*p));
	snprintf(p->root, sizeof(p->root), "%s/projXXXXXX", t && *t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(p->root));
}

/* Writes text to root/rel, creating its directories. */
static inline void proj_put(struct proj *p, const char *rel, const char *text)
{
	char path[600];
	char *s;
	FILE *fp;
	snprintf(path, sizeof(path), "%s/%s", p->root, rel);
	for (s = path + strlen(p->root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
	ck_assert_uint_lt(p->nfiles, PROJ_MAX_FILES);
	p->files[p->nfiles++] = strdup(rel);
}

/* A context naming every file put so far as a Python source; db_config
 * (may be NULL) is stored as is (stolen). */
static inline json_t *proj_context(const struct proj *p, json_t *db_config)
{
	json_t *files = json_array(), *ctx;
	size_t i;
	for (i = 0; i < p->nfiles; i++) {
		/* the language of the extension, as discover names it */
		const char *dot = strrchr(p->files[i], '.'), *lang = "python";
		if (dot && (!strcmp(dot, ".ts") || !strcmp(dot, ".tsx")))
			lang = "typescript";
		else if (dot && (!strcmp(dot, ".js") || !strcmp(dot, ".mjs") || !strcmp(dot, ".cjs")))
			lang = "javascript";
		else if (dot && !strcmp(dot, ".go"))
			lang = "go";
		else if (dot && !strcmp(dot, ".prisma"))
			lang = "prisma";
		json_array_append_new(files, json_pack("{s:s, s:s, s:s}", "path", p->files[i], "role",
						       strcmp(lang, "prisma") ? "source" : "config", "language", lang));
	}
	ctx = json_pack("{s:s, s:s, s:o, s:o}", "schema", "pperf.context/1", "codebase_root", p->root, "files", files,
			"db_config", db_config ? db_config : json_object());
	ck_assert_ptr_nonnull(ctx);
	return ctx;
}

/* Runs check id over the project; renders findings "file:line" joined by ",". */
static inline const char *proj_lines(const struct auditor *a, const char *id, const json_t *ctx,
				     struct finding_list *fl, char *buf, size_t n)
{
	const struct check_def *d = auditor_find_check(a->checks, a->nchecks, id);
	size_t i, o = 0;
	finding_list_init(fl);
	ck_assert_msg(d != NULL, "no check %s", id);
	ck_assert_int_eq(auditor_run_context_lang(a, id, ctx, fl), 0);
	buf[0] = '\0';
	for (i = 0; i < fl->n && o + 80 < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s:%u", i ? "," : "", fl->v[i].file, fl->v[i].line);
	return buf;
}

static inline void proj_free(struct proj *p)
{
	char cmd[600];
	size_t i;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p->root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", p->root);
	for (i = 0; i < p->nfiles; i++)
		free(p->files[i]);
}

#endif
