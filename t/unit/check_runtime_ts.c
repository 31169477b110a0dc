/*
 * Unit tests of the TypeScript/JavaScript runtime checks
 * (audit-runtime/<check>_ts.c, lib/jsrt.c).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auditor.h"
#include "finding.h"
#include "../../audit-runtime/checks.h"

struct ts_case {
	const char *src;
	const char *lines; /* expected finding lines, "" for none */
};

/* Runs check id over src as file path; asserts the finding lines. */
static void ts_expect_at(const char *id, const char *path, const struct ts_case *c)
{
	struct finding_list fl;
	char got[256];
	size_t i, o = 0;
	finding_list_init(&fl);
	ck_assert_int_eq(auditor_run_buffer_lang(&runtime_auditor, id, path, c->src, strlen(c->src), NULL, &fl), 0);
	got[0] = '\0';
	for (i = 0; i < fl.n && o + 12 < sizeof(got); i++) {
		ck_assert_str_eq(fl.v[i].check, id);
		ck_assert_msg(fl.v[i].issue && strlen(fl.v[i].issue) > 20, "empty issue");
		ck_assert_msg(fl.v[i].recommendation && strlen(fl.v[i].recommendation) > 10, "empty recommendation");
		o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%u", i ? "," : "", fl.v[i].line);
	}
	ck_assert_msg(!strcmp(got, c->lines), "%s: expected lines [%s], got [%s] in:\n%s", id, c->lines, got, c->src);
	finding_list_free(&fl);
}

static void ts_expect(const char *id, const struct ts_case *c)
{
	ts_expect_at(id, "src/app.ts", c);
}

/* The only finding's severity and issue + recommendation (malloc'd). */
static enum severity ts_one(const char *id, const char *src, char **text)
{
	struct finding_list fl;
	enum severity s;
	finding_list_init(&fl);
	ck_assert_int_eq(auditor_run_buffer_lang(&runtime_auditor, id, "src/app.ts", src, strlen(src), NULL, &fl), 0);
	ck_assert_msg(fl.n == 1, "%s: expected one finding, got %zu", id, fl.n);
	s = fl.v[0].severity;
	if (text) {
		size_t n = strlen(fl.v[0].issue) + strlen(fl.v[0].recommendation) + 4;
		*text = malloc(n);
		ck_assert_ptr_nonnull(*text);
		snprintf(*text, n, "%s | %s", fl.v[0].issue, fl.v[0].recommendation);
	}
	finding_list_free(&fl);
	return s;
}

/* ---- blocking_io_in_async ---- */

static const struct ts_case bio_pos[] = {
	/* NestJS controller method */
	{ "import { readFileSync } from 'fs';\n@Controller('x')\nexport class C {\n  @Get('p')\n"
	  "  async page(@Res() res) {\n    const html = readFileSync('a.html', 'utf8');\n    res.send(html);\n  }\n}\n",
	  "6" },
	/* a non-async Express route callback */
	{ "import * as fs from 'fs';\nconst app = express();\napp.get('/files', (req, res) => {\n"
	  "  res.json(fs.readdirSync('/x'));\n});\n", "4" },
	/* require forms, renamed imports, child_process */
	{ "const { writeFileSync: wfs } = require('node:fs');\nconst cp = require('child_process');\n"
	  "async function save(b) {\n  wfs('/tmp/x', b);\n  cp.execSync('git status');\n}\n", "4,5" },
	/* a synchronous callback inside an async function */
	{ "import fs from 'fs';\nexport async function load(names: string[]) {\n"
	  "  return names.map((n) => fs.statSync(n).size);\n}\n", "3" },
	/* a listener and a setInterval job */
	{ "import fs from 'fs';\nclient.on('notification', (msg) => {\n  fs.appendFileSync('log', msg.payload);\n});\n"
	  "setInterval(() => {\n  fs.unlinkSync('/tmp/lock');\n}, 1000);\n", "3,6" },
	/* unbound bare call in an async method */
	{ "class S {\n  async f() {\n    return JSON.parse(readFileSync('x.json', 'utf8'));\n  }\n}\n", "3" },
	/* require('fs').readFileSync inline */
	{ "async function f() {\n  return require('fs').readFileSync('x');\n}\n", "2" },
};

