/*
 * go: the Go front end.
 *
 * go_tokenize fills the same token structure as the Python tokenizer
 * (py/tok.h): names (PTF_KEYWORD on Go's 25 keywords; nil, true, iota and
 * the builtins are plain names), numbers (all forms, imaginary included),
 * strings (interpreted "...", raw `...` spanning lines, and runes 'x', all
 * PT_STRING), operators (:= <- ... &^ ++ and the rest), comments apart.
 * There are no INDENT/DEDENT tokens: a NEWLINE stands where Go's automatic
 * semicolon insertion puts a semicolon (len 0) and for each explicit ';'
 * (len 1), at any bracket depth.  depth is the bracket depth of ( [ {.
 *
 * go_outline_build fills a py_outline (py/outline.h) with lang LANG_GO and
 * the Python outline's meanings:
 * - PB_MODULE block 0.  PB_DEF for function declarations, methods (recv =
 *   receiver type without '*' or type arguments: "Store") and function
 *   literals (name NULL).  params are the parameter names ("_" for an
 *   unnamed parameter), param_texts "name type" ("r *http.Request"); the
 *   receiver is not a parameter (go_def_recv_tok finds it), so a call's
 *   arg_index is the callee's parameter index.  is_async is 0.
 * - PB_FOR for every for: range loops have target = the range variables'
 *   text ("_, x", "" for "for range ch") and iter_begin/iter_end = the
 *   range expression; other loops have target "" and iter = their
 *   condition tokens (empty for "for {").  Calls of a range expression and
 *   of a three-clause init run once (block = the enclosing block); calls
 *   of a condition or post statement run per iteration (block = the loop).
 * - PB_IF, PB_ELIF for "else if", PB_ELSE; PB_MATCH for switch, type switch
 *   and select, with one PB_CASE per case/default clause (case
 *   expressions are scanned in the PB_MATCH block).
 * - Braced blocks: hdr_begin is the keyword (func, for, if, switch,
 *   select, else, case, default; the if of an "else if"), hdr_end the '{'
 *   (the ':' of a case), body [body_begin, body_end) inside the braces;
 *   line is the keyword's line, end_line the '}' line (a case clause ends
 *   with its last statement).  The calls of an if/switch header (init
 *   statement and condition) are in the enclosing block.  Blocks nest
 *   at most 160 deep; deeper bodies are left opaque.
 * - Statements in token order, never overlapping: a header statement runs
 *   from its keyword (or label, or "else") through its '{' and opens its
 *   block.  A statement holding a function literal is split at the
 *   literal's body: the part through the literal's '{' opens the literal's
 *   PB_DEF, its body's statements follow, and the rest after its '}' is
 *   a further statement of the same block.
 * - Calls: '(' after a name, a call result, an index or a function literal
 *   ("func(){...}()", callee ""), with the dotted callee chain
 *   ("db.Model().Where().Find", "handlers[]", "x.(*T).M" for a type
 *   assertion).  Conversions T(x) count as calls; composite literals
 *   T{...}, type assertions x.(T) and function types do not.
 *   parent_call crosses function literals (the calls in a literal passed to
 *   db.Transaction have that call as parent_call, with the literal's
 *   argument index).  Dotted names passed as arguments are is_ref calls as
 *   in Python (not nil/true/false/iota).  deferred marks the call a defer
 *   statement runs at return (only the outer call: defer f(g()) defers f,
 *   evaluates g), go_stmt the call of a go statement.
 * - handler: defs with a (http.ResponseWriter, *http.Request) pair,
 *   *gin.Context, echo.Context or *fiber.Ctx parameter, defs named by a
 *   routing call of the same file (r.Get("/x", h), http.HandleFunc,
 *   mux.Handle("/x", http.HandlerFunc(h)), r.GET("/x", s.list)), literals
 *   passed to one, and defs nested inside a handler.
 */
#ifndef PPERF_GO_H
#define PPERF_GO_H

