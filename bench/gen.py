#!/usr/bin/env python3
"""Generate a deterministic Python project corpus for `make bench`.

usage: python3 bench/gen.py [N_LINES [OUTDIR]] [--seed N] [--check]

Writes at least N_LINES (default 200000) lines of Python into OUTDIR
(default bench/corpus): a FastAPI + SQLAlchemy style package under
src/benchapp/ with modules of about 150 to 400 lines each (mapped classes,
async route handlers with decorators, services with try/except/finally and
with-blocks, background jobs, plain helpers, match statements, SQL in
triple-quoted strings, f-strings with nested quotes, comments), a sprinkle
of the anti-patterns pperf looks for, a few tests and migrations, and a
pyproject.toml, written last, whose first line records the arguments.

The same arguments always give byte-identical output (one seeded
random.Random, no iteration over hashed sets).  --check compiles every
generated module with compile() and fails on a syntax error.
"""
import argparse
import os
import random
import sys
from string import Template

NOUNS = [
    "order", "invoice", "shipment", "customer", "ticket", "device", "sensor", "booking",
    "room", "course", "lesson", "payment", "refund", "coupon", "vendor", "pallet",
    "route", "driver", "vehicle", "patient", "visit", "claim", "policy", "article",
    "comment", "author", "playlist", "track", "album", "parcel", "meter", "reading",
    "tenant", "lease", "asset", "license", "project", "task", "sprint", "release",
]
VERBS = [
    "load", "sync", "refresh", "build", "render", "export", "ingest", "score", "rank",
    "merge", "split", "archive", "notify", "settle", "audit", "price", "reconcile",
]
AREAS = ["api", "services", "jobs", "domain", "adapters", "reports", "integrations"]
FIELDS = [
    ("name", "str", 'String(120), default=""'),
    ("status", "str", 'String(16), default="new"'),
    ("weight", "float | None", "Float"),
    ("qty", "int", "Integer, default=0"),
    ("owner_id", "int | None", "Integer"),
    ("note", "str | None", "Text"),
    ("score", "float", "Float, default=0.0"),
    ("external_ref", "str | None", "String(64)"),
    ("region", "str", 'String(8), default="eu"'),
    ("priority", "int", "Integer, default=3"),
    ("attachment", "str | None", "String(300)"),
    ("updated_at", "datetime | None", "DateTime(timezone=True)"),
]

HEADER = Template('''\
"""$Noun $verb ($area layer).

Part of the pperf benchmark corpus: it is meant to look like a service
module of a mid-sized FastAPI + SQLAlchemy code base, not to run.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import DateTime, Float, Integer, String, Text, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from benchapp.db import Base, SessionFactory, get_session

log = logging.getLogger(__name__)
router = APIRouter(prefix="/$noun", tags=["$noun"])
''')

MODEL_HEAD = Template('''\
class $Noun$i(Base):
    """A $noun row; ${other}s hang off it."""

    __tablename__ = "${noun}_$i"

    id: Mapped[int] = mapped_column(primary_key=True)
''')
MODEL_TAIL = Template('''\
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    ${other}s: Mapped[list["$Other$i"]] = relationship(lazy="selectin", order_by="$Other$i.id")
''')

HANDLER_GET = Template('''\
@router.get("/{${noun}_id}/$verb")
async def ${verb}_${noun}_$j(${noun}_id: int, session: AsyncSession = Depends(get_session)) -> dict[str, Any]:
    """${Verb} one $noun and summarise its ${other}s."""
    row = await session.get($Noun$i, ${noun}_id, options=[selectinload($Noun$i.${other}s)])
    if row is None:
        raise HTTPException(status_code=404, detail=f"$noun {${noun}_id} not found")
    totals = {"count": 0, "weight": 0.0}
    for child in row.${other}s:
        totals["count"] += 1
        totals["weight"] += float(child.weight or 0)
    label = f"{row.name!r:>20} ({totals['count']} ${other}s, {totals['weight']:.1f} kg)"
    return {"id": row.id, "label": label, **totals}
''')

