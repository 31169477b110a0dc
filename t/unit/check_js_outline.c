/*
 * Unit tests of lib/js/outline*.c and lib/js/facts.c: the outline of
 * TypeScript/JavaScript (functions, classes, loops, statements, calls),
 * handlers and jobs, iteration callbacks, and robustness.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "js/js.h"
#include "pyfacts.h"

static struct py_toks T;
static struct py_outline O;

static void build_jsx(const char *s, int jsx)
{
	ck_assert_int_eq(js_tokenize(&T, s, strlen(s), jsx), 0);
	ck_assert_int_eq(js_outline_build(&O, &T), 0);
	ck_assert_int_eq(O.lang, LANG_TS);
}

static void build(const char *s)
{
	build_jsx(s, 0);
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

/* The def (or class) named name. */
static int named(int kind, const char *name)
{
	size_t i;
	for (i = 0; i < O.nblocks; i++)
		if (O.blocks[i].kind == kind && O.blocks[i].name && !strcmp(O.blocks[i].name, name))
			return (int)i;
	ck_abort_msg("no block %s", name);
	return -1;
}

static int count_kind(int kind)
{
	size_t i;
	int n = 0;
	for (i = 0; i < O.nblocks; i++)
		n += O.blocks[i].kind == kind;
	return n;
}

static int find_call(const char *callee)
{
	size_t i;
	for (i = 0; i < O.ncalls; i++)
		if (!O.calls[i].is_ref && !strcmp(O.calls[i].callee, callee))
			return (int)i;
	return -1;
}

static const struct py_call *must_call(const char *callee)
{
	int c = find_call(callee);
	ck_assert_msg(c >= 0, "no call %s", callee);
	return &O.calls[c];
}

static int find_ref(const char *callee)
{
	size_t i;
	for (i = 0; i < O.ncalls; i++)
		if (O.calls[i].is_ref && !strcmp(O.calls[i].callee, callee))
			return (int)i;
	return -1;
}

/* Text of statement s. */
static char *stmt_text(int s)
{
	return py_outline_text(&O, O.stmts[s].tok_begin, O.stmts[s].tok_end);
}

static void assert_stmt_text(int s, const char *want)
{
	char *got = stmt_text(s);
	ck_assert_msg(!strcmp(got, want), "statement %d: \"%s\", not \"%s\"", s, got, want);
	free(got);
}

/* Statements are in order and disjoint; calls are ordered by lparen and
 * lie in their statement. */
static void assert_invariants(void)
{
	size_t i;
	for (i = 0; i < O.nstmts; i++) {
		ck_assert_uint_lt(O.stmts[i].tok_begin, O.stmts[i].tok_end);
		if (i > 0)
			ck_assert_uint_le(O.stmts[i - 1].tok_end, O.stmts[i].tok_begin);
	}
	for (i = 0; i < O.ncalls; i++) {
		const struct py_call *c = &O.calls[i];
		if (i > 0)
			ck_assert_uint_le(O.calls[i - 1].lparen, c->lparen);
		ck_assert_int_ge(c->stmt, 0);
		ck_assert_int_eq(py_outline_stmt_of_tok(&O, c->lparen), c->stmt);
	}
	for (i = 1; i < O.nblocks; i++)
		ck_assert_int_lt(O.blocks[i].parent, (int)i);
}

START_TEST(function_declarations)
{
	int f, g;
	build("export async function load(id: string, opts: Options = {}): Promise<User | null> {\n"
	      "  return db.find(id)\n}\n"
	      "function overload(a: string): string\nfunction overload(a: any) { return a }\n"
	      "export default function (req, res) {}\n");
	f = named(PB_DEF, "load");
	ck_assert(O.blocks[f].is_async);
	ck_assert_uint_eq(O.blocks[f].line, 1);
	ck_assert_uint_eq(O.blocks[f].end_line, 3);
	ck_assert_uint_eq(O.blocks[f].nparams, 2);
	ck_assert_str_eq(O.blocks[f].params[0], "id");
	ck_assert_str_eq(O.blocks[f].param_texts[1], "opts: Options = {}");
	ck_assert_int_eq(O.blocks[f].parent, 0);
	g = named(PB_DEF, "overload");
	ck_assert_uint_eq(O.blocks[g].line, 5); /* the signature is no def */
	ck_assert_int_eq(count_kind(PB_DEF), 3);
	ck_assert_ptr_null(O.blocks[find_block(PB_DEF, 2)].name);
	ck_assert_int_eq(must_call("db.find")->func, f);
	assert_invariants();
}
END_TEST

