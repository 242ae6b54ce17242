"""Groups' part of a member's export and erasure: the access-log lines about them in the ZIP (the log itself
stays at erasure: it is the accountability record, and points at the tombstone); at erasure their memberships
go and their address leaves the invitations sent to it. ``GroupNames`` names the groups other features' parts
mention."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, update

from community.auth.member_data import when
from community.auth.models import User
from community.auth.signals import contribute_member_data
from community.extensions import db
from community.groups import access_log
from community.groups.models import Group, Invitation, Membership


class GroupNames:
    """Group names looked up as needed (one query per group the member's data mentions)."""

    def __init__(self) -> None:
        self._names: dict[int, str | None] = {}

    def get(self, group_id: int | None) -> str | None:
        if group_id is None:
            return None
        if group_id not in self._names:
            group = db.session.get(Group, group_id)
            self._names[group_id] = group.name if group else None
        return self._names[group_id]


def export_part(user: User) -> dict[str, Any]:
    accesses = [
        {"when": when(e.created_at), "what": e.what, "role": e.role, "on_behalf_of": e.on_behalf_of}
        for e, _name in access_log.entries_about(user.id, limit=10_000)
    ]
    return {"access_log.json": accesses}


def erase(user: User, **_details: Any) -> None:
    """The memberships go (privacy reads which groups they moderated before it sends the signal)."""
    if user.email:
        db.session.execute(
            update(Invitation).where(func.lower(Invitation.email) == user.email.lower()).values(email=None)
        )
    db.session.execute(delete(Membership).where(Membership.user_id == user.id))


def connect() -> None:
    """From ``groups.wiring.init_app``; connecting again is a no-op (blinker keys receivers by identity)."""
    contribute_member_data(export=export_part, erase=erase)
