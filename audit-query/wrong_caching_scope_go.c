/*
 * wrong_caching_scope, Go
 *
 * What it does: reports a struct type that caches query results on its
 * instance -- a method reads a map field or a loaded flag (if rs, ok :=
 * b.rules[k]; ok / if p.passed != nil), then runs a query and fills the
 * field (b.rules[k] = rs, p.passed = ...) -- when a request handler of
 * the project (net/http, gin, chi, echo; a per-request middleware's
 * inner handler) builds the value: &T{...}, T{...} or a project
 * constructor returning *T.  The cache starts empty with every request,
 * so the query runs on every request anyway.  Found through the project
 * index (lib/goindex.h); reported from the type's line to the query.
 *
 * Severity: HIGH when the cached query joins or aggregates (SQL JOIN,
 * GROUP BY, COUNT/SUM, GORM Joins/Group), MEDIUM otherwise.
 *
 * Not reported: values built once in main or at setup and shared (a
 * router's constructor is not a handler), sync.Once-guarded package
 * state, structs whose field is filled without a query or without being
 * read first (an accumulator, not a cache).
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "godb.h"
#include "goindex.h"

static void report(void *arg, const struct go_cache *c)
{
	struct check_ctx *cx = arg;
	char issue[1200], rec[800];
	snprintf(
		issue, sizeof(issue),
		"%s caches query results in its %s field (filled by %s() after the query at line %u), but %s() "
		"(%s:%u) builds a new %s for every request: the cache starts empty each time and the %squery runs "
		"on every request",
		c->type, c->field, c->method, c->fill_line, c->builder, c->builder_path, c->builder_line,
		c->type, c->joins ? "joined or aggregated " : "");
	snprintf(
		rec, sizeof(rec),
		"Build one %s at startup (main or the router's constructor) and share it between requests, guarding "
		"%s with a sync.RWMutex (or use sync.Map) and expiring entries when the rows change; or drop the "
		"per-instance cache if one lookup per request is intended",
		c->type, c->field);
	check_report(cx, c->type_line, c->fill_line, c->joins ? SEV_HIGH : SEV_MEDIUM, issue, rec);
}

void check_wrong_caching_scope_go(struct check_ctx *cx)
{
	struct go_index *ix;
	if (go_db_skip_path(cx->path) || !(ix = check_go_index(cx)))
		return;
	go_index_cache_each(ix, cx->path, report, cx);
}
