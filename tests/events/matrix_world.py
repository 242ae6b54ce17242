"""The events part of the authorization matrix's world: an event the group's moderator planned, two days ahead."""

from __future__ import annotations

from datetime import timedelta

from community.core.time import utcnow
from community.events import services as events
from community.events.times import utc_to_local
from community.groups import services as groups


def add_matrix_event(people: dict, group) -> dict[str, int]:
    start = utc_to_local(utcnow() + timedelta(days=2))
    details = events.EventDetails(title="Coffee morning", description="", starts_at=start,
                                  ends_at=start + timedelta(hours=2), place="Room 2", link="")  # fmt: skip
    event = events.create_event(people["moderator"], groups.open_group(people["moderator"], group.slug), details)
    return {"event": event.id}
