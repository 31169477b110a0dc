/*
 * audit-txn/checks: the table of the Transaction Correctness checks.  Rows
 * with a NULL run function come in a later issue and are reported
 * "ran": false.
 */
#include "checks.h"

static const struct check_def txn_checks[] = {
	{
		"missing_rollback",
		"a commit with no rollback path",
		"Every commit has a rollback path: session.begin(), a session context manager, "
		"or try/except that rolls back",
		SEV_MEDIUM,
		"MEDIUM",
		"S",
		"When commit() (or the flush it triggers) fails, the session is left in a failed "
		"transaction: every later use raises PendingRollbackError until someone calls "
		"rollback(), and a pooled connection may go back dirty.  A commit is safe inside "
		"with/async with session.begin(), lexically inside a session context manager "
		"(with Session() as s:, or async with uow: for uow.session; closing it rolls back), "
		"in a try whose except rolls back or re-raises, or in a try whose finally closes that "
		"session (s = Session() ... finally: s.close(): close() rolls back and nothing uses the "
		"session afterwards; a finally that closes a file or a client does not count).  A "
		"helper that receives its session is not reported when all its callers, in its own "
		"file, call it with a rollback path (one call deep through the project index).  A "
		"session injected with Depends(...) is not a context manager of the handler.",
		"    @router.post(\"/{loan_id}/return\")\n"
		"    async def return_book(loan_id: int, session: AsyncSession = Depends(get_session)):\n"
		"        loan.returned_on = date.today()\n"
		"        await session.commit()",
		"        async with session.begin():\n"
		"            loan.returned_on = date.today()\n"
		"    # or: try: await session.commit()\n"
		"    #     except Exception: await session.rollback(); raise",
		check_missing_rollback,
	},
	{
		"scope_too_wide",
		"network or file I/O inside an open write transaction",
		"Keep network and file I/O out of open transactions",
		SEV_HIGH,
		"HIGH for network calls (HTTP, gRPC, SDK clients), MEDIUM for file I/O",
		"M",
		"An HTTP call or a file write made inside session.begin(), or after the first write "
		"and before the commit, keeps the transaction, its row locks and its pooled "
		"connection open for as long as the remote side or the disk takes; a slow or "
		"failing service then stalls every writer of those rows and can exhaust the pool.  "
		"A project helper that does HTTP itself, called inside such a transaction, counts "
		"too: it is reported at its call site when the project index resolves the call "
		"(self.method(), an annotated parameter, a constructed local, an imported function "
		"or class); calls it cannot resolve are not guessed by name.",
		"    with db.begin():\n"
		"        expense = db.get(Expense, expense_id, with_for_update=True)\n"
		"        resp = requests.post(PAYMENTS_URL, json=payload, timeout=30)\n"
		"        expense.status = \"reimbursed\"",
		"    resp = requests.post(PAYMENTS_URL, json=payload, timeout=30)   # before or after\n"
		"    with db.begin():\n"
		"        expense = db.get(Expense, expense_id, with_for_update=True)\n"
		"        expense.status = \"reimbursed\"\n"
		"    # or an outbox row written in the transaction and sent afterwards",
		check_scope_too_wide,
	},
	{
		"missing_intermediate_commits",
		"progress written to a table with a NOTIFY trigger, but committed only at the end",
		"Commit progress that listeners must see: NOTIFY is delivered only when its transaction commits",
		SEV_HIGH,
		"CRITICAL when the channel feeds a real-time path (the project LISTENs on it, or serves "
		"SSE/WebSocket endpoints), HIGH otherwise",
		"S-M",
		"Starts from the migrations: a trigger whose function calls pg_notify/NOTIFY (context "
		"db_config.triggers) on a table that the code writes through its ORM model or raw SQL, on "
		"an event the trigger fires on.  PostgreSQL delivers each notification when the transaction "
		"that raised it commits, so progress or status UPDATEs flushed one by one inside a single "
		"transaction reach the listeners (a dashboard over SSE or a websocket) all at once at the end: "
		"the live view shows nothing for the whole run, and the row stays locked as long.  Reported "
		"at the first such write of a loop that does real work per item (a query, an awaited or "
		"project call) with no commit in the loop, or of a status written, flushed and written again "
		"after some work, in an implicit transaction, a begin() block or an atomic function.  Commits "
		"per item, per batch or every N items, INSERTs under an UPDATE trigger, writes of other "
		"columns under an UPDATE OF trigger (when the write shows its columns), tables without a "
		"NOTIFY trigger and quick loops of assignments sent by the final commit are not reported.",
		"    for i, item in enumerate(items):   # jobs has a pg_notify trigger\n"
		"        handle(item)\n"
		"        job.done = i + 1\n"
		"        session.flush()\n"
		"    session.commit()",
		"    for i, item in enumerate(items):\n"
		"        handle(item)\n"
		"        job.done = i + 1\n"
		"        if i % 20 == 0:\n"
		"            session.commit()   # each commit delivers the progress so far\n"
		"    session.commit()\n"
		"    # or: no NOTIFY in the trigger; pg_notify() sent after the commits (or an outbox)",
		check_missing_intermediate_commits,
	},
	{
		"scope_too_narrow",
		"one business operation split over several commits",
		"One business operation, one transaction: do not commit half of it",
		SEV_HIGH,
		"HIGH for a parent committed before its children (orphan risk), MEDIUM for related writes "
		"(a status and its audit/event/ledger rows, a debit and its credit); one level lower in "
		"code that runs once (scripts, CLI commands)",
		"M",
		"Committing the first half of an operation and writing the second half in the next "
		"transaction leaves the database inconsistent when the second part fails: a parent "
		"without its children, a status change without its audit entry or ledger lines, a debit "
		"without its credit.  Reported at the first commit when the second transaction builds on "
		"what the first wrote (Child(parent_id=parent.id), parent.children.append(), an audit or "
		"event row made from the entity or its key, the opposite side of a balance), in one def "
		"or after a helper of the same file that adds and commits.  A first commit that marks work "
		"as started (status \"running\", started_at) before long work, or that precedes a remote "
		"call, file I/O or a queued job, is deliberate and not reported; so are per-batch commits.",
		"    db.add(expense)\n"
		"    db.commit()\n"
		"    db.add_all([Receipt(expense_id=expense.id, path=p) for p in paths])\n"
		"    db.commit()",
		"    db.add(expense)\n"
		"    db.flush()   # expense.id is assigned, nothing is committed yet\n"
		"    db.add_all([Receipt(expense_id=expense.id, path=p) for p in paths])\n"
		"    db.commit()",
		check_scope_too_narrow,
	},
	{
		"long_held_transaction",
		"a transaction held open across sleeps, remote calls, subprocesses or long work",
		"Keep transactions short: no sleeps, remote calls or long work while one is open",
		SEV_HIGH,
		"HIGH for a sleep, a network call, a broker publish or a subprocess (directly or in a "
		"project helper one call deep), MEDIUM for more than 50 lines of code alone (the "
		"long_transaction_lines setting of the configuration file changes 50); one level "
		"lower in code that runs once (scripts, startup hooks)",
		"M",
		"The row locks a transaction took and its pooled connection are held until it ends; every "
		"second spent sleeping, waiting on a remote service through its timeouts and retries, or "
		"running a subprocess is a second other writers of those rows wait and a connection the "
		"pool cannot lend, and long transactions hold back VACUUM.  Reported at the begin() (or "
		"transaction.atomic) line, or at the first write of an implicit transaction on a path that "
		"reaches the slow call before the commit.  File I/O and CPU work handed to a thread are left "
		"to other checks, as are calls met only after the loop back-edge and implicit transactions "
		"that the function does not commit itself.",
		"    with SessionLocal.begin() as db:\n"
		"        pending = db.execute(query).all()\n"
		"        for approver_id, count in pending:\n"
		"            requests.post(MAIL_URL, json=msg, timeout=5)\n"
		"            time.sleep(0.5)",
		"    with SessionLocal.begin() as db:\n"
		"        pending = db.execute(query).all()\n"
		"    for approver_id, count in pending:   # after the commit\n"
		"        requests.post(MAIL_URL, json=msg, timeout=5)\n"
		"        time.sleep(0.5)",
		check_long_held_transaction,
	},
	{
		"pool_configuration",
		"a web service's engine pool without liveness checks or bounds",
		"Configure the pool for a long-running service: pre-ping or recycle, a bounded overflow, "
		"a real pool",
		SEV_HIGH,
		"HIGH without pool_pre_ping and without pool_recycle; MEDIUM for an unbounded pool "
		"(max_overflow=-1 or pool_size=0) or NullPool",
		"S",
		"In a project that serves HTTP, a pooled connection can die while idle: the database "
		"restarts or fails over, a proxy or load balancer drops idle TCP connections, MySQL "
		"closes them after wait_timeout.  With neither pool_pre_ping (a check on checkout) nor "
		"pool_recycle (a maximum age) the pool hands dead connections to requests, which fail.  "
		"SQLAlchemy's default overflow (pool_size=5, max_overflow=10) is a bound; "
		"max_overflow=-1 or pool_size=0 removes it, so a burst opens more connections than the "
		"server accepts.  NullPool connects afresh on every checkout; it fits scripts, "
		"serverless functions and a PgBouncer in front.  Options passed as **kwargs are read "
		"when they are a dict display in the same function; what cannot be read whole is not "
		"reported, nor SQLite engines, scripts, CLI commands or alembic env.py.",
		"    engine = create_engine(settings.DATABASE_URL)\n"
		"    SessionLocal = sessionmaker(bind=engine)",
		"    engine = create_engine(settings.DATABASE_URL, pool_pre_ping=True, pool_recycle=1800,\n"
		"                           pool_size=10, max_overflow=10)\n"
		"    SessionLocal = sessionmaker(bind=engine)",
		check_pool_configuration,
	},
	{
		"missing_session_cleanup",
		"a session or connection that an exception leaves open",
		"Close every session you open on every path: a context manager or finally",
		SEV_HIGH,
		"HIGH",
		"S",
		"A session keeps the pooled connection of its transaction until commit, rollback or "
		"close.  Assigned outside with and closed only at the end of the happy path (or never), "
		"it is left open by any exception; the connection goes back only when the garbage "
		"collector reclaims the session (an asyncio connection is then terminated), and a burst "
		"of errors empties the pool.  A session closed in finally, opened in with/async with, "
		"returned to the caller, stored on an object, or yielded by a provider that closes it "
		"in finally is fine.",
		"    def deactivate(user_id: int) -> None:\n"
		"        db = SessionLocal()\n"
		"        db.get(User, user_id).active = False\n"
		"        db.commit()\n"
		"        db.close()",
		"    def deactivate(user_id: int) -> None:\n"
		"        with SessionLocal() as db:\n"
		"            db.get(User, user_id).active = False\n"
		"            db.commit()",
		check_missing_session_cleanup,
	},
	{
		"session_held_in_stream",
		"a request's injected session held by a stream, a websocket loop or a background task",
		"Never hold the request's session for a stream's lifetime: one short-lived session per "
		"unit of work",
		SEV_CRITICAL,
		"CRITICAL for a StreamingResponse/EventSourceResponse generator or a websocket receive "
		"loop using it; HIGH for BackgroundTasks.add_task() given it",
		"M",
		"A session injected with Depends(get_db) keeps the connection of its transaction until "
		"the dependency closes it.  Used inside the generator of a StreamingResponse or "
		"EventSourceResponse, or across a websocket handler's receive loop, it pins one pooled "
		"connection per open client, idle in transaction between events, and a few dozen "
		"clients empty the pool.  Handed to a background task, it is either closed before the "
		"task runs (FastAPI 0.106 to 0.117: the task then checks out a connection nothing "
		"closes) or kept, with its connection, until the task ends (other versions).",
		"    @router.get(\"/events\")\n"
		"    async def events(db: AsyncSession = Depends(get_db)):\n"
		"        async def gen():\n"
		"            while True:\n"
		"                rows = (await db.execute(select(Event))).scalars().all()\n"
		"                yield render(rows)\n"
		"                await asyncio.sleep(1)\n"
		"        return StreamingResponse(gen(), media_type=\"text/event-stream\")",
		"        async def gen():\n"
		"            while True:\n"
		"                async with SessionLocal() as s:\n"
		"                    rows = (await s.execute(select(Event))).scalars().all()\n"
		"                yield render(rows)\n"
		"                await asyncio.sleep(1)",
		check_session_held_in_stream,
	},
};

/* TypeScript/JavaScript and Go implementations, by check id (lib/js, lib/go) */
static const struct check_lang txn_langs[] = {
	{ "missing_rollback", check_missing_rollback_ts, check_missing_rollback_go },
	{ "scope_too_wide", check_scope_too_wide_ts, check_scope_too_wide_go },
	{ "long_held_transaction", check_long_held_transaction_ts, check_long_held_transaction_go },
	{ "missing_intermediate_commits", check_missing_intermediate_commits_ts,
	  check_missing_intermediate_commits_go },
	{ "scope_too_narrow", check_scope_too_narrow_ts, check_scope_too_narrow_go },
	{ NULL, NULL, NULL },
};

const struct auditor txn_auditor = {
	"audit-txn", "Transaction Correctness", txn_checks, sizeof(txn_checks) / sizeof(txn_checks[0]),
	txn_langs, sizeof(txn_langs) / sizeof(txn_langs[0]) - 1
};
