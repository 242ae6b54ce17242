"""Group and membership rules shared by pages, sockets, the CLI and the demo."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select

from community.auth.models import User
from community.core import audit
from community.core.errors import DomainError, Forbidden, NotFound
from community.extensions import db
from community.groups import policy
from community.groups.models import GROUP_KINDS, ROLES, Group, Membership


@dataclass(frozen=True)
class GroupAccess:
    """A group together with the actor's membership in it, resolved once per request."""

    group: Group
    membership: Membership

    @property
    def is_moderator(self) -> bool:
        return self.membership.role == "moderator"


def memberships_of(user: User) -> list[GroupAccess]:
    """The groups a member can open, by name."""
    rows = db.session.execute(
        select(Group, Membership)
        .join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == user.id, Membership.state.in_(policy.READING_STATES))
        .order_by(Group.name)
    ).all()
    return [
        GroupAccess(group, membership) for group, membership in rows if policy.can_view_group(user, group, membership)
    ]


def open_group(user: User, slug: str) -> GroupAccess:
    """The group if the actor may read it. A group they are not in is "not found", never "forbidden"."""
    row = db.session.execute(
        select(Group, Membership)
        .outerjoin(Membership, (Membership.group_id == Group.id) & (Membership.user_id == user.id))
        .where(Group.slug == slug)
    ).first()
    if row is None or not policy.can_view_group(user, row[0], row[1]):
        raise NotFound("We could not find that group.")
    return GroupAccess(row[0], row[1])


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60] or "group"


def create_group(actor: User, *, name: str, description: str = "", kind: str = "other") -> Group:
    if not policy.can_manage_groups(actor):
        raise Forbidden("Only an admin can create groups.")
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= 80:
        raise DomainError("Give the group a name of 2 to 80 characters.", field="name")
    if kind not in GROUP_KINDS:
        raise DomainError("Choose what kind of group this is.", field="kind")
    base = slug = slugify(name)
    counter = 2
    while db.session.scalar(select(func.count()).select_from(Group).where(Group.slug == slug)):
        slug, counter = f"{base}-{counter}", counter + 1
    group = Group(name=name, slug=slug, description=description.strip(), kind=kind)
    db.session.add(group)
    db.session.flush()
    audit.record("group.created", actor_id=actor.id, target_type="group", target_id=group.id, group_id=group.id)
    return group


def add_member(actor: User, group: Group, user: User, *, role: str = "member") -> Membership:
    """Put a person in a group (or change their role). Admin only here; invitations use their own path."""
    if not policy.can_manage_groups(actor):
        raise Forbidden("Only an admin can add people to a group directly.")
    if role not in ROLES:
        raise DomainError("Choose member or moderator.", field="role")
    membership = db.session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id)
    )
    if membership is None:
        membership = Membership(group_id=group.id, user_id=user.id, role=role)
        db.session.add(membership)
    else:
        membership.role, membership.state = role, "active"
    db.session.flush()
    audit.record(
        "membership.added",
        actor_id=actor.id,
        target_type="user",
        target_id=user.id,
        group_id=group.id,
        details={"role": role},
    )
    return membership


def member_list(group: Group, *, limit: int = 200) -> list[tuple[User, Membership]]:
    """Active people of a group, moderators first. Bounded: a group page never lists thousands."""
    rows = db.session.execute(
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == group.id, Membership.state.in_(policy.READING_STATES), User.state == "active")
        .order_by(Membership.role.desc(), User.display_name)
        .limit(limit)
    ).all()
    return [(user, membership) for user, membership in rows]
