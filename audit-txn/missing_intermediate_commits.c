/*
 * missing_intermediate_commits
 *
 * What it does: starts from the database.  It takes the triggers of the
 * context (db_config.triggers, found by discover in the migrations) whose
 * function calls pg_notify/NOTIFY, maps each trigger's table to the ORM
 * models of the project (__tablename__, or the default table name) and to
 * raw SQL table names, and reports a write to such a table, on an event
 * the trigger fires on (an UPDATE of an attribute of a loaded entity,
 * execute(update(...)), UPDATE in SQL, an INSERT, a DELETE), that repeats
 * inside one transaction:
 *   - in a loop whose iterations do real work (a query, an awaited call, a
 *     call of the project or a library) with no commit in the loop, when
 *     the write updates the same row every time (job.done = i) or the loop
 *     sends its writes as it goes (flush(), an executed statement, a query
 *     that autoflushes);
 *   - or as a sequence: a status written and flushed, work, then the same
 *     column written again (running -> done) before the one commit.
 * The transaction is the implicit one from the first write to its commit,
 * a with session.begin() block (still reported: the listeners wait all the
 * same) or an atomic function.  Commits inside the loop (per item, per
 * batch, every N items), writes the trigger does not fire on, tables
 * without a NOTIFY trigger, quick loops of assignments, Django outside
 * atomic() (autocommit) and transactions the def does not commit are not
 * reported.  The first such write of a transaction is reported, its range
 * running to the flush() that follows it.
 *
 * Why it matters: PostgreSQL delivers a NOTIFY when the transaction that
 * raised it commits.  Progress written row by row and flushed inside one
 * long transaction reaches the listeners (a dashboard over SSE or a
 * websocket) all at once at the end, so the live view shows nothing for
 * the whole run; the row locks are held for as long.
 *
 * Example:
 *     for i, item in enumerate(items):
 *         handle(item)
 *         job.done = i + 1
 *         session.flush()
 *     session.commit()
 *
 * Use instead:
 *     for i, item in enumerate(items):
 *         handle(item)
 *         job.done = i + 1
 *         if i % 20 == 0:
 *             session.commit()      # or every few seconds
 *     session.commit()
 *
 * Severity: CRITICAL when the channel feeds a real-time path (the project
 * LISTENs on it, or serves SSE/WebSocket endpoints), HIGH otherwise.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "pydb.h"
#include "pyfacts.h"
#include "pyindex.h"
#include "pytxn.h"
#include "srcfile.h"

#define MAX_TRIGGERS 128
#define MAX_TXNS 64

struct trig {
	const char *name, *table, *event, *channel, *function, *location; /* borrowed from the context */
	const json_t *columns;   /* "UPDATE OF" columns, or NULL */
};

struct mic {
	struct check_ctx *cx;
	struct py_binds b;
	struct py_index *ix;
	struct trig trig[MAX_TRIGGERS];
	size_t ntrig;
	/* the real-time path, looked up on the first finding of the file */
	int rt_done;
	char endpoint[300];
	signed char lis_done[MAX_TRIGGERS];  /* 0 unknown, 1 found, -1 none */
	char listener[MAX_TRIGGERS][200];
};

