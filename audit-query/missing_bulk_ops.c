/*
 * missing_bulk_ops
 *
 * What it does: reports one INSERT per iteration of a for-loop or
 * comprehension: session.add(x), an executed insert(...) of one row, raw
 * INSERT SQL, or a repository add/create/insert method.
 *
 * Why it matters: each item is built and flushed as its own INSERT; the
 * unit of work can batch rows given to add_all() (insertmanyvalues), and
 * execute(insert(Model), [dict, ...]) sends all rows as one executemany.
 *
 * Example:
 *     for m in old:
 *         session.add(ArchivedMessage(room_id=m.room_id, text=m.text))
 *
 * Use instead:
 *     session.add_all([ArchivedMessage(room_id=m.room_id, text=m.text) for m in old])
 *
 * Severity: MEDIUM.  Not reported: add_all, executemany-style calls with a
 * list of rows, insert().values(rows), batch, many and bulk methods,
 * loops over batches (chunk, range(0, n, size)), loops over a small
 * literal collection, while-loops (one insert per incoming event), add()
 * of an object that was loaded or not constructed in the iteration, and
 * services or self methods that take the session.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "pydb.h"
#include "pyfacts.h"

static void recommend(const struct py_binds *b, int f, enum py_dbop op, int repo, const char *recv,
		      const char *model, char *out, size_t n)
{
	enum py_orm orm = py_orm_flavor(b, f);
	const char *m = model[0] ? model : "Model";
	if (orm == ORM_DJANGO) {
		snprintf(out, n, "Build the objects in the loop and insert them at once: %s.objects.bulk_create([...], "
			 "batch_size=1000)", m);
		return;
	}
	if (repo) {
		snprintf(out, n, "Give the repository a batch method (add_all / create_many) and call it once with "
			 "all items after the loop");
		return;
	}
	if (op == DBOP_ADD) {
		if (orm == ORM_SA_ASYNC || orm == ORM_SA_SYNC || orm == ORM_SQLMODEL)
			snprintf(out, n, "Collect the objects and call %s.add_all([...]) once after the loop (SQLAlchemy "
				 "2.0 batches them with insertmanyvalues), or %ssession.execute(insert(%s), "
				 "[{...}, ...]) when the objects are not needed afterwards",
				 recv[0] ? recv : "session", py_def_async(b->ol, f) ? "await " : "", m);
		else
			snprintf(out, n, "Collect the objects and call %s.add_all([...]) once after the loop, or "
				 "bulk_insert_mappings(%s, [{...}, ...]) / insert(%s).values([...]) for plain rows",
				 recv[0] ? recv : "session", m, m);
		return;
	}
	snprintf(out, n, "Build the rows in the loop and insert them with one statement: %ssession.execute(insert(%s), "
		 "[{...}, ...]) (executemany) or insert(%s).values([...])",
		 py_def_async(b->ol, f) ? "await " : "", m, m);
}

/* 1 when add(x) re-adds the loop's own row x: an object that came from
 * the database (or the caller) and is merely attached, not inserted. */
static int adds_loop_row(const struct py_outline *ol, const struct py_call *c, int loop)
{
	const struct py_toks *t = ol->toks;
	const char *p = ol->blocks[loop].target, *arg;
	size_t n;
	if (!p || c->rparen != c->lparen + 2 || t->v[c->lparen + 1].kind != PT_NAME)
		return 0;
	arg = py_tok_text(t, c->lparen + 1);
	n = t->v[c->lparen + 1].len;
	while (*p) {
		const char *s = p;
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
		if ((size_t)(p - s) == n && !strncmp(s, arg, n))
			return 1;
		if (p == s)
			p++;
	}
	return 0;
}

/* 1 when tokens [b,e) construct an object: Model(...), models.Model(...),
 * Model.from_row(...) -- a capitalised component in the callee chain. */
static int constructs(const struct py_toks *t, uint32_t b, uint32_t e)
{
	uint32_t k;
	int cap = 0;
	while (b < e && py_tok_is(t, b, "await"))
		b++;
	for (k = b; k < e && t->v[k].kind == PT_NAME; k += 2) {
		cap |= isupper((unsigned char)py_tok_text(t, k)[0]) != 0;
		if (k + 1 < e && py_tok_is(t, k + 1, "("))
			return cap;
		if (k + 1 >= e || !py_tok_is(t, k + 1, "."))
			break;
	}
	return 0;
}

