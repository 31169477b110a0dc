/*
 * pyindex_rt: runtime facts of a def (see pyindex_p.h).
 */
#include <stdlib.h>

#include "pyindex_p.h"

int py_index_def_runtime(struct py_fn *fn, const struct py_binds *b, int f)
{
	(void)fn;
	(void)b;
	(void)f;
	return 0;
}

void py_index_runtime_free(struct py_fn *fn)
{
	free(fn->blocking);
	fn->blocking = NULL;
}
