"""Who may see and work safeguarding cases, and who may raise a worry. Pure predicates, no queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

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


# --- safeguarding leads ------------------------------------------------------------------------------------------


def can_manage_installation_leads(user: User | None) -> bool:
    """The installation's leads and rota: instance admins."""
    return groups_policy.can_manage_groups(user)


def can_manage_group_leads(user: User | None, group: Group, membership: Membership | None) -> bool:
    """A group's leads, rota and response times: instance admins, and the group's managers in good standing."""
    return groups_policy.can_manage_groups(user) or (
        groups_policy.is_group_manager(user, group, membership)
        and membership is not None
        and membership.state == "active"
    )


def can_be_group_lead(user: User | None, group: Group, membership: Membership | None) -> bool:
    """A group's lead is one of its staff in good standing (a professional, moderator or manager), or an instance
    admin: someone who already works with the group's members, never an ordinary member."""
    if not groups_policy.is_active_account(user):
        return False
    if groups_policy.can_manage_groups(user):
        return True
    return (
        groups_policy.is_care_staff(user, group, membership) and membership is not None and membership.state == "active"
    )


def can_be_installation_lead(user: User | None, staff_somewhere: bool) -> bool:
    """The installation's lead reads escalated cases of every group: an instance admin, or someone who is staff
    (professional, moderator or manager, in good standing) of at least one group."""
    return groups_policy.is_active_account(user) and (groups_policy.can_manage_groups(user) or staff_somewhere)


def on_call(lead_ids: Sequence[int], periods: Iterable[tuple[int, datetime, datetime]], now: datetime) -> list[int]:
    """Who of ``lead_ids`` (one tier, one scope, all still eligible) is told now: those whose rota period
    (lead id, starts_at, ends_at; ends_at excluded) covers ``now``; when nobody's does, every one of them."""
    covering = {lead_id for lead_id, starts_at, ends_at in periods if starts_at <= now < ends_at}
    chosen = [lead_id for lead_id in lead_ids if lead_id in covering]
    return chosen or list(lead_ids)


def lead_may_open(user: User | None, lead_tiers: Iterable[int], escalation_level: int, subject_id: int | None) -> bool:
    """A lead (``lead_tiers``: the tiers they hold for the case's group or the whole installation, eligible now)
    opens and works a case once it reached their tier: tier 1 from the first escalation, tier 2 from the second.
    Never a case about themselves."""
    return (
        groups_policy.is_active_account(user)
        and user is not None
        and user.id != subject_id
        and any(tier <= escalation_level for tier in lead_tiers)
    )


def next_escalation(
    level: int, due_at: datetime, level_at: datetime | None, response: timedelta, now: datetime
) -> int | None:
    """The step an untaken case is due for now: tier 1 once it is past its due time, tier 2 one more response
    period after the tier-1 step; None when it is not due (or already at tier 2)."""
    if level == 0 and now > due_at:
        return 1
    if level == 1 and level_at is not None and now >= level_at + response:
        return 2
    return None


def valid_period(starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    """A rota period ends after it starts, and has not ended yet."""
    return ends_at > starts_at and ends_at > now
