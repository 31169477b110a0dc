/*
 * Unit tests of lib/js/tok.c and lib/js/jsx.c: the TypeScript/JavaScript
 * tokenizer (regex or division, templates, JSX, automatic semicolons,
 * depths, recovery from malformed input).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "js/js.h"

static struct py_toks T;

static void lex(const char *s)
{
	ck_assert_int_eq(js_tokenize(&T, s, strlen(s), 0), 0);
}

static void lex_jsx(const char *s)
{
	ck_assert_int_eq(js_tokenize(&T, s, strlen(s), 1), 0);
}

static void teardown(void)
{
	py_toks_free(&T);
}

static int text_is(size_t i, const char *s)
{
	return T.v[i].len == strlen(s) && !memcmp(T.src + T.v[i].off, s, T.v[i].len);
}

/* Index of the first token spelled s (any kind), or -1. */
static long tok(const char *s)
{
	size_t i;
	for (i = 0; i < T.n; i++)
		if (text_is(i, s))
			return (long)i;
	return -1;
}

static long must_tok(const char *s)
{
	long i = tok(s);
	ck_assert_msg(i >= 0, "no token %s", s);
	return i;
}

static size_t count(int kind, int flags)
{
	size_t i, n = 0;
	for (i = 0; i < T.n; i++)
		n += T.v[i].kind == kind && (T.v[i].flags & flags) == flags;
	return n;
}

/* Number of NEWLINE tokens before the END token. */
static size_t newlines(void)
{
	return count(PT_NEWLINE, 0);
}

START_TEST(names_numbers_operators)
{
	lex("let n = 1_000n + 0xFFn + .5e-3 + 1e10; a?.b ?? c; x ?\?= y; a?.5:1; f(...xs) => 0\n");
	ck_assert_int_eq(T.v[must_tok("1_000n")].kind, PT_NUMBER);
	ck_assert_int_eq(T.v[must_tok("0xFFn")].kind, PT_NUMBER);
	ck_assert_int_eq(T.v[must_tok(".5e-3")].kind, PT_NUMBER);
	ck_assert_int_eq(T.v[must_tok("1e10")].kind, PT_NUMBER);
	ck_assert_int_eq(T.v[must_tok("?.")].kind, PT_OP);
	ck_assert_int_ge(tok("??"), 0);
	ck_assert_int_ge(tok("?\?="), 0);
	/* a?.5:1 is a conditional with .5 */
	ck_assert_int_ge(tok(".5"), 0);
	ck_assert_int_ge(tok("..."), 0);
	ck_assert_int_ge(tok("=>"), 0);
	ck_assert_uint_eq(T.nerrors, 0);
}
END_TEST

START_TEST(greater_than_is_one_char)
{
	long i;
	lex("const m: Array<Map<string, number>> = new Map(); x >>= 2; y = a >>> b >= c\n");
	i = must_tok("number");
	ck_assert(text_is((size_t)i + 1, ">") && text_is((size_t)i + 2, ">") && text_is((size_t)i + 3, "="));
	ck_assert_int_ge(tok(">="), 0);
	ck_assert_int_lt(tok(">>"), 0);
	ck_assert_int_lt(tok(">>>"), 0);
}
END_TEST

START_TEST(keywords)
{
	lex("if (x) this.delete(); p.catch(e); async.eachSeries(a); await x; const t = true; super.f()\n");
	ck_assert(T.v[must_tok("if")].flags & PTF_KEYWORD);
	ck_assert(!(T.v[must_tok("this")].flags & PTF_KEYWORD));
	ck_assert(!(T.v[must_tok("super")].flags & PTF_KEYWORD));
	ck_assert(!(T.v[must_tok("delete")].flags & PTF_KEYWORD));
	ck_assert(!(T.v[must_tok("catch")].flags & PTF_KEYWORD));
	ck_assert(!(T.v[must_tok("async")].flags & PTF_KEYWORD));
	ck_assert(T.v[must_tok("await")].flags & PTF_KEYWORD);
	ck_assert(T.v[must_tok("true")].flags & PTF_KEYWORD);
}
END_TEST

