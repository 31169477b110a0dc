/*
 * Unit tests of audit-txn/scope_too_narrow.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "db_helpers.h"
#include "proj_helpers.h"
#include "../../audit-txn/checks.h"

#define ID "scope_too_narrow"

static const struct db_case positives[] = {
	/* a parent committed before its children (comprehension in add_all) */
	{ "def submit(db, body, files):\n    expense = Expense(user_id=body.user, amount=body.amount)\n"
	  "    db.add(expense)\n    db.commit()\n"
	  "    db.add_all([Receipt(expense_id=expense.id, name=f.name) for f in files])\n    db.commit()\n", "4" },
	/* a status change committed before the audit row made from the key it was loaded by */
	{ "def close(slug):\n    survey = Session.query(Survey).filter_by(slug=slug).first()\n"
	  "    survey.status = 'closed'\n    Session.commit()\n"
	  "    Session.add(AuditEntry(who=user(), what=f'closed survey {slug}'))\n    Session.commit()\n", "4" },
	/* an approval committed before its ledger lines and event, inside try/except */
	{ "def approve(db, eid, uid):\n    expense = db.get(Expense, eid)\n    try:\n"
	  "        expense.status = 'approved'\n        db.commit()\n"
	  "        db.add_all([LedgerLine(expense_id=expense.id, amount=expense.amount),\n"
	  "                    Event(expense_id=expense.id, actor_id=uid)])\n        db.commit()\n"
	  "    except SQLAlchemyError:\n        db.rollback()\n        raise\n", "5" },
	/* children attached through the relationship after the parent's commit */
	{ "def bill(db, lines):\n    invoice = Invoice(total=0)\n    db.add(invoice)\n    db.commit()\n"
	  "    for l in lines:\n        invoice.lines.append(InvoiceLine(text=l))\n    db.commit()\n", "4" },
	/* a debit and its credit in two commits */
	{ "def transfer(db, a, b, amount):\n    src = db.get(Account, a)\n    dst = db.get(Account, b)\n"
	  "    src.balance -= amount\n    db.commit()\n    dst.balance += amount\n    db.commit()\n", "5" },
	/* async: a model the project declares, built into a name, then added */
	{ "class Item(Base):\n    __tablename__ = 'items'\n"
	  "async def place(session, data):\n    order = Order(customer=data.customer)\n    session.add(order)\n"
	  "    await session.commit()\n    item = Item(order_id=order.id, sku=data.sku)\n    session.add(item)\n"
	  "    await session.commit()\n", "6" },
	/* one call deep: a helper of the same file adds, commits and returns the parent */
	{ "def create_order(db, data):\n    order = Order(**data)\n    db.add(order)\n    db.commit()\n"
	  "    return order\n"
	  "def checkout(db, data):\n    order = create_order(db, data)\n"
	  "    db.add_all([OrderItem(order_id=order.id, sku=s) for s in data['skus']])\n    db.commit()\n", "7" },
	/* two begin() blocks */
	{ "def plan(db, ids):\n    with db.begin():\n        wave = Wave(warehouse='w1')\n        db.add(wave)\n"
	  "    with db.begin():\n        db.add_all([Shipment(wave_id=wave.id, order_id=i) for i in ids])\n", "2" },
	/* parent and child in the same loop iteration, one commit each */
	{ "def imp(db, rows):\n    for r in rows:\n        p = Parent(name=r.name)\n        db.add(p)\n        db.commit()\n"
	  "        db.add(Child(parent_id=p.id, v=r.v))\n        db.commit()\n", "5" },
};

