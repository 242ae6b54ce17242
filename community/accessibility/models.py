"""A member's display preferences, applied on every page."""

from __future__ import annotations

from datetime import datetime

from flask import g, has_request_context
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.util import identity_key

from community.core.time import utcnow
from community.extensions import db

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


def preferences_row(user_id: int) -> MemberPreferences | None:
    """The member's preferences row, or None (everything at its default, as for most members).

    A page asks several times (display, collapsed content warnings). A row found stays in the session's
    identity map, so asking again costs nothing; a *missing* row is remembered for the rest of the request
    so that asking again costs nothing either. A row written later in the request (and flushed) is found in
    the identity map.
    """
    if has_request_context():
        missing: set[int] = g.setdefault("kring_no_preferences", set())
        if user_id in missing:
            found = db.session.identity_map.get(identity_key(MemberPreferences, user_id))
            return found if isinstance(found, MemberPreferences) else None
    row = db.session.get(MemberPreferences, user_id)
    if row is None and has_request_context():
        g.kring_no_preferences.add(user_id)
    return row