START_TEST(private_names_and_decorators)
{
	lex("class A { #cache = new Map(); @Get(':id') find() { return this.#cache } }\n");
	ck_assert_int_eq(T.v[must_tok("#cache")].kind, PT_NAME);
	ck_assert_int_eq(T.v[must_tok("@")].kind, PT_OP);
	ck_assert_uint_eq(T.nerrors, 0);
}
END_TEST

/* Regex or division: the expected number of regex tokens per input. */
static const struct {
	const char *src;
	size_t regexes;
} slash_cases[] = {
	{ "a = b / c / d\n", 0 },
	{ "x = /ab+c/gi.test(s)\n", 1 },
	{ "return /x/.test(s)\n", 1 },
	{ "r = (a) / 2\n", 0 },
	{ "r = a[0] / 2 / 3\n", 0 },
	{ "if (/x/.test(s)) f()\n", 1 },
	{ "f(/re/, 1)\n", 1 },
	{ "x = [/a/, /b/]\n", 2 },
	{ "x = y ? /a/ : /b/\n", 2 },
	{ "x = !/a/.test(y) && /b/.test(z) || /c/.test(w)\n", 3 },
	{ "x = /[/]\\//\n", 1 },
	{ "x = a++ / 2\n", 0 },
	{ "x = 1 / 2\n", 0 },
	{ "x = 'a' / 2\n", 0 },
	{ "{ } /re/.test(x)\n", 1 },
	{ "typeof /x/\n", 1 },
	{ "case /x/: break\n", 1 },
	{ "x = y\n/re/.test(z)\n", 0 },      /* JS reads a division here too */
	{ "x = a / b; y = c /d\n", 0 },
	{ "x = t => /a/.test(t)\n", 1 },
	{ "x = y /* c */ / 2\n", 0 },
	{ "x = a ?? /b/\n", 1 },
	{ "x = a /= 2\n", 0 },
	{ "x = this.y / 2\n", 0 },
	{ "x = `a` / 2\n", 0 },
	{ "s = str.replace(/\\s+/g, ' ').split(/,/)\n", 2 },
};

START_TEST(regex_or_division)
{
	lex(slash_cases[_i].src);
	ck_assert_msg(count(PT_STRING, PTF_REGEX) == slash_cases[_i].regexes, "%s: %zu regexes", slash_cases[_i].src,
		      count(PT_STRING, PTF_REGEX));
	ck_assert_uint_eq(T.nerrors, 0);
}
END_TEST

START_TEST(regex_not_ending_on_its_line_is_a_division)
{
	lex("x = (a) ? b / c : d\ny = 1 + /z\n");
	ck_assert_uint_eq(count(PT_STRING, PTF_REGEX), 0);
}
END_TEST

START_TEST(template_literals)
{
	long i;
	lex("const t = `x ${ a ? `in ${b}` : '}' } y ${ {a:1}.a } ${/}/.source} ${'`'} ${ /* } */ 1 }`;\nnext()\n");
	i = must_tok("const") + 3;
	ck_assert_int_eq(T.v[i].kind, PT_STRING);
	ck_assert(T.v[i].flags & PTF_TEMPLATE);
	ck_assert(!(T.v[i].flags & PTF_UNTERMINATED));
	ck_assert(text_is((size_t)i + 1, ";"));
	ck_assert_int_ge(tok("next"), 0);
	ck_assert_uint_eq(T.nerrors, 0);
}
END_TEST

START_TEST(template_spans_lines)
{
	long i;
	lex("q = sql`\n  SELECT *\n  FROM t WHERE id = ${id}\n`\nf()\n");
	i = must_tok("sql") + 1;
	ck_assert(T.v[i].flags & PTF_TEMPLATE);
	ck_assert_uint_eq(T.v[i].line, 1);
	ck_assert_uint_eq(T.v[i].end_line, 4);
	ck_assert_uint_eq(T.v[must_tok("f")].line, 5);
}
END_TEST

