/*
 * js/facts: questions about a TypeScript outline that several checks ask.
 *
 * Which function does a call receive as an argument, which callbacks run
 * once per element of an array, which functions serve requests (NestJS
 * controllers, Express/Fastify/Koa routes, Next.js route handlers) and
 * which run as background jobs (BullMQ workers, Nest processors and
 * schedules, cron and interval callbacks).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "js/js.h"
#include "js/outline_p.h"
#include "pyfacts.h"

static int in_list(const char *const *list, const char *s, size_t n)
{
	int i;
	for (i = 0; list[i]; i++)
		if (strlen(list[i]) == n && !strncmp(list[i], s, n))
			return 1;
	return 0;
}

static int tok_is(const struct py_outline *ol, uint32_t i, const char *s)
{
	return i < ol->toks->n && py_tok_is(ol->toks, i, s);
}

/* Index of the last call whose lparen is before tok, or -1. */
static int last_call_before(const struct py_outline *ol, uint32_t tok)
{
	size_t lo = 0, hi = ol->ncalls;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ol->calls[mid].lparen < tok)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int)lo - 1;
}

/* Innermost call whose argument list holds token a, or -1. */
static int call_around(const struct py_outline *ol, uint32_t a)
{
	int ci = last_call_before(ol, a), steps = 0;
	while (ci >= 0 && steps++ < 100000) {
		const struct py_call *c = &ol->calls[ci];
		if (c->lparen < a && a < c->rparen)
			return ci;
		ci = c->parent_call;
	}
	return -1;
}

int js_def_arg_of(const struct py_outline *ol, int def, int *arg_index)
{
	const struct py_block *d;
	if (arg_index)
		*arg_index = -1;
	if (def < 0 || (size_t)def >= ol->nblocks || ol->blocks[def].kind != PB_DEF)
		return -1;
	d = &ol->blocks[def];
	if (d->arg_of == 0 || d->arg_of > ol->ncalls)
		return -1;
	if (arg_index)
		*arg_index = (int)d->arg_pos;
	return (int)d->arg_of - 1;
}

static const char *const assign_ops[] = {
	"=", "+=", "-=", "*=", "/=", "%=", "**=", "<<=", "&=", "|=", "^=", "&&=", "||=", "?\?=", NULL
};

int js_stmt_assign(const struct py_outline *ol, int s, struct py_assign *a)
{
	const struct py_toks *t = ol->toks;
	const struct py_stmt *st;
	uint32_t b, e, k, op = UINT32_MAX, colon = UINT32_MAX;
	uint16_t d;
	int i;
	if (s < 0 || (size_t)s >= ol->nstmts)
		return 0;
	st = &ol->stmts[s];
	/* a header of a loop or an if is no assignment; a statement opening
	 * the callback in its value is */
	if (st->opens >= 0 && ol->blocks[st->opens].kind != PB_DEF && ol->blocks[st->opens].kind != PB_CLASS)
		return 0;
	b = st->tok_begin;
	e = st->tok_end;
	while (b + 1 < e && (tok_is(ol, b, "export") || tok_is(ol, b, "declare")))
		b++;
	if (b + 1 < e && t->v[b].kind == PT_NAME &&
	    (tok_is(ol, b, "const") || tok_is(ol, b, "let") || tok_is(ol, b, "var") ||
	     tok_is(ol, b, "using")))
		b++;
	d = t->v[b].depth;
	for (k = b; k < e; k++) {
		if (t->v[k].depth != d || t->v[k].kind != PT_OP)
			continue;
		if (tok_is(ol, k, "=>"))
			break;
		if (tok_is(ol, k, ":") && colon == UINT32_MAX && op == UINT32_MAX)
			colon = k;
		for (i = 0; assign_ops[i] && !py_tok_is(t, k, assign_ops[i]); i++)
			;
		if (assign_ops[i]) {
			if (op != UINT32_MAX)
				return 0; /* a = b = c */
			op = k;
		}
	}
	if (op == UINT32_MAX || op == b || op + 1 >= e)
		return 0;
	a->target_begin = b;
	a->target_end = colon < op ? colon : op;
	a->op = op;
	a->value_begin = op + 1;
	a->value_end = e;
	return a->target_end > b;
}

int js_call_is_new(const struct py_call *c)
{
	return c && !strncmp(c->callee, "new ", 4);
}

/* Receiver of callee ("this.app" of "this.app.get"): its length, 0 when
 * the callee has none. */
static size_t recv_len(const char *callee)
{
	const char *dot = strrchr(callee, '.');
	if (!strncmp(callee, "new ", 4))
		return 0;
	return dot ? (size_t)(dot - callee) : 0;
}

