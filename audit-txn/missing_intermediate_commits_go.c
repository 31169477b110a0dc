/*
 * missing_intermediate_commits, Go
 *
 * What it does: starts from the database.  It takes the triggers of the
 * context (db_config.triggers, found by discover in the .sql files of migrations/)
 * whose function calls pg_notify, and reports a write to such a table on
 * an event the trigger fires on (tx.ExecContext("UPDATE jobs SET progress
 * ..."), an INSERT or DELETE, a GORM Update/Save/Create/Delete of the
 * model stored in that table) made in a loop inside one explicit
 * transaction: between db.BeginTx / GORM db.Begin() and the tx.Commit()
 * after the loop, or inside the function of GORM db.Transaction(...) /
 * pgx.BeginFunc.  The loop must do other work besides the write (another
 * statement, a network call, a sleep, a call of the project).  Loops that
 * commit inside, writes outside a transaction (each autocommits and
 * notifies at once), writes the trigger does not fire on and tables with
 * no NOTIFY trigger are not reported.  The first such write of a
 * transaction is reported.
 *
 * Why it matters: PostgreSQL delivers a NOTIFY when the transaction that
 * raised it commits.  Progress written row by row inside one long
 * transaction reaches the listeners (a dashboard over SSE or a websocket)
 * all at once at the end.
 *
 * Severity: CRITICAL when the project LISTENs on the channel and serves
 * SSE or websockets, HIGH otherwise.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "gotxn.h"
#include "pyfacts.h"
#include "srcfile.h"

#define MAX_TXNS 64
#define MAX_TRIGGERS 64

struct trig {
	const char *name, *table, *event, *channel, *function, *location; /* borrowed from the context */
	const json_t *columns;   /* "UPDATE OF" columns (discover's "columns"), or NULL */
};

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static size_t load_triggers(const json_t *ctx, struct trig *out, size_t max)
{
	const json_t *arr = json_object_get(json_object_get(ctx, "db_config"), "triggers"), *t;
	size_t i, n = 0;
	json_array_foreach(arr, i, t) {
		if (n >= max || !json_is_true(json_object_get(t, "notify")) || !jstr(t, "table"))
			continue;
		out[n].name = jstr(t, "name") ? jstr(t, "name") : "?";
		out[n].table = jstr(t, "table");
		out[n].event = jstr(t, "event");
		out[n].channel = jstr(t, "channel");
		out[n].function = jstr(t, "function");
		out[n].location = jstr(t, "location");
		out[n].columns = json_array_size(json_object_get(t, "columns")) ? json_object_get(t, "columns") : NULL;
		n++;
	}
	return n;
}

/* GORM's default table of model type m: snake_case, plural. */
static void gorm_table(const char *m, char *buf, size_t n)
{
	size_t i, o = 0;
	for (i = 0; m[i] && o + 4 < n; i++) {
		if (i && isupper((unsigned char)m[i]) && !isupper((unsigned char)m[i - 1]))
			buf[o++] = '_';
		buf[o++] = (char)tolower((unsigned char)m[i]);
	}
	buf[o] = '\0';
	if (!o)
		return;
	if (buf[o - 1] == 'y' && o > 1 && !strchr("aeiou", buf[o - 2]))
		snprintf(buf + o - 1, n - o + 1, "ies");
	else if (buf[o - 1] == 's' || buf[o - 1] == 'x' || (o > 1 && buf[o - 1] == 'h' && strchr("cs", buf[o - 2])))
		snprintf(buf + o, n - o, "es");
	else
		snprintf(buf + o, n - o, "s");
}

