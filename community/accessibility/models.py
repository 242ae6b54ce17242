"""A member's display preferences, applied on every page."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from community.core.time import utcnow
from community.extensions import db

if TYPE_CHECKING:
    from community.auth.models import User

THEMES = ("system", "light", "dark", "high_contrast")
TEXT_SIZES = (100, 125, 150, 175, 200)  # per cent


class MemberPreferences(db.Model):
    __tablename__ = "member_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    text_size: Mapped[int] = mapped_column(Integer, default=100)
    theme: Mapped[str] = mapped_column(String(16), default="system")
    dyslexia_font: Mapped[bool] = mapped_column(Boolean, default=False)
    wide_line_spacing: Mapped[bool] = mapped_column(Boolean, default=False)
    reduced_motion: Mapped[bool | None] = mapped_column(Boolean)  # None: follow the operating system
    easy_read: Mapped[bool] = mapped_column(Boolean, default=False)
    # Chat: never list this member among who is online (presence:update, the chat page).
    hide_presence: Mapped[bool] = mapped_column(Boolean, default=False)
    # Forum: content-warning kinds (forum.writing.CONTENT_WARNINGS, comma-separated) this member keeps collapsed.
    collapsed_warnings: Mapped[str] = mapped_column(String(200), default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


def preferences_row(user: User) -> MemberPreferences | None:
    """The member's preferences row, or None (everything at its default, as for most members). The signed-in
    member's comes with the session (``auth.sessions``); anyone else's is loaded once per session."""
    return user.preferences
