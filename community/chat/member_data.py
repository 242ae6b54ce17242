"""Chat's part of a member's export and erasure.

Export: the messages they wrote (a conversation is named "private", "care conversation" or "group room", never
by the other person), with the images and documents they sent in them (the files themselves).

Erasure: the private conversations of two they were in are deleted, both sides (a conversation of two cannot be
half erased; the reactions on their messages go with them, by the database's cascade). A care conversation of
several goes on without them: their messages there are anonymised or emptied as in a group room, and the system
lines by or about them lose the link. Their group-room messages lose the link to them (``anonymise``) or are
emptied (``remove``); their read positions and their place in conversations go; conversations they started lose
the link. The files of their messages and of those private conversations go in either mode (from disk once the
erasure is committed). What an open report or case is about (``keep``: a message, and the private conversation
it sits in) waits until it closes (``member_evidence_released``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update

from community.attachments import services as attachments
from community.attachments import storage
from community.attachments.models import Attachment
from community.auth.member_data import when
from community.auth.models import User
from community.auth.signals import (
    Evidence,
    contribute_member_data,
)
from community.chat.models import ChatRead, Conversation, ConversationParticipant, Message
from community.chat.policy import SYSTEM_STATE
from community.extensions import db
from community.groups.models import Group

BATCH = 500


def export_size(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Message).where(Message.author_id == user.id)) or 0


def export_part(user: User) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    files: dict[str, Any] = {}
    query = (
        select(Message, Conversation, Group.name)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(Group, Group.id == Conversation.group_id)
        .where(Message.author_id == user.id, Message.state != SYSTEM_STATE)  # "Anna added Ben" is not their text
    )
    last = 0
    while rows := db.session.execute(query.where(Message.id > last).order_by(Message.id).limit(BATCH)).all():
        for m, c, g in rows:
            entries, message_files = attachments.export_entries(m.attachments)
            files |= message_files
            messages.append(
                {"id": m.id, "conversation_id": c.id, "conversation": _kind_of(c), "group": g, "text": m.body_source,
                 "state": m.state, "created_at": when(m.created_at), "edited_at": when(m.edited_at), "files": entries}
            )  # fmt: skip
        last = rows[-1][0].id
    return {"messages.json": messages, **files}


def _kind_of(conversation: Conversation) -> str:
    if conversation.kind != "private":
        return "group room"
    return "care conversation" if conversation.care else "private"


def _erase_messages(uid: int, mode: str, keep: Evidence) -> dict[str, int]:
    """Their private conversations (both sides) and their messages, except what ``keep`` holds; their place in
    the conversations they leave. Runs at the erasure and again when the hold is released. Counts for the
    audit entry: messages and private conversations."""
    private = select(ConversationParticipant.conversation_id).where(ConversationParticipant.user_id == uid)
    private_ids = list(
        db.session.scalars(
            select(Conversation.id).where(
                Conversation.kind == "private",
                Conversation.care.is_(False),  # a care conversation goes on without them (below)
                Conversation.id.in_(private),
                Conversation.id.not_in(keep.conversation_ids),
            )
        )
    )
    my_messages = (  # a held private conversation stays whole: the reported message and what surrounds it
        Message.author_id == uid,
        Message.id.not_in(keep.message_ids),
        Message.conversation_id.not_in(keep.conversation_ids),
    )
    # The files of their messages and of their private conversations go in either mode (as a post's do);
    # the files themselves once the erasure is committed.
    gone = select(Message.id).where(*my_messages)
    if private_ids:
        gone = gone.union(select(Message.id).where(Message.conversation_id.in_(private_ids)))
    files = list(db.session.scalars(select(Attachment.file_name).where(Attachment.message_id.in_(gone))))
    db.session.execute(delete(Attachment).where(Attachment.message_id.in_(gone)))
    storage.remove_after_commit(files)
    if private_ids:
        db.session.execute(update(Message).where(Message.conversation_id.in_(private_ids)).values(reply_to_id=None))
        db.session.execute(delete(Message).where(Message.conversation_id.in_(private_ids)))
        db.session.execute(delete(ChatRead).where(ChatRead.conversation_id.in_(private_ids)))
        db.session.execute(
            delete(ConversationParticipant).where(ConversationParticipant.conversation_id.in_(private_ids))
        )
        db.session.execute(delete(Conversation).where(Conversation.id.in_(private_ids)))
    # Their system lines in care conversations ("Sam left") lose the link to them, whatever the mode.
    db.session.execute(update(Message).where(Message.subject_id == uid).values(subject_id=None))
    db.session.execute(update(Message).where(*my_messages, Message.state == SYSTEM_STATE).values(author_id=None))
    if mode == "remove":
        messages = db.session.execute(
            update(Message).where(*my_messages)
            .values(body_source="", body_html="", state="removed", state_reason="erased", author_id=None)
        ).rowcount  # fmt: skip
    else:
        messages = db.session.execute(update(Message).where(*my_messages).values(author_id=None)).rowcount
    # Their place in conversations goes, except in a private conversation held as evidence: that one is still
    # theirs to erase, both sides, when the hold ends.
    db.session.execute(
        delete(ConversationParticipant).where(
            ConversationParticipant.user_id == uid,
            ConversationParticipant.conversation_id.not_in(keep.conversation_ids),
        )
    )
    return {"messages": messages, "private_conversations": len(private_ids), "images": len(files)}


def erase(user: User, *, mode: str, keep: Evidence, **_details: Any) -> dict[str, int]:
    uid = user.id
    counts = _erase_messages(uid, mode, keep)
    db.session.execute(update(Conversation).where(Conversation.started_by_id == uid).values(started_by_id=None))
    db.session.execute(delete(ChatRead).where(ChatRead.user_id == uid))
    return counts


def erase_released(user: User, *, mode: str, keep: Evidence, **_details: Any) -> dict[str, int]:
    return _erase_messages(user.id, mode, keep)


def connect() -> None:
    """From ``chat.wiring.init_app``; connecting again is a no-op (blinker keys receivers by identity)."""
    contribute_member_data(export=export_part, size=export_size, erase=erase, released=erase_released)
