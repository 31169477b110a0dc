/*
 * py/outline: the structure of one Python file, built once from its tokens.
 *
 * Blocks (module, class, def, loops, with, try/except/finally, if, match,
 * comprehensions), logical statements and calls, each with their line
 * ranges and the questions checks ask ("inside an async def?", "inside a
 * loop?", "is this call awaited?", "is this callable only passed as a
 * value?").  Everything lives in one arena freed by py_outline_free().
 */
#ifndef PPERF_PY_OUTLINE_H
#define PPERF_PY_OUTLINE_H

#include <stddef.h>
#include <stdint.h>
#include "py/tok.h"

enum py_block_kind {
	PB_MODULE, PB_CLASS, PB_DEF, PB_FOR, PB_WHILE, PB_WITH,
	PB_TRY, PB_EXCEPT, PB_FINALLY, PB_ELSE, PB_IF, PB_ELIF,
	PB_MATCH, PB_CASE, PB_COMP, PB_LAMBDA
};

#define PB_MASK(k) (1u << (k))
#define PB_LOOPS (PB_MASK(PB_FOR) | PB_MASK(PB_WHILE) | PB_MASK(PB_COMP))

struct py_with_item {
	uint32_t expr_begin, expr_end; /* tokens of the context expression [begin,end) */
	const char *expr;              /* its text, whitespace-normalised (arena) */
	const char *target;            /* name after "as", or NULL (arena) */
};

/* The language an outline was built from.  The TypeScript/JavaScript
 * (lib/js/) and Go (lib/go/) front ends build the same structures, with
 * the same block kinds and call fields, so checks share their questions. */
enum src_lang { LANG_PYTHON = 0, LANG_TS, LANG_GO };

struct py_block {
	uint8_t kind;       /* enum py_block_kind */
	uint8_t is_async;   /* async def / async for / async with / async comprehension */
	int parent;         /* enclosing block, -1 for the module */
	int func;           /* innermost enclosing PB_DEF (itself for a def), -1 at module level */
	int try_of;         /* for EXCEPT/FINALLY/ELSE of a try: the PB_TRY block, else -1 */
	uint32_t line, end_line;        /* header's first line .. last line of the body */
	uint32_t hdr_begin, hdr_end;    /* header tokens [begin,end): keyword .. before ':' */
	uint32_t body_begin, body_end;  /* body tokens [begin,end) */
	const char *name;   /* def/class name (arena), else NULL */
	/* PB_DEF: decorators ("app.get(\"/x\")" without '@'), and parameters */
	const char **decorators; unsigned ndecorators;
	uint32_t dec_line;              /* first decorator line (or line) */
	const char **params; unsigned nparams;   /* parameter names (no * or **) */
	const char **param_texts;       /* whole text of each parameter incl. annotation/default */
	/* PB_WITH */
	struct py_with_item *items; unsigned nitems;
	/* PB_FOR and PB_COMP (first for): target text and iterable tokens */
	const char *target;
	uint32_t iter_begin, iter_end;
	/* PB_COMP: '[' '{' '(' and the closing token */
	char comp_open;
	uint32_t comp_open_tok, comp_close_tok;
	/* PB_CLASS: base-class text */
	const char *bases;
	/* PB_DEF: 1 when a request handler (see pyfacts.h), set after the build */
	uint8_t handler;
	/* PB_DEF in Go: the receiver type of a method ("Store" of func (s *Store) Get()), else NULL */
	const char *recv;
	/* PB_DEF in TS: 1 + the call it is passed to as a direct argument
	 * (items.map(x => ...)), 0 when none (and in Python); arg_pos is
	 * that argument's index.  See js_def_arg_of (js/js.h). */
	uint32_t arg_of, arg_pos;
};

struct py_stmt {
	uint32_t tok_begin, tok_end; /* [begin,end), without NEWLINE */
	uint32_t line, end_line;
	int block;   /* block whose body holds the statement */
	int opens;   /* block this statement is the header of, or -1 */
};

struct py_call {
	const char *callee;  /* dotted name with "()" for call results, e.g.
				"session.query().filter().first"; "" when the
				callee is not a name chain (arena) */
	const char *name;    /* last component, e.g. "first" (arena) */
	uint32_t name_begin; /* first token of the callee chain */
	uint32_t lparen, rparen; /* argument list tokens (rparen == lparen when
				    the call is only a reference, is_ref) */
	uint32_t line, col, end_line;
	int stmt;            /* statement index */
	int block;           /* innermost block (comprehensions and lambdas included) */
	int func;            /* innermost PB_DEF, -1 at module level */
	int parent_call;     /* innermost call whose argument list contains this one, -1 */
	int arg_index;       /* index of the argument of parent_call it sits in, -1 */
	uint8_t awaited;     /* directly under "await" (await x.y(...)) */
	uint8_t is_ref;      /* a dotted name passed as an argument, not called */
	uint8_t in_iter;     /* inside a comprehension's first iterable only */
	uint8_t deferred;    /* Go: the call of a defer statement (runs at return) */
	uint8_t go_stmt;     /* Go: the call of a go statement (runs in a new goroutine) */
};

struct py_arena;

struct py_outline {
	uint8_t lang;                /* enum src_lang */
	const struct py_toks *toks;  /* borrowed */
	struct py_block *blocks; size_t nblocks;
	struct py_stmt *stmts; size_t nstmts;
	struct py_call *calls; size_t ncalls;
	struct py_arena *arena;
};

/* Marks blocks[].handler for every def (called by py_outline_build). */
void py_outline_mark_handlers(struct py_outline *ol);

/* Builds the outline of toks (which must outlive it). 0, or -1 on ENOMEM. */
int py_outline_build(struct py_outline *ol, const struct py_toks *toks);
void py_outline_free(struct py_outline *ol);

/* Innermost enclosing block of kind in mask starting at block b (b itself
 * included), not crossing a PB_DEF/PB_LAMBDA boundary unless cross_defs.
 * Returns -1 when none. */
int py_outline_enclosing(const struct py_outline *ol, int b, unsigned mask, int cross_defs);

/* Innermost loop around call c within its function: a for/while block, or a
 * comprehension whose element (not first iterable) holds the call; -1. */
int py_call_loop(const struct py_outline *ol, const struct py_call *c);
/* Loop nesting depth of call c within its function. */
int py_call_loop_depth(const struct py_outline *ol, const struct py_call *c);
/* 1 when call c is inside an async def (its innermost def is async). */
int py_call_in_async_def(const struct py_outline *ol, const struct py_call *c);

/* Statement holding token i (binary search), -1 if none. */
int py_outline_stmt_of_tok(const struct py_outline *ol, uint32_t i);

/* Text of tokens [begin,end) joined with single spaces where the source had
 * whitespace; malloc'd, caller frees. */
char *py_outline_text(const struct py_outline *ol, uint32_t begin, uint32_t end);

/* 1 when the callee matches pattern: exact, or pattern "*.name" matches
 * any chain ending in ".name", "name" alone matches only a bare call. */
int py_callee_is(const struct py_call *c, const char *pattern);

#endif
