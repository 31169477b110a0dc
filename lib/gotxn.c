/*
 * gotxn: Go transactions and what runs inside them (see gotxn.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gotxn.h"

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

/* The last component before the method of a callee chain ("HTTP" of
 * "w.HTTP.Post"), copied into buf; "" when the callee is a bare name. */
static const char *prev_component(const char *callee, char *buf, size_t n)
{
	const char *dot = strrchr(callee, '.'), *start;
	size_t l;
	buf[0] = '\0';
	if (!dot)
		return buf;
	start = dot;
	while (start > callee && start[-1] != '.')
		start--;
	l = (size_t)(dot - start);
	if (l >= 2 && !strncmp(dot - 2, "()", 2))
		l -= 2;
	if (l >= n)
		l = n - 1;
	memcpy(buf, start, l);
	buf[l] = '\0';
	return buf;
}

/* Number of arguments of call c. */
static int nargs(const struct py_outline *ol, const struct py_call *c)
{
	const struct py_toks *t = ol->toks;
	uint32_t k;
	int n = 1;
	if (c->is_ref || c->rparen <= c->lparen + 1)
		return 0;
	for (k = c->lparen + 1; k < c->rparen; k++)
		if (t->v[k].depth == t->v[c->lparen].depth + 1 && py_tok_is(t, k, ","))
			n++;
	return n;
}

static int ci_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

/* ---- transactions */

static int is_manual_begin(const char *name)
{
	static const char *const names[] = { "Begin", "BeginTx", "Beginx", "BeginTxx", "MustBegin", "MustBeginTx",
					     NULL };
	return in_list(name, names);
}

static int is_callback_begin(const char *name)
{
	static const char *const names[] = { "Transaction", "BeginFunc", "BeginTxFunc", "RunInTx", NULL };
	return in_list(name, names);
}

/* The variable a statement assigns from call c ("tx" of "tx, err :=
 * db.BeginTx(...)"), into var; 0 when c's value is not assigned to a name. */
static int assigned_var(const struct py_outline *ol, const struct py_call *c, char *var, size_t n)
{
	const struct py_toks *t = ol->toks;
	const struct py_stmt *s = &ol->stmts[c->stmt];
	uint32_t k, b = s->tok_begin;
	int eq = 0;
	if (py_tok_is(t, b, "var"))
		b++;
	if (b >= c->name_begin || t->v[b].kind != PT_NAME)
		return 0;
	for (k = b; k < c->name_begin; k++)
		if (py_tok_is(t, k, ":=") || py_tok_is(t, k, "="))
			eq = 1;
	/* the call must be the whole right-hand side: nothing after its ')' */
	if (!eq || c->rparen + 1 < s->tok_end)
		return 0;
	snprintf(var, n, "%.*s", (int)t->v[b].len, py_tok_text(t, b));
	return strcmp(var, "_") != 0;
}

/* 1 when callee is exactly var + "." + method. */
static int callee_on(const char *callee, const char *var, const char *method)
{
	size_t l = strlen(var);
	return !strncmp(callee, var, l) && callee[l] == '.' && !strcmp(callee + l + 1, method);
}

/* 1 when call c's arguments name var itself (not a field of something). */
static int names_var(const struct py_outline *ol, const struct py_call *c, const char *var)
{
	uint32_t k;
	for (k = c->lparen + 1; k < c->rparen; k++)
		if (ol->toks->v[k].kind == PT_NAME && py_tok_is(ol->toks, k, var) && !py_tok_is(ol->toks, k - 1, ".") &&
		    !py_tok_is(ol->toks, k + 1, "."))
			return 1;
	return 0;
}

/* Fills x with the manual transaction begun by call ci: its variable, and
 * its extent up to the last var.Commit() of the function.  0 when the
 * begin's result is not assigned to a variable. */
