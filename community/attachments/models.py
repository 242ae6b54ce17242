"""Files attached to a forum post or a chat message. The files live outside ``static/`` (config ``UPLOAD_DIR``);
a row says what the file is and whose it is, so serving one can ask its owner's feature who may read it.

One table for both owners and both kinds: storing, serving, export, erasure and the sweep of orphan files are
then one piece of code each. The two owner columns are foreign keys (by table name: this package imports
neither forum nor chat) so the database's cascade removes the row with its post or message.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from community.core.time import utcnow
from community.extensions import db

KINDS = ("image", "document")


class Attachment(db.Model):
    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint("(post_id IS NULL) <> (message_id IS NULL)", name="one_owner"),
        CheckConstraint("kind IN ('image', 'document')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="image")
    # Indexed: a topic page (or a page of chat) loads the files of its items with one "IN (...)" query.
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    # Denormalised from the owner: a group's files can be found (to remove them from disk) with one query.
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    # Relative to UPLOAD_DIR, e.g. "Qx/Qx3k...9w.pdf": random, never derived from what the member uploaded.
    file_name: Mapped[str] = mapped_column(String(120), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    byte_size: Mapped[int] = mapped_column(Integer, default=0)
    # Images: their size in pixels and the description (required). Documents: the title (required), pages.
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    alt_text: Mapped[str] = mapped_column(String(300), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    page_count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def owner(self) -> tuple[str, int]:
        return ("post", self.post_id) if self.post_id is not None else ("message", self.message_id or 0)

    @property
    def extension(self) -> str:
        return self.file_name.rsplit(".", 1)[-1]
