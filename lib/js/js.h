/*
 * js: the TypeScript and JavaScript front end (.ts .tsx .js .jsx .mjs .cjs).
 *
 * js_tokenize fills the same token structure as the Python tokenizer
 * (py/tok.h): names, numbers, strings (all quote forms; a template literal
 * with its ${...} parts is one PT_STRING; a regex literal is a PT_STRING
 * with PTF_REGEX), operators, comments apart; no INDENT/DEDENT; NEWLINE
 * ends a statement (";" or a line end where ASI applies).  js_outline_build
 * fills a py_outline (py/outline.h) with lang LANG_TS: functions,
 * methods and arrows are PB_DEF (is_async, name, params, decorators),
 * classes PB_CLASS, for/for-of/for-in/for await/while/do PB_FOR or
 * PB_WHILE, try/catch/finally PB_TRY/PB_EXCEPT/PB_FINALLY, if/else, and
 * calls with their dotted callee, awaited, is_ref, parent_call/arg_index.
 */
#ifndef PPERF_JS_H
#define PPERF_JS_H

#include <stddef.h>

#include "py/tok.h"
#include "py/outline.h"

#define PTF_REGEX 0x20   /* a regex literal (kind PT_STRING) */
#define PTF_TEMPLATE 0x40 /* a template literal (kind PT_STRING) */

/* Tokenizes src[0..len); jsx: 1 for .tsx/.jsx (JSX text and tags).
 * 0, -1 only on allocation failure (errors are PT_ERROR tokens). */
int js_tokenize(struct py_toks *toks, const char *src, size_t len, int jsx);

/* Builds the outline of js tokens (which must outlive it).  0 or -1 (ENOMEM). */
int js_outline_build(struct py_outline *ol, const struct py_toks *toks);

#endif
