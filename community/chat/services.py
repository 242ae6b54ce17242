"""Chat rules: who may open a conversation, and sending: screened, stored with the next sequence number, and
only then broadcast.

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
from sqlalchemy import Integer, Select, String, Update, and_, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from community.auth.models import User
from community.chat import policy, throttle
from community.chat.errors import Invalid, Muted, RateLimited, SlowMode, TooLarge
from community.chat.models import Conversation, ConversationParticipant, Message
from community.chat.payloads import message_payload
from community.core.database import savepoint, savepoints_work
from community.core.errors import DomainError, Forbidden, NotFound
from community.core.realtime import conversation_room, queue_event
from community.core.sanitize import render_markdown
from community.core.time import utcnow
from community.extensions import db
from community.groups import policy as groups_policy
from community.groups.models import Group, Membership
from community.groups.services import GroupAccess
from community.moderation import conflict
from community.moderation import services as moderation
from community.moderation.safeguarding import queries as safeguarding_queries

MESSAGE_MAX, CLIENT_ID_MAX = 4_000, 64


@functools.cache
def message_load() -> tuple:
    """Authors and replied-to messages with every page of messages. Built on first use, not at import time:
    building loader options configures the mappers, which must wait until every model module is imported."""
    return (joinedload(Message.author), joinedload(Message.reply_to).joinedload(Message.author))


NOT_FOUND = _l("We could not find that conversation.")


@dataclass(frozen=True)
class SendResult:
    message: Message
    duplicate: bool  # True: this client id was already stored; nothing new was written
    notices: tuple[str, ...] = ()  # from the screening: helplines (issue #6 safeguarding) the writer sees at once


@dataclass(frozen=True)
class ConversationAccess:
    """A conversation with everything the policy needs about the actor, loaded once per event or page."""

    actor: User
    conversation: Conversation
    group: Group
    membership: Membership
    participant: ConversationParticipant | None
    partners: tuple[tuple[User, Membership | None], ...]  # private: the other participant(s); group room: ()
    this_year: int
    case_open: bool = False  # private: an open safeguarding case about one of its messages (staff may read)

    @property
    def partner(self) -> User | None:
        return self.partners[0][0] if len(self.partners) == 1 else None

    @property
    def can_write(self) -> bool:
        partner_membership = self.partners[0][1] if len(self.partners) == 1 else None
        return policy.can_write_conversation(
            self.actor,
            self.group,
            self.membership,
            self.conversation,
            self.participant,
            self.partner,
            partner_membership,
            self.this_year,
        )

    @property
    def can_moderate(self) -> bool:
        return policy.can_moderate_conversation(
            self.actor, self.group, self.membership, self.conversation, self.participant, case_open=self.case_open
        )

    @property
    def read_by_staff(self) -> bool:
        """A private conversation opened by someone who is not in it: access-logged by ``open_conversation``."""
        return self.conversation.kind == "private" and not policy.is_participant(self.actor, self.participant)

    @property
    def sees_held(self) -> bool:
        """Moderators see every held message of a conversation they read; others only their own."""
        return self.membership.role == "moderator"

    @property
    def slow_mode_seconds(self) -> int:
        """The room's own setting; a group room also follows the group's setting (the stricter one wins)."""
        seconds = self.conversation.slow_mode_seconds or 0
        if self.conversation.kind == "group":
            seconds = max(seconds, self.group.slow_mode_seconds or 0)
        return seconds

    @property
    def title(self) -> str:
        if self.conversation.kind == "group":
            return self.group.name
        names = [
            user.display_name if user.state != "deleted" else str(_l("former member")) for user, _m in self.partners
        ]
        return " & ".join(names) if names else str(_l("Private conversation"))


# --- opening -------------------------------------------------------------------------------------------------


def open_conversation(actor: User, conversation_id: int) -> ConversationAccess:
    """The conversation if the actor may read it now: NotFound otherwise (also for one that does not exist).

    Called on every socket event and page, so a member removed or suspended mid-session is refused at the next
    one. One query, plus one for the partner of a private conversation. Someone who is not a participant reads
    a private conversation only on the grounds in ``policy.can_read_conversation`` (a report, an open
    safeguarding case), and every such opening writes the access log (one line per participant) in the
    caller's transaction: the adapter commits it, also for a page that changes nothing else.
    """
    row = db.session.execute(_open_statement(), {"actor_id": actor.id, "conversation_id": conversation_id}).first()
    if row is None:
        raise NotFound(NOT_FOUND)
    conversation, group, membership, participant = row
    case_open = _case_open(actor, conversation, group, membership, participant)
    if membership is None or not policy.can_read_conversation(
        actor, group, membership, conversation, participant, case_open=case_open
    ):
        raise NotFound(NOT_FOUND)
    from community.consent.gate import may_enter_group  # issue #7: required consents and the group's rules

    if not may_enter_group(actor, group, membership):
        raise NotFound(NOT_FOUND)
    partners: tuple[tuple[User, Membership | None], ...] = ()
    if conversation.kind == "private":
        partners = _partners(conversation, actor.id)
    access = ConversationAccess(
        actor, conversation, group, membership, participant, partners, utcnow().year, case_open=case_open
    )
    if access.read_by_staff:
        from community.privacy.access_log import record_private_conversation_reading  # privacy builds on chat

        record_private_conversation_reading(actor, conversation)
    return access


def _case_open(actor: User, conversation: Conversation, group: Group, membership, participant) -> bool:
    """Asked only where it decides something: a group moderator, not a participant, of an unreported private
    conversation (one indexed query; members and participants never pay for it)."""
    if conversation.kind != "private" or conversation.reported or policy.is_participant(actor, participant):
        return False
    if not groups_policy.is_group_moderator(actor, group, membership):
        return False
    return conversation.id in safeguarding_queries.conversations_with_open_case([conversation.id])


# The statements of every socket event and every message are built once per process with bound parameters:
# building a select costs more Python time than PostgreSQL spends running it (a tenth of a message's CPU).


@functools.cache
def _open_statement() -> Select:
    actor_id = bindparam("actor_id", type_=Integer)
    return (
        select(Conversation, Group, Membership, ConversationParticipant)
        .join(Group, Group.id == Conversation.group_id)
        .outerjoin(Membership, and_(Membership.group_id == Group.id, Membership.user_id == actor_id))
        .outerjoin(
            ConversationParticipant,
            and_(
                ConversationParticipant.conversation_id == Conversation.id,
                ConversationParticipant.user_id == actor_id,
            ),
        )
        .where(Conversation.id == bindparam("conversation_id", type_=Integer))
    )


@functools.cache
def _next_seq_statement() -> Update:
    return (
        update(Conversation)
        .where(Conversation.id == bindparam("conversation_id", type_=Integer))
        .values(last_seq=Conversation.last_seq + 1)
        .returning(Conversation.last_seq)
    )


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


def _partners(conversation: Conversation, actor_id: int) -> tuple[tuple[User, Membership | None], ...]:
    rows = db.session.execute(
        select(User, Membership)
        .join(ConversationParticipant, ConversationParticipant.user_id == User.id)
        .outerjoin(Membership, and_(Membership.user_id == User.id, Membership.group_id == conversation.group_id))
        .where(ConversationParticipant.conversation_id == conversation.id, User.id != actor_id)
        .order_by(User.id)
    ).all()
    return tuple((user, membership) for user, membership in rows)


def group_room_conversation(group_id: int) -> Conversation:
    """The group's chat room, created on first use (groups.services.create_group makes it with the group)."""
    conversation = find_group_room(group_id)
    if conversation is None:
        conversation = Conversation(group_id=group_id, kind="group")
        db.session.add(conversation)
        db.session.flush()
    return conversation