START_TEST(strings)
{
	lex("a = 'it\\'s'; b = \"q\\\"\"; c = 'line\\\ncont'; d = '//not a comment'\n");
	ck_assert_uint_eq(count(PT_STRING, 0), 4);
	ck_assert_uint_eq(T.ncomments, 0);
	ck_assert_uint_eq(T.nerrors, 0);
}
END_TEST

START_TEST(comments_are_separate)
{
	lex("#!/usr/bin/env node\n// one\nx = 1 /* two\nlines */ + 2 // three\n");
	ck_assert_uint_eq(T.ncomments, 4);
	ck_assert_uint_eq(T.comments[0].line, 1);
	ck_assert_uint_eq(T.comments[2].end_line, 4);
	ck_assert_int_eq(T.v[0].kind, PT_NAME);
	ck_assert_uint_eq(T.v[0].line, 3);
}
END_TEST

/* Automatic semicolon insertion: NEWLINE tokens expected per input. */
static const struct {
	const char *src;
	size_t nl;
} asi_cases[] = {
	{ "a\nb\n", 2 },
	{ "a\n.b()\n", 1 },
	{ "a;b;\n", 2 },
	{ "for (let i = 0; i < n; i++) x()\n", 1 },
	{ "return\nx\n", 2 },
	{ "x\n++y\n", 2 },
	{ "a +\nb\n", 1 },
	{ "if (a) {\n}\nelse {\n}\n", 1 },
	{ "f(\n a,\n b\n)\n", 1 },
	{ "const o = {\n b: 1,\n c: 2\n}\n", 1 },
	{ "class A {\n a = 1\n b: string\n f() {}\n}\n", 3 }, /* none before a '}' */
	{ "const a = x as const\nfoo()\n", 2 },
	{ "f(\n  () => {\n    a()\n    b()\n  }\n)\n", 2 },
	{ "this.default = d\nif (x) y()\n", 2 },
	{ "x = cond\n  ? a\n  : b\n", 1 },
	{ "p.then(a)\n .catch(b)\n", 1 },
	{ "abstract f(): void\ng(): void\n", 2 },
	{ "if (x)\n{\n y()\n}\n", 1 },
};

START_TEST(automatic_semicolons)
{
	lex(asi_cases[_i].src);
	ck_assert_msg(newlines() == asi_cases[_i].nl, "%s: %zu newlines", asi_cases[_i].src, newlines());
}
END_TEST

START_TEST(depths)
{
	lex("f(a[b{c}]) ; x\n");
	ck_assert_uint_eq(T.v[must_tok("f")].depth, 0);
	ck_assert_uint_eq(T.v[must_tok("(")].depth, 0);
	ck_assert_uint_eq(T.v[must_tok("a")].depth, 1);
	ck_assert_uint_eq(T.v[must_tok("b")].depth, 2);
	ck_assert_uint_eq(T.v[must_tok("c")].depth, 3);
	ck_assert_uint_eq(T.v[must_tok("}")].depth, 2);
	ck_assert_uint_eq(T.v[must_tok(")")].depth, 0);
	ck_assert_uint_eq(T.v[must_tok("x")].depth, 0);
}
END_TEST

START_TEST(mismatched_brackets_recover)
{
	/* the ')' closes the '(' though a '[' is left open in between */
	lex("f(a[1) ; x\n");
	ck_assert_uint_eq(T.v[must_tok(")")].depth, 0);
	ck_assert_uint_eq(T.v[must_tok("x")].depth, 0);
	teardown();
	lex("] ) } x\n");
	ck_assert_uint_eq(T.v[must_tok("x")].depth, 0);
}
END_TEST

START_TEST(jsx_markup)
{
	long i;
	lex_jsx("const v = (\n  <ul className=\"x\" data-a='y'>\n    {items.map((i) => <li key={i.id} onClick={() => { pick(i) }}>"
		"{i.name} don't // here</li>)}\n    <>frag {a && <B c={1} />}</>\n  </ul>\n);\nafter()\n");
	ck_assert_uint_eq(T.nerrors, 0);
	ck_assert_uint_ge(count(PT_STRING, PTF_JSX), 5);
	ck_assert_uint_eq(count(PT_STRING, 0) - count(PT_STRING, PTF_JSX), 0); /* no quote strings */
	ck_assert_int_ge(tok("items"), 0);
	ck_assert_int_ge(tok("pick"), 0);
	i = must_tok("after");
	ck_assert_uint_eq(T.v[i].depth, 0);
	ck_assert_uint_eq(T.v[i].line, 7);
	ck_assert_uint_eq(T.ncomments, 0);
}
END_TEST

