/*
 * report: finding order and duplicates, category merging, scores and
 * notes, Markdown escaping and the executive summary of a
 * pperf.report/1.  No I/O: strings are built in memory (open_memstream).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "score.h"
#include "banned.h"

/* ---- small accessors -------------------------------------------------- */

/* obj[key] when it is a string, else "" (borrowed).  *len gets its length. */
static const char *sget_len(const json_t *obj, const char *key, size_t *len)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	if (!json_is_string(v)) {
		*len = 0;
		return "";
	}
	*len = json_string_length(v);
	return json_string_value(v);
}

static const char *sget(const json_t *obj, const char *key)
{
	size_t len;

	return sget_len(obj, key, &len);
}

/* obj[key] when it is an integer, else 0. */
static long long iget(const json_t *obj, const char *key)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

/* ---- findings --------------------------------------------------------- */

enum severity report_finding_sev(const json_t *f)
{
	return severity_parse(sget(f, "severity"));
}

/* The fields that order and identify a finding, looked up once. */
struct fkey {
	const char *s[4]; /* FK_CHECK, FK_FILE, FK_ISSUE, FK_CATEGORY (borrowed) */
	size_t n[4];
	long long line;
	int sev;
};

enum { FK_CHECK, FK_FILE, FK_ISSUE, FK_CATEGORY };

static void fkey_init(struct fkey *k, const json_t *f)
{
	static const char *const names[] = { "check", "file", "issue", "category" };
	int i;

	for (i = 0; i < 4; i++)
		k->s[i] = sget_len(f, names[i], &k->n[i]);
	k->line = iget(f, "line");
	k->sev = (int)report_finding_sev(f);
}

/* Compares one string field byte by byte, embedded NULs included. */
static int fk_str(const struct fkey *a, const struct fkey *b, int i)
{
	int c = memcmp(a->s[i], b->s[i], a->n[i] < b->n[i] ? a->n[i] : b->n[i]);

	if (c)
		return c;
	return a->n[i] < b->n[i] ? -1 : a->n[i] > b->n[i];
}

static int fk_line(const struct fkey *a, const struct fkey *b)
{
	return a->line < b->line ? -1 : a->line > b->line;
}

/*
 * The duplicate key: check, file, line, issue (and category, which is
 * absent inside one category and keeps categories apart in a report).
 */
static int key_cmp(const struct fkey *a, const struct fkey *b)
{
	int c;

	if ((c = fk_str(a, b, FK_CHECK)) != 0 || (c = fk_str(a, b, FK_FILE)) != 0 ||
	    (c = fk_str(a, b, FK_CATEGORY)) != 0 || (c = fk_line(a, b)) != 0)
		return c;
	return fk_str(a, b, FK_ISSUE);
}

/* Report order: severity, file, line, check, issue. */
static int order_cmp(const struct fkey *a, const struct fkey *b)
{
	int c;

	if (a->sev != b->sev)
		return b->sev - a->sev;
	if ((c = fk_str(a, b, FK_FILE)) != 0 || (c = fk_line(a, b)) != 0 ||
	    (c = fk_str(a, b, FK_CHECK)) != 0)
		return c;
	return fk_str(a, b, FK_ISSUE);
}

int report_finding_cmp(const json_t *a, const json_t *b)
{
	struct fkey ka, kb;

	fkey_init(&ka, a);
	fkey_init(&kb, b);
	return order_cmp(&ka, &kb);
}

int report_finding_same(const json_t *a, const json_t *b)
{
	struct fkey ka, kb;

	fkey_init(&ka, a);
	fkey_init(&kb, b);
	return key_cmp(&ka, &kb) == 0;
}

struct item {
	json_t *f;  /* borrowed from the array */
	struct fkey k;
	size_t idx; /* input position, the last tie-break */
	int dup;
};

