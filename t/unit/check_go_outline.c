/*
 * Unit tests of lib/go/outline*.c, lib/go/facts.c and lib/go/types.c:
 * the Go outline, handler marks, err-return exits and static types.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "go/go.h"

static struct py_toks T;
static struct py_outline O;

static void build_n(const char *s, size_t n)
{
	ck_assert_int_eq(go_tokenize(&T, s, n), 0);
	ck_assert_int_eq(go_outline_build(&O, &T), 0);
	ck_assert_int_eq(O.lang, LANG_GO);
}

static void build(const char *s)
{
	build_n(s, strlen(s));
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

static int count_blocks(int kind)
{
	size_t i;
	int n = 0;
	for (i = 0; i < O.nblocks; i++)
		n += O.blocks[i].kind == kind;
	return n;
}

static int find_def(const char *name)
{
	size_t i;
	for (i = 0; i < O.nblocks; i++)
		if (O.blocks[i].kind == PB_DEF && O.blocks[i].name && !strcmp(O.blocks[i].name, name))
			return (int)i;
	return -1;
}

static int find_call_n(const char *callee, unsigned nth)
{
	size_t i;
	for (i = 0; i < O.ncalls; i++)
		if (!O.calls[i].is_ref && !strcmp(O.calls[i].callee, callee) && nth-- == 0)
			return (int)i;
	return -1;
}

static const struct py_call *must_call(const char *callee)
{
	int c = find_call_n(callee, 0);
	ck_assert_msg(c >= 0, "no call %s", callee);
	return &O.calls[c];
}

static int ncalls(void)
{
	size_t i;
	int n = 0;
	for (i = 0; i < O.ncalls; i++)
		n += !O.calls[i].is_ref;
	return n;
}

static int stmt_starting(const char *word, unsigned line)
{
	size_t i;
	for (i = 0; i < O.nstmts; i++)
		if (O.stmts[i].line == line && py_tok_is(&T, O.stmts[i].tok_begin, word))
			return (int)i;
	return -1;
}

/* Statements in token order, never overlapping; calls in lparen order. */
static void sane(void)
{
	size_t i;
	for (i = 1; i < O.nstmts; i++)
		ck_assert_uint_le(O.stmts[i - 1].tok_end, O.stmts[i].tok_begin);
	for (i = 0; i < O.nstmts; i++)
		ck_assert_int_eq(py_outline_stmt_of_tok(&O, O.stmts[i].tok_begin), (int)i);
	for (i = 1; i < O.ncalls; i++)
		ck_assert_uint_lt(O.calls[i - 1].lparen, O.calls[i].lparen);
	for (i = 0; i < O.nblocks; i++)
		ck_assert_int_lt(O.blocks[i].parent, (int)i);
}

START_TEST(functions_and_methods)
{
	int f, m, g;
	build("package store\n\nfunc Open(dsn string) (*sql.DB, error) {\n\treturn sql.Open(\"pgx\", dsn)\n}\n\n"
	      "func (s *Store) Get(ctx context.Context, id int64) (*Order, error) {\n\treturn nil, nil\n}\n\n"
	      "func (Store) Name() string { return \"s\" }\n\nfunc (l *List[T]) Push(v T) {}\n");
	sane();
	f = find_def("Open");
	ck_assert_int_ge(f, 0);
	ck_assert_ptr_null(O.blocks[f].recv);
	ck_assert_int_eq(O.blocks[f].parent, 0);
	ck_assert_uint_eq(O.blocks[f].line, 3);
	ck_assert_uint_eq(O.blocks[f].end_line, 5);
	ck_assert_uint_eq(O.blocks[f].nparams, 1);
	ck_assert_str_eq(O.blocks[f].params[0], "dsn");
	ck_assert_str_eq(O.blocks[f].param_texts[0], "dsn string");
	ck_assert_int_eq(O.blocks[f].is_async, 0);
	ck_assert(py_tok_is(&T, O.blocks[f].hdr_begin, "func"));
	ck_assert(py_tok_is(&T, O.blocks[f].hdr_end, "{"));
	ck_assert(py_tok_is(&T, O.blocks[f].body_end, "}"));
	m = find_def("Get");
	ck_assert_str_eq(O.blocks[m].recv, "Store");
	ck_assert_uint_eq(O.blocks[m].nparams, 2);
	ck_assert_str_eq(O.blocks[m].param_texts[0], "ctx context.Context");
	ck_assert_str_eq(O.blocks[m].param_texts[1], "id int64");
	ck_assert(py_tok_is(&T, (size_t)go_def_recv_tok(&O, m), "s"));
	g = find_def("Name");
	ck_assert_str_eq(O.blocks[g].recv, "Store");
	ck_assert_int_eq(go_def_recv_tok(&O, g), -1);
	ck_assert_uint_eq(O.blocks[g].line, O.blocks[g].end_line);
	ck_assert_str_eq(O.blocks[find_def("Push")].recv, "List");
	ck_assert_int_eq(go_def_recv_tok(&O, f), -1);
	ck_assert_int_eq(must_call("sql.Open")->func, f);
}
END_TEST

