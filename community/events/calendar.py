"""Each member's calendar feed: a secret address (``/calendar/<token>.ics``) a calendar app reads without
signing in. Only the SHA-256 of the token is stored (as for invitations); the address is shown once, when it
is made or renewed, and renewing or revoking it stops the old one at once.

What the feed tells, by default, is only that there is a Kring event at that time, with a link to its page
(``BASE_URL/events/<id>``, which names no group; the page needs signing in and membership). Calendar apps sync
to phones, lock screens and other people's shared calendars: a group's name or a title ("Parents of children
with ...") there says more than the member may want. A member who chooses "show details" gets the title, the
group's name, the place, the online link and the description.

The feed lists the events of the groups the member still reads (an active or muted membership), from 30 days
ago to a year ahead, at most ``FEED_MAX`` of them; cancelled ones stay in with ``STATUS:CANCELLED`` so that
calendar apps take them away.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlalchemy import select

from community.auth.models import User
from community.core.errors import NotFound
from community.core.time import utcnow
from community.events.models import CalendarFeed, Event
from community.events.times import aware
from community.extensions import db
from community.groups.models import Group, Membership
from community.groups.policy import READING_STATES

FEED_PAST, FEED_AHEAD, FEED_MAX = timedelta(days=30), timedelta(days=365), 500


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def make_address(user: User) -> str:
    """Make (or renew: the old address stops working) the member's secret address; returns the token, which
    is stored nowhere. The "show details" choice is kept across renewals."""
    token = secrets.token_urlsafe(32)
    feed = feed_of(user)
    if feed is None:
        feed = CalendarFeed(user_id=user.id, show_details=False)
        db.session.add(feed)
    feed.token_hash, feed.created_at = _hash(token), utcnow()
    db.session.flush()
    return token


def set_details(user: User, *, show: bool) -> CalendarFeed | None:
    """Choose whether the feed shows each event's title, group, place and link. Without an address: nothing."""
    feed = feed_of(user)
    if feed is not None:
        feed.show_details = bool(show)
    return feed


def revoke(user: User) -> bool:
    """Stop the address at once. False when there was none."""
    feed = feed_of(user)
    if feed is None:
        return False
    db.session.delete(feed)
    return True


def _owner(token: str) -> tuple[User, CalendarFeed]:
    row = db.session.execute(
        select(User, CalendarFeed)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token_hash == _hash(token or ""))
    ).first()
    if row is None or row[0].state != "active":
        raise NotFound(_("We could not find that calendar."))
    return row[0], row[1]


def feed_events(user: User) -> list[tuple[Event, Group]]:
    """The events the feed lists for the member: their groups' (still read), in the window, soonest first."""
    now = utcnow()
    return [
        (event, group)
        for event, group in db.session.execute(
            select(Event, Group)
            .join(Group, Group.id == Event.group_id)
            .join(Membership, (Membership.group_id == Event.group_id) & (Membership.user_id == user.id))
            .where(
                Membership.state.in_(READING_STATES),
                Event.starts_at >= now - FEED_PAST,
                Event.starts_at <= now + FEED_AHEAD,
            )
            .order_by(Event.starts_at, Event.id)
            .limit(FEED_MAX)
        ).all()
    ]


def event_address(event_id: int) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/events/{event_id}"


def feed_for_token(token: str) -> bytes:
    """The iCalendar text of the feed behind ``token``; an unknown or revoked token, or an account that is not
    active, is not found."""
    user, feed = _owner(token)
    host = current_app.config["BASE_URL"].split("//", 1)[-1].split("/", 1)[0] or "kring"
    calendar = Calendar()
    calendar.add("prodid", "-//Kring//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    with force_locale(user.language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        calendar.add("x-wr-calname", "Kring")
        for event, group in feed_events(user):
            calendar.add_component(_entry(event, group, host, details=feed.show_details))
    return calendar.to_ical()


def _entry(event: Event, group: Group, host: str, *, details: bool) -> CalendarEvent:
    page = event_address(event.id)
    entry = CalendarEvent()
    entry.add("uid", f"event-{event.id}@{host}")
    entry.add("dtstamp", aware(event.updated_at))
    entry.add("last-modified", aware(event.updated_at))
    entry.add("dtstart", aware(event.starts_at))
    entry.add("dtend", aware(event.ends_at))
    entry.add("url", page)
    entry.add("status", "CANCELLED" if event.state == "cancelled" else "CONFIRMED")
    if details:
        entry.add("summary", event.title)
        if event.place:
            entry.add("location", event.place)
        lines = [group.name, event.description, event.link, page]
        entry.add("description", "\n\n".join(line for line in lines if line))
    else:
        entry.add("summary", _("Kring event"))
        entry.add("description", page)
    return entry
