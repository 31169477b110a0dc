"""Import a bike delivery (the vendor's CSV) into the fleet.

usage: python scripts/import_fleet.py DELIVERY.csv [--station CODE] [--purge-demo]

CSV columns: serial, model, firmware, delivered (YYYY-MM-DD).
"""
import argparse
import asyncio
import csv
from datetime import date
from time import sleep

from sqlalchemy import delete, select

from app.db import SessionFactory, engine
from app.models import Bike, BikeModel, Rider, Station

FLUSH_EVERY = 500


async def import_delivery(csv_path: str, station_code: str | None) -> int:
    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    count = 0
    async with SessionFactory() as session:
        models = {m.name: m.id for m in await session.scalars(select(BikeModel))}
        station_id = None
        if station_code:
            station_id = await session.scalar(select(Station.id).where(Station.code == station_code))
        for row in rows:
            session.add(
                Bike(
                    serial=row["serial"].strip().upper(),
                    model_id=models[row["model"]],
                    station_id=station_id,
                    firmware=row.get("firmware") or "1.0.0",
                    purchased_at=date.fromisoformat(row["delivered"]),
                )
            )
            count += 1
            if count % FLUSH_EVERY == 0:
                await session.flush()
                sleep(1)  # let the read replicas catch up before the next batch
        await session.commit()
    return count


async def purge_demo_riders() -> int:
    """Remove the riders created by the sales demo before a city goes live."""
    removed = 0
    async with SessionFactory() as session:
        async with session.begin():
            for domain in ("example.com", "example.org", "pedalshare.test"):
                result = await session.execute(delete(Rider).where(Rider.email.endswith("@" + domain)))
                removed += result.rowcount
            await session.commit()
    return removed


async def run(args: argparse.Namespace) -> None:
    try:
        if args.purge_demo:
            print(f"removed {await purge_demo_riders()} demo riders")
        print(f"imported {await import_delivery(args.csv_path, args.station)} bikes")
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description="Import a bike delivery CSV.")
    parser.add_argument("csv_path")
    parser.add_argument("--station", help="code of the station the delivery is parked at")
    parser.add_argument("--purge-demo", action="store_true", help="delete demo riders first")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