START_TEST(arrow_names)
{
	build("const a = async (x) => x\n"
	      "const b: Handler<Req, Res> = (req, res) => res.send()\n"
	      "this.c = function () {}\n"
	      "exports.d = async function named() {}\n"
	      "const o = { e: (y) => y, 'f': () => 1, g() { return 2 }, async h() {}, get i() { return 3 } }\n"
	      "class K { j = () => {}; private readonly k: () => void = () => {}; static delete = (e) => e }\n"
	      "run(() => 1)\nexport default () => 2\nconst l = <T,>(v: T): Promise<T> => Promise.resolve(v)\n");
	ck_assert(O.blocks[named(PB_DEF, "a")].is_async);
	ck_assert_uint_eq(O.blocks[named(PB_DEF, "b")].nparams, 2);
	named(PB_DEF, "c");
	named(PB_DEF, "named");
	named(PB_DEF, "e");
	named(PB_DEF, "f");
	named(PB_DEF, "g");
	ck_assert(O.blocks[named(PB_DEF, "h")].is_async);
	named(PB_DEF, "i");
	named(PB_DEF, "j");
	named(PB_DEF, "k");
	named(PB_DEF, "delete");
	named(PB_DEF, "l");
	ck_assert_int_eq(count_kind(PB_DEF), 15);
	assert_invariants();
}
END_TEST

START_TEST(arrow_forms)
{
	int a, b;
	build("xs.map(x => x.id)\nys.forEach(async ({ id, n = count() }, i) => { await save(id, i) })\n"
	      "const c = (a: number): (number | null)[] => [a]\nconst d = (t: string) =>\n  (u: number): boolean => u > 0\n");
	a = find_block(PB_DEF, 0);
	ck_assert_uint_eq(O.blocks[a].nparams, 1);
	ck_assert_str_eq(O.blocks[a].params[0], "x");
	ck_assert_int_eq(must_call("xs.map")->func, -1);
	b = find_block(PB_DEF, 1);
	ck_assert(O.blocks[b].is_async);
	ck_assert_str_eq(O.blocks[b].params[0], "{ id, n = count() }");
	ck_assert_int_eq(must_call("count")->func, b); /* a default runs in the function */
	ck_assert_int_eq(must_call("save")->func, b);
	ck_assert(must_call("save")->awaited);
	named(PB_DEF, "c");
	ck_assert_int_eq(O.blocks[named(PB_DEF, "d")].end_line, 5);
	ck_assert_int_eq(count_kind(PB_DEF), 5);
	assert_invariants();
}
END_TEST

START_TEST(classes_methods_decorators)
{
	int c, m, g, ctor;
	build("@Controller('orders')\n@UseGuards(AuthGuard('jwt'))\nexport class OrdersController extends Base implements OnInit {\n"
	      "  constructor(private readonly orders: OrdersService, @Inject(TOKEN) cfg: Cfg) { super() }\n"
	      "  @Get(':id')\n  @HttpCode(200)\n  async findOne(@Param('id') id: string, @Body() dto: CreateDto): Promise<Order> {\n"
	      "    return this.orders.get(id)\n  }\n"
	      "  get(key: string) { return key }\n  static async *gen<T>(xs: T[]) { yield* xs }\n"
	      "  abstract later(): void\n  private cache = new Map<string, number>();\n  [Symbol.iterator]() {}\n}\n");
	c = named(PB_CLASS, "OrdersController");
	ck_assert_str_eq(O.blocks[c].bases, "extends Base implements OnInit");
	ck_assert_uint_eq(O.blocks[c].ndecorators, 2);
	ck_assert_str_eq(O.blocks[c].decorators[0], "Controller('orders')");
	ck_assert_uint_eq(O.blocks[c].dec_line, 1);
	ck_assert_uint_eq(O.blocks[c].line, 3);
	ctor = named(PB_DEF, "constructor");
	ck_assert_int_eq(O.blocks[ctor].parent, c);
	ck_assert_str_eq(O.blocks[ctor].params[0], "orders");
	ck_assert_str_eq(O.blocks[ctor].param_texts[0], "private readonly orders: OrdersService");
	ck_assert_str_eq(O.blocks[ctor].params[1], "cfg");
	ck_assert_int_ge(find_call("super"), 0);
	m = named(PB_DEF, "findOne");
	ck_assert(O.blocks[m].is_async);
	ck_assert_uint_eq(O.blocks[m].ndecorators, 2);
	ck_assert_str_eq(O.blocks[m].decorators[0], "Get(':id')");
	ck_assert_str_eq(O.blocks[m].decorators[1], "HttpCode(200)");
	ck_assert_uint_eq(O.blocks[m].dec_line, 5);
	ck_assert_uint_eq(O.blocks[m].line, 7);
	ck_assert_str_eq(O.blocks[m].param_texts[0], "@Param('id') id: string");
	ck_assert_str_eq(O.blocks[m].param_texts[1], "@Body() dto: CreateDto");
	g = named(PB_DEF, "get");
	ck_assert_uint_eq(O.blocks[g].ndecorators, 0);
	ck_assert(O.blocks[named(PB_DEF, "gen")].is_async);
	ck_assert_int_eq(count_kind(PB_DEF), 5); /* the abstract method has no body */
	ck_assert_int_eq(must_call("new Map")->block, c);
	ck_assert_int_eq(must_call("new Map")->func, -1);
	assert_invariants();
}
END_TEST