def find_group_room(group_id: int) -> Conversation | None:
    """Read-only: the group's room, or None for a group made before rooms were created with the group."""
    return db.session.scalar(
        select(Conversation)
        .where(Conversation.group_id == group_id, Conversation.kind == "group")
        .order_by(Conversation.id)
    )


def open_group_room(actor: User, access: GroupAccess) -> ConversationAccess:
    """The group room of a group the actor opened (``groups.services.open_group``). Creates it on first use."""
    return open_conversation(actor, group_room_conversation(access.group.id).id)


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
    from community.moderation import safety  # imported late: moderation builds on chat

    partner, partner_membership = access.partners[0] if len(access.partners) == 1 else (None, None)
    if partner is None or safety.partner_left(access.conversation.id, access.actor.id):
        return True  # the other person left the conversation (and deleted it on their side)
    if policy.is_staff_in(access.membership) or policy.is_staff_in(partner_membership):
        return False
    return safety.blocked_between(access.actor.id, partner.id)


def _next_seq(conversation_id: int) -> int:
    # One atomic UPDATE ... RETURNING: concurrent senders in one room never get the same number (the row lock
    # also orders them), and a rollback gives the number back, so stored messages have no gaps.
    return db.session.execute(_next_seq_statement(), {"conversation_id": conversation_id}).scalar_one()


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
) -> SendResult:
    """Store one message and queue its broadcast. Preconditions: ``access`` is fresh (from this event or request).

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
    text = clean_body(body)
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
                seq=_next_seq(access.conversation.id),
                body_source=text,
                body_html=render_markdown(text),
                reply_to_id=reply_to.id if reply_to else None,
                state=screening.state,
                state_reason=screening.reason,
                created_at=utcnow(),
            )
            db.session.add(message)
            db.session.flush()
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
        moderation.enqueue_held(access.group, target_type="message", target_id=message.id, screening=screening)
        # broadcast to nobody: a moderator decides first
        return SendResult(message, duplicate=False, notices=screening.notices)
    payload = message_payload(message, author_is_moderator=access.membership.role == "moderator")
    queue_event("chat:message", {"message": payload}, room=conversation_room(access.conversation.id))
    conflict.after_write(access.group, place)  # a heated room alerts its moderators (group rooms only)
    if access.conversation.kind == "private":
        from community.chat import reads  # imported late: reads builds on this module

        reads.after_private_message(access, message)
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
    )