static int idx_cmp(const struct item *a, const struct item *b)
{
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int item_report_cmp(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	int c = order_cmp(&a->k, &b->k);

	return c ? c : idx_cmp(a, b);
}

/* Duplicate key, then most severe first, then input order. */
static int item_key_cmp(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	int c = key_cmp(&a->k, &b->k);

	if (c)
		return c;
	c = b->k.sev - a->k.sev;
	return c ? c : idx_cmp(a, b);
}

long report_sort_dedup(json_t *arr)
{
	size_t i, n = json_array_size(arr);
	struct item *it;
	json_t *out;
	long dropped = 0;

	if (n == 0)
		return 0;
	it = calloc(n, sizeof *it);
	out = json_array();
	if (!it || !out)
		goto oom;
	for (i = 0; i < n; i++) {
		it[i].f = json_array_get(arr, i);
		fkey_init(&it[i].k, it[i].f);
		it[i].idx = i;
	}
	qsort(it, n, sizeof *it, item_key_cmp);
	for (i = 1; i < n; i++)
		if (key_cmp(&it[i - 1].k, &it[i].k) == 0)
			it[i].dup = 1;
	qsort(it, n, sizeof *it, item_report_cmp);
	for (i = 0; i < n; i++) {
		if (it[i].dup)
			dropped++;
		else if (json_array_append(out, it[i].f) < 0)
			goto oom;
	}
	if (json_array_clear(arr) < 0 || json_array_extend(arr, out) < 0)
		goto oom; /* cannot fail for a valid array; arr would be empty */
	free(it);
	json_decref(out);
	return dropped;
oom:
	free(it);
	json_decref(out);
	return -1;
}

void report_count(const json_t *arr, unsigned counts[5])
{
	const json_t *f;
	size_t i;

	memset(counts, 0, 5 * sizeof counts[0]);
	json_array_foreach(arr, i, f) {
		enum severity s = report_finding_sev(f);

		if (s != SEV_NONE)
			counts[s]++;
	}
}

/* ---- categories ------------------------------------------------------- */

int report_category_rank(const char *name)
{
	static const char *const order[] = { CAT_QUERY, CAT_TXN, CAT_RUNTIME };
	int i;

	for (i = 0; i < 3; i++)
		if (name && strcmp(name, order[i]) == 0)
			return i;
	return 3;
}

/* The check object of checks with this id (borrowed), or NULL. */
static json_t *check_by_id(const json_t *checks, const char *id)
{
	json_t *c;
	size_t i;

	json_array_foreach(checks, i, c)
		if (strcmp(sget(c, "id"), id) == 0)
			return c;
	return NULL;
}

/* Appends {"id","ran","findings"} to checks.  The new object (borrowed) or NULL. */
static json_t *check_append(json_t *checks, const char *id, int ran, long long nfind)
{
	json_t *c = json_pack("{s:s, s:b, s:I}", "id", id, "ran", ran, "findings",
			      (json_int_t)nfind);

	if (!c || json_array_append_new(checks, c) < 0)
		return NULL;
	return c;
}

/*
 * Copies the documentation strings of check src (pperf-json(5): title,
 * principle, severity, ...) that dst lacks into dst, so the report keeps
 * what the auditors said about their checks.  0 or -1.
 */
static int check_copy_doc(json_t *dst, const json_t *src)
{
	static const char *const keys[] = { "title", "principle", "severity", "effort", "why", "example",
					    "instead" };
	size_t k;

	for (k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		json_t *v = json_object_get(src, keys[k]);

		if (json_is_string(v) && !json_object_get(dst, keys[k]) &&
		    json_object_set(dst, keys[k], v) < 0)
			return -1;
	}
	return 0;
}

int report_merge_checks(json_t *dst, const json_t *src)
{
	const json_t *c;
	size_t i;

	json_array_foreach(src, i, c) {
		const json_t *id = json_object_get(c, "id");
		int ran = json_is_true(json_object_get(c, "ran"));
		long long n = iget(c, "findings");
		json_t *d;

		if (!json_is_string(id))
			continue;
		d = check_by_id(dst, json_string_value(id));
		if (!d) {
			if (!(d = check_append(dst, json_string_value(id), ran, n)) ||
			    check_copy_doc(d, c) < 0)
				return -1;
			continue;
		}
		if (json_object_set_new(d, "ran", json_boolean(ran || json_is_true(
						json_object_get(d, "ran")))) < 0 ||
		    json_object_set_new(d, "findings", json_integer(iget(d, "findings") + n)) < 0 ||
		    check_copy_doc(d, c) < 0)
			return -1;
	}
	/* findings silenced by "pperf: ignore" comments, summed like findings */
	json_array_foreach(src, i, c) {
		json_t *d;
		long long ns = iget(c, "suppressed");
		if (!json_is_string(json_object_get(c, "id")) || !json_object_get(c, "suppressed"))
			continue;
		d = check_by_id(dst, json_string_value(json_object_get(c, "id")));
		if (d && json_object_set_new(d, "suppressed", json_integer(iget(d, "suppressed") + ns)) < 0)
			return -1;
	}
	return 0;
}

int report_recount_checks(json_t *checks, const json_t *findings)
{
	const json_t *f;
	json_t *c;
	size_t i;

	json_array_foreach(checks, i, c)
		if (json_is_object(c) && json_object_set_new(c, "findings", json_integer(0)) < 0)
			return -1;
	json_array_foreach(findings, i, f) {
		const char *id = sget(f, "check");

		c = check_by_id(checks, id);
		if (!c && !(c = check_append(checks, id, 1, 0)))
			return -1;
		if (json_object_set_new(c, "findings", json_integer(iget(c, "findings") + 1)) < 0)
			return -1;
	}
	return 0;
}

struct tally {
	const char *id; /* borrowed */
	unsigned n;
	int rank;       /* most severe finding of the id (for ties) */
};

struct tallies {
	struct tally *v;
	size_t n, cap;
};

/* Counts one more id (first-seen order kept).  0 or -1. */
static int tally_add(struct tallies *t, const char *id, int rank)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].id, id) == 0) {
			t->v[i].n++;
			if (rank > t->v[i].rank)
				t->v[i].rank = rank;
			return 0;
		}
	if (t->n == t->cap) {
		size_t ncap = t->cap ? 2 * t->cap : 8;
		struct tally *nv = realloc(t->v, ncap * sizeof *nv);

		if (!nv)
			return -1;
		t->v = nv;
		t->cap = ncap;
	}
	t->v[t->n].id = id;
	t->v[t->n].n = 1;
	t->v[t->n].rank = rank;
	t->n++;
	return 0;
}

