/*
 * Unit tests of audit-query/over_fetching.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "db_helpers.h"
#include "proj_helpers.h"
#include "../../audit-query/checks.h"

#define ID "over_fetching"

/* Book: 12 columns, a relationship and a property; Small: 4 columns. */
#define MODELS \
	"from sqlalchemy import Column, Integer, String, Text, select\n" \
	"from sqlalchemy.orm import DeclarativeBase, load_only, relationship\n" \
	"from fastapi import APIRouter, Depends\n" \
	"router = APIRouter()\n" \
	"class Base(DeclarativeBase):\n    pass\n" \
	"class Book(Base):\n" \
	"    __tablename__ = 'books'\n" \
	"    id = Column(Integer, primary_key=True)\n" \
	"    title = Column(String)\n" \
	"    isbn = Column(String)\n" \
	"    c1 = Column(Text)\n    c2 = Column(Text)\n    c3 = Column(Text)\n" \
	"    c4 = Column(Text)\n    c5 = Column(Text)\n    c6 = Column(Text)\n" \
	"    c7 = Column(Text)\n    c8 = Column(Text)\n    c9 = Column(Text)\n" \
	"    author = relationship('Author')\n" \
	"    @property\n" \
	"    def label(self):\n" \
	"        return self.title + self.isbn\n" \
	"class Small(Base):\n" \
	"    __tablename__ = 'small'\n" \
	"    id = Column(Integer, primary_key=True)\n    name = Column(String)\n" \
	"    a = Column(String)\n    b = Column(String)\n"
/* MODELS is 30 lines: code after it starts at line 31 */

/* Wide: 17 columns, 4 of them from a mixin. */
#define WIDE \
	"from sqlalchemy import Column, Integer, String, select\n" \
	"from sqlalchemy.orm import DeclarativeBase\n" \
	"from fastapi import APIRouter\n" \
	"router = APIRouter()\n" \
	"class Base(DeclarativeBase):\n    pass\n" \
	"class Stamps:\n" \
	"    created = Column(String)\n    updated = Column(String)\n" \
	"    created_by = Column(String)\n    updated_by = Column(String)\n" \
	"class Wide(Stamps, Base):\n" \
	"    __tablename__ = 'wide'\n" \
	"    id = Column(Integer, primary_key=True)\n    name = Column(String)\n" \
	"    w1 = Column(String)\n    w2 = Column(String)\n    w3 = Column(String)\n    w4 = Column(String)\n" \
	"    w5 = Column(String)\n    w6 = Column(String)\n    w7 = Column(String)\n    w8 = Column(String)\n" \
	"    w9 = Column(String)\n    w10 = Column(String)\n    w11 = Column(String)\n"
/* WIDE is 25 lines: code after it starts at line 26 */

static const struct db_case positives[] = {
	/* a statement refined in place, executed with exec(), rows read in a comprehension */
	{ MODELS "@router.get('/books')\nasync def list_books(genre: str, session=Depends(get_session)):\n"
	  "    stmt = select(Book).order_by(Book.title)\n"
	  "    if genre:\n        stmt = stmt.where(Book.c1 == genre)\n"
	  "    books = (await session.exec(stmt)).scalars().all()\n"
	  "    return [{'id': b.id, 'title': b.title, 'isbn': b.isbn} for b in books]\n", "33" },
	/* legacy Query API */
	{ MODELS "def index(session):\n    books = session.query(Book).order_by(Book.title).all()\n"
	  "    return [{'t': b.title} for b in books]\n", "32" },
	/* a for-loop over the rows, an emptiness test and len() */
	{ MODELS "def f(session):\n    rows = session.scalars(select(Book).where(Book.c2 == 'x')).all()\n"
	  "    if not rows:\n        return []\n    out = []\n    for r in rows:\n        out.append(r.title)\n"
	  "    print(len(rows))\n    return out\n", "32" },
	/* iterated directly, and through enumerate() */
	{ MODELS "def f(session):\n    for b in session.scalars(select(Book)):\n        print(b.isbn)\n"
	  "def g(session):\n    rows = session.execute(select(Book)).scalars().all()\n"
	  "    for i, b in enumerate(rows):\n        print(i, b.id)\n", "32,35" },
	/* Flask-SQLAlchemy Model.query */
	{ MODELS "def f():\n    return {b.id: b.title for b in Book.query.filter_by(c3='x').all()}\n", "32" },
	/* an update path: attributes set on every row */
	{ MODELS "async def recalibrate(session):\n"
	  "    rows = (await session.scalars(select(Book).where(Book.c4 == 'x'))).all()\n"
	  "    for b in rows:\n        b.c5, b.c6 = await fit(b.id)\n    await session.commit()\n", "32" },
	/* attributes read inside f-strings count; len(rows) in one is fine */
	{ MODELS "def f(session):\n    rows = session.scalars(select(Book)).all()\n"
	  "    print(f'{len(rows)} books')\n    for b in rows:\n        print(f'{b.title}: {b.isbn}')\n", "32" },
	/* the result of execute() kept, then scalars().all() */
	{ MODELS "async def f(session):\n    result = await session.execute(select(Book))\n"
	  "    books = result.scalars().all()\n    return [b.id for b in books]\n", "32" },
};

