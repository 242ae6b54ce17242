"""One row per thing a member should hear about. No member text is copied here: the row points at it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from community.core.time import utcnow
from community.extensions import db

KINDS = ("mention",)


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        # The unread count in the navigation, on every page: user + read_at IS NULL.
        Index("ix_notifications_unread", "user_id", "read_at", "created_at"),
        # The inbox, newest first, keyset-paginated by id.
        Index("ix_notifications_inbox", "user_id", "id"),
        # "Was this person already told about this post?" (an edit must not notify twice).
        Index("ix_notifications_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    target_type: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
