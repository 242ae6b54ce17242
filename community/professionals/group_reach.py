"""Whose groups: the groups a person works in as a professional (active care staff: a professional, moderator or
group manager of the group), reads and writes in, as sets of ids the policy functions take, and those groups by
name."""

from __future__ import annotations

from sqlalchemy import select

from community.auth.models import User
from community.extensions import db
from community.groups import policy as groups_policy
from community.groups.models import Group, Membership


def _active_group_ids(user: User | None, *, care_staff: bool) -> set[int]:
    """Active memberships of active groups, of an active account (in a care role only, with ``care_staff``)."""
    if not groups_policy.is_active_account(user) or user is None:
        return set()
    query = (
        select(Membership.group_id)
        .join(Group, Group.id == Membership.group_id)
        .where(Membership.user_id == user.id, Membership.state == "active", Group.state == "active")
    )
    if care_staff:
        query = query.where(Membership.role.in_(groups_policy.CARE_ROLES))
    return set(db.session.scalars(query))


def care_group_ids(user: User | None) -> set[int]:
    """The groups someone works in: active professional, moderator or manager of an active group, with an active
    account."""
    return _active_group_ids(user, care_staff=True)


def reading_group_ids(user: User | None) -> set[int]:
    if not groups_policy.is_active_account(user) or user is None:
        return set()
    return set(
        db.session.scalars(
            select(Membership.group_id).where(
                Membership.user_id == user.id, Membership.state.in_(groups_policy.READING_STATES)
            )
        )
    )


def writable_group_ids(user: User | None) -> set[int]:
    return _active_group_ids(user, care_staff=False)


def groups_by_id(ids: set[int]) -> list[Group]:
    if not ids:
        return []
    return list(db.session.scalars(select(Group).where(Group.id.in_(ids)).order_by(Group.name)))
