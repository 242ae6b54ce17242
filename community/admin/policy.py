"""Who may use the admin area and its account tools. Pure predicates: plain values in, a bool out.

Group rules live in ``community.groups.policy``; suspending accounts in ``community.auth.policy``.
"""

from __future__ import annotations

from community.auth.models import User
from community.groups.policy import can_manage_groups


def can_use_admin_area(user: User | None) -> bool:
    return can_manage_groups(user)


def can_see_contact_details(viewer: User | None, subject: User | None) -> bool:
    """A member's email (and later their real name) is visible to admins and to themselves only."""
    if viewer is None or subject is None:
        return False
    return can_manage_groups(viewer) or viewer.id == subject.id
