/*
 * Unit tests of audit-query/wrong_caching_scope.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "db_helpers.h"
#include "proj_helpers.h"
#include "../../audit-query/checks.h"

#define ID "wrong_caching_scope"

#define HEAD \
	"from functools import lru_cache\n" \
	"from fastapi import APIRouter, Depends, Request\n" \
	"from sqlalchemy import func, select\n" \
	"router = APIRouter()\n"
/* HEAD is 4 lines: code after it starts at line 5 */

/* GenreStats: an aggregate cached on the instance (lines 5-16). */
#define STATS \
	"class GenreStats:\n" \
	"    def __init__(self, session: AsyncSession = Depends(get_session)):\n" \
	"        self.session = session\n" \
	"        self._counts = None\n" \
	"    async def counts(self):\n" \
	"        if self._counts is None:\n" \
	"            result = await self.session.execute(\n" \
	"                select(Book.genre, func.count(Loan.id)).join(Loan).group_by(Book.genre))\n" \
	"            self._counts = dict(result.all())\n" \
	"        return self._counts\n" \
	"    async def top(self):\n" \
	"        return sorted((await self.counts()).items())[:5]\n"
/* STATS is 12 lines: with HEAD, code after it starts at line 17 */

static const struct db_case positives[] = {
	/* x: Cls = Depends(): a new instance per request; a join and an aggregate */
	{ HEAD STATS "@router.get('/genres')\nasync def genres(stats: GenreStats = Depends()):\n"
	  "    return await stats.top()\n", "10" },
	/* Depends(Cls) */
	{ HEAD STATS "@router.get('/genres')\nasync def genres(stats=Depends(GenreStats)):\n"
	  "    return await stats.top()\n", "10" },
	/* built inside the handler; "if not self._units" */
	{ HEAD "class Meta:\n    def __init__(self, session):\n        self.session = session\n"
	  "        self._units = {}\n    async def unit(self, code):\n        if not self._units:\n"
	  "            rows = await self.session.scalars(select(Unit))\n"
	  "            self._units = {u.code: u for u in rows}\n        return self._units.get(code)\n"
	  "@router.get('/s/{code}')\nasync def s(code: str, session=Depends(get_session)):\n"
	  "    return await Meta(session).unit(code)\n", "10" },
	/* a memo dict keyed by the argument, filled after an early return */
	{ HEAD "class Prices:\n    def __init__(self, session):\n        self.session = session\n"
	  "        self._memo = {}\n    def for_region(self, region):\n        if region in self._memo:\n"
	  "            return self._memo[region]\n"
	  "        rows = self.session.scalars(select(Price).where(Price.region == region)).all()\n"
	  "        self._memo[region] = rows\n        return rows\n"
	  "@router.get('/p')\ndef p(region: str, db=Depends(get_db)):\n    return Prices(db).for_region(region)\n",
	  "10" },
	/* lru_cache on a method, the class built by an uncached provider */
	{ HEAD "class Catalog:\n    def __init__(self, session):\n        self.session = session\n"
	  "    @lru_cache(maxsize=None)\n    def categories(self):\n"
	  "        return self.session.query(Category).all()\n"
	  "def get_catalog(db=Depends(get_db)):\n    return Catalog(db)\n"
	  "@router.get('/c')\ndef c(catalog: Catalog = Depends(get_catalog)):\n    return catalog.categories()\n",
	  "8" },
	/* a loaded flag; the query in a helper method that groups */
	{ HEAD "class Board:\n    def __init__(self, session):\n        self.session = session\n"
	  "        self._loaded = False\n"
	  "    async def rows(self):\n        if not self._loaded:\n            self._rows = await self._fetch()\n"
	  "            self._loaded = True\n        return self._rows\n"
	  "    async def _fetch(self):\n"
	  "        return (await self.session.execute(select(T.k, func.sum(T.v)).group_by(T.k))).all()\n"
	  "@router.get('/b')\nasync def b(session=Depends(get_session)):\n    return await Board(session).rows()\n",
	  "10" },
};

