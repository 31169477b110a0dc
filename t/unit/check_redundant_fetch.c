/*
 * Unit tests of audit-query/redundant_fetch.c and of the fetch sites the
 * project index records for it (lib/pyindex_fetch.c).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "db_helpers.h"
#include "proj_helpers.h"
#include "pyindex.h"
#include "pyrefetch.h"
#include "py/outline.h"
#include "py/tok.h"
#include "../../audit-query/checks.h"

#define ID "redundant_fetch"

/* ---- fetch sites */

struct fetch_case {
	const char *src;
	const char *fn;     /* the def to look at */
	const char *want;   /* "Model key param var attrs escapes; ..." of its fetches, "" for none */
};

static const struct fetch_case fetches[] = {
	{ "def f(session, book_id):\n    book = session.get(Book, book_id)\n    return book.title\n", "f",
	  "Book book_id 1 book  title  0" },
	{ "async def f(session, book_id):\n"
	  "    book = (await session.exec(select(Book).where(Book.id == book_id).with_for_update())).scalar_one()\n"
	  "    book.copies -= 1\n",
	  "f", "Book book_id 1 book - 1" },
	{ "def f(db, member_id, due):\n"
	  "    member = db.execute(select(Member).where(Member.id == member_id)).scalars().first()\n"
	  "    return f\"Dear {member.name}, by {due:%d %B} {member.email.lower()}\"\n",
	  "f", "Member member_id 1 member  name email  0" },
	{ "def f(db, uid):\n    u = db.query(User).filter_by(id=uid).first()\n    log(u.name)\n", "f",
	  "User uid 1 u  name  0" },
	{ "def f(db, uid):\n    u = db.query(User).filter(User.id == uid).one()\n    if u is None:\n        return\n"
	  "    print(u.email)\n", "f", "User uid 1 u  email  0" },
	{ "def f(uid):\n    return User.query.get(uid)\n", "f", "User uid 0 - - 1" },
	{ "def f(db, oid):\n    stmt = select(Order).where(oid == Order.id)\n    o = db.scalar(stmt)\n"
	  "    return {'a': o.a, 'b': o.b, 'c': o.c}\n", "f", "Order oid 1 o  a b c  0" },
	{ "def f(db, body):\n    a = db.get(models.Author, int(body.author_id))\n    return a.name\n", "f",
	  "Author int(body.author_id) -1 a  name  0" },
	/* a column, a list, a filter on another column: no fetch by key */
	{ "def f(db, k):\n    n = db.scalar(select(User.name).where(User.id == k))\n"
	  "    rows = db.scalars(select(User).where(User.team_id == k)).all()\n"
	  "    x = d.get('k')\n", "f", "" },
	/* a result kept whole: recorded, not followed */
	{ "def f(db, k):\n    r = db.execute(select(User).where(User.id == k))\n    return r\n", "f",
	  "User k 1 - - 1" },
	/* a repository lookup: model left to the resolution */
	{ "def f(repo, book_id):\n    book = repo.get(book_id)\n    return book.title\n", "f",
	  " book_id 1 book  title  0" },
	/* rebound: later uses belong to the new value */
	{ "def f(db, k):\n    u = db.get(User, k)\n    x = u.name\n    u = other()\n    u.name = 'x'\n", "f",
	  "User k 1 u  name  0" },
	/* passed whole, mutated */
	{ "def f(db, k):\n    u = db.get(User, k)\n    send(u)\n", "f", "User k 1 u - 1" },
	{ "def f(db, k):\n    u = db.get(User, k)\n    u.name = 'x'\n", "f", "User k 1 u - 1" },
};

static void render_fetches(const struct py_fn *fn, char *buf, size_t n)
{
	unsigned i;
	size_t o = 0;
	buf[0] = '\0';
	for (i = 0; i < fn->nfetches && o + 100 < n; i++) {
		const struct py_fetch *f = &fn->fetches[i];
		o += (size_t)snprintf(buf + o, n - o, "%s%s %s %d %s %s %d", i ? "; " : "", f->model, f->key,
				      f->key_param, f->var ? f->var : "-", f->attrs ? f->attrs : "-", f->escapes);
	}
}