/* A notifying write of a def. */
struct nwrite {
	int st;                   /* its statement */
	uint32_t tok;             /* its first token */
	int call;                 /* the write call, -1 for an attribute assignment */
	const struct trig *tg;
	struct py_txn_write w;
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

/* 1 when the trigger's event list ("INSERT OR UPDATE") holds one of kinds. */
static int fires_on(const struct trig *tg, uint8_t kinds)
{
	const char *e = tg->event;
	if (!e || !*e)
		return 1;
	return ((kinds & PTW_UPDATE) && strstr(e, "UPDATE")) || ((kinds & PTW_INSERT) && strstr(e, "INSERT")) ||
	       ((kinds & PTW_DELETE) && strstr(e, "DELETE"));
}

/* 1 when model class cls of the project is stored in table: its
 * __tablename__ / Meta.db_table, or the default name (class lowercased,
 * snake_case, or Django's app_model). */
static int model_on_table(struct py_index *ix, const char *cls, const char *table)
{
	const struct py_model *m = ix ? py_index_model(ix, cls) : NULL;
	char low[80], snake[96];
	size_t i, o = 0, l, tl = strlen(table);
	if (!m)
		return 0;
	if (m->table) {
		const char *dot = strrchr(m->table, '.');
		return !strcasecmp(dot ? dot + 1 : m->table, table);
	}
	for (i = 0; cls[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)cls[i]);
	low[i] = '\0';
	for (i = 0; cls[i] && o + 2 < sizeof(snake); i++) {
		if (i && isupper((unsigned char)cls[i]))
			snake[o++] = '_';
		snake[o++] = (char)tolower((unsigned char)cls[i]);
	}
	snake[o] = '\0';
	if (!strcasecmp(low, table) || !strcasecmp(snake, table))
		return 1;
	l = strlen(low);
	return m->bases && strstr(m->bases, "Model") && tl > l + 1 && table[tl - l - 1] == '_' &&
	       !strcasecmp(table + tl - l, low);
}

/* For a trigger limited to "UPDATE OF cols": 0 when w is an attribute
 * write (job.note = ...) of a column not in the list; 1 otherwise (other
 * writes do not show which columns they set). */
static int sets_column(const struct trig *tg, const struct py_txn_write *w)
{
	const json_t *c;
	size_t i;
	if (!tg->columns || !w->attr[0] || w->kinds != PTW_UPDATE)
		return 1;
	json_array_foreach(tg->columns, i, c)
		if (json_string_value(c) && !strcasecmp(json_string_value(c), w->attr))
			return 1;
	return 0;
}

/* The NOTIFY trigger write w fires, or NULL. */
static const struct trig *write_trigger(const struct mic *m, const struct py_txn_write *w)
{
	size_t i;
	for (i = 0; i < m->ntrig; i++) {
		const struct trig *tg = &m->trig[i];
		if (!fires_on(tg, w->kinds) || !sets_column(tg, w))
			continue;
		if (w->model[0] ? model_on_table(m->ix, w->model, tg->table) : !strcasecmp(w->table, tg->table))
			return tg;
	}
	return NULL;
}

/* ---- work done per iteration */

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

/* 1 when call c is cheap local work: builtins, string/collection methods,
 * logging, clocks, statement builders, constructors. */
static int cheap_call(const struct py_call *c)
{
	static const char *const bare[] = {
		"len", "str", "int", "float", "bool", "round", "abs", "min", "max", "sum", "sorted", "reversed",
		"enumerate", "range", "zip", "dict", "list", "set", "tuple", "frozenset", "isinstance", "issubclass",
		"getattr", "setattr", "hasattr", "repr", "format", "print", "any", "all", "map", "filter", "next",
		"iter", "id", "hash", "type", "super", "divmod", "pow", "chr", "ord", "select", "update", "insert",
		"delete", "text", "and_", "or_", "not_", "func", "literal", "bindparam", "cast", "case", NULL
	};
	static const char *const methods[] = {
		"get", "items", "keys", "values", "append", "extend", "pop", "setdefault", "copy", "strip", "lstrip",
		"rstrip", "lower", "upper", "title", "split", "rsplit", "join", "format", "replace", "startswith",
		"endswith", "encode", "decode", "isoformat", "strftime", "total_seconds", "now", "utcnow", "today",
		"time", "monotonic", "perf_counter", "uuid4", "where", "values", "filter", "filter_by", "order_by",
		"limit", "offset", "returning", "options", "join", "group_by", "having", "label", "in_", "desc",
		"asc", "debug", "info", "warning", "warn", "error", "exception", "critical", "log", "count",
		"index", "add", "discard", "remove", "clear", "sort", "most_common", "isdigit", "zfill", NULL
	};
	const char *last = c->name;
	if (!c->callee[0])
		return 1;
	if (isupper((unsigned char)last[0]))
		return 1;
	if (!strchr(c->callee, '.'))
		return in_list(last, bare);
	return in_list(last, methods) || !strncmp(c->callee, "log.", 4) || !strncmp(c->callee, "logger.", 7) ||
	       !strncmp(c->callee, "logging.", 8) || !strncmp(c->callee, "self.log", 8) ||
	       !strncmp(c->callee, "math.", 5);
}

/* 1 when call ci of def f is work that takes time: a query, an awaited
 * call, a call of the project or of a library that is not cheap. */
static int is_work(const struct py_binds *b, int f, size_t ci)
{
	const struct py_call *c = &b->ol->calls[ci];
	struct py_dbop_info info;
	enum py_dbop op;
	if (c->func != f || c->is_ref)
		return 0;
	op = py_call_dbop(b, ci, &info);
	if (op == DBOP_READ)
		return 1;
	if (op != DBOP_NONE)
		return 0;
	if (c->parent_call >= 0 && py_call_dbop(b, (size_t)c->parent_call, &info) != DBOP_NONE)
		return 0; /* a builder inside a write: execute(update(Job)...) */
	return c->awaited || !cheap_call(c);
}

/* The first work call of def f in tokens [s,e), or -1. */
static long work_in(const struct py_binds *b, int f, uint32_t s, uint32_t e)
{
	const struct py_outline *ol = b->ol;
	size_t ci;
	for (ci = py_first_call_from(ol, s); ci < ol->ncalls && ol->calls[ci].name_begin < e; ci++)
		if (is_work(b, f, ci))
			return (long)ci;
	return -1;
}

/* ---- the real-time path */

/* 1 when the string literal token text s[0..len) holds exactly word. */
static int string_is(const char *s, size_t len, const char *word)
{
	size_t i = 0, q = 0, wl = strlen(word);
	while (i < len && isalpha((unsigned char)s[i]))
		i++;
	while (i < len && (s[i] == '"' || s[i] == '\'') && q < 3) {
		i++;
		q++;
	}
	return len >= i + wl + q && !strncmp(s + i, word, wl) && len == i + wl + q;
}

/* 1 when the string literal token text s[0..len) is "LISTEN channel". */
static int string_listens(const char *s, size_t len, const char *channel)
{
	const char *p = s, *end = s + len;
	size_t cl = strlen(channel);
	while (p < end && isalpha((unsigned char)*p))
		p++; /* prefix letters */
	while (p < end && (*p == '"' || *p == '\''))
		p++;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (end - p < 7 || strncasecmp(p, "LISTEN", 6) || !isspace((unsigned char)p[6]))
		return 0;
	p += 6;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p < end && *p == '"')
		p++;
	return (size_t)(end - p) >= cl && !strncmp(p, channel, cl) &&
	       (p + cl == end || !(isalnum((unsigned char)p[cl]) || p[cl] == '_'));
}

