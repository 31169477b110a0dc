/*
 * js/outline_p: private state shared by the TypeScript outline builder's
 * files (outline.c: statements and blocks; outline_expr.c: expressions,
 * functions and calls).
 */
#ifndef PPERF_JS_OUTLINE_P_H
#define PPERF_JS_OUTLINE_P_H

#include <stdint.h>

#include "py/outline.h"

/* Statements nest at most this deep (callbacks in callbacks, blocks in
 * blocks); deeper code is scanned flat, for calls only, so that hostile
 * input cannot exhaust the C stack. */
#define JS_MAX_NEST 200
/* Tokens a guess (type arguments, a return type) may read. */
#define JS_SPEC_LIMIT 256

struct jcs {          /* an open bracket of the expressions being scanned */
	uint32_t open;
	int call;         /* the call this '(' opens, or -1 */
	int near;         /* index in the stack of the innermost call entry, -1 */
	int commas;       /* commas at this bracket's level so far */
};

struct jef {          /* an arrow function's expression body */
	int block;
	uint32_t end;     /* first token after the body */
	uint16_t depth;   /* depth of its "=>" */
};

struct seg {          /* the statement being filled */
	int si;           /* its index in ol->stmts, -1 when none is open */
	int block;        /* the block whose body holds it */
};

struct jb {
	struct py_outline *ol;
	const struct py_toks *t;
	uint32_t n;       /* tokens before PT_END */
	int32_t *match;   /* matching bracket, -1 */
	size_t cap_blocks, cap_stmts, cap_calls;
	struct jcs *cs;
	int csp, cscap;
	struct jef *es;
	int esp, escap;
	int nest;         /* statements being parsed, one inside the other */
	const char **decs; /* decorators waiting for their class or method */
	unsigned ndecs;
	uint32_t dec_line;
	int oom;
};

/* -- tokens -- */
int jb_op(const struct jb *b, uint32_t i, const char *s);      /* operator s */
int jb_kw(const struct jb *b, uint32_t i, const char *s);      /* keyword s */
int jb_word(const struct jb *b, uint32_t i, const char *s);    /* name s, keyword or not */
int jb_is_name(const struct jb *b, uint32_t i);                /* a name, not a keyword */
int jb_is_open(const struct jb *b, uint32_t i);                /* ( [ { */
/* Matching bracket of the opener at i when it lies before end, else 0. */
uint32_t jb_close(const struct jb *b, uint32_t i, uint32_t end);
uint32_t jb_skip_nl(const struct jb *b, uint32_t i, uint32_t end);
/* First token after the statement starting at i (its ';', NEWLINE, or the
 * enclosing closer), at least i + 1. */
uint32_t jb_stmt_end(const struct jb *b, uint32_t i, uint32_t end);
/* Arena copy of the normalised text of tokens [begin,end). */
const char *jb_text(struct jb *b, uint32_t begin, uint32_t end);

/* -- outline -- */
int jb_new_block(struct jb *b, int kind, int parent, uint32_t hdr_begin);
void jb_seg_open(struct jb *b, struct seg *sg, uint32_t begin, int block);
void jb_seg_close(struct jb *b, struct seg *sg, uint32_t end, int opens);
/* Statements of [begin,end) in block cur; in_switch stops at a case or
 * default clause.  Returns where it stopped. */
uint32_t jb_parse_list(struct jb *b, uint32_t begin, uint32_t end, int cur, int in_switch);
/* A class at token k ("class"), inside statement sg: the PB_CLASS and its
 * members.  Returns the token after its body. */
uint32_t jb_parse_class(struct jb *b, struct seg *sg, uint32_t k, uint32_t end, int parent);
/* A statement of tokens [s,e) without functions or calls to look at. */
void jb_plain_stmt(struct jb *b, uint32_t s, uint32_t e, int cur);
/* Extends bl's end_line to the line of token last. */
void jb_take_end_line(struct jb *b, struct py_block *bl, uint32_t last);
/* The ')' closing the '(' at i, or 0 when i holds no '(' or it is open. */
uint32_t jb_paren_at(const struct jb *b, uint32_t i, uint32_t end);

/* -- classes and decorators (outline_class.c) -- */
/* A decorator statement at i ('@'): kept for the next class or method.
 * Returns the token after it. */
uint32_t jb_decorator_stmt(struct jb *b, uint32_t i, uint32_t end, int cur);
/* After a decorator's '@' at i: the token after the decorator. */
uint32_t jb_decorator_end(const struct jb *b, uint32_t i, uint32_t end);
/* Forgets decorators no class or method took. */
void jb_drop_decorators(struct jb *b);
/* The first '{' at the depth of k after k, not inside type arguments (a
 * class or interface body), or 0. */
uint32_t jb_header_brace(const struct jb *b, uint32_t k, uint32_t end);

/* -- expressions (outline_expr.c) -- */
/* Text of a property key token (quotes of a string removed), arena. */
const char *jb_key_text(struct jb *b, uint32_t i);
/* Scans the expression tokens [begin,end) for functions and calls, in
 * block cur; may split sg at function bodies.  0 or -1. */
int jb_scan_expr(struct jb *b, struct seg *sg, uint32_t begin, uint32_t end, int cur);
/* The PB_DEF of a function whose parameters are the tokens [lp,rp] (lp ==
 * rp: a lone arrow parameter when single) and whose body starts at body (a
 * '{' or, for an arrow whose "=>" is arrow, an expression).  Returns the
 * token where scanning goes on. */
uint32_t jb_make_def(struct jb *b, struct seg *sg, uint32_t hdr, uint32_t lp, uint32_t rp, int single,
		     uint32_t arrow, uint32_t body, uint32_t end, int parent, const char *name, int is_async,
		     int take_decs);
/* -- types (outline_type.c) -- */
int jb_is_closer(const struct jb *b, uint32_t i);   /* ) ] } */
int jb_plain_string(const struct jb *b, uint32_t i); /* a string, not a regex or JSX */
/* 1 for tokens that may sit inside type arguments. */
int jb_type_arg_tok(const struct jb *b, uint32_t q);
/* At a '<' after a name: when it opens type arguments followed by a
 * call's '(' or a tagged template, that token; else 0. */
uint32_t jb_generic_call(const struct jb *b, uint32_t lt, uint32_t end);
/* Backwards from a '>' at gt: the '<' opening type arguments after a name
 * (after lim), or 0. */
uint32_t jb_back_angle(const struct jb *b, uint32_t gt, uint32_t lim);
/* Backwards from the '>' at gt closing an arrow's type parameters: the '<'
 * opening them, or gt + 1 when unsure. */
uint32_t jb_type_params_before(const struct jb *b, uint32_t gt, uint32_t lim);
/* First token after the type starting at i; arrow_ends stops at a "=>"
 * after a complete type (an arrow function's return type); limit bounds
 * the tokens looked at (0: none). */
uint32_t jb_skip_type(const struct jb *b, uint32_t i, uint32_t end, int arrow_ends, uint32_t limit);
/* After the '<' at i, the token after its matching '>' (type arguments or
 * parameters), or i + 1 when none is found. */
uint32_t jb_skip_angles(const struct jb *b, uint32_t i, uint32_t end);

/* -- facts (facts.c) -- */
/* Sets blocks[].handler (called by js_outline_build). */
void js_mark_handlers(struct py_outline *ol);

#endif