START_TEST(jsx_tags_with_type_arguments_and_comments)
{
	lex_jsx("x = <Select<Option | null>\n  // a note: don't\n  value={v} /* > */\n/>\ny()\n");
	ck_assert_uint_eq(T.nerrors, 0);
	ck_assert_uint_eq(T.v[must_tok("y")].line, 5);
	ck_assert_uint_eq(T.v[must_tok("y")].depth, 0);
}
END_TEST

START_TEST(jsx_generic_arrow_is_no_markup)
{
	lex_jsx("const g = <T,>(x: T) => x;\nconst h = <T extends U>(x: T) => x;\nif (a < b) c()\n");
	ck_assert_uint_eq(count(PT_STRING, PTF_JSX), 0);
	ck_assert_uint_eq(T.nerrors, 0);
	ck_assert_int_ge(tok("c"), 0);
}
END_TEST

START_TEST(no_jsx_in_ts)
{
	/* a type assertion, not markup */
	lex("const v = <any>x; y()\n");
	ck_assert_uint_eq(count(PT_STRING, PTF_JSX), 0);
	ck_assert_int_ge(tok("any"), 0);
}
END_TEST

START_TEST(jsx_path)
{
	ck_assert(js_path_jsx("src/App.tsx"));
	ck_assert(js_path_jsx("a/b.jsx"));
	ck_assert(js_path_jsx("a/b.js"));
	ck_assert(js_path_jsx("a/b.mjs"));
	ck_assert(!js_path_jsx("a/b.ts"));
	ck_assert(!js_path_jsx("a/b.mts"));
	ck_assert(!js_path_jsx("Makefile"));
}
END_TEST

START_TEST(lines_and_columns)
{
	lex("\xEF\xBB\xBF" "a = 1\r\n\tb = 2\r\nc = `x\r\ny`\r\nd\n");
	ck_assert_uint_eq(T.v[must_tok("a")].col, 1);
	ck_assert_uint_eq(T.v[must_tok("b")].line, 2);
	ck_assert_uint_eq(T.v[must_tok("b")].col, 2);
	ck_assert_uint_eq(T.v[must_tok("d")].line, 5);
	ck_assert_uint_eq(T.nerrors, 0);
}
END_TEST

START_TEST(empty_input)
{
	lex("");
	ck_assert_uint_eq(T.n, 1);
	ck_assert_int_eq(T.v[0].kind, PT_END);
}
END_TEST

/* -- malformed input -- */

START_TEST(unterminated_string_recovers)
{
	lex("a = 'open\nb = 2\n");
	ck_assert_uint_eq(T.nerrors, 1);
	ck_assert_uint_eq(T.err_line, 1);
	ck_assert(T.v[must_tok("a") + 2].flags & PTF_UNTERMINATED);
	ck_assert_uint_eq(T.v[must_tok("b")].line, 2);
}
END_TEST

START_TEST(unterminated_template_and_comment)
{
	lex("a = `open ${ b\n");
	ck_assert_uint_ge(T.nerrors, 1);
	ck_assert(T.v[must_tok("a") + 2].flags & PTF_UNTERMINATED);
	teardown();
	lex("x /* never closed\n y\n");
	ck_assert_uint_eq(T.nerrors, 1);
	ck_assert_int_lt(tok("y"), 0);
}
END_TEST

START_TEST(unterminated_jsx)
{
	lex_jsx("x = <div>{a}\n<p>open\n");
	ck_assert_uint_ge(T.nerrors, 1);
	ck_assert_int_eq(T.v[T.n - 1].kind, PT_END);
}
END_TEST

