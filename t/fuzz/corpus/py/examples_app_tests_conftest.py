import time

import pytest
from sqlalchemy import delete

from app.db import SessionFactory
from app.models import Rider


@pytest.fixture
async def session():
    async with SessionFactory() as s:
        yield s


@pytest.fixture
async def riders(session):
    made = []
    for n in range(25):
        rider = Rider(email=f"rider{n}@pedalshare.test", phone=f"+4915100{n:04d}", name=f"Rider {n}")
        session.add(rider)
        made.append(rider)
    await session.commit()
    time.sleep(0.2)  # the replica used by the API lags a little in CI
    yield made
    for rider in made:
        await session.execute(delete(Rider).where(Rider.id == rider.id))
    await session.commit()
