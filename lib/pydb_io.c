/*
 * pydb_io: network and file calls, row loops and the ORM flavour of a file.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pydb.h"
#include "pydb_p.h"

/* ---- network and files */

static int is_http_verb(const char *m)
{
	static const char *const verbs[] = { "get", "post", "put", "patch", "delete", "head", "options",
					     "request", "stream", "send", "fetch", "ws_connect", "urlopen",
					     NULL };
	return pydb_in_list(m, verbs);
}

/* The call whose is_ref argument ci is handed to an offloading function
 * (to_thread(requests.get, url)) counts as a call. */
static int effective_ref(const struct py_outline *ol, const struct py_call *c)
{
	return c->is_ref && c->parent_call >= 0 && c->arg_index == 0 &&
	       py_is_offload_callee(ol->calls[c->parent_call].callee);
}

/* 1 when the qualified callee q is a module-level network function. */
static int module_network(const char *q, const char *m)
{
	static const char *const modules[] = { "requests", "httpx", NULL };
	static const char *const direct[] = { "urllib.request.urlopen", "urllib.request.urlretrieve",
					      "aiohttp.request", "urllib3.request", "smtplib.SMTP",
					      "smtplib.SMTP_SSL", "socket.create_connection",
					      "aiosmtplib.send", "http.client.HTTPSConnection",
					      "http.client.HTTPConnection", NULL };
	size_t i;
	for (i = 0; modules[i]; i++) {
		size_t l = strlen(modules[i]);
		if (!strncmp(q, modules[i], l) && q[l] == '.' && !strchr(q + l + 1, '.') && is_http_verb(m))
			return 1;
	}
	if (pydb_in_list(q, direct))
		return 1;
	if (!strncmp(q, "stripe.", 7) && strchr(q + 7, '.'))
		return 1;
	return !strncmp(q, "boto3.client().", 15) || !strncmp(q, "boto3.resource().", 17);
}

/* 1 when a binding of kind PBK_HTTP is a plain web client (httpx,
 * requests, aiohttp, urllib3), whose non-verb methods stay local. */
static int web_type(const char *ty)
{
	return strstr(ty, "httpx") || strstr(ty, "requests") || strstr(ty, "aiohttp") || strstr(ty, "urllib3") ||
	       strstr(ty, "ClientSession");
}

static int web_client(const struct py_bind *bd)
{
	return !bd->type || web_type(bd->type);
}

/* The leading name of a receiver chain ("self.s3" of "self.s3.bucket()"),
 * into buf. */
static void recv_root(const char *recv, char *buf, size_t n)
{
	size_t l = strcspn(recv, ".([");
	if (!strncmp(recv, "self.", 5))
		l = 5 + strcspn(recv + 5, ".([");
	snprintf(buf, n, "%.*s", (int)l, recv);
}

int py_call_is_network(const struct py_binds *b, size_t ci, char *what, size_t n)
{
	static const char *const names[] = { "http", "_http", "http_client", "_http_client", "httpx_client",
					     "http_session", "_http_session", "requests_session", NULL };
	const struct py_call *c = &b->ol->calls[ci];
	const struct py_bind *bd;
	char q[320], recv[256], root[256];
	const char *m = c->name;
	if ((c->is_ref && !effective_ref(b->ol, c)) || !c->callee[0])
		return 0;
	py_binds_qualify(b, c->callee, q, sizeof(q));
	snprintf(what, n, "%s", q);
	if (module_network(q, m))
		return 1;
	pydb_strip_last(c->callee, recv, sizeof(recv));
	if (!recv[0] || !strcmp(m, "close") || !strcmp(m, "aclose") || !strncmp(m, "__", 2))
		return 0;
	if (strchr(recv, '(')) {
		/* httpx.AsyncClient().get(...), storage.Client().bucket(b).blob(p).upload_from_string() */
		char rq[320];
		py_binds_qualify(b, recv, rq, sizeof(rq));
		if (pydb_is_http_ctor(rq))
			return is_http_verb(m) || !web_type(rq);
	}
	bd = strchr(recv, '(') ? NULL : py_binds_find(b, c->block, recv, c->name_begin);
	if (bd && bd->kind == PBK_HTTP) {
		if (web_client(bd) && !is_http_verb(m))
			return 0;
		snprintf(what, n, "%s.%s", bd->type ? bd->type : recv, m);
		return 1;
	}
	recv_root(recv, root, sizeof(root));
	if (strcmp(root, recv)) {
		/* an SDK client's sub-objects: s3.Bucket(x).upload_file(), client.messages.create() */
		const struct py_bind *rb = py_binds_find(b, c->block, root, c->name_begin);
		if (rb && rb->kind == PBK_HTTP && !web_client(rb)) {
			snprintf(what, n, "%s (%s)", q, rb->type ? rb->type : root);
			return 1;
		}
	}
	return (!bd || bd->kind == PBK_NONE || bd->kind == PBK_LOCAL) && pydb_in_list(pydb_last(recv), names) &&
	       is_http_verb(m);
}

