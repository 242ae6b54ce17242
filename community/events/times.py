"""An event's times: stored as naive UTC, typed and shown in the site's time zone. The zone is Flask-Babel's
(``BABEL_DEFAULT_TIMEZONE``; its ``datetimeformat`` filter shows every stored time in it, and the forum's
scheduled announcements convert with the same functions), so a time typed is the time shown."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import get_timezone, to_user_timezone, to_utc


def site_zone_name() -> str:
    return str(get_timezone())


def local_to_utc(local: datetime) -> datetime:
    """A wall-clock time typed in the site's zone, as naive UTC."""
    return to_utc(local)


def utc_to_local(moment: datetime) -> datetime:
    """A stored naive UTC time as the site's wall-clock time (naive), to fill a form with."""
    return to_user_timezone(moment).replace(tzinfo=None)


def aware(moment: datetime) -> datetime:
    """A stored naive UTC time, marked as UTC (for the calendar feed)."""
    return moment.replace(tzinfo=UTC)