/* Most found first, then most severe, then by id. */
static int tally_cmp(const void *pa, const void *pb)
{
	const struct tally *a = pa, *b = pb;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	if (a->rank != b->rank)
		return b->rank - a->rank;
	return strcmp(a->id, b->id);
}

/* Writes "N sev: id xK, id xK" for the findings of one severity. 0 or -1. */
static int notes_severity(FILE *fp, const json_t *findings, enum severity sev, unsigned n)
{
	static const char *const lower[] = { "", "low", "medium", "high", "critical" };
	struct tallies t = { NULL, 0, 0 };
	const json_t *f;
	size_t i;

	json_array_foreach(findings, i, f)
		if (report_finding_sev(f) == sev && tally_add(&t, sget(f, "check"), sev) < 0) {
			free(t.v);
			return -1;
		}
	if (t.n)
		qsort(t.v, t.n, sizeof *t.v, tally_cmp);
	fprintf(fp, "%u %s: ", n, lower[sev]);
	for (i = 0; i < t.n; i++)
		fprintf(fp, "%s%s x%u", i ? ", " : "", t.v[i].id, t.v[i].n);
	free(t.v);
	return 0;
}

/* Closes a memstream and returns its buffer, or NULL when anything failed. */
static char *memstream_done(FILE *fp, char **buf, int failed)
{
	if (fclose(fp) != 0 || failed) {
		free(*buf);
		return NULL;
	}
	return *buf;
}