static size_t manual_txn(const struct py_outline *ol, size_t ci, struct go_txn *x)
{
	const struct py_call *c = &ol->calls[ci];
	const struct py_block *d;
	size_t cj;
	int commit = -1;
	if (c->func < 0 || !assigned_var(ol, c, x->var, sizeof(x->var)))
		return 0;
	d = &ol->blocks[c->func];
	for (cj = ci + 1; cj < ol->ncalls && ol->calls[cj].name_begin < d->body_end; cj++) {
		const struct py_call *e = &ol->calls[cj];
		char v2[64];
		if (e->is_ref)
			continue;
		if (is_manual_begin(e->name) && e->func == c->func && assigned_var(ol, e, v2, sizeof(v2)) &&
		    !strcmp(v2, x->var))
			break; /* a new transaction in the same variable */
		if (e->deferred)
			continue;
		if (callee_on(e->callee, x->var, "Commit") || (!strcmp(e->name, "Commit") && names_var(ol, e, x->var)))
			commit = (int)cj; /* tx.Commit(), or a helper r.Commit(ctx, tx) */
	}
	x->kind = GTX_MANUAL;
	x->begin_call = (int)ci;
	x->func = x->body = c->func;
	x->commit_call = commit;
	x->begin_stmt = c->stmt;
	x->begin_tok = c->rparen + 1;
	x->end_tok = commit >= 0 ? ol->calls[commit].rparen + 1 : d->body_end;
	x->line = c->line;
	x->end_line = commit >= 0 ? ol->calls[commit].end_line : d->end_line;
	snprintf(x->what, sizeof(x->what), "%s", c->callee);
	return 1;
}

size_t go_txns_of_file(const struct py_outline *ol, struct go_txn *out, size_t max)
{
	int *lit = NULL;
	size_t ci, b, n = 0;
	if (ol->ncalls) {
		lit = malloc(ol->ncalls * sizeof(*lit));
		if (!lit)
			return 0;
		for (ci = 0; ci < ol->ncalls; ci++)
			lit[ci] = -1;
	}
	/* each callback call's function literal (linear: one lookup per literal) */
	for (b = 0; b < ol->nblocks; b++) {
		int c;
		if (ol->blocks[b].kind != PB_DEF || ol->blocks[b].name)
			continue;
		c = go_lit_arg_of(ol, (int)b, NULL);
		if (c >= 0 && lit[c] < 0)
			lit[c] = (int)b;
	}
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		struct go_txn x;
		if (c->is_ref || !strchr(c->callee, '.') || c->func < 0)
			continue;
		memset(&x, 0, sizeof(x));
		if (is_manual_begin(c->name)) {
			if (!manual_txn(ol, ci, &x))
				continue;
			x.gorm = !strcmp(c->name, "Begin") && nargs(ol, c) == 0;
		} else if (is_callback_begin(c->name) && lit[ci] >= 0) {
			const struct py_block *d = &ol->blocks[lit[ci]];
			const char *p = d->nparams ? d->param_texts[d->nparams - 1] : "";
			if (!strcmp(c->name, "Transaction") && !strstr(p, "gorm.DB") && !strstr(p, "sql.Tx") &&
			    !strstr(p, "pgx.Tx") && !strstr(p, "bun.Tx"))
				continue;
			x.kind = GTX_CALLBACK;
			x.gorm = strstr(p, "gorm.DB") != NULL;
			x.begin_call = (int)ci;
			x.func = c->func;
			x.body = lit[ci];
			x.commit_call = -1;
			x.begin_stmt = c->stmt;
			x.begin_tok = d->body_begin;
			x.end_tok = d->body_end;
			x.line = c->line;
			x.end_line = d->end_line;
			snprintf(x.var, sizeof(x.var), "%s", d->nparams ? d->params[d->nparams - 1] : "");
			snprintf(x.what, sizeof(x.what), "%s", c->callee);
		} else {
			continue;
		}
		if (n < max)
			out[n] = x;
		n++;
	}
	free(lit);
	return n;
}

int go_txn_holds(const struct py_outline *ol, const struct go_txn *t, size_t ci)
{
	const struct py_call *c = &ol->calls[ci];
	int d;
	if (c->name_begin < t->begin_tok || c->name_begin >= t->end_tok || c->go_stmt)
		return 0;
	for (d = c->func; d >= 0 && d != t->body; d = ol->blocks[d].parent >= 0 ? ol->blocks[ol->blocks[d].parent].func : -1) {
		int inv;
		if (ol->blocks[d].name)
			return 0; /* a named function declared inside? not ours */
		inv = go_lit_invoked_by(ol, d);
		if (inv >= 0 && ol->calls[inv].go_stmt)
			return 0;
	}
	return d == t->body;
}

/* ---- slow calls */

