/*
 * Go implementations of the runtime checks: string_concat_in_loop,
 * unnecessary_allocation, redundant_copy (audit-runtime/..._go.c).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "rt_helpers.h"

#define HDR "package api\n\nimport (\n\t\"net/http\"\n\t\"strings\"\n)\n\n"

/* Runs Go check id over src; the finding lines as "l1,l2" into buf. */
static const char *go_lines(const char *id, const char *src, char *buf, size_t n, enum severity *sev)
{
	struct finding_list fl;
	size_t i;
	finding_list_init(&fl);
	ck_assert_int_eq(auditor_run_buffer_lang(&runtime_auditor, id, "internal/api/x.go", src, strlen(src), NULL, &fl), 0);
	rt_render(&fl, buf, n);
	for (i = 0; i < fl.n; i++) {
		ck_assert_str_eq(fl.v[i].check, id);
		ck_assert_msg(fl.v[i].issue && strlen(fl.v[i].issue) > 20, "empty issue");
		ck_assert_msg(fl.v[i].recommendation && strlen(fl.v[i].recommendation) > 10, "empty recommendation");
	}
	if (sev)
		*sev = fl.n ? fl.v[0].severity : SEV_NONE;
	finding_list_free(&fl);
	return buf;
}

static void expect(const char *id, const char *src, const char *lines)
{
	char got[256];
	go_lines(id, src, got, sizeof(got), NULL);
	ck_assert_msg(!strcmp(got, lines), "%s: expected [%s], got [%s] in:\n%s", id, lines, got, src);
}

static enum severity sev_of(const char *id, const char *src)
{
	char got[256];
	enum severity s;
	go_lines(id, src, got, sizeof(got), &s);
	return s;
}

/* ---- string_concat_in_loop ---- */

START_TEST(concat_handler_csv)
{
	const char *src = HDR
		"func export(w http.ResponseWriter, r *http.Request) {\n"   /* 8 */
		"\tout := \"id,name\\n\"\n"
		"\tfor _, x := range load() {\n"                              /* 10 */
		"\t\tout += x.ID + \",\" + x.Name + \"\\n\"\n"                /* 11 */
		"\t}\n"
		"\tw.Write([]byte(out))\n"
		"}\n";
	expect("string_concat_in_loop", src, "11");
	ck_assert_int_eq(sev_of("string_concat_in_loop", src), SEV_HIGH);
}
END_TEST

START_TEST(concat_plus_form_and_sprintf)
{
	expect("string_concat_in_loop", HDR
	       "func report(rows []row) string {\n"
	       "\tvar s string\n"
	       "\tfor i := 0; i < len(rows); i++ {\n"
	       "\t\ts = s + fmt.Sprintf(\"%d\\n\", rows[i].n)\n" /* 11 */
	       "\t}\n"
	       "\treturn s\n"
	       "}\n", "11");
	ck_assert_int_eq(sev_of("string_concat_in_loop", HDR
				"func report(rows []string) string {\n"
				"\ttext := fmt.Sprintf(\"%d rows\\n\", len(rows))\n"
				"\tfor _, r := range rows {\n"
				"\t\ttext += fmt.Sprintf(\"%s\\n\", r)\n"
				"\t}\n"
				"\treturn text\n"
				"}\n"), SEV_MEDIUM);
}
END_TEST

START_TEST(concat_negatives)
{
	/* numbers, durations, runes; a Builder; not in a loop; reset per iteration */
	expect("string_concat_in_loop", HDR
	       "func f(rows []row) (int, time.Duration) {\n"
	       "\tcount := 0\n"
	       "\tvar total time.Duration\n"
	       "\tvar b strings.Builder\n"
	       "\tfor _, r := range rows {\n"
	       "\t\tcount += 1\n"
	       "\t\ttotal += r.took\n"
	       "\t\tb.WriteString(r.name)\n"
	       "\t\tline := \"\"\n"
	       "\t\tline += r.name\n"
	       "\t\tuse(line)\n"
	       "\t\tvar n int\n"
	       "\t\tn += 'a'\n"
	       "\t}\n"
	       "\tfor _, proxy := range r.proxies {\n"
	       "\t\tproxy += \"/32\"\n"
	       "\t\tproxy.Name = proxy.Name + \"_new\"\n"
	       "\t\tuse(proxy)\n"
	       "\t}\n"
	       "\tmsg := \"a\"\n"
	       "\tmsg += \"b\"\n"
	       "\treturn count, total\n"
	       "}\n", "");
}
END_TEST

