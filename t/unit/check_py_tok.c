/*
 * Unit tests of lib/py/tok.c: the Python tokenizer.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "py/tok.h"

static struct py_toks T;

static void lex(const char *s)
{
	ck_assert_int_eq(py_tokenize(&T, s, strlen(s)), 0);
}

static void lexn(const char *s, size_t n)
{
	ck_assert_int_eq(py_tokenize(&T, s, n), 0);
}

static size_t count(int kind)
{
	size_t i, n = 0;
	for (i = 0; i < T.n; i++)
		n += T.v[i].kind == kind;
	return n;
}

/* index of the first token of kind, or -1 */
static long first(int kind)
{
	size_t i;
	for (i = 0; i < T.n; i++)
		if (T.v[i].kind == kind)
			return (long)i;
	return -1;
}

static int text_is(size_t i, const char *s)
{
	return T.v[i].len == strlen(s) && !memcmp(T.src + T.v[i].off, s, T.v[i].len);
}

static void teardown(void)
{
	py_toks_free(&T);
}

START_TEST(simple_assignment)
{
	lex("x = 1\n");
	ck_assert_uint_eq(T.n, 5);
	ck_assert_int_eq(T.v[0].kind, PT_NAME);
	ck_assert_int_eq(T.v[1].kind, PT_OP);
	ck_assert_int_eq(T.v[2].kind, PT_NUMBER);
	ck_assert_int_eq(T.v[3].kind, PT_NEWLINE);
	ck_assert_int_eq(T.v[4].kind, PT_END);
	ck_assert_uint_eq(T.v[2].line, 1);
	ck_assert_uint_eq(T.v[2].col, 5);
	ck_assert_uint_eq(T.nerrors, 0);
}
END_TEST

static const struct {
	const char *src;
	const char *tok;  /* expected single string token text */
	int flags;
} string_cases[] = {
	{ "s = 'a'\n", "'a'", 0 },
	{ "s = \"a\\\"b\"\n", "\"a\\\"b\"", 0 },
	{ "s = rb'\\d'\n", "rb'\\d'", PTF_BYTES },
	{ "s = Rb\"x\"\n", "Rb\"x\"", PTF_BYTES },
	{ "s = BR'x'\n", "BR'x'", PTF_BYTES },
	{ "s = u'x'\n", "u'x'", 0 },
	{ "s = f\"{x}\"\n", "f\"{x}\"", PTF_FSTRING },
	{ "s = rf'{x}\\d'\n", "rf'{x}\\d'", PTF_FSTRING },
	{ "s = t\"{x}\"\n", "t\"{x}\"", PTF_FSTRING },
	{ "s = f\"{d[\"k\"]}\"\n", "f\"{d[\"k\"]}\"", PTF_FSTRING },            /* 3.12 reused quote */
	{ "s = f'{a!r:>{w}}'\n", "f'{a!r:>{w}}'", PTF_FSTRING },
	{ "s = f\"{'}'}\"\n", "f\"{'}'}\"", PTF_FSTRING },
	{ "s = f\"{{literal}}\"\n", "f\"{{literal}}\"", PTF_FSTRING },
	{ "s = f\"{f'{x}'}\"\n", "f\"{f'{x}'}\"", PTF_FSTRING },
	{ "s = f\"{x:{'>'}{10}}\"\n", "f\"{x:{'>'}{10}}\"", PTF_FSTRING },
	{ "s = '''a\n'b'\n'''\n", "'''a\n'b'\n'''", PTF_TRIPLE },
	{ "s = f\"\"\"{\n  x\n}\"\"\"\n", "f\"\"\"{\n  x\n}\"\"\"", PTF_FSTRING | PTF_TRIPLE },
	{ "s = 'time.sleep(1)'\n", "'time.sleep(1)'", 0 },
};

START_TEST(string_forms)
{
	long i;
	lex(string_cases[_i].src);
	ck_assert_uint_eq(count(PT_STRING), 1);
	i = first(PT_STRING);
	ck_assert_msg(text_is((size_t)i, string_cases[_i].tok), "case %d: got %.*s", _i, (int)T.v[i].len,
		      T.src + T.v[i].off);
	ck_assert_int_eq(T.v[i].flags & (PTF_FSTRING | PTF_BYTES | PTF_TRIPLE), string_cases[_i].flags);
	ck_assert_uint_eq(T.nerrors, 0);
	ck_assert_uint_eq(count(PT_NEWLINE), 1);
}
END_TEST

