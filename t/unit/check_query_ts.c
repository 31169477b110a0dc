/*
 * Unit tests of the TypeScript/JavaScript query checks
 * (audit-query/<check>_ts.c and lib/jsdb.c): positives and tricky negatives.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proj_helpers.h"
#include "auditor.h"
#include "finding.h"
#include "../../audit-query/checks.h"

struct ts_case {
	const char *src;
	const char *lines; /* expected finding lines, "" for none */
};

static void ts_expect(const char *id, const char *path, const struct ts_case *c)
{
	struct finding_list fl;
	char got[256];
	size_t i, o = 0;
	finding_list_init(&fl);
	ck_assert_int_eq(auditor_run_buffer_lang(&query_auditor, id, path, c->src, strlen(c->src), NULL, &fl), 0);
	got[0] = '\0';
	for (i = 0; i < fl.n && o + 12 < sizeof(got); i++) {
		o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%u", i ? "," : "", fl.v[i].line);
		ck_assert_str_eq(fl.v[i].check, id);
		ck_assert_msg(fl.v[i].recommendation && strlen(fl.v[i].recommendation) > 20, "no recommendation");
	}
	ck_assert_msg(!strcmp(got, c->lines), "%s: expected lines [%s], got [%s] in:\n%s", id, c->lines, got, c->src);
	finding_list_free(&fl);
}

static enum severity ts_sev(const char *id, const char *path, const char *src)
{
	struct finding_list fl;
	enum severity s;
	finding_list_init(&fl);
	ck_assert_int_eq(auditor_run_buffer_lang(&query_auditor, id, path, src, strlen(src), NULL, &fl), 0);
	ck_assert_msg(fl.n == 1, "%s: expected one finding, got %zu", id, fl.n);
	s = fl.v[0].severity;
	finding_list_free(&fl);
	return s;
}

/* ---- n_plus_one_query ---- */

static const struct ts_case n1_pos[] = {
	/* Prisma findMany per element of a for-of */
	{ "async function agenda(prisma, prs) {\n"
	  "  for (const pr of prs) {\n"
	  "    const slots = await prisma.appointment.findMany({ where: { practitionerId: pr.id } });\n"
	  "  }\n}\n", "3" },
	/* findUnique awaited one by one in a for loop */
	{ "async function f(ids: number[]) {\n  const out = [];\n"
	  "  for (const id of ids) {\n    out.push(await this.prisma.user.findUnique({ where: { id } }));\n  }\n}\n",
	  "4" },
	/* fluent relation read per row */
	{ "async function f(due) {\n  for (const a of due) {\n"
	  "    const p = await prisma.appointment.findUnique({ where: { id: a.id } }).patient();\n  }\n}\n", "3" },
	/* findFirst inside Promise.all(xs.map(async ...)): still one query per element */
	{ "async function f(orders) {\n  return Promise.all(orders.map(async (o) => {\n"
	  "    return prisma.customer.findFirst({ where: { id: o.customerId } });\n  }));\n}\n", "3" },
	/* through a variable derived from the element (the batched findUnique itself is not reported) */
	{ "async function f(ids) {\n  await Promise.all(ids.map(async (id) => {\n"
	  "    const u = await prisma.user.findUnique({ where: { id } });\n"
	  "    return prisma.comment.findMany({ where: { userId: u.id } });\n  }));\n}\n", "4" },
	/* node-postgres SELECT per row */
	{ "app.get('/d', async (req, res) => {\n  const { rows } = await pool.query('SELECT id FROM printers');\n"
	  "  for (const p of rows) {\n    await pool.query('SELECT * FROM jobs WHERE printer_id = $1', [p.id]);\n"
	  "  }\n});\n", "4" },
	/* TypeORM repository bound by getRepository, findOneBy per row */
	{ "const users = dataSource.getRepository(User);\n"
	  "export async function f(orders: Order[]) {\n  for (const o of orders) {\n"
	  "    const u = await users.findOneBy({ id: o.userId });\n  }\n}\n", "4" },
	/* a literal IN list is not a set of keys: still per row */
	{ "async function f(ps) {\n  for (const p of ps) {\n"
	  "    await pool.query(\"SELECT id FROM jobs WHERE printer_id = $1 AND status IN ('a', 'b')\", [p.id]);\n"
	  "  }\n}\n", "3" },
	/* knex per row */
	{ "async function f(items) {\n  for (const it of items) {\n"
	  "    const row = await knex('stock').where({ sku: it.sku }).first();\n  }\n}\n", "3" },
	{ NULL, NULL }
};