START_TEST(concat_inner_loop)
{
	/* reset per outer iteration, but grown over the cells of the inner loop */
	expect("string_concat_in_loop", HDR
	       "func f(rows []row) {\n"
	       "\tfor _, r := range rows {\n"
	       "\t\tline := \"\"\n"
	       "\t\tfor _, c := range r.cells {\n"
	       "\t\t\tline += c + \";\"\n" /* 12 */
	       "\t\t}\n"
	       "\t\tuse(line)\n"
	       "\t}\n"
	       "}\n", "12");
}
END_TEST

START_TEST(concat_once_per_function)
{
	/* one document grown over two loops: one finding, at the first */
	expect("string_concat_in_loop", HDR
	       "func ddl(cols, idx []string) string {\n"
	       "\tsql := \"CREATE TABLE t (\"\n"
	       "\tfor _, c := range cols {\n"
	       "\t\tsql += c + \",\"\n" /* 11 */
	       "\t}\n"
	       "\tfor _, i := range idx {\n"
	       "\t\tsql += \"INDEX \" + i\n"
	       "\t}\n"
	       "\treturn sql\n"
	       "}\n"
	       "func other(cols []string) string {\n"
	       "\tsql := \"\"\n"
	       "\tfor _, c := range cols {\n"
	       "\t\tsql += c\n" /* 21 */
	       "\t}\n"
	       "\treturn sql\n"
	       "}\n", "11,21");
}
END_TEST

START_TEST(concat_once_per_loop)
{
	expect("string_concat_in_loop", HDR
	       "func f(rows []string) string {\n"
	       "\ts := \"\"\n"
	       "\tfor _, r := range rows {\n"
	       "\t\ts += r\n"      /* 11 */
	       "\t\ts += \"\\n\"\n"
	       "\t}\n"
	       "\treturn s\n"
	       "}\n", "11");
}
END_TEST

/* ---- unnecessary_allocation ---- */

START_TEST(alloc_split_len)
{
	const char *src = HDR
		"func h(w http.ResponseWriter, r *http.Request) {\n"
		"\tn := len(strings.Split(r.URL.Query().Get(\"ids\"), \",\"))\n" /* 9 */
		"\t_ = n\n"
		"}\n"
		"func g(s string) int {\n"
		"\treturn len(strings.Split(s, \";\"))\n" /* 13 */
		"}\n"
		"func k(s string) int {\n"
		"\tparts := strings.Split(s, \";\")\n"
		"\treturn len(parts) + len(strings.SplitN(s, \";\", 2)) + len(strings.Split(s, \";\")[0])\n"
		"}\n";
	expect("unnecessary_allocation", src, "9,13");
	ck_assert_int_eq(sev_of("unnecessary_allocation", src), SEV_MEDIUM);
}
END_TEST

START_TEST(alloc_equal_fold)
{
	expect("unnecessary_allocation", HDR
	       "func f(xs []string, q string) int {\n"
	       "\tn := 0\n"
	       "\tfor _, x := range xs {\n"
	       "\t\tif strings.ToLower(x) == strings.ToLower(q) {\n" /* 11 */
	       "\t\t\tn++\n"
	       "\t\t}\n"
	       "\t\tif strings.ToUpper(x) != strings.ToUpper(q) {\n" /* 14 */
	       "\t\t}\n"
	       "\t\tif strings.ToLower(x) == \"abc\" || strings.ToLower(x) == strings.ToLower(q) + \"s\" {\n"
	       "\t\t}\n"
	       "\t}\n"
	       "\tkey := strings.ToLower(q)\n"
	       "\treturn n + len(key)\n"
	       "}\n", "11,14");
}
END_TEST