START_TEST(comments_are_separate)
{
	lex("x = 1  # time.sleep(1)\n# session.commit()\ny = 2\n");
	ck_assert_uint_eq(T.ncomments, 2);
	ck_assert_uint_eq(T.comments[1].line, 2);
	ck_assert_uint_eq(count(PT_NEWLINE), 2);
	ck_assert_uint_eq(count(PT_NAME), 2);
}
END_TEST

START_TEST(backslash_and_brackets_join_lines)
{
	lex("x = 1 + \\\n    2\ny = (1,\n  2,\n\n  3)\nz = [\n]\n");
	ck_assert_uint_eq(count(PT_NEWLINE), 3);
	ck_assert_uint_eq(count(PT_INDENT), 0);
	ck_assert_uint_eq(T.v[first(PT_NUMBER) + 2].line, 2);
}
END_TEST

START_TEST(indent_dedent)
{
	lex("def f():\n    if x:\n\treturn 1\n    return 2\n\nclass C:\n  pass\n");
	ck_assert_uint_eq(count(PT_INDENT), 3);
	ck_assert_uint_eq(count(PT_DEDENT), 3);
	ck_assert_uint_eq(T.nerrors, 0);
}
END_TEST

START_TEST(blank_and_comment_lines_do_not_indent)
{
	lex("if x:\n    a = 1\n\n        # deep comment\n    b = 2\n");
	ck_assert_uint_eq(count(PT_INDENT), 1);
	ck_assert_uint_eq(count(PT_DEDENT), 1);
}
END_TEST

START_TEST(crlf_and_cr_lines)
{
	lex("a = 1\r\nb = 2\rc = 3\r\n");
	ck_assert_uint_eq(count(PT_NEWLINE), 3);
	ck_assert_uint_eq(T.v[first(PT_NEWLINE) + 1].line, 2);
	ck_assert_uint_eq(T.v[T.n - 3].line, 3);
}
END_TEST

START_TEST(bom_is_skipped)
{
	lex("\xEF\xBB\xBFx = 1\n");
	ck_assert_int_eq(T.v[0].kind, PT_NAME);
	ck_assert_uint_eq(T.v[0].col, 1);
	ck_assert_uint_eq(T.nerrors, 0);
}
END_TEST

START_TEST(unicode_identifiers)
{
	lex("caf\xC3\xA9 = 1\n");
	ck_assert_int_eq(T.v[0].kind, PT_NAME);
	ck_assert_uint_eq(T.v[0].len, 5);
}
END_TEST

START_TEST(operators_longest_match)
{
	lex("a **= b // c -> d := e ... f != g\n");
	ck_assert(text_is(1, "**="));
	ck_assert(text_is(3, "//"));
	ck_assert(text_is(5, "->"));
	ck_assert(text_is(7, ":="));
	ck_assert(text_is(9, "..."));
	ck_assert(text_is(11, "!="));
}
END_TEST

START_TEST(numbers)
{
	lex("a = 1_000 + 0x_FF + 1e-5 + 3.14j + .5\n");
	ck_assert_uint_eq(count(PT_NUMBER), 5);
	ck_assert_uint_eq(count(PT_OP), 5);
}
END_TEST

START_TEST(unterminated_string_recovers)
{
	lex("s = 'abc\nx = 1\n");
	ck_assert_uint_ge(T.nerrors, 1);
	ck_assert_uint_eq(T.err_line, 1);
	ck_assert(T.v[first(PT_STRING)].flags & PTF_UNTERMINATED);
	ck_assert_uint_eq(count(PT_NUMBER), 1);
	ck_assert_uint_eq(count(PT_NEWLINE), 2);
}
END_TEST

START_TEST(unterminated_triple_string_to_eof)
{
	lex("s = '''abc\nx = 1\n");
	ck_assert_uint_ge(T.nerrors, 1);
	ck_assert_uint_eq(count(PT_NUMBER), 0);
	ck_assert_int_eq(T.v[T.n - 1].kind, PT_END);
}
END_TEST

START_TEST(unterminated_fstring_field)
{
	lex("s = f\"{x\ny = 2\n");
	ck_assert_uint_ge(T.nerrors, 1);
	ck_assert_uint_eq(count(PT_NUMBER), 1);
}
END_TEST

