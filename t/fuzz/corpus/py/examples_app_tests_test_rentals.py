import json
import time
from pathlib import Path

import requests
from sqlalchemy import select

from app.models import Bike, Tariff
from app.services.pricing import fare_cents, peak_hours, price_list

FIXTURES = Path(__file__).parent / "data"


async def test_tariff_fixture_matches_database(session):
    with open(FIXTURES / "tariffs.json") as fh:
        expected = json.loads(fh.read())
    for plan, cents in expected.items():
        tariff = await session.scalar(select(Tariff).where(Tariff.plan == plan))
        assert tariff.unlock_cents == cents


async def test_bikes_endpoint_live(riders, session):
    time.sleep(1)
    resp = requests.get("http://localhost:8000/bikes", timeout=5)
    names = ""
    for bike in resp.json():
        names += bike["serial"] + ","
        row = await session.get(Bike, bike["id"])
        assert row is not None
    assert len([b for b in resp.json() if b["status"]]) == len(resp.json())


def test_fare_is_capped_per_day():
    tariff = Tariff(plan="payg", unlock_cents=100, per_minute_cents=20, daily_cap_cents=1500)
    assert fare_cents(tariff, 10) == 300
    assert fare_cents(tariff, 24 * 60 + 10) == 1500 + 300


def test_peak_hours_merges_extras():
    assert peak_hours([22, 7]) == [7, 8, 17, 18, 22]


def test_price_list_mentions_every_plan():
    tariffs = [Tariff(plan=p, unlock_cents=100, per_minute_cents=15, daily_cap_cents=1200) for p in ("payg", "month")]
    text = price_list(tariffs)
    assert "payg" in text and "month" in text
