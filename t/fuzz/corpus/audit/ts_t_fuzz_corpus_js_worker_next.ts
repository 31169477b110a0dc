import { Worker, Job } from 'bullmq';
export const w = new Worker<{ ids: number[] }>('q', async (job: Job) => {
  for await (const chunk of stream(job.data)) { await db.insert(chunk) }
  do { await sleep(10) } while (!done())
  switch (job.name) { case 'a': await a(); break; default: b() }
}, { connection });
export async function GET(req: Request): Promise<Response> {
  const rows = await sql<Row[]>`SELECT * FROM t WHERE id = ${req.url}`;
  return Response.json(rows.map(({ id, ...rest }) => ({ id, ...rest })) satisfies unknown);
}
label: while (true) { if (x) continue label; else break label }
const o = { async *[Symbol.asyncIterator]() {}, get a() { return 1 }, set a(v) {}, 'b-c': () => d?.e?.[f]?.(g) };
