/*
 * Unit tests of lib/py/outline*.c and lib/py/handlers.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "py/outline.h"
#include "py/tok.h"

static struct py_toks T;
static struct py_outline O;

static void build(const char *s)
{
	ck_assert_int_eq(py_tokenize(&T, s, strlen(s)), 0);
	ck_assert_int_eq(py_outline_build(&O, &T), 0);
}

static void teardown(void)
{
	py_outline_free(&O);
	py_toks_free(&T);
}

static int find_block(int kind, unsigned nth)
{
	size_t i;
	for (i = 0; i < O.nblocks; i++)
		if (O.blocks[i].kind == kind && nth-- == 0)
			return (int)i;
	return -1;
}

static const struct py_call *find_call(const char *callee)
{
	size_t i;
	for (i = 0; i < O.ncalls; i++)
		if (!strcmp(O.calls[i].callee, callee))
			return &O.calls[i];
	return NULL;
}

static const struct py_call *must_call(const char *callee)
{
	const struct py_call *c = find_call(callee);
	ck_assert_msg(c != NULL, "no call %s", callee);
	return c;
}

START_TEST(functions_and_decorators)
{
	int f, g, c;
	build("import x\n\n@router.get(\"/books/{id}\")\n@auth\nasync def show(id: int, *, db: Session = Depends(get_db), **kw):\n"
	      "    return 1\n\nclass Repo(Base):\n    def load(self, n=3):\n        pass\n");
	f = find_block(PB_DEF, 0);
	ck_assert_int_ge(f, 0);
	ck_assert_str_eq(O.blocks[f].name, "show");
	ck_assert(O.blocks[f].is_async);
	ck_assert_uint_eq(O.blocks[f].ndecorators, 2);
	ck_assert_str_eq(O.blocks[f].decorators[0], "router.get(\"/books/{id}\")");
	ck_assert_uint_eq(O.blocks[f].dec_line, 3);
	ck_assert_uint_eq(O.blocks[f].line, 5);
	ck_assert_uint_eq(O.blocks[f].end_line, 6);
	ck_assert_uint_eq(O.blocks[f].nparams, 3);
	ck_assert_str_eq(O.blocks[f].params[1], "db");
	ck_assert_str_eq(O.blocks[f].params[2], "kw");
	ck_assert_str_eq(O.blocks[f].param_texts[1], "db: Session = Depends(get_db)");
	ck_assert(O.blocks[f].handler);
	c = find_block(PB_CLASS, 0);
	ck_assert_str_eq(O.blocks[c].name, "Repo");
	ck_assert_str_eq(O.blocks[c].bases, "(Base)");
	g = find_block(PB_DEF, 1);
	ck_assert_int_eq(O.blocks[g].parent, c);
	ck_assert(!O.blocks[g].is_async);
	ck_assert(!O.blocks[g].handler);
	ck_assert_uint_eq(O.blocks[g].end_line, 10);
}
END_TEST

START_TEST(loops_and_comprehensions)
{
	const struct py_call *c;
	build("async def f(session, ids):\n"
	      "    for i in session.scalars(q):\n"
	      "        await session.get(User, i)\n"
	      "    xs = [load(x) for x in fetch_all()]\n"
	      "    while poll():\n"
	      "        pass\n"
	      "    done()\n");
	c = must_call("session.scalars");
	ck_assert_int_eq(py_call_loop(&O, c), -1);
	c = must_call("session.get");
	ck_assert_int_eq(py_call_loop(&O, c), find_block(PB_FOR, 0));
	ck_assert(c->awaited);
	ck_assert(py_call_in_async_def(&O, c));
	c = must_call("load");
	ck_assert_int_eq(py_call_loop(&O, c), find_block(PB_COMP, 0));
	c = must_call("fetch_all");
	ck_assert(c->in_iter);
	ck_assert_int_eq(py_call_loop(&O, c), -1);
	c = must_call("poll");
	ck_assert_int_eq(py_call_loop(&O, c), find_block(PB_WHILE, 0));
	c = must_call("done");
	ck_assert_int_eq(py_call_loop(&O, c), -1);
	ck_assert_str_eq(O.blocks[find_block(PB_FOR, 0)].target, "i");
}
END_TEST

START_TEST(nested_loop_depth)
{
	build("def f(a):\n    for x in a:\n        for y in x:\n            g(y)\n");
	ck_assert_int_eq(py_call_loop_depth(&O, must_call("g")), 2);
}
END_TEST

START_TEST(with_items)
{
	int w;
	build("async def f():\n"
	      "    async with SessionLocal() as s, s.begin():\n"
	      "        pass\n"
	      "    with (open(a) as fa,\n          open(b) as fb):\n        pass\n");
	w = find_block(PB_WITH, 0);
	ck_assert(O.blocks[w].is_async);
	ck_assert_uint_eq(O.blocks[w].nitems, 2);
	ck_assert_str_eq(O.blocks[w].items[0].expr, "SessionLocal()");
	ck_assert_str_eq(O.blocks[w].items[0].target, "s");
	ck_assert_str_eq(O.blocks[w].items[1].expr, "s.begin()");
	ck_assert_ptr_null(O.blocks[w].items[1].target);
	w = find_block(PB_WITH, 1);
	ck_assert_uint_eq(O.blocks[w].nitems, 2);
	ck_assert_str_eq(O.blocks[w].items[1].target, "fb");
}
END_TEST

START_TEST(try_except_finally)
{
	int t, e, fi, el;
	build("def f():\n    try:\n        a()\n    except (A, B) as e:\n        b()\n    except* C:\n        pass\n"
	      "    else:\n        c()\n    finally:\n        d()\n    if x:\n        pass\n    else:\n        pass\n");
	t = find_block(PB_TRY, 0);
	e = find_block(PB_EXCEPT, 1);
	el = find_block(PB_ELSE, 0);
	fi = find_block(PB_FINALLY, 0);
	ck_assert_int_eq(O.blocks[find_block(PB_EXCEPT, 0)].try_of, t);
	ck_assert_int_eq(O.blocks[e].try_of, t);
	ck_assert_int_eq(O.blocks[el].try_of, t);
	ck_assert_int_eq(O.blocks[fi].try_of, t);
	ck_assert_int_eq(O.blocks[find_block(PB_ELSE, 1)].try_of, -1);
	ck_assert_int_eq(must_call("b")->block, find_block(PB_EXCEPT, 0));
}
END_TEST

START_TEST(inline_bodies)
{
	build("def f(x):\n    if x: return g(x)\n    for i in x: h(i); k(i)\n    return 0\n");
	ck_assert_int_eq(must_call("g")->block, find_block(PB_IF, 0));
	ck_assert_int_eq(py_call_loop(&O, must_call("k")), find_block(PB_FOR, 0));
	ck_assert_uint_eq(O.blocks[find_block(PB_DEF, 0)].end_line, 4);
}
END_TEST

START_TEST(callee_chains)
{
	const struct py_call *c;
	build("async def f(session):\n"
	      "    rows = session.query(User).filter(User.id == 1).first()\n"
	      "    r = (await session.scalars(select(X))).all()\n"
	      "    s = \", \".join(names)\n"
	      "    t = self.clients[0].get(url)\n");
	must_call("session.query().filter().first");
	c = must_call("session.scalars");
	ck_assert(c->awaited);
	c = must_call("().all");
	ck_assert(!c->awaited);
	ck_assert_str_eq(c->name, "all");
	c = must_call("select");
	ck_assert_int_eq(c->parent_call, (int)(must_call("session.scalars") - O.calls));
	must_call("\"\".join");
	must_call("self.clients[].get");
}
END_TEST

START_TEST(references_and_offload)
{
	const struct py_call *c;
	build("async def f(path):\n"
	      "    data = await asyncio.to_thread(path.read_text, encoding)\n"
	      "    await loop.run_in_executor(None, lambda: open(path).read())\n"
	      "    x = g(h(1), k=os.path.join)\n");
	c = must_call("path.read_text");
	ck_assert(c->is_ref);
	ck_assert_int_eq(c->arg_index, 0);
	c = must_call("encoding");
	ck_assert(c->is_ref);
	ck_assert_int_eq(c->arg_index, 1);
	c = must_call("open");
	ck_assert(!c->is_ref);
	ck_assert(!py_call_in_async_def(&O, c));
	ck_assert_int_eq(O.blocks[c->block].kind, PB_LAMBDA);
	c = must_call("h");
	ck_assert_int_eq(c->arg_index, 0);
	ck_assert_int_eq(c->parent_call, (int)(must_call("g") - O.calls));
	c = must_call("os.path.join");
	ck_assert(c->is_ref);
}
END_TEST

START_TEST(strings_and_comments_hold_no_calls)
{
	build("def f():\n    s = 'time.sleep(1)'\n    # session.commit()\n    t = f\"{x}\"\n    return \"\"\"open(p)\"\"\"\n");
	ck_assert_uint_eq(O.ncalls, 0);
}
END_TEST

START_TEST(fstring_field_calls_are_not_calls)
{
	build("def f():\n    return f\"{time.sleep(1)}\"\n");
	ck_assert_ptr_null(find_call("time.sleep"));
}
END_TEST

START_TEST(match_and_type)
{
	int m;
	build("def f(cmd):\n    match cmd.split():\n        case [\"go\", d]:\n            go(d)\n        case _:\n            pass\n"
	      "type Pair[T] = tuple[T, T]\nmatch = 3\nmatch(x)\n");
	m = find_block(PB_MATCH, 0);
	ck_assert_int_ge(m, 0);
	ck_assert_int_eq(find_block(PB_MATCH, 1), -1);
	ck_assert_int_eq(O.blocks[find_block(PB_CASE, 0)].parent, m);
	ck_assert_int_eq(O.blocks[must_call("go")->block].kind, PB_CASE);
	must_call("match");
}
END_TEST

START_TEST(handlers)
{
	build("from starlette.routing import Route\n"
	      "async def home(request):\n    pass\n"
	      "async def helper():\n    pass\n"
	      "@bp.route('/x', methods=['POST'])\ndef flask_view():\n    async def gen():\n        yield 1\n"
	      "@functools.lru_cache(maxsize=1)\ndef cached():\n    pass\n"
	      "class Items(HTTPEndpoint):\n    async def get(self, request):\n        pass\n    def util(self):\n        pass\n"
	      "routes = [Route('/', home)]\n");
	ck_assert(O.blocks[find_block(PB_DEF, 0)].handler);
	ck_assert(!O.blocks[find_block(PB_DEF, 1)].handler);
	ck_assert(O.blocks[find_block(PB_DEF, 2)].handler);
	ck_assert(O.blocks[find_block(PB_DEF, 3)].handler); /* nested generator */
	ck_assert(!O.blocks[find_block(PB_DEF, 4)].handler);
	ck_assert(O.blocks[find_block(PB_DEF, 5)].handler);
	ck_assert(!O.blocks[find_block(PB_DEF, 6)].handler);
}
END_TEST

