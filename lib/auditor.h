/*
 * auditor: the frame shared by the three auditors.
 *
 * An auditor is a category name and a const table of checks.  The frame
 * parses the command line, obtains the context (stdin, or discovers the
 * project itself when given a path or when stdin is a terminal), walks the
 * source files once, builds each Python file's tokens and outline once,
 * hands them to every check of the table, and writes one pperf.result/1.
 * A check row whose run function is NULL is not implemented yet and is
 * reported with "ran": false.
 */
#ifndef PPERF_AUDITOR_H
#define PPERF_AUDITOR_H

#include <jansson.h>
#include "finding.h"
#include "srcfile.h"
#include "py/tok.h"
#include "py/outline.h"

struct check_def;
struct py_index;
struct js_index;
struct go_index;
struct auditor_cache;

struct check_ctx {
	const char *path;              /* file path relative to codebase_root */
	const struct srcfile *sf;      /* the file's text and line index */
	const struct py_toks *toks;
	const struct py_outline *ol;
	const json_t *context;         /* borrowed pperf.context/1 */
	const struct check_def *def;   /* the running check */
	struct finding_list *out;      /* where check_report appends */
	struct auditor_cache *cache;   /* frame-private: the project index, see check_project_index() */
};

typedef void (*check_fn)(struct check_ctx *cx);

struct check_def {
	const char *id;
	const char *title;         /* one line: what it finds */
	const char *principle;     /* the rule it enforces (goes into findings) */
	enum severity severity;    /* default severity, see severity rules */
	const char *severity_rule; /* how severity is chosen, for the docs */
	const char *effort;        /* S, M, L, S-M, M-L */
	const char *why;           /* why it matters */
	const char *example;       /* a bad example (Python) */
	const char *instead;       /* what to write instead */
	check_fn run;              /* Python; NULL: not implemented yet (ran: false) */
};

/* The TypeScript/JavaScript and Go implementations of a check of the
 * table (by id); a check without a row here runs on Python files only. */
struct check_lang {
	const char *id;
	check_fn run_ts;           /* TypeScript/JavaScript files, or NULL */
	check_fn run_go;           /* Go files, or NULL */
};

struct auditor {
	const char *phase;     /* "audit-runtime" */
	const char *category;  /* "Runtime Performance" */
	const struct check_def *checks;
	size_t nchecks;
	const struct check_lang *langs;  /* other languages, may be NULL */
	size_t nlangs;
};

/* The whole main() of an auditor executable. Returns the exit status. */
int auditor_main(const struct auditor *a, int argc, char **argv);

/*
 * Appends a finding for the running check at lines [line, end_line] of the
 * current file.  issue and recommendation are copied.  The snippet is taken
 * from the source; principle and effort come from the check's row.
 */
void check_report(struct check_ctx *cx, unsigned line, unsigned end_line, enum severity sev,
		  const char *issue, const char *recommendation);

/* Where and how check_report_ex reports; zeroed fields take the defaults
 * of check_report. */
struct check_where {
	const char *path;            /* another file of the project (relative), or NULL */
	const char *snippet;         /* its source text, required with path */
	const char *const *chain;    /* call chain written to the finding's "chain" */
	size_t nchain;
};

/* check_report with a location in another file (a callee's fetch line
 * found while reading its caller) and an optional call chain.  A finding
 * of the same check at the same file and line already reported by this
 * run is not repeated. */
void check_report_ex(struct check_ctx *cx, const struct check_where *w, unsigned line, unsigned end_line,
		     enum severity sev, const char *issue, const char *recommendation);

/*
 * The project-wide index (lib/pyindex.h) of every Python source file of the
 * context, built on the first call of any check and shared by all checks
 * and files of the run (auditors whose checks never ask pay nothing).  In
 * auditor_run_buffer it also holds the buffer itself.  Borrowed until the
 * run ends; NULL on allocation failure.
 */
struct py_index *check_project_index(struct check_ctx *cx);

/* The audited language (enum src_lang) of a context file: from its
 * "language" ("python", "typescript", "javascript", "go"), or, language
 * NULL, from the path's extension; -1 for a language not audited. */
int auditor_lang_of(const char *path, const char *language);

/* 1 when def f of the current file (-1: module level) runs once per
 * process: module-level code, a script (scripts/, bin/, manage.py), a CLI
 * command, a startup/shutdown hook or lifespan, or a def called only from
 * an "if __name__ == '__main__':" block (through the project index). */
int check_runs_once(struct check_ctx *cx, int f);

/* sev one level down (not below LOW) when def f runs once, else sev. */
enum severity check_once_severity(struct check_ctx *cx, int f, enum severity sev);

/* Audits one in-memory Python file with the given checks (tests use this).
 * Findings are appended to out.  0, or -1 on allocation failure. */
int auditor_run_buffer(const struct check_def *checks, size_t nchecks, const char *path,
		       const char *text, size_t len, const json_t *context, struct finding_list *out);

/* auditor_run_buffer for one check of auditor a in the language of path's
 * extension (.ts/.tsx/.js/.mjs/.cjs, .go, else Python). */
int auditor_run_buffer_lang(const struct auditor *a, const char *id, const char *path, const char *text,
			    size_t len, const json_t *context, struct finding_list *out);

/* Audits every Python source file of context (read from its codebase_root)
 * with the given checks and one shared project index, as the auditors do;
 * tests of cross-file checks use it.  0, or -1 on allocation failure. */
int auditor_run_context(const struct check_def *checks, size_t nchecks, const json_t *context,
			struct finding_list *out);

/* auditor_run_context for one check of auditor a, in every language the
 * auditor has it for (the context's TypeScript and Go files too). */
int auditor_run_context_lang(const struct auditor *a, const char *id, const json_t *context,
			     struct finding_list *out);

/*
 * The project-wide indexes of the TypeScript/JavaScript (lib/jsindex.h) and
 * Go (lib/goindex.h) source files of the context: built on first use,
 * shared by every check and file of the run, the buffer included in
 * auditor_run_buffer_lang.  Borrowed; NULL on allocation failure.
 */
struct js_index *check_js_index(struct check_ctx *cx);
struct go_index *check_go_index(struct check_ctx *cx);

/* Looks a check up by id in a table, NULL when absent. */
const struct check_def *auditor_find_check(const struct check_def *checks, size_t n, const char *id);

#endif
