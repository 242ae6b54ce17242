"""Telling the group's moderators: a live alert now (``moderation:alert`` to each moderator's user room, sent
after the commit) and, through ``flask safeguarding escalate``, an email when nobody took the case in time.
Neither carries member text."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for

from community.auth.models import User
from community.core.realtime import queue_event, user_room
from community.groups import services as group_services
from community.groups.models import Group
from community.moderation.safeguarding import policy
from community.moderation.safeguarding.models import SafeguardingCase
from community.notifications import services as notifications

ALERT_EVENT = "moderation:alert"


def moderators_of(group_id: int) -> list[User]:
    return [user for user, _membership in group_services.moderators_of(group_id)]


def case_path(case_id: int) -> str:
    if has_request_context():
        return url_for("moderation.safeguarding_case", case_id=case_id)
    return f"/moderation/safeguarding/{case_id}"


def case_url(case_id: int) -> str:
    """The absolute link for an email."""
    return current_app.config["BASE_URL"] + f"/moderation/safeguarding/{case_id}"


def alert_moderators(case: SafeguardingCase, group: Group) -> int:
    """Queue the live alert for every moderator of the group (not the person who raised it). Returns how many."""
    payload = {
        "kind": "safeguarding",
        "case_id": case.id,
        "group": group.name,
        "severity": case.severity,
        "source": case.source,
        "url": case_path(case.id),
    }
    moderators = [m for m in moderators_of(group.id) if m.id != case.raised_by_id]
    for moderator in moderators:
        queue_event(ALERT_EVENT, payload, room=user_room(moderator.id))
    return len(moderators)


def notify_new_case(case: SafeguardingCase, group: Group) -> list[int]:
    """A new case: the group's moderators who may work cases hear of it in their notifications too (kind
    "safeguarding_case"; no member text, the link opens the case page, which checks access again). Not the
    person it is about, nor whoever raised it. Returns who was told."""
    rows = group_services.moderators_of(group.id)
    left_out = {case.subject_id, case.raised_by_id}
    staff = [
        user.id
        for user, membership in rows
        if user.id not in left_out and policy.can_work_cases(user, group, membership)
    ]
    notifications.notify(
        staff, kind="safeguarding_case", actor_id=None, group_id=group.id, target_type="safeguarding_case",
        target_id=case.id,
    )  # fmt: skip
    return staff
