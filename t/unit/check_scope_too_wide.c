/*
 * Unit tests of audit-txn/scope_too_wide.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "db_helpers.h"
#include "proj_helpers.h"
#include "../../audit-txn/checks.h"

#define ID "scope_too_wide"

#define CLIENTS \
	"import httpx\n" \
	"class CarrierClient:\n" \
	"    def __init__(self, http: httpx.AsyncClient) -> None:\n" \
	"        self._http = http\n" \
	"    async def create_label(self, sid):\n" \
	"        return (await self._http.post('/labels', json={'id': sid})).json()\n" \
	"class Mailer:\n" \
	"    def __init__(self):\n" \
	"        self.client = httpx.Client(base_url='https://mail')\n" \
	"    def send_receipt(self, to):\n" \
	"        self.client.post('/send', json={'to': to})\n"
/* CLIENTS is 11 lines: code after it starts at line 12 */

static const struct db_case positives[] = {
	/* requests inside db.begin(), over several lines */
	{ "import requests\ndef reimburse(db, eid):\n    with db.begin():\n        e = db.get(Expense, eid)\n"
	  "        resp = requests.post(\n            URL,\n            json={'id': e.id},\n        )\n", "5" },
	/* file I/O inside begin(): only the open, not the handle's write */
	{ "def add_receipt(db, f):\n    with db.begin():\n        with open(TARGET, 'wb') as out:\n"
	  "            out.write(f.read())\n        db.add(Receipt(path=TARGET))\n", "3" },
	/* an httpx client between the first write and the commit */
	{ "import httpx\nasync def f(session, body):\n    async with httpx.AsyncClient() as client:\n"
	  "        session.add(Order(**body))\n        await session.flush()\n"
	  "        r = await client.post('https://erp/orders', json=body)\n        await session.commit()\n", "6" },
	/* a project method that does HTTP, one call deep, by annotation and by constructor */
	{ CLIENTS "async def buy(session, carrier: CarrierClient, ids):\n    async with session.begin():\n"
	  "        for i in ids:\n            label = await carrier.create_label(i)\n"
	  "def close(db):\n    m = Mailer()\n    with db.begin():\n        m.send_receipt('x')\n", "15,19" },
	/* module-level boto3 client after a flush, Path writes in SessionLocal.begin() */
	{ "import boto3\nfrom pathlib import Path\ns3 = boto3.client('s3')\n"
	  "def cover(session, bid, data):\n    session.flush()\n    s3.put_object(Bucket='b', Key=bid, Body=data)\n"
	  "    session.commit()\n"
	  "def dump(rows):\n    with SessionLocal.begin() as db:\n        Path('/tmp/x').write_text(str(rows))\n", "6,10" },
	/* urlopen imported by name; requests handed to to_thread still waits on the network */
	{ "import asyncio, requests\nfrom urllib.request import urlopen\nasync def f(session, url):\n"
	  "    async with session.begin():\n        urlopen(url)\n"
	  "        await asyncio.to_thread(requests.get, url)\n", "5,6" },
	/* a gRPC stub; an SMTP connection reported once, at the constructor */
	{ "import grpc, smtplib\ndef f(db, req):\n    stub = BillingStub(grpc.insecure_channel('b:50051'))\n"
	  "    with db.begin():\n        stub.Charge(req)\n        with smtplib.SMTP('mail') as s:\n"
	  "            s.send_message(req.msg)\n", "5,6" },
	/* a module-level function that does HTTP */
	{ "import requests\ndef notify(u):\n    requests.post(HOOK, json={'u': u})\n"
	  "def f(session, u):\n    session.add(u)\n    notify(u.id)\n    session.commit()\n", "6" },
	/* a function that runs in one transaction: @transaction.atomic */
	{ "import requests\nfrom django.db import transaction\n@transaction.atomic\ndef pay(bid):\n"
	  "    b = Book.objects.select_for_update().get(id=bid)\n    requests.post(PAY, json={'id': b.id})\n", "6" },
	/* SDK clients' sub-objects, one finding per call chain; close() is local */
	{ "from google.cloud import storage\nfrom twilio.rest import Client\ngcs = storage.Client()\n"
	  "class N:\n    def __init__(self):\n        self.tw = Client('sid', 'tok')\n"
	  "    def run(self, db, r):\n        with db.begin():\n            self.tw.messages.create(to=r.phone)\n"
	  "            gcs.bucket('b').blob(r.path).upload_from_string(r.data)\n            self.tw.close()\n",
	  "9,10" },
	/* an asyncpg transaction block */
	{ "import httpx\nasync def f(conn, http: httpx.AsyncClient):\n    async with conn.transaction():\n"
	  "        await conn.execute('UPDATE t SET x = 1')\n        await http.post('/hook')\n", "5" },
	/* an attribute of a loaded entity written before the call (an UPDATE at flush) */
	{ "import requests\ndef pay(db, oid):\n    order = db.get(Order, oid)\n    order.status = 'paid'\n"
	  "    requests.post(PAY, json={'id': oid})\n    db.commit()\n", "5" },
};