START_TEST(parameter_forms)
{
	int f;
	build("func f(a, b int, c ...string) {}\nfunc g(int, *http.Request) {}\n"
	      "func h(w http.ResponseWriter, r *http.Request, fn func(int) error, m map[string][]int) {}\n"
	      "func k(arr [3]int, t List[T], ch <-chan int) {}\n");
	f = find_def("f");
	ck_assert_uint_eq(O.blocks[f].nparams, 3);
	ck_assert_str_eq(O.blocks[f].params[0], "a");
	ck_assert_str_eq(O.blocks[f].param_texts[0], "a int");
	ck_assert_str_eq(O.blocks[f].param_texts[1], "b int");
	ck_assert_str_eq(O.blocks[f].param_texts[2], "c ...string");
	f = find_def("g");
	ck_assert_uint_eq(O.blocks[f].nparams, 2);
	ck_assert_str_eq(O.blocks[f].params[0], "_");
	ck_assert_str_eq(O.blocks[f].param_texts[0], "int");
	ck_assert_str_eq(O.blocks[f].param_texts[1], "*http.Request");
	f = find_def("h");
	ck_assert_uint_eq(O.blocks[f].nparams, 4);
	ck_assert_str_eq(O.blocks[f].param_texts[2], "fn func(int) error");
	ck_assert_str_eq(O.blocks[f].param_texts[3], "m map[string][]int");
	f = find_def("k");
	ck_assert_uint_eq(O.blocks[f].nparams, 3);
	ck_assert_str_eq(O.blocks[f].params[0], "arr");
	ck_assert_str_eq(O.blocks[f].params[1], "t");
	ck_assert_str_eq(O.blocks[f].param_texts[2], "ch <-chan int");
	ck_assert_int_eq(ncalls(), 0); /* function types are no calls */
}
END_TEST

START_TEST(generics)
{
	int f;
	build("func Map[T any, U comparable](xs []T, f func(T) U) []U {\n\tout := make([]U, 0, len(xs))\n"
	      "\tfor _, x := range xs {\n\t\tout = append(out, f(x))\n\t}\n\treturn out\n}\n"
	      "func use() { ys := Map[int, string](xs, strconv.Itoa) }\n");
	sane();
	f = find_def("Map");
	ck_assert_uint_eq(O.blocks[f].nparams, 2);
	ck_assert_str_eq(O.blocks[f].param_texts[1], "f func(T) U");
	ck_assert_int_eq(must_call("f")->block, find_block(PB_FOR, 0));
	ck_assert_int_eq(must_call("Map[]")->func, find_def("use"));
	ck_assert_int_ge(find_call_n("make", 0), 0);
}
END_TEST

START_TEST(for_loops)
{
	int f0, f1, f2, f3, f4;
	build("func f() {\n\tfor i := 0; i < len(xs); i++ {\n\t\tg(i)\n\t}\n"
	      "\tfor _, x := range load() {\n\t\th(x)\n\t}\n"
	      "\tfor rows.Next() {\n\t\trows.Scan(&v)\n\t}\n"
	      "\tfor {\n\t\tbreak\n\t}\n"
	      "\tfor range ch {\n\t}\n}\n");
	sane();
	ck_assert_int_eq(count_blocks(PB_FOR), 5);
	f0 = find_block(PB_FOR, 0);
	f1 = find_block(PB_FOR, 1);
	f2 = find_block(PB_FOR, 2);
	f3 = find_block(PB_FOR, 3);
	f4 = find_block(PB_FOR, 4);
	/* a condition runs per iteration, a range expression once */
	ck_assert_int_eq(must_call("len")->block, f0);
	ck_assert_int_eq(must_call("g")->block, f0);
	ck_assert_str_eq(O.blocks[f0].target, "");
	ck_assert(py_tok_is(&T, O.blocks[f0].iter_begin, "i"));
	ck_assert_str_eq(O.blocks[f1].target, "_, x");
	ck_assert(py_tok_is(&T, O.blocks[f1].iter_begin, "load"));
	ck_assert_uint_eq(O.blocks[f1].iter_end, O.blocks[f1].hdr_end);
	ck_assert_int_eq(must_call("load")->block, 1);
	ck_assert_int_eq(must_call("h")->block, f1);
	ck_assert_int_eq(must_call("rows.Next")->block, f2);
	ck_assert_int_eq(must_call("rows.Scan")->block, f2);
	ck_assert(py_tok_is(&T, O.blocks[f2].iter_begin, "rows"));
	ck_assert_uint_eq(O.blocks[f3].iter_begin, O.blocks[f3].iter_end);
	ck_assert_str_eq(O.blocks[f4].target, "");
	ck_assert(py_tok_is(&T, O.blocks[f4].iter_begin, "ch"));
	ck_assert_int_eq(py_call_loop_depth(&O, must_call("rows.Scan")), 1);
	ck_assert_int_eq(O.stmts[stmt_starting("for", 2)].opens, f0);
	ck_assert_uint_eq(O.blocks[f0].line, 2);
	ck_assert_uint_eq(O.blocks[f0].end_line, 4);
}
END_TEST

START_TEST(composite_literals_in_headers)
{
	int f;
	build("func f() {\n\tfor _, v := range []string{\"a\", \"b\"} {\n\t\tuse(v)\n\t}\n"
	      "\tfor k := range map[string]bool{\"x\": true} {\n\t\tuse(k)\n\t}\n"
	      "\tfor _, p := range []struct{ a int }{{1}, {2}} {\n\t\tuse(p)\n\t}\n"
	      "\tif x == (T{}) {\n\t\tuse(x)\n\t}\n\tfor i := range arr[2] {\n\t\tuse(i)\n\t}\n"
	      "\tfor _, c := range []byte(path[1:]) {\n\t\tuse(c)\n\t}\n"
	      "\tfor _, g := range []func(int){f1, f2} {\n\t\tuse(g)\n\t}\n}\n");
	sane();
	ck_assert_int_eq(count_blocks(PB_FOR), 6);
	ck_assert_int_eq(count_blocks(PB_IF), 1);
	ck_assert_int_eq(count_blocks(PB_DEF), 1);
	for (f = 0; f < 7; f++) {
		int c = find_call_n("use", (unsigned)f);
		ck_assert_int_ge(c, 0);
		ck_assert_int_ne(O.calls[c].block, 1);
		ck_assert_uint_eq(O.blocks[O.calls[c].block].line + 1, O.calls[c].line);
	}
}
END_TEST

