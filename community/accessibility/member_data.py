"""Accessibility's part of a member's export and erasure: their display preferences (in the ZIP; gone at
erasure)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from community.accessibility.models import MemberPreferences
from community.auth.models import User
from community.auth.signals import contribute_member_data
from community.extensions import db


def export_part(user: User) -> dict[str, Any]:
    row = db.session.get(MemberPreferences, user.id)
    preferences = (
        {c.key: getattr(row, c.key) for c in MemberPreferences.__table__.columns if c.key != "user_id"} if row else {}
    )
    return {"preferences.json": preferences}


def erase(user: User, **_details: Any) -> None:
    db.session.execute(delete(MemberPreferences).where(MemberPreferences.user_id == user.id))


def connect() -> None:
    """From ``accessibility.wiring.init_app``; connecting again is a no-op (blinker keys receivers by identity)."""
    contribute_member_data(export=export_part, erase=erase)
