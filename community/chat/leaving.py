"""Leaving a private conversation: the member deletes it from their own side; the other person keeps their copy,
sees that it is closed, and cannot write to them in it. Talking again later starts a new conversation.

A care conversation (``chat.care``) goes on without them: the others see "Sam left the conversation", and the
one who left reads nothing more of it (staff may add them again; they then read from that moment)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from community.auth.models import User
from community.chat import system_lines
from community.chat.models import Conversation, ConversationParticipant
from community.core.errors import NotFound
from community.core.realtime import NAMESPACE, conversation_room, user_room
from community.core.time import utcnow
from community.extensions import db, socketio
from community.groups.models import Group


def leave_conversation(actor: User, conversation_id: int) -> Conversation:
    """Leave a private conversation and delete it from one's own side: it leaves the actor's list and they can
    no longer open it; the other person keeps their copy, sees that it is closed, and cannot write to them in it.
    Talking again later starts a new conversation."""
    participant = (
        db.session.scalar(
            select(ConversationParticipant).where(
                ConversationParticipant.conversation_id == conversation_id,
                ConversationParticipant.user_id == actor.id,
                ConversationParticipant.left_at.is_(None),
            )
        )
        if 0 < conversation_id < 2**31
        else None
    )
    conversation = db.session.get(Conversation, conversation_id) if participant is not None else None
    if conversation is None or conversation.kind != "private":
        raise NotFound(_l("We could not find that conversation."))
    participant.left_at = utcnow()
    if conversation.care:  # the others see it happen; the person reads nothing more of it
        system_lines.add_line(conversation, actor, "declined" if participant.request_pending else "left")
        participant.request_pending = False
    db.session.flush()
    return conversation


def partner_left(conversation_id: int, actor_id: int) -> bool:
    """Has the other participant of a private conversation left it?"""
    return (
        db.session.scalar(
            select(ConversationParticipant.id)
            .where(
                ConversationParticipant.conversation_id == conversation_id,
                ConversationParticipant.user_id != actor_id,
                ConversationParticipant.left_at.isnot(None),
            )
            .limit(1)
        )
        is not None
    )


def leave_conversation_room_now(user_id: int, conversation_id: int) -> None:
    """After the commit: this process's sockets of the member stop receiving the conversation."""
    server = socketio.server
    if server is None:
        return
    for sid, _eio in list(server.manager.get_participants(NAMESPACE, user_room(user_id))):
        server.leave_room(sid, conversation_room(conversation_id), namespace=NAMESPACE)


def on_member_left(group: Group, *, user: User, **_extra: object) -> None:
    """``groups.signals.member_left``: a member who leaves a group leaves each of their private conversations in
    it, as if they had left each one (the others see it closed, or in a care conversation "Anna left the
    conversation"; their sockets left the rooms with the group's)."""
    in_group = select(Conversation.id).where(Conversation.group_id == group.id, Conversation.kind == "private")
    care = (
        select(Conversation)
        .join(ConversationParticipant)
        .where(
            Conversation.id.in_(in_group),
            Conversation.care.is_(True),
            ConversationParticipant.user_id == user.id,
            ConversationParticipant.left_at.is_(None),
        )
    )
    for conversation in db.session.scalars(care).all():  # the others of a care conversation see them go
        system_lines.add_line(conversation, user, "left")
    db.session.execute(
        update(ConversationParticipant)
        .where(
            ConversationParticipant.user_id == user.id,
            ConversationParticipant.left_at.is_(None),
            ConversationParticipant.conversation_id.in_(in_group),
        )
        .values(left_at=utcnow())
        .execution_options(synchronize_session=False)
    )
