/*
 * suppress: inline "pperf: ignore" directives (see suppress.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suppress.h"
#include "banned.h"

const char *const suppress_known_ids[] = {
	/* audit-query */
	"n_plus_one_query", "n_update_delete_loop", "missing_bulk_ops", "redundant_fetch",
	"unnecessary_resolve", "over_fetching", "wrong_caching_scope",
	/* audit-txn */
	"missing_rollback", "scope_too_wide", "missing_intermediate_commits", "scope_too_narrow",
	"long_held_transaction", "pool_configuration", "missing_session_cleanup", "session_held_in_stream",
	/* audit-runtime */
	"blocking_io_in_async", "sync_sleep_in_async", "sync_db_in_async", "unnecessary_allocation",
	"string_concat_in_loop", "cpu_bound_in_async", "redundant_copy",
	NULL
};

static int known_id(const char *s, size_t n)
{
	size_t i;
	for (i = 0; suppress_known_ids[i]; i++)
		if (strlen(suppress_known_ids[i]) == n && !memcmp(suppress_known_ids[i], s, n))
			return 1;
	return 0;
}

static int is_idch(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static int push(struct suppressions *s, unsigned line, unsigned col, char *ids)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 8;
		struct suppress_dir *nv = realloc(s->v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		s->v = nv;
		s->cap = nc;
	}
	s->v[s->n].line = line;
	s->v[s->n].col = col;
	s->v[s->n].ids = ids;
	s->n++;
	return 0;
}

/*
 * The id list after "ignore[" (p at the first byte after '['; e the end of
 * the comment): the known ids joined by ',' in *out (malloc'd; "" when none
 * is known, which suppresses nothing).  0, 1 when malformed (no ']'), -1 OOM.
 */
static int parse_ids(const char *p, const char *e, suppress_warn_fn warn, void *warn_arg, unsigned line,
		     unsigned col, char **out)
{
	const char *close = memchr(p, ']', (size_t)(e - p));
	char *buf;
	size_t n = 0;
	*out = NULL;
	if (!close)
		return 1;
	buf = malloc((size_t)(close - p) + 1);
	if (!buf)
		return -1;
	while (p < close) {
		const char *b;
		while (p < close && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		b = p;
		while (p < close && *p != ',' && *p != ' ' && *p != '\t')
			p++;
		if (p == b)
			continue;
		if (known_id(b, (size_t)(p - b))) {
			if (n)
				buf[n++] = ',';
			memcpy(buf + n, b, (size_t)(p - b));
			n += (size_t)(p - b);
		} else if (warn) {
			char msg[160];
			snprintf(msg, sizeof msg, "pperf: ignore: unknown check '%.*s'", (int)(p - b), b);
			warn(warn_arg, line, col, msg);
		}
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

/* The directives of one comment c[0..len) starting at line/col. */
static int scan_comment(struct suppressions *s, const char *c, size_t len, unsigned line, unsigned col,
			suppress_warn_fn warn, void *warn_arg)
{
	const char *p = c, *e = c + len;
	while (p < e) {
		const char *hit = NULL, *q;
		unsigned l = line, cl = col;
		char *ids = NULL;
		for (q = p; q + 6 <= e; q++)
			if (!memcmp(q, "pperf:", 6) && (q == c || !is_idch(q[-1]))) {
				hit = q;
				break;
			}
		if (!hit)
			return 0;
		for (q = c; q < hit; q++) {   /* line and column of the directive */
			if (*q == '\n') {
				l++;
				cl = 1;
			} else {
				cl++;
			}
		}
		q = hit + 6;
		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		p = q;
		if ((size_t)(e - q) < 6 || memcmp(q, "ignore", 6) || (q + 6 < e && is_idch(q[6])))
			continue;   /* "pperf:" followed by something else: not ours */
		q += 6;
		if (q < e && *q == '[') {
			int rc = parse_ids(q + 1, e, warn, warn_arg, l, cl, &ids);
			if (rc < 0)
				return -1;
			if (rc == 1) {
				if (warn)
					warn(warn_arg, l, cl, "pperf: ignore[: no closing ']', not a suppression");
				p = q + 1;
				continue;
			}
		}
		if (push(s, l, cl, ids) < 0) {
			free(ids);
			return -1;
		}
		p = q;
	}
	return 0;
}

int suppress_scan(struct suppressions *s, const struct py_toks *toks, suppress_warn_fn warn, void *warn_arg)
{
	size_t i;
	for (i = 0; i < toks->ncomments; i++) {
		const struct py_tok *t = &toks->comments[i];
		const char *c = toks->src + t->off;
		if (t->len < 7 || !memchr(c, ':', t->len))
			continue;
		if (scan_comment(s, c, t->len, t->line, t->col, warn, warn_arg) < 0)
			return -1;
	}
	return 0;
}

/* 1 when the comma-separated list ids holds check. */
static int list_has(const char *ids, const char *check)
{
	size_t n = strlen(check);
	const char *p = ids;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && !memcmp(p, check, n))
			return 1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

int suppress_covers(const struct suppressions *s, unsigned line, const char *check)
{
	size_t i;
	for (i = 0; s && i < s->n; i++) {
		const struct suppress_dir *d = &s->v[i];
		if (d->line != line && d->line + 1 != line)
			continue;
		if (!d->ids || list_has(d->ids, check))
			return 1;
	}
	return 0;
}

void suppress_free(struct suppressions *s)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		free(s->v[i].ids);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
