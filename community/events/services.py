"""A group's events: reading them (through ``open_group``: membership decides, another group's event is not
found), and planning, changing and cancelling them (the group's care staff, ``policy.can_plan_events``).

The actor is always an argument. Planning is audited (``event.created``, ``event.updated``, ``event.cancelled``;
details carry ids, never the title). Cancelling tells whoever answered yes or maybe (``event_cancelled``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community.auth.models import User
from community.core import audit
from community.core.errors import DomainError, Forbidden, NotFound
from community.core.time import utcnow
from community.events import policy
from community.events.models import Event, Rsvp
from community.events.times import local_to_utc
from community.extensions import db
from community.groups.models import Group, Membership
from community.groups.policy import READING_STATES
from community.groups.services import GroupAccess
from community.notifications.services import notify

TITLE_MAX, DESCRIPTION_MAX, PLACE_MAX, LINK_MAX = 120, 2_000, 200, 500
LONGEST = timedelta(days=14)  # from start to end
FURTHEST = timedelta(days=2 * 365)  # how far ahead an event can be planned
LIST_SIZE, PAST_SIZE, SECTION_SIZE = 50, 20, 3
COMING = ("yes", "maybe")  # the answers that get reminders and hear of a cancellation


@dataclass(frozen=True)
class EventDetails:
    """What a planner typed, times in the site's local time (naive), as the form gives them."""

    title: str
    description: str
    starts_at: datetime | None
    ends_at: datetime | None
    place: str
    link: str


def _line(value: str | None) -> str:
    return " ".join((value or "").replace("\x00", "").split())


def _clean_link(value: str | None) -> str:
    link = (value or "").replace("\x00", "").strip()
    if not link:
        return ""
    if len(link) > LINK_MAX:
        raise DomainError(_l("A link can be at most %(max)d characters.", max=LINK_MAX), field="link")
    parts = urlsplit(link)
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or any(char.isspace() or ord(char) < 32 for char in link)
    ):
        raise DomainError(
            _l("Give the whole address of the online meeting, starting with https:// (or http://)."), field="link"
        )
    return link


def _clean(details: EventDetails, *, now: datetime, new: bool) -> dict[str, object]:
    """Check what the planner typed and turn it into the event's columns; a refusal names the field to fix."""
    title = _line(details.title)
    if not 3 <= len(title) <= TITLE_MAX:
        raise DomainError(_l("Give the event a title of 3 to %(max)d characters.", max=TITLE_MAX), field="title")
    description = (details.description or "").replace("\x00", "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise DomainError(
            _l("The description can be at most %(max)s characters.", max=f"{DESCRIPTION_MAX:,}"), field="description"
        )
    place = _line(details.place)
    if len(place) > PLACE_MAX:
        raise DomainError(_l("The place can be at most %(max)d characters.", max=PLACE_MAX), field="place")
    link = _clean_link(details.link)
    if not place and not link:
        raise DomainError(_l("Say where the event is: a place, a link to an online meeting, or both."), field="place")
    if details.starts_at is None:
        raise DomainError(_l("Give the day and time the event starts."), field="starts_at")
    if details.ends_at is None:
        raise DomainError(_l("Give the day and time the event ends."), field="ends_at")
    starts_at, ends_at = local_to_utc(details.starts_at), local_to_utc(details.ends_at)
    if new and starts_at <= now:
        raise DomainError(_l("The start is in the past. Choose a time that is still to come."), field="starts_at")
    if starts_at > now + FURTHEST:
        raise DomainError(_l("An event can be planned at most two years ahead."), field="starts_at")
    if ends_at <= starts_at:
        raise DomainError(_l("The end must be after the start."), field="ends_at")
    if ends_at - starts_at > LONGEST:
        raise DomainError(_l("An event can last at most 14 days."), field="ends_at")
    return {
        "title": title, "description": description, "place": place, "link": link, "starts_at": starts_at,
        "ends_at": ends_at,
    }  # fmt: skip


def _require_planner(actor: User, access: GroupAccess) -> None:
    if not policy.can_plan_events(actor, access.group, access.membership):
        if access.group.state != "active":
            raise Forbidden(_l("This group is archived: no events can be planned or changed in it."))
        raise Forbidden(_l("Only the group's professionals, moderators and managers can plan events."))


def open_planning(actor: User, access: GroupAccess) -> None:
    """For the planning pages: the group's planners only; anyone else "not found" (they have no such page)."""
    if not policy.can_plan_events(actor, access.group, access.membership):
        raise NotFound(_l("We could not find that page."))


def open_event_to_change(actor: User, access: GroupAccess, event_id: int) -> Event:
    """For the change page: the event, for its group's planners; a cancelled one is refused with what happened."""
    event = open_event(actor, access, event_id)
    open_planning(actor, access)
    if not policy.can_change_event(actor, access.group, access.membership, event):
        raise DomainError(_l("This event was cancelled; it can no longer be changed."))
    return event


def create_event(actor: User, access: GroupAccess, details: EventDetails) -> Event:
    """A new event in the group, planned by its care staff. Audited as ``event.created``."""
    _require_planner(actor, access)
    now = utcnow()
    event = Event(group_id=access.group.id, created_by_id=actor.id, created_at=now, updated_at=now, state="scheduled",
                  **_clean(details, now=now, new=True))  # fmt: skip
    db.session.add(event)
    db.session.flush()
    audit.record("event.created", actor_id=actor.id, target_type="event", target_id=event.id, group_id=event.group_id)
    return event


