"""Who may do what in chat. Pure predicates: plain values in, a bool out, no Flask globals, no queries.

The caller loads the rows once (``chat.services.open_conversation`` does, per event) and passes them in:
the actor, the group, the actor's membership, the conversation, the actor's participant row (private
conversations), and for private conversations the partner and the partner's membership.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from community.auth.models import User
from community.chat.models import Conversation, ConversationParticipant, Message
from community.groups import policy as groups_policy
from community.groups.models import Group, Membership

ADULT_AGE = 18
EDIT_WINDOW = timedelta(minutes=15)
VISIBLE_STATES_FOR_MODERATORS = ("published", "held")
SYSTEM_STATE = "system"  # a care conversation's line "Anna added Ben": everyone in it sees it, nobody changes it


# --- age and private conversations ---------------------------------------------------------------------------


def is_minor(user: User, this_year: int) -> bool | None:
    """Under 18 this year (born less than 18 years before this year). None when the year of birth is unknown."""
    if user.year_of_birth is None:
        return None
    return this_year - user.year_of_birth < ADULT_AGE


def is_staff_in(membership: Membership | None) -> bool:
    """Care staff of the group (a professional, moderator or group manager), in good standing (a muted one does
    not act as staff)."""
    return membership is not None and membership.role in groups_policy.CARE_ROLES and membership.state == "active"


def pair_may_talk_privately(
    group: Group,
    first: User,
    first_membership: Membership | None,
    second: User,
    second_membership: Membership | None,
    this_year: int,
) -> bool:
    """May these two people have a private conversation in this group?

    * Both must read the group (active account, membership active or muted), and be two different people.
    * With a moderator/professional of the group on either side: yes. That is the point of the feature
      ("the question I forgot to ask the nurse"), for minors too.
    * Member to member: only when the group allows it (off by default), and never between an adult and a
      minor. When either year of birth is unknown the ages cannot be compared, so the answer is no (fail closed).
    """
    if first.id == second.id:
        return False
    for user, membership in ((first, first_membership), (second, second_membership)):
        if not groups_policy.can_view_group(user, group, membership):
            return False
    if is_staff_in(first_membership) or is_staff_in(second_membership):
        return True
    if not group.member_messages_allowed:
        return False
    first_minor, second_minor = is_minor(first, this_year), is_minor(second, this_year)
    if first_minor is None or second_minor is None:
        return False
    return first_minor == second_minor


def can_start_private(
    actor: User,
    actor_membership: Membership | None,
    group: Group,
    other: User,
    other_membership: Membership | None,
    this_year: int,
) -> bool:
    """Start (or reopen) a private conversation: the actor may write in the group, and the pair is allowed."""
    return groups_policy.can_write_in_group(actor, group, actor_membership) and pair_may_talk_privately(
        group, actor, actor_membership, other, other_membership, this_year
    )


# --- care conversations (chat/care.py) -----------------------------------------------------------------------


def is_care_staff_in(user: User | None, group: Group, membership: Membership | None) -> bool:
    """The group's staff (``groups.policy.CARE_ROLES``) in good standing: they start care conversations, add and
    remove people, and write to members first where the group allows outreach."""
    return (
        groups_policy.is_care_staff(user, group, membership) and membership is not None and membership.state == "active"
    )


def pair_may_share_care_conversation(
    group: Group,
    first: User,
    first_membership: Membership | None,
    second: User,
    second_membership: Membership | None,
    this_year: int,
) -> bool:
    """May these two be in the same care conversation? Both read the group; with the group's staff on either side,
    yes (a minor with the professionals); between two members, the adult/minor rule of private conversations:
    both ages known and on the same side of 18 (member-to-member messages need not be on: the staff lead it)."""
    if first.id == second.id:
        return True
    for user, membership in ((first, first_membership), (second, second_membership)):
        if not groups_policy.can_view_group(user, group, membership):
            return False
    if is_care_staff_in(first, group, first_membership) or is_care_staff_in(second, group, second_membership):
        return True
    first_minor, second_minor = is_minor(first, this_year), is_minor(second, this_year)
    return first_minor is not None and second_minor is not None and first_minor == second_minor


def care_people_allowed(group: Group, people: list[tuple[User, Membership | None]], this_year: int) -> bool:
    """The adult/minor rule for EVERY pair of a care conversation's people."""
    return all(
        pair_may_share_care_conversation(group, a, a_membership, b, b_membership, this_year)
        for index, (a, a_membership) in enumerate(people)
        for b, b_membership in people[index + 1 :]
    )


def can_manage_care(
    user: User | None, group: Group, membership: Membership | None, participant: ConversationParticipant | None
) -> bool:
    """Add and remove people, rename: the group's staff who take part in the care conversation."""
    return (
        is_participant(user, participant)
        and participant is not None
        and not participant.request_pending
        and is_care_staff_in(user, group, membership)
        and groups_policy.can_write_in_group(user, group, membership)
    )


def can_reach_out(group: Group) -> bool:
    """May the group's staff start a conversation with a member who did not ask (outreach)?"""
    return bool(group.outreach_allowed)


def can_see_private_conversations_exist(user: User | None, group: Group, membership: Membership | None) -> bool:
    """The group's moderators see THAT private conversations exist in their group (who, since when): not what
    is said in them (see ``can_read_conversation``)."""
    return groups_policy.is_group_moderator(user, group, membership)


# --- reading and writing in a conversation -------------------------------------------------------------------


