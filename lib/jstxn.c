/*
 * jstxn: transactions of a TypeScript/JavaScript outline, and the calls
 * that take time inside them.  See jstxn.h.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "jstxn.h"
#include "js/js.h"

/* The text of a token (borrowed) as a NUL-terminated copy in buf. */
static void tok_copy(const struct py_toks *t, size_t i, char *buf, size_t n)
{
	size_t l = t->v[i].len < n - 1 ? t->v[i].len : n - 1;
	memcpy(buf, py_tok_text(t, i), l);
	buf[l] = '\0';
}

/* The inner text of string token i, without its quotes, into buf; 0 when
 * token i is no plain string. */
static int str_inner(const struct py_toks *t, size_t i, char *buf, size_t n)
{
	size_t l;
	if (i >= t->n || t->v[i].kind != PT_STRING || (t->v[i].flags & (PTF_REGEX | PTF_JSX)) || t->v[i].len < 2)
		return 0;
	l = t->v[i].len - 2 < n - 1 ? t->v[i].len - 2 : n - 1;
	memcpy(buf, py_tok_text(t, i) + 1, l);
	buf[l] = '\0';
	return 1;
}

/* 1 when string token i holds an SQL statement starting with word (after
 * blanks), case-insensitive, followed by a non-letter. */
static int str_starts(const struct py_toks *t, size_t i, const char *word)
{
	char buf[64];
	const char *s = buf;
	size_t l = strlen(word);
	if (!str_inner(t, i, buf, sizeof(buf)))
		return 0;
	while (*s && isspace((unsigned char)*s))
		s++;
	return !strncasecmp(s, word, l) && !isalpha((unsigned char)s[l]);
}

/* The receiver of call c ("client" of client.query), into buf; "" when
 * the callee is a bare name. */
static void recv_of(const struct py_call *c, char *buf, size_t n)
{
	const char *dot = strrchr(c->callee, '.');
	size_t l = dot ? (size_t)(dot - c->callee) : 0;
	if (l >= n)
		l = n - 1;
	memcpy(buf, c->callee, l);
	buf[l] = '\0';
}

/* 1 when call c has no arguments. */
static int no_args(const struct py_call *c)
{
	return c->lparen != c->rparen && c->lparen + 1 == c->rparen;
}

/* First argument token of call c, or 0 when none. */
static uint32_t first_arg(const struct py_outline *ol, const struct py_call *c)
{
	(void)ol;
	return c->lparen != c->rparen && c->lparen + 1 < c->rparen ? c->lparen + 1 : 0;
}

/* The SQL word a pg query(...) call sends as its first argument: "BEGIN",
 * "COMMIT", "ROLLBACK" or NULL. */
static const char *pg_control(const struct py_outline *ol, const struct py_call *c)
{
	uint32_t a = first_arg(ol, c);
	if (strcmp(c->name, "query") || !a || !c->callee[0] || !strchr(c->callee, '.'))
		return NULL;
	if (str_starts(ol->toks, a, "BEGIN") || str_starts(ol->toks, a, "START TRANSACTION"))
		return "BEGIN";
	if (str_starts(ol->toks, a, "COMMIT") || str_starts(ol->toks, a, "END"))
		return "COMMIT";
	if (str_starts(ol->toks, a, "ROLLBACK") || str_starts(ol->toks, a, "ABORT"))
		return "ROLLBACK";
	return NULL;
}

int js_txn_control(const struct py_outline *ol, size_t ci)
{
	const struct py_call *c = &ol->calls[ci];
	const char *n = c->name;
	return pg_control(ol, c) || !strcmp(n, "startTransaction") || !strcmp(n, "commitTransaction") ||
	       !strcmp(n, "rollbackTransaction") ||
	       ((!strcmp(n, "commit") || !strcmp(n, "rollback")) && strchr(c->callee, '.'));
}

void js_def_first_param(const struct py_outline *ol, int d, char *buf, size_t n)
{
	const struct py_block *b = &ol->blocks[d];
	buf[0] = '\0';
	const char *p = b->nparams ? b->params[0] : NULL;
	if (p && (isalpha((unsigned char)p[0]) || p[0] == '_' || p[0] == '$'))
		snprintf(buf, n, "%s", p);
}

/* The name a statement's declaration or assignment binds: "trx" of
 * "const trx = await knex.transaction()", "" when none. */