START_TEST(stmt_lookup_and_text)
{
	char *s;
	int si;
	build("x = foo(  a,\n   b )\ny = 2\n");
	si = py_outline_stmt_of_tok(&O, 3);
	ck_assert_int_eq(si, 0);
	ck_assert_uint_eq(O.stmts[si].end_line, 2);
	s = py_outline_text(&O, O.stmts[0].tok_begin, O.stmts[0].tok_end);
	ck_assert_str_eq(s, "x = foo( a, b )");
	free(s);
	ck_assert_int_eq(py_outline_stmt_of_tok(&O, (uint32_t)T.n + 5), -1);
}
END_TEST

START_TEST(garbage_does_not_crash)
{
	static const char *const junk[] = {
		")))(((\n", "def\n", "class :\n", "for in:\n  x(\n", "with as:\n", "lambda\n",
		"@\n", "async\n", "if x:\nelse:\n", "try:\n", "    x = 1\n  y = 2\n", "f(**)(*)[]()\n",
		"x = [i for]\n", "match\n", "def f(:\n  pass\n", "\\\n",
	};
	size_t i;
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		build(junk[i]);
		teardown();
	}
	build("x = 1\n");
}
END_TEST

START_TEST(deeply_nested_blocks)
{
	size_t d = 300, i, o = 0;
	char *s = malloc(d * (d + 16) + 64);
	for (i = 0; i < d; i++) {
		memset(s + o, ' ', i);
		o += i;
		memcpy(s + o, "if x:\n", 6);
		o += 6;
	}
	memset(s + o, ' ', d);
	o += d;
	memcpy(s + o, "f()\n", 5);
	build(s);
	ck_assert_ptr_nonnull(find_call("f"));
	free(s);
}
END_TEST

Suite *suite_py_outline(void)
{
	Suite *s = suite_create("py_outline");
	TCase *pos = tcase_create("structure");
	TCase *neg = tcase_create("malformed");
	tcase_add_checked_fixture(pos, NULL, teardown);
	tcase_add_checked_fixture(neg, NULL, teardown);
	tcase_add_test(pos, functions_and_decorators);
	tcase_add_test(pos, loops_and_comprehensions);
	tcase_add_test(pos, nested_loop_depth);
	tcase_add_test(pos, with_items);
	tcase_add_test(pos, try_except_finally);
	tcase_add_test(pos, inline_bodies);
	tcase_add_test(pos, callee_chains);
	tcase_add_test(pos, references_and_offload);
	tcase_add_test(pos, strings_and_comments_hold_no_calls);
	tcase_add_test(pos, fstring_field_calls_are_not_calls);
	tcase_add_test(pos, match_and_type);
	tcase_add_test(pos, handlers);
	tcase_add_test(pos, stmt_lookup_and_text);
	tcase_add_test(neg, garbage_does_not_crash);
	tcase_add_test(neg, deeply_nested_blocks);
	suite_add_tcase(s, pos);
	suite_add_tcase(s, neg);
	return s;
}
