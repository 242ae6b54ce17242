"""Heated threads: notice when a topic or a group's chat room turns hostile, alert its moderators, slow it down.

A place (``("topic", id)`` or ``("conversation", id)``) is heated when, within ``CONFLICT_WINDOW_MINUTES``:
* reports on its posts/messages plus filter hits on text written there reach ``CONFLICT_SIGNALS``, or
* its last ``CONFLICT_BACK_AND_FORTH`` published posts/messages alternate between the same two members.

Then one open queue item of kind "conflict" is added (no second while it is open), every moderator of the group
gets ``moderation:conflict`` in their ``user:<id>`` room, and when the group allows it (``groups.auto_slowdown``)
the place enters slow mode (``CONFLICT_SLOW_MODE_SECONDS``) until a moderator lifts it. The automatic slow mode
is audited with no actor (the system). Filter hits are counted in the rate-limit storage (Redis with
``REDIS_URL``), not in a table, so a refused text (whose transaction rolls back) still counts. Reports leave a
mark there too: the check after every post or message counts those marks, where a statement per message would
cost the chat a tenth of its speed; the check after a report counts the ``reports`` rows themselves.

Conflict reads no forum or chat tables: the features that own the places register a ``targets.PlaceKind`` at
start-up (``forum.moderated``: "topic", ``chat.moderated``: "conversation") with what is needed about them: who
wrote there lately, which of its posts or messages were reported, and where its slow mode is kept.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from limits import RateLimitItemPerSecond
from limits.storage import Storage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import select

from community.auth.models import User
from community.core import audit
from community.core.counters import counter_storage
from community.core.errors import DomainError, NotFound
from community.core.realtime import queue_event, user_room
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Group, Membership
from community.groups.policy import MODERATING_ROLES
from community.moderation import filters_policy, targets
from community.moderation.models import PRIORITY_HIGH, QueueItem, Report

KEY_PREFIX = "kring-conflict"
HITS_CEILING = 10_000
MODERATORS_MAX = 200
SLOW_MODE_MAX = 3600


# --- counting filter hits (outside the transaction) ---------------------------------------------------------


def _storage() -> Storage:
    return counter_storage("conflict")


def _hits_item() -> RateLimitItemPerSecond:
    return RateLimitItemPerSecond(HITS_CEILING, current_app.config["CONFLICT_WINDOW_MINUTES"] * 60)


def _note(what: str, place: tuple[str, int]) -> None:
    MovingWindowRateLimiter(_storage()).hit(_hits_item(), KEY_PREFIX, what, place[0], str(place[1]))


def _count(what: str, place: tuple[str, int]) -> int:
    limiter_ = MovingWindowRateLimiter(_storage())
    return HITS_CEILING - limiter_.get_window_stats(_hits_item(), KEY_PREFIX, what, place[0], str(place[1])).remaining


def note_filter_hit(group: Group, place: tuple[str, int]) -> None:
    _note("filter", place)


def filter_hits(place: tuple[str, int]) -> int:
    return _count("filter", place)


# --- detection ----------------------------------------------------------------------------------------------


def _since():
    return utcnow() - timedelta(minutes=current_app.config["CONFLICT_WINDOW_MINUTES"])


def _reports(place: tuple[str, int]) -> int:
    kind = targets.place_kind(place[0])
    query = select(Report.id).where(
        Report.target_type == kind.target_type,
        Report.target_id.in_(kind.item_ids(place[1])),
        Report.created_at >= _since(),
    )
    return len(db.session.scalars(query.limit(current_app.config["CONFLICT_SIGNALS"])).all())


def _alternating(authors: list[int | None], count: int) -> bool:
    if count < 2 or len(authors) < count or None in authors or len(set(authors)) != 2:
        return False
    return all(first != second for first, second in itertools.pairwise(authors))


def back_and_forth(place: tuple[str, int]) -> bool:
    """The last N published posts/messages in the window alternate between the same two members.

    In a chat room, where two people taking turns is ordinary conversation, at least half of those messages
    must also be replies to the other person's messages (a direct exchange, not a chat)."""
    count = current_app.config["CONFLICT_BACK_AND_FORTH"]
    authors, answers = targets.place_kind(place[0]).recent_exchange(place[1], _since(), count)
    return _alternating(authors, count) and (answers is None or 2 * answers >= count)


def heat(place: tuple[str, int], *, reports_from_database: bool = True) -> str | None:
    """Why this place is heated ("back_and_forth", "signals"), or None.

    ``reports_from_database`` False (after every post or message): reports are counted from the marks
    :func:`after_report` leaves in the rate-limit storage instead of by a statement; a report filed through
    ``moderation.reports`` always leaves one."""
    if back_and_forth(place):
        return "back_and_forth"
    reports = _reports(place) if reports_from_database else _count("report", place)
    if filter_hits(place) + reports >= current_app.config["CONFLICT_SIGNALS"]:
        return "signals"
    return None