char *report_notes(const json_t *findings, const json_t *checks, const char *failure)
{
	unsigned counts[5], notrun = 0;
	const json_t *c;
	char *buf = NULL;
	size_t len, i;
	const char *sep = "";
	int s, failed = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (!fp)
		return NULL;
	report_count(findings, counts);
	json_array_foreach(checks, i, c)
		if (json_is_object(c) && !json_is_true(json_object_get(c, "ran")))
			notrun++;
	if (failure) {
		fprintf(fp, "failed: %s", failure);
		sep = "; ";
	}
	if (counts[1] + counts[2] + counts[3] + counts[4] == 0 && !failure) {
		fputs("no issues found", fp);
		sep = "; ";
	}
	for (s = SEV_CRITICAL; s >= SEV_LOW; s--) {
		if (!counts[s])
			continue;
		fputs(sep, fp);
		failed |= notes_severity(fp, findings, (enum severity)s, counts[s]) < 0;
		sep = "; ";
	}
	if (notrun)
		fprintf(fp, "%s%u check%s not yet run", sep, notrun, notrun == 1 ? "" : "s");
	return memstream_done(fp, &buf, failed);
}

json_t *report_category_new(const char *name, const json_t *findings, const json_t *checks,
			    const char *failure)
{
	unsigned k[5];
	char *notes = report_notes(findings, checks, failure);
	json_t *score, *cat, *ch = checks ? json_deep_copy(checks) : json_array();

	report_count(findings, k);
	score = failure ? json_null()
			: json_real(score_category(k[SEV_CRITICAL], k[SEV_HIGH], k[SEV_MEDIUM],
						   k[SEV_LOW]));
	if (!notes || !ch || !score) {
		free(notes);
		json_decref(ch);
		json_decref(score);
		return NULL;
	}
	cat = json_pack("{s:s, s:s, s:o, s:s, s:I, s:I, s:I, s:I, s:I, s:o}",
			"category", name, "status", failure ? "error" : "ok", "score", score,
			"notes", notes,
			"total_issues", (json_int_t)k[1] + k[2] + k[3] + k[4],
			"critical", (json_int_t)k[SEV_CRITICAL], "high", (json_int_t)k[SEV_HIGH],
			"medium", (json_int_t)k[SEV_MEDIUM], "low", (json_int_t)k[SEV_LOW],
			"checks", ch);
	free(notes);
	return cat; /* json_pack's "o" steals score and ch even on failure */
}

json_t *report_overall_score(const json_t *categories)
{
	const json_t *c;
	double sum = 0;
	unsigned n = 0;
	size_t i;

	json_array_foreach(categories, i, c) {
		const json_t *s = json_object_get(c, "score");

		if (strcmp(sget(c, "status"), "error") == 0 || !json_is_number(s))
			continue;
		sum += json_number_value(s);
		n++;
	}
	return n ? json_real(score_round1(sum / n)) : json_null();
}

