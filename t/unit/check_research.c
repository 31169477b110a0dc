/*
 * Unit tests for the research rooms: lib/verrange.c (version parsing,
 * ranges in the PEP 440 / Poetry / npm / Go notations, intersection and
 * containment), lib/kb_load.c (the shipped knowledge base loads; malformed
 * files are rejected with file, line, column and path), lib/kb.c
 * (technology detection, version-range selection, sources, the lookups the
 * auditors use), lib/discover_lock.c (exact versions from lock files for
 * tech_stack.locked) and the research additions of jsonio_check_context.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <check.h>

#include "auditor.h"
#include "cli.h"
#include "discover_p.h"
#include "jsonio.h"
#include "kb.h"
#include "verrange.h"

extern const struct auditor query_auditor, txn_auditor, runtime_auditor;

/* ---- verrange: table of (spec, version, expected membership) */

struct member_case {
	const char *spec, *version;
	int in;
};

static const struct member_case member_cases[] = {
	{ ">=2.0,<2.1", "2.0.29", 1 },
	{ ">=2.0,<2.1", "2.1", 0 },
	{ ">=2.0,<2.1", "1.4.52", 0 },
	{ "==1.4.52", "1.4.52", 1 },
	{ "==1.4.52", "1.4.53", 0 },
	{ "==1.4", "1.4.0", 1 },
	{ "==2.0.*", "2.0.31", 1 },
	{ "==2.0.*", "2.1.0", 0 },
	{ "~=1.4", "1.9", 1 },
	{ "~=1.4", "2.0", 0 },
	{ "~=1.4.5", "1.4.9", 1 },
	{ "~=1.4.5", "1.5.0", 0 },
	{ "^2.0", "2.9.1", 1 },
	{ "^2.0", "3.0.0", 0 },
	{ "^0.2.3", "0.2.9", 1 },
	{ "^0.2.3", "0.3.0", 0 },
	{ "^0.0.3", "0.0.4", 0 },
	{ "~5.12", "5.12.9", 1 },
	{ "~5.12", "5.13.0", 0 },
	{ "~1", "1.9", 1 },
	{ "~1", "2.0", 0 },
	{ "1.2.x", "1.2.7", 1 },
	{ "1.2.x", "1.3.0", 0 },
	{ "1.2", "1.2.4", 1 },
	{ "1.2.3", "1.2.4", 0 },
	{ ">=1.4 <2.0", "1.4.2", 1 },
	{ ">=1.4 <2.0", "2.0", 0 },
	{ ">= 1.4, < 2.0", "1.9", 1 },
	{ "^1.4 || ^2.0", "2.3", 1 },
	{ "^1.4 || ^2.0", "3.0", 0 },
	{ "1.2 - 2.3", "2.3.9", 1 },
	{ "1.2 - 2.3.0", "2.3.1", 0 },
	{ "v1.25.9", "1.25.9", 1 },
	{ "v0.0.0-20230101120000-abcdef123456", "0.0.0", 1 },
	{ ">=3.12rc1", "3.12", 1 },
	{ "!=1.4.3", "1.4.3", 1 },
	{ ">2.0", "2.0", 0 },
	{ ">2.0", "2.0.1", 1 },
	{ "<=2.0", "2.0.0", 1 },
	{ "*", "0.1", 1 },
	{ "", "99", 1 },
	{ "latest", "1.0", 1 },
	{ ">=2.0.0b1", "2.0", 1 },
	{ "==2.0.0+local.1", "2.0.0", 1 },
};

START_TEST(test_range_membership)
{
	const struct member_case *c = &member_cases[_i];
	struct vrange r;
	struct ver v;
	int wild;
	char why[96];

	ck_assert_msg(vrange_parse(c->spec, &r, why, sizeof why) == 0, "'%s': %s", c->spec, why);
	ck_assert_uint_gt(ver_parse(c->version, &v, &wild), 0);
	ck_assert_msg(vrange_contains(&r, &v) == c->in, "'%s' contains %s: expected %d", c->spec,
		      c->version, c->in);
}
END_TEST

static const char *const bad_specs[] = {
	">=", "=>2.0", "~=2", "abc", ">=2.0 junk", "2.0 | 3.0", ">=one", "git+https://x/y.git",
};

START_TEST(test_range_bad)
{
	struct vrange r;
	char why[96] = "";
	ck_assert_msg(vrange_parse(bad_specs[_i], &r, why, sizeof why) < 0, "'%s' accepted",
		      bad_specs[_i]);
	ck_assert(why[0] != '\0');
}
END_TEST

