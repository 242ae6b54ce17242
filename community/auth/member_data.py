"""The account's part of a member's export and erasure: the profile and the sign-in sessions in the ZIP; at
erasure the sessions, two-step secrets, recovery codes and reset links go (privacy then makes the account row
a tombstone). Also the helpers every feature's part uses, so that all the ZIP's files write times alike."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from community.auth.models import User, UserSession
from community.auth.reset_models import PasswordResetToken
from community.auth.signals import contribute_member_data
from community.auth.two_factor_models import RecoveryCode, TwoFactorSetting
from community.extensions import db

LIMIT = 10_000  # rows per kind in an export: far above what one member makes; keeps every query bounded


def when(value: datetime | None) -> str | None:
    """A stored (naive UTC) time as the export writes it."""
    return value.isoformat(timespec="seconds") + "Z" if value else None


def export_part(user: User) -> dict[str, Any]:
    profile = {
        "username": user.username, "display_name": user.display_name, "email": user.email,
        "language": user.language, "pronouns": user.pronouns, "bio": user.bio, "year_of_birth": user.year_of_birth,
        "state": user.state, "created_at": when(user.created_at),
    }  # fmt: skip
    sessions = [
        {"signed_in_at": when(s.created_at), "last_seen_at": when(s.last_seen_at), "browser": s.user_agent,
         "ended_at": when(s.ended_at)}
        for s in db.session.scalars(
            select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id.desc()).limit(500)
        )
    ]  # fmt: skip
    return {"profile.json": profile, "sessions.json": sessions}


def erase(user: User, **_details: Any) -> None:
    for model, column in (
        (TwoFactorSetting, TwoFactorSetting.user_id), (RecoveryCode, RecoveryCode.user_id),
        (PasswordResetToken, PasswordResetToken.user_id), (UserSession, UserSession.user_id),
    ):  # fmt: skip
        db.session.execute(delete(model).where(column == user.id))


def connect() -> None:
    """From ``auth.wiring.init_app``. Connecting the same function again is a no-op (blinker keys receivers by
    identity), so a second app in the process adds nothing."""
    contribute_member_data(export=export_part, erase=erase)
