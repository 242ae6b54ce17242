"""Privacy tables: prepared data exports. (The access log is in groups/access_log.py.)"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from community.core.time import utcnow
from community.extensions import db

EXPORT_STATES = ("queued", "ready", "failed", "expired")


class DataExport(db.Model):
    """A member's ZIP. The file lives under EXPORT_DIR (never static/) with a random name; only its owner
    downloads it, until ``expires_at``; then ``flask privacy build-exports`` deletes it."""

    __tablename__ = "data_exports"
    __table_args__ = (Index("ix_data_exports_state", "state", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    file_name: Mapped[str | None] = mapped_column(String(80))
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)


class ErasureHold(db.Model):
    """An erased account whose evidence an open report or safeguarding case still needs (docs/privacy.md).

    The account itself is a tombstone already; what is kept (the reported items, the private conversations
    they are in, the moderators' notes and case texts) is erased with ``mode`` once the last of those
    matters is closed, and then this row goes (``erasure_holds.settle``)."""

    __tablename__ = "erasure_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    mode: Mapped[str] = mapped_column(String(16))
    # The groups they moderated when erased (their memberships are gone): hand-over notes they wrote there stay.
    moderated_group_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