int py_call_is_file_io(const struct py_binds *b, size_t ci, char *what, size_t n)
{
	static const char *const direct[] = { "open", "io.open", "gzip.open", "bz2.open", "lzma.open",
					      "codecs.open", "aiofiles.open", "tarfile.open",
					      "zipfile.ZipFile", "shutil.copy", "shutil.copy2",
					      "shutil.copyfile", "shutil.copyfileobj", "shutil.move",
					      "shutil.rmtree", "shutil.copytree", "os.remove", "os.unlink",
					      "os.rename", "os.replace", "PIL.Image.open", NULL };
	static const char *const methods[] = { "read_text", "read_bytes", "write_text", "write_bytes",
					       NULL };
	const struct py_call *c = &b->ol->calls[ci];
	char q[320], recv[256];
	if ((c->is_ref && !effective_ref(b->ol, c)) || !c->callee[0])
		return 0;
	py_binds_qualify(b, c->callee, q, sizeof(q));
	snprintf(what, n, "%s", q);
	if (pydb_in_list(q, direct))
		return 1;
	pydb_strip_last(c->callee, recv, sizeof(recv));
	if (!recv[0])
		return 0;
	if (pydb_in_list(c->name, methods))
		return 1;
	if (!strcmp(c->name, "open")) {
		const struct py_bind *bd = strchr(recv, '(') ? NULL : py_binds_find(b, c->block, recv, c->name_begin);
		if (bd && (bd->kind == PBK_SESSION || bd->kind == PBK_HTTP || bd->kind == PBK_FACTORY))
			return 0;
		if (strstr(recv, "webbrowser") || strstr(recv, "socket") || strstr(recv, "ws"))
			return 0;
		return 1;
	}
	return 0;
}

/* ---- loops */

int py_call_row_loop(const struct py_outline *ol, const struct py_call *c)
{
	int loop = py_call_loop(ol, c);
	while (loop >= 0 && ol->blocks[loop].kind == PB_WHILE)
		loop = py_outline_enclosing(ol, ol->blocks[loop].parent, PB_LOOPS, 0);
	return loop;
}

/* 1 when tokens [b,e) are one bracketed display of at most 16 constants
 * or names ([A, B, C], ("open", "closed")): a fixed, small collection. */
static int const_literal(const struct py_toks *t, uint32_t b, uint32_t e)
{
	uint32_t k;
	int n = 1;
	if (b >= e)
		return 0;
	if (!(py_tok_is(t, b, "(") || py_tok_is(t, b, "[") || py_tok_is(t, b, "{")) ||
	    py_tok_close(t, b, e) != e - 1)
		return 0;
	for (k = b + 1; k + 1 < e; k++) {
		const struct py_tok *x = &t->v[k];
		if (py_tok_is(t, k, "for") || py_tok_is(t, k, "await") || py_tok_is(t, k, "lambda") ||
		    py_tok_is(t, k, "*") || py_tok_is(t, k, "**") || py_tok_is(t, k, "if"))
			return 0;
		if (py_tok_is(t, k, ",") && x->depth == t->v[b].depth + 1)
			n++;
		if (x->kind == PT_STRING || x->kind == PT_NUMBER || x->kind == PT_NAME || py_tok_is(t, k, ",") ||
		    py_tok_is(t, k, ":") || py_tok_is(t, k, "-") || py_tok_is(t, k, "(") || py_tok_is(t, k, ")") ||
		    py_tok_is(t, k, "."))
			continue;
		return 0;
	}
	if (e >= b + 3 && py_tok_is(t, e - 2, ","))
		n--; /* a trailing comma: (a, b,) */
	return n <= 16 ? n : 0;
}

