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
		"(with Session() as s: closing it rolls back), or in a try whose except rolls back "
		"or re-raises.  A session injected with Depends(...) is not a context manager of the "
		"handler.",
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
		"A project helper that does HTTP, called inside such a transaction, counts too.",
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
		"progress written in a long loop but only committed at the end",
		"Commit progress that other sessions must see (NOTIFY triggers fire on commit)",
		SEV_MEDIUM,
		"MEDIUM, HIGH when a pg_notify trigger on the table feeds a live view",
		"S-M",
		"A pg_notify trigger fires when its transaction commits, so progress rows flushed "
		"inside one long transaction reach listeners all at once at the end, and the locks "
		"on them are held for the whole run.",
		"    for sensor in sensors:\n"
		"        run.sensors_done += 1\n"
		"        await session.flush()\n"
		"    await session.commit()",
		"    for sensor in sensors:\n"
		"        run.sensors_done += 1\n"
		"        await session.commit()   # or commit every N rows",
		NULL,
	},
	{
		"scope_too_narrow",
		"one business operation split over several commits",
		"One business operation, one transaction: do not commit half of it",
		SEV_HIGH,
		"HIGH in request handlers, MEDIUM elsewhere",
		"S",
		"Committing the first half of an operation and then writing the second half in a "
		"new transaction leaves the database inconsistent when the second part fails.",
		"    expense.status = \"approved\"\n"
		"    db.commit()\n"
		"    db.add_all(ledger_lines)\n"
		"    db.commit()",
		"    with db.begin():\n"
		"        expense.status = \"approved\"\n"
		"        db.add_all(ledger_lines)",
		NULL,
	},
	{
		"long_held_transaction",
		"a transaction held open across sleeps, remote calls or long work",
		"Keep transactions short: no sleeps, remote calls or long work while one is open",
		SEV_HIGH,
		"HIGH in request handlers, MEDIUM elsewhere",
		"M",
		"Row locks and a pooled connection are held for the whole transaction; sleeping, "
		"waiting on a remote service or running a subprocess inside it multiplies lock "
		"contention and pool usage.",
		"    with SessionLocal.begin() as db:\n"
		"        for row in pending:\n"
		"            requests.post(MAIL_URL, json=msg, timeout=5)\n"
		"            time.sleep(0.5)",
		"    with SessionLocal() as db:\n"
		"        pending = db.execute(query).all()\n"
		"    for row in pending:\n"
		"        requests.post(MAIL_URL, json=msg, timeout=5)",
		NULL,
	},
};

const struct auditor txn_auditor = {
	"audit-txn", "Transaction Correctness", txn_checks, sizeof(txn_checks) / sizeof(txn_checks[0])
};
