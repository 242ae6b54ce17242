"""Who may see what in staff insight. Pure predicates: plain values in, a bool out."""

from __future__ import annotations

from community.auth.models import User
from community.groups.models import Group, Membership
from community.groups.policy import can_manage_groups, is_group_moderator


def can_view_insight(user: User | None, group: Group, membership: Membership | None) -> bool:
    """Admins see every group's figures; a moderator sees their own groups'."""
    return can_manage_groups(user) or is_group_moderator(user, group, membership)


def can_view_workload(user: User | None, group: Group, membership: Membership | None) -> bool:
    """Per-moderator figures name staff: admins only (they share the load between moderators)."""
    return can_manage_groups(user)


def can_use_handover(user: User | None, group: Group, membership: Membership | None) -> bool:
    """The hand-over board is the group's moderators' own (admins read and write it too)."""
    return can_manage_groups(user) or is_group_moderator(user, group, membership)


def can_set_goals(user: User | None, group: Group) -> bool:
    return can_manage_groups(user)


def can_use_insight_area(user: User | None, moderates_any: bool) -> bool:
    return can_manage_groups(user) or (user is not None and user.state == "active" and moderates_any)
