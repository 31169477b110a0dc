/*
 * Unit tests of lib/go/tok.c: the Go tokenizer.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "go/go.h"

static struct py_toks T;

static void lex(const char *s)
{
	ck_assert_int_eq(go_tokenize(&T, s, strlen(s)), 0);
}

static void lexn(const char *s, size_t n)
{
	ck_assert_int_eq(go_tokenize(&T, s, n), 0);
}

static size_t count(int kind)
{
	size_t i, n = 0;
	for (i = 0; i < T.n; i++)
		n += T.v[i].kind == kind;
	return n;
}

static int text_is(size_t i, const char *s)
{
	return i < T.n && T.v[i].len == strlen(s) && !memcmp(T.src + T.v[i].off, s, T.v[i].len);
}

/* The token kinds as a string: N name, K keyword, 1 number, S string,
 * O operator, ; NEWLINE, E error, $ end. */
static const char *shape(void)
{
	static char buf[512];
	size_t i, o = 0;
	for (i = 0; i < T.n && o + 1 < sizeof(buf); i++) {
		const struct py_tok *k = &T.v[i];
		buf[o++] = k->kind == PT_NAME ? ((k->flags & PTF_KEYWORD) ? 'K' : 'N')
			 : k->kind == PT_NUMBER ? '1'
			 : k->kind == PT_STRING ? 'S'
			 : k->kind == PT_OP ? 'O'
			 : k->kind == PT_NEWLINE ? ';'
			 : k->kind == PT_END ? '$'
			 : 'E';
	}
	buf[o] = '\0';
	return buf;
}

static void teardown(void)
{
	py_toks_free(&T);
}

START_TEST(short_var_decl)
{
	lex("x := 1\n");
	ck_assert_str_eq(shape(), "NO1;$");
	ck_assert(text_is(1, ":="));
	ck_assert_uint_eq(T.v[2].line, 1);
	ck_assert_uint_eq(T.v[2].col, 6);
	ck_assert_uint_eq(T.v[3].len, 0);
	ck_assert_uint_eq(T.nerrors, 0);
}
END_TEST

/* the semicolon goes after an identifier, a literal, break, continue,
 * fallthrough, return, ++, --, ), ] and }, and nowhere else */
static const struct {
	const char *src;
	const char *shape;
} semi_cases[] = {
	{ "f()\n", "NOO;$" },
	{ "a[i]\n", "NONO;$" },
	{ "}\n", "O;$" },
	{ "i++\n", "NO;$" },
	{ "i--\n", "NO;$" },
	{ "return\n", "K;$" },
	{ "break\n", "K;$" },
	{ "continue\n", "K;$" },
	{ "fallthrough\n", "K;$" },
	{ "'x'\n", "S;$" },
	{ "`raw`\n", "S;$" },
	{ "1.5\n", "1;$" },
	{ "a +\nb\n", "NON;$" },      /* an operator continues the line */
	{ "x.\nY()\n", "NONOO;$" },   /* a trailing dot continues the chain */
	{ "f(a,\nb)\n", "NONONO;$" },
	{ "if x {\n", "KNO$" },       /* no semicolon after '{' */
	{ "go f\n", "KN;$" },
	{ "defer\n", "K$" },          /* other keywords do not end a line */
	{ "x\n\n\ny\n", "N;N;$" },    /* blank lines add nothing */
	{ "x", "N;$" },               /* end of input ends the line */
	{ "a; b\n", "N;N;$" },        /* explicit ';' */
	{ "x // c\ny\n", "N;N;$" },
	{ "x /* c */ y\n", "NN;$" },  /* a one-line general comment is a space */
	{ "x /* c\n */ y\n", "N;N;$" }, /* one spanning lines is a line end */
};

START_TEST(semicolon_insertion)
{
	lex(semi_cases[_i].src);
	ck_assert_msg(!strcmp(shape(), semi_cases[_i].shape), "case %d: %s -> %s, want %s", _i,
		      semi_cases[_i].src, shape(), semi_cases[_i].shape);
	teardown();
}
END_TEST

START_TEST(explicit_semicolon_is_one_byte)
{
	lex("for i := 0; i < n; i++ {\n}\n");
	ck_assert_str_eq(shape(), "KNO1;NON;NOOO;$");
	ck_assert(text_is(4, ";"));
	ck_assert_uint_eq(T.v[4].len, 1);
	ck_assert_uint_eq(T.v[14].len, 0);
}
END_TEST

