"""Events' part of a member's export and erasure.

Export: their answers (which event, when it starts, the answer; not the event's words, which are the
planner's) and whether they have a calendar address (never the address: it is not stored).
Erasure: their answers and their calendar address go; events they planned stay for the group, without a link
to them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update

from community.auth.member_data import LIMIT, when
from community.auth.models import User
from community.auth.signals import contribute_member_data
from community.events.models import CalendarFeed, Event, Rsvp
from community.extensions import db


def export_part(user: User) -> dict[str, Any]:
    answers = db.session.execute(
        select(Rsvp.event_id, Event.starts_at, Rsvp.answer, Rsvp.updated_at)
        .join(Event, Event.id == Rsvp.event_id)
        .where(Rsvp.user_id == user.id)
        .order_by(Rsvp.id)
        .limit(LIMIT)
    ).all()
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    part: dict[str, Any] = {}  # nothing for a member who never answered nor made an address
    if answers:
        part["events/answers.json"] = [
            {"event_id": event_id, "starts_at": when(starts_at), "answer": answer, "answered_at": when(updated_at)}
            for event_id, starts_at, answer, updated_at in answers
        ]
    if feed is not None:
        part["events/calendar_feed.json"] = {"show_details": feed.show_details, "made_at": when(feed.created_at)}
    return part


def erase(user: User, **_details: Any) -> dict[str, int]:
    answers = db.session.execute(delete(Rsvp).where(Rsvp.user_id == user.id)).rowcount
    feeds = db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id)).rowcount
    db.session.execute(update(Event).where(Event.created_by_id == user.id).values(created_by_id=None))
    db.session.execute(update(Event).where(Event.cancelled_by_id == user.id).values(cancelled_by_id=None))
    return {"event_answers": answers, "calendar_feeds": feeds}


def connect() -> None:
    """From ``events.wiring.init_app``; connecting again is a no-op."""
    contribute_member_data(export=export_part, erase=erase)
