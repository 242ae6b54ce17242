"""The access log (in the spirit of NEN 7513): every time staff open a member's personal data.

A line says who (staff id), on whose behalf (the organisation, from ORGANISATION_NAME, and the role), whose
data, what, when. It is append-only and hash-chained like the audit log (core/chain.py), and the member sees
the lines about them on their privacy page.

Other features call ``record_access(staff, subject, what, role)`` in the same transaction as the page that
shows the data (moderator notes, a reported private conversation, ...).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import DateTime, Integer, String, event, select
from sqlalchemy.orm import Mapped, mapped_column

from community.auth.models import User
from community.core import chain
from community.core.time import utcnow
from community.extensions import db

ACCESS_LOCK_KEY = 7302
ROLES = ("admin", "moderator", "dpo", "operator")
WHAT = {
    "profile": "profile details",
    "private_conversation": "a private conversation (after a report)",
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
    """The role to log: "moderator" when the staff member moderates the group, else "admin" (reading in)."""
    from community.groups.models import Membership

    role = db.session.scalar(
        select(Membership.role).where(Membership.user_id == staff.id, Membership.group_id == group_id)
    )
    return "moderator" if role == "moderator" or not staff.is_admin else "admin"


def record_conversation_reading(access: Any) -> int:
    """A moderator (not a participant) opened a reported private conversation: one line per participant.

    ``access`` is a chat ``ConversationAccess``. Returns how many lines were written (0 for a participant or a
    group room), so the caller knows whether to commit.
    """
    conversation = access.conversation
    if conversation.kind != "private" or access.participant is not None:
        return 0
    role = role_in_group(access.actor, conversation.group_id)
    written = 0
    for partner, _membership in access.partners:
        if record_access(access.actor, partner, "private_conversation", role, detail=f"conversation {conversation.id}"):
            written += 1
    return written


def record_private_message_context(staff: User, conversation: Any) -> int:
    """Staff saw messages of a private conversation they are not in (a queue item about a reported message shows
    the messages around it): one line per participant. Returns how many lines were written."""
    from community.chat.models import ConversationParticipant

    if conversation is None or conversation.kind != "private":
        return 0
    people = list(
        db.session.scalars(
            select(ConversationParticipant.user_id).where(ConversationParticipant.conversation_id == conversation.id)
        )
    )
    if staff.id in people:
        return 0
    role = role_in_group(staff, conversation.group_id)
    return sum(
        1
        for person in people
        if record_access(staff, person, "private_conversation", role, detail=f"conversation {conversation.id}")
    )


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
