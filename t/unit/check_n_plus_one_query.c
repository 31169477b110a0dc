/*
 * Unit tests of audit-query/n_plus_one_query.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "db_helpers.h"
#include "../../audit-query/checks.h"

#define ID "n_plus_one_query"

#define MODELS \
	"from sqlalchemy.orm import DeclarativeBase, Mapped, relationship, selectinload, joinedload\n" \
	"class Base(DeclarativeBase):\n    pass\n" \
	"class Survey(Base):\n" \
	"    questions = relationship('Question', lazy='selectin')\n" \
	"    responses = relationship('Response', back_populates='survey')\n" \
	"class Response(Base):\n" \
	"    answers = relationship('Answer')\n" \
	"    survey = relationship('Survey', back_populates='responses')\n" \
	"    notes: Mapped[list['Note']] = relationship(lazy='raise')\n"
/* MODELS is 10 lines: code after it starts at line 11 */

#define DJANGO \
	"from django.db import models, transaction\n" \
	"class Author(models.Model):\n    name = models.CharField(max_length=80)\n" \
	"class Book(models.Model):\n" \
	"    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name='books')\n" \
	"    title = models.CharField(max_length=200)\n"
/* DJANGO is 6 lines: code after it starts at line 7 */

static const struct db_case positives[] = {
	/* session.get per row of a query result (async, FastAPI handler) */
	{ "from fastapi import APIRouter, Depends\nrouter = APIRouter()\n\n@router.get('/m/{mid}')\n"
	  "async def loans(mid: int, session: AsyncSession = Depends(get_session)):\n"
	  "    rows = (await session.scalars(select(Loan).where(Loan.member_id == mid))).all()\n"
	  "    out = []\n    for loan in rows:\n        book = await session.get(Book, loan.book_id)\n"
	  "        out.append(book.title)\n    return out\n", "9" },
	/* legacy Query chain: reported once, at the chain's first line */
	{ "def report(db, ids):\n    for i in ids:\n        u = db.query(User).filter(User.id == i)\\\n"
	  "            .first()\n        print(u)\n", "3" },
	/* execute(select()) in a comprehension element; a statement built before the loop */
	{ "def names(session, ids):\n    stmt = select(User.name).where(User.id == bindparam('i'))\n"
	  "    a = [session.execute(select(User).where(User.id == i)).scalar_one() for i in ids]\n"
	  "    for i in ids:\n        session.execute(stmt, {'i': i})\n    return a\n", "3,5" },
	/* a repository lookup per item, and Flask-SQLAlchemy Model.query */
	{ "class Svc:\n    def run(self, items):\n        for it in items:\n"
	  "            owner = self.user_repo.get_by_id(it.owner_id)\n"
	  "            tag = Tag.query.filter_by(name=it.tag).first()\n", "4,5" },
	/* a lazy relationship read per row, through nested loops */
	{ MODELS "def results(session, slug):\n"
	  "    survey = session.query(Survey).filter_by(slug=slug).first()\n"
	  "    for response in survey.responses:\n"
	  "        for answer in response.answers:\n            print(answer.score)\n", "14" },
	/* lazy relationship in a comprehension over a query result */
	{ MODELS "def export(session):\n    rows = session.scalars(select(Response)).all()\n"
	  "    return [len(r.answers) for r in rows]\n", "13" },
	/* raw SQL with asyncpg, and a query inside a while inside the for */
	{ "async def sync(conn, ids):\n    for i in ids:\n"
	  "        row = await conn.fetchrow('SELECT * FROM items WHERE id = $1', i)\n"
	  "        while row is None:\n            row = await conn.fetchval('select 1')\n", "3,5" },
	/* awaitable_attrs is an explicit lazy load per row */
	{ MODELS "async def f(session):\n    rows = (await session.scalars(select(Response))).all()\n"
	  "    for r in rows:\n        a = await r.awaitable_attrs.answers\n", "14" },
	/* Django: a lookup per id, and a foreign key read per row */
	{ DJANGO "def f(ids):\n    for i in ids:\n        a = Author.objects.get(id=i)\n"
	  "    for b in Book.objects.filter(title__startswith='A'):\n        print(b.author.name)\n", "9,11" },
	/* rows assigned from a repository method that does not eager-load */
	{ MODELS "class Repo:\n    def list_plain(self):\n        return self.session.scalars(select(Response)).all()\n"
	  "def show(repo):\n    rows = repo.list_plain()\n    return [r.answers for r in rows]\n", "16" },
	/* crud-style data access taking the session first (a service taking
	 * it is a helper one call deep, not reported) */
	{ "def f(db, ids):\n    for i in ids:\n        crud.user.get(db, id=i)\n"
	  "        users_service.get_by_email(db, i)\n", "3" },
	/* a query built in the loop and run in it */
	{ "def f(session, filters):\n    for f in filters:\n        q = session.query(T).filter(T.kind == f.kind)\n"
	  "        q = apply(q, f)\n        rows = q.filter(T.x == 1).all()\n", "3" },
	/* a repository lookup per row that also filters on a fixed id set */
	{ "async def f(session, meters, event_ids):\n    for m in meters:\n"
	  "        stmt = select(Event.id).where(Event.id.in_(event_ids), Event.meter_id == m.id).limit(1)\n"
	  "        await session.execute(stmt)\n", "4" },
	/* a repository built on the spot */
	{ "async def f(session, ids):\n    for i in ids:\n"
	  "        o = await OrderRepository.from_session(session).get_by_id(i)\n", "3" },
};