static int module_literal(const struct py_outline *ol, uint32_t name_tok)
{
	const struct py_toks *t = ol->toks;
	size_t s;
	for (s = 0; s < ol->nstmts; s++) {
		struct py_assign a;
		if (ol->stmts[s].block != 0 || !py_stmt_assign(ol, (int)s, &a))
			continue;
		if (a.target_end == a.target_begin + 1 && t->v[a.target_begin].len == t->v[name_tok].len &&
		    !strncmp(py_tok_text(t, a.target_begin), py_tok_text(t, name_tok), t->v[name_tok].len))
			return const_literal(t, a.value_begin, a.value_end);
	}
	return 0;
}

static int range_has_read(const struct py_binds *b, uint32_t begin, uint32_t end, int f, int depth)
{
	const struct py_outline *ol = b->ol;
	const struct py_toks *t = ol->toks;
	size_t ci;
	struct py_dbop_info info;
	uint32_t vb, ve;
	for (ci = py_first_call_from(ol, begin); ci < ol->ncalls && ol->calls[ci].lparen < end; ci++)
		if (ol->calls[ci].name_begin >= begin && py_call_dbop(b, ci, &info) == DBOP_READ)
			return 1;
	if (depth < 3 && t->v[begin].kind == PT_NAME) {
		char name[128];
		size_t l = t->v[begin].len < sizeof(name) ? t->v[begin].len : sizeof(name) - 1;
		memcpy(name, py_tok_text(t, begin), l);
		name[l] = '\0';
		if (py_last_assign(ol, f, name, begin, &vb, &ve))
			return range_has_read(b, vb, ve, f, depth + 1);
	}
	return 0;
}

/* 1 when tokens [b,e) read a stream of events (ws.iter_json(),
 * pubsub.listen(), a websocket). */
static int event_stream(const struct py_outline *ol, uint32_t b, uint32_t e)
{
	static const char *const names[] = { "iter_text", "iter_json", "iter_bytes", "iter_messages",
					     "listen", "subscribe", "receive", "messages", "events", NULL };
	const struct py_toks *t = ol->toks;
	uint32_t k;
	for (k = b; k < e; k++) {
		const char *x = py_tok_text(t, k);
		size_t l = t->v[k].len;
		if (t->v[k].kind != PT_NAME)
			continue;
		if ((l >= 9 && !strncmp(x, "websocket", 9)) || (l == 2 && !strncmp(x, "ws", 2)))
			return 1;
		if (k + 1 < e && py_tok_is(t, k + 1, "(")) {
			char name[32];
			snprintf(name, sizeof(name), "%.*s", (int)l, x);
			if (pydb_in_list(name, names))
				return 1;
		}
	}
	return 0;
}

/* Entries of the constant collection tokens [vb,ve) evaluate to: a
 * display, a module-level literal NAME, or "A if cond else B" with both
 * sides such collections (the larger count); 0 otherwise. */