START_TEST(if_else_chains)
{
	int i, e, l;
	build("func f() error {\n\tif err := g(); err != nil {\n\t\treturn err\n\t} else if x > 1 {\n\t\th()\n"
	      "\t} else {\n\t\tk()\n\t}\n\treturn nil\n}\n");
	sane();
	i = find_block(PB_IF, 0);
	e = find_block(PB_ELIF, 0);
	l = find_block(PB_ELSE, 0);
	ck_assert_int_ge(i, 0);
	ck_assert_int_ge(e, 0);
	ck_assert_int_ge(l, 0);
	ck_assert_int_eq(O.blocks[i].parent, 1);
	ck_assert_int_eq(O.blocks[e].parent, 1);
	ck_assert_int_eq(O.blocks[l].parent, 1);
	ck_assert_int_eq(must_call("g")->block, 1);
	ck_assert_int_eq(must_call("h")->block, e);
	ck_assert_int_eq(must_call("k")->block, l);
	ck_assert_uint_eq(O.blocks[e].line, 4);
	ck_assert_uint_eq(O.blocks[l].line, 6);
	ck_assert_uint_eq(O.blocks[l].end_line, 8);
	ck_assert_int_eq(O.stmts[stmt_starting("else", 4)].opens, e);
	ck_assert_int_eq(O.stmts[stmt_starting("else", 6)].opens, l);
	ck_assert_int_eq(O.blocks[l].try_of, -1);
}
END_TEST

START_TEST(switch_select_type_switch)
{
	int m, c;
	build("func f(x any) {\n\tswitch v := x.(type) {\n\tcase int:\n\t\ta(v)\n\tcase string, error:\n\t\tb(v)\n"
	      "\tdefault:\n\t}\n\tswitch {\n\tcase strings.HasPrefix(s, \"a\"): c()\n\t}\n"
	      "\tselect {\n\tcase v := <-ch:\n\t\td(v)\n\tcase <-time.After(time.Second):\n\t\te()\n\t}\n}\n");
	sane();
	ck_assert_int_eq(count_blocks(PB_MATCH), 3);
	ck_assert_int_eq(count_blocks(PB_CASE), 6);
	m = find_block(PB_MATCH, 0);
	c = find_block(PB_CASE, 0);
	ck_assert_int_eq(O.blocks[c].parent, m);
	ck_assert_int_eq(must_call("a")->block, c);
	ck_assert_int_eq(must_call("b")->block, find_block(PB_CASE, 1));
	ck_assert_uint_eq(O.blocks[find_block(PB_CASE, 2)].line, 7);
	/* a case expression is evaluated by the switch; its inline body is the case's */
	ck_assert_int_eq(must_call("strings.HasPrefix")->block, find_block(PB_MATCH, 1));
	ck_assert_int_eq(must_call("c")->block, find_block(PB_CASE, 3));
	ck_assert_int_eq(must_call("time.After")->block, find_block(PB_MATCH, 2));
	ck_assert_int_eq(must_call("e")->block, find_block(PB_CASE, 5));
	ck_assert_int_eq(find_call_n("x", 0), -1); /* x.(type) is no call */
}
END_TEST

START_TEST(labels_and_bare_blocks)
{
	int f;
	build("func f() {\nouter:\n\tfor _, r := range rows {\n\t\tfor {\n\t\t\tcontinue outer\n\t\t}\n\t}\n"
	      "\t{\n\t\tg()\n\t}\nend:\n}\n");
	sane();
	f = find_block(PB_FOR, 0);
	ck_assert_int_ge(f, 0);
	ck_assert_int_eq(O.blocks[find_block(PB_FOR, 1)].parent, f);
	ck_assert_int_eq(O.stmts[stmt_starting("outer", 2)].opens, f);
	ck_assert(py_tok_is(&T, O.blocks[f].hdr_begin, "for"));
	ck_assert_int_eq(must_call("g")->block, 1);
	ck_assert_int_ge(stmt_starting("end", 11), 0);
}
END_TEST

START_TEST(callee_chains)
{
	const struct py_call *c;
	build("func f() {\n\terr := db.QueryRowContext(ctx, q, id).Scan(&x)\n\ttx.Commit()\n\ts.db.Exec(q)\n"
	      "\tdb.Model(&u).\n\t\tWhere(\"a = ?\", 1).\n\t\tFind(&us)\n"
	      "\tv := x.(*Store).Get(id)\n\th := handlers[name](w, r)\n\tb := []byte(s)\n\tp := (*T)(q)\n}\n");
	sane();
	must_call("db.QueryRowContext");
	c = must_call("db.QueryRowContext().Scan");
	ck_assert_str_eq(c->name, "Scan");
	ck_assert_uint_eq(c->line, 2);
	must_call("tx.Commit");
	ck_assert_str_eq(must_call("s.db.Exec")->name, "Exec");
	c = must_call("db.Model().Where().Find");
	ck_assert_uint_eq(c->line, 7);
	ck_assert(py_tok_is(&T, c->name_begin, "db"));
	ck_assert_uint_eq(c->end_line, 7);
	ck_assert_uint_eq(must_call("db.Model().Where")->line, 6);
	c = must_call("x.(*Store).Get");
	ck_assert_str_eq(c->name, "Get");
	ck_assert_str_eq(must_call("handlers[]")->name, "handlers");
	must_call("byte");
	must_call("()");
	teardown();
	/* method expressions: a value, or called with the receiver first */
	build("func f() {\n\tfn := (*Store).Save\n\tg := Store.Name\n\tStore.Save(s, ctx)\n\t(*Store).Save(s, ctx)\n}\n");
	sane();
	ck_assert_int_eq(ncalls(), 2);
	ck_assert_int_eq(must_call("Store.Save")->arg_index, -1);
	ck_assert_str_eq(must_call("().Save")->name, "Save");
}
END_TEST

