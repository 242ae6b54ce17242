"""Who may moderate what. Pure predicates: plain values in, a bool out, no Flask globals or queries."""

from __future__ import annotations

from community.auth.models import User
from community.groups import policy as groups_policy
from community.groups.models import Group, Membership

CONTENT_ACTIONS = ("approve", "refuse", "rephrase", "edit_approve", "hide", "delete", "dismiss")
MEMBER_ACTIONS = ("warn", "mute", "suspend", "remove")
APPEAL_DECISIONS = ("uphold", "overturn")
# What a member may ask another look at (once): refusals and sanctions.
APPEALABLE = ("refuse", "hide", "delete", "edit_approve", "warn", "mute", "suspend", "remove")


def is_acting_moderator(user: User | None, group: Group, membership: Membership | None) -> bool:
    """The group's moderator in good standing (a muted or suspended moderator does not moderate)."""
    return (
        groups_policy.is_group_moderator(user, group, membership)
        and membership is not None
        and membership.state == "active"
    )


def can_moderate(user: User | None, group: Group, membership: Membership | None) -> bool:
    """Work the group's queue and act on its content and members: its moderators, and instance admins."""
    return groups_policy.can_manage_groups(user) or is_acting_moderator(user, group, membership)


def can_sanction(actor: User | None, subject: User | None, subject_membership: Membership | None) -> bool:
    """Member actions reach those who do not moderate (members and professionals): nobody warns, mutes,
    suspends or removes a moderator, a group manager or an admin here (an admin changes roles in the admin area
    first), nor themselves."""
    return (
        actor is not None
        and subject is not None
        and actor.id != subject.id
        and not subject.is_admin
        and subject_membership is not None
        and subject_membership.role not in groups_policy.MODERATING_ROLES
        and subject_membership.state != "removed"
    )


def can_decide_appeal(actor: User | None, excluded_moderator_id: int | None, other_moderators: int) -> bool:
    """The moderator who took the appealed action may not decide the appeal while another one exists."""
    if actor is None:
        return False
    return actor.id != excluded_moderator_id or other_moderators == 0


def can_read_notes(user: User | None, group: Group, membership: Membership | None) -> bool:
    """Notes on a member: the group's own moderators only (not instance admins who are not in the group)."""
    return is_acting_moderator(user, group, membership)


def can_report(user: User | None, group: Group, membership: Membership | None) -> bool:
    """Reporting is for anyone who reads the group (a muted member too: a report is not taking part)."""
    return groups_policy.can_view_group(user, group, membership)


def can_see_queue_figures(user: User | None) -> bool:
    return groups_policy.is_active_account(user)
