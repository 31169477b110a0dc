"""Database engine and session factory for the pantry API."""
import os

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

# engine = create_async_engine(URL, pool_size=99)  (old settings)
DATABASE_URL = os.environ.get("PANTRY_DSN", "postgresql+asyncpg://pantry:change-me@db/pantry")

engine = create_async_engine(
    DATABASE_URL,
    pool_size=12,
    max_overflow=3,
    pool_pre_ping=True,
    pool_recycle=900,
)
SessionFactory = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)

HELP = "scripts may call sessionmaker(autoflush=True) instead"
