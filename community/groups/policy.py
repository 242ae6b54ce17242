"""Who may do what in a group. Pure predicates: plain values in, a bool out, no Flask globals.

A person's rights in a group come from their membership row alone; instance admins are a flag on the
account and do not read groups they are not in.
"""

from __future__ import annotations

from datetime import datetime

from community.auth.models import User
from community.groups.models import Group, Membership

READING_STATES = ("active", "muted")  # a muted member reads but does not write

# The roles a membership can have. A group manager runs the group (moderates, invites, edits its settings and
# rules); a moderator moderates; a professional answers, is chosen, takes part in care conversations and reaches
# out to members, but does not moderate.
ROLES = ("member", "professional", "moderator", "manager")
MODERATING_ROLES = ("moderator", "manager")
# The group's staff: who may start a care conversation, write to a member first, and talk privately with a minor.
CARE_ROLES = ("professional", "moderator", "manager")


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
    """Moderators and group managers moderate."""
    return (
        can_view_group(user, group, membership) and membership is not None and membership.role in MODERATING_ROLES
    )


def is_group_manager(user: User | None, group: Group, membership: Membership | None) -> bool:
    return can_view_group(user, group, membership) and membership is not None and membership.role == "manager"


def is_care_staff(user: User | None, group: Group, membership: Membership | None) -> bool:
    """A professional, moderator or group manager of the group: may start care conversations and reach minors."""
    return can_view_group(user, group, membership) and membership is not None and membership.role in CARE_ROLES


def can_manage_groups(user: User | None) -> bool:
    return is_active_account(user) and user is not None and user.is_admin


def can_invite(user: User | None, group: Group, membership: Membership | None) -> bool:
    """Admins always; a group's moderator only when the admin lets moderators invite. Never into an archived group."""
    if not is_active_account(user) or group.state != "active":
        return False
    if can_manage_groups(user):
        return True
    return group.moderators_can_invite and is_group_moderator(user, group, membership)


def can_invite_as(user: User | None, group: Group, membership: Membership | None, role: str) -> bool:
    """Moderators may only invite members; only an admin can bring in a moderator."""
    return can_invite(user, group, membership) and (role == "member" or can_manage_groups(user))


def can_see_invitation_email(user: User | None, created_by_id: int | None) -> bool:
    """An invitee's email is personal data: the admin sees it, and so does whoever typed it in."""
    return can_manage_groups(user) or (is_active_account(user) and user is not None and user.id == created_by_id)


def can_edit_group(user: User | None, group: Group) -> bool:
    """Settings and name of a group: instance admins only (moderators run the group, they do not shape it)."""
    return can_manage_groups(user)


def can_archive_group(user: User | None, group: Group) -> bool:
    return can_manage_groups(user) and group.state == "active"


def can_unarchive_group(user: User | None, group: Group) -> bool:
    return can_manage_groups(user) and group.state == "archived"


def may_rejoin_through(membership: Membership | None, invitation_created_at: datetime) -> bool:
    """A removed member comes back only through an invitation made after their removal: the code they first
    used (or any other made before) was meant for the person they were then, not as a way back."""
    if membership is None or membership.state != "removed":
        return True
    return membership.removed_at is not None and invitation_created_at > membership.removed_at


def can_change_membership(user: User | None, group: Group, membership: Membership | None) -> bool:
    """Change the role of, or remove, someone who is (still) in the group."""
    return (
        can_manage_groups(user)
        and membership is not None
        and membership.group_id == group.id
        and membership.state != "removed"
    )
