/*
 * Unit tests of audit-txn/long_held_transaction.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_helpers.h"
#include "../../audit-txn/checks.h"

#define ID "long_held_transaction"

static const struct db_case positives[] = {
	/* an HTTP call inside db.begin(): reported at the with line */
	{ "import requests\ndef reimburse(db, eid):\n    with db.begin():\n        e = db.get(Expense, eid)\n"
	  "        resp = requests.post(\n            URL,\n            json={'id': e.id},\n        )\n"
	  "        e.ref = resp.json()['id']\n", "3" },
	/* an implicit transaction: the first write, then an awaited httpx call, then the commit */
	{ "import httpx\nasync def f(session, body):\n    async with httpx.AsyncClient() as client:\n"
	  "        session.add(Order(**body))\n        await session.flush()\n"
	  "        r = await client.post('https://erp/orders', json=body)\n        await session.commit()\n", "4" },
	/* time.sleep and asyncio.sleep (imported by name) */
	{ "import time\ndef f(SessionLocal, rows):\n    with SessionLocal.begin() as db:\n        for r in rows:\n"
	  "            db.add(Row(r))\n            time.sleep(0.5)\n"
	  "from asyncio import sleep\nasync def g(session, o):\n    o2 = await session.get(Order, o)\n"
	  "    o2.status = 'waiting'\n    await sleep(2)\n    await session.commit()\n", "3,10" },
	/* a subprocess, a broker publish, a Celery task enqueued */
	{ "import subprocess\ndef f(db, doc):\n    with db.begin():\n        db.add(Doc(doc))\n"
	  "        subprocess.run(['pdftotext', doc.path])\n"
	  "def g(db, channel, msg):\n    with db.begin():\n        db.add(Outbox(msg))\n"
	  "        channel.basic_publish(exchange='', routing_key='q', body=msg)\n"
	  "def h(db, oid):\n    with db.begin():\n        db.add(Event(oid))\n        send_receipt.delay(oid)\n",
	  "3,7,11" },
	/* a project helper that does HTTP, one call deep through the index */
	{ "import requests\ndef fetch_rate(cur):\n    return requests.get(RATES, params={'c': cur}).json()\n"
	  "def convert(db, eid):\n    with db.begin():\n        e = db.get(Expense, eid, with_for_update=True)\n"
	  "        e.rate = fetch_rate(e.currency)\n", "5" },
	/* a whole def in one transaction */
	{ "import requests\nfrom django.db import transaction\n@transaction.atomic\ndef pay(bid):\n"
	  "    b = Book.objects.select_for_update().get(id=bid)\n    requests.post(PAY, json={'id': b.id})\n", "4" },
	/* the write in a loop and the slow call after it in the same iteration */
	{ "async def weigh(session, shipments, scale):\n    for s in (await session.scalars(select(Shipment))).all():\n"
	  "        s.status = 'weighing'\n        await session.flush()\n"
	  "        g = await httpx.AsyncClient().get(f'/w/{s.id}')\n        s.weight = g.json()\n"
	  "    await session.commit()\n", "3" },
	/* nested begin_nested() inside begin(): one finding, at the outer block */
	{ "import requests\ndef f(db, x):\n    with db.begin():\n        db.add(x)\n        with db.begin_nested():\n"
	  "            requests.post(URL)\n", "3" },
	/* a write in one branch; the call after the if */
	{ "import requests\ndef f(db, o, paid):\n    order = db.get(Order, o)\n    if paid:\n        order.status = 'paid'\n"
	  "    requests.post(HOOK, json={'o': o})\n    db.commit()\n", "5" },
};