/* 1 when def fn may LISTEN: a request handler (an SSE generator or a
 * websocket endpoint holds the listener), a def that calls add_listener,
 * listen, notifies or poll, or whose name says so.  (Calls on a local
 * asyncpg connection are not call sites of the index.) */
static int listening_fn(const struct py_fn *fn)
{
	unsigned k;
	if (fn->handler || strstr(fn->name, "listen") || strstr(fn->name, "notif") || strstr(fn->name, "subscri"))
		return 1;
	for (k = 0; k < fn->ncalls; k++) {
		const char *c = fn->calls[k].callee, *dot = strrchr(c, '.');
		const char *last = dot ? dot + 1 : c;
		if (!strcmp(last, "add_listener") || !strcmp(last, "listen") || !strcmp(last, "notifies") ||
		    !strcmp(last, "poll"))
			return 1;
	}
	return 0;
}

/* Looks through the string literals of listening defs for the channel
 * handed to add_listener/listen or named by LISTEN; fills buf. */
static int find_listener(struct mic *m, const char *channel, char *buf, size_t n)
{
	const char *root = jstr(m->cx->context, "codebase_root");
	const char *loaded = NULL;
	struct srcfile sf;
	struct py_toks toks;
	const struct py_toks *t = NULL;
	size_t i, k, files = 0;
	int found = 0, have = 0;
	if (!m->ix)
		return 0;
	for (i = 0; i < m->ix->nfns && !found; i++) {
		const struct py_fn *fn = &m->ix->fns[i];
		if (!listening_fn(fn))
			continue;
		if (!loaded || strcmp(loaded, fn->path)) {
			if (++files > 64)
				break;
			char full[4096];
			if (have) {
				py_toks_free(&toks);
				srcfile_free(&sf);
				have = 0;
			}
			loaded = fn->path;
			t = NULL;
			if (!strcmp(fn->path, m->cx->path)) {
				t = m->cx->toks;
			} else if (root) {
				snprintf(full, sizeof(full), "%s/%s", root, fn->path);
				if (srcfile_load(&sf, full, 0, NULL, NULL) != SRC_OK)
					continue;
				if (py_tokenize(&toks, sf.text, sf.len) < 0) {
					srcfile_free(&sf);
					continue;
				}
				have = 1;
				t = &toks;
			}
		}
		for (k = 0; t && k < t->n; k++) {
			const struct py_tok *x = &t->v[k];
			const char *s = py_tok_text(t, k);
			if (x->kind != PT_STRING || x->line < fn->line || x->line > fn->end_line)
				continue;
			if (string_listens(s, x->len, channel)) {
				snprintf(buf, n, "LISTEN %s in %s:%u", channel, fn->path, x->line);
				found = 1;
				break;
			}
			if (string_is(s, x->len, channel) && k >= 2 && py_tok_is(t, k - 1, "(") &&
			    (py_tok_is(t, k - 2, "add_listener") || py_tok_is(t, k - 2, "listen"))) {
				snprintf(buf, n, "%s('%s') in %s:%u", py_tok_is(t, k - 2, "listen") ? "listen" : "add_listener",
					 channel, fn->path, x->line);
				found = 1;
				break;
			}
		}
	}
	if (have) {
		py_toks_free(&toks);
		srcfile_free(&sf);
	}
	return found;
}

