/*
 * go/outline_p: private state shared by the Go outline builder's files.
 */
#ifndef PPERF_GO_OUTLINE_P_H
#define PPERF_GO_OUTLINE_P_H

#include <stdint.h>
#include "go/go.h"

/* Blocks nested deeper than this are left opaque (no statements, no
 * calls): real code never gets near it, and it bounds the C stack. */
#define GO_MAX_NEST 160

struct go_cframe {        /* an open bracket of the expression being scanned */
	uint32_t open;
	int call;         /* the call it opens, or -1 */
	int commas;       /* top-level commas seen: the argument index */
};

struct go_lit {           /* a function literal and the call it is passed to */
	int def;
	int call;         /* nearest enclosing call, or -1 */
	int arg;          /* the argument of it the literal sits in */
};

struct go_build {
	struct py_outline *ol;
	const struct py_toks *toks;
	uint32_t ntok;            /* tokens without the final PT_END */
	int32_t *match;           /* matching bracket index, -1 */
	size_t cap_blocks, cap_stmts, cap_calls;
	struct go_cframe *cs;     /* one bracket stack for the whole walk: the
				     frames of a statement stay below those of
				     the literals inside it (parent_call) */
	int csp, ccap;
	int nest;                 /* block nesting of the walk */
	int dg;                   /* 1 in a defer statement, 2 in a go statement */
	uint32_t dg_kw, dg_end;   /* its keyword and end */
	uint32_t lit_func, lit_close; /* last literal's func and '}' tokens */
	struct go_lit *lits;
	size_t nlits, caplits;
};

int gb_new_block(struct go_build *b, int kind, int parent, uint32_t hdr);
int gb_new_stmt(struct go_build *b, uint32_t begin, uint32_t end, int block, int opens);
/* Arena copy of the normalised text of tokens [begin,end); "" when empty. */
const char *gb_text(struct go_build *b, uint32_t begin, uint32_t end);
/* Token after token i, jumping over a bracketed group that closes before end. */
uint32_t gb_skip(const struct go_build *b, uint32_t i, uint32_t end);
/* The block body '{' after a signature whose parameters close at rp, or
 * the token where the signature ends (a function type); in [rp+1,end]. */
uint32_t gb_func_body(const struct go_build *b, uint32_t rp, uint32_t end);
/* Fills params/param_texts of def bl from the parameter list (lp, rp). */
void gb_parse_params(struct go_build *b, int bl, uint32_t lp, uint32_t rp);
/* Walks the statements of tokens [begin,end) in block cur.  0 or -1. */
int gb_walk_stmts(struct go_build *b, uint32_t begin, uint32_t end, int cur);
/* Scans tokens [begin,end) of statement *si for calls and function
 * literals, in block blk; a literal splits the statement (*si becomes the
 * part after it).  0 or -1. */
int gb_scan_expr(struct go_build *b, int *si, uint32_t begin, uint32_t end, int blk);
/* Sets blocks[].handler (go/facts.c). */
void gb_mark_handlers(struct go_build *b);

static inline int gb_is(const struct go_build *b, uint32_t i, const char *s)
{
	return py_tok_is(b->toks, i, s);
}

static inline int gb_kw(const struct go_build *b, uint32_t i, const char *s)
{
	return i < b->toks->n && (b->toks->v[i].flags & PTF_KEYWORD) && py_tok_is(b->toks, i, s);
}

static inline int gb_name(const struct go_build *b, uint32_t i)
{
	return i < b->toks->n && b->toks->v[i].kind == PT_NAME && !(b->toks->v[i].flags & PTF_KEYWORD);
}

static inline int gb_newline(const struct go_build *b, uint32_t i)
{
	return i < b->toks->n && b->toks->v[i].kind == PT_NEWLINE;
}

#endif