static const struct db_case negatives[] = {
	/* explicit column selection */
	{ MODELS "def f(session):\n    rows = session.execute(select(Book.id, Book.title)).all()\n"
	  "    return [{'id': r.id, 't': r.title} for r in rows]\n", "" },
	/* one row: first(), limit(1), scalar_one(), an index */
	{ MODELS "def f(session):\n    b = session.query(Book).filter(Book.id == 1).first()\n    return b.title\n"
	  "def g(session):\n    rows = session.scalars(select(Book).limit(1)).all()\n"
	  "    return [r.id for r in rows]\n"
	  "def h(session):\n    rows = session.scalars(select(Book)).all()\n    return rows[0].title\n", "" },
	/* a model of four columns */
	{ MODELS "def f(session):\n    rows = session.scalars(select(Small)).all()\n"
	  "    return [r.name for r in rows]\n", "" },
	/* rows returned whole, passed to a serializer, a row passed on */
	{ MODELS "def f(session):\n    rows = session.scalars(select(Book)).all()\n    return rows\n"
	  "def g(session):\n    rows = session.scalars(select(Book)).all()\n    return serialize(rows)\n"
	  "def h(session):\n    rows = session.scalars(select(Book)).all()\n"
	  "    return [BookOut.model_validate(b) for b in rows]\n", "" },
	/* four attributes, a method of the row, a property of the model */
	{ MODELS "def f(session):\n    rows = session.scalars(select(Book)).all()\n"
	  "    return [(b.id, b.title, b.isbn, b.c1) for b in rows]\n"
	  "def g(session):\n    rows = session.scalars(select(Book)).all()\n    return [b.to_dict() for b in rows]\n"
	  "def h(session):\n    rows = session.scalars(select(Book)).all()\n"
	  "    return [b.label for b in rows]\n", "" },
	/* the columns already narrowed: load_only, defer, with_only_columns */
	{ MODELS "def f(session):\n"
	  "    rows = session.scalars(select(Book).options(load_only(Book.id, Book.title))).all()\n"
	  "    return [b.title for b in rows]\n"
	  "def g(session):\n    stmt = select(Book)\n    stmt = stmt.with_only_columns(Book.id)\n"
	  "    return [r.id for r in session.execute(stmt)]\n", "" },
	/* the row formatted whole in an f-string; four attributes through f-strings */
	{ MODELS "def f(session):\n    for b in session.scalars(select(Book)):\n        print(f'{b}')\n"
	  "def g(session):\n    for b in session.scalars(select(Book)):\n"
	  "        print(f'{b.id} {b.title} {b.isbn}', b.c1)\n", "" },
	/* rows used by a nested def; the statement handed to a paginator */
	{ MODELS "def f(session):\n    rows = session.scalars(select(Book)).all()\n"
	  "    def titles():\n        return [b.title for b in rows]\n    return titles()\n"
	  "async def g(session):\n    stmt = select(Book).where(Book.c1 == 'x')\n"
	  "    return await paginate(session, stmt)\n", "" },
	/* sorted() with a key that may read more; only counted */
	{ MODELS "def f(session):\n    rows = session.scalars(select(Book)).all()\n"
	  "    return [b.id for b in sorted(rows, key=rank)]\n"
	  "def g(session):\n    rows = session.scalars(select(Book)).all()\n    return len(rows)\n", "" },
	/* a subquery, an exists(), the query returned unexecuted */
	{ MODELS "def f(session):\n    sub = select(Book).where(Book.c1 == 'x').subquery()\n"
	  "    return session.execute(select(sub.c.id)).all()\n"
	  "def g():\n    return select(Book).where(Book.c2 == 'y')\n", "" },
	/* the rows rebound to a value built from them that reads more attributes */
	{ MODELS "def f(session):\n    rows = session.scalars(select(Book)).all()\n"
	  "    for b in rows:\n        print(b.id)\n"
	  "    rows = {b.title: (b.c1, b.c2, b.c3) for b in rows}\n    return rows\n", "" },
	/* raiseload does not narrow the columns, but the rows are passed on */
	{ MODELS "def f(session):\n"
	  "    rows = session.scalars(select(Book).options(raiseload('*'))).all()\n"
	  "    return [render(b) for b in rows]\n", "" },
	/* a select() of something that is not a model of the project */
	{ MODELS "def f(session):\n    for r in session.execute(select(Unknown)):\n        print(r.id)\n", "" },
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
	/* more than fifteen columns (mixin included) in a handler: MEDIUM */
	ck_assert_int_eq(db_one(&query_auditor, ID,
				WIDE "@router.get('/w')\nasync def ws(session: AsyncSession):\n"
				"    rows = (await session.scalars(select(Wide))).all()\n"
				"    return [w.name for w in rows]\n", NULL, &s),
			 SEV_MEDIUM);
	ck_assert_msg(strstr(s, "Wide rows (17 columns)") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "reads only name") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "await session.execute(select(Wide.name))") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "load_only(Wide.name)") != NULL, "%s", s);
	free(s);
	/* the same outside a handler: LOW */
	ck_assert_int_eq(db_one(&query_auditor, ID,
				WIDE "async def job(session: AsyncSession):\n"
				"    rows = (await session.scalars(select(Wide))).all()\n"
				"    return [w.name for w in rows]\n", NULL, NULL),
			 SEV_LOW);
	/* twelve columns in a handler: LOW; legacy advice keeps the receiver */
	ck_assert_int_eq(db_one(&query_auditor, ID,
				MODELS "@router.get('/b')\ndef books():\n    rows = Session.query(Book).all()\n"
				"    return [b.title for b in rows]\n", NULL, &s),
			 SEV_LOW);
	ck_assert_msg(strstr(s, "Session.query(Book.title)") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "Book rows (12 columns)") != NULL, "%s", s);
	free(s);
	/* rows only changed: one UPDATE statement instead */
	db_one(&query_auditor, ID, positives[5].src, NULL, &s);
	ck_assert_msg(strstr(s, "reads only id and sets only c5, c6") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "load_only(Book.c5, Book.c6, Book.id)") != NULL, "%s", s);
	free(s);
	db_one(&query_auditor, ID,
	       MODELS "async def move(session, a, b):\n"
	       "    rows = (await session.scalars(select(Book).where(Book.c1 == a))).all()\n"
	       "    for r in rows:\n        r.c1 = b\n", NULL, &s);
	ck_assert_msg(strstr(s, "update(Book).where(<the same filter>).values(c1=...)") != NULL, "%s", s);
	free(s);
	/* SQLModel: exec() */
	db_one(&query_auditor, ID,
	       "from sqlmodel import SQLModel, Field, select\n"
	       "class Hero(SQLModel, table=True):\n"
	       "    id: int = Field(primary_key=True)\n    name: str\n    a: str\n    b: str\n    c: str\n"
	       "    d: str\n    e: str\n    f: str\n    g: str\n    h: str\n    i: str\n"
	       "async def heroes(session):\n    rows = (await session.exec(select(Hero))).all()\n"
	       "    return [h.name for h in rows]\n", NULL, &s);
	ck_assert_msg(strstr(s, "await session.exec(select(Hero.name))") != NULL, "%s", s);
	free(s);
}
END_TEST

