"""The pilot's goals per group, and the moderators' shift hand-over notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from community.core.time import utcnow
from community.extensions import db


class PilotGoal(db.Model):
    """An admin's goal for a group's first 4 weeks, e.g. metric "answered_24h" with threshold 80 (per cent)."""

    __tablename__ = "pilot_goals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    metric: Mapped[str] = mapped_column(String(32))
    threshold: Mapped[float] = mapped_column(Float)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class HandoverNote(db.Model):
    """A note from one moderator shift to the next, on the group's board (moderators of the group only)."""

    __tablename__ = "handover_notes"
    __table_args__ = (Index("ix_handover_notes_board", "group_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
