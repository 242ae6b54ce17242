"""Who may do what in a group. Pure predicates: plain values in, a bool out, no Flask globals.

A person's rights in a group come from their membership row alone; instance admins are a flag on the
account and do not read groups they are not in.
"""

from __future__ import annotations

from community.auth.models import User
from community.groups.models import Group, Membership

READING_STATES = ("active", "muted")  # a muted member reads but does not write


def is_active_account(user: User | None) -> bool:
    return user is not None and user.state == "active"


def can_view_group(user: User | None, group: Group, membership: Membership | None) -> bool:
    return (
        is_active_account(user)
        and membership is not None
        and membership.group_id == group.id
        and membership.state in READING_STATES
    )


def can_write_in_group(user: User | None, group: Group, membership: Membership | None) -> bool:
    return (
        can_view_group(user, group, membership)
        and group.state == "active"
        and membership is not None
        and membership.state == "active"
    )


def is_group_moderator(user: User | None, group: Group, membership: Membership | None) -> bool:
    return can_view_group(user, group, membership) and membership is not None and membership.role == "moderator"


def can_manage_groups(user: User | None) -> bool:
    return is_active_account(user) and user is not None and user.is_admin
