/*
 * pydump: prints the outline of Python files, one line per function and
 * class ("DEF name line end_line" / "CLASS ..."), for the differential test
 * against Python's own ast module (t/e2e/22-outline-vs-ast.sh).  A .go file
 * goes through the Go front end, a .ts/.tsx/.js/.jsx/.mjs/.cjs file through
 * the TypeScript one; -v adds every block, statement and call.
 * A test tool, not installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "go/go.h"
#include "js/js.h"
#include "py/outline.h"
#include "py/tok.h"
#include "srcfile.h"

/* -v: every block, statement and call (front end debugging). */
static void dump_verbose(const struct py_outline *ol)
{
	static const char *const kinds[] = { "MODULE", "CLASS", "DEF", "FOR", "WHILE", "WITH", "TRY",
					     "EXCEPT", "FINALLY", "ELSE", "IF", "ELIF", "MATCH", "CASE",
					     "COMP", "LAMBDA" };
	size_t b;
	unsigned k;
	for (b = 0; b < ol->nblocks; b++) {
		const struct py_block *x = &ol->blocks[b];
		printf("B%zu %s parent=%d func=%d lines=%u-%u name=%s recv=%s handler=%u", b,
		       kinds[x->kind], x->parent, x->func, x->line, x->end_line, x->name ? x->name : "-",
		       x->recv ? x->recv : "-", x->handler);
		for (k = 0; k < x->nparams; k++)
			printf(" [%s|%s]", x->params[k], x->param_texts[k]);
		if (x->kind == PB_FOR && x->target)
			printf(" target=\"%s\" iter=%u-%u", x->target, x->iter_begin, x->iter_end);
		printf("\n");
	}
	for (b = 0; b < ol->nstmts; b++)
		printf("S%zu lines=%u-%u toks=%u-%u block=%d opens=%d\n", b, ol->stmts[b].line,
		       ol->stmts[b].end_line, ol->stmts[b].tok_begin, ol->stmts[b].tok_end, ol->stmts[b].block,
		       ol->stmts[b].opens);
	for (b = 0; b < ol->ncalls; b++) {
		const struct py_call *c = &ol->calls[b];
		printf("C%zu %u:%u %s%s name=%s stmt=%d block=%d func=%d parent=%d arg=%d%s%s\n", b, c->line,
		       c->col, c->is_ref ? "ref " : "", c->callee, c->name, c->stmt, c->block, c->func,
		       c->parent_call, c->arg_index, c->deferred ? " deferred" : "", c->go_stmt ? " go" : "");
	}
}

/* -v on TypeScript: what lib/js/js.h adds (async, decorators, jobs, loops
 * through iteration callbacks, awaited calls). */
static void dump_js(const struct py_outline *ol)
{
	size_t b;
	unsigned k;
	for (b = 0; b < ol->nblocks; b++) {
		const struct py_block *x = &ol->blocks[b];
		if (x->kind != PB_DEF && x->kind != PB_CLASS && x->kind != PB_EXCEPT)
			continue;
		printf("J B%zu async=%u job=%d arg_of=%d cbloop=%d", b, x->is_async, js_def_is_job(ol, (int)b),
		       js_def_arg_of(ol, (int)b, NULL), js_callback_loop(ol, (int)b));
		for (k = 0; k < x->ndecorators; k++)
			printf(" @%s", x->decorators[k]);
		if (x->bases)
			printf(" bases=\"%s\"", x->bases);
		if (x->kind == PB_EXCEPT && x->target)
			printf(" target=\"%s\"", x->target);
		printf("\n");
	}
	for (b = 0; b < ol->ncalls; b++) {
		const struct py_call *c = &ol->calls[b];
		if (c->awaited || js_call_loop(ol, c) >= 0)
			printf("J C%zu awaited=%u loop=%d depth=%d\n", b, c->awaited, js_call_loop(ol, c),
			       js_call_loop_depth(ol, c));
	}
}

static int is_js(const char *path)
{
	static const char *const exts[] = { ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", NULL };
	const char *dot = strrchr(path, '.');
	int k;
	for (k = 0; dot && exts[k]; k++)
		if (!strcmp(dot, exts[k]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	int i, status = 0, verbose = argc > 1 && !strcmp(argv[1], "-v");
	for (i = 1 + verbose; i < argc; i++) {
		struct srcfile sf;
		struct py_toks t;
		struct py_outline ol;
		unsigned bl, bc;
		size_t b;
		if (srcfile_load(&sf, argv[i], 0, &bl, &bc) != SRC_OK) {
			fprintf(stderr, "pydump: %s: cannot load\n", argv[i]);
			status = 1;
			continue;
		}
		size_t n = strlen(argv[i]);
		int go = n > 3 && !strcmp(argv[i] + n - 3, ".go"), js = is_js(argv[i]);
		if ((go ? go_tokenize(&t, sf.text, sf.len)
			: js ? js_tokenize(&t, sf.text, sf.len, js_path_jsx(argv[i])) : py_tokenize(&t, sf.text, sf.len)) < 0 ||
		    (go ? go_outline_build(&ol, &t) : js ? js_outline_build(&ol, &t) : py_outline_build(&ol, &t)) < 0) {
			fprintf(stderr, "pydump: %s: out of memory\n", argv[i]);
			return 1;
		}
		printf("FILE %s errors=%u\n", argv[i], t.nerrors);
		for (b = 0; b < ol.nblocks; b++) {
			const struct py_block *k = &ol.blocks[b];
			if (k->kind == PB_DEF || k->kind == PB_CLASS)
				printf("%s %s %u %u\n", k->kind == PB_DEF ? "DEF" : "CLASS",
				       k->name ? k->name : "?", k->line, k->end_line);
		}
		for (b = 0; b < ol.ncalls; b++)
			if (!ol.calls[b].is_ref)
				printf("CALL %u\n", ol.calls[b].line);
		if (js)
			js_outline_mark_path(&ol, argv[i]);
		if (verbose)
			dump_verbose(&ol);
		if (verbose && js)
			dump_js(&ol);
		py_outline_free(&ol);
		py_toks_free(&t);
		srcfile_free(&sf);
	}
	return status;
}