START_TEST(fetch_sites)
{
	const struct fetch_case *c = &fetches[_i];
	struct py_toks t;
	struct py_outline ol;
	struct py_index *ix = py_index_new();
	const struct py_fn *fn;
	char got[512];
	ck_assert_ptr_nonnull(ix);
	ck_assert_int_eq(py_tokenize(&t, c->src, strlen(c->src)), 0);
	ck_assert_int_eq(py_outline_build(&ol, &t), 0);
	ck_assert_int_eq(py_index_add(ix, "app/mod.py", &ol, NULL), 0);
	fn = py_index_fn(ix, NULL, c->fn);
	ck_assert_ptr_nonnull(fn);
	render_fetches(fn, got, sizeof(got));
	ck_assert_msg(!strcmp(got, c->want), "expected [%s], got [%s] in:\n%s", c->want, got, c->src);
	if (fn->nfetches) {
		ck_assert_ptr_nonnull(fn->fetches[0].snippet);
		ck_assert_uint_le(strlen(fn->fetches[0].snippet), 400);
		ck_assert_uint_ge(fn->fetches[0].line, 2);
	}
	py_index_free(ix);
	py_outline_free(&ol);
	py_toks_free(&t);
}
END_TEST

START_TEST(snippet_bounded)
{
	/* a long fetch line: the snippet is cut at 400 bytes */
	char src[2000];
	struct py_toks t;
	struct py_outline ol;
	struct py_index *ix = py_index_new();
	const struct py_fn *fn;
	int o = snprintf(src, sizeof(src), "def f(db, k):\n    u = db.get(User, k)  # ");
	memset(src + o, 'x', 900);
	snprintf(src + o + 900, sizeof(src) - (size_t)o - 900, "\n    return u.name\n");
	ck_assert_int_eq(py_tokenize(&t, src, strlen(src)), 0);
	ck_assert_int_eq(py_outline_build(&ol, &t), 0);
	ck_assert_int_eq(py_index_add(ix, "app/mod.py", &ol, NULL), 0);
	fn = py_index_fn(ix, NULL, "f");
	ck_assert_uint_eq(fn->nfetches, 1);
	ck_assert_uint_eq(strlen(fn->fetches[0].snippet), 400);
	ck_assert_uint_eq(fn->fetches[0].line, 2);
	py_index_free(ix);
	py_outline_free(&ol);
	py_toks_free(&t);
}
END_TEST

START_TEST(annotations)
{
	char b[64];
	ck_assert(py_ann_class("Optional[Book]", b, sizeof(b)) && !strcmp(b, "Book"));
	ck_assert(py_ann_class("Book | None", b, sizeof(b)) && !strcmp(b, "Book"));
	ck_assert(py_ann_class("None | models.Book", b, sizeof(b)) && !strcmp(b, "Book"));
	ck_assert(py_ann_class("'Book'", b, sizeof(b)) && !strcmp(b, "Book"));
	ck_assert(py_ann_class("Annotated[CurrentUser, Depends(current_user)]", b, sizeof(b)) &&
		  !strcmp(b, "CurrentUser"));
	ck_assert(!py_ann_class("list[Book]", b, sizeof(b)));
	ck_assert(!py_ann_class("Sequence[Book]", b, sizeof(b)));
	ck_assert(!py_ann_class("int", b, sizeof(b)));
	ck_assert(!py_ann_class("", b, sizeof(b)));
}
END_TEST

/* ---- the check on one file */

#define HEAD \
	"from fastapi import APIRouter, Depends\n" \
	"from sqlalchemy import select\n" \
	"from sqlalchemy.orm import Session\n" \
	"router = APIRouter()\n" \
	"class Expense(Base):\n" \
	"    __tablename__ = 'expenses'\n" \
	"    id = Column(Integer, primary_key=True)\n" \
	"class Author(Base):\n" \
	"    __tablename__ = 'authors'\n" \
	"    id = Column(Integer, primary_key=True)\n"
