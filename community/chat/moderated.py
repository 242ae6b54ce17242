"""Chat messages and rooms as moderation sees them: the "message" target kind (load, state, hide or publish with
the live update, the moderator's and the writer's new words, the messages around one, and a private
conversation's participants and report flag for ``open_target``) and the "conversation" place of conflict
alerts. Registered with ``moderation.targets`` by ``chat.wiring``; moderation never imports chat."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community.auth.models import User
from community.chat import notices, places, policy, sending, services
from community.chat.models import Conversation, ConversationParticipant, Message
from community.chat.payloads import message_payload, moderator_ids
from community.core.errors import DomainError, NotFound
from community.core.realtime import conversation_room, queue_event
from community.core.sanitize import render_markdown
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Membership
from community.moderation.targets import PlaceKind, SlowedPlace, Target, TargetKind


def load(message_id: int) -> Target | None:
    message = db.session.get(Message, message_id)
    if message is None:
        return None
    conversation = db.session.get(Conversation, message.conversation_id)
    return Target(
        "message", message.id, conversation.group_id, message.author, message=message, conversation=conversation,
        is_private_message=conversation.kind == "private",
        words_editable=policy.can_edit_words_as_moderator(conversation),
    )  # fmt: skip


def state(target: Target) -> str:
    return target.message.state


def set_message_state(message: Message, conversation: Conversation, state: str, reason: str = "") -> None:
    """Move a chat message to ``state``: published is broadcast as new; anything else disappears live."""
    before = message.state
    if before == state:
        return
    message.state, message.state_reason = state, reason
    db.session.flush()
    room = conversation_room(message.conversation_id)
    if state == "published":
        is_moderator = message.author_id in moderator_ids(conversation.group_id, {message.author_id or 0})
        queue_event("chat:message", {"message": message_payload(message, author_is_moderator=is_moderator)}, room=room)
        notices.message_published(conversation, message)  # a held message tells its readers once approved
    elif before == "published":
        queue_event(
            "chat:message_removed",
            {"conversation_id": message.conversation_id, "message_id": message.id, "seq": message.seq},
            room=room,
        )


def set_state(target: Target, state: str, reason: str) -> None:
    set_message_state(target.message, target.conversation, state, reason)


def sees(actor: User, membership: Membership | None, target: Target) -> bool:
    """A published message in a conversation the member may open (opening it is the chat's read service)."""
    if target.message.state != "published":
        return False
    try:
        access = services.open_conversation(actor, target.conversation.id)
    except (NotFound, DomainError):
        return False
    if target.message.seq <= access.reads_from_seq:
        return False  # written before the reader was added to a care conversation
    return policy.can_see_message(actor, membership, target.message)


def reported(target: Target) -> None:
    """A member reported a message: the group's moderators may now read its conversation, even a private one."""
    target.conversation.reported = True


def edit_words(target: Target, editor_id: int, group_id: int, text: str) -> None:
    """A moderator's "edit and approve" of a group room message (moderation refuses it for a private one:
    ``Target.words_editable``)."""
    _replace(target.message, text)


def rephrase(target: Target, editor_id: int, text: str) -> None:
    _replace(target.message, text)


def _replace(message: Message, text: str) -> None:
    now = utcnow()
    message.body_source, message.body_html, message.edited_at = text, render_markdown(text), now


def around(target: Target, count: int) -> tuple[None, list[Message], list[Message]]:
    """The published messages just before and after it in its conversation."""
    message = target.message
    same = Message.conversation_id == message.conversation_id
    before = list(
        db.session.scalars(
            select(Message).where(same, Message.seq < message.seq, Message.state == "published")
            .order_by(Message.seq.desc()).limit(count)
        )
    )[::-1]  # fmt: skip
    after = list(
        db.session.scalars(
            select(Message).where(same, Message.seq > message.seq, Message.state == "published")
            .order_by(Message.seq).limit(count)
        )
    )  # fmt: skip
    return None, before, after


def authored(group_id: int, user_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.group_id == group_id, Message.author_id == user_id)
    ) or 0  # fmt: skip


def is_participant(actor: User, target: Target) -> bool:
    participant = db.session.scalar(
        select(ConversationParticipant).where(
            ConversationParticipant.conversation_id == target.conversation.id,
            ConversationParticipant.user_id == actor.id,
        )
    )
    return policy.is_participant(actor, participant)


def conversation_reported(target: Target) -> bool:
    return bool(target.conversation.reported)


def participants(target: Target) -> list[tuple[int, datetime | None]]:
    return services.participant_history(target.conversation.id)


def load_conversation(conversation_id: int) -> Conversation | None:
    return db.session.get(Conversation, conversation_id)


def latest_messages(conversation: Conversation, count: int) -> list[Message]:
    """A group room's latest published messages; nothing of a private conversation (heat alerts are about rooms)."""
    if conversation.kind != "group":
        return []
    rows = db.session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation.id, Message.state == "published")
        .order_by(Message.seq.desc())
        .limit(count)
    )
    return list(rows)[::-1]


def slowed_rooms(group_id: int) -> list[SlowedPlace]:
    """The group's chat room, when it is in slow mode."""
    rooms = db.session.scalars(
        select(Conversation).where(
            Conversation.group_id == group_id, Conversation.kind == "group", Conversation.slow_mode_seconds > 0
        )
    )
    return [SlowedPlace("conversation", room.id, "", room.slow_mode_seconds, False) for room in rooms]


def case_open(target: Target) -> bool:
    """An open safeguarding case about one of the conversation's messages: its group's moderators may read it."""
    return target.conversation.id in services.conversations_with_open_case([target.conversation.id])


MESSAGE = TargetKind(
    "message", load, state, set_state, sees=sees, reported=reported, clean_body=sending.clean_body,
    edit_words=edit_words, rephrase=rephrase, around=around, authored=authored, is_participant=is_participant,
    conversation_reported=conversation_reported, participants=participants, case_open=case_open,
)  # fmt: skip
CONVERSATION = PlaceKind(
    "conversation", load_conversation, latest_messages, slowed_rooms, target_type="message",
    watched_group_id=places.group_of_room, place_of=places.conversation_of_message,
    recent_exchange=places.recent_exchange, item_ids=places.message_ids, slow_mode=places.slow_mode,
    set_slow_mode=places.set_slow_mode, not_found=_l("We could not find that chat room."),
)  # fmt: skip