static const struct db_case negatives[] = {
	/* the query is the loop's iterable, or a comprehension's first iterable */
	{ "def f(session):\n    for u in session.scalars(select(User)):\n        print(u.name)\n"
	  "    return [u.id for u in session.query(User).all()]\n", "" },
	/* a polling loop */
	{ "import time\ndef poll(session):\n    while True:\n"
	  "        job = session.scalar(select(Job).where(Job.state == 'new'))\n        time.sleep(1)\n", "" },
	/* a small literal collection and a retry loop */
	{ "def f(session):\n    out = {}\n    for status in ('open', 'closed'):\n"
	  "        out[status] = session.scalar(select(func.count()).where(T.status == status))\n"
	  "    for attempt in range(3):\n        session.get(T, 1)\n    return out\n", "" },
	/* eager-loaded in the same def, declared selectin, raise */
	{ MODELS "def f(session):\n"
	  "    rows = session.scalars(select(Response).options(selectinload(Response.answers))).all()\n"
	  "    a = [len(r.answers) for r in rows]\n    s = session.scalars(select(Survey)).all()\n"
	  "    b = [len(x.questions) + len(x.notes) for x in s]\n    return a, b\n", "" },
	/* eager-loaded by the project function that returned the rows */
	{ MODELS "def load(session):\n"
	  "    return session.scalars(select(Response).options(joinedload(Response.answers))).all()\n"
	  "def show(session):\n    for r in load(session):\n        print(r.answers)\n", "" },
	/* rows handed in by the caller: their loading strategy is unknown here */
	{ MODELS "def render(responses):\n    return [len(r.answers) for r in responses]\n", "" },
	/* an aiohttp session is not a database session; get() of one argument */
	{ "import aiohttp\nasync def crawl(urls):\n    async with aiohttp.ClientSession() as session:\n"
	  "        for u in urls:\n            async with session.get(u) as r:\n                print(await r.text())\n"
	  "def g(session, keys):\n    return [session.get(k) for k in keys]\n", "" },
	/* query text in strings and comments only */
	{ "def f(items):\n    for i in items:\n        print('session.get(Book, i)')  # session.query(X).all()\n", "" },
	/* pages and batches */
	{ "def f(session):\n    for page in range(10000):\n"
	  "        rows = session.scalars(select(T).offset(page * 100).limit(100)).all()\n"
	  "    for batch in chunks(ids, 500):\n        session.scalars(select(T).where(T.id.in_(batch))).all()\n", "" },
	/* a column of the same name as a relationship elsewhere: ambiguous */
	{ MODELS "class Quiz(Base):\n    answers = Column(Integer)\n"
	  "def f(session):\n    rows = session.scalars(select(Thing)).all()\n"
	  "    return [r.answers for r in rows]\n", "" },
	/* a query inside a def nested in the loop runs when called, not per iteration */
	{ "def f(session, items):\n    for it in items:\n        def later():\n"
	  "            return session.get(Book, it.id)\n        callbacks.append(later)\n", "" },
	/* a subquery built in the loop is not executed there */
	{ "def f(session, ids):\n    subs = []\n    for i in ids:\n"
	  "        subs.append(session.query(T.id).filter(T.x == i).subquery())\n", "" },
	/* Django: select_related / prefetch_related */
	{ DJANGO "def f():\n    for b in Book.objects.select_related('author'):\n        print(b.author.name)\n"
	  "    for a in Author.objects.prefetch_related('books'):\n        print(len(a.books.all()))\n", "" },
	/* rows assigned from a repository method that eager-loads */
	{ MODELS "class Repo:\n    def list_full(self):\n"
	  "        return self.session.scalars(select(Response).options(selectinload(Response.answers))).all()\n"
	  "def show(repo):\n    rows = repo.list_full()\n    return [r.answers for r in rows]\n", "" },
	/* list.append(db), dict.get(key, default) */
	{ "def f(db, items, cache):\n    for i in items:\n        pool_list.append(db)\n"
	  "        cache.get(i, None)\n        request.session.get('k', 1)\n", "" },
	/* async for over a pub/sub stream: one lookup per event */
	{ "async def relay(session, pubsub):\n    async for ev in pubsub.listen():\n"
	  "        user = await session.get(User, ev['uid'])\n", "" },
	/* a method taking a session *number* first */
	{ "def f(self, ranges):\n    for sess, s, e in ranges:\n        for line in self.get_range(sess, s, e):\n"
	  "            yield line\n", "" },
	/* rows filtered from a parameter through a comprehension and enumerate() */
	{ MODELS "def render(responses):\n    active = [r for r in responses if r.id]\n"
	  "    for i, r in enumerate(active, 1):\n        print(i, r.answers)\n", "" },
	/* a union built in the loop and run after it; a batch load with in_() per model */
	{ "def f(session, classes, by_model):\n    qs = None\n    for m in classes:\n"
	  "        q = session.query(m.id).filter(m.x > 0)\n        qs = q if qs is None else qs.union(q)\n"
	  "    for m, objs in by_model.items():\n"
	  "        found = session.query(m).filter(m.id.in_([o.id for o in objs])).all()\n    return qs\n", "" },
	/* slices of size N: range(0, n, size), and a *_batch repository method */
	{ "async def f(repo, ids, CHUNK):\n    for start in range(0, len(ids), CHUNK):\n"
	  "        await repo.get_ids_by_external_ids(ids[start : start + CHUNK])\n"
	  "    for org in orgs:\n        await repo.get_ancestors_batch(org.event_ids)\n", "" },
	/* batches named by the loop variable or a plural iterable */
	{ "def f(session, ids):\n    for chunk in chunked(ids, 100):\n        session.get(User, chunk[0])\n"
	  "    for b in itertools.batched(ids, 100):\n        session.scalars(select(User).where(User.id == b[0]))\n", "" },
	/* services and self taking the session first are not queries themselves */
	{ "async def f(self, session, org_ids, items):\n    for o in org_ids:\n"
	  "        await metrics_service.get_metrics(session, o)\n        await self.get_by(session, id=o)\n"
	  "        await file_service.get_selectable_file(session, o)\n", "" },
	/* a statement over the loop's own key set (a slice of ids per pass) */
	{ "async def f(session, groups):\n    for g in groups:\n        keys = g.ids\n"
	  "        stmt = select(Event).where(Event.id.in_(keys))\n        await session.execute(stmt)\n", "" },
	/* one SELECT per table, not per row */
	{ "def dump(conn, meta):\n    return {t.name: conn.execute(t.select()).all() for t in meta.sorted_tables}\n", "" },
	/* a small literal collection, and a choice between two module constants */
	{ "A = [(1, 2), (3, 4)]\nB = [(5, 6)]\ndef f(session, rollback):\n    m = B if rollback else A\n"
	  "    for x, y in m:\n        session.execute(text('SELECT count(*) FROM t WHERE a = :a'), {'a': x})\n"
	  "    for bound in (start, end):\n        session.scalar(select(T.id).where(T.at == bound))\n", "" },
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
	ck_assert_int_eq(db_one(&query_auditor, ID, positives[0].src, NULL, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "await session.scalars(select(Book)") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "loop over rows") != NULL, "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&query_auditor, ID,
				"def job(db, ids):\n    for i in ids:\n        db.get(User, i)\n", NULL, &s),
			 SEV_MEDIUM);
	ck_assert_msg(strstr(s, "db.scalars(select(User)") != NULL, "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&query_auditor, ID, positives[5].src, NULL, &s), SEV_MEDIUM);
	ck_assert_msg(strstr(s, "selectinload(Response.answers)") != NULL, "%s", s);
	free(s);
}
END_TEST

