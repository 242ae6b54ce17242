"""Small pieces shared by this feature's HTTP adapters."""

from __future__ import annotations

from flask_babel import format_datetime


def int_or_none(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 10 else None


def local_moment(value) -> str:
    """A local (already in the site's zone) moment, for "next available": never shifted again."""
    return format_datetime(value, "EEEE d MMMM, HH:mm", rebase=False) if value else ""