static int literal_value_size(const struct py_outline *ol, uint32_t vb, uint32_t ve)
{
	const struct py_toks *t = ol->toks;
	uint32_t k, kif = 0, kelse = 0;
	int a, b;
	if (vb >= ve)
		return 0;
	if ((a = const_literal(t, vb, ve)) > 0)
		return a;
	if (ve == vb + 1 && t->v[vb].kind == PT_NAME && isupper((unsigned char)py_tok_text(t, vb)[0]))
		return module_literal(ol, vb);
	for (k = vb; k < ve; k++) {
		if (t->v[k].depth != t->v[vb].depth)
			continue;
		if (!kif && py_tok_is(t, k, "if"))
			kif = k;
		else if (kif && py_tok_is(t, k, "else"))
			kelse = k;
	}
	if (!kif || !kelse || kif == vb || kelse + 1 >= ve)
		return 0;
	a = kif == vb + 1 && t->v[vb].kind == PT_NAME ? module_literal(ol, vb) : const_literal(t, vb, kif);
	b = ve == kelse + 2 && t->v[kelse + 1].kind == PT_NAME ? module_literal(ol, kelse + 1)
							       : const_literal(t, kelse + 1, ve);
	return a > 0 && b > 0 ? (a > b ? a : b) : 0;
}

/* 1 when the iterable [ib,ie) of a loop in def f is a small fixed
 * collection: a display, range(<= 10) or range(CONSTANT), a module-level
 * literal constant, a local name assigned a display, an enum class. */
static int small_collection(const struct py_outline *ol, int f, uint32_t ib, uint32_t ie)
{
	const struct py_toks *t = ol->toks;
	const char *x = py_tok_text(t, ib);
	uint32_t vb, ve;
	char name[128];
	if (const_literal(t, ib, ie))
		return 1;
	if (py_tok_is(t, ib, "range") && ie == ib + 4 && t->v[ib + 2].kind == PT_NUMBER)
		return strtol(py_tok_text(t, ib + 2), NULL, 10) <= 10;
	if (py_tok_is(t, ib, "range") && ie == ib + 4 && t->v[ib + 2].kind == PT_NAME &&
	    isupper((unsigned char)py_tok_text(t, ib + 2)[0]) && isupper((unsigned char)py_tok_text(t, ib + 2)[1]))
		return 1;
	if (t->v[ib].kind != PT_NAME)
		return 0;
	if ((ie == ib + 1 || (ie == ib + 5 && py_tok_is(t, ib + 1, "."))) && isupper((unsigned char)x[0]) &&
	    module_literal(ol, ib))
		return 1;
	if (ie != ib + 1)
		return 0;
	snprintf(name, sizeof(name), "%.*s", (int)t->v[ib].len, x);
	if (py_last_assign(ol, f, name, ib, &vb, &ve))
		return literal_value_size(ol, vb, ve) > 0;
	/* for reason in CaseResolutionReason: the members of an enum class */
	return isupper((unsigned char)x[0]) && t->v[ib].len > 1 && islower((unsigned char)x[1]);
}

/* 1 when word w[0..n) names a batch of rows. */
static int batch_word(const char *w, size_t n, int plural_only)
{
	static const char *const one[] = { "batch", "chunk", "page", "slice", NULL };
	static const char *const many[] = { "batches", "chunks", "pages", "slices", "batched", "chunked",
					    "paginate", "paginated", "pagination", NULL };
	size_t i;
	for (i = 0; many[i]; i++)
		if (strlen(many[i]) == n && !strncmp(w, many[i], n))
			return 1;
	for (i = 0; !plural_only && one[i]; i++)
		if (strlen(one[i]) == n && !strncmp(w, one[i], n))
			return 1;
	return 0;
}

/* 1 when one of the underscore-separated words of s[0..n) is a batch word. */
static int has_batch_word(const char *s, size_t n, int plural_only)
{
	size_t i = 0;
	while (i < n) {
		size_t w = i;
		while (w < n && s[w] != '_')
			w++;
		if (batch_word(s + i, w - i, plural_only))
			return 1;
		i = w + 1;
	}
	return 0;
}

/* 1 when a name of a loop target ("chunk", "i, batch") names a batch. */
static int target_names_pages(const char *tg)
{
	const char *p = tg;
	while (*p) {
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		if (n && has_batch_word(p, n, 0))
			return 1;
		p += n ? n : 1;
	}
	return 0;
}

/* 1 when the iterable [ib,ie) yields batches: range(start, stop, size)
 * with a step that is not 1, a call or a name in the plural of a batch
 * word (chunks(rows, 500), itertools.batched(...), pages, paginate(...)).
 * A singular name (for row in batch) iterates rows. */