START_TEST(class_expressions_and_nesting)
{
	int a, b;
	build("const A = class extends mixin(Base) { run() { class B { go() {} } } }\n");
	a = find_block(PB_CLASS, 0);
	ck_assert_ptr_null(O.blocks[a].name);
	ck_assert_int_ge(find_call("mixin"), 0);
	b = named(PB_CLASS, "B");
	ck_assert_int_eq(O.blocks[b].parent, named(PB_DEF, "run"));
	ck_assert_int_eq(O.blocks[named(PB_DEF, "go")].parent, b);
	assert_invariants();
}
END_TEST

START_TEST(loops)
{
	int f, g, h, w, d;
	build("for (const [k, v] of Object.entries(m)) { use(k) }\n"
	      "for (let i = init(); i < limit(); i = step(i)) body(i)\n"
	      "for await (const chunk of stream()) write(chunk)\n"
	      "for (const key in obj) {}\n"
	      "while (more()) { next() }\n"
	      "do { pull() } while (check())\n");
	f = find_block(PB_FOR, 0);
	ck_assert_str_eq(O.blocks[f].target, "[k, v]");
	ck_assert_int_eq(must_call("Object.entries")->block, 0); /* the iterable runs once */
	ck_assert_int_eq(must_call("use")->block, f);
	g = find_block(PB_FOR, 1);
	ck_assert_str_eq(O.blocks[g].target, "i");
	ck_assert_int_eq(must_call("init")->block, 0);
	ck_assert_int_eq(must_call("limit")->block, g);
	ck_assert_int_eq(must_call("step")->block, g);
	ck_assert_int_eq(must_call("body")->block, g);
	h = find_block(PB_FOR, 2);
	ck_assert(O.blocks[h].is_async);
	ck_assert_str_eq(O.blocks[h].target, "chunk");
	ck_assert_int_eq(must_call("stream")->block, 0);
	ck_assert_str_eq(O.blocks[find_block(PB_FOR, 3)].target, "key");
	w = find_block(PB_WHILE, 0);
	ck_assert_int_eq(must_call("more")->block, w);
	d = find_block(PB_WHILE, 1);
	ck_assert_int_eq(must_call("pull")->block, d);
	ck_assert_int_eq(must_call("check")->block, d);
	ck_assert_uint_eq(O.blocks[d].end_line, 6);
	ck_assert_int_eq(py_call_loop(&O, must_call("body")), g);
	assert_invariants();
}
END_TEST

START_TEST(try_if_switch)
{
	int t, e, f, i, ei, el, m;
	build("try {\n  a()\n} catch (err: unknown) {\n  b(err)\n} finally {\n  c()\n}\n"
	      "if (x) y()\nelse if (z) { w() }\nelse v()\n"
	      "switch (k) {\n  case 1: one(); break\n  case f(): { two() }\n  default:\n    three()\n}\n");
	t = find_block(PB_TRY, 0);
	e = find_block(PB_EXCEPT, 0);
	f = find_block(PB_FINALLY, 0);
	ck_assert_int_eq(O.blocks[e].try_of, t);
	ck_assert_int_eq(O.blocks[f].try_of, t);
	ck_assert_str_eq(O.blocks[e].target, "err");
	ck_assert_int_eq(must_call("b")->block, e);
	ck_assert_uint_eq(O.blocks[t].end_line, 3);
	i = find_block(PB_IF, 0);
	ei = find_block(PB_ELIF, 0);
	el = find_block(PB_ELSE, 0);
	ck_assert_int_eq(must_call("y")->block, i);
	ck_assert_int_eq(must_call("w")->block, ei);
	ck_assert_int_eq(must_call("v")->block, el);
	ck_assert_int_eq(O.blocks[el].parent, 0);
	m = find_block(PB_MATCH, 0);
	ck_assert_int_eq(count_kind(PB_CASE), 3);
	ck_assert_int_eq(must_call("one")->block, find_block(PB_CASE, 0));
	ck_assert_int_eq(must_call("f")->block, m);
	ck_assert_int_eq(must_call("two")->block, find_block(PB_CASE, 1));
	ck_assert_int_eq(must_call("three")->block, find_block(PB_CASE, 2));
	assert_invariants();
}
END_TEST

START_TEST(statements_split_at_callbacks)
{
	int d;
	build("app.get('/x', async (req, res) => {\n  const a = await load()\n  res.json(a)\n})\nafter()\n");
	ck_assert_uint_eq(O.nstmts, 4);
	assert_stmt_text(0, "app.get('/x', async (req, res) => {");
	d = find_block(PB_DEF, 0);
	ck_assert_int_eq(O.stmts[0].opens, d);
	ck_assert_int_eq(O.stmts[0].block, 0);
	assert_stmt_text(1, "const a = await load()");
	ck_assert_int_eq(O.stmts[1].block, d);
	assert_stmt_text(2, "res.json(a)");
	assert_stmt_text(3, "after()"); /* "})" holds nothing: no statement */
	ck_assert_int_eq(must_call("load")->stmt, 1);
	/* parent_call crosses the callback's body */
	ck_assert_int_eq(must_call("load")->parent_call, find_call("app.get"));
	ck_assert_int_eq(must_call("load")->arg_index, 1);
	assert_invariants();
}
END_TEST

