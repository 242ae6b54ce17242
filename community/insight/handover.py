"""The moderators' shift hand-over board: short notes per group, newest first, for the group's moderators (and
admins). Staff text, rendered once by the sanitizer; writing one is audited (without the text)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.auth.models import User
from community.core import audit
from community.core.errors import DomainError
from community.core.sanitize import render_markdown
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Group
from community.insight import policy
from community.insight.models import HandoverNote
from community.insight.services import open_for

NOTE_MAX = 2000
PER_PAGE = 20


@dataclass(frozen=True)
class NotePage:
    group: Group
    notes: list[tuple[HandoverNote, str | None]]  # (note, author's display name)
    has_more: bool


def board(actor: User, slug: str, *, before_id: int | None = None) -> NotePage:
    group = open_for(actor, slug, policy.can_use_handover)
    query = (
        select(HandoverNote, User.display_name)
        .outerjoin(User, User.id == HandoverNote.author_id)
        .where(HandoverNote.group_id == group.id)
        .order_by(HandoverNote.id.desc())
        .limit(PER_PAGE + 1)
    )
    if before_id:
        query = query.where(HandoverNote.id < before_id)
    rows = [(note, name) for note, name in db.session.execute(query).all()]
    return NotePage(group, rows[:PER_PAGE], len(rows) > PER_PAGE)


def add_note(actor: User, slug: str, body: str) -> HandoverNote:
    group = open_for(actor, slug, policy.can_use_handover)
    text = (body or "").strip()
    if not text:
        raise DomainError(_l("Please write the note first."), field="body")
    if len(text) > NOTE_MAX:
        raise DomainError(_l("A note can be at most %(max)d characters.", max=NOTE_MAX), field="body")
    note = HandoverNote(group_id=group.id, author_id=actor.id, body_source=text, body_html=render_markdown(text),
                        created_at=utcnow())  # fmt: skip
    db.session.add(note)
    db.session.flush()
    audit.record("handover_note.created", actor_id=actor.id, target_type="handover_note", target_id=note.id,
                 group_id=group.id)  # fmt: skip
    return note