static const struct ts_case bio_neg[] = {
	/* module top level at startup */
	{ "import { readFileSync } from 'fs';\nconst key = readFileSync('tls.key');\n", "" },
	/* a plain build-script function, not async */
	{ "import { execSync } from 'child_process';\nimport { writeFileSync } from 'fs';\nfunction main(): void {\n"
	  "  const c = execSync('git rev-parse HEAD').toString();\n  writeFileSync('b.json', c);\n}\nmain();\n", "" },
	/* fs.promises and fs/promises, callback APIs */
	{ "import { promises as fsp } from 'fs';\nimport { readFile } from 'fs/promises';\nimport fs from 'fs';\n"
	  "async function f() {\n  await fsp.readFile('a');\n  await readFile('b');\n  fs.readFile('c', cb);\n"
	  "  await fs.promises.writeFile('d', 'x');\n}\n", "" },
	/* existsSync alone is one cheap stat */
	{ "import { existsSync } from 'fs';\nasync function f() {\n  return existsSync('/x');\n}\n", "" },
	/* worker_threads file */
	{ "import { parentPort } from 'worker_threads';\nimport fs from 'fs';\n"
	  "parentPort.on('message', async (p) => {\n  parentPort.postMessage(fs.readFileSync(p));\n});\n", "" },
	/* execSync('sleep') is sync_sleep_in_async */
	{ "import { execSync } from 'child_process';\nasync function f() {\n  execSync('sleep 2');\n}\n", "" },
	/* a nested plain helper; async bootstrap() run once at startup */
	{ "import fs from 'fs';\nasync function bootstrap() {\n  const k = fs.readFileSync('k');\n  await listen(k);\n}\n"
	  "bootstrap();\nfunction helper() {\n  return fs.readFileSync('x');\n}\n", "" },
	/* a readFileSync of another module, and a method of that name on an object */
	{ "import { readFileSync } from './vfs';\nasync function f(store) {\n  readFileSync('a');\n"
	  "  store.readFileSync('b');\n}\n", "" },
	/* Next.js build-time data function */
	{ "import fs from 'fs';\nexport async function getStaticProps() {\n"
	  "  return { props: { md: fs.readFileSync('posts/a.md', 'utf8') } };\n}\n", "" },
	/* process exit listener must be sync */
	{ "import fs from 'fs';\nprocess.on('exit', () => {\n  fs.writeFileSync('state', 'x');\n});\n", "" },
};

/* through same-file sync helpers: reported at the call site with the chain */
static const struct ts_case bio_trans_pos[] = {
	{ "import fs from 'fs';\nfunction loadTemplate(name) {\n  return fs.readFileSync(name, 'utf8');\n}\n"
	  "function render(n) {\n  return loadTemplate(n).replace('x', 'y');\n}\n"
	  "app.get('/p', (req, res) => {\n  res.send(render('a'));\n});\n", "9" },
	{ "import { readFileSync } from 'fs';\nclass S {\n  private read() {\n    return readFileSync('x');\n  }\n"
	  "  async get() {\n    return this.read();\n  }\n}\n", "7" },
};

static const struct ts_case bio_trans_neg[] = {
	/* the helper runs only at startup */
	{ "import fs from 'fs';\nfunction load() {\n  return fs.readFileSync('x');\n}\nconst cfg = load();\n", "" },
	/* an async helper reports in its own body, not at its awaited call */
	{ "import fs from 'fs';\nasync function load() {\n  return fs.readFileSync('x');\n}\n"
	  "async function f() {\n  return await load();\n}\n", "3" },
	/* a method of another class with the same name */
	{ "import fs from 'fs';\nclass A {\n  read() {\n    return fs.readFileSync('x');\n  }\n}\n"
	  "class B {\n  read() {\n    return 1;\n  }\n  async get() {\n    return this.read();\n  }\n}\n", "" },
};

START_TEST(test_bio_trans)
{
	struct finding_list fl;
	const char *src = bio_trans_pos[0].src;
	ts_expect("blocking_io_in_async", &bio_trans_pos[_i]);
	finding_list_init(&fl);
	ck_assert_int_eq(auditor_run_buffer_lang(&runtime_auditor, "blocking_io_in_async", "src/app.ts", src,
						 strlen(src), NULL, &fl), 0);
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_msg(strstr(fl.v[0].issue, "render -> loadTemplate -> fs.readFileSync"), "%s", fl.v[0].issue);
	ck_assert_int_eq(fl.v[0].severity, SEV_HIGH);
	finding_list_free(&fl);
}
END_TEST

