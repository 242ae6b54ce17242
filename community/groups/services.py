"""Group and membership rules shared by pages, sockets, the CLI and the demo."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from community.auth.admin_actions import disconnect_after_commit
from community.auth.models import User
from community.auth.sessions import end_all_sessions
from community.core import audit
from community.core.errors import DomainError, Forbidden, NotFound
from community.core.realtime import leave_group_rooms_after_commit
from community.core.time import utcnow
from community.extensions import db
from community.groups import entry_checks, invitation_staff, policy
from community.groups.models import GROUP_KINDS, PREMODERATION_MODES, Group, Invitation, Membership
from community.groups.signals import group_created

# Lists of people show the group's staff first: managers, moderators, professionals, then members.
STAFF_FIRST = case({"manager": 0, "moderator": 1, "professional": 2}, value=Membership.role, else_=3)


@dataclass(frozen=True)
class GroupAccess:
    """A group together with the actor's membership in it, resolved once per request."""

    group: Group
    membership: Membership | None  # None only for an admin outside the group (``open_group_settings``)

    @property
    def is_moderator(self) -> bool:
        return self.membership is not None and self.membership.role in policy.MODERATING_ROLES


def memberships_of(user: User, *, entering: bool = False) -> list[GroupAccess]:
    """The groups a member can open, by name. ``entering``: only those the entry checks let them into now (the
    socket's group rooms)."""
    rows = db.session.execute(
        select(Group, Membership)
        .join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == user.id, Membership.state.in_(policy.READING_STATES))
        .order_by(Group.name)
    ).all()
    return [
        GroupAccess(group, membership)
        for group, membership in rows
        if policy.can_view_group(user, group, membership)
        and (not entering or entry_checks.may_enter(user, group, membership))
    ]


def enterable_memberships(user: User) -> list[GroupAccess]:
    """The groups whose rooms a member's socket joins: those they can open and the entry checks let them into."""
    return memberships_of(user, entering=True)


def _group_and_membership(user: User, slug: str) -> tuple[Group, Membership | None] | None:
    row = db.session.execute(
        select(Group, Membership)
        .outerjoin(Membership, (Membership.group_id == Group.id) & (Membership.user_id == user.id))
        .where(Group.slug == slug)
    ).first()
    return (row[0], row[1]) if row is not None else None


def open_group(user: User, slug: str, *, skip_checks: Collection[str] = ()) -> GroupAccess:
    """The group if the actor may read it. A group they are not in is "not found", never "forbidden".

    Then the entry checks (``entry_checks``: consent's required documents, the group's rules) refuse with what
    to do first. ``skip_checks`` names the checks the calling page itself satisfies: only the rules page uses it
    (``entry_checks.RULES_CHECK``), since that is where the rules are accepted.
    """
    found = _group_and_membership(user, slug)
    if found is None or not policy.can_view_group(user, *found):
        raise NotFound(_("We could not find that group."))
    entry_checks.check_entry(user, *found, skip=skip_checks)
    return GroupAccess(*found)


def open_group_settings(user: User, slug: str) -> GroupAccess:
    """For pages about a group's settings and rules, never its content: an admin reaches every group, also one
    they are not in (membership None) and without the entry checks; anyone else goes through ``open_group``."""
    if not policy.can_manage_groups(user):
        return open_group(user, slug)
    found = _group_and_membership(user, slug)
    if found is None:
        raise NotFound(_("We could not find that group."))
    return GroupAccess(*found)


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60] or "group"


def create_group(actor: User, *, name: str, description: str = "", kind: str = "other") -> Group:
    if not policy.can_manage_groups(actor):
        raise Forbidden(_("Only an admin can create groups."))
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= 80:
        raise DomainError(_("Give the group a name of 2 to 80 characters."), field="name")
    if kind not in GROUP_KINDS:
        raise DomainError(_("Choose what kind of group this is."), field="kind")
    base = slug = slugify(name)
    counter = 2
    while db.session.scalar(select(func.count()).select_from(Group).where(Group.slug == slug)):
        slug, counter = f"{base}-{counter}", counter + 1
    group = Group(name=name, slug=slug, description=description.strip(), kind=kind)
    db.session.add(group)
    db.session.flush()
    audit.record("group.created", actor_id=actor.id, target_type="group", target_id=group.id, group_id=group.id)
    group_created.send(group, actor=actor)  # chat makes the group's room in this transaction
    return group


