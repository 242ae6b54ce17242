"""How far each member has read each topic: the basis of the "new" markers and the "first unread" link."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from community.core.time import utcnow
from community.extensions import db


class TopicRead(db.Model):
    """One row per member per topic they opened; the primary key makes user + topic unique.

    Written only by an explicit POST (the page's script or its "Mark as read" button), never while a page is
    being read, so reading a topic stays free of database writes.
    """

    __tablename__ = "topic_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # Indexed on its own for the cascade when a topic is deleted (the primary key starts with user_id).
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True)
    # A plain id, not a foreign key: a removed post must not move anyone's reading position.
    last_read_post_id: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
