/*
 * js: the TypeScript and JavaScript front end (.ts .tsx .js .jsx .mjs .cjs).
 *
 * js_tokenize fills the same token structure as the Python tokenizer
 * (py/tok.h), in one pass:
 * - PT_NAME: identifiers ($ and _ included, "#x" private names as one
 *   token).  PTF_KEYWORD on reserved words (if, for, const, new, await,
 *   async, typeof, true, false, null, ...) except after '.' or '?.'
 *   (x.delete(), p.catch()); this and super are plain names.
 * - PT_NUMBER: decimal, .5, 1e-3, 0x/0o/0b, numeric separators, BigInt 10n.
 * - PT_STRING: '...' and "..." (PTF_UNTERMINATED at a line end); a template
 *   literal with its ${...} parts, nested templates and braces included,
 *   is one token with PTF_TEMPLATE; a regex literal is one token with
 *   PTF_REGEX.  A '/' is a regex after an operator, '(' ',' '=' ':' '['
 *   '!' '&' '|' '?' '{' '}' ';', after return/typeof/case/... or at the
 *   start; a division after a name, a number, a string, ')' or ']'; a
 *   "regex" that does not end on its line is a division after all.
 * - JSX (jsx != 0): markup between tags (tag names, attributes, text) is
 *   PT_STRING tokens with PTF_JSX; the {...} expression containers inside
 *   are ordinary '{' ... '}' tokens, so the code in them is outlined.
 * - PT_OP: operators; '>' is always one character ('>>' is two tokens,
 *   '>=' stays one) so that closing generics read the same everywhere.
 * - PT_NEWLINE (length 0) where a statement ends: after a ';' and at a line
 *   break where automatic semicolon insertion applies (the token before can
 *   end a statement and the next one cannot continue it: a line starting
 *   with '.', an operator, '(' '[' or a template goes on, as in JS; one
 *   starting with else/catch/finally/as too), both only at statement level
 *   (inside { } or at the top, never inside ( ) [ ] or a JSX expression).
 *   No INDENT/DEDENT.  PT_END last.
 * - Comments (line, block and the #! line) in toks->comments.  depth is the
 *   bracket depth of ( [ { before the token (a closer has its opener's
 *   depth).  Errors (unterminated string, template, comment or JSX,
 *   unexpected character) never stop the scan: PT_ERROR tokens or
 *   PTF_UNTERMINATED strings, counted in nerrors.
 *
 * js_outline_build fills a py_outline (py/outline.h) with lang LANG_TS and
 * the Python outline's meanings:
 * - PB_MODULE block 0.  PB_CLASS for class declarations and expressions:
 *   name (NULL when anonymous), bases = the header text after the name
 *   ("extends WorkerHost implements OnModuleInit"), decorators.
 * - PB_DEF for function declarations and expressions, methods (get, set,
 *   static, async, constructor; object literal methods too), and arrow
 *   functions.  name: the declared name, else the variable, property or
 *   class field the function is assigned to (const h = async () => ...,
 *   { handler: (req) => ... }), else NULL.  is_async.  params: names
 *   (modifiers such as private readonly, '...' and decorators dropped; a
 *   destructuring pattern's text, "{ id }"); param_texts: the whole text
 *   ("@Body() dto: CreateDto", "private readonly prisma: PrismaService").
 *   decorators: text after '@' ("Get(':id')"), dec_line.  An arrow's
 *   hdr_begin is its first token (async or the parameters), hdr_end its
 *   "=>"; a block body is [body_begin, body_end) inside the braces, an
 *   expression body the expression's tokens.  Overload signatures and
 *   abstract methods (no body) are no blocks.  Functions are defs: func of
 *   a call inside an arrow is the arrow.
 * - PB_FOR: for, for-of, for-in, for await (is_async).  for-of/in: target
 *   = the binding without const/let/var ("x", "[k, v]"), iter_begin/
 *   iter_end = the iterable, whose calls run once (block = the enclosing
 *   block).  Three-clause for: target = the first declared name ("i") or
 *   "", iter empty; the init's calls run once, the test's and update's
 *   calls belong to the loop.  PB_WHILE: while and do-while (header "do";
 *   the trailing "while (cond)" is a statement of the loop block, inside
 *   [body_begin, body_end)); a while condition's calls belong to the loop.
 * - PB_IF, PB_ELIF ("else if"), PB_ELSE; PB_TRY, PB_EXCEPT (catch; target
 *   = the catch binding, "err"), PB_FINALLY with try_of; PB_MATCH for switch with one PB_CASE per
 *   case/default clause (header through its ':').  PB_WITH, PB_COMP and
 *   PB_LAMBDA are not used.
 * - Statements in token order, never overlapping; ';' and NEWLINE tokens
 *   are outside them.  A header statement runs from its first token
 *   (export, async, a keyword, a label) through its '{' and opens its
 *   block.  A statement holding a function with a block body (a callback)
 *   is split at that body: the part through the '{' opens the function's
 *   PB_DEF, the body's statements follow, and the rest after the '}' is a
 *   further statement of the same block (dropped when it holds only
 *   closing brackets).  Decorators are statements of their own.
 * - Calls: '(' after a name chain, a call result, an index, a non-null '!'
 *   or '?.', and tagged templates (prisma.$queryRaw`...`, with lparen ==
 *   rparen == the template token).  callee: the dotted chain as in Python,
 *   "this.prisma.user.findMany", "knex().where().first" ("()" for call
 *   results, "[]" for indexes), '?.' read as '.' (a?.b() -> "a.b"), '!'
 *   and type arguments dropped (repo.find<User>() -> "repo.find").  A
 *   constructor call's callee is prefixed "new " ("new Worker",
 *   "new bullmq.Worker"; name "Worker"; name_begin the "new" token; only
 *   for the constructor itself: new Foo().bar() is "Foo().bar"): see
 *   js_call_is_new.  line/col: the token before the '(' (type arguments
 *   skipped), its end line for a multi-line template, as Python's ast has
 *   it.  awaited: directly under await (await a.b().c() marks both, as in
 *   Python).  A dotted name passed as an argument is an is_ref call
 *   (items.forEach(handle), undefined excluded).  parent_call/arg_index
 *   cross function bodies: the calls in a callback passed to items.map(...)
 *   have that call as parent_call, with the callback's argument index.
 *   Calls are in token order (of lparen).  Calls inside a template's
 *   ${...} are not outlined: the literal is one token (as Python's
 *   f-strings).
 * - blocks[].arg_of/arg_pos (py/outline.h): a function passed directly as
 *   an argument records that call (1 + index) and the argument's index.
 * - handler (set after the build): NestJS methods decorated @Get @Post @Put
 *   @Patch @Delete @All @Head @Options @Sse @Search @MessagePattern
 *   @EventPattern @SubscribeMessage (@Query @Mutation @Subscription
 *   @ResolveField in a @Resolver) in a @Controller, @WebSocketGateway or
 *   @Resolver class; functions passed to a routing call (app.get('/x', fn)
 *   with a path first, router.post(...), app.route('/x').get(fn),
 *   fastify.route({ handler }), app.use(fn) on an app/router/server,
 *   http.createServer(fn), wss.on('connection', fn); not on HTTP clients
 *   and lookups: axios.get('/x', cb), cache.get('/k', fn)) or named by one
 *   in the same file (router.get('/x', listUsers)); exported functions named
 *   GET POST PUT PATCH DELETE HEAD OPTIONS (Next.js route handlers); and
 *   functions nested inside a handler.  Jobs are not handlers: see
 *   js_def_is_job.
 */