START_TEST(test_version_parse)
{
	struct ver a, b;
	int wild;
	char buf[32];

	ck_assert_uint_eq(ver_parse("v1.22.3-rc1 rest", &a, &wild), 11);
	ck_assert_int_eq(a.n, 3);
	ver_format(&a, buf, sizeof buf);
	ck_assert_str_eq(buf, "1.22.3");
	ck_assert_uint_eq(ver_parse("2.0.*", &a, &wild), 5);
	ck_assert_int_eq(wild, 1);
	ck_assert_int_eq(a.n, 2);
	ck_assert_uint_eq(ver_parse("x", &a, &wild), 0);
	ver_parse("2.0", &a, &wild);
	ver_parse("2.0.0.0", &b, &wild);
	ck_assert_int_eq(ver_cmp(&a, &b), 0);
	ver_parse("10.0", &b, &wild);
	ck_assert_int_lt(ver_cmp(&a, &b), 0);
	ck_assert_uint_eq(ver_parse("1.2.3.4.5.6", &a, &wild), 11);
	ck_assert_int_eq(a.n, VR_PARTS);
}
END_TEST

static void parse(const char *spec, struct vrange *r)
{
	ck_assert_msg(vrange_parse(spec, r, NULL, 0) == 0, "cannot parse '%s'", spec);
}

START_TEST(test_range_sets)
{
	struct vrange a, b;

	parse(">=2.0,<2.1", &a);
	parse(">=2.0", &b);
	ck_assert(vrange_subset(&a, &b));
	ck_assert(vrange_intersects(&a, &b));
	parse(">=1.4,<2.0", &b);
	ck_assert(!vrange_subset(&a, &b));
	ck_assert(!vrange_intersects(&a, &b));
	parse(">=1.4", &a);
	ck_assert(!vrange_subset(&a, &b)); /* allows 2.x too */
	ck_assert(vrange_intersects(&a, &b));
	parse("*", &a);
	ck_assert(vrange_is_all(&a));
	ck_assert(!vrange_subset(&a, &b));
	parse("^1.4 || ^2.0", &a);
	parse(">=1.4", &b);
	ck_assert(vrange_subset(&a, &b));
	parse(">=2.0", &b);
	ck_assert(!vrange_subset(&a, &b));
	parse("<2.0", &a);
	parse(">=2.0", &b);
	ck_assert_int_eq(vrange_and(&a, &b), 0);
	ck_assert(vrange_is_empty(&a));
	ck_assert(!vrange_subset(&a, &b)); /* an empty range is in nothing */
	parse(">=2.0,<1.0", &a);
	ck_assert(vrange_is_empty(&a));
	parse("==16.*", &a);
	parse(">=15", &b);
	ck_assert(vrange_subset(&a, &b));
	parse("<=2.0", &a);
	parse("<2.0", &b);
	ck_assert(!vrange_subset(&a, &b));
	ck_assert(vrange_subset(&b, &a));
	parse(">1.0", &a);
	parse(">=1.0", &b);
	ck_assert(vrange_subset(&a, &b));
	ck_assert(!vrange_subset(&b, &a));
	parse("<3", &a);
	parse(">=2.9", &b);
	ck_assert_int_eq(vrange_or(&a, &b), 0);
	ck_assert(vrange_is_all(&a) == 0);
	ck_assert_uint_eq(a.n, 2);
}
END_TEST

/* ---- the shipped knowledge base */

static const char *kb_dir(void)
{
	static char buf[4096];
	const char *root = getenv("PPERF_ROOT");
	snprintf(buf, sizeof buf, "%s/research/kb", root && *root ? root : ".");
	return buf;
}

