"""Who may do what with a group's events. Pure predicates: plain values in, a bool out, no Flask globals.

Reading is membership (``groups.policy.can_view_group``). Planning, changing and cancelling events is for the
group's care staff, the ones who run its meetings: professionals, moderators and group managers
(``groups.policy.is_care_staff``), with an active (not muted) membership in an active group. Members answer.
Who answered yes or maybe, by name, is shown to the care staff only: other members see the counts.
"""

from __future__ import annotations

from datetime import datetime

from community.auth.models import User
from community.events.models import Event
from community.groups.models import Group, Membership
from community.groups.policy import can_view_group, is_care_staff


def can_read_events(user: User | None, group: Group, membership: Membership | None) -> bool:
    return can_view_group(user, group, membership)


def can_plan_events(user: User | None, group: Group, membership: Membership | None) -> bool:
    return (
        is_care_staff(user, group, membership)
        and group.state == "active"
        and membership is not None
        and membership.state == "active"
    )


def can_change_event(user: User | None, group: Group, membership: Membership | None, event: Event) -> bool:
    """Edit or cancel: planners of the group, while the event is scheduled (a cancelled one stays as it was)."""
    return can_plan_events(user, group, membership) and event.group_id == group.id and event.state == "scheduled"


def can_see_who_is_coming(user: User | None, group: Group, membership: Membership | None) -> bool:
    return is_care_staff(user, group, membership)


def can_answer(user: User | None, group: Group, membership: Membership | None, event: Event, now: datetime) -> bool:
    """Any reader of an active group may say whether they come, until the event has ended, unless cancelled."""
    return (
        can_read_events(user, group, membership)
        and group.state == "active"
        and event.group_id == group.id
        and event.state == "scheduled"
        and event.ends_at > now
    )
