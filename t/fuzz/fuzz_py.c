/*
 * fuzz_py: the Python tokenizer and outline (lib/py) on arbitrary bytes.
 *
 * Besides memory errors and undefined behaviour (the sanitizers), it
 * aborts when the tokens or the outline break the invariants the checks
 * rely on: tokens inside the input and in order, statements in token
 * order without overlap, blocks, statements and calls inside their
 * arrays, parents before children, calls ordered by their '('.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "py/tok.h"
#include "py/outline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void check_toks(const struct py_toks *t, size_t size)
{
	size_t i;
	CHECK(t->n > 0 && t->v[t->n - 1].kind == PT_END);
	for (i = 0; i < t->n; i++) {
		const struct py_tok *k = &t->v[i];
		CHECK((size_t)k->off + k->len <= size);
		CHECK(k->end_line >= k->line);
		if (i > 0 && k->len && t->v[i - 1].len)
			CHECK(k->off >= t->v[i - 1].off + t->v[i - 1].len);
	}
	for (i = 0; i < t->ncomments; i++)
		CHECK((size_t)t->comments[i].off + t->comments[i].len <= size);
}

static void check_outline(const struct py_outline *ol)
{
	const struct py_toks *t = ol->toks;
	uint32_t n = (uint32_t)t->n;
	size_t i, k;
	CHECK(ol->nblocks >= 1 && ol->blocks[0].kind == PB_MODULE);
	for (i = 0; i < ol->nblocks; i++) {
		const struct py_block *b = &ol->blocks[i];
		CHECK(b->parent < (int)i && (i == 0 || b->parent >= 0));
		CHECK(b->func < (int)ol->nblocks);
		CHECK(b->try_of < (int)i);
		CHECK(b->hdr_begin <= n && b->hdr_end <= n);
		CHECK(b->body_begin <= n && b->body_end <= n);
		if (b->kind == PB_DEF)
			CHECK(b->func == (int)i && (b->nparams == 0 || (b->params && b->param_texts)));
		for (k = 0; k < b->nitems; k++)
			CHECK(b->items[k].expr && b->items[k].expr_begin <= b->items[k].expr_end &&
			      b->items[k].expr_end <= n);
		for (k = 0; k < b->ndecorators; k++)
			CHECK(b->decorators[k] != NULL);
		(void)py_outline_enclosing(ol, (int)i, PB_LOOPS, 0);
		(void)py_outline_enclosing(ol, (int)i, PB_MASK(PB_DEF), 1);
	}
	for (i = 0; i < ol->nstmts; i++) {
		const struct py_stmt *s = &ol->stmts[i];
		CHECK(s->tok_begin < s->tok_end && s->tok_end <= n);
		CHECK(s->block >= 0 && (size_t)s->block < ol->nblocks);
		CHECK(s->opens < (int)ol->nblocks);
		if (i > 0)
			CHECK(ol->stmts[i - 1].tok_end <= s->tok_begin);
		CHECK(py_outline_stmt_of_tok(ol, s->tok_begin) == (int)i);
		free(py_outline_text(ol, s->tok_begin, s->tok_end));
	}
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_call *c = &ol->calls[i];
		CHECK(c->callee && c->name);
		CHECK(c->lparen < n && c->rparen < n && c->lparen <= c->rparen && c->name_begin < n);
		CHECK(c->stmt >= 0 && (size_t)c->stmt < ol->nstmts);
		CHECK(c->block >= 0 && (size_t)c->block < ol->nblocks);
		CHECK(c->func < (int)ol->nblocks);
		CHECK(c->parent_call < (int)i);
		if (i > 0)
			CHECK(ol->calls[i - 1].lparen <= c->lparen);
		(void)py_call_loop(ol, c);
		(void)py_call_loop_depth(ol, c);
		(void)py_call_in_async_def(ol, c);
		(void)py_callee_is(c, "*.execute");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct py_toks t;
	struct py_outline ol;
	if (py_tokenize(&t, (const char *)data, size) < 0)
		return 0;
	check_toks(&t, size);
	if (py_outline_build(&ol, &t) == 0) {
		check_outline(&ol);
		py_outline_free(&ol);
	}
	py_toks_free(&t);
	return 0;
}
