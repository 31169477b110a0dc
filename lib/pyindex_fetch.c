/*
 * pyindex_fetch: the entities a def loads by key (see pyindex_p.h).
 */
#include <stdlib.h>

#include "pyindex_p.h"

int py_index_def_fetches(struct py_fn *fn, const struct py_binds *b, int f)
{
	(void)fn;
	(void)b;
	(void)f;
	return 0;
}

void py_index_fetches_free(struct py_fn *fn)
{
	unsigned i;
	for (i = 0; i < fn->nfetches; i++) {
		free(fn->fetches[i].model);
		free(fn->fetches[i].var);
		free(fn->fetches[i].key);
		free(fn->fetches[i].attrs);
		free(fn->fetches[i].snippet);
	}
	free(fn->fetches);
	fn->fetches = NULL;
	fn->nfetches = 0;
}