static const struct ts_case n1_neg[] = {
	/* Prisma batches findUnique calls of one tick */
	{ "async function f(ids) {\n"
	  "  return Promise.all(ids.map((id) => this.prisma.patient.findUnique({ where: { id } })));\n}\n", "" },
	/* a fixed Promise.all of two counts */
	{ "async function f(ids) {\n  const [a, b] = await Promise.all([\n"
	  "    prisma.appointment.count({ where: { id: { in: ids } } }),\n"
	  "    prisma.reminderLog.count({ where: { id: { in: ids } } }),\n  ]);\n}\n", "" },
	/* include: the loop only formats */
	{ "async function f(clinicId) {\n"
	  "  const appts = await prisma.appointment.findMany({ where: { clinicId }, include: { patient: true } });\n"
	  "  for (const a of appts) rows.push(a.patient.lastName);\n}\n", "" },
	/* Array.prototype.find is not a query */
	{ "async function f(items, users) {\n  for (const it of items) {\n"
	  "    const u = users.find((x) => x.id === it.userId);\n  }\n}\n", "" },
	/* a polling while loop */
	{ "async function poll() {\n  while (true) {\n"
	  "    const job = await prisma.job.findFirst({ where: { status: 'ready' } });\n  }\n}\n", "" },
	/* a query that does not depend on the element */
	{ "async function f(xs) {\n  for (const x of xs) {\n"
	  "    const n = await prisma.setting.findFirst({ where: { key: 'rate' } });\n  }\n}\n", "" },
	/* pagination over pages */
	{ "async function f(pages) {\n  for (const page of pages) {\n"
	  "    await prisma.item.findMany({ skip: page * 100, take: 100 });\n  }\n}\n", "" },
	/* one set-based read per group of ids, not per row */
	{ "async function f(groups) {\n  await Promise.all(groups.map(async (g) => {\n"
	  "    return this.manager.getRepository(g.target).createQueryBuilder().whereInIds(g.ids).getMany();\n"
	  "  }));\n}\n", "" },
	/* a non-null chain off an awaited element is a call, not a lazy relation */
	{ "async function f(ms, qr) {\n  for (const m of ms) {\n    await m\n      .instance!.up(qr);\n  }\n}\n", "" },
	/* a string that is not SQL */
	{ "async function f(xs) {\n  for (const x of xs) {\n    await api.query('hello', x);\n  }\n}\n", "" },
	{ NULL, NULL }
};

START_TEST(test_n1_positives)
{
	ts_expect("n_plus_one_query", "src/a.ts", &n1_pos[_i]);
}
END_TEST

START_TEST(test_n1_negatives)
{
	ts_expect("n_plus_one_query", "src/a.ts", &n1_neg[_i]);
}
END_TEST

START_TEST(test_n1_severity)
{
	const char *job = "new Worker('q', async (job) => {\n  for (const a of job.data.ids) {\n"
			  "    await prisma.order.findMany({ where: { customerId: a } });\n  }\n});\n";
	const char *handler = "app.get('/x', async (req, res) => {\n  for (const a of req.body.ids) {\n"
			      "    await prisma.order.findMany({ where: { customerId: a } });\n  }\n});\n";
	ck_assert_int_eq(ts_sev("n_plus_one_query", "src/w.ts", job), SEV_MEDIUM);
	ck_assert_int_eq(ts_sev("n_plus_one_query", "src/h.ts", handler), SEV_HIGH);
	ck_assert_int_eq(ts_sev("n_plus_one_query", "scripts/backfill.ts", handler), SEV_LOW);
}
END_TEST

/* ---- n_update_delete_loop ---- */