/* HEAD is 10 lines: code after it starts at line 11 */

/* evaluate() loads the Expense by expense_id at line 12 */
#define EVALUATE \
	"def evaluate(db: Session, expense_id: int) -> list[str]:\n" \
	"    expense = db.execute(select(Expense).where(Expense.id == expense_id)).scalar_one()\n" \
	"    return [expense.category, expense.amount, expense.currency]\n"
/* EVALUATE is 3 lines: code after it starts at line 14 */

static const struct db_case positives[] = {
	/* the handler loaded it by the same id */
	{ HEAD EVALUATE "@router.post('/{expense_id}/approve')\n"
	  "def approve(expense_id: int, db: Session = Depends(get_db)):\n"
	  "    expense = db.get(Expense, expense_id)\n    if expense is None:\n        raise HTTPException(404)\n"
	  "    problems = evaluate(db, expense_id)\n    expense.status = 'approved'\n",
	  "12" },
	/* passes E.id of what it loaded, by keyword */
	{ HEAD EVALUATE "def approve(expense_id, db):\n    expense = db.query(Expense).filter_by(id=expense_id).first()\n"
	  "    return evaluate(db=db, expense_id=expense.id)\n",
	  "12" },
	/* a parameter annotated with the model */
	{ HEAD EVALUATE "def check(db: Session, expense: Expense):\n    return evaluate(db, expense.id)\n", "12" },
	/* returned by a project def whose annotation names the model */
	{ HEAD EVALUATE "def by_ref(db, ref) -> Optional[Expense]:\n"
	  "    return db.scalars(select(Expense).where(Expense.ref == ref)).first()\n"
	  "def approve(db, ref):\n    exp = by_ref(db, ref)\n    return evaluate(db, exp.id)\n",
	  "12" },
	/* methods of one service class */
	{ HEAD "class Svc:\n    def __init__(self, db):\n        self.db = db\n"
	  "    def approve(self, expense_id):\n        e = self.db.get(Expense, expense_id)\n"
	  "        self.evaluate(e.id)\n"
	  "    def evaluate(self, expense_id):\n"
	  "        e = self.db.scalars(select(Expense).where(Expense.id == expense_id)).one()\n"
	  "        return e.amount\n",
	  "18" },
	/* the callee loads it through a repository lookup */
	{ HEAD "class ExpenseRepository:\n    def __init__(self, db):\n        self.db = db\n"
	  "    def get(self, expense_id: int):\n"
	  "        return self.db.execute(select(Expense).where(Expense.id == expense_id)).scalar_one()\n"
	  "def evaluate(repo: ExpenseRepository, expense_id: int):\n    e = repo.get(expense_id)\n    return e.amount\n"
	  "def approve(repo: ExpenseRepository, expense_id: int):\n    e = repo.get(expense_id)\n"
	  "    return evaluate(repo, expense_id)\n",
	  "17" },
	/* both load it through a crud-style helper (get_expense resolves to a query by its parameter) */
	{ HEAD "def get_expense(db, expense_id):\n"
	  "    return db.query(Expense).filter(Expense.id == expense_id).first()\n"
	  "def evaluate(db, expense_id):\n    e = get_expense(db, expense_id)\n    return e.amount\n"
	  "def approve(db, expense_id):\n    e = get_expense(db, expense_id)\n    return evaluate(db, e.id)\n",
	  "14" },
	/* loaded in a try body and a with block that run before the call */
	{ HEAD EVALUATE "def run(expense_id):\n    with SessionLocal() as db:\n        try:\n"
	  "            e = db.get(Expense, expense_id)\n        except KeyError:\n            raise\n"
	  "        return evaluate(db, e.id)\n",
	  "12" },
};

