/*
 * fuzz_toml: discover's TOML-subset reader (lib/discover_toml.c) on
 * arbitrary bytes, then the manifest reader that uses it (pyproject.toml)
 * and the [tool.pperf] configuration checks of lib/config.c on what it
 * read.  Every value handed to the callback must be a JSON value and
 * every table and key a string.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include "discover_p.h"
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void on_kv(void *arg, const char *table, const char *key, const json_t *val)
{
	json_t *cfg = arg;
	CHECK(table && key && val);
	if (strcmp(table, "tool.pperf") == 0)
		json_object_set(cfg, key, (json_t *)val);
}

static char dir[64], file[96];

static void cleanup(void)
{
	unlink(file);
	rmdir(dir);
}

/* config_load reads a file: the input goes to a pyproject.toml of this
 * process's own directory (created once, removed at exit). */
static void load_config(const char *text, size_t size)
{
	struct jsonio_err err;
	json_t *cfg = NULL;
	FILE *fp;
	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/fuzz_toml.XXXXXX");
		if (!mkdtemp(dir)) {
			dir[0] = '\0';
			return;
		}
		snprintf(file, sizeof file, "%s/pyproject.toml", dir);
		atexit(cleanup);
	}
	fp = fopen(file, "wb");
	if (!fp)
		return;
	if (size)
		fwrite(text, 1, size, fp);
	fclose(fp);
	if (config_load(dir, CONFIG_FIND, NULL, &cfg, &err) == 0 && cfg) {
		CHECK(json_is_object(cfg));
		(void)config_path_selected(cfg, "app/models.py");
		json_decref(cfg);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	json_t *cfg = json_object();
	struct disc_facts f;
	const char *msg = NULL;
	char buf[256];
	if (!text || !cfg) {
		free(text);
		json_decref(cfg);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	(void)toml_walk(text, size, on_kv, cfg);
	(void)config_validate(cfg, buf, sizeof buf);
	json_decref(cfg);
	load_config(text, size);
	memset(&f, 0, sizeof f);
	if (disc_facts_init(&f) == 0) {
		(void)manifest_scan(&f, "pyproject.toml", text, size, &msg);
		disc_facts_free(&f);
	}
	free(text);
	return 0;
}