START_TEST(bad_dedent_recovers)
{
	lex("if x:\n        a = 1\n    b = 2\nc = 3\n");
	ck_assert_uint_ge(T.nerrors, 1);
	ck_assert_int_eq(T.v[T.n - 1].kind, PT_END);
	ck_assert_uint_eq(count(PT_INDENT), count(PT_DEDENT));
}
END_TEST

START_TEST(nul_bytes_and_stray_chars)
{
	static const char src[] = "a = 1\0\nb = $ 2\n`c`\n";
	lexn(src, sizeof(src) - 1);
	ck_assert_uint_ge(T.nerrors, 1);
	ck_assert_int_eq(T.v[T.n - 1].kind, PT_END);
}
END_TEST

START_TEST(long_line)
{
	size_t n = 10000, i;
	char *s = malloc(n + 16);
	memcpy(s, "x = [", 5);
	for (i = 5; i < n; i += 2)
		memcpy(s + i, "1,", 2);
	memcpy(s + n, "]\n", 3);
	lex(s);
	ck_assert_uint_eq(count(PT_NEWLINE), 1);
	ck_assert_uint_eq(T.nerrors, 0);
	py_toks_free(&T);
	free(s);
}
END_TEST

START_TEST(deep_nesting)
{
	size_t d = 5000, i;
	char *s = malloc(2 * d + 16);
	memcpy(s, "x = ", 4);
	for (i = 0; i < d; i++)
		s[4 + i] = '(';
	for (i = 0; i < d; i++)
		s[4 + d + i] = ')';
	memcpy(s + 4 + 2 * d, "\n", 2);
	lex(s);
	ck_assert_uint_eq(count(PT_NEWLINE), 1);
	ck_assert_uint_eq(T.v[T.n - 3].depth, 0);
	py_toks_free(&T);
	free(s);
}
END_TEST

START_TEST(unclosed_bracket_at_eof)
{
	lex("x = foo(1,\n");
	ck_assert_int_eq(T.v[T.n - 1].kind, PT_END);
	ck_assert_uint_eq(count(PT_NEWLINE), 1);
}
END_TEST

START_TEST(modern_syntax)
{
	lex("type Vec[T] = list[T]\n"
	    "def f[T: int](x: T) -> T:\n    return x\n"
	    "if (n := len(a)) > 10:\n    pass\n"
	    "try:\n    pass\nexcept* ValueError:\n    pass\n"
	    "match p:\n    case [x, *rest]:\n        pass\n");
	ck_assert_uint_eq(T.nerrors, 0);
	ck_assert_uint_eq(count(PT_INDENT), count(PT_DEDENT));
}
END_TEST

START_TEST(empty_input)
{
	lex("");
	ck_assert_uint_eq(T.n, 1);
	ck_assert_int_eq(T.v[0].kind, PT_END);
}
END_TEST

Suite *suite_py_tok(void)
{
	Suite *s = suite_create("py_tok");
	TCase *pos = tcase_create("tokens");
	TCase *neg = tcase_create("malformed");
	tcase_add_checked_fixture(pos, NULL, teardown);
	tcase_add_checked_fixture(neg, NULL, teardown);
	tcase_add_test(pos, simple_assignment);
	tcase_add_loop_test(pos, string_forms, 0, (int)(sizeof(string_cases) / sizeof(string_cases[0])));
	tcase_add_test(pos, comments_are_separate);
	tcase_add_test(pos, backslash_and_brackets_join_lines);
	tcase_add_test(pos, indent_dedent);
	tcase_add_test(pos, blank_and_comment_lines_do_not_indent);
	tcase_add_test(pos, crlf_and_cr_lines);
	tcase_add_test(pos, bom_is_skipped);
	tcase_add_test(pos, unicode_identifiers);
	tcase_add_test(pos, operators_longest_match);
	tcase_add_test(pos, numbers);
	tcase_add_test(pos, modern_syntax);
	tcase_add_test(pos, empty_input);
	tcase_add_test(neg, unterminated_string_recovers);
	tcase_add_test(neg, unterminated_triple_string_to_eof);
	tcase_add_test(neg, unterminated_fstring_field);
	tcase_add_test(neg, bad_dedent_recovers);
	tcase_add_test(neg, nul_bytes_and_stray_chars);
	tcase_add_test(neg, long_line);
	tcase_add_test(neg, deep_nesting);
	tcase_add_test(neg, unclosed_bracket_at_eof);
	suite_add_tcase(s, pos);
	suite_add_tcase(s, neg);
	return s;
}
