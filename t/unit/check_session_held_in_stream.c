/*
 * Unit tests of audit-txn/session_held_in_stream.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "db_helpers.h"
#include "../../audit-txn/checks.h"

#define ID "session_held_in_stream"

#define HDR "from fastapi import APIRouter, BackgroundTasks, Depends, WebSocket\n" \
	"from fastapi.responses import StreamingResponse\n"

static const struct db_case positives[] = {
	/* a nested SSE generator polling with the injected session */
	{ HDR "@router.get('/events')\nasync def events(db: AsyncSession = Depends(get_db)):\n"
	  "    async def gen():\n        while True:\n"
	  "            rows = (await db.execute(select(Event))).scalars().all()\n"
	  "            yield render(rows)\n            await asyncio.sleep(1)\n"
	  "    return StreamingResponse(gen(), media_type='text/event-stream')\n", "10" },
	/* the session passed to a generator function (one that yields, one annotated as
	 * an iterator), EventSourceResponse, an Annotated alias */
	{ HDR "@router.get('/export')\ndef export(session: SessionDep):\n"
	  "    return StreamingResponse(stream_csv(session, Order), media_type='text/csv')\n"
	  "@router.get('/sse')\nasync def sse(db: Annotated[AsyncSession, Depends(get_db)]):\n"
	  "    stream = progress_events(db)\n    return EventSourceResponse(stream)\n"
	  "def stream_csv(session, model):\n    for row in session.scalars(select(model)):\n        yield row.csv()\n"
	  "def progress_events(db) -> AsyncIterator[str]:\n    return poll(db)\n", "5,9" },
	/* a generator expression over the session's stream */
	{ HDR "@router.get('/rows')\nasync def rows(db: AsyncSession = Depends(get_db)):\n"
	  "    result = await db.stream_scalars(select(Row))\n"
	  "    return StreamingResponse((r.csv() async for r in db.stream_scalars(q)))\n", "6" },
	/* a websocket handler that queries inside its receive loop */
	{ HDR "@router.websocket('/ws/{room}')\nasync def room(websocket: WebSocket, room: str,\n"
	  "               db: AsyncSession = Depends(get_db)):\n    await websocket.accept()\n"
	  "    while True:\n        text = await websocket.receive_text()\n"
	  "        msg = Message(room=room, text=text)\n        db.add(msg)\n"
	  "        await db.flush()\n        await websocket.send_json({'id': msg.id})\n", "10" },
	/* a websocket handler that reads before its loop and never ends that transaction */
	{ HDR "@app.websocket('/ws')\nasync def feed(ws: WebSocket, session: AsyncSession = Depends(get_session)):\n"
	  "    user = await session.get(User, 1)\n    await ws.accept()\n"
	  "    async for msg in ws.iter_text():\n        await ws.send_text(f'{user.name}: {msg}')\n", "5" },
	/* a path operation that streams what it yields (JSON lines, SSE) */
	{ HDR "@router.get('/ticks', response_class=EventSourceResponse)\n"
	  "async def ticks(db: AsyncSession = Depends(get_db)):\n    while True:\n"
	  "        n = await db.scalar(select(func.count(Tick.id)))\n        yield {'count': n}\n"
	  "        await asyncio.sleep(1)\n", "6" },
	/* the session handed to a background task, as an argument or through a nested function */
	{ HDR "@router.post('/cases')\ndef create_case(case_in: CaseIn, background_tasks: BackgroundTasks,\n"
	  "                db_session: Session = Depends(get_db)):\n    case = create(db_session, case_in)\n"
	  "    background_tasks.add_task(case_flow, case_id=case.id, db_session=db_session)\n    return case\n"
	  "@router.post('/mail')\nasync def mail(tasks: BackgroundTasks, db: AsyncSession = Depends(get_db)):\n"
	  "    async def notify():\n        users = await db.scalars(select(User))\n        await send(users)\n"
	  "    tasks.add_task(notify)\n", "7,14" },
};

