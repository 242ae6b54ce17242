"""Who may change the pipeline's rules. Pure predicates: plain values in, a bool out, no Flask globals."""

from __future__ import annotations

from community.auth.models import User
from community.groups import policy as group_policy
from community.groups.models import Group, Membership


def can_manage_filters(user: User | None, group: Group | None, membership: Membership | None) -> bool:
    """Instance-wide filters: admins. A group's filters: admins and that group's moderators."""
    if group_policy.can_manage_groups(user):
        return True
    return group is not None and group_policy.is_group_moderator(user, group, membership)


def can_manage_moderation_settings(user: User | None, group: Group, membership: Membership | None) -> bool:
    """Pre-moderation, personal-details mode, automatic slow mode and new-member limits of a group."""
    return group.state == "active" and can_manage_filters(user, group, membership)


def can_lift_slow_mode(user: User | None, group: Group, membership: Membership | None) -> bool:
    return group_policy.is_group_moderator(user, group, membership)