/* ---- Markdown --------------------------------------------------------- */

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_punct(char c)
{
	return c > 0x20 && c < 0x7f && !(c >= '0' && c <= '9') &&
	       !((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static size_t run_len(const char *s, size_t i, size_t n, char ch)
{
	size_t j = i;

	while (j < n && s[j] == ch)
		j++;
	return j - i;
}

/*
 * Marks in span[] the bytes of s[0..n) that are inside a code span (or its
 * backtick fences).  Returns 1 when every backtick run is paired.
 */
static int mark_code_spans(const char *s, size_t n, char *span)
{
	size_t i = 0;
	int paired = 1;

	while (i < n) {
		size_t k = run_len(s, i, n, '`'), j;

		if (k == 0) {
			i++;
			continue;
		}
		/* the closing run has exactly k backticks */
		for (j = i + k; j < n;) {
			size_t m = run_len(s, j, n, '`');

			if (m == k)
				break;
			j += m ? m : 1;
		}
		if (j >= n) {
			paired = 0;
			i += k;
			continue;
		}
		memset(span + i, 1, j + k - i);
		i = j + k;
	}
	return paired;
}

/* Emits one line break: "<br>" outside code, a space inside. Returns bytes consumed. */
static size_t put_break(FILE *fp, const char *s, size_t i, size_t n, int code)
{
	fputs(code ? " " : "<br>", fp);
	return (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
}

char *report_md_cell(const char *s)
{
	char *buf = NULL, *span;
	size_t len, n, i = 0;
	int paired;
	FILE *fp;

	if (!s)
		s = "";
	while (is_space(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		n--;
	span = calloc(n + 1, 1);
	if (!span || !(fp = open_memstream(&buf, &len))) {
		free(span);
		return NULL;
	}
	paired = mark_code_spans(s, n, span);
	while (i < n) {
		char c = s[i];
		int code = paired && span[i];

		if (c == '\r' || c == '\n') {
			i += put_break(fp, s, i, n, code);
			continue;
		}
		if (c == '|')
			fputs("\\|", fp);
		else if (c == '`' && !paired)
			fputs("\\`", fp);
		else if (c == '\\' && !code && i + 1 < n && is_punct(s[i + 1]))
			fputs("\\\\", fp);
		else if (c == '<' && !code)
			fputs("\\<", fp);
		else if ((unsigned char)c < 0x20 || c == 0x7f)
			fputc(' ', fp);
		else
			fputc(c, fp);
		i++;
	}
	free(span);
	return memstream_done(fp, &buf, 0);
}

char *report_md_code(const char *s)
{
	size_t i, n, longest = 0, len;
	char *buf = NULL;
	FILE *fp;
	int pad;

	if (!s)
		s = "";
	n = strlen(s);
	for (i = 0; i < n;) {
		size_t k = run_len(s, i, n, '`');

		if (k > longest)
			longest = k;
		i += k ? k : 1;
	}
	if (!(fp = open_memstream(&buf, &len)))
		return NULL;
	pad = n > 0 && (s[0] == '`' || s[n - 1] == '`' || s[0] == ' ');
	if (n > 0) {
		for (i = 0; i <= longest; i++)
			fputc('`', fp);
		if (pad)
			fputc(' ', fp);
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c == '|')
				fputs("\\|", fp);
			else
				fputc(c < 0x20 || c == 0x7f ? ' ' : (char)c, fp);
		}
		if (pad)
			fputc(' ', fp);
		for (i = 0; i <= longest; i++)
			fputc('`', fp);
	}
	return memstream_done(fp, &buf, 0);
}

const char *report_fmt_score(const json_t *score, char *buf, size_t len)
{
	if (json_is_number(score))
		snprintf(buf, len, "%.1f", score_round1(json_number_value(score)));
	else
		snprintf(buf, len, "n/a");
	return buf;
}

/* ---- executive summary ------------------------------------------------ */

static const char *plural(unsigned n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* "1 critical, 4 high and 2 low" for the non-zero counts. */
static void put_severity_list(FILE *fp, const unsigned k[5])
{
	static const char *const lower[] = { "", "low", "medium", "high", "critical" };
	unsigned left = 0;
	int s;

	for (s = SEV_LOW; s <= SEV_CRITICAL; s++)
		left += k[s] != 0;
	for (s = SEV_CRITICAL; s >= SEV_LOW; s--) {
		if (!k[s])
			continue;
		left--;
		fprintf(fp, "%u %s%s", k[s], lower[s], left > 1 ? ", " : left == 1 ? " and " : "");
	}
}

/* Writes the names of the categories whose status is "error", comma separated. */
static void put_failed_names(FILE *fp, const json_t *cats)
{
	const json_t *c;
	unsigned k = 0;
	size_t i;

	json_array_foreach(cats, i, c)
		if (strcmp(sget(c, "status"), "error") == 0)
			fprintf(fp, "%s%s", k++ ? ", " : "", sget(c, "category"));
}

/* First sentence: the overall score and the categories not audited. */
static void summary_score(FILE *fp, const json_t *report)
{
	const json_t *cats = json_object_get(report, "categories"), *c;
	unsigned nok = 0, nerr = 0;
	char num[32];
	size_t i;

	json_array_foreach(cats, i, c) {
		if (strcmp(sget(c, "status"), "error") == 0)
			nerr++;
		else
			nok++;
	}
	if (nok == 0) {
		fputs(nerr ? "No category could be audited (" : "The report covers no category", fp);
		put_failed_names(fp, cats);
		fputs(nerr ? "), so there is no overall score." : ", so there is no overall score.",
		      fp);
		return;
	}
	fprintf(fp, "The overall compliance score is %s/10, the mean of %u audited %s",
		report_fmt_score(json_object_get(report, "overall_score"), num, sizeof num), nok,
		plural(nok, "category", "categories"));
	if (nerr) {
		fprintf(fp, "; %u %s could not be audited (", nerr,
			plural(nerr, "category", "categories"));
		put_failed_names(fp, cats);
		fputs(")", fp);
	}
	fputs(".", fp);
}

/*
 * The ok category with the lowest score (first in order on ties), or NULL
 * when fewer than two categories have a score.
 */
static const json_t *weakest_category(const json_t *report)
{
	const json_t *c, *worst = NULL;
	unsigned n = 0;
	size_t i;

	json_array_foreach(json_object_get(report, "categories"), i, c) {
		const json_t *s = json_object_get(c, "score");

		if (strcmp(sget(c, "status"), "error") == 0 || !json_is_number(s))
			continue;
		n++;
		if (!worst || json_number_value(s) <
			      json_number_value(json_object_get(worst, "score")))
			worst = c;
	}
	return n >= 2 ? worst : NULL;
}

/* Third sentence: the weakest category and the most frequent check. 0 or -1. */
static int summary_worst(FILE *fp, const json_t *findings, const json_t *report)
{
	struct tallies t = { NULL, 0, 0 };
	const json_t *f, *worst = weakest_category(report);
	char num[32], *code;
	size_t i;

	json_array_foreach(findings, i, f)
		if (tally_add(&t, sget(f, "check"), (int)report_finding_sev(f)) < 0) {
			free(t.v);
			return -1;
		}
	if (t.n == 0)
		return 0;
	qsort(t.v, t.n, sizeof *t.v, tally_cmp);
	code = report_md_code(t.v[0].id);
	if (!code) {
		free(t.v);
		return -1;
	}
	if (worst)
		fprintf(fp, " The weakest category is %s (%s/10) and the most frequent issue is %s "
			"(%u %s).", sget(worst, "category"),
			report_fmt_score(json_object_get(worst, "score"), num, sizeof num), code,
			t.v[0].n, plural(t.v[0].n, "finding", "findings"));
	else
		fprintf(fp, " The most frequent issue is %s (%u %s).", code, t.v[0].n,
			plural(t.v[0].n, "finding", "findings"));
	free(code);
	free(t.v);
	return 0;
}

char *report_summary(const json_t *report)
{
	const json_t *findings = json_object_get(report, "findings");
	unsigned k[5], total;
	char *buf = NULL;
	size_t len;
	int failed;
	FILE *fp = open_memstream(&buf, &len);

	if (!fp)
		return NULL;
	report_count(findings, k);
	total = k[1] + k[2] + k[3] + k[4];
	summary_score(fp, report);
	if (total == 0) {
		/* with --baseline or --since the list holds only new or changed
		 * findings: say so rather than claim a clean project */
		json_int_t based = json_integer_value(json_object_get(json_object_get(report, "baseline"), "baselined"));
		json_int_t outside = json_integer_value(json_object_get(json_object_get(report, "changed"), "unchanged"));
		if (based > 0 && outside > 0)
			fputs(" No new issues were found on the changed lines.", fp);
		else if (based > 0)
			fputs(" No new issues were found (every finding is in the baseline).", fp);
		else if (outside > 0)
			fputs(" No issues were found on the changed lines.", fp);
		else
			fputs(" No issues were found.", fp);
	} else {
		fprintf(fp, " The audit found %u %s: ", total, plural(total, "issue", "issues"));
		put_severity_list(fp, k);
		fputs(".", fp);
	}
	failed = summary_worst(fp, findings, report) < 0;
	return memstream_done(fp, &buf, failed);
}
