"""Care conversations: a named private conversation the group's staff (``groups.policy.CARE_ROLES``) start with one
or more people of the group, members and colleagues (a parent, the nurse, a social worker). Staff in it add and
remove people and rename it; each change is audited and shown to everyone in it as a system line
(``chat.system_lines``). Anyone leaves by themselves (``chat.leaving``).

Rules (``chat.policy``):
* the adult/minor rule holds for every pair of people in it, except a minor with the group's staff;
* writing to a member first is outreach: only where the group allows it (``groups.outreach_allowed``, on by
  default); the member reads it as a request, and accepts, declines, or declines and blocks the staff member who
  started it (``moderation.safety``), who cannot write to them first again;
* nobody but the people in it now reads it (a person removed or gone reads nothing more, also of what came
  before); someone added later reads from the moment they were added; staff read it otherwise only through a
  report or a safeguarding case (``chat.services.open_conversation``).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select

from community.auth.models import User
from community.chat import leaving, policy, system_lines
from community.chat.models import TITLE_MAX, Conversation, ConversationParticipant
from community.chat.services import ConversationAccess, open_conversation
from community.core import audit
from community.core.errors import DomainError, Forbidden, NotFound
from community.core.time import utcnow
from community.core.transaction import on_commit
from community.extensions import db
from community.groups import policy as groups_policy
from community.groups.models import Group, Membership
from community.groups.services import GroupAccess, member_list
from community.moderation import safety
from community.moderation import services as moderation
from community.notifications import services as notifications

PEOPLE_MAX = 20  # in one care conversation, the starter included
CANDIDATES_MAX = 200
ANSWERS = ("accept", "decline", "block")
Person = tuple[User, Membership | None]


@dataclass(frozen=True)
class Candidate:
    """Someone the staff may pick on the form, with what the minor rule needs to be explained."""

    user: User
    is_staff: bool
    minor: bool | None  # None: the age is not known


# --- checks --------------------------------------------------------------------------------------------------


def clean_title(raw: str | None, actor: User) -> str:
    """A conversation's name: one line, 2 to 80 characters, screened like a display name (it is shown to all)."""
    title = re.sub(r"\s+", " ", (raw or "").replace("\x00", "")).strip()
    if not 2 <= len(title) <= TITLE_MAX:
        raise DomainError(_l("Give the conversation a name of 2 to %(max)s characters.", max=TITLE_MAX), field="title")
    screening = moderation.screen(actor, None, None, title, kind="display_name")
    if screening.verdict == moderation.REFUSE:
        raise DomainError(screening.reason, field="title")
    if screening.verdict == moderation.HOLD:
        raise DomainError(_l("This cannot be used as a name. Please change the wording."), field="title")
    return title


def _pair_refusal(group: Group, people: list[Person], year: int) -> DomainError | None:
    """The first pair the adult/minor rule refuses, in words that say who and what to do."""
    for index, (a, a_membership) in enumerate(people):
        for b, b_membership in people[index + 1 :]:
            if policy.pair_may_share_care_conversation(group, a, a_membership, b, b_membership, year):
                continue
            minor = a if policy.is_minor(a, year) else b
            other = b if minor is a else a
            if policy.is_minor(a, year) is None or policy.is_minor(b, year) is None:
                unknown = a if policy.is_minor(a, year) is None else b
                return DomainError(
                    _l(
                        "%(name)s's age is not known, so they can be in a conversation with the group's staff only, "
                        "not with other members. Start a separate conversation with them.",
                        name=unknown.display_name,
                    ),
                    field="user_ids",
                )
            return DomainError(
                _l(
                    "%(minor)s is under 18 and %(adult)s is an adult member: a young person talks privately with the "
                    "group's staff only. Start a separate conversation with %(minor)s.",
                    minor=minor.display_name,
                    adult=other.display_name,
                ),
                field="user_ids",
            )
    return None


def _require_staff(actor: User, group: Group, membership: Membership | None) -> None:
    if not (
        policy.is_care_staff_in(actor, group, membership) and groups_policy.can_write_in_group(actor, group, membership)
    ):
        raise Forbidden(_l("Only the group's professionals and moderators start care conversations."))


def _people(group: Group, user_ids: list[int], actor: User) -> list[Person]:
    """The chosen people of the group (each once, never the actor); anyone not in the group is "not found"."""
    wanted = sorted({user_id for user_id in user_ids if user_id != actor.id and 0 < user_id < 2**31})
    if not wanted:
        raise DomainError(_l("Choose at least one person to talk with."), field="user_ids")
    rows = db.session.execute(
        select(User, Membership)
        .join(Membership, and_(Membership.user_id == User.id, Membership.group_id == group.id))
        .where(User.id.in_(wanted))
        .order_by(User.display_name)
    ).all()
    people = [(user, membership) for user, membership in rows if groups_policy.can_view_group(user, group, membership)]
    if len(people) != len(wanted):
        raise NotFound(_l("We could not find one of those people in this group."), field="user_ids")
    return people