START_TEST(statement_tails)
{
	build("const r = items.map(async (i) => {\n  await f(i)\n}).filter(Boolean); g()\n");
	ck_assert_uint_eq(O.nstmts, 4);
	assert_stmt_text(2, "}).filter(Boolean)");
	ck_assert_int_eq(must_call("items.map().filter")->stmt, 2);
	assert_stmt_text(3, "g()");
	assert_invariants();
}
END_TEST

START_TEST(header_statements)
{
	int f;
	build("class A {\n  @Get()\n  async f(x) {\n    for (const y of x) {\n      if (y) { z() }\n    }\n  }\n}\n");
	assert_stmt_text(0, "class A {");
	ck_assert_int_eq(O.stmts[0].opens, find_block(PB_CLASS, 0));
	assert_stmt_text(1, "@Get()");
	f = named(PB_DEF, "f");
	assert_stmt_text(2, "async f(x) {");
	ck_assert_int_eq(O.stmts[2].opens, f);
	ck_assert_int_eq(O.stmts[2].block, find_block(PB_CLASS, 0));
	assert_stmt_text(3, "for (const y of x) {");
	ck_assert_int_eq(O.stmts[3].opens, find_block(PB_FOR, 0));
	assert_stmt_text(4, "if (y) {");
	assert_stmt_text(5, "z()");
	ck_assert_uint_eq(O.nstmts, 6);
	assert_invariants();
}
END_TEST

START_TEST(callee_chains)
{
	const struct py_call *c;
	build("async function f() {\n"
	      "  await this.prisma.user.findMany({ where: { id } })\n"
	      "  const u = await knex('users').where({ a: 1 }).first()\n"
	      "  a?.b?.c()\n  maybe?.()\n  const w = new Worker('q', fn)\n  new bullmq.Queue('x')\n"
	      "  this.repo.find<User>({})\n  this.cache.get(k)!.push(v)\n  this.check!(x)\n"
	      "  await prisma.$queryRaw<User[]>`SELECT ${id}`\n  import('./mod')\n  ;(function () {})()\n"
	      "  await prisma.$transaction(async (tx) => tx.a.create({}))\n}\n");
	c = must_call("this.prisma.user.findMany");
	ck_assert(c->awaited);
	ck_assert_str_eq(c->name, "findMany");
	ck_assert_uint_eq(c->line, 2);
	ck_assert(must_call("knex().where().first")->awaited);
	ck_assert_str_eq(must_call("knex().where")->name, "where");
	ck_assert_int_ge(find_call("a.b.c"), 0);
	ck_assert_int_ge(find_call("maybe"), 0);
	c = must_call("new Worker");
	ck_assert_str_eq(c->name, "Worker");
	ck_assert(js_call_is_new(c));
	ck_assert(py_tok_is(&T, c->name_begin, "new"));
	ck_assert(js_call_is_new(must_call("new bullmq.Queue")));
	ck_assert(!js_call_is_new(must_call("this.repo.find")));
	ck_assert_int_ge(find_call("this.cache.get().push"), 0);
	ck_assert_int_ge(find_call("this.check"), 0);
	c = must_call("prisma.$queryRaw");
	ck_assert_uint_eq(c->lparen, c->rparen);
	ck_assert(T.v[c->lparen].flags & PTF_TEMPLATE);
	ck_assert(c->awaited);
	ck_assert(!c->is_ref);
	ck_assert_int_ge(find_call("import"), 0);
	ck_assert_int_ge(find_call("()"), 0);
	ck_assert_int_eq(must_call("tx.a.create")->parent_call, find_call("prisma.$transaction"));
	ck_assert_int_ge(find_ref("fn"), 0);
	assert_invariants();
}
END_TEST

START_TEST(refs_and_arguments)
{
	const struct py_call *r;
	build("items.forEach(handle)\napp.get('/x', auth.required, this.list, (req) => 1)\nf(...rest, undefined, 3)\n");
	r = &O.calls[find_ref("handle")];
	ck_assert_int_eq(r->parent_call, find_call("items.forEach"));
	ck_assert_int_eq(r->arg_index, 0);
	ck_assert_int_eq(O.calls[find_ref("auth.required")].arg_index, 1);
	ck_assert_int_eq(O.calls[find_ref("this.list")].arg_index, 2);
	ck_assert_int_ge(find_ref("rest"), 0);
	ck_assert_int_lt(find_ref("undefined"), 0);
	assert_invariants();
}
END_TEST

