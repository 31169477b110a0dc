/*
 * rt_helpers.h: shared helpers of the audit-runtime check tests.
 *
 * rt_lines() runs one check of the runtime table over an in-memory Python
 * file and renders the finding lines as "3,7" so a table test compares
 * one string; rt_sev() returns the severity of the finding at a line.
 */
#ifndef PPERF_T_RT_HELPERS_H
#define PPERF_T_RT_HELPERS_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auditor.h"
#include "finding.h"
#include "../../audit-runtime/checks.h"

struct rt_case {
	const char *src;
	const char *lines; /* expected finding lines, "" for none */
};

/* Runs check id over src (length len, may hold NULs) with context ctx
 * (may be NULL); findings go to fl (caller frees with finding_list_free). */
static inline void rt_run_len(const char *id, const char *src, size_t len, const json_t *ctx,
			      struct finding_list *fl)
{
	const struct check_def *d = auditor_find_check(runtime_auditor.checks, runtime_auditor.nchecks, id);
	finding_list_init(fl);
	ck_assert_msg(d != NULL, "no check %s", id);
	ck_assert_int_eq(auditor_run_buffer(d, 1, "app/mod.py", src, len, ctx, fl), 0);
}

static inline void rt_run(const char *id, const char *src, struct finding_list *fl)
{
	rt_run_len(id, src, strlen(src), NULL, fl);
}

/* The finding lines of fl as "l1,l2,..." into buf. */
static inline const char *rt_render(const struct finding_list *fl, char *buf, size_t n)
{
	size_t i, o = 0;
	buf[0] = '\0';
	for (i = 0; i < fl->n && o + 12 < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%u", i ? "," : "", fl->v[i].line);
	return buf;
}

/* Asserts that check id reports exactly the lines of c->lines in c->src,
 * and that every finding carries an issue and a recommendation. */
static inline void rt_expect(const char *id, const struct rt_case *c)
{
	struct finding_list fl;
	char got[256];
	size_t i;
	rt_run(id, c->src, &fl);
	rt_render(&fl, got, sizeof(got));
	for (i = 0; i < fl.n; i++) {
		ck_assert_str_eq(fl.v[i].check, id);
		ck_assert_msg(fl.v[i].issue && strlen(fl.v[i].issue) > 20, "empty issue");
		ck_assert_msg(fl.v[i].recommendation && strlen(fl.v[i].recommendation) > 10, "empty recommendation");
	}
	ck_assert_msg(!strcmp(got, c->lines), "%s: expected lines [%s], got [%s] in:\n%s", id, c->lines, got,
		      c->src);
	finding_list_free(&fl);
}

/* Severity of the only finding of id in src (asserts there is one). */
static inline enum severity rt_sev(const char *id, const char *src)
{
	struct finding_list fl;
	enum severity s;
	rt_run(id, src, &fl);
	ck_assert_msg(fl.n == 1, "%s: expected one finding, got %zu", id, fl.n);
	s = fl.v[0].severity;
	finding_list_free(&fl);
	return s;
}

/* The issue and recommendation of the only finding, joined with " | "
 * (malloc'd, caller frees). */
static inline char *rt_text(const char *id, const char *src, const json_t *ctx)
{
	struct finding_list fl;
	char *s;
	size_t n;
	rt_run_len(id, src, strlen(src), ctx, &fl);
	ck_assert_msg(fl.n == 1, "%s: expected one finding, got %zu", id, fl.n);
	n = strlen(fl.v[0].issue) + strlen(fl.v[0].recommendation) + 4;
	s = malloc(n);
	ck_assert_ptr_nonnull(s);
	snprintf(s, n, "%s | %s", fl.v[0].issue, fl.v[0].recommendation);
	finding_list_free(&fl);
	return s;
}

/* Runs id over hostile inputs: it must return without crashing.  Checked
 * by the caller through the returned count (any value is fine). */
static inline size_t rt_survive(const char *id, const char *src, size_t len)
{
	struct finding_list fl;
	size_t n;
	rt_run_len(id, src, len, NULL, &fl);
	n = fl.n;
	finding_list_free(&fl);
	return n;
}

/* A 10,000-character line inside an async def, with pattern text in a
 * string at its end; malloc'd, caller frees. */
static inline char *rt_long_line(const char *tail)
{
	size_t n = 10000 + strlen(tail) + 200, o;
	char *s = malloc(n);
	ck_assert_ptr_nonnull(s);
	o = (size_t)snprintf(s, n, "async def f():\n    x = \"");
	memset(s + o, 'a', 10000);
	o += 10000;
	snprintf(s + o, n - o, "\" + \"%s\"\n    return x\n", tail);
	return s;
}

#endif
