"""Group chat rooms as places where moderation watches for heat (``moderation.conflict``), and a room's slow
mode (kept on the conversation). Registered with conflict from ``chat.wiring``. Private conversations are not
watched: two people in one are expected to take turns."""

from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import DateTime, Integer, Select, bindparam, select
from sqlalchemy.orm import aliased

from community.chat.models import Conversation, Message
from community.core.realtime import conversation_room, queue_event
from community.extensions import db
from community.groups.models import Group


def group_of_room(conversation_id: int) -> int | None:
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None or conversation.kind != "group":
        return None
    return conversation.group_id


def conversation_of_message(message_id: int) -> int | None:
    message = db.session.get(Message, message_id)
    return message.conversation_id if message is not None else None


@functools.cache
def _room_exchange_statement() -> Select:
    """Built once per process, on first use (every chat message runs it, and building it costs more than running
    it; at import time the alias would configure the mappers before every model is defined)."""
    answered = aliased(Message)
    return (
        select(Message.author_id, answered.author_id)
        .outerjoin(answered, answered.id == Message.reply_to_id)
        .where(Message.conversation_id == bindparam("conversation_id", type_=Integer), Message.state == "published")
        .where(Message.created_at >= bindparam("since", type_=DateTime))
        .order_by(Message.seq.desc())
        .limit(bindparam("count", type_=Integer))
    )


def recent_exchange(conversation_id: int, since: datetime, count: int) -> tuple[list[int | None], int]:
    """The authors of the room's last ``count`` messages in the window, and how many of those messages answer
    (``reply_to``) a message of the other person among the two. One statement: every message sent asks."""
    rows = db.session.execute(
        _room_exchange_statement(), {"conversation_id": conversation_id, "since": since, "count": count}
    ).all()
    authors = [author_id for author_id, _answered in rows]
    answers = sum(
        1
        for author_id, answered_author in rows
        if answered_author is not None and answered_author != author_id and answered_author in authors
    )
    return authors, answers


def message_ids(conversation_id: int) -> Select:
    return select(Message.id).where(Message.conversation_id == conversation_id)


def slow_mode(conversation_id: int) -> int:
    conversation = db.session.get(Conversation, conversation_id)
    return conversation.slow_mode_seconds if conversation is not None else 0


def set_slow_mode(_group: Group, conversation_id: int, seconds: int, _actor_id: int | None) -> None:
    conversation = db.session.get(Conversation, conversation_id)
    conversation.slow_mode_seconds = seconds
    payload = {"conversation_id": conversation.id, "slow_mode_seconds": seconds}
    queue_event("chat:slow_mode", payload, room=conversation_room(conversation.id))