START_TEST(types_are_not_code)
{
	build("const f: (a: string) => void = g\nlet m: Array<Map<string, number>> = new Map<string, number>()\n"
	      "const v = x as unknown as (y: number) => void\nconst s = { a: 1 } satisfies Rec\n"
	      "interface I { m(x: string): void; n: (y: number) => string }\n"
	      "type T = (a: A) => B\ndeclare function d(x: number): void\nenum E { A = 1 }\n"
	      "const w = <(q: Q) => R>z\nfunction h(cb: (e: Err) => void, m: Map<K, V> = new Map()): Promise<(A | B)[]> { return cb }\n"
	      "export const k = <T extends ((e: any) => void) | (() => void)>(fn: T) => fn\n");
	ck_assert_int_eq(count_kind(PB_DEF), 2); /* h and k */
	named(PB_DEF, "h");
	named(PB_DEF, "k");
	ck_assert_str_eq(O.blocks[named(PB_DEF, "h")].params[1], "m");
	ck_assert_uint_eq(O.blocks[named(PB_DEF, "h")].nparams, 2);
	ck_assert_uint_eq(O.ncalls, 2); /* the two new Map() */
	ck_assert_int_ge(find_call("new Map"), 0);
	assert_invariants();
}
END_TEST

START_TEST(jsx_outline)
{
	int d;
	build_jsx("export function List({ items }) {\n  return (\n    <ul>{items.map((i) => <li onClick={() => { pick(i) }}>{i.name}</li>)}</ul>\n  )\n}\n", 1);
	ck_assert_int_eq(count_kind(PB_DEF), 3);
	d = find_block(PB_DEF, 2);
	ck_assert_int_eq(must_call("pick")->func, d);
	ck_assert_int_eq(js_callback_loop(&O, find_block(PB_DEF, 1)), find_call("items.map"));
	assert_invariants();
}
END_TEST

START_TEST(asi_and_else)
{
	build("if (a) b()\nelse c()\nif (d)\n  this.default = e\nif (f) g()\nconst h = x as const\nclass K { i = 1\n  j() {} }\n");
	ck_assert_int_eq(count_kind(PB_IF), 3);
	ck_assert_int_eq(count_kind(PB_ELSE), 1);
	ck_assert_int_eq(must_call("c")->block, find_block(PB_ELSE, 0));
	ck_assert_int_eq(must_call("g")->block, find_block(PB_IF, 2));
	named(PB_DEF, "j");
	assert_invariants();
}
END_TEST

START_TEST(callback_loops)
{
	int m, fe, r, a, t, tx, b, lo;
	const struct py_call *c;
	build("async function f(ids, rows) {\n"
	      "  await Promise.all(ids.map(async (id) => prisma.x.findUnique({ where: { id } })))\n"
	      "  rows.forEach((r) => { for (const c of r.cs) { save(c) } })\n"
	      "  rows.reduce((acc, r) => acc + r, 0)\n"
	      "  Array.from(rows, (r) => conv(r))\n"
	      "  p.then((v) => use(v))\n"
	      "  await prisma.$transaction(async (tx) => tx.y.update({}))\n"
	      "  _.map(rows, (r) => lod(r))\n"
	      "  map((r) => bare(r))\n}\n");
	m = find_block(PB_DEF, 1);
	ck_assert_int_eq(js_callback_loop(&O, m), find_call("ids.map"));
	c = must_call("prisma.x.findUnique");
	ck_assert_int_eq(js_call_loop(&O, c), m);
	ck_assert_int_eq(js_call_loop_depth(&O, c), 1);
	ck_assert_int_eq(O.calls[find_call("ids.map")].parent_call, find_call("Promise.all"));
	fe = find_block(PB_DEF, 2);
	ck_assert_int_ge(js_callback_loop(&O, fe), 0);
	c = must_call("save");
	ck_assert_int_eq(js_call_loop(&O, c), find_block(PB_FOR, 0));
	ck_assert_int_eq(js_call_loop_depth(&O, c), 2);
	r = find_block(PB_DEF, 3);
	ck_assert_int_eq(js_callback_loop(&O, r), find_call("rows.reduce"));
	a = find_block(PB_DEF, 4);
	ck_assert_int_eq(js_callback_loop(&O, a), find_call("Array.from"));
	t = find_block(PB_DEF, 5);
	ck_assert_int_eq(js_callback_loop(&O, t), -1);
	ck_assert_int_eq(js_def_arg_of(&O, t, NULL), find_call("p.then"));
	tx = find_block(PB_DEF, 6);
	ck_assert_int_eq(js_callback_loop(&O, tx), -1);
	ck_assert_int_eq(js_call_loop(&O, must_call("tx.y.update")), -1);
	ck_assert_int_eq(js_def_arg_of(&O, tx, NULL), find_call("prisma.$transaction"));
	lo = find_block(PB_DEF, 7);
	ck_assert_int_eq(js_callback_loop(&O, lo), find_call("_.map"));
	b = find_block(PB_DEF, 8);
	ck_assert_int_eq(js_callback_loop(&O, b), -1);
	ck_assert(py_call_in_async_def(&O, must_call("prisma.x.findUnique")));
	ck_assert(!py_call_in_async_def(&O, must_call("save")));
	assert_invariants();
}
END_TEST