HANDLER_LIST = Template('''\
@router.get("/search/$k")
async def search_${noun}s_$j(
    q: str = "",
    limit: int = 50,
    session: AsyncSession = Depends(get_session),
) -> list[dict[str, Any]]:
    stmt = (
        select($Noun$i.id, $Noun$i.name, $Noun$i.status)
        .where($Noun$i.name.ilike(f"%{q}%"))
        .order_by($Noun$i.id.desc())
        .limit(min(limit, 200))
    )
    rows = (await session.execute(stmt)).all()
    # the list view renders three columns, so only three are selected
    return [{"id": r.id, "name": r.name, "status": r.status} for r in rows if r.status != "deleted"]
''')

HANDLER_POST = Template('''\
@router.post("/$verb/$k", status_code=201)
async def create_${noun}_$j(payload: dict[str, Any], session: AsyncSession = Depends(get_session)) -> dict[str, int]:
    children = [$Other$i(name=str(x.get("name", "")), weight=x.get("weight")) for x in payload.get("${other}s", [])]
    try:
        obj = $Noun$i(name=payload["name"], status="new", region=payload.get("region", "eu"))
        obj.${other}s.extend(children)
        session.add(obj)
        await session.commit()
    except KeyError as exc:
        await session.rollback()
        raise HTTPException(status_code=422, detail=f"missing field {exc.args[0]!r}") from exc
    except Exception:
        await session.rollback()
        raise
    return {"id": obj.id, "${other}s": len(children)}
''')

HANDLER_BAD = [Template('''\
@router.post("/{${noun}_id}/attachment/$k")
async def upload_${noun}_attachment_$j(
    ${noun}_id: int, body: bytes, session: AsyncSession = Depends(get_session)
) -> dict[str, str]:
    row = await session.get($Noun$i, ${noun}_id)
    path = f"/var/lib/bench/${noun}/{${noun}_id}-$k.bin"
    with open(path, "wb") as fh:
        fh.write(body)
    time.sleep(0.05)
    row.attachment = path
    await session.commit()
    return {"path": path}
'''), Template('''\
@router.get("/report/$k")
async def ${noun}_report_$j(session: AsyncSession = Depends(get_session)) -> str:
    rows = (await session.scalars(select($Noun$i).limit(500))).all()
    text = ""
    for row in rows:
        owner = await session.get($Other$i, row.owner_id)
        text += f"{row.id};{row.name};{owner.name if owner else '-'}\\n"
    return text
'''), Template('''\
@router.post("/import/$k")
async def import_${noun}s_$j(raw: bytes, session: AsyncSession = Depends(get_session)) -> dict[str, int]:
    data = json.loads(raw)
    if not any([item.get("name") for item in data]):
        raise HTTPException(status_code=400, detail="nothing to import")
    for item in data:
        session.add($Noun$i(name=item["name"], status="imported"))
    await session.commit()
    return {"imported": len([x for x in data if x.get("name")])}
''')]

SERVICE = Template('''\
class ${Noun}Service$j:
    """Application service for ${noun}s ($verb)."""

    def __init__(self, session: AsyncSession, client: httpx.AsyncClient | None = None) -> None:
        self.session = session
        self.client = client
        self._seen: dict[int, str] = {}

    async def $verb(self, ${noun}_id: int) -> $Noun$i | None:
        try:
            row = await self.session.get($Noun$i, ${noun}_id)
        except Exception:  # logged and re-raised
            log.exception("could not load $noun %s", ${noun}_id)
            raise
        else:
            if row is not None:
                self._seen[row.id] = row.name
            return row
        finally:
            log.debug("$verb(%s) done", ${noun}_id)

    async def push(self, ${noun}_id: int) -> bool:
        if self.client is None:
            return False
        async with self.session.begin():
            row = await self.session.get($Noun$i, ${noun}_id, with_for_update=True)
            if row is None:
                return False
            row.status = "pushing"
        resp = await self.client.post("/${noun}s", json={"id": ${noun}_id, "name": self._seen.get(${noun}_id, "")})
        return resp.status_code < 300

    def describe(self) -> str:
        names = ", ".join(sorted(self._seen.values()))
        return f"${Noun}Service({len(self._seen)} seen: {names or '<none>'})"
''')

