"""Who may see and work safeguarding cases, and who may raise a worry. Pure predicates, no queries."""

from __future__ import annotations

from community.auth.models import User
from community.groups import policy as groups_policy
from community.groups.models import Group, Membership


def is_acting_moderator(user: User | None, group: Group, membership: Membership | None) -> bool:
    return (
        groups_policy.is_group_moderator(user, group, membership)
        and membership is not None
        and membership.state == "active"
    )


def can_work_cases(user: User | None, group: Group, membership: Membership | None) -> bool:
    """See a group's cases and act on them: its moderators in good standing, and instance admins (whose reading
    of a group they are not in is audited by the service)."""
    return groups_policy.can_manage_groups(user) or is_acting_moderator(user, group, membership)


def can_raise_concern(user: User | None, group: Group, membership: Membership | None, subject: User | None) -> bool:
    """Anyone who reads the group may say "I'm worried about this person", about someone else."""
    return (
        groups_policy.can_view_group(user, group, membership)
        and user is not None
        and subject is not None
        and subject.id != user.id
    )


def is_staff_source(user: User | None, group: Group, membership: Membership | None) -> bool:
    """A worry raised by the group's staff opens a case with source "staff", not "member"."""
    return can_work_cases(user, group, membership)


def can_close(case_status: str) -> bool:
    return case_status != "closed"


def can_take(user: User | None, case_status: str, taken_by_id: int | None) -> bool:
    """Open cases, and cases someone else holds (the next shift takes over); never a closed one."""
    return user is not None and case_status != "closed" and taken_by_id != user.id