#ifndef PPERF_JS_H
#define PPERF_JS_H

#include <stddef.h>

#include "py/tok.h"
#include "py/outline.h"

#define PTF_REGEX 0x20    /* a regex literal (kind PT_STRING) */
#define PTF_TEMPLATE 0x40 /* a template literal (kind PT_STRING) */
#define PTF_JSX 0x80      /* JSX markup (kind PT_STRING) */

/* Tokenizes src[0..len); jsx: 1 to read JSX (see js_path_jsx).  src must
 * stay alive while toks is used; free with py_toks_free.  0, -1 only on
 * allocation failure (errors are PT_ERROR tokens). */
int js_tokenize(struct py_toks *toks, const char *src, size_t len, int jsx);

/* 1 when a file with this path may hold JSX: .tsx, .jsx and plain
 * JavaScript (.js .mjs .cjs, where a '<' in expression position can only
 * start markup); 0 for .ts, .mts, .cts (where <T>x is a type assertion). */
int js_path_jsx(const char *path);

/* Builds the outline of js tokens (which must outlive it).  0 or -1
 * (ENOMEM).  Free with py_outline_free. */
int js_outline_build(struct py_outline *ol, const struct py_toks *toks);

/* Marks the handlers that only the file's path reveals: the default
 * export of a Next.js API route (pages/api/...) and what it nests.  path
 * is relative to the project root; call after js_outline_build. */
void js_outline_mark_path(struct py_outline *ol, const char *path);

/* The call that function def (a PB_DEF) is passed to as a direct argument
 * (items.map(x => ...), app.get('/x', async (req, res) => {...})), with
 * *arg_index its argument index (may be NULL); -1 when def is not an
 * argument (a property of an object argument is not: fastify.route({
 * handler })).  Constant time. */
int js_def_arg_of(const struct py_outline *ol, int def, int *arg_index);

/* When def is the callback of an array iteration (forEach map flatMap
 * filter reduce reduceRight some every find findIndex findLast
 * findLastIndex on a receiver, Array.from(xs, fn), lodash _.map/_.forEach/
 * ..., Bluebird/Promise.map/each/mapSeries, p-map pMap(xs, fn), async.each/
 * eachSeries/map/mapSeries/...), the index of that call; else -1.  It runs
 * once per element: a loop, also under Promise.all(xs.map(...)). */
int js_callback_loop(const struct py_outline *ol, int def);

/* Innermost loop around call c within its function, looking through
 * iteration callbacks: a PB_FOR/PB_WHILE block, or the PB_DEF of an
 * iteration callback (js_callback_loop of it >= 0) holding c; -1. */
int js_call_loop(const struct py_outline *ol, const struct py_call *c);
/* Number of such loops around call c (0 when none). */
int js_call_loop_depth(const struct py_outline *ol, const struct py_call *c);

struct py_assign; /* pyfacts.h */

/* 1 and fills a (target, operator, value tokens) when statement s assigns
 * one target: "const x = v", "let x: T = v", "export const x = v",
 * "this.cache[k] = v", "s += v", "x ??= v" (export/declare and
 * const/let/var are not part of the target, nor is a type annotation); 0
 * otherwise (a = b = c, no '=').  A statement split at a callback in its
 * value ends at that callback's '{': value_end is the end of statement s. */
int js_stmt_assign(const struct py_outline *ol, int s, struct py_assign *a);

/* 1 when c is a constructor call (callee "new X"). */
int js_call_is_new(const struct py_call *c);

/* 1 when def is a background job or scheduled task (or nested in one):
 * BullMQ new Worker(name, fn), a @Processor class's @Process methods or
 * process() of a WorkerHost, @Cron/@Interval/@Timeout methods, bull
 * queue.process(fn), node-cron cron.schedule(expr, fn), new CronJob(expr,
 * fn), agenda.define(name, fn), setInterval(fn). */
int js_def_is_job(const struct py_outline *ol, int def);

#endif