static const struct {
	const char *src;
	const char *tok;
} string_cases[] = {
	{ "s := \"a\\\"b\"\n", "\"a\\\"b\"" },
	{ "s := \"\\\\\"\n", "\"\\\\\"" },
	{ "s := `a\\`\n", "`a\\`" },          /* no escapes in a raw string */
	{ "s := `a\"b'c`\n", "`a\"b'c`" },
	{ "r := 'x'\n", "'x'" },
	{ "r := '\\''\n", "'\\''" },
	{ "r := '\"'\n", "'\"'" },
	{ "r := '\\n'\n", "'\\n'" },
	{ "r := '\\u00e9'\n", "'\\u00e9'" },
	{ "r := '\\x41'\n", "'\\x41'" },
	{ "r := '\\377'\n", "'\\377'" },
	{ "r := '\xc3\xa9'\n", "'\xc3\xa9'" },
	{ "s := \"// not a comment\"\n", "\"// not a comment\"" },
	{ "s := `/* nor this */`\n", "`/* nor this */`" },
};

START_TEST(strings_and_runes)
{
	lex(string_cases[_i].src);
	ck_assert_str_eq(shape(), "NOS;$");
	ck_assert_msg(text_is(2, string_cases[_i].tok), "case %d", _i);
	ck_assert_uint_eq(T.nerrors, 0);
	ck_assert_uint_eq(T.ncomments, 0);
	teardown();
}
END_TEST

START_TEST(raw_string_spans_lines)
{
	lex("q := `SELECT *\n  FROM t\n  WHERE id = $1`\nx\n");
	ck_assert_str_eq(shape(), "NOS;N;$");
	ck_assert_uint_eq(T.v[2].line, 1);
	ck_assert_uint_eq(T.v[2].end_line, 3);
	ck_assert_uint_eq(T.v[4].line, 4);
	ck_assert_uint_eq(T.v[4].col, 1);
	ck_assert_uint_eq(T.v[3].line, 3); /* the semicolon after the string */
}
END_TEST

START_TEST(struct_tags)
{
	lex("type U struct {\n\tID int `gorm:\"primaryKey\" json:\"id\"`\n\tName string `json:\"name,omitempty\"`\n}\n");
	ck_assert_uint_eq(count(PT_STRING), 2);
	ck_assert_uint_eq(T.nerrors, 0);
	ck_assert_uint_eq(T.v[T.n - 3].depth, 0); /* '}' */
	ck_assert(text_is(T.n - 3, "}"));
}
END_TEST

static const struct {
	const char *src;
	const char *tok;
} number_cases[] = {
	{ "x = 42\n", "42" },         { "x = 1_000_000\n", "1_000_000" },
	{ "x = 0x1F\n", "0x1F" },     { "x = 0XdeadBEEF\n", "0XdeadBEEF" },
	{ "x = 0o755\n", "0o755" },   { "x = 0O17\n", "0O17" },
	{ "x = 0b1010\n", "0b1010" }, { "x = 0755\n", "0755" },
	{ "x = 1.5\n", "1.5" },       { "x = .5\n", ".5" },
	{ "x = 1.\n", "1." },         { "x = 1e9\n", "1e9" },
	{ "x = 6.02e+23\n", "6.02e+23" }, { "x = 1E-3\n", "1E-3" },
	{ "x = 0x1p-2\n", "0x1p-2" }, { "x = 0x1.8P+3\n", "0x1.8P+3" },
	{ "x = 1i\n", "1i" },         { "x = 2.5i\n", "2.5i" },
	{ "x = 0x_1f\n", "0x_1f" },   { "x = 1e3i\n", "1e3i" },
};

START_TEST(numbers)
{
	lex(number_cases[_i].src);
	ck_assert_msg(!strcmp(shape(), "NO1;$"), "case %d: %s", _i, shape());
	ck_assert_msg(text_is(2, number_cases[_i].tok), "case %d", _i);
	teardown();
}
END_TEST

START_TEST(hex_exponent_is_not_decimal)
{
	/* 0xe+1 is 0xe plus 1: only p takes a sign in a hex literal */
	lex("x = 0xe+1\n");
	ck_assert_str_eq(shape(), "NO1O1;$");
	ck_assert(text_is(2, "0xe"));
}
END_TEST

