/*
 * gort: token-level facts the Go implementations of the runtime checks share
 * (audit-runtime/..._go.c): where a statement runs (handler, loop), matching
 * brackets, dotted names, and whether a local slice is only read after a
 * point of its function.
 */
#ifndef PPERF_GORT_H
#define PPERF_GORT_H

#include <stdint.h>

#include "py/outline.h"
#include "py/tok.h"

/* 1 when block b lies in a request handler def (or a literal nested in one). */
int gort_in_handler(const struct py_outline *ol, int b);

/* Innermost for loop around block b within its function, or -1. */
int gort_loop_of(const struct py_outline *ol, int b);

/* Token closing the bracket opened at i (before end), or end when unmatched. */
uint32_t gort_close(const struct py_toks *t, uint32_t i, uint32_t end);

/* End of the dotted name (a, a.b.c) starting at token i, or i when none. */
uint32_t gort_chain_end(const struct py_toks *t, uint32_t i, uint32_t end);

/* 1 when tokens [a, a+n) and [b, b+n) spell the same thing. */
int gort_same_toks(const struct py_toks *t, uint32_t a, uint32_t b, uint32_t n);

/* Scans tokens [from, to) for the dotted name spelled by tokens [nb, nb+nn)
 * (not as the tail of a longer chain).  Returns 1 when every occurrence only
 * reads it: "range x", "len(x)"/"cap(x)", or "x[i]" read as a value (not
 * assigned, incremented, addressed or followed by a field or method).  *uses
 * counts the occurrences, *ranged those under "range".  0 on any other use
 * (assigned, passed on, returned, sorted, appended to, sent, stored). */
int gort_only_read(const struct py_toks *t, uint32_t from, uint32_t to, uint32_t nb, uint32_t nn,
		   unsigned *uses, unsigned *ranged);

#endif