def _check_outreach(actor: User, group: Group, newcomers: list[Person]) -> None:
    """Members the staff write to first: the group must allow it, and the member must not have blocked the actor."""
    for user, membership in newcomers:
        if policy.is_care_staff_in(user, group, membership):
            continue
        if not policy.can_reach_out(group):
            raise Forbidden(
                _l("In this group, the staff do not write to members first: a member starts the conversation."),
                field="user_ids",
            )
        if safety.has_blocked(user.id, actor.id):  # the same words as for anyone unreachable: nobody is told
            raise Forbidden(
                _l("%(name)s cannot be reached in this group at the moment.", name=user.display_name), field="user_ids"
            )


def _welcome(conversation: Conversation, actor: User, group: Group, newcomers: list[Person]) -> None:
    """Rows for the newcomers (a member has a request to answer), reading from now on, and their notice."""
    start = conversation.last_seq
    existing = {
        row.user_id: row
        for row in db.session.scalars(
            select(ConversationParticipant).where(
                ConversationParticipant.conversation_id == conversation.id,
                ConversationParticipant.user_id.in_([user.id for user, _m in newcomers]),
            )
        )
    }
    for user, membership in newcomers:
        row = existing.get(user.id) or ConversationParticipant(conversation_id=conversation.id, user_id=user.id)
        row.left_at, row.joined_at = None, utcnow()
        row.from_seq = row.last_read_seq = start
        row.request_pending = not policy.is_care_staff_in(user, group, membership)
        db.session.add(row)
    db.session.flush()
    notifications.notify(
        [user.id for user, _m in newcomers], kind="private_message", actor_id=actor.id, group_id=group.id,
        target_type="conversation", target_id=conversation.id,
    )  # fmt: skip


# --- starting, adding, removing, renaming --------------------------------------------------------------------


def start_care_conversation(actor: User, access: GroupAccess, *, title: str, user_ids: list[int]) -> Conversation:
    """Start a named conversation with people of the group. Preconditions: ``access`` is the actor's
    (``open_group``). Refused as a whole (nothing stored) when one person may not be in it."""
    group = access.group
    _require_staff(actor, group, access.membership)
    title = clean_title(title, actor)
    people = _people(group, user_ids, actor)
    if len(people) + 1 > PEOPLE_MAX:
        raise DomainError(_l("A conversation can have at most %(max)s people.", max=PEOPLE_MAX), field="user_ids")
    refusal = _pair_refusal(group, [(actor, access.membership), *people], utcnow().year)
    if refusal is not None:
        raise refusal
    _check_outreach(actor, group, people)
    conversation = Conversation(group_id=group.id, kind="private", care=True, title=title, started_by_id=actor.id)
    db.session.add(conversation)
    db.session.flush()
    db.session.add(ConversationParticipant(conversation_id=conversation.id, user_id=actor.id))
    db.session.flush()
    system_lines.add_line(conversation, actor, "started")
    _welcome(conversation, actor, group, people)
    audit.record(
        "chat.care_started", actor_id=actor.id, target_type="conversation", target_id=conversation.id,
        group_id=group.id, details={"participants": sorted(user.id for user, _m in people)},
    )  # fmt: skip
    return conversation


def _managed(actor: User, conversation_id: int) -> ConversationAccess:
    access = open_conversation(actor, conversation_id)
    if not access.conversation.care:
        raise NotFound(_l("We could not find that conversation."))
    if not policy.can_manage_care(actor, access.group, access.membership, access.participant):
        raise Forbidden(_l("Only the group's staff in this conversation add or remove people and rename it."))
    return access


def add_people(actor: User, conversation_id: int, user_ids: list[int]) -> list[User]:
    """Add people of the group to a care conversation the actor manages; all or nothing."""
    access = _managed(actor, conversation_id)
    present = {user.id for user, _m in access.partners}
    people = [person for person in _people(access.group, user_ids, actor) if person[0].id not in present]
    if not people:
        raise DomainError(_l("Everyone you chose is in the conversation already."), field="user_ids")
    if len(access.partners) + len(people) + 1 > PEOPLE_MAX:
        raise DomainError(_l("A conversation can have at most %(max)s people.", max=PEOPLE_MAX), field="user_ids")
    everyone = [(actor, access.membership), *access.partners, *people]
    refusal = _pair_refusal(access.group, everyone, access.this_year)
    if refusal is not None:
        raise refusal
    _check_outreach(actor, access.group, people)
    for user, _m in people:
        system_lines.add_line(access.conversation, actor, "added", subject=user)
    _welcome(access.conversation, actor, access.group, people)
    audit.record(
        "chat.care_people_added", actor_id=actor.id, target_type="conversation", target_id=conversation_id,
        group_id=access.group.id, details={"added": sorted(user.id for user, _m in people)},
    )  # fmt: skip
    return [user for user, _m in people]


