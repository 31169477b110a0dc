import asyncio

from fastapi import FastAPI
from sse_starlette.sse import EventSourceResponse

app = FastAPI()


@app.get("/jobs/{job_id}/events")
async def job_events(job_id: int):
    async def stream():
        queue: asyncio.Queue = asyncio.Queue()
        conn = await connect_listener()
        await conn.add_listener("job_progress", lambda *args: queue.put_nowait(args[-1]))
        while True:
            yield {"data": await queue.get()}

    return EventSourceResponse(stream())


async def connect_listener():
    import asyncpg

    return await asyncpg.connect("postgresql://app@localhost/app")
