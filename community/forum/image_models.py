"""Images attached to posts. The files live outside ``static/`` (config ``UPLOAD_DIR``); this table says which
post and group each belongs to, so serving one can check who may see it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from community.core.time import utcnow
from community.extensions import db


class PostImage(db.Model):
    __tablename__ = "post_images"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Indexed: a topic page loads the images of its posts with one "post_id IN (...)" query.
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    # Denormalised from the post: serving an image checks the group without loading the post first, and a
    # group's files can be found (to remove them from disk) with one indexed query.
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    # Relative to UPLOAD_DIR, e.g. "Qx/Qx3k...9w.jpg": random, never derived from what the member uploaded.
    file_name: Mapped[str] = mapped_column(String(120), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    alt_text: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    # ``post.images``: loaded with one extra query for all posts of a query ("selectin"), never one per post.
    # passive_deletes: the database's ON DELETE CASCADE removes the rows; the ORM must not try to null post_id.
    post = relationship(
        "Post", backref=backref("images", lazy="selectin", order_by="PostImage.id", passive_deletes=True)
    )
