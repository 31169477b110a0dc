/*
 * fuzz_manifest: discover's readers of a project's manifests and lock
 * files (lib/manifest.c, lib/discover_lock.c, lib/discover_py.c) on
 * arbitrary bytes.  The first byte picks the file the rest is read as:
 * pyproject.toml, Pipfile, setup.cfg, setup.py, package.json, go.mod,
 * schema.prisma, requirements.txt, poetry.lock, uv.lock, pdm.lock,
 * Pipfile.lock or package-lock.json.  The facts gathered are then
 * resolved into a tech_stack, which must be an object.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include "discover_p.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"pyproject.toml", "Pipfile", "setup.cfg", "setup.py", "package.json", "go.mod",
		"prisma/schema.prisma", "requirements.txt", "poetry.lock", "uv.lock", "pdm.lock",
		"Pipfile.lock", "package-lock.json",
	};
	const size_t nnames = sizeof names / sizeof names[0];
	struct disc_facts f;
	const char *path, *msg = NULL;
	char *text;
	json_t *locked, *stack;
	if (size == 0)
		return 0;
	path = names[data[0] % nnames];
	size--;
	text = malloc(size + 1); /* the readers get a NUL-terminated copy, as discover's file reader gives */
	if (!text)
		return 0;
	memcpy(text, data + 1, size);
	text[size] = '\0';
	memset(&f, 0, sizeof f);
	if (disc_facts_init(&f) < 0) {
		free(text);
		return 0;
	}
	locked = json_object();
	if (lock_is_file(path)) {
		if (locked && lock_scan(locked, path, text, size, &msg) < 0)
			CHECK(msg != NULL);
	} else if (manifest_scan(&f, path, text, size, &msg) < 0) {
		CHECK(msg != NULL);
	}
	if (strcmp(path, "setup.py") == 0)
		(void)setup_py_scan(&f, text, size);
	stack = stack_resolve(&f, json_array());
	if (stack) {
		CHECK(json_is_object(stack));
		if (locked)
			(void)lock_attach(stack, locked);
		json_decref(stack);
	}
	json_decref(locked);
	disc_facts_free(&f);
	free(text);
	return 0;
}
