"""A member leaving a group themselves: the page's confirmation and the service behind it."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from community.auth.models import User
from community.core import audit
from community.core.errors import DomainError, NotFound
from community.core.realtime import leave_group_rooms_after_commit
from community.core.time import utcnow
from community.extensions import db
from community.groups import policy
from community.groups.models import Group, Membership
from community.groups.signals import member_left


def open_leaving(actor: User, slug: str) -> tuple[Group, Membership]:
    """The group and the actor's membership, for the confirmation page and the leaving itself. A group they are
    not in is "not found", as everywhere; one they left (or were removed from) says so. The entry checks do not
    apply: nobody has to accept a group's rules to leave it."""
    row = db.session.execute(
        select(Group, Membership)
        .join(Membership, (Membership.group_id == Group.id) & (Membership.user_id == actor.id))
        .where(Group.slug == slug)
    ).first()
    if row is not None and row[1].state == "removed" and policy.is_active_account(actor):
        raise NotFound(_("You are no longer in this group."))
    if row is None or not policy.can_view_group(actor, row[0], row[1]):
        raise NotFound(_("We could not find that group."))
    return row[0], row[1]


def leave_group(actor: User, slug: str) -> Membership:
    """The actor leaves a group themselves. Audited (``membership.left``); everything they wrote stays, under the
    group's retention rules. Like a removal, the membership becomes ``removed`` (so only an invitation made after
    now lets them back: ``policy.may_rejoin_through``), their sockets leave the group's rooms after the commit,
    and chat ends their private conversations in the group (``signals.member_left``). Their sessions stay: they
    are still signed in to their other groups.

    The group's last moderator cannot leave while others remain: someone must be there for held posts and
    safeguarding alerts, so an admin appoints another moderator first (instance admins still reach the group).
    """
    group, membership = open_leaving(actor, slug)
    if is_last_moderator_in(group, actor, membership):
        raise DomainError(
            _(
                "You are the last moderator of this group. Ask an admin to appoint another moderator first; "
                "then you can leave."
            )
        )
    previous_role = membership.role
    membership.state, membership.state_until, membership.role = "removed", None, "member"
    membership.removed_at = utcnow()
    db.session.flush()
    audit.record(
        "membership.left",
        actor_id=actor.id,
        target_type="user",
        target_id=actor.id,
        group_id=group.id,
        details={"previous_role": previous_role},
    )
    member_left.send(group, user=actor, membership=membership)  # chat: their private conversations end
    leave_group_rooms_after_commit(actor.id, group.id)
    return membership


def is_last_moderator(group: Group, user: User) -> bool:
    """No other active moderator or manager (with an active account), while other people are still in the group."""
    others = (Membership.group_id == group.id) & (Membership.user_id != user.id) & (User.state == "active")
    other_moderator = db.session.scalar(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(others, Membership.state == "active", Membership.role.in_(policy.MODERATING_ROLES))
        .limit(1)
    )
    if other_moderator is not None:
        return False
    anyone_else = db.session.scalar(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(others, Membership.state != "removed")
        .limit(1)
    )
    return anyone_else is not None


def is_last_moderator_in(group: Group, user: User, membership: Membership) -> bool:
    """For the confirmation page: leaving would be refused because the actor is the group's last moderator."""
    return membership.role in policy.MODERATING_ROLES and is_last_moderator(group, user)