static int iter_names_pages(const struct py_toks *t, uint32_t ib, uint32_t ie)
{
	uint32_t k;
	if (py_tok_is(t, ib, "range") && ib + 1 < ie && py_tok_is(t, ib + 1, "(")) {
		int commas = 0;
		uint32_t last = ib + 2;
		for (k = ib + 2; k + 1 < ie; k++)
			if (py_tok_is(t, k, ",") && t->v[k].depth == t->v[ib + 1].depth + 1) {
				commas++;
				last = k + 1;
			}
		return commas == 2 && !(last + 2 == ie && py_tok_is(t, last, "1"));
	}
	for (k = ib; k < ie && t->v[k].kind == PT_NAME; k += 2) {
		/* only the callee chain or the name itself */
		if (has_batch_word(py_tok_text(t, k), t->v[k].len, 1))
			return 1;
		if (k + 1 >= ie || !py_tok_is(t, k + 1, "."))
			break;
	}
	return 0;
}

enum py_iter_kind py_loop_iter_kind(const struct py_binds *b, int loop)
{
	const struct py_outline *ol = b->ol;
	const struct py_toks *t = ol->toks;
	const struct py_block *bl;
	uint32_t ib, ie;
	if (loop < 0 || (size_t)loop >= ol->nblocks)
		return PIK_UNKNOWN;
	bl = &ol->blocks[loop];
	ib = bl->iter_begin;
	ie = bl->iter_end;
	if (bl->kind != PB_FOR && bl->kind != PB_COMP)
		return PIK_UNKNOWN;
	if (ib >= ie)
		return PIK_UNKNOWN;
	if (bl->target) {
		static const char *const retries[] = { "attempt", "retry", "retries", "tries", NULL };
		int i;
		if (target_names_pages(bl->target))
			return PIK_PAGES;
		for (i = 0; retries[i]; i++)
			if (strstr(bl->target, retries[i]))
				return PIK_LITERAL;
		if (strstr(bl->target, "offset") &&
		    (py_tok_is(t, ib, "range") || py_tok_is(t, ib, "count") || py_tok_is(t, ib, "itertools")))
			return PIK_PAGES;
	}
	if (iter_names_pages(t, ib, ie))
		return PIK_PAGES;
	if (bl->is_async && bl->kind == PB_FOR && event_stream(ol, ib, ie))
		return PIK_EVENTS;
	if ((py_tok_is(t, ib, "count") && py_tok_is(t, ib + 1, "(")) ||
	    (py_tok_is(t, ib, "itertools") && py_tok_is(t, ib + 2, "count")))
		return PIK_PAGES;
	if (py_tok_is(t, ib, "enumerate") && py_tok_is(t, ib + 1, "(") && py_tok_close(t, ib + 1, ie) == ie - 1)
		ib += 2, ie -= 1;
	if (small_collection(ol, bl->func, ib, ie))
		return PIK_LITERAL;
	if (range_has_read(b, ib, ie, bl->func, 0))
		return PIK_QUERY;
	return PIK_UNKNOWN;
}

int py_loop_literal_size(const struct py_binds *b, int loop)
{
	const struct py_outline *ol = b->ol;
	const struct py_toks *t = ol->toks;
	const struct py_block *bl;
	uint32_t ib, ie, vb, ve;
	char name[128];
	int n;
	if (loop < 0 || (size_t)loop >= ol->nblocks)
		return 0;
	bl = &ol->blocks[loop];
	ib = bl->iter_begin;
	ie = bl->iter_end;
	if (ib >= ie || (bl->kind != PB_FOR && bl->kind != PB_COMP))
		return 0;
	if (py_tok_is(t, ib, "enumerate") && py_tok_is(t, ib + 1, "(") && py_tok_close(t, ib + 1, ie) == ie - 1)
		ib += 2, ie -= 1;
	if ((n = const_literal(t, ib, ie)) > 0)
		return n;
	if (ie != ib + 1 || t->v[ib].kind != PT_NAME || t->v[ib].len >= sizeof(name))
		return 0;
	snprintf(name, sizeof(name), "%.*s", (int)t->v[ib].len, py_tok_text(t, ib));
	if (py_last_assign(ol, bl->func, name, ib, &vb, &ve))
		return literal_value_size(ol, vb, ve);
	return module_literal(ol, ib);
}