def open_event(actor: User, access: GroupAccess, event_id: int) -> Event:
    """One event of the group the actor opened. Another group's event, or none: not found."""
    event = db.session.get(Event, event_id)
    if (
        event is None
        or event.group_id != access.group.id
        or not policy.can_read_events(actor, access.group, access.membership)
    ):
        raise NotFound(_l("We could not find that event."))
    return event


def group_slug_of(event_id: int) -> str | None:
    """The slug of the group an event is in, for the short address ``/events/<id>`` (the calendar feed's link,
    which names no group); the page it leads to opens the group, which decides."""
    return db.session.scalar(select(Group.slug).join(Event, Event.group_id == Group.id).where(Event.id == event_id))


def update_event(actor: User, access: GroupAccess, event_id: int, details: EventDetails) -> Event:
    """Change a scheduled event. A new start time sends the reminder again. Audited as ``event.updated``."""
    event = open_event(actor, access, event_id)
    _require_planner(actor, access)
    if not policy.can_change_event(actor, access.group, access.membership, event):
        raise DomainError(_l("This event was cancelled; it can no longer be changed."))
    now = utcnow()
    values = _clean(details, now=now, new=False)
    if values["starts_at"] != event.starts_at:
        if event.starts_at <= now:
            raise DomainError(
                _l("This event has already started; its start can no longer be moved."), field="starts_at"
            )
        if values["starts_at"] <= now:  # type: ignore[operator]
            raise DomainError(_l("The start is in the past. Choose a time that is still to come."), field="starts_at")
        db.session.execute(Rsvp.__table__.update().where(Rsvp.event_id == event.id).values(reminded_at=None))
    for name, value in values.items():
        setattr(event, name, value)
    event.updated_at = now
    audit.record("event.updated", actor_id=actor.id, target_type="event", target_id=event.id, group_id=event.group_id)
    return event


def cancel_event(actor: User, access: GroupAccess, event_id: int) -> Event:
    """Cancel a scheduled event: it stays listed as cancelled, answers close, and whoever said yes or maybe is
    told (``event_cancelled``, no text of the event in it). Audited as ``event.cancelled``."""
    event = open_event(actor, access, event_id)
    _require_planner(actor, access)
    if event.state == "cancelled":
        raise DomainError(_l("This event has already been cancelled."))
    now = utcnow()
    event.state, event.cancelled_at, event.cancelled_by_id, event.updated_at = "cancelled", now, actor.id, now
    audit.record("event.cancelled", actor_id=actor.id, target_type="event", target_id=event.id, group_id=event.group_id)
    if event.ends_at > now:
        notify(coming(event.id), kind="event_cancelled", actor_id=actor.id, group_id=event.group_id,
               target_type="event", target_id=event.id)  # fmt: skip
    return event


def upcoming(actor: User, access: GroupAccess, *, limit: int = LIST_SIZE) -> list[Event]:
    """The group's events that have not ended, soonest first (cancelled ones too, marked so)."""
    if not policy.can_read_events(actor, access.group, access.membership):
        raise NotFound(_l("We could not find that group."))
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.group_id == access.group.id, Event.ends_at > utcnow())
            .order_by(Event.starts_at, Event.id)
            .limit(limit)
        )
    )


def past(actor: User, access: GroupAccess, *, limit: int = PAST_SIZE) -> list[Event]:
    """The group's latest events that have ended, most recent first."""
    if not policy.can_read_events(actor, access.group, access.membership):
        raise NotFound(_l("We could not find that group."))
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.group_id == access.group.id, Event.ends_at <= utcnow())
            .order_by(Event.starts_at.desc(), Event.id.desc())
            .limit(limit)
        )
    )


def next_events(actor: User, access: GroupAccess) -> list[Event]:
    """The group page's section: the next few scheduled events."""
    return [event for event in upcoming(actor, access, limit=SECTION_SIZE * 2) if event.state == "scheduled"][
        :SECTION_SIZE
    ]


def _answers_of_readers(event_id: int):
    """Answers to the event by people who still read its group (someone who left no longer counts)."""
    return (
        select(Rsvp)
        .join(Event, Event.id == Rsvp.event_id)
        .join(Membership, (Membership.group_id == Event.group_id) & (Membership.user_id == Rsvp.user_id))
        .where(Rsvp.event_id == event_id, Membership.state.in_(READING_STATES))
    )


def answer_counts(event_id: int) -> dict[str, int]:
    answers = _answers_of_readers(event_id).subquery()
    rows = db.session.execute(select(answers.c.answer, func.count()).group_by(answers.c.answer)).all()
    counts = dict.fromkeys(("yes", "maybe", "no"), 0)
    counts.update({str(answer): int(count) for answer, count in rows})
    return counts


def coming(event_id: int) -> list[int]:
    """Who answered yes or maybe and still reads the event's group."""
    query = _answers_of_readers(event_id).where(Rsvp.answer.in_(COMING)).order_by(Rsvp.user_id)
    return [rsvp.user_id for rsvp in db.session.scalars(query)]


def who_is_coming(actor: User, access: GroupAccess, event: Event, *, limit: int = 200) -> list[tuple[User, str]]:
    """The names behind yes and maybe, for the group's care staff only (others: an empty list)."""
    if not policy.can_see_who_is_coming(actor, access.group, access.membership):
        return []
    answers = _answers_of_readers(event.id).where(Rsvp.answer.in_(COMING)).subquery()
    rows = db.session.execute(
        select(User, answers.c.answer)
        .join(answers, answers.c.user_id == User.id)
        .order_by(answers.c.answer.desc(), User.display_name, User.id)
        .limit(limit)
    ).all()
    return [(user, answer) for user, answer in rows]
