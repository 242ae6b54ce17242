"""Account-wide rules. Pure predicates: plain values in, a bool out, no Flask globals."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from community.auth.models import User


class RoleHolder(Protocol):
    """A membership as these predicates read it (``groups.models.Membership``): its role and state."""

    role: str
    state: str


# A staff member whose membership was removed holds no staff powers any more; every other state still does.
STAFF_MEMBERSHIP_STATES = ("active", "muted", "suspended")
# The group roles that make an account staff: groups.policy.CARE_ROLES (auth sits below groups and cannot import
# it; tests/groups/test_roles_policy.py keeps the two the same).
STAFF_ROLES = ("professional", "moderator", "manager")


def is_staff(user: User | None, memberships: Iterable[RoleHolder]) -> bool:
    """Admins, and professionals, moderators and managers of any group: the accounts whose takeover would hurt
    other members."""
    if user is None:
        return False
    if user.is_admin:
        return True
    return any(m.role in STAFF_ROLES and m.state in STAFF_MEMBERSHIP_STATES for m in memberships)


def two_factor_required(user: User | None, is_staff: bool, required_setting: bool) -> bool:
    """Two-factor sign-in is compulsory for staff when the instance says so (on by default in production)."""
    return user is not None and is_staff and bool(required_setting)


def can_view_profile(viewer: User | None, subject: User, shares_group: bool) -> bool:
    """Members see each other only through a group they are both in; anyone may see their own profile.

    A person outside every shared group gets "not found": even the existence of an account is private.
    """
    if viewer is None or viewer.state != "active":
        return False
    if viewer.id == subject.id:
        return True
    return shares_group and subject.state == "active"


def can_see_private_details(viewer: User | None) -> bool:
    """A member's username (login name) and email address: instance admins only."""
    return viewer is not None and viewer.state == "active" and viewer.is_admin


def is_instance_admin(user: User | None) -> bool:
    """An active admin account."""
    return user is not None and user.state == "active" and bool(user.is_admin)


def can_suspend_account(actor: User | None, subject: User | None) -> bool:
    """Admins suspend active accounts, never their own: a locked-out last admin cannot undo it."""
    return (
        is_instance_admin(actor)
        and subject is not None
        and actor is not None
        and subject.id != actor.id
        and subject.state == "active"
    )


def can_unsuspend_account(actor: User | None, subject: User | None) -> bool:
    return is_instance_admin(actor) and subject is not None and subject.state == "suspended"