enum go_slow go_call_slow(const struct py_outline *ol, const struct go_types *gt, size_t ci, char *what,
			  size_t n)
{
	static const char *const http_pkg[] = { "http.Get", "http.Post", "http.Head", "http.PostForm",
						"http.DefaultClient.Do", "http.DefaultClient.Get",
						"http.DefaultClient.Post", "smtp.SendMail", NULL };
	static const char *const http_methods[] = { "Do", "Get", "Post", "Head", "PostForm", NULL };
	static const char *const files[] = { "os.WriteFile", "os.ReadFile", "os.Create", "os.OpenFile",
					     "ioutil.WriteFile", "ioutil.ReadFile", "ioutil.ReadAll", "os.ReadDir",
					     "os.MkdirAll", "os.Rename", "os.Remove", "os.RemoveAll", NULL };
	/* SDK clients whose exported methods are remote calls (not GCS/pubsub
	 * clients, whose Bucket()/Topic() only build handles) */
	static const char *const sdks[] = { "s3.Client", "sqs.Client", "sns.Client", "ses.Client",
					    "sesv2.Client", "dynamodb.Client", "kinesis.Client", "lambda.Client",
					    "eventbridge.Client", "firehose.Client", "stripe.", "sendgrid.Client",
					    "twilio.", NULL };
	const struct py_call *c = &ol->calls[ci];
	const char *rt;
	char prev[64];
	size_t k;
	if (c->is_ref || !c->callee[0])
		return GSLOW_NONE;
	if (!strcmp(c->callee, "time.Sleep")) {
		snprintf(what, n, "`time.Sleep`");
		return GSLOW_SLEEP;
	}
	if (!strcmp(c->callee, "exec.Command") || !strcmp(c->callee, "exec.CommandContext")) {
		snprintf(what, n, "`%s`", c->callee);
		return GSLOW_EXEC;
	}
	if (in_list(c->callee, http_pkg)) {
		snprintf(what, n, "`%s`", c->callee);
		return GSLOW_NET;
	}
	if (in_list(c->callee, files)) {
		snprintf(what, n, "`%s`", c->callee);
		return GSLOW_FILE;
	}
	if (!strchr(c->callee, '.'))
		return GSLOW_NONE;
	rt = gt ? go_types_recv(gt, (int)ci) : NULL;
	if (rt && !strcmp(rt, "http.Client") && in_list(c->name, http_methods)) {
		snprintf(what, n, "`%s` (an *http.Client)", c->callee);
		return GSLOW_NET;
	}
	if (rt && isupper((unsigned char)c->name[0])) {
		for (k = 0; sdks[k]; k++)
			if (!strncmp(rt, sdks[k], strlen(sdks[k]))) {
				snprintf(what, n, "`%s` (a %s)", c->callee, rt);
				return GSLOW_NET;
			}
	}
	if (rt)
		return GSLOW_NONE; /* a known type that is none of these */
	/* unknown receiver type: go by its name, conservatively */
	prev_component(c->callee, prev, sizeof(prev));
	if (!strcmp(c->name, "Do") && nargs(ol, c) == 1 && (ci_contains(prev, "http") || ci_contains(prev, "client"))) {
		snprintf(what, n, "`%s`", c->callee);
		return GSLOW_NET;
	}
	if (in_list(c->name, http_methods) && strcmp(c->name, "Do") && ci_contains(prev, "http") &&
	    nargs(ol, c) >= 1) {
		snprintf(what, n, "`%s`", c->callee);
		return GSLOW_NET;
	}
	return GSLOW_NONE;
}

void go_slow_defs_build(const struct py_outline *ol, const struct go_types *gt, unsigned kinds,
			struct go_slow_defs *sd)
{
	size_t ci;
	int last = -1;
	sd->n = 0;
	for (ci = 0; ci < ol->ncalls && sd->n < GO_SLOW_DEFS; ci++) {
		const struct py_call *c = &ol->calls[ci];
		enum go_slow k;
		char what[96];
		if (c->func < 0 || c->func == last || !ol->blocks[c->func].name)
			continue;
		k = go_call_slow(ol, gt, ci, what, sizeof(what));
		if (k == GSLOW_NONE || !(kinds & (1u << k)))
			continue;
		last = c->func;
		sd->v[sd->n].def = c->func;
		sd->v[sd->n].call = (int)ci;
		sd->v[sd->n].kind = k;
		snprintf(sd->v[sd->n].what, sizeof(sd->v[sd->n].what), "%s", what);
		sd->n++;
	}
}