static const struct ts_case upd_pos[] = {
	{ "async function f(affected) {\n  for (const a of affected) {\n"
	  "    await this.prisma.appointment.update({ where: { id: a.id }, data: { status: 'X' } });\n  }\n}\n", "3" },
	/* $transaction array of per-row updates: still N statements */
	{ "async function f(late) {\n  await this.prisma.$transaction(\n"
	  "    late.map((a) => this.prisma.appointment.update({ where: { id: a.id }, data: { s: 1 } })),\n  );\n}\n",
	  "3" },
	{ "async function f(rows) {\n  for (const r of rows) {\n"
	  "    await pool.query('DELETE FROM print_jobs WHERE id = $1', [r.id]);\n  }\n}\n", "3" },
	/* TypeORM remove of each loaded row */
	{ "async function f(episodes: Repository<Episode>, drafts) {\n  for (const d of drafts) {\n"
	  "    await episodes.remove(d);\n  }\n}\n", "3" },
	/* save(loaded entity) per row */
	{ "async function f(repo: Repository<Order>) {\n  const orders = await repo.find({ where: { status: 'new' } });\n"
	  "  for (const o of orders) {\n    o.status = 'x';\n    await repo.save(o);\n  }\n}\n", "5" },
	/* transaction client */
	{ "async function f(ids) {\n  await prisma.$transaction(async (tx) => {\n    for (const id of ids) {\n"
	  "      await tx.seat.delete({ where: { id } });\n    }\n  });\n}\n", "4" },
	{ NULL, NULL }
};

static const struct ts_case upd_neg[] = {
	{ "async function f(late) {\n  await prisma.patient.updateMany({\n"
	  "    where: { id: { in: late.map((a) => a.patientId) } },\n    data: { n: 1 },\n  });\n}\n", "" },
	{ "async function f(ids) {\n  await pool.query('DELETE FROM s WHERE farm_id = $1 AND id = ANY($2::int[])', "
	  "[1, ids]);\n}\n", "" },
	/* one update, no loop */
	{ "async function f(ep) {\n  return this.ds.manager.save(ep);\n}\n", "" },
	/* Map.delete and Set.delete are not queries */
	{ "function f(keys, cache: Map<string, number>) {\n  for (const k of keys) {\n    cache.delete(k);\n  }\n}\n",
	  "" },
	/* chunks: one set-based statement per chunk */
	{ "async function f(chunks) {\n  for (const chunk of chunks) {\n"
	  "    await prisma.item.deleteMany({ where: { id: { in: chunk } } });\n  }\n}\n", "" },
	/* save() of request objects: not known to be loaded rows (an insert or an upsert) */
	{ "async function f(repo: Repository<Order>, dtos) {\n  for (const d of dtos) {\n    await repo.save(d);\n"
	  "  }\n}\n", "" },
	/* TypeORM In(ids) */
	{ "async function f(repo: Repository<Order>, groups) {\n  for (const g of groups) {\n"
	  "    await repo.update({ id: In(g.ids) }, { status: g.status });\n  }\n}\n", "" },
	{ NULL, NULL }
};

START_TEST(test_upd_positives)
{
	ts_expect("n_update_delete_loop", "src/a.ts", &upd_pos[_i]);
}
END_TEST

START_TEST(test_upd_negatives)
{
	ts_expect("n_update_delete_loop", "src/a.ts", &upd_neg[_i]);
}
END_TEST

/* ---- missing_bulk_ops ---- */

static const struct ts_case bulk_pos[] = {
	{ "async function f(due) {\n  for (const appt of due) {\n"
	  "    await prisma.reminderLog.create({ data: { appointmentId: appt.id } });\n  }\n}\n", "3" },
	{ "app.post('/s', async (req, res) => {\n  for (const s of req.body.spools) {\n    await client.query(\n"
	  "      'INSERT INTO spools (material, grams) VALUES ($1, $2)',\n      [s.material, s.grams],\n    );\n"
	  "  }\n});\n", "3" },
	/* save(new entity) per item */
	{ "const episodes = dataSource.getRepository(Episode);\nasync function f(items) {\n"
	  "  for (const item of items) {\n    await episodes.save(episodes.create({ title: item.title }));\n  }\n}\n",
	  "4" },
	/* an entity built in the loop, saved */
	{ "async function f(repo: Repository<Tag>, names) {\n  for (const n of names) {\n    const t = new Tag();\n"
	  "    t.name = n;\n    await repo.save(t);\n  }\n}\n", "5" },
	{ "async function f(rows) {\n  await Promise.all(rows.map((r) => knex('events').insert({ kind: r.kind })));\n}\n",
	  "2" },
	{ NULL, NULL }
};