START_TEST(alloc_write_bytes)
{
	expect("unnecessary_allocation", HDR
	       "func f(w http.ResponseWriter, lines []string, b []byte, m map[string]int) {\n"
	       "\tfor _, l := range lines {\n"
	       "\t\tw.Write([]byte(l))\n" /* 10 */
	       "\t\tio.WriteString(w, l)\n"
	       "\t\tw.Write(b)\n"
	       "\t\t_ = m[string(b)]\n"
	       "\t}\n"
	       "\tw.Write([]byte(\"done\"))\n"
	       "}\n", "10");
}
END_TEST

START_TEST(alloc_appended_for_len)
{
	expect("unnecessary_allocation", HDR
	       "func f(rows []row) int {\n"
	       "\tvar late []row\n" /* 9 */
	       "\tfor _, r := range rows {\n"
	       "\t\tif r.late {\n"
	       "\t\t\tlate = append(late, r)\n"
	       "\t\t}\n"
	       "\t}\n"
	       "\tids := make([]int, 0, len(rows))\n" /* 15 */
	       "\tfor _, r := range rows {\n"
	       "\t\tids = append(ids, r.id)\n"
	       "\t}\n"
	       "\tkept := []row{}\n"
	       "\tfor _, r := range rows {\n"
	       "\t\tkept = append(kept, r)\n"
	       "\t}\n"
	       "\tuse(kept)\n"
	       "\tvar once []int\n"
	       "\tonce = append(once, 1)\n"
	       "\treturn len(late) + len(ids) + len(once) + len(kept)\n"
	       "}\n", "9,15");
}
END_TEST

/* ---- redundant_copy ---- */

START_TEST(copy_make_copy_ranged)
{
	const char *src = HDR
		"func f(req request) int {\n"
		"\tplates := make([]string, len(req.Plates))\n" /* 9 */
		"\tcopy(plates, req.Plates)\n"
		"\tn := 0\n"
		"\tfor _, p := range plates {\n"
		"\t\tn += len(p)\n"
		"\t}\n"
		"\treturn n + len(plates) + len(plates[0])\n"
		"}\n";
	expect("redundant_copy", src, "9");
	ck_assert_int_eq(sev_of("redundant_copy", src), SEV_LOW);
}
END_TEST

START_TEST(copy_append_nil_and_clone)
{
	expect("redundant_copy", HDR
	       "func f(c course) {\n"
	       "\tsections := append([]models.Section(nil), c.Sections...)\n" /* 9 */
	       "\tfor _, s := range sections {\n"
	       "\t\tuse(s)\n"
	       "\t}\n"
	       "\tids := slices.Clone(c.IDs)\n" /* 13 */
	       "\tfor i := range ids {\n"
	       "\t\tuse(ids[i])\n"
	       "\t}\n"
	       "}\n", "9,13");
}
END_TEST