/* An SSE or WebSocket endpoint of the project, described in buf. */
static int find_endpoint(struct py_index *ix, char *buf, size_t n)
{
	const struct py_fn *stream = NULL;
	size_t i;
	unsigned k;
	if (!ix)
		return 0;
	for (i = 0; i < ix->nfns; i++) {
		const struct py_fn *fn = &ix->fns[i];
		for (k = 0; k < fn->ndecorators; k++)
			if (strstr(fn->decorators[k], "websocket")) {
				snprintf(buf, n, "WebSocket endpoint %s (%s:%u)", fn->name, fn->path, fn->line);
				return 1;
			}
		for (k = 0; k < fn->nparams; k++)
			if (fn->params[k].ann && strstr(fn->params[k].ann, "WebSocket")) {
				snprintf(buf, n, "WebSocket endpoint %s%s%s (%s:%u)", fn->cls ? fn->cls : "",
					 fn->cls ? "." : "", fn->name, fn->path, fn->line);
				return 1;
			}
		for (k = 0; k < fn->ncalls; k++) {
			const char *c = fn->calls[k].callee, *dot = strrchr(c, '.');
			const char *last = dot ? dot + 1 : c;
			if (!strcmp(last, "EventSourceResponse") || !strcmp(last, "ServerSentEvent")) {
				snprintf(buf, n, "SSE endpoint %s (%s:%u)", fn->name, fn->path, fn->line);
				return 1;
			}
			if (!strcmp(last, "StreamingResponse") && !stream)
				stream = fn;
		}
	}
	if (stream) {
		snprintf(buf, n, "streaming endpoint %s (%s:%u)", stream->name, stream->path, stream->line);
		return 1;
	}
	return 0;
}