static const struct db_case negatives[] = {
	/* the mail is sent after the commits */
	{ "import requests\ndef approve(db, eid):\n    e = db.get(Expense, eid)\n    e.status = 'approved'\n"
	  "    db.commit()\n    db.add(Event(eid))\n    db.commit()\n    requests.post(MAIL, json={'e': eid}, timeout=5)\n",
	  "" },
	/* the call comes before the first write; reads do not open a write transaction */
	{ "import requests\ndef f(db, eid):\n    e = db.get(Expense, eid)\n    r = requests.get(RATES)\n"
	  "    e.rate = r.json()['rate']\n    db.commit()\n", "" },
	/* a short locking transaction; the slow work after it */
	{ "import requests\nasync def release(Sessions, wid):\n    async with Sessions() as session:\n"
	  "        async with session.begin():\n            w = await session.get(Wave, wid, with_for_update=True)\n"
	  "            w.status = 'released'\n    return requests.get(PICK, params={'w': wid})\n", "" },
	/* only file I/O inside, and a CPU step handed to a thread: other checks */
	{ "import asyncio\ndef f(db, f, target):\n    with db.begin():\n        with open(target, 'wb') as out:\n"
	  "            out.write(f.read())\n        db.add(Receipt(path=str(target)))\n"
	  "async def g(session, run, values):\n    r = await session.get(Run, run)\n    r.status = 'fitting'\n"
	  "    r.offset = await asyncio.to_thread(fit, values)\n    await session.commit()\n", "" },
	/* the slow call is reached only through the loop back edge */
	{ "import asyncio\nasync def f(session, run_id, sensors):\n    run = await session.get(Run, run_id)\n"
	  "    for s in sensors:\n        await asyncio.sleep(1)\n        run.done += 1\n        await session.flush()\n"
	  "    await session.commit()\n", "" },
	/* asyncio.sleep(0) only yields */
	{ "import asyncio\nasync def f(session, xs):\n    async with session.begin():\n        for x in xs:\n"
	  "            session.add(Row(x))\n            await asyncio.sleep(0)\n", "" },
	/* the write's branch returns; the call after the if never runs with it */
	{ "import requests\ndef f(db, eid):\n    e = db.get(Event, eid)\n    if not e.enabled:\n"
	  "        e.skipped = True\n        db.commit()\n        return\n    requests.post(HOOK)\n"
	  "def g(db, eid):\n    e = db.get(Event, eid)\n    if e.done:\n        e.skipped = True\n        return\n"
	  "    requests.post(HOOK)\n    db.commit()\n", "" },
	/* write and call in exclusive branches */
	{ "import requests\ndef f(db, eid, local):\n    e = db.get(Event, eid)\n    if local:\n        e.state = 'done'\n"
	  "    else:\n        requests.post(HOOK)\n    db.commit()\n", "" },
	/* Django writes outside atomic() autocommit; a commit hook runs later */
	{ "import requests\nfrom django.db import transaction\ndef f(bid):\n    Book.objects.filter(id=bid).update(n=1)\n"
	  "    requests.post(PAY)\n@transaction.atomic\ndef g(bid):\n"
	  "    transaction.on_commit(lambda: requests.post(PAY, json={'id': bid}))\n", "" },
	/* nobody commits here: the caller owns the transaction */
	{ "import requests\ndef f(db, x):\n    db.add(x)\n    requests.post(HOOK)\n", "" },
	/* a commit of the repository's session between the write and the sleep */
	{ "import asyncio\nasync def f(session, repo, batches):\n    for b in batches:\n"
	  "        await repo.insert_batch(b)\n        await session.commit()\n        await asyncio.sleep(1)\n", "" },
	/* per-item transactions: the call runs between them */
	{ "import requests\ndef f(SessionLocal, items):\n    for it in items:\n        r = requests.get(it.url)\n"
	  "        with SessionLocal.begin() as db:\n            db.add(Page(r.text))\n", "" },
};

/* A with block of n statement lines (one line each). */
static char *long_block(int n, const char *head, const char *tail)
{
	size_t cap = (size_t)n * 40 + 400, o;
	char *s = malloc(cap);
	int i;
	ck_assert_ptr_nonnull(s);
	o = (size_t)snprintf(s, cap, "%s", head);
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(s + o, cap - o, "        total_%d = compute(%d, rows)\n", i, i);
	snprintf(s + o, cap - o, "%s", tail);
	return s;
}

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

START_TEST(length)
{
	/* 53 lines inside begin(): MEDIUM; 45 lines: nothing */
	char *s = long_block(51, "def close(SessionLocal, rows):\n    with SessionLocal.begin() as db:\n"
				 "        db.execute(select(E).with_for_update())\n",
			     "        db.add(Summary(total_0))\n");
	char *t = long_block(43, "def close(SessionLocal, rows):\n    with SessionLocal.begin() as db:\n"
				 "        db.execute(select(E).with_for_update())\n",
			     "        db.add(Summary(total_0))\n");
	/* an implicit transaction whose first write is in a branch does not
	 * surely span the lines; one at the top does */
	char *u = long_block(55, "def f(db, x, new):\n    if new:\n        db.add(x)\n    else:\n        x.n = 1\n",
			     "    db.commit()\n");
	char *v = long_block(55, "def f(db, x):\n    db.add(x)\n    if x:\n", "    db.commit()\n");
	char *txt;
	struct db_case c1 = { s, "2" }, c2 = { t, "" }, c3 = { u, "" }, c4 = { v, "2" };
	db_expect(&txn_auditor, ID, &c1, NULL);
	db_expect(&txn_auditor, ID, &c2, NULL);
	db_expect(&txn_auditor, ID, &c3, NULL);
	db_expect(&txn_auditor, ID, &c4, NULL);
	ck_assert_int_eq(db_one(&txn_auditor, ID, s, NULL, &txt), SEV_MEDIUM);
	ck_assert_msg(strstr(txt, "53 lines of code") && strstr(txt, "with SessionLocal.begin()"), "%s", txt);
	free(txt);
	free(s);
	free(t);
	free(u);
	free(v);
}
END_TEST

START_TEST(severity_and_text)
{
	char *s;
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[0].src, NULL, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "with db.begin()") && strstr(s, "requests.post() at line 5") &&
			      strstr(s, "block ends at line 9") && strstr(s, "outbox"),
		      "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[1].src, NULL, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "opens with `session.add()` at line 4") && strstr(s, "commit at line 7"), "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[4].src, NULL, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "fetch_rate calls requests.get") && strstr(s, "app/mod.py:2"), "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[8].src, NULL, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "order.status = 'paid'") != NULL, "%s", s);
	free(s);
}
END_TEST

START_TEST(malformed)
{
	db_malformed(&txn_auditor, ID);
}
END_TEST

Suite *suite_long_held_transaction(void)
{
	Suite *s = suite_create(ID);
	TCase *p = tcase_create("positives"), *n = tcase_create("negatives"), *m = tcase_create("malformed");
	tcase_add_loop_test(p, positive, 0, (int)(sizeof(positives) / sizeof(positives[0])));
	tcase_add_test(p, length);
	tcase_add_test(p, severity_and_text);
	tcase_add_loop_test(n, negative, 0, (int)(sizeof(negatives) / sizeof(negatives[0])));
	tcase_add_test(m, malformed);
	suite_add_tcase(s, p);
	suite_add_tcase(s, n);
	suite_add_tcase(s, m);
	return s;
}
