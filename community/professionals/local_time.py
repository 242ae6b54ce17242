"""The site's local time: availability hours are local hours, so "now" and "next available" are naive
datetimes in the site's zone (``BABEL_DEFAULT_TIMEZONE``), never shifted again when shown."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_datetime


def local_now() -> datetime:
    """Now, as a naive datetime in the site's time zone: availability hours are local hours."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")
    return datetime.now(zone).replace(tzinfo=None)


def local_moment(value) -> str:
    """A local (already in the site's zone) moment, for "next available": never shifted again."""
    return format_datetime(value, "EEEE d MMMM, HH:mm", rebase=False) if value else ""