def remove_person(actor: User, conversation_id: int, user_id: int) -> User:
    """Take someone out of a care conversation: they stop reading it at once (their sockets leave its room after
    the commit). One leaves by oneself with ``chat.leaving.leave_conversation``."""
    access = _managed(actor, conversation_id)
    if user_id == actor.id:
        raise DomainError(_l("To leave the conversation yourself, use “Leave this conversation”."))
    row = db.session.scalar(
        select(ConversationParticipant).where(
            ConversationParticipant.conversation_id == conversation_id,
            ConversationParticipant.user_id == user_id,
            ConversationParticipant.left_at.is_(None),
        )
    )
    person = db.session.get(User, user_id) if row is not None else None
    if row is None or person is None:
        raise NotFound(_l("That person is not in this conversation."))
    row.left_at = utcnow()
    system_lines.add_line(access.conversation, actor, "removed", subject=person)
    audit.record(
        "chat.care_person_removed", actor_id=actor.id, target_type="conversation", target_id=conversation_id,
        group_id=access.group.id, details={"removed": user_id},
    )  # fmt: skip
    on_commit(lambda: leaving.leave_conversation_room_now(user_id, conversation_id))
    return person


def rename(actor: User, conversation_id: int, title: str) -> bool:
    """Give a care conversation a new name; returns whether it changed. The audit keeps ids, not the name."""
    access = _managed(actor, conversation_id)
    title = clean_title(title, actor)
    if title == access.conversation.title:
        return False
    access.conversation.title = title
    system_lines.add_line(access.conversation, actor, "renamed")
    audit.record(
        "chat.care_renamed", actor_id=actor.id, target_type="conversation", target_id=conversation_id,
        group_id=access.group.id,
    )  # fmt: skip
    return True


# --- the member's answer to outreach -------------------------------------------------------------------------


def answer_request(actor: User, conversation_id: int, answer: str) -> ConversationAccess:
    """Accept, decline, or decline and block the staff member who started it (they cannot write to the actor
    first again). Declining leaves the conversation; the others see it happen."""
    access = open_conversation(actor, conversation_id)
    if answer not in ANSWERS:
        raise DomainError(_l("Choose to accept or decline."))
    if not access.request_pending:
        raise DomainError(_l("There is no request to answer in this conversation."))
    participant = access.participant
    if answer == "accept":
        participant.request_pending = False
        system_lines.add_line(access.conversation, actor, "accepted")
        return access
    participant.request_pending = False
    participant.left_at = utcnow()
    system_lines.add_line(access.conversation, actor, "declined")
    starter = access.conversation.started_by_id
    if answer == "block" and starter is not None and starter != actor.id:
        safety.set_relation(actor, starter, "block", on=True)
    on_commit(lambda: leaving.leave_conversation_room_now(actor.id, conversation_id))
    return access


# --- what the pages show -------------------------------------------------------------------------------------


def candidates(actor: User, access: GroupAccess, *, leave_out: Collection[int] = ()) -> list[Candidate]:
    """The people of the group the staff may pick (bounded), with whether they are staff and their age group,
    so the form can explain the minor rule before anyone submits."""
    year = utcnow().year
    return [
        Candidate(user, policy.is_care_staff_in(user, access.group, membership), policy.is_minor(user, year))
        for user, membership in member_list(access.group, limit=CANDIDATES_MAX)
        if user.id != actor.id and user.id not in leave_out
    ]


@dataclass(frozen=True)
class PersonRow:
    user: User
    is_staff: bool
    request_pending: bool


def people_in(access: ConversationAccess) -> list[PersonRow]:
    """Who is in a care conversation now, the reader included, by name."""
    rows = db.session.execute(
        select(User, Membership, ConversationParticipant.request_pending)
        .join(ConversationParticipant, ConversationParticipant.user_id == User.id)
        .outerjoin(Membership, and_(Membership.user_id == User.id, Membership.group_id == access.group.id))
        .where(
            ConversationParticipant.conversation_id == access.conversation.id,
            ConversationParticipant.left_at.is_(None),
        )
        .order_by(User.display_name)
    ).all()
    return [
        PersonRow(user, policy.is_care_staff_in(user, access.group, membership), bool(pending))
        for user, membership, pending in rows
    ]
