/*
 * pysession: session ownership and process kind, see pysession.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pydb_p.h"
#include "pyindex.h"
#include "pysession.h"

static const struct {
	const char *key, *name;
} web_names[] = {
	{ "fastapi", "FastAPI" }, { "flask", "Flask" }, { "starlette", "Starlette" }, { "django", "Django" },
	{ "quart", "Quart" }, { "aiohttp", "aiohttp" }, { "sanic", "Sanic" }, { "litestar", "Litestar" },
	{ "tornado", "Tornado" }, { "falcon", "Falcon" }, { "pyramid", "Pyramid" }, { "bottle", "Bottle" },
};

const char *py_web_framework(const json_t *context)
{
	const char *w = json_string_value(json_object_get(json_object_get(context, "tech_stack"), "web"));
	size_t i;
	if (!w || !*w)
		return NULL;
	for (i = 0; i < sizeof(web_names) / sizeof(web_names[0]); i++)
		if (!strcasecmp(w, web_names[i].key))
			return web_names[i].name;
	return "web";
}

int py_serves_http(const json_t *context, struct py_index *ix)
{
	size_t i;
	if (py_web_framework(context))
		return 1;
	for (i = 0; ix && i < ix->nfns; i++)
		if (ix->fns[i].handler)
			return 1;
	return 0;
}

/* 1 when path has the directory component dir ("scripts" in "a/scripts/x.py"). */
static int has_dir(const char *path, const char *dir)
{
	size_t l = strlen(dir);
	const char *p = path;
	while ((p = strstr(p, dir))) {
		if ((p == path || p[-1] == '/') && p[l] == '/')
			return 1;
		p += l;
	}
	return 0;
}

int py_path_one_shot(const char *path)
{
	static const char *const dirs[] = { "scripts", "bin", "commands", "alembic", "migrations", "tests", "test",
					    NULL };
	static const char *const bases[] = { "manage.py", "setup.py", "env.py", "conftest.py", NULL };
	const char *base = strrchr(path, '/');
	size_t i;
	base = base ? base + 1 : path;
	for (i = 0; dirs[i]; i++)
		if (has_dir(path, dirs[i]))
			return 1;
	for (i = 0; bases[i]; i++)
		if (!strcmp(base, bases[i]))
			return 1;
	return !strncmp(base, "test_", 5);
}

/* 1 when decorator text d is a CLI command registration: "app.command()",
 * "click.group()", "cli.command('x')", "typer_app.callback()". */
static int cli_decorator(const char *d)
{
	static const char *const names[] = { "command", "group", "callback", NULL };
	size_t l = strcspn(d, "("), i = l, k;
	while (i > 0 && d[i - 1] != '.')
		i--;
	if (i == 0)
		return 0; /* a bare @command is too vague */
	for (k = 0; names[k]; k++)
		if (l - i == strlen(names[k]) && !strncmp(d + i, names[k], l - i))
			return 1;
	return 0;
}

static int main_guard(const struct py_outline *ol)
{
	size_t i;
	for (i = 1; i < ol->nblocks; i++) {
		const struct py_block *bl = &ol->blocks[i];
		uint32_t k;
		int name = 0, main = 0;
		if (bl->kind != PB_IF || bl->parent != 0)
			continue;
		for (k = bl->hdr_begin; k < bl->hdr_end && k < ol->toks->n; k++) {
			const struct py_tok *t = &ol->toks->v[k];
			if (py_tok_is(ol->toks, k, "__name__"))
				name = 1;
			else if (t->kind == PT_STRING && t->len < 16 && t->len >= 10 &&
				 !strncmp(py_tok_text(ol->toks, k) + 1, "__main__", 8))
				main = 1;
		}
		if (name && main)
			return 1;
	}
	return 0;
}