/* ---- reporting */

static void describe_txn(const struct py_outline *ol, const struct py_txn *t, const char *fname, char *buf,
			 size_t n)
{
	if (t->kind == PTX_BLOCK)
		snprintf(buf, n, "they run inside `%s` (line %u), which commits only when the block ends at line %u",
			 t->what, t->line, t->end_line);
	else if (t->kind == PTX_DEF)
		snprintf(buf, n, "%s runs in one transaction (%s) that commits only when it returns", fname, t->what);
	else
		snprintf(buf, n, "%s's transaction, opened by `%.80s` at line %u, is committed only at line %u", fname,
			 t->what, t->line, ol->calls[t->end_call].line);
}

/* "status", "progress" or "" after the attribute a write assigns. */
static const char *attr_noun(const char *attr)
{
	static const char *const progress[] = { "done", "progress", "count", "processed", "percent", "completed",
						"step", "stage", "current", "finished", "total", "remaining", "pct",
						NULL };
	size_t i;
	if (strstr(attr, "status") || strstr(attr, "state") || strstr(attr, "phase"))
		return "status";
	for (i = 0; progress[i]; i++)
		if (strstr(attr, progress[i]))
			return "progress";
	return "";
}

static void report(struct mic *m, int f, const struct nwrite *nw, const struct py_txn *t, int loop,
		   unsigned end_line, const char *second)
{
	const struct py_outline *ol = m->cx->ol;
	const struct trig *tg = nw->tg;
	size_t ti = (size_t)(tg - m->trig);
	char issue[2000], rec[1200], fname[200], txn[400], what[200], rt[600] = "", chan[160], ses[140];
	char inloop[48] = "";
	const char *kindw = nw->w.kinds & PTW_UPDATE ? "UPDATE" : nw->w.kinds & PTW_INSERT ? "INSERT" : "DELETE";
	const char *noun = attr_noun(nw->w.attr);
	int async = py_def_async(ol, f);
	enum severity sev;
	snprintf(fname, sizeof(fname), "%s", ol->blocks[f].name ? ol->blocks[f].name : "the function");
	describe_txn(ol, t, fname, txn, sizeof(txn));
	if (nw->w.attr[0])
		snprintf(what, sizeof(what), "%s.%s (line %u)", nw->w.model[0] ? nw->w.model : nw->w.var, nw->w.attr,
			 ol->stmts[nw->st].line);
	else
		snprintf(what, sizeof(what), "%s (line %u)", nw->w.model[0] ? nw->w.model : tg->table,
			 ol->stmts[nw->st].line);
	if (tg->channel)
		snprintf(chan, sizeof(chan), "pg_notify('%s')", tg->channel);
	else
		snprintf(chan, sizeof(chan), "pg_notify/NOTIFY");
	/* the real-time path */
	if (!m->rt_done) {
		m->rt_done = 1;
		if (!find_endpoint(m->ix, m->endpoint, sizeof(m->endpoint)))
			m->endpoint[0] = '\0';
	}
	if (tg->channel && !m->lis_done[ti])
		m->lis_done[ti] = find_listener(m, tg->channel, m->listener[ti], sizeof(m->listener[ti])) ? 1 : -1;
	if (m->lis_done[ti] > 0 || m->endpoint[0]) {
		sev = SEV_CRITICAL;
		snprintf(rt, sizeof(rt), "; the channel feeds a live view (%s%s%s)",
			 m->lis_done[ti] > 0 ? m->listener[ti] : "", m->lis_done[ti] > 0 && m->endpoint[0] ? "; " : "",
			 m->endpoint);
	} else {
		sev = SEV_HIGH;
	}
	if (loop >= 0)
		snprintf(inloop, sizeof(inloop), " in the loop at line %u", ol->blocks[loop].line);
	snprintf(issue, sizeof(issue),
		 "Missing intermediate commits: the %s%s%ss of %s%s fire trigger %s on table %s, whose function "
		 "%s%s calls %s (%s), but nothing is committed between them: %s.  PostgreSQL delivers a "
		 "notification only when its transaction commits, so listeners see no %s while %s runs and then "
		 "every notification at once%s",
		 noun, noun[0] ? " " : "", kindw, what, inloop, tg->name, tg->table,
		 tg->function ? tg->function : "?", tg->function ? "()" : "", chan,
		 tg->location ? tg->location : "migrations", txn, noun[0] ? noun : "change", fname, rt);
	if (second) {
		size_t l = strlen(issue);
		snprintf(issue + l, sizeof(issue) - l, " (%s)", second);
	}
	/* the session to commit: the transaction's, or the receiver of its commit */
	if (t->recv[0])
		snprintf(ses, sizeof(ses), "%s", t->recv);
	else if (t->end_call >= 0 && strchr(ol->calls[t->end_call].callee, '.'))
		snprintf(ses, sizeof(ses), "%.*s", (int)(strrchr(ol->calls[t->end_call].callee, '.') - ol->calls[t->end_call].callee),
			 ol->calls[t->end_call].callee);
	else
		snprintf(ses, sizeof(ses), "session");
	if (t->kind == PTX_IMPLICIT)
		snprintf(rec, sizeof(rec),
			 "Commit at milestones so that each commit delivers the progress so far: `%s%s.commit()` every "
			 "N items or every few seconds (not per row when rows are many), with each item's work "
			 "idempotent so that a rerun can resume; or take the notification out of the trigger and send "
			 "pg_notify('%s', ...) yourself after each commit (or from an outbox row written in the "
			 "transaction and published after it)",
			 async ? "await " : "", ses, tg->channel ? tg->channel : "channel");
	else
		snprintf(rec, sizeof(rec),
			 "If the work need not be atomic, end the transaction per item or per batch (a short "
			 "`%swith %s.begin():` inside the loop) so that each commit delivers its notifications; if it "
			 "must stay atomic, publish progress outside it: pg_notify('%s', ...) on a separate "
			 "autocommit connection at milestones, and keep the trigger for the final state only",
			 async ? "async " : "", ses, tg->channel ? tg->channel : "channel");
	check_report(m->cx, ol->stmts[nw->st].line, end_line, sev, issue, rec);
}