START_TEST(test_bio_trans_neg)
{
	ts_expect("blocking_io_in_async", &bio_trans_neg[_i]);
}
END_TEST

START_TEST(test_bio_pos)
{
	ts_expect("blocking_io_in_async", &bio_pos[_i]);
}
END_TEST

START_TEST(test_bio_neg)
{
	ts_expect("blocking_io_in_async", &bio_neg[_i]);
}
END_TEST

START_TEST(test_bio_script_path)
{
	static const struct ts_case c = { "import fs from 'fs';\nasync function main() {\n  fs.writeFileSync('x', 'y');\n}\n"
					  "export { main };\n", "" };
	static const struct ts_case d = { "import fs from 'fs';\nexport async function main() {\n"
					  "  fs.writeFileSync('x', 'y');\n}\n", "3" };
	ts_expect_at("blocking_io_in_async", "scripts/release.ts", &c);
	ts_expect_at("blocking_io_in_async", "tools/x/gen.mjs", &c);
	ts_expect_at("blocking_io_in_async", "src/release.ts", &d);
}
END_TEST

START_TEST(test_bio_severity_text)
{
	char *s;
	ck_assert_int_eq(ts_one("blocking_io_in_async", bio_pos[1].src, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "app.get('/files')") && strstr(s, "fs.promises.readdir"), "%s", s);
	free(s);
	ck_assert_int_eq(ts_one("blocking_io_in_async", bio_pos[3].src, NULL), SEV_MEDIUM);
}
END_TEST

/* ---- sync_sleep_in_async ---- */

static const struct ts_case sleep_pos[] = {
	{ "app.get('/x', async (req, res) => {\n  const p = new Int32Array(new SharedArrayBuffer(4));\n"
	  "  Atomics.wait(p, 0, 0, 100);\n  res.end();\n});\n", "3" },
	{ "async function f() {\n  const until = Date.now() + 200;\n  while (Date.now() < until) {\n    // spin\n  }\n}\n",
	  "3" },
	{ "async function f() {\n  const t0 = performance.now();\n  do {} while (performance.now() - t0 < 50);\n}\n", "3" },
	{ "import { execSync } from 'child_process';\nasync function f() {\n  execSync('sleep 2');\n"
	  "  execSync(\"sleep\");\n}\n", "3,4" },
	{ "import sleep from 'sleep';\nimport deasync from 'deasync';\nasync function f() {\n  sleep.msleep(10);\n"
	  "  deasync.sleep(5);\n}\n", "4,5" },
	{ "const sleep = require('system-sleep');\nworker.on('job', (j) => {\n  sleep(1000);\n});\n", "3" },
	/* through a same-file helper */
	{ "function throttle(ms) {\n  Atomics.wait(lock, 0, 0, ms);\n}\napp.get('/x', async (req, res) => {\n"
	  "  throttle(50);\n  res.end();\n});\n", "5" },
};

static const struct ts_case sleep_neg[] = {
	{ "async function f() {\n  await new Promise((r) => setTimeout(r, 100));\n}\n", "" },
	{ "import { setTimeout as wait } from 'timers/promises';\nasync function f() {\n  await wait(100);\n}\n", "" },
	/* Atomics.wait in a worker thread file; waitAsync */
	{ "import { parentPort, workerData } from 'worker_threads';\nparentPort.on('message', () => {\n"
	  "  Atomics.wait(workerData.buf, 0, 0, 10);\n});\n", "" },
	{ "async function f(p) {\n  await Atomics.waitAsync(p, 0, 0, 10).value;\n}\n", "" },
	/* a loop that works until a deadline, one that awaits, a for-of using dates */
	{ "async function f(q) {\n  const end = Date.now() + 50;\n  while (Date.now() < end && q.length) {\n"
	  "    handle(q.shift());\n  }\n  while (Date.now() < end) {\n    await tick();\n  }\n"
	  "  for (const a of q) {\n    total += a.end.getTime() - a.start.getTime();\n  }\n}\n", "" },
	/* not async, not a handler */
	{ "function f() {\n  const until = Date.now() + 5;\n  while (Date.now() < until) {}\n}\n", "" },
	/* execSync of another command is blocking I/O, not a sleep */
	{ "import { execSync } from 'child_process';\nasync function f() {\n  execSync('sleepwatcher');\n}\n", "" },
};