static json_t *load_kb(void)
{
	struct jsonio_err err;
	json_t *kb = kb_load_dir(kb_dir(), &err);
	ck_assert_msg(kb != NULL, "%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
	return kb;
}

static int known_check(const char *id)
{
	return auditor_find_check(query_auditor.checks, query_auditor.nchecks, id) ||
	       auditor_find_check(txn_auditor.checks, txn_auditor.nchecks, id) ||
	       auditor_find_check(runtime_auditor.checks, runtime_auditor.nchecks, id);
}

START_TEST(test_kb_loads)
{
	static const char *const techs[] = { "asyncio", "asyncpg", "celery", "django", "fastapi",
					     "go-database-sql", "nodejs", "postgresql", "prisma",
					     "psycopg", "sqlalchemy", "starlette", "typeorm", NULL };
	json_t *kb = load_kb(), *doc, *pr, *c;
	size_t i, j, k, n = 0;

	for (i = 0; techs[i]; i++) {
		int found = 0;
		json_array_foreach(kb, j, doc)
			found |= strcmp(json_string_value(json_object_get(doc, "technology")), techs[i]) == 0;
		ck_assert_msg(found, "no knowledge-base file for %s", techs[i]);
	}
	json_array_foreach(kb, i, doc) {
		json_array_foreach(json_object_get(doc, "practices"), j, pr) {
			n++;
			ck_assert_msg(json_array_size(json_object_get(pr, "checks")) > 0, "%s informs no check",
				      json_string_value(json_object_get(pr, "id")));
			json_array_foreach(json_object_get(pr, "checks"), k, c)
				ck_assert_msg(known_check(json_string_value(c)), "%s: unknown check %s",
					      json_string_value(json_object_get(pr, "id")),
					      json_string_value(c));
		}
	}
	ck_assert_uint_ge(n, 60);
	json_decref(kb);
}
END_TEST

/* ---- malformed knowledge bases */

static char tmpl[] = "/tmp/pperf-kb-XXXXXX";

static const char *make_dir(void)
{
	static char dir[64];
	snprintf(dir, sizeof dir, "%s", tmpl);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void remove_dir(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

#define PRACTICE(id, extra) \
	"    {\"id\": \"" id "\", \"technology\": \"demo\", \"applies_to\": \">=1.0\",\n" \
	"     \"title\": \"A title\", \"summary\": \"A summary that is long enough to pass the check.\",\n" \
	"     \"checks\": [\"n_plus_one_query\"], \"source\": \"https://example.org/doc\",\n" \
	"     \"source_title\": \"Example\"" extra "}"

#define DOC(detect, practices) \
	"{\n  \"schema\": \"pperf.kb/1\",\n  \"technology\": \"demo\",\n  \"name\": \"Demo\",\n" \
	"  \"detect\": [" detect "],\n  \"practices\": [\n" practices "\n  ]\n}\n"

struct bad_kb {
	const char *text;
	const char *msg;  /* substring of err.msg */
	unsigned line;    /* 0: not checked */
	unsigned col;
};

static const struct bad_kb bad_kbs[] = {
	{ "{\"schema\": \"pperf.kb/1\",\n \"technology\": x}\n", "invalid token", 2, 0 },
	{ "{\"schema\": \"pperf.kb/1\", \"schema\": \"x\"}\n", "duplicate", 1, 0 },
	{ DOC("{\"dependency\": \"demo\"}", PRACTICE("demo-a", ", \"applies_to2\": 1")),
	  "practices[0].applies_to2: unknown key", 0, 0 },
	{ DOC("{\"dependency\": \"demo\"}",
	      "    {\"id\": \"demo-a\", \"technology\": \"demo\", \"applies_to\": \">=one\",\n"
	      "     \"title\": \"t\", \"summary\": \"s\", \"checks\": [], \"source\": \"https://e.org/\","
	      " \"source_title\": \"E\"}"),
	  "practices[0].applies_to: cannot read version range \">=one\"", 7, 58 },
	{ DOC("{\"dependency\": \"demo\"}", PRACTICE("demo-a", "") ",\n" PRACTICE("demo-a", "")),
	  "practices[1].id: \"demo-a\" already used in demo.json", 11, 12 },
	{ DOC("{\"stack\": \"frameworks\"}", PRACTICE("demo-a", "")),
	  "detect[0].stack: \"frameworks\" is not a tech_stack field", 0, 0 },
	{ DOC("{\"dependency\": \"demo\", \"stack\": \"orm\"}", PRACTICE("demo-a", "")),
	  "detect[0]: needs exactly one of", 0, 0 },
	{ DOC("{\"dependency\": \"demo\", \"version\": \"minimum\"}", PRACTICE("demo-a", "")),
	  "detect[0].version: a dependency's version", 0, 0 },
	{ DOC("", PRACTICE("demo-a", "")), "detect: expected a non-empty array", 0, 0 },
	{ DOC("{\"dependency\": \"demo\"}", ""), "practices: expected a non-empty array", 0, 0 },
	{ "{\"schema\": \"pperf.kb/2\"}\n", "schema: expected \"pperf.kb/1\"", 1, 12 },
	{ "[1]\n", "(document): expected object", 0, 0 },
};

START_TEST(test_kb_bad)
{
	const struct bad_kb *c = &bad_kbs[_i];
	const char *dir = make_dir();
	struct jsonio_err err;
	json_t *kb;

	write_file(dir, "demo.json", c->text);
	kb = kb_load_dir(dir, &err);
	ck_assert_ptr_null(kb);
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert_msg(strstr(err.file, "demo.json") != NULL, "file %s", err.file);
	ck_assert_msg(strstr(err.msg, c->msg) != NULL, "message '%s' lacks '%s'", err.msg, c->msg);
	if (c->line)
		ck_assert_uint_eq(err.line, c->line);
	if (c->col)
		ck_assert_uint_eq(err.col, c->col);
	remove_dir(dir);
}
END_TEST

START_TEST(test_kb_summary_and_source_rules)
{
	json_t *doc = json_pack("{s:s, s:s, s:s, s:[{s:s}], s:[{s:s, s:s, s:s, s:s, s:s, s:[], s:s, s:s}]}",
				"schema", "pperf.kb/1", "technology", "demo", "name", "Demo",
				"detect", "dependency", "demo", "practices", "id", "demo-a",
				"technology", "demo", "applies_to", "*", "title", "t", "summary",
				"too short", "checks", "source", "https://example.org/x",
				"source_title", "E");
	json_t *pr = json_array_get(json_object_get(doc, "practices"), 0);
	struct jsonio_err err;

	memset(&err, 0, sizeof err);
	ck_assert_int_lt(kb_check(doc, &err), 0);
	ck_assert_str_eq(err.msg, "practices[0].summary: shorter than 40 characters");
	json_object_set_new(pr, "summary", json_string("A summary that is certainly long enough here."));
	ck_assert_int_eq(kb_check(doc, &err), 0);
	json_object_set_new(pr, "source", json_string("http://example.org/x"));
	ck_assert_int_lt(kb_check(doc, &err), 0);
	ck_assert_str_eq(err.msg, "practices[0].source: expected an https:// URL");
	json_object_set_new(pr, "source", json_string("https://example.org/x"));
	json_object_set_new(pr, "technology", json_string("other"));
	ck_assert_int_lt(kb_check(doc, &err), 0);
	json_object_set_new(pr, "technology", json_string("demo"));
	json_object_set_new(pr, "id", json_string("Demo A"));
	ck_assert_int_lt(kb_check(doc, &err), 0);
	ck_assert(strstr(err.msg, "not a lowercase identifier") != NULL);
	json_object_set_new(pr, "id", json_string("online-demo-1"));
	ck_assert_int_lt(kb_check(doc, &err), 0);
	ck_assert(strstr(err.msg, "ids of online practices") != NULL);
	json_object_set_new(pr, "id", json_string("demo-a"));
	json_object_set_new(pr, "checks", json_pack("[s]", "N+1"));
	ck_assert_int_lt(kb_check(doc, &err), 0);
	ck_assert_str_eq(err.msg, "practices[0].checks[0]: \"N+1\" is not a check id");
	json_decref(doc);
}
END_TEST

START_TEST(test_kb_dir_errors)
{
	const char *dir = make_dir();
	struct jsonio_err err;

	ck_assert_ptr_null(kb_load_dir(dir, &err)); /* empty */
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert(strstr(err.msg, "no knowledge-base files") != NULL);
	write_file(dir, "other.json", DOC("{\"dependency\": \"demo\"}", PRACTICE("demo-a", "")));
	ck_assert_ptr_null(kb_load_dir(dir, &err));
	ck_assert(strstr(err.msg, "technology: \"demo\" does not match the file name") != NULL);
	remove_dir(dir);
	ck_assert_ptr_null(kb_load_dir("/nonexistent/pperf-kb", &err));
	ck_assert_int_eq(err.status, EXIT_IO);
}
END_TEST

/* ---- selection */

/* The ids of the practices selected for tech_stack (JSON text), as
 * " id1 id2 ... " for strstr. */
static char *select_ids(const json_t *kb, const char *stack_json, json_t **bp_out)
{
	json_error_t je;
	json_t *ts = json_loads(stack_json, 0, &je), *bp, *src, *g, *pr;
	size_t i, j, len = 1;
	char *out = malloc(65536);

	ck_assert_msg(ts != NULL, "%s", je.text);
	ck_assert_int_eq(kb_select(kb, ts, &bp, &src), 0);
	snprintf(out, 65536, " ");
	json_array_foreach(bp, i, g) {
		json_array_foreach(json_object_get(g, "practices"), j, pr) {
			const char *id = json_string_value(json_object_get(pr, "id"));
			len += (size_t)snprintf(out + len, 65536 - len, "%s ", id);
			ck_assert_str_eq(json_string_value(json_object_get(pr, "origin")), "kb");
		}
	}
	json_decref(ts);
	json_decref(src);
	if (bp_out)
		*bp_out = bp;
	else
		json_decref(bp);
	return out;
}

#define HAS(ids, id) ck_assert_msg(strstr(ids, " " id " ") != NULL, "%s missing from%s", id, ids)
#define HASNT(ids, id) ck_assert_msg(strstr(ids, " " id " ") == NULL, "%s present in%s", id, ids)

START_TEST(test_select_sqlalchemy_versions)
{
	json_t *kb = load_kb(), *bp;
	char *v14 = select_ids(kb, "{\"orm\": \"sqlalchemy\", \"dependencies\": {\"sqlalchemy\": \"==1.4.52\"}}", &bp);
	char *v20 = select_ids(kb, "{\"orm\": \"sqlalchemy\", \"dependencies\": {\"sqlalchemy\": \">=2.0,<2.1\"}}", NULL);
	char *both = select_ids(kb, "{\"dependencies\": {\"sqlalchemy\": \">=1.4,<3\"}}", NULL);
	char *any = select_ids(kb, "{\"dependencies\": {\"sqlalchemy\": null}}", NULL);
	char *poetry = select_ids(kb, "{\"dependencies\": {\"sqlalchemy\": \"^1.4.40\"}}", NULL);

	HAS(v14, "sqlalchemy14-eager-load-relationships");
	HAS(v14, "sqlalchemy14-future-mode");
	HAS(v14, "sqlalchemy-session-begin-block");
	HASNT(v14, "sqlalchemy-select-style");
	HASNT(v14, "sqlalchemy-bulk-insert");
	HAS(v20, "sqlalchemy-select-style");
	HAS(v20, "sqlalchemy-bulk-insert");
	HAS(v20, "sqlalchemy-session-begin-block");
	HASNT(v20, "sqlalchemy14-future-mode");
	ck_assert_str_ne(v14, v20);
	HAS(both, "sqlalchemy-session-begin-block");
	HASNT(both, "sqlalchemy-select-style");
	HASNT(both, "sqlalchemy14-future-mode");
	HAS(any, "sqlalchemy-pool-pre-ping");
	HASNT(any, "sqlalchemy-select-style");
	HAS(poetry, "sqlalchemy14-bulk-operations");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(bp, 0), "version")), "==1.4.52");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(bp, 0), "name")), "SQLAlchemy");
	free(v14);
	free(v20);
	free(both);
	free(any);
	free(poetry);
	json_decref(bp);
	json_decref(kb);
}
END_TEST