static void stmt_target(const struct py_outline *ol, int si, char *buf, size_t n)
{
	const struct py_toks *t = ol->toks;
	uint32_t i = ol->stmts[si].tok_begin, e = ol->stmts[si].tok_end;
	buf[0] = '\0';
	if (i < e && (py_tok_is(t, i, "const") || py_tok_is(t, i, "let") || py_tok_is(t, i, "var")))
		i++;
	if (i + 1 < e && t->v[i].kind == PT_NAME && (py_tok_is(t, i + 1, "=") || py_tok_is(t, i + 1, ":")))
		tok_copy(t, i, buf, n);
}

/* For every call, the first def passed to it as a direct argument (and
 * its position), one pass over the blocks. */
static void callback_args(const struct py_outline *ol, int *def_of, int *pos_of)
{
	size_t b;
	for (b = 0; b < ol->ncalls; b++)
		def_of[b] = -1;
	for (b = 0; b < ol->nblocks; b++) {
		const struct py_block *bl = &ol->blocks[b];
		if (bl->kind == PB_DEF && bl->arg_of && bl->arg_of <= ol->ncalls &&
		    def_of[bl->arg_of - 1] < 0) {
			def_of[bl->arg_of - 1] = (int)b;
			pos_of[bl->arg_of - 1] = (int)bl->arg_pos;
		}
	}
}

static enum js_txn_api api_of_recv(const char *recv)
{
	char low[96];
	size_t i;
	for (i = 0; recv[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)recv[i]);
	low[i] = '\0';
	if (strstr(low, "prisma"))
		return JTX_PRISMA;
	if (strstr(low, "knex") || strstr(low, "trx"))
		return JTX_KNEX;
	if (strstr(low, "sequelize"))
		return JTX_OTHER;
	return JTX_TYPEORM;
}

/* The library of a callback transaction, from its receiver and the name
 * of the callback's parameter (em/manager: TypeORM, trx: knex); JTX_OTHER
 * when neither tells (Sequelize, Drizzle, a knex instance named db). */
static enum js_txn_api callback_api(const char *recv, const char *param)
{
	enum js_txn_api a = api_of_recv(recv);
	char low[96];
	size_t i;
	if (a != JTX_TYPEORM)
		return a;
	for (i = 0; recv[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)recv[i]);
	low[i] = '\0';
	if (strstr(low, "datasource") || strstr(low, "manager") || strstr(low, "connection") ||
	    !strcmp(param, "em") || strstr(param, "anager"))
		return JTX_TYPEORM;
	if (!strcmp(param, "trx"))
		return JTX_KNEX;
	return JTX_OTHER;
}

/* The last call of def func (or the module, func -1) after token from
 * that commits manual transaction var, before the next begin on var;
 * -1 when none. */
static int find_commit(const struct py_outline *ol, int func, uint32_t from, uint8_t api, const char *var)
{
	size_t ci;
	int last = -1;
	char r[96];
	const struct py_block *fb = func >= 0 ? &ol->blocks[func] : NULL;
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		const char *w;
		if (c->lparen < from || (fb && c->lparen >= fb->body_end))
			continue;
		if (fb ? c->lparen < fb->body_begin : 0)
			continue;
		recv_of(c, r, sizeof(r));
		if (strcmp(r, var))
			continue;
		if (api == JTX_PG)
			w = pg_control(ol, c);
		else if (api == JTX_TYPEORM)
			w = !strcmp(c->name, "startTransaction") ? "BEGIN" : NULL;
		else
			w = NULL;
		if (w && !strcmp(w, "BEGIN") && c->lparen > from)
			break; /* the next transaction on the same connection */
		if (api == JTX_PG)
			w = pg_control(ol, c);
		else if (api == JTX_TYPEORM)
			w = !strcmp(c->name, "commitTransaction") ? "COMMIT" : NULL;
		else
			w = !strcmp(c->name, "commit") ? "COMMIT" : NULL;
		if (w && !strcmp(w, "COMMIT"))
			last = (int)ci;
	}
	return last;
}

