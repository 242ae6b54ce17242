"""How far each member has read, and unread counts for the navigation.

Where read state lives: a private conversation in its participant rows (``last_read_seq``); a group room in
``chat_reads`` (written on the first chat:read; see ``ChatRead`` for why not participant rows).

Unread counts are capped at ``UNREAD_CAP`` per conversation (only the last ``UNREAD_CAP`` sequence numbers are
looked at), so a room someone has never opened costs the same as one read yesterday: a value of
``UNREAD_CAP`` means "that many or more". Counted: published messages by someone else.
"""

from __future__ import annotations

import functools

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from community.auth.models import User
from community.chat import notices
from community.chat.models import ChatRead, Conversation, ConversationParticipant, Message
from community.chat.services import ConversationAccess
from community.core import page_preloads
from community.core.database import savepoint, savepoints_work
from community.core.realtime import queue_event, user_room
from community.extensions import db
from community.groups import policy as groups_policy
from community.groups.models import Membership

UNREAD_CAP = 100


def _count_after(conversation_id: int, after_seq: int, last_seq: int, reader_id: int) -> int:
    floor = max(after_seq, last_seq - UNREAD_CAP)
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Message)
            .where(
                Message.conversation_id == conversation_id,
                Message.seq > floor,
                Message.state == "published",
                or_(Message.author_id.is_(None), Message.author_id != reader_id),
            )
        )
        or 0
    )


def mark_read(access: ConversationAccess, seq: int) -> int:
    """Remember that the actor has read up to ``seq`` (never backwards; never past the last message) and tell the
    actor's other tabs the new unread count. Returns the stored value.

    A moderator reading a reported private conversation has no participant row: nothing is stored for them.
    """
    conversation, actor = access.conversation, access.actor
    seq = max(0, min(seq, conversation.last_seq))
    if conversation.kind == "private":
        if access.participant is None:
            return 0
        if seq > access.participant.last_read_seq:
            access.participant.last_read_seq = seq
        stored = access.participant.last_read_seq
        notices.conversation_read(actor.id, conversation.id)  # its "someone wrote to you" notice is read too
    else:
        stored = _mark_room_read(actor.id, conversation.id, seq)
    unread = _count_after(conversation.id, stored, conversation.last_seq, actor.id)
    page_preloads.forget(actor, UNREAD_PRELOAD)
    queue_event("chat:unread", {"conversation_id": conversation.id, "unread": unread}, room=user_room(actor.id))
    return stored


def _mark_room_read(user_id: int, conversation_id: int, seq: int) -> int:
    # Forward only, in one statement: two tabs reporting different positions end at the furthest one.
    moved = db.session.execute(
        update(ChatRead)
        .where(ChatRead.user_id == user_id, ChatRead.conversation_id == conversation_id, ChatRead.last_read_seq < seq)
        .values(last_read_seq=seq)
    ).rowcount
    if not moved:
        exists = db.session.scalar(
            select(ChatRead.last_read_seq).where(
                ChatRead.user_id == user_id, ChatRead.conversation_id == conversation_id
            )
        )
        if exists is None:
            try:
                with savepoint():
                    db.session.add(ChatRead(user_id=user_id, conversation_id=conversation_id, last_read_seq=seq))
                    db.session.flush()
            except IntegrityError:
                if not savepoints_work():
                    raise
                # another tab made the row a moment ago; the UPDATE below moves it forward if needed
            else:
                return seq
            db.session.execute(
                update(ChatRead)
                .where(
                    ChatRead.user_id == user_id,
                    ChatRead.conversation_id == conversation_id,
                    ChatRead.last_read_seq < seq,
                )
                .values(last_read_seq=seq)
            )
    return db.session.scalar(
        select(ChatRead.last_read_seq).where(ChatRead.user_id == user_id, ChatRead.conversation_id == conversation_id)
    )


def after_private_message(access: ConversationAccess, message: Message) -> None:
    """A published message in a private conversation: the writer has read it, and the partner's navigation
    badge goes up (after the commit). A private conversation has two participants, so this stays cheap; group
    rooms get no per-message unread events (one per member per message would swamp a busy room): their counts
    come with each page and with chat:read."""
    if access.participant is not None and access.participant.last_read_seq < message.seq:
        access.participant.last_read_seq = message.seq
    if access.participant is not None:
        notices.conversation_read(access.actor.id, access.conversation.id)  # whoever writes has read it
    rows = db.session.execute(
        select(ConversationParticipant.user_id, ConversationParticipant.last_read_seq).where(
            ConversationParticipant.conversation_id == access.conversation.id,
            ConversationParticipant.user_id != access.actor.id,
            ConversationParticipant.left_at.is_(None),
        )
    ).all()
    for user_id, last_read in rows:
        unread = _count_after(access.conversation.id, last_read, message.seq, user_id)
        queue_event(
            "chat:unread", {"conversation_id": access.conversation.id, "unread": unread}, room=user_room(user_id)
        )


