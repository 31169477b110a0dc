"""Stations, docks and live availability."""
import json
from datetime import date

from fastapi import APIRouter, Depends, File, HTTPException, UploadFile
from fastapi.responses import PlainTextResponse
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_session
from app.models import Bike, Dock, Rental, Station

router = APIRouter(prefix="/stations", tags=["stations"])
DEFAULT_LAYOUT = {"slots": 12, "zone": "center", "charging": False}


@router.get("")
async def list_stations(session: AsyncSession = Depends(get_session)):
    stations = (await session.scalars(select(Station).order_by(Station.code))).all()
    out = []
    for station in stations:
        free = sum(1 for dock in station.docks if dock.bike_id is None)
        out.append({"code": station.code, "name": station.name, "free": free, "bikes": len(station.docks) - free})
    return out


@router.get("/codes")
async def station_codes(session: AsyncSession = Depends(get_session)) -> list[str]:
    return [code for code in await session.scalars(select(Station.code).order_by(Station.code))]


@router.get("/{code}/availability")
async def availability(code: str, min_battery: int = 20, session: AsyncSession = Depends(get_session)):
    station = await session.scalar(select(Station).where(Station.code == code))
    if station is None:
        raise HTTPException(404, "unknown station")
    occupied = [dock.bike_id for dock in station.docks if dock.bike_id is not None]
    bikes = (
        await session.execute(select(Bike.id, Bike.status, Bike.battery_pct).where(Bike.id.in_(occupied)))
    ).all()
    ready = len([b for b in bikes if b.status == "available" and (b.battery_pct or 100) >= min_battery])
    return {"station": station.code, "free_docks": len(station.docks) - len(occupied), "ready_bikes": ready}


@router.get("/utilisation.csv", response_class=PlainTextResponse)
async def utilisation_csv(day: date, session: AsyncSession = Depends(get_session)):
    rows = (
        await session.execute(
            select(Station.code, func.count(Rental.id))
            .join(Rental, Rental.start_station_id == Station.id)
            .where(func.date(Rental.started_at) == day)
            .group_by(Station.code)
            .order_by(Station.code)
        )
    ).all()
    busiest = max([count for _, count in rows], default=0)
    lines = ["station,rentals,share_of_busiest"]
    lines.extend(f"{code},{count},{count / busiest:.2f}" for code, count in rows)
    return "\n".join(lines) + "\n"


@router.post("/import", status_code=201)
async def import_stations(feed_file: UploadFile = File(...), session: AsyncSession = Depends(get_session)):
    """Create stations from the city's open-data GeoJSON export (a few MB)."""
    feed = json.loads(await feed_file.read())
    layout = dict(DEFAULT_LAYOUT)
    created = []
    for feature in feed["features"]:
        props = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"][:2]
        slots = int(props.get("slots") or layout["slots"])
        station = Station(
            code=props["id"],
            name=props["name"],
            lat=lat,
            lon=lon,
            capacity=slots,
            zone=props.get("zone") or layout["zone"],
            charging=bool(props.get("charging", layout["charging"])),
        )
        station.docks = [Dock(slot=n) for n in range(1, slots + 1)]
        created.append(station)
    try:
        session.add_all(created)
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise HTTPException(409, "a station with one of these codes already exists")
    return {"created": len(created)}