START_TEST(def_arguments)
{
	int arg = 0, w;
	build("new Worker('q', async (job) => job.data, { connection })\nsetTimeout(function tick() {}, 10)\n");
	w = find_block(PB_DEF, 0);
	ck_assert_int_eq(js_def_arg_of(&O, w, &arg), find_call("new Worker"));
	ck_assert_int_eq(arg, 1);
	ck_assert_int_eq(js_def_arg_of(&O, named(PB_DEF, "tick"), &arg), find_call("setTimeout"));
	ck_assert_int_eq(arg, 0);
}
END_TEST

START_TEST(assignments)
{
	struct py_assign a;
	char *x;
	build("function f() {\n  const rows: Row[] = await db.query(sql)\n  this.cache[k] = v\n  s += `${r.a},`\n"
	      "  x ?\?= 1\n  a = b = c\n  g(y)\n  const h = items.map((i) => {\n    return i\n  })\n"
	      "  if (p === q) z()\n}\nexport const n = 1\n");
	ck_assert(js_stmt_assign(&O, 1, &a));
	x = py_outline_text(&O, a.target_begin, a.target_end);
	ck_assert_str_eq(x, "rows");
	free(x);
	x = py_outline_text(&O, a.value_begin, a.value_end);
	ck_assert_str_eq(x, "await db.query(sql)");
	free(x);
	ck_assert(js_stmt_assign(&O, 2, &a));
	x = py_outline_text(&O, a.target_begin, a.target_end);
	ck_assert_str_eq(x, "this.cache[k]");
	free(x);
	ck_assert(js_stmt_assign(&O, 3, &a));
	ck_assert(py_tok_is(&T, a.op, "+="));
	ck_assert(js_stmt_assign(&O, 4, &a));
	ck_assert(!js_stmt_assign(&O, 5, &a)); /* a = b = c */
	ck_assert(!js_stmt_assign(&O, 6, &a)); /* a call */
	ck_assert(js_stmt_assign(&O, 7, &a)); /* opens its callback */
	ck_assert_int_eq(O.stmts[7].opens, find_block(PB_DEF, 1));
	ck_assert(!js_stmt_assign(&O, 9, &a)); /* an if header */
	ck_assert(js_stmt_assign(&O, 11, &a));
	x = py_outline_text(&O, a.target_begin, a.target_end);
	ck_assert_str_eq(x, "n");
	free(x);
}
END_TEST

/* -- handlers and jobs -- */

START_TEST(nest_handlers)
{
	build("@Controller('users')\nexport class UsersController {\n"
	      "  @Get(':id') find(@Param('id') id: string) { return this.s.list().map((u) => u.id) }\n"
	      "  helper() {}\n  @Post() @HttpCode(201) async create() {}\n  @MessagePattern('x') onX() {}\n}\n"
	      "@Injectable()\nexport class UsersService {\n  @Get('nope') notAHandler() {}\n}\n"
	      "@WebSocketGateway()\nexport class Chat {\n  @SubscribeMessage('msg') onMsg() {}\n}\n");
	ck_assert(O.blocks[named(PB_DEF, "find")].handler);
	ck_assert(O.blocks[find_block(PB_DEF, 1)].handler); /* the map callback inside it */
	ck_assert(!O.blocks[named(PB_DEF, "helper")].handler);
	ck_assert(O.blocks[named(PB_DEF, "create")].handler);
	ck_assert(O.blocks[named(PB_DEF, "onX")].handler);
	ck_assert(!O.blocks[named(PB_DEF, "notAHandler")].handler);
	ck_assert(O.blocks[named(PB_DEF, "onMsg")].handler);
}
END_TEST

START_TEST(express_fastify_handlers)
{
	build("app.get('/users', auth, async (req, res) => { res.json(await list()) })\n"
	      "router.post(`/items/${id}`, function create(req, res) {})\n"
	      "router.route('/book').get((req, res) => {}).put(update)\n"
	      "app.use((req, res, next) => next())\n"
	      "fastify.route({ method: 'GET', url: '/x', handler: async (request, reply) => reply.send() })\n"
	      "fastify.get('/y', { schema }, async (request) => 1)\n"
	      "http.createServer((req, res) => res.end())\n"
	      "router.get('/named', listUsers)\nfunction listUsers(req, res) {}\nfunction notRouted(req, res) {}\n"
	      "axios.get('/api/users', (err) => err)\ncache.get('/k', () => compute())\nitems.get(0, () => 1)\n");
	ck_assert(O.blocks[find_block(PB_DEF, 0)].handler);
	ck_assert(O.blocks[named(PB_DEF, "create")].handler);
	ck_assert(O.blocks[find_block(PB_DEF, 2)].handler);
	ck_assert(O.blocks[find_block(PB_DEF, 3)].handler);
	ck_assert(O.blocks[named(PB_DEF, "handler")].handler);
	ck_assert(O.blocks[find_block(PB_DEF, 5)].handler);
	ck_assert(O.blocks[find_block(PB_DEF, 6)].handler);
	ck_assert(O.blocks[named(PB_DEF, "listUsers")].handler);
	ck_assert(!O.blocks[named(PB_DEF, "notRouted")].handler);
	ck_assert(!O.blocks[find_block(PB_DEF, 9)].handler);  /* an HTTP client callback */
	ck_assert(!O.blocks[find_block(PB_DEF, 10)].handler); /* a cache lookup */
	ck_assert(!O.blocks[find_block(PB_DEF, 11)].handler); /* no path */
}
END_TEST