size_t js_txns_of_file(const struct py_outline *ol, struct js_txn *out, size_t max)
{
	int *def_of, *pos_of;
	size_t ci, n = 0;
	if (ol->lang != LANG_TS || !ol->ncalls)
		return 0;
	def_of = malloc(ol->ncalls * sizeof(*def_of));
	pos_of = malloc(ol->ncalls * sizeof(*pos_of));
	if (!def_of || !pos_of) {
		free(def_of);
		free(pos_of);
		return 0;
	}
	callback_args(ol, def_of, pos_of);
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		struct js_txn x;
		char r[96];
		const char *ctl;
		memset(&x, 0, sizeof(x));
		x.begin_call = (int)ci;
		x.func = c->func;
		x.commit_call = -1;
		x.line = c->line;
		recv_of(c, r, sizeof(r));
		if ((!strcmp(c->name, "$transaction") || !strcmp(c->name, "transaction")) && r[0] &&
		    def_of[ci] >= 0 && pos_of[ci] <= 1) {
			/* callback form: Prisma interactive, TypeORM, knex, Sequelize */
			const struct py_block *d = &ol->blocks[def_of[ci]];
			x.kind = JTX_CALLBACK;
			x.body = def_of[ci];
			x.begin_tok = d->body_begin;
			x.end_tok = d->body_end;
			x.end_line = d->end_line;
			js_def_first_param(ol, def_of[ci], x.var, sizeof(x.var));
			x.api = c->name[0] == '$' ? JTX_PRISMA : callback_api(r, x.var);
			snprintf(x.what, sizeof(x.what), "%s", c->callee);
		} else if (!strcmp(c->name, "startTransaction") && r[0]) {
			x.kind = JTX_MANUAL;
			x.api = JTX_TYPEORM;
			snprintf(x.var, sizeof(x.var), "%.63s", r);
			snprintf(x.what, sizeof(x.what), "%.70s.startTransaction()", r);
		} else if ((ctl = pg_control(ol, c)) && !strcmp(ctl, "BEGIN")) {
			recv_of(c, x.var, sizeof(x.var));
			x.kind = JTX_MANUAL;
			x.api = JTX_PG;
			snprintf(x.what, sizeof(x.what), "%.70s.query('BEGIN')", r);
		} else if (!strcmp(c->name, "transaction") && r[0] && no_args(c) && c->stmt >= 0) {
			/* knex/Sequelize: const trx = await knex.transaction() */
			stmt_target(ol, c->stmt, x.var, sizeof(x.var));
			if (!x.var[0])
				continue;
			x.kind = JTX_MANUAL;
			x.api = api_of_recv(r) == JTX_OTHER ? JTX_OTHER : JTX_KNEX;
			snprintf(x.what, sizeof(x.what), "%.70s.transaction()", r);
		} else {
			continue;
		}
		if (x.kind == JTX_MANUAL) {
			const struct py_block *fb = c->func >= 0 ? &ol->blocks[c->func] : NULL;
			x.body = c->func;
			x.begin_tok = c->rparen + 1;
			x.commit_call = find_commit(ol, c->func, c->rparen,
						    x.api == JTX_OTHER ? JTX_KNEX : x.api, x.var);
			if (x.commit_call >= 0) {
				x.end_tok = ol->calls[x.commit_call].lparen;
				x.end_line = ol->calls[x.commit_call].line;
			} else {
				x.end_tok = fb ? fb->body_end : (uint32_t)ol->toks->n;
				x.end_line = fb ? fb->end_line : c->line;
			}
		}
		if (n < max)
			out[n] = x;
		n++;
	}
	free(def_of);
	free(pos_of);
	return n;
}

int js_txn_holds(const struct py_outline *ol, const struct js_txn *t, size_t ci)
{
	const struct py_call *c = &ol->calls[ci];
	return (int)ci != t->begin_call && c->lparen >= t->begin_tok && c->lparen < t->end_tok;
}

/* ---- calls that take time ---- */

#define SN_MAX 24
struct js_slow_names {
	char fsrecv[SN_MAX][40]; size_t nfsrecv;    /* fs, fsp, fs.promises */
	char fsfn[SN_MAX][40]; size_t nfsfn;        /* writeFile imported bare */
	char cprecv[SN_MAX][40]; size_t ncprecv;    /* child_process namespace */
	char cpfn[SN_MAX][40]; size_t ncpfn;        /* exec, execFile, execFileAsync */
};

static void add_name(char (*v)[40], size_t *n, const char *s)
{
	if (*n < SN_MAX && s[0]) {
		snprintf(v[*n], 40, "%s", s);
		(*n)++;
	}
}

static int has_name(char (*v)[40], size_t n, const char *s)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

enum mod { MOD_NONE, MOD_FS, MOD_FSP, MOD_CP };

