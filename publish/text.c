/*
 * text: --format text, one line per finding in the shape compilers use,
 *
 *   path:line:col: SEVERITY check: issue
 *
 * so that editors' quickfix lists (vim's errorformat, Emacs' compilation
 * mode, VS Code problem matchers) jump to it and grep(1) selects by file,
 * severity or check.  Standard output holds the findings only, in report
 * order (main.c adds a count on stderr when that is a terminal).
 *
 * path is the file as seen from the current directory, like ruff: the
 * report's codebase_root joined with the finding's file and made relative
 * to the working directory when the root lies under it, absolute
 * otherwise; the finding's file as it is when the report has no root.
 * col is 1 plus the blanks that indent the source line, found by reading
 * each file once; 1 when the file cannot be read or its line no longer
 * holds the finding's statement.  Line breaks and control characters of
 * the untrusted report text become blanks so that one finding stays one
 * line.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "render.h"
#include "srcfile.h"

/* Bytes of a statement compared with the source line to trust its indent. */
#define TEXT_MATCH_BYTES 64

static const char *sget(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

static unsigned uget(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) <= UINT_MAX
	       ? (unsigned)json_integer_value(v) : 0;
}

/* Writes s with every control character (line breaks included) as a blank. */
static void put_line_safe(FILE *fp, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, fp);
}

/* 1 when the text of line (len bytes, indent blanks first) begins like the
 * first line of snippet, both without their leading blanks. */
static int line_holds(const char *line, size_t len, size_t indent, const char *snippet)
{
	size_t i;

	while (*snippet == ' ' || *snippet == '\t')
		snippet++;
	if (!*snippet || *snippet == '\n')
		return 0;
	for (i = 0; i < TEXT_MATCH_BYTES && snippet[i] && snippet[i] != '\n'; i++)
		if (indent + i >= len || line[indent + i] != snippet[i])
			return 0;
	return 1;
}

/* 1 + the indent of line lno of sf when it still holds snippet, else 1. */
static unsigned column_in(const struct srcfile *sf, unsigned lno, const char *snippet)
{
	size_t len = 0, ind = 0;
	const char *p = srcfile_line(sf, lno, &len);

	if (!p)
		return 1;
	while (ind < len && (p[ind] == ' ' || p[ind] == '\t'))
		ind++;
	return line_holds(p, len, ind, snippet) && ind < UINT_MAX ? (unsigned)ind + 1 : 1;
}

/* a b c concatenated.  Caller frees; NULL on allocation failure. */
static char *cat3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = malloc(la + lb + lc + 1);

	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb);
		memcpy(s + la + lb, c, lc + 1);
	}
	return s;
}

struct text_row {
	const json_t *f;
	size_t order; /* position in the report */
	unsigned col;
};

static int row_by_file(const void *pa, const void *pb)
{
	const struct text_row *a = pa, *b = pb;
	int c = strcmp(sget(a->f, "file"), sget(b->f, "file"));

	return c ? c : (a->order > b->order) - (a->order < b->order);
}

static int row_by_order(const void *pa, const void *pb)
{
	const struct text_row *a = pa, *b = pb;

	return (a->order > b->order) - (a->order < b->order);
}

/*
 * Fills rows[i].col, reading each file of the report once under root
 * (NULL: no file is read).  Borrowed rows; 0 or -1 on allocation failure.
 */
static int fill_columns(struct text_row *rows, size_t n, const char *root)
{
	size_t i = 0, j;

	qsort(rows, n, sizeof *rows, row_by_file);
	while (i < n) {
		const char *file = sget(rows[i].f, "file");
		struct srcfile sf;
		char *path = NULL;
		int loaded = 0;

		for (j = i; j < n && strcmp(sget(rows[j].f, "file"), file) == 0; j++)
			rows[j].col = 1;
		if (root && *file && file[0] != '/') {
			if (!(path = cat3(root, "/", file)))
				return -1;
			memset(&sf, 0, sizeof sf);
			loaded = srcfile_load(&sf, path, 0, NULL, NULL) == SRC_OK;
			free(path);
		}
		for (; loaded && i < j; i++)
			rows[i].col = column_in(&sf, uget(rows[i].f, "line"), sget(rows[i].f, "snippet"));
		if (loaded)
			srcfile_free(&sf);
		i = j;
	}
	qsort(rows, n, sizeof *rows, row_by_order);
	return 0;
}

