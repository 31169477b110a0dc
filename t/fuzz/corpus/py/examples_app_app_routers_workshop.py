"""Workshop: the open-ticket board and closing tickets with the parts used."""
from datetime import datetime, timezone

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_session
from app.models import Bike, MaintenanceTicket, Part, PartUsage

router = APIRouter(prefix="/workshop", tags=["workshop"])


class CloseTicket(BaseModel):
    mechanic: str
    parts: dict[str, int]  # sku -> quantity


@router.get("/tickets")
async def open_tickets(session: AsyncSession = Depends(get_session)):
    tickets = (
        await session.scalars(
            select(MaintenanceTicket)
            .where(MaintenanceTicket.status != "closed")
            .order_by(MaintenanceTicket.opened_at)
        )
    ).all()
    board = []
    for ticket in tickets:
        parts = (
            await session.scalars(
                select(Part).join(PartUsage, PartUsage.part_id == Part.id).where(PartUsage.ticket_id == ticket.id)
            )
        ).all()
        board.append(
            {
                "id": ticket.id,
                "bike_id": ticket.bike_id,
                "status": ticket.status,
                "summary": ticket.summary,
                "parts": [f"{p.sku} {p.name}" for p in parts],
            }
        )
    return board


@router.post("/tickets/{ticket_id}/close")
async def close_ticket(ticket_id: int, body: CloseTicket, session: AsyncSession = Depends(get_session)):
    ticket = await session.get(MaintenanceTicket, ticket_id)
    if ticket is None or ticket.status == "closed":
        raise HTTPException(404, "no open ticket")
    skus = list(body.parts)
    catalog = {p.sku: p for p in await session.scalars(select(Part).where(Part.sku.in_(skus)))}
    for sku, qty in body.parts.items():
        if sku not in catalog:
            raise HTTPException(422, f"unknown part {sku!r}")
        session.add(PartUsage(ticket_id=ticket.id, part_id=catalog[sku].id, qty=qty))
    ticket.status = "closed"
    ticket.closed_at = datetime.now(timezone.utc)
    ticket.mechanic = body.mechanic
    await session.execute(
        update(Bike).where(Bike.id == ticket.bike_id).values(status="available", last_service_at=func.now())
    )
    await session.commit()
    return {"ticket": ticket.id, "parts": sum(body.parts.values())}
