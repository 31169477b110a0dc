"""Fleet endpoints: list, detail, photo, manual, fleet value, retirement."""
import hashlib

import aiofiles
import httpx
from fastapi import APIRouter, Depends, File, HTTPException, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import settings
from app.db import get_session
from app.models import Bike, BikeModel

router = APIRouter(prefix="/bikes", tags=["bikes"])


class RetireRequest(BaseModel):
    bike_ids: list[int]
    reason: str


@router.get("")
async def list_bikes(station_id: int | None = None, session: AsyncSession = Depends(get_session)):
    query = select(Bike).where(Bike.retired_at.is_(None)).order_by(Bike.serial)
    if station_id is not None:
        query = query.where(Bike.station_id == station_id)
    bikes = (await session.scalars(query)).all()
    return [{"id": b.id, "serial": b.serial, "status": b.status} for b in bikes]


@router.get("/fleet-value")
async def fleet_value(currency: str = "EUR", session: AsyncSession = Depends(get_session)):
    cents = await session.scalar(
        select(func.sum(BikeModel.list_price_cents))
        .join(Bike, Bike.model_id == BikeModel.id)
        .where(Bike.retired_at.is_(None))
    )
    rate = 1.0
    if currency != "EUR":
        resp = httpx.get(settings.fx_url, params={"base": "EUR", "symbols": currency}, timeout=5)
        resp.raise_for_status()
        rate = resp.json()["rates"][currency]
    return {"currency": currency, "value": round((cents or 0) / 100 * rate, 2)}


@router.get("/{bike_id}")
async def bike_detail(bike_id: int, session: AsyncSession = Depends(get_session)):
    bike = await session.get(Bike, bike_id)
    if bike is None:
        raise HTTPException(404, "no such bike")
    fields = ("serial", "model_id", "station_id", "status", "battery_pct", "odometer_km", "firmware", "notes")
    detail = {name: getattr(bike, name) for name in fields}
    detail.update(id=bike.id, purchased_at=bike.purchased_at.isoformat(), photo=bike.photo_path)
    return detail


@router.post("/{bike_id}/photo")
async def upload_photo(bike_id: int, photo: UploadFile = File(...), session: AsyncSession = Depends(get_session)):
    bike = await session.get(Bike, bike_id)
    if bike is None:
        raise HTTPException(404, "no such bike")
    data = await photo.read()
    digest = hashlib.sha256(data).hexdigest()
    target = settings.media_dir / "bikes" / f"{bike.serial}-{digest[:12]}.jpg"
    with open(target, "wb") as out:
        out.write(data)
    bike.photo_path = str(target)
    bike.photo_sha256 = digest
    await session.commit()
    return {"photo": target.name, "sha256": digest}


@router.get("/{bike_id}/manual")
async def bike_manual(bike_id: int, session: AsyncSession = Depends(get_session)):
    manual = await session.scalar(
        select(BikeModel.manual_file).join(Bike, Bike.model_id == BikeModel.id).where(Bike.id == bike_id)
    )
    if manual is None:
        raise HTTPException(404, "no manual for this model")
    async with aiofiles.open(settings.manuals_dir / manual, "rb") as fh:
        pdf = await fh.read()
    return Response(pdf, media_type="application/pdf")


@router.post("/retire")
async def retire_bikes(body: RetireRequest, session: AsyncSession = Depends(get_session)):
    for bike_id in body.bike_ids:
        await session.execute(
            update(Bike)
            .where(Bike.id == bike_id, Bike.retired_at.is_(None))
            .values(status="retired", retired_at=func.now(), notes=body.reason)
        )
    await session.commit()
    return {"retired": len(body.bike_ids)}
