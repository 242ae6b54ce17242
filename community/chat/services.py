"""Who may open a conversation: ``open_conversation`` (every chat page and socket event) and the group room.
The ``ConversationAccess`` it returns carries what the policy needs about the actor; sending is in
``chat.sending``, reading in ``chat.message_history``."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, Select, and_, bindparam, select
from sqlalchemy.orm import joinedload

from community.auth.models import User
from community.chat import policy
from community.chat.models import Conversation, ConversationParticipant, Message
from community.core.errors import NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups import entry_checks
from community.groups import policy as groups_policy
from community.groups.access_log import record_private_conversation_reading
from community.groups.models import Group, Membership
from community.groups.services import GroupAccess
from community.moderation.safeguarding.models import SafeguardingCase
from community.moderation.safeguarding.services import TARGET_NOT_FOUND, ConcernTarget


@functools.cache
def message_load() -> tuple:
    """Authors and replied-to messages with every page of messages. Built on first use, not at import time:
    building loader options configures the mappers, which must wait until every model module is imported."""
    return (joinedload(Message.author), joinedload(Message.reply_to).joinedload(Message.author))


NOT_FOUND = _l("We could not find that conversation.")


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
        if self.conversation.care:
            return policy.can_write_care(
                self.actor, self.group, self.membership, self.conversation, self.participant, self.partners,
                self.this_year,
            )  # fmt: skip
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
        return self.membership.role in groups_policy.MODERATING_ROLES

    @property
    def slow_mode_seconds(self) -> int:
        """The room's own setting; a group room also follows the group's setting (the stricter one wins)."""
        seconds = self.conversation.slow_mode_seconds or 0
        if self.conversation.kind == "group":
            seconds = max(seconds, self.group.slow_mode_seconds or 0)
        return seconds

    @property
    def reads_from_seq(self) -> int:
        """A participant added to a care conversation later reads from the moment they were added; staff reading
        it through a report or a case, and everyone in other conversations, read it all."""
        participant = self.participant
        return participant.from_seq if participant is not None and participant.left_at is None else 0

    @property
    def request_pending(self) -> bool:
        """A member the staff wrote to first who has not answered yet (``chat.care.answer_request``)."""
        return policy.is_participant(self.actor, self.participant) and bool(self.participant.request_pending)

    @property
    def title(self) -> str:
        if self.conversation.kind == "group":
            return self.group.name
        if self.conversation.care and self.conversation.title:
            return self.conversation.title
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
    if not entry_checks.may_enter(actor, group, membership):  # required consents, the group's rules
        raise NotFound(NOT_FOUND)
    partners: tuple[tuple[User, Membership | None], ...] = ()
    if conversation.kind == "private":
        partners = _partners(conversation, actor.id, present_only=conversation.care)
    access = ConversationAccess(
        actor, conversation, group, membership, participant, partners, utcnow().year, case_open=case_open
    )
    if access.read_by_staff:
        record_private_conversation_reading(actor, conversation, participant_history(conversation.id))
    return access


def _case_open(actor: User, conversation: Conversation, group: Group, membership, participant) -> bool:
    """Asked only where it decides something: a group moderator, not a participant, of an unreported private
    conversation (one indexed query; members and participants never pay for it)."""
    if conversation.kind != "private" or conversation.reported or policy.is_participant(actor, participant):
        return False
    if not groups_policy.is_group_moderator(actor, group, membership):
        return False
    return conversation.id in conversations_with_open_case([conversation.id])


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


def _partners(
    conversation: Conversation, actor_id: int, *, present_only: bool = False
) -> tuple[tuple[User, Membership | None], ...]:
    """The other participants. A two-person conversation keeps a partner who left (it is then closed); a care
    conversation is the people in it now (``present_only``)."""
    query = (
        select(User, Membership)
        .join(ConversationParticipant, ConversationParticipant.user_id == User.id)
        .outerjoin(Membership, and_(Membership.user_id == User.id, Membership.group_id == conversation.group_id))
        .where(ConversationParticipant.conversation_id == conversation.id, User.id != actor_id)
        .order_by(User.id)
    )
    if present_only:
        query = query.where(ConversationParticipant.left_at.is_(None))
    rows = db.session.execute(query).all()
    return tuple((user, membership) for user, membership in rows)


def group_room_conversation(group_id: int) -> Conversation:
    """The group's chat room, created on first use; ``chat.wiring`` makes it with the group
    (``groups.signals.group_created``)."""
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


def participant_history(conversation_id: int) -> list[tuple[int, datetime | None]]:
    """Everyone who is or was in the conversation, as (user id, left at): whom a staff reading is about."""
    rows = db.session.execute(
        select(ConversationParticipant.user_id, ConversationParticipant.left_at).where(
            ConversationParticipant.conversation_id == conversation_id
        )
    ).all()
    return [(user_id, left_at) for user_id, left_at in rows]


# --- "I'm worried about this person" on a message ------------------------------------------------------------


def readable_message(actor: User, message_id: int, *, group_id: int | None = None) -> tuple[Message, Conversation]:
    """A published chat message the actor can read (``open_conversation``), else "not found"."""
    message = db.session.get(Message, message_id) if 0 < message_id < 2**31 else None
    if message is None or message.state != "published":
        raise NotFound(TARGET_NOT_FOUND)
    conversation = db.session.get(Conversation, message.conversation_id)
    if group_id is not None and conversation.group_id != group_id:
        raise NotFound(TARGET_NOT_FOUND)
    if message.seq <= open_conversation(actor, conversation.id).reads_from_seq:
        raise NotFound(TARGET_NOT_FOUND)  # written before the reader was added to a care conversation
    return message, conversation


def concern_about(message: Message, conversation: Conversation) -> ConcernTarget:
    """What ``safeguarding.services.raise_concern`` needs about a message found by ``readable_message``."""
    return ConcernTarget("message", message.id, conversation.group, message.author)


def concern_about_message(actor: User, message_id: int) -> ConcernTarget:
    """The same for a message id: "not found" unless the actor can read the published message."""
    return concern_about(*readable_message(actor, message_id))


def conversations_with_open_case(conversation_ids: list[int]) -> set[int]:
    """Which of these conversations have an open (not yet closed) case about one of their messages: while it is
    open, the group's moderators may read the conversation (``chat.policy.can_read_conversation``)."""
    if not conversation_ids:
        return set()
    return set(
        db.session.scalars(
            select(Message.conversation_id)
            .join(
                SafeguardingCase,
                (SafeguardingCase.target_type == "message") & (SafeguardingCase.target_id == Message.id),
            )
            .where(Message.conversation_id.in_(conversation_ids), SafeguardingCase.status != "closed")
            .distinct()
        )
    )