START_TEST(test_select_locked_version)
{
	json_t *kb = load_kb();
	char *ids = select_ids(kb, "{\"dependencies\": {\"sqlalchemy\": \">=1.4\"}, "
				   "\"locked\": {\"sqlalchemy\": \"2.0.31\"}}", NULL);
	HAS(ids, "sqlalchemy-select-style");
	HASNT(ids, "sqlalchemy14-future-mode");
	free(ids);
	json_decref(kb);
}
END_TEST

START_TEST(test_select_python_and_drivers)
{
	json_t *kb = load_kb();
	char *py38 = select_ids(kb, "{\"async\": true, \"python_version\": \"3.8\"}", NULL);
	char *py311 = select_ids(kb, "{\"async\": true, \"python_version\": \"3.11\"}", NULL);
	char *pyany = select_ids(kb, "{\"async\": true, \"python_version\": null}", NULL);
	char *nasync = select_ids(kb, "{\"async\": false, \"python_version\": \"3.12\"}", NULL);
	char *pg2 = select_ids(kb, "{\"dependencies\": {\"psycopg2-binary\": null}}", NULL);
	char *pg3 = select_ids(kb, "{\"dependencies\": {\"psycopg\": \">=3.1.8\"}}", NULL);
	char *pg30 = select_ids(kb, "{\"driver\": \"psycopg\"}", NULL);
	char *db = select_ids(kb, "{\"db\": \"postgresql\", \"db_version\": \"14\"}", NULL);
	char *db16 = select_ids(kb, "{\"db\": \"postgresql\", \"db_version\": \"16\"}", NULL);

	HASNT(py38, "asyncio-to-thread");
	HAS(py38, "asyncio-run-in-executor");
	HAS(py311, "asyncio-to-thread");
	HAS(py311, "asyncio-taskgroup-timeout");
	HASNT(pyany, "asyncio-to-thread");
	HAS(pyany, "asyncio-debug-mode");
	ck_assert_str_eq(nasync, " ");
	HAS(pg2, "psycopg2-fast-execution-helpers");
	HASNT(pg2, "psycopg3-copy");
	HAS(pg3, "psycopg3-executemany-pipeline");
	HASNT(pg3, "psycopg2-fast-execution-helpers");
	HAS(pg30, "psycopg3-copy");
	HASNT(pg30, "psycopg3-executemany-pipeline"); /* 3.0 is possible */
	HAS(db, "postgresql-notify-on-commit");
	HASNT(db, "postgresql-merge");
	HAS(db16, "postgresql-merge");
	free(py38);
	free(py311);
	free(pyany);
	free(nasync);
	free(pg2);
	free(pg3);
	free(pg30);
	free(db);
	free(db16);
	json_decref(kb);
}
END_TEST

