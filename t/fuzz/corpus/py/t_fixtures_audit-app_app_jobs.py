"""Background jobs."""
import json

from sqlalchemy import delete, text, update
from sqlalchemy.orm import Session

from .db import SessionLocal
from .models import Author, Book


async def import_books(path, session):
    with open(path) as fh:
        rows = json.load(fh)
    for row in rows:
        session.add(Book(title=row["title"], author_id=row["author"]))
    await session.commit()


async def purge(session, ids):
    for book_id in ids:
        await session.execute(delete(Book).where(Book.id == book_id))
    await session.commit()


def summary(books):
    titles = list(books)
    n = len([b for b in titles if b.stock == 0])
    return n, max(t.stock for t in titles)


async def restock(book_ids):
    async with SessionLocal() as session:
        async with session.begin():
            for book_id in book_ids:
                book = await session.get(Book, book_id)
                book.stock += 10


def peaks(grouped: dict[str, list[int]]):
    out = {}
    for key, values in grouped.items():
        window = list(values)
        out[key] = max(window)
    return out


async def legacy_count(db: Session) -> int:
    """A sync Session in an async def: the query blocks the event loop."""
    return db.execute(text("SELECT count(*) FROM books")).scalar_one()


async def add_author(session, name, titles):
    """The author is committed before its books: scope_too_narrow."""
    author = Author(name=name)
    session.add(author)
    await session.commit()
    session.add_all([Book(title=t, author_id=author.id) for t in titles])
    await session.commit()


async def recount(session, counts):
    """Stock UPDATEs notify listeners, but nothing is committed until the end."""
    for n, (book_id, stock) in enumerate(counts):
        await session.execute(update(Book).where(Book.id == book_id).values(stock=stock))
        log_progress(n)
    await session.commit()


def log_progress(n):
    print(n)
