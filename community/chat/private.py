"""Private conversations: between a member and a moderator/professional of a group they share (and, when the
group allows it, between two members of the same age group). The rules are ``chat.policy``'s predicates.

A private conversation belongs to one group: its participants are read through their memberships there, so
leaving the group (or being removed) ends access to it, like everything else in the group.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import aliased

from community.auth.models import User
from community.chat import policy
from community.chat import services as chat_services
from community.chat.models import Conversation, ConversationParticipant, Message
from community.core.errors import DomainError, Forbidden, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups import policy as groups_policy
from community.groups.models import Group, Membership
from community.groups.policy import READING_STATES
from community.groups.services import GroupAccess, member_list
from community.moderation import safety

LIST_PAGE = 25
PARTNERS_MAX = 200


@dataclass(frozen=True)
class Started:
    conversation: Conversation
    created: bool  # False: the two already had a conversation in this group, which is opened again


@dataclass(frozen=True)
class ConversationRow:
    """One line of a list of private conversations: who, since when, last activity. Never any message text."""

    conversation: Conversation
    group: Group
    names: tuple[str, ...]  # the other participants (for a moderator's list: both)
    last_message_at: datetime | None
    can_read: bool
    request_pending: bool = False  # a care conversation the staff started with the reader: to accept or decline

    @property
    def title(self) -> str:
        """A care conversation's name, else the people in it."""
        if self.conversation.care and self.conversation.title:
            return self.conversation.title
        return " & ".join(self.names) or str(_l("Private conversation"))


def _refusal(actor: User, access: GroupAccess, other: User, other_membership: Membership, year: int) -> DomainError:
    """Why a pair may not talk privately, in words the person can act on."""
    if not groups_policy.can_write_in_group(actor, access.group, access.membership):
        return Forbidden(_l("You cannot write in this group at the moment."))
    if policy.is_staff_in(access.membership) or policy.is_staff_in(other_membership):
        return Forbidden(_l("This person cannot be reached in this group at the moment."))
    if not access.group.member_messages_allowed:
        return Forbidden(_l("In this group, private conversations are possible with a moderator only."))
    if policy.is_minor(actor, year) is None or policy.is_minor(other, year) is None:
        return Forbidden(_l("Private conversations between members need both ages to be known. Ask a moderator."))
    return Forbidden(_l("A private conversation between an adult and a young person is not possible here."))


def _check_outreach(actor: User, access: GroupAccess, other: User, other_membership: Membership) -> None:
    """Staff writing to a member first (outreach, ``chat.care``): only where the group allows it, and never to a
    member who blocked them (the member may still write to the staff)."""
    group = access.group
    if not policy.is_care_staff_in(actor, group, access.membership):
        return
    if policy.is_care_staff_in(other, group, other_membership):
        return
    if existing_between(group.id, actor.id, other.id) is not None:
        return  # a conversation the two already have: not writing first
    if not policy.can_reach_out(group):
        raise Forbidden(_l("In this group, the staff do not write to members first: a member starts the conversation."))
    if safety.has_blocked(other.id, actor.id):
        raise Forbidden(_l("This person cannot be reached in this group at the moment."))


def existing_between(group_id: int, first_id: int, second_id: int) -> Conversation | None:
    first, second = aliased(ConversationParticipant), aliased(ConversationParticipant)
    return db.session.scalar(
        select(Conversation)
        # Only one neither has left: leaving closes a conversation; talking again starts a new one.
        .join(first, and_(first.conversation_id == Conversation.id, first.user_id == first_id, first.left_at.is_(None)))
        .join(
            second,
            and_(second.conversation_id == Conversation.id, second.user_id == second_id, second.left_at.is_(None)),
        )
        .where(Conversation.group_id == group_id, Conversation.kind == "private", Conversation.care.is_(False))
        .order_by(Conversation.id)
    )