START_TEST(composite_literals_are_not_calls)
{
	build("func f() {\n\tu := User{Name: name(1)}\n\tp := &Point{X: 1}\n\tm := map[string]int{\"a\": g()}\n"
	      "\tvar s struct{ a int }\n\tvar i interface{ Get(id int) error }\n\tc.JSON(200, gin.H{\"error\": err.Error()})\n}\n");
	sane();
	ck_assert_int_eq(ncalls(), 4);
	must_call("name");
	must_call("g");
	ck_assert_int_eq(must_call("err.Error")->parent_call, find_call_n("c.JSON", 0));
	ck_assert_int_eq(must_call("err.Error")->arg_index, 1);
	ck_assert_int_eq(find_call_n("Get", 0), -1);
}
END_TEST

START_TEST(interface_and_struct_types_hold_no_calls)
{
	build("type Store interface {\n\tGetPermit(ctx context.Context, id int64) (*Permit, error)\n\tClose() error\n}\n"
	      "type Handler struct {\n\tfn func(w http.ResponseWriter) error\n\tdb *gorm.DB `gorm:\"-\"`\n}\n"
	      "type HandlerFunc func(ResponseWriter, *Request)\n");
	sane();
	ck_assert_int_eq(ncalls(), 0);
	ck_assert_int_eq(count_blocks(PB_DEF), 0);
}
END_TEST

