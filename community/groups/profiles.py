"""Another member's profile, as the viewer may see it: members see each other through a group they share, so
the groups in common decide (``auth.policy.can_view_profile``). Higher features may hide a profile on their
own grounds through ``auth.signals.profile_opening`` (moderation: the owner blocked the viewer)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from community.auth import policy as auth_policy
from community.auth import signals as auth_signals
from community.auth.models import User
from community.core.errors import NotFound
from community.extensions import db
from community.groups import policy
from community.groups.models import Group, Membership

GROUPS_SHOWN = 100  # bounded: nobody is in hundreds of groups


@dataclass(frozen=True)
class PublicProfile:
    subject: User
    groups_in_common: list[tuple[Group, str]]  # each with the subject's role in it
    show_private_details: bool


def groups_in_common(viewer: User, subject: User) -> list[tuple[Group, str]]:
    """Active groups where both people can read, each with the subject's role there."""
    mine = select(Membership.group_id).where(
        Membership.user_id == viewer.id, Membership.state.in_(policy.READING_STATES)
    )
    return [
        (group, role)
        for group, role in db.session.execute(
            select(Group, Membership.role)
            .join(Membership, Membership.group_id == Group.id)
            .where(
                Membership.user_id == subject.id,
                Membership.state.in_(policy.READING_STATES),
                Group.state == "active",
                Group.id.in_(mine),
            )
            .order_by(Group.name)
            .limit(GROUPS_SHOWN)
        ).all()
    ]


def view_profile(viewer: User, user_id: int) -> PublicProfile:
    """Another member's profile as the viewer may see it. No shared group: "not found", like a hidden group."""
    subject = db.session.get(User, user_id)
    if subject is None:
        raise NotFound(_("We could not find that person."))
    shared = groups_in_common(viewer, subject) if subject.id != viewer.id else []
    if not auth_policy.can_view_profile(viewer, subject, bool(shared)):
        raise NotFound(_("We could not find that person."))
    auth_signals.profile_opening.send(viewer, subject=subject)  # a receiver may answer "not found" too
    return PublicProfile(subject, shared, auth_policy.can_see_private_details(viewer))