static const struct db_case negatives[] = {
	/* a singleton created at module level */
	{ HEAD STATS "stats = GenreStats(None)\n"
	  "@router.get('/genres')\nasync def genres():\n    return await stats.top()\n", "" },
	/* a singleton from an lru_cache'd provider */
	{ HEAD STATS "@lru_cache\ndef get_stats():\n    return GenreStats(None)\n"
	  "@router.get('/genres')\nasync def genres(stats: GenreStats = Depends(get_stats)):\n"
	  "    return await stats.top()\n", "" },
	/* a provider that keeps one instance in a global */
	{ HEAD STATS "_stats = None\ndef get_stats():\n    global _stats\n    if _stats is None:\n"
	  "        _stats = GenreStats(None)\n    return _stats\n"
	  "@router.get('/genres')\nasync def genres(stats=Depends(get_stats)):\n"
	  "    return await stats.top()\n", "" },
	/* built at startup into app.state, read from there per request */
	{ HEAD STATS "@app.on_event('startup')\nasync def boot():\n    app.state.stats = GenreStats(None)\n"
	  "@router.get('/genres')\nasync def genres(request: Request):\n"
	  "    return await request.app.state.stats.top()\n", "" },
	/* a per-request repository without cache state */
	{ HEAD "class BookRepository:\n    def __init__(self, session):\n        self.session = session\n"
	  "    async def all(self):\n        return (await self.session.scalars(select(Book))).all()\n"
	  "@router.get('/b')\nasync def b(session=Depends(get_session)):\n"
	  "    return await BookRepository(session).all()\n", "" },
	/* a per-request memo of one row looked up by key (the current user) */
	{ HEAD "class Current:\n    def __init__(self, session, uid):\n        self.session = session\n"
	  "        self.uid = uid\n        self._user = None\n    async def user(self):\n"
	  "        if self._user is None:\n            self._user = await self.session.get(User, self.uid)\n"
	  "        return self._user\n"
	  "@router.get('/me')\nasync def me(session=Depends(get_session)):\n"
	  "    return await Current(session, 1).user()\n", "" },
	/* a cache kept on the class: shared by every instance */
	{ HEAD "class Units:\n    _cache: dict = {}\n"
	  "    def __init__(self, session):\n        self.session = session\n"
	  "    def get(self, code):\n        if code not in self._cache:\n"
	  "            self._cache[code] = self.session.scalars(select(Unit).where(Unit.kind == code)).all()\n"
	  "        return self._cache[code]\n"
	  "@router.get('/u')\ndef u(code: str, db=Depends(get_db)):\n    return Units(db).get(code)\n", "" },
	/* lazily built state that is not a query */
	{ HEAD "class Client:\n    def __init__(self):\n        self._http = None\n    def http(self):\n"
	  "        if self._http is None:\n            self._http = httpx.Client()\n        return self._http\n"
	  "@router.get('/x')\ndef x():\n    return Client().http().get('https://e.com').text\n", "" },
	/* a DataLoader: per-request batching by design */
	{ HEAD "class BookLoader:\n    def __init__(self, session):\n        self.session = session\n"
	  "        self._cache = {}\n    async def load(self, ids):\n        if not self._cache:\n"
	  "            rows = await self.session.scalars(select(Book).where(Book.id.in_(ids)))\n"
	  "            self._cache = {b.id: b for b in rows}\n        return [self._cache[i] for i in ids]\n"
	  "@router.get('/l')\nasync def l(session=Depends(get_session)):\n"
	  "    return await BookLoader(session).load([1])\n", "" },
	/* guards, not caches: "if self.done: return" and a flag set without keeping data */
	{ HEAD "class Job:\n    def __init__(self, session):\n"
	  "        self.session = session\n        self.done = False\n"
	  "    def run(self):\n        if self.done:\n            return None\n"
	  "        for r in self.session.query(Row).all():\n            handle(r)\n        self.done = True\n"
	  "    def check(self):\n        if not self._checked:\n"
	  "            if self.session.query(Row).filter(Row.bad.is_(True)).all():\n"
	  "                raise ValueError('bad rows')\n            self._checked = True\n"
	  "@router.post('/j')\ndef j(db=Depends(get_db)):\n    Job(db).run()\n", "" },
	/* a cache class only created by a background job */
	{ HEAD STATS "async def nightly(session):\n    return await GenreStats(session).top()\n", "" },
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
	ck_assert_msg(strstr(s, "GenreStats caches") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "self._counts") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "Depends(GenreStats) in genres (app/mod.py:18)") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "@lru_cache'd dependency") != NULL, "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&query_auditor, ID, positives[2].src, NULL, &s), SEV_MEDIUM);
	ck_assert_msg(strstr(s, "request handler s builds a new Meta at app/mod.py:16") != NULL, "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&query_auditor, ID, positives[3].src, NULL, &s), SEV_MEDIUM);
	ck_assert_msg(strstr(s, "keyed by region") != NULL, "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&query_auditor, ID, positives[4].src, NULL, &s), SEV_MEDIUM);
	ck_assert_msg(strstr(s, "@lru_cache on categories()") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "dependency provider get_catalog") != NULL, "%s", s);
	free(s);
	ck_assert_int_eq(db_one(&query_auditor, ID, positives[5].src, NULL, NULL), SEV_HIGH);
	ck_assert_int_eq(db_one(&query_auditor, ID, positives[0].src, NULL, &s), SEV_HIGH);
	ck_assert_msg(strstr(s, "pass the session to the method per call") != NULL, "%s", s);
	free(s);
	/* no session kept on the instance, the session is not a cache key: share one instance */
	ck_assert_int_eq(db_one(&query_auditor, ID,
				HEAD "class Tariffs:\n    def __init__(self):\n        self._t = {}\n"
				"    async def get(self, session: AsyncSession, plan):\n        if not self._t:\n"
				"            self._t = {t.plan: t for t in (await session.scalars(select(Tariff))).all()}\n"
				"        return self._t[plan]\n"
				"@router.get('/t')\nasync def t(plan: str, tb: Tariffs = Depends(), session=Depends(get_session)):\n"
				"    return await tb.get(session, plan)\n", NULL, &s),
			 SEV_MEDIUM);
	ck_assert_msg(strstr(s, "Tariffs keeps no session") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "instead of Depends(Tariffs)") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "keyed by") == NULL, "%s", s);
	free(s);
}
END_TEST

