"""Mapped classes.  Table names are plural; money is stored in cents."""
from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Station(Base):
    __tablename__ = "stations"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    capacity: Mapped[int] = mapped_column(Integer)
    zone: Mapped[str] = mapped_column(String(32), default="center")
    charging: Mapped[bool] = mapped_column(Boolean, default=False)

    docks: Mapped[list["Dock"]] = relationship(back_populates="station", lazy="selectin", order_by="Dock.slot")


class Dock(Base):
    __tablename__ = "docks"
    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    slot: Mapped[int] = mapped_column(Integer)
    bike_id: Mapped[Optional[int]] = mapped_column(ForeignKey("bikes.id"), unique=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)

    station: Mapped[Station] = relationship(back_populates="docks")


class BikeModel(Base):
    __tablename__ = "bike_models"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # city, e-bike, cargo
    battery_wh: Mapped[Optional[int]] = mapped_column(Integer)
    list_price_cents: Mapped[int] = mapped_column(Integer)
    manual_file: Mapped[Optional[str]] = mapped_column(String(200))


class Bike(Base):
    __tablename__ = "bikes"
    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("bike_models.id"))
    station_id: Mapped[Optional[int]] = mapped_column(ForeignKey("stations.id"))
    status: Mapped[str] = mapped_column(String(16), default="available")
    battery_pct: Mapped[Optional[int]] = mapped_column(Integer)
    battery_log: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    odometer_km: Mapped[float] = mapped_column(Float, default=0.0)
    firmware: Mapped[str] = mapped_column(String(16), default="1.0.0")
    photo_path: Mapped[Optional[str]] = mapped_column(String(300))
    photo_sha256: Mapped[Optional[str]] = mapped_column(String(64))
    purchased_at: Mapped[date] = mapped_column(Date)
    last_service_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    retired_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    notes: Mapped[Optional[str]] = mapped_column(Text)


class Rider(Base):
    __tablename__ = "riders"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    phone: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    plan: Mapped[str] = mapped_column(String(16), default="payg")
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Rental(Base):
    __tablename__ = "rentals"
    id: Mapped[int] = mapped_column(primary_key=True)
    rider_id: Mapped[int] = mapped_column(ForeignKey("riders.id"), index=True)
    bike_id: Mapped[int] = mapped_column(ForeignKey("bikes.id"))
    start_station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    end_station_id: Mapped[Optional[int]] = mapped_column(ForeignKey("stations.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    ended_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="active")
    fare_cents: Mapped[Optional[int]] = mapped_column(Integer)
    deposit_hold_id: Mapped[Optional[str]] = mapped_column(String(64))

    rider: Mapped[Rider] = relationship()
    payments: Mapped[list["Payment"]] = relationship(order_by="Payment.created_at")


class Payment(Base):
    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    rental_id: Mapped[int] = mapped_column(ForeignKey("rentals.id"))
    kind: Mapped[str] = mapped_column(String(16))  # hold, capture, refund
    amount_cents: Mapped[int] = mapped_column(Integer)
    provider_ref: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Tariff(Base):
    __tablename__ = "tariffs"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan: Mapped[str] = mapped_column(String(16), unique=True)
    unlock_cents: Mapped[int] = mapped_column(Integer)
    per_minute_cents: Mapped[int] = mapped_column(Integer)
    daily_cap_cents: Mapped[int] = mapped_column(Integer)


class MaintenanceTicket(Base):
    __tablename__ = "maintenance_tickets"
    id: Mapped[int] = mapped_column(primary_key=True)
    bike_id: Mapped[int] = mapped_column(ForeignKey("bikes.id"))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    closed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    severity: Mapped[str] = mapped_column(String(16), default="normal")
    status: Mapped[str] = mapped_column(String(16), default="open")
    summary: Mapped[str] = mapped_column(Text)
    mechanic: Mapped[Optional[str]] = mapped_column(String(80))


class Part(Base):
    __tablename__ = "parts"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    price_cents: Mapped[int] = mapped_column(Integer)


class PartUsage(Base):
    __tablename__ = "part_usages"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("maintenance_tickets.id"))
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    qty: Mapped[int] = mapped_column(Integer, default=1)

    part: Mapped[Part] = relationship()


class Notification(Base):
    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    rider_id: Mapped[int] = mapped_column(ForeignKey("riders.id"))
    rental_id: Mapped[Optional[int]] = mapped_column(ForeignKey("rentals.id"))
    kind: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
