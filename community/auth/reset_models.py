"""Password reset links. The link carries a random token; only its SHA-256 is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from community.core.time import utcnow
from community.extensions import db


class PasswordResetToken(db.Model):
    """One reset link (mailed, or made by an admin): valid until ``expires_at``, used at most once (``used_at``)."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    # Set when the link was used, and also when another link of the same member was used (invalidated).
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The admin who made this link on the help desk for someone without e-mail (auth/help_desk.py); None for a
    # mailed link. Such a link lives longer (SIGN_IN_LINK_HOURS) and signs the person in once they chose a
    # password. A plain id, like the audit log's: the admin's account may be erased later.
    issued_by_id: Mapped[int | None] = mapped_column(Integer)