/* ---- the walk */

/* The line where the write at statement st ends: its flush() later in the
 * same body (before any work), else its own last line. */
static unsigned write_end(const struct py_binds *b, int f, int st, uint32_t limit)
{
	const struct py_outline *ol = b->ol;
	struct py_dbop_info info;
	size_t ci;
	for (ci = py_first_call_from(ol, ol->stmts[st].tok_end); ci < ol->ncalls && ol->calls[ci].name_begin < limit;
	     ci++) {
		if (ol->calls[ci].func != f)
			continue;
		if (py_call_dbop(b, ci, &info) == DBOP_FLUSH)
			return ol->calls[ci].end_line;
		if (is_work(b, f, ci) || ol->calls[ci].line > ol->stmts[st].end_line + 6)
			break;
	}
	return ol->stmts[st].end_line;
}

/* 1 when transaction t holds writes that reach the database together:
 * a begin() block or atomic def, or an implicit transaction closed by a
 * commit (Django outside atomic() autocommits). */
static int commits_once(const struct py_txn *t, int django)
{
	if (t->kind != PTX_IMPLICIT)
		return 1;
	return !django && t->end_call >= 0 && t->committed && !t->loop_commit;
}

/* 1 when t is closed inside the body of a loop around the write (each
 * iteration, or each batch, commits). */
static int commits_in_loop(const struct py_outline *ol, const struct py_txn *t, int blk)
{
	uint32_t end = t->kind == PTX_IMPLICIT && t->end_call >= 0 ? ol->calls[t->end_call].name_begin : t->end_tok;
	int l;
	if (t->loop_commit)
		return 1;
	for (l = py_outline_enclosing(ol, blk, PB_MASK(PB_FOR) | PB_MASK(PB_WHILE), 0); l >= 0;
	     l = py_outline_enclosing(ol, ol->blocks[l].parent, PB_MASK(PB_FOR) | PB_MASK(PB_WHILE), 0))
		if (end >= ol->blocks[l].body_begin && end < ol->blocks[l].body_end)
			return 1;
	return 0;
}

