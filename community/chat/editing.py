"""Changing messages after they are sent: edit, delete (one's own) or remove (a moderator), and reactions.

Every change is broadcast to the conversation's room after the commit: ``chat:message_updated`` with the
whole message, or ``chat:message_removed`` so every open screen drops it at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from community.auth.models import User
from community.chat import policy
from community.chat.errors import Invalid
from community.chat.models import Message
from community.chat.payloads import message_payload, moderator_ids, reaction_counts
from community.chat.sending import clean_body, require_write
from community.chat.services import ConversationAccess, message_load, open_conversation
from community.core import audit
from community.core.database import savepoint, savepoints_work
from community.core.errors import DomainError, Forbidden, NotFound
from community.core.realtime import conversation_room, queue_event
from community.core.sanitize import render_markdown
from community.core.time import utcnow
from community.extensions import db
from community.groups.policy import MODERATING_ROLES
from community.moderation import services as moderation
from community.reactions.models import REACTION_KINDS, Reaction

REASON_MAX = 500
GONE_STATES = ("removed", "deleted")
MESSAGE_NOT_FOUND = _l("We could not find that message. It may have been removed.")


@dataclass(frozen=True)
class Change:
    access: ConversationAccess
    message: Message
    changed: bool = True


def _open_message(actor: User, message_id: int) -> tuple[ConversationAccess, Message]:
    """The message and its conversation if the actor may read both (NotFound otherwise)."""
    message = db.session.scalar(select(Message).options(*message_load()).where(Message.id == message_id))
    if message is None:
        raise NotFound(MESSAGE_NOT_FOUND)
    access = open_conversation(actor, message.conversation_id)
    return access, message


def _updated(access: ConversationAccess, message: Message) -> dict:
    reactions = reaction_counts([message.id]).get(message.id) if message.state == "published" else None
    return message_payload(message, author_is_moderator=_is_moderator(access, message), reactions=reactions)


def _is_moderator(access: ConversationAccess, message: Message) -> bool:
    if message.author_id == access.actor.id:
        return access.membership.role in MODERATING_ROLES
    for user, membership in access.partners:
        if user.id == message.author_id:
            return membership is not None and membership.role in MODERATING_ROLES
    return message.author_id in moderator_ids(access.group.id, {message.author_id} if message.author_id else set())


def _removed_event(message: Message) -> None:
    queue_event(
        "chat:message_removed",
        {"conversation_id": message.conversation_id, "message_id": message.id, "seq": message.seq},
        room=conversation_room(message.conversation_id),
    )


def edit_message(actor: User, message_id: int, body: str) -> Change:
    """Change one's own message within the edit window; the new text is screened again.

    A published message the screening now holds disappears from others' screens until a moderator decides;
    a held message stays held (a moderator still decides). The same text again changes nothing.
    """
    access, message = _open_message(actor, message_id)
    if not policy.can_see_message(actor, access.membership, message):
        raise NotFound(MESSAGE_NOT_FOUND)
    require_write(access)
    if not policy.can_edit_message(actor, access.membership, message, utcnow()):
        raise Forbidden(_l("You can change your own messages for 15 minutes after sending them."))
    text = clean_body(body)
    if text == message.body_source:
        return Change(access, message, changed=False)
    screening = moderation.screen(actor, access.group, access.membership, text, kind="edit")
    if screening.verdict == moderation.REFUSE:
        raise DomainError(screening.reason)
    message.body_source, message.body_html, message.edited_at = text, render_markdown(text), utcnow()
    if message.state == "published" and screening.verdict == moderation.HOLD:
        message.state, message.state_reason = "held", screening.reason
        moderation.enqueue_held(
            access.group, target_type="message", target_id=message.id, screening=screening, writer=message.author
        )
        _removed_event(message)  # gone from everyone else's screen until a moderator publishes it
    elif message.state == "published":
        queue_event(
            "chat:message_updated",
            {"message": _updated(access, message)},
            room=conversation_room(message.conversation_id),
        )
    return Change(access, message)


def delete_message(actor: User, message_id: int, *, reason: str = "") -> Change:
    """Take a message away. The writer: their own, within the edit window (the text is erased). A moderator:
    any message in a conversation of their group they may read ("remove": kept for review, audited).

    Deleting a message that is already gone is not an error for someone who could have done it: a resend
    after a dropped connection must be harmless. Nothing changes and nothing is broadcast then.
    """
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise Invalid(_l("Keep the reason under %(count)s characters.", count=REASON_MAX), field="reason")
    access, message = _open_message(actor, message_id)
    own = message.author_id == actor.id
    if message.state in GONE_STATES:
        if own or access.can_moderate:
            return Change(access, message, changed=False)
        raise NotFound(MESSAGE_NOT_FOUND)
    if not policy.can_see_message(actor, access.membership, message):
        raise NotFound(MESSAGE_NOT_FOUND)
    if policy.can_delete_own_message(actor, message, utcnow()):
        # The writer takes it back: the words go (data minimisation), the numbered row stays so seq has no gaps.
        message.state, message.state_reason = "deleted", ""
        message.body_source, message.body_html = "", ""
    elif access.can_moderate:
        message.state, message.state_reason = "removed", reason
        audit.record(
            "message.removed",
            actor_id=actor.id,
            target_type="message",
            target_id=message.id,
            group_id=access.group.id,
            reason=reason or None,
            details={"conversation_id": message.conversation_id, "seq": message.seq, "author_id": message.author_id},
        )
    elif own:
        raise Forbidden(_l("You can delete your own messages for 15 minutes after sending them."))
    else:
        raise Forbidden(_l("Only a moderator can remove someone else's message."))
    _removed_event(message)
    return Change(access, message)


def set_reaction(actor: User, message_id: int, kind: str, *, on: bool) -> tuple[Change, dict[str, int]]:
    """Add (``on``) or take back the actor's supportive reaction on a published message. Twice changes nothing.

    Returns the message's counts per kind after the change.
    """
    if kind not in REACTION_KINDS:
        raise Invalid(_l("Choose one of the reactions shown."), field="kind")
    access, message = _open_message(actor, message_id)
    if not policy.can_see_message(actor, access.membership, message):
        raise NotFound(MESSAGE_NOT_FOUND)
    require_write(access)
    if not policy.can_react_to(message):
        raise Forbidden(_l("You can react once a moderator has let the message through."))
    existing = db.session.scalar(
        select(Reaction.id).where(
            Reaction.user_id == actor.id, Reaction.kind == kind, Reaction.message_id == message.id
        )
    )
    changed = on != (existing is not None)
    if on and existing is None:
        try:
            with savepoint():  # a double click racing itself: the unique constraint decides
                db.session.add(Reaction(user_id=actor.id, kind=kind, message_id=message.id))
                db.session.flush()
        except IntegrityError:
            if not savepoints_work():
                raise
            changed = False
    elif not on and existing is not None:
        db.session.execute(delete(Reaction).where(Reaction.id == existing))
    if changed:
        message.changed_at = utcnow()  # reactions live in their own table: mark the message for catch-up
    payload = _updated(access, message)
    if changed:
        queue_event("chat:message_updated", {"message": payload}, room=conversation_room(message.conversation_id))
    return Change(access, message, changed), payload["reactions"]
