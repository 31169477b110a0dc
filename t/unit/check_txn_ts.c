/*
 * TypeScript implementations of the transaction checks: missing_rollback,
 * scope_too_wide, long_held_transaction, missing_intermediate_commits,
 * scope_too_narrow (audit-txn/..._ts.c, lib/jstxn.c).  Each source starts
 * at line 1.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "auditor.h"
#include "finding.h"
#include "../../audit-txn/checks.h"

struct ts_case {
	const char *src;
	const char *lines;  /* lines of the findings, "" for none */
	enum severity sev;  /* of the first finding, SEV_NONE: not checked */
};

static void run_ctx(const char *id, const struct ts_case *c, const json_t *ctx)
{
	struct finding_list fl;
	char got[256];
	size_t i, o = 0;
	finding_list_init(&fl);
	int rc = auditor_run_buffer_lang(&txn_auditor, id, "src/x.ts", c->src, strlen(c->src), ctx, &fl);
	ck_assert_int_eq(rc, 0);
	got[0] = '\0';
	for (i = 0; i < fl.n && o + 12 < sizeof(got); i++) {
		ck_assert_str_eq(fl.v[i].check, id);
		ck_assert_msg(fl.v[i].issue && strlen(fl.v[i].issue) > 20, "empty issue");
		ck_assert_msg(fl.v[i].recommendation && strlen(fl.v[i].recommendation) > 20,
			      "empty recommendation");
		o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%u", i ? "," : "", fl.v[i].line);
	}
	ck_assert_msg(!strcmp(got, c->lines), "%s: expected [%s], got [%s] "
					      "in:\n%s", id, c->lines, got, c->src);
	if (c->sev != SEV_NONE && fl.n)
		ck_assert_msg(fl.v[0].severity == c->sev, "%s: severity %d, expected %d in:\n%s", id,
			      (int)fl.v[0].severity, (int)c->sev, c->src);
	finding_list_free(&fl);
}

static void run(const char *id, const struct ts_case *c)
{
	run_ctx(id, c, NULL);
}

#define RUN_ALL(id, arr)                                             \
	do {                                                         \
		size_t k_;                                           \
		for (k_ = 0; k_ < sizeof(arr) / sizeof(arr[0]); k_++) \
			run(id, &arr[k_]);                           \
	} while (0)

/* ---- missing_rollback ---- */

static const struct ts_case mr_pos[] = {
	/* pg BEGIN..COMMIT with no try at all */
	{ "app.post('/q', async (req, res) => {\n"
	  "  const client = await pool.connect();\n"
	  "  await client.query('BEGIN');\n"
	  "  await client.query('UPDATE a SET x = 1 WHERE id = $1', [1]);\n"
	  "  await client.query('COMMIT');\n"
	  "  client.release();\n"
	  "});\n", "5", SEV_MEDIUM },
	/* TypeORM: try/finally only releases */
	{ "export class S {\n"
	  "  async f() {\n"
	  "    const qr = this.ds.createQueryRunner();\n"
	  "    await qr.startTransaction();\n"
	  "    try {\n"
	  "      await qr.manager.delete(Chapter, { id: 1 });\n"
	  "      await qr.commitTransaction();\n"
	  "    } finally {\n"
	  "      await qr.release();\n"
	  "    }\n"
	  "  }\n"
	  "}\n", "7", SEV_MEDIUM },
	/* knex manual transaction, catch only logs */
	{ "async function f() {\n"
	  "  const trx = await knex.transaction();\n"
	  "  try {\n"
	  "    await trx('users').update({ a: 1 });\n"
	  "    await trx.commit();\n"
	  "  } catch (e) {\n"
	  "    console.error(e);\n"
	  "  }\n"
	  "}\n", "5", SEV_MEDIUM },
};