/* 1 when the entity write nw updates the same row on every iteration of
 * loop: its variable was loaded before the loop (job.done = i). */
static int same_row(const struct py_outline *ol, const struct nwrite *nw, int loop)
{
	const struct py_block *l = &ol->blocks[loop];
	uint32_t vb, ve;
	int blk = ol->stmts[nw->st].block, k;
	if (nw->call >= 0 || !nw->w.var[0])
		return 0;
	for (k = py_outline_enclosing(ol, blk, PB_MASK(PB_FOR), 0); k >= 0;
	     k = py_outline_enclosing(ol, ol->blocks[k].parent, PB_MASK(PB_FOR), 0))
		if (ol->blocks[k].target && !strcmp(ol->blocks[k].target, nw->w.var))
			return 0;
	return py_last_assign(ol, ol->blocks[blk].func, nw->w.var, nw->tok, &vb, &ve) && vb < l->body_begin;
}

/* 1 when def f sends its pending writes to the database in tokens [s,e):
 * flush(), an executed statement, or a query (autoflush, unless the
 * context turns it off). */
static int flush_point(const struct mic *m, int f, uint32_t s, uint32_t e)
{
	const struct py_outline *ol = m->cx->ol;
	const json_t *af = json_object_get(json_object_get(m->cx->context, "db_config"), "autoflush");
	size_t ci;
	for (ci = py_first_call_from(ol, s); ci < ol->ncalls && ol->calls[ci].name_begin < e; ci++) {
		struct py_dbop_info info;
		enum py_dbop op;
		if (ol->calls[ci].func != f)
			continue;
		op = py_call_dbop(&m->b, ci, &info);
		if (op == DBOP_FLUSH || op == DBOP_UPDATE || op == DBOP_INSERT || op == DBOP_EXEC ||
		    (op == DBOP_READ && !json_is_false(af)) ||
		    (op == DBOP_DELETE && strcmp(ol->calls[ci].name, "delete")) ||
		    (op == DBOP_BULK && strcmp(ol->calls[ci].name, "add_all")))
			return 1;
	}
	return 0;
}

/* Sequence state of one transaction: a status write outside loops,
 * flushed, then work, then another write of the same table. */
struct seq {
	int have;
	struct nwrite first;
	int flushed;
	int work;
	unsigned end_line;
};