START_TEST(test_sleep_pos)
{
	ts_expect("sync_sleep_in_async", &sleep_pos[_i]);
}
END_TEST

START_TEST(test_sleep_neg)
{
	ts_expect("sync_sleep_in_async", &sleep_neg[_i]);
}
END_TEST

/* ---- cpu_bound_in_async ---- */

static const struct ts_case cpu_pos[] = {
	{ "import * as bcrypt from 'bcryptjs';\nclass S {\n  async setPw(p: string) {\n"
	  "    const h = bcrypt.hashSync(p, 12);\n    return bcrypt.compareSync(p, h);\n  }\n}\n", "4,5" },
	{ "import { gzipSync } from 'zlib';\nexport async function feed() {\n  const xml = await build();\n"
	  "  return gzipSync(xml);\n}\n", "4" },
	{ "import crypto from 'crypto';\nrouter.post('/login', (req, res) => {\n"
	  "  const k = crypto.pbkdf2Sync(req.body.pw, salt, 100000, 64, 'sha512');\n  res.end();\n});\n", "3" },
	{ "import { createHash } from 'crypto';\napp.post('/u', upload.single('f'), async (req, res) => {\n"
	  "  const d = createHash('sha256').update(req.file.buffer).digest('hex');\n});\n", "3" },
	{ "import { createHash } from 'crypto';\napp.put('/a', async (req) => {\n  const f = await req.file();\n"
	  "  const audio = await f.toBuffer();\n  return createHash('md5').update(audio).digest('hex');\n});\n", "5" },
	{ "import { promises as fsp } from 'fs';\napp.get('/r', async (req, res) => {\n"
	  "  const data = JSON.parse(await fsp.readFile('/data/big.json', 'utf8'));\n  res.json(data.x);\n});\n",
	  "3" },
	/* through a same-file helper method */
	{ "import bcrypt from 'bcrypt';\nclass Users {\n  private hashPw(p) {\n    return bcrypt.hashSync(p, 12);\n  }\n"
	  "  async register(p) {\n    const h = this.hashPw(p);\n    return h;\n  }\n}\n", "7" },
	{ "import * as cheerio from 'cheerio';\nimport { JSDOM } from 'jsdom';\nasync function scrape(html) {\n"
	  "  const $ = cheerio.load(html);\n  const dom = new JSDOM(html);\n}\n", "4,5" },
};

static const struct ts_case cpu_neg[] = {
	/* the callback/promise forms run on the libuv pool */
	{ "import bcrypt from 'bcrypt';\nimport zlib from 'zlib';\nimport crypto from 'crypto';\nasync function f(p) {\n"
	  "  await bcrypt.hash(p, 12);\n  zlib.gzip(p, cb);\n  crypto.scrypt(p, 's', 64, cb);\n}\n", "" },
	/* hashing a short token; a small header parsed */
	{ "import { createHash } from 'crypto';\napp.use((req, res, next) => {\n"
	  "  req.op = JSON.parse(Buffer.from(String(req.headers['x-op']), 'base64').toString());\n"
	  "  req.tok = createHash('sha256').update(req.headers.token).digest('hex');\n  next();\n});\n", "" },
	/* a sync function at startup */
	{ "import bcrypt from 'bcrypt';\nconst ADMIN = bcrypt.hashSync(process.env.PW, 10);\n"
	  "function seed() {\n  return bcrypt.hashSync('x', 10);\n}\n", "" },
	/* a config file parsed in a plain async helper */
	{ "import { promises as fsp } from 'fs';\nexport async function pkg() {\n"
	  "  return JSON.parse(await fsp.readFile('package.json', 'utf8'));\n}\n", "" },
	/* streaming hash per chunk */
	{ "import { createHash } from 'crypto';\nasync function f(stream) {\n  const h = createHash('sha1');\n"
	  "  for await (const chunk of stream) h.update(chunk);\n  return h.digest('hex');\n}\n", "" },
};

