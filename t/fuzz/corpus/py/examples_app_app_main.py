"""ASGI entry point: uvicorn app.main:app"""
import logging
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import engine, get_session
from app.routers import bikes, rentals, stations, workshop

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@asynccontextmanager
async def lifespan(_: FastAPI):
    yield
    await engine.dispose()


app = FastAPI(title="PedalShare", version="1.4.2", lifespan=lifespan)
for module in (bikes, rentals, stations, workshop):
    app.include_router(module.router)


@app.get("/healthz")
async def healthz(session: AsyncSession = Depends(get_session)) -> dict[str, bool]:
    await session.execute(text("SELECT 1"))
    return {"ok": True}
