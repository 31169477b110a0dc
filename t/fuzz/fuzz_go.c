/*
 * fuzz_go: the Go tokenizer and outline on arbitrary bytes.
 *
 * Besides memory errors (ASan/UBSan), it aborts when an outline breaks
 * the invariants checks rely on: statements in token order without
 * overlap, blocks and calls inside the token array, parents before
 * children, every index in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "go/go.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static void invariants(const struct py_outline *ol, const struct py_toks *t)
{
	size_t i;
	uint32_t n = (uint32_t)t->n;
	check(ol->nblocks >= 1 && ol->blocks[0].kind == PB_MODULE);
	for (i = 0; i < ol->nblocks; i++) {
		const struct py_block *b = &ol->blocks[i];
		check(b->parent < (int)i && (i == 0 || b->parent >= 0));
		check(b->func < (int)ol->nblocks);
		check(b->hdr_begin <= n && b->hdr_end <= n);
		check(b->body_begin <= b->body_end && b->body_end <= n);
		check(b->line <= b->end_line);
		if (b->kind == PB_DEF)
			check(b->func == (int)i && (b->nparams == 0 || (b->params && b->param_texts)));
		if (b->kind == PB_FOR)
			check(b->target && b->iter_begin <= b->iter_end + 1 && b->iter_end <= n);
	}
	for (i = 0; i < ol->nstmts; i++) {
		const struct py_stmt *s = &ol->stmts[i];
		check(s->tok_begin < s->tok_end && s->tok_end <= n);
		check(s->block >= 0 && (size_t)s->block < ol->nblocks);
		check(s->opens < (int)ol->nblocks);
		if (i > 0)
			check(ol->stmts[i - 1].tok_end <= s->tok_begin);
		check(py_outline_stmt_of_tok(ol, s->tok_begin) == (int)i);
	}
	for (i = 0; i < ol->ncalls; i++) {
		const struct py_call *c = &ol->calls[i];
		check(c->callee && c->name);
		check(c->lparen < n && c->rparen < n && c->name_begin < n);
		check(c->stmt >= 0 && (size_t)c->stmt < ol->nstmts);
		check(c->block >= 0 && (size_t)c->block < ol->nblocks);
		check(c->parent_call < (int)i);
		check(i == 0 || ol->calls[i - 1].lparen < c->lparen); /* go_types bisects on it */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct py_toks t;
	struct py_outline ol;
	struct go_types *gt;
	size_t i, n;
	if (go_tokenize(&t, (const char *)data, size) < 0)
		return 0;
	if (go_outline_build(&ol, &t) < 0) {
		py_toks_free(&t);
		return 0;
	}
	invariants(&ol, &t);
	for (i = 0; i < ol.nstmts; i++)
		(void)go_stmt_is_err_return(&ol, (int)i);
	for (i = 0; i < ol.nblocks; i++) {
		int a, c = go_lit_arg_of(&ol, (int)i, &a);
		(void)go_def_recv_tok(&ol, (int)i);
		check(c < (int)ol.ncalls && (c < 0) == (a < 0));
		check(go_lit_invoked_by(&ol, (int)i) < (int)ol.ncalls);
	}
	for (i = 0; i < t.n; i++)
		if (go_string_body(&t, i, &n))
			check(n <= t.v[i].len);
	gt = go_types_new(&ol);
	if (gt) {
		struct go_field fl[4];
		for (i = 0; i < ol.ncalls; i++) {
			const struct py_call *c = &ol.calls[i];
			(void)go_types_recv(gt, (int)i);
			(void)go_types_of(gt, c->block, c->lparen, c->callee);
		}
		for (i = 0; i < ol.nblocks; i++)
			if (ol.blocks[i].recv)
				check(go_types_fields(gt, ol.blocks[i].recv, fl, 4) >= 0);
		go_types_free(gt);
	}
	py_outline_free(&ol);
	py_toks_free(&t);
	return 0;
}
