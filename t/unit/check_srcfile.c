/*
 * Unit tests for lib/srcfile.c: line index (LF, CRLF, lone CR), BOM,
 * binary and invalid UTF-8 detection with positions, size limit, refusal
 * of non-regular files, snippets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <check.h>

#include "srcfile.h"

static void expect_line(const struct srcfile *sf, unsigned lno, const char *want)
{
	size_t len;
	const char *p = srcfile_line(sf, lno, &len);

	ck_assert_ptr_nonnull(p);
	ck_assert_msg(len == strlen(want) && memcmp(p, want, len) == 0,
		      "line %u is '%.*s', want '%s'", lno, (int)len, p, want);
}

static void buf(struct srcfile *sf, const char *s)
{
	ck_assert_int_eq(srcfile_from_buffer(sf, "t.py", s, strlen(s)), 0);
}

START_TEST(test_lines_lf)
{
	struct srcfile sf;

	buf(&sf, "a\nbb\n\nccc");
	ck_assert_uint_eq(sf.nlines, 4);
	expect_line(&sf, 1, "a");
	expect_line(&sf, 2, "bb");
	expect_line(&sf, 3, "");
	expect_line(&sf, 4, "ccc");
	ck_assert_str_eq(sf.path, "t.py");
	srcfile_free(&sf);
	buf(&sf, "a\n");
	ck_assert_uint_eq(sf.nlines, 1);
	srcfile_free(&sf);
	buf(&sf, "a\n\n");
	ck_assert_uint_eq(sf.nlines, 2);
	expect_line(&sf, 2, "");
	srcfile_free(&sf);
}
END_TEST

START_TEST(test_lines_crlf_cr)
{
	struct srcfile sf;

	buf(&sf, "a\r\nbb\r\n\r\nc");
	ck_assert_uint_eq(sf.nlines, 4);
	expect_line(&sf, 1, "a");
	expect_line(&sf, 2, "bb");
	expect_line(&sf, 3, "");
	expect_line(&sf, 4, "c");
	srcfile_free(&sf);
	buf(&sf, "x\ry\r");
	ck_assert_uint_eq(sf.nlines, 2);
	expect_line(&sf, 1, "x");
	expect_line(&sf, 2, "y");
	srcfile_free(&sf);
	buf(&sf, "a\nb\rc\r\nd\r\r\n");
	ck_assert_uint_eq(sf.nlines, 5);
	expect_line(&sf, 2, "b");
	expect_line(&sf, 3, "c");
	expect_line(&sf, 4, "d");
	expect_line(&sf, 5, "");
	srcfile_free(&sf);
}
END_TEST

START_TEST(test_lines_out_of_range)
{
	struct srcfile sf;
	size_t len = 99;

	buf(&sf, "");
	ck_assert_uint_eq(sf.nlines, 0);
	ck_assert_uint_eq(sf.len, 0);
	ck_assert_str_eq(sf.text, "");
	ck_assert_ptr_null(srcfile_line(&sf, 1, &len));
	ck_assert_uint_eq(len, 0);
	srcfile_free(&sf);
	buf(&sf, "one");
	ck_assert_ptr_null(srcfile_line(&sf, 0, &len));
	ck_assert_ptr_null(srcfile_line(&sf, 2, &len));
	expect_line(&sf, 1, "one");
	srcfile_free(&sf);
}
END_TEST

START_TEST(test_bom)
{
	struct srcfile sf;

	buf(&sf, "\xEF\xBB\xBFx = 1\ny = 2\n");
	ck_assert_uint_eq(sf.len, 12);
	ck_assert_str_eq(sf.text, "x = 1\ny = 2\n");
	expect_line(&sf, 1, "x = 1");
	srcfile_free(&sf);
	buf(&sf, "\xEF\xBB");
	ck_assert_uint_eq(sf.len, 2); /* not a whole BOM: kept */
	srcfile_free(&sf);
}
END_TEST

/* ---- files on disk */

static char tdir[256];

static void setup_dir(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tdir, sizeof tdir, "%s/srcfile.XXXXXX", base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tdir));
}

static void teardown_dir(void)
{
	static const char *const names[] = { "f", "link" };
	char p[300];
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", tdir, names[i]);
		unlink(p);
	}
	rmdir(tdir);
}

