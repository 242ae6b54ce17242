"""Reminders: whoever answered yes or maybe hears ``EVENT_REMINDER_HOURS`` before an event starts, once.

:func:`send_due_reminders` is a plain function (``flask events send-reminders`` calls it, and so can the
scheduled jobs). Each answer's ``reminded_at`` is set in the same transaction as its notification, so running it
twice, or two runs at once, tells nobody twice (the marker is claimed with a conditional UPDATE). Moving an
event's start clears the markers (``services.update_event``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from community.core import jobs
from community.events.models import Event, Rsvp
from community.events.services import COMING
from community.extensions import db
from community.groups.models import Group, Membership
from community.groups.policy import READING_STATES
from community.notifications.services import notify

BATCH = 500  # answers per run; the next run takes the rest


@jobs.job("events.send-reminders", every=timedelta(minutes=10))
def send_due_reminders(now: datetime) -> int:
    """Remind everyone due (events starting between ``now`` and ``now`` + the reminder hours, not cancelled, in
    an active group the person still reads). Returns how many people were reminded. The caller commits."""
    horizon = now + timedelta(hours=float(current_app.config.get("EVENT_REMINDER_HOURS", 24)))
    due = db.session.execute(
        select(Rsvp.id, Rsvp.user_id, Event.id, Event.group_id)
        .join(Event, Event.id == Rsvp.event_id)
        .join(Group, Group.id == Event.group_id)
        .join(Membership, (Membership.group_id == Event.group_id) & (Membership.user_id == Rsvp.user_id))
        .where(
            Event.state == "scheduled",
            Event.starts_at > now,
            Event.starts_at <= horizon,
            Group.state == "active",
            Rsvp.answer.in_(COMING),
            Rsvp.reminded_at.is_(None),
            Membership.state.in_(READING_STATES),
        )
        .order_by(Event.starts_at, Rsvp.id)
        .limit(BATCH)
    ).all()
    by_event: dict[tuple[int, int], list[int]] = {}
    for rsvp_id, user_id, event_id, group_id in due:
        claimed = db.session.execute(
            update(Rsvp).where(Rsvp.id == rsvp_id, Rsvp.reminded_at.is_(None)).values(reminded_at=now)
        ).rowcount
        if claimed:  # another run took it in the meantime otherwise
            by_event.setdefault((event_id, group_id), []).append(user_id)
    for (event_id, group_id), user_ids in by_event.items():
        notify(user_ids, kind="event_reminder", actor_id=None, group_id=group_id, target_type="event",
               target_id=event_id)  # fmt: skip
    return sum(len(user_ids) for user_ids in by_event.values())