/* 1 when add(x), x a plain name, attaches an object that is not new in
 * this iteration: x was bound before the loop (the same object every
 * time) or by a tuple unpacking, x is not built by a constructor in the
 * loop (loaded from the database or a dict of loaded rows, or returned by
 * a helper that made it: an UPDATE at flush or nothing, not an INSERT), or
 * x was already added earlier in the same iteration. */
static int adds_existing(const struct py_binds *b, const struct py_call *c, int loop)
{
	const struct py_outline *ol = b->ol;
	const struct py_toks *t = ol->toks;
	const struct py_block *bl = &ol->blocks[loop];
	uint32_t vb, ve, bb = bl->kind == PB_COMP ? bl->comp_open_tok : bl->body_begin;
	uint32_t be = bl->kind == PB_COMP ? bl->comp_close_tok : bl->body_end;
	char name[128];
	size_t ci, nl;
	if (c->rparen != c->lparen + 2 || t->v[c->lparen + 1].kind != PT_NAME || t->v[c->lparen + 1].len >= sizeof(name))
		return 0;
	nl = t->v[c->lparen + 1].len;
	snprintf(name, sizeof(name), "%.*s", (int)nl, py_tok_text(t, c->lparen + 1));
	if (!py_last_assign(ol, c->func, name, c->lparen + 1, &vb, &ve) || vb < bb || vb >= be)
		return 1;
	if (!constructs(t, vb, ve))
		return 1;
	for (ci = py_first_call_from(ol, vb); ci < ol->ncalls && ol->calls[ci].lparen < ve; ci++) {
		struct py_dbop_info info;
		if (py_call_dbop(b, ci, &info) == DBOP_READ)
			return 1; /* Repo.from_session(s).get_by_id(i) */
	}
	for (ci = py_first_call_from(ol, ve); ci < ol->ncalls && ol->calls[ci].name_begin < c->name_begin; ci++) {
		const struct py_call *p = &ol->calls[ci];
		if (!strcmp(p->name, "add") && p->rparen == p->lparen + 2 && t->v[p->lparen + 1].len == nl &&
		    !strncmp(py_tok_text(t, p->lparen + 1), name, nl) && !strcmp(p->callee, c->callee))
			return 1;
	}
	return 0;
}

void check_missing_bulk_ops(struct check_ctx *cx)
{
	const struct py_outline *ol = cx->ol;
	struct py_binds b;
	size_t ci;
	if (py_binds_build(&b, ol, cx->context) < 0)
		return;
	for (ci = 0; ci < ol->ncalls; ci++) {
		const struct py_call *c = &ol->calls[ci];
		struct py_dbop_info info;
		enum py_dbop op = py_call_dbop(&b, ci, &info);
		char model[64], issue[512], rec[512], *it;
		enum py_iter_kind ik;
		int loop;
		if (op != DBOP_ADD && op != DBOP_INSERT)
			continue;
		loop = py_call_row_loop(ol, c);
		if (loop < 0)
			continue;
		ik = py_loop_iter_kind(&b, loop);
		if (ik == PIK_LITERAL || ik == PIK_PAGES || ik == PIK_EVENTS ||
		    (op == DBOP_ADD && (adds_loop_row(ol, c, loop) || adds_existing(&b, c, loop))) ||
		    (op == DBOP_INSERT && py_stmt_table_varies(&b, ci, loop)))
			continue;
		py_call_model(ol, c, model, sizeof(model));
		if (!model[0]) {
			size_t a = py_first_call_from(ol, c->lparen + 1);
			if (a < ol->ncalls && ol->calls[a].lparen < c->rparen && ol->calls[a].callee[0] >= 'A' &&
			    ol->calls[a].callee[0] <= 'Z')
				snprintf(model, sizeof(model), "%.*s", (int)strcspn(ol->calls[a].callee, ".("),
					 ol->calls[a].callee);
		}
		it = py_loop_iter_text(ol, loop, 60);
		snprintf(issue, sizeof(issue), "%s%s() inside the loop over %s (line %u) %s one INSERT per item",
			 info.repo ? "repository call " : "", c->callee, it ? it : "the items", ol->blocks[loop].line,
			 op == DBOP_ADD ? "flushes" : "sends");
		free(it);
		recommend(&b, c->func, op, info.repo, info.recv, model, rec, sizeof(rec));
		check_report(cx, c->line, c->end_line, check_once_severity(cx, c->func, SEV_MEDIUM), issue, rec);
	}
	py_binds_free(&b);
}
