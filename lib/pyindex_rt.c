/*
 * pyindex_rt: runtime facts of a def (see pyindex_p.h).
 *
 * The first blocking call a def makes itself -- blocking I/O or
 * time.sleep, by the definitions of lib/pyblock.h that the checks apply to
 * async defs -- so that a check can follow an async def into the
 * project's sync helpers without reading their files again; and whether
 * the def hands out a database session (a FastAPI Depends provider such
 * as get_db), and of which kind.
 */
#include <stdlib.h>
#include <string.h>

#include "pyblock.h"
#include "pyindex_p.h"

/* What the value of a return or yield statement [vb, ve) hands out. */
static enum py_sess handed_out(const struct py_binds *b, int blk, uint32_t vb, uint32_t ve)
{
	const struct py_outline *ol = b->ol;
	const struct py_toks *t = ol->toks;
	if (vb >= ve)
		return PSESS_UNKNOWN;
	if (ve == vb + 1 && t->v[vb].kind == PT_NAME) {
		char name[128];
		if (t->v[vb].len >= sizeof(name))
			return PSESS_UNKNOWN;
		memcpy(name, py_tok_text(t, vb), t->v[vb].len);
		name[t->v[vb].len] = '\0';
		return py_bound_session(b, blk, name, vb);
	}
	return py_value_session(b, vb, ve);
}

static enum py_sess def_session(const struct py_fn *fn, const struct py_binds *b, int f)
{
	const struct py_outline *ol = b->ol;
	const struct py_block *d = &ol->blocks[f];
	enum py_sess k;
	int s;
	if (fn->returns && (k = py_session_annotation(b, fn->returns)) != PSESS_UNKNOWN)
		return k;
	s = py_outline_stmt_of_tok(ol, d->body_begin);
	for (; s >= 0 && (size_t)s < ol->nstmts && ol->stmts[s].tok_begin < d->body_end; s++) {
		const struct py_stmt *st = &ol->stmts[s];
		const struct py_toks *t = ol->toks;
		if (ol->blocks[st->block].func != f ||
		    !(py_tok_is(t, st->tok_begin, "yield") || py_tok_is(t, st->tok_begin, "return")))
			continue;
		if ((k = handed_out(b, st->block, st->tok_begin + 1, st->tok_end)) != PSESS_UNKNOWN)
			return k;
	}
	return PSESS_UNKNOWN;
}

int py_index_def_runtime(struct py_fn *fn, const struct py_binds *b, int f)
{
	const struct py_outline *ol = b->ol;
	const struct py_block *d;
	size_t ci;
	if (!ol || f < 0 || (size_t)f >= ol->nblocks)
		return 0;
	d = &ol->blocks[f];
	for (ci = py_first_call_from(ol, d->hdr_begin); ci < ol->ncalls && ol->calls[ci].lparen < d->body_end;
	     ci++) {
		const struct py_call *c = &ol->calls[ci];
		char q[256];
		enum py_bio k = PBIO_NONE;
		int sleep;
		if (c->func != f || !py_call_runs_in(ol, c, f) || py_call_in_once_guard(ol, c))
			continue;
		sleep = py_call_is_sync_sleep(b, ci);
		if (!sleep && (k = py_call_blocking_io(b, ci, q, sizeof(q))) == PBIO_NONE)
			continue;
		/* module functions by their qualified name (shutil.copy2), methods
		 * of a path as written (SEED.read_text) */
		fn->blocking = strdup(sleep ? "time.sleep" : k == PBIO_PATH ? c->callee : q);
		if (!fn->blocking)
			return -1;
		fn->blocking_line = c->line;
		fn->blocking_sleep = (uint8_t)sleep;
		break;
	}
	fn->session = (uint8_t)def_session(fn, b, f);
	return 0;
}

void py_index_runtime_free(struct py_fn *fn)
{
	free(fn->blocking);
	fn->blocking = NULL;
}
