/*
 * blocking_io_in_async, TypeScript/JavaScript
 *
 * What it does:
 *   Finds synchronous file, process and HTTP I/O (fs.*Sync, fs-extra
 *   *Sync, child_process execSync/execFileSync/spawnSync, sync-request)
 *   in code that runs on the event loop per request or event: async
 *   functions and methods, Express/Fastify/NestJS handlers even when not
 *   async, jobs, listeners, and the synchronous callbacks inside them.
 *
 * Why it matters:
 *   Node runs all JavaScript on one thread; a *Sync call holds it until the
 *   disk or the child process answers, and every other request waits.
 *   Module top level (startup), plain build-script functions, async
 *   bootstrap() run once, worker_threads files, fs.promises and callback
 *   APIs are not reported; existsSync alone (one stat) is left out; an
 *   execSync('sleep N') is sync_sleep_in_async.  A same-file sync helper
 *   (function or this.method) reaching such a call, up to four calls
 *   deep, is reported at its call site in the event-loop code with the
 *   chain.
 *
 * Severity:
 *   HIGH in a request handler, MEDIUM elsewhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "jsrt.h"
#include "js/js.h"

static const char *const fs_mods[] = { "fs", "fs-extra", "graceful-fs", "original-fs", NULL };

/* fs and fs-extra sync calls (existsSync/pathExistsSync are one cheap stat: left out). */
static const char *const fs_sync[] = {
	"readFileSync", "writeFileSync", "appendFileSync", "readdirSync", "statSync", "lstatSync", "mkdirSync",
	"copyFileSync", "unlinkSync", "rmSync", "rmdirSync", "renameSync", "accessSync", "openSync", "readSync",
	"writeSync", "closeSync", "fstatSync", "realpathSync", "readlinkSync", "symlinkSync", "chmodSync",
	"chownSync", "truncateSync", "utimesSync", "mkdtempSync", "opendirSync", "cpSync", "fsyncSync",
	"ftruncateSync", "linkSync", "readJsonSync", "writeJsonSync", "outputFileSync", "outputJsonSync",
	"ensureDirSync", "ensureFileSync", "copySync", "moveSync", "removeSync", "emptyDirSync", "mkdirpSync",
	"readJSONSync", "writeJSONSync", NULL
};

static const char *const proc_sync[] = { "execSync", "execFileSync", "spawnSync", NULL };

static int in_list(const char *s, const char *const *l)
{
	int i;
	for (i = 0; l[i]; i++)
		if (!strcmp(s, l[i]))
			return 1;
	return 0;
}

enum bio { BIO_NONE, BIO_FS, BIO_PROC, BIO_HTTP };

static enum bio classify(const struct js_imports *im, const struct py_outline *ol, const struct py_call *c)
{
	char buf[256];
	const char *member, *mod = js_call_module(im, ol, c, buf, sizeof(buf), &member);
	if (!mod) {
		/* a bare, unbound readFileSync(...) */
		if (strchr(c->callee, '.') || js_call_is_new(c))
			return BIO_NONE;
		if (in_list(c->callee, fs_sync))
			return BIO_FS;
		if (in_list(c->callee, proc_sync))
			return BIO_PROC;
		return BIO_NONE;
	}
	if (js_module_in(mod, fs_mods) && in_list(member, fs_sync))
		return BIO_FS;
	if (!strcmp(mod, "child_process") && in_list(member, proc_sync))
		return BIO_PROC;
	if ((!strcmp(mod, "sync-request") || !strcmp(mod, "sync-fetch")) && !*member)
		return BIO_HTTP;
	return BIO_NONE;
}

struct trans {
	struct check_ctx *cx;
	const unsigned char *kind; /* enum bio per call */
};

/* A call of an event-loop context that runs a same-file sync helper
 * reaching blocking I/O: reported at the call with the chain. */
static void report_reach(void *arg, size_t call, const int *hops, int n, enum jsrt_ctx k, int root)
{
	struct trans *tr = arg;
	enum bio b = (enum bio)tr->kind[hops[n - 1]];
	jsrt_report_reach(tr->cx, call, hops, n, k, root, jsrt_severity(k),
			  b == BIO_FS ? "does synchronous file-system I/O"
			  : b == BIO_PROC ? "blocks until a child process exits" : "makes a synchronous HTTP request",
			  b == BIO_FS ? "make the helper async and use fs/promises (await readFile/writeFile/readdir), "
			  "or do the file work once at startup" : b == BIO_PROC ? "make the helper async and use "
			  "promisify(child_process.execFile) or spawn" : "make the helper async and use await fetch(...)");
}

void check_blocking_io_in_async_ts(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct js_imports im;
	struct jsrt_reach r;
	struct trans tr;
	unsigned char *kind;
	size_t i, nhit = 0;
	if (jsrt_path_runs_once(cx->path) || js_imports_build(ol, &im) < 0)
		return;
	kind = calloc(ol->ncalls + 1, 1);
	if (!kind) {
		js_imports_free(&im);
		return;
	}
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_call *c = &ol->calls[i];
		char where[300], issue[800], rec[600];
		enum jsrt_ctx k;
		enum bio b;
		int root = -1;
		if (c->is_ref || !c->callee[0] || c->func < 0)
			continue;
		b = classify(&im, ol, c);
		if (b == BIO_NONE || (b == BIO_PROC && jsrt_shell_sleep(ol, c)))
			continue;
		kind[i] = (unsigned char)b;
		nhit++;
		k = jsrt_def_ctx(ol, &im, c->func, &root);
		if (k == JSRT_NONE)
			continue;
		jsrt_describe(ol, root, where, sizeof(where));
		snprintf(issue, sizeof(issue), "%s() %s inside %s%s: Node runs all JavaScript on one thread, "
			 "so %s waits until it returns", c->callee,
			 b == BIO_FS ? "does synchronous file-system I/O"
			 : b == BIO_PROC ? "blocks until the child process exits" : "makes a synchronous HTTP request",
			 root != c->func ? "a callback in " : "", where,
			 k == JSRT_HANDLER ? "every other request" : "every other request and event");
		if (b == BIO_FS)
			snprintf(rec, sizeof(rec), "use the promise API: await fs.promises.%.*s(...) (import { %.*s } "
				 "from 'fs/promises')%s",
				 (int)(strlen(c->name) - 4), c->name, (int)(strlen(c->name) - 4), c->name,
				 !strncmp(c->name, "read", 4) ? ", or read it once at startup and keep it in memory" : "");
		else if (b == BIO_PROC)
			snprintf(rec, sizeof(rec), "use the async form: await promisify(child_process.%.*s)(...) "
				 "or child_process.spawn with 'close'/'exit' events",
				 !strcmp(c->name, "spawnSync") ? 5 : (int)(strlen(c->name) - 4), c->name);
		else
			snprintf(rec, sizeof(rec), "use await fetch(...) (or the project's async HTTP client) instead "
				 "of %s", c->callee);
		check_report(cx, c->line, c->end_line, jsrt_severity(k), issue, rec);
	}
	if (nhit && jsrt_reach_build(ol, kind, &r) == 0) {
		tr.cx = cx;
		tr.kind = kind;
		jsrt_reach_each(ol, &im, &r, kind, report_reach, &tr);
		jsrt_reach_free(&r);
	}
	free(kind);
	js_imports_free(&im);
}