/*
 * The prefix that turns a finding's file into a path from the working
 * directory: "" when root is the working directory, "sub/dir/" below it,
 * "/abs/root/" elsewhere; NULL root gives "".  Caller frees; NULL on
 * allocation failure.
 */
static char *path_prefix(const char *root)
{
	char *cwd = root && *root == '/' ? getcwd(NULL, 0) : NULL;
	size_t cl = cwd ? strlen(cwd) : 0;
	char *out;

	if (!root || !*root || (cwd && strcmp(root, cwd) == 0))
		out = strdup("");
	else if (cwd && cl > 1 && strncmp(root, cwd, cl) == 0 && root[cl] == '/')
		out = !root[cl + 1] ? strdup("")
				    : cat3(root + cl + 1, root[strlen(root) - 1] == '/' ? "" : "/", "");
	else
		out = cat3(root, root[strlen(root) - 1] == '/' ? "" : "/", "");
	free(cwd);
	return out;
}

/* The colour of a severity: CRITICAL bold red, HIGH red, MEDIUM yellow, LOW cyan. */
static const char *sev_color(const char *sev)
{
	switch (severity_parse(sev)) {
	case SEV_CRITICAL: return "\033[1;31m";
	case SEV_HIGH: return "\033[31m";
	case SEV_MEDIUM: return "\033[33m";
	case SEV_LOW: return "\033[36m";
	default: return "";
	}
}

static void put_finding(FILE *fp, const struct text_row *r, const char *prefix, int color)
{
	const char *sev = sget(r->f, "severity");
	unsigned line = uget(r->f, "line");

	fputs(color ? "\033[1m" : "", fp);
	put_line_safe(fp, prefix);
	put_line_safe(fp, sget(r->f, "file"));
	fprintf(fp, ":%u:%u:%s ", line ? line : 1, r->col, color ? "\033[0m" : "");
	if (color)
		fprintf(fp, "%s%s\033[0m ", sev_color(sev), sev);
	else
		fprintf(fp, "%s ", sev);
	put_line_safe(fp, sget(r->f, "check"));
	fputs(": ", fp);
	put_line_safe(fp, sget(r->f, "issue"));
	fputc('\n', fp);
}

char *render_text(const json_t *report, const struct render_opts *ro, size_t *len)
{
	const json_t *findings = json_object_get(report, "findings");
	const json_t *rootv = json_object_get(report, "codebase_root");
	const char *root = json_is_string(rootv) && *json_string_value(rootv) ? json_string_value(rootv)
									       : NULL;
	size_t i, n = json_array_size(findings), blen = 0;
	struct text_row *rows = calloc(n ? n : 1, sizeof *rows);
	char *prefix = path_prefix(root), *buf = NULL;
	FILE *fp = NULL;

	if (!rows || !prefix)
		goto fail;
	for (i = 0; i < n; i++) {
		rows[i].f = json_array_get(findings, i);
		rows[i].order = i;
	}
	if (fill_columns(rows, n, root) < 0 || !(fp = open_memstream(&buf, &blen)))
		goto fail;
	for (i = 0; i < n; i++)
		put_finding(fp, &rows[i], prefix, ro->color);
	if (fclose(fp) != 0) {
		fp = NULL;
		goto fail;
	}
	free(rows);
	free(prefix);
	*len = blen;
	return buf;
fail:
	if (fp)
		fclose(fp);
	free(buf);
	free(rows);
	free(prefix);
	return NULL;
}