char *py_loop_iter_text(const struct py_outline *ol, int loop, size_t max)
{
	const struct py_block *bl = &ol->blocks[loop];
	char *s = py_outline_text(ol, bl->iter_begin, bl->iter_end);
	if (s && max > 4 && strlen(s) > max)
		strcpy(s + max - 4, "...");
	return s;
}

/* ---- wording */

void py_call_model(const struct py_outline *ol, const struct py_call *c, char *buf, size_t n)
{
	size_t ci;
	buf[0] = '\0';
	if (c->is_ref)
		return;
	if (isupper((unsigned char)c->callee[0]) && (strstr(c->callee, ".objects.") || strstr(c->callee, ".query."))) {
		snprintf(buf, n, "%.*s", (int)strcspn(c->callee, "."), c->callee);
		return;
	}
	for (ci = py_first_call_from(ol, c->lparen + 1); ci < ol->ncalls && ol->calls[ci].lparen < c->rparen; ci++) {
		const struct py_call *r = &ol->calls[ci];
		if (r->is_ref && isupper((unsigned char)r->callee[0])) {
			snprintf(buf, n, "%.*s", (int)strcspn(r->callee, "."), r->callee);
			return;
		}
	}
}


enum py_orm py_orm_flavor(const struct py_binds *b, int f)
{
	const json_t *ts = json_object_get(b->context, "tech_stack");
	const char *orm = json_string_value(json_object_get(ts, "orm"));
	const char *ver = json_string_value(json_object_get(ts, "orm_version"));
	int is_async = f >= 0 && (size_t)f < b->ol->nblocks && b->ol->blocks[f].is_async;
	if (py_imports_module(&b->im, "django") || (orm && !strcasecmp(orm, "django")))
		return ORM_DJANGO;
	if (py_imports_module(&b->im, "flask_sqlalchemy") || (orm && !strncasecmp(orm, "flask", 5)))
		return ORM_FLASK;
	if (py_imports_module(&b->im, "sqlmodel") || (orm && !strcasecmp(orm, "sqlmodel")))
		return ORM_SQLMODEL;
	if (is_async)
		return ORM_SA_ASYNC;
	if (ver && ver[0] == '1' && ver[1] == '.')
		return ORM_SA_LEGACY;
	return ORM_SA_SYNC;
}

int py_def_async(const struct py_outline *ol, int f)
{
	return f >= 0 && (size_t)f < ol->nblocks && ol->blocks[f].is_async;
}

void py_filter_column(const struct py_outline *ol, uint32_t b, uint32_t e, const char *model, char *buf, size_t n)
{
	const struct py_toks *t = ol->toks;
	size_t ml = strlen(model);
	uint32_t k;
	snprintf(buf, n, "id");
	for (k = b; k + 3 < e && k + 3 < t->n; k++) {
		if (t->v[k].kind == PT_NAME && (!ml || (t->v[k].len == ml && !strncmp(py_tok_text(t, k), model, ml))) &&
		    (k == 0 || !py_tok_is(t, k - 1, ".")) && py_tok_is(t, k + 1, ".") && t->v[k + 2].kind == PT_NAME &&
		    py_tok_is(t, k + 3, "==")) {
			snprintf(buf, n, "%.*s", (int)t->v[k + 2].len, py_tok_text(t, k + 2));
			return;
		}
		if (py_tok_is(t, k, "filter_by") && py_tok_is(t, k + 1, "(") && t->v[k + 2].kind == PT_NAME &&
		    py_tok_is(t, k + 3, "=")) {
			snprintf(buf, n, "%.*s", (int)t->v[k + 2].len, py_tok_text(t, k + 2));
			return;
		}
	}
}
