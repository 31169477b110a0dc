/*
 * go/outline: the outline of Go tokens (see go.h).
 */
#include "go/go.h"

int go_outline_build(struct py_outline *ol, const struct py_toks *toks)
{
	int rc = py_outline_build(ol, toks);
	ol->lang = LANG_GO;
	return rc;
}