int py_def_one_shot(const struct py_outline *ol, int f)
{
	if (f < 0)
		return main_guard(ol);
	while (f >= 0) {
		unsigned i;
		for (i = 0; i < ol->blocks[f].ndecorators; i++)
			if (cli_decorator(ol->blocks[f].decorators[i]))
				return 1;
		f = ol->blocks[f].parent >= 0 ? py_outline_enclosing(ol, ol->blocks[f].parent, PB_MASK(PB_DEF), 1) : -1;
	}
	return 0;
}

/* ---- sessions and connections */

static int factory_like_name(const char *last)
{
	static const char *const sfx[] = { "SessionLocal", "sessionmaker", "session_factory", "SessionFactory",
					   "session_maker", "SessionMaker", NULL };
	static const char *const builders[] = { "get_", "make_", "create_", "build_", "new_", "init_", NULL };
	size_t i;
	for (i = 0; builders[i]; i++)
		if (!strncasecmp(last, builders[i], strlen(builders[i])))
			return 0; /* get_session_factory() returns a factory */
	for (i = 0; sfx[i]; i++)
		if (pydb_ends_with(last, sfx[i]))
			return 1;
	return !strcmp(last, "async_session");
}

/* 1 when last names a sessionmaker or async_sessionmaker of the context. */
static int context_factory(const json_t *context, const char *last)
{
	const json_t *f = json_object_get(json_object_get(context, "db_config"), "session_factories");
	size_t i;
	json_t *e;
	json_array_foreach(f, i, e) {
		const char *k = json_string_value(json_object_get(e, "kind"));
		const char *n = json_string_value(json_object_get(e, "name"));
		if (!k || !n || !strstr(k, "sessionmaker") || strcmp(pydb_last(n), last))
			continue;
		/* "session = sessionmaker(bind=e)()" is recorded too: a lower-case
		 * plain name may be the session itself, not a factory */
		if (isupper((unsigned char)last[0]) || factory_like_name(last) || strstr(last, "maker") ||
		    strstr(last, "factory"))
			return 1;
	}
	return 0;
}

/* 1 when line ln of file rel under the context's root contains needle. */
static int line_mentions(const json_t *context, const char *rel, unsigned ln, const char *needle)
{
	const char *root = json_string_value(json_object_get(context, "codebase_root"));
	char path[1024], buf[1024];
	unsigned cur = 0;
	int hit = 0;
	FILE *fp;
	if (!root || snprintf(path, sizeof(path), "%s/%s", root, rel) >= (int)sizeof(path))
		return 0;
	if (!(fp = fopen(path, "r")))
		return 0;
	while (fgets(buf, sizeof(buf), fp)) {
		size_t l = strlen(buf);
		if (cur + 1 == ln && strstr(buf, needle)) {
			hit = 1;
			break;
		}
		if (l && buf[l - 1] == '\n' && ++cur >= ln)
			break;
	}
	fclose(fp);
	return hit;
}

/* 1 when the context's factory named last is wrapped in scoped_session
 * (Session = scoped_session(sessionmaker(...))): calling it returns the
 * thread's registry session, released by Session.remove(), not by its
 * caller. */
static int context_scoped(const json_t *context, const char *last)
{
	const json_t *f = json_object_get(json_object_get(context, "db_config"), "session_factories");
	size_t i;
	json_t *e;
	json_array_foreach(f, i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));
		const char *loc = json_string_value(json_object_get(e, "location"));
		const char *colon;
		char rel[900];
		if (!n || !loc || strcmp(pydb_last(n), last) || !(colon = strrchr(loc, ':')) ||
		    (size_t)(colon - loc) >= sizeof(rel))
			continue;
		snprintf(rel, sizeof(rel), "%.*s", (int)(colon - loc), loc);
		if (line_mentions(context, rel, (unsigned)atoi(colon + 1), "scoped_session"))
			return 1;
	}
	return 0;
}