START_TEST(test_select_other_stacks)
{
	json_t *kb = load_kb();
	char *go = select_ids(kb, "{\"languages\": [\"go\"], \"go_version\": \"1.22\", "
				  "\"dependencies\": {\"github.com/jackc/pgx/v5\": \"v5.5.5\"}}", NULL);
	char *goonly = select_ids(kb, "{\"languages\": [\"go\"], \"go_version\": \"1.22\", "
				      "\"dependencies\": {}}", NULL);
	char *node = select_ids(kb, "{\"languages\": [\"typescript\"], \"node_version\": \"20.11\", "
				    "\"orm\": \"prisma\", \"dependencies\": {\"@prisma/client\": \"^5.12.1\"}}", NULL);
	char *dj = select_ids(kb, "{\"dependencies\": {\"django\": \">=4.2,<5\", \"celery\": \"5.3.6\"}}", NULL);
	char *fa = select_ids(kb, "{\"web\": \"fastapi\", \"dependencies\": {\"fastapi\": \"==0.100.1\"}}", NULL);
	char *fa110 = select_ids(kb, "{\"dependencies\": {\"fastapi\": \"~=0.110.0\"}}", NULL);
	char *fa120 = select_ids(kb, "{\"dependencies\": {\"fastapi\": \">=0.120\"}}", NULL);
	char *fawide = select_ids(kb, "{\"dependencies\": {\"fastapi\": \">=0.110\"}}", NULL);

	HAS(go, "go-sql-tx-defer-rollback");
	HAS(go, "go-sql-pool-settings");
	/* a Go project without a database library gets the standard library's
	 * practices only */
	ck_assert_str_eq(goonly, " go-strings-builder go-strings-no-intermediate ");
	HAS(go, "pgx-batch-and-copy");
	HASNT(go, "gorm-preload");
	HASNT(go, "sqlalchemy-eager-load-relationships");
	HAS(node, "nodejs-fs-promises");
	HAS(node, "prisma-avoid-n-plus-one");
	HASNT(node, "prisma-create-many-and-return"); /* ^5.12.1 allows 5.12 */
	HAS(dj, "django-async-orm");
	HAS(dj, "django-bulk-create-update");
	HAS(dj, "celery-enqueue-after-commit");
	HAS(fa, "fastapi-yield-exit-after-background");
	HASNT(fa, "fastapi-yield-exit-before-response");
	HASNT(fa, "fastapi-yield-exit-after-response");
	HAS(fa, "starlette-lifespan");
	HAS(fa110, "fastapi-yield-exit-before-response");
	HAS(fa120, "fastapi-yield-exit-after-response");
	HASNT(fawide, "fastapi-yield-exit-before-response"); /* allows both behaviours */
	HASNT(fawide, "fastapi-yield-exit-after-response");
	free(fa110);
	free(fa120);
	free(fawide);
	free(go);
	free(goonly);
	free(node);
	free(dj);
	free(fa);
	json_decref(kb);
}
END_TEST

