"""Fares and tariffs."""
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Tariff

PEAK_HOURS = (7, 8, 17, 18)
ZONE_MULTIPLIERS = {"center": 1.0, "campus": 0.8, "airport": 1.5, "default": 1.0}


class TariffBook:
    """Tariff lookup for the rental endpoints; loads the table on first use."""

    def __init__(self) -> None:
        self._by_plan: dict[str, Tariff] = {}

    async def for_plan(self, session: AsyncSession, plan: str) -> Tariff:
        if not self._by_plan:
            tariffs = (await session.scalars(select(Tariff))).all()
            self._by_plan = {t.plan: t for t in tariffs}
        return self._by_plan.get(plan) or self._by_plan["payg"]


def fare_cents(tariff: Tariff, minutes: int, zone: str = "center") -> int:
    """Unlock fee plus the per-minute price, capped for every started day."""
    days, rest = divmod(minutes, 24 * 60)
    day_part = days * tariff.daily_cap_cents
    rest_part = min(tariff.daily_cap_cents, tariff.unlock_cents + rest * tariff.per_minute_cents)
    return round((day_part + rest_part) * zone_multiplier(zone))


def zone_multiplier(zone: str) -> float:
    table = ZONE_MULTIPLIERS.copy()
    return table.get(zone, table["default"])


def peak_hours(extra: list[int] | None = None) -> list[int]:
    """Peak hours for the surcharge banner, with event-day extras merged in."""
    hours = list(PEAK_HOURS)
    for hour in extra or ():
        if hour not in hours:
            hours.append(hour)
    hours.sort()
    return hours


def price_list(tariffs: list[Tariff]) -> str:
    """Plain-text price list for the kiosk screens at the stations."""
    text = "PedalShare prices (EUR)\n"
    for t in sorted(tariffs, key=lambda t: t.plan):
        text += f"{t.plan:<8} unlock {t.unlock_cents / 100:5.2f}  per minute {t.per_minute_cents / 100:4.2f}\n"
    return text
