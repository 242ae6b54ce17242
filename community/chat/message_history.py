"""Reading a conversation: the newest page, older pages, catch-up after a reconnect, changes made while away,
and the published preview on a group page. Sending is in ``chat.sending``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from community.chat import policy
from community.chat.models import Conversation, Message
from community.chat.services import ConversationAccess, message_load
from community.core.time import utcnow
from community.extensions import db

PAGE_SIZE = 50  # chat:join and chat:history
CATCH_UP_MAX = 500  # chat:catch_up


@dataclass(frozen=True)
class Page:
    messages: list[Message]
    has_more: bool


def _visible(access: ConversationAccess):
    if access.sees_held:
        shown = Message.state.in_((*policy.VISIBLE_STATES_FOR_MODERATORS, policy.SYSTEM_STATE))
    else:
        shown = or_(
            Message.state.in_(("published", policy.SYSTEM_STATE)),
            and_(Message.state == "held", Message.author_id == access.actor.id),
        )
    start = access.reads_from_seq
    return and_(shown, Message.seq > start) if start else shown


def latest(access: ConversationAccess, *, before_seq: int | None = None, limit: int = PAGE_SIZE) -> Page:
    """The newest messages the actor may see (before ``before_seq`` when loading older ones), oldest first."""
    limit = max(1, min(limit, PAGE_SIZE))
    query = select(Message).where(Message.conversation_id == access.conversation.id, _visible(access))
    if before_seq is not None:
        query = query.where(Message.seq < before_seq)
    rows = db.session.scalars(query.options(*message_load()).order_by(Message.seq.desc()).limit(limit + 1)).all()
    return Page(list(reversed(rows[:limit])), has_more=len(rows) > limit)


def catch_up(access: ConversationAccess, after_seq: int, *, limit: int = CATCH_UP_MAX) -> Page:
    """Everything the actor may see after ``after_seq``, in seq order, at most ``limit`` at a time."""
    rows = db.session.scalars(
        select(Message)
        .where(Message.conversation_id == access.conversation.id, Message.seq > after_seq, _visible(access))
        .options(*message_load())
        .order_by(Message.seq)
        .limit(limit + 1)
    ).all()
    return Page(list(rows[:limit]), has_more=len(rows) > limit)


CHANGES_MAX = 200
# Changes are found by time, and a transaction that began earlier can commit later: look this far back past
# the client's last sync. Sending a change twice is harmless (the client shows the current state).
CHANGES_OVERLAP = timedelta(seconds=30)


@dataclass(frozen=True)
class Changes:
    updated: list[Message]
    removed_ids: list[int]
    synced_at: datetime


def changes_since(access: ConversationAccess, since: datetime, up_to_seq: int, *, limit: int = CHANGES_MAX) -> Changes:
    """Messages up to ``up_to_seq`` changed after ``since`` (edited, removed, moderated, reacted to): the ones
    the actor may still see in their current state, and the ids of those they may no longer see. At most
    ``limit`` (the newest changes): older changes only touch messages far up the screen."""
    synced_at = utcnow()
    rows = db.session.scalars(
        select(Message)
        .where(
            Message.conversation_id == access.conversation.id,
            Message.changed_at > since - CHANGES_OVERLAP,
            Message.seq <= up_to_seq,
        )
        .options(*message_load())
        .order_by(Message.changed_at.desc())
        .limit(limit)
    ).all()
    updated = sorted((m for m in rows if is_visible_to(access, m)), key=lambda m: m.seq)
    removed = sorted(m.id for m in rows if not is_visible_to(access, m))
    return Changes(updated, removed, synced_at)


def history(conversation: Conversation | None, *, before_seq: int | None = None, limit: int = 50) -> list[Message]:
    """Published messages only (a group page's preview), oldest first. Precondition: the reader may read the
    conversation. Pages that show a writer their held messages use :func:`latest`."""
    if conversation is None:
        return []
    query = select(Message).where(Message.conversation_id == conversation.id, Message.state == "published")
    if before_seq is not None:
        query = query.where(Message.seq < before_seq)
    rows = db.session.scalars(query.options(joinedload(Message.author)).order_by(Message.seq.desc()).limit(limit)).all()
    return list(reversed(rows))


def is_visible_to(access: ConversationAccess, message: Message) -> bool:
    return (
        message.conversation_id == access.conversation.id
        and message.seq > access.reads_from_seq
        and policy.can_see_message(access.actor, access.membership, message)
    )