START_TEST(next_handlers)
{
	build("export async function GET(req: Request) { return Response.json(await q()) }\n"
	      "export const POST = async (req: Request) => new Response()\nfunction DELETE() {}\n"
	      "export default async function handler(req, res) {}\n");
	ck_assert(O.blocks[named(PB_DEF, "GET")].handler);
	ck_assert(O.blocks[named(PB_DEF, "POST")].handler);
	ck_assert(!O.blocks[named(PB_DEF, "DELETE")].handler); /* not exported */
	ck_assert(!O.blocks[named(PB_DEF, "handler")].handler);
	js_outline_mark_path(&O, "src/pages/api/users.ts");
	ck_assert(O.blocks[named(PB_DEF, "handler")].handler);
}
END_TEST

START_TEST(jobs)
{
	build("new Worker('mail', async (job) => { await Promise.all(job.data.ids.map((id) => send(id))) })\n"
	      "@Processor('audio')\nclass AudioConsumer {\n  @Process('transcode') async transcode(job: Job) {}\n  other() {}\n}\n"
	      "@Processor('q')\nclass Host extends WorkerHost {\n  async process(job: Job) {}\n}\n"
	      "class Tasks {\n  @Cron('0 * * * *') hourly() {}\n  @Interval(1000) tick() {}\n}\n"
	      "cron.schedule('* * * * *', async () => {})\nsetInterval(() => poll(), 500)\n"
	      "emailQueue.process(async (job) => {})\nnew Worker(__filename)\nsetTimeout(() => once(), 5)\n");
	ck_assert(js_def_is_job(&O, find_block(PB_DEF, 0)));
	ck_assert(js_def_is_job(&O, find_block(PB_DEF, 1))); /* nested in a job */
	ck_assert(!O.blocks[find_block(PB_DEF, 0)].handler);
	ck_assert(js_def_is_job(&O, named(PB_DEF, "transcode")));
	ck_assert(!js_def_is_job(&O, named(PB_DEF, "other")));
	ck_assert(js_def_is_job(&O, named(PB_DEF, "process")));
	ck_assert(js_def_is_job(&O, named(PB_DEF, "hourly")));
	ck_assert(js_def_is_job(&O, named(PB_DEF, "tick")));
	ck_assert(js_def_is_job(&O, find_block(PB_DEF, 7)));   /* cron.schedule */
	ck_assert(js_def_is_job(&O, find_block(PB_DEF, 8)));   /* setInterval */
	ck_assert(js_def_is_job(&O, find_block(PB_DEF, 9)));   /* emailQueue.process */
	ck_assert(!js_def_is_job(&O, find_block(PB_DEF, 10))); /* setTimeout runs once */
}
END_TEST

/* -- robustness -- */

START_TEST(malformed_inputs)
{
	static const char *const srcs[] = {
		"", "}", ")))", "{{{", "function", "class", "class {", "if (", "for (;;", "x => {",
		"async (", "@", "@@@", "a.b.(", "new", "new ()", "try", "catch (e) {}", "else x()",
		"switch (x) { case", "case 1:", "do", "do x() while", "`${", "a = <", "f<", "x as",
		"export default", "import(", "a ? (b) : c => d", "{ a(b): c }", "(a, b) =>", "[]>`(`",
		"const { a = f() } = g", "label: label2: x()", "x!.y!.z!()", "?.()", "a?.[0]()",
	};
	size_t i;
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		build(srcs[i]);
		assert_invariants();
		teardown();
		build_jsx(srcs[i], 1);
		assert_invariants();
		teardown();
	}
	build("");
}
END_TEST

START_TEST(fuzz_hang_catch_past_the_range)
{
	/* found by make fuzz: a try at the end of a callback whose body is
	 * unclosed, followed by "catch" past the callback's range, looped */
	build("app.get('/users/:, res, next) => {\n  try {\n    const = require('express')\n"
	      "    rows.json(x)return f(Boolean).ma ({ ...r, n: r.n ?? 0 })))\n  } catch (err) {\n    next(err)\n  } finall");
	assert_invariants();
	teardown();
	build("f(() => { try { a() })\ncatch (e) {}\nfinally {}\n");
	ck_assert_int_eq(count_kind(PB_TRY), 1);
	assert_invariants();
	teardown();
	build("f(() => { if (a) b() })\nelse c()\nf(() => { do x() })\nwhile (y)\n");
	assert_invariants();
}
END_TEST