static enum mod mod_of(const char *m)
{
	if (!strncmp(m, "node:", 5))
		m += 5;
	if (!strcmp(m, "fs") || !strcmp(m, "fs-extra") || !strcmp(m, "graceful-fs"))
		return MOD_FS;
	if (!strcmp(m, "fs/promises"))
		return MOD_FSP;
	if (!strcmp(m, "child_process"))
		return MOD_CP;
	return MOD_NONE;
}

/* Binds the names of an import or require of module m: ns the namespace
 * or default name, braces tokens [b, e) the named ones. */
static void bind_names(struct js_slow_names *sn, const struct py_toks *t, enum mod m, const char *ns,
		       uint32_t b, uint32_t e)
{
	uint32_t i;
	if (ns && ns[0]) {
		if (m == MOD_CP)
			add_name(sn->cprecv, &sn->ncprecv, ns);
		else
			add_name(sn->fsrecv, &sn->nfsrecv, ns);
	}
	for (i = b; i < e; i++) {
		char name[40], local[40];
		if (t->v[i].kind != PT_NAME)
			continue;
		tok_copy(t, i, name, sizeof(name));
		snprintf(local, sizeof(local), "%s", name);
		if (i + 2 < e && (py_tok_is(t, i + 1, "as") || py_tok_is(t, i + 1, ":")) &&
		    t->v[i + 2].kind == PT_NAME) {
			tok_copy(t, i + 2, local, sizeof(local));
			i += 2;
		}
		if (!strcmp(name, "type"))
			continue;
		if (m == MOD_FS && !strcmp(name, "promises"))
			add_name(sn->fsrecv, &sn->nfsrecv, local);
		else if (m == MOD_CP)
			add_name(sn->cpfn, &sn->ncpfn, local);
		else
			add_name(sn->fsfn, &sn->nfsfn, local);
	}
}

struct js_slow_names *js_slow_names_new(const struct py_outline *ol)
{
	const struct py_toks *t = ol->toks;
	struct js_slow_names *sn = calloc(1, sizeof(*sn));
	size_t i, ci;
	if (!sn)
		return NULL;
	/* import ... from 'm' */
	for (i = 0; i + 1 < t->n; i++) {
		size_t j, from = 0, lb = 0, rb = 0;
		char mod[48], ns[40];
		enum mod m;
		if (!py_tok_is(t, i, "import") || t->v[i].depth)
			continue;
		for (j = i + 1; j < t->n && j < i + 200; j++) {
			if (t->v[j].kind == PT_NEWLINE || t->v[j].kind == PT_END)
				break;
			if (py_tok_is(t, j, "from") && j + 1 < t->n && t->v[j + 1].kind == PT_STRING) {
				from = j;
				break;
			}
		}
		if (!from || !str_inner(t, from + 1, mod, sizeof(mod)) || (m = mod_of(mod)) == MOD_NONE)
			continue;
		ns[0] = '\0';
		for (j = i + 1; j < from; j++) {
			if (py_tok_is(t, j, "{"))
				lb = j + 1;
			else if (py_tok_is(t, j, "}"))
				rb = j;
			else if (!lb && py_tok_is(t, j, "as") && j + 1 < from)
				tok_copy(t, j + 1, ns, sizeof(ns));
			else if (!lb && j == i + 1 && t->v[j].kind == PT_NAME && !py_tok_is(t, j, "type"))
				tok_copy(t, j, ns, sizeof(ns));
		}
		if (m == MOD_FSP && ns[0]) {
			add_name(sn->fsrecv, &sn->nfsrecv, ns);
			ns[0] = '\0';
		}
		bind_names(sn, t, m, ns, (uint32_t)lb, (uint32_t)(lb ? rb : lb));
	}
	/* const x = require('m') [.promises]; const { a } = require('m') */
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		char mod[48], tgt[40];
		uint32_t a = first_arg(ol, c), s, e;
		enum mod m;
		if (strcmp(c->callee, "require") || !a || !str_inner(t, a, mod, sizeof(mod)) ||
		    (m = mod_of(mod)) == MOD_NONE || c->stmt < 0)
			continue;
		if (m == MOD_FS && c->rparen + 2 < t->n && py_tok_is(t, c->rparen + 1, ".") &&
		    py_tok_is(t, c->rparen + 2, "promises"))
			m = MOD_FSP;
		stmt_target(ol, c->stmt, tgt, sizeof(tgt));
		if (tgt[0]) {
			if (m == MOD_CP)
				add_name(sn->cprecv, &sn->ncprecv, tgt);
			else
				add_name(sn->fsrecv, &sn->nfsrecv, tgt);
			continue;
		}
		s = ol->stmts[c->stmt].tok_begin;
		e = ol->stmts[c->stmt].tok_end;
		if (s < e && (py_tok_is(t, s, "const") || py_tok_is(t, s, "let") || py_tok_is(t, s, "var")) &&
		    py_tok_is(t, s + 1, "{")) {
			uint32_t k = s + 2;
			while (k < e && !py_tok_is(t, k, "}"))
				k++;
			bind_names(sn, t, m, NULL, s + 2, k);
		}
	}
	/* const execFileAsync = promisify(execFile) */
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		char arg[40], tgt[40];
		uint32_t a = first_arg(ol, c);
		if (strcmp(c->name, "promisify") || !a || c->stmt < 0)
			continue;
		arg[0] = '\0';
		if (t->v[a].kind == PT_NAME && py_tok_is(t, a + 1, ")"))
			tok_copy(t, a, arg, sizeof(arg));
		else if (t->v[a].kind == PT_NAME && py_tok_is(t, a + 1, ".") && a + 3 < t->n &&
			 py_tok_is(t, a + 3, ")")) {
			char r[40];
			tok_copy(t, a, r, sizeof(r));
			if (has_name(sn->cprecv, sn->ncprecv, r))
				tok_copy(t, a + 2, arg, sizeof(arg));
		}
		stmt_target(ol, c->stmt, tgt, sizeof(tgt));
		if (!arg[0] || !tgt[0])
			continue;
		if (has_name(sn->cpfn, sn->ncpfn, arg) || !strcmp(arg, "exec") || !strcmp(arg, "execFile"))
			add_name(sn->cpfn, &sn->ncpfn, tgt);
	}
	return sn;
}