/* 1 when the receiver's last component contains one of words (any case). */
static int recv_has(const char *callee, const char *const *words)
{
	size_t n = recv_len(callee), i, j;
	const char *start = callee;
	char last[64];
	for (i = 0; i < n; i++)
		if (callee[i] == '.')
			start = callee + i + 1;
	n = (size_t)(callee + n - start);
	if (n == 0 || n >= sizeof(last))
		return 0;
	for (i = 0; i < n; i++)
		last[i] = (char)tolower((unsigned char)start[i]);
	last[n] = '\0';
	for (j = 0; words[j]; j++)
		if (strstr(last, words[j]))
			return 1;
	return 0;
}

/* 1 when the receiver's last component is one of names (any case). */
static int recv_is(const char *callee, const char *const *names)
{
	size_t n = recv_len(callee), i;
	const char *start = callee;
	for (i = 0; i < n; i++)
		if (callee[i] == '.')
			start = callee + i + 1;
	n = (size_t)(callee + n - start);
	for (i = 0; names[i]; i++)
		if (strlen(names[i]) == n && !strncasecmp(names[i], start, n))
			return 1;
	return 0;
}

static const char *const array_methods[] = {
	"forEach", "map", "flatMap", "filter", "reduce", "reduceRight", "some", "every", "find",
	"findIndex", "findLast", "findLastIndex", NULL
};
static const char *const lodash_methods[] = {
	"map", "forEach", "each", "filter", "reduce", "flatMap", "some", "every", "find", "mapValues",
	"forOwn", "times", NULL
};
/* (items, fn) iteration helpers: p-map, Bluebird */
static const char *const each_calls[] = {
	"pMap", "pMapSeries", "Promise.map", "Promise.each", "Promise.mapSeries", "Bluebird.map",
	"Bluebird.each", "Bluebird.mapSeries", NULL
};
static const char *const async_lib[] = {
	"each", "eachSeries", "eachLimit", "forEach", "forEachSeries", "forEachLimit", "eachOf",
	"eachOfSeries", "eachOfLimit", "map", "mapSeries", "mapLimit", "forEachOf", NULL
};

int js_callback_loop(const struct py_outline *ol, int def)
{
	int arg, ci = js_def_arg_of(ol, def, &arg);
	const struct py_call *c;
	size_t nl;
	if (ci < 0)
		return -1;
	c = &ol->calls[ci];
	nl = strlen(c->name);
	if (!strcmp(c->callee, "Array.from"))
		return arg == 1 ? ci : -1;
	if (!strncmp(c->callee, "_.", 2) || !strncmp(c->callee, "lodash.", 7))
		return arg == 1 && in_list(lodash_methods, c->name, nl) ? ci : -1;
	if (!strncmp(c->callee, "async.", 6))
		return arg >= 1 && in_list(async_lib, c->name, nl) ? ci : -1;
	if (in_list(each_calls, c->callee, strlen(c->callee)))
		return arg == 1 ? ci : -1;
	if (recv_len(c->callee) && arg == 0 && in_list(array_methods, c->name, nl))
		return ci;
	return -1;
}

/* The loop around block b within its function, looking through iteration
 * callbacks; -1. */
static int loop_from(const struct py_outline *ol, int b)
{
	while (b >= 0 && (size_t)b < ol->nblocks) {
		const struct py_block *bl = &ol->blocks[b];
		if (bl->kind == PB_FOR || bl->kind == PB_WHILE)
			return b;
		if (bl->kind == PB_DEF)
			return js_callback_loop(ol, b) >= 0 ? b : -1;
		if (bl->kind == PB_CLASS)
			return -1;
		b = bl->parent;
	}
	return -1;
}

int js_call_loop(const struct py_outline *ol, const struct py_call *c)
{
	return loop_from(ol, c->block);
}

int js_call_loop_depth(const struct py_outline *ol, const struct py_call *c)
{
	int n = 0, b = loop_from(ol, c->block);
	while (b >= 0 && n < 10000) {
		n++;
		b = loop_from(ol, ol->blocks[b].parent);
	}
	return n;
}

/* A decorator's name without its receiver and arguments: "Get" of
 * "Get(':id')"; *n its length. */
static const char *dec_base(const char *d, size_t *n)
{
	const char *end = strchr(d, '('), *p, *start = d;
	if (!end)
		end = d + strlen(d);
	for (p = d; p < end; p++)
		if (*p == '.')
			start = p + 1;
	while (end > start && end[-1] == ' ')
		end--;
	*n = (size_t)(end - start);
	return start;
}

static int has_decorator(const struct py_block *bl, const char *const *names)
{
	unsigned k;
	for (k = 0; k < bl->ndecorators; k++) {
		size_t n;
		const char *s = bl->decorators[k] ? dec_base(bl->decorators[k], &n) : NULL;
		if (s && in_list(names, s, n))
			return 1;
	}
	return 0;
}