static const struct ts_case bulk_neg[] = {
	{ "async function f(lines) {\n  await prisma.invoiceLine.createMany({ data: lines.map((l) => ({ a: l.a })) });\n"
	  "}\n", "" },
	{ "async function f(episodes: Repository<Episode>, items) {\n"
	  "  const rows = items.map((item) => episodes.create({ title: item.title }));\n"
	  "  await episodes.save(rows, { chunk: 200 });\n}\n", "" },
	{ "async function f(qr, order) {\n  await qr.manager.save(\n    Chapter,\n"
	  "    order.map((o) => ({ id: o.id, title: o.title })),\n  );\n}\n", "" },
	/* Array.prototype.push / a non-SQL insert */
	{ "function f(xs, tree) {\n  for (const x of xs) {\n    tree.insert(x);\n  }\n}\n", "" },
	/* one batch per chunk */
	{ "async function f(batches) {\n  for (const batch of batches) {\n"
	  "    await prisma.row.createMany({ data: batch });\n  }\n}\n", "" },
	{ NULL, NULL }
};

START_TEST(test_bulk_positives)
{
	ts_expect("missing_bulk_ops", "src/a.ts", &bulk_pos[_i]);
}
END_TEST

START_TEST(test_bulk_negatives)
{
	ts_expect("missing_bulk_ops", "src/a.ts", &bulk_neg[_i]);
}
END_TEST

/* ---- over_fetching (a project on disk for the column counts) ---- */

