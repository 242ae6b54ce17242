"""Consent rules as pure predicates: plain values in, a bool out, no Flask globals, no queries."""

from __future__ import annotations

from community.auth.models import User
from community.groups.models import Group, Membership
from community.groups.policy import MODERATING_ROLES

REQUIRED_KINDS = ("terms", "privacy", "health_data")  # instance-wide documents a member must agree to
ADMIN_KINDS = REQUIRED_KINDS


def is_active_account(user: User | None) -> bool:
    return user is not None and user.state == "active"


def is_minor(year_of_birth: int | None, this_year: int, consent_age: int) -> bool:
    """Younger than the consent age this year. Unknown year of birth: not known to be a minor."""
    return year_of_birth is not None and consent_age > 0 and this_year - year_of_birth < consent_age


def decision_is_current(latest_decision: str | None, decided_version: int | None, current_version: int) -> bool:
    """The member's latest decision on a document counts only if it is "given" for the current version."""
    return latest_decision == "given" and decided_version == current_version


def needs_group_rules(membership: Membership | None, rules_version: int | None) -> bool:
    """Members and professionals accept their group's current rules; those who write them (the group's moderators
    and managers) are not asked."""
    if rules_version is None or membership is None:
        return False
    return membership.role not in MODERATING_ROLES


def can_manage_documents(user: User | None) -> bool:
    """Terms of use, privacy notice and the health-data consent: instance admins only."""
    return is_active_account(user) and user is not None and user.is_admin


def can_write_group_rules(user: User | None, group: Group, membership: Membership | None) -> bool:
    """A group's rules: its (active) moderators and managers, and admins."""
    if not is_active_account(user) or group.state != "active":
        return False
    if can_manage_documents(user):
        return True
    return (
        membership is not None
        and membership.group_id == group.id
        and membership.role in MODERATING_ROLES
        and membership.state == "active"
    )


def can_withdraw(decision: str | None) -> bool:
    """Only a consent that was given can be withdrawn."""
    return decision == "given"
