/*
 * audit-query/checks: the table of the Query Efficiency checks.  Rows with
 * a NULL run function come in a later issue and are reported "ran": false.
 */
#include "checks.h"

static const struct check_def query_checks[] = {
	{
		"n_plus_one_query",
		"a query per loop iteration or a lazy relationship loaded per row",
		"Load related rows in one query, never one query per row",
		SEV_HIGH,
		"HIGH in a request handler, MEDIUM in jobs and workers; one level lower in code that runs "
		"once (scripts, CLI commands, startup hooks, defs called only from __main__); CRITICAL for a "
		"lazy relationship read under an AsyncSession, which raises MissingGreenlet",
		"S-M",
		"Each iteration makes a database round trip (session.get, a query chain, "
		"execute(select(...)), a repository lookup, or the first access of a lazy "
		"relationship of the row), so a list of N rows costs N+1 queries and its latency "
		"grows with the data.  Queries that are only the loop's iterable, relationships "
		"loaded with selectinload/joinedload or declared lazy=\"selectin\"/\"joined\"/"
		"\"raise\", and polling loops are not reported.",
		"    loans = (await session.scalars(select(Loan).where(Loan.member_id == mid))).all()\n"
		"    for loan in loans:\n"
		"        book = await session.get(Book, loan.book_id)",
		"    rows = await session.execute(\n"
		"        select(Loan, Book).join(Book, Book.id == Loan.book_id).where(Loan.member_id == mid))\n"
		"    # or: select(Loan).options(selectinload(Loan.book))",
		check_n_plus_one_query,
	},
	{
		"n_update_delete_loop",
		"one UPDATE or DELETE statement per loop iteration",
		"Change many rows with one set-based statement, not one statement per row",
		SEV_HIGH,
		"HIGH when the loop runs over a query result or an unbounded collection (request "
		"data, a parameter); MEDIUM over a literal collection; one level lower in code that runs "
		"once (scripts, CLI commands, startup hooks, defs called only from __main__)",
		"S-M",
		"session.delete(obj), execute(update(...)/delete(...)), Query.update()/delete(), raw "
		"UPDATE/DELETE SQL or a repository update/delete/save call inside a loop sends one "
		"statement, and one round trip, per row; a single statement with WHERE id IN (...) "
		"or an executemany does the same work in one.",
		"    for order in stale:\n"
		"        await session.execute(delete(Reservation).where(Reservation.order_id == order.id))",
		"    await session.execute(\n"
		"        delete(Reservation).where(Reservation.order_id.in_([o.id for o in stale])))",
		check_n_update_delete_loop,
	},
	{
		"missing_bulk_ops",
		"one INSERT (session.add) per loop iteration",
		"Insert many rows in one batched statement",
		SEV_MEDIUM,
		"MEDIUM; LOW in code that runs once (scripts, CLI commands, startup hooks)",
		"S",
		"session.add(x) or an executed insert(...)/INSERT inside a loop builds and flushes "
		"one INSERT per item.  add_all() lets the unit of work batch the rows "
		"(insertmanyvalues), and execute(insert(Model), [dict, ...]) sends them as one "
		"executemany.",
		"    for m in old:\n"
		"        session.add(ArchivedMessage(room_id=m.room_id, text=m.text))",
		"    session.add_all([ArchivedMessage(room_id=m.room_id, text=m.text) for m in old])\n"
		"    # or: await session.execute(insert(ArchivedMessage), [{...}, ...])",
		check_missing_bulk_ops,
	},
	{
		"redundant_fetch",
		"an entity the caller already loaded, loaded again by a callee",
		"Load an entity once per unit of work and pass the object on",
		SEV_MEDIUM,
		"HIGH when the caller is a request handler, MEDIUM in jobs, workers and other code; LOW when "
		"the caller runs once (scripts, CLI commands, startup hooks, defs called only from __main__)",
		"S",
		"A caller loads a row (session.get, select(M).where(M.id == k), a query chain, a repository "
		"lookup) or receives it loaded, then calls a project function with only its id, and that "
		"function -- in the same file or another -- selects the same row by that id again: every call "
		"pays a second round trip for data it had.  Callers that only created the object, or whose "
		"object was committed or whose session ended before the call (unless expire_on_commit=False "
		"keeps it valid), session.get() in the caller's own session (the identity map answers it), and "
		"callees that take ids by design (background tasks, jobs) are not reported.  TypeScript: "
		"Prisma findUnique/findFirst, TypeORM findOne/findOneBy/findOneOrFail and node-postgres or "
		"knex lookups by id, followed through this.service.method() of constructor-injected NestJS "
		"services, imported functions and new X(...); the callee must change the row, pass it on or "
		"read three or more fields; never across a BullMQ job or a pg_notify payload.  Go: GORM "
		"First/Take, sqlx Get, QueryRow with WHERE id = $1 and store methods returning the row, "
		"followed through receiver field types (s.store.GetOrder), imported project packages and "
		"x := NewThing(...); never across go statements or channels.",
		"    def approve(expense_id: int, db: Session = Depends(get_db)):\n"
		"        expense = db.get(Expense, expense_id)\n"
		"        problems = evaluate(db, expense_id)   # evaluate() selects the Expense again",
		"    def approve(expense_id: int, db: Session = Depends(get_db)):\n"
		"        expense = db.get(Expense, expense_id)\n"
		"        problems = evaluate(db, expense)      # def evaluate(db, expense: Expense)",
		check_redundant_fetch,
	},
	{
		"unnecessary_resolve",
		"a row loaded only to read one or two values the caller already had",
		"Do not load a row only to read values the caller already holds",
		SEV_MEDIUM,
		"MEDIUM; LOW when the caller runs once (scripts, CLI commands, startup hooks, defs called "
		"only from __main__)",
		"S-M",
		"A function receives an id, loads the row and reads one or two of its attributes, nothing "
		"else; its caller passed V.id of an object that has those attributes (the loaded model, a "
		"dataclass or pydantic value such as the current user from the auth header) or an id its own "
		"insert(...).values(...) produced.  The lookup is a round trip to read back what the caller "
		"had.  Rows that are mutated, locked, passed on or used whole, relationships and more than "
		"two attributes are not reported.  TypeScript: the caller's row loaded by id, a column its "
		"SQL joined (p.name AS printer_name), a Prisma include, or a parameter whose interface "
		"declares the fields (JWT claims); @Body/@Query/@Param and Dto types are client input, "
		"not the stored row.  Go: the caller's row loaded by key, a struct such as token claims "
		"declaring the fields read, or a gin context key the middleware also fills (c.Set); structs "
		"decoded from the request body are client input.",
		"    def approver_email(db: Session, approver_id: int) -> str:\n"
		"        approver = db.scalar(select(User).where(User.id == approver_id))\n"
		"        return approver.email\n"
		"    send(to=approver_email(db, user.id))   # user: CurrentUser(id, email)",
		"    send(to=user.email)   # the caller already had the value",
		check_unnecessary_resolve,
	},
	{
		"over_fetching",
		"whole wide entities loaded where each row is read for a few columns",
		"Select only the columns a list or search path uses",
		SEV_MEDIUM,
		"MEDIUM for a model of more than fifteen columns in a request handler, LOW otherwise; one "
		"level lower in code that runs once (scripts, CLI commands, startup hooks)",
		"S",
		"select(Model), session.query(Model) or Model.query of a model with more than ten columns "
		"(mixins included), executed for many rows and then read for at most three attributes per "
		"row, fetches, transfers and hydrates every other column for nothing.  Rows that are "
		"returned, passed on, serialized or used whole, one-row reads (first(), one(), get(), "
		"limit(1)) and queries that already narrow the columns (select(M.a, M.b), load_only, defer, "
		"with_only_columns) are not reported.",
		"    books = (await session.exec(select(Book).order_by(Book.title))).all()\n"
		"    return [{\"id\": b.id, \"title\": b.title} for b in books]",
		"    rows = (await session.exec(select(Book.id, Book.title).order_by(Book.title))).all()\n"
		"    return [{\"id\": r.id, \"title\": r.title} for r in rows]\n"
		"    # or keep the objects: select(Book).options(load_only(Book.id, Book.title))",
		check_over_fetching,
	},
	{
		"wrong_caching_scope",
		"a query cache kept on an object that lives for one request",
		"Cache query results at a scope that outlives the request, or not at all",
		SEV_MEDIUM,
		"HIGH when the cached query joins or aggregates (join, group_by, func.count/sum/avg), "
		"MEDIUM otherwise",
		"M",
		"A class that caches a query result on its instance (a self attribute checked and then "
		"filled, a memo dict, lru_cache/cached_property on a method) but is created for every "
		"request (Depends(Cls), built in a handler or in an uncached Depends provider) starts "
		"with an empty cache each time: the query runs on every request anyway and the cache only "
		"adds code.  Instances kept at module level, in app.state, in a global or made by an "
		"lru_cache'd provider, caches on the class, and per-request memos of one row looked up by "
		"key are not reported.  TypeScript: a field checked and filled from a query in a NestJS "
		"provider with Scope.REQUEST or Scope.TRANSIENT, one that injects REQUEST or a "
		"request-scoped provider, or a class built with new X(...) in an Express/Fastify route "
		"callback; default (singleton) providers and module-level instances are not reported.  Go: "
		"a struct whose map field or loaded flag is read, then filled after a query, built (T{...}, "
		"a constructor) inside a handler or per-request middleware; values built in main and "
		"sync.Once package state are not reported.",
		"    class GenreStats:\n"
		"        def __init__(self, session: AsyncSession = Depends(get_session)):\n"
		"            self.session, self._counts = session, None\n"
		"        async def counts(self):\n"
		"            if self._counts is None:   # always None: a new GenreStats per request\n"
		"                self._counts = dict((await self.session.execute(stmt)).all())\n"
		"            return self._counts\n"
		"    async def popular(stats: GenreStats = Depends()): ...",
		"    _counts = TTLCache(maxsize=1, ttl=300)   # cachetools, module level\n"
		"    async def genre_counts(session: AsyncSession) -> dict[str, int]:\n"
		"        if \"all\" not in _counts:\n"
		"            _counts[\"all\"] = dict((await session.execute(stmt)).all())\n"
		"        return _counts[\"all\"]",
		check_wrong_caching_scope,
	},
};

/* TypeScript/JavaScript and Go implementations, by check id (lib/js, lib/go) */
static const struct check_lang query_langs[] = {
	{ "n_plus_one_query", check_n_plus_one_query_ts, check_n_plus_one_query_go },
	{ "n_update_delete_loop", check_n_update_delete_loop_ts, check_n_update_delete_loop_go },
	{ "missing_bulk_ops", check_missing_bulk_ops_ts, check_missing_bulk_ops_go },
	{ "over_fetching", check_over_fetching_ts, check_over_fetching_go },
	{ "redundant_fetch", check_redundant_fetch_ts, check_redundant_fetch_go },
	{ "unnecessary_resolve", check_unnecessary_resolve_ts, check_unnecessary_resolve_go },
	{ "wrong_caching_scope", check_wrong_caching_scope_ts, check_wrong_caching_scope_go },
	{ NULL, NULL, NULL },
};

const struct auditor query_auditor = {
	"audit-query", "Query Efficiency", query_checks, sizeof(query_checks) / sizeof(query_checks[0]),
	query_langs, sizeof(query_langs) / sizeof(query_langs[0]) - 1
};
