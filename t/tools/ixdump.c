/*
 * ixdump: prints the project index of a context document read on stdin
 * (pperf-discover DIR | build/t/ixdump), for debugging and tests.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "pyindex.h"

int main(void)
{
	json_error_t e;
	json_t *ctx = json_loadf(stdin, 0, &e);
	struct py_index *ix;
	size_t i;
	unsigned k;
	if (!ctx) {
		fprintf(stderr, "ixdump: stdin:%d:%d: %s\n", e.line, e.column, e.text);
		return 2;
	}
	ix = py_index_new();
	if (!ix || py_index_add_context(ix, ctx) < 0) {
		fprintf(stderr, "ixdump: out of memory\n");
		return 1;
	}
	py_index_resolve(ix);
	for (i = 0; i < ix->nfns; i++) {
		const struct py_fn *f = &ix->fns[i];
		printf("FN %s:%u-%u %s%s%s%s%s%s%s%s%s%s\n", f->path, f->line, f->end_line, f->cls ? f->cls : "",
		       f->cls ? "." : "", f->name, f->is_async ? " async" : "", f->handler ? " handler" : "",
		       f->job ? " job" : "", f->once ? " once" : "", f->provider ? " provider" : "",
		       f->nested ? " nested" : "", f->session == 1 ? " sync-session" : f->session == 2 ? " async-session" : "");
		for (k = 0; k < f->nparams; k++)
			printf("  PARAM %s ann=%s default=%s\n", f->params[k].name, f->params[k].ann ? f->params[k].ann : "-",
			       f->params[k].deflt ? f->params[k].deflt : "-");
		if (f->returns)
			printf("  RETURNS %s\n", f->returns);
		for (k = 0; k < f->ncalls; k++) {
			const struct py_fn *t = py_index_call_target(ix, &f->calls[k]);
			printf("  CALL %u %s%s%s -> %s%s%s\n", f->calls[k].line, f->calls[k].callee,
			       f->calls[k].awaited ? " await" : "", f->calls[k].job_ref ? " job_ref" : "",
			       t ? t->path : "?", t ? ":" : "", t ? t->name : "");
		}
		for (k = 0; k < f->nfetches; k++)
			printf("  FETCH %u %s by %s (param %d) var=%s attrs=%s escapes=%d\n", f->fetches[k].line,
			       f->fetches[k].model, f->fetches[k].key ? f->fetches[k].key : "-", f->fetches[k].key_param,
			       f->fetches[k].var ? f->fetches[k].var : "-", f->fetches[k].attrs ? f->fetches[k].attrs : "-",
			       f->fetches[k].escapes);
		if (f->blocking)
			printf("  BLOCKS %u %s%s\n", f->blocking_line, f->blocking, f->blocking_sleep ? " (sleep)" : "");
	}
	for (i = 0; i < ix->nmodels; i++)
		printf("MODEL %s table=%s cols=%u %s:%u\n", ix->models[i].cls, ix->models[i].table ? ix->models[i].table : "-",
		       ix->models[i].ncols, ix->models[i].path, ix->models[i].line);
	for (i = 0; i < ix->ninjects; i++)
		printf("INJECT %s in %s %s:%u via %d\n", ix->injects[i].cls, ix->injects[i].fn, ix->injects[i].path,
		       ix->injects[i].line, ix->injects[i].via);
	py_index_free(ix);
	json_decref(ctx);
	return 0;
}