START_TEST(test_cpu_pos)
{
	ts_expect("cpu_bound_in_async", &cpu_pos[_i]);
}
END_TEST

START_TEST(test_cpu_neg)
{
	ts_expect("cpu_bound_in_async", &cpu_neg[_i]);
}
END_TEST

START_TEST(test_cpu_text)
{
	char *s;
	ck_assert_int_eq(ts_one("cpu_bound_in_async", cpu_pos[1].src, &s), SEV_MEDIUM);
	ck_assert_msg(strstr(s, "gzipSync") && strstr(s, "zlib.gzip") && strstr(s, "createGzip"), "%s", s);
	free(s);
}
END_TEST

/* ---- string_concat_in_loop ---- */

static const struct ts_case cat_pos[] = {
	{ "async function csv(rows) {\n  let out = 'id,name\\n';\n  let total = 0;\n  for (const r of rows) {\n"
	  "    out += `${r.id},${r.name}\\n`;\n    total += r.n;\n  }\n  return out;\n}\n", "5" },
	/* three += on one string in one loop: reported once */
	{ "function rss(eps) {\n  let xml = `<rss>`;\n  for (const e of eps) {\n    xml += `<item>${e.t}`;\n"
	  "    xml += `</item>`;\n    xml += '\\n';\n  }\n  return xml;\n}\n", "4" },
	/* s = s + ..., a forEach callback, a declared string type */
	{ "function f(rows) {\n  let html: string;\n  html = '';\n  rows.forEach((r) => {\n"
	  "    html = html + '<tr>' + r.name + '</tr>';\n  });\n  return html;\n}\n", "5" },
	/* lines taken from an array by index */
	{ "function f(lines: string[]) {\n  let doc = '';\n  for (let i = 0; i < lines.length; i++) {\n"
	  "    doc += lines[i];\n  }\n  return doc;\n}\n", "4" },
	/* unknown declaration, string literal on the right */
	{ "function f(rows, sql) {\n  while (rows.length) {\n    sql += 'INSERT INTO t VALUES (' + rows.pop() + ');';\n"
	  "  }\n  return sql;\n}\n", "3" },
};

static const struct ts_case cat_neg[] = {
	/* numbers */
	{ "function f(xs) {\n  let total = 0;\n  let n: number = 1;\n  for (const x of xs) {\n    total += x.amount;\n"
	  "    n += x.count;\n  }\n  return total + n;\n}\n", "" },
	/* declared inside the loop: reset every iteration */
	{ "function f(rows) {\n  for (const r of rows) {\n    let line = '';\n    line += r.a;\n    line += r.b;\n"
	  "    emit(line);\n  }\n}\n", "" },
	/* not in a loop */
	{ "function f(a) {\n  let s = 'x';\n  s += a;\n  return s;\n}\n", "" },
	/* a buffer reset in the loop, char-by-char scanners, a small counted loop */
	{ "async function f(reader) {\n  let buf = '';\n  for (;;) {\n    buf += await reader.read();\n"
	  "    const i = buf.indexOf('\\n');\n    buf = buf.slice(i + 1);\n  }\n}\n"
	  "function g(src) {\n  let word = '';\n  for (const ch of src) {\n    word += ch;\n  }\n"
	  "  let code = '';\n  for (let i = 0; i < 8; i++) {\n    code += chars.charAt(i);\n  }\n"
	  "  return word + code;\n}\n", "" },
	/* counting down from a small literal */
	{ "function hex(v) {\n  let s = '';\n  for (let i = 7; i >= 0; i--) {\n    s += ((v >>> (i * 4)) & 15).toString(16);\n"
	  "  }\n  return s;\n}\n", "" },
	/* an array, not a string */
	{ "function f(xs) {\n  let parts = [];\n  for (const x of xs) {\n    parts += x;\n  }\n}\n", "" },
};

START_TEST(test_cat_pos)
{
	ts_expect("string_concat_in_loop", &cat_pos[_i]);
}
END_TEST

START_TEST(test_cat_neg)
{
	ts_expect("string_concat_in_loop", &cat_neg[_i]);
}
END_TEST

