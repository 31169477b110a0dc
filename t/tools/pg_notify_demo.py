"""Shows on a real PostgreSQL what missing_intermediate_commits is about.

Usage: pg_notify_demo.py SOCKET_DIR PORT USER MIGRATION N

Creates the jobs table, runs the CREATE FUNCTION / CREATE TRIGGER strings
of the alembic MIGRATION (every op.execute("...") argument, read with the
ast module), LISTENs on the trigger's channel from a second connection, and
replays the statements of the two code paths of t/fixtures/notify-app:

  flagged  run_job: status, then N progress UPDATEs flushed in one
           transaction, one commit at the end
  fixed    run_job_fixed: a commit after every progress UPDATE

Prints "flagged during=<notifications seen before the commit>
after=<seen after it>" and "fixed progressive=<seen after each commit>".
Needs psycopg2 (Debian: python3-psycopg2).
"""
import ast
import select
import sys

import psycopg2
import psycopg2.extensions


def migration_sql(path):
    tree = ast.parse(open(path, encoding="utf-8").read())
    out = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "execute"
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                and "CREATE" in node.args[0].value):
            out.append(node.args[0].value)
    return out


def drain(conn, wait=0.3):
    """Notifications delivered to conn within wait seconds."""
    got = 0
    if select.select([conn], [], [], wait) != ([], [], []):
        conn.poll()
    conn.poll()
    while conn.notifies:
        conn.notifies.pop(0)
        got += 1
    return got


def main():
    sockdir, port, user, migration, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
    dsn = dict(host=sockdir, port=port, user=user, dbname="postgres")
    setup = psycopg2.connect(**dsn)
    setup.autocommit = True
    cur = setup.cursor()
    cur.execute("DROP TABLE IF EXISTS jobs CASCADE")
    cur.execute("CREATE TABLE jobs (id serial PRIMARY KEY, status varchar(20) NOT NULL, "
                "done integer NOT NULL DEFAULT 0, total integer NOT NULL)")
    for sql in migration_sql(migration):
        cur.execute(sql)
    cur.execute("INSERT INTO jobs (status, total) VALUES ('queued', %s)", (n,))

    listener = psycopg2.connect(**dsn)
    listener.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
    listener.cursor().execute("LISTEN job_progress")

    worker = psycopg2.connect(**dsn)
    w = worker.cursor()

    # run_job: one transaction for the whole job
    during = 0
    w.execute("UPDATE jobs SET status = 'running' WHERE id = 1")
    for i in range(n):
        w.execute("UPDATE jobs SET done = %s WHERE id = 1", (i + 1,))
        during += drain(listener, 0.05)
    w.execute("UPDATE jobs SET status = 'done' WHERE id = 1")
    during += drain(listener, 0.1)
    worker.commit()
    after = drain(listener, 0.5)
    print("flagged during=%d after=%d" % (during, after))

    # run_job_fixed: commit after each item
    w.execute("UPDATE jobs SET status = 'running', done = 0 WHERE id = 1")
    worker.commit()
    drain(listener, 0.3)
    seen = []
    for i in range(n):
        w.execute("UPDATE jobs SET done = %s WHERE id = 1", (i + 1,))
        worker.commit()
        seen.append(str(drain(listener, 0.5)))
    print("fixed progressive=%s" % ",".join(seen))
    for c in (worker, listener, setup):
        c.close()


if __name__ == "__main__":
    main()