START_TEST(across_files)
{
	/* the class in a service module, created per message by a websocket handler elsewhere */
	struct proj p;
	struct finding_list fl;
	char got[512];
	json_t *ctx;
	proj_init(&p);
	proj_put(&p, "chat/filters.py",
		 "from sqlalchemy import select\nfrom chat.store import BannedWord\n\n"
		 "class BannedWords:\n    def __init__(self, session, room_id):\n        self.session = session\n"
		 "        self.room_id = room_id\n        self._words = None\n\n    async def words(self):\n"
		 "        if self._words is None:\n"
		 "            result = await self.session.scalars(select(BannedWord.word).where(BannedWord.room_id == "
		 "self.room_id))\n"
		 "            self._words = {w.lower() for w in result}\n        return self._words\n");
	proj_put(&p, "chat/app.py",
		 "from starlette.applications import Starlette\nfrom starlette.routing import WebSocketRoute\n"
		 "from chat.filters import BannedWords\n\n"
		 "async def room(ws):\n    while True:\n        text = await ws.receive_text()\n"
		 "        async with Sessions() as session:\n            banned = BannedWords(session, 1)\n"
		 "            if text in await banned.words():\n                continue\n\n"
		 "app = Starlette(routes=[WebSocketRoute('/ws', room)])\n");
	/* a module-level singleton of another cache class in a third file */
	proj_put(&p, "chat/units.py",
		 "class Units:\n    def __init__(self, session):\n        self.session = session\n        self._u = None\n"
		 "    def all(self):\n        if self._u is None:\n            self._u = self.session.query(Unit).all()\n"
		 "        return self._u\n\nUNITS = Units(make_session())\n");
	ctx = proj_context(&p, NULL);
	ck_assert_str_eq(proj_lines(&query_auditor, ID, ctx, &fl, got, sizeof(got)), "chat/filters.py:11");
	ck_assert_int_eq(fl.v[0].severity, SEV_MEDIUM);
	ck_assert_msg(strstr(fl.v[0].issue, "chat/app.py:9") != NULL, "%s", fl.v[0].issue);
	ck_assert_msg(strstr(fl.v[0].recommendation, "keyed by room_id") != NULL, "%s", fl.v[0].recommendation);
	finding_list_free(&fl);
	json_decref(ctx);
	proj_free(&p);
}
END_TEST

START_TEST(global_provider_in_other_file)
{
	/* the provider that keeps a global instance lives in another file */
	struct proj p;
	struct finding_list fl;
	char got[512];
	json_t *ctx;
	proj_init(&p);
	proj_put(&p, "app/stats.py",
		 "from sqlalchemy import func, select\n\nclass Stats:\n    def __init__(self, session):\n"
		 "        self.session = session\n        self._n = None\n    def n(self):\n        if self._n is None:\n"
		 "            self._n = self.session.scalar(select(func.count(Book.id)))\n        return self._n\n");
	proj_put(&p, "app/deps.py",
		 "from app.stats import Stats\n_one = None\n\ndef get_stats():\n    global _one\n"
		 "    if _one is None:\n        _one = Stats(make_session())\n    return _one\n");
	proj_put(&p, "app/routes.py",
		 "from fastapi import APIRouter, Depends\nfrom app.deps import get_stats\nrouter = APIRouter()\n\n"
		 "@router.get('/n')\ndef n(stats=Depends(get_stats)):\n    return stats.n()\n");
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

Suite *suite_wrong_caching_scope(void)
{
	Suite *s = suite_create(ID);
	TCase *p = tcase_create("positives"), *n = tcase_create("negatives"), *m = tcase_create("malformed");
	tcase_add_loop_test(p, positive, 0, (int)(sizeof(positives) / sizeof(positives[0])));
	tcase_add_test(p, severity_and_text);
	tcase_add_test(p, across_files);
	tcase_add_loop_test(n, negative, 0, (int)(sizeof(negatives) / sizeof(negatives[0])));
	tcase_add_test(n, global_provider_in_other_file);
	tcase_add_test(m, malformed);
	suite_add_tcase(s, p);
	suite_add_tcase(s, n);
	suite_add_tcase(s, m);
	return s;
}