static void audit_def(struct mic *m, int f)
{
	const struct py_outline *ol = m->cx->ol;
	const struct py_block *d = &ol->blocks[f];
	struct py_txn tx[MAX_TXNS];
	struct seq sq[MAX_TXNS];
	uint8_t done[MAX_TXNS];
	size_t ntx = py_txns_of_def(&m->b, f, tx, MAX_TXNS), ci;
	int st, django = py_orm_flavor(&m->b, f) == ORM_DJANGO;
	if (!ntx)
		return;
	if (ntx > MAX_TXNS)
		ntx = MAX_TXNS;
	memset(done, 0, sizeof(done));
	memset(sq, 0, sizeof(sq));
	ci = py_first_call_from(ol, d->body_begin);
	st = py_outline_stmt_of_tok(ol, d->body_begin);
	for (; st >= 0 && (size_t)st < ol->nstmts && ol->stmts[st].tok_begin < d->body_end; st++) {
		const struct py_stmt *s = &ol->stmts[st];
		struct nwrite cand[4];
		size_t nc = 0, k;
		if (ol->blocks[s->block].func != f)
			continue;
		memset(cand, 0, sizeof(cand));
		if (py_txn_stmt_write(&m->b, st, &cand[0].w) && (cand[0].tg = write_trigger(m, &cand[0].w))) {
			cand[0].st = st;
			cand[0].tok = s->tok_begin;
			cand[0].call = -1;
			nc = 1;
		}
		while (ci < ol->ncalls && ol->calls[ci].name_begin < s->tok_begin)
			ci++;
		for (; ci < ol->ncalls && ol->calls[ci].name_begin < s->tok_end; ci++) {
			const struct py_call *c = &ol->calls[ci];
			struct py_dbop_info info;
			enum py_dbop op;
			int ti;
			if (c->func != f || (c->is_ref && c->parent_call < 0))
				continue;
			op = py_call_dbop(&m->b, ci, &info);
			ti = py_txn_at(tx, ntx, c->name_begin);
			/* the sequence state of the transaction this call runs in */
			if (ti >= 0 && sq[ti].have) {
				if (op == DBOP_FLUSH || op == DBOP_UPDATE || op == DBOP_INSERT || op == DBOP_DELETE ||
				    op == DBOP_EXEC)
					sq[ti].flushed = 1;
				else if (sq[ti].flushed && is_work(&m->b, f, ci))
					sq[ti].work = 1;
			}
			if (nc < 4 && py_txn_call_write(&m->b, ci, &cand[nc].w) && (cand[nc].tg = write_trigger(m, &cand[nc].w))) {
				cand[nc].st = st;
				cand[nc].tok = c->name_begin;
				cand[nc].call = (int)ci;
				nc++;
			}
		}
		for (k = 0; k < nc; k++) {
			const struct nwrite *nw = &cand[k];
			int ti = py_txn_at(tx, ntx, nw->tok), loop;
			const struct py_txn *t;
			if (ti < 0 || done[ti])
				continue;
			t = &tx[ti];
			if (!commits_once(t, django) || commits_in_loop(ol, t, s->block))
				continue;
			loop = py_outline_enclosing(ol, s->block, PB_MASK(PB_FOR) | PB_MASK(PB_WHILE), 0);
			if (loop >= 0) {
				const struct py_block *lb = &ol->blocks[loop];
				if (!same_row(ol, nw, loop) && !flush_point(m, f, lb->body_begin, lb->body_end))
					continue; /* one row per item, all sent by the final commit: a batch */
				if (work_in(&m->b, f, lb->body_begin, lb->body_end) < 0)
					continue; /* a quick batch of writes, not progress */
				report(m, f, nw, t, loop, write_end(&m->b, f, st, ol->blocks[loop].body_end), NULL);
				done[ti] = 1;
			} else if (!sq[ti].have) {
				sq[ti].have = 1;
				sq[ti].first = *nw;
				sq[ti].flushed = nw->call >= 0;
				sq[ti].end_line = write_end(&m->b, f, st, t->end_tok);
			} else if (sq[ti].first.tg == nw->tg && sq[ti].flushed && sq[ti].work &&
				   !strcmp(sq[ti].first.w.attr, nw->w.attr) && !strcmp(sq[ti].first.w.var, nw->w.var)) {
				/* the same column moves on (running -> done): the first state is never seen */
				char second[120];
				snprintf(second, sizeof(second), "the next one at line %u", s->line);
				report(m, f, &sq[ti].first, t, -1, sq[ti].end_line, second);
				done[ti] = 1;
			}
		}
	}
}

void check_missing_intermediate_commits(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct mic *m;
	size_t i;
	if (!json_array_size(json_object_get(json_object_get(cx->context, "db_config"), "triggers")))
		return;
	m = calloc(1, sizeof(*m));
	if (!m)
		return;
	m->cx = cx;
	m->ntrig = load_triggers(cx->context, m->trig, MAX_TRIGGERS);
	if (!m->ntrig || py_binds_build(&m->b, ol, cx->context) < 0) {
		free(m);
		return;
	}
	m->ix = check_project_index(cx);
	for (i = 0; i < ol->nblocks; i++)
		if (ol->blocks[i].kind == PB_DEF)
			audit_def(m, (int)i);
	py_binds_free(&m->b);
	free(m);
}