def start_private_conversation(
    actor: User, access: GroupAccess, other_user_id: int, *, member_asked: bool = False
) -> Started:
    """Open a private conversation with someone in the group, or the one the two already have there.

    Preconditions: ``access`` is the actor's (``open_group``). Someone not in the group is "not found".
    ``member_asked``: staff answer a member's own request (``professionals.requests``): not outreach.
    """
    if other_user_id == actor.id:
        raise DomainError(_l("Choose someone else: a conversation needs two people."), field="user_id")
    row = db.session.execute(
        select(User, Membership)
        .join(Membership, and_(Membership.user_id == User.id, Membership.group_id == access.group.id))
        .where(User.id == other_user_id)
    ).first()
    if row is None or not groups_policy.can_view_group(row[0], access.group, row[1]):
        raise NotFound(_l("We could not find that person in this group."))
    other, other_membership = row
    year = utcnow().year
    if not policy.can_start_private(actor, access.membership, access.group, other, other_membership, year):
        raise _refusal(actor, access, other, other_membership, year)
    staff_involved = policy.is_staff_in(access.membership) or policy.is_staff_in(other_membership)
    if not staff_involved and safety.blocked_between(actor.id, other.id):  # a block: the same words, nothing told
        raise Forbidden(_l("This person cannot be reached in this group at the moment."))
    if not member_asked:
        _check_outreach(actor, access, other, other_membership)
    found = existing_between(access.group.id, actor.id, other.id)
    if found is not None:
        return Started(found, created=False)
    conversation = Conversation(group_id=access.group.id, kind="private", started_by_id=actor.id)
    db.session.add(conversation)
    db.session.flush()
    for user_id in (actor.id, other.id):
        db.session.add(ConversationParticipant(conversation_id=conversation.id, user_id=user_id))
    db.session.flush()
    return Started(conversation, created=True)


def possible_partners(actor: User, access: GroupAccess) -> list[tuple[User, Membership]]:
    """Whom the actor may start a private conversation with in this group: its moderators/professionals, and
    members too when the group allows it and the ages match. Bounded (the group's first ``PARTNERS_MAX``)."""
    year = utcnow().year
    return [
        (user, membership)
        for user, membership in member_list(access.group, limit=PARTNERS_MAX)
        if policy.can_start_private(actor, access.membership, access.group, user, membership, year)
    ]


def _names(conversation_ids: list[int], *, except_user_id: int | None) -> dict[int, tuple[str, ...]]:
    """Participants' display names for a page of conversations, in one query."""
    if not conversation_ids:
        return {}
    query = (
        select(ConversationParticipant.conversation_id, User.display_name, User.state)
        .join(User, User.id == ConversationParticipant.user_id)
        .join(Conversation, Conversation.id == ConversationParticipant.conversation_id)
        .where(
            ConversationParticipant.conversation_id.in_(conversation_ids),
            # a care conversation names the people in it now; a two-person one keeps a partner who left
            or_(Conversation.care.is_(False), ConversationParticipant.left_at.is_(None)),
        )
        .order_by(ConversationParticipant.conversation_id, User.display_name)
    )
    if except_user_id is not None:
        query = query.where(ConversationParticipant.user_id != except_user_id)
    names: dict[int, list[str]] = {}
    for conversation_id, name, state in db.session.execute(query):
        names.setdefault(conversation_id, []).append(name if state != "deleted" else str(_l("former member")))
    return {key: tuple(value) for key, value in names.items()}


def _last_message_times(conversation_ids: list[int]) -> dict[int, datetime]:
    if not conversation_ids:
        return {}
    # The message numbered last_seq is the latest: one index lookup per conversation, however long it is.
    rows = db.session.execute(
        select(Message.conversation_id, Message.created_at)
        .join(Conversation, and_(Conversation.id == Message.conversation_id, Message.seq == Conversation.last_seq))
        .where(Conversation.id.in_(conversation_ids))
    )
    return dict(rows.all())