int go_slow_defs_callee(const struct py_outline *ol, const struct go_types *gt, const struct go_slow_defs *sd,
			size_t ci)
{
	const struct py_call *c = &ol->calls[ci];
	const char *rt = NULL;
	size_t k;
	int dotted = strchr(c->callee, '.') != NULL, typed = 0;
	if (c->is_ref || c->deferred || c->go_stmt || !c->callee[0])
		return -1;
	for (k = 0; k < sd->n; k++) {
		const struct py_block *d = &ol->blocks[sd->v[k].def];
		if (strcmp(d->name, c->name) || sd->v[k].def == c->func)
			continue;
		if (!dotted) {
			if (!d->recv)
				return (int)k;
			continue;
		}
		if (!d->recv)
			continue;
		if (!typed) {
			rt = gt ? go_types_recv(gt, (int)ci) : NULL;
			typed = 1;
		}
		if (rt && !strcmp(rt, d->recv))
			return (int)k;
	}
	return -1;
}

/* ---- writes */

/* Reads the SQL keyword and table of string token tok into w. */
static int sql_write(const struct py_outline *ol, uint32_t tok, struct go_write *w)
{
	size_t len, i = 0, o = 0;
	const char *s = go_string_body(ol->toks, tok, &len);
	char word[16];
	if (!s)
		return 0;
	while (i < len && (isspace((unsigned char)s[i]) || s[i] == '(' || s[i] == '\\'))
		i += s[i] == '\\' ? 2 : 1;
	while (i < len && isalpha((unsigned char)s[i]) && o + 1 < sizeof(word))
		word[o++] = (char)toupper((unsigned char)s[i++]);
	word[o] = '\0';
	if (!strcmp(word, "INSERT") || !strcmp(word, "DELETE")) {
		w->kinds = word[0] == 'I' ? GW_INSERT : GW_DELETE;
		while (i < len && isspace((unsigned char)s[i]))
			i++;
		if (len - i >= 4 && !strncasecmp(s + i, "INTO", 4))
			i += 4;
		else if (len - i >= 4 && !strncasecmp(s + i, "FROM", 4))
			i += 4;
		else
			return 0;
	} else if (!strcmp(word, "UPDATE")) {
		w->kinds = GW_UPDATE;
	} else {
		return 0;
	}
	while (i < len && isspace((unsigned char)s[i]))
		i++;
	if (len - i > 5 && !strncasecmp(s + i, "ONLY", 4) && isspace((unsigned char)s[i + 4]))
		for (i += 4; i < len && isspace((unsigned char)s[i]); i++)
			;
	o = 0;
	while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '"') &&
	       o + 1 < sizeof(w->table)) {
		if (s[i] == '.')
			o = 0; /* schema.table: keep the table */
		else if (s[i] != '"')
			w->table[o++] = (char)tolower((unsigned char)s[i]);
		i++;
	}
	w->table[o] = '\0';
	return 1;
}

/* The receiver text of a callee chain: up to its first call result or the
 * method ("h.db" of "h.db.Model().Where().Update"). */
static void chain_root(const char *callee, char *buf, size_t n)
{
	const char *p = strstr(callee, "()"), *end;
	size_t l;
	if (p) {
		end = p;
		while (end > callee && end[-1] != '.')
			end--;
		if (end > callee)
			end--; /* the dot before the first called component */
	} else {
		end = strrchr(callee, '.');
		if (!end)
			end = callee;
	}
	l = (size_t)(end - callee);
	if (l >= n)
		l = n - 1;
	memcpy(buf, callee, l);
	buf[l] = '\0';
}

/* The model type of a GORM chain's Model(&T{}) / Create(&T{...}) argument,
 * or of the variable it points to (Model(&job), Save(&job) with job a Job),
 * into w->model without its package. */
static void gorm_model(const struct py_outline *ol, const struct go_types *gt, const struct py_call *c,
		       struct go_write *w)
{
	const struct py_toks *t = ol->toks;
	uint32_t k;
	for (k = c->name_begin + 1; k + 3 <= c->rparen; k++) {
		uint32_t j;
		const char *ty, *dot;
		if (!(py_tok_is(t, k, "(") && py_tok_is(t, k + 1, "&") && t->v[k + 2].kind == PT_NAME))
			continue;
		if (!(py_tok_is(t, k - 1, "Model") || py_tok_is(t, k - 1, c->name)))
			continue;
		if (py_tok_is(t, k + 3, ")") && gt) {
			/* a variable: its declared type */
			char name[64];
			snprintf(name, sizeof(name), "%.*s", (int)t->v[k + 2].len, py_tok_text(t, k + 2));
			ty = go_types_of(gt, c->block, k + 2, name);
			if (ty && *ty && !strchr(ty, '[')) {
				dot = strrchr(ty, '.');
				snprintf(w->model, sizeof(w->model), "%s", dot ? dot + 1 : ty);
				return;
			}
			continue;
		}
		for (j = k + 2; j + 2 < c->rparen && t->v[j].kind == PT_NAME && py_tok_is(t, j + 1, "."); j += 2)
			;
		if (t->v[j].kind == PT_NAME && py_tok_is(t, j + 1, "{")) {
			snprintf(w->model, sizeof(w->model), "%.*s", (int)t->v[j].len, py_tok_text(t, j));
			return;
		}
	}
}

