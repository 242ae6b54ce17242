"""Sending a chat message: screened, stored with the next sequence number, and only then broadcast. Who may
open the conversation is decided in ``chat.services.open_conversation``.

Guarantees (docs/realtime.md, "Delivery"):
* a message is broadcast only after the transaction that stored it commits (``core.realtime.queue_event``);
* ``seq`` is strictly increasing per conversation with no gaps among stored messages: one atomic
  ``UPDATE ... RETURNING`` takes the next number, in the same savepoint as the insert;
* a resend with the same ``client_id`` (unique per writer) returns the stored message and broadcasts nothing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, Select, String, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from community.auth.models import User
from community.chat import leaving, message_files, notices, policy, throttle, unread
from community.chat.errors import Invalid, Muted, RateLimited, SlowMode, TooLarge
from community.chat.models import Conversation, Message
from community.chat.payloads import message_payload
from community.chat.sequence import next_seq
from community.chat.services import ConversationAccess, message_load, open_conversation
from community.core.database import savepoint, savepoints_work
from community.core.errors import DomainError, Forbidden, NotFound
from community.core.realtime import conversation_room, queue_event
from community.core.sanitize import render_markdown
from community.core.time import utcnow
from community.extensions import db
from community.groups.policy import MODERATING_ROLES
from community.groups.services import GroupAccess
from community.moderation import conflict, safety
from community.moderation import services as moderation

MESSAGE_MAX, CLIENT_ID_MAX = 4_000, 64


@dataclass(frozen=True)
class SendResult:
    message: Message
    duplicate: bool  # True: this client id was already stored; nothing new was written
    notices: tuple[str, ...] = ()  # from the screening: safeguarding helplines the writer sees at once


# The statements of every message are built once per process with bound parameters (see chat.services).


@functools.cache
def _stored_statement() -> Select:
    return (
        select(Message)
        .options(*message_load())
        .where(
            Message.author_id == bindparam("author_id", type_=Integer),
            Message.client_id == bindparam("client_id", type_=String),
        )
    )


# --- sending -------------------------------------------------------------------------------------------------


def clean_body(body: str) -> str:
    text = (body or "").replace("\x00", "").strip()
    if not text:
        raise Invalid(_l("Write something before you send it."), field="body")
    if len(text) > MESSAGE_MAX:
        raise TooLarge(_l("A message can be at most %(count)s characters.", count=f"{MESSAGE_MAX:,}"), field="body")
    return text


def require_write(access: ConversationAccess) -> None:
    if access.can_write:
        if access.conversation.kind == "private" and _blocked(access):
            raise Forbidden(_l("This conversation is closed: the other person cannot be reached in it."))
        return
    if policy.is_muted(access.membership):
        raise Muted(_l("You are muted in this group for now: you can read, but not write."))
    if access.group.state != "active":
        raise Forbidden(_l("This group is archived; you can read it but not write in it."))
    raise Forbidden(_l("You cannot write in this conversation at the moment."))


def _blocked(access: ConversationAccess) -> bool:
    """The other person left this private conversation, or one blocked the other (moderation.safety): no more
    messages. Staff are never blocked out of, nor blocked by, a conversation with a member of their group (their
    duty of care)."""
    if access.conversation.care:
        return False  # the staff lead it; who may be in it together is checked for every pair (chat.care)
    partner, partner_membership = access.partners[0] if len(access.partners) == 1 else (None, None)
    if partner is None or leaving.partner_left(access.conversation.id, access.actor.id):
        return True  # the other person left the conversation (and deleted it on their side)
    if policy.is_staff_in(access.membership) or policy.is_staff_in(partner_membership):
        return False
    return safety.blocked_between(access.actor.id, partner.id)


def _stored(actor: User, client_id: str) -> Message | None:
    return db.session.scalar(_stored_statement(), {"author_id": actor.id, "client_id": client_id})


def _duplicate(access: ConversationAccess, existing: Message) -> SendResult:
    if existing.conversation_id != access.conversation.id:
        raise Invalid(_l("That client id was already used for another message. Reload the page and try again."))
    return SendResult(existing, duplicate=True)


def _reply_target(access: ConversationAccess, reply_to_id: int | None) -> Message | None:
    if reply_to_id is None:
        return None
    target = db.session.scalar(select(Message).options(joinedload(Message.author)).where(Message.id == reply_to_id))
    if (
        target is None
        or target.conversation_id != access.conversation.id
        or not policy.can_see_message(access.actor, access.membership, target)
    ):
        raise NotFound(_l("The message you are replying to is no longer there."), field="reply_to_id")
    return target


def send(
    access: ConversationAccess,
    *,
    client_id: str,
    body: str,
    reply_to_id: int | None = None,
    confirm_personal_details: bool | None = None,
    files: message_files.MessageFiles | None = None,
) -> SendResult:
    """Store one message and queue its broadcast. Preconditions: ``access`` is fresh (from this event or request);
    ``files`` were checked by ``message_files.prepare`` (they are written with the message; a message with files
    may have no text).

    Order matters: a resend is answered before any limit applies (it stores nothing), and the rate limit is
    counted before the text is screened, so a flood is refused cheaply.
    """
    actor = access.actor
    client_id = (client_id or "").strip()
    if not 1 <= len(client_id) <= CLIENT_ID_MAX:
        raise Invalid(_l("The message has no valid client id. Reload the page and try again."), field="client_id")
    existing = _stored(actor, client_id)
    if existing is not None:
        return _duplicate(access, existing)
    require_write(access)
    text = "" if files and not (body or "").strip() else clean_body(body)
    reply_to = _reply_target(access, reply_to_id)
    wait = throttle.hit_send_rate(actor.id)
    if wait:
        raise RateLimited(_l("You are sending messages very fast. Wait a moment, then send again."), seconds_left=wait)
    slow = 0 if policy.skips_slow_mode(access.membership) else access.slow_mode_seconds
    wait = throttle.slow_mode_wait(actor.id, access.conversation.id, slow)
    if wait:
        raise SlowMode(
            _l("This room is in slow mode. You can send your next message in %(seconds)s seconds.", seconds=wait),
            seconds_left=wait,
        )
    place = ("conversation", access.conversation.id)
    screening = moderation.screen(
        actor,
        access.group,
        access.membership,
        text,
        kind="message",
        place=place,
        personal_details_confirmed=confirm_personal_details,
    )
    if screening.verdict == moderation.REFUSE:
        raise DomainError(screening.reason)
    try:
        with savepoint():  # the number and the row together: a failed insert gives the number back
            message = Message(
                conversation_id=access.conversation.id,
                author_id=actor.id,
                client_id=client_id,
                seq=next_seq(access.conversation.id),
                body_source=text,
                body_html=render_markdown(text),
                reply_to_id=reply_to.id if reply_to else None,
                state=screening.state,
                state_reason=screening.reason,
                created_at=utcnow(),
            )
            db.session.add(message)
            db.session.flush()
            if files:
                message_files.store(message, access.group.id, files)
    except IntegrityError:
        # The same client id, sent twice at once (two tabs, a retry racing the original): the first one won.
        if not savepoints_work():
            raise  # the whole event fails; the client's resend is then answered as a duplicate
        existing = _stored(actor, client_id)
        if existing is None:
            raise
        return _duplicate(access, existing)
    message.author, message.reply_to = actor, reply_to
    throttle.mark_slow_mode(actor.id, access.conversation.id, slow)
    if screening.verdict == moderation.HOLD:
        moderation.enqueue_held(
            access.group, target_type="message", target_id=message.id, screening=screening, writer=actor
        )
        # broadcast to nobody: a moderator decides first
        return SendResult(message, duplicate=False, notices=screening.notices)
    payload = message_payload(message, author_is_moderator=access.membership.role in MODERATING_ROLES)
    queue_event("chat:message", {"message": payload}, room=conversation_room(access.conversation.id))
    conflict.after_write(access.group, place)  # a heated room alerts its moderators (group rooms only)
    if access.conversation.kind == "private":
        unread.after_private_message(access, message)
    notices.message_published(access.conversation, message)  # the partner, the people it mentions or answers
    return SendResult(message, duplicate=False)


def send_message(
    actor: User,
    access: GroupAccess,
    conversation: Conversation,
    *,
    client_id: str,
    body: str,
    reply_to_id: int | None = None,
    confirm_personal_details: bool | None = None,
    files: message_files.MessageFiles | None = None,
) -> SendResult:
    """:func:`send` for callers that hold a group and a conversation (the demo, the page's no-JavaScript form)."""
    if conversation.group_id != access.group.id:
        raise DomainError(_l("That conversation is not part of this group."))
    return send(
        open_conversation(actor, conversation.id),
        client_id=client_id,
        body=body,
        reply_to_id=reply_to_id,
        confirm_personal_details=confirm_personal_details,
        files=files,
    )