/* 1 when word w occurs in s as a whole identifier (case-insensitive). */
static int has_word(const char *s, size_t len, const char *w)
{
	size_t wl = strlen(w), i;
	for (i = 0; i + wl <= len; i++)
		if (!strncasecmp(s + i, w, wl) && (i == 0 || !(isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_')) &&
		    (i + wl == len || !(isalnum((unsigned char)s[i + wl]) || s[i + wl] == '_')))
			return 1;
	return 0;
}

/* 1 when the SQL string of token k names one of the trigger's "UPDATE OF"
 * columns: discover's "columns" array, else the columns written after
 * "UPDATE OF " in the event text. */
static int names_column(const struct py_outline *ol, uint32_t k, const struct trig *tg, const char *of)
{
	size_t len, i;
	const char *s = go_string_body(ol->toks, k, &len), *p;
	const json_t *c;
	if (!s)
		return 0;
	json_array_foreach(tg->columns, i, c)
		if (json_string_value(c) && has_word(s, len, json_string_value(c)))
			return 1;
	for (p = of ? of + 10 : ""; *p;) {
		char col[64];
		size_t o = 0;
		while (*p == ' ' || *p == ',')
			p++;
		if (!strncasecmp(p, "OR ", 3) || !strncasecmp(p, "ON ", 3))
			break;
		while (*p && *p != ',' && *p != ' ' && o + 1 < sizeof(col))
			col[o++] = *p++;
		col[o] = '\0';
		if (o && has_word(s, len, col))
			return 1;
	}
	return 0;
}

/* 1 when the trigger fires on the write: its events, and for "UPDATE OF
 * cols" a column named in the call's SQL (GORM updates always count). */
static int fires_on(const struct py_outline *ol, const struct py_call *c, const struct trig *tg,
		    const struct go_write *w)
{
	const char *e = tg->event, *of;
	uint32_t k;
	if (!e || !*e)
		return 1;
	if (!(((w->kinds & GW_UPDATE) && strstr(e, "UPDATE")) || ((w->kinds & GW_INSERT) && strstr(e, "INSERT")) ||
	      ((w->kinds & GW_DELETE) && strstr(e, "DELETE"))))
		return 0;
	of = strstr(e, "UPDATE OF ");
	if ((!of && !tg->columns) || !(w->kinds & GW_UPDATE) || w->gorm)
		return 1;
	/* the call's first SQL string must name one of the columns */
	for (k = c->lparen + 1; k < c->rparen; k++) {
		size_t len;
		if (go_string_body(ol->toks, k, &len))
			return names_column(ol, k, tg, of);
	}
	return 0;
}

static const struct trig *write_trigger(const struct py_outline *ol, const struct py_call *c,
					const struct trig *tg, size_t n, const struct go_write *w)
{
	char table[80];
	size_t i;
	if (w->table[0])
		snprintf(table, sizeof(table), "%s", w->table);
	else if (w->model[0])
		gorm_table(w->model, table, sizeof(table));
	else
		return NULL;
	for (i = 0; i < n; i++) {
		const char *dot = strrchr(tg[i].table, '.');
		if (!strcasecmp(dot ? dot + 1 : tg[i].table, table) && fires_on(ol, c, &tg[i], w))
			return &tg[i];
	}
	return NULL;
}

/* 1 when call c is cheap local work: builtins, conversions, formatting,
 * logging, closing a response body, reading a scanned row. */
static int cheap_call(const struct py_call *c)
{
	static const char *const pkgs[] = { "fmt.", "strings.", "strconv.", "errors.", "log.", "math.", "sort.",
					    "bytes.", "json.", "time.Now", "time.Since", "utf8.", "slices.", "maps.",
					    "zap.", "slog.", "logger.", "context.", NULL };
	static const char *const methods[] = { "Error", "String", "Close", "Scan", "Next", "Err", "Add", "Inc",
					       "Lock", "Unlock", "Rollback", "Commit", "Printf", "Println", "Info",
					       "Infof", "Debug", "Debugf", "Warn", "Warnf", "Errorf", "Sub", "Unix",
					       "Format", NULL };
	size_t k;
	if (!c->callee[0] || c->is_ref)
		return 1;
	if (!strchr(c->callee, '.'))
		return islower((unsigned char)c->name[0]) ? !strcmp(c->name, "append") || !strcmp(c->name, "len") ||
			       !strcmp(c->name, "make") || !strcmp(c->name, "new") || !strcmp(c->name, "copy") ||
			       !strcmp(c->name, "delete") || !strcmp(c->name, "min") || !strcmp(c->name, "max") ||
			       !strcmp(c->name, "string") || !strncmp(c->name, "int", 3) ||
			       !strncmp(c->name, "uint", 4) || !strncmp(c->name, "float", 5) ||
			       !strcmp(c->name, "byte") || !strcmp(c->name, "rune") || !strcmp(c->name, "panic")
							: 1;
	for (k = 0; pkgs[k]; k++)
		if (!strncmp(c->callee, pkgs[k], strlen(pkgs[k])))
			return 1;
	for (k = 0; methods[k]; k++)
		if (!strcmp(c->name, methods[k]))
			return 1;
	return 0;
}

/* ---- the real-time path: LISTEN on the channel, and SSE or websockets */

struct rt_cache {
	char root[1024];
	char channel[128];
	int listens, serves;
};

static int mem_has(const char *s, size_t len, const char *w)
{
	size_t wl = strlen(w), i;
	for (i = 0; i + wl <= len; i++)
		if (s[i] == w[0] && !memcmp(s + i, w, wl))
			return 1;
	return 0;
}

/* Scans the project's Go files once per channel. */
static void realtime(struct check_ctx *cx, const char *channel, int *listens, int *serves)
{
	static struct rt_cache rc;
	const char *root = jstr(cx->context, "codebase_root");
	const json_t *files = json_object_get(cx->context, "files"), *f;
	size_t i;
	char lis[200], q[200];
	*listens = *serves = 0;
	if (!root || !channel)
		return;
	if (!strcmp(rc.root, root) && !strcmp(rc.channel, channel)) {
		*listens = rc.listens;
		*serves = rc.serves;
		return;
	}
	snprintf(lis, sizeof(lis), "LISTEN %s", channel);
	snprintf(q, sizeof(q), "\"%s\"", channel);
	json_array_foreach(files, i, f) {
		const char *p = jstr(f, "path"), *lang = jstr(f, "language");
		struct srcfile sf;
		char full[4096];
		if (!p || !lang || strcmp(lang, "go") || go_txn_skip_path(p))
			continue;
		snprintf(full, sizeof(full), "%s/%s", root, p);
		if (srcfile_load(&sf, full, 0, NULL, NULL) != SRC_OK)
			continue;
		if (mem_has(sf.text, sf.len, lis) || (mem_has(sf.text, sf.len, q) && mem_has(sf.text, sf.len, ".Listen(")))
			*listens = 1;
		if (mem_has(sf.text, sf.len, "text/event-stream") || mem_has(sf.text, sf.len, "http.Flusher") ||
		    mem_has(sf.text, sf.len, "websocket."))
			*serves = 1;
		srcfile_free(&sf);
	}
	snprintf(rc.root, sizeof(rc.root), "%s", root);
	snprintf(rc.channel, sizeof(rc.channel), "%s", channel);
	rc.listens = *listens;
	rc.serves = *serves;
}

static void report(struct check_ctx *cx, const struct go_txn *t, size_t ci, int loop, const struct trig *tg,
		   const struct go_write *w)
{
	const struct py_outline *ol = cx->ol;
	const struct py_call *c = &ol->calls[ci];
	char issue[1600], rec[900], txn[300], rt[200] = "";
	int listens, serves;
	enum severity sev = SEV_HIGH;
	const char *kind = w->kinds & GW_UPDATE ? "UPDATE" : w->kinds & GW_INSERT ? "INSERT" : "DELETE";
	realtime(cx, tg->channel, &listens, &serves);
	if (listens && serves) {
		sev = SEV_CRITICAL;
		snprintf(rt, sizeof(rt), "; the project LISTENs on '%s' and streams to clients (SSE/websocket), "
			 "so the live view stalls", tg->channel);
	}
	if (t->kind == GTX_CALLBACK)
		snprintf(txn, sizeof(txn), "the transaction of `%s` (line %u), which commits only when its function "
			 "returns", t->what, t->line);
	else
		snprintf(txn, sizeof(txn), "the transaction begun by `%s` (line %u) and committed only at line %u",
			 t->what, t->line, ol->calls[t->commit_call].line);
	snprintf(issue, sizeof(issue),
		 "Missing intermediate commits: the %s of %s at line %u, repeated by the loop at line %u, fires "
		 "trigger %s, whose function %s%s calls pg_notify('%s') (%s), but every iteration runs inside %s.  "
		 "PostgreSQL delivers a notification only when its transaction commits, so listeners see no progress "
		 "until the loop ends, then all of it at once%s",
		 kind, w->table[0] ? w->table : w->model, c->line, ol->blocks[loop].line, tg->name,
		 tg->function ? tg->function : "?", tg->function ? "()" : "", tg->channel ? tg->channel : "?",
		 tg->location ? tg->location : "migrations", txn, rt);
	snprintf(rec, sizeof(rec),
		 "If the items need not be atomic, run one short transaction per item or per batch inside the loop "
		 "(BeginTx .. Commit, or %s per batch) so that each commit delivers its notification; if they must "
		 "stay atomic, publish progress outside the transaction: pg_notify('%s', ...) on the pool (autocommit) "
		 "at milestones, keeping the trigger for the final state",
		 t->gorm ? "db.Transaction" : "a helper", tg->channel ? tg->channel : "channel");
	check_report(cx, c->line, c->end_line, sev, issue, rec);
}

/* 1 when the loop body [b,e) of t does work besides write call wi. */
static int loop_works(const struct py_outline *ol, const struct go_types *gt, const struct go_txn *t, size_t wi,
		      uint32_t b, uint32_t e)
{
	size_t ci;
	for (ci = py_first_call_from(ol, b); ci < ol->ncalls && ol->calls[ci].name_begin < e; ci++) {
		const struct py_call *c = &ol->calls[ci];
		char what[96];
		struct go_write w;
		if (ci == wi || c->parent_call == (int)wi || !go_txn_holds(ol, t, ci))
			continue;
		if (go_call_slow(ol, gt, ci, what, sizeof(what)) != GSLOW_NONE || go_call_write(ol, gt, ci, &w) ||
		    !cheap_call(c))
			return 1;
	}
	return 0;
}

/* 1 when t's variable is committed inside the loop body [b,e). */
static int commits_in(const struct py_outline *ol, const struct go_txn *t, uint32_t b, uint32_t e)
{
	size_t ci, l = strlen(t->var);
	if (t->kind != GTX_MANUAL)
		return 0;
	for (ci = py_first_call_from(ol, b); ci < ol->ncalls && ol->calls[ci].name_begin < e; ci++) {
		const char *cl = ol->calls[ci].callee;
		if (!strncmp(cl, t->var, l) && !strcmp(cl + l, ".Commit"))
			return 1;
	}
	return 0;
}

void check_missing_intermediate_commits_go(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct go_txn tx[MAX_TXNS];
	struct trig tg[MAX_TRIGGERS];
	struct go_types *gt;
	size_t n, ntg, i, ci;
	if (go_txn_skip_file(cx->path, cx->toks))
		return;
	ntg = load_triggers(cx->context, tg, MAX_TRIGGERS);
	if (!ntg)
		return;
	n = go_txns_of_file(ol, tx, MAX_TXNS);
	if (!n)
		return;
	if (n > MAX_TXNS)
		n = MAX_TXNS;
	gt = go_types_new(ol);
	for (i = 0; i < n; i++) {
		const struct go_txn *t = &tx[i];
		if (t->kind == GTX_MANUAL && t->commit_call < 0)
			continue; /* committed elsewhere, or never: not ours to judge */
		for (ci = py_first_call_from(ol, t->begin_tok); ci < ol->ncalls && ol->calls[ci].name_begin < t->end_tok;
		     ci++) {
			const struct py_call *c = &ol->calls[ci];
			const struct trig *hit;
			struct go_write w;
			int loop;
			if (!go_txn_holds(ol, t, ci) || !go_call_write(ol, gt, ci, &w))
				continue;
			if (!(hit = write_trigger(ol, c, tg, ntg, &w)))
				continue;
			loop = py_outline_enclosing(ol, c->block, PB_MASK(PB_FOR), 0);
			if (loop < 0 || ol->blocks[loop].body_begin < t->begin_tok)
				continue; /* not repeated inside this transaction */
			if (commits_in(ol, t, ol->blocks[loop].body_begin, ol->blocks[loop].body_end) ||
			    !loop_works(ol, gt, t, ci, ol->blocks[loop].body_begin, ol->blocks[loop].body_end))
				continue;
			report(cx, t, ci, loop, hit, &w);
			break; /* the first such write of the transaction */
		}
	}
	go_types_free(gt);
}