static const struct ts_case mr_neg[] = {
	/* catch sends ROLLBACK */
	{ "async function f(pool) {\n"
	  "  const client = await pool.connect();\n"
	  "  try {\n"
	  "    await client.query('BEGIN');\n"
	  "    await client.query('INSERT INTO t (a) VALUES ($1)', [1]);\n"
	  "    await client.query('COMMIT');\n"
	  "  } catch (err) {\n"
	  "    await client.query('ROLLBACK');\n"
	  "    throw err;\n"
	  "  } finally {\n"
	  "    client.release();\n"
	  "  }\n"
	  "}\n", "", SEV_NONE },
	/* catch destroys the client with release(err) */
	{ "async function f(pool) {\n"
	  "  const client = await pool.connect();\n"
	  "  try {\n"
	  "    await client.query('BEGIN');\n"
	  "    await client.query('COMMIT');\n"
	  "    client.release();\n"
	  "  } catch (err) {\n"
	  "    client.release(err);\n"
	  "    throw err;\n"
	  "  }\n"
	  "}\n", "", SEV_NONE },
	/* TypeORM with rollbackTransaction in the catch */
	{ "async function f(ds) {\n"
	  "  const qr = ds.createQueryRunner();\n"
	  "  await qr.startTransaction();\n"
	  "  try {\n"
	  "    await qr.manager.update(Show, { id: 1 }, { a: null });\n"
	  "    await qr.commitTransaction();\n"
	  "  } catch (err) {\n"
	  "    await qr.rollbackTransaction();\n"
	  "    throw err;\n"
	  "  } finally {\n"
	  "    await qr.release();\n"
	  "  }\n"
	  "}\n", "", SEV_NONE },
	/* callback forms roll back by themselves; Prisma has no manual commit */
	{ "async function f() {\n"
	  "  await knex.transaction(async (trx) => { await trx('a').insert({ x: 1 }); });\n"
	  "  await this.prisma.$transaction(async (tx) => { await tx.user.create({ data: {} }); });\n"
	  "  await ds.transaction(async (em) => { await em.save(x); });\n"
	  "}\n", "", SEV_NONE },
	/* a git-style commit() on something that is no transaction */
	{ "async function f(repo) {\n"
	  "  await repo.add('.');\n"
	  "  await repo.commit('msg');\n"
	  "}\n", "", SEV_NONE },
};

START_TEST(test_missing_rollback)
{
	RUN_ALL("missing_rollback", mr_pos);
	RUN_ALL("missing_rollback", mr_neg);
}
END_TEST

/* ---- scope_too_wide ---- */

static const struct ts_case stw_pos[] = {
	/* fetch inside Prisma's interactive transaction */
	{ "async function book(prisma) {\n"
	  "  return prisma.$transaction(async (tx) => {\n"
	  "    const a = await tx.appointment.create({ data: {} });\n"
	  "    const res = await fetch('https://insurer/api', { method: 'POST' });\n"
	  "    return a;\n"
	  "  });\n"
	  "}\n", "4", SEV_HIGH },
	/* S3 send(new PutObjectCommand) inside a TypeORM transaction callback */
	{ "import { PutObjectCommand } from '@aws-sdk/client-s3';\n"
	  "async function f(ds, s3) {\n"
	  "  await ds.transaction(async (em) => {\n"
	  "    await em.save(ep);\n"
	  "    await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'k' }));\n"
	  "  });\n"
	  "}\n", "5", SEV_HIGH },
	/* fs/promises write between BEGIN and COMMIT */
	{ "import { promises as fsp } from 'fs';\n"
	  "async function f(client) {\n"
	  "  await client.query('BEGIN');\n"
	  "  await fsp.writeFile('/tmp/x', 'y');\n"
	  "  await client.query('COMMIT');\n"
	  "}\n", "4", SEV_MEDIUM },
	/* one call deep: a method of the class that posts with axios */
	{ "import axios from 'axios';\n"
	  "export class S {\n"
	  "  async notify(id) {\n"
	  "    await axios.post('https://hooks/x', { id });\n"
	  "  }\n"
	  "  async f() {\n"
	  "    await this.prisma.$transaction(async (tx) => {\n"
	  "      await tx.order.update({ where: { id: 1 }, data: {} });\n"
	  "      await this.notify(1);\n"
	  "    });\n"
	  "  }\n"
	  "}\n", "9", SEV_HIGH },
};