START_TEST(async_lazy_is_broken)
{
	char *s;
	/* a lazy relationship read per row under an AsyncSession raises MissingGreenlet */
	ck_assert_int_eq(db_one(&query_auditor, ID,
				MODELS "async def export(session: AsyncSession):\n"
				"    rows = (await session.scalars(select(Response))).all()\n"
				"    return [len(r.answers) for r in rows]\n", NULL, &s),
			 SEV_CRITICAL);
	ck_assert_msg(strstr(s, "MissingGreenlet") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "selectinload(Response.answers)") != NULL, "%s", s);
	free(s);
	/* an async def with a sync session (no await on it) is slow, not broken */
	ck_assert_int_eq(db_one(&query_auditor, ID,
				MODELS "async def export(session):\n"
				"    rows = session.scalars(select(Response)).all()\n"
				"    return [len(r.answers) for r in rows]\n", NULL, &s),
			 SEV_MEDIUM);
	ck_assert_msg(strstr(s, "MissingGreenlet") == NULL, "%s", s);
	free(s);
}
END_TEST

START_TEST(runs_once_is_one_level_down)
{
	/* a def called only from the __main__ block, and a startup hook */
	ck_assert_int_eq(db_one(&query_auditor, ID,
				"def backfill(db, ids):\n    for i in ids:\n        db.get(User, i)\n\n"
				"if __name__ == '__main__':\n    backfill(make_db(), [1, 2])\n", NULL, NULL),
			 SEV_LOW);
	ck_assert_int_eq(db_one(&query_auditor, ID,
				"@app.on_event('startup')\ndef warm(db, ids):\n    for i in ids:\n"
				"        db.get(User, i)\n", NULL, NULL),
			 SEV_LOW);
	/* also called from another def: not only once */
	ck_assert_int_eq(db_one(&query_auditor, ID,
				"def backfill(db, ids):\n    for i in ids:\n        db.get(User, i)\n\n"
				"def nightly():\n    backfill(make_db(), [1])\n\n"
				"if __name__ == '__main__':\n    backfill(make_db(), [1, 2])\n", NULL, NULL),
			 SEV_MEDIUM);
}
END_TEST

