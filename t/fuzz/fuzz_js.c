/*
 * fuzz_js: the TypeScript front end (lib/js) on arbitrary bytes.
 *
 * Each input is tokenized with and without JSX and outlined; every query
 * of js.h runs on every block and call.  Beyond crashes, leaks and
 * undefined behaviour (the sanitizers), the outline's invariants are
 * checked and a violation aborts: tokens in order inside the input,
 * statements in order and disjoint, calls ordered by lparen with their
 * statement holding their name, blocks after their parents.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "js/js.h"
#include "pyfacts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void check_toks(const struct py_toks *t, size_t size)
{
	size_t i;
	CHECK(t->n > 0 && t->v[t->n - 1].kind == PT_END);
	for (i = 0; i < t->n; i++) {
		const struct py_tok *k = &t->v[i];
		CHECK((size_t)k->off + k->len <= size);
		CHECK(k->line >= 1 && k->end_line >= k->line);
		if (i > 0)
			CHECK(k->off >= t->v[i - 1].off + t->v[i - 1].len || k->len == 0 ||
			    t->v[i - 1].len == 0);
	}
}

static void check_outline(const struct py_outline *ol)
{
	const struct py_toks *t = ol->toks;
	size_t i;
	CHECK(ol->nblocks >= 1 && ol->blocks[0].kind == PB_MODULE);
	for (i = 1; i < ol->nblocks; i++) {
		const struct py_block *b = &ol->blocks[i];
		CHECK(b->parent >= 0 && (size_t)b->parent < i);
		CHECK(b->func < (int)ol->nblocks);
		CHECK(b->body_begin <= t->n && b->body_end <= t->n);
		CHECK(b->try_of < (int)i);
		js_def_is_job(ol, (int)i);
		js_def_arg_of(ol, (int)i, NULL);
		js_callback_loop(ol, (int)i);
	}
	for (i = 0; i < ol->nstmts; i++) {
		const struct py_stmt *s = &ol->stmts[i];
		CHECK(s->tok_begin < s->tok_end && s->tok_end <= t->n);
		CHECK(s->block >= 0 && (size_t)s->block < ol->nblocks);
		CHECK(s->opens < (int)ol->nblocks);
		if (i > 0)
			CHECK(ol->stmts[i - 1].tok_end <= s->tok_begin);
		free(py_outline_text(ol, s->tok_begin, s->tok_end));
		{
			struct py_assign a;
			if (js_stmt_assign(ol, (int)i, &a))
				CHECK(a.target_begin < a.target_end && a.target_end <= a.op &&
				    a.op < a.value_begin &&
				      a.value_end <= s->tok_end);
		}
	}
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_call *c = &ol->calls[i];
		CHECK(c->lparen < t->n && c->rparen < t->n && c->lparen <= c->rparen);
		CHECK(c->stmt >= 0 && (size_t)c->stmt < ol->nstmts);
		CHECK(c->block >= 0 && (size_t)c->block < ol->nblocks);
		CHECK(c->parent_call < (int)i);
		CHECK(c->callee && c->name);
		if (i > 0)
			CHECK(ol->calls[i - 1].lparen <= c->lparen);
		CHECK(py_outline_stmt_of_tok(ol, c->lparen) == c->stmt);
		js_call_loop(ol, c);
		js_call_loop_depth(ol, c);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int jsx;
	for (jsx = 0; jsx < 2; jsx++) {
		struct py_toks t;
		struct py_outline ol;
		if (js_tokenize(&t, (const char *)data, size, jsx) < 0)
			return 0;
		check_toks(&t, size);
		if (js_outline_build(&ol, &t) == 0) {
			check_outline(&ol);
			js_outline_mark_path(&ol, "pages/api/x.ts");
			py_outline_free(&ol);
		}
		py_toks_free(&t);
	}
	return 0;
}