HELPER = Template('''\
def ${verb}_${noun}_rows_$j(rows: list[dict[str, Any]], *, width: int = 12) -> list[str]:
    """Format rows for the plain-text export."""
    out: list[str] = []
    total = 0
    for index, row in enumerate(rows):
        if (name := row.get("name")) is None:
            continue
        total += int(row.get("qty", 0))
        out.append(f"{index:>4} {name:<{width}} {row.get('qty', 0):>6} {row.get('unit', 'pcs')}")
    out.append(f"{'total':<{width + 5}} {total:>6}")
    return out
''')

MATCHER = Template('''\
def classify_${noun}_event_$j(event: dict[str, Any]) -> str:
    match event:
        case {"type": "created", "id": int(ident)}:
            return f"new $noun {ident}"
        case {"type": "deleted", **rest} if rest.get("hard"):
            return "hard delete"
        case {"type": str(kind)}:
            return kind.upper()
        case _:
            return "unknown"
''')

SQL = Template('''\
${NOUN}_${VERB}_SQL_$j = """
    SELECT o.id, o.name, count(c.id) AS ${other}_count
      FROM ${noun}s o
      LEFT JOIN ${other}s c ON c.${noun}_id = o.id
     WHERE o.status <> 'deleted'  -- time.sleep( in SQL text is not code
       AND o.created_at > now() - interval '$k days'
     GROUP BY o.id, o.name
     ORDER BY ${other}_count DESC
"""
''')

JOB = Template('''\
async def ${verb}_${noun}_job_$j(batch: int = 200) -> int:
    """Background job: $verb ${noun}s in batches of `batch`."""
    done = 0
    async with SessionFactory() as session:
        while True:
            rows = (
                await session.scalars(select($Noun$i).where($Noun$i.status == "pending").limit(batch))
            ).all()
            if not rows:
                break
            ids = [r.id for r in rows]
            await session.execute(update($Noun$i).where($Noun$i.id.in_(ids)).values(status="done"))
            await session.commit()
            done += len(ids)
            await asyncio.sleep(0)
    log.info("$verb job: %d ${noun}s", done)
    return done
''')

JOB_BAD = Template('''\
async def resync_${noun}s_$j() -> None:
    async with SessionFactory() as session:
        rows = (await session.scalars(select($Noun$i))).all()
        for row in rows:
            await session.execute(update($Noun$i).where($Noun$i.id == row.id).values(status="synced"))
            resp = httpx.get(f"https://api.example.com/${noun}s/{row.id}", timeout=5)
            session.add($Other$i(name=resp.text[:64]))
        await session.commit()
    time.sleep(1)
''')

DATACLASS = Template('''\
@dataclass(frozen=True, slots=True)
class ${Noun}Snapshot$j:
    id: int
    name: str
    tags: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.id}:{self.name.lower()}"

    def with_tag(self, tag: str) -> "${Noun}Snapshot$j":
        return ${Noun}Snapshot$j(self.id, self.name, (*self.tags, tag), dict(self.extra))
''')

CONSTANTS = Template('''\
${NOUN}_LIMITS_$j = {
    "max_items": $k,
    "window": timedelta(minutes=$m),
    "pattern": re.compile(r"^[a-z0-9_\\-]{3,64}$$"),
    "labels": ("$noun", "$other", 'mixed "quotes"', "it's"),
}
${NOUN}_MAGIC_$j = b"\\x89PNG\\r\\n\\x1a\\n"
${NOUN}_LINE_RE_$j = re.compile(rb"^(?P<id>\\d+);(?P<name>[^;]*);", re.M)
${NOUN}_WIN_DIR_$j = r"C:\\data\\${noun}s\\export"
''')

COMMENTS = Template('''\
# ---------------------------------------------------------------------------
# Notes on ${noun}s ($verb):
#   * never call time.sleep( in a handler; await asyncio.sleep(...) instead
#   * session.commit() belongs to the unit of work, not to helpers
#   * "quotes", 'apostrophes' and """triples""" in comments are not strings
# ---------------------------------------------------------------------------
''')

CONTINUATION = Template('''\
def ${noun}_score_$j(a: float, b: float, c: float = 1.0) -> float:
    value = a * 0.5 + \\
        b * 0.25 + \\
        c * 0.25
    weights = (
        1.0,
        2.0,  # trailing comment inside brackets
        3.0,
    )
    return value * sum(w for w in weights) / len(weights)
''')