START_TEST(context_factories)
{
	/* a factory named only in the context's session_factories */
	json_t *ctx = json_loads("{\"db_config\":{\"session_factories\":[{\"name\":\"Mk\"}]},"
				 "\"tech_stack\":{\"orm\":\"sqlalchemy\",\"orm_version\":\"1.4.51\"}}", 0, NULL);
	struct db_case c = { "def f(ids):\n    with Mk() as s:\n        for i in ids:\n"
			     "            s.query(T).get(i)\n", "4" };
	char *t;
	ck_assert_ptr_nonnull(ctx);
	db_expect(&query_auditor, ID, &c, ctx);
	db_one(&query_auditor, ID, c.src, ctx, &t);
	ck_assert_msg(strstr(t, "query(T).filter(T.id.in_(ids))") != NULL, "%s", t);
	free(t);
	json_decref(ctx);
}
END_TEST

START_TEST(malformed)
{
	db_malformed(&query_auditor, ID);
}
END_TEST

Suite *suite_n_plus_one_query(void)
{
	Suite *s = suite_create(ID);
	TCase *p = tcase_create("positives"), *n = tcase_create("negatives"), *m = tcase_create("malformed");
	tcase_add_loop_test(p, positive, 0, (int)(sizeof(positives) / sizeof(positives[0])));
	tcase_add_test(p, severity_and_text);
	tcase_add_test(p, context_factories);
	tcase_add_test(p, async_lazy_is_broken);
	tcase_add_test(p, runs_once_is_one_level_down);
	tcase_add_loop_test(n, negative, 0, (int)(sizeof(negatives) / sizeof(negatives[0])));
	tcase_add_test(m, malformed);
	suite_add_tcase(s, p);
	suite_add_tcase(s, n);
	suite_add_tcase(s, m);
	return s;
}
