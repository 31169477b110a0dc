import time

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from app.models import Product

engine = create_async_engine("postgresql+asyncpg://catalog@db/catalog")
Session = async_sessionmaker(engine, expire_on_commit=False)
app = FastAPI()


@app.get("/products/export")
async def export_products() -> str:
    async with Session() as session:
        products = (await session.scalars(select(Product).order_by(Product.id))).all()
    text = ""
    for p in products:
        text += f"{p.id};{p.name};{p.price}\n"
    return text


@app.post("/products/reindex")
async def reindex() -> dict:
    # wait for the search node to settle
    time.sleep(2)
    return {"ok": True}