RANKER = Template('''\
def top_${noun}s_$j(rows: list[dict[str, Any]], n: int = 10) -> list[dict[str, Any]]:
    ranked = sorted(rows, key=lambda r: (-r.get("score", 0), r.get("name", "")))
    seen: set[int] = set()
    result = []
    for r in ranked:
        if r["id"] in seen:
            continue
        seen.add(r["id"])
        result.append(r)
        if len(result) >= n:
            break
    return result
''')

TEST = Template('''\
import time

from benchapp.$area import $module


def test_${noun}_router_prefix_$j():
    time.sleep(0.01)
    assert $module.router.prefix == "/$noun"


async def test_${noun}_fixture_file_$j():
    with open("/dev/null") as fh:
        assert fh.read() == ""
''')

MIGRATION = Template('''\
"""notify listeners when a $noun changes

Revision ID: $rev
"""
from alembic import op

revision = "$rev"
down_revision = None


def upgrade() -> None:
    op.execute(
        """
        CREATE OR REPLACE FUNCTION notify_${noun}() RETURNS trigger AS $$$$
        BEGIN
            PERFORM pg_notify('${noun}_changed', NEW.id::text);
            RETURN NEW;
        END;
        $$$$ LANGUAGE plpgsql;
        CREATE TRIGGER ${noun}_changed AFTER UPDATE ON ${noun}s
            FOR EACH ROW EXECUTE FUNCTION notify_${noun}();
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS ${noun}_changed ON ${noun}s")
''')

DB = '''\
"""Engine, session factory and the declarative base."""
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

engine = create_async_engine(
    "postgresql+asyncpg://bench:bench@db:5432/bench", pool_size=20, max_overflow=10, pool_pre_ping=True
)
SessionFactory = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


async def get_session() -> AsyncIterator[AsyncSession]:
    async with SessionFactory() as session:
        yield session
'''

PYPROJECT = '''\
[project]
name = "benchapp"
version = "0.0.0"
requires-python = ">=3.11"
dependencies = [
    "fastapi>=0.110",
    "sqlalchemy[asyncio]>=2.0,<2.1",
    "asyncpg>=0.29",
    "httpx>=0.27",
    "alembic>=1.13",
]

[project.optional-dependencies]
dev = ["pytest>=8.0", "pytest-asyncio>=0.23"]
'''

# (template or list of templates, weight); the last three are anti-patterns
BLOCKS = [
    (HANDLER_GET, 12), (HANDLER_LIST, 8), (HANDLER_POST, 8), (SERVICE, 6), (HELPER, 10),
    (MATCHER, 5), (SQL, 5), (JOB, 6), (DATACLASS, 6), (CONSTANTS, 5), (COMMENTS, 4),
    (CONTINUATION, 6), (RANKER, 6), (HANDLER_BAD, 2), (JOB_BAD, 1),
]


def camel(word):
    return word[:1].upper() + word[1:]