static const char *const operators[] = {
	":=", "<-", "...", "&^", "&^=", "<<=", ">>=", "&&", "||", "++", "--", "==", "!=", "<=", ">=",
	"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<", ">>", "~", "!", "&", "|", "^",
};

START_TEST(operators_are_whole)
{
	char src[32];
	snprintf(src, sizeof(src), "a %s b\n", operators[_i]);
	lex(src);
	ck_assert_msg(!strcmp(shape(), "NON;$"), "%s: %s", operators[_i], shape());
	ck_assert(text_is(1, operators[_i]));
	teardown();
}
END_TEST

START_TEST(channel_ops_and_variadic)
{
	lex("v := <-ch\nch <- v\nf(xs...)\n");
	ck_assert_str_eq(shape(), "NOON;NON;NONOO;$");
	ck_assert(text_is(2, "<-"));
	ck_assert(text_is(12, "..."));
}
END_TEST

START_TEST(keywords_and_predeclared)
{
	lex("func f() { go g(); defer h(); return nil }\n");
	ck_assert(T.v[0].flags & PTF_KEYWORD);   /* func */
	ck_assert(!(T.v[1].flags & PTF_KEYWORD)); /* f */
	ck_assert(T.v[5].flags & PTF_KEYWORD);   /* go */
	ck_assert(T.v[10].flags & PTF_KEYWORD);  /* defer */
	ck_assert(T.v[15].flags & PTF_KEYWORD);  /* return */
	ck_assert(text_is(16, "nil"));
	ck_assert(!(T.v[16].flags & PTF_KEYWORD));
}
END_TEST

START_TEST(depth_counts_all_brackets)
{
	lex("f(a[b{c}])\n");
	ck_assert_uint_eq(T.v[0].depth, 0); /* f */
	ck_assert_uint_eq(T.v[2].depth, 1); /* a */
	ck_assert_uint_eq(T.v[4].depth, 2); /* b */
	ck_assert_uint_eq(T.v[6].depth, 3); /* c */
	ck_assert_uint_eq(T.v[7].depth, 2); /* } */
	ck_assert_uint_eq(T.v[9].depth, 0); /* ) */
}
END_TEST

START_TEST(newline_inside_literal_body)
{
	/* statements of a function literal passed to a call end with
	 * NEWLINEs inside the parentheses */
	lex("db.Transaction(func(tx *gorm.DB) error {\n\ttx.Create(&x)\n\treturn nil\n})\n");
	ck_assert_uint_eq(count(PT_NEWLINE), 3);
	ck_assert_uint_eq(T.v[T.n - 2].kind, PT_NEWLINE);
}
END_TEST

START_TEST(comments_apart)
{
	lex("// Package p.\npackage p /* x */\n/* a\n b */\nvar x = 1 // one\n");
	ck_assert_uint_eq(T.ncomments, 4);
	ck_assert_uint_eq(T.comments[2].line, 3);
	ck_assert_uint_eq(T.comments[2].end_line, 4);
	ck_assert_uint_eq(T.comments[3].line, 5);
	ck_assert_uint_eq(count(PT_NEWLINE), 2);
}
END_TEST

START_TEST(crlf_and_bom)
{
	lex("\xEF\xBB\xBFpackage p\r\n\r\nvar x = `a\r\nb`\r\ny\r");
	ck_assert_str_eq(shape(), "KN;KNOS;N;$");
	ck_assert_uint_eq(T.v[0].col, 1);
	ck_assert_uint_eq(T.v[3].line, 3);
	ck_assert_uint_eq(T.v[8].line, 5);
}
END_TEST

START_TEST(lines_and_columns)
{
	lex("package p\n\nfunc f() {\n\tx := 1\n}\n");
	ck_assert(text_is(4, "f"));
	ck_assert_uint_eq(T.v[4].line, 3);
	ck_assert_uint_eq(T.v[4].col, 6);
	ck_assert(text_is(8, "x"));
	ck_assert_uint_eq(T.v[8].line, 4);
	ck_assert_uint_eq(T.v[8].col, 2);
}
END_TEST

