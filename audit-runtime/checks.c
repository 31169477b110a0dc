/*
 * audit-runtime/checks.c: the table of pperf-audit-runtime.
 *
 * One row per check: its id, what it finds, the principle a finding
 * carries, the default severity and how the real one is chosen, the effort
 * of a fix, and the Ruff-style explanation printed by --explain and
 * pperf-checks(7).  The code of each check is in <id>.c.
 */
#include "checks.h"

const struct check_def runtime_checks[] = {
	{
		"blocking_io_in_async",
		"blocking file, network or process I/O inside async def, directly or through sync helpers",
		"Never block the event loop: do I/O with async libraries or offload it to a thread",
		SEV_HIGH,
		"HIGH in a request or websocket handler, MEDIUM in background jobs and scripts; through helpers, "
		"one level down in startup code",
		"S",
		"An async def runs on the event loop.  open(), Path.read_text/read_bytes/write_text/"
		"write_bytes, requests.*, sync httpx, urllib.request.urlopen, subprocess.run/call/"
		"check_call/check_output/Popen, os.system and shutil.copy* block the whole loop while "
		"they wait: every other request, websocket and task stalls until the call returns.  "
		"A call of one of the project's own sync functions that reaches such I/O, at any depth "
		"and across files, is reported at the call site in the async def with the call chain "
		"(cover -> resize:12 -> convert:40 subprocess.run).  "
		"Calls passed to asyncio.to_thread, loop.run_in_executor or anyio.to_thread.run_sync, "
		"calls in a nested plain def, awaited async helpers (reported in their own body), "
		"lru_cache'd loaders, module singletons built on first use (global X; if X is None: "
		"X = ...), aiofiles and asyncio subprocesses are not reported.",
		"    async def cover(book_id: int):\n"
		"        with open(path, \"rb\") as fh:\n"
		"            data = fh.read()\n"
		"        verdict = requests.post(URL, json=body, timeout=3).json()",
		"    async def cover(book_id: int):\n"
		"        async with aiofiles.open(path, \"rb\") as fh:\n"
		"            data = await fh.read()\n"
		"        async with httpx.AsyncClient() as client:\n"
		"            verdict = (await client.post(URL, json=body, timeout=3)).json()",
		check_blocking_io_in_async,
	},
	{
		"sync_sleep_in_async",
		"time.sleep() inside async def, directly or through sync helpers",
		"Never block the event loop: wait with await asyncio.sleep()",
		SEV_HIGH,
		"HIGH in a request or websocket handler, MEDIUM in background jobs and scripts; through helpers, "
		"one level down in startup code",
		"S",
		"time.sleep() (or sleep() imported from time) suspends the whole thread, and in an "
		"async def that thread is the event loop: no other request, websocket message or task "
		"makes progress until the sleep ends.  Rate limits, slow modes and polling loops written "
		"this way serialise the whole server.  A call of one of the project's own sync functions "
		"that reaches time.sleep, at any depth and across files, is reported at the call site in "
		"the async def with the call chain (buy -> label:12 -> backoff:40 "
		"time.sleep); calls handed to a thread are not.",
		"    async def buy_labels(wave_id):\n"
		"        for shipment in shipments:\n"
		"            await carrier.create_label(shipment.id)\n"
		"            time.sleep(0.2)",
		"    async def buy_labels(wave_id):\n"
		"        for shipment in shipments:\n"
		"            await carrier.create_label(shipment.id)\n"
		"            await asyncio.sleep(0.2)",
		check_sync_sleep_in_async,
	},
	{
		"sync_db_in_async",
		"a synchronous database session or connection used inside async def",
		"Never block the event loop: query with AsyncSession, or run sync database work in a thread",
		SEV_HIGH,
		"HIGH in a request handler, an async Depends provider or an HTTP middleware, MEDIUM elsewhere; "
		"one level down in code that runs once (startup, scripts)",
		"M",
		"A sync SQLAlchemy or SQLModel Session (a parameter annotated Session or Connection, a "
		"Depends(get_db) whose provider yields SessionLocal(), a Session(engine) or sessionmaker()() "
		"opened inside) or a sqlite3/psycopg2/pymysql connection waits for the database on the "
		"thread that runs it, and in an async def that thread is the event loop: each round trip "
		"stalls every other request and task.  One finding per function, at its first database call, "
		"with the number of calls and the sync helpers the session is handed to.  Awaited sessions "
		"(AsyncSession), work passed to to_thread/run_in_threadpool and plain def handlers (FastAPI "
		"runs them in its threadpool) are not reported.",
		"    @router.get(\"/books/{book_id}\")\n"
		"    async def get_book(book_id: int, db: Session = Depends(get_db)):\n"
		"        return db.get(Book, book_id)",
		"    @router.get(\"/books/{book_id}\")\n"
		"    def get_book(book_id: int, db: Session = Depends(get_db)):\n"
		"        return db.get(Book, book_id)",
		check_sync_db_in_async,
	},
	{
		"unnecessary_allocation",
		"a list comprehension built only to be consumed by len/any/all/sum/min/max/sorted/set",
		"Do not build a list only to consume it once: pass a generator or use a set comprehension",
		SEV_LOW,
		"MEDIUM inside a loop or a request handler, LOW otherwise",
		"S",
		"len([...]), any([...]), all([...]), sum([...]) and min/max/sorted/set/tuple([...]) first "
		"materialise the whole list, then read it once.  A generator expression (or a set/dict "
		"comprehension) needs no intermediate list, and any()/all() can stop at the first decisive "
		"element instead of evaluating all of them.  \"sep\".join([...]) is not reported: "
		"CPython's str.join makes a list of any iterable first, so a generator there only runs "
		"slower.",
		"    overdue = any([l.due_on < today for l in loans])\n"
		"    over = len([v for v in window if v > threshold])",
		"    overdue = any(l.due_on < today for l in loans)\n"
		"    over = sum(1 for v in window if v > threshold)",
		check_unnecessary_allocation,
	},
	{
		"string_concat_in_loop",
		"a string grown with += inside a loop",
		"Build strings from parts: collect them in a list and join once, or write to io.StringIO",
		SEV_HIGH,
		"HIGH in a request or websocket handler, MEDIUM in background jobs and scripts",
		"S",
		"Strings are immutable: each s += part copies everything built so far, so a loop of n "
		"appends costs O(n^2) time and memory traffic.  CPython sometimes resizes in place, but "
		"not reliably (not when another reference exists, not on other interpreters).  Only "
		"names initialised as a string (\"\", an f-string, str(...)) or grown by a string "
		"literal or f-string are reported, never numeric counters or lists.",
		"    text = \"\"\n"
		"    for author, body in messages:\n"
		"        text += f\"{author}: {body}\\n\"",
		"    parts = []\n"
		"    for author, body in messages:\n"
		"        parts.append(f\"{author}: {body}\\n\")\n"
		"    text = \"\".join(parts)",
		check_string_concat_in_loop,
	},
	{
		"cpu_bound_in_async",
		"CPU-heavy parsing, hashing or compression on the event loop",
		"Keep the event loop free: run CPU-bound work in a thread or process pool",
		SEV_MEDIUM,
		"MEDIUM",
		"S",
		"json.load of a file or json.loads of a request body, hashlib over an upload, "
		"bcrypt.hashpw, PIL.Image.open, BeautifulSoup(...), lxml.etree.parse/fromstring, "
		"zlib/gzip compression and pickle.loads hold the event loop for as long as the work "
		"takes, milliseconds to seconds for large inputs, and every other coroutine waits.  "
		"Parsing a tiny event payload or hashing a short token is not reported.",
		"    async def upload(request):\n"
		"        blob = await request.body()\n"
		"        digest = hashlib.md5(blob).hexdigest()",
		"    async def upload(request):\n"
		"        blob = await request.body()\n"
		"        digest = await asyncio.to_thread(lambda: hashlib.md5(blob).hexdigest())",
		check_cpu_bound_in_async,
	},
	{
		"redundant_copy",
		"a list/dict copy that is only read afterwards",
		"Copy only what will be mutated or handed to code that may mutate it",
		SEV_LOW,
		"LOW, MEDIUM when the copy is made inside a loop",
		"S",
		"x = list(y), dict(y), y.copy() or copy.copy(y) allocates and fills a new container.  "
		"When x is afterwards only read (iterated, indexed, len(), membership) and y is not "
		"changed while x is in use, the copy buys nothing.  Copies that are mutated, returned, "
		"passed on, stored, captured, or that protect an iteration from changes to the "
		"original are not reported, nor is list(y) of something that may be an iterator "
		"(a call result, a generator, an untyped parameter read twice).",
		"    for sensor_id, values in grouped.items():\n"
		"        window = list(values)\n"
		"        peak = max(window)",
		"    for sensor_id, values in grouped.items():\n"
		"        peak = max(values)",
		check_redundant_copy,
	},
};

/* TypeScript/JavaScript and Go implementations, by check id (lib/js, lib/go) */
static const struct check_lang runtime_langs[] = {
	{ "string_concat_in_loop", check_string_concat_in_loop_ts, check_string_concat_in_loop_go },
	{ "unnecessary_allocation", check_unnecessary_allocation_ts, check_unnecessary_allocation_go },
	{ "redundant_copy", check_redundant_copy_ts, check_redundant_copy_go },
	{ "blocking_io_in_async", check_blocking_io_in_async_ts, NULL },
	{ "sync_sleep_in_async", check_sync_sleep_in_async_ts, NULL },
	{ "cpu_bound_in_async", check_cpu_bound_in_async_ts, NULL },
	{ NULL, NULL, NULL },
};

const struct auditor runtime_auditor = {
	"audit-runtime", "Runtime Performance", runtime_checks, sizeof(runtime_checks) / sizeof(runtime_checks[0]),
	runtime_langs, sizeof(runtime_langs) / sizeof(runtime_langs[0]) - 1
};