START_TEST(across_files)
{
	/* the model in one file, the list endpoint in another */
	struct proj p;
	struct finding_list fl;
	char got[512];
	json_t *ctx;
	proj_init(&p);
	proj_put(&p, "app/models.py", WIDE);
	proj_put(&p, "app/routes.py",
		 "from fastapi import APIRouter, Depends\nfrom sqlalchemy import select\n"
		 "from app.models import Wide\nrouter = APIRouter()\n\n"
		 "@router.get('/wides')\nasync def wides(session: AsyncSession = Depends(get_session)):\n"
		 "    rows = (await session.scalars(select(Wide).order_by(Wide.name))).all()\n"
		 "    return [{'id': w.id, 'name': w.name} for w in rows]\n\n"
		 "@router.get('/wides/{wid}')\nasync def one(wid: int, session: AsyncSession = Depends(get_session)):\n"
		 "    w = (await session.scalars(select(Wide).where(Wide.id == wid))).first()\n"
		 "    return {'id': w.id}\n");
	ctx = proj_context(&p, NULL);
	ck_assert_str_eq(proj_lines(&query_auditor, ID, ctx, &fl, got, sizeof(got)), "app/routes.py:8");
	ck_assert_int_eq(fl.v[0].severity, SEV_MEDIUM);
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

Suite *suite_over_fetching(void)
{
	Suite *s = suite_create(ID);
	TCase *p = tcase_create("positives"), *n = tcase_create("negatives"), *m = tcase_create("malformed");
	tcase_add_loop_test(p, positive, 0, (int)(sizeof(positives) / sizeof(positives[0])));
	tcase_add_test(p, severity_and_text);
	tcase_add_test(p, across_files);
	tcase_add_loop_test(n, negative, 0, (int)(sizeof(negatives) / sizeof(negatives[0])));
	tcase_add_test(m, malformed);
	suite_add_tcase(s, p);
	suite_add_tcase(s, n);
	suite_add_tcase(s, m);
	return s;
}