def my_conversations(
    actor: User, *, group_id: int | None = None, before_id: int | None = None, limit: int = LIST_PAGE
) -> tuple[list[ConversationRow], bool]:
    """The actor's private conversations (in every group they read, or in one), newest first; keyset by id.

    Returns the rows and whether there are more (ask again with ``before_id`` = the last row's id).
    """
    if not groups_policy.is_active_account(actor):
        return [], False
    query = (
        select(Conversation, Group, ConversationParticipant.request_pending)
        .join(Group, Group.id == Conversation.group_id)
        .join(
            ConversationParticipant,
            and_(
                ConversationParticipant.conversation_id == Conversation.id,
                ConversationParticipant.user_id == actor.id,
                ConversationParticipant.left_at.is_(None),
            ),
        )
        .join(Membership, and_(Membership.group_id == Group.id, Membership.user_id == actor.id))
        .where(Conversation.kind == "private", Membership.state.in_(groups_policy.READING_STATES))
    )
    if group_id is not None:
        query = query.where(Conversation.group_id == group_id)
    if before_id is not None:
        query = query.where(Conversation.id < before_id)
    rows = db.session.execute(query.order_by(Conversation.id.desc()).limit(limit + 1)).all()
    page = rows[:limit]
    ids = [conversation.id for conversation, _group, _pending in page]
    names, times = _names(ids, except_user_id=actor.id), _last_message_times(ids)
    result = [
        ConversationRow(c, g, names.get(c.id, ()), times.get(c.id), True, bool(pending)) for c, g, pending in page
    ]
    return result, len(rows) > limit


def group_private_conversations(
    actor: User, access: GroupAccess, *, before_id: int | None = None, limit: int = LIST_PAGE
) -> tuple[list[ConversationRow], bool]:
    """For the group's moderators: THAT private conversations exist in their group (who, since when, last
    activity, reported or not), newest first; keyset by id. Whether they may read one is the policy's answer
    (only once it is reported or has an open safeguarding case, or when they take part). Others get NotFound."""
    if not policy.can_see_private_conversations_exist(actor, access.group, access.membership):
        raise NotFound(_l("We could not find that page."))
    query = select(Conversation).where(Conversation.group_id == access.group.id, Conversation.kind == "private")
    if before_id is not None:
        query = query.where(Conversation.id < before_id)
    conversations = db.session.scalars(query.order_by(Conversation.id.desc()).limit(limit + 1)).all()
    page = list(conversations[:limit])
    ids = [conversation.id for conversation in page]
    mine = set(
        db.session.scalars(
            select(ConversationParticipant.conversation_id).where(
                ConversationParticipant.conversation_id.in_(ids),
                ConversationParticipant.user_id == actor.id,
                ConversationParticipant.left_at.is_(None),
            )
        )
        if ids
        else ()
    )
    names, times = _names(ids, except_user_id=None), _last_message_times(ids)
    with_case = chat_services.conversations_with_open_case([c.id for c in page if not c.reported])
    rows = []
    for conversation in page:
        participant = ConversationParticipant(user_id=actor.id) if conversation.id in mine else None
        can_read = policy.can_read_conversation(
            actor, access.group, access.membership, conversation, participant, case_open=conversation.id in with_case
        )
        rows.append(
            ConversationRow(
                conversation, access.group, names.get(conversation.id, ()), times.get(conversation.id), can_read
            )
        )
    return rows, len(conversations) > limit


def shares_conversation(_sender: object, *, actor_id: int, other: ColumnElement[int]) -> ColumnElement[bool]:
    """SQL for ``moderation.signals.shares_place``: the actor reads a private conversation of a group they are in
    with the person ``other`` (who may have left it, or the group)."""
    me, them, member = aliased(ConversationParticipant), aliased(ConversationParticipant), aliased(Membership)
    return exists().where(
        me.user_id == actor_id,
        me.left_at.is_(None),
        them.conversation_id == me.conversation_id,
        them.user_id == other,
        Conversation.id == me.conversation_id,
        member.group_id == Conversation.group_id,
        member.user_id == actor_id,
        member.state.in_(READING_STATES),
    )
