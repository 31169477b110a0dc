"""Background jobs, run next to the API as `python -m app.worker`."""
import asyncio
import gzip
import json
import logging
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import requests
from sqlalchemy import func, select, update

from app.config import settings
from app.db import SessionFactory, engine
from app.models import Bike, BikeModel, MaintenanceTicket, Notification, Rental, Rider

log = logging.getLogger("pedal.worker")


async def sweep_overdue() -> int:
    """Flag rentals running longer than allowed and queue a notice for each rider."""
    cutoff = datetime.now(timezone.utc) - timedelta(minutes=settings.overdue_after_minutes)
    async with SessionFactory() as session:
        overdue = (
            await session.scalars(select(Rental).where(Rental.status == "active", Rental.started_at < cutoff))
        ).all()
        for rental in overdue:
            await session.execute(update(Rental).where(Rental.id == rental.id).values(status="overdue"))
            session.add(
                Notification(
                    rider_id=rental.rider_id,
                    rental_id=rental.id,
                    kind="overdue",
                    body=f"Your ride from {rental.started_at:%H:%M} is overdue, please return the bike.",
                )
            )
        await session.commit()
    return len(overdue)


async def send_overdue_reminders() -> int:
    async with SessionFactory() as session:
        pending = (
            await session.scalars(
                select(Notification).where(Notification.kind == "overdue", Notification.sent_at.is_(None)).limit(200)
            )
        ).all()
        sent = []
        for note in pending:
            rider = await session.scalar(select(Rider).where(Rider.id == note.rider_id))
            requests.post(settings.sms_url, json={"to": rider.phone, "text": note.body}, timeout=5)
            sent.append(note.id)
        await session.execute(update(Notification).where(Notification.id.in_(sent)).values(sent_at=func.now()))
        await session.commit()
    return len(sent)


async def dispatch_repairs() -> int:
    """Hand open tickets to the mobile mechanics; the workshop board follows ticket_status."""
    dispatched = 0
    async with SessionFactory() as session:
        tickets = (
            await session.scalars(
                select(MaintenanceTicket)
                .where(MaintenanceTicket.status == "open", MaintenanceTicket.severity != "cosmetic")
                .order_by(MaintenanceTicket.opened_at)
            )
        ).all()
        async with httpx.AsyncClient(base_url=settings.dispatch_url, timeout=15) as client:
            for ticket in tickets:
                ticket.status = "dispatching"
                await session.flush()
                resp = await client.post("/jobs", json={"ticket": ticket.id, "bike": ticket.bike_id})
                resp.raise_for_status()
                ticket.mechanic = resp.json()["mechanic"]
                ticket.status = "dispatched"
                dispatched += 1
        await session.commit()
    return dispatched


async def battery_report() -> Path:
    """Nightly list of e-bikes whose batteries keep running flat."""
    async with SessionFactory() as session:
        bikes = (
            await session.execute(
                select(Bike.serial, Bike.battery_log)
                .join(BikeModel, BikeModel.id == Bike.model_id)
                .where(BikeModel.kind == "e-bike", Bike.retired_at.is_(None))
            )
        ).all()
    report = f"Battery report {datetime.now(timezone.utc):%Y-%m-%d}\n"
    for bike in bikes:
        readings = list(bike.battery_log or [])
        if len(readings) < 2:
            continue
        flat = len([r for r in readings if r["pct"] < 10])
        report += f"{bike.serial}: {readings[-1]['pct']}% now, {flat} deep discharges\n"
    path = settings.export_dir / f"battery-{datetime.now(timezone.utc):%Y%m%d}.txt"
    await asyncio.to_thread(path.write_text, report)
    return path


async def archive_rentals(before: datetime) -> int:
    """Move settled rentals older than `before` to a compressed monthly archive."""
    async with SessionFactory() as session:
        rows = (
            await session.execute(
                select(Rental.id, Rental.rider_id, Rental.bike_id, Rental.started_at, Rental.fare_cents).where(
                    Rental.status == "settled", Rental.ended_at < before
                )
            )
        ).all()
    payload = gzip.compress(json.dumps([row._asdict() for row in rows], default=str).encode())
    path = settings.export_dir / f"rentals-{before:%Y%m}.json.gz"

    def write_archive() -> None:
        with open(path, "wb") as fh:
            fh.write(payload)

    await asyncio.to_thread(write_archive)
    return len(rows)


async def run_forever() -> None:
    log.info("worker started, sweeping every %.0fs", settings.sweep_interval)
    while True:
        try:
            overdue = await sweep_overdue()
            reminded = await send_overdue_reminders()
            dispatched = await dispatch_repairs()
            log.info("sweep: %d overdue, %d reminded, %d dispatched", overdue, reminded, dispatched)
        except Exception:
            log.exception("sweep failed")
        time.sleep(settings.sweep_interval)


async def nightly() -> None:
    path = await battery_report()
    month_start = datetime.now(timezone.utc).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    archived = await archive_rentals(month_start)
    log.info("nightly: wrote %s, archived %d rentals", path.name, archived)


async def main(argv: list[str]) -> None:
    try:
        if argv == ["nightly"]:
            await nightly()
        else:
            await run_forever()
    finally:
        await engine.dispose()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(sys.argv[1:]))