START_TEST(test_select_sources_dedup)
{
	json_t *kb = load_kb(), *ts = json_pack("{s:{s:s}}", "dependencies", "sqlalchemy", ">=2.0");
	json_t *bp, *src, *seen = json_object(), *s, *g, *pr;
	size_t i, j, nprac = 0;

	ck_assert_int_eq(kb_select(kb, ts, &bp, &src), 0);
	json_array_foreach(src, i, s) {
		const char *u = json_string_value(json_object_get(s, "url"));
		ck_assert_ptr_nonnull(u);
		ck_assert_ptr_nonnull(json_string_value(json_object_get(s, "title")));
		ck_assert_msg(!json_object_get(seen, u), "%s listed twice", u);
		json_object_set_new(seen, u, json_true());
	}
	json_array_foreach(bp, i, g)
		json_array_foreach(json_object_get(g, "practices"), j, pr) {
			nprac++;
			ck_assert(json_object_get(seen, json_string_value(json_object_get(pr, "source"))) != NULL);
		}
	ck_assert_uint_lt(json_array_size(src), nprac); /* some pages back several practices */
	json_decref(seen);
	json_decref(bp);
	json_decref(src);
	json_decref(ts);
	json_decref(kb);
}
END_TEST

START_TEST(test_detect_text)
{
	json_t *kb = load_kb(), *doc;
	json_t *ts = json_pack("{s:s, s:s, s:{s:n}}", "db", "postgresql", "db_version", "16",
			       "dependencies", "psycopg2", NULL);
	char buf[128];
	size_t i;
	int seen = 0;

	json_array_foreach(kb, i, doc) {
		const char *t = json_string_value(json_object_get(doc, "technology"));
		int d = kb_detect(doc, ts, buf, sizeof buf);
		if (!strcmp(t, "postgresql")) {
			ck_assert_int_eq(d, 1);
			ck_assert_str_eq(buf, "==16.*");
			seen++;
		} else if (!strcmp(t, "psycopg")) {
			ck_assert_int_eq(d, 1);
			ck_assert_str_eq(buf, "<3");
			seen++;
		} else if (!strcmp(t, "sqlalchemy")) {
			ck_assert_int_eq(d, 0);
		}
	}
	ck_assert_int_eq(seen, 2);
	json_decref(ts);
	json_decref(kb);
}
END_TEST

/* ---- lookups for the auditors */

START_TEST(test_lookups)
{
	json_t *kb = load_kb(), *bp, *src, *ctx;
	json_t *ts = json_pack("{s:b, s:s, s:s, s:{s:s, s:s}}", "async", 1, "python_version", "3.11",
			       "orm", "sqlalchemy", "dependencies", "sqlalchemy", ">=2.0,<2.1",
			       "fastapi", ">=0.110");
	const json_t *pr;
	const char *url;

	ck_assert_int_eq(kb_select(kb, ts, &bp, &src), 0);
	ctx = json_pack("{s:o, s:o}", "best_practices", bp, "sources", src);
	pr = kb_practice(ctx, "asyncio-to-thread");
	ck_assert_ptr_nonnull(pr);
	ck_assert_str_eq(json_string_value(json_object_get(pr, "technology")), "asyncio");
	ck_assert_ptr_null(kb_practice(ctx, "sqlalchemy14-future-mode"));
	ck_assert_ptr_null(kb_practice(ctx, NULL));
	pr = kb_practice_for_check(ctx, "n_plus_one_query", "sqlalchemy");
	ck_assert_str_eq(json_string_value(json_object_get(pr, "id")), "sqlalchemy-eager-load-relationships");
	pr = kb_practice_for_check(ctx, "blocking_io_in_async", "fastapi");
	ck_assert_str_eq(json_string_value(json_object_get(pr, "technology")), "fastapi");
	pr = kb_practice_for_check(ctx, "blocking_io_in_async", "django"); /* falls back */
	ck_assert_ptr_nonnull(pr);
	ck_assert_ptr_null(kb_practice_for_check(ctx, "no_such_check", NULL));
	url = kb_source_for_check(ctx, "missing_rollback", "sqlalchemy");
	ck_assert_str_eq(url, "https://docs.sqlalchemy.org/en/20/orm/session_transaction.html");
	ck_assert_ptr_nonnull(kb_source_for_check(ctx, "n_plus_one_query", NULL));
	json_decref(ctx);
	ctx = json_pack("{s:s}", "schema", "pperf.context/1"); /* not researched */
	ck_assert_ptr_null(kb_practice_for_check(ctx, "n_plus_one_query", NULL));
	ck_assert_ptr_null(kb_source_for_check(ctx, "n_plus_one_query", NULL));
	json_decref(ctx);
	json_decref(ts);
	json_decref(kb);
}
END_TEST


