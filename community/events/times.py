"""An event's times: stored as naive UTC, typed and shown in the site's local time (``BABEL_DEFAULT_TIMEZONE``,
the zone Flask-Babel's ``datetimeformat`` filter shows every stored time in)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def site_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")


def local_to_utc(local: datetime) -> datetime:
    """A wall-clock time typed in the site's zone, as naive UTC (in a clock change's gap or overlap, the first)."""
    return local.replace(tzinfo=site_zone()).astimezone(UTC).replace(tzinfo=None)


def utc_to_local(moment: datetime) -> datetime:
    """A stored naive UTC time as the site's wall-clock time (naive), to fill a form with."""
    return moment.replace(tzinfo=UTC).astimezone(site_zone()).replace(tzinfo=None)


def aware(moment: datetime) -> datetime:
    """A stored naive UTC time, marked as UTC (for the calendar feed)."""
    return moment.replace(tzinfo=UTC)
