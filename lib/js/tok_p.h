/*
 * js/tok_p: the tokenizer's private state, shared by tok.c and jsx.c.
 */
#ifndef PPERF_JS_TOK_P_H
#define PPERF_JS_TOK_P_H

#include <stddef.h>
#include <stdint.h>

#include "py/tok.h"

struct jlex {
	struct py_toks *t;
	const char *s;
	size_t len, pos;
	uint32_t line;
	size_t line_start;  /* offset where the current line starts */
	int jsx;            /* JSX allowed */
	/* frames: '(' '[' '{' code brackets, 'x' a JSX expression container,
	 * 'T' a JSX tag being read, 'C' a JSX element's children */
	char *fr;
	int nfr, cfr;
	int depth;          /* code frames open */
	/* previous token (comments excluded): kind (-1 at the start) and text */
	int pkind, pflags;
	size_t poff, plen;
	int as_before;      /* the token before the previous one is "as" */
	/* a line break since the previous token where a statement may end */
	int nl;
	size_t nl_off;
	uint32_t nl_line, nl_col;
	size_t frag;        /* JSX: start of the markup not yet emitted */
	uint32_t frag_line, frag_col;
	int oom;
};

void jl_emit(struct jlex *lx, int kind, size_t start, uint32_t line, uint32_t col, int flags);
void jl_error(struct jlex *lx, uint32_t line, uint32_t col, const char *msg);
uint32_t jl_col(const struct jlex *lx, size_t off);
void jl_newline(struct jlex *lx);
int jl_is_nl(char c);
int jl_id_start(unsigned char c);
int jl_id_char(unsigned char c);
int jl_push(struct jlex *lx, char f);
char jl_top(const struct jlex *lx);
int jl_regex_ok(const struct jlex *lx);
int jl_scan_regex(struct jlex *lx);

/* At a '<' in expression position: 1 when JSX markup starts there (a
 * frame is pushed; jsx_run reads on), 0 when it is an operator after all
 * (a generic arrow <T,>(x) => x). */
int jsx_open(struct jlex *lx);
/* Reads markup while the top frame is a JSX tag or children, emitting it
 * as PTF_JSX strings, until a {...} container or the end of the element. */
void jsx_run(struct jlex *lx);
/* After the '}' of a JSX expression container: markup starts again. */
void jsx_resume(struct jlex *lx);

#endif