static const struct db_case negatives[] = {
	/* after the commit, and before the first write */
	{ "import requests\ndef approve(db, e):\n    e.status = 'approved'\n    db.add(Event(e.id))\n"
	  "    db.commit()\n    requests.post(MAIL_URL, json={'e': e.id})\n"
	  "def g(db, e):\n    r = requests.get(RATES)\n    db.add(Rate(r.json()))\n    db.commit()\n", "" },
	/* only reads open: no write, no begin() */
	{ "import requests\nasync def f(Sessions, text):\n    async with Sessions() as session:\n"
	  "        banned = await session.scalars(select(W))\n        v = requests.post(URL, json={'t': text})\n"
	  "        session.add(Message(text=text, score=v.json()))\n        await session.commit()\n", "" },
	/* files written after both commits */
	{ "from pathlib import Path\ndef f(db, e, uploads):\n    db.add(e)\n    db.commit()\n"
	  "    for u in uploads:\n        Path(u.path).write_bytes(u.data)\n", "" },
	/* in-memory work and database reads inside begin() */
	{ "import json, logging\ndef f(session, eid):\n    with session.begin():\n        e = session.get(E, eid)\n"
	  "        payload = json.dumps({'id': e.id})\n        logging.info(payload)\n        session.execute(select(E))\n", "" },
	/* an unknown client and an unresolved generic helper name */
	{ "def f(db, client, svc):\n    with db.begin():\n        client.get('/x')\n        svc.send(1)\n"
	  "        cache.get('k')\n", "" },
	/* a def nested in the transaction runs later */
	{ "import requests\ndef f(db):\n    with db.begin():\n        def hook():\n            requests.post(URL)\n"
	  "        db.info['after_commit'] = hook\n", "" },
	/* a loop back edge: the write comes after the call in the body */
	{ "import requests\ndef f(Sessions, events):\n    for ev in events:\n        v = requests.post(URL, json=ev)\n"
	  "        with Sessions() as session:\n            session.add(M(v.json()))\n            session.commit()\n", "" },
	/* network calls in strings and comments */
	{ "def f(db):\n    with db.begin():\n        doc = 'requests.post(URL)'  # open('x')\n", "" },
	/* a write that is rolled back before the call */
	{ "import requests\ndef f(db):\n    db.add(X())\n    db.rollback()\n    requests.get(URL)\n    db.add(Y())\n"
	  "    db.commit()\n", "" },
	/* deferred to after the commit */
	{ "import requests\nfrom django.db import transaction\n@transaction.atomic\ndef pay(bid):\n"
	  "    transaction.on_commit(lambda: requests.post(PAY, json={'id': bid}))\n", "" },
	/* a method name that some class of the project defines, called on an
	 * object of unknown class: not guessed */
	{ "import requests\nclass Partner:\n    def notify_partner(self, x):\n        requests.post(HOOK, json=x)\n"
	  "def f(db, svc, x):\n    with db.begin():\n        svc.notify_partner(x)\n", "" },
	/* a project helper that does no network I/O, and one handed to a thread */
	{ "import requests\ndef fmt(x):\n    return str(x)\ndef ping(u):\n    requests.get(u)\n"
	  "def f(db, x):\n    with db.begin():\n        fmt(x)\n        pool.submit(ping, x)\n", "" },
	/* attributes of objects that were not loaded here */
	{ "import requests\ndef f(db, order, cfg):\n    order.status = 'paid'\n    cfg.retries = 3\n"
	  "    requests.post(PAY, json={'id': order.id})\n    db.commit()\n", "" },
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
	char *s;
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[0].src, NULL, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "requests.post") && strstr(s, "with db.begin()"), "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[1].src, NULL, &s), SEV_MEDIUM);
	ck_assert_msg(strstr(s, "open() does file I/O and runs inside") != NULL, "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[2].src, NULL, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "line 5") && strstr(s, "line 7"), "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[7].src, NULL, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "notify") && strstr(s, "requests.post"), "%s", s);
	free(s);
}
END_TEST

/* One call deep across files, as the project index resolves the calls: an
 * imported function and the method of a parameter's annotated class. */
START_TEST(cross_file)
{
	struct proj p;
	struct finding_list fl;
	char buf[512];
	json_t *ctx;
	proj_init(&p);
	proj_put(&p, "app/__init__.py", "");
	proj_put(&p, "app/notify.py", "import httpx\n"
				      "def send_receipt(to):\n    httpx.post('https://mail/send', json={'to': to})\n"
				      "class Carrier:\n    async def label(self, sid):\n"
				      "        async with httpx.AsyncClient() as c:\n            return await c.post('/l', json=sid)\n"
				      "    def name(self):\n        return 'dhl'\n");
	proj_put(&p, "app/api.py", "from app.notify import Carrier, send_receipt\n"
				   "async def ship(session, carrier: Carrier, sid):\n    async with session.begin():\n"
				   "        await carrier.label(sid)\n        carrier.name()\n"
				   "def close(db, to):\n    with db.begin():\n        send_receipt(to)\n");
	ctx = proj_context(&p, NULL);
	ck_assert_str_eq(proj_lines(&txn_auditor, ID, ctx, &fl, buf, sizeof(buf)), "app/api.py:4,app/api.py:8");
	ck_assert_msg(strstr(fl.v[0].issue, "Carrier.label calls httpx") != NULL, "%s", fl.v[0].issue);
	finding_list_free(&fl);
	json_decref(ctx);
	proj_free(&p);
}
END_TEST

START_TEST(malformed)
{
	db_malformed(&txn_auditor, ID);
}
END_TEST

Suite *suite_scope_too_wide(void)
{
	Suite *s = suite_create(ID);
	TCase *p = tcase_create("positives"), *n = tcase_create("negatives"), *m = tcase_create("malformed");
	tcase_add_loop_test(p, positive, 0, (int)(sizeof(positives) / sizeof(positives[0])));
	tcase_add_test(p, severity_and_text);
	tcase_add_test(p, cross_file);
	tcase_add_loop_test(n, negative, 0, (int)(sizeof(negatives) / sizeof(negatives[0])));
	tcase_add_test(m, malformed);
	suite_add_tcase(s, p);
	suite_add_tcase(s, n);
	suite_add_tcase(s, m);
	return s;
}