void js_slow_names_free(struct js_slow_names *sn)
{
	free(sn);
}

static int in_list(const char *s, const char *const *v)
{
	for (; *v; v++)
		if (!strcmp(s, *v))
			return 1;
	return 0;
}

/* The first component of a dotted callee ("this.x.y" gives "x"). */
static void head_of(const char *callee, char *buf, size_t n)
{
	const char *s = callee, *dot;
	size_t l;
	if (!strncmp(s, "this.", 5))
		s += 5;
	dot = strchr(s, '.');
	l = dot ? (size_t)(dot - s) : strlen(s);
	if (l >= n)
		l = n - 1;
	memcpy(buf, s, l);
	buf[l] = '\0';
}

enum js_slow js_call_slow(const struct py_outline *ol, const struct js_slow_names *sn, size_t ci)
{
	static const char *const http_libs[] = { "axios", "got", "ky", "superagent", "needle", "undici",
						 NULL };
	static const char *const http_verbs[] = { "get", "post", "put", "patch", "delete", "head", "request",
						  "options", NULL };
	static const char *const nest_http[] = { "httpService", "http", "httpClient", NULL };
	static const char *const s3_ops[] = { "putObject", "getObject", "upload", "deleteObject",
					      "copyObject", "deleteObjects", "headObject", NULL };
	static const char *const exec_fns[] = { "exec", "execFile", "spawn", "execSync", "execFileSync",
						"spawnSync", "fork", NULL };
	const struct py_call *c = &ol->calls[ci];
	char head[64], r[96];
	int bare = !strchr(c->callee, '.');
	if (!c->callee[0] || c->is_ref)
		return JSLOW_NONE;
	head_of(c->callee, head, sizeof(head));
	recv_of(c, r, sizeof(r));
	/* network */
	if (!strcmp(c->callee, "fetch") || !strcmp(c->callee, "globalThis.fetch") ||
	    !strcmp(c->callee, "window.fetch") || !strcmp(c->callee, "undici.fetch"))
		return JSLOW_NET;
	if (in_list(head, http_libs) && (bare || in_list(c->name, http_verbs)))
		return JSLOW_NET;
	if ((!strcmp(r, "http") || !strcmp(r, "https")) &&
	    (!strcmp(c->name, "request") || !strcmp(c->name, "get")))
		return JSLOW_NET;
	if (!strncmp(c->callee, "this.", 5) && in_list(head, nest_http) && in_list(c->name, http_verbs))
		return JSLOW_NET;
	if (!strcmp(c->name, "send") && r[0]) {
		/* AWS SDK v3: client.send(new PutObjectCommand(...)) */
		size_t k;
		for (k = ci + 1; k < ol->ncalls && ol->calls[k].lparen < c->rparen; k++) {
			const struct py_call *a = &ol->calls[k];
			size_t l = strlen(a->name);
			if (a->parent_call == (int)ci && a->arg_index == 0 && js_call_is_new(a) && l > 7 &&
			    !strcmp(a->name + l - 7, "Command"))
				return JSLOW_NET;
		}
	}
	if (!strcmp(c->name, "sendMail") && r[0])
		return JSLOW_NET;
	if (!strcmp(head, "stripe") && !bare && strcmp(c->name, "constructEvent") &&
	    strcmp(c->name, "generateTestHeaderString"))
		return JSLOW_NET;
	if ((!strcmp(head, "s3") || !strcmp(head, "s3Client")) && in_list(c->name, s3_ops))
		return JSLOW_NET;
	/* child processes */
	if (bare && (has_name((char (*)[40])sn->cpfn, sn->ncpfn, c->callee) || !strcmp(c->callee, "execa")))
		return JSLOW_EXEC;
	if (!bare && has_name((char (*)[40])sn->cprecv, sn->ncprecv, r) && in_list(c->name, exec_fns))
		return JSLOW_EXEC;
	/* files */
	if (bare && has_name((char (*)[40])sn->fsfn, sn->nfsfn, c->callee))
		return JSLOW_FILE;
	if (!bare && (has_name((char (*)[40])sn->fsrecv, sn->nfsrecv, r) || !strcmp(r, "fs.promises") ||
		      !strcmp(r, "fsPromises"))) {
		if (!strcmp(c->name, "existsSync"))
			return JSLOW_NONE;
		return JSLOW_FILE;
	}
	if (!bare) {
		const char *dot = strchr(r, '.');
		if (dot && !strcmp(dot, ".promises")) {
			char base[40];
			size_t l = (size_t)(dot - r);
			if (l > sizeof(base) - 1)
				l = sizeof(base) - 1;
			memcpy(base, r, l);
			base[l] = '\0';
			if (has_name((char (*)[40])sn->fsrecv, sn->nfsrecv, base))
				return JSLOW_FILE;
		}
	}
	/* sleeps */
	if ((!strcmp(c->callee, "sleep") || !strcmp(c->callee, "delay")) && c->awaited)
		return JSLOW_SLEEP;
	if (!strcmp(c->name, "setTimeout") &&
	    (bare || !strcmp(r, "timers") || !strcmp(r, "timersPromises"))) {
		if (c->awaited)
			return JSLOW_SLEEP;
		if (c->parent_call >= 0 && !strcmp(ol->calls[c->parent_call].callee, "new Promise") &&
		    ol->calls[c->parent_call].awaited)
			return JSLOW_SLEEP;
	}
	return JSLOW_NONE;
}

