/*
 * fuzz_triggers: discover's trigger/SQL scanner (lib/triggers.c).  The
 * first byte of the input picks how the rest is read: as a migration's
 * SQL, as a Python file whose strings hold SQL, or as a TypeScript/Go
 * file (C-like strings and template literals); the rest is the text.
 * The triggers found are resolved and must come back as an array of
 * objects.
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
	struct trig_db db;
	const char *text;
	json_t *trs, *t;
	size_t i;
	int how;
	if (size == 0)
		return 0;
	how = data[0] % 3;
	text = (const char *)data + 1;
	size--;
	if (trig_db_init(&db) < 0)
		return 0;
	if (how == 0)
		(void)triggers_scan_sql(&db, "migrations/001.sql", text, size);
	else if (how == 1)
		(void)triggers_scan_python(&db, "alembic/versions/001_x.py", text, size);
	else
		(void)triggers_scan_clike(&db, "migrations/001.ts", text, size);
	trs = triggers_finish(&db);
	if (trs) {
		CHECK(json_is_array(trs));
		json_array_foreach(trs, i, t)
			CHECK(json_is_object(t));
		json_decref(trs);
	}
	trig_db_free(&db);
	return 0;
}
