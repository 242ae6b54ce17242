"""Chat's part of a group's retention (``groups.signals.retention_due``, sent by ``flask retention run``):
the messages of the group's rooms older than the chat period go, in batches each committed on its own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select

from community.attachments import services as attachments
from community.attachments import storage
from community.chat.models import Conversation, Message
from community.extensions import db
from community.groups.models import Group
from community.groups.signals import retention_due

BATCH = 500


def _old_messages(group_id: int, cutoff: datetime):
    rooms = select(Conversation.id).where(Conversation.group_id == group_id)
    return select(Message.id).where(Message.conversation_id.in_(rooms), Message.created_at < cutoff)


def apply(group: Group, *, chat_before: datetime | None, dry_run: bool, **_periods: Any) -> dict[str, int] | None:
    if chat_before is None:
        return None
    query = _old_messages(group.id, chat_before)
    if dry_run:
        return {"messages": db.session.scalar(select(func.count()).select_from(query.subquery())) or 0}
    db.session.execute(Message.__table__.update().where(Message.reply_to_id.in_(query)).values(reply_to_id=None))
    total = 0
    while ids := list(db.session.scalars(query.limit(BATCH))):
        files = attachments.file_names_of(message_ids=ids)  # their rows go by cascade; the files after the commit
        db.session.execute(delete(Message).where(Message.id.in_(ids)))
        db.session.commit()
        storage.remove_files(files)
        total += len(ids)
    return {"messages": total}


def connect() -> None:
    """From ``chat.wiring.init_app``; connecting again is a no-op (blinker keys receivers by identity)."""
    retention_due.connect(apply, weak=False)