static const char *const nest_controllers[] = { "Controller", "WebSocketGateway", "Resolver", NULL };
static const char *const nest_routes[] = {
	"Get", "Post", "Put", "Patch", "Delete", "All", "Head", "Options", "Sse", "Search",
	"MessagePattern", "EventPattern", "SubscribeMessage", NULL
};
static const char *const nest_resolvers[] = { "Query", "Mutation", "Subscription", "ResolveField", NULL };
static const char *const route_verbs[] = {
	"get", "post", "put", "patch", "delete", "del", "all", "head", "options", NULL
};
static const char *const next_verbs[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", NULL };
static const char *const app_words[] = { "app", "router", "server", NULL };
/* receivers whose get/post are HTTP requests or lookups, never routes:
 * names holding these words, or named exactly like the second list */
static const char *const client_words[] = {
	"axios", "client", "cache", "redis", "params", "headers", "storage", "session", "cookie",
	"config", NULL
};
static const char *const client_names[] = {
	"http", "https", "request", "got", "superagent", "fetch", "map", "store", "ky", "needle", NULL
};
static const char *const socket_words[] = { "ws", "io", "socket", "server", NULL };

/* 1 when the first argument of call c is a route path: '/x', "*", `/x`,
 * a regex, or an array of them. */
static int path_arg(const struct py_outline *ol, const struct py_call *c)
{
	const struct py_toks *t = ol->toks;
	uint32_t a = c->lparen + 1;
	const char *s;
	if (c->rparen <= c->lparen || a >= c->rparen)
		return 0;
	if (tok_is(ol, a, "[") && a + 1 < c->rparen)
		a++;
	if (t->v[a].kind != PT_STRING)
		return 0;
	if (t->v[a].flags & PTF_REGEX)
		return 1;
	s = py_tok_text(t, a);
	return t->v[a].len >= 2 && (s[1] == '/' || s[1] == '*');
}

/* 1 when a function passed as argument arg of call ci serves requests. */
static int routing_call(const struct py_outline *ol, int ci, int arg)
{
	const struct py_call *c = &ol->calls[ci];
	size_t nl = strlen(c->name);
	int recv = recv_len(c->callee) > 0;
	if (!strcmp(c->name, "createServer") || !strcmp(c->name, "createSecureServer"))
		return !recv || !strncmp(c->callee, "http", 4);
	if (!recv)
		return 0;
	if (in_list(route_verbs, c->name, nl))
		return strstr(c->callee, "route().") != NULL ||
		       (arg >= 1 && path_arg(ol, c) && !recv_has(c->callee, client_words) &&
			!recv_is(c->callee, client_names));
	if (!strcmp(c->name, "use"))
		return recv_has(c->callee, app_words) || (arg >= 1 && path_arg(ol, c));
	if (!strcmp(c->name, "on") && arg >= 1 && c->lparen + 1 < c->rparen &&
	    recv_has(c->callee, socket_words)) {
		const struct py_toks *t = ol->toks;
		uint32_t a = c->lparen + 1;
		const char *s = py_tok_text(t, a);
		return t->v[a].kind == PT_STRING && t->v[a].len > 2 &&
		       (!strncmp(s + 1, "connection", 10) || !strncmp(s + 1, "request", 7));
	}
	return 0;
}

/* 1 when module-level def f is exported (export function f, export const
 * f = ...). */
static int exported(const struct py_outline *ol, const struct py_block *d)
{
	uint32_t h = d->hdr_begin;
	if (h >= 1 && tok_is(ol, h - 1, "export"))
		return 1;
	return h >= 4 && tok_is(ol, h - 1, "=") && tok_is(ol, h - 4, "export");
}

static int direct_handler(const struct py_outline *ol, int f)
{
	const struct py_block *d = &ol->blocks[f];
	int arg, ci;
	if (d->parent >= 0 && ol->blocks[d->parent].kind == PB_CLASS) {
		const struct py_block *cls = &ol->blocks[d->parent];
		if (has_decorator(cls, nest_controllers) &&
		    (has_decorator(d, nest_routes) || has_decorator(d, nest_resolvers)))
			return 1;
		return 0;
	}
	if (d->parent == 0 && d->name && in_list(next_verbs, d->name, strlen(d->name)) && exported(ol, d))
		return 1;
	ci = js_def_arg_of(ol, f, &arg);
	if (ci >= 0)
		return routing_call(ol, ci, arg);
	/* fastify.route({ method, url, handler: async (req, reply) => ... }) */
	if (d->name && (!strcmp(d->name, "handler") || !strcmp(d->name, "preHandler"))) {
		ci = call_around(ol, d->hdr_begin);
		if (ci >= 0 && recv_len(ol->calls[ci].callee) &&
		    (!strcmp(ol->calls[ci].name, "route") || routing_call(ol, ci, 1)))
			return 1;
	}
	return 0;
}

/* Names passed by reference to routing calls: router.get('/x', listUsers). */
static size_t routing_refs(const struct py_outline *ol, size_t **out)
{
	size_t i, n = 0, cap = 0;
	size_t *v = NULL;
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_call *c = &ol->calls[i];
		if (!c->is_ref || c->parent_call < 0 || strchr(c->callee, '.') ||
		    !routing_call(ol, c->parent_call, c->arg_index))
			continue;
		if (n == cap) {
			size_t *nv = realloc(v, (cap ? cap * 2 : 16) * sizeof(*v));
			if (!nv)
				break;
			v = nv;
			cap = cap ? cap * 2 : 16;
		}
		v[n++] = i;
	}
	*out = v;
	return n;
}

