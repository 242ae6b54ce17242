"""The navigation's "Moderation" entry (``core.layout``), registered by moderation's wiring."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from community.core import layout
from community.moderation import queue


def sees_moderation(user: Any) -> bool:
    """Admins, and active moderators of at least one group (from the memberships loaded with the session)."""
    return bool(user.is_admin) or queue.moderates_any(user)


ENTRY = layout.NavEntry(
    "moderation",
    _l("Moderation"),
    "moderation.queue_all",
    80,
    layout.on_endpoint_prefix("moderation.queue"),
    shows=sees_moderation,
)