START_TEST(copy_negatives)
{
	/* mutated, sorted, returned, stored, appended, sub-sliced, sent, source
	 * changed afterwards, a call's result copied */
	expect("redundant_copy", HDR
	       "func f(xs []int, sc *bufio.Scanner, ch chan []int, o *obj) []int {\n"
	       "\ta := make([]int, len(xs))\n"
	       "\tcopy(a, xs)\n"
	       "\ta[0] = 1\n"
	       "\tb := append([]int(nil), xs...)\n"
	       "\tsort.Ints(b)\n"
	       "\tc := slices.Clone(xs)\n"
	       "\to.keep = c\n"
	       "\td := append([]int{}, xs...)\n"
	       "\td = append(d, 4)\n"
	       "\te := slices.Clone(xs)\n"
	       "\tch <- e\n"
	       "\tg := bytes.Clone(sc.Bytes())\n"
	       "\tfor _, x := range g {\n"
	       "\t\tuse(x)\n"
	       "\t}\n"
	       "\th := slices.Clone(xs)\n"
	       "\txs[0] = 2\n"
	       "\tfor _, x := range h {\n"
	       "\t\tuse(x)\n"
	       "\t}\n"
	       "\ti := slices.Clone(o.items)\n"
	       "\tfor _, x := range i[1:] {\n"
	       "\t\tuse(x)\n"
	       "\t}\n"
	       "\tk := slices.Clone(xs)\n"
	       "\tgo func() {\n"
	       "\t\tfor _, x := range k {\n"
	       "\t\t\tuse(x)\n"
	       "\t\t}\n"
	       "\t}()\n"
	       "\tvar named []int\n"
	       "\tnamed = slices.Clone(xs)\n"
	       "\tfor _, x := range named {\n"
	       "\t\tuse(x)\n"
	       "\t}\n"
	       "\tj := append([]int(nil), xs...)\n"
	       "\treturn j\n"
	       "}\n", "");
}
END_TEST

START_TEST(copy_map_clone)
{
	expect("redundant_copy", HDR
	       "func f(prices map[string]int, keys []string) int {\n"
	       "\tsnap := make(map[string]int, len(prices))\n" /* 9 */
	       "\tfor k, v := range prices {\n"
	       "\t\tsnap[k] = v\n"
	       "\t}\n"
	       "\tn := 0\n"
	       "\tfor _, k := range keys {\n"
	       "\t\tn += snap[k]\n"
	       "\t}\n"
	       "\treturn n + len(snap)\n"
	       "}\n"
	       "func g(prices map[string]int) map[string]int {\n"
	       "\tcp := map[string]int{}\n"
	       "\tfor k, v := range prices {\n"
	       "\t\tcp[k] = v\n"
	       "\t}\n"
	       "\tcp[\"x\"] = 1\n"
	       "\tother := make(map[string]int)\n"
	       "\tfor k, v := range prices {\n"
	       "\t\tif v > 0 {\n"
	       "\t\t\tother[k] = v\n"
	       "\t\t}\n"
	       "\t}\n"
	       "\tuse(other[\"a\"])\n"
	       "\tthird := make(map[string]int)\n"
	       "\tfor k, v := range prices {\n"
	       "\t\tthird[k] = v\n"
	       "\t}\n"
	       "\treturn third\n"
	       "}\n", "9");
}
END_TEST

START_TEST(copy_in_loop_medium)
{
	ck_assert_int_eq(sev_of("redundant_copy", HDR
				"func f(groups [][]int) int {\n"
				"\tn := 0\n"
				"\tfor _, g := range groups {\n"
				"\t\tcp := append([]int(nil), g...)\n"
				"\t\tfor _, x := range cp {\n"
				"\t\t\tn += x\n"
				"\t\t}\n"
				"\t}\n"
				"\treturn n\n"
				"}\n"), SEV_MEDIUM);
}
END_TEST

Suite *suite_runtime_go(void);
Suite *suite_runtime_go(void)
{
	Suite *s = suite_create("runtime_go");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, concat_handler_csv);
	tcase_add_test(tc, concat_plus_form_and_sprintf);
	tcase_add_test(tc, concat_negatives);
	tcase_add_test(tc, concat_once_per_loop);
	tcase_add_test(tc, concat_once_per_function);
	tcase_add_test(tc, concat_inner_loop);
	tcase_add_test(tc, alloc_split_len);
	tcase_add_test(tc, alloc_equal_fold);
	tcase_add_test(tc, alloc_write_bytes);
	tcase_add_test(tc, alloc_appended_for_len);
	tcase_add_test(tc, copy_make_copy_ranged);
	tcase_add_test(tc, copy_append_nil_and_clone);
	tcase_add_test(tc, copy_negatives);
	tcase_add_test(tc, copy_in_loop_medium);
	tcase_add_test(tc, copy_map_clone);
	suite_add_tcase(s, tc);
	return s;
}