START_TEST(deep_nesting_is_flat_past_the_limit)
{
	size_t n = 5000, i, o = 0;
	char *s = malloc(n * 16 + 16);
	for (i = 0; i < n; i++) {
		memcpy(s + o, "f(() => { g(", 12);
		o += 12;
	}
	for (i = 0; i < n; i++) {
		memcpy(s + o, ")})", 3);
		o += 3;
	}
	s[o] = '\0';
	build(s);
	ck_assert_uint_le(O.nblocks, 300);
	ck_assert_uint_eq(O.ncalls, 2 * n);
	assert_invariants();
	free(s);
}
END_TEST

START_TEST(many_callback_arguments)
{
	/* js_def_arg_of is constant time: 50000 callbacks of one call */
	size_t n = 50000, i, o = 2;
	char *s = malloc(n * 7 + 8);
	memcpy(s, "f(", 2);
	for (i = 0; i < n; i++) {
		memcpy(s + o, "()=>0,", 6);
		o += 6;
	}
	memcpy(s + o, ")\n", 3);
	build(s);
	ck_assert_uint_eq(O.nblocks, n + 1);
	ck_assert_int_eq(js_def_arg_of(&O, (int)n, NULL), 0);
	ck_assert_uint_eq(O.blocks[n].arg_pos, n - 1);
	free(s);
}
END_TEST

START_TEST(large_generated_file)
{
	/* 50,000 lines of services, controllers and callbacks */
	static const char unit[] =
		"@Controller('a')\nexport class A%zu {\n  constructor(private readonly p: P) {}\n"
		"  @Get(':id')\n  async f(@Param('id') id: string) {\n    const xs = await this.p.x.findMany({ where: { id } })\n"
		"    for (const x of xs) {\n      await this.p.y.update({ where: { id: x.id }, data: { n: `${x.n}` } })\n    }\n"
		"    return Promise.all(xs.map(async (x) => this.p.z.findUnique({ where: { id: x.id } })))\n  }\n}\n";
	size_t reps = 50000 / 12 + 1, i, o = 0, cap = reps * (sizeof(unit) + 16);
	char *s = malloc(cap);
	for (i = 0; i < reps; i++)
		o += (size_t)snprintf(s + o, cap - o, unit, i);
	build(s);
	ck_assert_uint_eq(T.nerrors, 0);
	ck_assert_int_eq(count_kind(PB_CLASS), (int)reps);
	ck_assert_int_eq(count_kind(PB_FOR), (int)reps);
	ck_assert_int_eq(count_kind(PB_DEF), (int)(3 * reps));
	assert_invariants();
	free(s);
}
END_TEST

Suite *suite_js_outline(void)
{
	Suite *s = suite_create("js_outline");
	TCase *st = tcase_create("structure");
	TCase *calls = tcase_create("calls");
	TCase *facts = tcase_create("handlers_jobs_loops");
	TCase *neg = tcase_create("robustness");
	tcase_add_checked_fixture(st, NULL, teardown);
	tcase_add_checked_fixture(calls, NULL, teardown);
	tcase_add_checked_fixture(facts, NULL, teardown);
	tcase_add_checked_fixture(neg, NULL, teardown);
	tcase_add_test(st, function_declarations);
	tcase_add_test(st, arrow_names);
	tcase_add_test(st, arrow_forms);
	tcase_add_test(st, classes_methods_decorators);
	tcase_add_test(st, class_expressions_and_nesting);
	tcase_add_test(st, loops);
	tcase_add_test(st, try_if_switch);
	tcase_add_test(st, statements_split_at_callbacks);
	tcase_add_test(st, statement_tails);
	tcase_add_test(st, header_statements);
	tcase_add_test(st, types_are_not_code);
	tcase_add_test(st, jsx_outline);
	tcase_add_test(st, asi_and_else);
	tcase_add_test(calls, callee_chains);
	tcase_add_test(calls, refs_and_arguments);
	tcase_add_test(calls, assignments);
	tcase_add_test(facts, callback_loops);
	tcase_add_test(facts, def_arguments);
	tcase_add_test(facts, nest_handlers);
	tcase_add_test(facts, express_fastify_handlers);
	tcase_add_test(facts, next_handlers);
	tcase_add_test(facts, jobs);
	tcase_add_test(neg, malformed_inputs);
	tcase_add_test(neg, fuzz_hang_catch_past_the_range);
	tcase_add_test(neg, deep_nesting_is_flat_past_the_limit);
	tcase_add_test(neg, many_callback_arguments);
	tcase_add_test(neg, large_generated_file);
	suite_add_tcase(s, st);
	suite_add_tcase(s, calls);
	suite_add_tcase(s, facts);
	suite_add_tcase(s, neg);
	return s;
}
