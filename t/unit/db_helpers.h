/*
 * db_helpers.h: shared helpers of the audit-query and audit-txn check tests.
 *
 * db_lines() runs one check of an auditor's table over an in-memory Python
 * file (the project index then holds that file alone) and db_expect()
 * compares the finding lines, rendered "3,7", with the expected string.
 */
#ifndef PPERF_T_DB_HELPERS_H
#define PPERF_T_DB_HELPERS_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auditor.h"
#include "finding.h"

struct db_case {
	const char *src;
	const char *lines; /* expected finding lines, "" for none */
};

/* Runs check id of auditor a over src[0..len) with context ctx (may be
 * NULL); findings go to fl (caller frees with finding_list_free). */
static inline void db_run_len(const struct auditor *a, const char *id, const char *src, size_t len,
			      const json_t *ctx, struct finding_list *fl)
{
	const struct check_def *d = auditor_find_check(a->checks, a->nchecks, id);
	finding_list_init(fl);
	ck_assert_msg(d != NULL && d->run != NULL, "no runnable check %s", id);
	ck_assert_int_eq(auditor_run_buffer(d, 1, "app/mod.py", src, len, ctx, fl), 0);
}

static inline const char *db_render(const struct finding_list *fl, char *buf, size_t n)
{
	size_t i, o = 0;
	buf[0] = '\0';
	for (i = 0; i < fl->n && o + 12 < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%u", i ? "," : "", fl->v[i].line);
	return buf;
}

/* Asserts that check id reports exactly the lines of c->lines in c->src,
 * each finding with an issue, a recommendation and the check's id. */
static inline void db_expect(const struct auditor *a, const char *id, const struct db_case *c, const json_t *ctx)
{
	struct finding_list fl;
	char got[256];
	size_t i;
	db_run_len(a, id, c->src, strlen(c->src), ctx, &fl);
	db_render(&fl, got, sizeof(got));
	for (i = 0; i < fl.n; i++) {
		ck_assert_str_eq(fl.v[i].check, id);
		ck_assert_msg(fl.v[i].issue && strlen(fl.v[i].issue) > 20, "empty issue");
		ck_assert_msg(fl.v[i].recommendation && strlen(fl.v[i].recommendation) > 20, "empty recommendation");
	}
	ck_assert_msg(!strcmp(got, c->lines), "%s: expected lines [%s], got [%s] in:\n%s", id, c->lines, got,
		      c->src);
	finding_list_free(&fl);
}

/* The only finding of id in src (asserted): its severity, and its issue
 * and recommendation joined with " | " in *text (malloc'd, caller frees). */
static inline enum severity db_one(const struct auditor *a, const char *id, const char *src, const json_t *ctx,
				   char **text)
{
	struct finding_list fl;
	enum severity s;
	db_run_len(a, id, src, strlen(src), ctx, &fl);
	ck_assert_msg(fl.n == 1, "%s: expected one finding, got %zu in:\n%s", id, fl.n, src);
	s = fl.v[0].severity;
	if (text) {
		size_t n = strlen(fl.v[0].issue) + strlen(fl.v[0].recommendation) + 4;
		*text = malloc(n);
		ck_assert_ptr_nonnull(*text);
		snprintf(*text, n, "%s | %s", fl.v[0].issue, fl.v[0].recommendation);
	}
	finding_list_free(&fl);
	return s;
}

/* Runs id over a hostile input; it must return.  Returns the count. */
static inline size_t db_survive(const struct auditor *a, const char *id, const char *src, size_t len)
{
	struct finding_list fl;
	size_t n;
	db_run_len(a, id, src, len, NULL, &fl);
	n = fl.n;
	finding_list_free(&fl);
	return n;
}

/* Hostile inputs every check must survive; run by db_malformed(). */
static inline void db_malformed(const struct auditor *a, const char *id)
{
	static const char *const srcs[] = {
		"def f(session:\n    for x in xs:\n        session.get(A, x\n",
		"for x in :\n    session.add(\n",
		"async def f(session):\n    '''unterminated\n    for x in y:\n        session.commit()\n",
		"session.commit()\nsession.add(x)\nfor\n",
		"with session.begin(:\n    requests.post(\n",
		"class A(Base):\n    rel = relationship(\n    x = relationship('B', lazy=\n",
		"try:\n    session.commit()\nexcept\n",
		"((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((",
		"",
	};
	static const char nul[] = "\xff\xfe\x00" "def f():\n\tsession.commit()\r\n\x00" "for x in y:\n session.add(x)\n";
	size_t i;
	char *big;
	size_t n = 10000, o;
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++)
		db_survive(a, id, srcs[i], strlen(srcs[i]));
	db_survive(a, id, nul, sizeof(nul) - 1);
	big = malloc(n + 200);
	ck_assert_ptr_nonnull(big);
	o = (size_t)snprintf(big, n + 200, "def f(session, xs):\n    for x in xs:\n        y = \"");
	memset(big + o, 'a', n);
	o += n;
	snprintf(big + o, 200, "\" + session.get(A, x)\n");
	ck_assert_uint_le(db_survive(a, id, big, strlen(big)), 1);
	free(big);
}

#endif