def add_member(actor: User, group: Group, user: User, *, role: str = "member") -> Membership:
    """Put a person in a group, or bring back someone who was removed. Admin only; invitations use their own
    path. Someone already in the group keeps their membership: a role change goes through ``set_role`` (which
    rotates sessions and is audited as such), and a suspension is lifted through moderation, not here."""
    if not policy.can_manage_groups(actor):
        raise Forbidden(_("Only an admin can add people to a group directly."))
    if not policy.is_known_role(role):
        raise DomainError(_("Choose one of the roles in the list."), field="role")
    membership = db.session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id)
    )
    if membership is not None and membership.state != "removed":
        raise DomainError(
            _("This person is already in the group. To change their role, use the list of members."), field="username"
        )
    if membership is None:
        membership = Membership(group_id=group.id, user_id=user.id, role=role)
        db.session.add(membership)
    else:
        membership.role, membership.state, membership.state_until = role, "active", None
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
        .order_by(STAFF_FIRST, User.display_name)
        .limit(limit)
    ).all()
    return [(user, membership) for user, membership in rows]


MODERATORS_MAX = 200  # a group has a handful; the bound keeps the cost of telling them fixed


def moderators_of(group_id: int) -> list[tuple[User, Membership]]:
    """The group's active moderators with active accounts, with their memberships (for the policy predicates that
    decide who may act: work the queue, work cases), by id, at most MODERATORS_MAX."""
    rows = db.session.execute(
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.group_id == group_id,
            Membership.role.in_(policy.MODERATING_ROLES),
            Membership.state == "active",
            User.state == "active",
        )
        .order_by(User.id)
        .limit(MODERATORS_MAX)
    ).all()
    return [(user, membership) for user, membership in rows]


SLOW_MODE_MAX_SECONDS = 3600


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= 80:
        raise DomainError(_("Give the group a name of 2 to 80 characters."), field="name")
    return name


def update_group(
    actor: User,
    group: Group,
    *,
    name: str,
    description: str = "",
    kind: str | None = None,
    premoderation: str = "none",
    member_messages_allowed: bool = False,
    moderators_can_invite: bool = True,
    slow_mode_seconds: int = 0,
    outreach_allowed: bool | None = None,
) -> Group:
    """Change a group's name, description, kind and settings. Admins, and the group's manager (who cannot change
    its kind); audited with the changed fields. ``kind`` None keeps the kind it has.

    The slug stays as it was, so links people saved keep working after a rename.
    """
    if not policy.can_edit_group(actor, group, _membership_of(group, actor)):
        raise Forbidden(_("Only an admin or the group's manager can change a group."))
    name = _clean_name(name)
    kind = group.kind if kind is None else kind
    if kind != group.kind and not policy.can_set_kind(actor):
        raise DomainError(_("Only an admin can change what kind of group this is."), field="kind")
    if kind not in GROUP_KINDS:
        raise DomainError(_("Choose what kind of group this is."), field="kind")
    if premoderation not in PREMODERATION_MODES:
        raise DomainError(_("Choose which posts a moderator checks first."), field="premoderation")
    if not isinstance(slow_mode_seconds, int) or not 0 <= slow_mode_seconds <= SLOW_MODE_MAX_SECONDS:
        raise DomainError(
            _("Slow mode is a number of seconds from 0 (off) to %(num)d.", num=SLOW_MODE_MAX_SECONDS),
            field="slow_mode_seconds",
        )
    values = {
        "name": name,
        "description": (description or "").strip(),
        "kind": kind,
        "premoderation": premoderation,
        "member_messages_allowed": bool(member_messages_allowed),
        "moderators_can_invite": bool(moderators_can_invite),
        "slow_mode_seconds": slow_mode_seconds,
        # None: unchanged (callers from before the setting existed)
        "outreach_allowed": group.outreach_allowed if outreach_allowed is None else bool(outreach_allowed),
    }
    changed = sorted(key for key, value in values.items() if getattr(group, key) != value)
    for key in changed:
        setattr(group, key, values[key])
    if changed:
        # Field names and setting values only: the name and description are not copied into the log.
        settings = {key: values[key] for key in changed if key not in ("name", "description")}
        audit.record(
            "group.updated",
            actor_id=actor.id,
            target_type="group",
            target_id=group.id,
            group_id=group.id,
            details={"changed": changed, "settings": settings},
        )
    return group