static const struct db_case negatives[] = {
	/* the generator opens its own short-lived session per poll */
	{ HDR "@router.get('/events')\nasync def events(db: AsyncSession = Depends(get_db)):\n"
	  "    async def gen():\n        while True:\n            async with SessionLocal() as s:\n"
	  "                rows = (await s.execute(select(Event))).scalars().all()\n"
	  "            yield render(rows)\n    return StreamingResponse(gen())\n", "" },
	/* rows loaded before streaming: the generator only renders them */
	{ HDR "@router.get('/export')\nasync def export(db: AsyncSession = Depends(get_db)):\n"
	  "    rows = (await db.execute(select(Order))).scalars().all()\n"
	  "    async def gen():\n        for r in rows:\n            yield r.csv()\n"
	  "    return StreamingResponse(gen())\n"
	  "@router.get('/x')\nasync def x(db: AsyncSession = Depends(get_db)):\n"
	  "    return StreamingResponse(iter(await load_all(db)))\n", "" },
	/* a websocket handler that opens a session per message */
	{ HDR "@router.websocket('/ws')\nasync def ws(websocket: WebSocket):\n    await websocket.accept()\n"
	  "    while True:\n        data = await websocket.receive_json()\n"
	  "        async with SessionLocal() as s:\n            s.add(Event(**data))\n            await s.commit()\n",
	  "" },
	/* a websocket handler whose session commits inside the loop */
	{ HDR "@router.websocket('/ws')\nasync def ws(websocket: WebSocket, db: AsyncSession = Depends(get_db)):\n"
	  "    while True:\n        data = await websocket.receive_json()\n        db.add(Event(**data))\n"
	  "        await db.commit()\n", "" },
	/* a websocket handler whose writes per message run in session.begin() */
	{ HDR "@router.websocket('/ws')\nasync def ws(websocket: WebSocket, db: AsyncSession = Depends(get_db)):\n"
	  "    async for data in websocket.iter_json():\n        async with db.begin():\n"
	  "            db.add(Event(**data))\n", "" },
	/* a websocket handler that closes its session before the loop */
	{ HDR "@router.websocket('/ws')\nasync def ws(websocket: WebSocket, db: AsyncSession = Depends(get_db)):\n"
	  "    user = await db.get(User, 1)\n    await db.close()\n"
	  "    while True:\n        await websocket.send_text(await websocket.receive_text())\n", "" },
	/* ids passed to the task, which opens its own session */
	{ HDR "@router.post('/cases')\ndef create_case(case_in: CaseIn, background_tasks: BackgroundTasks,\n"
	  "                db_session: Session = Depends(get_db)):\n    case = create(db_session, case_in)\n"
	  "    background_tasks.add_task(case_flow, case_id=case.id, organization_slug=org)\n    return case\n",
	  "" },
	/* a keyword named session that is not the injected one */
	{ HDR "@router.get('/chat')\nasync def chat(session: AsyncSession = Depends(get_db)):\n"
	  "    async def stream():\n        async with read_maker() as s:\n"
	  "            async for ev in run(session=s):\n                yield ev\n"
	  "    return EventSourceResponse(stream())\n", "" },
	/* a generator that commits what it does each time */
	{ HDR "@router.get('/jobs')\nasync def jobs(db: AsyncSession = Depends(get_db)):\n"
	  "    async def gen():\n        while True:\n            job = await db.get(Job, 1)\n"
	  "            await db.commit()\n            yield job.progress\n"
	  "    return StreamingResponse(gen())\n", "" },
	/* a plain function that builds the whole file before the response, an unknown callee */
	{ HDR "@router.get('/xlsx')\ndef xlsx(db: Session = Depends(get_db)):\n"
	  "    return StreamingResponse(build_xlsx(db), media_type='application/vnd.ms-excel')\n"
	  "@router.get('/csv')\ndef csv(db: Session = Depends(get_db)):\n    return StreamingResponse(export.to_csv(db))\n"
	  "def build_xlsx(db):\n    buf = io.BytesIO()\n    write(buf, db.query(Row).all())\n    buf.seek(0)\n"
	  "    return buf\n", "" },
	/* not a handler; a parameter that is not a session */
	{ HDR "async def helper(db):\n    return StreamingResponse(gen(db))\n"
	  "@router.get('/u')\nasync def u(user: User = Depends(current_user)):\n"
	  "    return StreamingResponse(stream_user(user))\n", "" },
};

START_TEST(positive)
{
	db_expect(&txn_auditor, ID, &positives[_i], NULL);
}
END_TEST

START_TEST(negative)
{
	db_expect(&txn_auditor, ID, &negatives[_i], NULL);
}
END_TEST

START_TEST(severity_and_text)
{
	json_t *ctx = json_loads("{\"tech_stack\":{\"web\":\"fastapi\",\"web_version\":\"0.115.12\"},"
				 "\"db_config\":{\"session_factories\":[{\"kind\":\"async_sessionmaker\","
				 "\"name\":\"async_session\"}]}}", 0, NULL);
	char *s;
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[0].src, ctx, &s), SEV_CRITICAL);
	ck_assert_msg(strstr(s, "`db`") && strstr(s, "line 7") && strstr(s, "async with async_session() as s:") &&
		      strstr(s, "0.115.12"), "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[3].src, ctx, &s), SEV_CRITICAL);
	ck_assert_msg(strstr(s, "receive loop") && strstr(s, "per message"), "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&txn_auditor, ID, HDR "@router.post('/r')\ndef r(bt: BackgroundTasks, "
				"db: Session = Depends(get_db)):\n    bt.add_task(work, db)\n", ctx, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "0.106 to 0.117") && strstr(s, "closed session") && strstr(s, "with async_session()"),
		      "%s", s);
	free(s);
	json_decref(ctx);
}
END_TEST

START_TEST(malformed)
{
	db_malformed(&txn_auditor, ID);
}
END_TEST

Suite *suite_session_held_in_stream(void)
{
	Suite *s = suite_create(ID);
	TCase *p = tcase_create("positives"), *n = tcase_create("negatives"), *m = tcase_create("malformed");
	tcase_add_loop_test(p, positive, 0, (int)(sizeof(positives) / sizeof(positives[0])));
	tcase_add_test(p, severity_and_text);
	tcase_add_loop_test(n, negative, 0, (int)(sizeof(negatives) / sizeof(negatives[0])));
	tcase_add_test(m, malformed);
	suite_add_tcase(s, p);
	suite_add_tcase(s, n);
	suite_add_tcase(s, m);
	return s;
}
