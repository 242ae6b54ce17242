"""The access log (in the spirit of NEN 7513): every time staff open a member's personal data.

A line says who (staff id), on whose behalf (the organisation, from ORGANISATION_NAME, and the role), whose
data, what, when. It is append-only and hash-chained like the audit log (core/chain.py), and the member sees
the lines about them on their privacy page.

The read services that decide staff may see the thing call ``record_access(staff, subject, what, role)`` (or
``record_private_conversation_reading``) in the same transaction as the page that shows it (an account's page,
moderator notes, a safeguarding case, a reported private conversation, ...); routes, socket events and CLI
commands never do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import DateTime, Integer, String, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from community.auth.models import User
from community.core import chain
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Membership
from community.groups.policy import MODERATING_ROLES

ACCESS_LOCK_KEY = 7302
READ_IN_TRANSACTION = "kring_private_readings"  # session.info: (staff id, conversation id) logged in this transaction
ROLES = ("admin", "moderator", "dpo", "operator", "lead")  # "lead": a safeguarding lead on an escalated case
WHAT = {
    "profile": "profile details",
    "private_conversation": "a private conversation (after a report or during a safeguarding case)",
    "moderator_notes": "moderator notes",
    "export": "a data export",
    "consent_history": "consent history",
    "safeguarding_case": "a safeguarding case about them",
}


class AccessLogEntry(db.Model):
    __tablename__ = "access_log_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Plain ids (no foreign keys), like the audit log: erasure must not rewrite (and so break) an entry.
    staff_id: Mapped[int | None] = mapped_column(Integer, index=True)
    subject_id: Mapped[int] = mapped_column(Integer, index=True)
    on_behalf_of: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    what: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(120), default="")  # ids only (e.g. "conversation 12")
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)

    def payload(self) -> dict[str, Any]:
        return {
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "staff_id": self.staff_id,
            "subject_id": self.subject_id,
            "on_behalf_of": self.on_behalf_of,
            "role": self.role,
            "what": self.what,
            "detail": self.detail,
        }


def organisation() -> str:
    name = current_app.config.get("ORGANISATION_NAME", "") if has_app_context() else ""
    return name or "Kring"


def record_access(staff: User, subject: User | int, what: str, role: str, *, detail: str = "") -> AccessLogEntry | None:
    """Log that ``staff`` opened ``subject``'s personal data. Looking at your own data is not logged.

    ``what`` is one of WHAT's keys; ``role`` one of ROLES; ``detail`` holds ids, never content.
    """
    subject_id = subject if isinstance(subject, int) else subject.id
    if staff.id == subject_id:
        return None
    if what not in WHAT or role not in ROLES:
        raise ValueError("unknown access kind or role")
    entry = AccessLogEntry(created_at=utcnow(), staff_id=staff.id, subject_id=subject_id,
                           on_behalf_of=organisation(), role=role, what=what, detail=detail[:120])  # fmt: skip
    return chain.append(entry, ACCESS_LOCK_KEY)


def role_in_group(staff: User, group_id: int) -> str:
    """The role to log: "moderator" when the staff member moderates the group (as moderator or manager), else
    "admin" (reading in)."""
    role = db.session.scalar(
        select(Membership.role).where(Membership.user_id == staff.id, Membership.group_id == group_id)
    )
    return "moderator" if role in MODERATING_ROLES or not staff.is_admin else "admin"


def record_private_conversation_reading(
    staff: User, conversation: Any, people: Sequence[tuple[int, datetime | None]]
) -> int:
    """Staff who are not (or no longer) a participant read a private conversation, or a message of one (after a
    report, during a safeguarding case, or a held message they decide): one line per participant. Called by the
    read services (``chat.services.open_conversation``, ``moderation.targets.open_target``), never by pages.
    ``people`` are the conversation's participants as (user id, left at), read by chat, which owns them.
    Returns how many lines were written (0 for a current participant or a group room)."""
    if conversation is None or conversation.kind != "private":
        return 0
    if any(user_id == staff.id and left_at is None for user_id, left_at in people):
        return 0
    logged = db.session.info.setdefault(READ_IN_TRANSACTION, set())
    if (staff.id, conversation.id) in logged:
        return 0  # a page that looks it up and then acts on it (one transaction) is one reading
    logged.add((staff.id, conversation.id))
    role = role_in_group(staff, conversation.group_id)
    detail = f"conversation {conversation.id}"
    return sum(1 for user_id, _left in people if record_access(staff, user_id, "private_conversation", role,
                                                                detail=detail))  # fmt: skip


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_readings(session: Session, *_args: Any) -> None:
    """A new transaction logs a new reading (and a rolled-back one took its lines with it)."""
    session.info.pop(READ_IN_TRANSACTION, None)


def entries_about(subject_id: int, limit: int = 100) -> list[tuple[AccessLogEntry, str]]:
    """The newest lines about a member, with the staff member's display name (their public face)."""
    rows = db.session.execute(
        select(AccessLogEntry, User.display_name)
        .outerjoin(User, User.id == AccessLogEntry.staff_id)
        .where(AccessLogEntry.subject_id == subject_id)
        .order_by(AccessLogEntry.id.desc())
        .limit(limit)
    ).all()
    return [(entry, name or "") for entry, name in rows]


def verify() -> chain.ChainReport:
    return chain.verify(AccessLogEntry)


@event.listens_for(AccessLogEntry, "before_update")
@event.listens_for(AccessLogEntry, "before_delete")
def _refuse_changes(mapper: Any, connection: Any, target: AccessLogEntry) -> None:
    raise RuntimeError("Access log entries are append-only.")