def archive_group(actor: User, group: Group) -> Group:
    """Archive an active group: its members still read it, nobody writes in it any more."""
    return _change_group_state(actor, group, archive=True)


def unarchive_group(actor: User, group: Group) -> Group:
    """Open an archived group for writing again."""
    return _change_group_state(actor, group, archive=False)


def _change_group_state(actor: User, group: Group, *, archive: bool) -> Group:
    if not policy.can_manage_groups(actor):
        raise Forbidden("Only an admin can archive a group." if archive else "Only an admin can reopen a group.")
    allowed = policy.can_archive_group(actor, group) if archive else policy.can_unarchive_group(actor, group)
    if not allowed:
        raise DomainError("This group is already archived." if archive else "This group is not archived.")
    group.state = "archived" if archive else "active"
    action = "group.archived" if archive else "group.unarchived"
    audit.record(action, actor_id=actor.id, target_type="group", target_id=group.id, group_id=group.id)
    return group


def _membership_of(group: Group, user: User) -> Membership | None:
    return db.session.scalar(select(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id))


def set_role(actor: User, group: Group, user: User, role: str) -> Membership:
    """Give someone in the group one of ``ROLES`` (member, professional, moderator, group manager). Admin only;
    audited, and the person's sessions end (they sign in again under the new role)."""
    membership = _membership_of(group, user)
    if not policy.can_manage_groups(actor):
        raise Forbidden(_("Only an admin can change someone's role in a group."))
    if not policy.can_change_membership(actor, group, membership) or membership is None:
        raise NotFound(_("This person is not in the group."))
    if not policy.is_known_role(role):
        raise DomainError(_("Choose one of the roles in the list."), field="role")
    previous = membership.role
    if previous == role:
        return membership
    membership.role = role
    # A role change rotates the person's sessions: they sign in again under the new role, so rules that
    # depend on it (two-factor for staff, what their pages and sockets may show) apply from the next request.
    ended = end_all_sessions(user.id)
    disconnect_after_commit(user.id)
    audit.record(
        "membership.role_changed",
        actor_id=actor.id,
        target_type="user",
        target_id=user.id,
        group_id=group.id,
        details={"role": role, "previous_role": previous, "sessions_ended": ended},
    )
    return membership


def codes_used_by(group: Group, user: User) -> list[Invitation]:
    """For the removal page: the open invitation this person joined the group through, if any."""
    return invitation_staff.used_by(_membership_of(group, user))


def remove_member(actor: User, group: Group, user: User, reason: str, *, revoke_codes: bool = False) -> Membership:
    """Take someone out of a group. Admin only; the reason is required and kept in the audit log.

    Access ends at once: every page and socket event checks the membership row, and the person's open
    sockets are closed after the commit so they rejoin only the rooms they may still be in. No invitation made
    before now lets them back in (``policy.may_rejoin_through``); with ``revoke_codes`` the invitation they
    joined through is also withdrawn for everyone (audited as ``invitation.revoked``).
    """
    membership = _membership_of(group, user)
    if not policy.can_manage_groups(actor):
        raise Forbidden(_("Only an admin can remove someone from a group."))
    if not policy.can_change_membership(actor, group, membership) or membership is None:
        raise NotFound(_("This person is not in the group."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Write down why this person is removed. Only staff see it."), field="reason")
    if len(reason) > 500:
        raise DomainError(_("Keep the reason under 500 characters."), field="reason")
    previous_role = membership.role
    membership.state, membership.role, membership.removed_at = "removed", "member", utcnow()
    revoked = invitation_staff.revoke_used_by(actor, membership) if revoke_codes else []
    audit.record(
        "membership.removed",
        actor_id=actor.id,
        target_type="user",
        target_id=user.id,
        group_id=group.id,
        reason=reason,
        details={"previous_role": previous_role, "invitations_revoked": revoked},
    )
    # Out of the group's rooms at once (on every process), then every socket closed so it reconnects to the rooms
    # it may still be in; both after the commit, so a rolled-back removal changes nothing.
    leave_group_rooms_after_commit(user.id, group.id)
    disconnect_after_commit(user.id)
    return membership
