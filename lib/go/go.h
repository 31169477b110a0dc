/*
 * go: the Go front end.
 *
 * go_tokenize fills the same token structure as the Python tokenizer
 * (py/tok.h): names, numbers, strings (interpreted "..." and raw `...`),
 * runes (PT_STRING), operators, comments apart; NEWLINE where Go inserts
 * a semicolon.  go_outline_build fills a py_outline (py/outline.h) with
 * lang LANG_GO: functions, methods (block recv = receiver type) and
 * function literals are PB_DEF (name, params with their types in
 * param_texts), for/for range PB_FOR, if/else, switch/select PB_MATCH
 * with PB_CASE, and calls with their dotted callee, parent_call/arg_index,
 * deferred (defer) and go_stmt (go).
 */
#ifndef PPERF_GO_H
#define PPERF_GO_H

#include <stddef.h>

#include "py/tok.h"
#include "py/outline.h"

/* Tokenizes src[0..len).  0, -1 only on allocation failure. */
int go_tokenize(struct py_toks *toks, const char *src, size_t len);

/* Builds the outline of Go tokens (which must outlive it).  0 or -1. */
int go_outline_build(struct py_outline *ol, const struct py_toks *toks);

#endif
