"""Rental lifecycle: start at a dock, end at a dock, history, receipts, day close."""
import asyncio
import csv
import io
import time
from datetime import date, datetime, timezone

import httpx
from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.config import settings
from app.db import get_session
from app.models import Bike, Dock, Payment, Rental, Rider, Station
from app.services.clients import capture_payment, text_rental_started
from app.services.pricing import TariffBook, fare_cents

router = APIRouter(prefix="/rentals", tags=["rentals"])
DEPOSIT_CENTS = 5000


class StartRental(BaseModel):
    rider_id: int
    dock_id: int


class EndRental(BaseModel):
    dock_id: int


@router.post("", status_code=201)
async def start_rental(body: StartRental, session: AsyncSession = Depends(get_session)):
    async with session.begin():
        rider = await session.get(Rider, body.rider_id)
        if rider is None or rider.blocked:
            raise HTTPException(403, "rider may not rent")
        dock = await session.get(Dock, body.dock_id, with_for_update=True)
        if dock is None or dock.bike_id is None:
            raise HTTPException(409, "dock is empty")
        bike = await session.get(Bike, dock.bike_id, with_for_update=True)
        async with httpx.AsyncClient(base_url=settings.payments_url, timeout=10) as client:
            hold = await client.post(
                "/holds", json={"customer": rider.email, "amount": DEPOSIT_CENTS, "currency": "EUR"}
            )
        hold.raise_for_status()
        rental = Rental(
            rider_id=rider.id, bike_id=bike.id, start_station_id=dock.station_id, deposit_hold_id=hold.json()["id"]
        )
        session.add(rental)
        dock.bike_id = None
        dock.locked = False
        bike.status = "rented"
        bike.station_id = None
    await text_rental_started(session, rider.id, bike.serial)
    return {"rental_id": rental.id, "bike": bike.serial}


@router.post("/{rental_id}/end")
async def end_rental(
    rental_id: int,
    body: EndRental,
    tariffs: TariffBook = Depends(TariffBook),
    session: AsyncSession = Depends(get_session),
):
    rental = await session.get(Rental, rental_id, options=[selectinload(Rental.rider)])
    if rental is None or rental.status != "active":
        raise HTTPException(404, "no active rental")
    # The dock controller reports the lock over its own uplink; give it a moment.
    for _ in range(8):
        dock = await session.scalar(
            select(Dock).where(Dock.id == body.dock_id).execution_options(populate_existing=True)
        )
        if dock is not None and dock.locked and dock.bike_id == rental.bike_id:
            break
        time.sleep(0.25)
    else:
        raise HTTPException(409, "bike is not locked into the dock")
    ended_at = datetime.now(timezone.utc)
    minutes = max(1, int((ended_at - rental.started_at).total_seconds() // 60))
    tariff = await tariffs.for_plan(session, rental.rider.plan)
    fare = fare_cents(tariff, minutes)
    capture_ref = await capture_payment(rental.deposit_hold_id, fare)
    try:
        rental.status = "ended"
        rental.ended_at = ended_at
        rental.end_station_id = dock.station_id
        rental.fare_cents = fare
        await session.commit()
        session.add(Payment(rental_id=rental.id, kind="capture", amount_cents=fare, provider_ref=capture_ref))
        await session.commit()
    except SQLAlchemyError:
        await session.rollback()
        raise
    return {"rental_id": rental.id, "minutes": minutes, "fare_cents": fare}


@router.get("/history/{rider_id}")
async def rental_history(rider_id: int, limit: int = 50, session: AsyncSession = Depends(get_session)):
    rentals = (
        await session.scalars(
            select(Rental).where(Rental.rider_id == rider_id).order_by(Rental.started_at.desc()).limit(limit)
        )
    ).all()
    items = []
    for rental in rentals:
        serial = await session.scalar(select(Bike.serial).where(Bike.id == rental.bike_id))
        started = rental.started_at.isoformat()
        items.append({"id": rental.id, "bike": serial, "started_at": started, "fare_cents": rental.fare_cents})
    return items


@router.get("/{rental_id}/receipt", response_class=PlainTextResponse)
async def rental_receipt(rental_id: int, session: AsyncSession = Depends(get_session)):
    rental = await session.get(Rental, rental_id, options=[selectinload(Rental.payments)])
    if rental is None or rental.ended_at is None:
        raise HTTPException(404, "no finished rental")
    text = f"PedalShare receipt #{rental.id}\n"
    total = 0
    for payment in rental.payments:
        text += f"{payment.created_at:%Y-%m-%d %H:%M}  {payment.kind:<8} {payment.amount_cents / 100:>8.2f} EUR\n"
        total += payment.amount_cents
    return text + f"{'total':<26} {total / 100:>8.2f} EUR\n"


@router.post("/close-day")
async def close_day(day: date, session: AsyncSession = Depends(get_session)):
    """Settle the day's finished rentals and drop the export for accounting."""
    target = settings.export_dir / f"settlement-{day:%Y%m%d}.csv"
    async with session.begin():
        rows = (
            await session.execute(
                select(Rental.id, Rental.rider_id, Station.code, Rental.fare_cents)
                .join(Station, Station.id == Rental.end_station_id)
                .where(Rental.status == "ended", func.date(Rental.ended_at) == day)
                .with_for_update(of=Rental)
            )
        ).all()
        await session.execute(update(Rental).where(Rental.id.in_([r.id for r in rows])).values(status="settled"))
        buf = io.StringIO()
        csv.writer(buf).writerows(rows)
        await asyncio.to_thread(target.write_text, "rental,rider,station,fare_cents\n" + buf.getvalue())
    return {"settled": len(rows), "export": target.name}