START_TEST(stray_characters_and_nul)
{
	static const char s[] = "a \\ b # c \x01 d\0e\n";
	ck_assert_int_eq(js_tokenize(&T, s, sizeof(s) - 1, 0), 0);
	ck_assert_uint_eq(count(PT_ERROR, 0), 3);
	ck_assert_int_ge(tok("e"), 0);
}
END_TEST

START_TEST(deep_templates)
{
	/* nesting beyond the limit ends the template as unterminated */
	size_t n = 200, i, o = 0;
	char *s = malloc(n * 5 + 16);
	for (i = 0; i < n; i++) {
		memcpy(s + o, "`${", 3);
		o += 3;
	}
	for (i = 0; i < n; i++) {
		memcpy(s + o, "}`", 2);
		o += 2;
	}
	s[o] = '\0';
	lex(s);
	ck_assert_int_eq(T.v[T.n - 1].kind, PT_END);
	free(s);
}
END_TEST

START_TEST(deep_brackets)
{
	size_t n = 100000, i;
	char *s = malloc(2 * n + 2);
	for (i = 0; i < n; i++) {
		s[i] = '(';
		s[n + i] = ')';
	}
	s[2 * n] = '\n';
	s[2 * n + 1] = '\0';
	lex(s);
	ck_assert_uint_eq(T.v[n - 1].depth, 65535); /* saturated */
	ck_assert_uint_eq(T.v[2 * n - 1].depth, 0);
	free(s);
}
END_TEST

START_TEST(fuzz_crasher_template_after_bracket)
{
	/* found by make fuzz: a tagged template after "[]>" at token 0 */
	static const char s[] = "[]>`(', '')} FROM ${table\x96 WHERG x = ${ {a:)} FROM";
	ck_assert_int_eq(js_tokenize(&T, s, sizeof(s) - 1, 0), 0);
	ck_assert_int_eq(T.v[T.n - 1].kind, PT_END);
}
END_TEST

Suite *suite_js_tok(void)
{
	Suite *s = suite_create("js_tok");
	TCase *pos = tcase_create("tokens");
	TCase *neg = tcase_create("malformed");
	tcase_add_checked_fixture(pos, NULL, teardown);
	tcase_add_checked_fixture(neg, NULL, teardown);
	tcase_add_test(pos, names_numbers_operators);
	tcase_add_test(pos, greater_than_is_one_char);
	tcase_add_test(pos, keywords);
	tcase_add_test(pos, private_names_and_decorators);
	tcase_add_loop_test(pos, regex_or_division, 0, (int)(sizeof(slash_cases) / sizeof(slash_cases[0])));
	tcase_add_test(pos, regex_not_ending_on_its_line_is_a_division);
	tcase_add_test(pos, template_literals);
	tcase_add_test(pos, template_spans_lines);
	tcase_add_test(pos, strings);
	tcase_add_test(pos, comments_are_separate);
	tcase_add_loop_test(pos, automatic_semicolons, 0, (int)(sizeof(asi_cases) / sizeof(asi_cases[0])));
	tcase_add_test(pos, depths);
	tcase_add_test(pos, jsx_markup);
	tcase_add_test(pos, jsx_tags_with_type_arguments_and_comments);
	tcase_add_test(pos, jsx_generic_arrow_is_no_markup);
	tcase_add_test(pos, no_jsx_in_ts);
	tcase_add_test(pos, jsx_path);
	tcase_add_test(pos, lines_and_columns);
	tcase_add_test(pos, empty_input);
	tcase_add_test(neg, mismatched_brackets_recover);
	tcase_add_test(neg, unterminated_string_recovers);
	tcase_add_test(neg, unterminated_template_and_comment);
	tcase_add_test(neg, unterminated_jsx);
	tcase_add_test(neg, stray_characters_and_nul);
	tcase_add_test(neg, deep_templates);
	tcase_add_test(neg, deep_brackets);
	tcase_add_test(neg, fuzz_crasher_template_after_bracket);
	suite_add_tcase(s, pos);
	suite_add_tcase(s, neg);
	return s;
}