def _open_alert(place: tuple[str, int]) -> QueueItem | None:
    return db.session.scalar(
        select(QueueItem)
        .where(
            QueueItem.kind == "conflict",
            QueueItem.target_type == place[0],
            QueueItem.target_id == place[1],
            QueueItem.resolved_at.is_(None),
        )
        .limit(1)
    )


def _moderator_ids(group: Group) -> list[int]:
    return list(
        db.session.scalars(
            select(Membership.user_id)
            .where(Membership.group_id == group.id, Membership.role.in_(MODERATING_ROLES), Membership.state == "active")
            .limit(MODERATORS_MAX)
        )
    )


def check_place(group: Group, place: tuple[str, int], *, reports_from_database: bool = True) -> QueueItem | None:
    """Raise a conflict alert for a heated place (once while one is open). Returns the new queue item."""
    kind = targets.place_kind(place[0])
    if kind is None or kind.watched_group_id(place[1]) is None:
        return None  # e.g. two people in a private conversation are expected to take turns
    why = heat(place, reports_from_database=reports_from_database)
    if why is None or _open_alert(place) is not None:  # the usual answer, "not heated", needs no alert lookup
        return None
    reason = (
        _("Heated: two members are going back and forth quickly.")
        if why == "back_and_forth"
        else _("Heated: several reports or filter hits in a short time.")
    )
    item = QueueItem(
        group_id=group.id,
        kind="conflict",
        priority=PRIORITY_HIGH,
        target_type=place[0],
        target_id=place[1],
        reason=reason,
        created_at=utcnow(),
    )
    db.session.add(item)
    db.session.flush()
    slowed = _auto_slow_mode(group, place, why) if group.auto_slowdown else 0
    alert = {
        "queue_item_id": item.id,
        "group_id": group.id,
        "place_type": place[0],
        "place_id": place[1],
        "why": why,
        "slow_mode_seconds": slowed,
        "group": group.name,  # the group's name only: an alert carries no member text
        "url": f"/moderation/items/{item.id}",
    }
    for moderator_id in _moderator_ids(group):
        queue_event("moderation:conflict", alert, room=user_room(moderator_id))
    return item


def after_write(group: Group, place: tuple[str, int]) -> None:
    """Called by the forum and chat after a post or message was stored (reports: from the storage marks)."""
    check_place(group, place, reports_from_database=False)


def after_report(group: Group, target_type: str, target_id: int) -> None:
    """For the reports feature: a report on a post or message may make its topic or room heated. Leaves a
    mark in the rate-limit storage too, which the check after every post or message counts."""
    place: tuple[str, int] | None = None
    for kind in targets.places():
        if kind.target_type == target_type:
            place_id = kind.place_of(target_id)
            place = (kind.name, place_id) if place_id is not None else None
    if place is not None:
        _note("report", place)
        check_place(group, place)


# --- slow mode ----------------------------------------------------------------------------------------------


def current_slow_mode(place: tuple[str, int]) -> int:
    return targets.place_kind(place[0]).slow_mode(place[1])


def _auto_slow_mode(group: Group, place: tuple[str, int], why: str) -> int:
    seconds = current_app.config["CONFLICT_SLOW_MODE_SECONDS"]
    if seconds <= 0 or current_slow_mode(place) >= seconds:
        return current_slow_mode(place)
    targets.place_kind(place[0]).set_slow_mode(group, place[1], seconds, None)
    audit.record(
        "slow_mode.auto_enabled",
        actor_id=None,
        target_type=place[0],
        target_id=place[1],
        group_id=group.id,
        details={"seconds": seconds, "trigger": why},
    )
    return seconds


def _place_in_group(group: Group, place: tuple[str, int]) -> None:
    kind = targets.place_kind(place[0])
    if kind is None:
        raise NotFound(_("We could not find that page."))
    if not 0 < place[1] < 2**31 or kind.watched_group_id(place[1]) != group.id:
        raise NotFound(kind.not_found)


def set_slow_mode(
    actor: User, group: Group, membership: Membership | None, place: tuple[str, int], seconds: int
) -> None:
    """A moderator turns slow mode on (``seconds`` > 0) or lifts it (0) for a topic or the group's room."""
    if not filters_policy.can_lift_slow_mode(actor, group, membership):
        raise NotFound(_("We could not find that page."))
    _place_in_group(group, place)
    if not 0 <= seconds <= SLOW_MODE_MAX:
        raise DomainError(_("Choose a slow mode of 0 to %(max)d seconds.", max=SLOW_MODE_MAX), field="seconds")
    before = current_slow_mode(place)
    if before == seconds:
        return
    targets.place_kind(place[0]).set_slow_mode(group, place[1], seconds, actor.id)
    audit.record(
        "slow_mode.lifted" if seconds == 0 else "slow_mode.set",
        actor_id=actor.id,
        target_type=place[0],
        target_id=place[1],
        group_id=group.id,
        details={"seconds": seconds, "before": before},
    )