static const struct db_case negatives[] = {
	/* the id goes to a function that loads another model */
	{ HEAD "def label(db, author_id):\n    a = db.get(Author, author_id)\n    return a.name\n"
	  "def show(db, expense_id):\n    e = db.get(Expense, expense_id)\n    return label(db, e.id)\n",
	  "" },
	/* the callee loads by another parameter */
	{ HEAD "def pair(db, expense_id, other_id):\n    o = db.get(Expense, other_id)\n    return o.amount\n"
	  "def show(db, expense_id, other_id):\n    e = db.get(Expense, expense_id)\n"
	  "    return pair(db, e.id, other_id)\n",
	  "" },
	/* the caller never loaded it: sibling calls with the id it was given */
	{ HEAD EVALUATE "def run(db, expense_id):\n    evaluate(db, expense_id)\n    evaluate(db, expense_id)\n", "" },
	/* the caller only created it */
	{ HEAD EVALUATE "def create(db):\n    e = Expense(amount=1)\n    db.add(e)\n    db.flush()\n"
	  "    return evaluate(db, e.id)\n",
	  "" },
	/* its session closed before the call (expire_on_commit not set) */
	{ HEAD EVALUATE "def run(expense_id):\n    with SessionLocal() as db:\n"
	  "        e = db.get(Expense, expense_id)\n        e.status = 'x'\n        db.commit()\n"
	  "    with SessionLocal() as db2:\n        return evaluate(db2, expense_id)\n",
	  "" },
	/* committed between (expire_on_commit not set) */
	{ HEAD EVALUATE "def run(db, expense_id):\n    e = db.get(Expense, expense_id)\n    e.status = 'x'\n"
	  "    db.commit()\n    return evaluate(db, expense_id)\n",
	  "" },
	/* the callee is a background task: ids by design */
	{ HEAD "@celery.task\ndef evaluate_later(expense_id):\n    with SessionLocal() as db:\n"
	  "        e = db.get(Expense, expense_id)\n        e.status = 'done'\n"
	  "def approve(db, expense_id):\n    e = db.get(Expense, expense_id)\n    evaluate_later(e.id)\n",
	  "" },
	/* the callee is the lookup itself: the caller repeats its own load */
	{ HEAD "def get(db, expense_id):\n    return db.get(Expense, expense_id)\n"
	  "def approve(db, expense_id):\n    e = get(db, expense_id)\n    e2 = get(db, e.id)\n",
	  "" },
	/* session.get() in the caller's session: the identity map answers, no round trip */
	{ HEAD "class Svc:\n    def __init__(self, db):\n        self.db = db\n"
	  "    def approve(self, expense_id):\n        e = self.db.get(Expense, expense_id)\n"
	  "        self.evaluate(e.id)\n"
	  "    def evaluate(self, expense_id):\n        e = self.db.get(Expense, expense_id)\n"
	  "        return e.amount\n",
	  "" },
	{ HEAD "def evaluate(db, expense_id):\n    return db.query(Expense).get(expense_id).amount\n"
	  "def approve(db, expense_id):\n    e = db.query(Expense).filter(Expense.id == expense_id).one()\n"
	  "    return evaluate(db, e.id)\n",
	  "" },
	/* a pydantic schema named like the model */
	{ HEAD EVALUATE "from app import schemas\ndef check(db: Session, expense: schemas.Expense):\n"
	  "    return evaluate(db, expense.id)\n",
	  "" },
	{ HEAD EVALUATE "from app.schemas import Expense as ExpenseOut\n"
	  "def check(db: Session, expense: ExpenseOut):\n    return evaluate(db, expense.id)\n",
	  "" },
	/* loaded on one branch only */
	{ HEAD EVALUATE "def run(db, expense_id, quick):\n    if quick:\n        e = db.get(Expense, expense_id)\n"
	  "        log(e.amount)\n    return evaluate(db, expense_id)\n",
	  "" },
	/* returned by a def that creates it, not loaded */
	{ HEAD EVALUATE "def create_expense(db, data) -> Expense:\n    e = Expense(**data)\n    db.add(e)\n"
	  "    db.flush()\n    return e\n"
	  "def submit(db, data):\n    e = create_expense(db, data)\n    return evaluate(db, e.id)\n",
	  "" },
	/* the same name rebound to an unrelated value before the call */
	{ HEAD EVALUATE "def run(db, expense_id, others):\n    e = db.get(Expense, expense_id)\n"
	  "    for expense_id in others:\n        evaluate(db, expense_id)\n",
	  "" },
};