static const struct ts_case stw_neg[] = {
	/* HTTP before BEGIN and after COMMIT */
	{ "async function f(client) {\n"
	  "  const r = await fetch('https://x');\n"
	  "  await client.query('BEGIN');\n"
	  "  await client.query('UPDATE a SET b = 1');\n"
	  "  await client.query('COMMIT');\n"
	  "  await fetch('https://y');\n"
	  "}\n", "", SEV_NONE },
	/* two transactions in a row on one client: the HTTP call runs between them */
	{ "async function f(client) {\n"
	  "  await client.query('BEGIN');\n"
	  "  await client.query('UPDATE a SET b = 1');\n"
	  "  await client.query('COMMIT');\n"
	  "  await fetch('https://y');\n"
	  "  await client.query('BEGIN');\n"
	  "  await client.query('UPDATE a SET b = 2');\n"
	  "  await client.query('COMMIT');\n"
	  "}\n", "", SEV_NONE },
	/* array form: no user code inside */
	{ "async function f(prisma) {\n"
	  "  await prisma.$transaction([prisma.a.update({ where: { id: 1 }, data: {} }), "
	  "prisma.b.deleteMany({})]);\n"
	  "  await fetch('https://x');\n"
	  "}\n", "", SEV_NONE },
	/* a local function named fetch-like that is not HTTP, and a map lookup .get */
	{ "async function f(prisma, cache) {\n"
	  "  await prisma.$transaction(async (tx) => {\n"
	  "    const v = cache.get('k');\n"
	  "    await tx.a.create({ data: { v } });\n"
	  "  });\n"
	  "}\n", "", SEV_NONE },
};

START_TEST(test_scope_too_wide)
{
	RUN_ALL("scope_too_wide", stw_pos);
	RUN_ALL("scope_too_wide", stw_neg);
}
END_TEST

/* ---- long_held_transaction ---- */

static const struct ts_case lh_pos[] = {
	/* promisified execFile between BEGIN and COMMIT: reported at the BEGIN */
	{ "import { execFile } from 'child_process';\n"
	  "import { promisify } from 'util';\n"
	  "const run = promisify(execFile);\n"
	  "async function f(client) {\n"
	  "  await client.query('BEGIN');\n"
	  "  await run('slicer', ['a']);\n"
	  "  await client.query('COMMIT');\n"
	  "}\n", "5", SEV_HIGH },
	/* a setTimeout promise inside Prisma's interactive transaction */
	{ "async function f(prisma) {\n"
	  "  await prisma.$transaction(async (tx) => {\n"
	  "    await tx.a.update({ where: { id: 1 }, data: {} });\n"
	  "    await new Promise((r) => setTimeout(r, 1000));\n"
	  "  });\n"
	  "}\n", "2", SEV_HIGH },
	/* HTTP in a knex transaction callback */
	{ "async function f() {\n"
	  "  await knex.transaction(async (trx) => {\n"
	  "    await got.post('https://x');\n"
	  "  });\n"
	  "}\n", "2", SEV_HIGH },
};

static const struct ts_case lh_neg[] = {
	/* sleep after the commit; file I/O alone is optional */
	{ "import fs from 'fs/promises';\n"
	  "async function f(client) {\n"
	  "  await client.query('BEGIN');\n"
	  "  await fs.writeFile('/tmp/a', 'b');\n"
	  "  await client.query('COMMIT');\n"
	  "  await sleep(1000);\n"
	  "}\n", "", SEV_NONE },
	/* a setTimeout callback that is not awaited (a timer, no wait) */
	{ "async function f(prisma) {\n"
	  "  await prisma.$transaction(async (tx) => {\n"
	  "    setTimeout(() => log('x'), 10);\n"
	  "    await tx.a.create({ data: {} });\n"
	  "  });\n"
	  "}\n", "", SEV_NONE },
	/* array form */
	{ "async function f(prisma) {\n"
	  "  await prisma.$transaction([prisma.a.create({ data: {} })]);\n"
	  "  await sleep(5);\n"
	  "}\n", "", SEV_NONE },
};

START_TEST(test_long_held_transaction)
{
	RUN_ALL("long_held_transaction", lh_pos);
	RUN_ALL("long_held_transaction", lh_neg);
}
END_TEST

/* ---- missing_intermediate_commits ---- */

