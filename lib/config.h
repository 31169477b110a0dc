/*
 * config: the project's pperf configuration.
 *
 * Read by discover from ".pperf.json" at the project root, else from the
 * [tool.pperf] table of pyproject.toml, validated, and carried to every
 * later phase as the context's "config" object (pperf-json(5)):
 *
 *   exclude, include        arrays of globs (gitignore syntax) over paths
 *   checks                  { id: { "enabled": bool, "severity": "HIGH" } }
 *   fail_on                 CRITICAL, HIGH, MEDIUM, LOW or never
 *   handler_decorators      decorator names that also mark request handlers
 *   job_decorators          decorator names that also mark background jobs
 *   long_transaction_lines  long_held_transaction's line threshold (1..100000)
 *
 * Any other key, a wrong type or an unknown check id is an error.
 */
#ifndef PPERF_CONFIG_H
#define PPERF_CONFIG_H

#include <stddef.h>
#include <jansson.h>
#include "jsonio.h"

/* 0 when cfg is a valid configuration, else -1 with a one-line message
 * naming the key in msg. */
int config_validate(const json_t *cfg, char *msg, size_t msgsz);

enum config_mode { CONFIG_FIND = 0, CONFIG_NONE, CONFIG_PATH };

/*
 * The configuration of the project at root: mode CONFIG_FIND looks for
 * root/.pperf.json, then root/pyproject.toml's [tool.pperf]; CONFIG_PATH
 * reads path (a file named *.toml is read as pyproject.toml, any other as
 * JSON); CONFIG_NONE reads nothing.  0 with *out a new reference (NULL
 * when there is no configuration) and *file the file read (static buffer
 * of the call, "" when none), or -1 with err filled (EXIT_DATA for an
 * invalid file, EXIT_IO when it cannot be read).
 */
int config_load(const char *root, enum config_mode mode, const char *path, json_t **out,
		struct jsonio_err *err);

/* Reading the context's "config" (ctx may lack one: the defaults). */
/* 0 when check id is disabled, else 1. */
int config_check_enabled(const json_t *ctx, const char *id);
/* The severity override of check id (enum severity), or 0 when none. */
int config_check_severity(const json_t *ctx, const char *id);
/* Integer key of the config, or dflt. */
long config_int(const json_t *ctx, const char *key, long dflt);
/* 1 when the array key of the config holds the string name. */
int config_list_has(const json_t *ctx, const char *key, const char *name);
/* 1 when one of the decorators (texts without '@', "app.get(...)") is
 * named by the array key of the config ("handler_decorators",
 * "job_decorators"): its whole dotted name before "(" or, for a
 * configured name without a dot, its last component. */
int config_decorated(const json_t *ctx, const char *key, const char *const *decorators, unsigned n);
struct py_outline;
/* Marks the defs of a Python outline decorated by a configured
 * handler_decorators name, and the defs nested in them, as handlers. */
void config_mark_handlers(const json_t *ctx, struct py_outline *ol);
/* 1 when path (relative) is kept by the include/exclude globs of cfg (the
 * config object itself, may be NULL). */
int config_path_selected(const json_t *cfg, const char *path);

#endif