START_TEST(test_cat_severity)
{
	char *s;
	ck_assert_int_eq(ts_one("string_concat_in_loop",
				"app.get('/r', async (req, res) => {\n  let csv = '';\n  for (const r of rows) {\n"
				"    csv += `${r.id}\\n`;\n  }\n  res.send(csv);\n});\n", &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "join('')"), "%s", s);
	free(s);
	ck_assert_int_eq(ts_one("string_concat_in_loop", cat_pos[0].src, NULL), SEV_MEDIUM);
}
END_TEST

/* ---- unnecessary_allocation ---- */

static const struct ts_case alloc_pos[] = {
	{ "async function f(rows) {\n  const missed = rows.filter((r) => r.s === 'NO').length;\n  return missed;\n}\n",
	  "2" },
	{ "function f(xs) {\n  return xs.filter((e) => e.explicit)[0];\n}\n", "2" },
	{ "function f(xs, id) {\n  if (xs.map((x) => x.id).includes(id)) return 1;\n"
	  "  return xs.map((x) => x.id).indexOf(id);\n}\n", "2,3" },
	{ "function f(s: Set<string>, m: Map<string, number>) {\n  return [...s].length + Array.from(m.keys()).length;\n}\n",
	  "2,2" },
	{ "function f(xs) {\n  return xs.filter((x) => x.ok).length > 0 || !xs.filter(bad).length;\n}\n", "2,2" },
};

static const struct ts_case alloc_neg[] = {
	/* the arrays are returned, reused, joined */
	{ "function f(xs) {\n  const ok = xs.filter((x) => x.ok);\n  return { ok, n: ok.length };\n}\n", "" },
	{ "function f(xs) {\n  return xs.map((x) => x.name).join(', ');\n}\n", "" },
	{ "function f(xs) {\n  return xs.some((x) => x.bad) || xs.find((x) => x.ok);\n}\n", "" },
	{ "function f(xs) {\n  return xs.filter((p) => p).map((p) => p.email);\n}\n", "" },
	/* a literal of three items; [...a, b] is not a plain spread */
	{ "function f(a, b, c) {\n  return [a, b, c].filter(Boolean).length === 1 || [...a, b].length;\n}\n", "" },
};

START_TEST(test_alloc_pos)
{
	ts_expect("unnecessary_allocation", &alloc_pos[_i]);
}
END_TEST

START_TEST(test_alloc_neg)
{
	ts_expect("unnecessary_allocation", &alloc_neg[_i]);
}
END_TEST

START_TEST(test_alloc_text)
{
	char *s;
	ck_assert_int_eq(ts_one("unnecessary_allocation", alloc_pos[1].src, &s), SEV_LOW);
	ck_assert_msg(strstr(s, ".find("), "%s", s);
	free(s);
	ck_assert_int_eq(ts_one("unnecessary_allocation", alloc_pos[0].src, NULL), SEV_MEDIUM);
}
END_TEST

/* ---- redundant_copy ---- */

static const struct ts_case copy_pos[] = {
	{ "async function f(event) {\n  const snapshot = { ...event };\n"
	  "  log.debug(`pushing ${snapshot.id} (${snapshot.start})`);\n  await send(event);\n}\n", "2" },
	{ "async function f(show) {\n  const meta = structuredClone(show);\n  return `<t>${esc(meta.title)}</t>` + meta.lang;\n}\n",
	  "2" },
	{ "function f(cfg) {\n  const c = JSON.parse(JSON.stringify(cfg));\n  if (c.debug) return c.level;\n  return 0;\n}\n",
	  "2" },
	{ "function f(xs) {\n  for (const g of groups) {\n    const copy = xs.slice();\n"
	  "    for (const x of copy) use(x.id);\n  }\n}\n", "3" },
	{ "function f(o) {\n  const a = Object.assign({}, o);\n  return a.x + a.y;\n}\n", "2" },
};