static json_t *trigger_ctx(void)
{
	/* AFTER UPDATE OF status, progress ON print_jobs, as discover writes it */
	return json_pack("{s:s, s:{s:[{s:s, s:s, s:s, s:[s,s], s:b, s:s, s:s, s:s}]}, "
			 "s:[]}", "schema", "pperf.context/1",
			 "db_config", "triggers", "name", "jobs_progress", "table", "print_jobs", "event",
			 "UPDATE", "columns", "status", "progress", "notify", 1, "channel", "job_progress",
			 "function", "notify_job",
			 "location",
			 "migrations/001.sql:3", "files");
}

static const struct ts_case mic_pos[] = {
	/* pg: UPDATE of the notifying table per job between BEGIN and COMMIT */
	{ "async function f(client, jobs) {\n"
	  "  await client.query('BEGIN');\n"
	  "  for (const job of jobs) {\n"
	  "    await client.query('UPDATE print_jobs SET progress = $1 WHERE id = $2', [100, job.id]);\n"
	  "  }\n"
	  "  await client.query('COMMIT');\n"
	  "}\n", "4", SEV_HIGH },
	/* Prisma model PrintJob on table print_jobs (snake_case plural), interactive transaction */
	{ "async function f(prisma, jobs) {\n"
	  "  await prisma.$transaction(async (tx) => {\n"
	  "    for (const j of jobs) {\n"
	  "      await tx.printJob.update({ where: { id: j.id }, data: { progress: 50 } });\n"
	  "    }\n"
	  "  });\n"
	  "}\n", "4", SEV_HIGH },
	/* the written fields are not visible (data: patch): may set progress */
	{ "async function f(prisma, jobs, patch) {\n"
	  "  await prisma.$transaction(async (tx) => {\n"
	  "    for (const j of jobs) {\n"
	  "      await tx.printJob.update({ where: { id: j.id }, data: patch });\n"
	  "    }\n"
	  "  });\n"
	  "}\n", "4", SEV_HIGH },
};

static const struct ts_case mic_neg[] = {
	/* UPDATE OF status, progress: the loop writes other columns only */
	{ "async function f(client, jobs) {\n"
	  "  await client.query('BEGIN');\n"
	  "  for (const job of jobs) {\n"
	  "    await client.query('UPDATE print_jobs SET note = $1 WHERE id = $2', ['x', job.id]);\n"
	  "  }\n"
	  "  await client.query('COMMIT');\n"
	  "}\n", "", SEV_NONE },
	{ "async function f(prisma, jobs) {\n"
	  "  await prisma.$transaction(async (tx) => {\n"
	  "    for (const j of jobs) {\n"
	  "      await tx.printJob.update({ where: { id: j.id }, data: { lastSeenAt: new Date() } });\n"
	  "    }\n"
	  "  });\n"
	  "}\n", "", SEV_NONE },
	/* the same loop without a transaction autocommits each UPDATE */
	{ "async function f(pool, jobs) {\n"
	  "  for (const job of jobs) {\n"
	  "    await pool.query('UPDATE print_jobs SET progress = $1 WHERE id = $2', [100, job.id]);\n"
	  "  }\n"
	  "}\n", "", SEV_NONE },
	/* a table without a NOTIFY trigger; INSERTs the UPDATE trigger does not fire on */
	{ "async function f(client, jobs) {\n"
	  "  await client.query('BEGIN');\n"
	  "  for (const job of jobs) {\n"
	  "    await client.query('UPDATE printers SET busy = true WHERE id = $1', [job.p]);\n"
	  "    await client.query('INSERT INTO print_jobs (a) VALUES ($1)', [job.a]);\n"
	  "  }\n"
	  "  await client.query('COMMIT');\n"
	  "}\n", "", SEV_NONE },
	/* one transaction per item: the loop is outside the transaction */
	{ "async function f(prisma, jobs) {\n"
	  "  for (const j of jobs) {\n"
	  "    await prisma.$transaction(async (tx) => {\n"
	  "      await tx.printJob.update({ where: { id: j.id }, data: { progress: 50 } });\n"
	  "    });\n"
	  "  }\n"
	  "}\n", "", SEV_NONE },
};

