"""Request handlers: every finding here runs in a handler (HIGH)."""
import time

import requests
from fastapi import APIRouter, BackgroundTasks, Depends
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .db import get_session
from .models import Author, Book, Customer

router = APIRouter()


@router.get("/books")
async def list_books(session: AsyncSession = Depends(get_session)):
    books = (await session.scalars(select(Book))).all()
    out = []
    for book in books:
        author = await session.get(Author, book.author_id)
        out.append({"title": book.title, "author": author.name})
    return out


@router.get("/slow")
async def slow():
    time.sleep(0.5)
    return {"ok": True}


@router.get("/cover/{book_id}")
async def cover(book_id: int):
    with open(f"/srv/covers/{book_id}.jpg", "rb") as fh:
        return fh.read()


@router.post("/books/{book_id}/sell")
async def sell(book_id: int, session: AsyncSession = Depends(get_session)):
    async with session.begin():
        book = await session.get(Book, book_id)
        book.stock -= 1
        requests.post("https://billing.example/charge", json={"book": book_id}, timeout=5)
    return {"ok": True}


@router.get("/export")
async def export(session: AsyncSession = Depends(get_session)):
    rows = (await session.scalars(select(Book))).all()
    text = ""
    for row in rows:
        text += f"{row.id};{row.title}\n"
    return text


@router.get("/customers")
async def customers(session: AsyncSession = Depends(get_session)):
    rows = (await session.scalars(select(Customer).order_by(Customer.name))).all()
    return [{"id": c.id, "name": c.name} for c in rows]


class AuthorNames:
    def __init__(self, session: AsyncSession = Depends(get_session)):
        self.session = session
        self._names = None

    async def names(self):
        if self._names is None:
            self._names = {a.id: a.name for a in (await self.session.scalars(select(Author))).all()}
        return self._names


@router.get("/authors")
async def authors(names: AuthorNames = Depends()):
    return await names.names()


async def send_restock_mail(book_id: int, session: AsyncSession) -> None:
    book = await session.get(Book, book_id)
    await mailer.send(f"{book.title} is back in stock")


@router.post("/books/{book_id}/restock-mail")
async def restock_mail(book_id: int, tasks: BackgroundTasks, session: AsyncSession = Depends(get_session)):
    tasks.add_task(send_restock_mail, book_id, session)
    return {"queued": True}


async def customer_email(session: AsyncSession, customer_id: int) -> str:
    customer = (await session.scalars(select(Customer).where(Customer.id == customer_id))).one()
    return customer.email


@router.post("/customers/{customer_id}/welcome")
async def welcome(customer_id: int, session: AsyncSession = Depends(get_session)):
    customer = await session.get(Customer, customer_id)
    return {"to": await customer_email(session, customer.id), "name": customer.name}