def is_participant(user: User | None, participant: ConversationParticipant | None) -> bool:
    return (
        user is not None and participant is not None and participant.user_id == user.id and participant.left_at is None
    )


def can_read_conversation(
    user: User | None,
    group: Group,
    membership: Membership | None,
    conversation: Conversation,
    participant: ConversationParticipant | None,
    *,
    case_open: bool = False,
) -> bool:
    """A group room: everyone who reads the group. A private conversation: its participants; the group's
    moderators only once it has been reported, or while a safeguarding case about one of its messages is open
    (``case_open``; before that they know it exists, nothing more). Instance admins who are not in the group
    never read it here: they read a reported message through the moderation pages (``moderation.targets``)."""
    if conversation.group_id != group.id or not groups_policy.can_view_group(user, group, membership):
        return False
    if conversation.kind == "group":
        return True
    if is_participant(user, participant):
        return True
    return under_review(conversation, case_open) and groups_policy.is_group_moderator(user, group, membership)


def under_review(conversation: Conversation, case_open: bool) -> bool:
    """A private conversation someone has reported, or with an open safeguarding case about one of its
    messages: the only grounds on which anyone but its participants may read it (each read is logged)."""
    return bool(conversation.reported) or case_open


def can_write_conversation(
    user: User | None,
    group: Group,
    membership: Membership | None,
    conversation: Conversation,
    participant: ConversationParticipant | None,
    partner: User | None,
    partner_membership: Membership | None,
    this_year: int,
) -> bool:
    """Write (send, react, type) in a conversation one can read.

    A group room: an active member of an active group. A private conversation: a participant who may write in
    the group, and the pair is still allowed now (a moderator who stepped down, a partner who left, a group
    that switched member-to-member messages off: the conversation stays readable but closes for writing).
    """
    if not can_read_conversation(user, group, membership, conversation, participant) or user is None:
        return False
    if not groups_policy.can_write_in_group(user, group, membership):
        return False
    if conversation.kind == "group":
        return True
    if not is_participant(user, participant) or partner is None:
        return False
    return pair_may_talk_privately(group, user, membership, partner, partner_membership, this_year)


def can_write_care(
    user: User | None,
    group: Group,
    membership: Membership | None,
    conversation: Conversation,
    participant: ConversationParticipant | None,
    others: tuple[tuple[User, Membership | None], ...],
    this_year: int,
) -> bool:
    """Write in a care conversation: a participant who may write in the group and has accepted (a request is read
    first), with someone else still in it, and every pair of the people in it still allowed now (someone's role
    or age changed: the conversation stays readable but closes for writing)."""
    if user is None or not can_read_conversation(user, group, membership, conversation, participant):
        return False
    if not groups_policy.can_write_in_group(user, group, membership) or not is_participant(user, participant):
        return False
    if participant is None or participant.request_pending or not others:
        return False
    return care_people_allowed(group, [(user, membership), *others], this_year)


def is_muted(membership: Membership | None) -> bool:
    return membership is not None and membership.state == "muted"


def can_moderate_conversation(
    user: User | None,
    group: Group,
    membership: Membership | None,
    conversation: Conversation,
    participant: ConversationParticipant | None,
    *,
    case_open: bool = False,
) -> bool:
    """Remove anyone's message: an acting moderator of the group, in a conversation they may read."""
    return is_staff_in(membership) and can_read_conversation(
        user, group, membership, conversation, participant, case_open=case_open
    )


def can_edit_words_as_moderator(conversation: Conversation | None) -> bool:
    """Moderators may edit a post's or a group room message's words ("edit and approve"); never a private
    message's: they may hide or remove a reported one, the words stay the writer's."""
    return conversation is None or conversation.kind != "private"


def skips_slow_mode(membership: Membership | None) -> bool:
    """Moderators keep talking in a slowed-down room: they are the ones calming it."""
    return is_staff_in(membership)


# --- messages ------------------------------------------------------------------------------------------------


def can_see_message(user: User | None, membership: Membership | None, message: Message) -> bool:
    """Precondition: the actor may read the conversation. Published messages (and system lines) for everyone; a
    held message for
    its writer and the group's moderators; removed and deleted messages for nobody."""
    if message.state in ("published", SYSTEM_STATE):
        return True
    if message.state != "held" or user is None:
        return False
    return message.author_id == user.id or (
        membership is not None and membership.role in groups_policy.MODERATING_ROLES
    )


def within_edit_window(message: Message, now: datetime) -> bool:
    return now - message.created_at <= EDIT_WINDOW


def can_edit_message(user: User | None, membership: Membership | None, message: Message, now: datetime) -> bool:
    """Precondition: the actor may write in the conversation. Their own published or held message, within the
    edit window."""
    return (
        user is not None
        and message.author_id == user.id
        and message.state in VISIBLE_STATES_FOR_MODERATORS
        and within_edit_window(message, now)
    )


def can_delete_own_message(user: User | None, message: Message, now: datetime) -> bool:
    """Precondition: the actor may read the conversation. Their own message, within the edit window (a muted
    member may still take back what they wrote)."""
    return (
        user is not None
        and message.author_id == user.id
        and message.state in VISIBLE_STATES_FOR_MODERATORS
        and within_edit_window(message, now)
    )


def can_react_to(message: Message) -> bool:
    """Precondition: the actor may write in the conversation. Only published messages carry reactions."""
    return message.state == "published"
