from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine("postgresql+asyncpg://app@db/app", pool_size=5)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


async def get_session():
    async with SessionLocal() as session:
        yield session


async def book_stock(book_id: int) -> int:
    session = SessionLocal()
    stock = await session.scalar(text("SELECT stock FROM books WHERE id = :id"), {"id": book_id})
    await session.close()
    return stock