#include <stddef.h>
#include <stdint.h>

#include "py/tok.h"
#include "py/outline.h"

/* Tokenizes src[0..len).  0, -1 only on allocation failure (errors are
 * PT_ERROR tokens, or PTF_UNTERMINATED strings, and counted in nerrors). */
int go_tokenize(struct py_toks *toks, const char *src, size_t len);

/* Builds the outline of Go tokens (which must outlive it).  0 or -1. */
int go_outline_build(struct py_outline *ol, const struct py_toks *toks);

/* The text between the quotes of string token i (interpreted, raw or
 * rune), escapes left as written; *n receives its length.  NULL when i is
 * not a string token.  Borrowed from toks->src. */
const char *go_string_body(const struct py_toks *toks, size_t i, size_t *n);

/* Token of the receiver variable of method def ("s" of func (s *Store)
 * Get()), or -1 (not a method, or an unnamed receiver). */
int go_def_recv_tok(const struct py_outline *ol, int def);

/* For a function literal def: the call whose argument list holds it
 * (h.db.Transaction of h.db.Transaction(func(tx *gorm.DB) error {...})),
 * with *arg_index its argument (may be NULL); -1 when none. */
int go_lit_arg_of(const struct py_outline *ol, int def, int *arg_index);

/* For a function literal def called where it stands (go func() {...}(),
 * defer func() {...}()): that call, whose go_stmt / deferred say which;
 * -1 otherwise. */
int go_lit_invoked_by(const struct py_outline *ol, int def);

/* 1 when statement stmt is the header of an if (or else if) whose
 * condition compares an error value with nil ("err != nil", also after an
 * init statement: if err := tx.Commit(); err != nil) and whose body exits
 * the function early: a return, panic(...), log.Fatal*, os.Exit at the
 * body's top level.  The block is ol->stmts[stmt].opens. */
int go_stmt_is_err_return(const struct py_outline *ol, int stmt);

/*
 * Static types of names, from what the file declares: parameters and
 * receivers, "var x T", "x := &T{...}" / "T{...}" / "new(T)", results of a
 * few constructors (sql.Open -> sql.DB, db.Begin/BeginTx -> sql.Tx or
 * gorm.DB, pgxpool.New -> pgxpool.Pool, ...), and fields of the file's
 * struct types (s.db of a Store whose field is "db *sql.DB"); literals
 * and conversions of basic types ("" -> string, 1.5 -> float64,
 * []byte(s)).  Built once per outline in one pass; a lookup bisects the
 * bindings of the enclosing functions.
 */
struct go_types;

/* NULL on ENOMEM.  ol must outlive it. */
struct go_types *go_types_new(const struct py_outline *ol);
void go_types_free(struct go_types *gt);

/* Type of the receiver of call c ("sql.DB" for db.QueryRowContext when db
 * is a *sql.DB, "Store" for s.GetOrder in a method of *Store), without '*';
 * NULL when unknown or when the callee has no receiver.  Borrowed (arena
 * of the outline or the types). */
const char *go_types_recv(const struct go_types *gt, int call);

/* Type of the dotted name expr ("s.db", "tx") as seen from block blk
 * before token tok, without '*'; NULL when unknown. */
const char *go_types_of(const struct go_types *gt, int blk, uint32_t tok, const char *expr);

struct go_field {
	const char *name;  /* the field's name (an embedded field's type name) */
	const char *type;  /* its type text without a leading '*' */
	int tag_tok;       /* token of its tag string (`gorm:"..."`), or -1 */
	int embedded;      /* 1 for an embedded field (*gorm.Model, Base) */
	unsigned decl;     /* declaration order in the file */
};

/* The fields of the file's struct type strct, in declaration order: fills
 * out[0..max) and returns how many there are (may exceed max). */
int go_types_fields(const struct go_types *gt, const char *strct, struct go_field *out, int max);

#endif