START_TEST(positive)
{
	db_expect(&query_auditor, ID, &positives[_i], NULL);
}
END_TEST

START_TEST(negative)
{
	db_expect(&query_auditor, ID, &negatives[_i], NULL);
}
END_TEST

START_TEST(severity_and_text)
{
	char *s;
	json_t *ctx = json_pack("{s:s, s:{s:b}}", "schema", "pperf.context/1", "db_config", "expire_on_commit", 0);
	/* a handler: HIGH, names the caller, its line, the model and the parameter */
	ck_assert_int_eq(db_one(&query_auditor, ID, positives[0].src, NULL, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "evaluate() loads Expense by its expense_id parameter") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "approve() (app/mod.py:19)") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "expense: Expense") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "expire_on_commit") == NULL, "%s", s);
	ck_assert_msg(strstr(s, "row lock") == NULL, "%s", s);
	free(s);
	/* the callee locks the row: the advice keeps the lock */
	ck_assert_int_eq(db_one(&query_auditor, ID,
				HEAD "def take(db, expense_id):\n"
				     "    e = db.execute(select(Expense).where(Expense.id == expense_id).with_for_update())"
				     ".scalar_one()\n    e.status = 'taken'\n"
				     "def run(db, expense_id):\n    e = db.get(Expense, expense_id)\n    take(db, e.id)\n",
				NULL, &s),
			 SEV_MEDIUM);
	ck_assert_msg(strstr(s, "row lock") != NULL, "%s", s);
	free(s);
	/* a plain function: MEDIUM */
	ck_assert_int_eq(db_one(&query_auditor, ID, positives[2].src, NULL, NULL), SEV_MEDIUM);
	/* runs once (a seed script): LOW */
	ck_assert_int_eq(db_one(&query_auditor, ID,
				HEAD EVALUATE "def seed_demo(db, expense_id):\n    e = db.get(Expense, expense_id)\n"
					      "    evaluate(db, expense_id)\n",
				NULL, NULL),
			 SEV_LOW);
	/* expire_on_commit=False: a commit between does not hide it, and the message says why */
	ck_assert_int_eq(db_one(&query_auditor, ID, negatives[5].src, ctx, &s), SEV_MEDIUM);
	ck_assert_msg(strstr(s, "expire_on_commit=False") != NULL, "%s", s);
	free(s);
	json_decref(ctx);
}
END_TEST

START_TEST(across_files)
{
	/* the callee lives in a service module imported by the router; a second
	 * service loads another model by the id it is given */
	struct proj p;
	struct finding_list fl;
	char got[512];
	json_t *ctx;
	proj_init(&p);
	proj_put(&p, "shop/models.py",
		 "class Order(Base):\n    __tablename__ = 'orders'\n    id = Column(Integer, primary_key=True)\n"
		 "class Invoice(Base):\n    __tablename__ = 'invoices'\n    id = Column(Integer, primary_key=True)\n");
	proj_put(&p, "shop/services/billing.py",
		 "from sqlalchemy import select\nfrom shop.models import Invoice, Order\n\n"
		 "async def invoice_total(session, order_id: int) -> int:\n"
		 "    order = (await session.execute(select(Order).where(Order.id == order_id))).scalar_one()\n"
		 "    return sum(line.amount for line in order.lines)\n\n"
		 "async def invoice_pdf(session, invoice_id: int) -> bytes:\n"
		 "    invoice = await session.get(Invoice, invoice_id)\n    return render(invoice)\n");
	proj_put(&p, "shop/routers/orders.py",
		 "from fastapi import APIRouter, Depends\nfrom shop.models import Order\n"
		 "from shop.services import billing\nfrom shop.services.billing import invoice_pdf\n"
		 "router = APIRouter()\n\n"
		 "@router.get('/orders/{order_id}')\n"
		 "async def show(order_id: int, session=Depends(get_session)):\n"
		 "    order = await session.get(Order, order_id)\n"
		 "    total = await billing.invoice_total(session, order.id)\n"
		 "    pdf = await invoice_pdf(session, order.id)\n"
		 "    return {'total': total}\n");
	ctx = proj_context(&p, NULL);
	ck_assert_str_eq(proj_lines(&query_auditor, ID, ctx, &fl, got, sizeof(got)), "shop/services/billing.py:5");
	ck_assert_int_eq(fl.v[0].severity, SEV_HIGH);
	ck_assert_msg(strstr(fl.v[0].issue, "show() (shop/routers/orders.py:10)") != NULL, "%s", fl.v[0].issue);
	ck_assert_msg(strstr(fl.v[0].snippet, "select(Order)") != NULL, "%s", fl.v[0].snippet);
	finding_list_free(&fl);
	json_decref(ctx);
	proj_free(&p);
}
END_TEST