def unread_counts(user: User) -> dict[int, int]:
    """Unread messages per conversation for the navigation, in ONE query: the group rooms of every group the
    member reads, and their private conversations. Conversations with nothing unread are left out.
    On a page it comes with the session lookup (``core.page_preloads``, ``_unread_counts_subquery``)."""
    if not groups_policy.is_active_account(user):
        return {}
    preloaded = page_preloads.get(user, UNREAD_PRELOAD)
    if preloaded is not page_preloads.MISSING:
        return dict(preloaded)
    rows = db.session.execute(_unread_counts_statement(), {"viewer_id": user.id, "cap": UNREAD_CAP}).all()
    return {conversation_id: count for conversation_id, count in rows if count}


def _unread_counts_subquery(user_id: ColumnElement[int]) -> ColumnElement[str | None]:
    """The same counts as ``_unread_counts_statement``, as "conversation:count" pairs in one column,
    correlated to the member's id: a subquery per conversation instead of a grouped join, which a column of
    another statement cannot be."""
    participant_read = (
        select(ConversationParticipant.last_read_seq)
        .where(
            ConversationParticipant.conversation_id == Conversation.id,
            ConversationParticipant.user_id == user_id,
            ConversationParticipant.left_at.is_(None),
        )
        .correlate_except(ConversationParticipant)
        .scalar_subquery()
    )
    room_read = (
        select(ChatRead.last_read_seq)
        .where(ChatRead.user_id == user_id, ChatRead.conversation_id == Conversation.id)
        .correlate_except(ChatRead)
        .scalar_subquery()
    )
    last_read = func.coalesce(participant_read, room_read, literal(0))
    window_start = Conversation.last_seq - UNREAD_CAP
    floor = case((last_read > window_start, last_read), else_=window_start)
    unread = (
        select(func.count(Message.id))
        .where(
            Message.conversation_id == Conversation.id,
            Message.seq > floor,
            Message.state == "published",
            or_(Message.author_id.is_(None), Message.author_id != user_id),
        )
        .correlate_except(Message)
        .scalar_subquery()
    )
    readable_groups = (
        select(Membership.group_id)
        .where(Membership.user_id == user_id, Membership.state.in_(groups_policy.READING_STATES))
        .correlate_except(Membership)
    )
    pair = cast(Conversation.id, String) + ":" + cast(unread, String)
    return (
        select(func.aggregate_strings(pair, ","))
        .where(
            Conversation.group_id.in_(readable_groups),
            or_(Conversation.kind == "group", participant_read.is_not(None)),
        )
        .correlate_except(Conversation)
        .scalar_subquery()
    )


def _parse_counts(text: str | None) -> dict[int, int]:
    counts = {}
    for pair in (text or "").split(","):
        conversation_id, _, count = pair.partition(":")
        if conversation_id and count and int(count):
            counts[int(conversation_id)] = int(count)
    return counts


UNREAD_PRELOAD = "chat_unread"
page_preloads.register(UNREAD_PRELOAD, _unread_counts_subquery, parse=_parse_counts)


@functools.cache
def _unread_counts_statement() -> Select:
    """Built once per process with the member as a bound parameter: the navigation runs it on every page, and
    building this select costs more Python time than PostgreSQL spends running it."""
    viewer_id = bindparam("viewer_id", type_=Integer)
    participant = (
        select(ConversationParticipant.conversation_id, ConversationParticipant.last_read_seq)
        .where(ConversationParticipant.user_id == viewer_id, ConversationParticipant.left_at.is_(None))
        .subquery()
    )
    room_read = select(ChatRead.conversation_id, ChatRead.last_read_seq).where(ChatRead.user_id == viewer_id).subquery()
    readable_groups = select(Membership.group_id).where(
        Membership.user_id == viewer_id, Membership.state.in_(groups_policy.READING_STATES)
    )
    last_read = func.coalesce(participant.c.last_read_seq, room_read.c.last_read_seq, literal(0))
    window_start = Conversation.last_seq - bindparam("cap", type_=Integer)
    floor = case((last_read > window_start, last_read), else_=window_start)
    return (
        select(Conversation.id, func.count(Message.id))
        .select_from(Conversation)
        .outerjoin(participant, participant.c.conversation_id == Conversation.id)
        .outerjoin(room_read, room_read.c.conversation_id == Conversation.id)
        .join(
            Message,
            and_(
                Message.conversation_id == Conversation.id,
                Message.seq > floor,
                Message.state == "published",
                or_(Message.author_id.is_(None), Message.author_id != viewer_id),
            ),
        )
        .where(
            Conversation.group_id.in_(readable_groups),
            or_(Conversation.kind == "group", participant.c.conversation_id.is_not(None)),
        )
        .group_by(Conversation.id)
    )
