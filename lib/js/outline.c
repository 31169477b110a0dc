/*
 * js/outline: the outline of TypeScript/JavaScript tokens (see js.h).
 */
#include "js/js.h"

int js_outline_build(struct py_outline *ol, const struct py_toks *toks)
{
	int rc = py_outline_build(ol, toks);
	ol->lang = LANG_TS;
	return rc;
}
