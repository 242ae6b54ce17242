"""The helplines an admin keeps for this installation (admin → Helplines). Empty: the configured defaults."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from community.core.time import utcnow
from community.extensions import db


class HelplineEntry(db.Model):
    """One helpline, for every language (``language`` empty) or for one. Public information, no member data."""

    __tablename__ = "helplines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(40), default="")
    sms: Mapped[str] = mapped_column(String(40), default="")  # a number to text
    url: Mapped[str] = mapped_column(String(300), default="")
    hours: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(String(300), default="")
    acute: Mapped[bool] = mapped_column(Boolean, default=False)  # an emergency number: shown first, in danger
    language: Mapped[str] = mapped_column(String(10), default="")  # "" for every language
    topics: Mapped[str] = mapped_column(String(120), default="")  # space-separated safeguarding categories
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
