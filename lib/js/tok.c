/*
 * js/tok: TypeScript and JavaScript tokenizer (see js.h).
 * (Front end in progress: produces no tokens yet, so no TS check runs.)
 */
#include <string.h>

#include "js/js.h"

int js_tokenize(struct py_toks *toks, const char *src, size_t len, int jsx)
{
	(void)jsx;
	memset(toks, 0, sizeof(*toks));
	toks->src = src;
	toks->srclen = len;
	return 0;
}