START_TEST(test_missing_intermediate_commits)
{
	json_t *ctx = trigger_ctx();
	size_t k;
	ck_assert_ptr_nonnull(ctx);
	for (k = 0; k < sizeof(mic_pos) / sizeof(mic_pos[0]); k++)
		run_ctx("missing_intermediate_commits", &mic_pos[k], ctx);
	for (k = 0; k < sizeof(mic_neg) / sizeof(mic_neg[0]); k++)
		run_ctx("missing_intermediate_commits", &mic_neg[k], ctx);
	/* without triggers in the context nothing is reported */
	run("missing_intermediate_commits", &(struct ts_case){ mic_pos[0].src, "", SEV_NONE });
	json_decref(ctx);
}
END_TEST

/* ---- scope_too_narrow ---- */

static const struct ts_case stn_pos[] = {
	/* Prisma parent then children with its id, two autocommitted statements */
	{ "async function f(prisma, codes) {\n"
	  "  const invoice = await prisma.invoice.create({ data: { total: 1 } });\n"
	  "  await prisma.invoiceLine.createMany({ data: codes.map((c) => ({ invoiceId: invoice.id, c })) "
	  "});\n"
	  "}\n", "2", SEV_HIGH },
	/* pg INSERT ... RETURNING then a second INSERT with rows[0].id */
	{ "app.post('/jobs', async (req, res) => {\n"
	  "  const { rows } = await pool.query('INSERT INTO jobs (a) VALUES ($1) RETURNING id', [1]);\n"
	  "  await pool.query('INSERT INTO job_events (job_id) VALUES ($1)', [rows[0].id]);\n"
	  "});\n", "2", SEV_HIGH },
	/* TypeORM save(parent) then save(child built from it) */
	{ "async function f() {\n"
	  "  const shows = ds.getRepository(Show);\n"
	  "  const episodes = ds.getRepository(Episode);\n"
	  "  const show = shows.create({ title: 't' });\n"
	  "  await shows.save(show);\n"
	  "  const trailer = episodes.create({ showId: show.id });\n"
	  "  await episodes.save(trailer);\n"
	  "}\n", "5", SEV_HIGH },
};

static const struct ts_case stn_neg[] = {
	/* nested create: one statement */
	{ "async function f(prisma, lines) {\n"
	  "  return prisma.invoice.create({ data: { total: 1, lines: { create: lines } } });\n"
	  "}\n", "", SEV_NONE },
	/* the array form $transaction([a, b]) */
	{ "async function f(prisma, id) {\n"
	  "  const [inv] = await prisma.$transaction([\n"
	  "    prisma.invoice.update({ where: { id }, data: { status: 'VOID' } }),\n"
	  "    prisma.invoiceLine.deleteMany({ where: { invoiceId: id } }),\n"
	  "  ]);\n"
	  "}\n", "", SEV_NONE },
	/* both writes inside an interactive transaction */
	{ "async function f(prisma) {\n"
	  "  await prisma.$transaction(async (tx) => {\n"
	  "    const o = await tx.order.create({ data: {} });\n"
	  "    await tx.item.create({ data: { orderId: o.id } });\n"
	  "  });\n"
	  "}\n", "", SEV_NONE },
	/* a helper writing through the caller's transaction client */
	{ "async function createOrder(tx: Prisma.TransactionClient, items) {\n"
	  "  const o = await tx.order.create({ data: {} });\n"
	  "  await tx.item.createMany({ data: items.map((i) => ({ orderId: o.id })) });\n"
	  "}\n", "", SEV_NONE },
	/* independent writes: nothing flows from the first to the second */
	{ "async function f(prisma, a, b) {\n"
	  "  await prisma.tag.create({ data: { name: a } });\n"
	  "  await prisma.tag.create({ data: { name: b } });\n"
	  "}\n", "", SEV_NONE },
};

START_TEST(test_scope_too_narrow)
{
	RUN_ALL("scope_too_narrow", stn_pos);
	RUN_ALL("scope_too_narrow", stn_neg);
}
END_TEST

Suite *suite_txn_ts(void);
Suite *suite_txn_ts(void)
{
	Suite *s = suite_create("txn_ts");
	TCase *tc = tcase_create("txn_ts");
	tcase_add_test(tc, test_missing_rollback);
	tcase_add_test(tc, test_scope_too_wide);
	tcase_add_test(tc, test_long_held_transaction);
	tcase_add_test(tc, test_missing_intermediate_commits);
	tcase_add_test(tc, test_scope_too_narrow);
	suite_add_tcase(s, tc);
	return s;
}
