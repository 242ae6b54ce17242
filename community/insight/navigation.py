"""The navigation's "Insight" entry (``core.layout``), registered by insight's wiring."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from community.core import layout
from community.groups.policy import MODERATING_ROLES
from community.insight import policy


def sees_insight(user: Any) -> bool:
    """Admins, and moderators and managers of a group (from the memberships loaded with the session)."""
    moderates = any(m.role in MODERATING_ROLES and m.state in ("active", "muted") for m in user.memberships)
    return policy.can_use_insight_area(user, moderates)


ENTRY = layout.NavEntry("insight", _l("Insight"), "insight.overview", 90, layout.on_blueprint("insight"), sees_insight)
