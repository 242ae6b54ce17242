"""The reactions table: one row per member per kind per item, the item a post or a chat message."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.core.time import utcnow
from community.extensions import db

REACTION_KINDS = ("hug", "me_too", "thank_you", "strength")


class Reaction(db.Model):
    """One per member per kind per item; the item is a post or a chat message."""

    __tablename__ = "reactions"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "post_id"),
        UniqueConstraint("user_id", "kind", "message_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
