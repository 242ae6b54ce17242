"""Moderation's say in members' profiles, through ``auth.signals`` (auth does not import moderation):
a changed display name or bio passes the pipeline before it is saved, and a profile is hidden from the people
its owner blocked. Connected by moderation's wiring."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from community.auth.models import User
from community.core.errors import NotFound
from community.moderation import safety, services


def screen_profile_change(actor: User, *, display_name: str | None, bio: str | None, **_kw: Any) -> tuple[str, ...]:
    """``auth.signals.profile_changing``: refuses with DomainError; returns the notices (helplines)."""
    return services.screen_profile(actor, display_name=display_name, bio=bio)


def hide_from_blocked(viewer: User, *, subject: User, **_kw: Any) -> None:
    """``auth.signals.profile_opening``: someone the owner blocked finds nobody there (admins still do)."""
    if not viewer.is_admin and safety.has_blocked(subject.id, viewer.id):
        raise NotFound(_("We could not find that person."))