/* Writes n bytes of s to tdir/f and returns its path (static buffer). */
static const char *put(const char *s, size_t n)
{
	static char path[300];
	FILE *f;

	snprintf(path, sizeof path, "%s/f", tdir);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(s, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static enum srcfile_status load_str(const char *s, size_t n, unsigned *l, unsigned *c)
{
	struct srcfile sf;
	enum srcfile_status st = srcfile_load(&sf, put(s, n), 0, l, c);

	if (st == SRC_OK)
		srcfile_free(&sf);
	else
		ck_assert_ptr_null(sf.text);
	return st;
}

START_TEST(test_load_ok)
{
	struct srcfile sf;
	static const char text[] = "\xEF\xBB\xBFimport os\r\nprint('\xc3\xa9\xf0\x9f\x98\x80')\r\n";
	const char *p = put(text, sizeof text - 1);

	ck_assert_int_eq(srcfile_load(&sf, p, 0, NULL, NULL), SRC_OK);
	ck_assert_str_eq(sf.path, p);
	ck_assert_uint_eq(sf.nlines, 2);
	expect_line(&sf, 1, "import os");
	expect_line(&sf, 2, "print('\xc3\xa9\xf0\x9f\x98\x80')");
	srcfile_free(&sf);
}
END_TEST

START_TEST(test_load_binary)
{
	unsigned l = 9, c = 9;
	char *big;

	ck_assert_int_eq(load_str("abc\0def", 7, &l, &c), SRC_ERR_BINARY);
	/* a NUL past the first 8 KiB is not a binary marker */
	big = malloc(9000);
	memset(big, 'x', 9000);
	big[8999] = '\0';
	ck_assert_int_eq(load_str(big, 9000, &l, &c), SRC_OK);
	big[8191] = '\0';
	ck_assert_int_eq(load_str(big, 9000, &l, &c), SRC_ERR_BINARY);
	free(big);
}
END_TEST

#define S(lit) lit, sizeof(lit) - 1

static const struct {
	const char *s;
	size_t n;
	unsigned line, col;
} bad_utf8[] = {
	{ S("ok\nab\xC3(\n"), 2, 3 },        /* lead byte without continuation */
	{ S("\xC0\x80"), 1, 1 },             /* overlong NUL */
	{ S("x\xE0\x80\xAF"), 1, 2 },        /* overlong 3-byte */
	{ S("\xED\xA0\x80"), 1, 1 },         /* surrogate U+D800 */
	{ S("\xF4\x90\x80\x80"), 1, 1 },     /* above U+10FFFF */
	{ S("\xF5\x80\x80\x80"), 1, 1 },
	{ S("a\r\nb\r\xff"), 3, 1 },         /* CRLF and CR both end lines */
	{ S("abc\xE2\x82"), 1, 4 },          /* truncated at end of file */
	{ S("\x80"), 1, 1 },                 /* lone continuation */
	{ S("\xEF\xBB\xBF\xff"), 1, 1 },     /* columns count after the BOM */
	{ S("\xF0\x9F\x98"), 1, 1 },
};

START_TEST(test_load_bad_utf8)
{
	unsigned l = 0, c = 0;

	ck_assert_int_eq(load_str(bad_utf8[_i].s, bad_utf8[_i].n, &l, &c), SRC_ERR_UTF8);
	ck_assert_uint_eq(l, bad_utf8[_i].line);
	ck_assert_uint_eq(c, bad_utf8[_i].col);
}
END_TEST

/* The ASCII fast path reads eight bytes at a time: a bad byte at every
 * offset of a long ASCII line, and a multi-byte character right after a
 * run, are found where the byte-wise scan finds them. */
START_TEST(test_load_utf8_ascii_runs)
{
	char text[64];
	unsigned l = 0, c = 0, k;

	for (k = 0; k < 40; k++) {
		memset(text, 'a', sizeof text);
		text[3] = '\n';
		text[k + 4] = '\xff';
		ck_assert_int_eq(load_str(text, sizeof text, &l, &c), SRC_ERR_UTF8);
		ck_assert_uint_eq(l, 2);
		ck_assert_uint_eq(c, k + 1);
	}
	memset(text, 'a', sizeof text);
	memcpy(text + 16, "\xC3\xA9", 2);
	ck_assert_int_eq(load_str(text, sizeof text, &l, &c), SRC_OK);
}
END_TEST

/* Lines found by the memchr path (no \r) equal the general loop's. */
START_TEST(test_lines_lf_only_edges)
{
	struct srcfile sf;

	buf(&sf, "\n\nx\n");
	ck_assert_uint_eq(sf.nlines, 3);
	expect_line(&sf, 1, "");
	expect_line(&sf, 2, "");
	expect_line(&sf, 3, "x");
	srcfile_free(&sf);
	buf(&sf, "only");
	ck_assert_uint_eq(sf.nlines, 1);
	expect_line(&sf, 1, "only");
	srcfile_free(&sf);
}
END_TEST

START_TEST(test_load_good_utf8_edges)
{
	unsigned l = 0, c = 0;

	ck_assert_int_eq(load_str("\xC2\x80\xDF\xBF", 4, &l, &c), SRC_OK);
	ck_assert_int_eq(load_str("\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80", 9, &l, &c), SRC_OK);
	ck_assert_int_eq(load_str("\xF0\x90\x80\x80\xF4\x8F\xBF\xBF", 8, &l, &c), SRC_OK);
	ck_assert_uint_eq(l, 0);
	ck_assert_uint_eq(c, 0);
}
END_TEST

START_TEST(test_load_too_big)
{
	struct srcfile sf;

	ck_assert_int_eq(srcfile_load(&sf, put("0123456789", 10), 10, NULL, NULL), SRC_OK);
	srcfile_free(&sf);
	ck_assert_int_eq(srcfile_load(&sf, put("0123456789A", 11), 10, NULL, NULL),
			 SRC_ERR_TOOBIG);
	ck_assert_ptr_null(sf.text);
}
END_TEST

START_TEST(test_load_not_regular)
{
	struct srcfile sf;
	char p[300];

	errno = 0;
	ck_assert_int_eq(srcfile_load(&sf, tdir, 0, NULL, NULL), SRC_ERR_IO);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(srcfile_load(&sf, "/dev/null", 0, NULL, NULL), SRC_ERR_IO);
	ck_assert_int_eq(errno, EINVAL);
	snprintf(p, sizeof p, "%s/missing.py", tdir);
	errno = 0;
	ck_assert_int_eq(srcfile_load(&sf, p, 0, NULL, NULL), SRC_ERR_IO);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_load_symlink_followed)
{
	struct srcfile sf;
	char link[300];

	put("x = 1\n", 6);
	snprintf(link, sizeof link, "%s/link", tdir);
	ck_assert_int_eq(symlink("f", link), 0);
	ck_assert_int_eq(srcfile_load(&sf, link, 0, NULL, NULL), SRC_OK);
	expect_line(&sf, 1, "x = 1");
	srcfile_free(&sf);
}
END_TEST

START_TEST(test_strerror)
{
	ck_assert_str_eq(srcfile_strerror(SRC_ERR_TOOBIG), "file too large");
	ck_assert_str_eq(srcfile_strerror(SRC_ERR_BINARY), "binary file");
	ck_assert_str_eq(srcfile_strerror(SRC_ERR_UTF8), "invalid UTF-8");
	ck_assert_ptr_nonnull(srcfile_strerror(SRC_ERR_IO));
	ck_assert_ptr_nonnull(srcfile_strerror((enum srcfile_status)42));
}
END_TEST

/* ---- snippets */

static void expect_snippet(const char *text, unsigned a, unsigned b, size_t max,
			   const char *want)
{
	struct srcfile sf;
	char *s;

	buf(&sf, text);
	s = srcfile_snippet(&sf, a, b, max);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, want);
	free(s);
	srcfile_free(&sf);
}

START_TEST(test_snippet_dedent)
{
	expect_snippet("class A:\n    def f(self):  \n        return 1\t\n", 2, 3, 0,
		       "def f(self):\n    return 1");
	expect_snippet("x = 1\n", 1, 1, 0, "x = 1");
	expect_snippet("\tif a:\r\n\t\tb()\r\n", 1, 2, 0, "if a:\n\tb()");
	/* blank lines inside keep their place, at both ends are dropped */
	expect_snippet("\n    a\n\n    b\n   \n", 1, 5, 0, "a\n\nb");
}
END_TEST

START_TEST(test_snippet_range)
{
	expect_snippet("a\nb\nc\n", 2, 9, 0, "b\nc");
	expect_snippet("a\nb\nc\n", 0, 1, 0, "a");
	expect_snippet("a\nb\nc\n", 3, 2, 0, "");
	expect_snippet("", 1, 1, 0, "");
	expect_snippet("   \n  \n", 1, 2, 0, "");
}
END_TEST

START_TEST(test_snippet_cap)
{
	expect_snippet("abcdefghijklmnop\n", 1, 1, 10, "abcdefg...");
	expect_snippet("abcdefghij\n", 1, 1, 10, "abcdefghij");
	/* never cut inside a UTF-8 character */
	expect_snippet("abcdef\xc3\xa9xyz\n", 1, 1, 10, "abcdef...");
	expect_snippet("abcdefgh\n", 1, 1, 2, "..");
}
END_TEST

Suite *suite_srcfile(void)
{
	Suite *s = suite_create("srcfile");
	TCase *lines = tcase_create("lines");
	TCase *load = tcase_create("load");
	TCase *bad = tcase_create("malformed");
	TCase *snip = tcase_create("snippet");

	tcase_add_test(lines, test_lines_lf);
	tcase_add_test(lines, test_lines_crlf_cr);
	tcase_add_test(lines, test_lines_out_of_range);
	tcase_add_test(lines, test_bom);
	tcase_add_checked_fixture(load, setup_dir, teardown_dir);
	tcase_add_test(load, test_load_ok);
	tcase_add_test(load, test_load_good_utf8_edges);
	tcase_add_test(load, test_load_utf8_ascii_runs);
	tcase_add_test(lines, test_lines_lf_only_edges);
	tcase_add_test(load, test_load_symlink_followed);
	tcase_add_test(load, test_strerror);
	tcase_add_checked_fixture(bad, setup_dir, teardown_dir);
	tcase_add_test(bad, test_load_binary);
	tcase_add_loop_test(bad, test_load_bad_utf8, 0,
			    (int)(sizeof bad_utf8 / sizeof bad_utf8[0]));
	tcase_add_test(bad, test_load_too_big);
	tcase_add_test(bad, test_load_not_regular);
	tcase_add_test(snip, test_snippet_dedent);
	tcase_add_test(snip, test_snippet_range);
	tcase_add_test(snip, test_snippet_cap);
	suite_add_tcase(s, lines);
	suite_add_tcase(s, load);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, snip);
	return s;
}
