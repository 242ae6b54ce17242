"""Two-factor sign-in: a member's authenticator secret and their single-use recovery codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from community.core.time import utcnow
from community.extensions import db


class TwoFactorSetting(db.Model):
    """One row per member who started enrolment. ``enabled_at`` is None until the first code confirms it.

    ``last_used_step`` is the TOTP time-step of the last accepted code: a code from that step or an earlier one
    is refused, so a code seen over someone's shoulder cannot be used a second time.
    """

    __tablename__ = "two_factor_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # The base32 TOTP secret, encrypted with TWO_FACTOR_KEYS (auth/two_factor_keys.py): it must be readable to
    # check codes, so it cannot be hashed like a password, but a copy of the database alone does not reveal it.
    secret_encrypted: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    enabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_used_step: Mapped[int | None] = mapped_column(Integer)
    # Wrong codes in a row at the second sign-in step; reset by a right one. Used to warn the owner.
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(DateTime)


class RecoveryCode(db.Model):
    """A single-use code for when the authenticator is lost. Only the SHA-256 of the code is stored."""

    __tablename__ = "two_factor_recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