/* ---- lock files (lib/discover_lock.c) */

static json_t *scan_lock(const char *name, const char *text, int ok)
{
	json_t *locked = json_object();
	const char *msg = NULL;
	ck_assert_int_eq(lock_scan(locked, name, text, strlen(text), &msg), ok ? 0 : -1);
	if (!ok)
		ck_assert_ptr_nonnull(msg);
	return locked;
}

static void expect_locked(const json_t *locked, const char *name, const char *version)
{
	const char *v = json_string_value(json_object_get(locked, name));
	ck_assert_msg(v != NULL, "%s not locked", name);
	ck_assert_str_eq(v, version);
}

START_TEST(test_lock_files)
{
	json_t *l;

	ck_assert(lock_is_file("poetry.lock"));
	ck_assert(lock_is_file("svc/uv.lock"));
	ck_assert(lock_is_file("Pipfile.lock"));
	ck_assert(lock_is_file("web/package-lock.json"));
	ck_assert(!lock_is_file("yarn.lock"));
	ck_assert(!lock_is_file("package.json"));

	l = scan_lock("poetry.lock",
		      "[[package]]\nname = \"SQLAlchemy\"\nversion = \"1.4.52\"\ndescription = \"x\"\n\n"
		      "[package.dependencies]\ngreenlet = {version = \"!=0.4.17\", optional = true}\n\n"
		      "[[package]]\nname = \"typing_extensions\"\nversion = \"4.12.2\"\n", 1);
	expect_locked(l, "sqlalchemy", "1.4.52");
	expect_locked(l, "typing-extensions", "4.12.2");
	ck_assert_ptr_null(json_object_get(l, "greenlet"));
	json_decref(l);

	l = scan_lock("uv.lock",
		      "version = 1\nrequires-python = \">=3.11\"\n\n[[package]]\nname = \"sqlalchemy\"\n"
		      "version = \"2.0.31\"\nsource = { registry = \"https://pypi.org/simple\" }\n"
		      "dependencies = [\n    { name = \"greenlet\", marker = \"x\" },\n]\n\n"
		      "[package.optional-dependencies]\nasyncio = [\n    { name = \"greenlet\" },\n]\n", 1);
	expect_locked(l, "sqlalchemy", "2.0.31");
	ck_assert_uint_eq(json_object_size(l), 1);
	json_decref(l);

	l = scan_lock("Pipfile.lock",
		      "{\"_meta\": {}, \"default\": {\"asyncpg\": {\"version\": \"==0.29.0\"}},"
		      " \"develop\": {\"pytest\": {\"version\": \"==8.0.0\"}}}", 1);
	expect_locked(l, "asyncpg", "0.29.0");
	ck_assert_ptr_null(json_object_get(l, "pytest"));
	json_decref(l);

	l = scan_lock("package-lock.json",
		      "{\"lockfileVersion\": 3, \"packages\": {\"\": {\"name\": \"app\"},"
		      " \"node_modules/@prisma/client\": {\"version\": \"5.14.0\"},"
		      " \"node_modules/pg\": {\"version\": \"8.11.3\"},"
		      " \"node_modules/a/node_modules/pg\": {\"version\": \"7.0.0\"}}}", 1);
	expect_locked(l, "@prisma/client", "5.14.0");
	expect_locked(l, "pg", "8.11.3");
	json_decref(l);

	l = scan_lock("package-lock.json",
		      "{\"lockfileVersion\": 1, \"dependencies\": {\"typeorm\": {\"version\": \"0.3.20\"}}}", 1);
	expect_locked(l, "typeorm", "0.3.20");
	json_decref(l);

	json_decref(scan_lock("Pipfile.lock", "{not json", 0));
	json_decref(scan_lock("package-lock.json", "[1]", 0));
	json_decref(scan_lock("poetry.lock", "[[package]\nname = ", 0));
}
END_TEST

