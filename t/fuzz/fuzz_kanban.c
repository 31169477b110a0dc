/*
 * fuzz_kanban: the reader of docs/tasks/kanban_board.md's Linear
 * configuration table (linear_parse, lib/discover.c) on arbitrary bytes.
 * It must always return an object of three fields, each null or a string
 * (a value that is not UTF-8 is left out, never an invalid string).
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
	static const char *const fields[] = { "team_id", "team_key", "team_uuid" };
	json_t *lin = linear_parse((const char *)data, size);
	size_t i;
	if (!lin)
		return 0;
	CHECK(json_is_object(lin) && json_object_size(lin) == 3);
	for (i = 0; i < 3; i++) {
		const json_t *v = json_object_get(lin, fields[i]);
		CHECK(v && (json_is_null(v) || json_is_string(v)));
	}
	json_decref(lin);
	return 0;
}
