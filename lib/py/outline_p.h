/*
 * py/outline_p: private state shared by the outline builder's files.
 */
#ifndef PPERF_PY_OUTLINE_P_H
#define PPERF_PY_OUTLINE_P_H

#include <stdint.h>
#include "py/outline.h"

struct frame {
	int block;      /* statement block whose body we are in */
	int last_child; /* last compound block opened at this level */
};

struct eframe {           /* expression-level block: comprehension or lambda */
	int block;
	uint32_t end;     /* first token after it */
	uint32_t iter_begin, iter_end; /* comprehension's first iterable */
};

struct ol_build {
	struct py_outline *ol;
	const struct py_toks *toks;
	int32_t *match;   /* matching bracket index, -1 */
	int32_t *compfor; /* for an open bracket: its first direct "for", -1 */
	struct frame *stack;
	int sp;
	int pending;      /* compound block waiting for its INDENT, -1 */
	uint32_t last_line;
	const char **decs;
	unsigned ndecs;
	uint32_t dec_line;
	size_t cap_blocks, cap_stmts, cap_calls;
	struct eframe *estack;
	int esp, ecap;
};

int ol_new_block(struct ol_build *b, int kind, int parent, uint32_t hdr_begin);
int ol_new_call(struct ol_build *b, struct py_call **out);
const char *ol_text(struct ol_build *b, uint32_t begin, uint32_t end);
/* Scans the tokens [begin,end) of statement si, in block cur. 0 or -1. */
int ol_scan_expr(struct ol_build *b, int si, uint32_t begin, uint32_t end, int cur);

#endif
