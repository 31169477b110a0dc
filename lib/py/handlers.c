/*
 * py/handlers: which functions serve HTTP requests or websocket events.
 *
 * A def is a handler when a route decorator marks it, when a routing call
 * of the same file names it (Route("/x", fn), app.add_url_rule(...,
 * view_func=fn), router.add_get("/x", fn), web.get("/x", fn)), when it is
 * an HTTP-verb method of a class-based view, or when it is nested inside a
 * handler (an SSE generator, a websocket reader).
 */
#include <stdlib.h>
#include <string.h>

#include "py/outline.h"

static const char *const route_verbs[] = {
	"get", "post", "put", "patch", "delete", "head", "options", "trace", "route",
	"websocket", "api_route", "websocket_route", "api_websocket_route", "sse", NULL
};

static const char *const register_calls[] = {
	"Route", "WebSocketRoute", "add_url_rule", "add_api_route", "add_route",
	"add_websocket_route", "add_api_websocket_route", "add_get", "add_post", "add_put",
	"add_patch", "add_delete", "add_view", NULL
};

static const char *const view_bases[] = {
	"HTTPEndpoint", "WebSocketEndpoint", "MethodView", "View", "APIView", "Resource",
	"HTTPMethodView", NULL
};

static const char *const view_methods[] = {
	"get", "post", "put", "patch", "delete", "head", "options", "on_receive", "on_connect",
	"on_disconnect", "dispatch_request", NULL
};

static int in_list(const char *const *list, const char *s, size_t n)
{
	int i;
	for (i = 0; list[i]; i++)
		if (strlen(list[i]) == n && !strncmp(list[i], s, n))
			return 1;
	return 0;
}

/* "router.get(\"/x\")" -> 1: a dotted receiver, then a route verb, then '(';
 * also a bare verb with a path, as Litestar writes them: get("/x"),
 * post(path="/x") */
static int route_decorator(const char *d)
{
	const char *paren = strchr(d, '('), *dot = NULL, *p;
	if (!paren)
		return 0;
	for (p = d; p < paren; p++)
		if (*p == '.')
			dot = p;
	if (!dot && in_list(route_verbs, d, (size_t)(paren - d))) {
		for (p = paren + 1; *p == ' '; p++)
			;
		return ((p[0] == '"' || p[0] == '\'') && p[1] == '/') || !strncmp(p, "path", 4) ||
		       p[0] == '[';
	}
	if (!dot || dot == d)
		return 0;
	while (paren > dot + 1 && paren[-1] == ' ')
		paren--;
	return in_list(route_verbs, dot + 1, (size_t)(paren - dot - 1));
}

static int is_view_class(const struct py_block *cls)
{
	int i;
	if (cls->kind != PB_CLASS || !cls->bases)
		return 0;
	for (i = 0; view_bases[i]; i++) {
		const char *p = strstr(cls->bases, view_bases[i]);
		size_t n = strlen(view_bases[i]);
		if (p && (p == cls->bases || !((p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= 'A' && p[-1] <= 'Z') || p[-1] == '_')) &&
		    !((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') || p[n] == '_'))
			return 1;
	}
	return 0;
}

/* 1 when call c passes a value to a routing call: Route("/x", fn),
 * app.add_url_rule(..., view_func=fn), web.get("/x", fn). */
static int routing_ref(const struct py_outline *ol, const struct py_call *c)
{
	const struct py_call *p;
	if (!c->is_ref || c->parent_call < 0)
		return 0;
	p = &ol->calls[c->parent_call];
	if (in_list(register_calls, p->name, strlen(p->name)))
		return 1;
	return !strncmp(p->callee, "web.", 4) && in_list(route_verbs, p->name, strlen(p->name));
}

/* 1 when one of the n routing references refs[] names name. */
static int registered(const struct py_outline *ol, const size_t *refs, size_t n, const char *name)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!strcmp(ol->calls[refs[i]].callee, name))
			return 1;
	return 0;
}

void py_outline_mark_handlers(struct py_outline *ol)
{
	size_t i, nrefs = 0, cap = 0;
	size_t *refs = NULL;
	unsigned k;
	/* one pass collects the names routing calls register (linear in the
	 * calls); the defs are then looked up among those few */
	for (i = 0; i < ol->ncalls; i++)
		if (routing_ref(ol, &ol->calls[i])) {
			if (nrefs == cap) {
				size_t *nv = realloc(refs, (cap ? cap * 2 : 16) * sizeof(*refs));
				if (!nv)
					break;
				refs = nv;
				cap = cap ? cap * 2 : 16;
			}
			refs[nrefs++] = i;
		}
	for (i = 0; i < ol->nblocks; i++) {
		struct py_block *b = &ol->blocks[i];
		int outer;
		if (b->kind != PB_DEF)
			continue;
		for (k = 0; k < b->ndecorators && !b->handler; k++)
			if (route_decorator(b->decorators[k]))
				b->handler = 1;
		if (b->handler)
			continue;
		if (b->parent >= 0 && is_view_class(&ol->blocks[b->parent]) && b->name &&
		    in_list(view_methods, b->name, strlen(b->name))) {
			b->handler = 1;
			continue;
		}
		outer = py_outline_enclosing(ol, b->parent, PB_MASK(PB_DEF), 1);
		if (outer >= 0 && ol->blocks[outer].handler) { /* blocks precede their children */
			b->handler = 1;
			continue;
		}
		if (nrefs && b->name && registered(ol, refs, nrefs, b->name))
			b->handler = 1;
	}
	free(refs);
}