class Gen:
    """All randomness of one corpus comes from self.rng, in a fixed order."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.serial = 0

    def fresh(self):
        self.serial += 1
        return str(self.serial)

    def names(self, noun, verb, area):
        """Names shared by one module: its model pair and its router."""
        other = self.rng.choice([n for n in NOUNS if n != noun])
        return {
            "noun": noun, "Noun": camel(noun), "NOUN": noun.upper(),
            "other": other, "Other": camel(other),
            "verb": verb, "Verb": camel(verb), "VERB": verb.upper(),
            "area": area, "i": self.fresh(),
        }

    def per_block(self, names):
        """A copy with a fresh suffix ($j) for the names a block defines."""
        return dict(names, j=self.fresh(), k=str(self.rng.randint(10, 5000)), m=str(self.rng.randint(1, 180)))

    def model(self, names):
        cols = self.rng.sample(FIELDS, self.rng.randint(4, len(FIELDS)))
        parts = [MODEL_HEAD.substitute(names)]
        for fname, ptype, sa in cols:
            parts.append("    %s: Mapped[%s] = mapped_column(%s)\n" % (fname, ptype, sa))
        parts.append(MODEL_TAIL.substitute(names))
        # the child model the relationship points at
        child = dict(names, Noun=names["Other"], noun=names["other"], Other=names["Noun"], other=names["noun"])
        parts.append("\n\n" + MODEL_HEAD.substitute(child))
        parts.append('    name: Mapped[str] = mapped_column(String(120), default="")\n')
        parts.append("    weight: Mapped[float | None] = mapped_column(Float)\n")
        parts.append("    %s_id: Mapped[int] = mapped_column(Integer, index=True)\n" % names["noun"])
        return "".join(parts)

    def block(self, names):
        total = sum(w for _, w in BLOCKS)
        pick = self.rng.uniform(0, total)
        for tmpl, weight in BLOCKS:
            pick -= weight
            if pick <= 0:
                break
        if isinstance(tmpl, list):
            tmpl = self.rng.choice(tmpl)
        return tmpl.substitute(self.per_block(names))

    def module(self, noun, verb, area):
        """Returns (names, text) of one module of 150 to about 430 lines."""
        target = self.rng.randint(150, 400)
        names = self.names(noun, verb, area)
        parts = [HEADER.substitute(names), self.model(names)]
        count = sum(p.count("\n") + 2 for p in parts)
        while count < target:
            text = self.block(names)
            parts.append(text)
            count += text.count("\n") + 2
        return names, "\n\n".join(parts)


def write(path, text):
    """Writes text to path (creating directories); returns its size in bytes."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = text.encode("utf-8")
    with open(path, "wb") as fh:
        fh.write(data)
    return len(data)


class Corpus:
    def __init__(self, out, check):
        self.out, self.check = out, check
        self.files = self.lines = self.bytes = 0

    def add(self, rel, text, python=True):
        path = os.path.join(self.out, rel)
        if python and self.check:
            compile(text, path, "exec")
        self.bytes += write(path, text)
        self.files += 1
        if python:
            self.lines += text.count("\n")


def main(argv):
    ap = argparse.ArgumentParser(description="Generate the pperf benchmark corpus.")
    ap.add_argument("n_lines", nargs="?", type=int, default=200000, metavar="N_LINES")
    ap.add_argument("outdir", nargs="?", default="bench/corpus", metavar="OUTDIR")
    ap.add_argument("--seed", type=int, default=20240612)
    ap.add_argument("--check", action="store_true", help="compile() every generated module")
    args = ap.parse_args(argv)
    if args.n_lines < 1:
        ap.error("N_LINES must be positive")
    if os.path.exists(os.path.join(args.outdir, "pyproject.toml")):
        ap.error("%s already holds a corpus; remove it first" % args.outdir)

    gen = Gen(args.seed)
    corpus = Corpus(args.outdir, args.check)
    corpus.add("src/benchapp/__init__.py", '"""Benchmark application."""\n')
    corpus.add("src/benchapp/db.py", DB)
    for area in AREAS:
        corpus.add("src/benchapp/%s/__init__.py" % area, "")
    used = set()
    while corpus.lines < args.n_lines:
        noun, verb, area = gen.rng.choice(NOUNS), gen.rng.choice(VERBS), gen.rng.choice(AREAS)
        module = "%s_%s" % (noun, verb)
        if module in used:
            module = "%s_%s" % (module, gen.fresh())
        used.add(module)
        names, text = gen.module(noun, verb, area)
        corpus.add("src/benchapp/%s/%s.py" % (area, module), text)
        if gen.rng.random() < 0.03:
            test = TEST.substitute(gen.per_block(dict(names, module=module)))
            corpus.add("tests/test_%s.py" % module, test)
        if gen.rng.random() < 0.01:
            rev = "%012x" % gen.rng.getrandbits(48)
            corpus.add("alembic/versions/%s_%s_notify.py" % (rev, noun), MIGRATION.substitute(names, rev=rev))
    # written last: bench.sh regenerates when it is missing or older than gen.py
    corpus.add("pyproject.toml", "# pperf bench corpus: bench/gen.py %d seed=%d\n" % (args.n_lines, args.seed) + PYPROJECT,
               python=False)
    sys.stderr.write("gen.py: %d files, %d lines of Python, %.1f MB in %s\n"
                     % (corpus.files, corpus.lines, corpus.bytes / 1e6, args.outdir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