START_TEST(function_literal_in_transaction)
{
	int h, lit, s, c;
	build("func (h *H) create(c *gin.Context) {\n\terr := h.db.Transaction(func(tx *gorm.DB) error {\n"
	      "\t\tif err := tx.Create(&o).Error; err != nil {\n\t\t\treturn err\n\t\t}\n"
	      "\t\treturn tx.Create(&items).Error\n\t}, opts)\n\tc.JSON(200, o)\n}\n");
	sane();
	h = find_def("create");
	lit = find_block(PB_DEF, 1);
	ck_assert_ptr_null(O.blocks[lit].name);
	ck_assert_int_eq(O.blocks[lit].parent, h);
	ck_assert_uint_eq(O.blocks[lit].nparams, 1);
	ck_assert_str_eq(O.blocks[lit].param_texts[0], "tx *gorm.DB");
	ck_assert_uint_eq(O.blocks[lit].line, 2);
	ck_assert_uint_eq(O.blocks[lit].end_line, 7);
	c = find_call_n("h.db.Transaction", 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_eq(O.calls[c].func, h);
	ck_assert_uint_eq(O.calls[c].end_line, 7);
	/* the calls inside know the call the literal is passed to */
	ck_assert_int_eq(O.calls[find_call_n("tx.Create", 0)].parent_call, c);
	ck_assert_int_eq(O.calls[find_call_n("tx.Create", 0)].arg_index, 0);
	ck_assert_int_eq(O.calls[find_call_n("tx.Create", 0)].func, lit);
	ck_assert_int_eq(O.calls[find_call_n("tx.Create", 0)].block, lit); /* an if header runs before its block */
	ck_assert_int_eq(O.calls[find_call_n("tx.Create", 1)].parent_call, c);
	ck_assert_int_eq(O.calls[find_call_n("tx.Create", 1)].block, lit);
	ck_assert_int_eq(must_call("c.JSON")->parent_call, -1);
	ck_assert_int_eq(go_lit_arg_of(&O, lit, &s), c);
	ck_assert_int_eq(s, 0);
	ck_assert_int_eq(go_lit_invoked_by(&O, lit), -1);
	ck_assert_int_eq(go_lit_arg_of(&O, h, &s), -1);
	ck_assert_int_eq(s, -1);
	/* the statement is split at the literal's body */
	s = stmt_starting("err", 2);
	ck_assert_int_eq(O.stmts[s].opens, lit);
	ck_assert_int_eq(O.stmts[s].block, h);
	ck_assert_int_eq(O.calls[c].stmt, s);
	s = py_outline_stmt_of_tok(&O, O.calls[c].rparen);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(O.stmts[s].block, h);
	ck_assert_uint_eq(O.stmts[s].line, 7);
	ck_assert_int_eq(O.stmts[py_outline_stmt_of_tok(&O, O.blocks[lit].body_begin)].block, lit);
}
END_TEST

START_TEST(defer_and_go)
{
	build("func f() {\n\tdefer tx.Rollback()\n\tdefer rows.Close()\n\tdefer f(g())\n\tdefer db.Model().Close()\n"
	      "\tgo s.worker(ctx, jobs)\n\tgo func(n int) {\n\t\tnotify(n)\n\t}(3)\n\tdefer func() { recover() }()\n"
	      "\tx := tx.Rollback\n\tcleanup()\n}\n");
	sane();
	ck_assert(must_call("tx.Rollback")->deferred);
	ck_assert(must_call("rows.Close")->deferred);
	ck_assert(must_call("f")->deferred);
	ck_assert(!must_call("g")->deferred); /* evaluated at the defer */
	ck_assert(!must_call("db.Model")->deferred);
	ck_assert(must_call("db.Model().Close")->deferred);
	ck_assert(must_call("s.worker")->go_stmt);
	ck_assert(!must_call("s.worker")->deferred);
	ck_assert(O.calls[find_call_n("", 0)].go_stmt);
	ck_assert_uint_eq(O.calls[find_call_n("", 0)].line, 9);
	ck_assert(!must_call("notify")->go_stmt);
	ck_assert_int_eq(must_call("notify")->func, find_block(PB_DEF, 1));
	ck_assert(O.calls[find_call_n("", 1)].deferred);
	ck_assert_int_eq(go_lit_invoked_by(&O, find_block(PB_DEF, 1)), find_call_n("", 0));
	ck_assert_int_eq(go_lit_invoked_by(&O, find_block(PB_DEF, 2)), find_call_n("", 1));
	ck_assert_int_eq(go_lit_arg_of(&O, find_block(PB_DEF, 1), NULL), -1);
	ck_assert(!must_call("recover")->deferred);
	ck_assert(!must_call("cleanup")->deferred);
}
END_TEST

START_TEST(references)
{
	int c;
	build("func f() {\n\tr.GET(\"/x\", h.list)\n\tg(nil, true, ctx, &x, xs...)\n}\n");
	c = find_call_n("r.GET", 0);
	ck_assert_int_ge(c, 0);
	ck_assert(O.calls[c + 1].is_ref);
	ck_assert_str_eq(O.calls[c + 1].callee, "h.list");
	ck_assert_str_eq(O.calls[c + 1].name, "list");
	ck_assert_int_eq(O.calls[c + 1].parent_call, c);
	ck_assert_int_eq(O.calls[c + 1].arg_index, 1);
	ck_assert_uint_eq(O.calls[c + 1].lparen, O.calls[c + 1].rparen);
	/* only ctx: not nil/true, not &x, not xs... */
	c = find_call_n("g", 0);
	ck_assert_uint_eq(O.ncalls, (size_t)c + 2);
	ck_assert_str_eq(O.calls[c + 1].callee, "ctx");
	ck_assert_int_eq(O.calls[c + 1].arg_index, 2);
}
END_TEST

START_TEST(strings_and_comments_hold_no_calls)
{
	build("func f() {\n\tq := `SELECT f(x) FROM t -- g(y)\n\tWHERE h(z)`\n\ts := \"a(b)\" // c(d)\n\t/* e(f) */\n"
	      "\tr := '('\n\tk(q)\n}\n");
	sane();
	ck_assert_int_eq(ncalls(), 1);
	ck_assert_uint_eq(must_call("k")->line, 7);
}
END_TEST

START_TEST(statements_of_a_file)
{
	int s;
	build("package p\n\nimport (\n\t\"fmt\"\n\t\"net/http\"\n)\n\nvar (\n\tdb = open()\n\tn  int\n)\n\n"
	      "const q = `x`\n\nfunc f() { a(); b() }\n");
	sane();
	ck_assert_int_ge(stmt_starting("package", 1), 0);
	s = stmt_starting("import", 3);
	ck_assert_uint_eq(O.stmts[s].end_line, 6);
	s = stmt_starting("var", 8);
	ck_assert_uint_eq(O.stmts[s].end_line, 11);
	ck_assert_int_eq(must_call("open")->func, -1);
	ck_assert_int_eq(must_call("open")->block, 0);
	ck_assert_int_ne(must_call("a")->stmt, must_call("b")->stmt); /* split at ';' */
	ck_assert_uint_eq(O.blocks[0].line, 1);
	ck_assert_uint_eq(O.blocks[0].end_line, 16); /* the END token's line, as in Python */
}
END_TEST

START_TEST(handlers)
{
	build("func plain(w http.ResponseWriter, r *http.Request) {}\nfunc gin1(c *gin.Context) {}\n"
	      "func ech(c echo.Context) error { return nil }\nfunc fib(c *fiber.Ctx) error { return nil }\n"
	      "func half(w http.ResponseWriter) {}\nfunc helper(id int) {}\n"
	      "func (s *Server) list(x Ctx) {}\nfunc registered(x Ctx) {}\nfunc wrapped(x Ctx) {}\n"
	      "func notReg(x Ctx) {}\nfunc (s *Server) notMethod(x Ctx) {}\n"
	      "func routes(r chi.Router, mux *http.ServeMux) {\n\tr.Get(\"/a\", s.list)\n\tmux.HandleFunc(\"/b\", registered)\n"
	      "\tmux.Handle(\"GET /c/{id}\", http.HandlerFunc(wrapped))\n\tr.Post(\"/d\", func(x Ctx) { inner() })\n"
	      "\tr.Use(notReg)\n\tcache.Get(key, notMethod)\n\tr.Group(func(r chi.Router) {})\n}\n"
	      "func nesting(w http.ResponseWriter, r *http.Request) {\n\tgo func() { work() }()\n}\n");
	sane();
	ck_assert(O.blocks[find_def("plain")].handler);
	ck_assert(O.blocks[find_def("gin1")].handler);
	ck_assert(O.blocks[find_def("ech")].handler);
	ck_assert(O.blocks[find_def("fib")].handler);
	ck_assert(!O.blocks[find_def("half")].handler);
	ck_assert(!O.blocks[find_def("helper")].handler);
	ck_assert(O.blocks[find_def("list")].handler);
	ck_assert(O.blocks[find_def("registered")].handler);
	ck_assert(O.blocks[find_def("wrapped")].handler);
	ck_assert(!O.blocks[find_def("notReg")].handler);
	ck_assert(!O.blocks[find_def("notMethod")].handler);
	ck_assert(!O.blocks[find_def("routes")].handler);
	ck_assert(O.blocks[O.calls[find_call_n("inner", 0)].func].handler);
	{
		int a, lit = O.calls[find_call_n("inner", 0)].func;
		ck_assert_int_eq(go_lit_arg_of(&O, lit, &a), find_call_n("r.Post", 0));
		ck_assert_int_eq(a, 1);
	}
	ck_assert(!O.blocks[find_block(PB_DEF, 13)].handler); /* the Group literal */
	ck_assert(O.blocks[O.calls[find_call_n("work", 0)].func].handler);
}
END_TEST

START_TEST(err_returns)
{
	build("func f() error {\n\ttx, err := db.BeginTx(ctx, nil)\n\tif err != nil {\n\t\treturn err\n\t}\n"
	      "\tif _, err := tx.Exec(q); err != nil {\n\t\ttx.Rollback()\n\t\treturn fmt.Errorf(\"x: %w\", err)\n\t}\n"
	      "\tif err != nil {\n\t\tlog.Printf(\"%v\", err)\n\t}\n\tif x != nil {\n\t\treturn nil\n\t}\n"
	      "\tif err == nil {\n\t\treturn nil\n\t}\n\tif txErr != nil {\n\t\tpanic(txErr)\n\t}\n"
	      "\tif err != nil {\n\t\tif y {\n\t\t\treturn err\n\t\t}\n\t}\n"
	      "\tif err != nil && !errors.Is(err, sql.ErrNoRows) {\n\t\tlog.Fatal(err)\n\t}\n\treturn tx.Commit()\n}\n");
	ck_assert(go_stmt_is_err_return(&O, stmt_starting("if", 3)));
	ck_assert(go_stmt_is_err_return(&O, stmt_starting("if", 6)));
	ck_assert(!go_stmt_is_err_return(&O, stmt_starting("if", 10))); /* logs only */
	ck_assert(!go_stmt_is_err_return(&O, stmt_starting("if", 13))); /* not an error */
	ck_assert(!go_stmt_is_err_return(&O, stmt_starting("if", 16))); /* err == nil */
	ck_assert(go_stmt_is_err_return(&O, stmt_starting("if", 19)));
	ck_assert(!go_stmt_is_err_return(&O, stmt_starting("if", 22))); /* nested return only */
	ck_assert(go_stmt_is_err_return(&O, stmt_starting("if", 27)));
	ck_assert(!go_stmt_is_err_return(&O, stmt_starting("tx", 2)));
	ck_assert(!go_stmt_is_err_return(&O, -1));
	ck_assert(!go_stmt_is_err_return(&O, (int)O.nstmts));
}
END_TEST

START_TEST(string_bodies)
{
	size_t n;
	const char *s;
	build("x := `a\nb`\ny := \"c\\\"d\"\nz := 'e'\n");
	s = go_string_body(&T, 2, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert(!strncmp(s, "a\nb", n));
	s = go_string_body(&T, 6, &n);
	ck_assert_uint_eq(n, 4);
	ck_assert(!strncmp(s, "c\\\"d", n));
	s = go_string_body(&T, 10, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_null(go_string_body(&T, 0, &n));
	ck_assert_ptr_null(go_string_body(&T, 1000, &n));
}
END_TEST

START_TEST(types_of_receivers)
{
	struct go_types *gt;
	const struct py_call *c;
	build("package store\n\ntype Store struct {\n\tdb    *sql.DB\n\tgdb   *gorm.DB `gorm:\"-\"`\n\tpool  *pgxpool.Pool\n"
	      "\t*Cache\n\tname, kind string\n}\n\nvar global *sql.DB\n\n"
	      "func (s *Store) Save(ctx context.Context, items []Item) error {\n\ttx, err := s.db.BeginTx(ctx, nil)\n"
	      "\tdefer tx.Rollback()\n\trows, _ := tx.QueryContext(ctx, q)\n\tfor rows.Next() {\n\t}\n"
	      "\ts.gdb.Where(\"a\").Find(&items)\n\tvar b strings.Builder\n\tb.WriteString(\"x\")\n"
	      "\th := &Handler{db: s.gdb}\n\th.Serve()\n\tc := s.Cache\n\tc.Get()\n\tglobal.Exec(q)\n"
	      "\ts.gdb.Transaction(func(gtx *gorm.DB) error {\n\t\treturn gtx.Create(&x).Error\n\t})\n"
	      "\tconn, _ := s.pool.Begin(ctx)\n\tconn.Exec(ctx, q)\n\tunknown.Do()\n\tsql.Open(\"x\", \"y\")\n"
	      "\tif t2, err := s.db.Begin(); err == nil {\n\t\tt2.Commit()\n\t}\n\treturn tx.Commit()\n}\n");
	gt = go_types_new(&O);
	ck_assert_ptr_nonnull(gt);
	ck_assert_str_eq(go_types_recv(gt, find_call_n("s.db.BeginTx", 0)), "sql.DB");
	ck_assert_str_eq(go_types_recv(gt, find_call_n("tx.Rollback", 0)), "sql.Tx");
	ck_assert_str_eq(go_types_recv(gt, find_call_n("tx.Commit", 0)), "sql.Tx");
	ck_assert_str_eq(go_types_recv(gt, find_call_n("tx.QueryContext", 0)), "sql.Tx");
	ck_assert_str_eq(go_types_recv(gt, find_call_n("rows.Next", 0)), "sql.Rows");
	ck_assert_str_eq(go_types_recv(gt, find_call_n("s.gdb.Where", 0)), "gorm.DB");
	ck_assert_str_eq(go_types_recv(gt, find_call_n("s.gdb.Where().Find", 0)), "gorm.DB");
	ck_assert_str_eq(go_types_recv(gt, find_call_n("b.WriteString", 0)), "strings.Builder");
	ck_assert_str_eq(go_types_recv(gt, find_call_n("h.Serve", 0)), "Handler");
	ck_assert_str_eq(go_types_recv(gt, find_call_n("c.Get", 0)), "Cache");
	ck_assert_str_eq(go_types_recv(gt, find_call_n("global.Exec", 0)), "sql.DB");
	ck_assert_str_eq(go_types_recv(gt, find_call_n("gtx.Create", 0)), "gorm.DB");
	ck_assert_str_eq(go_types_recv(gt, find_call_n("conn.Exec", 0)), "pgx.Tx");
	ck_assert_str_eq(go_types_recv(gt, find_call_n("t2.Commit", 0)), "sql.Tx");
	ck_assert_ptr_null(go_types_recv(gt, find_call_n("unknown.Do", 0)));
	ck_assert_ptr_null(go_types_recv(gt, find_call_n("sql.Open", 0)));
	c = &O.calls[find_call_n("b.WriteString", 0)];
	ck_assert_str_eq(go_types_of(gt, c->block, c->lparen, "s.name"), "string");
	ck_assert_str_eq(go_types_of(gt, c->block, c->lparen, "s.pool"), "pgxpool.Pool");
	ck_assert_ptr_null(go_types_of(gt, c->block, 0, "s.name")); /* before the method */
	ck_assert_str_eq(go_types_of(gt, 0, 0, "global"), "sql.DB");
	ck_assert_ptr_null(go_types_of(gt, 0, 0, "s.db"));
	go_types_free(gt);
}
END_TEST

START_TEST(types_of_values_and_fields)
{
	struct go_types *gt;
	struct go_field fl[8];
	const struct py_call *c;
	build("type Order struct {\n\tgorm.Model\n\tID    uint   `gorm:\"primaryKey\"`\n\tA, B  string\n"
	      "\tItems []Item `gorm:\"foreignKey:OrderID\"`\n\t*Base\n}\n"
	      "func f(n int) {\n\ts := \"\"\n\tt := fmt.Sprintf(\"%d\", n)\n\tk := 0\n\tx := 1.5\n"
	      "\tb := []byte(s)\n\tr := string(b)\n\tvar sb strings.Builder\n\tu := sb.String()\n\tv := 'x'\n\tend()\n}\n");
	gt = go_types_new(&O);
	ck_assert_ptr_nonnull(gt);
	c = &O.calls[find_call_n("end", 0)];
	ck_assert_str_eq(go_types_of(gt, c->block, c->lparen, "s"), "string");
	ck_assert_str_eq(go_types_of(gt, c->block, c->lparen, "t"), "string");
	ck_assert_str_eq(go_types_of(gt, c->block, c->lparen, "k"), "int");
	ck_assert_str_eq(go_types_of(gt, c->block, c->lparen, "x"), "float64");
	ck_assert_str_eq(go_types_of(gt, c->block, c->lparen, "n"), "int");
	ck_assert_str_eq(go_types_of(gt, c->block, c->lparen, "b"), "[]byte");
	ck_assert_str_eq(go_types_of(gt, c->block, c->lparen, "r"), "string");
	ck_assert_str_eq(go_types_of(gt, c->block, c->lparen, "u"), "string");
	ck_assert_str_eq(go_types_of(gt, c->block, c->lparen, "v"), "rune");
	ck_assert_int_eq(go_types_fields(gt, "Order", fl, 8), 6);
	ck_assert_str_eq(fl[0].name, "Model");
	ck_assert_str_eq(fl[0].type, "gorm.Model");
	ck_assert(fl[0].embedded);
	ck_assert_str_eq(fl[1].name, "ID");
	ck_assert(py_tok_is(&T, 0, "type"));
	ck_assert_int_ge(fl[1].tag_tok, 0);
	ck_assert_int_eq(T.v[fl[1].tag_tok].kind, PT_STRING);
	ck_assert_str_eq(fl[2].name, "A");
	ck_assert_str_eq(fl[3].name, "B");
	ck_assert_str_eq(fl[3].type, "string");
	ck_assert_int_eq(fl[3].tag_tok, -1);
	ck_assert_str_eq(fl[4].type, "[]Item");
	ck_assert_str_eq(fl[5].name, "Base");
	ck_assert_int_eq(go_types_fields(gt, "Order", fl, 2), 6);
	ck_assert_str_eq(fl[1].name, "ID");
	ck_assert_int_eq(go_types_fields(gt, "Nope", fl, 8), 0);
	go_types_free(gt);
}
END_TEST

START_TEST(types_scope_and_order)
{
	struct go_types *gt;
	build("func f(db *sql.DB) {\n\tdb.Ping()\n\tdb := other()\n\tdb.Ping()\n}\nfunc g() {\n\tdb.Ping()\n}\n"
	      "func h() {\n\tx := x.Next()\n\ty := y\n\ty.Z()\n}\n");
	gt = go_types_new(&O);
	ck_assert_ptr_nonnull(gt);
	ck_assert_str_eq(go_types_recv(gt, find_call_n("db.Ping", 0)), "sql.DB");
	ck_assert_ptr_null(go_types_recv(gt, find_call_n("db.Ping", 1))); /* rebound, type unknown */
	ck_assert_ptr_null(go_types_recv(gt, find_call_n("db.Ping", 2))); /* another function */
	ck_assert_ptr_null(go_types_recv(gt, find_call_n("y.Z", 0)));
	ck_assert_ptr_null(go_types_recv(gt, -1));
	go_types_free(gt);
}
END_TEST

START_TEST(cases_shape)
{
	/* the shape of ../shared/cases/go code: a store with a transaction */
	int f;
	build("func (s *Store) Close(ctx context.Context, ids []int64) error {\n"
	      "\ttx, err := s.DB.BeginTx(ctx, nil)\n\tif err != nil {\n\t\treturn err\n\t}\n"
	      "\tfor _, id := range ids {\n\t\tif _, err := tx.ExecContext(ctx, `UPDATE permits SET status = 'closed'\n"
	      "\t\t\tWHERE id = $1`, id); err != nil {\n\t\t\treturn err\n\t\t}\n\t}\n\treturn tx.Commit()\n}\n");
	sane();
	f = find_block(PB_FOR, 0);
	ck_assert_int_eq(must_call("tx.ExecContext")->block, f);
	ck_assert_uint_eq(must_call("tx.ExecContext")->end_line, 8);
	ck_assert_int_eq(py_call_loop(&O, must_call("tx.ExecContext")), f);
	ck_assert_int_eq(py_call_loop(&O, must_call("tx.Commit")), -1);
	ck_assert(go_stmt_is_err_return(&O, stmt_starting("if", 7)));
	ck_assert_int_eq(O.stmts[stmt_starting("if", 7)].end_line, 8);
}
END_TEST

/* ---- malformed input */

static const char *const garbage[] = {
	"func", "func (", "func f(", "func f() {", "func f() { if", "func f() { if x {", "func f() { for",
	"func f() { switch {", "func f() {\n\tswitch {\n\tcase x", "func f() { select { case", "}}}}", ")))",
	"((((", "{{{{", "func f() { g(func() {", "func f() { x := func(", "if x { } else", "if x { } else if",
	"for ; ; ; {", "case x: default: case", "label:", "L: }", "go", "defer", "go func", "func() {}()",
	"x.(", "x.(T", "a[", "func (s *) M() {}", "func (s *S) () {}", "type T struct {", "type T interface {",
	"var (", "import (", "func f() { else {} }", "func f() { if x {} else y }", "func f[T any",
	"func f() (a, b", "func f() { return func() int { return 1 }()", "func f() {\n\tfor x := range", "`",
	"\"", "'", "/*", "func f() { a := []func(){f, g}; a[0]() }", "func f() { m := map[string]func(){} }",
	"func f() { for _, p := range []struct{ a int } {}", "func f() { if x == (T{} {} }", "package p; func",
	"func f() {\n\tx := T{\n\t\tA: func() { g() },\n\t}\n}\n", "func f() { switch { case func() bool { return true }(): } }",
};

START_TEST(garbage_does_not_crash)
{
	build(garbage[_i]);
	sane();
	teardown();
}
END_TEST

START_TEST(fuzz_crash_end_of_input_token)
{
	/* found by t/fuzz/fuzz_go.c: a case clause running into the end of
	 * input read the text of the empty NEWLINE token past the buffer */
	char *s = malloc(40);
	memcpy(s, "func f() {\n\tswitch {\n\tcase x", 28);
	build_n(s, 28);
	sane();
	ck_assert_int_eq(count_blocks(PB_CASE), 1);
	teardown();
	free(s);
}
END_TEST

START_TEST(deeply_nested_blocks)
{
	size_t n = 5000, i, o = 0;
	char *s = malloc(n * 30 + 64);
	o += (size_t)sprintf(s + o, "func f() {\n");
	for (i = 0; i < n; i++)
		o += (size_t)sprintf(s + o, "if x {\ng(func() {\n");
	for (i = 0; i < n; i++)
		o += (size_t)sprintf(s + o, "})\n}\n");
	o += (size_t)sprintf(s + o, "}\n");
	build_n(s, o);
	sane();
	ck_assert_int_gt(count_blocks(PB_IF), 50);
	teardown();
	free(s);
}
END_TEST

START_TEST(unbalanced_brackets)
{
	build("func f() {\n\tg(a, b\n\th()\n}\nfunc k() {\n\tm()\n}\n");
	sane();
	/* the missing ')' does not swallow the next function */
	ck_assert_int_ge(find_def("k"), 0);
	ck_assert_int_eq(must_call("m")->func, find_def("k"));
	teardown();
	build("func f() {\n\t}\n\t}\n\tg()\n}\nfunc k() {}\n");
	sane();
	ck_assert_int_ge(find_def("k"), 0);
}
END_TEST

START_TEST(large_file_is_linear)
{
	size_t n = 20000, i, o = 0;
	char *s = malloc(n * 160);
	for (i = 0; i < n; i++)
		o += (size_t)sprintf(s + o, "func (s *S) F%zu(ctx context.Context) error {\n\tfor rows.Next() {\n"
					    "\t\tif err := s.db.Exec(q); err != nil { return err }\n\t}\n\treturn nil\n}\n", i);
	build_n(s, o);
	ck_assert_int_eq(count_blocks(PB_DEF), (int)n);
	ck_assert_int_eq(count_blocks(PB_FOR), (int)n);
	ck_assert_uint_eq(O.blocks[find_block(PB_DEF, (unsigned)n - 1)].end_line, n * 6);
	teardown();
	free(s);
}
END_TEST

Suite *suite_go_outline(void)
{
	Suite *s = suite_create("go_outline");
	TCase *pos = tcase_create("structure");
	TCase *ty = tcase_create("types");
	TCase *neg = tcase_create("malformed");
	tcase_add_checked_fixture(pos, NULL, teardown);
	tcase_add_checked_fixture(ty, NULL, teardown);
	tcase_add_checked_fixture(neg, NULL, teardown);
	tcase_add_test(pos, functions_and_methods);
	tcase_add_test(pos, parameter_forms);
	tcase_add_test(pos, generics);
	tcase_add_test(pos, for_loops);
	tcase_add_test(pos, composite_literals_in_headers);
	tcase_add_test(pos, if_else_chains);
	tcase_add_test(pos, switch_select_type_switch);
	tcase_add_test(pos, labels_and_bare_blocks);
	tcase_add_test(pos, callee_chains);
	tcase_add_test(pos, composite_literals_are_not_calls);
	tcase_add_test(pos, interface_and_struct_types_hold_no_calls);
	tcase_add_test(pos, function_literal_in_transaction);
	tcase_add_test(pos, defer_and_go);
	tcase_add_test(pos, references);
	tcase_add_test(pos, strings_and_comments_hold_no_calls);
	tcase_add_test(pos, statements_of_a_file);
	tcase_add_test(pos, handlers);
	tcase_add_test(pos, err_returns);
	tcase_add_test(pos, string_bodies);
	tcase_add_test(pos, cases_shape);
	tcase_add_test(ty, types_of_receivers);
	tcase_add_test(ty, types_of_values_and_fields);
	tcase_add_test(ty, types_scope_and_order);
	tcase_add_loop_test(neg, garbage_does_not_crash, 0, (int)(sizeof(garbage) / sizeof(garbage[0])));
	tcase_add_test(neg, fuzz_crash_end_of_input_token);
	tcase_add_test(neg, deeply_nested_blocks);
	tcase_add_test(neg, unbalanced_brackets);
	tcase_add_test(neg, large_file_is_linear);
	suite_add_tcase(s, pos);
	suite_add_tcase(s, ty);
	suite_add_tcase(s, neg);
	return s;
}
