"""A nightly script: nothing here runs in a request handler, so no finding is HIGH."""
import asyncio

from sqlalchemy import select


def count_empty(books):
    return len([b for b in books if b.stock == 0])


async def archive(session, rows, archived_model):
    for row in rows:
        session.add(archived_model(text=row.text))
    await session.commit()


async def tick(session, model):
    await asyncio.sleep(1)
    async with session.begin():
        result = await session.execute(select(model).limit(10))
        return result.scalars().all()