static const char *proj_run(struct proj *p, const char *id, const char *src, char *buf, size_t n)
{
	struct finding_list fl;
	json_t *files = json_array(), *ctx;
	size_t i, o = 0;
	for (i = 0; i < p->nfiles; i++) {
		const char *f = p->files[i];
		const char *lang = strstr(f, ".prisma") ? "prisma" : strstr(f, ".sql") ? "sql" : "typescript";
		json_array_append_new(files, json_pack("{s:s, s:s, s:s}", "path", f, "role",
						       strstr(f, ".sql") ? "migration" : strstr(f, ".prisma") ? "config" : "source",
						       "language", lang));
	}
	ctx = json_pack("{s:s, s:s, s:o, s:o}", "schema", "pperf.context/1", "codebase_root", p->root, "files", files,
			"db_config", json_object());
	finding_list_init(&fl);
	ck_assert_int_eq(auditor_run_buffer_lang(&query_auditor, id, "src/a.ts", src, strlen(src), ctx,
						 &fl), 0);
	buf[0] = '\0';
	for (i = 0; i < fl.n && o + 12 < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%u", i ? "," : "", fl.v[i].line);
	finding_list_free(&fl);
	json_decref(ctx);
	return buf;
}

START_TEST(test_over_fetching)
{
	struct proj p;
	char buf[64];
	proj_init(&p);
	proj_put(&p, "prisma/schema.prisma",
		 "model Patient {\n  id Int @id\n  a String\n  b String\n  c String\n  d String\n  e String\n"
		 "  f String\n  g String\n  h String\n  i String\n  j String\n  k String\n  visits Visit[]\n}\n"
		 "model Visit {\n  id Int @id\n  patientId Int\n  patient Patient @relation(fields: [patientId], "
		 "references: [id])\n}\n");
	proj_put(&p, "migrations/001.sql",
		 "CREATE TABLE printers (\n id serial PRIMARY KEY,\n a text,\n b text,\n c text,\n d text,\n"
		 " e text,\n f text,\n g text,\n h numeric(3,2),\n i text,\n j text,\n UNIQUE (a, b)\n);\n");
	/* a wide Prisma model listed for three fields */
	ck_assert_str_eq(proj_run(&p, "over_fetching", "async function s(t) {\n  const ps = await prisma.patient.findMany({ where: { a: t } });\n"
				"  return ps.map((x) => ({ id: x.id, label: `${x.a} ${x.b}` }));\n}\n", buf, sizeof(buf)), "2");
	/* select: the columns are chosen */
	ck_assert_str_eq(proj_run(&p, "over_fetching", "async function s(t) {\n  const ps = await prisma.patient.findMany({ select: { id: true } });\n"
				"  return ps.map((x) => x.id);\n}\n", buf, sizeof(buf)), "");
	/* rows returned whole to the client */
	ck_assert_str_eq(proj_run(&p, "over_fetching", "async function s(t) {\n  const ps = await prisma.patient.findMany({ where: { a: t } });\n"
				"  return ps;\n}\n", buf, sizeof(buf)), "");
	/* a detail read */
	ck_assert_str_eq(proj_run(&p, "over_fetching", "async function s(id) {\n  const p = await prisma.patient.findFirst({ where: { id } });\n"
				"  return p.a;\n}\n", buf, sizeof(buf)), "");
	/* a narrow model */
	ck_assert_str_eq(proj_run(&p, "over_fetching", "async function s() {\n  const vs = await prisma.visit.findMany();\n"
				"  return vs.map((v) => v.id);\n}\n", buf, sizeof(buf)), "");
	/* SELECT * of a wide table for three columns */
	ck_assert_str_eq(proj_run(&p, "over_fetching", "app.get('/p', async (req, res) => {\n"
				"  const { rows } = await pool.query('SELECT * FROM printers WHERE a = $1', [1]);\n"
				"  res.json(rows.map((p) => ({ id: p.id, a: p.a })));\n});\n", buf, sizeof(buf)), "2");
	/* most columns used */
	ck_assert_str_eq(proj_run(&p, "over_fetching", "async function s() {\n  const { rows } = await pool.query('SELECT * FROM printers');\n"
				"  for (const r of rows) out.push(r.a + r.b + r.c + r.d + r.e);\n}\n", buf, sizeof(buf)), "");
	proj_free(&p);
}
END_TEST

START_TEST(test_n1_lazy_relation)
{
	struct proj p;
	char buf[64];
	const char *loop = "async function feed(episodes) {\n  for (const ep of episodes) {\n"
			   "    const ch = await ep.chapters;\n    const w = await ep.ready;\n  }\n}\n";
	proj_init(&p);
	proj_put(&p, "src/entities/Episode.ts",
		 "@Entity('episodes')\nexport class Episode {\n  @PrimaryGeneratedColumn()\n  id: number;\n"
		 "  @OneToMany(() => Chapter, (c) => c.episode, { lazy: true })\n  chapters: Promise<Chapter[]>;\n"
		 "  ready: boolean;\n}\n");
	/* the lazy relation is reported, a plain property awaited is not */
	ck_assert_str_eq(proj_run(&p, "n_plus_one_query", loop, buf, sizeof(buf)), "3");
	proj_free(&p);
}
END_TEST

static int count(const struct ts_case *v)
{
	int n = 0;
	while (v[n].src)
		n++;
	return n;
}

Suite *suite_query_ts(void);
Suite *suite_query_ts(void)
{
	Suite *s = suite_create("query_ts");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_n1_positives, 0, count(n1_pos));
	tcase_add_loop_test(tc, test_n1_negatives, 0, count(n1_neg));
	tcase_add_test(tc, test_n1_severity);
	tcase_add_test(tc, test_n1_lazy_relation);
	tcase_add_loop_test(tc, test_upd_positives, 0, count(upd_pos));
	tcase_add_loop_test(tc, test_upd_negatives, 0, count(upd_neg));
	tcase_add_loop_test(tc, test_bulk_positives, 0, count(bulk_pos));
	tcase_add_loop_test(tc, test_bulk_negatives, 0, count(bulk_neg));
	tcase_add_test(tc, test_over_fetching);
	suite_add_tcase(s, tc);
	return s;
}