static const struct ts_case copy_neg[] = {
	/* rest copy returned; merges */
	{ "function f(p) {\n  const { hash, ...visible } = p;\n  return visible;\n}\n", "" },
	{ "function f(body) {\n  const show = { ...body, language: 'en' };\n  return show.x;\n}\n", "" },
	{ "function f(d, o) {\n  const opts = { ...d, ...o };\n  return opts.x;\n}\n", "" },
	/* the copy is sorted, pushed, assigned, returned, passed on, stored */
	{ "function f(xs) {\n  const s = xs.slice();\n  s.sort();\n  return s[0];\n}\n", "" },
	{ "function f(o) {\n  const c = { ...o };\n  c.x = 1;\n  return c.y;\n}\n", "" },
	{ "function f(o) {\n  const c = structuredClone(o);\n  save(c);\n}\n", "" },
	{ "function f(o) {\n  const c = { ...o };\n  return { c, n: c.n };\n}\n", "" },
	/* a snapshot taken before the source changes */
	{ "function f(user, name) {\n  const before = { ...user };\n  user.name = name;\n"
	  "  log(`${before.name} -> ${user.name}`);\n}\n", "" },
	/* never read: nothing to say */
	{ "function f(o) {\n  const c = { ...o };\n}\n", "" },
	/* [...set] and Array.from conversions are not copies here */
	{ "function f(s) {\n  const a = [...s];\n  const b = Array.from(s);\n  return a[0] + b[0];\n}\n", "" },
};

START_TEST(test_copy_pos)
{
	ts_expect("redundant_copy", &copy_pos[_i]);
}
END_TEST

START_TEST(test_copy_neg)
{
	ts_expect("redundant_copy", &copy_neg[_i]);
}
END_TEST

START_TEST(test_copy_severity)
{
	ck_assert_int_eq(ts_one("redundant_copy", copy_pos[0].src, NULL), SEV_LOW);
	ck_assert_int_eq(ts_one("redundant_copy", copy_pos[3].src, NULL), SEV_MEDIUM);
}
END_TEST

/* hostile inputs: no crash for any check */
START_TEST(test_hostile)
{
	static const char *const ids[] = { "blocking_io_in_async", "sync_sleep_in_async", "cpu_bound_in_async",
					   "string_concat_in_loop", "unnecessary_allocation", "redundant_copy", NULL };
	static const char *const srcs[] = {
		"", "const x = { ...", "import { a as } from", "const { a: } = require(", "for (;;) { s +=",
		"async () => { while (Date.now() <", "`${`${x", "const c = structuredClone(", "[...].length",
		"x.filter(", "require('fs').", "import * as from 'fs'", NULL
	};
	int i, j;
	for (i = 0; ids[i]; i++)
		for (j = 0; srcs[j]; j++) {
			struct finding_list fl;
			finding_list_init(&fl);
			ck_assert_int_eq(auditor_run_buffer_lang(&runtime_auditor, ids[i], "src/h.ts", srcs[j],
								 strlen(srcs[j]), NULL, &fl), 0);
			finding_list_free(&fl);
		}
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *suite_runtime_ts(void)
{
	Suite *s = suite_create("runtime_ts");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_bio_pos, 0, N(bio_pos));
	tcase_add_loop_test(tc, test_bio_neg, 0, N(bio_neg));
	tcase_add_test(tc, test_bio_script_path);
	tcase_add_loop_test(tc, test_bio_trans, 0, N(bio_trans_pos));
	tcase_add_loop_test(tc, test_bio_trans_neg, 0, N(bio_trans_neg));
	tcase_add_test(tc, test_bio_severity_text);
	tcase_add_loop_test(tc, test_sleep_pos, 0, N(sleep_pos));
	tcase_add_loop_test(tc, test_sleep_neg, 0, N(sleep_neg));
	tcase_add_loop_test(tc, test_cpu_pos, 0, N(cpu_pos));
	tcase_add_loop_test(tc, test_cpu_neg, 0, N(cpu_neg));
	tcase_add_test(tc, test_cpu_text);
	tcase_add_loop_test(tc, test_cat_pos, 0, N(cat_pos));
	tcase_add_loop_test(tc, test_cat_neg, 0, N(cat_neg));
	tcase_add_test(tc, test_cat_severity);
	tcase_add_loop_test(tc, test_alloc_pos, 0, N(alloc_pos));
	tcase_add_loop_test(tc, test_alloc_neg, 0, N(alloc_neg));
	tcase_add_test(tc, test_alloc_text);
	tcase_add_loop_test(tc, test_copy_pos, 0, N(copy_pos));
	tcase_add_loop_test(tc, test_copy_neg, 0, N(copy_neg));
	tcase_add_test(tc, test_copy_severity);
	tcase_add_test(tc, test_hostile);
	suite_add_tcase(s, tc);
	return s;
}