static const struct db_case negatives[] = {
	/* parent, flush and children inside one session.begin() block */
	{ "def plan(db, ids):\n    with db.begin():\n        wave = Wave(warehouse='w1')\n        db.add(wave)\n"
	  "        db.flush()\n        db.add_all([Shipment(wave_id=wave.id, order_id=i) for i in ids])\n", "" },
	/* one commit per batch: the batching is deliberate */
	{ "def load(db, chunks):\n    imp = Import(source='csv')\n    db.add(imp)\n    db.commit()\n"
	  "    for chunk in chunks:\n        db.add_all([Row(import_id=imp.id, **r) for r in chunk])\n"
	  "        db.commit()\n", "" },
	/* parent and children in one commit (cascade) */
	{ "def submit(db, body):\n    response = Response(survey_id=body.sid)\n"
	  "    response.answers = [Answer(question_id=q, score=s) for q, s in body.items]\n"
	  "    db.add(response)\n    db.commit()\n", "" },
	/* a run marked as running and committed before the long work */
	{ "async def calibrate(Session, run_id):\n    async with Session() as session:\n"
	  "        run = await session.get(CalibrationRun, run_id)\n        run.status = 'running'\n"
	  "        await session.commit()\n        for s in sensors:\n"
	  "            session.add(Result(run_id=run.id, sensor_id=s.id))\n        run.status = 'done'\n"
	  "        await session.commit()\n", "" },
	/* started_at published on purpose; an enum member in progress */
	{ "def run(db, bid, JobState):\n    batch = db.get(Batch, bid)\n    batch.started_at = now()\n    db.commit()\n"
	  "    db.add(BatchLog(batch_id=batch.id))\n    db.commit()\n"
	  "def go(db):\n    job = Job(state=JobState.PROCESSING)\n    db.add(job)\n    db.commit()\n"
	  "    db.add(JobEvent(job_id=job.id))\n    db.commit()\n", "" },
	/* a remote call between the two commits: committing first is deliberate */
	{ "import requests\ndef pay(db, body):\n    order = Order(total=body.total)\n    db.add(order)\n    db.commit()\n"
	  "    r = requests.post(PAY_URL, json={'id': order.id})\n"
	  "    db.add(Payment(order_id=order.id, ref=r.json()['ref']))\n    db.commit()\n", "" },
	/* a job handed to a worker between the commits */
	{ "def enqueue(db):\n    job = Job(kind='export')\n    db.add(job)\n    db.commit()\n    export.delay(job.id)\n"
	  "    db.add(JobLog(job_id=job.id, msg='queued'))\n    db.commit()\n", "" },
	/* alternative branches, and a return after the first commit */
	{ "def f(db, new, p, x):\n    if new:\n        p = Parent()\n        db.add(p)\n        db.commit()\n"
	  "    else:\n        db.add(Child(parent_id=p.id))\n        db.commit()\n"
	  "def g(db, x):\n    p = Parent()\n    if x:\n        db.add(p)\n        db.commit()\n        return p\n"
	  "    db.add(Child(parent_id=p.id))\n    db.commit()\n", "" },
	/* an unrelated second transaction, and an audit row that names nothing of the first */
	{ "def f(db, order_id):\n    user = User(name='a')\n    db.add(user)\n    db.commit()\n"
	  "    db.add(Setting(key='theme', value='dark'))\n    db.commit()\n"
	  "def g(db, order_id):\n    order = db.get(Order, order_id)\n    order.status = 'cancelled'\n    db.commit()\n"
	  "    db.add(AuditLog(action='login'))\n    db.commit()\n", "" },
	/* re-adding an object that was not built here is no INSERT */
	{ "def f(db, case, cost):\n    db.add(case)\n    db.commit()\n    case.costs.append(cost)\n    db.add(case)\n"
	  "    db.commit()\n", "" },
	/* existing rows appended to a row that was only updated */
	{ "def f(db, oid, tag):\n    order = db.get(Order, oid)\n    order.status = 'shipped'\n    db.commit()\n"
	  "    order.tags.append(tag)\n    db.commit()\n", "" },
	/* the second half is never committed, or rolled back */
	{ "def f(db):\n    p = Parent()\n    db.add(p)\n    db.commit()\n    db.add(Child(parent_id=p.id))\n"
	  "def g(db):\n    p = Parent()\n    db.add(p)\n    db.commit()\n    db.add(Child(parent_id=p.id))\n"
	  "    db.rollback()\n", "" },
	/* commits per row of a query loop: progress, no children */
	{ "def f(db, rows):\n    batch = Batch(n=len(rows))\n    db.add(batch)\n    db.commit()\n    for r in rows:\n"
	  "        r.done = True\n    db.commit()\n", "" },
	/* parent and children in one commit after a flush; a pydantic model from the parent */
	{ "def f(db, body):\n    order = Order(total=body.total)\n    db.add(order)\n    db.flush()\n"
	  "    db.add_all([Item(order_id=order.id, sku=s) for s in body.skus])\n    db.commit()\n"
	  "    out = OrderOut(id=order.id)\n    db.add(Other())\n    db.commit()\n    return out\n", "" },
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
	ck_assert_msg(strstr(s, "the new Expense `expense`") && strstr(s, "Receipt") && strstr(s, "line 6") &&
		      strstr(s, "db.flush()"), "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[1].src, NULL, &s), SEV_MEDIUM);
	ck_assert_msg(strstr(s, "survey.status = 'closed'") && strstr(s, "AuditEntry") && strstr(s, "`slug`"), "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[2].src, NULL, &s), SEV_MEDIUM);
	ck_assert_msg(strstr(s, "LedgerLine, Event"), "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[4].src, NULL, &s), SEV_MEDIUM);
	ck_assert_msg(strstr(s, "transfer") && strstr(s, "src.balance -=") && strstr(s, "dst.balance +="), "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[5].src, NULL, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "await session.flush()") && strstr(s, "async with session.begin()"), "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&txn_auditor, ID, positives[6].src, NULL, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "create_order() at line 7") && strstr(s, "line 4") && strstr(s, "OrderItem"), "%s", s);
	free(s);
}
END_TEST

/* A helper in another file is not followed (its commits are not in the
 * project index); the same helper called in its own file is. */
START_TEST(cross_file)
{
	struct proj p;
	struct finding_list fl;
	char buf[512];
	json_t *ctx;
	proj_init(&p);
	proj_put(&p, "app/__init__.py", "");
	proj_put(&p, "app/crud.py",
		 "def create_order(db, data):\n    order = Order(**data)\n    db.add(order)\n    db.commit()\n"
		 "    return order\n"
		 "def reorder(db, data):\n    order = create_order(db, data)\n"
		 "    db.add(OrderItem(order_id=order.id))\n    db.commit()\n");
	proj_put(&p, "app/api.py",
		 "from app.crud import create_order\n"
		 "def checkout(db, data):\n    order = create_order(db, data)\n"
		 "    db.add_all([OrderItem(order_id=order.id) for s in data])\n    db.commit()\n");
	ctx = proj_context(&p, NULL);
	ck_assert_str_eq(proj_lines(&txn_auditor, ID, ctx, &fl, buf, sizeof(buf)), "app/crud.py:7");
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

Suite *suite_scope_too_narrow(void)
{
	Suite *s = suite_create(ID);
	TCase *p = tcase_create("positives"), *n = tcase_create("negatives"), *m = tcase_create("malformed");
	tcase_add_loop_test(p, positive, 0, (int)(sizeof(positives) / sizeof(positives[0])));
	tcase_add_test(p, severity_and_text);
	tcase_add_loop_test(n, negative, 0, (int)(sizeof(negatives) / sizeof(negatives[0])));
	tcase_add_test(n, cross_file);
	tcase_add_test(m, malformed);
	suite_add_tcase(s, p);
	suite_add_tcase(s, n);
	suite_add_tcase(s, m);
	return s;
}