enum py_sess_new py_session_new(const struct py_binds *b, int blk, uint32_t vb, uint32_t ve, char *what,
				size_t n)
{
	const struct py_toks *t = b->ol->toks;
	char chain[256], q[320], recv[256];
	const char *last;
	size_t o = 0;
	uint32_t k = vb, close, second = 0;
	if (n)
		what[0] = '\0';
	if (k < ve && py_tok_is(t, k, "await"))
		k++;
	while (k < ve && (t->v[k].kind == PT_NAME || py_tok_is(t, k, ".")) && o + t->v[k].len + 1 < sizeof(chain)) {
		memcpy(chain + o, py_tok_text(t, k), t->v[k].len);
		o += t->v[k].len;
		k++;
	}
	chain[o] = '\0';
	if (!o || k >= ve || !py_tok_is(t, k, "("))
		return PSN_NONE;
	close = py_tok_close(t, k, ve);
	if (close >= ve)
		return PSN_NONE;
	if (close + 1 < ve) {
		/* sessionmaker(bind=engine)() and nothing after */
		if (!py_tok_is(t, close + 1, "(") || py_tok_close(t, close + 1, ve) + 1 != ve)
			return PSN_NONE;
		second = 1;
	}
	last = pydb_last(chain);
	{
		/* the call as written, without await; long argument lists elided */
		uint32_t len;
		const char *sp = py_tok_span(t, vb + (k > vb && py_tok_is(t, vb, "await")), ve, &len);
		if (len < 80 && !memchr(sp, '\n', len))
			snprintf(what, n, "%.*s", (int)len, sp);
		else
			snprintf(what, n, "%s(...)%s", chain, second ? "()" : "");
	}
	if (second)
		return strcmp(last, "sessionmaker") && strcmp(last, "async_sessionmaker") ? PSN_NONE : PSN_SESSION;
	if (!strcmp(last, "connect") || !strcmp(last, "raw_connection")) {
		const char *r = pydb_last(pydb_strip_last(chain, recv, sizeof(recv)));
		size_t i;
		for (i = 0; r[i]; i++)
			if (!strncasecmp(r + i, "engine", 6))
				return PSN_CONNECTION;
		return PSN_NONE;
	}
	if (!strcmp(last, "sessionmaker") || !strcmp(last, "async_sessionmaker") ||
	    !strcmp(last, "scoped_session") || !strcmp(last, "async_scoped_session"))
		return PSN_NONE; /* a factory or a registry, not a session */
	py_binds_qualify(b, chain, q, sizeof(q));
	if (!strncmp(q, "sqlalchemy.", 11) || !strncmp(q, "sqlmodel.", 9))
		return !strcmp(last, "Session") || !strcmp(last, "AsyncSession") ? PSN_SESSION : PSN_NONE;
	if (strchr(chain, '.')) {
		if (!factory_like_name(last)) /* db.SessionLocal() */
			return PSN_NONE;
	} else {
		const struct py_bind *bd = py_binds_find(b, blk, chain, vb);
		if (bd && bd->kind == PBK_FACTORY)
			return PSN_SESSION;
		if (bd && bd->kind != PBK_NONE && bd->kind != PBK_LOCAL)
			return PSN_NONE;
		if (!factory_like_name(last) && !context_factory(b->context, last))
			return PSN_NONE;
	}
	/* imported from another file: a scoped_session registry there is not ours to close */
	return context_scoped(b->context, last) ? PSN_NONE : PSN_SESSION;
}

int py_param_injected_session(const struct py_binds *b, int f, unsigned i)
{
	const struct py_outline *ol = b->ol;
	const struct py_bind *bd;
	const char *text;
	if (f < 0 || i >= ol->blocks[f].nparams)
		return 0;
	text = ol->blocks[f].param_texts[i];
	bd = py_binds_find(b, f, ol->blocks[f].params[i], ol->blocks[f].body_begin);
	if (!bd || bd->kind != PBK_SESSION)
		return 0;
	/* FastAPI cannot build a session from the request: an annotated
	 * session parameter of a route is an Annotated[..., Depends()] alias */
	return strstr(text, "Depends(") != NULL ||
	       (strchr(text, ':') && py_imports_module(&b->im, "fastapi"));
}
