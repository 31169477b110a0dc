/*
 * go/tok: Go tokenizer (see go.h).
 * (Front end in progress: produces no tokens yet, so no Go check runs.)
 */
#include <string.h>

#include "go/go.h"

int go_tokenize(struct py_toks *toks, const char *src, size_t len)
{
	memset(toks, 0, sizeof(*toks));
	toks->src = src;
	toks->srclen = len;
	return 0;
}
