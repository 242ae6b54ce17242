"""Chat rules: a message is screened, stored with the next sequence number, and only then broadcast."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from community.auth.models import User
from community.chat.models import Conversation, Message
from community.core.errors import DomainError
from community.core.realtime import group_room, queue_event
from community.core.sanitize import render_markdown
from community.core.time import utcnow
from community.extensions import db
from community.groups import policy
from community.groups.services import GroupAccess
from community.moderation import services as moderation

MESSAGE_MAX, CLIENT_ID_MAX = 4_000, 64


@dataclass(frozen=True)
class SendResult:
    message: Message
    duplicate: bool  # True: this client id was already stored; nothing new was written


def group_room_conversation(group_id: int) -> Conversation:
    """The group's chat room, created on first use."""
    conversation = find_group_room(group_id)
    if conversation is None:
        conversation = Conversation(group_id=group_id, kind="group")
        db.session.add(conversation)
        db.session.flush()
    return conversation


def _next_seq(conversation_id: int) -> int:
    # One atomic UPDATE ... RETURNING: concurrent senders in one room never get the same number.
    return db.session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(last_seq=Conversation.last_seq + 1)
        .returning(Conversation.last_seq)
    ).scalar_one()


def send_message(
    actor: User, access: GroupAccess, conversation: Conversation, *, client_id: str, body: str
) -> SendResult:
    if conversation.group_id != access.group.id:
        raise DomainError("That conversation is not part of this group.")
    if not policy.can_write_in_group(actor, access.group, access.membership):
        raise DomainError("You cannot write in this group at the moment.")
    client_id = (client_id or "").strip()
    if not 1 <= len(client_id) <= CLIENT_ID_MAX:
        raise DomainError("The message has no valid client id.")
    existing = db.session.scalar(select(Message).where(Message.author_id == actor.id, Message.client_id == client_id))
    if existing is not None:
        return SendResult(existing, duplicate=True)
    text = (body or "").replace("\x00", "").strip()
    if not text:
        raise DomainError("Write something before you send it.")
    if len(text) > MESSAGE_MAX:
        raise DomainError(f"A message can be at most {MESSAGE_MAX:,} characters.")
    screening = moderation.screen(actor, access.group, access.membership, text, kind="message")
    if screening.verdict == moderation.REFUSE:
        raise DomainError(screening.reason)
    message = Message(
        conversation_id=conversation.id,
        author_id=actor.id,
        client_id=client_id,
        seq=_next_seq(conversation.id),
        body_source=text,
        body_html=render_markdown(text),
        state=screening.state,
        state_reason=screening.reason,
        created_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    if screening.verdict == moderation.HOLD:
        moderation.enqueue_held(access.group, target_type="message", target_id=message.id, screening=screening)
    else:
        queue_event("chat:message", message_payload(message), room=group_room(access.group.id))
    return SendResult(message, duplicate=False)


def message_payload(message: Message) -> dict:
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "author_id": message.author_id,
        "body_html": message.body_html,
        "created_at": message.created_at.isoformat() + "Z",
    }


def find_group_room(group_id: int) -> Conversation | None:
    return db.session.scalar(
        select(Conversation).where(Conversation.group_id == group_id, Conversation.kind == "group")
    )


def history(conversation: Conversation | None, *, before_seq: int | None = None, limit: int = 50) -> list[Message]:
    """The latest published messages (before ``before_seq`` when loading older ones), oldest first."""
    if conversation is None:
        return []
    query = select(Message).where(Message.conversation_id == conversation.id, Message.state == "published")
    if before_seq is not None:
        query = query.where(Message.seq < before_seq)
    rows = db.session.scalars(query.options(joinedload(Message.author)).order_by(Message.seq.desc()).limit(limit)).all()
    return list(reversed(rows))
