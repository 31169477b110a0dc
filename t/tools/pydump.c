/*
 * pydump: prints the outline of Python files, one line per function and
 * class ("DEF name line end_line" / "CLASS ..."), for the differential test
 * against Python's own ast module (t/e2e/22-outline-vs-ast.sh).  A test
 * tool, not installed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "py/outline.h"
#include "py/tok.h"
#include "srcfile.h"

int main(int argc, char **argv)
{
	int i, status = 0;
	for (i = 1; i < argc; i++) {
		struct srcfile sf;
		struct py_toks t;
		struct py_outline ol;
		unsigned bl, bc;
		size_t b;
		if (srcfile_load(&sf, argv[i], 0, &bl, &bc) != SRC_OK) {
			fprintf(stderr, "pydump: %s: cannot load\n", argv[i]);
			status = 1;
			continue;
		}
		if (py_tokenize(&t, sf.text, sf.len) < 0 || py_outline_build(&ol, &t) < 0) {
			fprintf(stderr, "pydump: %s: out of memory\n", argv[i]);
			return 1;
		}
		printf("FILE %s errors=%u\n", argv[i], t.nerrors);
		for (b = 0; b < ol.nblocks; b++) {
			const struct py_block *k = &ol.blocks[b];
			if (k->kind == PB_DEF || k->kind == PB_CLASS)
				printf("%s %s %u %u\n", k->kind == PB_DEF ? "DEF" : "CLASS",
				       k->name ? k->name : "?", k->line, k->end_line);
		}
		for (b = 0; b < ol.ncalls; b++)
			if (!ol.calls[b].is_ref)
				printf("CALL %u\n", ol.calls[b].line);
		py_outline_free(&ol);
		py_toks_free(&t);
		srcfile_free(&sf);
	}
	return status;
}