void js_mark_handlers(struct py_outline *ol)
{
	size_t *refs = NULL, nrefs = routing_refs(ol, &refs), i, r;
	for (i = 0; i < ol->nblocks; i++) {
		struct py_block *b = &ol->blocks[i];
		int outer;
		if (b->kind != PB_DEF)
			continue;
		if (direct_handler(ol, (int)i)) {
			b->handler = 1;
			continue;
		}
		/* blocks precede their children: the outer def is settled */
		outer = py_outline_enclosing(ol, b->parent, PB_MASK(PB_DEF), 1);
		if (outer >= 0 && ol->blocks[outer].handler) {
			b->handler = 1;
			continue;
		}
		for (r = 0; b->name && b->parent == 0 && r < nrefs; r++)
			if (!strcmp(ol->calls[refs[r]].callee, b->name))
				b->handler = 1;
	}
	free(refs);
}

void js_outline_mark_path(struct py_outline *ol, const char *path)
{
	size_t i;
	const char *p = path ? strstr(path, "pages/api/") : NULL;
	if (!p || (p != path && p[-1] != '/'))
		return;
	for (i = 0; i < ol->nblocks; i++) {
		struct py_block *b = &ol->blocks[i];
		uint32_t h = b->hdr_begin;
		int outer;
		if (b->kind != PB_DEF)
			continue;
		if (b->parent == 0 && h >= 2 && tok_is(ol, h - 1, "default") && tok_is(ol, h - 2, "export")) {
			b->handler = 1;
			continue;
		}
		outer = py_outline_enclosing(ol, b->parent, PB_MASK(PB_DEF), 1);
		if (outer >= 0 && ol->blocks[outer].handler)
			b->handler = 1;
	}
}

static const char *const schedules[] = { "Cron", "Interval", "Timeout", NULL };
static const char *const queue_words[] = { "queue", NULL };
static const char *const cron_words[] = { "cron", NULL };
static const char *const agenda_words[] = { "agenda", NULL };

static int direct_job(const struct py_outline *ol, int f)
{
	const struct py_block *d = &ol->blocks[f];
	const struct py_call *c;
	int arg, ci;
	size_t n;
	if (has_decorator(d, schedules))
		return 1;
	if (d->parent >= 0 && ol->blocks[d->parent].kind == PB_CLASS) {
		const struct py_block *cls = &ol->blocks[d->parent];
		static const char *const processor[] = { "Processor", NULL };
		static const char *const process[] = { "Process", NULL };
		int is_process = d->name && !strcmp(d->name, "process");
		if (has_decorator(cls, processor) && (has_decorator(d, process) || is_process))
			return 1;
		return is_process && cls->bases && strstr(cls->bases, "WorkerHost");
	}
	ci = js_def_arg_of(ol, f, &arg);
	if (ci < 0)
		return 0;
	c = &ol->calls[ci];
	n = strlen(c->callee);
	if (js_call_is_new(c))
		return arg == 1 && ((n >= 6 && !strcmp(c->callee + n - 6, "Worker")) ||
				    (n >= 7 && !strcmp(c->callee + n - 7, "CronJob")));
	if (!strcmp(c->callee, "setInterval") || !strcmp(c->callee, "timers.setInterval"))
		return arg == 0;
	if (!strcmp(c->name, "process"))
		return recv_has(c->callee, queue_words);
	if (!strcmp(c->name, "schedule"))
		return arg == 1 && recv_has(c->callee, cron_words);
	if (!strcmp(c->name, "define"))
		return arg >= 1 && recv_has(c->callee, agenda_words);
	return 0;
}

int js_def_is_job(const struct py_outline *ol, int def)
{
	int d = def, steps = 0;
	if (def < 0 || (size_t)def >= ol->nblocks || ol->blocks[def].kind != PB_DEF)
		return 0;
	while (d >= 0 && steps++ < 10000) {
		if (direct_job(ol, d))
			return 1;
		d = py_outline_enclosing(ol, ol->blocks[d].parent, PB_MASK(PB_DEF), 1);
	}
	return 0;
}
