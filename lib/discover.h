/*
 * discover: what the project is, as one pperf.context/1 document.
 *
 * Lists the files (walk), then reads the manifests (stack and versions),
 * the Python sources (imports, DSNs, engine and session factory settings),
 * the migrations (triggers and the channels they NOTIFY) and the Linear
 * configuration of docs/tasks/kanban_board.md.  It judges nothing.
 * Unknown values are null, never guessed.
 */
#ifndef PPERF_DISCOVER_H
#define PPERF_DISCOVER_H

#include <stddef.h>
#include <jansson.h>
#include "jsonio.h"

/*
 * Called for each non-fatal problem (unreadable, binary or too large file,
 * invalid UTF-8, symlink loop).  path is relative to the root; line is 0
 * when the problem is not at a line.  Both strings are borrowed.
 */
typedef void (*discover_warn_fn)(void *arg, const char *path, unsigned line, const char *msg);

/* All-zero opts (or NULL) mean the defaults. */
struct discover_opts {
	size_t max_file_size;  /* larger files are skipped with a warning; 0 = SRCFILE_MAX_BYTES */
	int no_git;            /* 1: never ask git, always walk the directory */
	discover_warn_fn warn; /* NULL: cli_msg("warning", path, line, 0, msg) */
	void *warn_arg;
	int config_mode;       /* enum config_mode (lib/config.h): 0 finds root/.pperf.json or pyproject.toml */
	const char *config_path; /* the file with CONFIG_PATH */
};

/*
 * Builds the context document of the project under root.  Returns a new
 * reference (caller decrefs), or NULL with *err filled: EXIT_IO when root
 * is missing, not a directory or unreadable, or the configuration file
 * cannot be read; EXIT_DATA when the configuration is invalid.  The
 * configuration's include/exclude globs select the files listed; the
 * configuration itself goes into the document as "config".
 */
json_t *discover_context(const char *root, const struct discover_opts *opts,
			 struct jsonio_err *err);

#endif
