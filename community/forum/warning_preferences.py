"""Content warnings a member keeps collapsed: posts with these warnings stay closed for them, with the text,
images and reactions inside, and are never opened for them by the page (forum.js). Others' choices change
nothing for anyone else. Stored on the member's preferences row (``member_preferences.collapsed_warnings``)."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _

from community.accessibility.models import MemberPreferences, preferences_row
from community.auth.models import User
from community.core.errors import DomainError
from community.extensions import db
from community.forum.writing import CONTENT_WARNINGS


def _parse(stored: str | None) -> frozenset[str]:
    return frozenset(kind for kind in (stored or "").split(",") if kind in CONTENT_WARNINGS)


def collapsed_warnings(user: User | None) -> frozenset[str]:
    """The kinds this member keeps collapsed (an identity-map lookup when the page already loaded the row)."""
    if user is None or not getattr(user, "id", None):
        return frozenset()
    row = preferences_row(user)
    return _parse(row.collapsed_warnings if row is not None else "")


def set_collapsed_warnings(actor: User, kinds: Iterable[str]) -> frozenset[str]:
    """Keep exactly these kinds collapsed for the actor (an empty list: none). Unknown kinds are refused and
    nothing is stored. The caller commits."""
    chosen = [str(kind) for kind in kinds]
    unknown = [kind for kind in chosen if kind not in CONTENT_WARNINGS]
    if unknown:
        raise DomainError(_("Choose content warnings from the list."), field="collapsed_warnings")
    row = db.session.get(MemberPreferences, actor.id)
    if row is None:
        row = MemberPreferences(user_id=actor.id, hide_presence=False)
        db.session.add(row)
    row.collapsed_warnings = ",".join(kind for kind in CONTENT_WARNINGS if kind in set(chosen))
    db.session.flush()
    return _parse(row.collapsed_warnings)
