"""Outbound calls: payment provider and SMS gateway.

The caller owns the transaction, so nothing in this module calls
session.commit().  Retries back off with asyncio.sleep(); a time.sleep(...)
here would stall the event loop for every rider on the same worker.
"""
import asyncio
import time

import httpx
import requests
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import settings
from app.models import Rider

RETRYABLE = {502, 503, 504}


async def capture_payment(hold_id: str, amount_cents: int) -> str:
    """Capture the deposit hold for the final fare; returns the provider reference."""
    async with httpx.AsyncClient(base_url=settings.payments_url, timeout=10) as client:
        for attempt in range(3):
            resp = await client.post(f"/holds/{hold_id}/capture", json={"amount": amount_cents})
            if resp.status_code not in RETRYABLE:
                break
            await asyncio.sleep(0.5 * 2**attempt)
    resp.raise_for_status()
    return resp.json()["id"]


def refund_payment(provider_ref: str, amount_cents: int) -> str:
    """Blocking variant for the finance CLI, which runs without an event loop."""
    for attempt in range(3):
        resp = requests.post(
            f"{settings.payments_url}/refunds", json={"payment": provider_ref, "amount": amount_cents}, timeout=10
        )
        if resp.status_code not in RETRYABLE:
            break
        time.sleep(0.5 * 2**attempt)  # fine here: plain def, no event loop
    resp.raise_for_status()
    return resp.json()["id"]


async def text_rental_started(session: AsyncSession, rider_id: int, bike_serial: str) -> None:
    """SMS with the unlocked bike's serial, so the rider can report the right bike."""
    rider = (await session.execute(select(Rider).where(Rider.id == rider_id))).scalar_one()
    async with httpx.AsyncClient(timeout=5) as client:
        text = f"Bike {bike_serial} unlocked, ride safe!"
        await client.post(settings.sms_url, json={"to": rider.phone, "text": text})
