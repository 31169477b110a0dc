from fastapi import Depends, FastAPI

from .db import SessionFactory

app = FastAPI()


async def get_session():
    async with SessionFactory() as session:
        yield session


@app.get("/stock/{item_id}")
async def read_stock(item_id: int, session=Depends(get_session)):
    return {"item": item_id}