START_TEST(session_closed_expire_false)
{
	/* a new session loads what release() loaded and closed, kept valid by expire_on_commit=False */
	struct proj p;
	struct finding_list fl;
	char got[512];
	json_t *ctx;
	proj_init(&p);
	proj_put(&p, "w/waves.py",
		 "from w.db import SessionMaker\nfrom w.models import Wave\n\n"
		 "async def pick_list(wave_id: int) -> list[str]:\n    async with SessionMaker() as session:\n"
		 "        wave = await session.get(Wave, wave_id)\n        return [wave.warehouse]\n\n"
		 "async def release(wave_id: int) -> list[str]:\n    async with SessionMaker() as session:\n"
		 "        async with session.begin():\n            wave = await session.get(Wave, wave_id)\n"
		 "            wave.status = 'released'\n    return await pick_list(wave_id)\n");
	proj_put(&p, "w/models.py", "class Wave(Base):\n    __tablename__ = 'waves'\n    id = Column(Integer)\n");
	ctx = proj_context(&p, json_pack("{s:b}", "expire_on_commit", 0));
	ck_assert_str_eq(proj_lines(&query_auditor, ID, ctx, &fl, got, sizeof(got)), "w/waves.py:6");
	ck_assert_int_eq(fl.v[0].severity, SEV_MEDIUM);
	finding_list_free(&fl);
	json_decref(ctx);
	/* the default expires it: not reported */
	ctx = proj_context(&p, NULL);
	ck_assert_str_eq(proj_lines(&query_auditor, ID, ctx, &fl, got, sizeof(got)), "");
	finding_list_free(&fl);
	json_decref(ctx);
	proj_free(&p);
}
END_TEST

START_TEST(malformed)
{
	db_malformed(&query_auditor, ID);
}
END_TEST

Suite *suite_redundant_fetch(void)
{
	Suite *s = suite_create(ID);
	TCase *f = tcase_create("fetch_sites"), *p = tcase_create("positive"), *n = tcase_create("negative"),
	      *m = tcase_create("malformed");
	tcase_add_loop_test(f, fetch_sites, 0, (int)(sizeof(fetches) / sizeof(fetches[0])));
	tcase_add_test(f, snippet_bounded);
	tcase_add_test(f, annotations);
	tcase_add_loop_test(p, positive, 0, (int)(sizeof(positives) / sizeof(positives[0])));
	tcase_add_test(p, severity_and_text);
	tcase_add_test(p, across_files);
	tcase_add_test(p, session_closed_expire_false);
	tcase_add_loop_test(n, negative, 0, (int)(sizeof(negatives) / sizeof(negatives[0])));
	tcase_add_test(m, malformed);
	suite_add_tcase(s, f);
	suite_add_tcase(s, p);
	suite_add_tcase(s, n);
	suite_add_tcase(s, m);
	return s;
}