const char *js_slow_word(enum js_slow s)
{
	switch (s) {
	case JSLOW_NET: return "network call";
	case JSLOW_FILE: return "file I/O";
	case JSLOW_SLEEP: return "sleep";
	case JSLOW_EXEC: return "child process";
	default: return "call";
	}
}

/* ---- real-time consumers of a NOTIFY channel ---- */

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long sz;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 && sz < (1L << 24) &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)sz + 1))) {
		*len = fread(buf, 1, (size_t)sz, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/* 1 when text holds "LISTEN <channel>" (any case, quotes allowed). */
static int listens(const char *text, const char *channel)
{
	const char *p = text;
	size_t cl = strlen(channel);
	while ((p = strcasestr(p, "listen")) != NULL) {
		const char *q = p + 6;
		while (*q == ' ' || *q == '"')
			q++;
		if (q > p + 6 && !strncmp(q, channel, cl) && !isalnum((unsigned char)q[cl]) && q[cl] != '_')
			return 1;
		p += 6;
	}
	return 0;
}

static int streams(const char *text)
{
	return strstr(text, "text/event-stream") || strstr(text, "@Sse(") ||
	       strstr(text, "WebSocketGateway") || strstr(text, "from 'ws'") || strstr(text, "from \"ws\"") ||
	       strstr(text, "require('ws')") ||
	       strstr(text, "socket.io") || strstr(text, "WebSocketServer");
}

int js_project_realtime(const struct json_t *context, const char *channel, char *where, size_t n)
{
	static char cached_channel[128], cached_where[256];
	static const void *cached_ctx;
	static int cached = -1;
	const json_t *ctx = (const json_t *)context;
	const char *root = json_string_value(json_object_get(ctx, "codebase_root"));
	const json_t *f;
	size_t i;
	int listen_seen = 0, stream_seen = 0;
	if (!channel || !channel[0] || !root)
		return 0;
	if (cached >= 0 && cached_ctx == context && !strcmp(cached_channel, channel)) {
		snprintf(where, n, "%s", cached_where);
		return cached;
	}
	cached_where[0] = '\0';
	json_array_foreach(json_object_get(ctx, "files"), i, f) {
		const char *lang = json_string_value(json_object_get(f, "language"));
		const char *path = json_string_value(json_object_get(f, "path"));
		char full[4096];
		char *text;
		size_t len = 0;
		if (!lang || !path || (strcmp(lang, "typescript") && strcmp(lang, "javascript")))
			continue;
		snprintf(full, sizeof(full), "%s/%s", root, path);
		if (!(text = read_all(full, &len)))
			continue;
		if (!listen_seen && listens(text, channel)) {
			listen_seen = 1;
			snprintf(cached_where, sizeof(cached_where), "LISTEN %.60s in %.150s", channel, path);
		}
		if (!stream_seen && streams(text))
			stream_seen = 1;
		free(text);
		if (listen_seen && stream_seen)
			break;
	}
	cached_ctx = context;
	snprintf(cached_channel, sizeof(cached_channel), "%s", channel);
	cached = listen_seen && stream_seen;
	snprintf(where, n, "%s", cached_where);
	return cached;
}

/* ---- names and data flow within a function ---- */

size_t js_stmt_bound_names(const struct py_outline *ol, int si, char (*out)[64], size_t max)
{
	const struct py_toks *t = ol->toks;
	uint32_t i, e, depth0;
	size_t n = 0;
	if (si < 0 || (size_t)si >= ol->nstmts)
		return 0;
	i = ol->stmts[si].tok_begin;
	e = ol->stmts[si].tok_end;
	if (i < e && (py_tok_is(t, i, "const") || py_tok_is(t, i, "let") || py_tok_is(t, i, "var")))
		i++;
	if (i >= e)
		return 0;
	if (t->v[i].kind == PT_NAME && i + 1 < e && (py_tok_is(t, i + 1, "=") || py_tok_is(t, i + 1, ":"))) {
		if (max)
			tok_copy(t, i, out[n++], 64);
		return n;
	}
	if (!py_tok_is(t, i, "{") && !py_tok_is(t, i, "["))
		return 0;
	depth0 = t->v[i].depth;
	for (i = i + 1; i < e && t->v[i].depth > depth0; i++) {
		if (t->v[i].kind != PT_NAME || (i + 1 < e && py_tok_is(t, i + 1, ":")))
			continue;
		if (n < max)
			tok_copy(t, i, out[n++], 64);
	}
	/* the pattern must be assigned: followed by '=' */
	return i + 1 < e && py_tok_is(t, i + 1, "=") ? n : 0;
}

int js_range_uses(const struct py_outline *ol, uint32_t b, uint32_t e, const char *name)
{
	const struct py_toks *t = ol->toks;
	size_t l = strlen(name);
	uint32_t i;
	for (i = b; i < e && i < t->n; i++) {
		if (t->v[i].kind != PT_NAME || t->v[i].len != l || memcmp(py_tok_text(t, i), name, l))
			continue;
		if (i > 0 && (py_tok_is(t, i - 1, ".") || py_tok_is(t, i - 1, "?.")))
			continue;
		/* an object key ({ show: x }), unless shorthand ({ show }) */
		if (i + 1 < t->n && py_tok_is(t, i + 1, ":") && i > 0 &&
		    (py_tok_is(t, i - 1, "{") || py_tok_is(t, i - 1, ",")))
			continue;
		return 1;
	}
	return 0;
}

int js_call_in_txn_batch(const struct py_outline *ol, size_t ci)
{
	int p = ol->calls[ci].parent_call;
	while (p >= 0) {
		const char *nm = ol->calls[p].name;
		if (!strcmp(nm, "$transaction") || !strcmp(nm, "transaction") || !strcmp(nm, "batch"))
			return 1;
		p = ol->calls[p].parent_call;
	}
	return 0;
}