START_TEST(test_lock_attach)
{
	json_t *ts = json_pack("{s:{s:s, s:n}}", "dependencies", "sqlalchemy", ">=1.4", "fastapi");
	json_t *locked = json_pack("{s:s, s:s}", "sqlalchemy", "2.0.31", "greenlet", "3.0.3");
	json_t *none = json_object();

	ck_assert_int_eq(lock_attach(ts, none), 0);
	ck_assert_ptr_null(json_object_get(ts, "locked"));
	ck_assert_int_eq(lock_attach(ts, locked), 0);
	expect_locked(json_object_get(ts, "locked"), "sqlalchemy", "2.0.31");
	ck_assert_uint_eq(json_object_size(json_object_get(ts, "locked")), 1);
	json_decref(ts);
	json_decref(locked);
	json_decref(none);
}
END_TEST

/* ---- the research additions in the context schema */

static const char *const bad_additions[] = {
	"\"best_practices\": {}",
	"\"best_practices\": [1]",
	"\"best_practices\": [{\"practices\": []}]",
	"\"best_practices\": [{\"technology\": \"x\", \"practices\": [{\"id\": \"a\", \"title\": \"t\"}]}]",
	"\"best_practices\": [{\"technology\": \"x\", \"version\": 2, \"practices\": []}]",
	"\"best_practices\": [{\"technology\": \"x\", \"practices\": [{\"id\": \"a\", \"title\": \"t\","
	" \"summary\": \"s\", \"origin\": \"web\"}]}]",
	"\"best_practices\": [{\"technology\": \"x\", \"practices\": [{\"id\": \"a\", \"title\": \"t\","
	" \"summary\": \"s\", \"checks\": [1]}]}]",
	"\"sources\": [{\"title\": \"no url\"}]",
	"\"sources\": [3]",
};

START_TEST(test_context_additions_bad)
{
	char text[1024];
	json_t *doc;
	struct jsonio_err err;

	snprintf(text, sizeof text,
		 "{\"schema\": \"pperf.context/1\", \"codebase_root\": \"/x\", \"tech_stack\": {},"
		 " \"files\": [], %s}", bad_additions[_i]);
	doc = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	memset(&err, 0, sizeof err);
	ck_assert_msg(jsonio_check_context(doc, &err) < 0, "accepted: %s", bad_additions[_i]);
	ck_assert_int_eq(err.status, EXIT_DATA);
	json_decref(doc);
}
END_TEST

START_TEST(test_context_additions_ok)
{
	json_t *doc = json_loads("{\"schema\": \"pperf.context/1\", \"codebase_root\": \"/x\","
				 " \"tech_stack\": {}, \"files\": [], \"best_practices\": [{\"technology\":"
				 " \"x\", \"name\": \"X\", \"version\": null, \"practices\": [{\"id\": \"a\","
				 " \"title\": \"t\", \"summary\": \"s\", \"checks\": [], \"source\": null,"
				 " \"origin\": \"online\"}]}], \"sources\": [\"PostgreSQL manual\","
				 " {\"title\": \"T\", \"url\": \"https://x\"}]}", 0, NULL);
	struct jsonio_err err;
	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(jsonio_check_context(doc, &err), 0);
	json_decref(doc);
}
END_TEST

Suite *suite_research(void)
{
	Suite *s = suite_create("research");
	TCase *vr = tcase_create("verrange");
	TCase *ld = tcase_create("kb_load");
	TCase *sel = tcase_create("kb_select");
	TCase *ctx = tcase_create("context");
	TCase *lk = tcase_create("lock_files");

	tcase_add_loop_test(vr, test_range_membership, 0,
			    (int)(sizeof member_cases / sizeof member_cases[0]));
	tcase_add_loop_test(vr, test_range_bad, 0, (int)(sizeof bad_specs / sizeof bad_specs[0]));
	tcase_add_test(vr, test_version_parse);
	tcase_add_test(vr, test_range_sets);
	tcase_add_test(ld, test_kb_loads);
	tcase_add_loop_test(ld, test_kb_bad, 0, (int)(sizeof bad_kbs / sizeof bad_kbs[0]));
	tcase_add_test(ld, test_kb_summary_and_source_rules);
	tcase_add_test(ld, test_kb_dir_errors);
	tcase_add_test(sel, test_select_sqlalchemy_versions);
	tcase_add_test(sel, test_select_locked_version);
	tcase_add_test(sel, test_select_python_and_drivers);
	tcase_add_test(sel, test_select_other_stacks);
	tcase_add_test(sel, test_select_sources_dedup);
	tcase_add_test(sel, test_detect_text);
	tcase_add_test(sel, test_lookups);
	tcase_add_loop_test(ctx, test_context_additions_bad, 0,
			    (int)(sizeof bad_additions / sizeof bad_additions[0]));
	tcase_add_test(ctx, test_context_additions_ok);
	suite_add_tcase(s, vr);
	suite_add_tcase(s, ld);
	suite_add_tcase(s, sel);
	tcase_add_test(lk, test_lock_files);
	tcase_add_test(lk, test_lock_attach);
	suite_add_tcase(s, ctx);
	suite_add_tcase(s, lk);
	return s;
}
