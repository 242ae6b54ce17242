"""Time is UTC in storage. One function to ask for "now", so tests can reason about it."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC: SQLite has no time zones, so every stored datetime is naive UTC on both databases."""
    return datetime.now(UTC).replace(tzinfo=None)
