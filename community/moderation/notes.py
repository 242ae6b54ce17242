"""Moderators' notes on a member, per group, visible to that group's moderators only. Each note is audited
(without its text: the audit log holds no member or staff free text beyond reasons), and every reading of the
notes writes a line in the access log, which the member sees on their privacy page."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.auth.models import User
from community.core import audit
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups.access_log import record_access, role_in_group
from community.groups.models import Group, Membership
from community.moderation import policy
from community.moderation.models import ModeratorNote

NOTE_MAX = 2000
PER_PAGE = 50


@dataclass(frozen=True)
class NotesPage:
    group: Group
    subject: User
    notes: list[ModeratorNote]
    authors: dict[int, User]
    has_more: bool


def _open(actor: User, group_id: int, subject_id: int) -> tuple[Group, User]:
    group = db.session.get(Group, group_id) if 0 < group_id < 2**31 else None
    membership = (
        db.session.scalar(select(Membership).where(Membership.user_id == actor.id, Membership.group_id == group.id))
        if group is not None
        else None
    )
    if group is None or not policy.can_read_notes(actor, group, membership):
        raise NotFound(_l("We could not find that page."))
    subject = db.session.get(User, subject_id) if 0 < subject_id < 2**31 else None
    in_group = subject is not None and db.session.scalar(
        select(Membership.id).where(Membership.user_id == subject.id, Membership.group_id == group.id)
    )
    if not in_group:
        raise NotFound(_l("We could not find that person in this group."))
    return group, subject


def notes_on(actor: User, group_id: int, subject_id: int, *, before_id: int = 0) -> NotesPage:
    """The notes the actor may read (a page of them), and the access-log line for this reading (NEN 7513); the
    adapter commits it with the page."""
    group, subject = _open(actor, group_id, subject_id)
    record_access(actor, subject, "moderator_notes", role_in_group(actor, group.id), detail=f"group {group.id}")
    query = select(ModeratorNote).where(ModeratorNote.group_id == group.id, ModeratorNote.subject_id == subject.id)
    if 0 < before_id < 2**31:
        query = query.where(ModeratorNote.id < before_id)
    rows = list(db.session.scalars(query.order_by(ModeratorNote.id.desc()).limit(PER_PAGE + 1)))
    notes = rows[:PER_PAGE]
    ids = {note.author_id for note in notes if note.author_id}
    authors = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return NotesPage(group, subject, notes, authors, len(rows) > PER_PAGE)


def add_note(actor: User, group_id: int, subject_id: int, body: str) -> ModeratorNote:
    group, subject = _open(actor, group_id, subject_id)
    body = (body or "").strip()
    if not body:
        raise DomainError(_l("Write the note first."), field="body")
    if len(body) > NOTE_MAX:
        raise DomainError(_l("Keep the note under %(count)d characters.", count=NOTE_MAX), field="body")
    note = ModeratorNote(group_id=group.id, subject_id=subject.id, author_id=actor.id, body=body, created_at=utcnow())
    db.session.add(note)
    db.session.flush()
    audit.record(
        "moderation.note_added", actor_id=actor.id, target_type="user", target_id=subject.id, group_id=group.id,
        details={"note_id": note.id},
    )  # fmt: skip
    return note