int go_call_write(const struct py_outline *ol, const struct go_types *gt, size_t ci, struct go_write *w)
{
	static const char *const sql_methods[] = { "Exec", "ExecContext", "QueryRow", "QueryRowContext", "Query",
						   "QueryContext", "MustExec", "MustExecContext", "NamedExec",
						   "NamedExecContext", NULL };
	static const char *const gorm_methods[] = { "Create", "Save", "Update", "Updates", "UpdateColumn",
						    "UpdateColumns", "Delete", "CreateInBatches", NULL };
	static const char *const db_names[] = { "db", "DB", "Db", "tx", "Tx", "gdb", "orm", "gormDB", "conn",
						NULL };
	const struct py_call *c = &ol->calls[ci];
	const struct py_toks *t = ol->toks;
	char root[96], last[64];
	uint32_t k;
	memset(w, 0, sizeof(*w));
	if (c->is_ref || !strchr(c->callee, '.'))
		return 0;
	if (in_list(c->name, sql_methods)) {
		for (k = c->lparen + 1; k < c->rparen; k++) {
			if (t->v[k].depth != t->v[c->lparen].depth + 1)
				continue;
			if (t->v[k].kind == PT_STRING) {
				if (!sql_write(ol, k, w))
					return 0;
				chain_root(c->callee, w->recv, sizeof(w->recv));
				return 1;
			}
		}
		return 0;
	}
	if (!in_list(c->name, gorm_methods) || nargs(ol, c) < 1)
		return 0;
	{
		const char *rt = gt ? go_types_recv(gt, (int)ci) : NULL;
		const char *dot;
		chain_root(c->callee, root, sizeof(root));
		dot = strrchr(root, '.');
		snprintf(last, sizeof(last), "%.63s", dot ? dot + 1 : root);
		if (!(rt && !strcmp(rt, "gorm.DB")) &&
		    !(!rt && (in_list(last, db_names) || strstr(c->callee, "Model()") || strstr(c->callee, "Table()"))))
			return 0;
	}
	w->gorm = 1;
	w->kinds = c->name[0] == 'C' ? GW_INSERT : c->name[0] == 'D' ? GW_DELETE : GW_UPDATE;
	if (!strcmp(c->name, "Save"))
		w->kinds = GW_INSERT | GW_UPDATE;
	snprintf(w->recv, sizeof(w->recv), "%s", root);
	gorm_model(ol, gt, c, w);
	return 1;
}

int go_txn_skip_path(const char *path)
{
	size_t n = strlen(path);
	if (n >= 8 && !strcmp(path + n - 8, "_test.go"))
		return 1;
	return !strncmp(path, "testdata/", 9) || strstr(path, "/testdata/") || !strncmp(path, "vendor/", 7) ||
	       strstr(path, "/vendor/") || !strncmp(path, "migrations/", 11) || strstr(path, "/migrations/");
}

int go_txn_skip_file(const char *path, const struct py_toks *toks)
{
	size_t i;
	if (go_txn_skip_path(path))
		return 1;
	for (i = 0; toks && i < toks->ncomments; i++) {
		const struct py_tok *c = &toks->comments[i];
		const char *s = toks->src + c->off;
		size_t k;
		if (toks->n && c->off > toks->v[0].off)
			break; /* past the package clause */
		for (k = 0; k + 14 <= c->len; k++)
			if (!strncmp(s + k, "Code generated", 14)) {
				for (k += 14; k + 11 <= c->len; k++)
					if (!strncmp(s + k, "DO NOT EDIT", 11))
						return 1;
				break;
			}
	}
	return 0;
}

int go_call_in_txn(const struct py_outline *ol, size_t ci)
{
	struct go_txn t[32];
	size_t n = go_txns_of_file(ol, t, 32), i;
	for (i = 0; i < n && i < 32; i++)
		if (go_txn_holds(ol, &t[i], ci))
			return 1;
	return 0;
}