START_TEST(unterminated_string)
{
	lex("s := \"abc\nx := 1\n");
	ck_assert_uint_eq(T.nerrors, 1);
	ck_assert_uint_eq(T.err_line, 1);
	ck_assert_int_eq(T.v[2].kind, PT_STRING);
	ck_assert(T.v[2].flags & PTF_UNTERMINATED);
	ck_assert(text_is(4, "x")); /* scanning resumes on the next line */
	ck_assert_uint_eq(T.v[4].line, 2);
}
END_TEST

START_TEST(unterminated_raw_rune_comment)
{
	lex("s := `abc\n");
	ck_assert_uint_eq(T.nerrors, 1);
	ck_assert(T.v[2].flags & PTF_UNTERMINATED);
	teardown();
	lex("r := '\n");
	ck_assert_uint_eq(T.nerrors, 1);
	teardown();
	lex("x /* abc");
	ck_assert_uint_eq(T.nerrors, 1);
	ck_assert_uint_eq(T.ncomments, 1);
	teardown();
	lex("r := '\\");
	ck_assert_uint_eq(T.nerrors, 1);
}
END_TEST

START_TEST(bad_characters_are_errors)
{
	lexn("a $ b \0 c # d ? e @ f \\", 23);
	ck_assert_uint_eq(count(PT_ERROR), 6);
	ck_assert_uint_eq(count(PT_NAME), 6);
	ck_assert_uint_eq(T.nerrors, 6);
	ck_assert_str_eq(T.err_msg, "unexpected character");
}
END_TEST

START_TEST(empty_and_whitespace)
{
	lexn("", 0);
	ck_assert_str_eq(shape(), "$");
	teardown();
	lex(" \t\n\n");
	ck_assert_str_eq(shape(), "$");
}
END_TEST

START_TEST(unbalanced_closers_keep_depth_at_zero)
{
	lex(")]}x\n");
	ck_assert_uint_eq(T.v[3].depth, 0);
}
END_TEST

START_TEST(long_line)
{
	size_t n = 20001, i;
	char *s = malloc(n + 1);
	for (i = 0; i < n; i++)
		s[i] = i % 2 ? '+' : 'a';
	s[n] = '\0';
	lex(s);
	ck_assert_uint_eq(T.n, n + 2);
	ck_assert_uint_eq(T.v[T.n - 3].col, n);
	free(s);
}
END_TEST

Suite *suite_go_tok(void)
{
	Suite *s = suite_create("go_tok");
	TCase *pos = tcase_create("tokens");
	TCase *neg = tcase_create("malformed");
	tcase_add_checked_fixture(pos, NULL, teardown);
	tcase_add_checked_fixture(neg, NULL, teardown);
	tcase_add_test(pos, short_var_decl);
	tcase_add_loop_test(pos, semicolon_insertion, 0, (int)(sizeof(semi_cases) / sizeof(semi_cases[0])));
	tcase_add_test(pos, explicit_semicolon_is_one_byte);
	tcase_add_loop_test(pos, strings_and_runes, 0, (int)(sizeof(string_cases) / sizeof(string_cases[0])));
	tcase_add_test(pos, raw_string_spans_lines);
	tcase_add_test(pos, struct_tags);
	tcase_add_loop_test(pos, numbers, 0, (int)(sizeof(number_cases) / sizeof(number_cases[0])));
	tcase_add_test(pos, hex_exponent_is_not_decimal);
	tcase_add_loop_test(pos, operators_are_whole, 0, (int)(sizeof(operators) / sizeof(operators[0])));
	tcase_add_test(pos, channel_ops_and_variadic);
	tcase_add_test(pos, keywords_and_predeclared);
	tcase_add_test(pos, depth_counts_all_brackets);
	tcase_add_test(pos, newline_inside_literal_body);
	tcase_add_test(pos, comments_apart);
	tcase_add_test(pos, crlf_and_bom);
	tcase_add_test(pos, lines_and_columns);
	tcase_add_test(neg, unterminated_string);
	tcase_add_test(neg, unterminated_raw_rune_comment);
	tcase_add_test(neg, bad_characters_are_errors);
	tcase_add_test(neg, empty_and_whitespace);
	tcase_add_test(neg, unbalanced_closers_keep_depth_at_zero);
	tcase_add_test(neg, long_line);
	suite_add_tcase(s, pos);
	suite_add_tcase(s, neg);
	return s;
}
